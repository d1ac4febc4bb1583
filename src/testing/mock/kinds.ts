/**
 * The link kinds of the mock kernel: what each starts with (MTU bounds, queues, flags, carrier)
 * and what its driver does (drivers/net/veth.c, macvlan.c, vxlan, net/bridge, dummy.c, tun.c):
 *
 * - veth: a pair, the peer possibly in another namespace; carrier only while both ends are up.
 * - bridge: see bridge.ts.
 * - vxlan: VNI unique per UDP port (EEXIST with the kernel's text), MTU 50 below its lower device.
 * - macvlan/macvtap: need a lower device (IFLA_LINK); carrier follows it; MTU from it.
 * - dummy: always has carrier; operstate UNKNOWN when up. (Modelled on drivers/net/dummy.c: the
 *   kernel the differential test runs on has no dummy module, so it is not checked there.)
 * - tun/tap: RTM_NEWLINK refuses them (EOPNOTSUPP with the kernel's text); `kernel.tuntap.create`
 *   makes them as /dev/net/tun would.
 * @module
 */
import type { Attrs } from '../../netlink/codec.js';
import { E, fail, TEXT } from './errors.js';
import { ARPHRD, IFF } from './constants.js';
import type { Ctx, MockKernel } from './kernel.js';
import type { Link, Netns } from './state.js';
import { announceLink, checkMtu, newLink, registerLink, setCarrier, type LinkInit } from './links.js';
import { BRIDGE_DATA, MACVLAN_DATA, VXLAN_DATA } from './defaults.js';
import { familyOf } from './ip.js';

