/**
 * The mock kernel: network namespaces, sockets, and the rtnetlink dispatcher that answers
 * requests the way a 6.18 kernel does (replies, ACKs, extended-ACK errors, multipart dumps) and
 * multicasts notifications to the sockets that joined the groups.
 *
 * @example
 * ```ts
 * const kernel = createMockKernel();
 * kernel.netns.add('red');
 * const nl = await Netlink.open({ transport: kernel.transport({ netns: 'red' }) });
 * await nl.client.request({ type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], header: {},
 *   attrs: { ifname: 'veth0', linkinfo: { kind: 'veth', data: { peer: { header: {}, attrs: { ifname: 'veth1' } } } } } });
 * ```
 * @module
 */
import { NLM_F } from '../../netlink/constants.js';
import { isDecodeError } from '../../netlink/errors.js';
import { decodeDatagram, encodeMessage, type Message, type MessageInit, type Protocol } from '../../netlink/message.js';
import { routeProtocol } from '../../rtnetlink/index.js';
import { E, KernelError } from './errors.js';
import { attrOffset } from './wire.js';
import { Netns, type Link } from './state.js';
import { MockSocket, type MockSocketOptions, type MockTransport } from './socket.js';
import { GROUP } from './constants.js';
import { createLoopback, deleteLink, runLinkwatch } from './links.js';
import { linkHandlers } from './link-msg.js';
import { addrHandlers } from './addrs.js';
import { routeHandlers } from './routes.js';
import { neighHandlers } from './neigh.js';
import { nsidHandlers } from './nsid.js';
import { createTunTap, type TunTapOptions } from './kinds.js';

/**
 * Options of {@link createMockKernel}.
 *
 * @example
 * ```ts
 * createMockKernel({ seed: 7, cpus: 4 });
 * ```
 */
export interface MockKernelOptions {
  /** Seed of the generator of random MAC addresses (the same seed gives the same MACs). Default: 1. */
  seed?: number;
  /** num_possible_cpus() of the machine mocked: veth devices get this many queues. Default: 2. */
  cpus?: number;
  /** Kernel release the mock claims to be. Default: '6.18.0-nlkit-mock'. */
  release?: string;
}

/** One request being handled. */
export interface Ctx {
  readonly kernel: MockKernel;
  readonly ns: Netns;
  readonly sock: MockSocket;
  readonly req: Message;
  /** The request's bytes (one message), for error offsets. */
  readonly bytes: Uint8Array;
  /** Unicast replies sent before the ACK (GET answers). */
  readonly out: MessageInit[];
}

/** A dump handler's result: the objects, and whether the kernel filtered them (NLM_F_DUMP_FILTERED). */
export interface DumpResult {
  items: MessageInit[];
  filtered?: boolean;
}

/** Handler of one message type: `dump` for NLM_F_DUMP requests, `do` for the others. */
export interface Handler {
  do?(ctx: Ctx): void;
  dump?(ctx: Ctx): DumpResult;
}

/**
 * Namespace helpers of a mock kernel.
 *
 * @example
 * ```ts
 * kernel.netns.add('ns1');
 * await nl.link.set('veth1', { netns: { fd: kernel.netns.fd('ns1') } });
 * kernel.netns.delete('ns1');
 * ```
 */
export interface MockNetnsApi {
  /** Creates a namespace (with its own loopback device, down). Throws when the name exists. */
  add(name: string): void;
  /** Destroys a namespace: its devices are deleted (a veth's other end too, wherever it is). */
  delete(name: string): void;
  /** Names of the namespaces ('' is the initial one). */
  list(): string[];
  /** Whether a namespace of that name exists. */
  has(name: string): boolean;
  /** The number that names the namespace in IFLA_NET_NS_FD (a stand-in for an fd of /run/netns/NAME). */
  fd(name: string): number;
}

const DUMP_CHUNK = 16 * 1024;
/** Fake fds of namespaces start here, far from real ones. */
const NETNS_FD_BASE = 100000;

/**
 * A stateful in-memory rtnetlink kernel. Make one with {@link createMockKernel}.
 *
 * @example
 * ```ts
 * const kernel: MockKernel = createMockKernel();
 * kernel.tuntap.create({ name: 'tap0', mode: 'tap' });
 * const nl = await Netlink.open({ transport: kernel.transport() });
 * ```
 */
