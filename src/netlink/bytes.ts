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

/** Dotted quad of the 4 bytes at `off`. */
export function formatIPv4(bytes: Uint8Array, off = 0): string {
  return `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`;
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
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
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
