/**
 * The link kinds nlkit knows: which module builds and reads the IFLA_INFO_DATA of each
 * IFLA_INFO_KIND, and the typed views of IFLA_INFO_SLAVE_DATA (bridge, bond and vrf ports).
 *
 * @example
 * ```ts
 * kindDef('macvtap')?.kinds; // ['macvlan', 'macvtap']
 * KNOWN_KINDS;               // ['bond', 'bridge', 'dummy', 'geneve', 'gre', 'gretap', 'ifb', 'ipip', ...]
 * ```
 * @module
 */
import type { Attrs, KindDef } from './common.js';
import { bond, bondPortInfo, type BondInfo, type BondPortInfo } from './bond.js';
import { bridge, bridgePortInfo, type BridgeInfo, type BridgePortInfo } from './bridge.js';
import { dummy, type DummyInfo } from './dummy.js';
import { geneve, type GeneveInfo } from './geneve.js';
import { gre, type GreInfo } from './gre.js';
import { ifb, type IfbInfo } from './ifb.js';
import { iptun, type IptunInfo } from './iptun.js';
import { macvlan, type MacvlanInfo } from './macvlan.js';
import { tun, type TunInfo } from './tun.js';
import { veth, type VethInfo } from './veth.js';
import { vlan, type VlanInfo } from './vlan.js';
import { vrf, vrfPortInfo, type VrfInfo, type VrfPortInfo } from './vrf.js';
import { vxlan, type VxlanInfo } from './vxlan.js';

export type { Attrs, DataBuilder, KindContext, KindDef, KindMode, EncapOptions, EncapInfo } from './common.js';
export type { BondInfo, BondOptions, BondPortInfo } from './bond.js';
export type { BridgeInfo, BridgeOptions, BridgePortInfo } from './bridge.js';
export type { DummyInfo } from './dummy.js';
export type { GeneveInfo, GeneveOptions } from './geneve.js';
export type { GreInfo, GreOptions } from './gre.js';
export type { IfbInfo } from './ifb.js';
export type { IptunInfo, IptunOptions } from './iptun.js';
export type { MacvlanInfo, MacvlanMode, MacvlanOptions } from './macvlan.js';
export type { TunInfo } from './tun.js';
export type { VethInfo, VethOptions, VethPeer } from './veth.js';
export type { VlanInfo, VlanOptions, VlanQosMapping } from './vlan.js';
export type { VrfInfo, VrfOptions, VrfPortInfo } from './vrf.js';
export type { VxlanInfo, VxlanOptions } from './vxlan.js';

/** The typed `info` of a link, by kind (narrow with `info.kind === 'vxlan'`). */
export type LinkInfo =
  | BondInfo
  | BridgeInfo
  | DummyInfo
  | GeneveInfo
  | GreInfo
  | IfbInfo
  | IptunInfo
  | MacvlanInfo
  | TunInfo
  | VethInfo
  | VlanInfo
  | VrfInfo
  | VxlanInfo;

/** The typed `slaveInfo` of a port, by the master's kind. */
export type SlaveInfo = BridgePortInfo | BondPortInfo | VrfPortInfo;

const DEFS: readonly KindDef[] = [bond, bridge, dummy, geneve, gre, ifb, iptun, macvlan, tun, veth, vlan, vrf, vxlan] as readonly KindDef[];

const BY_KIND = new Map<string, KindDef>();
for (const d of DEFS) for (const k of d.kinds) BY_KIND.set(k, d);

/** Every IFLA_INFO_KIND with a module, sorted. */
export const KNOWN_KINDS: readonly string[] = Object.freeze([...BY_KIND.keys()].sort());

/**
 * The module of a kind, or undefined for kinds nlkit does not model.
 *
 * @example
 * ```ts
 * kindDef('vxlan')?.options.includes('dstport'); // true (ip link add ... type vxlan dstport 4789)
 * ```
 */
export function kindDef(kind: string): KindDef | undefined {
  return BY_KIND.get(kind);
}

/**
 * The typed view of IFLA_INFO_SLAVE_DATA for slave kind `slaveKind`, or undefined.
 *
 * @example
 * ```ts
 * slaveInfo('bridge', { state: 3 })?.kind; // 'bridge' (ip -d link show: bridge_slave state forwarding)
 * ```
 */
export function slaveInfo(slaveKind: string, data: Attrs | undefined): SlaveInfo | undefined {
  switch (slaveKind) {
    case 'bridge':
      return bridgePortInfo(data);
    case 'bond':
      return bondPortInfo(data);
    case 'vrf':
      return vrfPortInfo(data);
    default:
      return undefined;
  }
}
