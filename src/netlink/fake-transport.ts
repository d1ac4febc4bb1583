/**
 * A transport driven by a function: every datagram sent is handed to `handler`, and the
 * datagrams it returns are queued as the kernel's answer. For tests of code that uses the client,
 * without a kernel. (`nlkit/testing` builds message-level helpers and a mock kernel on it.)
 *
 * @example
 * ```ts
 * const t = createFakeTransport((request) => [ackFor(request)]);
 * const client = new NetlinkClient(t, routeProtocol);
 * ```
 * @module
 */
import type { Transport } from './transport.js';
import { errnoError } from './transport.js';
import { errnoNumber } from './errno.js';

/** Answers one sent datagram with zero or more datagrams (or throws an errno-style error for the send). */
export type FakeHandler = (datagram: Uint8Array, transport: FakeTransport) => Uint8Array[] | void;

/** Options of {@link createFakeTransport}. */
export interface FakeTransportOptions {
  /** Protocol number reported by the transport. Default: 0 (NETLINK_ROUTE). */
  protocol?: number;
  /** Port id reported by the transport (replies should carry it as nlmsg_pid). Default: 4242. */
  portId?: number;
}

/** The fake transport, with hooks for tests. */
export interface FakeTransport extends Transport {
  /** Every datagram sent, in order (copies). */
  readonly sent: Uint8Array[];
  /** Groups joined and not left. */
  readonly groups: ReadonlySet<number>;
  /** Queues a datagram as if the kernel sent it (e.g. a multicast notification). */
  inject(datagram: Uint8Array): void;
  /** Makes the next `receive()` throw an errno error with this code (e.g. 'ENOBUFS'); `errno` defaults to the code's number. */
  injectError(code: string, errno?: number): void;
}

/**
 * Creates a {@link FakeTransport}.
 *
 * @example
 * ```ts
 * const t = createFakeTransport(() => []);
 * t.inject(notificationBytes);
 * ```
 */
export function createFakeTransport(handler: FakeHandler, options: FakeTransportOptions = {}): FakeTransport {
  const queue: Array<Uint8Array | Error> = [];
  const waiting: Array<() => void> = [];
  const groups = new Set<number>();
  const sent: Uint8Array[] = [];
  let closed = false;
  let scheduled = false;

  const wakeSoon = () => {
    if (scheduled || waiting.length === 0 || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      const cbs = waiting.splice(0, waiting.length);
      for (const cb of cbs) cb();
    });
  };
  const check = () => {
    if (closed) throw errnoError('EBADF', 9, 'fake transport is closed');
  };

  const t: FakeTransport = {
    protocol: options.protocol ?? 0,
    portId: options.portId ?? 4242,
    sent,
    groups,
    get closed() {
      return closed;
    },
    send(datagram) {
      check();
      const copy = datagram.slice();
      sent.push(copy);
      const replies = handler(copy, t) ?? [];
      for (const r of replies) queue.push(r);
      wakeSoon();
    },
    receive() {
      check();
      const next = queue.shift();
      if (next === undefined) return null;
      if (next instanceof Error) throw next;
      return next;
    },
    onReadable(cb) {
      check();
      waiting.push(cb);
      wakeSoon();
    },
    addMembership(g) {
      check();
      groups.add(g);
    },
    dropMembership(g) {
      check();
      groups.delete(g);
    },
    close() {
      closed = true;
      queue.length = 0;
      waiting.length = 0;
    },
    inject(datagram) {
      queue.push(datagram);
      wakeSoon();
    },
    injectError(code, errno) {
      queue.push(errnoError(code, errno ?? errnoNumber(code) ?? 0, `injected ${code}`));
      wakeSoon();
    },
  };
  return t;
}
