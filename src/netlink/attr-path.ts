/**
 * Resolves the byte offsets of an extended ACK (NLMSGERR_ATTR_OFFS, NLMSGERR_ATTR_MISS_NEST)
 * to attribute paths of C names, against the request the client kept: with NETLINK_CAP_ACK the
 * kernel echoes only the request's header, so the request itself must be at hand.
 *
 * @example
 * ```ts
 * resolveOffset(p, requestBytes, 52); // 'IFLA_LINKINFO.IFLA_INFO_DATA.IFLA_VXLAN_ID'
 * ```
 * @module
 */
import { align4, NLA_TYPE_MASK, NLMSG_HDRLEN } from './constants.js';
import { type Attrs, type CompiledSet, DecodeContext, type Protocol } from './codec.js';
import { decodeOne } from './message.js';

interface Level {
  set: CompiledSet;
  start: number;
  end: number;
  obj: Attrs | undefined;
  /** The request's fixed header, for sub-messages chosen by `header.*`. */
  header: Record<string, unknown> | undefined;
}

/** The attribute containing byte `offset` of `request` (one message), as a dotted path of C names. */
export function resolveOffset(p: Protocol, request: Uint8Array, offset: number): string | undefined {
  const found = walk(p, request, offset);
  return found?.path.join('.') || undefined;
}

/**
 * The path of a missing attribute: `type` in the nest at `nestOffset` (or in the message's
 * top-level set when `nestOffset` is undefined).
 */
export function resolveMissing(p: Protocol, request: Uint8Array, type: number, nestOffset: number | undefined): string | undefined {
  const top = topLevel(p, request);
  if (!top) return undefined;
  if (nestOffset === undefined) return top.set.cname(type);
  const found = walk(p, request, nestOffset, true);
  if (!found?.inner) return undefined;
  return [...found.path, found.inner.cname(type)].join('.');
}

function topLevel(p: Protocol, request: Uint8Array): Level | undefined {
  if (request.length < NLMSG_HDRLEN) return undefined;
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  const len = Math.min(view.getUint32(0, true), request.length);
  const def = p.message(view.getUint16(4, true));
  if (!def) return undefined;
  let obj: Attrs | undefined;
  let header: Record<string, unknown> | undefined;
  try {
    const m = decodeOne(p, new DecodeContext(request), 0, len);
    obj = m.attrs;
    header = m.header;
  } catch {
    obj = undefined;
  }
  return { set: p.set(def.attrs), start: NLMSG_HDRLEN + align4(p.struct(def.header).size), end: len, obj, header };
}

function walk(p: Protocol, request: Uint8Array, offset: number, wantNest = false): { path: string[]; inner?: CompiledSet } | undefined {
  let level = topLevel(p, request);
  if (!level) return undefined;
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  const path: string[] = [];
  for (let depth = 0; level && depth < 32; depth++) {
    let at = level.start;
    const seen = new Map<string, number>();
    let next: Level | undefined;
    while (level.end - at >= 4) {
      const l = view.getUint16(at, true);
      if (l < 4 || at + l > level.end) return { path };
      const type = view.getUint16(at + 2, true) & NLA_TYPE_MASK;
      const c = level.set.byType[type];
      const key = c?.key ?? String(type);
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      if (offset >= at && offset < at + align4(l)) {
        path.push(level.set.cname(type));
        if (offset === at && !wantNest) return { path };
        if (!c) return { path };
        const raw = level.obj?.[key];
        const value = Array.isArray(raw) && (c.multi || Array.isArray(raw[0]) || !c.naturalArray) ? raw[n] : raw;
        const inner = innerSet(p, c, level.obj, value, level.header);
        if (!inner) return { path };
        if (offset === at) return { path, inner: inner.set };
        next = { set: inner.set, start: at + 4 + inner.skip, end: at + l, obj: inner.obj, header: level.header };
        break;
      }
      at += align4(l);
    }
    if (!next) return { path };
    level = next;
  }
  return { path };
}

function innerSet(p: Protocol, c: CompiledSet['byType'][number] & object, siblings: Attrs | undefined, value: unknown, header: Record<string, unknown> | undefined): { set: CompiledSet; skip: number; obj: Attrs | undefined } | undefined {
  const d = c.def;
  if (d.type === 'nest' && d.set) {
    if (d.struct) {
      const v = value as { attrs?: Attrs } | undefined;
      return { set: p.set(d.set), skip: align4(p.struct(d.struct).size), obj: v?.attrs };
    }
    return { set: p.set(d.set), skip: 0, obj: value as Attrs | undefined };
  }
  if (d.type === 'sub-message' && d.selector && d.subMessage) {
    const fromHeader = d.selector.startsWith('header.');
    const from = fromHeader ? header : siblings;
    if (!from) return undefined;
    const v = p.variant(d.subMessage, String(from[fromHeader ? d.selector.slice(7) : d.selector]));
    if (v.kind === 'set') return { set: v.set, skip: 0, obj: value as Attrs | undefined };
  }
  return undefined;
}
