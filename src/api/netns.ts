/**
 * `ip netns`: named network namespaces under /run/netns, with iproute2's semantics so that
 * namespaces made here and by `ip netns add` are interchangeable both ways.
 *
 * A named namespace is a bind mount of an nsfs file on `/run/netns/NAME`; `/run/netns` itself is
 * made a shared mount (bound onto itself first when it is not a mount point) so that a delete in
 * one mount namespace propagates to the others. Commands run inside a namespace through the
 * `nlkit-nsexec` helper, which does exactly what `ip netns exec` does (setns, a private mount view
 * with a sysfs of the namespace on /sys, /etc/netns/NAME/* bound over /etc). The calling thread
 * never changes namespace.
 *
 * @example
 * ```ts
 * import { netns, Netlink } from 'nlkit';
 * await netns.add('ns1');                                   // ip netns add ns1
 * await netns.list();                                       // ip netns list   → [{ name: 'ns1' }]
 * const r = await netns.exec('ns1', ['ip', 'link']);        // ip netns exec ns1 ip link
 * const nl = await Netlink.open({ netns: 'ns1' });          // ip -n ns1 ...
 * nl.close();
 * await netns.delete('ns1');                                // ip netns delete ns1
 * ```
 * @module
 */
import { type ChildProcess, type SpawnOptions, spawn as spawnChild } from 'node:child_process';
import {
  closeSync,
  constants as fsConstants,
  existsSync,
  type FSWatcher,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  unlinkSync,
  watch,
} from 'node:fs';
import { ArgumentError } from '../netlink/errors.js';
import { loadNative, MNT_DETACH, MS_BIND, MS_REC, MS_SHARED, nsexecPath, type NativeBinding } from '../native.js';
import { Netlink } from './netlink.js';
import { checkNetnsName, NETNS_RUN_DIR, netnsNames, openNetns, withErrnoMessage } from './netns-ref.js';
import { checkNsid, checkNsidListOptions, type NsidEntry, type NsidListOptions } from './nsid.js';
import { checkKeys } from './validate.js';

export { openNetns, checkNetnsName, NETNS_RUN_DIR } from './netns-ref.js';
export type { NetnsHandle, NetnsRef } from './netns-ref.js';
export type { NsidEntry, NsidListOptions } from './nsid.js';

/** The largest pid the kernel can hand out (PID_MAX_LIMIT is 2^22; this is the int range). */
const PID_MAX = 0x7fffffff;

/* ------------------------------------------------------------------------------------------ */
/* add / delete / attach                                                                      */
/* ------------------------------------------------------------------------------------------ */

function pathOf(name: string): string {
  checkNetnsName(name, 'name');
  return `${NETNS_RUN_DIR}/${name}`;
}

/**
 * Makes /run/netns exist and be a shared mount, as iproute2's netns_add does: try
 * `mount --make-rshared`; when that fails with EINVAL (not a mount point), bind the directory
 * onto itself and try again, once.
 */
function prepareRunDir(native: NativeBinding): void {
  try {
    mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
  } catch (e) {
    throw withErrnoMessage(e, `mkdir ${NETNS_RUN_DIR} failed`);
  }
  for (let bound = false; ; bound = true) {
    try {
      native.mount('', NETNS_RUN_DIR, 'none', MS_SHARED | MS_REC, null);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL' || bound) throw withErrnoMessage(e, `mount --make-shared ${NETNS_RUN_DIR} failed`);
    }
    try {
      native.mount(NETNS_RUN_DIR, NETNS_RUN_DIR, 'none', MS_BIND | MS_REC, null);
    } catch (e) {
      throw withErrnoMessage(e, `mount --bind ${NETNS_RUN_DIR} ${NETNS_RUN_DIR} failed`);
    }
  }
}

/** Creates the empty mount-point file (mode 0, O_EXCL) with iproute2's error text. */
function createNetnsFile(path: string): void {
  try {
    closeSync(openSync(path, fsConstants.O_RDONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0));
  } catch (e) {
    throw withErrnoMessage(e, `Cannot create namespace file "${path}"`);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // nothing more to undo
  }
}

