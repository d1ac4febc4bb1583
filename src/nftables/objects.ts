/**
 * The typed objects of a ruleset — tables, chains, rules, sets and maps, counter objects — and
 * their conversion from the decoded kernel messages (NFT_MSG_NEW*, as dumps and notifications
 * carry them).
 *
 * @example
 * ```ts
 * const t = tableOf(message); // { family: 'ip', name: 'nat', handle: 4, flags: [], use: 4 }
 * ```
 * @module
 */
import type { Message } from '../netlink/message.js';
import { familyName, HOOKS, s32, type Family, type Hook } from './protocol.js';
import type { RawExpr, Statement } from './statements.js';
import { dataTypeOf, hexBytes, valueOf, type DataType, type ElementValue } from './values.js';

/**
 * A table.
 *
 * @example
 * ```ts
 * const t: Table = { family: 'inet', name: 'filter', handle: 1, flags: [], use: 2 };
 * ```
 */
export interface Table {
  family: Family;
  name: string;
  handle: number;
  /** NFT_TABLE_F_* names: dormant, owner, persist. */
  flags: string[];
  /** Number of chains. */
  use: number;
}

/**
 * A chain type of a base chain.
 *
 * @example
 * ```ts
 * const t: ChainType = 'nat';
 * ```
 */
export type ChainType = 'filter' | 'nat' | 'route';

/**
 * The policy of a base chain.
 *
 * @example
 * ```ts
 * const p: Policy = 'drop';
 * ```
 */
export type Policy = 'accept' | 'drop';

/**
 * A chain. Base chains (attached to a hook) have `type`, `hook`, `priority` and `policy`; netdev
 * chains also `device` (or `devices`).
 *
 * @example
 * ```ts
 * const c: Chain = { family: 'ip', table: 'nat', name: 'post', handle: 1, type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept', use: 2 };
 * ```
 */
export interface Chain {
  family: Family;
  table: string;
  name: string;
  handle: number;
  type?: ChainType;
  hook?: Hook;
  /** Hook priority (signed; lower runs first). */
  priority?: number;
  policy?: Policy;
  device?: string;
  devices?: string[];
  /** Number of references (rules that jump here). */
  use: number;
}

/**
 * A rule: its statements (typed) and the expressions they came from.
 *
 * @example
 * ```ts
 * const r: Rule = { family: 'inet', table: 'filter', chain: 'input', handle: 3, statements: [{ action: 'accept' }], expressions: [] };
 * ```
 */
export interface Rule {
  family: Family;
  table: string;
  chain: string;
  handle: number;
  /** Handle of the rule before it (as the kernel reports it). */
  position?: number;
  statements: Statement[];
  /** The expressions as the kernel returned them (raw, decoded). */
  expressions: RawExpr[];
  /** The comment nft stores in the rule's user data. */
  comment?: string;
}

/**
 * A verdict stored in a verdict map.
 *
 * @example
 * ```ts
 * const v: MapVerdict[] = ['accept', { jump: 'containers' }];
 * ```
 */
export type MapVerdict = 'accept' | 'drop' | 'return' | 'continue' | { jump: string } | { goto: string };

/**
 * An element of a set (a key) or a map (a key and its value).
 *
 * @example
 * ```ts
 * const e: SetElement = { key: 22, value: 'accept' };
 * ```
 */
export interface SetElement {
  key: ElementValue;
  value?: ElementValue | MapVerdict;
}

/**
 * A set or a map. `type` is the key's data type and `map` the value's (maps only). Anonymous sets
 * (`{ 22, 80 }` in a rule) are listed too, with `anonymous: true`.
 *
 * @example
 * ```ts
 * const s: NftSet = { family: 'ip', table: 'nat', name: 'webports', handle: 4, type: 'inet_service', flags: [], anonymous: false, elements: [{ key: 80 }, { key: 443 }] };
 * ```
 */
export interface NftSet {
  family: Family;
  table: string;
  name: string;
  handle: number;
  /** Key data type (its nft name), or nft's number when nlkit does not know it. */
  type: DataType | number;
  /** Value type of a map. */
  map?: DataType | 'verdict' | number;
  /** NFT_SET_* names other than anonymous/constant/map: interval, timeout, ... */
  flags: string[];
  anonymous: boolean;
  elements: SetElement[];
}

/**
 * A named counter object.
 *
 * @example
 * ```ts
 * const c: CounterObject = { family: 'ip', table: 'nat', name: 'cnt1', handle: 3, packets: 0, bytes: 0 };
 * ```
 */
