/**
 * gre and gretap: GRE tunnels over IPv4 (gretap carries Ethernet), IFLA_INFO_DATA = IFLA_GRE_*.
 *
 * As iproute2 (ip/link_gre.c) sends a creation: IKEY, OKEY, IFLAGS, OFLAGS, LOCAL, REMOTE,
 * PMTUDISC, LINK (only with `dev`), TTL, TOS, FWMARK — or COLLECT_METADATA with `external` —
 * then ENCAP_TYPE, ENCAP_FLAGS, ENCAP_SPORT, ENCAP_DPORT, and IGNORE_DF when given. Keys and the
 * flag words are big-endian on the wire (GRE_KEY = 0x2000, GRE_SEQ = 0x1000, GRE_CSUM = 0x8000).
 * A multicast `remote` makes the keys default to it and needs `local`, as in iproute2.
 *
 * @example
 * ```ts
 * // ip link add gre1 type gre local 10.123.0.1 remote 10.123.0.2 key 42 ttl 64
 * await nl.link.add({ name: 'gre1', type: 'gre', local: '10.123.0.1', remote: '10.123.0.2', key: 42, ttl: 64 });
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
  ipv4Number,
  isMulticastIp,
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
import { parseAddress } from '../validate.js';

/** Kind options of gre and gretap. */
export interface GreOptions {
  /** `remote ADDR` (IPv4; 'any'). Default: any. */
  remote?: string;
  /** `local ADDR` (IPv4; 'any'). Default: any. */
  local?: string;
  /** `dev DEV`. Default: none. */
  dev?: string | number;
  /** `key KEY`: both keys (a number or a dotted quad). */
  key?: number | string;
  /** `ikey KEY`. */
  ikey?: number | string;
  /** `okey KEY`. */
  okey?: number | string;
  /** `seq`: sequence numbers both ways. */
  seq?: boolean;
  /** `iseq`. */
  iseq?: boolean;
  /** `oseq`. */
  oseq?: boolean;
  /** `csum`: checksums both ways. */
  csum?: boolean;
  /** `icsum`. */
  icsum?: boolean;
  /** `ocsum`. */
  ocsum?: boolean;
  /** `ttl 0..255|inherit`. Default: inherit (0). */
  ttl?: number | 'inherit';
  /** `tos 0..255|inherit`. Default: 0. */
  tos?: number | 'inherit';
  /** `[no]pmtudisc`. Default: true. */
  pmtudisc?: boolean;
  /** `[no]ignore-df`. Default: not sent. */
  ignoreDf?: boolean;
  /** `fwmark MARK`. Default: 0. */
  fwmark?: number;
  /** `external`. Default: false. */
  external?: boolean;
  /** `encap ...`. Default: none. */
  encap?: EncapOptions;
}

/** `info` of a gre or gretap link. */
export interface GreInfo {
  kind: 'gre' | 'gretap';
  remote: string | undefined;
  local: string | undefined;
  devIndex: number | undefined;
  dev: string | undefined;
  /** Keys as numbers, present when the KEY flag is set. */
  ikey: number | undefined;
  okey: number | undefined;
  iseq: boolean;
  oseq: boolean;
  icsum: boolean;
  ocsum: boolean;
  ttl: number | undefined;
  tos: number | undefined;
  pmtudisc: boolean | undefined;
  ignoreDf: boolean | undefined;
  fwmark: number | undefined;
  external: boolean;
  encap: EncapInfo | undefined;
}

/** GRE flag bits (host value of the be16 words). */
const GRE_CSUM = 0x8000;
const GRE_KEY = 0x2000;
const GRE_SEQ = 0x1000;

function optKey(o: Readonly<Record<string, unknown>>, key: string): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v === 'string' && v.includes('.')) return ipv4Number(parseAddress(v, key, AF_INET).address);
  if (typeof v === 'string' && /^\d+$/.test(v)) return optInt({ [key]: Number(v) }, key, 0, 0xffffffff);
  return optInt(o, key, 0, 0xffffffff);
}

/**
 * The gre and gretap kinds.
 *
 * @example
 * ```ts
 * // ip link add gre1 type gre remote 10.123.0.2 key 42
 * await gre.prepare({ remote: '10.123.0.2', key: 42 }, 'gre', 'add')?.(ctx); // { ikey: 42, okey: 42, iflags: 0x2000, ... }
 * ```
 */
