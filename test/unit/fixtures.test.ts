// Every datagram recorded from the real kernel (fixtures/route/*.json, made by
// scripts/record-fixtures.ts) decodes, re-encodes to the identical bytes, and — where the fixture
// kept what `ip -j` / `bridge -j` printed for the same state — its decoded values agree with that
// view. The comparison reads the decoded attributes directly with the small mappings below (ip's
// names for flags, states, scopes ...); it does not use nlkit's own formatters.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import { decodeDatagram, encodeMessage, type Message } from '../../src/netlink/message.js';
import { wireOf } from '../../src/netlink/codec.js';
import { fromHex, toHex } from '../../src/netlink/bytes.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'route');

interface FixtureDatagram {
  direction: 'send' | 'recv';
  family: string;
  hex: string;
}
interface Fixture {
  kernel: string;
  recorded: string;
  command: string;
  description: string;
  datagrams: FixtureDatagram[];
  ipJson?: Record<string, unknown>;
}

type Obj = Record<string, unknown>;
type Attrs = Record<string, unknown>;
interface Decoded {
  direction: 'send' | 'recv';
  m: Message;
}

const p = routeProtocol();
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

// ---------------------------------------------------------------------------------------------
// Round trips

/** Where a decoded message needed the hidden wire record (non-canonical bytes), as paths. */
function wirePaths(o: unknown, path: string, out: string[]): void {
  if (o === null || typeof o !== 'object') return;
  if (wireOf(o) !== undefined) out.push(path);
  if (Array.isArray(o)) o.forEach((x, i) => wirePaths(x, `${path}[${i}]`, out));
  else for (const [k, v] of Object.entries(o)) wirePaths(v, `${path}.${k}`, out);
}

function nonCanonical(m: Message): string[] {
  const out: string[] = [];
  wirePaths(m.header, 'header', out);
  wirePaths(m.attrs, 'attrs', out);
  if ((m as { wireLength?: number }).wireLength !== undefined) out.push('nlmsg_len');
  return out;
}

/**
 * Messages re-encoded and laid out as in a datagram: each starts 4-aligned (NLMSG_ALIGN), and the
 * datagram ends with the last message's nlmsg_len bytes — the alignment padding after the last
 * message is optional on the wire (a 17-byte rtgenmsg request has none).
 */
function reencode(msgs: readonly Message[]): Uint8Array {
  const parts = msgs.map((m) => {
    const b = encodeMessage(p, m);
    return b.subarray(0, new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(0, true));
  });
  let len = 0;
  for (const b of parts) len = ((len + 3) & ~3) + b.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const b of parts) {
    off = (off + 3) & ~3;
    out.set(b, off);
    off += b.length;
  }
  return out;
}

const totals = { fixtures: 0, datagrams: 0, messages: 0, exact: 0, wireSend: 0, wireRecv: 0, zeroTail: 0 };
const wireKinds = new Map<string, number>();
const decodedByFile = new Map<string, Decoded[]>();

for (const file of files) {
  const fx = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
  const decoded: Decoded[] = [];
  decodedByFile.set(file, decoded);
  totals.fixtures++;
  t.test(`${file}: decode and re-encode`, async (t) => {
    t.match(fx.kernel, /^\d+\.\d+/, 'records the kernel version');
    t.ok(fx.command && fx.description && fx.datagrams.length > 0, 'has command, description and datagrams');
    fx.datagrams.forEach((d, i) => {
      const where = `${file} datagram ${i} (${d.direction})`;
      t.equal(d.family, 'route', `${where}: family`);
      const bytes = fromHex(d.hex);
      if (!bytes) return void t.fail(`${where}: not hex`);
      totals.datagrams++;
      let msgs: Message[];
      try {
        msgs = decodeDatagram(p, bytes);
      } catch (e) {
        return void t.fail(`${where}: ${(e as Error).message}`);
      }
      for (const m of msgs) {
        decoded.push({ direction: d.direction, m });
        totals.messages++;
        const irregular = nonCanonical(m);
        if (irregular.length > 0) {
          if (d.direction === 'recv') totals.wireRecv++;
          else totals.wireSend++;
          const kind = `${d.direction} ${String(m.type)}: ${irregular.join(', ')}`;
          wireKinds.set(kind, (wireKinds.get(kind) ?? 0) + 1);
        }
      }
      let again: Uint8Array;
      try {
        again = reencode(msgs);
      } catch (e) {
        return void t.fail(`${where}: re-encode: ${(e as Error).message}`);
      }
      // iproute2 sends its whole request buffer: zero bytes after the last message are not a
      // message (the kernel stops at a zero nlmsg_len); everything else must be byte-identical.
      const tail = bytes.subarray(again.length);
      const sameHead = toHex(bytes.subarray(0, again.length)) === toHex(again);
      if (sameHead && tail.length > 0 && tail.every((b) => b === 0)) totals.zeroTail++;
      if (sameHead && tail.every((b) => b === 0)) totals.exact += msgs.length;
      else t.equal(toHex(again), d.hex, `${where}: re-encodes to the same bytes`);
    });
    // Kernel-originated messages are canonical: a wire record there means a spec `nested` flag or
    // a size is off. (What iproute2 sends may legitimately differ: IFLA_INFO_KIND without its NUL,
    // 17-byte requests with an unpadded 1-byte header.)
    const recvIrregular = decoded.filter((x) => x.direction === 'recv' && nonCanonical(x.m).length > 0);
    t.same(
      recvIrregular.map((x) => `${String(x.m.type)}: ${nonCanonical(x.m).join(', ')}`),
      [],
      'kernel messages need no wire record',
    );
  });
}

t.test('round-trip summary', async (t) => {
  t.equal(totals.exact, totals.messages, 'every message re-encodes exactly');
  t.comment(
    `${totals.fixtures} fixtures, ${totals.datagrams} datagrams, ${totals.messages} messages; ` +
      `${totals.exact} round-trip exact; ${totals.zeroTail} iproute2 datagrams end in zero padding`,
  );
  t.comment(`messages with a hidden wire record: ${totals.wireRecv} from the kernel, ${totals.wireSend} sent by iproute2/nlkit`);
  for (const [k, n] of wireKinds) t.comment(`  ${n} x ${k}`);
  t.equal(totals.wireRecv, 0, 'no kernel message needs the wire record');
});

