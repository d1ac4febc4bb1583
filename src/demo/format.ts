/**
 * nlkit's typed links and addresses printed the way `ip link list` / `ip addr` print them, for
 * the demo's output.
 *
 * @example
 * ```ts
 * formatLink(await nl.link.get('lo'));
 * // ['1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000',
 * //  '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00']
 * ```
 * @module
 */
import type { Address } from '../api/addr.js';
import type { Link } from '../api/link-types.js';

/** The two lines `ip link list` prints for one link. */
export function formatLink(l: Link): string[] {
  let name = l.name;
  if (l.link !== undefined) name += `@${l.link}`;
  else if (l.linkIndex !== undefined && l.linkIndex !== 0) name += `@if${l.linkIndex}`;
  const parts = [`${l.index}: ${name}: <${l.flags.join(',')}>`];
  if (l.mtu !== undefined) parts.push(`mtu ${l.mtu}`);
  if (l.qdisc !== undefined) parts.push(`qdisc ${l.qdisc}`);
  if (l.master !== undefined) parts.push(`master ${l.master}`);
  if (l.operstate !== undefined) parts.push(`state ${l.operstate}`);
  if (l.linkmode !== undefined) parts.push(`mode ${l.linkmode}`);
  if (l.group !== undefined) parts.push(`group ${l.group === 0 ? 'default' : l.group}`);
  if (l.txqlen !== undefined) parts.push(`qlen ${l.txqlen}`);
  let second = `    link/${l.linkType}`;
  if (l.address !== undefined) second += ` ${l.address}`;
  if (l.broadcast !== undefined) second += ` brd ${l.broadcast}`;
  if (l.linkNetnsid !== undefined) second += ` link-netnsid ${l.linkNetnsid}`;
  return [parts.join(' '), second];
}

/** The line `ip addr` prints under a link for one address. */
export function formatAddress(a: Address): string {
  let s = `    ${a.family} ${a.cidr}`;
  if (a.peer !== undefined) s = `    ${a.family} ${a.address} peer ${a.peer}/${a.prefixlen}`;
  if (a.broadcast !== undefined) s += ` brd ${a.broadcast}`;
  s += ` scope ${a.scope}`;
  const shown = a.flags.filter((f) => f !== 'permanent');
  if (!a.flags.includes('permanent')) shown.unshift('dynamic');
  if (shown.length > 0) s += ` ${shown.join(' ')}`;
  if (a.family === 'inet' && a.label !== undefined) s += ` ${a.label}`;
  return s;
}
