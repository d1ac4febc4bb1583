/**
 * `ip rule`: the policy routing database (RTM_NEWRULE / RTM_DELRULE / RTM_GETRULE), with
 * iproute2's defaults: `ip rule add` is NLM_F_CREATE|NLM_F_EXCL, action `lookup`, and table
 * main when a lookup names no table.
 *
 * @example
 * ```ts
 * await nl.rule.add({ priority: 100, from: '10.123.0.0/16', table: 100 }); // ip rule add priority 100 from 10.123.0.0/16 table 100
 * await nl.rule.add({ priority: 200, fwmark: 0x10, fwmask: 0xff, table: 200 }); // ip rule add priority 200 fwmark 0x10/0xff table 200
 * for (const r of await nl.rule.list('inet').collect()) console.log(r.priority, r.from, r.table); // ip rule show
 * await nl.rule.del({ priority: 100 });                                 // ip rule del priority 100
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import type { Listing } from './listing.js';
import type { Netlink } from './netlink.js';
import { AF_INET, AF_INET6, checkIfname, checkInt, checkKeys, parseCidr } from './validate.js';
import {
  checkBool,
  checkObject,
  checkU32,
  dumpFamilies,
  type Family,
  type FamilyArg,
  familyName,
  flagNames,
  formatPrefix,
  NamedListing,
  parseFamily,
  parseProtocol,
  parseTable,
  type ProtocolArg,
  protocolName,
  type TableArg,
  type TableName,
  tableName,
} from './rt-types.js';

/** Rule actions as iproute2 names them (FR_ACT_TO_TBL is `lookup`). */
export type RuleAction = 'lookup' | 'goto' | 'nop' | 'blackhole' | 'unreachable' | 'prohibit';

const ACTIONS: Readonly<Record<RuleAction, number>> = { lookup: 1, goto: 2, nop: 3, blackhole: 6, unreachable: 7, prohibit: 8 };
const ACTION_NAMES: Readonly<Record<number, RuleAction>> = { 1: 'lookup', 2: 'goto', 3: 'nop', 6: 'blackhole', 7: 'unreachable', 8: 'prohibit' };
const FR_ACT_TO_TBL = 1;
const FR_ACT_GOTO = 2;
const FIB_RULE_INVERT = 2;
const RT_TABLE_MAIN = 254;
const IPPROTO: Readonly<Record<string, number>> = { icmp: 1, tcp: 6, udp: 17, ipv6_icmp: 58, 'ipv6-icmp': 58, sctp: 132 };

/** A rule, as `ip rule add|del` take it. For `del`, the fields given select the rule. */
export interface RuleSpec {
  /** Address family. Default: that of from / to, else 'inet' (like `ip rule`, which means `ip -4 rule`). */
  family?: FamilyArg;
  /** Priority (`priority` / `pref`); rules are tried in increasing order. Default: chosen by the kernel. */
  priority?: number;
  /** Source prefix (`from`), or 'all'. */
  from?: string;
  /** Destination prefix (`to`), or 'all'. */
  to?: string;
  /** Input interface name (`iif`); it need not exist yet. */
  iif?: string;
  /** Output interface name (`oif`); it need not exist yet. */
  oif?: string;
  /** Firewall mark (`fwmark`). */
  fwmark?: number;
  /** Mask of the firewall mark (`fwmark MARK/MASK`). */
  fwmask?: number;
  /** TOS / DSCP selector (`tos`). */
  tos?: number;
  /** Table to look up (`table` / `lookup`). Default for a lookup: 'main'. */
  table?: TableArg;
  /** What to do (`lookup`, `goto`, `nop`, `blackhole`, `unreachable`, `prohibit`). Default: 'lookup' ('goto' with `goto`). */
  action?: RuleAction;
  /** The priority of the rule to jump to (`goto N`). */
  goto?: number;
  /** Invert the selector (`not`). */
  not?: boolean;
  /** Who added the rule (`protocol`). */
  protocol?: ProtocolArg;
  /** Ignore lookup results with a prefix length at most this (`suppress_prefixlength`). */
  suppressPrefixlength?: number;
  /** Ignore lookup results through interfaces of this group (`suppress_ifgroup`). */
  suppressIfgroup?: number;
  /** IP protocol (`ipproto`): a number or 'tcp', 'udp', 'icmp', 'ipv6-icmp', 'sctp'. */
  ipproto?: number | string;
  /** Source port or [first, last] range (`sport`). */
  sport?: number | [number, number];
  /** Destination port or [first, last] range (`dport`). */
  dport?: number | [number, number];
  /** UID range [first, last] (`uidrange`). */
  uidrange?: [number, number];
  /** Look up the table of the L3 master device (VRF) of the packet's interface (`l3mdev`). */
  l3mdev?: boolean;
}
const SPEC_KEYS = [
  'family',
  'priority',
  'from',
  'to',
  'iif',
  'oif',
  'fwmark',
  'fwmask',
  'tos',
  'table',
  'action',
  'goto',
  'not',
  'protocol',
  'suppressPrefixlength',
  'suppressIfgroup',
  'ipproto',
  'sport',
  'dport',
  'uidrange',
  'l3mdev',
];

