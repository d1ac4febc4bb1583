/**
 * What every link kind module provides, and the option readers they share.
 *
 * A kind module (veth.ts, bridge.ts, vxlan.ts, ...) turns the kind options of `nl.link.add()`
 * (and of `nl.link.set(dev, { type, ... })`) into the attributes of IFLA_INFO_DATA, and the decoded
 * IFLA_INFO_DATA of a dump back into a typed `info` object. Checking happens in two steps so that
 * bad input never reaches the kernel: {@link KindDef.prepare} checks every option synchronously
 * (throwing an {@link ArgumentError} that names the option) and returns a builder; only then does
 * the builder run, resolving device names to indexes and namespace names to fds.
 *
 * @example
 * ```ts
 * const build = bridge.prepare({ stp: true, forwardDelay: 4 }, 'bridge', 'add'); // checks
 * await build?.(ctx); // { stp_state: 1, forward_delay: 400 }
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import type { NetnsRef } from '../netns-ref.js';
import { checkNetnsName } from '../netns-ref.js';
import { AF_INET, AF_INET6, checkIfname, checkInt, parseAddress, parseLladdr } from '../validate.js';

/** Attributes as the codec takes them (keys are attribute names, see protocol/README.md). */
export type Attrs = Record<string, unknown>;

/** Whether options build a new link (`ip link add`) or change one (`ip link set ... type KIND`). */
export type KindMode = 'add' | 'set';

/** What a kind's data builder may ask of the API while it builds IFLA_INFO_DATA. */
export interface KindContext {
  /** `add` or `set`. */
  readonly mode: KindMode;
  /** The index of a device in the handle's namespace (ENODEV `Cannot find device "x"`). */
  ifindex(dev: string | number, argument: string): Promise<number>;
  /**
   * Attributes that move a device into a namespace: `{ net_ns_pid }` for `{ pid }` (as
   * `ip link ... netns PID` sends it), else `{ net_ns_fd }` with an fd opened now and closed
   * after the request.
   */
  netns(ref: NetnsRef, argument: string): Attrs;
  /**
   * The device's current IFLA_INFO_DATA (decoded), for kinds whose change request must repeat
   * every parameter (the IP tunnels: iproute2 reads them first, as this does). Only in `set`.
   */
  current(): Promise<Attrs | undefined>;
  /** Registers work to do once the link exists (in `add`, after the kernel acknowledged it). */
  after(task: (api: FollowUpApi) => Promise<void>): void;
}

/** What a follow-up task (see {@link KindContext.after}) may do. */
export interface FollowUpApi {
  /** Brings device `dev` up: in the handle's namespace, or in `netns` through a handle opened there. */
  setUp(dev: string, netns: NetnsRef | undefined): Promise<void>;
}

/** Builds IFLA_INFO_DATA once the options were checked; undefined leaves IFLA_INFO_DATA out. */
export type DataBuilder = (ctx: KindContext) => Promise<Attrs | undefined>;

/** Index → name, for info fields that hold an ifindex (undefined when the name is unknown). */
export type NameOf = (index: number) => string | undefined;

/**
 * One link kind (or a family of kinds sharing IFLA_INFO_DATA, like macvlan/macvtap).
 *
 * @example
 * ```ts
 * const def: KindDef<IfbInfo> = { kinds: ['ifb'], options: [], prepare: () => undefined, info: () => ({ kind: 'ifb' }) };
 * ```
 */
export interface KindDef<I extends { kind: string } = { kind: string }> {
  /** The IFLA_INFO_KIND values it handles. */
  readonly kinds: readonly string[];
  /** Its option keys in `nl.link.add()` (beside the common ones). */
  readonly options: readonly string[];
  /** Common options `add` requires for this kind (e.g. `link` for macvlan and vlan). */
  readonly requires?: readonly string[];
  /** Why `add` cannot create it (tun/tap: the kernel refuses RTM_NEWLINK for them). */
  readonly notCreatable?: string;
  /**
   * Checks the kind options (throws {@link ArgumentError} naming the option) and returns the
   * builder of IFLA_INFO_DATA, or undefined when the request carries no IFLA_INFO_DATA.
   */
  prepare(options: Readonly<Record<string, unknown>>, kind: string, mode: KindMode): DataBuilder | undefined;
  /** The typed view of a decoded IFLA_INFO_DATA (undefined when the kernel sent none). */
  info(data: Attrs | undefined, kind: string): I;
  /** Fills the name fields of `info` that refer to other devices by index. */
  resolve?(info: I, nameOf: NameOf): void;
}

/** Decoded IFLA_INFO_DATA as an attribute object (the codec gives hex text for unknown kinds). */
export function dataOf(data: unknown): Attrs {
  return data !== null && typeof data === 'object' ? (data as Attrs) : {};
}

