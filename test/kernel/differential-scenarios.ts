/**
 * The ONE scenario suite of the differential test: the same steps run against the real kernel
 * (test/kernel/differential.test.ts, in the sandbox) and against the mock kernel
 * (test/unit/testing/differential.test.ts, no root), and the transcripts must agree field by
 * field after {@link normalize} removed the values listed in {@link VOLATILE}.
 *
 * A step is a raw rtnetlink request (decoded replies or the kernel's error are recorded), a
 * namespace operation, or a checkpoint (dumps of links, addresses, routes and neighbours of
 * every namespace the scenario made).
 */
import type { NetlinkClient } from '../../src/netlink/client.js';
import type { Message, MessageInit } from '../../src/netlink/message.js';
import { isNetlinkError } from '../../src/netlink/errors.js';
import type { Netlink } from '../../src/api/netlink.js';

/** What a scenario needs from the world it runs in. '' is the initial ("host") namespace. */
export interface ScenarioEnv {
  readonly name: string;
  addNetns(name: string): Promise<void>;
  deleteNetns(name: string): Promise<void>;
  /** A number that names the namespace in IFLA_NET_NS_FD. */
  netnsFd(name: string): number;
  /** The client of namespace `ns` (one per namespace, opened on first use). */
  client(ns: string): NetlinkClient;
  /** Waits until the asynchronous parts of the last changes happened (linkwatch, DAD). */
  settle(namespaces: readonly string[]): Promise<void>;
  /** A high-level handle on namespace `ns` (one per namespace, closed with it). */
  netlink(ns: string): Promise<Netlink>;
}

/** Helpers a step uses to build its request. */
export interface StepContext {
  /** The ifindex of `name` in namespace `ns` (asked of the env with RTM_GETLINK). */
  idx(ns: string, name: string): Promise<number>;
  /** IFLA_NET_NS_FD value of namespace `name`. */
  fd(name: string): number;
}

export type Step =
  | { id: string; ns?: string; req: (c: StepContext) => MessageInit | Promise<MessageInit> }
  | { id: string; ns?: string; api: (nl: Netlink, c: StepContext) => Promise<unknown> }
  | { id: string; netnsAdd: string }
  | { id: string; netnsDelete: string }
  | { id: string; check: true };

/** The outcome of one step. */
export type Outcome =
  | { ok: true; replies: Message[]; value?: unknown }
  | { ok: false; error: { errno: number; code: string; message?: string; attributePath?: string; offset?: number; policy?: string; missingType?: number } }
  | { dumps: Record<string, { links: Message[]; addrs: Message[]; routes: Message[]; neighs: Message[] }> };

export type Transcript = Record<string, Outcome>;

const IFF_UP = 1;
const NEW = ['NLM_F_CREATE', 'NLM_F_EXCL'] as const;
const ECHO = ['NLM_F_ECHO'] as const;

/** Namespaces the scenario makes ('' is the host). */
export const NAMESPACES = ['', 'red', 'blue', 'green'] as const;

const link = (header: Record<string, unknown>, attrs: Record<string, unknown> = {}, flags: readonly string[] = []): MessageInit => ({ type: 'RTM_NEWLINK', flags, header, attrs });
const setUp = async (c: StepContext, ns: string, name: string, up = true) => link({ index: await c.idx(ns, name), flags: up ? IFF_UP : 0, change: IFF_UP });
const veth = (name: string, peer: string, peerAttrs: Record<string, unknown> = {}, flags: readonly string[] = NEW): MessageInit =>
  link({}, { ifname: name, linkinfo: { kind: 'veth', data: { peer: { header: {}, attrs: { ifname: peer, ...peerAttrs } } } } }, flags);
const addr = (type: 'RTM_NEWADDR' | 'RTM_DELADDR', family: 2 | 10, prefixlen: number, index: number, attrs: Record<string, unknown>, flags: readonly string[] = type === 'RTM_NEWADDR' ? NEW : [], hflags = 0): MessageInit => ({
  type,
  flags,
  header: { family, prefixlen, flags: hflags, scope: 0, index },
  attrs,
});
const route = (type: 'RTM_NEWROUTE' | 'RTM_DELROUTE', family: 2 | 10, dst: string | undefined, dstLen: number, attrs: Record<string, unknown>, opts: { table?: number; rtype?: number; scope?: number; protocol?: number; flags?: readonly string[] } = {}): MessageInit => ({
  type,
  flags: opts.flags ?? (type === 'RTM_NEWROUTE' ? NEW : []),
  header: { family, dst_len: dstLen, src_len: 0, tos: 0, table: opts.table ?? 254, protocol: opts.protocol ?? (type === 'RTM_NEWROUTE' ? 3 : 0), scope: opts.scope ?? (type === 'RTM_NEWROUTE' ? 0 : 255), type: opts.rtype ?? (type === 'RTM_NEWROUTE' ? 1 : 0), flags: 0 },
  attrs: dst === undefined ? attrs : { dst, ...attrs },
});
/** `ip route get`: RTM_GETROUTE without NLM_F_DUMP (IPv4 asks for the table, as iproute2 does). */
const routeGet = (family: 2 | 10, dst: string): MessageInit => ({
  type: 'RTM_GETROUTE',
  header: { family, dst_len: family === 2 ? 32 : 128, src_len: 0, tos: 0, table: 0, protocol: 0, scope: 0, type: 0, flags: family === 2 ? 0x1000 : 0 },
  attrs: { dst },
});
const neigh = (type: 'RTM_NEWNEIGH' | 'RTM_DELNEIGH', family: 2 | 10, ifindex: number, attrs: Record<string, unknown>, state = 0x80, flags: readonly string[] = type === 'RTM_NEWNEIGH' ? NEW : []): MessageInit => ({
  type,
  flags,
  header: { family, ifindex, state, flags: 0, type: 0 },
  attrs,
});

