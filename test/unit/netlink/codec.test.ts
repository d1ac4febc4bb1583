// The attribute engine against bytes laid out by the independent test builder: every attribute
// type decodes to the object written here by hand, encodes back to the same bytes, and irregular
// input (what newer kernels or other tools may send) still round-trips byte for byte.
import t, { type Test } from 'tap';
import { decodeDatagram, encodeMessage, type Message } from '../../../src/netlink/message.js';
import { isEncodeError } from '../../../src/netlink/errors.js';
import { F_NESTED, F_NET_BYTEORDER, type Bytes, bytes, datagram, hex, msg, toHexString } from '../../helpers/builder.js';
import { A, I, M, MT, T, V4, V6, testProtocol } from '../../helpers/test-protocol.js';

const p = testProtocol();
const REQ_NEW = 0x01 | 0x04 | 0x400; // REQUEST | ACK | CREATE
const NEW_FLAGS = ['NLM_F_REQUEST', 'NLM_F_ACK', 'NLM_F_CREATE'];

/** struct thdr: family u8, pad 1, kind u16, index s32. */
function thdr(b: Bytes, family = 0, kind = 0, index = 0): Bytes {
  return b.u8(family).u8(0).u16(kind).s32(index);
}
/** A T_NEW message with header (family) and the attributes added by `fn`. */
function tnew(fn: (b: Bytes) => unknown, family = 0): Uint8Array {
  const m = msg(MT.T_NEW, REQ_NEW, 7, 0);
  thdr(m, family);
  fn(m);
  return m.build();
}
function expectNew(attrs: Record<string, unknown>, family = 0): Message {
  return { type: 'T_NEW', flags: NEW_FLAGS, seq: 7, pid: 0, header: { family, kind: 0, index: 0 }, attrs };
}

/** Decodes one message, compares it with `expected`, encodes it back and compares the bytes. */
function roundTrip(tt: Test, bytesIn: Uint8Array, expected: Message, what: string): Message {
  const msgs = decodeDatagram(p, bytesIn);
  tt.equal(msgs.length, 1, `${what}: one message`);
  const m = msgs[0]!;
  tt.strictSame({ ...m }, expected, `${what}: decoded`);
  tt.equal(toHexString(encodeMessage(p, m)), toHexString(bytesIn), `${what}: encodes to the same bytes`);
  return m;
}

