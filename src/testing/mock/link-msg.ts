/**
 * RTM_NEWLINK, RTM_SETLINK, RTM_DELLINK and RTM_GETLINK in the mock kernel, checked in the order
 * net/core/rtnetlink.c checks them (policy, then the device, then the kind, then each change).
 * @module
 */
import type { Attrs } from '../../netlink/codec.js';
import { E, fail, KernelError, POLICY, TEXT } from './errors.js';
import { IFF, RTEXT_FILTER_SKIP_STATS, ADDR_GEN } from './constants.js';
import type { Ctx, Handler, MockKernel } from './kernel.js';
import type { Link, Netns } from './state.js';
import { announceLink, closeLink, deleteLink, linkChanged, moveLink, openLink, renameLink, setAddress, setMtu } from './links.js';
import { setMaster } from './bridge.js';
import { createOfKind } from './kinds.js';
import { fillLink } from './link-fill.js';

interface Ifinfo {
  index?: number;
  flags?: number;
  change?: number;
}

interface LinkAttrs {
  ifname?: string;
  alt_ifname?: string | string[];
  mtu?: number;
  address?: string;
  broadcast?: string;
  txqlen?: number;
  group?: number;
  ifalias?: string;
  master?: number;
  link?: number;
  net_ns_fd?: number;
  net_ns_pid?: number;
  ext_mask?: number;
  linkinfo?: { kind?: string; data?: Attrs; slave_kind?: string; slave_data?: Attrs };
  af_spec?: { inet6?: { addr_gen_mode?: number; token?: string } };
}

/** ifla_policy checks that the differential test saw the kernel make (string lengths). */
function checkPolicy(attrs: LinkAttrs, path: readonly string[] = []): void {
  for (const key of ['ifname', 'alt_ifname'] as const) {
    const v = attrs[key];
    for (const name of Array.isArray(v) ? v : v === undefined ? [] : [v]) {
      if (Buffer.byteLength(name) > 15) {
        throw new KernelError(E.ERANGE, { message: TEXT.policy, attr: [...path, key === 'ifname' ? 'IFLA_IFNAME' : 'IFLA_ALT_IFNAME'], policy: POLICY.ifname });
      }
    }
  }
}

/** The device a request names: by ifi_index, else by IFLA_IFNAME/IFLA_ALT_IFNAME. */
function findLink(ns: Netns, h: Ifinfo, a: LinkAttrs): { link: Link | undefined; specified: boolean } {
  if ((h.index ?? 0) > 0) return { link: ns.links.get(h.index!), specified: true };
  const name = a.ifname ?? (Array.isArray(a.alt_ifname) ? a.alt_ifname[0] : a.alt_ifname);
  if (name !== undefined) return { link: ns.byName(name), specified: true };
  return { link: undefined, specified: false };
}

function targetNs(k: MockKernel, ctx: Ctx, a: LinkAttrs): Netns | undefined {
  if (a.net_ns_fd !== undefined) return k.nsByFd(a.net_ns_fd) ?? fail(E.EBADF);
  if (a.net_ns_pid !== undefined) fail(E.ESRCH);
  return undefined;
}

/** rtnl_dev_combine_flags. */
function combine(link: Link, h: Ifinfo): number {
  const cur = link.up ? IFF.UP : 0;
  const flags = h.flags ?? 0;
  return h.change ? (flags & h.change) | (cur & ~h.change) : flags;
}

/** do_setlink: the changes of an RTM_NEWLINK/RTM_SETLINK for an existing device, in the kernel's order. */
function doSetlink(k: MockKernel, ctx: Ctx, link: Link, h: Ifinfo, a: LinkAttrs): void {
  let changed = false;
  const to = targetNs(k, ctx, a);
  if (to && to !== link.ns) {
    moveLink(k, link, to, ctx);
    changed = true;
  }
  if (a.address !== undefined) changed = setAddress(k, link, a.address, ctx) || changed;
  if (a.mtu !== undefined) {
    changed = setMtu(k, link, a.mtu, ctx) || changed;
    if (link.bridge) link.bridge.mtuSet = true;
  }
  if (a.group !== undefined) link.group = a.group;
  if ((h.index ?? 0) > 0 && a.ifname !== undefined) changed = renameLink(link, a.ifname) || changed;
  if (a.ifalias !== undefined) {
    link.alias = a.ifalias === '' ? undefined : a.ifalias;
    changed = true;
  }
  if (a.broadcast !== undefined) link.broadcast = a.broadcast;
  if (h.flags || h.change) {
    const want = combine(link, h);
    if ((want & IFF.UP) && !link.up) openLink(k, link, ctx);
    else if (!(want & IFF.UP) && link.up) closeLink(k, link, ctx);
    changed = true;
  }
  if (a.master !== undefined) {
    const master = a.master === 0 ? undefined : link.ns.links.get(a.master) ?? fail(E.EINVAL);
    changed = setMaster(k, link, master, ctx) || changed;
  }
  if (a.txqlen !== undefined && a.txqlen !== link.txqlen) {
    link.txqlen = a.txqlen;
    changed = true;
  }
  const mode = a.af_spec?.inet6?.addr_gen_mode;
  if (mode !== undefined) {
    if (mode > ADDR_GEN.RANDOM) fail(E.EINVAL);
    link.inet6.addrGenMode = mode;
    changed = true;
  }
  if (changed) linkChanged(k, link, ctx);
}

