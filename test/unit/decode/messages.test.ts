// decodeMessages / encodeMessage / decodeCapture: the contract shape, round trips (decode →
// encode gives the same bytes), families without a protocol, and bad input reported with its
// datagram, message and byte offset while the rest still decodes. A fuzz pass makes sure no
// input makes decodeCapture throw and decodeMessages throws only DecodeErrors.
import t from 'tap';
import { decodeCapture, decodeMessages, encodeMessage, familyName, familyNumber, formatProblem, protocolOf, registerFamily } from '../../../src/decode/index.js';
import { isDecodeError } from '../../../src/netlink/errors.js';
import { Protocol } from '../../../src/netlink/codec.js';
import { writePcap } from '../../../src/decode/pcap.js';
import { attr, cat, done, hex, ifinfomsg, IFLA_IFNAME, IFLA_LINKINFO, IFLA_INFO_KIND, IFLA_MTU, newlink, nlmsg, NLMSG_ERROR, RTM_GETLINK, RTM_NEWLINK, str, u32 } from './fixtures/wire.js';

t.test('the contract shape', async (t) => {
  const [m] = decodeMessages(cat(newlink(7, 'veth0', 1400, 9, 77)));
  t.same(Object.keys(m!), ['type', 'flags', 'seq', 'pid', 'header', 'attrs'], 'exactly {type, flags, seq, pid, header, attrs}');
  t.same(m, { type: 'RTM_NEWLINK', flags: ['NLM_F_MULTI'], seq: 9, pid: 77, header: { family: 0, type: 1, index: 7, flags: 0, change: 0 }, attrs: { ifname: 'veth0', mtu: 1400 } });
  const unknown = decodeMessages(nlmsg(RTM_NEWLINK, 0, 1, 0, cat(ifinfomsg(1), attr(200, Uint8Array.of(1, 2, 3)))))[0]!;
  t.same(unknown.attrs, { 200: '010203' }, 'unknown attributes under their number, as hex');
  const nested = decodeMessages(nlmsg(RTM_NEWLINK, 0, 1, 0, cat(ifinfomsg(1), attr(IFLA_LINKINFO | 0x8000, attr(IFLA_INFO_KIND, str('veth'))))))[0]!;
  t.same(nested.attrs, { linkinfo: { kind: 'veth' } }, 'IFLA_INFO_KIND inside IFLA_LINKINFO → linkinfo.kind');
  const rep = decodeMessages(nlmsg(RTM_NEWLINK, 0, 1, 0, cat(ifinfomsg(1), attr(IFLA_MTU, u32(1)), attr(IFLA_MTU, u32(2)))))[0]!;
  t.same(rep.attrs, { mtu: [1, 2] }, 'repeated attributes become arrays');
});

t.test('decode → encode gives the same bytes', async (t) => {
  const inputs = [
    newlink(1, 'lo', 65536),
    nlmsg(RTM_GETLINK, 0x301, 5, 0, cat(ifinfomsg(0, 0, 0, 17), attr(29, u32(1)))),
    nlmsg(RTM_NEWLINK, 0, 1, 0, cat(ifinfomsg(1), attr(200, Uint8Array.of(1, 2, 3)), attr(IFLA_IFNAME, str('x')))),
    nlmsg(RTM_NEWLINK, 0, 1, 0, cat(ifinfomsg(1), attr(IFLA_LINKINFO, attr(IFLA_INFO_KIND, str('bridge'))))),
    nlmsg(NLMSG_ERROR, 0x100, 3, 42, cat(u32(0xffffffed), newlink(0, 'y').subarray(0, 16))),
    done(4, 42),
  ];
  for (const b of inputs) {
    const msgs = decodeMessages(b);
    t.equal(hex(cat(...msgs.map((m) => encodeMessage(m)))), hex(b), `${String(msgs[0]?.type)} round-trips`);
    // Through JSON text too: what `--view messages -j` prints encodes back.
    const viaJson = msgs.map((m) => encodeMessage(JSON.parse(JSON.stringify(m))));
    t.equal(hex(cat(...viaJson)), hex(b), `${String(msgs[0]?.type)} round-trips through JSON`);
  }
  t.equal(hex(encodeMessage({ type: 'RTM_GETLINK', flags: ['NLM_F_REQUEST', 'NLM_F_DUMP'], seq: 5, header: { family: 17 }, attrs: { ext_mask: 1 } })), hex(inputs[1]!), 'hand-written messages encode');
});

