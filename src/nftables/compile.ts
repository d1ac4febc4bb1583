/**
 * Compiles typed statements into nf_tables expressions, laid out as nft lays them out (so that
 * `nft list ruleset` shows the rule as it was written): protocol dependencies (`meta nfproto` in
 * inet tables, `meta l4proto` before ports), byte-aligned prefixes loaded short, interface names
 * padded to 16 bytes, lists of values as anonymous sets created in the same transaction.
 *
 * @example
 * ```ts
 * const { exprs, sets } = compileRule([{ match: 'tcp dport', value: [22, 80] }, { action: 'accept' }], { family: 'inet', setId: () => 1 });
 * // sets[0]: the anonymous set {22, 80}; exprs: meta l4proto, cmp, payload, lookup, immediate
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import { encodeUtf8 } from '../netlink/bytes.js';
import { bitwise, cmp, counter, counterRef, ct, immediate, lookup, meta, payload, verdict } from './expr.js';
import type { Family } from './protocol.js';
import { VERDICT } from './protocol.js';
import type { ActionStatement, AddressField, MatchStatement, PortField, RawExpr, Statement } from './statements.js';
import {
  type AddrFamily,
  ctStateBits,
  type CtState,
  type DataType,
  type ElementValue,
  ifnameBytes,
  l4protoNumber,
  type L4Proto,
  LOG_LEVELS,
  parsePrefix,
  portBytes,
  prefixMask,
  REJECT_CODES,
  u32le,
  valueBytes,
} from './values.js';

/** The protocols a rule has checked so far. */
interface DepState {
  /** NFPROTO_* (inet) or ethertype (bridge, netdev) checked by a `meta nfproto`/`meta protocol` match. */
  l3: AddrFamily | undefined;
  /** IP protocol checked by an `l4proto ==` match. */
  l4: number | undefined;
}

/**
 * An anonymous set a rule needs, created in the same transaction before the rule.
 *
 * @example
 * ```ts
 * const s: AnonymousSet = { id: 1, type: 'inet_service', elements: [22, 80] };
 * ```
 */
export interface AnonymousSet {
  /** Transaction id (NFTA_SET_ID), referenced by the rule's lookup. */
  id: number;
  type: DataType;
  elements: ElementValue[];
}

/**
 * What the compiler needs to know.
 *
 * @example
 * ```ts
 * let id = 1;
 * const ctx: CompileContext = { family: 'inet', setId: () => id++ };
 * ```
 */
export interface CompileContext {
  /** The table's family: decides protocol dependencies and the default reject. */
  family: Family;
  /** Hands out transaction ids for anonymous sets. */
  setId: () => number;
}

/**
 * The expressions of a rule and the anonymous sets they look up.
 *
 * @example
 * ```ts
 * const { exprs, sets }: CompiledRule = compileRule([{ action: 'accept' }], ctx);
 * ```
 */
export interface CompiledRule {
  exprs: RawExpr[];
  sets: AnonymousSet[];
}

/**
 * Name of an anonymous set in requests; the kernel replaces %d.
 *
 * @example
 * ```ts
 * lookup(ANON_SET_NAME, 1, false); // the rule's lookup of the set created in the same batch
 * ```
 */
export const ANON_SET_NAME = '__set%d';

const ADDR: Record<AddressField, { family: AddrFamily; offset: number }> = {
  'ip saddr': { family: 'ip', offset: 12 },
  'ip daddr': { family: 'ip', offset: 16 },
  'ip6 saddr': { family: 'ip6', offset: 8 },
  'ip6 daddr': { family: 'ip6', offset: 24 },
};

/**
 * Compiles a rule.
 *
 * @example
 * ```ts
 * compileRule([{ action: 'masquerade' }], { family: 'ip', setId: () => 1 }).exprs; // [{ name: 'masq', data: {} }]
 * ```
 */
