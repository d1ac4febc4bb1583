// nlkit-nsexec, inside the private sandbox (see sandbox.ts).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import { enterSandbox, sh } from './sandbox.js';
import { nsexecPath } from '../../src/native.js';

await enterSandbox();

const NSEXEC = nsexecPath();
const NS = 'nlk-nsx';
const NS_PATH = `/run/netns/${NS}`;

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NSEXEC, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

sh('ip', ['netns', 'add', NS]);
sh('ip', ['-n', NS, 'link', 'add', 'nsxbr0', 'type', 'bridge']);
sh('ip', ['link', 'add', 'nsx-host', 'type', 'bridge']); // only in the sandbox's namespace

t.test('--netns runs the command in the namespace', async (t) => {
  const r = run(['--netns', NS_PATH, '--', 'ip', '-j', 'link', 'show']);
  t.equal(r.status, 0, r.stderr);
  const names = (JSON.parse(r.stdout) as Array<{ ifname: string }>).map((l) => l.ifname);
  t.same(names.sort(), ['lo', 'nsxbr0']);
  const sys = run(['--netns', NS_PATH, '--', 'ls', '/sys/class/net']);
  t.same(sys.stdout.trim().split(/\s+/).sort(), ['lo', 'nsxbr0'], '/sys shows the namespace');
  const same = run(['--netns', NS_PATH, '--', 'readlink', '/proc/self/ns/net']);
  t.equal(same.stdout.trim(), `net:[${statSync(NS_PATH).ino}]`, 'the namespace bound at the path');
  t.same(readdirSync('/sys/class/net').sort(), ['lo', 'nsx-host'], 'our own /sys is untouched');
});

t.test('exit status and errors', async (t) => {
  t.equal(run(['--netns', NS_PATH, '--', 'sh', '-c', 'exit 7']).status, 7, 'the status passes through');
  const missing = run(['--netns', NS_PATH, '--', 'nlkit-no-such-command']);
  t.equal(missing.status, 127, 'a missing command is 127');
  t.match(missing.stderr, /nlkit-no-such-command: No such file or directory/);
  const notExec = run(['--netns', NS_PATH, '--', '/proc/self/status']);
  t.equal(notExec.status, 126, 'a file that cannot be executed is 126');
  const noNs = run(['--netns', '/run/netns/nlk-absent', '--', 'true']);
  t.equal(noNs.status, 255);
  t.match(noNs.stderr, /cannot open network namespace \/run\/netns\/nlk-absent: No such file or directory/);
  const notNs = run(['--netns', '/proc/self/status', '--', 'true']);
  t.equal(notNs.status, 255, 'a file that is not a namespace');
  t.match(notNs.stderr, /setns/);
  for (const args of [[], ['--netns', NS_PATH], ['--', 'true'], ['--sandbox', '--netns', NS_PATH, '--', 'true'], ['--bogus']]) {
    const r = run(args);
    t.equal(r.status, 255, `usage error: ${args.join(' ')}`);
    t.match(r.stderr, /usage:/);
  }
});

t.test('--name binds /etc/netns/NAME/* over /etc', async (t) => {
  // A throw-away /etc inside one more private mount namespace: the machine's /etc is not touched.
  const script = [
    'set -e',
    'mount -t tmpfs nlkit-etc /etc',
    `mkdir -p /etc/netns/${NS}`,
    'echo original > /etc/hosts',
    `echo '10.123.0.1 nlk-in-ns' > /etc/netns/${NS}/hosts`,
    `echo 'only-in-ns' > /etc/netns/${NS}/no-such-file-in-etc`,
    `"$0" --netns ${NS_PATH} --name ${NS} -- cat /etc/hosts`,
    'cat /etc/hosts',
  ].join('\n');
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, NSEXEC], {
    encoding: 'utf8',
  });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout, '10.123.0.1 nlk-in-ns\noriginal\n', 'the command sees the namespace file; outside it does not');
  t.match(r.stderr, /bind .*no-such-file-in-etc.* failed/, 'a file without a counterpart in /etc is a warning');
});

t.test('--sandbox: fresh network namespace and private /run/netns', async (t) => {
  const r = run(['--sandbox', '--', 'sh', '-c', 'readlink /proc/self/ns/net; ls -A /run/netns | wc -l; ls /sys/class/net']);
  t.equal(r.status, 0, r.stderr);
  const [netns, count, ...links] = r.stdout.trim().split(/\s+/);
  t.not(netns, readlinkSync('/proc/self/ns/net'), 'another network namespace');
  t.equal(count, '0', `an empty /run/netns (ours has ${NS})`);
  t.same(links, ['lo'], 'its /sys shows only lo');
  t.ok(readdirSync('/run/netns').includes(NS), 'ours is unchanged');
});

t.test('--sandbox: the command dies with the process that started it', async (t) => {
  // sh starts the sandboxed sleep, prints its pid and is SIGKILLed: PDEATHSIG must take the sleep.
  const r = spawnSync('sh', ['-c', `"$0" --sandbox -- sleep 600 & echo $!; sleep 0.3; kill -9 $$`, NSEXEC], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  const pid = Number(r.stdout.trim());
  t.ok(pid > 1, `sandboxed pid ${pid}`);
  let alive = true;
  for (let i = 0; i < 50 && alive; i++) {
    try {
      process.kill(pid, 0);
      const stat = sh('cat', [`/proc/${pid}/stat`]);
      if (/^\d+ \([^)]*\) Z/.test(stat)) alive = false; // a zombie is dead, awaiting its reaper
      else await new Promise((res) => setTimeout(res, 100));
    } catch {
      alive = false;
    }
  }
  if (alive) process.kill(pid, 'SIGKILL'); // clean up what we started before failing
  t.notOk(alive, 'the sandboxed command is gone');
});
