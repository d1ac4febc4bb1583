// openNativeTransport against the real kernel, inside the private sandbox (see sandbox.ts).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { enterSandbox, ipJson, sh } from './sandbox.js';
import {
  loadNative,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_LISTEN_ALL_NSID,
  NETLINK_ROUTE,
  SO_RCVBUF,
  SOL_NETLINK,
  SOL_SOCKET,
} from '../../src/native.js';
import { openNativeTransport, type NativeTransport } from '../../src/netlink/native-transport.js';

await enterSandbox();

const native = loadNative();

const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const IFLA_IFNAME = 3;
const RTNLGRP_LINK = 1;

function request(type: number, flags: number, seq: number, payloadBytes = 16): Uint8Array {
  const buf = new Uint8Array(16 + payloadBytes);
  const v = new DataView(buf.buffer);
  v.setUint32(0, buf.byteLength, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq, true);
  return buf;
}

interface Msg {
  type: number;
  seq: number;
  len: number;
  error?: number;
  ifname?: string;
}

function parse(bytes: Uint8Array): Msg[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Msg[] = [];
  for (let off = 0; off + 16 <= bytes.byteLength; ) {
    const len = v.getUint32(off, true);
    if (len < 16 || off + len > bytes.byteLength) throw new Error(`bad nlmsg_len ${len} at ${off}`);
    const m: Msg = { type: v.getUint16(off + 4, true), seq: v.getUint32(off + 8, true), len };
    if (m.type === NLMSG_ERROR) m.error = v.getInt32(off + 16, true);
    if (m.type === RTM_NEWLINK) {
      for (let a = off + 32; a + 4 <= off + len; ) {
        const alen = v.getUint16(a, true);
        if (alen < 4) break;
        if ((v.getUint16(a + 2, true) & 0x3fff) === IFLA_IFNAME) {
          m.ifname = Buffer.from(bytes.buffer, bytes.byteOffset + a + 4, alen - 4).toString('latin1').replace(/\0.*$/s, '');
        }
        a += (alen + 3) & ~3;
      }
    }
    out.push(m);
    off += (len + 3) & ~3;
  }
  return out;
}

