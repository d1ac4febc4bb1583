/**
 * A synthetic protocol that exercises every attribute type the codec engine supports, for the
 * netlink core's unit tests. Numbers are arbitrary but fixed; the tests build bytes for them with
 * test/helpers/builder.ts.
 *
 * Messages (nlmsg_type):
 *   T_NEW 16 (op new), T_DEL 17 (op del), T_GET 18 (op get), T_SET 19 (op set) — header `thdr`
 *   T_GETG 20 (op get) — header `ghdr`, a 1-byte rtgenmsg-like header (NLMSG_LENGTH(1) = 17)
 *
 * struct thdr (8 bytes):    family u8, pad 1, kind u16, index s32
 * struct ghdr (1 byte):     family u8
 * struct tstruct (20 bytes): x u32, y u16, pad 2, z u64, addr 4 bytes (ip)
 * struct phdr (6 bytes):    index u32, type u16        (a nest header whose size is not aligned)
 *
 * Set `top` (T_*): see TOP below. Set `inner` (I_*): x u32 (1), y string (2), child nest inner (3),
 * on flag (4), mac binary mac (5).
 */
import type { ProtocolDef } from '../../src/netlink/spec.js';
import { Protocol, type CustomCodec } from '../../src/netlink/codec.js';
import { DecodeError, EncodeError } from '../../src/netlink/errors.js';

/** Attribute numbers of set `top` (prefix T_). */
export const T = {
  U8: 1,
  U16: 2,
  MTU: 3, // u32
  BIG: 4, // u64
  S8: 5,
  S16: 6,
  S32: 7,
  S64: 8,
  PORT: 9, // be16
  VNI: 10, // be32
  BE64: 11,
  UP: 12, // flag
  NAME: 13, // string
  DATA: 14, // binary hex
  LLADDR: 15, // binary mac
  ADDR: 16, // binary ip
  STATS: 17, // struct tstruct
  LIST: 18, // array of u32
  NEST: 19, // nest inner
  PEER: 20, // nest with struct phdr + inner
  SLOTS: 21, // indexed-array of inner sets (NLA_F_NESTED)
  VALS: 22, // indexed-array of u16 elements, indexBase 0
  KIND: 23, // string, the selector of INFO
  INFO: 24, // sub-message by sibling `kind`
  SPEC: 25, // sub-message by header.family
  ENCAP: 26, // sub-message by `encap_type`, which comes after it
  ENCAP_TYPE: 27, // u16
  TAG: 28, // string, multi
  PROPS: 29, // nest inner, nested: true
  HOPS: 30, // custom 'hops'
  IPS: 31, // indexed-array of ip elements
  NAMES: 32, // indexed-array of string elements
  S16ARR: 33, // array of s16
  UINT: 34, // uint (4 or 8 bytes)
  SINT: 35, // sint
} as const;

/** Attribute numbers of set `inner` (prefix I_). */
export const I = { X: 1, Y: 2, CHILD: 3, ON: 4, MAC: 5 } as const;
/** Set `alpha` (A_), variant 'alpha' of INFO. */
export const A = { ID: 1, LABEL: 2 } as const;
/** Sets `v4` (V4_) and `v6` (V6_), variants of SPEC by header.family 2 and 10. */
export const V4 = { ADDR: 1, FLAGS: 2 } as const;
export const V6 = { ADDR: 1, TOKEN: 2 } as const;
/** Set `mpls` (M_), variant 1 of ENCAP. */
export const M = { LABEL: 1, TTL: 2 } as const;

/** nlmsg_type numbers. */
export const MT = { T_NEW: 16, T_DEL: 17, T_GET: 18, T_SET: 19, T_GETG: 20 } as const;

