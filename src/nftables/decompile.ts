/**
 * Turns the expressions of a rule, as the kernel returns them, back into typed statements: the
 * inverse of `compile.ts` for the patterns nft and nlkit produce. Protocol dependencies are folded
 * into the match that needs them (`meta l4proto tcp` + `th dport` → `tcp dport`), as nft shows
 * them. An expression that fits no pattern is kept as a raw statement, so nothing is lost.
 *
 * @example
 * ```ts
 * decompileRule(rule.expressions, { family: 'ip', set: () => undefined });
 * // [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' }]
 * ```
 * @module
 */
import { ifnameText, addrText, beNumber, ctStateNames, hexBytes, l4protoName, leNumber, maskPrefixLen, nameOf, REJECT_CODES, LOG_LEVELS, type ElementValue, type DataType } from './values.js';
import { s32, type Family } from './protocol.js';
import type { AddressField, RawExpr, Statement, MatchStatement, CmpOp, FlagOp, RejectWith } from './statements.js';

/**
 * What the decompiler knows of a set a rule looks up.
 *
 * @example
 * ```ts
 * const v: SetView = { anonymous: true, type: 'inet_service', elements: [22, 80] };
 * ```
 */
export interface SetView {
  anonymous: boolean;
  type: DataType | undefined;
  elements: readonly ElementValue[];
}

/**
 * Context of a rule: its table's family and the sets of that table.
 *
 * @example
 * ```ts
 * const ctx: DecompileContext = { family: 'ip', set: (name) => (name === '__set0' ? view : undefined) };
 * ```
 */
export interface DecompileContext {
  family: Family;
  /** The set of the rule's table with this name. */
  set(name: string): SetView | undefined;
}

type Attrs = Record<string, unknown>;

const data = (e: RawExpr | undefined): Attrs => (e?.data !== null && typeof e?.data === 'object' ? (e.data as Attrs) : {});

/** The bytes of an NFTA_DATA value nest. */
function value(d: unknown): Uint8Array | undefined {
  const v = (d as { value?: unknown } | undefined)?.value;
  return typeof v === 'string' ? hexBytes(v) : undefined;
}

/** Whether all bytes are zero. */
function zero(b: Uint8Array | undefined): boolean {
  return b !== undefined && b.every((x) => x === 0);
}

interface Load {
  kind: 'meta' | 'payload' | 'ct';
  key?: number;
  base?: number;
  offset?: number;
  len?: number;
  /** The bitwise mask applied after loading (prefixes, ct state). */
  mask?: Uint8Array;
  /** How many expressions the load (and its mask) took. */
  n: number;
}

/** A load into register 1 (optionally masked) starting at `i`. */
function loadAt(exprs: readonly RawExpr[], i: number): Load | undefined {
  const e = exprs[i];
  const d = data(e);
  let load: Load | undefined;
  if (e?.name === 'meta' && d.dreg !== undefined && d.sreg === undefined) load = { kind: 'meta', key: d.key as number, n: 1 };
  else if (e?.name === 'payload' && d.dreg !== undefined && d.sreg === undefined) {
    load = { kind: 'payload', base: d.base as number, offset: d.offset as number, len: d.len as number, n: 1 };
  } else if (e?.name === 'ct' && d.dreg !== undefined && d.sreg === undefined && d.direction === undefined) load = { kind: 'ct', key: d.key as number, n: 1 };
  if (!load) return undefined;
  const reg = d.dreg;
  const b = exprs[i + 1];
  const bd = data(b);
  if (b?.name === 'bitwise' && bd.sreg === reg && bd.dreg === reg && (bd.op === undefined || bd.op === 0) && zero(value(bd.xor))) {
    const mask = value(bd.mask);
    if (mask) {
      load.mask = mask;
      load.n = 2;
    }
  }
  (load as Load & { reg: unknown }).reg = reg;
  return load;
}

