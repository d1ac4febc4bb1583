/**
 * The attribute engine: compiles the declarative tables of a {@link ProtocolDef} into decoders
 * and encoders, once per attribute set, at first use.
 *
 * Decoded attributes are plain objects keyed by attribute name (see protocol/README.md). Values
 * are numbers, strings (text, addresses, hex) and nested objects, so nothing a decoder returns
 * aliases the receive buffer.
 *
 * Byte-exact round trips: whatever the kernel (or iproute2) sent can be encoded back to the same
 * bytes. Where the plain object cannot say how the bytes looked (an unknown attribute between
 * known ones, a repeated attribute that was not contiguous, a nest without NLA_F_NESTED where the
 * spec expects it, a string without its NUL, a struct shorter than the spec), the decoder attaches
 * a hidden, non-enumerable {@link WIRE} record to the object: the wire order and the verbatim
 * bytes of the irregular attributes with a snapshot of their decoded value. The encoder uses the
 * verbatim bytes only while the value is unchanged. Regular input — all of a normal kernel dump —
 * pays nothing for this.
 *
 * @example
 * ```ts
 * const p = new Protocol(routeProtocolDef);
 * const set = p.set('link');
 * const attrs = decodeAttrs(p, set, DecodeContext.of(bytes), 0, bytes.length);
 * const w = new Writer();
 * encodeAttrs(p, set, attrs, w, {});
 * ```
 * @module
 */
import { align4, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK } from './constants.js';
import { DecodeError, EncodeError, isDecodeError, isEncodeError } from './errors.js';
import {
  encodeUtf8,
  formatIp,
  ipv4Number,
  formatMac,
  fromHex,
  parseIp,
  parseMac,
  readCString,
  toHex,
} from './bytes.js';
import { Writer } from './writer.js';
import { readS64, readU64, readU64be } from './scalars.js';
import type {
  AttrDef,
  AttrSetDef,
  MessageDef,
  ProtocolDef,
  ScalarType,
  StructDef,
  SubMessageDef,
  VariantDef,
} from './spec.js';
import { scalarSize } from './spec.js';

/** Decoded attributes: keys are attribute names (or numbers, for unknown attributes). */
export type Attrs = Record<string, unknown>;

/** Key of the hidden wire record on decoded objects (see the module comment). */
export const WIRE: unique symbol = Symbol.for('nlkit.wire') as never;

/** The hidden wire record of an irregular decoded object. */
export interface WireRecord {
  /** Keys in wire order; a repeated attribute's key appears once per occurrence. */
  order?: string[];
  /** Verbatim attribute bytes (header included, padding excluded) by `key#occurrence`. */
  raw?: Map<string, { snap: string; bytes: Uint8Array }>;
  /** Bytes after the last attribute that do not form one. */
  tail?: Uint8Array;
  /** For structs and headers: verbatim bytes while the snapshot matches. */
  whole?: { snap: string; bytes: Uint8Array };
}

/** A hand-written codec for an irregular attribute (`"type": "custom"` in a spec). */
export interface CustomCodec {
  /** Decodes `len` bytes at `off`; sets `ctx.irregular` when the value would not re-encode exactly. */
  decode(p: Protocol, ctx: DecodeContext, off: number, len: number): unknown;
  /** Encodes the payload (the attribute header is written by the caller). */
  encode(p: Protocol, w: Writer, value: unknown, path: string): void;
}

/** Limits for hostile input. */
export interface DecodeLimits {
  /** Deepest nesting of attributes accepted. Default: 32. */
  maxDepth?: number;
}

/** State of one decode call: the bytes, and flags raised by value decoders. */
export class DecodeContext {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  /** Raised by a value decoder when its value will not re-encode to the same bytes. */
  irregular = false;
  depth = 0;
  readonly maxDepth: number;
  /** The fixed header of the message being decoded, for `header.*` selectors. */
  header: Record<string, unknown> | undefined = undefined;
  /** Start, end and set of the container being decoded, for sub-messages whose selector comes later. */
  scanStart = 0;
  scanEnd = 0;
  scanSet: CompiledSet | undefined = undefined;
  /** Results of those look-aheads by container start and selector (see lookAhead). */
  lookAheadMemo: Map<string, { at: number; value: unknown }> | undefined = undefined;

  constructor(bytes: Uint8Array, limits: DecodeLimits = {}) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.maxDepth = limits.maxDepth ?? 32;
  }
}

// ---------------------------------------------------------------------------------------------
// Scalars

function readScalar(view: DataView, off: number, t: ScalarType): number | bigint {
  switch (t) {
    case 'u8':
      return view.getUint8(off);
    case 's8':
      return view.getInt8(off);
    case 'u16':
      return view.getUint16(off, true);
    case 's16':
      return view.getInt16(off, true);
    case 'be16':
      return view.getUint16(off, false);
    case 'u32':
      return view.getUint32(off, true);
    case 's32':
      return view.getInt32(off, true);
    case 'be32':
      return view.getUint32(off, false);
    case 'u64':
      return readU64(view, off);
    case 'be64':
      return readU64be(view, off);
    case 's64':
      return readS64(view, off);
  }
}

