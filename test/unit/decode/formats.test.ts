// The capture readers: hex, raw, pcap, pcapng, strace and auto detection. Each reader must give
// the same datagrams and problems however its input is split into chunks (split at every
// position, and byte by byte), report bad input with where it is, and refuse oversized records
// without allocating for them.
import t from 'tap';
import { captureReader, detectFormat, readCapture } from '../../../src/decode/capture.js';
import type { CaptureFormat, ReaderOutput } from '../../../src/decode/reader.js';
import { parseHexLine, writeHex } from '../../../src/decode/hex.js';
import { writePcap } from '../../../src/decode/pcap.js';
import { writePcapng } from '../../../src/decode/pcapng.js';
import { unescapeC } from '../../../src/decode/strace.js';
import { cat, done, hex, newlink, nlmsg, RTM_GETLINK, straceDump, ifinfomsg } from './fixtures/wire.js';

const enc = (s: string) => new TextEncoder().encode(s);

/** The assertions the helpers need (the root tap object and child tests both have them). */
interface Asserts {
  same(found: unknown, wanted: unknown, message: string): unknown;
  equal(found: unknown, wanted: unknown, message: string): unknown;
}

function whole(format: CaptureFormat | 'auto', input: Uint8Array): ReaderOutput {
  const r = captureReader(format);
  const out = r.push(input);
  const e = r.end();
  return { datagrams: [...out.datagrams, ...e.datagrams], problems: [...out.problems, ...e.problems] };
}

function chunked(format: CaptureFormat | 'auto', parts: Uint8Array[]): ReaderOutput {
  const r = captureReader(format);
  const out: ReaderOutput = { datagrams: [], problems: [] };
  for (const p of parts) {
    const o = r.push(p);
    out.datagrams.push(...o.datagrams);
    out.problems.push(...o.problems);
  }
  const e = r.end();
  out.datagrams.push(...e.datagrams);
  out.problems.push(...e.problems);
  return out;
}

/** Same result for every split into two chunks, for three chunks around the middle, and byte by byte. */
function splitEverywhere(tt: Asserts, format: CaptureFormat | 'auto', input: Uint8Array, what: string): ReaderOutput {
  const ref = whole(format, input);
  let bad = 0;
  for (let i = 0; i <= input.length; i++) {
    const got = chunked(format, [input.subarray(0, i), input.subarray(i)]);
    if (JSON.stringify(got) !== JSON.stringify(ref)) {
      if (bad++ === 0) tt.same(got, ref, `${what}: split at ${i}`);
    }
  }
  const mid = input.length >> 1;
  for (let i = 0; i <= mid; i += 7) {
    const got = chunked(format, [input.subarray(0, i), input.subarray(i, mid), input.subarray(mid)]);
    if (JSON.stringify(got) !== JSON.stringify(ref)) {
      if (bad++ === 0) tt.same(got, ref, `${what}: split at ${i} and ${mid}`);
    }
  }
  const bytes = chunked(format, Array.from(input, (b) => Uint8Array.of(b)));
  if (JSON.stringify(bytes) !== JSON.stringify(ref)) {
    bad++;
    tt.same(bytes, ref, `${what}: byte by byte`);
  }
  tt.equal(bad, 0, `${what}: the same datagrams and problems for every chunking`);
  return ref;
}

const dump = cat(newlink(1, 'lo', 65536), newlink(2, 'veth0'));
const request = nlmsg(RTM_GETLINK, 0x301, 1, 0, ifinfomsg(0, 0, 0, 17));

t.test('hex: tolerated spellings, comments, directions, bad lines', async (t) => {
  t.same(parseHexLine('  # only a comment'), undefined);
  t.same(parseHexLine(''), undefined);
  const forms = [hex(request), hex(request).replace(/(..)/g, '$1 '), hex(request).replace(/(..)(?!$)/g, '$1:'), hex(request).replace(/(..)/g, '\\x$1'), hex(request).replace(/(..)/g, '0x$1, '), hex(request).toUpperCase()];
  for (const f of forms) {
    const r = parseHexLine(f);
    t.ok(r && 'bytes' in r && hex(r.bytes) === hex(request), `parses ${f.slice(0, 24)}...`);
  }
  const text = `# recorded\n> ${hex(request)}\n< ${hex(dump)}  # reply\nzz00\n0a0\n\n${hex(done())}\n`;
  const out = splitEverywhere(t, 'hex', enc(text), 'hex');
  t.equal(out.datagrams.length, 3, 'three datagrams');
  t.same(out.datagrams.map((d) => [d.index, d.direction, d.where.line]), [[1, 'out', 2], [2, 'in', 3], [3, undefined, 7]]);
  t.same(out.problems.map((p) => [p.code, p.line]), [['NLKIT_ERR_BAD_FORMAT', 4], ['NLKIT_ERR_BAD_FORMAT', 5]], 'bad lines reported with their line numbers');
  t.match(out.problems[0]!.reason, /"z" is not a hex digit/);
  t.match(out.problems[1]!.reason, /odd number of hex digits/);
  t.equal(writeHex([{ bytes: request, direction: 'out' }, { bytes: dump }]), `> ${hex(request)}\n${hex(dump)}\n`, 'writeHex is the inverse');
  const huge = parseHexLine('00'.repeat(256 * 1024 + 1));
  t.ok(huge && 'error' in huge && /exceeds/.test(huge.error), 'a datagram above the limit is refused');
});

