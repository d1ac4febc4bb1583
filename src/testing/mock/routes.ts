/**
 * Routes in the mock kernel: IPv4 (net/ipv4/fib_trie.c, fib_semantics.c) and IPv6
 * (net/ipv6/route.c, ip6_fib.c) tables, the kernel's own routes for addresses and devices, user
 * routes (unicast, blackhole/unreachable/prohibit, multipath), and the dump order: tables by
 * their hash bucket, IPv4 by key then longer prefix first, IPv6 in FIB tree-walk order then by
 * metric.
 * @module
 */
import type { Attrs } from '../../netlink/codec.js';
import { E, fail, TEXT } from './errors.js';
import { GROUP, RTN, RTNH_F, RTPROT, SCOPE, TABLE } from './constants.js';
import type { Ctx, Handler, MockKernel } from './kernel.js';
import type { Addr4, Addr6, Link, Netns, Nexthop, Route } from './state.js';
import { compareBytes, compareFib6, ipBytes, ipText, prefix, samePrefix } from './ip.js';

/** IP6_RT_PRIO_USER: the metric of IPv6 routes added without one. */
const IP6_RT_PRIO_USER = 1024;

/** Routes through `link` (as a single next hop or one of several). */
function usesLink(r: Route, link: Link): boolean {
  return r.nh.link === link || (r.multipath?.some((n) => n.link === link) ?? false);
}

/** RTNH_F_* of a next hop as reported: DEAD kept, LINKDOWN while its device has no carrier. */
function nhFlags(r: Route, nh: Nexthop): number {
  let f = nh.flags;
  if (nh.link && !nh.link.carrier && r.type !== RTN.LOCAL) f |= RTNH_F.LINKDOWN;
  return f;
}

/** The header and attributes of a route message. */
export function fillRoute(r: Route): { header: Record<string, unknown>; attrs: Record<string, unknown> } {
  const header = {
    family: r.family,
    dst_len: r.dstLen,
    src_len: 0,
    tos: r.tos,
    table: r.table < 256 ? r.table : TABLE.COMPAT,
    protocol: r.protocol,
    scope: r.scope,
    type: r.type,
    flags: r.multipath ? 0 : nhFlags(r, r.nh),
  };
  const a: Record<string, unknown> = { table: r.table };
  if (r.dstLen > 0) a['dst'] = r.dst;
  if (r.family === 10) {
    a['priority'] = r.priority ?? 0;
  } else if (r.priority) {
    a['priority'] = r.priority;
  }
  if (r.prefsrc !== undefined) a['prefsrc'] = r.prefsrc;
  if (r.multipath) {
    a['multipath'] = r.multipath.map((nh) => ({ flags: nhFlags(r, nh), hops: nh.hops, ifindex: nh.link?.index ?? 0, attrs: nh.gateway !== undefined ? { gateway: nh.gateway } : {} }));
  } else {
    if (r.nh.gateway !== undefined) a['gateway'] = r.nh.gateway;
    if (r.nh.link) a['oif'] = r.nh.link.index;
  }
  if (r.metrics) a['metrics'] = r.metrics;
  if (r.family === 10) {
    a['cacheinfo'] = { clntref: 0, lastuse: 0, expires: 0, error: 0, used: 0, id: 0, ts: 0, tsage: 0 };
    a['pref'] = r.pref;
  }
  return { header, attrs: a };
}

/** Routes of `ns` in dump order. */
export function sortedRoutes(ns: Netns, family?: number): Route[] {
  const fam = (r: Route) => (r.family === 2 ? 0 : 1);
  return ns.routes
    .filter((r) => family === undefined || family === 0 || r.family === family)
    .sort((x, y) => {
      if (x.family !== y.family) return fam(x) - fam(y);
      if ((x.table & 255) !== (y.table & 255)) return (x.table & 255) - (y.table & 255);
      if (x.table !== y.table) return y.table - x.table;
      const xb = ipBytes(x.dst)!;
      const yb = ipBytes(y.dst)!;
      let c: number;
      if (x.family === 2) c = compareBytes(xb, yb) || y.dstLen - x.dstLen || y.tos - x.tos || (x.priority ?? 0) - (y.priority ?? 0);
      else c = compareFib6(xb, x.dstLen, yb, y.dstLen) || (x.priority ?? 0) - (y.priority ?? 0);
      return c || x.created - y.created;
    });
}

