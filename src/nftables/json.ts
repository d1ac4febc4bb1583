/**
 * The ruleset rendered as `nft -j list ruleset` renders it (libnftables' JSON schema, version 1):
 * the same objects, keys and value shapes, in the same order — table, then its counters, named
 * sets and maps, chains, and the rules chain by chain — for everything the nlkit API creates.
 *
 * @example
 * ```ts
 * const json = rulesetToJson(await nft.listRuleset());
 * console.log(JSON.stringify(json)); // {"nftables": [{"metainfo": …}, {"table": …}, …]}
 * ```
 * @module
 */
import type { Chain, CounterObject, MapVerdict, NftSet, Rule, Ruleset, SetElement, Table } from './objects.js';
import type { Family } from './protocol.js';
import type { ActionStatement, MatchStatement, Statement } from './statements.js';
import { parsePrefix } from './values.js';

/**
 * A JSON value.
 *
 * @example
 * ```ts
 * const j: Json = { accept: null };
 * ```
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * Options of {@link rulesetToJson}.
 *
 * @example
 * ```ts
 * rulesetToJson(rs, { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5' } });
 * ```
 */
export interface NftJsonOptions {
  /**
   * The `metainfo` object to put first. Default: `{ json_schema_version: 1 }` (nft also puts its
   * own version and release name there; pass them to imitate it exactly).
   */
  metainfo?: { version?: string; release_name?: string };
}

const n = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v);

/**
 * The ruleset as `nft -j list ruleset` prints it.
 *
 * @example
 * ```ts
 * rulesetToJson(rs).nftables[1]; // { table: { family: 'ip', name: 'nat', handle: 4 } }
 * ```
 */
export function rulesetToJson(rs: Ruleset, options: NftJsonOptions = {}): { nftables: Json[] } {
  const out: Json[] = [{ metainfo: { ...options.metainfo, json_schema_version: 1 } }];
  for (const t of rs.tables) {
    const mine = <T extends { family: Family; table: string }>(x: T) => x.family === t.family && x.table === t.name;
    out.push(tableJson(t));
    for (const c of rs.counters.filter(mine)) out.push(counterJson(c));
    for (const s of rs.sets.filter(mine)) if (!s.anonymous) out.push(setJson(s));
    const chains = rs.chains.filter(mine);
    for (const c of chains) out.push(chainJson(c));
    for (const c of chains) for (const r of rs.rules.filter((r) => mine(r) && r.chain === c.name)) out.push(ruleJson(r));
  }
  return { nftables: out };
}

/**
 * `{"table": …}`.
 *
 * @example
 * ```ts
 * tableJson(rs.tables[0]); // { table: { family: 'ip', name: 'nat', handle: 1 } }
 * ```
 */
export function tableJson(t: Table): Json {
  return { table: { family: t.family, name: t.name, handle: t.handle, ...(t.flags.length > 0 && { flags: t.flags.length === 1 ? t.flags[0]! : t.flags }) } };
}

/**
 * `{"chain": …}`.
 *
 * @example
 * ```ts
 * chainJson(chain); // { chain: { family, table, name, handle, type, hook, prio, policy } }
 * ```
 */
export function chainJson(c: Chain): Json {
  const o: { [k: string]: Json } = { family: c.family, table: c.table, name: c.name, handle: c.handle };
  if (c.hook !== undefined) {
    o.type = c.type ?? 'filter';
    o.hook = c.hook;
    o.prio = c.priority ?? 0;
    if (c.device !== undefined) o.dev = c.device;
    else if (c.devices !== undefined) o.dev = c.devices.length === 1 ? c.devices[0]! : c.devices;
    o.policy = c.policy ?? 'accept';
  }
  return { chain: o };
}

/**
 * `{"counter": …}` of a named counter.
 *
 * @example
 * ```ts
 * counterJson(c); // { counter: { family, name, table, handle, packets, bytes } }
 * ```
 */
export function counterJson(c: CounterObject): Json {
  return { counter: { family: c.family, name: c.name, table: c.table, handle: c.handle, packets: n(c.packets), bytes: n(c.bytes) } };
}

/**
 * A verdict as nft's JSON statement (`{"accept": null}`, `{"jump": {"target": "c"}}`).
 *
 * @example
 * ```ts
 * verdictJson({ jump: 'c' }); // { jump: { target: 'c' } }
 * ```
 */
export function verdictJson(v: MapVerdict): Json {
  if (typeof v === 'string') return { [v]: null };
  return 'jump' in v ? { jump: { target: v.jump } } : { goto: { target: v.goto } };
}

function elemJson(e: SetElement): Json {
  if (e.value === undefined) return e.key;
  const v = e.value;
  return [e.key, typeof v === 'object' || v === 'accept' || v === 'drop' || v === 'return' || v === 'continue' ? verdictJson(v as MapVerdict) : v];
}

