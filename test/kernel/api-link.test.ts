// nl.link against the real kernel, in the sandbox: veth pairs (same namespace, peer in another
// namespace, created directly in another namespace), every `ip link set` change, get/list/exists,
// delete, and the kernel's refusals. Each state is read through nlkit and cross-checked with
// `ip -j -d link show` as the oracle.
import t from 'tap';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import type { Link } from '../../src/api/link-types.js';
import { isNetlinkError } from '../../src/netlink/errors.js';

await enterSandbox();

/** What `ip -j -d link show` gives for one device (the keys used here). */
interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  mtu: number;
  operstate: string;
  txqlen: number;
  address: string;
  link?: string;
  link_index?: number;
  link_netnsid?: number;
  master?: string;
  ifalias?: string;
  promiscuity: number;
  group: string;
  linkinfo?: { info_kind?: string; info_slave_kind?: string; info_data?: Record<string, unknown>; info_slave_data?: Record<string, unknown> };
  stats64?: { rx: { bytes: number; packets: number }; tx: { bytes: number; packets: number } };
}

function ip(dev: string, netns?: string): IpLink {
  const [l] = ipJson<IpLink[]>([...(netns ? ['-n', netns] : []), '-d', '-s', 'link', 'show', 'dev', dev]);
  if (!l) throw new Error(`ip shows no ${dev}`);
  return l;
}

/**
 * Names ip lists. iproute2 6.1 prints an empty object for each link its client-side filters
 * (`up`, `type X_slave`) drop, so those are left out.
 */
function ipNames(args: string[]): string[] {
  return ipJson<Array<Partial<IpLink>>>(args)
    .map((l) => l.ifname)
    .filter((n): n is string => n !== undefined);
}

/** ip's flags without M-DOWN (a statement about the lower device, not in Link.flags). */
function ipFlags(l: IpLink): string[] {
  return l.flags.filter((f) => f !== 'M-DOWN');
}

/** The assertions sameAsIp uses (any tap Test has them). */
type Asserts = Pick<typeof t, 'equal' | 'same'>;

/** Compares a Link with ip's view of the same device. */
function sameAsIp(t: Asserts, link: Link, netns?: string): void {
  const o = ip(link.name, netns);
  t.equal(link.index, o.ifindex, `${link.name}: index`);
  t.same(link.flags, ipFlags(o), `${link.name}: flags`);
  t.equal(link.mtu, o.mtu, `${link.name}: mtu`);
  t.equal(link.operstate, o.operstate, `${link.name}: operstate`);
  t.equal(link.txqlen, o.txqlen, `${link.name}: txqlen`);
  t.equal(link.address, o.address, `${link.name}: address`);
  t.equal(link.master, o.master, `${link.name}: master`);
  t.equal(link.link, o.link, `${link.name}: link (peer/parent name)`);
  t.equal(link.kind, o.linkinfo?.info_kind, `${link.name}: kind`);
  t.equal(link.slaveKind, o.linkinfo?.info_slave_kind, `${link.name}: slave kind`);
  t.equal(link.alias, o.ifalias, `${link.name}: alias`);
  t.equal(link.promiscuity, o.promiscuity, `${link.name}: promiscuity`);
}

const nl = await Netlink.open();
t.teardown(() => nl.close());
sh('ip', ['netns', 'add', 'ns2']);

t.test('veth pair in one namespace: ip link add veth0 type veth peer name veth1', async (t) => {
  await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', mtu: 1400, address: '02:00:00:12:34:56' } });
  const a = await nl.link.get('veth0');
  const b = await nl.link.get('veth1');
  t.match(a, { kind: 'veth', info: { kind: 'veth' }, link: 'veth1', linkIndex: b.index, linkNetnsid: undefined, up: false });
  t.match(b, { link: 'veth0', mtu: 1400, address: '02:00:00:12:34:56' });
  sameAsIp(t, a);
  sameAsIp(t, b);
  t.equal(await nl.link.exists('veth0'), true);
  t.equal(await nl.link.exists(a.index), true);
});

