/**
 * Network sysctls of the handle's namespace: `/proc/sys/net/...` opened inside that namespace
 * (the kernel resolves /proc/sys/net against the namespace of the thread that opens it), and
 * typed IPv4 per-interface settings (`rp_filter`, `accept_local`, `forwarding`, ...) written
 * over netlink where the kernel allows it.
 *
 * Keys are relative to /proc/sys/net, dotted or with slashes: `'ipv4.ip_forward'`,
 * `'ipv4/conf/all/rp_filter'`; a leading `net.` is accepted. As for sysctl(8), the first
 * separator tells the form: in the dotted form a `/` stands for a dot inside a name
 * (`'ipv4.conf.veth0/10.rp_filter'` is /proc/sys/net/ipv4/conf/veth0.10/rp_filter).
 *
 * @example
 * ```ts
 * const nl = await Netlink.open({ netns: 'ns1' });
 * await nl.sysctl.set('ipv4.ip_forward', 1);                    // ip netns exec ns1 sysctl -w net.ipv4.ip_forward=1
 * await nl.sysctl.get('ipv4.conf.all.rp_filter');               // '0'
 * await nl.sysctl.setIpv4Conf('veth0', { rp_filter: 0, accept_local: 1 });
 * ```
 * @module
 */
import { closeSync, constants as fsConstants, openSync, readSync, writeSync } from 'node:fs';
import { NLA_F_NESTED } from '../netlink/constants.js';
import { ArgumentError } from '../netlink/errors.js';
import { toHex } from '../netlink/bytes.js';
import { errnoError } from '../netlink/transport.js';
import { Writer } from '../netlink/writer.js';
import { routeProtocolDef } from '../rtnetlink/index.js';
import type { Ipv4Devconf } from '../rtnetlink/gen/types.js';
import { loadNative } from '../native.js';
import type { Netlink } from './netlink.js';
import { withErrnoMessage } from './netns-ref.js';
import { ifindex, ifname } from './resolve.js';
import { checkIfname, checkKeys } from './validate.js';

/** Where network sysctls live. */
export const SYSCTL_NET_DIR = '/proc/sys/net';
/** IFLA_INET_CONF inside IFLA_AF_SPEC → AF_INET. */
const IFLA_INET_CONF = 1;
/** RTEXT_FILTER_SKIP_STATS: no statistics in the link reply. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
/** Longest key accepted (PATH_MAX). */
const KEY_MAX = 4096;
/** Sysctls are read in one go; no network sysctl is near this. */
const READ_CHUNK = 4096;

/** A value for {@link SysctlApi.set}: numbers, text, booleans (1/0) or a vector (tab-separated). */
export type SysctlValue = number | bigint | boolean | string | ReadonlyArray<number | bigint | string>;

/**
 * Turns a key into the path under /proc/sys/net, or throws an ArgumentError naming `key`: no
 * absolute paths, no empty, `.` or `..` components, no NUL or whitespace.
 *
 * @example
 * ```ts
 * sysctlPath('ipv4.conf.all.rp_filter');       // '/proc/sys/net/ipv4/conf/all/rp_filter'
 * sysctlPath('net/ipv4/ip_forward');           // '/proc/sys/net/ipv4/ip_forward'
 * sysctlPath('ipv4.conf.veth0/10.rp_filter');  // '/proc/sys/net/ipv4/conf/veth0.10/rp_filter'
 * sysctlPath('../kernel/hostname');            // throws ArgumentError
 * ```
 */
