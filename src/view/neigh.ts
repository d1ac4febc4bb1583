/**
 * `ip neigh show` (iproute2 6.1 `print_neigh`, ipneigh.c) and `bridge fdb show` (`print_fdb`,
 * bridge/fdb.c) for RTM_NEWNEIGH/RTM_DELNEIGH messages.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import { field, has, num, obj, str } from './attrs.js';
import { type ViewContext, ifName, ifType } from './context.js';
import { llAddrText, rtProtoName } from './names.js';
import { ANY, FP, type IpPrinter, JSON_ONLY } from './printer.js';

/** NUD_* states. */
export const NUD = {
  INCOMPLETE: 0x01,
  REACHABLE: 0x02,
  STALE: 0x04,
  DELAY: 0x08,
  PROBE: 0x10,
  FAILED: 0x20,
  NOARP: 0x40,
  PERMANENT: 0x80,
} as const;

const NTF = { USE: 0x01, SELF: 0x02, MASTER: 0x04, PROXY: 0x08, EXT_LEARNED: 0x10, OFFLOADED: 0x20, STICKY: 0x40, ROUTER: 0x80 } as const;
const USER_HZ = 100;
const AF_BRIDGE = 7;

/** Options of the neighbour renderers. */
export interface NeighShowOptions {
  /** `-s`: reference count, used/confirmed/updated times, probes. Default: 0. */
  stats?: boolean | number;
}

function printState(p: IpPrinter, nud: number): void {
  p.openArray(JSON_ONLY, p.json ? 'state' : '');
  let n = nud;
  for (const name of ['INCOMPLETE', 'REACHABLE', 'STALE', 'DELAY', 'PROBE', 'FAILED', 'NOARP', 'PERMANENT'] as const) {
    const bit = NUD[name];
    if (n & bit) {
      n &= ~bit;
      p.str(ANY, null, '%s ', name);
    }
  }
  p.closeArray(JSON_ONLY, null);
}

/** print_neigh. Returns false when the message is not a neighbour message. */
export function printNeigh(p: IpPrinter, m: Message, ctx: ViewContext, opts: NeighShowOptions = {}): boolean {
  if (m.type !== 'RTM_NEWNEIGH' && m.type !== 'RTM_DELNEIGH' && m.type !== 'RTM_GETNEIGH') return false;
  const h = m.header;
  const a = m.attrs;
  const family = field(h, 'family');
  const ifindex = field(h, 'ifindex');
  const state = field(h, 'state');
  const flags = field(h, 'flags');
  const stats = opts.stats === true ? 1 : typeof opts.stats === 'number' ? opts.stats : 0;

  if (m.type === 'RTM_DELNEIGH') p.bool(ANY, 'deleted', 'Deleted ', true);
  else if (m.type === 'RTM_GETNEIGH') p.null(ANY, 'miss', '%s ', 'miss');
  if (has(a, 'dst')) p.str(ANY, 'dst', '%s ', str(a, 'dst'));
  if (ifindex) {
    p.str(FP, null, 'dev ', undefined);
    p.str(ANY, 'dev', '%s ', ifName(ctx, ifindex));
  }
  if (has(a, 'lladdr')) {
    if (!p.json) p.fp('lladdr ');
    p.str(ANY, 'lladdr', '%s ', llAddrText(str(a, 'lladdr')!, ifType(ctx, ifindex)));
  }
  if (flags & NTF.ROUTER) p.null(ANY, 'router', '%s ', 'router');
  if (flags & NTF.PROXY) p.null(ANY, 'proxy', '%s ', 'proxy');
  if (flags & NTF.EXT_LEARNED) p.null(ANY, 'extern_learn', '%s ', 'extern_learn');
  if (flags & NTF.OFFLOADED) p.null(ANY, 'offload', '%s ', 'offload');
  if (stats) {
    const ci = obj(a, 'cacheinfo');
    if (ci) {
      const ref = num(ci, 'refcnt') ?? 0;
      if (ref) p.num(ANY, 'refcnt', 'ref %u ', ref);
      // sic: 6.1 prints no space after the updated time ("used 0/0/0probes 4", "used 0/0/0PERMANENT").
      p.num(ANY, 'used', 'used %u', Math.floor((num(ci, 'used') ?? 0) / USER_HZ));
      p.num(ANY, 'confirmed', '/%u', Math.floor((num(ci, 'confirmed') ?? 0) / USER_HZ));
      p.num(ANY, 'updated', '/%u', Math.floor((num(ci, 'updated') ?? 0) / USER_HZ));
    }
    if (has(a, 'probes')) p.num(ANY, 'probes', 'probes %u ', num(a, 'probes')!);
  }
  if (state) printState(p, state);
  const proto = num(a, 'protocol');
  if (proto) p.str(ANY, 'protocol', 'proto %s ', rtProtoName(ctx.names, proto));
  void family;
  return true;
}