t.test('raw: one datagram of all the bytes', async (t) => {
  const out = splitEverywhere(t, 'raw', cat(request, dump), 'raw');
  t.equal(out.datagrams.length, 1);
  t.equal(hex(out.datagrams[0]!.bytes), hex(cat(request, dump)));
  t.same(whole('raw', new Uint8Array(0)), { datagrams: [], problems: [] }, 'empty input: nothing');
});

t.test('pcap: written and read back, in every chunking', async (t) => {
  const file = writePcap([
    { bytes: request, direction: 'out', protocol: 0, time: 1700000000.25 },
    { bytes: dump, direction: 'in', protocol: 0, time: 1700000000.5 },
    { bytes: done(), protocol: 12 },
  ]);
  const out = splitEverywhere(t, 'pcap', file, 'pcap');
  t.same(out.problems, []);
  t.same(out.datagrams.map((d) => [d.index, d.direction, d.protocol, d.time, hex(d.bytes)]), [
    [1, 'out', 0, 1700000000.25, hex(request)],
    [2, 'in', 0, 1700000000.5, hex(dump)],
    [3, 'in', 12, 0, hex(done())],
  ]);
  t.equal(out.datagrams[0]!.where.offset, 24 + 16 + 16, 'where: the file offset of the netlink bytes');
});

t.test('pcap: big-endian files and nanosecond timestamps', async (t) => {
  const le = writePcap([{ bytes: request, direction: 'out', time: 5.5 }]);
  // Rewrite the little-endian file as big-endian with the nanosecond magic.
  const be = new Uint8Array(le.length);
  const src = new DataView(le.buffer);
  const dst = new DataView(be.buffer);
  dst.setUint32(0, 0xa1b23c4d, false);
  dst.setUint16(4, 2, false);
  dst.setUint16(6, 4, false);
  dst.setUint32(16, src.getUint32(16, true), false);
  dst.setUint32(20, 253, false);
  dst.setUint32(24, 5, false);
  dst.setUint32(28, 500000000, false);
  dst.setUint32(32, src.getUint32(32, true), false);
  dst.setUint32(36, src.getUint32(36, true), false);
  be.set(le.subarray(40), 40);
  const out = whole('auto', be);
  t.same(out.problems, []);
  t.equal(out.datagrams[0]!.time, 5.5, 'nanosecond timestamp');
  t.equal(hex(out.datagrams[0]!.bytes), hex(request));
});

t.test('pcap: bad files are reported, not crashed on, and records above 256 KiB are not allocated', async (t) => {
  const good = writePcap([{ bytes: request }, { bytes: dump }]);
  let r = whole('pcap', good.subarray(0, good.length - 5));
  t.equal(r.datagrams.length, 1, 'the complete record still decodes');
  t.match(r.problems[0]!.reason, /record 2 is truncated: \d+ bytes left/);
  r = whole('pcap', good.subarray(0, 10));
  t.match(r.problems[0]!.reason, /shorter than the 24-byte pcap header/);
  const wrong = good.slice();
  new DataView(wrong.buffer).setUint32(20, 1, true);
  r = whole('pcap', wrong);
  t.same(r.datagrams, []);
  t.match(r.problems[0]!.reason, /link type 1 is not LINKTYPE_NETLINK \(253\)/);
  const huge = good.slice(0, 24 + 16);
  new DataView(huge.buffer).setUint32(24 + 8, 0x40000000, true);
  r = whole('pcap', huge);
  t.match(r.problems[0]!.reason, /record 1: captured length 1073741824 exceeds the 262160-byte limit/, 'hostile length refused at once');
  t.equal(r.problems[0]!.offset, 32, 'with the offset of the length field');
  const short = writePcap([{ bytes: new Uint8Array(0) }]);
  new DataView(short.buffer).setUint32(24 + 8, 8, true);
  r = whole('pcap', short.subarray(0, 24 + 16 + 8));
  t.match(r.problems[0]!.reason, /shorter than the 16-byte cooked header/);
  const trunc = writePcap([{ bytes: dump }]);
  new DataView(trunc.buffer).setUint32(24 + 12, dump.length + 16 + 100, true);
  r = whole('pcap', trunc);
  t.equal(r.datagrams.length, 1);
  t.match(r.problems[0]!.reason, /captured truncated/);
});

