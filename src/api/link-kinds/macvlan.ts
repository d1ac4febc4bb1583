/**
 * macvlan and macvtap: virtual interfaces with their own MAC on top of a parent device
 * (`ip link add NAME link PARENT type macvlan|macvtap mode MODE`), IFLA_INFO_DATA =
 * IFLA_MACVLAN_*. The parent is the common option `link` (IFLA_LINK), required. Without `mode`
 * nothing is sent and the kernel uses vepa.
 *
 * @example
 * ```ts
 * // ip link add mv0 link veth0 type macvlan mode bridge
 * await nl.link.add({ name: 'mv0', type: 'macvlan', link: 'veth0', mode: 'bridge' });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import { type Attrs, enumName, type KindDef, num, optBool, optEnum, optInt } from './common.js';

/** MACVLAN_MODE_*. */
export const MACVLAN_MODES: Readonly<Record<'private' | 'vepa' | 'bridge' | 'passthru' | 'source', number>> = {
  private: 1,
  vepa: 2,
  bridge: 4,
  passthru: 8,
  source: 16,
};

/** A macvlan/macvtap mode. */
export type MacvlanMode = keyof typeof MACVLAN_MODES;

/** Kind options of macvlan and macvtap (the parent is the common option `link`). */
export interface MacvlanOptions {
  /** `mode private|vepa|bridge|passthru|source`. Default: the kernel's (vepa). */
  mode?: MacvlanMode;
  /** `passthru nopromisc`: do not put the parent in promiscuous mode. Default: false. */
  nopromisc?: boolean;
  /** `source nodst`: do not deliver to other macvlans by destination MAC. Default: false. */
  nodst?: boolean;
  /** `bcqueuelen N`: length of the broadcast queue. Default: 1000. */
  bcQueueLen?: number;
}

/** `info` of a macvlan or macvtap link. */
export interface MacvlanInfo {
  kind: 'macvlan' | 'macvtap';
  mode: MacvlanMode | number | undefined;
  nopromisc: boolean | undefined;
  nodst: boolean | undefined;
  bcQueueLen: number | undefined;
  bcQueueLenUsed: number | undefined;
  /** Source MACs allowed in source mode, and their count. */
  sourceMacs: string[] | undefined;
  macaddrCount: number | undefined;
}

const MACVLAN_FLAG_NOPROMISC = 1;
const MACVLAN_FLAG_NODST = 2;

/**
 * The macvlan and macvtap kinds.
 *
 * @example
 * ```ts
 * // ip link add mv0 link veth0 type macvlan mode bridge
 * await macvlan.prepare({ mode: 'bridge' }, 'macvlan', 'add')?.(ctx); // { mode: 4 }
 * ```
 */
export const macvlan: KindDef<MacvlanInfo> = {
  kinds: ['macvlan', 'macvtap'],
  options: ['mode', 'nopromisc', 'nodst', 'bcQueueLen'],
  requires: ['link'],
  prepare(o) {
    const mode = optEnum(o, 'mode', MACVLAN_MODES);
    const nopromisc = optBool(o, 'nopromisc');
    const nodst = optBool(o, 'nodst');
    if (nopromisc && mode !== MACVLAN_MODES.passthru) throw new ArgumentError('nopromisc', true, 'applies to mode passthru only');
    if (nodst && mode !== MACVLAN_MODES.source) throw new ArgumentError('nodst', true, 'applies to mode source only');
    const bc = optInt(o, 'bcQueueLen', 0, 0xffffffff);
    const d: Attrs = {};
    if (mode !== undefined) d['mode'] = mode;
    if (nopromisc !== undefined || nodst !== undefined) d['flags'] = (nopromisc ? MACVLAN_FLAG_NOPROMISC : 0) | (nodst ? MACVLAN_FLAG_NODST : 0);
    if (bc !== undefined) d['bc_queue_len'] = bc;
    if (Object.keys(d).length === 0) return undefined;
    return async () => d;
  },
  info(data, kind) {
    const d = data ?? {};
    const mode = num(d['mode']);
    const flags = num(d['flags']);
    const macs = (d['macaddr_data'] as { macaddr?: unknown } | undefined)?.macaddr;
    return {
      kind: kind === 'macvtap' ? 'macvtap' : 'macvlan',
      mode: mode === undefined ? undefined : ((enumName(MACVLAN_MODES, mode) as MacvlanMode | undefined) ?? mode),
      nopromisc: flags === undefined ? undefined : (flags & MACVLAN_FLAG_NOPROMISC) !== 0,
      nodst: flags === undefined ? undefined : (flags & MACVLAN_FLAG_NODST) !== 0,
      bcQueueLen: num(d['bc_queue_len']),
      bcQueueLenUsed: num(d['bc_queue_len_used']),
      sourceMacs: Array.isArray(macs) ? macs.filter((m): m is string => typeof m === 'string') : undefined,
      macaddrCount: num(d['macaddr_count']),
    };
  },
};
