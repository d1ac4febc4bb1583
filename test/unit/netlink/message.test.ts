// Framing: datagrams of several messages, control messages (ERROR/ACK with extended ACK, DONE,
// NOOP, OVERRUN), flag names per request kind, and DecodeErrors that say where and what.
import t, { type Test } from 'tap';
import { decodeDatagram, encodeMessage, flagBits, flagNames, typeName, typeNumber } from '../../../src/netlink/message.js';
import { DecodeError, isDecodeError } from '../../../src/netlink/errors.js';
import { F_NESTED, type Bytes, datagram, msg, toHexString } from '../../helpers/builder.js';
import { I, MT, T, testProtocol } from '../../helpers/test-protocol.js';

const p = testProtocol();
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;

function thdr(b: Bytes, family = 0): Bytes {
  return b.u8(family).u8(0).u16(0).s32(0);
}
function roundTrip(tt: Test, bytes: Uint8Array, what: string): void {
  const msgs = decodeDatagram(p, bytes);
  tt.equal(toHexString(datagram(...msgs.map((m) => encodeMessage(p, m)))), toHexString(bytes), `${what}: encodes to the same bytes`);
}
/** Expects a DecodeError with `code`, `offset` and (optionally) `path`. */
function decodeFails(tt: Test, bytes: Uint8Array, code: string, offset: number, path?: string, opts?: { maxDepth?: number }): void {
  try {
    decodeDatagram(p, bytes, opts);
    tt.fail(`expected ${code} at ${offset}`);
  } catch (e) {
    tt.ok(e instanceof DecodeError && isDecodeError(e), `a DecodeError (${(e as Error).message})`);
    const de = e as DecodeError;
    tt.equal(de.code, code, `code ${code}`);
    tt.equal(de.offset, offset, `offset ${offset}`);
    if (path !== undefined) tt.equal(de.path, path, `path ${path}`);
    tt.match((e as Error).message, new RegExp(`at offset ${offset}\\b`), 'the message says where');
  }
}

t.test('several messages in one datagram, and zero padding after the last', async (t) => {
  const a = msg(MT.T_NEW, 0x2, 1, 100);
  thdr(a).attrU32(T.MTU, 1);
  const b = msg(MT.T_GETG, 0x2, 1, 100).u8(7); // 17 bytes + 3 padding
  const c = msg(MT.T_DEL, 0x2, 1, 100);
  thdr(c).str(T.NAME, 'x');
  const done = msg(NLMSG_DONE, 0x2, 1, 100).s32(0);
  const dg = datagram(a.build(), b.build(), c.build(), done.build());
  const msgs = decodeDatagram(p, dg);
  t.strictSame(
    msgs.map((m) => ({ ...m })),
    [
      { type: 'T_NEW', flags: ['NLM_F_MULTI'], seq: 1, pid: 100, header: { family: 0, kind: 0, index: 0 }, attrs: { mtu: 1 } },
      { type: 'T_GETG', flags: ['NLM_F_MULTI'], seq: 1, pid: 100, header: { family: 7 }, attrs: {} },
      { type: 'T_DEL', flags: ['NLM_F_MULTI'], seq: 1, pid: 100, header: { family: 0, kind: 0, index: 0 }, attrs: { name: 'x' } },
      { type: 'NLMSG_DONE', flags: ['NLM_F_MULTI'], seq: 1, pid: 100, header: { error: 0 }, attrs: {} },
    ],
  );
  roundTrip(t, dg, 'four messages');
  for (const n of [1, 3, 4, 15, 16, 17, 40]) {
    t.equal(decodeDatagram(p, datagram(dg, new Uint8Array(n))).length, 4, `${n} zero bytes after the last message are ignored`);
  }
  t.strictSame(decodeDatagram(p, new Uint8Array(0)), [], 'empty datagram');
  t.strictSame(decodeDatagram(p, new Uint8Array(64)), [], 'all zeros');
  // The bytes may be a view into a larger buffer at an odd offset.
  const big = new Uint8Array(dg.length + 3);
  big.set(dg, 3);
  t.strictSame(decodeDatagram(p, big.subarray(3)).map((m) => m.type), ['T_NEW', 'T_GETG', 'T_DEL', 'NLMSG_DONE'], 'a subarray at an odd offset');
});

