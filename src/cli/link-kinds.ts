/**
 * The words after `type KIND` of `link add|set`, as iproute2's `parse_opt` of each kind reads
 * them (link_veth.c, iplink_bridge.c, iplink_vxlan.c, iplink_macvlan.c, link_iptnl.c,
 * link_gre.c, iplink_vlan.c, iplink_bond.c, iplink_vrf.c, iplink_geneve.c), turned into the kind
 * options of `nl.link.add()` / `nl.link.set()`.
 *
 * @module
 */
import { Args, CliExit, getUnsigned, HelpRequest, invarg, matches, usageError } from './args.js';
import { getAddr } from './inet.js';
import type { Session } from './session.js';

type Opts = Record<string, unknown>;

/** One keyword of a kind: how it is spelled (matched with `matches`, first wins) and read. */
interface Word {
  /** Spellings, in iproute2's order of tests. */
  w: readonly string[];
  /** Reads the value(s) into `o`; `a` is at the keyword. */
  read: (a: Args, o: Opts, s: Session) => void | Promise<void>;
}

function u32(key: string, what: string, max = 0xffffffff, scale = 1): Word['read'] {
  return (a, o) => {
    const v = a.next();
    const n = getUnsigned(v, max);
    if (n === undefined) throw invarg(`invalid ${what}`, v);
    o[key] = n / scale;
  };
}

function bool01(key: string, what: string): Word['read'] {
  return (a, o) => {
    const v = a.next();
    const n = getUnsigned(v, 255);
    if (n === undefined) throw invarg(`invalid ${what}`, v);
    o[key] = n !== 0;
  };
}

function onOff(key: string, what: string): Word['read'] {
  return (a, o) => {
    const v = a.next();
    if (v !== 'on' && v !== 'off') throw new CliExit(1, `Error: argument of "${what}" must be "on" or "off", not "${v}"`);
    o[key] = v === 'on';
  };
}

function set(key: string, value: unknown): Word['read'] {
  return (_a, o) => {
    o[key] = value;
  };
}

function dev(key: string): Word['read'] {
  return async (a, o, s) => {
    const v = a.next();
    const idx = await s.ifindexOrUndefined(v);
    if (!idx) throw new CliExit(255, `Cannot find device "${v}"`);
    o[key] = idx;
  };
}

function ttl(key: string, withAuto: boolean): Word['read'] {
  return (a, o) => {
    const v = a.next();
    if (v === 'inherit') o[key] = 'inherit';
    else if (withAuto && v === 'auto') o[key] = 'auto';
    else {
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('invalid TTL', v);
      if (n > 255) throw invarg('TTL must be <= 255', v);
      o[key] = n;
    }
  };
}

/** rtnl_dsfield_a2n: a name of rt_dsfield or a hex number. */
function tos(key: string): Word['read'] {
  return (a, o) => {
    const v = a.next();
    if (v === 'inherit') {
      o[key] = 'inherit';
      return;
    }
    const n = /^(0x)?[0-9a-fA-F]{1,2}$/.test(v) ? parseInt(v.replace(/^0x/, ''), 16) : undefined;
    if (n === undefined) throw invarg('bad TOS value', v);
    o[key] = n;
  };
}

function addr(key: string, what: string): Word['read'] {
  return (a, o) => {
    const v = a.next();
    if (v === 'any') {
      o[key] = 'any';
      return;
    }
    o[key] = getAddr(v, 0).address;
    if (o[key] === '') throw invarg(`invalid ${what} address`, v);
  };
}

function parseWords(kind: string, words: readonly Word[], a: Args, o: Opts, s: Session): Promise<void> | void {
  const run = async () => {
    while (a.more) {
      const w = a.word;
      const spec = words.find((x) => x.w.some((sp) => matches(w, sp)));
      if (!spec && matches(w, 'help')) throw new HelpRequest(`link:${kind}`);
      if (!spec) throw new CliExit(255, `${kind}: unknown command "${w}"?`);
      await spec.read(a, o, s);
      a.skip();
    }
  };
  return run();
}

// ---------------------------------------------------------------------------------------------
// bridge (times in centiseconds, as ip takes them; the API takes seconds)

