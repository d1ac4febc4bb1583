/**
 * Builders of the nf_tables request messages (as {@link MessageInit}s for the codec): one function
 * per operation, each validating its arguments and throwing {@link ArgumentError} before anything
 * is sent.
 *
 * @example
 * ```ts
 * newTable({ family: 'inet', name: 'filter' });
 * // { type: 'NFT_MSG_NEWTABLE', flags: ['NLM_F_CREATE'], header: { family: 1, version: 0, res_id: 0 }, attrs: { name: 'filter' } }
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import type { MessageInit } from '../netlink/message.js';
import { toHex } from '../netlink/bytes.js';
import { FAMILIES, NFNL_SUBSYS_NFTABLES, u32, type Family, type Hook } from './protocol.js';
import { hookNumber, type ChainType, type MapVerdict, type Policy, type SetElement } from './objects.js';
import type { RawExpr } from './statements.js';
import { DATATYPES, setUserdata, valueBytes, type DataType, type ElementValue } from './values.js';

/**
 * Where a table is: its family and name.
 *
 * @example
 * ```ts
 * const t: TableRef = { family: 'inet', name: 'filter' };
 * ```
 */
export interface TableRef {
  family: Family;
  name: string;
}

/**
 * A table to create.
 *
 * @example
 * ```ts
 * const t: TableSpec = { family: 'ip', name: 'nat' };
 * ```
 */
export interface TableSpec extends TableRef {
  /** `dormant`: the table's base chains are not attached to their hooks. Default: none. */
  flags?: readonly ('dormant' | 'owner' | 'persist')[];
}

/**
 * Where a chain is.
 *
 * @example
 * ```ts
 * const c: ChainRef = { family: 'inet', table: 'filter', name: 'forward' };
 * ```
 */
export interface ChainRef {
  family: Family;
  table: string;
  name: string;
}

/**
 * Priority names nft accepts for ip, ip6 and inet chains, and their numbers.
 *
 * @example
 * ```ts
 * PRIORITIES.srcnat; // 100
 * ```
 */
export const PRIORITIES = { raw: -300, mangle: -150, dstnat: -100, filter: 0, security: 50, srcnat: 100 } as const;

/**
 * Priority names of bridge chains.
 *
 * @example
 * ```ts
 * BRIDGE_PRIORITIES.filter; // -200
 * ```
 */
export const BRIDGE_PRIORITIES = { dstnat: -300, filter: -200, out: 100, srcnat: 300 } as const;

/**
 * A chain to create. With `hook` it is a base chain: `type` defaults to `filter`, `priority` to 0
 * (or `filter`), `policy` to `accept`; netdev chains need `device`.
 *
 * @example
 * ```ts
 * const post: ChainSpec = { family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' };
 * const plain: ChainSpec = { family: 'inet', table: 'filter', name: 'containers' };
 * ```
 */
export interface ChainSpec extends ChainRef {
  type?: ChainType;
  hook?: Hook;
  /** A number, or nft's name (`filter`, `srcnat`, `dstnat`, …) optionally with an offset (`'filter - 10'`). */
  priority?: number | string;
  policy?: Policy;
  /** Device of a netdev (or inet ingress) chain. */
  device?: string;
}

/**
 * Where a set is.
 *
 * @example
 * ```ts
 * const s: SetRef = { family: 'ip', table: 'nat', name: 'webports' };
 * ```
 */
export interface SetRef {
  family: Family;
  table: string;
  name: string;
}

/**
 * A named set (or map, with `map`) to create, optionally with its first elements.
 *
 * @example
 * ```ts
 * const ports: SetSpec = { family: 'ip', table: 'nat', name: 'webports', type: 'inet_service', elements: [80, 443] };
 * const vmap: SetSpec = { family: 'inet', table: 'filter', name: 'byport', type: 'inet_service', map: 'verdict', elements: [{ key: 22, value: 'accept' }] };
 * ```
 */
export interface SetSpec extends SetRef {
  type: DataType;
  map?: DataType | 'verdict';
  elements?: readonly (ElementValue | SetElement)[];
}

/**
 * A named counter to create.
 *
 * @example
 * ```ts
 * const c: CounterSpec = { family: 'ip', table: 'nat', name: 'web-hits' };
 * ```
 */
export interface CounterSpec {
  family: Family;
  table: string;
  name: string;
}

const header = (family: Family | 0, resId = 0) => ({ family: family === 0 ? 0 : familyNumber(family), version: 0, res_id: resId });

