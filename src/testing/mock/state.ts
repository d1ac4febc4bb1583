/**
 * The state of the mock kernel: namespaces and what lives in them (links, addresses, routes,
 * neighbours), as plain records the handlers change.
 * @module
 */
import type { MockSocket } from './socket.js';
import type { MockKernel } from './kernel.js';

/** A network device. */
export interface Link {
  ns: Netns;
  index: number;
  name: string;
  /** IFLA_INFO_KIND ('veth', 'bridge', ...); undefined for the loopback device. */
  kind: string | undefined;
  /** ARPHRD_* */
  arphrd: number;
  /** IFF_* flags other than UP/RUNNING/LOWER_UP (BROADCAST, MULTICAST, NOARP, LOOPBACK...). */
  baseFlags: number;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** netif_carrier_ok. */
  carrier: boolean;
  carrierUp: number;
  carrierDown: number;
  /** The operstate the kernel keeps (reported as DOWN while the device is down). */
  operstate: number;
  mtu: number;
  minMtu: number;
  maxMtu: number;
  txqlen: number;
  numTxQueues: number;
  numRxQueues: number;
  headroom: number;
  tsoMaxSize: number;
  /** IFLA_NETNS_IMMUTABLE (loopback, bridge). */
  netnsImmutable: boolean;
  /** Link-layer address (lower-case colon hex); undefined for devices without one (tun). */
  address: string | undefined;
  broadcast: string | undefined;
  /** The address was set by the user (a bridge then keeps it). */
  addressSet: boolean;
  /** Whether the device has been opened since it came to this namespace (its qdisc attached). */
  opened: boolean;
  /** The qdisc it gets when opened. */
  defaultQdisc: string;
  alias: string | undefined;
  group: number;
  /** Promiscuity set by the user (bridge ports and macvlan lowers add theirs when reported). */
  promiscuity: number;
  /** Allmulti set by the user. */
  allmulti: number;
  /** Bridge it is a port of. */
  master: Link | undefined;
  /** The other end of a veth pair. */
  peer: Link | undefined;
  /** Lower device of a macvlan/macvtap (IFLA_LINK) or vxlan (IFLA_VXLAN_LINK). */
  lower: Link | undefined;
  /** IFLA_INFO_DATA as reported (kind-specific). */
  data: Record<string, unknown> | undefined;
  /** Bridge port state, when `master` is a bridge. */
  port: BridgePort | undefined;
  /** Bridge state, when this is a bridge. */
  bridge: BridgeState | undefined;
  /** IPv6 device state. */
  inet6: { addrGenMode: number; ready: boolean; rsSent: boolean; configured: boolean };
  /** Whether the link is being deleted. */
  dying: boolean;
}

/** State of a bridge port. */
export interface BridgePort {
  no: number;
  /** BR_STATE_*: 0 disabled, 3 forwarding. */
  state: number;
}

/** State of a bridge. */
export interface BridgeState {
  ports: Link[];
  /** MTU set by the user: no longer follows the ports. */
  mtuSet: boolean;
  /** Port state selection ran at least once (it owns the carrier from then on). */
  selected: boolean;
}

/** An IPv4 address. */
export interface Addr4 {
  link: Link;
  local: string;
  /** IFA_ADDRESS: the peer, or the local address again. */
  address: string;
  prefixlen: number;
  broadcast: string | undefined;
  label: string;
  flags: number;
  scope: number;
  proto: number | undefined;
  rtPriority: number;
  created: number;
}

/** An IPv6 address. */
export interface Addr6 {
  link: Link;
  address: string;
  /** IFA_LOCAL when it differs (a peer address was given). */
  peer: string | undefined;
  prefixlen: number;
  flags: number;
  scope: number;
  proto: number | undefined;
  rtPriority: number;
  created: number;
}

/** One next hop of a route. */
export interface Nexthop {
  link: Link | undefined;
  gateway: string | undefined;
  /** RTNH_F_* kept with the next hop (DEAD). */
  flags: number;
  /** Weight minus one. */
  hops: number;
}

/** A route. */
export interface Route {
  family: 2 | 10;
  table: number;
  dst: string;
  dstLen: number;
  tos: number;
  type: number;
  protocol: number;
  scope: number;
  priority: number | undefined;
  prefsrc: string | undefined;
  /** Single next hop (also the first of a multipath route). */
  nh: Nexthop;
  /** RTA_MULTIPATH next hops, when there are several. */
  multipath: Nexthop[] | undefined;
  metrics: Record<string, unknown> | undefined;
  /** IPv6 router preference. */
  pref: number;
  /** Address this route was made for (kernel routes), to remove it with the address. */
  owner: Addr4 | Addr6 | undefined;
  /** Made by the kernel for a device (multicast, link-local prefix), to remove with it. */
  kernelDev: Link | undefined;
  created: number;
}

/** A neighbour (ARP/NDP) entry. */
export interface Neigh {
  link: Link;
  family: 2 | 10;
  dst: string;
  lladdr: string | undefined;
  state: number;
  flags: number;
  proto: number | undefined;
  created: number;
}

/** A network namespace. */
export class Netns {
  readonly kernel: MockKernel;
  /** Index in the kernel (the mock's netns "inode"). */
  readonly id: number;
  /** Name (as under /run/netns), '' for the initial namespace. */
  name: string;
  readonly links = new Map<number, Link>();
  /** Where the cyclic ifindex allocator continues. */
  ifindexNext = 1;
  readonly addrs4: Addr4[] = [];
  readonly addrs6: Addr6[] = [];
  readonly routes: Route[] = [];
  readonly neighs: Neigh[] = [];
  /** Ids this namespace gives its peers (peernet2id). */
  readonly nsids = new Map<Netns, number>();
  readonly sockets = new Set<MockSocket>();
  alive = true;

  constructor(kernel: MockKernel, id: number, name: string) {
    this.kernel = kernel;
    this.id = id;
    this.name = name;
  }

  /** The link named `name`. */
  byName(name: string): Link | undefined {
    for (const l of this.links.values()) if (l.name === name && !l.dying) return l;
    return undefined;
  }

  /** Links in ifindex order. */
  sortedLinks(): Link[] {
    return [...this.links.values()].filter((l) => !l.dying).sort((a, b) => a.index - b.index);
  }
}
