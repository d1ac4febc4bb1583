/**
 * ipip and sit: IPv4 tunnels (IPv4/MPLS over IPv4, and IPv6 over IPv4), IFLA_INFO_DATA =
 * IFLA_IPTUN_*.
 *
 * As iproute2 (ip/link_iptnl.c) sends a creation: every attribute, with its default when not
 * given — PROTO, LINK, LOCAL, REMOTE, TTL, TOS, PMTUDISC (1), FWMARK, ENCAP_TYPE, ENCAP_FLAGS,
 * ENCAP_SPORT, ENCAP_DPORT, and for sit FLAGS — or, with `external`, PROTO and COLLECT_METADATA
 * only. (This API always sends that full set, so the result does not depend on whether any
 * option was given: the kernel applies its pmtudisc default only when IFLA_INFO_DATA is present.)
 *
 * @example
 * ```ts
 * // ip link add tun0 type ipip local 10.123.0.1 remote 10.123.0.2 ttl 64
 * await nl.link.add({ name: 'tun0', type: 'ipip', local: '10.123.0.1', remote: '10.123.0.2', ttl: 64 });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import {
  AF_INET,
  type Attrs,
  bool,
  type EncapInfo,
  type EncapOptions,
  encapInfo,
  isZeroIp,
  type KindDef,
  num,
  optBool,
  optDev,
  optEncap,
  optInt,
  optIp,
  optTos,
  optTtl,
  str,
} from './common.js';

/** Kind options of ipip and sit. */
export interface IptunOptions {
  /** `remote ADDR` (IPv4; 'any' = 0.0.0.0). Default: any. */
  remote?: string;
  /** `local ADDR` (IPv4; 'any' = 0.0.0.0). Default: any. */
  local?: string;
  /** `dev DEV`: bind the tunnel to a device. Default: none. */
  dev?: string | number;
  /** `ttl 0..255|inherit` (inherit = 0). Default: inherit. */
  ttl?: number | 'inherit';
  /** `tos 0..255|inherit`. Default: 0. */
  tos?: number | 'inherit';
  /** `[no]pmtudisc`. Default: true (and a ttl needs it). */
  pmtudisc?: boolean;
  /** `fwmark MARK`. Default: 0. */
  fwmark?: number;
  /** `mode`: the inner protocol. ipip: 'ipip' | 'mplsip' | 'any'; sit also 'ip6ip'. Default: any (0). */
  mode?: 'ipip' | 'ip6ip' | 'mplsip' | 'any';
  /** `isatap` (sit only). Default: false. */
  isatap?: boolean;
  /** `external`: flow-based (collect metadata) mode. Default: false. */
  external?: boolean;
  /** `encap ...`: FOU/GUE encapsulation. Default: none. */
  encap?: EncapOptions;
}

/** `info` of an ipip or sit link. */
export interface IptunInfo {
  kind: 'ipip' | 'sit';
  mode: 'ipip' | 'ip6ip' | 'mplsip' | 'any' | number | undefined;
  remote: string | undefined;
  local: string | undefined;
  devIndex: number | undefined;
  dev: string | undefined;
  ttl: number | undefined;
  tos: number | undefined;
  pmtudisc: boolean | undefined;
  fwmark: number | undefined;
  isatap: boolean | undefined;
  external: boolean;
  encap: EncapInfo | undefined;
}

/** IPPROTO_IPIP, IPPROTO_IPV6, IPPROTO_MPLS, and 0 for any. */
const PROTOS: Readonly<Record<string, number>> = { any: 0, ipip: 4, ip6ip: 41, mplsip: 137 };
const SIT_ISATAP = 1;

/**
 * The ipip and sit kinds.
 *
 * @example
 * ```ts
 * // ip link add tun0 type ipip remote 10.123.0.2
 * await iptun.prepare({ remote: '10.123.0.2' }, 'ipip', 'add')?.(ctx); // { proto: 0, link: 0, local: '0.0.0.0', remote: '10.123.0.2', ... }
 * ```
 */
