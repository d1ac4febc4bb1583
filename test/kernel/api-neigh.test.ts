// nl.neigh against the real kernel, inside the private sandbox (see sandbox.ts). Every state is
// read through nlkit and cross-checked with iproute2 (`ip -j neigh show`), and every refusal the
// kernel gives is checked in its own words.
import t from 'tap';
import { enterSandbox, ipJson } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import type { Neighbour } from '../../src/api/neigh.js';
import { isNetlinkError } from '../../src/netlink/errors.js';

await enterSandbox();

const nl = await Netlink.open();
t.teardown(() => nl.close());
await nl.link.set('lo', { up: true });
await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', up: true }, up: true });
await nl.addr.add('veth0', '10.123.1.1/24');
await nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true });

interface IpNeigh {
  dst: string;
  dev?: string;
  lladdr?: string;
  state?: string[];
  router?: null;
  proxy?: null;
  extern_learn?: null;
}

/** `ip -j neigh show ARGS`. */
const ipNeigh = (args: string[] = []): IpNeigh[] => ipJson<IpNeigh[]>(['neigh', 'show', ...args]);

/** A Neighbour as `ip -j neigh show` prints it. */
function ipShape(n: Neighbour): IpNeigh {
  const o: IpNeigh = { dst: n.dst! };
  if (n.dev !== undefined) o.dev = n.dev;
  if (n.lladdr !== undefined) o.lladdr = n.lladdr;
  if (n.externLearn) o.extern_learn = null;
  if (n.router) o.router = null;
  if (n.proxy) o.proxy = null;
  else o.state = n.state.map((s) => s.toUpperCase());
  return o;
}

const key = (n: IpNeigh) => JSON.stringify(n);

async function kernelError(p: Promise<unknown>): Promise<{ code: string; kernelMessage: string | undefined; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNetlinkError(e)) throw new Error(`expected a NetlinkError, got ${String(e)}`);
  return e;
}

t.test('permanent, reachable, stale+router, extern_learn, IPv6 router', async (t) => {
  await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05' });
  await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.6', lladdr: '02:00:00:00:00:06', state: 'reachable' });
  await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.7', lladdr: '02:00:00:00:00:07', state: 'stale', router: true });
  await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.10', lladdr: '02:00:00:00:00:0a', externLearn: true });
  await nl.neigh.add({ dev: 'veth0', dst: 'fd00:123::5', lladdr: '02:00:00:00:00:15', router: true });
  const mine = await nl.neigh.list({ dev: 'veth0' }).collect();
  const byDst = new Map(mine.map((n) => [n.dst, n]));
  t.match(byDst.get('10.123.1.5'), { family: 'inet', dev: 'veth0', lladdr: '02:00:00:00:00:05', state: ['permanent'], router: false, proxy: false });
  t.match(byDst.get('10.123.1.6'), { state: ['reachable'] });
  t.match(byDst.get('10.123.1.7'), { state: ['stale'], router: true });
  t.match(byDst.get('10.123.1.10'), { state: ['permanent'], externLearn: true });
  t.match(byDst.get('fd00:123::5'), { family: 'inet6', state: ['permanent'], router: true });
  // ip shows the same entries. (`ip neigh show` hides NOARP entries such as the kernel's own
  // multicast ones unless asked with `nud all`; nlkit lists every entry, `state` selects.)
  const ip = new Set(ipNeigh(['nud', 'all']).map(key));
  for (const n of mine) t.ok(ip.has(key(ipShape(n))), `ip shows ${n.dst} alike`);
  t.strictSame(
    (await nl.neigh.list().collect()).map((n) => key(ipShape(n))).sort(),
    ipNeigh(['nud', 'all']).map(key).sort(),
    'the whole table as ip shows it (nud all)',
  );
});

t.test('filters: state, family, router', async (t) => {
  const perm = await nl.neigh.list({ dev: 'veth0', state: 'permanent' }).collect();
  t.strictSame(
    perm.map((n) => n.dst).sort(),
    ipNeigh(['dev', 'veth0', 'nud', 'permanent']).map((n) => n.dst).sort(),
    'nud permanent as ip selects it',
  );
  t.ok((await nl.neigh.list({ family: 'inet6' }).collect()).every((n) => n.family === 'inet6'));
  t.strictSame((await nl.neigh.list({ dev: 'veth0', router: true }).collect()).map((n) => n.dst).sort(), ['10.123.1.7', 'fd00:123::5']);
});

t.test('replace changes the link-layer address and state', async (t) => {
  await nl.neigh.replace({ dev: 'veth0', dst: '10.123.1.6', lladdr: '02:00:00:00:00:66', state: 'permanent' });
  const [n] = await nl.neigh.list({ dev: 'veth0', state: 'permanent' }).collect().then((l) => l.filter((x) => x.dst === '10.123.1.6'));
  t.match(n, { lladdr: '02:00:00:00:00:66', state: ['permanent'] });
  t.match(ipNeigh(['to', '10.123.1.6'])[0], { lladdr: '02:00:00:00:00:66', state: ['PERMANENT'] });
});

t.test('proxy entries', async (t) => {
  await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.9', proxy: true });
  await nl.neigh.add({ dev: 'veth0', dst: 'fd00:123::9', proxy: true });
  const mine = await nl.neigh.list({ proxy: true }).collect();
  t.match(mine, [{ dst: '10.123.1.9', dev: 'veth0', proxy: true }, { dst: 'fd00:123::9', proxy: true }]);
  t.strictSame(mine.map((n) => key(ipShape(n))).sort(), ipNeigh(['proxy']).map(key).sort(), 'ip neigh show proxy');
  t.notOk((await nl.neigh.list().collect()).some((n) => n.proxy), 'not among the neighbours');
  await nl.neigh.del({ dev: 'veth0', dst: '10.123.1.9', proxy: true });
  t.strictSame(ipNeigh(['proxy']).map((n) => n.dst), ['fd00:123::9']);
});

t.test('kernel refusals, in the kernel words', async (t) => {
  let e = await kernelError(nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05' }));
  t.equal(e.code, 'EEXIST');
  t.equal(e.message, 'RTM_NEWNEIGH: File exists');
  e = await kernelError(nl.neigh.add({ dev: 'veth0', dst: '10.123.1.8' }));
  t.equal(e.code, 'EINVAL');
  t.equal(e.kernelMessage, 'No link layer address given');
  e = await kernelError(nl.neigh.del({ dev: 'veth0', dst: '10.123.1.99' }));
  t.equal(e.code, 'ENOENT');
  e = await kernelError(nl.neigh.del({ dev: 'veth0', dst: '10.123.1.99', proxy: true }));
  t.equal(e.code, 'ENOENT');
  e = await kernelError(nl.neigh.add({ dev: 'nope0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05' }));
  t.equal(e.code, 'ENODEV');
});

t.test('del', async (t) => {
  await nl.neigh.del({ dev: 'veth0', dst: '10.123.1.5' });
  await nl.neigh.del({ dev: 'veth0', dst: 'fd00:123::5' });
  const left = (await nl.neigh.list({ dev: 'veth0' }).collect()).map((n) => n.dst);
  t.notOk(left.includes('10.123.1.5') || left.includes('fd00:123::5'));
  t.notOk(ipNeigh(['dev', 'veth0']).some((n) => n.dst === '10.123.1.5' || n.dst === 'fd00:123::5'), 'gone for ip');
});
