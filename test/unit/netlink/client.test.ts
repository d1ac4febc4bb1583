// The client session over the fake transport, driven by a small fake kernel written here: it
// decodes requests with the test protocol, answers with bytes from the independent builder, and
// produces dumps one chunk at a time, as the kernel does (the next chunk is made when the previous
// one was read).
import t, { type Test } from 'tap';
import { NetlinkClient, DumpInterruptedError, type ClientOptions, type Overrun } from '../../../src/netlink/client.js';
import { createFakeTransport, type FakeTransport } from '../../../src/netlink/fake-transport.js';
import { decodeDatagram, type Message, type MessageDecoder } from '../../../src/netlink/message.js';
import { isNetlinkError, NetlinkError } from '../../../src/netlink/errors.js';
import { type Bytes, msg, toHexString, walkAttrs } from '../../helpers/builder.js';
import { I, MT, T, testProtocol } from '../../helpers/test-protocol.js';

const p = testProtocol();
const PORT = 4242;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const F = { REQUEST: 1, MULTI: 2, ACK: 4, ECHO: 8, DUMP_INTR: 0x10, DUMP: 0x300, CAPPED: 0x100, ACK_TLVS: 0x200 } as const;

const tick = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A request as the fake kernel sees it: decoded, plus its raw bytes and header fields. */
interface Req {
  m: Message;
  raw: Uint8Array;
  type: number;
  flags: number;
  seq: number;
}

type Answer = Uint8Array[] | { dump: Uint8Array[] } | void;

/** The fake kernel: `answer` decides; dumps are fed one chunk per read. */
class Kernel {
  readonly t: FakeTransport;
  readonly requests: Req[] = [];
  /** Datagrams handed out by receive(). */
  delivered = 0;
  /** Protocol violations seen (e.g. a dump request while another dump runs). */
  readonly violations: string[] = [];
  private dump: { seq: number; chunks: Uint8Array[]; next: number; outstanding: Uint8Array | undefined } | undefined;
  /** Delay before the next dump chunk is produced (ms); 0 = as soon as the previous was read. */
  chunkDelay = 0;

  constructor(private readonly answer: (r: Req, k: Kernel) => Answer, opts: ClientOptions = {}) {
    this.t = createFakeTransport((dg) => this.onSend(dg));
    const receive = this.t.receive.bind(this.t);
    this.t.receive = () => {
      const dg = receive();
      if (dg !== null) {
        this.delivered++;
        const d = this.dump;
        if (d && dg === d.outstanding) {
          d.outstanding = undefined;
          if (d.next === d.chunks.length) this.dump = undefined;
          else if (this.chunkDelay) setTimeout(() => this.feed(d), this.chunkDelay);
          else this.feed(d);
        }
      }
      return dg;
    };
    this.client = new NetlinkClient(this.t, p, opts);
  }
  readonly client: NetlinkClient;

  get dumping(): boolean {
    return this.dump !== undefined;
  }

  private feed(d: NonNullable<Kernel['dump']>): void {
    if (this.dump !== d || this.t.closed) return;
    d.outstanding = d.chunks[d.next++]!;
    this.t.inject(d.outstanding);
  }

  private onSend(dg: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const view = new DataView(dg.buffer, dg.byteOffset, dg.byteLength);
    const msgs = decodeDatagram(p, dg);
    let off = 0;
    for (const m of msgs) {
      const len = view.getUint32(off, true);
      const r: Req = { m, raw: dg.slice(off, off + len), type: view.getUint16(off + 4, true), flags: view.getUint16(off + 6, true), seq: m.seq };
      off += (len + 3) & ~3;
      this.requests.push(r);
      if ((r.flags & F.DUMP) === F.DUMP && this.dump) {
        this.violations.push(`dump seq ${r.seq} while dump seq ${this.dump.seq} runs`);
        out.push(errorFor(r, -16));
        continue;
      }
      const a = this.answer(r, this);
      if (a === undefined) continue;
      if (Array.isArray(a)) out.push(...a);
      else {
        const d = { seq: r.seq, chunks: a.dump, next: 1, outstanding: a.dump[0] };
        this.dump = d;
        out.push(a.dump[0]!);
      }
    }
    return out;
  }
}

