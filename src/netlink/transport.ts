/**
 * The one seam between the protocol code and the outside world.
 *
 * A {@link Transport} moves whole netlink datagrams. The client never touches a socket: it calls
 * `send`, pulls datagrams with `receive` and asks to be woken with `onReadable` when nothing is
 * queued. The native socket, the replay and recording transports and the fake transport of
 * `nlkit/testing` all implement it.
 *
 * The model is *pull*: nothing is read until somebody wants a message. That is what gives dumps
 * their back-pressure (the kernel fills the next chunk of a dump only when the previous one was
 * read) and what makes a monitor that is not consumed overrun (ENOBUFS) instead of growing
 * without bound.
 *
 * @example
 * ```ts
 * const t: Transport = openNativeTransport({ protocol: NETLINK_ROUTE });
 * t.send(bytes);
 * const reply = t.receive(); // a datagram, or null when none is queued yet
 * if (reply === null) t.onReadable(() => { ... });
 * ```
 * @module
 */

/** A netlink datagram as received: the bytes are only valid until the next `receive` call. */
export type Datagram = Uint8Array;

/** Options of a netlink socket, as the native transport applies them. */
export interface SocketOptions {
  /** NETLINK_EXT_ACK: the kernel explains errors in text. Default: true. */
  extAck?: boolean;
  /** NETLINK_GET_STRICT_CHK: dump requests are checked strictly and filtered in the kernel. Default: true. */
  strictCheck?: boolean;
  /** NETLINK_CAP_ACK: acks echo only the request's header, not its payload. Default: true. */
  capAck?: boolean;
  /** NETLINK_LISTEN_ALL_NSID: receive notifications of all peer namespaces. Default: false. */
  listenAllNsid?: boolean;
  /** SO_RCVBUF(FORCE) in bytes. Default: 4 MiB. */
  receiveBuffer?: number;
}

/**
 * Moves netlink datagrams to and from one kernel socket (or a stand-in for one).
 *
 * Errors are thrown as `Error`s that carry `code` (the errno name, e.g. `'ENOBUFS'`) and `errno`
 * (the positive errno number).
 */
export interface Transport {
  /** The netlink family (protocol) number, e.g. 0 for NETLINK_ROUTE, 12 for NETLINK_NETFILTER. */
  readonly protocol: number;
  /** The port id the kernel assigned to this socket (nl_pid); 0 before it is known. */
  readonly portId: number;
  /** Sends one datagram to the kernel. Throws an errno error when the kernel refuses it. */
  send(datagram: Uint8Array): void;
  /**
   * Returns the next queued datagram without waiting, or null if there is none yet. The returned
   * bytes may be overwritten by the next call: decode or copy them first. Throws an errno error
   * (ENOBUFS after an overrun of the receive queue; the transport stays usable).
   */
  receive(): Datagram | null;
  /** Calls `callback` once, the next time a datagram may be received (or an error is pending). */
  onReadable(callback: () => void): void;
  /** Joins a multicast group (NETLINK_ADD_MEMBERSHIP). */
  addMembership(group: number): void;
  /** Leaves a multicast group (NETLINK_DROP_MEMBERSHIP). */
  dropMembership(group: number): void;
  /** Closes the socket; later calls throw an error with code `'EBADF'`. Idempotent. */
  close(): void;
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

/** Builds the errno-style error every transport throws. */
export function errnoError(code: string, errno: number, message: string): Error & { code: string; errno: number } {
  const err = new Error(message) as Error & { code: string; errno: number };
  err.code = code;
  err.errno = errno;
  return err;
}
