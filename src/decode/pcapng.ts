/**
 * pcapng files (Wireshark's default) whose interfaces have LINKTYPE_NETLINK: Section Header,
 * Interface Description, Enhanced Packet and Simple Packet blocks are read (either byte order,
 * several sections, per-interface timestamp resolution); other blocks are skipped. Packets carry
 * the same 16-byte cooked header as in pcap (see `pcap.ts`).
 *
 * @module
 */
import type { CapturedDatagram } from './datagram.js';
import { COOKED_HEADER, type CapturePacket, cookedPacket, LINKTYPE_NETLINK, parseCooked } from './pcap.js';
import { ByteQueue, type CaptureReader, MAX_DATAGRAM, type ReaderOutput, none } from './reader.js';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
/** Largest block accepted: a maximal datagram plus headers and options. */
const MAX_BLOCK = MAX_DATAGRAM + COOKED_HEADER + 4096;

/** Whether bytes start like a pcapng file. */
export function isPcapng(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x0a && b[1] === 0x0d && b[2] === 0x0d && b[3] === 0x0a;
}

interface Iface {
  linktype: number;
  snaplen: number;
  /** Timestamp units per second. */
  units: number;
}

/** A reader of pcapng files. */
export function pcapngReader(): CaptureReader {
  const q = new ByteQueue();
  let le = true;
  let inSection = false;
  let ifaces: Iface[] = [];
  let index = 0;
  let blocks = 0;
  let failed = false;
  const warned = new Set<number>();
  const fail = (out: ReaderOutput, reason: string, offset: number): ReaderOutput => {
    out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason, offset });
    failed = true;
    return out;
  };
  const packet = (out: ReaderOutput, at: number, ifaceId: number, data: Uint8Array, orig: number, ts: bigint | undefined): void => {
    const iface = ifaces[ifaceId];
    if (!iface) {
      out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `block ${blocks}: packet of interface ${ifaceId}, which was not described`, offset: at });
      return;
    }
    if (iface.linktype !== LINKTYPE_NETLINK) {
      if (!warned.has(ifaceId)) out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `interface ${ifaceId} has link type ${iface.linktype}, not LINKTYPE_NETLINK (${LINKTYPE_NETLINK}); its packets are skipped`, offset: at });
      warned.add(ifaceId);
      return;
    }
    const c = parseCooked(data);
    if ('error' in c) {
      out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `block ${blocks}: ${c.error}`, offset: at });
      return;
    }
    const d: CapturedDatagram = { index: ++index, protocol: c.protocol, where: { offset: at }, bytes: c.bytes };
    if (c.direction) d.direction = c.direction;
    if (ts !== undefined) d.time = Number(ts) / iface.units;
    out.datagrams.push(d);
    if (orig > data.length) out.problems.push({ code: 'NLKIT_ERR_TRUNCATED', reason: `packet was captured truncated (${data.length} of ${orig} bytes)`, datagram: index, offset: data.length - COOKED_HEADER });
  };
  const step = (): ReaderOutput => {
    const out = none();
    while (!failed) {
      const b = q.peek();
      if (b.length < 12) break;
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      const at = q.consumed;
      const type = v.getUint32(0, le);
      if (type === SHB || v.getUint32(0, true) === SHB) {
        const magic = v.getUint32(8, true);
        if (magic === BYTE_ORDER_MAGIC) le = true;
        else if (v.getUint32(8, false) === BYTE_ORDER_MAGIC) le = false;
        else return fail(out, `section header with a bad byte-order magic 0x${magic.toString(16)}`, at + 8);
      } else if (!inSection) return fail(out, 'not a pcapng file (no section header block)', at);
      const len = v.getUint32(4, le);
      if (len < 12 || len % 4 !== 0) return fail(out, `block ${blocks + 1}: total length ${len} is not a multiple of 4 of at least 12`, at + 4);
      if (len > MAX_BLOCK) return fail(out, `block ${blocks + 1}: length ${len} exceeds the ${MAX_BLOCK}-byte limit`, at + 4);
      if (b.length < len) break;
      blocks++;
      const body = b.subarray(8, len - 4);
      const bv = new DataView(body.buffer, body.byteOffset, body.byteLength);
      if (v.getUint32(len - 4, le) !== len) {
        out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `block ${blocks}: trailing length ${v.getUint32(len - 4, le)} differs from ${len}`, offset: at + len - 4 });
      }
      const t = v.getUint32(0, le);
      try {
        if (t === SHB) {
          inSection = true;
          ifaces = [];
          warned.clear();
        } else if (t === IDB) {
          if (body.length < 8) throw new Error('interface block too short');
          const iface: Iface = { linktype: bv.getUint16(0, le), snaplen: bv.getUint32(4, le), units: 1e6 };
          // Options: if_tsresol (9).
          for (let o = 8; o + 4 <= body.length; ) {
            const code = bv.getUint16(o, le);
            const olen = bv.getUint16(o + 2, le);
            if (code === 0) break;
            if (code === 9 && olen >= 1) {
              const r = body[o + 4]!;
              iface.units = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
            }
            o += 4 + ((olen + 3) & ~3);
          }
          ifaces.push(iface);
        } else if (t === EPB) {
          if (body.length < 20) throw new Error('enhanced packet block too short');
          const id = bv.getUint32(0, le);
          const ts = (BigInt(bv.getUint32(4, le)) << 32n) | BigInt(bv.getUint32(8, le));
          const cap = bv.getUint32(12, le);
          const orig = bv.getUint32(16, le);
          if (20 + cap > body.length) throw new Error(`captured length ${cap} overruns the block`);
          packet(out, at, id, body.slice(20, 20 + cap), orig, ts);
        } else if (t === OPB) {
          if (body.length < 20) throw new Error('packet block too short');
          const id = bv.getUint16(0, le);
          const ts = (BigInt(bv.getUint32(4, le)) << 32n) | BigInt(bv.getUint32(8, le));
          const cap = bv.getUint32(12, le);
          const orig = bv.getUint32(16, le);
          if (20 + cap > body.length) throw new Error(`captured length ${cap} overruns the block`);
          packet(out, at, id, body.slice(20, 20 + cap), orig, ts);
        } else if (t === SPB) {
          if (body.length < 4) throw new Error('simple packet block too short');
          const orig = bv.getUint32(0, le);
          const snap = ifaces[0]?.snaplen || Infinity;
          const cap = Math.min(orig, snap, body.length - 4);
          packet(out, at, 0, body.slice(4, 4 + cap), orig, undefined);
        }
      } catch (e) {
        out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `block ${blocks}: ${(e as Error).message}`, offset: at });
      }
      q.skip(len);
    }
    return out;
  };
  return {
    format: 'pcapng',
    push(chunk) {
      if (failed) return none();
      q.push(chunk);
      return step();
    },
    end() {
      const out = failed ? none() : step();
      if (!failed && q.length > 0) fail(out, `block ${blocks + 1} is truncated: ${q.length} bytes left at the end of the file`, q.consumed);
      return out;
    },
  };
}

