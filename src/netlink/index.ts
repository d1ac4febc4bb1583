/**
 * `nlkit/netlink`: the protocol-independent layer — framing, attributes, the codec engine, the
 * client session and the Transport interface with its native and fake implementations.
 *
 * @example
 * ```ts
 * import { NetlinkClient, openNativeTransport, NETLINK } from 'nlkit/netlink';
 * import { routeProtocol } from 'nlkit/rtnetlink';
 * const client = new NetlinkClient(openNativeTransport({ protocol: NETLINK.ROUTE }), routeProtocol());
 * const links = await client.dump({ type: 'RTM_GETLINK', header: {} }).collect();
 * client.close();
 * ```
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export { errnoName, errnoNumber, errnoText } from './errno.js';
export * from './bytes.js';
export { Writer } from './writer.js';
export * from './spec.js';
export { Protocol, CompiledSet, CompiledStruct, DecodeContext, decodeAttrs, encodeAttrs, snapshot, wireOf, WIRE, type Attrs, type CustomCodec, type DecodeLimits, type WireRecord, type CompiledMessage, type AttrCodec } from './codec.js';
export { decodeDatagram, decodeOne, encodeMessage, flagBits, flagNames, typeName, typeNumber, extAckSet, type Message, type MessageInit, type ErrorHeader } from './message.js';
export { resolveOffset, resolveMissing } from './attr-path.js';
export { NetlinkClient, DumpStream, Subscription, DumpInterruptedError, type ClientOptions, type RequestOptions, type DumpOptions, type OnInterrupt, type Overrun } from './client.js';
export { errnoError, type Transport, type Datagram, type SocketOptions } from './transport.js';
export { createFakeTransport, type FakeTransport, type FakeHandler, type FakeTransportOptions } from './fake-transport.js';
export { openNativeTransport, type NativeTransport, type NativeTransportOptions } from './native-transport.js';