function thdr(b: Bytes, family = 0): Bytes {
  return b.u8(family).u8(0).u16(0).s32(0);
}
/** NLMSG_ERROR for request `r`: capped, with extended-ACK attributes added by `tlv`. */
function errorFor(r: Req, error: number, tlv?: (b: Bytes) => unknown, pid = PORT): Uint8Array {
  const m = msg(NLMSG_ERROR, F.CAPPED | (tlv ? F.ACK_TLVS : 0), r.seq, pid).s32(error).raw(r.raw.subarray(0, 16));
  if (tlv) tlv(m);
  return m.build();
}
const ackFor = (r: Req) => errorFor(r, 0);
/** A T_NEW object message with name/mtu attributes. */
function obj(seq: number, flags: number, name: string, mtu = 1500, pid = PORT): Uint8Array {
  const m = msg(MT.T_NEW, flags, seq, pid);
  thdr(m, 2).str(T.NAME, name).attrU32(T.MTU, mtu);
  return m.build();
}
/** Concatenated messages as one datagram. */
function dg(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let at = 0;
  for (const x of parts) (out.set(x, at), (at += x.length));
  return out;
}
function done(seq: number, flags: number = F.MULTI, error = 0, tlv?: (b: Bytes) => unknown): Uint8Array {
  const m = msg(NLMSG_DONE, flags, seq, PORT).s32(error);
  if (tlv) tlv(m);
  return m.build();
}
/** A dump of `n` datagrams of `per` objects each, then DONE (in its own datagram). */
function dumpOf(seq: number, n: number, per = 1, prefix = 'o', lastFlags: number = F.MULTI): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < n; i++) chunks.push(dg(...Array.from({ length: per }, (_, j) => obj(seq, F.MULTI, `${prefix}${i * per + j}`))));
  chunks.push(done(seq, lastFlags));
  return chunks;
}
const names = (ms: Message[]) => ms.map((m) => m.attrs.name);
// Every subtest gets a timeout: a client bug must fail a test, not hang the run. The client's
// timers are unref'd and the fake transport holds no handle, so a ref'd interval keeps the
// process alive while a subtest waits for a client timeout.
const test = (name: string, fn: (tt: Test) => Promise<void>) =>
  t.test(name, { timeout: 10000 }, async (tt) => {
    const keep = setInterval(() => undefined, 1000);
    tt.teardown(() => clearInterval(keep));
    await fn(tt);
  });

test('request + ACK', async (t) => {
  const k = new Kernel((r) => [ackFor(r)]);
  const replies = await k.client.request({ type: 'T_NEW', flags: ['NLM_F_CREATE'], header: { family: 2 }, attrs: { name: 'x', mtu: 1 } });
  t.strictSame(replies, []);
  t.equal(k.requests.length, 1);
  const r = k.requests[0]!;
  t.equal(r.flags, F.REQUEST | F.ACK | 0x400, 'REQUEST|ACK|CREATE');
  t.ok(r.seq > 0, 'a non-zero sequence number');
  const want = msg(MT.T_NEW, F.REQUEST | F.ACK | 0x400, r.seq, 0);
  thdr(want, 2).str(T.NAME, 'x').attrU32(T.MTU, 1);
  t.equal(toHexString(r.raw), toHexString(want.build()), 'the bytes sent');
  // Sequence numbers increase.
  await k.client.request({ type: 'T_DEL', header: {} });
  t.ok(k.requests[1]!.seq > r.seq);
  k.client.close();
});

test('request error with extended ACK → NetlinkError with the attribute path', async (t) => {
  const k = new Kernel((r) => {
    // Blame I_X inside T_NEST: find it in the request bytes with the independent walker.
    const nest = walkAttrs(r.raw, 24, r.raw.length).find((a) => a.type === T.NEST)!;
    const x = walkAttrs(r.raw, nest.off + 4, nest.off + nest.len).find((a) => a.type === I.X)!;
    return [errorFor(r, -17, (b) => b.str(1, 'Object already exists').attrU32(2, x.off))];
  });
  const e = await k.client.request({ type: 'T_NEW', header: {}, attrs: { name: 'n', nest: { y: 'a', x: 5 } } }).then(
    () => undefined,
    (err: unknown) => err,
  );
  t.ok(e instanceof NetlinkError && isNetlinkError(e));
  const ne = e as NetlinkError;
  t.equal(ne.errno, 17);
  t.equal(ne.code, 'EEXIST');
  t.equal(ne.errnoText, 'File exists');
  t.equal(ne.kernelMessage, 'Object already exists');
  t.equal(ne.attributePath, 'T_NEST.I_X');
  t.equal(ne.request, 'T_NEW');
  t.equal(ne.offset, 24 + 8 + 4 + 8);
  t.match(ne.message, /T_NEW: File exists: Object already exists \(attribute T_NEST\.I_X\)/);

  // A missing attribute, in a nest.
  const k2 = new Kernel((r) => {
    const nest = walkAttrs(r.raw, 24, r.raw.length).find((a) => a.type === T.NEST)!;
    return [errorFor(r, -22, (b) => b.str(1, 'missing attribute').attrU32(5, I.Y).attrU32(6, nest.off))];
  });
  await t.rejects(k2.client.request({ type: 'T_NEW', header: {}, attrs: { mtu: 1, nest: { x: 1 } } }), {
    name: 'NetlinkError',
    code: 'EINVAL',
    missingType: I.Y,
    missingPath: 'T_NEST.I_Y',
    message: /missing T_NEST\.I_Y/,
  });
  // Cookie and policy are passed through; an offset that resolves to nothing stays a number.
  const k3 = new Kernel((r) => [errorFor(r, -1, (b) => b.attrU32(2, 3).attrBytes(3, 'abcd').nest(4, (n) => n.attrU32(1, 3), { nested: true }))]);
  await t.rejects(k3.client.request({ type: 'T_NEW', header: {} }), { code: 'EPERM', cookie: 'abcd', policy: '0800010003000000', offset: 3, attributePath: undefined, message: /at byte 3 of the request/ });
  for (const x of [k, k2, k3]) x.client.close();
});

