/**
 * nlkit/nftables — firewall and NAT over nf_tables netlink (NETLINK_NETFILTER), without the nft
 * binary: transactions, tables, chains, typed rules, sets and maps, counters, the ruleset as typed
 * objects, nft-compatible JSON and text, and change events.
 *
 * @example
 * ```ts
 * import { openNftables, rulesetToJson } from 'nlkit/nftables';
 * const nft = openNftables();
 * await nft.transaction()
 *   .addTable({ family: 'ip', name: 'nat' })
 *   .addChain({ family: 'ip', table: 'nat', name: 'pre', type: 'nat', hook: 'prerouting', priority: 'dstnat' })
 *   .addRule({ family: 'ip', table: 'nat', chain: 'pre', statements: [{ match: 'tcp dport', value: 8080 }, { action: 'dnat', addr: '10.123.1.2', port: 80 }] })
 *   .commit();
 * console.log(JSON.stringify(rulesetToJson(await nft.listRuleset())));
 * nft.close();
 * ```
 * @module
 */
export * from './protocol.js';
export * from './values.js';
export * from './statements.js';
export * from './expr.js';
export * from './compile.js';
export * from './decompile.js';
export * from './objects.js';
export * from './messages.js';
export * from './transaction.js';
export * from './ruleset.js';
export * from './nftables.js';
export * from './json.js';
export * from './text.js';
export * from './monitor.js';
export type * from './gen/index.js';
export { netfilterProtocolDef } from './gen/index.js';