function notifyRoute(k: MockKernel, ns: Netns, type: 'RTM_NEWROUTE' | 'RTM_DELROUTE', r: Route, ctx: Ctx | undefined): void {
  k.notify(ns, r.family === 2 ? GROUP.IPV4_ROUTE : GROUP.IPV6_ROUTE, () => ({ type, ...fillRoute(r) }), ctx);
}

/** Removes the routes `pred` picks, with RTM_DELROUTE notifications. */
export function removeRoutes(k: MockKernel, ns: Netns, pred: (r: Route) => boolean, ctx: Ctx | undefined): void {
  const gone = sortedRoutes(ns).filter(pred);
  for (const r of gone) {
    ns.routes.splice(ns.routes.indexOf(r), 1);
    notifyRoute(k, ns, 'RTM_DELROUTE', r, ctx);
  }
}

/** Two routes are "the same" for the kernel's duplicate check (type, scope, source, next hops). */
function sameInfo(a: Route, b: Route): boolean {
  const nhs = (r: Route) => JSON.stringify((r.multipath ?? [r.nh]).map((n) => [n.link?.index, n.gateway, n.hops]));
  return a.type === b.type && a.scope === b.scope && a.prefsrc === b.prefsrc && a.protocol === b.protocol && nhs(a) === nhs(b);
}

/** Adds a route with fib_table_insert's (IPv4) or fib6_add_rt2node's (IPv6) rules for NLM_F_*. */
export function insertRoute(k: MockKernel, ns: Netns, r: Route, flags: readonly string[], ctx: Ctx | undefined): void {
  const excl = flags.includes('NLM_F_EXCL');
  const replace = flags.includes('NLM_F_REPLACE');
  const create = flags.includes('NLM_F_CREATE');
  const same = ns.routes.filter((x) => x.family === r.family && x.table === r.table && x.dstLen === r.dstLen && x.dst === r.dst && x.tos === r.tos && (x.priority ?? 0) === (r.priority ?? 0));
  if (same.length) {
    if (r.family === 2) {
      if (excl) fail(E.EEXIST);
      if (replace) {
        const old = sortedRoutes(ns).find((x) => same.includes(x))!;
        r.created = old.created;
        ns.routes.splice(ns.routes.indexOf(old), 1, r);
        notifyRoute(k, ns, 'RTM_NEWROUTE', r, ctx);
        return;
      }
      if (same.some((x) => sameInfo(x, r))) fail(E.EEXIST);
      if (!flags.includes('NLM_F_APPEND')) r.created = Math.min(...same.map((x) => x.created)) - 0.5;
    } else {
      if (replace) {
        const old = same[0]!;
        r.created = old.created;
        ns.routes.splice(ns.routes.indexOf(old), 1, r);
        notifyRoute(k, ns, 'RTM_NEWROUTE', r, ctx);
        return;
      }
      if (excl || same.some((x) => sameInfo(x, r) && x.nh.link === r.nh.link)) {
        if (excl || ctx !== undefined) fail(E.EEXIST);
        return;
      }
    }
  } else if (!create && ctx !== undefined) {
    fail(E.ENOENT);
  }
  ns.routes.push(r);
  notifyRoute(k, ns, 'RTM_NEWROUTE', r, ctx);
}

/** A route with the fields not given at their defaults. */
export function route(k: MockKernel, init: Partial<Route> & Pick<Route, 'family' | 'dst' | 'dstLen'>): Route {
  return {
    table: TABLE.MAIN,
    tos: 0,
    type: RTN.UNICAST,
    protocol: RTPROT.KERNEL,
    scope: SCOPE.UNIVERSE,
    priority: undefined,
    prefsrc: undefined,
    nh: { link: undefined, gateway: undefined, flags: 0, hops: 0 },
    multipath: undefined,
    metrics: undefined,
    pref: 0,
    owner: undefined,
    kernelDev: undefined,
    created: k.tick(),
    ...init,
  };
}

