/**
 * A minimal reader and writer of LINKTYPE_NETLINK (253) pcap files, the format an `nlmon` device
 * captures and Wireshark/tshark dissect as netlink (and rtnetlink, netfilter, generic netlink).
 *
 * Each record is a 16-byte cooked header followed by one netlink datagram. The cooked header is
 * the Linux SLL layout in network byte order: packet type (u16), ARPHRD_NETLINK = 824 (u16),
 * link-layer address length 0 (u16), 8 address bytes, then the netlink family (u16). Packet
 * types follow what `nlmon` writes: {@link PACKET_KERNEL} (7) for a datagram sent to the kernel
 * and {@link PACKET_USER} (6) for one delivered to user space; PACKET_OUTGOING (4) and
 * PACKET_HOST (0) are read as "sent" and "received" too.
 *
 * @example
 * ```ts
 * const w = new PcapWriter();
 * w.add({ dir: 'send', bytes: request, family: 0, time: Date.now() });
 * writeFileSync('trace.pcap', w.finish());
 * for (const r of readPcap(readFileSync('trace.pcap'), 'trace.pcap')) console.log(r.dir, r.bytes.length);
 * ```
 * @module
 */
import { FixtureError } from './fixture-error.js';
import { ARPHRD_NETLINK, LINKTYPE_NETLINK, PACKET_KERNEL, PACKET_USER } from '../decode/pcap.js';

// The numbers of the format are those of nlkit's capture decoder (`nlkit decode`), which reads
// these files too; this module adds what recording and replay need: appending records one by
// one, and reading with errors that name the record.
export { ARPHRD_NETLINK, LINKTYPE_NETLINK, PACKET_KERNEL, PACKET_USER };

const PACKET_HOST = 0;
const PACKET_OUTGOING = 4;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const COOKED_HEADER = 16;
const SNAPLEN = 262144;
/** Largest record accepted when reading (a netlink datagram is far smaller). */
const MAX_RECORD = 16 * 1024 * 1024;

/**
 * One datagram of a capture.
 *
 * @example
 * ```ts
 * const r: PcapRecord = { dir: 'recv', family: 0, time: Date.now(), bytes };
 * ```
 */
export interface PcapRecord {
  /** 'send': from user space to the kernel; 'recv': from the kernel. */
  dir: 'send' | 'recv';
  /** The netlink family (protocol) from the cooked header. */
  family: number;
  /** Milliseconds since the epoch. */
  time: number;
  /** The netlink datagram. */
  bytes: Uint8Array;
}

/**
 * Builds a pcap file in memory, record by record.
 *
 * @example
 * ```ts
 * const w = new PcapWriter();
 * w.add({ dir: 'recv', family: 0, time: 0, bytes });
 * const file = w.finish();
 * ```
 */
export class PcapWriter {
  private readonly chunks: Uint8Array[] = [pcapHeader()];

  /** Appends one record. */
  add(r: PcapRecord): void {
    this.chunks.push(pcapRecord(r));
  }

  /** The file so far. */
  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

/**
 * The 24-byte global header (little-endian, microsecond timestamps, LINKTYPE_NETLINK).
 *
 * @example
 * ```ts
 * writeFileSync('trace.pcap', pcapHeader());
 * ```
 */
export function pcapHeader(): Uint8Array {
  const b = new Uint8Array(GLOBAL_HEADER);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, LINKTYPE_NETLINK, true);
  return b;
}

/**
 * One record: record header, cooked header, datagram.
 *
 * @example
 * ```ts
 * appendFileSync('trace.pcap', pcapRecord({ dir: 'send', family: 0, time: Date.now(), bytes }));
 * ```
 */
