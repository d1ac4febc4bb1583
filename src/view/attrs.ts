/**
 * Reading decoded attributes the way iproute2's `parse_rtattr` sees them: an attribute that
 * occurs more than once (decoded as an array) counts by its first occurrence, as `tb[X]` keeps
 * the first; values of the wrong type count as absent.
 *
 * @module
 */

/** Decoded attributes of one set. */
export type Attrs = Readonly<Record<string, unknown>>;

function one(a: Attrs | undefined, key: string): unknown {
  const v = a?.[key];
  return Array.isArray(v) ? v[0] : v;
}

/** Whether the attribute is present. */
export function has(a: Attrs | undefined, key: string): boolean {
  return a?.[key] !== undefined;
}

/** A numeric attribute (bigints of u64 values above 2^53 come back as bigint). */
export function num(a: Attrs | undefined, key: string): number | undefined {
  const v = one(a, key);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** A u64 attribute as number or bigint. */
export function big(a: Attrs | undefined, key: string): number | bigint | undefined {
  const v = one(a, key);
  return typeof v === 'number' || typeof v === 'bigint' ? v : undefined;
}

/** A string attribute (text, address text, hex). */
export function str(a: Attrs | undefined, key: string): string | undefined {
  const v = one(a, key);
  return typeof v === 'string' ? v : undefined;
}

/** A nested attribute set or struct. */
export function obj(a: Attrs | undefined, key: string): Attrs | undefined {
  const v = one(a, key);
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Attrs) : undefined;
}

/** Every occurrence of an attribute (a single value as a one-element list). */
export function all(a: Attrs | undefined, key: string): unknown[] {
  const v = a?.[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** A field of a fixed header or struct as a number (0 when absent). */
export function field(h: unknown, key: string): number {
  const v = (h as Record<string, unknown> | undefined)?.[key];
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}

// ---------------------------------------------------------------------------------------------
// The same readings of a value already loaded (`const a = m.attrs as RouteAttrs; strOf(a.dst)`):
// the hot renderers read each attribute once by its literal name, which keeps the property loads
// monomorphic instead of one megamorphic keyed load per helper call (bench: dump/route-100k cli).

/** The attribute as `tb[X]` sees it: the first occurrence of a repeated attribute. */
export function firstOf(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** {@link num} of a loaded value. */
export function numOf(v: unknown): number | undefined {
  if (Array.isArray(v)) v = v[0];
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/** {@link str} of a loaded value. */
export function strOf(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : undefined;
}

/** {@link obj} of a loaded value. */
export function objOf(v: unknown): Attrs | undefined {
  if (Array.isArray(v)) v = v[0];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Attrs) : undefined;
}

/** {@link field} of a loaded value. */
export function fieldOf(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0;
}
