/**
 * Neighbours (ARP and NDP entries) in the mock kernel: RTM_NEWNEIGH/DELNEIGH/GETNEIGH with the
 * kernel's NLM_F_* rules (net/core/neighbour.c). Entries are only the ones asked for: the mock
 * sends no packets, so it never resolves addresses nor makes the NOARP entries a kernel makes
 * for the multicast groups it talks to.
 * @module
 */
import { E, fail } from './errors.js';
import { AF, GROUP } from './constants.js';
import type { Ctx, Handler, MockKernel } from './kernel.js';
import type { Link, Neigh } from './state.js';
import { ipBytes, sameIp } from './ip.js';

/** The header and attributes of a neighbour message. */
export function fillNeigh(n: Neigh): { header: Record<string, unknown>; attrs: Record<string, unknown> } {
  const attrs: Record<string, unknown> = { dst: n.dst };
  if (n.lladdr !== undefined) attrs['lladdr'] = n.lladdr;
  attrs['probes'] = 0;
  attrs['cacheinfo'] = { confirmed: 0, used: 0, updated: 0, refcnt: 0 };
  if (n.proto !== undefined) attrs['protocol'] = n.proto;
  return { header: { family: n.family, ifindex: n.link.index, state: n.state, flags: n.flags, type: 1 }, attrs };
}

function notify(k: MockKernel, type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH', n: Neigh, ctx: Ctx | undefined): void {
  k.notify(n.link.ns, GROUP.NEIGH, () => ({ type, ...fillNeigh(n) }), ctx);
}

/** How the neighbour tables react to device events (neigh_ifdown, neigh_changeaddr: every entry goes). */
export function neighEvent(k: MockKernel, link: Link, ev: string, ctx: Ctx | undefined): void {
  if (ev !== 'DOWN' && ev !== 'UNREGISTER' && ev !== 'CHANGEADDR') return;
  const ns = link.ns;
  for (const n of ns.neighs.filter((x) => x.link === link)) {
    ns.neighs.splice(ns.neighs.indexOf(n), 1);
    notify(k, 'RTM_DELNEIGH', n, ctx);
  }
}

interface Ndmsg {
  family?: number;
  ifindex?: number;
  state?: number;
  flags?: number;
}

interface NeighAttrs {
  dst?: string;
  lladdr?: string;
  protocol?: number;
  ifindex?: number;
  master?: number;
}

function lookup(ctx: Ctx): { link: Link; family: 2 | 10; dst: string } {
  const h = ctx.req.header as Ndmsg;
  const a = ctx.req.attrs as NeighAttrs;
  if (h.family !== AF.INET && h.family !== AF.INET6) fail(E.EAFNOSUPPORT);
  if (a.dst === undefined) fail(E.EINVAL);
  const link = ctx.ns.links.get(h.ifindex ?? 0) ?? fail(E.ENODEV);
  const b = ipBytes(a.dst);
  if (!b || b.length !== (h.family === AF.INET ? 4 : 16)) fail(E.EINVAL);
  return { link, family: h.family, dst: a.dst };
}

function newneigh(ctx: Ctx): void {
  const { link, family, dst } = lookup(ctx);
  const h = ctx.req.header as Ndmsg;
  const a = ctx.req.attrs as NeighAttrs;
  const flags = ctx.req.flags;
  const existing = ctx.ns.neighs.find((n) => n.link === link && n.family === family && sameIp(n.dst, dst));
  if (existing) {
    if (flags.includes('NLM_F_EXCL')) fail(E.EEXIST);
    if (a.lladdr !== undefined) existing.lladdr = a.lladdr;
    existing.state = h.state ?? existing.state;
    if (a.protocol !== undefined) existing.proto = a.protocol;
    notify(ctx.kernel, 'RTM_NEWNEIGH', existing, ctx);
    return;
  }
  if (!flags.includes('NLM_F_CREATE')) fail(E.ENOENT);
  const n: Neigh = { link, family, dst, lladdr: a.lladdr, state: h.state ?? 0, flags: h.flags ?? 0, proto: a.protocol, created: ctx.kernel.tick() };
  ctx.ns.neighs.push(n);
  notify(ctx.kernel, 'RTM_NEWNEIGH', n, ctx);
}

function delneigh(ctx: Ctx): void {
  const { link, family, dst } = lookup(ctx);
  const n = ctx.ns.neighs.find((x) => x.link === link && x.family === family && sameIp(x.dst, dst));
  if (!n) fail(E.ENOENT);
  ctx.ns.neighs.splice(ctx.ns.neighs.indexOf(n), 1);
  notify(ctx.kernel, 'RTM_DELNEIGH', n, ctx);
}

function dumpneighs(ctx: Ctx) {
  const h = ctx.req.header as Ndmsg;
  const a = ctx.req.attrs as NeighAttrs;
  const strict = ctx.sock.strictCheck;
  const family = h.family ?? 0;
  const ifindex = strict ? a.ifindex ?? h.ifindex ?? 0 : 0;
  const master = strict ? a.master : undefined;
  const items = ctx.ns.neighs
    .filter((n) => (family === 0 || n.family === family) && (!ifindex || n.link.index === ifindex) && (master === undefined || n.link.master?.index === master))
    .sort((x, y) => (x.family === y.family ? 0 : x.family === AF.INET ? -1 : 1))
    .map((n) => ({ type: 'RTM_NEWNEIGH', ...fillNeigh(n) }));
  return { items, filtered: ifindex !== 0 || master !== undefined };
}

/** The neighbour message handlers. */
export const neighHandlers: Record<string, Handler> = {
  RTM_NEWNEIGH: { do: newneigh },
  RTM_DELNEIGH: { do: delneigh },
  RTM_GETNEIGH: { dump: dumpneighs },
};
