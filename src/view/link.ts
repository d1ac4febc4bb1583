/**
 * `ip link show` / the link part of `ip addr show`: iproute2 6.1's `print_linkinfo` (ipaddress.c)
 * over a decoded RTM_NEWLINK/RTM_DELLINK, through {@link IpPrinter} so the same code gives the
 * JSON of `ip -j` and the text of plain `ip`.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import { type Attrs, all, big, field, has, num, obj, str } from './attrs.js';
import { type ViewContext, ifFlags, ifName } from './context.js';
import { printKindData, hasKindPrinter } from './link-kinds.js';
import { groupName, llAddrText, llTypeName } from './names.js';
import { ANY, FP, IpPrinter, JSON_ONLY } from './printer.js';
import { IFF, IFF_PRINT_ORDER } from '../rtnetlink/flags.js';

/** How a link is shown. */
export interface LinkShowOptions {
  /** `-d`: promiscuity, linkinfo, queues, GSO limits, ... Default: false. */
  details?: boolean;
  /** `-s` (1) or `-s -s` (2): counters. `true` means 1. Default: 0. */
  stats?: boolean | number;
  /** `-4`/`-6`/`-0` (2, 10, 17): with a family other than link (17), the `link/...` line is shown only with `-d`. Default: 0. */
  family?: number;
}

const OPER_STATES = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const LINK_MODES = ['DEFAULT', 'DORMANT'];
const LINK_EVENTS = ['NONE', 'REBOOT', 'FEATURE CHANGE', 'BONDING FAILOVER', 'NOTIFY PEERS', 'RESEND IGMP', 'BONDING OPTION'];

/** print_link_flags: `<UP,LOWER_UP>` / `"flags": [...]`. */
export function printLinkFlags(p: IpPrinter, flags: number, mdown: boolean): void {
  p.openArray(ANY, p.json ? 'flags' : '<');
  let f = flags >>> 0;
  if (f & IFF.UP && !(f & IFF.RUNNING)) p.str(ANY, null, f ? '%s,' : '%s', 'NO-CARRIER');
  f &= ~IFF.RUNNING;
  for (const name of IFF_PRINT_ORDER) {
    const bit = IFF[name];
    if (f & bit) {
      f &= ~bit;
      p.str(ANY, null, f ? '%s,' : '%s', name);
    }
  }
  if (f) p.hex(ANY, null, '%x', f);
  if (mdown) p.str(ANY, null, ',%s', 'M-DOWN');
  p.closeArray(ANY, '> ');
}

function printOperstate(p: IpPrinter, state: number): void {
  const name = OPER_STATES[state];
  if (name === undefined) {
    if (p.json) p.num(JSON_ONLY, 'operstate_index', null, state);
    else p.xhex(FP, null, 'state %#llx', state);
  } else if (p.json) p.str(JSON_ONLY, 'operstate', null, name);
  else p.fp('state %s ', name);
}

/** print_name_and_link: `name@link`, `"link"`/`"link_index"` in JSON. Returns whether the lower device is down. */
function printNameAndLink(p: IpPrinter, fmt: string, name: string, a: Attrs, ctx: ViewContext): boolean {
  let link: string | undefined;
  let mflag = false;
  if (has(a, 'link')) {
    const iflink = num(a, 'link') ?? 0;
    if (iflink) {
      if (has(a, 'link_netnsid')) {
        if (p.json) p.num(JSON_ONLY, 'link_index', null, iflink);
        else link = `if${iflink >>> 0}`;
      } else {
        link = ifName(ctx, iflink);
        if (p.json) {
          p.str(JSON_ONLY, 'link', null, link);
          link = undefined;
        }
        mflag = !(ifFlags(ctx, iflink) & IFF.UP);
      }
    } else if (p.json) p.null(JSON_ONLY, 'link', null, '');
    else link = 'NONE';
  }
  p.str(ANY, 'ifname', fmt, link !== undefined ? `${name}@${link}` : name);
  return mflag;
}

function printAfSpec(p: IpPrinter, a: Attrs): void {
  const inet6 = obj(obj(a, 'af_spec'), 'inet6');
  if (!inet6 || !has(inet6, 'addr_gen_mode')) return;
  const mode = num(inet6, 'addr_gen_mode') ?? 0;
  const name = ['eui64', 'none', 'stable_secret', 'random'][mode] ?? `0x${(mode & 0xff).toString(16).padStart(2, '0')}`;
  p.str(ANY, 'inet6_addr_gen_mode', 'addrgenmode %s ', name);
}

