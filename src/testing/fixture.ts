/**
 * Recorded exchanges with a kernel: the fixture file format, and loading it (or a pcap capture)
 * with checks that name the file, the record and the byte offset of any damage.
 *
 * A fixture is JSON:
 * ```json
 * { "kernel": "6.18.4", "family": 0, "options": { "extAck": true, "strictCheck": true, "capAck": true },
 *   "datagrams": [ { "dir": "send", "hex": "2800000012000503...", "t": 0 }, { "dir": "recv", "hex": "...", "t": 0.4 } ] }
 * ```
 * `t` is milliseconds since the recording started.
 *
 * @example
 * ```ts
 * const fx = loadFixture('fixtures/testing/getlink-lo.json');
 * fx.datagrams.length; // 3
 * saveFixture('copy.json', fx);
 * ```
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fromHex, toHex } from '../netlink/bytes.js';
import { decodeDatagram } from '../netlink/message.js';
import { isDecodeError } from '../netlink/errors.js';
import { routeProtocol } from '../rtnetlink/index.js';
import { FixtureError } from './fixture-error.js';
import { readPcap } from './pcap.js';

/**
 * Socket options in effect while recording.
 *
 * @example
 * ```ts
 * const o: FixtureOptions = { extAck: true, strictCheck: true, capAck: true };
 * ```
 */
export interface FixtureOptions {
  /** NETLINK_EXT_ACK. */
  extAck: boolean;
  /** NETLINK_GET_STRICT_CHK. */
  strictCheck: boolean;
  /** NETLINK_CAP_ACK. */
  capAck: boolean;
}

/**
 * One datagram of a recording.
 *
 * @example
 * ```ts
 * const d: FixtureDatagram = { dir: 'send', hex: '14000000120001030100000000000000', t: 0 };
 * ```
 */
export interface FixtureDatagram {
  /** 'send': to the kernel; 'recv': from it. */
  dir: 'send' | 'recv';
  /** The bytes, lower-case hex. */
  hex: string;
  /** Milliseconds since the recording started. */
  t: number;
}

/**
 * A recording.
 *
 * @example
 * ```ts
 * const fx: Fixture = { kernel: '6.18.4', family: 0, options: { ...DEFAULT_FIXTURE_OPTIONS }, datagrams: [] };
 * ```
 */
export interface Fixture {
  /** `uname -r` of the kernel recorded, or undefined (e.g. a pcap has no such field). */
  kernel: string | undefined;
  /** The netlink family (0 = NETLINK_ROUTE). */
  family: number;
  /** Socket options in effect. */
  options: FixtureOptions;
  /** Every datagram, in the order it was sent or received. */
  datagrams: FixtureDatagram[];
}

/**
 * The options the native transport sets by default.
 *
 * @example
 * ```ts
 * DEFAULT_FIXTURE_OPTIONS.capAck; // true
 * ```
 */
export const DEFAULT_FIXTURE_OPTIONS: FixtureOptions = Object.freeze({ extAck: true, strictCheck: true, capAck: true });

const NLMSG_HDRLEN = 16;

/**
 * Reads a fixture (`.json`) or a LINKTYPE_NETLINK capture (`.pcap`, or any file starting with a
 * pcap magic number) and checks every datagram. Throws {@link FixtureError}.
 *
 * @example
 * ```ts
 * const fx = loadFixture('trace.pcap');
 * ```
 */
export function loadFixture(path: string): Fixture {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new FixtureError(path, undefined, undefined, `cannot read: ${(e as Error).message}`);
  }
  if (path.endsWith('.pcap') || isPcap(data)) return fixtureFromPcap(data, path);
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg)?.[1];
    throw new FixtureError(path, undefined, pos === undefined ? undefined : Number(pos), `not valid JSON: ${msg}`);
  }
  return parseFixture(json, path);
}

function isPcap(data: Uint8Array): boolean {
  if (data.length < 4) return false;
  const m = (data[0]! << 24) | (data[1]! << 16) | (data[2]! << 8) | data[3]!;
  return [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1].includes(m >>> 0);
}

/**
 * A fixture from the records of a pcap capture (the family of its first record).
 *
 * @example
 * ```ts
 * const fx = fixtureFromPcap(readFileSync('trace.pcap'), 'trace.pcap');
 * ```
 */
export function fixtureFromPcap(data: Uint8Array, file = '<pcap>'): Fixture {
  const records = readPcap(data, file);
  const t0 = records[0]?.time ?? 0;
  const fx: Fixture = {
    kernel: undefined,
    family: records[0]?.family ?? 0,
    options: { ...DEFAULT_FIXTURE_OPTIONS },
    datagrams: records.map((r) => ({ dir: r.dir, hex: toHex(r.bytes), t: Math.round((r.time - t0) * 1000) / 1000 })),
  };
  checkDatagrams(fx, file);
  return fx;
}

/**
 * Checks a fixture given as a parsed object and fills defaults. Throws {@link FixtureError}
 * naming `file`, the record and the byte offset.
 *
 * @example
 * ```ts
 * const fx = parseFixture(JSON.parse(text), 'inline');
 * ```
 */
