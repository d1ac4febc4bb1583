// The ip views without a kernel: fixtures/ip-view.json.gz holds, for ip/bridge listing commands
// run on a real topology (recorded by fixtures/record-ip-view.ts), the netlink datagrams each
// run exchanged and what it printed. The same datagrams rendered by nlkit must print the same:
// JSON key for key (the bytes are the same, so nothing is volatile) and text line for line.
// Also the printf and name helpers the views are built on.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { decodeCapture } from '../../../src/decode/index.js';
import type { Message } from '../../../src/netlink/message.js';
import { rememberLink, showJson, showText, type ShowKind, type ShowOptions, viewContext, type LinkRef } from '../../../src/view/ip-json.js';
import { sprintf } from '../../../src/view/printf.js';
import { defaultNames, llAddrText, llTypeName, parseNameDb, rtProtoName, rtTableName } from '../../../src/view/names.js';
import { toJsonText } from '../../../src/view/json.js';
import { compareJson, compareText, describe } from '../../oracle/view-support/oracle.js';

interface Run {
  bin: string;
  args: string[];
  stdout: string;
  datagrams: Array<{ dir?: 'in' | 'out'; hex: string }>;
}
const fixture = JSON.parse(gunzipSync(readFileSync(new URL('./fixtures/ip-view.json.gz', import.meta.url))).toString('utf8')) as { kernel: string; iproute2: string; netns: Array<{ nsid: number; name?: string }>; runs: Run[] };

function replies(r: Run): Message[] {
  const cap = decodeCapture(r.datagrams.map((d) => `${d.dir === 'out' ? '>' : '<'} ${d.hex}`).join('\n'), { format: 'hex' });
  return cap.datagrams.flatMap((d) => d.messages).filter((m) => !m.flags.includes('NLM_F_REQUEST'));
}

function what(r: Run): { kind: ShowKind; opts: ShowOptions; json: boolean } {
  const opts: ShowOptions = {};
  let json = false;
  let kind: ShowKind = 'link';
  for (let i = 0; i < r.args.length; i++) {
    const a = r.args[i]!;
    if (a === '-j') json = true;
    else if (a === '-d') opts.details = true;
    else if (a === '-s') opts.stats = (typeof opts.stats === 'number' ? opts.stats : 0) + 1;
    else if (a === '-6') opts.family = 10;
    else if (a === '-4') opts.family = 2;
    else if (a === 'table') {
      const v = r.args[++i]!;
      opts.table = v === 'all' ? 'all' : Number(v);
    } else if (['link', 'addr', 'route', 'neigh', 'fdb'].includes(a)) kind = a as ShowKind;
  }
  return { kind, opts, json };
}

// Interface names and queue lengths of every recorded link dump (ip asks the kernel for the
// queue length when an AF_INET6 link dump lacks it).
const known = new Map<number, LinkRef>();
for (const r of fixture.runs) for (const m of replies(r)) rememberLink(known, m);
const nsids = new Map(fixture.netns.map((x) => [x.nsid, x.name]));

t.test(`recorded runs (${fixture.iproute2}, kernel ${fixture.kernel})`, async (t) => {
  for (const r of fixture.runs) {
    const msgs = replies(r);
    const links = new Map(known);
    for (const m of msgs) rememberLink(links, m);
    const ctx = { ...viewContext([], { netnsName: (id) => nsids.get(id), userName: (u) => (u === 0 ? 'root' : undefined), groupName: (g) => (g === 0 ? 'root' : undefined) }), links };
    const { kind, opts, json } = what(r);
    const name = `${r.bin} ${r.args.join(' ')}`;
    if (json) {
      const diffs = compareJson(JSON.parse(toJsonText(showJson(kind, msgs, ctx, opts))), JSON.parse(r.stdout));
      t.same(diffs, [], `${name}: ${describe(diffs)}`);
    } else {
      const diffs = compareText(showText(kind, msgs, ctx, opts), r.stdout);
      t.same(diffs, [], `${name}:\n${diffs.slice(0, 5).join('\n')}`);
    }
  }
});

t.test('printf', async (t) => {
  const cases: Array<[string, unknown[], string]> = [
    ['%d|%5d|%-5d|%05d|%+d|% d', [-3, 42, 42, 42, 7, 7], '-3|   42|42   |00042|+7| 7'],
    ['%u|%u', [-1, 4294967295], '4294967295|4294967295'],
    ['%x|%X|%#x|%#llx|%#llx|%04llx|%02x', [255, 255, 255, 0, 2n ** 40n, 26, 8], 'ff|FF|0xff|0|0x10000000000|001a|08'],
    ['%s|%-6s|%6s|%.2s', ['a', 'ab', 'ab', 'abcdef'], 'a|ab    |    ab|ab'],
    ['%4i.%.2i|%7.2f|%g|%g|%g|%g', [3, 5, 1.5, 0.5, 1e-5, 123456789, 100], '   3.05|   1.50|0.5|1e-05|1.23457e+08|100'],
    ['%hu %lu %llu %%', [65535, 2, 3n], '65535 2 3 %'],
    ['%*s|%-*d|%.*f', [4, 'x', 3, 1, 1, 2.26], '   x|1  |2.3'],
    ['%c%c|%o|%#o', [104, 'i', 8, 8], 'hi|10|010'],
  ];
  for (const [fmt, args, want] of cases) t.equal(sprintf(fmt, ...args), want, fmt);
});

t.test('names', async (t) => {
  const n = defaultNames();
  t.equal(rtProtoName(n, 4), 'static');
  t.equal(rtProtoName(n, 77), '77');
  t.equal(rtTableName(n, 254), 'main');
  t.equal(llTypeName(1), 'ether');
  t.equal(llTypeName(0xfffe), 'none');
  t.equal(llTypeName(4242), '[4242]');
  t.equal(llAddrText('0a:7b:00:01', 768), '10.123.0.1', 'ipip addresses print as IPv4');
  t.equal(llAddrText('fd:00:00:00:00:00:00:00:00:00:00:00:00:00:00:01', 769), 'fd00::1', 'ip6tnl addresses print as IPv6');
  t.equal(llAddrText('02:00:00:00:00:01', 1), '02:00:00:00:00:01');
  t.equal(llAddrText('', 1), '00', 'an empty address prints as 00 (ll_addr_n2a)');
  t.equal(llAddrText('', 768), '00');
  t.equal(llAddrText('0a:7b:00:01', 1), '0a:7b:00:01', 'only tunnel types print an IP address');
  t.equal(llAddrText('0a:7b:00:01:02:03', 768), '0a:7b:00:01:02:03', 'a tunnel address of another length stays hex');
  t.same([...parseNameDb('# comment\n100\tvpn\n0x65 hexed # trailing\nbogus line\n')], [[100, 'vpn'], [101, 'hexed']]);
});
