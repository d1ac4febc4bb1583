/**
 * dummy: a device that drops everything it is given (`ip link add dummy0 type dummy`). It has no
 * options and no IFLA_INFO_DATA in either direction.
 *
 * @example
 * ```ts
 * // ip link add dummy0 type dummy
 * await nl.link.add({ name: 'dummy0', type: 'dummy' });
 * ```
 * @module
 */
import type { KindDef } from './common.js';

/** `info` of a dummy link. */
export interface DummyInfo {
  kind: 'dummy';
}

/**
 * The dummy kind (no options).
 *
 * @example
 * ```ts
 * // ip link add dummy0 type dummy
 * dummy.prepare({}, 'dummy', 'add'); // undefined: no IFLA_INFO_DATA
 * ```
 */
export const dummy: KindDef<DummyInfo> = {
  kinds: ['dummy'],
  options: [],
  prepare: () => undefined,
  info: () => ({ kind: 'dummy' }),
};
