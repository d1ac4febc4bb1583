/**
 * Classic pcap files with LINKTYPE_NETLINK (253), as written by `tcpdump -i nlmon0 -w` or
 * Wireshark: a 24-byte file header, then per packet a 16-byte record header and the packet.
 * Each packet starts with the 16-byte Linux "cooked" header of nlmon:
 *
 * | offset | size | field | |
 * | --- | --- | --- | --- |
 * | 0 | 2 | packet type, big-endian | 6 PACKET_USER (to a user socket), 7 PACKET_KERNEL (to the kernel) |
 * | 2 | 2 | ARPHRD type, big-endian | 824 ARPHRD_NETLINK |
 * | 4 | 2 | address length | 0 |
 * | 6 | 8 | address | zero |
 * | 14 | 2 | protocol, big-endian | the netlink family: 0 route, 12 netfilter, 16 generic |
 *
 * followed by the netlink messages exactly as sent (host byte order).
 *
 * @module
 */
import type { CapturedDatagram } from './datagram.js';
import { ByteQueue, type CaptureReader, MAX_DATAGRAM, type ReaderOutput, none } from './reader.js';

/** LINKTYPE_NETLINK. */
export const LINKTYPE_NETLINK = 253;
/** ARPHRD_NETLINK, the hardware type in the cooked header. */
export const ARPHRD_NETLINK = 824;
/** Cooked header packet types of nlmon. */
export const PACKET_USER = 6;
export const PACKET_KERNEL = 7;
const PACKET_OUTGOING = 4;
/** Size of the cooked header before the netlink bytes. */
export const COOKED_HEADER = 16;

const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;

/** Whether bytes start like a pcap file (either byte order, µs or ns timestamps). */
export function isPcap(b: Uint8Array): boolean {
  if (b.length < 4) return false;
  const le = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  const be = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  return le === MAGIC_US || le === MAGIC_NS || be === MAGIC_US || be === MAGIC_NS;
}

/** Parses the cooked header of one netlink packet into datagram fields. */
export function parseCooked(pkt: Uint8Array): { protocol: number; direction?: 'in' | 'out'; bytes: Uint8Array } | { error: string } {
  if (pkt.length < COOKED_HEADER) return { error: `packet of ${pkt.length} bytes is shorter than the ${COOKED_HEADER}-byte cooked header` };
  const v = new DataView(pkt.buffer, pkt.byteOffset, pkt.byteLength);
  const type = v.getUint16(0, false);
  const protocol = v.getUint16(14, false);
  const out: { protocol: number; direction?: 'in' | 'out'; bytes: Uint8Array } = { protocol, bytes: pkt.slice(COOKED_HEADER) };
  if (type === PACKET_KERNEL || type === PACKET_OUTGOING) out.direction = 'out';
  else if (type === PACKET_USER || type === 0) out.direction = 'in';
  return out;
}

