/**
 * `ip netconf show`: the per-interface IP configuration the kernel reports over RTM_GETNETCONF
 * (forwarding, rp_filter, mc_forwarding, proxy_neigh, ignore_routes_with_linkdown, MPLS input),
 * for one interface, for `all` and `default`, or a dump of every one.
 *
 * @example
 * ```ts
 * await nl.netconf.get('veth0');            // ip netconf show dev veth0 → { family: 'inet', dev: 'veth0', rp_filter: 0, ... }
 * await nl.netconf.get('all', 'inet6');     // ip -6 netconf show dev all
 * await nl.netconf.list('inet').collect();  // ip -4 netconf show
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import type { NetconfAttrs } from '../rtnetlink/gen/netconf.js';
import type { Netlink } from './netlink.js';
import { LookupListing } from './nsid.js';
import { ifindex, ifname } from './resolve.js';
import { AF_INET, AF_INET6, AF_UNSPEC } from './validate.js';

/** AF_MPLS: `ip -M netconf` (only where the mpls_router module is loaded). */
const AF_MPLS = 28;
/** NETCONFA_IFINDEX_ALL / NETCONFA_IFINDEX_DEFAULT. */
const IFINDEX_ALL = -1;
const IFINDEX_DEFAULT = -2;
/** RTEXT_FILTER_SKIP_STATS for the link dump that names interfaces. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** Address family of netconf entries. */
export type NetconfFamily = 'inet' | 'inet6' | 'mpls';

const FAMILIES: Readonly<Record<NetconfFamily, number>> = { inet: AF_INET, inet6: AF_INET6, mpls: AF_MPLS };

/**
 * One entry of `ip netconf show`. Values are the kernel's (sysctl) numbers; an attribute the
 * kernel did not send is absent (never 0).
 */
export interface Netconf {
  /** Which configuration: IPv4, IPv6 or MPLS. */
  family: NetconfFamily | number;
  /** Interface index, or -1 for `all` and -2 for `default`. */
  ifindex: number;
  /** The interface name, `'all'` or `'default'` (undefined if the interface vanished meanwhile). */
  dev: string | undefined;
  /** forwarding (0/1). */
  forwarding?: number;
  /** IPv4 reverse-path filter: 0 off, 1 strict, 2 loose. */
  rp_filter?: number;
  /** Multicast forwarding (read-only, set by a multicast routing daemon). */
  mc_forwarding?: number;
  /** proxy_arp (IPv4) / proxy_ndp (IPv6). */
  proxy_neigh?: number;
  /** ignore_routes_with_linkdown. */
  ignore_routes_with_linkdown?: number;
  /** MPLS input enabled. */
  input?: number;
  /** IPv4 directed broadcast forwarding. */
  bc_forwarding?: number;
  /** IPv6 per-device forwarding override (newer kernels). */
  force_forwarding?: number;
}

const VALUE_KEYS = ['forwarding', 'rp_filter', 'mc_forwarding', 'proxy_neigh', 'ignore_routes_with_linkdown', 'input', 'bc_forwarding', 'force_forwarding'] as const;

function familyNumber(family: unknown, allowAll: boolean): number {
  if (allowAll && family === undefined) return AF_UNSPEC;
  if (typeof family === 'string' && Object.hasOwn(FAMILIES, family)) return FAMILIES[family as NetconfFamily];
  throw new ArgumentError('family', family, `must be 'inet', 'inet6' or 'mpls'${allowAll ? ' (or omitted for all)' : ''}`);
}

function familyName(n: number | undefined): NetconfFamily | number {
  for (const [k, v] of Object.entries(FAMILIES)) if (v === n) return k as NetconfFamily;
  return n ?? AF_UNSPEC;
}

function toNetconf(m: Message, names: ReadonlyMap<number, string>): Netconf | undefined {
  if (m.type !== 'RTM_NEWNETCONF') return undefined;
  const a = m.attrs as NetconfAttrs;
  if (a.ifindex === undefined) return undefined;
  const ifx = a.ifindex;
  const dev = ifx === IFINDEX_ALL ? 'all' : ifx === IFINDEX_DEFAULT ? 'default' : names.get(ifx);
  const out: Netconf = { family: familyName((m.header as { family?: number }).family), ifindex: ifx, dev };
  for (const k of VALUE_KEYS) {
    const v = a[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * `ip netconf` of the handle's namespace (`nl.netconf`).
 *
 * @example
 * ```ts
 * const { rp_filter } = await nl.netconf.get('veth0');   // ip netconf show dev veth0
 * ```
 */
export class NetconfApi {
  /** The handle whose namespace is asked. */
  readonly nl: Netlink;

  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * The configuration of interface `dev` (a name or an index), or of `'all'` / `'default'`, for
   * one family (default `'inet'`). An unknown interface rejects with ENODEV
   * (`Cannot find device "NAME"`).
   *
   * @example
   * ```ts
   * await nl.netconf.get('lo');              // ip netconf show dev lo
   * await nl.netconf.get('default', 'inet6'); // ip -6 netconf show dev default
   * ```
   */
  async get(dev: string | number, family: NetconfFamily = 'inet'): Promise<Netconf> {
    const af = familyNumber(family, false);
    let index: number;
    let name: string | undefined;
    if (dev === 'all') index = IFINDEX_ALL;
    else if (dev === 'default') index = IFINDEX_DEFAULT;
    else {
      index = await ifindex(this.nl, dev);
      if (typeof dev === 'string') name = dev;
    }
    const [m] = await this.nl.client.request({ type: 'RTM_GETNETCONF', header: { family: af }, attrs: { ifindex: index } satisfies NetconfAttrs });
    const names = new Map<number, string>();
    if (name !== undefined) names.set(index, name);
    else if (index > 0) {
      const n = await ifname(this.nl, index);
      if (n !== undefined) names.set(index, n);
    }
    const out = m === undefined ? undefined : toNetconf(m, names);
    if (out === undefined) throw new Error(`RTM_GETNETCONF: the kernel sent no configuration for ${String(dev)}`);
    return out;
  }

  /**
   * Every interface's configuration, then `all` and `default` (`ip netconf show`), for one family
   * or, without one, for every family the kernel has.
   *
   * @example
   * ```ts
   * for await (const c of nl.netconf.list('inet')) console.log(c.dev, c.rp_filter);   // ip -4 netconf show
   * ```
   */
  list(family?: NetconfFamily): LookupListing<Netconf, Map<number, string>> {
    const af = familyNumber(family, true);
    return new LookupListing(
      async () => {
        const names = new Map<number, string>();
        for (const m of await this.nl.client.dump({ type: 'RTM_GETLINK', header: {}, attrs: { ext_mask: RTEXT_FILTER_SKIP_STATS } }).collect()) {
          const index = (m.header as { index?: number }).index;
          const n = (m.attrs as { ifname?: string }).ifname;
          if (index !== undefined && n !== undefined) names.set(index, n);
        }
        return names;
      },
      () => this.nl.client.dump({ type: 'RTM_GETNETCONF', header: { family: af } }),
      toNetconf,
    );
  }
}
