// nl.rule against the real kernel, inside the private sandbox (see sandbox.ts): rules read
// through nlkit and cross-checked with iproute2 (`ip -j -d rule show`), routing decisions they
// make checked with nl.route.get, and the kernel's refusals in its own words.
import t from 'tap';
import { enterSandbox, ipJson } from './sandbox.js';
import { Netlink } from '../../src/api/netlink.js';
import type { Rule } from '../../src/api/rule.js';
import { isNetlinkError } from '../../src/netlink/errors.js';

await enterSandbox();

const nl = await Netlink.open();
t.teardown(() => nl.close());
await nl.link.set('lo', { up: true });
await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', up: true }, up: true });
await nl.addr.add('veth0', '10.123.1.1/24');

type IpRule = Record<string, unknown>;

/** `ip -j -d [-6] rule show`. */
const ipRules = (v6 = false): IpRule[] => ipJson<IpRule[]>([...(v6 ? ['-6'] : []), '-d', 'rule', 'show']);

/** A Rule as `ip -j -d rule show` prints it. */
function ipShape(r: Rule): IpRule {
  const o: IpRule = { priority: r.priority };
  if (r.not) o['not'] = null;
  if (r.from === 'all') o['src'] = 'all';
  else {
    const [a, l] = r.from.split('/');
    o['src'] = a;
    o['srclen'] = Number(l ?? (r.family === 'inet6' ? 128 : 32));
  }
  if (r.to !== 'all') {
    const [a, l] = r.to.split('/');
    o['dst'] = a;
    o['dstlen'] = Number(l ?? (r.family === 'inet6' ? 128 : 32));
  }
  if (r.fwmark !== undefined) o['fwmark'] = `0x${r.fwmark.toString(16)}`;
  if (r.fwmask !== undefined && r.fwmask !== 0xffffffff) o['fwmask'] = `0x${r.fwmask.toString(16)}`;
  if (r.iif !== undefined) o['iif'] = r.iif;
  if (r.oif !== undefined) o['oif'] = r.oif;
  if (r.uidrange) {
    o['uid_start'] = r.uidrange[0];
    o['uid_end'] = r.uidrange[1];
  }
  if (r.ipproto !== undefined) o['ipproto'] = ({ 6: 'tcp', 17: 'udp' } as Record<number, string>)[r.ipproto] ?? String(r.ipproto);
  if (r.sport) {
    o['sport_start'] = r.sport[0];
    o['sport_end'] = r.sport[1];
  }
  if (r.action === 'lookup') o['table'] = String(r.table);
  else if (r.action === 'goto') o['goto'] = r.goto;
  else o['action'] = r.action;
  o['protocol'] = String(r.protocol ?? 'unspec');
  return o;
}

const norm = (l: IpRule[]) => l.map((x) => JSON.stringify(Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))))).sort();

async function kernelError(p: Promise<unknown>): Promise<{ code: string; kernelMessage: string | undefined; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNetlinkError(e)) throw new Error(`expected a NetlinkError, got ${String(e)}`);
  return e;
}

t.test('the default rules', async (t) => {
  const v4 = await nl.rule.list('inet').collect();
  t.match(v4, [
    { priority: 0, from: 'all', table: 'local', action: 'lookup', protocol: 'kernel' },
    { priority: 32766, table: 'main' },
    { priority: 32767, table: 'default' },
  ]);
  t.strictSame(norm(v4.map(ipShape)), norm(ipRules()), 'as ip -d rule show');
});

t.test('a rule steers lookups to its table', async (t) => {
  await nl.rule.add({ priority: 100, from: '10.123.0.0/16', table: 100 });
  await nl.route.add({ dst: '10.123.50.0/24', dev: 'veth0', table: 100 });
  const r = await nl.route.get('10.123.50.9', { from: '10.123.1.1' });
  t.match(r, { table: 100, dev: 'veth0' }, 'from 10.123.0.0/16 looks up table 100');
  const e = await kernelError(nl.route.get('10.123.50.9'));
  t.equal(e.code, 'ENETUNREACH', 'without the source, main has no route');
});

