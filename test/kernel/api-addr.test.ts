// nl.addr against the real kernel, inside the private sandbox (see sandbox.ts). Every state is
// read through nlkit and cross-checked with iproute2 (`ip -j addr show`), and every refusal the
// kernel gives is checked in its own words.
import t, { type Test } from 'tap';
import { enterSandbox, ipJson } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import type { Address } from '../../src/api/addr.js';
import { isNetlinkError } from '../../src/netlink/errors.js';

await enterSandbox();

interface IpAddrInfo {
  family: string;
  local: string;
  address?: string;
  prefixlen: number;
  broadcast?: string;
  scope: string;
  label?: string;
  metric?: number;
  dynamic?: boolean;
  noprefixroute?: boolean;
  nodad?: boolean;
  tentative?: boolean;
  secondary?: boolean;
  home?: boolean;
  mngtmpaddr?: boolean;
  valid_life_time: number;
  preferred_life_time: number;
}

const nl = await Netlink.open();
t.teardown(() => nl.close());
await nl.link.set('lo', { up: true });
await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', up: true }, up: true });

/** `ip -j addr show dev DEV`'s addr_info. */
function ipAddrs(dev: string): IpAddrInfo[] {
  return ipJson<Array<{ addr_info: IpAddrInfo[] }>>(['addr', 'show', 'dev', dev])[0]?.addr_info ?? [];
}

/** nlkit's address `addr` of `dev` and iproute2's, which must both exist. */
async function both(t: Test, dev: string, addr: string): Promise<[Address, IpAddrInfo]> {
  const mine = (await nl.addr.list({ dev }).collect()).find((a) => a.address === addr);
  const theirs = ipAddrs(dev).find((a) => a.local === addr);
  t.ok(mine, `nlkit lists ${addr}`);
  t.ok(theirs, `ip lists ${addr}`);
  return [mine!, theirs!];
}

/** The properties both views share, compared. */
function sameAsIp(t: Test, a: Address, ip: IpAddrInfo): void {
  t.equal(a.family, ip.family, 'family');
  t.equal(a.prefixlen, ip.prefixlen, 'prefixlen');
  t.equal(a.broadcast, ip.broadcast, 'broadcast');
  t.equal(a.scope, ip.scope, 'scope');
  t.equal(a.label, ip.label, 'label');
  t.equal(a.peer, ip.address, 'peer');
  t.equal(a.metric, ip.metric, 'metric');
  t.equal(a.validLft === 'forever' ? 0xffffffff : a.validLft, ip.valid_life_time, 'valid lifetime');
  t.equal(a.preferredLft === 'forever' ? 0xffffffff : a.preferredLft, ip.preferred_life_time, 'preferred lifetime');
  t.equal(!a.flags.includes('permanent'), ip.dynamic === true, 'dynamic = not permanent');
  for (const [mine, theirs] of [
    ['noprefixroute', 'noprefixroute'],
    ['nodad', 'nodad'],
    ['secondary', 'secondary'],
    ['homeaddress', 'home'],
    ['managetempaddr', 'mngtmpaddr'],
  ] as const) {
    t.equal(a.flags.includes(mine), ip[theirs] === true, mine);
  }
}

async function kernelError(p: Promise<unknown>): Promise<{ code: string; kernelMessage: string | undefined; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNetlinkError(e)) throw new Error(`expected a NetlinkError, got ${String(e)}`);
  return e;
}

t.test('IPv4 with brd + and a label', async (t) => {
  await nl.addr.add('veth0', '10.123.1.1/24', { broadcast: '+', label: 'veth0:a' });
  const [a, ip] = await both(t, 'veth0', '10.123.1.1');
  t.match(a, { family: 'inet', dev: 'veth0', cidr: '10.123.1.1/24', broadcast: '10.123.1.255', label: 'veth0:a', scope: 'global', validLft: 'forever' });
  sameAsIp(t, a, ip);
});