export const testDef: ProtocolDef = {
  family: 'test',
  enums: {
    tflags: { name: 'tflags', type: 'flags', prefix: 'TF_', entries: [['one', 1], ['two', 2]] },
  },
  groups: { T_GRP_A: 1, T_GRP_B: 2 },
  structs: {
    thdr: {
      name: 'thdr',
      c: 'struct thdr',
      fields: [
        { name: 'family', type: 'u8' },
        { name: 'pad', type: 'pad', len: 1 },
        { name: 'kind', type: 'u16' },
        { name: 'index', type: 's32' },
      ],
    },
    ghdr: { name: 'ghdr', c: 'struct ghdr', fields: [{ name: 'family', type: 'u8' }] },
    tstruct: {
      name: 'tstruct',
      fields: [
        { name: 'x', type: 'u32' },
        { name: 'y', type: 'u16' },
        { name: 'pad', type: 'pad', len: 2 },
        { name: 'z', type: 'u64' },
        { name: 'addr', type: 'binary', len: 4, display: 'ip' },
      ],
    },
    phdr: {
      name: 'phdr',
      fields: [
        { name: 'index', type: 'u32' },
        { name: 'type', type: 'u16' },
      ],
    },
  },
  sets: {
    top: {
      name: 'top',
      prefix: 'T_',
      attrs: [
        { name: 'u8', value: T.U8, type: 'u8' },
        { name: 'u16', value: T.U16, type: 'u16' },
        { name: 'mtu', value: T.MTU, type: 'u32' },
        { name: 'big', value: T.BIG, type: 'u64' },
        { name: 's8', value: T.S8, type: 's8' },
        { name: 's16', value: T.S16, type: 's16' },
        { name: 's32', value: T.S32, type: 's32' },
        { name: 's64', value: T.S64, type: 's64' },
        { name: 'port', value: T.PORT, type: 'be16' },
        { name: 'vni', value: T.VNI, type: 'be32' },
        { name: 'be64', value: T.BE64, type: 'be64' },
        { name: 'up', value: T.UP, type: 'flag' },
        { name: 'name', value: T.NAME, type: 'string' },
        { name: 'data', value: T.DATA, type: 'binary' },
        { name: 'lladdr', value: T.LLADDR, type: 'binary', display: 'mac' },
        { name: 'addr', value: T.ADDR, type: 'binary', display: 'ip' },
        { name: 'stats', value: T.STATS, type: 'struct', struct: 'tstruct' },
        { name: 'list', value: T.LIST, type: 'array', element: 'u32' },
        { name: 'nest', value: T.NEST, type: 'nest', set: 'inner' },
        { name: 'peer', value: T.PEER, type: 'nest', set: 'inner', struct: 'phdr' },
        { name: 'slots', value: T.SLOTS, type: 'indexed-array', set: 'inner', nested: true },
        { name: 'vals', value: T.VALS, type: 'indexed-array', element: 'u16', indexBase: 0 },
        { name: 'kind', value: T.KIND, type: 'string' },
        { name: 'info', value: T.INFO, type: 'sub-message', selector: 'kind', subMessage: 'info-data' },
        { name: 'spec', value: T.SPEC, type: 'sub-message', selector: 'header.family', subMessage: 'by-family' },
        { name: 'encap', value: T.ENCAP, type: 'sub-message', selector: 'encap_type', subMessage: 'encap', nested: true },
        { name: 'encap_type', value: T.ENCAP_TYPE, type: 'u16' },
        { name: 'tag', value: T.TAG, type: 'string', multi: true },
        { name: 'props', value: T.PROPS, type: 'nest', set: 'inner', nested: true },
        { name: 'hops', value: T.HOPS, type: 'custom', custom: 'hops' },
        { name: 'ips', value: T.IPS, type: 'indexed-array', element: 'ip' },
        { name: 'names', value: T.NAMES, type: 'indexed-array', element: 'string' },
        { name: 's16arr', value: T.S16ARR, type: 'array', element: 's16' },
        { name: 'uint', value: T.UINT, type: 'uint' },
        { name: 'sint', value: T.SINT, type: 'sint' },
      ],
    },
    inner: {
      name: 'inner',
      prefix: 'I_',
      attrs: [
        { name: 'x', value: I.X, type: 'u32' },
        { name: 'y', value: I.Y, type: 'string' },
        { name: 'child', value: I.CHILD, type: 'nest', set: 'inner' },
        { name: 'on', value: I.ON, type: 'flag' },
        { name: 'mac', value: I.MAC, type: 'binary', display: 'mac' },
      ],
    },
    alpha: {
      name: 'alpha',
      prefix: 'A_',
      attrs: [
        { name: 'id', value: A.ID, type: 'u32' },
        { name: 'label', value: A.LABEL, type: 'string' },
      ],
    },
    v4: {
      name: 'v4',
      prefix: 'V4_',
      attrs: [
        { name: 'addr', value: V4.ADDR, type: 'binary', display: 'ip' },
        { name: 'flags', value: V4.FLAGS, type: 'u32', enum: 'tflags' },
      ],
    },
    v6: {
      name: 'v6',
      prefix: 'V6_',
      attrs: [
        { name: 'addr', value: V6.ADDR, type: 'binary', display: 'ip' },
        { name: 'token', value: V6.TOKEN, type: 'binary' },
      ],
    },
    mpls: {
      name: 'mpls',
      prefix: 'M_',
      attrs: [
        { name: 'label', value: M.LABEL, type: 'u32' },
        { name: 'ttl', value: M.TTL, type: 'u8' },
      ],
    },
  },
  subMessages: {
    'info-data': {
      name: 'info-data',
      variants: {
        alpha: { set: 'alpha' },
        beta: { struct: 'tstruct' },
        gamma: { type: 'u32' },
        delta: { type: 'string' },
      },
      default: { type: 'binary' },
    },
    'by-family': {
      name: 'by-family',
      variants: {
        '2': { set: 'v4' },
        '10': { set: 'v6', nested: true },
      },
    },
    encap: {
      name: 'encap',
      variants: { '1': { set: 'mpls' }, '2': { type: 'be32' } },
      default: { type: 'binary' },
    },
  },
  messages: [
    { name: 'T_NEW', value: MT.T_NEW, header: 'thdr', attrs: 'top', op: 'new' },
    { name: 'T_DEL', value: MT.T_DEL, header: 'thdr', attrs: 'top', op: 'del' },
    { name: 'T_GET', value: MT.T_GET, header: 'thdr', attrs: 'top', op: 'get' },
    { name: 'T_SET', value: MT.T_SET, header: 'thdr', attrs: 'top', op: 'set' },
    { name: 'T_GETG', value: MT.T_GETG, header: 'ghdr', attrs: 'top', op: 'get' },
  ],
};

