/**
 * What the view renderers know beyond the message they render: interface names, types and
 * flags by index (iproute2's `ll_map` cache), the name tables of `/etc/iproute2`, and optional
 * resolvers for the few things ip looks up elsewhere (network namespace names of netns ids for
 * `link-netns NAME`, user and group names of tun owners).
 *
 * Build one from the link messages of a dump (or of a capture) with {@link viewContext}.
 *
 * @example
 * ```ts
 * const ctx = viewContext(linkMessages);
 * ifName(ctx, 2);  // 'veth0'
 * ifName(ctx, 99); // 'if99' (unknown, as ip prints it)
 * ```
 * @module
 */
import type { Message } from '../netlink/message.js';
import { defaultNames, type IpNames } from './names.js';

/** One interface as the renderers need it. */
export interface LinkRef {
  readonly name: string;
  /** ARPHRD_* hardware type (ifi_type). */
  readonly type: number;
  /** IFF_* flags (ifi_flags). */
  readonly flags: number;
  /** IFLA_TXQLEN, when the link message had it (ip asks the kernel when a message lacks it). */
  readonly txqlen?: number;
}

/** Everything a renderer may look up. */
export interface ViewContext {
  /** Interfaces by ifindex. */
  readonly links: ReadonlyMap<number, LinkRef>;
  /** Name tables (protocols, scopes, tables, realms, groups, DS fields). */
  readonly names: IpNames;
  /** Name of the network namespace with this netns id (text `link-netns NAME`), if known. */
  readonly netnsName?: (nsid: number) => string | undefined;
  /** User name of a uid (tun/tap `user`), if known. */
  readonly userName?: (uid: number) => string | undefined;
  /** Group name of a gid (tun/tap `group`), if known. */
  readonly groupName?: (gid: number) => string | undefined;
}

/** Options of {@link viewContext}. */
export interface ViewContextOptions {
  /** Name tables. Default: {@link defaultNames}. */
  names?: IpNames;
  /** Resolver of netns ids to names. Default: none (text shows `link-netnsid N`). */
  netnsName?: (nsid: number) => string | undefined;
  /** Resolver of uids to user names. Default: none (numbers). */
  userName?: (uid: number) => string | undefined;
  /** Resolver of gids to group names. Default: none (numbers). */
  groupName?: (gid: number) => string | undefined;
}

/**
 * A context from link messages (RTM_NEWLINK; others are ignored). Later messages for the same
 * index replace earlier ones; RTM_DELLINK removes.
 */
export function viewContext(messages: Iterable<Message> = [], options: ViewContextOptions = {}): ViewContext {
  const links = new Map<number, LinkRef>();
  for (const m of messages) rememberLink(links, m);
  return {
    links,
    names: options.names ?? defaultNames(),
    ...(options.netnsName && { netnsName: options.netnsName }),
    ...(options.userName && { userName: options.userName }),
    ...(options.groupName && { groupName: options.groupName }),
  };
}

/** Adds (or removes) the interface of one link message to a map of links. */
export function rememberLink(links: Map<number, LinkRef>, m: Message): void {
  if (m.type !== 'RTM_NEWLINK' && m.type !== 'RTM_DELLINK') return;
  const h = m.header as { index?: unknown; type?: unknown; flags?: unknown };
  const index = typeof h.index === 'number' ? h.index : undefined;
  if (index === undefined) return;
  if (m.type === 'RTM_DELLINK') {
    links.delete(index);
    return;
  }
  const name = firstString(m.attrs['ifname']);
  if (name === undefined) return;
  const txq = m.attrs['txqlen'];
  const ref: { name: string; type: number; flags: number; txqlen?: number } = { name, type: typeof h.type === 'number' ? h.type : 0, flags: typeof h.flags === 'number' ? h.flags : 0 };
  if (typeof txq === 'number') ref.txqlen = txq;
  else {
    const old = links.get(index)?.txqlen;
    if (old !== undefined) ref.txqlen = old;
  }
  links.set(index, ref);
}

function firstString(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0];
  return typeof v === 'string' ? v : undefined;
}

/** ll_index_to_name: the name, `*` for 0, or `if<N>` when unknown. */
export function ifName(ctx: ViewContext, index: number): string {
  if (index === 0) return '*';
  return ctx.links.get(index)?.name ?? `if${index >>> 0}`;
}

/** ll_index_to_type: the ARPHRD type, or -1 when unknown. */
export function ifType(ctx: ViewContext, index: number): number {
  return ctx.links.get(index)?.type ?? -1;
}

/** ll_index_to_flags: the IFF flags, or all bits (-1) when unknown. */
export function ifFlags(ctx: ViewContext, index: number): number {
  if (index === 0) return 0;
  return ctx.links.get(index)?.flags ?? -1;
}
