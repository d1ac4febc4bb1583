#!/usr/bin/env node
// Micro-benchmarks of nlkit's JS side on a recorded route dump (no kernel, no sandbox): the
// quick loop for optimising the codec and the client. Minimum and median of many runs, CPU-bound.
//
//   node bench/micro.mjs --record          record bench/build/rec/{route,link}.bin (in the sandbox)
//   node bench/micro.mjs [--dist DIR] [--runs N] [CASE...]
//
// Cases: write-seq, write-pipe (10,000 route requests acknowledged by a fake kernel), encode,
// decode, decode-link (the 2,001-link dump), decode-keep, client-collect, client-stream, api-collect, api-stream (default: all).
// Compare two builds: `--dist /tmp/before/dist` then the default dist/ (see bench/README.md).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, openSync, closeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { loadNlkit } from './lib/nlkit.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const recDir = join(here, 'build', 'rec');
const args = process.argv.slice(2);
let dist = join(root, 'dist');
let runs = 30;
const names = [];
let doRecord = false;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dist') dist = resolve(args[++i]);
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--record') doRecord = true;
  else names.push(args[i]);
}
process.env.NLKIT_NATIVE_PATH ||= join(root, 'build', 'Release', 'nlkit.node');
const nk = await loadNlkit(dist);

const ROUTE_DUMP = { type: 'RTM_GETROUTE', header: { family: 2 }, attrs: { table: 254 } };
const LINK_DUMP = { type: 'RTM_GETLINK', header: { family: 0 }, attrs: { ext_mask: 8 } };

/** Length-prefixed datagrams: u32 port id, then (u32 length, bytes)*. */
function save(file, portId, dgs) {
  const total = 4 + dgs.reduce((n, d) => n + 4 + d.length, 0);
  const out = Buffer.alloc(total);
  out.writeUInt32LE(portId, 0);
  let off = 4;
  for (const d of dgs) {
    out.writeUInt32LE(d.length, off);
    out.set(d, off + 4);
    off += 4 + d.length;
  }
  writeFileSync(file, out);
}

function load(file) {
  const b = readFileSync(file);
  const portId = b.readUInt32LE(0);
  const dgs = [];
  for (let off = 4; off < b.length; ) {
    const n = b.readUInt32LE(off);
    dgs.push(new Uint8Array(b.subarray(off + 4, off + 4 + n)));
    off += 4 + n;
  }
  return { portId, dgs };
}

