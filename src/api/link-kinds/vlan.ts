/**
 * vlan: an 802.1Q / 802.1ad VLAN device on top of a parent (`ip link add link eth0 name eth0.10
 * type vlan id 10`), IFLA_INFO_DATA = IFLA_VLAN_*. The parent is the common option `link`
 * (IFLA_LINK), required; `id` is required on creation. IFLA_VLAN_ID is host order, the protocol
 * big-endian (0x8100 / 0x88a8), the flags a struct { flags, mask } sent only when a flag is given.
 *
 * @example
 * ```ts
 * // ip link add link veth0 name veth0.10 type vlan id 10 protocol 802.1ad
 * await nl.link.add({ name: 'veth0.10', type: 'vlan', link: 'veth0', id: 10, protocol: '802.1ad' });
 * ```
 * @module
 */
import { ArgumentError } from '../../netlink/errors.js';
import { type Attrs, enumName, type KindDef, num, optBool, optEnum, optInt } from './common.js';

/** One QoS mapping (`FROM:TO`): skb priority ↔ 802.1p priority. */
export interface VlanQosMapping {
  from: number;
  to: number;
}

/** Kind options of vlan (the parent is the common option `link`). */
export interface VlanOptions {
  /** `id VLANID`, 0..4094. Required on creation. */
  id?: number;
  /** `protocol 802.1Q|802.1ad`. Default: 802.1Q. */
  protocol?: '802.1Q' | '802.1ad';
  /** `reorder_hdr on|off`. Default: on. */
  reorderHdr?: boolean;
  /** `gvrp on|off`. Default: off. */
  gvrp?: boolean;
  /** `mvrp on|off`. Default: off. */
  mvrp?: boolean;
  /** `loose_binding on|off`. Default: off. */
  looseBinding?: boolean;
  /** `bridge_binding on|off`. Default: off. */
  bridgeBinding?: boolean;
  /** `ingress-qos-map FROM:TO ...`. */
  ingressQos?: readonly VlanQosMapping[];
  /** `egress-qos-map FROM:TO ...`. */
  egressQos?: readonly VlanQosMapping[];
}

/** `info` of a vlan link. */
export interface VlanInfo {
  kind: 'vlan';
  id: number | undefined;
  protocol: '802.1Q' | '802.1ad' | number | undefined;
  reorderHdr: boolean | undefined;
  gvrp: boolean | undefined;
  mvrp: boolean | undefined;
  looseBinding: boolean | undefined;
  bridgeBinding: boolean | undefined;
  ingressQos: VlanQosMapping[] | undefined;
  egressQos: VlanQosMapping[] | undefined;
}

const PROTOCOLS: Readonly<Record<string, number>> = { '802.1Q': 0x8100, '802.1ad': 0x88a8 };
/** enum vlan_flags. */
const FLAGS = [
  ['reorderHdr', 1],
  ['gvrp', 2],
  ['looseBinding', 4],
  ['mvrp', 8],
  ['bridgeBinding', 16],
] as const;

function qos(o: Readonly<Record<string, unknown>>, key: string): VlanQosMapping[] | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new ArgumentError(key, v, 'expected an array of { from, to }');
  return v.map((m: unknown, i) => {
    if (m === null || typeof m !== 'object') throw new ArgumentError(`${key}[${i}]`, m, 'expected { from, to }');
    const r = m as Record<string, unknown>;
    return { from: optInt(r, 'from', 0, 0xffffffff) ?? 0, to: optInt(r, 'to', 0, 0xffffffff) ?? 0 };
  });
}

function qosInfo(v: unknown): VlanQosMapping[] | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const list = (v as { mapping?: unknown }).mapping;
  if (!Array.isArray(list)) return [];
  return list.map((m: { from?: number; to?: number }) => ({ from: m.from ?? 0, to: m.to ?? 0 }));
}

/**
 * The vlan kind.
 *
 * @example
 * ```ts
 * // ip link add link veth0 name veth0.10 type vlan id 10
 * await vlan.prepare({ id: 10 }, 'vlan', 'add')?.(ctx); // { id: 10 }
 * ```
 */
export const vlan: KindDef<VlanInfo> = {
  kinds: ['vlan'],
  options: ['id', 'protocol', 'reorderHdr', 'gvrp', 'mvrp', 'looseBinding', 'bridgeBinding', 'ingressQos', 'egressQos'],
  requires: ['link'],
  prepare(o, _kind, mode) {
    const id = optInt(o, 'id', 0, 4094);
    if (mode === 'add' && id === undefined) throw new ArgumentError('id', undefined, 'a vlan needs its VLAN id (0..4094)');
    const protocol = optEnum(o, 'protocol', PROTOCOLS);
    let flags = 0;
    let mask = 0;
    for (const [key, bit] of FLAGS) {
      const b = optBool(o, key);
      if (b === undefined) continue;
      mask |= bit;
      if (b) flags |= bit;
    }
    const ingress = qos(o, 'ingressQos');
    const egress = qos(o, 'egressQos');
    // iproute2 (iplink_vlan.c): protocol and id as given, the QoS maps, and the flags last.
    const d: Attrs = {};
    if (protocol !== undefined) d['protocol'] = protocol;
    if (id !== undefined) d['id'] = id;
    if (ingress) d['ingress_qos'] = { mapping: ingress };
    if (egress) d['egress_qos'] = { mapping: egress };
    if (mask) d['flags'] = { flags, mask };
    if (Object.keys(d).length === 0) return undefined;
    return async () => d;
  },
  info(data) {
    const d = data ?? {};
    const p = num(d['protocol']);
    const f = (d['flags'] as { flags?: number } | undefined)?.flags;
    const bit = (b: number) => (f === undefined ? undefined : (f & b) !== 0);
    return {
      kind: 'vlan',
      id: num(d['id']),
      protocol: p === undefined ? undefined : ((enumName(PROTOCOLS, p) as '802.1Q' | '802.1ad' | undefined) ?? p),
      reorderHdr: bit(1),
      gvrp: bit(2),
      looseBinding: bit(4),
      mvrp: bit(8),
      bridgeBinding: bit(16),
      ingressQos: qosInfo(d['ingress_qos']),
      egressQos: qosInfo(d['egress_qos']),
    };
  },
};