t.test('header-only messages of NLMSG_LENGTH(1) = 17 (rtgenmsg style)', async (t) => {
  const g = msg(MT.T_GETG, 0x301, 9, 0).u8(10).build();
  t.equal(g.length, 20);
  t.equal(new DataView(g.buffer).getUint32(0, true), 17);
  const [m] = decodeDatagram(p, g);
  t.strictSame({ ...m }, { type: 'T_GETG', flags: ['NLM_F_REQUEST', 'NLM_F_DUMP'], seq: 9, pid: 0, header: { family: 10 }, attrs: {} });
  roundTrip(t, g, 'rtgenmsg');
  // Two of them back to back: the second starts at NLMSG_ALIGN(17) = 20.
  roundTrip(t, datagram(g, msg(MT.T_GETG, 0x301, 10, 0).u8(2).build()), 'two rtgenmsgs');
  t.equal(decodeDatagram(p, datagram(g, msg(MT.T_GETG, 0x301, 10, 0).u8(2).build()))[1]!.seq, 10);
  // A header-only T_NEW with nothing at all after nlmsghdr.
  const empty = msg(MT.T_NEW, 0, 1, 0).build();
  t.strictSame({ ...decodeDatagram(p, empty)[0] }, { type: 'T_NEW', flags: [], seq: 1, pid: 0, header: { family: undefined, kind: undefined, index: undefined }, attrs: {} });
  roundTrip(t, empty, 'nlmsghdr only');
});

