/**
 * bridge: a software Ethernet bridge (`ip link add br0 type bridge ...`), IFLA_INFO_DATA =
 * IFLA_BR_*; and the port side (`slaveInfo` of a link enslaved to a bridge, IFLA_BRPORT_*).
 *
 * Units: the kernel takes and reports the bridge's times (forward_delay, hello_time, max_age,
 * ageing_time, the mcast intervals and the timers) as clock_t, i.e. hundredths of a second
 * (br_netlink.c: clock_t_to_jiffies), and iproute2 passes the number through unchanged
 * (`forward_delay 1500` is 15 s). This API takes and gives **seconds** (fractions allowed to the
 * hundredth): `forwardDelay: 15` sends 1500.
 *
 * @example
 * ```ts
 * // ip link add br0 type bridge stp_state 1 forward_delay 400 ageing_time 12000
 * await nl.link.add({ name: 'br0', type: 'bridge', stp: true, forwardDelay: 4, ageingTime: 120 });
 * (await nl.link.get('br0')).info; // { kind: 'bridge', stp: true, forwardDelay: 4, ageingTime: 120, ... }
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import { type Attrs, bool, enumName, type KindDef, num, optBool, optEnum, optInt, optMac, optSeconds, seconds, str } from './common.js';

/** Kind options of bridge in `nl.link.add()` and `nl.link.set(dev, { type: 'bridge', ... })`. */
export interface BridgeOptions {
  /** `stp_state 0|1`: run the Spanning Tree Protocol. Default: false. */
  stp?: boolean;
  /** `forward_delay`, in seconds (2..30 while STP runs). Default: 15. */
  forwardDelay?: number;
  /** `hello_time`, in seconds (1..10 while STP runs). Default: 2. */
  helloTime?: number;
  /** `max_age`, in seconds (6..40 while STP runs). Default: 20. */
  maxAge?: number;
  /** `ageing_time`: lifetime of learned FDB entries, in seconds. Default: 300. */
  ageingTime?: number;
  /** `priority` of the bridge id, 0..65535. Default: 32768. */
  priority?: number;
  /** `vlan_filtering 0|1` (needs a kernel built with CONFIG_BRIDGE_VLAN_FILTERING). Default: false. */
  vlanFiltering?: boolean;
  /** `vlan_protocol 802.1Q|802.1ad`. Default: '802.1Q'. */
  vlanProtocol?: '802.1Q' | '802.1ad';
  /** `vlan_default_pvid`, 0..4094 (0 = none). Default: 1. */
  vlanDefaultPvid?: number;
  /** `vlan_stats_enabled 0|1`. Default: false. */
  vlanStatsEnabled?: boolean;
  /** `group_fwd_mask`: link-local groups (bits of 01:80:c2:00:00:0X) to forward. Default: 0. */
  groupFwdMask?: number;
  /** `group_address`: the STP group address. Default: 01:80:c2:00:00:00. */
  groupAddress?: string;
  /** `fdb_flush` (set only): flush the dynamic FDB entries. */
  fdbFlush?: boolean;
  /** `mcast_snooping 0|1`: IGMP/MLD snooping. Default: true. */
  mcastSnooping?: boolean;
  /** `mcast_router 0|1|2`: disabled, automatic, permanent. Default: 1. */
  mcastRouter?: number;
  /** `mcast_querier 0|1`. Default: false. */
  mcastQuerier?: boolean;
  /** `mcast_query_use_ifaddr 0|1`. Default: false. */
  mcastQueryUseIfaddr?: boolean;
  /** `mcast_hash_elasticity`. Default: 16. */
  mcastHashElasticity?: number;
  /** `mcast_hash_max`. Default: 4096. */
  mcastHashMax?: number;
  /** `mcast_last_member_count`. Default: 2. */
  mcastLastMemberCount?: number;
  /** `mcast_startup_query_count`. Default: 2. */
  mcastStartupQueryCount?: number;
  /** `mcast_last_member_interval`, seconds. Default: 1. */
  mcastLastMemberInterval?: number;
  /** `mcast_membership_interval`, seconds. Default: 260. */
  mcastMembershipInterval?: number;
  /** `mcast_querier_interval`, seconds. Default: 255. */
  mcastQuerierInterval?: number;
  /** `mcast_query_interval`, seconds. Default: 125. */
  mcastQueryInterval?: number;
  /** `mcast_query_response_interval`, seconds. Default: 10. */
  mcastQueryResponseInterval?: number;
  /** `mcast_startup_query_interval`, seconds. Default: 31.24. */
  mcastStartupQueryInterval?: number;
  /** `mcast_stats_enabled 0|1`. Default: false. */
  mcastStatsEnabled?: boolean;
  /** `mcast_igmp_version 2|3`. Default: 2. */
  mcastIgmpVersion?: 2 | 3;
  /** `mcast_mld_version 1|2`. Default: 1. */
  mcastMldVersion?: 1 | 2;
  /** `nf_call_iptables 0|1`: pass bridged IPv4 through iptables. Default: false. */
  nfCallIptables?: boolean;
  /** `nf_call_ip6tables 0|1`. Default: false. */
  nfCallIp6tables?: boolean;
  /** `nf_call_arptables 0|1`. Default: false. */
  nfCallArptables?: boolean;
}

