/**
 * veth: a virtual Ethernet pair (`ip link add NAME type veth peer name PEER`). The peer is
 * described in VETH_INFO_PEER: a struct ifinfomsg followed by IFLA_* attributes, so it can get its
 * own name, address, MTU, up state and namespace (created directly there, IFLA_NET_NS_FD).
 * The kernel dumps veth without IFLA_INFO_DATA: the peer shows as the link's `link`/`linkIndex`
 * (IFLA_LINK) and, in another namespace, `linkNetnsid`.
 *
 * @example
 * ```ts
 * // ip link add veth0 type veth peer name veth1 netns ns2
 * await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', netns: 'ns2' } });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import type { NetnsRef } from '../netns-ref.js';
import { checkIfname, checkInt, checkKeys, parseLladdr } from '../validate.js';
import { type Attrs, checkNetnsRef, type KindDef } from './common.js';

/** The peer of a veth pair (`peer name NAME [address ...] [mtu ...] [netns ...] [up]`). */
export interface VethPeer {
  /** `peer name NAME`. Default: the kernel picks `vethN`. */
  name?: string;
  /** Create the peer in this namespace (`peer ... netns NS`). Default: the handle's namespace. */
  netns?: NetnsRef;
  /** `peer ... address LLADDR`. Default: random. */
  address?: string;
  /** `peer ... mtu MTU`. Default: 1500. */
  mtu?: number;
  /** `peer ... txqueuelen N`. Default: 1000. */
  txqueuelen?: number;
  /**
   * Bring the peer up once the pair exists (needs `name`). Default: down.
   *
   * Not in the creation request: the kernel opens a peer flagged up before the pair is linked,
   * and veth_open then fails with ENOTCONN (`ip link add a type veth peer name b up` answers
   * "Transport endpoint is not connected"). So the peer is brought up by a second RTM_NEWLINK,
   * through a handle opened in the peer's namespace when it is elsewhere.
   */
  up?: boolean;
}

/** Kind options of veth in `nl.link.add()`. */
export interface VethOptions {
  /** The other end. Default: a peer named by the kernel (`vethN`) in the same namespace. */
  peer?: VethPeer;
}

/** `info` of a veth link (the kernel reports no veth data; see `Link.link` for the peer). */
export interface VethInfo {
  kind: 'veth';
}

const PEER_KEYS = ['name', 'netns', 'address', 'mtu', 'txqueuelen', 'up'] as const;

/**
 * The veth kind.
 *
 * @example
 * ```ts
 * // ip link add veth0 type veth peer name veth1 mtu 1400
 * veth.prepare({ peer: { name: 'veth1', mtu: 1400 } }, 'veth', 'add'); // builds VETH_INFO_PEER
 * ```
 */
export const veth: KindDef<VethInfo> = {
  kinds: ['veth'],
  options: ['peer'],
  prepare(o, _kind, mode) {
    const p = o['peer'];
    if (p === undefined) return undefined;
    if (mode === 'set') throw new ArgumentError('peer', p, 'the peer of a veth is only given when it is created');
    if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new ArgumentError('peer', p, 'expected { name, netns, address, mtu, txqueuelen, up }');
    const peer = p as Record<string, unknown>;
    checkKeys(peer, PEER_KEYS, 'peer option');
    const name = peer['name'] === undefined ? undefined : checkIfname(peer['name'], 'peer.name');
    const address = peer['address'] === undefined ? undefined : parseLladdr(peer['address'], 'peer.address');
    const mtu = peer['mtu'] === undefined ? undefined : checkInt(peer['mtu'], 'peer.mtu', 0, 0x7fffffff);
    const txqlen = peer['txqueuelen'] === undefined ? undefined : checkInt(peer['txqueuelen'], 'peer.txqueuelen', 0, 0xffffffff);
    const netns = peer['netns'] === undefined ? undefined : checkNetnsRef(peer['netns'], 'peer.netns');
    const up = peer['up'];
    if (up !== undefined && typeof up !== 'boolean') throw new ArgumentError('peer.up', up, 'must be true or false');
    if (up === true && name === undefined) throw new ArgumentError('peer.up', up, 'needs peer.name (the peer is brought up by name once the pair exists)');
    return async (ctx) => {
      // iproute2 (link_veth.c): the peer's ifinfomsg, then the attributes in the order given,
      // then IFLA_IFNAME. The peer's up is a follow-up (see VethPeer.up).
      const attrs: Attrs = {};
      if (address !== undefined) attrs['address'] = address;
      if (mtu !== undefined) attrs['mtu'] = mtu;
      if (txqlen !== undefined) attrs['txqlen'] = txqlen;
      if (netns !== undefined) Object.assign(attrs, ctx.netns(netns, 'peer.netns'));
      if (name !== undefined) attrs['ifname'] = name;
      if (up === true && name !== undefined) ctx.after((api) => api.setUp(name, netns));
      const header = { family: 0, type: 0, index: 0, flags: 0, change: 0 };
      return { peer: { header, attrs } };
    };
  },
  info: () => ({ kind: 'veth' }),
};
