// nlkit's nf_tables API against the real kernel, inside the private sandbox (see sandbox.ts): the
// Docker-style bridge network of the issue. The sandbox's namespace is the "host", with a bridge;
// two "container" namespaces hang on it; an "outside" namespace is reached over a veth and has no
// route back to the containers. nlkit (not nft) sets up masquerade, a DNAT port forward, a drop
// rule and counters; small TCP/UDP echo servers (run in the namespaces with nlkit-nsexec) report
// the peer address they see. `nft` is the oracle for the ruleset nlkit reads back (those checks
// are skipped, with a line saying so, where nft is not installed).
import t, { type Test } from 'tap';
import { type ChildProcess, spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enterSandbox, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import { netns } from '../../src/api/netns.js';
import { openNftables, type Nftables } from '../../src/nftables/nftables.js';
import { monitorNftables, type NftEvent } from '../../src/nftables/monitor.js';
import { isNftablesError, type NftablesError } from '../../src/nftables/transaction.js';
import { rulesetToJson } from '../../src/nftables/json.js';
import { rulesetToText } from '../../src/nftables/text.js';
import type { Statement } from '../../src/nftables/statements.js';

await enterSandbox();

const ECHO = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'nft-echo.mjs');
const HOST_OUT = '10.123.9.1';
const OUTSIDE = '10.123.9.2';
const C1 = '10.123.1.2';
const C2 = '10.123.1.3';

// ---------------------------------------------------------------------------------------------
// Topology, with nlkit's own API

const nl = await Netlink.open();
t.teardown(() => nl.close());
await nl.link.set('lo', { up: true });
await nl.sysctl.set('ipv4.ip_forward', 1);
await nl.link.add({ name: 'nlkbr0', type: 'bridge', up: true });
await nl.addr.add('nlkbr0', '10.123.1.1/24');

await netns.add('nlk-out');
await nl.link.add({ name: 'nlk-out-h', type: 'veth', up: true, peer: { name: 'nlk-out', netns: 'nlk-out', up: true } });
await nl.addr.add('nlk-out-h', `${HOST_OUT}/24`);
const out = await Netlink.open({ netns: 'nlk-out' });
t.teardown(() => out.close());
await out.link.set('lo', { up: true });
await out.addr.add('nlk-out', `${OUTSIDE}/24`);

for (const [i, addr] of [[1, C1], [2, C2]] as const) {
  const ns = `nlk-c${i}`;
  await netns.add(ns);
  await nl.link.add({ name: `nlk-v${i}`, type: 'veth', master: 'nlkbr0', up: true, peer: { name: 'eth0', netns: ns, up: true } });
  const c = await Netlink.open({ netns: ns });
  await c.link.set('lo', { up: true });
  await c.addr.add('eth0', `${addr}/24`);
  await c.route.add({ dst: 'default', gateway: '10.123.1.1' });
  c.close();
}

// ---------------------------------------------------------------------------------------------
// Echo servers and clients (node, in the namespaces)

