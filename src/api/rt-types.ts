/**
 * What the `ip addr`, `ip route`, `ip neigh`, `bridge fdb` and `ip rule` APIs share: address
 * families, the names iproute2 gives to scopes, tables, route protocols and types, flag words
 * turned into name lists, option checks, and a {@link Listing} that resolves interface indexes
 * to names before it converts a dump.
 *
 * Names come from the rtnetlink spec's enums (protocol/route/common.json), spelt as iproute2
 * spells them where it differs (scope 0 is `global`, not `universe`).
 *
 * @example
 * ```ts
 * parseTable('main', 'table');  // 254
 * tableName(254);               // 'main'
 * scopeName(253);               // 'link'
 * flagNames('ifa-flags', 0x280); // ['permanent', 'noprefixroute']
 * ```
 * @module
 */
import { ArgumentError, isNetlinkError } from '../netlink/errors.js';
import type { DumpStream } from '../netlink/client.js';
import { readCString } from '../netlink/bytes.js';
import type { DecodeContext, Protocol } from '../netlink/codec.js';
import { flagNames as messageFlagNames, type Message } from '../netlink/message.js';
import { routeProtocolDef } from '../rtnetlink/index.js';
import { Listing, ListingIterator } from './listing.js';
import type { Netlink } from './netlink.js';
import { AF_INET, AF_INET6, checkIfname, checkInt, parseCidr, type Cidr } from './validate.js';

/** An address family as iproute2 names it in `ip -j` output. */
export type Family = 'inet' | 'inet6';

/**
 * An address family given by the caller: `'inet'`/`'inet6'`, `4`/`6`, or the AF_INET (2) /
 * AF_INET6 (10) numbers.
 */
export type FamilyArg = Family | 4 | 6 | typeof AF_INET | typeof AF_INET6;

/** The AF_* number of a {@link FamilyArg}; throws an ArgumentError naming `argument`. */
export function parseFamily(value: unknown, argument = 'family'): number {
  switch (value) {
    case 'inet':
    case 4:
    case AF_INET:
      return AF_INET;
    case 'inet6':
    case 6:
    case AF_INET6:
      return AF_INET6;
    default:
      throw new ArgumentError(argument, value, "expected 'inet' or 'inet6' (or 4 / 6)");
  }
}

/** 'inet' / 'inet6' for AF_INET / AF_INET6, else the number. */
export function familyName(af: number): Family | number {
  return af === AF_INET ? 'inet' : af === AF_INET6 ? 'inet6' : af;
}

// ---------------------------------------------------------------------------------------------
// Enum and flag names from the spec

/** An enum of the spec, indexed both ways, and for flag enums the name of each of the 32 bits. */
interface EnumTable {
  readonly byValue: Map<number, string>;
  readonly byName: Map<string, number>;
  /** `bitNames[b]`: the name of bit `b` (value 2^b), or its hex ('0x4000') when the spec has none. */
  readonly bitNames: readonly string[];
}

const enumCache = new Map<string, EnumTable>();

function enumTable(name: string): EnumTable {
  let t = enumCache.get(name);
  if (!t) {
    const def = routeProtocolDef.enums[name];
    if (!def) throw new Error(`rtnetlink spec has no enum ${name}`);
    const byValue = new Map<number, string>();
    const byName = new Map<string, number>();
    for (const [n, v] of def.entries) {
      if (!byValue.has(v)) byValue.set(v, n);
      byName.set(n, v);
    }
    const bitNames: string[] = [];
    for (let b = 0; b < 32; b++) bitNames.push(byValue.get(2 ** b) ?? `0x${(2 ** b).toString(16)}`);
    t = { byValue, byName, bitNames };
    enumCache.set(name, t);
  }
  return t;
}

/** The spec's name of `value` in enum `enumName` (e.g. 'rt-proto', 3 → 'boot'), or undefined. */
export function enumName(enumName: string, value: number): string | undefined {
  return enumTable(enumName).byValue.get(value);
}

/** The value of `name` in enum `enumName`, or undefined. */
export function enumValue(enumName: string, name: string): number | undefined {
  return enumTable(enumName).byName.get(name);
}

/** The bit names of a flags enum of the spec, looked up once (for {@link pushFlagNames}). */
export interface FlagTable {
  /** `bitNames[b]`: the name of bit `b`, or its hex. */
  readonly bitNames: readonly string[];
}

/** The {@link FlagTable} of the flags enum `enumName`. */
export function flagTable(enumName: string): FlagTable {
  return enumTable(enumName);
}

/**
 * The names of the bits set in `bits`, by the flags enum `enumName` of the spec, in bit order;
 * bits the spec does not name come out as hex ('0x4000').
 */
