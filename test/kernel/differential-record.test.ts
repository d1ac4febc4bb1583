// Record and replay against the real kernel (in the sandbox): a session recorded with
// recordingTransport (JSON fixture and LINKTYPE_NETLINK pcap) replays to the same results
// without the kernel, tshark dissects the pcap, and NLKIT_RECORD records sessions of
// Netlink.open. With NLKIT_UPDATE_FIXTURES=1 the recordings become fixtures/testing/flow.json
// and flow.pcap, which the unit tests replay.
import t, { type Test } from 'tap';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir, release } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { enterSandbox } from './sandbox.js';
import { openNativeTransport } from '../../src/netlink/native-transport.js';
import { Netlink } from '../../src/api/netlink.js';
import { loadFixture, maybeRecord, recordingTransport, replayTransport } from '../../src/testing/index.js';
import { recordedFlow } from './differential-scenarios.js';

await enterSandbox();

const dir = mkdtempSync(join(tmpdir(), 'nlkit-record-'));

/**
 * What tshark must have understood: rtnetlink messages named by type (Wireshark names them in
 * words, with the number: "Create network interface (16)"), and the kernel's errno.
 */
function checkDissection(t: Test, text: string): void {
  t.match(text, 'Linux rtnetlink (route netlink) protocol', 'tshark dissects rtnetlink');
  const types: Array<[string, number]> = [['RTM_NEWLINK', 16], ['RTM_DELLINK', 17], ['RTM_GETLINK', 18], ['RTM_NEWADDR', 20], ['RTM_GETADDR', 22]];
  for (const [name, n] of types) t.match(text, new RegExp(`Message type: [A-Za-z ]+ \\(${n}\\)`), `tshark names ${name} (${n})`);
  t.match(text, /Error code: File exists \(-EEXIST\)/, 'tshark shows the EEXIST of the refusal');
}

async function onKernel(path: string) {
  const transport = recordingTransport(openNativeTransport({ protocol: 0 }), { path });
  const nl = await Netlink.open({ transport });
  try {
    return await recordedFlow(nl);
  } finally {
    nl.close();
  }
}

async function onReplay(path: string) {
  const transport = replayTransport(path);
  const nl = await Netlink.open({ transport });
  try {
    const result = await recordedFlow(nl);
    transport.assertDone();
    return result;
  } finally {
    nl.close();
  }
}

t.test('a JSON recording replays to the same results', async (t) => {
  const path = join(dir, 'flow.json');
  const live = await onKernel(path);
  t.equal(live.mtu, 1400);
  t.same(live.addrs, ['10.123.60.1/24']);
  t.match(live.refusal, /File exists: ipv4: Address already assigned/);
  const fx = loadFixture(path);
  t.equal(fx.kernel, release(), 'the kernel version is recorded');
  t.same(fx.options, { extAck: true, strictCheck: true, capAck: true }, 'the socket options are recorded');
  t.ok(fx.datagrams.some((d) => d.dir === 'send') && fx.datagrams.some((d) => d.dir === 'recv'), 'both directions are recorded');
  t.same(await onReplay(path), live, 'the replay gives what the kernel gave');
  if (process.env['NLKIT_UPDATE_FIXTURES'] === '1') copyFileSync(path, new URL('../../fixtures/testing/flow.json', import.meta.url));
});

t.test('a pcap recording replays too, and tshark dissects it', async (t) => {
  const path = join(dir, 'flow.pcap');
  const live = await onKernel(path);
  t.same(await onReplay(path), live, 'the replay of the pcap gives what the kernel gave');
  if (process.env['NLKIT_UPDATE_FIXTURES'] === '1') copyFileSync(path, new URL('../../fixtures/testing/flow.pcap', import.meta.url));
  const tshark = spawnSync('tshark', ['-r', path, '-V'], { encoding: 'utf8' });
  if (tshark.error) {
    t.pass('tshark dissects the capture', { skip: `tshark is not installed (${tshark.error.message})` });
    return;
  }
  t.equal(tshark.status, 0, `tshark exits 0${tshark.status ? `: ${tshark.stderr}` : ''}`);
  checkDissection(t, tshark.stdout);
});

t.test('NLKIT_RECORD records the sessions Netlink.open makes (through maybeRecord)', async (t) => {
  const base = join(dir, 'env.json');
  const before = process.env['NLKIT_RECORD'];
  process.env['NLKIT_RECORD'] = base;
  const first = maybeRecord(openNativeTransport({ protocol: 0 }));
  const second = maybeRecord(openNativeTransport({ protocol: 0 }));
  if (before === undefined) delete process.env['NLKIT_RECORD'];
  else process.env['NLKIT_RECORD'] = before;
  for (const tr of [first, second]) {
    const nl = await Netlink.open({ transport: tr });
    await nl.link.get('lo');
    nl.close();
  }
  t.ok(existsSync(base), 'the first session writes the path');
  t.ok(existsSync(join(dir, 'env-2.json')), 'the second writes path-2');
  t.ok(loadFixture(join(dir, 'env-2.json')).datagrams.length >= 2);
  t.ok(JSON.parse(readFileSync(base, 'utf8')).kernel, 'with the kernel version');
});
