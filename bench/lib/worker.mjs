// One nlkit case in a process of its own, so that its peak RSS is its own:
//   node --expose-gc bench/lib/worker.mjs '<json spec>'
// prints one JSON line: { runs_ms, cpu_ms, messages, bytes?, maxrss_kb, ... }.
// The spec comes from bench/lib/cases.mjs; bench/run.mjs starts this inside the sandbox.
import { openSync, closeSync, readFileSync } from 'node:fs';
import { spawnSync, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { loadNlkit } from './nlkit.mjs';
import { routeAddr, addrAddr } from './objects.mjs';

const spec = JSON.parse(process.argv[2]);
const nk = await loadNlkit(spec.dist);

const gc = globalThis.gc ?? (() => {});
const times = [];
const cpu = [];
let messages = 0;
let bytes;
const extra = {};

/** Times `fn` warm-up + runs times; `after` runs untimed after each (cleanup). */
async function measure(fn, after) {
  for (let r = -spec.warmup; r < spec.runs; r++) {
    gc();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const n = await fn();
    const t1 = performance.now();
    const c = process.cpuUsage(c0);
    if (r >= 0) {
      times.push(t1 - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    messages = n;
    if (after) await after();
  }
}

function netnsFd() {
  return openSync(`/run/netns/${spec.netns}`, 'r');
}

function client(fd) {
  const t = nk.openNativeTransport({ protocol: 0, netnsFd: fd });
  return new nk.NetlinkClient(t, nk.routeProtocol());
}

/** The dump request of each object, the same as the C floor's (bench/floor.c build_dump). */
const DUMPS = {
  route: { type: 'RTM_GETROUTE', header: { family: 2 }, attrs: { table: 254 } },
  addr: { type: 'RTM_GETADDR', header: { family: 0 } },
  link: { type: 'RTM_GETLINK', header: { family: 0 } },
};

/** What the writers create: the same objects as `floor write` (bench/floor.c build_write). */
function writeRequest(object, i, ifindex) {
  switch (object) {
    case 'route':
      return {
        type: 'RTM_NEWROUTE',
        flags: ['NLM_F_CREATE', 'NLM_F_EXCL'],
        header: { family: 2, dst_len: 32, src_len: 0, tos: 0, table: 254, protocol: 3, scope: 0, type: 1, flags: 0 },
        attrs: { dst: routeAddr(i), gateway: '10.123.0.2' },
      };
    case 'addr':
      return {
        type: 'RTM_NEWADDR',
        flags: ['NLM_F_CREATE', 'NLM_F_EXCL'],
        header: { family: 2, prefixlen: 32, flags: 0, scope: 0, index: ifindex },
        attrs: { local: addrAddr(i), address: addrAddr(i) },
      };
    case 'veth':
      return {
        type: 'RTM_NEWLINK',
        flags: ['NLM_F_CREATE', 'NLM_F_EXCL'],
        header: {},
        attrs: { ifname: `fw${i}`, linkinfo: { kind: 'veth', data: { peer: { header: {}, attrs: { ifname: `fwp${i}` } } } } },
      };
  }
  throw new Error(`unknown object ${object}`);
}

/** The same objects through the high-level API. */
function apiWrite(nl, object, i, dev) {
  switch (object) {
    case 'route':
      return nl.route.add({ dst: `${routeAddr(i)}/32`, gateway: '10.123.0.2' });
    case 'addr':
      return nl.addr.add(dev, `${addrAddr(i)}/32`);
    case 'veth':
      return nl.link.add({ name: `fw${i}`, type: 'veth', peer: { name: `fwp${i}` } });
  }
  throw new Error(`unknown object ${object}`);
}

function cleanup() {
  const r = spawnSync(spec.floor, ['clean', '--netns', `/run/netns/${spec.netns}`, spec.object, '--count', String(spec.count), '--ifindex', String(spec.ifindex ?? 0)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cleanup failed: ${r.stderr}`);
}

async function listing(nl, object) {
  switch (object) {
    case 'route':
      return nl.route.list({ family: 'inet' });
    case 'addr':
      return nl.addr.list();
    case 'link':
      return nl.link.list();
  }
  throw new Error(`unknown object ${object}`);
}

/** The datagrams of one dump from the kernel, copied; and the port id they were sent to. */
async function record(req) {
  const fd = netnsFd();
  const t = nk.openNativeTransport({ protocol: 0, netnsFd: fd });
  t.send(nk.encodeMessage(nk.routeProtocol(), { ...req, flags: ['NLM_F_REQUEST', 'NLM_F_DUMP'], seq: 1 }));
  const dgs = [];
  for (let done = false; !done; ) {
    const d = t.receive();
    if (d === null) {
      await new Promise((r) => t.onReadable(r));
      continue;
    }
    const copy = d.slice();
    dgs.push(copy);
    const view = new DataView(copy.buffer);
    for (let off = 0; off + 16 <= copy.length; off += (view.getUint32(off, true) + 3) & ~3) {
      if (view.getUint16(off + 4, true) === 3) done = true;
    }
  }
  const portId = t.portId;
  t.close();
  closeSync(fd);
  return { dgs, portId };
}

/**
 * A fake transport that answers dump requests with recorded datagrams (no kernel, no copies):
 * the JS side of a dump alone. The sequence number of the request is written into the replies.
 */
function replayTransport(byType, portId) {
  return nk.createFakeTransport(
    (req) => {
      const v = new DataView(req.buffer, req.byteOffset, req.byteLength);
      const dgs = byType.get(v.getUint16(4, true));
      if (!dgs) throw new Error(`replay: no recording for message type ${v.getUint16(4, true)}`);
      const seq = v.getUint32(8, true);
      for (const d of dgs) {
        const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
        for (let off = 0; off + 16 <= d.length; off += (dv.getUint32(off, true) + 3) & ~3) dv.setUint32(off + 8, seq, true);
      }
      return dgs;
    },
    { portId },
  );
}

switch (spec.kind) {
  case 'client-dump': {
    const fd = netnsFd();
    const c = client(fd);
    const req = DUMPS[spec.object];
    if (spec.mode === 'collect') {
      await measure(async () => (await c.dump(req).collect()).length);
    } else {
      await measure(async () => {
        let n = 0;
        for await (const m of c.dump(req)) if (m.type !== undefined) n++;
        return n;
      });
    }
    c.close();
    closeSync(fd);
    break;
  }

  case 'api-dump': {
    if (!nk.Netlink) throw new Error('the high-level API is not built (no Netlink in dist)');
    const nl = await nk.Netlink.open({ netns: spec.netns });
    if (spec.mode === 'collect') {
      await measure(async () => (await (await listing(nl, spec.object)).collect()).length);
    } else {
      await measure(async () => {
        let n = 0;
        for await (const o of await listing(nl, spec.object)) if (o !== undefined) n++;
        return n;
      });
    }
    nl.close();
    break;
  }

  case 'decode': {
    // Records the dump's datagrams (copied), then times decodeDatagram over them: the codec alone.
    const p = nk.routeProtocol();
    const { dgs } = await record(DUMPS[spec.object]);
    bytes = dgs.reduce((n, d) => n + d.length, 0);
    extra.datagrams = dgs.length;
    await measure(() => {
      let n = 0;
      for (const d of dgs) n += nk.decodeDatagram(p, d).length;
      return n - 1; // NLMSG_DONE
    });
    break;
  }

  case 'replay': {
    // The dump answered from memory: decoding and the client's (and the API's) own work.
    const routes = await record(DUMPS.route);
    const links = await record({ ...DUMPS.link, attrs: { ext_mask: 8 } });
    const byType = new Map([
      [26, routes.dgs],
      [18, links.dgs],
    ]);
    const transport = () => replayTransport(byType, routes.portId);
    bytes = routes.dgs.reduce((n, d) => n + d.length, 0);
    if (spec.api) {
      if (!nk.Netlink) throw new Error('the high-level API is not built (no Netlink in dist)');
      await measure(async () => {
        const nl = await nk.Netlink.open({ transport: transport() });
        let n = 0;
        if (spec.mode === 'collect') n = (await nl.route.list({ family: 'inet' }).collect()).length;
        else for await (const r of nl.route.list({ family: 'inet' })) if (r !== undefined) n++;
        nl.close();
        return n;
      });
    } else {
      await measure(async () => {
        const c = new nk.NetlinkClient(transport(), nk.routeProtocol());
        let n = 0;
        if (spec.mode === 'collect') n = (await c.dump(DUMPS.route).collect()).length;
        else for await (const m of c.dump(DUMPS.route)) if (m.type !== undefined) n++;
        c.close();
        return n;
      });
    }
    break;
  }

  case 'client-write': {
    const fd = netnsFd();
    const c = client(fd);
    const reqs = [];
    for (let i = 0; i < spec.count; i++) reqs.push(writeRequest(spec.object, i, spec.ifindex));
    if (spec.mode === 'seq') {
      await measure(async () => {
        for (const r of reqs) await c.request(r);
        return reqs.length;
      }, cleanup);
    } else {
      await measure(async () => {
        await Promise.all(reqs.map((r) => c.request(r)));
        return reqs.length;
      }, cleanup);
    }
    c.close();
    closeSync(fd);
    break;
  }

  case 'api-write': {
    if (!nk.Netlink) throw new Error('the high-level API is not built (no Netlink in dist)');
    const nl = await nk.Netlink.open({ netns: spec.netns });
    if (spec.mode === 'seq') {
      await measure(async () => {
        for (let i = 0; i < spec.count; i++) await apiWrite(nl, spec.object, i, spec.dev);
        return spec.count;
      }, cleanup);
    } else {
      await measure(async () => {
        const all = [];
        for (let i = 0; i < spec.count; i++) all.push(apiWrite(nl, spec.object, i, spec.dev));
        await Promise.all(all);
        return spec.count;
      }, cleanup);
    }
    nl.close();
    break;
  }

  case 'monitor': {
    // Subscribes to RTNLGRP_IPV4_ROUTE, starts the C writer (floor write) in the same namespace
    // and times until `count` RTM_NEWROUTE notifications were iterated.
    const fd = netnsFd();
    const c = client(fd);
    const spans = [];
    await measure(async () => {
      const sub = c.subscribe([7]);
      const t0 = performance.now();
      const writer = spawn(spec.floor, ['write', '--netns', `/run/netns/${spec.netns}`, 'route', '--count', String(spec.count), '--runs', '1', '--warmup', '0'], { stdio: ['ignore', 'ignore', 'inherit'] });
      const exited = new Promise((r) => writer.on('exit', r));
      let n = 0;
      let overruns = 0;
      let last = t0;
      // Lost notifications never come: a watchdog ends the subscription after 3 s of silence.
      let seen = -1;
      const watchdog = setInterval(() => {
        if (seen === n) sub.close();
        seen = n;
      }, 3000);
      for await (const ev of sub) {
        if (ev.type === 'overrun') overruns++;
        else if (ev.type === 'RTM_NEWROUTE') n++;
        last = performance.now();
        if (n === spec.count) break;
      }
      clearInterval(watchdog);
      await exited;
      extra.overruns = (extra.overruns ?? 0) + overruns;
      spans.push(last - t0);
      return n;
    }, cleanup);
    // The time of a run: from starting the writer to the last notification (not the writer's exit).
    times.splice(0, times.length, ...spans.slice(spec.warmup));
    c.close();
    closeSync(fd);
    break;
  }

  case 'mem-stream': {
    // One cold streaming dump: RSS before it (after gc) and the highest RSS seen while it runs.
    const fd = netnsFd();
    const c = client(fd);
    const useApi = spec.api && nk.Netlink;
    const nl = useApi ? await nk.Netlink.open({ netns: spec.netns }) : undefined;
    gc();
    const base = process.memoryUsage.rss();
    let peak = base;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let n = 0;
    const source = useApi ? await listing(nl, spec.object) : c.dump(DUMPS[spec.object]);
    for await (const m of source) {
      if (m !== undefined && (++n & 1023) === 0) {
        const rss = process.memoryUsage.rss();
        if (rss > peak) peak = rss;
      }
    }
    const t1 = performance.now();
    const cu = process.cpuUsage(c0);
    peak = Math.max(peak, process.memoryUsage.rss());
    times.push(t1 - t0);
    cpu.push((cu.user + cu.system) / 1000);
    messages = n;
    extra.rss_base_mb = base / 2 ** 20;
    extra.rss_growth_mb = (peak - base) / 2 ** 20;
    extra.api = Boolean(useApi);
    nl?.close();
    c.close();
    closeSync(fd);
    break;
  }

  default:
    throw new Error(`unknown case kind ${spec.kind}`);
}

/**
 * Peak RSS of this process in KiB: VmHWM, not resourceUsage().maxRSS, which starts at the RSS
 * of the process that spawned us (Linux carries ru_maxrss across execve).
 */
function peakRssKb() {
  const m = /^VmHWM:\s*(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : process.resourceUsage().maxRSS;
}

process.stdout.write(`${JSON.stringify({ runs_ms: times, cpu_ms: cpu, messages, ...(bytes !== undefined && { bytes }), maxrss_kb: peakRssKb(), ...extra })}\n`);
process.exit(0);
