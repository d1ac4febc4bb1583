/**
 * Builders of raw nf_tables expressions (the `{ name, data }` objects the codec encodes), one per
 * expression type the rule compiler uses. Registers are the 16-byte NFT_REG_1/NFT_REG_2, as nft
 * uses them; values are hex strings of the bytes the kernel compares.
 *
 * @example
 * ```ts
 * [meta('l4proto'), cmp('eq', new Uint8Array([6])), payload('transport', 2, 2), cmp('eq', portBytes(22))];
 * ```
 * @module
 */
import { toHex } from '../netlink/bytes.js';
import { u32 } from './protocol.js';
import type { RawExpr } from './statements.js';

/**
 * NFT_META_* keys the compiler uses.
 *
 * @example
 * ```ts
 * META_KEYS.l4proto; // 16 (NFT_META_L4PROTO)
 * ```
 */
export const META_KEYS = { protocol: 1, iifname: 6, oifname: 7, nfproto: 15, l4proto: 16 } as const;

/**
 * NFT_PAYLOAD_* bases.
 *
 * @example
 * ```ts
 * PAYLOAD_BASES.transport; // 2 (NFT_PAYLOAD_TRANSPORT_HEADER)
 * ```
 */
export const PAYLOAD_BASES = { link: 0, network: 1, transport: 2 } as const;

/**
 * NFT_CMP_* operators.
 *
 * @example
 * ```ts
 * CMP_OPS.neq; // 1 (NFT_CMP_NEQ)
 * ```
 */
export const CMP_OPS = { eq: 0, neq: 1, lt: 2, lte: 3, gt: 4, gte: 5 } as const;

/**
 * `meta load KEY => reg 1`.
 *
 * @example
 * ```ts
 * meta('iifname'); // { name: 'meta', data: { key: 6, dreg: 1 } }
 * ```
 */
export function meta(key: keyof typeof META_KEYS, dreg = 1): RawExpr {
  return { name: 'meta', data: { key: META_KEYS[key], dreg } };
}

/**
 * `payload load LEN b @ BASE header + OFFSET => reg 1`.
 *
 * @example
 * ```ts
 * payload('network', 12, 4); // ip saddr into reg 1
 * ```
 */
export function payload(base: keyof typeof PAYLOAD_BASES, offset: number, len: number, dreg = 1): RawExpr {
  return { name: 'payload', data: { dreg, base: PAYLOAD_BASES[base], offset, len } };
}

/**
 * `ct load KEY => reg 1` (0 = state).
 *
 * @example
 * ```ts
 * ct(0); // ct state into reg 1
 * ```
 */
export function ct(key: number, dreg = 1): RawExpr {
  return { name: 'ct', data: { key, dreg } };
}

/**
 * `cmp OP reg 1 VALUE`.
 *
 * @example
 * ```ts
 * cmp('eq', new Uint8Array([6])); // == tcp
 * ```
 */
export function cmp(op: keyof typeof CMP_OPS, value: Uint8Array, sreg = 1): RawExpr {
  return { name: 'cmp', data: { sreg, op: CMP_OPS[op], data: { value: toHex(value) } } };
}

/**
 * `bitwise reg 1 = (reg 1 & MASK) ^ XOR` over `mask.length` bytes.
 *
 * @example
 * ```ts
 * bitwise(prefixMask(20, 4)); // keep the first 20 bits
 * ```
 */
export function bitwise(mask: Uint8Array, xor: Uint8Array = new Uint8Array(mask.length), reg = 1): RawExpr {
  return { name: 'bitwise', data: { sreg: reg, dreg: reg, len: mask.length, mask: { value: toHex(mask) }, xor: { value: toHex(xor) } } };
}

/**
 * `lookup reg 1 set NAME` (by name, and by transaction id for a set created in the same batch).
 *
 * @example
 * ```ts
 * lookup('webports', undefined, false); // reg 1 in @webports
 * ```
 */
export function lookup(set: string, setId: number | undefined, invert: boolean, sreg = 1): RawExpr {
  return { name: 'lookup', data: { sreg, set, ...(setId !== undefined && { set_id: setId }), ...(invert && { flags: 1 }) } };
}

/**
 * `immediate reg 0 VERDICT` (code as the kernel's signed number; chain for jump/goto).
 *
 * @example
 * ```ts
 * verdict(VERDICT.jump, 'containers');
 * ```
 */
export function verdict(code: number, chain?: string): RawExpr {
  return { name: 'immediate', data: { dreg: 0, data: { verdict: { code: u32(code), ...(chain !== undefined && { chain }) } } } };
}

/**
 * `immediate reg N VALUE`.
 *
 * @example
 * ```ts
 * immediate(1, new Uint8Array([10, 123, 1, 2])); // the address of a dnat
 * ```
 */
export function immediate(dreg: number, value: Uint8Array): RawExpr {
  return { name: 'immediate', data: { dreg, data: { value: toHex(value) } } };
}

/**
 * `counter` (optionally with initial values).
 *
 * @example
 * ```ts
 * counter(); // { name: 'counter', data: {} }
 * ```
 */
export function counter(packets?: number | bigint, bytes?: number | bigint): RawExpr {
  return { name: 'counter', data: { ...(bytes !== undefined && { bytes }), ...(packets !== undefined && { packets }) } };
}

/**
 * `objref` to a named counter object (NFT_OBJECT_COUNTER = 1).
 *
 * @example
 * ```ts
 * counterRef('web-hits'); // counter name "web-hits"
 * ```
 */
export function counterRef(name: string): RawExpr {
  return { name: 'objref', data: { imm_type: 1, imm_name: name } };
}
