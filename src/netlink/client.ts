/**
 * The client session over one {@link Transport}: sequence numbers, requests acknowledged by the
 * kernel, dumps streamed as async iterators, multicast subscriptions, timeouts and close.
 *
 * - Several requests may be in flight at once; replies are matched by sequence number and port.
 * - The kernel runs one dump per socket at a time, so dumps are queued and sent one after the
 *   other; other requests are sent at once and their replies interleave safely.
 * - Reading is pulled by consumers: a dump that nobody iterates stops being read once it has
 *   {@link ClientOptions.highWater} messages queued, and the kernel waits (back-pressure).
 * - After a send the client tries to receive before arming the poll: rtnetlink usually answers
 *   inside sendmsg, so most requests complete without a poll round trip.
 *
 * @example
 * ```ts
 * const client = new NetlinkClient(transport, routeProtocol);
 * await client.request({ type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {}, attrs: { ifname: 'br0', linkinfo: { kind: 'bridge' } } });
 * for await (const m of client.dump({ type: 'RTM_GETLINK', header: {} })) console.log(m.attrs.ifname);
 * client.close();
 * ```
 * @module
 */
import { NLM_F, NLMSG } from './constants.js';
import { NetlinkError, isDecodeError } from './errors.js';
import type { Attrs, DecodeLimits, Protocol } from './codec.js';
import { decodeDatagram, encodeMessage, type ErrorHeader, type Message, type MessageInit, flagBits } from './message.js';
import { resolveMissing, resolveOffset } from './attr-path.js';
import type { Transport } from './transport.js';
import { errnoError } from './transport.js';
import { describe, logClient, logRecv, logSend } from './log.js';

/** Options of a {@link NetlinkClient}. */
export interface ClientOptions {
  /** Milliseconds a request or dump may wait for the kernel; 0 waits forever. Default: 30000. */
  timeout?: number;
  /** Limits for decoding replies. Default: see {@link DecodeLimits}. */
  limits?: DecodeLimits;
  /** Messages a dump may queue unread before the client stops reading (back-pressure). Default: 4096. */
  highWater?: number;
  /** Messages a subscription may queue unread before it reports an overrun and drops. Default: 65536. */
  subscriptionQueue?: number;
}

/** Options of one request. */
export interface RequestOptions {
  /** Overrides {@link ClientOptions.timeout}. */
  timeout?: number;
  /** Ask for an acknowledgement (NLM_F_ACK) and complete on it. Default: true. */
  ack?: boolean;
}

/** What a dump does when the kernel flags it NLM_F_DUMP_INTR (the data changed while it was read). */
export type OnInterrupt = 'throw' | 'retry' | 'report';

/** Options of one dump. */
export interface DumpOptions {
  /** Overrides {@link ClientOptions.timeout} (for each wait, not for the whole dump). */
  timeout?: number;
  /**
   * `throw` (default): a {@link DumpInterruptedError} at the end, carrying what was received;
   * `retry`: `collect()` starts over, up to `retries` times, then throws; iteration throws;
   * `report`: only sets `interrupted` on the stream.
   */
  onInterrupt?: OnInterrupt;
  /** Attempts for `onInterrupt: 'retry'`. Default: 3. */
  retries?: number;
}

/**
 * A dump was inconsistent: the kernel's data changed while it was being dumped (NLM_F_DUMP_INTR).
 * `partial` holds the messages received (for `collect()`), which may miss or repeat objects.
 */
export class DumpInterruptedError extends Error {
  override readonly name = 'DumpInterruptedError';
  readonly code = 'NLKIT_ERR_DUMP_INTR';
  readonly partial: Message[];
  constructor(request: string, partial: Message[]) {
    super(`${request}: dump interrupted (NLM_F_DUMP_INTR): the data changed while it was dumped; results may be inconsistent`);
    this.partial = partial;
  }
}