t.test('pcapng: written and read back, in every chunking; other blocks and interfaces', async (t) => {
  const file = writePcapng([
    { bytes: request, direction: 'out', time: 1700000000.125 },
    { bytes: dump, direction: 'in', protocol: 0, time: 1700000000.25 },
  ]);
  const out = splitEverywhere(t, 'pcapng', file, 'pcapng');
  t.same(out.problems, []);
  t.same(out.datagrams.map((d) => [d.index, d.direction, d.protocol, d.time, hex(d.bytes)]), [
    [1, 'out', 0, 1700000000.125, hex(request)],
    [2, 'in', 0, 1700000000.25, hex(dump)],
  ]);
  // A second section: an ethernet interface (skipped, reported once), a netlink one with
  // nanosecond resolution, a simple packet block, and a custom block.
  const blk = (type: number, body: Uint8Array) => {
    const len = 12 + ((body.length + 3) & ~3);
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, len, true);
    b.set(body, 8);
    v.setUint32(len - 4, len, true);
    return b;
  };
  const shb = new Uint8Array(16);
  new DataView(shb.buffer).setUint32(0, 0x1a2b3c4d, true);
  new DataView(shb.buffer).setUint16(4, 1, true);
  const idbEth = new Uint8Array(8);
  new DataView(idbEth.buffer).setUint16(0, 1, true);
  const idbNl = new Uint8Array(8 + 8 + 4);
  const iv = new DataView(idbNl.buffer);
  iv.setUint16(0, 253, true);
  iv.setUint16(8, 9, true); // if_tsresol
  iv.setUint16(10, 1, true);
  idbNl[12] = 9;
  const pkt = writePcap([{ bytes: request, direction: 'out' }]).subarray(24 + 16);
  const epb = (iface: number, ts: bigint) => {
    const b = new Uint8Array(20 + pkt.length);
    const v = new DataView(b.buffer);
    v.setUint32(0, iface, true);
    v.setUint32(4, Number(ts >> 32n), true);
    v.setUint32(8, Number(ts & 0xffffffffn), true);
    v.setUint32(12, pkt.length, true);
    v.setUint32(16, pkt.length, true);
    b.set(pkt, 20);
    return b;
  };
  const spb = cat(Uint8Array.of(pkt.length, 0, 0, 0), pkt);
  const file2 = cat(file, blk(0x0a0d0d0a, shb), blk(1, idbEth), blk(1, idbNl), blk(6, epb(0, 1n)), blk(6, epb(0, 2n)), blk(6, epb(1, 3_000_000_000n)), blk(0x0bad, new Uint8Array(5)), blk(3, spb));
  const out2 = splitEverywhere(t, 'pcapng', file2, 'pcapng, two sections');
  t.equal(out2.datagrams.length, 3, 'two from the first section, one from the netlink interface of the second');
  t.equal(out2.datagrams[2]!.time, 3, 'if_tsresol 9: nanoseconds');
  t.same(out2.problems.map((p) => p.reason), ['interface 0 has link type 1, not LINKTYPE_NETLINK (253); its packets are skipped'], 'the ethernet interface is reported once, its packets (EPB and SPB) skipped');
});

t.test('pcapng: bad blocks', async (t) => {
  const file = writePcapng([{ bytes: request }, { bytes: dump }]);
  let r = whole('pcapng', file.subarray(0, file.length - 3));
  t.equal(r.datagrams.length, 1);
  t.match(r.problems.at(-1)!.reason, /block 4 is truncated/);
  const bad = file.slice();
  new DataView(bad.buffer).setUint32(28 + 20 + 4, 13, true);
  r = whole('pcapng', bad);
  t.match(r.problems.at(-1)!.reason, /total length 13 is not a multiple of 4/);
  const huge = file.slice();
  new DataView(huge.buffer).setUint32(28 + 20 + 4, 0x7ffffff0, true);
  r = whole('pcapng', huge);
  t.match(r.problems.at(-1)!.reason, /exceeds the \d+-byte limit/, 'a hostile block length is refused at once');
  r = whole('pcapng', Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4, ...new Array(16).fill(0)));
  t.match(r.problems[0]!.reason, /bad byte-order magic/);
});

