/**
 * `ip addr show`: iproute2 6.1's `print_addrinfo` (ipaddress.c) for one RTM_NEWADDR/RTM_DELADDR,
 * and `ipaddr_filter`'s rule for which links an address listing shows.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import { field, has, num, obj, str } from './attrs.js';
import { type ViewContext, ifName } from './context.js';
import { familyName, rtScopeName } from './names.js';
import { ANY, FP, type IpPrinter, JSON_ONLY } from './printer.js';
import { IFA_F, IFA_FLAG_NAMES } from '../rtnetlink/flags.js';


const INFINITY_LIFE_TIME = 0xffffffff;

/** The address flags: IFA_FLAGS when present (32 bits), else ifa_flags. */
export function addrFlags(m: Message): number {
  const f = num(m.attrs, 'flags');
  return f !== undefined ? f >>> 0 : field(m.header, 'flags');
}

/** Options of {@link printAddrInfo}. */
export interface AddrPrintOptions {
  /** `-o`/flush style: print `index`/`dev` (JSON) or `N: dev` (text) first. Default: false. */
  withDevice?: boolean;
}

/** print_addrinfo. Returns false when the message is not an address message. */
export function printAddrInfo(p: IpPrinter, m: Message, ctx: ViewContext, opts: AddrPrintOptions = {}): boolean {
  if (m.type !== 'RTM_NEWADDR' && m.type !== 'RTM_DELADDR') return false;
  const h = m.header;
  const a = m.attrs;
  const family = field(h, 'family');
  const index = field(h, 'index');
  const flags = addrFlags(m);
  const local = str(a, 'local') ?? str(a, 'address');
  const address = str(a, 'address') ?? str(a, 'local');

  if (m.type === 'RTM_DELADDR') p.bool(ANY, 'deleted', 'Deleted ', true);
  if (opts.withDevice) {
    const dev = ifName(ctx, index);
    if (p.json) {
      p.num(JSON_ONLY, 'index', null, index);
      p.str(JSON_ONLY, 'dev', null, dev);
    } else p.fp('%u: %s', index, dev);
  }
  const name = familyName(family);
  if (name !== '???') p.str(ANY, 'family', '    %s ', name);
  else p.num(ANY, 'family_index', '    family %d ', family);

  if (local !== undefined) {
    p.str(ANY, 'local', '%s', local);
    if (address !== undefined && address !== local) {
      p.str(FP, null, ' %s ', 'peer');
      p.str(ANY, 'address', '%s', address);
    }
    p.num(ANY, 'prefixlen', '/%d ', field(h, 'prefixlen'));
    if (has(a, 'rt_priority')) p.num(ANY, 'metric', 'metric %u ', num(a, 'rt_priority')!);
  }
  if (has(a, 'broadcast')) {
    p.str(FP, null, '%s ', 'brd');
    p.str(ANY, 'broadcast', '%s ', str(a, 'broadcast'));
  }
  if (has(a, 'anycast')) {
    p.str(FP, null, '%s ', 'any');
    p.str(ANY, 'anycast', '%s ', str(a, 'anycast'));
  }
  p.str(ANY, 'scope', 'scope %s ', rtScopeName(ctx.names, field(h, 'scope')));

  let rest = flags;
  for (const [fname, mask] of IFA_FLAG_NAMES) {
    if (mask === IFA_F.PERMANENT) {
      if (!(rest & mask)) p.bool(ANY, 'dynamic', 'dynamic ', true);
    } else if (rest & mask) {
      if (mask === IFA_F.SECONDARY && family === 10) p.bool(ANY, 'temporary', 'temporary ', true);
      else {
        p.str(FP, null, '%s ', fname);
        p.bool(JSON_ONLY, fname, null, true);
      }
    }
    rest &= ~mask;
  }
  if (rest) {
    if (p.json) p.str(JSON_ONLY, 'ifa_flags', null, rest.toString(16).padStart(2, '0'));
    else p.fp('flags %02x ', rest);
  }

  if (has(a, 'label')) p.str(ANY, 'label', '%s', str(a, 'label'));

  const ci = obj(a, 'cacheinfo');
  if (ci) {
    const valid = (num(ci, 'valid') ?? 0) >>> 0;
    const pref = (num(ci, 'prefered') ?? 0) >>> 0;
    p.nl();
    p.str(FP, null, '       valid_lft ', undefined);
    if (valid === INFINITY_LIFE_TIME) {
      p.num(JSON_ONLY, 'valid_life_time', null, INFINITY_LIFE_TIME);
      p.str(FP, null, '%s', 'forever');
    } else p.num(ANY, 'valid_life_time', '%usec', valid);
    p.str(FP, null, ' preferred_lft ', undefined);
    if (pref === INFINITY_LIFE_TIME) {
      p.num(JSON_ONLY, 'preferred_life_time', null, INFINITY_LIFE_TIME);
      p.str(FP, null, '%s', 'forever');
    } else if (flags & IFA_F.DEPRECATED) p.num(ANY, 'preferred_life_time', '%dsec', pref | 0);
    else p.num(ANY, 'preferred_life_time', '%usec', pref);
  }
  return true;
}

/**
 * ipaddr_filter: whether `ip addr show` (for `family`, 0 = all) lists a link, given all address
 * messages. Links without any address are listed only when no family is selected.
 */
export function addrListShowsLink(linkIndex: number, addrs: readonly Message[], family: number): boolean {
  let missing = true;
  for (const m of addrs) {
    if (m.type !== 'RTM_NEWADDR' || field(m.header, 'index') !== linkIndex) continue;
    missing = false;
    if (family && family !== field(m.header, 'family')) continue;
    return true;
  }
  return missing && family === 0;
}
