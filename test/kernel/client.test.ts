// The client session against the real kernel: big dumps, concurrent dumps on one socket, extended
// ACK errors, multicast, and no fd leaks over 10^4 open/close cycles.
import { enterSandbox, ipJson, sh } from './sandbox.js';
await enterSandbox();

import t from 'tap';
import { readdirSync } from 'node:fs';
import { NetlinkClient } from '../../src/netlink/client.js';
import { openNativeTransport } from '../../src/netlink/native-transport.js';
import { isNetlinkError } from '../../src/netlink/errors.js';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import { netns } from '../../src/api/netns.js';
import { openNetns } from '../../src/api/netns-ref.js';
import type { Message } from '../../src/netlink/message.js';

const RTNLGRP_LINK = 1;

function client(netnsFd?: number): NetlinkClient {
  return new NetlinkClient(openNativeTransport({ protocol: 0, ...(netnsFd !== undefined && { netnsFd }) }), routeProtocol());
}

t.test('RTM_GETLINK dump of a namespace with 2000 links, streamed and collected', async (t) => {
  await netns.add('big');
  t.teardown(() => netns.delete('big'));
  // 1000 veth pairs = 2000 links, created by iproute2 (the oracle) in one batch.
  let batch = '';
  for (let i = 0; i < 1000; i++) batch += `link add a${i} type veth peer name b${i}\n`;
  sh('ip', ['-n', 'big', '-batch', '-'], batch);
  const h = openNetns('big');
  t.teardown(() => h.close());
  const c = client(h.fd);
  t.teardown(() => c.close());
  const names = new Set<string>();
  let streamed = 0;
  for await (const m of c.dump({ type: 'RTM_GETLINK', header: {} })) {
    streamed++;
    names.add((m.attrs as { ifname: string }).ifname);
  }
  const collected = await c.dump({ type: 'RTM_GETLINK', header: {} }).collect();
  const ip = ipJson<Array<{ ifname: string }>>(['-n', 'big', 'link', 'show']);
  t.equal(streamed, 2001, '2000 veths and lo');
  t.equal(collected.length, ip.length, 'as many as ip lists');
  t.same([...names].sort(), ip.map((l) => l.ifname).sort(), 'the same names as ip');
});

t.test('concurrent dumps and requests on one socket', async (t) => {
  sh('ip', ['link', 'add', 'cd0', 'type', 'veth', 'peer', 'name', 'cd1']);
  t.teardown(() => sh('ip', ['link', 'del', 'cd0']));
  const c = client();
  t.teardown(() => c.close());
  // Three dumps and two gets started at once: the kernel runs one dump per socket at a time.
  const [links, addrs, routes, lo, cd1] = await Promise.all([
    c.dump({ type: 'RTM_GETLINK', header: {} }).collect(),
    c.dump({ type: 'RTM_GETADDR', header: {} }).collect(),
    c.dump({ type: 'RTM_GETROUTE', header: { family: 2 } }).collect(),
    c.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo' } }),
    c.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'cd1' } }),
  ]);
  t.same(links.map((m) => m.type), links.map(() => 'RTM_NEWLINK'));
  t.equal(links.length, ipJson<unknown[]>(['link', 'show']).length);
  t.ok(addrs.every((m) => m.type === 'RTM_NEWADDR'));
  t.ok(routes.every((m) => m.type === 'RTM_NEWROUTE'));
  t.equal((lo[0]!.attrs as { ifname: string }).ifname, 'lo');
  t.equal((cd1[0]!.attrs as { ifname: string }).ifname, 'cd1');
});