export class MockKernel {
  readonly protocol: Protocol = routeProtocol();
  readonly release: string;
  readonly cpus: number;
  /** Namespace helpers. */
  readonly netns: MockNetnsApi;
  /**
   * tun/tap devices, made as /dev/net/tun would (RTM_NEWLINK refuses kind tun, like the kernel).
   *
   * @example
   * ```ts
   * kernel.tuntap.create({ name: 'tap%d', mode: 'tap', attached: true }); // { name: 'tap0', index: 2 }
   * kernel.tuntap.delete('tap0');
   * ```
   */
  readonly tuntap: { create(options: TunTapOptions): { name: string; index: number }; delete(name: string, netns?: string): void };
  /** @internal */ readonly namespaces = new Map<string, Netns>();
  /** @internal */ readonly linkwatchQueue: Link[] = [];
  private nextNsId = 1;
  private nextPort = 0x7fff0000;
  private seq = 0;
  private rand: number;
  private handling = false;

  constructor(options: MockKernelOptions = {}) {
    this.release = options.release ?? '6.18.0-nlkit-mock';
    this.cpus = options.cpus ?? 2;
    this.rand = (options.seed ?? 1) >>> 0 || 1;
    this.addNamespace('');
    const self = this;
    this.netns = {
      add: (name) => {
        if (typeof name !== 'string' || name === '' || name.includes('/')) throw new Error(`mock netns: invalid name ${JSON.stringify(name)}`);
        if (self.namespaces.has(name)) throw new Error(`mock netns: "${name}" exists`);
        self.addNamespace(name);
      },
      delete: (name) => self.deleteNamespace(name),
      list: () => [...self.namespaces.keys()],
      has: (name) => self.namespaces.has(name),
      fd: (name) => NETNS_FD_BASE + self.ns(name).id,
    };
    this.tuntap = {
      create: (o) => this.run(() => createTunTap(this, this.ns(o.netns ?? ''), o)),
      delete: (name, netns = '') =>
        this.run(() => {
          const l = this.ns(netns).byName(name);
          if (!l || l.kind !== 'tun') throw new Error(`mock tuntap: no tun/tap device "${name}"`);
          deleteLink(l, undefined);
        }),
    };
  }

  /**
   * Opens a socket in namespace `netns` (default: the initial one).
   *
   * @example
   * ```ts
   * const t = kernel.transport({ netns: 'red' });
   * ```
   */
  transport(options: MockSocketOptions & { netns?: string } = {}): MockTransport {
    const ns = this.ns(options.netns ?? '');
    const s = new MockSocket(this, ns, this.nextPort--, options);
    ns.sockets.add(s);
    return s;
  }

  /** @internal The namespace named `name`; throws when there is none. */
  ns(name: string): Netns {
    const ns = this.namespaces.get(name);
    if (!ns) throw new Error(`mock kernel: no network namespace "${name}"`);
    return ns;
  }

  /** @internal The namespace a fake IFLA_NET_NS_FD names. */
  nsByFd(fd: number): Netns | undefined {
    for (const ns of this.namespaces.values()) if (NETNS_FD_BASE + ns.id === fd) return ns;
    return undefined;
  }

  /** @internal A creation counter (orders objects of equal keys as the kernel's lists do). */
  tick(): number {
    return ++this.seq;
  }

  /** @internal A random unicast, locally administered MAC address (eth_hw_addr_random). */
  randomMac(): string {
    const b: number[] = [];
    for (let i = 0; i < 6; i++) {
      // xorshift32: deterministic for a seed
      let x = this.rand;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.rand = x >>> 0;
      b.push(this.rand & 0xff);
    }
    b[0] = (b[0]! & 0xfe) | 0x02;
    return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
  }

  /** @internal The id `ns` gives `peer` (peernet2id_alloc: the lowest free id, made on first use). */
  nsid(ns: Netns, peer: Netns): number {
    let id = ns.nsids.get(peer);
    if (id !== undefined) return id;
    const used = new Set(ns.nsids.values());
    for (id = 0; used.has(id); id++);
    ns.nsids.set(peer, id);
    return id;
  }

