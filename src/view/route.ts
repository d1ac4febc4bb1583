/**
 * `ip route show`: iproute2 6.1's `print_route` (iproute.c) for one RTM_NEWROUTE/RTM_DELROUTE,
 * and the part of `filter_nlmsg` that decides which routes a plain listing shows (family, table).
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import { type Attrs, field, fieldOf, has, num, numOf, obj, objOf, str, strOf } from './attrs.js';
import { type ViewContext, ifName } from './context.js';
import { dsfieldName, familyName, rtProtoName, rtRealmName, rtScopeName, rtTableName, rtTypeName } from './names.js';
import { jsonQuote } from './json-writer.js';
import { ANY, FP, type IpPrinter, JSON_ONLY } from './printer.js';

/** Options of the route renderers. */
export interface RouteShowOptions {
  /** `-d`: type, table, protocol and scope even when default. Default: false. */
  details?: boolean;
  /** `-s`: cache users/used/age. Default: 0. */
  stats?: boolean | number;
  /** The listing's table filter: a table number, or 'all'/0 (then `table` is printed). Default: main (254). */
  table?: number | 'all';
}

const RTN_UNICAST = 1;
const RTN_MULTICAST = 5;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RTM_F_CLONED = 0x200;
const USER_HZ = 100;

const MX_NAMES = [
  '', 'lock', 'mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit', 'initcwnd',
  'features', 'rto_min', 'initrwnd', 'quickack', 'congctl', 'fastopen_no_cookie',
];
// Keys of the decoded RTA_METRICS nest, by RTAX number.
const MX_KEYS = [
  '', 'lock', 'mtu', 'window', 'rtt', 'rttvar', 'ssthresh', 'cwnd', 'advmss', 'reordering', 'hoplimit', 'initcwnd',
  'features', 'rto_min', 'initrwnd', 'quickack', 'cc_algo', 'fastopen_no_cookie',
];
const RTAX_RTT = 4;
const RTAX_RTTVAR = 5;
const RTAX_HOPLIMIT = 10;
const RTAX_FEATURES = 12;
const RTAX_RTO_MIN = 13;
const RTAX_CC_ALGO = 16;

/** The route's table: RTA_TABLE when present, else rtm_table. */
export function routeTable(m: Message): number {
  return num(m.attrs, 'table') ?? field(m.header, 'table');
}

function hostLen(family: number): number {
  return family === 2 ? 32 : family === 10 ? 128 : family === 28 ? 20 : 0;
}

function printFlags(p: IpPrinter, flags: number): void {
  p.openArray(JSON_ONLY, p.json ? 'flags' : '');
  const f = flags >>> 0;
  if (f & 0x1) p.str(ANY, null, '%s ', 'dead');
  if (f & 0x4) p.str(ANY, null, '%s ', 'onlink');
  if (f & 0x2) p.str(ANY, null, '%s ', 'pervasive');
  if (f & 0x8) p.str(ANY, null, '%s ', 'offload');
  if (f & 0x40) p.str(ANY, null, '%s ', 'trap');
  if (f & 0x100) p.str(ANY, null, '%s ', 'notify');
  if (f & 0x10) p.str(ANY, null, '%s ', 'linkdown');
  if (f & 0x20) p.str(ANY, null, '%s ', 'unresolved');
  if (f & 0x4000) p.str(ANY, null, '%s ', 'rt_offload');
  if (f & 0x8000) p.str(ANY, null, '%s ', 'rt_trap');
  if (f & 0x20000000) p.str(ANY, null, '%s ', 'rt_offload_failed');
  p.closeArray(JSON_ONLY, null);
}

function printGateway(p: IpPrinter, gw: string): void {
  if (p.json) p.str(JSON_ONLY, 'gateway', null, gw);
  else p.fp('via %s ', gw);
}

function printVia(p: IpPrinter, via: Attrs): void {
  const fam = num(via, 'family') ?? 0;
  const host = str(via, 'addr') ?? '';
  if (p.json) {
    p.openObject('via');
    p.str(JSON_ONLY, 'family', null, familyName(fam));
    p.str(JSON_ONLY, 'host', null, host);
    p.closeObject();
  } else p.fp('via %s %s ', familyName(fam), host);
}

function printFlow(p: IpPrinter, ctx: ViewContext, flow: number): void {
  const from = flow >>> 16;
  const to = flow & 0xffff;
  if (p.json) {
    p.openObject('flow');
    if (from) p.str(JSON_ONLY, 'from', null, rtRealmName(ctx.names, from));
    p.str(JSON_ONLY, 'to', null, rtRealmName(ctx.names, to));
    p.closeObject();
  } else {
    p.fp('realm%s ', from ? 's' : '');
    if (from) p.fp('%s/', rtRealmName(ctx.names, from));
    p.fp('%s ', rtRealmName(ctx.names, to));
  }
}

