/**
 * The names iproute2 prints for numbers: route protocols, scopes, tables, realms, link groups and
 * DS fields (the `/etc/iproute2/rt_*` databases), route types, address families, hardware types
 * (`link/ether`), ethernet protocols, and link-layer address text (`ll_addr_n2a`).
 *
 * The built-in tables are what iproute2 6.1 ships (its compiled-in names plus the stock
 * `/etc/iproute2` files). {@link parseNameDb} reads such a file's text, so a caller that wants the
 * machine's own names can load them and pass them in {@link IpNames}; nothing here does I/O.
 *
 * @example
 * ```ts
 * const names = defaultNames();
 * rtProtoName(names, 4);   // 'static'
 * rtTableName(names, 100); // '100'
 * llTypeName(772);         // 'loopback'
 * ```
 * @module
 */
import { formatIPv4, formatIPv6, parseMac } from '../netlink/bytes.js';

/** Number → name tables, as in `/etc/iproute2`. */
export interface IpNames {
  /** rt_protos: route protocols. */
  readonly protos: ReadonlyMap<number, string>;
  /** rt_scopes. */
  readonly scopes: ReadonlyMap<number, string>;
  /** rt_tables. */
  readonly tables: ReadonlyMap<number, string>;
  /** rt_realms. */
  readonly realms: ReadonlyMap<number, string>;
  /** group: link groups. */
  readonly groups: ReadonlyMap<number, string>;
  /** rt_dsfield: TOS / DS field names. */
  readonly dsfield: ReadonlyMap<number, string>;
}

const PROTOS: ReadonlyArray<readonly [number, string]> = [
  [0, 'unspec'], [1, 'redirect'], [2, 'kernel'], [3, 'boot'], [4, 'static'], [8, 'gated'], [9, 'ra'], [10, 'mrt'],
  [11, 'zebra'], [12, 'bird'], [13, 'dnrouted'], [14, 'xorp'], [15, 'ntk'], [16, 'dhcp'], [18, 'keepalived'],
  [42, 'babel'], [99, 'openr'], [186, 'bgp'], [187, 'isis'], [188, 'ospf'], [189, 'rip'], [192, 'eigrp'],
];
const SCOPES: ReadonlyArray<readonly [number, string]> = [[0, 'global'], [255, 'nowhere'], [254, 'host'], [253, 'link'], [200, 'site']];
const TABLES: ReadonlyArray<readonly [number, string]> = [[255, 'local'], [254, 'main'], [253, 'default'], [0, 'unspec']];
const DSFIELD: ReadonlyArray<readonly [number, string]> = [
  [0x0, 'default'], [0x28, 'AF11'], [0x30, 'AF12'], [0x38, 'AF13'], [0x48, 'AF21'], [0x50, 'AF22'], [0x58, 'AF23'],
  [0x68, 'AF31'], [0x70, 'AF32'], [0x78, 'AF33'], [0x88, 'AF41'], [0x90, 'AF42'], [0x98, 'AF43'], [0x20, 'CS1'],
  [0x40, 'CS2'], [0x60, 'CS3'], [0x80, 'CS4'], [0xa0, 'CS5'], [0xc0, 'CS6'], [0xe0, 'CS7'], [0xb8, 'EF'],
];

let defaults: IpNames | undefined;

/** The names iproute2 6.1 uses when `/etc/iproute2` holds only its stock files. */
export function defaultNames(): IpNames {
  return (defaults ??= {
    protos: new Map(PROTOS),
    scopes: new Map(SCOPES),
    tables: new Map(TABLES),
    realms: new Map([[0, 'cosmos']]),
    groups: new Map([[0, 'default']]),
    dsfield: new Map(DSFIELD),
  });
}

/**
 * Entries of an iproute2 name database (`NUMBER NAME` per line, `#` comments, hex numbers
 * allowed), as `rtnl_tab_initialize` reads them.
 *
 * @example
 * ```ts
 * parseNameDb('# tables\n100\tvpn\n'); // Map { 100 => 'vpn' }
 * ```
 */
