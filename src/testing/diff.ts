/**
 * Readable differences between decoded messages: one line per differing field, as a dotted path
 * (`attrs.mtu: expected 1500, got 1400`), never a byte dump.
 *
 * @example
 * ```ts
 * diffValues({ attrs: { mtu: 1500 } }, { attrs: { mtu: 1400, ifalias: 'x' } });
 * // ['attrs.mtu: expected 1500, got 1400', 'attrs.ifalias: not expected, got "x"']
 * ```
 * @module
 */

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  const s = JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  return s === undefined ? String(v) : s.length > 200 ? `${s.slice(0, 197)}...` : s;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * The differences between `expected` and `actual`, one line each, with paths below `path`.
 * Keys whose value is undefined count as absent.
 *
 * @example
 * ```ts
 * diffValues([1, 2], [1, 3], 'flags'); // ['flags[1]: expected 2, got 3']
 * ```
 */
export function diffValues(expected: unknown, actual: unknown, path = ''): string[] {
  const at = path || '(value)';
  if (Object.is(expected, actual)) return [];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const out: string[] = [];
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      if (i >= expected.length) out.push(`${path}[${i}]: not expected, got ${show(actual[i])}`);
      else if (i >= actual.length) out.push(`${path}[${i}]: expected ${show(expected[i])}, missing`);
      else out.push(...diffValues(expected[i], actual[i], `${path}[${i}]`));
    }
    return out;
  }
  if (isObject(expected) && isObject(actual)) {
    const out: string[] = [];
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of keys) {
      const p = path ? `${path}.${k}` : k;
      const e = expected[k];
      const a = actual[k];
      if (e === undefined && a === undefined) continue;
      if (e === undefined) out.push(`${p}: not expected, got ${show(a)}`);
      else if (a === undefined) out.push(`${p}: expected ${show(e)}, missing`);
      else out.push(...diffValues(e, a, p));
    }
    return out;
  }
  if (typeof expected === 'bigint' || typeof actual === 'bigint') {
    if (String(expected) === String(actual)) return [];
  }
  return [`${at}: expected ${show(expected)}, got ${show(actual)}`];
}

/**
 * A message's comparable part: type, flags, header, attributes and payload (seq and pid left out).
 *
 * @example
 * ```ts
 * diffValues(comparable(recorded), comparable(sent)); // ['attrs.mtu: expected 1500, got 1400']
 * ```
 */
export function comparable(m: { type: unknown; flags: readonly string[]; header: unknown; attrs: unknown; payload?: string | undefined }): Record<string, unknown> {
  const o: Record<string, unknown> = { type: m.type, flags: [...m.flags].sort(), header: m.header, attrs: m.attrs };
  if (m.payload !== undefined) o['payload'] = m.payload;
  return o;
}
