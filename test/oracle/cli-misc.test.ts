// The rest of `nlkit`'s commands against iproute2 (and nft): netns, tuntap, bridge fdb changes,
// route get/flush, addr flush, neigh replace/del, link set type, nft list ruleset, and — as a
// real process through src/cli/main-entry.ts — link show and monitor (text like `ip monitor`, and
// one JSON object per event with -j).
import { spawn, spawnSync } from 'node:child_process';
import t from 'tap';
import { enterSandbox, ipJson, sh } from '../kernel/sandbox.js';
import { compareJson, compareText, describe } from './view-support/oracle.js';
import { ipRun, nk, runScript } from './cli-support.js';

await enterSandbox();

const LOADER = '--import=@isaacs/ts-node-temp-fork-for-pr-2009/import';
const ENTRY = 'src/cli/main-entry.ts';
const env = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

runScript(`
sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
ip link set lo up
ip link add m0 type veth peer name m1
ip link set m0 up
ip link set m1 up
ip addr add 10.123.90.1/24 dev m0
ip addr add 10.123.90.2/24 dev m1
`);

t.test('netns: add, list, set, list-id, exec, identify, pids, attach, delete', async (t) => {
  let r = await nk(['netns', 'add', 'c1']);
  t.equal(r.code, 0, r.err);
  r = await nk(['netns', 'add', 'c1']);
  t.equal(r.code, 1);
  t.equal(r.err, 'Cannot create namespace file "/run/netns/c1": File exists\n');
  t.equal((await nk(['netns', 'set', 'c1', '12'])).code, 0);
  t.equal((await nk(['netns', 'list'])).out, sh('ip', ['netns', 'list']));
  t.equal((await nk(['-j', 'netns', 'list'])).out.trim(), sh('ip', ['-j', 'netns', 'list']).trim());
  t.equal((await nk(['netns', 'list-id'])).out, sh('ip', ['netns', 'list-id']));
  t.equal((await nk(['-j', 'netns', 'list-id'])).out.trim(), sh('ip', ['-j', 'netns', 'list-id']).trim());
  r = await nk(['netns', 'exec', 'c1', 'sh', '-c', 'echo hello; exit 3']);
  t.equal(r.code, 3, 'the command\'s exit status');
  t.equal(r.out, 'hello\n');
  r = await nk(['-n', 'c1', 'link', 'set', 'lo', 'up']);
  t.equal(r.code, 0);
  t.match(sh('ip', ['-n', 'c1', 'link', 'show', 'lo']), /UP/);
  const child = spawn(sh('which', ['sleep']).trim(), ['30'], { stdio: 'ignore' });
  t.teardown(() => child.kill());
  r = await nk(['netns', 'attach', 'c2', String(child.pid)]);
  t.equal(r.code, 0, r.err);
  t.equal((await nk(['netns', 'identify', String(child.pid)])).out, sh('ip', ['netns', 'identify', String(child.pid)]));
  // c2 is this sandbox's own namespace: every process here is in it; the child must be listed.
  t.match((await nk(['netns', 'pids', 'c2'])).out, new RegExp(`^${child.pid}$`, 'm'));
  t.equal((await nk(['netns', 'delete', 'c1'])).code, 0);
  t.equal((await nk(['netns', 'delete', 'c2'])).code, 0);
  r = await nk(['netns', 'delete', 'c1']);
  t.equal(r.code, 1);
  t.equal(r.err, 'Cannot remove namespace file "/run/netns/c1": No such file or directory\n');
});

t.test('tuntap: add, show, del', async (t) => {
  t.equal((await nk(['tuntap', 'add', 'tq0', 'mode', 'tap'])).code, 0);
  t.equal((await nk(['tuntap', 'add', 'dev', 'tq1', 'mode', 'tun', 'multi_queue', 'user', '0'])).code, 0);
  t.equal((await nk(['tuntap', 'show'])).out, sh('ip', ['tuntap', 'show']));
  t.same(JSON.parse((await nk(['-j', 'tuntap', 'show'])).out), ipJson(['tuntap', 'show']));
  let r = await nk(['tuntap', 'add', 'tq0', 'mode', 'tap']);
  const ip = ipRun(['tuntap', 'add', 'tq0', 'mode', 'tap']);
  t.equal(r.code, ip.code);
  t.equal(r.err, ip.err);
  r = await nk(['tuntap', 'add', 'tq9']);
  t.equal(r.err, 'You failed to specify a tunnel mode\n');
  t.equal((await nk(['tuntap', 'del', 'tq0', 'mode', 'tap'])).code, 0);
  t.equal((await nk(['tuntap', 'del', 'dev', 'tq1', 'mode', 'tun'])).code, 0);
  t.notMatch(sh('ip', ['link']), /tq[01]/);
});