const RANGES: Record<ScalarType, readonly [number, number]> = {
  u8: [0, 0xff],
  s8: [-0x80, 0x7f],
  u16: [0, 0xffff],
  s16: [-0x8000, 0x7fff],
  be16: [0, 0xffff],
  u32: [0, 0xffffffff],
  s32: [-0x80000000, 0x7fffffff],
  be32: [0, 0xffffffff],
  u64: [0, Number.MAX_SAFE_INTEGER],
  be64: [0, Number.MAX_SAFE_INTEGER],
  s64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** `path` with a struct field (`.name`) or array index (`[i]`): built only for an error message. */
function subPath(path: string, field: string | number | undefined): string {
  return field === undefined ? path : typeof field === 'number' ? `${path}[${field}]` : `${path}.${field}`;
}

/**
 * Writes scalar `v` of type `t`. The path of an error is `path` plus `field`, joined only when
 * there is an error: encoding a request builds no path strings (bench: write/route-10k).
 */
function writeScalar(w: Writer, t: ScalarType, v: unknown, path: string, field?: string | number): void {
  if (typeof v === 'boolean') v = v ? 1 : 0;
  if (typeof v === 'bigint') {
    if (t === 'u64' || t === 'be64') {
      if (v < 0n || v > 0xffffffffffffffffn) throw new EncodeError('NLKIT_ERR_BAD_VALUE', `${v} is not a ${t}`, subPath(path, field));
      return w.u64(v, t === 'u64');
    }
    if (t === 's64') {
      if (v < -0x8000000000000000n || v > 0x7fffffffffffffffn) throw new EncodeError('NLKIT_ERR_BAD_VALUE', `${v} is not an s64`, subPath(path, field));
      return w.s64(v);
    }
    v = Number(v);
  }
  const range = RANGES[t];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) {
    throw new EncodeError('NLKIT_ERR_BAD_VALUE', `${JSON.stringify(v)} is not a ${t} (${range[0]}..${range[1]})`, subPath(path, field));
  }
  switch (t) {
    case 'u8':
      return w.u8(v);
    case 's8':
      return w.s8(v);
    case 'u16':
      return w.u16(v);
    case 's16':
      return w.s16(v);
    case 'be16':
      return w.u16(v, false);
    case 'u32':
      return w.u32(v);
    case 's32':
      return w.s32(v);
    case 'be32':
      return w.u32(v, false);
    case 'u64':
      return w.u64(BigInt(v));
    case 'be64':
      return w.u64(BigInt(v), false);
    case 's64':
      return w.s64(BigInt(v));
  }
}

// ---------------------------------------------------------------------------------------------
// Bytes shown as text

function decodeBytes(bytes: Uint8Array, off: number, len: number, display: string | undefined): string {
  if (display === 'mac') return formatMac(bytes, off, len);
  if (display === 'ip') return formatIp(bytes, off, len) ?? toHex(bytes, off, len);
  return toHex(bytes, off, len);
}

/** Writes the bytes of `v` (see {@link encodeBytes}); an IPv4 address goes straight into the writer. */
function writeBytes(w: Writer, v: unknown, display: string | undefined, path: string): void {
  if (display === 'ip' && typeof v === 'string') {
    const n = ipv4Number(v);
    if (n >= 0) return w.u32(n, false);
  }
  w.bytes(encodeBytes(v, display, path));
}

function encodeBytes(v: unknown, display: string | undefined, path: string): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') throw new EncodeError('NLKIT_ERR_BAD_VALUE', `expected a string, got ${typeof v}`, path);
  let b: Uint8Array | undefined;
  if (display === 'mac') b = parseMac(v);
  else if (display === 'ip' && (v.includes('.') || v.includes(':'))) b = parseIp(v);
  else b = fromHex(v);
  if (!b) throw new EncodeError('NLKIT_ERR_BAD_VALUE', `${JSON.stringify(v)} is not ${display === 'mac' ? 'a colon-hex address' : display === 'ip' ? 'an IP address' : 'hex'}`, path);
  return b;
}

/** JSON text of a decoded value, used to tell whether it changed since it was decoded. */
export function snapshot(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? toHex(x) : x)) ?? 'undefined';
}

function setWire(obj: object, rec: WireRecord): void {
  Object.defineProperty(obj, WIRE, { value: rec, enumerable: false, configurable: true, writable: true });
}

/** The hidden wire record of a decoded object, if it has one. */
export function wireOf(obj: unknown): WireRecord | undefined {
  return obj !== null && typeof obj === 'object' ? (obj as { [WIRE]?: WireRecord })[WIRE] : undefined;
}

// ---------------------------------------------------------------------------------------------
// Structs

const FK = { scalar: 0, pad: 1, binary: 2 } as const;

interface CompiledField {
  readonly name: string;
  readonly kind: number;
  readonly type: ScalarType | undefined;
  readonly off: number;
  readonly size: number;
  readonly display: string | undefined;
}

/** A struct compiled for decoding and encoding. */
export class CompiledStruct {
  readonly def: StructDef;
  readonly size: number;
  readonly fields: readonly CompiledField[];

  constructor(def: StructDef) {
    this.def = def;
    let off = 0;
    const fields: CompiledField[] = [];
    for (const f of def.fields) {
      const size = f.type === 'pad' || f.type === 'binary' ? (f.len ?? 0) : scalarSize(f.type);
      const kind = f.type === 'pad' ? FK.pad : f.type === 'binary' ? FK.binary : FK.scalar;
      fields.push({ name: f.name, kind, type: kind === FK.scalar ? (f.type as ScalarType) : undefined, off, size, display: f.display });
      off += size;
    }
    this.fields = fields;
    this.size = off;
  }

  /**
   * Decodes `len` bytes at `off`. Fields beyond `len` are undefined (the struct shrank); bytes
   * beyond the known fields are kept as hex under `_unknown` (the struct grew).
   */
  decode(ctx: DecodeContext, off: number, len: number): Record<string, unknown> {
    if (len === this.size && this.def.fast !== undefined) {
      const r = this.def.fast(ctx.view, off) as Record<string, unknown> | undefined;
      if (r !== undefined) return r;
    }
    const out: Record<string, unknown> = {};
    const view = ctx.view;
    let exact = len >= this.size;
    for (const f of this.fields) {
      if (f.off + f.size > len) {
        if (f.kind !== FK.pad) out[f.name] = undefined;
        continue;
      }
      if (f.kind === FK.scalar) out[f.name] = readScalar(view, off + f.off, f.type!);
      else if (f.kind === FK.binary) out[f.name] = decodeBytes(ctx.bytes, off + f.off, f.size, f.display);
      else {
        for (let i = 0; i < f.size; i++) if (ctx.bytes[off + f.off + i] !== 0) exact = false;
      }
    }
    if (len > this.size) out._unknown = toHex(ctx.bytes, off + this.size, len - this.size);
    if (!exact) setWire(out, { whole: { snap: snapshot(out), bytes: ctx.bytes.slice(off, off + len) } });
    return out;
  }

