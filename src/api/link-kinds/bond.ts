/**
 * bond: link aggregation (`ip link add bond0 type bond mode 802.3ad miimon 100`),
 * IFLA_INFO_DATA = IFLA_BOND_*; and the port side (`slaveInfo` of an enslaved link,
 * IFLA_BOND_SLAVE_*). Option names and value names are iproute2's (ip/iplink_bond.c); times are
 * milliseconds as there. Ports join with `nl.link.set(dev, { master: 'bond0' })`.
 *
 * @example
 * ```ts
 * // ip link add bond0 type bond mode active-backup miimon 100
 * await nl.link.add({ name: 'bond0', type: 'bond', mode: 'active-backup', miimon: 100 });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import { AF_INET, type Attrs, bool, enumName, type KindDef, num, optBool, optDev, optEnum, optInt, optMac, str } from './common.js';
import { parseAddress } from '../validate.js';

/** BOND_MODE_*, by iproute2's names. */
export const BOND_MODES = {
  'balance-rr': 0,
  'active-backup': 1,
  'balance-xor': 2,
  broadcast: 3,
  '802.3ad': 4,
  'balance-tlb': 5,
  'balance-alb': 6,
} as const;
/** BOND_XMIT_POLICY_*, by iproute2's names. */
export const BOND_XMIT_HASH_POLICIES = { layer2: 0, 'layer3+4': 1, 'layer2+3': 2, 'encap2+3': 3, 'encap3+4': 4, 'vlan+srcmac': 5 } as const;
const ARP_VALIDATE = { none: 0, active: 1, backup: 2, all: 3, filter: 4, filter_active: 5, filter_backup: 6 } as const;
const ARP_ALL_TARGETS = { any: 0, all: 1 } as const;
const PRIMARY_RESELECT = { always: 0, better: 1, failure: 2 } as const;
const FAIL_OVER_MAC = { none: 0, active: 1, follow: 2 } as const;
const LACP_RATE = { slow: 0, fast: 1 } as const;
const AD_SELECT = { stable: 0, bandwidth: 1, count: 2 } as const;

/** Kind options of bond. */
export interface BondOptions {
  /** `mode`. Default: balance-rr. */
  mode?: keyof typeof BOND_MODES;
  /** `miimon` ms (0 = off). Default: the kernel's. */
  miimon?: number;
  /** `updelay` ms. */
  updelay?: number;
  /** `downdelay` ms. */
  downdelay?: number;
  /** `use_carrier 0|1`. */
  useCarrier?: boolean;
  /** `arp_interval` ms. */
  arpInterval?: number;
  /** `arp_ip_target`: IPv4 addresses (at most 16). */
  arpIpTarget?: readonly string[];
  /** `arp_validate`. */
  arpValidate?: keyof typeof ARP_VALIDATE;
  /** `arp_all_targets any|all`. */
  arpAllTargets?: keyof typeof ARP_ALL_TARGETS;
  /** `primary DEV`. */
  primary?: string | number;
  /** `primary_reselect`. */
  primaryReselect?: keyof typeof PRIMARY_RESELECT;
  /** `fail_over_mac`. */
  failOverMac?: keyof typeof FAIL_OVER_MAC;
  /** `xmit_hash_policy`. */
  xmitHashPolicy?: keyof typeof BOND_XMIT_HASH_POLICIES;
  /** `resend_igmp`. */
  resendIgmp?: number;
  /** `num_grat_arp` / `num_unsol_na`, 0..255. */
  numPeerNotif?: number;
  /** `all_slaves_active 0|1`. */
  allSlavesActive?: boolean;
  /** `min_links`. */
  minLinks?: number;
  /** `lp_interval` s. */
  lpInterval?: number;
  /** `packets_per_slave`. */
  packetsPerSlave?: number;
  /** `lacp_rate slow|fast`. */
  lacpRate?: keyof typeof LACP_RATE;
  /** `ad_select`. */
  adSelect?: keyof typeof AD_SELECT;
  /** `ad_user_port_key`, 0..1023. */
  adUserPortKey?: number;
  /** `ad_actor_sys_prio`, 1..65535. */
  adActorSysPrio?: number;
  /** `ad_actor_system LLADDR`. */
  adActorSystem?: string;
  /** `tlb_dynamic_lb 0|1`. */
  tlbDynamicLb?: boolean;
}