function printIfidx(p: IpPrinter, ctx: ViewContext, idx: number, prefix: string): void {
  const name = ifName(ctx, idx);
  if (p.json) p.str(JSON_ONLY, prefix, null, name);
  else p.fp('%s %s ', prefix, name);
}

function printMetrics(p: IpPrinter, mx: Attrs): void {
  p.openArray(JSON_ONLY, 'metrics');
  p.openObject(null);
  const lock = num(mx, 'lock') ?? 0;
  for (let i = 2; i < MX_KEYS.length; i++) {
    const key = MX_KEYS[i]!;
    const present = has(mx, key);
    if (!present && !(lock & (1 << i))) continue;
    let val = present && i !== RTAX_CC_ALGO ? (num(mx, key)! >>> 0) : 0;
    if (i === RTAX_HOPLIMIT && (val | 0) === -1) continue;
    if (!p.json) p.fp('%s ', MX_NAMES[i]);
    if (lock & (1 << i)) p.str(FP, null, 'lock ', undefined);
    switch (i) {
      case RTAX_FEATURES: {
        let f = val;
        if (f & 1) {
          p.null(ANY, 'ecn', 'ecn ', '');
          f &= ~1;
        }
        if (f) p.xhex(ANY, 'features', '%#llx ', val);
        break;
      }
      case RTAX_RTT:
      case RTAX_RTTVAR:
      case RTAX_RTO_MIN:
        if (i === RTAX_RTT) val = Math.floor(val / 8);
        else if (i === RTAX_RTTVAR) val = Math.floor(val / 4);
        if (p.json) p.num(JSON_ONLY, MX_NAMES[i]!, null, val);
        else if (val >= 1000) p.fp('%gs ', val / 1e3);
        else p.fp('%ums ', val);
        break;
      case RTAX_CC_ALGO:
        p.str(ANY, 'congestion', '%s ', str(mx, key) ?? '');
        break;
      default:
        p.num(ANY, MX_NAMES[i]!, '%u ', val);
    }
  }
  p.closeObject();
  p.closeArray(JSON_ONLY, null);
}

function printCacheinfo(p: IpPrinter, ci: Attrs, stats: number): void {
  const expires = num(ci, 'expires') ?? 0;
  if (expires !== 0) p.num(ANY, 'expires', 'expires %dsec ', Math.trunc(expires / USER_HZ));
  const error = num(ci, 'error') ?? 0;
  if (error !== 0) p.num(ANY, 'error', 'error %u ', error >>> 0);
  if (stats) {
    const users = num(ci, 'clntref') ?? 0;
    if (users) p.num(ANY, 'users', 'users %u ', users);
    const used = num(ci, 'used') ?? 0;
    if (used !== 0) p.num(ANY, 'used', 'used %u ', used);
    const last = num(ci, 'lastuse') ?? 0;
    if (last !== 0) p.num(ANY, 'age', 'age %dsec ', Math.trunc(last / USER_HZ));
  }
  const id = num(ci, 'id') ?? 0;
  if (id) p.xhex(ANY, 'ipid', 'ipid 0x%04llx ', id);
  const ts = num(ci, 'ts') ?? 0;
  const tsage = num(ci, 'tsage') ?? 0;
  if (ts || tsage) {
    p.xhex(ANY, 'ts', 'ts 0x%llx', ts);
    p.num(ANY, 'tsage', 'tsage %usec ', tsage);
  }
}

function printPref(p: IpPrinter, pref: number): void {
  if (pref === 3) p.str(ANY, 'pref', 'pref %s', 'low');
  else if (pref === 0) p.str(ANY, 'pref', 'pref %s', 'medium');
  else if (pref === 1) p.str(ANY, 'pref', 'pref %s', 'high');
  else p.num(ANY, 'pref', '%u', pref);
}

