// `npm run demo` as a user runs it: the walkthrough from src/ (through the TypeScript loader) and,
// when a build at least as new as the sources is there, from dist/. It must exit 0, print every
// step as `ip` commands with their results, draw the topology and leave nothing behind. Where it
// cannot run it must say why and exit 2 without a stack trace, and it must refuse to run anywhere
// but in a namespace of its own. This file runs in the test sandbox too, so even a broken guard
// could only touch the sandbox; the demo makes its own sandbox inside it.
import t, { type Test } from 'tap';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enterSandbox } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import { netns } from '../../src/api/netns.js';

await enterSandbox();

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const srcDemo = join(root, 'src', 'demo');
const distEntry = join(root, 'dist', 'demo', 'walkthrough.js');
const srcCommand = ['--import=@isaacs/ts-node-temp-fork-for-pr-2009/import', join(srcDemo, 'walkthrough.ts')];

/** The dist build, when it exists and is not older than any source of the demo. */
function freshDist(): string | undefined {
  if (!existsSync(distEntry)) return undefined;
  const built = statSync(distEntry).mtimeMs;
  const newest = Math.max(...readdirSync(srcDemo).map((f) => statSync(join(srcDemo, f)).mtimeMs));
  return built >= newest ? distEntry : undefined;
}

/** Runs the demo with `args` (after node), `env` merged over ours, optionally through `wrapper`. */
function runDemo(args: string[], env: Record<string, string | undefined> = {}, wrapper: string[] = []): SpawnSyncReturns<string> {
  const merged: NodeJS.ProcessEnv = { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', ...env };
  delete merged['FORCE_COLOR']; // the output is piped here: it must come without colour
  delete merged['NLKIT_SANDBOX'];
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete merged[k];
  // tap's process-info hook puts itself into NODE_OPTIONS of every child; it is not for the demo
  // (as another user it cannot write its files and prints a stack), so `env -u` takes it out.
  const [cmd, ...rest] = [...wrapper, 'env', '-u', 'NODE_OPTIONS', process.execPath, ...args];
  return spawnSync(cmd!, rest, { cwd: root, env: merged, encoding: 'utf8', timeout: 240_000 });
}

const STEPS = ['── 0. the host', '── 1. network namespaces', '── 2. a veth pair', '── 3. two namespaces joined', '── 4. a bridge with a veth port', '── 5. two namespaces through a bridge', '── 6a. tun/tap', '── 6b. macvlan', '── 6c. vxlan', '── 6d. ipip', '── 7. the final topology', '── 8. clean up'];

function checkFullRun(t: Test, r: SpawnSyncReturns<string>): void {
  t.equal(r.status, 0, `exit status 0 ${r.stderr}`);
  t.equal(r.stderr, '', 'nothing on stderr');
  const out = r.stdout;
  for (const s of STEPS) t.ok(out.includes(s), `prints step "${s.slice(3)}"`);
  for (const cmd of [
    '$ ip netns add forgeek\n  ok',
    '$ ip netns exec forgeek ip link list',
    '1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN',
    '$ ip -n d1 link add veth0 type veth peer name veth1\n  ok',
    '$ ip netns exec d1 sysctl -w net.ipv4.conf.veth0.accept_local=1 net.ipv4.conf.veth1.accept_local=1',
    '$ ip -n d1 link set dev veth1 netns forgeek',
    '$ ip netns exec ns1 ping -c 1 -W 2 -I veth0 10.123.3.2\n  1 packets transmitted, 1 received',
    '$ ip netns exec ns1 ping -c 1 -W 1 -I veth1 10.123.4.1\n  1 packets transmitted, 0 received',
    '$ ip addr add 10.123.4.1/24 dev br0',
    '$ ip link set dev veth1 master br0',
    '-6 fe80::',
    '$ ip tuntap add dev tap0 mode tap',
    '$ ip link add macvlan1 link veth2 netns ns3 type macvlan mode bridge',
    '$ ip -n vtep1 link add vxlan0 type vxlan id 42 local 10.123.7.1 remote 10.123.7.2 dev veth0 dstport 4789',
    "send udp 10.123.8.2 7777 'hello over vxlan 42'\n  hello over vxlan 42",
    '$ ip -n vtep1 link add ipip0 type ipip',
    '$ ip netns delete vtep2\n  ok',
  ]) {
    t.ok(out.includes(cmd), `prints ${JSON.stringify(cmd.split('\n')[0])}${cmd.includes('\n') ? ' and its result' : ''}`);
  }
  t.notOk(out.includes('✗'), 'no expectation failed');
  t.ok((out.match(/✓/g) ?? []).length >= 20, 'the expectations are marked ✓');
  t.match(out, /✓ the host holds only lo again, and no namespace is left/, 'it checks that nothing is left');
  t.notOk(out.includes('\u001b['), 'no colour codes when stdout is not a terminal');

  const diagram = out.slice(out.indexOf('── 7.'), out.indexOf('── 8.'));
  t.match(diagram, /namespaces: host \(this sandbox\), ns1, ns2, ns3, ns4, vtep1, vtep2/, 'the diagram names every namespace');
  for (const piece of ['┌─ ns1', '┌─ host', 'br-veth1 10.123.5.1/24 ├── veth ──┤ veth1', 'br0 [bridge]', 'macvlan1 10.123.6.1/24 ├── macvlan bridge', 'veth2 [veth] ⇄ veth3', 'vxlan0 10.123.8.1/24 ├── vxlan 42 ──┤ vxlan0 10.123.8.2/24']) {
    t.ok(diagram.includes(piece), `the diagram shows ${JSON.stringify(piece)}`);
  }
}

t.test('npm run demo from src/ (TypeScript loader): every step, the diagram, exit 0', async (t) => {
  checkFullRun(t, runDemo(srcCommand));
});

const dist = freshDist();
t.test('npm run demo from dist/', { skip: dist === undefined ? 'no dist/demo/walkthrough.js at least as new as src/demo (run `npm run build`)' : false }, async (t) => {
  checkFullRun(t, runDemo([dist ?? distEntry]));
});

t.test('the demo leaves this namespace as it was', async (t) => {
  const nl = await Netlink.open();
  t.teardown(() => nl.close());
  t.same((await nl.link.list().collect()).map((l) => l.name), ['lo'], 'only lo here');
  t.same(await netns.list(), [], 'no namespace here: the demo used a /run/netns of its own');
});

t.test('where it cannot run it says why, exits 2, and shows no stack trace', async (t) => {
  const entry = dist === undefined ? srcCommand : [distEntry];
  const noStack = (r: SpawnSyncReturns<string>): boolean => !/^\s+at /m.test(r.stderr + r.stdout);

  const noBinding = runDemo(entry, { NLKIT_NATIVE_PATH: '/nonexistent/nlkit.node' });
  t.equal(noBinding.status, 2, 'binding missing: exit 2');
  t.match(noBinding.stderr, /^nlkit demo: cannot run: the nlkit native binding is missing \(\/nonexistent\/nlkit\.node\).*npm install/m, noBinding.stderr.trim());
  t.ok(noStack(noBinding), 'no stack trace');
  t.equal(noBinding.stdout, '', 'nothing on stdout');

  const noNsexec = runDemo(entry, { NLKIT_NSEXEC_PATH: '/nonexistent/nlkit-nsexec' });
  t.equal(noNsexec.status, 2, 'helper missing: exit 2');
  t.match(noNsexec.stderr, /cannot run: its sandbox helper \/nonexistent\/nlkit-nsexec is missing/, noNsexec.stderr.trim());

  const noCap = runDemo(entry, {}, ['setpriv', '--inh-caps=-net_admin', '--bounding-set=-net_admin', '--']);
  t.equal(noCap.status, 2, 'without CAP_NET_ADMIN: exit 2');
  t.match(noCap.stderr, /cannot run: it needs CAP_NET_ADMIN \(running as uid 0 without it\): run it as root/, noCap.stderr.trim());
  t.ok(noStack(noCap), 'no stack trace');

  const notRoot = runDemo(entry, {}, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--']);
  t.equal(notRoot.status, 2, 'as an ordinary user: exit 2');
  t.match(notRoot.stderr, /cannot run: it needs CAP_NET_ADMIN \(running as uid 65534 without it\): run it as root, e\.g\. `sudo npm run demo`/, notRoot.stderr.trim());
  t.ok(noStack(notRoot), 'no stack trace');
});

t.test('it refuses to run outside a namespace of its own', async (t) => {
  const entry = dist === undefined ? srcCommand : [distEntry];
  // Pretend to be the re-run inside the sandbox, while sharing our (the test sandbox's) namespace.
  const r = runDemo(entry, { NLKIT_DEMO_SANDBOX: '1' });
  t.equal(r.status, 2, 'exit 2');
  t.match(r.stderr, /refusing to run: this process is not in a network namespace of its own/, r.stderr.trim());
  t.equal(r.stdout, '', 'it did not start');
  const nl = await Netlink.open();
  t.teardown(() => nl.close());
  t.same((await nl.link.list().collect()).map((l) => l.name), ['lo'], 'nothing was made here');
});
