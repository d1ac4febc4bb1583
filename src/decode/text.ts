/**
 * Readable text of decoded messages, in the spirit of `ip monitor` and strace: the message type,
 * its flags, sequence number and port id, the fixed header with named values, then the
 * attributes as an indented tree under their C names with their values (enum and flag values
 * named as in the kernel headers).
 *
 * ```
 * RTM_NEWLINK NLM_F_MULTI seq=1 pid=4242
 *   ifinfomsg: family=0 (AF_UNSPEC) type=772 (ARPHRD_LOOPBACK) index=1 flags=0x49 (IFF_UP|IFF_LOOPBACK|IFF_RUNNING) change=0
 *   IFLA_IFNAME: lo
 *   IFLA_LINKINFO:
 *     IFLA_INFO_KIND: veth
 * ```
 *
 * @module
 */
import { type CompiledSet, type CompiledStruct, type Protocol, wireOf } from '../netlink/codec.js';
import { errnoName, errnoText } from '../netlink/errno.js';
import { type ErrorHeader, extAckSet, type Message } from '../netlink/message.js';
import type { AttrDef, EnumDef } from '../netlink/spec.js';
import type { DecodedDatagram } from './datagram.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A name for `v` from an enum or flags table, e.g. `IFF_UP|IFF_RUNNING`, or undefined. */
export function enumText(e: EnumDef | undefined, v: unknown): string | undefined {
  if (!e || (typeof v !== 'number' && typeof v !== 'bigint')) return undefined;
  const n = Number(v);
  const name = (s: string) => `${e.prefix}${s.toUpperCase()}`;
  if (e.type === 'enum') {
    const hit = e.entries.find(([, x]) => x === n);
    return hit ? name(hit[0]) : undefined;
  }
  if (n === 0) return undefined;
  let rest = n >>> 0;
  const parts: string[] = [];
  for (const [k, bit] of e.entries) {
    if (bit !== 0 && (rest & bit) === bit >>> 0) {
      parts.push(name(k));
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (parts.length === 0) return undefined;
  if (rest) parts.push(`0x${rest.toString(16)}`);
  return parts.join('|');
}

function scalarText(v: unknown, e?: EnumDef): string {
  if (typeof v === 'string') return v === '' || /[\s"\\]/.test(v) || /[^\x20-\x7e]/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'number' || typeof v === 'bigint') {
    const named = enumText(e, v);
    const num = e?.type === 'flags' && Number(v) > 9 ? `0x${Number(v).toString(16)}` : String(v);
    return named ? `${num} (${named})` : num;
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v === undefined) return '(absent)';
  if (v === null) return 'null';
  return structText(v as Obj);
}

/** `{a=1 b=2}` for a struct-like object. */
function structText(o: Obj, s?: CompiledStruct, p?: Protocol): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const f = s?.def.fields.find((x) => x.name === k);
    const e = f?.enum !== undefined ? p?.def.enums[f.enum] : undefined;
    parts.push(`${k}=${Array.isArray(v) ? `[${v.map((x) => scalarText(x)).join(', ')}]` : scalarText(v, e)}`);
  }
  return `{${parts.join(' ')}}`;
}

function headerText(p: Protocol, structName: string, h: Obj): string {
  let s: CompiledStruct | undefined;
  try {
    s = p.struct(structName);
  } catch {
    s = undefined;
  }
  const inner = structText(h, s, p);
  return `${structName}: ${inner.slice(1, -1)}`;
}

function occurrences(def: AttrDef | undefined, v: unknown): unknown[] {
  const natural = def?.type === 'array' || def?.type === 'indexed-array' || def?.type === 'custom';
  if (Array.isArray(v) && (def === undefined || def.multi || !natural || Array.isArray(v[0]))) return v;
  return [v];
}

type Variant = { kind: string; set?: CompiledSet; struct?: CompiledStruct };

/** Keys in the order the attributes were on the wire (numeric keys would otherwise come first). */
function wireKeys(attrs: Obj): string[] {
  const order = wireOf(attrs)?.order;
  if (!order) return Object.keys(attrs);
  const keys = [...new Set(order)].filter((k) => k in attrs);
  for (const k of Object.keys(attrs)) if (!keys.includes(k)) keys.push(k);
  return keys;
}

function renderAttrs(p: Protocol, cs: CompiledSet, attrs: Obj, header: Obj | undefined, pad: string, out: string[]): void {
  for (const key of wireKeys(attrs)) {
    const value = attrs[key];
    if (value === undefined) continue;
    const c = cs.byKey.get(key);
    const cname = c ? c.cname : cs.cname(Number(key));
    for (const v of occurrences(c?.def, value)) renderOne(p, cs, c?.def, cname, v, attrs, header, pad, out);
  }
}