  /** Encodes a struct; missing fields are zero. */
  encode(w: Writer, v: unknown, path: string): void {
    if (v === null || typeof v !== 'object') throw new EncodeError('NLKIT_ERR_BAD_VALUE', `expected an object for ${this.def.name}`, path);
    const obj = v as Record<string, unknown>;
    const whole = wireOf(obj)?.whole;
    if (whole && whole.snap === snapshot(obj)) return w.bytes(whole.bytes);
    for (const f of this.fields) {
      if (f.kind === FK.pad) w.zeros(f.size);
      else if (f.kind === FK.binary) {
        const val = obj[f.name];
        const b = val === undefined ? new Uint8Array(f.size) : encodeBytes(val, f.display, `${path}.${f.name}`);
        if (b.length !== f.size) throw new EncodeError('NLKIT_ERR_BAD_VALUE', `${f.name} needs ${f.size} bytes, got ${b.length}`, path);
        w.bytes(b);
      } else writeScalar(w, f.type!, obj[f.name] ?? 0, path, f.name);
    }
    if (typeof obj._unknown === 'string') w.bytes(encodeBytes(obj._unknown, 'hex', `${path}._unknown`));
  }
}

// ---------------------------------------------------------------------------------------------
// Attribute sets

// Kinds handled inline in the decode loop; everything else goes through `decode`.
const K = { u8: 1, u16: 2, u32: 3, s32: 4, string: 5, binary: 6, other: 0 } as const;

/** One attribute compiled. */
export interface AttrCodec {
  readonly def: AttrDef;
  readonly key: string;
  /** Full C name, e.g. 'IFLA_MTU'. */
  readonly cname: string;
  readonly value: number;
  readonly multi: boolean;
  /** The decoded value is itself an array (array, indexed-array). */
  readonly naturalArray: boolean;
  /** Expected NLA_F_NESTED bit. */
  readonly nestedBit: number;
  readonly kind: number;
  readonly display: string | undefined;
  /** For sub-messages whose variants differ in NLA_F_NESTED: the expected flag bits. */
  readonly bitsFor?: (siblings: Attrs, header: Record<string, unknown> | undefined) => number;
  decode(ctx: DecodeContext, off: number, len: number, siblings: Attrs): unknown;
  encode(w: Writer, v: unknown, siblings: Attrs, path: string): void;
}

/** An attribute set compiled: codecs indexed by attribute number (dense) and by key. */
export class CompiledSet {
  readonly def: AttrSetDef;
  readonly byType: (AttrCodec | undefined)[] = [];
  readonly byKey = new Map<string, AttrCodec>();
  /** @internal By attribute number: the parent path last encoded under, and the path it gave (see childPath). */
  readonly pathParent: string[] = [];
  /** @internal */
  readonly pathText: string[] = [];

  constructor(def: AttrSetDef) {
    this.def = def;
  }

  /** C name of attribute number `type` in this set (or `PREFIX<type>` when unknown). */
  cname(type: number): string {
    return this.byType[type]?.cname ?? `${this.def.prefix}${type}`;
  }
}

type Variant =
  | { readonly kind: 'set'; readonly set: CompiledSet; readonly nestedBit: number }
  | { readonly kind: 'struct'; readonly struct: CompiledStruct }
  | { readonly kind: 'scalar'; readonly type: ScalarType }
  | { readonly kind: 'string' }
  | { readonly kind: 'binary' };

/** A message type compiled: its definition, header struct and attribute set. */
export interface CompiledMessage {
  readonly def: MessageDef;
  readonly name: string;
  readonly op: MessageDef['op'];
  readonly header: CompiledStruct;
  readonly set: CompiledSet;
  /** Offset of the attributes after the nlmsghdr: the header size rounded up to 4. */
  readonly attrsAt: number;
  /** `<name>.header`: the path of errors in the header. */
  readonly headerPath: string;
}

/**
 * A protocol family, compiled lazily: sets, structs and messages by name and number.
 *
 * @example
 * ```ts
 * const p = new Protocol(def, customCodecs);
 * p.message(16)?.name; // 'RTM_NEWLINK'
 * ```
 */
export class Protocol {
  readonly def: ProtocolDef;
  readonly custom: Readonly<Record<string, CustomCodec>>;
  private readonly sets = new Map<string, CompiledSet>();
  private readonly structs = new Map<string, CompiledStruct>();
  private readonly variants = new Map<string, Map<string, Variant>>();
  private readonly byType = new Map<number, MessageDef>();
  private readonly byName = new Map<string, MessageDef>();
  private readonly compiledByType = new Map<number, CompiledMessage>();

  constructor(def: ProtocolDef, custom: Readonly<Record<string, CustomCodec>> = {}) {
    this.def = def;
    this.custom = custom;
    for (const m of def.messages) {
      this.byType.set(m.value, m);
      this.byName.set(m.name, m);
    }
  }

  /** The message definition of nlmsg_type `type`. */
  message(type: number): MessageDef | undefined {
    return this.byType.get(type);
  }
  /** A message type with its header struct and attribute set compiled (cached by type). */
  compiled(type: number): CompiledMessage | undefined {
    let c = this.compiledByType.get(type);
    if (c === undefined) {
      const def = this.byType.get(type);
      if (!def) return undefined;
      const header = this.struct(def.header);
      c = { def, name: def.name, op: def.op, header, set: this.set(def.attrs), attrsAt: (header.size + 3) & ~3, headerPath: `${def.name}.header` };
      this.compiledByType.set(type, c);
    }
    return c;
  }

  /** The message definition named `name` ('RTM_NEWLINK'). */
  messageByName(name: string): MessageDef | undefined {
    return this.byName.get(name);
  }

  /** The compiled struct `name`. */
  struct(name: string): CompiledStruct {
    let s = this.structs.get(name);
    if (!s) {
      const def = this.def.structs[name];
      if (!def) throw new Error(`protocol ${this.def.family}: no struct ${name}`);
      s = new CompiledStruct(def);
      this.structs.set(name, s);
    }
    return s;
  }

