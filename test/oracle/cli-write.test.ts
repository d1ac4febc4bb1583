// Write commands of the classic walkthrough (/work/shared/seed/walkthrough.zh.txt: netns add,
// netns exec, link add veth peer, addr add, link set up, link set netns, link set master, addr
// del/add on the bridge, ...) run once with ip and once with nlkit (in-process, main()), each in
// namespaces of its own; the kernel state they leave (ip -j dumps, identities such as MAC
// addresses removed) must be the same. Also: exit statuses and messages of failures, side by side
// with ip's.
import t from 'tap';
import { enterSandbox, ipJson, sh } from '../kernel/sandbox.js';
import { compareJson, describe } from './view-support/oracle.js';
import { ipRun, nk, runScript, words } from './cli-support.js';

await enterSandbox();

sh('sysctl', ['-qw', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.all.accept_dad=0']);

/**
 * The walkthrough, adapted: 10.123.0.0/16 instead of 12.1.1.0/24, `addr add` instead of
 * ifconfig. `@` runs in the run's own namespace (`-n MAIN`), `-n NS` in one the script made,
 * anything else as is; `$x` names are made unique per run.
 */
const WALKTHROUGH = `
netns add $forgeek
netns exec $forgeek ip link set dev lo up
-n $forgeek link set dev lo up
@ link add veth0 type veth peer name veth1
@ addr add 10.123.1.1/24 dev veth0
@ addr add 10.123.1.2/24 dev veth1
@ link set veth0 up
@ link set veth1 up
@ link set veth1 netns $forgeek
-n $forgeek addr add 10.123.1.2/24 dev veth1
-n $forgeek link set dev veth1 up
netns add $ns1
netns add $ns2
@ link set veth0 netns $ns1
-n $forgeek link set veth1 netns $ns2
-n $ns1 link set dev veth0 up
-n $ns2 link set dev veth1 up
-n $ns1 addr add 10.123.1.1/24 dev veth0
-n $ns2 addr add 10.123.1.2/24 dev veth1
@ link add veth2 type veth peer name veth3
@ link set dev veth2 up
@ link set dev veth3 up
@ addr add 10.123.2.1/24 dev veth2
@ addr add 10.123.2.2/24 dev veth3
@ link add name br0 type bridge
@ link set br0 up
@ link set dev veth2 master br0
@ addr del 10.123.2.1/24 dev veth2
@ addr add 10.123.2.1/24 dev br0
@ link add veth4 type veth peer name br-veth4
@ link add veth5 type veth peer name br-veth5
@ link set dev veth4 up
@ link set dev veth5 up
@ link set dev br-veth4 up
@ link set dev br-veth5 up
@ link set br-veth4 netns $ns2
@ link set br-veth5 netns $ns1
@ link set dev veth4 master br0
@ link set dev veth5 master br0
-n $ns1 link set br-veth5 up
-n $ns2 link set br-veth4 up
-n $ns1 addr add 10.123.3.1/24 dev br-veth5
-n $ns2 addr add 10.123.3.2/24 dev br-veth4
@ route add 10.123.50.0/24 via 10.123.2.2
@ route add 10.123.51.0/24 via 10.123.2.2 table 100 mtu lock 1400
@ route add blackhole 10.123.52.0/24
@ neigh add 10.123.2.9 lladdr 02:00:00:00:00:09 dev br0 nud permanent
@ link set dev veth3 mtu 1400 txqueuelen 500 alias "to the bridge"
@ link add vx0 type vxlan id 42 dstport 4789 dev veth3 local 10.123.2.2 remote 10.123.2.99
@ link add mv0 link veth3 type macvlan mode bridge
@ link add mvt0 link veth3 type macvtap mode vepa
@ link add ifb0 type ifb
@ link add veth6 type veth peer name veth7 netns $ns1
@ link set dev veth6 up
@ link set dev ifb0 name ifb9
@ addr add 10.123.4.1/24 dev veth6 valid_lft 3000 preferred_lft 2000
@ addr add fd00:123:4::1/64 dev veth6 nodad
@ addr replace 10.123.4.1/24 dev veth6
@ route replace 10.123.50.0/24 via 10.123.2.2 metric 5
@ route add 10.123.53.0/24 nexthop via 10.123.2.2 weight 2 nexthop via 10.123.2.3 weight 3
@ route del 10.123.52.0/24
@ neigh replace 10.123.2.10 lladdr 02:00:00:00:00:10 dev br0 nud reachable
@ neigh del 10.123.2.9 dev br0
@ link add br1 type bridge stp_state 1 forward_delay 400
@ link set dev mv0 master br1
@ link set dev mv0 nomaster
@ link del br1
netns delete $forgeek
`;

interface Side {
  tool: 'ip' | 'nlkit';
  main: string;
  names: Record<string, string>;
}

function expand(line: string, side: Side): string[] | undefined {
  const w = words(line).map((x) => x.replace(/^\$(\w+)$/, (_m, n: string) => side.names[n]!));
  if (w.length === 0) return undefined;
  if (w[0] === '@') return ['-n', side.main, ...w.slice(1)];
  return w;
}

async function run(side: Side, t: { equal: (a: unknown, b: unknown, msg: string) => unknown }): Promise<void> {
  sh('ip', ['netns', 'add', side.main]);
  for (const line of WALKTHROUGH.split('\n')) {
    const args = expand(line, side);
    if (!args) continue;
    if (side.tool === 'ip') {
      const r = ipRun(args);
      t.equal(r.code, 0, `ip ${args.join(' ')} ${r.err.trim()}`);
    } else {
      const r = await nk(args);
      t.equal(r.code, 0, `nlkit ${args.join(' ')} ${r.err.trim()}`);
    }
  }
}

const ipSide: Side = { tool: 'ip', main: 'wt-ip', names: { forgeek: 'ip-forgeek', ns1: 'ip-ns1', ns2: 'ip-ns2' } };
const nkSide: Side = { tool: 'nlkit', main: 'wt-nk', names: { forgeek: 'nk-forgeek', ns1: 'nk-ns1', ns2: 'nk-ns2' } };

/** Removes what differs between two equal configurations: MAC-derived values, counters, timers, lifetimes. */
function normalise(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v
      .filter((x) => {
        const o = x as Record<string, unknown> | null;
        if (o && typeof o === 'object') {
          const local = o['local'] ?? o['dst'];
          if (typeof local === 'string' && /^fe80::./.test(local) && local !== 'fe80::/64') return false;
        }
        return true;
      })
      .map(normalise);
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (/^(address|broadcast|perm_address|permaddr|bridge_id|root_id|designated_root|designated_bridge|stats64|stats)$/.test(k)) continue;
      if (/timer$|life_time$/.test(k)) continue;
      if (typeof x === 'string' && /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(x)) continue;
      out[k] = normalise(x);
    }
    return out;
  }
  return v;
}

