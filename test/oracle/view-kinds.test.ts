// The ip views of link kinds the running kernel cannot create (vlan, bond, vrf, ipip, sit, gre,
// gretap, erspan, dummy) and of attribute combinations a topology does not easily produce,
// checked against iproute2 itself: the messages are built by hand, `ip` is made to print them
// (the LD_PRELOAD replay shim puts them in front of the kernel's reply to its dump), and its
// JSON and text are compared with nlkit's. Runs in the sandbox so ip only sees a private lo.
import t from 'tap';
import { enterSandbox } from '../kernel/sandbox.js';
import { encodeMessage, type MessageInit } from '../../src/netlink/message.js';
import { decodeMessages } from '../../src/decode/index.js';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import { linkJson, linkText, viewContext } from '../../src/view/ip-json.js';
import { compareJson, compareText, describe, GET, ipReplay, replayShim, shimReason } from './view-support/oracle.js';

await enterSandbox();

if (!replayShim()) {
  t.plan(0, shimReason);
  process.exit(0);
}

const p = routeProtocol();
const ETHER = 1;
const UP = 0x1 | 0x40 | 0x1000 | 0x2 | 0x10000;

function link(index: number, name: string, kind: string | undefined, data: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}, header: Record<string, unknown> = {}): MessageInit {
  const linkinfo: Record<string, unknown> = {};
  if (kind !== undefined) linkinfo['kind'] = kind;
  if (data !== undefined) linkinfo['data'] = data;
  return {
    type: 'RTM_NEWLINK',
    flags: ['NLM_F_MULTI'],
    header: { family: 0, type: ETHER, index, flags: UP, change: 0, ...header },
    attrs: {
      ifname: name,
      txqlen: 1000,
      operstate: 6,
      linkmode: 0,
      mtu: 1500,
      min_mtu: 68,
      max_mtu: 65535,
      group: 0,
      promiscuity: 0,
      allmulti: 0,
      num_tx_queues: 1,
      num_rx_queues: 1,
      gso_max_segs: 65535,
      gso_max_size: 65536,
      address: '02:00:00:00:00:' + index.toString(16).padStart(2, '0'),
      broadcast: 'ff:ff:ff:ff:ff:ff',
      qdisc: 'noqueue',
      ...(kind !== undefined || extra['linkinfo'] !== undefined ? { linkinfo: { ...linkinfo, ...(extra['linkinfo'] as object) } } : {}),
      ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'linkinfo')),
    },
  };
}

/** A kind's case: messages (the first is the object under test) and what ip is asked. */
interface Case {
  name: string;
  msgs: MessageInit[];
}

