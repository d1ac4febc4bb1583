// nl.addr over a fake kernel: the requests are those iproute2 sends for the same commands (recorded
// bytes below), bad input is refused before anything is sent, and the typed Address is built from
// the kernel's messages as `ip -j addr` describes them.
import t from 'tap';
import { isNetlinkError } from '../../../src/netlink/errors.js';
import type { Netlink } from '../../../src/api/netlink.js';
import { toAddress } from '../../../src/api/addr.js';
import { comparable, decodeHex, fakeNetlink, refuses } from './fake-kernel.js';

// What iproute2 6.1.0 sent (kernel 6.18), recorded with
//   strace -f -xx -e trace=sendmsg -e write=all ip ...
// in a fresh network namespace where lo = 1, veth1 = 2, veth0 = 3, br0 = 4, vx0 = 5; cut at
// nlmsg_len (iproute2 sends dump requests from a larger, zeroed buffer). seq/pid are iproute2's.
const RECORDED: Array<[string, string, (nl: Netlink) => Promise<unknown>]> = [
  ['ip addr add 10.123.1.1/24 dev veth0', '280000001400050692e00a6b000000000218000003000000080002000a7b0101080001000a7b0101', (nl) => nl.addr.add('veth0', '10.123.1.1/24')],
  [
    'ip addr add 10.123.1.2/24 brd + dev veth0 label veth0:a',
    '3c0000001400050692e00a6b000000000218000003000000080002000a7b01020c00030076657468303a6100080001000a7b0102080004000a7b01ff',
    (nl) => nl.addr.add('veth0', '10.123.1.2/24', { broadcast: '+', label: 'veth0:a' }),
  ],
  [
    'ip addr add 10.123.2.1 peer 10.123.2.2/32 dev veth0',
    '280000001400050692e00a6b000000000220000003000000080002000a7b0201080001000a7b0202',
    (nl) => nl.addr.add('veth0', '10.123.2.1', { peer: '10.123.2.2/32' }),
  ],
  [
    'ip addr add 10.123.7.1/24 peer 10.123.8.1/24 dev veth0',
    '280000001400050677e00a6b000000000218000003000000080002000a7b0701080001000a7b0801',
    (nl) => nl.addr.add('veth0', '10.123.7.1/24', { peer: '10.123.8.1/24' }),
  ],
  [
    'ip addr add 10.123.3.1/24 dev veth0 scope link valid_lft 100 preferred_lft 50 noprefixroute metric 55',
    '4c0000001400050692e00a6b00000000021800fd03000000080002000a7b030108000900370000000800080000020000080001000a7b03011400060032000000640000000000000000000000',
    (nl) => nl.addr.add('veth0', '10.123.3.1/24', { scope: 'link', validLft: 100, preferredLft: 50, noprefixroute: true, metric: 55 }),
  ],
  [
    'ip addr add fd00:123::1/64 dev veth0 nodad',
    '400000001400050692e00a6b000000000a4002000300000014000200fd00012300000000000000000000000114000100fd000123000000000000000000000001',
    (nl) => nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true }),
  ],
  [
    'ip -6 addr add fd00:123:9::1/64 dev veth0 home mngtmpaddr',
    '480000001400050692e00a6b000000000a4000000300000014000200fd000123000900000000000000000001080008001001000014000100fd000123000900000000000000000001',
    (nl) => nl.addr.add('veth0', 'fd00:123:9::1/64', { homeaddress: true, managetempaddr: true }),
  ],
  ['ip addr replace 10.123.1.2/24 dev veth0', '280000001400050592e00a6b000000000218000003000000080002000a7b0102080001000a7b0102', (nl) => nl.addr.replace('veth0', '10.123.1.2/24')],
  [
    'ip addr add 10.123.4.1/24 broadcast 10.123.4.255 dev veth0',
    '300000001400050692e00a6b000000000218000003000000080002000a7b0401080004000a7b04ff080001000a7b0401',
    (nl) => nl.addr.add('veth0', '10.123.4.1/24', { broadcast: '10.123.4.255' }),
  ],
  ['ip addr add 10.123.1.2/31 brd + dev veth0', '28000000140005066ade0a6b00000000021f000003000000080002000a7b0102080001000a7b0102', (nl) => nl.addr.add('veth0', '10.123.1.2/31', { broadcast: '+' })],
  ['ip addr add 127.0.0.2/8 dev lo', '280000001400050677e00a6b00000000020800fe01000000080002007f000002080001007f000002', (nl) => nl.addr.add('lo', '127.0.0.2/8')],
  ['ip addr del 10.123.4.1/24 dev veth0', '280000001500050092e00a6b000000000218000003000000080002000a7b0401080001000a7b0401', (nl) => nl.addr.del('veth0', '10.123.4.1/24')],
  ['ip addr del 10.123.7.1 dev veth0', '200000001500050077e00a6b000000000220000003000000080002000a7b0701', (nl) => nl.addr.del('veth0', '10.123.7.1')],
  [
    'ip addr del fd00:123::1/64 dev veth0',
    '400000001500050077e00a6b000000000a4000000300000014000200fd00012300000000000000000000000114000100fd000123000000000000000000000001',
    (nl) => nl.addr.del('veth0', 'fd00:123::1/64'),
  ],
  ['ip -4 addr show dev veth0', '180000001600010378e00a6b000000000200000003000000', (nl) => nl.addr.list({ dev: 'veth0', family: 'inet' }).collect()],
  ['ip -6 addr show', '180000001600010378e00a6b000000000a00000000000000', (nl) => nl.addr.list({ family: 'inet6' }).collect()],
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

