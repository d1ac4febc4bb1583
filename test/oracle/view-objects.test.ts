// Addresses, routes, neighbours and bridge fdb entries the kernel of a test topology does not
// readily produce (flags and attributes of other setups, notifications of deletions, unknown
// values), built by hand and printed by iproute2 through the replay shim, compared with nlkit's
// views. Runs in the sandbox so ip only sees a private lo.
import t from 'tap';
import { enterSandbox } from '../kernel/sandbox.js';
import { encodeMessage, type MessageInit } from '../../src/netlink/message.js';
import { decodeMessages } from '../../src/decode/index.js';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import { NetlinkClient } from '../../src/netlink/client.js';
import { openNativeTransport } from '../../src/netlink/native-transport.js';
import type { Message } from '../../src/netlink/message.js';
import { showJson, showText, type ShowKind, type ShowOptions, viewContext } from '../../src/view/ip-json.js';
import { compareJson, compareText, describe, GET, ipReplay, replayShim, shimReason } from './view-support/oracle.js';

await enterSandbox();

if (!replayShim()) {
  t.plan(0, shimReason);
  process.exit(0);
}

const p = routeProtocol();
const FOREVER = 0xffffffff;

// The kernel's own links (lo) as ip sees them, for the link part of address listings.
const client = new NetlinkClient(openNativeTransport({ protocol: 0 }), p);
const kernelLinks = await client.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 } }).collect();
const kernelLinks6 = await client.dump({ type: 'RTM_GETLINK', header: { family: 10 } }).collect();
client.close();

const lo: MessageInit = {
  type: 'RTM_NEWLINK',
  flags: ['NLM_F_MULTI'],
  header: { family: 0, type: 772, index: 1, flags: 0x8, change: 0 },
  attrs: { ifname: 'lo', mtu: 65536, qdisc: 'noop', operstate: 2, txqlen: 1000, address: '00:00:00:00:00:00', broadcast: '00:00:00:00:00:00' },
};

function addr(family: number, prefixlen: number, flags: number, scope: number, attrs: Record<string, unknown>, type = 'RTM_NEWADDR'): MessageInit {
  return { type, flags: ['NLM_F_MULTI'], header: { family, prefixlen, flags: flags & 0xff, scope, index: 1 }, attrs: { flags, ...attrs } };
}

function route(h: Record<string, unknown>, attrs: Record<string, unknown>, type = 'RTM_NEWROUTE'): MessageInit {
  return { type, flags: ['NLM_F_MULTI'], header: { family: 2, dst_len: 24, src_len: 0, tos: 0, table: 254, protocol: 4, scope: 0, type: 1, flags: 0, ...h }, attrs: { table: h['table'] ?? 254, ...attrs } };
}

function neigh(h: Record<string, unknown>, attrs: Record<string, unknown>, type = 'RTM_NEWNEIGH'): MessageInit {
  return { type, flags: ['NLM_F_MULTI'], header: { family: 2, ifindex: 1, state: 0x80, flags: 0, type: 1, ...h }, attrs };
}

interface Case {
  name: string;
  get: number;
  args: string[];
  bin?: string;
  kind: ShowKind;
  opts: ShowOptions;
  msgs: MessageInit[];
  /** Messages that the shim does not inject but that give interface names (the kernel's lo). */
  context?: MessageInit[];
  /** Address listings: the kernel's link dump of this family is the link part. */
  links?: 'links' | 'links6';
}

