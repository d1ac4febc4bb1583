// Fuzzing the decoder (STYLE #10, #13): random bytes and mutations of valid datagrams of the test
// protocol. The only exception allowed out of decodeDatagram is DecodeError; nothing hangs; after
// every bad input the same protocol still decodes a valid message to the object written here by
// hand. Inputs that do decode must encode back to their own bytes (the round-trip contract).
//
// NLKIT_FUZZ_SEED and NLKIT_FUZZ_N reproduce or extend a run.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { decodeDatagram, encodeMessage, type Message } from '../../../src/netlink/message.js';
import { DecodeError } from '../../../src/netlink/errors.js';
import { F_NESTED, F_NET_BYTEORDER, type Bytes, datagram, msg, toHexString, walkAttrs } from '../../helpers/builder.js';
import { A, I, M, MT, T, V4, testProtocol } from '../../helpers/test-protocol.js';
import { rng } from '../../helpers/rng.js';

const SEED = Number(process.env['NLKIT_FUZZ_SEED'] ?? 0x5eed1234);
const N = Number(process.env['NLKIT_FUZZ_N'] ?? 100_000);
/** Writes the hex of inputs that fail the round trip to this file, one a line (for triage). */
const DUMP = process.env['NLKIT_FUZZ_DUMP'];
const p = testProtocol();

const r = rng(SEED);
const int = (n: number) => Math.floor(r() * n);
const pick = <X>(xs: readonly X[]): X => xs[int(xs.length)]!;

function thdr(b: Bytes, family = 0): Bytes {
  return b.u8(family).u8(0).u16(0).s32(0);
}

// --- The reference message and its expected decoding, written by hand --------------------------

const refBytes = (() => {
  const m = msg(MT.T_NEW, 0x405, 77, 0);
  thdr(m, 2)
    .str(T.NAME, 'ref0')
    .attrU32(T.MTU, 9000)
    .nest(T.NEST, (n) => n.attrU32(I.X, 1).str(I.Y, 'y'))
    .str(T.KIND, 'alpha')
    .nest(T.INFO, (n) => n.attrU32(A.ID, 5))
    .nest(T.SPEC, (n) => n.attrBytes(V4.ADDR, [10, 0, 0, 1]))
    .attrU64(T.BIG, 2n ** 60n);
  return m.build();
})();
const refExpected: Message = {
  type: 'T_NEW',
  flags: ['NLM_F_REQUEST', 'NLM_F_ACK', 'NLM_F_CREATE'],
  seq: 77,
  pid: 0,
  header: { family: 2, kind: 0, index: 0 },
  attrs: { name: 'ref0', mtu: 9000, nest: { x: 1, y: 'y' }, kind: 'alpha', info: { id: 5 }, spec: { addr: '10.0.0.1' }, big: 2n ** 60n },
};
const snap = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
const refSnap = snap([refExpected]);

// --- The corpus: valid datagrams of the test protocol ------------------------------------------