const BRIDGE: readonly Word[] = [
  { w: ['fdb_flush'], read: set('fdbFlush', true) },
  { w: ['forward_delay'], read: u32('forwardDelay', 'forward_delay', 0xffffffff, 100) },
  { w: ['hello_time'], read: u32('helloTime', 'hello_time', 0xffffffff, 100) },
  { w: ['max_age'], read: u32('maxAge', 'max_age', 0xffffffff, 100) },
  { w: ['ageing_time'], read: u32('ageingTime', 'ageing_time', 0xffffffff, 100) },
  { w: ['stp_state'], read: bool01('stp', 'stp_state') },
  { w: ['priority'], read: u32('priority', 'priority', 0xffff) },
  { w: ['vlan_filtering'], read: bool01('vlanFiltering', 'vlan_filtering') },
  {
    w: ['vlan_protocol'],
    read: (a, o) => {
      const v = a.next();
      const p = v.toLowerCase() === '802.1q' ? '802.1Q' : v.toLowerCase() === '802.1ad' ? '802.1ad' : undefined;
      if (!p) throw invarg('invalid vlan_protocol', v);
      o['vlanProtocol'] = p;
    },
  },
  { w: ['group_fwd_mask'], read: u32('groupFwdMask', 'group_fwd_mask', 0xffff) },
  {
    w: ['group_address'],
    read: async (a, o) => {
      const { lladdr } = await import('./link.js');
      o['groupAddress'] = lladdr(a.next());
    },
  },
  { w: ['vlan_default_pvid'], read: u32('vlanDefaultPvid', 'vlan_default_pvid', 0xffff) },
  { w: ['vlan_stats_enabled'], read: bool01('vlanStatsEnabled', 'vlan_stats_enabled') },
  { w: ['mcast_router'], read: u32('mcastRouter', 'mcast_router', 255) },
  { w: ['mcast_snooping'], read: bool01('mcastSnooping', 'mcast_snooping') },
  { w: ['mcast_query_use_ifaddr'], read: bool01('mcastQueryUseIfaddr', 'mcast_query_use_ifaddr') },
  { w: ['mcast_querier'], read: bool01('mcastQuerier', 'mcast_querier') },
  { w: ['mcast_hash_elasticity'], read: u32('mcastHashElasticity', 'mcast_hash_elasticity') },
  { w: ['mcast_hash_max'], read: u32('mcastHashMax', 'mcast_hash_max') },
  { w: ['mcast_last_member_count'], read: u32('mcastLastMemberCount', 'mcast_last_member_count') },
  { w: ['mcast_startup_query_count'], read: u32('mcastStartupQueryCount', 'mcast_startup_query_count') },
  { w: ['mcast_last_member_interval'], read: u32('mcastLastMemberInterval', 'mcast_last_member_interval', Number.MAX_SAFE_INTEGER, 100) },
  { w: ['mcast_membership_interval'], read: u32('mcastMembershipInterval', 'mcast_membership_interval', Number.MAX_SAFE_INTEGER, 100) },
  { w: ['mcast_querier_interval'], read: u32('mcastQuerierInterval', 'mcast_querier_interval', Number.MAX_SAFE_INTEGER, 100) },
  { w: ['mcast_query_interval'], read: u32('mcastQueryInterval', 'mcast_query_interval', Number.MAX_SAFE_INTEGER, 100) },
  { w: ['mcast_query_response_interval'], read: u32('mcastQueryResponseInterval', 'mcast_query_response_interval', Number.MAX_SAFE_INTEGER, 100) },
  { w: ['mcast_startup_query_interval'], read: u32('mcastStartupQueryInterval', 'mcast_startup_query_interval', Number.MAX_SAFE_INTEGER, 100) },
  { w: ['mcast_stats_enabled'], read: bool01('mcastStatsEnabled', 'mcast_stats_enabled') },
  { w: ['mcast_igmp_version'], read: u32('mcastIgmpVersion', 'mcast_igmp_version', 255) },
  { w: ['mcast_mld_version'], read: u32('mcastMldVersion', 'mcast_mld_version', 255) },
  { w: ['nf_call_iptables'], read: bool01('nfCallIptables', 'nf_call_iptables') },
  { w: ['nf_call_ip6tables'], read: bool01('nfCallIp6tables', 'nf_call_ip6tables') },
  { w: ['nf_call_arptables'], read: bool01('nfCallArptables', 'nf_call_arptables') },
];

