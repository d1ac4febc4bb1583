/**
 * `ip link`: create, change, delete, get and list network interfaces, with the same requests
 * iproute2 sends (RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL for add, RTM_NEWLINK with
 * ifi_flags/ifi_change for set, RTM_DELLINK by index, RTM_GETLINK by name or index, filtered
 * dumps). Every argument is checked before anything is sent: bad input throws an
 * {@link ArgumentError} naming it; the kernel's refusals come back as a {@link NetlinkError} in
 * the kernel's words.
 *
 * @example
 * ```ts
 * const nl = await Netlink.open();
 * await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', netns: 'ns2' } }); // ip link add veth0 type veth peer name veth1 netns ns2
 * await nl.link.add({ name: 'br0', type: 'bridge', stp: true, up: true });                  // ip link add br0 up type bridge stp_state 1
 * await nl.link.set('veth0', { master: 'br0', mtu: 1400, up: true });                       // ip link set dev veth0 master br0 mtu 1400 up
 * for await (const link of nl.link.list({ master: 'br0' })) console.log(link.name);        // ip link show master br0
 * await nl.link.del('br0');                                                                 // ip link del br0
 * ```
 * @module
 */
import { ArgumentError, NetlinkError, isNetlinkError } from '../netlink/errors.js';
import type { Message, MessageInit } from '../netlink/message.js';
import type { LinkAttrs, RtnlLinkStats64 } from '../rtnetlink/gen/link.js';
import { Listing } from './listing.js';
import type { Netlink } from './netlink.js';
import { type NetnsHandle, type NetnsRef, openNetns } from './netns-ref.js';
import { ifindex, ifname } from './resolve.js';
import { checkIfname, checkInt, checkKeys, parseLladdr } from './validate.js';
import { type Attrs, checkDev, checkNetnsRef, dataOf, type FollowUpApi, type KindContext, type KindDef, type KindMode, type NameOf } from './link-kinds/common.js';
import { KNOWN_KINDS, kindDef, slaveInfo } from './link-kinds/index.js';
import { IFF, IFF_PRINT_ORDER } from '../rtnetlink/flags.js';
import type { Link, LinkAddSpec, LinkChanges, LinkFilter, LinkRef, LinkStats, OperState, VethPeer } from './link-types.js';

export type * from './link-types.js';

// ---------------------------------------------------------------------------------------------
// Constants of the ABI (include/uapi/linux/if.h, if_link.h, if_arp.h; the IFF_* bits are in
// src/rtnetlink/flags.ts).

const OPER_STATES: readonly OperState[] = ['UNKNOWN', 'NOTPRESENT', 'DOWN', 'LOWERLAYERDOWN', 'TESTING', 'DORMANT', 'UP'];
const LINK_MODES = ['DEFAULT', 'DORMANT', 'TESTING'] as const;

/** ARPHRD_* names as iproute2 prints them (lib/ll_types.c), for the types one meets. */
const ARPHRD_NAMES: Readonly<Record<number, string>> = {
  0: 'netrom', 1: 'ether', 2: 'eether', 3: 'ax25', 24: 'ieee1394', 32: 'infiniband', 256: 'slip', 280: 'can', 512: 'ppp',
  519: 'rawip', 768: 'ipip', 769: 'tunnel6', 772: 'loopback', 776: 'sit', 778: 'gre', 801: 'ieee802.11',
  803: 'ieee802.11/radiotap', 823: 'gre6', 824: 'netlink', 825: '6lowpan', 65534: 'none', 65535: 'void',
};

/** ENODEV. */
const ENODEV = 19;
/** IFLA_IFALIAS = 20: sent by number as raw bytes, without a NUL, as iproute2 does (strlen). */
const IFALIAS_ATTR = '20';
/** IFALIASZ - 1: the longest alias. */
const ALIAS_MAX = 255;

const COMMON_ADD_KEYS = [
  'name', 'type', 'mtu', 'address', 'broadcast', 'txqueuelen', 'up', 'master', 'netns', 'alias', 'group',
  'numtxqueues', 'numrxqueues', 'index', 'link',
] as const;