t.test('bridge fdb add/append/replace/del and bridge link', async (t) => {
  runScript(`
ip link add fb0 type bridge
ip link add fp0 type veth peer name fp1
ip link set fp0 master fb0
ip link add fvx type vxlan id 77 dstport 4789 local 10.123.90.1
`);
  for (const args of [
    ['fdb', 'add', '02:00:00:00:00:a1', 'dev', 'fp0', 'master', 'static'],
    ['fdb', 'add', '02:00:00:00:00:a2', 'dev', 'fp0', 'master', 'static', 'sticky'],
    ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'fvx', 'dst', '10.123.90.9'],
    ['fdb', 'append', '00:00:00:00:00:00', 'dev', 'fvx', 'dst', '10.123.90.10', 'port', '4444', 'vni', '50', 'via', 'm0'],
    ['fdb', 'add', '02:00:00:00:00:a3', 'dev', 'fvx', 'dst', '10.123.90.11', 'self', 'permanent'],
    ['fdb', 'replace', '02:00:00:00:00:a3', 'dev', 'fvx', 'dst', '10.123.90.12'],
    ['fdb', 'del', '02:00:00:00:00:a2', 'dev', 'fp0', 'master'],
  ]) {
    const r = await nk(['bridge', ...args]);
    t.equal(r.code, 0, `bridge ${args.join(' ')}: ${r.err}`);
  }
  const diffs = compareJson(JSON.parse((await nk(['-j', 'bridge', 'fdb', 'show'])).out), JSON.parse(sh('bridge', ['-j', 'fdb', 'show'])));
  t.same(diffs, [], describe(diffs));
  t.match(sh('bridge', ['fdb', 'show', 'dev', 'fvx']), /00:00:00:00:00:00 dst 10.123.90.10 port 4444 vni 50 via m0 self permanent/);
  let r = await nk(['bridge', 'fdb', 'add', '02:00:00:00:00:a1', 'dev', 'fp0', 'master', 'static']);
  const ip = ipRun(['fdb', 'add', '02:00:00:00:00:a1', 'dev', 'fp0', 'master', 'static'], 'bridge');
  t.equal(r.code, ip.code, 'bridge exit status');
  t.equal(r.err, ip.err);
  r = await nk(['bridge', 'fdb', 'add', 'zz', 'dev', 'fp0']);
  t.equal(r.code, 255);
  t.equal(r.err, 'Invalid mac address zz\n');
  r = await nk(['bridge', '-j', 'link', 'show']);
  t.same(compareJson(JSON.parse(r.out), JSON.parse(sh('bridge', ['-j', 'link', 'show']))), []);
});