// ---------------------------------------------------------------------------------------------
// vxlan

const VXLAN: readonly Word[] = [
  {
    w: ['id', 'vni'],
    read: (a, o) => {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined || n >= 1 << 24) throw invarg('invalid id', v);
      o['id'] = n;
    },
  },
  {
    w: ['group'],
    read: (a, o) => {
      if (o['remote'] !== undefined) throw new CliExit(1, 'vxlan: both group and remote cannot be specified');
      o['group'] = getAddr(a.next(), 0).address;
    },
  },
  {
    w: ['remote'],
    read: (a, o) => {
      if (o['group'] !== undefined) throw new CliExit(1, 'vxlan: both group and remote cannot be specified');
      o['remote'] = getAddr(a.next(), 0).address;
    },
  },
  { w: ['local'], read: addr('local', 'local') },
  { w: ['dev'], read: dev('dev') },
  { w: ['ttl', 'hoplimit'], read: ttl('ttl', true) },
  { w: ['tos', 'dsfield'], read: tos('tos') },
  {
    w: ['df'],
    read: (a, o) => {
      const v = a.next();
      if (v !== 'unset' && v !== 'set' && v !== 'inherit') throw invarg('DF must be \'unset\', \'set\' or \'inherit\'', v);
      o['df'] = v;
    },
  },
  { w: ['label', 'flowlabel'], read: u32('label', 'flowlabel', 0xfffff) },
  {
    w: ['ageing'],
    read: (a, o) => {
      const v = a.next();
      const n = v === 'none' ? 0 : getUnsigned(v);
      if (n === undefined) throw invarg('ageing timer', v);
      o['ageing'] = n;
    },
  },
  {
    w: ['maxaddress'],
    read: (a, o) => {
      const v = a.next();
      const n = v === 'unlimited' ? 0 : getUnsigned(v);
      if (n === undefined) throw invarg('max addresses', v);
      o['maxAddress'] = n;
    },
  },
  {
    w: ['port', 'srcport'],
    read: (a, o) => {
      const lo = a.next();
      const l = getUnsigned(lo, 0xffff);
      if (l === undefined) throw invarg('min port', lo);
      const hi = a.next();
      const h = getUnsigned(hi, 0xffff);
      if (h === undefined) throw invarg('max port', hi);
      if (l || h) o['srcPortRange'] = [l, h];
    },
  },
  { w: ['dstport'], read: u32('dstport', 'dst port', 0xffff) },
  { w: ['nolearning'], read: set('learning', false) },
  { w: ['learning'], read: set('learning', true) },
  { w: ['noproxy'], read: set('proxy', false) },
  { w: ['proxy'], read: set('proxy', true) },
  { w: ['norsc'], read: set('rsc', false) },
  { w: ['rsc'], read: set('rsc', true) },
  { w: ['nol2miss'], read: set('l2miss', false) },
  { w: ['l2miss'], read: set('l2miss', true) },
  { w: ['nol3miss'], read: set('l3miss', false) },
  { w: ['l3miss'], read: set('l3miss', true) },
  { w: ['udpcsum'], read: set('udpCsum', true) },
  { w: ['noudpcsum'], read: set('udpCsum', false) },
  { w: ['udp6zerocsumtx'], read: set('udp6ZeroCsumTx', true) },
  { w: ['noudp6zerocsumtx'], read: set('udp6ZeroCsumTx', false) },
  { w: ['udp6zerocsumrx'], read: set('udp6ZeroCsumRx', true) },
  { w: ['noudp6zerocsumrx'], read: set('udp6ZeroCsumRx', false) },
  { w: ['remcsumtx'], read: set('remcsumTx', true) },
  { w: ['noremcsumtx'], read: set('remcsumTx', false) },
  { w: ['remcsumrx'], read: set('remcsumRx', true) },
  { w: ['noremcsumrx'], read: set('remcsumRx', false) },
  { w: ['external'], read: set('external', true) },
  { w: ['noexternal'], read: set('external', false) },
  { w: ['gbp'], read: set('gbp', true) },
  { w: ['gpe'], read: set('gpe', true) },
  { w: ['vnifilter'], read: set('vnifilter', true) },
  { w: ['novnifilter'], read: set('vnifilter', false) },
  { w: ['localbypass'], read: set('localbypass', true) },
  { w: ['nolocalbypass'], read: set('localbypass', false) },
];

