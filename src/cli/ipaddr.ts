/**
 * iproute2's `ipaddr_list_flush_or_save` for nlkit: `link show`, `addr show` and `addr flush`,
 * with ip's filters (`dev`, `up`, `master`/`nomaster`, `type`, `group`, `scope`, `to`, `label`,
 * the address flags), the same dump requests, and every output form (`-j`, `-p`, text, `-o`,
 * `-br`, `-d`, `-s`) through the view renderers.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import type { ViewContext } from '../view/context.js';
import { type Args, CliExit, duparg2, invarg, matches, usageError } from './args.js';
import { AF_INET, AF_INET6, getPrefix, inPrefix, type Prefix } from './inet.js';
import type { Session } from './session.js';
import { IFA_FLAG_NAMES } from '../rtnetlink/flags.js';

const AF_PACKET = 17;
/** RTEXT_FILTER_VF. */
const EXT_VF = 1;
/** RTEXT_FILTER_SKIP_STATS. */
const SKIP_STATS = 1 << 3;

/** IFA_F_* names of `get_filter` (`temporary` is secondary's IPv6 name). */
const IFA_FLAGS: Readonly<Record<string, number>> = Object.fromEntries(IFA_FLAG_NAMES);

const SCOPES: Readonly<Record<string, number>> = { global: 0, universe: 0, site: 200, link: 253, host: 254, nowhere: 255 };

/** The selection of `ip link show` / `ip addr show|flush`. */
export interface AddrFilter {
  dev: string | undefined;
  ifindex: number;
  up: boolean;
  /** Master index, -1 for `nomaster`, 0 for any. */
  master: number;
  kind: string | undefined;
  slaveKind: string | undefined;
  group: number | undefined;
  scope: number;
  scopemask: number;
  flags: number;
  flagmask: number;
  label: string | undefined;
  pfx: Prefix | undefined;
  family: number;
  proto: number | undefined;
}

/** The scope of `SCOPE` (a name of rt_scopes or a number), or undefined. */
export async function scopeValue(s: Session, word: string): Promise<number | undefined> {
  if (Object.hasOwn(SCOPES, word)) return SCOPES[word];
  const n = /^\d+$/.test(word) ? Number(word) : /^0x[0-9a-f]+$/i.test(word) ? parseInt(word, 16) : undefined;
  if (n !== undefined && n <= 255) return n;
  for (const [id, name] of (await s.names()).scopes) if (name === word) return id;
  return undefined;
}

function getFilterFlag(f: AddrFilter, word: string): boolean {
  let w = word;
  let inv = false;
  if (w.startsWith('-')) {
    inv = true;
    w = w.slice(1);
  }
  if (w === 'dynamic') {
    inv = !inv;
    w = 'permanent';
  } else if (w === 'primary') {
    inv = !inv;
    w = 'secondary';
  }
  const bit = IFA_FLAGS[w];
  if (bit === undefined || !Object.hasOwn(IFA_FLAGS, w)) return false;
  if (inv) f.flags &= ~bit;
  else f.flags |= bit;
  f.flagmask |= bit;
  return true;
}

/** Parses the selector words of `link show` / `addr show|flush` (ipaddr_list_flush_or_save). */
export async function parseSelector(a: Args, s: Session, usage: () => never): Promise<AddrFilter> {
  const f: AddrFilter = {
    dev: undefined,
    ifindex: 0,
    up: false,
    master: 0,
    kind: undefined,
    slaveKind: undefined,
    group: undefined,
    scope: 0,
    scopemask: 0,
    flags: 0,
    flagmask: 0,
    label: undefined,
    pfx: undefined,
    family: s.opts.family,
    proto: undefined,
  };
  while (a.more) {
    const w = a.word;
    if (w === 'to') {
      const v = a.next();
      f.pfx = getPrefix(v, f.family);
      if (f.family === 0) f.family = f.pfx.family;
    } else if (w === 'scope') {
      const v = a.next();
      f.scopemask = -1;
      const sc = await scopeValue(s, v);
      if (sc === undefined) {
        if (v !== 'all') throw invarg('invalid "scope"\n', v);
        f.scope = 255;
        f.scopemask = 0;
      } else f.scope = sc;
    } else if (w === 'up') {
      f.up = true;
    } else if (getFilterFlag(f, w)) {
      // an address flag
    } else if (w === 'label') {
      f.label = a.next();
    } else if (w === 'group') {
      const v = a.next();
      const g = await groupValue(s, v);
      if (g === undefined) throw invarg('Invalid "group" value\n', v);
      f.group = g;
    } else if (w === 'master') {
      const v = a.next();
      const idx = await s.ifindexOrUndefined(v);
      if (!idx) throw invarg('Device does not exist\n', v);
      f.master = idx;
    } else if (w === 'nomaster') {
      f.master = -1;
    } else if (w === 'type') {
      const v = a.next();
      if (v.endsWith('_slave')) f.slaveKind = v.slice(0, -'_slave'.length);
      else f.kind = v;
    } else if (w === 'vrf') {
      throw usageError('nlkit: "vrf" is not supported');
    } else if (w === 'proto') {
      const v = a.next();
      const n = /^\d+$/.test(v) ? Number(v) : undefined;
      if (n === undefined || n > 255) throw invarg('Invalid "proto"\n', v);
      f.proto = n;
    } else {
      let dev = w;
      if (w === 'dev') dev = a.next();
      else if (matches(w, 'help')) usage();
      if (f.dev !== undefined) throw duparg2('dev', dev);
      f.dev = dev;
    }
    a.skip();
  }
  if (f.dev !== undefined) {
    const idx = await s.ifindexOrUndefined(f.dev);
    if (!idx) throw new CliExit(1, `Device "${f.dev}" does not exist.`);
    f.ifindex = idx;
  }
  return f;
}

