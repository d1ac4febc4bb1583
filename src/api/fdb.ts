/**
 * `bridge fdb`: the forwarding databases of bridges and of devices with their own (vxlan, and
 * the unicast/multicast address lists of ordinary devices), over RTM_*NEIGH with family
 * AF_BRIDGE. Defaults as in iproute2: `self` unless `master` is given, `permanent` unless
 * `static` or `dynamic` is.
 *
 * @example
 * ```ts
 * await nl.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:01:01', master: true, static: true });
 * // bridge fdb add 02:00:00:00:01:01 dev veth1 master static
 * await nl.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.123.1.9' });
 * // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.123.1.9 self permanent
 * for await (const e of nl.fdb.list({ br: 'br0' })) console.log(e.mac, e.dev, e.state); // bridge fdb show br br0
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import type { Listing } from './listing.js';
import type { Netlink } from './netlink.js';
import { ifindex } from './resolve.js';
import { AF_BRIDGE, checkInt, checkKeys, parseLladdr } from './validate.js';
import { checkBool, checkDev, checkObject, checkU32, flagNames, NamedListing, parseHost } from './rt-types.js';

const NUD_REACHABLE = 0x02;
const NUD_STALE = 0x04;
const NUD_NOARP = 0x40;
const NUD_PERMANENT = 0x80;
const NTF_USE = 0x01;
const NTF_SELF = 0x02;
const NTF_MASTER = 0x04;
const NTF_EXT_LEARNED = 0x10;
const NTF_OFFLOADED = 0x20;
const NTF_STICKY = 0x40;
const NTF_ROUTER = 0x80;
const NTF_EXT_LOCKED = 0x02;

/** An FDB entry, as `bridge fdb add|append|replace|del` take it. */
export interface FdbSpec {
  /** The bridge port or the device with its own FDB (vxlan). */
  dev: string | number;
  /** The MAC address (`LLADDR`); 00:00:00:00:00:00 is vxlan's default destination. */
  lladdr: string;
  /** Operate on the FDB of the master bridge of `dev` (`master`). */
  master?: boolean;
  /** Operate on `dev`'s own FDB (`self`). Default: true unless `master` is given. */
  self?: boolean;
  /** VLAN id (`vlan`), 1..4094. */
  vlan?: number;
  /** Remote IP of a vxlan entry (`dst`). */
  dst?: string;
  /** VNI of a vxlan entry (`vni`), 0..16777215. */
  vni?: number;
  /** Source VNI of a vxlan entry in collect-metadata mode (`src_vni`). */
  srcVni?: number;
  /** UDP destination port of a vxlan entry (`port`). */
  port?: number;
  /** Interface to reach the vxlan remote through (`via`). */
  via?: string | number;
  /** Nexthop group id of a vxlan entry (`nhid`). */
  nhid?: number;
  /** A permanent entry (`permanent`, the default): a local address of the bridge. */
  permanent?: boolean;
  /** A static entry (`static`): never ages out, but is not local. */
  static?: boolean;
  /** A dynamic entry (`dynamic`): ages out like a learned one. */
  dynamic?: boolean;
  /** The destination is a router (`router`). */
  router?: boolean;
  /** Mark the entry in use (`use`). */
  use?: boolean;
  /** Learned by an external control plane (`extern_learn`). */
  externLearn?: boolean;
  /** Do not let the entry move to another port (`sticky`). */
  sticky?: boolean;
}
const SPEC_KEYS = [
  'dev',
  'lladdr',
  'master',
  'self',
  'vlan',
  'dst',
  'vni',
  'srcVni',
  'port',
  'via',
  'nhid',
  'permanent',
  'static',
  'dynamic',
  'router',
  'use',
  'externLearn',
  'sticky',
];

/** What {@link FdbApi.list} selects. */
export interface FdbFilter {
  /** Only entries of this bridge (`br`; filtered by the kernel). */
  br?: string | number;
  /** Only entries of this port / device (`brport` / `dev`; filtered by the kernel). */
  dev?: string | number;
  /** Only entries of this VLAN. */
  vlan?: number;
  /** Only entries in this state, as {@link FdbEntry.state} names it. */
  state?: 'permanent' | 'static' | 'stale' | '';
}
const FILTER_KEYS = ['br', 'dev', 'vlan', 'state'];

