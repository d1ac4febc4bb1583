/**
 * The flag bits of links and addresses, with the names and order iproute2 prints them in: one
 * table for the API, the views, the CLI and the mock kernel.
 *
 * @example
 * ```ts
 * import { IFF, IFA_F } from './flags.js';
 * const up = (ifi_flags & IFF.UP) !== 0;
 * const permanent = (ifa_flags & IFA_F.PERMANENT) !== 0;
 * ```
 * @module
 */

/** IFF_* bits of `ifi_flags` (include/uapi/linux/if.h). */
export const IFF = {
  UP: 0x1,
  BROADCAST: 0x2,
  DEBUG: 0x4,
  LOOPBACK: 0x8,
  POINTOPOINT: 0x10,
  NOTRAILERS: 0x20,
  RUNNING: 0x40,
  NOARP: 0x80,
  PROMISC: 0x100,
  ALLMULTI: 0x200,
  MASTER: 0x400,
  SLAVE: 0x800,
  MULTICAST: 0x1000,
  PORTSEL: 0x2000,
  AUTOMEDIA: 0x4000,
  DYNAMIC: 0x8000,
  LOWER_UP: 0x10000,
  DORMANT: 0x20000,
  ECHO: 0x40000,
} as const;

/** The order in which iproute2 prints link flags (ip/ipaddress.c print_link_flags). */
export const IFF_PRINT_ORDER: ReadonlyArray<keyof typeof IFF> = [
  'LOOPBACK', 'BROADCAST', 'POINTOPOINT', 'MULTICAST', 'NOARP', 'ALLMULTI', 'PROMISC', 'MASTER', 'SLAVE',
  'DEBUG', 'DYNAMIC', 'AUTOMEDIA', 'PORTSEL', 'NOTRAILERS', 'UP', 'LOWER_UP', 'DORMANT', 'ECHO',
];

/** IFA_F_* address flags (include/uapi/linux/if_addr.h). */
export const IFA_F = {
  SECONDARY: 0x01,
  NODAD: 0x02,
  OPTIMISTIC: 0x04,
  DADFAILED: 0x08,
  HOMEADDRESS: 0x10,
  DEPRECATED: 0x20,
  TENTATIVE: 0x40,
  PERMANENT: 0x80,
  MANAGETEMPADDR: 0x100,
  NOPREFIXROUTE: 0x200,
  MCAUTOJOIN: 0x400,
  STABLE_PRIVACY: 0x800,
} as const;

/**
 * ip's names of the address flags, in its print order (ip/ipaddress.c ifa_flag_data; `temporary`
 * is the IPv6 name of SECONDARY's bit).
 */
export const IFA_FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ['secondary', IFA_F.SECONDARY],
  ['temporary', IFA_F.SECONDARY],
  ['nodad', IFA_F.NODAD],
  ['optimistic', IFA_F.OPTIMISTIC],
  ['dadfailed', IFA_F.DADFAILED],
  ['home', IFA_F.HOMEADDRESS],
  ['deprecated', IFA_F.DEPRECATED],
  ['tentative', IFA_F.TENTATIVE],
  ['permanent', IFA_F.PERMANENT],
  ['mngtmpaddr', IFA_F.MANAGETEMPADDR],
  ['noprefixroute', IFA_F.NOPREFIXROUTE],
  ['autojoin', IFA_F.MCAUTOJOIN],
  ['stable-privacy', IFA_F.STABLE_PRIVACY],
];
