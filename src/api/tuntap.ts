/**
 * `ip tuntap add / del / show`: tun (layer 3) and tap (layer 2) devices.
 *
 * The kernel refuses to create tun/tap devices over rtnetlink (RTM_NEWLINK with kind "tun" is
 * EOPNOTSUPP): they are made by opening /dev/net/tun and the TUNSETIFF ioctl, then kept with
 * TUNSETPERSIST. This API does that inside the handle's namespace (the device is created in the
 * namespace of the thread that opens /dev/net/tun; the binding enters it and comes back in one
 * call). Listing uses rtnetlink: kind "tun" with its IFLA_TUN_* data.
 *
 * @example
 * ```ts
 * const nl = await Netlink.open({ netns: 'ns1' });
 * await nl.tuntap.add({ name: 'tap0', mode: 'tap', owner: 1000 });   // ip -n ns1 tuntap add dev tap0 mode tap user 1000
 * await nl.tuntap.list().collect();                                  // ip -n ns1 tuntap show
 * await nl.tuntap.del('tap0');                                       // ip -n ns1 tuntap del dev tap0 mode tap
 * ```
 * @module
 */
import { ArgumentError, isNetlinkError } from '../netlink/errors.js';
import type { Message } from '../netlink/message.js';
import { errnoError } from '../netlink/transport.js';
import type { LinkAttrs } from '../rtnetlink/gen/types.js';
import type { TunAttrs } from '../rtnetlink/gen/link-kinds-tun.js';
import {
  IFF_MULTI_QUEUE,
  IFF_NO_PI,
  IFF_TAP,
  IFF_TUN,
  IFF_VNET_HDR,
  loadNative,
  TUNSETGROUP,
  TUNSETOWNER,
  TUNSETPERSIST,
} from '../native.js';
import { Listing } from './listing.js';
import type { Netlink } from './netlink.js';
import { withErrnoMessage } from './netns-ref.js';
import { checkIfname, checkKeys } from './validate.js';

/** IFF_TUN_EXCL (linux/if_tun.h): TUNSETIFF fails with EBUSY when the name exists, as `ip tuntap add` asks. */
const IFF_TUN_EXCL = 0x8000;
/** IFF_PERSIST (linux/if_tun.h), as /sys/class/net/NAME/tun_flags shows it. */
export const IFF_PERSIST = 0x0800;
/** ARPHRD_NONE: the link type of tun devices (tap devices are ARPHRD_ETHER). */
const ARPHRD_NONE = 65534;
/** RTEXT_FILTER_SKIP_STATS. */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;
/** Largest uid/gid (2^32 - 1 is the invalid id). */
const ID_MAX = 0xfffffffe;

/** tun: layer 3 (IP packets); tap: layer 2 (Ethernet frames). */
export type TuntapMode = 'tun' | 'tap';

/** Options of {@link TuntapApi.add} (`ip tuntap add`). */
export interface TuntapAddOptions {
  /** Device name, or a pattern with `%d` the kernel fills in. Default: `tun%d` / `tap%d`. */
  name?: string;
  /** `'tun'` or `'tap'`. */
  mode: TuntapMode;
  /**
   * Keep the device after its file descriptor is closed (TUNSETPERSIST). With `false` the device
   * lives as long as the returned `fd`, which the caller then owns. Default: true.
   */
  persist?: boolean;
  /** uid allowed to attach to the device without CAP_NET_ADMIN (`user`). Default: none. */
  owner?: number;
  /** gid allowed to attach (`group`). Default: none. */
  group?: number;
  /** IFF_MULTI_QUEUE (`multi_queue`). Default: false. */
  multiQueue?: boolean;
  /** IFF_VNET_HDR (`vnet_hdr`). Default: false. */
  vnetHdr?: boolean;
  /** Packet information header (`pi`); false sets IFF_NO_PI. Default: false. */
  pi?: boolean;
}

/** What {@link TuntapApi.add} made. */
export interface TuntapCreated {
  /** The device's name (the kernel's choice for a `%d` pattern). */
  name: string;
  /** With `persist: false`: the open queue fd, owned by the caller (closing it removes the device). */
  fd: number | undefined;
}

/** A tun/tap device as `ip tuntap show` describes it. */
export interface Tuntap {
  /** Interface name. */
  name: string;
  /** Interface index. */
  index: number;
  /** tun or tap. */
  mode: TuntapMode;
  /** Survives close of its fd (undefined when the kernel does not report it). */
  persist: boolean | undefined;
  /** Owning uid, when set. */
  owner?: number;
  /** Owning gid, when set. */
  group?: number;
  /** IFF_MULTI_QUEUE (undefined when not reported). */
  multiQueue: boolean | undefined;
  /** IFF_VNET_HDR (undefined when not reported). */
  vnetHdr: boolean | undefined;
  /** Packet information header enabled, i.e. IFF_NO_PI clear (undefined when not reported). */
  pi: boolean | undefined;
  /** Attached queues (multi-queue devices). */
  numQueues?: number;
  /** Disabled queues (multi-queue devices). */
  numDisabledQueues?: number;
  /**
   * The IFF_* bits as /sys/class/net/NAME/tun_flags shows them (IFF_TUN/TAP, NO_PI, VNET_HDR,
   * MULTI_QUEUE, PERSIST), rebuilt from the netlink attributes (IFF_NAPI* are not reported).
   */
  flags: number;
}