// ---------------------------------------------------------------------------------------------
// macvlan / macvtap

const MACVLAN_MODES = ['private', 'vepa', 'bridge', 'passthru', 'source'];

const MACVLAN: readonly Word[] = [
  {
    w: ['mode'],
    read: (a, o) => {
      const v = a.next();
      const m = MACVLAN_MODES.find((x) => v === x);
      if (!m) throw new CliExit(1, `Error: argument of "mode" must be "private", "vepa", "bridge", "passthru" or "source", not "${v}"`);
      o['mode'] = m;
    },
  },
  {
    w: ['flag'],
    read: (a, o) => {
      const v = a.next();
      if (v === 'nopromisc') o['nopromisc'] = true;
      else if (v === 'nodst') o['nodst'] = true;
      else if (v !== 'null') throw new CliExit(1, `Error: argument of "flag" must be "nopromisc", "nodst" or "null", not "${v}"`);
    },
  },
  { w: ['nopromisc'], read: set('nopromisc', true) },
  {
    w: ['bcqueuelen'],
    read: (a, o) => {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('invalid bcqueuelen', v);
      o['bcQueueLen'] = n;
    },
  },
  {
    w: ['macaddr'],
    read: () => {
      throw usageError('nlkit: macvlan "macaddr" (source mode MAC lists) is not supported');
    },
  },
];

// ---------------------------------------------------------------------------------------------
// ipip / sit / gre / gretap: the encapsulation options are shared

function encap(o: Opts): Opts {
  return ((o['encap'] as Opts | undefined) ?? (o['encap'] = {})) as Opts;
}

const ENCAP: readonly Word[] = [
  { w: ['noencap'], read: (_a, o) => void (encap(o)['type'] = 'none') },
  {
    w: ['encap'],
    read: (a, o) => {
      const v = a.next();
      if (v !== 'fou' && v !== 'gue' && v !== 'none') throw invarg('Invalid encap type.', v);
      encap(o)['type'] = v;
    },
  },
  {
    w: ['encap-sport'],
    read: (a, o) => {
      const v = a.next();
      const n = v === 'auto' ? 0 : getUnsigned(v, 0xffff);
      if (n === undefined) throw invarg('Invalid source port.', v);
      encap(o)['sport'] = n;
    },
  },
  {
    w: ['encap-dport'],
    read: (a, o) => {
      const v = a.next();
      const n = getUnsigned(v, 0xffff);
      if (n === undefined) throw invarg('Invalid destination port.', v);
      encap(o)['dport'] = n;
    },
  },
  { w: ['encap-csum'], read: (_a, o) => void (encap(o)['csum'] = true) },
  { w: ['noencap-csum'], read: (_a, o) => void (encap(o)['csum'] = false) },
  { w: ['encap-udp6-csum', 'encap-csum6'], read: (_a, o) => void (encap(o)['csum6'] = true) },
  { w: ['noencap-udp6-csum', 'noencap-csum6'], read: (_a, o) => void (encap(o)['csum6'] = false) },
  { w: ['encap-remcsum'], read: (_a, o) => void (encap(o)['remcsum'] = true) },
  { w: ['noencap-remcsum'], read: (_a, o) => void (encap(o)['remcsum'] = false) },
];

const TUNNEL_COMMON: readonly Word[] = [
  { w: ['remote'], read: addr('remote', 'remote') },
  { w: ['local'], read: addr('local', 'local') },
  { w: ['dev'], read: dev('dev') },
  { w: ['ttl', 'hoplimit', 'hlim'], read: ttl('ttl', false) },
  { w: ['tos', 'tclass', 'dsfield'], read: tos('tos') },
  { w: ['nopmtudisc'], read: set('pmtudisc', false) },
  { w: ['pmtudisc'], read: set('pmtudisc', true) },
  { w: ['fwmark'], read: u32('fwmark', 'fwmark') },
  { w: ['external'], read: set('external', true) },
  ...ENCAP,
];

