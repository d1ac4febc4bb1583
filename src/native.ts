/**
 * The typed, lazily loaded native binding (`build/Release/nlkit.node`, built from
 * `native/nlkit.c` by `npm install`).
 *
 * The binding knows file descriptors and system calls only; all protocol knowledge is in
 * TypeScript. Importing this module loads nothing: the binding is loaded on the first
 * {@link loadNative} call, so decoding, replay and the mock kernel work where it is absent
 * (macOS, no compiler).
 *
 * Every failure of a binding call is thrown as an `Error` with `code` (the errno name, e.g.
 * `'ENOENT'`), `errno` (the positive errno number) and `syscall`; argument mistakes are
 * `TypeError`/`RangeError` with Node-style `ERR_*` codes.
 *
 * @example
 * ```ts
 * import { loadNative, NETLINK_ROUTE } from './native.js';
 * const native = loadNative();
 * const fd = native.socket(NETLINK_ROUTE, -1);
 * const portId = native.bind(fd, 0);
 * native.close(fd);
 * ```
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A one-shot readiness watcher on a file descriptor (a `uv_poll` for readability).
 *
 * Created disarmed by {@link NativeBinding.watch}. `arm()` starts polling; when the fd becomes
 * readable (or has an error pending) the poll is stopped and the callback runs exactly once.
 * Re-arm to wait again. An armed watcher keeps the event loop alive; a disarmed one does not.
 * Exceptions thrown by the callback become uncaught exceptions, as for any event callback.
 */
export interface Watcher {
  /**
   * Starts waiting for readability; a no-op when already armed. Throws an `EBADF`-coded error
   * after `close()`.
   * @example
   * ```ts
   * const w = native.watch(fd, () => { while (native.recv(fd, buf) >= 0) handle(buf); w.arm(); });
   * w.arm();
   * ```
   */
  arm(): void;
  /**
   * Stops waiting without calling the callback; the watcher can be armed again.
   * @example
   * ```ts
   * w.disarm(); // the process may now exit even though the socket stays open
   * ```
   */
  disarm(): void;
  /**
   * Releases the poll handle. Call it before closing the fd. Idempotent.
   * @example
   * ```ts
   * w.close();
   * native.close(fd);
   * ```
   */
  close(): void;
}

/** The result of {@link NativeBinding.tunOpen}. */
export interface TunHandle {
  /** The file descriptor attached to the device; closing it removes a non-persistent device. */
  fd: number;
  /** The device name, as the kernel chose it (e.g. `tap0` for a pattern `tap%d`). */
  name: string;
}

