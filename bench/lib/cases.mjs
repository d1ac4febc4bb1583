// The bench's cases. A row is one tool doing one case: `id` is `op/what-size`, `tool` says who.
// Each case names its references: `floor` (the C client's row, bench/floor.c) and `ip` (the
// iproute2 row measured in the same run); bench/run.mjs prints every row as ratios to them.
//
// Kinds of rows:
//   worker  nlkit in a node process of its own (bench/lib/worker.mjs), timed inside
//   floor   bench/build/floor (dump / write / monitor), timed inside
//   exec    a command (ip, the nlkit CLI) run whole by `floor exec`: wall time incl. start-up
//   py      pyroute2 in Debian's python3, timed inside (bench/py/pyroute2_bench.py)
import { SIZES } from './setup.mjs';

const k = (n) => (n >= 1e6 ? `${n / 1e6}m` : n >= 1e3 ? `${n / 1e3}k` : String(n));

/** Write sizes: veth pairs, addresses, routes. */
export const WRITES = { veth: 1000, addr: 1000, route: 10000 };
export const MONITOR_EVENTS = 10000;

export function allCases() {
  const cases = [];
  const add = (c) => cases.push(c);

  // ---- dumps: links, addresses, routes of the dump namespace
  // (the link dump also has lo: 2,001 messages)
  for (const [object, size, ipObj, label] of [
    ['link', SIZES.links + 1, 'link', SIZES.links],
    ['addr', SIZES.addrs, 'addr', SIZES.addrs],
    ['route', SIZES.routes + 1, 'route', SIZES.routes], // and g0's own prefix route
  ]) {
    const id = `dump/${object}-${k(label)}`;
    const refs = { floor: `${id}|C floor`, ip: `${id}|ip` };
    add({ id, tool: 'C floor', size, ns: 'dump', kind: 'floor', args: ['dump', object] });
    add({ id, tool: 'ip', size, ns: 'dump', kind: 'exec', cmd: ['ip', '-n', '{ns}', ipObj, 'show'], verify: 'lines', ...refs });
    add({ id, tool: 'ip -j', size, ns: 'dump', kind: 'exec', cmd: ['ip', '-n', '{ns}', '-j', ipObj, 'show'], verify: 'json', ...refs, ip: `${id}|ip -j` });
    for (const mode of ['collect', 'stream']) {
      add({ id, tool: `nlkit client ${mode}`, size, ns: 'dump', kind: 'worker', spec: { kind: 'client-dump', object, mode }, ...refs });
    }
    for (const mode of ['collect', 'stream']) {
      add({ id, tool: `nlkit api ${mode}`, size, ns: 'dump', kind: 'worker', requires: 'api', spec: { kind: 'api-dump', object, mode }, ...refs });
    }
    add({ id, tool: 'nlkit cli', size, ns: 'dump', kind: 'exec', requires: 'cli', cmd: ['{nlkit}', '-n', '{ns}', ipObj, 'show'], verify: 'lines', ...refs });
    add({ id, tool: 'nlkit cli -j', size, ns: 'dump', kind: 'exec', requires: 'cli', cmd: ['{nlkit}', '-n', '{ns}', '-j', ipObj, 'show'], verify: 'json', ...refs, ip: `${id}|ip -j` });
    add({ id, tool: 'pyroute2', size, ns: 'dump', kind: 'py', requires: 'pyroute2', spec: { kind: 'dump', object }, runs: 3, ...refs });
  }

  // ---- the codec alone: decodeDatagram over the recorded datagrams of the route dump
  {
    const id = `decode/route-${k(SIZES.routes)}`;
    add({ id, tool: 'nlkit decodeDatagram', size: SIZES.routes + 1, ns: 'dump', kind: 'worker', spec: { kind: 'decode', object: 'route' }, runs: 10, floor: `dump/route-${k(SIZES.routes)}|C floor`, ip: `dump/route-${k(SIZES.routes)}|ip` });
  }

  // ---- the same dump answered from memory (a fake transport replaying the recorded datagrams):
  //      nlkit's own work without the kernel's, to compare with the C floor's receive time
  {
    const id = `replay/route-${k(SIZES.routes)}`;
    const refs = { floor: `dump/route-${k(SIZES.routes)}|C floor`, ip: `dump/route-${k(SIZES.routes)}|ip` };
    for (const mode of ['collect', 'stream']) {
      add({ id, tool: `nlkit client ${mode}`, size: SIZES.routes + 1, ns: 'dump', kind: 'worker', spec: { kind: 'replay', mode }, runs: 10, ...refs });
    }
    for (const mode of ['collect', 'stream']) {
      add({ id, tool: `nlkit api ${mode}`, size: SIZES.routes + 1, ns: 'dump', kind: 'worker', requires: 'api', spec: { kind: 'replay', mode, api: true }, runs: 10, ...refs });
    }
  }

  // ---- bulk writes into the empty namespace (each run cleaned up, untimed)
  for (const [object, count] of Object.entries(WRITES)) {
    const id = `write/${object}-${k(count)}`;
    const refs = { floor: `${id}|C floor`, ip: `${id}|ip -batch` };
    const obj = object === 'veth' ? 'veth' : object;
    // Writes vary most between runs on a shared machine: 9 runs (veth pairs take 0.4 s each: 3).
    const runs = object === 'veth' ? 3 : 9;
    add({ id, tool: 'C floor', size: count, ns: 'write', kind: 'floor', args: ['write', obj, '--count', String(count)], runs });
    // Also for reference: one request at a time (what `nlkit client seq` does), and 64 per datagram.
    add({ id, tool: 'C floor sequential', size: count, ns: 'write', kind: 'floor', args: ['write', obj, '--count', String(count), '--window', '1'], runs, ...refs });
    add({ id, tool: 'C floor packed', size: count, ns: 'write', kind: 'floor', args: ['write', obj, '--count', String(count), '--pack', '64'], runs, ...refs });
    add({ id, tool: 'ip -batch', size: count, ns: 'write', kind: 'exec', cmd: ['ip', '-n', '{ns}', '-batch', `{batch:${object}}`], clean: object, runs, ...refs });
    for (const mode of ['seq', 'pipelined']) {
      add({ id, tool: `nlkit client ${mode}`, size: count, ns: 'write', kind: 'worker', spec: { kind: 'client-write', object, count, mode: mode === 'seq' ? 'seq' : 'pipe' }, runs, ...refs });
    }
    for (const mode of ['seq', 'pipelined']) {
      add({ id, tool: `nlkit api ${mode}`, size: count, ns: 'write', kind: 'worker', requires: 'api', spec: { kind: 'api-write', object, count, mode: mode === 'seq' ? 'seq' : 'pipe' }, runs, ...refs });
    }
    add({ id, tool: 'nlkit -batch', size: count, ns: 'write', kind: 'exec', requires: 'cli', cmd: ['{nlkit}', '-n', '{ns}', '-batch', `{batch:${object}}`], clean: object, runs, ...refs });
    add({ id, tool: 'pyroute2', size: count, ns: 'write', kind: 'py', requires: 'pyroute2', spec: { kind: 'write', object, count }, runs: 3, ...refs });
  }

  // ---- one ip -batch file of all three (issue 5): 1000 veth pairs + 1000 addresses + 10,000 routes
  {
    const size = WRITES.veth + WRITES.addr + WRITES.route;
    const id = `write/batch-${k(size)}`;
    const refs = { ip: `${id}|ip -batch` };
    add({ id, tool: 'ip -batch', size, ns: 'write', kind: 'exec', cmd: ['ip', '-n', '{ns}', '-batch', '{batch:all}'], clean: 'all', runs: 3 });
    add({ id, tool: 'nlkit -batch', size, ns: 'write', kind: 'exec', requires: 'cli', cmd: ['{nlkit}', '-n', '{ns}', '-batch', '{batch:all}'], clean: 'all', runs: 3, ...refs });
  }

  // ---- a monitor receiving route notifications while the C writer adds routes
  {
    const id = `monitor/route-events-${k(MONITOR_EVENTS)}`;
    const refs = { floor: `${id}|C floor` };
    add({ id, tool: 'C floor', size: MONITOR_EVENTS, ns: 'write', kind: 'floor-monitor', runs: 3 });
    add({ id, tool: 'nlkit client subscribe', size: MONITOR_EVENTS, ns: 'write', kind: 'worker', spec: { kind: 'monitor', object: 'route', count: MONITOR_EVENTS }, runs: 3, ...refs });
  }

  // ---- memory: RSS growth of a cold streaming dump; 1,000,000 routes streamed
  {
    const id = `mem/route-stream-${k(SIZES.routes)}`;
    add({ id, tool: 'nlkit client stream', size: SIZES.routes + 1, ns: 'dump', kind: 'worker', spec: { kind: 'mem-stream', object: 'route' }, runs: 1, warmup: 0, floor: `dump/route-${k(SIZES.routes)}|C floor` });
    add({ id, tool: 'nlkit api stream', size: SIZES.routes + 1, ns: 'dump', kind: 'worker', requires: 'api', spec: { kind: 'mem-stream', object: 'route', api: true }, runs: 1, warmup: 0, floor: `dump/route-${k(SIZES.routes)}|C floor` });
  }
  {
    const id = `dump/route-${k(SIZES.million)}`;
    const refs = { floor: `${id}|C floor`, ip: `${id}|ip` };
    add({ id, tool: 'C floor', size: SIZES.million + 1, ns: 'million', kind: 'floor', args: ['dump', 'route'], runs: 3 });
    add({ id, tool: 'ip', size: SIZES.million + 1, ns: 'million', kind: 'exec', cmd: ['ip', '-n', '{ns}', 'route', 'show'], runs: 3, ...refs });
    add({ id, tool: 'nlkit client stream', size: SIZES.million + 1, ns: 'million', kind: 'worker', spec: { kind: 'mem-stream', object: 'route' }, runs: 1, warmup: 0, ...refs });
    add({ id, tool: 'nlkit api stream', size: SIZES.million + 1, ns: 'million', kind: 'worker', requires: 'api', spec: { kind: 'mem-stream', object: 'route', api: true }, runs: 1, warmup: 0, ...refs });
  }

  // ---- CLI start-up on a small namespace
  {
    const id = 'cli/link-show-3';
    add({ id, tool: 'ip', size: 3, ns: 'write', kind: 'exec', cmd: ['ip', '-n', '{ns}', 'link', 'show'], runs: 10 });
    add({ id, tool: 'nlkit cli', size: 3, ns: 'write', kind: 'exec', requires: 'cli', cmd: ['{nlkit}', '-n', '{ns}', 'link', 'show'], runs: 10, ip: `${id}|ip` });
  }

  for (const c of cases) c.key = `${c.id}|${c.tool}`;
  return cases;
}
