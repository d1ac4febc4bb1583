/**
 * `nlkit route`: `show|list`, `get`, `add`, `del`, `change`, `replace`, `append`, `flush`, with
 * iproute2's syntax (iproute.c: `iproute_modify`, `iproute_list_flush_or_save`, `iproute_get`),
 * changes through the high-level API (`nl.route.add/replace/del/get`), listings rendered by the
 * view module from the same dump ip makes.
 *
 * @module
 */
import type { RouteSpec } from '../api/route.js';
import type { Message } from '../netlink/message.js';
import { Args, CliExit, duparg, duparg2, getUnsigned, HelpRequest, invarg, matches, parseTime, usageError } from './args.js';
import { AF_INET, AF_INET6, addressBytes, bitsMatch, getAddr, getPrefix, type Prefix } from './inet.js';
import { scopeValue } from './ipaddr.js';
import type { Session } from './session.js';
import type { LinkRef } from '../view/context.js';

function usage(): never {
  throw new HelpRequest('route');
}

const RTN: Readonly<Record<string, number>> = {
  unicast: 1,
  local: 2,
  broadcast: 3,
  anycast: 4,
  multicast: 5,
  blackhole: 6,
  unreachable: 7,
  prohibit: 8,
  throw: 9,
  nat: 10,
  xresolve: 11,
};
const RTN_NAMES = Object.fromEntries(Object.entries(RTN).map(([k, v]) => [v, k])) as Record<number, string>;

/** rtnl_rtntype_a2n. */
function routeType(word: string): number | undefined {
  if (word === 'local') return 2;
  if (word === 'nat') return 10;
  if (matches(word, 'broadcast') || word === 'brd') return 3;
  if (matches(word, 'anycast')) return 4;
  if (matches(word, 'multicast')) return 5;
  if (matches(word, 'prohibit')) return 8;
  if (matches(word, 'unreachable')) return 7;
  if (matches(word, 'blackhole')) return 6;
  if (matches(word, 'xresolve')) return 11;
  if (matches(word, 'unicast')) return 1;
  if (word === 'throw') return 9;
  const n = getUnsigned(word, 255);
  return n;
}

/** rtnl_rttable_a2n: `main`, `local`, `default`, a name of rt_tables, or a number. */
async function tableValue(s: Session, word: string): Promise<number | undefined> {
  for (const [id, name] of (await s.names()).tables) if (name === word) return id;
  const n = getUnsigned(word);
  return n;
}

/** rtnl_rtprot_a2n. */
async function protoValue(s: Session, word: string): Promise<number | undefined> {
  for (const [id, name] of (await s.names()).protos) if (name === word) return id;
  return getUnsigned(word, 255);
}

