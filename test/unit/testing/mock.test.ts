// The mock kernel beyond the differential suite: notifications, NLM_F_ECHO, socket options,
// the tun/tap hook, dummy devices, namespaces and nsids, ifindex allocation, filtered dumps.
import t from 'tap';
import { Netlink } from '../../../src/api/netlink.js';
import { NetlinkClient } from '../../../src/netlink/client.js';
import { decodeDatagram, type Message } from '../../../src/netlink/message.js';
import { routeProtocol } from '../../../src/rtnetlink/index.js';
import { createMockKernel, type MockKernel } from '../../../src/testing/index.js';

const NEW = ['NLM_F_CREATE', 'NLM_F_EXCL'];
const client = (k: MockKernel, netns = '', opts = {}) => new NetlinkClient(k.transport({ netns, ...opts }), routeProtocol());
const veth = (name: string, peer: string, extra: Record<string, unknown> = {}) => ({
  type: 'RTM_NEWLINK',
  flags: NEW,
  header: {},
  attrs: { ifname: name, linkinfo: { kind: 'veth', data: { peer: { header: {}, attrs: { ifname: peer, ...extra } } } } },
});
const names = (ms: Message[]) => ms.map((m) => `${String(m.type)} ${(m.attrs as { ifname?: string; local?: string; address?: string; dst?: string }).ifname ?? (m.attrs as { local?: string }).local ?? (m.attrs as { address?: string }).address ?? (m.attrs as { dst?: string }).dst ?? ''}`);

async function drain(sub: AsyncIterable<unknown>, n: number): Promise<Message[]> {
  const out: Message[] = [];
  for await (const ev of sub) {
    out.push(ev as Message);
    if (out.length >= n) break;
  }
  return out;
}

t.test('notifications reach the sockets of the namespace that joined the group', async (t) => {
  const k = createMockKernel();
  k.netns.add('red');
  // A client hands every notification to each of its subscriptions: one client per group here.
  const monitor = client(k);
  const monitor2 = client(k);
  const other = client(k, 'red');
  const links = monitor.subscribe([1]);
  const addrs = monitor2.subscribe([5]);
  const redLinks = other.subscribe([1]);
  const c = client(k);
  await c.request(veth('v0', 'v1'));
  await c.request({ type: 'RTM_NEWADDR', flags: NEW, header: { family: 2, prefixlen: 24, index: 3 }, attrs: { local: '10.123.1.1', address: '10.123.1.1' } });
  await c.request({ type: 'RTM_DELLINK', header: { index: 3 }, attrs: {} });
  t.same(names(await drain(links, 4)), ['RTM_NEWLINK v1', 'RTM_NEWLINK v0', 'RTM_DELLINK v0', 'RTM_DELLINK v1']);
  t.same(names(await drain(addrs, 2)), ['RTM_NEWADDR 10.123.1.1', 'RTM_DELADDR 10.123.1.1']);
  const seen = await Promise.race([drain(redLinks, 1), new Promise<'none'>((r) => setTimeout(() => r('none'), 50))]);
  t.equal(seen, 'none', 'another namespace hears nothing');
  for (const x of [monitor, monitor2, other, c]) x.close();
});

t.test('NLM_F_ECHO answers with the notification, before the ACK', async (t) => {
  const k = createMockKernel();
  const c = client(k);
  const [echo] = await c.request({ ...veth('v0', 'v1'), flags: [...NEW, 'NLM_F_ECHO'] });
  t.equal(echo?.type, 'RTM_NEWLINK');
  t.equal((echo?.header as { change: number }).change, 0xffffffff, 'a new link, change ~0');
  t.equal((echo?.attrs as { ifname: string }).ifname, 'v0');
  c.close();
});

t.test('socket options: without CAP_ACK the request comes back, without EXT_ACK no text', async (t) => {
  const k = createMockKernel();
  const raw = k.transport({ capAck: false, extAck: false });
  const c = new NetlinkClient(raw, routeProtocol());
  const seen: Message[] = [];
  const orig = raw.receive.bind(raw);
  raw.receive = () => {
    const d = orig();
    if (d) seen.push(...decodeDatagram(routeProtocol(), d));
    return d;
  };
  await t.rejects(c.request({ type: 'RTM_NEWADDR', flags: NEW, header: { family: 2, prefixlen: 33, index: 1 }, attrs: { local: '10.123.1.1' } }), { code: 'EINVAL', kernelMessage: undefined });
  const err = seen.find((m) => m.type === 'NLMSG_ERROR')!;
  t.notOk(err.flags.includes('NLM_F_CAPPED'));
  t.match((err.header as { msg: { payload?: string } }).msg.payload, /^02210000/, 'the request payload is echoed');
  c.close();
});