const children: ChildProcess[] = [];
t.teardown(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function server(ns: string, proto: 'tcp' | 'udp', port: number): Promise<void> {
  const c = netns.spawn(ns, [process.execPath, ECHO, 'server', proto, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  await new Promise<void>((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    c.on('exit', (code) => reject(new Error(`echo server in ${ns} exited with ${code}`)));
  });
}

/** What the echo at HOST:PORT answered to a client in `ns` ('peer=ADDR'), or 'timeout'. */
async function ask(ns: string, proto: 'tcp' | 'udp', host: string, port: number): Promise<string> {
  const r = await netns.exec(ns, [process.execPath, ECHO, 'client', proto, host, String(port)], { timeout: 10_000 });
  return r.stdout.trim();
}

await server('nlk-out', 'tcp', 7000);
await server('nlk-out', 'udp', 7001);
await server('nlk-c1', 'tcp', 7000);
await server('nlk-c1', 'udp', 7001);

const nft = openNftables({ timeout: 10_000 });
t.teardown(() => nft.close());

/** Whether the oracle is installed. */
const HAVE_NFT = spawnSync('nft', ['--version'], { stdio: 'ignore' }).status === 0;
if (!HAVE_NFT) t.comment('nft is not installed: the comparisons with nft are skipped');

/** `nft -j list ruleset` without its metainfo (nft's version). */
function nftJson(): unknown[] {
  return (JSON.parse(sh('nft', ['-j', 'list', 'ruleset'])) as { nftables: unknown[] }).nftables.slice(1);
}

/** Compares nlkit's view with nft's, where nft is installed. */
async function sameAsNft(t: Test, what = 'nlkit reads what nft -j list ruleset shows'): Promise<void> {
  if (!HAVE_NFT) return void t.pass(`${what}: skipped, nft is not installed`);
  t.same(await nlkitJson(), nftJson(), what);
}

async function nlkitJson(): Promise<unknown[]> {
  return rulesetToJson(await nft.listRuleset()).nftables.slice(1);
}

// ---------------------------------------------------------------------------------------------

t.test('before any rule: the containers cannot reach the outside (no route back)', async (t) => {
  t.equal(await ask('nlk-c1', 'tcp', OUTSIDE, 7000), 'timeout');
  t.same((await nft.listRuleset()).tables, [], 'an empty ruleset');
});

const masq: Statement[] = [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'nlk-out-h' }, { action: 'counter' }, { action: 'masquerade' }];
const forward: Statement[] = [{ match: 'iifname', value: 'nlk-out-h' }, { match: 'tcp dport', value: 8080 }, { action: 'counter', name: 'forwarded' }, { action: 'dnat', addr: C1, port: 7000 }];
const forwardUdp: Statement[] = [{ match: 'iifname', value: 'nlk-out-h' }, { match: 'udp dport', value: [8081, 8082] }, { action: 'dnat', addr: C1, port: 7001 }];
const block: Statement[] = [{ match: 'ip saddr', value: C2 }, { match: 'oifname', value: 'nlk-out-h' }, { action: 'counter' }, { action: 'drop' }];

let handles: number[] = [];

t.test('one transaction sets up NAT and filtering', async (t) => {
  const gen = await nft.generation();
  const res = await nft
    .transaction()
    .addTable({ family: 'ip', name: 'nat' })
    .addCounter({ family: 'ip', table: 'nat', name: 'forwarded' })
    .addChain({ family: 'ip', table: 'nat', name: 'postrouting', type: 'nat', hook: 'postrouting', priority: 'srcnat' })
    .addChain({ family: 'ip', table: 'nat', name: 'prerouting', type: 'nat', hook: 'prerouting', priority: 'dstnat' })
    .addRule({ family: 'ip', table: 'nat', chain: 'postrouting', statements: masq, comment: 'containers out' })
    .addRule({ family: 'ip', table: 'nat', chain: 'prerouting', statements: forward })
    .addRule({ family: 'ip', table: 'nat', chain: 'prerouting', statements: forwardUdp })
    .addTable({ family: 'inet', name: 'filter' })
    .addChain({ family: 'inet', table: 'filter', name: 'forward', type: 'filter', hook: 'forward', priority: 0, policy: 'accept' })
    .addChain({ family: 'inet', table: 'filter', name: 'containers' })
    .addRule({ family: 'inet', table: 'filter', chain: 'forward', statements: [{ match: 'ct state', value: ['established', 'related'] }, { action: 'accept' }] })
    .addRule({ family: 'inet', table: 'filter', chain: 'forward', statements: [{ match: 'iifname', value: 'nlkbr0' }, { action: 'jump', chain: 'containers' }] })
    .addRule({ family: 'inet', table: 'filter', chain: 'containers', statements: block })
    .commit();
  t.equal(res.rules.length, 6, 'every rule echoed');
  handles = res.rules.map((r) => r.handle);
  t.ok(handles.every((h) => h > 0), `handles ${handles.join(', ')}`);
  t.same(res.chains.map((c) => c.name), ['postrouting', 'prerouting', 'forward', 'containers']);
  t.ok((await nft.generation()) > gen, 'a new generation');
});

t.test('masquerade: a container reaches the outside with the host address', async (t) => {
  t.equal(await ask('nlk-c1', 'tcp', OUTSIDE, 7000), `peer=${HOST_OUT}`, 'tcp');
  t.equal(await ask('nlk-c1', 'udp', OUTSIDE, 7001), `peer=${HOST_OUT}`, 'udp');
});

t.test('DNAT: a host port forwards to a container, which sees the client', async (t) => {
  t.equal(await ask('nlk-out', 'tcp', HOST_OUT, 8080), `peer=${OUTSIDE}`, 'tcp 8080 -> c1:7000');
  t.equal(await ask('nlk-out', 'udp', HOST_OUT, 8082), `peer=${OUTSIDE}`, 'udp {8081, 8082} -> c1:7001');
  t.equal(await ask('nlk-out', 'tcp', HOST_OUT, 8081), 'error ECONNREFUSED', 'a port without a rule is the host itself');
});

t.test('the drop rule blocks one container, not the other', async (t) => {
  t.equal(await ask('nlk-c2', 'tcp', OUTSIDE, 7000), 'timeout', 'c2 is blocked');
  t.equal(await ask('nlk-c1', 'tcp', OUTSIDE, 7000), `peer=${HOST_OUT}`, 'c1 still passes');
});

t.test('counters count', async (t) => {
  const rs = await nft.listRuleset();
  const counterOf = (chain: string) => rs.rules.find((r) => r.chain === chain && r.statements.some((s) => 'action' in s && s.action === 'counter' && !('name' in s)))!.statements.find((s) => 'action' in s && s.action === 'counter') as { packets: number; bytes: number };
  const m = counterOf('postrouting');
  t.ok(m.packets >= 3 && m.bytes > 0, `masquerade: ${m.packets} packets (new connections), ${m.bytes} bytes`);
  const d = counterOf('containers');
  t.ok(d.packets >= 1, `drop: ${d.packets} packets`);
  const named = await nft.getCounter({ family: 'ip', table: 'nat', name: 'forwarded' });
  t.ok(named.packets >= 1, `named counter: ${String(named.packets)} packets`);
  t.same(rs.counters.map((c) => c.name), ['forwarded']);
  const reset = await nft.getCounter({ family: 'ip', table: 'nat', name: 'forwarded' }, { reset: true });
  t.equal(reset.packets, named.packets, 'reset returns the values');
  t.equal((await nft.getCounter({ family: 'ip', table: 'nat', name: 'forwarded' })).packets, 0, 'and zeroes them');
});

t.test('the ruleset read by nlkit equals nft -j list ruleset', async (t) => {
  await sameAsNft(t);
  const rs = await nft.listRuleset();
  t.same(rs.rules.find((r) => r.chain === 'postrouting')!.statements.slice(0, 2), masq.slice(0, 2));
  t.equal(rs.rules.find((r) => r.chain === 'postrouting')!.comment, 'containers out');
  t.same(rs.rules.find((r) => r.chain === 'prerouting')!.statements, [forward[0], forward[1], forward[2], forward[3]]);
  t.same(rs.rules.filter((r) => r.chain === 'prerouting')[1]!.statements, forwardUdp);
  const text = rulesetToText(rs);
  if (HAVE_NFT) t.equal(text, sh('nft', ['list', 'ruleset']), 'and the text equals nft list ruleset');
  t.same(await nft.listRuleset({ family: 'inet' }).then((r) => r.tables.map((x) => x.name)), ['filter'], 'one family');
  t.same(await nft.listRuleset({ family: 'ip', table: 'nat' }).then((r) => r.chains.map((x) => x.name)), ['postrouting', 'prerouting'], 'one table');
});

async function refused(t: Test, tx: Promise<unknown>): Promise<NftablesError> {
  const e = await tx.then(
    () => undefined,
    (x: unknown) => x,
  );
  t.ok(isNftablesError(e), `refused: ${(e as Error | undefined)?.message}`);
  return e as NftablesError;
}

t.test('bad input: the kernel names the failing message, and nothing is half-applied', async (t) => {
  const before = await nlkitJson();
  const beforeNft = HAVE_NFT ? nftJson() : undefined;
  const gen = await nft.generation();

  const missingTable = await refused(t, nft.transaction().addChain({ family: 'ip', table: 'nosuch', name: 'c' }).commit());
  t.match(missingTable, { code: 'ENOENT', index: 0, operation: 'add chain ip nosuch c', request: 'NFT_MSG_NEWCHAIN', attributePath: 'NFTA_CHAIN_TABLE' });

  const unknownChain = await refused(
    t,
    nft
      .transaction()
      .addChain({ family: 'inet', table: 'filter', name: 'new-chain' })
      .addRule({ family: 'inet', table: 'filter', chain: 'forward', statements: [{ action: 'jump', chain: 'nosuch' }] })
      .commit(),
  );
  t.match(unknownChain, { code: 'ENOENT', index: 1, operation: 'add rule inet filter forward', request: 'NFT_MSG_NEWRULE', attributePath: 'NFTA_RULE_EXPRESSIONS.NFTA_LIST_ELEM' });

  const badPriority = await refused(
    t,
    nft
      .transaction()
      .addTable({ family: 'ip', name: 'extra' })
      .addChain({ family: 'ip', table: 'extra', name: 'early-nat', type: 'nat', hook: 'postrouting', priority: -300 })
      .commit(),
  );
  t.match(badPriority, { code: 'EOPNOTSUPP', index: 1, operation: 'add chain ip extra early-nat' });

  const atomic = await refused(
    t,
    nft
      .transaction()
      .addTable({ family: 'ip', name: 'half' })
      .addChain({ family: 'ip', table: 'half', name: 'c' })
      .addRule({ family: 'ip', table: 'half', chain: 'c', statements: [{ match: 'tcp dport', value: [1, 2] }, { action: 'accept' }] })
      .addRule({ family: 'ip', table: 'nat', chain: 'no-such-chain', statements: [{ action: 'accept' }] })
      .addRule({ family: 'ip', table: 'nat', chain: 'postrouting', statements: [{ action: 'accept' }] })
      .commit(),
  );
  t.match(atomic, { code: 'ENOENT', operation: 'add rule ip nat no-such-chain', attributePath: 'NFTA_RULE_CHAIN' });
  t.equal(atomic.failures.length, 1, 'only the bad message failed');

  t.same(await nlkitJson(), before, 'the ruleset is unchanged after the failing batches');
  if (HAVE_NFT) t.same(nftJson(), beforeNft, 'as nft sees it too');
  t.equal(await nft.generation(), gen, 'and so is the generation');
  t.equal(await ask('nlk-c1', 'tcp', OUTSIDE, 7000), `peer=${HOST_OUT}`, 'and the traffic still flows');
});

t.test('monitor: ruleset changes as events', async (t) => {
  const mon = monitorNftables();
  const events: NftEvent[] = [];
  const reading = (async () => {
    for await (const ev of mon) {
      if (ev.type !== 'event') continue;
      events.push(ev);
      if (ev.object === 'generation' && events.some((e) => e.object === 'rule')) break;
    }
  })();
  await new Promise((r) => setTimeout(r, 100));
  await nft.addRule({ family: 'inet', table: 'filter', chain: 'containers', statements: [{ match: 'udp dport', value: 53 }, { action: 'accept' }] });
  await reading;
  mon.close();
  t.match(events.map((e) => e.text), ['add rule inet filter containers udp dport 53 accept', /^# new generation \d+ by process \d+/]);
});

t.test('delete by handle, flush, delete', async (t) => {
  const rs = await nft.listRuleset({ family: 'inet', table: 'filter' });
  const dns = rs.rules.find((r) => r.statements.some((s) => 'match' in s && s.match === 'udp dport'))!;
  await nft.deleteRule({ family: 'inet', table: 'filter', chain: 'containers', handle: dns.handle });
  t.notOk((await nft.listRuleset()).rules.some((r) => r.handle === dns.handle && r.family === 'inet'), 'the rule is gone');
  await nft.flushChain({ family: 'inet', table: 'filter', name: 'containers' });
  t.equal(await ask('nlk-c2', 'tcp', OUTSIDE, 7000), `peer=${HOST_OUT}`, 'with the drop rule flushed, c2 passes');
  const add = await nft.addRule({ family: 'inet', table: 'filter', chain: 'containers', statements: block, position: { insert: true } });
  t.equal(await ask('nlk-c2', 'tcp', OUTSIDE, 7000), 'timeout', 'blocked again');
  await nft.replaceRule({ family: 'inet', table: 'filter', chain: 'containers', handle: add.handle, statements: [{ match: 'ip saddr', value: C2 }, { action: 'accept' }] });
  t.equal(await ask('nlk-c2', 'tcp', OUTSIDE, 7000), `peer=${HOST_OUT}`, 'replaced by an accept');
  await sameAsNft(t, 'still what nft sees');
  await nft.flushTable({ family: 'inet', name: 'filter' });
  t.equal((await nft.listRuleset({ family: 'inet' })).rules.length, 0, 'flushed table: no rules');
  await nft.deleteChain({ family: 'inet', table: 'filter', name: 'containers' });
  await nft.deleteTable({ family: 'inet', name: 'filter' });
  t.same((await nft.listRuleset()).tables.map((x) => `${x.family} ${x.name}`), ['ip nat']);
});

t.test('sets and maps', async (t) => {
  await nft
    .transaction()
    .addTable({ family: 'inet', name: 'sets' })
    .addSet({ family: 'inet', table: 'sets', name: 'web', type: 'inet_service', elements: [80, 443] })
    .addSet({ family: 'inet', table: 'sets', name: 'blocked', type: 'ipv4_addr', elements: [C2] })
    .addSet({ family: 'inet', table: 'sets', name: 'ports', type: 'inet_service', map: 'verdict', elements: [{ key: 22, value: 'accept' }, { key: 23, value: 'drop' }] })
    .addChain({ family: 'inet', table: 'sets', name: 'forward', hook: 'forward', priority: 10 })
    .addRule({ family: 'inet', table: 'sets', chain: 'forward', statements: [{ match: 'ip saddr', set: 'blocked' }, { match: 'tcp dport', op: '!=', set: 'web' }, { action: 'drop' }] })
    .commit();
  t.equal(await ask('nlk-c2', 'tcp', OUTSIDE, 7000), 'timeout', 'c2 is in @blocked and 7000 is not in @web');
  await nft.addElements({ family: 'inet', table: 'sets', name: 'web', type: 'inet_service', elements: [7000] });
  t.equal(await ask('nlk-c2', 'tcp', OUTSIDE, 7000), `peer=${HOST_OUT}`, 'with 7000 in @web it passes');
  await nft.deleteElements({ family: 'inet', table: 'sets', name: 'blocked', type: 'ipv4_addr', elements: [C2] });
  const s = (await nft.listRuleset({ family: 'inet', table: 'sets' })).sets;
  t.same(s.map((x) => [x.name, x.elements]), [
    ['web', [{ key: 80 }, { key: 443 }, { key: 7000 }]],
    ['blocked', []],
    ['ports', [{ key: 22, value: 'accept' }, { key: 23, value: 'drop' }]],
  ]);
  await sameAsNft(t, 'what nft sees');
  await nft.deleteTable({ family: 'inet', name: 'sets' });
});

t.test('another namespace: openNftables({ netnsFd })', async (t) => {
  const fd = openSync('/run/netns/nlk-c1', 'r');
  try {
    const inner = openNftables({ netnsFd: fd });
    await inner.addTable({ family: 'ip', name: 'inside-c1' });
    t.same((await inner.listRuleset()).tables.map((x) => x.name), ['inside-c1']);
    inner.close();
  } finally {
    closeSync(fd);
  }
  t.notOk((await nft.listRuleset()).tables.some((x) => x.name === 'inside-c1'), 'the host does not have it');
  if (!HAVE_NFT) return;
  const r = await netns.exec('nlk-c1', ['nft', 'list', 'tables']);
  t.equal(r.stdout.trim(), 'table ip inside-c1', 'nft in the namespace sees it');
  t.notOk(sh('nft', ['list', 'tables']).includes('inside-c1'), 'nft on the host does not');
});