/** The outcome of one message of {@link NetlinkClient.requestBatch}. */
export interface BatchReply {
  seq: number;
  /** The message type, as given. */
  request: string;
  /** Whether the kernel acknowledged it (or answered it with an error). */
  answered: boolean;
  /** The kernel's error for this message, in its words. */
  error: Error | undefined;
  /** Messages the kernel sent for it before the ACK (GET replies, NLM_F_ECHO echoes). */
  replies: Message[];
}

/** Reported by a subscription when the kernel dropped notifications (ENOBUFS) or the queue was full. */
export interface Overrun {
  type: 'overrun';
  /** Why: the kernel's ENOBUFS, or the subscription's own queue limit. */
  reason: 'ENOBUFS' | 'queue-full';
}

interface Consumer {
  /** Called when data or an end arrived. */
  wake: (() => void) | undefined;
}

class Pending implements Consumer {
  readonly seq: number;
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly kind: 'request' | 'dump';
  /** Replies other than the final ACK belong to this request (GET and ECHO requests). */
  readonly takesReplies: boolean;
  queue: Message[] = [];
  done = false;
  error: Error | undefined = undefined;
  interrupted = false;
  /** Messages received so far (a dump's timeout counts from the last one). */
  progress = 0;
  wake: (() => void) | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  resolve: ((v: Message[]) => void) | undefined = undefined;
  reject: ((e: Error) => void) | undefined = undefined;

  constructor(seq: number, name: string, bytes: Uint8Array, kind: 'request' | 'dump', takesReplies: boolean) {
    this.seq = seq;
    this.name = name;
    this.bytes = bytes;
    this.kind = kind;
    this.takesReplies = takesReplies;
  }
}

/**
 * A netlink session over one transport.
 *
 * @example
 * ```ts
 * const c = new NetlinkClient(openNativeTransport({ protocol: NETLINK.ROUTE }), routeProtocol);
 * const links = await c.dump({ type: 'RTM_GETLINK', header: {} }).collect();
 * ```
 */
export class NetlinkClient {
  readonly transport: Transport;
  readonly protocol: Protocol;
  private readonly opts: Required<Omit<ClientOptions, 'limits'>> & { limits: DecodeLimits | undefined };
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly abandoned = new Set<number>();
  private readonly dumpQueue: Array<{ p: Pending; send: () => void }> = [];
  private activeDump: Pending | undefined = undefined;
  private readonly subs = new Set<Subscription>();
  private armed = false;
  private pumpScheduled = false;
  private closedError: Error | undefined = undefined;