/**
 * Whether a plain `ip neigh show` lists this entry: IPv4/IPv6 neighbours (not bridge fdb
 * entries), not in state NOARP (ip's default `nud` filter), or proxy/externally learned.
 */
export function neighListed(m: Message, family = 0): boolean {
  if (m.type !== 'RTM_NEWNEIGH') return false;
  const f = field(m.header, 'family');
  if (f === AF_BRIDGE) return false;
  if (family && f !== family) return false;
  const state = field(m.header, 'state');
  const flags = field(m.header, 'flags');
  const filterState = 0xff & ~NUD.NOARP;
  if (!(filterState & state) && !(flags & NTF.PROXY) && !(flags & NTF.EXT_LEARNED) && (state || !(filterState & 0x100))) return false;
  return true;
}

function fdbState(json: boolean, s: number): string {
  if (s & NUD.PERMANENT) return 'permanent';
  if (s & NUD.NOARP) return 'static';
  if (s & NUD.STALE) return 'stale';
  if (s & NUD.REACHABLE) return '';
  const hex = s ? `0x${s.toString(16)}` : '0';
  return json ? hex : `state=${hex}`;
}

/** print_fdb (bridge fdb show). Returns false for messages that are not bridge fdb entries. */
export function printFdb(p: IpPrinter, m: Message, ctx: ViewContext, opts: NeighShowOptions = {}): boolean {
  if (m.type !== 'RTM_NEWNEIGH' && m.type !== 'RTM_DELNEIGH') return false;
  const h = m.header;
  const a = m.attrs;
  if (field(h, 'family') !== AF_BRIDGE) return false;
  const ifindex = field(h, 'ifindex');
  const state = field(h, 'state');
  const flags = field(h, 'flags');
  const stats = opts.stats === true ? 1 : typeof opts.stats === 'number' ? opts.stats : 0;

  if (m.type === 'RTM_DELNEIGH') p.bool(ANY, 'deleted', 'Deleted ', true);
  if (has(a, 'lladdr')) p.str(ANY, 'mac', '%s ', llAddrText(str(a, 'lladdr')!, ifType(ctx, ifindex)));
  if (ifindex) {
    p.str(FP, null, 'dev ', undefined);
    p.str(ANY, 'ifname', '%s ', ifName(ctx, ifindex));
  }
  if (has(a, 'dst')) p.str(ANY, 'dst', 'dst %s ', str(a, 'dst'));
  const vid = num(a, 'vlan') ?? 0;
  if (vid) p.num(ANY, 'vlan', 'vlan %hu ', vid);
  if (has(a, 'port')) p.num(ANY, 'port', 'port %u ', num(a, 'port')!);
  if (has(a, 'vni')) p.num(ANY, 'vni', 'vni %u ', num(a, 'vni')!);
  if (has(a, 'src_vni')) p.num(ANY, 'src_vni', 'src_vni %u ', num(a, 'src_vni')!);
  if (has(a, 'ifindex')) {
    const idx = num(a, 'ifindex')!;
    if (has(a, 'link_netnsid')) p.num(ANY, 'viaIfIndex', 'via ifindex %u ', idx);
    else p.str(ANY, 'viaIf', 'via %s ', ifName(ctx, idx));
  }
  if (has(a, 'nh_id')) p.num(ANY, 'nhid', 'nhid %u ', num(a, 'nh_id')!);
  if (has(a, 'link_netnsid')) p.num(ANY, 'linkNetNsId', 'link-netnsid %d ', num(a, 'link_netnsid')!);
  const ci = obj(a, 'cacheinfo');
  if (stats && ci) {
    const used = Math.floor((num(ci, 'used') ?? 0) / USER_HZ);
    const updated = Math.floor((num(ci, 'updated') ?? 0) / USER_HZ);
    if (p.json) {
      p.num(JSON_ONLY, 'used', null, used);
      p.num(JSON_ONLY, 'updated', null, updated);
    } else p.fp('used %d/%d ', used, updated);
  }
  p.openArray(JSON_ONLY, p.json ? 'flags' : '');
  if (flags & NTF.SELF) p.str(ANY, null, '%s ', 'self');
  if (flags & NTF.ROUTER) p.str(ANY, null, '%s ', 'router');
  if (flags & NTF.EXT_LEARNED) p.str(ANY, null, '%s ', 'extern_learn');
  if (flags & NTF.OFFLOADED) p.str(ANY, null, '%s ', 'offload');
  if (flags & NTF.MASTER) p.str(ANY, null, '%s ', 'master');
  if (flags & NTF.STICKY) p.str(ANY, null, '%s ', 'sticky');
  p.closeArray(JSON_ONLY, null);
  if (has(a, 'master')) p.str(ANY, 'master', 'master %s ', ifName(ctx, num(a, 'master')!));
  p.str(ANY, 'state', '%s', fdbState(p.json, state));
  return true;
}
