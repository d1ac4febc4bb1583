/**
 * Numbers of the kernel ABI the mock kernel needs (uapi `if.h`, `rtnetlink.h`, `if_addr.h`,
 * `neighbour.h`). Plain `as const` objects, like the rest of nlkit.
 * @module
 */

/** net_device_flags (IFF_*) and IFA_F_* address flags: nlkit's own tables. */
export { IFF, IFA_F } from '../../rtnetlink/flags.js';

/** IF_OPER_* (RFC 2863 operational states). */
export const OPER = { UNKNOWN: 0, NOTPRESENT: 1, DOWN: 2, LOWERLAYERDOWN: 3, TESTING: 4, DORMANT: 5, UP: 6 } as const;

/** ARPHRD_* link types used here. */
export const ARPHRD = { ETHER: 1, NONE: 0xfffe, LOOPBACK: 772 } as const;

/** Address families. */
export const AF = { UNSPEC: 0, INET: 2, BRIDGE: 7, INET6: 10 } as const;


/** IFAPROT_*: who made an address. */
export const IFAPROT = { UNSPEC: 0, KERNEL_LO: 1, KERNEL_RA: 2, KERNEL_LL: 3 } as const;

/** RT_SCOPE_*. */
export const SCOPE = { UNIVERSE: 0, SITE: 200, LINK: 253, HOST: 254, NOWHERE: 255 } as const;

/** RTN_* route types. */
export const RTN = { UNSPEC: 0, UNICAST: 1, LOCAL: 2, BROADCAST: 3, ANYCAST: 4, MULTICAST: 5, BLACKHOLE: 6, UNREACHABLE: 7, PROHIBIT: 8, THROW: 9, NAT: 10 } as const;

/** RTPROT_* route origins. */
export const RTPROT = { UNSPEC: 0, REDIRECT: 1, KERNEL: 2, BOOT: 3, STATIC: 4, RA: 9 } as const;

/** RT_TABLE_*. */
export const TABLE = { UNSPEC: 0, COMPAT: 252, DEFAULT: 253, MAIN: 254, LOCAL: 255 } as const;

/** RTNH_F_* next-hop flags. */
export const RTNH_F = { DEAD: 1, PERVASIVE: 2, ONLINK: 4, OFFLOAD: 8, LINKDOWN: 16, UNRESOLVED: 32, TRAP: 64 } as const;

/** NUD_* neighbour states. */
export const NUD = { INCOMPLETE: 0x01, REACHABLE: 0x02, STALE: 0x04, DELAY: 0x08, PROBE: 0x10, FAILED: 0x20, NOARP: 0x40, PERMANENT: 0x80, NONE: 0x00 } as const;

/** RTNLGRP_* multicast groups. */
export const GROUP = { LINK: 1, NEIGH: 3, IPV4_IFADDR: 5, IPV4_ROUTE: 7, IPV6_IFADDR: 9, IPV6_ROUTE: 11, NSID: 28 } as const;

/** RTEXT_FILTER_SKIP_STATS in IFLA_EXT_MASK. */
export const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/** inet6 device flags in IFLA_INET6_FLAGS. */
export const IF6 = { RS_SENT: 0x10, READY: 0x80000000 } as const;

/** IN6_ADDR_GEN_MODE_*. */
export const ADDR_GEN = { EUI64: 0, NONE: 1, STABLE_PRIVACY: 2, RANDOM: 3 } as const;

/** IFNAMSIZ: 15 characters and the NUL. */
export const IFNAMSIZ = 16;
