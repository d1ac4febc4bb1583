/**
 * `ip netns set / list-id` for one handle: the ids (nsid) that the handle's namespace assigns to
 * its peer namespaces, over RTM_NEWNSID / RTM_GETNSID. A peer is named by a {@link NetnsRef}
 * (sent to the kernel as NETNSA_FD); names are resolved through /run/netns as iproute2 does.
 *
 * @example
 * ```ts
 * const nl = await Netlink.open();
 * await nl.nsid.set('ns1', 5);        // ip netns set ns1 5
 * await nl.nsid.get('ns1');           // 5
 * await nl.nsid.list().collect();     // ip netns list-id → [{ nsid: 5, name: 'ns1' }]
 * ```
 * @module
 */
import type { DumpStream } from '../netlink/client.js';
import { ArgumentError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import type { NsidAttrs } from '../rtnetlink/gen/nsid.js';
import type { Netlink } from './netlink.js';
import { NETNS_RUN_DIR, type NetnsRef, netnsNames, openNetns } from './netns-ref.js';
import { checkKeys } from './validate.js';

/** The kernel's "no id" (NETNSA_NSID_NOT_ASSIGNED), also what RTM_NEWNSID takes for "pick one". */
const NSID_NOT_ASSIGNED = -1;
/** Largest nsid (ids are non-negative s32). */
const NSID_MAX = 0x7fffffff;

/**
 * A stream of results like {@link Listing}, for results that need a lookup first (names for ids
 * or indexes): iterate it with `for await`, or `collect()` it.
 *
 * @example
 * ```ts
 * for await (const e of nl.nsid.list()) console.log(e.nsid, e.name);
 * const all = await nl.nsid.list().collect();
 * ```
 */
export class LookupListing<T, C> implements AsyncIterable<T> {
  private readonly lookup: () => Promise<C>;
  private readonly source: () => DumpStream;
  private readonly convert: (m: Message, context: C) => T | undefined;

  /** `lookup` runs once per iteration, before `source` starts the dump. */
  constructor(lookup: () => Promise<C>, source: () => DumpStream, convert: (m: Message, context: C) => T | undefined) {
    this.lookup = lookup;
    this.source = source;
    this.convert = convert;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const context = await this.lookup();
    for await (const m of this.source()) {
      const v = this.convert(m, context);
      if (v !== undefined) yield v;
    }
  }

  /** All results in an array. */
  async collect(): Promise<T[]> {
    const context = await this.lookup();
    const out: T[] = [];
    for (const m of await this.source().collect()) {
      const v = this.convert(m, context);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
}

/** One id of `ip netns list-id`. */
export interface NsidEntry {
  /** The id of the peer namespace. */
  nsid: number;
  /**
   * With `targetNsid`: the id that this handle's namespace gives the same peer
   * (NETNSA_CURRENT_NSID, ip's "current-nsid"), if it gave one.
   */
  current?: number;
  /** The /run/netns name of the peer, when one is bound to it (not resolved with `targetNsid`). */
  name?: string;
}

/** Options of {@link NsidApi.list} (`ip netns list-id [target-nsid N] [nsid N]`). */
export interface NsidListOptions {
  /** List the ids of the peer whose id here is this, from its point of view. Default: ours. */
  targetNsid?: number;
  /** Only this id. Default: all. */
  nsid?: number;
}

/**
 * Checks an nsid argument: an integer in 0..2^31-1, or `'auto'` where allowed (→ -1, which
 * RTM_NEWNSID takes as "pick one"). Throws an ArgumentError naming `argument`.
 *
 * @example
 * ```ts
 * checkNsid(5, 'nsid', true);        // 5
 * checkNsid('auto', 'nsid', true);   // -1
 * checkNsid(-3, 'nsid', true);       // throws ArgumentError
 * ```
 */
export function checkNsid(value: unknown, argument: string, allowAuto: boolean): number {
  if (allowAuto && value === 'auto') return NSID_NOT_ASSIGNED;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > NSID_MAX) {
    throw new ArgumentError(argument, value, `must be an integer in 0..${NSID_MAX}${allowAuto ? " or 'auto'" : ''}`);
  }
  return value;
}

/**
 * Checks the options of `list-id` before anything is opened.
 *
 * @example
 * ```ts
 * checkNsidListOptions({ targetNsid: 5 });   // { target: 5, only: undefined }
 * checkNsidListOptions({ target: 5 });       // throws ArgumentError (unknown option)
 * ```
 */
export function checkNsidListOptions(options: NsidListOptions): { target: number | undefined; only: number | undefined } {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object');
  checkKeys(options, ['targetNsid', 'nsid'], 'list-id option');
  const target = options.targetNsid === undefined ? undefined : checkNsid(options.targetNsid, 'targetNsid', false);
  const only = options.nsid === undefined ? undefined : checkNsid(options.nsid, 'nsid', false);
  return { target, only };
}

/**
 * Peer namespace ids of the handle's namespace (`nl.nsid`).
 *
 * @example
 * ```ts
 * await nl.nsid.set({ pid: child.pid! }, 'auto');   // ip netns set NAME auto, for a pid
 * ```
 */
export class NsidApi {
  /** The handle whose namespace assigns the ids. */
  readonly nl: Netlink;

  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Assigns `nsid` to namespace `netns` (`ip netns set NAME NSID`); `'auto'` lets the kernel pick.
   * Rejects with EEXIST ("Peer netns already has a nsid assigned", "The specified nsid is already
   * used") in the kernel's words.
   *
   * @example
   * ```ts
   * await nl.nsid.set('ns1', 7);   // ip netns set ns1 7
   * ```
   */
  async set(netns: NetnsRef, nsid: number | 'auto'): Promise<void> {
    const id = checkNsid(nsid, 'nsid', true);
    const h = openNetns(netns);
    try {
      await this.nl.client.request({ type: 'RTM_NEWNSID', header: { family: 0 }, attrs: { fd: h.fd, nsid: id } satisfies NsidAttrs });
    } finally {
      h.close();
    }
  }

  /**
   * The id assigned to namespace `netns`, or undefined when it has none.
   *
   * @example
   * ```ts
   * await nl.nsid.get('ns1');   // 7 (ip netns list shows "ns1 (id: 7)")
   * ```
   */
  async get(netns: NetnsRef): Promise<number | undefined> {
    const h = openNetns(netns);
    try {
      const [m] = await this.nl.client.request({ type: 'RTM_GETNSID', header: { family: 0 }, attrs: { fd: h.fd } satisfies NsidAttrs });
      const id = (m?.attrs as NsidAttrs | undefined)?.nsid;
      return id === undefined || id < 0 ? undefined : id;
    } finally {
      h.close();
    }
  }

  /**
   * The assigned ids (`ip netns list-id`), with the /run/netns names bound to them.
   *
   * @example
   * ```ts
   * await nl.nsid.list().collect();                  // ip netns list-id → [{ nsid: 7, name: 'ns1' }]
   * await nl.nsid.list({ targetNsid: 7 }).collect(); // ip netns list-id target-nsid 7
   * ```
   */
  list(options: NsidListOptions = {}): LookupListing<NsidEntry, Map<number, string>> {
    const { target, only } = checkNsidListOptions(options);
    return new LookupListing(
      () => (target === undefined ? this.names() : Promise.resolve(new Map<number, string>())),
      () => this.nl.client.dump({ type: 'RTM_GETNSID', header: { family: 0 }, attrs: target === undefined ? {} : ({ target_nsid: target } satisfies NsidAttrs) }),
      (m, names) => {
        const a = m.attrs as NsidAttrs;
        if (a.nsid === undefined || (only !== undefined && a.nsid !== only)) return undefined;
        const e: NsidEntry = { nsid: a.nsid };
        if (a.current_nsid !== undefined && a.current_nsid >= 0) e.current = a.current_nsid;
        const name = names.get(a.nsid);
        if (name !== undefined) e.name = name;
        return e;
      },
    );
  }

  /** nsid → the first /run/netns name (directory order) bound to that peer. */
  private async names(): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    for (const name of netnsNames()) {
      const id = await this.get({ path: `${NETNS_RUN_DIR}/${name}` }).catch(() => undefined);
      if (id !== undefined && !out.has(id)) out.set(id, name);
    }
    return out;
  }
}