t.test('list() without a family dumps IPv4 then IPv6 (both as iproute2 would for -4 / -6)', async (t) => {
  const f = await fakeNetlink();
  await f.nl.addr.list().collect();
  t.strictSame(
    f.requests.map((m) => m.header),
    [
      { family: 2, prefixlen: 0, flags: 0, scope: 0, index: 0 },
      { family: 10, prefixlen: 0, flags: 0, scope: 0, index: 0 },
    ],
  );
  f.nl.close();
});

// Bad input: an ArgumentError naming the argument, and nothing sent (not even the interface lookup).
const BAD: Array<[string, (nl: Netlink) => Promise<unknown>, string]> = [
  ['prefix too long (v4)', (nl) => nl.addr.add('veth0', '10.0.0.1/33'), 'address'],
  ['three octets', (nl) => nl.addr.add('veth0', '10.0.0'), 'address'],
  ['prefix too long (v6)', (nl) => nl.addr.add('veth0', 'fd00::1/129'), 'address'],
  ['five octets', (nl) => nl.addr.add('veth0', '1.2.3.4.5'), 'address'],
  ['empty', (nl) => nl.addr.add('veth0', ''), 'address'],
  ['default is no address', (nl) => nl.addr.add('veth0', 'default'), 'address'],
  ['octet > 255', (nl) => nl.addr.add('veth0', '10.0.0.256/24'), 'address'],
  ['not a string', (nl) => nl.addr.add('veth0', 42 as unknown as string), 'address'],
  ['peer of the other family', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { peer: 'fd00:123::2' }), 'peer'],
  ['broadcast for IPv6', (nl) => nl.addr.add('veth0', 'fd00:123::1/64', { broadcast: '+' }), 'broadcast'],
  ['broadcast of the other family', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { broadcast: 'fd00::ff' }), 'broadcast'],
  ['broadcast with a prefix', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { broadcast: '10.123.1.255/24' }), 'broadcast'],
  ['label not starting with the device', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { label: 'foo' }), 'label'],
  ['label with the device as a mere prefix', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { label: 'veth0x' }), 'label'],
  ['label too long', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { label: 'veth0:0123456789' }), 'label'],
  ['label on IPv6', (nl) => nl.addr.add('veth0', 'fd00:123::1/64', { label: 'veth0:a' }), 'label'],
  ['unknown scope', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { scope: 'galaxy' as 'global' }), 'scope'],
  ['scope out of range', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { scope: 256 }), 'scope'],
  ['preferred > valid', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { validLft: 10, preferredLft: 20 }), 'preferredLft'],
  ['preferred forever, valid finite', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { validLft: 10 }), 'preferredLft'],
  ['negative lifetime', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { validLft: -1 }), 'validLft'],
  ['nodad on IPv4', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { nodad: true }), 'nodad'],
  ['non-boolean flag', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { noprefixroute: 'yes' as unknown as boolean }), 'noprefixroute'],
  ['metric out of range', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { metric: 2 ** 32 }), 'metric'],
  ['unknown option', (nl) => nl.addr.add('veth0', '10.123.1.1/24', { brd: '+' } as never), 'options'],
  ['bad device name', (nl) => nl.addr.add('veth0/x', '10.123.1.1/24'), 'dev'],
  ['device name too long', (nl) => nl.addr.add('a-very-long-device-name', '10.123.1.1/24'), 'dev'],
  ['device index 0', (nl) => nl.addr.add(0, '10.123.1.1/24'), 'dev'],
  ['del: bad address', (nl) => nl.addr.del('veth0', '10.0.0.1/33'), 'address'],
  ['del: unknown option', (nl) => nl.addr.del('veth0', '10.0.0.1/24', { scope: 'link' } as never), 'options'],
  ['flush without arguments', (nl) => nl.addr.flush(), 'dev'],
  ['flush: dev in the filter', (nl) => nl.addr.flush(undefined, { dev: 'veth0' } as never), 'filter'],
  ['list: unknown filter', (nl) => nl.addr.list({ device: 'veth0' } as never).collect(), 'filter'],
  ['list: bad family', (nl) => nl.addr.list({ family: 'ipx' as 'inet' }).collect(), 'family'],
];

