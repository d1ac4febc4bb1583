#!/usr/bin/env node
// Profiles nlkit rows of the bench: runs them (bench/run.mjs, in the sandbox, without their
// reference rows) with `node --cpu-prof`, then prints the functions with the most self time.
//
//   node bench/profile.mjs 'dump/route-100k.*client collect'
//   node bench/profile.mjs 'api collect' --top 40 --runs 10
//
// Options: --top N (rows per profile, default 25), --keep (leave the .cpuprofile files in
// bench/build/prof/ to open them in Chrome DevTools or speedscope); every other argument goes
// to bench/run.mjs. Only nlkit's own rows are profiled (library workers and CLI runs); a worker's
// profile covers the whole process, warm-up and set-up included; a CLI row gives one profile per
// run (the first is printed). The loop is in bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const args = process.argv.slice(2);
let top = 25;
let keep = false;
const pass = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--top') top = Number(args[++i]);
  else if (args[i] === '--keep') keep = true;
  else pass.push(args[i]);
}
if (!pass.some((a) => !a.startsWith('--'))) {
  process.stderr.write('usage: node bench/profile.mjs REGEX [--top N] [--keep] [bench/run.mjs options]\n');
  process.exit(2);
}

const dir = join(here, 'build', 'prof');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const r = spawnSync(process.execPath, [join(here, 'run.mjs'), '--no-refs', '--cpu-prof', dir, '--out', join(dir, 'result.json'), ...pass], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

function where(cf) {
  if (!cf.url) return '';
  const file = cf.url.startsWith('file://') ? relative(root, fileURLToPath(cf.url)) : cf.url;
  return `${file}:${cf.lineNumber + 1}`;
}

// One profile per row: a CLI row leaves one per run (NAME.PID.cpuprofile); the first is shown.
const shown = new Set();
const files = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile')).sort().filter((n) => {
  const row = n.replace(/\.\d+\.cpuprofile$|\.cpuprofile$/, '');
  if (shown.has(row)) return false;
  shown.add(row);
  return true;
});
for (const f of files) {
  const prof = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  // Self time per node: its samples times the sampling interval.
  const dt = new Map();
  for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const byFn = new Map();
  const byFile = new Map();
  let total = 0;
  for (const n of prof.nodes) {
    const us = dt.get(n.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const cf = n.callFrame;
    const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const file = cf.url ? where(cf).replace(/:\d+$/, '') : cf.functionName;
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(1).padStart(8)} ms`;
  process.stdout.write(`\n== ${f.replace(/\.cpuprofile$/, '')}: ${(total / 1000).toFixed(0)} ms sampled\n\nself time by function:\n`);
  for (const [k, us] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`  ${pct(us)}  ${k}\n`);
  process.stdout.write('\nself time by file:\n');
  for (const [k, us] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 12)) process.stdout.write(`  ${pct(us)}  ${k}\n`);
}
if (!keep) for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) rmSync(join(dir, f));
else process.stdout.write(`\nprofiles kept in ${relative(process.cwd(), dir)}/\n`);
