// The native binding against the real kernel, inside the private sandbox (see sandbox.ts).
import t from 'tap';
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, writeFileSync, writeSync } from 'node:fs';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import {
  IFF_NO_PI,
  IFF_TAP,
  IFF_TUN,
  loadNative,
  MS_PRIVATE,
  NETLINK_ROUTE,
  nativePath,
  O_RDONLY,
  O_WRONLY,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SOL_SOCKET,
  TUNSETOWNER,
  TUNSETPERSIST,
  type NativeBinding,
} from '../../src/native.js';

await enterSandbox();

const native: NativeBinding = loadNative();

// ---- hand-made netlink bytes (independent of src/netlink) -------------------------------------
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const IFLA_IFNAME = 3;
const RTMGRP_LINK = 1;

/** nlmsghdr (16 bytes) + ifinfomsg (16 bytes, all zero): RTM_GETLINK with NLM_F_REQUEST|NLM_F_DUMP. */
function getLinkDump(seq: number): Uint8Array {
  const buf = new Uint8Array(32);
  const v = new DataView(buf.buffer);
  v.setUint32(0, 32, true); // nlmsg_len: header + payload
  v.setUint16(4, RTM_GETLINK, true);
  v.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, true);
  v.setUint32(8, seq, true);
  v.setUint32(12, 0, true); // nlmsg_pid: 0, the kernel fills in ours
  return buf; // ifi_family = AF_UNSPEC and the rest zero
}

interface Msg {
  type: number;
  seq: number;
  ifname?: string;
  error?: number;
}

/** Splits a datagram into messages; for RTM_NEWLINK also reads IFLA_IFNAME. */
function parse(bytes: Uint8Array): Msg[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Msg[] = [];
  for (let off = 0; off + 16 <= bytes.byteLength; ) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > bytes.byteLength) throw new Error(`bad nlmsg_len ${len} at ${off}`);
    const msg: Msg = { type: v.getUint16(off + 4, true), seq: v.getUint32(off + 8, true) };
    if (msg.type === NLMSG_ERROR) msg.error = v.getInt32(off + 16, true);
    if (msg.type === RTM_NEWLINK) {
      for (let a = off + 32; a + 4 <= off + len; ) {
        const alen = v.getUint16(a, true);
        const atype = v.getUint16(a + 2, true) & 0x3fff;
        if (alen < 4) break;
        if (atype === IFLA_IFNAME) {
          msg.ifname = Buffer.from(bytes.buffer, bytes.byteOffset + a + 4, alen - 4).toString('latin1').replace(/\0.*$/s, '');
        }
        a += (alen + 3) & ~3;
      }
    }
    out.push(msg);
    off += (len + 3) & ~3;
  }
  return out;
}

function openRoute(netnsFd = -1): { fd: number; port: number } {
  const fd = native.socket(NETLINK_ROUTE, netnsFd);
  const port = native.bind(fd, 0);
  return { fd, port };
}

/** Dumps links through recv + a one-shot watcher; resolves with the names, in kernel order. */
function dumpLinks(fd: number, seq: number): Promise<string[]> {
  const buf = new Uint8Array(64 * 1024);
  const names: string[] = [];
  return new Promise((resolve, reject) => {
    const w = native.watch(fd, function (this: unknown) {
      try {
        if (this !== w) throw new Error('the watcher callback did not get the watcher as `this`');
        drain();
      } catch (err) {
        w.close();
        reject(err as Error);
      }
    });
    const drain = () => {
      for (;;) {
        const n = native.recv(fd, buf);
        if (n < 0) {
          w.arm(); // nothing queued: wait (one-shot)
          return;
        }
        if (n > buf.byteLength) throw new Error(`datagram of ${n} bytes truncated`);
        for (const m of parse(buf.subarray(0, n))) {
          if (m.seq !== seq) continue;
          if (m.type === NLMSG_ERROR) throw new Error(`dump failed: errno ${-(m.error ?? 0)}`);
          if (m.type === NLMSG_DONE) {
            w.close();
            resolve(names);
            return;
          }
          if (m.ifname !== undefined) names.push(m.ifname);
        }
      }
    };
    native.send(fd, getLinkDump(seq));
    w.arm(); // do not read first: the whole dump must come through the watcher
  });
}