/**
 * Creates a network namespace named `name` (`ip netns add NAME`): /run/netns made a shared
 * mount, the file `/run/netns/NAME` created, a new namespace bind-mounted on it. The caller stays
 * in its own namespace. A name in use rejects with code `EEXIST` and iproute2's message
 * `Cannot create namespace file "/run/netns/NAME": File exists`; an invalid name with an
 * ArgumentError before anything is touched.
 *
 * @example
 * ```ts
 * await netns.add('ns1');   // ip netns add ns1
 * ```
 */
async function add(name: string): Promise<void> {
  const path = pathOf(name);
  const native = loadNative();
  prepareRunDir(native);
  createNetnsFile(path);
  try {
    native.netnsCreate(path);
  } catch (e) {
    removeQuietly(path);
    throw withErrnoMessage(e, `Failed to create a new network namespace "${name}"`);
  }
}

/**
 * Deletes the name of a namespace (`ip netns delete NAME`): a lazy unmount of /run/netns/NAME and
 * the removal of the file. The namespace itself lives on while processes or open fds use it.
 * An unknown name rejects with code `ENOENT`.
 *
 * @example
 * ```ts
 * await netns.delete('ns1');   // ip netns delete ns1
 * ```
 */
async function del(name: string): Promise<void> {
  const path = pathOf(name);
  try {
    loadNative().umount2(path, MNT_DETACH);
  } catch {
    // not mounted (or already gone): iproute2 ignores this too; the unlink below reports
  }
  try {
    unlinkSync(path);
  } catch (e) {
    throw withErrnoMessage(e, `Cannot remove namespace file "${path}"`);
  }
}

/**
 * Gives a name to the network namespace of process `pid` (`ip netns attach NAME PID`): a bind
 * mount of /proc/PID/ns/net on /run/netns/NAME.
 *
 * @example
 * ```ts
 * const child = spawn('sleep', ['60']);
 * await netns.attach('sleeper', child.pid!);   // ip netns attach sleeper PID
 * ```
 */
async function attach(name: string, pid: number): Promise<void> {
  const path = pathOf(name);
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid > PID_MAX) {
    throw new ArgumentError('pid', pid, `must be an integer in 1..${PID_MAX}`);
  }
  const native = loadNative();
  prepareRunDir(native);
  createNetnsFile(path);
  const proc = `/proc/${pid}/ns/net`;
  try {
    native.mount(proc, path, 'none', MS_BIND, null);
  } catch (e) {
    removeQuietly(path);
    throw withErrnoMessage(e, `Bind ${proc} -> ${path} failed`);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* list / identify / pids                                                                     */
/* ------------------------------------------------------------------------------------------ */

/** One entry of {@link list}. */
export interface NetnsEntry {
  /** The name under /run/netns. */
  name: string;
  /** The id the caller's namespace assigned to it (`ip netns list` prints "(id: N)"), if any. */
  id?: number;
}

/**
 * The named namespaces (`ip netns list`), in directory order, each with the nsid that the
 * caller's namespace assigned to it, when there is one.
 *
 * @example
 * ```ts
 * await netns.list();   // ip netns list → [{ name: 'ns2', id: 0 }, { name: 'ns1' }]
 * ```
 */
async function list(): Promise<NetnsEntry[]> {
  const names = netnsNames();
  if (names.length === 0) return [];
  const nl = await Netlink.open();
  try {
    const out: NetnsEntry[] = [];
    for (const name of names) {
      const id = await nl.nsid.get({ path: `${NETNS_RUN_DIR}/${name}` }).catch(() => undefined);
      out.push(id === undefined ? { name } : { name, id });
    }
    return out;
  } finally {
    nl.close();
  }
}

/** st_dev/st_ino of a path (following the /proc magic links to the nsfs inode). */
function nsKey(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * The names under /run/netns bound to the network namespace of process `pid` (default: this
 * process), as `ip netns identify [PID]` prints them; [] when it has no name.
 *
 * @example
 * ```ts
 * await netns.identify(child.pid);   // ip netns identify PID → ['ns1']
 * ```
 */
async function identify(pid: number = process.pid): Promise<string[]> {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0 || pid > PID_MAX) {
    throw new ArgumentError('pid', pid, `must be an integer in 1..${PID_MAX}`);
  }
  let key: string;
  try {
    const st = statSync(`/proc/${pid}/ns/net`, { bigint: true });
    key = `${st.dev}:${st.ino}`;
  } catch (e) {
    throw withErrnoMessage(e, `Cannot open network namespace of process ${pid}`);
  }
  return netnsNames().filter((name) => nsKey(`${NETNS_RUN_DIR}/${name}`) === key);
}

/**
 * The processes in namespace `name` (`ip netns pids NAME`): every /proc/PID whose ns/net is it,
 * in ascending order. Processes this one may not inspect are left out, as iproute2 does.
 *
 * @example
 * ```ts
 * await netns.pids('ns1');   // ip netns pids ns1 → [4242]
 * ```
 */
async function pids(name: string): Promise<number[]> {
  const path = pathOf(name);
  let key: string;
  try {
    const st = statSync(path, { bigint: true });
    key = `${st.dev}:${st.ino}`;
  } catch (e) {
    throw withErrnoMessage(e, `Cannot open network namespace "${name}"`);
  }
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    if (nsKey(`/proc/${entry}/ns/net`) === key) out.push(Number(entry));
  }
  return out.sort((a, b) => a - b);
}