function familyNumber(f: Family): number {
  const n = (FAMILIES as Record<string, number>)[f];
  if (n === undefined) throw new ArgumentError('family', f, `is not one of ${Object.keys(FAMILIES).join(', ')}`);
  return n;
}

function name(what: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) throw new ArgumentError(what, v, 'must be a name of 1-255 characters');
  return v;
}

function handleOf(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw new ArgumentError(what, v, 'must be a positive integer handle');
  return v;
}

/**
 * NFNL_MSG_BATCH_BEGIN of an nf_tables transaction.
 *
 * @example
 * ```ts
 * client.requestBatch([batchBegin(), { ...newTable(t), flags: ['NLM_F_CREATE', 'NLM_F_ACK'] }, batchEnd()]);
 * ```
 */
export function batchBegin(): MessageInit {
  return { type: 'NFNL_MSG_BATCH_BEGIN', header: header(0, NFNL_SUBSYS_NFTABLES) };
}

/**
 * NFNL_MSG_BATCH_END of an nf_tables transaction.
 *
 * @example
 * ```ts
 * const end = batchEnd(); // res_id 10 (NFNL_SUBSYS_NFTABLES)
 * ```
 */
export function batchEnd(): MessageInit {
  return { type: 'NFNL_MSG_BATCH_END', header: header(0, NFNL_SUBSYS_NFTABLES) };
}

/**
 * NFT_MSG_NEWTABLE.
 *
 * @example
 * ```ts
 * newTable({ family: 'ip', name: 'nat' });
 * ```
 */
export function newTable(t: TableSpec): MessageInit {
  let flags = 0;
  for (const f of t.flags ?? []) {
    const b = ({ dormant: 1, owner: 2, persist: 4 } as Record<string, number>)[f];
    if (b === undefined) throw new ArgumentError('table flag', f, 'must be dormant, owner or persist');
    flags |= b;
  }
  return { type: 'NFT_MSG_NEWTABLE', flags: ['NLM_F_CREATE'], header: header(t.family), attrs: { name: name('table name', t.name), ...(flags && { flags }) } };
}

/**
 * NFT_MSG_DELTABLE (the table and everything in it).
 *
 * @example
 * ```ts
 * delTable({ family: 'ip', name: 'nat' });
 * ```
 */
export function delTable(t: TableRef): MessageInit {
  return { type: 'NFT_MSG_DELTABLE', header: header(t.family), attrs: { name: name('table name', t.name) } };
}

/**
 * The number of a priority: a number, a name, or `name ± n`.
 *
 * @example
 * ```ts
 * priorityNumber('srcnat', 'ip'); // 100
 * priorityNumber('filter - 10', 'inet'); // -10
 * ```
 */
export function priorityNumber(p: number | string, family: Family): number {
  if (typeof p === 'number') {
    if (!Number.isInteger(p) || p < -0x80000000 || p > 0x7fffffff) throw new ArgumentError('priority', p, 'must be a signed 32-bit integer');
    return p;
  }
  const m = /^\s*([a-z]+)\s*(?:([+-])\s*(\d+))?\s*$/.exec(p);
  const names: Record<string, number> = family === 'bridge' ? BRIDGE_PRIORITIES : PRIORITIES;
  const base = m ? names[m[1]!] : undefined;
  if (!m || base === undefined) throw new ArgumentError('priority', p, `must be a number or one of ${Object.keys(names).join(', ')} (optionally ± n)`);
  return base + (m[2] === '-' ? -Number(m[3]) : m[2] === '+' ? Number(m[3]) : 0);
}

/**
 * NFT_MSG_NEWCHAIN.
 *
 * @example
 * ```ts
 * newChain({ family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' });
 * ```
 */
export function newChain(c: ChainSpec): MessageInit {
  const attrs: Record<string, unknown> = { table: name('table name', c.table), name: name('chain name', c.name) };
  if (c.hook !== undefined) {
    const n = hookNumber(c.family, c.hook);
    if (n === undefined) throw new ArgumentError('hook', c.hook, `is not a hook of the ${c.family} family`);
    const type = c.type ?? 'filter';
    if (type !== 'filter' && type !== 'nat' && type !== 'route') throw new ArgumentError('chain type', type, 'must be filter, nat or route');
    attrs.hook = { hooknum: n, priority: u32(priorityNumber(c.priority ?? 0, c.family)), ...(c.device !== undefined && { dev: name('device', c.device) }) };
    attrs.type = type;
    const policy = c.policy ?? 'accept';
    if (policy !== 'accept' && policy !== 'drop') throw new ArgumentError('policy', policy, 'must be accept or drop');
    attrs.policy = policy === 'accept' ? 1 : 0;
  } else if (c.type !== undefined || c.priority !== undefined || c.policy !== undefined || c.device !== undefined) {
    throw new ArgumentError('hook', c.hook, 'type, priority, policy and device need a hook (a base chain)');
  }
  return { type: 'NFT_MSG_NEWCHAIN', flags: ['NLM_F_CREATE'], header: header(c.family), attrs };
}

