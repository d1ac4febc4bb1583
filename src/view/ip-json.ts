/**
 * Decoded rtnetlink messages rendered exactly as iproute2 6.1 prints the same objects: the JSON
 * of `ip -j` (`link show`, `addr show`, `route show`, `neigh show`, `bridge -j fdb show`) and the
 * plain text of the same commands. Pure functions: everything they need beyond the message is in
 * the {@link ViewContext} (interface names from link messages, name tables).
 *
 * Per object: {@link linkJson}, {@link addrJson}, {@link routeJson}, {@link neighJson},
 * {@link fdbJson} and their `...Text` twins. Whole listings with ip's default filters (which
 * routes `ip route show` lists, which links `ip -6 addr show` lists, ...): {@link showJson} and
 * {@link showText}. Long listings printed as they stream (a command line): {@link ListingWriter}
 * with the renderers {@link printRoute}, {@link printLinkShow}, {@link printAddrShow},
 * {@link printNeigh}, {@link printFdb} — one buffer of text, no value tree per object.
 *
 * @example
 * ```ts
 * const links = await client.dump({ type: 'RTM_GETLINK', header: {} }).collect();
 * const ctx = viewContext(links);
 * linkJson(links[0], ctx, { details: true }); // { ifindex: 1, ifname: 'lo', flags: [...], ... }
 * showText('link', links, ctx);               // '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 ...'
 * ```
 * @module
 */
import type { Message } from '../netlink/message.js';
import { field } from './attrs.js';
import { addrListShowsLink, printAddrInfo } from './addr.js';
import type { ViewContext } from './context.js';
import { type LinkShowOptions, printLinkInfo, printLinkShow, printLinkStats } from './link.js';
import { type NeighShowOptions, neighListed, printFdb, printNeigh } from './neigh.js';
import { IpPrinter, JSON_ONLY, type JsonObject } from './printer.js';
import { printRoute, type RouteShowOptions, routeListed } from './route.js';

export { viewContext, rememberLink, ifName, type ViewContext, type ViewContextOptions, type LinkRef } from './context.js';
export { defaultNames, parseNameDb, withNames, type IpNames } from './names.js';
export type { JsonObject, JsonValue } from './printer.js';
export type { LinkShowOptions } from './link.js';
export type { RouteShowOptions } from './route.js';
export type { NeighShowOptions } from './neigh.js';
export { UNSUPPORTED_KINDS } from './link-kinds.js';
export { toJsonText } from './json.js';
export { ListingWriter, type ListingWriterOptions, type ItemRenderer } from './listing.js';
export { printLinkShow } from './link.js';
export { printRoute, routeListed } from './route.js';
export { printNeigh, printFdb, neighListed } from './neigh.js';

/** Options of `ip addr show`. */
export interface AddrShowOptions extends LinkShowOptions {
  /** `-4`/`-6`: only addresses of this family (2 or 10; 0 = all). Default: 0. */
  family?: number;
}

/** Options common to every listing (see {@link showJson}). */
export interface ShowOptions extends LinkShowOptions {
  /** `-4` (2) / `-6` (10) / 0 for all. Default: 0 (for routes: IPv4 unless `table` is 'all'). */
  family?: number;
  /** Route table filter: number, or 'all'. Default: main. */
  table?: number | 'all';
  /** `-o`: one line per object (text). Default: false. */
  oneline?: boolean;
}

function statsLevel(s: boolean | number | undefined): number {
  return s === true ? 1 : typeof s === 'number' ? s : 0;
}

// ---------------------------------------------------------------------------------------------
// link

/** One object of `ip -j [-d] [-s] link show` (undefined for messages that are not links). */
export function linkJson(msg: Message, ctx: ViewContext, opts: LinkShowOptions = {}): JsonObject | undefined {
  const p = new IpPrinter(true);
  return printLinkShow(p, msg, ctx, opts) ? p.result() : undefined;
}

/** The lines of `ip [-d] [-s] link show` for one link ('' for messages that are not links). */
export function linkText(msg: Message, ctx: ViewContext, opts: LinkShowOptions & { oneline?: boolean } = {}): string {
  const p = new IpPrinter(false, opts.oneline === true);
  if (!printLinkShow(p, msg, ctx, opts)) return '';
  p.fp('\n');
  return p.output();
}

// ---------------------------------------------------------------------------------------------
// addr

