/**
 * Transactions: nf_tables changes sent as one batch (NFNL_MSG_BATCH_BEGIN … BATCH_END, one
 * datagram, each message with its own sequence number and NLM_F_ACK). The kernel applies all of
 * them or none; when it refuses, {@link NftablesError} says which operation failed and why, in the
 * kernel's words.
 *
 * @example
 * ```ts
 * const tx = nft.transaction()
 *   .addTable({ family: 'ip', name: 'nat' })
 *   .addChain({ family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' })
 *   .addRule({ family: 'ip', table: 'nat', chain: 'post', statements: [{ match: 'ip saddr', value: '10.123.1.0/24' }, { action: 'masquerade' }] });
 * const { rules } = await tx.commit();
 * rules[0].handle; // assigned by the kernel
 * ```
 * @module
 */
import type { NetlinkClient } from '../netlink/client.js';
import { ArgumentError, isNetlinkError, type NetlinkError } from '../netlink/errors.js';
import type { Message, MessageInit } from '../netlink/message.js';
import { compileRule } from './compile.js';
import {
  batchBegin,
  batchEnd,
  delChain,
  delCounter,
  delRule,
  delSet,
  delTable,
  describeRequest,
  elementItems,
  flushRules,
  newAnonymousSet,
  newChain,
  newCounter,
  newRule,
  newSet,
  newTable,
  replaceRule,
  setElements,
  type ChainRef,
  type ChainSpec,
  type CounterSpec,
  type RulePosition,
  type SetRef,
  type SetSpec,
  type TableRef,
  type TableSpec,
} from './messages.js';
import { chainOf, counterOf, ruleOf, setOf, tableOf, type Chain, type CounterObject, type NftSet, type Rule, type SetElement, type Table } from './objects.js';
import type { Family } from './protocol.js';
import type { RawExpr, Statement } from './statements.js';
import { DATATYPES, type DataType, type ElementValue } from './values.js';

/**
 * A rule to add.
 *
 * @example
 * ```ts
 * const r: RuleSpec = { family: 'inet', table: 'filter', chain: 'forward', statements: [{ match: 'ct state', value: ['established', 'related'] }, { action: 'accept' }], comment: 'return traffic' };
 * ```
 */
export interface RuleSpec {
  family: Family;
  table: string;
  chain: string;
  statements: readonly Statement[];
  /** Stored as nft stores comments (shown by `nft list ruleset`). */
  comment?: string;
  /** Where the rule goes. Default: appended at the end of the chain. */
  position?: RulePosition;
}

/**
 * Where a rule is.
 *
 * @example
 * ```ts
 * await nft.deleteRule({ family: 'ip', table: 'nat', chain: 'post', handle: 5 });
 * ```
 */
export interface RuleRef {
  family: Family;
  table: string;
  chain: string;
  handle: number;
}

/**
 * One failed operation of a transaction.
 *
 * @example
 * ```ts
 * const f: TransactionFailure = { index: 1, operation: 'add chain ip nosuch c', request: 'NFT_MSG_NEWCHAIN', error };
 * ```
 */
export interface TransactionFailure {
  /** Position of the operation in the transaction (0-based); -1 for the batch as a whole. */
  index: number;
  /** What the operation was, in nft's words (`add rule ip nat post`). */
  operation: string;
  /** The message type. */
  request: string;
  /** The kernel's error (errno, ext-ack message, attribute path). */
  error: NetlinkError | Error;
}

/**
 * The kernel refused a transaction; nothing of it was applied. `failures` lists every operation
 * the kernel rejected (later ones may fail only because an earlier one did); the fields of the
 * error itself describe the first.
 *
 * @example
 * ```ts
 * try { await tx.commit(); }
 * catch (e) {
 *   if (isNftablesError(e)) console.log(e.operation, e.code, e.kernelMessage); // 'add chain ip nosuch c' 'ENOENT' ...
 * }
 * ```
 */
export class NftablesError extends Error {
  override readonly name = 'NftablesError';
  /** errno name of the first failure ('ENOENT'). */
  readonly code: string;
  /** Positive errno of the first failure. */
  readonly errno: number;
  /** Index of the first failed operation (-1: the batch as a whole). */
  readonly index: number;
  /** The first failed operation, in nft's words. */
  readonly operation: string;
  /** Message type of the first failed operation. */
  readonly request: string;
  /** The kernel's extended-ACK text of the first failure, if any. */
  readonly kernelMessage: string | undefined;
  /** The attribute the kernel blamed, as a path of C names ('NFTA_CHAIN_TABLE'). */
  readonly attributePath: string | undefined;
  /** Every failed operation. */
  readonly failures: readonly TransactionFailure[];