t.test('NLMSG_ERROR: ACKs and errors with extended ACK', async (t) => {
  // The request the kernel answers.
  const req = msg(MT.T_NEW, 0x405, 42, 0);
  thdr(req).str(T.NAME, 'dummy0').attrU32(T.MTU, 1500);
  const reqBytes = req.build();
  const reqPayload = reqBytes.subarray(16);
  const echoed = <B extends Bytes>(b: B, withPayload: boolean): B => {
    b.u32(reqBytes.length).u16(MT.T_NEW).u16(0x405).u32(42).u32(0);
    if (withPayload) b.raw(reqPayload);
    return b;
  };
  const reqHeader = { len: reqBytes.length, type: 'T_NEW', flags: ['NLM_F_REQUEST', 'NLM_F_ACK', 'NLM_F_CREATE'], seq: 42, pid: 0 };

  // ACK, capped (what the kernel sends for success).
  const ack = echoed(msg(NLMSG_ERROR, 0x100, 42, 4242).s32(0), false).build();
  t.equal(ack.length, 36);
  t.strictSame({ ...decodeDatagram(p, ack)[0] }, { type: 'NLMSG_ERROR', flags: ['NLM_F_CAPPED'], seq: 42, pid: 4242, header: { error: 0, msg: reqHeader }, attrs: {} });
  roundTrip(t, ack, 'capped ACK');

  // Error without NETLINK_CAP_ACK: the whole request is echoed.
  const full = echoed(msg(NLMSG_ERROR, 0, 42, 4242).s32(-17), true).build();
  t.strictSame({ ...decodeDatagram(p, full)[0] }, {
    type: 'NLMSG_ERROR',
    flags: [],
    seq: 42,
    pid: 4242,
    header: { error: -17, msg: { ...reqHeader, payload: toHexString(reqPayload) } },
    attrs: {},
  });
  roundTrip(t, full, 'uncapped error with the request echoed');

  // Uncapped with extended ACK after the echoed request.
  const fullAck = echoed(msg(NLMSG_ERROR, 0x200, 42, 4242).s32(-22), true).str(1, 'bad mtu').attrU32(2, 36).build();
  const fm = decodeDatagram(p, fullAck)[0]!;
  t.strictSame(fm.attrs, { msg: 'bad mtu', offs: 36 });
  t.equal((fm.header as { msg: { payload: string } }).msg.payload, toHexString(reqPayload));
  roundTrip(t, fullAck, 'uncapped error with ext-ack');

  // Capped error with every NLMSGERR_ATTR (the kernel nests the policy with NLA_F_NESTED).
  const policy = (b: Bytes) => b.attrU32(1, 3).attrU32(5, 1280);
  const every = echoed(msg(NLMSG_ERROR, 0x300, 42, 4242).s32(-22), false)
    .str(1, 'Attribute failed policy validation')
    .attrU32(2, 24)
    .attrBytes(3, 'c00c1e')
    .nest(4, policy, { nested: true })
    .attrU32(5, 3)
    .attrU32(6, 20)
    .build();
  const em = decodeDatagram(p, every)[0]!;
  t.strictSame({ ...em }, {
    type: 'NLMSG_ERROR',
    flags: ['NLM_F_CAPPED', 'NLM_F_ACK_TLVS'],
    seq: 42,
    pid: 4242,
    header: { error: -22, msg: reqHeader },
    attrs: {
      msg: 'Attribute failed policy validation',
      offs: 24,
      cookie: 'c00c1e',
      policy: '08000100030000000800050000050000',
      miss_type: 3,
      miss_nest: 20,
    },
  });
  roundTrip(t, every, 'every NLMSGERR_ATTR');

  // Found by fuzzing: an unaligned nlmsg_len (no padding after the echoed request), and non-zero
  // padding between the echoed request and the extended ACK.
  const oddReq = msg(MT.T_NEW, 0x5, 42, 0).u8(2).u8(0).u16(0).s32(0).str(T.NAME, 'ab', { noPad: true }).build().subarray(0, 16 + 8 + 7);
  const odd = msg(NLMSG_ERROR, 0, 42, 4242).s32(-1).raw(oddReq).noPad().build();
  t.equal(odd.length % 4, 3);
  t.equal((decodeDatagram(p, odd)[0]!.header as { msg: { payload: string } }).msg.payload, toHexString(oddReq.subarray(16)));
  roundTrip(t, datagram(odd, new Uint8Array(1)), 'uncapped error of unaligned length');
  const padded = msg(NLMSG_ERROR, 0x200, 42, 4242).s32(-1).raw(oddReq).u8(0xee).str(1, 'x').build();
  roundTrip(t, padded, 'non-zero padding after the echoed request');
  t.equal(decodeDatagram(p, padded)[0]!.attrs.msg, 'x');

  // An ACK for an unknown request type keeps the number.
  const other = msg(NLMSG_ERROR, 0x100, 1, 0).s32(0).u32(16).u16(0x99).u16(0x1).u32(1).u32(0).build();
  t.same((decodeDatagram(p, other)[0]!.header as { msg: unknown }).msg, { len: 16, type: 0x99, flags: ['NLM_F_REQUEST'], seq: 1, pid: 0 });
  roundTrip(t, other, 'ack of an unknown type');

  // Encoding an ACK from a plain object.
  const plain = encodeMessage(p, { type: 'NLMSG_ERROR', flags: ['NLM_F_CAPPED'], seq: 42, pid: 4242, header: { error: 0, msg: { ...reqHeader } } });
  t.equal(toHexString(plain), toHexString(ack));
});

