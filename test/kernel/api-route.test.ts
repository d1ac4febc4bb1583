// nl.route against the real kernel, inside the private sandbox (see sandbox.ts). Every state is
// read through nlkit and cross-checked with iproute2 (`ip -d -j route show`, `ip -j route get`),
// and every refusal the kernel gives is checked in its own words.
import t, { type Test } from 'tap';
import { enterSandbox, ipJson } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import type { Route } from '../../src/api/route.js';
import { isNetlinkError } from '../../src/netlink/errors.js';

await enterSandbox();

const nl = await Netlink.open();
t.teardown(() => nl.close());
await nl.link.set('lo', { up: true });
await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', up: true }, up: true });
await nl.addr.add('veth0', '10.123.1.1/24');
await nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true });
await nl.addr.add('veth1', '10.123.2.1/24');

type IpRoute = Record<string, unknown>;

/** `ip -d -j [-6] route show ARGS` (iproute2 names type, protocol, scope and table with -d). */
function ipRoutes(args: string[], v6 = false): IpRoute[] {
  return ipJson<IpRoute[]>([...(v6 ? ['-6'] : []), '-d', 'route', 'show', ...args]);
}

const IP_METRIC: Record<string, string> = { rtoMin: 'rto_min', congctl: 'congestion', fastopenNoCookie: 'fastopen_no_cookie' };

/** A Route as `ip -d -j route show` prints it (the table key only when `withTable`). */
function ipShape(r: Route, withTable: boolean): IpRoute {
  const o: IpRoute = { type: r.type, dst: r.dst };
  if (r.from !== undefined) o['from'] = r.from;
  if (r.gateway !== undefined) o['gateway'] = r.gateway;
  if (r.via) o['via'] = { family: r.via.family, host: r.via.address };
  if (r.dev !== undefined) o['dev'] = r.dev;
  if (withTable) o['table'] = String(r.table);
  o['protocol'] = String(r.protocol);
  o['scope'] = r.scope;
  if (r.prefsrc !== undefined) o['prefsrc'] = r.prefsrc;
  if (r.metric !== undefined) o['metric'] = r.metric;
  o['flags'] = r.flags;
  if (r.metrics) {
    const m: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r.metrics)) if (k !== 'lock') m[IP_METRIC[k] ?? k] = v;
    o['metrics'] = [m];
  }
  if (r.pref !== undefined) o['pref'] = r.pref;
  if (r.nexthops) o['nexthops'] = r.nexthops.map((n) => ({ ...(n.gateway !== undefined && { gateway: n.gateway }), dev: n.dev, weight: n.weight, flags: n.flags }));
  return o;
}

/** ip's entries without the keys that tick (expires) and with the keys in one order. */
function norm(list: IpRoute[]): string[] {
  return list
    .map((r) => {
      const { expires: _e, ...rest } = r;
      return JSON.stringify(Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))));
    })
    .sort();
}

/** nlkit's listing equals ip's for the same selection (ip leaves out the keys it selected on: `omit`). */
async function sameAsIp(t: Test, mine: Route[], ip: IpRoute[], withTable: boolean, what: string, omit: string[] = []): Promise<void> {
  const shapes = mine.map((r) => Object.fromEntries(Object.entries(ipShape(r, withTable)).filter(([k]) => !omit.includes(k))));
  t.strictSame(norm(shapes), norm(ip), what);
}

async function kernelError(p: Promise<unknown>): Promise<{ code: string; kernelMessage: string | undefined; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNetlinkError(e)) throw new Error(`expected a NetlinkError, got ${String(e)}`);
  return e;
}

const one = async (filter: Parameters<typeof nl.route.list>[0]): Promise<Route> => {
  const l = await nl.route.list(filter).collect();
  if (l.length !== 1) throw new Error(`expected one route for ${JSON.stringify(filter)}, got ${l.length}`);
  return l[0]!;
};