/** rtnl_group_a2n: `default`, a name of /etc/iproute2/group, or a number. */
export async function groupValue(s: Session, word: string): Promise<number | undefined> {
  if (word === 'default') return 0;
  if (/^(0x[0-9a-fA-F]+|\d+)$/.test(word)) {
    const n = Number(word);
    return n <= 0xffffffff ? n : undefined;
  }
  for (const [id, name] of (await s.names()).groups) if (name === word) return id;
  return undefined;
}

// ---------------------------------------------------------------------------------------------

function hdr(m: Message): Record<string, number> {
  return m.header as Record<string, number>;
}

function at<T>(m: Message, key: string): T | undefined {
  const v = (m.attrs as Record<string, unknown>)[key];
  return (Array.isArray(v) ? v[0] : v) as T | undefined;
}

/** print_linkinfo's own filters. */
function linkSelected(m: Message, f: AddrFilter): boolean {
  if (m.type !== 'RTM_NEWLINK') return false;
  const h = hdr(m);
  if (f.ifindex && h['index'] !== f.ifindex) return false;
  if (f.up && !((h['flags'] ?? 0) & 1)) return false;
  const group = at<number>(m, 'group');
  if (f.group !== undefined && group !== undefined && group !== f.group) return false;
  const master = at<number>(m, 'master');
  if (f.master > 0 && master !== f.master) return false;
  if (f.master === -1 && master !== undefined && master !== 0) return false;
  const li = at<{ kind?: string; slave_kind?: string }>(m, 'linkinfo');
  if (f.kind !== undefined && li?.kind !== f.kind) return false;
  if (f.slaveKind !== undefined && li?.slave_kind !== f.slaveKind) return false;
  return true;
}

function addrFlagsOf(m: Message): number {
  const v = at<number>(m, 'flags');
  return v !== undefined ? v >>> 0 : (hdr(m)['flags'] ?? 0);
}