/** print_linktype: the `linkinfo` object (kind, info_data, slave kind, info_slave_data). */
function printLinkinfo(p: IpPrinter, li: Attrs, ctx: ViewContext, m: Message): void {
  p.openObject('linkinfo');
  const kind = str(li, 'kind');
  if (kind !== undefined) {
    p.fp('%s', p.sl);
    p.str(ANY, 'info_kind', '    %s ', kind);
    if (hasKindPrinter(kind)) {
      p.openObject('info_data');
      printKindData(p, kind, obj(li, 'data'), ctx, m);
      p.closeObject();
    }
  }
  const slave = str(li, 'slave_kind');
  if (slave !== undefined) {
    p.fp('%s', p.sl);
    p.str(ANY, 'info_slave_kind', '    %s_slave ', slave);
    if (hasKindPrinter(`${slave}_slave`)) {
      p.openObject('info_slave_data');
      printKindData(p, `${slave}_slave`, obj(li, 'slave_data'), ctx, m);
      p.closeObject();
    }
  }
  p.closeObject();
}

/** The width ip gives a counter column (print_num without -h). */
function w(n: number | bigint | undefined): string {
  return String(n ?? 0);
}

/** __print_link_stats: `stats64` (or the 32-bit `stats`) counters, JSON or text. */
export function printLinkStats(p: IpPrinter, a: Attrs, level: number): void {
  const s = obj(a, 'stats64') ?? obj(a, 'stats');
  if (!s) return;
  const key = has(a, 'stats64') ? 'stats64' : 'stats';
  const v = (k: string): number | bigint => big(s, k) ?? 0;
  const nz = (k: string): boolean => {
    const x = big(s, k);
    return x !== undefined && x !== 0 && x !== 0n;
  };
  const carrier = has(a, 'carrier_changes') ? num(a, 'carrier_changes') : undefined;
  if (p.json) {
    p.openObject(key);
    p.openObject('rx');
    for (const [k, f] of [['bytes', 'rx_bytes'], ['packets', 'rx_packets'], ['errors', 'rx_errors'], ['dropped', 'rx_dropped'], ['over_errors', 'rx_over_errors'], ['multicast', 'multicast']] as const) p.num(JSON_ONLY, k, null, v(f));
    if (nz('rx_compressed')) p.num(JSON_ONLY, 'compressed', null, v('rx_compressed'));
    if (level > 1) {
      for (const [k, f] of [['length_errors', 'rx_length_errors'], ['crc_errors', 'rx_crc_errors'], ['frame_errors', 'rx_frame_errors'], ['fifo_errors', 'rx_fifo_errors'], ['missed_errors', 'rx_missed_errors']] as const) p.num(JSON_ONLY, k, null, v(f));
      if (nz('rx_nohandler')) p.num(JSON_ONLY, 'nohandler', null, v('rx_nohandler'));
      if (nz('rx_otherhost_dropped')) p.num(JSON_ONLY, 'otherhost', null, v('rx_otherhost_dropped'));
    }
    p.closeObject();
    p.openObject('tx');
    for (const [k, f] of [['bytes', 'tx_bytes'], ['packets', 'tx_packets'], ['errors', 'tx_errors'], ['dropped', 'tx_dropped'], ['carrier_errors', 'tx_carrier_errors'], ['collisions', 'collisions']] as const) p.num(JSON_ONLY, k, null, v(f));
    if (nz('tx_compressed')) p.num(JSON_ONLY, 'compressed', null, v('tx_compressed'));
    if (level > 1) {
      for (const [k, f] of [['aborted_errors', 'tx_aborted_errors'], ['fifo_errors', 'tx_fifo_errors'], ['window_errors', 'tx_window_errors'], ['heartbeat_errors', 'tx_heartbeat_errors']] as const) p.num(JSON_ONLY, k, null, v(f));
      if (carrier !== undefined) p.num(JSON_ONLY, 'carrier_changes', null, carrier);
    }
    p.closeObject();
    p.closeObject();
    return;
  }
  // Text: the column layout of 6.1 (widths differ; the words and numbers are ip's).
  const row = (cells: string[]): string => `    ${cells.join(' ')} ${p.sl}`;
  let t = row(['RX:', 'bytes', 'packets', 'errors', 'dropped', 'missed', 'mcast', ...(nz('rx_compressed') ? ['compressed'] : [])]);
  t += `    ${[w(v('rx_bytes')), w(v('rx_packets')), w(v('rx_errors')), w(v('rx_dropped')), w(v('rx_missed_errors')), w(v('multicast')), ...(nz('rx_compressed') ? [w(v('rx_compressed'))] : [])].join(' ')} `;
  if (level > 1) {
    t += p.sl;
    t += row(['RX errors:', 'length', 'crc', 'frame', 'fifo', 'overrun', ...(nz('rx_nohandler') ? ['nohandler'] : []), ...(nz('rx_otherhost_dropped') ? ['otherhost'] : [])]);
    t += `    ${[w(v('rx_length_errors')), w(v('rx_crc_errors')), w(v('rx_frame_errors')), w(v('rx_fifo_errors')), w(v('rx_over_errors')), ...(nz('rx_nohandler') ? [w(v('rx_nohandler'))] : []), ...(nz('rx_otherhost_dropped') ? [w(v('rx_otherhost_dropped'))] : [])].join(' ')} `;
  }
  t += p.sl;
  t += row(['TX:', 'bytes', 'packets', 'errors', 'dropped', 'carrier', 'collsns', ...(nz('tx_compressed') ? ['compressed'] : [])]);
  t += `    ${[w(v('tx_bytes')), w(v('tx_packets')), w(v('tx_errors')), w(v('tx_dropped')), w(v('tx_carrier_errors')), w(v('collisions')), ...(nz('tx_compressed') ? [w(v('tx_compressed'))] : [])].join(' ')} `;
  if (level > 1) {
    t += p.sl;
    t += row(['TX errors:', 'aborted', 'fifo', 'window', 'heartbt', ...(carrier !== undefined ? ['transns'] : [])]);
    t += `    ${[w(v('tx_aborted_errors')), w(v('tx_fifo_errors')), w(v('tx_window_errors')), w(v('tx_heartbeat_errors')), ...(carrier !== undefined ? [w(carrier)] : [])].join(' ')} `;
  }
  p.fp('%s', t);
}