// ---------------------------------------------------------------------------------------------
// ip's names for the numbers (iproute2 6.1: ip/ipaddress.c, ip/iproute.c, ip/ipneigh.c,
// bridge/fdb.c, lib/rt_names.c, lib/ll_types.c)

const IFF: ReadonlyArray<[string, number]> = [
  ['LOOPBACK', 0x8], ['BROADCAST', 0x2], ['POINTOPOINT', 0x10], ['MULTICAST', 0x1000], ['NOARP', 0x80],
  ['ALLMULTI', 0x200], ['PROMISC', 0x100], ['MASTER', 0x400], ['SLAVE', 0x800], ['DEBUG', 0x4],
  ['DYNAMIC', 0x8000], ['AUTOMEDIA', 0x4000], ['PORTSEL', 0x2000], ['NOTRAILERS', 0x20], ['UP', 0x1],
  ['LOWER_UP', 0x10000], ['DORMANT', 0x20000], ['ECHO', 0x40000],
];
const IFF_UP = 0x1;
const IFF_RUNNING = 0x40;
const OPERSTATE = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const LINKMODE = ['DEFAULT', 'DORMANT', 'TESTING'];
const LINK_TYPE: Record<string, number> = { ether: 1, loopback: 772, none: 65534, void: 65535, ipip: 768, sit: 776, gre: 778 };
const ADDR_GEN_MODE = ['eui64', 'none', 'stable_secret', 'random'];
const SCOPE: Record<string, number> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };
const TABLE: Record<string, number> = { unspec: 0, default: 253, main: 254, local: 255 };
const PROTO: Record<string, number> = { unspec: 0, redirect: 1, kernel: 2, boot: 3, static: 4, ra: 9, dhcp: 16, babel: 42 };
const RTN = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];
const RT_PREF: Record<string, number> = { medium: 0, high: 1, low: 3 };
const FAMILY: Record<string, number> = { inet: 2, inet6: 10, bridge: 7 };
const NUD: ReadonlyArray<[string, number]> = [
  ['INCOMPLETE', 0x1], ['REACHABLE', 0x2], ['STALE', 0x4], ['DELAY', 0x8], ['PROBE', 0x10], ['FAILED', 0x20], ['NOARP', 0x40], ['PERMANENT', 0x80],
];
const NTF_SELF = 0x2;
const NTF_PROXY = 0x8;
const NTF_ROUTER = 0x80;
const FDB_FLAGS: ReadonlyArray<[string, number]> = [['self', 0x2], ['router', 0x80], ['extern_learn', 0x10], ['offload', 0x20], ['sticky', 0x40]];
const IFA_FLAGS: ReadonlyArray<[string, number]> = [
  ['secondary', 0x1], ['nodad', 0x2], ['optimistic', 0x4], ['dadfailed', 0x8], ['home', 0x10], ['deprecated', 0x20],
  ['tentative', 0x40], ['mngtmpaddr', 0x100], ['noprefixroute', 0x200], ['autojoin', 0x400], ['stable-privacy', 0x800],
];
const IFA_F_PERMANENT = 0x80;
const RTNH_FLAGS: ReadonlyArray<[string, number]> = [['dead', 1], ['pervasive', 2], ['onlink', 4], ['offload', 8], ['linkdown', 16], ['unresolved', 32], ['trap', 64]];
const BR_STATE = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];
const MACVLAN_MODE: Record<string, number> = { private: 1, vepa: 2, bridge: 4, passthru: 8, source: 16 };
const TUN_TYPE: Record<string, number> = { tun: 1, tap: 2 };
const VXLAN_DF = ['unset', 'set', 'inherit'];
const FR_ACT: Record<string, number> = { goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };
const IPPROTO: Record<string, number> = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 };
const RP_FILTER = ['off', 'strict', 'loose'];
const CLOCK_T_HZ = 100; // USER_HZ: the kernel reports bridge/nexthop timers in clock_t

// ---------------------------------------------------------------------------------------------
// Comparison helpers

/** The part of tap's Test the comparisons use. */
interface Assert {
  same(found: unknown, wanted: unknown, message: string): unknown;
  ok(value: unknown, message: string): unknown;
  fail(message: string): unknown;
}

const J = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));

/** Collects disagreements for one object: only keys ip printed are compared. */
class Cmp {
  readonly errs: string[] = [];
  constructor(
    readonly what: string,
    /** Compare only what the decoded side has (requests carry a subset of what ip prints). */
    readonly partial = false,
  ) {}
  eq(key: string, ipVal: unknown, dec: unknown): void {
    if (ipVal === undefined) return;
    if (this.partial && dec === undefined) return;
    if (J(ipVal) !== J(dec)) this.errs.push(`${key}: ip ${J(ipVal)}, decoded ${J(dec)}`);
  }
  /** Counters and timers that move between the dump and ip's own dump. */
  near(key: string, ipVal: unknown, dec: unknown, tolerance: number): void {
    if (ipVal === undefined) return;
    if (this.partial && dec === undefined) return;
    if (typeof ipVal !== 'number' || typeof dec !== 'number' || Math.abs(ipVal - dec) > tolerance) {
      this.errs.push(`${key}: ip ${J(ipVal)}, decoded ${J(dec)} (tolerance ${tolerance})`);
    }
  }
  bool(key: string, ipVal: unknown, dec: unknown): void {
    if (ipVal === undefined) return;
    if (this.partial && dec === undefined) return;
    this.eq(key, ipVal, typeof dec === 'number' ? dec !== 0 : dec);
  }
  set(key: string, ipVal: unknown, dec: readonly string[]): void {
    if (ipVal === undefined) return;
    const a = [...(ipVal as string[])].sort();
    const b = [...dec].sort();
    if (J(a) !== J(b)) this.errs.push(`${key}: ip ${J(a)}, decoded ${J(b)}`);
  }
  missing(what: string): void {
    this.errs.push(`${what}: not found among the decoded messages`);
  }
}