export function compileRule(statements: readonly Statement[], ctx: CompileContext): CompiledRule {
  const out: CompiledRule = { exprs: [], sets: [] };
  // Protocols already checked by this rule: a dependency is not repeated (as nft does not).
  const state: DepState = { l3: undefined, l4: undefined };
  statements.forEach((s, i) => {
    const where = `statement ${i}`;
    if ('expr' in s) {
      out.exprs.push(s.expr);
      state.l3 = state.l4 = undefined;
    } else if ('match' in s) {
      compileMatch(s, ctx, out, state, where);
    } else if ('action' in s) {
      compileAction(s, ctx, out, where);
    } else {
      throw new ArgumentError(where, s, 'is neither a match, an action nor an expression');
    }
  });
  return out;
}

function anonSet(ctx: CompileContext, out: CompiledRule, type: DataType, values: readonly ElementValue[], where: string): number {
  if (values.length === 0) throw new ArgumentError(where, values, 'an empty list matches nothing');
  const elements = [...new Set(values)];
  for (const v of elements) valueBytes(type, v); // validate now, with a clear error
  const id = ctx.setId();
  out.sets.push({ id, type, elements });
  return id;
}

/** Emits `value` (or a set lookup) against register 1. */
function compare(s: { op?: '==' | '!='; value?: unknown; set?: string }, bytes: (v: never) => Uint8Array, type: DataType, ctx: CompileContext, out: CompiledRule, where: string): void {
  const neq = s.op === '!=';
  if (s.op !== undefined && s.op !== '==' && s.op !== '!=') throw new ArgumentError(`${where}.op`, s.op, "must be '==' or '!='");
  if (s.set !== undefined) {
    out.exprs.push(lookup(s.set, undefined, neq));
  } else if (Array.isArray(s.value)) {
    const id = anonSet(ctx, out, type, s.value as ElementValue[], where);
    out.exprs.push(lookup(ANON_SET_NAME, id, neq));
  } else {
    out.exprs.push(cmp(neq ? 'neq' : 'eq', bytes(s.value as never)));
  }
}

function l3Dependency(ctx: CompileContext, out: CompiledRule, state: DepState, family: AddrFamily): void {
  if (ctx.family === 'ip' || ctx.family === 'ip6') {
    if (ctx.family !== family) throw new ArgumentError('match', family, `an ${family} field cannot be matched in an ${ctx.family} table`);
    return;
  }
  if (state.l3 === family) return;
  state.l3 = family;
  if (ctx.family === 'inet') {
    out.exprs.push(meta('nfproto'), cmp('eq', new Uint8Array([family === 'ip' ? 2 : 10])));
  } else {
    // bridge, netdev: the ethertype
    out.exprs.push(meta('protocol'), cmp('eq', family === 'ip' ? new Uint8Array([0x08, 0x00]) : new Uint8Array([0x86, 0xdd])));
  }
}

