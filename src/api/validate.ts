/**
 * Checks of user input before anything is sent: interface names, addresses with prefixes,
 * link-layer addresses, integers in range. Each failure is an {@link ArgumentError} that names
 * the argument and says what is wrong.
 *
 * @example
 * ```ts
 * checkIfname('veth0');                  // ok
 * parseCidr('10.123.1.1/24', 'address'); // { family: 2, address: '10.123.1.1', prefixlen: 24, bytes: Uint8Array(4) }
 * parseCidr('10.123.1.1/33', 'address'); // throws: invalid address "10.123.1.1/33": prefix length must be 0..32
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import { formatIp, parseIPv4, parseIPv6, parseMac } from '../netlink/bytes.js';

/** AF_INET. */
export const AF_INET = 2;
/** AF_INET6. */
export const AF_INET6 = 10;
/** AF_BRIDGE. */
export const AF_BRIDGE = 7;
/** AF_UNSPEC. */
export const AF_UNSPEC = 0;

/** IFNAMSIZ - 1: the longest interface name. */
export const IFNAME_MAX = 15;

/**
 * Checks an interface name the way the kernel's dev_valid_name does (and iproute2's check_ifname):
 * 1..15 bytes, not '.' or '..', no '/', ':' , whitespace or NUL.
 */
export function checkIfname(name: unknown, argument = 'name'): string {
  if (typeof name !== 'string' || name.length === 0) throw new ArgumentError(argument, name, 'an interface name must be a non-empty string');
  const bytes = Buffer.byteLength(name);
  if (bytes > IFNAME_MAX) throw new ArgumentError(argument, name, `an interface name must be at most ${IFNAME_MAX} bytes (it has ${bytes})`);
  if (name === '.' || name === '..') throw new ArgumentError(argument, name, 'an interface name must not be "." or ".."');
  if (/[/:\s\0]/.test(name)) throw new ArgumentError(argument, name, 'an interface name must not contain "/", ":", whitespace or NUL');
  return name;
}

/** An address with its prefix length. */
export interface Cidr {
  /** AF_INET (2) or AF_INET6 (10). */
  family: number;
  /** The address in canonical text. */
  address: string;
  /** The prefix length (32/128 when none was given). */
  prefixlen: number;
  /** The address bytes. */
  bytes: Uint8Array;
  /** Whether the text had an explicit '/len'. */
  explicitPrefix: boolean;
}

/**
 * Parses `ADDR[/LEN]` (IPv4 or IPv6). Without /LEN the prefix is the full length.
 * `ip`'s shorthand forms are accepted: 'default' / 'all' / 'any' (0.0.0.0/0 or ::/0 by `family`).
 */
export function parseCidr(text: unknown, argument = 'address', family?: number): Cidr {
  if (typeof text !== 'string' || text.length === 0) throw new ArgumentError(argument, text, 'expected an address like 10.123.0.1/24 or fd00:123::1/64');
  if (text === 'default' || text === 'all' || text === 'any') {
    const v6 = family === AF_INET6;
    return { family: v6 ? AF_INET6 : AF_INET, address: v6 ? '::' : '0.0.0.0', prefixlen: 0, bytes: new Uint8Array(v6 ? 16 : 4), explicitPrefix: true };
  }
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const isV6 = addr.includes(':');
  const bytes = isV6 ? parseIPv6(addr) : parseIPv4(addr);
  if (!bytes) throw new ArgumentError(argument, text, `${JSON.stringify(addr)} is not an IPv${isV6 ? 6 : 4} address`);
  const max = isV6 ? 128 : 32;
  let prefixlen = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) throw new ArgumentError(argument, text, `prefix length must be 0..${max}`);
    prefixlen = Number(p);
  }
  const fam = isV6 ? AF_INET6 : AF_INET;
  if (family !== undefined && family !== AF_UNSPEC && family !== fam) throw new ArgumentError(argument, text, `expected an IPv${family === AF_INET6 ? 6 : 4} address`);
  return { family: fam, address: formatIp(bytes)!, prefixlen, bytes, explicitPrefix: slash >= 0 };
}

/** Parses an address without prefix (IPv4 or IPv6), optionally of a required family. */
export function parseAddress(text: unknown, argument = 'address', family?: number): Cidr {
  const c = parseCidr(text, argument, family);
  if (c.explicitPrefix && typeof text === 'string' && text.includes('/')) throw new ArgumentError(argument, text, 'expected an address without a prefix length');
  return c;
}

/** Parses a link-layer address 'aa:bb:cc:dd:ee:ff' (6 bytes unless `length` says otherwise). */
export function parseLladdr(text: unknown, argument = 'address', length: number | undefined = 6): string {
  const b = typeof text === 'string' ? parseMac(text) : undefined;
  if (!b || b.length === 0 || (length !== undefined && b.length !== length)) {
    throw new ArgumentError(argument, text, `expected a link-layer address like 02:00:00:00:00:01${length ? ` (${length} bytes)` : ''}`);
  }
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Checks an integer in [min, max]. */
export function checkInt(value: unknown, argument: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ArgumentError(argument, value, `must be an integer in ${min}..${max}`);
  }
  return value;
}

/**
 * Checks that an options object has only known keys (so a misspelt option is an error, not
 * silently ignored).
 */
export function checkKeys(options: object, known: readonly string[], argument: string): void {
  for (const k of Object.keys(options)) {
    if (!known.includes(k)) throw new ArgumentError(argument, k, `unknown option (known: ${known.join(', ')})`);
  }
}