/** `nlkit route ...`. */
export async function runRoute(a: Args, s: Session): Promise<number> {
  if (!a.more) return list(a, s, 'show');
  const cmd = a.word;
  a.skip();
  if (matches(cmd, 'add')) return modify(a, s, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return modify(a, s, 'change');
  if (matches(cmd, 'replace')) return modify(a, s, 'replace');
  if (matches(cmd, 'prepend')) return modify(a, s, 'prepend');
  if (matches(cmd, 'append')) return modify(a, s, 'append');
  if (matches(cmd, 'test')) throw usageError('nlkit: "route test" is not supported');
  if (matches(cmd, 'delete')) return modify(a, s, 'del');
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(a, s, 'show');
  if (matches(cmd, 'get')) return get(a, s);
  if (matches(cmd, 'flush')) return list(a, s, 'flush');
  if (matches(cmd, 'save') || matches(cmd, 'restore') || matches(cmd, 'showdump')) throw usageError(`nlkit: "route ${cmd}" is not supported`);
  if (matches(cmd, 'help')) usage();
  throw usageError(`Command "${cmd}" is unknown, try "nlkit route help".`);
}

// ---------------------------------------------------------------------------------------------
// add / del / change / replace / append

type Metrics = Record<string, unknown> & { lock?: string[] };

/** A metric `NAME [lock] VALUE`: [ip word, API key, parser]. */
const METRICS: ReadonlyArray<readonly [string, string, (v: string) => number | string | undefined]> = [
  ['mtu', 'mtu', (v) => getUnsigned(v)],
  ['hoplimit', 'hoplimit', (v) => getUnsigned(v, 255)],
  ['advmss', 'advmss', (v) => getUnsigned(v)],
  ['reordering', 'reordering', (v) => getUnsigned(v)],
  ['window', 'window', (v) => getUnsigned(v)],
  ['cwnd', 'cwnd', (v) => getUnsigned(v)],
  ['initcwnd', 'initcwnd', (v) => getUnsigned(v)],
  ['initrwnd', 'initrwnd', (v) => getUnsigned(v)],
  ['ssthresh', 'ssthresh', (v) => getUnsigned(v)],
  // rtt/rttvar without a unit are in the kernel's units (1/8 and 1/4 ms), with one in ms
  ['rtt', 'rtt', (v) => (/^\d+$/.test(v) ? Math.round(Number(v) / 8) : parseTime(v, 'ms'))],
  ['rttvar', 'rttvar', (v) => (/^\d+$/.test(v) ? Math.round(Number(v) / 4) : parseTime(v, 'ms'))],
  ['rto_min', 'rtoMin', (v) => parseTime(v, 'ms')],
  ['congctl', 'congctl', (v) => v],
];

async function parseNexthop(a: Args, s: Session, family: number): Promise<Record<string, unknown>> {
  const nh: Record<string, unknown> = {};
  while (a.more && a.word !== 'nexthop') {
    const w = a.word;
    if (w === 'via') {
      let v = a.next();
      let fam = family;
      if (v === 'inet' || v === 'inet6') {
        fam = v === 'inet' ? AF_INET : AF_INET6;
        v = a.next();
      }
      nh['via'] = getAddr(v, fam).address;
    } else if (w === 'dev') {
      nh['dev'] = await s.ifindex(a.next());
    } else if (matches(w, 'weight')) {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined || n === 0 || n > 256) throw invarg('"weight" is invalid\n', v);
      nh['weight'] = n;
    } else if (w === 'onlink') {
      nh['onlink'] = true;
    } else if (w === 'pervasive' || matches(w, 'realms') || w === 'encap') {
      throw usageError(`nlkit: nexthop "${w}" is not supported`);
    } else throw new CliExit(255, `Error: argument "${w}" is wrong: nexthop is invalid`);
    a.skip();
  }
  return nh;
}

