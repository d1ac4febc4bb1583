/**
 * A growable byte buffer for building netlink messages: primitives in host or network byte
 * order, attributes, and nests whose length is patched when they end.
 *
 * @example
 * ```ts
 * const w = new Writer();
 * const msg = w.beginMessage(16, 0x301, 1, 0);       // RTM_NEWLINK, REQUEST|ACK|...
 * w.zeros(16);                                       // ifinfomsg
 * w.attrString(3, 'veth0');                          // IFLA_IFNAME
 * const nest = w.beginAttr(18 | NLA_F_NESTED);       // IFLA_LINKINFO
 * w.attrString(1, 'veth');                           // IFLA_INFO_KIND
 * w.endAttr(nest);
 * w.endMessage(msg);
 * const bytes = w.finish();
 * ```
 * @module
 */
import { EncodeError } from './errors.js';
import { encodeUtf8 } from './bytes.js';

const EMPTY = new Uint8Array(0);

/** Builds netlink bytes. Nothing here knows a protocol: it only lays out TLVs and headers. */
export class Writer {
  /** The buffer; only the first `length` bytes are meaningful. */
  buf: Uint8Array = EMPTY;
  /** A view of `buf`, rebuilt only when `buf` grows. */
  view: DataView = new DataView(EMPTY.buffer);
  /** Bytes written so far. */
  length = 0;

  constructor(initialSize = 256) {
    this.grow(initialSize);
  }

  /** Makes room for `n` more bytes (doubling), keeping what was written. */
  ensure(n: number): void {
    if (this.length + n > this.buf.length) this.grow(this.length + n);
  }

  private grow(min: number): void {
    let size = Math.max(64, this.buf.length * 2);
    while (size < min) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }

  u8(v: number): void {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
  }
  u16(v: number, littleEndian = true): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, littleEndian);
    this.length += 2;
  }
  u32(v: number, littleEndian = true): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, littleEndian);
    this.length += 4;
  }
  s8(v: number): void {
    this.ensure(1);
    this.view.setInt8(this.length, v);
    this.length += 1;
  }
  s16(v: number, littleEndian = true): void {
    this.ensure(2);
    this.view.setInt16(this.length, v, littleEndian);
    this.length += 2;
  }
  s32(v: number, littleEndian = true): void {
    this.ensure(4);
    this.view.setInt32(this.length, v, littleEndian);
    this.length += 4;
  }
  u64(v: bigint, littleEndian = true): void {
    this.ensure(8);
    this.view.setBigUint64(this.length, v, littleEndian);
    this.length += 8;
  }
  s64(v: bigint, littleEndian = true): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, v, littleEndian);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  zeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  /** Zero bytes up to the next multiple of 4. */
  pad(): void {
    const n = (4 - (this.length & 3)) & 3;
    if (n) this.zeros(n);
  }

  /** Starts an nlmsghdr; returns its offset for {@link endMessage}. */
  beginMessage(type: number, flags: number, seq: number, pid: number): number {
    const at = this.length;
    this.ensure(16);
    const v = this.view;
    v.setUint32(at, 0, true);
    v.setUint16(at + 4, type, true);
    v.setUint16(at + 6, flags, true);
    v.setUint32(at + 8, seq >>> 0, true);
    v.setUint32(at + 12, pid >>> 0, true);
    this.length += 16;
    return at;
  }
  /**
   * Patches nlmsg_len and pads to 4. Like the kernel's nlmsg_end and iproute2, the length covers
   * the header and payload but not the padding after a header-only message (NLMSG_LENGTH(1) = 17
   * for an rtgenmsg); attributes are already padded, so messages with attributes have aligned lengths.
   */
  endMessage(at: number): void {
    this.view.setUint32(at, this.length - at, true);
    this.pad();
  }

  /** Starts an attribute of type `type` (flags included); returns its offset for {@link endAttr}. */
  beginAttr(type: number): number {
    const at = this.length;
    this.ensure(4);
    this.view.setUint16(at + 2, type, true);
    this.length += 4;
    return at;
  }
  /** Patches nla_len (header included, padding excluded) and pads to 4. */
  endAttr(at: number): void {
    const len = this.length - at;
    if (len > 0xffff) throw new EncodeError('NLKIT_ERR_TOO_LONG', `attribute of ${len} bytes exceeds 65535`);
    this.view.setUint16(at, len, true);
    this.pad();
  }

  attrU32(type: number, v: number): void {
    const a = this.beginAttr(type);
    this.u32(v);
    this.endAttr(a);
  }
  attrU8(type: number, v: number): void {
    const a = this.beginAttr(type);
    this.u8(v);
    this.endAttr(a);
  }
  attrString(type: number, s: string): void {
    const a = this.beginAttr(type);
    this.bytes(encodeUtf8(s));
    this.u8(0);
    this.endAttr(a);
  }
  attrBytes(type: number, b: Uint8Array): void {
    const a = this.beginAttr(type);
    this.bytes(b);
    this.endAttr(a);
  }

  /** A copy of the written bytes; the writer can then be {@link reset} and reused. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  /** Forgets what was written, keeping the buffer. */
  reset(): void {
    this.length = 0;
  }
}
