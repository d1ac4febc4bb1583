// Ruleset change events: the notifications `nft monitor` received (fixtures/nftables/monitor.json)
// turn into the lines nft monitor printed for them.
import t from 'tap';
import { fromHex } from '../../../src/netlink/bytes.js';
import { decodeDatagram, encodeMessage, type Message } from '../../../src/netlink/message.js';
import { NetlinkClient } from '../../../src/netlink/client.js';
import { createFakeTransport } from '../../../src/netlink/fake-transport.js';
import { NftEventDecoder, NftMonitor, type NftEvent } from '../../../src/nftables/monitor.js';
import { NFNLGRP, netfilterProtocol } from '../../../src/nftables/protocol.js';
import { loadFixture } from './helpers.js';

/** The notifications of the fixture: what nft monitor received after its last request (a GETGEN) and its reply. */
function notifications(): Message[] {
  const fx = loadFixture('monitor');
  let last = 0;
  fx.datagrams.forEach((d, i) => {
    if (d.direction === 'send') last = i;
  });
  return fx.datagrams.slice(last + 2).flatMap((d) => decodeDatagram(netfilterProtocol, fromHex(d.hex)!));
}

t.test('events read as nft monitor prints them', async (t) => {
  const fx = loadFixture('monitor');
  const decoder = new NftEventDecoder();
  const lines = notifications()
    .map((m) => decoder.decode(m))
    .filter((e): e is NftEvent => e !== undefined)
    .map((e) => e.text);
  const nft = fx.nftText!.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  t.same(lines, nft);
});

t.test('event fields', async (t) => {
  const decoder = new NftEventDecoder();
  const events = notifications().map((m) => decoder.decode(m)).filter((e): e is NftEvent => e !== undefined);
  t.match(events[0], { type: 'event', action: 'add', object: 'table', family: 'ip' });
  t.match(events.find((e) => e.object === 'rule'), { action: 'add', family: 'ip', message: { type: 'NFT_MSG_NEWRULE' } });
  t.match(events.find((e) => e.object === 'generation'), { action: 'info', family: undefined });
  t.equal(decoder.decode({ type: 'NLMSG_DONE', flags: [], seq: 0, pid: 0, header: {}, attrs: {} }), undefined, 'not a change');
  const flow = decoder.decode({ type: 'NFT_MSG_NEWFLOWTABLE', flags: [], seq: 0, pid: 0, header: { family: 1 }, attrs: { table: 't', name: 'f' } });
  t.equal(flow?.text, 'add flowtable inet t f');
  const obj = decoder.decode({ type: 'NFT_MSG_DELOBJ', flags: [], seq: 0, pid: 0, header: { family: 2 }, attrs: { table: 't', name: 'q', type: 2 } });
  t.equal(obj?.text, 'delete object ip t q');
});

t.test('NftMonitor over a client: events, and overruns passed through', async (t) => {
  const transport = createFakeTransport(() => [], { protocol: 12 });
  const mon = new NftMonitor(new NetlinkClient(transport, netfilterProtocol));
  t.ok(transport.groups.has(NFNLGRP.NFTABLES), 'joined NFNLGRP_NFTABLES');
  const it = mon[Symbol.asyncIterator]();
  transport.inject(encodeMessage(netfilterProtocol, { type: 'NFT_MSG_NEWTABLE', header: { family: 2, version: 0, res_id: 0 }, attrs: { name: 'nat', flags: 0, use: 0, handle: 1 } }));
  t.match((await it.next()).value, { type: 'event', text: 'add table ip nat' });
  transport.injectError('ENOBUFS', 105);
  t.match((await it.next()).value, { type: 'overrun', reason: 'ENOBUFS' });
  mon.close();
  t.equal(transport.closed, true);
});