/**
 * NFT_MSG_DELCHAIN (the chain must be empty and unreferenced).
 *
 * @example
 * ```ts
 * delChain({ family: 'ip', table: 'nat', name: 'post' });
 * ```
 */
export function delChain(c: ChainRef): MessageInit {
  return { type: 'NFT_MSG_DELCHAIN', header: header(c.family), attrs: { table: name('table name', c.table), name: name('chain name', c.name) } };
}

/**
 * NFT_MSG_DELRULE without a handle: flushes a chain, or every chain of a table.
 *
 * @example
 * ```ts
 * flushRules('inet', 'filter', 'forward'); // nft flush chain inet filter forward
 * ```
 */
export function flushRules(family: Family, table: string, chain?: string): MessageInit {
  return { type: 'NFT_MSG_DELRULE', header: header(family), attrs: { table: name('table name', table), ...(chain !== undefined && { chain: name('chain name', chain) }) } };
}

/**
 * Where a new rule goes: appended (default), inserted at the top, or next to a rule.
 *
 * @example
 * ```ts
 * const top: RulePosition = { insert: true };
 * const after5: RulePosition = { handle: 5 };
 * ```
 */
export interface RulePosition {
  /** Insert at the beginning of the chain (or before `handle`) instead of appending (after `handle`). */
  insert?: boolean;
  /** Handle of the rule to append after / insert before. */
  handle?: number;
}

/**
 * The user data nft stores a rule comment in.
 *
 * @example
 * ```ts
 * ruleUserdata('web'); // '000477656200'
 * ```
 */
export function ruleUserdata(comment: string): string {
  const text = new TextEncoder().encode(comment);
  if (text.length === 0 || text.length > 127) throw new ArgumentError('comment', comment, 'must be 1-127 bytes');
  return toHex(new Uint8Array([0, text.length + 1, ...text, 0]));
}

/**
 * NFT_MSG_NEWRULE of compiled expressions.
 *
 * @example
 * ```ts
 * newRule('ip', 'nat', 'post', compileRule([{ action: 'masquerade' }], ctx).exprs);
 * ```
 */
export function newRule(family: Family, table: string, chain: string, exprs: readonly RawExpr[], pos: RulePosition = {}, comment?: string): MessageInit {
  const attrs: Record<string, unknown> = { table: name('table name', table), chain: name('chain name', chain), expressions: { elem: exprs } };
  if (pos.handle !== undefined) attrs.position = handleOf('position', pos.handle);
  if (comment !== undefined) attrs.userdata = ruleUserdata(comment);
  return { type: 'NFT_MSG_NEWRULE', flags: pos.insert ? ['NLM_F_CREATE'] : ['NLM_F_CREATE', 'NLM_F_APPEND'], header: header(family), attrs };
}

/**
 * NFT_MSG_NEWRULE with NLM_F_REPLACE: the rule `handle` gets new expressions.
 *
 * @example
 * ```ts
 * replaceRule('ip', 'nat', 'post', 5, compileRule([{ action: 'accept' }], ctx).exprs);
 * ```
 */
export function replaceRule(family: Family, table: string, chain: string, handle: number, exprs: readonly RawExpr[], comment?: string): MessageInit {
  const attrs: Record<string, unknown> = { table: name('table name', table), chain: name('chain name', chain), handle: handleOf('handle', handle), expressions: { elem: exprs } };
  if (comment !== undefined) attrs.userdata = ruleUserdata(comment);
  return { type: 'NFT_MSG_NEWRULE', flags: ['NLM_F_REPLACE'], header: header(family), attrs };
}

/**
 * NFT_MSG_DELRULE of one rule, by handle.
 *
 * @example
 * ```ts
 * delRule('ip', 'nat', 'post', 5); // nft delete rule ip nat post handle 5
 * ```
 */
export function delRule(family: Family, table: string, chain: string, handle: number): MessageInit {
  return { type: 'NFT_MSG_DELRULE', header: header(family), attrs: { table: name('table name', table), chain: name('chain name', chain), handle: handleOf('handle', handle) } };
}