for (const [name, call, argument] of BAD) {
  t.test(`refused before sending: ${name}`, async (t) => {
    const f = await fakeNetlink();
    await refuses(t, Promise.resolve().then(() => call(f.nl)), argument);
    t.equal(f.t.sent.length, 0, 'nothing was sent');
    f.nl.close();
  });
}

t.test('the kernel refusal comes through in its words', async (t) => {
  const f = await fakeNetlink((m) => (m.type === 'RTM_NEWADDR' ? { errno: 17, message: 'ipv4: Address already assigned' } : undefined));
  const e = await f.nl.addr.add('veth0', '10.123.1.1/24').catch((x: unknown) => x);
  t.ok(isNetlinkError(e));
  if (isNetlinkError(e)) {
    t.equal(e.code, 'EEXIST');
    t.equal(e.kernelMessage, 'ipv4: Address already assigned');
    t.equal(e.message, 'RTM_NEWADDR: File exists: ipv4: Address already assigned');
  }
  f.nl.close();
});

t.test('an unknown device is ENODEV with iproute2 wording, and nothing else is sent', async (t) => {
  const f = await fakeNetlink();
  const e = await f.nl.addr.add('nope0', '10.123.1.1/24').catch((x: unknown) => x);
  t.ok(isNetlinkError(e) && e.code === 'ENODEV' && e.message.includes('Cannot find device "nope0"'));
  t.equal(f.requests.length, 0);
  f.nl.close();
});

t.test('toAddress: as ip -j addr describes the kernel messages', async (t) => {
  const v4 = {
    type: 'RTM_NEWADDR',
    flags: ['NLM_F_MULTI'],
    seq: 1,
    pid: 1,
    header: { family: 2, prefixlen: 24, flags: 0x80, scope: 0, index: 3 },
    attrs: { address: '10.123.1.2', local: '10.123.1.2', broadcast: '10.123.1.255', label: 'veth0:a', flags: 0x81, cacheinfo: { prefered: 0xffffffff, valid: 0xffffffff, cstamp: 1, tstamp: 1 } },
  };
  const a = toAddress(v4, new Map([[3, 'veth0']]))!;
  t.match(a, { family: 'inet', index: 3, dev: 'veth0', address: '10.123.1.2', prefixlen: 24, cidr: '10.123.1.2/24', peer: undefined, broadcast: '10.123.1.255', label: 'veth0:a', scope: 'global', validLft: 'forever', preferredLft: 'forever' });
  t.strictSame(a.flags, ['secondary', 'permanent'], 'IFA_FLAGS wins over the header byte');
  const p2p = toAddress({ ...v4, header: { ...v4.header, prefixlen: 32 }, attrs: { address: '10.123.2.2', local: '10.123.2.1', cacheinfo: { prefered: 50, valid: 100 } } })!;
  t.match(p2p, { address: '10.123.2.1', peer: '10.123.2.2', validLft: 100, preferredLft: 50, flags: ['permanent'] });
  const v6 = toAddress({ ...v4, header: { family: 10, prefixlen: 64, flags: 0xc0, scope: 253, index: 9 }, attrs: { address: 'fe80::1', flags: 0xc0 } })!;
  t.match(v6, { family: 'inet6', address: 'fe80::1', local: undefined, peer: undefined, scope: 'link', dev: undefined, flags: ['tentative', 'permanent'] });
  t.equal(toAddress({ ...v4, header: { ...v4.header, family: 7 } }), undefined, 'other families are skipped');
});