/** fib_magic: a route the kernel makes for an IPv4 address (duplicates are ignored). */
export function kernelRoute4(k: MockKernel, a: Addr4, type: number, dst: Uint8Array, len: number, prim: Addr4): void {
  const r = route(k, {
    family: 2,
    table: type === RTN.UNICAST ? TABLE.MAIN : TABLE.LOCAL,
    dst: ipText(prefix(dst, len)),
    dstLen: len,
    type,
    scope: type === RTN.LOCAL ? SCOPE.HOST : SCOPE.LINK,
    prefsrc: prim.local,
    nh: { link: a.link, gateway: undefined, flags: 0, hops: 0 },
    owner: a,
    ...(type === RTN.UNICAST && a.rtPriority ? { priority: a.rtPriority } : {}),
  });
  const dup = a.link.ns.routes.some((x) => x.family === 2 && x.table === r.table && x.dst === r.dst && x.dstLen === len && x.type === type && x.nh.link === a.link && x.prefsrc === r.prefsrc);
  if (!dup) insertRoute(k, a.link.ns, r, ['NLM_F_CREATE', 'NLM_F_APPEND'], undefined);
}

/** An IPv6 route the kernel makes (address prefixes, local addresses, device routes). */
export function kernelRoute6(k: MockKernel, link: Link, init: Partial<Route> & Pick<Route, 'dst' | 'dstLen'>, owner: Addr6 | undefined): void {
  const r = route(k, { family: 10, nh: { link, gateway: undefined, flags: 0, hops: 0 }, owner, kernelDev: owner ? undefined : link, ...init });
  const dup = link.ns.routes.some((x) => x.family === 10 && x.table === r.table && x.dst === r.dst && x.dstLen === r.dstLen && x.nh.link === link && x.priority === r.priority && x.type === r.type);
  if (!dup) insertRoute(k, link.ns, r, ['NLM_F_CREATE'], undefined);
}

/** fib_sync_down_dev on NETDEV_DOWN: IPv4 routes through `link` die, except the local ones of its addresses. */
export function ipv4LinkDown(k: MockKernel, link: Link, ctx: Ctx | undefined): void {
  for (const r of link.ns.routes) {
    if (r.family !== 2 || !r.multipath) continue;
    for (const nh of r.multipath) if (nh.link === link) nh.flags |= RTNH_F.DEAD;
  }
  removeRoutes(
    k,
    link.ns,
    (r) => r.family === 2 && usesLink(r, link) && r.type !== RTN.LOCAL && (!r.multipath || r.multipath.every((nh) => nh.flags & RTNH_F.DEAD)),
    ctx,
  );
}

/** fib_sync_up on NETDEV_UP: multipath next hops through `link` come back. */
export function ipv4LinkUp(link: Link): void {
  for (const r of link.ns.routes) if (r.family === 2 && r.multipath) for (const nh of r.multipath) if (nh.link === link) nh.flags &= ~RTNH_F.DEAD;
}

/** Every route through `link` goes (the device leaves its namespace). */
export function linkGone(k: MockKernel, link: Link, family: 2 | 10, ctx: Ctx | undefined): void {
  removeRoutes(k, link.ns, (r) => r.family === family && usesLink(r, link), ctx);
}

// ---------------------------------------------------------------------------------------------
// RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE

interface Rtmsg {
  family?: number;
  dst_len?: number;
  tos?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  type?: number;
}

interface RouteAttrs {
  dst?: string;
  gateway?: string;
  oif?: number;
  priority?: number;
  prefsrc?: string;
  table?: number;
  multipath?: Array<{ flags?: number; hops?: number; ifindex?: number; attrs?: { gateway?: string } }>;
  metrics?: Attrs;
  pref?: number;
}

function tableOf(h: Rtmsg, a: RouteAttrs): number {
  return a.table ?? (h.table ? h.table : TABLE.MAIN);
}

/** Whether `gw` is reachable on a connected route (through `link` when given). */
function gatewayOk(ns: Netns, gw: string, link: Link | undefined): boolean {
  const g = ipBytes(gw)!;
  return ns.routes.some(
    (r) => r.family === 2 && (r.table === TABLE.MAIN || r.table === TABLE.LOCAL) && r.scope >= SCOPE.LINK && r.type === RTN.UNICAST && samePrefix(ipBytes(r.dst)!, g, r.dstLen) && (!link || r.nh.link === link) && r.nh.link?.up,
  );
}

