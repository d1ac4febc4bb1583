/**
 * The ruleset as text close to `nft list ruleset`: tables with their counters, sets, maps and
 * chains, one rule per line in nft's syntax.
 *
 * @example
 * ```ts
 * console.log(rulesetToText(await nft.listRuleset()));
 * // table ip nat {
 * //         chain post {
 * //                 type nat hook postrouting priority srcnat; policy accept;
 * //                 ip saddr 10.123.1.0/24 oifname "veth-out" masquerade
 * // …
 * ```
 * @module
 */
import type { Chain, CounterObject, MapVerdict, NftSet, Rule, Ruleset, SetElement } from './objects.js';
import type { Family, Hook } from './protocol.js';
import type { ActionStatement, MatchStatement, Statement } from './statements.js';
import { BRIDGE_PRIORITIES, PRIORITIES } from './messages.js';

const n = (v: number | bigint | undefined): string => String(v ?? 0);

/**
 * The ruleset as nft-style text.
 *
 * @example
 * ```ts
 * rulesetToText(rs).startsWith('table ');
 * ```
 */
export function rulesetToText(rs: Ruleset): string {
  let out = '';
  for (const t of rs.tables) {
    const mine = <T extends { family: Family; table: string }>(x: T) => x.family === t.family && x.table === t.name;
    const blocks: string[] = [];
    for (const c of rs.counters.filter(mine)) blocks.push(counterText(c));
    for (const s of rs.sets.filter(mine)) if (!s.anonymous) blocks.push(setText(s));
    for (const c of rs.chains.filter(mine)) blocks.push(chainText(c, rs.rules.filter((r) => mine(r) && r.chain === c.name)));
    out += `table ${t.family} ${t.name} {${t.flags.length ? `\n\tflags ${t.flags.join(',')}\n` : ''}\n${blocks.join('\n')}}\n`;
  }
  return out;
}

function counterText(c: CounterObject): string {
  return `\tcounter ${c.name} {\n\t\tpackets ${n(c.packets)} bytes ${n(c.bytes)}\n\t}\n`;
}

function quoteIf(type: unknown, v: unknown): string {
  if (type === 'ifname') return `"${String(v)}"`;
  if (type === 'mark' && typeof v === 'number') return `0x${v.toString(16).padStart(8, '0')}`;
  return String(v);
}

function verdictText(v: MapVerdict): string {
  if (typeof v === 'string') return v;
  return 'jump' in v ? `jump ${v.jump}` : `goto ${v.goto}`;
}

/**
 * One set or map element in nft's syntax (`22 : accept`, `"br0"`).
 *
 * @example
 * ```ts
 * elementText({ type: 'inet_service', map: 'verdict' }, { key: 22, value: 'accept' }); // '22 : accept'
 * ```
 */
export function elementText(s: Pick<NftSet, 'type' | 'map'>, e: SetElement): string {
  const k = quoteIf(s.type, e.key);
  if (e.value === undefined) return k;
  const v = e.value;
  return `${k} : ${s.map === 'verdict' ? verdictText(v as MapVerdict) : quoteIf(s.map, v)}`;
}

function setText(s: NftSet): string {
  let t = `\t${s.map !== undefined ? 'map' : 'set'} ${s.name} {\n\t\ttype ${s.type}${s.map !== undefined ? ` : ${s.map}` : ''}\n`;
  if (s.flags.length > 0) t += `\t\tflags ${s.flags.join(',')}\n`;
  if (s.elements.length > 0) t += `\t\telements = { ${s.elements.map((e) => elementText(s, e)).join(', ')} }\n`;
  return `${t}\t}\n`;
}

/**
 * A priority as nft prints it: a standard name (`filter`, `srcnat`, …), a name with an offset
 * (`filter - 10`), or the number.
 *
 * @example
 * ```ts
 * priorityText(-10, 'ip', 'input'); // 'filter - 10'
 * ```
 */
