// nl.sysctl against the real kernel, inside the private sandbox (see sandbox.ts). Values are read
// back through `ip netns exec NS cat /proc/sys/...` and `ip -n NS -j netconf show` (the oracle);
// the sandbox's own namespace (the test's "root") is read before and after and never written.
import t from 'tap';
import { readFileSync, readlinkSync } from 'node:fs';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import { netns } from '../../src/api/netns.js';
import { ipv4DevconfIndex } from '../../src/api/sysctl.js';

await enterSandbox();

const THREAD_NS = readlinkSync('/proc/thread-self/ns/net');
const NS = 'nlk-sys';
const DEV = 'nlk-sbr0';

/** Our own namespace's values of the settings the tests change in NS (read, never written). */
const WATCHED = [
  'ipv4/ip_forward',
  'ipv4/conf/all/rp_filter',
  'ipv4/conf/all/accept_local',
  'ipv4/conf/default/rp_filter',
  'ipv4/conf/default/accept_local',
  'ipv4/conf/all/arp_filter',
  'ipv4/conf/lo/rp_filter',
  'ipv4/conf/lo/accept_local',
  'ipv6/conf/all/disable_ipv6',
];
const readOwn = () => Object.fromEntries(WATCHED.map((k) => [k, readFileSync(`/proc/sys/net/${k}`, 'utf8').trim()]));
const ownBefore = readOwn();

/** The oracle: `cat` of /proc/sys/net/KEY run inside NS by iproute2. */
const catInNs = (key: string) => sh('ip', ['netns', 'exec', NS, 'cat', `/proc/sys/net/${key}`]).trim();

/** `ip -n NS -j netconf show` entry of an interface and family. */
function ipNetconf(iface: string, family = 'inet'): Record<string, unknown> | undefined {
  return ipJson<Array<Record<string, unknown>>>(['-n', NS, 'netconf', 'show']).find((e) => e['interface'] === iface && e['family'] === family);
}

await netns.add(NS);
sh('ip', ['-n', NS, 'link', 'add', DEV, 'type', 'bridge']);
const nl = await Netlink.open({ netns: NS });
t.teardown(async () => {
  nl.close();
  await netns.delete(NS);
});

t.test('get and set by key, dotted and slash forms, checked with cat inside the namespace', async (t) => {
  t.equal(await nl.sysctl.get('ipv4.ip_forward'), catInNs('ipv4/ip_forward'));
  await nl.sysctl.set('ipv4.ip_forward', 1);
  t.equal(catInNs('ipv4/ip_forward'), '1', 'dotted form wrote ip_forward');
  await nl.sysctl.set('net/ipv4/ip_forward', false);
  t.equal(catInNs('ipv4/ip_forward'), '0', 'slash form with net/ prefix and a boolean');

  await nl.sysctl.set('ipv4/conf/all/accept_local', 1);
  t.equal(catInNs('ipv4/conf/all/accept_local'), '1');
  await nl.sysctl.set('ipv4.conf.default.rp_filter', 2);
  t.equal(catInNs('ipv4/conf/default/rp_filter'), '2');
  t.equal(await nl.sysctl.get('net.ipv4.conf.default.rp_filter'), '2', 'net. prefix');
  t.equal(await nl.sysctl.getInt('ipv4/conf/default/rp_filter'), 2);

  await nl.sysctl.set('ipv6.conf.all.disable_ipv6', 1);
  t.equal(catInNs('ipv6/conf/all/disable_ipv6'), '1');
  await nl.sysctl.set('ipv6.conf.all.disable_ipv6', 0);
  t.equal(catInNs('ipv6/conf/all/disable_ipv6'), '0');

  const range = await nl.sysctl.get('ipv4.ip_local_port_range');
  t.equal(range, catInNs('ipv4/ip_local_port_range'), 'a vector value reads as the kernel prints it');
  await nl.sysctl.set('ipv4.ip_local_port_range', [40000, 50000]);
  t.match(catInNs('ipv4/ip_local_port_range'), /^40000\s+50000$/, 'a vector is written tab-separated');
});

t.test('per-device rp_filter and accept_local over netlink (IFLA_INET_CONF)', async (t) => {
  const before = await nl.sysctl.ipv4Conf(DEV);
  t.equal(before.rp_filter, Number(catInNs(`ipv4/conf/${DEV}/rp_filter`)), 'ipv4Conf reads what /proc says');
  const target = { rp_filter: before.rp_filter === 2 ? 1 : 2, accept_local: before.accept_local === 1 ? 0 : 1, arp_ignore: 2, proxy_arp: 1 };
  await nl.sysctl.setIpv4Conf(DEV, target);
  t.equal(Number(catInNs(`ipv4/conf/${DEV}/rp_filter`)), target.rp_filter, 'rp_filter in /proc/sys');
  t.equal(Number(catInNs(`ipv4/conf/${DEV}/accept_local`)), target.accept_local, 'accept_local in /proc/sys');
  t.equal(catInNs(`ipv4/conf/${DEV}/arp_ignore`), '2');
  t.equal(catInNs(`ipv4/conf/${DEV}/proxy_arp`), '1');
  const ipView = ipNetconf(DEV);
  t.equal(ipView?.['rp_filter'], ['off', 'strict', 'loose'][target.rp_filter], '`ip netconf show` agrees on rp_filter');
  t.equal(ipView?.['proxy_neigh'], true, '`ip netconf show` agrees on proxy_arp');
  const after = await nl.sysctl.ipv4Conf(DEV);
  t.match(after, target, 'ipv4Conf reads the new values back');

  await nl.sysctl.setIpv4Conf(DEV, { rp_filter: 0, accept_local: true, arp_filter: 1 }, { via: 'sysctl' });
  t.equal(catInNs(`ipv4/conf/${DEV}/rp_filter`), '0', 'via sysctl');
  t.equal(catInNs(`ipv4/conf/${DEV}/accept_local`), '1');
  t.equal(catInNs(`ipv4/conf/${DEV}/arp_filter`), '1', 'alias arp_filter → arpfilter');
  t.equal((await nl.sysctl.ipv4Conf(DEV)).arpfilter, 1);

  // Every value ipv4Conf(dev) gives equals the file of the same setting.
  const conf = (await nl.sysctl.ipv4Conf(DEV)) as Record<string, number>;
  const files: Record<string, string> = { arpfilter: 'arp_filter', noxfrm: 'disable_xfrm', nopolicy: 'disable_policy', src_vmark: 'src_valid_mark' };
  const dump = sh('ip', ['netns', 'exec', NS, 'grep', '-r', '.', `/proc/sys/net/ipv4/conf/${DEV}/`]);
  const proc = Object.fromEntries(dump.trim().split('\n').map((l) => [l.slice(l.lastIndexOf('/') + 1, l.lastIndexOf(':')), Number(l.slice(l.lastIndexOf(':') + 1))]));
  for (const name of ipv4DevconfIndex().keys()) t.equal(conf[name], proc[files[name] ?? name], `ipv4Conf(${DEV}).${name}`);

  await t.rejects(nl.sysctl.setIpv4Conf('nlk-nodev', { rp_filter: 0 }), { code: 'ENODEV', message: /Cannot find device "nlk-nodev"/ });
});

