// The fast path of -batch (src/cli/batch-fast.ts) against the general path, on the mock kernel:
// for every line of a corpus, the change requests it sends are the bytes the same command sends
// alone (through ip.ts, the command modules and the API), and its failures read the same.
import t from 'tap';
import { parseFast } from '../../../src/cli/batch-fast.js';
import { main, type CliIo } from '../../../src/cli/main.js';
import { createMockKernel } from '../../../src/testing/index.js';

type Kernel = ReturnType<typeof createMockKernel>;

function io(kernel: Kernel, sent: Uint8Array[] | undefined, stdin = ''): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (c) => out.push(String(c)) },
    stderr: { write: (c) => err.push(String(c)) },
    stdin: (async function* () {
      if (stdin) yield stdin;
    })(),
    transport: (ns) => {
      const tr = kernel.transport(ns === undefined ? {} : { netns: ns });
      if (!sent) return tr;
      const send = tr.send.bind(tr);
      tr.send = (d: Uint8Array) => {
        sent.push(d.slice());
        send(d);
      };
      return tr;
    },
  };
}

/** The change requests of the datagrams, with seq and pid zeroed, as hex. */
function changes(sent: Uint8Array[]): string[] {
  const out: string[] = [];
  for (const d of sent) {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    for (let off = 0; off + 16 <= d.length; ) {
      const len = dv.getUint32(off, true);
      const type = dv.getUint16(off + 4, true);
      if (type >= 16 && (type & 3) !== 2) {
        const m = d.slice(off, off + len);
        m.fill(0, 8, 16);
        out.push(Buffer.from(m).toString('hex'));
      }
      off += (len + 3) & ~3;
    }
  }
  return out;
}

const SETUP = ['link add g0 type veth peer name g1', 'addr add 10.123.0.1/16 dev g0', 'link set g0 up', 'link set g1 up'];

async function kernelWith(pre: readonly string[]): Promise<Kernel> {
  const k = createMockKernel();
  for (const l of [...SETUP, ...pre]) {
    const r = io(k, undefined);
    const code = await main(l.split(' '), r);
    if (code !== 0) throw new Error(`setup "${l}": ${r.err.join('')}`);
  }
  return k;
}