// ---------------------------------------------------------------------------------------------
// Option readers: undefined when the option is absent, else the checked value.

/** A boolean option. */
export function optBool(o: Readonly<Record<string, unknown>>, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ArgumentError(key, v, 'must be true or false');
  return v;
}

/** An integer option in [min, max]. */
export function optInt(o: Readonly<Record<string, unknown>>, key: string, min: number, max: number): number | undefined {
  const v = o[key];
  return v === undefined ? undefined : checkInt(v, key, min, max);
}

/**
 * A time option given in seconds (fractions allowed, to the hundredth) and sent in centiseconds
 * (clock_t, USER_HZ = 100), as the bridge's times are on the wire.
 */
export function optSeconds(o: Readonly<Record<string, unknown>>, key: string, maxCentiseconds: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ArgumentError(key, v, 'must be a number of seconds >= 0');
  const cs = Math.round(v * 100);
  if (Math.abs(cs - v * 100) > 1e-6) throw new ArgumentError(key, v, 'must be a multiple of 0.01 seconds (the kernel counts hundredths)');
  if (cs > maxCentiseconds) throw new ArgumentError(key, v, `must be at most ${maxCentiseconds / 100} seconds`);
  return cs;
}

/** Seconds of a centisecond (clock_t) value from the kernel. */
export function seconds(cs: unknown): number | undefined {
  if (typeof cs === 'number') return cs / 100;
  if (typeof cs === 'bigint') return Number(cs) / 100;
  return undefined;
}

/** One of the names of `table` (its value is returned). */
export function optEnum(o: Readonly<Record<string, unknown>>, key: string, table: Readonly<Record<string, number>>): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !Object.prototype.hasOwnProperty.call(table, v)) {
    throw new ArgumentError(key, v, `must be one of ${Object.keys(table).map((k) => JSON.stringify(k)).join(', ')}`);
  }
  return table[v]!;
}

/** The name of `value` in `table`, or undefined. */
export function enumName(table: Readonly<Record<string, number>>, value: unknown): string | undefined {
  if (typeof value !== 'number') return undefined;
  for (const [k, n] of Object.entries(table)) if (n === value) return k;
  return undefined;
}

/** An IP address option (no prefix): its canonical text and family. `'any'` is the zero address. */
export function optIp(o: Readonly<Record<string, unknown>>, key: string, family?: number): { address: string; family: number } | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === 'any') return { address: family === AF_INET6 ? '::' : '0.0.0.0', family: family === AF_INET6 ? AF_INET6 : AF_INET };
  const a = parseAddress(v, key, family);
  return { address: a.address, family: a.family };
}

/** A link-layer (MAC) address option, 6 bytes. */
export function optMac(o: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = o[key];
  return v === undefined ? undefined : parseLladdr(v, key);
}

/** A device option: an interface name or an index. */
export function optDev(o: Readonly<Record<string, unknown>>, key: string): string | number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  return checkDev(v, key);
}

/** Checks a device reference: an interface name (checked like `name`) or a positive index. */
export function checkDev(v: unknown, argument: string): string | number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v <= 0 || v > 0x7fffffff) throw new ArgumentError(argument, v, 'an interface index must be a positive integer');
    return v;
  }
  return checkIfname(v, argument);
}

/**
 * Checks the shape of a namespace reference without opening anything: a name under /run/netns,
 * `{ name }`, `{ path }`, `{ fd }` or `{ pid }`.
 */
export function checkNetnsRef(v: unknown, argument: string): NetnsRef {
  const bad = (why: string): never => {
    throw new ArgumentError(argument, v, why);
  };
  if (typeof v === 'string') {
    checkNetnsName(v, argument);
    return v;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return bad('expected a namespace name, { name }, { path }, { fd } or { pid }');
  const keys = Object.keys(v);
  if (keys.length !== 1) return bad('expected exactly one of name, path, fd, pid');
  const r = v as Record<string, unknown>;
  if ('name' in r) {
    if (typeof r['name'] !== 'string') return bad('name must be a string');
    checkNetnsName(r['name'], argument);
    return { name: r['name'] };
  }
  if ('path' in r) {
    if (typeof r['path'] !== 'string' || r['path'].length === 0 || r['path'].includes('\0')) return bad('path must be a non-empty string');
    return { path: r['path'] };
  }
  if ('fd' in r) {
    if (typeof r['fd'] !== 'number' || !Number.isInteger(r['fd']) || r['fd'] < 0) return bad('fd must be a non-negative integer');
    return { fd: r['fd'] };
  }
  if ('pid' in r) {
    if (typeof r['pid'] !== 'number' || !Number.isInteger(r['pid']) || r['pid'] <= 0) return bad('pid must be a positive integer');
    return { pid: r['pid'] };
  }
  return bad('expected one of name, path, fd, pid');
}

/** A TTL option: 0..255, or 'inherit' (sent as 0 by the IP tunnels, as iproute2 does). */
export function optTtl(o: Readonly<Record<string, unknown>>, key = 'ttl'): number | 'inherit' | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === 'inherit') return 'inherit';
  return checkInt(v, key, 0, 255);
}

