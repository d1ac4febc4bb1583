/**
 * Replay: a {@link Transport} that serves a recorded fixture (or pcap) back to the same code.
 *
 * Each datagram sent is matched against the next recorded request: same message types and flags,
 * and the same payload (byte for byte with `strict`, the same decoded header and attributes
 * without). Sequence numbers and port ids are re-mapped both ways, so the code under test may
 * number its requests as it likes. The replies recorded after that request are then returned in
 * order, carrying the live sequence numbers and port id. A request that differs fails the send
 * with a {@link ReplayMismatchError} listing the differences of the decoded messages.
 *
 * @example
 * ```ts
 * const t = replayTransport('fixtures/testing/getlink-lo.json');
 * const nl = await Netlink.open({ transport: t });
 * const lo = await nl.client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: 'lo' } });
 * t.assertDone(); // every recorded request was made
 * ```
 * @module
 */
import { fromHex } from '../netlink/bytes.js';
import { decodeDatagram, type Message, type Protocol } from '../netlink/message.js';
import { errnoError, type Transport } from '../netlink/transport.js';
import { routeProtocol } from '../rtnetlink/index.js';
import { comparable, diffValues } from './diff.js';
import { type Fixture, loadFixture, parseFixture } from './fixture.js';

/**
 * Options of {@link replayTransport}.
 *
 * @example
 * ```ts
 * replayTransport('trace.json', { strict: false, portId: 1234 });
 * ```
 */
export interface ReplayOptions {
  /** Payloads must match byte for byte (true) or decode to the same header and attributes (false). Default: true. */
  strict?: boolean;
  /** Port id the transport reports. Default: the one recorded (the nlmsg_pid of the replies), else 4242. */
  portId?: number;
  /** Protocol to decode messages with, for diffs. Default: rtnetlink for family 0, none otherwise (raw comparison). */
  protocol?: Protocol;
}

/**
 * A replaying transport.
 *
 * @example
 * ```ts
 * const t: ReplayTransport = replayTransport('trace.json');
 * t.remaining; // recorded requests not made yet
 * ```
 */
export interface ReplayTransport extends Transport {
  /** The recording. */
  readonly fixture: Fixture;
  /** Recorded requests not yet made. */
  readonly remaining: number;
  /** Throws a {@link ReplayMismatchError} unless every recorded request was made. */
  assertDone(): void;
}

/**
 * A request did not match the recording (or was not recorded at all).
 *
 * @example
 * ```ts
 * try { await nl.link.set('veth0', { mtu: 1500 }); }
 * catch (e) { if (e instanceof ReplayMismatchError) console.log(e.differences); } // ['attrs.mtu: expected 1400, got 1500']
 * ```
 */
export class ReplayMismatchError extends Error {
  override readonly name = 'ReplayMismatchError';
  readonly code = 'NLKIT_ERR_REPLAY_MISMATCH';
  /** One line per difference (`attrs.mtu: expected 1500, got 1400`). */
  readonly differences: string[];
  constructor(message: string, differences: string[]) {
    super(differences.length ? `${message}:\n  ${differences.join('\n  ')}` : message);
    this.differences = differences;
  }
}

interface Step {
  /** Record index of the request in the fixture. */
  record: number;
  request: Uint8Array;
  replies: Uint8Array[];
}

interface Header {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  off: number;
}

function headers(bytes: Uint8Array): Header[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Header[] = [];
  for (let off = 0; bytes.length - off >= 16; ) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > bytes.length) break;
    out.push({ len, type: v.getUint16(off + 4, true), flags: v.getUint16(off + 6, true), seq: v.getUint32(off + 8, true), pid: v.getUint32(off + 12, true), off });
    off += (len + 3) & ~3;
  }
  return out;
}

/**
 * Creates a transport that replays `fixtureOrPath` (a {@link Fixture}, or a `.json`/`.pcap` path).
 * A damaged file throws a FixtureError naming the file, the record and the offset.
 *
 * @example
 * ```ts
 * const t = replayTransport(loadFixture('trace.pcap'), { strict: false });
 * ```
 */
