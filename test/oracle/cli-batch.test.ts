// `nlkit -batch` against `ip -batch`: the same file in two namespaces leaves the same state; the
// first failure is reported with its line (`Command failed FILE:LINE`) and stops the batch, or
// every failure is reported with -force; `-` reads stdin; a line may start with `-n NETNS`
// (nlkit's extension); requests are pipelined through one socket per namespace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { enterSandbox, ipJson, sh } from '../kernel/sandbox.js';
import { compareJson, describe } from './view-support/oracle.js';
import { ipRun, nk } from './cli-support.js';
import { lastBatchStats, parseBatch } from '../../src/cli/batch.js';

await enterSandbox();

const dir = mkdtempSync(join(tmpdir(), 'nlkit-batch-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !/"(local|dst)":"fe80::[^/"]/.test(JSON.stringify(x))).map(normalise).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (/^(address|broadcast|perm_address|bridge_id|root_id|designated_root|designated_bridge|stats64)$/.test(k) || /timer$|life_time$/.test(k)) continue;
      out[k] = normalise(x);
    }
    return out;
  }
  return v;
}

function state(ns: string): unknown {
  return {
    links: normalise(ipJson(['-n', ns, '-d', 'link', 'show'])),
    addrs: normalise(ipJson(['-n', ns, 'addr', 'show'])),
    routes: normalise(ipJson(['-n', ns, 'route', 'show', 'table', 'all'])),
    neigh: normalise(ipJson(['-n', ns, '-4', 'neigh', 'show'])),
  };
}

let nsNo = 0;
function freshNs(): string {
  const name = `b${++nsNo}`;
  sh('ip', ['netns', 'add', name]);
  sh('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return name;
}

function bigBatch(pairs: number, routesPer: number): string {
  let text = '# veth pairs, addresses and routes\n';
  for (let i = 0; i < pairs; i++) {
    text += `link add va${i} type veth peer name vb${i}\n`;
    text += `link set va${i} up\n`;
    text += `link set vb${i} up\n`;
    text += `addr add 10.123.${i}.1/24 dev va${i}\n`;
    for (let r = 0; r < routesPer; r++) text += `route add 10.124.${i}.${r * 4}/30 via 10.123.${i}.2\n`;
  }
  text += 'link add br0 type bridge\nlink set dev vb0 master br0\nneigh add 10.123.0.9 lladdr 02:00:00:00:00:09 dev va0 nud permanent\n';
  text += 'route add blackhole 10.125.0.0/16\nroute add 10.126.0.0/16 via 10.123.1.2 table 100\n';
  return text;
}

t.test('the same file through ip -batch and nlkit -batch: the same state', async (t) => {
  const f = file('big.batch', bigBatch(20, 10));
  const a = freshNs();
  const b = freshNs();
  const ip = ipRun(['-n', a, '-batch', f]);
  t.equal(ip.code, 0, `ip: ${ip.err}`);
  const r = await nk(['-n', b, '-batch', f]);
  t.equal(r.code, 0, `nlkit: ${r.err}`);
  t.equal(r.err, '');
  const diffs = compareJson(state(b), state(a));
  t.same(diffs, [], describe(diffs));
  t.equal(lastBatchStats.sockets, 1, 'one socket for the namespace');
  t.equal(lastBatchStats.changes, parseBatch(bigBatch(20, 10)).length, 'one change request per command (names resolved once)');
  t.ok(lastBatchStats.maxInFlight >= 1, `requests pipelined (max in flight ${lastBatchStats.maxInFlight})`);
});

t.test('-force: every command is sent; several are in flight at once', async (t) => {
  const f = file('force-big.batch', bigBatch(10, 20));
  const b = freshNs();
  const r = await nk(['-force', '-n', b, '-batch', f]);
  t.equal(r.code, 0, r.err);
  t.ok(lastBatchStats.maxInFlight > 1, `several requests in flight (max ${lastBatchStats.maxInFlight})`);
  t.equal(ipJson<unknown[]>(['-n', b, 'route', 'show', 'via', '10.123.5.2']).length, 20, 'routes there');
});

const FAILING = `link add v0 type veth peer name v1
link set v0 up
addr add 10.123.70.1/24 dev v0
# a comment line
addr add 10.123.70.1/24 dev v0
addr add 10.123.70.2/24 dev v0
route add 10.123.71.0/24 via 10.123.70.9
link set nosuch up
addr add 10.123.70.3/24 \\
  dev v0
route add 10.123.72.0/24 via 10.123.70.9
`;

t.test('the first failure stops the batch, with its line, as ip', async (t) => {
  const f = file('fail.batch', FAILING);
  const a = freshNs();
  const b = freshNs();
  const ip = ipRun(['-n', a, '-batch', f]);
  const r = await nk(['-n', b, '-batch', f]);
  t.equal(r.code, ip.code, 'exit status');
  t.equal(r.err, ip.err, 'stderr');
  t.match(r.err, new RegExp(`Command failed ${f}:5\\n$`));
  const diffs = compareJson(state(b), state(a));
  t.same(diffs, [], describe(diffs));
  t.same(ipJson(['-n', b, 'route', 'show', '10.123.71.0/24']), [], 'nothing after the failure reached the kernel');
});

t.test('-force: every failure reported, the rest done, as ip', async (t) => {
  const f = file('fail.batch', FAILING);
  const a = freshNs();
  const b = freshNs();
  const ip = ipRun(['-n', a, '-force', '-batch', f]);
  const r = await nk(['-n', b, '-force', '-batch', f]);
  t.equal(r.code, ip.code, 'exit status');
  t.equal(r.err.replace(/Cannot find device "nosuch"/, 'X'), ip.err.replace(/Cannot find device "nosuch"/, 'X'), 'stderr');
  t.match(r.err, /Command failed .*:5\n/);
  t.match(r.err, /Command failed .*:8\n/);
  const diffs = compareJson(state(b), state(a));
  t.same(diffs, [], describe(diffs));
});

t.test('-batch -: commands from stdin; quotes; -n per line; output in order', async (t) => {
  const b = freshNs();
  const c = freshNs();
  const input = `link add d0 type veth peer name d1
link set d0 alias "my uplink"
-n ${c} link add e0 type veth peer name e1
link show d0
addr add 10.123.80.1/24 dev d0
-n ${c} link show e0
`;
  const r = await nk(['-n', b, '-batch', '-'], input);
  t.equal(r.code, 0, r.err);
  const lines = r.out.split('\n').filter((l) => /^\d+: /.test(l));
  t.match(lines[0], /d0@d1/, 'first listing first');
  t.match(lines[1], /e0@e1/, 'second listing second');
  t.match(r.out, /alias my uplink/);
  t.equal(ipJson<unknown[]>(['-n', c, 'link', 'show', 'e0']).length, 1, 'the -n line ran in the other namespace');
  t.equal(lastBatchStats.sockets, 2, 'one socket per namespace');
});

t.test('batch file errors', async (t) => {
  let r = await nk(['-batch', join(dir, 'missing')]);
  t.equal(r.code, 1);
  t.equal(r.err, `Cannot open file "${join(dir, 'missing')}" for reading: No such file or directory\n`);
  r = await nk(['-batch', file('q.batch', 'link show "unterminated\n')]);
  t.equal(r.code, 1);
  t.match(r.err, /Unterminated quoted string/);
});