function nexthop(ns: Netns, family: number, oif: number | undefined, gateway: string | undefined, hops = 0): Nexthop {
  const link = oif !== undefined && oif !== 0 ? ns.links.get(oif) ?? fail(E.ENODEV) : undefined;
  if (family === 2 && gateway !== undefined && !gatewayOk(ns, gateway, link)) fail(E.ENETUNREACH, TEXT.badGateway);
  if (family === 2 && link && !link.up) fail(E.ENETDOWN, TEXT.nexthopDown);
  let via = link;
  if (family === 2 && gateway !== undefined && !via) {
    const g = ipBytes(gateway)!;
    via = ns.routes.find((r) => r.family === 2 && r.table === TABLE.MAIN && r.scope >= SCOPE.LINK && samePrefix(ipBytes(r.dst)!, g, r.dstLen))?.nh.link;
  }
  return { link: via, gateway, flags: 0, hops };
}

function newroute(ctx: Ctx): void {
  const h = ctx.req.header as Rtmsg;
  const a = ctx.req.attrs as RouteAttrs;
  const family = h.family === 10 ? 10 : 2;
  if (h.family !== 2 && h.family !== 10) fail(E.EAFNOSUPPORT);
  const len = h.dst_len ?? 0;
  const dstBytes = ipBytes(a.dst ?? (family === 2 ? '0.0.0.0' : '::'))!;
  const type = h.type ?? RTN.UNICAST;
  const r = route(ctx.kernel, {
    family,
    table: tableOf(h, a),
    dst: ipText(prefix(dstBytes, len)),
    dstLen: len,
    tos: h.tos ?? 0,
    type,
    protocol: h.protocol ?? RTPROT.BOOT,
    scope: family === 10 ? SCOPE.UNIVERSE : h.scope ?? SCOPE.UNIVERSE,
    priority: family === 10 ? a.priority ?? IP6_RT_PRIO_USER : a.priority,
    prefsrc: a.prefsrc,
    metrics: a.metrics,
    pref: a.pref ?? 0,
  });
  if (type === RTN.UNICAST || type === RTN.LOCAL || type === RTN.BROADCAST || type === RTN.MULTICAST) {
    if (a.multipath?.length) {
      r.multipath = a.multipath.map((nh) => nexthop(ctx.ns, family, nh.ifindex, nh.attrs?.gateway, nh.hops ?? 0));
      r.nh = r.multipath[0]!;
    } else {
      if (a.oif === undefined && a.gateway === undefined) fail(E.EINVAL);
      r.nh = nexthop(ctx.ns, family, a.oif, a.gateway);
    }
  }
  if (family === 2 && r.prefsrc !== undefined && !ctx.ns.addrs4.some((x) => x.local === r.prefsrc)) fail(E.EINVAL, TEXT.badPrefsrc);
  insertRoute(ctx.kernel, ctx.ns, r, ctx.req.flags, ctx);
}

function delroute(ctx: Ctx): void {
  const h = ctx.req.header as Rtmsg;
  const a = ctx.req.attrs as RouteAttrs;
  const family = h.family === 10 ? 10 : 2;
  const len = h.dst_len ?? 0;
  const dst = ipText(prefix(ipBytes(a.dst ?? (family === 2 ? '0.0.0.0' : '::'))!, len));
  const table = tableOf(h, a);
  const match = sortedRoutes(ctx.ns, family).find(
    (r) =>
      r.table === table &&
      r.dst === dst &&
      r.dstLen === len &&
      (!h.type || r.type === h.type) &&
      (family === 10 || h.scope === undefined || h.scope === SCOPE.NOWHERE || r.scope === h.scope) &&
      (!h.protocol || r.protocol === h.protocol) &&
      (a.oif === undefined || r.nh.link?.index === a.oif) &&
      (a.gateway === undefined || r.nh.gateway === a.gateway) &&
      (!a.priority || r.priority === a.priority),
  );
  if (!match) fail(E.ESRCH);
  removeRoutes(ctx.kernel, ctx.ns, (r) => r === match, ctx);
}

/** RTM_F_CLONED and RTCF_LOCAL in the rtm_flags of a lookup's answer. */
const RTM_F_CLONED = 0x200;
const RTCF_LOCAL = 0x80000000;

/** The route `dst` takes: longest prefix first, the local table before the main one. */
function lookup(ns: Netns, family: 2 | 10, dst: Uint8Array): Route | undefined {
  let best: Route | undefined;
  for (const r of ns.routes) {
    if (r.family !== family || (r.table !== TABLE.LOCAL && r.table !== TABLE.MAIN)) continue;
    if (!samePrefix(ipBytes(r.dst)!, dst, r.dstLen)) continue;
    if (r.nh.link && !r.nh.link.up) continue;
    if (family === 10 && best && best.table === TABLE.LOCAL && r.table === TABLE.MAIN) continue;
    if (!best || (family === 10 && r.table === TABLE.LOCAL && best.table === TABLE.MAIN) || r.dstLen > best.dstLen || (r.dstLen === best.dstLen && (r.priority ?? 0) < (best.priority ?? 0))) best = r;
  }
  return best;
}