/** What {@link RuleApi.list} selects. */
export interface RuleFilter {
  /** Only IPv4 or IPv6 rules. Default: both. */
  family?: FamilyArg;
  /** Only rules that look up this table. */
  table?: TableArg;
  /** Only rules of this priority. */
  priority?: number;
}

/** A rule, as `ip -j -d rule show` describes it. */
export interface Rule {
  /** 'inet' or 'inet6'. */
  family: Family;
  /** Priority (0 for the local-table rule). */
  priority: number;
  /** The selector is inverted (`not`). */
  not: boolean;
  /** Source prefix, or 'all'. */
  from: string;
  /** Destination prefix, or 'all'. */
  to: string;
  /** Input interface name. */
  iif: string | undefined;
  /** Output interface name. */
  oif: string | undefined;
  /** Firewall mark. */
  fwmark: number | undefined;
  /** Firewall mark mask. */
  fwmask: number | undefined;
  /** TOS selector. */
  tos: number;
  /** The table looked up ('main', 'local', 'default' or the id); undefined for rules without one. */
  table: TableName | number | undefined;
  /** 'lookup', 'goto', 'nop', 'blackhole', 'unreachable', 'prohibit' or the number. */
  action: RuleAction | number;
  /** Target priority of a goto. */
  goto: number | undefined;
  /** Who added the rule ('kernel', 'boot', ...). */
  protocol: string | number | undefined;
  /** suppress_prefixlength. */
  suppressPrefixlength: number | undefined;
  /** suppress_ifgroup. */
  suppressIfgroup: number | undefined;
  /** IP protocol number. */
  ipproto: number | undefined;
  /** Source port range. */
  sport: [number, number] | undefined;
  /** Destination port range. */
  dport: [number, number] | undefined;
  /** UID range. */
  uidrange: [number, number] | undefined;
  /** `l3mdev`. */
  l3mdev: boolean;
  /** FIB_RULE_* names ('invert', 'unresolved', 'iif_detached', 'oif_detached', ...). */
  flags: string[];
  /** The message as decoded. */
  raw: Message;
}

interface RuleHeader {
  family?: number;
  dst_len?: number;
  src_len?: number;
  tos?: number;
  table?: number;
  action?: number;
  flags?: number;
}
interface RuleAttrs {
  dst?: string;
  src?: string;
  iifname?: string;
  oifname?: string;
  goto?: number;
  priority?: number;
  fwmark?: number;
  fwmask?: number;
  table?: number;
  suppress_prefixlen?: number;
  suppress_ifgroup?: number;
  protocol?: number;
  ip_proto?: number;
  l3mdev?: number;
  sport_range?: { start?: number; end?: number };
  dport_range?: { start?: number; end?: number };
  uid_range?: { start?: number; end?: number };
}

