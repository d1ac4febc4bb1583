/**
 * ip's address arguments: `get_prefix` / `get_addr` (IPv4 also in its short forms `10.123/16`,
 * IPv6, and `default`/`all`/`any`), with ip's error messages, and prefix matching for the
 * listing filters (`to PREFIX`, `root`, `match`, `exact`).
 *
 * @module
 */
import { CliExit } from './args.js';

export const AF_INET = 2;
export const AF_INET6 = 10;

/** A parsed address or prefix. */
export interface Prefix {
  /** 2, 10, or 0 for `default`/`any`/`all` given without a family. */
  family: number;
  /** The address in canonical text ('' for a family-less `default`). */
  address: string;
  /** The prefix length. */
  bitlen: number;
  /** The address bytes. */
  bytes: Uint8Array;
  /** Whether a `/LEN` (or `default`) was given. */
  lenGiven: boolean;
  /** `default`, `all` or `any`. */
  any: boolean;
}

/** family_name_verbose. */
function familyVerbose(family: number): string {
  return family === AF_INET ? 'inet' : family === AF_INET6 ? 'inet6' : 'any valid';
}

function ipv4(text: string): Uint8Array | undefined {
  // get_addr_ipv4: 1..4 dotted decimal parts, the missing ones zero.
  const out = new Uint8Array(4);
  let part = 0;
  let v = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part === 3) return undefined;
      out[part++] = v;
      v = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      if (++digits > 3 || v > 255) return undefined;
    } else return undefined;
  }
  if (digits === 0) return undefined;
  out[part] = v;
  return out;
}

function ipv6(text: string): Uint8Array | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return undefined;
  let head = text;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = text.slice(lastColon + 1);
    if (v4.split('.').length !== 4) return undefined;
    tail4 = ipv4(v4);
    if (!tail4) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let parts: string[];
  if (dbl >= 0) {
    const l = groups(head.slice(0, dbl));
    const r = groups(head.slice(dbl + 2));
    if (l.length + r.length > 7) return undefined;
    parts = [...l, ...Array<string>(8 - l.length - r.length).fill('0'), ...r];
  } else parts = groups(head);
  if (parts.length !== 8) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = parts[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tail4) out.set(tail4, 12);
  return out;
}

/** Canonical text of IPv4/IPv6 bytes (RFC 5952 for IPv6, as inet_ntop). */
export function formatAddress(b: Uint8Array): string {
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  // IPv4-mapped / compatible forms as inet_ntop prints them.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || (g[5] === 0 && (g[6] !== 0 || g[7]! > 1)))) {
    const v4 = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    return g[5] === 0xffff ? `::ffff:${v4}` : `::${v4}`;
  }
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function parse(text: string, family: number, allowLen: boolean): Prefix | undefined {
  if (text === 'default' || text === 'all' || text === 'any') {
    const bytes = new Uint8Array(family === AF_INET6 ? 16 : family === AF_INET ? 4 : 0);
    return { family, address: bytes.length ? formatAddress(bytes) : '', bitlen: 0, bytes, lenGiven: true, any: true };
  }
  const slash = text.indexOf('/');
  if (slash >= 0 && !allowLen) return undefined;
  const addr = slash < 0 ? text : text.slice(0, slash);
  let bytes: Uint8Array | undefined;
  let fam: number;
  if (addr.includes(':')) {
    bytes = ipv6(addr);
    fam = AF_INET6;
  } else {
    bytes = ipv4(addr);
    fam = AF_INET;
  }
  if (!bytes || (family !== 0 && family !== fam)) return undefined;
  const max = fam === AF_INET6 ? 128 : 32;
  let bitlen = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d+$/.test(p) || Number(p) > max) return undefined;
    bitlen = Number(p);
  }
  return { family: fam, address: formatAddress(bytes), bitlen, bytes, lenGiven: slash >= 0, any: false };
}

/** get_prefix: `ADDR[/LEN]` of `family` (0 = any); ip's message and status 1 otherwise. */
export function getPrefix(text: string, family: number): Prefix {
  const p = parse(text, family, true);
  if (!p) throw new CliExit(1, `Error: ${familyVerbose(family)} prefix is expected rather than "${text}".`);
  return p;
}

/** get_addr: an address of `family` (0 = any), no prefix length; ip's message and status 1 otherwise. */
export function getAddr(text: string, family: number): Prefix {
  const p = parse(text, family, false);
  if (!p) throw new CliExit(1, `Error: ${familyVerbose(family)} address is expected rather than "${text}".`);
  return p;
}

/** Parses an address text as the kernel reports it (undefined for anything else). */
export function addressBytes(text: string | undefined): Uint8Array | undefined {
  if (text === undefined) return undefined;
  return text.includes(':') ? ipv6(text) : ipv4(text);
}

/** inet_addr_match: whether the first `bits` bits of `a` equal those of `b`. */
export function bitsMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((a[whole]! ^ b[whole]!) & mask) === 0;
}

/** Whether address `text` lies in `pfx` (a family-less `default` matches everything). */
export function inPrefix(text: string | undefined, pfx: Prefix): boolean {
  if (pfx.bytes.length === 0) return true;
  const b = addressBytes(text);
  return b !== undefined && bitsMatch(b, pfx.bytes, pfx.bitlen);
}
