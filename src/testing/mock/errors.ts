/**
 * The errors the mock kernel answers with. Every extended-ACK text here was copied from what
 * a 6.18 kernel answered to the same request in the sandbox (the differential test asks it
 * again on every run); none is made up. Where the kernel gives no text, neither does the mock.
 *
 * @example
 * ```ts
 * throw new KernelError(17, { message: TEXT.ipv4AddressExists });
 * throw new KernelError(34, { message: TEXT.policy, attr: ['IFLA_IFNAME'], policy: POLICY.ifname });
 * ```
 * @module
 */

/** The extended-ACK texts, by what they are about. */
export const TEXT = {
  /** Policy check of an attribute failed (e.g. an IFLA_IFNAME longer than 15 bytes: ERANGE). */
  policy: 'Attribute failed policy validation',
  /** RTM_NEWLINK of a kind the kernel does not know (EOPNOTSUPP). */
  unknownKind: 'Unknown device type',
  /** RTM_NEWLINK of kind tun (EOPNOTSUPP): tun/tap devices are made through /dev/net/tun. */
  tunViaRtnetlink: 'tun/tap creation via rtnetlink is not supported.',
  /** IFLA_MTU below the device's min_mtu (EINVAL). */
  mtuTooSmall: 'mtu less than device minimum',
  /** IFLA_MTU above the device's max_mtu (EINVAL). */
  mtuTooBig: 'mtu greater than device maximum',
  /** A second vxlan with the same VNI and port (EEXIST). */
  vxlanVniExists: 'A VXLAN device with the specified VNI already exists',
  /** RTM_NEWADDR of an IPv4 address the link has (EEXIST). */
  ipv4AddressExists: 'ipv4: Address already assigned',
  /** RTM_NEWADDR/DELADDR on an ifindex that does not exist (ENODEV). */
  ipv4NoDevice: 'ipv4: Device not found',
  /** RTM_DELADDR of an IPv4 address the link does not have (EADDRNOTAVAIL). */
  ipv4AddressNotFound: 'ipv4: Address not found',
  /** IPv4 prefix length above 32 (EINVAL). */
  ipv4BadPrefix: 'ipv4: Invalid prefix length',
  /** IPv4 RTM_NEWADDR without IFA_LOCAL or IFA_ADDRESS (EINVAL). */
  ipv4NoLocal: 'ipv4: Local address is not supplied',
  /** RTM_NEWADDR of an IPv6 address the link has (EEXIST). */
  ipv6AddressExists: 'ipv6: address already assigned',
  /** IPv6 RTM_NEWADDR/DELADDR on an ifindex that does not exist (ENODEV). */
  ipv6NoDevice: 'ipv6: Unable to find the interface',
  /** RTM_DELADDR of an IPv6 address the link does not have (EADDRNOTAVAIL). */
  ipv6AddressNotFound: 'ipv6: address not found',
  /** IPv6 prefix length above 128 (EINVAL). */
  ipv6BadPrefix: 'ipv6: Invalid prefix length',
  /** A route through a device that is down (ENETDOWN). */
  nexthopDown: 'Device for nexthop is not up',
  /** RTA_PREFSRC that is not an address of this namespace (EINVAL). */
  badPrefsrc: 'Invalid prefsrc address',
  /** Moving a loopback or bridge device to another namespace (EINVAL). */
  netnsImmutable: 'The interface netns is immutable',
  /** Moving a device where its name is taken (EEXIST). */
  nameTakenInTarget: 'An interface with the same name exists in the target netns',
  /** A gateway without a route to it (ENETUNREACH). */
  badGateway: 'Nexthop has invalid gateway',
} as const;

/** NLMSGERR_ATTR_POLICY of the policy failures, as the kernel sends them (hex). */
export const POLICY = {
  /** IFNAME-like attributes: NL_ATTR_TYPE_NUL_STRING with max length 15. */
  ifname: '080007000f000000080001000b000000',
} as const;

/** Options of a {@link KernelError}. */
export interface KernelErrorInit {
  /** The extended-ACK message. */
  message?: string;
  /**
   * The attribute the kernel blames, as a path of C names (`['IFLA_LINKINFO', 'IFLA_INFO_DATA', 'IFLA_VXLAN_ID']`);
   * its byte offset in the request becomes NLMSGERR_ATTR_OFFS.
   */
  attr?: readonly string[];
  /** NLMSGERR_ATTR_POLICY, hex. */
  policy?: string;
}

/** A refusal of the mock kernel: becomes an NLMSG_ERROR with `-errno` and the extended ACK. */
export class KernelError extends Error {
  override readonly name = 'KernelError';
  readonly errno: number;
  readonly init: KernelErrorInit;
  constructor(errno: number, init: KernelErrorInit = {}) {
    super(init.message ?? `errno ${errno}`);
    this.errno = errno;
    this.init = init;
  }
}

/** errno numbers used by the mock kernel. */
export const E = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EBADF: 9,
  EACCES: 13,
  EBUSY: 16,
  EEXIST: 17,
  ENODEV: 19,
  EINVAL: 22,
  ERANGE: 34,
  ELOOP: 40,
  EOPNOTSUPP: 95,
  EAFNOSUPPORT: 97,
  EADDRNOTAVAIL: 99,
  ENETDOWN: 100,
  ENETUNREACH: 101,
  ENOBUFS: 105,
  ENOTCONN: 107,
  EHOSTUNREACH: 113,
} as const;

/** Shorthand: `fail(E.EEXIST, TEXT.ipv4AddressExists)`. */
export function fail(errno: number, message?: string, more: Omit<KernelErrorInit, 'message'> = {}): never {
  throw new KernelError(errno, { ...(message !== undefined && { message }), ...more });
}