/** The NFT_DATA_* nest of a map value. */
function mapValue(map: DataType | 'verdict', v: unknown): Record<string, unknown> {
  if (map !== 'verdict') return { value: toHex(valueBytes(map, v as ElementValue)) };
  const codes: Record<string, number> = { accept: 1, drop: 0, return: -5, continue: -1 };
  if (typeof v === 'string' && codes[v] !== undefined) return { verdict: { code: u32(codes[v]!) } };
  const o = v as { jump?: unknown; goto?: unknown } | null;
  if (o && typeof o === 'object' && typeof (o.jump ?? o.goto) === 'string') {
    return { verdict: { code: u32(o.jump !== undefined ? -3 : -4), chain: (o.jump ?? o.goto) as string } };
  }
  throw new ArgumentError('map value', v, "must be 'accept', 'drop', 'return', 'continue', { jump: chain } or { goto: chain }");
}

/**
 * The NFTA_LIST_ELEM items of elements.
 *
 * @example
 * ```ts
 * elementItems('inet_service', 'verdict', [{ key: 22, value: 'accept' }]);
 * ```
 */
export function elementItems(type: DataType, map: DataType | 'verdict' | undefined, elements: readonly (ElementValue | SetElement)[]): Record<string, unknown>[] {
  return elements.map((e) => {
    const el: SetElement = typeof e === 'object' && e !== null ? e : { key: e };
    const item: Record<string, unknown> = { key: { value: toHex(valueBytes(type, el.key)) } };
    if (map !== undefined) {
      if (el.value === undefined) throw new ArgumentError('element', e, 'a map element needs a value');
      item.data = mapValue(map, el.value);
    } else if (el.value !== undefined) throw new ArgumentError('element', e, 'a set element has no value (create a map for that)');
    return item;
  });
}

function dataType(t: unknown, what: string): DataType {
  if (typeof t !== 'string' || !(t in DATATYPES)) throw new ArgumentError(what, t, `must be one of ${Object.keys(DATATYPES).join(', ')}`);
  return t as DataType;
}

/**
 * NFT_MSG_NEWSET of a named set or map.
 *
 * @example
 * ```ts
 * newSet({ family: 'ip', table: 'nat', name: 'webports', type: 'inet_service' }, 1);
 * ```
 */
export function newSet(s: SetSpec, id: number): MessageInit {
  const type = dataType(s.type, 'set type');
  const map = s.map === undefined ? undefined : s.map === 'verdict' ? 'verdict' : dataType(s.map, 'map type');
  const attrs: Record<string, unknown> = {
    table: name('table name', s.table),
    name: name('set name', s.name),
    flags: map !== undefined ? 8 : 0,
    key_type: DATATYPES[type].id,
    key_len: DATATYPES[type].len,
  };
  if (map !== undefined) {
    attrs.data_type = map === 'verdict' ? 0xffffff00 : DATATYPES[map].id;
    attrs.data_len = map === 'verdict' ? 0 : DATATYPES[map].len;
  }
  attrs.id = id;
  attrs.userdata = setUserdata(type, map);
  return { type: 'NFT_MSG_NEWSET', flags: ['NLM_F_CREATE'], header: header(s.family), attrs };
}

/**
 * NFT_MSG_NEWSET of an anonymous constant set (`{ 22, 80 }` in a rule).
 *
 * @example
 * ```ts
 * newAnonymousSet('inet', 'filter', 'inet_service', 1, 2); // name __set%d, flags anonymous|constant
 * ```
 */
export function newAnonymousSet(family: Family, table: string, type: DataType, id: number, size: number): MessageInit {
  return {
    type: 'NFT_MSG_NEWSET',
    flags: ['NLM_F_CREATE'],
    header: header(family),
    attrs: { table, name: '__set%d', flags: 3, key_type: DATATYPES[type].id, key_len: DATATYPES[type].len, id, desc: { size }, userdata: setUserdata(type) },
  };
}

/**
 * NFT_MSG_NEWSETELEM (or DELSETELEM): elements of a set named `set`, or of the set with transaction id `setId`.
 *
 * @example
 * ```ts
 * setElements('NEW', 'ip', 'nat', 'webports', elementItems('inet_service', undefined, [8443]));
 * ```
 */
