/**
 * Byte offsets of attributes in a request, for NLMSGERR_ATTR_OFFS: the mock decodes requests
 * into objects, and needs the way back to where an attribute sat in the bytes.
 * @module
 */
import { resolveOffset } from '../../netlink/attr-path.js';
import type { Protocol } from '../../netlink/message.js';

/**
 * The offset of the attribute at `path` (C names, outermost first) in `request` (one message),
 * or undefined when it is not there.
 *
 * @example
 * ```ts
 * attrOffset(p, bytes, ['IFLA_IFNAME']); // 32
 * ```
 */
export function attrOffset(p: Protocol, request: Uint8Array, path: readonly string[]): number | undefined {
  const want = path.join('.');
  const len = Math.min(request.length, new DataView(request.buffer, request.byteOffset, request.byteLength).getUint32(0, true));
  // Attributes start 4-aligned; the first offset whose path is the wanted one is the attribute's header.
  for (let off = 16; off + 4 <= len; off += 4) {
    if (resolveOffset(p, request, off) === want) return off;
  }
  return undefined;
}
