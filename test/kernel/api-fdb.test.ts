// nl.fdb (`bridge fdb`) against the real kernel, inside the private sandbox (see sandbox.ts):
// entries on a bridge port and on a vxlan device, read through nlkit and cross-checked with
// iproute2 (`bridge -j fdb show`), and the kernel's refusals in its own words.
import t from 'tap';
import { enterSandbox, sh } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import type { FdbEntry } from '../../src/api/fdb.js';
import { isNetlinkError } from '../../src/netlink/errors.js';

await enterSandbox();

const nl = await Netlink.open();
t.teardown(() => nl.close());
await nl.link.set('lo', { up: true });
await nl.link.add({ name: 'br0', type: 'bridge', up: true });
await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1' }, up: true });
await nl.link.set('veth1', { master: 'br0', up: true });
await nl.addr.add('veth0', '10.123.1.1/24');
await nl.link.add({ name: 'vx0', type: 'vxlan', id: 42, dstport: 4789, local: '10.123.1.1', learning: false, up: true });

type BridgeFdb = Record<string, unknown>;

/** `bridge -j fdb show ARGS`. */
function bridgeFdb(args: string[] = []): BridgeFdb[] {
  const out = sh('bridge', ['-j', 'fdb', 'show', ...args]).trim();
  return out === '' ? [] : (JSON.parse(out) as BridgeFdb[]);
}

/** An FdbEntry as `bridge -j fdb show` prints it (without ifname when `noDev`, as `dev X` does). */
function bridgeShape(e: FdbEntry, noDev = false): BridgeFdb {
  const o: BridgeFdb = { mac: e.mac };
  if (!noDev) o['ifname'] = e.dev;
  if (e.vlan !== undefined) o['vlan'] = e.vlan;
  if (e.dst !== undefined) o['dst'] = e.dst;
  if (e.port !== undefined) o['port'] = e.port;
  if (e.vni !== undefined) o['vni'] = e.vni;
  if (e.via !== undefined) o['viaIf'] = e.via; // bridge's JSON key for NDA_IFINDEX
  o['flags'] = e.flags;
  if (e.master !== undefined) o['master'] = e.master;
  o['state'] = e.state;
  return o;
}

const norm = (l: BridgeFdb[]) => l.map((x) => JSON.stringify(Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))))).sort();

async function kernelError(p: Promise<unknown>): Promise<{ code: string; kernelMessage: string | undefined; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNetlinkError(e)) throw new Error(`expected a NetlinkError, got ${String(e)}`);
  return e;
}

const find = async (filter: Parameters<typeof nl.fdb.list>[0], mac: string): Promise<FdbEntry[]> => (await nl.fdb.list(filter).collect()).filter((e) => e.mac === mac);

t.test('bridge port: master static, master dynamic sticky, self permanent', async (t) => {
  await nl.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:01:01', master: true, static: true });
  await nl.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:01:02', master: true, dynamic: true, sticky: true });
  await nl.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:01:03', self: true, permanent: true });
  t.match(await find({ br: 'br0' }, '02:00:00:00:01:01'), [{ dev: 'veth1', master: 'br0', state: 'static', flags: [] }]);
  t.match(await find({ br: 'br0' }, '02:00:00:00:01:02'), [{ dev: 'veth1', master: 'br0', state: '', flags: ['sticky'] }]);
  t.match(await find({ dev: 'veth1' }, '02:00:00:00:01:03'), [{ dev: 'veth1', master: undefined, state: 'permanent', flags: ['self'] }]);
  t.strictSame(norm((await nl.fdb.list({ br: 'br0' }).collect()).map((e) => bridgeShape(e))), norm(bridgeFdb(['br', 'br0'])), 'bridge fdb show br br0');
  t.strictSame(norm((await nl.fdb.list({ dev: 'veth1' }).collect()).map((e) => bridgeShape(e, true))), norm(bridgeFdb(['dev', 'veth1'])), 'bridge fdb show dev veth1');
});

t.test('vxlan: default destinations (append), a MAC with vni and port, replace, via', async (t) => {
  await nl.fdb.add({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.123.1.9' });
  await nl.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.123.1.10' });
  await nl.fdb.add({ dev: 'vx0', lladdr: '02:00:00:00:02:01', dst: '10.123.1.11', vni: 100, port: 4790 });
  t.match(await find({ dev: 'vx0' }, '00:00:00:00:00:00'), [
    { dst: '10.123.1.9', state: 'permanent', flags: ['self'] },
    { dst: '10.123.1.10', state: 'permanent', flags: ['self'] },
  ]);
  t.match(await find({ dev: 'vx0' }, '02:00:00:00:02:01'), [{ dst: '10.123.1.11', vni: 100, port: 4790 }]);
  await nl.fdb.replace({ dev: 'vx0', lladdr: '02:00:00:00:02:01', dst: '10.123.1.12', vni: 100, port: 4790 });
  t.match(await find({ dev: 'vx0' }, '02:00:00:00:02:01'), [{ dst: '10.123.1.12', vni: 100 }], 'replaced');
  await nl.fdb.add({ dev: 'vx0', lladdr: '02:00:00:00:03:01', dst: '10.123.1.13', via: 'veth0' });
  t.match(await find({ dev: 'vx0' }, '02:00:00:00:03:01'), [{ dst: '10.123.1.13', via: 'veth0' }]);
  t.strictSame(norm((await nl.fdb.list({ dev: 'vx0' }).collect()).map((e) => bridgeShape(e, true))), norm(bridgeFdb(['dev', 'vx0'])), 'bridge fdb show dev vx0');
  t.strictSame(norm((await nl.fdb.list().collect()).map((e) => bridgeShape(e))), norm(bridgeFdb()), 'bridge fdb show: everything');
  await nl.fdb.del({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.123.1.9' });
  t.match(await find({ dev: 'vx0' }, '00:00:00:00:00:00'), [{ dst: '10.123.1.10' }], 'del with dst removes one remote');
});

t.test('filters: state here', async (t) => {
  t.strictSame((await nl.fdb.list({ br: 'br0', state: 'static' }).collect()).map((e) => e.mac), ['02:00:00:00:01:01']);
});

t.test('kernel refusals, in the kernel words', async (t) => {
  let e = await kernelError(nl.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:01:01', master: true, static: true }));
  t.equal(e.code, 'EEXIST');
  t.equal(e.message, 'RTM_NEWNEIGH: File exists');
  e = await kernelError(nl.fdb.del({ dev: 'veth1', lladdr: '02:00:00:00:09:09', master: true }));
  t.equal(e.code, 'ENOENT');
  e = await kernelError(nl.fdb.add({ dev: 'veth0', lladdr: '02:00:00:00:09:09', master: true }));
  t.equal(e.code, 'EOPNOTSUPP', 'master on a device that is no bridge port');
  e = await kernelError(nl.fdb.add({ dev: 'nope0', lladdr: '02:00:00:00:09:09' }));
  t.equal(e.code, 'ENODEV');
});

t.test('del', async (t) => {
  await nl.fdb.del({ dev: 'veth1', lladdr: '02:00:00:00:01:01', master: true });
  t.strictSame(await find({ br: 'br0' }, '02:00:00:00:01:01'), []);
  t.notOk(bridgeFdb(['br', 'br0']).some((x) => x['mac'] === '02:00:00:00:01:01'), 'gone for bridge');
  await nl.fdb.del({ dev: 'vx0', lladdr: '02:00:00:00:02:01' });
  t.notOk(bridgeFdb(['dev', 'vx0']).some((x) => x['mac'] === '02:00:00:00:02:01'));
});
