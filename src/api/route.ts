/**
 * `ip route`: IPv4 and IPv6 routes in any table (RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE),
 * with iproute2's defaults (`ip route add` is NLM_F_CREATE|NLM_F_EXCL, protocol boot, table
 * main, type unicast, scope universe — link for a unicast IPv4 route without a gateway), route
 * lookups like `ip route get`, and listings filtered by the kernel (strict checking: table,
 * device, protocol and type travel in the dump request).
 *
 * @example
 * ```ts
 * await nl.route.add({ dst: '10.123.5.0/24', gateway: '10.123.1.2' });   // ip route add 10.123.5.0/24 via 10.123.1.2
 * await nl.route.add({ dst: 'default', gateway: '10.123.1.254' });       // ip route add default via 10.123.1.254
 * const r = await nl.route.get('10.123.5.9');                            // ip route get 10.123.5.9
 * const t100 = await nl.route.list({ table: 100 }).collect();            // ip route show table 100
 * await nl.route.del({ dst: '10.123.5.0/24' });                          // ip route del 10.123.5.0/24
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import { decodeFlatMessage, type Message } from '../netlink/message.js';
import type { Listing } from './listing.js';
import type { Netlink } from './netlink.js';
import { ifindex, ifname } from './resolve.js';
import { AF_INET, AF_INET6, checkInt, checkKeys, parseCidr, type Cidr } from './validate.js';
import {
  checkBool,
  checkDev,
  checkObject,
  checkString,
  checkU32,
  dumpFamilies,
  enumName,
  type Family,
  type FamilyArg,
  familyName,
  flagNames,
  type FlagTable,
  flagTable,
  formatPrefix,
  pushFlagNames,
  isErrno,
  NamedListing,
  parseFamily,
  parseHost,
  parseProtocol,
  parseRouteType,
  parseScope,
  parseTable,
  type ProtocolArg,
  protocolName,
  type RouteType,
  routeTypeName,
  RT_TABLE_MAIN,
  type ScopeArg,
  type ScopeName,
  scopeName,
  type TableArg,
  type TableName,
  tableName,
} from './rt-types.js';

const RTN_UNSPEC = 0;
const RTN_UNICAST = 1;
const RTN_LOCAL = 2;
const RTN_BROADCAST = 3;
const RTN_ANYCAST = 4;
const RTN_MULTICAST = 5;
const RTN_NAT = 10;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_HOST = 254;
const RT_SCOPE_NOWHERE = 255;
const RTPROT_BOOT = 3;
const RTNH_F_ONLINK = 4;
const RTM_F_LOOKUP_TABLE = 0x1000;
const RTM_F_FIB_MATCH = 0x2000;
/** USER_HZ: the unit of rta_cacheinfo.rta_expires (clock_t). */
const USER_HZ = 100;

/** Route metrics (RTA_METRICS) by their option name: [RTAX_* attribute key, RTAX_* number, scale]. */
const METRICS = {
  mtu: ['mtu', 2, 1],
  window: ['window', 3, 1],
  rtt: ['rtt', 4, 8],
  rttvar: ['rttvar', 5, 4],
  ssthresh: ['ssthresh', 6, 1],
  cwnd: ['cwnd', 7, 1],
  advmss: ['advmss', 8, 1],
  reordering: ['reordering', 9, 1],
  hoplimit: ['hoplimit', 10, 1],
  initcwnd: ['initcwnd', 11, 1],
  features: ['features', 12, 1],
  rtoMin: ['rto_min', 13, 1],
  initrwnd: ['initrwnd', 14, 1],
  quickack: ['quickack', 15, 1],
  congctl: ['cc_algo', 16, 1],
  fastopenNoCookie: ['fastopen_no_cookie', 17, 1],
} as const;

/** The name of a route metric, as options and {@link RouteMetrics} spell it. */
export type MetricName = keyof typeof METRICS;

/** Route metrics (`ip route add ... mtu 1400 advmss 1360 ...`). Times are in milliseconds. */
export interface MetricOptions {
  /** `mtu`: path MTU. */
  mtu?: number;
  /** `window`: maximal TCP window to advertise. */
  window?: number;
  /** `rtt` in ms: initial RTT estimate. */
  rtt?: number;
  /** `rttvar` in ms: initial RTT variance estimate. */
  rttvar?: number;
  /** `ssthresh`: initial slow start threshold. */
  ssthresh?: number;
  /** `cwnd`: clamp of the congestion window (needs the lock). */
  cwnd?: number;
  /** `advmss`: MSS to advertise. */
  advmss?: number;
  /** `reordering`: maximal reordering. */
  reordering?: number;
  /** `hoplimit`: hop limit / TTL of packets. */
  hoplimit?: number;
  /** `initcwnd`: initial congestion window. */
  initcwnd?: number;
  /** `features`: RTAX_FEATURE_* bits (1 = ecn). */
  features?: number;
  /** `rto_min` in ms: minimal TCP retransmission timeout (always locked, as iproute2 does). */
  rtoMin?: number;
  /** `initrwnd`: initial receive window. */
  initrwnd?: number;
  /** `quickack`: TCP quick ack. */
  quickack?: boolean | 0 | 1;
  /** `congctl`: TCP congestion control algorithm ('cubic', 'reno', ...). */
  congctl?: string;
  /** `fastopen_no_cookie`: TCP fast open without cookie. */
  fastopenNoCookie?: boolean | 0 | 1;
  /** Metrics to lock (`mtu lock 1400`): the kernel will not change them from path MTU discovery etc. */
  lock?: MetricName[];
}