t.test('via a gateway, dev-only with src and metric, default', async (t) => {
  await nl.route.add({ dst: '10.123.5.0/24', gateway: '10.123.1.2' });
  t.match(await one({ dst: '10.123.5.0/24' }), { family: 'inet', type: 'unicast', gateway: '10.123.1.2', dev: 'veth0', table: 'main', protocol: 'boot', scope: 'global' });
  await nl.route.add({ dst: '10.123.6.0/24', dev: 'veth0', src: '10.123.1.1', metric: 20 });
  t.match(await one({ dst: '10.123.6.0/24' }), { dev: 'veth0', prefsrc: '10.123.1.1', metric: 20, scope: 'link', gateway: undefined });
  await nl.route.add({ dst: 'default', gateway: '10.123.1.254' });
  t.match(await one({ dst: 'default', family: 'inet' }), { dst: 'default', dstLen: 0, gateway: '10.123.1.254' });
  await sameAsIp(t, await nl.route.list({ family: 'inet' }).collect(), ipRoutes([]), false, 'main table = ip -d route show');
});

t.test('types: blackhole, unreachable, prohibit, throw', async (t) => {
  await nl.route.add({ dst: '10.123.8.0/24', type: 'blackhole' });
  await nl.route.add({ dst: '10.123.9.0/24', type: 'unreachable' });
  await nl.route.add({ dst: '10.123.10.0/24', type: 'prohibit', table: 100 });
  await nl.route.add({ dst: '10.123.11.0/24', type: 'throw', table: 100 });
  t.match(await one({ dst: '10.123.8.0/24' }), { type: 'blackhole', dev: undefined });
  t.match(await one({ dst: '10.123.9.0/24' }), { type: 'unreachable' });
  t.match(await one({ dst: '10.123.10.0/24', table: 100 }), { type: 'prohibit', table: 100 });
  t.strictSame(
    (await nl.route.list({ type: 'blackhole' }).collect()).map((r) => r.dst),
    ['10.123.8.0/24'],
    'type filtered by the kernel',
  );
  await sameAsIp(t, await nl.route.list({ family: 'inet', table: 100 }).collect(), ipRoutes(['table', '100']), false, 'table 100 = ip -d route show table 100');
});

t.test('table 100 with metric, protocol and an mtu metric; table 1000 (RTA_TABLE)', async (t) => {
  await nl.route.add({ dst: '10.123.12.0/24', gateway: '10.123.1.2', table: 100, metric: 10, mtu: 1400, advmss: 1300, protocol: 'static' });
  t.match(await one({ dst: '10.123.12.0/24', table: 100 }), { table: 100, metric: 10, protocol: 'static', metrics: { mtu: 1400, advmss: 1300 } });
  await nl.route.add({ dst: '10.123.13.0/24', dev: 'veth0', table: 1000, protocol: 99, scope: 'host' });
  t.match(await one({ dst: '10.123.13.0/24', table: 1000 }), { table: 1000, protocol: 'openr', scope: 'host' });
  await sameAsIp(t, await nl.route.list({ family: 'inet', table: 1000 }).collect(), ipRoutes(['table', '1000']), false, 'table 1000');
  t.strictSame(await nl.route.list({ table: 4242 }).collect(), [], 'a table that does not exist lists as empty');
});

t.test('metrics and their locks', async (t) => {
  await nl.route.add({
    dst: '10.123.14.0/24',
    gateway: '10.123.1.2',
    mtu: 1400,
    lock: ['mtu'],
    hoplimit: 5,
    initcwnd: 10,
    initrwnd: 20,
    rtoMin: 200,
    window: 1000,
    quickack: true,
    congctl: 'reno',
    rtt: 100,
    rttvar: 40,
  });
  const r = await one({ dst: '10.123.14.0/24' });
  t.strictSame(r.metrics, { mtu: 1400, window: 1000, rtt: 100, rttvar: 40, hoplimit: 5, initcwnd: 10, rtoMin: 200, initrwnd: 20, quickack: 1, congctl: 'reno', lock: ['mtu', 'rtoMin'] });
  await sameAsIp(t, [r], ipRoutes(['10.123.14.0/24']), false, 'as ip prints the metrics');
});

t.test('onlink, and a gateway of the other family (via)', async (t) => {
  await nl.route.add({ dst: '10.123.15.0/24', gateway: '10.123.99.1', dev: 'veth0', onlink: true });
  t.match(await one({ dst: '10.123.15.0/24' }), { gateway: '10.123.99.1', flags: ['onlink'] });
  await nl.route.add({ dst: '10.123.16.0/24', via: 'fd00:123::2', dev: 'veth0' });
  t.match(await one({ dst: '10.123.16.0/24' }), { gateway: undefined, via: { family: 'inet6', address: 'fd00:123::2' } });
  await sameAsIp(t, await nl.route.list({ family: 'inet', dev: 'veth0' }).collect(), ipRoutes(['dev', 'veth0']), false, 'dev veth0 = ip -d route show dev veth0', ['dev']);
});