export function flagNames(enumName: string, bits: number): string[] {
  const out: string[] = [];
  pushFlagNames(out, enumTable(enumName), bits);
  return out;
}

/**
 * Appends to `out` the names of the bits of `bits` (see {@link flagNames}). Visits only the set
 * bits, lowest first, by table (dump/route-100k api collect: the 32-step loop per flag word, two
 * words per route, was half of the conversion).
 */
export function pushFlagNames(out: string[], t: FlagTable, bits: number): void {
  if (bits === 0) return;
  if (!Number.isInteger(bits) || bits < -0x80000000 || bits > 0xffffffff) {
    // Not a 32-bit word: bit b is set when floor(bits / 2^b) is odd (for b < 32).
    for (let b = 0; b < 32; b++) if (Math.floor(bits / 2 ** b) % 2 !== 0) out.push(t.bitNames[b]!);
    return;
  }
  let rest = bits >>> 0;
  while (rest !== 0) {
    const low = (rest & -rest) >>> 0;
    out.push(t.bitNames[31 - Math.clz32(low)]!);
    rest = (rest ^ low) >>> 0;
  }
}

/** `flagNames(a, bitsA)` followed by `flagNames(b, bitsB)` in one list. */
export function flagNames2(enumA: string, bitsA: number, enumB: string, bitsB: number): string[] {
  const out: string[] = [];
  pushFlagNames(out, enumTable(enumA), bitsA);
  pushFlagNames(out, enumTable(enumB), bitsB);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Scopes (rt-scope): iproute2 calls RT_SCOPE_UNIVERSE 'global'.

/** A scope name as iproute2 prints and accepts it. */
export type ScopeName = 'global' | 'site' | 'link' | 'host' | 'nowhere';
/** A scope given by the caller: a name or a number 0..255. */
export type ScopeArg = ScopeName | 'universe' | number;

const SCOPES: Readonly<Record<string, number>> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** The RT_SCOPE_* number of a scope name or number. */
export function parseScope(value: unknown, argument = 'scope'): number {
  if (typeof value === 'number') return checkInt(value, argument, 0, 255);
  if (typeof value === 'string' && Object.hasOwn(SCOPES, value)) return SCOPES[value]!;
  throw new ArgumentError(argument, value, "expected 'global', 'site', 'link', 'host', 'nowhere' or a number 0..255");
}

/** The iproute2 name of a scope ('global', 'link', ...), or the number. */
export function scopeName(scope: number): ScopeName | number {
  switch (scope) {
    case 0:
      return 'global';
    case 200:
      return 'site';
    case 253:
      return 'link';
    case 254:
      return 'host';
    case 255:
      return 'nowhere';
    default:
      return scope;
  }
}

// ---------------------------------------------------------------------------------------------
// Routing tables

/** The reserved table names. */
export type TableName = 'main' | 'local' | 'default';
/** A routing table given by the caller: a reserved name or an id 1..4294967295. */
export type TableArg = TableName | number;

/** RT_TABLE_MAIN. */
export const RT_TABLE_MAIN = 254;

/** The id of a table name or number. `0` (RT_TABLE_UNSPEC) is refused: it is not a table. */
export function parseTable(value: unknown, argument = 'table'): number {
  if (value === 'main') return 254;
  if (value === 'local') return 255;
  if (value === 'default') return 253;
  if (typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
  if (typeof value === 'number') return checkInt(value, argument, 1, 0xffffffff);
  throw new ArgumentError(argument, value, "expected 'main', 'local', 'default' or a table id 1..4294967295");
}

/** 'main' / 'local' / 'default' for the reserved ids, else the number. */
export function tableName(id: number): TableName | number {
  return id === 254 ? 'main' : id === 255 ? 'local' : id === 253 ? 'default' : id;
}

// ---------------------------------------------------------------------------------------------
// Route protocols (rt-proto) and types (rt-type)

/** A route protocol given by the caller: a name of iproute2's table ('boot', 'static', 'kernel', 'dhcp', ...) or 0..255. */
export type ProtocolArg = string | number;

/** The RTPROT_* number of a protocol name or number. */
export function parseProtocol(value: unknown, argument = 'protocol'): number {
  if (typeof value === 'number') return checkInt(value, argument, 0, 255);
  if (typeof value === 'string') {
    const v = enumValue('rt-proto', value);
    if (v !== undefined) return v;
    if (/^\d+$/.test(value)) return checkInt(Number(value), argument, 0, 255);
  }
  const known = routeProtocolDef.enums['rt-proto']!.entries.map(([n]) => n).join(', ');
  throw new ArgumentError(argument, value, `expected a number 0..255 or one of ${known}`);
}

let rtProto: EnumTable | undefined;

/** The name of a route protocol ('kernel', 'boot', ...), or the number. */
export function protocolName(p: number): string | number {
  return (rtProto ??= enumTable('rt-proto')).byValue.get(p) ?? p;
}

/** Route types as iproute2 names them. */
export type RouteType =
  | 'unicast'
  | 'local'
  | 'broadcast'
  | 'anycast'
  | 'multicast'
  | 'blackhole'
  | 'unreachable'
  | 'prohibit'
  | 'throw'
  | 'nat'
  | 'xresolve';

/** The RTN_* number of a route type name. */
export function parseRouteType(value: unknown, argument = 'type'): number {
  const v = typeof value === 'string' && value !== 'unspec' ? enumValue('rt-type', value) : undefined;
  if (v === undefined) {
    throw new ArgumentError(argument, value, "expected 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat' or 'xresolve'");
  }
  return v;
}

let rtType: EnumTable | undefined;

/** The name of an RTN_* route type, or the number. */
export function routeTypeName(t: number): RouteType | number {
  return ((rtType ??= enumTable('rt-type')).byValue.get(t) as RouteType | undefined) ?? t;
}

// ---------------------------------------------------------------------------------------------
// Option checks

/** Throws unless `value` is a plain object (or undefined, when `optional`). */
export function checkObject(value: unknown, argument: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(argument, value, 'expected an object');
  }
  return value as Record<string, unknown>;
}

/** Throws unless `value` is a boolean. */
export function checkBool(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') throw new ArgumentError(argument, value, 'expected true or false');
  return value;
}

/** Throws unless `value` is an integer 0..2^32-1. */
export function checkU32(value: unknown, argument: string): number {
  return checkInt(value, argument, 0, 0xffffffff);
}

/** Throws unless `value` is a string. */
export function checkString(value: unknown, argument: string): string {
  if (typeof value !== 'string') throw new ArgumentError(argument, value, 'expected a string');
  return value;
}

/** Throws unless `dev` is an interface name (checked like the kernel does) or an index >= 1. */
export function checkDev(dev: unknown, argument = 'dev'): string | number {
  if (typeof dev === 'number') return checkInt(dev, argument, 1, 0x7fffffff);
  return checkIfname(dev, argument);
}

/**
 * Parses an address of a family that must match `family` when given, and says which argument
 * decided the family when it does not ("expected an IPv4 address like dst").
 */
export function parseInFamily(text: unknown, argument: string, family: number | undefined, why?: string): Cidr {
  const c = parseCidr(text, argument);
  if (family !== undefined && family !== 0 && c.family !== family) {
    throw new ArgumentError(argument, text, `expected an IPv${family === AF_INET6 ? 6 : 4} address${why ? ` (${why})` : ''}`);
  }
  return c;
}

/** Throws unless `text` is an address without a prefix length. */
export function parseHost(text: unknown, argument: string, family?: number, why?: string): Cidr {
  const c = parseInFamily(text, argument, family, why);
  if (c.explicitPrefix) throw new ArgumentError(argument, text, 'expected an address without a prefix length');
  return c;
}

/** `addr` or `addr/len`, without the length when it is the full host length (as iproute2 prints). */
export function formatPrefix(addr: string, len: number, family: number): string {
  return len === (family === AF_INET6 ? 128 : 32) ? addr : `${addr}/${len}`;
}

// ---------------------------------------------------------------------------------------------
// Interface names of a dump

/** RTEXT_FILTER_SKIP_STATS: links without statistics (a cheaper dump). */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** RTM_NEWLINK, the messages of the link dump. */
const RTM_NEWLINK = 16;
/** sizeof(struct ifinfomsg); ifi_index is the s32 at offset 4 of it. */
const IFINFOMSG_LEN = 16;
const IFLA_IFNAME = 3;
/** nla_type without NLA_F_NESTED / NLA_F_NET_BYTEORDER. */
const NLA_TYPE_MASK = 0x3fff;

/**
 * An RTM_NEWLINK reduced to what {@link linkNames} reads: the header's `index` and the
 * `ifname` attribute, the same values the full decoder gives them, read without decoding the
 * ~100 other attributes of a link (dump/route-100k api: the full decoding of the 2,001 links
 * of the link-name dump cost as much as converting the 100,000 routes). Anything else (another
 * type, a short header, a malformed or repeated attribute) is left to the full decoder.
 */
export function decodeLinkName(p: Protocol, ctx: DecodeContext, off: number, len: number): Message | undefined {
  const view = ctx.view;
  const type = view.getUint16(off + 4, true);
  if (type !== RTM_NEWLINK || len < 16 + IFINFOMSG_LEN) return undefined;
  const cm = p.compiled(type);
  if (cm === undefined) return undefined;
  const end = off + len;
  let ifname: string | undefined;
  for (let a = off + 16 + IFINFOMSG_LEN; end - a >= 4; a += (view.getUint16(a, true) + 3) & ~3) {
    const alen = view.getUint16(a, true);
    if (alen < 4 || a + alen > end) return undefined;
    if ((view.getUint16(a + 2, true) & NLA_TYPE_MASK) !== IFLA_IFNAME) continue;
    if (ifname !== undefined) return undefined; // repeated: the full decoder makes an array of it
    ifname = readCString(ctx.bytes, a + 4, alen - 4);
  }
  return {
    type: cm.name,
    flags: messageFlagNames(view.getUint16(off + 6, true), cm.op),
    seq: view.getUint32(off + 8, true),
    pid: view.getUint32(off + 12, true),
    header: { index: view.getInt32(off + 16 + 4, true) },
    attrs: ifname === undefined ? {} : { ifname },
  };
}

/** Interface index → name, read with one RTM_GETLINK dump (its messages reduced to index and name). */
export async function linkNames(nl: Netlink): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const msgs = await nl.client.dump({ type: 'RTM_GETLINK', header: {}, attrs: { ext_mask: RTEXT_FILTER_SKIP_STATS } }, { onInterrupt: 'retry', decode: decodeLinkName }).collect();
  for (const m of msgs) {
    const index = (m.header as { index?: number }).index;
    const name = (m.attrs as { ifname?: string }).ifname;
    if (index !== undefined && name !== undefined) names.set(index, name);
  }
  return names;
}

