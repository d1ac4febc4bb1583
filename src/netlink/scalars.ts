/**
 * 64-bit reads shared by the codec engine and the generated fast decoders: a number while the
 * value is a safe integer, a bigint beyond.
 *
 * @example
 * ```ts
 * readU64(view, 0); // 1500 or 18446744073709551615n
 * ```
 * @module
 */

/** u64 from its two halves. */
export function u64(hi: number, lo: number): number | bigint {
  return hi < 0x200000 ? hi * 4294967296 + lo : (BigInt(hi) << 32n) | BigInt(lo);
}

/** Host-order (little-endian) u64 at `off`. */
export function readU64(view: DataView, off: number): number | bigint {
  return u64(view.getUint32(off + 4, true), view.getUint32(off, true));
}

/** Network-order u64 at `off`. */
export function readU64be(view: DataView, off: number): number | bigint {
  return u64(view.getUint32(off, false), view.getUint32(off + 4, false));
}

/** Host-order s64 at `off`. */
export function readS64(view: DataView, off: number): number | bigint {
  const v = view.getBigInt64(off, true);
  return v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
}