/** A TOS option: 0..255, or 'inherit' (1 on the wire, as iproute2 sends it). */
export function optTos(o: Readonly<Record<string, unknown>>, key = 'tos'): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (v === 'inherit') return 1;
  return checkInt(v, key, 0, 255);
}

/** True for a u8/u32 0/1 attribute that is set, false when 0, undefined when absent. */
export function bool(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true) return true;
  return typeof v === 'number' ? v !== 0 : undefined;
}

/** A number attribute, or undefined. */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** A string attribute, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Whether an IPv4/IPv6 address text is all zero (the kernel's "unset"). */
export function isZeroIp(a: string | undefined): boolean {
  return a === undefined || a === '0.0.0.0' || a === '::';
}

/** Whether an IPv4/IPv6 address text is multicast (224.0.0.0/4, ff00::/8). */
export function isMulticastIp(a: string): boolean {
  if (a.includes(':')) return /^ff/i.test(a);
  const first = Number(a.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** The numeric value of an IPv4 address text (for GRE keys given as dotted quads). */
export function ipv4Number(a: string): number {
  const p = a.split('.').map(Number);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

/** Tunnel encapsulation (FOU/GUE) options shared by ipip, sit and gre. */
export interface EncapOptions {
  /** `encap fou|gue|none`. Default: none. */
  type?: 'none' | 'fou' | 'gue';
  /** `encap-sport PORT`; 0 = auto. Default: 0. */
  sport?: number;
  /** `encap-dport PORT`. Default: 0. */
  dport?: number;
  /** `encap-csum`. Default: false. */
  csum?: boolean;
  /** `encap-udp6-csum`. Default: false. */
  csum6?: boolean;
  /** `encap-remcsum`. Default: false. */
  remcsum?: boolean;
}

/** Encapsulation as read back. */
export interface EncapInfo {
  type: 'none' | 'fou' | 'gue' | 'mpls' | number;
  sport: number;
  dport: number;
  csum: boolean;
  csum6: boolean;
  remcsum: boolean;
}

const ENCAP_TYPES: Readonly<Record<string, number>> = { none: 0, fou: 1, gue: 2 };

/** Checks `encap` and returns the wire values (type, flags, sport, dport), zeros by default. */
export function optEncap(o: Readonly<Record<string, unknown>>, key = 'encap'): { type: number; flags: number; sport: number; dport: number } {
  const v = o[key];
  if (v === undefined) return { type: 0, flags: 0, sport: 0, dport: 0 };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ArgumentError(key, v, 'expected { type, sport, dport, csum, csum6, remcsum }');
  const e = v as Record<string, unknown>;
  for (const k of Object.keys(e)) {
    if (!['type', 'sport', 'dport', 'csum', 'csum6', 'remcsum'].includes(k)) throw new ArgumentError(`${key}.${k}`, e[k], 'unknown option (known: type, sport, dport, csum, csum6, remcsum)');
  }
  const type = optEnum(e, 'type', ENCAP_TYPES) ?? 0;
  const flags = (optBool(e, 'csum') ? 1 : 0) | (optBool(e, 'csum6') ? 2 : 0) | (optBool(e, 'remcsum') ? 4 : 0);
  return { type, flags, sport: optInt(e, 'sport', 0, 65535) ?? 0, dport: optInt(e, 'dport', 0, 65535) ?? 0 };
}

/** Encapsulation as read back from IFLA_*_ENCAP_*; undefined when the kernel sent none. */
export function encapInfo(type: unknown, flags: unknown, sport: unknown, dport: unknown): EncapInfo | undefined {
  if (type === undefined) return undefined;
  const t = num(type) ?? 0;
  const f = num(flags) ?? 0;
  return {
    type: t === 0 ? 'none' : t === 1 ? 'fou' : t === 2 ? 'gue' : t === 3 ? 'mpls' : t,
    sport: num(sport) ?? 0,
    dport: num(dport) ?? 0,
    csum: (f & 1) !== 0,
    csum6: (f & 2) !== 0,
    remcsum: (f & 4) !== 0,
  };
}

export { AF_INET, AF_INET6 };