const IPTUN: readonly Word[] = [
  ...TUNNEL_COMMON,
  {
    w: ['mode'],
    read: (a, o) => {
      const v = a.next();
      const m = v === 'ipv6/ipv4' || v === 'ip6ip' ? 'ip6ip' : v === 'ipv4/ipv4' || v === 'ipip' || v === 'ip4ip4' ? 'ipip' : v === 'mpls/ipv4' || v === 'mplsip' ? 'mplsip' : v === 'any/ipv4' || v === 'any' ? 'any' : undefined;
      if (!m) throw invarg('Invalid mode.', v);
      o['mode'] = m;
    },
  },
  { w: ['isatap'], read: set('isatap', true) },
];

function greKey(a: Args): number | string {
  const v = a.next();
  if (v.includes('.')) return v;
  const n = getUnsigned(v);
  if (n === undefined) throw invarg('invalid value for "key": "', v);
  return n;
}

const GRE: readonly Word[] = [
  { w: ['key'], read: (a, o) => void (o['key'] = greKey(a)) },
  { w: ['ikey'], read: (a, o) => void (o['ikey'] = greKey(a)) },
  { w: ['okey'], read: (a, o) => void (o['okey'] = greKey(a)) },
  { w: ['seq'], read: set('seq', true) },
  { w: ['iseq'], read: set('iseq', true) },
  { w: ['oseq'], read: set('oseq', true) },
  { w: ['csum'], read: set('csum', true) },
  { w: ['icsum'], read: set('icsum', true) },
  { w: ['ocsum'], read: set('ocsum', true) },
  { w: ['ignore-df'], read: set('ignoreDf', true) },
  { w: ['noignore-df'], read: set('ignoreDf', false) },
  ...TUNNEL_COMMON,
];

// ---------------------------------------------------------------------------------------------
// vlan, vrf, bond, geneve

function qosMap(a: Args, what: string): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  while (a.nextOk()) {
    const m = /^(\d+):(\d+)$/.exec(a.peek());
    if (!m) break;
    a.next();
    out.push({ from: Number(m[1]), to: Number(m[2]) });
  }
  if (out.length === 0) throw invarg(`invalid ${what}`, a.nextOk() ? a.peek() : a.word);
  return out;
}

const VLAN: readonly Word[] = [
  {
    w: ['protocol'],
    read: (a, o) => {
      const v = a.next();
      const p = v.toLowerCase() === '802.1q' ? '802.1Q' : v.toLowerCase() === '802.1ad' ? '802.1ad' : undefined;
      if (!p) throw invarg('protocol is invalid', v);
      o['protocol'] = p;
    },
  },
  {
    w: ['id'],
    read: (a, o) => {
      const v = a.next();
      const n = getUnsigned(v, 4095);
      if (n === undefined) throw invarg('id is invalid', v);
      o['id'] = n;
    },
  },
  { w: ['reorder_hdr'], read: onOff('reorderHdr', 'reorder_hdr') },
  { w: ['gvrp'], read: onOff('gvrp', 'gvrp') },
  { w: ['mvrp'], read: onOff('mvrp', 'mvrp') },
  { w: ['loose_binding'], read: onOff('looseBinding', 'loose_binding') },
  { w: ['bridge_binding'], read: onOff('bridgeBinding', 'bridge_binding') },
  { w: ['ingress-qos-map'], read: (a, o) => void (o['ingressQos'] = qosMap(a, 'ingress-qos-map')) },
  { w: ['egress-qos-map'], read: (a, o) => void (o['egressQos'] = qosMap(a, 'egress-qos-map')) },
];

const VRF: readonly Word[] = [{ w: ['table'], read: u32('table', 'table') }];

const BOND_MODES = ['balance-rr', 'active-backup', 'balance-xor', 'broadcast', '802.3ad', 'balance-tlb', 'balance-alb'];

function named(key: string, what: string, names: readonly string[], numbers = true): Word['read'] {
  return (a, o) => {
    const v = a.next();
    const n = numbers ? getUnsigned(v) : undefined;
    const name = names.includes(v) ? v : n !== undefined ? names[n] : undefined;
    if (name === undefined) throw invarg(`invalid ${what}`, v);
    o[key] = name;
  };
}