const straceText = [
  'socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 3',
  'socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP) = 4',
  `sendto(3, [{nlmsg_len=${request.length}, nlmsg_type=RTM_GETLINK, nlmsg_flags=NLM_F_REQUEST|NLM_F_DUMP, nlmsg_seq=1, nlmsg_pid=0}, {ifi_family=AF_PACKET, ...}], ${request.length}, 0, NULL, 0) = ${request.length}`,
  straceDump(request).trimEnd(),
  'recvmsg(3, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=NULL, iov_len=0}], msg_iovlen=1, msg_controllen=0, msg_flags=MSG_TRUNC}, MSG_PEEK|MSG_TRUNC) = ' + dump.length,
  `recvmsg(3, {msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base=[{nlmsg_len=40, nlmsg_type=RTM_NEWLINK, ...}, ...], iov_len=32768}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = ${dump.length}`,
  ` * ${dump.length} bytes in buffer 0`,
  straceDump(dump).trimEnd(),
  'sendto(4, "\\x01\\x02", 2, 0, NULL, 0) = 2',
  '[pid  4711] recvmsg(3,  <unfinished ...>',
  '[pid  4712] write(1, "hello\\n", 6) = 6',
  `[pid  4711] <... recvmsg resumed>{msg_name={sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}, msg_namelen=12, msg_iov=[{iov_base="${Array.from(done(), (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}", iov_len=32768}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = ${done().length}`,
  '12:00:01.123456 recvfrom(3, "\\x14\\x00\\x00\\x00\\x03\\x00"..., 32768, 0, NULL, NULL) = 20',
  '1700000000.123456 sendmsg(3, {msg_name=..., msg_iov=[{iov_base=[{nlmsg_len=20, nlmsg_type=RTM_GETADDR, ...}], iov_len=20}], msg_iovlen=1}, 0) = 20',
  'recvmsg(3, {msg_iov=[{iov_base=..., iov_len=32768}]}, 0) = -1 EAGAIN (Resource temporarily unavailable)',
  '+++ exited with 0 +++',
  '',
].join('\n');

t.test('strace: hexdumps, -xx strings, pids, resumed calls, timestamps, peeks and other sockets', async (t) => {
  const out = splitEverywhere(t, 'strace', enc(straceText), 'strace');
  t.same(out.datagrams.map((d) => [d.index, d.direction, d.protocol, hex(d.bytes)]), [
    [1, 'out', 0, hex(request)],
    [2, 'in', 0, hex(dump)],
    [3, 'in', undefined, hex(done())],
  ], 'the GETLINK request, the dump (peek skipped), the resumed recvmsg from its \\x string; not the AF_INET socket, not write(1)');
  const lineOf = (needle: string) => straceText.split('\n').findIndex((l) => l.includes(needle)) + 1;
  t.same(out.problems.map((p) => [p.code, p.line]), [['NLKIT_ERR_TRUNCATED', lineOf('recvfrom(3')], ['NLKIT_ERR_TRUNCATED', lineOf('sendmsg(3')]], 'with the lines of the calls');
  t.match(out.problems[0]!.reason, /strace cut the data of recvfrom short/);
  t.match(out.problems[1]!.reason, /no data for sendmsg of 20 bytes/);
  t.equal(hex(unescapeC('\\x41\\n\\101"\\\\"')), '410a41225c22');
});

t.test('strace: a gap in a hexdump is reported', async (t) => {
  const lines = straceDump(dump).split('\n');
  lines.splice(1, 1);
  const text = `recvmsg(3, {msg_iov=[{iov_base=[...], iov_len=32768}]}, 0) = ${dump.length}\n${lines.join('\n')}`;
  const out = whole('strace', enc(text));
  t.equal(out.datagrams.length, 1);
  t.match(out.problems[0]!.reason, /not contiguous/);
});

t.test('auto detection', async (t) => {
  t.equal(detectFormat(writePcap([]), true), 'pcap');
  t.equal(detectFormat(writePcapng([]), true), 'pcapng');
  t.equal(detectFormat(dump, true), 'raw');
  t.equal(detectFormat(enc(`${hex(dump)}\n`), true), 'hex');
  t.equal(detectFormat(enc(straceText), true), 'strace');
  t.equal(detectFormat(enc(' | 00000  14 00'), false), undefined, 'waits for more text before choosing');
  t.equal(detectFormat(Uint8Array.of(0xa1), false), undefined, 'waits for 4 bytes');
  for (const [name, input] of [
    ['pcap', writePcap([{ bytes: dump }])],
    ['pcapng', writePcapng([{ bytes: dump }])],
    ['hex', enc(`${hex(request)}\n${hex(dump)}\n`)],
    ['strace', enc(straceText)],
    ['raw', dump],
  ] as const) {
    const out = splitEverywhere(t, 'auto', input, `auto (${name})`);
    t.ok(out.datagrams.length > 0, `${name}: datagrams found`);
    t.equal(readCapture(input).format, name, `${name} detected`);
  }
});