t.test('requests the mock does not know, and namespace errors', async (t) => {
  const k = createMockKernel();
  const c = client(k);
  await t.rejects(c.request({ type: 'RTM_NEWRULE', header: { family: 2 }, attrs: {} }), { code: 'EOPNOTSUPP' });
  t.throws(() => k.netns.add(''), /invalid name/);
  k.netns.add('a');
  t.throws(() => k.netns.add('a'), /exists/);
  t.throws(() => k.netns.delete(''), /initial namespace/);
  t.throws(() => k.transport({ netns: 'nope' }), /no network namespace "nope"/);
  t.same(k.netns.list(), ['', 'a']);
  t.ok(k.netns.has('a'));
  c.close();
});

t.test('deleting a namespace deletes the veth ends elsewhere and closes its sockets', async (t) => {
  const k = createMockKernel();
  k.netns.add('red');
  const c = client(k);
  const inRed = k.transport({ netns: 'red' });
  await c.request(veth('h0', 'r0', { net_ns_fd: k.netns.fd('red') }));
  const before = await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: {} }).collect();
  t.same(before.map((m) => (m.attrs as { ifname: string }).ifname), ['lo', 'h0']);
  t.equal((before[1]!.attrs as { link_netnsid?: number }).link_netnsid, 0, 'the peer namespace got id 0');
  k.netns.delete('red');
  t.ok(inRed.closed);
  const after = await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: {} }).collect();
  t.same(after.map((m) => (m.attrs as { ifname: string }).ifname), ['lo']);
  c.close();
});

t.test('ifindexes go up, per namespace, and are not reused at once', async (t) => {
  const k = createMockKernel();
  k.netns.add('b');
  const c = client(k);
  await c.request(veth('a0', 'a1'));
  await c.request({ type: 'RTM_DELLINK', header: {}, attrs: { ifname: 'a0' } });
  await c.request(veth('a2', 'a3'));
  const idx = (await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: {} }).collect()).map((m) => (m.header as { index: number }).index);
  t.same(idx, [1, 4, 5], 'a3 gets 4, a2 5');
  const cb = client(k, 'b');
  await cb.request(veth('b0', 'b1'));
  t.same((await cb.dump({ type: 'RTM_GETLINK', header: {}, attrs: {} }).collect()).map((m) => (m.header as { index: number }).index), [1, 2, 3]);
  await c.request({ type: 'RTM_NEWLINK', flags: NEW, header: { index: 42 }, attrs: { ifname: 'x42', linkinfo: { kind: 'bridge' } } });
  t.equal((await k.transport() && (await c.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'x42' } }))[0]!.header as { index: number }).index, 42, 'an ifindex can be asked for');
  c.close();
  cb.close();
});

t.test('a dummy device is up without a carrier change: operstate UNKNOWN', async (t) => {
  const k = createMockKernel();
  const nl = await Netlink.open({ transport: k.transport() });
  await nl.link.add({ name: 'd0', type: 'dummy', up: true });
  const d = await nl.link.get('d0');
  t.equal(d.operstate, 'UNKNOWN');
  t.same(d.flags, ['BROADCAST', 'NOARP', 'UP', 'LOWER_UP']);
  t.equal(d.qdisc, 'noqueue');
  nl.close();
});

t.test('tun/tap devices through the hook, as /dev/net/tun makes them', async (t) => {
  const k = createMockKernel();
  const nl = await Netlink.open({ transport: k.transport() });
  await t.rejects(nl.client.request({ type: 'RTM_NEWLINK', flags: NEW, header: {}, attrs: { ifname: 'tap9', linkinfo: { kind: 'tun' } } }), {
    code: 'EOPNOTSUPP',
    kernelMessage: 'tun/tap creation via rtnetlink is not supported.',
  });
  t.same(k.tuntap.create({ name: 'tap%d', mode: 'tap' }), { name: 'tap0', index: 2 });
  k.tuntap.create({ name: 'tun0', mode: 'tun', attached: true, owner: 1000 });
  const tap = await nl.link.get('tap0');
  t.equal(tap.kind, 'tun');
  t.equal(tap.linkType, 'ether');
  t.equal(tap.lowerUp, false, 'nobody holds it open: no carrier');
  const tun = await nl.link.get('tun0');
  t.equal(tun.linkType, 'none');
  t.equal(tun.address, undefined);
  t.equal(tun.carrier, true);
  k.tuntap.delete('tap0');
  t.equal(await nl.link.exists('tap0'), false);
  t.throws(() => k.tuntap.delete('lo'), /no tun\/tap device "lo"/);
  nl.close();
});

