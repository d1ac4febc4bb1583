// Transactions over a fake kernel: the batch nlkit sends (one datagram, BATCH_BEGIN … END, a
// sequence number and NLM_F_ACK on each message), how the kernel's answers are attributed to the
// operation that failed, and the recorded sessions replayed byte for byte: the datagrams nlkit sends
// are exactly the recorded ones, and the recorded answers give the recorded outcome.
import t from 'tap';
import { NetlinkClient } from '../../../src/netlink/client.js';
import { decodeDatagram, encodeMessage, type Message } from '../../../src/netlink/message.js';
import { createFakeTransport } from '../../../src/netlink/fake-transport.js';
import { isArgumentError } from '../../../src/netlink/errors.js';
import { netfilterProtocol } from '../../../src/nftables/protocol.js';
import { Nftables } from '../../../src/nftables/nftables.js';
import { isNftablesError, NftablesError } from '../../../src/nftables/transaction.js';
import { rulesetToJson } from '../../../src/nftables/json.js';
import { loadFixture, replayTransport } from './helpers.js';

const PORT = 4242;

function ack(req: Message, error = 0, attrs: Record<string, unknown> = {}): Uint8Array {
  return encodeMessage(netfilterProtocol, {
    type: 'NLMSG_ERROR',
    flags: Object.keys(attrs).length ? ['NLM_F_CAPPED', 'NLM_F_ACK_TLVS'] : ['NLM_F_CAPPED'],
    seq: req.seq,
    pid: PORT,
    header: { error, msg: { len: 16, type: req.type, flags: req.flags, seq: req.seq, pid: 0 } },
    attrs,
  });
}

/** A fake nf_tables: `answer` decides what each message of a batch gets. */
function fakeKernel(answer: (m: Message, i: number) => Uint8Array[]) {
  const batches: Message[][] = [];
  const transport = createFakeTransport(
    (d) => {
      const msgs = decodeDatagram(netfilterProtocol, d);
      batches.push(msgs);
      return msgs.flatMap((m, i) => answer(m, i));
    },
    { protocol: 12, portId: PORT },
  );
  const nft = new Nftables(new NetlinkClient(transport, netfilterProtocol, { timeout: 2000 }));
  return { nft, batches, transport };
}

t.test('a transaction is one datagram: BATCH_BEGIN, the messages, BATCH_END', async (t) => {
  const { nft, batches } = fakeKernel((m) => (m.flags.includes('NLM_F_ACK') ? [ack(m)] : []));
  await nft
    .transaction()
    .addTable({ family: 'inet', name: 'filter' })
    .addChain({ family: 'inet', table: 'filter', name: 'forward', hook: 'forward', priority: 'filter', policy: 'drop' })
    .addRule({ family: 'inet', table: 'filter', chain: 'forward', statements: [{ match: 'tcp dport', value: [22, 80] }, { action: 'accept' }] })
    .commit();
  t.equal(batches.length, 1, 'one datagram');
  const msgs = batches[0]!;
  t.same(
    msgs.map((m) => m.type),
    ['NFNL_MSG_BATCH_BEGIN', 'NFT_MSG_NEWTABLE', 'NFT_MSG_NEWCHAIN', 'NFT_MSG_NEWSET', 'NFT_MSG_NEWSETELEM', 'NFT_MSG_NEWRULE', 'NFNL_MSG_BATCH_END'],
    'the anonymous set and its elements come before the rule that looks them up',
  );
  t.same(msgs[0]!.header, { family: 0, version: 0, res_id: 10 });
  t.same(msgs.map((m) => m.seq), [1, 2, 3, 4, 5, 6, 7]);
  for (const m of msgs.slice(1, -1)) t.ok(m.flags.includes('NLM_F_ACK') && m.flags.includes('NLM_F_ECHO'), `${String(m.type)}: NLM_F_ACK|NLM_F_ECHO`);
  t.notOk(msgs[0]!.flags.includes('NLM_F_ACK'), 'the batch markers ask for nothing');
  t.match(msgs[2]!.attrs, { table: 'filter', name: 'forward', type: 'filter', policy: 0, hook: { hooknum: 2, priority: 0 } });
  t.match(msgs[5]!.attrs, { expressions: { elem: [{ name: 'meta' }, { name: 'cmp' }, { name: 'payload' }, { name: 'lookup', data: { set: '__set%d', set_id: 1 } }, { name: 'immediate' }] } });
  t.same(msgs[3]!.attrs, { table: 'filter', name: '__set%d', flags: 3, key_type: 13, key_len: 2, id: 1, desc: { size: 2 }, userdata: '000402000000' });
  nft.close();
});