t.test('every attribute type: builder bytes → object → same bytes', async (t) => {
  const cases: Array<[string, (b: Bytes) => unknown, Record<string, unknown>, number?]> = [
    ['u8', (b) => b.attrU8(T.U8, 200), { u8: 200 }],
    ['u16', (b) => b.attrU16(T.U16, 0xbeef), { u16: 0xbeef }],
    ['u32', (b) => b.attrU32(T.MTU, 0xfffffffe), { mtu: 0xfffffffe }],
    ['u64 small is a number', (b) => b.attrU64(T.BIG, 123456789012n), { big: 123456789012 }],
    ['u64 2^53-1 is a number', (b) => b.attrU64(T.BIG, 2n ** 53n - 1n), { big: 2 ** 53 - 1 }],
    ['u64 2^53+1 is a bigint', (b) => b.attrU64(T.BIG, 2n ** 53n + 1n), { big: 2n ** 53n + 1n }],
    ['u64 max', (b) => b.attrU64(T.BIG, 2n ** 64n - 1n), { big: 2n ** 64n - 1n }],
    ['s8', (b) => b.attrS8(T.S8, -5), { s8: -5 }],
    ['s16', (b) => b.attrS16(T.S16, -300), { s16: -300 }],
    ['s32', (b) => b.attrS32(T.S32, -70000), { s32: -70000 }],
    ['s64 small', (b) => b.attrS64(T.S64, -5n), { s64: -5 }],
    ['s64 below -2^53', (b) => b.attrS64(T.S64, -(2n ** 60n)), { s64: -(2n ** 60n) }],
    ['be16', (b) => b.attrBe16(T.PORT, 4789), { port: 4789 }],
    ['be32', (b) => b.attrBe32(T.VNI, 0x123456), { vni: 0x123456 }],
    ['be64 small', (b) => b.attrBe64(T.BE64, 0x0102030405n), { be64: 0x0102030405 }],
    ['be64 2^63', (b) => b.attrBe64(T.BE64, 2n ** 63n), { be64: 2n ** 63n }],
    ['uint 4 bytes', (b) => b.attrU32(T.UINT, 0xffffffff), { uint: 0xffffffff }],
    ['uint 8 bytes', (b) => b.attrU64(T.UINT, 2n ** 32n), { uint: 2 ** 32 }],
    ['sint 4 bytes', (b) => b.attrS32(T.SINT, -2), { sint: -2 }],
    ['sint 8 bytes', (b) => b.attrS64(T.SINT, -(2n ** 40n)), { sint: -(2 ** 40) }],
    ['flag', (b) => b.flag(T.UP), { up: true }],
    ['string', (b) => b.str(T.NAME, 'veth0'), { name: 'veth0' }],
    ['empty string', (b) => b.str(T.NAME, ''), { name: '' }],
    ['UTF-8 string', (b) => b.str(T.NAME, 'brücke-ü€😀'), { name: 'brücke-ü€😀' }],
    ['long string', (b) => b.str(T.NAME, 'x'.repeat(100)), { name: 'x'.repeat(100) }],
    ['binary hex', (b) => b.attrBytes(T.DATA, 'deadbeef01'), { data: 'deadbeef01' }],
    ['binary empty', (b) => b.attrBytes(T.DATA, ''), { data: '' }],
    ['mac', (b) => b.attrBytes(T.LLADDR, '0200aabbccdd'), { lladdr: '02:00:aa:bb:cc:dd' }],
    ['mac of 20 bytes (infiniband)', (b) => b.attrBytes(T.LLADDR, '00'.repeat(19) + 'ff'), { lladdr: '00:'.repeat(19) + 'ff' }],
    ['ipv4', (b) => b.attrBytes(T.ADDR, [10, 123, 0, 1]), { addr: '10.123.0.1' }],
    ['ipv6', (b) => b.attrBytes(T.ADDR, 'fd000123000000000000000000000001'), { addr: 'fd00:123::1' }],
    ['ipv4-mapped ipv6', (b) => b.attrBytes(T.ADDR, '00000000000000000000ffff0a7b0001'), { addr: '::ffff:10.123.0.1' }],
    ['ip of odd length stays hex', (b) => b.attrBytes(T.ADDR, '0a7b00'), { addr: '0a7b00' }],
    [
      'struct',
      (b) => b.attr(T.STATS, (s) => s.u32(1).u16(2).zeros(2).u64(2n ** 60n).bytes(192, 0, 2, 1)),
      { stats: { x: 1, y: 2, z: 2n ** 60n, addr: '192.0.2.1' } },
    ],
    ['array u32', (b) => b.attr(T.LIST, (s) => s.u32(1).u32(2).u32(0xffffffff)), { list: [1, 2, 0xffffffff] }],
    ['array empty', (b) => b.attr(T.LIST, []), { list: [] }],
    ['array s16', (b) => b.attr(T.S16ARR, (s) => s.s16(-1).s16(2)), { s16arr: [-1, 2] }],
    [
      'nest',
      (b) => b.nest(T.NEST, (n) => n.attrU32(I.X, 5).str(I.Y, 'a').nest(I.CHILD, (c) => c.attrU32(I.X, 6).flag(I.ON))),
      { nest: { x: 5, y: 'a', child: { x: 6, on: true } } },
    ],
    ['empty nest', (b) => b.nest(T.NEST, () => undefined), { nest: {} }],
    ['nest with NLA_F_NESTED (spec nested)', (b) => b.nest(T.PROPS, (n) => n.attrBytes(I.MAC, '0a0b0c0d0e0f'), { nested: true }), { props: { mac: '0a:0b:0c:0d:0e:0f' } }],
    [
      'nest with a struct header (6 bytes, then 2 bytes of padding)',
      (b) => b.attr(T.PEER, (n) => n.u32(7).u16(1).zeros(2).attrU32(I.X, 9)),
      { peer: { header: { index: 7, type: 1 }, attrs: { x: 9 } } },
    ],
    [
      'indexed-array of sets (NLA_F_NESTED)',
      (b) => b.nest(T.SLOTS, (n) => n.nest(1, (e) => e.attrU32(I.X, 1), { nested: true }).nest(2, (e) => e.str(I.Y, 'b'), { nested: true }), { nested: true }),
      { slots: [{ x: 1 }, { y: 'b' }] },
    ],
    ['indexed-array of u16 from 0', (b) => b.nest(T.VALS, (n) => n.attrU16(0, 10).attrU16(1, 20).attrU16(2, 30)), { vals: [10, 20, 30] }],
    [
      'indexed-array of ips',
      (b) => b.nest(T.IPS, (n) => n.attrBytes(1, [10, 0, 0, 1]).attrBytes(2, 'fd000000000000000000000000000001')),
      { ips: ['10.0.0.1', 'fd00::1'] },
    ],
    ['indexed-array of strings', (b) => b.nest(T.NAMES, (n) => n.str(1, 'a').str(2, 'bc')), { names: ['a', 'bc'] }],
    [
      'sub-message by sibling: set variant',
      (b) => b.str(T.KIND, 'alpha').nest(T.INFO, (n) => n.attrU32(A.ID, 1).str(A.LABEL, 'x')),
      { kind: 'alpha', info: { id: 1, label: 'x' } },
    ],
    [
      'sub-message by sibling: struct variant',
      (b) => b.str(T.KIND, 'beta').attr(T.INFO, (s) => s.u32(3).u16(4).zeros(2).u64(5n).bytes(10, 0, 0, 9)),
      { kind: 'beta', info: { x: 3, y: 4, z: 5, addr: '10.0.0.9' } },
    ],
    ['sub-message by sibling: u32 variant', (b) => b.str(T.KIND, 'gamma').attrU32(T.INFO, 77), { kind: 'gamma', info: 77 }],
    ['sub-message by sibling: string variant', (b) => b.str(T.KIND, 'delta').str(T.INFO, 'hello'), { kind: 'delta', info: 'hello' }],
    ['sub-message by sibling: unknown kind → default (hex)', (b) => b.str(T.KIND, 'zeta').attrBytes(T.INFO, '0102'), { kind: 'zeta', info: '0102' }],
    ['sub-message without its selector → default (hex)', (b) => b.attrBytes(T.INFO, '0a0b0c'), { info: '0a0b0c' }],
    [
      'sub-message by header.family = 2',
      (b) => b.nest(T.SPEC, (n) => n.attrBytes(V4.ADDR, [10, 1, 2, 3]).attrU32(V4.FLAGS, 3)),
      { spec: { addr: '10.1.2.3', flags: 3 } },
      2,
    ],
    [
      'sub-message by header.family = 10 (variant with NLA_F_NESTED)',
      (b) => b.nest(T.SPEC, (n) => n.attrBytes(V6.ADDR, 'fe800000000000000000000000000001').attrBytes(V6.TOKEN, 'ff'), { nested: true }),
      { spec: { addr: 'fe80::1', token: 'ff' } },
      10,
    ],
    [
      'sub-message whose selector comes after it',
      (b) => b.nest(T.ENCAP, (n) => n.attrU32(M.LABEL, 100).attrU8(M.TTL, 64), { nested: true }).attrU16(T.ENCAP_TYPE, 1),
      { encap: { label: 100, ttl: 64 }, encap_type: 1 },
    ],
    [
      'sub-message whose selector comes after it: scalar variant',
      (b) => b.attrBe32(T.ENCAP, 0xabcdef, { flags: F_NESTED }).attrU16(T.ENCAP_TYPE, 2),
      { encap: 0xabcdef, encap_type: 2 },
    ],
    ['multi, once', (b) => b.str(T.TAG, 'a'), { tag: ['a'] }],
    ['multi, three times', (b) => b.str(T.TAG, 'a').str(T.TAG, 'bb').str(T.TAG, 'ccc'), { tag: ['a', 'bb', 'ccc'] }],
    [
      'custom codec returning an array',
      (b) => b.attr(T.HOPS, (h) => h.u16(8).u8(1).u8(2).s32(3).u16(8).u8(0).u8(0).s32(-1)),
      { hops: [{ flags: 1, weight: 2, ifindex: 3 }, { flags: 0, weight: 0, ifindex: -1 }] },
    ],
    ['custom codec, one element', (b) => b.attr(T.HOPS, (h) => h.u16(8).u8(1).u8(2).s32(3)), { hops: [{ flags: 1, weight: 2, ifindex: 3 }] }],
  ];
  for (const [what, build, attrs, family] of cases) roundTrip(t, tnew(build, family), expectNew(attrs, family), what);

  // All of them in one message (sub-message variants need distinct selectors: keep the first of each).
  const seen = new Set<string>();
  const chosen = cases.filter(([, , attrs, family]) => family === undefined && Object.keys(attrs).every((k) => !seen.has(k)) && (Object.keys(attrs).forEach((k) => seen.add(k)), true));
  const all = tnew((b) => chosen.forEach(([, build]) => build(b)));
  const expected: Record<string, unknown> = {};
  for (const [, , attrs] of chosen) Object.assign(expected, attrs);
  t.ok(chosen.length > 25, `${chosen.length} attributes in one message`);
  roundTrip(t, all, expectNew(expected), 'all types in one message');
});