/** Options of a {@link NamedListing}. */
export interface NamedListingOptions {
  /** Runs before each listing (after the checks of the filter), e.g. to resolve a device name. */
  before?: () => Promise<void>;
  /**
   * A kernel error that means "nothing to list" for one dump (e.g. ENOENT "ipv6: FIB table does
   * not exist" when listing a table that has no IPv6 routes).
   */
  emptyOn?: (e: unknown) => boolean;
  /** Whether `convert` needs the interface names (one RTM_GETLINK dump first). Default: true. */
  names?: boolean;
}

/**
 * A {@link Listing} over one or more dumps (e.g. one per address family) whose converter needs
 * interface names: before each iteration it runs `before`, reads the index → name map (one
 * RTM_GETLINK dump) and hands it to `convert`. Dumps run one after the other.
 */
export class NamedListing<T> extends Listing<T> {
  private readonly nl: Netlink;
  private readonly sources: () => DumpStream[];
  private readonly convertNamed: (m: Message, names: ReadonlyMap<number, string>) => T | undefined;
  private readonly options: NamedListingOptions;

  constructor(
    nl: Netlink,
    sources: () => DumpStream[],
    convert: (m: Message, names: ReadonlyMap<number, string>) => T | undefined,
    options: NamedListingOptions = {},
  ) {
    super(
      () => {
        throw new Error('NamedListing: use its iterator or collect()');
      },
      () => undefined,
    );
    this.nl = nl;
    this.sources = sources;
    this.convertNamed = convert;
    this.options = options;
  }

  private async prepare(): Promise<ReadonlyMap<number, string>> {
    if (this.options.before) await this.options.before();
    return this.options.names === false ? new Map() : linkNames(this.nl);
  }

  override [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ListingIterator<T, ReadonlyMap<number, string>>(
      () => this.prepare(),
      () => this.sources(),
      (names) => (m) => this.convertNamed(m, names),
      this.options.emptyOn,
    );
  }

  override async collect(): Promise<T[]> {
    const names = await this.prepare();
    const out: T[] = [];
    for (const stream of this.sources()) {
      let msgs: Message[];
      try {
        msgs = await stream.collect();
      } catch (e) {
        if (this.options.emptyOn?.(e)) continue;
        throw e;
      }
      for (const m of msgs) {
        const v = this.convertNamed(m, names);
        if (v !== undefined) out.push(v);
      }
    }
    return out;
  }
}

/** The families a listing dumps: the one asked for, else IPv4 then IPv6. */
export function dumpFamilies(family: number): number[] {
  return family === 0 ? [AF_INET, AF_INET6] : [family];
}

/** Whether `e` is a kernel error with errno name `code`. */
export function isErrno(e: unknown, ...codes: string[]): boolean {
  return isNetlinkError(e) && codes.includes(e.code);
}