export function sysctlPath(key: unknown, argument = 'key'): string {
  if (typeof key !== 'string' || key.length === 0) throw new ArgumentError(argument, key, 'must be a non-empty sysctl name like "ipv4.conf.all.rp_filter"');
  if (key.length > KEY_MAX) throw new ArgumentError(argument, key, `must be at most ${KEY_MAX} characters`);
  if (/[\0\s]/.test(key)) throw new ArgumentError(argument, key, 'must not contain NUL or whitespace');
  if (key.startsWith('/')) throw new ArgumentError(argument, key, `must be relative to ${SYSCTL_NET_DIR} (no absolute paths)`);
  const firstSep = /[./]/.exec(key)?.[0];
  // Dotted form: '.' separates, '/' stands for a literal dot (sysctl(8)'s convention).
  const slashed = firstSep === '.' ? key.replace(/[./]/g, (c) => (c === '.' ? '/' : '.')) : key;
  const parts = slashed.split('/');
  if (parts[0] === 'net' && parts.length > 1) parts.shift();
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') throw new ArgumentError(argument, key, 'must not have empty, "." or ".." components');
  }
  return `${SYSCTL_NET_DIR}/${parts.join('/')}`;
}

/**
 * The text written for a value, or an ArgumentError naming `argument`.
 *
 * @example
 * ```ts
 * sysctlText(true);            // '1'
 * sysctlText([32768, 60999]);  // '32768\t60999'  (sysctl -w net.ipv4.ip_local_port_range="32768 60999")
 * sysctlText(1.5);             // throws ArgumentError
 * ```
 */
export function sysctlText(value: unknown, argument = 'value'): string {
  const one = (v: unknown): string => {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new ArgumentError(argument, v, 'must be an integer');
      return String(v);
    }
    if (typeof v === 'bigint') return String(v);
    if (typeof v === 'string') {
      if (v === '') throw new ArgumentError(argument, v, 'must not be empty');
      if (/[\0\n]/.test(v)) throw new ArgumentError(argument, v, 'must not contain NUL or a newline');
      return v;
    }
    throw new ArgumentError(argument, v, 'must be a number, a string, a boolean or an array of numbers/strings');
  };
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) {
    if (value.length === 0) throw new ArgumentError(argument, value, 'must not be an empty array');
    return value.map(one).join('\t');
  }
  return one(value);
}

/* ------------------------------------------------------------------------------------------ */
/* IPv4 devconf                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** The per-interface IPv4 settings, named as IPV4_DEVCONF_* without the prefix, lower-cased. */
export type Ipv4Conf = Ipv4Devconf;
/** A name of {@link Ipv4Conf}. */
export type Ipv4ConfKey = Exclude<keyof Ipv4Devconf, '_unknown'>;
/** Values for {@link SysctlApi.setIpv4Conf}; the sysctl file names are accepted as aliases. */
export type Ipv4ConfInput = { [K in Ipv4ConfKey]?: number | boolean } & {
  /** Alias of `arpfilter` (the sysctl file name). */
  arp_filter?: number | boolean;
  /** Alias of `noxfrm`. */
  disable_xfrm?: number | boolean;
  /** Alias of `nopolicy`. */
  disable_policy?: number | boolean;
  /** Alias of `src_vmark`. */
  src_valid_mark?: number | boolean;
};

/** IPV4_DEVCONF_* names whose sysctl file is called differently. */
const SYSCTL_FILE: Readonly<Record<string, string>> = { arpfilter: 'arp_filter', noxfrm: 'disable_xfrm', nopolicy: 'disable_policy', src_vmark: 'src_valid_mark' };
const ALIASES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(SYSCTL_FILE).map(([k, v]) => [v, k]));
/** Set only by the kernel (a multicast routing daemon turns it on by opening its socket). */
const READ_ONLY = new Set(['mc_forwarding']);
/** Settings with a documented small range (ip-sysctl.rst); the rest take any int. */
const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  rp_filter: [0, 2],
  arp_announce: [0, 2],
  arp_ignore: [0, 8],
  force_igmp_version: [0, 3],
};
const INT_MIN = -0x80000000;
const INT_MAX = 0x7fffffff;

let devconfIndex: ReadonlyMap<string, number> | undefined;
/**
 * IPV4_DEVCONF_* numbers by name: the spec's `ipv4-devconf` struct is the kernel's u32 array, in
 * which the value of IPV4_DEVCONF_X sits at index X - 1; so field i is attribute i + 1.
 *
 * @example
 * ```ts
 * ipv4DevconfIndex().get('rp_filter');      // 8  (IPV4_DEVCONF_RP_FILTER)
 * ipv4DevconfIndex().get('accept_local');   // 23 (IPV4_DEVCONF_ACCEPT_LOCAL)
 * ```
 */
