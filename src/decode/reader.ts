/**
 * The shape every capture reader has: bytes go in as they arrive (`push`, any chunking), and
 * complete datagrams and problems come out; `end` flushes what is left. Readers never throw on
 * bad input: they report a {@link DecodeProblem} and go on where they can.
 *
 * @module
 */
import type { CapturedDatagram, DecodeProblem } from './datagram.js';

/** Input formats of `nlkit decode`. */
export type CaptureFormat = 'hex' | 'raw' | 'pcap' | 'pcapng' | 'strace';

/** What a reader produced from one push (or the end). */
export interface ReaderOutput {
  datagrams: CapturedDatagram[];
  problems: DecodeProblem[];
}

/** An incremental reader of one capture format. */
export interface CaptureReader {
  /** The format being read (for `auto`, known once enough bytes were seen). */
  readonly format: CaptureFormat | 'auto';
  /** Feeds the next bytes of the input. */
  push(chunk: Uint8Array): ReaderOutput;
  /** The input ended. */
  end(): ReaderOutput;
}

/** Largest datagram (pcap record, hex line, strace buffer) accepted: 256 KiB. */
export const MAX_DATAGRAM = 256 * 1024;

/** An empty output. */
export function none(): ReaderOutput {
  return { datagrams: [], problems: [] };
}

/** Appends `b` to `a`. */
export function merge(a: ReaderOutput, b: ReaderOutput): ReaderOutput {
  a.datagrams.push(...b.datagrams);
  a.problems.push(...b.problems);
  return a;
}

/** A byte buffer that grows as chunks arrive and gives back what was consumed. */
export class ByteQueue {
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Input offset of the first unconsumed byte. */
  consumed = 0;

  get length(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      if (live + chunk.length <= this.buf.length) this.buf.copyWithin(0, this.start, this.end);
      else {
        const next = new Uint8Array(Math.max(live + chunk.length, this.buf.length * 2, 4096));
        next.set(this.buf.subarray(this.start, this.end));
        this.buf = next;
      }
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** The unconsumed bytes (a view; valid until the next push). */
  peek(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** Consumes `n` bytes and returns a copy of them. */
  take(n: number): Uint8Array {
    const out = this.buf.slice(this.start, this.start + n);
    this.skip(n);
    return out;
  }

  /** Consumes `n` bytes. */
  skip(n: number): void {
    this.start += n;
    this.consumed += n;
    if (this.start >= this.end) {
      this.start = 0;
      this.end = 0;
      if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0);
    }
  }
}

const utf8 = new TextDecoder('utf-8');

/** Lines of a chunk: complete lines with their numbers (from 1), and numbers of lines too long to keep. */
export interface Lines {
  lines: Array<[number, string]>;
  tooLong: number[];
}

/** Splits pushed bytes into lines (without their `\n` / `\r\n`). */
export class LineSplitter {
  private readonly q = new ByteQueue();
  private lineNo = 0;
  private scanned = 0;
  private dropping = false;

  /** Lines longer than `maxLine` bytes are dropped and reported. */
  constructor(private readonly maxLine = 4 * MAX_DATAGRAM + 4096) {}

  push(chunk: Uint8Array): Lines {
    this.q.push(chunk);
    const out: Lines = { lines: [], tooLong: [] };
    for (;;) {
      const b = this.q.peek();
      const nl = b.indexOf(10, this.scanned);
      if (nl < 0) {
        if (b.length > this.maxLine) {
          this.q.skip(b.length);
          this.dropping = true;
          this.scanned = 0;
        } else this.scanned = b.length;
        break;
      }
      this.lineNo++;
      if (this.dropping || nl > this.maxLine) out.tooLong.push(this.lineNo);
      else out.lines.push([this.lineNo, utf8.decode(b.subarray(0, nl > 0 && b[nl - 1] === 13 ? nl - 1 : nl))]);
      this.q.skip(nl + 1);
      this.scanned = 0;
      this.dropping = false;
    }
    return out;
  }

  /** The last line, if the input did not end with a newline. */
  end(): Lines {
    const b = this.q.peek();
    const out: Lines = { lines: [], tooLong: [] };
    if (b.length === 0 && !this.dropping) return out;
    this.lineNo++;
    if (this.dropping || b.length > this.maxLine) out.tooLong.push(this.lineNo);
    else out.lines.push([this.lineNo, utf8.decode(b)]);
    this.q.skip(b.length);
    this.dropping = false;
    this.scanned = 0;
    return out;
  }
}