function fnmatch(pattern: string, text: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const j = pattern.indexOf(']', i + 1);
      if (j < 0) re += '\\[';
      else {
        re += `[${pattern.slice(i + 1, j).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = j;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(re + '$').test(text);
}

/** Whether an address passes the filter (ipaddr_filter / print_addrinfo's checks). */
export function addrSelected(m: Message, f: AddrFilter, ctx: ViewContext | undefined): boolean {
  if (m.type !== 'RTM_NEWADDR') return false;
  const h = hdr(m);
  if (f.ifindex && h['index'] !== f.ifindex) return false;
  if (f.family && h['family'] !== f.family) return false;
  if ((f.scope ^ (h['scope'] ?? 0)) & f.scopemask) return false;
  if ((f.flags ^ addrFlagsOf(m)) & f.flagmask) return false;
  if (f.label !== undefined) {
    const label = at<string>(m, 'label') ?? ctx?.links.get(h['index'] ?? 0)?.name ?? '';
    if (!fnmatch(f.label, label)) return false;
  }
  if (f.proto !== undefined && (at<number>(m, 'proto') ?? 0) !== f.proto) return false;
  if (f.pfx) {
    const local = at<string>(m, 'local') ?? at<string>(m, 'address');
    if (!inPrefix(local, f.pfx)) return false;
  }
  return true;
}

/** The links and addresses of the namespace, as ip dumps them for a listing. */
export async function dumpLinks(s: Session, _f: AddrFilter, family: number): Promise<Message[]> {
  // All links (the names of masters and peers are needed even when only some are shown); the
  // master/type filters are applied here. AF_INET6 has its own link dump, which takes no
  // attributes (ip sends none there either). Without -s the kernel is asked to leave the
  // counters out (RTEXT_FILTER_SKIP_STATS): nothing prints them, and they are most of a link
  // message to decode.
  if (family === AF_INET6) return s.dump({ type: 'RTM_GETLINK', header: { family } });
  return s.dump({ type: 'RTM_GETLINK', header: { family }, attrs: { ext_mask: s.opts.stats ? EXT_VF : EXT_VF | SKIP_STATS } });
}

// ---------------------------------------------------------------------------------------------
// brief (-br)

const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];

async function briefPrinters(): Promise<{ IpPrinter: typeof import('../view/printer.js').IpPrinter; printLinkFlags: typeof import('../view/link.js').printLinkFlags; llAddrText: typeof import('../view/names.js').llAddrText }> {
  const [pr, li, na] = await Promise.all([import('../view/printer.js'), import('../view/link.js'), import('../view/names.js')]);
  return { IpPrinter: pr.IpPrinter, printLinkFlags: li.printLinkFlags, llAddrText: na.llAddrText };
}

type Printer = InstanceType<typeof import('../view/printer.js').IpPrinter>;

/** print_name_and_link: `link`/`link_index` before `ifname` in JSON; returns M-DOWN. */
export function nameAndLink(p: Printer, m: Message, ctx: ViewContext, fmt = '%-16s '): boolean {
  let name = at<string>(m, 'ifname') ?? '';
  let mdown = false;
  const iflink = at<number>(m, 'link');
  if (iflink !== undefined) {
    if (iflink) {
      if (at<number>(m, 'link_netnsid') !== undefined) {
        if (p.json) p.num(1, 'link_index', null, iflink);
        else name = `${name}@if${iflink}`;
      } else {
        const ln = ctx.links.get(iflink)?.name ?? `if${iflink}`;
        if (p.json) p.str(1, 'link', null, ln);
        else name = `${name}@${ln}`;
        const fl = ctx.links.get(iflink)?.flags;
        mdown = fl === undefined ? false : !(fl & 1);
      }
    } else if (p.json) p.null(1, 'link', null, '');
    else name = `${name}@NONE`;
  }
  p.str(3, 'ifname', fmt, name);
  return mdown;
}

async function briefLink(m: Message, addrs: Message[] | undefined, ctx: ViewContext, json: boolean, family: number): Promise<{ text: string; obj: unknown }> {
  const { IpPrinter, printLinkFlags, llAddrText } = await briefPrinters();
  const p = new IpPrinter(json);
  const mdown = nameAndLink(p, m, ctx);
  const op = at<number>(m, 'operstate');
  if (op !== undefined) {
    if (op >= OPER_STATES.length) {
      if (json) p.num(1, 'operstate_index', null, op);
      else p.xhex(2, null, 'state %#llx', op);
    } else p.str(3, 'operstate', '%-14s ', OPER_STATES[op]);
  }
  if (addrs === undefined) {
    const address = at<string>(m, 'address');
    if (address !== undefined) p.str(3, 'address', '%s ', llAddrText(address, hdr(m)['type'] ?? 0));
    printLinkFlags(p, hdr(m)['flags'] ?? 0, mdown);
    p.fp('\n');
  } else {
    p.openArray(1, 'addr_info');
    for (const a of addrs) {
      if (family && hdr(a)['family'] !== family) continue;
      p.openObject(null);
      const local = at<string>(a, 'local') ?? at<string>(a, 'address');
      const address = at<string>(a, 'address');
      if (local !== undefined) {
        p.str(3, 'local', '%s', local);
        if (address !== undefined && address !== local) {
          p.fp(' %s ', 'peer');
          p.str(3, 'address', '%s', address);
        }
        p.num(3, 'prefixlen', '/%d ', hdr(a)['prefixlen'] ?? 0);
        const metric = at<number>(a, 'rt_priority');
        if (metric !== undefined) p.num(3, 'metric', 'metric %u ', metric);
      }
      p.closeObject();
    }
    p.closeArray(1, null);
    p.fp('\n');
  }
  return json ? { text: '', obj: p.result() } : { text: p.output(), obj: undefined };
}

// ---------------------------------------------------------------------------------------------

/** `ip link show` (doLink) or `ip addr show`: prints the listing. */
export async function listAddrs(s: Session, f: AddrFilter, doLink: boolean): Promise<void> {
  const o = s.opts;
  const json = o.json;
  const details = o.details > 0;
  const stats = o.stats;
  // `ip link show`: the link family is AF_PACKET; `ip -0 addr` likewise lists links only.
  const family = doLink ? AF_PACKET : f.family;
  // The renderers load while the socket opens and the dump runs (bench: cli/link-show-3).
  const viewP = renderers(doLink);
  void viewP.catch(() => undefined); // (awaited below, unless the dump fails first)

  // `ip link show DEV` (no other link filter): one RTM_GETLINK, as ip does.
  if (doLink && f.dev !== undefined && f.group === undefined) {
    const client = await s.client();
    const [m] = await client.request({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ifname: f.dev, ext_mask: s.opts.stats ? EXT_VF : EXT_VF | SKIP_STATS } });
    const links = m ? [m] : [];
    const ctx = await s.viewContext(await contextLinks(s, links), undefined);
    await printLinks(s, links, undefined, ctx, { doLink, family, details, stats, view: await viewP, f });
    return;
  }

  const linkFamily = doLink ? 0 : f.family === AF_PACKET ? 0 : f.family;
  const links = await dumpLinks(s, f, linkFamily);
  // The AF_INET6 link dump has no IFLA_TXQLEN (ip asks the kernel for it): the context, built
  // from a whole link dump, stands in.
  const ctx = await s.viewContext(linkFamily === AF_INET6 ? await dumpLinks(s, f, 0) : links);
  let addrs: Message[] | undefined;
  let shown = links.filter((m) => linkSelected(m, f));
  if (!doLink && f.family !== AF_PACKET) {
    const all = await s.dump({ type: 'RTM_GETADDR', header: { family: f.family === AF_INET || f.family === AF_INET6 ? f.family : 0, index: f.ifindex } });
    const selected = all.filter((a) => addrSelected(a, f, ctx));
    addrs = selected;
    // ipaddr_filter: a link stays when one of its addresses matches, or when it has none at all
    // and no family was asked for.
    const withAny = new Set(all.filter((a) => a.type === 'RTM_NEWADDR').map((a) => hdr(a)['index']));
    const withMatch = new Set(selected.map((a) => hdr(a)['index']));
    shown = shown.filter((l) => {
      const idx = hdr(l)['index'];
      return withMatch.has(idx) || (!withAny.has(idx) && f.family === 0);
    });
  }
  await printLinks(s, shown, addrs, ctx, { doLink, family, details, stats, view: await viewP, f });
}

/** The links a context needs when only one was fetched: all of them (names of master and peer). */
async function contextLinks(s: Session, got: Message[]): Promise<Message[]> {
  const all = await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } });
  const idx = new Set(got.map((m) => hdr(m)['index']));
  return [...all.filter((m) => !idx.has(hdr(m)['index'])), ...got];
}

/** What a listing renders with, loaded while the dump runs (`link show` does not load the address view, for start-up time). */
interface Renderers {
  ListingWriter: typeof import('../view/listing.js').ListingWriter;
  printLinkShow: typeof import('../view/link.js').printLinkShow;
  printAddrShow: typeof import('../view/ip-json.js').printAddrShow | undefined;
}

async function renderers(doLink: boolean): Promise<Renderers> {
  const [{ ListingWriter }, { printLinkShow }, addr] = await Promise.all([import('../view/listing.js'), import('../view/link.js'), doLink ? undefined : import('../view/ip-json.js')]);
  return { ListingWriter, printLinkShow, printAddrShow: addr?.printAddrShow };
}

interface PrintOpts {
  doLink: boolean;
  family: number;
  details: boolean;
  stats: number;
  view: Renderers;
  f: AddrFilter;
}

async function printLinks(s: Session, links: Message[], allAddrs: Message[] | undefined, ctx: ViewContext, po: PrintOpts): Promise<void> {
  const o = s.opts;
  const { view } = po;
  // Each link's own addresses (grouping once keeps a listing of many links linear).
  const byLink = new Map<number, Message[]>();
  for (const a of allAddrs ?? []) {
    const idx = hdr(a)['index'] ?? 0;
    let l = byLink.get(idx);
    if (!l) byLink.set(idx, (l = []));
    l.push(a);
  }
  const own = (l: Message): Message[] => byLink.get(hdr(l)['index'] ?? 0) ?? [];
  const addrs = allAddrs;
  const lopts = { details: po.details, stats: po.stats, family: po.doLink ? AF_PACKET : po.f.family, oneline: o.oneline };
  if (o.brief) {
    const objs: unknown[] = [];
    let text = '';
    for (const m of links) {
      const r = await briefLink(m, po.doLink ? undefined : own(m), ctx, o.json, po.f.family);
      if (o.json) objs.push(r.obj);
      else text += r.text;
    }
    if (o.json) s.outJson(objs);
    else s.out(text);
    return;
  }
  if (!po.doLink && po.f.label !== undefined && !o.oneline && addrs) {
    // With a label selector ip prints the matching addresses without their links.
    const [{ IpPrinter }, { printAddrInfo }] = await Promise.all([import('../view/printer.js'), import('../view/addr.js')]);
    const objs: unknown[] = [];
    let text = '';
    for (const l of links) {
      const arr: unknown[] = [];
      for (const a of own(l)) {
        const p = new IpPrinter(o.json);
        printAddrInfo(p, a, ctx);
        p.fp('\n');
        if (o.json) arr.push(p.result());
        else text += p.output();
      }
      objs.push({ addr_info: arr });
    }
    if (o.json) s.outJson(objs);
    else s.out(text);
    return;
  }
  if (!po.doLink && o.oneline && addrs) {
    // `ip -o addr`: one line per address, `N: dev    inet ...`.
    const [{ IpPrinter }, { printAddrInfo }] = await Promise.all([import('../view/printer.js'), import('../view/addr.js')]);
    if (o.json) {
      const objs: unknown[] = [];
      for (const l of links) {
        const arr: unknown[] = [];
        for (const a of own(l)) {
          const p = new IpPrinter(true);
          printAddrInfo(p, a, ctx, { withDevice: true });
          arr.push(p.result());
        }
        objs.push({ addr_info: arr });
      }
      s.outJson(objs);
      return;
    }
    let text = '';
    for (const l of links) {
      for (const a of own(l)) {
        const p = new IpPrinter(false, true);
        printAddrInfo(p, a, ctx, { withDevice: true });
        p.fp('\n');
        text += p.output();
      }
    }
    s.out(text);
    return;
  }
  const { ListingWriter, printLinkShow } = view;
  const addrView = po.doLink || !addrs ? undefined : view.printAddrShow;
  const w = new ListingWriter({ json: o.json, pretty: o.pretty, oneline: o.oneline });
  const out = s.sink();
  w.open();
  for (const m of links) {
    if (addrView === undefined) w.add(printLinkShow, m, ctx, lopts);
    else w.add(addrView, m, ctx, { ...lopts, family: po.f.family, addrs: own(m) });
    if (w.length >= 65536) out.write(w.take());
  }
  w.close();
  out.write(w.take());
  out.end();
}

// ---------------------------------------------------------------------------------------------
// flush

/** `ip addr flush SELECTOR`: deletes every matching address (repeating while some remain). */
export async function flushAddrs(s: Session, f: AddrFilter, selectorGiven: boolean): Promise<void> {
  if (!selectorGiven) throw usageError('Flush requires arguments.');
  const nl = await s.api();
  let round = 0;
  for (; round < 10; round++) {
    const links = await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } });
    const ctx = await s.viewContext(links);
    const ok = new Set(links.filter((m) => linkSelected(m, { ...f, ifindex: f.ifindex })).map((m) => hdr(m)['index']));
    const addrs = (await s.dump({ type: 'RTM_GETADDR', header: { family: f.family === AF_INET || f.family === AF_INET6 ? f.family : 0, index: f.ifindex } })).filter(
      (a) => ok.has(hdr(a)['index']) && addrSelected(a, f, ctx),
    );
    if (addrs.length === 0) break;
    if (s.opts.stats) s.out(`\n*** Round ${round + 1}, deleting ${addrs.length} addresses ***\n`);
    for (const a of addrs) {
      try {
        await nl.client.request({ type: 'RTM_DELADDR', header: a.header as Record<string, unknown>, attrs: a.attrs as Record<string, unknown> });
      } catch (e) {
        // A secondary goes with its primary: it may be gone already.
        const code = (e as { code?: string }).code;
        if (code !== 'EADDRNOTAVAIL' && code !== 'ENOENT' && code !== 'ENODEV') throw e;
      }
    }
  }
  if (round === 0) {
    if (s.opts.stats) s.out('Nothing to flush.\n');
  } else if (round === 10) {
    throw new CliExit(1, `*** Flush remains incomplete after 10 rounds. ***`);
  } else if (s.opts.stats) s.out(`\n*** Flush is complete after ${round} round${round > 1 ? 's' : ''} ***\n`);
}
