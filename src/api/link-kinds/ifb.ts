/**
 * ifb: an Intermediate Functional Block device, for shaping ingress traffic redirected to it
 * (`ip link add ifb0 type ifb`). No options, no IFLA_INFO_DATA in either direction.
 *
 * @example
 * ```ts
 * // ip link add ifb0 type ifb
 * await nl.link.add({ name: 'ifb0', type: 'ifb' });
 * ```
 * @module
 */
import type { KindDef } from './common.js';

/** `info` of an ifb link. */
export interface IfbInfo {
  kind: 'ifb';
}

/**
 * The ifb kind (no options).
 *
 * @example
 * ```ts
 * // ip link add ifb0 type ifb
 * ifb.prepare({}, 'ifb', 'add'); // undefined: no IFLA_INFO_DATA
 * ```
 */
export const ifb: KindDef<IfbInfo> = {
  kinds: ['ifb'],
  options: [],
  prepare: () => undefined,
  info: () => ({ kind: 'ifb' }),
};
