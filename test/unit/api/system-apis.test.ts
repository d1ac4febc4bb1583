// nl.sysctl, nl.tuntap, nl.nsid and nl.netconf without a kernel: bad input is an ArgumentError
// naming the argument, and nothing is sent (fake transport) or touched (mocked binding and fs, see
// guard.ts); good input produces the bytes the kernel expects, checked against layouts written
// here from the uapi headers, not from the codec.
import t, { type Test } from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { guard, mockedImport, TRAPPED } from './guard.js';
import { Netlink } from '../../../src/api/netlink.js';
import { createFakeTransport } from '../../../src/netlink/fake-transport.js';

const { calls, mocks } = guard();
const sysctlMod = await mockedImport<typeof import('../../../src/api/sysctl.js')>(t, '../../../src/api/sysctl.js', mocks);
const tuntapMod = await mockedImport<typeof import('../../../src/api/tuntap.js')>(t, '../../../src/api/tuntap.js', mocks);
const nsidMod = await mockedImport<typeof import('../../../src/api/nsid.js')>(t, '../../../src/api/nsid.js', mocks);
const netconfMod = await mockedImport<typeof import('../../../src/api/netconf.js')>(t, '../../../src/api/netconf.js', mocks);

const PORT = 4242;
const NLMSG_ERROR = 2;
const NLM_F_CAPPED = 0x100;

/** An ACK for a request (NLMSG_ERROR, error 0, the request header echoed, capped). */
function ack(req: Uint8Array): Uint8Array {
  const seq = new DataView(req.buffer, req.byteOffset).getUint32(8, true);
  const out = new Uint8Array(36);
  const v = new DataView(out.buffer);
  v.setUint32(0, 36, true);
  v.setUint16(4, NLMSG_ERROR, true);
  v.setUint16(6, NLM_F_CAPPED, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, PORT, true);
  v.setInt32(16, 0, true);
  out.set(req.subarray(0, 16), 20);
  return out;
}

const transport = createFakeTransport((d) => [ack(d)], { portId: PORT });
const nl = await Netlink.open({ transport });
t.teardown(() => nl.close());
const sysctl = new sysctlMod.SysctlApi(nl);
const tuntap = new tuntapMod.TuntapApi(nl);
const nsid = new nsidMod.NsidApi(nl);
const netconf = new netconfMod.NetconfApi(nl);

/** Expects an ArgumentError for `argument`, nothing sent and nothing touched. */
async function refuses(t: Test, run: () => unknown, argument: string, what: string): Promise<void> {
  calls.length = 0;
  const sent = transport.sent.length;
  await t.rejects(Promise.resolve().then(run), { name: 'ArgumentError', code: 'NLKIT_ERR_INVALID_ARG', argument }, what);
  t.equal(transport.sent.length, sent, `${what}: nothing sent`);
  t.same(calls, [], `${what}: nothing touched`);
}

/** The attributes (type with flags, payload) of a TLV area. */
function attrs(bytes: Uint8Array): Array<{ type: number; payload: Uint8Array }> {
  const out: Array<{ type: number; payload: Uint8Array }> = [];
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 0; at + 4 <= bytes.length; ) {
    const len = v.getUint16(at, true);
    out.push({ type: v.getUint16(at + 2, true), payload: bytes.subarray(at + 4, at + len) });
    at += (len + 3) & ~3;
  }
  return out;
}
const u32s = (...xs: number[]) => {
  const b = new Uint8Array(xs.length * 4);
  xs.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0, true));
  return b;
};
const hdr = (m: Uint8Array) => {
  const v = new DataView(m.buffer, m.byteOffset);
  return { len: v.getUint32(0, true), type: v.getUint16(4, true), flags: v.getUint16(6, true) };
};

