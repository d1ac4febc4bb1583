/**
 * Values as nf_tables carries them: interface names padded to IFNAMSIZ, addresses and prefixes,
 * ports in network order, protocol and conntrack-state names, nft's data types of set keys, reject
 * codes. Pure functions over bytes; no protocol framing.
 *
 * @example
 * ```ts
 * ifnameBytes('br0');              // 16 bytes: 62 72 30 00 …
 * parsePrefix('10.123.1.0/24');    // { bytes: 0a7b0100, len: 24, family: 'ip' }
 * l4protoNumber('tcp');            // 6
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import { formatIp, fromHex, parseIPv4, parseIPv6, toHex } from '../netlink/bytes.js';

/**
 * IFNAMSIZ: interface names are compared as 16 bytes, NUL-padded.
 *
 * @example
 * ```ts
 * ifnameBytes('br0').length === IFNAMSIZ; // true
 * ```
 */
export const IFNAMSIZ = 16;

/**
 * The 16 NUL-padded bytes nft compares an interface name with.
 *
 * @example
 * ```ts
 * toHex(ifnameBytes('lo')); // '6c6f0000000000000000000000000000'
 * ```
 */
export function ifnameBytes(name: string): Uint8Array {
  const out = new Uint8Array(IFNAMSIZ);
  if (name.length === 0 || name.length >= IFNAMSIZ || !/^[\x21-\x7e]+$/.test(name)) {
    throw new ArgumentError('interface name', name, `must be 1-${IFNAMSIZ - 1} printable ASCII characters`);
  }
  for (let i = 0; i < name.length; i++) out[i] = name.charCodeAt(i);
  return out;
}

/**
 * The text of NUL-padded name bytes (stops at the first NUL).
 *
 * @example
 * ```ts
 * ifnameText(ifnameBytes('br0')); // 'br0'
 * ```
 */
export function ifnameText(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0) break;
    s += String.fromCharCode(b);
  }
  return s;
}

/**
 * An address family of a match or NAT target, as nft names it.
 *
 * @example
 * ```ts
 * parsePrefix('fd00::/8').family; // 'ip6'
 * ```
 */
export type AddrFamily = 'ip' | 'ip6';

/**
 * An address or prefix, parsed.
 *
 * @example
 * ```ts
 * const p: Prefix = parsePrefix('10.123.0.0/16'); // { family: 'ip', bytes, len: 16 }
 * ```
 */
export interface Prefix {
  family: AddrFamily;
  /** The address bytes (4 or 16), host bits cleared. */
  bytes: Uint8Array;
  /** Prefix length in bits (32 or 128 for a single address). */
  len: number;
}

/**
 * Parses `ADDR` or `ADDR/LEN` (IPv4 or IPv6). Host bits must be zero, as nft requires.
 *
 * @example
 * ```ts
 * parsePrefix('fd00:123::/48').len; // 48
 * ```
 */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseIPv4(addr);
  const bytes = v4 ?? (addr.includes(':') ? parseIPv6(addr) : undefined);
  if (!bytes) throw new ArgumentError('address', text, 'is not an IPv4 or IPv6 address (or ADDR/LEN prefix)');
  const max = bytes.length * 8;
  let len = max;
  if (slash >= 0) {
    const l = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(l) || Number(l) > max) throw new ArgumentError('address', text, `prefix length must be 0-${max}`);
    len = Number(l);
  }
  for (let bit = len; bit < max; bit++) {
    if (bytes[bit >> 3]! & (0x80 >> (bit & 7))) throw new ArgumentError('address', text, 'has host bits set beyond the prefix length');
  }
  return { family: v4 ? 'ip' : 'ip6', bytes, len };
}

/**
 * Text of address bytes (4 or 16 bytes).
 *
 * @example
 * ```ts
 * addrText(new Uint8Array([10, 123, 0, 1])); // '10.123.0.1'
 * ```
 */
export function addrText(bytes: Uint8Array): string {
  return formatIp(bytes) ?? toHex(bytes);
}

