// Records rtnetlink fixtures from the real kernel into fixtures/route/*.json.
//
//   node --import=@isaacs/ts-node-temp-fork-for-pr-2009/import scripts/record-fixtures.ts [--only NAME,...]
//
// Everything happens inside the kernel-test sandbox (test/kernel/sandbox.ts): a private network
// namespace as the "host", a private mount namespace with its own /run/netns. The machine's own
// network is never touched. The script builds a rich topology with `ip`/`bridge` (veth across
// namespaces, bridges with ports, vxlan (IPv4, IPv6, external), macvlan (incl. source mode),
// macvtap, tun/tap, ifb, IPv4/IPv6 addresses with labels and lifetimes, multipath, blackhole,
// table-100 and table-1000 routes, nexthop objects and groups, rules, permanent neighbours, fdb
// entries, netns ids, changed devconf) and then records:
//
// 1. dumps, requests, errors and notifications done by nlkit's own client, through a transport
//    wrapper that keeps every datagram sent and received;
// 2. the datagrams `ip`/`bridge` themselves exchange (strace -e read=all -e write=all), so the
//    requests in iproute2's own encoding are covered too.
//
// Each file: { kernel, recorded, command, description, datagrams: [{direction, family, hex}],
// ipJson?: { "<command>": <parsed -j output at that moment> } }. The committed files are the
// facts; `npm test` never re-records.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { enterSandbox, ipJson, sh } from '../test/kernel/sandbox.js';
import { openNativeTransport } from '../src/netlink/native-transport.js';
import { RecordingTransport, type FixtureDatagram as RecordedDatagram } from './recording-transport.js';
import { NetlinkClient } from '../src/netlink/client.js';
import type { MessageInit } from '../src/netlink/message.js';
import { routeProtocol } from '../src/rtnetlink/index.js';

await enterSandbox();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'fixtures', 'route');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
const kernel = sh('uname', ['-r']).trim();
const recorded = new Date().toISOString().slice(0, 10);

// ---------------------------------------------------------------------------------------------
// Fixture files

type FixtureDatagram = RecordedDatagram<'route'>;

interface Fixture {
  kernel: string;
  recorded: string;
  command: string;
  description: string;
  datagrams: FixtureDatagram[];
  ipJson?: Record<string, unknown>;
}

const written: string[] = [];