function bits(value: number, table: ReadonlyArray<[string, number]>): string[] {
  return table.filter(([, b]) => (value & b) === b).map(([n]) => n);
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const obj = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);

/** ip's "a.b.c.d/len" / "default" / host address without "/32" (or "/128"). */
function prefix(family: number, addr: unknown, len: number): string {
  if (len === 0) return 'default';
  return (family === 2 && len === 32) || (family === 10 && len === 128) ? String(addr) : `${String(addr)}/${len}`;
}

/** The decoded messages of a fixture, per family of object. */
class View {
  readonly names = new Map<number, string>();
  constructor(
    readonly msgs: readonly Decoded[],
    ipJson: Record<string, unknown>,
  ) {
    for (const { m } of msgs) {
      if (m.type === 'RTM_NEWLINK' && typeof m.attrs['ifname'] === 'string') this.names.set(m.header['index'] as number, m.attrs['ifname']);
    }
    for (const [cmd, v] of Object.entries(ipJson)) {
      if (!/\b(link|addr) show\b/.test(cmd) || !Array.isArray(v)) continue;
      for (const l of v as Obj[]) if (typeof l['ifindex'] === 'number' && typeof l['ifname'] === 'string') this.names.set(l['ifindex'], l['ifname']);
    }
  }
  name(index: unknown): string | undefined {
    return typeof index === 'number' ? (this.names.get(index) ?? `if${index}`) : undefined;
  }
  recv(type: string, family?: number): Message[] {
    return this.msgs.filter((x) => x.direction === 'recv' && x.m.type === type && (family === undefined || x.m.header['family'] === family)).map((x) => x.m);
  }
  sent(type: string): Message[] {
    return this.msgs.filter((x) => x.direction === 'send' && x.m.type === type).map((x) => x.m);
  }
}

// ---------------------------------------------------------------------------------------------
// Links

function bridgeId(v: unknown): string | undefined {
  const o = obj(v);
  if (!o) return undefined;
  const mac = String(o['addr']).split(':').map((x) => parseInt(x, 16).toString(16)).join(':');
  return `${String(o['prio'])}.${mac}`;
}

function compareLink(c: Cmp, v: View, ip: Obj, m: Message): void {
  const a = m.attrs;
  const h = m.header;
  c.eq('ifindex', ip['ifindex'], h['index']);
  c.eq('ifname', ip['ifname'], a['ifname']);
  c.eq('mtu', ip['mtu'], a['mtu']);
  if (ip['flags'] !== undefined && typeof h['flags'] === 'number' && !c.partial) {
    const f = h['flags'];
    const names = bits(f, IFF);
    if (f & IFF_UP && !(f & IFF_RUNNING)) names.push('NO-CARRIER');
    c.set('flags', (ip['flags'] as string[]).filter((x) => x !== 'M-DOWN'), names);
  }
  c.eq('qdisc', ip['qdisc'], a['qdisc']);
  c.eq('operstate', ip['operstate'], OPERSTATE[a['operstate'] as number]);
  c.eq('linkmode', ip['linkmode'], LINKMODE[a['linkmode'] as number]);
  c.eq('group', ip['group'] === 'default' ? 0 : ip['group'], a['group']);
  c.eq('txqlen', ip['txqlen'], a['txqlen']);
  if (ip['link_type'] !== undefined && !c.partial) c.eq('link_type', LINK_TYPE[ip['link_type'] as string] ?? ip['link_type'], h['type']);
  c.eq('address', ip['address'], a['address']);
  c.eq('broadcast', ip['broadcast'], a['broadcast']);
  c.eq('link_netnsid', ip['link_netnsid'], a['link_netnsid']);
  c.eq('link_index', ip['link_index'], a['link']);
  if (typeof ip['link'] === 'string') c.eq('link', ip['link'], v.name(a['link']));
  c.eq('master', ip['master'], v.name(a['master']));
  c.eq('ifalias', ip['ifalias'], a['ifalias']);
  for (const k of ['promiscuity', 'allmulti', 'min_mtu', 'max_mtu', 'num_tx_queues', 'num_rx_queues', 'gso_max_size', 'gso_max_segs', 'tso_max_size', 'tso_max_segs', 'gro_max_size']) {
    c.eq(k, ip[k], a[k]);
  }
  const inet6 = obj(obj(a['af_spec'])?.['inet6']);
  c.eq('inet6_addr_gen_mode', ip['inet6_addr_gen_mode'], ADDR_GEN_MODE[inet6?.['addr_gen_mode'] as number]);
  const li = obj(ip['linkinfo']);
  if (li) {
    const dl = obj(a['linkinfo']) ?? {};
    c.eq('linkinfo.info_kind', li['info_kind'], dl['kind']);
    c.eq('linkinfo.info_slave_kind', li['info_slave_kind'], dl['slave_kind']);
    const data = obj(li['info_data']);
    if (data) compareInfoData(c, v, String(li['info_kind']), data, obj(dl['data']) ?? {});
    const sdata = obj(li['info_slave_data']);
    if (sdata && li['info_slave_kind'] === 'bridge') compareBridgePort(c, sdata, obj(dl['slave_data']) ?? {}, 'info_slave_data');
  }
  const st = obj(ip['stats64']);
  const ds = obj(a['stats64']);
  if (st && !c.partial) {
    if (!ds) c.missing('stats64');
    else {
      const rx = obj(st['rx']) ?? {};
      const tx = obj(st['tx']) ?? {};
      // ip dumps again a few milliseconds later: allow for a little IPv6 chatter in between.
      c.near('stats64.rx.bytes', rx['bytes'], ds['rx_bytes'], 2000);
      c.near('stats64.rx.packets', rx['packets'], ds['rx_packets'], 20);
      c.eq('stats64.rx.errors', rx['errors'], ds['rx_errors']);
      c.near('stats64.rx.dropped', rx['dropped'], ds['rx_dropped'], 20);
      c.eq('stats64.rx.over_errors', rx['over_errors'], ds['rx_over_errors']);
      c.near('stats64.rx.multicast', rx['multicast'], ds['multicast'], 20);
      c.near('stats64.tx.bytes', tx['bytes'], ds['tx_bytes'], 2000);
      c.near('stats64.tx.packets', tx['packets'], ds['tx_packets'], 20);
      c.eq('stats64.tx.errors', tx['errors'], ds['tx_errors']);
      c.near('stats64.tx.dropped', tx['dropped'], ds['tx_dropped'], 20);
      c.eq('stats64.tx.carrier_errors', tx['carrier_errors'], ds['tx_carrier_errors']);
      c.eq('stats64.tx.collisions', tx['collisions'], ds['collisions']);
    }
  }
}

