// The short-cut decoders of dumps (MessageDecoder) against the full decoder: decodeFlatMessage
// (route.list) must give exactly the message decodeOne gives, same keys in the same order and
// no wire record, or leave the message to decodeOne; decodeLinkName (the link-name dump of the
// listings) must give the index, name, type, flags, seq and pid decodeOne gives. Checked over
// every message of the recorded fixtures (fixtures/route/**) and over random mutations of them.
//
// NLKIT_FLAT_SEED and NLKIT_FLAT_N reproduce or extend a run.
import t, { type Test } from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { wireOf, DecodeContext } from '../../../src/netlink/codec.js';
import { decodeDatagram, decodeFlatMessage, decodeOne, type Message, type MessageDecoder } from '../../../src/netlink/message.js';
import { routeProtocol } from '../../../src/rtnetlink/index.js';
import { fromHex } from '../../../src/netlink/bytes.js';
import { decodeLinkName } from '../../../src/api/rt-types.js';
import { rng } from '../../helpers/rng.js';

const SEED = Number(process.env['NLKIT_FLAT_SEED'] ?? 0xf1a7);
const N = Number(process.env['NLKIT_FLAT_N'] ?? 20_000);
const p = routeProtocol();
const root = fileURLToPath(new URL('../../../fixtures/route', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const f = join(dir, n);
    return statSync(f).isDirectory() ? files(f) : n.endsWith('.json') ? [f] : [];
  });
}

/** Every datagram of the route fixtures that decodes. */
const datagrams: Uint8Array[] = [];
for (const f of files(root)) {
  const fx = JSON.parse(readFileSync(f, 'utf8')) as { datagrams?: Array<{ family?: string; hex?: string }> };
  for (const d of fx.datagrams ?? []) {
    if ((d.family ?? 'route') !== 'route' || typeof d.hex !== 'string') continue;
    const b = fromHex(d.hex)!;
    try {
      decodeDatagram(p, b);
      datagrams.push(b);
    } catch {
      // fixtures of malformed input (errors.json, ...) are for the error paths
    }
  }
}

/** [offset, length] of each message of a datagram (framing as decodeDatagram checks it). */
function messages(b: Uint8Array): Array<[number, number]> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Array<[number, number]> = [];
  for (let off = 0; b.length - off >= 16; ) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > b.length) break;
    out.push([off, len]);
    off += (len + 3) & ~3;
  }
  return out;
}

const snap = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** The full decoding of one message, or the error it gives. */
function full(b: Uint8Array, off: number, len: number): Message | Error {
  try {
    return decodeOne(p, new DecodeContext(b), off, len);
  } catch (e) {
    return e as Error;
  }
}

/** Compares decodeFlatMessage with decodeOne on one message; true when the short cut decoded it. */
function checkFlat(t: Test, b: Uint8Array, off: number, len: number, what: string): boolean {
  const flat = decodeFlatMessage(p, new DecodeContext(b), off, len);
  if (flat === undefined) return false;
  const ref = full(b, off, len);
  if (ref instanceof Error) {
    t.fail(`${what}: the short cut decoded a message the full decoder refuses (${ref.message})`);
    return true;
  }
  if (snap(flat) !== snap(ref)) t.fail(`${what}: ${snap(flat)} !== ${snap(ref)}`);
  if (wireOf(ref.attrs) !== undefined || Object.hasOwn(ref, 'wireLength')) t.fail(`${what}: the full decoder keeps wire details the short cut does not`);
  if (snap(wireOf(flat.header)) !== snap(wireOf(ref.header))) t.fail(`${what}: header wire records differ`);
  return true;
}

/** Compares decodeLinkName with decodeOne on one message; true when the short cut decoded it. */
function checkLinkName(t: Test, b: Uint8Array, off: number, len: number, what: string): boolean {
  const short = decodeLinkName(p, new DecodeContext(b), off, len);
  if (short === undefined) return false;
  const ref = full(b, off, len);
  // A link whose other attributes are malformed: the names dump reads what it needs.
  if (ref instanceof Error) return true;
  const pick = (m: Message) => snap([m.type, m.flags, m.seq, m.pid, (m.header as { index?: number }).index, (m.attrs as { ifname?: unknown }).ifname]);
  if (pick(short) !== pick(ref)) t.fail(`${what}: ${pick(short)} !== ${pick(ref)}`);
  return true;
}

