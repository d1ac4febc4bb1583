/**
 * What one run of the ip-compatible command line shares: the global options, the output streams,
 * one rtnetlink socket per network namespace (a bare client for listings, the high-level
 * {@link Netlink} API for changes), a cache of interface indexes by name (so a batch resolves
 * each device once), the machine's name tables, and the translation of failures into ip's
 * messages and exit statuses.
 *
 * Nothing here is loaded or opened before a command asks for it: listing commands never load
 * the high-level API.
 *
 * @module
 */
import type { Netlink } from '../api/netlink.js';
import type { NetlinkClient } from '../netlink/client.js';
import type { Message, MessageInit } from '../netlink/message.js';
import type { Transport } from '../netlink/transport.js';
import type { IpNames } from '../view/names.js';
import type { ViewContext } from '../view/context.js';
import type { CliIo } from './main.js';
import { CliExit, isCliExit } from './args.js';

/** The global options (`nlkit [ OPTIONS ] OBJECT ...`). */
export interface GlobalOptions {
  /** `-n NETNS`: work in this named namespace. */
  netns: string | undefined;
  /** `-j`. */
  json: boolean;
  /** `-p`. */
  pretty: boolean;
  /** `-d` (count). */
  details: number;
  /** `-s` (count). */
  stats: number;
  /** `-4` (2), `-6` (10), `-0` (17), `-B` (7), or 0. */
  family: number;
  /** `-br`. */
  brief: boolean;
  /** `-o`. */
  oneline: boolean;
  /** `-force` (batch). */
  force: boolean;
  /** `-t` / `-ts` (monitor timestamps): 0, 1 (long), 2 (short). */
  timestamp: number;
  /** `-a[ll]`: `netns exec|delete` in every namespace. */
  all: boolean;
}

let jsonText: typeof import('./json-out.js').ipJsonText | undefined;

/** Defaults of {@link GlobalOptions}. */
export function defaultOptions(): GlobalOptions {
  return { netns: undefined, json: false, pretty: false, details: 0, stats: 0, family: 0, brief: false, oneline: false, force: false, timestamp: 0, all: false };
}

/** A hook on the sockets of a batch (see batch.ts): wraps each transport when it opens. */
export interface SocketHook {
  wrap(t: Transport): Transport;
}

/**
 * One namespace's socket. The transport opens alone; a bare client (listings, lookups) and the
 * high-level API (changes) are put on it when first asked for, and share it: once the API
 * exists, its client serves everything (the bare one stays idle: a client reads only while it
 * has requests in flight). A batch also talks to the transport directly (batch-fast.ts) while
 * both are idle.
 */
interface Handle {
  transport: Transport;
  ns: import('../api/netns-ref.js').NetnsHandle | undefined;
  client: Promise<NetlinkClient> | undefined;
  nl: Promise<Netlink> | undefined;
  /** Interface index by name (positive answers only). */
  names: Map<string, number>;
}

/**
 * Messages a streamed dump may read ahead of the listing that prints it (the client's default is
 * 4,096). A listing prints each message and drops it; what is read ahead survives the young
 * generation's collections, which copy it. 512 is about one datagram of routes: dump/route-100k
 * nlkit cli -j spent 50-70 ms in scavenges with 4,096, 25-38 ms with 512 (fake kernel, --trace-gc).
 * Collected dumps are not limited by it (the client reads on while someone waits).
 */
const LISTING_READ_AHEAD = 512;
/** RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS: cheap single-link gets. */
const SKIP_STATS = 1 << 3;
const ENODEV = 19;

/** What the sessions of one run share (a batch forks one per command). */
interface Shared {
  handles: Map<string, Promise<Handle>>;
  ready: Map<string, Handle>;
  names: IpNames | undefined;
  hook: SocketHook | undefined;
}

/** One run (a command, or a whole batch). */
export class Session {
  readonly opts: GlobalOptions;
  readonly io: CliIo;
  private readonly shared: Shared;

  constructor(opts: GlobalOptions, io: CliIo, shared?: Shared) {
    this.opts = opts;
    this.io = io;
    this.shared = shared ?? { handles: new Map(), ready: new Map(), names: undefined, hook: undefined };
  }

  /** A session for one command of a batch: its own output, maybe another namespace, the same sockets. */
  fork(io: CliIo, netns: string | undefined): Session {
    const opts = netns === undefined || netns === this.opts.netns ? this.opts : { ...this.opts, netns };
    return new Session(opts, this.io.transport && !io.transport ? { ...io, transport: this.io.transport } : io, this.shared);
  }

  /** Batch mode: every socket goes through `hook` when it opens. */
  setBatch(hook: SocketHook): void {
    this.shared.hook = hook;
  }

  /** Writes text to stdout. */
  out(text: string): void {
    if (text) this.io.stdout.write(text);
  }

  /** Writes text to stderr. */
  err(text: string): void {
    if (text) this.io.stderr.write(text);
  }