  constructor(failures: readonly TransactionFailure[], total: number) {
    const first = failures[0]!;
    const where = first.index < 0 ? 'the batch' : `operation ${first.index + 1} of ${total} (${first.operation})`;
    let msg = `nf_tables transaction refused, nothing was applied: ${where}: ${first.error.message}`;
    if (failures.length > 1) msg += `; ${failures.length - 1} more operation(s) failed: ${failures.slice(1).map((f) => `${f.operation} (${(f.error as { code?: string }).code ?? f.error.message})`).join(', ')}`;
    super(msg, { cause: first.error });
    const e = first.error as Partial<NetlinkError>;
    this.code = e.code ?? 'EIO';
    this.errno = e.errno ?? 5;
    this.index = first.index;
    this.operation = first.operation;
    this.request = first.request;
    this.kernelMessage = isNetlinkError(first.error) ? first.error.kernelMessage : undefined;
    this.attributePath = isNetlinkError(first.error) ? first.error.attributePath : undefined;
    this.failures = failures;
  }
}

/**
 * Structural guard for {@link NftablesError}.
 *
 * @example
 * ```ts
 * if (isNftablesError(e)) console.log(e.operation);
 * ```
 */
export function isNftablesError(e: unknown): e is NftablesError {
  return e instanceof Error && e.name === 'NftablesError' && Array.isArray((e as NftablesError).failures);
}

/**
 * What a committed transaction created, as the kernel echoed it (with handles).
 *
 * @example
 * ```ts
 * const { rules, chains } = await tx.commit();
 * ```
 */
export interface CommitResult {
  tables: Table[];
  chains: Chain[];
  /** Rules in the order they were added; `statements` are the ones given. */
  rules: Rule[];
  sets: NftSet[];
  counters: CounterObject[];
  /** The generation the transaction produced (from NFT_MSG_NEWGEN), if the kernel reported it. */
  generation: number | undefined;
}

interface Op {
  msg: MessageInit;
  /** For rules: the statements given, echoed back with the handle. */
  statements?: readonly Statement[];
}

/** Flags added to every operation: ACK (to learn which failed) and ECHO (to learn handles). */
const ACK_ECHO = ['NLM_F_ACK', 'NLM_F_ECHO'] as const;

/**
 * A list of changes applied atomically by {@link Transaction.commit}. Every method validates its
 * arguments at once (throwing {@link ArgumentError}) and returns the transaction, for chaining.
 *
 * @example
 * ```ts
 * await nft.transaction().flushChain({ family: 'inet', table: 'filter', name: 'forward' }).addRule(r1).addRule(r2).commit();
 * ```
 */
export class Transaction {
  readonly client: NetlinkClient;
  private readonly ops: Op[] = [];
  private nextSetId = 1;
  private committed = false;

  constructor(client: NetlinkClient) {
    this.client = client;
  }

  /**
   * Number of operations queued (anonymous sets and their elements count as operations).
   *
   * @example
   * ```ts
   * tx.size; // 3 after addTable, addChain, addRule
   * ```
   */
  get size(): number {
    return this.ops.length;
  }

  private push(msg: MessageInit, statements?: readonly Statement[]): this {
    if (this.committed) throw new Error('this transaction was already committed');
    this.ops.push(statements ? { msg, statements } : { msg });
    return this;
  }

