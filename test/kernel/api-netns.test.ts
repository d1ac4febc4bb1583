// netns.* against the real kernel, inside the private sandbox (see sandbox.ts); iproute2 is the
// oracle for every step (`ip netns list`, `ip -j netns list-id`, `ip -n NAME -j link`, ...).
import t from 'tap';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import { netns, type NetnsEvent } from '../../src/api/netns.js';
import { ifindex } from '../../src/api/resolve.js';

await enterSandbox();

/** The calling thread's namespace before anything ran; checked again at the end. */
const THREAD_NS = readlinkSync('/proc/thread-self/ns/net');
const IFF_UP = 0x1;

interface IpLink {
  ifname: string;
  flags: string[];
  operstate?: string;
}

/** `ip netns list` names (text form, as a user reads it). */
function ipNetnsNames(): string[] {
  return sh('ip', ['netns', 'list'])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(' ')[0]!);
}

/** Processes started here, killed at teardown (by pid, through their handle). */
const children: ChildProcess[] = [];
t.teardown(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A `sleep` inside namespace `name` (started through netns.spawn), its pid once it runs. */
async function sleeperIn(name: string): Promise<ChildProcess & { pid: number }> {
  const c = netns.spawn(name, ['sleep', '600'], { stdio: 'ignore' });
  children.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('spawn', resolve);
    c.once('error', reject);
  });
  // nlkit-nsexec execs sleep after setns: wait until the pid's namespace is the target one.
  const want = statSync(`/run/netns/${name}`).ino;
  for (let i = 0; i < 200; i++) {
    try {
      if (statSync(`/proc/${c.pid}/ns/net`).ino === want && readlinkSync(`/proc/${c.pid}/exe`).endsWith('sleep')) break;
    } catch {
      // not there yet
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return c as ChildProcess & { pid: number };
}

t.test('walkthrough step 1: add forgeek, list, exec ip link, lo up, delete', async (t) => {
  await netns.add('forgeek');
  t.ok((await netns.list()).some((e) => e.name === 'forgeek'), 'netns.list has it');
  t.ok(ipNetnsNames().includes('forgeek'), '`ip netns list` has it');

  const r = await netns.exec('forgeek', ['ip', '-j', 'link', 'show']);
  t.equal(r.code, 0, r.stderr);
  const links = JSON.parse(r.stdout) as IpLink[];
  t.same(links.map((l) => l.ifname), ['lo'], 'only lo inside');
  t.notOk(links[0]!.flags.includes('UP'), 'lo is down');
  t.equal(links[0]!.operstate, 'DOWN');

  const nl = await Netlink.open({ netns: 'forgeek' });
  try {
    const index = await ifindex(nl, 'lo');
    await nl.client.request({ type: 'RTM_NEWLINK', header: { index, flags: IFF_UP, change: IFF_UP }, attrs: {} });
  } finally {
    nl.close();
  }
  const [lo] = ipJson<IpLink[]>(['-n', 'forgeek', 'link', 'show', 'lo']);
  t.ok(lo!.flags.includes('UP'), '`ip -n forgeek link show lo` says UP');
  t.notOk(ipJson<IpLink[]>(['link', 'show', 'lo'])[0]!.flags.includes('UP'), 'our own lo is still down');

  await netns.delete('forgeek');
  t.notOk(ipNetnsNames().includes('forgeek'), 'gone from `ip netns list`');
  t.notOk((await netns.list()).some((e) => e.name === 'forgeek'), 'gone from netns.list');
  await t.rejects(Netlink.open({ netns: 'forgeek' }), { code: 'ENOENT' });
});

t.test('interoperates both ways with ip netns', async (t) => {
  sh('ip', ['netns', 'add', 'nlk-a']);
  t.ok((await netns.list()).some((e) => e.name === 'nlk-a'), '`ip netns add` is seen by netns.list');
  t.equal(await netns.exists('nlk-a'), true);
  const nl = await Netlink.open({ netns: 'nlk-a' });
  try {
    await nl.client.request({ type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'nlk-br0', linkinfo: { kind: 'bridge' } } });
  } finally {
    nl.close();
  }
  t.same(ipJson<IpLink[]>(['-n', 'nlk-a', 'link', 'show']).map((l) => l.ifname).sort(), ['lo', 'nlk-br0'], 'the handle worked inside nlk-a');
  t.notOk(readdirSync('/sys/class/net').includes('nlk-br0'), 'not in our namespace');

  await netns.add('nlk-b');
  t.ok(ipNetnsNames().includes('nlk-b'), 'netns.add is seen by `ip netns list`');
  t.same(ipJson<IpLink[]>(['-n', 'nlk-b', 'link', 'show']).map((l) => l.ifname), ['lo'], '`ip -n nlk-b link` works');
  sh('ip', ['-n', 'nlk-b', 'link', 'add', 'nlk-br1', 'type', 'bridge']);
  t.same(sh('ip', ['netns', 'exec', 'nlk-b', 'ls', '/sys/class/net']).split(/\s+/).filter(Boolean).sort(), ['lo', 'nlk-br1']);

  // Same order as ip prints (directory order), and ip's names are ours.
  t.same((await netns.list()).map((e) => e.name), ipNetnsNames(), 'same names in the same order as `ip netns list`');

  sh('ip', ['netns', 'delete', 'nlk-b']);
  t.notOk(await netns.exists('nlk-b'), '`ip netns delete` is seen');
  await netns.delete('nlk-a');
  t.notOk(ipNetnsNames().includes('nlk-a'), 'netns.delete is seen by ip');
});

