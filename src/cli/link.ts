/**
 * `nlkit link`: `show|list|lst`, `add`, `set|change`, `delete`, `help [TYPE]` with iproute2's
 * syntax (iplink.c: `iplink_parse` and the kinds' `parse_opt`), carried out through the
 * high-level API (`nl.link.add/set/del`).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import type { LinkAddSpec, LinkChanges } from '../api/link-types.js';
import { Args, CliExit, duparg, duparg2, getInteger, HelpRequest, invarg, matches, onOffError, usageError } from './args.js';
import { listAddrs, parseSelector, groupValue } from './ipaddr.js';
import type { Session } from './session.js';

function usage(kind?: string): never {
  throw new HelpRequest(kind === undefined ? 'link' : `link:${kind}`);
}

/** `nlkit link ...`. */
export async function runLink(a: Args, s: Session): Promise<number> {
  if (!a.more) {
    await listAddrs(s, await parseSelector(a, s, () => usage()), true);
    return 0;
  }
  const cmd = a.word;
  a.skip();
  if (matches(cmd, 'add')) return modify(a, s, 'add');
  if (matches(cmd, 'set') || matches(cmd, 'change')) return modify(a, s, 'set');
  if (matches(cmd, 'replace')) throw usageError('nlkit: "link replace" is not supported; use "link add" or "link set"');
  if (matches(cmd, 'delete')) return modify(a, s, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) {
    const f = await parseSelector(a, s, () => usage());
    await listAddrs(s, f, true);
    return 0;
  }
  if (matches(cmd, 'help')) usage(a.more ? a.word : undefined);
  if (matches(cmd, 'xstats') || matches(cmd, 'afstats') || matches(cmd, 'property')) throw usageError(`nlkit: "link ${cmd}" is not supported`);
  throw usageError(`Command "${cmd}" is unknown, try "nlkit link help".`);
}

interface Parsed {
  dev: string | undefined;
  name: string | undefined;
  type: string | undefined;
  link: string | undefined;
  index: number | undefined;
  group: number | undefined;
  /** Options common to add and set, in the API's names. */
  common: Record<string, unknown>;
  /** The words after `type KIND`. */
  kindArgs: Args | undefined;
}

/** The namespace of `netns NAME|PID`: a name under /run/netns, else a pid. */
export function netnsArg(word: string): string | { pid: number } {
  if (!word.includes('/') && word !== '' && word !== '.' && word !== '..' && existsSync(`/run/netns/${word}`)) return word;
  const pid = getInteger(word);
  if (pid !== undefined) return { pid };
  throw invarg('Invalid "netns" value\n', word);
}

