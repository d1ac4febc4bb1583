/**
 * A socket of the mock kernel: the {@link Transport} a mock namespace hands out. Requests are
 * answered synchronously inside `send` (as rtnetlink mostly does); notifications of the groups
 * joined are queued as they happen.
 * @module
 */
import { errnoError, type Transport } from '../../netlink/transport.js';
import type { MockKernel } from './kernel.js';
import type { Netns } from './state.js';

/**
 * Socket options of a mock socket (as `setsockopt` would set them on a real one).
 *
 * @example
 * ```ts
 * kernel.transport({ capAck: false }); // errors echo the request's payload
 * ```
 */
export interface MockSocketOptions {
  /** NETLINK_EXT_ACK. Default: true. */
  extAck?: boolean;
  /** NETLINK_GET_STRICT_CHK. Default: true. */
  strictCheck?: boolean;
  /** NETLINK_CAP_ACK. Default: true. */
  capAck?: boolean;
}

/**
 * The transport of a mock socket.
 *
 * @example
 * ```ts
 * const t: MockTransport = kernel.transport({ netns: 'ns1' });
 * t.netns; // 'ns1'
 * ```
 */
export interface MockTransport extends Transport {
  /** The namespace the socket lives in ('' for the initial one). */
  readonly netns: string;
  /** Multicast groups joined. */
  readonly groups: ReadonlySet<number>;
}

/** @internal */
export class MockSocket implements MockTransport {
  readonly protocol = 0;
  readonly portId: number;
  readonly ns: Netns;
  readonly extAck: boolean;
  readonly strictCheck: boolean;
  readonly capAck: boolean;
  private readonly kernel: MockKernel;
  private readonly queue: Uint8Array[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly joined = new Set<number>();
  private isClosed = false;
  private scheduled = false;

  constructor(kernel: MockKernel, ns: Netns, portId: number, options: MockSocketOptions) {
    this.kernel = kernel;
    this.ns = ns;
    this.portId = portId;
    this.extAck = options.extAck ?? true;
    this.strictCheck = options.strictCheck ?? true;
    this.capAck = options.capAck ?? true;
  }

  get netns(): string {
    return this.ns.name;
  }
  get groups(): ReadonlySet<number> {
    return this.joined;
  }
  get closed(): boolean {
    return this.isClosed;
  }

  send(datagram: Uint8Array): void {
    this.check('send');
    this.kernel.handleDatagram(this, datagram.slice());
  }

  receive(): Uint8Array | null {
    this.check('receive');
    return this.queue.shift() ?? null;
  }

  onReadable(callback: () => void): void {
    this.check('onReadable');
    this.waiting.push(callback);
    this.wake();
  }

  addMembership(group: number): void {
    this.check('addMembership');
    if (!Number.isInteger(group) || group <= 0) throw errnoError('EINVAL', 22, `addMembership: invalid group ${group}`);
    this.joined.add(group);
  }

  dropMembership(group: number): void {
    this.check('dropMembership');
    this.joined.delete(group);
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.queue.length = 0;
    this.waiting.length = 0;
    this.ns.sockets.delete(this);
  }

  /** @internal Queues a datagram for the user. */
  deliver(datagram: Uint8Array): void {
    if (this.isClosed) return;
    this.queue.push(datagram);
    this.wake();
  }

  private wake(): void {
    if (this.scheduled || this.waiting.length === 0 || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const cb of this.waiting.splice(0, this.waiting.length)) cb();
    });
  }

  private check(op: string): void {
    if (this.isClosed) throw errnoError('EBADF', 9, `${op}: the mock netlink socket is closed`);
  }
}