t.test('priority/from/table, fwmark/mask, to/iif/oif, actions, not, port and uid ranges, IPv6', async (t) => {
  await nl.rule.add({ priority: 200, fwmark: 0x10, fwmask: 0xff, table: 200 });
  await nl.rule.add({ priority: 300, to: '10.123.5.0/24', iif: 'veth1', oif: 'veth0', table: 'main' });
  await nl.rule.add({ priority: 400, action: 'blackhole' });
  await nl.rule.add({ priority: 500, not: true, from: '10.123.7.0/24', action: 'unreachable' });
  await nl.rule.add({ priority: 600, table: 1000, sport: [1000, 2000], ipproto: 'tcp', uidrange: [1, 100] });
  await nl.rule.add({ priority: 50, goto: 300 });
  await nl.rule.add({ family: 'inet6', priority: 100, from: 'fd00:123::/48', table: 100 });
  const v4 = await nl.rule.list({ family: 'inet' }).collect();
  const by = new Map(v4.map((r) => [r.priority, r]));
  t.match(by.get(100), { from: '10.123.0.0/16', table: 100, action: 'lookup', protocol: 'unspec' });
  t.match(by.get(200), { fwmark: 0x10, fwmask: 0xff, table: 200 });
  t.match(by.get(300), { to: '10.123.5.0/24', iif: 'veth1', oif: 'veth0', table: 'main' });
  t.match(by.get(400), { action: 'blackhole', table: undefined });
  t.match(by.get(500), { not: true, from: '10.123.7.0/24', action: 'unreachable', flags: ['invert'] });
  t.match(by.get(600), { table: 1000, sport: [1000, 2000], ipproto: 6, uidrange: [1, 100] });
  t.match(by.get(50), { action: 'goto', goto: 300 });
  t.strictSame(norm(v4.map(ipShape)), norm(ipRules()), 'IPv4 as ip -d rule show');
  const v6 = await nl.rule.list('inet6').collect();
  t.match(v6.find((r) => r.priority === 100), { family: 'inet6', from: 'fd00:123::/48', table: 100 });
  t.strictSame(norm(v6.map(ipShape)), norm(ipRules(true)), 'IPv6 as ip -6 -d rule show');
  t.strictSame((await nl.rule.list({ table: 100 }).collect()).map((r) => `${r.family} ${r.priority}`), ['inet 100', 'inet6 100'], 'filter by table');
});

t.test('kernel refusals, in the kernel words', async (t) => {
  let e = await kernelError(nl.rule.add({ priority: 100, from: '10.123.0.0/16', table: 100 }));
  t.equal(e.code, 'EEXIST');
  t.equal(e.message, 'RTM_NEWRULE: File exists');
  e = await kernelError(nl.rule.add({ priority: 700, goto: 100 }));
  t.equal(e.code, 'EINVAL');
  t.equal(e.kernelMessage, 'Backward goto not supported');
  e = await kernelError(nl.rule.del({ priority: 1234 }));
  t.equal(e.code, 'ENOENT');
  t.equal(e.message, 'RTM_DELRULE: No such file or directory');
});

t.test('del', async (t) => {
  await nl.rule.del({ priority: 100 });
  t.notOk(ipRules().some((r) => r['priority'] === 100), 'IPv4 rule 100 gone for ip');
  t.ok(ipRules(true).some((r) => r['priority'] === 100), 'the IPv6 one stays');
  await nl.rule.del({ family: 'inet6', priority: 100 });
  t.notOk(ipRules(true).some((r) => r['priority'] === 100));
  await nl.rule.del({ fwmark: 0x10, fwmask: 0xff, table: 200 });
  t.notOk(ipRules().some((r) => r['priority'] === 200), 'deleted by its selector');
});