test('GET: replies before the ACK are returned', async (t) => {
  const k = new Kernel((r) => [obj(r.seq, 0, 'lo', 65536), ackFor(r)]);
  const replies = await k.client.request({ type: 'T_GET', header: {}, attrs: { name: 'lo' } });
  t.equal(replies.length, 1);
  t.strictSame(replies[0]!.attrs, { name: 'lo', mtu: 65536 });
  t.equal(replies[0]!.type, 'T_NEW');
  // The reply and the ACK in one datagram.
  const k2 = new Kernel((r) => [dg(obj(r.seq, 0, 'a'), obj(r.seq, 0, 'b'), ackFor(r))]);
  t.strictSame(names(await k2.client.request({ type: 'T_GET', header: {} })), ['a', 'b']);
  // Without ACK, the first reply completes it.
  const k3 = new Kernel((r) => [obj(r.seq, 0, 'one')]);
  const r3 = await k3.client.request({ type: 'T_GET', header: {} }, { ack: false });
  t.strictSame(names(r3), ['one']);
  t.equal(k3.requests[0]!.flags & F.ACK, 0, 'no NLM_F_ACK asked for');
  // NLM_F_ECHO on a NEW returns the echo.
  const k4 = new Kernel((r) => [obj(r.seq, 0, 'echoed'), ackFor(r)]);
  t.strictSame(names(await k4.client.request({ type: 'T_NEW', flags: ['NLM_F_ECHO'], header: {} })), ['echoed']);
  // A NEW without ECHO: a message with our seq before the ACK is a notification, not a reply.
  const k5 = new Kernel((r) => [obj(r.seq, 0, 'notification'), ackFor(r)]);
  const sub = k5.client.subscribe([1]);
  t.strictSame(await k5.client.request({ type: 'T_NEW', header: {} }), []);
  const it = sub[Symbol.asyncIterator]();
  t.equal(((await it.next()).value as Message).attrs.name, 'notification');
  await it.return!(undefined);
  // A request of a type the protocol does not know takes the replies too.
  const k6 = new Kernel((r) => [msg(0x55, 0, r.seq, PORT).u32(1).build(), ackFor(r)]);
  const r6 = await k6.client.request({ type: 0x55, payload: '00' });
  t.equal(r6[0]!.payload, '01000000');
  for (const x of [k, k2, k3, k4, k5, k6]) x.client.close();
});

test('a dump over several datagrams streams and collects', async (t) => {
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 5, 3) }));
  const all = await k.client.dump({ type: 'T_GET', header: {} }).collect();
  t.strictSame(names(all), Array.from({ length: 15 }, (_, i) => `o${i}`));
  t.equal(k.requests[0]!.flags, F.REQUEST | F.DUMP, 'REQUEST|DUMP');
  t.equal(k.dumping, false, 'the kernel finished');

  // Streaming: the first message arrives before the whole dump was read.
  const k2 = new Kernel((r) => ({ dump: dumpOf(r.seq, 10) }), { highWater: 2 });
  const seen: string[] = [];
  let deliveredAtFirst = -1;
  for await (const m of k2.client.dump({ type: 'T_GET', header: {} })) {
    if (deliveredAtFirst < 0) deliveredAtFirst = k2.delivered;
    seen.push(m.attrs.name as string);
  }
  t.ok(deliveredAtFirst < 11, `first message after ${deliveredAtFirst} of 11 datagrams`);
  t.equal(seen.length, 10);
  // A DumpStream is iterated once.
  const s = k2.client.dump({ type: 'T_GET', header: {} });
  await s.collect();
  await t.rejects(s.collect(), /once/);
  k.client.close();
  k2.client.close();
});