/** A reader of pcap files. */
export function pcapReader(): CaptureReader {
  const q = new ByteQueue();
  let header: { le: boolean; ns: boolean } | undefined;
  let index = 0;
  let records = 0;
  let failed = false;
  const fail = (out: ReaderOutput, reason: string, offset: number): ReaderOutput => {
    out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason, offset });
    failed = true;
    return out;
  };
  const step = (): ReaderOutput => {
    const out = none();
    while (!failed) {
      const b = q.peek();
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (!header) {
        if (b.length < 24) break;
        const magicLe = v.getUint32(0, true);
        const magicBe = v.getUint32(0, false);
        const le = magicLe === MAGIC_US || magicLe === MAGIC_NS;
        if (!le && magicBe !== MAGIC_US && magicBe !== MAGIC_NS) return fail(out, `not a pcap file (magic 0x${magicBe.toString(16).padStart(8, '0')})`, 0);
        const linktype = v.getUint32(20, le) & 0x0fffffff;
        if (linktype !== LINKTYPE_NETLINK) return fail(out, `pcap link type ${linktype} is not LINKTYPE_NETLINK (${LINKTYPE_NETLINK})`, 20);
        header = { le, ns: (le ? magicLe : magicBe) === MAGIC_NS };
        q.skip(24);
        continue;
      }
      if (b.length < 16) break;
      const at = q.consumed;
      const incl = v.getUint32(8, header.le);
      const orig = v.getUint32(12, header.le);
      records++;
      if (incl > MAX_DATAGRAM + COOKED_HEADER) return fail(out, `record ${records}: captured length ${incl} exceeds the ${MAX_DATAGRAM + COOKED_HEADER}-byte limit`, at + 8);
      if (b.length < 16 + incl) {
        records--;
        break;
      }
      const sec = v.getUint32(0, header.le);
      const frac = v.getUint32(4, header.le);
      q.skip(16);
      const pkt = q.take(incl);
      const c = parseCooked(pkt);
      if ('error' in c) {
        out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `record ${records}: ${c.error}`, offset: at });
        continue;
      }
      const d: CapturedDatagram = { index: ++index, protocol: c.protocol, time: sec + frac / (header.ns ? 1e9 : 1e6), where: { offset: at + 16 + COOKED_HEADER }, bytes: c.bytes };
      if (c.direction) d.direction = c.direction;
      out.datagrams.push(d);
      if (orig > incl) out.problems.push({ code: 'NLKIT_ERR_TRUNCATED', reason: `packet was captured truncated (${incl} of ${orig} bytes; raise the snap length)`, datagram: index, offset: incl - COOKED_HEADER });
    }
    return out;
  };
  return {
    format: 'pcap',
    push(chunk) {
      if (failed) return none();
      q.push(chunk);
      return step();
    },
    end() {
      const out = failed ? none() : step();
      if (!failed && q.length > 0) {
        if (!header) fail(out, `file of ${q.length} bytes is shorter than the 24-byte pcap header`, 0);
        else fail(out, `record ${records + 1} is truncated: ${q.length} bytes left at the end of the file`, q.consumed);
      }
      return out;
    },
  };
}

/** A packet to write: the netlink bytes, their family and direction. */
export interface CapturePacket {
  bytes: Uint8Array;
  /** Netlink protocol number. Default: 0 (route). */
  protocol?: number | undefined;
  /** 'out' = to the kernel (PACKET_KERNEL), 'in' = to user space (PACKET_USER). Default: 'in'. */
  direction?: 'in' | 'out' | undefined;
  /** Seconds since the epoch. Default: 0. */
  time?: number | undefined;
}

/** The 16-byte cooked header + bytes of one packet. */
export function cookedPacket(p: CapturePacket): Uint8Array {
  const out = new Uint8Array(COOKED_HEADER + p.bytes.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, p.direction === 'out' ? PACKET_KERNEL : PACKET_USER, false);
  v.setUint16(2, ARPHRD_NETLINK, false);
  v.setUint16(4, 0, false);
  v.setUint16(14, p.protocol ?? 0, false);
  out.set(p.bytes, COOKED_HEADER);
  return out;
}

/** A pcap file (little-endian, µs timestamps, LINKTYPE_NETLINK) of these packets. */
export function writePcap(packets: readonly CapturePacket[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const gh = new Uint8Array(24);
  const g = new DataView(gh.buffer);
  g.setUint32(0, MAGIC_US, true);
  g.setUint16(4, 2, true);
  g.setUint16(6, 4, true);
  g.setUint32(16, 262144, true);
  g.setUint32(20, LINKTYPE_NETLINK, true);
  parts.push(gh);
  for (const p of packets) {
    const pkt = cookedPacket(p);
    const rh = new Uint8Array(16);
    const r = new DataView(rh.buffer);
    const t = p.time ?? 0;
    const sec = Math.floor(t);
    r.setUint32(0, sec, true);
    r.setUint32(4, Math.round((t - sec) * 1e6), true);
    r.setUint32(8, pkt.length, true);
    r.setUint32(12, pkt.length, true);
    parts.push(rh, pkt);
  }
  let len = 0;
  for (const x of parts) len += x.length;
  const out = new Uint8Array(len);
  let at = 0;
  for (const x of parts) {
    out.set(x, at);
    at += x.length;
  }
  return out;
}