/** One next hop of a multipath route (`nexthop via ADDR dev NAME weight N onlink`). */
export interface NexthopSpec {
  /** Gateway of the route's family. */
  gateway?: string;
  /** Gateway of another family (RTA_VIA), e.g. an IPv6 next hop of an IPv4 route; of the same family it is the gateway. */
  via?: string;
  /** Output interface. */
  dev?: string | number;
  /** Weight 1..256. Default: 1. */
  weight?: number;
  /** Pretend the gateway is directly attached (RTNH_F_ONLINK). */
  onlink?: boolean;
}

/**
 * A route, as `ip route add|replace|del` take it. For `del` only `dst` is needed; every other
 * field narrows which route is deleted.
 */
export interface RouteSpec extends MetricOptions {
  /** Destination prefix ('10.123.5.0/24', 'fd00:123:5::/64', a host address, or 'default'). */
  dst: string;
  /** Address family, needed only for 'default' without a gateway. Default: that of dst / gateway, else 'inet'. */
  family?: FamilyArg;
  /** Gateway of the same family as dst (`via ADDR`). */
  gateway?: string;
  /** Gateway of another family (`via inet6 ADDR`, RTA_VIA); of the same family it is the gateway. */
  via?: string;
  /** Output interface (`dev NAME`), a name or an index. */
  dev?: string | number;
  /** Preferred source address (`src ADDR`, RTA_PREFSRC). */
  src?: string;
  /** Source prefix (`from PREFIX`, RTA_SRC; IPv6 source-specific routes). */
  from?: string;
  /** Table: 'main', 'local', 'default' or an id. Default: 'main'. */
  table?: TableArg;
  /** Route metric / priority (`metric N`). */
  metric?: number;
  /** Scope. Default: iproute2's (see the module doc). */
  scope?: ScopeArg;
  /** Routing protocol (`proto NAME|N`). Default: 'boot' for add/replace, any for del. */
  protocol?: ProtocolArg;
  /** Route type. Default: 'unicast' for add/replace, any for del. */
  type?: RouteType;
  /** TOS / DSCP selector. */
  tos?: number;
  /** Pretend the gateway is directly attached (`onlink`). */
  onlink?: boolean;
  /** IPv6 router preference (`pref low|medium|high`). */
  pref?: 'low' | 'medium' | 'high';
  /** Multipath next hops (`nexthop ... nexthop ...`). */
  nexthops?: NexthopSpec[];
  /** Use the nexthop object with this id (`nhid N`). */
  nhid?: number;
  /** IPv6 route lifetime in seconds (`expires N`). */
  expires?: number;
}

const METRIC_KEYS = [...Object.keys(METRICS), 'lock'];
const ROUTE_KEYS = [
  'dst',
  'family',
  'gateway',
  'via',
  'dev',
  'src',
  'from',
  'table',
  'metric',
  'scope',
  'protocol',
  'type',
  'tos',
  'onlink',
  'pref',
  'nexthops',
  'nhid',
  'expires',
  ...METRIC_KEYS,
];
const NEXTHOP_KEYS = ['gateway', 'via', 'dev', 'weight', 'onlink'];

/** Options of {@link RouteApi.get}, named after `ip route get`'s keywords. */
export interface RouteGetOptions {
  /** Source address (`from ADDR`). */
  from?: string;
  /** Input interface (`iif NAME`): look up as if the packet came in there. */
  iif?: string | number;
  /** Output interface (`oif NAME`). */
  oif?: string | number;
  /** Firewall mark (`mark N`). */
  mark?: number;
  /** TOS (`tos N`). */
  tos?: number;
  /** UID (`uid N`). */
  uid?: number;
  /** IP protocol number (`ipproto N`). */
  ipproto?: number;
  /** Source port (`sport N`). */
  sport?: number;
  /** Destination port (`dport N`). */
  dport?: number;
  /** Return the FIB entry that matched instead of the resulting route (`fibmatch`). */
  fibmatch?: boolean;
}
const GET_KEYS = ['from', 'iif', 'oif', 'mark', 'tos', 'uid', 'ipproto', 'sport', 'dport', 'fibmatch'];

