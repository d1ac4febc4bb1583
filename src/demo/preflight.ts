/**
 * Whether `npm run demo` can run here, said in words rather than a stack trace: Linux, root-like
 * capabilities (CAP_NET_ADMIN and CAP_SYS_ADMIN: namespaces, mounts, links), the native binding
 * and its `nlkit-nsexec` helper, and `ping` for the connectivity checks. Plus the guard that the
 * walkthrough only ever runs inside its private sandbox.
 *
 * @example
 * ```ts
 * const why = cannotRunReason();
 * if (why !== null) { console.error(why); process.exit(2); }
 * ```
 * @module
 */
import { accessSync, constants as fsConstants, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadNative, nsexecPath } from '../native.js';

/** Bit of CAP_NET_ADMIN in /proc/self/status's CapEff. */
const CAP_NET_ADMIN = 12n;
/** Bit of CAP_SYS_ADMIN (setns, unshare, mount). */
const CAP_SYS_ADMIN = 21n;

function effectiveCaps(): bigint {
  try {
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m?.[1] !== undefined ? BigInt(`0x${m[1]}`) : 0n;
  } catch {
    return 0n;
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The first `name` on $PATH (plus the sbin directories root usually has), or undefined. */
export function which(name: string): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  for (const d of dirs) if (d !== '' && executable(join(d, name))) return join(d, name);
  return undefined;
}

/**
 * Why the demo cannot run here, as a sentence with what to do, or null when it can.
 *
 * @example
 * ```ts
 * cannotRunReason();   // 'it needs CAP_NET_ADMIN (running as uid 1000 without it): run it as root, e.g. `sudo npm run demo`'
 * ```
 */
export function cannotRunReason(): string | null {
  if (process.platform !== 'linux') return `it needs Linux network namespaces (this is ${process.platform})`;
  const caps = effectiveCaps();
  const uid = process.getuid?.() ?? -1;
  for (const [bit, name] of [[CAP_NET_ADMIN, 'CAP_NET_ADMIN'], [CAP_SYS_ADMIN, 'CAP_SYS_ADMIN']] as const) {
    if ((caps & (1n << bit)) === 0n) return `it needs ${name} (running as uid ${uid} without it): run it as root, e.g. \`sudo npm run demo\``;
  }
  try {
    loadNative();
  } catch (e) {
    return (e as Error).message;
  }
  if (!executable(nsexecPath())) return `its sandbox helper ${nsexecPath()} is missing: run \`npm install\` (it is built with the native binding)`;
  if (which('ping') === undefined) return 'it checks connectivity with ping, which is not installed (Debian/Ubuntu: apt-get install iputils-ping)';
  return null;
}

/** st_dev:st_ino of a namespace file, or undefined when it cannot be read. */
function nsId(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Null when this process runs in a network namespace of its own (not its parent's, not pid 1's),
 * as the sandbox re-exec gives it; else why not. The walkthrough changes the namespace it runs
 * in, so it must never run in the machine's.
 *
 * @example
 * ```ts
 * notInSandboxReason();   // null inside `nlkit-nsexec --sandbox`
 * ```
 */
export function notInSandboxReason(): string | null {
  const self = nsId('/proc/self/ns/net');
  if (self === undefined) return 'cannot read /proc/self/ns/net';
  const parent = nsId(`/proc/${process.ppid}/ns/net`);
  if (parent === undefined || parent === self) return `this process is not in a network namespace of its own (the same as its parent, pid ${process.ppid})`;
  if (nsId('/proc/1/ns/net') === self) return 'this process is in the network namespace of pid 1';
  return null;
}
