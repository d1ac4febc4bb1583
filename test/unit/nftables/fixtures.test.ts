// Every datagram recorded from the real kernel into fixtures/nftables/*.json (made by
// scripts/record-nftables-fixtures.ts, inside a private network namespace: nft under strace, and
// nlkit's own client) decodes into named messages and attributes and re-encodes to the identical
// bytes; the kernel's own messages need no hidden wire record (the specs match what it sends).
import t from 'tap';
import { fromHex, toHex } from '../../../src/netlink/bytes.js';
import { wireOf } from '../../../src/netlink/codec.js';
import { decodeDatagram, encodeMessage, type Message } from '../../../src/netlink/message.js';
import { Writer } from '../../../src/netlink/writer.js';
import { netfilterProtocol } from '../../../src/nftables/protocol.js';
import { fixtureNames, loadFixture, messagesOf, received, sent } from './helpers.js';

function wirePaths(o: unknown, path: string, out: string[]): void {
  if (o === null || typeof o !== 'object') return;
  if (wireOf(o) !== undefined) out.push(path);
  if (Array.isArray(o)) o.forEach((x, i) => wirePaths(x, `${path}[${i}]`, out));
  else for (const [k, v] of Object.entries(o)) wirePaths(v, `${path}.${k}`, out);
}

function nonCanonical(m: Message): string[] {
  const out: string[] = [];
  wirePaths(m.header, 'header', out);
  wirePaths(m.attrs, 'attrs', out);
  if ((m as { wireLength?: number }).wireLength !== undefined) out.push('nlmsg_len');
  return out;
}

t.ok(fixtureNames.length >= 10, `${fixtureNames.length} fixtures`);

for (const name of fixtureNames) {
  t.test(`${name}: decode and re-encode`, async (t) => {
    const fx = loadFixture(name);
    t.match(fx.kernel, /^\d+\.\d+/, 'records the kernel version');
    t.ok(fx.command && fx.description && fx.datagrams.length > 0, 'has command, description and datagrams');
    fx.datagrams.forEach((d, i) => {
      t.equal(d.family, 'netfilter');
      const bytes = fromHex(d.hex)!;
      const msgs = decodeDatagram(netfilterProtocol, bytes);
      const w = new Writer();
      for (const m of msgs) encodeMessage(netfilterProtocol, m, w);
      t.equal(toHex(w.finish()), d.hex, `datagram ${i} (${d.direction}, ${msgs.map((m) => String(m.type)).join(' ')}) re-encodes to the same bytes`);
    });
    const irregular = messagesOf(fx)
      .filter((x) => x.direction === 'recv' && nonCanonical(x.m).length > 0)
      .map((x) => `${String(x.m.type)}: ${nonCanonical(x.m).join(', ')}`);
    t.same(irregular, [], 'kernel messages need no wire record');
    const unknownTypes = messagesOf(fx).filter((x) => typeof x.m.type === 'number');
    t.same(unknownTypes, [], 'every message type is named');
  });
}

t.test('decoded view: a batch of nft (NFNL_MSG_BATCH_BEGIN … END in one datagram)', async (t) => {
  const fx = loadFixture('batch-nat');
  const batch = fx.datagrams.find((d) => d.direction === 'send' && d.hex.slice(8, 12) === '1000')!;
  const msgs = decodeDatagram(netfilterProtocol, fromHex(batch.hex)!);
  t.equal(msgs[0]!.type, 'NFNL_MSG_BATCH_BEGIN');
  t.same(msgs[0]!.header, { family: 0, version: 0, res_id: 10 }, 'res_id names the subsystem (be16 10)');
  t.equal(msgs[msgs.length - 1]!.type, 'NFNL_MSG_BATCH_END');
  const seqs = msgs.map((m) => m.seq);
  t.same(seqs, seqs.map((_, i) => seqs[0]! + i), 'each message has its own sequence number');
  const chain = msgs.find((m) => m.type === 'NFT_MSG_NEWCHAIN' && (m.attrs as { name?: string }).name === 'pre')!;
  t.same(chain.attrs, { table: 'nat', name: 'pre', type: 'nat', hook: { hooknum: 0, priority: 0xffffff9c } }, 'priority -100 is a be32');
  t.same(chain.flags, ['NLM_F_REQUEST', 'NLM_F_CREATE']);
  const dnat = msgs.find((m) => m.type === 'NFT_MSG_NEWRULE' && JSON.stringify(m.attrs).includes('"type":1,"family":2'))!;
  const exprs = (dnat.attrs as { expressions: { elem: Array<{ name: string; data: unknown }> } }).expressions.elem;
  t.same(exprs.map((e) => e.name), ['meta', 'cmp', 'meta', 'cmp', 'payload', 'cmp', 'immediate', 'immediate', 'nat']);
  t.same(exprs[8]!.data, { type: 1, family: 2, reg_addr_min: 1, reg_proto_min: 2, flags: 2 }, 'nat: DNAT, NFPROTO_IPV4, registers');
  t.same(exprs[3]!.data, { sreg: 1, op: 0, data: { value: '06' } }, 'cmp against tcp');
});