t.test('NLMSG_DONE, NOOP, OVERRUN and unknown types', async (t) => {
  const withAck = msg(NLMSG_DONE, 0x202, 5, 4242).s32(-95).str(1, 'dump not supported').build();
  t.strictSame({ ...decodeDatagram(p, withAck)[0] }, { type: 'NLMSG_DONE', flags: ['NLM_F_MULTI', 'NLM_F_ACK_TLVS'], seq: 5, pid: 4242, header: { error: -95 }, attrs: { msg: 'dump not supported' } });
  roundTrip(t, withAck, 'DONE with error and ext-ack');

  const plainDone = msg(NLMSG_DONE, 0x2, 5, 4242).s32(0).build();
  t.strictSame(decodeDatagram(p, plainDone)[0]!.header, { error: 0 });
  roundTrip(t, plainDone, 'DONE');
  const bare = msg(NLMSG_DONE, 0x2, 5, 4242).build();
  t.strictSame(decodeDatagram(p, bare)[0]!.header, { error: undefined }, 'DONE without payload (some families): no error, not 0');
  roundTrip(t, bare, 'bare DONE');
  const odd = msg(NLMSG_DONE, 0x2, 5, 4242).bytes(1, 2).build();
  t.equal(decodeDatagram(p, odd)[0]!.payload, '0102');
  roundTrip(t, odd, 'DONE with 2 bytes');
  const unpadded = msg(NLMSG_DONE, 0x202, 5, 4242).s32(-1).str(1, 'no', { noPad: true }).noPad().build();
  t.equal(new DataView(unpadded.buffer).getUint32(0, true), 27);
  t.strictSame(decodeDatagram(p, unpadded)[0]!.attrs, { msg: 'no' });
  roundTrip(t, datagram(unpadded, new Uint8Array(1)), 'DONE whose last attribute lacks padding');

  const noop = msg(1, 0, 0, 0).build();
  t.strictSame({ ...decodeDatagram(p, noop)[0] }, { type: 'NLMSG_NOOP', flags: [], seq: 0, pid: 0, header: {}, attrs: {} });
  roundTrip(t, noop, 'NOOP');
  const overrun = msg(4, 0, 3, 0).u32(7).build();
  t.strictSame({ ...decodeDatagram(p, overrun)[0] }, { type: 'NLMSG_OVERRUN', flags: [], seq: 3, pid: 0, header: {}, attrs: {}, payload: '07000000' });
  roundTrip(t, overrun, 'OVERRUN');

  const unknown = msg(0x7777, 0x1002, 1, 2).bytes('0102030405').build();
  t.strictSame({ ...decodeDatagram(p, unknown)[0] }, { type: 0x7777, flags: ['NLM_F_MULTI', '0x1000'], seq: 1, pid: 2, header: {}, attrs: {}, payload: '0102030405' });
  roundTrip(t, unknown, 'unknown type');
  t.equal(toHexString(encodeMessage(p, { type: '30583', payload: '01' })), toHexString(msg(0x7777).bytes(1).build()), 'type as a numeric string');
  t.equal(typeName(p, 0x7777), 0x7777);
  t.equal(typeName(p, MT.T_GET), 'T_GET');
  t.equal(typeNumber(p, 'NLMSG_DONE'), 3);
  t.equal(typeNumber(p, 'T_SET'), MT.T_SET);
  t.equal(typeNumber(p, 5), 5);
});

t.test('flag names depend on the request kind; flagBits is their inverse', async (t) => {
  const cases: Array<[number, 'get' | 'new' | 'del' | 'set' | 'other' | 'ack', string[]]> = [
    [0x301, 'get', ['NLM_F_REQUEST', 'NLM_F_DUMP']],
    [0x101, 'get', ['NLM_F_REQUEST', 'NLM_F_ROOT']],
    [0x200, 'get', ['NLM_F_MATCH']],
    [0x400, 'get', ['NLM_F_ATOMIC']],
    [0x700, 'get', ['NLM_F_DUMP', 'NLM_F_ATOMIC']],
    [0x100, 'new', ['NLM_F_REPLACE']],
    [0x200, 'new', ['NLM_F_EXCL']],
    [0x400, 'new', ['NLM_F_CREATE']],
    [0x800, 'new', ['NLM_F_APPEND']],
    [0xf05, 'new', ['NLM_F_REQUEST', 'NLM_F_ACK', 'NLM_F_REPLACE', 'NLM_F_EXCL', 'NLM_F_CREATE', 'NLM_F_APPEND']],
    [0x100, 'del', ['NLM_F_NONREC']],
    [0x200, 'del', ['NLM_F_BULK']],
    [0x400, 'del', ['0x400']],
    [0x100, 'ack', ['NLM_F_CAPPED']],
    [0x200, 'ack', ['NLM_F_ACK_TLVS']],
    [0x100, 'set', ['0x100']],
    [0x100, 'other', ['0x100']],
    [0x3f, 'other', ['NLM_F_REQUEST', 'NLM_F_MULTI', 'NLM_F_ACK', 'NLM_F_ECHO', 'NLM_F_DUMP_INTR', 'NLM_F_DUMP_FILTERED']],
    [0x40 | 0x80 | 0x1000 | 0x8000, 'get', ['0x40', '0x80', '0x1000', '0x8000']],
    [0, 'new', []],
  ];
  for (const [bits, op, names] of cases) {
    t.strictSame([...flagNames(bits, op)], names, `${bits.toString(16)} as ${op}`);
    t.equal(flagBits(names), bits, `flagBits(${names.join(',')})`);
  }
  t.ok(Object.isFrozen(flagNames(0x301, 'get')), 'the cached arrays are frozen');
  // Every value of every op maps back to itself.
  let bad = 0;
  for (const op of ['get', 'new', 'del', 'set', 'other', 'ack'] as const) {
    for (let bits = 0; bits <= 0xffff; bits += 7) if (flagBits(flagNames(bits, op)) !== bits) bad++;
  }
  t.equal(bad, 0, 'flagBits(flagNames(x)) === x');
  t.equal(flagBits(['ACK', 'request', 'dump']), 0x305, 'short and lower-case names');
  t.equal(flagBits([1, 'NLM_F_ACK', '0x8000']), 0x8005, 'numbers and hex');
  t.equal(flagBits(undefined), 0);
  t.equal(flagBits(0x42), 0x42);
  t.throws(() => flagBits(['NLM_F_BOGUS']), { name: 'EncodeError', code: 'NLKIT_ERR_BAD_VALUE' });

  // In decoded messages: the op of the message type decides.
  const names = (type: number, flags: number) => {
    const m = msg(type, flags, 1, 0);
    if (type !== 1) thdr(m);
    return [...decodeDatagram(p, m.build())[0]!.flags];
  };
  t.strictSame(names(MT.T_GET, 0x300), ['NLM_F_DUMP']);
  t.strictSame(names(MT.T_NEW, 0x300), ['NLM_F_REPLACE', 'NLM_F_EXCL']);
  t.strictSame(names(MT.T_DEL, 0x300), ['NLM_F_NONREC', 'NLM_F_BULK']);
  t.strictSame(names(MT.T_SET, 0x300), ['0x100', '0x200']);
  t.strictSame(names(1, 0x300), ['0x100', '0x200'], 'NOOP has no op flags');
});