/** The same routes in the order of their text (the kernel orders IPv6 routes of several devices by when addrconf met them). */
function sorted(v: unknown): unknown {
  return Array.isArray(v) ? [...v].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) : v;
}

function state(ns: string): Record<string, unknown> {
  return {
    links: normalise(ipJson(['-n', ns, '-d', 'link', 'show'])),
    addrs: normalise(ipJson(['-n', ns, 'addr', 'show'])),
    routes: sorted(normalise(ipJson(['-n', ns, 'route', 'show', 'table', 'all']))),
    neigh: sorted(normalise(ipJson(['-n', ns, '-4', 'neigh', 'show']))),
    nsids: ipJson<Array<{ nsid: number }>>(['-n', ns, 'netns', 'list-id']).map((e) => e.nsid),
  };
}

t.test('the walkthrough through ip and through nlkit leaves the same state', async (t) => {
  await run(ipSide, t);
  await run(nkSide, t);
  for (const [a, b] of [
    [ipSide.main, nkSide.main],
    [ipSide.names['ns1']!, nkSide.names['ns1']!],
    [ipSide.names['ns2']!, nkSide.names['ns2']!],
  ] as const) {
    const diffs = compareJson(state(b), state(a));
    t.same(diffs, [], `${b} vs ${a}:\n${describe(diffs)}`);
  }
  t.notOk(sh('ip', ['netns', 'list']).includes('forgeek'), 'both forgeek namespaces are gone');
  const names = sh('ip', ['netns', 'list']);
  for (const n of ['ip-ns1', 'ip-ns2', 'nk-ns1', 'nk-ns2']) t.ok(names.includes(n), `${n} listed`);
});

// ---------------------------------------------------------------------------------------------
// Failures: status and message as ip gives them.

// Two namespaces in the same state, one for ip's attempts and one for nlkit's (a failed attempt
// may still leave traces, e.g. an incomplete neighbour).
for (const ns of ['errs-ip', 'errs-nk']) {
  runScript(`
ip netns add ${ns}
ip -n ${ns} link add e0 type veth peer name e1
ip -n ${ns} addr add 10.123.60.1/24 dev e0
ip -n ${ns} link set e0 up
`);
}

