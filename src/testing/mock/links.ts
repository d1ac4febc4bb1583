/**
 * The life of a network device in the mock kernel: registration (ifindex and name), up and
 * down, carrier and the link watch (RFC 2863 operstate), moving between namespaces, renaming,
 * MTU and address changes, masters, and deletion with everything that hangs on it.
 *
 * The rules follow the kernel's (net/core/dev.c, net/core/link_watch.c, drivers/net/veth.c):
 * - ifindexes are allocated per namespace, cyclically upwards (a freed number is not reused
 *   soon); a device moved to another namespace keeps its number when it is free there.
 * - operstate is computed when the carrier changes: UP with carrier; without it DOWN, or
 *   LOWERLAYERDOWN when the device's iflink (a veth's peer, a macvlan's lower device) is in the
 *   same namespace and has no carrier either; reported as DOWN while the device is down; UNKNOWN
 *   for devices whose carrier never changed (loopback, bridge without ports, vxlan).
 * - a veth has carrier only while both ends are up.
 * @module
 */
import { E, fail, TEXT } from './errors.js';
import { IFF, OPER, GROUP, IFNAMSIZ } from './constants.js';
import type { Ctx, MockKernel } from './kernel.js';
import type { Link, Netns } from './state.js';
import { netdevEvent } from './events.js';
import { fillLink } from './link-fill.js';

/** Fields of a new link that differ between kinds. */
export type LinkInit = Partial<Link> & { name: string; kind: string | undefined };

/** A link object with defaults for everything `init` does not say (not yet registered). */
export function newLink(k: MockKernel, ns: Netns, init: LinkInit): Link {
  return {
    ns,
    index: 0,
    arphrd: 1,
    baseFlags: IFF.BROADCAST | IFF.MULTICAST,
    up: false,
    carrier: true,
    carrierUp: 0,
    carrierDown: 0,
    operstate: OPER.UNKNOWN,
    mtu: 1500,
    minMtu: 68,
    maxMtu: 65535,
    txqlen: 1000,
    numTxQueues: 1,
    numRxQueues: 1,
    headroom: 0,
    tsoMaxSize: 65536,
    netnsImmutable: false,
    address: k.randomMac(),
    broadcast: 'ff:ff:ff:ff:ff:ff',
    addressSet: false,
    opened: false,
    defaultQdisc: 'noqueue',
    alias: undefined,
    group: 0,
    promiscuity: 0,
    allmulti: 0,
    master: undefined,
    peer: undefined,
    lower: undefined,
    data: undefined,
    port: undefined,
    bridge: undefined,
    inet6: { addrGenMode: 0, ready: false, rsSent: false, configured: false },
    dying: false,
    ...init,
  };
}

/** Checks a device name as dev_valid_name does (EINVAL when invalid). */
export function checkName(name: string): void {
  if (name === '' || Buffer.byteLength(name) >= IFNAMSIZ || name === '.' || name === '..' || /[/:\s]/.test(name)) fail(E.EINVAL);
}

/** The name a pattern like 'veth%d' gives in `ns` (the lowest free number). */
export function allocName(ns: Netns, pattern: string): string {
  if (!pattern.includes('%d')) return pattern;
  for (let n = 0; ; n++) {
    const name = pattern.replace('%d', String(n));
    if (!ns.byName(name)) return name;
  }
}

/** Reserves an ifindex in `ns`: `wanted` if given (EBUSY when taken), else the next free one, cyclically. */
export function allocIfindex(ns: Netns, wanted = 0): number {
  if (wanted > 0) {
    if (ns.links.has(wanted)) fail(E.EBUSY);
    return wanted;
  }
  for (let i = Math.max(1, ns.ifindexNext); ; i = i >= 0x7fffffff ? 1 : i + 1) {
    if (!ns.links.has(i)) {
      ns.ifindexNext = i + 1;
      return i;
    }
  }
}

/**
 * Registers `link` in its namespace (register_netdevice): checks and fixes its name, gives it an
 * ifindex, and computes its operstate if it starts without carrier.
 */