export const iptun: KindDef<IptunInfo> = {
  kinds: ['ipip', 'sit'],
  options: ['remote', 'local', 'dev', 'ttl', 'tos', 'pmtudisc', 'fwmark', 'mode', 'isatap', 'external', 'encap'],
  prepare(o, kind, mode) {
    const sit = kind === 'sit';
    const remote = optIp(o, 'remote', AF_INET);
    const local = optIp(o, 'local', AF_INET);
    const dev = optDev(o, 'dev');
    const ttlOpt = optTtl(o);
    const ttl = ttlOpt === 'inherit' ? 0 : ttlOpt;
    const tos = optTos(o);
    const pmtudisc = optBool(o, 'pmtudisc');
    if (ttl && pmtudisc === false) throw new ArgumentError('ttl', ttl, 'a fixed ttl needs pmtudisc (ttl != 0 and nopmtudisc are incompatible)');
    const fwmark = optInt(o, 'fwmark', 0, 0xffffffff);
    const modeOpt = o['mode'];
    const modes = sit ? ['ipip', 'ip6ip', 'mplsip', 'any'] : ['ipip', 'mplsip', 'any'];
    if (modeOpt !== undefined && (typeof modeOpt !== 'string' || !modes.includes(modeOpt))) {
      throw new ArgumentError('mode', modeOpt, `must be one of ${modes.map((m) => JSON.stringify(m)).join(', ')} for ${kind}`);
    }
    const proto = modeOpt === undefined ? undefined : PROTOS[modeOpt as string]!;
    const isatap = optBool(o, 'isatap');
    if (isatap !== undefined && !sit) throw new ArgumentError('isatap', isatap, 'applies to sit only');
    const external = optBool(o, 'external');
    const encap = o['encap'] === undefined ? undefined : optEncap(o);
    return async (ctx) => {
      // A change repeats every parameter, starting from the current ones (as iproute2 does):
      // the kernel resets what a change request leaves out.
      const cur = mode === 'set' ? ((await ctx.current()) ?? {}) : {};
      const d: Attrs = { proto: proto ?? num(cur['proto']) ?? 0 };
      if (external ?? cur['collect_metadata'] !== undefined) {
        d['collect_metadata'] = true;
        return d;
      }
      const pmtu = pmtudisc ?? (cur['pmtudisc'] === undefined ? true : cur['pmtudisc'] !== 0);
      const t = ttl ?? num(cur['ttl']) ?? 0;
      if (t !== 0 && !pmtu) throw new ArgumentError('pmtudisc', false, 'the tunnel has a fixed ttl, which needs pmtudisc');
      d['link'] = dev === undefined ? (num(cur['link']) ?? 0) : await ctx.ifindex(dev, 'dev');
      d['local'] = local?.address ?? str(cur['local']) ?? '0.0.0.0';
      d['remote'] = remote?.address ?? str(cur['remote']) ?? '0.0.0.0';
      d['ttl'] = t;
      d['tos'] = tos ?? num(cur['tos']) ?? 0;
      d['pmtudisc'] = pmtu ? 1 : 0;
      d['fwmark'] = fwmark ?? num(cur['fwmark']) ?? 0;
      d['encap_type'] = encap?.type ?? num(cur['encap_type']) ?? 0;
      d['encap_flags'] = encap?.flags ?? num(cur['encap_flags']) ?? 0;
      d['encap_sport'] = encap?.sport ?? num(cur['encap_sport']) ?? 0;
      d['encap_dport'] = encap?.dport ?? num(cur['encap_dport']) ?? 0;
      if (sit) d['flags'] = isatap === undefined ? (num(cur['flags']) ?? 0) : (isatap ? SIT_ISATAP : 0) | ((num(cur['flags']) ?? 0) & ~SIT_ISATAP);
      return d;
    };
  },
  info(data, kind) {
    const d = data ?? {};
    const proto = num(d['proto']);
    const mode = proto === undefined ? undefined : (Object.entries(PROTOS).find(([, n]) => n === proto)?.[0] as IptunInfo['mode']) ?? proto;
    const link = num(d['link']);
    const remote = str(d['remote']);
    const local = str(d['local']);
    const flags = num(d['flags']);
    return {
      kind: kind === 'sit' ? 'sit' : 'ipip',
      mode,
      remote: isZeroIp(remote) ? undefined : remote,
      local: isZeroIp(local) ? undefined : local,
      devIndex: link === 0 ? undefined : link,
      dev: undefined,
      ttl: num(d['ttl']),
      tos: num(d['tos']),
      pmtudisc: bool(d['pmtudisc']),
      fwmark: num(d['fwmark']),
      isatap: flags === undefined ? undefined : (flags & SIT_ISATAP) !== 0,
      external: d['collect_metadata'] !== undefined,
      encap: encapInfo(d['encap_type'], d['encap_flags'], d['encap_sport'], d['encap_dport']),
    };
  },
  resolve(info, nameOf) {
    if (info.devIndex !== undefined) info.dev = nameOf(info.devIndex);
  },
};