export function pcapRecord(r: PcapRecord): Uint8Array {
  const len = COOKED_HEADER + r.bytes.length;
  const b = new Uint8Array(RECORD_HEADER + len);
  const v = new DataView(b.buffer);
  const ms = Math.max(0, r.time);
  v.setUint32(0, Math.floor(ms / 1000), true);
  v.setUint32(4, Math.floor((ms % 1000) * 1000), true);
  v.setUint32(8, len, true);
  v.setUint32(12, len, true);
  v.setUint16(16, r.dir === 'send' ? PACKET_KERNEL : PACKET_USER, false);
  v.setUint16(18, ARPHRD_NETLINK, false);
  v.setUint16(20, 0, false);
  v.setUint16(30, r.family, false);
  b.set(r.bytes, RECORD_HEADER + COOKED_HEADER);
  return b;
}

/**
 * Reads every record of a LINKTYPE_NETLINK capture. Throws a {@link FixtureError} naming `file`,
 * the record index and the byte offset when the file is not such a capture or is truncated.
 *
 * @example
 * ```ts
 * const records = readPcap(readFileSync('trace.pcap'), 'trace.pcap');
 * ```
 */
export function readPcap(data: Uint8Array, file = '<pcap>'): PcapRecord[] {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (data.length < GLOBAL_HEADER) throw new FixtureError(file, undefined, 0, `a pcap file starts with a ${GLOBAL_HEADER}-byte header; the file has ${data.length} bytes`);
  const magicLE = v.getUint32(0, true);
  let le: boolean;
  let nanos: boolean;
  if (magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d) (le = true), (nanos = magicLE === 0xa1b23c4d);
  else if (v.getUint32(0, false) === 0xa1b2c3d4 || v.getUint32(0, false) === 0xa1b23c4d) (le = false), (nanos = v.getUint32(0, false) === 0xa1b23c4d);
  else throw new FixtureError(file, undefined, 0, `not a pcap file (magic 0x${magicLE.toString(16).padStart(8, '0')}; pcapng is not supported)`);
  const linktype = v.getUint32(20, le) & 0x0fffffff;
  if (linktype !== LINKTYPE_NETLINK) throw new FixtureError(file, undefined, 20, `link type ${linktype} is not LINKTYPE_NETLINK (${LINKTYPE_NETLINK})`);
  const out: PcapRecord[] = [];
  let off = GLOBAL_HEADER;
  for (let i = 0; off < data.length; i++) {
    if (data.length - off < RECORD_HEADER) throw new FixtureError(file, i, off, `record header truncated (${data.length - off} of ${RECORD_HEADER} bytes)`);
    const sec = v.getUint32(off, le);
    const frac = v.getUint32(off + 4, le);
    const incl = v.getUint32(off + 8, le);
    if (incl > MAX_RECORD) throw new FixtureError(file, i, off + 8, `captured length ${incl} is larger than ${MAX_RECORD}`);
    const body = off + RECORD_HEADER;
    if (body + incl > data.length) throw new FixtureError(file, i, off + 8, `captured length ${incl} overruns the file (${data.length - body} bytes left)`);
    if (incl < COOKED_HEADER) throw new FixtureError(file, i, body, `record of ${incl} bytes is shorter than the ${COOKED_HEADER}-byte cooked header`);
    const hatype = v.getUint16(body + 2, false);
    if (hatype !== ARPHRD_NETLINK) throw new FixtureError(file, i, body + 2, `cooked header hardware type ${hatype} is not ARPHRD_NETLINK (${ARPHRD_NETLINK})`);
    const pkttype = v.getUint16(body, false);
    const dir = pkttype === PACKET_KERNEL || pkttype === PACKET_OUTGOING ? 'send' : pkttype === PACKET_USER || pkttype === PACKET_HOST ? 'recv' : undefined;
    if (dir === undefined) throw new FixtureError(file, i, body, `cooked header packet type ${pkttype} is neither to-kernel (${PACKET_KERNEL}) nor to-user (${PACKET_USER})`);
    out.push({
      dir,
      family: v.getUint16(body + 14, false),
      time: sec * 1000 + (nanos ? frac / 1e6 : frac / 1e3),
      bytes: data.slice(body + COOKED_HEADER, body + incl),
    });
    off = body + incl;
  }
  return out;
}