/**
 * A mask of `len` leading one bits over `size` bytes.
 *
 * @example
 * ```ts
 * prefixMask(20, 4); // ff ff f0 00
 * ```
 */
export function prefixMask(len: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let bit = 0; bit < len; bit++) out[bit >> 3]! |= 0x80 >> (bit & 7);
  return out;
}

/**
 * The prefix length of a mask of leading ones, or undefined if the mask is not one.
 *
 * @example
 * ```ts
 * maskPrefixLen(new Uint8Array([255, 255, 240, 0])); // 20
 * ```
 */
export function maskPrefixLen(mask: Uint8Array): number | undefined {
  let len = 0;
  while (len < mask.length * 8 && mask[len >> 3]! & (0x80 >> (len & 7))) len++;
  for (let bit = len; bit < mask.length * 8; bit++) if (mask[bit >> 3]! & (0x80 >> (bit & 7))) return undefined;
  return len;
}

/**
 * A port number in network order (2 bytes).
 *
 * @example
 * ```ts
 * portBytes(443); // 01 bb
 * ```
 */
export function portBytes(port: number): Uint8Array {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ArgumentError('port', port, 'must be an integer 0-65535');
  return new Uint8Array([port >> 8, port & 0xff]);
}

/**
 * Bytes of a hex string from a decoded attribute (empty when absent or malformed).
 *
 * @example
 * ```ts
 * hexBytes('0a7b'); // 0a 7b
 * ```
 */
export function hexBytes(hex: unknown): Uint8Array {
  return (typeof hex === 'string' ? fromHex(hex) : undefined) ?? new Uint8Array(0);
}

/**
 * The number in big-endian bytes (up to 6 bytes).
 *
 * @example
 * ```ts
 * beNumber(new Uint8Array([1, 187])); // 443
 * ```
 */
export function beNumber(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n = n * 256 + b;
  return n;
}

/**
 * The number in little-endian (host order on the machines nlkit runs on) bytes, up to 6 bytes.
 *
 * @example
 * ```ts
 * leNumber(new Uint8Array([6, 0, 0, 0])); // 6
 * ```
 */
export function leNumber(bytes: Uint8Array): number {
  let n = 0;
  for (let i = bytes.length - 1; i >= 0; i--) n = n * 256 + bytes[i]!;
  return n;
}

/**
 * A u32 in host (little-endian) order.
 *
 * @example
 * ```ts
 * u32le(6); // 06 00 00 00
 * ```
 */
export function u32le(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new ArgumentError('value', n, 'must be an integer 0-4294967295');
  return new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24]);
}

/**
 * Layer 4 protocol names as nft prints them (/etc/protocols), with their numbers.
 *
 * @example
 * ```ts
 * L4PROTOS.udp; // 17
 * ```
 */
export const L4PROTOS = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  dccp: 33,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  sctp: 132,
  udplite: 136,
} as const;

/**
 * A layer 4 protocol: a name nft knows (`icmpv6` is accepted for `ipv6-icmp`) or a number.
 *
 * @example
 * ```ts
 * const p: L4Proto[] = ['tcp', 'icmpv6', 47];
 * ```
 */
export type L4Proto = keyof typeof L4PROTOS | 'icmpv6' | number;

/**
 * The IP protocol number of a name or number.
 *
 * @example
 * ```ts
 * l4protoNumber('udp'); // 17
 * ```
 */
export function l4protoNumber(p: L4Proto): number {
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < 0 || p > 255) throw new ArgumentError('protocol', p, 'must be 0-255');
    return p;
  }
  if (p === 'icmpv6') return 58;
  const n = (L4PROTOS as Record<string, number>)[p];
  if (n === undefined) throw new ArgumentError('protocol', p, `is not one of ${Object.keys(L4PROTOS).join(', ')} (or a number)`);
  return n;
}

/**
 * The name nft prints for an IP protocol number, or the number.
 *
 * @example
 * ```ts
 * l4protoName(58); // 'ipv6-icmp'
 * ```
 */