/** `info` of a bond. */
export interface BondInfo {
  kind: 'bond';
  mode: keyof typeof BOND_MODES | number | undefined;
  activeSlaveIndex: number | undefined;
  activeSlave: string | undefined;
  miimon: number | undefined;
  updelay: number | undefined;
  downdelay: number | undefined;
  useCarrier: boolean | undefined;
  arpInterval: number | undefined;
  arpIpTarget: string[] | undefined;
  arpValidate: string | number | undefined;
  arpAllTargets: string | number | undefined;
  primaryIndex: number | undefined;
  primary: string | undefined;
  primaryReselect: string | number | undefined;
  failOverMac: string | number | undefined;
  xmitHashPolicy: string | number | undefined;
  resendIgmp: number | undefined;
  numPeerNotif: number | undefined;
  allSlavesActive: boolean | undefined;
  minLinks: number | undefined;
  lpInterval: number | undefined;
  packetsPerSlave: number | undefined;
  lacpRate: string | number | undefined;
  adSelect: string | number | undefined;
  adActorSysPrio: number | undefined;
  adUserPortKey: number | undefined;
  adActorSystem: string | undefined;
  tlbDynamicLb: boolean | undefined;
}

/** `slaveInfo` of a bond port. */
export interface BondPortInfo {
  kind: 'bond';
  state: 'active' | 'backup' | number | undefined;
  miiStatus: 'up' | 'fail' | 'down' | 'back' | number | undefined;
  linkFailureCount: number | undefined;
  permHwaddr: string | undefined;
  queueId: number | undefined;
  prio: number | undefined;
  adAggregatorId: number | undefined;
}