function addrsOf(link: Message, addrs: readonly Message[], family: number): Message[] {
  const index = field(link.header, 'index');
  return addrs.filter((a) => a.type === 'RTM_NEWADDR' && field(a.header, 'index') === index && (!family || field(a.header, 'family') === family));
}

/** Options of {@link printAddrShow}: those of `ip addr show`, and the addresses to show with the link. */
export interface AddrShowItemOptions extends AddrShowOptions {
  /** Address messages: the link's own (those of other links and families are skipped), in the order to print. */
  addrs: readonly Message[];
}

/**
 * One object of `ip [-4|-6] addr show`: the link, then its addresses (`addr_info` in JSON), then
 * its counters with `-s`. A {@link ListingWriter} renderer; {@link addrJson} and {@link addrText}
 * are this for one link.
 */
export function printAddrShow(p: IpPrinter, link: Message, ctx: ViewContext, opts: AddrShowItemOptions): boolean {
  return printLinkAndAddrs(p, link, opts.addrs, ctx, opts);
}

/** {@link printAddrShow} with the addresses apart from the options (addrJson/addrText make no options object per link). */
function printLinkAndAddrs(p: IpPrinter, link: Message, addrs: readonly Message[], ctx: ViewContext, opts: AddrShowOptions): boolean {
  if (!printLinkInfo(p, link, ctx, opts, false)) return false;
  const own = addrsOf(link, addrs, opts.family ?? 0);
  const s = statsLevel(opts.stats);
  if (p.json) {
    p.openArray(JSON_ONLY, 'addr_info');
    for (const a of own) {
      p.openObject(null);
      printAddrInfo(p, a, ctx);
      p.closeObject();
    }
    p.closeArray(JSON_ONLY, null);
    if (s) printLinkStats(p, link.attrs, s);
  } else {
    for (const a of own) {
      p.fp('\n');
      printAddrInfo(p, a, ctx);
    }
    if (s) {
      p.fp('\n');
      printLinkStats(p, link.attrs, s);
    }
  }
  return true;
}

/** One object of `ip -j [-4|-6] addr show`: the link, then `addr_info` from `addrs` (any order; those of other links are skipped). */
export function addrJson(link: Message, addrs: readonly Message[], ctx: ViewContext, opts: AddrShowOptions = {}): JsonObject | undefined {
  const p = new IpPrinter(true);
  return printLinkAndAddrs(p, link, addrs, ctx, opts) ? p.result() : undefined;
}

/** The lines of `ip [-4|-6] addr show` for one link and its addresses. */
export function addrText(link: Message, addrs: readonly Message[], ctx: ViewContext, opts: AddrShowOptions & { oneline?: boolean } = {}): string {
  const p = new IpPrinter(false, opts.oneline === true);
  if (!printLinkAndAddrs(p, link, addrs, ctx, opts)) return '';
  p.fp('\n');
  return p.output();
}

/** An address without its link (a capture that lacks the link): `{index, dev, family, local, ...}` as `ip -o -j addr` prints it. */
export function addrOnlyJson(msg: Message, ctx: ViewContext): JsonObject | undefined {
  const p = new IpPrinter(true);
  return printAddrInfo(p, msg, ctx, { withDevice: true }) ? p.result() : undefined;
}

/** The text of {@link addrOnlyJson}: `N: dev    inet 10.0.0.1/24 ...`. */
export function addrOnlyText(msg: Message, ctx: ViewContext): string {
  const p = new IpPrinter(false);
  if (!printAddrInfo(p, msg, ctx, { withDevice: true })) return '';
  p.fp('\n');
  return p.output();
}

// ---------------------------------------------------------------------------------------------
// route, neigh, fdb

/** One object of `ip -j route show` (undefined for messages that are not routes). `opts.table` is the listing's filter. */
export function routeJson(msg: Message, ctx: ViewContext, opts: RouteShowOptions = {}): JsonObject | undefined {
  const p = new IpPrinter(true);
  return printRoute(p, msg, ctx, opts) ? p.result() : undefined;
}

/** The line(s) of `ip route show` for one route. */
export function routeText(msg: Message, ctx: ViewContext, opts: RouteShowOptions & { oneline?: boolean } = {}): string {
  const p = new IpPrinter(false, opts.oneline === true);
  if (!printRoute(p, msg, ctx, opts)) return '';
  p.fp('\n');
  return p.output();
}

/** One object of `ip -j neigh show`. */
export function neighJson(msg: Message, ctx: ViewContext, opts: NeighShowOptions = {}): JsonObject | undefined {
  const p = new IpPrinter(true);
  return printNeigh(p, msg, ctx, opts) ? p.result() : undefined;
}

