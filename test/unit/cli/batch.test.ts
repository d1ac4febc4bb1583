// Batch files as ip reads them (comments, continuation lines, quotes, line numbers), which
// commands are pipelined, and the socket hook: change requests are held back after a failure
// (exact stop semantics) or, with -force, sent in groups.
import t from 'tap';
import { Gate, parseBatch, pipelinable } from '../../../src/cli/batch.js';
import type { Transport } from '../../../src/netlink/transport.js';

t.test('parseBatch: getcmdline + makeargs', async (t) => {
  const text = [
    '# comment',
    '',
    'link add v0 type veth peer name v1   # trailing',
    'link set dev v0 alias "two words" up',
    'addr add 10.123.0.1/24 \\',
    '   dev v0',
    '\t route   show  ',
  ].join('\n');
  t.same(parseBatch(text), [
    { line: 3, words: ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'] },
    { line: 4, words: ['link', 'set', 'dev', 'v0', 'alias', 'two words', 'up'] },
    { line: 6, words: ['addr', 'add', '10.123.0.1/24', 'dev', 'v0'] },
    { line: 7, words: ['route', 'show'] },
  ]);
  // '#' ends the line even inside quotes, as in ip: the quote is then unterminated
  t.throws(() => parseBatch("link set v0 alias 'x#y'\n"), { name: 'CliExit', text: 'Unterminated quoted string\n' });
  t.throws(() => parseBatch('link show \\'), { name: 'CliExit', text: 'Missing continuation line\n' });
  t.same(parseBatch('a\r\nb\n'), [
    { line: 1, words: ['a'] },
    { line: 2, words: ['b'] },
  ]);
});

t.test('pipelinable: one change request as the last action', async (t) => {
  for (const w of ['link add v0 type veth peer name v1', 'l a v0 type dummy', 'link set v0 up', 'link del v0', 'addr add 1.2.3.4/24 dev v0', 'a del 1.2.3.4/24 dev v0', 'route add 10.0.0.0/8 via 1.2.3.4', 'r replace default via 1.1.1.1', 'neigh add 1.2.3.4 lladdr 02:00:00:00:00:01 dev v0', 'bridge fdb add 02:00:00:00:00:01 dev v0']) {
    t.ok(pipelinable(w.split(' ')), w);
  }
  for (const w of ['link show', 'addr flush dev v0', 'route show', 'route get 1.2.3.4', 'netns add x', 'link add v0 type veth peer name v1 up', 'tuntap add t0 mode tap', 'monitor', 'link', 'bridge fdb show', 'link set v0 help']) {
    t.notOk(pipelinable(w.split(' ')), w);
  }
});

/** A transport over a tiny kernel: every change request is acknowledged (error for type 99). */
function fakeKernel(): { t: Transport; sent: Uint8Array[] } {
  const queue: Uint8Array[] = [];
  const sent: Uint8Array[] = [];
  const t: Transport = {
    protocol: 0,
    portId: 1,
    closed: false,
    send(d) {
      sent.push(d.slice());
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      for (let off = 0; off + 16 <= d.length; ) {
        const len = dv.getUint32(off, true);
        const type = dv.getUint16(off + 4, true);
        const seq = dv.getUint32(off + 8, true);
        const ack = new Uint8Array(36);
        const av = new DataView(ack.buffer);
        av.setUint32(0, 36, true);
        av.setUint16(4, 2, true);
        av.setUint32(8, seq, true);
        av.setInt32(16, type === 99 ? -17 : 0, true);
        queue.push(ack);
        off += (len + 3) & ~3;
      }
    },
    receive: () => queue.shift() ?? null,
    onReadable(cb) {
      queueMicrotask(cb);
    },
    addMembership() {},
    dropMembership() {},
    close() {},
  };
  return { t, sent };
}

function msg(type: number, seq: number): Uint8Array {
  const m = new Uint8Array(20);
  const dv = new DataView(m.buffer);
  dv.setUint32(0, 18, true);
  dv.setUint16(4, type, true);
  dv.setUint32(8, seq, true);
  return m;
}

t.test('the hook without -force: nothing goes out after a failed change', async (t) => {
  const k = fakeKernel();
  const g = new Gate(false);
  const w = g.wrap(k.t);
  let sent = 0;
  g.onSent = () => sent++;
  w.send(msg(16, 1)); // RTM_NEWLINK
  w.send(msg(18, 2)); // a GET: not a change
  w.send(msg(99, 3)); // a change the kernel refuses
  t.equal(sent, 2);
  t.throws(() => w.send(msg(20, 4)), { code: 'ECANCELED' }, 'held back: an earlier change failed');
  t.ok(g.failed);
  t.equal(k.sent.length, 3);
  // the answers read ahead are still delivered to the client, in order
  const seqs: number[] = [];
  for (let d = w.receive(); d; d = w.receive()) seqs.push(new DataView(d.buffer, d.byteOffset).getUint32(8, true));
  t.same(seqs, [1, 2, 3]);
  t.same(g.stats, { sockets: 1, changes: 2, maxInFlight: 1 });
});

t.test('the hook with -force: change requests go in groups; a lookup sends the group first', async (t) => {
  const k = fakeKernel();
  const g = new Gate(true);
  const w = g.wrap(k.t);
  for (let i = 1; i <= 70; i++) w.send(msg(24, i)); // RTM_NEWROUTE
  t.equal(k.sent.length, 1, '64 in one datagram');
  t.equal(k.sent[0]!.length, 64 * 20);
  w.send(msg(18, 100));
  t.equal(k.sent.length, 3, 'the rest went before the GET');
  t.equal(k.sent[1]!.length, 6 * 20);
  w.send(msg(99, 101));
  g.flush();
  t.equal(k.sent.length, 4);
  w.send(msg(24, 102));
  g.flush();
  t.equal(k.sent.length, 5, 'with -force a failure holds nothing back');
  t.ok(g.stats.maxInFlight >= 64);
  w.close();
});
