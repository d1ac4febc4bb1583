/**
 * Interface names to indexes and back, asked of the kernel (RTM_GETLINK by IFLA_IFNAME), as
 * iproute2 does for every `dev NAME`.
 *
 * @example
 * ```ts
 * await ifindex(nl, 'veth0'); // 7
 * await ifindex(nl, 7);       // 7 (numbers pass through)
 * await ifindex(nl, 'nope');  // throws NetlinkError ENODEV: Cannot find device "nope"
 * ```
 * @module
 */
import { NetlinkError, isNetlinkError } from '../netlink/errors.js';
import type { Netlink } from './netlink.js';
import { checkIfname } from './validate.js';

/** RTEXT_FILTER_SKIP_STATS: ask the kernel not to fill statistics (cheaper gets). */
const RTEXT_FILTER_SKIP_STATS = 1 << 3;

/**
 * The index of interface `dev` (a name or an index) in the handle's namespace. Unknown names
 * reject with a NetlinkError ENODEV whose message is iproute2's `Cannot find device "NAME"`.
 */
export async function ifindex(nl: Netlink, dev: string | number, argument = 'dev'): Promise<number> {
  if (typeof dev === 'number') {
    if (!Number.isInteger(dev) || dev <= 0) throw new NetlinkError(19, { message: `Cannot find device "${dev}"` });
    return dev;
  }
  checkIfname(dev, argument);
  try {
    const [m] = await nl.client.request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: dev, ext_mask: RTEXT_FILTER_SKIP_STATS } });
    const index = (m?.header as { index?: number } | undefined)?.index;
    if (index === undefined) throw new NetlinkError(19, { message: `Cannot find device "${dev}"` });
    return index;
  } catch (e) {
    if (isNetlinkError(e) && e.code === 'ENODEV') throw new NetlinkError(19, { request: 'RTM_GETLINK', message: `Cannot find device "${dev}"` });
    throw e;
  }
}

/** The name of interface `index`, or undefined when there is none. */
export async function ifname(nl: Netlink, index: number): Promise<string | undefined> {
  try {
    const [m] = await nl.client.request({ type: 'RTM_GETLINK', header: { index }, attrs: { ext_mask: RTEXT_FILTER_SKIP_STATS } });
    return (m?.attrs as { ifname?: string } | undefined)?.ifname;
  } catch (e) {
    if (isNetlinkError(e) && e.code === 'ENODEV') return undefined;
    throw e;
  }
}