t.test('plain objects encode to the builder bytes (canonical form)', async (t) => {
  const m = {
    type: 'T_NEW',
    flags: ['NLM_F_REQUEST', 'NLM_F_ACK', 'NLM_F_EXCL', 'NLM_F_CREATE'],
    seq: 0x01020304,
    pid: 99,
    header: { family: 10, kind: 0x0102, index: -1 },
    attrs: {
      name: 'br0',
      mtu: 9000,
      up: true,
      down: undefined,
      big: 2n ** 63n,
      s64: -1,
      be64: 2 ** 40,
      lladdr: '02:00:00:00:00:01',
      addr: 'fd00:123::5',
      data: 'AB:CD', // separators and upper case are accepted on input
      stats: { x: 1, z: 2n },
      nest: { child: { y: 'z' } },
      props: {},
      peer: { attrs: { x: 1 } },
      slots: [{ x: 1 }, {}],
      vals: [7],
      kind: 'alpha',
      info: { label: 'l' },
      spec: { token: '00' },
      encap: { ttl: 1 },
      encap_type: 1,
      tag: ['t1', 't2'],
      hops: [{ flags: 0, weight: 0, ifindex: 1 }],
      ips: ['1.2.3.4'],
      uint: 2 ** 33,
      sint: -1,
      '99': '0102', // an unknown attribute by number
    },
  };
  const want = msg(MT.T_NEW, 0x01 | 0x04 | 0x200 | 0x400, 0x01020304, 99)
    .u8(10).u8(0).u16(0x0102).s32(-1)
    .attrBytes(99, [1, 2]) // integer-like keys come first in a JS object
    .str(T.NAME, 'br0')
    .attrU32(T.MTU, 9000)
    .flag(T.UP)
    .attrU64(T.BIG, 2n ** 63n)
    .attrS64(T.S64, -1n)
    .attrBe64(T.BE64, 2n ** 40n)
    .attrBytes(T.LLADDR, '020000000001')
    .attrBytes(T.ADDR, 'fd000123000000000000000000000005')
    .attrBytes(T.DATA, 'abcd')
    .attr(T.STATS, (s) => s.u32(1).u16(0).zeros(2).u64(2n).zeros(4))
    .nest(T.NEST, (n) => n.nest(I.CHILD, (c) => c.str(I.Y, 'z')))
    .nest(T.PROPS, () => undefined, { nested: true })
    .attr(T.PEER, (n) => n.zeros(6).zeros(2).attrU32(I.X, 1))
    .nest(T.SLOTS, (n) => n.nest(1, (e) => e.attrU32(I.X, 1), { nested: true }).nest(2, () => undefined, { nested: true }), { nested: true })
    .nest(T.VALS, (n) => n.attrU16(0, 7))
    .str(T.KIND, 'alpha')
    .nest(T.INFO, (n) => n.str(A.LABEL, 'l'))
    .nest(T.SPEC, (n) => n.attrBytes(V6.TOKEN, [0]), { nested: true })
    .nest(T.ENCAP, (n) => n.attrU8(M.TTL, 1), { nested: true })
    .attrU16(T.ENCAP_TYPE, 1)
    .str(T.TAG, 't1')
    .str(T.TAG, 't2')
    .attr(T.HOPS, (h) => h.u16(8).u8(0).u8(0).s32(1))
    .nest(T.IPS, (n) => n.attrBytes(1, [1, 2, 3, 4]))
    .attrU64(T.UINT, 2n ** 33n)
    .attrS32(T.SINT, -1)
    .build();
  t.equal(toHexString(encodeMessage(p, m)), toHexString(want));

  // Flags as a number, header-only message of a 1-byte header: nlmsg_len = NLMSG_LENGTH(1) = 17.
  const g = encodeMessage(p, { type: 'T_GETG', flags: 0x301, seq: 1, header: { family: 7 } });
  t.equal(toHexString(g), toHexString(msg(MT.T_GETG, 0x301, 1, 0).u8(7).build()));
  t.equal(new DataView(g.buffer, g.byteOffset).getUint32(0, true), 17);
  t.equal(g.length, 20, 'padded to 4 after the message');
});