/** Options in wire order: [option, attribute, reader]. */
const OPTIONS: ReadonlyArray<readonly [string, string, (o: Readonly<Record<string, unknown>>, k: string) => unknown]> = [
  ['mode', 'mode', (o, k) => optEnum(o, k, BOND_MODES)],
  ['miimon', 'miimon', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['updelay', 'updelay', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['downdelay', 'downdelay', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['useCarrier', 'use_carrier', (o, k) => u8(optBool(o, k))],
  ['arpInterval', 'arp_interval', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['arpIpTarget', 'arp_ip_target', (o, k) => arpTargets(o, k)],
  ['arpValidate', 'arp_validate', (o, k) => optEnum(o, k, ARP_VALIDATE)],
  ['arpAllTargets', 'arp_all_targets', (o, k) => optEnum(o, k, ARP_ALL_TARGETS)],
  ['primaryReselect', 'primary_reselect', (o, k) => optEnum(o, k, PRIMARY_RESELECT)],
  ['failOverMac', 'fail_over_mac', (o, k) => optEnum(o, k, FAIL_OVER_MAC)],
  ['xmitHashPolicy', 'xmit_hash_policy', (o, k) => optEnum(o, k, BOND_XMIT_HASH_POLICIES)],
  ['resendIgmp', 'resend_igmp', (o, k) => optInt(o, k, 0, 255)],
  ['numPeerNotif', 'num_peer_notif', (o, k) => optInt(o, k, 0, 255)],
  ['allSlavesActive', 'all_slaves_active', (o, k) => u8(optBool(o, k))],
  ['minLinks', 'min_links', (o, k) => optInt(o, k, 0, 0xffffffff)],
  ['lpInterval', 'lp_interval', (o, k) => optInt(o, k, 1, 0x7fffffff)],
  ['packetsPerSlave', 'packets_per_slave', (o, k) => optInt(o, k, 0, 65535)],
  ['lacpRate', 'ad_lacp_rate', (o, k) => optEnum(o, k, LACP_RATE)],
  ['adSelect', 'ad_select', (o, k) => optEnum(o, k, AD_SELECT)],
  ['adUserPortKey', 'ad_user_port_key', (o, k) => optInt(o, k, 0, 1023)],
  ['adActorSysPrio', 'ad_actor_sys_prio', (o, k) => optInt(o, k, 1, 65535)],
  ['adActorSystem', 'ad_actor_system', (o, k) => optMac(o, k)],
  ['tlbDynamicLb', 'tlb_dynamic_lb', (o, k) => u8(optBool(o, k))],
];

function u8(b: boolean | undefined): number | undefined {
  return b === undefined ? undefined : b ? 1 : 0;
}

function arpTargets(o: Readonly<Record<string, unknown>>, key: string): string[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length > 16) throw new ArgumentError(key, v, 'expected an array of at most 16 IPv4 addresses');
  return v.map((a: unknown, i) => parseAddress(a, `${key}[${i}]`, AF_INET).address);
}

function name(table: Readonly<Record<string, number>>, v: unknown): string | number | undefined {
  const n = num(v);
  return n === undefined ? undefined : (enumName(table, n) ?? n);
}

/**
 * The bond kind.
 *
 * @example
 * ```ts
 * // ip link add bond0 type bond mode active-backup miimon 100
 * await bond.prepare({ mode: 'active-backup', miimon: 100 }, 'bond', 'add')?.(ctx); // { mode: 1, miimon: 100 }
 * ```
 */
export const bond: KindDef<BondInfo> = {
  kinds: ['bond'],
  options: [...OPTIONS.map(([k]) => k), 'primary'],
  prepare(o) {
    const d: Attrs = {};
    for (const [key, attr, read] of OPTIONS) {
      const v = read(o, key);
      if (v !== undefined) d[attr] = v;
    }
    const primary = optDev(o, 'primary');
    if (Object.keys(d).length === 0 && primary === undefined) return undefined;
    return async (ctx) => {
      if (primary !== undefined) d['primary'] = await ctx.ifindex(primary, 'primary');
      return d;
    };
  },
  info(data) {
    const d = data ?? {};
    const targets = d['arp_ip_target'];
    const active = num(d['active_slave']);
    const primary = num(d['primary']);
    return {
      kind: 'bond',
      mode: name(BOND_MODES, d['mode']) as BondInfo['mode'],
      activeSlaveIndex: active || undefined,
      activeSlave: undefined,
      miimon: num(d['miimon']),
      updelay: num(d['updelay']),
      downdelay: num(d['downdelay']),
      useCarrier: bool(d['use_carrier']),
      arpInterval: num(d['arp_interval']),
      arpIpTarget: Array.isArray(targets) ? targets.filter((t): t is string => typeof t === 'string') : undefined,
      arpValidate: name(ARP_VALIDATE, d['arp_validate']),
      arpAllTargets: name(ARP_ALL_TARGETS, d['arp_all_targets']),
      primaryIndex: primary || undefined,
      primary: undefined,
      primaryReselect: name(PRIMARY_RESELECT, d['primary_reselect']),
      failOverMac: name(FAIL_OVER_MAC, d['fail_over_mac']),
      xmitHashPolicy: name(BOND_XMIT_HASH_POLICIES, d['xmit_hash_policy']),
      resendIgmp: num(d['resend_igmp']),
      numPeerNotif: num(d['num_peer_notif']),
      allSlavesActive: bool(d['all_slaves_active']),
      minLinks: num(d['min_links']),
      lpInterval: num(d['lp_interval']),
      packetsPerSlave: num(d['packets_per_slave']),
      lacpRate: name(LACP_RATE, d['ad_lacp_rate']),
      adSelect: name(AD_SELECT, d['ad_select']),
      adActorSysPrio: num(d['ad_actor_sys_prio']),
      adUserPortKey: num(d['ad_user_port_key']),
      adActorSystem: str(d['ad_actor_system']),
      tlbDynamicLb: bool(d['tlb_dynamic_lb']),
    };
  },
  resolve(info, nameOf) {
    if (info.activeSlaveIndex !== undefined) info.activeSlave = nameOf(info.activeSlaveIndex);
    if (info.primaryIndex !== undefined) info.primary = nameOf(info.primaryIndex);
  },
};

/**
 * The typed view of a bond port's IFLA_INFO_SLAVE_DATA (`ip -d link show dev eth0`: bond_slave ...).
 *
 * @example
 * ```ts
 * bondPortInfo({ state: 1, mii_status: 0 }); // { kind: 'bond', state: 'backup', miiStatus: 'up', ... }
 * ```
 */
export function bondPortInfo(data: Attrs | undefined): BondPortInfo {
  const d = data ?? {};
  const st = num(d['state']);
  const mii = num(d['mii_status']);
  return {
    kind: 'bond',
    state: st === undefined ? undefined : st === 0 ? 'active' : st === 1 ? 'backup' : st,
    miiStatus: mii === undefined ? undefined : (['up', 'fail', 'down', 'back'] as const)[mii] ?? mii,
    linkFailureCount: num(d['link_failure_count']),
    permHwaddr: str(d['perm_hwaddr']),
    queueId: num(d['queue_id']),
    prio: num(d['prio']),
    adAggregatorId: num(d['ad_aggregator_id']),
  };
}
