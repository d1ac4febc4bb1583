#!/usr/bin/env node
// nlkit benchmarks against the kernel's floor (a minimal C client), iproute2 and pyroute2.
//
//   npm run bench                     every case
//   npm run bench -- route            cases whose "id tool" matches the regex /route/
//   npm run bench -- 'dump/route-100k' --runs 9
//   npm run bench -- --list           the cases, nothing run
//
// Options: --runs N, --warmup N (override every case), --dist DIR (the compiled nlkit to measure;
// default dist/), --out FILE (JSON; default bench/results/<date>-<host>.json), --latest (also
// write bench/results/latest.json), --label TEXT (stored in the JSON), --no-refs (only the
// matching rows, without their floor and ip references), --cpu-prof DIR (nlkit workers and the
// nlkit CLI run with node --cpu-prof into DIR; bench/profile.mjs uses it), --priority N (run
// everything at nice level N, e.g. -10 on a busy shared machine; stored in the JSON).
//
// It re-executes itself inside `nlkit-nsexec --sandbox` (a private network + mount namespace
// that dies with the process) and builds its namespaces there with `ip -batch`; nothing touches
// the machine's own network. See bench/README.md.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allCases, WRITES, MONITOR_EVENTS } from './lib/cases.mjs';
import { dumpNs, writeNs, millionNs, dropMillion, ifindexOf, NS } from './lib/setup.mjs';
import { routeAddr, addrAddr } from './lib/objects.mjs';
import { formatTable, summarize } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const buildDir = join(here, 'build');
const floorBin = join(buildDir, 'floor');

// ------------------------------------------------------------------------------------------
// arguments

