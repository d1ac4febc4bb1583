// Replay of the session recorded from a 6.18 kernel (fixtures/testing/flow.json, .pcap; made by
// test/kernel/differential-record.test.ts): the same code gets the kernel's answers, requests are
// matched with sequence numbers and port ids re-mapped, and a request that differs fails with a
// readable diff of the decoded messages.
import t from 'tap';
import { Netlink } from '../../../src/api/netlink.js';
import { NetlinkClient } from '../../../src/netlink/client.js';
import { routeProtocol } from '../../../src/rtnetlink/index.js';
import { createMockKernel, recordingTransport, ReplayMismatchError, replayTransport, loadFixture } from '../../../src/testing/index.js';
import { recordedFlow } from '../../kernel/differential-scenarios.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLOW = new URL('../../../fixtures/testing/flow.json', import.meta.url).pathname;
const FLOW_PCAP = FLOW.replace(/\.json$/, '.pcap');

async function replay(path: string, mtu = 1400, skipSeq = 0, portId?: number) {
  const transport = replayTransport(path, portId === undefined ? {} : { portId });
  const nl = await Netlink.open({ transport });
  for (let i = 0; i < skipSeq; i++) nl.client.nextSeq();
  try {
    return { result: await recordedFlow(nl, mtu), transport };
  } finally {
    nl.close();
  }
}

t.test('the kernel session replays (JSON and pcap)', async (t) => {
  for (const path of [FLOW, FLOW_PCAP]) {
    const { result, transport } = await replay(path);
    t.same(result, { mtu: 1400, operUp: true, addrs: ['10.123.60.1/24'], refusal: 'RTM_NEWADDR: File exists: ipv4: Address already assigned' }, path);
    t.equal(transport.remaining, 0);
    transport.assertDone();
  }
});

t.test('sequence numbers and port ids are re-mapped', async (t) => {
  const { result } = await replay(FLOW, 1400, 1000, 777);
  t.equal(result.mtu, 1400, 'requests numbered from 1001 match the recording numbered from 1');
});

t.test('a request that differs fails with the decoded difference', async (t) => {
  const err = await replay(FLOW, 1500).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(err instanceof ReplayMismatchError);
  const e = err as ReplayMismatchError;
  t.equal(e.code, 'NLKIT_ERR_REPLAY_MISMATCH');
  t.same(e.differences, ['attrs.mtu: expected 1400, got 1500']);
  t.match(e.message, /flow\.json: request 3 \(record 5\) differs from the recording:\n {2}attrs\.mtu: expected 1400, got 1500/);
});

t.test('running out of the recording, and requests left over', async (t) => {
  const transport = replayTransport(FLOW);
  const nl = await Netlink.open({ transport });
  await recordedFlow(nl);
  await t.rejects(nl.link.get('lo'), { name: 'ReplayMismatchError', message: /request 15 was not recorded \(the recording has 14\); got RTM_GETLINK/ });
  nl.close();
  const partial = replayTransport(FLOW);
  const nl2 = await Netlink.open({ transport: partial });
  await nl2.link.add({ name: 'rec0', type: 'veth', peer: { name: 'rec1' } });
  t.equal(partial.remaining, 13);
  t.throws(() => partial.assertDone(), { message: /13 recorded request\(s\) were not made:\n {2}record 2: RTM_GETLINK/ });
  nl2.close();
  t.throws(() => partial.send(new Uint8Array(16)), { code: 'EBADF' });
});

t.test('strict matching compares bytes; without it, decoded values', async (t) => {
  // Record one request whose attributes come in one order, replay it with the other.
  const path = join(mkdtempSync(join(tmpdir(), 'nlkit-replay-')), 'order.json');
  const rec = recordingTransport(createMockKernel().transport(), { path });
  const c = new NetlinkClient(rec, routeProtocol());
  await c.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo', ext_mask: 8 } });
  c.close();
  const again = (strict: boolean) => {
    const c2 = new NetlinkClient(replayTransport(path, { strict }), routeProtocol());
    return c2.request({ type: 'RTM_GETLINK', header: {}, attrs: { ext_mask: 8, ifname: 'lo' } }).finally(() => c2.close());
  };
  await t.rejects(again(true), { message: /the same decoded values, but different bytes/ });
  const [lo] = await again(false);
  t.equal((lo!.attrs as { ifname: string }).ifname, 'lo');
  t.ok(loadFixture(path).datagrams.length === 2);
});
