/**
 * Numbers of the netlink core ABI (`include/uapi/linux/netlink.h`). Plain `as const` objects, not
 * `const enum`s, so transpile-only loaders see the same values as `tsc`.
 *
 * @example
 * ```ts
 * import { NLM_F, NLMSG } from 'nlkit/netlink';
 * const flags = NLM_F.REQUEST | NLM_F.DUMP;
 * ```
 * @module
 */

/** Netlink protocols (families) — the third argument of `socket(AF_NETLINK, SOCK_RAW, …)`. */
export const NETLINK = {
  ROUTE: 0,
  SOCK_DIAG: 4,
  NETFILTER: 12,
  GENERIC: 16,
} as const;

/** Control message types, below NLMSG_MIN_TYPE (0x10). */
export const NLMSG = {
  NOOP: 1,
  ERROR: 2,
  DONE: 3,
  OVERRUN: 4,
  MIN_TYPE: 0x10,
} as const;

/** `nlmsg_flags` bits. Bits 0x100-0x800 mean different things for GET, NEW, DELETE and ACK. */
export const NLM_F = {
  REQUEST: 0x01,
  MULTI: 0x02,
  ACK: 0x04,
  ECHO: 0x08,
  DUMP_INTR: 0x10,
  DUMP_FILTERED: 0x20,
  // GET requests
  ROOT: 0x100,
  MATCH: 0x200,
  ATOMIC: 0x400,
  DUMP: 0x300,
  // NEW requests
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
  // DELETE requests
  NONREC: 0x100,
  BULK: 0x200,
  // ACK (NLMSG_ERROR) messages
  CAPPED: 0x100,
  ACK_TLVS: 0x200,
} as const;

/** Attributes of the extended ACK that may follow an NLMSG_ERROR or NLMSG_DONE (enum nlmsgerr_attrs). */
export const NLMSGERR_ATTR = {
  MSG: 1,
  OFFS: 2,
  COOKIE: 3,
  POLICY: 4,
  MISS_TYPE: 5,
  MISS_NEST: 6,
} as const;

/** Bits in `nla_type` that are not part of the attribute number. */
export const NLA_F_NESTED = 0x8000;
export const NLA_F_NET_BYTEORDER = 0x4000;
export const NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

/** Size of `struct nlmsghdr`: len u32, type u16, flags u16, seq u32, pid u32. */
export const NLMSG_HDRLEN = 16;
/** Size of `struct nlattr`: len u16, type u16. */
export const NLA_HDRLEN = 4;

/** Rounds up to the 4-byte netlink alignment (NLMSG_ALIGN and NLA_ALIGN are the same). */
export function align4(n: number): number {
  return (n + 3) & ~3;
}