t.test('multipath with weights', async (t) => {
  await nl.route.add({ dst: '10.123.17.0/24', nexthops: [{ gateway: '10.123.1.3', weight: 1 }, { gateway: '10.123.1.4', dev: 'veth0', weight: 3 }] });
  const r = await one({ dst: '10.123.17.0/24' });
  t.match(r.nexthops, [
    { gateway: '10.123.1.3', dev: 'veth0', weight: 1, flags: [] },
    { gateway: '10.123.1.4', dev: 'veth0', weight: 3, flags: [] },
  ]);
  await sameAsIp(t, [r], ipRoutes(['10.123.17.0/24']), false, 'as ip prints the next hops');
  await nl.route.add({ dst: 'fd00:123:7::/64', nexthops: [{ gateway: 'fd00:123::2', weight: 2 }, { gateway: 'fd00:123::3' }] });
  t.match((await one({ dst: 'fd00:123:7::/64' })).nexthops, [
    { gateway: 'fd00:123::2', weight: 2 },
    { gateway: 'fd00:123::3', weight: 1 },
  ]);
});

t.test('replace', async (t) => {
  await nl.route.replace({ dst: '10.123.5.0/24', gateway: '10.123.1.3' });
  t.match(await one({ dst: '10.123.5.0/24' }), { gateway: '10.123.1.3' }, 'replaced in place');
  await nl.route.replace({ dst: '10.123.18.0/24', dev: 'veth1' });
  t.match(await one({ dst: '10.123.18.0/24' }), { dev: 'veth1', scope: 'link' }, 'created when missing');
});

t.test('IPv6: pref, expires, dev-only', async (t) => {
  await nl.route.add({ dst: 'fd00:123:5::/64', gateway: 'fd00:123::2', pref: 'high' });
  t.match(await one({ dst: 'fd00:123:5::/64' }), { family: 'inet6', gateway: 'fd00:123::2', pref: 'high', metric: 1024 });
  await nl.route.add({ dst: 'fd00:123:6::/64', dev: 'veth0', expires: 100 });
  const e = await one({ dst: 'fd00:123:6::/64' });
  t.ok(e.expires !== undefined && e.expires <= 100 && e.expires > 90, `expires counts down (${e.expires})`);
  t.equal(e.scope, 'global', 'IPv6 routes are universe-scoped, like iproute2 sends them');
  await nl.route.add({ dst: 'fd00:123:8::/64', dev: 'veth0', pref: 'low', metric: 300 });
  t.match(await one({ dst: 'fd00:123:8::/64' }), { pref: 'low', metric: 300 });
  await sameAsIp(t, await nl.route.list({ family: 'inet6' }).collect(), ipRoutes([], true), false, 'ip -6 -d route show');
});

t.test('list: table all, dev, protocol filters match ip', async (t) => {
  await sameAsIp(t, await nl.route.list({ table: 'all' }).collect(), [...ipRoutes(['table', 'all'])], true, 'table all (both families)');
  await sameAsIp(t, await nl.route.list({ family: 'inet', protocol: 'kernel' }).collect(), ipRoutes(['proto', 'kernel']), false, 'proto kernel', ['protocol']);
  await sameAsIp(t, await nl.route.list({ family: 'inet', table: 'local' }).collect(), ipRoutes(['table', 'local']), false, 'table local');
  const viaVeth1 = await nl.route.list({ dev: 'veth1', table: 'all', family: 'inet' }).collect();
  t.ok(viaVeth1.length > 0 && viaVeth1.every((r) => r.dev === 'veth1'), 'dev filtered by the kernel');
});

