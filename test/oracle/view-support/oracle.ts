/**
 * Test scaffolding for the view oracle tests: comparing nlkit's `ip -j`-style JSON with what
 * iproute2 printed, comparing text output line by line modulo whitespace, and making `ip` print
 * messages we built (through the LD_PRELOAD shim in ip-replay-shim.c) for link kinds the running
 * kernel cannot create.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A difference between our JSON and ip's. */
export interface Difference {
  path: string;
  what: 'missing' | 'extra' | 'value' | 'order' | 'type';
  ours?: unknown;
  ip?: unknown;
}

/** How to compare. */
export interface CompareOptions {
  /** Paths (with `*` for any array index or key) whose values change by themselves: compared by presence and type. */
  volatile?: readonly string[];
  /** Paths of keys we print that ip does not (deliberate additions). */
  additions?: readonly string[];
}

function matches(path: string, patterns: readonly string[] | undefined): boolean {
  if (!patterns) return false;
  return patterns.some((p) => {
    const re = new RegExp(`^${p.split('*').map((x) => x.replace(/[.[\]()+?^$|\\{}]/g, '\\$&')).join('[^.]+')}$`);
    return re.test(path);
  });
}

function sub(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'bigint' ? 'number' : typeof v;
}

/**
 * Every key ip prints must be present in ours with an equal value (volatile ones: same type),
 * in the same order; keys only we print must be listed as additions.
 */
export function compareJson(ours: unknown, ip: unknown, opts: CompareOptions = {}, path = ''): Difference[] {
  const out: Difference[] = [];
  const vol = matches(path, opts.volatile);
  if (kind(ours) !== kind(ip)) {
    out.push({ path, what: 'type', ours, ip });
    return out;
  }
  if (Array.isArray(ip)) {
    const o = ours as unknown[];
    if (!vol && o.length !== ip.length) out.push({ path, what: 'value', ours: `${o.length} elements`, ip: `${ip.length} elements` });
    const n = vol ? Math.min(o.length, ip.length) : Math.max(o.length, ip.length);
    for (let i = 0; i < n; i++) {
      if (i >= o.length || i >= ip.length) break;
      out.push(...compareJson(o[i], ip[i], opts, sub(path, String(i))));
    }
    return out;
  }
  if (ip !== null && typeof ip === 'object') {
    const o = ours as Record<string, unknown>;
    const ipo = ip as Record<string, unknown>;
    for (const k of Object.keys(ipo)) {
      if (!(k in o)) out.push({ path: sub(path, k), what: 'missing', ip: ipo[k] });
      else out.push(...compareJson(o[k], ipo[k], opts, sub(path, k)));
    }
    for (const k of Object.keys(o)) if (!(k in ipo) && !matches(sub(path, k), opts.additions)) out.push({ path: sub(path, k), what: 'extra', ours: o[k] });
    const common = Object.keys(o).filter((k) => k in ipo);
    const ipOrder = Object.keys(ipo).filter((k) => k in o);
    if (common.join() !== ipOrder.join()) out.push({ path, what: 'order', ours: common, ip: ipOrder });
    return out;
  }
  if (vol) return out;
  const a = typeof ours === 'bigint' ? Number(ours) : ours;
  if (a !== ip) out.push({ path, what: 'value', ours, ip });
  return out;
}

/** Lines of text output with runs of whitespace collapsed and blank lines dropped. */
export function normalizeText(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
}

/** Lines that differ (modulo whitespace); `mask` replaces volatile parts in both before comparing. */
export function compareText(ours: string, ip: string, mask?: (line: string) => string): string[] {
  const a = normalizeText(ours).map((l) => (mask ? mask(l) : l));
  const b = normalizeText(ip).map((l) => (mask ? mask(l) : l));
  const out: string[] = [];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) out.push(`line ${i + 1}:\n  ours: ${a[i] ?? '(none)'}\n  ip:   ${b[i] ?? '(none)'}`);
  }
  return out;
}

let shim: string | null | undefined;

/** The compiled replay shim, or null (with the reason on `shimReason`) when there is no C compiler. */
export function replayShim(): string | null {
  if (shim !== undefined) return shim;
  const src = fileURLToPath(new URL('./ip-replay-shim.c', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-shim-'));
  const out = join(dir, 'shim.so');
  const r = spawnSync('cc', ['-shared', '-fPIC', '-O1', '-o', out, src, '-ldl'], { encoding: 'utf8' });
  if (r.status !== 0) {
    shimReason = `cannot build the ip replay shim: ${r.error?.message ?? r.stderr.trim()}`;
    rmSync(dir, { recursive: true, force: true });
    shim = null;
  } else {
    shim = out;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return shim;
}

/** Why {@link replayShim} returned null. */
export let shimReason = '';

/** RTM_GET* request types, by what they dump. */
export const GET = { link: 18, addr: 22, route: 26, neigh: 30 } as const;

/**
 * Runs `bin args` (ip or bridge) with the replay shim, so that the reply to its first dump of
 * type `get` starts with the messages `bytes` (concatenated netlink messages). Returns stdout.
 */
export function ipReplay(bytes: Uint8Array, get: number, args: readonly string[], bin = 'ip'): string {
  const so = replayShim();
  if (!so) throw new Error(shimReason);
  const dir = mkdtempSync(join(tmpdir(), 'nlkit-replay-'));
  try {
    const file = join(dir, 'msgs.bin');
    writeFileSync(file, bytes);
    return execFileSync(bin, args, {
      encoding: 'utf8',
      env: { ...process.env, LD_PRELOAD: so, NLKIT_SHIM_FILE: file, NLKIT_SHIM_GET: String(get) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Formats differences for a test message. */
export function describe(diffs: readonly Difference[], max = 30): string {
  return diffs
    .slice(0, max)
    .map((d) => `${d.path}: ${d.what}${d.ours !== undefined ? ` ours=${JSON.stringify(d.ours, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}` : ''}${d.ip !== undefined ? ` ip=${JSON.stringify(d.ip)}` : ''}`)
    .join('\n');
}
