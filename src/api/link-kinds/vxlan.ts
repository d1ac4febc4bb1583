/**
 * vxlan: a VXLAN tunnel (`ip link add vx0 type vxlan id VNI ...`), IFLA_INFO_DATA = IFLA_VXLAN_*.
 *
 * As iproute2 (ip/iplink_vxlan.c) sends it: the options in a fixed order, then IFLA_VXLAN_ID,
 * the local and remote/group address (IPv4 or IPv6 attribute by family), IFLA_VXLAN_LEARNING
 * (always on creation: 1, or 0 with `external`) and IFLA_VXLAN_PORT.
 *
 * `dstport`: like iproute2, nothing is sent when it is not given, so the kernel uses its default
 * — 8472, the pre-IANA Linux port (module parameter `vxlan.udp_port`), not the IANA 4789
 * (iproute2 prints a warning; this API documents it instead). With `gpe` the default is 4790.
 * Give `dstport: 4789` for the IANA port.
 *
 * @example
 * ```ts
 * // ip link add vx0 type vxlan id 42 local 10.123.0.1 remote 10.123.0.2 dev veth0 dstport 4789
 * await nl.link.add({ name: 'vx0', type: 'vxlan', id: 42, local: '10.123.0.1', remote: '10.123.0.2', dev: 'veth0', dstport: 4789 });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import {
  AF_INET6,
  type Attrs,
  bool,
  enumName,
  isMulticastIp,
  isZeroIp,
  type KindDef,
  num,
  optBool,
  optDev,
  optEnum,
  optInt,
  optIp,
  optTos,
  optTtl,
  str,
} from './common.js';

/** Kind options of vxlan. */
export interface VxlanOptions {
  /** `id VNI`, 0..16777215. Required unless `external`. */
  id?: number;
  /** `remote ADDR`: the unicast peer (IPv4 or IPv6). Not with `group`. */
  remote?: string;
  /** `group ADDR`: a multicast group (needs `dev`). Not with `remote`. */
  group?: string;
  /** `local ADDR`: the source address. */
  local?: string;
  /** `dev DEV`: the underlay device (name or index). */
  dev?: string | number;
  /** `dstport PORT`. Default: the kernel's 8472 (4790 with `gpe`); see the module doc. */
  dstport?: number;
  /** `srcport MIN MAX`: the UDP source port range. Default: the kernel's ephemeral range. */
  srcPortRange?: readonly [number, number] | { low: number; high: number };
  /** `ttl 1..255|auto|inherit` (auto = 0). Default: auto. */
  ttl?: number | 'auto' | 'inherit';
  /** `tos 0..255|inherit`. Default: 0. */
  tos?: number | 'inherit';
  /** `flowlabel LABEL`, 0..0xfffff. Default: 0. */
  label?: number;
  /** `df unset|set|inherit`. Default: unset. */
  df?: 'unset' | 'set' | 'inherit';
  /** `[no]learning`. Default: true (false with `external`). */
  learning?: boolean;
  /** `ageing SECONDS` of learned FDB entries (0 = none). Default: 300. */
  ageing?: number;
  /** `maxaddress N` (0 = unlimited). Default: 0. */
  maxAddress?: number;
  /** `[no]proxy`. Default: false. */
  proxy?: boolean;
  /** `[no]rsc`. Default: false. */
  rsc?: boolean;
  /** `[no]l2miss`. Default: false. */
  l2miss?: boolean;
  /** `[no]l3miss`. Default: false. */
  l3miss?: boolean;
  /** `[no]udpcsum` (IPv4). Default: the kernel's. */
  udpCsum?: boolean;
  /** `[no]udp6zerocsumtx`. Default: false. */
  udp6ZeroCsumTx?: boolean;
  /** `[no]udp6zerocsumrx`. Default: false. */
  udp6ZeroCsumRx?: boolean;
  /** `[no]remcsumtx`. Default: false. */
  remcsumTx?: boolean;
  /** `[no]remcsumrx`. Default: false. */
  remcsumRx?: boolean;
  /** `[no]external`: flow-based (collect metadata) mode; no `id`. Default: false. */
  external?: boolean;
  /** `vnifilter` (with `external`). Default: false. */
  vnifilter?: boolean;
  /** `gbp`: Group Based Policy extension. Default: false. */
  gbp?: boolean;
  /** `gpe`: Generic Protocol Extension. Default: false. */
  gpe?: boolean;
  /** `[no]localbypass`. Default: the kernel's (true). */
  localbypass?: boolean;
}