/** The line of `ip neigh show` for one neighbour. */
export function neighText(msg: Message, ctx: ViewContext, opts: NeighShowOptions = {}): string {
  const p = new IpPrinter(false);
  if (!printNeigh(p, msg, ctx, opts)) return '';
  p.fp('\n');
  return p.output();
}

/** One object of `bridge -j fdb show` (undefined unless an AF_BRIDGE neighbour message). */
export function fdbJson(msg: Message, ctx: ViewContext, opts: NeighShowOptions = {}): JsonObject | undefined {
  const p = new IpPrinter(true);
  return printFdb(p, msg, ctx, opts) ? p.result() : undefined;
}

/** The line of `bridge fdb show` for one entry. */
export function fdbText(msg: Message, ctx: ViewContext, opts: NeighShowOptions = {}): string {
  const p = new IpPrinter(false);
  if (!printFdb(p, msg, ctx, opts)) return '';
  p.fp('\n');
  return p.output();
}

// ---------------------------------------------------------------------------------------------
// listings

/** What a listing shows. `addr` takes link and address messages together. */
export type ShowKind = 'link' | 'addr' | 'route' | 'neigh' | 'fdb';

function listed(kind: ShowKind, messages: readonly Message[], opts: ShowOptions): Array<{ m: Message; addrs?: Message[] }> {
  const family = opts.family ?? 0;
  switch (kind) {
    case 'link':
      return messages.filter((m) => m.type === 'RTM_NEWLINK').map((m) => ({ m }));
    case 'addr': {
      // Each link's addresses, grouped once (ipaddr_filter per link over all addresses is quadratic).
      const byLink = new Map<number, Message[]>();
      for (const m of messages) {
        if (m.type !== 'RTM_NEWADDR') continue;
        const idx = field(m.header, 'index');
        const own = byLink.get(idx);
        if (own === undefined) byLink.set(idx, [m]);
        else own.push(m);
      }
      const none: Message[] = [];
      return messages
        .filter((m) => m.type === 'RTM_NEWLINK' && addrListShowsLink(field(m.header, 'index'), byLink.get(field(m.header, 'index')) ?? none, family))
        .map((m) => ({ m, addrs: byLink.get(field(m.header, 'index')) ?? none }));
    }
    case 'route': {
      const table = opts.table ?? 254;
      const fam = family || (table === 'all' || table === 0 ? 0 : 2);
      return messages.filter((m) => routeListed(m, fam, table)).map((m) => ({ m }));
    }
    case 'neigh':
      return messages.filter((m) => neighListed(m, family)).map((m) => ({ m }));
    case 'fdb':
      return messages.filter((m) => m.type === 'RTM_NEWNEIGH' && field(m.header, 'family') === 7).map((m) => ({ m }));
  }
}

/**
 * The JSON array a listing command prints for these messages (a dump's replies), with ip's
 * default filters: `link` = `ip -j link show`, `addr` = `ip -j addr show`, `route` =
 * `ip -j route show [table T]`, `neigh` = `ip -j neigh show`, `fdb` = `bridge -j fdb show`.
 */
export function showJson(kind: ShowKind, messages: readonly Message[], ctx: ViewContext, opts: ShowOptions = {}): JsonObject[] {
  const out: JsonObject[] = [];
  for (const { m, addrs } of listed(kind, messages, opts)) {
    let o: JsonObject | undefined;
    switch (kind) {
      case 'link':
        o = linkJson(m, ctx, opts);
        break;
      case 'addr':
        o = addrJson(m, addrs ?? [], ctx, opts);
        break;
      case 'route':
        o = routeJson(m, ctx, opts);
        break;
      case 'neigh':
        o = neighJson(m, ctx, opts);
        break;
      case 'fdb':
        o = fdbJson(m, ctx, opts);
        break;
    }
    if (o) out.push(o);
  }
  return out;
}