t.test('sysctl keys and values', async (t) => {
  const P = sysctlMod.sysctlPath;
  t.equal(P('ipv4.conf.all.rp_filter'), '/proc/sys/net/ipv4/conf/all/rp_filter');
  t.equal(P('ipv4/conf/all/accept_local'), '/proc/sys/net/ipv4/conf/all/accept_local');
  t.equal(P('net.ipv4.ip_forward'), '/proc/sys/net/ipv4/ip_forward');
  t.equal(P('net/ipv6/conf/all/disable_ipv6'), '/proc/sys/net/ipv6/conf/all/disable_ipv6');
  t.equal(P('ipv4.conf.veth0/10.rp_filter'), '/proc/sys/net/ipv4/conf/veth0.10/rp_filter', 'dotted: "/" is a dot in a name');
  t.equal(P('ipv4/conf/veth0.10/rp_filter'), '/proc/sys/net/ipv4/conf/veth0.10/rp_filter', 'slashed: dots are literal');
  t.equal(P('net'), '/proc/sys/net/net', 'a lone "net" is a component, not the prefix');
  for (const bad of ['', '/proc/sys/net/ipv4/ip_forward', '../kernel/hostname', 'ipv4/../../kernel', 'ipv4..ip_forward', 'ipv4.', '.ipv4', 'ipv4/./x', 'a b', 'a\0b', 'x'.repeat(5000), 5, null]) {
    t.throws(() => P(bad), { name: 'ArgumentError', argument: 'key' }, `key ${JSON.stringify(bad)?.slice(0, 30)}`);
  }
  const V = sysctlMod.sysctlText;
  t.equal(V(1), '1');
  t.equal(V(-1), '-1');
  t.equal(V(true), '1');
  t.equal(V(false), '0');
  t.equal(V(10n), '10');
  t.equal(V('cubic'), 'cubic');
  t.equal(V([32768, 60999]), '32768\t60999');
  for (const bad of [1.5, NaN, Infinity, '', 'a\nb', 'a\0', [], [1, {}], {}, null, undefined]) {
    t.throws(() => V(bad), { name: 'ArgumentError', argument: 'value' }, `value ${String(bad)}`);
  }
});

t.test('sysctl: bad input touches nothing', async (t) => {
  await refuses(t, () => sysctl.get('../../etc/passwd'), 'key', 'get ../');
  await refuses(t, () => sysctl.getInt('/abs'), 'key', 'getInt /abs');
  await refuses(t, () => sysctl.set('ipv4.ip_forward', 1.5), 'value', 'set 1.5');
  await refuses(t, () => sysctl.set('ipv4.ip_forward', '1\n0'), 'value', 'set with newline');
  await refuses(t, () => sysctl.set('ipv4..x', 1), 'key', 'set bad key');
  for (const dev of ['', 'a/b', 'x'.repeat(16), 'a b'] as const) {
    await refuses(t, () => sysctl.setIpv4Conf(dev, { rp_filter: 0 }), 'dev', `setIpv4Conf dev ${JSON.stringify(dev)}`);
    await refuses(t, () => sysctl.ipv4Conf(dev), 'dev', `ipv4Conf dev ${JSON.stringify(dev)}`);
  }
  await refuses(t, () => sysctl.setIpv4Conf(0, { rp_filter: 0 }), 'dev', 'index 0');
  await refuses(t, () => sysctl.setIpv4Conf(7, { rp_filter: 3 }), 'rp_filter', 'rp_filter 3');
  await refuses(t, () => sysctl.setIpv4Conf(7, { arp_ignore: 9 }), 'arp_ignore', 'arp_ignore 9');
  await refuses(t, () => sysctl.setIpv4Conf(7, { accept_local: 1.5 }), 'accept_local', 'accept_local 1.5');
  await refuses(t, () => sysctl.setIpv4Conf(7, { accept_local: '1' as never }), 'accept_local', "accept_local '1'");
  await refuses(t, () => sysctl.setIpv4Conf(7, { medium_id: 2 ** 31 }), 'medium_id', 'beyond int');
  await refuses(t, () => sysctl.setIpv4Conf(7, { mc_forwarding: 1 }), 'mc_forwarding', 'read-only mc_forwarding');
  await refuses(t, () => sysctl.setIpv4Conf(7, { rpfilter: 1 } as never), 'values', 'unknown setting');
  await refuses(t, () => sysctl.setIpv4Conf(7, {}), 'values', 'nothing to set');
  await refuses(t, () => sysctl.setIpv4Conf(7, null as never), 'values', 'null values');
  await refuses(t, () => sysctl.setIpv4Conf(7, { rp_filter: 0 }, { via: 'proc' as never }), 'via', 'bad via');
  await refuses(t, () => sysctl.setIpv4Conf(7, { rp_filter: 0 }, { how: 1 } as never), 'setIpv4Conf option', 'unknown option');
  await refuses(t, () => sysctl.setIpv4Conf('all', { rp_filter: 0 }, { via: 'netlink' }), 'via', 'all has no netlink form');

  // Valid input goes on to the system (the checks above are not vacuous).
  calls.length = 0;
  await t.rejects(sysctl.get('ipv4.ip_forward'), { code: TRAPPED });
  t.same(calls, ['fs.openSync'], 'a valid get opens the file');
});