async function modify(a: Args, s: Session, cmd: 'add' | 'change' | 'replace' | 'prepend' | 'append' | 'del'): Promise<number> {
  let family = s.opts.family === AF_INET || s.opts.family === AF_INET6 ? s.opts.family : 0;
  const spec: Record<string, unknown> = {};
  const metrics: Metrics = {};
  let dst: Prefix | undefined;
  let typeOk = false;
  let nexthops: Array<Record<string, unknown>> | undefined;
  while (a.more) {
    const w = a.word;
    if (w === 'src') {
      const v = a.next();
      const ps = getAddr(v, family);
      spec['src'] = ps.address;
      if (!family) family = ps.family;
    } else if (w === 'as') {
      throw usageError('nlkit: "as" (NAT) is not supported');
    } else if (w === 'via') {
      if (spec['via'] !== undefined) throw duparg('via', a.peek());
      let v = a.next();
      let fam = family;
      if (v === 'inet' || v === 'inet6') {
        fam = v === 'inet' ? AF_INET : AF_INET6;
        v = a.next();
      } else if (v === 'mpls' || v === 'bridge' || v === 'link') throw usageError(`nlkit: "via ${v}" is not supported`);
      const gw = getAddr(v, fam);
      spec['via'] = gw.address;
      if (!family) family = gw.family;
    } else if (w === 'from') {
      const v = a.next();
      const p = getPrefix(v, family);
      spec['from'] = `${p.address}/${p.bitlen}`;
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.next();
      const n = /^(0x)?[0-9a-fA-F]{1,2}$/.test(v) ? parseInt(v.replace(/^0x/, ''), 16) : undefined;
      if (n === undefined) throw invarg('"tos" value is invalid\n', v);
      spec['tos'] = n;
    } else if (w === 'expires') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('"expires" value is invalid\n', v);
      spec['expires'] = n;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('"metric" value is invalid\n', v);
      spec['metric'] = n;
    } else if (w === 'scope') {
      const v = a.next();
      const sc = await scopeValue(s, v);
      if (sc === undefined) throw invarg('invalid "scope" value\n', v);
      spec['scope'] = sc;
    } else if (METRICS.some(([m]) => m === w)) {
      const [word, key, parse] = METRICS.find(([m]) => m === w)!;
      let v = a.next();
      if (v === 'lock') {
        (metrics.lock ??= []).push(key);
        v = a.next();
      }
      const n = parse(v);
      if (n === undefined) throw invarg(`"${word}" value is invalid\n`, v);
      metrics[key] = n;
    } else if (w === 'features') {
      const v = a.next();
      if (v !== 'ecn') throw invarg('"features" value not valid\n', v);
      metrics['features'] = 1;
    } else if (w === 'quickack' || w === 'fastopen_no_cookie') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined || n > 1) throw invarg(`"${w}" value should be 0 or 1\n`, v);
      metrics[w === 'quickack' ? 'quickack' : 'fastopenNoCookie'] = n;
    } else if (matches(w, 'realms') || w === 'encap' || w === 'ttl-propagate') {
      throw usageError(`nlkit: "${w}" is not supported`);
    } else if (w === 'onlink') {
      spec['onlink'] = true;
    } else if (w === 'nexthop') {
      nexthops = [];
      while (a.more && a.word === 'nexthop') {
        a.skip();
        nexthops.push(await parseNexthop(a, s, family));
      }
      break;
    } else if (w === 'nhid') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('"id" value is invalid\n', v);
      spec['nhid'] = n;
    } else if (matches(w, 'protocol')) {
      const v = a.next();
      const p = await protoValue(s, v);
      if (p === undefined) throw invarg('"protocol" value is invalid\n', v);
      spec['protocol'] = p;
    } else if (matches(w, 'table')) {
      const v = a.next();
      const t = await tableValue(s, v);
      if (t === undefined) throw invarg('"table" value is invalid\n', v);
      spec['table'] = t;
    } else if (w === 'vrf') {
      throw usageError('nlkit: "vrf" is not supported');
    } else if (w === 'dev' || w === 'oif') {
      spec['dev'] = await s.ifindex(a.next());
    } else if (w === 'pref') {
      const v = a.next();
      if (v !== 'low' && v !== 'medium' && v !== 'high') throw invarg('"pref" value is invalid\n', v);
      spec['pref'] = v;
    } else {
      let v = w;
      if (matches(v, 'to')) v = a.next();
      if (!(v.charCodeAt(0) >= 48 && v.charCodeAt(0) <= 57)) {
        const t = routeType(v);
        if (t !== undefined) {
          typeOk = true;
          spec['type'] = RTN_NAMES[t] ?? t;
          v = a.next();
        }
      }
      if (matches(v, 'help')) usage();
      if (dst) throw duparg2('to', v);
      dst = getPrefix(v, family);
      if (!family) family = dst.family;
    }
    a.skip();
  }
  void typeOk;
  if (!dst) {
    if (cmd === 'del' && Object.keys(spec).length === 0 && !nexthops) throw new CliExit(2, 'RTNETLINK answers: No such process');
    throw new CliExit(255, 'Error: argument "to" is required'); // ip sends 0/0 here; the kernel's answer differs by case
  }
  spec['dst'] = dst.any ? 'default' : `${dst.address}/${dst.bitlen}`;
  if (family) spec['family'] = family === AF_INET6 ? 'inet6' : 'inet';
  if (nexthops) spec['nexthops'] = nexthops;
  Object.assign(spec, metrics);
  const nl = await s.api();
  const r = spec as unknown as RouteSpec;
  switch (cmd) {
    case 'add':
      await nl.route.add(r);
      break;
    case 'del':
      await nl.route.del(r);
      break;
    case 'replace':
    case 'change':
      await nl.route.replace(r);
      break;
    case 'append':
    case 'prepend':
      throw usageError(`nlkit: "route ${cmd}" is not supported`);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// show / flush

interface RouteFilter {
  tb: number | 'all';
  /** `table` was given on the command line (else main is implied). */
  tableGiven: boolean;
  cloned: boolean;
  protocol: number | undefined;
  scope: number | undefined;
  types: Set<number> | undefined;
  tos: number | undefined;
  oif: number;
  iif: number;
  rdst: Prefix | undefined;
  mdst: Prefix | undefined;
  rsrc: Prefix | undefined;
  msrc: Prefix | undefined;
  via: Prefix | undefined;
  prefsrc: Prefix | undefined;
  metric: number | undefined;
  mark: number | undefined;
}

async function parseRouteSelector(a: Args, s: Session, family: number): Promise<RouteFilter> {
  const f: RouteFilter = {
    tb: 254,
    tableGiven: false,
    cloned: false,
    protocol: undefined,
    scope: undefined,
    types: undefined,
    tos: undefined,
    oif: 0,
    iif: 0,
    rdst: undefined,
    mdst: undefined,
    rsrc: undefined,
    msrc: undefined,
    via: undefined,
    prefsrc: undefined,
    metric: undefined,
    mark: undefined,
  };
  const prefixes = (to: 'dst' | 'src'): void => {
    let v = a.word;
    if (matches(v, 'root')) {
      v = a.next();
      f[to === 'dst' ? 'rdst' : 'rsrc'] = getPrefix(v, family);
    } else if (matches(v, 'match')) {
      v = a.next();
      f[to === 'dst' ? 'mdst' : 'msrc'] = getPrefix(v, family);
    } else {
      if (matches(v, 'exact')) v = a.next();
      const p = getPrefix(v, family);
      f[to === 'dst' ? 'mdst' : 'msrc'] = p;
      f[to === 'dst' ? 'rdst' : 'rsrc'] = p;
    }
  };
  while (a.more) {
    const w = a.word;
    if (matches(w, 'table')) {
      const v = a.next();
      f.tableGiven = true;
      if (v === 'all') f.tb = 'all';
      else if (v === 'cache') f.cloned = true;
      else {
        const t = await tableValue(s, v);
        if (t === undefined) throw invarg('table id value is invalid\n', v);
        f.tb = t;
      }
    } else if (matches(w, 'cached') || matches(w, 'cloned')) f.cloned = true;
    else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.next();
      const n = /^(0x)?[0-9a-fA-F]{1,2}$/.test(v) ? parseInt(v.replace(/^0x/, ''), 16) : undefined;
      if (n === undefined) throw invarg('TOS value is invalid\n', v);
      f.tos = n;
    } else if (matches(w, 'protocol')) {
      const v = a.next();
      if (v !== 'all') {
        const p = await protoValue(s, v);
        if (p === undefined) throw invarg('invalid "protocol"\n', v);
        f.protocol = p;
      }
    } else if (matches(w, 'scope')) {
      const v = a.next();
      if (v !== 'all') {
        const sc = await scopeValue(s, v);
        if (sc === undefined) throw invarg('invalid "scope"\n', v);
        f.scope = sc;
      }
    } else if (matches(w, 'type')) {
      const v = a.next();
      const t = routeType(v);
      if (t === undefined) throw invarg('node type value is invalid\n', v);
      (f.types ??= new Set()).add(t);
    } else if (w === 'dev' || w === 'oif') {
      f.oif = await s.ifindex(a.next());
    } else if (w === 'iif') {
      f.iif = await s.ifindex(a.next());
    } else if (w === 'mark') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('mark value is invalid\n', v);
      f.mark = n;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('"metric" value is invalid\n', v);
      f.metric = n;
    } else if (w === 'via') {
      let v = a.next();
      let fam = family;
      if (v === 'inet' || v === 'inet6') {
        fam = v === 'inet' ? AF_INET : AF_INET6;
        v = a.next();
      }
      f.via = getPrefix(v, fam);
    } else if (w === 'src') {
      f.prefsrc = getPrefix(a.next(), family);
    } else if (matches(w, 'from')) {
      a.next();
      prefixes('src');
    } else if (w === 'vrf' || matches(w, 'realms')) {
      throw usageError(`nlkit: "${w}" is not supported`);
    } else {
      if (matches(w, 'to')) a.next();
      if (matches(a.word, 'help')) usage();
      prefixes('dst');
    }
    a.skip();
  }
  return f;
}