function ownNetns(): string {
  return readlinkSync('/proc/thread-self/ns/net');
}

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

function codeOf(fn: () => unknown): { code: unknown; errno: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    const e = err as { code?: unknown; errno?: unknown; message: string };
    return { code: e.code, errno: e.errno, message: e.message };
  }
  throw new Error('expected a throw');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A link in the sandbox's own namespace, so that "only lo" elsewhere means something.
sh('ip', ['link', 'add', 'nlkhost0', 'type', 'bridge']);
const NS = 'nlk-native';
const NS_PATH = `/run/netns/${NS}`;

t.test('socket, bind and close', async (t) => {
  const { fd, port } = openRoute();
  t.ok(Number.isInteger(fd) && fd > 2, `fd ${fd}`);
  t.ok(port > 0, `port id ${port}`);
  // /proc/net/netlink lists the socket with its port id and protocol 0.
  const rows = readFileSync('/proc/net/netlink', 'utf8').trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
  t.ok(rows.some((r) => r[1] === '0' && r[2] === String(port)), 'the socket is in /proc/net/netlink');
  t.equal(native.recv(fd, new Uint8Array(1024)), -1, 'nothing queued: recv returns -1 (EAGAIN)');
  t.equal(native.getsockopt(fd, SOL_SOCKET, SO_RCVBUF) > 0, true, 'getsockopt reads an int');
  native.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 1 << 20);
  t.equal(native.getsockopt(fd, SOL_SOCKET, SO_RCVBUF), 2 << 20, 'SO_RCVBUFFORCE took effect (the kernel doubles it)');
  native.close(fd);
  t.equal(codeOf(() => native.close(fd)).code, 'EBADF', 'closing twice is EBADF');
  const rows2 = readFileSync('/proc/net/netlink', 'utf8');
  t.notOk(rows2.split('\n').some((l) => l.trim().split(/\s+/)[2] === String(port)), 'gone from /proc/net/netlink');
});

t.test('RTM_GETLINK dump through recv and a one-shot watcher', async (t) => {
  const { fd } = openRoute();
  const names = await dumpLinks(fd, 4242);
  const oracle = ipJson<Array<{ ifname: string }>>(['link', 'show']).map((l) => l.ifname);
  t.same(names, oracle, 'same links as ip -j link show');
  t.ok(names.includes('nlkhost0'));
  native.close(fd);
});

t.test('recv honours byteOffset and reports truncation; send honours offset and length', async (t) => {
  const { fd } = openRoute();
  const padded = new Uint8Array(40);
  padded.set(getLinkDump(7), 4);
  t.equal(native.send(fd, padded, 4, 32), 32);
  const big = new Uint8Array(70000);
  const view = big.subarray(8);
  let n = -1;
  for (let i = 0; i < 100 && n < 0; i++) {
    n = native.recv(fd, view);
    if (n < 0) await sleep(10);
  }
  t.ok(n > 16, `received ${n} bytes`);
  t.equal(new DataView(big.buffer).getUint32(8, true) <= n, true, 'the message starts at byteOffset 8');
  t.equal(new DataView(big.buffer).getUint32(8 + 8, true), 7, 'seq read back at the right place');
  // A tiny buffer: the full length comes back, larger than the buffer.
  native.send(fd, getLinkDump(8));
  let m = -1;
  for (let i = 0; i < 100 && m < 0; i++) {
    m = native.recv(fd, new Uint8Array(16));
    if (m < 0) await sleep(10);
  }
  t.ok(m > 16, `truncated datagram reports its full length ${m}`);
  t.match(codeOf(() => native.send(fd, padded, 41)), { code: 'ERR_OUT_OF_RANGE' });
  t.match(codeOf(() => native.send(fd, padded, 8, 33)), { code: 'ERR_OUT_OF_RANGE' });
  t.match(codeOf(() => native.send(fd, [1, 2] as unknown as Uint8Array)), { code: 'ERR_INVALID_ARG_TYPE' });
  native.close(fd);
});