/** What {@link RouteApi.list} selects. */
export interface RouteFilter {
  /** Table id or name, or 'all'. Default: 'main' (like `ip route show`). Filtered by the kernel. */
  table?: TableArg | 'all';
  /** Only IPv4 or IPv6 routes. Default: both (`ip route show` + `ip -6 route show`). */
  family?: FamilyArg;
  /** Only routes through this interface (filtered by the kernel, RTA_OIF). */
  dev?: string | number;
  /** Only routes of this protocol (filtered by the kernel). */
  protocol?: ProtocolArg;
  /** Only routes of this type (filtered by the kernel). */
  type?: RouteType;
  /** Only the route(s) with exactly this destination prefix ('default' too), like `ip route show PREFIX`. */
  dst?: string;
  /** Only routes of this scope. */
  scope?: ScopeArg;
}
const FILTER_KEYS = ['table', 'family', 'dev', 'protocol', 'type', 'dst', 'scope'];

/** Route metrics as listed (times in ms; `lock` names the locked ones). */
export interface RouteMetrics {
  mtu?: number;
  window?: number;
  rtt?: number;
  rttvar?: number;
  ssthresh?: number;
  cwnd?: number;
  advmss?: number;
  reordering?: number;
  hoplimit?: number;
  initcwnd?: number;
  features?: number;
  rtoMin?: number;
  initrwnd?: number;
  quickack?: number;
  congctl?: string;
  fastopenNoCookie?: number;
  /** Metrics locked against changes by the kernel. */
  lock?: MetricName[];
}

/** One next hop of a listed multipath route. */
export interface RouteNexthop {
  /** Gateway (RTA_GATEWAY). */
  gateway: string | undefined;
  /** Gateway of another family (RTA_VIA). */
  via: { family: Family | number; address: string } | undefined;
  /** Output interface name. */
  dev: string | undefined;
  /** Output interface index. */
  ifindex: number;
  /** Weight (1..256). */
  weight: number;
  /** RTNH_F_* names: 'dead', 'pervasive', 'onlink', 'offload', 'linkdown', 'unresolved', 'trap'. */
  flags: string[];
}

/** A route, as `ip -j route show` describes it. */
export interface Route {
  /** 'inet' or 'inet6'. */
  family: Family;
  /** 'unicast', 'local', 'blackhole', ... */
  type: RouteType | number;
  /** 'default', or the destination prefix (host routes without '/32' / '/128', as ip prints them). */
  dst: string;
  /** Destination prefix length. */
  dstLen: number;
  /** Source prefix (RTA_SRC, `from`). */
  from: string | undefined;
  /** Gateway. */
  gateway: string | undefined;
  /** Gateway of another family (RTA_VIA). */
  via: { family: Family | number; address: string } | undefined;
  /** Output interface name. */
  dev: string | undefined;
  /** Output interface index. */
  oif: number | undefined;
  /** Input interface name (answers of `get` with `iif`). */
  iif: string | undefined;
  /** Preferred source address (RTA_PREFSRC). */
  prefsrc: string | undefined;
  /** 'main', 'local', 'default' or the table id. */
  table: TableName | number;
  /** 'kernel', 'boot', 'static', ... or the number. */
  protocol: string | number;
  /** 'global', 'link', 'host', ... */
  scope: ScopeName | number;
  /** Metric (RTA_PRIORITY). */
  metric: number | undefined;
  /** TOS. */
  tos: number;
  /** RTNH_F_* and RTM_F_* names ('onlink', 'linkdown', 'cloned', 'offload', ...). */
  flags: string[];
  /** Metrics (RTA_METRICS). */
  metrics: RouteMetrics | undefined;
  /** Next hops of a multipath route. */
  nexthops: RouteNexthop[] | undefined;
  /** Nexthop object id. */
  nhid: number | undefined;
  /** IPv6 router preference. */
  pref: 'low' | 'medium' | 'high' | 'invalid' | undefined;
  /** Seconds until an expiring (IPv6) route expires. */
  expires: number | undefined;
  /** The UID of a `get` answer. */
  uid: number | undefined;
  /** The message as decoded. */
  raw: Message;
}

interface RtHeader {
  family?: number;
  dst_len?: number;
  src_len?: number;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
  flags?: number;
}

interface RtAttrs {
  dst?: string;
  src?: string;
  iif?: number;
  oif?: number;
  gateway?: string;
  priority?: number;
  prefsrc?: string;
  metrics?: Record<string, number | string | undefined>;
  multipath?: Array<{ flags: number; hops: number; ifindex: number; attrs: { gateway?: string; via?: { family: number; addr: string } } }>;
  table?: number;
  via?: { family: number; addr: string };
  pref?: number;
  expires?: number;
  cacheinfo?: { expires?: number };
  uid?: number;
  nh_id?: number;
}

let rtnhFlags: FlagTable | undefined;
let rtmFlags: FlagTable | undefined;

/** RTNH_F_* names of the low byte, then RTM_F_* names of the upper bits (tables looked up once: dump/route-100k api). */
function routeFlags(bits: number): string[] {
  const out: string[] = [];
  const low = bits & 0xff;
  pushFlagNames(out, (rtnhFlags ??= flagTable('rtnh-flags')), low);
  pushFlagNames(out, (rtmFlags ??= flagTable('rtm-flags')), bits - low);
  return out;
}

function convertVia(v: { family: number; addr: string } | undefined): { family: Family | number; address: string } | undefined {
  return v === undefined ? undefined : { family: familyName(v.family), address: v.addr };
}

