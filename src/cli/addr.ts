/**
 * `nlkit address`: `show|list|lst`, `add`, `change`, `replace`, `delete`, `flush`, `help`, with
 * iproute2's syntax (ipaddress.c: `ipaddr_modify`, `ipaddr_list_flush_or_save`). Changes go
 * through the high-level API (`nl.addr.add/replace/del`).
 *
 * @module
 */
import type { AddrOptions } from '../api/addr.js';
import { type Args, CliExit, duparg, duparg2, getUnsigned, HelpRequest, invarg, matches, usageError } from './args.js';
import { AF_INET, AF_INET6, getAddr, getPrefix, type Prefix } from './inet.js';
import { flushAddrs, listAddrs, parseSelector, scopeValue } from './ipaddr.js';
import type { Session } from './session.js';

function usage(): never {
  throw new HelpRequest('address');
}

/** `nlkit address ...`. */
export async function runAddr(a: Args, s: Session): Promise<number> {
  if (!a.more) {
    await listAddrs(s, await parseSelector(a, s, usage), false);
    return 0;
  }
  const cmd = a.word;
  a.skip();
  if (matches(cmd, 'add')) return modify(a, s, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return modify(a, s, 'change');
  if (matches(cmd, 'replace')) return modify(a, s, 'replace');
  if (matches(cmd, 'delete')) return modify(a, s, 'del');
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) {
    await listAddrs(s, await parseSelector(a, s, usage), false);
    return 0;
  }
  if (matches(cmd, 'flush')) {
    const given = a.more;
    await flushAddrs(s, await parseSelector(a, s, usage), given);
    return 0;
  }
  if (matches(cmd, 'save') || matches(cmd, 'showdump') || matches(cmd, 'restore')) throw usageError(`nlkit: "address ${cmd}" is not supported`);
  if (matches(cmd, 'help')) usage();
  throw usageError(`Command "${cmd}" is unknown, try "nlkit address help".`);
}

/** set_lifetime: `forever` or seconds. */
function lifetime(v: string, what: string): number | 'forever' {
  if (v === 'forever') return 'forever';
  const n = getUnsigned(v);
  if (n === undefined) throw invarg(`${what} value`, v);
  return n === 0xffffffff ? 'forever' : n;
}

/** ipaddr_modify. */
async function modify(a: Args, s: Session, cmd: 'add' | 'change' | 'replace' | 'del'): Promise<number> {
  let family = s.opts.family === AF_INET || s.opts.family === AF_INET6 ? s.opts.family : 0;
  let local: Prefix | undefined;
  let localArg = '';
  let peer: Prefix | undefined;
  let dev: string | undefined;
  let label: string | undefined;
  const o: Record<string, unknown> = {};
  let validSeen = false;
  let prefSeen = false;
  while (a.more) {
    const w = a.word;
    if (w === 'peer' || w === 'remote') {
      const v = a.next();
      if (peer) throw duparg('peer', v);
      peer = getPrefix(v, family);
      if (!family) family = peer.family;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = a.next();
      if (o['broadcast'] !== undefined) throw duparg('broadcast', v);
      o['broadcast'] = v === '+' || v === '-' ? v : getAddr(v, family).address;
    } else if (w === 'anycast') {
      throw usageError('nlkit: "anycast" is not supported');
    } else if (w === 'scope') {
      const v = a.next();
      const sc = await scopeValue(s, v);
      if (sc === undefined) throw invarg('invalid scope value.', v);
      o['scope'] = sc;
    } else if (w === 'dev') {
      dev = a.next();
    } else if (w === 'label') {
      label = a.next();
    } else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      const v = a.next();
      const n = getUnsigned(v);
      if (n === undefined) throw invarg('"metric" value is invalid\n', v);
      o['metric'] = n;
    } else if (matches(w, 'valid_lft')) {
      if (validSeen) throw duparg('valid_lft', w);
      validSeen = true;
      o['validLft'] = lifetime(a.next(), 'valid_lft');
    } else if (matches(w, 'preferred_lft')) {
      if (prefSeen) throw duparg('preferred_lft', w);
      prefSeen = true;
      o['preferredLft'] = lifetime(a.next(), 'preferred_lft');
    } else if (w === 'home') o['homeaddress'] = true;
    else if (w === 'nodad') o['nodad'] = true;
    else if (w === 'optimistic') o['optimistic'] = true;
    else if (w === 'mngtmpaddr') o['managetempaddr'] = true;
    else if (w === 'noprefixroute') o['noprefixroute'] = true;
    else if (w === 'autojoin') o['autojoin'] = true;
    else if (w === 'proto') {
      const v = a.next();
      const n = getUnsigned(v, 255);
      if (n === undefined) throw invarg('"proto" value is invalid\n', v);
      o['proto'] = n;
    } else {
      let v = w;
      if (w === 'local') v = a.next();
      if (matches(v, 'help')) usage();
      if (local) throw duparg2('local', v);
      localArg = v;
      local = getPrefix(v, family);
      if (!family) family = local.family;
    }
    a.skip();
  }
  if (dev === undefined) throw new CliExit(1, 'Not enough information: "dev" argument is required.');
  if (!local) {
    // ip sends the request without an address; the kernel refuses it.
    throw new CliExit(2, 'RTNETLINK answers: Operation not supported');
  }
  if (local.any) throw new CliExit(1, `Error: any valid prefix is expected rather than "${localArg}".`);
  if (o['validLft'] !== undefined || o['preferredLft'] !== undefined) {
    const valid = o['validLft'] ?? 'forever';
    const pref = o['preferredLft'] ?? 'forever';
    if (valid === 0) throw new CliExit(1, 'valid_lft is zero');
    const num = (x: unknown) => (x === 'forever' ? 0xffffffff : (x as number));
    if (num(valid) < num(pref)) throw new CliExit(1, 'preferred_lft is greater than valid_lft');
    o['validLft'] = valid;
    o['preferredLft'] = pref;
  }
  if (label !== undefined) o['label'] = label;
  if (peer) o['peer'] = `${peer.address}/${peer.bitlen}`;
  const cidr = local.lenGiven ? `${local.address}/${local.bitlen}` : local.address;
  const index = await s.ifindex(dev);
  const nl = await s.api();
  if (cmd === 'del') {
    if (!peer && local.family === AF_INET && !local.lenGiven) {
      s.err(
        `Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (${localArg}/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n`,
      );
    }
    const d: Record<string, unknown> = {};
    if (o['peer'] !== undefined) d['peer'] = o['peer'];
    if (label !== undefined) d['label'] = label;
    await nl.addr.del(index, cidr, d);
    return 0;
  }
  if (cmd === 'add') await nl.addr.add(index, cidr, o as AddrOptions);
  else await nl.addr.replace(index, cidr, o as AddrOptions);
  return 0;
}