function newlink(ctx: Ctx): void {
  const k = ctx.kernel;
  const h = ctx.req.header as Ifinfo;
  const a = ctx.req.attrs as LinkAttrs;
  checkPolicy(a);
  const peer = (a.linkinfo?.data as { peer?: { attrs?: LinkAttrs } } | undefined)?.peer?.attrs;
  if (a.linkinfo?.kind === 'veth' && peer) checkPolicy(peer, ['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'VETH_INFO_PEER']);
  const kind = a.linkinfo?.kind;
  if (kind === 'tun') fail(E.EOPNOTSUPP, TEXT.tunViaRtnetlink);
  const { link } = findLink(ctx.ns, h, a);
  const flags = ctx.req.flags;
  if (link) {
    if (flags.includes('NLM_F_EXCL')) fail(E.EEXIST);
    if (flags.includes('NLM_F_REPLACE')) fail(E.EOPNOTSUPP);
    if (a.linkinfo?.data !== undefined) {
      if (kind !== undefined && kind !== link.kind) fail(E.EOPNOTSUPP);
      if (link.kind !== 'bridge' || !link.data) fail(E.EOPNOTSUPP);
      Object.assign(link.data, a.linkinfo.data);
    }
    doSetlink(k, ctx, link, h, a);
    return;
  }
  if (!flags.includes('NLM_F_CREATE')) fail(E.ENODEV);
  if (kind === undefined) fail(E.EOPNOTSUPP, TEXT.unknownKind);
  const ns = targetNs(k, ctx, a) ?? ctx.ns;
  const created = createOfKind(k, kind, { ctx, ns, name: a.ifname ?? `${kind}%d`, index: h.index ?? 0, attrs: a as Attrs, data: a.linkinfo?.data });
  const dev = created[0]!;
  if (a.ifalias !== undefined && a.ifalias !== '') dev.alias = a.ifalias;
  // rtnl_configure_link: the flags asked for, then the announcement; the master after that.
  if (h.flags || h.change) {
    if (combine(dev, h) & IFF.UP) openLink(k, dev, ctx);
  }
  announceLink(k, dev, ctx);
  if (a.master !== undefined && a.master !== 0) {
    const master = ns.links.get(a.master) ?? fail(E.EINVAL);
    setMaster(k, dev, master, ctx);
  }
}

function setlink(ctx: Ctx): void {
  const h = ctx.req.header as Ifinfo;
  const a = ctx.req.attrs as LinkAttrs;
  checkPolicy(a);
  const { link } = findLink(ctx.ns, h, a);
  if (!link) fail(E.ENODEV);
  doSetlink(ctx.kernel, ctx, link, h, a);
}

function dellink(ctx: Ctx): void {
  const h = ctx.req.header as Ifinfo;
  const a = ctx.req.attrs as LinkAttrs;
  checkPolicy(a);
  const { link, specified } = findLink(ctx.ns, h, a);
  if (!link) fail(specified ? E.ENODEV : E.EINVAL);
  deleteLink(link, ctx);
}

function getlink(ctx: Ctx): void {
  const h = ctx.req.header as Ifinfo;
  const a = ctx.req.attrs as LinkAttrs;
  checkPolicy(a);
  const { link, specified } = findLink(ctx.ns, h, a);
  if (!specified) fail(E.EINVAL);
  if (!link) fail(E.ENODEV);
  const skipStats = ((a.ext_mask ?? 0) & RTEXT_FILTER_SKIP_STATS) !== 0;
  ctx.out.push({ type: 'RTM_NEWLINK', ...fillLink(ctx.kernel, link, ctx.ns, { skipStats }) });
}

function dumplinks(ctx: Ctx) {
  const a = ctx.req.attrs as LinkAttrs;
  const skipStats = ((a.ext_mask ?? 0) & RTEXT_FILTER_SKIP_STATS) !== 0;
  const master = ctx.sock.strictCheck ? a.master : undefined;
  const kind = ctx.sock.strictCheck ? a.linkinfo?.kind : undefined;
  const items = ctx.ns
    .sortedLinks()
    .filter((l) => (master === undefined || l.master?.index === master) && (kind === undefined || l.kind === kind))
    .map((l) => ({ type: 'RTM_NEWLINK', ...fillLink(ctx.kernel, l, ctx.ns, { skipStats }) }));
  return { items, filtered: master !== undefined || kind !== undefined };
}

/** The link message handlers. */
export const linkHandlers: Record<string, Handler> = {
  RTM_NEWLINK: { do: newlink },
  RTM_SETLINK: { do: setlink },
  RTM_DELLINK: { do: dellink },
  RTM_GETLINK: { do: getlink, dump: dumplinks },
};
