// nlkit's ip views against iproute2 on the same kernel state: in the sandbox, a topology is built
// with `ip` (veths incl. one into another namespace, bridges with ports, vxlans, macvlan,
// macvtap, tun/tap, IPv4/IPv6 addresses with labels and lifetimes, multipath, blackhole,
// table-100 and metric-laden routes, permanent/proxy/router neighbours, bridge fdb entries); the
// objects are dumped with nlkit's client (the same requests ip sends) and rendered; the JSON of
// `ip -j ...` must be found key for key (volatile counters, timers and lifetimes by presence and
// type), and the text of `ip ...` line for line modulo whitespace.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { enterSandbox, ipJson, sh } from '../kernel/sandbox.js';
import { NetlinkClient } from '../../src/netlink/client.js';
import { openNativeTransport } from '../../src/netlink/native-transport.js';
import type { Message } from '../../src/netlink/message.js';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import { type JsonObject, showJson, showText, type ShowKind, type ShowOptions, viewContext, type ViewContext } from '../../src/view/ip-json.js';
import { systemAccounts } from '../../src/cli/names.js';
import { compareJson, type CompareOptions, compareText, describe } from './view-support/oracle.js';

await enterSandbox();

// No duplicate address detection: addresses do not change from tentative while we compare.
// (/proc/sys/net is the sandbox's own network namespace.)
writeFileSync('/proc/sys/net/ipv6/conf/default/accept_dad', '0');
writeFileSync('/proc/sys/net/ipv6/conf/all/accept_dad', '0');