export function priorityText(p: number, family: Family, hook: Hook | undefined): string {
  const names: Record<string, number> = family === 'bridge' ? BRIDGE_PRIORITIES : PRIORITIES;
  const valid = (name: string) => {
    if (family === 'bridge') return true;
    if (name === 'dstnat') return hook === 'prerouting' || hook === 'output';
    if (name === 'srcnat') return hook === 'postrouting' || hook === 'input';
    return family === 'ip' || family === 'ip6' || family === 'inet' || name === 'filter';
  };
  let best: [string, number] | undefined;
  for (const [name, v] of Object.entries(names)) {
    if (!valid(name)) continue;
    if (best === undefined || Math.abs(p - v) < Math.abs(p - best[1])) best = [name, v];
  }
  if (!best || Math.abs(p - best[1]) > 10) return String(p);
  const d = p - best[1];
  return d === 0 ? best[0] : `${best[0]} ${d < 0 ? '-' : '+'} ${Math.abs(d)}`;
}

function chainText(c: Chain, rules: readonly Rule[]): string {
  let t = `\tchain ${c.name} {\n`;
  if (c.hook !== undefined) {
    const dev = c.device !== undefined ? ` device "${c.device}"` : '';
    t += `\t\ttype ${c.type ?? 'filter'} hook ${c.hook}${dev} priority ${priorityText(c.priority ?? 0, c.family, c.hook)}; policy ${c.policy ?? 'accept'};\n`;
  }
  for (const r of rules) t += `\t\t${ruleText(r)}\n`;
  return `${t}\t}\n`;
}

/**
 * One rule in nft's syntax (without table and chain).
 *
 * @example
 * ```ts
 * ruleText(rule); // 'tcp dport { 22, 80 } counter packets 0 bytes 0 accept'
 * ```
 */
export function ruleText(r: Pick<Rule, 'statements' | 'family' | 'comment'>): string {
  const words = r.statements.map((s) => statementText(s, r.family));
  if (r.comment !== undefined) words.push(`comment "${r.comment}"`);
  return words.join(' ');
}

function valueText(s: MatchStatement, v: unknown): string {
  if (s.match === 'iifname' || s.match === 'oifname') return `"${String(v)}"`;
  return String(v);
}

/**
 * One statement in nft's syntax.
 *
 * @example
 * ```ts
 * statementText({ match: 'tcp dport', value: [22, 80] }, 'inet'); // 'tcp dport { 22, 80 }'
 * ```
 */
export function statementText(s: Statement, family: Family): string {
  if ('match' in s) {
    const left = s.match === 'l4proto' ? 'meta l4proto' : s.match;
    const op = s.op === '!=' ? '!= ' : '';
    if ('set' in s) return `${left} ${op}@${s.set}`;
    const v = s.value as unknown;
    if (s.match === 'ct state') {
      const list = Array.isArray(v) ? v : [v];
      if (s.op === '==' || s.op === '!=') return `${left} ${s.op === '!=' || list.length === 1 ? `${s.op} ` : ''}${list.join(' | ')}`;
      return `${left} ${s.op === '!' ? '! ' : ''}${list.join(',')}`;
    }
    if (Array.isArray(v)) return `${left} ${op}{ ${v.map((x) => valueText(s, x)).join(', ')} }`;
    return `${left} ${op}${valueText(s, v)}`;
  }
  if ('action' in s) return actionText(s, family);
  return `# expr ${s.expr.name}`;
}

function actionText(s: ActionStatement, family: Family): string {
  switch (s.action) {
    case 'jump':
    case 'goto':
      return `${s.action} ${s.chain}`;
    case 'counter':
      return 'name' in s ? `counter name "${s.name}"` : `counter packets ${n(s.packets)} bytes ${n(s.bytes)}`;
    case 'snat':
    case 'dnat': {
      const fam = family === 'inet' ? (s.addr.includes(':') ? ' ip6' : ' ip') : '';
      const addr = s.port !== undefined && s.addr.includes(':') ? `[${s.addr}]` : s.addr;
      return `${s.action}${fam} to ${addr}${s.port !== undefined ? `:${s.port}` : ''}`;
    }
    case 'reject':
      return s.with !== undefined ? `reject with ${s.with}` : 'reject';
    case 'log': {
      let t = 'log';
      if (s.prefix !== undefined) t += ` prefix "${s.prefix}"`;
      if (s.group !== undefined) t += ` group ${s.group}`;
      if (s.level !== undefined) t += ` level ${s.level}`;
      return t;
    }
    default:
      return s.action;
  }
}