if (doRecord) {
  if (process.env.NLKIT_BENCH_SANDBOX !== '1') {
    const nsexec = join(root, 'build', 'Release', 'nlkit-nsexec');
    const r = spawnSync(nsexec, ['--sandbox', '--', process.execPath, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit', env: { ...process.env, NLKIT_BENCH_SANDBOX: '1' } });
    process.exit(r.status ?? 1);
  }
  const { dumpNs } = await import('./lib/setup.mjs');
  const ns = dumpNs((m) => process.stderr.write(`micro: ${m}\n`));
  mkdirSync(recDir, { recursive: true });
  for (const [name, req] of [['route', ROUTE_DUMP], ['link', LINK_DUMP]]) {
    const fd = openSync(`/run/netns/${ns}`, 'r');
    const t = nk.openNativeTransport({ protocol: 0, netnsFd: fd });
    t.send(nk.encodeMessage(nk.routeProtocol(), { ...req, flags: ['NLM_F_REQUEST', 'NLM_F_DUMP'], seq: 1 }));
    const dgs = [];
    for (let done = false; !done; ) {
      const d = t.receive();
      if (d === null) {
        await new Promise((r) => t.onReadable(r));
        continue;
      }
      dgs.push(d.slice());
      const v = new DataView(dgs.at(-1).buffer);
      for (let off = 0; off + 16 <= d.length; off += (v.getUint32(off, true) + 3) & ~3) if (v.getUint16(off + 4, true) === 3) done = true;
    }
    save(join(recDir, `${name}.bin`), t.portId, dgs);
    process.stderr.write(`micro: recorded ${name}: ${dgs.length} datagrams, ${dgs.reduce((n, d) => n + d.length, 0)} bytes\n`);
    t.close();
    closeSync(fd);
  }
  process.exit(0);
}

if (!existsSync(join(recDir, 'route.bin'))) {
  process.stderr.write('micro: no recording: run `node bench/micro.mjs --record` first\n');
  process.exit(2);
}
const routes = load(join(recDir, 'route.bin'));
const links = load(join(recDir, 'link.bin'));
const byType = new Map([
  [26, routes.dgs],
  [18, links.dgs],
]);

function transport() {
  return nk.createFakeTransport(
    (req) => {
      const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
      const dgs = byType.get(v.getUint16(4, true));
      const seq = v.getUint32(8, true);
      for (const d of dgs) {
        const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
        for (let off = 0; off + 16 <= d.length; off += (dv.getUint32(off, true) + 3) & ~3) dv.setUint32(off + 8, seq, true);
      }
      return dgs;
    },
    { portId: routes.portId },
  );
}

/** A fake kernel that acknowledges every message of every datagram (with NLM_F_CAPPED, as the real one). */
function ackTransport() {
  return nk.createFakeTransport(
    (req) => {
      const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
      const out = [];
      for (let off = 0; off + 16 <= req.length; off += (v.getUint32(off, true) + 3) & ~3) {
        const ack = new Uint8Array(36);
        const a = new DataView(ack.buffer);
        a.setUint32(0, 36, true);
        a.setUint16(4, 2, true);
        a.setUint16(6, 0x100, true); // NLM_F_CAPPED
        a.setUint32(8, v.getUint32(off + 8, true), true);
        a.setUint32(12, 4242, true);
        ack.set(req.subarray(off, off + 16), 20);
        out.push(ack);
      }
      return out;
    },
    { portId: 4242 },
  );
}

function routeRequest(i) {
  return {
    type: 'RTM_NEWROUTE',
    flags: ['NLM_F_CREATE', 'NLM_F_EXCL'],
    header: { family: 2, dst_len: 32, src_len: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0 },
    attrs: { dst: `198.18.${(i >> 8) & 255}.${i & 255}`, gateway: '10.123.0.2' },
  };
}
const WRITES = 10000;

const p = nk.routeProtocol();
const CASES = {
  'write-seq': async () => {
    const c = new nk.NetlinkClient(ackTransport(), p);
    for (let i = 0; i < WRITES; i++) await c.request(routeRequest(i));
    c.close();
    return WRITES;
  },
  'write-pipe': async () => {
    const c = new nk.NetlinkClient(ackTransport(), p);
    const all = [];
    for (let i = 0; i < WRITES; i++) all.push(c.request(routeRequest(i)));
    await Promise.all(all);
    c.close();
    return WRITES;
  },
  encode: () => {
    for (let i = 0; i < WRITES; i++) nk.encodeMessage(p, { ...routeRequest(i), seq: i + 1 });
    return WRITES;
  },
  decode: () => {
    let n = 0;
    for (const d of routes.dgs) n += nk.decodeDatagram(p, d).length;
    return n;
  },
  'decode-link': () => {
    let n = 0;
    for (const d of links.dgs) n += nk.decodeDatagram(p, d).length;
    return n;
  },
  'decode-keep': () => {
    // decodeDatagram with every message kept, as collect() keeps them: the codec plus the GC of
    // what survives, without the client.
    const all = [];
    for (const d of routes.dgs) for (const m of nk.decodeDatagram(p, d)) all.push(m);
    return all.length;
  },
  'client-collect': async () => {
    const c = new nk.NetlinkClient(transport(), p);
    const n = (await c.dump(ROUTE_DUMP).collect()).length;
    c.close();
    return n;
  },
  'client-stream': async () => {
    const c = new nk.NetlinkClient(transport(), p, process.env.HW ? { highWater: Number(process.env.HW) } : {});
    let n = 0;
    for await (const m of c.dump(ROUTE_DUMP)) if (m) n++;
    c.close();
    return n;
  },
  'api-collect': async () => {
    const nl = await nk.Netlink.open({ transport: transport() });
    const n = (await nl.route.list({ family: 'inet' }).collect()).length;
    nl.close();
    return n;
  },
  'api-stream': async () => {
    const nl = await nk.Netlink.open({ transport: transport() });
    let n = 0;
    for await (const r of nl.route.list({ family: 'inet' })) if (r) n++;
    nl.close();
    return n;
  },
};

const gc = globalThis.gc ?? (() => {});
for (const name of names.length ? names : Object.keys(CASES).filter((n) => !n.startsWith('write'))) {
  const fn = CASES[name];
  if (!fn) throw new Error(`unknown case ${name} (${Object.keys(CASES).join(', ')})`);
  if (name.startsWith('api') && !nk.Netlink) {
    process.stdout.write(`${name.padEnd(16)} (no API in ${dist})\n`);
    continue;
  }
  const times = [];
  const cpu = [];
  let n = 0;
  for (let r = -3; r < runs; r++) {
    gc();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    n = await fn();
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (r >= 0) {
      times.push(t);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const f = (x) => x.toFixed(1).padStart(7);
  process.stdout.write(`${name.padEnd(16)} min ${f(times[0])} ms   median ${f(times[times.length >> 1])} ms   cpu min ${f(cpu[0])} median ${f(cpu[cpu.length >> 1])} ms   (${n} messages, ${runs} runs)\n`);
}
