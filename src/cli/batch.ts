/**
 * `nlkit [ -force ] -batch FILE`: the commands of a file (or `-` for stdin), one per line, as
 * `ip -batch` reads them (`#` comments, `\` line continuation, quotes), through ONE socket per
 * network namespace.
 *
 * The commonest change commands (route/address add, change, replace, delete of IPv4 prefixes, veth
 * pairs, link delete and up/down; see batch-fast.ts) are built into request bytes here and sent
 * on the socket directly; every other line runs as the command would alone (ip.ts), on the same
 * socket. Interface names resolve once per run and namespace (one RTM_GETLINK per name).
 *
 * Stopping at the first failure, exactly as ip does (nothing after a failed line reaches the
 * kernel): ip sends a line's request and reads its answer before the next line. The kernel
 * handles the messages of a datagram one after another and goes on after one fails, so requests
 * of several lines may share a datagram only if later failures do not matter. Without `-force`
 * every request therefore goes alone, and the answer is looked for before the next line is even
 * parsed. rtnetlink answers inside the `sendmsg` call (an error always; success only when asked
 * with NLM_F_ACK), so the answer, if any, is queued when `send` returns: a fast line costs one
 * `sendmsg` and one `recvmsg` that finds the queue empty, and no wait (ip makes three calls per
 * line: sendmsg, a peeking recvmsg and the recvmsg of the ACK). Lines that go the general way
 * run one at a time, each after the one before has finished. With `-force` nothing depends on
 * an answer: up to 64 fast requests share a datagram, and every failure is reported.
 *
 * Failures are reported in line order, each with its message and `Command failed FILE:LINE`;
 * output is written in large pieces, in line order.
 *
 * Extension: a line may start with `-n NETNS` to run in another namespace (its own socket).
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Datagram, Transport } from '../netlink/transport.js';
import { CliExit, matches } from './args.js';
import { FastPath, parseFast } from './batch-fast.js';
import { report, runObject } from './ip.js';
import type { CliIo } from './main.js';
import { failure, type Session, type SocketHook } from './session.js';

/** One command of the file. */
export interface BatchLine {
  /** Line number (of the last physical line, as ip counts). */
  line: number;
  words: string[];
}

/**
 * The commands of batch text, read one at a time as iproute2's getcmdline + makeargs read them:
 * `#` ends a line (anywhere), a trailing backslash joins the next line, words are separated by
 * blanks, a word starting with a quote runs to the matching quote. Like ip, a line that cannot
 * be read (`Unterminated quoted string`, `Missing continuation line`) fails when it is reached,
 * after the lines before it ran.
 */
export class BatchReader {
  private pos = 0;
  private no = 0;

  constructor(private readonly text: string) {}

  /** The next command with words (blank and comment lines are skipped), or undefined at the end. */
  next(): BatchLine | undefined {
    const text = this.text;
    const n = text.length;
    while (this.pos < n) {
      let [line, open] = this.physical();
      // `\` before the newline joins the next line (not after a `#`: its newline is gone)
      while (open && line.charCodeAt(line.length - 1) === 92) {
        if (this.pos >= n) throw new CliExit(1, 'Missing continuation line');
        const [next, nextOpen] = this.physical();
        line = line.slice(0, -1) + next;
        open = nextOpen;
      }
      const words = makeargs(line);
      if (words.length > 0) return { line: this.no, words };
    }
    return undefined;
  }

  /** The next physical line without its newline and from its `#` on; open: it had no `#`. */
  private physical(): [string, boolean] {
    const text = this.text;
    let end = text.indexOf('\n', this.pos);
    if (end < 0) end = text.length;
    let line = text.slice(this.pos, end);
    this.pos = end + 1;
    this.no++;
    const h = line.indexOf('#');
    if (h < 0) return [line, true];
    line = line.slice(0, h);
    return [line, false];
  }
}

/** Every command of batch text (see {@link BatchReader}). */
export function parseBatch(text: string): BatchLine[] {
  const r = new BatchReader(text);
  const out: BatchLine[] = [];
  for (let l = r.next(); l; l = r.next()) out.push(l);
  return out;
}