const range = (r: { start?: number; end?: number } | undefined): [number, number] | undefined => (r === undefined ? undefined : [r.start ?? 0, r.end ?? 0]);

/**
 * The typed {@link Rule} of an RTM_NEWRULE message (undefined for families other than
 * IPv4/IPv6); what `ip -j -d rule show` prints for one rule.
 *
 * @example
 * ```ts
 * toRule(m)?.table; // 100   (ip rule add priority 100 from 10.123.0.0/16 table 100)
 * ```
 */
export function toRule(m: Message): Rule | undefined {
  const h = m.header as RuleHeader;
  const a = m.attrs as RuleAttrs;
  const af = h.family ?? 0;
  const family = familyName(af);
  if (typeof family !== 'string') return undefined;
  const table = a.table ?? h.table ?? 0;
  const action = h.action ?? 0;
  return {
    family,
    priority: a.priority ?? 0,
    not: ((h.flags ?? 0) & FIB_RULE_INVERT) !== 0,
    from: a.src === undefined || (h.src_len ?? 0) === 0 ? 'all' : formatPrefix(a.src, h.src_len ?? 0, af),
    to: a.dst === undefined || (h.dst_len ?? 0) === 0 ? 'all' : formatPrefix(a.dst, h.dst_len ?? 0, af),
    iif: a.iifname,
    oif: a.oifname,
    fwmark: a.fwmark,
    fwmask: a.fwmask,
    tos: h.tos ?? 0,
    table: table === 0 ? undefined : tableName(table),
    action: ACTION_NAMES[action] ?? action,
    goto: a.goto,
    protocol: a.protocol === undefined ? undefined : protocolName(a.protocol),
    suppressPrefixlength: a.suppress_prefixlen === undefined || a.suppress_prefixlen === 0xffffffff ? undefined : a.suppress_prefixlen,
    suppressIfgroup: a.suppress_ifgroup === undefined || a.suppress_ifgroup === 0xffffffff ? undefined : a.suppress_ifgroup,
    ipproto: a.ip_proto,
    sport: range(a.sport_range),
    dport: range(a.dport_range),
    uidrange: range(a.uid_range),
    l3mdev: (a.l3mdev ?? 0) !== 0,
    flags: flagNames('fib-rule-flags', h.flags ?? 0),
    raw: m,
  };
}

function portRange(v: unknown, argument: string): { start: number; end: number } {
  if (typeof v === 'number') {
    checkInt(v, argument, 0, 65535);
    return { start: v, end: v };
  }
  if (Array.isArray(v) && v.length === 2) {
    const start = checkInt(v[0], argument, 0, 65535);
    const end = checkInt(v[1], argument, 0, 65535);
    if (end < start) throw new ArgumentError(argument, v, 'the range ends before it starts');
    return { start, end };
  }
  throw new ArgumentError(argument, v, 'expected a port or a [first, last] range');
}

