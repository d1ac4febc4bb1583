/**
 * geneve: a GENEVE tunnel (`ip link add gnv0 type geneve id VNI remote ADDR`), IFLA_INFO_DATA =
 * IFLA_GENEVE_*. As iproute2 (ip/iplink_geneve.c) sends a creation: ID, REMOTE/REMOTE6, LABEL,
 * TTL, TOS, then PORT when given (kernel default 6081), COLLECT_METADATA, and the checksum
 * options when given. `id` and `remote` are required unless `external`.
 *
 * @example
 * ```ts
 * // ip link add gnv0 type geneve id 7 remote 10.123.0.2
 * await nl.link.add({ name: 'gnv0', type: 'geneve', id: 7, remote: '10.123.0.2' });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import { AF_INET6, type Attrs, bool, enumName, type KindDef, num, optBool, optEnum, optInt, optIp, optTos, optTtl, str } from './common.js';

/** Kind options of geneve. */
export interface GeneveOptions {
  /** `id VNI`, 0..16777215. Required unless `external`. */
  id?: number;
  /** `remote ADDR` (IPv4 or IPv6, unicast). Required unless `external`. */
  remote?: string;
  /** `ttl 0..255|inherit`. Default: 0 (the route's). */
  ttl?: number | 'inherit';
  /** `tos 0..255|inherit`. Default: 0. */
  tos?: number | 'inherit';
  /** `flowlabel`, 0..0xfffff. Default: 0. */
  label?: number;
  /** `dstport PORT`. Default: the kernel's 6081. */
  dstport?: number;
  /** `df unset|set|inherit`. */
  df?: 'unset' | 'set' | 'inherit';
  /** `external`. Default: false. */
  external?: boolean;
  /** `[no]udpcsum`. */
  udpCsum?: boolean;
  /** `[no]udp6zerocsumtx`. */
  udp6ZeroCsumTx?: boolean;
  /** `[no]udp6zerocsumrx`. */
  udp6ZeroCsumRx?: boolean;
}

/** `info` of a geneve link. */
export interface GeneveInfo {
  kind: 'geneve';
  id: number | undefined;
  remote: string | undefined;
  ttl: number | undefined;
  ttlInherit: boolean | undefined;
  tos: number | undefined;
  label: number | undefined;
  dstport: number | undefined;
  df: 'unset' | 'set' | 'inherit' | number | undefined;
  external: boolean;
  udpCsum: boolean | undefined;
  udp6ZeroCsumTx: boolean | undefined;
  udp6ZeroCsumRx: boolean | undefined;
}

const DF: Readonly<Record<string, number>> = { unset: 0, set: 1, inherit: 2 };

/**
 * The geneve kind.
 *
 * @example
 * ```ts
 * // ip link add gnv0 type geneve id 7 remote 10.123.0.2
 * await geneve.prepare({ id: 7, remote: '10.123.0.2' }, 'geneve', 'add')?.(ctx); // { id: 7, remote: '10.123.0.2', label: 0, ttl: 0, tos: 0 }
 * ```
 */
export const geneve: KindDef<GeneveInfo> = {
  kinds: ['geneve'],
  options: ['id', 'remote', 'ttl', 'tos', 'label', 'dstport', 'df', 'external', 'udpCsum', 'udp6ZeroCsumTx', 'udp6ZeroCsumRx'],
  prepare(o, _kind, mode) {
    const id = optInt(o, 'id', 0, 0xffffff);
    const remote = optIp(o, 'remote');
    const external = optBool(o, 'external') ?? false;
    if (external && id !== undefined) throw new ArgumentError('id', id, 'cannot be given together with external');
    if (!external && id === undefined && mode === 'add') throw new ArgumentError('id', undefined, 'geneve needs a VNI (id), or external: true');
    if (!external && remote === undefined && mode === 'add') throw new ArgumentError('remote', undefined, 'geneve needs the remote address, or external: true');
    const ttlOpt = optTtl(o);
    const tos = optTos(o);
    const label = optInt(o, 'label', 0, 0xfffff);
    const dstport = optInt(o, 'dstport', 0, 65535);
    const df = optEnum(o, 'df', DF);
    const csum = {
      udp_csum: optBool(o, 'udpCsum'),
      udp_zero_csum6_tx: optBool(o, 'udp6ZeroCsumTx'),
      udp_zero_csum6_rx: optBool(o, 'udp6ZeroCsumRx'),
    };
    return async () => {
      const d: Attrs = {};
      if (id !== undefined || mode === 'add') d['id'] = id ?? 0;
      if (remote) d[remote.family === AF_INET6 ? 'remote6' : 'remote'] = remote.address;
      if (mode === 'add' || label !== undefined) d['label'] = label ?? 0;
      if (ttlOpt === 'inherit') d['ttl_inherit'] = 1;
      else if (mode === 'add' || ttlOpt !== undefined) d['ttl'] = ttlOpt ?? 0;
      if (mode === 'add' || tos !== undefined) d['tos'] = tos ?? 0;
      if (dstport) d['port'] = dstport;
      if (external) d['collect_metadata'] = true;
      for (const [k, v] of Object.entries(csum)) if (v !== undefined) d[k] = v ? 1 : 0;
      if (df !== undefined) d['df'] = df;
      return d;
    };
  },
  info(data) {
    const d = data ?? {};
    const df = num(d['df']);
    const r = str(d['remote']) ?? str(d['remote6']);
    return {
      kind: 'geneve',
      id: num(d['id']),
      remote: r === '0.0.0.0' || r === '::' ? undefined : r,
      ttl: num(d['ttl']),
      ttlInherit: bool(d['ttl_inherit']),
      tos: num(d['tos']),
      label: num(d['label']),
      dstport: num(d['port']),
      df: df === undefined ? undefined : ((enumName(DF, df) as GeneveInfo['df']) ?? df),
      external: d['collect_metadata'] !== undefined,
      udpCsum: bool(d['udp_csum']),
      udp6ZeroCsumTx: bool(d['udp_zero_csum6_tx']),
      udp6ZeroCsumRx: bool(d['udp_zero_csum6_rx']),
    };
  },
};