/** One hop of the custom `hops` attribute: packed 8-byte records {len u16, flags u8, weight u8, ifindex s32}. */
export interface Hop {
  flags: number;
  weight: number;
  ifindex: number;
}

/**
 * The custom codec `hops` (like RTA_MULTIPATH without attributes): an array of 8-byte records;
 * a record whose len is not 8, or bytes after the last record, make the value irregular.
 */
export const hopsCodec: CustomCodec = {
  decode(_p, ctx, off, len) {
    const out: Hop[] = [];
    const end = off + len;
    let at = off;
    while (end - at >= 8) {
      const l = ctx.view.getUint16(at, true);
      if (l < 8) throw new DecodeError('NLKIT_ERR_BAD_LENGTH', `hop length ${l} < 8`, at);
      if (l !== 8) ctx.irregular = true;
      if (at + l > end) throw new DecodeError('NLKIT_ERR_TRUNCATED', `hop of ${l} bytes overruns`, at);
      out.push({ flags: ctx.view.getUint8(at + 2), weight: ctx.view.getUint8(at + 3), ifindex: ctx.view.getInt32(at + 4, true) });
      at += (l + 3) & ~3;
    }
    if (at !== end) ctx.irregular = true;
    return out;
  },
  encode(_p, w, value, path) {
    if (!Array.isArray(value)) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'hops takes an array', path);
    for (const h of value as Hop[]) {
      w.u16(8);
      w.u8(h.flags);
      w.u8(h.weight);
      w.s32(h.ifindex);
    }
  },
};

/** A fresh compiled test protocol (each call compiles anew). */
export function testProtocol(): Protocol {
  return new Protocol(testDef, { hops: hopsCodec });
}