const META_FIELDS: Record<number, 'iifname' | 'oifname' | 'l4proto' | 'meta nfproto' | 'meta protocol'> = { 1: 'meta protocol', 6: 'iifname', 7: 'oifname', 16: 'l4proto', 15: 'meta nfproto' };

/** The field a load reads, given the network protocol (for payloads of the network header). */
function fieldOf(l: Load, l3: 'ip' | 'ip6' | undefined): { field: string; size: number } | undefined {
  if (l.kind === 'meta') {
    const f = l.mask ? undefined : META_FIELDS[l.key ?? -1];
    return f ? { field: f, size: f === 'iifname' || f === 'oifname' ? 16 : f === 'meta protocol' ? 2 : 1 } : undefined;
  }
  if (l.kind === 'ct') return l.key === 0 && (l.mask === undefined || l.mask.length === 4) ? { field: 'ct state', size: 4 } : undefined;
  const { base, offset, len } = l;
  if (base === 1 && l3 === 'ip') {
    if ((offset === 12 || offset === 16) && len !== undefined && len >= 1 && len <= 4) return { field: offset === 12 ? 'ip saddr' : 'ip daddr', size: 4 };
    if (offset === 9 && len === 1 && !l.mask) return { field: 'ip protocol', size: 1 };
  }
  if (base === 1 && l3 === 'ip6' && (offset === 8 || offset === 24) && len !== undefined && len >= 1 && len <= 16) {
    return { field: offset === 8 ? 'ip6 saddr' : 'ip6 daddr', size: 16 };
  }
  if (base === 2 && (offset === 0 || offset === 2) && len === 2 && !l.mask) return { field: offset === 0 ? 'th sport' : 'th dport', size: 2 };
  return undefined;
}

/** The value of `field` in `bytes` (the load took `l`). */
function fieldValue(field: string, bytes: Uint8Array, l: Load): ElementValue | ElementValue[] | undefined {
  switch (field) {
    case 'iifname':
    case 'oifname': {
      if (bytes.length === 16) return ifnameText(bytes);
      if (bytes.length > 0 && !bytes.includes(0)) return `${ifnameText(bytes)}*`;
      return undefined;
    }
    case 'l4proto':
    case 'ip protocol':
      return bytes.length === 1 ? l4protoName(bytes[0]!) : undefined;
    case 'meta nfproto':
      return bytes.length === 1 && (bytes[0] === 2 || bytes[0] === 10) ? (bytes[0] === 2 ? 'ipv4' : 'ipv6') : undefined;
    case 'meta protocol': {
      const n = bytes.length === 2 ? beNumber(bytes) : 0;
      return n === 0x0800 ? 'ip' : n === 0x86dd ? 'ip6' : undefined;
    }
    case 'th sport':
    case 'th dport':
      return bytes.length === 2 ? beNumber(bytes) : undefined;
    case 'ip saddr':
    case 'ip daddr':
    case 'ip6 saddr':
    case 'ip6 daddr': {
      const size = field.startsWith('ip6') ? 16 : 4;
      if (bytes.length !== l.len) return undefined;
      const full = new Uint8Array(size);
      full.set(bytes);
      let len = (l.len ?? size) * 8;
      if (l.mask) {
        const m = maskPrefixLen(l.mask);
        if (m === undefined || l.mask.length !== l.len) return undefined;
        len = m;
      }
      return len === size * 8 ? addrText(full) : `${addrText(full)}/${len}`;
    }
  }
  return undefined;
}

/**
 * Statements of a rule's expressions.
 *
 * @example
 * ```ts
 * decompileRule([meta('l4proto'), cmp('eq', new Uint8Array([6])), payload('transport', 2, 2), cmp('eq', portBytes(22))], ctx);
 * // [{ match: 'tcp dport', value: 22 }]
 * ```
 */