/** `info` of a bridge (times in seconds; absent fields were not reported by the kernel). */
export interface BridgeInfo {
  kind: 'bridge';
  stp: boolean | undefined;
  /** IFLA_BR_STP_STATE as a number (0 off, 1 kernel STP, 2 user-space STP). */
  stpState: number | undefined;
  forwardDelay: number | undefined;
  helloTime: number | undefined;
  maxAge: number | undefined;
  ageingTime: number | undefined;
  priority: number | undefined;
  vlanFiltering: boolean | undefined;
  /** Reported only by kernels built with CONFIG_BRIDGE_VLAN_FILTERING, like the other vlan fields. */
  vlanProtocol: '802.1Q' | '802.1ad' | number | undefined;
  vlanDefaultPvid: number | undefined;
  vlanStatsEnabled: boolean | undefined;
  groupFwdMask: number | undefined;
  groupAddress: string | undefined;
  /**
   * The bridge id as ip shows it, `8000.aa:bb:cc:dd:ee:ff`: the priority in hex, then the MAC in
   * canonical colon hex (ip prints the MAC with ether_ntoa, without leading zeros).
   */
  bridgeId: string | undefined;
  /** The root bridge id, same format. */
  rootId: string | undefined;
  rootPort: number | undefined;
  rootPathCost: number | undefined;
  topologyChange: boolean | undefined;
  topologyChangeDetected: boolean | undefined;
  /** Timers, seconds. */
  helloTimer: number | undefined;
  tcnTimer: number | undefined;
  topologyChangeTimer: number | undefined;
  gcTimer: number | undefined;
  mcastSnooping: boolean | undefined;
  mcastRouter: number | undefined;
  mcastQuerier: boolean | undefined;
  mcastQueryUseIfaddr: boolean | undefined;
  mcastHashElasticity: number | undefined;
  mcastHashMax: number | undefined;
  mcastLastMemberCount: number | undefined;
  mcastStartupQueryCount: number | undefined;
  mcastLastMemberInterval: number | undefined;
  mcastMembershipInterval: number | undefined;
  mcastQuerierInterval: number | undefined;
  mcastQueryInterval: number | undefined;
  mcastQueryResponseInterval: number | undefined;
  mcastStartupQueryInterval: number | undefined;
  mcastStatsEnabled: boolean | undefined;
  mcastIgmpVersion: number | undefined;
  mcastMldVersion: number | undefined;
  nfCallIptables: boolean | undefined;
  nfCallIp6tables: boolean | undefined;
  nfCallArptables: boolean | undefined;
  /** Learned FDB entries, and their limit (0 = none), on kernels that report them. */
  fdbLearned: number | undefined;
  fdbMaxLearned: number | undefined;
}

/** Port states (enum br_port_state_t / BR_STATE_*), named as ip shows them. */
export const BRIDGE_PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'] as const;

