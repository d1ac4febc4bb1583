/**
 * RTM_NEWLINK messages of the mock kernel (rtnl_fill_ifinfo): the attributes a 6.18 kernel puts
 * in a link message, with the mock's state.
 * @module
 */
import type { MockKernel } from './kernel.js';
import type { Link, Netns } from './state.js';
import { IF6, IFF, OPER } from './constants.js';
import { iflink, operUp } from './links.js';
import { portData } from './bridge.js';
import { stackPromiscuity } from './kinds.js';
import {
  BRIDGE_PORT_DATA,
  ICMP6_STATS_FIELDS,
  INET6_CONF,
  INET6_CONF_LO,
  INET6_STATS_FIELDS,
  INET_CONF,
  INET_CONF_LO,
  LINK_CONSTANTS,
  LINK_STATS_FIELDS,
} from './defaults.js';

/** ifi_flags as dev_get_flags reports them. */
export function ifiFlags(link: Link): number {
  let f = link.baseFlags;
  if (link.up) {
    f |= IFF.UP;
    if (operUp(link)) f |= IFF.RUNNING;
    if (link.carrier) f |= IFF.LOWER_UP;
  }
  return f;
}

/** The operstate reported: the kept one while up, DOWN while down. */
export function reportedOperstate(link: Link): number {
  return link.up ? link.operstate : OPER.DOWN;
}

function zeros(fields: readonly string[], extra: Record<string, number> = {}): Record<string, number> {
  const o: Record<string, number> = { ...extra };
  for (const f of fields) o[f] = 0;
  return o;
}

/** IFLA_AF_SPEC: the IPv4 and IPv6 per-device configuration. */
function afSpec(link: Link): Record<string, unknown> {
  const lo = link.kind === undefined;
  const inet6Flags = link.inet6.ready ? IF6.READY | (link.inet6.rsSent ? IF6.RS_SENT : 0) : 0;
  return {
    inet: { conf: { ...INET_CONF, ...(lo ? INET_CONF_LO : {}) } },
    inet6: {
      flags: inet6Flags >>> 0,
      cacheinfo: { max_reasm_len: 65535, tstamp: 0, reachable_time: 30000, retrans_time: 1000 },
      conf: { ...INET6_CONF, ...(lo ? INET6_CONF_LO : {}), mtu6: link.mtu, addr_gen_mode: link.inet6.addrGenMode },
      stats: zeros(INET6_STATS_FIELDS, { num: INET6_STATS_FIELDS.length + 1 }),
      icmp6stats: zeros(ICMP6_STATS_FIELDS, { num: ICMP6_STATS_FIELDS.length + 1 }),
      token: '::',
      addr_gen_mode: link.inet6.addrGenMode,
    },
  };
}

/** Options of {@link fillLink}. */
export interface FillOptions {
  /** ifi_change. Default: 0. */
  change?: number;
  /** RTEXT_FILTER_SKIP_STATS: leave out IFLA_STATS and IFLA_STATS64. */
  skipStats?: boolean;
}

/**
 * The header and attributes of a link message about `link`, as seen from namespace `viewer`
 * (which gives the ids of peer namespaces: IFLA_LINK_NETNSID).
 */
export function fillLink(k: MockKernel, link: Link, viewer: Netns, o: FillOptions = {}): { header: Record<string, unknown>; attrs: Record<string, unknown> } {
  const header = { family: 0, type: link.arphrd, index: link.index, flags: ifiFlags(link), change: o.change ?? 0 };
  const a: Record<string, unknown> = {
    ifname: link.name,
    txqlen: link.txqlen,
    operstate: reportedOperstate(link),
    linkmode: LINK_CONSTANTS['linkmode'],
    netns_immutable: link.netnsImmutable ? 1 : 0,
    mtu: link.mtu,
    min_mtu: link.minMtu,
    max_mtu: link.maxMtu,
    group: link.group,
    promiscuity: link.promiscuity + stackPromiscuity(link),
    allmulti: link.allmulti + (link.port ? 1 : 0),
    num_tx_queues: link.numTxQueues,
    ...LINK_CONSTANTS,
    tso_max_size: link.tsoMaxSize,
    num_rx_queues: link.numRxQueues,
  };
  if (link.master) a['master'] = link.master.index;
  a['carrier'] = link.carrier ? 1 : 0;
  if (link.alias !== undefined) a['ifalias'] = link.alias;
  a['carrier_changes'] = link.carrierUp + link.carrierDown;
  a['carrier_up_count'] = link.carrierUp;
  a['carrier_down_count'] = link.carrierDown;
  a['headroom'] = link.headroom;
  if (link.address !== undefined) a['address'] = link.address;
  if (link.broadcast !== undefined) a['broadcast'] = link.broadcast;
  if (!o.skipStats) {
    a['stats64'] = zeros(LINK_STATS_FIELDS);
    a['stats'] = zeros(LINK_STATS_FIELDS.slice(0, -1));
  }
  a['xdp'] = { attached: 0 };
  if (link.kind !== undefined) {
    const info: Record<string, unknown> = { kind: link.kind };
    const data = kindData(link);
    if (data) info['data'] = data;
    if (link.port) {
      info['slave_kind'] = 'bridge';
      info['slave_data'] = portData(link, BRIDGE_PORT_DATA);
    }
    a['linkinfo'] = info;
  }
  const peerNs = link.kind === 'veth' ? link.peer?.ns : undefined;
  if (peerNs && peerNs !== viewer) a['link_netnsid'] = k.nsid(viewer, peerNs);
  const il = iflink(link);
  if (il !== link.index || (link.kind === 'veth' && link.peer)) a['link'] = il;
  a['qdisc'] = link.opened ? link.defaultQdisc : 'noop';
  a['af_spec'] = afSpec(link);
  a['map'] = { mem_start: 0, mem_end: 0, base_addr: 0, irq: 0, dma: 0, port: 0 };
  a['devlink_port'] = '';
  a['dpll_pin'] = '';
  return { header, attrs: a };
}

function kindData(link: Link): Record<string, unknown> | undefined {
  if (!link.data) return undefined;
  if (link.kind === 'bridge') {
    const id = { prio: '8000', addr: link.address };
    return { ...link.data, bridge_id: id, root_id: id };
  }
  return link.data;
}