/* ------------------------------------------------------------------------------------------ */
/* exec / spawn                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** Options of {@link exec}. */
export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. Default: stdin is /dev/null. */
  input?: string | Uint8Array;
  /** The command's whole environment (as for child_process: it replaces ours). Default: process.env. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds after which the command gets SIGTERM (its result then has `signal`). Default: none. */
  timeout?: number;
  /** Working directory of the command. Default: ours. */
  cwd?: string;
}

/** The outcome of {@link exec}: a non-zero exit is a result, not an exception. */
export interface ExecResult {
  /** Exit status, or null when the command was killed by a signal. 255: nlkit-nsexec could not set up. */
  code: number | null;
  /** The signal that killed it ('SIGTERM' after a timeout), or null. */
  signal: NodeJS.Signals | null;
  /** Everything it wrote to stdout, as UTF-8. */
  stdout: string;
  /** Everything it wrote to stderr, as UTF-8. */
  stderr: string;
}

const EXEC_OPTION_KEYS = ['input', 'env', 'timeout', 'cwd'] as const;

function checkArgv(argv: unknown): readonly string[] {
  if (!Array.isArray(argv) || argv.length === 0) throw new ArgumentError('argv', argv, 'must be a non-empty array of strings (the command and its arguments)');
  for (const a of argv) {
    if (typeof a !== 'string') throw new ArgumentError('argv', argv, 'every element must be a string');
    if (a.includes('\0')) throw new ArgumentError('argv', a, 'must not contain NUL');
  }
  if (argv[0] === '') throw new ArgumentError('argv', argv, 'the command must not be empty');
  return argv as readonly string[];
}

/** Checks name and argv, and that the namespace can be opened (its errno error otherwise). */
function prepareExec(name: string, argv: unknown): string[] {
  const path = pathOf(name);
  const args = checkArgv(argv);
  openNetns(name).close(); // ENOENT etc. now, with "Cannot open network namespace", rather than exit 255 later
  return ['--netns', path, '--name', name, '--', ...args];
}

/**
 * Runs a command inside namespace `name` (`ip netns exec NAME CMD...`) and resolves when it ends,
 * with its exit status and output. The command sees the namespace's interfaces, a /sys of the
 * namespace and /etc/netns/NAME/* over /etc. A missing namespace rejects (code `ENOENT`) before
 * anything runs.
 *
 * @example
 * ```ts
 * const r = await netns.exec('ns1', ['ping', '-c', '1', '10.123.1.2']);  // ip netns exec ns1 ping -c 1 10.123.1.2
 * if (r.code !== 0) console.log(r.stderr);
 * ```
 */
