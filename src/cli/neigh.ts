/**
 * `nlkit neighbour`: `show|list`, `add`, `del`, `change`, `replace`, `flush`, with iproute2's
 * syntax (ipneigh.c), changes through the high-level API (`nl.neigh.add/replace/del`).
 *
 * @module
 */
import type { NeighSpec } from '../api/neigh.js';
import type { Message } from '../netlink/message.js';
import { type Args, CliExit, duparg, duparg2, getUnsigned, HelpRequest, invarg, matches, usageError } from './args.js';
import { AF_INET, AF_INET6, getAddr, getPrefix, inPrefix, type Prefix } from './inet.js';
import type { Session } from './session.js';

function usage(): never {
  throw new HelpRequest('neigh');
}

const NUD: Readonly<Record<string, number>> = {
  incomplete: 0x01,
  reachable: 0x02,
  stale: 0x04,
  delay: 0x08,
  probe: 0x10,
  failed: 0x20,
  noarp: 0x40,
  permanent: 0x80,
  none: 0x00,
};
const NUD_NOARP = 0x40;
const NTF_PROXY = 0x08;
const NTF_EXT_LEARNED = 0x10;
const AF_BRIDGE = 7;

/** nud_state_a2n. */
function nudState(word: string): number | undefined {
  const w = word.toLowerCase();
  if (Object.hasOwn(NUD, w)) return NUD[w];
  return getUnsigned(word, 0xff);
}