test('dumps on one client are serialised; requests interleave with them', async (t) => {
  const k = new Kernel((r) => {
    if ((r.flags & F.DUMP) === F.DUMP) return { dump: dumpOf(r.seq, 4, 2, r.m.header.family === 1 ? 'a' : 'b') };
    return [obj(r.seq, 0, 'single'), ackFor(r)];
  }, { highWater: 2 });
  const [a, b] = await Promise.all([k.client.dump({ type: 'T_GET', header: { family: 1 } }).collect(), k.client.dump({ type: 'T_GET', header: { family: 2 } }).collect()]);
  t.strictSame(k.violations, [], 'the kernel never saw two dumps at once');
  t.strictSame(names(a), ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
  t.strictSame(names(b), ['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7']);

  // A request while a dump is in progress completes, and the dump completes too.
  const stream = k.client.dump({ type: 'T_GET', header: { family: 1 } })[Symbol.asyncIterator]();
  const first = await stream.next();
  t.equal((first.value as Message).attrs.name, 'a0');
  t.ok(k.dumping, 'the dump is in progress');
  const got = await k.client.request({ type: 'T_GET', header: {}, attrs: { name: 'single' } });
  t.strictSame(names(got), ['single']);
  t.ok(k.dumping, 'the request completed in the middle of the dump');
  const rest: string[] = [];
  for (let r = await stream.next(); !r.done; r = await stream.next()) rest.push((r.value as Message).attrs.name as string);
  t.strictSame(rest, ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
  t.strictSame(k.violations, []);
  k.client.close();
});

test('batches(): the messages of a dump in the batches received, requests interleaving, DUMP_INTR, leaving early', async (t) => {
  const k = new Kernel((r) => {
    if ((r.flags & F.DUMP) === F.DUMP) return { dump: dumpOf(r.seq, 4, 3) };
    return [obj(r.seq, 0, 'single'), ackFor(r)];
  }, { highWater: 2 });
  const seen: string[] = [];
  let batches = 0;
  let single: unknown[] = [];
  for await (const batch of k.client.dump({ type: 'T_GET', header: {} }).batches()) {
    batches++;
    t.ok(batch.length > 0, 'no empty batch');
    for (const m of batch) seen.push(m.attrs.name as string);
    // A request while the dump runs (as the route listing asks for a link's name).
    if (batches === 1) single = names(await k.client.request({ type: 'T_GET', header: {}, attrs: { name: 'single' } }));
  }
  t.strictSame(seen, Array.from({ length: 12 }, (_, i) => `o${i}`));
  t.strictSame(single, ['single']);
  t.ok(batches > 1 && batches < 12, `${batches} batches for 12 messages over 4 datagrams`);
  const s = k.client.dump({ type: 'T_GET', header: {} });
  await s.collect();
  await t.rejects(s.batches().next(), /once/, 'a DumpStream is read once');

  // DUMP_INTR: thrown after the last batch, or reported.
  const ki = new Kernel((r) => ({ dump: dumpOf(r.seq, 2, 1, 'x', F.MULTI | F.DUMP_INTR) }));
  const got: unknown[] = [];
  await t.rejects(
    (async () => {
      for await (const b of ki.client.dump({ type: 'T_GET', header: {} }).batches()) got.push(...names(b));
    })(),
    { name: 'DumpInterruptedError' },
  );
  t.strictSame(got, ['x0', 'x1']);
  const r = ki.client.dump({ type: 'T_GET', header: {} }, { onInterrupt: 'report' });
  for await (const _ of r.batches());
  t.equal(r.interrupted, true);

  // Leaving early drops the rest; the next dump works.
  for await (const _ of k.client.dump({ type: 'T_GET', header: {} }).batches()) break;
  t.equal(names(await k.client.dump({ type: 'T_GET', header: {} }).collect()).length, 12);
  t.strictSame(k.violations, []);
  k.client.close();
  ki.client.close();
});

test('DumpOptions.decode: the dump\'s own decoder, in collect(), iteration and batches(); undefined falls back to the full decoder', async (t) => {
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 3, 2) }));
  let calls = 0;
  // Every other message is "decoded" to a marker; the others go to the full decoder.
  const decode: MessageDecoder = (_p, ctx, off) =>
    calls++ % 2 === 0 ? { type: 'T_NEW', flags: ['MULTI'], seq: ctx.view.getUint32(off + 8, true), pid: ctx.view.getUint32(off + 12, true), header: {}, attrs: { name: `short-cut@${off}` } } : undefined;
  const short = (ms: Message[]) => ms.filter((m) => String(m.attrs.name).startsWith('short-cut')).length;
  const collected = await k.client.dump({ type: 'T_GET', header: {} }, { decode }).collect();
  const iterated: Message[] = [];
  for await (const m of k.client.dump({ type: 'T_GET', header: {} }, { decode })) iterated.push(m);
  const batched: Message[] = [];
  for await (const b of k.client.dump({ type: 'T_GET', header: {} }, { decode }).batches()) batched.push(...b);
  for (const [what, ms] of [['collect', collected], ['iteration', iterated], ['batches', batched]] as const) {
    t.equal(ms.length, 6, `${what}: every message`);
    t.equal(short(ms), 3, `${what}: the decoder's messages`);
    t.ok(ms.some((m) => /^o\d$/.test(String(m.attrs.name))), `${what}: the full decoder's messages`);
  }
  t.equal(calls, 18, 'the decoder saw every data message');
  const plain = await k.client.dump({ type: 'T_GET', header: {} }).collect();
  t.equal(short(plain), 0, 'without the option: the full decoder only');
  t.strictSame(k.violations, []);
  k.client.close();
});

