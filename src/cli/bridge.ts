/**
 * `nlkit bridge`: the `bridge` command's `fdb show|add|append|replace|del` and `link show`, with
 * its syntax (bridge/fdb.c, bridge/link.c), its options after `bridge` (`-j`, `-p`, `-d`, `-s`,
 * `-n`), its output and its exit status (255 for every failure, as `bridge` does). FDB changes go
 * through `nl.fdb`.
 *
 * @module
 */
import type { FdbSpec } from '../api/fdb.js';
import type { Message } from '../netlink/message.js';
import { Args, CliExit, duparg, duparg2, getUnsigned, HelpRequest, invarg, isCliExit, isHelpRequest, matches } from './args.js';
import { getAddr } from './inet.js';
import { parseGlobal } from './ip.js';
import { failure, type Session } from './session.js';

const AF_BRIDGE = 7;
const NUD_PERMANENT = 0x80;
const NUD_NOARP = 0x40;
const NUD_STALE = 0x04;
const NUD_REACHABLE = 0x02;

/** `nlkit bridge [ OPTIONS ] OBJECT ...`. */
export async function runBridge(a: Args, s: Session): Promise<number> {
  // bridge's own options may follow the word `bridge`.
  const g = parseGlobal(a.rest(), s.opts);
  if (g.help) throw new HelpRequest('bridge');
  const w = new Args(g.rest);
  try {
    if (!w.more) throw new HelpRequest('bridge');
    const obj = w.word;
    w.skip();
    if (matches(obj, 'link')) return await link(w, s);
    if (matches(obj, 'fdb')) return await fdb(w, s);
    if (matches(obj, 'help')) throw new HelpRequest('bridge');
    if (matches(obj, 'mdb') || matches(obj, 'vlan') || matches(obj, 'monitor')) throw new CliExit(255, `Object "${obj}" is not supported by nlkit bridge, try "nlkit bridge help".`);
    throw new CliExit(255, `Object "${obj}" is unknown, try "nlkit bridge help".`);
  } catch (e) {
    if (isHelpRequest(e)) throw e;
    // bridge ends every failure with exit(-1)
    const f = isCliExit(e) ? e : failure(e);
    throw new CliExit(255, f.text);
  }
}

// ---------------------------------------------------------------------------------------------
// fdb

async function fdb(a: Args, s: Session): Promise<number> {
  if (!a.more) return fdbShow(a, s);
  const cmd = a.word;
  a.skip();
  if (matches(cmd, 'add')) return fdbModify(a, s, 'add');
  if (matches(cmd, 'append')) return fdbModify(a, s, 'append');
  if (matches(cmd, 'replace')) return fdbModify(a, s, 'replace');
  if (matches(cmd, 'delete')) return fdbModify(a, s, 'del');
  if (matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list')) return fdbShow(a, s);
  if (matches(cmd, 'help')) throw new HelpRequest('bridge:fdb');
  if (matches(cmd, 'get') || matches(cmd, 'flush')) throw new CliExit(255, `nlkit: "bridge fdb ${cmd}" is not supported`);
  throw new CliExit(255, `Command "${cmd}" is unknown, try "nlkit bridge fdb help".`);
}

async function fdbModify(a: Args, s: Session, cmd: 'add' | 'append' | 'replace' | 'del'): Promise<number> {
  const spec: Record<string, unknown> = {};
  let dev: string | undefined;
  let addr: string | undefined;
  while (a.more) {
    const w = a.word;
    if (w === 'dev') dev = a.next();
    else if (w === 'dst') {
      const v = a.next();
      if (spec['dst'] !== undefined) throw duparg2('dst', v);
      spec['dst'] = getAddr(v, s.opts.family === 2 || s.opts.family === 10 ? s.opts.family : 0).address;
    } else if (w === 'nhid') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('"id" value is invalid\n', v);
      spec['nhid'] = n;
    } else if (w === 'port') {
      const v = a.next();
      const n = getUnsigned(v, 0xffff);
      if (n === undefined) throw invarg('invalid port\n', v);
      spec['port'] = n;
    } else if (w === 'vni' || w === 'src_vni') {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined || n >= 1 << 24) throw invarg(w === 'vni' ? 'invalid VNI\n' : 'invalid src VNI\n', v);
      spec[w === 'vni' ? 'vni' : 'srcVni'] = n;
    } else if (w === 'via') {
      spec['via'] = await s.ifindex(a.next());
    } else if (w === 'self') spec['self'] = true;
    else if (matches(w, 'master')) spec['master'] = true;
    else if (matches(w, 'router')) spec['router'] = true;
    else if (matches(w, 'local') || matches(w, 'permanent')) spec['permanent'] = true;
    else if (matches(w, 'temp') || matches(w, 'static')) spec['static'] = true;
    else if (matches(w, 'dynamic')) spec['dynamic'] = true;
    else if (matches(w, 'vlan')) {
      if (spec['vlan'] !== undefined) throw duparg2('vlan', w);
      const v = a.next();
      spec['vlan'] = Number.parseInt(v, 10) || 0;
    } else if (matches(w, 'use')) spec['use'] = true;
    else if (matches(w, 'extern_learn')) spec['externLearn'] = true;
    else if (matches(w, 'sticky')) spec['sticky'] = true;
    else {
      let v = w;
      if (w === 'to') v = a.next();
      if (matches(v, 'help')) throw new HelpRequest('bridge:fdb');
      if (addr !== undefined) throw duparg2('to', v);
      addr = v;
    }
    a.skip();
  }
  if (dev === undefined || addr === undefined) throw new CliExit(255, 'Device and address are required arguments.');
  const m = /^([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})/.exec(addr);
  if (!m) throw new CliExit(255, `Invalid mac address ${addr}`);
  spec['lladdr'] = m.slice(1, 7).map((x) => x.padStart(2, '0').toLowerCase()).join(':');
  spec['dev'] = await s.ifindex(dev);
  const nl = await s.api();
  const f = spec as unknown as FdbSpec;
  if (cmd === 'add') await nl.fdb.add(f);
  else if (cmd === 'append') await nl.fdb.append(f);
  else if (cmd === 'replace') await nl.fdb.replace(f);
  else {
    for (const k of ['permanent', 'static', 'dynamic']) delete spec[k];
    await nl.fdb.del(f);
  }
  return 0;
}