/** `slaveInfo` of a bridge port (IFLA_INFO_SLAVE_DATA, IFLA_BRPORT_*); timers in seconds. */
export interface BridgePortInfo {
  kind: 'bridge';
  state: (typeof BRIDGE_PORT_STATES)[number] | number | undefined;
  priority: number | undefined;
  cost: number | undefined;
  /** `hairpin`. */
  hairpin: boolean | undefined;
  /** `guard` (BPDU guard). */
  guard: boolean | undefined;
  /** `root_block`. */
  rootBlock: boolean | undefined;
  fastLeave: boolean | undefined;
  learning: boolean | undefined;
  /** `flood`: unicast flooding. */
  unicastFlood: boolean | undefined;
  mcastFlood: boolean | undefined;
  bcastFlood: boolean | undefined;
  mcastToUnicast: boolean | undefined;
  proxyArp: boolean | undefined;
  proxyArpWifi: boolean | undefined;
  neighSuppress: boolean | undefined;
  isolated: boolean | undefined;
  locked: boolean | undefined;
  vlanTunnel: boolean | undefined;
  groupFwdMask: number | undefined;
  /** Port id and number. */
  id: number | undefined;
  no: number | undefined;
  designatedPort: number | undefined;
  designatedCost: number | undefined;
  bridgeId: string | undefined;
  rootId: string | undefined;
  multicastRouter: number | undefined;
  messageAgeTimer: number | undefined;
  forwardDelayTimer: number | undefined;
  holdTimer: number | undefined;
}

/** ETH_P_8021Q / ETH_P_8021AD. */
const VLAN_PROTOCOLS: Readonly<Record<string, number>> = { '802.1Q': 0x8100, '802.1ad': 0x88a8 };

const U32_CS = 0xffffffff;
const U64_CS = Number.MAX_SAFE_INTEGER;