t.test('the failing operation is named, in the kernel words; the rest is reported too', async (t) => {
  const { nft } = fakeKernel((m, i) => {
    if (!m.flags.includes('NLM_F_ACK')) return [];
    if (i === 2) return [ack(m, -2, { msg: 'chain not found', offs: 28 })];
    if (i === 3) return [ack(m, -2)];
    return [ack(m)];
  });
  const tx = nft
    .transaction()
    .addTable({ family: 'ip', name: 't' })
    .addRule({ family: 'ip', table: 't', chain: 'missing', statements: [{ action: 'accept' }] })
    .addRule({ family: 'ip', table: 't', chain: 'missing', statements: [{ action: 'drop' }] });
  const err = await tx.commit().then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isNftablesError(err) && err instanceof NftablesError, 'an NftablesError');
  const e = err as NftablesError;
  t.equal(e.code, 'ENOENT');
  t.equal(e.errno, 2);
  t.equal(e.index, 1, 'the second operation');
  t.equal(e.operation, 'add rule ip t missing');
  t.equal(e.request, 'NFT_MSG_NEWRULE');
  t.equal(e.kernelMessage, 'chain not found');
  t.equal(e.attributePath, 'NFTA_RULE_CHAIN', 'offset 28 of the request is NFTA_RULE_CHAIN');
  t.equal(e.failures.length, 2);
  t.match(e.message, /^nf_tables transaction refused, nothing was applied: operation 2 of 3 \(add rule ip t missing\): NFT_MSG_NEWRULE: No such file or directory: chain not found \(attribute NFTA_RULE_CHAIN\); 1 more operation\(s\) failed: add rule ip t missing \(ENOENT\)$/);
  t.equal((e.cause as Error).name, 'NetlinkError');
  await t.rejects(tx.commit(), /already committed/);
  nft.close();
});

t.test('an error for the batch as a whole ends the wait at once', async (t) => {
  const { nft } = fakeKernel((m) => (m.type === 'NFNL_MSG_BATCH_BEGIN' ? [ack(m, -95)] : []));
  const started = Date.now();
  const err = (await nft.transaction().addTable({ family: 'ip', name: 't' }).commit().catch((e: unknown) => e)) as NftablesError;
  t.ok(Date.now() - started < 1500, 'no timeout');
  t.equal(err.index, -1);
  t.equal(err.operation, 'batch');
  t.equal(err.code, 'EOPNOTSUPP');
  nft.close();
});

t.test('no answer: the batch times out', async (t) => {
  const { nft } = fakeKernel(() => []);
  // The client's timers do not hold the process open (a real socket's poll does): hold it here.
  const hold = setInterval(() => {}, 100);
  try {
    await t.rejects(nft.transaction().addTable({ family: 'ip', name: 't' }).commit(), { code: 'ETIMEDOUT' });
  } finally {
    clearInterval(hold);
  }
  nft.close();
});

t.test('an empty transaction sends nothing', async (t) => {
  const { nft, batches } = fakeKernel(() => []);
  t.same(await nft.transaction().commit(), { tables: [], chains: [], rules: [], sets: [], counters: [], generation: undefined });
  t.equal(batches.length, 0);
  nft.close();
});