t.test('DecodeError: typed, with code, offset and path', async (t) => {
  const good = msg(MT.T_NEW, 0, 1, 0);
  thdr(good).attrU32(T.MTU, 1);
  const g = good.build(); // 32 bytes

  decodeFails(t, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 'NLKIT_ERR_TRUNCATED', 0);
  decodeFails(t, datagram(g, Uint8Array.of(20, 0, 0, 0, 16, 0)), 'NLKIT_ERR_TRUNCATED', 32, '');
  decodeFails(t, msg(MT.T_NEW).len(8).build(), 'NLKIT_ERR_BAD_LENGTH', 0);
  decodeFails(t, datagram(g, msg(MT.T_NEW).len(15).build()), 'NLKIT_ERR_BAD_LENGTH', 32);
  decodeFails(t, datagram(g, msg(MT.T_NEW).len(0).u32(1).build()), 'NLKIT_ERR_BAD_LENGTH', 32, '', undefined);
  decodeFails(t, msg(MT.T_NEW).len(64).build(), 'NLKIT_ERR_TRUNCATED', 0);
  decodeFails(t, datagram(g, msg(MT.T_NEW).len(0xffffffff).build()), 'NLKIT_ERR_TRUNCATED', 32);

  // nla_len < 4, at top level and inside a nest.
  const a = msg(MT.T_NEW, 0, 1, 0);
  thdr(a).attrU32(T.MTU, 1).mark('bad').attr(T.NAME, [], { len: 3 });
  decodeFails(t, a.build(), 'NLKIT_ERR_BAD_LENGTH', a.offsets().get('bad')!, 'T_NEW');
  const b = msg(MT.T_NEW, 0, 1, 0);
  thdr(b).nest(T.NEST, (n) => n.attrU32(I.X, 1).mark('bad').attrU32(I.X, 2, { len: 0 }));
  decodeFails(t, b.build(), 'NLKIT_ERR_BAD_LENGTH', b.offsets().get('bad')!, 'T_NEW.T_NEST');
  // An attribute overrunning its container: the message, a nest, a nest in a nest.
  const c = msg(MT.T_NEW, 0, 1, 0);
  thdr(c).mark('bad').attrU32(T.MTU, 1, { len: 12 });
  decodeFails(t, c.build(), 'NLKIT_ERR_TRUNCATED', c.offsets().get('bad')!, 'T_NEW');
  const d = msg(MT.T_NEW, 0, 1, 0);
  thdr(d).nest(T.NEST, (n) => n.nest(I.CHILD, (cc) => cc.attrU32(I.X, 1).mark('bad').attrU32(I.X, 1, { len: 9 }))).attrU32(T.MTU, 1);
  decodeFails(t, d.build(), 'NLKIT_ERR_TRUNCATED', d.offsets().get('bad')!, 'T_NEW.T_NEST.I_CHILD');
  // A value too short for its type names the attribute itself.
  const e = msg(MT.T_NEW, 0, 1, 0);
  thdr(e).nest(T.NEST, (n) => n.mark('bad').attrU16(I.X, 1));
  decodeFails(t, e.build(), 'NLKIT_ERR_BAD_VALUE', e.offsets().get('bad')!, 'T_NEW.T_NEST.I_X');
  const f = msg(MT.T_NEW, 0, 1, 0);
  thdr(f).mark('bad').attr(T.BIG, [1, 2, 3, 4]);
  decodeFails(t, f.build(), 'NLKIT_ERR_BAD_VALUE', f.offsets().get('bad')!, 'T_NEW.T_BIG');
  const g2 = msg(MT.T_NEW, 0, 1, 0);
  thdr(g2).str(T.KIND, 'gamma').mark('bad').attrU16(T.INFO, 1);
  decodeFails(t, g2.build(), 'NLKIT_ERR_BAD_VALUE', g2.offsets().get('bad')!, 'T_NEW.T_INFO');
  const h = msg(MT.T_NEW, 0, 1, 0);
  thdr(h).mark('bad').attrU16(T.UINT, 1);
  decodeFails(t, h.build(), 'NLKIT_ERR_BAD_VALUE', h.offsets().get('bad')!, 'T_NEW.T_UINT');
  // Inside an indexed array, a sub-message, a nest with a struct header, a custom codec.
  const i = msg(MT.T_NEW, 0, 1, 0);
  thdr(i).nest(T.VALS, (n) => n.attrU16(0, 1).mark('bad').attr(1, [1]));
  decodeFails(t, i.build(), 'NLKIT_ERR_BAD_VALUE', i.offsets().get('bad')!, 'T_NEW.T_VALS');
  const j = msg(MT.T_NEW, 0, 1, 0);
  thdr(j).nest(T.SLOTS, (n) => n.mark('bad').attr(1, [], { len: 2 }));
  decodeFails(t, j.build(), 'NLKIT_ERR_BAD_LENGTH', j.offsets().get('bad')!, 'T_NEW.T_SLOTS');
  const j2 = msg(MT.T_NEW, 0, 1, 0);
  thdr(j2).nest(T.SLOTS, (n) => n.nest(1, (s) => s.mark('bad').attrU8(I.X, 1), { nested: true }), { nested: true });
  decodeFails(t, j2.build(), 'NLKIT_ERR_BAD_VALUE', j2.offsets().get('bad')!, 'T_NEW.T_SLOTS.I_X');
  const k = msg(MT.T_NEW, 0, 1, 0);
  thdr(k).str(T.KIND, 'alpha').nest(T.INFO, (n) => n.mark('bad').attrU8(1, 1));
  decodeFails(t, k.build(), 'NLKIT_ERR_BAD_VALUE', k.offsets().get('bad')!, 'T_NEW.T_INFO.A_ID');
  const l = msg(MT.T_NEW, 0, 1, 0);
  thdr(l).attr(T.PEER, (n) => n.zeros(8).mark('bad').attr(I.X, [], { len: 200 }));
  decodeFails(t, l.build(), 'NLKIT_ERR_TRUNCATED', l.offsets().get('bad')!, 'T_NEW.T_PEER');
  const m = msg(MT.T_NEW, 0, 1, 0);
  thdr(m).attr(T.HOPS, (n) => n.mark('bad').u16(4).u16(0).u32(0));
  decodeFails(t, m.build(), 'NLKIT_ERR_BAD_LENGTH', m.offsets().get('bad')!, 'T_NEW.T_HOPS');
  // In the second message of a datagram, offsets count from the start of the datagram.
  decodeFails(t, datagram(g, e.build()), 'NLKIT_ERR_BAD_VALUE', 32 + e.offsets().get('bad')!, 'T_NEW.T_NEST.I_X');
  // Control messages.
  decodeFails(t, msg(NLMSG_ERROR, 0, 1, 0).s32(0).u32(16).build(), 'NLKIT_ERR_TRUNCATED', 16);
  const n = msg(NLMSG_ERROR, 0x100, 1, 0).s32(-1).u32(16).u16(1).u16(0).u32(0).u32(0).mark('bad').attrU16(2, 1);
  decodeFails(t, n.build(), 'NLKIT_ERR_BAD_VALUE', n.offsets().get('bad')!, 'NLMSG_ERROR.NLMSGERR_ATTR_OFFS');
  const o = msg(NLMSG_DONE, 0x2, 1, 0).s32(-1).mark('bad').attr(1, [], { len: 40 });
  decodeFails(t, o.build(), 'NLKIT_ERR_TRUNCATED', o.offsets().get('bad')!, 'NLMSG_DONE');
});

