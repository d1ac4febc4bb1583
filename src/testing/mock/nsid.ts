/**
 * Ids of peer namespaces in the mock kernel (`ip netns set` / `list-id`): RTM_NEWNSID,
 * RTM_GETNSID (by IFLA-style fd) and its dump (net/core/net_namespace.c). Ids also appear on
 * their own when a link message needs one (IFLA_LINK_NETNSID), as in the kernel.
 * @module
 */
import { E, fail } from './errors.js';
import type { Ctx, Handler } from './kernel.js';

/** NETNSA_NSID_NOT_ASSIGNED. */
const NOT_ASSIGNED = -1;

/** The texts net_namespace.c gives (seen through `ip netns set`). */
const TEXT = {
  peerHasId: 'Peer netns already has a nsid assigned',
  idUsed: 'The specified nsid is already used',
} as const;

interface NsidAttrs {
  nsid?: number;
  fd?: number;
  pid?: number;
}

function peerOf(ctx: Ctx, a: NsidAttrs) {
  if (a.fd !== undefined) return ctx.kernel.nsByFd(a.fd) ?? fail(E.EBADF);
  if (a.pid !== undefined) fail(E.ESRCH);
  return fail(E.EINVAL);
}

function newnsid(ctx: Ctx): void {
  const a = ctx.req.attrs as NsidAttrs;
  if (a.nsid === undefined) fail(E.EINVAL);
  const peer = peerOf(ctx, a);
  if (ctx.ns.nsids.has(peer)) fail(E.EEXIST, TEXT.peerHasId, { attr: ['NETNSA_FD'] });
  if (a.nsid >= 0) {
    if ([...ctx.ns.nsids.values()].includes(a.nsid)) fail(E.EEXIST, TEXT.idUsed, { attr: ['NETNSA_NSID'] });
    ctx.ns.nsids.set(peer, a.nsid);
  } else {
    ctx.kernel.nsid(ctx.ns, peer);
  }
}

function getnsid(ctx: Ctx): void {
  const peer = peerOf(ctx, ctx.req.attrs as NsidAttrs);
  const nsid = peer === ctx.ns ? NOT_ASSIGNED : ctx.ns.nsids.get(peer) ?? NOT_ASSIGNED;
  ctx.out.push({ type: 'RTM_NEWNSID', header: { family: 0 }, attrs: { nsid } });
}

function dumpnsids(ctx: Ctx) {
  const items = [...ctx.ns.nsids.entries()]
    .filter(([peer]) => peer.alive)
    .sort((x, y) => x[1] - y[1])
    .map(([, nsid]) => ({ type: 'RTM_NEWNSID', header: { family: 0 }, attrs: { nsid } }));
  return { items };
}

/** The nsid message handlers. */
export const nsidHandlers: Record<string, Handler> = {
  RTM_NEWNSID: { do: newnsid },
  RTM_GETNSID: { do: getnsid, dump: dumpnsids },
};