const SET_KEYS = [
  'up', 'name', 'mtu', 'address', 'broadcast', 'master', 'netns', 'alias', 'txqueuelen', 'promisc', 'arp',
  'multicast', 'allmulticast', 'dynamic', 'trailers', 'carrier', 'group', 'protodown', 'type',
] as const;

/** set(): boolean changes carried in ifi_flags/ifi_change: [option, bit, bit set when true]. */
const SET_FLAGS: ReadonlyArray<readonly [string, number, boolean]> = [
  ['up', IFF.UP, true],
  ['multicast', IFF.MULTICAST, true],
  ['allmulticast', IFF.ALLMULTI, true],
  ['promisc', IFF.PROMISC, true],
  ['trailers', IFF.NOTRAILERS, false],
  ['arp', IFF.NOARP, false],
  ['dynamic', IFF.DYNAMIC, true],
];

const FILTER_KEYS = ['kind', 'type', 'slaveKind', 'master', 'up'] as const;

// ---------------------------------------------------------------------------------------------
// Checks shared by add and set.

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkBool(v: unknown, argument: string): boolean {
  if (typeof v !== 'boolean') throw new ArgumentError(argument, v, 'must be true or false');
  return v;
}

function checkAlias(v: unknown, argument = 'alias'): string {
  if (typeof v !== 'string') throw new ArgumentError(argument, v, 'must be a string (or null to clear it)');
  if (v.includes('\0')) throw new ArgumentError(argument, v, 'must not contain NUL');
  const n = Buffer.byteLength(v);
  if (n > ALIAS_MAX) throw new ArgumentError(argument, v, `must be at most ${ALIAS_MAX} bytes (it has ${n})`);
  return v;
}

function aliasHex(alias: string): string {
  return Buffer.from(alias, 'utf8').toString('hex');
}

function checkKind(type: unknown, argument: string): KindDef {
  if (typeof type !== 'string' || type.length === 0) throw new ArgumentError(argument, type, `must be a link type (known: ${KNOWN_KINDS.join(', ')})`);
  const def = kindDef(type);
  if (!def) throw new ArgumentError(argument, type, `unknown link type (known: ${KNOWN_KINDS.join(', ')})`);
  return def;
}

/** The kind options of `o` (every key the kind declares, except `exclude`). */
function kindOptions(o: Record<string, unknown>, def: KindDef, exclude: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of def.options) if (o[k] !== undefined && !exclude.includes(k)) out[k] = o[k];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Decoding: RTM_NEWLINK → Link.

/**
 * The flag names of ifi_flags as `ip -j link` lists them (see {@link Link.flags}).
 *
 * @example
 * ```ts
 * linkFlagNames(0x1003); // ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']
 * linkFlagNames(0x11043); // ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']
 * ```
 */
export function linkFlagNames(flags: number): string[] {
  const out: string[] = [];
  if (flags & IFF.UP && !(flags & IFF.RUNNING)) out.push('NO-CARRIER');
  let rest = (flags & ~IFF.RUNNING) >>> 0;
  for (const name of IFF_PRINT_ORDER) {
    const bit = IFF[name];
    if (rest & bit) {
      out.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) out.push(rest.toString(16));
  return out;
}

function big(v: unknown): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  return undefined;
}

function toStats(s: RtnlLinkStats64 | undefined): LinkStats | undefined {
  if (!s) return undefined;
  const b = (v: unknown) => big(v) ?? 0n;
  return {
    rxPackets: b(s.rx_packets),
    txPackets: b(s.tx_packets),
    rxBytes: b(s.rx_bytes),
    txBytes: b(s.tx_bytes),
    rxErrors: b(s.rx_errors),
    txErrors: b(s.tx_errors),
    rxDropped: b(s.rx_dropped),
    txDropped: b(s.tx_dropped),
    multicast: b(s.multicast),
    collisions: b(s.collisions),
    rxLengthErrors: b(s.rx_length_errors),
    rxOverErrors: b(s.rx_over_errors),
    rxCrcErrors: b(s.rx_crc_errors),
    rxFrameErrors: b(s.rx_frame_errors),
    rxFifoErrors: b(s.rx_fifo_errors),
    rxMissedErrors: b(s.rx_missed_errors),
    txAbortedErrors: b(s.tx_aborted_errors),
    txCarrierErrors: b(s.tx_carrier_errors),
    txFifoErrors: b(s.tx_fifo_errors),
    txHeartbeatErrors: b(s.tx_heartbeat_errors),
    txWindowErrors: b(s.tx_window_errors),
    rxCompressed: b(s.rx_compressed),
    txCompressed: b(s.tx_compressed),
    rxNohandler: big(s.rx_nohandler),
    rxOtherhostDropped: big(s.rx_otherhost_dropped),
  };
}