t.test('watcher: one-shot, does not spin, disarm, close', async (t) => {
  const { fd } = openRoute();
  let calls = 0;
  const w = native.watch(fd, () => {
    calls++;
  });
  // Armed, nothing arrives: no calls and (almost) no CPU.
  w.arm();
  let before = process.cpuUsage();
  await sleep(200);
  let used = process.cpuUsage(before);
  t.equal(calls, 0, 'no callback while nothing is queued');
  t.ok(used.user + used.system < 50_000, `idle armed watcher used ${(used.user + used.system) / 1000} ms CPU in 200 ms`);

  // Data queued and never read: exactly one call, then silence (level-triggered would spin).
  native.send(fd, getLinkDump(1));
  before = process.cpuUsage();
  await sleep(200);
  used = process.cpuUsage(before);
  t.equal(calls, 1, 'exactly one callback for an unread, still readable socket');
  t.ok(used.user + used.system < 100_000, `unread readable socket used ${(used.user + used.system) / 1000} ms CPU`);

  // Re-arming with data still queued fires again, once.
  w.arm();
  w.arm(); // arming twice is harmless
  await sleep(50);
  t.equal(calls, 2, 're-armed: one more call');

  // Disarmed: no call even though data is queued.
  w.arm();
  w.disarm();
  await sleep(100);
  t.equal(calls, 2, 'disarmed: no call');

  t.match(codeOf(() => native.watch(fd, () => {})), { code: 'EEXIST' }, 'one watcher per fd');
  w.close();
  w.close(); // idempotent
  native.watch(fd, () => {}).close(); // a new watcher once the old one is closed
  t.match(codeOf(() => w.arm()), { code: 'EBADF' }, 'arm after close throws EBADF');
  w.disarm(); // harmless after close
  native.close(fd);
  t.match(codeOf(() => native.watch(fd, 'x' as unknown as () => void)), { code: 'ERR_INVALID_ARG_TYPE' });
  const Ctor = (w as unknown as { constructor: new () => unknown }).constructor;
  t.match(codeOf(() => new Ctor()), { code: 'ERR_ILLEGAL_CONSTRUCTOR' });
  const arm = w.arm;
  t.throws(() => arm.call({}), TypeError, 'a Watcher method on another object is a TypeError');
});

/** Runs a CommonJS snippet in a fresh node with the binding at B; resolves with its outcome. */
function runChild(
  script: string,
  arg: string,
  killAfterMs?: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, arg], {
      env: { ...process.env, B: nativePath() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer =
      killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            child.kill('SIGKILL'); // by pid: only the child we started
          }, killAfterMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, killed });
    });
  });
}

const CHILD_PRELUDE = `
const n = require(process.env.B);
const fd = n.socket(0, -1); n.bind(fd, 0);
const req = Buffer.alloc(32); req.writeUInt32LE(32, 0); req.writeUInt16LE(18, 4); req.writeUInt16LE(0x301, 6);
`;

t.test('an armed watcher keeps the process alive; a disarmed one does not', async (t) => {
  const script = `${CHILD_PRELUDE}
const w = n.watch(fd, () => {}); w.arm(); if (process.argv[1] === 'disarm') w.disarm();`;
  const armed = await runChild(script, 'armed', 1500);
  t.ok(armed.killed, 'armed: still running after 1.5 s (killed by the test)');
  const disarmed = await runChild(script, 'disarm', 10_000);
  t.notOk(disarmed.killed, 'disarmed: exits by itself');
  t.equal(disarmed.code, 0, disarmed.stderr);
});