/** {@link METRICS} as a list, in its order (computed once). */
const METRIC_LIST = Object.entries(METRICS) as Array<[MetricName, readonly [string, number, number]]>;

function convertMetrics(m: Record<string, number | string | undefined> | undefined): RouteMetrics | undefined {
  if (m === undefined) return undefined;
  const out: Record<string, unknown> = {};
  const lockBits = typeof m['lock'] === 'number' ? m['lock'] : 0;
  const lock: MetricName[] = [];
  for (const [name, [key, rtax, scale]] of METRIC_LIST) {
    const v = m[key];
    if (v !== undefined) out[name] = typeof v === 'number' && scale !== 1 ? Math.trunc(v / scale) : v;
    if (Math.floor(lockBits / 2 ** rtax) % 2 === 1) lock.push(name);
  }
  if (lock.length > 0) out['lock'] = lock;
  return out as RouteMetrics;
}

/**
 * The typed {@link Route} of an RTM_NEWROUTE message (undefined for families other than
 * IPv4/IPv6), given the interface names by index; what `ip -j route show` prints for one route.
 *
 * @example
 * ```ts
 * const [m] = decodeMessages(bytes);          // an RTM_NEWROUTE from a dump or a monitor
 * toRoute(m, new Map([[3, 'veth0']]))?.dst;   // '10.123.5.0/24'
 * ```
 */
export function toRoute(m: Message, names: ReadonlyMap<number, string> = new Map()): Route | undefined {
  const h = m.header as RtHeader;
  const a = m.attrs as RtAttrs;
  const af = h.family ?? 0;
  const family = familyName(af);
  if (typeof family !== 'string') return undefined;
  const dstLen = h.dst_len ?? 0;
  const pref = a.pref === undefined ? undefined : (enumName('icmpv6-router-pref', a.pref) as Route['pref']);
  const expiresClock = a.cacheinfo?.expires ?? 0;
  return {
    family,
    type: routeTypeName(h.type ?? 0),
    dst: a.dst === undefined && dstLen === 0 ? 'default' : formatPrefix(a.dst ?? (af === AF_INET6 ? '::' : '0.0.0.0'), dstLen, af),
    dstLen,
    from: a.src === undefined ? undefined : formatPrefix(a.src, h.src_len ?? 0, af),
    gateway: a.gateway,
    via: convertVia(a.via),
    dev: a.oif === undefined ? undefined : names.get(a.oif),
    oif: a.oif,
    iif: a.iif === undefined ? undefined : names.get(a.iif),
    prefsrc: a.prefsrc,
    table: tableName(a.table ?? h.table ?? 0),
    protocol: protocolName(h.protocol ?? 0),
    scope: scopeName(h.scope ?? 0),
    metric: a.priority,
    tos: h.tos ?? 0,
    flags: routeFlags(h.flags ?? 0),
    metrics: convertMetrics(a.metrics),
    nexthops: a.multipath?.map((nh) => ({
      gateway: nh.attrs.gateway,
      via: convertVia(nh.attrs.via),
      dev: names.get(nh.ifindex),
      ifindex: nh.ifindex,
      weight: nh.hops + 1,
      flags: flagNames('rtnh-flags', nh.flags),
    })),
    nhid: a.nh_id,
    pref,
    expires: expiresClock !== 0 ? Math.trunc(expiresClock / USER_HZ) : undefined,
    uid: a.uid,
    raw: m,
  };
}

/** A request whose interface names are still to be resolved. */
interface Built {
  header: Record<string, number>;
  attrs: Record<string, unknown>;
  /** Devices to resolve, each with where its index goes. */
  devs: Array<{ dev: string | number; set: (index: number) => void }>;
}

const PREFS: Readonly<Record<string, number>> = { medium: 0, high: 1, low: 3 };

function parseMetrics(o: Record<string, unknown>): Record<string, unknown> | undefined {
  const metrics: Record<string, unknown> = {};
  let any = false;
  for (const [name, [key, , scale]] of METRIC_LIST) {
    const v = o[name];
    if (v === undefined) continue;
    any = true;
    if (name === 'congctl') {
      const s = checkString(v, name);
      if (!/^[a-z0-9_-]{1,15}$/i.test(s)) throw new ArgumentError(name, v, 'expected a congestion control algorithm name like "cubic"');
      metrics[key] = s;
    } else if (name === 'quickack' || name === 'fastopenNoCookie') {
      metrics[key] = typeof v === 'boolean' ? Number(v) : checkInt(v, name, 0, 1);
    } else {
      const n = checkU32(v, name);
      if (n * scale > 0xffffffff) throw new ArgumentError(name, v, `must be at most ${Math.floor(0xffffffff / scale)}`);
      metrics[key] = n * scale;
    }
  }
  // iproute2 always locks rto_min: the kernel honours RTAX_RTO_MIN only when it is locked.
  if (o['rtoMin'] !== undefined) metrics['lock'] = 2 ** METRICS.rtoMin[1];
  if (o['lock'] !== undefined) {
    const lock = o['lock'];
    if (!Array.isArray(lock)) throw new ArgumentError('lock', lock, 'expected a list of metric names, e.g. ["mtu"]');
    let bits = (metrics['lock'] as number | undefined) ?? 0;
    for (const l of lock) {
      if (typeof l !== 'string' || !Object.hasOwn(METRICS, l)) throw new ArgumentError('lock', l, `expected one of ${Object.keys(METRICS).join(', ')}`);
      if (o[l] === undefined) throw new ArgumentError('lock', l, `locks a metric that is not given (set ${l} too)`);
      bits |= 2 ** METRICS[l as MetricName][1];
    }
    if (bits !== 0) {
      metrics['lock'] = bits;
      any = true;
    }
  }
  return any ? metrics : undefined;
}

