/**
 * IPv4/IPv6 address arithmetic for the mock kernel: prefixes, containment, the FIB's ordering.
 * Addresses travel as text (as nlkit decodes them) and are turned into bytes here.
 * @module
 */
import { formatIp, parseIp } from '../../netlink/bytes.js';

/** Bytes of an address, or undefined when the text is not an IPv4/IPv6 address. */
export function ipBytes(text: unknown): Uint8Array | undefined {
  return typeof text === 'string' ? parseIp(text) : undefined;
}

/** Canonical text of address bytes. */
export function ipText(bytes: Uint8Array): string {
  return formatIp(bytes) ?? '';
}

/** Address family (2 or 10) of address text, or undefined. */
export function familyOf(text: string): 2 | 10 | undefined {
  const b = ipBytes(text);
  return b === undefined ? undefined : b.length === 4 ? 2 : 10;
}

/** The first `len` bits of `addr`, the rest zero. */
export function prefix(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(addr.length);
  for (let i = 0; i < addr.length; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    out[i] = addr[i]! & (0xff << (8 - bits)) & 0xff;
  }
  return out;
}

/** `addr` with all bits after the first `len` set (the IPv4 broadcast of a subnet). */
export function lastAddress(addr: Uint8Array, len: number): Uint8Array {
  const out = new Uint8Array(addr.length);
  for (let i = 0; i < addr.length; i++) {
    const bits = Math.max(0, Math.min(8, len - i * 8));
    out[i] = (addr[i]! | (0xff >> bits)) & 0xff;
  }
  return out;
}

/** Whether the first `len` bits of `a` and `b` are equal. */
export function samePrefix(a: Uint8Array, b: Uint8Array, len: number): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length && i * 8 < len; i++) {
    const bits = Math.min(8, len - i * 8);
    const mask = (0xff << (8 - bits)) & 0xff;
    if ((a[i]! & mask) !== (b[i]! & mask)) return false;
  }
  return true;
}

/** Whether address text `a` equals `b` (after canonicalisation). */
export function sameIp(a: unknown, b: unknown): boolean {
  const x = ipBytes(a);
  const y = ipBytes(b);
  return x !== undefined && y !== undefined && Buffer.compare(x, y) === 0;
}

/** Compares two addresses as unsigned big-endian numbers. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * The order of the IPv6 FIB tree walk: by address bits, and where one prefix contains the other
 * the longer (deeper in the tree) first.
 */
export function compareFib6(a: Uint8Array, alen: number, b: Uint8Array, blen: number): number {
  const n = Math.min(alen, blen);
  for (let bit = 0; bit < n; bit++) {
    const x = (a[bit >> 3]! >> (7 - (bit & 7))) & 1;
    const y = (b[bit >> 3]! >> (7 - (bit & 7))) & 1;
    if (x !== y) return x - y;
  }
  return blen - alen;
}

/** The modified EUI-64 link-local address of a 6-byte MAC (fe80::/64). */
export function eui64LinkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const ll = new Uint8Array(16);
  ll[0] = 0xfe;
  ll[1] = 0x80;
  ll[8] = (b[0] ?? 0) ^ 2;
  ll[9] = b[1] ?? 0;
  ll[10] = b[2] ?? 0;
  ll[11] = 0xff;
  ll[12] = 0xfe;
  ll[13] = b[3] ?? 0;
  ll[14] = b[4] ?? 0;
  ll[15] = b[5] ?? 0;
  return ipText(ll);
}