/** One object of `ip link show`: {@link printLinkInfo} with `doLink`, as a {@link ListingWriter} renderer. */
export function printLinkShow(p: IpPrinter, m: Message, ctx: ViewContext, opts: LinkShowOptions): boolean {
  return printLinkInfo(p, m, ctx, opts, true);
}

/**
 * print_linkinfo. `doLink` is true for `ip link` and false for the link part of `ip addr`
 * (which shows no link mode, no addrgenmode, no alias and puts stats after the addresses).
 * Returns false when the message is not a link message (nothing printed).
 */
export function printLinkInfo(p: IpPrinter, m: Message, ctx: ViewContext, opts: LinkShowOptions, doLink: boolean): boolean {
  if (m.type !== 'RTM_NEWLINK' && m.type !== 'RTM_DELLINK') return false;
  const h = m.header;
  const a = m.attrs;
  const index = field(h, 'index');
  const type = field(h, 'type');
  const flags = field(h, 'flags');
  const details = opts.details === true;
  const stats = opts.stats === true ? 1 : typeof opts.stats === 'number' ? opts.stats : 0;
  const name = str(a, 'ifname') ?? ifName(ctx, index);

  if (m.type === 'RTM_DELLINK') p.bool(ANY, 'deleted', 'Deleted ', true);
  p.num(ANY, 'ifindex', '%d: ', index);
  const mdown = printNameAndLink(p, '%s: ', name, a, ctx);
  printLinkFlags(p, flags, mdown);

  if (has(a, 'mtu')) p.num(ANY, 'mtu', 'mtu %u ', num(a, 'mtu')!);
  if (has(a, 'qdisc')) p.str(ANY, 'qdisc', 'qdisc %s ', str(a, 'qdisc'));
  if (has(a, 'master')) p.str(ANY, 'master', 'master %s ', ifName(ctx, num(a, 'master') ?? 0));
  if (has(a, 'operstate')) printOperstate(p, num(a, 'operstate')!);
  if (doLink && has(a, 'linkmode')) {
    const mode = num(a, 'linkmode')!;
    const mname = LINK_MODES[mode];
    if (mname === undefined) p.num(ANY, 'linkmode_index', 'mode %d ', mode);
    else p.str(ANY, 'linkmode', 'mode %s ', mname);
  }
  if (has(a, 'group')) p.str(ANY, 'group', 'group %s ', groupName(ctx.names, num(a, 'group')!));
  // Without IFLA_TXQLEN (AF_INET6 link dumps) ip asks the kernel (SIOCGIFTXQLEN); the context stands in.
  const qlen = num(a, 'txqlen') ?? ctx.links.get(index)?.txqlen;
  if (qlen) p.num(ANY, 'txqlen', 'qlen %d', qlen);
  if (has(a, 'event')) {
    const ev = num(a, 'event')!;
    const en = LINK_EVENTS[ev];
    if (en === undefined) p.num(ANY, 'event', 'event %d ', ev);
    else if (ev) p.str(ANY, 'event', 'event %s ', en);
  }

  const family = opts.family ?? 0;
  if (!family || family === 17 || details) {
    p.nl();
    p.str(ANY, 'link_type', '    link/%s ', llTypeName(type));
    const address = str(a, 'address');
    if (address !== undefined) p.str(ANY, 'address', '%s', llAddrText(address, type));
    const brd = str(a, 'broadcast');
    if (brd !== undefined) {
      if (flags & IFF.POINTOPOINT) {
        p.str(FP, null, ' peer ', undefined);
        p.bool(JSON_ONLY, 'link_pointtopoint', null, true);
      } else p.str(FP, null, ' brd ', undefined);
      p.str(ANY, 'broadcast', '%s', llAddrText(brd, type));
    }
    const perm = str(a, 'perm_address');
    if (perm !== undefined && perm !== address) {
      p.str(FP, null, ' permaddr ', undefined);
      p.str(ANY, 'permaddr', '%s', llAddrText(perm, type));
    }
  }

  if (has(a, 'link_netnsid')) {
    const id = num(a, 'link_netnsid')!;
    if (p.json) p.num(JSON_ONLY, 'link_netnsid', null, id);
    else if (id >= 0) {
      const ns = ctx.netnsName?.(id);
      if (ns !== undefined) p.fp(' link-netns %s', ns);
      else p.fp(' link-netnsid %d', id);
    } else p.fp(' link-netnsid %s', 'unknown');
  }
  if (has(a, 'new_netnsid')) {
    const id = num(a, 'new_netnsid')!;
    if (p.json) p.num(JSON_ONLY, 'new_netnsid', null, id);
    else {
      const ns = ctx.netnsName?.(id);
      if (ns !== undefined) p.fp(' new-netns %s', ns);
      else p.fp(' new-netnsid %d', id);
    }
  }
  if (has(a, 'new_ifindex')) p.num(ANY, 'new_ifindex', ' new-ifindex %d', num(a, 'new_ifindex')!);
  if (num(a, 'proto_down')) p.bool(ANY, 'proto_down', ' protodown on ', true);

  if (details) {
    if (has(a, 'promiscuity')) p.num(ANY, 'promiscuity', ' promiscuity %u ', num(a, 'promiscuity')!);
    if (has(a, 'allmulti')) p.num(ANY, 'allmulti', ' allmulti %u ', num(a, 'allmulti')!);
    if (has(a, 'min_mtu')) p.num(ANY, 'min_mtu', 'minmtu %u ', num(a, 'min_mtu')!);
    if (has(a, 'max_mtu')) p.num(ANY, 'max_mtu', 'maxmtu %u ', num(a, 'max_mtu')!);
    const li = obj(a, 'linkinfo');
    if (li) printLinkinfo(p, li, ctx, m);
    if (doLink && has(a, 'af_spec')) printAfSpec(p, a);
    for (const [k, fmt] of [
      ['num_tx_queues', 'numtxqueues %u '],
      ['num_rx_queues', 'numrxqueues %u '],
      ['gso_max_size', 'gso_max_size %u '],
      ['gso_max_segs', 'gso_max_segs %u '],
      ['tso_max_size', 'tso_max_size %u '],
      ['tso_max_segs', 'tso_max_segs %u '],
      ['gro_max_size', 'gro_max_size %u '],
    ] as const) {
      if (has(a, k)) p.num(ANY, k, fmt, num(a, k)!);
    }
    if (has(a, 'phys_port_name')) p.str(ANY, 'phys_port_name', 'portname %s ', str(a, 'phys_port_name'));
    if (has(a, 'phys_port_id')) p.str(ANY, 'phys_port_id', 'portid %s ', str(a, 'phys_port_id'));
    if (has(a, 'phys_switch_id')) p.str(ANY, 'phys_switch_id', 'switchid %s ', str(a, 'phys_switch_id'));
    if (has(a, 'parent_dev_bus_name')) p.str(ANY, 'parentbus', 'parentbus %s ', str(a, 'parent_dev_bus_name'));
    if (has(a, 'parent_dev_name')) p.str(ANY, 'parentdev', 'parentdev %s ', str(a, 'parent_dev_name'));
  }

  if ((doLink || details) && has(a, 'ifalias')) {
    p.str(FP, null, '%s    ', p.sl);
    p.str(ANY, 'ifalias', 'alias %s', str(a, 'ifalias'));
  }

  if (doLink && stats) {
    p.nl();
    printLinkStats(p, a, stats);
  }

  const props = obj(a, 'prop_list');
  if (props) {
    p.openArray(JSON_ONLY, 'altnames');
    for (const alt of all(props, 'alt_ifname')) {
      if (typeof alt !== 'string') continue;
      p.str(FP, null, '%s', p.sl);
      p.str(ANY, null, '    altname %s', alt);
    }
    p.closeArray(JSON_ONLY, null);
  }
  return true;
}