  private addNamespace(name: string): Netns {
    const ns = new Netns(this, this.nextNsId++, name);
    this.namespaces.set(name, ns);
    this.run(() => createLoopback(this, ns));
    return ns;
  }

  private deleteNamespace(name: string): void {
    if (name === '') throw new Error('mock netns: the initial namespace cannot be deleted');
    const ns = this.ns(name);
    this.run(() => {
      // Virtual devices go (default_device_exit_batch); the loopback last.
      for (const l of ns.sortedLinks().reverse()) if (l.kind !== undefined && !l.dying && ns.links.has(l.index)) deleteLink(l, undefined);
      for (const l of ns.sortedLinks()) if (!l.dying) deleteLink(l, undefined, true);
    });
    ns.alive = false;
    this.namespaces.delete(name);
    for (const other of this.namespaces.values()) other.nsids.delete(ns);
    for (const s of [...ns.sockets]) s.close();
  }

  /** Runs a change and then the link watch (carrier and operstate consequences). */
  private run<T>(fn: () => T): T {
    const outer = !this.handling;
    this.handling = true;
    try {
      return fn();
    } finally {
      if (outer) {
        try {
          runLinkwatch(this);
        } finally {
          this.handling = false;
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // Requests

  /** @internal Handles every message of a datagram sent on `sock`. */
  handleDatagram(sock: MockSocket, datagram: Uint8Array): void {
    let msgs: Message[];
    try {
      msgs = decodeDatagram(this.protocol, datagram);
    } catch (e) {
      if (!isDecodeError(e)) throw e;
      // The kernel drops what it cannot parse as netlink framing; attribute errors come back as EINVAL.
      const seq = datagram.length >= 12 ? new DataView(datagram.buffer, datagram.byteOffset).getUint32(8, true) : 0;
      sock.deliver(this.encode([this.errorMessage(sock, { type: 0, flags: [], seq, pid: 0, header: {}, attrs: {} }, datagram, new KernelError(E.EINVAL))]));
      return;
    }
    const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
    let off = 0;
    for (const req of msgs) {
      const len = view.getUint32(off, true);
      const bytes = datagram.subarray(off, off + len);
      off += (len + 3) & ~3;
      this.handleMessage(sock, req, bytes);
    }
  }

  private handleMessage(sock: MockSocket, req: Message, bytes: Uint8Array): void {
    const flags = new DataView(bytes.buffer, bytes.byteOffset).getUint16(6, true);
    if (!(flags & NLM_F.REQUEST)) return;
    const wantsAck = (flags & NLM_F.ACK) !== 0;
    const ctx: Ctx = { kernel: this, ns: sock.ns, sock, req, bytes, out: [] };
    const handler = HANDLERS[String(req.type)];
    try {
      this.run(() => {
        if (!handler) throw new KernelError(E.EOPNOTSUPP);
        if ((flags & NLM_F.DUMP) === NLM_F.DUMP && handler.dump) {
          const r = handler.dump(ctx);
          this.sendDump(sock, req, r);
          return;
        }
        if (!handler.do) throw new KernelError(E.EOPNOTSUPP);
        handler.do(ctx);
      });
    } catch (e) {
      if (!(e instanceof KernelError)) throw e;
      if (ctx.out.length) sock.deliver(this.encode(ctx.out.map((m) => this.unicast(sock, req, m))));
      sock.deliver(this.encode([this.errorMessage(sock, req, bytes, e)]));
      return;
    }
    if ((flags & NLM_F.DUMP) === NLM_F.DUMP && handler?.dump) return;
    const out = ctx.out.map((m) => this.unicast(sock, req, m));
    if (wantsAck) out.push(this.ackMessage(sock, req, bytes));
    if (out.length) sock.deliver(this.encode(out));
  }

  private unicast(sock: MockSocket, req: Message, m: MessageInit): MessageInit {
    return { ...m, seq: req.seq, pid: sock.portId };
  }

  private sendDump(sock: MockSocket, req: Message, r: DumpResult): void {
    const multi = NLM_F.MULTI | (r.filtered ? NLM_F.DUMP_FILTERED : 0);
    let chunk: Uint8Array[] = [];
    let size = 0;
    for (const m of r.items) {
      const b = encodeMessage(this.protocol, { ...m, flags: multi, seq: req.seq, pid: sock.portId });
      if (size + b.length > DUMP_CHUNK && chunk.length) {
        sock.deliver(Buffer.concat(chunk));
        chunk = [];
        size = 0;
      }
      chunk.push(b);
      size += b.length;
    }
    chunk.push(encodeMessage(this.protocol, { type: 'NLMSG_DONE', flags: NLM_F.MULTI, seq: req.seq, pid: sock.portId, header: { error: 0 } }));
    sock.deliver(Buffer.concat(chunk));
  }

  private echoHeader(req: Message, bytes: Uint8Array) {
    return { len: bytes.length, type: req.type, flags: req.flags, seq: req.seq, pid: req.pid };
  }

  private ackMessage(sock: MockSocket, req: Message, bytes: Uint8Array): MessageInit {
    return { type: 'NLMSG_ERROR', flags: NLM_F.CAPPED, seq: req.seq, pid: sock.portId, header: { error: 0, msg: this.echoHeader(req, bytes) } };
  }

  private errorMessage(sock: MockSocket, req: Message, bytes: Uint8Array, e: KernelError): MessageInit {
    const attrs: Record<string, unknown> = {};
    if (sock.extAck) {
      if (e.init.message !== undefined) attrs['msg'] = e.init.message;
      if (e.init.attr) {
        const off = attrOffset(this.protocol, bytes, e.init.attr);
        if (off !== undefined) attrs['offs'] = off;
      }
      if (e.init.policy !== undefined) attrs['policy'] = e.init.policy;
    }
    let flags = Object.keys(attrs).length ? NLM_F.ACK_TLVS : 0;
    const msg: Record<string, unknown> = this.echoHeader(req, bytes);
    if (sock.capAck) flags |= NLM_F.CAPPED;
    else if (bytes.length > 16) msg['payload'] = Buffer.from(bytes.subarray(16)).toString('hex');
    return { type: 'NLMSG_ERROR', flags, seq: req.seq, pid: sock.portId, header: { error: -e.errno, msg }, attrs };
  }

  private encode(msgs: MessageInit[]): Uint8Array {
    return Buffer.concat(msgs.map((m) => encodeMessage(this.protocol, m)));
  }

  // -------------------------------------------------------------------------------------------
  // Notifications

  /**
   * @internal Multicasts a notification to the sockets of `ns` in `group`; `ctx` (the request that
   * caused it) gives its seq/pid and, with NLM_F_ECHO, a copy to the requester. `build` runs only
   * when someone will receive the message (as in the kernel, where that matters for nsids).
   */
  notify(ns: Netns, group: number, build: () => MessageInit, ctx: Ctx | undefined): void {
    const echo = ctx !== undefined && ctx.ns === ns && ctx.req.flags.includes('NLM_F_ECHO');
    const targets = [...ns.sockets].filter((s) => s.groups.has(group) && !(echo && s === ctx.sock));
    if (!echo && targets.length === 0) return;
    const m = build();
    const bytes = encodeMessage(this.protocol, { ...m, flags: m.flags ?? 0, seq: ctx?.req.seq ?? 0, pid: ctx?.sock.portId ?? 0 });
    for (const s of targets) s.deliver(bytes);
    if (echo) ctx.out.push(m);
  }
}

const HANDLERS: Record<string, Handler> = { ...linkHandlers, ...addrHandlers, ...routeHandlers, ...neighHandlers, ...nsidHandlers };

/** Multicast groups by name, for {@link MockKernel.notify} callers. */
export { GROUP };

/**
 * Creates a mock kernel with its initial namespace (`''`), which has a loopback device, down,
 * like a fresh `unshare -n`.
 *
 * @example
 * ```ts
 * const kernel = createMockKernel({ seed: 42 });
 * kernel.netns.add('ns1');
 * const t = kernel.transport({ netns: 'ns1' });
 * ```
 */
export function createMockKernel(options: MockKernelOptions = {}): MockKernel {
  return new MockKernel(options);
}
