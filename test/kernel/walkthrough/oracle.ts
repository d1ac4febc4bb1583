/**
 * iproute2 as the oracle of the walkthrough test: `ip [-n NS] -j ...` parsed into the few fields
 * the steps compare, and a poll helper for state the kernel settles asynchronously (operstate,
 * DAD).
 */
import { ipJson, sh } from '../sandbox.js';
import { netns } from '../../../src/api/netns.js';

export interface IpLink {
  ifindex: number;
  ifname: string;
  flags: string[];
  operstate?: string;
  address?: string;
  link?: string;
  link_index?: number;
  link_netnsid?: number;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown>; info_slave_kind?: string; info_slave_data?: Record<string, unknown> };
}

export interface IpAddrInfo {
  family: string;
  local: string;
  prefixlen: number;
  scope: string;
  tentative?: boolean;
}

export interface IpAddr {
  ifname: string;
  addr_info: IpAddrInfo[];
}

export interface IpNeigh {
  dst: string;
  dev: string;
  lladdr?: string;
  state: string[];
}

/** `ip [-n NS] -j ARGS...`; `ns` undefined is the sandbox's own namespace ("the host"). */
export function ipIn<T = unknown>(ns: string | undefined, args: readonly string[]): T {
  return ipJson<T>(ns === undefined ? args : ['-n', ns, ...args]);
}

/** `ip [-n NS] -j -d link show dev DEV`, or undefined when there is no such device. */
export function ipLink(ns: string | undefined, dev: string): IpLink | undefined {
  return ipIn<IpLink[]>(ns, ['-d', 'link', 'show']).find((l) => l.ifname === dev);
}

/** The names of the links `ip [-n NS] -j link show` lists. */
export function ipLinkNames(ns: string | undefined): string[] {
  return ipIn<IpLink[]>(ns, ['link', 'show']).map((l) => l.ifname);
}

/** `local/prefixlen` of every address of `dev` in `family` (`ip -j addr show dev DEV`). */
export function ipAddrs(ns: string | undefined, dev: string, family: 'inet' | 'inet6' = 'inet'): string[] {
  const [a] = ipIn<IpAddr[]>(ns, ['addr', 'show', 'dev', dev]);
  return (a?.addr_info ?? []).filter((i) => i.family === family).map((i) => `${i.local}/${i.prefixlen}`);
}

/** The names under /run/netns as `ip -j netns list` prints them. */
export function ipNetnsNames(): string[] {
  const out = sh('ip', ['-j', 'netns', 'list']).trim();
  return out === '' ? [] : (JSON.parse(out) as Array<{ name: string }>).map((e) => e.name);
}

/**
 * A file under /proc/sys/net (`path` like 'ipv4/conf/veth0/rp_filter') as a process *inside*
 * namespace `ns` reads it (`ip netns exec NS cat /proc/sys/net/PATH`).
 */
export async function procSysIn(ns: string, path: string): Promise<string> {
  const r = await netns.exec(ns, ['cat', `/proc/sys/net/${path}`]);
  if (r.code !== 0) throw new Error(`cat /proc/sys/net/${path} in ${ns}: ${r.stderr}`);
  return r.stdout.trim();
}

/** Polls `probe` until it returns a value other than undefined; throws `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