const TOPOLOGY = `
ip netns add peerns
ip link add vx0 type veth peer name vx1 netns peerns
ip link add v0 type veth peer name v1
ip link add p0 type veth peer name p1
ip link add q0 type veth peer name q1
ip link add br0 type bridge
ip link set v1 master br0
ip link set p1 master br0
ip link set p1 type bridge_slave hairpin on guard on cost 5 priority 10 learning off root_block on mcast_flood off neigh_suppress on group_fwd_mask 0x4000
ip link add br1 type bridge mcast_snooping 0 stp_state 1 forward_delay 400 priority 4096 group_fwd_mask 0x4000 ageing_time 1000
ip link set q1 master br1
ip link add vxl0 type vxlan id 42 dstport 4789 dev v0 local 10.123.0.1 remote 10.123.0.9
ip link add vxl6 type vxlan id 43 group ff05::100 dev v0 dstport 4790 ttl 5 tos inherit df set flowlabel 0x123 nolearning proxy rsc l2miss l3miss ageing 0 maxaddress 10 noudpcsum udp6zerocsumtx udp6zerocsumrx srcport 1000 2000
ip link add vxlx type vxlan external dstport 4791 ttl inherit
ip link add mv0 link v0 type macvlan mode bridge
ip link add mvs link p0 type macvlan mode source macaddr add 02:00:00:00:00:55 macaddr add 02:00:00:00:00:66
ip link add mvp link q0 type macvlan mode private
ip link add mvt0 link p0 type macvtap mode vepa
ip tuntap add tap0 mode tap
ip tuntap add tun0 mode tun user 0 group 0 multi_queue
ip tuntap add tap1 mode tap vnet_hdr pi
ip link set dev v0 alias "uplink v0"
ip link property add dev v0 altname veth-zero altname vz
ip link set lo up
ip link set v0 up
ip link set v1 up
ip link set p0 up
ip link set p1 up
ip link set q0 up
ip link set q1 up
ip link set br0 up
ip link set br1 up
ip link set vx0 up
ip link set mv0 up
ip link set mvs up
ip link set vxl0 up
ip link set vxl6 up
ip link set dev q0 mtu 1400 txqueuelen 500 group 7
ip -n peerns link set vx1 up
ip addr add 10.123.0.1/24 brd + dev v0 label v0:main
ip addr add 10.123.1.1/24 dev v0
ip addr add 10.123.1.2/24 dev v0
ip addr add 10.123.2.1/24 dev p0 valid_lft 3600 preferred_lft 1800
ip addr add 10.123.4.1/24 dev p0 metric 5
ip addr add 10.123.3.1/32 peer 10.123.3.2 dev vx0
ip addr add fd00:123::1/64 dev v0 nodad
ip addr add fd00:123:1::1/64 dev p0 nodad
ip addr add fd00:123:2::1/64 dev p0 nodad valid_lft 7200 preferred_lft 0 noprefixroute
ip addr add fd00:123:3::1/64 dev v0 nodad home mngtmpaddr
ip route add 10.123.5.0/24 nexthop via 10.123.0.2 dev v0 weight 1 nexthop via 10.123.2.2 dev p0 weight 3
ip route add blackhole 10.123.6.0/24
ip route add unreachable 10.123.7.0/24 metric 50
ip route add prohibit 10.123.15.0/24
ip route add throw 10.123.16.0/24 table 100
ip route add 10.123.8.0/24 via 10.123.0.2 table 100 proto static
ip route add 10.123.9.0/24 via 10.123.0.2 mtu lock 1400 advmss 1300 src 10.123.0.1
ip route add 10.123.10.0/24 via 10.123.0.2 rtt 100 rttvar 50 rto_min 300 features ecn congctl lock cubic hoplimit 10 initcwnd 10 window 1000
ip route add 10.123.11.0/24 dev v0 realm 5
ip route add 10.123.12.0/24 via 10.123.99.1 dev v0 onlink
ip route add 10.123.13.0/24 tos 0x10 dev v0
ip route add 10.123.14.0/24 via inet6 fd00:123::2 dev v0
ip route add default via 10.123.0.254
ip -6 route add fd00:123:5::/64 via fd00:123::2 metric 10
ip -6 route add fd00:123:6::/64 nexthop via fd00:123::2 dev v0 nexthop via fd00:123:1::2 dev p0
ip -6 route add blackhole fd00:123:7::/64
ip -6 route add fd00:123:8::/64 via fd00:123::2 pref high
ip -6 route add fd00:123:9::/64 via fd00:123::2 table 100 pref low
ip neigh add 10.123.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
ip neigh add fd00:123::2 lladdr 02:00:00:00:00:03 dev v0 nud permanent
ip neigh add 10.123.2.2 lladdr 02:00:00:00:00:04 dev p0 nud reachable
ip neigh add 10.123.2.3 lladdr 02:00:00:00:00:05 dev p0 nud stale
ip neigh add 10.123.2.4 lladdr 02:00:00:00:00:06 dev p0 nud noarp
ip neigh add proxy 10.123.0.77 dev v0
ip -6 neigh add fd00:123::3 lladdr 02:00:00:00:00:09 dev v0 router nud permanent
ip neigh add 10.123.0.5 lladdr 02:00:00:00:00:0a dev v0 nud permanent protocol static
bridge fdb add 02:00:00:00:00:aa dev v1 master static
bridge fdb add 02:00:00:00:00:bb dev p1 master static sticky
bridge fdb append 00:00:00:00:00:00 dev vxl0 dst 10.123.0.9
bridge fdb append 00:00:00:00:00:00 dev vxl0 dst 10.123.0.10 port 4444 vni 50 via v0
bridge fdb add 02:00:00:00:00:dd dev vxl0 dst 10.123.0.11 self permanent
`;

for (const line of TOPOLOGY.split('\n')) {
  const args = line.trim().match(/"[^"]*"|\S+/g)?.map((a) => a.replace(/^"|"$/g, ''));
  if (!args?.length) continue;
  execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
}

const client = new NetlinkClient(openNativeTransport({ protocol: 0 }), routeProtocol());
t.teardown(() => client.close());

const accounts = systemAccounts();
const nsids = new Map((ipJson<Array<{ nsid: number; name?: string }>>(['netns', 'list-id'])).map((x) => [x.nsid, x.name]));

interface Dump {
  links: Message[];
  links6: Message[];
  addrs: Message[];
  routes: Message[];
  neighs: Message[];
  proxies: Message[];
  fdb: Message[];
}

async function dumpAll(): Promise<Dump> {
  const d = (type: string, header: Record<string, unknown>, attrs: Record<string, unknown> = {}) => client.dump({ type, header, attrs }).collect();
  return {
    links: await d('RTM_GETLINK', { family: 0 }, { ext_mask: 1 }),
    links6: await d('RTM_GETLINK', { family: 10 }),
    addrs: await d('RTM_GETADDR', { family: 0 }),
    routes: await d('RTM_GETROUTE', { family: 0 }),
    neighs: await d('RTM_GETNEIGH', { family: 0 }),
    proxies: await d('RTM_GETNEIGH', { family: 0, flags: 0x08 }),
    fdb: await d('RTM_GETNEIGH', { family: 7 }),
  };
}