const cases: Case[] = [
  {
    name: 'IPv4 addresses: peer, anycast-free broadcast, metric, flags, label, lifetimes',
    get: GET.addr,
    args: ['addr', 'show'],
    kind: 'addr',
    opts: {},
    context: [lo],
    msgs: [
      addr(2, 24, 0x80 | 0x200 | 0x400, 0, { local: '10.123.0.1', address: '10.123.0.1', broadcast: '10.123.0.255', label: 'lo:one', rt_priority: 7, cacheinfo: { prefered: FOREVER, valid: FOREVER, cstamp: 1, tstamp: 1 } }),
      addr(2, 32, 0x01, 253, { local: '10.123.3.1', address: '10.123.3.2', label: 'lo', cacheinfo: { prefered: 100, valid: 200, cstamp: 1, tstamp: 1 } }),
      addr(2, 16, 0x80 | 0x1000 | 0x40000, 200, { local: '10.124.0.1', cacheinfo: { prefered: FOREVER, valid: FOREVER, cstamp: 1, tstamp: 1 } }),
    ],
  },
  {
    name: 'IPv6 addresses: temporary, tentative, deprecated, dadfailed, optimistic, home, mngtmpaddr, stable-privacy, anycast',
    get: GET.addr,
    args: ['-6', 'addr', 'show'],
    kind: 'addr',
    opts: { family: 10 },
    links: 'links6',
    context: [lo],
    msgs: [
      addr(10, 64, 0x01 | 0x40 | 0x20, 0, { address: 'fd00:123::1', cacheinfo: { prefered: 0, valid: 300, cstamp: 1, tstamp: 1 } }),
      addr(10, 64, 0x08 | 0x04 | 0x10 | 0x100 | 0x800, 0, { address: 'fd00:123::2', cacheinfo: { prefered: FOREVER, valid: FOREVER, cstamp: 1, tstamp: 1 } }),
      addr(10, 128, 0x80, 254, { address: 'fd00:123::3', anycast: 'fd00:123::', cacheinfo: { prefered: 1000, valid: 2000, cstamp: 1, tstamp: 1 } }),
    ],
  },
  {
    name: 'deleted address (a notification)',
    get: GET.addr,
    args: ['addr', 'show'],
    kind: 'addr',
    opts: {},
    context: [lo],
    msgs: [addr(2, 8, 0x80, 254, { local: '127.0.0.9', address: '127.0.0.9', label: 'lo' })],
  },
  {
    name: 'IPv4 routes: types, tos, realms, mark, uid, src, iif, nhid, ttl-propagate, flags, cached',
    get: GET.route,
    args: ['route', 'show', 'table', 'all'],
    kind: 'route',
    opts: { table: 'all' },
    context: [lo],
    msgs: [
      route({ type: 7 }, { dst: '10.123.1.0', priority: 5 }),
      route({ type: 8, protocol: 3, scope: 253, table: 100 }, { dst: '10.123.2.0' }),
      route({ type: 9, table: 200 }, { dst: '10.123.3.0' }),
      route({ tos: 0x28, dst_len: 32 }, { dst: '10.123.4.4', gateway: '10.123.0.1', oif: 1, prefsrc: '127.0.0.1', flow: (3 << 16) | 5, mark: 0x42, uid: 1000, nh_id: 9, ttl_propagate: 1 }),
      route({ flags: 0x4 | 0x10 | 0x1 | 0x100, protocol: 186 }, { dst: '10.123.5.0', gateway: '10.123.0.1', oif: 1, flow: 7 }),
      route({ dst_len: 0, src_len: 16, protocol: 99 }, { src: '10.125.0.0', oif: 1, iif: 1, ttl_propagate: 0 }),
      route({ dst_len: 8, table: 0 }, { table: 1234, oif: 1 }),
      route({ type: 11, dst_len: 24, protocol: 250, scope: 100 }, { dst: '10.123.6.0', multipath: [{ flags: 0x10, hops: 4, ifindex: 1, attrs: { gateway: '10.123.0.3', flow: 2 } }, { flags: 0, hops: 0, ifindex: 77, attrs: { via: { family: 10, addr: 'fd00::1' } } }] }),
      route({ dst_len: 32, flags: 0x200, type: 5, family: 2 }, { dst: '239.1.1.1', src: '10.123.0.1', iif: 1, multipath: [{ flags: 0, hops: 1, ifindex: 1, attrs: {} }, { flags: 0, hops: 3, ifindex: 1, attrs: {} }], cacheinfo: { clntref: 2, lastuse: 500, expires: 0, error: 0, used: 3, id: 0, ts: 0, tsage: 0 } }),
      route({ dst_len: 24 }, { dst: '10.123.7.0', oif: 1, metrics: { mtu: 1400, lock: (1 << 2) | (1 << 10) | (1 << 4), hoplimit: 0xffffffff, rtt: 800, rto_min: 2000, features: 3, cc_algo: 'reno', quickack: 1, fastopen_no_cookie: 1 } }),
      route({ dst_len: 24 }, { dst: '10.123.8.0', oif: 1 }, 'RTM_DELROUTE'),
    ],
  },
  {
    name: 'IPv6 routes: pref, expires, error, cacheinfo, unreachable default',
    get: GET.route,
    args: ['-6', 'route', 'show', 'table', 'all'],
    kind: 'route',
    opts: { table: 'all', family: 10 },
    context: [lo],
    msgs: [
      route({ family: 10, dst_len: 64, protocol: 9 }, { dst: 'fd00:123::', gateway: 'fe80::1', oif: 1, priority: 1024, pref: 1, cacheinfo: { clntref: 0, lastuse: 0, expires: 12345, error: 0, used: 0, id: 0, ts: 0, tsage: 0 } }),
      route({ family: 10, dst_len: 0, type: 7, protocol: 2, table: 254 }, { priority: 0xffffffff, oif: 1, pref: 2, cacheinfo: { clntref: 0, lastuse: 0, expires: 0, error: 4294967183, used: 0, id: 0, ts: 0, tsage: 0 } }),
      route({ family: 10, dst_len: 128, protocol: 2, scope: 0, table: 255, type: 2 }, { dst: 'fd00:123::1', oif: 1, priority: 0, pref: 3 }),
    ],
  },
  {
    name: 'neighbours: router/proxy/extern_learn/offload, states, protocol, unknown lladdr device type',
    get: GET.neigh,
    args: ['neigh', 'show'],
    kind: 'neigh',
    opts: {},
    context: [lo],
    msgs: [
      neigh({ state: 0x02, flags: 0x80 | 0x10 | 0x20 }, { dst: '10.123.0.2', lladdr: '02:00:00:00:00:02', protocol: 186 }),
      neigh({ family: 10, state: 0x04 | 0x08 }, { dst: 'fd00:123::2', lladdr: '02:00:00:00:00:03' }),
      neigh({ state: 0x20 }, { dst: '10.123.0.3' }),
      neigh({ state: 0x10, ifindex: 42 }, { dst: '10.123.0.4', lladdr: '02:00:00:00:00:04' }),
      neigh({ state: 0x80 }, { dst: '10.123.0.5', lladdr: '02:00:00:00:00:05' }, 'RTM_DELNEIGH'),
      neigh({ state: 0x01 }, { dst: '10.123.0.6' }, 'RTM_GETNEIGH'),
    ],
  },
  {
    name: '-s neighbours: cache info and probes',
    get: GET.neigh,
    args: ['-s', 'neigh', 'show'],
    kind: 'neigh',
    opts: { stats: 1 },
    context: [lo],
    msgs: [
      neigh({ state: 0x02 }, { dst: '10.123.0.2', lladdr: '02:00:00:00:00:02', cacheinfo: { confirmed: 250, used: 1234, updated: 99, refcnt: 3 }, probes: 2 }),
      neigh({ state: 0x80 }, { dst: '10.123.0.7', lladdr: '02:00:00:00:00:07', cacheinfo: { confirmed: 0, used: 0, updated: 0, refcnt: 0 } }),
    ],
  },
  {
    name: 'bridge fdb: flags, states, vlan, port, vni, src_vni, nhid, via ifindex + netnsid, locked, stats',
    get: GET.neigh,
    args: ['fdb', 'show'],
    bin: 'bridge',
    kind: 'fdb',
    opts: {},
    context: [lo],
    msgs: [
      neigh({ family: 7, state: 0x40, flags: 0x04 | 0x40 | 0x80 }, { lladdr: '02:00:00:00:00:aa', vlan: 10, master: 1 }),
      neigh({ family: 7, state: 0x04, flags: 0x02 | 0x10 | 0x20 }, { lladdr: '02:00:00:00:00:bb', dst: 'fd00:123::9', port: 4789, vni: 100, src_vni: 200, ifindex: 1, nh_id: 5 }),
      neigh({ family: 7, state: 0x02, flags: 0x04 }, { lladdr: '02:00:00:00:00:cc', dst: '10.123.0.9', ifindex: 7, link_netnsid: 3, flags_ext: 0x2 }),
      neigh({ family: 7, state: 0x01, flags: 0 }, { lladdr: '02:00:00:00:00:dd' }),
      neigh({ family: 7, state: 0x80, flags: 0x02 }, { lladdr: '33:33:00:00:00:01' }, 'RTM_DELNEIGH'),
    ],
  },
  {
    name: 'bridge -s fdb: used/updated',
    get: GET.neigh,
    args: ['-s', 'fdb', 'show'],
    bin: 'bridge',
    kind: 'fdb',
    opts: { stats: 1 },
    context: [lo],
    msgs: [neigh({ family: 7, state: 0x02, flags: 0x04 }, { lladdr: '02:00:00:00:00:ee', master: 1, cacheinfo: { confirmed: 100, used: 1550, updated: 300, refcnt: 0 } })],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const bytes = Buffer.concat(c.msgs.map((m) => encodeMessage(p, m)));
    const msgs = c.msgs.map((m) => decodeMessages(encodeMessage(p, m))[0]!);
    const ctxMsgs = (c.context ?? []).map((m) => decodeMessages(encodeMessage(p, m))[0]!);
    const ctx = viewContext(ctxMsgs);
    const bin = c.bin ?? 'ip';
    const links: Message[] = c.links === 'links6' ? kernelLinks6 : kernelLinks;
    const all = c.kind === 'addr' ? [...links, ...msgs] : msgs;
    const ipAll = JSON.parse(ipReplay(bytes, c.get, ['-j', ...c.args], bin)) as unknown[];
    // ip's output also holds what the kernel itself has (lo); compare the objects we made.
    const ours = showJson(c.kind, all, ctx, c.opts);
    const theirs = c.kind === 'addr' ? ipAll : ipAll.slice(0, ours.length);
    const diffs = compareJson(ours, theirs);
    t.same(diffs, [], `JSON of ${bin} -j ${c.args.join(' ')}:\n${describe(diffs)}`);
    const ipText = ipReplay(bytes, c.get, c.args, bin);
    const oursText = showText(c.kind, all, ctx, c.opts);
    const n = oursText.split('\n').filter((l) => l.trim()).length;
    const theirText = c.kind === 'addr' ? ipText : ipText.split('\n').filter((l) => l.trim()).slice(0, n).join('\n');
    const text = compareText(oursText, theirText);
    t.same(text, [], `text of ${bin} ${c.args.join(' ')}:\n${text.join('\n')}`);
  });
}