function fdbState(word: string): number | undefined {
  if (matches(word, 'permanent')) return NUD_PERMANENT;
  if (matches(word, 'static') || matches(word, 'temp')) return NUD_NOARP;
  if (matches(word, 'stale')) return NUD_STALE;
  if (matches(word, 'reachable') || matches(word, 'dynamic')) return NUD_REACHABLE;
  if (word === 'all') return 0xffffffff;
  return getUnsigned(word);
}

async function fdbShow(a: Args, s: Session): Promise<number> {
  let dev: string | undefined;
  let br: string | undefined;
  let vlan = 0;
  let state = 0;
  let dynamic = false;
  while (a.more) {
    const w = a.word;
    if (w === 'brport' || w === 'dev') dev = a.next();
    else if (w === 'br') br = a.next();
    else if (w === 'vlan') {
      const v = a.next();
      if (vlan) throw duparg('vlan', v);
      vlan = Number.parseInt(v, 10) || 0;
    } else if (w === 'state') {
      const v = a.next();
      const st = fdbState(v);
      if (st === undefined) throw invarg('invalid state', v);
      state |= st;
    } else if (w === 'dynamic') dynamic = true;
    else if (matches(w, 'help')) throw new HelpRequest('bridge:fdb');
    a.skip();
  }
  const attrs: Record<string, unknown> = {};
  if (br !== undefined) {
    const idx = await s.ifindexOrUndefined(br);
    if (!idx) throw new CliExit(255, `Cannot find bridge device "${br}"`);
    attrs['master'] = idx;
  }
  let ifindex = 0;
  if (dev !== undefined) ifindex = await s.ifindex(dev);
  const msgs = await s.dump({ type: 'RTM_GETNEIGH', header: { family: AF_BRIDGE, ifindex, state: 0, flags: 0, type: 0 }, attrs });
  const shown = msgs.filter((m) => {
    const h = m.header as Record<string, number>;
    if (m.type !== 'RTM_NEWNEIGH' || h['family'] !== AF_BRIDGE) return false;
    if (ifindex && h['ifindex'] !== ifindex) return false;
    if (state && !((h['state'] ?? 0) & state)) return false;
    if (vlan && (m.attrs as { vlan?: number }).vlan !== vlan) return false;
    if (dynamic && (h['state'] ?? 0) & NUD_PERMANENT) return false;
    return true;
  });
  const links = await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } });
  const ctx = await s.viewContext(links);
  const view = await import('../view/ip-json.js');
  const opts = { stats: s.opts.stats };
  if (s.opts.json) {
    const out: unknown[] = [];
    for (const m of shown) {
      const o = view.fdbJson(m, ctx, opts);
      if (!o) continue;
      // With a device filter bridge leaves the device out.
      if (ifindex) delete o['ifname'];
      out.push(o);
    }
    s.outJson(out);
  } else {
    let text = '';
    for (const m of shown) {
      let line = view.fdbText(m, ctx, opts);
      if (ifindex) line = line.replace(/^(\S+) dev \S+ /, '$1 ');
      text += line;
    }
    s.out(text);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// link

const PORT_STATES = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/** The bridge port options `bridge -d link` prints: [attribute, name]. */
const PORT_FLAGS: ReadonlyArray<readonly [string, string]> = [
  ['mode', 'hairpin'],
  ['guard', 'guard'],
  ['protect', 'root_block'],
  ['fast_leave', 'fastleave'],
  ['learning', 'learning'],
  ['learning_sync', 'learning_sync'],
  ['unicast_flood', 'flood'],
  ['mcast_flood', 'mcast_flood'],
  ['bcast_flood', 'bcast_flood'],
  ['multicast_router', 'mcast_router'],
  ['mcast_to_ucast', 'mcast_to_unicast'],
  ['neigh_suppress', 'neigh_suppress'],
  ['vlan_tunnel', 'vlan_tunnel'],
  ['backup_port', 'backup_port'],
  ['isolated', 'isolated'],
  ['locked', 'locked'],
];

async function link(a: Args, s: Session): Promise<number> {
  if (a.more) {
    const cmd = a.word;
    a.skip();
    if (matches(cmd, 'set') || matches(cmd, 'change')) throw new CliExit(255, 'nlkit: "bridge link set" is not supported; use "nlkit link set DEV type bridge_slave ..." with ip');
    if (matches(cmd, 'help')) throw new HelpRequest('bridge:link');
    if (!(matches(cmd, 'show') || matches(cmd, 'lst') || matches(cmd, 'list'))) throw new CliExit(255, `Command "${cmd}" is unknown, try "nlkit bridge link help".`);
  }
  let dev: string | undefined;
  let master = 0;
  while (a.more) {
    if (a.word === 'dev') {
      const v = a.next();
      if (dev !== undefined) throw duparg('dev', v);
      dev = v;
    } else if (a.word === 'master') {
      master = await s.ifindex(a.next());
    }
    a.skip();
  }
  const filterIndex = dev === undefined ? 0 : await s.ifindex(dev);
  const msgs = await s.dump({ type: 'RTM_GETLINK', header: { family: AF_BRIDGE }, ...(s.opts.details ? { attrs: { ext_mask: 1 << 1 } } : {}) });
  const links = await s.dump({ type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 1 << 3 } });
  const ctx = await s.viewContext(links);
  const [{ IpPrinter, ANY, JSON_ONLY }, { printLinkFlags }] = await Promise.all([import('../view/printer.js'), import('../view/link.js')]);
  const { nameAndLink } = await import('./ipaddr.js');
  const json: unknown[] = [];
  let text = '';
  for (const m of msgs) {
    const h = m.header as Record<string, number>;
    if (m.type !== 'RTM_NEWLINK' || (h['family'] !== AF_BRIDGE && h['family'] !== 0)) continue;
    if (filterIndex && h['index'] !== filterIndex) continue;
    const at = m.attrs as Record<string, unknown>;
    if (master && at['master'] !== master) continue;
    // With the VLAN filter mask the kernel also reports the bridges themselves; bridge lists ports.
    if (at['master'] === h['index']) continue;
    const p = new IpPrinter(s.opts.json, s.opts.oneline);
    p.num(ANY, 'ifindex', '%d: ', h['index'] ?? 0);
    const mdown = nameAndLink(p, m, ctx, '%s: ');
    printLinkFlags(p, h['flags'] ?? 0, mdown);
    if (typeof at['mtu'] === 'number') p.num(ANY, 'mtu', 'mtu %u ', at['mtu']);
    if (typeof at['master'] === 'number') p.str(ANY, 'master', 'master %s ', ctx.links.get(at['master'])?.name ?? `if${at['master']}`);
    const pi = at['protinfo'];
    if (pi !== null && typeof pi === 'object') {
      const b = pi as Record<string, unknown>;
      const st = b['state'];
      if (typeof st === 'number') {
        if (st < PORT_STATES.length) p.str(ANY, 'state', 'state %s ', PORT_STATES[st]);
        else p.num(ANY, 'state', 'state (%d) ', st);
      }
      if (typeof b['priority'] === 'number') p.num(ANY, 'priority', 'priority %u ', b['priority']);
      if (typeof b['cost'] === 'number') p.num(ANY, 'cost', 'cost %u ', b['cost']);
      if (s.opts.details) {
        p.fp('%s    ', p.sl);
        for (const [key, name] of PORT_FLAGS) {
          const v = b[key];
          if (v === undefined) continue;
          if (name === 'mcast_router') p.num(ANY, name, 'mcast_router %u ', Number(v));
          else if (name === 'backup_port') p.str(ANY, name, 'backup_port %s ', ctx.links.get(Number(v))?.name ?? `if${v}`);
          else if (p.json) p.bool(JSON_ONLY, name, null, Number(v) !== 0);
          else p.fp('%s %s ', name, Number(v) ? 'on' : 'off');
        }
      }
    } else if (typeof pi === 'number') {
      p.str(ANY, 'state', 'state %s ', PORT_STATES[pi] ?? String(pi));
    }
    p.fp('\n');
    if (s.opts.json) json.push(p.result());
    else text += p.output();
  }
  if (s.opts.json) s.outJson(json);
  else s.out(text);
  return 0;
}

export type { Message };