function corpus(): Uint8Array[] {
  const out: Uint8Array[] = [refBytes];
  const all = msg(MT.T_NEW, 0x405, 1, 0);
  thdr(all, 10)
    .attrU8(T.U8, 1).attrU16(T.U16, 2).attrU32(T.MTU, 3).attrU64(T.BIG, 2n ** 63n).attrS8(T.S8, -1).attrS16(T.S16, -2).attrS32(T.S32, -3)
    .attrS64(T.S64, -4n).attrBe16(T.PORT, 80).attrBe32(T.VNI, 42).attrBe64(T.BE64, 7n).flag(T.UP).str(T.NAME, 'veth0')
    .attrBytes(T.DATA, 'deadbeef').attrBytes(T.LLADDR, '020000000001').attrBytes(T.ADDR, 'fd000000000000000000000000000001')
    .attr(T.STATS, (s) => s.u32(1).u16(2).zeros(2).u64(3n).bytes(1, 2, 3, 4))
    .attr(T.LIST, (s) => s.u32(1).u32(2))
    .nest(T.NEST, (n) => n.attrU32(I.X, 1).nest(I.CHILD, (c) => c.str(I.Y, 'deep').nest(I.CHILD, (d) => d.flag(I.ON))))
    .attr(T.PEER, (n) => n.u32(3).u16(1).zeros(2).attrU32(I.X, 4))
    .nest(T.SLOTS, (n) => n.nest(1, (e) => e.attrU32(I.X, 1), { nested: true }).nest(2, (e) => e.str(I.Y, 's'), { nested: true }), { nested: true })
    .nest(T.VALS, (n) => n.attrU16(0, 1).attrU16(1, 2))
    .nest(T.IPS, (n) => n.attrBytes(1, [1, 2, 3, 4]))
    .nest(T.NAMES, (n) => n.str(1, 'a'))
    .str(T.KIND, 'beta')
    .attr(T.INFO, (s) => s.u32(1).u16(2).zeros(2).u64(3n).bytes(1, 2, 3, 4))
    .nest(T.SPEC, (n) => n.attrBytes(1, 'fe800000000000000000000000000001'), { nested: true })
    .nest(T.ENCAP, (n) => n.attrU32(M.LABEL, 1).attrU8(M.TTL, 2), { nested: true })
    .attrU16(T.ENCAP_TYPE, 1)
    .str(T.TAG, 'a').str(T.TAG, 'b')
    .nest(T.PROPS, (n) => n.attrBytes(I.MAC, '0a0b0c0d0e0f'), { nested: true })
    .attr(T.HOPS, (h) => h.u16(8).u8(1).u8(2).s32(3))
    .attrU32(T.UINT, 5).attrS64(T.SINT, -(2n ** 40n));
  out.push(all.build());
  const irregular = msg(MT.T_NEW, 0, 2, 0);
  thdr(irregular)
    .attrBytes(99, '0102', { flags: F_NET_BYTEORDER })
    .attrU32(T.MTU, 1)
    .str(T.NAME, 'x', { nul: false })
    .attrU32(T.MTU, 2)
    .nest(T.NEST, (n) => n.attrU32(I.X, 1).bytes(1, 2), { nested: true })
    .attr(T.STATS, (s) => s.u32(1))
    .str(T.KIND, 'gamma')
    .attr(T.INFO, (s) => s.u32(9).u32(9))
    .str(T.NAME, 'ab', { noPad: true });
  out.push(irregular.build());
  const req = msg(MT.T_NEW, 0x405, 9, 0);
  thdr(req).str(T.NAME, 'dummy0');
  const reqB = req.build();
  out.push(msg(2, 0x300, 9, 4242).s32(-22).raw(reqB.subarray(0, 16)).str(1, 'bad').attrU32(2, 24).attrBytes(3, 'aa').nest(4, (n) => n.attrU32(1, 3), { nested: true }).attrU32(5, 1).attrU32(6, 20).build());
  out.push(msg(2, 0, 9, 4242).s32(-1).raw(reqB).build());
  const dump = [1, 2, 3].map((i) => {
    const m = msg(MT.T_NEW, 0x2, 5, 4242);
    thdr(m, 2).str(T.NAME, `if${i}`).attrU32(T.MTU, 1500);
    return m.build();
  });
  out.push(datagram(...dump, msg(3, 0x202, 5, 4242).s32(-95).str(1, 'no').build()));
  out.push(msg(MT.T_GETG, 0x301, 3, 0).u8(2).build());
  out.push(datagram(msg(1).build(), msg(4).u32(1).build(), msg(0x99, 0, 1, 1).bytes(1, 2, 3).build()));
  return out;
}

/** Offsets of the length fields (nlmsg_len u32 and nla_len u16) and of nla_type in a datagram. */
function fields(dg: Uint8Array): { msgLen: number[]; attrLen: number[] } {
  const view = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
  const msgLen: number[] = [];
  const attrLen: number[] = [];
  const walk = (start: number, end: number, depth: number) => {
    for (const a of walkAttrs(dg, start, end)) {
      attrLen.push(a.off);
      const inner = walkAttrs(dg, a.off + 4, a.off + a.len);
      const covered = inner.reduce((n, x) => n + ((x.len + 3) & ~3), 0);
      if (depth < 8 && inner.length > 0 && Math.abs(covered - (a.len - 4)) < 4) walk(a.off + 4, a.off + a.len, depth + 1);
    }
  };
  let off = 0;
  while (dg.length - off >= 16) {
    const len = view.getUint32(off, true);
    if (len < 16 || off + len > dg.length) break;
    msgLen.push(off);
    const type = view.getUint16(off + 4, true);
    const attrsAt = type === MT.T_GETG ? 20 : type >= 16 ? 24 : type === 2 ? 36 : type === 3 ? 20 : len;
    walk(off + attrsAt, off + len, 0);
    off += (len + 3) & ~3;
  }
  return { msgLen, attrLen };
}

// --- Mutations --------------------------------------------------------------------------------