/**
 * Checks a route and builds its request, iproute2-style. `op` 'del' changes the defaults as
 * `ip route del` does (protocol, type unspec; scope nowhere for IPv4 unicast).
 */
function buildRoute(spec: unknown, op: 'add' | 'del'): Built {
  const o = checkObject(spec, 'route');
  checkKeys(o, ROUTE_KEYS, 'route');
  if (o['dst'] === undefined) throw new ArgumentError('dst', undefined, "a route needs a destination (a prefix or 'default')");
  const familyOpt = o['family'] === undefined ? undefined : parseFamily(o['family']);
  const isDefault = o['dst'] === 'default';
  let dst: Cidr | undefined;
  if (!isDefault) {
    dst = parseCidr(o['dst'], 'dst');
    if (familyOpt !== undefined && dst.family !== familyOpt) throw new ArgumentError('dst', o['dst'], `expected an IPv${familyOpt === AF_INET6 ? 6 : 4} address (family)`);
  }
  // The route's family: dst's, else the family option, else the gateway's / via's / first next hop's, else IPv4.
  let family = dst?.family ?? familyOpt;
  if (family === undefined) {
    const hint = o['gateway'] ?? o['via'] ?? (Array.isArray(o['nexthops']) ? (o['nexthops'][0] as NexthopSpec | undefined)?.gateway : undefined);
    family = typeof hint === 'string' && hint.includes(':') ? AF_INET6 : AF_INET;
  }
  const v6 = family === AF_INET6;
  const why = isDefault ? 'the family of the route' : 'the family of dst';
  const attrs: Record<string, unknown> = {};
  const devs: Built['devs'] = [];
  if (dst) attrs['dst'] = dst.address;
  // Like `ip -4|-6 route add default`: with the family given, the zero address goes along.
  else if (familyOpt !== undefined) attrs['dst'] = familyOpt === AF_INET6 ? '::' : '0.0.0.0';

  let srcLen = 0;
  if (o['from'] !== undefined) {
    const from = parseCidr(o['from'], 'from');
    if (from.family !== family) throw new ArgumentError('from', o['from'], `expected an IPv${v6 ? 6 : 4} prefix (${why})`);
    attrs['src'] = from.address;
    srcLen = from.prefixlen;
  }

  let gwOk = false;
  if (o['gateway'] !== undefined && o['via'] !== undefined) throw new ArgumentError('via', o['via'], 'give either gateway or via (use nexthops for several next hops)');
  if (o['gateway'] !== undefined) {
    const gw = parseCidr(o['gateway'], 'gateway');
    if (gw.explicitPrefix) throw new ArgumentError('gateway', o['gateway'], 'expected an address without a prefix length');
    if (gw.family !== family) {
      throw new ArgumentError('gateway', o['gateway'], `expected an IPv${v6 ? 6 : 4} address (${why}); use via for a gateway of another family`);
    }
    attrs['gateway'] = gw.address;
    gwOk = true;
  }
  if (o['via'] !== undefined) {
    const via = parseHost(o['via'], 'via');
    if (via.family === family) attrs['gateway'] = via.address;
    else attrs['via'] = { family: via.family, addr: via.address };
    gwOk = true;
  }
  if (o['src'] !== undefined) attrs['prefsrc'] = parseHost(o['src'], 'src', family, why).address;
  if (o['dev'] !== undefined) {
    const dev = checkDev(o['dev']);
    devs.push({ dev, set: (i) => (attrs['oif'] = i) });
  }
  if (o['metric'] !== undefined) attrs['priority'] = checkU32(o['metric'], 'metric');

  let table = RT_TABLE_MAIN;
  if (o['table'] !== undefined) table = parseTable(o['table']);
  if (table >= 256) attrs['table'] = table;

  const metrics = parseMetrics(o);
  if (metrics) attrs['metrics'] = metrics;

  if (o['pref'] !== undefined) {
    if (typeof o['pref'] !== 'string' || !Object.hasOwn(PREFS, o['pref'])) throw new ArgumentError('pref', o['pref'], "expected 'low', 'medium' or 'high'");
    if (!v6) throw new ArgumentError('pref', o['pref'], 'a router preference applies to IPv6 routes only');
    attrs['pref'] = PREFS[o['pref']];
  }
  if (o['expires'] !== undefined) {
    const e = checkU32(o['expires'], 'expires');
    if (!v6) throw new ArgumentError('expires', o['expires'], 'expires applies to IPv6 routes only');
    attrs['expires'] = e;
  }

  let nhsOk = false;
  if (o['nexthops'] !== undefined) {
    const nhs = o['nexthops'];
    if (!Array.isArray(nhs) || nhs.length === 0) throw new ArgumentError('nexthops', nhs, 'expected a non-empty list of next hops');
    if (gwOk) throw new ArgumentError('nexthops', nhs, 'give either a gateway or nexthops');
    const out = nhs.map((nh: unknown, i: number) => {
      const arg = `nexthops[${i}]`;
      const n = checkObject(nh, arg);
      checkKeys(n, NEXTHOP_KEYS, arg);
      const nattrs: Record<string, unknown> = {};
      if (n['gateway'] !== undefined && n['via'] !== undefined) throw new ArgumentError(`${arg}.via`, n['via'], 'give either gateway or via');
      if (n['gateway'] !== undefined) {
        const gw = parseHost(n['gateway'], `${arg}.gateway`);
        if (gw.family !== family) throw new ArgumentError(`${arg}.gateway`, n['gateway'], `expected an IPv${v6 ? 6 : 4} address (${why}); use via for a gateway of another family`);
        nattrs['gateway'] = gw.address;
      }
      if (n['via'] !== undefined) {
        const via = parseHost(n['via'], `${arg}.via`);
        if (via.family === family) nattrs['gateway'] = via.address;
        else nattrs['via'] = { family: via.family, addr: via.address };
      }
      const weight = n['weight'] === undefined ? 1 : checkInt(n['weight'], `${arg}.weight`, 1, 256);
      const onlink = n['onlink'] === undefined ? false : checkBool(n['onlink'], `${arg}.onlink`);
      const entry = { flags: onlink ? RTNH_F_ONLINK : 0, hops: weight - 1, ifindex: 0, attrs: nattrs };
      if (n['dev'] !== undefined) {
        const dev = checkDev(n['dev'], `${arg}.dev`);
        devs.push({ dev, set: (idx) => (entry.ifindex = idx) });
      }
      return entry;
    });
    attrs['multipath'] = out;
    nhsOk = true;
  }
  let nhid = false;
  if (o['nhid'] !== undefined) {
    if (gwOk || nhsOk) throw new ArgumentError('nhid', o['nhid'], 'a nexthop object id excludes gateway, via and nexthops');
    attrs['nh_id'] = checkInt(o['nhid'], 'nhid', 1, 0xffffffff);
    nhid = true;
  }

  let type = op === 'del' ? RTN_UNSPEC : RTN_UNICAST;
  if (o['type'] !== undefined) type = parseRouteType(o['type']);
  let protocol = op === 'del' ? 0 : RTPROT_BOOT;
  if (o['protocol'] !== undefined) protocol = parseProtocol(o['protocol']);
  let flags = 0;
  if (o['onlink'] !== undefined && checkBool(o['onlink'], 'onlink')) flags |= RTNH_F_ONLINK;
  const tos = o['tos'] === undefined ? 0 : checkInt(o['tos'], 'tos', 0, 255);

  // iproute2's scope rules (ip/iproute.c, iproute_modify).
  let scope = op === 'del' ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
  if (o['scope'] !== undefined) scope = parseScope(o['scope']);
  else if (v6) scope = RT_SCOPE_UNIVERSE;
  else if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
  else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) scope = RT_SCOPE_LINK;
  else if (type === RTN_UNICAST || type === RTN_UNSPEC) {
    if (op === 'del') scope = RT_SCOPE_NOWHERE;
    else if (!gwOk && !nhsOk && !nhid) scope = RT_SCOPE_LINK;
  }

  return {
    header: {
      family,
      dst_len: dst?.prefixlen ?? 0,
      src_len: srcLen,
      tos,
      table: table < 256 ? table : 0,
      protocol,
      scope,
      type,
      flags,
    },
    attrs,
    devs,
  };
}

