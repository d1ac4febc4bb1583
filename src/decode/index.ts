/**
 * Decoding netlink traffic that was captured rather than received: bytes of messages, hex dumps,
 * pcap/pcapng files of an nlmon device, strace output. The decoded messages are the objects of
 * the DESIGN.md contract (`{type, flags, seq, pid, header, attrs}`), the same ones
 * `nlkit decode --view messages -j` prints one per line.
 *
 * @example
 * ```ts
 * import { decodeMessages, encodeMessage, decodeCapture } from 'nlkit';
 * const [m] = decodeMessages(bytes);             // { type: 'RTM_NEWLINK', flags: [...], ... }
 * encodeMessage(m);                              // the same bytes again
 * const { datagrams, problems } = decodeCapture(pcapBytes, { format: 'auto' });
 * ```
 * @module
 */
import type { DecodeLimits } from '../netlink/codec.js';
import { DecodeError } from '../netlink/errors.js';
import { encodeMessage as encodeWith, type Message, type MessageInit } from '../netlink/message.js';
import { readCapture } from './capture.js';
import { type DecodedDatagram, type DecodeProblem, decodeDatagramTolerant } from './datagram.js';
import { type Family, familyName, familyNumber, protocolOf } from './families.js';
import type { CaptureFormat } from './reader.js';

export { registerFamily, familyNumber, familyName, familyKnown, protocolOf, FAMILY_NUMBERS, type Family } from './families.js';
export { captureReader, readCapture, detectFormat, rawReader, autoReader } from './capture.js';
export { hexReader, parseHexLine, writeHex } from './hex.js';
export { pcapReader, writePcap, LINKTYPE_NETLINK, type CapturePacket } from './pcap.js';
export { pcapngReader, writePcapng } from './pcapng.js';
export { straceReader, unescapeC } from './strace.js';
export { messageText, datagramText, enumText } from './text.js';
export { formatProblem, decodeDatagramTolerant, type CapturedDatagram, type DecodedDatagram, type DecodeProblem } from './datagram.js';
export { MAX_DATAGRAM, type CaptureFormat, type CaptureReader, type ReaderOutput } from './reader.js';

/** Options of {@link decodeMessages}. */
export interface DecodeOptions {
  /** The netlink family: 'route' (default), 'netfilter', 'generic' or a protocol number. */
  family?: Family;
  /** Limits for hostile input. Default: see {@link DecodeLimits}. */
  limits?: DecodeLimits;
}

/**
 * Decodes netlink messages: the bytes of one datagram, or messages one after the other.
 * Throws a {@link DecodeError} (with the byte offset and attribute path) at the first problem;
 * use {@link decodeCapture} to decode around problems instead.
 *
 * @example
 * ```ts
 * decodeMessages(bytes)[0].attrs.ifname; // 'lo'
 * decodeMessages(bytes, { family: 'netfilter' });
 * ```
 */
export function decodeMessages(bytes: Uint8Array, options: DecodeOptions = {}): Message[] {
  const { messages, problems } = decodeDatagramTolerant(protocolOf(options.family ?? 'route'), bytes, options.limits);
  const first = problems[0];
  if (first) {
    const code = first.code as ConstructorParameters<typeof DecodeError>[0];
    throw new DecodeError(code, first.message !== undefined ? `message ${first.message}: ${first.reason}` : first.reason, first.offset ?? 0, first.path ?? '');
  }
  return messages;
}

/** Options of {@link encodeMessage}. */
export interface EncodeOptions {
  /** The netlink family: 'route' (default), 'netfilter', 'generic' or a protocol number. */
  family?: Family;
}

/**
 * Encodes one message (a decoded message, or one written by hand with names or numbers);
 * the inverse of {@link decodeMessages}: decoding and encoding again gives the same bytes.
 *
 * @example
 * ```ts
 * encodeMessage({ type: 'RTM_GETLINK', flags: ['NLM_F_REQUEST', 'NLM_F_DUMP'], seq: 1, header: {} });
 * ```
 */
export function encodeMessage(message: MessageInit, options: EncodeOptions = {}): Uint8Array {
  return encodeWith(protocolOf(options.family ?? 'route'), message);
}

/** Options of {@link decodeCapture}. */
export interface CaptureOptions {
  /** Input format. Default: 'auto'. */
  format?: CaptureFormat | 'auto';
  /** Family of datagrams whose input does not say (all but pcap/pcapng, and strace without socket() lines). Default: 'route'. */
  family?: Family;
  /** Decoding limits. */
  limits?: DecodeLimits;
}

/** A decoded capture: its datagrams (each with its messages and problems) and the problems of the container. */
export interface DecodedCapture {
  /** The format read ('auto' only when the input was empty). */
  format: CaptureFormat | 'auto';
  datagrams: DecodedDatagram[];
  /** Problems of the container (bad lines, broken records); datagram problems are in each datagram. */
  problems: DecodeProblem[];
}

/**
 * Reads and decodes a whole capture, reporting problems instead of throwing: a malformed
 * message is reported with its datagram, message number and byte offset, and the rest is still
 * decoded.
 */
export function decodeCapture(input: Uint8Array | string, options: CaptureOptions = {}): DecodedCapture {
  const read = readCapture(input, options.format ?? 'auto');
  const defaultFamily = familyNumber(options.family ?? 'route');
  const datagrams = read.datagrams.map((d) => {
    const proto = d.protocol ?? defaultFamily;
    const { messages, problems } = decodeDatagramTolerant(protocolOf(proto), d.bytes, options.limits);
    for (const p of problems) {
      p.datagram = d.index;
      if (d.where.line !== undefined) p.line = d.where.line;
    }
    return { ...d, family: familyName(proto), messages, problems };
  });
  return { format: read.format, datagrams, problems: read.problems };
}
