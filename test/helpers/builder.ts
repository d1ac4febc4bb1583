/**
 * A test-only netlink byte builder, written from the ABI in include/uapi/linux/netlink.h and
 * sharing no code with src/ (STYLE #12): what the codec produces is compared with what this
 * builder lays out, so a bug in the codec cannot hide behind the same bug here.
 *
 * - struct nlmsghdr: nlmsg_len u32 (header + payload, without the padding after it), nlmsg_type
 *   u16, nlmsg_flags u16, nlmsg_seq u32, nlmsg_pid u32 — 16 bytes, host order (little-endian on
 *   the x86_64/arm64 machines this runs on).
 * - struct nlattr: nla_len u16 (header + payload, without padding), nla_type u16 (bit 15
 *   NLA_F_NESTED, bit 14 NLA_F_NET_BYTEORDER) — 4 bytes; every attribute starts 4-aligned
 *   (NLA_ALIGN), so a payload is followed by 0-3 zero bytes.
 *
 * @example
 * ```ts
 * const bytes = msg(16, 0x5, 1, 0).u32(0).str(3, 'veth0').nest(18, (b) => b.str(1, 'veth')).build();
 * ```
 */

export const F_NESTED = 0x8000;
export const F_NET_BYTEORDER = 0x4000;

const LE = true;

/** Options of an attribute. */
export interface AttrOpts {
  /** Bits or-ed into nla_type (F_NESTED, F_NET_BYTEORDER). */
  flags?: number;
  /** nla_len to write instead of the true length (for malformed input). */
  len?: number;
  /** Leave out the 0-3 padding bytes after the payload. */
  noPad?: boolean;
}

/** A payload under construction: primitives and attributes, appended in order. */
export class Bytes {
  protected parts: number[] = [];
  /** Byte offsets of named points, relative to the start of this builder's bytes. */
  readonly marks = new Map<string, number>();

  get length(): number {
    return this.parts.length;
  }

  /** Records the current offset under `name` (nested builders' marks are carried up). */
  mark(name: string): this {
    this.marks.set(name, this.parts.length);
    return this;
  }

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.raw(fixed(2, (d) => d.setUint16(0, v, LE)));
  }
  u32(v: number): this {
    return this.raw(fixed(4, (d) => d.setUint32(0, v >>> 0, LE)));
  }
  s8(v: number): this {
    return this.raw(fixed(1, (d) => d.setInt8(0, v)));
  }
  s16(v: number): this {
    return this.raw(fixed(2, (d) => d.setInt16(0, v, LE)));
  }
  s32(v: number): this {
    return this.raw(fixed(4, (d) => d.setInt32(0, v, LE)));
  }
  u64(v: bigint): this {
    return this.raw(fixed(8, (d) => d.setBigUint64(0, v, LE)));
  }
  s64(v: bigint): this {
    return this.raw(fixed(8, (d) => d.setBigInt64(0, v, LE)));
  }
  be16(v: number): this {
    return this.raw(fixed(2, (d) => d.setUint16(0, v, false)));
  }
  be32(v: number): this {
    return this.raw(fixed(4, (d) => d.setUint32(0, v >>> 0, false)));
  }
  be64(v: bigint): this {
    return this.raw(fixed(8, (d) => d.setBigUint64(0, v, false)));
  }
  /** Bytes given as numbers, arrays of numbers, Uint8Arrays or hex strings. */
  bytes(...items: Array<number | readonly number[] | Uint8Array | string>): this {
    for (const it of items) {
      if (typeof it === 'number') this.parts.push(it & 0xff);
      else if (typeof it === 'string') this.raw(hex(it));
      else this.raw(it);
    }
    return this;
  }
  /** ASCII/UTF-8 text without a NUL. */
  text(s: string): this {
    return this.raw(new TextEncoder().encode(s));
  }
  zeros(n: number): this {
    for (let i = 0; i < n; i++) this.parts.push(0);
    return this;
  }
  /** Zero bytes up to the next multiple of 4 (of this builder's own length). */
  pad(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]! & 0xff);
    return this;
  }

  /**
   * An attribute: nlattr header, the payload (bytes, or built by `fn`), then padding. Marks set
   * inside `fn` are carried up, shifted by the attribute's payload offset.
   */
  attr(type: number, payload: ArrayLike<number> | ((b: Bytes) => unknown), opts: AttrOpts = {}): this {
    let body: ArrayLike<number>;
    let inner: Map<string, number> | undefined;
    if (typeof payload === 'function') {
      const b = new Bytes();
      payload(b);
      body = b.parts;
      inner = b.marks;
    } else body = payload;
    const at = this.parts.length;
    const len = opts.len ?? 4 + body.length;
    this.u16(len).u16(type | (opts.flags ?? 0)).raw(body);
    if (inner) for (const [k, v] of inner) this.marks.set(k, at + 4 + v);
    if (!opts.noPad) while ((this.parts.length - at) % 4 !== 0) this.parts.push(0);
    return this;
  }
  /** A nested attribute; `nested: true` sets NLA_F_NESTED. */
  nest(type: number, fn: (b: Bytes) => unknown, opts: AttrOpts & { nested?: boolean } = {}): this {
    return this.attr(type, fn, { ...opts, flags: (opts.flags ?? 0) | (opts.nested ? F_NESTED : 0) });
  }
  /** A NUL-terminated string attribute (`nul: false` leaves the NUL out). */
  str(type: number, s: string, opts: AttrOpts & { nul?: boolean } = {}): this {
    const b = new TextEncoder().encode(s);
    return this.attr(type, opts.nul === false ? b : [...b, 0], opts);
  }
  flag(type: number, opts: AttrOpts = {}): this {
    return this.attr(type, [], opts);
  }
  attrU8(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.u8(v), opts);
  }
  attrU16(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.u16(v), opts);
  }
  attrU32(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.u32(v), opts);
  }
  attrU64(type: number, v: bigint, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.u64(v), opts);
  }
  attrS8(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.s8(v), opts);
  }
  attrS16(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.s16(v), opts);
  }
  attrS32(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.s32(v), opts);
  }
  attrS64(type: number, v: bigint, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.s64(v), opts);
  }
  attrBe16(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.be16(v), opts);
  }
  attrBe32(type: number, v: number, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.be32(v), opts);
  }
  attrBe64(type: number, v: bigint, opts: AttrOpts = {}): this {
    return this.attr(type, (b) => b.be64(v), opts);
  }
  attrBytes(type: number, b: ArrayLike<number> | string, opts: AttrOpts = {}): this {
    return this.attr(type, typeof b === 'string' ? hex(b) : b, opts);
  }

  /** The bytes so far. */
  toBytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** One netlink message: the 16-byte nlmsghdr, then the payload appended with {@link Bytes} methods. */