test('NLM_F_DUMP_INTR: throw, report, retry', async (t) => {
  let attempt = 0;
  const k = new Kernel((r) => {
    attempt++;
    // The first attempt of each scenario is interrupted; DUMP_INTR is on the messages after the change and on DONE.
    const intr = attempt % 2 === 1;
    const chunks = dumpOf(r.seq, 3, 1, intr ? 'x' : 'y', F.MULTI | (intr ? F.DUMP_INTR : 0));
    if (intr) chunks[2] = obj(r.seq, F.MULTI | F.DUMP_INTR, 'x2');
    return { dump: chunks };
  });
  // throw (the default): collect rejects with what was received.
  attempt = 0;
  const e = await k.client.dump({ type: 'T_GET', header: {} }).collect().then(() => undefined, (x: unknown) => x);
  t.ok(e instanceof DumpInterruptedError, 'DumpInterruptedError');
  t.equal((e as DumpInterruptedError).code, 'NLKIT_ERR_DUMP_INTR');
  t.strictSame(names((e as DumpInterruptedError).partial), ['x0', 'x1', 'x2']);
  // throw while iterating: every message is seen, then the error.
  attempt = 0;
  const seen: string[] = [];
  await t.rejects(
    (async () => {
      for await (const m of k.client.dump({ type: 'T_GET', header: {} })) seen.push(m.attrs.name as string);
    })(),
    { name: 'DumpInterruptedError' },
  );
  t.strictSame(seen, ['x0', 'x1', 'x2']);
  // report: resolves, with `interrupted` set.
  attempt = 0;
  const s = k.client.dump({ type: 'T_GET', header: {} }, { onInterrupt: 'report' });
  t.strictSame(names(await s.collect()), ['x0', 'x1', 'x2']);
  t.equal(s.interrupted, true);
  attempt = 0;
  const s2 = k.client.dump({ type: 'T_GET', header: {} }, { onInterrupt: 'report' });
  const seen2: string[] = [];
  for await (const m of s2) seen2.push(m.attrs.name as string);
  t.equal(s2.interrupted, true, 'report while iterating');
  // retry: the second attempt is consistent and is returned.
  attempt = 0;
  const before = k.requests.length;
  const s3 = k.client.dump({ type: 'T_GET', header: {} }, { onInterrupt: 'retry' });
  t.strictSame(names(await s3.collect()), ['y0', 'y1', 'y2']);
  t.equal(k.requests.length - before, 2, 'two dump requests');
  t.equal(s3.interrupted, false);
  // retry gives up after `retries` attempts.
  const k2 = new Kernel((r) => ({ dump: dumpOf(r.seq, 1, 1, 'z', F.MULTI | F.DUMP_INTR) }));
  const e2 = await k2.client.dump({ type: 'T_GET', header: {} }, { onInterrupt: 'retry', retries: 2 }).collect().then(() => undefined, (x: unknown) => x);
  t.ok(e2 instanceof DumpInterruptedError);
  t.equal(k2.requests.length, 2);
  t.strictSame(k.violations, []);
  k.client.close();
  k2.client.close();
});

test('leaving a dump early, then another dump', async (t) => {
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 10, 1, `d${r.seq}-`) }), { highWater: 1 });
  const taken: string[] = [];
  let runningAtBreak = false;
  for await (const m of k.client.dump({ type: 'T_GET', header: {} })) {
    taken.push(m.attrs.name as string);
    if (taken.length === 2) {
      runningAtBreak = k.dumping;
      break;
    }
  }
  t.equal(taken.length, 2);
  t.ok(runningAtBreak, 'the dump was still running when the loop was left');
  const seq2 = k.requests.length;
  const next = await k.client.dump({ type: 'T_GET', header: {} }).collect();
  t.equal(next.length, 10, 'the next dump has its own 10 messages');
  const s2 = k.requests[seq2]!.seq;
  t.ok(next.every((m) => m.seq === s2 && String(m.attrs.name).startsWith(`d${s2}-`)), 'none of the abandoned dump');
  t.strictSame(k.violations, [], 'the second dump was sent after the first one ended');
  // A request after that still works.
  const k2 = new Kernel((r) => ((r.flags & F.DUMP) === F.DUMP ? { dump: dumpOf(r.seq, 3) } : [ackFor(r)]), { highWater: 1 });
  for await (const _ of k2.client.dump({ type: 'T_GET', header: {} })) break;
  t.ok(k2.dumping, 'left while running');
  t.strictSame(await k2.client.request({ type: 'T_NEW', header: {} }), []);
  // Leaving the running dump while another waits behind it: the waiting one starts.
  const a = k2.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  const b = k2.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  await a.next();
  const bNext = b.next();
  await a.return!(undefined);
  t.equal(((await bNext).value as Message).attrs.name, 'o0');
  await b.return!(undefined);
  t.strictSame(k2.violations, []);
  k.client.close();
  k2.client.close();
});

test('timeouts', async (t) => {
  const k = new Kernel(() => undefined);
  const sub = k.client.subscribe([1]);
  const start = Date.now();
  await t.rejects(k.client.request({ type: 'T_NEW', header: {} }, { timeout: 30 }), { code: 'ETIMEDOUT', errno: 110 });
  t.ok(Date.now() - start >= 25, 'after the timeout');
  // A late answer is ignored: it neither throws nor reaches the subscribers.
  const r = k.requests[0]!;
  k.t.inject(dg(obj(r.seq, 0, 'late'), ackFor(r)));
  k.t.inject(obj(0, 0, 'notification', 1, 0));
  const it = sub[Symbol.asyncIterator]();
  t.equal(((await it.next()).value as Message).attrs.name, 'notification', 'the late reply was dropped, the next notification arrives');
  // A dump that gets no answer.
  await t.rejects(k.client.dump({ type: 'T_GET', header: {} }, { timeout: 20 }).collect(), { code: 'ETIMEDOUT' });
  // Client-wide default.
  const k2 = new Kernel(() => undefined, { timeout: 20 });
  await t.rejects(k2.client.request({ type: 'T_NEW', header: {} }), { code: 'ETIMEDOUT' });
  await it.return!(undefined);
  k.client.close();
  k2.client.close();
});