/** The text a listing command prints for these messages (see {@link showJson}). */
export function showText(kind: ShowKind, messages: readonly Message[], ctx: ViewContext, opts: ShowOptions = {}): string {
  let out = '';
  for (const { m, addrs } of listed(kind, messages, opts)) {
    switch (kind) {
      case 'link':
        out += linkText(m, ctx, opts);
        break;
      case 'addr':
        out += addrText(m, addrs ?? [], ctx, opts);
        break;
      case 'route':
        out += routeText(m, ctx, opts);
        break;
      case 'neigh':
        out += neighText(m, ctx, opts);
        break;
      case 'fdb':
        out += fdbText(m, ctx, opts);
        break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// objects of a capture or a monitor stream

/** Options of {@link objectsJson}. */
export interface ObjectsOptions extends LinkShowOptions {
  /** `-o`: one line per object (text). Default: false. */
  oneline?: boolean;
}

type Rendered = { kind: 'link'; m: Message; addrs: Message[] } | { kind: 'addr' | 'route' | 'neigh' | 'fdb'; m: Message };

function objectsOf(messages: readonly Message[]): { items: Rendered[]; withAddrs: boolean } {
  const withAddrs = messages.some((m) => m.type === 'RTM_NEWADDR' || m.type === 'RTM_DELADDR');
  const linkIdx = new Set<number>();
  for (const m of messages) if (m.type === 'RTM_NEWLINK') linkIdx.add(field(m.header, 'index'));
  const items: Rendered[] = [];
  const byLink = new Map<number, Message[]>();
  for (const m of messages) {
    switch (m.type) {
      case 'RTM_NEWLINK':
      case 'RTM_DELLINK': {
        const idx = field(m.header, 'index');
        let addrs = byLink.get(idx);
        if (!addrs) byLink.set(idx, (addrs = []));
        items.push({ kind: 'link', m, addrs });
        break;
      }
      case 'RTM_NEWADDR':
      case 'RTM_DELADDR': {
        const idx = field(m.header, 'index');
        if (m.type === 'RTM_NEWADDR' && linkIdx.has(idx)) {
          let addrs = byLink.get(idx);
          if (!addrs) byLink.set(idx, (addrs = []));
          addrs.push(m);
        } else items.push({ kind: 'addr', m });
        break;
      }
      case 'RTM_NEWROUTE':
      case 'RTM_DELROUTE':
        items.push({ kind: 'route', m });
        break;
      case 'RTM_NEWNEIGH':
      case 'RTM_DELNEIGH':
        items.push({ kind: field(m.header, 'family') === 7 ? 'fdb' : 'neigh', m });
        break;
    }
  }
  return { items, withAddrs };
}

/**
 * The objects described by a sequence of messages (a capture, a monitor stream), in order, each
 * as ip prints it: links as `ip -j link show` (as `ip -j addr show`, with their `addr_info`, when
 * the messages hold addresses), addresses whose link is absent as `ip -j -o addr` entries,
 * routes as `ip -j route show table all`, neighbours as `ip -j neigh`, bridge fdb entries as
 * `bridge -j fdb`. Deleted objects carry `"deleted": true` as in `ip monitor`.
 */
export function objectsJson(messages: readonly Message[], ctx: ViewContext, opts: ObjectsOptions = {}): JsonObject[] {
  const { items, withAddrs } = objectsOf(messages);
  const out: JsonObject[] = [];
  for (const it of items) {
    let o: JsonObject | undefined;
    if (it.kind === 'link') o = withAddrs && it.m.type === 'RTM_NEWLINK' ? addrJson(it.m, it.addrs, ctx, opts) : linkJson(it.m, ctx, opts);
    else if (it.kind === 'addr') o = addrOnlyJson(it.m, ctx);
    else if (it.kind === 'route') o = routeJson(it.m, ctx, { ...opts, table: 'all' });
    else if (it.kind === 'neigh') o = neighJson(it.m, ctx, opts);
    else o = fdbJson(it.m, ctx, opts);
    if (o) out.push(o);
  }
  return out;
}

/** The text of {@link objectsJson}'s objects, as ip prints them. */
export function objectsText(messages: readonly Message[], ctx: ViewContext, opts: ObjectsOptions = {}): string {
  const { items, withAddrs } = objectsOf(messages);
  let out = '';
  for (const it of items) {
    if (it.kind === 'link') out += withAddrs && it.m.type === 'RTM_NEWLINK' ? addrText(it.m, it.addrs, ctx, opts) : linkText(it.m, ctx, opts);
    else if (it.kind === 'addr') out += addrOnlyText(it.m, ctx);
    else if (it.kind === 'route') out += routeText(it.m, ctx, { ...opts, table: 'all' });
    else if (it.kind === 'neigh') out += neighText(it.m, ctx, opts);
    else out += fdbText(it.m, ctx, opts);
  }
  return out;
}