  /** The compiled attribute set `name` (compiled on first use; children compile lazily). */
  set(name: string): CompiledSet {
    let cs = this.sets.get(name);
    if (cs) return cs;
    const def = this.def.sets[name];
    if (!def) throw new Error(`protocol ${this.def.family}: no attribute set ${name}`);
    cs = new CompiledSet(def);
    this.sets.set(name, cs); // registered before its attributes compile, so recursion ends
    for (const a of def.attrs) {
      const c = this.compileAttr(def, a);
      cs.byType[a.value] = c;
      cs.byKey.set(a.name, c);
    }
    return cs;
  }

  /** The variant of sub-message `name` for selector value `key` (or the default). */
  variant(name: string, key: string): Variant {
    let m = this.variants.get(name);
    if (!m) {
      m = new Map();
      this.variants.set(name, m);
    }
    let v = m.get(key);
    if (!v) {
      const sm: SubMessageDef | undefined = this.def.subMessages[name];
      const vd: VariantDef = sm?.variants[key] ?? sm?.default ?? { type: 'binary' };
      v = this.compileVariant(vd);
      m.set(key, v);
    }
    return v;
  }

  private compileVariant(vd: VariantDef): Variant {
    if (vd.set) return { kind: 'set', set: this.set(vd.set), nestedBit: vd.nested === undefined ? -1 : vd.nested ? NLA_F_NESTED : 0 };
    if (vd.struct) return { kind: 'struct', struct: this.struct(vd.struct) };
    if (vd.type === 'string') return { kind: 'string' };
    if (vd.type && vd.type !== 'binary') return { kind: 'scalar', type: vd.type };
    return { kind: 'binary' };
  }

  private compileAttr(set: AttrSetDef, a: AttrDef): AttrCodec {
    const p = this;
    const cname = set.prefix + a.name.toUpperCase();
    const base = {
      def: a,
      key: a.name,
      cname,
      value: a.value,
      multi: a.multi === true,
      naturalArray: a.type === 'array' || a.type === 'indexed-array',
      nestedBit: a.nested ? NLA_F_NESTED : 0,
      display: a.display,
    };
    const t = a.type;
    switch (t) {
      case 'u8':
      case 'u16':
      case 'u32':
      case 's32':
      case 'u64':
      case 's8':
      case 's16':
      case 's64':
      case 'be16':
      case 'be32':
      case 'be64': {
        const size = scalarSize(t);
        return {
          ...base,
          kind: t === 'u8' ? K.u8 : t === 'u16' ? K.u16 : t === 'u32' ? K.u32 : t === 's32' ? K.s32 : K.other,
          decode(ctx, off, len) {
            if (len < size) throw new DecodeError('NLKIT_ERR_BAD_VALUE', `${t} attribute with ${len} bytes`, off - 4);
            if (len !== size) ctx.irregular = true;
            return readScalar(ctx.view, off, t);
          },
          encode(w, v, _s, path) {
            writeScalar(w, t, v, path);
          },
        };
      }
      case 'uint':
      case 'sint':
        return {
          ...base,
          kind: K.other,
          decode(ctx, off, len) {
            if (len === 4) return t === 'uint' ? ctx.view.getUint32(off, true) : ctx.view.getInt32(off, true);
            if (len === 8) {
              const v = readScalar(ctx.view, off, t === 'uint' ? 'u64' : 's64');
              if (typeof v !== 'number' || (t === 'uint' ? v <= 0xffffffff : v >= -0x80000000 && v <= 0x7fffffff)) ctx.irregular = true;
              return v;
            }
            throw new DecodeError('NLKIT_ERR_BAD_VALUE', `${t} attribute with ${len} bytes (expected 4 or 8)`, off - 4);
          },
          encode(w, v, _s, path) {
            const small = typeof v === 'number' && (t === 'uint' ? v >= 0 && v <= 0xffffffff : v >= -0x80000000 && v <= 0x7fffffff);
            if (small) writeScalar(w, t === 'uint' ? 'u32' : 's32', v, path);
            else writeScalar(w, t === 'uint' ? 'u64' : 's64', v, path);
          },
        };
      case 'flag':
        return {
          ...base,
          kind: K.other,
          decode(ctx, _off, len) {
            if (len !== 0) ctx.irregular = true;
            return true;
          },
          encode(_w, v, _s, path) {
            if (v !== true) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'a flag attribute takes true', path);
          },
        };
      case 'string':
        return {
          ...base,
          kind: K.string,
          decode(ctx, off, len) {
            return decodeString(ctx, off, len);
          },
          encode(w, v, _s, path) {
            if (typeof v !== 'string') throw new EncodeError('NLKIT_ERR_BAD_VALUE', `expected a string, got ${typeof v}`, path);
            w.bytes(encodeUtf8(v));
            w.u8(0);
          },
        };
      case 'binary':
        return {
          ...base,
          kind: K.binary,
          decode(ctx, off, len) {
            return decodeBytes(ctx.bytes, off, len, a.display);
          },
          encode(w, v, _s, path) {
            writeBytes(w, v, a.display, path);
          },
        };
      case 'struct': {
        let st: CompiledStruct | undefined;
        const get = () => (st ??= p.struct(need(a.struct, a, 'struct')));
        return {
          ...base,
          kind: K.other,
          decode(ctx, off, len) {
            return get().decode(ctx, off, len);
          },
          encode(w, v, _s, path) {
            get().encode(w, v, path);
          },
        };
      }
      case 'array': {
        const el = need(a.element, a, 'element') as ScalarType;
        const size = scalarSize(el);
        return {
          ...base,
          kind: K.other,
          decode(ctx, off, len) {
            const n = Math.floor(len / size);
            if (n * size !== len) ctx.irregular = true;
            const out: unknown[] = new Array(n);
            for (let i = 0; i < n; i++) out[i] = readScalar(ctx.view, off + i * size, el);
            return out;
          },
          encode(w, v, _s, path) {
            if (!Array.isArray(v)) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'expected an array', path);
            for (let i = 0; i < v.length; i++) writeScalar(w, el, v[i], path, i);
          },
        };
      }
      case 'nest': {
        let cs: CompiledSet | undefined;
        let hs: CompiledStruct | undefined;
        const getSet = () => (cs ??= p.set(need(a.set, a, 'set')));
        if (a.struct) {
          const getHeader = () => (hs ??= p.struct(a.struct!));
          return {
            ...base,
            kind: K.other,
            decode(ctx, off, len) {
              const h = getHeader();
              const hl = Math.min(h.size, len);
              const header = h.decode(ctx, off, hl);
              const at = off + align4(h.size);
              const attrs = at <= off + len ? decodeAttrs(p, getSet(), ctx, at, off + len) : {};
              // The encoder pads the header to 4 with zeros: irregular when the payload ends before
              // that padding, or the padding is not zero.
              if (at > off + len ? align4(hl) !== len : !isZero(ctx.bytes, off + h.size, at)) ctx.irregular = true;
              return { header, attrs };
            },
            encode(w, v, _s, path) {
              const o = (v ?? {}) as { header?: unknown; attrs?: Attrs };
              getHeader().encode(w, o.header ?? {}, `${path}.header`);
              w.pad();
              encodeAttrs(p, getSet(), o.attrs ?? {}, w, path);
            },
          };
        }
        return {
          ...base,
          kind: K.other,
          decode(ctx, off, len) {
            return decodeAttrs(p, getSet(), ctx, off, off + len);
          },
          encode(w, v, _s, path) {
            encodeAttrs(p, getSet(), v as Attrs, w, path);
          },
        };
      }
      case 'indexed-array':
        return { ...base, kind: K.other, ...indexedArray(p, a) };
      case 'sub-message':
        return { ...base, kind: K.other, ...subMessage(p, a, base.nestedBit) };
      case 'custom': {
        const name = need(a.custom, a, 'custom');
        const codec = () => {
          const c = p.custom[name];
          if (!c) throw new Error(`protocol ${p.def.family}: no custom codec ${name}`);
          return c;
        };
        return {
          ...base,
          // A custom value may itself be an array (RTA_MULTIPATH's next hops): one occurrence, not many.
          naturalArray: true,
          kind: K.other,
          decode(ctx, off, len) {
            return codec().decode(p, ctx, off, len);
          },
          encode(w, v, _s, path) {
            codec().encode(p, w, v, path);
          },
        };
      }
      default:
        throw new Error(`protocol ${p.def.family}: attribute ${cname} has unknown type ${String(t)}`);
    }
  }
}

function isZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return false;
  return true;
}

function need<T>(v: T | undefined, a: AttrDef, what: string): T {
  if (v === undefined) throw new Error(`attribute ${a.name} (${a.type}) needs "${what}"`);
  return v;
}

/** Decodes a NUL-terminated string; irregular when it is not exactly text + one NUL. */
function decodeString(ctx: DecodeContext, off: number, len: number): string {
  const s = readCString(ctx.bytes, off, len);
  if (s.length !== len - 1 || ctx.bytes[off + len - 1] !== 0) {
    // Non-ASCII text, a missing NUL, or bytes after the NUL.
    if (len === 0 || ctx.bytes[off + len - 1] !== 0 || encodeUtf8(s).length !== len - 1) ctx.irregular = true;
  }
  // Bytes that are not UTF-8 decode to U+FFFD, which encodes to other bytes (even of the same length).
  if (s.includes('\uFFFD')) ctx.irregular = true;
  return s;
}

function indexedArray(p: Protocol, a: AttrDef): Pick<AttrCodec, 'decode' | 'encode'> {
  const base = a.indexBase ?? 1;
  let cs: CompiledSet | undefined;
  const el = a.element;
  return {
    decode(ctx, off, len) {
      const out: unknown[] = [];
      const view = ctx.view;
      const end = off + len;
      let at = off;
      if (++ctx.depth > ctx.maxDepth) throw new DecodeError('NLKIT_ERR_TOO_DEEP', `nested attributes deeper than ${ctx.maxDepth}`, off);
      try {
        while (end - at >= 4) {
          const l = view.getUint16(at, true);
          const rt = view.getUint16(at + 2, true);
          // No path here: decodeAttrs adds this attribute's name (cname) as the error travels up.
          if (l < 4) throw new DecodeError('NLKIT_ERR_BAD_LENGTH', `attribute length ${l} < 4`, at);
          if (at + l > end) throw new DecodeError('NLKIT_ERR_TRUNCATED', `attribute of ${l} bytes overruns its container`, at);
          if (rt !== ((base + out.length) | (el === undefined && a.nested ? NLA_F_NESTED : 0))) ctx.irregular = true;
          if (el === undefined) {
            out.push(decodeAttrs(p, (cs ??= p.set(need(a.set, a, 'set'))), ctx, at + 4, at + l));
          } else if (el === 'ip') out.push(formatIp(ctx.bytes, at + 4, l - 4) ?? toHex(ctx.bytes, at + 4, l - 4));
          else if (el === 'string') out.push(decodeString(ctx, at + 4, l - 4));
          else {
            if (l - 4 < scalarSize(el)) throw new DecodeError('NLKIT_ERR_BAD_VALUE', `${el} element with ${l - 4} bytes`, at);
            if (l - 4 !== scalarSize(el)) ctx.irregular = true;
            out.push(readScalar(view, at + 4, el));
          }
          // Padding that is not zero is lost when re-encoded.
          if ((l & 3) !== 0 && !isZero(ctx.bytes, at + l, Math.min(end, at + align4(l)))) ctx.irregular = true;
          at += align4(l);
        }
        // Stray bytes at the end, or a last element without its padding (the encoder pads it).
        if (at !== end) ctx.irregular = true;
      } finally {
        ctx.depth--;
      }
      return out;
    },
    encode(w, v, _s, path) {
      if (!Array.isArray(v)) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'expected an array', path);
      for (let i = 0; i < v.length; i++) {
        const at = w.beginAttr((base + i) | (el === undefined && a.nested ? NLA_F_NESTED : 0));
        const x = v[i];
        const ep = `${path}[${i}]`;
        if (el === undefined) encodeAttrs(p, (cs ??= p.set(need(a.set, a, 'set'))), x as Attrs, w, ep);
        else if (el === 'ip') w.bytes(encodeBytes(x, 'ip', ep));
        else if (el === 'string') {
          if (typeof x !== 'string') throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'expected a string', ep);
          w.bytes(encodeUtf8(x));
          w.u8(0);
        } else writeScalar(w, el, x, ep);
        w.endAttr(at);
      }
    },
  };
}