function compareInfoData(c: Cmp, v: View, kind: string, ip: Obj, d: Attrs): void {
  const k = `info_data(${kind})`;
  switch (kind) {
    case 'vxlan':
      c.eq(`${k}.id`, ip['id'], d['id']);
      c.eq(`${k}.local`, ip['local'], d['local'] ?? d['local6']);
      c.eq(`${k}.group`, ip['group'], d['group'] ?? d['group6']);
      if (typeof ip['link'] === 'string') c.eq(`${k}.link`, ip['link'], v.name(d['link']));
      c.eq(`${k}.port`, ip['port'], d['port']);
      c.eq(`${k}.port_range`, ip['port_range'], d['port_range']);
      c.bool(`${k}.learning`, ip['learning'], d['learning']);
      c.eq(`${k}.ttl`, ip['ttl'], d['ttl']);
      c.eq(`${k}.df`, ip['df'], VXLAN_DF[d['df'] as number]);
      c.eq(`${k}.ageing`, ip['ageing'], d['ageing']);
      for (const f of ['udp_csum', 'udp_zero_csum6_tx', 'udp_zero_csum6_rx', 'proxy', 'l2miss', 'l3miss', 'remcsum_tx', 'remcsum_rx']) c.bool(`${k}.${f}`, ip[f], d[f]);
      return;
    case 'bridge':
      for (const f of [
        'forward_delay', 'hello_time', 'max_age', 'ageing_time', 'stp_state', 'priority', 'vlan_filtering', 'root_port', 'root_path_cost',
        'topology_change', 'topology_change_detected', 'group_addr', 'mcast_snooping', 'mcast_router', 'mcast_query_use_ifaddr', 'mcast_querier',
        'mcast_hash_elasticity', 'mcast_hash_max', 'mcast_last_member_cnt', 'mcast_startup_query_cnt', 'mcast_last_member_intvl',
        'mcast_membership_intvl', 'mcast_querier_intvl', 'mcast_query_intvl', 'mcast_query_response_intvl', 'mcast_startup_query_intvl',
        'mcast_stats_enabled', 'mcast_igmp_version', 'mcast_mld_version', 'nf_call_iptables', 'nf_call_ip6tables', 'nf_call_arptables',
      ]) c.eq(`${k}.${f}`, ip[f], d[f]);
      if (ip['group_fwd_mask'] !== undefined) c.eq(`${k}.group_fwd_mask`, Number(ip['group_fwd_mask']), d['group_fwd_mask']);
      c.eq(`${k}.bridge_id`, ip['bridge_id'], bridgeId(d['bridge_id']));
      c.eq(`${k}.root_id`, ip['root_id'], bridgeId(d['root_id']));
      return;
    case 'tun':
      c.eq(`${k}.type`, TUN_TYPE[ip['type'] as string], d['type']);
      for (const f of ['pi', 'vnet_hdr', 'multi_queue', 'persist']) c.bool(`${k}.${f}`, ip[f], d[f]);
      c.eq(`${k}.numqueues`, ip['numqueues'], d['num_queues']);
      c.eq(`${k}.numdisabled`, ip['numdisabled'], d['num_disabled_queues']);
      c.eq(`${k}.user`, ip['user'] === undefined ? undefined : d['owner'] === undefined ? ip['user'] : ip['user'], ip['user']);
      return;
    case 'macvlan':
    case 'macvtap':
      c.eq(`${k}.mode`, MACVLAN_MODE[ip['mode'] as string], d['mode']);
      c.eq(`${k}.bcqueuelen`, ip['bcqueuelen'], d['bc_queue_len']);
      c.eq(`${k}.usedbcqueuelen`, ip['usedbcqueuelen'], d['bc_queue_len_used']);
      return;
  }
}

function compareBridgePort(c: Cmp, ip: Obj, d: Attrs, k: string): void {
  c.eq(`${k}.state`, ip['state'], BR_STATE[d['state'] as number]);
  c.eq(`${k}.priority`, ip['priority'], d['priority']);
  c.eq(`${k}.cost`, ip['cost'], d['cost']);
  const pairs: Array<[string, string]> = [
    ['hairpin', 'mode'], ['guard', 'guard'], ['root_block', 'protect'], ['fastleave', 'fast_leave'], ['learning', 'learning'],
    ['flood', 'unicast_flood'], ['proxy_arp', 'proxyarp'], ['proxy_arp_wifi', 'proxyarp_wifi'], ['mcast_flood', 'mcast_flood'],
    ['bcast_flood', 'bcast_flood'], ['mcast_to_unicast', 'mcast_to_ucast'], ['neigh_suppress', 'neigh_suppress'],
    ['vlan_tunnel', 'vlan_tunnel'], ['isolated', 'isolated'], ['locked', 'locked'],
  ];
  for (const [i, dk] of pairs) c.bool(`${k}.${i}`, ip[i], d[dk]);
  c.eq(`${k}.multicast_router`, ip['multicast_router'], d['multicast_router']);
  c.eq(`${k}.mcast_router`, ip['mcast_router'], d['multicast_router']);
  for (const f of ['designated_port', 'designated_cost', 'topology_change_ack', 'config_pending']) c.eq(`${k}.${f}`, ip[f], d[f]);
  const hex = (x: unknown) => (typeof x === 'number' ? `0x${x.toString(16)}` : undefined);
  c.eq(`${k}.id`, ip['id'], hex(d['id']));
  c.eq(`${k}.no`, ip['no'], hex(d['no']));
  if (ip['group_fwd_mask'] !== undefined) c.eq(`${k}.group_fwd_mask`, Number(ip['group_fwd_mask']), d['group_fwd_mask']);
  c.eq(`${k}.bridge_id`, ip['bridge_id'], bridgeId(d['bridge_id']));
  c.eq(`${k}.root_id`, ip['root_id'], bridgeId(d['root_id']));
}