t.test('families without a protocol: control messages decode, bodies stay hex', async (t) => {
  t.equal(familyNumber('netfilter'), 12);
  t.equal(familyNumber('generic'), 16);
  t.equal(familyNumber(99), 99);
  t.equal(familyName(16), 'generic');
  t.equal(familyName(31), 'netlink-31');
  t.throws(() => familyNumber('nope'), /unknown netlink family/);
  const body = Uint8Array.of(2, 0, 0, 0, 8, 0, 1, 0, 0x6e, 0x6c, 0x74, 0);
  const bytesOf = (type: number) => cat(nlmsg(type, 0x1, 1, 0, body), nlmsg(NLMSG_ERROR, 0x100, 1, 9, cat(u32(0), nlmsg(type, 0x5, 1, 0, new Uint8Array(0)))), done(1, 9));
  const bytes = bytesOf(0x10);
  // generic knows only nlctrl (GENL_ID_CTRL = 0x10): a dynamic family id (0x20) keeps its body as hex.
  for (const [family, type] of [['generic', 0x20], ['sock_diag', 0x10], [31, 0x10]] as const) {
    const bytes = bytesOf(type);
    const msgs = decodeMessages(bytes, { family });
    t.same(msgs[0], { type, flags: ['NLM_F_REQUEST'], seq: 1, pid: 0, header: {}, attrs: {}, payload: hex(body) }, `${family}: body as hex`);
    t.equal(msgs[1]!.type, 'NLMSG_ERROR');
    t.same((msgs[1]!.header as { error: number }).error, 0, `${family}: the ACK decodes`);
    t.equal(msgs[2]!.type, 'NLMSG_DONE');
    t.equal(hex(cat(...msgs.map((m) => encodeMessage(m, { family })))), hex(bytes), `${family}: round trip`);
  }
  const custom = new Protocol({ family: 'demo', structs: { h: { name: 'h', fields: [{ name: 'cmd', type: 'u8' }, { name: 'version', type: 'u8' }, { name: 'reserved', type: 'u16' }] } }, sets: { a: { name: 'a', prefix: 'DEMO_', attrs: [{ name: 'family_name', value: 2, type: 'string' }] } }, subMessages: {}, messages: [{ name: 'DEMO_MSG', value: 0x10, header: 'h', attrs: 'a', op: 'other' }], enums: {}, groups: {} });
  registerFamily(77, custom);
  t.same(decodeMessages(nlmsg(0x10, 0x1, 1, 0, cat(Uint8Array.of(3, 2, 0, 0), attr(2, str('nlctrl')))), { family: 77 })[0], { type: 'DEMO_MSG', flags: ['NLM_F_REQUEST'], seq: 1, pid: 0, header: { cmd: 3, version: 2, reserved: 0 }, attrs: { family_name: 'nlctrl' } }, 'a registered family decodes with its protocol');
  t.equal(protocolOf(77), custom);
  // netfilter is built in: the same bytes are an NFNL_MSG_BATCH_BEGIN with its nfgenmsg.
  const nf = decodeMessages(bytes, { family: 'netfilter' });
  t.equal(nf[0]!.type, 'NFNL_MSG_BATCH_BEGIN');
  t.same(nf[0]!.header, { family: 2, version: 0, res_id: 0 });
  t.equal(hex(cat(...nf.map((m) => encodeMessage(m, { family: 'netfilter' })))), hex(bytes), 'netfilter: round trip');
});

