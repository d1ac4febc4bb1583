// `nlkit` listings against iproute2 on the same kernel state. In the sandbox a topology is built
// with ip (veth pairs, one into another namespace with a netns id, a bridge with ports, vxlan,
// macvlan, macvtap, tun/tap, IPv4/IPv6 addresses with labels and lifetimes, multipath,
// blackhole, unreachable, prohibit and table-100 routes, permanent/proxy/router neighbours,
// bridge fdb entries); then `nlkit -j ARGS` (run in-process through main()) must print every key
// `ip -j ARGS` prints with an equal value (volatile counters, timers, lifetimes: same type), and
// plain `nlkit ARGS` the same lines as `ip ARGS` modulo whitespace. Keys nlkit prints that ip
// does not are listed per case as deliberate additions (there are none today).
import t from 'tap';
import { enterSandbox, sh } from '../kernel/sandbox.js';
import { compareJson, type CompareOptions, compareText, describe } from './view-support/oracle.js';
import { AGES, COUNTERS, LIFETIMES, maskText, nk, runScript, TIMERS } from './cli-support.js';

await enterSandbox();

const TOPOLOGY = `
sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0
ip netns add peerns
ip netns set peerns 7
ip link add vx0 type veth peer name vx1 netns peerns
ip link add v0 type veth peer name v1
ip link add p0 type veth peer name p1
ip link add br0 type bridge
ip link set v1 master br0
ip link set p1 master br0
ip link add br1 type bridge stp_state 1 forward_delay 400 priority 4096 ageing_time 1000
ip link add vxl0 type vxlan id 42 dstport 4789 dev v0 local 10.123.0.1 remote 10.123.0.9
ip link add vxl6 type vxlan id 43 group ff05::100 dev v0 dstport 4790 ttl 5 nolearning
ip link add mv0 link v0 type macvlan mode bridge
ip link add mvt0 link p0 type macvtap mode vepa
ip tuntap add tap0 mode tap
ip tuntap add tun0 mode tun multi_queue
ip link set dev v0 alias "uplink v0"
ip link set lo up
ip link set v0 up
ip link set v1 up
ip link set p0 up
ip link set p1 up
ip link set br0 up
ip link set vx0 up
ip link set mv0 up
ip link set vxl0 up
ip -n peerns link set vx1 up
ip addr add 10.123.0.1/24 brd + dev v0 label v0:main
ip addr add 10.123.1.1/24 dev v0
ip addr add 10.123.1.2/24 dev v0
ip addr add 10.123.2.1/24 dev p0 valid_lft 3600 preferred_lft 1800
ip addr add 10.123.4.1/24 dev p0 metric 5
ip addr add 10.123.3.1/32 peer 10.123.3.2 dev vx0
ip addr add 10.123.19.1/24 dev br0
ip addr add fd00:123::1/64 dev v0 nodad
ip addr add fd00:123:1::1/64 dev p0 nodad
ip addr add fd00:123:2::1/64 dev p0 nodad valid_lft 7200 preferred_lft 0 noprefixroute
ip route add 10.123.5.0/24 nexthop via 10.123.0.2 dev v0 weight 1 nexthop via 10.123.2.2 dev p0 weight 3
ip route add blackhole 10.123.6.0/24
ip route add unreachable 10.123.7.0/24 metric 50
ip route add prohibit 10.123.15.0/24
ip route add 10.123.8.0/24 via 10.123.0.2 table 100 proto static
ip route add 10.123.10.0/24 via 10.123.0.2 table 100 mtu lock 1400
ip route add 10.123.9.0/24 via 10.123.0.2 mtu lock 1400 advmss 1300 src 10.123.0.1
ip route add default via 10.123.0.254
ip -6 route add fd00:123:5::/64 via fd00:123::2 metric 10
ip -6 route add fd00:123:6::/64 nexthop via fd00:123::2 dev v0 nexthop via fd00:123:1::2 dev p0
ip -6 route add blackhole fd00:123:7::/64
ip -6 route add fd00:123:9::/64 via fd00:123::2 table 100 pref low
ip neigh add 10.123.0.2 lladdr 02:00:00:00:00:02 dev v0 nud permanent
ip neigh add fd00:123::2 lladdr 02:00:00:00:00:03 dev v0 nud permanent
ip neigh add 10.123.2.2 lladdr 02:00:00:00:00:04 dev p0 nud reachable
ip neigh add 10.123.2.3 lladdr 02:00:00:00:00:05 dev p0 nud stale
ip neigh add proxy 10.123.0.77 dev v0
ip -6 neigh add fd00:123::3 lladdr 02:00:00:00:00:09 dev v0 router nud permanent
bridge fdb add 02:00:00:00:00:aa dev v1 master static
bridge fdb add 02:00:00:00:00:bb dev p1 master static sticky
bridge fdb append 00:00:00:00:00:00 dev vxl0 dst 10.123.0.9
bridge fdb append 00:00:00:00:00:00 dev vxl0 dst 10.123.0.10 port 4444 vni 50 via v0
`;
runScript(TOPOLOGY);