t.test('an error with extended ACK: adding an existing address', async (t) => {
  sh('ip', ['link', 'add', 'ea0', 'type', 'veth', 'peer', 'name', 'ea1']);
  t.teardown(() => sh('ip', ['link', 'del', 'ea0']));
  const index = ipJson<Array<{ ifindex: number }>>(['link', 'show', 'ea0'])[0]!.ifindex;
  const c = client();
  t.teardown(() => c.close());
  const add = { type: 'RTM_NEWADDR', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: 2, prefixlen: 24, index }, attrs: { local: '10.123.9.1', address: '10.123.9.1' } };
  await c.request(add);
  try {
    await c.request(add);
    t.fail('the second add must fail');
  } catch (e) {
    t.ok(isNetlinkError(e));
    if (!isNetlinkError(e)) return;
    t.equal(e.code, 'EEXIST');
    t.equal(e.errno, 17);
    // What the kernel says, compared with what iproute2 prints for the same mistake.
    let ip = '';
    try {
      sh('ip', ['addr', 'add', '10.123.9.1/24', 'dev', 'ea0']);
    } catch (err) {
      ip = (err as Error).message;
    }
    t.ok(e.kernelMessage, 'the kernel gave a text');
    t.ok(ip.includes(e.kernelMessage ?? '\u0000'), `ip prints the same kernel text: ${ip}`);
    t.match(e.message, /RTM_NEWADDR: File exists/);
  }
  // An attribute path from NLMSGERR_ATTR_OFFS: a vxlan id out of range.
  try {
    await c.request({ type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'vx9', linkinfo: { kind: 'vxlan', data: { id: 1 << 24 } } } });
    t.fail('a 25-bit VNI must be refused');
  } catch (e) {
    t.ok(isNetlinkError(e));
    if (isNetlinkError(e)) {
      t.equal(e.code, 'ERANGE');
      t.equal(e.attributePath, 'IFLA_LINKINFO.IFLA_INFO_DATA.IFLA_VXLAN_ID');
      t.ok(e.kernelMessage, `the kernel explains: ${e.kernelMessage}`);
    }
  }
});

t.test('a multicast subscription sees a link appear', async (t) => {
  const mon = client();
  t.teardown(() => mon.close());
  const sub = mon.subscribe([RTNLGRP_LINK]);
  const seen = (async () => {
    for await (const ev of sub) {
      if (ev.type === 'RTM_NEWLINK' && (ev as Message).attrs.ifname === 'mc0') return ev as Message;
    }
    return undefined;
  })();
  sh('ip', ['link', 'add', 'mc0', 'type', 'veth', 'peer', 'name', 'mc1']);
  t.teardown(() => sh('ip', ['link', 'del', 'mc0']));
  const ev = await seen;
  t.ok(ev, 'RTM_NEWLINK for mc0 arrived');
  t.equal(ev?.seq, 0, 'a notification, not a reply');
});

t.test('10^4 client open/close cycles leave /proc/self/fd unchanged', async (t) => {
  const before = readdirSync('/proc/self/fd').length;
  for (let i = 0; i < 10000; i++) {
    const c = client();
    if (i % 1000 === 0) await c.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo' } });
    c.close();
  }
  t.equal(readdirSync('/proc/self/fd').length, before);
});

t.test('50,000 pipelined requests: every ACK arrives (none lost beyond the receive buffer)', async (t) => {
  sh('ip', ['link', 'add', 'pl0', 'type', 'veth', 'peer', 'name', 'pl1']);
  sh('ip', ['link', 'set', 'pl0', 'up']);
  sh('ip', ['addr', 'add', '10.123.0.1/16', 'dev', 'pl0']);
  t.teardown(() => sh('ip', ['link', 'del', 'pl0']));
  const oif = ipJson<Array<{ ifindex: number }>>(['link', 'show', 'pl0'])[0]!.ifindex;
  const c = client();
  t.teardown(() => c.close());
  const n = 50000;
  const pending: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i++) {
    const dst = `10.${124 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
    pending.push(c.request({ type: 'RTM_NEWROUTE', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: 2, dst_len: 32, table: 254, protocol: 3, scope: 0, type: 1 }, attrs: { dst, gateway: '10.123.0.2', oif } }));
  }
  const results = await Promise.allSettled(pending);
  const failed = results.filter((r) => r.status === 'rejected');
  t.equal(failed.length, 0, failed.length ? `first failure: ${String((failed[0] as PromiseRejectedResult).reason)}` : 'all acknowledged');
  const routes = await c.dump({ type: 'RTM_GETROUTE', header: { family: 2 } }).collect();
  t.equal(routes.filter((m) => (m.attrs as { gateway?: string }).gateway === '10.123.0.2').length, n, 'the kernel has every route');
});