/** Failing commands (after `-n errs`); ip's wording mentions "ip", ours "nlkit". */
const FAILURES = [
  ['foo'],
  ['link', 'foo'],
  ['link', 'show', 'dev', 'nope'],
  ['link', 'show', 'nope'],
  ['link', 'del', 'nope'],
  ['link', 'add', 'e0', 'type', 'veth'],
  ['link', 'add'],
  ['link', 'set', 'e0', 'mtu', 'abc'],
  ['link', 'set', 'e0', 'foo'],
  ['link', 'set', 'e0', 'promisc', 'maybe'],
  ['link', 'set', 'dev'],
  ['addr', 'add', '10.123.60.1/24', 'dev', 'e0'],
  ['addr', 'add', '10.123.60.1/33', 'dev', 'e0'],
  ['addr', 'add', '10.123.60.9/24', 'dev', 'nope'],
  ['addr', 'add', '10.123.60.9/24'],
  ['addr', 'del', '10.123.61.9/24', 'dev', 'e0'],
  ['addr', 'foo'],
  ['route', 'add', '10.123.62.0/24', 'via', '10.123.99.1'],
  ['route', 'add', '10.123.60.0/24', 'dev', 'e0'],
  ['route', 'del', '10.123.63.0/24'],
  ['route', 'get', '10.200.0.1'],
  ['route', 'show', 'table', '77'],
  ['route', 'flush'],
  ['route', 'add', '10.123.64.0/24', 'via', 'nonsense'],
  ['neigh', 'add', '10.123.60.5', 'dev', 'e0'],
  ['neigh', 'add', '10.123.60.5'],
  ['netns', 'delete', 'nope'],
  ['netns', 'add', 'a/b'],
  ['netns', 'set', 'errs-ip', 'x'],
  ['tuntap', 'add', 'foo'],
] as const;

t.test('failures: ip\'s exit status and message', async (t) => {
  for (const args of FAILURES) {
    const ip = ipRun(['-n', 'errs-ip', ...args]);
    const mine = await nk(['-n', 'errs-nk', ...args]);
    const ipErr = ip.err.replace(/"ip /g, '"nlkit ').replace(/try "ip/g, 'try "nlkit');
    t.equal(mine.code, ip.code, `exit status of ${args.join(' ')} (ip: ${ip.err.trim()} / nlkit: ${mine.err.trim()})`);
    t.equal(mine.err, ipErr, `message of ${args.join(' ')}`);
  }
});

t.test('global usage and help', async (t) => {
  let r = await nk(['-x', 'link']);
  t.equal(r.code, 255);
  t.equal(r.err, 'Option "-x" is unknown, try "nlkit -help".\n');
  r = await nk([]);
  t.equal(r.code, 255, 'no object: usage on stderr, 255 as ip');
  t.match(r.err, /^Usage: nlkit \[ OPTIONS \] OBJECT/);
  for (const h of [['help'], ['-h'], ['--help'], ['-help'], ['help', 'link'], ['link', 'help'], ['addr', 'help'], ['route', 'help'], ['neigh', 'help'], ['netns', 'help'], ['tuntap', 'help'], ['monitor', 'help'], ['bridge', 'help'], ['bridge', 'fdb', 'help'], ['link', 'help', 'vxlan'], ['link', 'add', 'x', 'type', 'bridge', 'help'], ['nft', 'help']]) {
    r = await nk(h);
    t.equal(r.code, 0, `${h.join(' ')}: exit 0 (deliberate: ip exits 255 after its usage)`);
    t.match(r.out, /Usage:\s/, `${h.join(' ')}: usage on stdout`);
  }
  r = await nk(['-V']);
  t.match(r.out, /^nlkit utility, nlkit-\d+\.\d+\.\d+\n$/);
  r = await nk(['rule']);
  t.equal(r.code, 1);
  t.match(r.err, /Object "rule" is not supported by nlkit/);
  // abbreviations resolve as ip's
  for (const [short, long] of [
    [['l'], ['link', 'show']],
    [['li', 'sh'], ['link', 'show']],
    [['a', 's'], ['addr', 'show']],
    [['r'], ['route', 'show']],
    [['n'], ['neigh', 'show']],
    [['link', 'lst'], ['link', 'show']],
  ] as const) {
    const a = await nk(['-n', 'errs-nk', ...short]);
    const b = await nk(['-n', 'errs-nk', ...long]);
    t.equal(a.out, b.out, `${short.join(' ')} = ${long.join(' ')}`);
  }
});