/** The functions of `nlkit.node`. */
export interface NativeBinding {
  /**
   * Creates a non-blocking, close-on-exec `AF_NETLINK` socket. With `netnsFd >= 0` the socket
   * is created inside that network namespace (setns there and back within this one call; the
   * calling thread is back in its own namespace even when the call throws).
   * @example
   * ```ts
   * const fd = native.socket(NETLINK_ROUTE, -1);
   * const fdInNs = native.socket(NETLINK_ROUTE, nsFd);
   * ```
   */
  socket(protocol: number, netnsFd: number): number;
  /**
   * Binds with `nl_pid` 0 (the kernel assigns the port id) and the legacy group bitmask
   * `groups`; returns the assigned port id.
   * @example
   * ```ts
   * const portId = native.bind(fd, 0);
   * ```
   */
  bind(fd: number, groups: number): number;
  /**
   * Sets an `int` socket option.
   * @example
   * ```ts
   * native.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
   * ```
   */
  setsockopt(fd: number, level: number, name: number, value: number): void;
  /**
   * Reads an `int` socket option.
   * @example
   * ```ts
   * const bytes = native.getsockopt(fd, SOL_SOCKET, SO_RCVBUF);
   * ```
   */
  getsockopt(fd: number, level: number, name: number): number;
  /**
   * Sends one datagram to the kernel (`nl_pid` 0): `length` bytes of `buf` from `offset`
   * (defaults: the whole array). Returns the number of bytes sent.
   * @example
   * ```ts
   * native.send(fd, request);
   * ```
   */
  send(fd: number, buf: Uint8Array, offset?: number, length?: number): number;
  /**
   * Receives one datagram into `buf` without waiting. Returns its full length (larger than
   * `buf.byteLength` when it was truncated) or -1 when none is queued. Throws on errors
   * (`ENOBUFS` after a receive-queue overrun; the socket stays usable).
   * @example
   * ```ts
   * const n = native.recv(fd, buf);
   * if (n > buf.byteLength) throw new Error('truncated');
   * ```
   */
  recv(fd: number, buf: Uint8Array): number;
  /**
   * Creates a disarmed one-shot readiness {@link Watcher} for `fd`. `callback` runs with the
   * watcher as `this`. One watcher per fd; close it before closing the fd.
   * @example
   * ```ts
   * const w = native.watch(fd, () => drain());
   * w.arm();
   * ```
   */
  watch(fd: number, callback: () => void): Watcher;
  /**
   * Closes a file descriptor.
   * @example
   * ```ts
   * native.close(fd);
   * ```
   */
  close(fd: number): void;
  /**
   * `setns(2)` for the calling (JS) thread. Prefer the calls that take a `netnsFd`: they come
   * back by themselves.
   * @example
   * ```ts
   * native.setns(nsFd, CLONE_NEWNET);
   * ```
   */
  setns(fd: number, nstype: number): void;
  /**
   * `unshare(2)` for the calling thread.
   * @example
   * ```ts
   * native.unshare(CLONE_NEWNS);
   * ```
   */
  unshare(flags: number): void;
  /**
   * `mount(2)`; null stands for a NULL pointer.
   * @example
   * ```ts
   * native.mount(null, '/run/netns', null, MS_SHARED | MS_REC, null);
   * ```
   */
  mount(source: string | null, target: string, fstype: string | null, flags: number, data: string | null): void;
  /**
   * `umount2(2)`.
   * @example
   * ```ts
   * native.umount2('/run/netns/blue', MNT_DETACH);
   * ```
   */
  umount2(target: string, flags: number): void;
  /**
   * `open(2)` (always close-on-exec) performed inside the network namespace `netnsFd`
   * (-1: here). Needed for `/proc/sys/net/...`, which is resolved against the namespace of the
   * thread that opens it.
   * @example
   * ```ts
   * const fd = native.openInNetns(nsFd, '/proc/sys/net/ipv4/ip_forward', O_RDONLY, 0);
   * ```
   */
  openInNetns(netnsFd: number, path: string, flags: number, mode: number): number;
  /**
   * Creates a network namespace and bind-mounts it onto `path` (an existing empty file), as
   * `ip netns add` does; the calling thread stays in its own namespace.
   * @example
   * ```ts
   * writeFileSync('/run/netns/blue', '');
   * native.netnsCreate('/run/netns/blue');
   * ```
   */
  netnsCreate(path: string): void;
  /**
   * Opens `/dev/net/tun` inside `netnsFd` (-1: here) and attaches it to device `name`
   * (`''` or a `%d` pattern let the kernel choose) with the `IFF_*` tun `flags`.
   * @example
   * ```ts
   * const { fd, name } = native.tunOpen(-1, 'tap%d', IFF_TAP | IFF_NO_PI);
   * native.ioctlInt(fd, TUNSETPERSIST, 1);
   * native.close(fd);
   * ```
   */
  tunOpen(netnsFd: number, name: string, flags: number): TunHandle;
  /**
   * An `ioctl(2)` whose argument is an int passed by value (TUNSETPERSIST, TUNSETOWNER,
   * TUNSETGROUP).
   * @example
   * ```ts
   * native.ioctlInt(fd, TUNSETOWNER, 1000);
   * ```
   */
  ioctlInt(fd: number, request: number, value: number): void;
  /**
   * The kernel thread id of the calling thread.
   * @example
   * ```ts
   * readlinkSync(`/proc/self/task/${native.gettid()}/ns/net`);
   * ```
   */
  gettid(): number;
}

/* ---------------------------------------------------------------------------------------- */
/* Constants (Linux ABI numbers; values as in the uapi headers).                            */
/* ---------------------------------------------------------------------------------------- */

/** Netlink protocol numbers (the `protocol` of `socket`). */
export const NETLINK_ROUTE = 0;
export const NETLINK_SOCK_DIAG = 4;
export const NETLINK_NETFILTER = 12;
export const NETLINK_GENERIC = 16;

/** Socket option levels. */
export const SOL_SOCKET = 1;
export const SOL_NETLINK = 270;

/** `SOL_SOCKET` options. */
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;

/** `SOL_NETLINK` options. */
export const NETLINK_ADD_MEMBERSHIP = 1;
export const NETLINK_DROP_MEMBERSHIP = 2;
export const NETLINK_NO_ENOBUFS = 5;
export const NETLINK_LISTEN_ALL_NSID = 8;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;