const KNOWN_TYPES = [...Object.values(T), ...Object.values(I), 0, 99, 0x3fff];
function mutate(src: Uint8Array, all: Uint8Array[], f: { msgLen: number[]; attrLen: number[] }): Uint8Array {
  let b: Uint8Array = src.slice();
  const view = () => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const rounds = 1 + int(3);
  for (let k = 0; k < rounds; k++) {
    switch (int(9)) {
      case 0: // bit flips
        for (let i = 1 + int(3); i > 0 && b.length; i--) b[int(b.length)]! ^= 1 << int(8);
        break;
      case 1: // a byte anywhere
        if (b.length) b[int(b.length)] = int(256);
        break;
      case 2: {
        // an attribute length
        const at = f.attrLen.length ? pick(f.attrLen) : -1;
        if (at >= 0 && at + 2 <= b.length) {
          const cur = view().getUint16(at, true);
          view().setUint16(at, pick([0, 1, 2, 3, 4, 5, 7, 8, cur - 1, cur + 1, cur - 4, cur + 4, cur + 2, 0xffff, int(0x10000)]) & 0xffff, true);
        }
        break;
      }
      case 3: {
        // a message length
        const at = f.msgLen.length ? pick(f.msgLen) : 0;
        if (at + 4 <= b.length) {
          const cur = view().getUint32(at, true);
          view().setUint32(at, pick([0, 1, 15, 16, 17, cur - 1, cur + 1, cur - 4, cur + 4, b.length - at, 0xffffffff, int(0x200)]) >>> 0, true);
        }
        break;
      }
      case 4: {
        // an attribute type, with or without flag bits
        const at = f.attrLen.length ? pick(f.attrLen) : -1;
        if (at >= 0 && at + 4 <= b.length) view().setUint16(at + 2, pick(KNOWN_TYPES) | pick([0, 0, F_NESTED, F_NET_BYTEORDER]), true);
        break;
      }
      case 5: // truncation
        b = b.slice(0, int(b.length + 1));
        break;
      case 6: {
        // splice with another corpus entry
        const o = pick(all);
        const x = int(b.length + 1);
        const y = int(o.length + 1);
        b = datagram(b.subarray(0, x), o.subarray(y));
        break;
      }
      case 7: {
        // insert or delete a few bytes
        const x = int(b.length + 1);
        if (r() < 0.5) b = datagram(b.subarray(0, x), Uint8Array.from({ length: 1 + int(8) }, () => (r() < 0.5 ? 0 : int(256))), b.subarray(x));
        else b = datagram(b.subarray(0, x), b.subarray(Math.min(b.length, x + 1 + int(8))));
        break;
      }
      case 8: {
        // duplicate a chunk
        const x = int(b.length + 1);
        const y = Math.min(b.length, x + int(32));
        b = datagram(b.subarray(0, y), b.subarray(x, y), b.subarray(y));
        break;
      }
    }
  }
  // Half the time, make the first message's length cover the datagram so decoding goes deep.
  if (b.length >= 16 && r() < 0.5) new DataView(b.buffer, b.byteOffset).setUint32(0, b.length, true);
  return b;
}

function randomBytes(): Uint8Array {
  const n = int(r() < 0.1 ? 2000 : 200);
  const b = Uint8Array.from({ length: n }, () => (r() < 0.3 ? 0 : int(256)));
  if (n >= 16 && r() < 0.7) {
    // A plausible nlmsghdr so the body is reached.
    const v = new DataView(b.buffer);
    v.setUint32(0, r() < 0.8 ? n : int(n + 8), true);
    v.setUint16(4, pick([1, 2, 3, 4, MT.T_NEW, MT.T_DEL, MT.T_GET, MT.T_SET, MT.T_GETG, 0x99]), true);
  }
  return b;
}

// --- The run ----------------------------------------------------------------------------------

/** For a datagram that decoded: each message encodes to its own bytes. Returns a reason or ''. */
function roundTrip(dg: Uint8Array, msgs: Message[]): string {
  const view = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
  let off = 0;
  for (const m of msgs) {
    const len = view.getUint32(off, true);
    let enc: Uint8Array;
    try {
      enc = encodeMessage(p, m);
    } catch (e) {
      return `encode threw ${(e as Error).name}: ${(e as Error).message}`;
    }
    const got = toHexString(enc.subarray(0, len));
    const want = toHexString(dg.subarray(off, off + len));
    if (got !== want) return `message at ${off} re-encodes differently`;
    off += (len + 3) & ~3;
  }
  return '';
}

