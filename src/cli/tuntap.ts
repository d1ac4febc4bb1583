/**
 * `nlkit tuntap`: `add`, `del`, `show|list|lst`, `help`, with iproute2's syntax and output
 * (iptuntap.c), through `nl.tuntap`.
 *
 * @module
 */
import type { TuntapAddOptions } from '../api/tuntap.js';
import { type Args, CliExit, getUnsigned, HelpRequest, matches, usageError } from './args.js';
import type { Session } from './session.js';

function usage(): never {
  throw new HelpRequest('tuntap');
}

const IFF_TUN = 0x0001;
const IFF_TAP = 0x0002;
const IFF_NO_PI = 0x1000;
const IFF_ONE_QUEUE = 0x2000;
const IFF_VNET_HDR = 0x4000;
const IFF_MULTI_QUEUE = 0x0100;
const IFF_PERSIST = 0x0800;

/** `nlkit tuntap ...`. */
export async function runTuntap(a: Args, s: Session): Promise<number> {
  if (!a.more) return show(s);
  const cmd = a.word;
  a.skip();
  if (matches(cmd, 'add')) return add(a, s);
  if (matches(cmd, 'delete')) return del(a, s);
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return show(s);
  if (matches(cmd, 'help')) usage();
  throw usageError(`Command "${cmd}" is unknown, try "nlkit tuntap help".`);
}

async function idOf(word: string, file: string, what: string): Promise<number> {
  const n = getUnsigned(word);
  if (n !== undefined) return n;
  const { readFileSync } = await import('node:fs');
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === word && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
    }
  } catch {
    // no database
  }
  throw new CliExit(1, `invalid ${what} "${word}"`);
}

interface Parsed {
  name: string | undefined;
  mode: 'tun' | 'tap' | undefined;
  o: Record<string, unknown>;
}

async function parse(a: Args): Promise<Parsed> {
  const p: Parsed = { name: undefined, mode: undefined, o: {} };
  while (a.more) {
    const w = a.word;
    if (w === 'mode') {
      const v = a.next();
      if (matches(v, 'tun')) p.mode = 'tun';
      else if (matches(v, 'tap')) p.mode = 'tap';
      else throw new CliExit(1, `Unknown tunnel mode "${v}"`);
    } else if (w === 'user') p.o['owner'] = await idOf(a.next(), '/etc/passwd', 'user');
    else if (w === 'group') p.o['group'] = await idOf(a.next(), '/etc/group', 'group');
    else if (w === 'one_queue') {
      // IFF_ONE_QUEUE has no effect since Linux 3.8
    } else if (w === 'pi') p.o['pi'] = true;
    else if (w === 'vnet_hdr') p.o['vnetHdr'] = true;
    else if (w === 'multi_queue') p.o['multiQueue'] = true;
    else if (w === 'dev') p.name = a.next();
    else if (w === 'name') p.name = a.next();
    else if (matches(w, 'help')) usage();
    else {
      if (p.name !== undefined) throw new CliExit(255, `Error: either "dev" is duplicate, or "${w}" is a garbage.`);
      p.name = w;
    }
    a.skip();
  }
  return p;
}

async function add(a: Args, s: Session): Promise<number> {
  const p = await parse(a);
  if (!p.mode) throw new CliExit(1, 'You failed to specify a tunnel mode');
  const nl = await s.api();
  const opts: Record<string, unknown> = { ...p.o, mode: p.mode };
  if (p.name !== undefined) opts['name'] = p.name;
  try {
    await nl.tuntap.add(opts as unknown as TuntapAddOptions);
  } catch (e) {
    const err = e as { code?: string; message?: string; errnoText?: string };
    if (err.code === 'EBUSY' || err.code === 'EPERM' || err.code === 'EINVAL') {
      const { errnoText, errnoNumber } = await import('../netlink/errno.js');
      throw new CliExit(1, `ioctl(TUNSETIFF): ${errnoText(errnoNumber(err.code) ?? 0)}`);
    }
    throw e;
  }
  return 0;
}

async function del(a: Args, s: Session): Promise<number> {
  const p = await parse(a);
  if (!p.mode) throw new CliExit(1, 'You failed to specify a tunnel mode');
  if (p.name === undefined) throw new CliExit(1, 'Device name is required');
  const nl = await s.api();
  try {
    await nl.tuntap.del(p.name, { mode: p.mode });
  } catch (e) {
    // ip tuntap del of a device that is not there (or of the other mode) says nothing.
    const code = (e as { code?: string }).code;
    if (code === 'ENODEV' || (e as { name?: string }).name === 'ArgumentError') return 0;
    throw e;
  }
  s.forgetNames();
  return 0;
}

async function show(s: Session): Promise<number> {
  const nl = await s.api();
  const list = await nl.tuntap.list().collect();
  const json: unknown[] = [];
  let text = '';
  for (const t of list) {
    const f = t.flags;
    const names: string[] = [];
    if (f & IFF_TUN) names.push('tun');
    if (f & IFF_TAP) names.push('tap');
    if (!(f & IFF_NO_PI)) names.push('pi');
    if (f & IFF_ONE_QUEUE) names.push('one_queue');
    if (f & IFF_VNET_HDR) names.push('vnet_hdr');
    if (f & IFF_MULTI_QUEUE) names.push('multi_queue');
    if (f & IFF_PERSIST) names.push('persist');
    if (!(f & IFF_NO_PI)) names.push('filter');
    const rest = f & ~(IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_ONE_QUEUE | IFF_VNET_HDR | IFF_MULTI_QUEUE | IFF_PERSIST);
    if (rest) names.push(`0x${rest.toString(16)}`);
    const o: Record<string, unknown> = { ifname: t.name, flags: names };
    let line = `${t.name}:${names.map((n) => ` ${n}`).join('')}`;
    if (t.owner !== undefined && t.owner !== 0xffffffff) {
      o['user'] = t.owner;
      line += ` user ${t.owner}`;
    }
    if (t.group !== undefined && t.group !== 0xffffffff) {
      o['group'] = t.group;
      line += ` group ${t.group}`;
    }
    json.push(o);
    text += `${line}\n`;
  }
  if (s.opts.json) s.outJson(json);
  else s.out(text);
  return 0;
}