t.test('strict dumps filter in the kernel and say so', async (t) => {
  const k = createMockKernel();
  const c = client(k);
  await c.request({ type: 'RTM_NEWLINK', flags: NEW, header: {}, attrs: { ifname: 'br0', linkinfo: { kind: 'bridge' } } });
  await c.request(veth('p0', 'p1'));
  await c.request({ type: 'RTM_NEWLINK', header: {}, attrs: { ifname: 'p0', master: 2 } });
  const ports = await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: { master: 2 } }).collect();
  t.same(ports.map((m) => [(m.attrs as { ifname: string }).ifname, m.flags.includes('NLM_F_DUMP_FILTERED')]), [['p0', true]]);
  const bridges = await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: { linkinfo: { kind: 'bridge' } } }).collect();
  t.same(bridges.map((m) => (m.attrs as { ifname: string }).ifname), ['br0']);
  c.close();
  const loose = client(k, '', { strictCheck: false });
  t.equal((await loose.dump({ type: 'RTM_GETLINK', header: {}, attrs: { master: 2 } }).collect()).length, 4, 'without strict checking, no filtering');
  loose.close();
});

t.test('nsids: set, get, list, and the kernel texts of the refusals', async (t) => {
  const k = createMockKernel();
  k.netns.add('a');
  k.netns.add('b');
  const c = client(k);
  await c.request({ type: 'RTM_NEWNSID', header: {}, attrs: { fd: k.netns.fd('a'), nsid: 5 } });
  await t.rejects(c.request({ type: 'RTM_NEWNSID', header: {}, attrs: { fd: k.netns.fd('a'), nsid: 6 } }), { code: 'EEXIST', kernelMessage: 'Peer netns already has a nsid assigned', attributePath: 'NETNSA_FD' });
  await t.rejects(c.request({ type: 'RTM_NEWNSID', header: {}, attrs: { fd: k.netns.fd('b'), nsid: 5 } }), { code: 'EEXIST', kernelMessage: 'The specified nsid is already used', attributePath: 'NETNSA_NSID' });
  const [m] = await c.request({ type: 'RTM_GETNSID', header: {}, attrs: { fd: k.netns.fd('a') } });
  t.equal((m!.attrs as { nsid: number }).nsid, 5);
  const [none] = await c.request({ type: 'RTM_GETNSID', header: {}, attrs: { fd: k.netns.fd('b') } });
  t.equal((none!.attrs as { nsid: number }).nsid, -1, 'not assigned');
  await c.request({ type: 'RTM_NEWNSID', header: {}, attrs: { fd: k.netns.fd('b'), nsid: -1 } });
  t.same((await c.dump({ type: 'RTM_GETNSID', header: {}, attrs: {} }).collect()).map((x) => (x.attrs as { nsid: number }).nsid), [0, 5]);
  c.close();
});

t.test('the same seed gives the same MAC addresses', async (t) => {
  const macs = async (seed: number) => {
    const k = createMockKernel({ seed });
    const nl = await Netlink.open({ transport: k.transport() });
    await nl.link.add({ name: 'v0', type: 'veth', peer: { name: 'v1' } });
    const out = (await nl.link.list().collect()).map((l) => l.address);
    nl.close();
    return out;
  };
  t.same(await macs(7), await macs(7));
  t.not(JSON.stringify(await macs(7)), JSON.stringify(await macs(8)));
  t.equal(createMockKernel().release, '6.18.0-nlkit-mock');
});

t.test('the high-level API runs unchanged on the mock', async (t) => {
  const k = createMockKernel();
  k.netns.add('pod');
  const host = await Netlink.open({ transport: k.transport() });
  const pod = await Netlink.open({ transport: k.transport({ netns: 'pod' }) });
  await host.link.add({ name: 'br0', type: 'bridge', up: true });
  await host.link.add({ name: 'veth0', type: 'veth', peer: { name: 'eth0', netns: { fd: k.netns.fd('pod') } } });
  await host.link.set('veth0', { master: 'br0', up: true });
  await pod.link.set('eth0', { up: true });
  await pod.link.set('lo', { up: true });
  await pod.addr.add('eth0', '10.123.8.2/24');
  await pod.route.add({ dst: 'default', gateway: '10.123.8.1' });
  const eth0 = await pod.link.get('eth0');
  t.equal(eth0.operstate, 'UP', 'the pair has carrier once both ends are up');
  t.equal(eth0.linkNetnsid, 0);
  const routes = (await pod.route.list({ table: 'main' }).collect()).map((r) => `${r.dst} ${r.gateway ?? ''}`.trim());
  t.same(routes, ['default 10.123.8.1', '10.123.8.0/24', 'fe80::/64'], 'with the link-local prefix IPv6 made');
  const br = await host.link.get('br0');
  t.equal(br.operstate, 'UP');
  t.equal((await host.link.get('veth0')).master, 'br0');
  await t.rejects(host.link.add({ name: 'br0', type: 'bridge' }), { code: 'EEXIST' });
  host.close();
  pod.close();
});
