// nl.tuntap against the real kernel, inside the private sandbox (see sandbox.ts). iproute2 is the
// oracle: `ip -n NS -j tuntap show` (which reads sysfs of the namespace), `ip -n NS -j -d link`,
// and /sys/class/net/NAME/tun_flags read inside the namespace.
import t from 'tap';
import { closeSync, readdirSync, readlinkSync } from 'node:fs';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import { netns } from '../../src/api/netns.js';

await enterSandbox();

const THREAD_NS = readlinkSync('/proc/thread-self/ns/net');
const NS = 'nlk-tt';

interface IpTuntap {
  ifname: string;
  flags: string[];
  user?: number;
  group?: number;
}
interface IpLinkDetail {
  ifname: string;
  ifindex: number;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

const ipTuntaps = () => ipJson<IpTuntap[]>(['-n', NS, 'tuntap', 'show']);
const linksInNs = () => ipJson<IpLinkDetail[]>(['-n', NS, '-d', 'link', 'show']);
const tunFlagsInNs = (name: string) => Number(sh('ip', ['netns', 'exec', NS, 'cat', `/sys/class/net/${name}/tun_flags`]).trim());

await netns.add(NS);
const nl = await Netlink.open({ netns: NS });
t.teardown(async () => {
  nl.close();
  await netns.delete(NS);
});

t.test('add a persistent tap and tun, list them as ip tuntap show does', async (t) => {
  t.same(await nl.tuntap.add({ name: 'nlk-tap0', mode: 'tap', owner: 1234, group: 4321 }), { name: 'nlk-tap0', fd: undefined });
  t.same(await nl.tuntap.add({ name: 'nlk-tun0', mode: 'tun', multiQueue: true, vnetHdr: true, pi: true }), { name: 'nlk-tun0', fd: undefined });

  const ip = ipTuntaps();
  const tap = ip.find((d) => d.ifname === 'nlk-tap0');
  const tun = ip.find((d) => d.ifname === 'nlk-tun0');
  t.ok(tap && tun, '`ip -n NS tuntap show` lists both');
  t.ok(tap!.flags.includes('tap') && tap!.flags.includes('persist') && !tap!.flags.includes('pi'), `ip: tap flags ${tap!.flags.join(' ')}`);
  t.equal(tap!.user, 1234, 'ip: user');
  t.equal(tap!.group, 4321, 'ip: group');
  for (const f of ['tun', 'pi', 'multi_queue', 'vnet_hdr', 'persist']) t.ok(tun!.flags.includes(f), `ip: tun has ${f}`);
  t.notOk(readdirSync('/sys/class/net').some((n) => n.startsWith('nlk-t')), 'nothing in our own namespace');

  const list = await nl.tuntap.list().collect();
  const indexes = new Map(linksInNs().map((l) => [l.ifname, l.ifindex]));
  t.same(list.map((d) => d.name).sort(), ['nlk-tap0', 'nlk-tun0'], 'list has exactly the two');
  const ltap = list.find((d) => d.name === 'nlk-tap0')!;
  const ltun = list.find((d) => d.name === 'nlk-tun0')!;
  t.match(ltap, { mode: 'tap', persist: true, owner: 1234, group: 4321, multiQueue: false, vnetHdr: false, pi: false, index: indexes.get('nlk-tap0') });
  t.match(ltun, { mode: 'tun', persist: true, multiQueue: true, vnetHdr: true, pi: true, index: indexes.get('nlk-tun0') });
  t.notOk('owner' in ltun, 'no owner when none was set');
  t.equal(ltap.flags, tunFlagsInNs('nlk-tap0'), 'flags equal /sys/class/net/nlk-tap0/tun_flags');
  t.equal(ltun.flags, tunFlagsInNs('nlk-tun0'), 'flags equal /sys/class/net/nlk-tun0/tun_flags');
  t.same(await nl.tuntap.get('nlk-tap0'), ltap, 'get one');
});

t.test('add errors: existing name, bad options', async (t) => {
  await t.rejects(nl.tuntap.add({ name: 'nlk-tap0', mode: 'tap' }), { code: 'EBUSY', message: /nlk-tap0.*exists/ });
  await t.rejects(nl.tuntap.add({ name: 'nlk-tap0', mode: 'tun' }), { code: 'EBUSY' }, 'also with the other mode');
  await t.rejects(nl.tuntap.add({ name: 'nlk-x', mode: 'tunnel' as never }), { name: 'ArgumentError', argument: 'mode' });
  await t.rejects(nl.tuntap.add({ name: 'nlk-too-long-name0', mode: 'tap' }), { name: 'ArgumentError', argument: 'name' });
  await t.rejects(nl.tuntap.add({ name: 'nlk-x', mode: 'tap', owner: -1 }), { name: 'ArgumentError', argument: 'owner' });
  await t.rejects(nl.tuntap.add({ name: 'nlk-x', mode: 'tap', user: 5 } as never), { name: 'ArgumentError', argument: 'tuntap option' });
  t.notOk(linksInNs().some((l) => l.ifname === 'nlk-x'), 'nothing was created');
  // The kernel's own refusal, which is why this API uses /dev/net/tun.
  await t.rejects(
    nl.client.request({ type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'nlk-x', linkinfo: { kind: 'tun' } } }),
    { name: 'NetlinkError', code: 'EOPNOTSUPP' },
  );
});