t.test('irregular input round-trips byte for byte', async (t) => {
  const cases: Array<[string, (b: Bytes) => unknown, Record<string, unknown>, number?]> = [
    [
      'unknown attributes between known ones',
      (b) => b.attrU32(T.MTU, 1).attrBytes(99, 'aabbcc').str(T.NAME, 'n').attrBytes(0, '').attrBytes(0x3fff, '01'),
      { mtu: 1, '99': 'aabbcc', name: 'n', '0': '', '16383': '01' },
    ],
    ['unknown attribute with NLA_F_NET_BYTEORDER and NLA_F_NESTED', (b) => b.attrBytes(99, '01020304', { flags: F_NET_BYTEORDER | F_NESTED }).attrU32(T.MTU, 2), { '99': '01020304', mtu: 2 }],
    ['repeated unknown attribute', (b) => b.attrBytes(99, '01').attrU32(T.MTU, 2).attrBytes(99, '02'), { '99': ['01', '02'], mtu: 2 }],
    ['repeated attribute, contiguous', (b) => b.attrU32(T.MTU, 1).attrU32(T.MTU, 2).str(T.NAME, 'x'), { mtu: [1, 2], name: 'x' }],
    ['repeated attribute interleaved with others', (b) => b.attrU32(T.MTU, 1).str(T.NAME, 'x').attrU32(T.MTU, 2).attrU8(T.U8, 3).attrU32(T.MTU, 3), { mtu: [1, 2, 3], name: 'x', u8: 3 }],
    ['multi attribute interleaved', (b) => b.str(T.TAG, 'a').attrU32(T.MTU, 1).str(T.TAG, 'b'), { tag: ['a', 'b'], mtu: 1 }],
    ['repeated array attribute', (b) => b.attr(T.LIST, (s) => s.u32(1)).attr(T.LIST, (s) => s.u32(2).u32(3)), { list: [[1], [2, 3]] }],
    ['repeated nest', (b) => b.nest(T.NEST, (n) => n.attrU32(I.X, 1)).nest(T.NEST, (n) => n.attrU32(I.X, 2)), { nest: [{ x: 1 }, { x: 2 }] }],
    ['repeated custom (array-valued) attribute', (b) => b.attr(T.HOPS, (h) => h.u16(8).u8(1).u8(1).s32(1)).attr(T.HOPS, (h) => h.u16(8).u8(2).u8(2).s32(2)), { hops: [[{ flags: 1, weight: 1, ifindex: 1 }], [{ flags: 2, weight: 2, ifindex: 2 }]] }],
    ['nest with NLA_F_NESTED where the spec has none', (b) => b.nest(T.NEST, (n) => n.attrU32(I.X, 1), { nested: true }), { nest: { x: 1 } }],
    ['nest without NLA_F_NESTED where the spec has it', (b) => b.nest(T.PROPS, (n) => n.attrU32(I.X, 1)), { props: { x: 1 } }],
    ['sub-message variant without its NLA_F_NESTED', (b) => b.nest(T.SPEC, (n) => n.attrBytes(V6.TOKEN, '01')), { spec: { token: '01' } }, 10],
    ['sub-message with NLA_F_NESTED where the variant has none', (b) => b.nest(T.SPEC, (n) => n.attrU32(V4.FLAGS, 1), { nested: true }), { spec: { flags: 1 } }, 2],
    ['NLA_F_NET_BYTEORDER on a known u32', (b) => b.attrU32(T.MTU, 5, { flags: F_NET_BYTEORDER }), { mtu: 5 }],
    ['string without its NUL', (b) => b.str(T.NAME, 'eth0', { nul: false }), { name: 'eth0' }],
    ['string with bytes after the NUL', (b) => b.attr(T.NAME, (s) => s.text('ab').u8(0).text('cd').u8(0)), { name: 'ab' }],
    ['string with two NULs', (b) => b.attr(T.NAME, (s) => s.text('ab').u8(0).u8(0)), { name: 'ab' }],
    ['empty string payload (no NUL at all)', (b) => b.attr(T.NAME, []), { name: '' }],
    ['string of invalid UTF-8 (1 byte)', (b) => b.attr(T.NAME, [0xff, 0]), { name: '\ufffd' }],
    ['string of invalid UTF-8 (2 bytes)', (b) => b.attr(T.NAME, [0xc3, 0x28, 0]), { name: '\ufffd(' }],
    ['string of invalid UTF-8 (truncated 4-byte sequence)', (b) => b.attr(T.NAME, [0xf0, 0x9f, 0x98, 0]), { name: '\ufffd' }],
    ['string of invalid UTF-8, long', (b) => b.attr(T.NAME, [...new TextEncoder().encode('x'.repeat(40)), 0xf0, 0x9f, 0x98, 0]), { name: 'x'.repeat(40) + '\ufffd' }],
    ['multi string without NUL', (b) => b.str(T.TAG, 'a').str(T.TAG, 'b', { nul: false }), { tag: ['a', 'b'] }],
    ['struct shorter than the spec', (b) => b.attr(T.STATS, (s) => s.u32(1).u16(2)), { stats: { x: 1, y: 2, z: undefined, addr: undefined } }],
    ['struct cut inside a field', (b) => b.attr(T.STATS, (s) => s.u32(1).u16(2).zeros(2).u32(5)), { stats: { x: 1, y: 2, z: undefined, addr: undefined } }],
    ['struct longer than the spec', (b) => b.attr(T.STATS, (s) => s.u32(1).u16(2).zeros(2).u64(3n).bytes(1, 2, 3, 4).bytes('aabbccdd')), { stats: { x: 1, y: 2, z: 3, addr: '1.2.3.4', _unknown: 'aabbccdd' } }],
    ['struct with a non-zero pad field', (b) => b.attr(T.STATS, (s) => s.u32(1).u16(2).bytes(0xab, 0xcd).u64(3n).bytes(1, 2, 3, 4)), { stats: { x: 1, y: 2, z: 3, addr: '1.2.3.4' } }],
    ['u32 with 8 bytes', (b) => b.attr(T.MTU, (s) => s.u32(1500).u32(0xdead)), { mtu: 1500 }],
    ['u8 with 4 bytes', (b) => b.attr(T.U8, (s) => s.u32(0x01020307)), { u8: 7 }],
    ['u16 with 3 bytes', (b) => b.attr(T.U16, (s) => s.u16(9).u8(1)), { u16: 9 }],
    ['s32 with 5 bytes', (b) => b.attr(T.S32, (s) => s.s32(-1).u8(1)), { s32: -1 }],
    ['be16 with 4 bytes', (b) => b.attr(T.PORT, (s) => s.be16(80).u16(0)), { port: 80 }],
    ['uint of 8 bytes holding a small value', (b) => b.attrU64(T.UINT, 5n), { uint: 5 }],
    ['flag with a payload', (b) => b.attr(T.UP, [1]), { up: true }],
    ['array with a partial element', (b) => b.attr(T.LIST, (s) => s.u32(1).u16(2)), { list: [1] }],
    ['trailing 2 bytes in a nest', (b) => b.nest(T.NEST, (n) => n.attrU32(I.X, 1).bytes(0xee, 0xff)), { nest: { x: 1 } }],
    ['trailing 3 bytes in a nest', (b) => b.nest(T.NEST, (n) => n.attrU32(I.X, 1).bytes(1, 2, 3)), { nest: { x: 1 } }],
    ['trailing 1 byte in an empty nest', (b) => b.nest(T.NEST, (n) => n.bytes(9)), { nest: {} }],
    ['last attribute of a nest without padding', (b) => b.nest(T.NEST, (n) => n.attrU32(I.X, 1).str(I.Y, 'ab', { noPad: true })).attrU32(T.MTU, 1), { nest: { x: 1, y: 'ab' }, mtu: 1 }],
    ['indexed-array with numbers out of order', (b) => b.nest(T.VALS, (n) => n.attrU16(5, 1).attrU16(0, 2)), { vals: [1, 2] }],
    ['indexed-array element with NLA_F_NET_BYTEORDER', (b) => b.nest(T.VALS, (n) => n.attrU16(0, 1, { flags: F_NET_BYTEORDER }).attrU16(1, 2)), { vals: [1, 2] }],
    ['indexed-array set element without NLA_F_NESTED', (b) => b.nest(T.SLOTS, (n) => n.nest(1, (e) => e.attrU32(I.X, 1)), { nested: true }), { slots: [{ x: 1 }] }],
    ['indexed-array set element with NLA_F_NET_BYTEORDER', (b) => b.nest(T.SLOTS, (n) => n.nest(1, (e) => e.attrU32(I.X, 1), { flags: F_NESTED | F_NET_BYTEORDER }), { nested: true }), { slots: [{ x: 1 }] }],
    ['indexed-array element with extra bytes', (b) => b.nest(T.VALS, (n) => n.attrU32(0, 0x00010002)), { vals: [2] }],
    ['indexed-array whose last element lacks padding', (b) => b.nest(T.VALS, (n) => n.attrU16(0, 1).attrU16(1, 2, { noPad: true })).attrU32(T.MTU, 1), { vals: [1, 2], mtu: 1 }],
    ['indexed-array with trailing bytes', (b) => b.nest(T.IPS, (n) => n.attrBytes(1, [1, 2, 3, 4]).bytes(0, 0)), { ips: ['1.2.3.4'] }],
    ['indexed-array of strings without NUL', (b) => b.nest(T.NAMES, (n) => n.str(1, 'ab', { nul: false })), { names: ['ab'] }],
    ['indexed-array element with non-zero padding', (b) => b.nest(T.VALS, (n) => n.attr(0, (e) => e.u16(1).bytes(0x80, 0)).attrU16(1, 2)), { vals: [1, 2] }],
    ['attribute with non-zero padding', (b) => b.attr(T.NAME, (s) => s.text('ab').u8(0).u8(0x7f)).attrU32(T.MTU, 1), { name: 'ab', mtu: 1 }],
    ['selector repeated before the sub-message', (b) => b.str(T.KIND, 'gamma').str(T.KIND, 'delta').attrU32(T.INFO, 5), { kind: ['gamma', 'delta'], info: 5 }],
    ['selector repeated around the sub-message', (b) => b.str(T.KIND, 'gamma').attrU32(T.INFO, 5).str(T.KIND, 'delta'), { kind: ['gamma', 'delta'], info: 5 }],
    ['selector after the sub-message, repeated', (b) => b.nest(T.ENCAP, (n) => n.attrU8(M.TTL, 1), { nested: true }).attrU16(T.ENCAP_TYPE, 1).attrU16(T.ENCAP_TYPE, 2), { encap: { ttl: 1 }, encap_type: [1, 2] }],
    ['nest with struct: header only, 6 bytes', (b) => b.attr(T.PEER, (n) => n.u32(7).u16(1)), { peer: { header: { index: 7, type: 1 }, attrs: {} } }],
    ['nest with struct: header shorter than the struct', (b) => b.attr(T.PEER, (n) => n.u32(7)), { peer: { header: { index: 7, type: undefined }, attrs: {} } }],
    ['nest with struct: non-zero padding after the header', (b) => b.attr(T.PEER, (n) => n.u32(7).u16(1).bytes(0xaa, 0xbb).attrU32(I.X, 1)), { peer: { header: { index: 7, type: 1 }, attrs: { x: 1 } } }],
    ['custom value with an irregular record', (b) => b.attr(T.HOPS, (h) => h.u16(12).u8(1).u8(2).s32(3).u32(0xffff)), { hops: [{ flags: 1, weight: 2, ifindex: 3 }] }],
    ['custom value with trailing bytes', (b) => b.attr(T.HOPS, (h) => h.u16(8).u8(1).u8(2).s32(3).u16(0)), { hops: [{ flags: 1, weight: 2, ifindex: 3 }] }],
  ];
  for (const [what, build, attrs, family] of cases) roundTrip(t, tnew(build, family), expectNew(attrs, family), what);
});