t.test('up and peer up as a follow-up: ip link add va0 up type veth peer name va1 (+ ip link set va1 up)', async (t) => {
  await nl.link.add({ name: 'va0', type: 'veth', up: true, peer: { name: 'va1', up: true } });
  const a = await nl.link.get('va0');
  const b = await nl.link.get('va1');
  t.ok(a.up && b.up, 'both ends up');
  // Carrier comes when both ends are up; the kernel may take a moment to report it.
  for (let i = 0; i < 50 && !(await nl.link.get('va0')).lowerUp; i++) await new Promise((r) => setTimeout(r, 20));
  const a2 = await nl.link.get('va0');
  t.ok(a2.flags.includes('LOWER_UP'), 'carrier on');
  sameAsIp(t, a2);
  await nl.link.del('va0');
  t.equal(await nl.link.exists('va1'), false, 'deleting one end deletes the pair');
});

t.test('peer in another namespace: ip link add vb0 type veth peer name vb1 netns ns2 mtu 1300', async (t) => {
  await nl.link.add({ name: 'vb0', type: 'veth', peer: { name: 'vb1', netns: 'ns2', mtu: 1300, up: true } });
  const a = await nl.link.get('vb0');
  t.equal(a.link, undefined, 'the peer has no name here');
  t.type(a.linkIndex, 'number');
  t.type(a.linkNetnsid, 'number');
  const o = ip('vb0');
  t.equal(a.linkNetnsid, o.link_netnsid, 'link_netnsid as ip shows it');
  t.equal(a.linkIndex, o.link_index, 'link_index as ip shows it');
  const peer = ip('vb1', 'ns2');
  t.equal(peer.mtu, 1300);
  t.ok(peer.flags.includes('UP'), 'the peer was brought up in its namespace');
  t.equal(peer.ifindex, a.linkIndex, 'linkIndex is the index in the peer namespace');
  const nl2 = await Netlink.open({ netns: 'ns2' });
  try {
    const b = await nl2.link.get('vb1');
    t.match(b, { up: true, mtu: 1300, linkIndex: a.index });
    sameAsIp(t, b, 'ns2');
  } finally {
    nl2.close();
  }
  t.equal(await nl.link.exists('vb1'), false, 'not in this namespace');
});

t.test('created directly in another namespace: ip link add vc0 netns ns2 type veth peer name vc1', async (t) => {
  await nl.link.add({ name: 'vc0', type: 'veth', netns: 'ns2', peer: { name: 'vc1' } });
  t.equal(await nl.link.exists('vc0'), false);
  t.equal(ip('vc0', 'ns2').ifname, 'vc0');
  const b = await nl.link.get('vc1');
  t.type(b.linkNetnsid, 'number');
});

t.test('ip link set: up/down, mtu, address, name, alias, txqueuelen, promisc, arp, multicast, allmulticast, group', async (t) => {
  await nl.link.set('veth0', { up: true, mtu: 1400, address: '02:00:00:00:aa:01', txqueuelen: 321, promisc: true, alias: 'to the lab', group: 7 });
  let l = await nl.link.get('veth0');
  t.match(l, { up: true, mtu: 1400, address: '02:00:00:00:aa:01', txqlen: 321, alias: 'to the lab', group: 7 });
  t.ok(l.flags.includes('PROMISC'));
  sameAsIp(t, l);
  t.equal(ip('veth0').group, '7');

  await nl.link.set('veth0', { arp: false, multicast: false, allmulticast: true, promisc: false });
  l = await nl.link.get('veth0');
  t.ok(l.flags.includes('NOARP') && l.flags.includes('ALLMULTI'));
  t.notOk(l.flags.includes('MULTICAST') || l.flags.includes('PROMISC'));
  sameAsIp(t, l);
  await nl.link.set('veth0', { arp: true, multicast: true, allmulticast: false });

  await nl.link.set('veth0', { alias: null });
  l = await nl.link.get('veth0');
  t.equal(l.alias, undefined, 'alias cleared');
  t.equal(ip('veth0').ifalias, undefined);
  const long = 'a'.repeat(255);
  await nl.link.set('veth0', { alias: long });
  t.equal((await nl.link.get('veth0')).alias, long, 'a 255-byte alias (IFALIASZ - 1) fits, as without the NUL');
  await nl.link.set('veth0', { alias: '' });
  t.equal((await nl.link.get('veth0')).alias, undefined, "'' clears too");

  await nl.link.set('veth0', { name: 'uplink0', up: false });
  t.equal(await nl.link.exists('veth0'), false);
  l = await nl.link.get('uplink0');
  t.equal(l.up, false);
  t.equal((await nl.link.get('veth1')).link, 'uplink0', 'the peer sees the new name');
  await nl.link.set(l.index, { name: 'veth0' });
  sameAsIp(t, await nl.link.get('veth0'));
});

