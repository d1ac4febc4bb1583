/**
 * The netfilter family compiled for the codec engine, and the numbers of the nf_tables ABI the
 * API needs (message types, families, hooks, verdicts, registers). Numbers are plain `as const`
 * objects so transpile-only loaders see them.
 *
 * @example
 * ```ts
 * import { netfilterProtocol, NFT_MSG } from 'nlkit/nftables';
 * netfilterProtocol.message(NFT_MSG.NEWTABLE)?.name; // 'NFT_MSG_NEWTABLE'
 * ```
 * @module
 */
import { Protocol } from '../netlink/codec.js';
import { netfilterProtocolDef } from './gen/index.js';

/**
 * The netfilter family (nfnetlink + nf_tables), compiled lazily.
 *
 * @example
 * ```ts
 * const msgs = decodeDatagram(netfilterProtocol, bytes);
 * ```
 */
export const netfilterProtocol: Protocol = /* @__PURE__ */ new Protocol(netfilterProtocolDef);

/**
 * NFNL_SUBSYS_NFTABLES: the high byte of every nf_tables message type.
 *
 * @example
 * ```ts
 * (NFNL_SUBSYS_NFTABLES << 8) | 6; // NFT_MSG_NEWRULE
 * ```
 */
export const NFNL_SUBSYS_NFTABLES = 10;

/**
 * nfnetlink batch message types (below the subsystems' ranges).
 *
 * @example
 * ```ts
 * NFNL_MSG.BATCH_BEGIN; // 16
 * ```
 */
export const NFNL_MSG = { BATCH_BEGIN: 16, BATCH_END: 17 } as const;

/**
 * nf_tables message types, already combined with the subsystem: `(10 << 8) | NFT_MSG_*`.
 *
 * @example
 * ```ts
 * NFT_MSG.NEWRULE; // 0x0a06
 * ```
 */
export const NFT_MSG = {
  NEWTABLE: 0x0a00,
  GETTABLE: 0x0a01,
  DELTABLE: 0x0a02,
  NEWCHAIN: 0x0a03,
  GETCHAIN: 0x0a04,
  DELCHAIN: 0x0a05,
  NEWRULE: 0x0a06,
  GETRULE: 0x0a07,
  DELRULE: 0x0a08,
  NEWSET: 0x0a09,
  GETSET: 0x0a0a,
  DELSET: 0x0a0b,
  NEWSETELEM: 0x0a0c,
  GETSETELEM: 0x0a0d,
  DELSETELEM: 0x0a0e,
  NEWGEN: 0x0a0f,
  GETGEN: 0x0a10,
  TRACE: 0x0a11,
  NEWOBJ: 0x0a12,
  GETOBJ: 0x0a13,
  DELOBJ: 0x0a14,
  GETOBJ_RESET: 0x0a15,
  NEWFLOWTABLE: 0x0a16,
  GETFLOWTABLE: 0x0a17,
  DELFLOWTABLE: 0x0a18,
} as const;

/**
 * Multicast groups of NETLINK_NETFILTER (enum nfnetlink_groups).
 *
 * @example
 * ```ts
 * client.subscribe([NFNLGRP.NFTABLES]);
 * ```
 */
export const NFNLGRP = { NFTABLES: 7, NFTRACE: 9 } as const;

/**
 * Table families, as nft names them, and their NFPROTO_* numbers.
 *
 * @example
 * ```ts
 * FAMILIES.inet; // 1 (NFPROTO_INET)
 * ```
 */
export const FAMILIES = { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 } as const;

/**
 * A table family name.
 *
 * @example
 * ```ts
 * const f: Family = 'inet';
 * ```
 */
export type Family = keyof typeof FAMILIES;

/**
 * The NFPROTO_* number of a family name.
 *
 * @example
 * ```ts
 * familyNumber('ip6'); // 10
 * ```
 */
export function familyNumber(f: Family): number {
  return FAMILIES[f];
}

/**
 * The family name of an NFPROTO_* number (or the number as text when unknown).
 *
 * @example
 * ```ts
 * familyName(2); // 'ip'
 * ```
 */
export function familyName(n: number): Family | `${number}` {
  for (const [k, v] of Object.entries(FAMILIES)) if (v === n) return k as Family;
  return `${n}`;
}

/**
 * Netfilter hooks by nft's names (NF_INET_* numbers; `ingress` is NF_NETDEV_INGRESS = 0 in netdev tables).
 *
 * @example
 * ```ts
 * HOOKS.forward; // 2
 * ```
 */
export const HOOKS = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4, ingress: 5 } as const;

/**
 * A hook name.
 *
 * @example
 * ```ts
 * const h: Hook = 'postrouting';
 * ```
 */
export type Hook = keyof typeof HOOKS | 'egress';

/**
 * Verdict codes (NF_* and NFT_* of enum nft_verdicts), as the signed numbers the kernel uses.
 *
 * @example
 * ```ts
 * VERDICT.jump; // -3
 * ```
 */
export const VERDICT = { drop: 0, accept: 1, queue: 3, continue: -1, break: -2, jump: -3, goto: -4, return: -5 } as const;

/**
 * NFT_REG_VERDICT and the first 16-byte data registers.
 *
 * @example
 * ```ts
 * NFT_REG.R1; // 1
 * ```
 */
export const NFT_REG = { VERDICT: 0, R1: 1, R2: 2, R3: 3, R4: 4 } as const;

/**
 * NFT_DATA_VERDICT: the data type of a verdict map.
 *
 * @example
 * ```ts
 * newSet({ ..., map: 'verdict' }); // NFTA_SET_DATA_TYPE = NFT_DATA_VERDICT
 * ```
 */
export const NFT_DATA_VERDICT = 0xffffff00;

/**
 * A be32 attribute value read as the signed 32-bit number it carries (priorities, verdict codes).
 *
 * @example
 * ```ts
 * s32(0xffffff9c); // -100
 * ```
 */
export function s32(v: unknown): number {
  return typeof v === 'number' ? v | 0 : 0;
}

/**
 * A signed 32-bit number as the unsigned value a be32 attribute takes.
 *
 * @example
 * ```ts
 * u32(-100); // 0xffffff9c
 * ```
 */
export function u32(v: number): number {
  return v >>> 0;
}