export interface CounterObject {
  family: Family;
  table: string;
  name: string;
  handle: number;
  packets: number | bigint;
  bytes: number | bigint;
}

/**
 * Everything of a ruleset, as one consistent snapshot (one generation).
 *
 * @example
 * ```ts
 * const rs = await nft.listRuleset();
 * rs.rules.filter((r) => r.chain === 'forward');
 * ```
 */
export interface Ruleset {
  /** The ruleset generation the snapshot belongs to. */
  generation: number;
  tables: Table[];
  chains: Chain[];
  sets: NftSet[];
  counters: CounterObject[];
  rules: Rule[];
}

type A = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : 0);

function flagNames(bits: number, names: ReadonlyArray<readonly [string, number]>): string[] {
  const out: string[] = [];
  for (const [n, b] of names) if (bits & b) out.push(n);
  return out;
}

const TABLE_FLAGS = [['dormant', 1], ['owner', 2], ['persist', 4]] as const;
const SET_FLAGS = [['interval', 4], ['timeout', 16], ['dynamic', 32], ['concat', 128]] as const;

/**
 * The family of a message's nfgenmsg header.
 *
 * @example
 * ```ts
 * messageFamily(m); // 'inet'
 * ```
 */
export function messageFamily(m: Message): Family {
  return familyName(num((m.header as A).family)) as Family;
}

/**
 * A table of an NFT_MSG_NEWTABLE message.
 *
 * @example
 * ```ts
 * tableOf(m); // { family: 'ip', name: 'nat', handle: 4, flags: [], use: 4 }
 * ```
 */
export function tableOf(m: Message): Table {
  const a = m.attrs as A;
  return { family: messageFamily(m), name: str(a.name), handle: num(a.handle), flags: flagNames(num(a.flags), TABLE_FLAGS), use: num(a.use) };
}

/**
 * The hook name of a hook number in a family.
 *
 * @example
 * ```ts
 * hookName('ip', 4); // 'postrouting'
 * ```
 */
export function hookName(family: Family, n: number): Hook | undefined {
  if (family === 'netdev') return n === 0 ? 'ingress' : n === 1 ? 'egress' : undefined;
  if (family === 'arp') return n === 0 ? 'input' : n === 1 ? 'output' : undefined;
  for (const [k, v] of Object.entries(HOOKS)) if (v === n) return k as Hook;
  return undefined;
}

/**
 * The hook number of a hook name in a family.
 *
 * @example
 * ```ts
 * hookNumber('netdev', 'ingress'); // 0
 * ```
 */
export function hookNumber(family: Family, h: Hook): number | undefined {
  if (family === 'netdev') return h === 'ingress' ? 0 : h === 'egress' ? 1 : undefined;
  if (family === 'arp') return h === 'input' ? 0 : h === 'output' ? 1 : undefined;
  return h === 'egress' ? undefined : HOOKS[h];
}

/**
 * A chain of an NFT_MSG_NEWCHAIN message.
 *
 * @example
 * ```ts
 * chainOf(m); // { family: 'ip', table: 'nat', name: 'post', hook: 'postrouting', priority: 100, ... }
 * ```
 */
export function chainOf(m: Message): Chain {
  const a = m.attrs as A;
  const family = messageFamily(m);
  const c: Chain = { family, table: str(a.table), name: str(a.name), handle: num(a.handle), use: num(a.use) };
  const hook = a.hook as A | undefined;
  if (hook) {
    if (typeof a.type === 'string') c.type = a.type as ChainType;
    const h = hookName(family, num(hook.hooknum));
    if (h !== undefined) c.hook = h;
    c.priority = s32(hook.priority);
    if (a.policy !== undefined) c.policy = num(a.policy) === 1 ? 'accept' : 'drop';
    if (typeof hook.dev === 'string') c.device = hook.dev;
    const devs = (hook.devs as A | undefined)?.name;
    if (Array.isArray(devs)) c.devices = devs as string[];
  }
  return c;
}

/**
 * The raw expressions of an NFT_MSG_NEWRULE message.
 *
 * @example
 * ```ts
 * ruleExpressions(m).map((e) => e.name); // ['payload', 'cmp', 'masq']
 * ```
 */
export function ruleExpressions(m: Message): RawExpr[] {
  const list = ((m.attrs as A).expressions as A | undefined)?.elem;
  return Array.isArray(list) ? (list as RawExpr[]) : [];
}

/**
 * The comment in nft's rule user data (TLV NFTNL_UDATA_RULE_COMMENT = 0: type, length, text + NUL).
 *
 * @example
 * ```ts
 * ruleComment('000477656200'); // 'web'
 * ```
 */
