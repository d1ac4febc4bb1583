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
import { decodeDatagram, encodeMessage, encodeMessageTo, type ErrorHeader, type Message, type MessageDecoder, type MessageInit, flagBits } from './message.js';
import { Writer } from './writer.js';
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
  /**
   * Decodes the dump's data messages in place of the full decoder, e.g. only the fields a
   * caller reads (see {@link MessageDecoder}; not used while `DEBUG=nlkit:*` logs the messages
   * received). Default: the full decoder.
   */
  decode?: MessageDecoder;
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
  /** The request is `buf[at .. at + len)` (a request shares its arena chunk with others). */
  readonly buf: Uint8Array;
  readonly at: number;
  readonly len: number;
  readonly kind: 'request' | 'dump';
  /** Replies other than the final ACK belong to this request (GET and ECHO requests). */
  readonly takesReplies: boolean;
  queue: Message[] = [];
  done = false;
  error: Error | undefined = undefined;
  interrupted = false;
  /** Messages received so far (a dump's timeout counts from the last one). */
  progress = 0;
  /** The dump's own decoder of its data messages (DumpOptions.decode). */
  decoder: MessageDecoder | undefined = undefined;
  wake: (() => void) | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** For requests with the client's default timeout: when it expires (performance.now() ms). */
  deadline = 0;
  resolve: ((v: Message[]) => void) | undefined = undefined;
  reject: ((e: Error) => void) | undefined = undefined;
  /** For request(): whether it waits for the ACK, and the client that settles it (see wakeRequest). */
  ack = true;
  owner: NetlinkClient | undefined = undefined;

  constructor(seq: number, name: string, buf: Uint8Array, kind: 'request' | 'dump', takesReplies: boolean, at = 0, len = buf.length) {
    this.seq = seq;
    this.name = name;
    this.buf = buf;
    this.at = at;
    this.len = len;
    this.kind = kind;
    this.takesReplies = takesReplies;
  }

  /** The bytes of the request (for the attribute path of an error). */
  get bytes(): Uint8Array {
    return this.at === 0 && this.len === this.buf.length ? this.buf : this.buf.subarray(this.at, this.at + this.len);
  }
}

/**
 * The `wake` of every request() (called as `p.wake()`): one function for all, not a closure per
 * request. Settles the promise once the request is answered (or failed).
 */
function wakeRequest(this: Pending): void {
  if (this.error) this.reject!(this.error);
  else if (this.done || (!this.ack && this.queue.length > 0)) this.resolve!(this.queue);
  else return;
  this.owner!.settled(this);
}