/** An FDB entry, with the keys of `bridge -j fdb show`. */
export interface FdbEntry {
  /** The MAC address. */
  mac: string;
  /** Interface index of the port / device. */
  ifindex: number;
  /** Interface name of the port / device. */
  dev: string | undefined;
  /** The bridge (NDA_MASTER), for entries of a bridge's FDB. */
  master: string | undefined;
  /** VLAN id. */
  vlan: number | undefined;
  /** vxlan remote IP. */
  dst: string | undefined;
  /** vxlan UDP port. */
  port: number | undefined;
  /** vxlan VNI. */
  vni: number | undefined;
  /** vxlan source VNI. */
  srcVni: number | undefined;
  /** Interface the vxlan remote is reached through (NDA_IFINDEX; `viaIf` in `bridge -j`). */
  via: string | undefined;
  /** Nexthop group id. */
  nhid: number | undefined;
  /** 'permanent', 'static', 'stale', '' (a learned, reachable entry) or the state in hex, as `bridge` prints it. */
  state: string;
  /** 'self', 'router', 'extern_learn', 'offload', 'master', 'sticky', 'locked'. */
  flags: string[];
  /** Seconds since the entry was used / updated (NDA_CACHEINFO, hundredths → seconds). */
  used: number | undefined;
  updated: number | undefined;
  /** The message as decoded. */
  raw: Message;
}

/** iproute2's bridge/fdb.c state_n2a(). */
function stateName(s: number): string {
  if (s & NUD_PERMANENT) return 'permanent';
  if (s & NUD_NOARP) return 'static';
  if (s & NUD_STALE) return 'stale';
  if (s & NUD_REACHABLE) return '';
  return `0x${s.toString(16)}`;
}

/** iproute2's bridge/fdb.c fdb_print_flags(). */
function fdbFlags(flags: number, ext: number): string[] {
  const out: string[] = [];
  if (flags & NTF_SELF) out.push('self');
  if (flags & NTF_ROUTER) out.push('router');
  if (flags & NTF_EXT_LEARNED) out.push('extern_learn');
  if (flags & NTF_OFFLOADED) out.push('offload');
  if (flags & NTF_MASTER) out.push('master');
  if (flags & NTF_STICKY) out.push('sticky');
  if (ext & NTF_EXT_LOCKED) out.push('locked');
  return out;
}

interface NdHeader {
  family?: number;
  ifindex?: number;
  state?: number;
  flags?: number;
}
interface FdbAttrs {
  lladdr?: string;
  dst?: string;
  vlan?: number;
  port?: number;
  vni?: number;
  src_vni?: number;
  ifindex?: number;
  master?: number;
  nh_id?: number;
  flags_ext?: number;
  cacheinfo?: { used?: number; updated?: number };
}

/**
 * The typed {@link FdbEntry} of an RTM_NEWNEIGH message of family AF_BRIDGE (else undefined),
 * given the interface names by index; what `bridge -j fdb show` prints for one entry.
 *
 * @example
 * ```ts
 * toFdbEntry(m, new Map([[2, 'veth1'], [4, 'br0']]))?.master; // 'br0'
 * ```
 */
export function toFdbEntry(m: Message, names: ReadonlyMap<number, string> = new Map()): FdbEntry | undefined {
  const h = m.header as NdHeader;
  const a = m.attrs as FdbAttrs;
  if (h.family !== AF_BRIDGE || a.lladdr === undefined) return undefined;
  const ifi = h.ifindex ?? 0;
  return {
    mac: a.lladdr,
    ifindex: ifi,
    dev: names.get(ifi),
    master: a.master === undefined ? undefined : names.get(a.master),
    vlan: a.vlan,
    dst: a.dst,
    port: a.port,
    vni: a.vni,
    srcVni: a.src_vni,
    via: a.ifindex === undefined ? undefined : names.get(a.ifindex),
    nhid: a.nh_id,
    state: stateName(h.state ?? 0),
    flags: fdbFlags(h.flags ?? 0, a.flags_ext ?? 0),
    used: a.cacheinfo?.used === undefined ? undefined : Math.trunc(a.cacheinfo.used / 100),
    updated: a.cacheinfo?.updated === undefined ? undefined : Math.trunc(a.cacheinfo.updated / 100),
    raw: m,
  };
}