const cases: Case[] = [
  { name: 'dummy', msgs: [link(101, 'dum0', 'dummy', undefined, {}, { type: 1 })] },
  {
    name: 'vlan with flags and qos maps',
    msgs: [
      link(102, 'vl100', 'vlan', {
        protocol: 0x88a8,
        id: 100,
        flags: { flags: 0x1 | 0x2 | 0x4 | 0x10, mask: 0xffffffff },
        egress_qos: { mapping: [{ from: 1, to: 2 }, { from: 3, to: 4 }] },
        ingress_qos: { mapping: [{ from: 0, to: 7 }] },
      }, { link: 130 }),
      link(130, 'lower0', 'veth', undefined),
    ],
  },
  { name: 'vlan 802.1Q plain', msgs: [link(103, 'vl5', 'vlan', { protocol: 0x8100, id: 5, flags: { flags: 0x1, mask: 0xffffffff } }, { link: 130 }), link(130, 'lower0', 'veth', undefined)] },
  {
    name: 'bond 802.3ad',
    msgs: [
      link(104, 'bond0', 'bond', {
        mode: 4,
        active_slave: 105,
        miimon: 100,
        updelay: 200,
        downdelay: 300,
        peer_notif_delay: 0,
        use_carrier: 1,
        arp_interval: 10,
        missed_max: 2,
        arp_ip_target: ['10.123.0.1', '10.123.0.2'],
        ns_ip6_target: ['fd00:123::1'],
        arp_validate: 0,
        arp_all_targets: 0,
        primary: 105,
        primary_reselect: 1,
        fail_over_mac: 2,
        xmit_hash_policy: 1,
        resend_igmp: 1,
        num_peer_notif: 1,
        all_slaves_active: 0,
        min_links: 0,
        lp_interval: 1,
        packets_per_slave: 1,
        ad_lacp_active: 1,
        ad_lacp_rate: 1,
        ad_select: 0,
        ad_info: { aggregator: 1, num_ports: 1, actor_key: 15, partner_key: 1, partner_mac: '00:00:00:00:00:00' },
        ad_actor_sys_prio: 65535,
        ad_user_port_key: 0,
        ad_actor_system: '00:00:00:00:00:00',
        tlb_dynamic_lb: 1,
      }, { master: undefined }, { flags: UP | 0x400 }),
      link(105, 'eth1', 'veth', undefined, { master: 104, linkinfo: { slave_kind: 'bond', slave_data: { state: 0, mii_status: 0, link_failure_count: 2, perm_hwaddr: '02:00:00:00:00:69', queue_id: 0, prio: 0, ad_aggregator_id: 1, ad_actor_oper_port_state: 61, ad_partner_oper_port_state: 0x3d } } }, { flags: UP | 0x800 }),
    ],
  },
  { name: 'bond active-backup, arp_validate all', msgs: [link(106, 'bond1', 'bond', { mode: 1, miimon: 0, arp_interval: 100, arp_validate: 3, arp_all_targets: 1, arp_ip_target: ['10.123.9.9'], primary_reselect: 2, fail_over_mac: 1, xmit_hash_policy: 5 })] },
  { name: 'bond_slave backup, unknown mii status', msgs: [link(107, 'eth2', 'veth', undefined, { linkinfo: { slave_kind: 'bond', slave_data: { state: 1, mii_status: 9, link_failure_count: 0, queue_id: 3, ad_actor_oper_port_state: 0, ad_partner_oper_port_state: 255 } } })] },
  {
    name: 'vrf and a vrf port',
    msgs: [
      link(108, 'vrf-blue', 'vrf', { table: 10 }, {}, { flags: UP | 0x400 }),
      link(109, 'eth3', 'veth', undefined, { master: 108, linkinfo: { slave_kind: 'vrf', slave_data: { table: 10 } } }),
    ],
  },
  {
    name: 'ipip',
    msgs: [
      link(110, 'ipip0', 'ipip', { link: 0, local: '10.123.0.1', remote: '10.123.0.2', ttl: 64, tos: 1, pmtudisc: 1, fwmark: 7, encap_type: 0, encap_flags: 0, encap_sport: 0, encap_dport: 0, proto: 4 }, { address: '0a:7b:00:01', broadcast: '0a:7b:00:02' }, { type: 768, flags: UP | 0x80 | 0x10 }),
    ],
  },
  {
    name: 'ipip any/any, inherit ttl, external',
    msgs: [link(111, 'tunl1', 'ipip', { link: 0, local: '0.0.0.0', remote: '0.0.0.0', ttl: 0, tos: 0, pmtudisc: 0, proto: 0, collect_metadata: true }, { address: '00:00:00:00', broadcast: '00:00:00:00' }, { type: 768, flags: 0x80 })],
  },
  {
    name: 'sit isatap + 6rd',
    msgs: [link(112, 'sit1', 'sit', { link: 0, local: '10.123.0.1', remote: '0.0.0.0', ttl: 64, tos: 0, pmtudisc: 1, flags: 1, proto: 41, '6rd_prefix': '2002::', '6rd_relay_prefix': '10.0.0.0', '6rd_prefixlen': 16, '6rd_relay_prefixlen': 8, encap_type: 2, encap_flags: 1, encap_sport: 0, encap_dport: 5555 }, { address: '0a:7b:00:01', broadcast: '00:00:00:00' }, { type: 776, flags: 0x80 })],
  },
  {
    name: 'gre with keys, seq, csum, fou encap',
    msgs: [link(113, 'gre1', 'gre', { link: 130, iflags: 0x2000 | 0x1000, oflags: 0x2000 | 0x8000, ikey: 0x01020304, okey: 5, local: '10.123.0.1', remote: '10.123.0.2', ttl: 0, tos: 0x10, pmtudisc: 1, encap_type: 1, encap_flags: 3, encap_sport: 1000, encap_dport: 5555, ignore_df: 0, fwmark: 0 }, { address: '0a:7b:00:01', broadcast: '0a:7b:00:02' }, { type: 778, flags: UP | 0x80 | 0x10 }), link(130, 'lower0', 'veth', undefined)],
  },
  { name: 'gretap nopmtudisc ignore-df', msgs: [link(114, 'gretap1', 'gretap', { link: 0, iflags: 0, oflags: 0, ikey: 0, okey: 0, local: '10.123.0.1', remote: '10.123.0.3', ttl: 10, tos: 1, pmtudisc: 0, ignore_df: 1, encap_type: 0, encap_flags: 0, encap_sport: 0, encap_dport: 0, fwmark: 0x42 })] },
  { name: 'erspan v1', msgs: [link(115, 'erspan1', 'erspan', { link: 0, iflags: 0x2000, oflags: 0x2000, ikey: 7, okey: 7, local: '10.123.0.1', remote: '10.123.0.4', ttl: 0, tos: 0, pmtudisc: 1, erspan_ver: 1, erspan_index: 123, encap_type: 0 })] },
  { name: 'erspan v2', msgs: [link(116, 'erspan2', 'erspan', { link: 0, iflags: 0, oflags: 0, local: '10.123.0.1', remote: '10.123.0.4', ttl: 3, tos: 0, pmtudisc: 1, erspan_ver: 2, erspan_dir: 1, erspan_hwid: 7, encap_type: 0 })] },
  { name: 'kind without data (vlan, no IFLA_INFO_DATA)', msgs: [link(117, 'vl-empty', 'vlan', undefined)] },
  {
    name: 'link-netnsid, permaddr, alias, altnames, proto_down, pointopoint, events, unknown operstate',
    msgs: [
      link(118, 'weird0', 'veth', undefined, { link: 5, link_netnsid: 3, perm_address: '02:aa:00:00:00:01', ifalias: 'my alias', prop_list: { alt_ifname: ['alt-one', 'alt-two'] }, proto_down: 1, event: 2, operstate: 9, linkmode: 1, group: 7, phys_port_name: 'p0', phys_switch_id: '0a0b', parent_dev_bus_name: 'pci', parent_dev_name: '0000:00:01.0' }, { flags: 0x1 | 0x10 | 0x1000 }),
    ],
  },
  { name: 'link 0 (NONE), unknown flags bits', msgs: [link(119, 'none0', undefined, undefined, { link: 0 }, { flags: (0x1 | 0x80000000) >>> 0 })] },
  {
    name: 'bridge with vlan filtering attrs, timers and boolopts',
    msgs: [
      link(120, 'brx', 'bridge', {
        forward_delay: 1500, hello_time: 200, max_age: 2000, ageing_time: 30000, stp_state: 1, priority: 4096, vlan_filtering: 1, vlan_protocol: 0x88a8,
        group_fwd_mask: 0x4008, root_id: { prio: '1000', addr: '02:00:00:00:00:78' }, bridge_id: { prio: '1000', addr: '02:00:00:00:00:78' }, root_port: 0, root_path_cost: 0,
        topology_change: 0, topology_change_detected: 0, hello_timer: 123, tcn_timer: 0, topology_change_timer: 0, gc_timer: 29950, group_addr: '01:80:c2:00:00:00',
        mcast_router: 1, mcast_snooping: 1, mcast_query_use_ifaddr: 0, mcast_querier: 0, mcast_hash_elasticity: 16, mcast_hash_max: 4096, mcast_last_member_cnt: 2,
        mcast_startup_query_cnt: 2, mcast_last_member_intvl: 100, mcast_membership_intvl: 26000, mcast_querier_intvl: 25500, mcast_query_intvl: 12500,
        mcast_query_response_intvl: 1000, mcast_startup_query_intvl: 3125, nf_call_iptables: 0, nf_call_ip6tables: 0, nf_call_arptables: 0, vlan_default_pvid: 1,
        vlan_stats_enabled: 0, mcast_stats_enabled: 0, mcast_igmp_version: 2, mcast_mld_version: 1, vlan_stats_per_port: 0, multi_boolopt: { optval: 3, optmask: 7 },
      }),
      link(121, 'brport', 'veth', undefined, { master: 120, linkinfo: { slave_kind: 'bridge', slave_data: { state: 3, priority: 32, cost: 100, mode: 1, guard: 1, protect: 0, fast_leave: 1, learning: 0, unicast_flood: 1, id: 0x8003, no: 3, designated_port: 32771, designated_cost: 0, bridge_id: { prio: '8000', addr: '02:00:00:00:00:78' }, root_id: { prio: '8000', addr: '02:00:00:00:00:78' }, hold_timer: 0, message_age_timer: 250, forward_delay_timer: 1499, topology_change_ack: 0, config_pending: 0, proxyarp: 1, proxyarp_wifi: 0, multicast_router: 2, mcast_flood: 0, bcast_flood: 1, mcast_to_ucast: 1, neigh_suppress: 1, group_fwd_mask: 0x4005, vlan_tunnel: 1, isolated: 1, locked: 1, backup_port: 120 } } }),
    ],
  },
];