function hdr(m: Message): Record<string, number> {
  return m.header as Record<string, number>;
}

function attr<T>(m: Message, k: string): T | undefined {
  return (m.attrs as Record<string, unknown>)[k] as T | undefined;
}

function zero(family: number): Uint8Array {
  return new Uint8Array(family === AF_INET6 ? 16 : 4);
}

/** filter_nlmsg's checks beyond the default listing (table, family, cloned: routeListed). */
function routeSelected(m: Message, f: RouteFilter): boolean {
  const h = hdr(m);
  const fam = h['family'] ?? 0;
  if (f.protocol !== undefined && h['protocol'] !== f.protocol) return false;
  if (f.scope !== undefined && h['scope'] !== f.scope) return false;
  if (f.types && !f.types.has(h['type'] ?? 0)) return false;
  if (f.tos !== undefined && h['tos'] !== f.tos) return false;
  const dstLen = h['dst_len'] ?? 0;
  const srcLen = h['src_len'] ?? 0;
  const dst = f.rdst || f.mdst ? (addressBytes(attr<string>(m, 'dst')) ?? zero(fam)) : zero(fam);
  const src = f.rsrc || f.msrc ? (addressBytes(attr<string>(m, 'src')) ?? zero(fam)) : zero(fam);
  const pfx = (p: Prefix | undefined, exactLen: number, bytes: Uint8Array, root: boolean): boolean => {
    if (!p) return true;
    if (p.family && p.family !== fam) return false;
    if (root) {
      if (p.bitlen > exactLen) return false;
      return p.bytes.length === 0 || bitsMatch(bytes, p.bytes, p.bitlen);
    }
    if (p.bitlen < exactLen) return false;
    return p.bytes.length === 0 || bitsMatch(bytes, p.bytes, exactLen);
  };
  if (!pfx(f.rdst, dstLen, dst, true) || !pfx(f.mdst, dstLen, dst, false)) return false;
  if (!pfx(f.rsrc, srcLen, src, true) || !pfx(f.msrc, srcLen, src, false)) return false;
  if (f.via && f.via.bytes.length) {
    const gw = addressBytes(attr<string>(m, 'gateway') ?? attr<{ addr?: string }>(m, 'via')?.addr);
    if (!gw || !bitsMatch(gw, f.via.bytes, f.via.bitlen)) return false;
  }
  if (f.prefsrc && f.prefsrc.bytes.length) {
    const ps = addressBytes(attr<string>(m, 'prefsrc'));
    if (!ps || !bitsMatch(ps, f.prefsrc.bytes, f.prefsrc.bitlen)) return false;
  }
  if (f.oif && attr<number>(m, 'oif') !== f.oif) return false;
  if (f.iif && attr<number>(m, 'iif') !== f.iif) return false;
  if (f.mark !== undefined && (attr<number>(m, 'mark') ?? 0) !== f.mark) return false;
  if (f.metric !== undefined && (attr<number>(m, 'priority') ?? 0) !== f.metric) return false;
  return true;
}

