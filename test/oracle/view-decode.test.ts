// `nlkit decode` end to end on traffic of real `ip` runs, in the sandbox:
// (b) `ip` runs under strace (`-f -xx -e read=all -e write=all`); `nlkit decode --view ip -j` of
//     the trace must print what that very ip run printed (the same bytes, so no volatile values),
//     and every decoded datagram must encode back to its bytes;
// (a) the datagrams are written as LINKTYPE_NETLINK pcap and pcapng files (this kernel has no
//     nlmon); tshark must read them as the same netlink messages (lengths, sequence numbers,
//     ports, interface indexes, names and MTUs), Wireshark-rewritten copies (editcap) must read
//     back the same, and `nlkit decode` of them must again print what ip printed.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enterSandbox, sh } from '../kernel/sandbox.js';
import { main } from '../../src/cli/main.js';
import { decodeCapture, encodeMessage } from '../../src/decode/index.js';
import { writePcap } from '../../src/decode/pcap.js';
import { writePcapng } from '../../src/decode/pcapng.js';
import { compareJson, describe } from './view-support/oracle.js';

await enterSandbox();

const dir = mkdtempSync(join(tmpdir(), 'nlkit-decode-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

for (const cmd of [
  'ip netns add peerns',
  'ip link add vx0 type veth peer name vx1 netns peerns',
  'ip link add v0 type veth peer name v1',
  'ip link add br0 type bridge',
  'ip link set v1 master br0',
  'ip link add vxl0 type vxlan id 42 dstport 4789 dev v0 local 10.123.0.1 remote 10.123.0.9',
  'ip tuntap add tap0 mode tap user 0',
  'ip link set v0 up',
  'ip link set v1 up',
  'ip link set br0 up',
  'ip addr add 10.123.0.1/24 dev v0 label v0:one',
  'ip addr add fd00:123::1/64 dev v0 nodad',
  'ip route add 10.123.5.0/24 nexthop via 10.123.0.2 dev v0 nexthop via 10.123.0.3 dev v0 weight 2',
  'ip route add blackhole 10.123.6.0/24 table 100',
]) {
  const [c, ...args] = cmd.split(' ');
  sh(c!, args);
}

const hasStrace = spawnSync('strace', ['-V']).status === 0;
const hasTshark = spawnSync('tshark', ['-v']).status === 0;
const hasEditcap = spawnSync('editcap', ['-h']).status === 0;

/** Runs `ip args` under strace; returns its stdout and the trace file. */
function traced(name: string, args: string[]): { out: string; trace: string } {
  const trace = join(dir, `${name}.strace`);
  const r = spawnSync('strace', ['-f', '-xx', '-e', 'read=all', '-e', 'write=all', '-e', 'trace=socket,sendmsg,recvmsg,sendto,recvfrom', '-o', trace, 'ip', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`strace ip ${args.join(' ')}: ${r.stderr}`);
  return { out: r.stdout, trace };
}

async function nlkit(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, {
    stdout: { write: (c: string | Uint8Array) => (out += String(c)) },
    stderr: { write: (c: string | Uint8Array) => (err += String(c)) },
    stdin: (async function* () {})(),
  });
  return { code, out, err };
}

/** The datagram bytes without the zero bytes ip leaves after its last message. */
function trimmed(b: Uint8Array, used: number): Uint8Array {
  for (let i = used; i < b.length; i++) if (b[i] !== 0) return b;
  return b.subarray(0, used);
}

const runs = hasStrace
  ? [
      { name: 'link', args: ['-j', '-d', 'link', 'show'], view: ['-d'] },
      { name: 'addr', args: ['-j', 'addr', 'show'], view: [] },
      { name: 'route', args: ['-j', 'route', 'show', 'table', 'all'], view: [] },
    ].map((r) => ({ ...r, ...traced(r.name, r.args) }))
  : [];

t.test('(b) strace of real ip runs', { skip: hasStrace ? false : 'strace is not installed' }, async (t) => {
  for (const r of runs) {
    const text = readFileSync(r.trace, 'utf8');
    const cap = decodeCapture(text, { format: 'strace' });
    t.same([...cap.problems, ...cap.datagrams.flatMap((d) => d.problems)], [], `${r.name}: the trace decodes without problems`);
    t.ok(cap.datagrams.some((d) => d.direction === 'out') && cap.datagrams.some((d) => d.direction === 'in'), `${r.name}: requests and replies`);
    for (const d of cap.datagrams) {
      const again = d.messages.map((m) => encodeMessage(m));
      const len = again.reduce((n, b) => n + b.length, 0);
      const joined = new Uint8Array(len);
      let at = 0;
      for (const b of again) {
        joined.set(b, at);
        at += b.length;
      }
      t.same(Buffer.from(joined).toString('hex'), Buffer.from(trimmed(d.bytes, len)).toString('hex'), `${r.name}: datagram ${d.index} (${String(d.messages[0]?.type)}) encodes back to its bytes`);
    }
    const v = await nlkit(['decode', '--view', 'ip', '-j', ...r.view, r.trace]);
    t.equal(v.code, 0, v.err);
    const diffs = compareJson(JSON.parse(v.out), JSON.parse(r.out));
    t.same(diffs, [], `${r.name}: nlkit decode --view ip -j prints what \`ip ${r.args.join(' ')}\` printed:\n${describe(diffs)}`);
    const m = await nlkit(['decode', '--view', 'messages', '-j', r.trace]);
    const lines = m.out.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    t.equal(lines.length, cap.datagrams.reduce((n, d) => n + d.messages.length, 0), `${r.name}: one JSON line per message`);
    t.ok(lines.some((l) => l.type === 'NLMSG_DONE'), `${r.name}: the dump's end is there`);
  }
  const txt = await nlkit(['decode', runs[0]!.trace]);
  t.match(txt.out, /RTM_GETLINK NLM_F_REQUEST\|NLM_F_DUMP seq=\d+ pid=0/);
  t.match(txt.out, /IFLA_IFNAME: vxl0\n/);
  t.match(txt.out, /IFLA_INFO_KIND: vxlan\n {4}IFLA_INFO_DATA:\n {6}IFLA_VXLAN_ID: 42/);
});

t.test('(a) pcap and pcapng of the same traffic, checked with tshark', { skip: !hasStrace ? 'strace is not installed' : !hasTshark ? 'tshark is not installed' : false }, async (t) => {
  const r = runs[0]!;
  const cap = decodeCapture(readFileSync(r.trace, 'utf8'), { format: 'strace' });
  const packets = cap.datagrams.map((d, i) => ({ bytes: d.bytes, direction: d.direction, protocol: d.protocol ?? 0, time: 1700000000 + i / 1000 }));
  const pcap = join(dir, 'link.pcap');
  const pcapng = join(dir, 'link.pcapng');
  writeFileSync(pcap, writePcap(packets));
  writeFileSync(pcapng, writePcapng(packets));
  const fields = ['frame.number', 'netlink.family', 'netlink.hdr_len', 'netlink.hdr_seq', 'netlink.hdr_pid', 'netlink-route.ifi_index', 'netlink-route.ifla_ifname', 'netlink-route.ifla_mtu'];
  const ours = cap.datagrams.map((d, i) => {
    const links = d.messages.filter((m) => m.type === 'RTM_NEWLINK' || m.type === 'RTM_GETLINK');
    return [
      String(i + 1),
      '0x0000',
      d.messages.map((m) => encodeMessage(m).length).join(';'),
      d.messages.map((m) => m.seq).join(';'),
      d.messages.map((m) => m.pid).join(';'),
      links.map((m) => (m.header as { index: number }).index).join(';'),
      links.map((m) => m.attrs['ifname']).filter((x) => x !== undefined).join(';'),
      links.map((m) => m.attrs['mtu']).filter((x) => x !== undefined).join(';'),
    ];
  });
  for (const file of [pcap, pcapng]) {
    const ts = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', '-E', 'aggregator=;', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
    t.equal(ts.status, 0, ts.stderr);
    const rows = ts.stdout.trim().split('\n').map((l) => l.split('|'));
    // tshark leaves out the ERROR's inner header length and request-only index fields the same way for both files.
    t.equal(rows.length, ours.length, `${file}: tshark sees every datagram`);
    rows.forEach((row, i) => {
      const o = ours[i]!;
      t.equal(row[1], o[1], `${file} frame ${i + 1}: family route`);
      t.equal(row[2]!.split(';')[0], o[2]!.split(';')[0], `${file} frame ${i + 1}: first message length`);
      t.equal(row[3]!.split(';')[0], o[3]!.split(';')[0], `${file} frame ${i + 1}: sequence number`);
      t.equal(row[4]!.split(';')[0], o[4]!.split(';')[0], `${file} frame ${i + 1}: port id`);
      if (o[6]) t.equal(row[6], o[6], `${file} frame ${i + 1}: interface names ${o[6]}`);
      if (o[7]) t.equal(row[7], o[7], `${file} frame ${i + 1}: MTUs`);
      if (o[6]) t.equal(row[5], o[5], `${file} frame ${i + 1}: interface indexes`);
    });
    const v = await nlkit(['decode', '--view', 'ip', '-j', '-d', file]);
    t.equal(v.code, 0, v.err);
    t.same(compareJson(JSON.parse(v.out), JSON.parse(r.out)), [], `nlkit decode --view ip of ${file} prints what ip printed`);
    const verbose = spawnSync('tshark', ['-r', file, '-V'], { encoding: 'utf8' });
    t.match(verbose.stdout, /Linux netlink \(cooked header\)\n\s+Link-layer address type: Netlink \(824\)\n\s+Family: Route \(0x0000\)/, `${file}: tshark reads the cooked header as netlink route`);
  }
  if (hasEditcap) {
    for (const [from, fmt] of [[pcap, 'pcapng'], [pcapng, 'pcap']] as const) {
      const out = join(dir, `rewritten.${fmt}`);
      const e = spawnSync('editcap', ['-F', fmt, from, out], { encoding: 'utf8' });
      t.equal(e.status, 0, e.stderr);
      const back = decodeCapture(readFileSync(out));
      t.equal(back.format, fmt, `Wireshark's ${fmt} is detected`);
      t.same(back.problems, [], `Wireshark's ${fmt} reads without problems`);
      t.same(back.datagrams.map((d) => [d.direction, Buffer.from(d.bytes).toString('hex')]), packets.map((p) => [p.direction, Buffer.from(p.bytes).toString('hex')]), `Wireshark's ${fmt} gives the same datagrams`);
    }
  }
});