/** Options of {@link TuntapApi.del}. */
export interface TuntapDelOptions {
  /** Refuse unless the device has this mode (`ip tuntap del dev X mode M`). Default: any. */
  mode?: TuntapMode;
  /**
   * Remove it even while a process has it open: RTM_DELLINK instead of the TUNSETPERSIST 0 that
   * `ip tuntap del` uses (which fails with EBUSY then). Default: false.
   */
  force?: boolean;
}

const ADD_KEYS = ['name', 'mode', 'persist', 'owner', 'group', 'multiQueue', 'vnetHdr', 'pi'] as const;

function checkMode(mode: unknown, argument = 'mode'): TuntapMode {
  if (mode !== 'tun' && mode !== 'tap') throw new ArgumentError(argument, mode, "must be 'tun' or 'tap'");
  return mode;
}

function checkBool(v: unknown, argument: string): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') throw new ArgumentError(argument, v, 'must be a boolean');
  return v;
}

function checkId(v: unknown, argument: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > ID_MAX) throw new ArgumentError(argument, v, `must be a numeric id in 0..${ID_MAX}`);
  return v;
}

/**
 * Checks the options of `add` and returns the TUNSETIFF flags.
 *
 * @example
 * ```ts
 * tuntapFlags({ mode: 'tap' });                             // 0x1002 (IFF_TAP | IFF_NO_PI: ip tuntap add mode tap)
 * tuntapFlags({ mode: 'tun', pi: true, multiQueue: true }); // 0x0101 (ip tuntap add mode tun pi multi_queue)
 * ```
 */
export function tuntapFlags(options: TuntapAddOptions): number {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object like { name, mode }');
  checkKeys(options, ADD_KEYS, 'tuntap option');
  const mode = checkMode(options.mode);
  if (options.name !== undefined) checkIfname(options.name, 'name');
  checkBool(options.persist, 'persist');
  checkId(options.owner, 'owner');
  checkId(options.group, 'group');
  let flags = mode === 'tun' ? IFF_TUN : IFF_TAP;
  if (checkBool(options.multiQueue, 'multiQueue')) flags |= IFF_MULTI_QUEUE;
  if (checkBool(options.vnetHdr, 'vnetHdr')) flags |= IFF_VNET_HDR;
  if (!checkBool(options.pi, 'pi')) flags |= IFF_NO_PI;
  return flags;
}

function toTuntap(m: Message): Tuntap | undefined {
  const a = m.attrs as LinkAttrs;
  const info = a.linkinfo as { kind?: string; data?: TunAttrs | string } | undefined;
  if (info?.kind !== 'tun' || a.ifname === undefined) return undefined;
  const d: TunAttrs = typeof info.data === 'object' ? info.data : {};
  const h = m.header as { index?: number; type?: number };
  const mode: TuntapMode = d.type === IFF_TUN ? 'tun' : d.type === IFF_TAP ? 'tap' : h.type === ARPHRD_NONE ? 'tun' : 'tap';
  const bool = (v: number | undefined) => (v === undefined ? undefined : v !== 0);
  const persist = bool(d.persist);
  const multiQueue = bool(d.multi_queue);
  const vnetHdr = bool(d.vnet_hdr);
  const pi = bool(d.pi);
  const flags =
    (mode === 'tun' ? IFF_TUN : IFF_TAP) |
    (pi === false ? IFF_NO_PI : 0) |
    (vnetHdr ? IFF_VNET_HDR : 0) |
    (multiQueue ? IFF_MULTI_QUEUE : 0) |
    (persist ? IFF_PERSIST : 0);
  const t: Tuntap = { name: a.ifname, index: h.index ?? 0, mode, persist, multiQueue, vnetHdr, pi, flags };
  if (d.owner !== undefined) t.owner = d.owner;
  if (d.group !== undefined) t.group = d.group;
  if (d.num_queues !== undefined) t.numQueues = d.num_queues;
  if (d.num_disabled_queues !== undefined) t.numDisabledQueues = d.num_disabled_queues;
  return t;
}

/**
 * tun/tap devices of the handle's namespace (`nl.tuntap`).
 *
 * @example
 * ```ts
 * await nl.tuntap.add({ name: 'tun0', mode: 'tun' });   // ip tuntap add dev tun0 mode tun
 * ```
 */
export class TuntapApi {
  /** The handle whose namespace holds the devices. */
  readonly nl: Netlink;

  constructor(nl: Netlink) {
    this.nl = nl;
  }