/** Whether a selector beyond table/family/cloned is set (then routeSelected must look). */
function selecting(f: RouteFilter): boolean {
  return (
    f.protocol !== undefined ||
    f.scope !== undefined ||
    f.types !== undefined ||
    f.tos !== undefined ||
    f.rdst !== undefined ||
    f.mdst !== undefined ||
    f.rsrc !== undefined ||
    f.msrc !== undefined ||
    f.via !== undefined ||
    f.prefsrc !== undefined ||
    f.oif !== 0 ||
    f.iif !== 0 ||
    f.mark !== undefined ||
    f.metric !== undefined
  );
}

/** What a selector fixes ip does not repeat: the device, protocol, scope, gateway, source. */
function withoutSelected(m: Message, f: RouteFilter): Message {
  if (!f.oif && f.protocol === undefined && f.scope === undefined && !f.via && !f.prefsrc) return m;
  const h = { ...(m.header as Record<string, unknown>) };
  const at = { ...(m.attrs as Record<string, unknown>) };
  if (f.oif) delete at['oif'];
  if (f.protocol !== undefined) h['protocol'] = 3;
  if (f.scope !== undefined) h['scope'] = 0;
  if (f.via && f.via.bitlen === f.via.bytes.length * 8) delete at['gateway'];
  if (f.prefsrc && f.prefsrc.bitlen === f.prefsrc.bytes.length * 8) delete at['prefsrc'];
  return { ...m, header: h, attrs: at } as Message;
}