/**
 * The typed view of one RTM_NEWLINK message. Names of related devices are left undefined; fill
 * them with {@link resolveLinkNames}.
 *
 * @example
 * ```ts
 * const [m] = await nl.client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo' } });
 * linkFromMessage(m!).flags; // ['LOOPBACK', 'UP', 'LOWER_UP']
 * ```
 */
export function linkFromMessage(m: Message): Link {
  const h = m.header as { type?: number; index?: number; flags?: number };
  const a = m.attrs as LinkAttrs;
  const flags = (h.flags ?? 0) >>> 0;
  const li = a.linkinfo;
  const kind = li?.kind;
  const def = kind === undefined ? undefined : kindDef(kind);
  const rawData = li?.data;
  const data = rawData === undefined ? undefined : dataOf(rawData);
  const slaveKind = li?.slave_kind;
  const rawSlave = li?.slave_data;
  const op = a.operstate;
  const lm = a.linkmode;
  const type = h.type ?? 0;
  const linkIdx = a.link;
  const master = a.master;
  return {
    index: h.index ?? 0,
    name: a.ifname ?? '',
    flags: linkFlagNames(flags),
    rawFlags: flags,
    up: (flags & IFF.UP) !== 0,
    lowerUp: (flags & IFF.LOWER_UP) !== 0,
    linkType: ARPHRD_NAMES[type] ?? `[${type}]`,
    mtu: a.mtu,
    minMtu: a.min_mtu,
    maxMtu: a.max_mtu,
    operstate: op === undefined ? undefined : (OPER_STATES[op] ?? op),
    linkmode: lm === undefined ? undefined : (LINK_MODES[lm] ?? String(lm)),
    group: a.group,
    txqlen: a.txqlen,
    qdisc: a.qdisc,
    address: a.address,
    broadcast: a.broadcast,
    permAddress: a.perm_address,
    kind,
    slaveKind,
    master: undefined,
    masterIndex: master === undefined || master === 0 ? undefined : master,
    link: undefined,
    linkIndex: linkIdx === undefined || linkIdx === 0 ? undefined : linkIdx,
    linkNetnsid: a.link_netnsid,
    altNames: [...(a.prop_list?.alt_ifname ?? [])],
    alias: a.ifalias,
    promiscuity: a.promiscuity,
    allmulti: a.allmulti,
    numTxQueues: a.num_tx_queues,
    numRxQueues: a.num_rx_queues,
    carrier: a.carrier === undefined ? undefined : a.carrier !== 0,
    carrierChanges: a.carrier_changes,
    stats: toStats(a.stats64 ?? (a.stats as RtnlLinkStats64 | undefined)),
    info: def === undefined || kind === undefined ? undefined : (def.info(data, kind) as Link['info']),
    slaveInfo: slaveKind === undefined ? undefined : slaveInfo(slaveKind, rawSlave === undefined ? undefined : dataOf(rawSlave)),
    raw: m,
  };
}

/**
 * Fills the names of the devices a link refers to by index — `master`, `link` (unless the peer
 * is in another namespace) and the device fields of `info` — from `nameOf`.
 *
 * @example
 * ```ts
 * resolveLinkNames(link, (i) => byIndex.get(i)?.name);
 * ```
 */
export function resolveLinkNames(link: Link, nameOf: NameOf): void {
  if (link.masterIndex !== undefined) link.master = nameOf(link.masterIndex);
  if (link.linkIndex !== undefined && link.linkNetnsid === undefined) link.link = nameOf(link.linkIndex);
  const def = link.kind === undefined ? undefined : kindDef(link.kind);
  if (def?.resolve && link.info) def.resolve(link.info, nameOf);
}

/**
 * Resolves names from `known` (index → name); returns the indexes it lacks, or undefined when
 * there are none (then the link is complete without waiting for anything).
 */