/** Checks a list filter; returns what the dump request and the client-side match need. */
function parseFilter(filter: unknown): {
  family: number;
  table: number | undefined;
  dev: string | number | undefined;
  protocol: number;
  type: number;
  dst: Cidr | 'default' | undefined;
  scope: number | undefined;
} {
  const f = checkObject(filter, 'filter');
  checkKeys(f, FILTER_KEYS, 'filter');
  const family = f['family'] === undefined ? 0 : parseFamily(f['family']);
  let dst: Cidr | 'default' | undefined;
  if (f['dst'] === 'default') dst = 'default';
  else if (f['dst'] !== undefined) {
    dst = parseCidr(f['dst'], 'dst');
    if (family !== 0 && dst.family !== family) throw new ArgumentError('dst', f['dst'], `expected an IPv${family === AF_INET6 ? 6 : 4} prefix (family)`);
  }
  return {
    family,
    table: f['table'] === 'all' ? undefined : f['table'] === undefined ? RT_TABLE_MAIN : parseTable(f['table']),
    dev: f['dev'] === undefined ? undefined : checkDev(f['dev']),
    protocol: f['protocol'] === undefined ? 0 : parseProtocol(f['protocol']),
    type: f['type'] === undefined ? 0 : parseRouteType(f['type']),
    dst,
    scope: f['scope'] === undefined ? undefined : parseScope(f['scope']),
  };
}

