/**
 * `nlkit nft [ -j ] list ruleset [ FAMILY ]` and `list table FAMILY NAME`: the nf_tables ruleset
 * read over NETLINK_NETFILTER (in `-n NETNS` when given) and printed as `nft` prints it, with the
 * nftables module's renderers (`rulesetToJson`, `rulesetToText`).
 *
 * @module
 */
import { type Args, CliExit, HelpRequest, matches } from './args.js';
import type { Session } from './session.js';

const FAMILIES = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** JSON as `nft -j` writes it (jansson's defaults: `", "` and `": "` separators, one line). */
export function nftJsonText(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(nftJsonText).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${JSON.stringify(k)}: ${nftJsonText(x)}`)
    .join(', ')}}`;
}

/** `nlkit nft ...`. */
export async function runNft(a: Args, s: Session): Promise<number> {
  let json = s.opts.json;
  // nft's own options before the command
  while (a.more && a.word.startsWith('-')) {
    const o = a.word;
    if (o === '-j' || o === '--json') json = true;
    else if (o === '-a' || o === '--handle' || o === '-n' || o === '--numeric' || o === '-s' || o === '--stateless') {
      // handles are always in the JSON; text shows none
    } else if (o === '-h' || o === '--help') throw new HelpRequest('nft');
    else throw new CliExit(1, `nft: unknown option "${o}"`);
    a.skip();
  }
  if (!a.more || matches(a.word, 'help')) throw new HelpRequest('nft');
  if (a.word !== 'list') throw new CliExit(1, `Error: nlkit nft supports "list ruleset" and "list table" only, not "${a.rest().join(' ')}"`);
  const what = a.next();
  a.skip();
  let family: string | undefined;
  let table: string | undefined;
  if (what === 'ruleset') {
    if (a.more) family = a.take();
  } else if (what === 'table') {
    if (a.left === 1) {
      family = 'ip';
      table = a.take();
    } else {
      family = a.take();
      table = a.take();
    }
    if (table === undefined) throw new CliExit(1, 'Error: syntax error, unexpected end of file, expecting string');
  } else throw new CliExit(1, `Error: nlkit nft supports "list ruleset" and "list table" only, not "list ${what}"`);
  if (family !== undefined && !FAMILIES.includes(family)) throw new CliExit(1, `Error: unknown family "${family}"`);
  if (a.more) throw new CliExit(1, `Error: syntax error, unexpected "${a.word}"`);

  const [{ openNftables }, { rulesetToJson }, { rulesetToText }, { openNetns }, { ipJsonText }] = await Promise.all([
    import('../nftables/nftables.js'),
    import('../nftables/json.js'),
    import('../nftables/text.js'),
    import('../api/netns-ref.js'),
    import('./json-out.js'),
  ]);
  const ns = s.opts.netns === undefined ? undefined : openNetns(s.opts.netns);
  const nft = openNftables(ns ? { netnsFd: ns.fd } : {});
  try {
    const rs = await nft.listRuleset({ ...(family !== undefined && { family: family as 'ip' }), ...(table !== undefined && { table }) });
    if (table !== undefined && rs.tables.length === 0) throw new CliExit(1, `Error: No such file or directory\nlist table ${family} ${table}`);
    if (json) s.out((s.opts.pretty ? ipJsonText(rulesetToJson(rs), true) : nftJsonText(rulesetToJson(rs))) + '\n');
    else s.out(rulesetToText(rs));
  } finally {
    nft.close();
    ns?.close();
  }
  return 0;
}


