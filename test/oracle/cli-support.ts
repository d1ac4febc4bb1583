/**
 * Helpers of the CLI oracle tests: running `nlkit` in-process through `main(argv, io)` with
 * captured output, running shell-like command lists, and the masks for values that change by
 * themselves.
 */
import { execFileSync } from 'node:child_process';
import { main } from '../../src/cli/main.js';

/** What one run of the CLI printed. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `nlkit ARGS...` in this process. `input` is its stdin. */
export async function nk(args: readonly string[], input = ''): Promise<Run> {
  let out = '';
  let err = '';
  const dec = new TextDecoder();
  const w = (f: (s: string) => void) => ({
    write(c: string | Uint8Array) {
      f(typeof c === 'string' ? c : dec.decode(c));
      return true;
    },
  });
  const code = await main(args, {
    stdout: w((s) => (out += s)),
    stderr: w((s) => (err += s)),
    stdin: (async function* () {
      if (input) yield input;
    })(),
  });
  return { code, out, err };
}

/** Splits a command line into words ("..." quotes a word). */
export function words(line: string): string[] {
  return line.trim().match(/"[^"]*"|\S+/g)?.map((a) => a.replace(/^"|"$/g, '')) ?? [];
}

/** Runs a list of shell-like commands (no shell), failing on the first that fails. */
export function runScript(script: string): void {
  for (const line of script.split('\n')) {
    const args = words(line);
    if (!args.length || args[0]!.startsWith('#')) continue;
    execFileSync(args[0]!, args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

/** Runs `ip ARGS` and returns status, stdout, stderr (never throws). */
export function ipRun(args: readonly string[], bin = 'ip', input?: string): Run {
  try {
    const out = execFileSync(bin, args, { encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], ...(input !== undefined && { input }) });
    return { code: 0, out, err: '' };
  } catch (e) {
    const x = e as { status?: number; stdout?: string; stderr?: string };
    return { code: x.status ?? -1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/** Counters change by themselves. */
export const COUNTERS = ['*.stats64.*.*', '*.stats64.*', '*.stats.*'];
/** Timers of bridges and bridge ports. */
export const TIMERS = [
  '*.linkinfo.info_data.hello_timer',
  '*.linkinfo.info_data.tcn_timer',
  '*.linkinfo.info_data.topology_change_timer',
  '*.linkinfo.info_data.gc_timer',
  '*.linkinfo.info_slave_data.hold_timer',
  '*.linkinfo.info_slave_data.message_age_timer',
  '*.linkinfo.info_slave_data.forward_delay_timer',
];
/** Address lifetimes count down. */
export const LIFETIMES = ['*.addr_info.*.valid_life_time', '*.addr_info.*.preferred_life_time'];
/** Neighbour and fdb ages. */
export const AGES = ['*.used', '*.confirmed', '*.updated', '*.probes', '*.refcnt'];

/** Masks the parts of text lines that change by themselves. */
export function maskText(line: string): string {
  return line
    .replace(/\b(hold_timer|message_age_timer|forward_delay_timer|hello_timer|tcn_timer|topology_change_timer|gc_timer) +[\d.]+/g, '$1 T')
    .replace(/(valid_lft|preferred_lft) \d+sec/g, '$1 Nsec')
    .replace(/^[\d ]+$/, 'COUNTERS')
    .replace(/ used \d+\/\d+\/\d+/, ' used N/N/N');
}