  /**
   * Creates a tun or tap device (`ip tuntap add`): TUNSETIFF (with IFF_TUN_EXCL, so an existing
   * name is EBUSY as with `ip`), then TUNSETOWNER / TUNSETGROUP / TUNSETPERSIST. Options are
   * checked before anything is opened.
   *
   * @example
   * ```ts
   * await nl.tuntap.add({ name: 'tap0', mode: 'tap', multiQueue: true });  // ip tuntap add dev tap0 mode tap multi_queue
   * const { fd } = await nl.tuntap.add({ name: 'tun1', mode: 'tun', persist: false }); // lives while fd is open
   * ```
   */
  async add(options: TuntapAddOptions): Promise<TuntapCreated> {
    const flags = tuntapFlags(options);
    const persist = options.persist ?? true;
    const native = loadNative();
    const wanted = options.name ?? `${options.mode}%d`;
    let h;
    try {
      h = native.tunOpen(this.nl.netns?.fd ?? -1, wanted, flags | IFF_TUN_EXCL);
    } catch (e) {
      const busy = (e as NodeJS.ErrnoException).code === 'EBUSY' ? ' (a device with this name exists)' : '';
      throw withErrnoMessage(e, `Cannot create ${options.mode} device "${wanted}"${busy}`);
    }
    try {
      if (options.owner !== undefined) native.ioctlInt(h.fd, TUNSETOWNER, options.owner);
      if (options.group !== undefined) native.ioctlInt(h.fd, TUNSETGROUP, options.group);
      if (persist) native.ioctlInt(h.fd, TUNSETPERSIST, 1);
    } catch (e) {
      native.close(h.fd); // not yet persistent: the device goes with the fd
      throw withErrnoMessage(e, `Cannot set up ${options.mode} device "${h.name}"`);
    }
    if (!persist) return { name: h.name, fd: h.fd };
    native.close(h.fd);
    return { name: h.name, fd: undefined };
  }

  /**
   * One tun/tap device by name; rejects with ENODEV (`Cannot find device "NAME"`) when there is
   * none and EINVAL when it is not a tun/tap device.
   *
   * @example
   * ```ts
   * (await nl.tuntap.get('tap0')).persist;   // true
   * ```
   */
  async get(name: string): Promise<Tuntap> {
    checkIfname(name, 'name');
    let m: Message | undefined;
    try {
      [m] = await this.nl.client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: name, ext_mask: RTEXT_FILTER_SKIP_STATS } });
    } catch (e) {
      if (isNetlinkError(e) && e.code === 'ENODEV') throw errnoError('ENODEV', 19, `Cannot find device "${name}"`);
      throw e;
    }
    const t = m === undefined ? undefined : toTuntap(m);
    if (t === undefined) throw errnoError('EINVAL', 22, `"${name}" is not a tun/tap device`);
    return t;
  }

  /**
   * Deletes a tun/tap device (`ip tuntap del`): attach with its own flags, TUNSETPERSIST 0, close.
   * A device a process holds open rejects with EBUSY unless `force` (RTM_DELLINK).
   *
   * @example
   * ```ts
   * await nl.tuntap.del('tap0');                   // ip tuntap del dev tap0 mode tap
   * await nl.tuntap.del('tap1', { force: true });  // ip link del tap1
   * ```
   */
  async del(name: string, options: TuntapDelOptions = {}): Promise<void> {
    checkIfname(name, 'name');
    if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object');
    checkKeys(options, ['mode', 'force'], 'tuntap del option');
    if (options.mode !== undefined) checkMode(options.mode);
    const force = checkBool(options.force, 'force') ?? false;
    const t = await this.get(name);
    if (options.mode !== undefined && options.mode !== t.mode) throw errnoError('EINVAL', 22, `"${name}" is a ${t.mode} device, not ${options.mode}`);
    if (force) {
      await this.nl.client.request({ type: 'RTM_DELLINK', header: { index: t.index }, attrs: {} });
      return;
    }
    const native = loadNative();
    let h;
    try {
      h = native.tunOpen(this.nl.netns?.fd ?? -1, name, (t.mode === 'tun' ? IFF_TUN : IFF_TAP) | (t.multiQueue ? IFF_MULTI_QUEUE : 0) | IFF_NO_PI);
    } catch (e) {
      const busy = (e as NodeJS.ErrnoException).code === 'EBUSY' ? ' (a process has it open; use force to remove it anyway)' : '';
      throw withErrnoMessage(e, `Cannot delete ${t.mode} device "${name}"${busy}`);
    }
    try {
      native.ioctlInt(h.fd, TUNSETPERSIST, 0);
    } catch (e) {
      throw withErrnoMessage(e, `Cannot delete ${t.mode} device "${name}"`);
    } finally {
      native.close(h.fd); // the last queue of a non-persistent device: the kernel unregisters it
    }
  }

  /**
   * The tun/tap devices (`ip tuntap show`), from a link dump filtered by the kernel to kind "tun".
   *
   * @example
   * ```ts
   * for await (const t of nl.tuntap.list()) console.log(t.name, t.mode, t.persist);   // ip tuntap show
   * ```
   */
  list(): Listing<Tuntap> {
    return new Listing(
      () => this.nl.client.dump({ type: 'RTM_GETLINK', header: {}, attrs: { linkinfo: { kind: 'tun' }, ext_mask: RTEXT_FILTER_SKIP_STATS } }),
      toTuntap,
    );
  }
}
