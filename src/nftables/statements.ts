/**
 * The typed rule vocabulary: what a rule matches and what it does, as plain JSON-friendly objects.
 * A rule is a list of {@link Statement}s, evaluated in order like the words of an `nft` rule:
 * matches (`{ match: 'ip saddr', value: '10.123.1.0/24' }`) and actions (`{ action: 'accept' }`).
 * The same objects come back when the ruleset is listed; what nlkit does not recognise comes back
 * as the raw expression (`{ expr: { name, data } }`), and can be sent again as it is.
 *
 * @example
 * ```ts
 * const masquerade: Statement[] = [
 *   { match: 'ip saddr', value: '10.123.1.0/24' },
 *   { match: 'oifname', value: 'veth-out' },
 *   { action: 'masquerade' },
 * ];
 * const web: Statement[] = [{ match: 'tcp dport', value: [80, 443] }, { action: 'counter' }, { action: 'accept' }];
 * const forward: Statement[] = [{ match: 'iifname', value: 'veth-out' }, { match: 'tcp dport', value: 8080 }, { action: 'dnat', addr: '10.123.1.2', port: 80 }];
 * ```
 * @module
 */
import type { CtState, L4Proto, LogLevel } from './values.js';

/**
 * How a match compares: equal (the default) or not equal.
 *
 * @example
 * ```ts
 * const m: MatchStatement = { match: 'oifname', op: '!=', value: 'lo' };
 * ```
 */
export type CmpOp = '==' | '!=';

/**
 * How a flags field (`ct state`) compares: `in` (the default) — any of the flags is set; `!` —
 * none of them is; `==` / `!=` — the whole value is (not) exactly these flags (what nft 1.0
 * makes of `ct state == …` / `ct state != …`).
 *
 * @example
 * ```ts
 * const m: MatchStatement = { match: 'ct state', op: '!', value: 'invalid' };
 * ```
 */
export type FlagOp = 'in' | '!' | '==' | '!=';

/**
 * Fields that hold an IPv4 or IPv6 address.
 *
 * @example
 * ```ts
 * const f: AddressField = 'ip6 daddr';
 * ```
 */
export type AddressField = 'ip saddr' | 'ip daddr' | 'ip6 saddr' | 'ip6 daddr';

/**
 * Fields that hold a port (`th` is any transport header, without a protocol check).
 *
 * @example
 * ```ts
 * const f: PortField = 'udp dport';
 * ```
 */
export type PortField = 'tcp sport' | 'tcp dport' | 'udp sport' | 'udp dport' | 'th sport' | 'th dport';

/**
 * Fields that hold an interface name (`meta iifname`, `meta oifname`).
 *
 * @example
 * ```ts
 * const f: IfnameField = 'iifname';
 * ```
 */
export type IfnameField = 'iifname' | 'oifname';

/**
 * Fields that hold a layer 4 protocol: `meta l4proto` (any family) or the IPv4 header's protocol.
 *
 * @example
 * ```ts
 * const m: MatchStatement = { match: 'l4proto', value: ['tcp', 'udp'] };
 * ```
 */
export type ProtoField = 'l4proto' | 'ip protocol';

/**
 * Every field a match can test.
 *
 * @example
 * ```ts
 * const f: MatchField = 'ct state';
 * ```
 */
export type MatchField = AddressField | PortField | IfnameField | ProtoField | 'ct state' | 'meta nfproto' | 'meta protocol';

/**
 * A match: the rule goes on only if the packet's field compares as asked.
 *
 * - `value` as a list matches any of its members (an anonymous set);
 * - `set` names a set of the table (`@name` in nft);
 * - an interface name ending in `*` matches every name with that prefix;
 * - an address may be a prefix (`10.123.0.0/16`).
 *
 * @example
 * ```ts
 * const m: MatchStatement[] = [
 *   { match: 'iifname', value: 'br0' },
 *   { match: 'ip saddr', op: '!=', value: '10.123.0.0/16' },
 *   { match: 'udp dport', value: [53, 5353] },
 *   { match: 'tcp dport', set: 'webports' },
 *   { match: 'ct state', value: ['established', 'related'] },
 *   { match: 'ct state', op: '!', value: 'invalid' },
 * ];
 * ```
 */