export function parseFixture(json: unknown, file = '<fixture>'): Fixture {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new FixtureError(file, undefined, undefined, 'a fixture is a JSON object with "datagrams"');
  const o = json as Record<string, unknown>;
  if (!Array.isArray(o['datagrams'])) throw new FixtureError(file, undefined, undefined, '"datagrams" is missing or not an array');
  const opts = (o['options'] ?? {}) as Partial<FixtureOptions>;
  const fx: Fixture = {
    kernel: typeof o['kernel'] === 'string' ? o['kernel'] : undefined,
    family: typeof o['family'] === 'number' ? o['family'] : 0,
    options: {
      extAck: opts.extAck ?? DEFAULT_FIXTURE_OPTIONS.extAck,
      strictCheck: opts.strictCheck ?? DEFAULT_FIXTURE_OPTIONS.strictCheck,
      capAck: opts.capAck ?? DEFAULT_FIXTURE_OPTIONS.capAck,
    },
    datagrams: [],
  };
  (o['datagrams'] as unknown[]).forEach((d, i) => {
    const r = (d ?? {}) as Partial<FixtureDatagram>;
    if (r.dir !== 'send' && r.dir !== 'recv') throw new FixtureError(file, i, undefined, `"dir" must be "send" or "recv", not ${JSON.stringify(r.dir)}`);
    if (typeof r.hex !== 'string') throw new FixtureError(file, i, undefined, '"hex" is missing');
    const bad = /[^0-9a-fA-F]/.exec(r.hex);
    if (bad) throw new FixtureError(file, i, Math.floor(bad.index / 2), `"hex" has a non-hex character ${JSON.stringify(bad[0])} at character ${bad.index}`);
    if (r.hex.length % 2 !== 0) throw new FixtureError(file, i, Math.floor(r.hex.length / 2), `"hex" has an odd number of digits (${r.hex.length}): the last byte is truncated`);
    fx.datagrams.push({ dir: r.dir, hex: r.hex.toLowerCase(), t: typeof r.t === 'number' ? r.t : 0 });
  });
  checkDatagrams(fx, file);
  return fx;
}

/** Checks the netlink framing of every datagram (and, for NETLINK_ROUTE, that it decodes). */
function checkDatagrams(fx: Fixture, file: string): void {
  fx.datagrams.forEach((d, i) => {
    const bytes = fromHex(d.hex)!;
    checkFraming(bytes, file, i);
    if (fx.family !== 0) return;
    try {
      decodeDatagram(routeProtocol(), bytes);
    } catch (e) {
      if (!isDecodeError(e)) throw e;
      throw new FixtureError(file, i, e.offset, `${e.reason}${e.path ? ` in ${e.path}` : ''}`);
    }
  });
}

/**
 * Walks the nlmsghdr chain of one datagram; zero padding after the last message is allowed.
 * Throws a {@link FixtureError} for `file` and `record`.
 *
 * @example
 * ```ts
 * checkFraming(bytes, 'trace.json', 4);
 * ```
 */
export function checkFraming(bytes: Uint8Array, file: string, record: number): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let off = 0;
  if (bytes.length === 0) throw new FixtureError(file, record, 0, 'empty datagram');
  while (off < bytes.length) {
    const left = bytes.length - off;
    if (left < NLMSG_HDRLEN || v.getUint32(off, true) === 0) {
      for (let i = off; i < bytes.length; i++) {
        if (bytes[i] !== 0) throw new FixtureError(file, record, off, `${left} bytes left, too few for a message header (nlmsghdr is ${NLMSG_HDRLEN} bytes)`);
      }
      return;
    }
    const len = v.getUint32(off, true);
    if (len < NLMSG_HDRLEN) throw new FixtureError(file, record, off, `nlmsg_len ${len} is less than ${NLMSG_HDRLEN}`);
    if (len > left) throw new FixtureError(file, record, off, `nlmsg_len ${len} overruns the datagram (${left} bytes left): truncated`);
    off += (len + 3) & ~3;
  }
}

/**
 * Writes a fixture as JSON (one datagram per line, so diffs of fixtures stay readable).
 *
 * @example
 * ```ts
 * saveFixture('fixtures/testing/my-test.json', fx);
 * ```
 */
export function saveFixture(path: string, fx: Fixture): void {
  writeFileSync(path, fixtureText(fx));
}

/**
 * The JSON text of a fixture, as {@link saveFixture} writes it.
 *
 * @example
 * ```ts
 * writeFileSync('copy.json', fixtureText(fx));
 * ```
 */
export function fixtureText(fx: Fixture): string {
  const head = JSON.stringify({ kernel: fx.kernel, family: fx.family, options: fx.options });
  const lines = fx.datagrams.map((d) => `    ${JSON.stringify(d)}`);
  return `${head.slice(0, -1)},\n  "datagrams": [\n${lines.join(',\n')}\n  ]\n}\n`;
}

/**
 * The bytes of datagram `i`.
 *
 * @example
 * ```ts
 * decodeDatagram(routeProtocol(), datagramBytes(fx, 0));
 * ```
 */
export function datagramBytes(fx: Fixture, i: number): Uint8Array {
  const d = fx.datagrams[i];
  if (!d) throw new RangeError(`the fixture has ${fx.datagrams.length} datagrams, not ${i + 1}`);
  return fromHex(d.hex)!;
}