t.test('an exception thrown by the callback is an uncaught exception', async (t) => {
  const handled = await runChild(
    `${CHILD_PRELUDE}
process.on('uncaughtException', (e) => { console.log('caught:' + e.message); process.exit(3); });
const w = n.watch(fd, () => { throw new Error('boom'); }); w.arm(); n.send(fd, req);`,
    '',
    10_000,
  );
  t.equal(handled.stdout.trim(), 'caught:boom');
  t.equal(handled.code, 3);
  const unhandled = await runChild(
    `${CHILD_PRELUDE}
const w = n.watch(fd, () => { throw new Error('boom-unhandled'); }); w.arm(); n.send(fd, req);`,
    '',
    10_000,
  );
  t.notOk(unhandled.killed, 'the process does not hang');
  t.equal(unhandled.code, 1, 'exits 1 like any uncaught exception');
  t.match(unhandled.stderr, /boom-unhandled/);
  const withTick = await runChild(
    `${CHILD_PRELUDE}
const w = n.watch(fd, () => { process.nextTick(() => console.log('tick')); Promise.resolve().then(() => console.log('micro')); w.close(); n.close(fd); }); w.arm(); n.send(fd, req);`,
    '',
    10_000,
  );
  t.equal(withTick.stdout, 'tick\nmicro\n', 'nextTick and microtasks queued by the callback run');
  t.equal(withTick.code, 0, withTick.stderr);
});

t.test('errors carry code, errno and a message', async (t) => {
  const bogus = codeOf(() => native.socket(99, -1));
  t.equal(bogus.code, 'EPROTONOSUPPORT');
  t.equal(bogus.errno, 93);
  t.equal(bogus.message, 'socket(netlink protocol 99): Protocol not supported');
  const file = openSync('/proc/self/status', 'r');
  t.match(codeOf(() => native.setns(file, 0x40000000)), { code: 'EINVAL', errno: 22 }, 'setns on a regular file');
  closeSync(file);
  t.match(codeOf(() => native.bind(12345, 0)), { code: 'EBADF', errno: 9 });
  t.match(codeOf(() => native.recv(12345, new Uint8Array(8))), { code: 'EBADF' });
  t.match(codeOf(() => native.send(12345, new Uint8Array(8))), { code: 'EBADF' });
  t.match(codeOf(() => native.getsockopt(12345, 1, 8)), { code: 'EBADF' });
  t.match(codeOf(() => native.setsockopt(12345, 1, 8, 1)), { code: 'EBADF' });
  t.match(codeOf(() => native.ioctlInt(12345, TUNSETPERSIST, 1)), { code: 'EBADF' });
  t.match(codeOf(() => native.mount(null, '/nonexistent-nlkit', null, MS_PRIVATE, null)), { code: 'ENOENT' });
  t.match(codeOf(() => native.umount2('/nonexistent-nlkit', 0)), { code: 'ENOENT' });
  t.match(codeOf(() => native.unshare(-1)), { code: 'EINVAL' });
  t.match(codeOf(() => native.openInNetns(-1, '/nonexistent-nlkit', O_RDONLY, 0)), { code: 'ENOENT', errno: 2 });
  t.match(codeOf(() => native.socket('0' as unknown as number, -1)), { code: 'ERR_INVALID_ARG_TYPE' });
  t.match(codeOf(() => native.socket(1.5, -1)), { code: 'ERR_OUT_OF_RANGE' });
  t.match(codeOf(() => native.openInNetns(-1, 'a\0b', O_RDONLY, 0)), { code: 'ERR_INVALID_ARG_VALUE' });
  t.match(codeOf(() => native.tunOpen(-1, 'x'.repeat(16), IFF_TAP)), { code: 'ERR_OUT_OF_RANGE' });
  t.ok(native.gettid() === process.pid, 'gettid() of the main thread is the pid');
});