function ctxOf(links: Message[]): ViewContext {
  return viewContext(links, { netnsName: (id) => nsids.get(id), ...accounts });
}

const COUNTERS = ['*.stats64.*.*', '*.stats64.*'];
const TIMERS = ['*.linkinfo.info_data.hello_timer', '*.linkinfo.info_data.tcn_timer', '*.linkinfo.info_data.topology_change_timer', '*.linkinfo.info_data.gc_timer', '*.linkinfo.info_slave_data.hold_timer', '*.linkinfo.info_slave_data.message_age_timer', '*.linkinfo.info_slave_data.forward_delay_timer'];
const LIFETIMES = ['*.addr_info.*.valid_life_time', '*.addr_info.*.preferred_life_time'];

/** Masks the parts of text lines that change by themselves. */
function maskText(line: string): string {
  return line
    .replace(/\b(hold_timer|message_age_timer|forward_delay_timer|hello_timer|tcn_timer|topology_change_timer|gc_timer) +[\d.]+/g, '$1 T')
    .replace(/(valid_lft|preferred_lft) \d+sec/g, '$1 Nsec')
    .replace(/^[\d ]+$/, 'COUNTERS')
    .replace(/ used \d+\/\d+\/\d+/, " used N/N/N");
}

interface Case {
  name: string;
  args: string[];
  bin?: string;
  kind: ShowKind;
  opts: ShowOptions;
  links?: 'links6';
  messages: (d: Dump) => Message[];
  compare?: CompareOptions;
  expect?: (ours: JsonObject[]) => void;
}