/**
 * The steps. Part W is the classic walkthrough (two namespaces joined by a veth pair, then a
 * bridge in the host with ports towards a third namespace and a pair inside the host, the
 * address moved to the bridge, IPv6 link-local); part O is the other operations, errors included.
 */
export const SCENARIO: readonly Step[] = [
  // --- W: walkthrough -------------------------------------------------------------------------
  { id: 'W01 netns add red', netnsAdd: 'red' },
  { id: 'W02 netns add blue', netnsAdd: 'blue' },
  { id: 'W03 red: lo up', ns: 'red', req: (c) => setUp(c, 'red', 'lo') },
  { id: 'W04 blue: lo up', ns: 'blue', req: (c) => setUp(c, 'blue', 'lo') },
  { id: 'W05 red: veth-red peer veth-blue in blue', ns: 'red', req: (c) => veth('veth-red', 'veth-blue', { net_ns_fd: c.fd('blue') }) },
  { id: 'W06 red: 10.123.1.1/24 on veth-red', ns: 'red', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('red', 'veth-red'), { local: '10.123.1.1', address: '10.123.1.1' }) },
  { id: 'W07 blue: 10.123.1.2/24 on veth-blue', ns: 'blue', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('blue', 'veth-blue'), { local: '10.123.1.2', address: '10.123.1.2' }) },
  { id: 'W08 red: veth-red up', ns: 'red', req: (c) => setUp(c, 'red', 'veth-red') },
  { id: 'W09 check: red half up', check: true },
  { id: 'W10 blue: veth-blue up', ns: 'blue', req: (c) => setUp(c, 'blue', 'veth-blue') },
  { id: 'W11 check: pair between namespaces', check: true },
  { id: 'W12 netns add green', netnsAdd: 'green' },
  { id: 'W13 host: bridge br0', req: () => link({}, { ifname: 'br0', linkinfo: { kind: 'bridge' } }, NEW) },
  { id: 'W14 host: br0 up', req: (c) => setUp(c, '', 'br0') },
  { id: 'W15 check: bridge without ports', check: true },
  { id: 'W16 host: veth-green peer veth-green-br', req: () => veth('veth-green', 'veth-green-br') },
  { id: 'W17 host: veth-green to green', req: async (c) => link({ index: await c.idx('', 'veth-green') }, { net_ns_fd: c.fd('green') }) },
  { id: 'W18 host: veth-green-br master br0', req: async (c) => link({ index: await c.idx('', 'veth-green-br') }, { master: await c.idx('', 'br0') }) },
  { id: 'W19 host: veth-green-br up', req: (c) => setUp(c, '', 'veth-green-br') },
  { id: 'W20 green: lo up', ns: 'green', req: (c) => setUp(c, 'green', 'lo') },
  { id: 'W21 green: 10.123.2.2/24 on veth-green', ns: 'green', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('green', 'veth-green'), { local: '10.123.2.2', address: '10.123.2.2' }) },
  { id: 'W22 green: veth-green up', ns: 'green', req: (c) => setUp(c, 'green', 'veth-green') },
  { id: 'W23 host: veth-host peer veth-host-br (one namespace)', req: () => veth('veth-host', 'veth-host-br') },
  { id: 'W24 host: veth-host-br master br0', req: async (c) => link({ index: await c.idx('', 'veth-host-br') }, { master: await c.idx('', 'br0') }) },
  { id: 'W25 host: 10.123.2.1/24 on veth-host', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'veth-host'), { local: '10.123.2.1', address: '10.123.2.1' }) },
  { id: 'W26 host: veth-host up', req: (c) => setUp(c, '', 'veth-host') },
  { id: 'W27 host: veth-host-br up', req: (c) => setUp(c, '', 'veth-host-br') },
  { id: 'W28 check: bridge with ports', check: true },
  { id: 'W29 host: del 10.123.2.1/24 from veth-host', req: async (c) => addr('RTM_DELADDR', 2, 24, await c.idx('', 'veth-host'), { local: '10.123.2.1', address: '10.123.2.1' }) },
  { id: 'W30 host: 10.123.2.1/24 on br0', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'br0'), { local: '10.123.2.1', address: '10.123.2.1' }) },
  { id: 'W31 host: fd00:123:2::1/64 on br0', req: async (c) => addr('RTM_NEWADDR', 10, 64, await c.idx('', 'br0'), { local: 'fd00:123:2::1', address: 'fd00:123:2::1' }) },
  { id: 'W32 green: fd00:123:2::2/64 nodad on veth-green', ns: 'green', req: async (c) => addr('RTM_NEWADDR', 10, 64, await c.idx('green', 'veth-green'), { address: 'fd00:123:2::2', flags: 0x02 }, NEW, 0x02) },
  { id: 'W33 host: lla0 peer lla1', req: () => veth('lla0', 'lla1') },
  { id: 'W34 host: lla1 addr_gen_mode none', req: async (c) => link({ index: await c.idx('', 'lla1') }, { af_spec: { inet6: { addr_gen_mode: 1 } } }) },
  { id: 'W35 host: lla0 up', req: (c) => setUp(c, '', 'lla0') },
  { id: 'W36 host: lla1 up', req: (c) => setUp(c, '', 'lla1') },
  { id: 'W37 check: address moved to the bridge, link-local IPv6', check: true },

  // --- O: other operations ----------------------------------------------------------------------
  { id: 'O01 veth with an existing name', req: () => veth('br0', 'nope0') },
  { id: 'O02 veth with a peer name that exists', req: () => veth('nope0', 'lla0') },
  { id: 'O03 name too long', req: () => link({}, { ifname: 'a-name-that-is-too-long', linkinfo: { kind: 'bridge' } }, NEW) },
  { id: 'O04 unknown kind', req: () => link({}, { ifname: 'x0', linkinfo: { kind: 'nosuchkind' } }, NEW) },
  { id: 'O05 tun over rtnetlink', req: () => link({}, { ifname: 'tun0', linkinfo: { kind: 'tun' } }, NEW) },
  { id: 'O06 get missing link by name', req: () => ({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'missing0' } }) },
  { id: 'O07 get missing link by index', req: () => ({ type: 'RTM_GETLINK', header: { index: 999 }, attrs: {} }) },
  { id: 'O08 delete missing link by name', req: () => ({ type: 'RTM_DELLINK', header: {}, attrs: { ifname: 'missing0' } }) },
  { id: 'O09 delete missing link by index', req: () => ({ type: 'RTM_DELLINK', header: { index: 999 }, attrs: {} }) },
  { id: 'O10 set missing link', req: () => link({ index: 999, flags: IFF_UP, change: IFF_UP }) },
  { id: 'O11 mtu 1400 on veth-host', req: async (c) => link({ index: await c.idx('', 'veth-host') }, { mtu: 1400 }) },
  { id: 'O12 mtu below minimum', req: async (c) => link({ index: await c.idx('', 'veth-host') }, { mtu: 60 }) },
  { id: 'O13 mtu above maximum', req: async (c) => link({ index: await c.idx('', 'veth-host') }, { mtu: 70000 }) },
  { id: 'O14 bridge mtu above a port', req: async (c) => link({ index: await c.idx('', 'br0') }, { mtu: 1450 }) },
  { id: 'O15 rename an up device', req: async (c) => link({ index: await c.idx('', 'lla0') }, { ifname: 'lla8' }) },
  { id: 'O16 rename to an existing name', req: async (c) => link({ index: await c.idx('', 'lla8') }, { ifname: 'br0' }) },
  { id: 'O17 lla8 down', req: (c) => setUp(c, '', 'lla8', false) },
  { id: 'O18 rename a down device', req: async (c) => link({ index: await c.idx('', 'lla8') }, { ifname: 'lla9' }) },
  { id: 'O19 get by name', req: () => ({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lla9', ext_mask: 8 } }) },
  { id: 'O20 txqlen and alias', req: async (c) => link({ index: await c.idx('', 'lla9') }, { txqlen: 500, ifalias: 'link-local test' }) },
  { id: 'O21 set a MAC address', req: async (c) => link({ index: await c.idx('', 'lla9') }, { address: '02:00:00:12:30:01' }) },
  { id: 'O22 set a multicast MAC address', req: async (c) => link({ index: await c.idx('', 'lla9') }, { address: '01:00:00:12:30:01' }) },
  { id: 'O23 master that is not a bridge', req: async (c) => link({ index: await c.idx('', 'lla9') }, { master: await c.idx('', 'veth-host') }) },
  { id: 'O24 master that does not exist', req: async (c) => link({ index: await c.idx('', 'lla9') }, { master: 999 }) },
  { id: 'O25 lla9 master br0', req: async (c) => link({ index: await c.idx('', 'lla9') }, { master: await c.idx('', 'br0') }) },
  { id: 'O26 lla9 nomaster', req: async (c) => link({ index: await c.idx('', 'lla9') }, { master: 0 }) },
  { id: 'O27 vxlan on br0', req: async (c) => link({}, { ifname: 'vx0', linkinfo: { kind: 'vxlan', data: { id: 42, port: 4789, local: '10.123.2.1', link: await c.idx('', 'br0') } } }, NEW) },
  { id: 'O28 vxlan with the same VNI', req: () => link({}, { ifname: 'vx1', linkinfo: { kind: 'vxlan', data: { id: 42, port: 4789 } } }, NEW) },
  { id: 'O29 vxlan without VNI', req: () => link({}, { ifname: 'vx2', linkinfo: { kind: 'vxlan', data: { port: 4789 } } }, NEW) },
  { id: 'O30 macvlan on veth-host', req: async (c) => link({}, { ifname: 'mv0', link: await c.idx('', 'veth-host'), linkinfo: { kind: 'macvlan', data: { mode: 4 } } }, NEW) },
  { id: 'O31 macvlan without lower device', req: () => link({}, { ifname: 'mv1', linkinfo: { kind: 'macvlan', data: { mode: 4 } } }, NEW) },
  { id: 'O32 macvtap on veth-host, echoed', req: async (c) => link({}, { ifname: 'mvt0', link: await c.idx('', 'veth-host'), linkinfo: { kind: 'macvtap' } }, [...NEW, ...ECHO]) },
  { id: 'O33 mv0 up', req: (c) => setUp(c, '', 'mv0') },
  { id: 'O34 check: vxlan, macvlan, renamed link', check: true },
  { id: 'O35 duplicate IPv4 address', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'br0'), { local: '10.123.2.1', address: '10.123.2.1' }) },
  { id: 'O36 address on a missing link', req: () => addr('RTM_NEWADDR', 2, 24, 999, { local: '10.123.9.1', address: '10.123.9.1' }) },
  { id: 'O37 delete a missing address', req: async (c) => addr('RTM_DELADDR', 2, 24, await c.idx('', 'br0'), { local: '10.123.9.9', address: '10.123.9.9' }) },
  { id: 'O38 duplicate IPv6 address', req: async (c) => addr('RTM_NEWADDR', 10, 64, await c.idx('', 'br0'), { local: 'fd00:123:2::1', address: 'fd00:123:2::1' }) },
  { id: 'O39 IPv4 address with label and broadcast, echoed', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'veth-host'), { local: '10.123.3.1', address: '10.123.3.1', broadcast: '10.123.3.255', label: 'veth-host:1' }, [...NEW, ...ECHO]) },
  { id: 'O40 IPv4 prefix length 33', req: async (c) => addr('RTM_NEWADDR', 2, 33, await c.idx('', 'veth-host'), { local: '10.123.3.2', address: '10.123.3.2' }) },
  { id: 'O41 secondary IPv4 address', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'veth-host'), { local: '10.123.3.5', address: '10.123.3.5' }) },
  { id: 'O42 IPv6 address on an down link', req: async (c) => addr('RTM_NEWADDR', 10, 64, await c.idx('', 'lla9'), { address: 'fd00:123:9::1' }) },
  { id: 'O43 delete an IPv6 address', req: async (c) => addr('RTM_DELADDR', 10, 64, await c.idx('', 'br0'), { address: 'fd00:123:2::1' }) },
  { id: 'O44 route via a gateway', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.100.0', 24, { gateway: '10.123.2.254', oif: await c.idx('', 'br0') }) },
  { id: 'O45 the same route again', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.100.0', 24, { gateway: '10.123.2.254', oif: await c.idx('', 'br0') }) },
  { id: 'O46 delete a missing IPv4 route', req: () => route('RTM_DELROUTE', 2, '10.123.101.0', 24, {}) },
  { id: 'O47 gateway that is not reachable', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.102.0', 24, { gateway: '10.123.50.1', oif: await c.idx('', 'br0') }) },
  { id: 'O48 blackhole route', req: () => route('RTM_NEWROUTE', 2, '10.123.200.0', 24, {}, { rtype: 6 }) },
  { id: 'O49 unreachable route', req: () => route('RTM_NEWROUTE', 2, '10.123.201.0', 24, {}, { rtype: 7 }) },
  { id: 'O50 prohibit route', req: () => route('RTM_NEWROUTE', 2, '10.123.202.0', 24, {}, { rtype: 8 }) },
  { id: 'O51 route in table 100', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.103.0', 24, { table: 100, oif: await c.idx('', 'br0') }, { table: 100, scope: 253 }) },
  { id: 'O52 multipath route', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.104.0', 24, { multipath: [{ flags: 0, hops: 0, ifindex: await c.idx('', 'br0'), attrs: { gateway: '10.123.2.2' } }, { flags: 0, hops: 1, ifindex: await c.idx('', 'veth-host'), attrs: { gateway: '10.123.3.3' } }] }) },
  { id: 'O53 replace a route', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.100.0', 24, { gateway: '10.123.2.253', oif: await c.idx('', 'br0') }, { flags: ['NLM_F_CREATE', 'NLM_F_REPLACE'] }) },
  { id: 'O54 IPv6 route via a gateway', req: async (c) => route('RTM_NEWROUTE', 10, 'fd00:123:100::', 64, { gateway: 'fe80::1', oif: await c.idx('', 'br0') }) },
  { id: 'O55 delete a missing IPv6 route', req: () => route('RTM_DELROUTE', 10, 'fd00:123:101::', 64, {}) },
  { id: 'O56 route with a missing output link', req: () => route('RTM_NEWROUTE', 2, '10.123.105.0', 24, { oif: 999 }, { scope: 253 }) },
  { id: 'O57 dump of table 100', req: () => ({ type: 'RTM_GETROUTE', flags: ['NLM_F_DUMP'], header: { family: 2, table: 100 }, attrs: { table: 100 } }) },
  { id: 'O57b route get through a gateway', req: () => routeGet(2, '10.123.100.5') },
  { id: 'O57c route get on a connected prefix', req: () => routeGet(2, '10.123.2.77') },
  { id: 'O57d route get of a local address', req: () => routeGet(2, '10.123.2.1') },
  { id: 'O57e route get without a route', req: () => routeGet(2, '10.123.99.1') },
  { id: 'O57f route get into a blackhole', req: () => routeGet(2, '10.123.200.1') },
  { id: 'O57g IPv6 route get through a gateway', req: () => routeGet(10, 'fd00:123:100::5') },
  { id: 'O57h IPv6 route get without a route', req: () => routeGet(10, 'fd00:123:99::1') },
  { id: 'O58 permanent IPv4 neighbour', req: async (c) => neigh('RTM_NEWNEIGH', 2, await c.idx('', 'br0'), { dst: '10.123.2.50', lladdr: '02:00:00:12:30:50' }) },
  { id: 'O59 permanent IPv6 neighbour', req: async (c) => neigh('RTM_NEWNEIGH', 10, await c.idx('', 'br0'), { dst: 'fd00:123:2::50', lladdr: '02:00:00:12:30:51' }) },
  { id: 'O60 the same neighbour again', req: async (c) => neigh('RTM_NEWNEIGH', 2, await c.idx('', 'br0'), { dst: '10.123.2.50', lladdr: '02:00:00:12:30:50' }) },
  { id: 'O61 neighbour on a missing link', req: () => neigh('RTM_NEWNEIGH', 2, 999, { dst: '10.123.2.51', lladdr: '02:00:00:12:30:52' }) },
  { id: 'O62 stale neighbour to delete', req: async (c) => neigh('RTM_NEWNEIGH', 2, await c.idx('', 'veth-host'), { dst: '10.123.3.60', lladdr: '02:00:00:12:30:60' }, 0x04) },
  { id: 'O63 delete a neighbour', req: async (c) => neigh('RTM_DELNEIGH', 2, await c.idx('', 'veth-host'), { dst: '10.123.3.60' }) },
  { id: 'O64 delete a missing neighbour', req: async (c) => neigh('RTM_DELNEIGH', 2, await c.idx('', 'veth-host'), { dst: '10.123.3.61' }) },
  { id: 'O65 check: addresses, routes, neighbours', check: true },
  { id: 'O66 veth-host down', req: (c) => setUp(c, '', 'veth-host', false) },
  { id: 'O67 check: a link down drops its routes', check: true },
  { id: 'O68 delete veth-host-br (its peer goes too)', req: async (c) => ({ type: 'RTM_DELLINK', header: { index: await c.idx('', 'veth-host-br') }, attrs: {} }) },
  { id: 'O69 delete by name', req: () => ({ type: 'RTM_DELLINK', header: {}, attrs: { ifname: 'vx0' } }) },
  { id: 'O70 delete the loopback', ns: 'red', req: (c) => c.idx('red', 'lo').then((index) => ({ type: 'RTM_DELLINK', header: { index }, attrs: {} })) },
  { id: 'O71 netns delete green', netnsDelete: 'green' },
  { id: 'O72 check: bridge after the ports went', check: true },
  { id: 'O73 veth without names', req: () => link({}, { linkinfo: { kind: 'veth' } }, NEW) },
  { id: 'O74 create without a kind', req: () => link({}, { ifname: 'nokind0' }, NEW) },
  { id: 'O75 veth peer name too long', req: () => veth('pv0', 'a-peer-name-too-long') },
  { id: 'O76 vxlan without a port', req: () => link({}, { ifname: 'vx3', linkinfo: { kind: 'vxlan', data: { id: 7 } } }, NEW) },
  { id: 'O77 IPv6 address on a missing link', req: () => addr('RTM_NEWADDR', 10, 64, 999, { address: 'fd00:123:9::2' }) },
  { id: 'O78 delete a missing IPv6 address', req: async (c) => addr('RTM_DELADDR', 10, 64, await c.idx('', 'br0'), { address: 'fd00:123:9::99' }) },
  { id: 'O79 IPv6 prefix length 129', req: async (c) => addr('RTM_NEWADDR', 10, 129, await c.idx('', 'br0'), { address: 'fd00:123:9::3' }) },
  { id: 'O80 IPv6 /128 address', req: async (c) => addr('RTM_NEWADDR', 10, 128, await c.idx('', 'br0'), { address: 'fd00:123:7::7', flags: 0x02 }, NEW, 0x02) },
  { id: 'O81 IPv6 route to the same prefix and metric on another link', req: async (c) => route('RTM_NEWROUTE', 10, 'fd00:123:100::', 64, { oif: await c.idx('', 'lla1') }) },
  { id: 'O82 IPv4 route through a link that is down', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.110.0', 24, { oif: await c.idx('', 'lla9') }, { scope: 253 }) },
  { id: 'O83 route with a source that is not local', req: async (c) => route('RTM_NEWROUTE', 2, '10.123.111.0', 24, { oif: await c.idx('', 'br0'), prefsrc: '10.123.99.99' }, { scope: 253 }) },
  { id: 'O84 move a bridge to another namespace', req: async (c) => link({ index: await c.idx('', 'br0') }, { net_ns_fd: c.fd('red') }) },
  { id: 'O85 red: veth clash0 peer clash1', ns: 'red', req: () => veth('clash0', 'clash1') },
  { id: 'O86 host: veth clash0 peer clash9', req: () => veth('clash0', 'clash9') },
  { id: 'O87 move clash0 where the name is taken', req: async (c) => link({ index: await c.idx('', 'clash0') }, { net_ns_fd: c.fd('red') }) },
  { id: 'O88 a namespace fd that is not open', req: async (c) => link({ index: await c.idx('', 'lla1') }, { net_ns_fd: 99999 }) },
  { id: 'O89 permanent neighbour on lla1', req: async (c) => neigh('RTM_NEWNEIGH', 2, await c.idx('', 'lla1'), { dst: '10.123.5.5', lladdr: '02:00:00:12:30:55' }) },
  { id: 'O90 lla1 down', req: (c) => setUp(c, '', 'lla1', false) },
  { id: 'O91 red: lo down', ns: 'red', req: (c) => setUp(c, 'red', 'lo', false) },
  { id: 'O92 IPv4 address without an address', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'br0'), {}) },
  { id: 'O93 secondary 10.123.2.9/24 on br0', req: async (c) => addr('RTM_NEWADDR', 2, 24, await c.idx('', 'br0'), { local: '10.123.2.9', address: '10.123.2.9' }) },
  { id: 'O94 delete the primary (its secondary goes too)', req: async (c) => addr('RTM_DELADDR', 2, 24, await c.idx('', 'br0'), { local: '10.123.2.1', address: '10.123.2.1' }) },
  { id: 'O95 RTM_SETLINK mtu', req: async (c) => ({ type: 'RTM_SETLINK', header: { index: await c.idx('', 'lla1') }, attrs: { mtu: 1300 } }) },
  { id: 'O96 red: delete a veth whose peer is in blue', ns: 'red', req: async (c) => ({ type: 'RTM_DELLINK', header: { index: await c.idx('red', 'veth-red') }, attrs: {} }) },
  { id: 'O97 create a veth in another namespace', req: (c) => ({ ...veth('remote0', 'remote1'), attrs: { ...veth('remote0', 'remote1').attrs, net_ns_fd: c.fd('blue') } }) },
  { id: 'O98 the loopback as a bridge port', req: async (c) => link({ index: 1 }, { master: await c.idx('', 'br0') }) },
  { id: 'O99 macvlan on a missing link', req: () => link({}, { ifname: 'mv9', link: 999, linkinfo: { kind: 'macvlan' } }, NEW) },
  { id: 'OA0 delete an IPv6 route with another metric', req: () => route('RTM_DELROUTE', 10, 'fd00:123:100::', 64, { priority: 5 }) },
  { id: 'OA1 NLM_F_REPLACE on an existing link', req: async (c) => link({ index: await c.idx('', 'lla1') }, {}, ['NLM_F_REPLACE']) },
  { id: 'OA2 get a link without index or name', req: () => ({ type: 'RTM_GETLINK', header: {}, attrs: {} }) },
  { id: 'OA3 delete a link without index or name', req: () => ({ type: 'RTM_DELLINK', header: {}, attrs: {} }) },
  { id: 'OA4 change a bridge option', req: async (c) => link({ index: await c.idx('', 'br0') }, { linkinfo: { kind: 'bridge', data: { ageing_time: 6000 } } }) },
  { id: 'OA5 a name with a slash', req: () => link({}, { ifname: 'bad/name', linkinfo: { kind: 'bridge' } }, NEW) },
  { id: 'OA6 check: more errors and their consequences', check: true },
  // --- A: the high-level API, unchanged on both -------------------------------------------------
  { id: 'A01 link.add veth with the peer in blue', api: (nl, c) => nl.link.add({ name: 'api0', type: 'veth', peer: { name: 'api1', netns: { fd: c.fd('blue') } } }) },
  { id: 'A02 link.set up, mtu', api: (nl) => nl.link.set('api0', { up: true, mtu: 1400 }) },
  { id: 'A03 blue: link.set up', ns: 'blue', api: (nl) => nl.link.set('api1', { up: true }) },
  { id: 'A04 addr.add', api: (nl) => nl.addr.add('api0', '10.123.50.1/24') },
  { id: 'A05 blue: addr.add', ns: 'blue', api: (nl) => nl.addr.add('api1', '10.123.50.2/24') },
  { id: 'A06 blue: route.add default via', ns: 'blue', api: (nl) => nl.route.add({ dst: 'default', gateway: '10.123.50.1' }) },
  { id: 'A07 addr.add twice', api: (nl) => nl.addr.add('api0', '10.123.50.1/24') },
  { id: 'A08 link.add bridge up', api: (nl) => nl.link.add({ name: 'apibr', type: 'bridge', up: true }) },
  { id: 'A09 link.set master', api: (nl) => nl.link.set('lla1', { master: 'apibr' }) },
  { id: 'A10 neigh.add', api: (nl) => nl.neigh.add({ dev: 'api0', dst: '10.123.50.9', lladdr: '02:00:00:12:35:09' }) },
  { id: 'A11 link.get', api: (nl) => nl.link.get('api0') },
  { id: 'A12 blue: route.list', ns: 'blue', api: (nl) => nl.route.list().collect() },
  { id: 'A13 addr.list of a link', api: (nl) => nl.addr.list({ dev: 'api0' }).collect() },
  { id: 'A14 link.del of a missing link', api: (nl) => nl.link.del('missing0') },
  { id: 'A15 link.set an mtu too small', api: (nl) => nl.link.set('api0', { mtu: 20 }) },
  { id: 'A16 neigh.list', api: (nl) => nl.neigh.list({ dev: 'api0' }).collect() },
  { id: 'A17 check: after the API', check: true },
  { id: 'OB0 delete br0', req: async (c) => ({ type: 'RTM_DELLINK', header: { index: await c.idx('', 'br0') }, attrs: {} }) },
  { id: 'OB1 addresses of family 2 only', req: () => ({ type: 'RTM_GETADDR', flags: ['NLM_F_DUMP'], header: { family: 2 }, attrs: {} }) },
  { id: 'OB2 check: final', check: true },
];

/** Turns a thrown error into the recorded outcome. */
function errorOutcome(e: unknown): Outcome {
  if (!isNetlinkError(e)) {
    const err = e as Error & { code?: unknown };
    if (err instanceof Error && typeof err.code === 'string' && err.code.startsWith('NLKIT_')) return { ok: false, error: { errno: 0, code: err.code, message: err.message } };
    throw e;
  }
  const out: Extract<Outcome, { ok: false }>['error'] = { errno: e.errno, code: e.code };
  if (e.kernelMessage !== undefined) out.message = e.kernelMessage;
  if (e.attributePath !== undefined) out.attributePath = e.attributePath;
  if (e.offset !== undefined) out.offset = e.offset;
  if (e.policy !== undefined) out.policy = e.policy;
  if (e.missingType !== undefined) out.missingType = e.missingType;
  return { ok: false, error: out };
}

async function dumpAll(client: NetlinkClient) {
  const get = (type: string) => client.dump({ type, header: {}, attrs: {} }).collect();
  return { links: await get('RTM_GETLINK'), addrs: await get('RTM_GETADDR'), routes: await get('RTM_GETROUTE'), neighs: await get('RTM_GETNEIGH') };
}

/**
 * Runs the scenario (or the steps of it up to `until`) and returns the transcript, raw (see
 * {@link normalize}).
 */
export async function runScenario(env: ScenarioEnv, steps: readonly Step[] = SCENARIO): Promise<Transcript> {
  const live = new Set<string>(['']);
  const ctx: StepContext = {
    async idx(ns, name) {
      try {
        const [m] = await env.client(ns).request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: name, ext_mask: 8 } });
        return (m?.header as { index: number }).index;
      } catch {
        return 998; // a missing link: the step's own request then fails the way the kernel says
      }
    },
    fd: (name) => env.netnsFd(name),
  };
  const out: Transcript = {};
  for (const step of steps) {
    if ('netnsAdd' in step) {
      await env.addNetns(step.netnsAdd);
      live.add(step.netnsAdd);
      out[step.id] = { ok: true, replies: [] };
    } else if ('netnsDelete' in step) {
      await env.deleteNetns(step.netnsDelete);
      live.delete(step.netnsDelete);
      out[step.id] = { ok: true, replies: [] };
    } else if ('api' in step) {
      const nl = await env.netlink(step.ns ?? '');
      try {
        const value = await step.api(nl, ctx);
        out[step.id] = { ok: true, replies: [], value: value === undefined ? null : clone(value) };
      } catch (e) {
        out[step.id] = errorOutcome(e);
      }
    } else if ('check' in step) {
      const spaces = NAMESPACES.filter((n) => live.has(n));
      await env.settle(spaces);
      const dumps: Extract<Outcome, { dumps: unknown }>['dumps'] = {};
      for (const ns of spaces) dumps[ns || 'host'] = await dumpAll(env.client(ns));
      out[step.id] = { dumps };
    } else {
      const msg = await step.req(ctx);
      const client = env.client(step.ns ?? '');
      try {
        const flags = Array.isArray(msg.flags) ? msg.flags : [];
        const replies = flags.includes('NLM_F_DUMP')
          ? await client.dump({ ...msg, flags: flags.filter((f) => f !== 'NLM_F_DUMP') }).collect()
          : await client.request(msg);
        out[step.id] = { ok: true, replies };
      } catch (e) {
        out[step.id] = errorOutcome(e);
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Normalisation

/**
 * Values that differ between two correct kernels (or two runs of one), removed before comparing:
 * each entry is a dotted path below a message (`*` matches any key).
 */
export const VOLATILE = {
  /** Sequence numbers and port ids of every message. */
  message: ['seq', 'pid'],
  link: [
    'attrs.address', // random MACs (the link-local IPv6 addresses made from them are checked, see below)
    'attrs.perm_address',
    'attrs.stats',
    'attrs.stats64',
    'attrs.af_spec.inet6.cacheinfo', // tstamp and a random reachable_time
    'attrs.af_spec.inet6.stats', // counters of the packets IPv6 sent by itself (RS, MLD)
    'attrs.af_spec.inet6.icmp6stats',
    'attrs.af_spec.inet6.flags', // IF_RS_SENT and friends: timers
    'attrs.linkinfo.data.hello_timer',
    'attrs.linkinfo.data.tcn_timer',
    'attrs.linkinfo.data.topology_change_timer',
    'attrs.linkinfo.data.gc_timer',
    'attrs.linkinfo.data.bridge_id', // made of the bridge's random MAC
    'attrs.linkinfo.data.root_id',
    'attrs.linkinfo.data.fdb_n_learned', // addresses learned from the packets IPv6 sent by itself
    'attrs.linkinfo.slave_data.bridge_id',
    'attrs.linkinfo.slave_data.root_id',
    'attrs.linkinfo.slave_data.message_age_timer',
    'attrs.linkinfo.slave_data.forward_delay_timer',
    'attrs.linkinfo.slave_data.hold_timer',
    'attrs.linkinfo.slave_data.mcast_n_groups', // MLD groups snooped from those packets
  ],
  addr: ['attrs.cacheinfo'],
  route: ['attrs.cacheinfo', 'attrs.expires'],
  neigh: ['attrs.cacheinfo', 'attrs.probes'],
} as const;

/** IFA_F_TENTATIVE: DAD in progress; the real kernel takes a second or two, the mock none. */
const IFA_F_TENTATIVE = 0x40;
/** NUD_NOARP: entries IPv6 makes by itself for multicast destinations when it sends RS/MLD. */
const NUD_NOARP = 0x40;

function drop(obj: Record<string, unknown>, path: string): void {
  const [head, ...rest] = path.split('.');
  if (head === undefined) return;
  if (rest.length === 0) {
    delete obj[head];
    return;
  }
  const next = obj[head];
  if (next !== null && typeof next === 'object') drop(next as Record<string, unknown>, rest.join('.'));
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x))) as T;
}

/** Link-local IPv6 addresses are made from random MACs: they are compared by the link they are on. */
function nameLinkLocal(o: Record<string, unknown>, ns: string, names: Map<number, string>): void {
  const h = o['header'] as { family?: number; index?: number; prefixlen?: number; dst_len?: number };
  const a = o['attrs'] as { address?: string; dst?: string; oif?: number; prefsrc?: string };
  if (h.family !== 10) return;
  const label = (index: number | undefined) => `fe80::<link-local of ${ns}/${names.get(index ?? -1) ?? index}>`;
  if (typeof a.address === 'string' && a.address.startsWith('fe80:') && h.prefixlen === 64) a.address = label(h.index);
  if (typeof a.dst === 'string' && a.dst.startsWith('fe80:') && h.dst_len === 128) a.dst = label(a.oif);
  if (typeof a.prefsrc === 'string' && a.prefsrc.startsWith('fe80:')) a.prefsrc = label(a.oif);
}

function normalizeMessage(m: Message, ns: string, names: Map<number, string>): Record<string, unknown> {
  const o = clone(m) as unknown as Record<string, unknown>;
  for (const p of VOLATILE.message) drop(o, p);
  const type = String(m.type);
  const kind = type.endsWith('LINK') ? 'link' : type.endsWith('ADDR') ? 'addr' : type.endsWith('ROUTE') ? 'route' : type.endsWith('NEIGH') ? 'neigh' : undefined;
  if (kind) for (const p of VOLATILE[kind]) drop(o, p);
  if (kind === 'addr') {
    const h = o['header'] as { flags?: number; family?: number };
    const a = o['attrs'] as { flags?: number };
    if (h.family === 10) {
      if (h.flags !== undefined) h.flags &= ~IFA_F_TENTATIVE;
      if (a.flags !== undefined) a.flags &= ~IFA_F_TENTATIVE;
    }
  }
  if (kind === 'addr' || kind === 'route') nameLinkLocal(o, ns, names);
  return o;
}

/**
 * Routes to link-local addresses sort by those (random) addresses in a kernel; once named by
 * their link they are put in name order, in the places they had.
 */
function sortNamed(routes: Record<string, unknown>[]): Record<string, unknown>[] {
  const dst = (r: Record<string, unknown>) => String((r['attrs'] as { dst?: string }).dst ?? '');
  const at = routes.map((r, i) => (dst(r).startsWith('fe80::<') ? i : -1)).filter((i) => i >= 0);
  const sorted = at.map((i) => routes[i]!).sort((x, y) => JSON.stringify(x['header']).localeCompare(JSON.stringify(y['header'])) || dst(x).localeCompare(dst(y)));
  const out = [...routes];
  at.forEach((i, j) => (out[i] = sorted[j]!));
  return out;
}

/** Keys of the high-level API's objects whose values are volatile (as in {@link VOLATILE}). */
export const VOLATILE_API_KEYS = ['address', 'permAddress', 'stats', 'cacheinfo', 'bridgeId', 'rootId', 'used', 'confirmed', 'updated', 'probes'];

function normalizeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalizeValue).filter((x) => !(x && typeof x === 'object' && JSON.stringify((x as { state?: unknown }).state) === '["noarp"]'));
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (VOLATILE_API_KEYS.includes(k)) continue;
      // The decoded message an object was made from: the message rules apply.
      if (k === 'raw' && x && typeof x === 'object' && 'type' in x) o[k] = normalizeValue(normalizeMessage(x as Message, '', new Map()));
      else o[k] = k === 'flags' ? apiFlags(normalizeValue(x)) : normalizeValue(x);
    }
    return o;
  }
  if (typeof v === 'string' && v.startsWith('fe80:')) return 'fe80::<link-local>';
  return v;
}

