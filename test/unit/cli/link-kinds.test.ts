// The words after `type KIND` turned into the kind options of nl.link.add()/set(), and those
// options accepted by the API's own checks (KindDef.prepare) and built into IFLA_INFO_DATA — for
// every kind, including those this machine's kernel cannot create (dummy, vlan, bond, gre, ...).
import t from 'tap';
import { Args } from '../../../src/cli/args.js';
import { parseKindOptions } from '../../../src/cli/link-kinds.js';
import { defaultOptions, Session } from '../../../src/cli/session.js';
import { kindDef } from '../../../src/api/link-kinds/index.js';
import type { KindContext } from '../../../src/api/link-kinds/common.js';

const io = { stdout: { write: () => true }, stderr: { write: () => true }, stdin: (async function* () {})() };

/** A session whose device lookups answer from a table (no socket). */
function session(devices: Record<string, number> = {}): Session {
  const s = new Session(defaultOptions(), io);
  (s as unknown as { ifindexOrUndefined: (n: string) => Promise<number | undefined> }).ifindexOrUndefined = async (n) => devices[n];
  return s;
}

const ctx: KindContext = {
  mode: 'add',
  ifindex: async (d) => (typeof d === 'number' ? d : 7),
  netns: () => ({}),
  current: async () => undefined,
  after: () => {},
};

async function both(kind: string, words: string, devices: Record<string, number> = {}): Promise<{ opts: Record<string, unknown>; data: unknown }> {
  const opts = await parseKindOptions(kind, new Args(words ? words.split(' ') : []), session(devices), 'add');
  const build = kindDef(kind)!.prepare(opts, kind, 'add');
  return { opts, data: build ? await build(ctx) : undefined };
}

t.test('bridge: times in centiseconds as ip takes them', async (t) => {
  const r = await both('bridge', 'stp_state 1 forward_delay 400 hello_time 200 ageing_time 30000 priority 4096 vlan_filtering 1 vlan_protocol 802.1ad group_fwd_mask 0x4000 mcast_snooping 0 mcast_last_member_interval 100 nf_call_iptables 1');
  t.same(r.opts, { stp: true, forwardDelay: 4, helloTime: 2, ageingTime: 300, priority: 4096, vlanFiltering: true, vlanProtocol: '802.1ad', groupFwdMask: 0x4000, mcastSnooping: false, mcastLastMemberInterval: 1, nfCallIptables: true });
  t.match(r.data, { forward_delay: 400, hello_time: 200, ageing_time: 30000, stp_state: 1, priority: 4096, vlan_filtering: 1, vlan_protocol: 0x88a8 });
});

t.test('vxlan', async (t) => {
  const r = await both('vxlan', 'id 42 remote 10.123.0.9 local 10.123.0.1 dev v0 dstport 4789 ttl 5 tos 10 nolearning proxy srcport 1000 2000 ageing 100 maxaddress 10 flowlabel 0x123 df set', { v0: 3 });
  t.same(r.opts, { id: 42, remote: '10.123.0.9', local: '10.123.0.1', dev: 3, dstport: 4789, ttl: 5, tos: 16, learning: false, proxy: true, srcPortRange: [1000, 2000], ageing: 100, maxAddress: 10, label: 0x123, df: 'set' });
  t.match(r.data, { id: 42, link: 3, port: 4789, ttl: 5, learning: 0, proxy: 1 });
  t.same((await both('vxlan', 'external vnifilter')).opts, { external: true, vnifilter: true });
  await t.rejects(parseKindOptions('vxlan', new Args(['dstport', '4789']), session(), 'add'), { name: 'CliExit', text: 'vxlan: missing virtual network identifier\n' });
  await t.rejects(parseKindOptions('vxlan', new Args(['id', '1', 'group', 'ff05::1']), session(), 'add'), { name: 'CliExit', text: "vxlan: 'group' requires 'dev' to be specified\n" });
  await t.rejects(parseKindOptions('vxlan', new Args(['id', '1', 'bogus']), session(), 'add'), { name: 'CliExit', status: 255, text: 'vxlan: unknown command "bogus"?\n' });
  await t.rejects(parseKindOptions('vxlan', new Args(['id', '1', 'dev', 'nope']), session(), 'add'), { name: 'CliExit', status: 255, text: 'Cannot find device "nope"\n' });
});