const cases: Case[] = [
  { name: 'link show', args: ['link', 'show'], kind: 'link', opts: {}, messages: (d) => d.links },
  { name: '-d link show', args: ['-d', 'link', 'show'], kind: 'link', opts: { details: true }, messages: (d) => d.links, compare: { volatile: TIMERS } },
  { name: '-s link show', args: ['-s', 'link', 'show'], kind: 'link', opts: { stats: 1 }, messages: (d) => d.links, compare: { volatile: COUNTERS } },
  { name: '-s -s link show', args: ['-s', '-s', 'link', 'show'], kind: 'link', opts: { stats: 2 }, messages: (d) => d.links, compare: { volatile: COUNTERS } },
  { name: '-d -s link show', args: ['-d', '-s', 'link', 'show'], kind: 'link', opts: { details: true, stats: 1 }, messages: (d) => d.links, compare: { volatile: [...COUNTERS, ...TIMERS] } },
  { name: 'addr show', args: ['addr', 'show'], kind: 'addr', opts: {}, messages: (d) => [...d.links, ...d.addrs], compare: { volatile: LIFETIMES } },
  { name: '-4 addr show', args: ['-4', 'addr', 'show'], kind: 'addr', opts: { family: 2 }, messages: (d) => [...d.links, ...d.addrs], compare: { volatile: LIFETIMES } },
  { name: '-6 addr show', args: ['-6', 'addr', 'show'], kind: 'addr', opts: { family: 10 }, links: 'links6', messages: (d) => [...d.links6, ...d.addrs], compare: { volatile: LIFETIMES } },
  { name: '-s addr show', args: ['-s', 'addr', 'show'], kind: 'addr', opts: { stats: 1 }, messages: (d) => [...d.links, ...d.addrs], compare: { volatile: [...LIFETIMES, ...COUNTERS] } },
  { name: 'route show', args: ['route', 'show'], kind: 'route', opts: {}, messages: (d) => d.routes },
  { name: 'route show table all', args: ['route', 'show', 'table', 'all'], kind: 'route', opts: { table: 'all' }, messages: (d) => d.routes },
  { name: 'route show table 100', args: ['route', 'show', 'table', '100'], kind: 'route', opts: { table: 100 }, messages: (d) => d.routes },
  { name: '-6 route show', args: ['-6', 'route', 'show'], kind: 'route', opts: { family: 10 }, messages: (d) => d.routes },
  { name: '-d route show table all', args: ['-d', 'route', 'show', 'table', 'all'], kind: 'route', opts: { table: 'all', details: true }, messages: (d) => d.routes },
  { name: 'neigh show', args: ['neigh', 'show'], kind: 'neigh', opts: {}, messages: (d) => d.neighs },
  { name: 'neigh show proxy', args: ['neigh', 'show', 'proxy'], kind: 'neigh', opts: {}, messages: (d) => d.proxies },
  { name: '-s neigh show', args: ['-s', 'neigh', 'show'], kind: 'neigh', opts: { stats: 1 }, messages: (d) => d.neighs, compare: { volatile: ['*.used', '*.confirmed', '*.updated', '*.probes', '*.refcnt'] } },
  { name: 'bridge fdb show', args: ['fdb', 'show'], bin: 'bridge', kind: 'fdb', opts: {}, messages: (d) => d.fdb },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const c of cases) {
  t.test(c.name, async (t) => {
    const bin = c.bin ?? 'ip';
    let ipJ: unknown;
    let ipT = '';
    let d: Dump | undefined;
    // A snapshot nlkit's dump falls inside: ip before and after agree (modulo volatile values).
    for (let attempt = 0; attempt < 10; attempt++) {
      const j1 = JSON.parse(sh(bin, ['-j', ...c.args]) || '[]');
      const t1 = sh(bin, c.args);
      const dd = await dumpAll();
      const j2 = JSON.parse(sh(bin, ['-j', ...c.args]) || '[]');
      const t2 = sh(bin, c.args);
      ipJ = j1;
      ipT = t1;
      d = dd;
      if (compareJson(j2, j1, c.compare).length === 0 && compareText(t2, t1, maskText).length === 0) break;
      await sleep(300);
    }
    const ctx = ctxOf(d!.links);
    const ours = showJson(c.kind, c.messages(d!), ctx, c.opts);
    const diffs = compareJson(ours, ipJ, c.compare);
    t.same(diffs, [], `JSON of ${bin} -j ${c.args.join(' ')}:\n${describe(diffs)}`);
    t.ok(Array.isArray(ipJ) && (ipJ as unknown[]).length > 0, `${bin} listed objects`);
    const text = compareText(showText(c.kind, c.messages(d!), ctx, c.opts), ipT, maskText);
    t.same(text, [], `text of ${bin} ${c.args.join(' ')}:\n${text.slice(0, 10).join('\n')}`);
  });
}

t.test('the topology has what the comparisons are meant to cover', async (t) => {
  const d = await dumpAll();
  const ctx = ctxOf(d.links);
  const links = showJson('link', d.links, ctx, { details: true }) as Array<{ ifname: string; linkinfo?: { info_kind?: string; info_slave_kind?: string } }>;
  const kinds = new Set(links.flatMap((l) => [l.linkinfo?.info_kind, l.linkinfo?.info_slave_kind]));
  for (const k of ['veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'tun']) t.ok(kinds.has(k), `a ${k} link`);
  t.ok(links.some((l) => 'link_netnsid' in l), 'a link in another namespace');
  const routes = showJson('route', d.routes, ctx, { table: 'all' }) as Array<Record<string, unknown>>;
  for (const k of ['nexthops', 'metrics', 'via', 'flow', 'pref', 'tos']) t.ok(routes.some((r) => k in r), `a route with ${k}`);
  t.ok(routes.some((r) => r['type'] === 'blackhole') && routes.some((r) => r['table'] === '100'), 'blackhole and table-100 routes');
  const neighs = showJson('neigh', d.neighs, ctx) as Array<Record<string, unknown>>;
  for (const k of ['router', 'protocol']) t.ok(neighs.some((n) => k in n), `a neighbour with ${k}`);
  t.ok((showJson('neigh', d.proxies, ctx) as Array<Record<string, unknown>>).some((n) => 'proxy' in n), 'a proxy neighbour');
  const fdb = showJson('fdb', d.fdb, ctx) as Array<Record<string, unknown>>;
  for (const k of ['dst', 'port', 'vni', 'viaIf', 'master']) t.ok(fdb.some((n) => k in n), `an fdb entry with ${k}`);
});