  /**
   * Creates a table (no error if it exists).
   *
   * @example
   * ```ts
   * tx.addTable({ family: 'ip', name: 'nat' });
   * ```
   */
  addTable(t: TableSpec): this {
    return this.push(newTable(t));
  }
  /**
   * Deletes a table with everything in it.
   *
   * @example
   * ```ts
   * tx.deleteTable({ family: 'ip', name: 'nat' });
   * ```
   */
  deleteTable(t: TableRef): this {
    return this.push(delTable(t));
  }
  /**
   * Deletes every rule of every chain of a table.
   *
   * @example
   * ```ts
   * tx.flushTable({ family: 'inet', name: 'filter' });
   * ```
   */
  flushTable(t: TableRef): this {
    return this.push(flushRules(t.family, t.name));
  }
  /**
   * Creates a chain (a base chain when it has a hook); no error if it exists.
   *
   * @example
   * ```ts
   * tx.addChain({ family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' });
   * ```
   */
  addChain(c: ChainSpec): this {
    return this.push(newChain(c));
  }
  /**
   * Deletes an empty, unreferenced chain.
   *
   * @example
   * ```ts
   * tx.deleteChain({ family: 'inet', table: 'filter', name: 'old' });
   * ```
   */
  deleteChain(c: ChainRef): this {
    return this.push(delChain(c));
  }
  /**
   * Deletes every rule of a chain.
   *
   * @example
   * ```ts
   * tx.flushChain({ family: 'inet', table: 'filter', name: 'forward' });
   * ```
   */
  flushChain(c: ChainRef): this {
    return this.push(flushRules(c.family, c.table, c.name));
  }

  /**
   * Adds a rule (appended unless `position` says otherwise); lists of values become anonymous sets.
   *
   * @example
   * ```ts
   * tx.addRule({ family: 'inet', table: 'filter', chain: 'forward', statements: [{ match: 'udp dport', value: [53, 5353] }, { action: 'accept' }] });
   * ```
   */
  addRule(r: RuleSpec): this {
    return this.pushRule(r, (exprs) => newRule(r.family, r.table, r.chain, exprs, r.position, r.comment));
  }
  /**
   * Replaces the statements of rule `handle`.
   *
   * @example
   * ```ts
   * tx.replaceRule({ family: 'inet', table: 'filter', chain: 'forward', handle: 7, statements: [{ action: 'drop' }] });
   * ```
   */
  replaceRule(r: RuleSpec & { handle: number }): this {
    return this.pushRule(r, (exprs) => replaceRule(r.family, r.table, r.chain, r.handle, exprs, r.comment));
  }

  /** Queues a rule and its anonymous sets — all of it, or (on a bad argument) none of it. */
  private pushRule(r: RuleSpec, build: (exprs: RawExpr[]) => MessageInit): this {
    const first = this.nextSetId;
    try {
      const compiled = compileRule(r.statements, { family: r.family, setId: () => this.nextSetId++ });
      const msgs: MessageInit[] = [];
      for (const s of compiled.sets) {
        msgs.push(newAnonymousSet(r.family, r.table, s.type, s.id, s.elements.length));
        msgs.push(setElements('NEW', r.family, r.table, '__set%d', elementItems(s.type, undefined, s.elements), s.id));
      }
      const rule = build(compiled.exprs);
      for (const m of msgs) this.push(m);
      return this.push(rule, r.statements);
    } catch (e) {
      this.nextSetId = first;
      throw e;
    }
  }
  /**
   * Deletes a rule by handle.
   *
   * @example
   * ```ts
   * tx.deleteRule({ family: 'inet', table: 'filter', chain: 'forward', handle: 7 });
   * ```
   */
  deleteRule(r: RuleRef): this {
    return this.push(delRule(r.family, r.table, r.chain, r.handle));
  }

  /**
   * Creates a named set or map, with its elements if given.
   *
   * @example
   * ```ts
   * tx.addSet({ family: 'inet', table: 'filter', name: 'web', type: 'inet_service', elements: [80, 443] });
   * ```
   */
  addSet(s: SetSpec): this {
    const id = this.nextSetId;
    const set = newSet(s, id);
    const elements = s.elements && s.elements.length > 0 ? setElements('NEW', s.family, s.table, s.name, elementItems(s.type, s.map, s.elements), id) : undefined;
    this.nextSetId++;
    this.push(set);
    return elements ? this.push(elements) : this;
  }
  /**
   * Deletes a set (it must not be referenced by rules).
   *
   * @example
   * ```ts
   * tx.deleteSet({ family: 'inet', table: 'filter', name: 'web' });
   * ```
   */
  deleteSet(s: SetRef): this {
    return this.push(delSet(s));
  }
  /**
   * Adds elements to a set or map; `type` (and `map`) are the set's, needed to encode them.
   *
   * @example
   * ```ts
   * tx.addElements({ family: 'inet', table: 'filter', name: 'web', type: 'inet_service', elements: [8443] });
   * ```
   */
  addElements(s: SetRef & { type: DataType; map?: DataType | 'verdict'; elements: readonly (ElementValue | SetElement)[] }): this {
    if (!(s.type in DATATYPES)) throw new ArgumentError('set type', s.type, `must be one of ${Object.keys(DATATYPES).join(', ')}`);
    return this.push(setElements('NEW', s.family, s.table, s.name, elementItems(s.type, s.map, s.elements)));
  }
  /**
   * Removes elements (by key) from a set or map.
   *
   * @example
   * ```ts
   * tx.deleteElements({ family: 'inet', table: 'filter', name: 'web', type: 'inet_service', elements: [80] });
   * ```
   */
  deleteElements(s: SetRef & { type: DataType; elements: readonly (ElementValue | SetElement)[] }): this {
    const keys = s.elements.map((e) => (typeof e === 'object' && e !== null ? e.key : e));
    return this.push(setElements('DEL', s.family, s.table, s.name, elementItems(s.type, undefined, keys)));
  }