export function parseNameDb(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(0x[0-9a-fA-F]+|\d+)\s+([^\s#]+)/.exec(line);
    if (!m) continue;
    out.set(Number(m[1]), m[2]!);
  }
  return out;
}

/** Names with some tables replaced (e.g. loaded from the machine's files). */
export function withNames(base: IpNames, over: Partial<IpNames>): IpNames {
  return { ...base, ...over };
}

/** rtnl_rtprot_n2a. */
export function rtProtoName(n: IpNames, id: number): string {
  return n.protos.get(id) ?? String(id);
}
/** rtnl_rtscope_n2a. */
export function rtScopeName(n: IpNames, id: number): string {
  return n.scopes.get(id) ?? String(id);
}
/** rtnl_rttable_n2a. */
export function rtTableName(n: IpNames, id: number): string {
  return n.tables.get(id) ?? String(id);
}
/** rtnl_rtrealm_n2a. */
export function rtRealmName(n: IpNames, id: number): string {
  return n.realms.get(id) ?? String(id);
}
/** rtnl_group_n2a. */
export function groupName(n: IpNames, id: number): string {
  return n.groups.get(id) ?? String(id >>> 0);
}
/** rtnl_dsfield_n2a. */
export function dsfieldName(n: IpNames, id: number): string {
  return n.dsfield.get(id) ?? `0x${id.toString(16).padStart(2, '0')}`;
}

const RTN_TYPES = ['none', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat', 'xresolve'];

/** rtnl_rtntype_n2a: route types. */
export function rtTypeName(t: number): string {
  return RTN_TYPES[t] ?? String(t);
}

const FAMILIES: Record<number, string> = { 0: 'unspec', 2: 'inet', 10: 'inet6', 17: 'link', 4: 'ipx', 7: 'bridge', 28: 'mpls' };

/** family_name: 'inet', 'inet6', 'link', 'mpls', 'bridge', else '???'. */
export function familyName(f: number): string {
  return FAMILIES[f] ?? '???';
}

// ll_types.c: hardware types as `ip link` prints them after "link/".
const ARPHRD: ReadonlyArray<readonly [number, string]> = [
  [0, 'netrom'], [1, 'ether'], [2, 'eether'], [3, 'ax25'], [4, 'pronet'], [5, 'chaos'], [6, 'ieee802'], [7, 'arcnet'],
  [8, 'atalk'], [15, 'dlci'], [19, 'atm'], [23, 'metricom'], [24, 'ieee1394'], [32, 'infiniband'], [256, 'slip'],
  [257, 'cslip'], [258, 'slip6'], [259, 'cslip6'], [260, 'rsrvd'], [264, 'adapt'], [270, 'rose'], [271, 'x25'],
  [272, 'hwx25'], [280, 'can'], [512, 'ppp'], [513, 'hdlc'], [516, 'lapb'], [517, 'ddcmp'], [518, 'rawhdlc'],
  [768, 'ipip'], [769, 'tunnel6'], [770, 'frad'], [771, 'skip'], [772, 'loopback'], [773, 'ltalk'], [774, 'fddi'],
  [775, 'bif'], [776, 'sit'], [777, 'ip/ddp'], [778, 'gre'], [779, 'pimreg'], [780, 'hippi'], [781, 'ash'],
  [782, 'econet'], [783, 'irda'], [784, 'fcpp'], [785, 'fcal'], [786, 'fcpl'], [787, 'fcfb0'], [788, 'fcfb1'],
  [789, 'fcfb2'], [790, 'fcfb3'], [791, 'fcfb4'], [792, 'fcfb5'], [793, 'fcfb6'], [794, 'fcfb7'], [795, 'fcfb8'],
  [796, 'fcfb9'], [797, 'fcfb10'], [798, 'fcfb11'], [799, 'fcfb12'], [800, 'tr'], [801, 'ieee802.11'],
  [802, 'ieee802.11/prism'], [803, 'ieee802.11/radiotap'], [804, 'ieee802.15.4'], [805, 'ieee802.15.4/monitor'],
  [820, 'phonet'], [821, 'phonet_pipe'], [822, 'caif'], [823, 'gre6'], [824, 'netlink'], [825, '6lowpan'],
  [0xfffe, 'none'], [0xffff, 'void'],
];
const ARPHRD_NAMES = new Map(ARPHRD);

/** ll_type_n2a: the hardware type after "link/" ('ether', 'loopback', 'none', ...). */
export function llTypeName(type: number): string {
  return ARPHRD_NAMES.get(type) ?? `[${type}]`;
}

const ETH_P: Record<number, string> = {
  0x0800: 'ip', 0x0806: 'arp', 0x86dd: 'ipv6', 0x8100: '802.1Q', 0x88a8: '802.1ad', 0x8847: 'mpls_uc', 0x8848: 'mpls_mc',
  0x6558: 'teb', 0x88cc: 'LLDP', 0x0003: 'all',
};

/** ll_proto_n2a: an ethertype (host order) by name, else `[N]`... as iproute2 prints it. */
export function llProtoName(proto: number): string {
  return ETH_P[proto] ?? `[${proto}]`;
}

const ARPHRD_TUNNEL = 768;
const ARPHRD_TUNNEL6 = 769;
const ARPHRD_SIT = 776;
const ARPHRD_IPGRE = 778;
const ARPHRD_IP6GRE = 823;

/**
 * ll_addr_n2a: a link-layer address as ip prints it. Tunnel types print their IPv4/IPv6 address;
 * everything else lower-case colon hex. `addr` is the decoded colon-hex text.
 */
export function llAddrText(addr: string, type: number): string {
  if (addr === '') return '00';
  // Only tunnels print another form: other addresses are not parsed (a listing has thousands).
  const tunnel4 = type === ARPHRD_TUNNEL || type === ARPHRD_SIT || type === ARPHRD_IPGRE;
  if (!tunnel4 && type !== ARPHRD_TUNNEL6 && type !== ARPHRD_IP6GRE) return addr;
  const b = parseMac(addr);
  if (b?.length === 4 && tunnel4) return formatIPv4(b);
  if (b?.length === 16 && !tunnel4) return formatIPv6(b);
  return addr;
}