// new Promise(captureResolvers) hands its functions over here, without an executor closure.
let capturedResolve: ((v: Message[]) => void) | undefined;
let capturedReject: ((e: Error) => void) | undefined;
function captureResolvers(resolve: (v: Message[]) => void, reject: (e: Error) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
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
  /** Requests are encoded one after another into this writer (see encodeRequest). */
  private arena = new Writer(ARENA_BYTES);
  /**
   * Requests with the client's default timeout, oldest first, in `deadlines[deadlineHead ..
   * deadlineTail)`: their deadlines increase, so one timer (for the oldest) serves them all
   * instead of a setTimeout and clearTimeout per request (bench: write/route-10k). The array is
   * reused as a queue, not shrunk and regrown.
   */
  private deadlines: Array<Pending | undefined> = [];
  private deadlineHead = 0;
  private deadlineTail = 0;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  /**
   * Requests encoded but not sent yet: they are `arena.buf[corkFrom .. arena.length)`, and go to
   * the kernel together in one datagram at the end of the current task (or when 32 KiB are
   * waiting). The kernel handles the messages of a datagram one by one, each with its own ACK,
   * exactly as if they came one per datagram; only the system calls are fewer
   * (bench: write/route-10k pipelined).
   */
  private corkFrom = -1;
  private corked: Pending[] = [];
  private readonly pumpTask = (): void => {
    this.pumpScheduled = false;
    this.flush();
    this.pumpNow();
    if (this.wantsData()) this.arm();
  };

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
    let flags: number;
    let buf: Uint8Array;
    let at = 0;
    try {
      this.checkOpen();
      flags = flagBits(msg.flags) | NLM_F.REQUEST | (ack ? NLM_F.ACK : 0);
      // A decoded message carries its wire length: encoded as a new message, as always.
      if ((msg as { wireLength?: number }).wireLength !== undefined) buf = encodeMessage(this.protocol, { ...msg, flags, seq, pid: msg.pid ?? 0 });
      else at = this.encodeRequest(msg, flags, seq);
      buf ??= this.arena.buf;
    } catch (e) {
      return Promise.reject(e);
    }
    const def = typeof msg.type === 'number' ? this.protocol.message(msg.type) : this.protocol.messageByName(msg.type);
    const takesReplies = def?.op === 'get' || (flags & NLM_F.ECHO) !== 0 || def === undefined;
    const inArena = buf === this.arena.buf;
    const p = new Pending(seq, String(msg.type), buf, 'request', takesReplies, at, inArena ? this.arena.length - at : buf.length);
    const promise = new Promise<Message[]>(captureResolvers);
    p.resolve = capturedResolve;
    p.reject = capturedReject;
    p.ack = ack;
    p.owner = this;
    p.wake = wakeRequest;
    this.pending.set(seq, p);
    if (options.timeout === undefined && this.opts.timeout) this.addDeadline(p);
    else this.startTimer(p, options.timeout);
    if (inArena) {
      if (this.corkFrom < 0) this.corkFrom = at;
      this.corked.push(p);
      if (this.arena.length - this.corkFrom >= CORK_BYTES) this.flush();
      else this.schedulePump();
      return promise;
    }
    try {
      this.send(buf, seq);
    } catch (e) {
      this.finish(p);
      return Promise.reject(e);
    }
    return promise;
  }

  /** @internal A request() settled its promise: forget it. */
  settled(p: Pending): void {
    this.finish(p);
  }

  /**
   * Sends the corked requests (see `corkFrom`) in one datagram. First, when many requests are
   * unanswered, it reads the answers already queued: the kernel answers each request before
   * sendmsg returns, and unread ACKs beyond the socket's receive buffer would be lost.
   */
  private flush(): void {
    const from = this.corkFrom;
    if (from < 0) return;
    const ps = this.corked;
    const w = this.arena;
    this.corkFrom = -1;
    this.corked = [];
    if (this.pending.size - ps.length > MAX_UNANSWERED) this.pumpNow();
    try {
      this.transmit(w.buf.subarray(from, w.length), ps[0]!.seq);
    } catch (e) {
      for (const p of ps) {
        if (p.done) continue;
        p.error = e as Error;
        p.done = true;
        p.wake?.();
      }
    }
  }

  /**
   * Encodes a request into the arena and returns where it starts: requests follow one another in
   * 64 KiB chunks, and each remembers its place (for the attribute path of an error) instead of
   * having a buffer of its own (bench: write/route-10k). The header gets `flags`, `seq` and the
   * pid written in place.
   */
  private encodeRequest(msg: MessageInit, flags: number, seq: number): number {
    let w = this.arena;
    if (w.length > ARENA_BYTES - ARENA_SLACK) {
      this.flush(); // the corked requests are in this chunk
      w = this.arena = new Writer(ARENA_BYTES);
    }
    const at = w.length;
    try {
      encodeMessageTo(this.protocol, msg, w);
      const v = w.view;
      v.setUint16(at + 6, flags, true);
      v.setUint32(at + 8, seq, true);
      v.setUint32(at + 12, (msg.pid ?? 0) >>> 0, true);
      return at;
    } catch (e) {
      w.length = at;
      throw e;
    }
  }

  private addDeadline(p: Pending): void {
    p.deadline = performance.now() + this.opts.timeout;
    this.deadlines[this.deadlineTail++] = p;
    if (this.deadlineTimer === undefined) this.armDeadlines(this.opts.timeout);
  }

  private armDeadlines(ms: number): void {
    this.deadlineTimer = setTimeout(() => this.expireDeadlines(), Math.max(1, Math.ceil(ms)));
    this.deadlineTimer.unref?.();
  }

  /** Times out the requests whose deadline passed; re-arms for the oldest one left. */
  private expireDeadlines(): void {
    this.deadlineTimer = undefined;
    const now = performance.now();
    const list = this.deadlines;
    let i = this.deadlineHead;
    for (; i < this.deadlineTail; i++) {
      const p = list[i]!;
      if (p.done || this.pending.get(p.seq) !== p) {
        list[i] = undefined;
        continue;
      }
      if (p.deadline > now) break;
      logClient('%s seq=%d timed out after %d ms', p.name, p.seq, this.opts.timeout);
      p.error = errnoError('ETIMEDOUT', 110, `${p.name}: no answer from the kernel within ${this.opts.timeout} ms`);
      p.done = true;
      this.abandoned.add(p.seq);
      if (this.abandoned.size > 1024) this.abandoned.delete(this.abandoned.values().next().value!);
      this.pending.delete(p.seq);
      list[i] = undefined;
      p.wake?.();
    }
    this.deadlineHead = i;
    this.compactDeadlines();
    if (this.deadlineHead < this.deadlineTail) this.armDeadlines(this.deadlines[this.deadlineHead]!.deadline - now);
  }

  /**
   * Drops answered requests from the front of the deadline queue (they answer mostly in order).
   */
  private compactDeadlines(): void {
    const list = this.deadlines;
    const tail = this.deadlineTail;
    let i = this.deadlineHead;
    for (; i < tail; i++) {
      const p = list[i]!;
      if (!p.done && this.pending.get(p.seq) === p) break;
      list[i] = undefined;
    }
    if (i === tail) {
      // Empty: start again at 0; the array of a long burst is let go.
      if (list.length > 4096) this.deadlines = [];
      this.deadlineHead = this.deadlineTail = 0;
      return;
    }
    if (i > 1024 && i * 2 > tail) {
      list.copyWithin(0, i, tail);
      list.fill(undefined, tail - i, tail);
      this.deadlineTail = tail - i;
      i = 0;
    }
    this.deadlineHead = i;
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
  startDump(msg: MessageInit, timeout: number | undefined, decoder?: MessageDecoder): Pending {
    this.checkOpen();
    const seq = this.nextSeq();
    const flags = flagBits(msg.flags) | NLM_F.REQUEST | NLM_F.DUMP;
    const bytes = encodeMessage(this.protocol, { ...msg, flags, seq, pid: msg.pid ?? 0 });
    const p = new Pending(seq, String(msg.type), bytes, 'dump', true);
    p.decoder = decoder;
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
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
    this.deadlines = [];
    this.deadlineHead = this.deadlineTail = 0;
    this.corkFrom = -1;
    this.corked = [];
    this.transport.close();
  }

  private checkOpen(): void {
    if (this.closedError) throw this.closedError;
  }

  /** Sends a datagram (after the corked requests, which were made before it). */
  private send(bytes: Uint8Array, seq: number): void {
    this.flush();
    this.transmit(bytes, seq);
    this.schedulePump();
  }

  private transmit(bytes: Uint8Array, seq: number): void {
    if (logSend.enabled) {
      try {
        for (const m of decodeDatagram(this.protocol, bytes)) logSend(describe(m));
      } catch {
        logSend('seq=%d <undecodable %d bytes>', seq, bytes.length);
      }
    }
    this.transport.send(bytes);
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
    if (p.deadline !== 0 && this.deadlines[this.deadlineHead] === p) this.compactDeadlines();
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
    queueMicrotask(this.pumpTask);
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
      // Nothing in flight and nobody subscribed: what else is queued can wait (this saves the
      // receive that would only say EAGAIN after each answered request).
      if (this.pending.size === 0 && this.subs.size === 0) return;
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
    if (!logRecv.enabled && this.dispatchAcks(dg)) return;
    let msgs: Message[];
    try {
      // A dump's own decoder applies to its messages (a datagram of a dump holds only its messages).
      const seq = dg.length >= 16 ? u32(dg, 8) : 0;
      const port = this.transport.portId;
      const ours = seq !== 0 && (port === 0 || u32(dg, 12) === port || u32(dg, 12) === 0);
      const decoder = ours && !logRecv.enabled ? this.pending.get(seq)?.decoder : undefined;
      msgs = decodeDatagram(this.protocol, dg, this.opts.limits, decoder, seq);
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

  /**
   * A datagram of successful ACKs for requests in flight (what every write gets back), handled
   * from the headers alone: their messages would be decoded only to be dropped. Anything else
   * (errors, replies, an ACK nobody waits for) returns false for the full path.
   */
  private dispatchAcks(dg: Uint8Array): boolean {
    const n = dg.length;
    const port = this.transport.portId;
    for (let off = 0; off < n; off += (u32(dg, off) + 3) & ~3) {
      const len = u32(dg, off);
      if (n - off < ACK_BYTES || len < ACK_BYTES || len > n - off) return false;
      if ((dg[off + 4]! | (dg[off + 5]! << 8)) !== NLMSG.ERROR || u32(dg, off + 16) !== 0) return false;
      const seq = u32(dg, off + 8);
      const pid = u32(dg, off + 12);
      const p = seq !== 0 && (port === 0 || pid === port || pid === 0) ? this.pending.get(seq) : undefined;
      if (p === undefined || (p as { abandonedByConsumer?: boolean }).abandonedByConsumer) return false;
    }
    for (let off = 0; off < n; off += (u32(dg, off) + 3) & ~3) {
      const p = this.pending.get(u32(dg, off + 8));
      if (p === undefined) continue; // answered by an earlier ACK of this datagram (a repeated seq)
      p.done = true;
      if (p.kind === 'dump') this.endDump(p);
      else this.clearTimer(p);
      p.wake?.();
    }
    return true;
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

/** Bytes of the arena chunks requests are encoded into; a new chunk starts when less than ARENA_SLACK is left. */
const ARENA_BYTES = 64 * 1024;
const ARENA_SLACK = 4 * 1024;
/** Corked requests are sent when this many bytes wait (a datagram the kernel takes at once). */
const CORK_BYTES = 32 * 1024;
/**
 * Unanswered requests before a send first reads the ACKs already queued: 2,048 ACKs take about
 * 2 MB of the default 8 MB receive buffer (SO_RCVBUFFORCE 4 MiB, doubled by the kernel).
 */
const MAX_UNANSWERED = 2048;
/** nlmsghdr + error + the echoed nlmsghdr: an ACK with NETLINK_CAP_ACK. */
const ACK_BYTES = 36;

/** The u32 in host (little-endian) order at `off`. */
function u32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
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
      return this.client.startDump(this.msg, this.options.timeout, this.options.decode);
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
    const p = this.client.startDump(this.msg, this.options.timeout, this.options.decode);
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

  /**
   * The messages in the batches the client received them in: one await per batch rather than one
   * per message, for consumers that handle each message synchronously (bench: dump/route-100k
   * nlkit cli, where an await per route cost more than printing it). Each array is the caller's.
   * Like iteration: `interrupted` is set at the end, NLM_F_DUMP_INTR throws unless `onInterrupt`
   * is 'report' (no retry), and leaving early reads and drops the rest of the dump.
   *
   * @example
   * ```ts
   * for await (const batch of client.dump(request).batches()) for (const m of batch) print(m);
   * ```
   */
  async *batches(): AsyncGenerator<Message[], void, undefined> {
    if (this.used) throw new Error('a DumpStream can be iterated once');
    this.used = true;
    const p = this.client.startDump(this.msg, this.options.timeout, this.options.decode);
    try {
      for (;;) {
        if (p.queue.length === 0 && !p.done) await this.client.waitFor(p, () => p.queue.length > 0 || p.done);
        if (p.queue.length > 0) {
          const batch = p.queue;
          p.queue = [];
          yield batch;
          continue;
        }
        if (p.error) throw p.error;
        this.finishRun(p);
        return;
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