test('a dump timeout applies to each wait, not to the whole dump', async (t) => {
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 6) }));
  k.chunkDelay = 25;
  const all = await k.client.dump({ type: 'T_GET', header: {} }, { timeout: 100 }).collect();
  t.equal(all.length, 6, '6 chunks 25 ms apart (175 ms) with a 100 ms timeout');
  k.client.close();
});

test('close() cancels what is pending and ends subscriptions', async (t) => {
  const k = new Kernel((r) => ((r.flags & F.DUMP) === F.DUMP ? { dump: dumpOf(r.seq, 5) } : undefined));
  k.chunkDelay = 50; // the dump is still running when the client closes
  const req = k.client.request({ type: 'T_NEW', header: {} });
  const stream = k.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  await stream.next();
  const queued = k.client.dump({ type: 'T_GET', header: {} }).collect();
  const sub = k.client.subscribe([1, 2]);
  const subDone = (async () => {
    const items: unknown[] = [];
    for await (const x of sub) items.push(x);
    return items;
  })();
  await tick();
  t.ok(k.dumping, 'the first dump is still running');
  k.client.close();
  t.equal(k.client.closed, true);
  await t.rejects(req, { code: 'ECANCELED', errno: 125 });
  await t.rejects(queued, { code: 'ECANCELED' });
  await t.rejects(
    (async () => {
      for (let r = await stream.next(); !r.done; r = await stream.next());
    })(),
    { code: 'ECANCELED' },
  );
  t.strictSame(await subDone, [], 'the subscription ended');
  t.equal(k.t.closed, true, 'the transport is closed');
  await t.rejects(k.client.request({ type: 'T_NEW', header: {} }), { code: 'ECANCELED' });
  await t.rejects(k.client.dump({ type: 'T_GET', header: {} }).collect(), { code: 'ECANCELED' });
  t.throws(() => k.client.subscribe([1]), { code: 'ECANCELED' });
  k.client.close(); // idempotent
});

test('notifications reach subscribers; ENOBUFS is an overrun item', async (t) => {
  const k = new Kernel((r) => [ackFor(r)]);
  const sub = k.client.subscribe([1, 2]);
  t.strictSame([...k.t.groups].sort(), [1, 2], 'joined the groups');
  const it = sub[Symbol.asyncIterator]();
  k.t.inject(obj(0, 0, 'n1', 1, 0));
  t.equal(((await it.next()).value as Message).attrs.name, 'n1');
  k.t.inject(dg(obj(0, 0, 'n2', 1, 0), obj(0, 0, 'n3', 1, 0)));
  t.equal(((await it.next()).value as Message).attrs.name, 'n2');
  t.equal(((await it.next()).value as Message).attrs.name, 'n3');
  k.t.injectError('ENOBUFS');
  k.t.inject(obj(0, 0, 'n4', 1, 0));
  t.strictSame((await it.next()).value as Overrun, { type: 'overrun', reason: 'ENOBUFS' });
  t.equal(((await it.next()).value as Message).attrs.name, 'n4', 'the subscription continues');
  // Requests still work meanwhile.
  t.strictSame(await k.client.request({ type: 'T_NEW', header: {} }), []);
  // Another subscriber sees later notifications too.
  const sub2 = k.client.subscribe([3]);
  const it2 = sub2[Symbol.asyncIterator]();
  k.t.inject(obj(0, 0, 'n5', 1, 0));
  t.equal(((await it.next()).value as Message).attrs.name, 'n5');
  t.equal(((await it2.next()).value as Message).attrs.name, 'n5');
  await it.return!(undefined);
  t.strictSame([...k.t.groups], [3], 'leaving the iteration leaves its groups');
  sub2.close();
  t.strictSame([...k.t.groups], []);
  t.equal((await it2.next()).done, true, 'a closed subscription ends');
  k.client.close();
});

test('a subscription that is not read reports queue-full once', async (t) => {
  const k = new Kernel(() => undefined, { subscriptionQueue: 3 });
  const sub = k.client.subscribe([1]);
  const it = sub[Symbol.asyncIterator]();
  k.t.inject(obj(0, 0, 'n0', 1, 0));
  t.equal(((await it.next()).value as Message).attrs.name, 'n0');
  // Six more arrive while nobody reads (a request pulls them in).
  k.t.inject(dg(...Array.from({ length: 6 }, (_, i) => obj(0, 0, `m${i}`, 1, 0))));
  await sleep(5);
  const got: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    const v = (await it.next()).value as Message | Overrun;
    got.push(v.type === 'overrun' ? v : (v as Message).attrs.name);
  }
  t.strictSame(got, ['m0', 'm1', 'm2', { type: 'overrun', reason: 'queue-full' }]);
  await it.return!(undefined);
  k.client.close();
});