export function ipv4DevconfIndex(): ReadonlyMap<string, number> {
  if (devconfIndex === undefined) {
    const fields = routeProtocolDef.structs['ipv4-devconf']?.fields ?? [];
    devconfIndex = new Map(fields.map((f, i) => [f.name, i + 1]));
  }
  return devconfIndex;
}

/** Validated settings: [IPV4_DEVCONF_* name, value as a signed int], in the caller's order. */
function checkIpv4Conf(values: unknown): Array<[Ipv4ConfKey, number]> {
  if (values === null || typeof values !== 'object' || Array.isArray(values)) throw new ArgumentError('values', values, 'must be an object like { rp_filter: 0, accept_local: 1 }');
  const index = ipv4DevconfIndex();
  const out: Array<[Ipv4ConfKey, number]> = [];
  for (const [given, raw] of Object.entries(values as Record<string, unknown>)) {
    if (raw === undefined) continue;
    const key = ALIASES[given] ?? given;
    if (!index.has(key)) throw new ArgumentError('values', given, `unknown IPv4 setting (known: ${[...index.keys()].join(', ')})`);
    if (READ_ONLY.has(key)) throw new ArgumentError(given, raw, 'is read-only');
    const v = raw === true ? 1 : raw === false ? 0 : raw;
    const [min, max] = RANGES[key] ?? [INT_MIN, INT_MAX];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new ArgumentError(given, raw, `must be an integer in ${min}..${max} or a boolean`);
    out.push([key as Ipv4ConfKey, v]);
  }
  if (out.length === 0) throw new ArgumentError('values', values, 'must set at least one setting');
  return out;
}

/**
 * The IFLA_INET_CONF request form: a nest (NLA_F_NESTED) of u32 attributes whose type is the
 * IPV4_DEVCONF_* index, as inet_set_link_af parses it. (Dumps carry the flat u32 array instead,
 * which the spec declares as the `ipv4-devconf` struct, so the request form is built here and
 * handed to the encoder as a raw attribute: numeric keys are emitted verbatim.)
 *
 * @example
 * ```ts
 * const { key, hex } = encodeInetConfNest([['rp_filter', 0]]);   // key '32769', hex '0800080000000000'
 * await nl.client.request({ type: 'RTM_SETLINK', header: { index }, attrs: { af_spec: { inet: { [key]: hex } } } });
 * ```
 */
export function encodeInetConfNest(settings: ReadonlyArray<readonly [string, number]>): { key: string; hex: string } {
  const index = ipv4DevconfIndex();
  const w = new Writer();
  for (const [name, value] of settings) {
    const type = index.get(name);
    if (type === undefined) throw new ArgumentError('values', name, 'unknown IPv4 setting');
    const at = w.beginAttr(type);
    w.u32(value >>> 0);
    w.endAttr(at);
  }
  return { key: String(NLA_F_NESTED | IFLA_INET_CONF), hex: toHex(w.finish()) };
}

/** Options of {@link SysctlApi.setIpv4Conf}. */
export interface SetIpv4ConfOptions {
  /**
   * `'netlink'`: one RTM_SETLINK with IFLA_AF_SPEC/AF_INET/IFLA_INET_CONF (atomic, devices only);
   * `'sysctl'`: one write per setting to /proc/sys/net/ipv4/conf/DEV/ (also for all/default, and
   * runs the kernel's sysctl side effects: route cache flush, RTM_NEWNETCONF notifications, LRO
   * off when forwarding is turned on); `'auto'`: netlink for a device, sysctl for all/default.
   * Default: 'auto'.
   */
  via?: 'auto' | 'netlink' | 'sysctl';
}

/**
 * The sysctls of the handle's namespace (`nl.sysctl`).
 *
 * @example
 * ```ts
 * await nl.sysctl.set('ipv4.conf.all.accept_local', 1);   // sysctl -w net.ipv4.conf.all.accept_local=1
 * ```
 */