t.test('list filters scope, label (glob) and permanence on the converted addresses', async (t) => {
  const msg = (local: string, scope: number, label: string, flags: number) => ({
    type: 'RTM_NEWADDR',
    header: { family: 2, prefixlen: 24, flags, scope, index: 3 },
    attrs: { address: local, local, label, flags },
  });
  const f = await fakeNetlink((m) =>
    m.type === 'RTM_GETADDR' && (m.header as { family: number }).family === 2
      ? { replies: [msg('10.123.1.1', 0, 'veth0', 0x80), msg('10.123.1.2', 253, 'veth0:a', 0x80), msg('10.123.1.3', 0, 'veth0:b', 0)] }
      : undefined,
  );
  const cidrs = async (filter: Parameters<Netlink['addr']['list']>[0]) => (await f.nl.addr.list(filter).collect()).map((a) => a.address);
  t.strictSame(await cidrs({}), ['10.123.1.1', '10.123.1.2', '10.123.1.3']);
  t.strictSame(await cidrs({ scope: 'link' }), ['10.123.1.2']);
  t.strictSame(await cidrs({ label: 'veth0:*' }), ['10.123.1.2', '10.123.1.3']);
  t.strictSame(await cidrs({ permanent: false }), ['10.123.1.3']);
  const devs = (await f.nl.addr.list().collect()).map((a) => a.dev);
  t.strictSame(devs, ['veth0', 'veth0', 'veth0'], 'names resolved from one link dump');
  f.nl.close();
});

t.test('flush: deletes what matches, counts secondaries deleted with their primary, repeats until none is left', async (t) => {
  let round = 0;
  const addr = (local: string, flags: number) => ({
    type: 'RTM_NEWADDR',
    header: { family: 2, prefixlen: 24, flags, scope: 0, index: 3 },
    attrs: { address: local, local, label: 'veth0', flags },
  });
  const f = await fakeNetlink((m) => {
    if (m.type === 'RTM_GETADDR') {
      if ((m.header as { family: number }).family !== 2) return undefined;
      round++;
      return round === 1 ? { replies: [addr('10.123.1.1', 0x80), addr('10.123.1.2', 0x81)] } : undefined;
    }
    // The primary takes its secondary with it: deleting the secondary then finds nothing.
    if (m.type === 'RTM_DELADDR' && (m.attrs as { local: string }).local === '10.123.1.2') return { errno: 99, message: 'ipv4: Address not found' };
    return undefined;
  });
  t.equal(await f.nl.addr.flush('veth0', { family: 'inet' }), 2);
  const dels = f.requests.filter((m) => m.type === 'RTM_DELADDR');
  t.strictSame(
    dels.map((m) => [m.header, m.attrs]),
    [
      [{ family: 2, prefixlen: 24, flags: 0, scope: 0, index: 3 }, { local: '10.123.1.1', address: '10.123.1.1', label: 'veth0' }],
      [{ family: 2, prefixlen: 24, flags: 0, scope: 0, index: 3 }, { local: '10.123.1.2', address: '10.123.1.2', label: 'veth0' }],
    ],
  );
  t.equal(round, 2, 'dumped again to see that nothing is left');
  f.nl.close();

  const g = await fakeNetlink((m) => (m.type === 'RTM_GETADDR' && (m.header as { family: number }).family === 2 ? { replies: [addr('10.123.1.1', 0x80)] } : m.type === 'RTM_DELADDR' ? { errno: 1 } : undefined));
  const e = await g.nl.addr.flush('veth0', { family: 'inet' }).catch((x: unknown) => x);
  t.ok(isNetlinkError(e) && e.code === 'EPERM', 'other refusals come through');
  g.nl.close();
});

t.test('del with a peer and a label', async (t) => {
  const f = await fakeNetlink();
  await f.nl.addr.del('veth0', '10.123.2.1', { peer: '10.123.2.2/32' });
  await f.nl.addr.del('veth0', '10.123.1.2/24', { label: 'veth0:a' });
  t.strictSame(
    f.requests.map((m) => [m.header, m.attrs]),
    [
      [{ family: 2, prefixlen: 32, flags: 0, scope: 0, index: 3 }, { local: '10.123.2.1', address: '10.123.2.2' }],
      [{ family: 2, prefixlen: 24, flags: 0, scope: 0, index: 3 }, { local: '10.123.1.2', address: '10.123.1.2', label: 'veth0:a' }],
    ],
  );
  await refuses(t, f.nl.addr.del('veth0', 'fd00::1/64', { label: 'veth0:a' }), 'label');
  f.nl.close();
});
