/**
 * vrf: an L3 master device bound to a routing table (`ip link add vrf-blue type vrf table 10`),
 * IFLA_INFO_DATA = IFLA_VRF_TABLE (required); its ports carry slave kind "vrf" with their table.
 *
 * @example
 * ```ts
 * // ip link add vrf-blue type vrf table 10
 * await nl.link.add({ name: 'vrf-blue', type: 'vrf', table: 10 });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import { type Attrs, type KindDef, num, optInt } from './common.js';

/** Kind options of vrf. */
export interface VrfOptions {
  /** `table TABLE`: the routing table, 1..4294967295. Required on creation. */
  table?: number;
}

/** `info` of a vrf. */
export interface VrfInfo {
  kind: 'vrf';
  table: number | undefined;
}

/** `slaveInfo` of a vrf port. */
export interface VrfPortInfo {
  kind: 'vrf';
  table: number | undefined;
}

/**
 * The vrf kind.
 *
 * @example
 * ```ts
 * // ip link add vrf-blue type vrf table 10
 * await vrf.prepare({ table: 10 }, 'vrf', 'add')?.(ctx); // { table: 10 }
 * ```
 */
export const vrf: KindDef<VrfInfo> = {
  kinds: ['vrf'],
  options: ['table'],
  prepare(o, _kind, mode) {
    const table = optInt(o, 'table', 1, 0xffffffff);
    if (table === undefined) {
      if (mode === 'add') throw new ArgumentError('table', undefined, 'a vrf needs its routing table');
      return undefined;
    }
    return async () => ({ table });
  },
  info: (data) => ({ kind: 'vrf', table: num(data?.['table']) }),
};

/**
 * The typed view of a vrf port's IFLA_INFO_SLAVE_DATA (`ip -d link show dev eth0`: vrf_slave table 10).
 *
 * @example
 * ```ts
 * vrfPortInfo({ table: 10 }); // { kind: 'vrf', table: 10 }
 * ```
 */
export function vrfPortInfo(data: Attrs | undefined): VrfPortInfo {
  return { kind: 'vrf', table: num(data?.['table']) };
}
