/**
 * `ip neigh`: ARP (IPv4) and NDP (IPv6) neighbour entries, and proxy entries
 * (RTM_NEWNEIGH / RTM_DELNEIGH / RTM_GETNEIGH), with iproute2's defaults: `ip neigh add` is
 * NLM_F_CREATE|NLM_F_EXCL with state permanent.
 *
 * @example
 * ```ts
 * await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05' });
 * // ip neigh add 10.123.1.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent
 * await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.9', proxy: true }); // ip neigh add proxy 10.123.1.9 dev veth0
 * for await (const n of nl.neigh.list({ dev: 'veth0' })) console.log(n.dst, n.lladdr, n.state); // ip neigh show dev veth0
 * await nl.neigh.del({ dev: 'veth0', dst: '10.123.1.5' });              // ip neigh del 10.123.1.5 dev veth0
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import type { Listing } from './listing.js';
import type { Netlink } from './netlink.js';
import { ifindex } from './resolve.js';
import { checkInt, checkKeys, parseLladdr } from './validate.js';
import {
  checkBool,
  checkDev,
  checkObject,
  dumpFamilies,
  enumValue,
  type Family,
  type FamilyArg,
  familyName,
  flagNames,
  flagNames2,
  NamedListing,
  parseFamily,
  parseHost,
  parseProtocol,
  type ProtocolArg,
  protocolName,
} from './rt-types.js';

/** NUD_* states by name (enum nud-state of the spec). */
export type NeighState = 'none' | 'incomplete' | 'reachable' | 'stale' | 'delay' | 'probe' | 'failed' | 'noarp' | 'permanent';

/** NTF_* flag bits. */
export const NTF = { use: 0x01, self: 0x02, master: 0x04, proxy: 0x08, extLearned: 0x10, offloaded: 0x20, sticky: 0x40, router: 0x80 } as const;
const NTF_EXT_MANAGED = 0x01;
const NUD_PERMANENT = 0x80;

/** The NUD_* bit of a state name (or a number 0..0xffff). */
export function parseNudState(value: unknown, argument = 'state'): number {
  if (typeof value === 'number') return checkInt(value, argument, 0, 0xffff);
  const v = typeof value === 'string' ? enumValue('nud-state', value) : undefined;
  if (v === undefined) throw new ArgumentError(argument, value, "expected 'permanent', 'noarp', 'reachable', 'stale', 'none', 'incomplete', 'delay', 'probe' or 'failed'");
  return v;
}

/** The names of the NUD_* bits of `state` ('none' for 0). */
export function nudStateNames(state: number): string[] {
  return state === 0 ? ['none'] : flagNames('nud-state', state);
}

/** A neighbour entry, as `ip neigh add|replace|del` take it. */
export interface NeighSpec {
  /** The interface. */
  dev: string | number;
  /** The neighbour's IPv4 or IPv6 address. */
  dst: string;
  /** Its link-layer address (`lladdr`). */
  lladdr?: string;
  /** The NUD state (`nud`). Default: 'permanent'. */
  state?: NeighState | number;
  /** A proxy ARP / NDP entry (`proxy`): answer for `dst` on `dev`. */
  proxy?: boolean;
  /** The neighbour is a router (`router`, IPv6). */
  router?: boolean;
  /** Learned by an external control plane (`extern_learn`). */
  externLearn?: boolean;
  /** Kernel-managed: kept resolved (`managed`, NTF_EXT_MANAGED). */
  managed?: boolean;
  /** Mark the entry in use (`use`, NTF_USE), which triggers resolution. */
  use?: boolean;
  /** Who added it (`protocol`, NDA_PROTOCOL). */
  protocol?: ProtocolArg;
}
const SPEC_KEYS = ['dev', 'dst', 'lladdr', 'state', 'proxy', 'router', 'externLearn', 'managed', 'use', 'protocol'];