export class Msg extends Bytes {
  private readonly hdr: { type: number; flags: number; seq: number; pid: number };
  private lenOverride: number | undefined;
  private padAfter = true;

  constructor(type: number, flags: number, seq: number, pid: number) {
    super();
    this.hdr = { type, flags, seq, pid };
  }

  /** Writes `n` as nlmsg_len instead of the true length. */
  len(n: number): this {
    this.lenOverride = n;
    return this;
  }
  /** Leaves out the padding after the payload. */
  noPad(): this {
    this.padAfter = false;
    return this;
  }

  /** The message: nlmsg_len = 16 + payload (padding excluded), then padding to 4 unless `noPad`. */
  build(): Uint8Array {
    const payload = this.parts;
    const len = this.lenOverride ?? 16 + payload.length;
    const total = this.padAfter ? (16 + payload.length + 3) & ~3 : 16 + payload.length;
    const out = new Uint8Array(total);
    const d = new DataView(out.buffer);
    d.setUint32(0, len >>> 0, LE);
    d.setUint16(4, this.hdr.type, LE);
    d.setUint16(6, this.hdr.flags, LE);
    d.setUint32(8, this.hdr.seq >>> 0, LE);
    d.setUint32(12, this.hdr.pid >>> 0, LE);
    out.set(payload, 16);
    return out;
  }

  /** Offsets of the marks relative to the start of the message (header included). */
  offsets(): Map<string, number> {
    const m = new Map<string, number>();
    for (const [k, v] of this.marks) m.set(k, 16 + v);
    return m;
  }
}

/** Starts a message of type `type`. */
export function msg(type: number, flags = 0, seq = 0, pid = 0): Msg {
  return new Msg(type, flags, seq, pid);
}

/** A payload builder (attributes, structs) without a message header. */
export function bytes(): Bytes {
  return new Bytes();
}

/** Concatenates messages (each already padded by `build`) into one datagram. */
export function datagram(...parts: ArrayLike<number>[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Bytes of a hex string (spaces allowed). Throws on bad input: this is for literals in tests. */
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex literal ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Lower-case hex of bytes. */
export function toHexString(b: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i]! & 0xff).toString(16).padStart(2, '0');
  return s;
}

function fixed(n: number, fn: (d: DataView) => void): Uint8Array {
  const b = new Uint8Array(n);
  fn(new DataView(b.buffer));
  return b;
}

/**
 * A minimal, independent walker over the TLVs of a payload: [offset, nla_len, nla_type] of each
 * attribute in `[start, end)`. Used by fake kernels in tests to find attributes in requests.
 */
export function walkAttrs(b: Uint8Array, start: number, end: number): Array<{ off: number; len: number; type: number }> {
  const d = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Array<{ off: number; len: number; type: number }> = [];
  let at = start;
  while (end - at >= 4) {
    const len = d.getUint16(at, LE);
    if (len < 4 || at + len > end) break;
    out.push({ off: at, len, type: d.getUint16(at + 2, LE) & 0x3fff });
    at += (len + 3) & ~3;
  }
  return out;
}