function resolveKnown(link: Link, known: Map<number, string | undefined>): Set<number> | undefined {
  let missing: Set<number> | undefined;
  resolveLinkNames(link, (i) => {
    if (!known.has(i)) (missing ??= new Set()).add(i);
    return known.get(i);
  });
  return missing;
}

/**
 * Resolves names from `known` (index → name), asking `lookup` for the indexes it lacks (and
 * remembering the answers, undefined included, in `known`). Only a link that lacks some waits:
 * listing 2,000 links whose names are all in the dump costs no await per link (bench: dump/link-2k api).
 */
async function resolveMissing(link: Link, known: Map<number, string | undefined>, missing: Set<number>, lookup: (index: number) => Promise<string | undefined>): Promise<void> {
  for (const i of missing) known.set(i, await lookup(i));
  resolveLinkNames(link, (i) => known.get(i));
}

/** {@link resolveKnown}, then {@link resolveMissing} for what it lacks. */
async function resolveWith(link: Link, known: Map<number, string | undefined>, lookup: (index: number) => Promise<string | undefined>): Promise<void> {
  const missing = resolveKnown(link, known);
  if (missing !== undefined) await resolveMissing(link, known, missing, lookup);
}

// ---------------------------------------------------------------------------------------------
// list(): a Listing whose dump request needs an asynchronous first step (resolving `master`).

interface PreparedDump {
  request: MessageInit;
  keep: (link: Link) => boolean;
}

/**
 * The result of `nl.link.list()`: iterate it (streaming) or `collect()` it. See {@link Link}
 * for how names are resolved in each case.
 */
class LinkListing extends Listing<Link> {
  private readonly prepare: () => Promise<PreparedDump>;
  private readonly lookup: (index: number) => Promise<string | undefined>;
  private readonly client: Netlink['client'];

  constructor(nl: Netlink, prepare: () => Promise<PreparedDump>) {
    super(
      () => nl.client.dump({ type: 'RTM_GETLINK', header: {} }),
      (m) => linkFromMessage(m),
    );
    this.client = nl.client;
    this.prepare = prepare;
    this.lookup = (index) => ifname(nl, index);
  }

  /**
   * Streams the links, a received batch at a time; names resolve against the links seen so far,
   * those of the same batch included (a veth's peer usually follows it), and the others are
   * asked for (dump/link-2k api stream: one RTM_GETLINK per veth pair when resolved link by link).
   */
  override async *[Symbol.asyncIterator](): AsyncGenerator<Link, void, undefined> {
    const { request, keep } = await this.prepare();
    const known = new Map<number, string | undefined>();
    for await (const batch of this.client.dump(request).batches()) {
      const links = batch.map(linkFromMessage);
      for (const link of links) known.set(link.index, link.name);
      for (const link of links) {
        if (!keep(link)) continue;
        const missing = resolveKnown(link, known);
        if (missing !== undefined) await resolveMissing(link, known, missing, this.lookup);
        yield link;
      }
    }
  }