t.test('irregular messages round-trip byte for byte', async (t) => {
  // The last attribute of the message without padding: nlmsg_len is not a multiple of 4.
  const unpadded = msg(MT.T_NEW, 0, 1, 0);
  thdr(unpadded).str(T.NAME, 'abcd', { noPad: true });
  const u = unpadded.build();
  t.equal(new DataView(u.buffer).getUint32(0, true), 16 + 8 + 9);
  roundTrip(t, u, { type: 'T_NEW', flags: [], seq: 1, pid: 0, header: { family: 0, kind: 0, index: 0 }, attrs: { name: 'abcd' } }, 'unpadded last attribute');

  // A header-only message whose nlmsg_len counts the padding after a 1-byte header.
  const g = msg(MT.T_GETG, 0x301, 2, 0).u8(2).zeros(3).build();
  t.equal(g.length, 20);
  roundTrip(t, g, { type: 'T_GETG', flags: ['NLM_F_REQUEST', 'NLM_F_DUMP'], seq: 2, pid: 0, header: { family: 2 }, attrs: {} }, 'rtgenmsg with nlmsg_len 20');

  // Non-zero bytes in the padding after a 1-byte header, before the attributes and without any.
  const gpad = msg(MT.T_GETG, 0, 2, 0).u8(2).bytes(1, 2, 3).attrU32(T.MTU, 1).build();
  const gm = decodeDatagram(p, gpad)[0]!;
  t.equal(gm.attrs.mtu, 1);
  t.equal(toHexString(encodeMessage(p, gm)), toHexString(gpad), 'non-zero padding after a 1-byte header, with attributes');
  const gpad2 = msg(MT.T_GETG, 0, 2, 0).u8(2).bytes(1, 2, 3).build();
  t.equal(toHexString(encodeMessage(p, decodeDatagram(p, gpad2)[0]!)), toHexString(gpad2), 'non-zero padding after a 1-byte header, no attributes');

  // A header shorter than the struct.
  const short = msg(MT.T_NEW, 0, 3, 0).u8(2).u8(0).build();
  roundTrip(t, short, { type: 'T_NEW', flags: [], seq: 3, pid: 0, header: { family: 2, kind: undefined, index: undefined }, attrs: {} }, 'short header');

  // A header with a non-zero pad byte.
  const padded = msg(MT.T_NEW, 0, 4, 0).u8(2).u8(0x55).u16(1).s32(1).build();
  roundTrip(t, padded, { type: 'T_NEW', flags: [], seq: 4, pid: 0, header: { family: 2, kind: 1, index: 1 }, attrs: {} }, 'non-zero pad in the header');

  // 1-3 bytes after the header that do not form an attribute.
  for (const n of [1, 2, 3]) {
    const tail = msg(MT.T_NEW, 0, 5, 0);
    thdr(tail).bytes(...new Array<number>(n).fill(0x11));
    roundTrip(t, tail.build(), { type: 'T_NEW', flags: [], seq: 5, pid: 0, header: { family: 0, kind: 0, index: 0 }, attrs: {} }, `${n} stray bytes after the header`);
  }
  // The same after an attribute.
  const tail2 = msg(MT.T_NEW, 0, 6, 0);
  thdr(tail2).attrU32(T.MTU, 1).bytes(0x22, 0x22);
  roundTrip(t, tail2.build(), { type: 'T_NEW', flags: [], seq: 6, pid: 0, header: { family: 0, kind: 0, index: 0 }, attrs: { mtu: 1 } }, 'stray bytes after the last attribute');
});