function parseArgs(argv) {
  const o = { select: [], runs: undefined, warmup: undefined, dist: join(root, 'dist'), out: undefined, latest: false, list: false, label: undefined, cpuProf: undefined, refs: true, priority: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--runs') o.runs = Number(val());
    else if (a === '--warmup') o.warmup = Number(val());
    else if (a === '--dist') o.dist = resolve(val());
    else if (a === '--out') o.out = resolve(val());
    else if (a === '--label') o.label = val();
    else if (a === '--latest') o.latest = true;
    else if (a === '--cpu-prof') o.cpuProf = resolve(val());
    else if (a === '--no-refs') o.refs = false;
    else if (a === '--priority') o.priority = Number(val());
    else if (a === '--list') o.list = true;
    else if (a === '-h' || a === '--help') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
      process.stdout.write(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.select.push(a);
  }
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);

/** The rows to run: those matching the selectors, plus the references they are compared to. */
function selectCases() {
  const cases = allCases();
  const res = opts.select.map((s) => new RegExp(s));
  const chosen = new Set(cases.filter((c) => res.length === 0 || res.some((r) => r.test(`${c.id} ${c.tool}`))).map((c) => c.key));
  if (opts.refs) for (const c of cases) if (chosen.has(c.key)) for (const ref of [c.floor, c.ip]) if (ref) chosen.add(ref);
  return cases.filter((c) => chosen.has(c.key));
}

if (opts.list) {
  for (const c of selectCases()) process.stdout.write(`${c.id.padEnd(26)} ${c.tool}${c.requires ? `   (needs ${c.requires})` : ''}\n`);
  process.exit(0);
}

// ------------------------------------------------------------------------------------------
// outside the sandbox: build what is needed, then re-run inside it

function nsexecPath() {
  return process.env.NLKIT_NSEXEC_PATH ?? join(root, 'build', 'Release', 'nlkit-nsexec');
}

if (process.env.NLKIT_BENCH_SANDBOX !== '1') {
  if (process.platform !== 'linux') throw new Error('the bench needs Linux');
  // Children (the sandbox, tools, workers) inherit the nice level.
  if (opts.priority !== undefined) os.setPriority(opts.priority);
  if (!existsSync(join(opts.dist, 'netlink', 'client.js'))) {
    if (opts.dist !== join(root, 'dist')) throw new Error(`${opts.dist} holds no compiled nlkit`);
    log('dist/ is missing: npm run build');
    spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
    if (!existsSync(join(opts.dist, 'netlink', 'client.js'))) throw new Error('npm run build did not produce dist/');
  }
  if (!existsSync(nsexecPath())) throw new Error(`${nsexecPath()} is missing: run npm install (it builds the native helpers)`);
  mkdirSync(buildDir, { recursive: true });
  const src = join(here, 'floor.c');
  if (!existsSync(floorBin) || statSync(floorBin).mtimeMs < statSync(src).mtimeMs) {
    log('building bench/build/floor (gcc -O2)');
    execFileSync('gcc', ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-o', floorBin, src], { stdio: 'inherit' });
  }
  const child = spawnSync(nsexecPath(), ['--sandbox', '--', process.execPath, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, NLKIT_BENCH_SANDBOX: '1' },
  });
  process.exit(child.status ?? 1);
}

// ------------------------------------------------------------------------------------------
// inside the sandbox

// A --dist outside the package cannot find the binding by itself.
process.env.NLKIT_NATIVE_PATH ||= join(root, 'build', 'Release', 'nlkit.node');

function json(text, what) {
  const line = text.trim().split('\n').pop();
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what}: no result (${text.trim().slice(-500) || 'no output'})`);
  }
}

function run(cmd, args, what, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...options });
  if (r.status !== 0) throw new Error(`${what}: exit ${r.status ?? r.signal}: ${(r.stderr || '').trim().slice(-800)}`);
  return r.stdout;
}

/** Where the nlkit CLI is, if it is built and answers. */
function findCli() {
  // (bin/nlkit.js runs the package's own dist/, whatever --dist says)
  for (const p of [join(root, 'bin', 'nlkit.js')]) {
    if (!existsSync(p)) continue;
    const r = spawnSync(process.execPath, [p, '-j', 'link', 'show'], { encoding: 'utf8', timeout: 10000 });
    if (r.status === 0 && r.stdout.trim().startsWith('[')) return p;
  }
  return undefined;
}

function hasApi() {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `import { loadNlkit } from ${JSON.stringify(join(here, 'lib', 'nlkit.mjs'))}; const n = await loadNlkit(${JSON.stringify(opts.dist)}); process.exit(n.Netlink ? 0 : 1);`], { encoding: 'utf8' });
  return r.status === 0;
}

function hasPyroute2() {
  return spawnSync('/usr/bin/python3', ['-c', 'import pyroute2'], { encoding: 'utf8' }).status === 0;
}

function pyroute2Version() {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'python3-pyroute2'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const batchFiles = {};
/** The ip -batch file of a write case (the same objects as floor write, bench/floor.c). */
function batchFile(object) {
  if (batchFiles[object]) return batchFiles[object];
  const lines = [];
  if (object === 'veth' || object === 'all') for (let i = 0; i < WRITES.veth; i++) lines.push(`link add fw${i} type veth peer name fwp${i}`);
  if (object === 'addr' || object === 'all') for (let i = 0; i < WRITES.addr; i++) lines.push(`addr add ${addrAddr(i)}/32 dev g0`);
  if (object === 'route' || object === 'all') for (let i = 0; i < WRITES.route; i++) lines.push(`route add ${routeAddr(i)}/32 via 10.123.0.2`);
  const file = join(buildDir, `batch-${object}.txt`);
  writeFileSync(file, lines.join('\n') + '\n');
  return (batchFiles[object] = file);
}

const env = { ifindex: undefined };

function clean(object) {
  const ns = `/run/netns/${NS.write}`;
  for (const o of object === 'all' ? ['route', 'addr', 'veth'] : [object]) {
    run(floorBin, ['clean', '--netns', ns, o, '--count', String(WRITES[o]), '--ifindex', String(env.ifindex)], `clean ${o}`);
  }
}

function nsOf(c) {
  if (c.ns === 'dump') return dumpNs(log);
  if (c.ns === 'million') return millionNs(log);
  const ns = writeNs(log);
  env.ifindex ??= ifindexOf(ns, 'g0');
  return ns;
}

function runsOf(c) {
  return { runs: opts.runs ?? c.runs ?? 5, warmup: opts.warmup ?? c.warmup ?? 1 };
}

/** Runs one row; returns { runs_ms, cpu_ms, messages, maxrss_kb, ... }. */
function runCase(c, tools) {
  const ns = nsOf(c);
  const { runs, warmup } = runsOf(c);
  switch (c.kind) {
    case 'floor': {
      const extra = c.args[0] === 'write' ? ['--ifindex', String(env.ifindex)] : [];
      return json(run(floorBin, [...c.args, '--netns', `/run/netns/${ns}`, '--runs', String(runs), '--warmup', String(warmup), ...extra], c.key), c.key);
    }
    case 'floor-monitor': {
      const res = { runs_ms: [], cpu_ms: [], messages: 0, maxrss_kb: 0, overruns: 0 };
      for (let r = -warmup; r < runs; r++) {
        const writer = [floorBin, 'write', '--netns', `/run/netns/${ns}`, 'route', '--count', String(MONITOR_EVENTS), '--runs', '1', '--warmup', '0'];
        const one = json(run(floorBin, ['monitor', '--netns', `/run/netns/${ns}`, '--group', '7', '--count', String(MONITOR_EVENTS), '--', ...writer], c.key), c.key);
        clean('route');
        if (r < 0) continue;
        res.runs_ms.push(one.runs_ms[0]);
        res.messages = one.messages;
        res.overruns += one.overruns;
        res.maxrss_kb = Math.max(res.maxrss_kb, one.maxrss_kb);
      }
      delete res.cpu_ms;
      return res;
    }
    case 'worker': {
      const spec = { ...c.spec, dist: opts.dist, floor: floorBin, netns: ns, runs, warmup, ifindex: env.ifindex, dev: 'g0', count: c.spec.count ?? 0 };
      const prof = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf, '--cpu-prof-name', `${c.key.replace(/[^\w.-]+/g, '_')}.cpuprofile`] : [];
      return json(run(process.execPath, ['--expose-gc', ...prof, join(here, 'lib', 'worker.mjs'), JSON.stringify(spec)], c.key, { cwd: root }), c.key);
    }
    case 'py': {
      const spec = { ...c.spec, floor: floorBin, netns: ns, runs, warmup, ifindex: env.ifindex, count: c.spec.count ?? 0 };
      return json(run(nsexecPath(), ['--netns', `/run/netns/${ns}`, '--', '/usr/bin/python3', join(here, 'py', 'pyroute2_bench.py'), JSON.stringify(spec)], c.key), c.key);
    }
    case 'exec': {
      const prof = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf, '--cpu-prof-name', `${c.key.replace(/[^\w.-]+/g, '_')}.%P.cpuprofile`] : [];
      const cmd = c.cmd.flatMap((a) => {
        if (a === '{ns}') return [ns];
        if (a === '{nlkit}') return [process.execPath, ...prof, tools.cli];
        const m = /^\{batch:(\w+)\}$/.exec(a);
        return m ? [batchFile(m[1])] : [a];
      });
      const res = { runs_ms: [], cpu_ms: [], messages: c.size, maxrss_kb: 0 };
      for (let r = -warmup; r < runs; r++) {
        const one = json(run(floorBin, ['exec', '--', ...cmd], c.key), c.key);
        if (one.status !== 0) throw new Error(`${cmd.join(' ')}: exit status ${one.status}`);
        if (c.clean) clean(c.clean);
        if (r < 0) continue;
        res.runs_ms.push(one.runs_ms[0]);
        res.cpu_ms.push(one.cpu_ms[0]);
        res.maxrss_kb = Math.max(res.maxrss_kb, one.maxrss_kb);
      }
      if (c.verify) {
        // Once more with the output kept: the tool must have printed every object.
        const out = join(buildDir, 'verify.out');
        run(floorBin, ['exec', '--out', out, '--', ...cmd], c.key);
        const text = readFileSync(out, 'utf8');
        res.printed = c.verify === 'json' ? JSON.parse(text).length : text.split('\n').filter((l) => l !== '' && !l.startsWith(' ')).length;
        res.output_bytes = text.length;
      }
      return res;
    }
  }
  throw new Error(`unknown kind ${c.kind}`);
}

function git(args) {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    host: os.hostname(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown',
    kernel: os.release(),
    node: process.version,
    iproute2: run('ip', ['-V'], 'ip -V').trim(),
    pyroute2: pyroute2Version(),
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    loadavg_start: os.loadavg().map((x) => Math.round(x * 100) / 100),
    nice: os.getPriority(),
  };
}

// ------------------------------------------------------------------------------------------

const selected = selectCases();
const tools = { api: hasApi(), cli: findCli(), pyroute2: hasPyroute2() };
const info = machine();
log(`${info.nproc} x ${info.cpu}, Linux ${info.kernel}, node ${info.node}; load ${info.loadavg_start.join(' ')}`);
log(`nlkit from ${opts.dist}; api ${tools.api ? 'yes' : 'no'}, cli ${tools.cli ?? 'no'}, pyroute2 ${tools.pyroute2 ? 'yes' : 'no'}`);

// Namespaces are built when first needed; the 1m namespace comes last and goes right after.
const order = { dump: 0, write: 1, million: 2 };
selected.sort((a, b) => order[a.ns] - order[b.ns]);

const rows = [];
const skipped = [];
for (const c of selected) {
  if (c.requires === 'api' && !tools.api) skipped.push({ key: c.key, why: 'the high-level API is not built' });
  else if (c.requires === 'cli' && !tools.cli) skipped.push({ key: c.key, why: 'the CLI is not built' });
  else if (c.requires === 'pyroute2' && !tools.pyroute2) skipped.push({ key: c.key, why: 'pyroute2 is not installed' });
  else {
    log(`${c.id}  ${c.tool} ...`);
    try {
      const res = runCase(c, tools);
      rows.push({ ...c, result: res });
    } catch (e) {
      log(`  FAILED: ${e.message}`);
      rows.push({ ...c, result: undefined, error: e.message });
    }
  }
}
dropMillion();

info.loadavg_end = os.loadavg().map((x) => Math.round(x * 100) / 100);
const summary = summarize(rows);
process.stdout.write(formatTable(summary, info));
for (const s of skipped) process.stdout.write(`skipped: ${s.key.replace('|', '  ')} (${s.why})\n`);

const result = {
  date: new Date().toISOString(),
  label: opts.label,
  commit: git(['rev-parse', '--short', 'HEAD']),
  dirty: (git(['status', '--porcelain', '--', 'src', 'native']) ?? '') !== '',
  dist: opts.dist,
  machine: info,
  tools: { api: tools.api, cli: Boolean(tools.cli), pyroute2: tools.pyroute2 },
  selectors: opts.select,
  rows: summary,
  skipped,
};
const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const stamp = result.date.replace(/:/g, '-').replace(/\..*$/, '');
const out = opts.out ?? join(resultsDir, `${stamp}-${info.host}.json`);
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
log(`results: ${out}`);
if (opts.latest) {
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(result, null, 2) + '\n');
  log(`results: ${join(resultsDir, 'latest.json')}`);
}
process.exit(rows.some((r) => r.error) ? 1 : 0);
