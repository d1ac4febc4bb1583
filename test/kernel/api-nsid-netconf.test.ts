// nl.nsid and nl.netconf against the real kernel, inside the private sandbox (see sandbox.ts),
// cross-checked with `ip -j netns list-id`, `ip -n NS -j netns list-id` and `ip -j netconf show`.
import t from 'tap';
import { type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readlinkSync, statSync } from 'node:fs';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import { netns } from '../../src/api/netns.js';
import type { Netconf } from '../../src/api/netconf.js';

await enterSandbox();

const THREAD_NS = readlinkSync('/proc/thread-self/ns/net');
const A = 'nlk-na';
const B = 'nlk-nb';
const C = 'nlk-nc';

await netns.add(A);
await netns.add(B);
sh('ip', ['netns', 'add', C]);
const own = await Netlink.open();
const inA = await Netlink.open({ netns: A });
const children: ChildProcess[] = [];
t.teardown(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  own.close();
  inA.close();
  for (const n of [A, B, C]) await netns.delete(n);
});

t.test('nsid set/get/list by name, path, fd and pid; ip agrees', async (t) => {
  t.equal(await own.nsid.get(A), undefined, 'no id yet');
  await own.nsid.set(A, 11);
  t.equal(await own.nsid.get(A), 11);
  t.equal(await own.nsid.get({ path: `/run/netns/${A}` }), 11, 'by path');

  const fd = openSync(`/run/netns/${B}`, 'r');
  let auto: number | undefined;
  try {
    await own.nsid.set({ fd }, 'auto');
    auto = await own.nsid.get({ fd });
    t.type(auto, 'number', `the kernel picked ${auto}`);
  } finally {
    closeSync(fd);
  }

  // A process in C: its namespace by pid.
  const sleeper = netns.spawn(C, ['sleep', '600'], { stdio: 'ignore' });
  children.push(sleeper);
  await new Promise<void>((r) => sleeper.once('spawn', () => r()));
  const cIno = statSync(`/run/netns/${C}`).ino;
  for (let i = 0; i < 200 && statSync(`/proc/${sleeper.pid}/ns/net`).ino !== cIno; i++) await new Promise((r) => setTimeout(r, 10));
  await own.nsid.set({ pid: sleeper.pid! }, 12);
  t.equal(await own.nsid.get(C), 12, 'set by pid, read by name');
  sleeper.kill('SIGKILL');

  const ours = await own.nsid.list().collect();
  t.same(ours, ipJson(['netns', 'list-id']), 'list equals `ip -j netns list-id`');
  t.same(ours.find((e) => e.nsid === 11), { nsid: 11, name: A });
  t.same(ours.find((e) => e.nsid === 12), { nsid: 12, name: C });

  // The same from inside A: its ids are its own.
  t.same(await inA.nsid.list().collect(), [], 'A has assigned no ids');
  await inA.nsid.set(B, 3);
  t.same(await inA.nsid.list().collect(), ipJson(['-n', A, 'netns', 'list-id']), 'equals `ip -n A -j netns list-id`');
  t.same(await inA.nsid.list().collect(), [{ nsid: 3, name: B }]);
  t.equal(await own.nsid.get(B), auto, 'our id of B is untouched by A’s');

  await t.rejects(own.nsid.set(A, 13), { name: 'NetlinkError', code: 'EEXIST', kernelMessage: /already has a nsid/ });
  await netns.add('nlk-nd');
  await t.rejects(own.nsid.set('nlk-nd', 11), { name: 'NetlinkError', code: 'EEXIST', kernelMessage: /already used/ });
  t.equal(await own.nsid.get('nlk-nd'), undefined, 'the refused namespace got no id');
  await netns.delete('nlk-nd');
  await t.rejects(own.nsid.set(A, 1.5), { name: 'ArgumentError', argument: 'nsid' });
  await t.rejects(own.nsid.get('nlk-absent'), { code: 'ENOENT' });
  await t.rejects(own.nsid.get({ path: '/proc/self/status' }), { name: 'NetlinkError', code: 'EINVAL' }, 'not a namespace file');
});

interface IpNetconf {
  family: string;
  interface: string;
  forwarding?: boolean;
  rp_filter?: string;
  mc_forwarding?: boolean;
  proxy_neigh?: boolean;
  ignore_routes_with_linkdown?: boolean;
}

/** ip's rendering of a netconf entry, made from ours (rp_filter as off/strict/loose, flags as booleans). */
function asIp(c: Netconf): IpNetconf {
  const out: IpNetconf = { family: String(c.family), interface: c.dev ?? '' };
  if (c.forwarding !== undefined) out.forwarding = c.forwarding !== 0;
  if (c.rp_filter !== undefined) out.rp_filter = ['off', 'strict', 'loose'][c.rp_filter] ?? 'unknown mode';
  if (c.mc_forwarding !== undefined) out.mc_forwarding = c.mc_forwarding !== 0;
  if (c.proxy_neigh !== undefined) out.proxy_neigh = c.proxy_neigh !== 0;
  if (c.ignore_routes_with_linkdown !== undefined) out.ignore_routes_with_linkdown = c.ignore_routes_with_linkdown !== 0;
  return out;
}

t.test('netconf get/list equal ip netconf show', async (t) => {
  sh('ip', ['-n', A, 'link', 'add', 'nlk-cbr', 'type', 'bridge']);
  sh('ip', ['netns', 'exec', A, 'sh', '-c', 'echo 2 > /proc/sys/net/ipv4/conf/nlk-cbr/rp_filter; echo 1 > /proc/sys/net/ipv4/conf/all/forwarding; echo 1 > /proc/sys/net/ipv6/conf/nlk-cbr/proxy_ndp']);

  const br = await inA.netconf.get('nlk-cbr');
  t.match(br, { family: 'inet', dev: 'nlk-cbr', rp_filter: 2, forwarding: 1 }, 'rp_filter loose and forwarding (all=1 propagates)');
  t.equal((await inA.netconf.get('all')).forwarding, 1);
  t.equal((await inA.netconf.get('all')).dev, 'all');
  t.equal((await inA.netconf.get('default', 'inet6')).ifindex, -2);
  t.equal((await inA.netconf.get('nlk-cbr', 'inet6')).proxy_neigh, 1, 'IPv6 proxy_ndp');
  t.equal((await inA.netconf.get(br.ifindex)).dev, 'nlk-cbr', 'by index, named');

  const ip = ipJson<IpNetconf[]>(['-n', A, 'netconf', 'show']);
  const ours = await inA.netconf.list().collect();
  t.same(ours.map(asIp), ip, 'list() equals `ip -n A -j netconf show` entry by entry');
  t.same((await inA.netconf.list('inet6').collect()).map(asIp), ipJson<IpNetconf[]>(['-n', A, '-6', 'netconf', 'show']), 'inet6 only');
  const streamed: Netconf[] = [];
  for await (const c of inA.netconf.list('inet')) streamed.push(c);
  t.same(streamed.map(asIp), ipJson<IpNetconf[]>(['-n', A, '-4', 'netconf', 'show']), 'streaming, inet only');

  t.not((await own.netconf.get('all')).forwarding, 1, 'our own namespace is not forwarding');
  await t.rejects(inA.netconf.get('nlk-nodev'), { code: 'ENODEV', message: /Cannot find device "nlk-nodev"/ });
  await t.rejects(inA.netconf.get('lo', 'ipx' as never), { name: 'ArgumentError', argument: 'family' });
  t.equal(readlinkSync('/proc/thread-self/ns/net'), THREAD_NS, 'the thread never moved');
});