/** The API's address flags without 'tentative' (DAD takes the kernel a second or two, the mock none). */
function apiFlags(v: unknown): unknown {
  return Array.isArray(v) ? v.filter((f) => f !== 'tentative') : v;
}

function neighKey(m: Message): string {
  const h = m.header as { family?: number; ifindex?: number };
  return `${h.family}/${String(h.ifindex).padStart(6, '0')}/${(m.attrs as { dst?: string }).dst}`;
}

/** The transcript with volatile values removed and link-local addresses named by their link. */
export function normalize(t: Transcript): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [id, o] of Object.entries(t)) {
    if ('dumps' in o) {
      const d: Record<string, unknown> = {};
      for (const [ns, dump] of Object.entries(o.dumps)) {
        const names = new Map(dump.links.map((m) => [(m.header as { index: number }).index, (m.attrs as { ifname: string }).ifname]));
        const norm = (list: Message[]) => list.map((m) => normalizeMessage(m, ns, names));
        const neighs = dump.neighs.filter((m) => ((m.header as { state?: number }).state ?? 0) !== NUD_NOARP).sort((x, y) => neighKey(x).localeCompare(neighKey(y)));
        d[ns] = { links: norm(dump.links), addrs: norm(dump.addrs), routes: sortNamed(norm(dump.routes)), neighs: norm(neighs) };
      }
      out[id] = d;
    } else if (o.ok) {
      out[id] = { ok: true, replies: o.replies.map((m) => normalizeMessage(m, 'host', new Map())), ...(o.value !== undefined && { value: normalizeValue(o.value) }) };
    } else {
      out[id] = o;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Record and replay

/**
 * The flow recorded from the kernel into fixtures/testing/flow.json (and .pcap) by
 * test/kernel/differential-record.test.ts and replayed by test/unit/testing/replay.test.ts: a
 * veth pair, up with an MTU, an address, reading them back, one refusal, deletion.
 */
export async function recordedFlow(nl: Netlink, mtu = 1400): Promise<{ mtu: number | undefined; operUp: boolean; addrs: string[]; refusal: string | undefined }> {
  await nl.link.add({ name: 'rec0', type: 'veth', peer: { name: 'rec1' } });
  await nl.link.set('rec0', { up: true, mtu });
  await nl.addr.add('rec0', '10.123.60.1/24');
  const link = await nl.link.get('rec0');
  const addrs = await nl.addr.list({ dev: 'rec0', family: 'inet' }).collect();
  let refusal: string | undefined;
  try {
    await nl.addr.add('rec0', '10.123.60.1/24');
  } catch (e) {
    refusal = (e as Error).message;
  }
  await nl.link.del('rec0');
  return { mtu: link.mtu, operUp: link.up, addrs: addrs.map((a) => a.cidr), refusal };
}
