/**
 * The kernel-test sandbox. Every kernel test file starts with
 *
 * ```ts
 * import t from 'tap';
 * import { enterSandbox } from './sandbox.js';
 * await enterSandbox();
 * ```
 *
 * Outside the sandbox, `enterSandbox()` re-runs the same file (same node, same flags, so tap's
 * loader and coverage come along) under `nlkit-nsexec --sandbox`: a private network namespace
 * as the "host" and a private mount namespace with its own tmpfs on `/run/netns`. It then exits
 * with the child's status and never resolves, so the file's tests run only inside. Everything a
 * test creates (links, namespaces, tun devices) disappears with the process tree, even on a
 * crash. Where the sandbox cannot be had (no CAP_NET_ADMIN, not Linux, binding not built) the
 * file reports a skipped plan and exits 0.
 *
 * Inside, `lo` is down, and `ip netns add/exec` and `ip -n NAME` work on the private
 * `/run/netns`.
 */
import { spawn, execFileSync } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { nativePath, nsexecPath } from '../../src/native.js';

/** Bit of CAP_NET_ADMIN in the capability sets of /proc/self/status. */
const CAP_NET_ADMIN = 12n;
/** Bit of CAP_SYS_ADMIN: setns, unshare and mount need it too. */
const CAP_SYS_ADMIN = 21n;

/** Whether this process runs inside the sandbox. */
export function inSandbox(): boolean {
  return process.env['NLKIT_SANDBOX'] === '1';
}

function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] !== undefined ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Why the kernel tests cannot run here, or null if they can. */
export function sandboxUnavailableReason(): string | null {
  if (process.platform !== 'linux') return `kernel tests need Linux (this is ${process.platform})`;
  const caps = effectiveCaps();
  const uid = process.getuid?.() ?? -1;
  if ((caps & (1n << CAP_NET_ADMIN)) === 0n) return `kernel tests need CAP_NET_ADMIN (running as uid ${uid})`;
  if ((caps & (1n << CAP_SYS_ADMIN)) === 0n) return `kernel tests need CAP_SYS_ADMIN (running as uid ${uid})`;
  try {
    accessSync(nativePath(), fsConstants.R_OK);
  } catch {
    return `kernel tests need the native binding (${nativePath()} is missing: run npm install)`;
  }
  if (!isExecutable(nsexecPath())) {
    return `kernel tests need nlkit-nsexec (${nsexecPath()} is missing: run npm install)`;
  }
  return null;
}

/**
 * Makes sure the rest of the calling test file runs inside the sandbox (see the module doc).
 * Resolves only inside the sandbox.
 */
export async function enterSandbox(): Promise<void> {
  if (inSandbox()) return;

  const reason = sandboxUnavailableReason();
  if (reason !== null) {
    process.stdout.write(`1..0 # SKIP ${reason}\n`);
    process.exit(0);
  }

  const file = process.argv[1];
  if (file === undefined) throw new Error('enterSandbox: cannot tell which file to re-run (process.argv[1] is empty)');
  const child = spawn(
    nsexecPath(),
    ['--sandbox', '--', process.execPath, ...process.execArgv, file, ...process.argv.slice(2)],
    { stdio: 'inherit', env: { ...process.env, NLKIT_SANDBOX: '1' } },
  );

  // Pass termination requests (tap's timeout, ^C) on; the child also dies with us (PDEATHSIG).
  const forward = (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, forward);

  await new Promise<never>(() => {
    child.on('error', (err) => {
      process.stderr.write(`enterSandbox: cannot start ${nsexecPath()}: ${err.message}\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      if (signal !== null) process.exit(128 + (osConstants.signals[signal] ?? 0));
      process.exit(code ?? 1);
    });
  });
}

/**
 * Runs a program (no shell) and returns its stdout; a failure throws with its stderr in the
 * message. `input` is written to its stdin (e.g. for `ip -batch -`).
 */
export function sh(cmd: string, args: readonly string[] = [], input?: string): string {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(input === undefined ? {} : { input }),
    });
  } catch (err) {
    const e = err as Error & { stderr?: string; status?: number | null };
    const detail = typeof e.stderr === 'string' && e.stderr.trim() !== '' ? e.stderr.trim() : e.message;
    throw new Error(`${cmd} ${args.join(' ')} failed (status ${e.status ?? '?'}): ${detail}`, { cause: err });
  }
}

/** `ip -j ARGS...`, parsed (an empty answer is an empty list). */
export function ipJson<T = unknown>(args: readonly string[]): T {
  const out = sh('ip', ['-j', ...args]).trim();
  return (out === '' ? [] : JSON.parse(out)) as T;
}