export function replayTransport(fixtureOrPath: Fixture | string, options: ReplayOptions = {}): ReplayTransport {
  const file = typeof fixtureOrPath === 'string' ? fixtureOrPath : '<fixture>';
  const fixture = typeof fixtureOrPath === 'string' ? loadFixture(fixtureOrPath) : parseFixture(fixtureOrPath, file);
  const strict = options.strict ?? true;
  const protocol = options.protocol ?? (fixture.family === 0 ? routeProtocol() : undefined);

  const initial: Uint8Array[] = [];
  const steps: Step[] = [];
  fixture.datagrams.forEach((d, i) => {
    const bytes = fromHex(d.hex)!;
    if (d.dir === 'send') steps.push({ record: i, request: bytes, replies: [] });
    else (steps.at(-1)?.replies ?? initial).push(bytes);
  });
  const recordedPort = fixture.datagrams.filter((d) => d.dir === 'recv').flatMap((d) => headers(fromHex(d.hex)!)).find((h) => h.pid !== 0)?.pid;
  const portId = options.portId ?? recordedPort ?? 4242;

  const seqMap = new Map<number, number>();
  const pidMap = new Map<number, number>();
  if (recordedPort !== undefined) pidMap.set(recordedPort, portId);
  const queue: Uint8Array[] = [];
  const waiting: Array<() => void> = [];
  let next = 0;
  let closed = false;
  let scheduled = false;

  const wake = () => {
    if (scheduled || waiting.length === 0 || queue.length === 0) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      for (const cb of waiting.splice(0, waiting.length)) cb();
    });
  };
  const check = (op: string) => {
    if (closed) throw errnoError('EBADF', 9, `${op}: the replay transport is closed`);
  };
  const decode = (bytes: Uint8Array): Message[] | undefined => {
    if (!protocol) return undefined;
    try {
      return decodeDatagram(protocol, bytes);
    } catch {
      return undefined;
    }
  };
  const describe = (bytes: Uint8Array): string => {
    const m = decode(bytes);
    if (m) return m.map((x) => `${String(x.type)} ${JSON.stringify({ header: x.header, attrs: x.attrs }, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`).join(', ');
    return `${bytes.length} bytes`;
  };

  /** The differences between the recorded and the live request (empty when they match). */
  const differences = (recorded: Uint8Array, live: Uint8Array): string[] => {
    const rh = headers(recorded);
    const lh = headers(live);
    if (rh.length !== lh.length) return [`messages in the datagram: expected ${rh.length}, got ${lh.length}`];
    const rm = decode(recorded);
    const lm = decode(live);
    const out: string[] = [];
    rh.forEach((r, i) => {
      const l = lh[i]!;
      const prefix = rh.length > 1 ? `[${i}].` : '';
      const same = r.type === l.type && r.flags === l.flags && r.len === l.len && Buffer.compare(recorded.subarray(r.off + 16, r.off + r.len), live.subarray(l.off + 16, l.off + l.len)) === 0;
      if (same) return;
      const rd = rm?.[i];
      const ld = lm?.[i];
      if (rd && ld) {
        const d = diffValues(comparable(rd), comparable(ld)).map((x) => prefix + x);
        if (d.length > 0 || strict) out.push(...(d.length > 0 ? d : [`${prefix}payload: the same decoded values, but different bytes (attribute order or padding; use strict: false to allow)`]));
        return;
      }
      if (r.type !== l.type) out.push(`${prefix}type: expected ${r.type}, got ${l.type}`);
      if (r.flags !== l.flags) out.push(`${prefix}flags: expected 0x${r.flags.toString(16)}, got 0x${l.flags.toString(16)}`);
      if (r.type === l.type && r.flags === l.flags) out.push(`${prefix}payload: ${r.len - 16} bytes recorded, ${l.len - 16} bytes sent, contents differ`);
    });
    return out;
  };

  /** A copy of a recorded reply with sequence numbers and port ids mapped to the live ones. */
  const remap = (bytes: Uint8Array): Uint8Array => {
    const out = bytes.slice();
    const v = new DataView(out.buffer);
    for (const h of headers(out)) {
      const seq = seqMap.get(h.seq);
      if (seq !== undefined) v.setUint32(h.off + 8, seq, true);
      const pid = pidMap.get(h.pid);
      if (pid !== undefined) v.setUint32(h.off + 12, pid, true);
      if (h.type === 2 && h.len >= 36) {
        const eSeq = seqMap.get(v.getUint32(h.off + 28, true));
        if (eSeq !== undefined) v.setUint32(h.off + 28, eSeq, true);
        const ePid = v.getUint32(h.off + 32, true);
        if (ePid !== 0 && pidMap.has(ePid)) v.setUint32(h.off + 32, pidMap.get(ePid)!, true);
      }
    }
    return out;
  };

  for (const d of initial) queue.push(remap(d));

  const t: ReplayTransport = {
    protocol: fixture.family,
    portId,
    fixture,
    get remaining() {
      return steps.length - next;
    },
    get closed() {
      return closed;
    },
    send(datagram) {
      check('send');
      const step = steps[next];
      if (!step) {
        throw new ReplayMismatchError(`${file}: request ${next + 1} was not recorded (the recording has ${steps.length}); got ${describe(datagram)}`, []);
      }
      const diffs = differences(step.request, datagram);
      if (diffs.length > 0) throw new ReplayMismatchError(`${file}: request ${next + 1} (record ${step.record}) differs from the recording`, diffs);
      next++;
      const rh = headers(step.request);
      const lh = headers(datagram);
      rh.forEach((r, i) => {
        const l = lh[i]!;
        seqMap.set(r.seq, l.seq);
        if (r.pid !== 0 || l.pid !== 0) pidMap.set(r.pid, l.pid);
      });
      for (const r of step.replies) queue.push(remap(r));
      wake();
    },
    receive() {
      check('receive');
      return queue.shift() ?? null;
    },
    onReadable(cb) {
      check('onReadable');
      waiting.push(cb);
      wake();
    },
    addMembership() {
      check('addMembership');
    },
    dropMembership() {
      check('dropMembership');
    },
    close() {
      closed = true;
      queue.length = 0;
      waiting.length = 0;
    },
    assertDone() {
      if (next < steps.length) {
        const left = steps.slice(next).map((s) => `record ${s.record}: ${describe(s.request)}`);
        throw new ReplayMismatchError(`${file}: ${steps.length - next} recorded request(s) were not made`, left);
      }
    },
  };
  return t;
}