function renderOne(p: Protocol, cs: CompiledSet, def: AttrDef | undefined, cname: string, v: unknown, siblings: Obj, header: Obj | undefined, pad: string, out: string[]): void {
  const inner = pad + '  ';
  const e = def?.enum !== undefined ? p.def.enums[def.enum] : undefined;
  if (!def) {
    out.push(`${pad}${cname}: ${scalarText(v)}`);
    return;
  }
  switch (def.type) {
    case 'nest': {
      if (!isObj(v)) break;
      const set = def.set !== undefined ? safeSet(p, def.set) : undefined;
      out.push(`${pad}${cname}:`);
      if (def.struct !== undefined) {
        const h = isObj(v['header']) ? v['header'] : {};
        out.push(`${inner}${headerText(p, def.struct, h)}`);
        if (set && isObj(v['attrs'])) renderAttrs(p, set, v['attrs'], h, inner, out);
      } else if (set) renderAttrs(p, set, v, header, inner, out);
      return;
    }
    case 'sub-message': {
      const sel = def.selector?.startsWith('header.') ? header?.[def.selector.slice(7)] : def.selector !== undefined ? siblings[def.selector] : undefined;
      let variant: Variant | undefined;
      try {
        variant = p.variant(def.subMessage ?? '', String(Array.isArray(sel) ? sel[0] : sel)) as Variant;
      } catch {
        variant = undefined;
      }
      if (variant?.kind === 'set' && variant.set && isObj(v)) {
        out.push(`${pad}${cname}:`);
        renderAttrs(p, variant.set, v, header, inner, out);
        return;
      }
      if (variant?.kind === 'struct' && variant.struct && isObj(v)) {
        out.push(`${pad}${cname}: ${structText(v, variant.struct, p)}`);
        return;
      }
      break;
    }
    case 'indexed-array': {
      if (!Array.isArray(v)) break;
      const set = def.set !== undefined ? safeSet(p, def.set) : undefined;
      if (set) {
        out.push(`${pad}${cname}:`);
        v.forEach((x, i) => {
          out.push(`${inner}[${i + (def.indexBase ?? 1)}]:`);
          if (isObj(x)) renderAttrs(p, set, x, header, inner + '  ', out);
        });
        return;
      }
      out.push(`${pad}${cname}: [${v.map((x) => scalarText(x, e)).join(', ')}]`);
      return;
    }
    case 'array':
      if (Array.isArray(v)) {
        out.push(`${pad}${cname}: [${v.map((x) => scalarText(x, e)).join(', ')}]`);
        return;
      }
      break;
    case 'struct':
      if (isObj(v)) {
        let s: CompiledStruct | undefined;
        try {
          s = def.struct !== undefined ? p.struct(def.struct) : undefined;
        } catch {
          s = undefined;
        }
        out.push(`${pad}${cname}: ${structText(v, s, p)}`);
        return;
      }
      break;
    case 'custom':
      if (Array.isArray(v) && v.every((x) => isObj(x) && isObj(x['attrs']))) {
        out.push(`${pad}${cname}:`);
        v.forEach((x, i) => {
          const o = x as Obj;
          const { attrs, ...rest } = o;
          out.push(`${inner}[${i + 1}]: ${structText(rest)}`);
          renderAttrs(p, cs, attrs as Obj, header, inner + '  ', out);
        });
        return;
      }
      break;
  }
  out.push(`${pad}${cname}: ${scalarText(v, e)}`);
}

function safeSet(p: Protocol, name: string): CompiledSet | undefined {
  try {
    return p.set(name);
  } catch {
    return undefined;
  }
}

function flagsText(flags: readonly string[]): string {
  return flags.length ? flags.join('|') : '0';
}

function hexLines(hex: string, pad: string, out: string[], label: string): void {
  if (hex.length <= 64) {
    out.push(`${pad}${label}: ${hex}`);
    return;
  }
  out.push(`${pad}${label}: (${hex.length / 2} bytes)`);
  for (let i = 0; i < hex.length; i += 64) out.push(`${pad}  ${hex.slice(i, i + 64).replace(/(..)(?!$)/g, '$1 ')}`);
}

/** The text of one decoded message (lines, without a final newline). */
export function messageText(m: Message, p: Protocol, pad = ''): string {
  const out: string[] = [`${pad}${String(m.type)} ${flagsText(m.flags)} seq=${m.seq} pid=${m.pid}`];
  const inner = pad + '  ';
  if (m.type === 'NLMSG_ERROR') {
    const h = m.header as Partial<ErrorHeader>;
    const err = h.error ?? 0;
    out.push(err === 0 ? `${inner}error: 0 (ACK)` : `${inner}error: ${err} (${errnoName(-err)}: ${errnoText(-err)})`);
    if (h.msg) out.push(`${inner}request: ${String(h.msg.type)} ${flagsText(h.msg.flags)} seq=${h.msg.seq} pid=${h.msg.pid} len=${h.msg.len}`);
    if (h.msg?.payload) hexLines(h.msg.payload, inner + '  ', out, 'payload');
    renderAttrs(p, extAckSet, m.attrs, undefined, inner, out);
  } else if (m.type === 'NLMSG_DONE') {
    const e = (m.header as { error?: number }).error;
    if (e !== undefined && e !== 0) out.push(`${inner}error: ${e} (${errnoName(-e)}: ${errnoText(-e)})`);
    renderAttrs(p, extAckSet, m.attrs, undefined, inner, out);
  } else {
    const def = typeof m.type === 'string' ? p.messageByName(m.type) : undefined;
    if (def) {
      out.push(`${inner}${headerText(p, def.header, m.header as Obj)}`);
      const set = safeSet(p, def.attrs);
      if (set) renderAttrs(p, set, m.attrs, m.header as Obj, inner, out);
    }
  }
  if (m.payload !== undefined) hexLines(m.payload, inner, out, 'payload');
  return out.join('\n');
}

/** The text of a decoded datagram: a heading line, then its messages. */
export function datagramText(d: DecodedDatagram, p: Protocol): string {
  const dir = d.direction === 'out' ? 'to kernel' : d.direction === 'in' ? 'from kernel' : 'direction unknown';
  const where = d.where.line !== undefined ? `, line ${d.where.line}` : d.where.offset !== undefined ? `, offset ${d.where.offset}` : '';
  const time = d.time !== undefined ? `, t=${d.time.toFixed(6)}` : '';
  const lines = [`# datagram ${d.index}: ${dir}, ${d.family}, ${d.bytes.length} bytes${where}${time}`];
  for (const m of d.messages) lines.push(messageText(m, p));
  return lines.join('\n') + '\n';
}