async function list(a: Args, s: Session, mode: 'show' | 'flush'): Promise<number> {
  const family = s.opts.family === AF_INET || s.opts.family === AF_INET6 ? s.opts.family : 0;
  if (mode === 'flush' && !a.more) throw new CliExit(1, '"nlkit route flush" requires arguments.');
  const f = await parseRouteSelector(a, s, family);
  const dumpFamily = family || (f.tb === 'all' ? 0 : AF_INET);
  const attrs: Record<string, unknown> = {};
  if (f.tb !== 'all') attrs['table'] = f.tb;
  if (f.oif) attrs['oif'] = f.oif;
  const request = {
    type: 'RTM_GETROUTE',
    header: { family: dumpFamily, dst_len: 0, src_len: 0, tos: 0, table: 0, protocol: f.protocol ?? 0, scope: 0, type: 0, flags: f.cloned ? 0x200 : 0 },
    attrs,
  };
  const { routeListed } = await import('../view/route.js');
  const table: number | 'all' = f.tb === 'all' ? 'all' : f.tb;
  const sel = selecting(f);
  const keep = (m: Message): boolean =>
    (f.cloned ? m.type === 'RTM_NEWROUTE' && (hdr(m)['flags']! & 0x200) !== 0 : routeListed(m, dumpFamily, table)) && (!sel || routeSelected(m, f));
  // The kernel filters by table and answers ENOENT ("FIB table does not exist") for a table that
  // has no routes. For the implied main table ip 6.1 asks without a table and prints nothing; for
  // an explicit `table N` it reports the error: so do we.
  const missingTable = (e: unknown): boolean => !f.tableGiven && (e as { code?: string }).code === 'ENOENT';
  const terminated = async (e: unknown): Promise<never> => {
    const { failure } = await import('./session.js');
    const x = failure(e);
    throw new CliExit(x.status, `${x.text}Dump terminated`);
  };

  if (mode === 'flush') {
    let routes: Message[] = [];
    try {
      routes = await s.dump(request);
    } catch (e) {
      if (!missingTable(e)) await terminated(e);
    }
    return flush(s, routes.filter(keep));
  }

  // The routes are printed as they stream in (as ip does: a dump of 100,000 routes is not held in
  // memory). Interface names are learnt as ip's ll_index_to_name learns them: the first route
  // naming an index asks the kernel for that one link (dumping every link first cost 40-70 ms of
  // dump/route-100k nlkit cli, with 2,001 links of ~100 attributes decoded for one name).
  const client = await s.client();
  const [ctx, { printRoute, routeLinksMissing, routeTextFast }, { ListingWriter }, { rememberLink }, { decodeFlatMessage }] = await Promise.all([
    s.viewContext([]),
    import('../view/route.js'),
    import('../view/listing.js'),
    import('../view/context.js'),
    import('../netlink/message.js'),
  ]);
  const links = ctx.links as Map<number, LinkRef>;
  /** Indexes asked for already (named in `links` unless the kernel did not know them). */
  const asked = new Set<number>();
  const learn = async (index: number): Promise<void> => {
    asked.add(index);
    try {
      const [m] = await client.request({ type: 'RTM_GETLINK', header: { index }, attrs: { ext_mask: 1 << 3 } });
      if (m) rememberLink(links, m);
    } catch {
      // As ll_link_get: whatever the kernel answers, the link stays unnamed (`if<N>`).
    }
  };
  const opts = { details: s.opts.details > 0, stats: s.opts.stats, table, oneline: s.opts.oneline };
  const out = s.sink();
  const w = new ListingWriter({ json: s.opts.json, pretty: s.opts.pretty, oneline: s.opts.oneline });
  w.open();
  // Plain routes decode without the full decoder's bookkeeping (as nl.route.list() does).
  const stream = client.dump(request, { onInterrupt: 'report', decode: decodeFlatMessage });
  try {
    // In the batches received: an await per route cost more than printing it (dump/route-100k).
    for await (const batch of stream.batches()) {
      for (const raw of batch) {
        if (!keep(raw)) continue;
        const m = withoutSelected(raw, f);
        const toLearn = routeLinksMissing(m, asked);
        if (toLearn !== undefined) for (const index of toLearn) await learn(index);
        w.add(printRoute, m, ctx, opts, routeTextFast);
      }
      if (w.length >= 65536) out.write(w.take());
    }
  } catch (e) {
    if (!missingTable(e)) {
      out.write(w.take());
      out.end();
      await terminated(e);
    }
  }
  w.close();
  out.write(w.take());
  out.end();
  if (stream.interrupted) s.err('Dump was interrupted and may be inconsistent.\n');
  return 0;
}

