/**
 * `nlkit monitor [ all | OBJECTS ] [ label ] [ dev DEVICE ]`: rtnetlink notifications printed as
 * `ip monitor` prints them (ipmonitor.c: links in the `ip addr` style without qlen, addresses as
 * `N: dev    inet ...`, routes of every table, neighbours, netconf and nsid lines, `Deleted ` for
 * removals, `[LINK]`-style labels with `label`, `-t`/`-ts` timestamps).
 *
 * With `-j` (which ip 6.1 ignores for monitor) every event is one JSON object on its own line,
 * with the keys of the same object in `nlkit -j OBJECT show` and `"deleted": true` for removals.
 *
 * A lost notification (receive queue overrun) is reported on stderr and the interface names are
 * re-read; the monitor goes on.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import type { LinkRef, ViewContext } from '../view/context.js';
import { type Args, CliExit, HelpRequest, matches } from './args.js';
import type { Session } from './session.js';

/** RTNLGRP_* numbers. */
const GRP = {
  LINK: 1,
  NEIGH: 3,
  IPV4_IFADDR: 5,
  IPV4_ROUTE: 7,
  IPV6_IFADDR: 9,
  IPV6_ROUTE: 11,
  IPV4_NETCONF: 24,
  IPV6_NETCONF: 25,
  NSID: 28,
} as const;

const OBJECTS = ['link', 'address', 'route', 'neigh', 'netconf', 'nsid'] as const;
type Obj = (typeof OBJECTS)[number];

function groupsOf(objs: ReadonlySet<Obj>, family: number): number[] {
  const g: number[] = [];
  const v4 = family === 0 || family === 2;
  const v6 = family === 0 || family === 10;
  if (objs.has('link')) g.push(GRP.LINK);
  if (objs.has('address')) {
    if (v4) g.push(GRP.IPV4_IFADDR);
    if (v6) g.push(GRP.IPV6_IFADDR);
  }
  if (objs.has('route')) {
    if (v4) g.push(GRP.IPV4_ROUTE);
    if (v6) g.push(GRP.IPV6_ROUTE);
  }
  if (objs.has('neigh')) g.push(GRP.NEIGH);
  if (objs.has('netconf')) {
    if (v4) g.push(GRP.IPV4_NETCONF);
    if (v6) g.push(GRP.IPV6_NETCONF);
  }
  if (objs.has('nsid')) g.push(GRP.NSID);
  return g;
}