/** Kinds RTM_NEWLINK can make. */
export const KINDS = ['veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'dummy'] as const;

/** What a kind's constructor gets. */
export interface CreateArgs {
  ctx: Ctx;
  /** Namespace of the new device. */
  ns: Netns;
  /** IFLA_IFNAME, or the kind's pattern ('veth%d'). */
  name: string;
  /** ifi_index asked for (0: any). */
  index: number;
  /** The request's IFLA_* attributes. */
  attrs: Attrs;
  /** IFLA_INFO_DATA. */
  data: Attrs | undefined;
}

/** VXLAN's default UDP port (the vxlan_port module parameter), when IFLA_VXLAN_PORT is absent. */
const VXLAN_DEFAULT_PORT = 8472;
/** MACVLAN_MODE_VEPA, the default mode; MACVLAN_MODE_PASSTHRU. */
const MACVLAN_VEPA = 2;
const MACVLAN_PASSTHRU = 8;

/** rtnl_create_link: the generic attributes of a new device. */
function applyCreateAttrs(link: Link, attrs: Attrs): void {
  const a = attrs as { mtu?: number; address?: string; broadcast?: string; txqlen?: number; group?: number; num_tx_queues?: number; num_rx_queues?: number };
  if (a.mtu !== undefined) {
    checkMtu(link, a.mtu);
    link.mtu = a.mtu;
  }
  if (a.address !== undefined) {
    const b = a.address.split(':').map((x) => parseInt(x, 16));
    if ((b[0]! & 1) === 1 || b.every((x) => x === 0)) fail(E.EADDRNOTAVAIL);
    link.address = a.address;
    link.addressSet = true;
  }
  if (a.broadcast !== undefined) link.broadcast = a.broadcast;
  if (a.txqlen !== undefined) link.txqlen = a.txqlen;
  if (a.group !== undefined) link.group = a.group;
  if (a.num_tx_queues !== undefined) link.numTxQueues = a.num_tx_queues;
  if (a.num_rx_queues !== undefined) link.numRxQueues = a.num_rx_queues;
}

function make(k: MockKernel, ns: Netns, init: LinkInit, attrs: Attrs, index: number): Link {
  const link = newLink(k, ns, init);
  applyCreateAttrs(link, attrs);
  return registerLink(link, index);
}

/**
 * Creates a device of `kind` and the devices that come with it (a veth's peer, announced first).
 * Returns them in the order they were registered.
 */
export function createOfKind(k: MockKernel, kind: string, a: CreateArgs): Link[] {
  switch (kind) {
    case 'veth':
      return createVeth(k, a);
    case 'bridge': {
      const br = make(k, a.ns, { name: a.name, kind, netnsImmutable: true, data: { ...BRIDGE_DATA, ...(a.data ?? {}) }, bridge: { ports: [], mtuSet: false, selected: false } }, a.attrs, a.index);
      if ((a.attrs as { mtu?: number }).mtu !== undefined) br.bridge!.mtuSet = true;
      return [br];
    }
    case 'vxlan':
      return [createVxlan(k, a)];
    case 'macvlan':
    case 'macvtap':
      return [createMacvlan(k, kind, a)];
    case 'dummy':
      return [make(k, a.ns, { name: a.name, kind, baseFlags: IFF.BROADCAST | IFF.NOARP, minMtu: 0, maxMtu: 0, tsoMaxSize: 524280 }, a.attrs, a.index)];
    case 'tun':
      return fail(E.EOPNOTSUPP, TEXT.tunViaRtnetlink);
    default:
      return fail(E.EOPNOTSUPP, TEXT.unknownKind);
  }
}

function createVeth(k: MockKernel, a: CreateArgs): Link[] {
  const peerReq = (a.data?.['peer'] ?? {}) as { header?: { index?: number }; attrs?: Attrs };
  const pAttrs = peerReq.attrs ?? {};
  const fd = (pAttrs as { net_ns_fd?: number }).net_ns_fd;
  const peerNs = fd === undefined ? a.ctx.ns : k.nsByFd(fd) ?? fail(E.EBADF);
  const base = { kind: 'veth', numTxQueues: k.cpus, numRxQueues: k.cpus, tsoMaxSize: 524280 } as const;
  const peer = make(k, peerNs, { ...base, name: (pAttrs as { ifname?: string }).ifname ?? 'veth%d' }, pAttrs, peerReq.header?.index ?? 0);
  setCarrier(k, peer, false);
  let dev: Link;
  try {
    dev = make(k, a.ns, { ...base, name: a.name }, a.attrs, a.index);
  } catch (e) {
    peer.ns.links.delete(peer.index);
    peer.dying = true;
    throw e;
  }
  setCarrier(k, dev, false);
  dev.peer = peer;
  peer.peer = dev;
  announceLink(k, peer, undefined);
  return [dev];
}

function createVxlan(k: MockKernel, a: CreateArgs): Link {
  const d = (a.data ?? {}) as { id?: number; port?: number; link?: number; local?: string; group?: string; remote?: string };
  const id = d.id ?? 0;
  const port = d.port ?? VXLAN_DEFAULT_PORT;
  for (const l of a.ns.links.values()) {
    if (l.kind === 'vxlan' && !l.dying && (l.data as { id?: number }).id === id && (l.data as { port?: number }).port === port) fail(E.EEXIST, TEXT.vxlanVniExists);
  }
  const lower = d.link !== undefined ? a.ns.links.get(d.link) ?? fail(E.ENODEV) : undefined;
  const v6 = familyOf(d.local ?? d.group ?? d.remote ?? '') === 10;
  const overhead = v6 ? 70 : 50;
  const data: Record<string, unknown> = { id };
  if (d.group !== undefined || d.remote !== undefined) data[v6 ? 'group6' : 'group'] = d.group ?? d.remote;
  if (d.link !== undefined) data['link'] = d.link;
  if (d.local !== undefined) data[v6 ? 'local6' : 'local'] = d.local;
  Object.assign(data, VXLAN_DATA, stripKnown(a.data), { port });
  return make(
    k,
    a.ns,
    { name: a.name, kind: 'vxlan', lower, mtu: lower ? lower.mtu - overhead : 1500, headroom: 14 + overhead, tsoMaxSize: lower?.tsoMaxSize ?? 65536, data },
    a.attrs,
    a.index,
  );
}

/** The request's IFLA_INFO_DATA without the attributes the constructor handled itself. */
function stripKnown(data: Attrs | undefined): Attrs {
  const out: Attrs = { ...(data ?? {}) };
  for (const key of ['id', 'port', 'link', 'local', 'local6', 'group', 'group6', 'remote']) delete out[key];
  return out;
}

function createMacvlan(k: MockKernel, kind: 'macvlan' | 'macvtap', a: CreateArgs): Link {
  const lowerIndex = (a.attrs as { link?: number }).link;
  if (lowerIndex === undefined) fail(E.EINVAL);
  const lower = a.ns.links.get(lowerIndex) ?? fail(E.ENODEV);
  const mtu = (a.attrs as { mtu?: number }).mtu;
  if (mtu !== undefined && mtu > lower.mtu) fail(E.EINVAL);
  const mode = (a.data as { mode?: number } | undefined)?.mode ?? MACVLAN_VEPA;
  const link = make(
    k,
    a.ns,
    {
      name: a.name,
      kind,
      lower,
      mtu: lower.mtu,
      txqlen: kind === 'macvtap' ? 500 : 1000,
      tsoMaxSize: lower.tsoMaxSize,
      data: { mode, ...MACVLAN_DATA },
    },
    a.attrs,
    a.index,
  );
  // netif_stacked_transfer_operstate, then linkwatch_fire_event: the operstate is computed even when the carrier did not change.
  setCarrier(k, link, lower.carrier);
  if (!k.linkwatchQueue.includes(link)) k.linkwatchQueue.push(link);
  return link;
}

/**
 * Options of `kernel.tuntap.create`.
 *
 * @example
 * ```ts
 * kernel.tuntap.create({ name: 'tun0', mode: 'tun', attached: true, owner: 1000 } satisfies TunTapOptions);
 * ```
 */
export interface TunTapOptions {
  /** Device name (a pattern like 'tap%d' works). */
  name: string;
  /** 'tun' (layer 3, IFF_TUN) or 'tap' (Ethernet, IFF_TAP). */
  mode: 'tun' | 'tap';
  /** Namespace. Default: the initial one. */
  netns?: string;
  /** A process holds the device open (it then has carrier). Default: false (a persistent device nobody uses). */
  attached?: boolean;
  /** IFF_NO_PI not set: packets carry the 4-byte packet information. Default: false. */
  pi?: boolean;
  /** IFF_VNET_HDR. Default: false. */
  vnetHdr?: boolean;
  /** IFF_MULTI_QUEUE. Default: false. */
  multiQueue?: boolean;
  /** TUNSETOWNER / TUNSETGROUP. */
  owner?: number;
  group?: number;
}

/**
 * A tun/tap device made as TUNSETIFF with TUNSETPERSIST would make it (for tests of code that
 * uses nlkit's tuntap API against the mock).
 */
export function createTunTap(k: MockKernel, ns: Netns, o: TunTapOptions): { name: string; index: number } {
  const tap = o.mode === 'tap';
  const data: Record<string, unknown> = { type: tap ? 2 : 1, pi: o.pi ? 1 : 0, vnet_hdr: o.vnetHdr ? 1 : 0, persist: 1, multi_queue: o.multiQueue ? 1 : 0 };
  if (o.owner !== undefined) data['owner'] = o.owner;
  if (o.group !== undefined) data['group'] = o.group;
  const link = newLink(k, ns, {
    name: o.name,
    kind: 'tun',
    arphrd: tap ? ARPHRD.ETHER : ARPHRD.NONE,
    baseFlags: tap ? IFF.BROADCAST | IFF.MULTICAST : IFF.POINTOPOINT | IFF.NOARP | IFF.MULTICAST,
    maxMtu: tap ? 65521 : 65535,
    txqlen: tap ? 1000 : 500,
    ...(tap ? {} : { address: undefined, broadcast: undefined }),
    data,
  });
  registerLink(link);
  setCarrier(k, link, o.attached === true);
  announceLink(k, link, undefined);
  return { name: link.name, index: link.index };
}

/** What drivers do when their device opens or closes. */
export function kindEvent(k: MockKernel, link: Link, ev: string): void {
  if (link.kind === 'veth') {
    const peer = link.peer;
    if (ev === 'OPEN' && peer?.up) {
      setCarrier(k, link, true);
      setCarrier(k, peer, true);
    } else if (ev === 'CLOSE') {
      setCarrier(k, link, false);
      if (peer) setCarrier(k, peer, false);
    }
  }
}

/** How macvlan/macvtap/vxlan devices follow their lower device. */
export function upperEvent(k: MockKernel, lower: Link, ev: string): void {
  for (const u of lower.ns.links.values()) {
    if (u.lower !== lower || u.dying) continue;
    if (u.kind === 'macvlan' || u.kind === 'macvtap') {
      if (ev === 'UP' || ev === 'DOWN' || ev === 'CHANGE') setCarrier(k, u, lower.carrier);
      if (ev === 'CHANGEMTU' && u.mtu > lower.mtu) u.mtu = lower.mtu;
    }
  }
}

/** Promiscuity a device has from the stack (a bridge port; the lower device of an open macvlan). */
export function stackPromiscuity(link: Link): number {
  let n = link.port ? 1 : 0;
  for (const u of link.ns.links.values()) {
    if (u.lower === link && u.up && (u.kind === 'macvlan' || u.kind === 'macvtap') && (u.data as { mode?: number }).mode !== MACVLAN_PASSTHRU && !u.dying) {
      n++;
      break;
    }
  }
  return n;
}