t.test('get, cross-checked with ip route get', async (t) => {
  const r = await nl.route.get('10.123.5.9');
  t.match(r, { dst: '10.123.5.9', gateway: '10.123.1.3', dev: 'veth0', prefsrc: '10.123.1.1', table: 'main' });
  const [ip] = ipJson<IpRoute[]>(['route', 'get', '10.123.5.9']);
  t.match(ip, { dst: r.dst, gateway: r.gateway, dev: r.dev, prefsrc: r.prefsrc, uid: r.uid });
  const s = await nl.route.get('10.123.1.2', { from: '10.123.1.1', oif: 'veth0', mark: 7 });
  const [ips] = ipJson<IpRoute[]>(['route', 'get', '10.123.1.2', 'from', '10.123.1.1', 'oif', 'veth0', 'mark', '7']);
  t.match(ips, { dst: s.dst, from: s.from, dev: s.dev });
  const fib = await nl.route.get('10.123.17.9', { fibmatch: true });
  t.match(fib, { dst: '10.123.17.0/24', nexthops: [{ weight: 1 }, { weight: 3 }] }, 'fibmatch answers with the FIB entry');
  const v6 = await nl.route.get('fd00:123:5::1');
  const [ip6] = ipJson<IpRoute[]>(['route', 'get', 'fd00:123:5::1']);
  t.match(v6, { family: 'inet6', gateway: ip6!['gateway'], dev: ip6!['dev'], prefsrc: ip6!['prefsrc'], pref: 'high' });
});

t.test('kernel refusals, in the kernel words', async (t) => {
  let e = await kernelError(nl.route.add({ dst: '10.123.5.0/24', gateway: '10.123.1.3' }));
  t.equal(e.code, 'EEXIST');
  t.equal(e.message, 'RTM_NEWROUTE: File exists');
  e = await kernelError(nl.route.add({ dst: '10.123.20.0/24', gateway: '10.123.99.1' }));
  t.equal(e.code, 'ENETUNREACH');
  t.equal(e.kernelMessage, 'Nexthop has invalid gateway');
  e = await kernelError(nl.route.add({ dst: 'fd00:123:20::/64', gateway: 'fd00:123:99::1' }));
  t.equal(e.code, 'EHOSTUNREACH', 'IPv6: No route to host');
  e = await kernelError(nl.route.add({ dst: '10.123.21.0/24', gateway: '10.123.1.2', src: '10.123.50.1' }));
  t.equal(e.code, 'EINVAL');
  t.equal(e.kernelMessage, 'Invalid prefsrc address');
  e = await kernelError(nl.route.add({ dst: '10.123.22.1/24', dev: 'veth0' }));
  t.equal(e.code, 'EINVAL');
  t.equal(e.kernelMessage, 'Invalid prefix for given prefix length');
  e = await kernelError(nl.route.del({ dst: '10.123.99.0/24' }));
  t.equal(e.code, 'ESRCH');
  t.equal(e.message, 'RTM_DELROUTE: No such process');
  e = await kernelError(nl.route.del({ dst: 'fd00:123:99::/64' }));
  t.equal(e.code, 'ESRCH');
  e = await kernelError(nl.route.add({ dst: '10.123.23.0/24', dev: 'nope0' }));
  t.equal(e.code, 'ENODEV');
  await nl.route.del({ dst: 'default', family: 'inet' });
  e = await kernelError(nl.route.get('10.200.0.1'));
  t.equal(e.code, 'ENETUNREACH');
  t.equal(e.message, 'RTM_GETROUTE: Network is unreachable');
});

t.test('del', async (t) => {
  await nl.route.del({ dst: '10.123.5.0/24' });
  t.strictSame(await nl.route.list({ dst: '10.123.5.0/24' }).collect(), []);
  t.strictSame(ipRoutes(['10.123.5.0/24']), [], 'gone for ip');
  await nl.route.del({ dst: '10.123.12.0/24', table: 100 });
  t.strictSame(ipRoutes(['table', '100', '10.123.12.0/24']), []);
  await nl.route.del({ dst: 'fd00:123:5::/64', gateway: 'fd00:123::2' });
  t.strictSame(ipRoutes(['fd00:123:5::/64'], true), []);
  await nl.route.del({ dst: '10.123.8.0/24', type: 'blackhole' });
  t.strictSame(ipRoutes(['10.123.8.0/24']), []);
  await nl.route.del({ dst: '10.123.13.0/24', table: 1000 });
  t.strictSame(await nl.route.list({ table: 1000 }).collect(), [], 'table 1000 empty (and gone)');
});
