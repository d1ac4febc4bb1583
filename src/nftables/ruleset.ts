/**
 * Reading the whole ruleset as one consistent snapshot: the generation, then the dumps of
 * tables, chains, sets (with their elements), counter objects and rules, then the generation
 * again — repeated when a change slipped in between, as nft does.
 *
 * @example
 * ```ts
 * const rs = await readRuleset(client, { family: 'inet' });
 * rs.rules[0].statements; // typed statements
 * ```
 * @module
 */
import type { NetlinkClient } from '../netlink/client.js';
import type { Message } from '../netlink/message.js';
import { decompileRule, type SetView } from './decompile.js';
import { dumpRequest, getGen } from './messages.js';
import { chainOf, counterOf, messageFamily, ruleOf, setElementsOf, setOf, tableOf, type NftSet, type Rule, type Ruleset, type SetElement } from './objects.js';
import type { Family } from './protocol.js';
import { DATATYPES, valueBytes, type DataType } from './values.js';

/**
 * Options of {@link readRuleset}.
 *
 * @example
 * ```ts
 * await nft.listRuleset({ family: 'ip', table: 'nat' });
 * ```
 */
export interface ReadOptions {
  /** Only this family's tables. Default: every family. */
  family?: Family;
  /** Only this table (with `family`). Default: every table. */
  table?: string;
  /** Snapshots to try before giving up when the ruleset keeps changing. Default: 5. */
  attempts?: number;
}

/**
 * The current ruleset generation (NFT_MSG_GETGEN).
 *
 * @example
 * ```ts
 * const before = await readGeneration(client);
 * ```
 */
export async function readGeneration(client: NetlinkClient): Promise<number> {
  const replies = await client.request(getGen(), { ack: false });
  const gen = replies.find((m) => m.type === 'NFT_MSG_NEWGEN');
  return (gen?.attrs as { id?: number } | undefined)?.id ?? 0;
}

async function dump(client: NetlinkClient, msg: Parameters<NetlinkClient['dump']>[0]): Promise<Message[]> {
  return client.dump(msg, { onInterrupt: 'retry' }).collect();
}

/**
 * Reads the ruleset (see the module comment).
 *
 * @example
 * ```ts
 * const { tables, chains, rules } = await readRuleset(client);
 * ```
 */
export async function readRuleset(client: NetlinkClient, options: ReadOptions = {}): Promise<Ruleset> {
  const attempts = Math.max(1, options.attempts ?? 5);
  let last: Ruleset | undefined;
  for (let i = 0; i < attempts; i++) {
    const gen = await readGeneration(client);
    last = await snapshot(client, gen, options);
    if ((await readGeneration(client)) === gen) return last;
  }
  return last!;
}

/**
 * The order nft lists set elements in: by value, as nft compares them (host-order types from the last byte).
 *
 * @example
 * ```ts
 * sortElements('inet_service', [{ key: 443 }, { key: 80 }]); // [{ key: 80 }, { key: 443 }]
 * ```
 */
export function sortElements(type: NftSet['type'], elements: SetElement[]): SetElement[] {
  if (typeof type !== 'string') return elements;
  const t = type as DataType;
  const host = DATATYPES[t].order === 1;
  const key = (e: SetElement): Uint8Array => {
    try {
      const b = valueBytes(t, e.key);
      return host ? b.slice().reverse() : b;
    } catch {
      return new Uint8Array(0);
    }
  };
  return elements
    .map((e) => ({ e, k: key(e) }))
    .sort((a, b) => {
      for (let i = 0; i < Math.min(a.k.length, b.k.length); i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
      return a.k.length - b.k.length;
    })
    .map((x) => x.e);
}

async function snapshot(client: NetlinkClient, generation: number, o: ReadOptions): Promise<Ruleset> {
  const msgs: Message[] = [];
  msgs.push(...(await dump(client, dumpRequest('TABLE', o.family))));
  msgs.push(...(await dump(client, dumpRequest('CHAIN', o.family))));
  const setMsgs = await dump(client, dumpRequest('SET', o.family));
  msgs.push(...setMsgs);
  for (const m of setMsgs) {
    const s = setOf(m);
    if (o.table !== undefined && s.table !== o.table) continue;
    msgs.push(...(await dump(client, { type: 'NFT_MSG_GETSETELEM', header: { family: familyNumberOf(s.family), version: 0, res_id: 0 }, attrs: { table: s.table, set: s.name } })));
  }
  msgs.push(...(await dump(client, dumpRequest('OBJ', o.family))));
  msgs.push(...(await dump(client, dumpRequest('RULE', o.family))));
  return rulesetFromMessages(msgs, generation, o.table);
}

/**
 * A ruleset of the messages of dumps (or notifications): NEWTABLE, NEWCHAIN, NEWSET,
 * NEWSETELEM, NEWOBJ and NEWRULE, in any order; other messages are ignored. With `table`, only
 * that table's objects.
 *
 * @example
 * ```ts
 * const rs = rulesetFromMessages(decodeDatagram(netfilterProtocol, bytes));
 * ```
 */
export function rulesetFromMessages(msgs: readonly Message[], generation = 0, table?: string): Ruleset {
  const mine = <T extends { table: string }>(x: T) => table === undefined || x.table === table;
  const rs: Ruleset = { generation, tables: [], chains: [], sets: [], counters: [], rules: [] };
  for (const m of msgs) {
    if (m.type === 'NFT_MSG_NEWTABLE') {
      const t = tableOf(m);
      if (table === undefined || t.name === table) rs.tables.push(t);
    } else if (m.type === 'NFT_MSG_NEWCHAIN') {
      const c = chainOf(m);
      if (mine(c)) rs.chains.push(c);
    } else if (m.type === 'NFT_MSG_NEWSET') {
      const s = setOf(m);
      if (mine(s)) rs.sets.push(s);
    } else if (m.type === 'NFT_MSG_NEWOBJ') {
      const c = counterOf(m);
      if (c && mine(c)) rs.counters.push(c);
    }
  }
  for (const m of msgs) {
    if (m.type !== 'NFT_MSG_NEWSETELEM') continue;
    const a = m.attrs as { table?: string; set?: string };
    const s = rs.sets.find((x) => x.family === messageFamily(m) && x.table === a.table && x.name === a.set);
    if (s) s.elements.push(...setElementsOf(m, s));
  }
  for (const s of rs.sets) s.elements = sortElements(s.type, s.elements);
  for (const m of msgs) {
    if (m.type !== 'NFT_MSG_NEWRULE') continue;
    const r = typedRule(m, rs.sets);
    if (mine(r)) rs.rules.push(r);
  }
  return rs;
}

function familyNumberOf(f: Family): number {
  return { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 }[f];
}

/**
 * A rule of a NEWRULE message with its statements decompiled against the sets of its table.
 *
 * @example
 * ```ts
 * const rule = typedRule(message, ruleset.sets);
 * ```
 */
export function typedRule(m: Message, sets: readonly NftSet[]): Rule {
  const r = ruleOf(m, []);
  r.statements = decompileRule(r.expressions, {
    family: r.family,
    set(name): SetView | undefined {
      const s = sets.find((x) => x.family === r.family && x.table === r.table && x.name === name);
      if (!s) return undefined;
      return { anonymous: s.anonymous, type: typeof s.type === 'string' ? s.type : undefined, elements: s.elements.map((e) => e.key) };
    },
  });
  return r;
}