t.test(`fuzz decodeDatagram (seed ${SEED}, ${N} inputs)`, async (t) => {
  const all = corpus();
  // The corpus itself decodes and round-trips.
  for (const c of all) {
    const msgs = decodeDatagram(p, c);
    t.equal(roundTrip(c, msgs), '', `corpus entry of ${c.length} bytes round-trips`);
  }
  t.equal(snap(decodeDatagram(p, refBytes)), refSnap, 'the reference message decodes as written');
  const f = all.map(fields);
  t.ok(f.every((x) => x.msgLen.length > 0) && f.reduce((n, x) => n + x.attrLen.length, 0) > 80, 'length fields found in the corpus');

  const codes = new Map<string, number>();
  const foreign: string[] = [];
  const broken: string[] = [];
  const roundTripFailures: string[] = [];
  let decoded = 0;
  let slowest = 0;
  let slowestInput = '';
  const started = Date.now();
  for (let i = 0; i < N; i++) {
    let input: Uint8Array;
    if (i % 4 === 0) input = randomBytes();
    else {
      const k = int(all.length);
      input = mutate(all[k]!, all, f[k]!);
    }
    const t0 = performance.now();
    let msgs: Message[] | undefined;
    try {
      msgs = decodeDatagram(p, input);
    } catch (e) {
      if (e instanceof DecodeError) codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      else if (foreign.length < 20) foreign.push(`${(e as Error)?.name}: ${(e as Error)?.message} ← ${toHexString(input)}`);
      else foreign.push('');
    }
    const dt = performance.now() - t0;
    if (dt > slowest) (slowest = dt), (slowestInput = `${input.length} bytes`);
    if (msgs) {
      decoded++;
      const why = roundTrip(input, msgs);
      if (why) roundTripFailures.push(`${why} ← ${toHexString(input)}`);
    }
    // The decoder survives: the reference still decodes as written.
    if (i % 8 === 0 || !msgs) {
      const again = snap(decodeDatagram(p, refBytes));
      if (again !== refSnap && broken.length < 5) broken.push(`after input ${i} (${toHexString(input)}): ${again}`);
    }
  }
  const ms = Date.now() - started;
  t.comment(`${N} inputs in ${ms} ms: ${decoded} decoded, ${N - decoded} rejected; slowest ${slowest.toFixed(1)} ms (${slowestInput})`);
  t.comment(`DecodeErrors by code: ${[...codes].sort().map(([c, n]) => `${c} ${n}`).join(', ')}`);
  t.strictSame(foreign.filter(Boolean).slice(0, 5), [], 'only DecodeError escapes');
  t.equal(foreign.length, 0, 'no other exception');
  t.strictSame(broken, [], 'the decoder still decodes a valid message after bad input');
  // Generous: a GC pause on a loaded machine is not a hang; a quadratic path or a loop is.
  t.ok(slowest < 2000, `no input takes long (slowest ${slowest.toFixed(1)} ms)`);
  t.ok(decoded > N / 10, 'a good share of mutated inputs still decode');
  t.ok(codes.size >= 3, 'several kinds of DecodeError were hit');
  if (DUMP) writeFileSync(DUMP, roundTripFailures.map((x) => x.split(' ← ')[1]).join('\n') + '\n');
  t.strictSame(roundTripFailures.slice(0, 3), [], `inputs that decode re-encode to their own bytes (${roundTripFailures.length} of ${decoded} failed)`);
});

t.test('hostile sizes decode in linear time', async (t) => {
  // 64000 attributes (256 KiB, as a pcap or strace dump may hold): unknown ones with a flag bit
  // (kept verbatim each), and sub-messages whose selector is absent (each looks ahead for it).
  // Both were quadratic: 3 s and 9 s here.
  const time = (build: (b: Bytes) => unknown) => {
    const m = msg(MT.T_NEW, 0, 1, 0);
    thdr(m);
    build(m);
    const bytes = m.build();
    const t0 = performance.now();
    const [d] = decodeDatagram(p, bytes);
    const dt = performance.now() - t0;
    t.equal(roundTrip(bytes, [d!]), '', 'round-trips');
    return dt;
  };
  const a = time((b) => {
    for (let i = 0; i < 64000; i++) b.attr(99, [], { flags: F_NET_BYTEORDER });
  });
  const s = time((b) => {
    for (let i = 0; i < 64000; i++) b.attr(T.ENCAP, []);
  });
  const n = time((b) => {
    for (let i = 0; i < 32000; i++) b.nest(T.ENCAP, (x) => x.attr(T.ENCAP, []));
  });
  t.comment(`256 KiB: flagged unknown attributes ${a.toFixed(0)} ms, sub-messages without selector ${s.toFixed(0)} ms, nested ${n.toFixed(0)} ms`);
  t.ok(a < 2000 && s < 2000 && n < 2000, 'each under 2 s');
});
