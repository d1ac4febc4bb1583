/**
 * Recording: a {@link Transport} wrapper that keeps every datagram sent and received, with the
 * socket options, the netlink family and the kernel version, and writes them to a fixture file
 * (JSON) or, for a path ending in `.pcap`, to a LINKTYPE_NETLINK capture that Wireshark and
 * tshark dissect.
 *
 * `NLKIT_RECORD=path` turns recording on for every session `Netlink.open` makes (it calls
 * {@link maybeRecord}); when several sessions record in one process, the second writes
 * `path-2.json` (or `.pcap`), the third `path-3.json`, and so on.
 *
 * @example
 * ```ts
 * const t = recordingTransport(openNativeTransport({ protocol: 0 }), { path: 'fixtures/testing/lo.json' });
 * const client = new NetlinkClient(t, routeProtocol());
 * await client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo' } });
 * client.close(); // writes the fixture
 * ```
 * ```sh
 * NLKIT_RECORD=trace.pcap node my-tool.js && tshark -r trace.pcap -V
 * ```
 * @module
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { toHex } from '../netlink/bytes.js';
import type { Transport } from '../netlink/transport.js';
import { DEFAULT_FIXTURE_OPTIONS, type Fixture, type FixtureOptions, fixtureText } from './fixture.js';
import { pcapHeader, pcapRecord } from './pcap.js';

/**
 * Options of {@link recordingTransport}.
 *
 * @example
 * ```ts
 * recordingTransport(inner, { path: 'trace.json', options: { strictCheck: false } });
 * ```
 */
export interface RecordOptions {
  /** Where to write: `.pcap` for a capture, anything else for a JSON fixture. */
  path: string;
  /**
   * The socket options the inner transport uses. Default: those it shows (a mock kernel socket
   * does), else ext-ack, strict check and cap-ack on (what the native transport sets).
   */
  options?: Partial<FixtureOptions>;
  /** Kernel version to record. Default: `os.release()`. */
  kernel?: string;
}

/**
 * A recording transport: the inner transport plus what was recorded.
 *
 * @example
 * ```ts
 * const t: RecordingTransport = recordingTransport(inner, { path: 'trace.json' });
 * t.fixture.datagrams.length; // so far
 * ```
 */
export interface RecordingTransport extends Transport {
  /** The recording so far. */
  readonly fixture: Fixture;
  /** The file written. */
  readonly path: string;
  /** Writes the file now (JSON fixtures are also written on close and at process exit). */
  flush(): void;
}

/**
 * Wraps `inner` so every datagram is recorded to `options.path`. A pcap is appended record by
 * record (it survives a crash); a JSON fixture is written on `close()`, `flush()` and at exit.
 *
 * @example
 * ```ts
 * const t = recordingTransport(inner, { path: 'trace.pcap' });
 * ```
 */
export function recordingTransport(inner: Transport, options: RecordOptions): RecordingTransport {
  const path = options.path;
  const pcap = path.endsWith('.pcap');
  const start = performance.now();
  const wall = Date.now();
  const fixture: Fixture = {
    kernel: options.kernel ?? release(),
    family: inner.protocol,
    options: { ...DEFAULT_FIXTURE_OPTIONS, ...socketOptionsOf(inner), ...definedOnly(options.options ?? {}) },
    datagrams: [],
  };
  if (pcap) writeFileSync(path, pcapHeader());
  let written = false;
  const flush = () => {
    if (!pcap) writeFileSync(path, fixtureText(fixture));
    written = true;
  };
  const onExit = () => {
    if (!written) flush();
  };
  atExit(onExit);

  const keep = (dir: 'send' | 'recv', bytes: Uint8Array) => {
    const t = Math.round((performance.now() - start) * 1000) / 1000;
    fixture.datagrams.push({ dir, hex: toHex(bytes), t });
    written = false;
    if (pcap) appendFileSync(path, pcapRecord({ dir, family: inner.protocol, time: wall + t, bytes }));
  };

  return {
    fixture,
    path,
    flush,
    get protocol() {
      return inner.protocol;
    },
    get portId() {
      return inner.portId;
    },
    get closed() {
      return inner.closed;
    },
    send(datagram) {
      inner.send(datagram);
      keep('send', datagram);
    },
    receive() {
      const d = inner.receive();
      if (d !== null) keep('recv', d);
      return d;
    },
    onReadable: (cb) => inner.onReadable(cb),
    addMembership: (g) => inner.addMembership(g),
    dropMembership: (g) => inner.dropMembership(g),
    close() {
      if (inner.closed) return;
      inner.close();
      flush();
      pendingAtExit.delete(onExit);
    },
  };
}

const pendingAtExit = new Set<() => void>();
let exitHookInstalled = false;

/** Runs `fn` at process exit unless removed from {@link pendingAtExit} first (one listener for all). */
function atExit(fn: () => void): void {
  pendingAtExit.add(fn);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const f of pendingAtExit) f();
  });
}

/** The socket options a transport shows (the mock kernel's sockets do), to record them. */
function socketOptionsOf(t: Transport): Partial<FixtureOptions> {
  const o = t as unknown as Partial<Record<keyof FixtureOptions, unknown>>;
  const out: Partial<FixtureOptions> = {};
  for (const k of ['extAck', 'strictCheck', 'capAck'] as const) if (typeof o[k] === 'boolean') out[k] = o[k];
  return out;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const used = new Map<string, number>();

/** The path the n-th recorder of `base` in this process writes: base, base-2, base-3... */
function nthPath(base: string): string {
  const n = (used.get(base) ?? 0) + 1;
  used.set(base, n);
  if (n === 1) return base;
  const dot = base.lastIndexOf('.');
  return dot > base.lastIndexOf('/') ? `${base.slice(0, dot)}-${n}${base.slice(dot)}` : `${base}-${n}`;
}

/**
 * Wraps `transport` in a recorder when a path is given (`options.path`, e.g. from an option of
 * `Netlink.open`) or `NLKIT_RECORD` is set in the environment; else returns it unchanged.
 * `Netlink.open` calls this for every session it opens. Several sessions of one process
 * recording to the same path write `path`, `path-2`, `path-3`...
 *
 * @example
 * ```ts
 * // NLKIT_RECORD=fixtures/testing/my-run.json node my-tool.js
 * const t = maybeRecord(openNativeTransport({ protocol: 0 }));
 * const t2 = maybeRecord(inner, { path: 'trace.pcap' });
 * ```
 */
export function maybeRecord(transport: Transport, options: Omit<RecordOptions, 'path'> & { path?: string | undefined } = {}): Transport {
  const { path: given, ...rest } = options;
  const path = given ?? process.env['NLKIT_RECORD'];
  if (!path) return transport;
  return recordingTransport(transport, { ...rest, path: nthPath(path) });
}
