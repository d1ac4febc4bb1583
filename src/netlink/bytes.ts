/**
 * Text forms of byte strings: hex, MAC addresses, IPv4/IPv6 addresses, short NUL-terminated
 * strings. Pure functions, no I/O; the formats are those of `ip -j` (inet_ntop for addresses,
 * lower-case colon hex for link-layer addresses).
 *
 * @example
 * ```ts
 * formatIp(new Uint8Array([10, 123, 0, 1]));       // '10.123.0.1'
 * parseIp('fd00:123::1');                         // Uint8Array(16)
 * formatMac(new Uint8Array([2, 0, 0, 0, 0, 1]));   // '02:00:00:00:00:01'
 * ```
 * @module
 */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Lower-case hex of `len` bytes at `off` of `bytes`, no separators. */
export function toHex(bytes: Uint8Array, off = 0, len = bytes.length - off): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += HEX[bytes[i]!];
  return s;
}

/** Bytes of a hex string (whitespace, ':' and '\x' tolerated); undefined if it is not hex. */
export function fromHex(text: string): Uint8Array | undefined {
  const clean = text.replace(/\\x|0x|[\s:]/gi, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

/** Lower-case colon hex ('02:00:00:00:00:01') of `len` bytes at `off`. */
export function formatMac(bytes: Uint8Array, off = 0, len = bytes.length - off): string {
  let s = '';
  for (let i = 0; i < len; i++) s += (i ? ':' : '') + HEX[bytes[off + i]!];
  return s;
}

/** Bytes of a colon (or dash) separated hex address of any length; undefined if malformed. */
export function parseMac(text: string): Uint8Array | undefined {
  if (text === '') return new Uint8Array(0);
  const parts = text.split(/[:-]/);
  const out = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
    out[i] = parseInt(p, 16);
  }
  return out;
}

const OCTET: string[] = [];
const OCTET_DOT: string[] = [];
for (let i = 0; i < 256; i++) {
  OCTET.push(String(i));
  OCTET_DOT.push(`${i}.`);
}

// Recently formatted IPv4 addresses, direct-mapped by a hash of the address: a dump repeats a few
// gateways, sources and local addresses, which then share one string instead of one each
// (bench: decode/route-100k; 100,000 routes via one gateway keep 32 bytes less each).
const V4_SLOTS = 1024;
const v4Key = new Float64Array(V4_SLOTS).fill(-1);
const v4Text: string[] = new Array<string>(V4_SLOTS).fill('');

/** Dotted quad of the 4 bytes at `off`. */
export function formatIPv4(bytes: Uint8Array, off = 0): string {
  const a = bytes[off]!;
  const b = bytes[off + 1]!;
  const c = bytes[off + 2]!;
  const d = bytes[off + 3]!;
  const v = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const slot = Math.imul(v, 0x9e3779b1) >>> 22;
  if (v4Key[slot] === v) return v4Text[slot]!;
  const s = OCTET_DOT[a]! + OCTET_DOT[b]! + OCTET_DOT[c]! + OCTET[d]!;
  v4Key[slot] = v;
  v4Text[slot] = s;
  return s;
}

/** RFC 5952 text of the 16 bytes at `off`, exactly as glibc's inet_ntop prints it. */
export function formatIPv6(bytes: Uint8Array, off = 0): string {
  const w: number[] = new Array(8);
  for (let i = 0; i < 8; i++) w[i] = (bytes[off + 2 * i]! << 8) | bytes[off + 2 * i + 1]!;
  // Longest run of zero words (length >= 2), first one wins on ties.
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (w[i] === 0) {
      if (curBase < 0) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase >= 0 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    // Embedded IPv4: ::a.b.c.d (IPv4-compatible) and ::ffff:a.b.c.d (IPv4-mapped), as glibc.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
      s += formatIPv4(bytes, off + 12);
      return s;
    }
    s += w[i]!.toString(16);
  }
  if (bestBase >= 0 && bestBase + bestLen === 8) s += ':';
  return s;
}

/** Text of an address by its length: 4 bytes IPv4, 16 bytes IPv6, otherwise undefined. */
export function formatIp(bytes: Uint8Array, off = 0, len = bytes.length - off): string | undefined {
  if (len === 4) return formatIPv4(bytes, off);
  if (len === 16) return formatIPv6(bytes, off);
  return undefined;
}

/**
 * Bytes of a dotted-quad IPv4 address (exactly four decimal parts 0-255, no leading zeros, as
 * inet_pton: `010` would be octal 8 to inet_aton and to iproute2); undefined if malformed.
 */
export function parseIPv4(text: string): Uint8Array | undefined {
  const n = ipv4Number(text);
  if (n < 0) return undefined;
  const out = new Uint8Array(4);
  out[0] = n >>> 24;
  out[1] = (n >>> 16) & 255;
  out[2] = (n >>> 8) & 255;
  out[3] = n & 255;
  return out;
}

/**
 * A dotted-quad IPv4 address as a number (the address in network order read as an unsigned
 * integer: '10.0.0.1' → 0x0a000001), or -1 if it is not one (same rules as {@link parseIPv4}).
 * A character loop without split or regular expressions: it runs once per address in every
 * request that carries one (bench: write/route-10k).
 */
export function ipv4Number(text: string): number {
  const len = text.length;
  if (len < 7 || len > 15) return -1;
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return -1; // a leading zero
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return n * 256 + part;
}

/** Bytes of an IPv6 address in any RFC 4291 text form (with optional embedded IPv4); undefined if malformed. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined;
  let head = text;
  let v4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) >= 0) {
    v4 = parseIPv4(text.slice(lastColon + 1));
    if (!v4) return undefined;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl >= 0 && head.indexOf('::', dbl + 1) >= 0) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let words: number[];
  if (dbl >= 0) {
    const a = parseGroups(head.slice(0, dbl));
    const b = parseGroups(head.slice(dbl + 2));
    if (!a || !b || a.length + b.length > 7) return undefined;
    words = [...a, ...new Array<number>(8 - a.length - b.length).fill(0), ...b];
  } else {
    const a = parseGroups(head);
    if (!a || a.length !== 8) return undefined;
    words = a;
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

/** Bytes of an IPv4 or IPv6 address; undefined if it is neither. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIPv6(text) : parseIPv4(text);
}

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/**
 * The string in `len` bytes at `off`, up to the first NUL. Below 32 bytes of ASCII a plain loop
 * beats TextDecoder (interface and kind names are short); above, or on non-ASCII, TextDecoder.
 */
export function readCString(bytes: Uint8Array, off: number, len: number): string {
  let end = off;
  const limit = off + len;
  while (end < limit && bytes[end] !== 0) end++;
  if (end - off <= 32) {
    let s = '';
    for (let i = off; i < end; i++) {
      const c = bytes[i]!;
      if (c >= 0x80) return utf8.decode(bytes.subarray(off, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(bytes.subarray(off, end));
}

/** UTF-8 bytes of a string. */
export function encodeUtf8(text: string): Uint8Array {
  return utf8Encoder.encode(text);
}

/** UTF-8 decoding of bytes (for text that is not NUL-terminated). */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