test('back-pressure: a dump that is not read stops being read', async (t) => {
  const highWater = 3;
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 20) }), { highWater });
  const it = k.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  const first = await it.next();
  t.equal((first.value as Message).attrs.name, 'o0');
  for (let i = 0; i < 10; i++) await tick();
  await sleep(10);
  const paused = k.delivered;
  t.ok(paused <= 2 * highWater + 1, `read ${paused} of 21 datagrams while not iterated (highWater ${highWater})`);
  t.ok(k.dumping, 'the kernel still holds the rest');
  for (let i = 0; i < 10; i++) await tick();
  t.equal(k.delivered, paused, 'nothing more is read while nobody iterates');
  const rest: string[] = [];
  for (let r = await it.next(); !r.done; r = await it.next()) rest.push((r.value as Message).attrs.name as string);
  t.strictSame(rest, Array.from({ length: 19 }, (_, i) => `o${i + 1}`), 'resumes when iterated');
  t.equal(k.delivered, 21);
  k.client.close();
});

test('messages of another port with our sequence number are not ours', async (t) => {
  const k = new Kernel((r) => [
    obj(r.seq, 0, 'theirs', 1, 777), // a notification caused by another socket's request with the same seq
    errorFor(r, -1, undefined, 777), // and an error for that other socket
    obj(r.seq, 0, 'ours'),
    ackFor(r),
  ]);
  const sub = k.client.subscribe([1]);
  const it = sub[Symbol.asyncIterator]();
  const replies = await k.client.request({ type: 'T_GET', header: {} });
  t.strictSame(names(replies), ['ours']);
  t.equal(((await it.next()).value as Message).attrs.name, 'theirs', 'it went to the subscribers');
  await it.return!(undefined);
  k.client.close();
});

test('dump errors', async (t) => {
  // NLMSG_DONE carrying an error with ext-ack.
  const k = new Kernel((r) => ({ dump: [obj(r.seq, F.MULTI, 'a'), done(r.seq, F.MULTI | F.ACK_TLVS, -95, (b) => b.str(1, 'not supported'))] }));
  await t.rejects(k.client.dump({ type: 'T_GET', header: {} }).collect(), { name: 'NetlinkError', code: 'EOPNOTSUPP', kernelMessage: 'not supported', request: 'T_GET' });
  // NLMSG_ERROR instead of a dump (strict checking refused the request).
  const k2 = new Kernel((r) => [errorFor(r, -22, (b) => b.str(1, 'Invalid header for dump request'))]);
  await t.rejects(k2.client.dump({ type: 'T_GET', header: {} }).collect(), { code: 'EINVAL', kernelMessage: 'Invalid header for dump request' });
  // The next dump still runs.
  t.equal(k.dumping, false);
  const k3 = new Kernel((r) => ((r.m.header.family as number) === 1 ? [errorFor(r, -22)] : { dump: dumpOf(r.seq, 2) }));
  await t.rejects(k3.client.dump({ type: 'T_GET', header: { family: 1 } }).collect(), { code: 'EINVAL' });
  t.equal((await k3.client.dump({ type: 'T_GET', header: { family: 2 } }).collect()).length, 2);
  for (const x of [k, k2, k3]) x.client.close();
});

test('undecodable answers and bad requests', async (t) => {
  // A datagram that cannot be decoded fails the request it answers.
  const k = new Kernel((r) => [msg(MT.T_NEW, 0, r.seq, PORT).zeros(8).attr(T.MTU, [], { len: 99 }).build()]);
  await t.rejects(k.client.request({ type: 'T_GET', header: {} }), { name: 'DecodeError', code: 'NLKIT_ERR_TRUNCATED' });
  // An unencodable request is refused before anything is sent.
  await t.rejects(k.client.request({ type: 'T_NEW', header: {}, attrs: { mtu: -1 } }), { name: 'EncodeError', code: 'NLKIT_ERR_BAD_VALUE' });
  await t.rejects(k.client.dump({ type: 'T_GET', header: {}, attrs: { nosuch: 1 } }).collect(), { name: 'EncodeError' });
  t.equal(k.requests.length, 1);
  // A transport that refuses the send.
  const k2 = new Kernel(() => {
    throw Object.assign(new Error('no'), { code: 'EPERM' });
  });
  await t.rejects(k2.client.request({ type: 'T_NEW', header: {} }), { code: 'EPERM' });
  await t.rejects(k2.client.dump({ type: 'T_GET', header: {} }).collect(), { code: 'EPERM' });
  // A receive error other than ENOBUFS fails what is pending.
  const k3 = new Kernel(() => undefined);
  const pending = k3.client.request({ type: 'T_NEW', header: {} });
  k3.t.injectError('EIO');
  await t.rejects(pending, { code: 'EIO', errno: 5 }, 'the errno number comes from the code');
  for (const x of [k, k2, k3]) x.client.close();
});