function save(name: string, f: Omit<Fixture, 'kernel' | 'recorded'>): void {
  const fixture: Fixture = { kernel, recorded, ...f };
  const file = join(outDir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(fixture, null, 1)}\n`);
  written.push(`${name} (${f.datagrams.length} datagrams)`);
}

function wanted(name: string): boolean {
  return only === undefined || only.has(name);
}


/** A client in namespace `netns` (a /run/netns name) or the sandbox's own, recording its datagrams. */
function recordingClient(netns?: string): { client: NetlinkClient; rec: RecordingTransport<'route'> } {
  let fd: number | undefined;
  if (netns !== undefined) fd = openSync(`/run/netns/${netns}`, 'r');
  try {
    const t = openNativeTransport({ protocol: 0, ...(fd === undefined ? {} : { netnsFd: fd }) });
    const rec = new RecordingTransport(t, 'route');
    return { client: new NetlinkClient(rec, routeProtocol(), { timeout: 10000 }), rec };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Topology

/** Runs `cmd args` (throws with stderr on failure). */
function run(cmdline: string): void {
  const [cmd, ...args] = cmdline.split(/\s+/);
  sh(cmd!, args);
}

/** Like run(), but a failure is only reported (features this kernel may lack). */
function tryRun(cmdline: string): boolean {
  try {
    run(cmdline);
    return true;
  } catch (e) {
    process.stderr.write(`record-fixtures: optional step failed: ${(e as Error).message.split('\n')[0]}\n`);
    return false;
  }
}

/** Writes a sysctl of the sandbox's namespace (/proc/sys/net is per network namespace). */
function sysctl(path: string, value: string): void {
  writeFileSync(`/proc/sys/${path}`, value);
}

function buildTopology(): void {
  run('ip link set lo up');
  run('ip netns add ns1');
  run('ip netns add ns2');
  run('ip -n ns1 link set lo up');
  run('ip -n ns2 link set lo up');
  // netns ids: one set by hand, one assigned by the kernel when the veth peer moves there.
  run('ip netns set ns1 5');

  // veth pairs across namespaces
  run('ip link add veth0 type veth peer name veth1 netns ns1');
  run('ip link add veth2 mtu 1400 type veth peer name veth3 netns ns2');
  run('ip link set veth0 address 02:12:30:00:00:01');
  run('ip -n ns1 link set veth1 address 02:12:30:00:00:02');
  run('ip link set veth0 alias uplink-to-ns1');
  run('ip link set veth0 up');
  run('ip link set veth2 up');
  run('ip -n ns1 link set veth1 up');
  run('ip -n ns2 link set veth3 up');

  // a bridge with ports: a veth, a tap and a vxlan (this kernel has no CONFIG_BRIDGE_VLAN_FILTERING)
  run('ip link add br0 type bridge stp_state 0 forward_delay 400 ageing_time 12000 mcast_snooping 0');
  run('ip link set br0 address 02:12:30:00:00:b0');
  run('ip link add vp0 type veth peer name vp1');
  run('ip link set vp0 master br0');
  run('ip tuntap add tap0 mode tap');
  run('ip tuntap add tun0 mode tun multi_queue');
  run('ip link set tap0 master br0');
  run('ip link add vx0 type vxlan id 42 local 10.123.1.1 dstport 4789 dev veth0 ttl 64 ageing 600');
  run('ip link add vx1 type vxlan id 100 group 239.1.1.1 dev veth0 dstport 4790 nolearning');
  run('ip link set vx0 master br0');
  run('bridge link set dev vp0 cost 7 priority 40');
  for (const d of ['br0', 'vp0', 'vp1', 'tap0', 'vx0', 'vx1']) run(`ip link set ${d} up`);

  // a second bridge with multicast snooping and the querier on (IFLA_BR_MCAST_QUERIER_STATE)
  run('ip link add br1 type bridge mcast_snooping 1 mcast_querier 1 mcast_stats_enabled 1');
  run('ip link set br1 up');
  // vxlan over IPv6, and a collect_md (external) vxlan
  run('ip link add vx6 type vxlan id 44 local fd00:123:1::1 dstport 4791 dev veth0 udp6zerocsumtx udp6zerocsumrx');
  run('ip link add vxe type vxlan external dstport 4792');
  tryRun('ip tuntap add tun1 mode tun user 1000 group 1000');
  run('bridge link set dev tap0 hairpin on learning off');

  // macvlan / macvtap on the veths, an ifb
  run('ip link add mv0 link veth0 type macvlan mode bridge');
  run('ip link add mvt0 link veth2 type macvtap mode vepa');
  run('ip link add ifb0 type ifb');
  run('ip link set mv0 up');
  run('ip link set mvt0 up');
  run('ip link add mvs link veth2 type macvlan mode source macaddr add 02:12:30:00:00:77');
  run('ip link set mvs type macvlan macaddr add 02:12:30:00:00:78');

  // addresses: labels, secondaries, peers, lifetimes, IPv6 without DAD
  run('ip addr add 10.123.1.1/24 brd + dev veth0');
  run('ip addr add 10.123.1.100/24 dev veth0 label veth0:sec');
  run('ip addr add 10.123.9.1/24 dev veth0 valid_lft 3600 preferred_lft 1800');
  run('ip addr add fd00:123:1::1/64 dev veth0 nodad');
  run('ip addr add fd00:123:1::100/64 dev veth0 nodad valid_lft 7200 preferred_lft 3600');
  run('ip addr add 10.123.2.1/24 dev br0');
  run('ip addr add fd00:123:2::1/64 dev br0 nodad');
  run('ip addr add 10.123.3.1 peer 10.123.3.2/32 dev veth2');
  run('ip addr add 10.123.4.1/24 dev mv0 metric 50');
  run('ip -n ns1 addr add 10.123.1.2/24 dev veth1');
  run('ip -n ns1 addr add fd00:123:1::2/64 dev veth1 nodad');
  run('ip -n ns2 addr add 10.123.3.2 peer 10.123.3.1/32 dev veth3');

  // nexthop objects
  run('ip nexthop add id 1 via 10.123.1.2 dev veth0');
  run('ip nexthop add id 2 via 10.123.2.2 dev br0');
  run('ip nexthop add id 3 blackhole');
  run('ip nexthop add id 4 via fd00:123:1::2 dev veth0');
  run('ip nexthop add id 10 group 1/2,3');
  tryRun('ip nexthop add id 11 group 1/2 type resilient buckets 8 idle_timer 60');
  run('ip nexthop add id 20 via 10.123.1.2 fdb');
  run('ip nexthop add id 21 group 20 fdb');

  // routes: multipath, blackhole & co, table 100, a table > 255, metrics, via another family
  run('ip route add 10.123.50.0/24 nexthop via 10.123.1.2 dev veth0 weight 1 nexthop via 10.123.2.2 dev br0 weight 3');
  run('ip route add blackhole 10.123.60.0/24');
  run('ip route add unreachable 10.123.61.0/24');
  run('ip route add prohibit 10.123.62.0/24 metric 5');
  run('ip route add 10.123.70.0/24 via 10.123.1.2 table 100 metric 50');
  run('ip route add default via 10.123.1.2 table 100');
  run('ip route add 10.123.72.0/24 dev veth0 table 1000 scope link');
  run('ip route add 10.123.80.0/24 via 10.123.1.2 metric 10 mtu lock 1400 advmss 1360 initcwnd 10 proto static');
  run('ip route add 10.123.81.0/24 via 10.123.1.2 src 10.123.1.1 proto 42');
  run('ip route add 10.123.90.0/24 nhid 10');
  tryRun('ip route add 10.123.91.0/24 via inet6 fd00:123:1::2 dev veth0');
  tryRun('ip route add 10.123.92.0/24 encap ip id 100 dst 10.123.1.2 ttl 10 dev vx1');
  run('ip route add 10.123.93.0/24 via 10.123.99.1 dev veth0 onlink');
  run('ip route add 10.123.94.0/24 dev veth0 realm 5');
  run('ip route add 10.123.95.0/24 dev veth0 tos 0x10');
  run('ip -6 route add fd00:123:54::/64 via fe80::12:30ff:fe00:2 dev veth0 pref low');
  run('ip -6 route add fd00:123:50::/64 via fd00:123:1::2 dev veth0 metric 256 pref high');
  run('ip -6 route add fd00:123:51::/64 nexthop via fd00:123:1::2 dev veth0 weight 2 nexthop via fd00:123:2::2 dev br0');
  run('ip -6 route add blackhole fd00:123:60::/64');
  run('ip -6 route add fd00:123:70::/64 via fd00:123:1::2 dev veth0 table 100');
  run('ip -6 route add fd00:123:52::/64 dev veth0 expires 600');
  run('ip -6 route add fd00:123:53::/64 nhid 4');
  run('ip -n ns1 route add default via 10.123.1.1');

  // rules
  run('ip rule add from 10.123.0.0/16 table 100 pref 1000');
  run('ip rule add fwmark 0x10/0xff lookup 100 pref 1001');
  run('ip rule add iif veth0 ipproto tcp dport 80 table 100 pref 1002');
  run('ip rule add to 10.123.60.0/24 prohibit pref 1003');
  run('ip -6 rule add from fd00:123::/48 table 100 pref 1000');
  run('ip rule add uidrange 1000-2000 table 100 pref 1004');
  run('ip rule add sport 1000-2000 ipproto udp table 100 pref 1005');
  run('ip rule add lookup 100 suppress_prefixlength 0 pref 1006');
  run('ip rule add from 10.123.7.0/24 goto 1000 pref 999');

  // IPv6 address labels
  run('ip addrlabel add prefix fd00:123:5::/64 label 99');

  // neighbours: permanent, noarp, stale, proxy; and the ones a ping leaves behind
  run('ip neigh add 10.123.1.50 lladdr 02:12:30:00:00:50 dev veth0 nud permanent');
  run('ip neigh add 10.123.1.51 lladdr 02:12:30:00:00:51 dev veth0 nud noarp');
  run('ip neigh add 10.123.1.52 lladdr 02:12:30:00:00:52 dev veth0 nud stale');
  run('ip -6 neigh add fd00:123:1::50 lladdr 02:12:30:00:00:53 dev veth0 nud permanent router');
  run('ip neigh add proxy 10.123.1.60 dev veth0');
  run('ip neigh add 10.123.1.54 lladdr 02:12:30:00:00:54 dev veth0 extern_learn');
  run('ping -c 2 -i 0.2 -W 1 10.123.1.2');
  run('ping -6 -c 1 -W 1 fd00:123:1::2');

  // fdb entries: bridge master entries, vxlan self entries (the all-zeros default destination)
  run('bridge fdb add 02:12:30:00:01:01 dev vp0 master static');
  run('bridge fdb add 02:12:30:00:01:03 dev tap0 master static sticky');
  run('bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.123.1.2 self permanent');
  run('bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.123.1.3 self permanent');
  run('bridge fdb add 02:12:30:00:01:04 dev vx0 dst 10.123.1.4 vni 4242 port 4790 self permanent');

  // devconf changes
  sysctl('net/ipv4/conf/veth0/forwarding', '1');
  sysctl('net/ipv4/conf/veth0/rp_filter', '2');
  sysctl('net/ipv4/conf/br0/proxy_arp', '1');
  sysctl('net/ipv6/conf/veth0/forwarding', '1');
  sysctl('net/ipv6/conf/br0/hop_limit', '32');
  sysctl('net/ipv4/conf/all/forwarding', '1');
}

// ---------------------------------------------------------------------------------------------
// Views of the state as iproute2 prints it

/** `ip ARGS` / `bridge ARGS` with -j inserted after the program; the parsed JSON (or null). */
function view(cmdline: string): unknown {
  const [cmd, ...args] = cmdline.split(/\s+/);
  const out = sh(cmd!, ['-j', ...args]).trim();
  return out === '' ? [] : JSON.parse(out);
}

function views(cmdlines: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of cmdlines) out[c] = view(c);
  return out;
}

function ifindex(name: string, netns?: string): number {
  const args = [...(netns ? ['-n', netns] : []), 'link', 'show', 'dev', name];
  const [l] = ipJson<Array<{ ifindex: number }>>(args);
  if (!l) throw new Error(`no link ${name}`);
  return l.ifindex;
}

// ---------------------------------------------------------------------------------------------
// Recordings through nlkit's own client

const RTEXT_FILTER_VF = 1;
const RTEXT_FILTER_BRVLAN = 2;
const RTEXT_FILTER_SKIP_STATS = 8;
const AF_INET = 2;
const AF_BRIDGE = 7;
const AF_INET6 = 10;
const NTF_PROXY = 8;

interface Step {
  /** A dump (NLM_F_DUMP is added by the client) or a request (NLM_F_ACK is added). */
  dump?: MessageInit;
  request?: MessageInit;
  /** The request is expected to fail. */
  fails?: boolean;
}

async function recordClient(name: string, command: string, description: string, steps: ReadonlyArray<Step | (() => Step)>, ipViews: readonly string[] = [], netns?: string): Promise<void> {
  if (!wanted(name)) return;
  const { client, rec } = recordingClient(netns);
  try {
    for (const step of steps) {
      const s = typeof step === 'function' ? step() : step;
      try {
        if (s.dump) await client.dump(s.dump).collect();
        else if (s.request) await client.request(s.request);
        if (s.fails) throw new Error(`${name}: ${JSON.stringify(s.request ?? s.dump)} was expected to fail`);
      } catch (e) {
        if (!s.fails || (e as Error).message.includes('was expected to fail')) throw e;
        process.stderr.write(`record-fixtures: ${name}: expected error: ${(e as Error).message}\n`);
      }
    }
  } finally {
    client.close();
  }
  const f: Omit<Fixture, 'kernel' | 'recorded'> = { command, description, datagrams: rec.log };
  if (ipViews.length > 0) f.ipJson = views(ipViews);
  save(name, f);
}

async function recordDumps(): Promise<void> {
  await recordClient(
    'link-dump',
    'nlkit dump RTM_GETLINK {family: AF_UNSPEC} IFLA_EXT_MASK=RTEXT_FILTER_VF',
    'All links of the sandbox namespace (veth across namespaces, bridge + ports, vxlan, macvlan, macvtap, tun, tap, ifb) with IFLA_STATS/STATS64, linkinfo and af_spec.',
    [{ dump: { type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: RTEXT_FILTER_VF } } }],
    ['ip -s -d link show'],
  );
  await recordClient(
    'link-dump-skip-stats',
    'nlkit dump RTM_GETLINK {family: AF_UNSPEC} IFLA_EXT_MASK=RTEXT_FILTER_VF|RTEXT_FILTER_SKIP_STATS',
    'All links, without the per-VF statistics (what `ip link show` asks for).',
    [{ dump: { type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS } } }],
    ['ip -d link show'],
  );
  await recordClient(
    'link-dump-ns1',
    'nlkit dump RTM_GETLINK {family: AF_UNSPEC} in netns ns1',
    'Links of ns1 (lo and the veth peer of veth0), seen from ns1: IFLA_LINK_NETNSID points back at the sandbox namespace.',
    [{ dump: { type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: RTEXT_FILTER_VF } } }],
    ['ip -n ns1 -d link show'],
    'ns1',
  );
  await recordClient(
    'link-dump-bridge',
    'nlkit dump RTM_GETLINK {family: AF_BRIDGE} IFLA_EXT_MASK=RTEXT_FILTER_BRVLAN',
    'AF_BRIDGE link dump: the bridge and its ports with IFLA_PROTINFO (IFLA_BRPORT_*, NLA_F_NESTED) and IFLA_AF_SPEC.',
    [{ dump: { type: 'RTM_GETLINK', header: { family: AF_BRIDGE }, attrs: { ext_mask: RTEXT_FILTER_BRVLAN } } }],
    ['bridge -d link show', 'ip link show'],
  );
  const veth0 = ifindex('veth0');
  await recordClient(
    'link-get',
    'nlkit RTM_GETLINK by IFLA_IFNAME veth0, then by ifi_index, then IFLA_ALT_IFNAME',
    'Single-link GET requests (with NLM_F_ACK): the reply, then the ACK.',
    [
      { request: { type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ifname: 'veth0', ext_mask: RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS } } },
      { request: { type: 'RTM_GETLINK', header: { family: 0, index: veth0 } } },
    ],
    ['ip -d link show dev veth0'],
  );
  await recordClient(
    'addr-dump-v4',
    'nlkit dump RTM_GETADDR {family: AF_INET}',
    'IPv4 addresses: broadcast, labels (veth0:sec), secondary, peer (point-to-point), finite lifetimes, IFA_RT_PRIORITY.',
    [{ dump: { type: 'RTM_GETADDR', header: { family: AF_INET } } }],
    ['ip -4 addr show'],
  );
  await recordClient(
    'addr-dump-v6',
    'nlkit dump RTM_GETADDR {family: AF_INET6}',
    'IPv6 addresses: nodad, finite lifetimes, link-local, IFA_FLAGS and IFA_PROTO.',
    [{ dump: { type: 'RTM_GETADDR', header: { family: AF_INET6 } } }],
    ['ip -6 addr show'],
  );
  await recordClient(
    'route-dump-main',
    'nlkit dump RTM_GETROUTE {family: AF_INET, table: RT_TABLE_MAIN}',
    'IPv4 routes of the main table (strict check filters by rtm_table): multipath, blackhole, unreachable, prohibit, metrics, protocols, prefsrc, nhid, RTA_VIA, lwt encap.',
    [{ dump: { type: 'RTM_GETROUTE', header: { family: AF_INET, table: 254 } } }],
    ['ip -4 -d route show', 'ip link show'],
  );
  await recordClient(
    'route-dump-all',
    'nlkit dump RTM_GETROUTE {family: AF_INET} (all tables)',
    'IPv4 routes of every table: local, main, 100 and 1000 (RT_TABLE_COMPAT + RTA_TABLE).',
    [{ dump: { type: 'RTM_GETROUTE', header: { family: AF_INET } } }],
    ['ip -4 -d route show table all', 'ip link show'],
  );
  await recordClient(
    'route-dump-v6',
    'nlkit dump RTM_GETROUTE {family: AF_INET6} (all tables)',
    'IPv6 routes of every table: multipath (RTA_MULTIPATH), pref, expires, blackhole, table 100, nhid, local and multicast routes.',
    [{ dump: { type: 'RTM_GETROUTE', header: { family: AF_INET6 } } }],
    ['ip -6 -d route show table all', 'ip link show'],
  );
  await recordClient(
    'route-get',
    'nlkit RTM_GETROUTE 10.123.80.5 (lookup), then with RTM_F_FIB_MATCH',
    'Route lookups: the resolved route (RTA_CACHEINFO, RTA_UID, RTA_TABLE) and the matching FIB entry.',
    [
      { request: { type: 'RTM_GETROUTE', header: { family: AF_INET, dst_len: 32 }, attrs: { dst: '10.123.80.5' } } },
      { request: { type: 'RTM_GETROUTE', header: { family: AF_INET, dst_len: 32, flags: 0x2000 }, attrs: { dst: '10.123.80.5' } } },
      { request: { type: 'RTM_GETROUTE', header: { family: AF_INET6, dst_len: 128 }, attrs: { dst: 'fd00:123:50::5' } } },
    ],
    ['ip route get 10.123.80.5', 'ip route get fibmatch 10.123.80.5', 'ip -6 route get fd00:123:50::5', 'ip link show'],
  );
  await recordClient(
    'neigh-dump',
    'nlkit dump RTM_GETNEIGH {family: AF_UNSPEC}, then {family: AF_INET, flags: NTF_PROXY}',
    'ARP/NDP neighbours in every state (permanent, noarp, stale, reachable, router), then the proxy entries.',
    [
      { dump: { type: 'RTM_GETNEIGH', header: { family: 0 } } },
      { dump: { type: 'RTM_GETNEIGH', header: { family: AF_INET, flags: NTF_PROXY } } },
    ],
    ['ip neigh show nud all', 'ip neigh show proxy', 'ip link show'],
  );
  await recordClient(
    'fdb-dump',
    'nlkit dump RTM_GETNEIGH {family: AF_BRIDGE}',
    'Bridge and vxlan forwarding database: master static/sticky/learned entries, self permanent entries, vxlan remotes (NDA_DST, NDA_PORT, NDA_VNI).',
    [{ dump: { type: 'RTM_GETNEIGH', header: { family: AF_BRIDGE } } }],
    ['bridge fdb show', 'ip link show'],
  );
  await recordClient(
    'rule-dump',
    'nlkit dump RTM_GETRULE {family: AF_INET}, then {family: AF_INET6}',
    'Policy routing rules: from prefix, fwmark/mask, iif + ipproto + dport range, prohibit action, defaults.',
    [
      { dump: { type: 'RTM_GETRULE', header: { family: AF_INET } } },
      { dump: { type: 'RTM_GETRULE', header: { family: AF_INET6 } } },
    ],
    ['ip rule show', 'ip -6 rule show'],
  );
  const nsFd = openSync('/run/netns/ns1', 'r');
  try {
    await recordClient(
      'nsid-dump',
      'nlkit dump RTM_GETNSID, then RTM_GETNSID NETNSA_FD=<fd of /run/netns/ns1>',
      'Peer namespace ids: ns1 = 5 (set by hand), ns2 assigned by the kernel; then the id of one namespace by fd.',
      [
        { dump: { type: 'RTM_GETNSID', header: { family: 0 } } },
        { request: { type: 'RTM_GETNSID', header: { family: 0 }, attrs: { fd: nsFd } } },
      ],
      ['ip netns list-id'],
    );
  } finally {
    closeSync(nsFd);
  }
  await recordClient(
    'netconf-dump',
    'nlkit dump RTM_GETNETCONF {family: AF_INET}, {family: AF_INET6}, then RTM_GETNETCONF veth0',
    'Per-device IP configuration after sysctl changes (forwarding, rp_filter loose, proxy_arp), incl. the all/default entries.',
    [
      { dump: { type: 'RTM_GETNETCONF', header: { family: AF_INET } } },
      { dump: { type: 'RTM_GETNETCONF', header: { family: AF_INET6 } } },
      { request: { type: 'RTM_GETNETCONF', header: { family: AF_INET }, attrs: { ifindex: veth0 } } },
    ],
    ['ip netconf show', 'ip -6 netconf show', 'ip link show'],
  );
  await recordClient(
    'addrlabel-dump',
    'nlkit dump RTM_GETADDRLABEL {family: AF_INET6}',
    'IPv6 address labels: the kernel defaults (RFC 6724) and one added with `ip addrlabel add`.',
    [{ dump: { type: 'RTM_GETADDRLABEL', header: { family: AF_INET6 } } }],
  );
  await recordClient(
    'maddr-dump',
    'nlkit dump RTM_GETMULTICAST {family: AF_INET}, {family: AF_INET6}, RTM_GETANYCAST {family: AF_INET6}',
    'Multicast group memberships (IFA_MULTICAST) and IPv6 anycast addresses (IFA_ANYCAST), answered with the GET message types.',
    [
      { dump: { type: 'RTM_GETMULTICAST', header: { family: AF_INET } } },
      { dump: { type: 'RTM_GETMULTICAST', header: { family: AF_INET6 } } },
      { dump: { type: 'RTM_GETANYCAST', header: { family: AF_INET6 } } },
    ],
  );
  await recordClient(
    'neightbl-dump',
    'nlkit dump RTM_GETNEIGHTBL {family: AF_UNSPEC}',
    'Neighbour tables (arp_cache, ndisc_cache): config, stats, default and per-device parameters.',
    [{ dump: { type: 'RTM_GETNEIGHTBL', header: { family: 0 } } }],
  );
  await recordClient(
    'nexthop-dump',
    'nlkit dump RTM_GETNEXTHOP, then RTM_GETNEXTHOPBUCKET NHA_ID=11',
    'Nexthop objects (IPv4/IPv6 gateways, blackhole), a weighted group and a resilient group with its buckets.',
    [
      { dump: { type: 'RTM_GETNEXTHOP', header: { family: 0 } } },
      { dump: { type: 'RTM_GETNEXTHOPBUCKET', header: { family: 0 }, attrs: { id: 11 } } },
    ],
    ['ip nexthop show', 'ip nexthop bucket show id 11', 'ip link show'],
  );
}

async function recordRequests(): Promise<void> {
  const veth0 = ifindex('veth0');
  const nsFd = openSync('/run/netns/ns2', 'r');
  try {
    await recordClient(
      'requests',
      'nlkit requests: NEWLINK veth (peer into ns2), bridge, vxlan, macvlan; SETLINK up/master; NEWADDR v4/v6; NEWROUTE multipath; NEWNEIGH; NEWRULE; NEWNEXTHOP',
      'Requests in nlkit\'s own encoding with their ACKs (NLM_F_CAPPED).',
      [
        { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'nlk0', linkinfo: { kind: 'veth', data: { peer: { header: {}, attrs: { ifname: 'nlk1', net_ns_fd: nsFd } } } } } } },
        { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'nlkbr', address: '02:12:30:00:0b:01', linkinfo: { kind: 'bridge', data: { stp_state: 0, forward_delay: 300, priority: 4096 } } } } },
        { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'nlkvx', mtu: 1400, linkinfo: { kind: 'vxlan', data: { id: 4243, local: '10.123.1.1', link: veth0, port: 4791, ttl: 32, learning: 0 } } } } },
        { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'nlkmv', link: veth0, linkinfo: { kind: 'macvlan', data: { mode: 4 } } } } },
        { request: { type: 'RTM_SETLINK', header: { index: 0, flags: 1, change: 1 }, attrs: { ifname: 'nlk0' } } },
        { request: { type: 'RTM_SETLINK', header: { index: 0, flags: 1, change: 1 }, attrs: { ifname: 'nlkbr' } } },
        () => ({ request: { type: 'RTM_SETLINK', header: {}, attrs: { ifname: 'nlkvx', master: ifindex('nlkbr') } } }),
        () => ({ request: { type: 'RTM_NEWADDR', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET, prefixlen: 24, index: ifindex('nlk0') }, attrs: { local: '10.123.110.1', address: '10.123.110.1', broadcast: '10.123.110.255', label: 'nlk0:a' } } }),
        () => ({ request: { type: 'RTM_NEWADDR', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET6, prefixlen: 64, index: ifindex('nlk0') }, attrs: { address: 'fd00:123:110::1', flags: 0x2, cacheinfo: { prefered: 600, valid: 1200, cstamp: 0, tstamp: 0 } } } }),
        () => ({ request: { type: 'RTM_NEWROUTE', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET, dst_len: 24, table: 254, protocol: 4, scope: 0, type: 1 }, attrs: { dst: '10.123.111.0', priority: 20, multipath: [{ flags: 0, hops: 0, ifindex: veth0, attrs: { gateway: '10.123.1.2' } }, { flags: 0, hops: 4, ifindex: ifindex('nlk0'), attrs: { gateway: '10.123.110.2' } }] } } }),
        { request: { type: 'RTM_NEWROUTE', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET6, dst_len: 64, table: 252, protocol: 4, scope: 0, type: 6 }, attrs: { dst: 'fd00:123:111::', table: 200 } } },
        () => ({ request: { type: 'RTM_NEWNEIGH', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET, ifindex: ifindex('nlk0'), state: 0x80 }, attrs: { dst: '10.123.110.9', lladdr: '02:12:30:00:0b:09' } } }),
        { request: { type: 'RTM_NEWRULE', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET, src_len: 24, table: 200, action: 1 }, attrs: { src: '10.123.110.0', priority: 3000 } } },
        { request: { type: 'RTM_NEWNEXTHOP', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET }, attrs: { id: 60, oif: veth0, gateway: '10.123.1.2' } } },
        { request: { type: 'RTM_NEWNETCONF', header: { family: AF_INET } }, fails: true },
      ],
      ['ip link show', 'ip -d link show dev nlk0', 'ip -d link show dev nlkbr', 'ip -d link show dev nlkvx', 'ip -d link show dev nlkmv', 'ip addr show dev nlk0', 'ip route show 10.123.111.0/24', 'ip -6 route show table 200', 'ip neigh show dev nlk0', 'ip rule show pref 3000', 'ip nexthop show id 60'],
    );
  } finally {
    closeSync(nsFd);
  }
  await recordClient(
    'errors',
    'nlkit requests the kernel refuses: duplicate address, vxlan id out of range, unknown kind, unreachable gateway, unknown device, missing neighbour, bad dump header',
    'NLMSG_ERROR replies with extended ACK (NLMSGERR_ATTR_MSG, _OFFS, _MISS_TYPE) and NLM_F_CAPPED|NLM_F_ACK_TLVS.',
    [
      { request: { type: 'RTM_NEWADDR', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET, prefixlen: 24, index: veth0 }, attrs: { local: '10.123.1.1', address: '10.123.1.1' } }, fails: true },
      { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'badvx', linkinfo: { kind: 'vxlan', data: { id: 0x1000000, port: 4792 } } } }, fails: true },
      { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'bad0', linkinfo: { kind: 'nosuchkind' } } }, fails: true },
      { request: { type: 'RTM_NEWROUTE', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET, dst_len: 24, table: 254, protocol: 4, type: 1 }, attrs: { dst: '10.123.120.0', gateway: '10.123.99.1', oif: veth0 } }, fails: true },
      { request: { type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'nosuchdev' } }, fails: true },
      { request: { type: 'RTM_DELNEIGH', header: { family: AF_INET, ifindex: veth0 }, attrs: { dst: '10.123.1.99' } }, fails: true },
      { dump: { type: 'RTM_GETLINK', header: { family: 0, type: 1 } }, fails: true },
      { request: { type: 'RTM_NEWNEXTHOP', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: { family: AF_INET }, attrs: { id: 61, gateway: '10.123.1.2' } }, fails: true },
      { request: { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'vx0', linkinfo: { kind: 'vxlan', data: { id: 42 } } } }, fails: true },
    ],
  );
}

/**
 * Sends hand-laid datagrams through the recording transport and reads until every dump is done:
 * for encodings nlkit itself never produces (17-byte requests whose 1-byte struct rtgenmsg /
 * netconfmsg header is not padded, as rtnl_dump_request() in iproute2's libnetlink sends them).
 */
async function recordRaw(name: string, command: string, description: string, requests: readonly Uint8Array[]): Promise<void> {
  if (!wanted(name)) return;
  const rec = new RecordingTransport(openNativeTransport({ protocol: 0 }), 'route');
  try {
    for (const req of requests) {
      rec.send(req);
      const seq = new DataView(req.buffer, req.byteOffset).getUint32(8, true);
      for (let done = false, waited = 0; !done; ) {
        const d = rec.receive();
        if (d === null) {
          if ((waited += 10) > 5000) throw new Error(`${name}: no answer to seq ${seq}`);
          await sleep(10);
          continue;
        }
        const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
        for (let off = 0; off + 16 <= d.byteLength; off += (v.getUint32(off, true) + 3) & ~3) {
          const type = v.getUint16(off + 4, true);
          if (v.getUint32(off + 8, true) === seq && (type === 2 || type === 3)) done = true;
          if (v.getUint32(off, true) < 16) break;
        }
      }
    }
  } finally {
    rec.close();
  }
  save(name, { command, description, datagrams: rec.log });
}

/** nlmsghdr + a 1-byte family header, nlmsg_len 17 (no padding), as iproute2's rtnl_dump_request(). */
function genmsgDump(type: number, family: number, seq: number): Uint8Array {
  const b = new Uint8Array(17);
  const v = new DataView(b.buffer);
  v.setUint32(0, 17, true);
  v.setUint16(4, type, true);
  v.setUint16(6, 0x301, true); // NLM_F_REQUEST | NLM_F_DUMP
  v.setUint32(8, seq, true);
  b[16] = family;
  return b;
}

async function recordNotifications(): Promise<void> {
  if (!wanted('notifications')) return;
  const groups = routeProtocol().def.groups;
  const want = [
    'RTNLGRP_LINK', 'RTNLGRP_NEIGH', 'RTNLGRP_IPV4_IFADDR', 'RTNLGRP_IPV4_ROUTE', 'RTNLGRP_IPV4_RULE',
    'RTNLGRP_IPV6_IFADDR', 'RTNLGRP_IPV6_ROUTE', 'RTNLGRP_IPV6_RULE', 'RTNLGRP_IPV4_NETCONF',
    'RTNLGRP_IPV6_NETCONF', 'RTNLGRP_NSID', 'RTNLGRP_NEXTHOP',
  ].map((g) => {
    const n = groups[g];
    if (n === undefined) throw new Error(`no group ${g}`);
    return n;
  });
  const { client, rec } = recordingClient();
  const sub = client.subscribe(want);
  const it = sub[Symbol.asyncIterator]();
  const drain = async () => {
    for (;;) {
      const r = await Promise.race([it.next(), sleep(400).then(() => 'idle' as const)]);
      if (r === 'idle' || r.done) return;
    }
  };
  const commands = [
    'ip link add nt0 type veth peer name nt1',
    'ip link set nt0 up',
    'ip link set nt1 up',
    'ip link set nt0 mtu 1300',
    'ip addr add 10.123.200.1/24 dev nt0',
    'ip -6 addr add fd00:123:200::1/64 dev nt0 nodad',
    'ip route add 10.123.201.0/24 via 10.123.200.2',
    'ip -6 route add fd00:123:201::/64 via fd00:123:200::2',
    'ip neigh add 10.123.200.9 lladdr 02:12:30:00:c8:09 dev nt0 nud permanent',
    'ip rule add pref 2000 from 10.123.200.0/24 table 100',
    'ip -6 rule add pref 2000 from fd00:123:200::/64 table 100',
    'ip nexthop add id 50 via 10.123.200.2 dev nt0',
    'ip netns add ns3',
    'ip netns set ns3 7',
    'sysctl net.ipv4.conf.nt0.forwarding=0',
    'sysctl net.ipv6.conf.nt0.forwarding=1',
    'ip neigh del 10.123.200.9 dev nt0',
    'ip nexthop del id 50',
    'ip rule del pref 2000',
    'ip -6 rule del pref 2000',
    'ip addr del 10.123.200.1/24 dev nt0',
    'ip link del nt0',
    'ip netns del ns3',
  ];
  try {
    await drain();
    for (const c of commands) {
      if (c.startsWith('sysctl ')) {
        const [k, v] = c.slice(7).split('=');
        sysctl(k!.replaceAll('.', '/'), v!);
      } else run(c);
      await drain();
    }
  } finally {
    client.close();
  }
  save('notifications', {
    command: `nlkit subscribe ${want.join(',')}; then: ${commands.join('; ')}`,
    description: 'Notifications (seq 0) of links, addresses, routes, neighbours, rules, nexthops, netconf and nsid while objects are created, changed and deleted.',
    datagrams: rec.log.filter((d) => d.direction === 'recv'),
  });
}

// ---------------------------------------------------------------------------------------------
// What iproute2 itself sends and receives (strace hex dumps of the NETLINK_ROUTE socket)

const STRACE_OUT = '/tmp/nlkit-record-strace.txt';

interface Traced {
  datagrams: FixtureDatagram[];
  stdout: string;
  stderr: string;
  status: number;
}

/**
 * Runs `cmdline` under strace and returns the datagrams of its NETLINK_ROUTE sockets in order.
 * `-e write=all -e read=all` dump every byte of sendmsg/recvmsg as hex; the socket() calls tell
 * which fds are NETLINK_ROUTE (strace's -yy cannot name sockets of another namespace, `ip -n`);
 * MSG_PEEK receives (iproute2 peeks to size its buffer) are skipped.
 */
function straceRun(cmdline: string): Traced {
  const [cmd, ...args] = cmdline.split(/\s+/);
  let stdout = '';
  let stderr = '';
  let status = 0;
  try {
    stdout = execFileSync('strace', ['-f', '-qq', '-xx', '-e', 'trace=socket,sendmsg,recvmsg,sendto,recvfrom', '-e', 'read=all', '-e', 'write=all', '-o', STRACE_OUT, cmd!, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    status = err.status ?? 1;
    stdout = err.stdout ?? '';
    stderr = err.stderr ?? '';
  }
  const lines = readFileSync(STRACE_OUT, 'utf8').split('\n');
  rmSync(STRACE_OUT, { force: true });
  const datagrams: FixtureDatagram[] = [];
  let cur: { direction: 'send' | 'recv'; bytes: string[] } | undefined;
  const flush = () => {
    if (cur && cur.bytes.length > 0) datagrams.push({ direction: cur.direction, family: 'route', hex: cur.bytes.join('') });
    cur = undefined;
  };
  const protocolOf = new Map<string, string>(); // "pid:fd" -> NETLINK_* protocol name
  for (const line of lines) {
    const pid = /^(\d+)\s/.exec(line)?.[1] ?? '0';
    const sock = /^(?:\d+\s+)?socket\(AF_NETLINK, [^,]+, NETLINK_([A-Z_]+)\)\s+=\s+(\d+)/.exec(line);
    if (sock) {
      flush();
      protocolOf.set(`${pid}:${sock[2]}`, sock[1]!);
      continue;
    }
    const call = /^(?:\d+\s+)?(sendmsg|sendto|recvmsg|recvfrom)\((\d+)/.exec(line);
    if (call) {
      flush();
      const peek = /MSG_PEEK/.test(line.slice(line.lastIndexOf('}')));
      if (protocolOf.get(`${pid}:${call[2]}`) === 'ROUTE' && !peek && /\)\s+=\s+\d+/.test(line)) {
        cur = { direction: call[1]!.startsWith('send') ? 'send' : 'recv', bytes: [] };
      }
      continue;
    }
    const dump = /^ \| [0-9a-f]{5}  (.{49})/.exec(line);
    if (dump && cur) {
      for (const tok of dump[1]!.trim().split(/\s+/)) if (/^[0-9a-f]{2}$/.test(tok)) cur.bytes.push(tok);
      continue;
    }
    if (/^ \* \d+ bytes in buffer/.test(line)) continue;
    flush();
  }
  flush();
  return { datagrams, stdout, stderr, status };
}

/** Records one `ip`/`bridge` command; `-j` commands keep their own output as the ip view. */
function recordIp(name: string, cmdline: string, description: string, expectFail = false): void {
  const r = straceRun(cmdline);
  if (!wanted(name)) return;
  if (r.status !== 0 && !expectFail) throw new Error(`${cmdline} failed with status ${r.status}: ${r.stderr}`);
  if (r.status === 0 && expectFail) throw new Error(`${cmdline} was expected to fail`);
  if (r.datagrams.length === 0) {
    process.stderr.write(`record-fixtures: ${cmdline}: no NETLINK_ROUTE datagrams, not saved\n`);
    return;
  }
  const f: Omit<Fixture, 'kernel' | 'recorded'> = { command: cmdline, description, datagrams: r.datagrams };
  if (/\s-j\s/.test(` ${cmdline} `)) {
    const key = cmdline.replace(/\s-j(?=\s)/, '');
    f.ipJson = { [key]: r.stdout.trim() === '' ? [] : JSON.parse(r.stdout) };
  }
  save(name, f);
}

function recordWalkthrough(): void {
  // The classic namespace walkthrough, in iproute2's own encoding (NLA_F_NESTED on nests it flags,
  // 1-byte rtgenmsg headers, ifinfomsg probes, ACK echoes without NLM_F_CAPPED).
  run('ip netns add demo'); // no netlink: a mount of a new namespace on /run/netns/demo
  const steps: Array<[string, string, string, boolean?]> = [
    ['netns-set-id', 'ip netns set demo 9', 'RTM_NEWNSID NETNSA_FD + NETNSA_NSID'],
    ['link-add-veth', 'ip link add wveth0 type veth peer name wveth1 netns demo', 'veth pair with the peer created in another namespace (VETH_INFO_PEER + IFLA_NET_NS_FD)'],
    ['link-set-up', 'ip link set wveth0 up', 'RTM_NEWLINK with ifi_change IFF_UP'],
    ['netns-link-set-up', 'ip -n demo link set wveth1 up', 'the same, inside the namespace'],
    ['netns-list-id', 'ip -j netns list-id', 'RTM_GETNSID dump (rtgenmsg request)'],
    ['addr-add', 'ip addr add 10.123.100.1/24 dev wveth0', 'RTM_NEWADDR IPv4'],
    ['netns-addr-add', 'ip -n demo addr add 10.123.100.2/24 dev wveth1', 'RTM_NEWADDR inside the namespace'],
    ['addr-add-v6', 'ip -6 addr add fd00:123:100::1/64 dev wveth0 nodad', 'RTM_NEWADDR IPv6 with IFA_FLAGS nodad'],
    ['addr-add-lft', 'ip addr add 10.123.102.1/24 dev wveth0 label wveth0:lft valid_lft 600 preferred_lft 300', 'RTM_NEWADDR with a label and IFA_CACHEINFO lifetimes'],
    ['netns-route-add-default', 'ip -n demo route add default via 10.123.100.1', 'RTM_NEWROUTE default route inside the namespace'],
    ['route-add', 'ip route add 10.123.101.0/24 via 10.123.100.2', 'RTM_NEWROUTE via a gateway'],
    ['route-add-multipath', 'ip route add 10.123.103.0/24 nexthop via 10.123.100.2 dev wveth0 weight 2 nexthop via 10.123.1.2 dev veth0', 'RTM_NEWROUTE with RTA_MULTIPATH'],
    ['route-add-metrics', 'ip route add 10.123.104.0/24 via 10.123.100.2 mtu 1280 table 100 proto static', 'RTM_NEWROUTE with RTA_METRICS and RTA_TABLE'],
    ['neigh-add', 'ip neigh add 10.123.100.9 lladdr 02:12:30:00:09:09 dev wveth0 nud permanent', 'RTM_NEWNEIGH permanent'],
    ['link-add-bridge', 'ip link add wbr0 type bridge', 'RTM_NEWLINK kind bridge'],
    ['link-set-master', 'ip link set wveth0 master wbr0', 'RTM_NEWLINK with IFLA_MASTER'],
    ['link-add-vxlan', 'ip link add wvx0 type vxlan id 77 dstport 4789 local 10.123.100.1 dev wveth0', 'RTM_NEWLINK kind vxlan with IFLA_VXLAN_*'],
    ['link-add-vxlan-dup', 'ip link add wvx1 type vxlan id 77 dstport 4789 local 10.123.100.1 dev wveth0', 'a second vxlan with the same VNI: EEXIST with an extended ACK message', true],
    ['fdb-add', 'bridge fdb add 02:12:30:00:09:0a dev wvx0 dst 10.123.100.2 self permanent', 'RTM_NEWNEIGH AF_BRIDGE with NDA_DST'],
    ['link-add-macvlan', 'ip link add wmv0 link veth0 type macvlan mode private', 'RTM_NEWLINK kind macvlan'],
    ['link-add-macvtap', 'ip link add wmvt0 link vp1 type macvtap mode passthru', 'RTM_NEWLINK kind macvtap'],
    ['link-set-mtu', 'ip link set wveth0 mtu 1400', 'RTM_NEWLINK with IFLA_MTU'],
    ['addr-add-dup', 'ip addr add 10.123.100.1/24 dev wveth0', 'duplicate address: EEXIST', true],
    ['link-show', 'ip -j link show', 'RTM_GETLINK dump with IFLA_EXT_MASK'],
    ['link-show-details', 'ip -j -d link show', 'RTM_GETLINK dump, details'],
    ['link-show-stats', 'ip -j -s link show dev wveth0', 'RTM_GETLINK of one device with statistics'],
    ['addr-show', 'ip -j addr show', 'RTM_GETLINK + RTM_GETADDR dumps'],
    ['route-show', 'ip -j route show', 'RTM_GETROUTE dump of the main table'],
    ['route-show-all', 'ip -j -6 route show table all', 'RTM_GETROUTE IPv6 dump of all tables'],
    ['route-get', 'ip -j route get 10.123.101.7', 'RTM_GETROUTE lookup'],
    ['neigh-show', 'ip -j neigh show', 'RTM_GETNEIGH dump'],
    ['fdb-show', 'bridge -j fdb show', 'RTM_GETNEIGH AF_BRIDGE dump'],
    ['bridge-link-show', 'bridge -j link show', 'RTM_GETLINK AF_BRIDGE dump'],
    ['rule-show', 'ip -j rule show', 'RTM_GETRULE dump'],
    ['nexthop-show', 'ip -j nexthop show', 'RTM_GETNEXTHOP dump'],
    ['netconf-show', 'ip -j netconf show dev wveth0', 'RTM_GETNETCONF of one device'],
    ['route-del', 'ip route del 10.123.101.0/24', 'RTM_DELROUTE'],
    ['addr-del', 'ip addr del 10.123.100.1/24 dev wveth0', 'RTM_DELADDR'],
    ['neigh-del', 'ip neigh del 10.123.100.9 dev wveth0', 'RTM_DELNEIGH'],
    ['link-del', 'ip link del wveth0', 'RTM_DELLINK (the peer in demo goes too)'],
  ];
  let n = 0;
  for (const [slug, cmdline, description, fails] of steps) {
    n++;
    recordIp(`ip-${String(n).padStart(2, '0')}-${slug}`, cmdline, `iproute2 ${ipVersion}: ${description}`, fails ?? false);
  }
  run('ip netns del demo');
}

const ipVersion = /iproute2-[\w.]+/.exec(sh('ip', ['-V']))?.[0] ?? 'iproute2';

// ---------------------------------------------------------------------------------------------

mkdirSync(outDir, { recursive: true });
if (only === undefined) {
  for (const f of readdirSync(outDir)) if (f.endsWith('.json')) rmSync(join(outDir, f));
}
buildTopology();
// Let IPv6 settle (MLD reports, link-local addresses) so the dumps and the ip views agree.
await sleep(1500);
await recordDumps();
await recordRequests();
await recordNotifications();
await recordRaw(
  'rtgenmsg-17',
  'raw dumps with 17-byte requests: RTM_GETNSID (struct rtgenmsg), RTM_GETNETCONF (struct netconfmsg, AF_INET), RTM_GETLINK (struct rtgenmsg, AF_UNSPEC)',
  'Dump requests whose 1-byte family header is not padded (nlmsg_len 17), as rtnl_dump_request() builds them. GETNSID answers; with NETLINK_GET_STRICT_CHK the netconf and link dumps are refused in NLMSG_DONE (error + extended ACK text).',
  [genmsgDump(90, 0, 1), genmsgDump(82, AF_INET, 2), genmsgDump(18, 0, 3)],
);
recordWalkthrough();
process.stdout.write(`recorded into ${outDir}:\n  ${written.join('\n  ')}\n`);
