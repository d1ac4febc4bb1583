/**
 * The `hex` input format: one datagram per line, as hex digits. Whitespace, colons, commas,
 * `\x` escapes and `0x` prefixes are tolerated (`28 00 00 00`, `28:00:00:00`, `\x28\x00`,
 * `0x28 0x00`); `#` starts a comment; empty lines are skipped. A line may start with `>`
 * (sent to the kernel) or `<` (received from it).
 *
 * @example
 * ```ts
 * const r = hexReader();
 * r.push(new TextEncoder().encode('> 1400000012000103010000000000000000000000\n'));
 * ```
 * @module
 */
import type { CapturedDatagram } from './datagram.js';
import { type CaptureReader, LineSplitter, type Lines, MAX_DATAGRAM, type ReaderOutput, none } from './reader.js';

/** Bytes of one hex line, or a reason it is not hex. */
export function parseHexLine(line: string): { bytes: Uint8Array; direction?: 'in' | 'out' } | { error: string } | undefined {
  let s = line;
  const hash = s.indexOf('#');
  if (hash >= 0) s = s.slice(0, hash);
  s = s.trim();
  if (s === '') return undefined;
  let direction: 'in' | 'out' | undefined;
  if (s[0] === '>' || s[0] === '<') {
    direction = s[0] === '>' ? 'out' : 'in';
    s = s.slice(1);
  }
  s = s.replace(/\\x/gi, ' ');
  let digits = '';
  for (const tok of s.split(/[\s:,]+/)) {
    if (tok === '') continue;
    const t = /^0x/i.test(tok) ? tok.slice(2) : tok;
    if (!/^[0-9a-fA-F]*$/.test(t)) {
      const bad = /[^0-9a-fA-F]/.exec(t)?.[0] ?? '?';
      return { error: `${JSON.stringify(bad)} is not a hex digit` };
    }
    digits += t;
  }
  if (digits.length % 2 !== 0) return { error: `odd number of hex digits (${digits.length})` };
  if (digits.length / 2 > MAX_DATAGRAM) return { error: `datagram of ${digits.length / 2} bytes exceeds the ${MAX_DATAGRAM}-byte limit` };
  const bytes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(digits.substr(i * 2, 2), 16);
  return direction ? { bytes, direction } : { bytes };
}

/** A reader of the hex format. */
export function hexReader(): CaptureReader {
  const lines = new LineSplitter();
  let index = 0;
  const handle = (l: Lines): ReaderOutput => {
    const out = none();
    for (const line of l.tooLong) out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `line longer than the ${MAX_DATAGRAM}-byte datagram limit allows`, line });
    for (const [line, text] of l.lines) {
      const r = parseHexLine(text);
      if (r === undefined) continue;
      if ('error' in r) {
        out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `not a hex datagram: ${r.error}`, line });
        continue;
      }
      const d: CapturedDatagram = { index: ++index, where: { line }, bytes: r.bytes };
      if (r.direction) d.direction = r.direction;
      out.datagrams.push(d);
    }
    return out;
  };
  return {
    format: 'hex',
    push: (chunk) => handle(lines.push(chunk)),
    end: () => handle(lines.end()),
  };
}

/** Hex text of datagrams, one per line (the inverse of {@link hexReader}). */
export function writeHex(datagrams: ReadonlyArray<{ bytes: Uint8Array; direction?: 'in' | 'out' | undefined }>): string {
  let out = '';
  for (const d of datagrams) {
    let line = d.direction === 'out' ? '> ' : d.direction === 'in' ? '< ' : '';
    for (const b of d.bytes) line += b.toString(16).padStart(2, '0');
    out += line + '\n';
  }
  return out;
}
