/**
 * nlkit: Linux network virtualization from TypeScript — `ip netns / link / addr / route / neigh`
 * and `bridge fdb` as a typed API, nf_tables firewalling, a decoder for captured netlink traffic,
 * and (in `nlkit/testing`) tools to test network code without root.
 *
 * Importing does no work: the native binding loads on the first socket, protocol tables compile
 * on first use.
 *
 * @example
 * ```ts
 * import { Netlink, netns } from 'nlkit';
 * await netns.add('ns1');                                   // ip netns add ns1
 * const nl = await Netlink.open({ netns: 'ns1' });          // ip -n ns1 ...
 * await nl.link.set('lo', { up: true });                    // ip link set dev lo up
 * await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1' } });
 * await nl.addr.add('veth0', '10.123.1.1/24');              // ip addr add 10.123.1.1/24 dev veth0
 * nl.close();
 * ```
 * @module
 */
export { Netlink, type OpenOptions } from './api/netlink.js';
export { netns } from './api/netns.js';
export type * from './api/netns.js';
export type { NetnsRef, NetnsHandle } from './api/netns-ref.js';
export { Listing } from './api/listing.js';
export type * from './api/link-types.js';
export type * from './api/rt-types.js';
export { decodeMessages, encodeMessage, decodeCapture, type DecodeOptions, type EncodeOptions, type CaptureOptions, type DecodedCapture } from './decode/index.js';
export {
  NetlinkError,
  DecodeError,
  EncodeError,
  ArgumentError,
  isNetlinkError,
  isDecodeError,
  isEncodeError,
  isArgumentError,
  type ExtAck,
  type DecodeErrorCode,
  type EncodeErrorCode,
} from './netlink/errors.js';
export { NetlinkClient, DumpStream, Subscription, DumpInterruptedError, type Overrun } from './netlink/client.js';
export type { Message, MessageInit } from './netlink/message.js';
export type { Transport } from './netlink/transport.js';
export { Nftables, openNftables } from './nftables/index.js';
