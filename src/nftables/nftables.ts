/**
 * The nf_tables API: firewall and NAT over NETLINK_NETFILTER, without the nft binary.
 *
 * @example
 * ```ts
 * const nft = openNftables({ netnsFd });            // or new Nftables(clientOverNetfilter)
 * await nft.transaction()
 *   .addTable({ family: 'ip', name: 'nat' })
 *   .addChain({ family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' })
 *   .addRule({ family: 'ip', table: 'nat', chain: 'post', statements: [
 *     { match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' } ] })
 *   .commit();
 * const rs = await nft.listRuleset();
 * nft.close();
 * ```
 * @module
 */
import { NetlinkClient, type ClientOptions } from '../netlink/client.js';
import { NETLINK } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { openNativeTransport } from '../netlink/native-transport.js';
import type { Transport } from '../netlink/transport.js';
import type { ChainRef, ChainSpec, CounterSpec, SetRef, SetSpec, TableRef, TableSpec } from './messages.js';
import { counterOf, type Chain, type CounterObject, type NftSet, type Rule, type Ruleset, type SetElement, type Table } from './objects.js';
import { FAMILIES, netfilterProtocol } from './protocol.js';
import { readGeneration, readRuleset, type ReadOptions } from './ruleset.js';
import { Transaction, type RuleRef, type RuleSpec } from './transaction.js';
import type { DataType, ElementValue } from './values.js';

/**
 * Options of {@link openNftables}.
 *
 * @example
 * ```ts
 * openNftables({ netnsFd: fd, timeout: 5000 });
 * ```
 */
export interface OpenNftablesOptions extends ClientOptions {
  /** An fd of the network namespace whose ruleset to manage (e.g. of `/run/netns/NAME`). Default: the current one. */
  netnsFd?: number;
}

/**
 * Opens a NETLINK_NETFILTER socket (in `netnsFd` when given) and returns the API over it.
 *
 * @example
 * ```ts
 * const nft = openNftables();
 * console.log(await nft.generation());
 * nft.close();
 * ```
 */
export function openNftables(options: OpenNftablesOptions = {}): Nftables {
  const { netnsFd, ...clientOptions } = options;
  const transport: Transport = openNativeTransport({ protocol: NETLINK.NETFILTER, ...(netnsFd !== undefined && { netnsFd }) });
  return new Nftables(new NetlinkClient(transport, netfilterProtocol, clientOptions));
}

/**
 * nf_tables over a {@link NetlinkClient} of NETLINK_NETFILTER (built on `netfilterProtocol`).
 * Every change is a transaction: the single-operation methods below are one-operation
 * transactions; use {@link Nftables.transaction} to apply several atomically.
 *
 * @example
 * ```ts
 * const nft = new Nftables(new NetlinkClient(openNativeTransport({ protocol: 12 }), netfilterProtocol));
 * await nft.addTable({ family: 'inet', name: 'filter' });
 * ```
 */
export class Nftables {
  readonly client: NetlinkClient;

  constructor(client: NetlinkClient) {
    if (client.protocol !== netfilterProtocol && client.protocol.def.family !== 'netfilter') {
      throw new ArgumentError('client', client.protocol.def.family, 'must speak the netfilter protocol (netfilterProtocol)');
    }
    this.client = client;
  }

  /**
   * A new, empty transaction.
   *
   * @example
   * ```ts
   * await nft.transaction().addTable(t).addChain(c).commit();
   * ```
   */
  transaction(): Transaction {
    return new Transaction(this.client);
  }

  /**
   * The ruleset generation: it changes with every committed transaction.
   *
   * @example
   * ```ts
   * const g = await nft.generation();
   * ```
   */
  generation(): Promise<number> {
    return readGeneration(this.client);
  }

  /**
   * The ruleset (or a family's, or one table's) as typed objects, from one consistent snapshot.
   *
   * @example
   * ```ts
   * const { rules } = await nft.listRuleset({ family: 'ip', table: 'nat' });
   * ```
   */
  listRuleset(options: ReadOptions = {}): Promise<Ruleset> {
    return readRuleset(this.client, options);
  }

  /**
   * Creates a table; resolves with it (and its handle) when it was created, undefined when it existed.
   *
   * @example
   * ```ts
   * const t = await nft.addTable({ family: 'ip', name: 'nat' });
   * ```
   */
  async addTable(t: TableSpec): Promise<Table | undefined> {
    return (await this.transaction().addTable(t).commit()).tables[0];
  }

  /**
   * Deletes a table and everything in it.
   *
   * @example
   * ```ts
   * await nft.deleteTable({ family: 'ip', name: 'nat' });
   * ```
   */
  async deleteTable(t: TableRef): Promise<void> {
    await this.transaction().deleteTable(t).commit();
  }

  /**
   * Deletes every rule of a table (chains, sets and objects stay).
   *
   * @example
   * ```ts
   * await nft.flushTable({ family: 'inet', name: 'filter' });
   * ```
   */
  async flushTable(t: TableRef): Promise<void> {
    await this.transaction().flushTable(t).commit();
  }

  /**
   * Creates a chain; resolves with it when it was created, undefined when it existed.
   *
   * @example
   * ```ts
   * await nft.addChain({ family: 'inet', table: 'filter', name: 'forward', hook: 'forward', policy: 'drop' });
   * ```
   */
  async addChain(c: ChainSpec): Promise<Chain | undefined> {
    return (await this.transaction().addChain(c).commit()).chains[0];
  }