t.test('namespaces: create, open inside, and the JS thread always comes back', async (t) => {
  const home = ownNetns();
  t.equal(readlinkSync(`/proc/self/task/${native.gettid()}/ns/net`), home);

  writeFileSync(NS_PATH, '');
  native.netnsCreate(NS_PATH);
  t.equal(ownNetns(), home, 'netnsCreate leaves the thread in its namespace');
  t.ok(
    ipJson<Array<{ name: string }>>(['netns', 'list']).some((n) => n.name === NS),
    'ip netns list sees it (private /run/netns)',
  );
  const nsFd = openSync(NS_PATH, 'r');
  t.teardown(() => closeSync(nsFd));
  t.not(readlinkSync(`/proc/self/fd/${nsFd}`), home, 'a different namespace');

  const inner = openRoute(nsFd);
  t.equal(ownNetns(), home, 'socket in a namespace leaves the thread home');
  t.same(await dumpLinks(inner.fd, 99), ['lo'], 'a socket opened inside sees only lo');
  native.close(inner.fd);

  // Failures at each step: the thread is home afterwards.
  const file = openSync('/proc/self/status', 'r');
  t.match(codeOf(() => native.socket(NETLINK_ROUTE, file)), { code: 'EINVAL' }, 'setns into a regular file fails');
  t.equal(ownNetns(), home, 'home after the setns failure');
  closeSync(file);
  t.match(codeOf(() => native.socket(99, nsFd)), { code: 'EPROTONOSUPPORT' }, 'socket fails inside');
  t.equal(ownNetns(), home, 'home after a failure inside the namespace');
  t.match(codeOf(() => native.openInNetns(nsFd, '/nonexistent-nlkit', O_RDONLY, 0)), { code: 'ENOENT' });
  t.equal(ownNetns(), home, 'home after a failed openInNetns');
  t.match(codeOf(() => native.tunOpen(nsFd, 'nlkbad', 0)), { code: 'EINVAL' }, 'TUNSETIFF without a mode');
  t.equal(ownNetns(), home, 'home after a failed tunOpen');
  t.match(codeOf(() => native.netnsCreate('/run/netns/does-not-exist/x')), { code: 'ENOENT' });
  t.equal(ownNetns(), home, 'home after a failed netnsCreate');
  t.match(codeOf(() => native.socket(NETLINK_ROUTE, 9999)), { code: 'EBADF' });
  t.equal(ownNetns(), home);
});

t.test('openInNetns reads and writes the sysctls of another namespace', async (t) => {
  const path = '/proc/sys/net/ipv4/conf/lo/forwarding';
  const nsFd = openSync(NS_PATH, 'r');
  t.teardown(() => closeSync(nsFd));
  const here = readFileSync(path, 'utf8').trim();
  const other = here === '1' ? '0' : '1';

  const wfd = native.openInNetns(nsFd, path, O_WRONLY, 0);
  writeSync(wfd, `${other}\n`);
  native.close(wfd);

  const rfd = native.openInNetns(nsFd, path, O_RDONLY, 0);
  const buf = Buffer.alloc(16);
  const n = readSync(rfd, buf, 0, 16, null);
  native.close(rfd);
  t.equal(buf.subarray(0, n).toString().trim(), other, 'read back inside the namespace');
  t.equal(readFileSync(path, 'utf8').trim(), here, 'unchanged in the sandbox namespace');
  t.equal(sh('ip', ['netns', 'exec', NS, 'cat', path]).trim(), other, 'ip netns exec agrees');
  const plain = native.openInNetns(-1, path, O_RDONLY, 0);
  t.equal(readFileSync(`/proc/self/fd/${plain}`, 'utf8').trim(), here, 'netnsFd -1: a plain open');
  native.close(plain);
});

