/**
 * Datagrams read from a capture, problems found in them, and decoding a datagram into messages
 * so that one bad message does not hide the others: a message whose body cannot be decoded is
 * reported (with the datagram number, message number and byte offset) and skipped, and decoding
 * goes on with the next message as long as the nlmsghdr lengths still frame the datagram.
 *
 * @module
 */
import { align4, NLMSG_HDRLEN } from '../netlink/constants.js';
import { DecodeContext, type DecodeLimits, type Protocol } from '../netlink/codec.js';
import { isDecodeError } from '../netlink/errors.js';
import { decodeOne, type Message } from '../netlink/message.js';

/** One datagram of a capture. */
export interface CapturedDatagram {
  /** Position among the input's datagrams, from 1. */
  index: number;
  /** Netlink protocol number (0 route, 12 netfilter, 16 generic); undefined when the input does not say. */
  protocol?: number;
  /** 'out': sent to the kernel; 'in': received from it; undefined when the input does not say. */
  direction?: 'in' | 'out';
  /** Capture time in seconds since the epoch (pcap/pcapng). */
  time?: number;
  /** Where it starts in the input: a byte offset (binary formats) or a line number (text formats, from 1). */
  where: { offset?: number; line?: number };
  /** The datagram's bytes (the netlink messages). */
  bytes: Uint8Array;
}

/** Something wrong in the input. */
export interface DecodeProblem {
  /** Stable code ('NLKIT_ERR_TRUNCATED', 'NLKIT_ERR_BAD_LENGTH', 'NLKIT_ERR_BAD_FORMAT', ...). */
  code: string;
  /** What is wrong. */
  reason: string;
  /** The datagram (from 1), when the problem is inside one. */
  datagram?: number;
  /** The message within the datagram (from 1). */
  message?: number;
  /** Byte offset: within the datagram when `datagram` is set, else within the input. */
  offset?: number;
  /** Line of the input (text formats, from 1). */
  line?: number;
  /** Attribute path, e.g. 'RTM_NEWLINK.IFLA_LINKINFO.IFLA_INFO_KIND'. */
  path?: string;
}

/** A decoded datagram. */
export interface DecodedDatagram extends CapturedDatagram {
  /** The family used to decode it ('route', 'netfilter', 'generic', 'netlink-N'). */
  family: string;
  messages: Message[];
  problems: DecodeProblem[];
}

/** "datagram 3 (line 7), message 2, byte 56: attribute ... in RTM_NEWLINK.IFLA_IFNAME" */
export function formatProblem(p: DecodeProblem): string {
  const where: string[] = [];
  if (p.datagram !== undefined) where.push(`datagram ${p.datagram}${p.line !== undefined ? ` (line ${p.line})` : ''}`);
  else if (p.line !== undefined) where.push(`line ${p.line}`);
  if (p.message !== undefined) where.push(`message ${p.message}`);
  if (p.offset !== undefined) where.push(`byte ${p.offset}`);
  return `${where.length ? `${where.join(', ')}: ` : ''}${p.reason}${p.path ? ` (in ${p.path})` : ''}`;
}

/**
 * Decodes every message of a datagram that can be decoded. Problems carry message numbers and
 * offsets within the datagram; `datagram` is left to the caller.
 */
export function decodeDatagramTolerant(p: Protocol, bytes: Uint8Array, limits?: DecodeLimits): { messages: Message[]; problems: DecodeProblem[] } {
  const ctx = new DecodeContext(bytes, limits);
  const view = ctx.view;
  const end = bytes.length;
  const messages: Message[] = [];
  const problems: DecodeProblem[] = [];
  let off = 0;
  let n = 0;
  while (off < end) {
    n++;
    const left = end - off;
    if (left < NLMSG_HDRLEN || view.getUint32(off, true) === 0) {
      let zero = true;
      for (let i = off; i < end; i++) if (bytes[i] !== 0) zero = false;
      if (zero) break;
      if (left < NLMSG_HDRLEN) {
        problems.push({ code: 'NLKIT_ERR_TRUNCATED', reason: `${left} bytes left, too few for a message header (16)`, message: n, offset: off });
        break;
      }
    }
    const len = view.getUint32(off, true);
    if (len < NLMSG_HDRLEN) {
      problems.push({ code: 'NLKIT_ERR_BAD_LENGTH', reason: `nlmsg_len ${len} is less than ${NLMSG_HDRLEN}; the rest of the datagram (${left} bytes) cannot be framed`, message: n, offset: off });
      break;
    }
    if (len > left) {
      problems.push({ code: 'NLKIT_ERR_TRUNCATED', reason: `nlmsg_len ${len} overruns the datagram (${left} bytes left)`, message: n, offset: off });
      break;
    }
    try {
      messages.push(decodeOne(p, ctx, off, len));
    } catch (e) {
      if (!isDecodeError(e)) throw e;
      const prob: DecodeProblem = { code: e.code, reason: e.reason, message: n, offset: e.offset };
      if (e.path) prob.path = e.path;
      problems.push(prob);
      ctx.depth = 0;
    }
    off += align4(len);
  }
  return { messages, problems };
}