/** `info` of a vxlan link. */
export interface VxlanInfo {
  kind: 'vxlan';
  id: number | undefined;
  /** The unicast remote (IPv4 or IPv6), when the configured address is not multicast. */
  remote: string | undefined;
  /** The multicast group, when the configured address is multicast. */
  group: string | undefined;
  local: string | undefined;
  /** Index of the underlay device (IFLA_VXLAN_LINK), and its name when it could be resolved. */
  devIndex: number | undefined;
  dev: string | undefined;
  dstport: number | undefined;
  srcPortRange: { low: number; high: number } | undefined;
  ttl: number | undefined;
  ttlInherit: boolean | undefined;
  tos: number | undefined;
  label: number | undefined;
  df: 'unset' | 'set' | 'inherit' | number | undefined;
  learning: boolean | undefined;
  ageing: number | undefined;
  maxAddress: number | undefined;
  proxy: boolean | undefined;
  rsc: boolean | undefined;
  l2miss: boolean | undefined;
  l3miss: boolean | undefined;
  udpCsum: boolean | undefined;
  udp6ZeroCsumTx: boolean | undefined;
  udp6ZeroCsumRx: boolean | undefined;
  remcsumTx: boolean | undefined;
  remcsumRx: boolean | undefined;
  external: boolean | undefined;
  vnifilter: boolean | undefined;
  gbp: boolean | undefined;
  gpe: boolean | undefined;
  localbypass: boolean | undefined;
}

const DF: Readonly<Record<string, number>> = { unset: 0, set: 1, inherit: 2 };

/** IFLA_VXLAN_TTL_INHERIT = 28: its policy is NLA_FLAG, so it is sent empty (by number, as raw bytes). */
const TTL_INHERIT_ATTR = '28';

const KEYS = [
  'id', 'remote', 'group', 'local', 'dev', 'dstport', 'srcPortRange', 'ttl', 'tos', 'label', 'df', 'learning', 'ageing',
  'maxAddress', 'proxy', 'rsc', 'l2miss', 'l3miss', 'udpCsum', 'udp6ZeroCsumTx', 'udp6ZeroCsumRx', 'remcsumTx', 'remcsumRx',
  'external', 'vnifilter', 'gbp', 'gpe', 'localbypass',
] as const;

function u8(b: boolean | undefined): number | undefined {
  return b === undefined ? undefined : b ? 1 : 0;
}

function portRange(v: unknown): { low: number; high: number } | undefined {
  if (v === undefined) return undefined;
  let low: unknown;
  let high: unknown;
  if (Array.isArray(v) && v.length === 2) [low, high] = v;
  else if (v !== null && typeof v === 'object' && !Array.isArray(v)) ({ low, high } = v as { low?: unknown; high?: unknown });
  else throw new ArgumentError('srcPortRange', v, 'expected [low, high] or { low, high }');
  const range = { low: checkPort(low), high: checkPort(high) };
  if (range.low > range.high) throw new ArgumentError('srcPortRange', v, 'low must not be above high');
  return range;
}

function checkPort(p: unknown): number {
  if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > 65535) throw new ArgumentError('srcPortRange', p, 'ports must be integers in 0..65535');
  return p;
}

/**
 * The vxlan kind.
 *
 * @example
 * ```ts
 * // ip link add vx0 type vxlan id 42 dstport 4789
 * await vxlan.prepare({ id: 42, dstport: 4789 }, 'vxlan', 'add')?.(ctx); // { id: 42, learning: 1, port: 4789 }
 * ```
 */
