/**
 * The errors nlkit throws. Each carries a stable `code` and the context needed to act on it:
 * the kernel's own words for a rejected request, the byte offset and attribute path for bytes that
 * cannot be decoded, the argument's name for bad input.
 *
 * @example
 * ```ts
 * try { await nl.addr.add('veth0', '10.123.1.1/24'); }
 * catch (e) {
 *   if (isNetlinkError(e) && e.code === 'EEXIST') console.log(e.kernelMessage);
 * }
 * ```
 * @module
 */
import { errnoName, errnoText } from './errno.js';

/** Fields of the extended ACK (`NLMSGERR_ATTR_*`) that the kernel may attach to an error. */
export interface ExtAck {
  /** NLMSGERR_ATTR_MSG: the kernel's explanation, e.g. "ipv4: Address already assigned". */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request. */
  offset?: number;
  /** NLMSGERR_ATTR_MISS_TYPE: number of a missing required attribute. */
  missingType?: number;
  /** NLMSGERR_ATTR_MISS_NEST: offset of the nest that lacks it. */
  missingNest?: number;
  /** NLMSGERR_ATTR_COOKIE, hex. */
  cookie?: string;
  /** NLMSGERR_ATTR_POLICY: the policy of the offending attribute, raw hex. */
  policy?: string;
}

/** Options for {@link NetlinkError}. */
export interface NetlinkErrorInit extends ExtAck {
  /** Name of the request that failed, e.g. 'RTM_NEWADDR'. */
  request?: string;
  /** Attribute path of `offset` resolved against the request, e.g. 'IFLA_LINKINFO.IFLA_INFO_DATA.IFLA_VXLAN_ID'. */
  attributePath?: string;
  /** Attribute path of the attribute that was missing. */
  missingPath?: string;
}

/**
 * The kernel refused a request (NLMSG_ERROR with a negative error, or an error in NLMSG_DONE).
 *
 * @example
 * ```ts
 * const e = new NetlinkError(17, { message: 'ipv4: Address already assigned', request: 'RTM_NEWADDR' });
 * e.code;    // 'EEXIST'
 * e.message; // 'RTM_NEWADDR: File exists: ipv4: Address already assigned'
 * ```
 */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';
  /** Positive errno number. */
  readonly errno: number;
  /** errno name, e.g. 'EEXIST'. */
  readonly code: string;
  /** The C library's text for errno ('File exists'), what `ip` prints after "RTNETLINK answers: ". */
  readonly errnoText: string;
  /** The kernel's extended-ACK message, if it gave one. */
  readonly kernelMessage: string | undefined;
  /** Byte offset into the request of the attribute the kernel blamed. */
  readonly offset: number | undefined;
  /** The blamed attribute as a path of C names, when it could be resolved. */
  readonly attributePath: string | undefined;
  /** Number of a missing attribute (NLMSGERR_ATTR_MISS_TYPE). */
  readonly missingType: number | undefined;
  /** Where a missing attribute was expected, as a path of C names. */
  readonly missingPath: string | undefined;
  /** Name of the failed request. */
  readonly request: string | undefined;
  /** Raw policy bytes (hex) of the blamed attribute. */
  readonly policy: string | undefined;
  /** Extended-ACK cookie (hex). */
  readonly cookie: string | undefined;

  constructor(errno: number, init: NetlinkErrorInit = {}) {
    const text = errnoText(errno);
    let msg = init.request ? `${init.request}: ${text}` : text;
    if (init.message) msg += `: ${init.message}`;
    if (init.attributePath) msg += ` (attribute ${init.attributePath})`;
    else if (init.offset !== undefined) msg += ` (at byte ${init.offset} of the request)`;
    if (init.missingPath) msg += ` (missing ${init.missingPath})`;
    super(msg);
    this.errno = errno;
    this.code = errnoName(errno);
    this.errnoText = text;
    this.kernelMessage = init.message;
    this.offset = init.offset;
    this.attributePath = init.attributePath;
    this.missingType = init.missingType;
    this.missingPath = init.missingPath;
    this.request = init.request;
    this.policy = init.policy;
    this.cookie = init.cookie;
  }
}