t.test('decoded view: the kernel lists the ruleset', async (t) => {
  const msgs = received(loadFixture('list-ruleset'));
  const gen = msgs.find((m) => m.type === 'NFT_MSG_NEWGEN')!;
  t.match(gen.attrs, { id: Number, proc_pid: Number, proc_name: 'nft' });
  const table = msgs.find((m) => m.type === 'NFT_MSG_NEWTABLE')!;
  t.same(table.flags, ['NLM_F_MULTI']);
  t.match(table.attrs, { name: 'nat', flags: 0, use: Number, handle: Number });
  const set = msgs.find((m) => m.type === 'NFT_MSG_NEWSET' && (m.attrs as { name: string }).name === '__set0')!;
  t.match(set.attrs, { table: 'filter', flags: 3, key_type: 13, key_len: 2, desc: { size: 2 }, count: 2 }, 'an anonymous set (6.18 adds NFTA_SET_TYPE and NFTA_SET_COUNT)');
  const elems = msgs.find((m) => m.type === 'NFT_MSG_NEWSETELEM' && (m.attrs as { set: string }).set === '__set0')!;
  t.same((elems.attrs as { elements: unknown }).elements, { elem: [{ key: { value: '0016' } }, { key: { value: '0050' } }] });
  const obj = msgs.find((m) => m.type === 'NFT_MSG_NEWOBJ')!;
  t.match(obj.attrs, { table: 'nat', name: 'cnt1', type: 1, data: { bytes: 0, packets: 0 } }, 'NFTA_OBJ_DATA chosen by NFTA_OBJ_TYPE');
  const jump = msgs.find((m) => m.type === 'NFT_MSG_NEWRULE' && JSON.stringify(m.attrs).includes('"chain":"other"') && (m.attrs as { chain: string }).chain === 'forwarding')!;
  t.match(jump.attrs, { expressions: { elem: [{}, {}, {}, {}, { name: 'immediate', data: { dreg: 0, data: { verdict: { code: 0xfffffffd, chain: 'other' } } } }] } }, 'NFT_JUMP is -3 as a be32');
});

t.test('decoded view: counters count', async (t) => {
  const msgs = received(loadFixture('counters'));
  const obj = msgs.find((m) => m.type === 'NFT_MSG_NEWOBJ')!;
  const data = (obj.attrs as { data: { packets: number; bytes: number } }).data;
  t.ok(data.packets >= 2 && data.bytes >= 2 * 84, `named counter: ${data.packets} packets, ${data.bytes} bytes (be64)`);
  const rule = msgs.find((m) => m.type === 'NFT_MSG_NEWRULE')!;
  t.match(rule.attrs, { expressions: { elem: [{ name: 'counter', data: { packets: Number, bytes: Number } }] } });
});

t.test('decoded view: errors in the kernel words (ext-ack offsets into the request)', async (t) => {
  const err = received(loadFixture('error-missing-table')).find((m) => m.type === 'NLMSG_ERROR')!;
  t.match(err.header, { error: -2, msg: { type: 'NFT_MSG_NEWCHAIN' } });
  t.match(err.attrs, { offs: Number }, 'the kernel points at the attribute');
  t.ok(err.flags.includes('NLM_F_CAPPED'), 'NETLINK_CAP_ACK: only the header is echoed');
  const atomic = received(loadFixture('error-atomic')).filter((m) => m.type === 'NLMSG_ERROR');
  t.same(atomic.map((m) => (m.header as { error: number }).error), [0, 0, 0, -2], 'acks for the good messages, the error for the bad one');
  const sentTypes = sent(loadFixture('error-atomic')).map((m) => m.type);
  t.same(sentTypes, ['NFNL_MSG_BATCH_BEGIN', 'NFT_MSG_NEWTABLE', 'NFT_MSG_NEWCHAIN', 'NFT_MSG_NEWRULE', 'NFT_MSG_NEWRULE', 'NFNL_MSG_BATCH_END']);
});