interface Case {
  args: string[];
  bin?: string;
  json?: boolean;
  text?: boolean;
  compare?: CompareOptions;
}

/** Deliberate additions: keys nlkit prints that ip does not (none so far). */
const ADDITIONS: string[] = [];

const cases: Case[] = [
  { args: ['link', 'show'], text: true },
  { args: ['-d', 'link', 'show'], text: true, compare: { volatile: TIMERS } },
  { args: ['-s', 'link', 'show'], text: true, compare: { volatile: COUNTERS } },
  { args: ['-s', '-s', 'link', 'show'], compare: { volatile: COUNTERS } },
  { args: ['link', 'show', 'dev', 'v0'], text: true },
  { args: ['link', 'show', 'master', 'br0'], text: true },
  { args: ['link', 'show', 'type', 'veth'], text: true },
  { args: ['link', 'show', 'up'], text: true },
  { args: ['-br', 'link', 'show'], text: true },
  { args: ['-o', 'link', 'show'], json: false, text: true },
  { args: ['addr', 'show'], text: true, compare: { volatile: LIFETIMES } },
  { args: ['-4', 'addr', 'show'], text: true, compare: { volatile: LIFETIMES } },
  { args: ['-6', 'addr', 'show'], text: true, compare: { volatile: LIFETIMES } },
  { args: ['addr', 'show', 'dev', 'p0'], text: true, compare: { volatile: LIFETIMES } },
  { args: ['addr', 'show', 'label', 'v0:*'], text: true, compare: { volatile: LIFETIMES } },
  { args: ['addr', 'show', 'to', '10.123.1.0/24'], text: true, compare: { volatile: LIFETIMES } },
  { args: ['-br', 'addr', 'show'], text: true },
  { args: ['-o', 'addr', 'show'], json: false, text: true },
  { args: ['route', 'show'], text: true },
  { args: ['route', 'show', 'table', 'all'], text: true },
  { args: ['route', 'show', 'table', '100'], text: true },
  { args: ['-6', 'route', 'show'], text: true },
  { args: ['-6', 'route', 'show', 'table', 'all'], text: true },
  { args: ['route', 'show', 'dev', 'v0'], text: true },
  { args: ['route', 'show', 'type', 'blackhole'], text: true },
  { args: ['route', 'show', 'root', '10.123.0.0/16'], text: true },
  { args: ['route', 'show', 'match', '10.123.5.7'], text: true },
  { args: ['route', 'show', 'exact', '10.123.5.0/24'], text: true },
  { args: ['-d', 'route', 'show', 'table', 'all'], text: true },
  { args: ['neigh', 'show'], text: true },
  { args: ['neigh', 'show', 'proxy'], text: true },
  { args: ['neigh', 'show', 'nud', 'all'], text: true },
  { args: ['neigh', 'show', 'dev', 'p0'], text: true },
  { args: ['-s', 'neigh', 'show'], compare: { volatile: AGES } },
  { args: ['netns', 'list-id'], text: true },
  { args: ['netns', 'list'], text: true },
  { args: ['fdb', 'show'], bin: 'bridge', text: true },
  { args: ['fdb', 'show', 'br', 'br0'], bin: 'bridge', text: true },
  { args: ['fdb', 'show', 'dev', 'vxl0'], bin: 'bridge', text: true },
  { args: ['link', 'show'], bin: 'bridge', text: true },
  { args: ['-d', 'link', 'show'], bin: 'bridge', text: true },
  { args: ['tuntap', 'show'], text: true },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * iproute2 6.1 opens a JSON object before it applies some filters and prints `{}` for each link
 * or address the filter then drops (`ip -j link show up`, `ip -j addr show to PREFIX`, ...).
 * nlkit leaves them out (deliberate deviation); they are removed from ip's answer here.
 */
function dropEmptyObjects(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((x) => !(x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 0)).map(dropEmptyObjects);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dropEmptyObjects(x)]));
  return v;
}

