/**
 * The generic netlink family (NETLINK_GENERIC) compiled for the codec engine: the controller
 * (nlctrl, GENL_ID_CTRL = 0x10) from `protocol/generic/ctrl.json`, plus the hand-written codecs
 * of its policy dumps. This module knows no sockets, so the decoder can import it.
 *
 * Every other generic family has an id the kernel assigns at run time (from GENL_START_ALLOC =
 * 0x13; `resolveFamily` finds it). Without a protocol for it, its messages decode as framing
 * only: `type` is the number and the body (genlmsghdr included) stays hex in `payload`. To decode
 * one, build a protocol with {@link genericProtocolWith} and register it
 * (`registerFamily('generic', p)`).
 *
 * @example
 * ```ts
 * import { genericProtocol } from 'nlkit/genetlink';
 * genericProtocol.message(0x10)?.name; // 'GENL_ID_CTRL'
 * ```
 * @module
 */
import { align4, NLA_F_NESTED, NLA_TYPE_MASK } from '../netlink/constants.js';
import { DecodeError, EncodeError } from '../netlink/errors.js';
import { type Attrs, type CustomCodec, type DecodeContext, decodeAttrs, encodeAttrs, Protocol } from '../netlink/codec.js';
import type { Writer } from '../netlink/writer.js';
import { mergeProtocols, type ProtocolDef } from '../netlink/spec.js';
import { genericProtocolDef } from './gen/index.js';

export { genericProtocolDef } from './gen/index.js';

/** nlmsg_type of nlctrl, the one static generic family (GENL_ID_CTRL = NLMSG_MIN_TYPE). */
export const GENL_ID_CTRL = 0x10;

/** First id the kernel hands out to a generic family (0x11 and 0x12 are reserved for VFS_DQUOT and pmcraid). */
export const GENL_START_ALLOC = 0x13;

/**
 * nlctrl's commands (genlmsghdr.cmd), enum CTRL_CMD_* of include/uapi/linux/genetlink.h.
 *
 * @example
 * ```ts
 * client.dump({ type: 'GENL_ID_CTRL', header: { cmd: CTRL_CMD.GETFAMILY, version: 1 } });
 * ```
 */
export const CTRL_CMD = {
  NEWFAMILY: 1,
  DELFAMILY: 2,
  GETFAMILY: 3,
  NEWOPS: 4,
  DELOPS: 5,
  GETOPS: 6,
  NEWMCAST_GRP: 7,
  DELMCAST_GRP: 8,
  GETMCAST_GRP: 9,
  GETPOLICY: 10,
} as const;

/**
 * nlctrl's multicast group: `notify` carries CTRL_CMD_NEW/DELFAMILY and NEW/DELMCAST_GRP. Its id
 * is fixed (net/netlink/genetlink.c gives nlctrl's one group the id GENL_ID_CTRL), as the
 * kernel's own CTRL_ATTR_MCAST_GROUPS of nlctrl says (fixtures/generic/getfamily-nlctrl.json).
 */
export const GENL_CTRL_GROUPS = { notify: 0x10 } as const;

/** Command flags (CTRL_ATTR_OP_FLAGS): GENL_ADMIN_PERM, GENL_CMD_CAP_*, GENL_UNS_ADMIN_PERM. */
export const GENL_OP_FLAGS = {
  ADMIN_PERM: 0x01,
  CMD_CAP_DO: 0x02,
  CMD_CAP_DUMP: 0x04,
  CMD_CAP_HASPOL: 0x08,
  UNS_ADMIN_PERM: 0x10,
} as const;

/**
 * A nest whose children are numbered by what they describe (a policy index, an attribute
 * number, a command) rather than 1..n: decoded as an object keyed by that number (as text).
 * `levels` such nests lie inside one another; the innermost values are attributes of `set`.
 * The kernel writes every level with `nla_nest_start` (NLA_F_NESTED) and in ascending order;
 * anything else (a repeated number, another order, other flag bits) is kept verbatim.
 */
