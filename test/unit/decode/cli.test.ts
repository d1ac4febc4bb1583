// `nlkit decode` through main(argv, io) with in-memory streams (and once as a real process via
// src/cli/main-entry.ts): options, the three views, problems on stderr with exit status 1 while
// the rest is still printed, usage errors with 2.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.js';
import { decodeMessages } from '../../../src/decode/index.js';
import { writePcap } from '../../../src/decode/pcap.js';
import { attr, cat, done, hex, ifinfomsg, newlink, nlmsg, str, u32 } from './fixtures/wire.js';

async function run(argv: string[], stdin: string | Uint8Array = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const dec = new TextDecoder();
  const io = {
    stdout: { write: (c: string | Uint8Array) => (out += typeof c === 'string' ? c : dec.decode(c)) },
    stderr: { write: (c: string | Uint8Array) => (err += typeof c === 'string' ? c : dec.decode(c)) },
    stdin: (async function* () {
      const b = typeof stdin === 'string' ? new TextEncoder().encode(stdin) : stdin;
      // Arrive in small pieces, as a pipe would deliver them.
      for (let i = 0; i < b.length; i += 7) yield b.subarray(i, i + 7);
    })(),
  };
  const code = await main(argv, io);
  return { code, out, err };
}

// A dump of two links (one with an address) in one datagram, as hex.
const RTM_NEWADDR = 20;
const addrMsg = nlmsg(RTM_NEWADDR, 2, 2, 4242, cat(Uint8Array.of(2, 24, 0x80, 0), u32(2), attr(2, Uint8Array.of(10, 123, 0, 1)), attr(1, Uint8Array.of(10, 123, 0, 1)), attr(3, str('veth0'))));
const links = cat(newlink(1, 'lo', 65536), newlink(2, 'veth0'), done());
const input = `${hex(links)}\n${hex(cat(addrMsg, done(2)))}\n`;

t.test('usage', async (t) => {
  let r = await run(['decode', '--help']);
  t.equal(r.code, 0);
  t.match(r.out, /Usage: nlkit decode/);
  r = await run(['decode', '--bogus']);
  t.equal(r.code, 2);
  t.match(r.err, /unknown option "--bogus"/);
  r = await run(['decode', '--format', 'xml']);
  t.equal(r.code, 2);
  t.match(r.err, /unknown format "xml"/);
  r = await run(['decode', '--view']);
  t.equal(r.code, 2);
  t.match(r.err, /needs a value/);
  r = await run(['decode', 'a', 'b']);
  t.equal(r.code, 2);
  // The ip-compatible front end answers as ip does: an unknown object is status 1, no object
  // at all prints the usage on stderr with status 255.
  r = await run(['nosuch']);
  t.equal(r.code, 1);
  t.match(r.err, /Object "nosuch" is unknown/);
  r = await run([]);
  t.equal(r.code, 255);
  t.match(r.err, /Usage: nlkit/);
  r = await run(['help']);
  t.equal(r.code, 0);
});

t.test('--view messages -j: one contract object per message per line', async (t) => {
  const r = await run(['decode', '-j', '--format=hex', '-'], input);
  t.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  t.same(lines, [...decodeMessages(links), ...decodeMessages(cat(addrMsg, done(2)))]);
  t.equal(r.err, '');
});