t.test('fixtures: the short cuts give what the full decoder gives', async (t) => {
  let flat = 0;
  let names = 0;
  let routes = 0;
  for (const [i, b] of datagrams.entries()) {
    for (const [off, len] of messages(b)) {
      const type = b[off + 4]! | (b[off + 5]! << 8);
      if (type === 24) routes++;
      if (checkFlat(t, b, off, len, `datagram ${i} at ${off}`)) flat++;
      if (checkLinkName(t, b, off, len, `datagram ${i} at ${off}`)) names++;
    }
  }
  t.ok(datagrams.length > 100, `${datagrams.length} datagrams`);
  t.ok(routes > 20 && flat > 20, `the short cut decoded ${flat} messages (${routes} routes among them)`);
  t.ok(names > 20, `the link-name decoder read ${names} links`);
});

t.test('decodeDatagram with a decoder gives the same messages', async (t) => {
  for (const decoder of [decodeFlatMessage, decodeLinkName] as MessageDecoder[]) {
    let differ = 0;
    for (const b of datagrams) {
      const seq = b.length >= 16 ? new DataView(b.buffer, b.byteOffset).getUint32(8, true) : 0;
      const ref = decodeDatagram(p, b);
      const got = decodeDatagram(p, b, undefined, decoder, seq);
      if (decoder === decodeFlatMessage ? snap(got) !== snap(ref) : got.length !== ref.length) differ++;
      // Another sequence number: the decoder is not used.
      if (snap(decodeDatagram(p, b, undefined, () => {
        t.fail('decoder called for another seq');
        return undefined;
      }, seq + 1)) !== snap(ref)) differ++;
    }
    t.equal(differ, 0, `${decoder.name}: ${datagrams.length} datagrams decode as without it`);
  }
});


t.test('mutations: the short cuts never differ from the full decoder', async (t) => {
  const r = rng(SEED);
  const int = (n: number) => Math.floor(r() * n);
  // Messages the short cuts read (routes with plain attributes, links), mutated after nlmsg_len.
  const base: Array<[Uint8Array, number, number]> = [];
  for (const b of datagrams) {
    for (const [off, len] of messages(b)) {
      if (decodeFlatMessage(p, new DecodeContext(b), off, len) !== undefined || decodeLinkName(p, new DecodeContext(b), off, len) !== undefined) base.push([b, off, len]);
    }
  }
  let flat = 0;
  let names = 0;
  for (let n = 0; n < N; n++) {
    const [b, off, wireLen] = base[int(base.length)]!;
    // Sometimes a message cut short or with bytes after its attributes (a tail, no padding).
    const len = int(4) === 0 ? Math.max(16, wireLen + int(12) - 6) : wireLen;
    const m = new Uint8Array(len);
    m.set(b.subarray(off, off + Math.min(len, wireLen)));
    for (let i = wireLen; i < len; i++) m[i] = int(2) === 0 ? 0 : int(256);
    new DataView(m.buffer).setUint32(0, len, true);
    for (let k = int(4); k > 0; k--) {
      const at = 4 + int(len - 4);
      const how = int(4);
      if (how === 0) m[at] = int(256);
      else if (how === 1) m[at] = m[at]! ^ (1 << int(8));
      else if (how === 2) m[at] = 0;
      else m[at] = m[at]! + (int(2) === 0 ? 1 : -1);
    }
    if (checkFlat(t, m, 0, len, `mutation ${n}`)) flat++;
    if (checkLinkName(t, m, 0, len, `mutation ${n}`)) names++;
  }
  t.ok(flat > N / 20, `${flat} mutated messages decoded by the short cut`);
  t.ok(names > N / 20, `${names} mutated links read by the link-name decoder`);
});
