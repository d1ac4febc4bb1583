/**
 * The {@link Transport} over a real netlink socket, through the native binding.
 *
 * @example
 * ```ts
 * const t = openNativeTransport({ protocol: NETLINK_ROUTE });
 * t.send(request);
 * let d = t.receive();
 * if (d === null) t.onReadable(() => { d = t.receive(); ... });
 * t.close();
 * ```
 * @module
 */
import {
  loadNative,
  NETLINK_ADD_MEMBERSHIP,
  NETLINK_CAP_ACK,
  NETLINK_DROP_MEMBERSHIP,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LISTEN_ALL_NSID,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOL_NETLINK,
  SOL_SOCKET,
  type NativeBinding,
  type Watcher,
} from '../native.js';
import { errnoError, type Datagram, type SocketOptions, type Transport } from './transport.js';

/** Options of {@link openNativeTransport}. */
export interface NativeTransportOptions extends SocketOptions {
  /** The netlink family, e.g. 0 (NETLINK_ROUTE). */
  protocol: number;
  /**
   * An fd of the network namespace to open the socket in (e.g. of `/run/netns/NAME`); the
   * transport does not take ownership of it. Default: the current namespace.
   */
  netnsFd?: number;
  /** Legacy multicast group bitmask for bind (`nl_groups`). Default: 0. */
  groups?: number;
}

/** A {@link Transport} over a kernel socket; `fd` is there for inspection (getsockopt, /proc). */
export interface NativeTransport extends Transport {
  /** The socket's file descriptor; -1 after `close()`. Do not close it yourself. */
  readonly fd: number;
}

/** Initial size of the receive buffer (>= 32 KiB, the kernel's largest dump chunk). */
const RECEIVE_BUFFER_BYTES = 64 * 1024;
/** Default SO_RCVBUF(FORCE). */
const DEFAULT_SOCKET_RECEIVE_BUFFER = 4 * 1024 * 1024;

const EBADF = 9;
const EMSGSIZE = 90;

/**
 * Opens a netlink socket (inside `netnsFd` when given), applies the socket options and binds it.
 * Throws an errno error (`code`, `errno`) when any step fails; the socket is closed then.
 */
export function openNativeTransport(opts: NativeTransportOptions): NativeTransport {
  return new NativeSocketTransport(loadNative(), opts);
}

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

class NativeSocketTransport implements NativeTransport {
  readonly protocol: number;
  readonly portId: number;
  #native: NativeBinding;
  #fd: number;
  #closed = false;
  #buffer = new Uint8Array(RECEIVE_BUFFER_BYTES);
  /** The last view handed out by receive(): reused for a datagram of the same length (every ACK). */
  #view: Uint8Array = this.#buffer.subarray(0, 0);
  #watcher: Watcher | null = null;
  #callbacks: Array<() => void> = [];

  constructor(native: NativeBinding, opts: NativeTransportOptions) {
    this.#native = native;
    this.protocol = opts.protocol;
    const fd = native.socket(opts.protocol, opts.netnsFd ?? -1);
    try {
      const set = (level: number, name: number, value: number) => native.setsockopt(fd, level, name, value);
      if (opts.extAck ?? true) set(SOL_NETLINK, NETLINK_EXT_ACK, 1);
      if (opts.strictCheck ?? true) {
        try {
          set(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
        } catch (err) {
          // Kernels before 4.20 do not know the option; dumps are then filtered in user space.
          if (codeOf(err) !== 'ENOPROTOOPT') throw err;
        }
      }
      if (opts.capAck ?? true) set(SOL_NETLINK, NETLINK_CAP_ACK, 1);
      if (opts.listenAllNsid ?? false) set(SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, 1);
      const rcvbuf = opts.receiveBuffer ?? DEFAULT_SOCKET_RECEIVE_BUFFER;
      try {
        set(SOL_SOCKET, SO_RCVBUFFORCE, rcvbuf);
      } catch (err) {
        // Without CAP_NET_ADMIN the size is capped by net.core.rmem_max instead.
        if (codeOf(err) !== 'EPERM') throw err;
        set(SOL_SOCKET, SO_RCVBUF, rcvbuf);
      }
      this.portId = native.bind(fd, opts.groups ?? 0);
    } catch (err) {
      native.close(fd);
      throw err;
    }
    this.#fd = fd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get fd(): number {
    return this.#fd;
  }

  send(datagram: Uint8Array): void {
    this.#checkOpen('send');
    this.#native.send(this.#fd, datagram, 0, datagram.byteLength);
  }

  receive(): Datagram | null {
    this.#checkOpen('receive');
    const buffer = this.#buffer;
    const n = this.#native.recv(this.#fd, buffer);
    if (n < 0) return null;
    if (n > buffer.byteLength) {
      // The rest of the datagram is gone; make the next one fit and say what happened.
      let size = buffer.byteLength;
      while (size < n) size *= 2;
      this.#buffer = new Uint8Array(size);
      throw errnoError(
        'EMSGSIZE',
        EMSGSIZE,
        `receive: a ${n}-byte netlink datagram was truncated to the ${buffer.byteLength}-byte receive buffer ` +
          `and dropped; the buffer now holds ${size} bytes`,
      );
    }
    let view = this.#view;
    if (view.length !== n || view.buffer !== buffer.buffer) this.#view = view = buffer.subarray(0, n);
    return view;
  }

  onReadable(callback: () => void): void {
    this.#checkOpen('onReadable');
    this.#callbacks.push(callback);
    if (this.#watcher === null) this.#watcher = this.#native.watch(this.#fd, () => this.#fire());
    this.#watcher.arm();
  }

  /** Calls every waiting callback once; a throw is re-thrown after all of them have run. */
  #fire(): void {
    const callbacks = this.#callbacks;
    this.#callbacks = [];
    let failed = false;
    let first: unknown;
    for (const cb of callbacks) {
      try {
        cb();
      } catch (err) {
        if (!failed) {
          failed = true;
          first = err;
        }
      }
    }
    if (failed) throw first;
  }

  addMembership(group: number): void {
    this.#checkOpen('addMembership');
    this.#native.setsockopt(this.#fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
  }

  dropMembership(group: number): void {
    this.#checkOpen('dropMembership');
    this.#native.setsockopt(this.#fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#callbacks = [];
    // The poll handle must be released before the fd goes: libuv must never watch a dead fd.
    this.#watcher?.close();
    this.#watcher = null;
    this.#native.close(this.#fd);
    this.#fd = -1;
  }

  #checkOpen(op: string): void {
    if (this.#closed) throw errnoError('EBADF', EBADF, `${op}: the netlink transport is closed`);
  }
}