/** Our command line for ip's: `bridge ARGS` is `nlkit bridge ARGS` (options first). */
function ours(c: Case, json: boolean): string[] {
  const opts = c.args.filter((a) => a.startsWith('-'));
  const rest = c.args.filter((a) => !a.startsWith('-'));
  const j = json ? ['-j'] : [];
  return c.bin === 'bridge' ? [...j, ...opts, 'bridge', ...rest] : [...j, ...c.args];
}

for (const c of cases) {
  const bin = c.bin ?? 'ip';
  t.test(`${bin} ${c.args.join(' ')}`, async (t) => {
    const compare = { ...c.compare, additions: ADDITIONS };
    if (c.json !== false) {
      // A state nlkit's dump falls inside: ip before and after agree (modulo volatile values).
      let ipJ: unknown;
      let mine: unknown;
      for (let attempt = 0; attempt < 8; attempt++) {
        const j1 = dropEmptyObjects(JSON.parse(sh(bin, ['-j', ...c.args]) || '[]'));
        const r = await nk(ours(c, true));
        t.equal(r.code, 0, `exit status (${r.err.trim()})`);
        const j2 = dropEmptyObjects(JSON.parse(sh(bin, ['-j', ...c.args]) || '[]'));
        ipJ = j1;
        mine = JSON.parse(r.out);
        if (compareJson(j2, j1, compare).length === 0) break;
        await sleep(300);
      }
      const diffs = compareJson(mine, ipJ, compare);
      t.same(diffs, [], `JSON of ${bin} -j ${c.args.join(' ')}:\n${describe(diffs)}`);
    }
    if (c.text) {
      let ipT = '';
      let mine = '';
      for (let attempt = 0; attempt < 8; attempt++) {
        const t1 = sh(bin, c.args);
        const r = await nk(ours(c, false));
        t.equal(r.code, 0, `exit status (${r.err.trim()})`);
        const t2 = sh(bin, c.args);
        ipT = t1;
        mine = r.out;
        if (compareText(t2, t1, maskText).length === 0) break;
        await sleep(300);
      }
      const d = compareText(mine, ipT, maskText);
      t.same(d, [], `text of ${bin} ${c.args.join(' ')}:\n${d.slice(0, 10).join('\n')}`);
    }
  });
}

t.test('-p: the JSON layout of ip -j -p', async (t) => {
  for (const args of [['link', 'show'], ['route', 'show'], ['neigh', 'show', 'dev', 'nosuchdev-x']]) {
    const ip = (() => {
      try {
        return sh('ip', ['-j', '-p', ...args]);
      } catch {
        return '';
      }
    })();
    if (ip === '') continue;
    const r = await nk(['-j', '-p', ...args]);
    t.equal(r.out.replace(/"(valid|preferred)_life_time": \d+/g, ''), ip.replace(/"(valid|preferred)_life_time": \d+/g, ''), `ip -j -p ${args.join(' ')}`);
  }
});