/** Checks a rule and builds its request (iproute2's ip/iprule.c iprule_modify). */
function build(spec: unknown, op: 'add' | 'del'): { header: Record<string, number>; attrs: Record<string, unknown> } {
  const o = checkObject(spec, 'rule');
  checkKeys(o, SPEC_KEYS, 'rule');
  if (op === 'del' && Object.values(o).every((v) => v === undefined)) {
    throw new ArgumentError('rule', spec, 'deleting a rule needs at least one selector (like "ip rule del", which requires arguments)');
  }
  const familyOpt = o['family'] === undefined ? undefined : parseFamily(o['family']);
  const attrs: Record<string, unknown> = {};
  const header: Record<string, number> = { family: familyOpt ?? 0, dst_len: 0, src_len: 0, tos: 0, table: 0, action: op === 'add' ? FR_ACT_TO_TBL : 0, flags: 0 };

  for (const [key, attr, lenKey] of [['from', 'src', 'src_len'], ['to', 'dst', 'dst_len']] as const) {
    const v = o[key];
    if (v === undefined || v === 'all') continue;
    const c = parseCidr(v, key, header['family'] || undefined);
    if (header['family'] === 0) header['family'] = c.family;
    else if (c.family !== header['family']) throw new ArgumentError(key, v, `expected an IPv${header['family'] === AF_INET6 ? 6 : 4} prefix (the family of the rule)`);
    attrs[attr] = c.address;
    header[lenKey] = c.prefixlen;
  }
  if (header['family'] === 0) header['family'] = AF_INET;

  if (o['priority'] !== undefined) attrs['priority'] = checkU32(o['priority'], 'priority');
  if (o['iif'] !== undefined) attrs['iifname'] = checkIfname(o['iif'], 'iif');
  if (o['oif'] !== undefined) attrs['oifname'] = checkIfname(o['oif'], 'oif');
  if (o['fwmark'] !== undefined) attrs['fwmark'] = checkU32(o['fwmark'], 'fwmark');
  if (o['fwmask'] !== undefined) {
    if (o['fwmark'] === undefined) throw new ArgumentError('fwmask', o['fwmask'], 'a mask needs fwmark');
    attrs['fwmask'] = checkU32(o['fwmask'], 'fwmask');
  }
  if (o['tos'] !== undefined) header['tos'] = checkInt(o['tos'], 'tos', 0, 255);
  if (o['not'] !== undefined && checkBool(o['not'], 'not')) header['flags'] = FIB_RULE_INVERT;
  if (o['protocol'] !== undefined) attrs['protocol'] = parseProtocol(o['protocol']);
  if (o['suppressPrefixlength'] !== undefined) attrs['suppress_prefixlen'] = checkInt(o['suppressPrefixlength'], 'suppressPrefixlength', 0, 128);
  if (o['suppressIfgroup'] !== undefined) attrs['suppress_ifgroup'] = checkU32(o['suppressIfgroup'], 'suppressIfgroup');
  if (o['ipproto'] !== undefined) {
    const p = o['ipproto'];
    attrs['ip_proto'] = typeof p === 'string' && Object.hasOwn(IPPROTO, p) ? IPPROTO[p] : checkInt(p, 'ipproto', 0, 255);
  }
  if (o['sport'] !== undefined) attrs['sport_range'] = portRange(o['sport'], 'sport');
  if (o['dport'] !== undefined) attrs['dport_range'] = portRange(o['dport'], 'dport');
  if (o['uidrange'] !== undefined) {
    const u = o['uidrange'];
    if (!Array.isArray(u) || u.length !== 2) throw new ArgumentError('uidrange', u, 'expected a [first, last] range');
    const start = checkU32(u[0], 'uidrange');
    const end = checkU32(u[1], 'uidrange');
    if (end < start) throw new ArgumentError('uidrange', u, 'the range ends before it starts');
    attrs['uid_range'] = { start, end };
  }
  const l3mdev = o['l3mdev'] !== undefined && checkBool(o['l3mdev'], 'l3mdev');
  if (l3mdev) attrs['l3mdev'] = 1;

  if (o['action'] !== undefined) {
    const a = o['action'];
    if (typeof a !== 'string' || !Object.hasOwn(ACTIONS, a)) throw new ArgumentError('action', a, `expected one of ${Object.keys(ACTIONS).join(', ')}`);
    header['action'] = ACTIONS[a as RuleAction];
  }
  if (o['goto'] !== undefined) {
    if (o['action'] !== undefined && o['action'] !== 'goto') throw new ArgumentError('goto', o['goto'], `conflicts with action ${String(o['action'])}`);
    attrs['goto'] = checkU32(o['goto'], 'goto');
    header['action'] = FR_ACT_GOTO;
  } else if (o['action'] === 'goto') {
    throw new ArgumentError('goto', undefined, "action 'goto' needs the target priority in goto");
  }

  if (o['table'] !== undefined) {
    const t = parseTable(o['table']);
    if (t < 256) header['table'] = t;
    else attrs['table'] = t;
    if (l3mdev) throw new ArgumentError('table', o['table'], 'l3mdev looks up the table of the VRF: give no table');
  } else if (op === 'add' && header['action'] === FR_ACT_TO_TBL && !l3mdev) {
    header['table'] = RT_TABLE_MAIN;
  }
  return { header, attrs };
}

