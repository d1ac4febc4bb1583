/**
 * Netlink families known to the decoder: their protocol numbers (the third argument of
 * `socket(AF_NETLINK, ...)`, and the protocol field of a LINKTYPE_NETLINK capture) and the
 * compiled {@link Protocol} that names their messages.
 *
 * `route`, `netfilter` (nf_tables) and `generic` (its controller nlctrl, GENL_ID_CTRL; other
 * generic families have dynamic ids and keep their bodies as hex unless registered, see
 * src/genetlink) are built in. Other families can be registered ({@link registerFamily}); a family
 * without a registered protocol still decodes: framing, the control messages (NLMSG_ERROR,
 * NLMSG_DONE with extended ACKs) and every other message's body kept as hex.
 *
 * @example
 * ```ts
 * registerFamily('netfilter', netfilterProtocol);
 * protocolOf('netfilter').message(0x0a00)?.name; // 'NFT_MSG_NEWTABLE'
 * ```
 * @module
 */
import { Protocol } from '../netlink/codec.js';
import { routeProtocol } from '../rtnetlink/index.js';
import { netfilterProtocol } from '../nftables/protocol.js';
import { genericProtocol } from '../genetlink/protocol.js';

/** A family by name ('route', 'netfilter', 'generic') or by protocol number. */
export type Family = 'route' | 'netfilter' | 'generic' | (string & {}) | number;

/** Protocol numbers of the named families (NETLINK_ROUTE, NETLINK_NETFILTER, NETLINK_GENERIC). */
export const FAMILY_NUMBERS: Readonly<Record<string, number>> = { route: 0, sock_diag: 4, netfilter: 12, generic: 16 };

const registered = new Map<number, Protocol>();
const empty = new Map<number, Protocol>();

/** Makes `protocol` the decoder of a family (replacing any earlier one). */
export function registerFamily(family: Family, protocol: Protocol): void {
  registered.set(familyNumber(family), protocol);
}

/** The protocol number of a family name or number; throws on an unknown name. */
export function familyNumber(family: Family): number {
  if (typeof family === 'number') return family;
  const n = FAMILY_NUMBERS[family] ?? (/^(?:netlink-)?\d+$/.test(family) ? Number(family.replace('netlink-', '')) : undefined);
  if (n === undefined) throw new TypeError(`unknown netlink family ${JSON.stringify(family)} (route, netfilter, generic or a number)`);
  return n;
}

/** The name of a protocol number ('route', 'netfilter', 'generic', else 'netlink-N'). */
export function familyName(n: number): string {
  for (const [k, v] of Object.entries(FAMILY_NUMBERS)) if (v === n) return k;
  return `netlink-${n}`;
}

/** The decoder of a family: the registered one, a built-in one, or one that knows only control messages. */
export function protocolOf(family: Family): Protocol {
  const n = familyNumber(family);
  const p = registered.get(n);
  if (p) return p;
  if (n === 0) return routeProtocol();
  if (n === 12) return netfilterProtocol;
  if (n === 16) return genericProtocol;
  let e = empty.get(n);
  if (!e) {
    e = new Protocol({ family: familyName(n), structs: {}, sets: {}, subMessages: {}, messages: [], enums: {}, groups: {} });
    empty.set(n, e);
  }
  return e;
}

/** Whether a family has a real protocol (not just control messages). */
export function familyKnown(family: Family): boolean {
  const n = familyNumber(family);
  return n === 0 || n === 12 || n === 16 || registered.has(n);
}