t.test('nesting depth is limited (default 32, option maxDepth)', async (t) => {
  // The message's own attributes are level 1; T_NEST's are level 2; each I_CHILD adds one.
  const chain = (levels: number) => {
    const m = msg(MT.T_NEW, 0, 1, 0);
    const fill = (b: Bytes, left: number): unknown => (left === 0 ? b.mark('deepest').attrU32(I.X, 1) : b.nest(I.CHILD, (c) => fill(c, left - 1)));
    thdr(m).nest(T.NEST, (n) => fill(n, levels - 2));
    return m;
  };
  const ok32 = chain(32);
  let x: unknown = decodeDatagram(p, ok32.build())[0]!.attrs.nest;
  let depth = 2;
  while ((x as { child?: unknown }).child) (x = (x as { child: unknown }).child), depth++;
  t.equal(depth, 32, '32 levels decode');
  t.equal((x as { x: number }).x, 1);
  roundTrip(t, ok32.build(), '32 levels');

  const deep = chain(33);
  try {
    decodeDatagram(p, deep.build());
    t.fail('33 levels must not decode');
  } catch (e) {
    t.match(e, { name: 'DecodeError', code: 'NLKIT_ERR_TOO_DEEP', offset: deep.offsets().get('deepest')!, message: /deeper than 32/ });
    t.match((e as DecodeError).path, /^T_NEW\.T_NEST(\.I_CHILD){31}$/, 'the path leads to it');
  }
  const d5 = chain(5);
  t.doesNotThrow(() => decodeDatagram(p, d5.build(), { maxDepth: 5 }));
  t.throws(() => decodeDatagram(p, d5.build(), { maxDepth: 4 }), { code: 'NLKIT_ERR_TOO_DEEP', message: /deeper than 4/ });
  t.doesNotThrow(() => decodeDatagram(p, chain(40).build(), { maxDepth: 40 }));

  // Indexed arrays count as a level too.
  const ia = msg(MT.T_NEW, 0, 1, 0);
  thdr(ia).nest(T.SLOTS, (n) => n.nest(1, (s) => s.attrU32(I.X, 1), { nested: true }), { nested: true });
  t.doesNotThrow(() => decodeDatagram(p, ia.build(), { maxDepth: 3 }));
  t.throws(() => decodeDatagram(p, ia.build(), { maxDepth: 2 }), { code: 'NLKIT_ERR_TOO_DEEP' });
  // The context is usable again after a TOO_DEEP (no depth leaks into the next message).
  const two = datagram(chain(3).build(), chain(3).build());
  t.equal(decodeDatagram(p, two, { maxDepth: 3 }).length, 2);
});

t.test('nested flag on attributes is what the spec says', async (t) => {
  const m = encodeMessage(p, { type: 'T_NEW', attrs: { props: { x: 1 }, nest: { x: 1 } } });
  const want = msg(MT.T_NEW);
  thdr(want).nest(T.PROPS, (n) => n.attrU32(I.X, 1), { nested: true }).nest(T.NEST, (n) => n.attrU32(I.X, 1));
  t.equal(toHexString(m), toHexString(want.build()));
  t.equal(F_NESTED, 0x8000);
});