t.test('tunOpen: tap and tun inside a namespace, persistent', async (t) => {
  const nsFd = openSync(NS_PATH, 'r');
  t.teardown(() => closeSync(nsFd));
  const tap = native.tunOpen(nsFd, 'nlktap%d', IFF_TAP | IFF_NO_PI);
  t.equal(tap.name, 'nlktap0', 'the kernel expanded %d');
  native.ioctlInt(tap.fd, TUNSETOWNER, 1234);
  native.ioctlInt(tap.fd, TUNSETPERSIST, 1);
  native.close(tap.fd);
  const tun = native.tunOpen(nsFd, 'nlktun1', IFF_TUN);
  t.equal(tun.name, 'nlktun1');
  native.ioctlInt(tun.fd, TUNSETPERSIST, 1);
  native.close(tun.fd);
  const transient = native.tunOpen(nsFd, 'nlktmp', IFF_TAP);
  native.close(transient.fd);

  type Link = { ifname: string; linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> } };
  const links = ipJson<Link[]>(['-n', NS, '-d', 'link', 'show']);
  const byName = new Map(links.map((l) => [l.ifname, l]));
  t.match(byName.get('nlktap0')?.linkinfo, { info_kind: 'tun', info_data: { type: 'tap', pi: false, persist: true, user: 1234 } });
  t.match(byName.get('nlktun1')?.linkinfo, { info_kind: 'tun', info_data: { type: 'tun', pi: true, persist: true } });
  t.notOk(byName.has('nlktmp'), 'a non-persistent device goes away with its fd');
  const here = ipJson<Link[]>(['link', 'show']).map((l) => l.ifname);
  t.notOk(here.includes('nlktap0') || here.includes('nlktun1'), 'not in the sandbox namespace');
  t.match(codeOf(() => native.tunOpen(nsFd, 'nlktap0', IFF_TUN)), { code: 'EINVAL' }, 'wrong type for an existing device');
});

t.test('no fd leaks over 10^4 socket cycles (and namespaced and failing ones)', async (t) => {
  const nsFd = openSync(NS_PATH, 'r');
  t.teardown(() => closeSync(nsFd));
  const start = fdCount();
  for (let i = 0; i < 10_000; i++) native.close(native.socket(NETLINK_ROUTE, -1));
  t.equal(fdCount(), start, 'plain open/close');
  for (let i = 0; i < 1_000; i++) native.close(native.socket(NETLINK_ROUTE, nsFd));
  t.equal(fdCount(), start, 'open/close inside a namespace');
  for (let i = 0; i < 1_000; i++) {
    try {
      native.socket(99, nsFd);
    } catch {
      // expected: EPROTONOSUPPORT
    }
  }
  t.equal(fdCount(), start, 'failing opens inside a namespace');
  const kept: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const fd = native.socket(NETLINK_ROUTE, -1);
    kept.push(fd);
    native.watch(fd, () => {}).close();
  }
  t.equal(fdCount(), start + 1_000, 'watchers neither leak fds nor close the fds they watch');
  for (const fd of kept) native.close(fd);
  t.equal(fdCount(), start);
});

t.test('ENOBUFS after a receive-queue overrun; the socket stays usable', async (t) => {
  const nsFd = openSync(NS_PATH, 'r');
  t.teardown(() => closeSync(nsFd));
  const fd = native.socket(NETLINK_ROUTE, nsFd);
  native.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, 1); // the kernel's minimum
  native.bind(fd, RTMGRP_LINK);
  const batch = Array.from({ length: 60 }, (_, i) => `link add nlkbr${i} type bridge\n`).join('');
  sh('ip', ['-n', NS, '-batch', '-'], batch);

  const buf = new Uint8Array(64 * 1024);
  const first = codeOf(() => native.recv(fd, buf));
  t.equal(first.code, 'ENOBUFS', 'the overrun is reported');
  t.equal(first.errno, 105);
  const n = native.recv(fd, buf);
  t.ok(n > 0, 'the next recv returns a queued notification');
  t.equal(parse(buf.subarray(0, n))[0]?.type, RTM_NEWLINK);
  // Drain, then a fresh notification still arrives.
  while (native.recv(fd, buf) >= 0);
  sh('ip', ['-n', NS, 'link', 'add', 'nlkafter', 'type', 'bridge']);
  const names: string[] = [];
  for (let i = 0; i < 100 && !names.includes('nlkafter'); i++) {
    const m = native.recv(fd, buf);
    if (m < 0) await sleep(10);
    else for (const msg of parse(buf.subarray(0, m))) if (msg.ifname) names.push(msg.ifname);
  }
  t.ok(names.includes('nlkafter'), 'notifications keep coming after the overrun');
  native.close(fd);
});
