/**
 * What IPv6 does by itself in the mock kernel (net/ipv6/addrconf.c): when a device is up and
 * operationally up it becomes "ready" (IF_READY) and gets the ff00::/8 multicast route and, unless
 * its addr_gen_mode is none, a link-local address from its MAC (EUI-64) with the fe80::/64 route;
 * duplicate address detection then completes (at once here, after a second or so in a kernel),
 * which adds the address's local route and sends a router solicitation (IF_RS_SENT). A device
 * going down loses every IPv6 address (keep_addr_on_down is 0) and its IPv6 routes.
 * @module
 */
import { AF, ADDR_GEN, GROUP, IF6, IFA_F, IFAPROT, IFF, RTN, SCOPE, TABLE, ARPHRD } from './constants.js';
import type { Ctx, MockKernel } from './kernel.js';
import type { Addr6, Link } from './state.js';
import { eui64LinkLocal, ipBytes, ipText, prefix, samePrefix } from './ip.js';
import { kernelRoute6, linkGone, removeRoutes } from './routes.js';
import { operUp } from './links.js';

/** IP6_RT_PRIO_ADDRCONF: metric of the routes addrconf makes. */
const PRIO_ADDRCONF = 256;
const INFINITY = 0xffffffff;

/** The header and attributes of an IPv6 address message. */
export function fillAddr6(a: Addr6): { header: Record<string, unknown>; attrs: Record<string, unknown> } {
  const attrs: Record<string, unknown> = {};
  if (a.peer !== undefined) {
    attrs['local'] = a.address;
    attrs['address'] = a.peer;
  } else attrs['address'] = a.address;
  attrs['cacheinfo'] = { prefered: INFINITY, valid: INFINITY, cstamp: 0, tstamp: 0 };
  attrs['flags'] = a.flags;
  if (a.rtPriority) attrs['rt_priority'] = a.rtPriority;
  if (a.proto !== undefined) attrs['proto'] = a.proto;
  return { header: { family: AF.INET6, prefixlen: a.prefixlen, flags: a.flags & 0xff, scope: a.scope, index: a.link.index }, attrs };
}

function notify6(k: MockKernel, type: 'RTM_NEWADDR' | 'RTM_DELADDR', a: Addr6, ctx: Ctx | undefined): void {
  k.notify(a.link.ns, GROUP.IPV6_IFADDR, () => ({ type, ...fillAddr6(a) }), ctx);
}

/** ipv6_addr_src_scope, the order of a device's address list (larger first). */
function srcScope(addr: string): number {
  const b = ipBytes(addr)!;
  if (b.every((x, i) => x === (i === 15 ? 1 : 0))) return 0x1;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 0x2;
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0xc0) return 0x5;
  return 0xe;
}

/** The rtm scope reported for an address. */
function rtScope(addr: string): number {
  const s = srcScope(addr);
  return s === 0x1 ? SCOPE.HOST : s === 0x2 ? SCOPE.LINK : s === 0x5 ? SCOPE.SITE : SCOPE.UNIVERSE;
}

/** addrconf_link_ready: operationally up with a qdisc attached. */
function linkReady(link: Link): boolean {
  return link.up && operUp(link) && link.opened;
}

/** Fields of a new IPv6 address. */
export interface NewAddr6 {
  address: string;
  peer?: string | undefined;
  prefixlen: number;
  flags: number;
  proto?: number | undefined;
  rtPriority?: number;
}

/**
 * ipv6_add_addr + the prefix route + DAD: adds an address to `link` (tentative until DAD is done;
 * done at once when the link is ready).
 */
export function addAddr6(k: MockKernel, link: Link, n: NewAddr6, ctx: Ctx | undefined): Addr6 {
  const ns = link.ns;
  const dad = !(n.flags & IFA_F.NODAD) && !(link.baseFlags & (IFF.LOOPBACK | IFF.NOARP));
  const a: Addr6 = {
    link,
    address: ipText(ipBytes(n.address)!),
    peer: n.peer,
    prefixlen: n.prefixlen,
    flags: (n.flags | IFA_F.PERMANENT | (dad ? IFA_F.TENTATIVE : 0)) >>> 0,
    scope: rtScope(n.address),
    proto: n.proto,
    rtPriority: n.rtPriority ?? 0,
    created: k.tick(),
  };
  // Newest first among addresses of the same scope; larger scopes first.
  const mine = ns.addrs6.filter((x) => x.link === link);
  const s = srcScope(a.address);
  const next = mine.find((x) => s >= srcScope(x.address));
  if (next) ns.addrs6.splice(ns.addrs6.indexOf(next), 0, a);
  else if (mine.length) ns.addrs6.splice(ns.addrs6.indexOf(mine.at(-1)!) + 1, 0, a);
  else ns.addrs6.push(a);
  notify6(k, 'RTM_NEWADDR', a, ctx);
  prefixRoute(k, a);
  if (!(a.flags & IFA_F.TENTATIVE)) dadCompleted(k, a, ctx);
  else if (linkReady(link) && link.inet6.ready) dadCompleted(k, a, ctx);
  return a;
}