/** Namespace types (`setns`, `unshare`). */
export const CLONE_NEWNS = 0x00020000;
export const CLONE_NEWNET = 0x40000000;

/** `mount` flags. */
export const MS_RDONLY = 0x1;
export const MS_NOSUID = 0x2;
export const MS_NODEV = 0x4;
export const MS_NOEXEC = 0x8;
export const MS_REMOUNT = 0x20;
export const MS_BIND = 0x1000;
export const MS_REC = 0x4000;
export const MS_PRIVATE = 0x40000;
export const MS_SLAVE = 0x80000;
export const MS_SHARED = 0x100000;

/** `umount2` flags. */
export const MNT_FORCE = 0x1;
export const MNT_DETACH = 0x2;

/** `open` flags (`O_CLOEXEC` is always added by the binding). */
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;

/** Tun/tap ioctls taking an int by value. */
export const TUNSETPERSIST = 0x400454cb;
export const TUNSETOWNER = 0x400454cc;
export const TUNSETGROUP = 0x400454ce;

/** `IFF_*` flags of `tunOpen` (struct ifreq `ifr_flags` for TUNSETIFF). */
export const IFF_TUN = 0x0001;
export const IFF_TAP = 0x0002;
export const IFF_MULTI_QUEUE = 0x0100;
export const IFF_NO_PI = 0x1000;
export const IFF_VNET_HDR = 0x4000;

/* ---------------------------------------------------------------------------------------- */
/* Loading                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/** Error code thrown by {@link loadNative} when the binding cannot be loaded. */
export const NLKIT_ERR_NO_NATIVE = 'NLKIT_ERR_NO_NATIVE';

const loaded = new Map<string, NativeBinding>();
let packageRootCache: string | undefined;

/**
 * The package root: the nearest directory above this module holding nlkit's package.json.
 * Works from `src/` (ts-node) and from `dist/`.
 */
function packageRoot(): string {
  if (packageRootCache !== undefined) return packageRootCache;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; ) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'nlkit') {
          packageRootCache = dir;
          return dir;
        }
      } catch {
        // not ours (or unreadable): keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  packageRootCache = resolve(start, '..');
  return packageRootCache;
}

/** Where the binding is loaded from: `$NLKIT_NATIVE_PATH`, else `<package>/build/Release/nlkit.node`. */
export function nativePath(): string {
  const override = process.env['NLKIT_NATIVE_PATH'];
  if (override !== undefined && override !== '') return resolve(override);
  return join(packageRoot(), 'build', 'Release', 'nlkit.node');
}

/** Path of the `nlkit-nsexec` helper: `$NLKIT_NSEXEC_PATH`, else `<package>/build/Release/nlkit-nsexec`. */
export function nsexecPath(): string {
  const override = process.env['NLKIT_NSEXEC_PATH'];
  if (override !== undefined && override !== '') return resolve(override);
  return join(packageRoot(), 'build', 'Release', 'nlkit-nsexec');
}

/**
 * Loads the native binding (once per path; later calls return the same object). Throws an
 * error with code `NLKIT_ERR_NO_NATIVE` when it is missing or cannot be loaded.
 *
 * @example
 * ```ts
 * const native = loadNative();
 * ```
 */
export function loadNative(): NativeBinding {
  const path = nativePath();
  const cached = loaded.get(path);
  if (cached !== undefined) return cached;

  if (process.platform !== 'linux') {
    throw noNative(`the nlkit native binding is only available on Linux (this is ${process.platform})`);
  }
  if (!existsSync(path)) {
    throw noNative(
      `the nlkit native binding is missing (${path}). It is built on install: run \`npm install\` ` +
        '(or `npm rebuild nlkit`) on Linux with a C compiler, make and python3 available.',
    );
  }
  let binding: NativeBinding;
  try {
    binding = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (cause) {
    throw noNative(
      `the nlkit native binding at ${path} cannot be loaded (${(cause as Error).message}). ` +
        'Rebuild it for this Node.js with `npm rebuild nlkit`.',
      cause,
    );
  }
  loaded.set(path, binding);
  return binding;
}

/** Whether {@link loadNative} succeeds here. */
export function nativeAvailable(): boolean {
  try {
    loadNative();
    return true;
  } catch {
    return false;
  }
}

function noNative(message: string, cause?: unknown): Error & { code: string } {
  const err = (cause === undefined ? new Error(message) : new Error(message, { cause })) as Error & {
    code: string;
  };
  err.code = NLKIT_ERR_NO_NATIVE;
  return err;
}
