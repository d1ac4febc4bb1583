/**
 * Capture readers by format, the `raw` format, and `auto` detection:
 *
 * - `pcap` / `pcapng`: by their magic numbers;
 * - `strace`: text with strace hexdump lines (` | 00000  ...`) or netlink syscalls;
 * - `hex`: other text;
 * - `raw`: anything else (binary): the bytes of one datagram, or messages one after the other.
 *
 * @example
 * ```ts
 * const r = captureReader('auto');
 * const out = r.push(fileBytes);
 * merge(out, r.end());
 * out.datagrams; // CapturedDatagram[]
 * ```
 * @module
 */
import type { CapturedDatagram } from './datagram.js';
import { hexReader } from './hex.js';
import { isPcap, pcapReader } from './pcap.js';
import { isPcapng, pcapngReader } from './pcapng.js';
import { ByteQueue, type CaptureFormat, type CaptureReader, type ReaderOutput, merge, none } from './reader.js';
import { straceReader } from './strace.js';

/** Largest raw input accepted: 256 MiB. */
export const MAX_RAW = 256 * 1024 * 1024;

/** The raw format: all bytes are one datagram. */
export function rawReader(): CaptureReader {
  const q = new ByteQueue();
  let over = false;
  return {
    format: 'raw',
    push(chunk) {
      if (over) return none();
      if (q.length + chunk.length > MAX_RAW) {
        over = true;
        return { datagrams: [], problems: [{ code: 'NLKIT_ERR_BAD_FORMAT', reason: `raw input larger than ${MAX_RAW} bytes`, offset: q.length }] };
      }
      q.push(chunk);
      return none();
    },
    end() {
      if (over || q.length === 0) return none();
      const d: CapturedDatagram = { index: 1, where: { offset: 0 }, bytes: q.take(q.length) };
      return { datagrams: [d], problems: [] };
    },
  };
}

const SAMPLE = 4096;

/** Guesses the format of the first bytes of an input (`end`: they are all there is). */
export function detectFormat(b: Uint8Array, end: boolean): CaptureFormat | undefined {
  if (b.length < 4 && !end) return undefined;
  if (isPcapng(b)) return 'pcapng';
  if (isPcap(b)) return 'pcap';
  let text = true;
  const n = Math.min(b.length, SAMPLE);
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 0 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) {
      text = false;
      break;
    }
  }
  if (!text) return 'raw';
  // Text: wait for a full sample (or two lines) before choosing strace or hex.
  const sample = new TextDecoder().decode(b.subarray(0, n));
  const lines = sample.split('\n');
  if (!end && b.length < SAMPLE && lines.length < 3) return undefined;
  if (/^\s*\|\s[0-9a-f]{5}\s\s/m.test(sample) || /(?:^|\]\s|^\d+\s+)(?:[\d:.]+\s+)?(?:sendmsg|recvmsg|sendto|recvfrom|socket|send|recv)\(/m.test(sample) || /<\.\.\. \w+ resumed>/.test(sample)) return 'strace';
  return 'hex';
}

/** A reader that detects the format from the first bytes, then reads it. */
export function autoReader(): CaptureReader & { readonly detected: CaptureFormat | undefined } {
  const q = new ByteQueue();
  let inner: CaptureReader | undefined;
  const start = (end: boolean): ReaderOutput => {
    const f = detectFormat(q.peek(), end);
    if (!f) return none();
    inner = captureReader(f);
    return inner.push(q.take(q.length));
  };
  return {
    get format() {
      return inner?.format ?? 'auto';
    },
    get detected() {
      return inner?.format === 'auto' ? undefined : (inner?.format as CaptureFormat | undefined);
    },
    push(chunk) {
      if (inner) return inner.push(chunk);
      q.push(chunk);
      return start(false);
    },
    end() {
      const out = inner ? none() : start(true);
      if (inner) merge(out, inner.end());
      return out;
    },
  };
}

/** A reader of `format` ('auto' detects it). */
export function captureReader(format: CaptureFormat | 'auto'): CaptureReader {
  switch (format) {
    case 'hex':
      return hexReader();
    case 'raw':
      return rawReader();
    case 'pcap':
      return pcapReader();
    case 'pcapng':
      return pcapngReader();
    case 'strace':
      return straceReader();
    case 'auto':
      return autoReader();
  }
}

/** All datagrams and problems of a whole input. */
export function readCapture(input: Uint8Array | string, format: CaptureFormat | 'auto' = 'auto'): ReaderOutput & { format: CaptureFormat | 'auto' } {
  const r = captureReader(format);
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const out = r.push(bytes);
  merge(out, r.end());
  return { ...out, format: r.format };
}
