// nl.neigh over a fake kernel: the requests are those iproute2 sends for the same commands
// (recorded bytes below), bad input is refused before anything is sent, and the typed Neighbour
// is built from the kernel's messages.
import t from 'tap';
import { isNetlinkError } from '../../../src/netlink/errors.js';
import type { Netlink } from '../../../src/api/netlink.js';
import { toNeighbour } from '../../../src/api/neigh.js';
import { comparable, decodeHex, fakeNetlink, refuses } from './fake-kernel.js';

// What iproute2 6.1.0 sent (kernel 6.18), recorded with
//   strace -f -xx -e trace=sendmsg -e write=all ip ... / bridge ...
// in a fresh network namespace where lo = 1, veth1 = 2 (a port of br0), veth0 = 3, br0 = 4,
// vx0 = 5 (vxlan); cut at nlmsg_len (iproute2 sends dump requests from a larger, zeroed buffer).
// seq/pid are iproute2's. Some commands failed when recorded (a vlan on a bridge without VLAN
// filtering, a missing entry): the request is what counts here.
const RECORDED: Array<[string, string, (nl: Netlink) => Promise<unknown>]> = [
  [
    "ip neigh add 10.123.1.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent",
    '300000001c00050693e00a6b00000000020000000300000080000000080001000a7b01050a0002000200000000050000',
    (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05', state: 'permanent' }),
  ],
  [
    "ip neigh replace 10.123.1.6 lladdr 02:00:00:00:00:06 dev veth0 nud reachable",
    '300000001c00050593e00a6b00000000020000000300000002000000080001000a7b01060a0002000200000000060000',
    (nl) => nl.neigh.replace({ dev: 'veth0', dst: '10.123.1.6', lladdr: '02:00:00:00:00:06', state: 'reachable' }),
  ],
  [
    "ip neigh add proxy 10.123.1.9 dev veth0",
    '240000001c00050693e00a6b00000000020000000300000080000800080001000a7b0109',
    (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.9', proxy: true }),
  ],
  [
    "ip neigh del 10.123.1.5 dev veth0",
    '240000001d00050093e00a6b00000000020000000300000080000000080001000a7b0105',
    (nl) => nl.neigh.del({ dev: 'veth0', dst: '10.123.1.5' }),
  ],
  [
    "ip neigh del proxy 10.123.1.9 dev veth0",
    '240000001d00050078e00a6b00000000020000000300000080000800080001000a7b0109',
    (nl) => nl.neigh.del({ dev: 'veth0', dst: '10.123.1.9', proxy: true }),
  ],
  [
    "ip -6 neigh add fd00:123::5 lladdr 02:00:00:00:00:15 dev veth0 router nud permanent",
    '3c0000001c00050693e00a6b000000000a000000030000008000800014000100fd0001230000000000000000000000050a0002000200000000150000',
    (nl) => nl.neigh.add({ dev: 'veth0', dst: 'fd00:123::5', lladdr: '02:00:00:00:00:15', router: true }),
  ],
  [
    "ip neigh add 10.123.1.10 lladdr 02:00:00:00:00:05 dev veth0 extern_learn nud stale",
    '300000001c00050678e00a6b00000000020000000300000004001000080001000a7b010a0a0002000200000000050000',
    (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.10', lladdr: '02:00:00:00:00:05', externLearn: true, state: 'stale' }),
  ],
  [
    "ip -4 neigh show dev veth0",
    '240000001e00010378e00a6b000000000200000000000000000000000800080003000000',
    (nl) => nl.neigh.list({ family: 'inet', dev: 'veth0' }).collect(),
  ],
  [
    "ip -6 neigh show proxy",
    '1c0000001e00010378e00a6b000000000a0000000000000000000800',
    (nl) => nl.neigh.list({ family: 'inet6', proxy: true }).collect(),
  ],
];

for (const [cmd, hex, call] of RECORDED) {
  t.test(`same request as: ${cmd}`, async (t) => {
    const f = await fakeNetlink();
    await call(f.nl);
    const expected = decodeHex(hex);
    t.equal(f.requests.length, 1, 'one request besides interface lookups');
    t.strictSame(comparable(f.requests[0]!), comparable(expected[0]!));
    f.nl.close();
  });
}

const neighMsg = (family: number, dst: string, state: number, flags: number, lladdr?: string) => ({
  type: 'RTM_NEWNEIGH',
  header: { family, ifindex: 3, state, flags, type: 1 },
  attrs: { dst, ...(lladdr !== undefined && { lladdr }), probes: 0, cacheinfo: { confirmed: 100, used: 200, updated: 300, refcnt: 1 } },
});

t.test('toNeighbour: states, flags and names', async (t) => {
  const n = toNeighbour({ ...neighMsg(10, 'fd00:123::5', 0x80, 0x80, '02:00:00:00:00:15'), flags: [], seq: 0, pid: 0 }, new Map([[3, 'veth0']]))!;
  t.match(n, { family: 'inet6', dst: 'fd00:123::5', dev: 'veth0', ifindex: 3, lladdr: '02:00:00:00:00:15', state: ['permanent'], flags: ['router'], router: true, proxy: false, externLearn: false, probes: 0 });
  t.strictSame(n.cacheinfo, { confirmed: 100, used: 200, updated: 300, refcnt: 1 });
  const p = toNeighbour({ type: 'RTM_NEWNEIGH', flags: [], seq: 0, pid: 0, header: { family: 2, ifindex: 3, state: 0, flags: 0x18 }, attrs: { dst: '10.123.1.9', flags_ext: 1 } })!;
  t.match(p, { state: ['none'], proxy: true, externLearn: true, flags: ['proxy', 'ext_learned', 'managed'], lladdr: undefined, cacheinfo: undefined });
  t.equal(toNeighbour({ type: 'RTM_NEWNEIGH', flags: [], seq: 0, pid: 0, header: { family: 7 }, attrs: {} }), undefined, 'bridge FDB entries are not neighbours');
});

t.test('list filters state and router here; proxies only when asked', async (t) => {
  const f = await fakeNetlink((m) => {
    if (m.type !== 'RTM_GETNEIGH' || (m.header as { family: number }).family !== 2) return undefined;
    if ((m.header as { flags: number }).flags === 8) return { replies: [neighMsg(2, '10.123.1.9', 0, 8)] };
    return { replies: [neighMsg(2, '10.123.1.5', 0x80, 0, '02:00:00:00:00:05'), neighMsg(2, '10.123.1.6', 0x02, 0x80, '02:00:00:00:00:06'), neighMsg(2, '10.123.1.7', 0x04, 0, '02:00:00:00:00:07')] };
  });
  const dsts = async (filter: Parameters<Netlink['neigh']['list']>[0]) => (await f.nl.neigh.list(filter).collect()).map((n) => n.dst);
  t.strictSame(await dsts({}), ['10.123.1.5', '10.123.1.6', '10.123.1.7']);
  t.strictSame(await dsts({ state: 'permanent' }), ['10.123.1.5']);
  t.strictSame(await dsts({ state: ['reachable', 'stale'] }), ['10.123.1.6', '10.123.1.7']);
  t.strictSame(await dsts({ router: true }), ['10.123.1.6']);
  t.strictSame(await dsts({ proxy: true }), ['10.123.1.9']);
  f.nl.close();
});

// Bad input: an ArgumentError naming the argument, and nothing sent.
const BAD: Array<[string, (nl: Netlink) => Promise<unknown>, string]> = [
  ['bad MAC: too few bytes', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00' + ':zz' }), 'lladdr'],
  ['bad MAC: not hex', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: 'gg:00:00:00:00:05' }), 'lladdr'],
  ['bad MAC: three digits', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '002:00:00:00:00:05' }), 'lladdr'],
  ['bad MAC: empty', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '' }), 'lladdr'],
  ['dst with a prefix', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.0/24', lladdr: '02:00:00:00:00:05' }), 'dst'],
  ['dst of five octets', (nl) => nl.neigh.add({ dev: 'veth0', dst: '1.2.3.4.5', lladdr: '02:00:00:00:00:05' }), 'dst'],
  ['no dst', (nl) => nl.neigh.add({ dev: 'veth0' } as never), 'dst'],
  ['no dev', (nl) => nl.neigh.add({ dst: '10.123.1.5' } as never), 'dev'],
  ['bad dev', (nl) => nl.neigh.add({ dev: 'veth 0', dst: '10.123.1.5' }), 'dev'],
  ['unknown state', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05', state: 'perm' as 'permanent' }), 'state'],
  ['lladdr on a proxy', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05', proxy: true }), 'lladdr'],
  ['router not boolean', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', router: 'yes' as unknown as boolean }), 'router'],
  ['unknown option', (nl) => nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', mac: '02:00:00:00:00:05' } as never), 'neighbour'],
  ['del: lladdr is not a selector', (nl) => nl.neigh.del({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05' } as never), 'neighbour'],
  ['list: unknown state', (nl) => nl.neigh.list({ state: 'up' as 'stale' }).collect(), 'state'],
  ['list: empty state list', (nl) => nl.neigh.list({ state: [] }).collect(), 'state'],
  ['list: unknown filter', (nl) => nl.neigh.list({ nud: 'stale' } as never).collect(), 'filter'],
];

for (const [name, call, argument] of BAD) {
  t.test(`refused before sending: ${name}`, async (t) => {
    const f = await fakeNetlink();
    await refuses(t, Promise.resolve().then(() => call(f.nl)), argument);
    t.equal(f.t.sent.length, 0, 'nothing was sent');
    f.nl.close();
  });
}

t.test('kernel refusals come through in its words', async (t) => {
  const f = await fakeNetlink((m) => (m.type === 'RTM_NEWNEIGH' ? { errno: 22, message: 'No link layer address given' } : m.type === 'RTM_DELNEIGH' ? { errno: 2 } : undefined));
  const e = await f.nl.neigh.add({ dev: 'veth0', dst: '10.123.1.8' }).catch((x: unknown) => x);
  t.ok(isNetlinkError(e) && e.code === 'EINVAL' && e.kernelMessage === 'No link layer address given');
  const d = await f.nl.neigh.del({ dev: 'veth0', dst: '10.123.1.99' }).catch((x: unknown) => x);
  t.ok(isNetlinkError(d) && d.code === 'ENOENT');
  f.nl.close();
});