function printMultipath(p: IpPrinter, m: Message, ctx: ViewContext, hops: unknown[]): void {
  const family = field(m.header, 'family');
  const rflags = field(m.header, 'flags');
  const rtype = field(m.header, 'type');
  const mcastClone = (rflags & RTM_F_CLONED) !== 0 && rtype === RTN_MULTICAST;
  let first = true;
  p.openArray(JSON_ONLY, 'nexthops');
  for (const raw of hops) {
    const nh = raw as { flags?: number; hops?: number; ifindex?: number; attrs?: Attrs };
    p.openObject(null);
    if (mcastClone) {
      p.fp(first ? 'Oifs: ' : ' ');
      first = false;
    } else p.fp('%s\tnexthop ', p.sl);
    const a = nh.attrs ?? {};
    if (has(a, 'gateway')) printGateway(p, str(a, 'gateway')!);
    const via = obj(a, 'via');
    if (via) printVia(p, via);
    if (has(a, 'flow')) printFlow(p, ctx, num(a, 'flow')!);
    if (mcastClone) {
      p.str(ANY, 'dev', '%s', ifName(ctx, nh.ifindex ?? 0));
      if ((nh.hops ?? 0) !== 1) p.num(ANY, 'ttl', '(ttl>%d)', nh.hops ?? 0);
      p.fp(' ');
    } else {
      p.str(ANY, 'dev', 'dev %s ', ifName(ctx, nh.ifindex ?? 0));
      if (family !== 28) p.num(ANY, 'weight', 'weight %d ', (nh.hops ?? 0) + 1);
    }
    printFlags(p, nh.flags ?? 0);
    p.closeObject();
  }
  p.closeArray(JSON_ONLY, null);
}

/** The rtmsg header fields print_route reads. */
interface RtmsgView {
  readonly family?: unknown;
  readonly dst_len?: unknown;
  readonly src_len?: unknown;
  readonly tos?: unknown;
  readonly table?: unknown;
  readonly protocol?: unknown;
  readonly scope?: unknown;
  readonly type?: unknown;
  readonly flags?: unknown;
}

/** The RTA_* attributes print_route reads (each may be repeated, i.e. an array). */
interface RouteAttrsView {
  readonly dst?: unknown;
  readonly src?: unknown;
  readonly nh_id?: unknown;
  readonly gateway?: unknown;
  readonly via?: unknown;
  readonly oif?: unknown;
  readonly table?: unknown;
  readonly prefsrc?: unknown;
  readonly priority?: unknown;
  readonly mark?: unknown;
  readonly flow?: unknown;
  readonly uid?: unknown;
  readonly cacheinfo?: unknown;
  readonly metrics?: unknown;
  readonly iif?: unknown;
  readonly pref?: unknown;
  readonly ttl_propagate?: unknown;
  readonly multipath?: unknown;
}

const NOTHING: RtmsgView & RouteAttrsView = {};

/**
 * print_route. Returns false when the message is not a route message.
 *
 * Each attribute and header field is read once, by name, into a local (the renderer runs once per
 * route of a dump: dump/route-100k).
 */
