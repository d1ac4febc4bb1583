// Generic netlink's controller (nlctrl) without a kernel: every datagram recorded from the real
// kernel into fixtures/generic/*.json (scripts/record-genetlink-fixtures.ts: iproute2's `genl`
// under strace and nlkit's own client, inside the sandbox's private network namespace) decodes
// through the public decoder (`family: 'generic'`) into named messages and attributes and
// re-encodes to the identical bytes; the values agree with what `genl ctrl list / get / policy`
// printed for the same state; and resolveFamily / listFamilies / familyPolicy, replayed against
// the recorded sessions, send the recorded requests and return what the kernel said.
import t, { type Test } from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMessages, encodeMessage, registerFamily, protocolOf, familyKnown, decodeCapture } from '../../src/decode/index.js';
import { messageText, enumText } from '../../src/decode/text.js';
import { fromHex, toHex } from '../../src/netlink/bytes.js';
import { DecodeContext, wireOf } from '../../src/netlink/codec.js';
import { NetlinkClient } from '../../src/netlink/client.js';
import { isNetlinkError, isDecodeError, isEncodeError } from '../../src/netlink/errors.js';
import { createFakeTransport } from '../../src/netlink/fake-transport.js';
import { decodeDatagram, encodeMessage as encodeWith, type Message } from '../../src/netlink/message.js';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import {
  CTRL_CMD,
  familyOf,
  familyPolicy,
  genericCustomCodecs,
  genericProtocol,
  genericProtocolWith,
  GENL_CTRL_GROUPS,
  GENL_ID_CTRL,
  GENL_OP_FLAGS,
  listFamilies,
  resolveFamily,
  type GenericFamily,
} from '../../src/genetlink/index.js';

const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'generic');

interface Fixture {
  kernel: string;
  recorded: string;
  command: string;
  description: string;
  datagrams: Array<{ direction: 'send' | 'recv'; family: string; hex: string }>;
  genl?: Record<string, string>;
}

const fixtureNames = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
const load = (name: string): Fixture => JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as Fixture;
const messagesOf = (fx: Fixture, direction?: 'send' | 'recv'): Message[] =>
  fx.datagrams.filter((d) => direction === undefined || d.direction === direction).flatMap((d) => decodeMessages(fromHex(d.hex)!, { family: 'generic' }));
const newFamilies = (fx: Fixture) => messagesOf(fx, 'recv').filter((m) => m.type === 'GENL_ID_CTRL' && (m.header as { cmd: number }).cmd === CTRL_CMD.NEWFAMILY);

function wirePaths(o: unknown, path: string, out: string[]): void {
  if (o === null || typeof o !== 'object') return;
  if (wireOf(o) !== undefined) out.push(path);
  if (Array.isArray(o)) o.forEach((x, i) => wirePaths(x, `${path}[${i}]`, out));
  else for (const [k, v] of Object.entries(o)) wirePaths(v, `${path}.${k}`, out);
}
function nonCanonical(m: Message): string[] {
  const out: string[] = [];
  wirePaths(m.header, 'header', out);
  wirePaths(m.attrs, 'attrs', out);
  if ((m as { wireLength?: number }).wireLength !== undefined) out.push('nlmsg_len');
  return out;
}
const hasBigint = (m: unknown): boolean => JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? '\u0000bigint' : v)).includes('\\u0000bigint');

// ---------------------------------------------------------------------------------------------
// `genl ctrl ...` output, parsed

/** A family as genl prints it: `genl ctrl list` names commands without their capabilities (flags). */
type Printed = Omit<GenericFamily, 'ops'> & { ops: Array<{ id: number; flags?: number }> };