export function decompileRule(exprs: readonly RawExpr[], ctx: DecompileContext): Statement[] {
  const out: Statement[] = [];
  const state: Deps = { l3: undefined, l4: undefined };
  let i = 0;
  while (i < exprs.length) {
    const n = matchAt(exprs, i, ctx, out, state) || actionAt(exprs, i, ctx, out);
    if (n > 0) i += n;
    else {
      out.push({ expr: exprs[i]! });
      i += 1;
    }
  }
  return out;
}

/** Protocols established by dependencies folded so far in the rule (they hold for the rest of it). */
interface Deps {
  l3: 'ip' | 'ip6' | undefined;
  l4: 'tcp' | 'udp' | undefined;
}

/**
 * The network protocol a payload match may assume: the table's, a `meta nfproto` match just
 * before (a dependency, consumed), or one folded earlier in the rule.
 */
function l3Context(ctx: DecompileContext, out: Statement[], state: Deps): { l3: 'ip' | 'ip6' | undefined; dep: boolean } {
  if (ctx.family === 'ip') return { l3: 'ip', dep: false };
  if (ctx.family === 'ip6') return { l3: 'ip6', dep: false };
  const prev = out[out.length - 1];
  if (prev && 'match' in prev && prev.op === undefined) {
    if (prev.match === 'meta nfproto') return { l3: prev.value === 'ipv4' ? 'ip' : 'ip6', dep: true };
    if (prev.match === 'meta protocol') return { l3: prev.value, dep: true };
  }
  return { l3: state.l3, dep: false };
}

function matchAt(exprs: readonly RawExpr[], i: number, ctx: DecompileContext, out: Statement[], state: Deps): number {
  const l = loadAt(exprs, i);
  if (!l) return 0;
  const { l3, dep } = l3Context(ctx, out, state);
  const f = fieldOf(l, l3);
  if (!f) return mergedAt(exprs, i, l, l3, dep, out, state);
  const reg = (l as Load & { reg: unknown }).reg;
  const next = exprs[i + l.n];
  const nd = data(next);
  if (nd.sreg !== reg) return 0;
  const field = f.field;
  let stmt: MatchStatement | undefined;
  if (next?.name === 'cmp') {
    const bytes = value(nd.data);
    if (!bytes) return 0;
    if (field === 'ct state') {
      if (nd.op !== 0 && nd.op !== 1) return 0;
      // Masked and compared with zero: any (in) / none (!) of the flags; else the exact value.
      const names = ctStateNames(leNumber(l.mask ?? bytes));
      if (!names || names.length === 0 || bytes.length !== 4 || (l.mask !== undefined && !zero(bytes))) return 0;
      const op: FlagOp | undefined = l.mask ? (nd.op === 0 ? '!' : undefined) : nd.op === 0 ? '==' : '!=';
      stmt = { match: 'ct state', ...(op !== undefined && { op }), value: names.length === 1 ? names[0]! : names };
    } else {
      if (nd.op !== 0 && nd.op !== 1) return 0;
      const v = fieldValue(field, bytes, l);
      if (v === undefined) return 0;
      stmt = { match: field, ...(nd.op === 1 && { op: '!=' as CmpOp }), value: v } as MatchStatement;
    }
  } else if (next?.name === 'lookup' && nd.dreg === undefined && typeof nd.set === 'string' && field !== 'ct state' && !l.mask) {
    const set = ctx.set(nd.set);
    const op = typeof nd.flags === 'number' && nd.flags & 1 ? { op: '!=' as CmpOp } : {};
    if (set?.anonymous) stmt = { match: field, ...op, value: [...set.elements] } as MatchStatement;
    else stmt = { match: field, ...op, set: nd.set } as MatchStatement;
    if (field.startsWith('ip') && l.len !== f.size) return 0;
  } else return 0;
  foldDependency(stmt, l.kind === 'payload', l3, dep, out, state);
  out.push(stmt);
  return l.n + 1;
}

/**
 * Folds the protocol dependency a match needed into it, as nft shows it: a `meta l4proto tcp`
 * just before a transport-header match names its protocol (`th dport` → `tcp dport`); a
 * `meta nfproto` just before a network-header match in an inet table goes away.
 */