/** ' ', '\t', '\r', '\n': makeargs' separators. */
function blank(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

const QUOTE = /["']/;
const BLANKS = /[ \t\r\n]+/;

/** makeargs. */
function makeargs(line: string): string[] {
  // Without quotes, the words are what lies between runs of blanks: split natively (bench:
  // write/batch-12k, where the character loop below was the reader's main cost).
  if (!QUOTE.test(line)) {
    const w = line.split(BLANKS);
    if (w[0] === '') w.shift();
    if (w.length > 0 && w[w.length - 1] === '') w.pop();
    return w;
  }
  const words: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && blank(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const c = line.charCodeAt(i);
    if (c === 39 || c === 34) {
      const end = line.indexOf(c === 39 ? "'" : '"', i + 1);
      if (end < 0) throw new CliExit(1, 'Unterminated quoted string');
      words.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < n && !blank(line.charCodeAt(j))) j++;
      words.push(line.slice(i, j));
      i = j;
    }
    // the character after a word (or quote) is consumed as the separator
    i++;
  }
  return words;
}

/** nlmsg types that change something (RTM_NEW*, RTM_DEL*, RTM_SET*): everything but GET and control. */
function isChange(type: number): boolean {
  return type >= 16 && (type & 3) !== 2;
}

/** What the last batch did (for tests and `DEBUG`): sockets opened, change requests, overlap. */
export interface BatchStats {
  /** Sockets opened (one per namespace used). */
  sockets: number;
  /** Change requests sent. */
  changes: number;
  /** The most change requests sent before the answer of an earlier one was read. */
  maxInFlight: number;
}

/** Statistics of the last {@link runBatch} in this process. */
export let lastBatchStats: BatchStats = { sockets: 0, changes: 0, maxInFlight: 0 };

/** Counts the sockets of a batch and the change requests sent on them. */
class Counter implements SocketHook {
  readonly stats: BatchStats = { sockets: 0, changes: 0, maxInFlight: 0 };

  wrap(t: Transport): Transport {
    this.stats.sockets++;
    return new CountingTransport(t, this.stats);
  }
}

class CountingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly stats: BatchStats,
  ) {}

  get protocol(): number {
    return this.inner.protocol;
  }

  get portId(): number {
    return this.inner.portId;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  private buf: ArrayBufferLike | undefined = undefined;
  private dv: DataView | undefined = undefined;

  send(d: Uint8Array): void {
    this.inner.send(d);
    // one DataView per buffer, not per datagram (batch-fast.ts sends views of one buffer)
    if (d.buffer !== this.buf) {
      this.buf = d.buffer;
      this.dv = new DataView(d.buffer);
    }
    const dv = this.dv!;
    for (let off = 0; off + 16 <= d.length; ) {
      const len = dv.getUint32(d.byteOffset + off, true);
      if (isChange(dv.getUint16(d.byteOffset + off + 4, true))) this.stats.changes++;
      if (len < 16) break;
      off += (len + 3) & ~3;
    }
  }

  receive(): Datagram | null {
    return this.inner.receive();
  }

  onReadable(callback: () => void): void {
    this.inner.onReadable(callback);
  }

  addMembership(group: number): void {
    this.inner.addMembership(group);
  }

  dropMembership(group: number): void {
    this.inner.dropMembership(group);
  }

  close(): void {
    this.inner.close();
  }
}

// ---------------------------------------------------------------------------------------------

/** The output of one general command, kept apart (and put in line order by the batch). */
class Buffered implements CliIo {
  readonly chunks: Array<[0 | 1, string | Uint8Array]> = [];
  readonly stdout = { write: (c: string | Uint8Array) => this.chunks.push([0, c]) };
  readonly stderr = { write: (c: string | Uint8Array) => this.chunks.push([1, c]) };
  constructor(private readonly parent: CliIo) {}
  get stdin(): AsyncIterable<Uint8Array | string> {
    return this.parent.stdin;
  }
}

/** The batch's output in line order, written in pieces of about 64 KiB. */
class Output {
  private text = '';
  private fd: 0 | 1 = 0;
  constructor(private readonly io: CliIo) {}

  write(fd: 0 | 1, c: string | Uint8Array): void {
    if (typeof c !== 'string') {
      this.flush();
      (fd === 0 ? this.io.stdout : this.io.stderr).write(c);
      return;
    }
    if (fd !== this.fd) this.flush();
    this.fd = fd;
    this.text += c;
    if (this.text.length >= 65536) this.flush();
  }

  flush(): void {
    if (this.text === '') return;
    (this.fd === 0 ? this.io.stdout : this.io.stderr).write(this.text);
    this.text = '';
  }
}

function readInput(file: string, io: CliIo): string | Promise<string> {
  if (file === '-') {
    return (async () => {
      let text = '';
      const dec = new TextDecoder();
      for await (const c of io.stdin) text += typeof c === 'string' ? c : dec.decode(c, { stream: true });
      return text + dec.decode();
    })();
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    return (async () => {
      const { errnoNumber, errnoText } = await import('../netlink/errno.js');
      const code = (e as { code?: string }).code ?? '';
      throw new CliExit(1, `Cannot open file "${file}" for reading: ${errnoText(errnoNumber(code) ?? 0)}`);
    })();
  }
}

/** Runs a batch file; 0 when every command succeeded, else 1. */
export async function runBatch(file: string, s: Session): Promise<number> {
  const reader = new BatchReader(await readInput(file, s.io));
  const counter = new Counter();
  s.setBatch(counter);
  const out = new Output(s.io);
  const force = s.opts.force;
  const family = s.opts.family;
  let failed = false;
  const fail = (line: number, text: string): void => {
    out.write(1, text);
    out.write(1, `Command failed ${file}:${line}\n`);
    failed = true;
  };
  const fast = new FastPath(s, force, (line, e) => fail(line, failure(e).text));
  try {
    for (;;) {
      let next: BatchLine | undefined;
      try {
        next = reader.next();
      } catch (e) {
        // ip has run the lines before the one it cannot read
        await fast.settle();
        throw e;
      }
      if (!next) break;
      const { line } = next;
      let w = next.words;
      let netns: string | undefined;
      while (w.length >= 2 && (w[0] === '-n' || matches(w[0]!, '-netns'))) {
        netns = w[1];
        w = w.slice(2);
      }
      const cmd = parseFast(w, family);
      if (cmd) {
        let r = fast.run(cmd, line, netns);
        if (typeof r === 'object') r = await r;
        if (r === false) break;
        if (r === true) continue;
      }
      // Everything sent before goes first (with -force, its failures are reported first).
      await fast.settle();
      if (failed && !force) break;
      const io = new Buffered(s.io);
      const sub = s.fork(io, netns);
      let status: number;
      try {
        status = await runObject(w, sub);
      } catch (e) {
        status = await report(e, sub);
      }
      for (const [fd, c] of io.chunks) out.write(fd, c);
      if (status !== 0) {
        fail(line, '');
        if (!force) break;
      }
    }
    await fast.settle();
  } finally {
    out.flush();
    lastBatchStats = { ...counter.stats, maxInFlight: Math.max(fast.maxInFlight, counter.stats.changes > 0 ? 1 : 0) };
  }
  return failed ? 1 : 0;
}
