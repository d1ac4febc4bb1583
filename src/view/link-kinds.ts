/**
 * The `info_data` / `info_slave_data` printers of iproute2 6.1, one per link kind
 * (`ip/iplink_*.c`, `ip/link_*.c`, `ip/iptuntap.c`): what `ip -d link show` prints after the kind.
 *
 * Covered: bridge, bridge_slave, vxlan, macvlan, macvtap, tun, vlan, bond, bond_slave, vrf,
 * vrf_slave, ipip, sit, gre, gretap, erspan. Kinds that ip 6.1 prints nothing for (veth, dummy,
 * ifb, ...) have no printer, so no `info_data` object is shown, as ip does. Kinds ip prints but
 * this module does not know (geneve, ipvlan, macsec, ip6tnl, ...) are listed by
 * {@link UNSUPPORTED_KINDS}; their `info_data` is left out.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import { parseIPv4, parseIPv6 } from '../netlink/bytes.js';
import { type Attrs, all, big, has, num, obj, str } from './attrs.js';
import { type ViewContext, ifName } from './context.js';
import { llProtoName } from './names.js';
import { ANY, FP, type IpPrinter, JSON_ONLY } from './printer.js';

type KindPrinter = (p: IpPrinter, d: Attrs, ctx: ViewContext, m: Message) => void;

/** Link kinds whose `info_data` ip 6.1 prints but this module does not (their `info_data` is omitted). */
export const UNSUPPORTED_KINDS: readonly string[] = [
  'geneve', 'ipvlan', 'ipvtap', 'macsec', 'hsr', 'xfrm', 'bareudp', 'ip6tnl', 'ip6gre', 'ip6gretap', 'ip6erspan',
  'vti', 'vti6', 'can', 'ipoib', 'gtp', 'amt', 'rmnet', 'virt_wifi', 'batadv', 'netdevsim', 'wwan', 'dsa', 'hsr_slave',
];

/** jiffies (USER_HZ = 100) as ip prints timers: seconds with two decimals, truncated. */
function timer(p: IpPrinter, key: string, v: number | bigint): void {
  const j = typeof v === 'bigint' ? Number(v) : v;
  const sec = Math.floor(j / 100);
  const cs = Math.floor(j - sec * 100);
  if (p.json) p.jsonRaw(key, Number(`${sec}.${String(cs).padStart(2, '0')}`));
  else p.fp('%s %4i.%.2i ', key, sec, cs);
}

/** br_dump_bridge_id: `%.2x%.2x.` of the priority, then the address as glibc's ether_ntoa (no zero padding). */
function bridgeId(id: Attrs | undefined): string | undefined {
  if (!id) return undefined;
  const prio = str(id, 'prio') ?? '0000';
  const addr = (str(id, 'addr') ?? '')
    .split(':')
    .map((b) => parseInt(b, 16).toString(16))
    .join(':');
  return `${prio}.${addr}`;
}