/** Pulls datagrams (receive, else onReadable) until `done` says so or the time runs out. */
function pump(tr: NativeTransport, done: (m: Msg) => boolean, ms = 5000): Promise<Msg[]> {
  const seen: Msg[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; saw ${JSON.stringify(seen)}`)), ms);
    const step = () => {
      try {
        for (;;) {
          const d = tr.receive();
          if (d === null) {
            tr.onReadable(step);
            return;
          }
          for (const m of parse(d)) {
            seen.push(m);
            if (done(m)) {
              clearTimeout(timer);
              resolve(seen);
              return;
            }
          }
        }
      } catch (err) {
        clearTimeout(timer);
        reject(err as Error);
      }
    };
    step();
  });
}

async function dumpNames(tr: NativeTransport, seq: number): Promise<string[]> {
  tr.send(request(RTM_GETLINK, 0x301, seq));
  const msgs = await pump(tr, (m) => m.seq === seq && (m.type === NLMSG_DONE || m.type === NLMSG_ERROR));
  return msgs.filter((m) => m.seq === seq && m.ifname !== undefined).map((m) => m.ifname as string);
}

function codeOf(fn: () => unknown): { code?: unknown; errno?: unknown; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code?: unknown; errno?: unknown; message: string };
  }
  throw new Error('expected a throw');
}

sh('ip', ['link', 'add', 'nlkt-host', 'type', 'bridge']);

t.test('defaults: socket options, port id, a dump', async (t) => {
  const tr = openNativeTransport({ protocol: NETLINK_ROUTE });
  t.equal(tr.protocol, NETLINK_ROUTE);
  t.ok(tr.portId > 0, `port id ${tr.portId}`);
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_EXT_ACK), 1, 'EXT_ACK');
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK), 1, 'GET_STRICT_CHK');
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_CAP_ACK), 1, 'CAP_ACK');
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID), 0, 'LISTEN_ALL_NSID off');
  t.equal(native.getsockopt(tr.fd, SOL_SOCKET, SO_RCVBUF), 8 << 20, '4 MiB receive buffer (doubled by the kernel)');
  const names = await dumpNames(tr, 1);
  t.same(names, ipJson<Array<{ ifname: string }>>(['link', 'show']).map((l) => l.ifname));
  t.equal(tr.receive(), null, 'nothing left: null');
  t.equal(tr.closed, false);
  tr.close();
});

t.test('options off and on', async (t) => {
  const tr = openNativeTransport({
    protocol: NETLINK_ROUTE,
    extAck: false,
    strictCheck: false,
    capAck: false,
    listenAllNsid: true,
    receiveBuffer: 1 << 20,
  });
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_EXT_ACK), 0);
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK), 0);
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_CAP_ACK), 0);
  t.equal(native.getsockopt(tr.fd, SOL_NETLINK, NETLINK_LISTEN_ALL_NSID), 1);
  t.equal(native.getsockopt(tr.fd, SOL_SOCKET, SO_RCVBUF), 2 << 20);
  tr.close();
});

t.test('a truncated datagram is EMSGSIZE with both sizes; the buffer grows', async (t) => {
  // Without CAP_ACK the error ack echoes the whole request: a 70000-byte request of an unknown
  // type comes back as a ~70 KiB error, more than the 64 KiB buffer.
  const tr = openNativeTransport({ protocol: NETLINK_ROUTE, capAck: false });
  const big = request(0x7fff, 0x5, 10, 70_000);
  tr.send(big);
  const err = await new Promise<{ code?: unknown; errno?: unknown; message: string }>((resolve) => {
    const step = () => {
      try {
        if (tr.receive() === null) tr.onReadable(step);
        else resolve({ message: 'no error' });
      } catch (e) {
        resolve(e as { message: string });
      }
    };
    step();
  });
  t.equal(err.code, 'EMSGSIZE');
  t.equal(err.errno, 90);
  t.match(err.message, /70036-byte .* 65536-byte .* 131072 bytes/);
  big.set([11], 8); // seq 11
  tr.send(big);
  const msgs = await pump(tr, (m) => m.seq === 11);
  const last = msgs[msgs.length - 1];
  t.equal(last?.type, NLMSG_ERROR);
  t.equal(last?.len, 16 + 4 + 70_016, 'the whole echo fits now');
  t.equal(last?.error, -95, 'EOPNOTSUPP for an unknown type');
  tr.close();
});

t.test('onReadable: every callback registered before the event runs once', async (t) => {
  const tr = openNativeTransport({ protocol: NETLINK_ROUTE });
  let a = 0;
  let b = 0;
  await new Promise<void>((resolve) => {
    tr.onReadable(() => a++);
    tr.onReadable(() => {
      b++;
      setTimeout(resolve, 50);
    });
    tr.send(request(RTM_GETLINK, 0x301, 5));
  });
  t.equal(a, 1);
  t.equal(b, 1);
  t.ok(tr.receive() !== null, 'the data is still there for receive()');
  tr.close();
});

t.test('multicast membership', async (t) => {
  const tr = openNativeTransport({ protocol: NETLINK_ROUTE });
  tr.addMembership(RTNLGRP_LINK);
  sh('ip', ['link', 'add', 'nlkt-mc1', 'type', 'bridge']);
  const seen = await pump(tr, (m) => m.ifname === 'nlkt-mc1');
  t.ok(seen.some((m) => m.type === RTM_NEWLINK && m.ifname === 'nlkt-mc1'), 'RTM_NEWLINK notification');
  while (tr.receive() !== null);
  tr.dropMembership(RTNLGRP_LINK);
  sh('ip', ['link', 'add', 'nlkt-mc2', 'type', 'bridge']);
  await new Promise((r) => setTimeout(r, 100));
  t.equal(tr.receive(), null, 'nothing after leaving the group');
  tr.close();
});

t.test('in a namespace', async (t) => {
  writeFileSync('/run/netns/nlkt', '');
  native.netnsCreate('/run/netns/nlkt');
  const nsFd = openSync('/run/netns/nlkt', 'r');
  const tr = openNativeTransport({ protocol: NETLINK_ROUTE, netnsFd: nsFd });
  closeSync(nsFd); // the socket keeps its namespace
  t.same(await dumpNames(tr, 2), ['lo']);
  tr.close();
});

t.test('close: idempotent, then EBADF', async (t) => {
  const before = readdirSync('/proc/self/fd').length;
  const tr = openNativeTransport({ protocol: NETLINK_ROUTE });
  tr.onReadable(() => t.fail('must not be called after close'));
  tr.close();
  tr.close();
  t.equal(tr.closed, true);
  t.equal(tr.fd, -1);
  t.equal(readdirSync('/proc/self/fd').length, before, 'the fd is released');
  for (const [name, fn] of [
    ['send', () => tr.send(new Uint8Array(16))],
    ['receive', () => tr.receive()],
    ['onReadable', () => tr.onReadable(() => {})],
    ['addMembership', () => tr.addMembership(1)],
    ['dropMembership', () => tr.dropMembership(1)],
  ] as const) {
    t.match(codeOf(fn), { code: 'EBADF', errno: 9, message: new RegExp(`^${name}: `) }, name);
  }
  await new Promise((r) => setTimeout(r, 50));
});

t.test('a failing open leaks nothing', async (t) => {
  const before = readdirSync('/proc/self/fd').length;
  t.match(codeOf(() => openNativeTransport({ protocol: 99 })), { code: 'EPROTONOSUPPORT' });
  t.match(codeOf(() => openNativeTransport({ protocol: NETLINK_ROUTE, receiveBuffer: 2 ** 31 })), {
    code: 'ERR_OUT_OF_RANGE',
  });
  t.match(codeOf(() => openNativeTransport({ protocol: NETLINK_ROUTE, netnsFd: 9999 })), { code: 'EBADF' });
  t.equal(readdirSync('/proc/self/fd').length, before);
});

t.test('without CAP_NET_ADMIN, SO_RCVBUF is the fallback (capped by rmem_max)', async (t) => {
  const fixture = fileURLToPath(new URL('./fixtures/transport-without-cap.ts', import.meta.url));
  const r = spawnSync(
    'setpriv',
    ['--inh-caps=-net_admin', '--bounding-set=-net_admin', '--', process.execPath, ...process.execArgv, fixture],
    { encoding: 'utf8', timeout: 60_000 },
  );
  t.equal(r.status, 0, r.stderr);
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  const { rcvbuf } = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { rcvbuf: number };
  t.equal(rcvbuf, Math.max(rmemMax * 2, 2304), 'SO_RCVBUF, clamped to rmem_max and doubled');
});
