/**
 * The types of `nl.link`: the typed {@link Link} that get/list return, the spec of
 * `nl.link.add()` (common options plus the options of each kind), the changes of
 * `nl.link.set()` and the filter of `nl.link.list()`.
 *
 * @example
 * ```ts
 * const spec: LinkAddSpec = { name: 'br0', type: 'bridge', stp: true, up: true };
 * const link: Link = await nl.link.get('br0');
 * if (link.info?.kind === 'bridge') link.info.stp; // true
 * ```
 * @module
 */
import type { Message } from '../netlink/message.js';
import type { NetnsRef } from './netns-ref.js';
import type {
  BondOptions,
  BridgeOptions,
  GeneveOptions,
  GreOptions,
  IptunOptions,
  LinkInfo,
  MacvlanOptions,
  SlaveInfo,
  VethOptions,
  VlanOptions,
  VrfOptions,
  VxlanOptions,
} from './link-kinds/index.js';

export type * from './link-kinds/index.js';

/** A device: its name, or its index. */
export type LinkRef = string | number;

/** Operational state (RFC 2863, IF_OPER_*), as ip shows it. */
export type OperState = 'UNKNOWN' | 'NOTPRESENT' | 'DOWN' | 'LOWERLAYERDOWN' | 'TESTING' | 'DORMANT' | 'UP';

/**
 * Interface counters (IFLA_STATS64; IFLA_STATS when the kernel gave no 64-bit set), as bigint:
 * a u64 byte counter passes 2^53 after about 8 days at 100 Gbit/s, so numbers would lose
 * precision. Absent counters (older kernels) are undefined.
 */
export interface LinkStats {
  rxPackets: bigint;
  txPackets: bigint;
  rxBytes: bigint;
  txBytes: bigint;
  rxErrors: bigint;
  txErrors: bigint;
  rxDropped: bigint;
  txDropped: bigint;
  multicast: bigint;
  collisions: bigint;
  rxLengthErrors: bigint;
  rxOverErrors: bigint;
  rxCrcErrors: bigint;
  rxFrameErrors: bigint;
  rxFifoErrors: bigint;
  rxMissedErrors: bigint;
  txAbortedErrors: bigint;
  txCarrierErrors: bigint;
  txFifoErrors: bigint;
  txHeartbeatErrors: bigint;
  txWindowErrors: bigint;
  rxCompressed: bigint;
  txCompressed: bigint;
  rxNohandler: bigint | undefined;
  rxOtherhostDropped: bigint | undefined;
}

/**
 * A network interface, as `ip -d -s link show` describes it.
 *
 * Names of related devices (`master`, `link`, and the device fields of `info`) are resolved in
 * the handle's namespace: `get()` asks the kernel for each (as iproute2 does), `list().collect()`
 * looks them up in the dump itself, and `for await (... of list())` uses the links seen so far and
 * asks the kernel for the others (one cached RTM_GETLINK per unknown index). A peer in another
 * namespace (`linkNetnsid` set) has no name here: only `linkIndex`, which is an index *there*.
 */
