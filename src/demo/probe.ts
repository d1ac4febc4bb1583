/**
 * Connectivity probes run *inside* namespaces, never from the caller's own: `ping` through
 * `netns.exec`, the node UDP/TCP echo of `./echo.ts`, and the wait for IPv6 duplicate address
 * detection. Shared by `npm run demo` and the walkthrough kernel test.
 *
 * @example
 * ```ts
 * const r = await ping('ns1', ['-c', '1', '-W', '1', '10.123.3.2']);
 * r.ok;        // true
 * r.summary;   // '1 packets transmitted, 1 received, 0% packet loss, time 0ms'
 * ```
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Address } from '../api/addr.js';
import type { Netlink } from '../api/netlink.js';
import { netns } from '../api/netns.js';

/** What {@link ping} saw. */
export interface PingResult {
  /** Exit status 0: every probe was answered. */
  ok: boolean;
  /** ping's exit status (1: no answer; 2: another error, e.g. "Network is unreachable"). */
  code: number | null;
  /** Probes sent and answers received, from ping's statistics line (undefined when it printed none). */
  transmitted: number | undefined;
  received: number | undefined;
  /** The statistics line ("1 packets transmitted, 1 received, ..."), else ping's error text. */
  summary: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs `ping ARGS...` inside namespace `ns` (`ip netns exec NS ping ARGS...`). A ping that gets
 * no answer is a result (`ok: false`, `received: 0`), not an exception.
 *
 * @example
 * ```ts
 * (await ping('d1', ['-c', '1', '-W', '1', '-I', 'veth0', '10.123.1.2'])).received;   // 0
 * ```
 */
export async function ping(ns: string, args: readonly string[]): Promise<PingResult> {
  // -W bounds each wait; the exec timeout only guards against a ping that hangs on DNS or the like.
  const r = await netns.exec(ns, ['ping', ...args], { timeout: 20_000 });
  const stats = /^(\d+) packets transmitted, (\d+) received.*$/m.exec(r.stdout);
  const summary = stats?.[0] ?? (r.stderr.trim().split('\n').pop() || `ping exited with ${r.code ?? r.signal}`);
  return {
    ok: r.code === 0,
    code: r.code,
    transmitted: stats ? Number(stats[1]) : undefined,
    received: stats ? Number(stats[2]) : undefined,
    summary: summary.trim(),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}

/**
 * The command line that runs the echo helper with this node: `./echo.js` next to this module in
 * `dist/`, `./echo.ts` under a TypeScript loader (this process's `execArgv` carries the loader
 * along, as the sandbox re-exec does).
 *
 * @example
 * ```ts
 * await netns.exec('ns1', [...echoArgv(), 'send', 'udp', '10.123.8.2', '7777', 'hello']);
 * ```
 */
export function echoArgv(): string[] {
  const ext = extname(fileURLToPath(import.meta.url)) === '.ts' ? '.ts' : '.js';
  return [process.execPath, ...process.execArgv, fileURLToPath(new URL(`./echo${ext}`, import.meta.url))];
}

/** A running echo server (see {@link startEcho}). */
export interface EchoServer {
  /** The `nlkit-nsexec` → node process. */
  child: ChildProcess;
  /** Stops it (SIGTERM to its pid) and waits until it is gone. */
  stop(): Promise<void>;
}

/**
 * Starts the echo server inside `ns`, bound to `host` `port`, and resolves once it listens.
 * Rejects (and stops it) when it exits first or does not listen within 15 s.
 *
 * @example
 * ```ts
 * const server = await startEcho('vtep2', 'udp', '10.123.8.2', 7777);
 * await server.stop();
 * ```
 */
export async function startEcho(ns: string, proto: 'udp' | 'tcp', host: string, port: number): Promise<EchoServer> {
  const child = netns.spawn(ns, [...echoArgv(), 'serve', proto, host, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('close', () => resolve());
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  let out = '';
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err += b.toString('utf8')));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`echo server in ${ns} did not listen on ${host} port ${port} within 15 s ${err.trim()}`)), 15_000);
      child.stdout?.on('data', (b: Buffer) => {
        out += b.toString('utf8');
        if (out.includes('listening')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`echo server in ${ns} exited (${code}) before listening: ${err.trim()}`));
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { child, stop };
}

/** What {@link sendEcho} saw. */
export interface EchoResult {
  /** The answer equals what was sent. */
  ok: boolean;
  /** The answer (empty when none came). */
  answer: string;
  /** The reason when there was no (right) answer. */
  error: string;
}

/**
 * Sends `text` to the echo server at `host` `port` from inside `ns` and reports the answer.
 *
 * @example
 * ```ts
 * (await sendEcho('vtep1', 'udp', '10.123.8.2', 7777, 'hello over vxlan')).ok;   // true
 * ```
 */
export async function sendEcho(ns: string, proto: 'udp' | 'tcp', host: string, port: number, text: string): Promise<EchoResult> {
  const r = await netns.exec(ns, [...echoArgv(), 'send', proto, host, String(port), text], { timeout: 20_000 });
  const answer = r.stdout.replace(/\n$/, '');
  return { ok: r.code === 0 && answer === text, answer, error: r.stderr.trim() };
}

/**
 * Waits until IPv6 duplicate address detection is over on `dev` (no address there is still
 * 'tentative') and returns its link-local address. Rejects when DAD failed or it takes longer
 * than `timeoutMs`.
 *
 * @example
 * ```ts
 * const ll = await linkLocalAfterDad(nl1, 'br-veth1');   // { address: 'fe80::…', ... }
 * ```
 */
export async function linkLocalAfterDad(nl: Netlink, dev: string, timeoutMs = 10_000): Promise<Address> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const addrs = await nl.addr.list({ dev, family: 'inet6' }).collect();
    const failed = addrs.find((a) => a.flags.includes('dadfailed'));
    if (failed) throw new Error(`duplicate address detection failed for ${failed.cidr} on ${dev}`);
    const ll = addrs.find((a) => a.scope === 'link');
    if (ll && !addrs.some((a) => a.flags.includes('tentative'))) return ll;
    if (Date.now() > deadline) {
      const state = addrs.map((a) => `${a.cidr} [${a.flags.join(',')}]`).join(', ') || 'no IPv6 address';
      throw new Error(`${dev}: duplicate address detection not over after ${timeoutMs} ms (${state})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Forgets the neighbour entry of `dst` on `dev` (`ip neigh del DST dev DEV`), if there is one.
 * After a ping that got no answer the entry stays INCOMPLETE for up to 3 s (mcast_solicit
 * probes, 1 s apart) and a new packet only queues on it: when its last probe went out before a
 * fix, the next single ping is dropped with it. Deleting the entry makes the next ping ask at once.
 *
 * @example
 * ```ts
 * await forgetNeighbour(d1, 'veth0', '10.123.1.2');
 * ```
 */
export async function forgetNeighbour(nl: Netlink, dev: string, dst: string): Promise<void> {
  try {
    await nl.neigh.del({ dev, dst });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}