export const vxlan: KindDef<VxlanInfo> = {
  kinds: ['vxlan'],
  options: KEYS,
  prepare(o, _kind, mode) {
    const id = optInt(o, 'id', 0, 0xffffff);
    const external = optBool(o, 'external');
    const remote = optIp(o, 'remote');
    const group = optIp(o, 'group');
    const local = optIp(o, 'local', remote?.family ?? group?.family);
    const dev = optDev(o, 'dev');
    if (remote && group) throw new ArgumentError('group', o['group'], 'cannot be given together with remote');
    if (remote && isMulticastIp(remote.address)) throw new ArgumentError('remote', o['remote'], 'is a multicast address: use group');
    if (group && !isMulticastIp(group.address)) throw new ArgumentError('group', o['group'], 'is not a multicast address: use remote');
    if (local && isMulticastIp(local.address)) throw new ArgumentError('local', o['local'], 'must not be a multicast address');
    if (local && (remote ?? group) && local.family !== (remote ?? group)!.family) throw new ArgumentError('local', o['local'], 'must be of the same family as the remote/group');
    if (group && dev === undefined) throw new ArgumentError('dev', undefined, "a multicast group requires dev (vxlan: 'group' requires 'dev' to be specified)");
    if (external && id !== undefined) throw new ArgumentError('id', id, 'cannot be given together with external');
    if (mode === 'add' && !external && id === undefined) throw new ArgumentError('id', undefined, 'vxlan needs a VNI (id), or external: true');
    const ttl = o['ttl'] === 'auto' ? 0 : optTtl(o);
    const tos = optTos(o);
    const label = optInt(o, 'label', 0, 0xfffff);
    const df = optEnum(o, 'df', DF);
    const learningOpt = optBool(o, 'learning');
    const ageing = optInt(o, 'ageing', 0, 0xffffffff);
    const limit = optInt(o, 'maxAddress', 0, 0xffffffff);
    const range = portRange(o['srcPortRange']);
    const dstport = optInt(o, 'dstport', 0, 65535);
    const gbp = optBool(o, 'gbp');
    const gpe = optBool(o, 'gpe');
    const vnifilter = optBool(o, 'vnifilter');
    const flags = {
      proxy: u8(optBool(o, 'proxy')),
      rsc: u8(optBool(o, 'rsc')),
      l2miss: u8(optBool(o, 'l2miss')),
      l3miss: u8(optBool(o, 'l3miss')),
      udp_csum: u8(optBool(o, 'udpCsum')),
      udp_zero_csum6_tx: u8(optBool(o, 'udp6ZeroCsumTx')),
      udp_zero_csum6_rx: u8(optBool(o, 'udp6ZeroCsumRx')),
      remcsum_tx: u8(optBool(o, 'remcsumTx')),
      remcsum_rx: u8(optBool(o, 'remcsumRx')),
    };
    const localbypass = u8(optBool(o, 'localbypass'));
    // Learning: sent on creation (iproute2 default 1, 0 with external), on change only when given.
    const learning = learningOpt ?? (mode === 'add' ? !external : undefined);
    // dstport: not sent unless given (kernel default), except gpe's 4790 as iproute2 does.
    const port = dstport ?? (gpe ? 4790 : undefined);
    return async (ctx) => {
      const d: Attrs = {};
      if (dev !== undefined) d['link'] = await ctx.ifindex(dev, 'dev');
      if (ttl === 'inherit') d[TTL_INHERIT_ATTR] = '';
      else if (ttl !== undefined) d['ttl'] = ttl;
      if (tos !== undefined) d['tos'] = tos;
      if (label !== undefined) d['label'] = label;
      if (ageing !== undefined) d['ageing'] = ageing;
      if (limit !== undefined) d['limit'] = limit;
      if (range && (range.low || range.high)) d['port_range'] = range;
      for (const [k, v] of Object.entries(flags)) if (v !== undefined) d[k] = v;
      if (external !== undefined) d['collect_metadata'] = external ? 1 : 0;
      if (vnifilter !== undefined) d['vnifilter'] = vnifilter ? 1 : 0;
      if (gbp) d['gbp'] = true;
      if (gpe) d['gpe'] = true;
      if (df !== undefined) d['df'] = df;
      if (localbypass !== undefined) d['localbypass'] = localbypass;
      if (id !== undefined) d['id'] = id;
      if (local) d[local.family === AF_INET6 ? 'local6' : 'local'] = local.address;
      const peer = remote ?? group;
      if (peer) d[peer.family === AF_INET6 ? 'group6' : 'group'] = peer.address;
      if (learning !== undefined) d['learning'] = learning ? 1 : 0;
      if (port) d['port'] = port;
      return d;
    };
  },
  info(data) {
    const d = data ?? {};
    const g = str(d['group']) ?? str(d['group6']);
    const peer = isZeroIp(g) ? undefined : g;
    const l = str(d['local']) ?? str(d['local6']);
    const pr = d['port_range'] as { low?: number; high?: number } | undefined;
    const df = num(d['df']);
    const link = num(d['link']);
    return {
      kind: 'vxlan',
      id: num(d['id']),
      remote: peer !== undefined && !isMulticastIp(peer) ? peer : undefined,
      group: peer !== undefined && isMulticastIp(peer) ? peer : undefined,
      local: isZeroIp(l) ? undefined : l,
      devIndex: link === 0 ? undefined : link,
      dev: undefined,
      dstport: num(d['port']),
      srcPortRange: pr && typeof pr.low === 'number' && typeof pr.high === 'number' ? { low: pr.low, high: pr.high } : undefined,
      ttl: num(d['ttl']),
      ttlInherit: bool(d['ttl_inherit']),
      tos: num(d['tos']),
      label: num(d['label']),
      df: df === undefined ? undefined : ((enumName(DF, df) as VxlanInfo['df']) ?? df),
      learning: bool(d['learning']),
      ageing: num(d['ageing']),
      maxAddress: num(d['limit']),
      proxy: bool(d['proxy']),
      rsc: bool(d['rsc']),
      l2miss: bool(d['l2miss']),
      l3miss: bool(d['l3miss']),
      udpCsum: bool(d['udp_csum']),
      udp6ZeroCsumTx: bool(d['udp_zero_csum6_tx']),
      udp6ZeroCsumRx: bool(d['udp_zero_csum6_rx']),
      remcsumTx: bool(d['remcsum_tx']),
      remcsumRx: bool(d['remcsum_rx']),
      external: bool(d['collect_metadata']),
      vnifilter: bool(d['vnifilter']),
      gbp: d['gbp'] === undefined ? undefined : true,
      gpe: d['gpe'] === undefined ? undefined : true,
      localbypass: bool(d['localbypass']),
    };
  },
  resolve(info, nameOf) {
    if (info.devIndex !== undefined) info.dev = nameOf(info.devIndex);
  },
};
