// Recording (to JSON and to pcap) and NLKIT_RECORD, over the mock kernel: no root needed.
import t from 'tap';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Netlink } from '../../../src/api/netlink.js';
import type { Transport } from '../../../src/netlink/transport.js';
import { createMockKernel, loadFixture, maybeRecord, readPcap, recordingTransport, replayTransport } from '../../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'nlkit-record-'));

async function session(transport: Transport) {
  const nl = await Netlink.open({ transport });
  await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1' } });
  await nl.addr.add('veth0', '10.123.7.1/24');
  const names = (await nl.link.list().collect()).map((l) => l.name);
  nl.close();
  return names;
}

t.test('a JSON fixture: every datagram both ways, options, family, kernel', async (t) => {
  const path = join(dir, 'session.json');
  const rec = recordingTransport(createMockKernel().transport(), { path, kernel: '6.18.0-test', options: { strictCheck: false } });
  t.equal(rec.path, path);
  t.notOk(existsSync(path), 'a JSON fixture is written when the session ends');
  const names = await session(rec);
  t.same(names, ['lo', 'veth1', 'veth0']);
  t.ok(rec.closed);
  const fx = loadFixture(path);
  t.equal(fx.kernel, '6.18.0-test');
  t.equal(fx.family, 0);
  t.same(fx.options, { extAck: true, strictCheck: false, capAck: true });
  const seen = recordingTransport(createMockKernel().transport({ capAck: false }), { path: join(dir, 'seen.json') });
  t.same(seen.fixture.options, { extAck: true, strictCheck: true, capAck: false }, 'the options a socket shows are recorded');
  seen.close();
  t.same(fx.datagrams, rec.fixture.datagrams);
  t.ok(fx.datagrams.length >= 8);
  t.equal(fx.datagrams[0]!.dir, 'send');
  t.ok(fx.datagrams.every((d, i) => i === 0 || d.t >= fx.datagrams[i - 1]!.t), 'times increase');
  // ...and it replays to the same answers, without the mock.
  t.same(await session(replayTransport(path)), names);
});

t.test('a pcap is written datagram by datagram', async (t) => {
  const path = join(dir, 'session.pcap');
  const rec = recordingTransport(createMockKernel().transport(), { path });
  const nl = await Netlink.open({ transport: rec });
  await nl.link.get('lo');
  const records = readPcap(readFileSync(path), path);
  t.equal(records.length, rec.fixture.datagrams.length, 'already on disk while the session is open');
  t.same(records.map((r) => r.dir), rec.fixture.datagrams.map((d) => d.dir));
  t.same(records.map((r) => Buffer.from(r.bytes).toString('hex')), rec.fixture.datagrams.map((d) => d.hex));
  nl.close();
  rec.flush();
});

t.test('maybeRecord: with a path or NLKIT_RECORD, one file per session', async (t) => {
  const kernel = createMockKernel();
  const plain = kernel.transport();
  const before = process.env['NLKIT_RECORD'];
  delete process.env['NLKIT_RECORD'];
  t.equal(maybeRecord(plain), plain, 'without either the transport is untouched');
  t.equal(maybeRecord(plain, { path: '' }), plain);
  const given = maybeRecord(kernel.transport(), { path: join(dir, 'given.json'), kernel: 'k' });
  t.not(given, plain, 'a path given records');
  given.close();
  t.equal(loadFixture(join(dir, 'given.json')).kernel, 'k');
  process.env['NLKIT_RECORD'] = join(dir, 'env.pcap');
  try {
    const a = maybeRecord(kernel.transport());
    const b = maybeRecord(kernel.transport());
    t.not(a, b);
    for (const tr of [a, b]) {
      const nl = await Netlink.open({ transport: tr });
      await nl.link.get('lo');
      nl.close();
    }
  } finally {
    if (before === undefined) delete process.env['NLKIT_RECORD'];
    else process.env['NLKIT_RECORD'] = before;
  }
  t.ok(readPcap(readFileSync(join(dir, 'env.pcap'))).length >= 2, 'the first session writes NLKIT_RECORD');
  t.ok(readPcap(readFileSync(join(dir, 'env-2.pcap'))).length >= 2, 'the second writes NAME-2.pcap');
});