/** `nlkit neighbour ...`. */
export async function runNeigh(a: Args, s: Session): Promise<number> {
  if (!a.more) return list(a, s, false);
  const cmd = a.word;
  a.skip();
  if (matches(cmd, 'add')) return modify(a, s, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return modify(a, s, 'change');
  if (matches(cmd, 'replace')) return modify(a, s, 'replace');
  if (matches(cmd, 'delete')) return modify(a, s, 'del');
  if (matches(cmd, 'get')) throw usageError('nlkit: "neigh get" is not supported; use "neigh show to ADDR dev DEV"');
  if (matches(cmd, 'show') || matches(cmd, 'list') || matches(cmd, 'lst')) return list(a, s, false);
  if (matches(cmd, 'flush')) return list(a, s, true);
  if (matches(cmd, 'help')) usage();
  throw usageError(`Command "${cmd}" is unknown, try "nlkit neigh help".`);
}

async function modify(a: Args, s: Session, cmd: 'add' | 'change' | 'replace' | 'del'): Promise<number> {
  const family = s.opts.family === AF_INET || s.opts.family === AF_INET6 ? s.opts.family : 0;
  const spec: Record<string, unknown> = {};
  let dst: Prefix | undefined;
  let dev: string | undefined;
  let lla: string | undefined;
  while (a.more) {
    const w = a.word;
    if (matches(w, 'lladdr')) {
      const v = a.next();
      if (lla !== undefined) throw duparg('lladdr', v);
      lla = v;
    } else if (w === 'nud') {
      const v = a.next();
      const st = nudState(v);
      if (st === undefined) throw invarg('nud state is bad', v);
      spec['state'] = st;
    } else if (matches(w, 'proxy')) {
      const v = a.next();
      if (matches(v, 'help')) usage();
      if (dst) throw duparg('address', v);
      dst = getAddr(v, family);
      spec['proxy'] = true;
      dev = dev ?? '';
    } else if (w === 'router') spec['router'] = true;
    else if (matches(w, 'extern_learn')) spec['externLearn'] = true;
    else if (w === 'use') spec['use'] = true;
    else if (w === 'managed') spec['managed'] = true;
    else if (w === 'dev') dev = a.next();
    else if (matches(w, 'protocol')) {
      const v = a.next();
      let p: number | undefined;
      for (const [id, name] of (await s.names()).protos) if (name === v) p = id;
      p ??= getUnsigned(v, 255);
      if (p === undefined) throw invarg('"protocol" value is invalid\n', v);
      spec['protocol'] = p;
    } else {
      let v = w;
      if (w === 'to') v = a.next();
      if (matches(v, 'help')) usage();
      if (dst) throw duparg2('to', v);
      dst = getAddr(v, family);
    }
    a.skip();
  }
  if (dev === undefined || dev === '' || !dst || dst.family === 0) {
    if (!(spec['proxy'] && dev === '' && dst)) throw new CliExit(255, 'Device and destination are required arguments.');
    throw new CliExit(255, 'Device and destination are required arguments.');
  }
  const index = await s.ifindex(dev);
  const nl = await s.api();
  if (cmd === 'del') {
    const d: Record<string, unknown> = { dev: index, dst: dst.address };
    if (spec['proxy']) d['proxy'] = true;
    await nl.neigh.del(d as Pick<NeighSpec, 'dev' | 'dst' | 'proxy'>);
    return 0;
  }
  if (lla !== undefined) {
    const { lladdr } = await import('./link.js');
    spec['lladdr'] = lladdr(lla);
  }
  spec['dev'] = index;
  spec['dst'] = dst.address;
  if (cmd === 'add') await nl.neigh.add(spec as unknown as NeighSpec);
  else await nl.neigh.replace(spec as unknown as NeighSpec);
  return 0;
}

function hdr(m: Message): Record<string, number> {
  return m.header as Record<string, number>;
}

async function list(a: Args, s: Session, flush: boolean): Promise<number> {
  const family = s.opts.family === AF_INET || s.opts.family === AF_INET6 ? s.opts.family : 0;
  let state = 0xff & ~NUD_NOARP;
  let stateGiven = false;
  let proxy = false;
  let dev: string | undefined;
  let pfx: Prefix | undefined;
  let master = 0;
  let unused = false;
  while (a.more) {
    const w = a.word;
    if (w === 'dev') {
      dev = a.next();
    } else if (w === 'master') {
      const v = a.next();
      const idx = await s.ifindexOrUndefined(v);
      if (!idx) throw invarg('Device does not exist\n', v);
      master = idx;
    } else if (w === 'vrf') {
      throw usageError('nlkit: "vrf" is not supported');
    } else if (w === 'nomaster') {
      master = -1;
    } else if (w === 'unused') {
      unused = true;
    } else if (w === 'nud') {
      const v = a.next();
      if (!stateGiven) {
        stateGiven = true;
        state = 0;
      }
      let st = nudState(v);
      if (st === undefined) {
        if (v !== 'all') throw invarg('nud state is bad', v);
        st = 0xffffffff;
        if (flush) st &= ~NUD_NOARP;
      }
      if (st === 0) st = 0x100;
      state |= st;
    } else if (w === 'proxy') {
      proxy = true;
    } else {
      let v = w;
      if (w === 'to') v = a.next();
      if (matches(v, 'help')) usage();
      pfx = getPrefix(v, family);
    }
    a.skip();
  }
  if (flush && dev === undefined && pfx === undefined && !stateGiven) throw new CliExit(255, 'Flush requires arguments.');
  const ifindex = dev === undefined ? 0 : await s.ifindexOrUndefined(dev);
  if (ifindex === undefined) throw new CliExit(1, `Cannot find device "${dev}"`);
  const attrs: Record<string, unknown> = {};
  if (master > 0) attrs['master'] = master;
  if (ifindex) attrs['ifindex'] = ifindex;
  const msgs = await s.dump({ type: 'RTM_GETNEIGH', header: { family, ifindex: 0, state: 0, flags: proxy ? NTF_PROXY : 0, type: 0 }, attrs });
  const shown = msgs.filter((m) => {
    if (m.type !== 'RTM_NEWNEIGH') return false;
    const h = hdr(m);
    if (h['family'] === AF_BRIDGE) return false;
    if (family && h['family'] !== family) return false;
    if (ifindex && h['ifindex'] !== ifindex) return false;
    const st = h['state'] ?? 0;
    const fl = h['flags'] ?? 0;
    if (!(state & st) && !(fl & NTF_PROXY) && !(fl & NTF_EXT_LEARNED) && (st || !(state & 0x100))) return false;
    if (master === -1 && (m.attrs as { master?: number }).master) return false;
    if (pfx && !inPrefix((m.attrs as { dst?: string }).dst, pfx)) return false;
    if (unused && ((m.attrs as { cacheinfo?: { refcnt?: number } }).cacheinfo?.refcnt ?? 0) !== 0) return false;
    return true;
  });
  if (flush) {
    const nl = await s.api();
    for (const m of shown) {
      if ((hdr(m)['state'] ?? 0) & (NUD.permanent! | NUD_NOARP) && !stateGiven) continue;
      try {
        await nl.client.request({ type: 'RTM_DELNEIGH', header: m.header as Record<string, unknown>, attrs: { dst: (m.attrs as { dst?: string }).dst } });
      } catch (e) {
        if ((e as { code?: string }).code !== 'ENOENT') throw e;
      }
    }
    return 0;
  }
  const links = await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } });
  const ctx = await s.viewContext(links);
  const view = await import('../view/ip-json.js');
  const opts = { stats: s.opts.stats };
  // With a device selector ip leaves the device out.
  if (ifindex) for (let i = 0; i < shown.length; i++) shown[i] = { ...shown[i]!, header: { ...(shown[i]!.header as Record<string, unknown>), ifindex: 0 } } as Message;
  if (s.opts.json) {
    const out: unknown[] = [];
    for (const m of shown) {
      const o = view.neighJson(m, ctx, opts);
      if (o) out.push(o);
    }
    s.outJson(out);
  } else {
    let text = '';
    for (const m of shown) text += view.neighText(m, ctx, opts);
    s.out(text);
  }
  return 0;
}