t.test('route get, route flush, addr flush, neigh replace/del, link set type', async (t) => {
  for (const args of [['route', 'get', '10.123.90.2'], ['route', 'get', '10.123.90.7'], ['route', 'get', '10.123.90.7', 'from', '10.123.90.1'], ['route', 'get', '10.123.90.8', 'oif', 'm0']]) {
    const r = await nk(args);
    t.equal(r.code, 0, r.err);
    t.same(compareText(r.out, sh('ip', args)), [], `ip ${args.join(' ')}`);
    const j = await nk(['-j', ...args]);
    t.same(compareJson(JSON.parse(j.out), ipJson(args)), [], `ip -j ${args.join(' ')}`);
  }
  runScript(`
ip route add 10.123.91.0/24 via 10.123.90.2 proto static
ip route add 10.123.92.0/24 via 10.123.90.2 proto static
ip addr add 10.123.93.1/24 dev m1
ip addr add 10.123.93.2/24 dev m1
`);
  t.equal((await nk(['route', 'flush', 'proto', 'static'])).code, 0);
  t.same(ipJson(['route', 'show', 'proto', 'static']), [], 'static routes flushed');
  t.equal((await nk(['addr', 'flush', 'dev', 'm1', 'to', '10.123.93.0/24'])).code, 0);
  t.same(ipJson<Array<{ addr_info: unknown[] }>>(['-4', 'addr', 'show', 'dev', 'm1'])[0]!.addr_info.length, 1, 'only 10.123.90.2 left on m1');
  t.equal((await nk(['neigh', 'replace', '10.123.90.50', 'lladdr', '02:00:00:00:00:50', 'dev', 'm0', 'nud', 'reachable'])).code, 0);
  t.equal((await nk(['neigh', 'replace', '10.123.90.50', 'lladdr', '02:00:00:00:00:51', 'dev', 'm0'])).code, 0);
  t.match(sh('ip', ['neigh', 'show', '10.123.90.50']), /02:00:00:00:00:51 PERMANENT/);
  t.equal((await nk(['neigh', 'del', '10.123.90.50', 'dev', 'm0'])).code, 0);
  t.equal(sh('ip', ['neigh', 'show', '10.123.90.50']).trim(), '');
  runScript(`
ip link add sb0 type bridge
ip link add sb1 type bridge
ip link set dev sb1 type bridge stp_state 1 forward_delay 500 priority 4096 ageing_time 1200
`);
  t.equal((await nk(['link', 'set', 'dev', 'sb0', 'type', 'bridge', 'stp_state', '1', 'forward_delay', '500', 'priority', '4096', 'ageing_time', '1200'])).code, 0);
  const data = (n: string) => {
    const d = ipJson<Array<{ linkinfo: { info_data: Record<string, unknown> } }>>(['-d', 'link', 'show', n])[0]!.linkinfo.info_data;
    return { stp_state: d['stp_state'], forward_delay: d['forward_delay'], priority: d['priority'], ageing_time: d['ageing_time'] };
  };
  t.same(data('sb0'), data('sb1'), 'link set type bridge: as ip sets it');
});

t.test('nft list ruleset: the text and JSON of nft', async (t) => {
  const nft = spawnSync('nft', ['--version'], { encoding: 'utf8' });
  if (nft.status !== 0) {
    t.comment('nft is not installed: nothing to compare with');
    return;
  }
  runScript(`
nft add table inet nk
nft add chain inet nk input { type filter hook input priority 0 ; policy accept ; }
nft add rule inet nk input tcp dport 22 counter accept
nft add table ip nat
nft add chain ip nat pre { type nat hook prerouting priority -100 ; }
nft add rule ip nat pre tcp dport 8080 dnat to 10.123.90.2:80
`);
  const r = await nk(['nft', 'list', 'ruleset']);
  t.equal(r.code, 0, r.err);
  t.same(compareText(r.out, sh('nft', ['list', 'ruleset'])), []);
  const j = JSON.parse((await nk(['nft', '-j', 'list', 'ruleset'])).out) as { nftables: Array<Record<string, unknown>> };
  const theirs = JSON.parse(sh('nft', ['-j', 'list', 'ruleset'])) as { nftables: Array<Record<string, unknown>> };
  // nft's metainfo names its own version: a deliberate difference.
  const diffs = compareJson(j.nftables.slice(1), theirs.nftables.slice(1));
  t.same(diffs, [], describe(diffs));
  const tbl = await nk(['nft', 'list', 'table', 'ip', 'nat']);
  t.same(compareText(tbl.out, sh('nft', ['list', 'table', 'ip', 'nat'])), []);
});

t.test('as a process: src/cli/main-entry.ts link show', async (t) => {
  const r = spawnSync(process.execPath, [LOADER, ENTRY, '-j', 'link', 'show', 'dev', 'm0'], { encoding: 'utf8', env });
  t.equal(r.status, 0, r.stderr);
  t.same(compareJson(JSON.parse(r.stdout), ipJson(['link', 'show', 'dev', 'm0'])), []);
  const bad = spawnSync(process.execPath, [LOADER, ENTRY, 'link', 'show', 'dev', 'nope'], { encoding: 'utf8', env });
  t.equal(bad.status, 1);
  t.equal(bad.stderr, 'Device "nope" does not exist.\n');
});