async function flush(s: Session, routes: Message[]): Promise<number> {
  const nl = await s.api();
  for (const m of routes) {
    try {
      await nl.client.request({ type: 'RTM_DELROUTE', header: m.header as Record<string, unknown>, attrs: m.attrs as Record<string, unknown> });
    } catch (e) {
      if ((e as { code?: string }).code !== 'ESRCH') throw e;
    }
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// get

async function get(a: Args, s: Session): Promise<number> {
  const family = s.opts.family === AF_INET || s.opts.family === AF_INET6 ? s.opts.family : 0;
  const o: Record<string, unknown> = {};
  let to: Prefix | undefined;
  while (a.more) {
    const w = a.word;
    if (w === 'tos' || matches(w, 'dsfield')) {
      const v = a.next();
      const n = /^(0x)?[0-9a-fA-F]{1,2}$/.test(v) ? parseInt(v.replace(/^0x/, ''), 16) : undefined;
      if (n === undefined) throw invarg('TOS value is invalid\n', v);
      o['tos'] = n;
    } else if (matches(w, 'from')) {
      const v = a.next();
      const p = getPrefix(v, family);
      o['from'] = `${p.address}/${p.bitlen}`;
    } else if (w === 'iif') o['iif'] = await s.ifindex(a.next());
    else if (w === 'mark') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('invalid mark value\n', v);
      o['mark'] = n;
    } else if (matches(w, 'oif') || w === 'dev') o['oif'] = await s.ifindex(a.next());
    else if (matches(w, 'uid')) {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('invalid UID\n', v);
      o['uid'] = n;
    } else if (matches(w, 'fibmatch')) o['fibmatch'] = true;
    else if (w === 'ipproto') {
      const v = a.next();
      const n = v === 'tcp' ? 6 : v === 'udp' ? 17 : v === 'icmp' ? 1 : v === 'ipv6-icmp' || v === 'icmpv6' ? 58 : getUnsigned(v, 255);
      if (n === undefined) throw invarg('Invalid "ipproto" value\n', v);
      o['ipproto'] = n;
    } else if (w === 'sport' || w === 'dport') {
      const v = a.next();
      const n = getUnsigned(v, 0xffff);
      if (n === undefined) throw invarg(`invalid ${w}\n`, v);
      o[w] = n;
    } else if (w === 'connected' || w === 'vrf' || w === 'as') throw usageError(`nlkit: "route get ${w}" is not supported`);
    else {
      let v = w;
      if (matches(v, 'to')) v = a.next();
      if (matches(v, 'help')) usage();
      to = getPrefix(v, family);
    }
    a.skip();
  }
  if (!to) throw new CliExit(255, 'need at least a destination address');
  const nl = await s.api();
  const r = await nl.route.get(to.lenGiven ? `${to.address}/${to.bitlen}` : to.address, o);
  const links = await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } });
  const ctx = await s.viewContext(links);
  const view = await import('../view/ip-json.js');
  const opts = { details: s.opts.details > 0, stats: s.opts.stats, table: 'all' as const, oneline: s.opts.oneline };
  const m = r.raw;
  const flags = (hdr(m)['flags'] ?? 0) >>> 0;
  if (!(flags & 0x200) || hdr(m)['family'] !== AF_INET) {
    if (s.opts.json) s.outJson([view.routeJson(m, ctx, opts)]);
    else s.out(view.routeText(m, ctx, opts));
    return 0;
  }
  // An IPv4 lookup answers with a cloned route: ip adds its `cache` flags (print_cache_flags)
  // before the metrics, iif and pref.
  const names = cacheFlags(flags);
  const tailKeys = ['metrics', 'iif', 'pref', 'ttl_propagate', 'multipath'];
  const head = { ...m, attrs: Object.fromEntries(Object.entries(m.attrs as Record<string, unknown>).filter(([k]) => !tailKeys.includes(k))) } as Message;
  if (s.opts.json) {
    const full = view.routeJson(m, ctx, opts) ?? {};
    const front = view.routeJson(head, ctx, opts) ?? {};
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(full)) if (k in front) out[k] = v;
    out['cache'] = names;
    for (const [k, v] of Object.entries(full)) if (!(k in front)) out[k] = v;
    s.outJson([out]);
    return 0;
  }
  const full = view.routeText(m, ctx, opts).replace(/\n$/, '');
  const base = view.routeText(head, ctx, opts).replace(/\n$/, '');
  const sl = s.opts.oneline ? '\\' : '\n';
  const cache = `${sl}    cache ${names.length ? `<${names.join(',')}> ` : ''}`;
  s.out(base + cache + full.slice(base.length) + '\n');
  return 0;
}

/** RTCF_* names of a cloned route's flags, as ip's print_cache_flags lists them. */
function cacheFlags(flags: number): string[] {
  const RTCF: ReadonlyArray<readonly [number, string]> = [
    [0x80000000, 'local'],
    [0x40000000, 'reject'],
    [0x20000000, 'multicast'],
    [0x10000000, 'broadcast'],
    [0x08000000, 'dst-nat'],
    [0x00800000, 'src-nat'],
    [0x00400000, 'masq'],
    [0x04000000, 'dst-direct'],
    [0x00040000, 'redirected'],
    [0x01000000, 'redirect'],
    [0x00200000, 'fastroute'],
    [0x00010000, 'notify'],
    [0x00080000, 'proxy'],
  ];
  const out: string[] = [];
  let f = (flags & ~0xffff) >>> 0;
  for (const [bit, name] of RTCF) {
    if (f & bit) {
      out.push(name);
      f = (f & ~bit) >>> 0;
    }
  }
  if (f) out.push(f.toString(16));
  return out;
}
