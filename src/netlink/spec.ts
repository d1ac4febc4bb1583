/**
 * The shape of a protocol description: what `protocol/*.json` declares and what the generator
 * writes into `src/<family>/gen/*.ts`. The codec engine (`codec.ts`) compiles these tables into
 * decoders and encoders at first use.
 *
 * Naming rule used everywhere: an attribute's `name` is its C enum name without the set's prefix,
 * lower-cased (`IFLA_IFNAME` in set prefix `IFLA_` → `ifname`); a struct field's `name` is the C
 * field name without its prefix (`ifi_index` → `index`).
 *
 * @example
 * ```ts
 * const set: AttrSetDef = { name: 'demo', prefix: 'DEMO_', attrs: [{ name: 'mtu', value: 4, type: 'u32' }] };
 * ```
 * @module
 */

/** Fixed-size integers. `be*` are big-endian (network order); the rest are host order. */
export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 's8' | 's16' | 's32' | 's64' | 'be16' | 'be32' | 'be64';

/** How an attribute's payload is laid out. */
export type AttrType =
  | ScalarType
  | 'uint' // NLA_UINT: u32 or u64, whichever the value needs (nla_put_uint)
  | 'sint' // NLA_SINT: s32 or s64 (nla_put_sint)
  | 'flag' // no payload; decoded as true
  | 'string' // NUL-terminated text
  | 'binary' // bytes; shown per `display` (hex by default)
  | 'struct' // a fixed C struct (`struct`), tolerant of growth and shrinkage
  | 'array' // packed scalars (`element`)
  | 'nest' // nested attributes of `set`, optionally after a fixed `header` struct
  | 'indexed-array' // a nest whose children are numbered 1..n (or 0..n-1), each a `set` nest or an `element`
  | 'sub-message' // payload chosen by a sibling attribute's value (`selector`) in `subMessage`
  | 'custom'; // a hand-written codec named `custom`

/** How bytes of a `binary` attribute (or field) are shown. */
export type Display = 'hex' | 'mac' | 'ip';

/** One attribute of an attribute set. */
export interface AttrDef {
  /** C name without prefix, lower-cased. */
  readonly name: string;
  /** The attribute number (nla_type without flag bits). */
  readonly value: number;
  readonly type: AttrType;
  /** For `binary` and `array` of bytes: how to show it. */
  readonly display?: Display;
  /** For `struct`, or for `nest` with a fixed header: the struct's name. */
  readonly struct?: string;
  /** For `array` and `indexed-array` of scalars: the element type. */
  readonly element?: ScalarType | 'ip' | 'string';
  /** For `nest` and `indexed-array`: the attribute set inside. */
  readonly set?: string;
  /** For `sub-message`: the sibling attribute (key) whose value picks the variant, or `header.<field>`. */
  readonly selector?: string;
  /** For `sub-message`: the table of variants. */
  readonly subMessage?: string;
  /** For `custom`: the name of the hand-written codec. */
  readonly custom?: string;
  /** The attribute may repeat; it is always decoded as an array. */
  readonly multi?: boolean;
  /** For nest-like types: the kernel sets NLA_F_NESTED on it (and so does the encoder). */
  readonly nested?: boolean;
  /** For `indexed-array`: the first index (default 1). */
  readonly indexBase?: number;
  /** An enum or flags table that names the values (for text output). */
  readonly enum?: string;
  /** What the attribute means. */
  readonly doc?: string;
}

/** A set of attributes sharing a prefix (one C enum). */
export interface AttrSetDef {
  readonly name: string;
  /** C prefix of the enum's names, e.g. 'IFLA_'. */
  readonly prefix: string;
  readonly attrs: readonly AttrDef[];
  readonly doc?: string;
}

/** One field of a fixed struct. */
export interface FieldDef {
  /** C field name without its prefix. */
  readonly name: string;
  /** `pad` fields are not shown; they are expected to be zero. `binary` takes `len` bytes. */
  readonly type: ScalarType | 'pad' | 'binary';
  /** Byte length for `pad` and `binary`. */
  readonly len?: number;
  readonly display?: Display;
  readonly enum?: string;
  readonly doc?: string;
}