/**
 * `ip route`: add, replace, delete, look up and list routes.
 *
 * @example
 * ```ts
 * await nl.route.add({ dst: '10.123.6.0/24', dev: 'veth0', src: '10.123.1.1', metric: 20 });
 * // ip route add 10.123.6.0/24 dev veth0 src 10.123.1.1 metric 20
 * for await (const r of nl.route.list({ table: 'all' })) console.log(r.dst, r.table); // ip route show table all
 * ```
 */
export class RouteApi {
  readonly nl: Netlink;
  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Adds a route (RTM_NEWROUTE, NLM_F_CREATE|NLM_F_EXCL). Rejects with EEXIST when the route is
   * there, EINVAL "Nexthop has invalid gateway" (IPv4) or EHOSTUNREACH (IPv6) for a gateway
   * that is not reachable.
   *
   * @example
   * ```ts
   * await nl.route.add({ dst: '10.123.5.0/24', gateway: '10.123.1.2' });      // ip route add 10.123.5.0/24 via 10.123.1.2
   * await nl.route.add({ dst: '10.123.8.0/24', type: 'blackhole' });          // ip route add blackhole 10.123.8.0/24
   * await nl.route.add({ dst: '10.123.11.0/24', gateway: '10.123.1.2', mtu: 1400, table: 100, protocol: 'static' });
   * // ip route add 10.123.11.0/24 via 10.123.1.2 mtu 1400 table 100 proto static
   * await nl.route.add({ dst: '10.123.7.0/24', nexthops: [{ gateway: '10.123.1.2', weight: 1 }, { gateway: '10.123.1.3', dev: 'veth0', weight: 3 }] });
   * // ip route add 10.123.7.0/24 nexthop via 10.123.1.2 weight 1 nexthop via 10.123.1.3 dev veth0 weight 3
   * await nl.route.add({ dst: 'fd00:123:5::/64', gateway: 'fd00:123::2', pref: 'high' }); // ip -6 route add fd00:123:5::/64 via fd00:123::2 pref high
   * await nl.route.add({ dst: '10.123.15.0/24', via: 'fd00:123::2', dev: 'veth0' }); // ip route add 10.123.15.0/24 via inet6 fd00:123::2 dev veth0
   * ```
   */
  async add(spec: RouteSpec): Promise<void> {
    await this.send(buildRoute(spec, 'add'), 'RTM_NEWROUTE', ['NLM_F_CREATE', 'NLM_F_EXCL']);
  }

  /**
   * Adds a route or replaces the one with the same destination, table, TOS and metric
   * (RTM_NEWROUTE, NLM_F_CREATE|NLM_F_REPLACE).
   *
   * @example
   * ```ts
   * await nl.route.replace({ dst: '10.123.5.0/24', gateway: '10.123.1.3' }); // ip route replace 10.123.5.0/24 via 10.123.1.3
   * ```
   */
  async replace(spec: RouteSpec): Promise<void> {
    await this.send(buildRoute(spec, 'add'), 'RTM_NEWROUTE', ['NLM_F_CREATE', 'NLM_F_REPLACE']);
  }

  /**
   * Deletes a route (RTM_DELROUTE). The fields given select the route; rejects with ESRCH
   * ("No such process") when none matches.
   *
   * @example
   * ```ts
   * await nl.route.del({ dst: '10.123.5.0/24' });               // ip route del 10.123.5.0/24
   * await nl.route.del({ dst: '10.123.11.0/24', table: 100 });  // ip route del 10.123.11.0/24 table 100
   * ```
   */
  async del(spec: RouteSpec): Promise<void> {
    await this.send(buildRoute(spec, 'del'), 'RTM_DELROUTE', []);
  }

