/**
 * Generic netlink (NETLINK_GENERIC) through its controller, nlctrl: what families the kernel
 * has, and the dynamic id, version, commands and multicast groups of each — what `genl ctrl
 * list` / `genl ctrl get name NAME` show.
 *
 * Only nlctrl (GENL_ID_CTRL = 0x10) has a built-in protocol. Messages of other generic families
 * (ids the kernel assigns at run time) decode as framing only: `type` is the number, the body
 * stays hex in `payload`, unless a caller registers a protocol for them
 * ({@link genericProtocolWith}). Families that are not `netnsok` exist only in the initial
 * network namespace: a socket of another namespace neither lists nor resolves them (ENOENT).
 *
 * @example
 * ```ts
 * import { openGenericClient, resolveFamily, listFamilies } from 'nlkit/genetlink';
 * const client = openGenericClient();
 * const ctrl = await resolveFamily(client, 'nlctrl'); // { name: 'nlctrl', id: 16, version: 2, ... }
 * const names = (await listFamilies(client)).map((f) => f.name);
 * client.close();
 * ```
 * @module
 */
import { NetlinkClient, type ClientOptions } from '../netlink/client.js';
import { NETLINK } from '../netlink/constants.js';
import type { Message } from '../netlink/message.js';
import { openNativeTransport, type NativeTransportOptions } from '../netlink/native-transport.js';
import { CTRL_CMD, GENL_ID_CTRL, genericProtocol } from './protocol.js';
import type { CtrlAttrs, Genlmsghdr, PolicyAttrAttrs } from './gen/types.js';

export * from './protocol.js';
export type * from './gen/types.js';

/** One command of a generic family (CTRL_ATTR_OPS). */
export interface GenericOp {
  /** The command number (genlmsghdr.cmd). */
  id: number;
  /** GENL_ADMIN_PERM, GENL_CMD_CAP_DO/DUMP/HASPOL, GENL_UNS_ADMIN_PERM (see GENL_OP_FLAGS). */
  flags: number;
}

/** A generic netlink family as nlctrl describes it (CTRL_CMD_NEWFAMILY). */
export interface GenericFamily {
  /** CTRL_ATTR_FAMILY_NAME. */
  name: string;
  /** CTRL_ATTR_FAMILY_ID: the nlmsg_type of the family's messages. */
  id: number;
  /** CTRL_ATTR_VERSION. */
  version: number;
  /** CTRL_ATTR_HDRSIZE: bytes of the family's header after genlmsghdr. */
  hdrsize: number;
  /** CTRL_ATTR_MAXATTR: highest attribute number it accepts. */
  maxattr: number;
  /** CTRL_ATTR_OPS, in the kernel's order (empty when it sends none). */
  ops: GenericOp[];
  /** CTRL_ATTR_MCAST_GROUPS: group id by group name (empty when it has none). */
  mcastGroups: Record<string, number>;
}

/** Version put in nlctrl requests (libnl's; iproute2's genl sends 0; the kernel ignores it). */
const REQUEST_VERSION = 1;

/**
 * A client of NETLINK_GENERIC with the generic protocol: a socket of the current network
 * namespace, or of `socket.netnsFd`'s.
 *
 * @example
 * ```ts
 * const client = openGenericClient();
 * const there = openGenericClient({ netnsFd }, { timeout: 5000 });
 * ```
 */
export function openGenericClient(socket: Omit<NativeTransportOptions, 'protocol'> = {}, options: ClientOptions = {}): NetlinkClient {
  return new NetlinkClient(openNativeTransport({ ...socket, protocol: NETLINK.GENERIC }), genericProtocol, options);
}

function checkClient(client: NetlinkClient, what: string): void {
  if (client.transport.protocol !== NETLINK.GENERIC || client.protocol.message(GENL_ID_CTRL)?.name !== 'GENL_ID_CTRL') {
    throw new TypeError(`${what}: needs a NETLINK_GENERIC client with the generic protocol (openGenericClient(), or new NetlinkClient(transport, genericProtocol))`);
  }
}

/**
 * The family that a CTRL_CMD_NEWFAMILY message (a GETFAMILY reply, a dump entry or a
 * notification) describes.
 *
 * @example
 * ```ts
 * familyOf(decodeMessages(bytes, { family: 'generic' })[0]).id; // 16
 * ```
 */