/**
 * `{"set": …}` or `{"map": …}`.
 *
 * @example
 * ```ts
 * setJson(set); // { set: { family, name, table, type, handle, elem: [80, 443] } }
 * ```
 */
export function setJson(s: NftSet): Json {
  const o: { [k: string]: Json } = { family: s.family, name: s.name, table: s.table, type: s.type, handle: s.handle };
  if (s.map !== undefined) o.map = s.map;
  if (s.flags.length > 0) o.flags = s.flags;
  if (s.elements.length > 0) o.elem = s.elements.map(elemJson);
  return { [s.map !== undefined ? 'map' : 'set']: o };
}

/**
 * `{"rule": …}`.
 *
 * @example
 * ```ts
 * ruleJson(rule); // { rule: { family, table, chain, handle, expr: [...] } }
 * ```
 */
export function ruleJson(r: Rule): Json {
  return {
    rule: {
      family: r.family,
      table: r.table,
      chain: r.chain,
      handle: r.handle,
      ...(r.comment !== undefined && { comment: r.comment }),
      expr: r.statements.map((s) => statementJson(s, r.family)),
    },
  };
}

function leftJson(field: MatchStatement['match']): Json {
  switch (field) {
    case 'iifname':
    case 'oifname':
    case 'l4proto':
      return { meta: { key: field } };
    case 'meta nfproto':
    case 'meta protocol':
      return { meta: { key: field.slice(5) } };
    case 'ct state':
      return { ct: { key: 'state' } };
    default: {
      const [protocol, f] = field.split(' ') as [string, string];
      return { payload: { protocol, field: f } };
    }
  }
}

function addressJson(v: string): Json {
  if (!v.includes('/')) return v;
  const [addr, len] = v.split('/') as [string, string];
  parsePrefix(v);
  return { prefix: { addr, len: Number(len) } };
}

function rightJson(s: MatchStatement): Json {
  if ('set' in s) return `@${s.set}`;
  const v = s.value as unknown;
  const one = (x: unknown): Json => (s.match.includes('addr') && typeof x === 'string' ? addressJson(x) : (x as Json));
  if (Array.isArray(v)) {
    if (s.match === 'ct state') return v.length === 1 ? (v[0] as Json) : s.op === '==' || s.op === '!=' ? { '|': v as Json[] } : (v as Json[]);
    return { set: v.map(one) };
  }
  return one(v);
}

/**
 * One statement as nft's JSON (`{"match": …}`, `{"accept": null}`, `{"counter": …}`, …).
 *
 * @example
 * ```ts
 * statementJson({ match: 'tcp dport', value: 22 }, 'ip');
 * // { match: { op: '==', left: { payload: { protocol: 'tcp', field: 'dport' } }, right: 22 } }
 * ```
 */
export function statementJson(s: Statement, family: Family): Json {
  if ('match' in s) {
    // Flags (ct state) match as "any of these bits" (in, the default), "none of them" (!), or exactly.
    const op = s.match === 'ct state' ? (s.op ?? 'in') : (s.op ?? '==');
    return { match: { op, left: leftJson(s.match), right: rightJson(s) } };
  }
  if ('action' in s) return actionJson(s, family);
  const e = s.expr;
  if (e.name === 'match' || e.name === 'target') {
    const name = (e.data as { name?: unknown } | undefined)?.name;
    return { xt: { type: e.name, name: typeof name === 'string' ? name : '' } };
  }
  return { expr: { name: e.name, data: (e.data ?? null) as Json } };
}

function defaultRejectType(family: Family): string {
  return family === 'ip' ? 'icmp' : family === 'ip6' ? 'icmpv6' : 'icmpx';
}

function actionJson(s: ActionStatement, family: Family): Json {
  switch (s.action) {
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      return { [s.action]: null };
    case 'jump':
    case 'goto':
      return { [s.action]: { target: s.chain } };
    case 'counter':
      return 'name' in s ? { counter: s.name } : { counter: { packets: n(s.packets ?? 0), bytes: n(s.bytes ?? 0) } };
    case 'masquerade':
      return { masquerade: null };
    case 'snat':
    case 'dnat':
      return {
        [s.action]: {
          ...(family === 'inet' && { family: s.addr.includes(':') ? 'ip6' : 'ip' }),
          addr: s.addr,
          ...(s.port !== undefined && { port: s.port }),
        },
      };
    case 'reject': {
      if (s.with === 'tcp reset') return { reject: { type: 'tcp reset' } };
      const [type, expr] = s.with !== undefined ? (s.with.split(' ') as [string, string]) : [defaultRejectType(family), 'port-unreachable'];
      return { reject: { type, expr } };
    }
    case 'log': {
      const o: { [k: string]: Json } = {};
      if (s.prefix !== undefined) o.prefix = s.prefix;
      if (s.group !== undefined) o.group = s.group;
      if (s.level !== undefined) o.level = s.level;
      return { log: Object.keys(o).length > 0 ? o : null };
    }
  }
}