  /** All links; names resolve against the whole dump (a dump interrupted by changes is retried). */
  override async collect(): Promise<Link[]> {
    const { request, keep } = await this.prepare();
    const msgs = await this.client.dump(request, { onInterrupt: 'retry' }).collect();
    const all = msgs.map(linkFromMessage);
    const known = new Map<number, string | undefined>();
    for (const l of all) known.set(l.index, l.name);
    const out = all.filter(keep);
    for (const l of out) {
      const missing = resolveKnown(l, known);
      if (missing !== undefined) await resolveMissing(l, known, missing, this.lookup);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * `ip link` for one {@link Netlink} handle (`nl.link`).
 *
 * @example
 * ```ts
 * await nl.link.add({ name: 'br0', type: 'bridge' });   // ip link add br0 type bridge
 * await nl.link.set('br0', { up: true });                // ip link set dev br0 up
 * (await nl.link.get('br0')).operstate;                  // ip link show br0
 * ```
 */
export class LinkApi {
  /** The handle this API works through. */
  readonly nl: Netlink;

  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Creates an interface: one RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL, so an existing name
   * fails with EEXIST ("File exists"). `type` selects the kind; its options sit beside the common
   * ones (see {@link LinkAddSpec}). Device names (`master`, `link`, `dev`, ...) are resolved to
   * indexes in the handle's namespace first, as iproute2 does.
   *
   * @example
   * ```ts
   * // ip link add veth0 type veth peer name veth1
   * await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1' } });
   * // ip link add br0 type bridge stp_state 1 forward_delay 400
   * await nl.link.add({ name: 'br0', type: 'bridge', stp: true, forwardDelay: 4 });
   * // ip link add vx0 type vxlan id 42 remote 10.123.0.2 dev veth0 dstport 4789
   * await nl.link.add({ name: 'vx0', type: 'vxlan', id: 42, remote: '10.123.0.2', dev: 'veth0', dstport: 4789 });
   * // ip link add mv0 link veth0 type macvlan mode bridge
   * await nl.link.add({ name: 'mv0', type: 'macvlan', link: 'veth0', mode: 'bridge' });
   * // ip link add veth2 netns ns1 type veth peer name veth3
   * await nl.link.add({ name: 'veth2', type: 'veth', netns: 'ns1', peer: { name: 'veth3' } });
   * // ip link add veth4 up type veth peer name veth5 netns ns2 && ip -n ns2 link set veth5 up
   * await nl.link.add({ name: 'veth4', type: 'veth', up: true, peer: { name: 'veth5', netns: 'ns2', up: true } });
   * ```
   *
   * `peer.up` is done by a second request once the pair exists (see {@link VethPeer.up}): the
   * kernel refuses an up peer in the creation request with ENOTCONN.
   */
  async add(spec: LinkAddSpec): Promise<void> {
    if (!isPlainObject(spec)) throw new ArgumentError('spec', spec, 'expected { name, type, ... }');
    const o = spec as unknown as Record<string, unknown>;
    const def = checkKind(o['type'], 'type');
    const kind = o['type'] as string;
    if (def.notCreatable) throw new ArgumentError('type', kind, def.notCreatable);
    checkKeys(o, [...COMMON_ADD_KEYS, ...def.options], `option of a ${kind} link`);
    const name = checkIfname(o['name'], 'name');
    // A kind option wins over a common one of the same name (vxlan's `group` is its multicast
    // group, as in `ip link add vx0 type vxlan group 239.1.1.1`).
    const common = checkCommon(o, def.options);
    for (const r of def.requires ?? []) {
      if (o[r] === undefined) throw new ArgumentError(r, undefined, `a ${kind} link needs ${r} (the parent device)`);
    }
    const index = o['index'] === undefined ? 0 : checkInt(o['index'], 'index', 1, 0x7fffffff);
    const up = o['up'] === undefined ? undefined : checkBool(o['up'], 'up');
    const build = def.prepare(kindOptions(o, def, []), kind, 'add');

    // Everything is checked: from here on the kernel is asked.
    const handles: NetnsHandle[] = [];
    const followUps: Array<(api: FollowUpApi) => Promise<void>> = [];
    try {
      const ctx = this.context('add', handles, undefined, followUps);
      const attrs = await this.commonAttrs(common, ctx);
      if (common.link !== undefined) attrs['link'] = await ifindex(this.nl, common.link, 'link');
      attrs['ifname'] = name;
      const data = build ? await build(ctx) : undefined;
      attrs['linkinfo'] = data === undefined ? { kind } : { kind, data };
      await this.nl.client.request({
        type: 'RTM_NEWLINK',
        flags: ['NLM_F_CREATE', 'NLM_F_EXCL'],
        header: { family: 0, type: 0, index, flags: up ? IFF.UP : 0, change: up === undefined ? 0 : IFF.UP },
        attrs,
      });
    } finally {
      for (const h of handles) h.close();
    }
    for (const task of followUps) await task(this.followUpApi());
  }

  /**
   * Changes an interface with one RTM_NEWLINK, as `ip link set` sends it: up/down, promisc, arp,
   * multicast, allmulticast, dynamic and trailers as ifi_flags/ifi_change; `master: null` as
   * IFLA_MASTER 0 (nomaster); `netns` as IFLA_NET_NS_FD (IFLA_NET_NS_PID for `{ pid }`); `alias`
   * null or '' clears it. With `type`, kind options are changed too
   * (`ip link set dev DEV type KIND ...`).
   *
   * @example
   * ```ts
   * await nl.link.set('veth0', { up: true });                  // ip link set dev veth0 up
   * await nl.link.set('veth0', { master: 'br0', mtu: 1400 });  // ip link set dev veth0 master br0 mtu 1400
   * await nl.link.set('veth0', { master: null });              // ip link set dev veth0 nomaster
   * await nl.link.set('veth1', { netns: 'ns2' });              // ip link set dev veth1 netns ns2
   * await nl.link.set('veth0', { name: 'uplink', alias: 'to the lab' }); // ip link set dev veth0 name uplink alias "to the lab"
   * await nl.link.set('br0', { type: 'bridge', stp: true });   // ip link set dev br0 type bridge stp_state 1
   * ```
   */
  async set(dev: LinkRef, changes: LinkChanges): Promise<void> {
    checkDev(dev, 'dev');
    if (!isPlainObject(changes)) throw new ArgumentError('changes', changes, 'expected an object of changes');
    const o = changes as Record<string, unknown>;
    const def = o['type'] === undefined ? undefined : checkKind(o['type'], 'type');
    checkKeys(o, [...SET_KEYS, ...(def?.options ?? [])], def ? `change of a ${String(o['type'])} link` : 'change');
    const newName = o['name'] === undefined ? undefined : checkIfname(o['name'], 'name');
    // Here the common options win: `group` is the device group (a vxlan's multicast group
    // cannot be changed anyway).
    const common = checkCommon(o, []);
    let flags = 0;
    let change = 0;
    for (const [key, bit, whenTrue] of SET_FLAGS) {
      if (o[key] === undefined) continue;
      const on = checkBool(o[key], key);
      change |= bit;
      if (on === whenTrue) flags |= bit;
    }
    const carrier = o['carrier'] === undefined ? undefined : checkBool(o['carrier'], 'carrier');
    const protodown = o['protodown'] === undefined ? undefined : checkBool(o['protodown'], 'protodown');
    const kind = o['type'] as string | undefined;
    const build = def && kind !== undefined ? def.prepare(kindOptions(o, def, SET_KEYS), kind, 'set') : undefined;

    const handles: NetnsHandle[] = [];
    try {
      const index = await ifindex(this.nl, dev, 'dev');
      const ctx = this.context('set', handles, index, []);
      const attrs = await this.commonAttrs(common, ctx);
      if (carrier !== undefined) attrs['carrier'] = carrier ? 1 : 0;
      if (protodown !== undefined) attrs['proto_down'] = protodown ? 1 : 0;
      if (newName !== undefined) attrs['ifname'] = newName;
      if (kind !== undefined) {
        const data = build ? await build(ctx) : undefined;
        attrs['linkinfo'] = data === undefined ? { kind } : { kind, data };
      }
      await this.nl.client.request({
        type: 'RTM_NEWLINK',
        header: { family: 0, type: 0, index, flags, change },
        attrs,
      });
    } finally {
      for (const h of handles) h.close();
    }
  }

  /**
   * Deletes an interface (RTM_DELLINK by index). Deleting one end of a veth pair deletes both.
   *
   * @example
   * ```ts
   * await nl.link.del('veth0'); // ip link del dev veth0
   * ```
   */
  async del(dev: LinkRef): Promise<void> {
    checkDev(dev, 'dev');
    const index = await ifindex(this.nl, dev, 'dev');
    await this.nl.client.request({ type: 'RTM_DELLINK', header: { family: 0, index } });
  }

  /**
   * One interface by name (or altname) or index (RTM_GETLINK), typed. Unknown devices reject
   * with NetlinkError ENODEV `Cannot find device "NAME"`.
   *
   * @example
   * ```ts
   * const l = await nl.link.get('veth0'); // ip -d -s link show dev veth0
   * l.up; l.mtu; l.master; l.link; l.stats?.rxBytes;
   * ```
   */
  async get(dev: LinkRef): Promise<Link> {
    checkDev(dev, 'dev');
    const msg = await this.getMessage(dev);
    const link = linkFromMessage(msg);
    await resolveWith(link, new Map([[link.index, link.name]]), (i) => ifname(this.nl, i));
    return link;
  }

  /**
   * Whether an interface of that name (or index) exists.
   *
   * @example
   * ```ts
   * await nl.link.exists('veth0'); // true
   * ```
   */
  async exists(name: LinkRef): Promise<boolean> {
    checkDev(name, 'name');
    try {
      await this.getMessage(name, true);
      return true;
    } catch (e) {
      if (isNetlinkError(e) && e.code === 'ENODEV') return false;
      throw e;
    }
  }

  /**
   * The interfaces, typed, streamed from one dump (or collected). `master` and `kind` filter in
   * the kernel (as `ip link show master br0` and `ip link show type bridge`), `slaveKind` and
   * `up` here.
   *
   * @example
   * ```ts
   * for await (const l of nl.link.list()) console.log(l.index, l.name, l.kind); // ip link show
   * const ports = await nl.link.list({ master: 'br0' }).collect();             // ip link show master br0
   * const bridges = await nl.link.list({ kind: 'bridge' }).collect();          // ip link show type bridge
   * const up = await nl.link.list({ up: true }).collect();                     // ip link show up
   * ```
   */
  list(filter: LinkFilter = {}): Listing<Link> {
    if (!isPlainObject(filter)) throw new ArgumentError('filter', filter, 'expected { kind, slaveKind, master, up }');
    const f = filter as Record<string, unknown>;
    checkKeys(f, FILTER_KEYS, 'filter');
    if (f['kind'] !== undefined && f['type'] !== undefined && f['kind'] !== f['type']) throw new ArgumentError('type', f['type'], 'contradicts kind');
    const kind = f['kind'] ?? f['type'];
    if (kind !== undefined && (typeof kind !== 'string' || kind.length === 0)) throw new ArgumentError(f['kind'] !== undefined ? 'kind' : 'type', kind, 'must be a link kind');
    const slaveKind = f['slaveKind'];
    if (slaveKind !== undefined && (typeof slaveKind !== 'string' || slaveKind.length === 0)) throw new ArgumentError('slaveKind', slaveKind, 'must be a link kind');
    const master = f['master'] === undefined ? undefined : checkDev(f['master'], 'master');
    const up = f['up'] === undefined ? undefined : checkBool(f['up'], 'up');
    const prepare = async (): Promise<PreparedDump> => {
      const attrs: Attrs = {};
      const masterIndex = master === undefined ? undefined : await ifindex(this.nl, master, 'master');
      if (masterIndex !== undefined) attrs['master'] = masterIndex;
      if (kind !== undefined) attrs['linkinfo'] = { kind };
      return {
        request: { type: 'RTM_GETLINK', header: {}, attrs },
        keep: (l) =>
          (kind === undefined || l.kind === kind) &&
          (slaveKind === undefined || l.slaveKind === slaveKind) &&
          (masterIndex === undefined || l.masterIndex === masterIndex) &&
          (up === undefined || l.up === up),
      };
    };
    return new LinkListing(this.nl, prepare);
  }

  // -------------------------------------------------------------------------------------------

  /** RTM_GETLINK of one device; ENODEV becomes iproute2's `Cannot find device "x"`. */
  private async getMessage(dev: LinkRef, skipStats = false): Promise<Message> {
    const byIndex = typeof dev === 'number';
    try {
      const [m] = await this.nl.client.request({
        type: 'RTM_GETLINK',
        header: { family: 0, index: byIndex ? dev : 0 },
        attrs: { ...(byIndex ? {} : { ifname: dev }), ...(skipStats ? { ext_mask: 1 << 3 } : {}) },
      });
      if (!m) throw new NetlinkError(ENODEV, { request: 'RTM_GETLINK', message: `Cannot find device "${dev}"` });
      return m;
    } catch (e) {
      if (isNetlinkError(e) && e.code === 'ENODEV') throw new NetlinkError(ENODEV, { request: 'RTM_GETLINK', message: `Cannot find device "${dev}"` });
      throw e;
    }
  }

  /** What kind modules may ask while building (see {@link KindContext}). */
  private context(mode: KindMode, handles: NetnsHandle[], dev: number | undefined, followUps: Array<(api: FollowUpApi) => Promise<void>>): KindContext {
    return {
      mode,
      after: (task) => {
        followUps.push(task);
      },
      ifindex: (d, argument) => ifindex(this.nl, d, argument),
      netns: (ref, _argument) => netnsAttrs(ref, handles),
      current: async () => {
        if (dev === undefined) return undefined;
        const m = await this.getMessage(dev, true);
        const data = (m.attrs as LinkAttrs).linkinfo?.data;
        return data === undefined ? undefined : dataOf(data);
      },
    };
  }

  /** Follow-up operations of kind modules (see {@link KindContext.after}). */
  private followUpApi(): FollowUpApi {
    return {
      setUp: async (dev, netns) => {
        if (netns === undefined) return this.set(dev, { up: true });
        // A socket belongs to its namespace: work there through a handle opened there.
        const { Netlink } = await import('./netlink.js');
        const other = await Netlink.open({ netns });
        try {
          await other.link.set(dev, { up: true });
        } finally {
          other.close();
        }
      },
    };
  }

  /** The attributes of the common options, in iproute2's order. */
  private async commonAttrs(c: CommonOptions, ctx: KindContext): Promise<Attrs> {
    const attrs: Attrs = {};
    if (c.address !== undefined) attrs['address'] = c.address;
    if (c.broadcast !== undefined) attrs['broadcast'] = c.broadcast;
    if (c.mtu !== undefined) attrs['mtu'] = c.mtu;
    if (c.txqlen !== undefined) attrs['txqlen'] = c.txqlen;
    if (c.numtxqueues !== undefined) attrs['num_tx_queues'] = c.numtxqueues;
    if (c.numrxqueues !== undefined) attrs['num_rx_queues'] = c.numrxqueues;
    if (c.netns !== undefined) Object.assign(attrs, ctx.netns(c.netns, 'netns'));
    if (c.master !== undefined) attrs['master'] = c.master === null ? 0 : await ifindex(this.nl, c.master, 'master');
    if (c.alias !== undefined) attrs[IFALIAS_ATTR] = aliasHex(c.alias ?? '');
    if (c.group !== undefined) attrs['group'] = c.group;
    return attrs;
  }
}

/** Checked common options of add and set. */
interface CommonOptions {
  mtu: number | undefined;
  address: string | undefined;
  broadcast: string | undefined;
  txqlen: number | undefined;
  master: LinkRef | null | undefined;
  netns: NetnsRef | undefined;
  alias: string | null | undefined;
  group: number | undefined;
  numtxqueues: number | undefined;
  numrxqueues: number | undefined;
  link: LinkRef | undefined;
}

function checkCommon(o: Record<string, unknown>, kindKeys: readonly string[]): CommonOptions {
  const opt = <T>(key: string, check: (v: unknown) => T): T | undefined => (o[key] === undefined || kindKeys.includes(key) ? undefined : check(o[key]));
  return {
    mtu: opt('mtu', (v) => checkInt(v, 'mtu', 0, 0x7fffffff)),
    address: opt('address', (v) => parseLladdr(v, 'address')),
    broadcast: opt('broadcast', (v) => parseLladdr(v, 'broadcast')),
    txqlen: opt('txqueuelen', (v) => checkInt(v, 'txqueuelen', 0, 0xffffffff)),
    master: opt('master', (v) => (v === null ? null : checkDev(v, 'master'))),
    netns: opt('netns', (v) => checkNetnsRef(v, 'netns')),
    alias: opt('alias', (v) => (v === null ? null : checkAlias(v))),
    group: opt('group', (v) => checkInt(v, 'group', 0, 0xffffffff)),
    numtxqueues: opt('numtxqueues', (v) => checkInt(v, 'numtxqueues', 1, 0xffffffff)),
    numrxqueues: opt('numrxqueues', (v) => checkInt(v, 'numrxqueues', 1, 0xffffffff)),
    link: opt('link', (v) => checkDev(v, 'link')),
  };
}

/** IFLA_NET_NS_PID for `{ pid }` (as `ip link ... netns PID`), else IFLA_NET_NS_FD of the opened namespace. */
function netnsAttrs(ref: NetnsRef, handles: NetnsHandle[]): Attrs {
  if (typeof ref === 'object' && 'pid' in ref) return { net_ns_pid: ref.pid };
  const h = openNetns(ref);
  handles.push(h);
  return { net_ns_fd: h.fd };
}