  /**
   * Looks up the route the kernel would use for `dst` (RTM_GETROUTE, like `ip route get`).
   * Rejects with ENETUNREACH when there is none.
   *
   * @example
   * ```ts
   * const r = await nl.route.get('10.123.5.9');                       // ip route get 10.123.5.9
   * r.gateway; r.dev; r.prefsrc;
   * await nl.route.get('10.123.1.2', { from: '10.123.1.1', oif: 'veth0', mark: 7 });
   * // ip route get 10.123.1.2 from 10.123.1.1 oif veth0 mark 7
   * ```
   */
  async get(dst: string, options: RouteGetOptions = {}): Promise<Route> {
    // Like iproute2: IPv4 lookups report the table the route was found in (IPv6 refuses the flag).
    const to = parseCidr(dst, 'dst');
    const o = checkObject(options, 'options');
    checkKeys(o, GET_KEYS, 'options');
    const family = to.family;
    const attrs: Record<string, unknown> = { dst: to.address };
    const header: Record<string, number> = { family, dst_len: to.prefixlen, src_len: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: family === AF_INET ? RTM_F_LOOKUP_TABLE : 0 };
    const devs: Array<[string | number, string]> = [];
    if (o['from'] !== undefined) {
      const from = parseCidr(o['from'], 'from', family);
      attrs['src'] = from.address;
      header['src_len'] = from.prefixlen;
    }
    if (o['iif'] !== undefined) devs.push([checkDev(o['iif'], 'iif'), 'iif']);
    if (o['oif'] !== undefined) devs.push([checkDev(o['oif'], 'oif'), 'oif']);
    if (o['mark'] !== undefined) attrs['mark'] = checkU32(o['mark'], 'mark');
    if (o['uid'] !== undefined) attrs['uid'] = checkU32(o['uid'], 'uid');
    if (o['tos'] !== undefined) header['tos'] = checkInt(o['tos'], 'tos', 0, 255);
    if (o['ipproto'] !== undefined) attrs['ip_proto'] = checkInt(o['ipproto'], 'ipproto', 0, 255);
    if (o['sport'] !== undefined) attrs['sport'] = checkInt(o['sport'], 'sport', 0, 65535);
    if (o['dport'] !== undefined) attrs['dport'] = checkInt(o['dport'], 'dport', 0, 65535);
    if (o['fibmatch'] !== undefined && checkBool(o['fibmatch'], 'fibmatch')) header['flags'] = header['flags']! | RTM_F_FIB_MATCH;
    for (const [dev, key] of devs) attrs[key] = await ifindex(this.nl, dev, key);
    const replies = await this.nl.client.request({ type: 'RTM_GETROUTE', header, attrs });
    const names = new Map<number, string>();
    const m = replies.find((r) => r.type === 'RTM_NEWROUTE');
    if (!m) throw new Error('RTM_GETROUTE: the kernel answered without a route');
    const ra = m.attrs as RtAttrs;
    for (const idx of [ra.oif, ra.iif, ...(ra.multipath ?? []).map((n) => n.ifindex)]) {
      if (idx === undefined || names.has(idx)) continue;
      const n = await ifname(this.nl, idx);
      if (n !== undefined) names.set(idx, n);
    }
    return toRoute(m, names)!;
  }

  /**
   * Lists routes (RTM_GETROUTE dumps, one per family, with the table, device, protocol and type
   * in the request so the kernel filters them). By default the main table of both families,
   * like `ip route show` and `ip -6 route show`; `{ table: 'all' }` lists every table. A table
   * that does not exist lists as empty.
   *
   * @example
   * ```ts
   * await nl.route.list().collect();                              // ip route show; ip -6 route show
   * await nl.route.list({ table: 100, family: 'inet' }).collect(); // ip -4 route show table 100
   * await nl.route.list({ dev: 'veth0', protocol: 'kernel' }).collect(); // ip route show dev veth0 proto kernel
   * ```
   */
  list(filter: RouteFilter = {}): Listing<Route> {
    const f = parseFilter(filter);
    let oif: number | undefined;
    return new NamedListing<Route>(
      this.nl,
      () =>
        dumpFamilies(f.family).map((family) =>
          this.nl.client.dump(
            {
              type: 'RTM_GETROUTE',
              header: { family, dst_len: 0, src_len: 0, tos: 0, table: 0, protocol: f.protocol, scope: 0, type: f.type, flags: 0 },
              attrs: { ...(f.table !== undefined && { table: f.table }), ...(oif !== undefined && { oif }) },
            },
            // Most routes have only plain attributes (table, dst, gateway, oif, ...): decoded
            // without the full decoder's bookkeeping, to the same messages (dump/route-100k api).
            { decode: decodeFlatMessage },
          ),
        ),
      (m, names) => {
        if (m.type !== 'RTM_NEWROUTE') return undefined;
        const r = toRoute(m, names);
        if (!r) return undefined;
        if (f.scope !== undefined && (typeof r.scope === 'number' ? r.scope : parseScope(r.scope)) !== f.scope) return undefined;
        if (f.dst === 'default' && r.dst !== 'default') return undefined;
        if (f.dst !== undefined && f.dst !== 'default') {
          const a = (m.attrs as RtAttrs).dst;
          if (r.family !== familyName(f.dst.family) || r.dstLen !== f.dst.prefixlen || (a ?? (f.dst.family === AF_INET6 ? '::' : '0.0.0.0')) !== f.dst.address) return undefined;
        }
        return r;
      },
      {
        before: async () => {
          if (f.dev !== undefined) oif = await ifindex(this.nl, f.dev);
        },
        // "ipv4: FIB table does not exist" / "ipv6: FIB table does not exist": nothing to list.
        emptyOn: (e) => f.table !== undefined && isErrno(e, 'ENOENT'),
      },
    );
  }

  private async send(b: Built, type: string, flags: string[]): Promise<void> {
    for (const { dev, set } of b.devs) set(await ifindex(this.nl, dev));
    await this.nl.client.request({ type, flags, header: b.header, attrs: b.attrs });
  }
}