t.test('master and nomaster: ip link set dev veth0 master br0 / nomaster', async (t) => {
  await nl.link.add({ name: 'br0', type: 'bridge' });
  await nl.link.set('veth0', { master: 'br0' });
  let l = await nl.link.get('veth0');
  t.match(l, { master: 'br0', slaveKind: 'bridge', slaveInfo: { kind: 'bridge' } });
  t.equal(l.masterIndex, (await nl.link.get('br0')).index);
  sameAsIp(t, l);
  const port = ip('veth0').linkinfo?.info_slave_data as { state: string; cost: number; priority: number };
  t.match(l.slaveInfo, { state: port.state, cost: port.cost, priority: port.priority }, 'port data as ip shows it');
  await nl.link.set('veth0', { master: null });
  l = await nl.link.get('veth0');
  t.equal(l.master, undefined);
  t.equal(l.slaveKind, undefined);
  t.equal(ip('veth0').master, undefined);
  await nl.link.set('veth0', { master: 'br0' });
});

t.test('netns: ip link set dev veth1 netns ns2, and back by fd', async (t) => {
  await nl.link.set('veth1', { netns: 'ns2' });
  t.equal(await nl.link.exists('veth1'), false);
  t.equal(ip('veth1', 'ns2').ifname, 'veth1');
  t.type((await nl.link.get('veth0')).linkNetnsid, 'number', 'the peer is now elsewhere');
  const nl2 = await Netlink.open({ netns: 'ns2' });
  try {
    const self = await import('node:fs');
    const fd = self.openSync('/proc/self/ns/net', 'r');
    try {
      await nl2.link.set('veth1', { netns: { fd } });
    } finally {
      self.closeSync(fd);
    }
  } finally {
    nl2.close();
  }
  t.equal((await nl.link.get('veth0')).link, 'veth1', 'back here');
});