function checkLinks(t: Assert, v: View, cmd: string, list: Obj[]): void {
  const links = v.recv('RTM_NEWLINK', 0);
  for (const ip of list) {
    const c = new Cmp(`${cmd}: ${String(ip['ifname'])}`);
    const ms = links.filter((m) => m.header['index'] === ip['ifindex']);
    if (ms.length === 0) c.missing(`link ${String(ip['ifindex'])}`);
    for (const m of ms) compareLink(c, v, ip, m);
    t.same(c.errs, [], c.what);
  }
}

function checkBridgeLinks(t: Assert, v: View, cmd: string, list: Obj[]): void {
  const ports = v.recv('RTM_NEWLINK', 7);
  for (const ip of list) {
    const c = new Cmp(`${cmd}: ${String(ip['ifname'])}`);
    const m = ports.find((x) => x.header['index'] === ip['ifindex']);
    if (!m) c.missing(`port ${String(ip['ifindex'])}`);
    else {
      compareLink(c, v, { ...ip, state: undefined, priority: undefined, cost: undefined, link: undefined }, m);
      if (typeof ip['link'] === 'string') c.eq('link', ip['link'], v.name(m.attrs['link']));
      compareBridgePort(c, { ...ip, flags: undefined }, obj(m.attrs['protinfo']) ?? {}, 'protinfo');
    }
    t.same(c.errs, [], c.what);
  }
}

// ---------------------------------------------------------------------------------------------
// Addresses