function keyedNests(set: string, levels: number): CustomCodec {
  function decodeLevel(p: Protocol, ctx: DecodeContext, off: number, end: number, level: number): Record<string, unknown> {
    if (++ctx.depth > ctx.maxDepth) {
      ctx.depth--;
      throw new DecodeError('NLKIT_ERR_TOO_DEEP', `nested attributes deeper than ${ctx.maxDepth}`, off);
    }
    const out: Record<string, unknown> = {};
    const view = ctx.view;
    let at = off;
    let prev = -1;
    let irregular = false;
    try {
      while (end - at >= 4) {
        const l = view.getUint16(at, true);
        const rt = view.getUint16(at + 2, true);
        if (l < 4) throw new DecodeError('NLKIT_ERR_BAD_LENGTH', `attribute length ${l} is less than 4`, at);
        if (at + l > end) throw new DecodeError('NLKIT_ERR_TRUNCATED', `attribute of ${l} bytes overruns its container`, at);
        const key = rt & NLA_TYPE_MASK;
        if ((rt & ~NLA_TYPE_MASK & 0xffff) !== NLA_F_NESTED || key <= prev) irregular = true;
        prev = key;
        out[String(key)] = level > 1 ? decodeLevel(p, ctx, at + 4, at + l, level - 1) : decodeAttrs(p, p.set(set), ctx, at + 4, at + l);
        for (let i = at + l, e = Math.min(end, align4(at + l)); i < e; i++) if (ctx.bytes[i] !== 0) irregular = true;
        at += align4(l);
      }
      if (at !== end) irregular = true;
    } finally {
      ctx.depth--;
    }
    if (irregular) ctx.irregular = true;
    return out;
  }

  function encodeLevel(p: Protocol, w: Writer, value: unknown, path: string, level: number): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EncodeError('NLKIT_ERR_BAD_VALUE', 'expected an object keyed by number', path);
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const n = /^\d+$/.test(k) ? Number(k) : -1;
      if (n < 0 || n > NLA_TYPE_MASK) throw new EncodeError('NLKIT_ERR_BAD_VALUE', `key ${JSON.stringify(k)} is not an attribute number`, path);
      const at = w.beginAttr(n | NLA_F_NESTED);
      if (level > 1) encodeLevel(p, w, v, `${path}[${k}]`, level - 1);
      else encodeAttrs(p, p.set(set), v as Attrs, w, `${path}[${k}]`);
      w.endAttr(at);
    }
  }

  return {
    decode: (p, ctx, off, len) => decodeLevel(p, ctx, off, off + len, levels),
    encode: (p, w, value, path) => encodeLevel(p, w, value, path, levels),
  };
}

/**
 * The custom codecs of the generic family, by the names `protocol/generic/ctrl.json` uses:
 * - `policy-dump` (CTRL_ATTR_POLICY): `{ [policy index]: { [attribute number]: { type, min_length, ... } } }`
 * - `op-policy-dump` (CTRL_ATTR_OP_POLICY): `{ [command]: { do, dump } }` (policy indexes)
 */
export const genericCustomCodecs: Readonly<Record<string, CustomCodec>> = {
  'policy-dump': keyedNests('policy-attr', 2),
  'op-policy-dump': keyedNests('op-policy', 1),
};

/**
 * The generic family as the decoder and clients use it: nlctrl (GENL_ID_CTRL) with its policy
 * codecs. Messages of other generic families keep their bodies as hex (see the module doc).
 *
 * @example
 * ```ts
 * const client = new NetlinkClient(openNativeTransport({ protocol: NETLINK.GENERIC }), genericProtocol);
 * ```
 */
export const genericProtocol: Protocol = /* @__PURE__ */ new Protocol(genericProtocolDef, genericCustomCodecs);

/**
 * nlctrl plus the tables of other generic families: a message per family id (its `value` the id
 * the kernel gave it, e.g. from `resolveFamily`), their header structs (`"c": "struct genlmsghdr"`)
 * and attribute sets. Register the result to decode those families
 * (`registerFamily('generic', p)`).
 *
 * @example
 * ```ts
 * const { id } = await resolveFamily(client, 'ethtool');
 * const p = genericProtocolWith([{ messages: [{ name: 'ETHTOOL', value: id, header: 'genlmsghdr', attrs: 'ethtool', op: 'other' }], sets: { ethtool: ... } }]);
 * registerFamily('generic', p);
 * ```
 */
export function genericProtocolWith(parts: readonly Partial<ProtocolDef>[], custom: Readonly<Record<string, CustomCodec>> = {}): Protocol {
  return new Protocol(mergeProtocols('generic', [genericProtocolDef, ...parts]), { ...genericCustomCodecs, ...custom });
}