  /**
   * An output buffer for long listings: text is passed on to stdout in pieces of about 64 KiB
   * (one write per piece), so a large dump is printed while it streams.
   */
  sink(): { write(text: string): void; end(): void } {
    let buf = '';
    return {
      write: (text: string) => {
        buf += text;
        if (buf.length >= 65536) {
          this.io.stdout.write(buf);
          buf = '';
        }
      },
      end: () => {
        if (buf) this.io.stdout.write(buf);
        buf = '';
      },
    };
  }

  /**
   * Writes a listing as ip -j does: the array, then a newline. Only with `-j`, whose JSON writer
   * {@link loadJson} loaded (text listings never load it).
   */
  outJson(value: unknown): void {
    if (!jsonText) throw new Error('nlkit: internal: -j output without the JSON writer (Session.loadJson)');
    this.out(jsonText(value, this.opts.pretty) + '\n');
  }

  /** Loads the JSON writer when `-j` asks for it (before the command runs). */
  async loadJson(): Promise<void> {
    if (this.opts.json) jsonText ??= (await import('./json-out.js')).ipJsonText;
  }

  /** The namespace a command works in: `ns` (e.g. a batch line's `-n`), else `-n`, else ours ('' key). */
  private key(ns: string | undefined): string {
    return ns ?? this.opts.netns ?? '';
  }

  /** The socket of a namespace (opened on first use, without a client). */
  private handle(ns: string | undefined): Promise<Handle> {
    const key = this.key(ns);
    const existing = this.shared.handles.get(key);
    if (existing) return existing;
    const p = this.open(key);
    this.shared.handles.set(key, p);
    p.then(
      (h) => {
        if (this.shared.handles.get(key) === p) this.shared.ready.set(key, h);
      },
      () => {
        if (this.shared.handles.get(key) === p) this.shared.handles.delete(key);
      },
    );
    return p;
  }

  private async open(key: string): Promise<Handle> {
    let transport: Transport;
    let ns: Handle['ns'];
    if (this.io.transport) transport = this.io.transport(key === '' ? undefined : key);
    else {
      const { openNativeTransport } = await import('../netlink/native-transport.js');
      if (key !== '') {
        const { openNetns } = await import('../api/netns-ref.js');
        try {
          ns = openNetns(key);
        } catch (e) {
          throw new CliExit(255, (e as Error).message);
        }
      }
      try {
        transport = openNativeTransport({ protocol: 0, ...(ns && { netnsFd: ns.fd }) });
      } catch (e) {
        ns?.close();
        throw e;
      }
    }
    if (this.shared.hook) transport = this.shared.hook.wrap(transport);
    return { transport, ns, client: undefined, nl: undefined, names: new Map() };
  }

  /**
   * The transport of a namespace's socket, for requests made without a client (batch-fast.ts).
   * Only while no client of it has requests in flight.
   */
  async transport(ns?: string): Promise<Transport> {
    return (await this.handle(ns)).transport;
  }

  /** A bare rtnetlink client in the command's namespace (the API's, once there is one). */
  async client(ns?: string): Promise<NetlinkClient> {
    // The client's modules load while the socket opens (bench: cli/link-show-3).
    const modules = Promise.all([import('../netlink/client.js'), import('../rtnetlink/index.js')]);
    void modules.catch(() => undefined); // (awaited below, unless the socket does not open)
    const h = await this.handle(ns);
    if (h.nl) return (await h.nl).client;
    return (h.client ??= (async () => {
      const [{ NetlinkClient }, { routeProtocol }] = await modules;
      return new NetlinkClient(h.transport, routeProtocol(), { highWater: LISTING_READ_AHEAD });
    })());
  }

  /** The high-level API in the command's namespace (loaded on demand), on the same socket. */
  async api(ns?: string): Promise<Netlink> {
    const h = await this.handle(ns);
    return (h.nl ??= (async () => {
      const { Netlink } = await import('../api/netlink.js');
      return Netlink.open({ transport: h.transport, ...(h.ns && { netns: { fd: h.ns.fd } }) });
    })());
  }

  /**
   * The index of interface `name` (asked of the kernel once per run and namespace; a batch reuses
   * the answer). Unknown: ip's `Cannot find device "NAME"` (status 1).
   */
  async ifindex(name: string, ns?: string): Promise<number> {
    const cached = this.shared.ready.get(this.key(ns))?.names.get(name);
    if (cached !== undefined) return cached;
    const h = await this.handle(ns);
    const known = h.names.get(name);
    if (known !== undefined) return known;
    const index = await this.lookup(await this.client(ns), name);
    if (index === undefined) throw new CliExit(1, `Cannot find device "${name}"`);
    h.names.set(name, index);
    return index;
  }

  /** The interface index cache of a namespace whose socket is open (batch-fast.ts fills it too). */
  cachedNames(ns?: string): Map<string, number> | undefined {
    return this.shared.ready.get(this.key(ns))?.names;
  }