function checkAddrs(t: Assert, v: View, cmd: string, list: Obj[], requests = false): void {
  const addrs = requests ? v.sent('RTM_NEWADDR') : v.recv('RTM_NEWADDR');
  for (const link of list) {
    if (!requests) {
      const lc = new Cmp(`${cmd}: link ${String(link['ifname'])}`);
      const lm = v.recv('RTM_NEWLINK', 0).filter((m) => m.header['index'] === link['ifindex']);
      for (const m of lm) compareLink(lc, v, link, m);
      if (lm.length > 0) t.same(lc.errs, [], lc.what);
    }
    for (const ai of (link['addr_info'] ?? []) as Obj[]) {
      const c = new Cmp(`${cmd}: ${String(link['ifname'])} ${String(ai['local'])}/${String(ai['prefixlen'])}`, requests);
      const family = FAMILY[ai['family'] as string];
      const m = addrs.find(
        (x) => x.header['family'] === family && (requests || x.header['index'] === link['ifindex']) && (x.attrs['local'] ?? x.attrs['address']) === ai['local'],
      );
      if (!m) {
        c.missing('address');
        t.same(c.errs, [], c.what);
        continue;
      }
      const a = m.attrs;
      c.eq('prefixlen', ai['prefixlen'], m.header['prefixlen']);
      if (!requests) c.eq('scope', SCOPE[ai['scope'] as string], m.header['scope']);
      c.eq('label', ai['label'], a['label']);
      c.eq('broadcast', ai['broadcast'], a['broadcast']);
      if (ai['address'] !== undefined) c.eq('address (peer)', ai['address'], a['address']);
      const flags = num(a['flags']) ?? (m.header['flags'] as number);
      for (const [name, bit] of IFA_FLAGS) if (!requests || ai[name] === true) c.eq(name, ai[name] === true, (flags & bit) !== 0);
      if (!requests) c.eq('dynamic', ai['dynamic'] === true, (flags & IFA_F_PERMANENT) === 0);
      const ci = obj(a['cacheinfo']);
      if (ci && !requests) {
        const life = (ipv: unknown, d: unknown) => (ipv === 0xffffffff || d === 0xffffffff ? 0 : 5);
        c.near('valid_life_time', ai['valid_life_time'], ci['valid'], life(ai['valid_life_time'], ci['valid']));
        c.near('preferred_life_time', ai['preferred_life_time'], ci['prefered'], life(ai['preferred_life_time'], ci['prefered']));
      }
      c.eq('metric', ai['metric'], a['rt_priority']);
      t.same(c.errs, [], c.what);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Routes

function tableOf(m: Message): number {
  return num(m.attrs['table']) ?? (m.header['table'] as number);
}

function ipTable(v: unknown): number {
  if (v === undefined) return 254;
  return TABLE[v as string] ?? Number(v);
}

function routeKey(v: View, m: Message): string {
  const h = m.header;
  const dst = prefix(h['family'] as number, m.attrs['dst'], h['dst_len'] as number);
  return `${tableOf(m)}|${RTN[h['type'] as number]}|${dst}|${v.name(m.attrs['oif']) ?? ''}|${num(m.attrs['priority']) ?? 0}`;
}

function ipRouteKey(r: Obj): string {
  return `${ipTable(r['table'])}|${(r['type'] as string | undefined) ?? 'unicast'}|${String(r['dst'])}|${(r['dev'] as string | undefined) ?? ''}|${num(r['metric']) ?? 0}`;
}

function compareRoute(c: Cmp, v: View, r: Obj, m: Message): void {
  const a = m.attrs;
  const h = m.header;
  c.eq('gateway', r['gateway'], a['gateway']);
  c.eq('dev', r['dev'], v.name(a['oif']));
  c.eq('prefsrc', r['prefsrc'], a['prefsrc']);
  c.eq('metric', r['metric'], a['priority']);
  if (r['protocol'] !== undefined) c.eq('protocol', PROTO[r['protocol'] as string] ?? Number(r['protocol']), h['protocol']);
  if (r['scope'] !== undefined) c.eq('scope', SCOPE[r['scope'] as string], h['scope']);
  if (r['type'] !== undefined) c.eq('type', r['type'], RTN[h['type'] as number]);
  c.eq('nhid', r['nhid'], a['nh_id']);
  c.eq('uid', r['uid'], a['uid']);
  if (r['pref'] !== undefined) c.eq('pref', RT_PREF[r['pref'] as string], a['pref']);
  if (r['flags'] !== undefined && !c.partial) c.set('flags', (r['flags'] as string[]).filter((f) => f !== 'notify'), bits(h['flags'] as number, RTNH_FLAGS));
  const via = obj(r['via']);
  if (via) c.eq('via', { family: FAMILY[via['family'] as string], addr: via['host'] }, a['via']);
  if (r['expires'] !== undefined) {
    const ci = obj(a['cacheinfo']);
    c.near('expires', r['expires'], ci ? (ci['expires'] as number) / CLOCK_T_HZ : undefined, 5);
  }
  if (r['encap'] === 'ip') {
    const e = obj(a['encap']) ?? {};
    c.eq('encap', 2, a['encap_type']);
    c.eq('encap.id', r['id'], e['id']);
    c.eq('encap.ttl', r['ttl'], e['ttl']);
    c.eq('encap.tos', r['tos'], e['tos']);
  }
  const mx = (r['metrics'] as Obj[] | undefined)?.[0];
  if (mx) {
    const dm = obj(a['metrics']) ?? {};
    for (const [k, val] of Object.entries(mx)) c.eq(`metrics.${k}`, Array.isArray(val) ? val[val.length - 1] : val, dm[k]);
  }
  const nhs = r['nexthops'] as Obj[] | undefined;
  if (nhs && !(r['nhid'] !== undefined && a['multipath'] === undefined)) {
    const mp = (a['multipath'] ?? []) as Array<{ flags: number; hops: number; ifindex: number; attrs: Attrs }>;
    c.eq('nexthops.length', nhs.length, mp.length);
    nhs.forEach((nh, i) => {
      const d = mp[i];
      if (!d) return;
      c.eq(`nexthops[${i}].gateway`, nh['gateway'], d.attrs['gateway']);
      c.eq(`nexthops[${i}].dev`, nh['dev'], v.name(d.ifindex));
      c.eq(`nexthops[${i}].weight`, nh['weight'], d.hops + 1);
      if (nh['flags'] !== undefined && !c.partial) c.set(`nexthops[${i}].flags`, nh['flags'], bits(d.flags, RTNH_FLAGS));
    });
  }
}

function checkRoutes(t: Assert, v: View, cmd: string, list: Obj[], requests = false): void {
  const routes = requests ? v.sent('RTM_NEWROUTE') : v.recv('RTM_NEWROUTE');
  const byKey = new Map<string, Message>();
  for (const m of routes) byKey.set(routeKey(v, m), m);
  for (const r of list) {
    const c = new Cmp(`${cmd}: ${String(r['type'] ?? '')} ${String(r['dst'])} ${String(r['dev'] ?? '')} table ${String(r['table'] ?? 'main')}`.replace(/\s+/g, ' '), requests);
    let m: Message | undefined;
    if (r['encap'] !== undefined) {
      // ip prints the encap's own "dst" under the same key as the route's (iproute2 6.1)
      m = routes.find((x) => obj(x.attrs['encap'])?.['dst'] === r['dst']);
    } else if (requests) {
      m = routes.find((x) => prefix(x.header['family'] as number, x.attrs['dst'], x.header['dst_len'] as number) === r['dst']);
    } else m = byKey.get(ipRouteKey(r));
    if (!m) c.missing('route');
    else compareRoute(c, v, r, m);
    t.same(c.errs, [], c.what);
  }
}

/** `ip route get`: the n-th view answers the n-th lookup. */
function checkRouteGet(t: Assert, v: View, cmd: string, list: Obj[], nth: number): void {
  const m = v.recv('RTM_NEWROUTE')[nth];
  for (const r of list) {
    const c = new Cmp(`${cmd}: ${String(r['dst'])}`);
    if (!m) c.missing('route');
    else {
      c.eq('dst', r['dst'], prefix(m.header['family'] as number, m.attrs['dst'], m.header['dst_len'] as number));
      compareRoute(c, v, r, m);
    }
    t.same(c.errs, [], c.what);
  }
}

// ---------------------------------------------------------------------------------------------
// Neighbours, fdb

function checkNeigh(t: Assert, v: View, cmd: string, list: Obj[], requests = false): void {
  const proxy = /\bproxy\b/.test(cmd);
  const all = (requests ? v.sent('RTM_NEWNEIGH') : v.recv('RTM_NEWNEIGH')).filter((m) => m.header['family'] !== 7);
  for (const n of list) {
    const c = new Cmp(`${cmd}: ${String(n['dst'])} dev ${String(n['dev'])}`, requests);
    const m = all.find(
      (x) => x.attrs['dst'] === n['dst'] && (requests || v.name(x.header['ifindex']) === n['dev']) && ((x.header['flags'] as number) & NTF_PROXY ? proxy : !proxy),
    );
    if (!m) c.missing('neighbour');
    else {
      c.eq('lladdr', n['lladdr'], m.attrs['lladdr']);
      if (n['state'] !== undefined) c.set('state', n['state'], bits(m.header['state'] as number, NUD));
      c.eq('router', 'router' in n, ((m.header['flags'] as number) & NTF_ROUTER) !== 0);
      c.eq('proxy', 'proxy' in n, ((m.header['flags'] as number) & NTF_PROXY) !== 0);
    }
    t.same(c.errs, [], c.what);
  }
}

function fdbState(s: number): string {
  if (s & 0x80) return 'permanent';
  if (s & 0x40) return 'static';
  if (s & 0x04) return 'stale';
  return '';
}

function checkFdb(t: Assert, v: View, cmd: string, list: Obj[]): void {
  const all = v.recv('RTM_NEWNEIGH', 7);
  for (const f of list) {
    const c = new Cmp(`${cmd}: ${String(f['mac'])} dev ${String(f['ifname'])} ${String(f['dst'] ?? '')}`);
    const self = ((f['flags'] ?? []) as string[]).includes('self');
    const m = all.find(
      (x) =>
        x.attrs['lladdr'] === f['mac'] &&
        v.name(x.header['ifindex']) === f['ifname'] &&
        x.attrs['vlan'] === f['vlan'] &&
        x.attrs['dst'] === f['dst'] &&
        (((x.header['flags'] as number) & NTF_SELF) !== 0) === self &&
        v.name(x.attrs['master']) === f['master'],
    );
    if (!m) c.missing('fdb entry');
    else {
      c.eq('state', f['state'], fdbState(m.header['state'] as number));
      c.set('flags', f['flags'], bits(m.header['flags'] as number, FDB_FLAGS));
      c.eq('vni', f['vni'], m.attrs['vni']);
      c.eq('port', f['port'], m.attrs['port']);
    }
    t.same(c.errs, [], c.what);
  }
}

// ---------------------------------------------------------------------------------------------
// Rules, nsid, netconf, nexthops

function checkRules(t: Assert, v: View, cmd: string, list: Obj[], requests = false): void {
  const family = /\s-6\s/.test(` ${cmd} `) ? 10 : 2;
  const rules = requests ? v.sent('RTM_NEWRULE') : v.recv('RTM_NEWRULE', family);
  for (const r of list) {
    const c = new Cmp(`${cmd}: pref ${String(r['priority'])}`, requests);
    const m = rules.find((x) => (x.attrs['priority'] ?? 0) === r['priority']);
    if (!m) {
      c.missing('rule');
      t.same(c.errs, [], c.what);
      continue;
    }
    const a = m.attrs;
    const h = m.header;
    if (r['src'] !== 'all') c.eq('src', r['src'], a['src']);
    c.eq('srclen', r['srclen'] ?? (r['src'] === 'all' ? 0 : undefined), h['src_len']);
    c.eq('dst', r['dst'], a['dst']);
    c.eq('dstlen', r['dstlen'], h['dst_len']);
    if (r['table'] !== undefined) c.eq('table', ipTable(r['table']), num(a['table']) ?? h['table']);
    if (r['fwmark'] !== undefined) c.eq('fwmark', Number(r['fwmark']), a['fwmark']);
    if (r['fwmask'] !== undefined) c.eq('fwmask', Number(r['fwmask']), a['fwmask']);
    c.eq('iif', r['iif'], a['iifname']);
    c.eq('oif', r['oif'], a['oifname']);
    if (r['ipproto'] !== undefined) c.eq('ipproto', IPPROTO[r['ipproto'] as string], a['ip_proto']);
    const port = (v2: unknown) => {
      const o = obj(v2);
      return o ? (o['start'] === o['end'] ? o['start'] : `${String(o['start'])}-${String(o['end'])}`) : undefined;
    };
    c.eq('dport', r['dport'], port(a['dport_range']));
    c.eq('sport', r['sport'], port(a['sport_range']));
    const ur = obj(a['uid_range']);
    c.eq('uid_start', r['uid_start'], ur?.['start']);
    c.eq('uid_end', r['uid_end'], ur?.['end']);
    for (const [k, range] of [['sport', 'sport_range'], ['dport', 'dport_range']] as const) {
      c.eq(`${k}_start`, r[`${k}_start`], obj(a[range])?.['start']);
      c.eq(`${k}_end`, r[`${k}_end`], obj(a[range])?.['end']);
    }
    c.eq('suppress_prefixlen', r['suppress_prefixlen'], a['suppress_prefixlen']);
    c.eq('goto', r['goto'], a['goto']);
    const action = r['goto'] !== undefined ? FR_ACT['goto'] : r['action'] === undefined ? 1 : FR_ACT[r['action'] as string];
    c.eq('action', action, h['action']);
    t.same(c.errs, [], c.what);
  }
}

function checkNsids(t: Assert, v: View, cmd: string, list: Obj[]): void {
  const ids = new Set(v.recv('RTM_NEWNSID').map((m) => m.attrs['nsid']));
  const c = new Cmp(cmd);
  for (const n of list) if (!ids.has(n['nsid'])) c.missing(`nsid ${String(n['nsid'])} (${String(n['name'])})`);
  t.same(c.errs, [], c.what);
}

function checkNetconf(t: Assert, v: View, cmd: string, list: Obj[]): void {
  const all = v.recv('RTM_NEWNETCONF');
  const byName = new Map<string, number>([['all', -1], ['default', -2]]);
  for (const [i, n] of v.names) byName.set(n, i);
  for (const n of list) {
    const c = new Cmp(`${cmd}: ${String(n['family'])} ${String(n['interface'])}`);
    const m = all.find((x) => x.header['family'] === FAMILY[n['family'] as string] && x.attrs['ifindex'] === byName.get(n['interface'] as string));
    if (!m) c.missing('netconf entry');
    else {
      for (const f of ['forwarding', 'mc_forwarding', 'proxy_neigh', 'ignore_routes_with_linkdown']) c.bool(f, n[f], m.attrs[f]);
      c.eq('rp_filter', n['rp_filter'], RP_FILTER[m.attrs['rp_filter'] as number]);
    }
    t.same(c.errs, [], c.what);
  }
}

/** NHA_GROUP: packed struct nexthop_grp { u32 id; u8 weight; u8 weight_high; u16 resvd2 }. */
function nhGroup(hex: unknown): Obj[] {
  const b = fromHex(String(hex)) ?? new Uint8Array(0);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: Obj[] = [];
  for (let off = 0; off + 8 <= b.length; off += 8) {
    const weight = ((dv.getUint8(off + 5) << 8) | dv.getUint8(off + 4)) + 1;
    out.push(weight === 1 ? { id: dv.getUint32(off, true) } : { id: dv.getUint32(off, true), weight });
  }
  return out;
}

function checkNexthops(t: Assert, v: View, cmd: string, list: Obj[], requests = false): void {
  const all = requests ? v.sent('RTM_NEWNEXTHOP') : v.recv('RTM_NEWNEXTHOP');
  for (const n of list) {
    const c = new Cmp(`${cmd}: id ${String(n['id'])}`, requests);
    const m = all.find((x) => x.attrs['id'] === n['id']);
    if (!m) c.missing('nexthop');
    else {
      const a = m.attrs;
      c.eq('gateway', n['gateway'], a['gateway']);
      c.eq('dev', n['dev'], v.name(a['oif']));
      if (!requests && n['scope'] !== undefined) c.eq('scope', SCOPE[n['scope'] as string], m.header['scope']);
      c.eq('blackhole', 'blackhole' in n ? true : undefined, a['blackhole']);
      if (n['group'] !== undefined) c.eq('group', n['group'], nhGroup(a['group']));
      if (n['type'] === 'resilient') c.eq('type', 1, a['group_type']);
      const rg = obj(n['resilient_args']);
      const dg = obj(a['res_group']);
      if (rg) {
        c.eq('resilient_args.buckets', rg['buckets'], dg?.['buckets']);
        c.eq('resilient_args.idle_timer', rg['idle_timer'], (dg?.['idle_timer'] as number) / CLOCK_T_HZ);
        c.eq('resilient_args.unbalanced_timer', rg['unbalanced_timer'], (dg?.['unbalanced_timer'] as number) / CLOCK_T_HZ);
      }
    }
    t.same(c.errs, [], c.what);
  }
}

function checkBuckets(t: Assert, v: View, cmd: string, list: Obj[]): void {
  const all = v.recv('RTM_NEWNEXTHOPBUCKET');
  for (const b of list) {
    const ib = obj(b['bucket']) ?? {};
    const c = new Cmp(`${cmd}: id ${String(b['id'])} bucket ${String(ib['index'])}`);
    const m = all.find((x) => x.attrs['id'] === b['id'] && obj(x.attrs['res_bucket'])?.['index'] === ib['index']);
    if (!m) c.missing('bucket');
    else {
      const rb = obj(m.attrs['res_bucket']) ?? {};
      c.eq('nhid', ib['nhid'], rb['nh_id']);
      c.near('idle_time', ib['idle_time'], (rb['idle_time'] as number) / CLOCK_T_HZ, 5);
    }
    t.same(c.errs, [], c.what);
  }
}

// ---------------------------------------------------------------------------------------------
// Fixture views

/** Views in the `requests` fixture show the objects the requests made: compare what was asked for. */
function checkRequestsView(t: Assert, v: View, cmd: string, list: Obj[]): void {
  if (/\blink show\b/.test(cmd)) {
    if (!/\bdev\b/.test(cmd)) return;
    for (const ip of list) {
      const c = new Cmp(`${cmd}: request`, true);
      const m = v.sent('RTM_NEWLINK').find((x) => x.attrs['ifname'] === ip['ifname']);
      if (!m) c.missing('request');
      else compareLink(c, v, { ...ip, ifindex: undefined }, m);
      t.same(c.errs, [], c.what);
    }
  } else if (/\baddr show\b/.test(cmd)) checkAddrs(t, v, cmd, list, true);
  else if (/\broute show\b/.test(cmd)) checkRoutes(t, v, cmd, list, true);
  else if (/\bneigh show\b/.test(cmd)) checkNeigh(t, v, cmd, list, true);
  else if (/\brule show\b/.test(cmd)) checkRules(t, v, cmd, list, true);
  else if (/\bnexthop show\b/.test(cmd)) checkNexthops(t, v, cmd, list, true);
}

for (const file of files) {
  const fx = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
  if (!fx.ipJson) continue;
  const ipJson = fx.ipJson;
  t.test(`${file}: decoded values agree with ip -j`, async (t) => {
    const v = new View(decodedByFile.get(file) ?? [], ipJson);
    let gets = 0;
    for (const [cmd, out] of Object.entries(ipJson)) {
      t.ok(Array.isArray(out), `${cmd}: a list`);
      const list = out as Obj[];
      if (file === 'requests.json') {
        checkRequestsView(t, v, cmd, list);
        continue;
      }
      if (/^bridge .*\blink show\b/.test(cmd)) checkBridgeLinks(t, v, cmd, list);
      else if (/^bridge .*\bfdb show\b/.test(cmd)) checkFdb(t, v, cmd, list);
      else if (/\blink show\b/.test(cmd)) {
        // views kept only to name interfaces in fixtures that dumped something else
        if (v.recv('RTM_NEWLINK', 0).length > 0) checkLinks(t, v, cmd, list);
      } else if (/\baddr show\b/.test(cmd)) checkAddrs(t, v, cmd, list);
      else if (/\broute show\b/.test(cmd)) checkRoutes(t, v, cmd, list);
      else if (/\broute get\b/.test(cmd)) checkRouteGet(t, v, cmd, list, gets++);
      else if (/\bneigh show\b/.test(cmd)) checkNeigh(t, v, cmd, list);
      else if (/\brule show\b/.test(cmd)) checkRules(t, v, cmd, list);
      else if (/\bnetns list-id\b/.test(cmd)) checkNsids(t, v, cmd, list);
      else if (/\bnetconf show\b/.test(cmd)) checkNetconf(t, v, cmd, list);
      else if (/\bnexthop bucket show\b/.test(cmd)) checkBuckets(t, v, cmd, list);
      else if (/\bnexthop show\b/.test(cmd)) checkNexthops(t, v, cmd, list);
      else t.fail(`${cmd}: no comparison for this view`);
    }
  });
}