/** Options in the order they go on the wire: [option, attribute, reader]. */
const OPTIONS: ReadonlyArray<readonly [string, string, (o: Readonly<Record<string, unknown>>, k: string) => unknown]> = [
  ['forwardDelay', 'forward_delay', (o, k) => optSeconds(o, k, U32_CS)],
  ['helloTime', 'hello_time', (o, k) => optSeconds(o, k, U32_CS)],
  ['maxAge', 'max_age', (o, k) => optSeconds(o, k, U32_CS)],
  ['ageingTime', 'ageing_time', (o, k) => optSeconds(o, k, U32_CS)],
  ['stp', 'stp_state', (o, k) => u8(optBool(o, k))],
  ['priority', 'priority', (o, k) => optInt(o, k, 0, 0xffff)],
  ['vlanFiltering', 'vlan_filtering', (o, k) => u8(optBool(o, k))],
  ['vlanProtocol', 'vlan_protocol', (o, k) => optEnum(o, k, VLAN_PROTOCOLS)],
  ['groupFwdMask', 'group_fwd_mask', (o, k) => optInt(o, k, 0, 0xffff)],
  ['groupAddress', 'group_addr', (o, k) => optMac(o, k)],
  ['fdbFlush', 'fdb_flush', (o, k) => flag(o, k)],
  ['vlanDefaultPvid', 'vlan_default_pvid', (o, k) => optInt(o, k, 0, 4094)],
  ['vlanStatsEnabled', 'vlan_stats_enabled', (o, k) => u8(optBool(o, k))],
  ['mcastRouter', 'mcast_router', (o, k) => optInt(o, k, 0, 2)],
  ['mcastSnooping', 'mcast_snooping', (o, k) => u8(optBool(o, k))],
  ['mcastQueryUseIfaddr', 'mcast_query_use_ifaddr', (o, k) => u8(optBool(o, k))],
  ['mcastQuerier', 'mcast_querier', (o, k) => u8(optBool(o, k))],
  ['mcastHashElasticity', 'mcast_hash_elasticity', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['mcastHashMax', 'mcast_hash_max', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['mcastLastMemberCount', 'mcast_last_member_cnt', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['mcastStartupQueryCount', 'mcast_startup_query_cnt', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['mcastLastMemberInterval', 'mcast_last_member_intvl', (o, k) => optSeconds(o, k, U64_CS)],
  ['mcastMembershipInterval', 'mcast_membership_intvl', (o, k) => optSeconds(o, k, U64_CS)],
  ['mcastQuerierInterval', 'mcast_querier_intvl', (o, k) => optSeconds(o, k, U64_CS)],
  ['mcastQueryInterval', 'mcast_query_intvl', (o, k) => optSeconds(o, k, U64_CS)],
  ['mcastQueryResponseInterval', 'mcast_query_response_intvl', (o, k) => optSeconds(o, k, U64_CS)],
  ['mcastStartupQueryInterval', 'mcast_startup_query_intvl', (o, k) => optSeconds(o, k, U64_CS)],
  ['mcastStatsEnabled', 'mcast_stats_enabled', (o, k) => u8(optBool(o, k))],
  ['mcastIgmpVersion', 'mcast_igmp_version', (o, k) => optInt(o, k, 2, 3)],
  ['mcastMldVersion', 'mcast_mld_version', (o, k) => optInt(o, k, 1, 2)],
  ['nfCallIptables', 'nf_call_iptables', (o, k) => u8(optBool(o, k))],
  ['nfCallIp6tables', 'nf_call_ip6tables', (o, k) => u8(optBool(o, k))],
  ['nfCallArptables', 'nf_call_arptables', (o, k) => u8(optBool(o, k))],
];

function u8(b: boolean | undefined): number | undefined {
  return b === undefined ? undefined : b ? 1 : 0;
}

function flag(o: Readonly<Record<string, unknown>>, k: string): true | undefined {
  const b = optBool(o, k);
  if (b === false) return undefined;
  return b;
}

/** `8000.aa:bb:cc:dd:ee:ff` of a decoded struct ifla_bridge_id ({ prio: hex, addr: mac }). */
function bridgeId(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const id = v as { prio?: unknown; addr?: unknown };
  return typeof id.prio === 'string' && typeof id.addr === 'string' ? `${id.prio}.${id.addr}` : undefined;
}

/**
 * The bridge kind.
 *
 * @example
 * ```ts
 * // ip link add br0 type bridge stp_state 1 forward_delay 400
 * await bridge.prepare({ stp: true, forwardDelay: 4 }, 'bridge', 'add')?.(ctx); // { forward_delay: 400, stp_state: 1 }
 * ```
 */
export const bridge: KindDef<BridgeInfo> = {
  kinds: ['bridge'],
  options: OPTIONS.map(([k]) => k),
  prepare(o, _kind, mode) {
    if (mode === 'add' && o['fdbFlush'] !== undefined) throw new ArgumentError('fdbFlush', o['fdbFlush'], 'only applies to an existing bridge (nl.link.set)');
    const data: Attrs = {};
    for (const [key, attr, read] of OPTIONS) {
      const v = read(o, key);
      if (v !== undefined) data[attr] = v;
    }
    // iproute2 sends IFLA_INFO_DATA only when options follow `type bridge`.
    if (Object.keys(data).length === 0) return undefined;
    return async () => data;
  },
  info(data) {
    const d = data ?? {};
    const vp = num(d['vlan_protocol']);
    return {
      kind: 'bridge',
      stp: bool(d['stp_state']),
      stpState: num(d['stp_state']),
      forwardDelay: seconds(d['forward_delay']),
      helloTime: seconds(d['hello_time']),
      maxAge: seconds(d['max_age']),
      ageingTime: seconds(d['ageing_time']),
      priority: num(d['priority']),
      vlanFiltering: bool(d['vlan_filtering']),
      vlanProtocol: vp === undefined ? undefined : ((enumName(VLAN_PROTOCOLS, vp) as '802.1Q' | '802.1ad' | undefined) ?? vp),
      vlanDefaultPvid: num(d['vlan_default_pvid']),
      vlanStatsEnabled: bool(d['vlan_stats_enabled']),
      groupFwdMask: num(d['group_fwd_mask']),
      groupAddress: str(d['group_addr']),
      bridgeId: bridgeId(d['bridge_id']),
      rootId: bridgeId(d['root_id']),
      rootPort: num(d['root_port']),
      rootPathCost: num(d['root_path_cost']),
      topologyChange: bool(d['topology_change']),
      topologyChangeDetected: bool(d['topology_change_detected']),
      helloTimer: seconds(d['hello_timer']),
      tcnTimer: seconds(d['tcn_timer']),
      topologyChangeTimer: seconds(d['topology_change_timer']),
      gcTimer: seconds(d['gc_timer']),
      mcastSnooping: bool(d['mcast_snooping']),
      mcastRouter: num(d['mcast_router']),
      mcastQuerier: bool(d['mcast_querier']),
      mcastQueryUseIfaddr: bool(d['mcast_query_use_ifaddr']),
      mcastHashElasticity: num(d['mcast_hash_elasticity']),
      mcastHashMax: num(d['mcast_hash_max']),
      mcastLastMemberCount: num(d['mcast_last_member_cnt']),
      mcastStartupQueryCount: num(d['mcast_startup_query_cnt']),
      mcastLastMemberInterval: seconds(d['mcast_last_member_intvl']),
      mcastMembershipInterval: seconds(d['mcast_membership_intvl']),
      mcastQuerierInterval: seconds(d['mcast_querier_intvl']),
      mcastQueryInterval: seconds(d['mcast_query_intvl']),
      mcastQueryResponseInterval: seconds(d['mcast_query_response_intvl']),
      mcastStartupQueryInterval: seconds(d['mcast_startup_query_intvl']),
      mcastStatsEnabled: bool(d['mcast_stats_enabled']),
      mcastIgmpVersion: num(d['mcast_igmp_version']),
      mcastMldVersion: num(d['mcast_mld_version']),
      nfCallIptables: bool(d['nf_call_iptables']),
      nfCallIp6tables: bool(d['nf_call_ip6tables']),
      nfCallArptables: bool(d['nf_call_arptables']),
      fdbLearned: num(d['fdb_n_learned']),
      fdbMaxLearned: num(d['fdb_max_learned']),
    };
  },
};

/**
 * The typed view of a bridge port's IFLA_INFO_SLAVE_DATA (`ip -d link show dev veth0`: bridge_slave ...).
 *
 * @example
 * ```ts
 * bridgePortInfo({ state: 3, cost: 2 }); // { kind: 'bridge', state: 'forwarding', cost: 2, ... }
 * ```
 */
export function bridgePortInfo(data: Attrs | undefined): BridgePortInfo {
  const d = data ?? {};
  const st = num(d['state']);
  return {
    kind: 'bridge',
    state: st === undefined ? undefined : (BRIDGE_PORT_STATES[st] ?? st),
    priority: num(d['priority']),
    cost: num(d['cost']),
    hairpin: bool(d['mode']),
    guard: bool(d['guard']),
    rootBlock: bool(d['protect']),
    fastLeave: bool(d['fast_leave']),
    learning: bool(d['learning']),
    unicastFlood: bool(d['unicast_flood']),
    mcastFlood: bool(d['mcast_flood']),
    bcastFlood: bool(d['bcast_flood']),
    mcastToUnicast: bool(d['mcast_to_ucast']),
    proxyArp: bool(d['proxyarp']),
    proxyArpWifi: bool(d['proxyarp_wifi']),
    neighSuppress: bool(d['neigh_suppress']),
    isolated: bool(d['isolated']),
    locked: bool(d['locked']),
    vlanTunnel: bool(d['vlan_tunnel']),
    groupFwdMask: num(d['group_fwd_mask']),
    id: num(d['id']),
    no: num(d['no']),
    designatedPort: num(d['designated_port']),
    designatedCost: num(d['designated_cost']),
    bridgeId: bridgeId(d['bridge_id']),
    rootId: bridgeId(d['root_id']),
    multicastRouter: num(d['multicast_router']),
    messageAgeTimer: seconds(d['message_age_timer']),
    forwardDelayTimer: seconds(d['forward_delay_timer']),
    holdTimer: seconds(d['hold_timer']),
  };
}