t.test('add and delete errors keep errno codes and iproute2 wording', async (t) => {
  await netns.add('nlk-dup');
  await t.rejects(netns.add('nlk-dup'), { code: 'EEXIST', message: 'Cannot create namespace file "/run/netns/nlk-dup": File exists' });
  t.equal(ipNetnsNames().filter((n) => n === 'nlk-dup').length, 1, 'still one');
  await netns.delete('nlk-dup');
  await t.rejects(netns.delete('nlk-dup'), { code: 'ENOENT', message: /Cannot remove namespace file "\/run\/netns\/nlk-dup": No such file or directory/ });
  for (const bad of ['', '.', '..', 'a/b', 'a\0b', 'x'.repeat(256)]) {
    await t.rejects(netns.add(bad), { name: 'ArgumentError', argument: 'name' }, `add(${JSON.stringify(bad.slice(0, 10))}) is an ArgumentError`);
  }
  t.same(readdirSync('/run/netns').filter((n) => n.startsWith('nlk-dup')), [], 'nothing left behind');
});

t.test('exec: namespace view, exit status, input, env, cwd, timeout, missing namespace', async (t) => {
  await netns.add('nlk-x');
  sh('ip', ['-n', 'nlk-x', 'link', 'add', 'nlk-xbr', 'type', 'bridge']);
  sh('ip', ['link', 'add', 'nlk-host', 'type', 'bridge']); // only in the sandbox's namespace

  const r = await netns.exec('nlk-x', ['sh', '-c', 'ls /sys/class/net; ip -j link show; readlink /proc/self/ns/net']);
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.same(lines.slice(0, 2).sort(), ['lo', 'nlk-xbr'], '/sys/class/net of the namespace');
  t.same((JSON.parse(lines[2]!) as IpLink[]).map((l) => l.ifname).sort(), ['lo', 'nlk-xbr'], 'ip link of the namespace');
  t.equal(lines[3], `net:[${statSync('/run/netns/nlk-x').ino}]`, 'the namespace bound at /run/netns/nlk-x');
  t.ok(readdirSync('/sys/class/net').includes('nlk-host'), 'our own /sys is untouched');

  const fail = await netns.exec('nlk-x', ['sh', '-c', 'echo out; echo err >&2; exit 7']);
  t.same(fail, { code: 7, signal: null, stdout: 'out\n', stderr: 'err\n' }, 'a non-zero exit is a result');

  const cat = await netns.exec('nlk-x', ['cat'], { input: 'hello\n' });
  t.equal(cat.stdout, 'hello\n', 'input goes to stdin');
  const env = await netns.exec('nlk-x', ['sh', '-c', 'echo "$NLK_V"'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NLK_V: 'v1' } });
  t.equal(env.stdout, 'v1\n', 'env is passed');
  const cwd = await netns.exec('nlk-x', ['pwd'], { cwd: '/proc' });
  t.equal(cwd.stdout, '/proc\n', 'cwd is used');
  const slow = await netns.exec('nlk-x', ['sleep', '30'], { timeout: 200 });
  t.equal(slow.signal, 'SIGTERM', 'timeout kills with SIGTERM');
  t.equal(slow.code, null);
  const missingCmd = await netns.exec('nlk-x', ['nlk-no-such-command']);
  t.equal(missingCmd.code, 127, 'a missing command is 127, as with ip netns exec');

  await t.rejects(netns.exec('nlk-absent', ['true']), { code: 'ENOENT', message: /Cannot open network namespace "nlk-absent"/ });
  await t.rejects(netns.exec('nlk-x', []), { name: 'ArgumentError', argument: 'argv' });
  await t.rejects(netns.exec('nlk-x', ['true'], { bogus: 1 } as never), { name: 'ArgumentError', argument: 'exec option' });
  await netns.delete('nlk-x');
  sh('ip', ['link', 'del', 'nlk-host']);
});