  /**
   * Creates a named counter.
   *
   * @example
   * ```ts
   * tx.addCounter({ family: 'inet', table: 'filter', name: 'hits' });
   * ```
   */
  addCounter(c: CounterSpec): this {
    return this.push(newCounter(c));
  }
  /**
   * Deletes a named counter (it must not be referenced).
   *
   * @example
   * ```ts
   * tx.deleteCounter({ family: 'inet', table: 'filter', name: 'hits' });
   * ```
   */
  deleteCounter(c: CounterSpec): this {
    return this.push(delCounter(c));
  }

  /**
   * The messages of the batch, as they will be sent (for inspection and tests).
   *
   * @example
   * ```ts
   * tx.messages().map((m) => m.type); // ['NFNL_MSG_BATCH_BEGIN', 'NFT_MSG_NEWTABLE', 'NFNL_MSG_BATCH_END']
   * ```
   */
  messages(): MessageInit[] {
    return [batchBegin(), ...this.ops.map((o) => ({ ...o.msg, flags: [...((o.msg.flags as string[] | undefined) ?? []), ...ACK_ECHO] })), batchEnd()];
  }

  /**
   * Sends the batch and waits for the kernel's answer to every operation. Throws
   * {@link NftablesError} when the kernel refused it (then nothing was applied).
   *
   * @example
   * ```ts
   * const { rules } = await tx.commit();
   * ```
   */
  async commit(): Promise<CommitResult> {
    if (this.committed) throw new Error('this transaction was already committed');
    this.committed = true;
    const result: CommitResult = { tables: [], chains: [], rules: [], sets: [], counters: [], generation: undefined };
    if (this.ops.length === 0) return result;
    const msgs = this.messages();
    const replies = await this.client.requestBatch(msgs);
    const failures: TransactionFailure[] = [];
    const batchErr = replies[0]?.error ?? replies[replies.length - 1]?.error;
    if (batchErr) failures.push({ index: -1, operation: 'batch', request: 'NFNL_MSG_BATCH_BEGIN', error: batchErr });
    for (let i = 0; i < this.ops.length; i++) {
      const r = replies[i + 1];
      if (r?.error) failures.push({ index: i, operation: describeRequest(this.ops[i]!.msg), request: String(this.ops[i]!.msg.type), error: r.error });
    }
    if (failures.length > 0) throw new NftablesError(failures, this.ops.length);
    for (let i = 0; i < this.ops.length; i++) {
      for (const m of replies[i + 1]?.replies ?? []) collect(result, m, this.ops[i]!.statements);
    }
    return result;
  }
}

function collect(result: CommitResult, m: Message, statements: readonly Statement[] | undefined): void {
  switch (m.type) {
    case 'NFT_MSG_NEWTABLE':
      result.tables.push(tableOf(m));
      break;
    case 'NFT_MSG_NEWCHAIN':
      result.chains.push(chainOf(m));
      break;
    case 'NFT_MSG_NEWRULE':
      result.rules.push(ruleOf(m, statements ? [...statements] : []));
      break;
    case 'NFT_MSG_NEWSET':
      result.sets.push(setOf(m));
      break;
    case 'NFT_MSG_NEWOBJ': {
      const c = counterOf(m);
      if (c) result.counters.push(c);
      break;
    }
    case 'NFT_MSG_NEWGEN':
      result.generation = (m.attrs as { id?: number }).id;
      break;
  }
}