function compileMatch(s: MatchStatement, ctx: CompileContext, out: CompiledRule, state: DepState, where: string): void {
  const m = s.match;
  switch (m) {
    case 'iifname':
    case 'oifname': {
      out.exprs.push(meta(m));
      compare(s, (v: string) => ifnameValue(v, where), 'ifname', ctx, out, where);
      return;
    }
    case 'ip saddr':
    case 'ip daddr':
    case 'ip6 saddr':
    case 'ip6 daddr': {
      const f = ADDR[m];
      l3Dependency(ctx, out, state, f.family);
      const size = f.family === 'ip' ? 4 : 16;
      if ('set' in s || Array.isArray((s as { value: unknown }).value)) {
        out.exprs.push(payload('network', f.offset, size));
        compare(s, () => new Uint8Array(0), f.family === 'ip' ? 'ipv4_addr' : 'ipv6_addr', ctx, out, where);
        return;
      }
      const p = parsePrefix(String((s as { value: unknown }).value));
      if (p.family !== f.family) throw new ArgumentError(where, (s as { value: unknown }).value, `is not an ${f.family === 'ip' ? 'IPv4' : 'IPv6'} address`);
      if (p.len === 0) throw new ArgumentError(where, (s as { value: unknown }).value, 'a /0 prefix matches everything: leave the match out');
      const neq = s.op === '!=' ? 'neq' : 'eq';
      if (p.len % 8 === 0) {
        // Byte-aligned prefix: load only its bytes (what nft does).
        out.exprs.push(payload('network', f.offset, p.len / 8), cmp(neq, p.bytes.subarray(0, p.len / 8)));
      } else {
        out.exprs.push(payload('network', f.offset, size), bitwise(prefixMask(p.len, size)), cmp(neq, p.bytes));
      }
      return;
    }
    case 'l4proto':
    case 'ip protocol': {
      if (m === 'ip protocol') {
        l3Dependency(ctx, out, state, 'ip');
        out.exprs.push(payload('network', 9, 1));
      } else {
        out.exprs.push(meta('l4proto'));
      }
      compare(s, (v: L4Proto) => new Uint8Array([l4protoNumber(v)]), 'inet_proto', ctx, out, where);
      state.l4 = m === 'l4proto' && s.op !== '!=' && !('set' in s) && !Array.isArray((s as { value: unknown }).value) ? l4protoNumber((s as { value: L4Proto }).value) : undefined;
      return;
    }
    case 'tcp sport':
    case 'tcp dport':
    case 'udp sport':
    case 'udp dport':
    case 'th sport':
    case 'th dport': {
      const [proto, field] = m.split(' ') as [string, string];
      if (proto !== 'th') {
        const n = proto === 'tcp' ? 6 : 17;
        if (state.l4 !== n) out.exprs.push(meta('l4proto'), cmp('eq', new Uint8Array([n])));
        state.l4 = n;
      }
      out.exprs.push(payload('transport', field === 'sport' ? 0 : 2, 2));
      compare(s, (v: number) => portBytes(v), 'inet_service', ctx, out, where);
      return;
    }
    case 'ct state': {
      if ('set' in s) throw new ArgumentError(where, s, 'ct state takes a list of states, not a set');
      const v = (s as { value: CtState | readonly CtState[] }).value;
      const bits = ctStateBits(typeof v === 'string' ? [v] : v);
      const op = (s.op ?? 'in') as string;
      if (op === 'in' || op === '!') out.exprs.push(ct(0), bitwise(u32le(bits)), cmp(op === '!' ? 'eq' : 'neq', new Uint8Array(4)));
      else if (op === '==' || op === '!=') out.exprs.push(ct(0), cmp(op === '!=' ? 'neq' : 'eq', u32le(bits)));
      else throw new ArgumentError(`${where}.op`, s.op, "ct state compares with 'in' (default), '!', '==' or '!='");
      return;
    }
    case 'meta nfproto': {
      const v = (s as { value: string }).value;
      if (v !== 'ipv4' && v !== 'ipv6') throw new ArgumentError(where, v, "must be 'ipv4' or 'ipv6'");
      out.exprs.push(meta('nfproto'), cmp(s.op === '!=' ? 'neq' : 'eq', new Uint8Array([v === 'ipv4' ? 2 : 10])));
      state.l3 = s.op === '!=' ? undefined : v === 'ipv4' ? 'ip' : 'ip6';
      return;
    }
    case 'meta protocol': {
      const v = (s as { value: string }).value;
      if (v !== 'ip' && v !== 'ip6') throw new ArgumentError(where, v, "must be 'ip' or 'ip6'");
      out.exprs.push(meta('protocol'), cmp(s.op === '!=' ? 'neq' : 'eq', v === 'ip' ? new Uint8Array([0x08, 0x00]) : new Uint8Array([0x86, 0xdd])));
      state.l3 = s.op === '!=' ? undefined : v;
      return;
    }
    default:
      throw new ArgumentError(`${where}.match`, m, 'is not a field nlkit can match');
  }
}

function ifnameValue(v: string, where: string): Uint8Array {
  if (typeof v !== 'string') throw new ArgumentError(where, v, 'an interface name must be a string');
  if (v.endsWith('*') && v.length > 1) {
    // A wildcard compares only the prefix, without its NUL.
    ifnameBytes(v.slice(0, -1));
    return encodeUtf8(v.slice(0, -1));
  }
  return ifnameBytes(v);
}

