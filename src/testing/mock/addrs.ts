/**
 * Addresses in the mock kernel: RTM_NEWADDR/DELADDR/GETADDR for IPv4 (net/ipv4/devinet.c, with
 * primary and secondary addresses and the routes fib_add_ifaddr makes: local, prefix,
 * broadcast) and IPv6 (net/ipv6/addrconf.c; see addrconf.ts for what IPv6 does by itself).
 * @module
 */
import { E, fail, TEXT } from './errors.js';
import { AF, GROUP, IFA_F, IFF, RTN, SCOPE } from './constants.js';
import type { Ctx, Handler, MockKernel } from './kernel.js';
import type { Addr4, Addr6, Link, Netns } from './state.js';
import { ipBytes, ipText, lastAddress, prefix, sameIp, samePrefix } from './ip.js';
import { ipv4LinkDown, ipv4LinkUp, kernelRoute4, linkGone, removeRoutes } from './routes.js';
import { addAddr6, delAddr6, fillAddr6 } from './addrconf.js';

const INFINITY = 0xffffffff;

/** The header and attributes of an IPv4 address message. */
export function fillAddr4(a: Addr4): { header: Record<string, unknown>; attrs: Record<string, unknown> } {
  const attrs: Record<string, unknown> = { address: a.address, local: a.local };
  if (a.broadcast !== undefined) attrs['broadcast'] = a.broadcast;
  attrs['label'] = a.label;
  attrs['flags'] = a.flags;
  attrs['cacheinfo'] = { prefered: INFINITY, valid: INFINITY, cstamp: 0, tstamp: 0 };
  if (a.rtPriority) attrs['rt_priority'] = a.rtPriority;
  if (a.proto !== undefined) attrs['proto'] = a.proto;
  return { header: { family: AF.INET, prefixlen: a.prefixlen, flags: a.flags & 0xff, scope: a.scope, index: a.link.index }, attrs };
}

function notify4(k: MockKernel, type: 'RTM_NEWADDR' | 'RTM_DELADDR', a: Addr4, ctx: Ctx | undefined): void {
  k.notify(a.link.ns, GROUP.IPV4_IFADDR, () => ({ type, ...fillAddr4(a) }), ctx);
}

/** The primary address a secondary one hangs on (or itself). */
function primaryOf(a: Addr4): Addr4 {
  if (!(a.flags & IFA_F.SECONDARY)) return a;
  const me = ipBytes(a.address)!;
  return a.link.ns.addrs4.find((p) => p.link === a.link && !(p.flags & IFA_F.SECONDARY) && p.prefixlen === a.prefixlen && samePrefix(ipBytes(p.address)!, me, a.prefixlen)) ?? a;
}

/** fib_add_ifaddr: the routes of an address (local always; prefix and broadcast while the link is up). */
function fibAdd(k: MockKernel, a: Addr4): void {
  const prim = primaryOf(a);
  const local = ipBytes(a.local)!;
  kernelRoute4(k, a, RTN.LOCAL, local, 32, prim);
  if (!a.link.up) return;
  if (a.broadcast !== undefined && a.broadcast !== '255.255.255.255') kernelRoute4(k, a, RTN.BROADCAST, ipBytes(a.broadcast)!, 32, prim);
  const addr = ipBytes(a.address)!;
  const net = prefix(addr, a.prefixlen);
  if (net[0] !== 0 && !(a.flags & IFA_F.SECONDARY) && (ipText(net) !== a.local || a.prefixlen < 32)) {
    if (!(a.flags & IFA_F.NOPREFIXROUTE)) kernelRoute4(k, a, a.link.baseFlags & IFF.LOOPBACK ? RTN.LOCAL : RTN.UNICAST, net, a.prefixlen, prim);
    if (a.prefixlen < 31) kernelRoute4(k, a, RTN.BROADCAST, lastAddress(addr, a.prefixlen), 32, prim);
  }
}

/** inet_insert_ifa: secondary when a primary covers the subnet; primaries ordered by scope. */
function insert4(k: MockKernel, a: Addr4, ctx: Ctx | undefined): void {
  const ns = a.link.ns;
  const mine = ns.addrs4.filter((x) => x.link === a.link);
  const me = ipBytes(a.address)!;
  let lastPrimary = -1;
  mine.forEach((x, i) => {
    if (!(x.flags & IFA_F.SECONDARY) && a.scope <= x.scope) lastPrimary = i;
    if (x.prefixlen === a.prefixlen && samePrefix(ipBytes(x.address)!, me, a.prefixlen)) {
      if (x.local === a.local) fail(E.EEXIST, TEXT.ipv4AddressExists);
      a.flags |= IFA_F.SECONDARY;
    }
  });
  const after = a.flags & IFA_F.SECONDARY ? mine.at(-1) : mine[lastPrimary];
  const before = a.flags & IFA_F.SECONDARY ? undefined : mine[lastPrimary + 1];
  if (before) ns.addrs4.splice(ns.addrs4.indexOf(before), 0, a);
  else if (after) ns.addrs4.splice(ns.addrs4.indexOf(after) + 1, 0, a);
  else ns.addrs4.push(a);
  notify4(k, 'RTM_NEWADDR', a, ctx);
  fibAdd(k, a);
}