t.test('macvlan / macvtap', async (t) => {
  t.same((await both('macvlan', 'mode passthru flag nopromisc bcqueuelen 100')).opts, { mode: 'passthru', nopromisc: true, bcQueueLen: 100 });
  t.same((await both('macvtap', 'mode vepa')).opts, { mode: 'vepa' });
  await t.rejects(parseKindOptions('macvlan', new Args(['mode', 'x']), session(), 'add'), { name: 'CliExit', status: 1 });
});

t.test('ipip / sit / gre / gretap', async (t) => {
  const ipip = await both('ipip', 'remote 10.123.0.2 local 10.123.0.1 ttl 64 tos inherit pmtudisc fwmark 7 encap fou encap-sport auto encap-dport 5555 encap-csum');
  t.same(ipip.opts, { remote: '10.123.0.2', local: '10.123.0.1', ttl: 64, tos: 'inherit', pmtudisc: true, fwmark: 7, encap: { type: 'fou', sport: 0, dport: 5555, csum: true } });
  t.match(ipip.data, { remote: '10.123.0.2', local: '10.123.0.1', ttl: 64, tos: 1, pmtudisc: 1, fwmark: 7 });
  t.same((await both('sit', 'remote 10.123.0.2 mode ip6ip isatap')).opts, { remote: '10.123.0.2', mode: 'ip6ip', isatap: true });
  t.same((await both('gre', 'remote 10.123.0.2 key 5 seq csum ttl 3 ignore-df')).opts, { remote: '10.123.0.2', key: 5, seq: true, csum: true, ttl: 3, ignoreDf: true });
  t.same((await both('gretap', 'remote 10.123.0.2 ikey 1.2.3.4 okey 9 local any')).opts, { remote: '10.123.0.2', ikey: '1.2.3.4', okey: 9 });
});

t.test('vlan, vrf, bond, geneve, dummy, ifb', async (t) => {
  const vlan = await both('vlan', 'id 100 protocol 802.1ad reorder_hdr off gvrp on egress-qos-map 1:2 3:4 ingress-qos-map 5:6');
  t.same(vlan.opts, { id: 100, protocol: '802.1ad', reorderHdr: false, gvrp: true, egressQos: [{ from: 1, to: 2 }, { from: 3, to: 4 }], ingressQos: [{ from: 5, to: 6 }] });
  t.match(vlan.data, { id: 100 });
  await t.rejects(parseKindOptions('vlan', new Args([]), session(), 'add'), { name: 'CliExit', text: '8021q: VLAN ID must be specified\n' });
  t.same((await both('vrf', 'table 10')).opts, { table: 10 });
  await t.rejects(parseKindOptions('vrf', new Args([]), session(), 'add'), { name: 'CliExit', text: 'vrf: table id required\n' });
  const bond = await both('bond', 'mode 802.3ad miimon 100 updelay 200 lacp_rate fast xmit_hash_policy layer3+4 arp_ip_target 10.123.0.1,10.123.0.2 ad_actor_system 02:00:00:00:00:01 min_links 1');
  t.same(bond.opts, { mode: '802.3ad', miimon: 100, updelay: 200, lacpRate: 'fast', xmitHashPolicy: 'layer3+4', arpIpTarget: ['10.123.0.1', '10.123.0.2'], adActorSystem: '02:00:00:00:00:01', minLinks: 1 });
  t.same((await both('bond', 'mode 1')).opts, { mode: 'active-backup' }, 'bond modes by number');
  t.same((await both('geneve', 'id 5 remote 10.123.0.2 dstport 6081 ttl inherit noudpcsum')).opts, { id: 5, remote: '10.123.0.2', dstport: 6081, ttl: 'inherit', udpCsum: false });
  await t.rejects(parseKindOptions('geneve', new Args(['id', '5']), session(), 'add'), { name: 'CliExit', text: 'geneve: remote link partner not specified\n' });
  t.same((await both('dummy', '')).opts, {});
  t.same((await both('ifb', '')).opts, {});
  await t.rejects(parseKindOptions('dummy', new Args(['x']), session(), 'add'), { name: 'CliExit', text: 'dummy: unknown command "x"?\n' });
  await t.rejects(parseKindOptions('bridge', new Args(['help']), session(), 'add'), { name: 'HelpRequest', topic: 'link:bridge' });
  await t.rejects(parseKindOptions('nosuchkind', new Args(['x']), session(), 'add'), { name: 'CliExit', status: 1, text: 'Garbage instead of arguments "x ...". Try "nlkit link help".\n' });
  t.same(await parseKindOptions('nosuchkind', new Args([]), session(), 'add'), {});
});