const ctxMsgs = (c: Case) => c.msgs.map((m) => decodeMessages(encodeMessage(p, m))[0]!);

function splitTextObjects(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let cur: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^(\d+): /.exec(line);
    if (m) cur = Number(m[1]);
    if (cur !== undefined) out.set(cur, (out.get(cur) ?? '') + line + '\n');
  }
  return out;
}

for (const c of cases) {
  t.test(c.name, async (t) => {
    const bytes = Buffer.concat(c.msgs.map((m) => encodeMessage(p, m)));
    const msgs = ctxMsgs(c);
    const ctx = viewContext(msgs);
    for (const details of [false, true]) {
      const args = details ? ['-j', '-d', 'link', 'show'] : ['-j', 'link', 'show'];
      const ip = JSON.parse(ipReplay(bytes, GET.link, args)) as Array<{ ifindex: number }>;
      for (const m of msgs) {
        const idx = (m.header as { index: number }).index;
        const theirs = ip.find((o) => o.ifindex === idx);
        t.ok(theirs, `ip printed link ${idx}`);
        const diffs = compareJson(linkJson(m, ctx, { details }), theirs);
        t.same(diffs, [], `${details ? '-d ' : ''}link ${idx} JSON as ip: ${describe(diffs)}`);
      }
      const text = splitTextObjects(ipReplay(bytes, GET.link, args.slice(1)));
      for (const m of msgs) {
        const idx = (m.header as { index: number }).index;
        const diffs = compareText(linkText(m, ctx, { details }), text.get(idx) ?? '');
        t.same(diffs, [], `${details ? '-d ' : ''}link ${idx} text as ip:\n${diffs.join('\n')}`);
      }
    }
  });
}