function foldDependency(stmt: MatchStatement, payload: boolean, l3: 'ip' | 'ip6' | undefined, dep: boolean, out: Statement[], state: Deps): void {
  if (stmt.match.startsWith('th ')) {
    const prev = out[out.length - 1] as { match?: string; op?: string; value?: unknown } | undefined;
    if (prev?.match === 'l4proto' && prev.op === undefined && (prev.value === 'tcp' || prev.value === 'udp')) {
      out.pop();
      state.l4 = prev.value;
    }
    if (state.l4 !== undefined) (stmt as { match: string }).match = `${state.l4} ${stmt.match.slice(3)}`;
  } else if (dep && payload) {
    out.pop();
    state.l3 = l3;
  }
}

/** Header fields nft may load together when a rule matches adjacent ones (`tcp sport 1 tcp dport 2`). */
const ADJACENT: Record<string, ReadonlyArray<readonly [string, number, number]>> = {
  '2': [['th sport', 0, 2], ['th dport', 2, 2]],
  '1ip': [['ip saddr', 12, 4], ['ip daddr', 16, 4]],
  '1ip6': [['ip6 saddr', 8, 16], ['ip6 daddr', 24, 16]],
};

/** One payload load compared (==) with the concatenation of adjacent fields: one match per field. */
function mergedAt(exprs: readonly RawExpr[], i: number, l: Load, l3: 'ip' | 'ip6' | undefined, dep: boolean, out: Statement[], state: Deps): number {
  if (l.kind !== 'payload' || l.mask || l.offset === undefined || l.len === undefined) return 0;
  const fields = ADJACENT[l.base === 2 ? '2' : l.base === 1 && l3 ? `1${l3}` : ''];
  const next = exprs[i + 1];
  const nd = data(next);
  const bytes = value(nd.data);
  if (!fields || next?.name !== 'cmp' || nd.op !== 0 || nd.sreg !== (l as Load & { reg: unknown }).reg || bytes?.length !== l.len) return 0;
  const stmts: MatchStatement[] = [];
  for (let pos = l.offset; pos < l.offset + l.len; ) {
    const f = fields.find(([, off, len]) => off === pos && pos + len <= l.offset! + l.len!);
    if (!f) return 0;
    const part = bytes.subarray(pos - l.offset, pos - l.offset + f[2]);
    const v = fieldValue(f[0], part, { ...l, offset: pos, len: f[2] });
    if (v === undefined) return 0;
    stmts.push({ match: f[0], value: v } as MatchStatement);
    pos += f[2];
  }
  if (stmts.length < 2) return 0;
  for (const st of stmts) {
    foldDependency(st, true, l3, dep && st === stmts[0], out, state);
    out.push(st);
  }
  return 2;
}

function verdictOf(d: Attrs): Statement | undefined {
  const v = (d.data as { verdict?: { code?: unknown; chain?: unknown } } | undefined)?.verdict;
  if (!v) return undefined;
  const code = s32(v.code);
  switch (code) {
    case 1:
      return { action: 'accept' };
    case 0:
      return { action: 'drop' };
    case -1:
      return { action: 'continue' };
    case -5:
      return { action: 'return' };
    case -3:
    case -4:
      return typeof v.chain === 'string' ? { action: code === -3 ? 'jump' : 'goto', chain: v.chain } : undefined;
  }
  return undefined;
}

function rejectOf(d: Attrs, family: Family): Statement | undefined {
  if (d.type === 1) return { action: 'reject', with: 'tcp reset' };
  const code = typeof d.icmp_code === 'number' ? d.icmp_code : 0;
  let kind: 'icmp' | 'icmpv6' | 'icmpx';
  if (d.type === 2) kind = 'icmpx';
  else if (d.type === 0 && (family === 'ip' || family === 'ip6')) kind = family === 'ip' ? 'icmp' : 'icmpv6';
  else return undefined;
  const name = nameOf(REJECT_CODES[kind], code);
  if (name === undefined) return undefined;
  const def = family === 'ip' ? 'icmp' : family === 'ip6' ? 'icmpv6' : 'icmpx';
  if (kind === def && name === 'port-unreachable') return { action: 'reject' };
  return { action: 'reject', with: `${kind} ${name}` as RejectWith };
}