/** The value of a sub-message's selector: a sibling attribute or a field of the message header. */
function selectorValue(ctx: DecodeContext | undefined, header: Record<string, unknown> | undefined, siblings: Attrs, selector: string): unknown {
  if (selector.startsWith('header.')) return (header ?? ctx?.header)?.[selector.slice(7)];
  // A repeated selector: its first occurrence decides, when decoding (where later ones may not
  // be seen yet) and when encoding alike.
  const v = siblings[selector];
  return Array.isArray(v) ? v[0] : v;
}

function subMessage(p: Protocol, a: AttrDef, defaultBits: number): Pick<AttrCodec, 'decode' | 'encode' | 'bitsFor'> {
  const selector = need(a.selector, a, 'selector');
  const smName = need(a.subMessage, a, 'subMessage');
  const variantOverrides = Object.values(p.def.subMessages[smName]?.variants ?? {}).some((v) => v.nested !== undefined);
  return {
    ...(variantOverrides && {
      bitsFor(siblings: Attrs, header: Record<string, unknown> | undefined) {
        const v = p.variant(smName, String(selectorValue(undefined, header, siblings, selector)));
        return v.kind === 'set' && v.nestedBit >= 0 ? v.nestedBit : defaultBits;
      },
    }),
    decode(ctx, off, len, siblings) {
      let key = selectorValue(ctx, undefined, siblings, selector);
      if (key === undefined && !selector.startsWith('header.')) key = lookAhead(ctx, siblings, selector, off + len);
      const v = p.variant(smName, String(key));
      return decodeVariant(p, v, ctx, off, len);
    },
    encode(w, v, siblings, path) {
      const key = selectorValue(undefined, encodeHeader, siblings, selector);
      encodeVariant(p, p.variant(smName, String(key)), w, v, path);
    },
  };
}

// The header of the message being encoded, for `header.*` selectors (encoding is synchronous).
let encodeHeader: Record<string, unknown> | undefined;

/** {@link encodeAttrs} with `header` visible to `header.*` selectors of sub-messages (no closure). */
export function encodeMessageAttrs(p: Protocol, cs: CompiledSet, attrs: Attrs, w: Writer, path: string, header: Record<string, unknown>): void {
  const prev = encodeHeader;
  encodeHeader = header;
  try {
    encodeAttrs(p, cs, attrs, w, path);
  } finally {
    encodeHeader = prev;
  }
}

/** Runs `fn` with `header` visible to `header.*` selectors of sub-messages. */
export function withEncodeHeader<T>(header: Record<string, unknown> | undefined, fn: () => T): T {
  const prev = encodeHeader;
  encodeHeader = header;
  try {
    return fn();
  } finally {
    encodeHeader = prev;
  }
}

// The selector attribute comes after the sub-message (RTA_ENCAP before RTA_ENCAP_TYPE): find it
// among the attributes that follow in the same container.
function lookAhead(ctx: DecodeContext, siblings: Attrs, selector: string, from: number): unknown {
  const end = ctx.scanEnd;
  const c = ctx.scanSet?.byKey.get(selector);
  if (!c) return undefined;
  const view = ctx.view;
  let at = align4(from);
  // Remembered per container: sub-messages come in wire order, so a selector found at or after
  // `at` (or found nowhere) stays the answer. Without this, many sub-messages whose selector is
  // absent scan quadratically (a second for a 64 KiB message).
  const key = `${ctx.scanStart}:${selector}`;
  const memo = ctx.lookAheadMemo?.get(key);
  if (memo !== undefined && (memo.at < 0 || memo.at >= at)) return memo.value;
  const remember = (found: number, value: unknown) => {
    (ctx.lookAheadMemo ??= new Map()).set(key, { at: found, value });
    return value;
  };
  while (end - at >= 4) {
    const l = view.getUint16(at, true);
    if (l < 4 || at + l > end) return remember(-1, undefined);
    if ((view.getUint16(at + 2, true) & NLA_TYPE_MASK) === c.value) {
      const saved = ctx.irregular;
      try {
        return remember(at, c.decode(ctx, at + 4, l - 4, siblings));
      } catch {
        return remember(at, undefined);
      } finally {
        ctx.irregular = saved;
      }
    }
    at += align4(l);
  }
  return remember(-1, undefined);
}

function decodeVariant(p: Protocol, v: Variant, ctx: DecodeContext, off: number, len: number): unknown {
  switch (v.kind) {
    case 'set':
      return decodeAttrs(p, v.set, ctx, off, off + len);
    case 'struct':
      return v.struct.decode(ctx, off, len);
    case 'string':
      return decodeString(ctx, off, len);
    case 'scalar': {
      const size = scalarSize(v.type);
      if (len < size) throw new DecodeError('NLKIT_ERR_BAD_VALUE', `${v.type} with ${len} bytes`, off - 4);
      if (len !== size) ctx.irregular = true;
      return readScalar(ctx.view, off, v.type);
    }
    case 'binary':
      return toHex(ctx.bytes, off, len);
  }
}

function encodeVariant(p: Protocol, v: Variant, w: Writer, value: unknown, path: string): void {
  switch (v.kind) {
    case 'set':
      return encodeAttrs(p, v.set, value as Attrs, w, path);
    case 'struct':
      return v.struct.encode(w, value, path);
    case 'string':
      if (typeof value !== 'string') throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'expected a string', path);
      w.bytes(encodeUtf8(value));
      return w.u8(0);
    case 'scalar':
      return writeScalar(w, v.type, value, path);
    case 'binary':
      return w.bytes(encodeBytes(value, 'hex', path));
  }
}

function withPath(e: unknown, name: string): unknown {
  if (isDecodeError(e)) return new DecodeError(e.code, e.reason, e.offset, e.path ? `${name}.${e.path}` : name);
  if (isEncodeError(e)) return e;
  return e;
}