/** Structural guard for {@link NetlinkError} (works across copies of the package). */
export function isNetlinkError(e: unknown): e is NetlinkError {
  return e instanceof Error && e.name === 'NetlinkError' && typeof (e as NetlinkError).errno === 'number';
}

/** Stable codes of {@link DecodeError}. */
export type DecodeErrorCode =
  | 'NLKIT_ERR_TRUNCATED' // a length points past the end of the data
  | 'NLKIT_ERR_BAD_LENGTH' // a length field is too small to be valid
  | 'NLKIT_ERR_BAD_VALUE' // a value does not fit its declared type
  | 'NLKIT_ERR_TOO_DEEP' // nesting deeper than the limit
  | 'NLKIT_ERR_BAD_FORMAT'; // a container format (pcap, hex, strace) is malformed

/**
 * Bytes could not be decoded. `offset` is the byte offset in the input where the problem is;
 * `path` names the message and attributes being decoded, e.g. 'RTM_NEWLINK.IFLA_LINKINFO.IFLA_INFO_KIND'.
 *
 * @example
 * ```ts
 * try { decodeMessages(bytes); } catch (e) { if (isDecodeError(e)) console.log(e.offset, e.path); }
 * ```
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  readonly code: DecodeErrorCode;
  /** Byte offset of the problem, relative to the start of the input given to the decoder. */
  readonly offset: number;
  /** Dotted path of C names down to the failing element ('' at the top). */
  readonly path: string;
  /** What is wrong, without the position. */
  readonly reason: string;

  constructor(code: DecodeErrorCode, reason: string, offset: number, path = '') {
    super(`${reason} at offset ${offset}${path ? ` in ${path}` : ''}`);
    this.code = code;
    this.reason = reason;
    this.offset = offset;
    this.path = path;
  }
}

/** Structural guard for {@link DecodeError}. */
export function isDecodeError(e: unknown): e is DecodeError {
  return e instanceof Error && e.name === 'DecodeError' && typeof (e as DecodeError).offset === 'number';
}

/** Stable codes of {@link EncodeError}. */
export type EncodeErrorCode =
  | 'NLKIT_ERR_UNKNOWN_ATTR' // a key that is not an attribute of the set (nor a number)
  | 'NLKIT_ERR_BAD_VALUE' // a value that does not fit the attribute's type
  | 'NLKIT_ERR_UNKNOWN_TYPE' // a message type the family does not define
  | 'NLKIT_ERR_TOO_LONG'; // a message or attribute longer than its length field allows

/**
 * A message could not be encoded. `path` names where, e.g. 'RTM_NEWLINK.IFLA_MTU'.
 *
 * @example
 * ```ts
 * encodeMessage({ type: 'RTM_NEWLINK', attrs: { mtu: 'big' } }); // throws EncodeError NLKIT_ERR_BAD_VALUE
 * ```
 */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
  readonly code: EncodeErrorCode;
  readonly path: string;

  constructor(code: EncodeErrorCode, what: string, path = '') {
    super(path ? `cannot encode ${path}: ${what}` : `cannot encode: ${what}`);
    this.code = code;
    this.path = path;
  }
}

/** Structural guard for {@link EncodeError}. */
export function isEncodeError(e: unknown): e is EncodeError {
  return e instanceof Error && e.name === 'EncodeError' && typeof (e as EncodeError).path === 'string';
}

/**
 * An argument given to the API or CLI is invalid; nothing was sent to the kernel.
 *
 * @example
 * ```ts
 * throw new ArgumentError('name', 'veth0/x', 'must not contain "/"');
 * // ArgumentError: invalid name "veth0/x": must not contain "/"
 * ```
 */
export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';
  readonly code = 'NLKIT_ERR_INVALID_ARG';
  /** Name of the argument, as the API or CLI calls it. */
  readonly argument: string;
  /** The rejected value. */
  readonly value: unknown;

  constructor(argument: string, value: unknown, why: string) {
    super(`invalid ${argument} ${JSON.stringify(typeof value === 'bigint' ? String(value) : value)}: ${why}`);
    this.argument = argument;
    this.value = value;
  }
}

/** Structural guard for {@link ArgumentError}. */
export function isArgumentError(e: unknown): e is ArgumentError {
  return e instanceof Error && e.name === 'ArgumentError' && typeof (e as ArgumentError).argument === 'string';
}