t.test('text view (default) and auto detection', async (t) => {
  const r = await run(['decode'], input);
  t.equal(r.code, 0);
  t.match(r.out, /# datagram 1: direction unknown, route, \d+ bytes, line 1/);
  t.match(r.out, /RTM_NEWLINK NLM_F_MULTI seq=1 pid=4242\n  ifinfomsg: family=0 \(AF_UNSPEC\) type=1 \(ARPHRD_ETHER\) index=1 flags=0 change=0\n  IFLA_IFNAME: lo\n  IFLA_MTU: 65536/);
  t.match(r.out, /IFA_LABEL: veth0/);
  t.match(r.out, /NLMSG_DONE NLM_F_MULTI seq=2 pid=4242/);
});

t.test('--view ip: the objects as ip shows them', async (t) => {
  let r = await run(['decode', '--view', 'ip', '-j'], input);
  t.equal(r.code, 0, r.err);
  const objs = JSON.parse(r.out);
  t.equal(objs.length, 2);
  t.same(objs[1], {
    ifindex: 2,
    ifname: 'veth0',
    flags: [],
    mtu: 1500,
    link_type: 'ether',
    addr_info: [{ family: 'inet', local: '10.123.0.1', prefixlen: 24, scope: 'global', label: 'veth0' }],
  });
  r = await run(['decode', '--view', 'ip'], input);
  t.equal(r.out, '1: lo: <> mtu 65536 \n    link/ether \n2: veth0: <> mtu 1500 \n    link/ether \n    inet 10.123.0.1/24 scope global veth0\n');
  r = await run(['decode', '--view', 'ip', '-j', '-p'], `${hex(newlink(3, 'x'))}\n`);
  t.match(r.out, /^\[\n {4}\{\n {8}"ifindex": 3,/);
  // Requests are not objects.
  r = await run(['decode', '--view', 'ip', '-j'], `${hex(nlmsg(16, 0x405, 1, 0, cat(ifinfomsg(0), attr(3, str('new0')))))}\n`);
  t.same(JSON.parse(r.out), []);
});

t.test('bad input: problems on stderr with where, the rest on stdout, status 1', async (t) => {
  const bad = `${hex(newlink(1, 'lo'))}\nnot hex\n${hex(cat(newlink(2, 'a'), nlmsg(16, 2, 1, 1, cat(ifinfomsg(3), attr(3, str('b'), 99)))))}\n${hex(newlink(4, 'c'))}\n`;
  const r = await run(['decode', '-j', '-'], bad);
  t.equal(r.code, 1);
  t.same(r.out.trim().split('\n').map((l) => JSON.parse(l).attrs.ifname), ['lo', 'a', 'c']);
  t.match(r.err, /nlkit decode: <stdin>: line 2: not hex datagram: " " is not a hex digit|nlkit decode: <stdin>: line 2: not a hex datagram/);
  t.match(r.err, /nlkit decode: <stdin>: datagram 2 \(line 3\), message 2, byte \d+: attribute of 99 bytes \(type 3\) overruns its container/);
});

t.test('files: pcap by name, a missing file, --family', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-cli-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, 'c.pcap');
  writeFileSync(f, writePcap([{ bytes: newlink(1, 'lo'), direction: 'in' }, { bytes: nlmsg(0x20, 1, 1, 0, Uint8Array.of(1, 0, 0, 0)), protocol: 16, direction: 'out' }]));
  let r = await run(['decode', '-j', f]);
  t.equal(r.code, 0, r.err);
  t.same(r.out.trim().split('\n').map((l) => JSON.parse(l).type), ['RTM_NEWLINK', 0x20]);
  r = await run(['decode', f]);
  t.match(r.out, /# datagram 2: to kernel, generic, 20 bytes/);
  t.match(r.out, /payload: 01000000/);
  r = await run(['decode', join(dir, 'nope.pcap')]);
  t.equal(r.code, 1);
  t.match(r.err, /no such file/);
  r = await run(['decode', '-j', '--family', 'generic', '--format', 'raw'], nlmsg(0x20, 1, 1, 0, Uint8Array.of(9, 9, 9, 9)));
  t.same(JSON.parse(r.out), { type: 0x20, flags: ['NLM_F_REQUEST'], seq: 1, pid: 0, header: {}, attrs: {}, payload: '09090909' });
  r = await run(['decode', '--family', 'bogus']);
  t.equal(r.code, 2);
});

t.test('as a process: src/cli/main-entry.ts', async (t) => {
  const r = spawnSync(process.execPath, ['--import=@isaacs/ts-node-temp-fork-for-pr-2009/import', 'src/cli/main-entry.ts', 'decode', '-j', '--format', 'hex', '-'], {
    input: `${hex(newlink(1, 'lo'))}\n`,
    encoding: 'utf8',
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
  });
  t.equal(r.status, 0, r.stderr);
  t.equal(JSON.parse(r.stdout).attrs.ifname, 'lo');
  const bad = spawnSync(process.execPath, ['--import=@isaacs/ts-node-temp-fork-for-pr-2009/import', 'src/cli/main-entry.ts', 'decode', '--nope'], { encoding: 'utf8', env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' } });
  t.equal(bad.status, 2);
});