t.test('changed values encode canonically; unchanged irregular parts stay verbatim', async (t) => {
  // A string without NUL: unchanged → verbatim; changed → canonical with NUL.
  const noNul = tnew((b) => b.attrU32(T.MTU, 1).str(T.NAME, 'eth0', { nul: false }).attrBytes(99, '01'));
  const m = decodeDatagram(p, noNul)[0]!;
  t.equal(toHexString(encodeMessage(p, m)), toHexString(noNul));
  m.attrs.name = 'eth1';
  t.equal(toHexString(encodeMessage(p, m)), toHexString(tnew((b) => b.attrU32(T.MTU, 1).str(T.NAME, 'eth1').attrBytes(99, '01'))), 'new name with its NUL, unknown attribute kept in place');
  // Changing it back to the decoded value restores the original bytes.
  m.attrs.name = 'eth0';
  t.equal(toHexString(encodeMessage(p, m)), toHexString(noNul));

  // Interleaved repeated attribute: order kept; a changed occurrence is canonical in its place.
  const inter = tnew((b) => b.attrU32(T.MTU, 1, { flags: F_NET_BYTEORDER }).str(T.NAME, 'x').attrU32(T.MTU, 2));
  const m2 = decodeDatagram(p, inter)[0]!;
  t.strictSame(m2.attrs, { mtu: [1, 2], name: 'x' });
  (m2.attrs.mtu as number[])[0] = 10;
  t.equal(toHexString(encodeMessage(p, m2)), toHexString(tnew((b) => b.attrU32(T.MTU, 10).str(T.NAME, 'x').attrU32(T.MTU, 2))));
  // An added occurrence goes after the known ones; an added attribute at the end.
  (m2.attrs.mtu as number[]).push(3);
  m2.attrs.u8 = 1;
  t.equal(toHexString(encodeMessage(p, m2)), toHexString(tnew((b) => b.attrU32(T.MTU, 10).str(T.NAME, 'x').attrU32(T.MTU, 2).attrU32(T.MTU, 3).attrU8(T.U8, 1))));
  // A deleted attribute is gone.
  delete m2.attrs.name;
  t.equal(toHexString(encodeMessage(p, m2)), toHexString(tnew((b) => b.attrU32(T.MTU, 10).attrU32(T.MTU, 2).attrU32(T.MTU, 3).attrU8(T.U8, 1))));

  // A short struct: a changed field gives the whole struct, canonically.
  const short = tnew((b) => b.attr(T.STATS, (s) => s.u32(1).u16(2)));
  const m3 = decodeDatagram(p, short)[0]!;
  (m3.attrs.stats as Record<string, unknown>).x = 5;
  t.equal(toHexString(encodeMessage(p, m3)), toHexString(tnew((b) => b.attr(T.STATS, (s) => s.u32(5).u16(2).zeros(2).u64(0n).zeros(4)))));
  // A struct with a non-zero pad: changed → the pad is zero again.
  const pad = tnew((b) => b.attr(T.STATS, (s) => s.u32(1).u16(2).bytes(0xab, 0xcd).u64(3n).bytes(1, 2, 3, 4)));
  const m4 = decodeDatagram(p, pad)[0]!;
  (m4.attrs.stats as Record<string, unknown>).y = 3;
  t.equal(toHexString(encodeMessage(p, m4)), toHexString(tnew((b) => b.attr(T.STATS, (s) => s.u32(1).u16(3).zeros(2).u64(3n).bytes(1, 2, 3, 4)))));
  // A longer struct keeps its _unknown tail when a field changes.
  const long = tnew((b) => b.attr(T.STATS, (s) => s.u32(1).u16(2).zeros(2).u64(3n).bytes(1, 2, 3, 4).bytes(9, 9)));
  const m5 = decodeDatagram(p, long)[0]!;
  (m5.attrs.stats as Record<string, unknown>).x = 2;
  t.equal(toHexString(encodeMessage(p, m5)), toHexString(tnew((b) => b.attr(T.STATS, (s) => s.u32(2).u16(2).zeros(2).u64(3n).bytes(1, 2, 3, 4).bytes(9, 9)))));

  // A nest without its NLA_F_NESTED: a change deep inside gives the spec's flag, and the inner
  // irregular string (no NUL) that did not change stays verbatim.
  const props = tnew((b) => b.nest(T.PROPS, (n) => n.attrU32(I.X, 1).str(I.Y, 'q', { nul: false })));
  const m6 = decodeDatagram(p, props)[0]!;
  (m6.attrs.props as Record<string, unknown>).x = 2;
  t.equal(toHexString(encodeMessage(p, m6)), toHexString(tnew((b) => b.nest(T.PROPS, (n) => n.attrU32(I.X, 2).str(I.Y, 'q', { nul: false }), { nested: true }))));

  // Invalid UTF-8: the decoded text is not the bytes; a changed string is encoded as UTF-8.
  const bad = tnew((b) => b.attr(T.NAME, [0xff, 0]));
  const m7 = decodeDatagram(p, bad)[0]!;
  m7.attrs.name = 'ok';
  t.equal(toHexString(encodeMessage(p, m7)), toHexString(tnew((b) => b.str(T.NAME, 'ok'))));

  // A message whose last attribute lacked padding (nlmsg_len unaligned): after a change, the
  // length must describe the new bytes.
  const unpadded = msg(MT.T_NEW, 0, 1, 0);
  thdr(unpadded).str(T.NAME, 'abcd', { noPad: true });
  const m8 = decodeDatagram(p, unpadded.build())[0]!;
  m8.attrs.mtu = 1;
  const want8 = msg(MT.T_NEW, 0, 1, 0);
  thdr(want8).str(T.NAME, 'abcd').attrU32(T.MTU, 1);
  t.equal(toHexString(encodeMessage(p, m8)), toHexString(want8.build()), 'nlmsg_len of the changed message');

  // A header-only rtgenmsg whose length counted the padding, given attributes.
  const g = decodeDatagram(p, msg(MT.T_GETG, 0, 2, 0).u8(2).zeros(3).build())[0]!;
  g.attrs.mtu = 1;
  t.equal(toHexString(encodeMessage(p, g)), toHexString(msg(MT.T_GETG, 0, 2, 0).u8(2).zeros(3).attrU32(T.MTU, 1).build()));

  // Changing the selector of a sub-message re-encodes the value with the new variant.
  const sm = decodeDatagram(p, tnew((b) => b.str(T.KIND, 'gamma').attrU32(T.INFO, 5)))[0]!;
  sm.attrs.kind = 'delta';
  sm.attrs.info = 'text';
  t.equal(toHexString(encodeMessage(p, sm)), toHexString(tnew((b) => b.str(T.KIND, 'delta').str(T.INFO, 'text'))));
});