/**
 * `ip rule`: add, delete and list policy routing rules.
 *
 * @example
 * ```ts
 * await nl.rule.add({ priority: 300, to: '10.123.5.0/24', iif: 'veth1', oif: 'veth0', table: 'main' });
 * // ip rule add priority 300 to 10.123.5.0/24 iif veth1 oif veth0 lookup main
 * ```
 */
export class RuleApi {
  readonly nl: Netlink;
  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Adds a rule (RTM_NEWRULE, NLM_F_CREATE|NLM_F_EXCL). Rejects with EEXIST when the same rule
   * is there.
   *
   * @example
   * ```ts
   * await nl.rule.add({ priority: 100, from: '10.123.0.0/16', table: 100 }); // ip rule add priority 100 from 10.123.0.0/16 table 100
   * await nl.rule.add({ priority: 500, not: true, from: '10.123.7.0/24', action: 'unreachable' });
   * // ip rule add priority 500 not from 10.123.7.0/24 unreachable
   * await nl.rule.add({ family: 'inet6', priority: 100, from: 'fd00:123::/48', table: 100 });
   * // ip -6 rule add priority 100 from fd00:123::/48 table 100
   * ```
   */
  async add(spec: RuleSpec): Promise<void> {
    const { header, attrs } = build(spec, 'add');
    await this.nl.client.request({ type: 'RTM_NEWRULE', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header, attrs });
  }

  /**
   * Deletes the first rule that matches the fields given (RTM_DELRULE). Rejects with ENOENT
   * when none does.
   *
   * @example
   * ```ts
   * await nl.rule.del({ priority: 100 });                        // ip rule del priority 100
   * await nl.rule.del({ from: '10.123.0.0/16', table: 100 });    // ip rule del from 10.123.0.0/16 table 100
   * ```
   */
  async del(spec: Partial<RuleSpec>): Promise<void> {
    const { header, attrs } = build(spec, 'del');
    await this.nl.client.request({ type: 'RTM_DELRULE', header, attrs });
  }

  /**
   * Lists rules (RTM_GETRULE dumps, one per family). `list('inet')` is `ip rule show`,
   * `list('inet6')` is `ip -6 rule show`; without a family both.
   *
   * @example
   * ```ts
   * await nl.rule.list().collect();                          // ip rule show; ip -6 rule show
   * await nl.rule.list({ family: 'inet', table: 100 }).collect(); // ip rule show table 100
   * ```
   */
  list(filter: FamilyArg | RuleFilter = {}): Listing<Rule> {
    const f: Record<string, unknown> = typeof filter === 'object' && filter !== null ? checkObject(filter, 'filter') : { family: filter };
    checkKeys(f, ['family', 'table', 'priority'], 'filter');
    const family = f['family'] === undefined ? 0 : parseFamily(f['family']);
    const table = f['table'] === undefined ? undefined : tableName(parseTable(f['table']));
    const priority = f['priority'] === undefined ? undefined : checkU32(f['priority'], 'priority');
    return new NamedListing<Rule>(
      this.nl,
      () =>
        dumpFamilies(family).map((fam) =>
          this.nl.client.dump({ type: 'RTM_GETRULE', header: { family: fam, dst_len: 0, src_len: 0, tos: 0, table: 0, action: 0, flags: 0 } }),
        ),
      (m) => {
        if (m.type !== 'RTM_NEWRULE') return undefined;
        const r = toRule(m);
        if (!r) return undefined;
        if (table !== undefined && r.table !== table) return undefined;
        if (priority !== undefined && r.priority !== priority) return undefined;
        return r;
      },
      { names: false },
    );
  }
}