/** The checked ll address of `address LLADDR` (ll_addr_a2n: hex bytes separated by ':' or '.'). */
export function lladdr(word: string): string {
  const parts = word.split(/[:.]/);
  if (parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new CliExit(1, `"${word}" is invalid lladdr.`);
  return parts.map((p) => p.padStart(2, '0').toLowerCase()).join(':');
}

/** iplink_parse: the options shared by add and set (and a veth peer). Stops after `type KIND`. */
export async function parseCommon(a: Args, s: Session, mode: 'add' | 'set' | 'del' | 'peer'): Promise<Parsed> {
  const p: Parsed = { dev: undefined, name: undefined, type: undefined, link: undefined, index: undefined, group: undefined, common: {}, kindArgs: undefined };
  const c = p.common;
  const flag = (key: string, word: string, v: string, inverted = false) => {
    if (v !== 'on' && v !== 'off') throw onOffError(word, v);
    c[key] = (v === 'on') !== inverted;
  };
  const seen = new Set<string>();
  const once = (key: string, v: string) => {
    if (seen.has(key)) throw duparg(key, v);
    seen.add(key);
  };
  while (a.more) {
    const w = a.word;
    if (w === 'up') c['up'] = true;
    else if (w === 'down') c['up'] = false;
    else if (w === 'name') p.name = a.next();
    else if (w === 'index') {
      const v = a.next();
      const n = getInteger(v) ?? Number.parseInt(v, 10);
      if (!Number.isFinite(n) || n < 0) throw invarg('Invalid "index" value', v);
      p.index = n;
    } else if (matches(w, 'link')) p.link = a.next();
    else if (matches(w, 'address')) c['address'] = lladdr(a.next());
    else if (matches(w, 'broadcast') || w === 'brd') c['broadcast'] = lladdr(a.next());
    else if (matches(w, 'txqueuelen') || w === 'qlen' || matches(w, 'txqlen')) {
      const v = a.next();
      once('txqueuelen', v);
      const n = getInteger(v);
      if (n === undefined) throw invarg('Invalid "txqueuelen" value\n', v);
      c['txqueuelen'] = n >>> 0;
    } else if (w === 'mtu') {
      const v = a.next();
      once('mtu', v);
      const n = getInteger(v);
      if (n === undefined) throw invarg('Invalid "mtu" value\n', v);
      c['mtu'] = n >>> 0;
    } else if (w === 'netns') {
      const v = a.next();
      once('netns', v);
      c['netns'] = netnsArg(v);
    } else if (w === 'multicast') flag('multicast', w, a.next());
    else if (w === 'allmulticast') flag('allmulticast', w, a.next());
    else if (w === 'promisc') flag('promisc', w, a.next());
    else if (w === 'trailers') flag('trailers', w, a.next());
    else if (w === 'arp') flag('arp', w, a.next());
    else if (w === 'carrier') flag('carrier', w, a.next());
    else if (w === 'protodown') flag('protodown', w, a.next());
    else if (matches(w, 'dynamic')) flag('dynamic', 'dynamic', a.next());
    else if (matches(w, 'master')) {
      const v = a.next();
      const idx = await s.ifindexOrUndefined(v);
      if (!idx) throw invarg('Device does not exist\n', v);
      c['master'] = idx;
    } else if (matches(w, 'nomaster')) c['master'] = null;
    else if (matches(w, 'type')) {
      p.type = a.next();
      a.skip();
      p.kindArgs = new Args(a.rest());
      return p;
    } else if (matches(w, 'alias')) {
      c['alias'] = a.next();
      // ip stops reading options after the alias.
      a.skip();
      return p;
    } else if (w === 'group') {
      const v = a.next();
      if (p.group !== undefined) throw duparg('group', v);
      const g = await groupValue(s, v);
      if (g === undefined) throw invarg('Invalid "group" value\n', v);
      p.group = g;
    } else if (matches(w, 'numtxqueues') || matches(w, 'numrxqueues')) {
      const key = matches(w, 'numtxqueues') ? 'numtxqueues' : 'numrxqueues';
      const v = a.next();
      once(key, v);
      const n = getInteger(v);
      if (n === undefined) throw invarg(`Invalid "${key}" value\n`, v);
      c[key] = n;
    } else if (['vf', 'xdp', 'xdpgeneric', 'xdpdrv', 'xdpoffload', 'vrf', 'mode', 'state', 'gso_max_size', 'gso_max_segs', 'gro_max_size'].includes(w) || matches(w, 'addrgenmode') || matches(w, 'link-netnsid')) {
      throw usageError(`nlkit: "${w}" is not supported by nlkit link`);
    } else {
      if (matches(w, 'help')) usage();
      const dev = w === 'dev' ? a.next() : w;
      if (p.dev !== undefined) throw duparg2('dev', dev);
      p.dev = dev;
    }
    a.skip();
  }
  return p;
}

async function modify(a: Args, s: Session, mode: 'add' | 'set' | 'del'): Promise<number> {
  const p = await parseCommon(a, s, mode);
  const kindArgs = p.kindArgs;
  if (kindArgs?.more && matches(kindArgs.word, 'help')) usage(p.type);

  if (mode === 'del') {
    if (p.dev === undefined) throw usageError('Not enough information: "dev" argument is required.');
    const index = await s.ifindex(p.dev);
    const nl = await s.api();
    // Deleting a veth end takes its peer (maybe by another name) along: names are stale now.
    s.forgetNames(null);
    await nl.link.del(index);
    return 0;
  }

  if (p.group !== undefined && p.dev === undefined) {
    if (mode === 'add') throw new CliExit(1, 'group cannot be used when creating devices.');
    throw usageError('nlkit: "link set group GROUP" (without a device) is not supported');
  }

  if (mode === 'set') {
    if (p.dev === undefined) throw usageError('Not enough information: "dev" argument is required.');
    if (p.index !== undefined) throw usageError('index can be used only when creating devices.');
    const index = await s.ifindex(p.dev);
    const changes: Record<string, unknown> = { ...p.common };
    if (p.group !== undefined) changes['group'] = p.group;
    if (p.name !== undefined) changes['name'] = p.name;
    if (p.link !== undefined) throw usageError('nlkit: "link set ... link DEV" is not supported');
    if (p.type !== undefined) {
      const { parseKindOptions } = await import('./link-kinds.js');
      Object.assign(changes, await parseKindOptions(p.type, kindArgs ?? new Args([]), s, 'set'));
      changes['type'] = p.type;
    }
    const nl = await s.api();
    if (changes['name'] !== undefined || changes['netns'] !== undefined) s.forgetNames(null);
    await nl.link.set(index, changes as LinkChanges);
    return 0;
  }

  // add
  const name = p.name ?? p.dev;
  if (name === '') throw invarg('"" is not a valid device identifier\n', 'name');
  if (name !== undefined && Buffer.byteLength(name) + 1 > 16) throw invarg('"name" too long\n', name);
  if (p.type === undefined) throw new CliExit(1, 'Not enough information: "type" argument is required');
  const spec: Record<string, unknown> = { ...p.common, type: p.type };
  if (name !== undefined) spec['name'] = name;
  if (p.index !== undefined && p.index > 0) spec['index'] = p.index;
  for (const k of ['promisc', 'arp', 'multicast', 'allmulticast', 'dynamic', 'trailers', 'carrier', 'protodown']) {
    if (spec[k] !== undefined) throw usageError(`nlkit: "${k}" is not supported by "link add" (use "link set")`);
  }
  if (spec['master'] === null) delete spec['master'];
  if (p.link !== undefined) spec['link'] = await s.ifindex(p.link);
  const { parseKindOptions } = await import('./link-kinds.js');
  Object.assign(spec, await parseKindOptions(p.type, kindArgs ?? new Args([]), s, 'add'));
  if (name === undefined) throw usageError('nlkit: "link add" needs a name');
  const nl = await s.api();
  const { kindDef } = await import('../api/link-kinds/index.js');
  if (!kindDef(p.type)) {
    // A kind the API does not model: the request ip sends, and the kernel's answer
    // ("Error: Unknown device type." for kinds it lacks too).
    const attrs: Record<string, unknown> = { ifname: name, linkinfo: { kind: p.type } };
    const c = p.common;
    if (c['address'] !== undefined) attrs['address'] = c['address'];
    if (c['broadcast'] !== undefined) attrs['broadcast'] = c['broadcast'];
    if (c['mtu'] !== undefined) attrs['mtu'] = c['mtu'];
    if (c['txqueuelen'] !== undefined) attrs['txqlen'] = c['txqueuelen'];
    if (typeof c['master'] === 'number') attrs['master'] = c['master'];
    if (spec['link'] !== undefined) attrs['link'] = spec['link'];
    const up = c['up'];
    await nl.client.request({
      type: 'RTM_NEWLINK',
      flags: ['NLM_F_CREATE', 'NLM_F_EXCL'],
      header: { family: 0, type: 0, index: p.index ?? 0, flags: up === true ? 1 : 0, change: up === undefined ? 0 : 1 },
      attrs,
    });
    return 0;
  }
  await nl.link.add(spec as unknown as LinkAddSpec);
  return 0;
}