export type MatchStatement =
  | { match: IfnameField; op?: CmpOp; value: string | readonly string[] }
  | { match: AddressField; op?: CmpOp; value: string | readonly string[] }
  | { match: ProtoField; op?: CmpOp; value: L4Proto | readonly L4Proto[] }
  | { match: PortField; op?: CmpOp; value: number | readonly number[] }
  | { match: IfnameField | AddressField | ProtoField | PortField; op?: CmpOp; set: string }
  | { match: 'ct state'; op?: FlagOp; value: CtState | readonly CtState[] }
  | { match: 'meta nfproto'; op?: CmpOp; value: 'ipv4' | 'ipv6' }
  | { match: 'meta protocol'; op?: CmpOp; value: 'ip' | 'ip6' };

/**
 * What `reject` answers: `tcp reset`, or an ICMP error as nft names it (`icmp port-unreachable`,
 * `icmpv6 admin-prohibited`, `icmpx host-unreachable`). The default is the family's
 * port-unreachable (icmpx in inet tables).
 *
 * @example
 * ```ts
 * const a: ActionStatement = { action: 'reject', with: 'icmpx admin-prohibited' };
 * ```
 */
export type RejectWith = 'tcp reset' | `icmp ${string}` | `icmpv6 ${string}` | `icmpx ${string}`;

/**
 * An action (a statement that does something).
 *
 * - verdicts: `accept`, `drop`, `return`, `continue`, `jump`/`goto` a chain of the same table;
 * - `counter`: an anonymous counter (its values come back in listings), or a named counter object;
 * - `masquerade`, `snat`, `dnat`: address translation (in nat chains); `port` sets the port too;
 * - `reject`, `log`.
 *
 * @example
 * ```ts
 * const a: ActionStatement[] = [
 *   { action: 'counter' },
 *   { action: 'counter', name: 'web-hits' },
 *   { action: 'snat', addr: '10.123.9.1' },
 *   { action: 'dnat', addr: '10.123.1.2', port: 80 },
 *   { action: 'jump', chain: 'containers' },
 *   { action: 'reject', with: 'tcp reset' },
 * ];
 * ```
 */
export type ActionStatement =
  | { action: 'accept' | 'drop' | 'return' | 'continue' }
  | { action: 'jump' | 'goto'; chain: string }
  | { action: 'reject'; with?: RejectWith }
  | { action: 'counter'; packets?: number | bigint; bytes?: number | bigint }
  | { action: 'counter'; name: string }
  | { action: 'masquerade' }
  | { action: 'snat' | 'dnat'; addr: string; port?: number }
  | { action: 'log'; prefix?: string; level?: LogLevel; group?: number };

/**
 * One nf_tables expression as the codec decodes it: its name and its attributes (see the
 * `Expr*Attrs` types of the generated code). Unknown expressions carry their data as hex.
 *
 * @example
 * ```ts
 * const e: RawExpr = { name: 'meta', data: { key: 16, dreg: 1 } };
 * ```
 */
export interface RawExpr {
  name: string;
  data?: unknown;
}

/**
 * An expression nlkit did not turn into a match or an action, kept as it is.
 *
 * @example
 * ```ts
 * const s: RawStatement = { expr: { name: 'notrack' } };
 * ```
 */
export interface RawStatement {
  expr: RawExpr;
}

/**
 * One word of a rule.
 *
 * @example
 * ```ts
 * const rule: Statement[] = [{ match: 'ct state', value: ['established', 'related'] }, { action: 'accept' }];
 * ```
 */
export type Statement = MatchStatement | ActionStatement | RawStatement;

/**
 * Whether a statement is a match.
 *
 * @example
 * ```ts
 * rule.statements.filter(isMatch);
 * ```
 */
export function isMatch(s: Statement): s is MatchStatement {
  return 'match' in s;
}

/**
 * Whether a statement is an action.
 *
 * @example
 * ```ts
 * rule.statements.filter(isAction).map((a) => a.action);
 * ```
 */
export function isAction(s: Statement): s is ActionStatement {
  return 'action' in s;
}