t.test('bad input: where and what, and the rest still decodes', async (t) => {
  const good1 = newlink(1, 'lo');
  const lying = nlmsg(RTM_NEWLINK, 2, 1, 1, cat(ifinfomsg(2), attr(IFLA_IFNAME, str('eth0'), 200)));
  const good2 = newlink(3, 'eth1');
  const dgram = cat(good1, lying, good2);
  // decodeMessages throws the first problem.
  try {
    decodeMessages(dgram);
    t.fail('should throw');
  } catch (e) {
    t.ok(isDecodeError(e), 'a DecodeError');
    t.match((e as Error).message, /message 2: attribute of 200 bytes \(type 3\) overruns its container/);
    t.equal((e as { offset: number }).offset, good1.length + 32, 'offset of the lying attribute in the datagram');
  }
  // decodeCapture reports it and decodes the others, in this datagram and the next ones.
  const text = [hex(dgram), hex(cat(good1, newlink(4, 'x').subarray(0, 20))), 'nothex', hex(nlmsg(RTM_NEWLINK, 0, 1, 1, ifinfomsg(1), { len: 8 })), hex(nlmsg(RTM_NEWLINK, 0, 1, 1, cat(ifinfomsg(5), attr(IFLA_MTU, Uint8Array.of(1, 2))))), hex(good2)].join('\n');
  const c = decodeCapture(text, { format: 'hex' });
  t.same(c.datagrams.map((d) => d.messages.map((m) => m.attrs['ifname'] ?? (m.header as { index: number }).index)), [['lo', 'eth1'], ['lo'], [], [], ['eth1']], 'every decodable message is there');
  t.same(c.problems.map((p) => [p.line, p.code]), [[3, 'NLKIT_ERR_BAD_FORMAT']], 'the non-hex line is a container problem');
  const probs = c.datagrams.flatMap((d) => d.problems);
  t.same(probs.map((p) => [p.datagram, p.line, p.message, p.offset, p.code]), [
    [1, 1, 2, good1.length + 32, 'NLKIT_ERR_TRUNCATED'],
    [2, 2, 2, good1.length, 'NLKIT_ERR_TRUNCATED'],
    [3, 4, 1, 0, 'NLKIT_ERR_BAD_LENGTH'],
    [4, 5, 1, 32, 'NLKIT_ERR_BAD_VALUE'],
  ]);
  t.same(probs.map(formatProblem), [
    `datagram 1 (line 1), message 2, byte ${good1.length + 32}: attribute of 200 bytes (type 3) overruns its container by ${200 - 12} bytes (in RTM_NEWLINK)`,
    `datagram 2 (line 2), message 2, byte ${good1.length}: nlmsg_len ${newlink(4, 'x').length} overruns the datagram (20 bytes left)`,
    'datagram 3 (line 4), message 1, byte 0: nlmsg_len 8 is less than 16; the rest of the datagram (32 bytes) cannot be framed',
    'datagram 4 (line 5), message 1, byte 32: u32 attribute with 2 bytes (in RTM_NEWLINK.IFLA_MTU)',
  ], 'messages say where (datagram, line, message, byte) and what');
  const misaligned = cat(nlmsg(RTM_NEWLINK, 0, 1, 1, cat(ifinfomsg(1), attr(IFLA_IFNAME, str('ab'))), { noPad: true }).subarray(0, 31), good2);
  const m = decodeCapture(misaligned, { format: 'raw' });
  t.ok(m.datagrams[0]!.problems.length > 0, 'a misaligned datagram is reported');
});

t.test('pcap datagrams carry their family; limits hold', async (t) => {
  const file = writePcap([{ bytes: newlink(1, 'lo'), protocol: 0 }, { bytes: nlmsg(0x20, 1, 1, 0, Uint8Array.of(1, 2, 3, 4)), protocol: 16 }]);
  const c = decodeCapture(file);
  t.same(c.datagrams.map((d) => [d.family, d.messages[0]!.type]), [['route', 'RTM_NEWLINK'], ['generic', 0x20]]);
  let deep = attr(IFLA_INFO_KIND, str('x'));
  for (let i = 0; i < 40; i++) deep = attr(IFLA_LINKINFO | 0x8000, deep);
  const d = decodeCapture(nlmsg(RTM_NEWLINK, 0, 1, 1, cat(ifinfomsg(1), attr(IFLA_LINKINFO | 0x8000, attr(2, deep)))), { format: 'raw', limits: { maxDepth: 4 } });
  t.ok(d.datagrams[0]!.problems.length <= 1, 'deep nesting does not crash');
});

t.test('fuzz: decodeCapture never throws, decodeMessages only throws DecodeError', async (t) => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) / (1 << 24);
  const base = [cat(newlink(1, 'lo'), newlink(2, 'veth0', 1500), done()), nlmsg(RTM_NEWLINK, 0, 1, 0, cat(ifinfomsg(1), attr(IFLA_LINKINFO | 0x8000, cat(attr(IFLA_INFO_KIND, str('vxlan')), attr(2 | 0x8000, cat(attr(1, u32(42)), attr(2, Uint8Array.of(10, 0, 0, 1)))))))), writePcap([{ bytes: newlink(1, 'lo') }])];
  let nonDecodeErrors = 0;
  for (let i = 0; i < 3000; i++) {
    const b = base[i % base.length]!.slice();
    const flips = 1 + Math.floor(rnd() * 4);
    for (let j = 0; j < flips; j++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const cut = rnd() < 0.3 ? b.subarray(0, Math.floor(rnd() * b.length)) : b;
    try {
      decodeCapture(cut);
      decodeCapture(cut, { format: 'raw' });
    } catch (e) {
      nonDecodeErrors++;
      if (nonDecodeErrors === 1) t.fail(`decodeCapture threw on ${hex(cut)}: ${(e as Error).stack}`);
    }
    try {
      decodeMessages(cut);
    } catch (e) {
      if (!isDecodeError(e)) {
        nonDecodeErrors++;
        if (nonDecodeErrors === 1) t.fail(`decodeMessages threw ${(e as Error).stack} on ${hex(cut)}`);
      }
    }
  }
  t.equal(nonDecodeErrors, 0, 'only problems and DecodeErrors');
  t.same(decodeMessages(newlink(9, 'ok'))[0]!.attrs, { ifname: 'ok', mtu: 1500 }, 'and a valid input still decodes afterwards');
});