  /** Like {@link ifindex} but undefined for an unknown name (ip's `ll_name_to_index() == 0`). */
  async ifindexOrUndefined(name: string, ns?: string): Promise<number | undefined> {
    try {
      return await this.ifindex(name, ns);
    } catch (e) {
      if (isCliExit(e)) return undefined;
      throw e;
    }
  }

  private async lookup(client: NetlinkClient, name: string): Promise<number | undefined> {
    if (name === '' || Buffer.byteLength(name) > 15) return undefined;
    try {
      const [m] = await client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: name, ext_mask: SKIP_STATS } });
      return (m?.header as { index?: number } | undefined)?.index;
    } catch (e) {
      if ((e as { errno?: number }).errno === ENODEV || (e as { code?: string }).code === 'ENODEV') return undefined;
      // ip's ll_name_to_index falls back to if_nametoindex; a name the kernel refuses (EINVAL) is unknown too.
      if ((e as { code?: string }).code === 'EINVAL') return undefined;
      throw e;
    }
  }

  /** Forgets the cached indexes of a namespace (after a delete, rename or move), or of all (null). */
  forgetNames(ns?: string | null): void {
    if (ns === null) {
      for (const h of this.shared.ready.values()) h.names.clear();
      return;
    }
    this.shared.ready.get(this.key(ns))?.names.clear();
  }

  /** A dump in the command's namespace, collected (retried when the kernel says it was interrupted). */
  async dump(msg: MessageInit, ns?: string): Promise<Message[]> {
    const client = await this.client(ns);
    return client.dump(msg, { onInterrupt: 'retry' }).collect();
  }

  /** The name tables of /etc/iproute2 (read once). */
  async names(): Promise<IpNames> {
    if (!this.shared.names) {
      const { systemNames } = await import('./names.js');
      this.shared.names = systemNames();
    }
    return this.shared.names;
  }

  /**
   * A view context over `links` (a link dump), with this machine's name tables, user/group names
   * and — for text output that needs it — the names of peer namespaces by nsid.
   */
  async viewContext(links: readonly Message[], ns?: string): Promise<ViewContext> {
    const [{ viewContext }, names, { systemAccounts }] = await Promise.all([import('../view/context.js'), this.names(), import('./names.js')]);
    let netnsName: ((id: number) => string | undefined) | undefined;
    if (!this.opts.json && links.some((m) => (m.attrs as { link_netnsid?: number; new_netnsid?: number }).link_netnsid !== undefined)) {
      const map = await this.nsidNames(ns);
      netnsName = (id) => map.get(id);
    }
    return viewContext(links, { names, ...systemAccounts(), ...(netnsName && { netnsName }) });
  }

  /** nsid → /run/netns name, as seen from the command's namespace. */
  async nsidNames(ns?: string): Promise<Map<number, string>> {
    const client = await this.client(ns);
    const { NsidApi } = await import('../api/nsid.js');
    const api = new NsidApi({ client } as unknown as Netlink);
    const out = new Map<number, string>();
    for (const e of await api.list().collect()) if (e.name !== undefined) out.set(e.nsid, e.name);
    return out;
  }

  /** Closes every socket. */
  async close(): Promise<void> {
    for (const p of this.shared.handles.values()) {
      let h: Handle;
      try {
        h = await p;
      } catch {
        continue; // it never opened
      }
      for (const c of [h.nl, h.client]) {
        try {
          (await c)?.close();
        } catch {
          // never opened
        }
      }
      h.transport.close();
      h.ns?.close();
    }
    this.shared.handles.clear();
    this.shared.ready.clear();
  }
}

/**
 * ip's words for a failure, and its exit status: kernel refusals as `Error: TEXT.` (when the
 * kernel explained) or `RTNETLINK answers: STRERROR` (status 2); `Cannot find device` (1);
 * argument errors of the API as `Error: ...` (255); anything else with its message (1).
 */
export function failure(e: unknown): CliExit {
  if (isCliExit(e)) return e;
  const err = e as { name?: string; message?: string; kernelMessage?: string; errnoText?: string; code?: string; errno?: number };
  if (err?.name === 'NetlinkError') {
    const km = err.kernelMessage;
    if (km !== undefined && /^(Cannot find device|Device ")/.test(km)) return new CliExit(1, km);
    if (km !== undefined && km !== '') return new CliExit(2, `Error: ${km}${km.endsWith('.') ? '' : '.'}`);
    return new CliExit(2, `RTNETLINK answers: ${err.errnoText ?? err.message}`);
  }
  if (err?.name === 'ArgumentError') return new CliExit(255, `Error: ${err.message}.`);
  if (err?.name === 'DumpInterruptedError') return new CliExit(1, 'Dump was interrupted and may be inconsistent.');
  if (err instanceof Error) return new CliExit(1, err.message);
  return new CliExit(1, String(e));
}