t.test('all and default through /proc/sys inside the namespace', async (t) => {
  await nl.sysctl.setIpv4Conf('all', { rp_filter: 0, accept_local: 1 });
  await nl.sysctl.setIpv4Conf('default', { rp_filter: 1, accept_local: 0 });
  t.equal(catInNs('ipv4/conf/all/rp_filter'), '0');
  t.equal(catInNs('ipv4/conf/all/accept_local'), '1');
  t.equal(catInNs('ipv4/conf/default/rp_filter'), '1');
  t.equal(catInNs('ipv4/conf/default/accept_local'), '0');
  t.equal(ipNetconf('all')?.['rp_filter'], 'off', '`ip netconf show` all');
  t.equal(ipNetconf('default')?.['rp_filter'], 'strict', '`ip netconf show` default');
  const all = (await nl.sysctl.ipv4Conf('all')) as Record<string, number>;
  t.equal(all['rp_filter'], 0);
  t.equal(all['accept_local'], 1);
  t.equal(all['igmpv2_unsolicited_report_interval'], Number(catInNs('ipv4/conf/all/igmpv2_unsolicited_report_interval')));
  t.equal(all['noxfrm'], Number(catInNs('ipv4/conf/all/disable_xfrm')), 'file names mapped (disable_xfrm)');
  await t.rejects(nl.sysctl.setIpv4Conf('all', { rp_filter: 0 }, { via: 'netlink' }), { name: 'ArgumentError', argument: 'via' });
});

t.test('errors: unknown keys, bad values, bad names', async (t) => {
  await t.rejects(nl.sysctl.get('ipv4.conf.nlk-nodev.rp_filter'), { code: 'ENOENT', message: /ipv4\.conf\.nlk-nodev\.rp_filter.*No such file or directory/ });
  await t.rejects(nl.sysctl.set('ipv4.nlk_no_such_key', 1), { code: 'ENOENT', message: /ipv4\.nlk_no_such_key/ });
  await t.rejects(nl.sysctl.set('ipv4.ip_forward', 'abc'), { code: 'EINVAL' }, 'the kernel refuses a non-number');
  t.equal(catInNs('ipv4/ip_forward'), '0', 'unchanged');
  await t.rejects(nl.sysctl.set('ipv4/conf/all/mc_forwarding', 1), { code: 'EACCES' }, 'read-only sysctl');
  for (const key of ['../kernel/hostname', '/proc/sys/net/ipv4/ip_forward', 'ipv4..ip_forward', 'ipv4/./ip_forward', '']) {
    await t.rejects(nl.sysctl.get(key), { name: 'ArgumentError', argument: 'key' }, `key ${JSON.stringify(key)}`);
  }
  await t.rejects(nl.sysctl.setIpv4Conf(DEV, { rp_filter: 3 }), { name: 'ArgumentError', argument: 'rp_filter' });
  await t.rejects(nl.sysctl.setIpv4Conf(DEV, { mc_forwarding: 1 }), { name: 'ArgumentError', argument: 'mc_forwarding' });
  await t.rejects(nl.sysctl.setIpv4Conf(DEV, { nlk_bogus: 1 } as never), { name: 'ArgumentError', argument: 'values' });
});

t.test('a handle on our own namespace reads plain /proc/sys', async (t) => {
  const own = await Netlink.open();
  try {
    for (const k of WATCHED) t.equal(await own.sysctl.get(k), readFileSync(`/proc/sys/net/${k}`, 'utf8').trim(), k);
    t.equal((await own.sysctl.ipv4Conf('lo')).rp_filter, Number(readFileSync('/proc/sys/net/ipv4/conf/lo/rp_filter', 'utf8')));
  } finally {
    own.close();
  }
});

t.test('our own namespace is unchanged and the thread never moved', async (t) => {
  t.same(readOwn(), ownBefore, 'the values of the test’s root namespace');
  t.equal(ownBefore['ipv4/conf/all/accept_local'], '0', 'a fresh namespace starts with accept_local 0');
  t.equal(catInNs('ipv4/conf/all/accept_local'), '1', 'while the test namespace has 1');
  t.equal(readlinkSync('/proc/thread-self/ns/net'), THREAD_NS);
});