export function familyOf(m: Pick<Message, 'attrs'>): GenericFamily {
  const a = m.attrs as CtrlAttrs;
  const groups: Record<string, number> = {};
  for (const g of a.mcast_groups ?? []) if (g.name !== undefined && g.id !== undefined) groups[g.name] = g.id;
  return {
    name: a.family_name ?? '',
    id: a.family_id ?? 0,
    version: a.version ?? 0,
    hdrsize: a.hdrsize ?? 0,
    maxattr: a.maxattr ?? 0,
    ops: (a.ops ?? []).map((o) => ({ id: o.id ?? 0, flags: o.flags ?? 0 })),
    mcastGroups: groups,
  };
}

function isNewFamily(m: Message): boolean {
  return m.type === 'GENL_ID_CTRL' && (m.header as Genlmsghdr).cmd === CTRL_CMD.NEWFAMILY;
}

/**
 * Looks a family up by name (CTRL_CMD_GETFAMILY with CTRL_ATTR_FAMILY_NAME). Rejects with the
 * kernel's NetlinkError, code 'ENOENT', when there is no such family (in this namespace).
 *
 * @example
 * ```ts
 * const { id, mcastGroups } = await resolveFamily(client, 'ethtool');
 * ```
 */
export async function resolveFamily(client: NetlinkClient, name: string): Promise<GenericFamily> {
  checkClient(client, 'resolveFamily');
  const replies = await client.request({ type: 'GENL_ID_CTRL', header: { cmd: CTRL_CMD.GETFAMILY, version: REQUEST_VERSION }, attrs: { family_name: name } });
  const m = replies.find(isNewFamily);
  if (!m) throw new Error(`resolveFamily(${JSON.stringify(name)}): the kernel acknowledged without a CTRL_CMD_NEWFAMILY reply`);
  return familyOf(m);
}

/**
 * Every generic family of the socket's namespace (CTRL_CMD_GETFAMILY dump), in the kernel's
 * order (by id).
 *
 * @example
 * ```ts
 * (await listFamilies(client)).map((f) => f.name); // ['nlctrl', 'VFS_DQUOT', 'thermal', ...]
 * ```
 */
export async function listFamilies(client: NetlinkClient): Promise<GenericFamily[]> {
  checkClient(client, 'listFamilies');
  const msgs = await client.dump({ type: 'GENL_ID_CTRL', header: { cmd: CTRL_CMD.GETFAMILY, version: REQUEST_VERSION } }).collect();
  return msgs.filter(isNewFamily).map(familyOf);
}

/** The attribute policies of a family (CTRL_CMD_GETPOLICY), as {@link familyPolicy} gathers them. */
export interface FamilyPolicy {
  /** Policies by index, each the validation of attributes by their number (NL_POLICY_TYPE_ATTR_*). */
  policies: Record<number, Record<number, PolicyAttrAttrs>>;
  /**
   * Policy indexes of the do and dump handlers, by command, as the kernel files them: 6.18 files a
   * dump-only command under command 0 (nlctrl's CTRL_CMD_GETPOLICY shows as `0: { dump: 1 }`, and
   * `genl ctrl policy` prints the same).
   */
  ops: Record<number, { do?: number; dump?: number }>;
}

/**
 * The attribute policies of family `family` (a name or an id), of one command (`op`) or all:
 * how the kernel validates each attribute (type, ranges, lengths, nested policies).
 *
 * @example
 * ```ts
 * const { ops, policies } = await familyPolicy(client, 'nlctrl', { op: CTRL_CMD.GETFAMILY });
 * policies[ops[3]!.do!]![2]; // { type: 12, max_length: 15 } — CTRL_ATTR_FAMILY_NAME: NL_ATTR_TYPE_NUL_STRING
 * ```
 */
export async function familyPolicy(client: NetlinkClient, family: string | number, options: { op?: number } = {}): Promise<FamilyPolicy> {
  checkClient(client, 'familyPolicy');
  const attrs: Record<string, unknown> = typeof family === 'number' ? { family_id: family } : { family_name: family };
  if (options.op !== undefined) attrs['op'] = options.op;
  const msgs = await client.dump({ type: 'GENL_ID_CTRL', header: { cmd: CTRL_CMD.GETPOLICY, version: REQUEST_VERSION }, attrs }).collect();
  const out: FamilyPolicy = { policies: {}, ops: {} };
  for (const m of msgs) {
    const a = m.attrs as CtrlAttrs;
    for (const [idx, p] of Object.entries((a.policy ?? {}) as Record<string, Record<string, PolicyAttrAttrs>>)) {
      Object.assign((out.policies[Number(idx)] ??= {}), Object.fromEntries(Object.entries(p).map(([n, v]) => [Number(n), v])));
    }
    for (const [cmd, v] of Object.entries((a.op_policy ?? {}) as Record<string, { do?: number; dump?: number }>)) {
      Object.assign((out.ops[Number(cmd)] ??= {}), v);
    }
  }
  return out;
}