/** asctime() without its newline: `Sat Nov 28 14:36:06 2026`. */
function asctime(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

function timestamp(short: boolean): string {
  const now = Date.now();
  const d = new Date(now);
  const usec = String((now % 1000) * 1000).padStart(6, '0');
  if (short) {
    const p2 = (n: number) => String(n).padStart(2, '0');
    return `[${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}.${usec}] `;
  }
  return `Timestamp: ${asctime(d)} ${Number(usec)} usec\n`;
}

function familyName(f: number): string {
  return f === 2 ? 'inet' : f === 10 ? 'inet6' : f === 7 ? 'bridge' : f === 28 ? 'mpls' : f === 0 ? 'unspec' : `family ${f}`;
}

/** `nlkit monitor ...`. */
export async function runMonitor(a: Args, s: Session): Promise<number> {
  const objs = new Set<Obj>();
  let label = false;
  let dev: string | undefined;
  while (a.more) {
    const w = a.word;
    if (matches(w, 'file') || matches(w, 'all-nsid')) throw new CliExit(255, `nlkit: monitor "${w}" is not supported`);
    else if (matches(w, 'label')) label = true;
    else if (matches(w, 'link')) objs.add('link');
    else if (matches(w, 'address')) objs.add('address');
    else if (matches(w, 'route')) objs.add('route');
    else if (matches(w, 'neigh')) objs.add('neigh');
    else if (matches(w, 'netconf')) objs.add('netconf');
    else if (w === 'nsid') objs.add('nsid');
    else if (w === 'all') for (const o of OBJECTS) objs.add(o);
    else if (w === 'dev') dev = a.next();
    else if (matches(w, 'help')) throw new HelpRequest('monitor');
    else if (['mroute', 'prefix', 'rule', 'nexthop', 'stats'].some((o) => matches(w, o))) throw new CliExit(255, `nlkit: monitor "${w}" is not supported`);
    else throw new CliExit(255, `Argument "${w}" is unknown, try "nlkit monitor help".`);
    a.skip();
  }
  if (objs.size === 0) for (const o of OBJECTS) objs.add(o);
  const family = s.opts.family === 2 || s.opts.family === 10 ? s.opts.family : 0;
  const devIndex = dev === undefined ? 0 : await s.ifindex(dev);

  // A socket of its own for the notifications (requests on it would compete with them).
  const [{ NetlinkClient }, { routeProtocol }, { openNativeTransport }, { openNetns }] = await Promise.all([
    import('../netlink/client.js'),
    import('../rtnetlink/index.js'),
    import('../netlink/native-transport.js'),
    import('../api/netns-ref.js'),
  ]);
  const ns = s.opts.netns === undefined ? undefined : openNetns(s.opts.netns);
  const client = new NetlinkClient(openNativeTransport({ protocol: 0, ...(ns && { netnsFd: ns.fd }) }), routeProtocol());
  try {
    const sub = client.subscribe(groupsOf(objs, family));
    const r = await renderer(s);
    for await (const ev of sub) {
      if ('reason' in ev) {
        s.err(`nlkit: monitor: notifications were lost (${ev.reason}); interface names re-read\n`);
        await r.resync();
        continue;
      }
      const text = await r.render(ev as Message, devIndex, label);
      if (text === '') continue;
      s.out(text);
    }
  } finally {
    client.close();
    ns?.close();
  }
  return 0;
}

interface Renderer {
  render(m: Message, devIndex: number, label: boolean): Promise<string>;
  resync(): Promise<void>;
}

async function renderer(s: Session): Promise<Renderer> {
  const [view, printer, linkMod, addrMod, ctxMod, json] = await Promise.all([
    import('../view/ip-json.js'),
    import('../view/printer.js'),
    import('../view/link.js'),
    import('../view/addr.js'),
    import('../view/context.js'),
    import('./json-out.js'),
  ]);
  const links = new Map<number, LinkRef>();
  const noQlen = (m: Message): Message => ({ ...m, attrs: { ...(m.attrs as Record<string, unknown>), txqlen: undefined } }) as Message;
  const load = async () => {
    links.clear();
    for (const m of await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } })) ctxMod.rememberLink(links, noQlen(m));
  };
  await load();
  const base = await s.viewContext([]);
  const ctx: ViewContext = { ...base, links };
  let nsids: Map<number, string> | undefined;
  const o = s.opts;
  const out = (p: InstanceType<typeof printer.IpPrinter>): string => (o.json ? json.ipJsonText(p.result(), o.pretty) + '\n' : p.output());
  // ll_index_to_name: an index not seen yet is asked of the kernel.
  const nameOf = async (index: number): Promise<string> => {
    const known = links.get(index)?.name;
    if (known !== undefined) return known;
    try {
      const client = await s.client();
      const [m] = await client.request({ type: 'RTM_GETLINK', header: { index }, attrs: { ext_mask: 1 << 3 } });
      if (m) ctxMod.rememberLink(links, noQlen(m));
    } catch {
      // gone already
    }
    return links.get(index)?.name ?? `if${index}`;
  };
  const head = (lbl: string, doLabel: boolean): string => (o.timestamp ? timestamp(o.timestamp === 2) : '') + (doLabel && !o.json ? lbl : '');

  return {
    resync: load,
    async render(m, devIndex, label) {
      const h = m.header as Record<string, number>;
      const p = new printer.IpPrinter(o.json, o.oneline);
      switch (m.type) {
        case 'RTM_NEWLINK':
        case 'RTM_DELLINK': {
          if (devIndex && h['index'] !== devIndex) return '';
          const mm = noQlen(m);
          ctxMod.rememberLink(links, mm);
          if (!linkMod.printLinkInfo(p, mm, ctx, { details: o.details > 0, stats: o.stats }, false)) return '';
          p.fp('\n');
          return head('[LINK]', label) + out(p);
        }
        case 'RTM_NEWADDR':
        case 'RTM_DELADDR': {
          if (devIndex && h['index'] !== devIndex) return '';
          if (!addrMod.printAddrInfo(p, m, ctx, { withDevice: true })) return '';
          p.fp('\n');
          return head('[ADDR]', label) + out(p);
        }
        case 'RTM_NEWROUTE':
        case 'RTM_DELROUTE': {
          const oif = (m.attrs as { oif?: number }).oif;
          if (devIndex && oif !== devIndex) return '';
          const t = o.json ? view.routeJson(m, ctx, { table: 'all', details: o.details > 0 }) : view.routeText(m, ctx, { table: 'all', details: o.details > 0, oneline: o.oneline });
          if (!t) return '';
          return head('[ROUTE]', label) + (o.json ? json.ipJsonText(t, o.pretty) + '\n' : (t as string));
        }
        case 'RTM_NEWNEIGH':
        case 'RTM_DELNEIGH': {
          if (h['family'] === 7) return '';
          if (devIndex && h['ifindex'] !== devIndex) return '';
          const t = o.json ? view.neighJson(m, ctx, { stats: o.stats }) : view.neighText(m, ctx, { stats: o.stats });
          if (!t) return '';
          return head('[NEIGH]', label) + (o.json ? json.ipJsonText(t, o.pretty) + '\n' : (t as string));
        }
        case 'RTM_NEWNETCONF':
        case 'RTM_DELNETCONF': {
          const a = m.attrs as Record<string, unknown>;
          const idx = a['ifindex'];
          if (devIndex && idx !== devIndex) return '';
          if (m.type === 'RTM_DELNETCONF') p.bool(printer.ANY, 'deleted', 'Deleted ', true);
          p.str(printer.ANY, 'family', '%s ', familyName(h['family'] ?? 0));
          if (idx !== undefined) {
            const name = idx === -1 || idx === 'all' ? 'all' : idx === -2 || idx === 'default' ? 'default' : await nameOf(Number(idx));
            p.str(printer.ANY, 'interface', '%s ', name);
          }
          const onOff = (k: string) => {
            if (typeof a[k] === 'number') p.onOff(printer.ANY, k, `${k} %s `, a[k] !== 0);
          };
          onOff('forwarding');
          if (typeof a['rp_filter'] === 'number') {
            const rp = a['rp_filter'];
            p.str(printer.ANY, 'rp_filter', 'rp_filter %s ', rp === 0 ? 'off' : rp === 1 ? 'strict' : rp === 2 ? 'loose' : 'unknown mode');
          }
          onOff('mc_forwarding');
          onOff('proxy_neigh');
          onOff('ignore_routes_with_linkdown');
          onOff('input');
          p.fp('\n');
          return head('[NETCONF]', label) + out(p);
        }
        case 'RTM_NEWNSID':
        case 'RTM_DELNSID': {
          const a = m.attrs as { nsid?: number; current_nsid?: number };
          if (m.type === 'RTM_DELNSID') p.bool(printer.ANY, 'deleted', 'Deleted ', true);
          const id = a.nsid ?? -1;
          if (id < 0) p.fp('nsid unassigned ');
          else p.num(printer.ANY, 'nsid', 'nsid %u ', id);
          if (a.current_nsid !== undefined && a.current_nsid >= 0) p.num(printer.ANY, 'current-nsid', 'current-nsid %u ', a.current_nsid);
          if (id >= 0) {
            try {
              nsids = await s.nsidNames();
            } catch {
              // keep what we knew
            }
          }
          const name = nsids?.get(id);
          if (name !== undefined) p.str(printer.ANY, 'name', '(iproute2 netns name: %s)', name);
          p.fp('\n');
          return head('[NSID]', label) + out(p);
        }
        default:
          return '';
      }
    },
  };
}