test('requestBatch: one datagram, one answer per message', async (t) => {
  const k = new Kernel((r) => (r.m.attrs.name === 'bad' ? [errorFor(r, -17)] : (r.flags & F.ACK) !== 0 ? [ackFor(r)] : undefined));
  const replies = await k.client.requestBatch([
    { type: 'T_NEW', header: {}, attrs: { name: 'begin' } },
    { type: 'T_NEW', flags: ['NLM_F_ACK'], header: {}, attrs: { name: 'ok' } },
    { type: 'T_NEW', flags: ['NLM_F_ACK'], header: {}, attrs: { name: 'bad' } },
  ]);
  t.equal(k.t.sent.length, 1, 'one datagram');
  t.equal(k.requests.length, 3);
  t.strictSame(
    replies.map((r) => [r.request, r.answered, r.error === undefined ? undefined : (r.error as NetlinkError).code]),
    [
      ['T_NEW', false, undefined],
      ['T_NEW', true, undefined],
      ['T_NEW', true, 'EEXIST'],
    ],
  );
  await t.rejects(k.client.requestBatch([{ type: 'T_NOPE' }]), { name: 'EncodeError' });
  const k2 = new Kernel(() => undefined);
  await t.rejects(k2.client.requestBatch([{ type: 'T_NEW', flags: ['NLM_F_ACK'], header: {} }], { timeout: 20 }), { code: 'ETIMEDOUT' });
  k.client.close();
  k2.client.close();
});

test('DEBUG=nlkit:* logs every message sent and received, decoded', async (t) => {
  const { logSend, logRecv, logClient, describe } = await import('../../../src/netlink/log.js');
  const lines: string[] = [];
  const saved = [logSend.enabled, logRecv.enabled, logClient.enabled, logSend.log, logRecv.log, logClient.log] as const;
  for (const l of [logSend, logRecv, logClient]) {
    l.enabled = true;
    l.log = (...args: unknown[]) => lines.push(`${l.namespace} ${args.map(String).join(' ')}`);
  }
  t.teardown(() => {
    [logSend.enabled, logRecv.enabled, logClient.enabled] = [saved[0], saved[1], saved[2]];
    [logSend.log, logRecv.log, logClient.log] = [saved[3], saved[4], saved[5]];
  });
  const k = new Kernel((r) => [obj(r.seq, 0, 'lo', 65536), ackFor(r)]);
  await k.client.request({ type: 'T_GET', header: {}, attrs: { big: 2n ** 60n } });
  t.ok(lines.some((l) => l.includes('nlkit:send') && l.includes('T_GET [NLM_F_REQUEST,NLM_F_ACK]') && l.includes('"big":"1152921504606846976"')), 'the request, with a bigint as text');
  t.ok(lines.some((l) => l.includes('nlkit:recv') && l.includes('T_NEW [] seq=') && l.includes('"name":"lo"')), 'the reply');
  t.ok(lines.some((l) => l.includes('nlkit:recv') && l.includes('NLMSG_ERROR [NLM_F_CAPPED]')), 'the ACK');
  const k2 = new Kernel(() => undefined);
  await t.rejects(k2.client.request({ type: 'T_NEW', header: {} }, { timeout: 10 }), { code: 'ETIMEDOUT' });
  t.ok(lines.some((l) => l.includes('nlkit:client') && l.includes('timed out')), 'client events');
  t.equal(describe({ type: 5, flags: ['0x40'], seq: 1, pid: 2, header: {}, attrs: {} }), '5 [0x40] seq=1 pid=2 {"header":{},"attrs":{}}');
  k.client.close();
  k2.client.close();
});

test('leaving a dump that waits behind another settles its pending next()', async (t) => {
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 4) }));
  k.chunkDelay = 20;
  const a = k.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  t.equal(((await a.next()).value as Message).attrs.name, 'o0');
  const b = k.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  const bNext = b.next();
  await b.return!(undefined);
  const settled = await Promise.race([bNext.then(() => 'settled', () => 'settled'), sleep(500).then(() => 'pending')]);
  t.equal(settled, 'settled', 'the waiting next() of the abandoned queued dump settles');
  const rest: string[] = [];
  for (let r = await a.next(); !r.done; r = await a.next()) rest.push((r.value as Message).attrs.name as string);
  t.strictSame(rest, ['o1', 'o2', 'o3']);
  t.equal(k.requests.length, 1, 'the abandoned queued dump was never sent');
  k.client.close();
});

test('leaving the running dump while a next() waits settles that next()', async (t) => {
  const k = new Kernel((r) => ({ dump: dumpOf(r.seq, 4) }));
  k.chunkDelay = 30;
  const a = k.client.dump({ type: 'T_GET', header: {} })[Symbol.asyncIterator]();
  t.equal(((await a.next()).value as Message).attrs.name, 'o0');
  const aNext = a.next(); // waits for the next chunk
  await a.return!(undefined);
  const settled = await Promise.race([aNext.then(() => 'settled', () => 'settled'), sleep(1000).then(() => 'pending')]);
  t.equal(settled, 'settled');
  // And the next dump runs after the abandoned one was drained.
  t.equal((await k.client.dump({ type: 'T_GET', header: {} }).collect()).length, 4);
  t.strictSame(k.violations, []);
  k.client.close();
});