/**
 * Decodes the attributes in `[start, end)` of `ctx.bytes` with set `cs`.
 *
 * @example
 * ```ts
 * const attrs = decodeAttrs(p, p.set('link'), new DecodeContext(bytes), 16, bytes.length);
 * ```
 */
export function decodeAttrs(p: Protocol, cs: CompiledSet, ctx: DecodeContext, start: number, end: number): Attrs {
  if (++ctx.depth > ctx.maxDepth) {
    ctx.depth--;
    throw new DecodeError('NLKIT_ERR_TOO_DEEP', `nested attributes deeper than ${ctx.maxDepth}`, start);
  }
  const out: Attrs = {};
  const view = ctx.view;
  const bytes = ctx.bytes;
  const byType = cs.byType;
  const outer = ctx.irregular;
  let irregular = false;
  let rawAt: number[] | undefined;
  let repeated: Set<string> | undefined;
  let prevKey: string | undefined;
  let seen = 0;
  let off = start;
  try {
    while (end - off >= 4) {
      const len = view.getUint16(off, true);
      const rawType = view.getUint16(off + 2, true);
      if (len < 4) throw new DecodeError('NLKIT_ERR_BAD_LENGTH', `attribute length ${len} is less than 4`, off);
      if (off + len > end) throw new DecodeError('NLKIT_ERR_TRUNCATED', `attribute of ${len} bytes (type ${rawType & NLA_TYPE_MASK}) overruns its container by ${off + len - end} bytes`, off);
      const type = rawType & NLA_TYPE_MASK;
      const c = byType[type];
      let key: string;
      let value: unknown;
      if (c === undefined) {
        key = String(type);
        value = toHex(bytes, off + 4, len - 4);
        irregular = true; // numeric keys enumerate first: keep the wire order
        if (rawType !== type) (rawAt ??= []).push(off);
      } else {
        key = c.key;
        const p0 = off + 4;
        const l0 = len - 4;
        const k = c.kind;
        if (k === K.u32 && l0 === 4) value = view.getUint32(p0, true);
        else if (k === K.binary) value = decodeBytes(bytes, p0, l0, c.display);
        else if (k === K.u8 && l0 === 1) value = view.getUint8(p0);
        else if (k === K.u16 && l0 === 2) value = view.getUint16(p0, true);
        else if (k === K.s32 && l0 === 4) value = view.getInt32(p0, true);
        else {
          ctx.irregular = false;
          if (k === K.string) value = decodeString(ctx, p0, l0);
          else {
            ctx.scanStart = start;
            ctx.scanEnd = end;
            ctx.scanSet = cs;
            try {
              value = c.decode(ctx, p0, l0, out);
            } catch (e) {
              throw withPath(e, c.cname);
            }
          }
          if (ctx.irregular) (rawAt ??= []).push(off);
        }
        if ((rawType & (NLA_F_NESTED | NLA_F_NET_BYTEORDER)) !== (c.bitsFor === undefined ? c.nestedBit : c.bitsFor(out, ctx.header))) (rawAt ??= []).push(off);
      }
      // Types below 32 are tracked in a bit mask, so the common case needs no lookup of `out`.
      const bit = type < 32 ? 1 << type : 0;
      const prev = bit !== 0 && (seen & bit) === 0 ? undefined : out[key];
      seen |= bit;
      if (prev === undefined) out[key] = c !== undefined && c.multi ? [value] : value;
      else {
        if ((c !== undefined && c.multi) || repeated?.has(key)) (prev as unknown[]).push(value);
        else {
          out[key] = [prev, value];
          (repeated ??= new Set()).add(key);
        }
        if (prevKey !== key) irregular = true;
      }
      prevKey = key;
      // Padding that is not zero (user space does not always clear it): keep the bytes verbatim.
      if ((len & 3) !== 0) {
        for (let i = off + len, e = Math.min(end, off + ((len + 3) & ~3)); i < e; i++) {
          if (bytes[i] !== 0) {
            if (rawAt?.[rawAt.length - 1] !== off) (rawAt ??= []).push(off);
            break;
          }
        }
      }
      off += (len + 3) & ~3;
    }
  } finally {
    ctx.depth--;
  }
  ctx.irregular = outer;
  let tail: Uint8Array | undefined;
  if (off < end) tail = bytes.slice(off, end);
  else if (off > end) ctx.irregular = true; // the last attribute lacked its padding: the container re-encodes longer
  if (irregular || rawAt !== undefined || tail !== undefined) setWire(out, buildWire(cs, ctx, out, start, end, rawAt, repeated, tail));
  return out;
}

/**
 * {@link decodeAttrs} for the plain case only: attributes of the set, each once, of the kinds the
 * decode loop handles inline (u8/u16/u32/s32 of their exact size, binary, regular strings),
 * without flag bits, padded with zeros, filling the container exactly. Anything else (a nest,
 * an unknown or repeated attribute, stray bytes, malformed lengths) returns undefined, and the
 * caller decodes the bytes with {@link decodeAttrs}, which keeps what re-encoding needs and
 * reports errors. When it returns attributes, they are those decodeAttrs returns, in the same
 * key order, and need no wire record (dump/route-100k api: the route dump's attributes).
 */
export function decodeFlatAttrs(cs: CompiledSet, ctx: DecodeContext, start: number, end: number): Attrs | undefined {
  if (ctx.depth >= ctx.maxDepth) return undefined;
  const out: Attrs = {};
  const view = ctx.view;
  const bytes = ctx.bytes;
  const byType = cs.byType;
  const outer = ctx.irregular;
  let seen = 0;
  let off = start;
  while (end - off >= 4) {
    const len = view.getUint16(off, true);
    const type = view.getUint16(off + 2, true); // with NLA_F_NESTED / NLA_F_NET_BYTEORDER: not plain
    if (len < 4 || off + len > end || type >= 32 || (seen & (1 << type)) !== 0) return undefined;
    seen |= 1 << type;
    const c = byType[type];
    if (c === undefined || c.multi || c.nestedBit !== 0 || c.bitsFor !== undefined) return undefined;
    const p0 = off + 4;
    const l0 = len - 4;
    const k = c.kind;
    let value: unknown;
    if (k === K.u32 && l0 === 4) value = view.getUint32(p0, true);
    else if (k === K.binary) value = decodeBytes(bytes, p0, l0, c.display);
    else if (k === K.u8 && l0 === 1) value = view.getUint8(p0);
    else if (k === K.u16 && l0 === 2) value = view.getUint16(p0, true);
    else if (k === K.s32 && l0 === 4) value = view.getInt32(p0, true);
    else if (k === K.string) {
      ctx.irregular = false;
      value = decodeString(ctx, p0, l0);
      const irregular = ctx.irregular;
      ctx.irregular = outer;
      if (irregular) return undefined;
    } else return undefined;
    out[c.key] = value;
    const next = off + ((len + 3) & ~3);
    for (let i = off + len; i < next; i++) if (bytes[i] !== 0) return undefined;
    off = next;
  }
  return off === end ? out : undefined;
}