export const gre: KindDef<GreInfo> = {
  kinds: ['gre', 'gretap'],
  options: ['remote', 'local', 'dev', 'key', 'ikey', 'okey', 'seq', 'iseq', 'oseq', 'csum', 'icsum', 'ocsum', 'ttl', 'tos', 'pmtudisc', 'ignoreDf', 'fwmark', 'external', 'encap'],
  prepare(o, _kind, mode) {
    const remote = optIp(o, 'remote', AF_INET);
    const local = optIp(o, 'local', AF_INET);
    const dev = optDev(o, 'dev');
    const key = optKey(o, 'key');
    const ikeyOpt = optKey(o, 'ikey') ?? key;
    const okeyOpt = optKey(o, 'okey') ?? key;
    const seq = optBool(o, 'seq');
    const csum = optBool(o, 'csum');
    const iseq = optBool(o, 'iseq') ?? seq;
    const oseq = optBool(o, 'oseq') ?? seq;
    const icsum = optBool(o, 'icsum') ?? csum;
    const ocsum = optBool(o, 'ocsum') ?? csum;
    const ttlOpt = optTtl(o);
    const ttl = ttlOpt === 'inherit' ? 0 : ttlOpt;
    const tos = optTos(o);
    const pmtudisc = optBool(o, 'pmtudisc');
    const ignoreDf = optBool(o, 'ignoreDf');
    const fwmark = optInt(o, 'fwmark', 0, 0xffffffff);
    const external = optBool(o, 'external');
    const encap = o['encap'] === undefined ? undefined : optEncap(o);
    const multicast = remote !== undefined && isMulticastIp(remote.address);
    if (multicast && (local === undefined || isZeroIp(local.address))) throw new ArgumentError('local', o['local'], 'a broadcast (multicast remote) tunnel requires a local address');
    return async (ctx) => {
      const cur = mode === 'set' ? ((await ctx.current()) ?? {}) : {};
      const curIflags = num(cur['iflags']) ?? 0;
      const curOflags = num(cur['oflags']) ?? 0;
      const bits = (cur0: number, k: boolean | undefined, s: boolean | undefined, c: boolean | undefined) => {
        let f = cur0;
        if (k !== undefined) f = k ? f | GRE_KEY : f & ~GRE_KEY;
        if (s !== undefined) f = s ? f | GRE_SEQ : f & ~GRE_SEQ;
        if (c !== undefined) f = c ? f | GRE_CSUM : f & ~GRE_CSUM;
        return f;
      };
      let iflags = bits(curIflags, ikeyOpt === undefined ? undefined : true, iseq, icsum);
      let oflags = bits(curOflags, okeyOpt === undefined ? undefined : true, oseq, ocsum);
      let ikey = ikeyOpt ?? num(cur['ikey']) ?? 0;
      let okey = okeyOpt ?? num(cur['okey']) ?? 0;
      const daddr = remote?.address ?? str(cur['remote']) ?? '0.0.0.0';
      if (!ikey && isMulticastIp(daddr)) {
        ikey = ipv4Number(daddr);
        iflags |= GRE_KEY;
      }
      if (!okey && isMulticastIp(daddr)) {
        okey = ipv4Number(daddr);
        oflags |= GRE_KEY;
      }
      const d: Attrs = {};
      if (!(external ?? cur['collect_metadata'] !== undefined)) {
        const pmtu = pmtudisc ?? (cur['pmtudisc'] === undefined ? true : cur['pmtudisc'] !== 0);
        d['ikey'] = ikey;
        d['okey'] = okey;
        d['iflags'] = iflags;
        d['oflags'] = oflags;
        d['local'] = local?.address ?? str(cur['local']) ?? '0.0.0.0';
        d['remote'] = daddr;
        d['pmtudisc'] = pmtu ? 1 : 0;
        const link = dev === undefined ? (num(cur['link']) ?? 0) : await ctx.ifindex(dev, 'dev');
        if (link) d['link'] = link;
        d['ttl'] = ttl ?? num(cur['ttl']) ?? 0;
        d['tos'] = tos ?? num(cur['tos']) ?? 0;
        d['fwmark'] = fwmark ?? num(cur['fwmark']) ?? 0;
      } else {
        d['collect_metadata'] = true;
      }
      d['encap_type'] = encap?.type ?? num(cur['encap_type']) ?? 0;
      d['encap_flags'] = encap?.flags ?? num(cur['encap_flags']) ?? 0;
      d['encap_sport'] = encap?.sport ?? num(cur['encap_sport']) ?? 0;
      d['encap_dport'] = encap?.dport ?? num(cur['encap_dport']) ?? 0;
      if (ignoreDf !== undefined) d['ignore_df'] = ignoreDf ? 1 : 0;
      return d;
    };
  },
  info(data, kind) {
    const d = data ?? {};
    const iflags = num(d['iflags']) ?? 0;
    const oflags = num(d['oflags']) ?? 0;
    const link = num(d['link']);
    const remote = str(d['remote']);
    const local = str(d['local']);
    return {
      kind: kind === 'gretap' ? 'gretap' : 'gre',
      remote: isZeroIp(remote) ? undefined : remote,
      local: isZeroIp(local) ? undefined : local,
      devIndex: link === 0 ? undefined : link,
      dev: undefined,
      ikey: iflags & GRE_KEY ? num(d['ikey']) : undefined,
      okey: oflags & GRE_KEY ? num(d['okey']) : undefined,
      iseq: (iflags & GRE_SEQ) !== 0,
      oseq: (oflags & GRE_SEQ) !== 0,
      icsum: (iflags & GRE_CSUM) !== 0,
      ocsum: (oflags & GRE_CSUM) !== 0,
      ttl: num(d['ttl']),
      tos: num(d['tos']),
      pmtudisc: bool(d['pmtudisc']),
      ignoreDf: bool(d['ignore_df']),
      fwmark: num(d['fwmark']),
      external: d['collect_metadata'] !== undefined,
      encap: encapInfo(d['encap_type'], d['encap_flags'], d['encap_sport'], d['encap_dport']),
    };
  },
  resolve(info, nameOf) {
    if (info.devIndex !== undefined) info.dev = nameOf(info.devIndex);
  },
};
