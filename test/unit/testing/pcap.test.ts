// LINKTYPE_NETLINK pcap writing and reading, its errors, and tshark as an oracle of the format.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ARPHRD_NETLINK, LINKTYPE_NETLINK, PACKET_KERNEL, PACKET_USER, PcapWriter, isFixtureError, pcapHeader, pcapRecord, readPcap } from '../../../src/testing/index.js';

const PCAP = new URL('../../../fixtures/testing/flow.pcap', import.meta.url);
const bytes = (n: number, fill = 0) => new Uint8Array(n).fill(fill);

t.test('write, then read back', async (t) => {
  const w = new PcapWriter();
  const a = Uint8Array.from([20, 0, 0, 0, 18, 0, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const b = Uint8Array.from([20, 0, 0, 0, 3, 0, 2, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0]);
  w.add({ dir: 'send', family: 0, time: 1_700_000_000_123, bytes: a });
  w.add({ dir: 'recv', family: 0, time: 1_700_000_000_124.5, bytes: b });
  const file = w.finish();
  const v = new DataView(file.buffer, file.byteOffset);
  t.equal(v.getUint32(0, true), 0xa1b2c3d4, 'little-endian microsecond pcap');
  t.equal(v.getUint32(20, true), LINKTYPE_NETLINK);
  t.equal(v.getUint16(24 + 16, false), PACKET_KERNEL, 'a sent datagram is to-kernel, as nlmon writes it');
  t.equal(v.getUint16(24 + 18, false), ARPHRD_NETLINK);
  const records = readPcap(file);
  t.same(records.map((r) => [r.dir, r.family, Buffer.from(r.bytes).toString('hex')]), [
    ['send', 0, Buffer.from(a).toString('hex')],
    ['recv', 0, Buffer.from(b).toString('hex')],
  ]);
  t.equal(records[1]!.time, 1_700_000_000_124.5, 'microseconds survive');
  t.equal(new DataView(pcapRecord({ dir: 'recv', family: 12, time: 0, bytes: a }).buffer).getUint16(16, false), PACKET_USER);
});

t.test('damage is reported with the file, the record and the offset', async (t) => {
  const good = readFileSync(PCAP);
  const cut = good.subarray(0, good.length - 10);
  const e1 = t.throws(() => readPcap(cut, 'flow.pcap')) as unknown;
  t.ok(isFixtureError(e1));
  t.match((e1 as Error).message, /^flow\.pcap: record \d+, byte \d+: captured length \d+ overruns the file/);
  t.throws(() => readPcap(bytes(10), 'x.pcap'), { message: 'x.pcap: byte 0: a pcap file starts with a 24-byte header; the file has 10 bytes' });
  t.throws(() => readPcap(bytes(24, 0x55), 'x.pcap'), { message: /x\.pcap: byte 0: not a pcap file \(magic 0x55555555; pcapng is not supported\)/ });
  const eth = pcapHeader();
  new DataView(eth.buffer).setUint32(20, 1, true);
  t.throws(() => readPcap(eth, 'eth.pcap'), { message: 'eth.pcap: byte 20: link type 1 is not LINKTYPE_NETLINK (253)' });
  const half = Buffer.concat([pcapHeader(), bytes(8)]);
  t.throws(() => readPcap(half, 'h.pcap'), { message: 'h.pcap: record 0, byte 24: record header truncated (8 of 16 bytes)' });
  const wrongHw = Buffer.from(Buffer.concat([pcapHeader(), pcapRecord({ dir: 'send', family: 0, time: 0, bytes: bytes(16) })]));
  wrongHw.writeUInt16BE(1, 24 + 16 + 2);
  t.throws(() => readPcap(wrongHw, 'hw.pcap'), { message: 'hw.pcap: record 0, byte 42: cooked header hardware type 1 is not ARPHRD_NETLINK (824)' });
});

t.test('tshark dissects the recorded capture as rtnetlink', async (t) => {
  const r = spawnSync('tshark', ['-r', PCAP.pathname, '-V'], { encoding: 'utf8' });
  if (r.error) {
    t.pass('tshark dissects the capture', { skip: `tshark is not installed here (${r.error.message}); it is the oracle of the pcap format` });
    return;
  }
  t.equal(r.status, 0, `tshark exits 0${r.status ? `: ${r.stderr}` : ''}`);
  t.match(r.stdout, 'Linux netlink (cooked header)');
  t.match(r.stdout, 'Linux rtnetlink (route netlink) protocol');
  // Wireshark names rtnetlink types in words with the number: "Create network interface (16)".
  for (const [name, n] of [['RTM_NEWLINK', 16], ['RTM_DELLINK', 17], ['RTM_GETLINK', 18], ['RTM_NEWADDR', 20], ['RTM_GETADDR', 22]] as const) {
    t.match(r.stdout, new RegExp(`Message type: [A-Za-z ]+ \\(${n}\\)`), `names ${name}`);
  }
  t.match(r.stdout, /Error code: File exists \(-EEXIST\)/, 'shows the errno of the refusal');
});