  constructor(transport: Transport, protocol: Protocol, options: ClientOptions = {}) {
    this.transport = transport;
    this.protocol = protocol;
    this.opts = {
      timeout: options.timeout ?? 30000,
      limits: options.limits,
      highWater: options.highWater ?? 4096,
      subscriptionQueue: options.subscriptionQueue ?? 65536,
    };
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** The next sequence number (never 0, which notifications use). */
  nextSeq(): number {
    this.seq = (this.seq + 1) >>> 0 || 1;
    return this.seq;
  }

  /**
   * Sends a request and resolves when the kernel acknowledges it, with the replies it sent before
   * the ACK (the object of a GET, the echo of an NLM_F_ECHO request). Rejects with a
   * {@link NetlinkError} in the kernel's words.
   *
   * @example
   * ```ts
   * const [link] = await client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo' } });
   * ```
   */
  request(msg: MessageInit, options: RequestOptions = {}): Promise<Message[]> {
    const ack = options.ack ?? true;
    const seq = this.nextSeq();
    const flags = flagBits(msg.flags) | NLM_F.REQUEST | (ack ? NLM_F.ACK : 0);
    let bytes: Uint8Array;
    try {
      this.checkOpen();
      bytes = encodeMessage(this.protocol, { ...msg, flags, seq, pid: msg.pid ?? 0 });
    } catch (e) {
      return Promise.reject(e);
    }
    const def = typeof msg.type === 'number' ? this.protocol.message(msg.type) : this.protocol.messageByName(msg.type);
    const takesReplies = def?.op === 'get' || (flags & NLM_F.ECHO) !== 0 || def === undefined;
    const p = new Pending(seq, String(msg.type), bytes, 'request', takesReplies);
    const promise = new Promise<Message[]>((resolve, reject) => {
      p.resolve = resolve;
      p.reject = reject;
    });
    p.wake = () => {
      if (p.error) p.reject!(p.error);
      else if (p.done || (!ack && p.queue.length > 0)) p.resolve!(p.queue);
      else return;
      this.finish(p);
    };
    this.pending.set(seq, p);
    this.startTimer(p, options.timeout);
    try {
      this.send(bytes, seq);
    } catch (e) {
      this.finish(p);
      return Promise.reject(e);
    }
    return promise;
  }

  /**
   * Sends several messages in ONE datagram — an nfnetlink transaction (NFNL_MSG_BATCH_BEGIN …
   * NFNL_MSG_BATCH_END) — and resolves with one {@link BatchReply} per message, in order. Each
   * message gets its own sequence number and is sent as given (add NLM_F_ACK where an answer is
   * wanted; NLM_F_REQUEST is always set). It completes when every message with NLM_F_ACK has been
   * answered, or as soon as the kernel reports an error for a message without NLM_F_ACK (such as
   * the batch header: the kernel refused the batch as a whole). Late answers are discarded.
   * Kernel errors are not thrown: they are in the replies, so the caller can tell which failed.
   *
   * @example
   * ```ts
   * const replies = await client.requestBatch([begin, { ...newTable, flags: ['NLM_F_CREATE', 'NLM_F_ACK'] }, end]);
   * const failed = replies.find((r) => r.error);
   * ```
   */
  requestBatch(msgs: readonly MessageInit[], options: { timeout?: number } = {}): Promise<BatchReply[]> {
    let parts: Array<{ p: Pending; awaited: boolean }>;
    let datagram: Uint8Array;
    try {
      this.checkOpen();
      parts = [];
      const chunks: Uint8Array[] = [];
      for (const msg of msgs) {
        const seq = this.nextSeq();
        const flags = flagBits(msg.flags) | NLM_F.REQUEST;
        const bytes = encodeMessage(this.protocol, { ...msg, flags, seq, pid: msg.pid ?? 0 });
        const def = typeof msg.type === 'number' ? this.protocol.message(msg.type) : this.protocol.messageByName(msg.type);
        const takesReplies = def?.op === 'get' || (flags & NLM_F.ECHO) !== 0;
        parts.push({ p: new Pending(seq, String(msg.type), bytes, 'request', takesReplies), awaited: (flags & NLM_F.ACK) !== 0 });
        chunks.push(bytes);
      }
      datagram = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
      let off = 0;
      for (const c of chunks) (datagram.set(c, off), (off += c.length));
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<BatchReply[]>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        for (const { p } of parts) {
          p.wake = undefined;
          if (this.pending.get(p.seq) === p) {
            this.pending.delete(p.seq);
            if (!p.done) this.abandoned.add(p.seq);
          }
        }
        while (this.abandoned.size > 1024) this.abandoned.delete(this.abandoned.values().next().value!);
        if (error) return reject(error);
        resolve(parts.map(({ p }) => ({ seq: p.seq, request: p.name, answered: p.done, error: p.error, replies: p.queue })));
      };
      const check = () => {
        if (parts.some(({ p, awaited }) => !awaited && p.error !== undefined)) return settle();
        if (parts.every(({ p, awaited }) => !awaited || p.done)) settle();
      };
      for (const { p } of parts) {
        p.wake = check;
        this.pending.set(p.seq, p);
      }
      const ms = options.timeout ?? this.opts.timeout;
      if (ms) {
        timer = setTimeout(() => settle(errnoError('ETIMEDOUT', 110, `batch of ${parts.length} messages: no answer from the kernel within ${ms} ms`)), ms);
        timer.unref?.();
      }
      try {
        this.send(datagram, parts[0]?.p.seq ?? 0);
      } catch (e) {
        return settle(e as Error);
      }
      if (parts.every(({ awaited }) => !awaited)) queueMicrotask(check);
    });
  }

  /**
   * Starts a dump (NLM_F_REQUEST|NLM_F_DUMP) and streams its messages. Iterate it with
   * `for await`, or `collect()` it. Dumps on one client run one at a time, in order.
   *
   * @example
   * ```ts
   * for await (const route of client.dump({ type: 'RTM_GETROUTE', header: { family: 2 } })) { ... }
   * ```
   */
  dump(msg: MessageInit, options: DumpOptions = {}): DumpStream {
    return new DumpStream(this, msg, options);
  }

  /** @internal Starts (or queues) a dump; returns its pending entry. */
  startDump(msg: MessageInit, timeout: number | undefined): Pending {
    this.checkOpen();
    const seq = this.nextSeq();
    const flags = flagBits(msg.flags) | NLM_F.REQUEST | NLM_F.DUMP;
    const bytes = encodeMessage(this.protocol, { ...msg, flags, seq, pid: msg.pid ?? 0 });
    const p = new Pending(seq, String(msg.type), bytes, 'dump', true);
    this.pending.set(seq, p);
    const send = () => {
      this.activeDump = p;
      this.startTimer(p, timeout);
      try {
        this.send(bytes, seq);
      } catch (e) {
        p.error = e as Error;
        p.done = true;
        this.endDump(p);
        p.wake?.();
      }
    };
    if (this.activeDump === undefined) send();
    else this.dumpQueue.push({ p, send });
    return p;
  }

  /** @internal Waits until `c` has data or ended (pulling from the transport as needed). */
  waitFor(c: Consumer, ready: () => boolean): Promise<void> {
    this.pumpNow();
    if (ready()) return Promise.resolve();
    return new Promise<void>((resolve) => {
      c.wake = () => {
        if (!ready()) return;
        c.wake = undefined;
        resolve();
      };
      this.arm();
    });
  }

  /** @internal Gives up a dump whose consumer stopped early: its remaining messages are discarded. */
  abandon(p: Pending): void {
    if (p.done) return;
    p.queue.length = 0;
    // A next() may still wait on it (return() called while it waits): it must settle, so the
    // waiter's wake is kept.
    if (this.activeDump !== p) {
      const i = this.dumpQueue.findIndex((q) => q.p === p);
      if (i >= 0) this.dumpQueue.splice(i, 1);
      this.pending.delete(p.seq);
      // Never sent: it ends here, empty.
      p.done = true;
      p.wake?.();
      return;
    }
    // Keep reading its messages (and dropping them) until DONE, then start the next dump; a
    // waiting next() settles then.
    (p as { abandonedByConsumer?: boolean }).abandonedByConsumer = true;
    this.arm();
  }

  /**
   * Joins multicast groups (numbers, e.g. RTNLGRP_LINK = 1) and returns the stream of
   * notifications. Use a client of its own for monitoring, so requests and notifications do not
   * compete for one receive queue.
   *
   * @example
   * ```ts
   * const sub = client.subscribe([1]);
   * for await (const ev of sub) if (ev.type === 'overrun') resync(); else console.log(ev.type);
   * ```
   */
  subscribe(groups: readonly number[]): Subscription {
    this.checkOpen();
    for (const g of groups) this.transport.addMembership(g);
    const s = new Subscription(this, groups, this.opts.subscriptionQueue);
    this.subs.add(s);
    return s;
  }

  /** @internal */
  unsubscribe(s: Subscription): void {
    if (!this.subs.delete(s)) return;
    if (!this.transport.closed) for (const g of s.groups) {
      try {
        this.transport.dropMembership(g);
      } catch {
        // the socket may be closing
      }
    }
  }

  /** Closes the transport; pending requests and dumps reject with code 'ECANCELED'; subscriptions end. */
  close(): void {
    if (this.closedError) return;
    this.closedError = errnoError('ECANCELED', 125, 'netlink client closed');
    for (const p of [...this.pending.values()]) {
      p.error = this.closedError;
      p.done = true;
      this.clearTimer(p);
      p.wake?.();
    }
    this.pending.clear();
    this.dumpQueue.length = 0;
    this.activeDump = undefined;
    for (const s of this.subs) s.end();
    this.subs.clear();
    this.transport.close();
  }

  private checkOpen(): void {
    if (this.closedError) throw this.closedError;
  }

  private send(bytes: Uint8Array, seq: number): void {
    if (logSend.enabled) {
      try {
        for (const m of decodeDatagram(this.protocol, bytes)) logSend(describe(m));
      } catch {
        logSend('seq=%d <undecodable %d bytes>', seq, bytes.length);
      }
    }
    this.transport.send(bytes);
    this.schedulePump();
  }

  private startTimer(p: Pending, timeout: number | undefined): void {
    const ms = timeout ?? this.opts.timeout;
    if (!ms) return;
    const mark = p.progress;
    p.timer = setTimeout(() => {
      p.timer = undefined;
      if (p.done) return;
      // A dump's timeout is per wait: messages arrived meanwhile, or the consumer has not read
      // what came (back-pressure, not the kernel's silence) → wait again.
      if (p.kind === 'dump' && (p.progress !== mark || p.queue.length > 0)) return this.startTimer(p, ms);
      logClient('%s seq=%d timed out after %d ms', p.name, p.seq, ms);
      p.error = errnoError('ETIMEDOUT', 110, `${p.name}: no answer from the kernel within ${ms} ms`);
      p.done = true;
      this.abandoned.add(p.seq);
      if (this.abandoned.size > 1024) this.abandoned.delete(this.abandoned.values().next().value!);
      if (p.kind === 'dump') this.endDump(p);
      else this.pending.delete(p.seq);
      p.wake?.();
    }, ms);
    p.timer.unref?.();
  }

  private clearTimer(p: Pending): void {
    if (p.timer !== undefined) clearTimeout(p.timer);
    p.timer = undefined;
  }

  private finish(p: Pending): void {
    this.clearTimer(p);
    this.pending.delete(p.seq);
  }

  private endDump(p: Pending): void {
    this.clearTimer(p);
    this.pending.delete(p.seq);
    if (this.activeDump === p) {
      this.activeDump = undefined;
      const next = this.dumpQueue.shift();
      if (next) next.send();
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pumpNow();
      if (this.wantsData()) this.arm();
    });
  }

  /** Whether someone waits for data: requests in flight, a consumer waiting, a dump being drained. */
  private wantsData(): boolean {
    for (const p of this.pending.values()) {
      if (p.kind === 'request') return true;
      if (p === this.activeDump && (p.wake !== undefined || (p as { abandonedByConsumer?: boolean }).abandonedByConsumer || p.queue.length < this.opts.highWater)) return true;
    }
    for (const s of this.subs) if (s.wake !== undefined) return true;
    return false;
  }

  private arm(): void {
    if (this.armed || this.closedError) return;
    this.armed = true;
    this.transport.onReadable(() => {
      this.armed = false;
      this.pumpNow();
      if (this.wantsData()) this.arm();
    });
  }

  /** Reads every datagram queued now (stopping early for back-pressure) and dispatches it. */
  private pumpNow(): void {
    if (this.closedError) return;
    for (;;) {
      const d = this.activeDump;
      if (d && d.queue.length >= this.opts.highWater && d.wake === undefined && !this.requestsInFlight()) return;
      let dg: Uint8Array | null;
      try {
        dg = this.transport.receive();
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOBUFS') {
          logClient('receive queue overrun (ENOBUFS)');
          for (const s of this.subs) s.push({ type: 'overrun', reason: 'ENOBUFS' });
          continue;
        }
        this.fail(e as Error);
        return;
      }
      if (dg === null) return;
      this.dispatch(dg);
    }
  }

  private requestsInFlight(): boolean {
    for (const p of this.pending.values()) if (p.kind === 'request') return true;
    return false;
  }

  private fail(e: Error): void {
    for (const p of [...this.pending.values()]) {
      p.error = e;
      p.done = true;
      this.clearTimer(p);
      p.wake?.();
    }
    this.pending.clear();
  }

  private dispatch(dg: Uint8Array): void {
    let msgs: Message[];
    try {
      msgs = decodeDatagram(this.protocol, dg, this.opts.limits);
    } catch (e) {
      if (!isDecodeError(e)) throw e;
      // Deliver the error to the request the datagram answers, if its header says which.
      const seq = dg.length >= 16 ? new DataView(dg.buffer, dg.byteOffset, dg.byteLength).getUint32(8, true) : 0;
      logClient('undecodable datagram (seq %d): %s', seq, e.message);
      const p = this.pending.get(seq);
      if (p) {
        p.error = e;
        p.done = true;
        if (p.kind === 'dump') this.endDump(p);
        else this.finish(p);
        p.wake?.();
      }
      return;
    }
    const port = this.transport.portId;
    for (const m of msgs) {
      if (logRecv.enabled) logRecv(describe(m));
      const p = m.seq !== 0 && (port === 0 || m.pid === port || m.pid === 0) ? this.pending.get(m.seq) : undefined;
      if (p === undefined) {
        if (m.seq !== 0 && this.abandoned.has(m.seq) && (port === 0 || m.pid === port)) continue;
        for (const s of this.subs) s.push(m);
        continue;
      }
      this.deliver(p, m);
    }
  }

  private deliver(p: Pending, m: Message): void {
    const dropping = (p as { abandonedByConsumer?: boolean }).abandonedByConsumer === true;
    if (m.type === 'NLMSG_ERROR') {
      const h = m.header as unknown as ErrorHeader;
      if (h.error === 0) p.done = true;
      else p.error = this.kernelError(p, -h.error, m.attrs);
      p.done = true;
    } else if (m.type === 'NLMSG_DONE') {
      const err = (m.header as { error?: number }).error ?? 0;
      if (m.flags.includes('NLM_F_DUMP_INTR')) p.interrupted = true;
      if (err < 0) p.error = this.kernelError(p, -err, m.attrs);
      p.done = true;
    } else if (p.takesReplies) {
      p.progress++;
      if (m.flags.includes('NLM_F_DUMP_INTR')) p.interrupted = true;
      if (!dropping) p.queue.push(m);
      return p.wake?.();
    } else {
      // A notification caused by our own request (we are subscribed to its group).
      for (const s of this.subs) s.push(m);
      return;
    }
    if (p.kind === 'dump') this.endDump(p);
    else this.clearTimer(p);
    p.wake?.();
  }

  private kernelError(p: Pending, errno: number, attrs: Attrs): NetlinkError {
    const a = attrs as { msg?: string; offs?: number; miss_type?: number; miss_nest?: number; cookie?: string; policy?: string };
    let attributePath: string | undefined;
    let missingPath: string | undefined;
    try {
      if (a.offs !== undefined) attributePath = resolveOffset(this.protocol, p.bytes, a.offs);
      if (a.miss_type !== undefined) missingPath = resolveMissing(this.protocol, p.bytes, a.miss_type, a.miss_nest);
    } catch {
      // The path is a courtesy: never let resolving it hide the kernel's error.
    }
    return new NetlinkError(errno, {
      request: p.name,
      ...(a.msg !== undefined && { message: a.msg }),
      ...(a.offs !== undefined && { offset: a.offs }),
      ...(attributePath !== undefined && { attributePath }),
      ...(a.miss_type !== undefined && { missingType: a.miss_type }),
      ...(a.miss_nest !== undefined && { missingNest: a.miss_nest }),
      ...(missingPath !== undefined && { missingPath }),
      ...(a.cookie !== undefined && { cookie: a.cookie }),
      ...(a.policy !== undefined && { policy: a.policy }),
    });
  }
}