/** IPv4 text of a be32 number (ikey/okey printed with inet_ntop). */
function be32ToDotted(v: number): string {
  return `${(v >>> 24) & 255}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

function isAnyAddr(text: string | undefined): boolean {
  return text === undefined || text === '0.0.0.0' || text === '::';
}

// ---------------------------------------------------------------------------------------------
// bridge (iplink_bridge.c)

const bridge: KindPrinter = (p, d) => {
  for (const [k, fmt] of [
    ['forward_delay', 'forward_delay %u '],
    ['hello_time', 'hello_time %u '],
    ['max_age', 'max_age %u '],
    ['ageing_time', 'ageing_time %u '],
    ['stp_state', 'stp_state %u '],
    ['priority', 'priority %u '],
    ['vlan_filtering', 'vlan_filtering %u '],
  ] as const) {
    if (has(d, k)) p.num(ANY, k, fmt, num(d, k)!);
  }
  if (has(d, 'vlan_protocol')) p.str(ANY, 'vlan_protocol', 'vlan_protocol %s ', llProtoName(num(d, 'vlan_protocol')!));
  if (has(d, 'bridge_id')) p.str(ANY, 'bridge_id', 'bridge_id %s ', bridgeId(obj(d, 'bridge_id')));
  if (has(d, 'root_id')) p.str(ANY, 'root_id', 'designated_root %s ', bridgeId(obj(d, 'root_id')));
  for (const [k, fmt] of [
    ['root_port', 'root_port %u '],
    ['root_path_cost', 'root_path_cost %u '],
    ['topology_change', 'topology_change %u '],
    ['topology_change_detected', 'topology_change_detected %u '],
  ] as const) {
    if (has(d, k)) p.num(ANY, k, fmt, num(d, k)!);
  }
  for (const k of ['hello_timer', 'tcn_timer', 'topology_change_timer', 'gc_timer']) {
    if (has(d, k)) timer(p, k, big(d, k)!);
  }
  for (const [k, fmt] of [
    ['vlan_default_pvid', 'vlan_default_pvid %u '],
    ['vlan_stats_enabled', 'vlan_stats_enabled %u '],
    ['vlan_stats_per_port', 'vlan_stats_per_port %u '],
  ] as const) {
    if (has(d, k)) p.num(ANY, k, fmt, num(d, k)!);
  }
  if (has(d, 'group_fwd_mask')) p.xhex(ANY, 'group_fwd_mask', 'group_fwd_mask %#llx ', num(d, 'group_fwd_mask')!);
  if (has(d, 'group_addr')) p.str(ANY, 'group_addr', 'group_address %s ', str(d, 'group_addr'));
  if (has(d, 'mcast_snooping')) p.num(ANY, 'mcast_snooping', 'mcast_snooping %u ', num(d, 'mcast_snooping')!);
  const bm = obj(d, 'multi_boolopt');
  if (bm) {
    const val = num(bm, 'optval') ?? 0;
    const mask = num(bm, 'optmask') ?? 0;
    if (mask & 1) p.num(ANY, 'no_linklocal_learn', 'no_linklocal_learn %u ', val & 1 ? 1 : 0);
    if (mask & 2) p.num(ANY, 'mcast_vlan_snooping', 'mcast_vlan_snooping %u ', val & 2 ? 1 : 0);
  }
  for (const [k, fmt] of [
    ['mcast_router', 'mcast_router %u '],
    ['mcast_query_use_ifaddr', 'mcast_query_use_ifaddr %u '],
    ['mcast_querier', 'mcast_querier %u '],
    ['mcast_hash_elasticity', 'mcast_hash_elasticity %u '],
    ['mcast_hash_max', 'mcast_hash_max %u '],
    ['mcast_last_member_cnt', 'mcast_last_member_count %u '],
    ['mcast_startup_query_cnt', 'mcast_startup_query_count %u '],
    ['mcast_last_member_intvl', 'mcast_last_member_interval %llu '],
    ['mcast_membership_intvl', 'mcast_membership_interval %llu '],
    ['mcast_querier_intvl', 'mcast_querier_interval %llu '],
    ['mcast_query_intvl', 'mcast_query_interval %llu '],
    ['mcast_query_response_intvl', 'mcast_query_response_interval %llu '],
    ['mcast_startup_query_intvl', 'mcast_startup_query_interval %llu '],
    ['mcast_stats_enabled', 'mcast_stats_enabled %u '],
    ['mcast_igmp_version', 'mcast_igmp_version %u '],
    ['mcast_mld_version', 'mcast_mld_version %u '],
    ['nf_call_iptables', 'nf_call_iptables %u '],
    ['nf_call_ip6tables', 'nf_call_ip6tables %u '],
    ['nf_call_arptables', 'nf_call_arptables %u '],
  ] as const) {
    if (has(d, k)) p.num(ANY, k, fmt, big(d, k)!);
  }
};

// ---------------------------------------------------------------------------------------------
// bridge_slave (iplink_bridge_slave.c)

const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const FWD_MASK_NAMES: Record<number, string> = { 0: 'stp', 2: 'lacp', 14: 'lldp' };

function onoff(p: IpPrinter, jsonKey: string, text: string, v: number | undefined): void {
  if (p.json) p.bool(JSON_ONLY, jsonKey, null, !!v);
  else p.fp('%s %s ', text, v ? 'on' : 'off');
}

const bridgeSlave: KindPrinter = (p, d, ctx) => {
  if (has(d, 'state')) {
    const s = num(d, 'state')!;
    const name = PORT_STATES[s];
    if (name !== undefined) p.str(ANY, 'state', 'state %s ', name);
    else p.num(ANY, 'state_index', 'state (%d) ', s);
  }
  if (has(d, 'priority')) p.num(ANY, 'priority', 'priority %d ', num(d, 'priority')!);
  if (has(d, 'cost')) p.num(ANY, 'cost', 'cost %d ', num(d, 'cost')!);
  if (has(d, 'mode')) onoff(p, 'hairpin', 'hairpin', num(d, 'mode'));
  if (has(d, 'guard')) onoff(p, 'guard', 'guard', num(d, 'guard'));
  if (has(d, 'protect')) onoff(p, 'root_block', 'root_block', num(d, 'protect'));
  if (has(d, 'fast_leave')) onoff(p, 'fastleave', 'fastleave', num(d, 'fast_leave'));
  if (has(d, 'learning')) onoff(p, 'learning', 'learning', num(d, 'learning'));
  if (has(d, 'unicast_flood')) onoff(p, 'flood', 'flood', num(d, 'unicast_flood'));
  if (has(d, 'id')) p.xhex(ANY, 'id', 'port_id %#llx ', num(d, 'id')!);
  if (has(d, 'no')) p.xhex(ANY, 'no', 'port_no %#llx ', num(d, 'no')!);
  if (has(d, 'designated_port')) p.num(ANY, 'designated_port', 'designated_port %u ', num(d, 'designated_port')!);
  if (has(d, 'designated_cost')) p.num(ANY, 'designated_cost', 'designated_cost %u ', num(d, 'designated_cost')!);
  if (has(d, 'bridge_id')) p.str(ANY, 'bridge_id', 'designated_bridge %s ', bridgeId(obj(d, 'bridge_id')));
  if (has(d, 'root_id')) p.str(ANY, 'root_id', 'designated_root %s ', bridgeId(obj(d, 'root_id')));
  for (const k of ['hold_timer', 'message_age_timer', 'forward_delay_timer']) {
    if (has(d, k)) timer(p, k, big(d, k)!);
  }
  if (has(d, 'topology_change_ack')) p.num(ANY, 'topology_change_ack', 'topology_change_ack %u ', num(d, 'topology_change_ack')!);
  if (has(d, 'config_pending')) p.num(ANY, 'config_pending', 'config_pending %u ', num(d, 'config_pending')!);
  if (has(d, 'proxyarp')) onoff(p, 'proxy_arp', 'proxy_arp', num(d, 'proxyarp'));
  if (has(d, 'proxyarp_wifi')) onoff(p, 'proxy_arp_wifi', 'proxy_arp_wifi', num(d, 'proxyarp_wifi'));
  if (has(d, 'multicast_router')) p.num(ANY, 'multicast_router', 'mcast_router %u ', num(d, 'multicast_router')!);
  if (has(d, 'fast_leave')) p.fp('mcast_fast_leave %s ', num(d, 'fast_leave') ? 'on' : 'off');
  if (has(d, 'mcast_flood')) onoff(p, 'mcast_flood', 'mcast_flood', num(d, 'mcast_flood'));
  if (has(d, 'bcast_flood')) onoff(p, 'bcast_flood', 'bcast_flood', num(d, 'bcast_flood'));
  if (has(d, 'mcast_to_ucast')) onoff(p, 'mcast_to_unicast', 'mcast_to_unicast', num(d, 'mcast_to_ucast'));
  if (has(d, 'neigh_suppress')) onoff(p, 'neigh_suppress', 'neigh_suppress', num(d, 'neigh_suppress'));
  if (has(d, 'group_fwd_mask')) {
    const mask = num(d, 'group_fwd_mask')!;
    p.xhex(ANY, 'group_fwd_mask', 'group_fwd_mask %#llx ', mask);
    const parts: string[] = [];
    for (let i = 0; i < 16; i++) if (mask & (1 << i)) parts.push(FWD_MASK_NAMES[i] ?? `0x${(1 << i).toString(16)}`);
    p.str(ANY, 'group_fwd_mask_str', 'group_fwd_mask_str %s ', parts.length ? parts.join(',') : '0x0');
  }
  if (has(d, 'vlan_tunnel')) onoff(p, 'vlan_tunnel', 'vlan_tunnel', num(d, 'vlan_tunnel'));
  if (has(d, 'isolated')) onoff(p, 'isolated', 'isolated', num(d, 'isolated'));
  if (has(d, 'locked')) onoff(p, 'locked', 'locked', num(d, 'locked'));
  if (has(d, 'backup_port')) {
    const idx = num(d, 'backup_port')!;
    p.str(ANY, 'backup_port', 'backup_port %s ', ifName(ctx, idx));
  }
};

// ---------------------------------------------------------------------------------------------
// vxlan (iplink_vxlan.c)

function isMulticast4(a: string): boolean {
  const b = parseIPv4(a);
  return b !== undefined && b[0]! >= 224 && b[0]! <= 239;
}
function isMulticast6(a: string): boolean {
  const b = parseIPv6(a);
  return b !== undefined && b[0] === 0xff;
}

const vxlan: KindPrinter = (p, d, ctx) => {
  if (num(d, 'collect_metadata')) p.bool(ANY, 'external', 'external ', true);
  if (num(d, 'vnifilter')) p.bool(ANY, 'vnifilter', 'vnifilter', true);
  if (has(d, 'id')) p.num(ANY, 'id', 'id %u ', num(d, 'id')!);
  const group = str(d, 'group');
  const group6 = str(d, 'group6');
  if (has(d, 'group')) {
    if (!isAnyAddr(group)) {
      if (isMulticast4(group!)) p.str(ANY, 'group', 'group %s ', group);
      else p.str(ANY, 'remote', 'remote %s ', group);
    }
  } else if (has(d, 'group6') && !isAnyAddr(group6)) {
    if (isMulticast6(group6!)) p.str(ANY, 'group6', 'group %s ', group6);
    else p.str(ANY, 'remote6', 'remote %s ', group6);
  }
  const local = str(d, 'local');
  const local6 = str(d, 'local6');
  if (has(d, 'local')) {
    if (!isAnyAddr(local)) p.str(ANY, 'local', 'local %s ', local);
  } else if (has(d, 'local6') && !isAnyAddr(local6)) p.str(ANY, 'local6', 'local %s ', local6);
  const link = num(d, 'link');
  if (link) p.str(ANY, 'link', 'dev %s ', ifName(ctx, link));
  const range = obj(d, 'port_range');
  if (range) {
    if (p.json) {
      p.openObject('port_range');
      p.num(JSON_ONLY, 'low', null, num(range, 'low') ?? 0);
      p.num(JSON_ONLY, 'high', null, num(range, 'high') ?? 0);
      p.closeObject();
    } else p.fp('srcport %u %u ', num(range, 'low') ?? 0, num(range, 'high') ?? 0);
  }
  if (has(d, 'port')) p.num(ANY, 'port', 'dstport %u ', num(d, 'port')!);
  if (has(d, 'learning')) {
    const l = num(d, 'learning')!;
    p.bool(JSON_ONLY, 'learning', null, !!l);
    if (!l) p.bool(FP, null, 'nolearning ', true);
  }
  if (num(d, 'proxy')) p.bool(ANY, 'proxy', 'proxy ', true);
  if (num(d, 'rsc')) p.bool(ANY, 'rsc', 'rsc ', true);
  if (num(d, 'l2miss')) p.bool(ANY, 'l2miss', 'l2miss ', true);
  if (num(d, 'l3miss')) p.bool(ANY, 'l3miss', 'l3miss ', true);
  const tos = num(d, 'tos') ?? 0;
  if (tos) {
    if (p.json || tos !== 1) p.xhex(ANY, 'tos', 'tos %#llx ', tos);
    else p.str(FP, null, 'tos %s ', 'inherit');
  }
  if (num(d, 'ttl_inherit')) p.str(FP, null, 'ttl %s ', 'inherit');
  else if (has(d, 'ttl')) {
    const ttl = num(d, 'ttl')!;
    if (p.json || ttl) p.num(ANY, 'ttl', 'ttl %u ', ttl);
    else p.str(FP, null, 'ttl %s ', 'auto');
  }
  if (has(d, 'df')) {
    const df = num(d, 'df')!;
    if (df === 0) p.str(JSON_ONLY, 'df', null, 'unset');
    else if (df === 1) p.str(ANY, 'df', 'df %s ', 'set');
    else if (df === 2) p.str(ANY, 'df', 'df %s ', 'inherit');
  }
  const label = num(d, 'label');
  if (label) p.xhex(ANY, 'label', 'flowlabel %#llx ', label);
  if (has(d, 'ageing')) {
    const age = num(d, 'ageing')!;
    if (age === 0) p.num(ANY, 'ageing', 'ageing none ', 0);
    else p.num(ANY, 'ageing', 'ageing %u ', age);
  }
  const limit = num(d, 'limit');
  if (limit) p.num(ANY, 'limit', 'maxaddr %u ', limit);
  for (const [k, word] of [
    ['udp_csum', 'udpcsum'],
    ['udp_zero_csum6_tx', 'udp6zerocsumtx'],
    ['udp_zero_csum6_rx', 'udp6zerocsumrx'],
  ] as const) {
    if (!has(d, k)) continue;
    const v = !!num(d, k);
    if (p.json) p.bool(JSON_ONLY, k, null, v);
    else p.fp('%s%s ', v ? '' : 'no', word);
  }
  if (num(d, 'remcsum_tx')) p.bool(ANY, 'remcsum_tx', 'remcsumtx ', true);
  if (num(d, 'remcsum_rx')) p.bool(ANY, 'remcsum_rx', 'remcsumrx ', true);
  if (has(d, 'gbp')) p.bool(ANY, 'gbp', 'gbp ', true);
  if (has(d, 'gpe')) p.bool(ANY, 'gpe', 'gpe ', true);
};

// ---------------------------------------------------------------------------------------------
// macvlan / macvtap (iplink_macvlan.c)

const MACVLAN_MODES: Record<number, string> = { 1: 'private', 2: 'vepa', 4: 'bridge', 8: 'passthru', 16: 'source' };

const macvlan: KindPrinter = (p, d) => {
  if (!has(d, 'mode')) return;
  const mode = num(d, 'mode')!;
  p.str(ANY, 'mode', 'mode %s ', MACVLAN_MODES[mode] ?? 'unknown');
  const flags = num(d, 'flags') ?? 0;
  if (flags & 1) p.bool(ANY, 'nopromisc', 'nopromisc ', true);
  if (flags & 2) p.bool(ANY, 'nodst', 'nodst ', true);
  if (has(d, 'bc_queue_len')) p.num(ANY, 'bcqueuelen', 'bcqueuelen %lu ', num(d, 'bc_queue_len')!);
  if (has(d, 'bc_queue_len_used')) p.num(ANY, 'usedbcqueuelen', 'usedbcqueuelen %lu ', num(d, 'bc_queue_len_used')!);
  if (mode !== 16 || !has(d, 'macaddr_count')) return;
  p.num(ANY, 'macaddr_count', 'remotes (%d) ', num(d, 'macaddr_count')!);
  const list = obj(d, 'macaddr_data');
  if (!list) return;
  p.openArray(JSON_ONLY, 'macaddr_data');
  for (const a of all(list, 'macaddr')) {
    if (typeof a !== 'string' || a.length < 17) continue;
    if (p.json) p.str(JSON_ONLY, null, null, a);
    else p.fp('%s ', a);
  }
  p.closeArray(JSON_ONLY, null);
};

// ---------------------------------------------------------------------------------------------
// tun (iptuntap.c)

const tun: KindPrinter = (p, d, ctx) => {
  if (has(d, 'type')) {
    const t = num(d, 'type')!;
    p.str(ANY, 'type', 'type %s ', t === 1 ? 'tun' : t === 2 ? 'tap' : `UNKNOWN:${t & 255}`);
  }
  if (has(d, 'pi')) p.onOff(ANY, 'pi', 'pi %s ', !!num(d, 'pi'));
  if (has(d, 'vnet_hdr')) p.onOff(ANY, 'vnet_hdr', 'vnet_hdr %s ', !!num(d, 'vnet_hdr'));
  if (has(d, 'multi_queue')) {
    if (!num(d, 'multi_queue')) p.bool(JSON_ONLY, 'multi_queue', null, false);
    else {
      p.bool(ANY, 'multi_queue', 'multi_queue ', true);
      if (has(d, 'num_queues')) p.num(ANY, 'numqueues', 'numqueues %u ', num(d, 'num_queues')!);
      if (has(d, 'num_disabled_queues')) p.num(ANY, 'numdisabled', 'numdisabled %u ', num(d, 'num_disabled_queues')!);
    }
  }
  if (has(d, 'persist')) p.onOff(ANY, 'persist', 'persist %s ', !!num(d, 'persist'));
  if (has(d, 'owner')) {
    const uid = num(d, 'owner')!;
    const name = ctx.userName?.(uid);
    if (name !== undefined) p.str(ANY, 'user', 'user %s ', name);
    else p.num(ANY, 'user', 'user %u ', uid);
  }
  if (has(d, 'group')) {
    const gid = num(d, 'group')!;
    const name = ctx.groupName?.(gid);
    if (name !== undefined) p.str(ANY, 'group', 'group %s ', name);
    else p.num(ANY, 'group', 'group %u ', gid);
  }
};

// ---------------------------------------------------------------------------------------------
// vlan (iplink_vlan.c)

const VLAN_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['REORDER_HDR', 0x1],
  ['GVRP', 0x2],
  ['MVRP', 0x8],
  ['LOOSE_BINDING', 0x4],
  ['BRIDGE_BINDING', 0x10],
];

function vlanMap(p: IpPrinter, jsonName: string, fpName: string, qos: Attrs): void {
  p.openArray(JSON_ONLY, jsonName);
  p.nl();
  p.fp('      %s { ', fpName);
  for (const m of all(qos, 'mapping')) {
    const mm = m as Attrs;
    if (p.json) {
      p.openObject(null);
      p.num(JSON_ONLY, 'from', null, num(mm, 'from') ?? 0);
      p.num(JSON_ONLY, 'to', null, num(mm, 'to') ?? 0);
      p.closeObject();
    } else p.fp('%u:%u ', num(mm, 'from') ?? 0, num(mm, 'to') ?? 0);
  }
  p.closeArray(JSON_ONLY, null);
  p.str(FP, null, '%s ', '}');
}

const vlan: KindPrinter = (p, d) => {
  if (!has(d, 'id')) return;
  if (has(d, 'protocol')) p.str(ANY, 'protocol', 'protocol %s ', llProtoName(num(d, 'protocol')!));
  else p.str(ANY, 'protocol', 'protocol %s ', '802.1q');
  p.num(ANY, 'id', 'id %u ', num(d, 'id')!);
  const fl = obj(d, 'flags');
  if (fl) {
    let flags = (num(fl, 'flags') ?? 0) >>> 0;
    p.openArray(ANY, p.json ? 'flags' : '<');
    for (const [name, bit] of VLAN_FLAGS) {
      if (flags & bit) {
        flags &= ~bit;
        p.str(ANY, null, flags ? '%s,' : '%s', name);
      }
    }
    if (flags) p.hex(ANY, null, '%x', flags);
    p.closeArray(ANY, '> ');
  }
  const ing = obj(d, 'ingress_qos');
  if (ing) vlanMap(p, 'ingress_qos', 'ingress-qos-map', ing);
  const egr = obj(d, 'egress_qos');
  if (egr) vlanMap(p, 'egress_qos', 'egress-qos-map', egr);
};

// ---------------------------------------------------------------------------------------------
// bond (iplink_bond.c), bond_slave (iplink_bond_slave.c)

const BOND_MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];
const ARP_VALIDATE = ['none', 'active', 'backup', 'all', 'filter', 'filter_active', 'filter_backup'];
const ARP_ALL_TARGETS = ['any', 'all'];
const PRIMARY_RESELECT = ['always', 'better', 'failure'];
const FAIL_OVER_MAC = ['none', 'active', 'follow'];
const XMIT_HASH = ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac'];
const LACP_ACTIVE = ['off', 'on'];
const LACP_RATE = ['slow', 'fast'];
const AD_SELECT = ['stable', 'bandwidth', 'count'];

function tbl(t: readonly string[], i: number): string {
  return t[i] ?? 'UNKNOWN';
}

function bondTargets(p: IpPrinter, key: string, list: unknown[]): void {
  const addrs = list.filter((x): x is string => typeof x === 'string');
  if (addrs.length === 0) return;
  p.openArray(JSON_ONLY, key);
  p.fp('%s ', key);
  addrs.forEach((a, i) => {
    p.str(ANY, null, '%s', a);
    if (!p.json && i < addrs.length - 1) p.fp(',');
  });
  p.fp(' ');
  p.closeArray(JSON_ONLY, null);
}

const bond: KindPrinter = (p, d, ctx) => {
  if (has(d, 'mode')) p.str(ANY, 'mode', 'mode %s ', tbl(BOND_MODES, num(d, 'mode')!));
  const active = num(d, 'active_slave');
  if (active) p.str(ANY, 'active_slave', 'active_slave %s ', ifName(ctx, active));
  for (const [k, key, fmt] of [
    ['miimon', 'miimon', 'miimon %u '],
    ['updelay', 'updelay', 'updelay %u '],
    ['downdelay', 'downdelay', 'downdelay %u '],
    ['peer_notif_delay', 'peer_notify_delay', 'peer_notify_delay %u '],
    ['use_carrier', 'use_carrier', 'use_carrier %u '],
    ['arp_interval', 'arp_interval', 'arp_interval %u '],
    ['missed_max', 'arp_missed_max', 'arp_missed_max %u '],
  ] as const) {
    if (has(d, k)) p.num(ANY, key, fmt, num(d, k)!);
  }
  if (has(d, 'arp_ip_target')) bondTargets(p, 'arp_ip_target', (d['arp_ip_target'] as unknown[]) ?? []);
  if (has(d, 'ns_ip6_target')) bondTargets(p, 'ns_ip6_target', (d['ns_ip6_target'] as unknown[]) ?? []);
  if (has(d, 'arp_validate')) {
    const v = num(d, 'arp_validate')!;
    if (!v && p.json) p.null(JSON_ONLY, 'arp_validate', null, '');
    else p.str(ANY, 'arp_validate', 'arp_validate %s ', tbl(ARP_VALIDATE, v));
  }
  if (has(d, 'arp_all_targets')) p.str(ANY, 'arp_all_targets', 'arp_all_targets %s ', tbl(ARP_ALL_TARGETS, num(d, 'arp_all_targets')!));
  const primary = num(d, 'primary');
  if (primary) p.str(ANY, 'primary', 'primary %s ', ifName(ctx, primary));
  if (has(d, 'primary_reselect')) p.str(ANY, 'primary_reselect', 'primary_reselect %s ', tbl(PRIMARY_RESELECT, num(d, 'primary_reselect')!));
  if (has(d, 'fail_over_mac')) p.str(ANY, 'fail_over_mac', 'fail_over_mac %s ', tbl(FAIL_OVER_MAC, num(d, 'fail_over_mac')!));
  if (has(d, 'xmit_hash_policy')) p.str(ANY, 'xmit_hash_policy', 'xmit_hash_policy %s ', tbl(XMIT_HASH, num(d, 'xmit_hash_policy')!));
  for (const [k, key, fmt] of [
    ['resend_igmp', 'resend_igmp', 'resend_igmp %u '],
    ['num_peer_notif', 'num_peer_notif', 'num_grat_arp %u '],
    ['all_slaves_active', 'all_slaves_active', 'all_slaves_active %u '],
    ['min_links', 'min_links', 'min_links %u '],
    ['lp_interval', 'lp_interval', 'lp_interval %u '],
    ['packets_per_slave', 'packets_per_slave', 'packets_per_slave %u '],
  ] as const) {
    if (has(d, k)) p.num(ANY, key, fmt, num(d, k)!);
  }
  if (has(d, 'ad_lacp_active')) p.str(ANY, 'ad_lacp_active', 'lacp_active %s ', tbl(LACP_ACTIVE, num(d, 'ad_lacp_active')!));
  if (has(d, 'ad_lacp_rate')) p.str(ANY, 'ad_lacp_rate', 'lacp_rate %s ', tbl(LACP_RATE, num(d, 'ad_lacp_rate')!));
  if (has(d, 'ad_select')) p.str(ANY, 'ad_select', 'ad_select %s ', tbl(AD_SELECT, num(d, 'ad_select')!));
  const ad = obj(d, 'ad_info');
  if (ad) {
    p.openObject('ad_info');
    if (has(ad, 'aggregator')) p.num(ANY, 'aggregator', 'ad_aggregator %d ', num(ad, 'aggregator')!);
    if (has(ad, 'num_ports')) p.num(ANY, 'num_ports', 'ad_num_ports %d ', num(ad, 'num_ports')!);
    if (has(ad, 'actor_key')) p.num(ANY, 'actor_key', 'ad_actor_key %d ', num(ad, 'actor_key')!);
    if (has(ad, 'partner_key')) p.num(ANY, 'partner_key', 'ad_partner_key %d ', num(ad, 'partner_key')!);
    if (has(ad, 'partner_mac')) p.str(ANY, 'partner_mac', 'ad_partner_mac %s ', str(ad, 'partner_mac'));
    p.closeObject();
  }
  if (has(d, 'ad_actor_sys_prio')) p.num(ANY, 'ad_actor_sys_prio', 'ad_actor_sys_prio %u ', num(d, 'ad_actor_sys_prio')!);
  if (has(d, 'ad_user_port_key')) p.num(ANY, 'ad_user_port_key', 'ad_user_port_key %u ', num(d, 'ad_user_port_key')!);
  if (has(d, 'ad_actor_system')) p.str(ANY, 'ad_actor_system', 'ad_actor_system %s ', str(d, 'ad_actor_system'));
  if (has(d, 'tlb_dynamic_lb')) p.num(ANY, 'tlb_dynamic_lb', 'tlb_dynamic_lb %u ', num(d, 'tlb_dynamic_lb')!);
};

const SLAVE_STATES = ['ACTIVE', 'BACKUP'];
const MII_STATUS = ['UP', 'GOING_DOWN', 'DOWN', 'GOING_BACK'];
const AD_STATES: ReadonlyArray<readonly [number, string]> = [
  [0x1, 'active'], [0x2, 'short_timeout'], [0x4, 'aggregating'], [0x8, 'in_sync'],
  [0x10, 'collecting'], [0x20, 'distributing'], [0x40, 'defaulted'], [0x80, 'expired'],
];

function operState(p: IpPrinter, name: string, state: number): void {
  p.openArray(ANY, name);
  p.str(FP, null, ' <', undefined);
  let s = state;
  for (const [bit, text] of AD_STATES) {
    if (s & bit) {
      s &= ~bit;
      p.str(ANY, null, s ? '%s,' : '%s', text);
    }
  }
  p.closeArray(ANY, '> ');
}

const bondSlave: KindPrinter = (p, d) => {
  if (has(d, 'state')) {
    const s = num(d, 'state')!;
    if (s >= SLAVE_STATES.length) p.num(ANY, 'state_index', 'state %d ', s);
    else p.str(ANY, 'state', 'state %s ', SLAVE_STATES[s]);
  }
  if (has(d, 'mii_status')) {
    const s = num(d, 'mii_status')!;
    if (s >= MII_STATUS.length) p.num(ANY, 'mii_status_index', 'mii_status %d ', s);
    else p.str(ANY, 'mii_status', 'mii_status %s ', MII_STATUS[s]);
  }
  if (has(d, 'link_failure_count')) p.num(ANY, 'link_failure_count', 'link_failure_count %d ', num(d, 'link_failure_count')!);
  if (has(d, 'perm_hwaddr')) p.str(ANY, 'perm_hwaddr', 'perm_hwaddr %s ', str(d, 'perm_hwaddr'));
  if (has(d, 'queue_id')) p.num(ANY, 'queue_id', 'queue_id %d ', num(d, 'queue_id')!);
  if (has(d, 'prio')) p.num(ANY, 'prio', 'prio %d ', num(d, 'prio')!);
  if (has(d, 'ad_aggregator_id')) p.num(ANY, 'ad_aggregator_id', 'ad_aggregator_id %d ', num(d, 'ad_aggregator_id')!);
  if (has(d, 'ad_actor_oper_port_state')) {
    const s = num(d, 'ad_actor_oper_port_state')!;
    p.num(ANY, 'ad_actor_oper_port_state', 'ad_actor_oper_port_state %d ', s);
    operState(p, 'ad_actor_oper_port_state_str', s);
  }
  if (has(d, 'ad_partner_oper_port_state')) {
    const s = num(d, 'ad_partner_oper_port_state')!;
    p.num(ANY, 'ad_partner_oper_port_state', 'ad_partner_oper_port_state %d ', s);
    operState(p, 'ad_partner_oper_port_state_str', s);
  }
};

// ---------------------------------------------------------------------------------------------
// vrf (iplink_vrf.c)

const vrf: KindPrinter = (p, d) => {
  if (has(d, 'table')) p.num(ANY, 'table', 'table %u ', num(d, 'table')!);
};

// ---------------------------------------------------------------------------------------------
// ipip / sit (link_iptnl.c), gre / gretap / erspan (link_gre.c), shared tunnel helpers (tunnel.c)

function tnlEndpoint(p: IpPrinter, name: string, addr: string | undefined): void {
  const value = addr === undefined || isAnyAddr(addr) ? 'any' : addr;
  if (p.json) p.str(JSON_ONLY, name, null, value);
  else p.fp(`${name} %s `, value);
}

function tnlEncap(p: IpPrinter, d: Attrs): void {
  if (!has(d, 'encap_type')) return;
  const type = num(d, 'encap_type')!;
  if (type === 0) return;
  const flags = num(d, 'encap_flags') ?? 0;
  const sport = num(d, 'encap_sport') ?? 0;
  const dport = num(d, 'encap_dport') ?? 0;
  p.openObject('encap');
  p.fp('encap ');
  if (type === 1) p.str(ANY, 'type', '%s ', 'fou');
  else if (type === 2) p.str(ANY, 'type', '%s ', 'gue');
  else p.null(ANY, 'type', '%s ', 'unknown');
  if (p.json) {
    p.num(JSON_ONLY, 'sport', null, sport);
    p.num(JSON_ONLY, 'dport', null, dport);
    p.bool(JSON_ONLY, 'csum', null, !!(flags & 1));
    p.bool(JSON_ONLY, 'csum6', null, !!(flags & 2));
    p.bool(JSON_ONLY, 'remcsum', null, !!(flags & 4));
    p.closeObject();
  } else {
    p.fp(sport ? 'encap-sport %u ' : 'encap-sport auto ', sport);
    p.fp('encap-dport %u ', dport);
    p.fp(flags & 1 ? 'encap-csum ' : 'noencap-csum ');
    p.fp(flags & 2 ? 'encap-csum6 ' : 'noencap-csum6 ');
    p.fp(flags & 4 ? 'encap-remcsum ' : 'noencap-remcsum ');
  }
}

function ttlTos(p: IpPrinter, d: Attrs): void {
  const ttl = num(d, 'ttl') ?? 0;
  if (p.json || ttl) p.num(ANY, 'ttl', 'ttl %u ', ttl);
  else p.str(FP, null, 'ttl %s ', 'inherit');
  const tos = num(d, 'tos') ?? 0;
  if (tos) {
    if (p.json || tos !== 1) p.xhex(ANY, 'tos', 'tos %#llx ', tos);
    else p.str(FP, null, 'tos %s ', 'inherit');
  }
}

const iptnl: KindPrinter = (p, d, ctx, m) => {
  if (has(d, 'collect_metadata')) p.bool(ANY, 'external', 'external ', true);
  if (has(d, 'proto')) {
    const proto = num(d, 'proto')!;
    const name = proto === 4 ? 'ipip' : proto === 41 ? 'ip6ip' : proto === 137 ? 'mplsip' : proto === 0 ? 'any' : undefined;
    if (name !== undefined) p.str(ANY, 'proto', '%s ', name);
  }
  tnlEndpoint(p, 'remote', str(d, 'remote'));
  tnlEndpoint(p, 'local', str(d, 'local'));
  const link = num(d, 'link');
  if (link) p.str(ANY, 'link', 'dev %s ', ifName(ctx, link));
  ttlTos(p, d);
  if (num(d, 'pmtudisc')) p.bool(ANY, 'pmtudisc', 'pmtudisc ', true);
  else p.bool(ANY, 'pmtudisc', 'nopmtudisc ', false);
  const kind = str(obj(m.attrs, 'linkinfo'), 'kind');
  if (kind === 'sit') {
    if ((num(d, 'flags') ?? 0) & 1) p.bool(ANY, 'isatap', 'isatap ', true);
    const plen = num(d, '6rd_prefixlen') ?? 0;
    if (plen) {
      const relayLen = num(d, '6rd_relay_prefixlen') ?? 0;
      const prefix = str(d, '6rd_prefix') ?? '::';
      const relay = str(d, '6rd_relay_prefix') ?? '0.0.0.0';
      if (p.json) {
        p.str(JSON_ONLY, 'prefix', null, prefix);
        p.num(JSON_ONLY, 'prefixlen', null, plen);
        if (relayLen) {
          p.str(JSON_ONLY, 'relay_prefix', null, relay);
          p.num(JSON_ONLY, 'relay_prefixlen', null, relayLen);
        }
      } else {
        p.fp('6rd-prefix %s/%u ', prefix, plen);
        if (relayLen) p.fp('6rd-relay_prefix %s/%u ', relay, relayLen);
      }
    }
  }
  const fwmark = num(d, 'fwmark');
  if (fwmark) p.xhex(ANY, 'fwmark', 'fwmark %#llx ', fwmark);
  tnlEncap(p, d);
};

const GRE_CSUM = 0x8000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;

const gre: KindPrinter = (p, d, ctx) => {
  if (has(d, 'collect_metadata')) p.bool(ANY, 'external', 'external ', true);
  tnlEndpoint(p, 'remote', str(d, 'remote'));
  tnlEndpoint(p, 'local', str(d, 'local'));
  const link = num(d, 'link');
  if (link) p.str(ANY, 'link', 'dev %s ', ifName(ctx, link));
  ttlTos(p, d);
  if (has(d, 'pmtudisc')) {
    if (!num(d, 'pmtudisc')) p.bool(ANY, 'pmtudisc', 'nopmtudisc ', false);
    else p.bool(JSON_ONLY, 'pmtudisc', null, true);
  }
  if (num(d, 'ignore_df')) p.bool(ANY, 'ignore_df', 'ignore-df ', true);
  const iflags = num(d, 'iflags') ?? 0;
  const oflags = num(d, 'oflags') ?? 0;
  const ikey = num(d, 'ikey') ?? 0;
  const okey = num(d, 'okey') ?? 0;
  if (iflags & GRE_KEY && ikey) p.str(ANY, 'ikey', 'ikey %s ', be32ToDotted(ikey));
  if (oflags & GRE_KEY && okey) p.str(ANY, 'okey', 'okey %s ', be32ToDotted(okey));
  if (iflags & GRE_SEQ) p.bool(ANY, 'iseq', 'iseq ', true);
  if (oflags & GRE_SEQ) p.bool(ANY, 'oseq', 'oseq ', true);
  if (iflags & GRE_CSUM) p.bool(ANY, 'icsum', 'icsum ', true);
  if (oflags & GRE_CSUM) p.bool(ANY, 'ocsum', 'ocsum ', true);
  const fwmark = num(d, 'fwmark');
  if (fwmark) p.xhex(ANY, 'fwmark', 'fwmark %#llx ', fwmark);
  if (has(d, 'erspan_index')) p.num(ANY, 'erspan_index', 'erspan_index %u ', num(d, 'erspan_index')!);
  if (has(d, 'erspan_ver')) p.num(ANY, 'erspan_ver', 'erspan_ver %u ', num(d, 'erspan_ver')!);
  if (has(d, 'erspan_dir')) p.str(ANY, 'erspan_dir', 'erspan_dir %s ', num(d, 'erspan_dir') === 0 ? 'ingress' : 'egress');
  if (has(d, 'erspan_hwid')) p.xhex(ANY, 'erspan_hwid', 'erspan_hwid %#llx ', num(d, 'erspan_hwid')!);
  tnlEncap(p, d);
};

const PRINTERS: Readonly<Record<string, KindPrinter>> = {
  bridge,
  bridge_slave: bridgeSlave,
  vxlan,
  macvlan,
  macvtap: macvlan,
  tun,
  vlan,
  bond,
  bond_slave: bondSlave,
  vrf,
  vrf_slave: vrf,
  ipip: iptnl,
  sit: iptnl,
  gre,
  gretap: gre,
  erspan: gre,
};

/** Whether ip (and so this module) prints an `info_data` object for this kind (`<kind>_slave` for ports). */
export function hasKindPrinter(kind: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRINTERS, kind);
}

/** Prints the kind's data (nothing when the data is absent, as ip's `if (!tb) return`). */
export function printKindData(p: IpPrinter, kind: string, data: Attrs | undefined, ctx: ViewContext, m: Message): void {
  const f = PRINTERS[kind];
  if (f && data) f(p, data, ctx, m);
}