function natAddress(text: string, where: string): { family: AddrFamily; bytes: Uint8Array } {
  const p = parsePrefix(text);
  if (p.len !== p.bytes.length * 8) throw new ArgumentError(where, text, 'NAT needs an address, not a prefix');
  return { family: p.family, bytes: p.bytes };
}

function defaultReject(family: Family): { type: number; code: number } {
  if (family === 'ip') return { type: 0, code: REJECT_CODES.icmp['port-unreachable'] };
  if (family === 'ip6') return { type: 0, code: REJECT_CODES.icmpv6['port-unreachable'] };
  return { type: 2, code: REJECT_CODES.icmpx['port-unreachable'] };
}

function rejectData(w: string | undefined, family: Family, where: string): { type: number; code?: number } {
  if (w === undefined) return defaultReject(family);
  if (w === 'tcp reset') return { type: 1, code: 0 };
  const [kind, name] = w.split(' ', 2) as [string, string | undefined];
  const table = (REJECT_CODES as Record<string, Record<string, number>>)[kind];
  const code = name !== undefined ? table?.[name] : undefined;
  if (table === undefined || code === undefined) {
    throw new ArgumentError(`${where}.with`, w, "must be 'tcp reset' or 'icmp|icmpv6|icmpx <code>' with a code nft knows");
  }
  if ((kind === 'icmp' && family === 'ip6') || (kind === 'icmpv6' && family === 'ip')) {
    throw new ArgumentError(`${where}.with`, w, `does not fit an ${family} table`);
  }
  return { type: kind === 'icmpx' ? 2 : 0, code };
}

function compileAction(s: ActionStatement, ctx: CompileContext, out: CompiledRule, where: string): void {
  switch (s.action) {
    case 'accept':
    case 'drop':
    case 'return':
    case 'continue':
      out.exprs.push(verdict(VERDICT[s.action]));
      return;
    case 'jump':
    case 'goto':
      if (typeof s.chain !== 'string' || s.chain === '') throw new ArgumentError(`${where}.chain`, s.chain, 'names the target chain');
      out.exprs.push(verdict(VERDICT[s.action], s.chain));
      return;
    case 'counter':
      out.exprs.push('name' in s ? counterRef(s.name) : counter(s.packets, s.bytes));
      return;
    case 'masquerade':
      out.exprs.push({ name: 'masq', data: {} });
      return;
    case 'snat':
    case 'dnat': {
      const a = natAddress(s.addr, `${where}.addr`);
      if (ctx.family !== 'inet' && ctx.family !== a.family) throw new ArgumentError(`${where}.addr`, s.addr, `does not fit an ${ctx.family} table`);
      out.exprs.push(immediate(1, a.bytes));
      const data: Record<string, unknown> = { type: s.action === 'snat' ? 0 : 1, family: a.family === 'ip' ? 2 : 10, reg_addr_min: 1 };
      if (s.port !== undefined) {
        out.exprs.push(immediate(2, portBytes(s.port)));
        data.reg_proto_min = 2;
        data.flags = 2; // NF_NAT_RANGE_PROTO_SPECIFIED
      }
      out.exprs.push({ name: 'nat', data });
      return;
    }
    case 'reject': {
      const r = rejectData(s.with, ctx.family, where);
      out.exprs.push({ name: 'reject', data: { type: r.type, ...(r.code !== undefined && { icmp_code: r.code }) } });
      return;
    }
    case 'log': {
      const data: Record<string, unknown> = {};
      if (s.prefix !== undefined) data.prefix = s.prefix;
      if (s.group !== undefined) data.group = s.group;
      if (s.level !== undefined) {
        const l = LOG_LEVELS[s.level];
        if (l === undefined) throw new ArgumentError(`${where}.level`, s.level, `is not one of ${Object.keys(LOG_LEVELS).join(', ')}`);
        data.level = l;
      }
      out.exprs.push({ name: 'log', data });
      return;
    }
    default:
      throw new ArgumentError(`${where}.action`, (s as { action: unknown }).action, 'is not an action nlkit knows');
  }
}