/** Checks an FDB entry and builds its request (iproute2's bridge/fdb.c fdb_modify). */
function build(spec: unknown): { header: Record<string, number>; attrs: Record<string, unknown>; devs: Array<{ dev: string | number; set: (i: number) => void }> } {
  const o = checkObject(spec, 'entry');
  checkKeys(o, SPEC_KEYS, 'entry');
  if (o['dev'] === undefined) throw new ArgumentError('dev', undefined, 'an FDB entry needs a device');
  const dev = checkDev(o['dev']);
  if (o['lladdr'] === undefined) throw new ArgumentError('lladdr', undefined, 'an FDB entry needs a MAC address');
  const header: Record<string, number> = { family: AF_BRIDGE, ifindex: 0, state: NUD_NOARP, flags: 0, type: 0 };
  const attrs: Record<string, unknown> = { lladdr: parseLladdr(o['lladdr'], 'lladdr', 6) };
  const devs: Array<{ dev: string | number; set: (i: number) => void }> = [{ dev, set: (i) => (header['ifindex'] = i) }];
  const bool = (k: string): boolean => o[k] !== undefined && checkBool(o[k], k);

  const kinds = (['permanent', 'static', 'dynamic'] as const).filter(bool);
  if (kinds.length > 1) throw new ArgumentError(kinds[1]!, true, `conflicts with ${kinds[0]}: give one of permanent, static, dynamic`);
  if (kinds[0] === 'permanent') header['state']! |= NUD_PERMANENT;
  else if (kinds[0] === 'static') header['state']! |= NUD_REACHABLE;
  else if (kinds[0] === 'dynamic') header['state'] = NUD_REACHABLE;
  if (!(header['state']! & (NUD_PERMANENT | NUD_REACHABLE))) header['state']! |= NUD_PERMANENT;

  if (bool('master')) header['flags']! |= NTF_MASTER;
  if (bool('self')) header['flags']! |= NTF_SELF;
  if (!(header['flags']! & (NTF_SELF | NTF_MASTER))) header['flags']! |= NTF_SELF;
  if (bool('router')) header['flags']! |= NTF_ROUTER;
  if (bool('use')) header['flags']! |= NTF_USE;
  if (bool('externLearn')) header['flags']! |= NTF_EXT_LEARNED;
  if (bool('sticky')) header['flags']! |= NTF_STICKY;

  if (o['dst'] !== undefined) attrs['dst'] = parseHost(o['dst'], 'dst').address;
  if (o['vlan'] !== undefined) attrs['vlan'] = checkInt(o['vlan'], 'vlan', 1, 4094);
  if (o['port'] !== undefined) attrs['port'] = checkInt(o['port'], 'port', 0, 65535);
  if (o['vni'] !== undefined) attrs['vni'] = checkInt(o['vni'], 'vni', 0, 0xffffff);
  if (o['srcVni'] !== undefined) attrs['src_vni'] = checkInt(o['srcVni'], 'srcVni', 0, 0xffffff);
  if (o['nhid'] !== undefined) attrs['nh_id'] = checkU32(o['nhid'], 'nhid');
  if (o['via'] !== undefined) {
    const via = checkDev(o['via'], 'via');
    devs.push({ dev: via, set: (i) => (attrs['ifindex'] = i) });
  }
  return { header, attrs, devs };
}

/**
 * `bridge fdb`: add, append, replace, delete and list forwarding database entries.
 *
 * @example
 * ```ts
 * await nl.fdb.add({ dev: 'vx0', lladdr: '02:00:00:00:02:01', dst: '10.123.1.11', vni: 100, port: 4790 });
 * // bridge fdb add 02:00:00:00:02:01 dev vx0 dst 10.123.1.11 vni 100 port 4790 self permanent
 * ```
 */
export class FdbApi {
  readonly nl: Netlink;
  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Adds an entry (RTM_NEWNEIGH, NLM_F_CREATE|NLM_F_EXCL). Rejects with EEXIST when it is there.
   *
   * @example
   * ```ts
   * await nl.fdb.add({ dev: 'veth1', lladdr: '02:00:00:00:01:01', master: true, static: true });
   * // bridge fdb add 02:00:00:00:01:01 dev veth1 master static
   * await nl.fdb.add({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.123.1.9', permanent: true });
   * // bridge fdb add 00:00:00:00:00:00 dev vx0 dst 10.123.1.9 self permanent
   * ```
   */
  async add(spec: FdbSpec): Promise<void> {
    await this.send(build(spec), 'RTM_NEWNEIGH', ['NLM_F_CREATE', 'NLM_F_EXCL']);
  }