export class SysctlApi {
  /** The handle whose namespace is read and written. */
  readonly nl: Netlink;

  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /** Opens a /proc/sys path in the handle's namespace. */
  private open(path: string, write: boolean): number {
    const flags = write ? fsConstants.O_WRONLY : fsConstants.O_RDONLY;
    const ns = this.nl.netns;
    if (ns === undefined) return openSync(path, flags);
    return loadNative().openInNetns(ns.fd, path, flags, 0);
  }

  private readPath(path: string, key: string): string {
    let fd: number;
    try {
      fd = this.open(path, false);
    } catch (e) {
      throw withErrnoMessage(e, `cannot read sysctl ${key} (${path})`);
    }
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(READ_CHUNK);
      for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) chunks.push(Buffer.from(buf.subarray(0, n)));
      return Buffer.concat(chunks).toString('utf8').replace(/\n$/, '');
    } catch (e) {
      throw withErrnoMessage(e, `cannot read sysctl ${key} (${path})`);
    } finally {
      closeSync(fd);
    }
  }

  private writePath(path: string, key: string, text: string): void {
    let fd: number;
    try {
      fd = this.open(path, true);
    } catch (e) {
      throw withErrnoMessage(e, `cannot set sysctl ${key} (${path})`);
    }
    try {
      const bytes = Buffer.from(text, 'utf8');
      const n = writeSync(fd, bytes); // one write at offset 0, as the proc handlers expect
      if (n !== bytes.length) throw errnoError('EIO', 5, `cannot set sysctl ${key} (${path}): short write (${n} of ${bytes.length} bytes)`);
    } catch (e) {
      throw withErrnoMessage(e, `cannot set sysctl ${key} to ${JSON.stringify(text)} (${path})`);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The value of a sysctl, as the kernel prints it (without the final newline). An unknown key
   * rejects with code ENOENT and the key in the message.
   *
   * @example
   * ```ts
   * await nl.sysctl.get('ipv4.ip_forward');                 // '0'   (sysctl net.ipv4.ip_forward)
   * await nl.sysctl.get('ipv4/ip_local_port_range');        // '32768\t60999'
   * ```
   */
  async get(key: string): Promise<string> {
    return this.readPath(sysctlPath(key), key);
  }

  /**
   * The value of an integer sysctl.
   *
   * @example
   * ```ts
   * await nl.sysctl.getInt('ipv4.conf.lo.rp_filter');   // 0
   * ```
   */
  async getInt(key: string): Promise<number> {
    const text = await this.get(key);
    if (!/^-?\d+$/.test(text.trim())) throw new ArgumentError('key', key, `is not an integer sysctl (value ${JSON.stringify(text)})`);
    return Number(text.trim());
  }

  /**
   * Writes a sysctl. Booleans are written as 1/0 and arrays tab-separated. The kernel's refusal
   * keeps its errno (EINVAL for a value out of range, ENOENT for an unknown key, EACCES for a
   * read-only one).
   *
   * @example
   * ```ts
   * await nl.sysctl.set('ipv4.conf.all.rp_filter', 0);           // sysctl -w net.ipv4.conf.all.rp_filter=0
   * await nl.sysctl.set('ipv6/conf/all/disable_ipv6', true);     // sysctl -w net.ipv6.conf.all.disable_ipv6=1
   * ```
   */
  async set(key: string, value: SysctlValue): Promise<void> {
    const path = sysctlPath(key);
    this.writePath(path, key, sysctlText(value));
  }

  /**
   * Every IPv4 setting of interface `dev` (name or index) or of `'all'` / `'default'`. A device's
   * settings come in one RTM_GETLINK (IFLA_AF_SPEC → AF_INET → IFLA_INET_CONF); all/default are
   * read from /proc/sys/net/ipv4/conf/{all,default}/ (settings a kernel lacks are absent).
   *
   * @example
   * ```ts
   * (await nl.sysctl.ipv4Conf('veth0')).rp_filter;   // sysctl net.ipv4.conf.veth0.rp_filter
   * (await nl.sysctl.ipv4Conf('all')).accept_local;
   * ```
   */
  async ipv4Conf(dev: string | number): Promise<Ipv4Conf> {
    if (dev === 'all' || dev === 'default') {
      const out: Record<string, number> = {};
      for (const name of ipv4DevconfIndex().keys()) {
        const file = SYSCTL_FILE[name] ?? name;
        const key = `ipv4/conf/${dev}/${file}`;
        let text: string;
        try {
          text = this.readPath(`${SYSCTL_NET_DIR}/${key}`, key);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // absent on this kernel
          throw e;
        }
        out[name] = Number(text.trim());
      }
      return out as Ipv4Conf;
    }
    const index = await ifindex(this.nl, dev);
    const [m] = await this.nl.client.request({ type: 'RTM_GETLINK', header: { index }, attrs: { ext_mask: RTEXT_FILTER_SKIP_STATS } });
    const conf = (m?.attrs as { af_spec?: { inet?: { conf?: Ipv4Conf } } } | undefined)?.af_spec?.inet?.conf;
    if (conf === undefined || typeof conf !== 'object') throw errnoError('EAFNOSUPPORT', 97, `device "${String(dev)}" has no IPv4 configuration`);
    return conf;
  }

  /**
   * Changes IPv4 settings of interface `dev` or of `'all'` / `'default'`. For a device this is
   * one RTM_SETLINK carrying IFLA_AF_SPEC → AF_INET → IFLA_INET_CONF (all settings at once; the
   * kernel applies them without the sysctl side effects — see {@link SetIpv4ConfOptions.via});
   * all/default go through /proc/sys. Names and values are checked before anything is sent.
   *
   * @example
   * ```ts
   * await nl.sysctl.setIpv4Conf('veth0', { rp_filter: 0, accept_local: 1 });
   * //   sysctl -w net.ipv4.conf.veth0.rp_filter=0 net.ipv4.conf.veth0.accept_local=1
   * await nl.sysctl.setIpv4Conf('all', { rp_filter: 0 });   // sysctl -w net.ipv4.conf.all.rp_filter=0
   * ```
   */
  async setIpv4Conf(dev: string | number, values: Ipv4ConfInput, options: SetIpv4ConfOptions = {}): Promise<void> {
    if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object');
    checkKeys(options, ['via'], 'setIpv4Conf option');
    const via = options.via ?? 'auto';
    if (via !== 'auto' && via !== 'netlink' && via !== 'sysctl') throw new ArgumentError('via', via, "must be 'auto', 'netlink' or 'sysctl'");
    const special = dev === 'all' || dev === 'default';
    if (!special && typeof dev === 'string') checkIfname(dev, 'dev');
    else if (!special && (typeof dev !== 'number' || !Number.isInteger(dev) || dev <= 0)) throw new ArgumentError('dev', dev, "must be an interface name, an index, 'all' or 'default'");
    const settings = checkIpv4Conf(values);
    if (special && via === 'netlink') throw new ArgumentError('via', via, `'${dev}' has no netlink form: use 'sysctl' or 'auto'`);

    if (special || via === 'sysctl') {
      let name = dev as string;
      if (typeof dev === 'number') {
        const n = await ifname(this.nl, dev);
        if (n === undefined) throw errnoError('ENODEV', 19, `Cannot find device "${dev}"`);
        name = n;
      } else if (!special) {
        await ifindex(this.nl, dev); // ENODEV in iproute2's words rather than ENOENT of a path
      }
      for (const [k, v] of settings) {
        const key = `ipv4/conf/${name}/${SYSCTL_FILE[k] ?? k}`;
        this.writePath(`${SYSCTL_NET_DIR}/${key}`, key, String(v));
      }
      return;
    }
    const index = await ifindex(this.nl, dev);
    const nest = encodeInetConfNest(settings);
    await this.nl.client.request({
      type: 'RTM_SETLINK',
      header: { family: 0, index },
      attrs: { af_spec: { inet: { [nest.key]: nest.hex } } },
    });
  }
}