function actionAt(exprs: readonly RawExpr[], i: number, ctx: DecompileContext, out: Statement[]): number {
  const e = exprs[i]!;
  const d = data(e);
  switch (e.name) {
    case 'immediate': {
      if (d.dreg === 0) {
        const v = verdictOf(d);
        if (!v) return 0;
        out.push(v);
        return 1;
      }
      // NAT: immediate addr (reg A) [immediate port (reg P)] nat
      const addr = value(d.data);
      const p = exprs[i + 1];
      const pd = data(p);
      const portImm = p?.name === 'immediate' && pd.dreg !== 0 && pd.dreg !== d.dreg ? pd : undefined;
      const nat = exprs[i + (portImm ? 2 : 1)];
      const nd = data(nat);
      if (nat?.name !== 'nat' || !addr || nd.reg_addr_min !== d.dreg) return 0;
      if (nd.reg_addr_max !== undefined && nd.reg_addr_max !== d.dreg) return 0;
      if ((nd.type !== 0 && nd.type !== 1) || (addr.length !== 4 && addr.length !== 16)) return 0;
      if (nd.family !== (addr.length === 4 ? 2 : 10)) return 0;
      let port: number | undefined;
      if (portImm) {
        const pb = value(portImm.data);
        if (!pb || pb.length !== 2 || nd.reg_proto_min !== portImm.dreg || (nd.reg_proto_max !== undefined && nd.reg_proto_max !== portImm.dreg)) return 0;
        port = beNumber(pb);
      } else if (nd.reg_proto_min !== undefined) return 0;
      const flags = typeof nd.flags === 'number' ? nd.flags & ~3 : 0; // MAP_IPS and PROTO_SPECIFIED are implied
      if (flags !== 0) return 0;
      out.push({ action: nd.type === 0 ? 'snat' : 'dnat', addr: addrText(addr), ...(port !== undefined && { port }) });
      return portImm ? 3 : 2;
    }
    case 'counter':
      out.push({ action: 'counter', packets: (d.packets as number | bigint | undefined) ?? 0, bytes: (d.bytes as number | bigint | undefined) ?? 0 });
      return 1;
    case 'objref':
      if (d.imm_type !== 1 || typeof d.imm_name !== 'string') return 0;
      out.push({ action: 'counter', name: d.imm_name });
      return 1;
    case 'masq': {
      const flags = typeof d.flags === 'number' ? d.flags : 0;
      if (flags !== 0 || d.reg_proto_min !== undefined) return 0;
      out.push({ action: 'masquerade' });
      return 1;
    }
    case 'reject': {
      const r = rejectOf(d, ctx.family);
      if (!r) return 0;
      out.push(r);
      return 1;
    }
    case 'log': {
      const level = typeof d.level === 'number' ? nameOf(LOG_LEVELS, d.level) : undefined;
      if (d.level !== undefined && level === undefined) return 0;
      if (d.snaplen !== undefined || d.qthreshold !== undefined || (d.flags !== undefined && d.flags !== 0)) return 0;
      out.push({
        action: 'log',
        ...(typeof d.prefix === 'string' && { prefix: d.prefix }),
        ...(level !== undefined && level !== 'warn' && { level }),
        ...(typeof d.group === 'number' && { group: d.group }),
      });
      return 1;
    }
  }
  return 0;
}

/**
 * The address field of a match, for callers that render prefixes.
 *
 * @example
 * ```ts
 * isAddressField('ip saddr'); // true
 * ```
 */
export function isAddressField(f: string): f is AddressField {
  return f === 'ip saddr' || f === 'ip daddr' || f === 'ip6 saddr' || f === 'ip6 daddr';
}
