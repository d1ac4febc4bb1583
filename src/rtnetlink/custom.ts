/**
 * Hand-written codecs for the irregular parts of rtnetlink that a declarative table cannot say:
 *
 * - `rta-multipath` (RTA_MULTIPATH): a packed list of `struct rtnexthop` (len u16, flags u8,
 *   hops u8, ifindex s32), each followed by route attributes (RTA_GATEWAY, RTA_VIA, RTA_ENCAP…).
 *   Decoded as `[{ flags, hops, ifindex, attrs }]`; `hops` is the weight minus one.
 * - `rta-via` (RTA_VIA): `struct rtvia` (family u16, then the address) as `{ family, addr }`.
 *
 * @example
 * ```ts
 * // RTA_MULTIPATH of `ip route add 10.123.5.0/24 nexthop via 10.123.1.2 nexthop via 10.123.2.2`
 * attrs.multipath; // [{ flags: 0, hops: 0, ifindex: 2, attrs: { gateway: '10.123.1.2' } }, ...]
 * ```
 * @module
 */
import { align4 } from '../netlink/constants.js';
import { DecodeError, EncodeError } from '../netlink/errors.js';
import { formatIp, parseIp, toHex, fromHex } from '../netlink/bytes.js';
import { type Attrs, type CustomCodec, decodeAttrs, encodeAttrs } from '../netlink/codec.js';

/** One next hop of RTA_MULTIPATH. */
export interface RtNexthop {
  /** RTNH_F_* flags. */
  flags: number;
  /** Weight minus one (ip's `weight` is hops + 1). */
  hops: number;
  /** Output interface index. */
  ifindex: number;
  /** Route attributes of this next hop (gateway, via, encap, flow, ...). */
  attrs: Attrs;
}

/** RTA_VIA: a gateway of another address family (e.g. IPv6 next hop of an IPv4 route). */
export interface RtVia {
  /** Address family of `addr` (AF_INET 2, AF_INET6 10, ...). */
  family: number;
  /** The address as text (or hex for families other than IPv4/IPv6). */
  addr: string;
}

const RTNH_SIZE = 8;

export const rtaMultipath: CustomCodec = {
  decode(p, ctx, off, len) {
    const out: RtNexthop[] = [];
    const view = ctx.view;
    const end = off + len;
    let at = off;
    while (end - at >= RTNH_SIZE) {
      const l = view.getUint16(at, true);
      if (l < RTNH_SIZE) throw new DecodeError('NLKIT_ERR_BAD_LENGTH', `rtnh_len ${l} is less than ${RTNH_SIZE}`, at);
      if (at + l > end) throw new DecodeError('NLKIT_ERR_TRUNCATED', `next hop of ${l} bytes overruns RTA_MULTIPATH`, at);
      const attrs = decodeAttrs(p, p.set('route'), ctx, at + RTNH_SIZE, at + l);
      out.push({ flags: view.getUint8(at + 2), hops: view.getUint8(at + 3), ifindex: view.getInt32(at + 4, true), attrs });
      // The encoder pads every next hop with zeros: anything else will not re-encode the same.
      for (let i = at + l; i < Math.min(align4(at + l), end); i++) if (ctx.bytes[i] !== 0) ctx.irregular = true;
      at += align4(l);
    }
    if (at !== end) ctx.irregular = true;
    return out;
  },
  encode(p, w, value, path) {
    if (!Array.isArray(value)) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'RTA_MULTIPATH takes an array of next hops', path);
    value.forEach((nh: Partial<RtNexthop>, i) => {
      const at = w.length;
      w.u16(0);
      w.u8(nh.flags ?? 0);
      w.u8(nh.hops ?? 0);
      w.s32(nh.ifindex ?? 0);
      encodeAttrs(p, p.set('route'), nh.attrs ?? {}, w, `${path}[${i}]`);
      w.view.setUint16(at, w.length - at, true);
      w.pad();
    });
  },
};

export const rtaVia: CustomCodec = {
  decode(_p, ctx, off, len) {
    if (len < 2) throw new DecodeError('NLKIT_ERR_BAD_VALUE', `RTA_VIA of ${len} bytes`, off - 4, 'RTA_VIA');
    const family = ctx.view.getUint16(off, true);
    const addr = formatIp(ctx.bytes, off + 2, len - 2) ?? toHex(ctx.bytes, off + 2, len - 2);
    return { family, addr } satisfies RtVia;
  },
  encode(_p, w, value, path) {
    const v = value as Partial<RtVia>;
    const addr = typeof v?.addr === 'string' ? (v.addr.includes('.') || v.addr.includes(':') ? parseIp(v.addr) : fromHex(v.addr)) : undefined;
    if (!addr) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'RTA_VIA takes { family, addr }', path);
    w.u16(v.family ?? (addr.length === 16 ? 10 : 2));
    w.bytes(addr);
  },
};

/** Every custom codec of the route family, by the name specs use. */
export const routeCustomCodecs: Readonly<Record<string, CustomCodec>> = {
  'rta-multipath': rtaMultipath,
  'rta-via': rtaVia,
};
