/**
 * JSON text of decoded values: like `JSON.stringify`, but 64-bit counters beyond 2^53 (bigint)
 * are written as plain JSON numbers with all their digits, as ip and the kernel mean them, and
 * `undefined` members are left out.
 *
 * @example
 * ```ts
 * toJsonText({ bytes: 18446744073709551615n }); // '{"bytes":18446744073709551615}'
 * ```
 * @module
 */
import { toHex } from '../netlink/bytes.js';

/** Compact JSON text (or indented by `indent` spaces). */
export function toJsonText(value: unknown, indent = 0): string {
  const out: string[] = [];
  write(out, value, indent, '');
  return out.join('');
}

function write(out: string[], v: unknown, indent: number, pad: string): void {
  switch (typeof v) {
    case 'string':
      out.push(JSON.stringify(v));
      return;
    case 'number':
      out.push(Number.isFinite(v) ? String(v) : 'null');
      return;
    case 'bigint':
      out.push(v.toString());
      return;
    case 'boolean':
      out.push(v ? 'true' : 'false');
      return;
    case 'undefined':
    case 'function':
    case 'symbol':
      out.push('null');
      return;
  }
  if (v === null) {
    out.push('null');
    return;
  }
  const inner = indent ? pad + ' '.repeat(indent) : '';
  const nl = indent ? '\n' : '';
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push('[]');
      return;
    }
    out.push('[', nl);
    v.forEach((x, i) => {
      if (i) out.push(',', nl);
      out.push(inner);
      write(out, x, indent, inner);
    });
    out.push(nl, pad, ']');
    return;
  }
  if (v instanceof Uint8Array) {
    out.push(JSON.stringify(toHex(v)));
    return;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) {
    out.push('{}');
    return;
  }
  out.push('{', nl);
  entries.forEach(([k, x], i) => {
    if (i) out.push(',', nl);
    out.push(inner, JSON.stringify(k), indent ? ': ' : ':');
    write(out, x, indent, inner);
  });
  out.push(nl, pad, '}');
}