/** RTM_GETROUTE without NLM_F_DUMP: the route lookup of `ip route get`. */
function getroute(ctx: Ctx): void {
  const h = ctx.req.header as Rtmsg;
  const a = ctx.req.attrs as RouteAttrs;
  const family = h.family === 10 ? 10 : h.family === 2 ? 2 : fail(E.EAFNOSUPPORT);
  const dst = ipBytes(a.dst ?? (family === 2 ? '0.0.0.0' : '::')) ?? fail(E.EINVAL);
  const r = lookup(ctx.ns, family, dst) ?? fail(E.ENETUNREACH);
  if (r.type === RTN.BLACKHOLE) fail(E.EINVAL);
  if (r.type === RTN.UNREACHABLE) fail(E.EHOSTUNREACH);
  if (r.type === RTN.PROHIBIT) fail(E.EACCES);
  const local = r.type === RTN.LOCAL;
  const lo = ctx.ns.sortedLinks().find((l) => l.kind === undefined);
  const oif = local ? lo : r.nh.link;
  const text = ipText(dst);
  const cacheinfo = { clntref: local && family === 2 ? 1 : 2, lastuse: 0, expires: 0, error: 0, used: 0, id: 0, ts: 0, tsage: 0 };
  if (family === 2) {
    const prefsrc = local ? text : r.prefsrc ?? ctx.ns.addrs4.find((x) => x.link === oif && !(x.flags & 1))?.local;
    const attrs: Record<string, unknown> = { table: TABLE.MAIN, dst: text };
    if (oif) attrs['oif'] = oif.index;
    if (prefsrc !== undefined) attrs['prefsrc'] = prefsrc;
    if (r.nh.gateway !== undefined) attrs['gateway'] = r.nh.gateway;
    attrs['uid'] = 0;
    attrs['cacheinfo'] = cacheinfo;
    const header = { family, dst_len: 32, src_len: 0, tos: 0, table: TABLE.MAIN, protocol: 0, scope: 0, type: r.type, flags: (RTM_F_CLONED | (local ? RTCF_LOCAL : 0)) >>> 0 };
    ctx.out.push({ type: 'RTM_NEWROUTE', header, attrs });
    return;
  }
  const prefsrc = local ? text : ctx.ns.addrs6.find((x) => x.link === oif && x.scope === SCOPE.UNIVERSE)?.address ?? ctx.ns.addrs6.find((x) => x.link === oif)?.address;
  const attrs: Record<string, unknown> = { table: r.table, dst: text, src: '::' };
  if (prefsrc !== undefined) attrs['prefsrc'] = prefsrc;
  attrs['priority'] = r.priority ?? 0;
  if (r.nh.gateway !== undefined) attrs['gateway'] = r.nh.gateway;
  if (oif) attrs['oif'] = oif.index;
  attrs['cacheinfo'] = cacheinfo;
  attrs['pref'] = r.pref;
  const header = { family, dst_len: 128, src_len: 128, tos: 0, table: r.table, protocol: r.protocol, scope: 0, type: r.type, flags: 0 };
  ctx.out.push({ type: 'RTM_NEWROUTE', header, attrs });
}

function dumproutes(ctx: Ctx) {
  const h = ctx.req.header as Rtmsg;
  const a = ctx.req.attrs as RouteAttrs;
  const strict = ctx.sock.strictCheck;
  const table = strict ? a.table ?? (h.table || undefined) : undefined;
  const items = sortedRoutes(ctx.ns, h.family)
    .filter((r) => table === undefined || r.table === table)
    .map((r) => ({ type: 'RTM_NEWROUTE', ...fillRoute(r) }));
  return { items, filtered: strict };
}

/** The route message handlers. */
export const routeHandlers: Record<string, Handler> = {
  RTM_NEWROUTE: { do: newroute },
  RTM_DELROUTE: { do: delroute },
  RTM_GETROUTE: { do: getroute, dump: dumproutes },
};