t.test('IPV4_DEVCONF_* numbers: the spec order is the uapi enum', async (t) => {
  const index = sysctlMod.ipv4DevconfIndex();
  t.equal(index.get('forwarding'), 1);
  t.equal(index.get('rp_filter'), 8);
  t.equal(index.get('accept_local'), 23);
  t.equal(index.get('arp_evict_nocarrier'), 33);
  const header = '/usr/include/linux/ip.h';
  if (!existsSync(header)) {
    t.pass("uapi header check", { skip: `${header} is not installed` });
    return;
  }
  const body = /enum\s*\{\s*IPV4_DEVCONF_FORWARDING\s*=\s*1,([\s\S]*?)__IPV4_DEVCONF_MAX/.exec(readFileSync(header, 'utf8'));
  t.ok(body, 'the enum is in the header');
  const names = ['forwarding', ...[...body![1]!.matchAll(/IPV4_DEVCONF_(\w+)/g)].map((m) => m[1]!.toLowerCase())];
  names.forEach((name, i) => {
    if (index.has(name)) t.equal(index.get(name), i + 1, `IPV4_DEVCONF_${name.toUpperCase()} = ${i + 1}`);
  });
  t.ok(names.length >= index.size, `the header has all ${index.size} settings the spec knows`);
});

t.test('setIpv4Conf on a device sends one RTM_SETLINK with the IFLA_INET_CONF nest', async (t) => {
  const before = transport.sent.length;
  await sysctl.setIpv4Conf(7, { rp_filter: 2, accept_local: true, medium_id: -1 });
  t.equal(transport.sent.length, before + 1, 'one request');
  const m = transport.sent[before]!;
  t.match(hdr(m), { type: 19, len: m.length }, 'RTM_SETLINK');
  t.equal(new DataView(m.buffer, m.byteOffset).getInt32(16 + 4, true), 7, 'ifi_index 7');
  const afSpec = attrs(m.subarray(32)).find((a) => (a.type & 0x3fff) === 26);
  t.ok(afSpec, 'IFLA_AF_SPEC');
  const inet = attrs(afSpec!.payload).find((a) => (a.type & 0x3fff) === 2);
  t.ok(inet, 'AF_INET inside');
  const conf = attrs(inet!.payload);
  t.equal(conf.length, 1);
  t.equal(conf[0]!.type, 0x8000 | 1, 'IFLA_INET_CONF with NLA_F_NESTED');
  const settings = attrs(conf[0]!.payload).map((a) => [a.type, new DataView(a.payload.buffer, a.payload.byteOffset).getUint32(0, true), a.payload.length]);
  t.same(settings, [
    [8, 2, 4],
    [23, 1, 4],
    [14, 0xffffffff, 4],
  ], 'u32 attributes typed by IPV4_DEVCONF_* (RP_FILTER 8, ACCEPT_LOCAL 23, MEDIUM_ID 14)');
  t.same(sysctlMod.encodeInetConfNest([['rp_filter', 1]]), { key: String(0x8001), hex: Buffer.from([8, 0, 8, 0, ...u32s(1)]).toString('hex') });
});

t.test('tuntap: flags and bad input', async (t) => {
  const F = tuntapMod.tuntapFlags;
  t.equal(F({ mode: 'tap' }), 0x0002 | 0x1000, 'tap, IFF_NO_PI by default');
  t.equal(F({ mode: 'tun', pi: true }), 0x0001, 'tun with pi');
  t.equal(F({ mode: 'tun', multiQueue: true, vnetHdr: true }), 0x0001 | 0x0100 | 0x4000 | 0x1000);
  await refuses(t, () => tuntap.add({ mode: 'tunnel' } as never), 'mode', 'mode');
  await refuses(t, () => tuntap.add(null as never), 'options', 'null options');
  await refuses(t, () => tuntap.add({ name: 'x'.repeat(16), mode: 'tap' }), 'name', 'long name');
  await refuses(t, () => tuntap.add({ name: 'a/b', mode: 'tap' }), 'name', 'name with /');
  await refuses(t, () => tuntap.add({ name: 't0', mode: 'tap', owner: -1 }), 'owner', 'owner -1');
  await refuses(t, () => tuntap.add({ name: 't0', mode: 'tap', group: 2 ** 32 - 1 }), 'group', 'group 2^32-1');
  await refuses(t, () => tuntap.add({ name: 't0', mode: 'tap', persist: 'yes' as never }), 'persist', 'persist');
  await refuses(t, () => tuntap.add({ name: 't0', mode: 'tap', pi: 1 as never }), 'pi', 'pi');
  await refuses(t, () => tuntap.add({ name: 't0', mode: 'tap', multi_queue: true } as never), 'tuntap option', 'unknown option');
  await refuses(t, () => tuntap.del(''), 'name', 'del empty');
  await refuses(t, () => tuntap.del('t0', { mode: 'tun0' as never }), 'mode', 'del mode');
  await refuses(t, () => tuntap.del('t0', { force: 1 as never }), 'force', 'del force');
  await refuses(t, () => tuntap.del('t0', { now: true } as never), 'tuntap del option', 'del unknown option');
  await refuses(t, () => tuntap.get('a b'), 'name', 'get');
  calls.length = 0;
  await t.rejects(tuntap.add({ name: 't0', mode: 'tap' }), { code: TRAPPED });
  t.same(calls, ['native.tunOpen'], 'valid options go to /dev/net/tun');
});

t.test('nsid: requests and bad input', async (t) => {
  const before = transport.sent.length;
  await nsid.set({ fd: 5 }, 'auto');
  await nsid.set({ fd: 6 }, 12);
  const [a, b] = transport.sent.slice(before);
  for (const [m, fd, id] of [[a!, 5, -1], [b!, 6, 12]] as const) {
    t.equal(hdr(m).type, 88, 'RTM_NEWNSID');
    const as = attrs(m.subarray(20)).map((x) => [x.type, new DataView(x.payload.buffer, x.payload.byteOffset).getInt32(0, true)]);
    t.same(as.sort(), [[1, id], [3, fd]], `NETNSA_NSID ${id}, NETNSA_FD ${fd}`);
  }
  for (const bad of [-1, 1.5, 2 ** 31, 'auto ', null]) await refuses(t, () => nsid.set({ fd: 5 }, bad as number), 'nsid', `nsid ${String(bad)}`);
  await refuses(t, () => nsid.set('a/b', 1), 'netns name', 'bad name');
  await refuses(t, () => nsid.get({ pid: 0 }), 'pid', 'pid 0');
  await refuses(t, () => nsid.get({ fd: -2 }), 'netns fd', 'fd -2');
  await refuses(t, () => nsid.get({ path: '' }), 'netns path', 'empty path');
  await refuses(t, () => nsid.list({ targetNsid: -1 }), 'targetNsid', 'targetNsid');
  await refuses(t, () => nsid.list({ nsid: 'x' as never }), 'nsid', 'nsid filter');
  await refuses(t, () => nsid.list({ all: true } as never), 'list-id option', 'unknown option');
});

t.test('netconf: bad input', async (t) => {
  await refuses(t, () => netconf.get('lo', 'ipv4' as never), 'family', 'family ipv4');
  await refuses(t, () => netconf.get('a/b'), 'dev', 'dev a/b');
  await refuses(t, () => netconf.list('link' as never), 'family', 'list family');
});