t.test('Netlink.open by { pid }, { fd } and { path }; identify, pids', async (t) => {
  await netns.add('nlk-p');
  sh('ip', ['-n', 'nlk-p', 'link', 'add', 'nlk-pbr', 'type', 'bridge']);
  const sleeper = await sleeperIn('nlk-p');
  const expected = ipJson<IpLink[]>(['-n', 'nlk-p', 'link', 'show']).map((l) => l.ifname).sort();

  const names = async (nl: Netlink) => (await nl.client.dump({ type: 'RTM_GETLINK', header: {} }).collect()).map((m) => (m.attrs as { ifname: string }).ifname).sort();
  const byPid = await Netlink.open({ netns: { pid: sleeper.pid } });
  t.same(await names(byPid), expected, '{ pid } of a process inside');
  byPid.close();
  const fd = openSync('/run/netns/nlk-p', 'r');
  try {
    const byFd = await Netlink.open({ netns: { fd } });
    t.same(await names(byFd), expected, '{ fd }');
    byFd.close();
    t.ok(statSync(`/proc/self/fd/${fd}`), 'the caller keeps its fd');
  } finally {
    closeSync(fd);
  }
  const byPath = await Netlink.open({ netns: { path: '/run/netns/nlk-p' } });
  t.same(await names(byPath), expected, '{ path }');
  byPath.close();

  t.same(await netns.identify(sleeper.pid), ['nlk-p'], 'identify PID');
  t.same(await netns.identify(sleeper.pid), sh('ip', ['netns', 'identify', String(sleeper.pid)]).trim().split('\n'), 'as `ip netns identify`');
  t.same(await netns.identify(), [], 'this process is in an unnamed namespace');
  t.equal(sh('ip', ['netns', 'identify', String(process.pid)]).trim(), '', 'ip agrees');

  const pids = await netns.pids('nlk-p');
  t.same(pids, [sleeper.pid], 'pids NAME');
  t.same(pids, sh('ip', ['netns', 'pids', 'nlk-p']).trim().split('\n').map(Number), 'as `ip netns pids`');
  await t.rejects(netns.pids('nlk-absent'), { code: 'ENOENT' });
  await t.rejects(netns.identify(-1), { name: 'ArgumentError', argument: 'pid' });

  sleeper.kill('SIGKILL');
  await netns.delete('nlk-p');
});

t.test('attach NAME PID names the namespace of a process', async (t) => {
  const c = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  children.push(c);
  const pid = c.pid!;
  const ours = statSync('/proc/self/ns/net').ino;
  for (let i = 0; i < 200 && statSync(`/proc/${pid}/ns/net`).ino === ours; i++) await new Promise((r) => setTimeout(r, 10));
  t.not(statSync(`/proc/${pid}/ns/net`).ino, ours, 'the child has its own namespace');

  await netns.attach('nlk-att', pid);
  t.ok(ipNetnsNames().includes('nlk-att'), '`ip netns list` shows the attached name');
  t.equal(statSync('/run/netns/nlk-att').ino, statSync(`/proc/${pid}/ns/net`).ino, 'bound to the process namespace');
  t.equal(sh('ip', ['netns', 'identify', String(pid)]).trim(), 'nlk-att', '`ip netns identify` finds it');
  t.same(await netns.pids('nlk-att'), [pid]);
  await t.rejects(netns.attach('nlk-att', pid), { code: 'EEXIST' });
  await t.rejects(netns.attach('nlk-att2', 0x7ffffff0), { code: 'ENOENT', message: /Bind \/proc\/2147483632\/ns\/net -> \/run\/netns\/nlk-att2 failed/ });
  t.notOk(ipNetnsNames().includes('nlk-att2'), 'a failed attach leaves no file');
  c.kill('SIGKILL');
  await netns.delete('nlk-att');
});