export interface Link {
  /** ifindex. */
  index: number;
  /** IFLA_IFNAME. */
  name: string;
  /**
   * The flags as `ip -j link` lists them: NO-CARRIER first when UP without RUNNING, then
   * LOOPBACK, BROADCAST, POINTOPOINT, MULTICAST, NOARP, ALLMULTI, PROMISC, MASTER, SLAVE, DEBUG,
   * DYNAMIC, AUTOMEDIA, PORTSEL, NOTRAILERS, UP, LOWER_UP, DORMANT, ECHO, unknown bits in hex;
   * RUNNING is not listed (see `rawFlags`). ip's M-DOWN (the lower device is down) is about
   * another link and is not included.
   */
  flags: string[];
  /** ifi_flags as a number (IFF_*). */
  rawFlags: number;
  /** IFF_UP: administratively up. */
  up: boolean;
  /** IFF_LOWER_UP: the driver signals carrier. */
  lowerUp: boolean;
  /** ARPHRD type as ip names it ('ether', 'loopback', 'none', 'ipip', 'sit', 'gre', ...; else `[N]`). */
  linkType: string;
  mtu: number | undefined;
  minMtu: number | undefined;
  maxMtu: number | undefined;
  operstate: OperState | number | undefined;
  /** 'DEFAULT' | 'DORMANT' | 'TESTING'. */
  linkmode: string | undefined;
  /** The device group number (ip shows 0 as "default"). */
  group: number | undefined;
  txqlen: number | undefined;
  qdisc: string | undefined;
  address: string | undefined;
  broadcast: string | undefined;
  permAddress: string | undefined;
  /** IFLA_INFO_KIND ('veth', 'bridge', ...); undefined for devices without rtnl_link_ops (lo, physical NICs). */
  kind: string | undefined;
  /** IFLA_INFO_SLAVE_KIND: the master's kind when enslaved ('bridge', 'bond', 'vrf'). */
  slaveKind: string | undefined;
  /** The master's name (resolved, see above) and index. */
  master: string | undefined;
  masterIndex: number | undefined;
  /** The lower device / veth peer (IFLA_LINK): its name when in this namespace, its index, and the netns id when elsewhere. */
  link: string | undefined;
  linkIndex: number | undefined;
  linkNetnsid: number | undefined;
  /** Alternative names (`ip link property add altname`). */
  altNames: string[];
  /** IFLA_IFALIAS. */
  alias: string | undefined;
  promiscuity: number | undefined;
  allmulti: number | undefined;
  numTxQueues: number | undefined;
  numRxQueues: number | undefined;
  carrier: boolean | undefined;
  carrierChanges: number | undefined;
  /** Counters (bigint). */
  stats: LinkStats | undefined;
  /** Kind data, typed by kind; undefined for devices without a kind or kinds nlkit does not model (see `raw`). */
  info: LinkInfo | undefined;
  /** Port data, typed by the master's kind (bridge port state, cost, ...). */
  slaveInfo: SlaveInfo | undefined;
  /** The decoded RTM_NEWLINK message, with everything (unknown attributes kept). */
  raw: Message;
}

/**
 * Options every link takes in `nl.link.add()` (`ip link add NAME [options] type KIND ...`).
 */
export interface LinkCommonOptions {
  /** The new interface's name (1..15 bytes, no '/', ':', whitespace). */
  name: string;
  /** `mtu MTU`. Default: the kind's. */
  mtu?: number;
  /** `address LLADDR` (6-byte MAC). Default: random. */
  address?: string;
  /** `broadcast LLADDR`. Default: ff:ff:ff:ff:ff:ff. */
  broadcast?: string;
  /** `txqueuelen N`. Default: the kind's. */
  txqueuelen?: number;
  /** `up`: bring it up at creation. Default: down. */
  up?: boolean;
  /** `master DEV`: enslave it at creation. */
  master?: LinkRef;
  /** `netns NS`: create it directly in that namespace (IFLA_NET_NS_FD, or IFLA_NET_NS_PID for `{ pid }`). */
  netns?: NetnsRef;
  /** `alias TEXT` (at most 255 bytes). */
  alias?: string;
  /**
   * `group N`: the device group. Default: 0. (For vxlan, `group` is the multicast group, as in
   * `ip link add ... type vxlan group ADDR`; set a vxlan's device group with `nl.link.set`.)
   */
  group?: number;
  /** `numtxqueues N`. */
  numtxqueues?: number;
  /** `numrxqueues N`. */
  numrxqueues?: number;
  /** `index N`: ask for this ifindex. Default: the kernel picks. */
  index?: number;
  /** `link DEV`: the parent/lower device (IFLA_LINK); required by macvlan, macvtap and vlan. */
  link?: LinkRef;
}

/** The spec of `nl.link.add()`: the common options, `type`, and that kind's options. */
export type LinkAddSpec =
  | (LinkCommonOptions & { type: 'veth' } & VethOptions)
  | (LinkCommonOptions & { type: 'bridge' } & BridgeOptions)
  | (Omit<LinkCommonOptions, 'group'> & { type: 'vxlan' } & VxlanOptions)
  | (LinkCommonOptions & { type: 'macvlan' | 'macvtap'; link: LinkRef } & MacvlanOptions)
  | (LinkCommonOptions & { type: 'ipip' | 'sit' } & IptunOptions)
  | (LinkCommonOptions & { type: 'gre' | 'gretap' } & GreOptions)
  | (LinkCommonOptions & { type: 'vlan'; link: LinkRef; id: number } & VlanOptions)
  | (LinkCommonOptions & { type: 'dummy' })
  | (LinkCommonOptions & { type: 'ifb' })
  | (LinkCommonOptions & { type: 'bond' } & BondOptions)
  | (LinkCommonOptions & { type: 'vrf'; table: number } & VrfOptions)
  | (LinkCommonOptions & { type: 'geneve' } & GeneveOptions);