t.test('a %d pattern and a non-persistent device owned through its fd', async (t) => {
  const made = await nl.tuntap.add({ name: 'nlktap%d', mode: 'tap' });
  t.match(made.name, /^nlktap\d+$/, `the kernel chose ${made.name}`);
  t.ok(linksInNs().some((l) => l.ifname === made.name), 'ip sees it');
  await nl.tuntap.del(made.name);

  const { name, fd } = await nl.tuntap.add({ name: 'nlk-tmp0', mode: 'tun', persist: false });
  t.type(fd, 'number');
  const d = await nl.tuntap.get(name);
  t.equal(d.persist, false);
  t.ok(linksInNs().some((l) => l.ifname === 'nlk-tmp0'), 'exists while the fd is open');
  await t.rejects(nl.tuntap.del('nlk-tmp0'), { code: 'EBUSY', message: /open/ }, 'ip tuntap del refuses a device in use');
  closeSync(fd!);
  t.notOk(linksInNs().some((l) => l.ifname === 'nlk-tmp0'), 'gone with its fd');
});

t.test('del as ip tuntap del; force for a device in use', async (t) => {
  await t.rejects(nl.tuntap.del('nlk-tap0', { mode: 'tun' }), { code: 'EINVAL' }, 'wrong mode');
  await nl.tuntap.del('nlk-tap0', { mode: 'tap' });
  await nl.tuntap.del('nlk-tun0');
  t.same(ipTuntaps(), [], '`ip tuntap show` is empty');
  t.same(await nl.tuntap.list().collect(), []);
  t.same(linksInNs().map((l) => l.ifname), ['lo']);
  await t.rejects(nl.tuntap.del('nlk-tap0'), { code: 'ENODEV', message: 'Cannot find device "nlk-tap0"' });
  sh('ip', ['-n', NS, 'link', 'add', 'nlk-br0', 'type', 'bridge']);
  await t.rejects(nl.tuntap.del('nlk-br0'), { code: 'EINVAL', message: /not a tun\/tap/ });

  // A device made by ip, held open by us: only force removes it.
  sh('ip', ['-n', NS, 'tuntap', 'add', 'dev', 'nlk-ipt', 'mode', 'tap', 'multi_queue']);
  const fromIp = await nl.tuntap.get('nlk-ipt');
  t.match(fromIp, { mode: 'tap', multiQueue: true, persist: true }, 'a device made by ip is read');
  const { fd } = await nl.tuntap.add({ name: 'nlk-busy', mode: 'tap', persist: false });
  await nl.tuntap.del('nlk-busy', { force: true });
  t.notOk(linksInNs().some((l) => l.ifname === 'nlk-busy'), 'force removed the device in use');
  closeSync(fd!);
  await nl.tuntap.del('nlk-ipt');
  t.notOk(linksInNs().some((l) => l.ifname === 'nlk-ipt'), 'a multi-queue device made by ip is deleted');
});

t.test('a handle on our own namespace creates the device here', async (t) => {
  const own = await Netlink.open();
  try {
    await own.tuntap.add({ name: 'nlk-own0', mode: 'tap' });
    t.ok(readdirSync('/sys/class/net').includes('nlk-own0'), 'in our /sys/class/net');
    t.notOk(linksInNs().some((l) => l.ifname === 'nlk-own0'), 'not in the test namespace');
    await own.tuntap.del('nlk-own0');
    t.notOk(readdirSync('/sys/class/net').includes('nlk-own0'));
  } finally {
    own.close();
  }
  t.equal(readlinkSync('/proc/thread-self/ns/net'), THREAD_NS, 'the thread never moved');
});