export function registerLink(link: Link, wantedIndex = 0): Link {
  const ns = link.ns;
  link.name = allocName(ns, link.name);
  checkName(link.name);
  if (ns.byName(link.name)) fail(E.EEXIST);
  link.index = allocIfindex(ns, wantedIndex);
  ns.links.set(link.index, link);
  if (!link.carrier) link.operstate = rfc2863(link);
  return link;
}

/** Sends RTM_NEWLINK for a link that just appeared (change ~0). */
export function announceLink(k: MockKernel, link: Link, ctx: Ctx | undefined): void {
  k.notify(link.ns, GROUP.LINK, () => ({ type: 'RTM_NEWLINK', ...fillLink(k, link, link.ns, { change: 0xffffffff }) }), ctx);
}

/** Sends RTM_NEWLINK with the current state of `link`. */
export function linkChanged(k: MockKernel, link: Link, ctx: Ctx | undefined, change = 0): void {
  if (link.dying) return;
  k.notify(link.ns, GROUP.LINK, () => ({ type: 'RTM_NEWLINK', ...fillLink(k, link, link.ns, { change }) }), ctx);
}

/** The loopback device of a new namespace (index 1, down). */
export function createLoopback(k: MockKernel, ns: Netns): Link {
  const lo = newLink(k, ns, {
    name: 'lo',
    kind: undefined,
    arphrd: 772,
    baseFlags: IFF.LOOPBACK,
    mtu: 65536,
    minMtu: 0,
    maxMtu: 0,
    netnsImmutable: true,
    address: '00:00:00:00:00:00',
    broadcast: '00:00:00:00:00:00',
    tsoMaxSize: 524280,
  });
  return registerLink(lo, 1);
}

/** The device whose index is a device's iflink (the index itself for most devices). */
export function iflink(link: Link): number {
  if (link.kind === 'veth') return link.peer?.index ?? 0;
  if ((link.kind === 'macvlan' || link.kind === 'macvtap') && link.lower) return link.lower.index;
  return link.index;
}

/** default_operstate() of net/core/link_watch.c. */
export function rfc2863(link: Link): number {
  if (!link.carrier) {
    const i = iflink(link);
    if (i === link.index) return OPER.DOWN;
    const peer = link.ns.links.get(i);
    if (!peer) return OPER.DOWN;
    return peer.carrier ? OPER.DOWN : OPER.LOWERLAYERDOWN;
  }
  return OPER.UP;
}

/** netif_carrier_on/off: counts the change and queues a link-watch event. */
export function setCarrier(k: MockKernel, link: Link, on: boolean): void {
  if (link.carrier === on) return;
  link.carrier = on;
  if (on) link.carrierUp++;
  else link.carrierDown++;
  if (!k.linkwatchQueue.includes(link)) k.linkwatchQueue.push(link);
}

/**
 * Runs the queued link-watch events (linkwatch_do_dev): operstate, then NETDEV_CHANGE and a
 * RTM_NEWLINK for devices that are up. Consequences may queue more events; all run.
 */
export function runLinkwatch(k: MockKernel): void {
  for (let guard = 0; k.linkwatchQueue.length > 0 && guard < 10000; guard++) {
    const link = k.linkwatchQueue.shift()!;
    if (link.dying || link.ns.links.get(link.index) !== link) continue;
    link.operstate = rfc2863(link);
    if (link.up) {
      netdevEvent(k, link, 'CHANGE', undefined);
      linkChanged(k, link, undefined);
    }
  }
}

/** Whether the device counts as operationally up (netif_oper_up). */
export function operUp(link: Link): boolean {
  return link.operstate === OPER.UP || link.operstate === OPER.UNKNOWN;
}

/** dev_open. */
export function openLink(k: MockKernel, link: Link, ctx: Ctx | undefined): void {
  if (link.up) return;
  if (link.kind === 'veth' && !link.peer) fail(E.ENOTCONN);
  link.up = true;
  link.opened = true;
  netdevEvent(k, link, 'OPEN', ctx);
  netdevEvent(k, link, 'UP', ctx);
}

/** dev_close. */
export function closeLink(k: MockKernel, link: Link, ctx: Ctx | undefined): void {
  if (!link.up) return;
  netdevEvent(k, link, 'CLOSE', ctx);
  link.up = false;
  netdevEvent(k, link, 'DOWN', ctx);
}