/** What {@link NeighApi.list} selects. */
export interface NeighFilter {
  /** Only entries of this interface (filtered by the kernel). */
  dev?: string | number;
  /** Only IPv4 or IPv6 entries. Default: both. */
  family?: FamilyArg;
  /** Only entries in one of these states (`nud STATE`). */
  state?: NeighState | NeighState[];
  /** List proxy entries instead of neighbours (`ip neigh show proxy`). Default: false. */
  proxy?: boolean;
  /** Only entries flagged router. */
  router?: boolean;
}
const FILTER_KEYS = ['dev', 'family', 'state', 'proxy', 'router'];

/** A neighbour entry, as `ip -j -s neigh show` describes it. */
export interface Neighbour {
  /** 'inet' or 'inet6'. */
  family: Family;
  /** The neighbour's address. */
  dst: string | undefined;
  /** Interface index. */
  ifindex: number;
  /** Interface name. */
  dev: string | undefined;
  /** Link-layer address. */
  lladdr: string | undefined;
  /** NUD state names ('permanent', 'reachable', 'stale', ..., 'none'). */
  state: string[];
  /** NTF_* names ('router', 'proxy', 'ext_learned', 'use', ...), with NTF_EXT_* ('managed'). */
  flags: string[];
  /** NTF_ROUTER. */
  router: boolean;
  /** NTF_PROXY: a proxy entry. */
  proxy: boolean;
  /** NTF_EXT_LEARNED. */
  externLearn: boolean;
  /** Probes sent (NDA_PROBES). */
  probes: number | undefined;
  /** NDA_PROTOCOL. */
  protocol: string | number | undefined;
  /** Ages in hundredths of seconds (NDA_CACHEINFO), and the reference count. */
  cacheinfo: { confirmed: number; used: number; updated: number; refcnt: number } | undefined;
  /** The message as decoded. */
  raw: Message;
}

interface NdHeader {
  family?: number;
  ifindex?: number;
  state?: number;
  flags?: number;
  type?: number;
}
interface NdAttrs {
  dst?: string;
  lladdr?: string;
  probes?: number;
  protocol?: number;
  flags_ext?: number;
  cacheinfo?: { confirmed?: number; used?: number; updated?: number; refcnt?: number };
}

/**
 * The typed {@link Neighbour} of an RTM_NEWNEIGH message (undefined for families other than
 * IPv4/IPv6), given the interface names by index; what `ip -j neigh show` prints for one entry.
 *
 * @example
 * ```ts
 * toNeighbour(m, new Map([[3, 'veth0']]))?.state; // ['permanent']
 * ```
 */
export function toNeighbour(m: Message, names: ReadonlyMap<number, string> = new Map()): Neighbour | undefined {
  const h = m.header as NdHeader;
  const a = m.attrs as NdAttrs;
  const family = familyName(h.family ?? 0);
  if (typeof family !== 'string') return undefined;
  const flags = h.flags ?? 0;
  const ifi = h.ifindex ?? 0;
  const ci = a.cacheinfo;
  return {
    family,
    dst: a.dst,
    ifindex: ifi,
    dev: names.get(ifi),
    lladdr: a.lladdr,
    state: nudStateNames(h.state ?? 0),
    flags: flagNames2('ntf-flags', flags, 'ntf-ext-flags', a.flags_ext ?? 0),
    router: (flags & NTF.router) !== 0,
    proxy: (flags & NTF.proxy) !== 0,
    externLearn: (flags & NTF.extLearned) !== 0,
    probes: a.probes,
    protocol: a.protocol === undefined ? undefined : protocolName(a.protocol),
    cacheinfo: ci === undefined ? undefined : { confirmed: ci.confirmed ?? 0, used: ci.used ?? 0, updated: ci.updated ?? 0, refcnt: ci.refcnt ?? 0 },
    raw: m,
  };
}