export function l4protoName(n: number): L4Proto {
  for (const [k, v] of Object.entries(L4PROTOS)) if (v === n) return k as L4Proto;
  return n;
}

/**
 * Conntrack states and their bits (NF_CT_STATE_*_BIT: invalid 1, established 2, related 4, new 8, untracked 64).
 *
 * @example
 * ```ts
 * CT_STATES.established; // 2
 * ```
 */
export const CT_STATES = { invalid: 1, established: 2, related: 4, new: 8, untracked: 64 } as const;

/**
 * A conntrack state name.
 *
 * @example
 * ```ts
 * const s: CtState[] = ['established', 'related'];
 * ```
 */
export type CtState = keyof typeof CT_STATES;

/**
 * The bits of a list of conntrack states.
 *
 * @example
 * ```ts
 * ctStateBits(['established', 'related']); // 6
 * ```
 */
export function ctStateBits(states: readonly CtState[]): number {
  if (states.length === 0) throw new ArgumentError('ct state', states, 'needs at least one state');
  let bits = 0;
  for (const s of states) {
    const b = (CT_STATES as Record<string, number>)[s];
    if (b === undefined) throw new ArgumentError('ct state', s, `is not one of ${Object.keys(CT_STATES).join(', ')}`);
    bits |= b;
  }
  return bits;
}

/**
 * The conntrack state names of bits (in nft's order); undefined if a bit has no name.
 *
 * @example
 * ```ts
 * ctStateNames(6); // ['established', 'related']
 * ```
 */
export function ctStateNames(bits: number): CtState[] | undefined {
  const out: CtState[] = [];
  let rest = bits;
  for (const [k, v] of Object.entries(CT_STATES)) {
    if (bits & v) {
      out.push(k as CtState);
      rest &= ~v;
    }
  }
  return rest === 0 ? out : undefined;
}

/**
 * nft's data types of set keys and map values that nlkit handles: the number nft stores in
 * NFTA_SET_KEY_TYPE / NFTA_SET_DATA_TYPE, the length in bytes, and the byte order nft records in
 * the set's user data (1 host, 2 network).
 *
 * @example
 * ```ts
 * DATATYPES.ipv4_addr; // { id: 7, len: 4, order: 2 }
 * ```
 */
export const DATATYPES = {
  ipv4_addr: { id: 7, len: 4, order: 2 },
  ipv6_addr: { id: 8, len: 16, order: 2 },
  ether_addr: { id: 9, len: 6, order: 2 },
  inet_proto: { id: 12, len: 1, order: 0 },
  inet_service: { id: 13, len: 2, order: 2 },
  mark: { id: 19, len: 4, order: 1 },
  ifname: { id: 41, len: 16, order: 1 },
} as const;

/**
 * A set key type (or map value type).
 *
 * @example
 * ```ts
 * const t: DataType = 'inet_service';
 * ```
 */
export type DataType = keyof typeof DATATYPES;

/**
 * The data type of a key type number, if nlkit knows it.
 *
 * @example
 * ```ts
 * dataTypeOf(13); // 'inet_service'
 * ```
 */
export function dataTypeOf(id: number): DataType | undefined {
  for (const [k, v] of Object.entries(DATATYPES)) if (v.id === id) return k as DataType;
  return undefined;
}

/**
 * A set element key or map value: text for addresses and names, numbers for ports, marks, protocols.
 *
 * @example
 * ```ts
 * const v: ElementValue[] = ['10.123.0.1', 443];
 * ```
 */
export type ElementValue = string | number;

/**
 * The bytes of a value of data type `t`.
 *
 * @example
 * ```ts
 * valueBytes('inet_service', 443); // 01 bb
 * ```
 */