/** [line, fast?, lines run before it] */
const CORPUS: ReadonlyArray<readonly [line: string, fast: boolean, pre?: readonly string[]]> = [
  ['route add 198.18.0.1/32 via 10.123.0.2', true],
  ['r a 198.18.0.1 via 10.123.0.2', true],
  ['route add 198.18.0.0/24 via 10.123.0.2 dev g0 metric 5', true],
  ['route add 198.18.1.0/24 dev g0', true],
  ['route add to 198.18.2.0/24 via 10.123.0.2 table 100 proto static', true],
  ['route add 198.18.3.0/24 via 10.123.0.2 table 1000 protocol 99 src 10.123.0.1', true],
  ['route add 198.18.4.0/24 via 10.123.0.2 onlink', true],
  ['route add 198.18.4.0/24 oif g0 priority 0 via 10.123.0.2', true],
  ['route replace 198.18.5.0/24 via 10.123.0.2 metric 0x10', true],
  ['route change 198.18.5.0/24 via 10.123.0.2 preference 010', true],
  ['route chg 198.18.5.0/24 via 10.123.0.2', true],
  ['route add 198.18.6.1/24 via 10.123.0.2', true],
  ['route add 0.0.0.0/0 via 10.123.0.2', true],
  ['route add 010.001.002.003/32 via 10.123.0.2', true],
  ['route add 198.18.7.0/24 via 10.123.0.2 table local', true],
  ['route add 198.18.7.0/24 via 10.123.0.2 table main proto kernel', true],
  ['route add 198.18.8.0/24 via 10.123.0.2 table 4294967295', true],
  ['route add 198.18.0.1/32 via 10.123.0.2', true, ['route add 198.18.0.1/32 via 10.123.0.2']],
  ['route del 198.18.0.1/32', true, ['route add 198.18.0.1/32 via 10.123.0.2']],
  ['route delete 198.18.0.0/24 via 10.123.0.2 dev g0 metric 5 table main proto boot', true, ['route add 198.18.0.0/24 via 10.123.0.2 dev g0 metric 5']],
  ['route del 198.18.9.0/24', true],
  ['route add 198.18.9.0/24 via 10.123.0.2 dev nosuch', true],
  ['route add 198.18.10.0/24 via 10.123.0.2 table 0', true],
  ['route add 198.18.11.0/24 via 10.123.0.2 table nosuchtable', true],
  ['route add 198.18.11.0/24 via 10.123.0.2 proto 256', true],
  ['route add 198.18.12.0/24 via 10.123.0.2 metric 1 priority 2', false],
  ['route add 198.18.12.0/24 via 10.123.0.2 metric 4294967296', false],
  ['route add 198.18/16 via 10.123.0.2', false],
  ['route add default via 10.123.0.2', false],
  ['route add blackhole 198.18.13.0/24', false],
  ['route add 198.18.14.0/24 via 10.123.0.2 mtu 1400', false],
  ['route add 198.18.15.0/33 via 10.123.0.2', false],
  ['route add 198.18.16.0/24 via 256.0.0.1', false],
  ['route append 198.18.17.0/24 via 10.123.0.2', false],
  ['route add fd00:123:1::/64 via fd00:123::2', false],
  ['addr add 10.124.0.1/32 dev g0', true],
  ['a a 10.124.0.1/32 dev g0', true],
  ['addr add 10.124.1.1/24 dev g0', true],
  ['address add local 10.124.2.1/16 dev g0', true],
  ['addr add dev g0 10.124.3.1/8', true],
  ['addr add 127.0.0.2/8 dev g0', true],
  ['addr add 10.124.9.9/0 dev g0', true],
  ['addr add 10.124.0.1/32 dev g0', true, ['addr add 10.124.0.1/32 dev g0']],
  ['addr replace 10.124.1.1/24 dev g0', true, ['addr add 10.124.1.1/24 dev g0']],
  ['addr change 10.124.1.1/24 dev g0', true],
  ['addr del 10.124.0.1/32 dev g0', true, ['addr add 10.124.0.1/32 dev g0']],
  ['a d 10.124.1.1/24 dev g0', true],
  ['addr del 127.0.0.2/8 dev g0', true, ['addr add 127.0.0.2/8 dev g0']],
  ['addr add 10.124.0.1/32 dev nosuch', true],
  ['addr add 10.124.0.1 dev g0', false],
  ['addr del 10.124.0.1 dev g0', false],
  ['addr add 10.124.0.1/32 dev g0 label g0:x', false],
  ['addr add 10.124.0.1/32 brd + dev g0', false],
  ['addr add 10.124.0.1/32', false],
  ['link add fw0 type veth peer name fwp0', true],
  ['l a fw0 type veth peer name fwp0', true],
  ['link add name fw1 type veth peer name fwp1', true],
  ['link add name up type veth peer name fwp1', true],
  ['link add fw0 type veth peer name fwp0', true, ['link add fw0 type veth peer name fwp0']],
  ['link add fw0 type veth peer name g1', true],
  ['link set fw0 up', true, ['link add fw0 type veth peer name fwp0']],
  ['link set dev fwp0 up', true, ['link add fw0 type veth peer name fwp0']],
  ['link set fw0 down', true, ['link add fw0 type veth peer name fwp0', 'link set fw0 up']],
  ['link change g1 down', true],
  ['link del fw1', true, ['link add fw1 type veth peer name fwp1']],
  ['link delete dev fw0', true, ['link add fw0 type veth peer name fwp0']],
  ['link set nosuch0 up', true],
  ['link del nosuch0', true],
  ['link add up type veth peer name fwp0', false],
  ['link add fw0 type veth peer name fwp0 up', false],
  ['link add fw0 type veth peer fwp0', false],
  ['link add fw0 type dummy', false],
  ['link add fw0-with-a-long-name type veth peer name fwp0', false],
  ['link set fw0 up mtu 1400', false],
  ['link set g1 down up', false],
  ['link replace fw0 type veth peer name fwp0', false],
  ['link show g0', false],
];