/** __inet_del_ifa without promote_secondaries: a primary takes its secondaries with it. */
function del4(k: MockKernel, a: Addr4, ctx: Ctx | undefined): void {
  const ns = a.link.ns;
  if (!(a.flags & IFA_F.SECONDARY)) {
    const me = ipBytes(a.address)!;
    for (const s of ns.addrs4.filter((x) => x.link === a.link && x.flags & IFA_F.SECONDARY && x.prefixlen === a.prefixlen && samePrefix(ipBytes(x.address)!, me, a.prefixlen))) del4(k, s, ctx);
  }
  const i = ns.addrs4.indexOf(a);
  if (i < 0) return;
  ns.addrs4.splice(i, 1);
  notify4(k, 'RTM_DELADDR', a, ctx);
  removeRoutes(k, ns, (r) => r.owner === a, ctx);
  // fib_inetaddr_event: the last address gone disables IPv4 on the device (every route through it goes).
  if (!ns.addrs4.some((x) => x.link === a.link)) ipv4LinkDown(k, a.link, ctx);
}

/** How IPv4 reacts to device events (inetdev_event, fib_netdev_event). */
export function inetEvent(k: MockKernel, link: Link, ev: string, ctx: Ctx | undefined): void {
  const ns = link.ns;
  if (ev === 'UP') {
    if (link.baseFlags & IFF.LOOPBACK && !ns.addrs4.some((a) => a.link === link && a.local === '127.0.0.1')) {
      insert4(k, { link, local: '127.0.0.1', address: '127.0.0.1', prefixlen: 8, broadcast: undefined, label: link.name, flags: IFA_F.PERMANENT, scope: SCOPE.HOST, proto: undefined, rtPriority: 0, created: k.tick() }, undefined);
    }
    ipv4LinkUp(link);
    for (const a of ns.addrs4.filter((x) => x.link === link)) fibAdd(k, a);
  } else if (ev === 'DOWN') {
    ipv4LinkDown(k, link, ctx);
  } else if (ev === 'UNREGISTER') {
    for (const a of ns.addrs4.filter((x) => x.link === link).reverse()) {
      ns.addrs4.splice(ns.addrs4.indexOf(a), 1);
      notify4(k, 'RTM_DELADDR', a, ctx);
    }
    linkGone(k, link, 2, ctx);
  }
}

// ---------------------------------------------------------------------------------------------
// Messages

interface Ifaddrmsg {
  family?: number;
  prefixlen?: number;
  flags?: number;
  scope?: number;
  index?: number;
}

interface AddrAttrs {
  address?: string;
  local?: string;
  broadcast?: string;
  label?: string;
  flags?: number;
  rt_priority?: number;
  proto?: number;
}

function newaddr4(ctx: Ctx, h: Ifaddrmsg, a: AddrAttrs): void {
  if ((h.prefixlen ?? 0) > 32) fail(E.EINVAL, TEXT.ipv4BadPrefix);
  if (a.local === undefined && a.address === undefined) fail(E.EINVAL, TEXT.ipv4NoLocal);
  const link = ctx.ns.links.get(h.index ?? 0) ?? fail(E.ENODEV, TEXT.ipv4NoDevice);
  const local = a.local ?? a.address!;
  const addr: Addr4 = {
    link,
    local,
    address: a.address ?? local,
    prefixlen: h.prefixlen ?? 0,
    broadcast: a.broadcast,
    label: a.label ?? link.name,
    flags: ((a.flags ?? h.flags ?? 0) & ~IFA_F.SECONDARY) | IFA_F.PERMANENT,
    scope: h.scope ?? 0,
    proto: a.proto,
    rtPriority: a.rt_priority ?? 0,
    created: ctx.kernel.tick(),
  };
  const existing = ctx.ns.addrs4.find((x) => x.link === link && x.local === addr.local && x.prefixlen === addr.prefixlen && samePrefix(ipBytes(x.address)!, ipBytes(addr.address)!, addr.prefixlen));
  if (existing) {
    if (ctx.req.flags.includes('NLM_F_EXCL') || !ctx.req.flags.includes('NLM_F_REPLACE')) fail(E.EEXIST, TEXT.ipv4AddressExists);
    existing.rtPriority = addr.rtPriority;
    if (a.proto !== undefined) existing.proto = a.proto;
    notify4(ctx.kernel, 'RTM_NEWADDR', existing, ctx);
    return;
  }
  insert4(ctx.kernel, addr, ctx);
}