function buildWire(cs: CompiledSet, ctx: DecodeContext, out: Attrs, start: number, end: number, rawAt: number[] | undefined, repeated: Set<string> | undefined, tail: Uint8Array | undefined): WireRecord {
  const rec: WireRecord = { order: [] };
  if (tail) rec.tail = tail;
  const counts = new Map<string, number>();
  const rawSet = rawAt === undefined ? undefined : new Set(rawAt);
  const view = ctx.view;
  let off = start;
  while (end - off >= 4) {
    const len = view.getUint16(off, true);
    const type = view.getUint16(off + 2, true) & NLA_TYPE_MASK;
    const c = cs.byType[type];
    const key = c ? c.key : String(type);
    const n = counts.get(key) ?? 0;
    counts.set(key, n + 1);
    rec.order!.push(key);
    if (rawSet?.has(off)) {
      const whole = out[key];
      const asArray = (c !== undefined && c.multi) || repeated?.has(key);
      const v = asArray ? (whole as unknown[])[n] : whole;
      // With its padding (bounded by the container), which may hold stray bytes.
      (rec.raw ??= new Map()).set(`${key}#${n}`, { snap: snapshot(v), bytes: ctx.bytes.slice(off, Math.min(end, off + align4(len))) });
    }
    off += align4(len);
  }
  return rec;
}

/**
 * Encodes an attributes object with set `cs` into `w`. `path` prefixes error messages.
 *
 * @example
 * ```ts
 * encodeAttrs(p, p.set('link'), { ifname: 'veth0', mtu: 1500 }, w, 'RTM_NEWLINK');
 * ```
 */
export function encodeAttrs(p: Protocol, cs: CompiledSet, attrs: Attrs, w: Writer, path: string): void {
  if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs)) {
    throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'expected an object of attributes', path);
  }
  const rec = wireOf(attrs);
  if (!rec?.order) {
    for (const key of Object.keys(attrs)) {
      const v = attrs[key];
      if (v === undefined || v === false) continue;
      const c = codecOf(cs, key, path);
      if (isOccurrenceList(c, v)) for (const x of v) encodeOne(p, cs, c, key, x, w, path, attrs, undefined);
      else encodeOne(p, cs, c, key, v, w, path, attrs, undefined);
    }
    return;
  }
  // Wire order first, then whatever was added since decoding.
  const seen = new Map<string, number>();
  for (const key of rec.order) {
    const v = attrs[key];
    if (v === undefined || v === false) continue;
    const c = codecOf(cs, key, path);
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const list = occurrences(c, v);
    if (n < list.length) encodeOne(p, cs, c, key, list[n], w, path, attrs, rec.raw?.get(`${key}#${n}`));
  }
  for (const key of Object.keys(attrs)) {
    const v = attrs[key];
    if (v === undefined || v === false) continue;
    const c = codecOf(cs, key, path);
    const list = occurrences(c, v);
    for (let i = seen.get(key) ?? 0; i < list.length; i++) encodeOne(p, cs, c, key, list[i], w, path, attrs, undefined);
  }
  if (rec.tail) w.bytes(rec.tail);
}

function codecOf(cs: CompiledSet, key: string, path: string): AttrCodec | undefined {
  const c = cs.byKey.get(key);
  if (c === undefined && !/^\d+$/.test(key)) {
    throw new EncodeError('NLKIT_ERR_UNKNOWN_ATTR', `${key} is not an attribute of ${cs.def.name} (${cs.def.prefix}*)`, path);
  }
  return c;
}

/** Whether `v` is a list of occurrences: an array value is one unless the type itself is an array. */
function isOccurrenceList(c: AttrCodec | undefined, v: unknown): v is readonly unknown[] {
  return Array.isArray(v) && (c === undefined || c.multi || !c.naturalArray || Array.isArray(v[0]));
}

/** The occurrences of an attribute (see {@link isOccurrenceList}). */
function occurrences(c: AttrCodec | undefined, v: unknown): readonly unknown[] {
  return isOccurrenceList(c, v) ? v : [v];
}

/**
 * The path of attribute `c` under `parent`, remembered in its set for the next request of the
 * same kind: building paths was most of what encoding a small request allocated.
 */
function childPath(cs: CompiledSet, c: AttrCodec, parent: string): string {
  if (!parent) return c.cname;
  const i = c.value;
  if (cs.pathParent[i] !== parent) {
    cs.pathParent[i] = parent;
    cs.pathText[i] = `${parent}.${c.cname}`;
  }
  return cs.pathText[i]!;
}

function encodeOne(p: Protocol, cs: CompiledSet, c: AttrCodec | undefined, key: string, v: unknown, w: Writer, path: string, siblings: Attrs, raw: { snap: string; bytes: Uint8Array } | undefined): void {
  if (raw && raw.snap === snapshot(v)) {
    w.bytes(raw.bytes);
    w.pad();
    return;
  }
  if (c === undefined) {
    const at = w.beginAttr(Number(key));
    w.bytes(encodeBytes(v, 'hex', `${path}.${cs.def.prefix}${key}`));
    w.endAttr(at);
    return;
  }
  const at = w.beginAttr(c.value | (c.bitsFor === undefined ? c.nestedBit : c.bitsFor(siblings, encodeHeader)));
  c.encode(w, v, siblings, childPath(cs, c, path));
  w.endAttr(at);
}