/**
 * Deletes a device (unregister_netdevice) and what depends on it: the other end of a veth,
 * macvlans and vxlans on it, its bridge ports; addresses, routes and neighbours go with it.
 * The loopback device cannot be deleted (EOPNOTSUPP) unless its namespace goes (`force`).
 */
export function deleteLink(link: Link, ctx: Ctx | undefined, force = false): void {
  const k = kernelOf(link);
  if (link.kind === undefined && !force) fail(E.EOPNOTSUPP);
  if (link.dying) return;
  const victims: Link[] = [];
  const collect = (l: Link | undefined) => {
    if (!l || l.dying || victims.includes(l)) return;
    victims.push(l);
    if (l.kind === 'veth') collect(l.peer);
    for (const ns of k.namespaces.values()) for (const u of ns.links.values()) if (u.lower === l) collect(u);
  };
  collect(link);
  for (const v of victims) closeLink(k, v, ctx);
  for (const v of victims) {
    netdevEvent(k, v, 'UNREGISTER', ctx);
    k.notify(v.ns, GROUP.LINK, () => ({ type: 'RTM_DELLINK', ...fillLink(k, v, v.ns, { change: 0 }) }), ctx);
  }
  for (const v of victims) {
    v.dying = true;
    v.ns.links.delete(v.index);
    if (v.peer) v.peer.peer = undefined;
  }
}

/** The kernel a link belongs to. */
export function kernelOf(link: Link): MockKernel {
  return link.ns.kernel;
}

/**
 * dev_change_net_namespace: the device leaves `link.ns` (closed, its addresses and routes gone,
 * detached from its bridge) and appears in `target`, keeping its ifindex when it is free there.
 */
export function moveLink(k: MockKernel, link: Link, target: Netns, ctx: Ctx | undefined): void {
  if (target === link.ns) return;
  if (link.netnsImmutable) fail(E.EINVAL, TEXT.netnsImmutable);
  if (target.byName(link.name)) fail(E.EEXIST, TEXT.nameTakenInTarget);
  closeLink(k, link, ctx);
  netdevEvent(k, link, 'UNREGISTER', ctx);
  const from = link.ns;
  k.notify(from, GROUP.LINK, () => ({ type: 'RTM_DELLINK', ...fillLink(k, link, from, { change: 0 }) }), ctx);
  from.links.delete(link.index);
  link.ns = target;
  link.index = allocIfindex(target, target.links.has(link.index) ? 0 : link.index);
  target.links.set(link.index, link);
  link.opened = false;
  link.inet6 = { addrGenMode: link.inet6.addrGenMode, ready: false, rsSent: false, configured: false };
  announceLink(k, link, ctx);
}

/** dev_change_name. */
export function renameLink(link: Link, name: string): boolean {
  if (name === link.name) return false;
  checkName(name);
  if (link.ns.byName(name)) fail(E.EEXIST);
  link.name = name;
  return true;
}

/** dev_set_mtu_ext: checks the bounds with the kernel's texts, then tells everyone. */
export function setMtu(k: MockKernel, link: Link, mtu: number, ctx: Ctx | undefined): boolean {
  checkMtu(link, mtu);
  if (mtu === link.mtu) return false;
  link.mtu = mtu;
  netdevEvent(k, link, 'CHANGEMTU', ctx);
  return true;
}

/** dev_validate_mtu. */
export function checkMtu(link: Pick<Link, 'minMtu' | 'maxMtu'>, mtu: number): void {
  if (mtu < link.minMtu) fail(E.EINVAL, TEXT.mtuTooSmall);
  if (link.maxMtu > 0 && mtu > link.maxMtu) fail(E.EINVAL, TEXT.mtuTooBig);
}

/** dev_set_mac_address: a unicast, non-zero Ethernet address. */
export function setAddress(k: MockKernel, link: Link, mac: string, ctx: Ctx | undefined): boolean {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  if (link.address === undefined || b.length !== link.address.split(':').length) fail(E.EINVAL);
  if (link.arphrd === 1 && ((b[0]! & 1) === 1 || b.every((x) => x === 0))) fail(E.EADDRNOTAVAIL);
  if (mac === link.address) return false;
  link.address = mac;
  link.addressSet = true;
  netdevEvent(k, link, 'CHANGEADDR', ctx);
  return true;
}