const BOND: readonly Word[] = [
  { w: ['mode'], read: named('mode', 'mode', BOND_MODES) },
  {
    w: ['active_slave', 'clear_active_slave', 'peer_notify_delay', 'ns_ip6_target', 'lacp_active', 'arp_missed_max', 'coupled_control'],
    read: (a) => {
      throw usageError(`nlkit: bond "${a.word}" is not supported`);
    },
  },
  { w: ['miimon'], read: u32('miimon', 'miimon') },
  { w: ['updelay'], read: u32('updelay', 'updelay') },
  { w: ['downdelay'], read: u32('downdelay', 'downdelay') },
  { w: ['use_carrier'], read: bool01('useCarrier', 'use_carrier') },
  { w: ['arp_interval'], read: u32('arpInterval', 'arp_interval') },
  {
    w: ['arp_ip_target'],
    read: (a, o) => {
      const v = a.next();
      o['arpIpTarget'] = v.split(',').filter((x) => x !== '').map((x) => getAddr(x, 2).address);
    },
  },
  { w: ['arp_validate'], read: named('arpValidate', 'arp_validate', ['none', 'active', 'backup', 'all', 'filter', 'filter_active', 'filter_backup']) },
  { w: ['arp_all_targets'], read: named('arpAllTargets', 'arp_all_targets', ['any', 'all']) },
  { w: ['primary_reselect'], read: named('primaryReselect', 'primary_reselect', ['always', 'better', 'failure']) },
  {
    w: ['primary'],
    read: async (a, o, s) => {
      const v = a.next();
      const idx = await s.ifindexOrUndefined(v);
      if (!idx) throw invarg('invalid primary', v);
      o['primary'] = idx;
    },
  },
  { w: ['fail_over_mac'], read: named('failOverMac', 'fail_over_mac', ['none', 'active', 'follow']) },
  { w: ['xmit_hash_policy'], read: named('xmitHashPolicy', 'xmit_hash_policy', ['layer2', 'layer3+4', 'layer2+3', 'encap2+3', 'encap3+4', 'vlan+srcmac']) },
  { w: ['resend_igmp'], read: u32('resendIgmp', 'resend_igmp') },
  { w: ['num_grat_arp', 'num_unsol_na'], read: u32('numPeerNotif', 'num_grat_arp|num_unsol_na', 255) },
  { w: ['all_slaves_active'], read: bool01('allSlavesActive', 'all_slaves_active') },
  { w: ['min_links'], read: u32('minLinks', 'min_links') },
  { w: ['lp_interval'], read: u32('lpInterval', 'lp_interval') },
  { w: ['packets_per_slave'], read: u32('packetsPerSlave', 'packets_per_slave') },
  { w: ['lacp_rate'], read: named('lacpRate', 'lacp_rate', ['slow', 'fast']) },
  { w: ['ad_select'], read: named('adSelect', 'ad_select', ['stable', 'bandwidth', 'count']) },
  { w: ['ad_user_port_key'], read: u32('adUserPortKey', 'ad_user_port_key', 0xffff) },
  { w: ['ad_actor_sys_prio'], read: u32('adActorSysPrio', 'ad_actor_sys_prio', 0xffff) },
  {
    w: ['ad_actor_system'],
    read: async (a, o) => {
      const { lladdr } = await import('./link.js');
      o['adActorSystem'] = lladdr(a.next());
    },
  },
  { w: ['tlb_dynamic_lb'], read: bool01('tlbDynamicLb', 'tlb_dynamic_lb') },
];

const GENEVE: readonly Word[] = [
  {
    w: ['id', 'vni'],
    read: (a, o) => {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined || n >= 1 << 24) throw invarg('invalid id', v);
      o['id'] = n;
    },
  },
  { w: ['remote'], read: (a, o) => void (o['remote'] = getAddr(a.next(), 0).address) },
  { w: ['ttl', 'hoplimit'], read: ttl('ttl', false) },
  { w: ['tos', 'dsfield'], read: tos('tos') },
  {
    w: ['df'],
    read: (a, o) => {
      const v = a.next();
      if (v !== 'unset' && v !== 'set' && v !== 'inherit') throw invarg('DF must be \'unset\', \'set\' or \'inherit\'', v);
      o['df'] = v;
    },
  },
  { w: ['label', 'flowlabel'], read: u32('label', 'flowlabel', 0xfffff) },
  { w: ['dstport'], read: u32('dstport', 'dstport', 0xffff) },
  { w: ['external'], read: set('external', true) },
  { w: ['noexternal'], read: set('external', false) },
  { w: ['udpcsum'], read: set('udpCsum', true) },
  { w: ['noudpcsum'], read: set('udpCsum', false) },
  { w: ['udp6zerocsumtx'], read: set('udp6ZeroCsumTx', true) },
  { w: ['noudp6zerocsumtx'], read: set('udp6ZeroCsumTx', false) },
  { w: ['udp6zerocsumrx'], read: set('udp6ZeroCsumRx', true) },
  { w: ['noudp6zerocsumrx'], read: set('udp6ZeroCsumRx', false) },
];