/** The `type` values of {@link LinkAddSpec}. */
export type LinkType = LinkAddSpec['type'];

/**
 * Changes of `nl.link.set()` (`ip link set dev DEV ...`), sent as one RTM_NEWLINK as iproute2
 * does: up/down and the other flags in ifi_flags/ifi_change, the rest as attributes.
 */
export interface LinkBaseChanges {
  /** `up` / `down`. */
  up?: boolean;
  /** `name NEWNAME`. */
  name?: string;
  /** `mtu MTU`. */
  mtu?: number;
  /** `address LLADDR`. */
  address?: string;
  /** `broadcast LLADDR`. */
  broadcast?: string;
  /** `master DEV`, or null for `nomaster` (IFLA_MASTER 0). */
  master?: LinkRef | null;
  /** `netns NS`: move it to another namespace (IFLA_NET_NS_FD; IFLA_NET_NS_PID for `{ pid }`). */
  netns?: NetnsRef;
  /** `alias TEXT`, or null / '' to clear it. */
  alias?: string | null;
  /** `txqueuelen N`. */
  txqueuelen?: number;
  /** `promisc on|off`. */
  promisc?: boolean;
  /** `arp on|off` (off sets IFF_NOARP). */
  arp?: boolean;
  /** `multicast on|off`. */
  multicast?: boolean;
  /** `allmulticast on|off`. */
  allmulticast?: boolean;
  /** `dynamic on|off`. */
  dynamic?: boolean;
  /** `trailers on|off` (off sets IFF_NOTRAILERS). */
  trailers?: boolean;
  /** `carrier on|off` (devices that allow it, e.g. dummy). */
  carrier?: boolean;
  /** `group N`. */
  group?: number;
  /** `protodown on|off`. */
  protodown?: boolean;
}

/**
 * `type KIND ...` in `nl.link.set()`: change kind options of the device, e.g.
 * `{ type: 'bridge', stp: true }` (`ip link set dev br0 type bridge stp_state 1`). The kind must
 * be the device's.
 */
export type LinkKindChanges =
  | { type?: undefined }
  | ({ type: 'bridge' } & BridgeOptions)
  | ({ type: 'vxlan' } & Omit<VxlanOptions, 'group'>)
  | ({ type: 'macvlan' | 'macvtap' } & MacvlanOptions)
  | ({ type: 'ipip' | 'sit' } & IptunOptions)
  | ({ type: 'gre' | 'gretap' } & GreOptions)
  | ({ type: 'vlan' } & VlanOptions)
  | ({ type: 'bond' } & BondOptions)
  | ({ type: 'vrf' } & VrfOptions)
  | ({ type: 'geneve' } & GeneveOptions);

/** The changes of `nl.link.set()`: {@link LinkBaseChanges}, optionally with kind options. */
export type LinkChanges = LinkBaseChanges & LinkKindChanges;

/**
 * Filter of `nl.link.list()`. `master` and `kind` are given to the kernel (IFLA_MASTER and
 * IFLA_LINKINFO/IFLA_INFO_KIND in the dump request, strict checking), as `ip link show master
 * br0` / `type bridge` do, and checked again here (the kernel ignores a kind it has no module
 * for).
 */
export interface LinkFilter {
  /** Only this kind (`ip link show type KIND`). */
  kind?: string;
  /** Alias of `kind`, ip's word. */
  type?: string;
  /** Only ports of a master of this kind (`ip link show type bridge_slave` → 'bridge'). */
  slaveKind?: string;
  /** Only ports of this master (`ip link show master DEV`). */
  master?: LinkRef;
  /** Only links that are (or are not) administratively up (`ip link show up`). */
  up?: boolean;
}