/** Checks a neighbour and builds its request. */
function build(spec: unknown, op: 'add' | 'del'): { dev: string | number; header: Record<string, number>; attrs: Record<string, unknown> } {
  const o = checkObject(spec, 'neighbour');
  checkKeys(o, op === 'del' ? ['dev', 'dst', 'proxy'] : SPEC_KEYS, 'neighbour');
  if (o['dev'] === undefined) throw new ArgumentError('dev', undefined, 'a neighbour needs a device');
  const dev = checkDev(o['dev']);
  if (o['dst'] === undefined) throw new ArgumentError('dst', undefined, 'a neighbour needs an address');
  const dst = parseHost(o['dst'], 'dst');
  const proxy = o['proxy'] === undefined ? false : checkBool(o['proxy'], 'proxy');
  let flags = proxy ? NTF.proxy : 0;
  const attrs: Record<string, unknown> = { dst: dst.address };
  if (o['lladdr'] !== undefined) {
    if (proxy) throw new ArgumentError('lladdr', o['lladdr'], 'a proxy entry has no link-layer address');
    attrs['lladdr'] = parseLladdr(o['lladdr'], 'lladdr', undefined);
    if ((attrs['lladdr'] as string).split(':').length > 32) throw new ArgumentError('lladdr', o['lladdr'], 'a link-layer address has at most 32 bytes');
  }
  const state = o['state'] === undefined ? NUD_PERMANENT : parseNudState(o['state']);
  for (const [key, bit] of [['router', NTF.router], ['externLearn', NTF.extLearned], ['use', NTF.use]] as const) {
    if (o[key] !== undefined && checkBool(o[key], key)) flags |= bit;
  }
  if (o['managed'] !== undefined && checkBool(o['managed'], 'managed')) attrs['flags_ext'] = NTF_EXT_MANAGED;
  if (o['protocol'] !== undefined) attrs['protocol'] = parseProtocol(o['protocol']);
  return { dev, header: { family: dst.family, ifindex: 0, state, flags, type: 0 }, attrs };
}

/**
 * `ip neigh`: add, replace, delete and list neighbour (ARP/NDP) and proxy entries.
 *
 * @example
 * ```ts
 * await nl.neigh.replace({ dev: 'veth0', dst: '10.123.1.6', lladdr: '02:00:00:00:00:06', state: 'reachable' });
 * // ip neigh replace 10.123.1.6 lladdr 02:00:00:00:00:06 dev veth0 nud reachable
 * ```
 */
export class NeighApi {
  readonly nl: Netlink;
  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Adds an entry (RTM_NEWNEIGH, NLM_F_CREATE|NLM_F_EXCL). Rejects with EEXIST when there is one,
   * EINVAL "No link layer address given" for a permanent entry without lladdr.
   *
   * @example
   * ```ts
   * await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.5', lladdr: '02:00:00:00:00:05', state: 'permanent' });
   * // ip neigh add 10.123.1.5 lladdr 02:00:00:00:00:05 dev veth0 nud permanent
   * await nl.neigh.add({ dev: 'veth0', dst: 'fd00:123::5', lladdr: '02:00:00:00:00:15', router: true });
   * // ip -6 neigh add fd00:123::5 lladdr 02:00:00:00:00:15 dev veth0 router nud permanent
   * await nl.neigh.add({ dev: 'veth0', dst: '10.123.1.9', proxy: true });   // ip neigh add proxy 10.123.1.9 dev veth0
   * ```
   */
  async add(spec: NeighSpec): Promise<void> {
    await this.send(build(spec, 'add'), 'RTM_NEWNEIGH', ['NLM_F_CREATE', 'NLM_F_EXCL']);
  }

  /**
   * Adds or changes an entry (RTM_NEWNEIGH, NLM_F_CREATE|NLM_F_REPLACE).
   *
   * @example
   * ```ts
   * await nl.neigh.replace({ dev: 'veth0', dst: '10.123.1.6', lladdr: '02:00:00:00:00:06', state: 'reachable' });
   * // ip neigh replace 10.123.1.6 lladdr 02:00:00:00:00:06 dev veth0 nud reachable
   * ```
   */
  async replace(spec: NeighSpec): Promise<void> {
    await this.send(build(spec, 'add'), 'RTM_NEWNEIGH', ['NLM_F_CREATE', 'NLM_F_REPLACE']);
  }

