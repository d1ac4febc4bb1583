/**
 * tun and tap devices (kind "tun" for both), read only here: the kernel refuses RTM_NEWLINK for
 * them, they are made through /dev/net/tun (`ip tuntap add`, `nl.tuntap.add`). Their
 * IFLA_INFO_DATA (IFLA_TUN_*) becomes the typed `info`.
 *
 * @example
 * ```ts
 * // ip -d link show tap0
 * (await nl.link.get('tap0')).info; // { kind: 'tun', type: 'tap', persist: true, multiQueue: false, ... }
 * ```
 * @module
 */
import { bool, type KindDef, num } from './common.js';

/** `info` of a tun/tap device. */
export interface TunInfo {
  kind: 'tun';
  /** IFF_TUN or IFF_TAP. */
  type: 'tun' | 'tap' | number | undefined;
  /** Owner uid / group gid, when set. */
  owner: number | undefined;
  group: number | undefined;
  /** Packet information header (no IFF_NO_PI). */
  pi: boolean | undefined;
  vnetHdr: boolean | undefined;
  persist: boolean | undefined;
  multiQueue: boolean | undefined;
  numQueues: number | undefined;
  numDisabledQueues: number | undefined;
}

/**
 * The tun kind (dump only).
 *
 * @example
 * ```ts
 * // ip -d link show tap0
 * tun.info({ type: 2, persist: 1 }, 'tun'); // { kind: 'tun', type: 'tap', persist: true, ... }
 * ```
 */
export const tun: KindDef<TunInfo> = {
  kinds: ['tun'],
  options: [],
  notCreatable: 'tun/tap devices are created through /dev/net/tun, not RTM_NEWLINK: use nl.tuntap.add (ip tuntap add)',
  prepare: () => undefined,
  info(data) {
    const d = data ?? {};
    const t = num(d['type']);
    return {
      kind: 'tun',
      type: t === undefined ? undefined : t === 1 ? 'tun' : t === 2 ? 'tap' : t,
      owner: num(d['owner']),
      group: num(d['group']),
      pi: bool(d['pi']),
      vnetHdr: bool(d['vnet_hdr']),
      persist: bool(d['persist']),
      multiQueue: bool(d['multi_queue']),
      numQueues: num(d['num_queues']),
      numDisabledQueues: num(d['num_disabled_queues']),
    };
  },
};