function deladdr4(ctx: Ctx, h: Ifaddrmsg, a: AddrAttrs): void {
  const link = ctx.ns.links.get(h.index ?? 0) ?? fail(E.ENODEV, TEXT.ipv4NoDevice);
  const hit = ctx.ns.addrs4.find(
    (x) =>
      x.link === link &&
      (a.local === undefined || sameIp(x.local, a.local)) &&
      (a.label === undefined || x.label === a.label) &&
      (a.address === undefined || (x.prefixlen === (h.prefixlen ?? 0) && samePrefix(ipBytes(x.address)!, ipBytes(a.address)!, x.prefixlen))),
  );
  if (!hit) fail(E.EADDRNOTAVAIL, TEXT.ipv4AddressNotFound);
  del4(ctx.kernel, hit, ctx);
}

function newaddr(ctx: Ctx): void {
  const h = ctx.req.header as Ifaddrmsg;
  const a = ctx.req.attrs as AddrAttrs;
  if (h.family === AF.INET) return newaddr4(ctx, h, a);
  if (h.family === AF.INET6) return addAddr6FromRequest(ctx, h, a);
  fail(E.EAFNOSUPPORT);
}

function addAddr6FromRequest(ctx: Ctx, h: Ifaddrmsg, a: AddrAttrs): void {
  if ((h.prefixlen ?? 0) > 128) fail(E.EINVAL, TEXT.ipv6BadPrefix);
  const link = ctx.ns.links.get(h.index ?? 0) ?? fail(E.ENODEV, TEXT.ipv6NoDevice);
  const address = a.local ?? a.address;
  if (address === undefined) fail(E.EINVAL);
  const existing = ctx.ns.addrs6.find((x) => x.link === link && sameIp(x.address, address));
  if (existing) {
    if (ctx.req.flags.includes('NLM_F_EXCL') || !ctx.req.flags.includes('NLM_F_REPLACE')) fail(E.EEXIST, TEXT.ipv6AddressExists);
    return;
  }
  const allowed = IFA_F.NODAD | IFA_F.HOMEADDRESS | IFA_F.MANAGETEMPADDR | IFA_F.NOPREFIXROUTE | IFA_F.OPTIMISTIC | 0x400;
  addAddr6(ctx.kernel, link, { address, peer: a.local !== undefined && a.address !== undefined && !sameIp(a.local, a.address) ? a.address : undefined, prefixlen: h.prefixlen ?? 0, flags: (a.flags ?? h.flags ?? 0) & allowed, proto: a.proto, rtPriority: a.rt_priority ?? 0 }, ctx);
}

function deladdr(ctx: Ctx): void {
  const h = ctx.req.header as Ifaddrmsg;
  const a = ctx.req.attrs as AddrAttrs;
  if (h.family === AF.INET) return deladdr4(ctx, h, a);
  if (h.family === AF.INET6) {
    const link = ctx.ns.links.get(h.index ?? 0) ?? fail(E.ENODEV, TEXT.ipv6NoDevice);
    const address = a.local ?? a.address;
    const hit = ctx.ns.addrs6.find((x) => x.link === link && sameIp(x.address, address) && x.prefixlen === (h.prefixlen ?? 0));
    if (!hit) fail(E.EADDRNOTAVAIL, TEXT.ipv6AddressNotFound);
    return delAddr6(ctx.kernel, hit, ctx);
  }
  fail(E.EAFNOSUPPORT);
}

/** Addresses of `ns` in dump order: IPv4 then IPv6, each by device and the device's list order. */
export function sortedAddrs(ns: Netns, family = 0, index = 0): Array<Addr4 | Addr6> {
  const byLink = <T extends { link: Link }>(list: T[]) => [...list].filter((x) => !index || x.link.index === index).sort((x, y) => x.link.index - y.link.index);
  const out: Array<Addr4 | Addr6> = [];
  if (family === 0 || family === AF.INET) out.push(...byLink(ns.addrs4));
  if (family === 0 || family === AF.INET6) out.push(...byLink(ns.addrs6));
  return out;
}

function dumpaddrs(ctx: Ctx) {
  const h = ctx.req.header as Ifaddrmsg;
  const index = ctx.sock.strictCheck ? h.index ?? 0 : 0;
  const items = sortedAddrs(ctx.ns, h.family ?? 0, index).map((x) => ({ type: 'RTM_NEWADDR', ...('local' in x ? fillAddr4(x) : fillAddr6(x)) }));
  return { items, filtered: index !== 0 };
}

/** The address message handlers. */
export const addrHandlers: Record<string, Handler> = {
  RTM_NEWADDR: { do: newaddr },
  RTM_DELADDR: { do: deladdr },
  RTM_GETADDR: { dump: dumpaddrs },
};