t.test('set and list-id, as ip netns set / list-id / list', async (t) => {
  await netns.add('nlk-s1');
  sh('ip', ['netns', 'add', 'nlk-s2']);
  await netns.add('nlk-s3');
  await netns.set('nlk-s1', 42);
  await netns.set('nlk-s2', 'auto');
  sh('ip', ['netns', 'set', 'nlk-s3', '7']);

  const ours = await netns.listId();
  const ip = ipJson<Array<{ nsid: number; name?: string }>>(['netns', 'list-id']);
  t.same(ours, ip, 'listId equals `ip -j netns list-id`');
  t.ok(ours.some((e) => e.nsid === 42 && e.name === 'nlk-s1'));
  t.ok(ours.some((e) => e.nsid === 7 && e.name === 'nlk-s3'), 'an id set by ip is seen');

  const list = await netns.list();
  t.same(list, ipJson<Array<{ name: string; id?: number }>>(['netns', 'list']), 'list equals `ip -j netns list` (names, order and ids)');

  await t.rejects(netns.set('nlk-s1', 43), { name: 'NetlinkError', code: 'EEXIST' }, 'the kernel refuses a second id');
  await t.rejects(netns.set('nlk-s2', 42), { name: 'NetlinkError', code: 'EEXIST' }, 'an id in use');
  await t.rejects(netns.set('nlk-s1', -1 as number), { name: 'ArgumentError', argument: 'nsid' });
  await t.rejects(netns.set('nlk-absent', 3), { code: 'ENOENT' });

  // list-id from another namespace's point of view (target-nsid): nlk-s1 gives our namespace id 9.
  const inS1 = await Netlink.open({ netns: 'nlk-s1' });
  try {
    await inS1.nsid.set({ pid: process.pid }, 9);
    await inS1.nsid.set('nlk-s3', 1);
  } finally {
    inS1.close();
  }
  const target = await netns.listId({ targetNsid: 42 });
  const ipTarget = ipJson<Array<{ nsid: number; 'current-nsid'?: number }>>(['netns', 'list-id', 'target-nsid', '42']);
  t.same(
    target.map((e) => ({ nsid: e.nsid, current: e.current })),
    ipTarget.map((e) => ({ nsid: e.nsid, current: e['current-nsid'] })),
    'target-nsid: the same ids and current ids as ip',
  );
  t.ok(target.some((e) => e.nsid === 9), 'our namespace has id 9 in nlk-s1');
  t.same(await netns.listId({ nsid: 7 }), [{ nsid: 7, name: 'nlk-s3' }], 'filter by nsid');

  for (const n of ['nlk-s1', 'nlk-s2', 'nlk-s3']) await netns.delete(n);
});

t.test('monitor reports add and delete like ip netns monitor', async (t) => {
  // stdbuf: ip's printf output would sit in a block buffer on a pipe.
  const oracle = spawn('stdbuf', ['-oL', 'ip', 'netns', 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(oracle);
  let oracleOut = '';
  oracle.stdout!.on('data', (b: Buffer) => (oracleOut += b.toString()));
  await new Promise((r) => setTimeout(r, 300)); // let ip set up its inotify watch

  const mon = netns.monitor();
  const seen: NetnsEvent[] = [];
  const collecting = (async () => {
    for await (const e of mon) {
      if (e.name.startsWith('nlk-m')) seen.push(e);
      if (seen.length === 4) break;
    }
  })();
  sh('ip', ['netns', 'add', 'nlk-m1']);
  await netns.add('nlk-m2');
  await netns.delete('nlk-m1');
  sh('ip', ['netns', 'delete', 'nlk-m2']);
  const timer = setTimeout(() => mon.close(), 10_000);
  await collecting;
  clearTimeout(timer);
  t.same(seen, [
    { event: 'add', name: 'nlk-m1' },
    { event: 'add', name: 'nlk-m2' },
    { event: 'delete', name: 'nlk-m1' },
    { event: 'delete', name: 'nlk-m2' },
  ]);
  for (let i = 0; i < 100 && oracleOut.split('\n').filter(Boolean).length < 4; i++) await new Promise((r) => setTimeout(r, 20));
  oracle.kill('SIGTERM');
  t.same(
    seen.map((e) => `${e.event} ${e.name}`),
    oracleOut.split('\n').filter((l) => l.includes('nlk-m')),
    'the same events as `ip netns monitor`',
  );

  const ac = new AbortController();
  const m2 = netns.monitor({ signal: ac.signal });
  setTimeout(() => ac.abort(), 50);
  const rest: NetnsEvent[] = [];
  for await (const e of m2) rest.push(e);
  t.same(rest, [], 'abort ends the iteration');
});

t.test('the calling thread never left its namespace', async (t) => {
  t.equal(readlinkSync('/proc/thread-self/ns/net'), THREAD_NS);
  t.equal(readlinkSync('/proc/self/ns/net'), THREAD_NS);
});