// ---------------------------------------------------------------------------------------------

/** veth: `peer [name] NAME [address ...] [mtu ...] [txqueuelen ...] [netns ...] [up]`. */
async function veth(a: Args, s: Session): Promise<Opts> {
  if (!a.more) return {};
  if (a.word !== 'peer') throw new HelpRequest('link:veth');
  a.skip();
  const { parseCommon } = await import('./link.js');
  const p = await parseCommon(a, s, 'peer');
  if (p.type !== undefined) throw new CliExit(255, `Error: duplicate "type": "${p.type}" is the second value.`);
  const peer: Opts = {};
  const name = p.name ?? p.dev;
  if (name !== undefined) peer['name'] = name;
  for (const k of ['netns', 'address', 'mtu', 'txqueuelen', 'up']) if (p.common[k] !== undefined) peer[k] = p.common[k];
  for (const k of Object.keys(p.common)) {
    if (!['netns', 'address', 'mtu', 'txqueuelen', 'up'].includes(k)) throw usageError(`nlkit: "${k}" is not supported for a veth peer`);
  }
  return { peer };
}

const KINDS: Readonly<Record<string, readonly Word[]>> = {
  bridge: BRIDGE,
  vxlan: VXLAN,
  macvlan: MACVLAN,
  macvtap: MACVLAN,
  ipip: IPTUN,
  sit: IPTUN,
  gre: GRE,
  gretap: GRE,
  vlan: VLAN,
  vrf: VRF,
  bond: BOND,
  geneve: GENEVE,
  dummy: [],
  ifb: [],
};

/**
 * The kind options of `type KIND ARGS...` in the API's terms. Unknown kinds pass through with
 * no options (the API or the kernel then answers as ip's kernel would).
 */
export async function parseKindOptions(kind: string, a: Args, s: Session, mode: 'add' | 'set'): Promise<Opts> {
  if (kind === 'veth') return veth(a, s);
  const words = KINDS[kind];
  if (!words) {
    if (a.more) {
      if (matches(a.word, 'help')) throw new HelpRequest(`link:${kind}`);
      throw new CliExit(1, `Garbage instead of arguments "${a.word} ...". Try "nlkit link help".`);
    }
    return {};
  }
  const o: Opts = {};
  await parseWords(kind, words, a, o, s);
  if (kind === 'vxlan') {
    if (o['external'] === true && o['id'] !== undefined) throw new CliExit(1, "vxlan: both 'external' and vni cannot be specified");
    if (mode === 'add' && o['external'] !== true && o['id'] === undefined) throw new CliExit(1, 'vxlan: missing virtual network identifier');
    if (o['group'] !== undefined && o['dev'] === undefined) throw new CliExit(1, "vxlan: 'group' requires 'dev' to be specified");
    if (mode === 'add' && o['dstport'] === undefined && o['gpe'] !== true) {
      s.err("vxlan: destination port not specified\nWill use Linux kernel default (non-standard value)\nUse 'dstport 4789' to get the IANA assigned value\nUse 'dstport 0' to get default and quiet this message\n");
    }
    if (o['dstport'] === 0) delete o['dstport'];
  }
  if (kind === 'geneve' && mode === 'add' && o['external'] !== true && (o['id'] === undefined || o['remote'] === undefined)) {
    throw new CliExit(1, o['id'] === undefined ? 'geneve: missing virtual network identifier' : 'geneve: remote link partner not specified');
  }
  if (kind === 'vlan' && mode === 'add' && o['id'] === undefined) throw new CliExit(1, '8021q: VLAN ID must be specified');
  if (kind === 'vrf' && mode === 'add' && o['table'] === undefined) throw new CliExit(1, 'vrf: table id required');
  if (kind === 'ipip' || kind === 'sit' || kind === 'gre' || kind === 'gretap') {
    for (const k of ['remote', 'local']) if (o[k] === 'any') delete o[k];
  }
  return o;
}