export function setElements(op: 'NEW' | 'DEL', family: Family, table: string, set: string, items: Record<string, unknown>[], setId?: number): MessageInit {
  return {
    type: op === 'NEW' ? 'NFT_MSG_NEWSETELEM' : 'NFT_MSG_DELSETELEM',
    ...(op === 'NEW' && { flags: ['NLM_F_CREATE'] }),
    header: header(family),
    attrs: { table: name('table name', table), set: name('set name', set), ...(setId !== undefined && { set_id: setId }), elements: { elem: items } },
  };
}

/**
 * NFT_MSG_DELSET.
 *
 * @example
 * ```ts
 * delSet({ family: 'ip', table: 'nat', name: 'webports' });
 * ```
 */
export function delSet(s: SetRef): MessageInit {
  return { type: 'NFT_MSG_DELSET', header: header(s.family), attrs: { table: name('table name', s.table), name: name('set name', s.name) } };
}

/**
 * NFT_MSG_NEWOBJ of a counter.
 *
 * @example
 * ```ts
 * newCounter({ family: 'ip', table: 'nat', name: 'hits' });
 * ```
 */
export function newCounter(c: CounterSpec): MessageInit {
  return { type: 'NFT_MSG_NEWOBJ', flags: ['NLM_F_CREATE'], header: header(c.family), attrs: { table: name('table name', c.table), name: name('counter name', c.name), type: 1, data: {} } };
}

/**
 * NFT_MSG_DELOBJ of a counter.
 *
 * @example
 * ```ts
 * delCounter({ family: 'ip', table: 'nat', name: 'hits' });
 * ```
 */
export function delCounter(c: CounterSpec): MessageInit {
  return { type: 'NFT_MSG_DELOBJ', header: header(c.family), attrs: { table: name('table name', c.table), name: name('counter name', c.name), type: 1 } };
}

/**
 * A dump request of object kind `what` (all families unless `family` is given).
 *
 * @example
 * ```ts
 * client.dump(dumpRequest('RULE', 'inet')).collect();
 * ```
 */
export function dumpRequest(what: 'TABLE' | 'CHAIN' | 'RULE' | 'SET' | 'OBJ' | 'FLOWTABLE', family?: Family, attrs: Record<string, unknown> = {}): MessageInit {
  return { type: `NFT_MSG_GET${what}`, header: header(family ?? 0), attrs };
}

/**
 * NFT_MSG_GETGEN.
 *
 * @example
 * ```ts
 * await client.request(getGen(), { ack: false }); // [NFT_MSG_NEWGEN]
 * ```
 */
export function getGen(): MessageInit {
  return { type: 'NFT_MSG_GETGEN', header: header(0) };
}

/**
 * A short human description of a request, for error messages: `add chain ip nat post`.
 *
 * @example
 * ```ts
 * describeRequest(newChain({ family: 'ip', table: 'nat', name: 'post' })); // 'add chain ip nat post'
 * ```
 */
export function describeRequest(m: MessageInit): string {
  const type = String(m.type).replace(/^NFT_MSG_/, '');
  const verb = type.startsWith('NEW') ? 'add' : type.startsWith('DEL') ? 'delete' : type.toLowerCase();
  let what = type.replace(/^(NEW|DEL|GET)/, '').toLowerCase();
  const a = (m.attrs ?? {}) as Record<string, unknown>;
  const fam = Object.entries(FAMILIES).find(([, v]) => v === (m.header as { family?: number } | undefined)?.family)?.[0] ?? '';
  const parts: string[] = [];
  if (what === 'table') parts.push(String(a.name));
  else if (what === 'chain' || what === 'set' || what === 'obj') parts.push(String(a.table), String(a.name));
  else if (what === 'rule') {
    if (verb === 'delete' && a.handle === undefined) return `flush ${a.chain !== undefined ? `chain ${fam} ${a.table} ${a.chain}` : `table ${fam} ${a.table}`}`;
    parts.push(String(a.table), String(a.chain));
    if (a.handle !== undefined) parts.push(`handle ${a.handle}`);
  } else if (what === 'setelem') {
    what = 'element';
    parts.push(String(a.table), String(a.set));
  }
  if (what === 'obj') what = 'counter';
  return [verb, what, fam, ...parts].filter((x) => x !== '').join(' ');
}

/**
 * The verdict of a map value, for rendering.
 *
 * @example
 * ```ts
 * isVerdict({ jump: 'c' }); // true
 * ```
 */
export function isVerdict(v: unknown): v is MapVerdict {
  return v === 'accept' || v === 'drop' || v === 'return' || v === 'continue' || (typeof v === 'object' && v !== null && ('jump' in v || 'goto' in v));
}