async function exec(name: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object');
  checkKeys(options, EXEC_OPTION_KEYS, 'exec option');
  const { input, env, timeout, cwd } = options;
  if (input !== undefined && typeof input !== 'string' && !(input instanceof Uint8Array)) throw new ArgumentError('input', input, 'must be a string or a Uint8Array');
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) throw new ArgumentError('timeout', timeout, 'must be a positive integer (milliseconds)');
  if (cwd !== undefined && (typeof cwd !== 'string' || cwd === '')) throw new ArgumentError('cwd', cwd, 'must be a non-empty string');
  if (env !== undefined && (env === null || typeof env !== 'object')) throw new ArgumentError('env', env, 'must be an object of strings');
  const args = prepareExec(name, argv);

  return new Promise<ExecResult>((resolve, reject) => {
    const child = spawnChild(nsexecPath(), args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(env !== undefined && { env }),
      ...(cwd !== undefined && { cwd }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (timeout !== undefined) timer = setTimeout(() => child.kill('SIGTERM'), timeout);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      reject(e.syscall?.startsWith('spawn') ? withErrnoMessage(e, `cannot run ${nsexecPath()}`) : e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the command does not read its input
      child.stdin.end(input);
    }
  });
}

/** Options of {@link spawn}: those of child_process.spawn, except `shell` and `argv0`. */
export type NetnsSpawnOptions = Omit<SpawnOptions, 'shell' | 'argv0'>;

/**
 * Starts a command inside namespace `name` and returns the child process at once (for servers
 * and other long-running commands; the caller waits for or kills it). Checks as {@link exec}
 * (synchronously: it throws rather than rejects).
 *
 * @example
 * ```ts
 * const server = netns.spawn('ns1', ['nc', '-l', '-p', '7'], { stdio: 'ignore' });  // ip netns exec ns1 nc -l -p 7 &
 * server.kill();
 * ```
 */
function spawn(name: string, argv: readonly string[], options: NetnsSpawnOptions = {}): ChildProcess {
  if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object');
  if ('shell' in options || 'argv0' in options) throw new ArgumentError('options', Object.keys(options), '"shell" and "argv0" cannot be used: the command runs through nlkit-nsexec');
  return spawnChild(nsexecPath(), prepareExec(name, argv), options);
}

/* ------------------------------------------------------------------------------------------ */
/* set / list-id                                                                              */
/* ------------------------------------------------------------------------------------------ */

/**
 * Assigns id `nsid` to namespace `name` in the caller's namespace (`ip netns set NAME NSID`);
 * `'auto'` lets the kernel pick one. Rejects with the kernel's EEXIST when the namespace already
 * has an id or the id is taken.
 *
 * @example
 * ```ts
 * await netns.set('ns1', 5);        // ip netns set ns1 5
 * await netns.set('ns2', 'auto');   // ip netns set ns2 auto
 * ```
 */
async function set(name: string, nsid: number | 'auto'): Promise<void> {
  checkNetnsName(name, 'name');
  checkNsid(nsid, 'nsid', true);
  const nl = await Netlink.open();
  try {
    await nl.nsid.set(name, nsid);
  } finally {
    nl.close();
  }
}

/**
 * The ids the caller's namespace assigned to peer namespaces (`ip netns list-id`), each with the
 * /run/netns name bound to it, if any.
 *
 * @example
 * ```ts
 * await netns.listId();                     // ip netns list-id → [{ nsid: 5, name: 'ns1' }]
 * await netns.listId({ targetNsid: 5 });    // ip netns list-id target-nsid 5 → [..., { nsid: 0, current: 3 }]
 * ```
 */
async function listId(options: NsidListOptions = {}): Promise<NsidEntry[]> {
  checkNsidListOptions(options);
  const nl = await Netlink.open();
  try {
    return await nl.nsid.list(options).collect();
  } finally {
    nl.close();
  }
}

/* ------------------------------------------------------------------------------------------ */
/* monitor                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** An event of {@link monitor}: a name appeared in or vanished from /run/netns. */
export interface NetnsEvent {
  event: 'add' | 'delete';
  name: string;
}

/** Options of {@link monitor}. */
export interface MonitorOptions {
  /** Ends the monitor (iteration finishes normally). Default: none. */
  signal?: AbortSignal;
}

/**
 * A running `ip netns monitor`: an async iterable of add/delete events of /run/netns (inotify,
 * through fs.watch). Events are queued from the moment it was created. Iterate it once; `close()`
 * (or breaking out of the loop, or the abort signal) stops it.
 *
 * @example
 * ```ts
 * const mon = netns.monitor();                 // ip netns monitor
 * setTimeout(() => mon.close(), 10_000);
 * for await (const { event, name } of mon) console.log(event, name);   // add ns1
 * ```
 */
export class NetnsMonitor implements AsyncIterable<NetnsEvent> {
  private readonly watcher: FSWatcher;
  /** Names believed present; each inotify create/delete (move in/out) flips one. */
  private readonly present: Set<string>;
  private readonly queue: NetnsEvent[] = [];
  private wake: (() => void) | undefined = undefined;
  private failure: Error | undefined = undefined;
  private closed = false;
  private readonly onAbort: () => void;
  private readonly signal: AbortSignal | undefined;

  /** @internal Use {@link monitor}. */
  constructor(options: MonitorOptions = {}) {
    if (options === null || typeof options !== 'object') throw new ArgumentError('options', options, 'must be an object');
    checkKeys(options, ['signal'], 'monitor option');
    if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new ArgumentError('signal', options.signal, 'must be an AbortSignal');
    try {
      mkdirSync(NETNS_RUN_DIR, { recursive: true, mode: 0o755 });
    } catch (e) {
      throw withErrnoMessage(e, `mkdir ${NETNS_RUN_DIR} failed`);
    }
    // The snapshot and the watch are taken back to back (both synchronous), as `ip netns monitor`
    // starts watching: what happens after this constructor returns is reported.
    this.present = new Set(netnsNames());
    this.watcher = watch(NETNS_RUN_DIR, { persistent: true, encoding: 'utf8' }, (type, name) => {
      if (type !== 'rename' || !name) return;
      // inotify reports exactly one rename per create, delete or move, so flipping the known
      // state names the event even when the file was created and removed before we got here.
      const event = this.present.delete(name) ? 'delete' : 'add';
      if (event === 'add') this.present.add(name);
      this.push({ event, name });
    });
    this.watcher.on('error', (e) => {
      this.failure = e;
      this.close();
    });
    this.signal = options.signal;
    this.onAbort = () => this.close();
    if (this.signal?.aborted) this.close();
    else this.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  private push(e: NetnsEvent): void {
    if (this.closed) return;
    this.queue.push(e);
    this.wake?.();
  }

  /** Stops watching; a pending or later `next()` finishes the iteration. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watcher.close();
    this.signal?.removeEventListener('abort', this.onAbort);
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<NetnsEvent, void, undefined> {
    try {
      for (;;) {
        const e = this.queue.shift();
        if (e !== undefined) {
          yield e;
          continue;
        }
        if (this.failure) throw this.failure;
        if (this.closed) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
      }
    } finally {
      this.close();
    }
  }
}

/**
 * Watches /run/netns for namespaces being added and deleted (`ip netns monitor`). It creates
 * /run/netns when missing, as iproute2 does.
 *
 * @example
 * ```ts
 * for await (const e of netns.monitor()) console.log(e.event, e.name);   // ip netns monitor → add ns1
 * ```
 */
function monitor(options: MonitorOptions = {}): NetnsMonitor {
  return new NetnsMonitor(options);
}

/**
 * Whether namespace `name` exists (its file is under /run/netns).
 *
 * @example
 * ```ts
 * await netns.exists('ns1');   // true after `ip netns add ns1`
 * ```
 */
async function exists(name: string): Promise<boolean> {
  return existsSync(pathOf(name));
}

/**
 * `ip netns` as functions: add, delete, list, exists, exec, spawn, identify, pids, attach, set,
 * listId, monitor, and open (a {@link NetnsRef} to an fd).
 *
 * @example
 * ```ts
 * await netns.add('ns1');
 * const { stdout } = await netns.exec('ns1', ['ip', '-j', 'link']);
 * await netns.delete('ns1');
 * ```
 */
export const netns = {
  add,
  delete: del,
  list,
  exists,
  exec,
  spawn,
  identify,
  pids,
  attach,
  set,
  listId,
  monitor,
  /**
   * Opens a namespace by name, `{ path }`, `{ fd }` or `{ pid }` (see {@link openNetns}).
   *
   * @example
   * ```ts
   * const h = netns.open('ns1');   // the fd `ip -n ns1` would use
   * h.close();
   * ```
   */
  open: openNetns,
} as const;
