// routeTextFast (the fast path of `ip route show` for common routes) against printRoute: every
// route of a generated set, in text, -o and compact JSON, with the listing options route show
// passes, must come out byte for byte as printRoute renders it through the ListingWriter.
import t from 'tap';
import type { Message } from '../../../src/netlink/message.js';
import { viewContext } from '../../../src/view/context.js';
import { ListingWriter } from '../../../src/view/listing.js';
import { defaultNames } from '../../../src/view/names.js';
import { printRoute, routeTextFast, type RouteShowOptions } from '../../../src/view/route.js';

const ctx = viewContext(
  [
    { type: 'RTM_NEWLINK', flags: [], seq: 0, pid: 0, header: { family: 0, type: 1, index: 2, flags: 0x1043, change: 0 }, attrs: { ifname: 'eth0' } },
    { type: 'RTM_NEWLINK', flags: [], seq: 0, pid: 0, header: { family: 0, type: 1, index: 7, flags: 0x1043, change: 0 }, attrs: { ifname: 'we"ird\\n' } },
  ] as Message[],
  { names: defaultNames() },
);

function route(header: Record<string, number>, attrs: Record<string, unknown>, type = 'RTM_NEWROUTE'): Message {
  const h = { family: 2, dst_len: 32, src_len: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0, ...header };
  return { type, flags: ['NLM_F_MULTI'], seq: 1, pid: 0, header: h, attrs } as Message;
}

// Every header variation with a few attribute sets, and every attribute variation with a few headers.
const headers: Record<string, number>[] = [
  {},
  { dst_len: 0 },
  { dst_len: 24 },
  { dst_len: 8 },
  { family: 10, dst_len: 128 },
  { family: 10, dst_len: 64 },
  { type: 2 },
  { type: 6 },
  { flags: 0x200 },
  { flags: 0x4 },
  { tos: 16 },
  { src_len: 8 },
  { protocol: 2 },
  { protocol: 4 },
  { protocol: 16 },
  { protocol: 200 },
  { scope: 253 },
  { scope: 254 },
  { scope: 200 },
  { table: 255 },
  { table: 0 },
  { table: 100 },
  { protocol: 2, scope: 253 },
];
const attrSets: Record<string, unknown>[] = [
  {},
  { dst: '10.0.0.1' },
  { dst: '10.0.0.0', oif: 2 },
  { dst: '198.18.0.1', gateway: '10.123.0.2', oif: 2, table: 254 },
  { dst: '10.0.0.0', gateway: '10.0.0.1', oif: 7, table: 100 },
  { dst: '10.0.0.0', oif: 2, prefsrc: '10.0.0.5', table: 254 },
  { gateway: '192.168.1.1', oif: 2, priority: 100, table: 254 },
  { dst: '10.0.0.0', oif: 99, priority: 4294967295, table: 254 },
  { dst: '10.0.0.0', oif: 0, priority: 0 },
  { dst: '10.0.0.0', oif: 2, table: 1000 },
  { dst: '10.0.0.0', oif: 2, table: 255 },
  { dst: '10.0.0.0', oif: 2, table: 0 },
  { dst: '10.0.0.0', oif: 2, mark: 5 },
  { dst: '10.0.0.0', oif: 2, pref: 0 },
  { dst: '10.0.0.0', oif: 2, cacheinfo: { clntref: 0, lastuse: 0, expires: 0, error: 0, used: 0, id: 0, ts: 0, tsage: 0 } },
  { dst: '10.0.0.0', multipath: [{ flags: 0, hops: 0, ifindex: 2, attrs: { gateway: '10.0.0.1' } }] },
  { dst: ['10.0.0.1', '10.0.0.2'], oif: 2 },
  { dst: '10.0.0.1', oif: [2, 7] },
  { dst: 5, oif: 2 },
  { dst: '10.0.0.1', oif: '2' },
  { dst: '10.0.0.1', gateway: undefined, oif: 2 },
  { dst: '2001:db8::1', oif: 2 },
];
const messages: Message[] = [];
for (const h of headers) for (const a of attrSets) messages.push(route(h, a));
messages.push(route({}, { dst: '10.0.0.1', oif: 2 }, 'RTM_DELROUTE'));
messages.push({ type: 'RTM_NEWLINK', flags: [], seq: 1, pid: 0, header: { index: 2 }, attrs: {} } as Message);
const optionSets: RouteShowOptions[] = [{ table: 254 }, { table: 'all' }, { table: 100 }, {}, { table: 254, details: true }, { table: 'all', stats: 1 }];

function render(m: Message, opts: RouteShowOptions, json: boolean, oneline: boolean, fast: boolean): string {
  const w = new ListingWriter({ json, oneline });
  w.open();
  w.add(printRoute, m, ctx, opts, fast ? routeTextFast : undefined);
  w.close();
  return w.take();
}

t.test('the fast path prints what printRoute prints', async (t) => {
  let taken = 0;
  let checked = 0;
  for (const m of messages) {
    for (const opts of optionSets) {
      for (const [json, oneline] of [[false, false], [false, true], [true, false]] as const) {
        if (routeTextFast(m, ctx, opts, json) !== undefined) taken++;
        const general = render(m, opts, json, oneline, false);
        const fast = render(m, opts, json, oneline, true);
        if (fast !== general) t.equal(fast, general, `${JSON.stringify(m.header)} ${JSON.stringify(m.attrs)} ${JSON.stringify(opts)} json=${json} oneline=${oneline}`);
        checked++;
      }
    }
  }
  t.ok(taken > 500, `the fast path rendered ${taken} of ${checked}`);
  t.ok(taken < checked / 2, 'and left the others to printRoute');
});

t.test('a whole listing, fast and general, in text and JSON', async (t) => {
  for (const json of [false, true]) {
    const out = (fast: boolean): string => {
      const w = new ListingWriter({ json });
      w.open();
      for (const m of messages) w.add(printRoute, m, ctx, { table: 'all' }, fast ? routeTextFast : undefined);
      w.close();
      return w.take();
    };
    t.equal(out(true), out(false), json ? 'json' : 'text');
  }
  // -p (pretty JSON) never takes the fast path.
  const w = new ListingWriter({ json: true, pretty: true });
  w.open();
  w.add(printRoute, route({}, { dst: '10.0.0.1', oif: 2 }), ctx, {}, () => 'not JSON');
  w.close();
  t.match(w.take(), /"dst": "10\.0\.0\.1"/);
});
