/**
 * `ip addr`: IPv4 and IPv6 addresses of interfaces (RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR),
 * with iproute2's defaults and checks. Every argument is checked before anything is sent; the
 * kernel's refusals come back as NetlinkError in its own words ("ipv4: Address already
 * assigned").
 *
 * @example
 * ```ts
 * await nl.addr.add('veth0', '10.123.1.1/24', { broadcast: '+' }); // ip addr add 10.123.1.1/24 brd + dev veth0
 * await nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true });  // ip addr add fd00:123::1/64 dev veth0 nodad
 * for await (const a of nl.addr.list({ dev: 'veth0' })) console.log(a.address, a.prefixlen); // ip addr show dev veth0
 * await nl.addr.del('veth0', '10.123.1.1/24');                    // ip addr del 10.123.1.1/24 dev veth0
 * await nl.addr.flush('veth0');                                   // ip addr flush dev veth0
 * ```
 * @module
 */
import { ArgumentError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import type { Netlink } from './netlink.js';
import type { Listing } from './listing.js';
import { ifindex } from './resolve.js';
import { AF_INET, AF_INET6, checkInt, checkKeys, parseCidr, type Cidr } from './validate.js';
import {
  checkBool,
  checkDev,
  checkObject,
  checkString,
  checkU32,
  dumpFamilies,
  type Family,
  type FamilyArg,
  familyName,
  flagNames,
  isErrno,
  NamedListing,
  parseFamily,
  parseInFamily,
  parseScope,
  type ScopeArg,
  type ScopeName,
  scopeName,
} from './rt-types.js';

/** IFA_F_* bits the caller can set. */
const IFA_F = {
  nodad: 0x02,
  optimistic: 0x04,
  homeaddress: 0x10,
  managetempaddr: 0x100,
  noprefixroute: 0x200,
  autojoin: 0x400,
} as const;

/** Lifetimes are u32 seconds; this value is "forever" (INFINITY_LIFE_TIME). */
const FOREVER = 0xffffffff;

/** Options of {@link AddrApi.add}, named after `ip addr add`'s keywords. */
export interface AddrOptions {
  /** The address of the other end of a point-to-point link (`peer ADDR[/LEN]`); its prefix length becomes the address's. */
  peer?: string;
  /**
   * IPv4 broadcast address (`broadcast ADDR`), or `'+'` / `'-'` to compute it from the prefix
   * (host bits set / cleared) like `brd +`. Default: none.
   */
  broadcast?: string;
  /** IPv4 label (`label NAME`): the device name, or the device name, ':' and a suffix ("veth0:1"). */
  label?: string;
  /** `scope`: 'global', 'site', 'link', 'host' or a number. Default: 'host' for 127.0.0.0/8, else 'global'. */
  scope?: ScopeArg;
  /** `valid_lft`: seconds or 'forever'. Default: 'forever'. */
  validLft?: number | 'forever';
  /** `preferred_lft`: seconds or 'forever' (at most validLft). Default: 'forever'. */
  preferredLft?: number | 'forever';
  /** `noprefixroute`: do not add the prefix route. */
  noprefixroute?: boolean;
  /** `nodad` (IPv6): skip duplicate address detection. */
  nodad?: boolean;
  /** `optimistic` (IPv6): optimistic DAD. */
  optimistic?: boolean;
  /** `home` (IPv6): a Mobile IPv6 home address. */
  homeaddress?: boolean;
  /** `mngtmpaddr` (IPv6): manage temporary (privacy) addresses from this one. */
  managetempaddr?: boolean;
  /** `autojoin`: join the multicast group of a multicast address. */
  autojoin?: boolean;
  /** `metric` (IFA_RT_PRIORITY): metric of the prefix route. */
  metric?: number;
  /** `proto` (IFA_PROTO): who added the address, 0..255. */
  proto?: number;
  /** Replace an existing address (`ip addr replace`) instead of failing with EEXIST. Default: false. */
  replace?: boolean;
}

const ADD_KEYS = [
  'peer',
  'broadcast',
  'label',
  'scope',
  'validLft',
  'preferredLft',
  'noprefixroute',
  'nodad',
  'optimistic',
  'homeaddress',
  'managetempaddr',
  'autojoin',
  'metric',
  'proto',
  'replace',
] as const;

/** Options of {@link AddrApi.del}. */
export interface AddrDelOptions {
  /** The peer of a point-to-point address. */
  peer?: string;
  /** Delete only the address with this IPv4 label. */
  label?: string;
}

/** What {@link AddrApi.list} and {@link AddrApi.flush} select. */
export interface AddrFilter {
  /** Only addresses of this interface (filtered by the kernel). */
  dev?: string | number;
  /** Only IPv4 or only IPv6 (filtered by the kernel). */
  family?: FamilyArg;
  /** Only addresses of this scope. */
  scope?: ScopeArg;
  /** Only IPv4 addresses whose label matches (a '*' matches any characters, like `ip addr show label 'veth0:*'`). */
  label?: string;
  /** Only permanent addresses (true) or only dynamic ones (false). */
  permanent?: boolean;
}

const FILTER_KEYS = ['dev', 'family', 'scope', 'label', 'permanent'] as const;

/** An interface address, as `ip -j addr show` describes it. */
export interface Address {
  /** 'inet' or 'inet6'. */
  family: Family;
  /** Interface index. */
  index: number;
  /** Interface name (undefined if the interface vanished during the listing). */
  dev: string | undefined;
  /** The interface's own address (IFA_LOCAL, else IFA_ADDRESS). */
  address: string;
  /** Prefix length. */
  prefixlen: number;
  /** `address/prefixlen`. */
  cidr: string;
  /** IFA_LOCAL as the kernel reported it. */
  local: string | undefined;
  /** The peer address of a point-to-point address (IFA_ADDRESS when it differs from the local one). */
  peer: string | undefined;
  /** IPv4 broadcast address. */
  broadcast: string | undefined;
  /** IPv4 label. */
  label: string | undefined;
  /** 'global', 'site', 'link', 'host', 'nowhere' or the number. */
  scope: ScopeName | number;
  /**
   * IFA_F_* names: 'secondary', 'nodad', 'optimistic', 'dadfailed', 'homeaddress', 'deprecated',
   * 'tentative', 'permanent', 'managetempaddr', 'noprefixroute', 'mcautojoin', 'stable_privacy'.
   * (`ip` prints "dynamic" for addresses without 'permanent'.)
   */
  flags: string[];
  /** Valid lifetime left, in seconds, or 'forever'. */
  validLft: number | 'forever';
  /** Preferred lifetime left, in seconds, or 'forever'. */
  preferredLft: number | 'forever';
  /** Metric of the prefix route (IFA_RT_PRIORITY). */
  metric: number | undefined;
  /** Who added the address (IFA_PROTO). */
  proto: number | undefined;
  /** The message as decoded. */
  raw: Message;
}

interface IfaHeader {
  family?: number;
  prefixlen?: number;
  flags?: number;
  scope?: number;
  index?: number;
}

interface IfaAttrs {
  address?: string;
  local?: string;
  label?: string;
  broadcast?: string;
  cacheinfo?: { prefered?: number; valid?: number };
  flags?: number;
  rt_priority?: number;
  proto?: number;
}

/**
 * The typed {@link Address} of an RTM_NEWADDR message (undefined for other families), given the
 * interface names by index; what `ip -j addr show` prints for one address.
 *
 * @example
 * ```ts
 * const [m] = decodeMessages(bytes);           // an RTM_NEWADDR from a dump or a monitor
 * toAddress(m, new Map([[3, 'veth0']]))?.cidr; // '10.123.1.1/24'
 * ```
 */
export function toAddress(m: Message, names: ReadonlyMap<number, string> = new Map()): Address | undefined {
  const h = m.header as IfaHeader;
  const a = m.attrs as IfaAttrs;
  const family = familyName(h.family ?? 0);
  if (typeof family !== 'string') return undefined;
  const address = a.local ?? a.address;
  if (address === undefined) return undefined;
  const index = h.index ?? 0;
  const prefixlen = h.prefixlen ?? 0;
  const lft = (v: number | undefined): number | 'forever' => (v === undefined || v === FOREVER ? 'forever' : v);
  return {
    family,
    index,
    dev: names.get(index),
    address,
    prefixlen,
    cidr: `${address}/${prefixlen}`,
    local: a.local,
    peer: a.local !== undefined && a.address !== undefined && a.address !== a.local ? a.address : undefined,
    broadcast: a.broadcast,
    label: a.label,
    scope: scopeName(h.scope ?? 0),
    flags: flagNames('ifa-flags', a.flags ?? h.flags ?? 0),
    validLft: lft(a.cacheinfo?.valid),
    preferredLft: lft(a.cacheinfo?.prefered),
    metric: a.rt_priority,
    proto: a.proto,
    raw: m,
  };
}

function lifetime(value: unknown, argument: string): number {
  if (value === 'forever') return FOREVER;
  return checkU32(value, argument);
}

/** Parses the address argument of add/del: a prefix, not 'default'. */
function parseIfAddress(text: unknown): Cidr {
  if (text === 'default' || text === 'all' || text === 'any') throw new ArgumentError('address', text, 'expected an address like 10.123.0.1/24 or fd00:123::1/64');
  return parseCidr(text, 'address');
}

/** IPv4 broadcast of `bytes`/`prefixlen` with the host bits set (`+`) or cleared (`-`), as `ip addr add ... brd +` computes it. */
function computedBroadcast(bytes: Uint8Array, prefixlen: number, set: boolean): string {
  const b = Uint8Array.from(bytes);
  for (let i = prefixlen; i < 32; i++) {
    const mask = 0x80 >> (i % 8);
    if (set) b[i >> 3]! |= mask;
    else b[i >> 3]! &= ~mask;
  }
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** Whether a label is `dev` or starts with `dev:` (iproute2's is_valid_label). */
function validLabel(dev: string, label: string): boolean {
  return label.startsWith(dev) && (label.length === dev.length || label[dev.length] === ':');
}

function checkLabel(label: unknown, dev: string | number, argument = 'label'): string {
  const l = checkString(label, argument);
  if (l.length === 0 || Buffer.byteLength(l) > 15) throw new ArgumentError(argument, label, 'a label is 1..15 bytes');
  if (typeof dev === 'string' && !validLabel(dev, l)) {
    throw new ArgumentError(argument, label, `must be the device name "${dev}" or start with "${dev}:"`);
  }
  return l;
}

function globRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
}

/** A checked {@link AddrFilter}. */
interface ParsedFilter {
  dev: string | number | undefined;
  family: number;
  scope: number | undefined;
  label: RegExp | undefined;
  permanent: boolean | undefined;
}

function parseFilter(filter: unknown): ParsedFilter {
  const f = checkObject(filter, 'filter');
  checkKeys(f, FILTER_KEYS, 'filter');
  return {
    dev: f['dev'] === undefined ? undefined : checkDev(f['dev'], 'dev'),
    family: f['family'] === undefined ? 0 : parseFamily(f['family']),
    scope: f['scope'] === undefined ? undefined : parseScope(f['scope']),
    label: f['label'] === undefined ? undefined : globRegExp(checkString(f['label'], 'label')),
    permanent: f['permanent'] === undefined ? undefined : checkBool(f['permanent'], 'permanent'),
  };
}

function matches(a: Address, f: ParsedFilter): boolean {
  if (f.scope !== undefined && (typeof a.scope === 'number' ? a.scope : parseScope(a.scope)) !== f.scope) return false;
  if (f.label && (a.label === undefined || !f.label.test(a.label))) return false;
  if (f.permanent !== undefined && a.flags.includes('permanent') !== f.permanent) return false;
  return true;
}

/**
 * `ip addr`: add, delete, flush and list interface addresses.
 *
 * @example
 * ```ts
 * await nl.addr.add('veth0', '10.123.1.1/24');               // ip addr add 10.123.1.1/24 dev veth0
 * const addrs = await nl.addr.list({ family: 'inet' }).collect(); // ip -4 addr show
 * ```
 */
export class AddrApi {
  readonly nl: Netlink;
  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Adds an address to an interface (RTM_NEWADDR with NLM_F_CREATE|NLM_F_EXCL, or
   * NLM_F_REPLACE with `replace`). Without a prefix length the address is a host address
   * (/32, /128). Rejects with EEXIST ("ipv4: Address already assigned") when it is there.
   *
   * @example
   * ```ts
   * await nl.addr.add('veth0', '10.123.1.1/24', { broadcast: '+', label: 'veth0:a' });
   * // ip addr add 10.123.1.1/24 brd + label veth0:a dev veth0
   * await nl.addr.add('veth0', '10.123.2.1', { peer: '10.123.2.2/32' });
   * // ip addr add 10.123.2.1 peer 10.123.2.2/32 dev veth0
   * await nl.addr.add('veth0', '10.123.3.1/24', { scope: 'link', validLft: 100, preferredLft: 50, noprefixroute: true, metric: 55 });
   * // ip addr add 10.123.3.1/24 dev veth0 scope link valid_lft 100 preferred_lft 50 noprefixroute metric 55
   * await nl.addr.add('veth0', 'fd00:123::1/64', { nodad: true }); // ip addr add fd00:123::1/64 dev veth0 nodad
   * ```
   */
  async add(dev: string | number, cidr: string, options: AddrOptions = {}): Promise<void> {
    const d = checkDev(dev);
    const local = parseIfAddress(cidr);
    const o = checkObject(options, 'options');
    checkKeys(o, ADD_KEYS, 'options');
    const v4 = local.family === AF_INET;
    const attrs: Record<string, unknown> = { local: local.address };

    let prefixlen = local.prefixlen;
    let peer = local;
    if (o['peer'] !== undefined) {
      peer = parseInFamily(o['peer'], 'peer', local.family, 'the family of the address');
      attrs['address'] = peer.address;
      prefixlen = peer.prefixlen === 0 ? local.prefixlen : peer.prefixlen;
    } else {
      attrs['address'] = local.address;
    }

    if (o['label'] !== undefined) {
      if (!v4) throw new ArgumentError('label', o['label'], 'labels apply to IPv4 addresses only');
      attrs['label'] = checkLabel(o['label'], d);
    }
    if (o['broadcast'] !== undefined) {
      const b = checkString(o['broadcast'], 'broadcast');
      if (!v4) throw new ArgumentError('broadcast', b, 'a broadcast address can be set only for IPv4 addresses');
      if (b === '+' || b === '-') {
        // Like iproute2: computed from the peer (or the local address) and only for prefixes up to /30.
        if (peer.prefixlen <= 30) attrs['broadcast'] = computedBroadcast(peer.bytes, peer.prefixlen, b === '+');
      } else {
        if (b.includes('/')) throw new ArgumentError('broadcast', b, "expected an address without a prefix length, '+' or '-'");
        attrs['broadcast'] = parseInFamily(b, 'broadcast', AF_INET).address;
      }
    }

    let scope = 0;
    if (o['scope'] !== undefined) scope = parseScope(o['scope']);
    else if (v4 && local.bytes[0] === 127) scope = 254; // iproute2's default_scope(): loopback addresses are host-scoped

    let flags = 0;
    for (const [key, bit] of Object.entries(IFA_F)) {
      if (o[key] === undefined || !checkBool(o[key], key)) continue;
      if (v4 && (key === 'nodad' || key === 'optimistic' || key === 'homeaddress' || key === 'managetempaddr')) {
        throw new ArgumentError(key, o[key], 'applies to IPv6 addresses only');
      }
      flags |= bit;
    }
    // iproute2 puts flags that fit in the header's u8 there, and all of them in IFA_FLAGS otherwise.
    let headerFlags = 0;
    if (flags > 0xff) attrs['flags'] = flags;
    else headerFlags = flags;

    if (o['validLft'] !== undefined || o['preferredLft'] !== undefined) {
      const valid = o['validLft'] === undefined ? FOREVER : lifetime(o['validLft'], 'validLft');
      const prefered = o['preferredLft'] === undefined ? FOREVER : lifetime(o['preferredLft'], 'preferredLft');
      if (valid === 0) throw new ArgumentError('validLft', o['validLft'], 'must not be 0');
      if (prefered > valid) {
        throw new ArgumentError('preferredLft', o['preferredLft'] ?? 'forever', `is greater than validLft${o['preferredLft'] === undefined ? " (it defaults to 'forever': give preferredLft too)" : ''}`);
      }
      attrs['cacheinfo'] = { prefered, valid, cstamp: 0, tstamp: 0 };
    }
    if (o['metric'] !== undefined) attrs['rt_priority'] = checkU32(o['metric'], 'metric');
    if (o['proto'] !== undefined) attrs['proto'] = checkInt(o['proto'], 'proto', 0, 255);
    const replace = o['replace'] === undefined ? false : checkBool(o['replace'], 'replace');

    const index = await ifindex(this.nl, d);
    await this.nl.client.request({
      type: 'RTM_NEWADDR',
      flags: replace ? ['NLM_F_CREATE', 'NLM_F_REPLACE'] : ['NLM_F_CREATE', 'NLM_F_EXCL'],
      header: { family: local.family, prefixlen, flags: headerFlags, scope, index },
      attrs,
    });
  }

  /**
   * Adds or replaces an address (`ip addr replace`): {@link add} with `replace: true`.
   *
   * @example
   * ```ts
   * await nl.addr.replace('veth0', '10.123.1.2/24', { validLft: 300, preferredLft: 300 });
   * // ip addr replace 10.123.1.2/24 dev veth0 valid_lft 300 preferred_lft 300
   * ```
   */
  async replace(dev: string | number, cidr: string, options: Omit<AddrOptions, 'replace'> = {}): Promise<void> {
    checkObject(options, 'options');
    await this.add(dev, cidr, { ...options, replace: true });
  }

  /**
   * Deletes an address (RTM_DELADDR). As in iproute2, an IPv4 address given without a prefix
   * length deletes the address whatever its prefix length. Rejects with EADDRNOTAVAIL
   * ("ipv4: Address not found") when there is none.
   *
   * @example
   * ```ts
   * await nl.addr.del('veth0', '10.123.1.1/24'); // ip addr del 10.123.1.1/24 dev veth0
   * ```
   */
  async del(dev: string | number, cidr: string, options: AddrDelOptions = {}): Promise<void> {
    const d = checkDev(dev);
    const local = parseIfAddress(cidr);
    const o = checkObject(options, 'options');
    checkKeys(o, ['peer', 'label'], 'options');
    const attrs: Record<string, unknown> = { local: local.address };
    let prefixlen = local.prefixlen;
    if (o['peer'] !== undefined) {
      const peer = parseInFamily(o['peer'], 'peer', local.family, 'the family of the address');
      attrs['address'] = peer.address;
      if (peer.prefixlen !== 0) prefixlen = peer.prefixlen;
    } else if (local.family === AF_INET6 || local.explicitPrefix) {
      attrs['address'] = local.address;
    }
    if (o['label'] !== undefined) {
      if (local.family !== AF_INET) throw new ArgumentError('label', o['label'], 'labels apply to IPv4 addresses only');
      attrs['label'] = checkLabel(o['label'], d);
    }
    const index = await ifindex(this.nl, d);
    await this.nl.client.request({
      type: 'RTM_DELADDR',
      header: { family: local.family, prefixlen, flags: 0, scope: 0, index },
      attrs,
    });
  }

  /**
   * Deletes every address that matches (`ip addr flush`): of one interface, and/or of a family,
   * scope, label. Like iproute2 it repeats the dump until nothing matches (deleting a primary
   * IPv4 address also deletes its secondaries). Resolves with the number of addresses that matched
   * and are gone.
   * As `ip addr flush` does, it refuses to run without a device or a filter.
   *
   * @example
   * ```ts
   * await nl.addr.flush('veth0');                        // ip addr flush dev veth0
   * await nl.addr.flush('veth0', { family: 'inet6', scope: 'global' }); // ip -6 addr flush dev veth0 scope global
   * await nl.addr.flush(undefined, { label: 'veth0:*' });  // ip addr flush label 'veth0:*'
   * ```
   */
  async flush(dev?: string | number, filter: Omit<AddrFilter, 'dev'> = {}): Promise<number> {
    const f = checkObject(filter, 'filter');
    if (f['dev'] !== undefined) throw new ArgumentError('filter', 'dev', 'give the device as the first argument');
    const full: AddrFilter = { ...(f as AddrFilter), ...(dev !== undefined && { dev }) };
    const parsed = parseFilter(full);
    if (dev === undefined && Object.values(f).every((v) => v === undefined)) {
      throw new ArgumentError('dev', dev, 'flush needs a device or a filter (like "ip addr flush", which refuses to run without arguments)');
    }
    // Counted as the addresses that matched and are gone: deleting a primary IPv4 address also
    // deletes its secondaries (unless promote_secondaries is set), which then fail with
    // EADDRNOTAVAIL but are gone all the same.
    const key = (a: Address) => `${a.index} ${a.family} ${a.cidr} ${a.peer ?? ''}`;
    const seen = new Set<string>();
    let left: Address[] = [];
    for (let round = 0; round < 10; round++) {
      left = await this.listParsed(parsed).collect();
      if (left.length === 0) break;
      for (const a of left) seen.add(key(a));
      let progress = 0;
      const results = await Promise.allSettled(
        left.map((a) => {
          const attrs: Record<string, unknown> = {};
          if (a.local !== undefined) attrs['local'] = a.local;
          const addr = (a.raw.attrs as IfaAttrs).address;
          if (addr !== undefined) attrs['address'] = addr;
          if (a.label !== undefined) attrs['label'] = a.label;
          const h = a.raw.header as IfaHeader;
          return this.nl.client.request({
            type: 'RTM_DELADDR',
            header: { family: h.family, prefixlen: h.prefixlen, flags: 0, scope: h.scope, index: h.index },
            attrs,
          });
        }),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') progress++;
        // Gone already: a secondary deleted with its primary, or deleted by someone else.
        else if (!isErrno(r.reason, 'EADDRNOTAVAIL', 'ENOENT', 'ENODEV')) throw r.reason;
      }
      if (progress === 0) break;
      left = [];
    }
    for (const a of left) seen.delete(key(a));
    return seen.size;
  }

  /**
   * Lists addresses (RTM_GETADDR dump; device and family are filtered by the kernel, scope,
   * label and permanence here).
   *
   * @example
   * ```ts
   * for await (const a of nl.addr.list({ dev: 'veth0', family: 'inet' })) console.log(a.cidr);
   * // ip -4 addr show dev veth0
   * ```
   */
  list(filter: AddrFilter = {}): Listing<Address> {
    return this.listParsed(parseFilter(filter));
  }

  private listParsed(f: ParsedFilter): Listing<Address> {
    let index = 0;
    return new NamedListing<Address>(
      this.nl,
      () => dumpFamilies(f.family).map((family) => this.nl.client.dump({ type: 'RTM_GETADDR', header: { family, index } })),
      (m, names) => {
        if (m.type !== 'RTM_NEWADDR') return undefined;
        const a = toAddress(m, names);
        return a && matches(a, f) ? a : undefined;
      },
      {
        before: async () => {
          if (f.dev !== undefined) index = await ifindex(this.nl, f.dev);
        },
      },
    );
  }
}