export function valueBytes(t: DataType, v: ElementValue): Uint8Array {
  switch (t) {
    case 'ipv4_addr':
    case 'ipv6_addr': {
      const b = typeof v === 'string' ? (t === 'ipv4_addr' ? parseIPv4(v) : parseIPv6(v)) : undefined;
      if (!b) throw new ArgumentError(t, v, `is not an ${t === 'ipv4_addr' ? 'IPv4' : 'IPv6'} address`);
      return b;
    }
    case 'ether_addr': {
      const b = typeof v === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(v) ? fromHex(v.replace(/:/g, '')) : undefined;
      if (!b) throw new ArgumentError(t, v, 'is not a colon-hex MAC address');
      return b;
    }
    case 'inet_proto':
      return new Uint8Array([l4protoNumber(v as L4Proto)]);
    case 'inet_service':
      return portBytes(typeof v === 'string' ? Number(v) : v);
    case 'mark':
      return u32le(typeof v === 'string' ? Number(v) : v);
    case 'ifname':
      if (typeof v !== 'string') throw new ArgumentError(t, v, 'must be a string');
      return ifnameBytes(v);
  }
}

/**
 * The value of data type `t` in `bytes` (the inverse of {@link valueBytes}).
 *
 * @example
 * ```ts
 * valueOf('inet_service', new Uint8Array([0, 80])); // 80
 * ```
 */
export function valueOf(t: DataType, bytes: Uint8Array): ElementValue {
  switch (t) {
    case 'ipv4_addr':
    case 'ipv6_addr':
      return addrText(bytes);
    case 'ether_addr':
      return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
    case 'inet_proto': {
      const p = l4protoName(bytes[0] ?? 0);
      return p;
    }
    case 'inet_service':
      return beNumber(bytes);
    case 'mark':
      return leNumber(bytes);
    case 'ifname':
      return ifnameText(bytes);
  }
}

/**
 * nft's user data of a set: the key (and data) byte order, as TLVs (NFTNL_UDATA_SET_*).
 *
 * @example
 * ```ts
 * setUserdata('inet_service'); // '000402000000' (key byte order: network)
 * ```
 */
export function setUserdata(key: DataType, data?: DataType | 'verdict'): string {
  const tlv = (type: number, v: number) => toHex(new Uint8Array([type, 4, v & 0xff, 0, 0, 0]));
  let out = tlv(0, DATATYPES[key].order);
  if (data !== undefined) out += tlv(1, data === 'verdict' ? 0 : DATATYPES[data].order) + tlv(6, 0);
  return out;
}

/**
 * ICMP reject codes by nft's names, per reject type.
 *
 * @example
 * ```ts
 * REJECT_CODES.icmpx['admin-prohibited']; // 3
 * ```
 */
export const REJECT_CODES = {
  icmp: { 'net-unreachable': 0, 'host-unreachable': 1, 'prot-unreachable': 2, 'port-unreachable': 3, 'net-prohibited': 9, 'host-prohibited': 10, 'admin-prohibited': 13 },
  icmpv6: { 'no-route': 0, 'admin-prohibited': 1, 'addr-unreachable': 3, 'port-unreachable': 4, 'policy-fail': 5, 'reject-route': 6 },
  icmpx: { 'no-route': 0, 'port-unreachable': 1, 'host-unreachable': 2, 'admin-prohibited': 3 },
} as const;

/**
 * Syslog levels of the log statement, by nft's names (NFT_LOGLEVEL_*).
 *
 * @example
 * ```ts
 * LOG_LEVELS.info; // 6
 * ```
 */
export const LOG_LEVELS = { emerg: 0, alert: 1, crit: 2, err: 3, warn: 4, notice: 5, info: 6, debug: 7, audit: 8 } as const;

/**
 * A log level name.
 *
 * @example
 * ```ts
 * const l: LogLevel = 'info';
 * ```
 */
export type LogLevel = keyof typeof LOG_LEVELS;

/**
 * The name of a value in a table of names, or undefined.
 *
 * @example
 * ```ts
 * nameOf(LOG_LEVELS, 6); // 'info'
 * ```
 */
export function nameOf<T extends Record<string, number>>(table: T, v: number): (keyof T & string) | undefined {
  for (const [k, x] of Object.entries(table)) if (x === v) return k;
  return undefined;
}