t.test('recorded: nlkit-transaction replays byte for byte', async (t) => {
  const fx = loadFixture('nlkit-transaction');
  const transport = replayTransport(fx);
  const nft = new Nftables(new NetlinkClient(transport, netfilterProtocol, { timeout: 2000 }));
  const res = await nft
    .transaction()
    .addTable({ family: 'ip', name: 'nat' })
    .addSet({ family: 'ip', table: 'nat', name: 'webports', type: 'inet_service', elements: [80, 443] })
    .addCounter({ family: 'ip', table: 'nat', name: 'cnt1' })
    .addChain({ family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' })
    .addChain({ family: 'ip', table: 'nat', name: 'pre', type: 'nat', hook: 'prerouting', priority: 'dstnat' })
    .addRule({ family: 'ip', table: 'nat', chain: 'post', statements: [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' }] })
    .addRule({ family: 'ip', table: 'nat', chain: 'pre', statements: [{ match: 'tcp dport', value: [8080, 8443] }, { action: 'counter', name: 'cnt1' }, { action: 'dnat', addr: '10.123.1.2', port: 80 }], comment: 'port forward' })
    .commit();
  t.same(transport.mismatches, [], 'every datagram sent is the recorded one');
  t.same(res.tables.map((x) => x.name), ['nat'], 'echoed table');
  t.same(res.chains.map((c) => `${c.name} ${c.hook} ${c.priority}`), ['post postrouting 100', 'pre prerouting -100']);
  t.same(res.sets.map((s) => s.name), ['webports', '__set0'], 'the kernel named the anonymous set');
  t.same(res.counters.map((c) => c.name), ['cnt1']);
  t.equal(res.rules.length, 2);
  t.ok(res.rules.every((r) => r.handle > 0), `handles ${res.rules.map((r) => r.handle).join(', ')}`);
  t.equal(res.rules[1]!.comment, 'port forward');
  t.same(res.rules[0]!.statements, [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' }]);
  t.type(res.generation, 'number', 'the generation of the transaction');
  const rs = await nft.listRuleset();
  t.same(transport.mismatches, [], 'the listing too');
  t.same(rulesetToJson(rs).nftables.slice(1), fx.nftJson!.nftables.slice(1), 'the listing equals nft -j list ruleset');
  nft.close();
});

for (const [name, index, operation, code, path] of [
  ['error-missing-table', 0, 'add chain ip nosuch c', 'ENOENT', 'NFTA_CHAIN_TABLE'],
  ['error-unknown-chain', 0, 'add rule ip t c', 'ENOENT', 'NFTA_RULE_EXPRESSIONS.NFTA_LIST_ELEM'],
  ['error-bad-priority', 0, 'add chain ip t n', 'EOPNOTSUPP', undefined],
  ['error-atomic', 3, 'add rule ip new1 missing', 'ENOENT', 'NFTA_RULE_CHAIN'],
] as const) {
  t.test(`recorded: ${name}`, async (t) => {
    const fx = loadFixture(name);
    const transport = replayTransport(fx);
    const nft = new Nftables(new NetlinkClient(transport, netfilterProtocol, { timeout: 2000 }));
    const tx = nft.transaction();
    if (name === 'error-missing-table') tx.addChain({ family: 'ip', table: 'nosuch', name: 'c' });
    else if (name === 'error-unknown-chain') tx.addRule({ family: 'ip', table: 't', chain: 'c', statements: [{ action: 'jump', chain: 'nosuch' }] });
    else if (name === 'error-bad-priority') tx.addChain({ family: 'ip', table: 't', name: 'n', type: 'nat', hook: 'postrouting', priority: -300 });
    else {
      tx.addTable({ family: 'ip', name: 'new1' })
        .addChain({ family: 'ip', table: 'new1', name: 'ok' })
        .addRule({ family: 'ip', table: 'new1', chain: 'ok', statements: [{ action: 'accept' }] })
        .addRule({ family: 'ip', table: 'new1', chain: 'missing', statements: [{ action: 'accept' }] });
    }
    const e = (await tx.commit().catch((x: unknown) => x)) as NftablesError;
    t.same(transport.mismatches, [], 'the batch sent is the recorded one');
    t.ok(isNftablesError(e));
    t.equal(e.index, index);
    t.equal(e.operation, operation);
    t.equal(e.code, code);
    t.equal(e.attributePath, path);
    t.equal(e.failures.length, 1, 'only the bad operation failed');
    nft.close();
  });
}

t.test('arguments are checked before anything is sent', async (t) => {
  const { nft, batches } = fakeKernel(() => []);
  const tx = nft.transaction();
  const bad: Array<[() => unknown, RegExp]> = [
    [() => tx.addTable({ family: 'ipx' as never, name: 't' }), /family/],
    [() => tx.addTable({ family: 'ip', name: '' }), /1-255 characters/],
    [() => tx.addTable({ family: 'ip', name: 't', flags: ['bogus' as never] }), /dormant, owner or persist/],
    [() => tx.addChain({ family: 'ip', table: 't', name: 'c', hook: 'bogus' as never }), /not a hook/],
    [() => tx.addChain({ family: 'netdev', table: 't', name: 'c', hook: 'forward' }), /not a hook of the netdev family/],
    [() => tx.addChain({ family: 'ip', table: 't', name: 'c', hook: 'input', type: 'bogus' as never }), /filter, nat or route/],
    [() => tx.addChain({ family: 'ip', table: 't', name: 'c', hook: 'input', priority: 'loud' }), /must be a number or one of/],
    [() => tx.addChain({ family: 'ip', table: 't', name: 'c', hook: 'input', priority: 2 ** 31 }), /signed 32-bit/],
    [() => tx.addChain({ family: 'ip', table: 't', name: 'c', hook: 'input', policy: 'reject' as never }), /accept or drop/],
    [() => tx.addChain({ family: 'ip', table: 't', name: 'c', policy: 'drop' }), /need a hook/],
    [() => tx.addSet({ family: 'ip', table: 't', name: 's', type: 'bogus' as never }), /must be one of/],
    [() => tx.addSet({ family: 'ip', table: 't', name: 's', type: 'inet_service', map: 'verdict', elements: [22] }), /needs a value/],
    [() => tx.addSet({ family: 'ip', table: 't', name: 's', type: 'inet_service', elements: [{ key: 22, value: 'accept' }] }), /has no value/],
    [() => tx.addSet({ family: 'ip', table: 't', name: 's', type: 'inet_service', map: 'verdict', elements: [{ key: 22, value: 'bounce' as never }] }), /must be 'accept'/],
    [() => tx.addSet({ family: 'ip', table: 't', name: 's', type: 'ipv4_addr', elements: ['10.0.0.300'] }), /not an IPv4 address/],
    [() => tx.addElements({ family: 'ip', table: 't', name: 's', type: 'bogus' as never, elements: [1] }), /must be one of/],
    [() => tx.deleteRule({ family: 'ip', table: 't', chain: 'c', handle: 0 }), /positive integer handle/],
    [() => tx.addRule({ family: 'ip', table: 't', chain: 'c', statements: [], comment: '' }), /1-127 bytes/],
    [() => tx.addRule({ family: 'ip', table: 't', chain: 'c', statements: [], position: { handle: -1 } }), /positive integer handle/],
  ];
  for (const [f, re] of bad) {
    t.throws(f, re);
    try {
      f();
    } catch (e) {
      t.ok(isArgumentError(e), 'an ArgumentError');
    }
  }
  t.equal(tx.size, 0, 'nothing was queued');
  t.equal(batches.length, 0, 'nothing was sent');
  nft.close();
});

t.test('the Nftables facade', async (t) => {
  t.throws(() => new Nftables(new NetlinkClient(createFakeTransport(() => []), { def: { family: 'route' } } as never)), /netfilter/);
  const { nft, batches } = fakeKernel((m) => {
    if (m.type === 'NFT_MSG_GETOBJ' || m.type === 'NFT_MSG_GETOBJ_RESET') {
      const obj = encodeMessage(netfilterProtocol, { type: 'NFT_MSG_NEWOBJ', seq: m.seq, pid: PORT, header: { family: 2, version: 0, res_id: 0 }, attrs: { table: 't', name: 'c', type: 1, data: { bytes: 168, packets: 2 }, use: 0, handle: 3 } });
      return [obj, ack(m)];
    }
    if (m.type === 'NFT_MSG_GETGEN') return [encodeMessage(netfilterProtocol, { type: 'NFT_MSG_NEWGEN', seq: m.seq, pid: PORT, header: { family: 0, version: 0, res_id: 7 }, attrs: { id: 7, proc_pid: 1, proc_name: 'x' } })];
    return m.flags.includes('NLM_F_ACK') ? [ack(m)] : [];
  });
  t.equal(await nft.generation(), 7);
  t.match(await nft.getCounter({ family: 'ip', table: 't', name: 'c' }), { name: 'c', packets: 2, bytes: 168, handle: 3 });
  await nft.getCounter({ family: 'ip', table: 't', name: 'c' }, { reset: true });
  t.equal(batches[batches.length - 1]![0]!.type, 'NFT_MSG_GETOBJ_RESET');
  await t.rejects(nft.getCounter({ family: 'nope' as never, table: 't', name: 'c' }), /family/);
  // Every single-operation method is a one-operation transaction.
  const before = batches.length;
  t.equal(await nft.addTable({ family: 'ip', name: 't' }), undefined, 'no echo: nothing created');
  await nft.deleteTable({ family: 'ip', name: 't' });
  await nft.flushTable({ family: 'ip', name: 't' });
  await nft.addChain({ family: 'ip', table: 't', name: 'c' });
  await nft.deleteChain({ family: 'ip', table: 't', name: 'c' });
  await nft.flushChain({ family: 'ip', table: 't', name: 'c' });
  await t.rejects(nft.addRule({ family: 'ip', table: 't', chain: 'c', statements: [{ action: 'accept' }] }), /did not echo/);
  await nft.replaceRule({ family: 'ip', table: 't', chain: 'c', handle: 4, statements: [{ match: 'udp dport', value: [1, 2] }, { action: 'drop' }] });
  await nft.deleteRule({ family: 'ip', table: 't', chain: 'c', handle: 4 });
  await nft.addSet({ family: 'ip', table: 't', name: 's', type: 'ipv4_addr' });
  await nft.addElements({ family: 'ip', table: 't', name: 's', type: 'ipv4_addr', elements: ['10.0.0.1'] });
  await nft.deleteElements({ family: 'ip', table: 't', name: 's', type: 'ipv4_addr', elements: [{ key: '10.0.0.1' }] });
  await nft.deleteSet({ family: 'ip', table: 't', name: 's' });
  await nft.addCounter({ family: 'ip', table: 't', name: 'k' });
  await nft.deleteCounter({ family: 'ip', table: 't', name: 'k' });
  const kinds = batches.slice(before).map((b) => b.slice(1, -1).map((m) => String(m.type).replace('NFT_MSG_', '')).join('+'));
  t.same(kinds, [
    'NEWTABLE', 'DELTABLE', 'DELRULE', 'NEWCHAIN', 'DELCHAIN', 'DELRULE', 'NEWRULE', 'NEWSET+NEWSETELEM+NEWRULE', 'DELRULE',
    'NEWSET', 'NEWSETELEM', 'DELSETELEM', 'DELSET', 'NEWOBJ', 'DELOBJ',
  ]);
  const replace = batches[before + 7]![3]!;
  t.ok(replace.flags.includes('NLM_F_REPLACE'));
  t.match(replace.attrs, { handle: 4 });
  nft.close();
});