/** The families `genl ctrl list` / `genl ctrl get` printed. */
function parseGenl(text: string): Printed[] {
  const out: Printed[] = [];
  for (const block of text.split(/^Name: /m).slice(1)) {
    const name = block.split('\n')[0]!.trim();
    const head = /ID: (0x[0-9a-f]+)\s+Version: (0x[0-9a-f]+)\s+header size: (\d+)\s+max attribs: (\d+)/.exec(block);
    if (!head) throw new Error(`cannot parse genl output for ${name}`);
    const [cmds, groups = ''] = block.split(/multicast groups:/);
    const ops = [...cmds!.matchAll(/#\d+:\s+ID-(0x[0-9a-f]+)[ \t]*\n(?:\s*Capabilities \((0x[0-9a-f]+)\))?/g)].map((m) => (m[2] === undefined ? { id: Number(m[1]) } : { id: Number(m[1]), flags: Number(m[2]) }));
    const mcastGroups: Record<string, number> = {};
    for (const m of groups.matchAll(/#\d+:\s+ID-(0x[0-9a-f]+)\s+name: (\S+)/g)) mcastGroups[m[2]!] = Number(m[1]);
    out.push({ name, id: Number(head[1]), version: Number(head[2]), hdrsize: Number(head[3]), maxattr: Number(head[4]), ops, mcastGroups });
  }
  return out;
}

/** `decoded` with the command flags left out where genl did not print them. */
function asPrinted(decoded: GenericFamily[], printed: Printed[]): Printed[] {
  return decoded.map((f, i) => ({ ...f, ops: f.ops.map((o, j) => (printed[i]?.ops[j]?.flags === undefined ? { id: o.id } : o)) }));
}

// ---------------------------------------------------------------------------------------------
// Every fixture: decode, re-encode, named, canonical

t.ok(fixtureNames.length >= 8, `${fixtureNames.length} fixtures`);

for (const name of fixtureNames) {
  t.test(`${name}: decode and re-encode`, async (t) => {
    const fx = load(name);
    t.match(fx.kernel, /^\d+\.\d+/, 'records the kernel version');
    t.ok(fx.command && fx.description && fx.datagrams.length > 0, 'has command, description and datagrams');
    fx.datagrams.forEach((d, i) => {
      t.equal(d.family, 'generic');
      const bytes = fromHex(d.hex)!;
      const msgs = decodeMessages(bytes, { family: 'generic' });
      const again = toHex(Buffer.concat(msgs.map((m) => encodeMessage(m, { family: 'generic' }))));
      t.equal(again, d.hex, `datagram ${i} (${d.direction}, ${msgs.length} × ${[...new Set(msgs.map((m) => String(m.type)))].join(' ')}) re-encodes to the same bytes`);
      // What `nlkit decode --view messages -j` prints encodes back too (where JSON can hold it: no u64 beyond 2^53).
      const plain = msgs.filter((m) => !hasBigint(m));
      const viaJson = toHex(Buffer.concat(plain.map((m) => encodeMessage(JSON.parse(JSON.stringify(m)) as Message, { family: 'generic' }))));
      t.equal(viaJson, toHex(Buffer.concat(plain.map((m) => encodeMessage(m, { family: 'generic' })))), `datagram ${i}: the same through JSON`);
    });
    const all = fx.datagrams.flatMap((d) => decodeMessages(fromHex(d.hex)!, { family: 'generic' }).map((m) => ({ direction: d.direction, m })));
    t.same(all.filter((x) => typeof x.m.type === 'number').map((x) => x.m.type), [], 'every message type is named');
    const irregular = all.filter((x) => x.direction === 'recv' && nonCanonical(x.m).length > 0).map((x) => `${String(x.m.type)}: ${nonCanonical(x.m).join(', ')}`);
    t.same(irregular, [], "the kernel's messages need no wire record (the spec says what the kernel sends)");
    const unknown = all.filter((x) => /"\d+":"/.test(JSON.stringify(x.m.attrs, (_k, v) => (typeof v === 'bigint' ? Number(v) : v))));
    t.same(unknown.map((x) => x.m.attrs), [], 'no attribute is unknown (kept by number as hex)');
  });
}

// ---------------------------------------------------------------------------------------------
// Values against genl's own output

t.test('genl ctrl list: every family, id, version, header size, max attribs, command and group', async (t) => {
  for (const name of ['genl-ctrl-list', 'nlkit-list-families']) {
    const fx = load(name);
    const printed = parseGenl(Object.values(fx.genl!)[0]!);
    t.ok(printed.length >= 2, `${name}: genl printed ${printed.length} families`);
    const decoded = newFamilies(fx).map(familyOf);
    t.same(decoded.map((f) => f.name), printed.map((f) => f.name), `${name}: the names, in the kernel's order`);
    t.same(asPrinted(decoded, printed), printed, `${name}: ids, versions, sizes, commands and multicast groups`);
    t.ok(decoded.some((f) => f.name === 'nlctrl' && f.id === GENL_ID_CTRL), 'nlctrl is 0x10');
    t.ok(decoded.filter((f) => f.name !== 'nlctrl').every((f) => f.id >= 0x13), 'the others have dynamic ids (from GENL_START_ALLOC)');
  }
});

t.test('genl ctrl get: one family, by name and by id; nlkit resolveFamily the same', async (t) => {
  for (const name of ['genl-ctrl-get-nlctrl', 'genl-ctrl-get-id', 'nlkit-resolve-nlctrl']) {
    const fx = load(name);
    const printed = parseGenl(Object.values(fx.genl!)[0]!);
    t.same(newFamilies(fx).map(familyOf), printed, name);
  }
  const [ctrl] = newFamilies(load('nlkit-resolve-nlctrl')).map(familyOf);
  t.same(ctrl, {
    name: 'nlctrl',
    id: 16,
    version: 2,
    hdrsize: 0,
    maxattr: 0,
    ops: [
      { id: CTRL_CMD.GETFAMILY, flags: GENL_OP_FLAGS.CMD_CAP_DO | GENL_OP_FLAGS.CMD_CAP_DUMP | GENL_OP_FLAGS.CMD_CAP_HASPOL },
      { id: CTRL_CMD.GETPOLICY, flags: GENL_OP_FLAGS.CMD_CAP_DUMP | GENL_OP_FLAGS.CMD_CAP_HASPOL },
    ],
    mcastGroups: { notify: 16 },
  });
  t.equal(ctrl!.mcastGroups['notify'], GENL_CTRL_GROUPS.notify, "GENL_CTRL_GROUPS.notify is the kernel's");
});

t.test('genl ctrl policy name nlctrl: the policies the kernel dumps', async (t) => {
  const fx = load('genl-ctrl-policy-nlctrl');
  const text = Object.values(fx.genl!)[0]!;
  const types = genericProtocol.def.enums['nl-attr-type']!;
  const fromGenl = new Set<string>();
  for (const m of text.matchAll(/op (\d+) policies: (.*)/g)) fromGenl.add(`op ${m[1]} ${m[2]!.trim()}`);
  for (const m of text.matchAll(/policy\[(\d+)\]:attr\[(\d+)\]: type=(\w+)(?: range:\[(-?\d+),(-?\d+)\])?(?: max len:(\d+))?/g)) {
    fromGenl.add(`policy ${m[1]} attr ${m[2]} ${m[3]}${m[4] !== undefined ? ` [${m[4]},${m[5]}]` : ''}${m[6] !== undefined ? ` max ${m[6]}` : ''}`);
  }
  const fromBytes = new Set<string>();
  for (const m of messagesOf(fx, 'recv')) {
    const a = m.attrs as { op_policy?: Record<string, { do?: number; dump?: number }>; policy?: Record<string, Record<string, Record<string, number | bigint>>> };
    for (const [cmd, p] of Object.entries(a.op_policy ?? {})) fromBytes.add(`op ${cmd} ${[p.do !== undefined ? `do=${p.do}` : '', p.dump !== undefined ? `dump=${p.dump}` : ''].filter(Boolean).join(' ')}`);
    for (const [idx, attrs] of Object.entries(a.policy ?? {})) {
      for (const [n, p] of Object.entries(attrs)) {
        const type = enumText(types, p['type'])!.replace('NL_ATTR_TYPE_', '');
        const range = p['min_value_u'] !== undefined ? ` [${p['min_value_u']},${p['max_value_u']}]` : p['min_value_s'] !== undefined ? ` [${p['min_value_s']},${p['max_value_s']}]` : '';
        fromBytes.add(`policy ${idx} attr ${n} ${type}${range}${p['max_length'] !== undefined ? ` max ${p['max_length']}` : ''}`);
      }
    }
  }
  t.ok(fromGenl.size >= 5, `genl printed ${fromGenl.size} policy lines`);
  t.same([...fromBytes].sort(), [...fromGenl].sort(), 'the decoded policies are what genl printed');
  t.ok(fromBytes.has('policy 0 attr 2 NUL_STRING max 15'), 'CTRL_ATTR_FAMILY_NAME: a NUL string of at most GENL_NAMSIZ - 1');
});

t.test('netdev policy: NL_ATTR_TYPE_UINT, masks, nested policies, u64 ranges beyond 2^53', async (t) => {
  const msgs = messagesOf(load('nlkit-policy-netdev'), 'recv');
  const attrs = msgs.flatMap((m) => Object.values(((m.attrs as { policy?: Record<string, Record<string, Record<string, unknown>>> }).policy ?? {})).flatMap((p) => Object.values(p)));
  t.ok(attrs.some((a) => a['type'] === 17), 'NL_ATTR_TYPE_UINT = 17 (6.7+, not in the 6.1 headers)');
  t.ok(attrs.some((a) => a['max_value_u'] === 0xffffffffffffffffn), 'an unlimited u64 range decodes as a bigint');
  t.ok(attrs.some((a) => a['type'] === 13 && typeof a['policy_idx'] === 'number' && typeof a['policy_maxtype'] === 'number'), 'a nest points at its policy');
  t.ok(attrs.some((a) => typeof a['mask'] === 'number'), 'NL_POLICY_TYPE_ATTR_MASK');
});

// ---------------------------------------------------------------------------------------------
// Flags, headers, errors: how the messages read

t.test('flags are named by the op of GENL_ID_CTRL (get): dumps are NLM_F_DUMP', async (t) => {
  const list = load('genl-ctrl-list');
  const [req] = messagesOf(list, 'send');
  t.same(req!.flags, ['NLM_F_REQUEST', 'NLM_F_DUMP'], 'the GETFAMILY dump request');
  t.same(req!.header, { cmd: CTRL_CMD.GETFAMILY, version: 0, reserved: 0 }, 'genl sends version 0');
  const replies = messagesOf(list, 'recv');
  t.ok(replies.slice(0, -1).every((m) => m.flags.length === 1 && m.flags[0] === 'NLM_F_MULTI'), 'dump entries: NLM_F_MULTI');
  t.equal(replies.at(-1)!.type, 'NLMSG_DONE');
  const [get] = messagesOf(load('nlkit-resolve-nlctrl'), 'send');
  t.same(get!.flags, ['NLM_F_REQUEST', 'NLM_F_ACK']);
  const [reply] = newFamilies(load('nlkit-resolve-nlctrl'));
  t.same(reply!.flags, [], 'a do reply has no flags');
  const [pol] = messagesOf(load('genl-ctrl-policy-nlctrl'), 'send');
  t.same(pol!.flags, ['NLM_F_REQUEST', 'NLM_F_DUMP'], 'the GETPOLICY dump request');
  const text = messageText(reply!, genericProtocol);
  t.match(text, /genlmsghdr: cmd=1 \(CTRL_CMD_NEWFAMILY\) version=2/);
  t.match(text, /CTRL_ATTR_OP_FLAGS: 0xe \(GENL_CMD_CAP_DO\|GENL_CMD_CAP_DUMP\|GENL_CMD_CAP_HASPOL\)/);
  t.match(messageText(req!, genericProtocol), /GENL_ID_CTRL NLM_F_REQUEST\|NLM_F_DUMP/);
});

t.test('a family the kernel does not have: NLMSG_ERROR ENOENT echoing GENL_ID_CTRL', async (t) => {
  for (const name of ['genl-ctrl-get-enoent', 'nlkit-resolve-enoent']) {
    const fx = load(name);
    const [err] = messagesOf(fx, 'recv');
    t.equal(err!.type, 'NLMSG_ERROR', name);
    const h = err!.header as { error: number; msg: { type: string; flags: string[]; payload?: string } };
    t.equal(h.error, -2, `${name}: -ENOENT`);
    t.equal(h.msg.type, 'GENL_ID_CTRL');
    t.same(h.msg.flags, ['NLM_F_REQUEST', 'NLM_F_ACK']);
  }
  t.match(Object.values(load('genl-ctrl-get-enoent').genl!)[0]!, /No such file or directory/, 'genl says so too');
});

// ---------------------------------------------------------------------------------------------
// The API, replayed against the recorded sessions

/** A client whose transport answers each recorded request with the datagrams the kernel sent after it. */
function replay(t: Test, name: string): { client: NetlinkClient; sent: () => string[] } {
  const fx = load(name);
  const pid = decodeDatagram(genericProtocol, fromHex(fx.datagrams.find((d) => d.direction === 'recv')!.hex)!)[0]!.pid;
  let at = 0;
  const transport = createFakeTransport(
    (datagram) => {
      const expected = fx.datagrams[at];
      if (expected?.direction !== 'send') throw new Error(`${name}: unexpected request ${toHex(datagram)}`);
      t.equal(toHex(datagram), expected.hex, `${name}: request ${at} is the recorded one`);
      at++;
      const out: Uint8Array[] = [];
      while (fx.datagrams[at]?.direction === 'recv') out.push(fromHex(fx.datagrams[at++]!.hex)!);
      return out;
    },
    { protocol: 16, portId: pid },
  );
  const client = new NetlinkClient(transport, genericProtocol, { timeout: 5000 });
  t.teardown(() => client.close());
  return { client, sent: () => transport.sent.map((d) => toHex(d)) };
}

t.test('resolveFamily, listFamilies, familyPolicy over the recorded sessions', async (t) => {
  const ctrl = await resolveFamily(replay(t, 'nlkit-resolve-nlctrl').client, 'nlctrl');
  t.same(ctrl, parseGenl(Object.values(load('nlkit-resolve-nlctrl').genl!)[0]!)[0], "resolveFamily('nlctrl') is what genl ctrl get printed");
  t.equal(ctrl.id, 16);

  const err = await resolveFamily(replay(t, 'nlkit-resolve-enoent').client, 'nl80211').then(
    () => undefined,
    (e: unknown) => e,
  );
  t.ok(isNetlinkError(err), 'a NetlinkError');
  t.equal((err as { code: string }).code, 'ENOENT');
  t.equal((err as { errno: number }).errno, 2);

  const list = await listFamilies(replay(t, 'nlkit-list-families').client);
  const printed = parseGenl(Object.values(load('nlkit-list-families').genl!)[0]!);
  t.same(asPrinted(list, printed), printed, 'listFamilies is what genl ctrl list printed');
  t.same(list, newFamilies(load('nlkit-list-families')).map(familyOf), 'with the capabilities of every command');

  const pol = await familyPolicy(replay(t, 'nlkit-policy-getfamily').client, 'nlctrl', { op: CTRL_CMD.GETFAMILY });
  t.same(pol, {
    ops: { 3: { do: 0, dump: 0 } },
    policies: { 0: { 1: { min_value_u: 0, max_value_u: 0xffff, type: 3 }, 2: { max_length: 15, type: 12 } } },
  }, 'CTRL_CMD_GETFAMILY takes a u16 CTRL_ATTR_FAMILY_ID and a NUL string CTRL_ATTR_FAMILY_NAME');
  const netdev = await familyPolicy(replay(t, 'nlkit-policy-netdev').client, 'netdev');
  t.ok(Object.keys(netdev.ops).length >= 5 && Object.keys(netdev.policies).length >= 5, 'a whole family: every command, every policy');
  t.equal(netdev.policies[netdev.ops[1]!.do!]![1]!.type, 4, 'NETDEV_CMD_DEV_GET do: NETDEV_A_DEV_IFINDEX is a u32');
});

t.test('familyPolicy by id; nlctrl requests need a generic client', async (t) => {
  const transport = createFakeTransport((d) => {
    const [req] = decodeDatagram(genericProtocol, d);
    return [encodeWith(genericProtocol, { type: 'NLMSG_DONE', seq: req!.seq, pid: 4242, flags: ['NLM_F_MULTI'], header: { error: 0 } })];
  }, { protocol: 16 });
  const client = new NetlinkClient(transport, genericProtocol);
  t.teardown(() => client.close());
  t.same(await familyPolicy(client, 16), { policies: {}, ops: {} }, 'an empty dump: nothing');
  const [m] = decodeDatagram(genericProtocol, transport.sent[0]!);
  t.same(m!.attrs, { family_id: 16 }, 'by id: CTRL_ATTR_FAMILY_ID');
  t.same(m!.header, { cmd: CTRL_CMD.GETPOLICY, version: 1, reserved: 0 });

  const route = new NetlinkClient(createFakeTransport(() => []), routeProtocol());
  t.teardown(() => route.close());
  await t.rejects(resolveFamily(route, 'nlctrl'), TypeError);
  await t.rejects(listFamilies(route), /NETLINK_GENERIC client/);
  await t.rejects(familyPolicy(route, 'nlctrl'), TypeError);

  // An ACK without a NEWFAMILY reply (not what a kernel does): said so.
  const odd = createFakeTransport((d) => {
    const [req] = decodeDatagram(genericProtocol, d);
    return [encodeWith(genericProtocol, { type: 'NLMSG_ERROR', seq: req!.seq, pid: 4242, flags: ['NLM_F_CAPPED'], header: { error: 0, msg: { len: d.length, type: 'GENL_ID_CTRL', flags: ['NLM_F_REQUEST', 'NLM_F_ACK'], seq: req!.seq, pid: 0 } } })];
  }, { protocol: 16 });
  const oddClient = new NetlinkClient(odd, genericProtocol);
  t.teardown(() => oddClient.close());
  await t.rejects(resolveFamily(oddClient, 'x'), /without a CTRL_CMD_NEWFAMILY reply/);
});

t.test('familyOf: absent attributes', async (t) => {
  t.same(familyOf({ attrs: {} }), { name: '', id: 0, version: 0, hdrsize: 0, maxattr: 0, ops: [], mcastGroups: {} });
  t.same(familyOf({ attrs: { family_name: 'x', ops: [{}], mcast_groups: [{ name: 'g' }, { id: 3 }] } }).ops, [{ id: 0, flags: 0 }]);
});

// ---------------------------------------------------------------------------------------------
// The decoder's 'generic' family

t.test("the decoder's generic family: nlctrl built in, dynamic ids as hex, registrable", async (t) => {
  t.equal(protocolOf('generic'), genericProtocol);
  t.ok(familyKnown(16) && familyKnown('generic'));
  // A message of a dynamic family (ethtool's id here): framing only, the body (genlmsghdr included) as hex.
  const ethtoolId = newFamilies(load('genl-ctrl-list')).map(familyOf).find((f) => f.name === 'ethtool')?.id ?? 0x15;
  const body = '01010000' + '0800010002000000';
  const msg = `${toHex(Uint8Array.of(16 + body.length / 2, 0, 0, 0, ethtoolId, 0, 1, 0, 7, 0, 0, 0, 0, 0, 0, 0))}${body}`;
  const [m] = decodeMessages(fromHex(msg)!, { family: 'generic' });
  t.same(m, { type: ethtoolId, flags: ['NLM_F_REQUEST'], seq: 7, pid: 0, header: {}, attrs: {}, payload: body }, 'a dynamic id: body as hex');
  t.equal(toHex(encodeMessage(m!, { family: 'generic' })), msg, 'and back');

  // A caller that knows the family registers it on top of nlctrl.
  const p = genericProtocolWith([
    {
      structs: { 'demo-hdr': { name: 'demo-hdr', c: 'struct genlmsghdr', fields: [{ name: 'cmd', type: 'u8' }, { name: 'version', type: 'u8' }, { name: 'reserved', type: 'u16' }] } },
      sets: { demo: { name: 'demo', prefix: 'DEMO_A_', attrs: [{ name: 'ifindex', value: 1, type: 'u32' }] } },
      messages: [{ name: 'DEMO', value: ethtoolId, header: 'demo-hdr', attrs: 'demo', op: 'other' }],
    },
  ]);
  registerFamily('generic', p);
  t.teardown(() => registerFamily('generic', genericProtocol));
  const [d] = decodeMessages(fromHex(msg)!, { family: 'generic' });
  t.same(d, { type: 'DEMO', flags: ['NLM_F_REQUEST'], seq: 7, pid: 0, header: { cmd: 1, version: 1, reserved: 0 }, attrs: { ifindex: 2 } });
  t.equal(toHex(encodeMessage(d!, { family: 'generic' })), msg);
  const [c] = decodeMessages(fromHex(load('nlkit-resolve-nlctrl').datagrams[1]!.hex)!, { family: 'generic' });
  t.equal(familyOf(c!).name, 'nlctrl', 'nlctrl still decodes');
  t.ok(p.custom['policy-dump'], 'with the policy codecs');

  // pcap: a capture says its family (16), nothing to pass.
  const cap = decodeCapture(load('genl-ctrl-list').datagrams.map((x) => x.hex).join('\n'), { format: 'hex', family: 16 });
  t.equal(cap.datagrams[1]!.family, 'generic');
  t.equal(cap.datagrams[1]!.messages[0]!.type, 'GENL_ID_CTRL');
});

// ---------------------------------------------------------------------------------------------
// The policy codecs on hand-made bytes: irregular input round-trips, bad input is reported

const nla = (type: number, payload: Uint8Array): Uint8Array => {
  const len = 4 + payload.length;
  const out = new Uint8Array((len + 3) & ~3);
  new DataView(out.buffer).setUint16(0, len, true);
  new DataView(out.buffer).setUint16(2, type, true);
  out.set(payload, 4);
  return out;
};
const cat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
const u32 = (v: number) => Uint8Array.from([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24]);
const N = 0x8000;
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
/** A GETPOLICY reply with CTRL_ATTR_FAMILY_ID 16 and `rest`. */
function policyMsg(rest: Uint8Array): Uint8Array {
  const body = cat(Uint8Array.of(10, 2, 0, 0), nla(1, Uint8Array.of(16, 0)), rest);
  const h = new Uint8Array(16);
  const v = new DataView(h.buffer);
  v.setUint32(0, 16 + body.length, true);
  v.setUint16(4, GENL_ID_CTRL, true);
  v.setUint16(6, 2, true);
  return cat(h, body);
}

t.test('policy codecs: what the kernel would send, from plain objects', async (t) => {
  const m: Message = { type: 'GENL_ID_CTRL', flags: ['NLM_F_MULTI'], seq: 0, pid: 0, header: { cmd: 10, version: 2, reserved: 0 }, attrs: { family_id: 16, policy: { 0: { 1: { type: 3, min_value_u: 0, max_value_u: 0xffff } } } } };
  const bytes = encodeMessage(m, { family: 'generic' });
  const expected = policyMsg(nla(8 | N, nla(0 | N, nla(1 | N, cat(nla(1, u32(3)), nla(4, new Uint8Array(8)), nla(5, Uint8Array.of(0xff, 0xff, 0, 0, 0, 0, 0, 0)))))));
  t.equal(toHex(bytes), toHex(expected), 'NLA_F_NESTED on every level, keys as attribute types');
  t.same(decodeMessages(bytes, { family: 'generic' })[0]!.attrs, m.attrs);
  const op = encodeMessage({ ...m, attrs: { family_id: 16, op_policy: { 3: { do: 0, dump: 0 }, 7: undefined } } }, { family: 'generic' });
  t.equal(toHex(op), toHex(policyMsg(nla(9 | N, nla(3 | N, cat(nla(1, u32(0)), nla(2, u32(0))))))));
  t.ok(isEncodeError(thrown(() => encodeMessage({ ...m, attrs: { policy: { x: {} } } }, { family: 'generic' }))), 'an EncodeError');
  t.throws(() => encodeMessage({ ...m, attrs: { policy: { x: {} } } }, { family: 'generic' }), /not an attribute number/);
  t.throws(() => encodeMessage({ ...m, attrs: { policy: { 99999: {} } } }, { family: 'generic' }), /not an attribute number/);
  t.throws(() => encodeMessage({ ...m, attrs: { policy: [1] } }, { family: 'generic' }), /expected an object keyed by number/);
  t.throws(() => encodeMessage({ ...m, attrs: { op_policy: { 1: { nope: 1 } } } }, { family: 'generic' }), /nope is not an attribute/);
});

t.test('policy codecs: irregular input keeps its bytes', async (t) => {
  const inner = cat(nla(1, u32(4)));
  const cases: Array<[string, Uint8Array]> = [
    ['keys out of order', nla(9 | N, cat(nla(5 | N, inner), nla(3 | N, inner)))],
    ['a repeated key', nla(9 | N, cat(nla(3 | N, inner), nla(3 | N, nla(2, u32(1)))))],
    ['a child without NLA_F_NESTED', nla(8 | N, nla(0, nla(1 | N, inner)))],
    ['a stray byte after the children', nla(9 | N, cat(nla(3 | N, inner), Uint8Array.of(1, 0, 0)))],
    ['non-zero padding after a child', nla(9 | N, Uint8Array.of(9, 0, 3, 0x80, 5, 0, 7, 0, 7, 0xee, 0xee, 0xee))],
  ];
  for (const [what, attr] of cases) {
    const bytes = policyMsg(attr);
    const [m] = decodeMessages(bytes, { family: 'generic' });
    t.ok(wireOf(m!.attrs), `${what}: kept verbatim`);
    t.equal(toHex(encodeMessage(m!, { family: 'generic' })), toHex(bytes), `${what}: the same bytes again`);
  }
  const [changed] = decodeMessages(policyMsg(cases[0]![1]), { family: 'generic' });
  (changed!.attrs as { op_policy: Record<string, unknown> }).op_policy['4'] = { do: 1 };
  t.equal(toHex(encodeMessage(changed!, { family: 'generic' })), toHex(policyMsg(nla(9 | N, cat(nla(3 | N, inner), nla(4 | N, nla(1, u32(1))), nla(5 | N, inner))))), 'changed: encoded afresh, in ascending order');
});

t.test('policy codecs: bad input says where', async (t) => {
  const bad: Array<[string, Uint8Array, RegExp]> = [
    ['a child shorter than its header', nla(9 | N, Uint8Array.of(2, 0, 3, 0x80)), /attribute length 2 is less than 4/],
    ['a child overrunning the nest', nla(9 | N, Uint8Array.of(40, 0, 3, 0x80)), /overruns its container/],
  ];
  for (const [what, attr, re] of bad) {
    const e = thrown(() => decodeMessages(policyMsg(attr), { family: 'generic' }));
    t.ok(isDecodeError(e), `${what}: a DecodeError`);
    t.match((e as Error).message, re, what);
    t.match((e as { path: string }).path, /CTRL_ATTR_OP_POLICY/, `${what}: in CTRL_ATTR_OP_POLICY`);
  }
  let deep = nla(1, u32(4));
  for (let i = 0; i < 3; i++) deep = nla(1 | N, deep);
  const ctx = new DecodeContext(cat(deep), { maxDepth: 1 });
  t.throws(() => genericCustomCodecs['policy-dump']!.decode(genericProtocol, ctx, 4, deep.length - 4), /deeper than 1/, 'depth is limited');
  t.equal(ctx.depth, 0, 'and the depth is given back');
});
