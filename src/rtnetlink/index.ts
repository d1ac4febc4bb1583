/**
 * rtnetlink (NETLINK_ROUTE): the generated message/attribute tables of `protocol/route/`, the
 * hand-written codecs for its irregular parts, and the compiled {@link Protocol}.
 *
 * @example
 * ```ts
 * import { routeProtocol } from 'nlkit/rtnetlink';
 * import { decodeDatagram } from 'nlkit/netlink';
 * const [msg] = decodeDatagram(routeProtocol(), bytes);
 * ```
 * @module
 */
import { Protocol } from '../netlink/codec.js';
import { routeProtocolDef } from './gen/index.js';
import { routeCustomCodecs } from './custom.js';

export { routeProtocolDef } from './gen/index.js';
export type * from './gen/types.js';
export type { RtNexthop, RtVia } from './custom.js';
export { routeCustomCodecs } from './custom.js';

let protocol: Protocol | undefined;

/**
 * The route family, compiled on first use (attribute sets compile lazily as they are met).
 *
 * @example
 * ```ts
 * routeProtocol().message(16)?.name; // 'RTM_NEWLINK'
 * ```
 */
export function routeProtocol(): Protocol {
  return (protocol ??= new Protocol(routeProtocolDef, routeCustomCodecs));
}

/** rtnetlink multicast groups (RTNLGRP_*), by name. */
export function routeGroups(): Readonly<Record<string, number>> {
  return routeProtocolDef.groups;
}