  /**
   * Deletes an entry (RTM_DELNEIGH). Rejects with ENOENT when there is none.
   *
   * @example
   * ```ts
   * await nl.neigh.del({ dev: 'veth0', dst: '10.123.1.5' });              // ip neigh del 10.123.1.5 dev veth0
   * await nl.neigh.del({ dev: 'veth0', dst: '10.123.1.9', proxy: true }); // ip neigh del proxy 10.123.1.9 dev veth0
   * ```
   */
  async del(spec: Pick<NeighSpec, 'dev' | 'dst' | 'proxy'>): Promise<void> {
    await this.send(build(spec, 'del'), 'RTM_DELNEIGH', []);
  }

  /**
   * Lists entries (RTM_GETNEIGH dumps, one per family; the device is filtered by the kernel).
   * Proxy entries are listed only with `proxy: true`, as `ip neigh show proxy` does. Every
   * state is listed, NOARP entries (e.g. the kernel's multicast ones) included, like
   * `ip neigh show nud all`; plain `ip neigh show` hides them — select with `state`.
   *
   * @example
   * ```ts
   * await nl.neigh.list({ dev: 'veth0', state: 'permanent' }).collect(); // ip neigh show dev veth0 nud permanent
   * await nl.neigh.list({ proxy: true }).collect();                       // ip neigh show proxy
   * ```
   */
  list(filter: NeighFilter = {}): Listing<Neighbour> {
    const f = checkObject(filter, 'filter');
    checkKeys(f, FILTER_KEYS, 'filter');
    const dev = f['dev'] === undefined ? undefined : checkDev(f['dev']);
    const family = f['family'] === undefined ? 0 : parseFamily(f['family']);
    const proxy = f['proxy'] === undefined ? false : checkBool(f['proxy'], 'proxy');
    const router = f['router'] === undefined ? undefined : checkBool(f['router'], 'router');
    let states: number[] | undefined;
    if (f['state'] !== undefined) {
      const list = Array.isArray(f['state']) ? (f['state'] as unknown[]) : [f['state']];
      if (list.length === 0) throw new ArgumentError('state', f['state'], 'expected a state or a non-empty list of states');
      states = list.map((s) => parseNudState(s));
    }
    let index: number | undefined;
    return new NamedListing<Neighbour>(
      this.nl,
      () =>
        dumpFamilies(family).map((fam) =>
          this.nl.client.dump({
            type: 'RTM_GETNEIGH',
            header: { family: fam, ifindex: 0, state: 0, flags: proxy ? NTF.proxy : 0, type: 0 },
            attrs: index === undefined ? {} : { ifindex: index },
          }),
        ),
      (m, names) => {
        if (m.type !== 'RTM_NEWNEIGH') return undefined;
        const n = toNeighbour(m, names);
        if (!n) return undefined;
        const st = (m.header as NdHeader).state ?? 0;
        if (states && !states.some((s) => (s === 0 ? st === 0 : (st & s) !== 0))) return undefined;
        if (router !== undefined && n.router !== router) return undefined;
        // Proxy entries carry NTF_PROXY; with `proxy` only they are dumped.
        if (n.proxy !== proxy) return undefined;
        return n;
      },
      {
        before: async () => {
          if (dev !== undefined) index = await ifindex(this.nl, dev);
        },
      },
    );
  }

  private async send(b: ReturnType<typeof build>, type: string, flags: string[]): Promise<void> {
    b.header['ifindex'] = await ifindex(this.nl, b.dev);
    await this.nl.client.request({ type, flags, header: b.header, attrs: b.attrs });
  }
}