export function printRoute(p: IpPrinter, m: Message, ctx: ViewContext, opts: RouteShowOptions = {}): boolean {
  if (m.type !== 'RTM_NEWROUTE' && m.type !== 'RTM_DELROUTE') return false;
  const h: RtmsgView = (m.header as RtmsgView | undefined) ?? NOTHING;
  const a: RouteAttrsView = (m.attrs as RouteAttrsView | undefined) ?? NOTHING;
  const family = fieldOf(h.family);
  const type = fieldOf(h.type);
  const rflags = fieldOf(h.flags);
  const details = opts.details === true;
  const stats = opts.stats === true ? 1 : typeof opts.stats === 'number' ? opts.stats : 0;
  const filterTable = opts.table === undefined ? RT_TABLE_MAIN : opts.table === 'all' ? 0 : opts.table;
  const hl = hostLen(family);
  const table = numOf(a.table) ?? fieldOf(h.table);

  if (m.type === 'RTM_DELROUTE') p.bool(ANY, 'deleted', 'Deleted ', true);
  if (type !== RTN_UNICAST || details) p.str(ANY, 'type', '%s ', rtTypeName(type));

  const dstLen = fieldOf(h.dst_len);
  const dstA = a.dst;
  let dst: string | undefined;
  if (dstA !== undefined) dst = dstLen !== hl ? `${strOf(dstA)}/${dstLen}` : strOf(dstA);
  else if (dstLen) dst = `0/${dstLen} `;
  else dst = 'default';
  p.str(ANY, 'dst', '%s ', dst);

  const srcLen = fieldOf(h.src_len);
  const srcA = a.src;
  if (srcA !== undefined) p.str(ANY, 'from', 'from %s ', srcLen !== hl ? `${strOf(srcA)}/${srcLen}` : strOf(srcA));
  else if (srcLen) p.str(ANY, 'src', 'from %s ', `0/${srcLen}`);

  if (a.nh_id !== undefined) p.num(ANY, 'nhid', 'nhid %u ', numOf(a.nh_id)!);
  const tos = fieldOf(h.tos);
  if (tos) p.str(ANY, 'tos', 'tos %s ', dsfieldName(ctx.names, tos));
  if (a.gateway !== undefined) printGateway(p, strOf(a.gateway)!);
  const via = objOf(a.via);
  if (via) printVia(p, via);
  if (a.oif !== undefined) printIfidx(p, ctx, numOf(a.oif)!, 'dev');
  if (table && (table !== RT_TABLE_MAIN || details) && !filterTable) p.str(ANY, 'table', 'table %s ', rtTableName(ctx.names, table));
  if (!(rflags & RTM_F_CLONED)) {
    const proto = fieldOf(h.protocol);
    if (proto !== RTPROT_BOOT || details) p.str(ANY, 'protocol', 'proto %s ', rtProtoName(ctx.names, proto));
    const scope = fieldOf(h.scope);
    if (scope !== 0 || details) p.str(ANY, 'scope', 'scope %s ', rtScopeName(ctx.names, scope));
  }
  if (a.prefsrc !== undefined) {
    if (p.json) p.str(JSON_ONLY, 'prefsrc', null, strOf(a.prefsrc));
    else p.fp('src %s ', strOf(a.prefsrc));
  }
  if (a.priority !== undefined) p.num(ANY, 'metric', 'metric %u ', numOf(a.priority)! >>> 0);
  printFlags(p, rflags);
  const mark = numOf(a.mark);
  if (mark) {
    if (p.json) p.num(JSON_ONLY, 'mark', null, mark >>> 0);
    else p.fp('mark 0x%x ', mark);
  }
  if (a.flow !== undefined) printFlow(p, ctx, numOf(a.flow)!);
  if (a.uid !== undefined) p.num(ANY, 'uid', 'uid %u ', numOf(a.uid)! >>> 0);
  const ci = objOf(a.cacheinfo);
  if (family === 2) {
    if (stats && ci) printCacheinfo(p, ci, stats);
  } else if (family === 10) {
    if (ci) printCacheinfo(p, ci, stats);
  }
  const mx = objOf(a.metrics);
  if (mx) printMetrics(p, mx);
  if (a.iif !== undefined) printIfidx(p, ctx, numOf(a.iif)!, 'iif');
  if (a.pref !== undefined) printPref(p, numOf(a.pref)!);
  if (a.ttl_propagate !== undefined) {
    const on = !!numOf(a.ttl_propagate);
    if (p.json) p.bool(JSON_ONLY, 'ttl-propogate', null, on);
    else p.fp('ttl-propogate %s', on ? 'enabled' : 'disabled');
  }
  const mp = a.multipath;
  if (Array.isArray(mp)) printMultipath(p, m, ctx, mp);
  return true;
}

/**
 * The attributes of the routes {@link routeTextFast} renders: any other attribute means printRoute.
 * (A switch: a Set lookup per attribute was the fast path's top line in its profile.)
 */
function fastAttr(key: string): boolean {
  switch (key) {
    case 'table':
    case 'dst':
    case 'gateway':
    case 'oif':
    case 'prefsrc':
    case 'priority':
      return true;
    default:
      return false;
  }
}

/**
 * What {@link printRoute} prints for the commonest kind of route, as one string: the text line
 * (without its line break) or the compact JSON object; undefined for any other route, which
 * printRoute then renders. The common kind: RTM_NEWROUTE, unicast, IPv4, no rtm_flags, no TOS, no
 * source prefix, and no attributes but table, dst, gateway, oif, prefsrc and priority (each once).
 * It is what a table of static, kernel or DHCP routes holds; it skips the printer's per-field
 * calls (dump/route-100k nlkit cli -j: about 500 ns per route in printRoute through the JSON writer).
 * test/unit/cli/route-fast.test.ts checks it against printRoute.
 */