t.test('IPv4 point-to-point with a peer', async (t) => {
  await nl.addr.add('veth0', '10.123.2.1', { peer: '10.123.2.2/32' });
  const [a, ip] = await both(t, 'veth0', '10.123.2.1');
  t.match(a, { prefixlen: 32, peer: '10.123.2.2', local: '10.123.2.1' });
  sameAsIp(t, a, ip);
  const route = (await nl.route.list({ dev: 'veth0', family: 'inet', dst: '10.123.2.2' }).collect())[0];
  t.match(route, { protocol: 'kernel', scope: 'link', prefsrc: '10.123.2.1' }, 'the kernel added the peer route');
});

t.test('scope link, lifetimes, noprefixroute, metric', async (t) => {
  await nl.addr.add('veth0', '10.123.3.1/24', { scope: 'link', validLft: 100, preferredLft: 50, noprefixroute: true });
  const [a, ip] = await both(t, 'veth0', '10.123.3.1');
  t.match(a, { scope: 'link', flags: ['noprefixroute'] });
  t.ok(typeof a.validLft === 'number' && a.validLft <= 100 && a.validLft > 90, `valid lifetime counts down from 100 (${a.validLft})`);
  t.ok(typeof a.preferredLft === 'number' && a.preferredLft <= 50, 'preferred lifetime');
  sameAsIp(t, a, ip);
  t.strictSame(await nl.route.list({ dst: '10.123.3.0/24' }).collect(), [], 'noprefixroute: no prefix route');

  await nl.addr.add('veth0', '10.123.4.1/24', { metric: 55 });
  const [b, ip2] = await both(t, 'veth0', '10.123.4.1');
  t.equal(b.metric, 55);
  sameAsIp(t, b, ip2);
  const [r] = await nl.route.list({ dst: '10.123.4.0/24' }).collect();
  t.match(r, { metric: 55, protocol: 'kernel' }, 'the prefix route has the metric');
});

t.test('a second address of the subnet is secondary; loopback addresses are host-scoped', async (t) => {
  await nl.addr.add('veth0', '10.123.1.2/24');
  const [a, ip] = await both(t, 'veth0', '10.123.1.2');
  t.ok(a.flags.includes('secondary'));
  sameAsIp(t, a, ip);
  await nl.addr.add('lo', '127.0.0.2/8');
  const [l, ipl] = await both(t, 'lo', '127.0.0.2');
  t.equal(l.scope, 'host');
  sameAsIp(t, l, ipl);
});

t.test('IPv6: nodad, home/mngtmpaddr, lifetimes', async (t) => {
  await nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true });
  const [a, ip] = await both(t, 'veth0', 'fd00:123::1');
  t.match(a, { family: 'inet6', prefixlen: 64, scope: 'global' });
  t.ok(a.flags.includes('nodad') && !a.flags.includes('tentative'), 'nodad: not tentative');
  sameAsIp(t, a, ip);
  await nl.addr.add('veth0', 'fd00:123:9::1/64', { homeaddress: true, managetempaddr: true, nodad: true, validLft: 300, preferredLft: 200 });
  const [b, ip2] = await both(t, 'veth0', 'fd00:123:9::1');
  sameAsIp(t, b, ip2);
  t.ok(b.flags.includes('homeaddress') && b.flags.includes('managetempaddr'));
});

t.test('replace changes an address in place', async (t) => {
  await nl.addr.replace('veth0', '10.123.1.1/24', { broadcast: '+', label: 'veth0:a', validLft: 600, preferredLft: 600 });
  const [a, ip] = await both(t, 'veth0', '10.123.1.1');
  t.ok(typeof a.validLft === 'number' && a.validLft <= 600);
  sameAsIp(t, a, ip);
});