t.test('parseFast takes the plain forms only', async (t) => {
  for (const [line, fast] of CORPUS) t.equal(parseFast(line.split(' '), 0) !== undefined, fast, line);
  t.equal(parseFast('route add 198.18.0.1/32 via 10.123.0.2'.split(' '), 10), undefined, '-6: the general way');
  t.same(parseFast('route add 198.18.0.1/32 via 10.123.0.2'.split(' '), 2), parseFast('route add 198.18.0.1/32 via 10.123.0.2'.split(' '), 0), '-4: the same');
});

t.test('a batch line sends what the command sends alone, and fails alike', async (t) => {
  for (const [line, , pre = []] of CORPUS) {
    const ka = await kernelWith(pre);
    const sa: Uint8Array[] = [];
    const alone = io(ka, sa);
    const codeAlone = await main(line.split(' '), alone);

    const kb = await kernelWith(pre);
    const sb: Uint8Array[] = [];
    const batch = io(kb, sb, `${line}\n`);
    const codeBatch = await main(['-batch', '-'], batch);

    t.same(changes(sb), changes(sa), `${line}: requests`);
    t.equal(codeBatch, codeAlone === 0 ? 0 : 1, `${line}: status ${codeAlone}`);
    const expected = alone.err.join('') + (codeAlone === 0 ? '' : 'Command failed -:1\n');
    t.equal(batch.err.join(''), expected, `${line}: stderr`);
    t.equal(batch.out.join(''), alone.out.join(''), `${line}: stdout`);
  }
});

t.test('a batch of fast and general lines: order, stop at the first failure, -force', async (t) => {
  const text = [
    'link add va0 type veth peer name vb0',
    'link set va0 up',
    'addr add 10.125.0.1/24 dev va0',
    'route add 10.126.0.0/24 via 10.125.0.2',
    'link show vb0',
    'route add 10.126.0.0/24 via 10.125.0.2',
    'route add 10.126.1.0/24 via 10.125.0.2',
    'addr add 10.125.0.1/24 dev va0',
    'link show va0',
    '',
  ].join('\n');
  const k1 = await kernelWith([]);
  const s1: Uint8Array[] = [];
  const r1 = io(k1, s1, text);
  t.equal(await main(['-batch', '-'], r1), 1);
  t.match(r1.out.join(''), /^\d+: vb0@va0: /, 'the listing of line 5');
  t.equal(r1.err.join(''), 'RTNETLINK answers: File exists\nCommand failed -:6\n');
  t.equal(changes(s1).length, 5, 'nothing after the failed line was sent');

  const k2 = await kernelWith([]);
  const s2: Uint8Array[] = [];
  const r2 = io(k2, s2, text);
  t.equal(await main(['-force', '-batch', '-'], r2), 1);
  t.equal(r2.err.join(''), 'RTNETLINK answers: File exists\nCommand failed -:6\nError: ipv4: Address already assigned.\nCommand failed -:8\n');
  t.match(r2.out.join(''), /^\d+: vb0@va0: [^]*\n\d+: va0@vb0: /, 'both listings, in order');
  t.equal(changes(s2).length, 7, 'every change was sent');
  t.ok(s2.some((d) => changes([d]).length > 1), 'with -force, requests shared a datagram');
});

t.test('-n NETNS per line: one socket per namespace', async (t) => {
  const k = await kernelWith([]);
  k.netns.add('ns1');
  const r = io(k, undefined, 'link add va0 type veth peer name vb0\n-n ns1 link add va0 type veth peer name vb0\n-n ns1 link set va0 up\nlink set va0 up\n');
  t.equal(await main(['-batch', '-'], r), 0, r.err.join(''));
  const { lastBatchStats } = await import('../../../src/cli/batch.js');
  t.equal(lastBatchStats.sockets, 2);
  t.equal(lastBatchStats.changes, 4);
  const l = io(k, undefined);
  await main(['-n', 'ns1', '-j', 'link', 'show', 'va0'], l);
  t.match(l.out.join(''), /"UP"/);
});