/** addrconf_prefix_route: the address's prefix in the main table (it fails, silently, while the device is down). */
function prefixRoute(k: MockKernel, a: Addr6): void {
  if (a.flags & IFA_F.NOPREFIXROUTE || a.link.kind === undefined || !a.link.up) return;
  kernelRoute6(k, a.link, { dst: ipText(prefix(ipBytes(a.address)!, a.prefixlen)), dstLen: a.prefixlen, priority: a.rtPriority || PRIO_ADDRCONF }, a);
}

/** DAD found no duplicate: the address is usable, with its local route. */
function dadCompleted(k: MockKernel, a: Addr6, ctx: Ctx | undefined): void {
  const wasTentative = (a.flags & IFA_F.TENTATIVE) !== 0;
  a.flags &= ~IFA_F.TENTATIVE;
  if (wasTentative) notify6(k, 'RTM_NEWADDR', a, ctx);
  kernelRoute6(k, a.link, { dst: a.address, dstLen: 128, table: TABLE.LOCAL, type: RTN.LOCAL, priority: 0 }, a);
  if (a.scope === SCOPE.LINK && !(a.link.baseFlags & IFF.LOOPBACK)) a.link.inet6.rsSent = true;
}

/** inet6_addr_del: the address, its local route and (unless another address shares it) its prefix route. */
export function delAddr6(k: MockKernel, a: Addr6, ctx: Ctx | undefined): void {
  const ns = a.link.ns;
  const i = ns.addrs6.indexOf(a);
  if (i < 0) return;
  ns.addrs6.splice(i, 1);
  notify6(k, 'RTM_DELADDR', a, ctx);
  const heir = ns.addrs6.find((x) => x.link === a.link && x.prefixlen === a.prefixlen && samePrefix(ipBytes(x.address)!, ipBytes(a.address)!, a.prefixlen));
  for (const r of ns.routes) if (r.owner === a && r.dstLen !== 128 && heir) r.owner = heir;
  removeRoutes(k, ns, (r) => r.owner === a, ctx);
}

/** addrconf_dev_config: the device became ready. */
function configure(k: MockKernel, link: Link, ctx: Ctx | undefined): void {
  link.inet6.ready = true;
  if (link.baseFlags & IFF.LOOPBACK) {
    if (!link.ns.addrs6.some((a) => a.link === link)) addAddr6(k, link, { address: '::1', prefixlen: 128, flags: 0, proto: IFAPROT.KERNEL_LO }, ctx);
    return;
  }
  if (!link.inet6.configured) {
    link.inet6.configured = true;
    kernelRoute6(k, link, { dst: 'ff00::', dstLen: 8, table: TABLE.LOCAL, type: RTN.MULTICAST, priority: PRIO_ADDRCONF }, undefined);
    if (link.inet6.addrGenMode !== ADDR_GEN.NONE && link.arphrd === ARPHRD.ETHER && link.address !== undefined) {
      const ll = eui64LinkLocal(link.address);
      if (!link.ns.addrs6.some((a) => a.link === link && a.address === ll)) addAddr6(k, link, { address: ll, prefixlen: 64, flags: 0, proto: IFAPROT.KERNEL_LL }, ctx);
    }
  }
  for (const a of link.ns.addrs6.filter((x) => x.link === link && x.flags & IFA_F.TENTATIVE)) dadCompleted(k, a, ctx);
}

/** addrconf_ifdown: every IPv6 address and route of the device goes. */
function ifdown(k: MockKernel, link: Link, ctx: Ctx | undefined): void {
  for (const a of link.ns.addrs6.filter((x) => x.link === link)) {
    link.ns.addrs6.splice(link.ns.addrs6.indexOf(a), 1);
    notify6(k, 'RTM_DELADDR', a, ctx);
  }
  linkGone(k, link, 10, ctx);
  link.inet6.ready = false;
  link.inet6.rsSent = false;
  link.inet6.configured = false;
}

/** How IPv6 reacts to device events (addrconf_notify). */
export function addrconfEvent(k: MockKernel, link: Link, ev: string, ctx: Ctx | undefined): void {
  // addrconf_permanent_addr: addresses added while the device was down get their prefix routes.
  if (ev === 'UP') for (const a of link.ns.addrs6.filter((x) => x.link === link)) prefixRoute(k, a);
  if (ev === 'UP' || ev === 'CHANGE') {
    if (linkReady(link) && (!link.inet6.ready || !link.inet6.configured || ev === 'UP')) configure(k, link, ctx);
  } else if (ev === 'DOWN' || ev === 'UNREGISTER') {
    ifdown(k, link, ctx);
  }
}