export function ruleComment(userdata: unknown): string | undefined {
  const b = hexBytes(userdata);
  for (let i = 0; i + 2 <= b.length; ) {
    const type = b[i]!;
    const len = b[i + 1]!;
    if (i + 2 + len > b.length) return undefined;
    if (type === 0) {
      let s = '';
      for (let j = i + 2; j < i + 2 + len && b[j] !== 0; j++) s += String.fromCharCode(b[j]!);
      return s;
    }
    i += 2 + len;
  }
  return undefined;
}

/**
 * The typed part of an NFT_MSG_NEWRULE message (statements are filled in by the caller).
 *
 * @example
 * ```ts
 * ruleOf(m, decompileRule(ruleExpressions(m), ctx));
 * ```
 */
export function ruleOf(m: Message, statements: Statement[]): Rule {
  const a = m.attrs as A;
  const r: Rule = { family: messageFamily(m), table: str(a.table), chain: str(a.chain), handle: num(a.handle), statements, expressions: ruleExpressions(m) };
  if (a.position !== undefined) r.position = num(a.position);
  const comment = ruleComment(a.userdata);
  if (comment !== undefined) r.comment = comment;
  return r;
}

/** NFT_DATA_VERDICT as a data type. */
const VERDICT_TYPE = 0xffffff00;

/**
 * A set of an NFT_MSG_NEWSET message (elements come with NEWSETELEM; see {@link setElementsOf}).
 *
 * @example
 * ```ts
 * setOf(m); // { name: 'webports', type: 'inet_service', anonymous: false, elements: [], ... }
 * ```
 */
export function setOf(m: Message): NftSet {
  const a = m.attrs as A;
  const flags = num(a.flags);
  const keyType = num(a.key_type);
  const s: NftSet = {
    family: messageFamily(m),
    table: str(a.table),
    name: str(a.name),
    handle: num(a.handle),
    type: dataTypeOf(keyType) ?? keyType,
    flags: flagNames(flags, SET_FLAGS),
    anonymous: (flags & 1) !== 0,
    elements: [],
  };
  if (flags & 8) {
    const dt = num(a.data_type);
    s.map = dt === VERDICT_TYPE ? 'verdict' : (dataTypeOf(dt) ?? dt);
  }
  return s;
}

function verdictValue(v: A): MapVerdict | undefined {
  const code = s32(v.code);
  if (code === 1) return 'accept';
  if (code === 0) return 'drop';
  if (code === -5) return 'return';
  if (code === -1) return 'continue';
  if ((code === -3 || code === -4) && typeof v.chain === 'string') return code === -3 ? { jump: v.chain } : { goto: v.chain };
  return undefined;
}

/**
 * The elements of an NFT_MSG_NEWSETELEM message, typed by the set's key (and value) type.
 *
 * @example
 * ```ts
 * setElementsOf(m, { type: 'inet_service' }); // [{ key: 80 }, { key: 443 }]
 * ```
 */
export function setElementsOf(m: Message, set: Pick<NftSet, 'type' | 'map'>): SetElement[] {
  const list = (((m.attrs as A).elements as A | undefined)?.elem ?? []) as A[];
  const out: SetElement[] = [];
  for (const el of Array.isArray(list) ? list : []) {
    const kb = hexBytes((el.key as A | undefined)?.value);
    const key: ElementValue = typeof set.type === 'string' ? valueOf(set.type, kb) : (((el.key as A | undefined)?.value as string | undefined) ?? '');
    const e: SetElement = { key };
    const d = el.data as A | undefined;
    if (d?.verdict) {
      const v = verdictValue(d.verdict as A);
      if (v !== undefined) e.value = v;
    } else if (d?.value !== undefined) {
      e.value = typeof set.map === 'string' && set.map !== 'verdict' ? valueOf(set.map, hexBytes(d.value)) : String(d.value);
    }
    out.push(e);
  }
  return out;
}

/**
 * A counter of an NFT_MSG_NEWOBJ message, or undefined for other object types.
 *
 * @example
 * ```ts
 * counterOf(m); // { name: 'hits', packets: 12, bytes: 960, ... }
 * ```
 */
export function counterOf(m: Message): CounterObject | undefined {
  const a = m.attrs as A;
  if (num(a.type) !== 1) return undefined;
  const d = (a.data ?? {}) as A;
  return {
    family: messageFamily(m),
    table: str(a.table),
    name: str(a.name),
    handle: num(a.handle),
    packets: (d.packets as number | bigint | undefined) ?? 0,
    bytes: (d.bytes as number | bigint | undefined) ?? 0,
  };
}