t.test('list filters: family, scope, label', async (t) => {
  const v6 = await nl.addr.list({ dev: 'veth0', family: 'inet6' }).collect();
  t.ok(v6.length >= 3 && v6.every((a) => a.family === 'inet6'), 'family');
  t.ok(v6.some((a) => a.scope === 'link' && a.address.startsWith('fe80:')), 'the link-local address');
  const link = await nl.addr.list({ dev: 'veth0', scope: 'link' }).collect();
  t.strictSame(link.map((a) => a.address).sort(), ipAddrs('veth0').filter((a) => a.scope === 'link').map((a) => a.local).sort(), 'scope link as ip sees it');
  const labelled = await nl.addr.list({ label: 'veth0:*' }).collect();
  t.strictSame(labelled.map((a) => a.address), ['10.123.1.1']);
  const all = await nl.addr.list().collect();
  const ipAll = ipJson<Array<{ ifname: string; addr_info: IpAddrInfo[] }>>(['addr', 'show']).flatMap((l) => l.addr_info.map((a) => `${l.ifname} ${a.local}/${a.prefixlen}`));
  t.strictSame(all.map((a) => `${a.dev} ${a.cidr}`).sort(), ipAll.sort(), 'every address, as ip lists them');
});

t.test('kernel refusals, in the kernel words', async (t) => {
  let e = await kernelError(nl.addr.add('veth0', '10.123.1.1/24'));
  t.equal(e.code, 'EEXIST');
  t.equal(e.kernelMessage, 'ipv4: Address already assigned');
  t.equal(e.message, 'RTM_NEWADDR: File exists: ipv4: Address already assigned');
  e = await kernelError(nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true }));
  t.equal(e.code, 'EEXIST');
  t.equal(e.kernelMessage, 'ipv6: address already assigned');
  e = await kernelError(nl.addr.del('veth0', '10.123.9.9/24'));
  t.equal(e.code, 'EADDRNOTAVAIL');
  t.equal(e.kernelMessage, 'ipv4: Address not found');
  e = await kernelError(nl.addr.del('veth0', 'fd00:123::9/64'));
  t.equal(e.code, 'EADDRNOTAVAIL');
  t.equal(e.kernelMessage, 'ipv6: address not found');
  e = await kernelError(nl.addr.add('nope0', '10.123.9.9/24'));
  t.equal(e.code, 'ENODEV');
  t.match(e.message, 'Cannot find device "nope0"');
});

t.test('del, with and without the prefix length', async (t) => {
  await nl.addr.del('veth0', '10.123.4.1/24');
  t.notOk(ipAddrs('veth0').some((a) => a.local === '10.123.4.1'), 'gone for ip');
  await nl.addr.del('veth0', '10.123.2.1', { peer: '10.123.2.2/32' });
  t.notOk(ipAddrs('veth0').some((a) => a.local === '10.123.2.1'), 'the peer address is gone');
  await nl.addr.add('veth0', '10.123.5.1/24');
  await nl.addr.del('veth0', '10.123.5.1'); // like ip: an IPv4 address without prefix deletes whatever its prefix
  t.notOk(ipAddrs('veth0').some((a) => a.local === '10.123.5.1'), 'wildcard deletion');
  await nl.addr.del('veth0', 'fd00:123:9::1/64');
  t.notOk((await nl.addr.list({ dev: 'veth0' }).collect()).some((a) => a.address === 'fd00:123:9::1'));
});

t.test('flush', async (t) => {
  await nl.addr.add('veth1', '10.123.6.1/24');
  await nl.addr.add('veth1', '10.123.6.2/24');
  await nl.addr.add('veth1', 'fd00:123:6::1/64', { nodad: true });
  const v4 = ipAddrs('veth1').filter((a) => a.family === 'inet').length;
  t.equal(await nl.addr.flush('veth1', { family: 'inet' }), v4, 'flush -4 counts what it deleted');
  t.strictSame(ipAddrs('veth1').filter((a) => a.family === 'inet'), [], 'no IPv4 left (ip)');
  t.ok(ipAddrs('veth1').some((a) => a.local === 'fd00:123:6::1'), 'IPv6 untouched');
  await nl.addr.flush('veth1');
  t.strictSame(ipAddrs('veth1'), [], 'nothing left, link-local included, like ip addr flush dev');
  t.equal(await nl.addr.flush('veth1'), 0, 'flushing nothing');
  t.ok(ipAddrs('veth0').length > 0, 'the other interface is untouched');
});