  /**
   * Deletes an empty, unreferenced chain.
   *
   * @example
   * ```ts
   * await nft.deleteChain({ family: 'inet', table: 'filter', name: 'old' });
   * ```
   */
  async deleteChain(c: ChainRef): Promise<void> {
    await this.transaction().deleteChain(c).commit();
  }

  /**
   * Deletes every rule of a chain.
   *
   * @example
   * ```ts
   * await nft.flushChain({ family: 'inet', table: 'filter', name: 'forward' });
   * ```
   */
  async flushChain(c: ChainRef): Promise<void> {
    await this.transaction().flushChain(c).commit();
  }

  /**
   * Adds a rule and resolves with it, including the handle the kernel gave it.
   *
   * @example
   * ```ts
   * const r = await nft.addRule({ family: 'inet', table: 'filter', chain: 'forward', statements: [{ match: 'tcp dport', value: [22, 80] }, { action: 'accept' }] });
   * await nft.deleteRule({ ...r });
   * ```
   */
  async addRule(r: RuleSpec): Promise<Rule> {
    const res = await this.transaction().addRule(r).commit();
    const rule = res.rules[res.rules.length - 1];
    if (!rule) throw new Error('the kernel did not echo the new rule');
    return rule;
  }

  /**
   * Replaces the statements of a rule (its handle stays).
   *
   * @example
   * ```ts
   * await nft.replaceRule({ ...ref, statements: [{ action: 'drop' }] });
   * ```
   */
  async replaceRule(r: RuleSpec & { handle: number }): Promise<Rule | undefined> {
    const res = await this.transaction().replaceRule(r).commit();
    return res.rules[res.rules.length - 1];
  }

  /**
   * Deletes a rule by handle.
   *
   * @example
   * ```ts
   * await nft.deleteRule({ family: 'ip', table: 'nat', chain: 'post', handle: 5 });
   * ```
   */
  async deleteRule(r: RuleRef): Promise<void> {
    await this.transaction().deleteRule(r).commit();
  }

  /**
   * Creates a named set or map with its elements.
   *
   * @example
   * ```ts
   * await nft.addSet({ family: 'ip', table: 'nat', name: 'webports', type: 'inet_service', elements: [80, 443] });
   * ```
   */
  async addSet(s: SetSpec): Promise<NftSet | undefined> {
    return (await this.transaction().addSet(s).commit()).sets[0];
  }

  /**
   * Deletes a set.
   *
   * @example
   * ```ts
   * await nft.deleteSet({ family: 'ip', table: 'nat', name: 'webports' });
   * ```
   */
  async deleteSet(s: SetRef): Promise<void> {
    await this.transaction().deleteSet(s).commit();
  }

  /**
   * Adds elements to a set or map.
   *
   * @example
   * ```ts
   * await nft.addElements({ family: 'ip', table: 'nat', name: 'webports', type: 'inet_service', elements: [8443] });
   * ```
   */
  async addElements(s: SetRef & { type: DataType; map?: DataType | 'verdict'; elements: readonly (ElementValue | SetElement)[] }): Promise<void> {
    await this.transaction().addElements(s).commit();
  }

  /**
   * Removes elements from a set or map.
   *
   * @example
   * ```ts
   * await nft.deleteElements({ family: 'ip', table: 'nat', name: 'webports', type: 'inet_service', elements: [80] });
   * ```
   */
  async deleteElements(s: SetRef & { type: DataType; elements: readonly (ElementValue | SetElement)[] }): Promise<void> {
    await this.transaction().deleteElements(s).commit();
  }

  /**
   * Creates a named counter.
   *
   * @example
   * ```ts
   * await nft.addCounter({ family: 'ip', table: 'nat', name: 'web-hits' });
   * ```
   */
  async addCounter(c: CounterSpec): Promise<CounterObject | undefined> {
    return (await this.transaction().addCounter(c).commit()).counters[0];
  }

  /**
   * Deletes a named counter.
   *
   * @example
   * ```ts
   * await nft.deleteCounter({ family: 'ip', table: 'nat', name: 'web-hits' });
   * ```
   */
  async deleteCounter(c: CounterSpec): Promise<void> {
    await this.transaction().deleteCounter(c).commit();
  }

  /**
   * Reads a named counter (with `reset`, reads and zeroes it atomically: NFT_MSG_GETOBJ_RESET).
   *
   * @example
   * ```ts
   * const { packets, bytes } = await nft.getCounter({ family: 'ip', table: 'nat', name: 'web-hits' });
   * ```
   */
  async getCounter(c: CounterSpec, options: { reset?: boolean } = {}): Promise<CounterObject> {
    const family = FAMILIES[c.family];
    if (family === undefined) throw new ArgumentError('family', c.family, `is not one of ${Object.keys(FAMILIES).join(', ')}`);
    const replies = await this.client.request({
      type: options.reset ? 'NFT_MSG_GETOBJ_RESET' : 'NFT_MSG_GETOBJ',
      header: { family, version: 0, res_id: 0 },
      attrs: { table: c.table, name: c.name, type: 1 },
    });
    const m = replies.find((x) => x.type === 'NFT_MSG_NEWOBJ');
    const obj = m ? counterOf(m) : undefined;
    if (!obj) throw new Error(`no counter ${c.name} in table ${c.family} ${c.table}`);
    return obj;
  }

  /**
   * Closes the socket.
   *
   * @example
   * ```ts
   * nft.close();
   * ```
   */
  close(): void {
    this.client.close();
  }
}