t.test('netns monitor: add and delete events as ip netns monitor prints them', async (t) => {
  const mon = start(process.execPath, [LOADER, ENTRY, 'netns', 'monitor']);
  let up = false;
  for (let i = 0; i < 120 && !up; i++) {
    sh('ip', ['netns', 'add', `probe${i}`]);
    await sleep(500);
    up = mon.out().includes(`add probe${i}`);
  }
  t.ok(up, 'the monitor is running');
  // ip netns monitor does not flush its output: line-buffer it.
  const ip = start('stdbuf', ['-oL', 'ip', 'netns', 'monitor']);
  await sleep(500);
  sh('ip', ['netns', 'add', 'watched']);
  sh('ip', ['netns', 'delete', 'watched']);
  await sleep(1000);
  const theirs = await ip.stop();
  const ours = await mon.stop();
  t.equal(ours.slice(ours.indexOf('add watched')), theirs);
  t.equal(theirs, 'add watched\ndelete watched\n');
});

/** A running monitor process and what it printed so far. */
function start(cmd: string, args: string[]): { out: () => string; stop: () => Promise<string> } {
  const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const closed = new Promise<void>((r) => p.on('close', () => r()));
  return {
    out: () => out,
    stop: async () => {
      p.kill('SIGTERM');
      await closed;
      return out;
    },
  };
}

t.test('monitor: the events ip monitor prints, and -j events', async (t) => {
  const objs = ['link', 'address', 'route', 'neigh', 'nsid'];
  const mine = start(process.execPath, [LOADER, ENTRY, 'monitor', ...objs]);
  const mineJ = start(process.execPath, [LOADER, ENTRY, '-j', 'monitor', ...objs]);
  // nlkit under ts-node takes a while to start: probe until both monitors print an event.
  let up = false;
  for (let i = 1; i < 120 && !up; i++) {
    sh('ip', ['addr', 'add', `10.123.99.${i}/32`, 'dev', 'lo']);
    await sleep(500);
    up = mine.out().includes(`10.123.99.${i}/32`) && mineJ.out().includes(`"10.123.99.${i}"`);
  }
  t.ok(up, 'the monitors are running');
  const ip = start('ip', ['monitor', ...objs]);
  await sleep(500);
  runScript(`
ip link add mon0 type veth peer name mon1
ip addr add 10.123.95.1/24 dev mon0
ip link set mon0 up
ip route add 10.123.96.0/24 dev mon0
ip neigh add 10.123.95.7 lladdr 02:00:00:00:00:07 dev mon0 nud permanent
ip netns add monns
ip netns set monns 33
ip addr del 10.123.95.1/24 dev mon0
ip link del mon0
`);
  await sleep(1500);
  const ipOut = await ip.stop();
  const ours = await mine.stop();
  const oursJ = await mineJ.stop();
  // From the first event of the scripted changes on.
  const from = (text: string) => text.slice(Math.max(0, text.search(/^\d+: mon1/m)));
  t.match(ipOut, /mon1/, 'ip printed the events');
  t.same(compareText(from(ours), from(ipOut)), [], 'the same lines as ip monitor');
  const events = oursJ
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  t.ok(events.some((e) => e['ifname'] === 'mon0' && e['deleted'] === true), 'a deleted link event');
  t.ok(events.some((e) => e['local'] === '10.123.95.1' && e['dev'] === 'mon0'), 'an address event');
  t.ok(events.some((e) => e['dst'] === '10.123.96.0/24'), 'a route event');
  t.ok(events.some((e) => e['dst'] === '10.123.95.7' && e['lladdr'] === '02:00:00:00:00:07'), 'a neighbour event');
  t.ok(events.some((e) => e['nsid'] === 33 && e['name'] === 'monns'), 'an nsid event');
});

t.test('route show in a namespace with no routes: empty like ip; an explicit missing table is ip\'s error', async (t) => {
  t.equal((await nk(['netns', 'add', 'empty'])).code, 0);
  t.teardown(() => nk(['netns', 'delete', 'empty']));
  for (const args of [['route', 'show'], ['-j', 'route', 'show'], ['-6', 'route', 'show'], ['route', 'show', 'table', '300']]) {
    const ours = await nk(['-n', 'empty', ...args]);
    const ip = ipRun(['-n', 'empty', ...args]);
    t.equal(ours.code, ip.code, `${args.join(' ')}: exit status`);
    t.equal(ours.out, ip.out, `${args.join(' ')}: output`);
    t.equal(ours.err, ip.err, `${args.join(' ')}: message`);
  }
});