t.test('list: typed kinds, stats, master and peer names, filters; streaming gives the same names', async (t) => {
  await nl.link.set('veth0', { up: true });
  await nl.link.set('veth1', { up: true });
  await nl.link.set('br0', { up: true });
  // Traffic for the counters: the bridge sends nothing by itself; IPv6 DAD/RS would, so just compare with ip.
  const all = await nl.link.list().collect();
  const ipAll = ipJson<IpLink[]>(['-d', '-s', 'link', 'show']);
  t.same(
    all.map((l) => l.name).sort(),
    ipAll.map((l) => l.ifname).sort(),
    'the same links as ip link show',
  );
  for (const l of all) {
    const o = ipAll.find((x) => x.ifname === l.name)!;
    t.equal(l.master, o.master, `${l.name}: master`);
    t.equal(l.link, o.link, `${l.name}: link`);
    t.equal(l.kind, o.linkinfo?.info_kind, `${l.name}: kind`);
    t.type(l.stats?.rxPackets, 'bigint', `${l.name}: stats as bigint`);
    t.ok(BigInt(o.stats64!.rx.packets) <= l.stats!.rxPackets + 1000n, `${l.name}: rx packets near ip's`);
  }
  const streamed: Array<[string, string | undefined, string | undefined]> = [];
  for await (const l of nl.link.list()) streamed.push([l.name, l.master, l.link]);
  t.same(
    streamed,
    all.map((l) => [l.name, l.master, l.link]),
    'streaming resolves the same names',
  );
  t.same(
    (await nl.link.list({ master: 'br0' }).collect()).map((l) => l.name),
    ipNames(['link', 'show', 'master', 'br0']),
    'ip link show master br0',
  );
  t.same(
    (await nl.link.list({ kind: 'bridge' }).collect()).map((l) => l.name),
    ipNames(['link', 'show', 'type', 'bridge']),
    'ip link show type bridge',
  );
  t.same(
    (await nl.link.list({ kind: 'veth' }).collect()).map((l) => l.name).sort(),
    ipNames(['link', 'show', 'type', 'veth']).sort(),
    'ip link show type veth',
  );
  t.same(
    (await nl.link.list({ slaveKind: 'bridge' }).collect()).map((l) => l.name),
    ipNames(['link', 'show', 'type', 'bridge_slave']),
    'ip link show type bridge_slave',
  );
  t.same(
    (await nl.link.list({ up: true }).collect()).map((l) => l.name).sort(),
    ipNames(['link', 'show', 'up']).sort(),
    'ip link show up',
  );
  t.same(await nl.link.list({ kind: 'vrf' }).collect(), [], 'a kind the kernel lacks: the kernel ignores the filter, nlkit does not');
});

t.test('the kernel refuses, in its own words', async (t) => {
  const dup = await nl.link.add({ name: 'veth0', type: 'veth' }).catch((e: unknown) => e);
  t.ok(isNetlinkError(dup), 'NetlinkError');
  t.match(dup, { code: 'EEXIST', errno: 17, errnoText: 'File exists', request: 'RTM_NEWLINK' });
  const mtu = await nl.link.set('veth0', { mtu: 65536 + 1 }).catch((e: unknown) => e);
  t.match(mtu, { code: 'EINVAL', kernelMessage: 'mtu greater than device maximum' });
  const small = await nl.link.set('veth0', { mtu: 10 }).catch((e: unknown) => e);
  t.match(small, { code: 'EINVAL', kernelMessage: 'mtu less than device minimum' });
  const nodev = await nl.link.get('nosuchdev').catch((e: unknown) => e);
  t.match(nodev, { code: 'ENODEV', message: /Cannot find device "nosuchdev"/ });
  const nodev2 = await nl.link.del('nosuchdev').catch((e: unknown) => e);
  t.match(nodev2, { code: 'ENODEV', message: /Cannot find device "nosuchdev"/ });
  const master = await nl.link.set('veth0', { master: 'nosuchdev' }).catch((e: unknown) => e);
  t.match(master, { code: 'ENODEV', message: /Cannot find device "nosuchdev"/ });
  const mac = await nl.link.set('veth0', { address: '01:00:00:00:00:01' }).catch((e: unknown) => e);
  t.match(mac, { code: 'EADDRNOTAVAIL' }, 'a multicast MAC is the kernel’s to refuse');
  const tuntap = await nl.link.add({ name: 'x0', type: 'tun' } as never).catch((e: unknown) => e);
  t.match(tuntap, { name: 'ArgumentError', argument: 'type', message: /nl\.tuntap/ });
});

t.test('delete: ip link del veth0 removes the pair; bridge', async (t) => {
  await nl.link.del('veth0');
  t.equal(await nl.link.exists('veth0'), false);
  t.equal(await nl.link.exists('veth1'), false);
  t.same(ipNames(['link', 'show', 'type', 'veth']).sort(), ['vb0', 'vc1'], 'only the ends whose peers live in ns2 are left');
  const br = await nl.link.get('br0');
  await nl.link.del(br.index);
  t.equal(await nl.link.exists('br0'), false);
  t.throws(() => sh('ip', ['link', 'show', 'dev', 'br0']), /does not exist/);
});