  /**
   * Appends an entry (NLM_F_CREATE|NLM_F_APPEND): for vxlan, another remote for the same MAC
   * (e.g. several default destinations for flooding).
   *
   * @example
   * ```ts
   * await nl.fdb.append({ dev: 'vx0', lladdr: '00:00:00:00:00:00', dst: '10.123.1.10' });
   * // bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.123.1.10 self permanent
   * ```
   */
  async append(spec: FdbSpec): Promise<void> {
    await this.send(build(spec), 'RTM_NEWNEIGH', ['NLM_F_CREATE', 'NLM_F_APPEND']);
  }

  /**
   * Adds or changes an entry (NLM_F_CREATE|NLM_F_REPLACE).
   *
   * @example
   * ```ts
   * await nl.fdb.replace({ dev: 'vx0', lladdr: '02:00:00:00:02:01', dst: '10.123.1.12', vni: 100 });
   * // bridge fdb replace 02:00:00:00:02:01 dev vx0 dst 10.123.1.12 vni 100 self permanent
   * ```
   */
  async replace(spec: FdbSpec): Promise<void> {
    await this.send(build(spec), 'RTM_NEWNEIGH', ['NLM_F_CREATE', 'NLM_F_REPLACE']);
  }

  /**
   * Deletes an entry (RTM_DELNEIGH). For a vxlan MAC with several remotes, `dst` selects one.
   * Rejects with ENOENT when there is none.
   *
   * @example
   * ```ts
   * await nl.fdb.del({ dev: 'veth1', lladdr: '02:00:00:00:01:01', master: true }); // bridge fdb del 02:00:00:00:01:01 dev veth1 master
   * ```
   */
  async del(spec: FdbSpec): Promise<void> {
    await this.send(build(spec), 'RTM_DELNEIGH', []);
  }

  /**
   * Lists entries (RTM_GETNEIGH dump of family AF_BRIDGE; bridge and port are filtered by the
   * kernel). Without a filter: every bridge's and every device's entries, like `bridge fdb show`.
   *
   * @example
   * ```ts
   * await nl.fdb.list({ br: 'br0' }).collect();  // bridge fdb show br br0
   * await nl.fdb.list({ dev: 'vx0' }).collect(); // bridge fdb show dev vx0
   * ```
   */
  list(filter: FdbFilter = {}): Listing<FdbEntry> {
    const f = checkObject(filter, 'filter');
    checkKeys(f, FILTER_KEYS, 'filter');
    const br = f['br'] === undefined ? undefined : checkDev(f['br'], 'br');
    const dev = f['dev'] === undefined ? undefined : checkDev(f['dev'], 'dev');
    const vlan = f['vlan'] === undefined ? undefined : checkInt(f['vlan'], 'vlan', 0, 4095);
    const state = f['state'];
    if (state !== undefined && !['permanent', 'static', 'stale', ''].includes(state as string)) {
      throw new ArgumentError('state', state, "expected 'permanent', 'static', 'stale' or ''");
    }
    let brIndex: number | undefined;
    let devIndex = 0;
    return new NamedListing<FdbEntry>(
      this.nl,
      () => [
        this.nl.client.dump({
          type: 'RTM_GETNEIGH',
          header: { family: AF_BRIDGE, ifindex: devIndex, state: 0, flags: 0, type: 0 },
          attrs: brIndex === undefined ? {} : { master: brIndex },
        }),
      ],
      (m, names) => {
        if (m.type !== 'RTM_NEWNEIGH') return undefined;
        const e = toFdbEntry(m, names);
        if (!e) return undefined;
        if (vlan !== undefined && e.vlan !== vlan) return undefined;
        if (state !== undefined && e.state !== state) return undefined;
        return e;
      },
      {
        before: async () => {
          if (br !== undefined) brIndex = await ifindex(this.nl, br, 'br');
          if (dev !== undefined) devIndex = await ifindex(this.nl, dev);
        },
      },
    );
  }

  private async send(b: ReturnType<typeof build>, type: string, flags: string[]): Promise<void> {
    for (const { dev, set } of b.devs) set(await ifindex(this.nl, dev));
    await this.nl.client.request({ type, flags, header: b.header, attrs: b.attrs });
  }
}
