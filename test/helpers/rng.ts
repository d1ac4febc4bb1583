/**
 * A small deterministic PRNG (mulberry32) for fuzz and property tests: the same seed gives the
 * same inputs, so a failure can be reproduced from the seed the test prints.
 *
 * @example
 * ```ts
 * const r = rng(42);
 * const byte = Math.floor(r() * 256);
 * ```
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