export function routeTextFast(m: Message, ctx: ViewContext, opts: RouteShowOptions, json: boolean): string | undefined {
  if (m.type !== 'RTM_NEWROUTE' || opts.details === true) return undefined;
  const h = m.header as RtmsgView | undefined;
  const a = m.attrs as Record<string, unknown> | undefined;
  if (h === undefined || a === undefined) return undefined;
  if (h.family !== 2 || h.type !== RTN_UNICAST || h.flags !== 0 || h.tos !== 0 || h.src_len !== 0) return undefined;
  const dstLen = h.dst_len;
  const proto = h.protocol;
  const scope = h.scope;
  if (typeof dstLen !== 'number' || typeof proto !== 'number' || typeof scope !== 'number' || typeof h.table !== 'number') return undefined;
  for (const k in a) if (!fastAttr(k) && a[k] !== undefined) return undefined;
  const { dst, gateway, oif, prefsrc, priority } = a;
  const table = a['table'] ?? h.table;
  if (
    (dst !== undefined && typeof dst !== 'string') ||
    (gateway !== undefined && typeof gateway !== 'string') ||
    (prefsrc !== undefined && typeof prefsrc !== 'string') ||
    (oif !== undefined && typeof oif !== 'number') ||
    (priority !== undefined && typeof priority !== 'number') ||
    typeof table !== 'number'
  ) {
    return undefined;
  }
  const filterTable = opts.table === undefined ? RT_TABLE_MAIN : opts.table === 'all' ? 0 : opts.table;
  const dstText = dst !== undefined ? (dstLen !== 32 ? `${dst}/${dstLen}` : dst) : dstLen ? `0/${dstLen} ` : 'default';
  const dev = oif !== undefined ? ifName(ctx, oif) : undefined;
  const tableName = table && table !== RT_TABLE_MAIN && !filterTable ? rtTableName(ctx.names, table) : undefined;
  const protoName = proto !== RTPROT_BOOT ? rtProtoName(ctx.names, proto) : undefined;
  const scopeName = scope !== 0 ? rtScopeName(ctx.names, scope) : undefined;
  if (json) {
    let o = '{"dst":' + jsonQuote(dstText);
    if (gateway !== undefined) o += ',"gateway":' + jsonQuote(gateway);
    if (dev !== undefined) o += ',"dev":' + jsonQuote(dev);
    if (tableName !== undefined) o += ',"table":' + jsonQuote(tableName);
    if (protoName !== undefined) o += ',"protocol":' + jsonQuote(protoName);
    if (scopeName !== undefined) o += ',"scope":' + jsonQuote(scopeName);
    if (prefsrc !== undefined) o += ',"prefsrc":' + jsonQuote(prefsrc);
    if (priority !== undefined) o += ',"metric":' + String(priority >>> 0);
    return o + ',"flags":[]}';
  }
  let t = dstText + ' ';
  if (gateway !== undefined) t += 'via ' + gateway + ' ';
  if (dev !== undefined) t += 'dev ' + dev + ' ';
  if (tableName !== undefined) t += 'table ' + tableName + ' ';
  if (protoName !== undefined) t += 'proto ' + protoName + ' ';
  if (scopeName !== undefined) t += 'scope ' + scopeName + ' ';
  if (prefsrc !== undefined) t += 'src ' + prefsrc + ' ';
  if (priority !== undefined) t += 'metric ' + String(priority >>> 0) + ' ';
  return t;
}

/**
 * The interface indexes print_route would name (RTA_OIF, RTA_IIF, each nexthop's) that are not in
 * `known`, or undefined when all are (the usual case: no array is made). A listing asks the
 * kernel for these links before rendering, as ip's ll_index_to_name does.
 */
export function routeLinksMissing(m: Message, known: ReadonlySet<number>): number[] | undefined {
  const a: RouteAttrsView = (m.attrs as RouteAttrsView | undefined) ?? NOTHING;
  let missing: number[] | undefined;
  const oif = numOf(a.oif) ?? 0;
  if (oif !== 0 && !known.has(oif)) missing = [oif];
  if (a.iif !== undefined) {
    const iif = numOf(a.iif) ?? 0;
    if (iif !== 0 && !known.has(iif)) missing = addIndex(missing, iif);
  }
  if (Array.isArray(a.multipath)) {
    for (const nh of a.multipath as { ifindex?: unknown }[]) {
      const index = numOf(nh.ifindex) ?? 0;
      if (index !== 0 && !known.has(index)) missing = addIndex(missing, index);
    }
  }
  return missing;
}

function addIndex(list: number[] | undefined, index: number): number[] {
  if (list === undefined) return [index];
  if (!list.includes(index)) list.push(index);
  return list;
}

/**
 * Whether a plain `ip [-4|-6] route show [table T]` lists this route: its family (0 = any) and
 * table (main by default; 'all' lists every table; cloned routes are never listed).
 */
export function routeListed(m: Message, family: number, table: number | 'all' = RT_TABLE_MAIN): boolean {
  if (m.type !== 'RTM_NEWROUTE') return false;
  const h: RtmsgView = (m.header as RtmsgView | undefined) ?? NOTHING;
  if (family && fieldOf(h.family) !== family) return false;
  if (fieldOf(h.flags) & RTM_F_CLONED) return false;
  if (table !== 'all' && table !== 0 && (numOf((m.attrs as RouteAttrsView | undefined)?.table) ?? fieldOf(h.table)) !== table) return false;
  return true;
}