/** A fixed C struct: fixed headers of messages, and struct-valued attributes. */
export interface StructDef {
  readonly name: string;
  /** The C type, e.g. 'struct ifinfomsg'. */
  readonly c?: string;
  readonly fields: readonly FieldDef[];
  readonly doc?: string;
  /**
   * Generated decoder for the exact size: the fields as an object, or undefined when a pad field
   * is not zero (the engine then takes the general path, which keeps the bytes).
   */
  readonly fast?: (view: DataView, off: number) => object | undefined;
}

/** What a sub-message variant holds: attributes of a set, a struct, or plain bytes. */
export interface VariantDef {
  readonly set?: string;
  /** For `set`: the kernel emits this variant's nest with NLA_F_NESTED (overrides the attribute's `nested`). */
  readonly nested?: boolean;
  readonly struct?: string;
  /** Shown as text/number instead: a scalar type or 'string'. */
  readonly type?: ScalarType | 'string' | 'binary';
}

/** Variants of a sub-message keyed by the selector's value (as a string), plus an optional default. */
export interface SubMessageDef {
  readonly name: string;
  readonly variants: Readonly<Record<string, VariantDef>>;
  /** Used when the selector's value has no variant (default: bytes kept as hex). */
  readonly default?: VariantDef;
}

/** A message type of the family. */
export interface MessageDef {
  /** Kernel name, e.g. 'RTM_NEWLINK'. */
  readonly name: string;
  /** nlmsg_type. */
  readonly value: number;
  /** Fixed header struct. */
  readonly header: string;
  /** Attribute set after the header. */
  readonly attrs: string;
  /** What kind of request it is, which decides the meaning of flag bits 0x100-0x800. */
  readonly op: 'new' | 'del' | 'get' | 'set' | 'other';
  readonly doc?: string;
}

/** Names for the values of an integer (enum) or its bits (flags). */
export interface EnumDef {
  readonly name: string;
  readonly type: 'enum' | 'flags';
  /** C prefix of the entries, e.g. 'IFF_'. */
  readonly prefix: string;
  /** [name without prefix, lower-case; value]. */
  readonly entries: ReadonlyArray<readonly [string, number]>;
}

/** Everything one netlink family declares. */
export interface ProtocolDef {
  /** 'route', 'netfilter', 'generic'. */
  readonly family: string;
  readonly structs: Readonly<Record<string, StructDef>>;
  readonly sets: Readonly<Record<string, AttrSetDef>>;
  readonly subMessages: Readonly<Record<string, SubMessageDef>>;
  readonly messages: readonly MessageDef[];
  readonly enums: Readonly<Record<string, EnumDef>>;
  /** Multicast groups by name. */
  readonly groups: Readonly<Record<string, number>>;
}

/** Byte size of a scalar type. */
export function scalarSize(t: ScalarType): number {
  switch (t) {
    case 'u8':
    case 's8':
      return 1;
    case 'u16':
    case 's16':
    case 'be16':
      return 2;
    case 'u32':
    case 's32':
    case 'be32':
      return 4;
    default:
      return 8;
  }
}

/** Byte size of a struct. */
export function structSize(s: StructDef): number {
  let n = 0;
  for (const f of s.fields) n += f.type === 'pad' || f.type === 'binary' ? (f.len ?? 0) : scalarSize(f.type);
  return n;
}

/** Merges protocol parts (one per spec file) into one; later parts add to earlier ones. */
export function mergeProtocols(family: string, parts: readonly Partial<ProtocolDef>[]): ProtocolDef {
  const structs: Record<string, StructDef> = {};
  const sets: Record<string, AttrSetDef> = {};
  const subMessages: Record<string, { name: string; variants: Record<string, VariantDef>; default?: VariantDef }> = {};
  const enums: Record<string, EnumDef> = {};
  const groups: Record<string, number> = {};
  const messages: MessageDef[] = [];
  for (const p of parts) {
    Object.assign(structs, p.structs);
    Object.assign(sets, p.sets);
    Object.assign(enums, p.enums);
    Object.assign(groups, p.groups);
    if (p.messages) messages.push(...p.messages);
    for (const [k, sm] of Object.entries(p.subMessages ?? {})) {
      const cur = (subMessages[k] ??= { name: k, variants: {} });
      Object.assign(cur.variants, sm.variants);
      if (sm.default) cur.default = sm.default;
    }
  }
  return { family, structs, sets, subMessages, messages, enums, groups };
}