/**
 * The messages of one dump, as an async iterable (streaming) or collected.
 *
 * @example
 * ```ts
 * const routes = await client.dump({ type: 'RTM_GETROUTE', header: { family: 2 } }).collect();
 * ```
 */
export class DumpStream implements AsyncIterable<Message> {
  private readonly client: NetlinkClient;
  private readonly msg: MessageInit;
  private readonly options: DumpOptions;
  private used = false;
  /** True when the kernel flagged the dump NLM_F_DUMP_INTR. */
  interrupted = false;

  constructor(client: NetlinkClient, msg: MessageInit, options: DumpOptions) {
    this.client = client;
    this.msg = msg;
    this.options = options;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Message> {
    return new DumpIterator(this, this.client, () => {
      if (this.used) throw new Error('a DumpStream can be iterated once');
      this.used = true;
      return this.client.startDump(this.msg, this.options.timeout);
    });
  }

  /** All messages of the dump; with `onInterrupt: 'retry'` the dump is repeated until consistent. */
  async collect(): Promise<Message[]> {
    if (this.used) throw new Error('a DumpStream can be iterated once');
    this.used = true;
    const mode = this.options.onInterrupt ?? 'throw';
    const attempts = mode === 'retry' ? Math.max(1, this.options.retries ?? 3) : 1;
    let last: Message[] = [];
    for (let i = 0; i < attempts; i++) {
      this.interrupted = false;
      last = await this.collectOnce();
      if (!this.interrupted || mode === 'report') return last;
    }
    throw new DumpInterruptedError(String(this.msg.type), last);
  }

  /**
   * One run of the dump, collected; sets `interrupted` at its end. It takes the queue in whole
   * batches rather than through an async iterator: one await per batch, not per message
   * (bench: replay/route-100k client collect).
   */
  private async collectOnce(): Promise<Message[]> {
    const p = this.client.startDump(this.msg, this.options.timeout);
    let out: Message[] = [];
    try {
      for (;;) {
        if (p.queue.length === 0 && !p.done) await this.client.waitFor(p, () => p.queue.length > 0 || p.done);
        if (p.queue.length > 0) {
          if (out.length === 0) [out, p.queue] = [p.queue, out];
          else {
            for (const m of p.queue) out.push(m);
            p.queue.length = 0;
          }
          continue;
        }
        if (p.error) throw p.error;
        this.interrupted = p.interrupted;
        return out;
      }
    } finally {
      if (!p.done) this.client.abandon(p);
    }
  }

  /** @internal The end of an iterated run: sets `interrupted`; throws unless the mode is 'report'. */
  finishRun(p: Pending): void {
    this.interrupted = p.interrupted;
    if (this.interrupted && (this.options.onInterrupt ?? 'throw') !== 'report') throw new DumpInterruptedError(String(this.msg.type), []);
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The iterator of a {@link DumpStream}. Written by hand, not as an async generator: a message
 * already received is handed out as an already-resolved promise, without a generator's
 * suspend/resume and its extra await per `yield` (bench: replay/route-100k client stream).
 * It takes the dump's queue in batches, so the back-pressure of the client still counts only
 * what nobody took yet.
 */
class DumpIterator implements AsyncIterableIterator<Message> {
  readonly #stream: DumpStream;
  readonly #client: NetlinkClient;
  readonly #start: () => Pending;
  #p: Pending | undefined = undefined;
  #batch: Message[] = [];
  #i = 0;
  #finished = false;
  /** A `next()` waiting for the client: later calls queue behind it, as on a generator. */
  #waiting: Promise<IteratorResult<Message, undefined>> | undefined = undefined;

  constructor(stream: DumpStream, client: NetlinkClient, start: () => Pending) {
    this.#stream = stream;
    this.#client = client;
    this.#start = start;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Message, undefined>> {
    if (this.#waiting !== undefined) return (this.#waiting = this.#waiting.then(() => this.next()));
    const batch = this.#batch;
    if (this.#i < batch.length) {
      const value = batch[this.#i]!;
      // Release what was handed out: a long batch does not keep consumed messages alive.
      batch[this.#i++] = undefined as unknown as Message;
      return Promise.resolve({ value, done: false });
    }
    if (this.#finished) return Promise.resolve(DONE);
    const w = this.#more();
    this.#waiting = w;
    const clear = () => {
      if (this.#waiting === w) this.#waiting = undefined;
    };
    w.then(clear, clear);
    return w;
  }

  async #more(): Promise<IteratorResult<Message, undefined>> {
    try {
      const p = (this.#p ??= this.#start());
      if (p.queue.length === 0 && !p.done) await this.#client.waitFor(p, () => p.queue.length > 0 || p.done);
      if (p.queue.length > 0) {
        const batch = p.queue;
        p.queue = [];
        this.#batch = batch;
        this.#i = 1;
        const value = batch[0]!;
        batch[0] = undefined as unknown as Message;
        return { value, done: false };
      }
      this.#finished = true;
      this.#batch = [];
      if (p.error) throw p.error;
      this.#stream.finishRun(p);
      return DONE;
    } catch (e) {
      this.#finished = true;
      const p = this.#p;
      if (p && !p.done) this.#client.abandon(p);
      throw e;
    }
  }

  /** Leaving early (`break` in `for await`): the rest of the dump is read and dropped. */
  async return(): Promise<IteratorResult<Message, undefined>> {
    this.#finished = true;
    this.#batch = [];
    const p = this.#p;
    if (p && !p.done) this.#client.abandon(p);
    return DONE;
  }

  async throw(e?: unknown): Promise<IteratorResult<Message, undefined>> {
    await this.return();
    throw e;
  }
}

/**
 * Notifications of the groups a client subscribed to, as an async iterable. An {@link Overrun}
 * item means notifications were lost: re-read the state (a dump) to resynchronise.
 */
export class Subscription implements AsyncIterable<Message | Overrun>, Consumer {
  readonly groups: readonly number[];
  private readonly client: NetlinkClient;
  private readonly queue: Array<Message | Overrun> = [];
  private readonly limit: number;
  private ended = false;
  private overflowing = false;
  wake: (() => void) | undefined = undefined;

  constructor(client: NetlinkClient, groups: readonly number[], limit: number) {
    this.client = client;
    this.groups = groups;
    this.limit = limit;
  }

  /** @internal */
  push(item: Message | Overrun): void {
    if (this.ended) return;
    if (item.type !== 'overrun' && this.queue.length >= this.limit) {
      if (!this.overflowing) this.queue.push({ type: 'overrun', reason: 'queue-full' });
      this.overflowing = true;
    } else {
      if (item.type !== 'overrun') this.overflowing = false;
      this.queue.push(item);
    }
    this.wake?.();
  }

  /** @internal */
  end(): void {
    this.ended = true;
    this.wake?.();
  }

  /** Leaves the groups and ends the iteration. */
  close(): void {
    this.client.unsubscribe(this);
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Message | Overrun, void, undefined> {
    try {
      for (;;) {
        if (this.queue.length === 0 && !this.ended) await this.client.waitFor(this, () => this.queue.length > 0 || this.ended);
        if (this.queue.length > 0) {
          yield this.queue.shift()!;
          continue;
        }
        return;
      }
    } finally {
      this.close();
    }
  }
}

export { NLMSG };