/** A pcapng file (one section, one LINKTYPE_NETLINK interface, µs timestamps) of these packets. */
export function writePcapng(packets: readonly CapturePacket[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const block = (type: number, body: Uint8Array): void => {
    const len = 12 + ((body.length + 3) & ~3);
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, len, true);
    b.set(body, 8);
    v.setUint32(len - 4, len, true);
    parts.push(b);
  };
  const shb = new Uint8Array(16);
  const s = new DataView(shb.buffer);
  s.setUint32(0, BYTE_ORDER_MAGIC, true);
  s.setUint16(4, 1, true);
  s.setUint16(6, 0, true);
  s.setBigInt64(8, -1n, true);
  block(SHB, shb);
  const idb = new Uint8Array(8);
  const i = new DataView(idb.buffer);
  i.setUint16(0, LINKTYPE_NETLINK, true);
  i.setUint32(4, 262144, true);
  block(IDB, idb);
  for (const p of packets) {
    const pkt = cookedPacket(p);
    const body = new Uint8Array(20 + pkt.length);
    const v = new DataView(body.buffer);
    const ts = BigInt(Math.round((p.time ?? 0) * 1e6));
    v.setUint32(0, 0, true);
    v.setUint32(4, Number(ts >> 32n), true);
    v.setUint32(8, Number(ts & 0xffffffffn), true);
    v.setUint32(12, pkt.length, true);
    v.setUint32(16, pkt.length, true);
    body.set(pkt, 20);
    block(EPB, body);
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