t.test('decoded objects do not alias the input bytes', async (t) => {
  const b = tnew((x) => x.attrBytes(99, '0102').attrBytes(T.DATA, '0304').str(T.NAME, 'ab', { nul: false }));
  const m = decodeDatagram(p, b)[0]!;
  const copy = b.slice();
  b.fill(0xee);
  t.equal(toHexString(encodeMessage(p, m)), toHexString(copy), 'verbatim parts were copied');
});

t.test('encode errors', async (t) => {
  const enc = (attrs: Record<string, unknown>, header: Record<string, unknown> = {}) => () => encodeMessage(p, { type: 'T_NEW', header, attrs });
  /** Expects an EncodeError with exactly this code and path. */
  const fails = (fn: () => unknown, code: string, path: string, what = `${code} at ${path}`) => {
    try {
      fn();
      t.fail(`${what}: no error`);
    } catch (e) {
      t.ok(isEncodeError(e), `${what}: an EncodeError (${(e as Error).message})`);
      t.strictSame([(e as { code?: string }).code, (e as { path?: string }).path], [code, path], what);
    }
  };
  fails(enc({ nosuch: 1 }), 'NLKIT_ERR_UNKNOWN_ATTR', 'T_NEW');
  t.throws(enc({ nosuch: 1 }), { message: /nosuch is not an attribute of top \(T_\*\)/ });
  fails(enc({ nest: { nosuch: 1 } }), 'NLKIT_ERR_UNKNOWN_ATTR', 'T_NEW.T_NEST');
  fails(enc({ slots: [{}, { nosuch: 1 }] }), 'NLKIT_ERR_UNKNOWN_ATTR', 'T_NEW.T_SLOTS[1]');
  fails(enc({ mtu: -1 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_MTU');
  fails(enc({ mtu: 2 ** 32 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_MTU');
  fails(enc({ mtu: 1.5 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_MTU');
  fails(enc({ mtu: '1500' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_MTU');
  fails(enc({ mtu: NaN }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_MTU');
  fails(enc({ u8: 256 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_U8');
  fails(enc({ s8: -129 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_S8');
  fails(enc({ s16: 32768 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_S16');
  fails(enc({ s32: 2 ** 31 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_S32');
  fails(enc({ port: 65536 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_PORT');
  fails(enc({ big: 2n ** 64n }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_BIG');
  fails(enc({ big: -1n }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_BIG');
  fails(enc({ big: 2 ** 53 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_BIG', 'an unsafe number is refused (a bigint is needed)');
  fails(enc({ s64: 2n ** 63n }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_S64');
  fails(enc({ be64: -1 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_BE64');
  fails(enc({ u16: 70000n }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_U16');
  fails(enc({ uint: -1 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_UINT');
  fails(enc({ up: 'yes' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_UP');
  fails(enc({ name: 5 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_NAME');
  fails(enc({ data: 'xyz' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_DATA');
  fails(enc({ data: 'abc' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_DATA', 'odd hex');
  fails(enc({ lladdr: '02:00:zz' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_LLADDR');
  fails(enc({ addr: '10.0.0.256' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_ADDR');
  fails(enc({ addr: 'fd00::1::2' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_ADDR');
  fails(enc({ stats: { x: -1 } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_STATS.x');
  fails(enc({ stats: { addr: '1.2.3' } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_STATS.addr');
  fails(enc({ stats: { addr: 'fd00::1' } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_STATS', 'a 16-byte address in a 4-byte field');
  fails(enc({ stats: 5 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_STATS');
  fails(enc({ list: [1, -2] }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_LIST[1]');
  fails(enc({ list: 5 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_LIST');
  fails(enc({ nest: { x: 'a' } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_NEST.I_X');
  fails(enc({ nest: { child: { child: { x: -1 } } } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_NEST.I_CHILD.I_CHILD.I_X');
  fails(enc({ nest: 5 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_NEST');
  fails(enc({ peer: { header: { type: 70000 } } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_PEER.header.type');
  fails(enc({ slots: 'x' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_SLOTS');
  fails(enc({ vals: [1, 'x'] }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_VALS[1]');
  fails(enc({ names: [1] }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_NAMES[0]');
  fails(enc({ ips: ['x.y'] }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_IPS[0]');
  fails(enc({ kind: 'gamma', info: -1 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_INFO');
  fails(enc({ kind: 'alpha', info: { id: 'x' } }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_INFO.A_ID');
  fails(enc({ kind: 'delta', info: 1 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_INFO');
  fails(enc({ spec: { flags: -1 } }, { family: 2 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_SPEC.V4_FLAGS');
  fails(enc({ hops: 'x' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_HOPS');
  fails(enc({ '99': 'zz' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.T_99');
  fails(enc({}, { family: 256 }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.header.family');
  fails(enc({}, { index: 'x' }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.header.index');
  t.throws(() => encodeMessage(p, { type: 'T_NOPE' }), { name: 'EncodeError', code: 'NLKIT_ERR_UNKNOWN_TYPE' });
  t.throws(() => encodeMessage(p, { type: 'constructor' }), { name: 'EncodeError', code: 'NLKIT_ERR_UNKNOWN_TYPE' }, 'no prototype lookups');
  t.throws(() => encodeMessage(p, { type: 'toString' }), { name: 'EncodeError', code: 'NLKIT_ERR_UNKNOWN_TYPE' });
  fails(() => encodeMessage(p, { type: 'T_NEW', flags: ['NLM_F_NOPE'] }), 'NLKIT_ERR_BAD_VALUE', 'T_NEW.flags');
  t.throws(enc({ data: 'ab'.repeat(70000) }), { name: 'EncodeError', code: 'NLKIT_ERR_TOO_LONG' });
  try {
    enc({ mtu: -1 })();
    t.fail('no throw');
  } catch (e) {
    t.ok(isEncodeError(e));
    t.match((e as Error).message, /T_NEW\.T_MTU/, 'the message names the path');
  }
  // false / undefined leave an attribute out; a flag takes only true.
  t.equal(toHexString(enc({ up: false, mtu: undefined })()), toHexString(tnewNoFlags()));
});

function tnewNoFlags(): Uint8Array {
  const m = msg(MT.T_NEW, 0, 0, 0);
  thdr(m);
  return m.build();
}

t.test('several messages and a datagram built from parts', async (t) => {
  const a = tnew((b) => b.attrU32(T.MTU, 1));
  const b = tnew((x) => x.str(T.NAME, 'b'));
  const msgs = decodeDatagram(p, datagram(a, b));
  t.strictSame(msgs.map((m) => m.attrs), [{ mtu: 1 }, { name: 'b' }]);
  t.equal(toHexString(datagram(...msgs.map((m) => encodeMessage(p, m)))), toHexString(datagram(a, b)));
  t.equal(toHexString(hex('0a0B')), '0a0b', 'builder hex helper');
  t.equal(bytes().u8(1).pad().length, 4, 'builder pad');
});
