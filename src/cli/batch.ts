/**
 * `nlkit [ -force ] -batch FILE`: the commands of a file (or `-` for stdin), one per line, as
 * `ip -batch` reads them (`#` comments, `\` line continuation, quotes), through ONE socket per
 * network namespace, pipelined.
 *
 * Pipelining: a command that changes one thing (`link add|set|del`, `addr add|del|replace`,
 * `route add|del|replace`, `neigh add|del|replace`, `bridge fdb add|del|...`) is started as soon
 * as the previous one has *sent* its request; nobody waits for the kernel's acknowledgement in
 * between. Interface names resolve from a per-namespace cache (one RTM_GETLINK per name per
 * run), so such a command is usually one request. Other commands (listings, flushes, netns,
 * tuntap, ...) wait for everything before them and run alone.
 *
 * Stopping at the first failure, exactly as ip does: rtnetlink handles a request while it is
 * sent, so when the next request is about to go out the answer of the previous one is already
 * queued on the socket. Without `-force` the socket hook looks at what is queued before each
 * change request and refuses to send it once an earlier change failed — nothing after a failed
 * command reaches the kernel. With `-force` nothing is held back and every failure is reported.
 *
 * Failures are reported in line order, each with its message and `Command failed FILE:LINE`.
 *
 * Extension: a line may start with `-n NETNS` to run in another namespace (its own socket).
 *
 * @module
 */
import type { Datagram, Transport } from '../netlink/transport.js';
import { CliExit, matches } from './args.js';
import { findObject, report, runObject } from './ip.js';
import type { CliIo } from './main.js';
import type { Session, SocketHook } from './session.js';

/** One command of the file. */
export interface BatchLine {
  /** Line number (of the last physical line, as ip counts). */
  line: number;
  words: string[];
}

/**
 * Splits batch text into commands as iproute2's getcmdline + makeargs do: `#` ends a line
 * (anywhere), a trailing backslash joins the next line, words are separated by blanks, a word
 * starting with a quote runs to the matching quote.
 */
export function parseBatch(text: string): BatchLine[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const out: BatchLine[] = [];
  let no = 0;
  for (let i = 0; i < lines.length; i++) {
    no++;
    let line = `${lines[i]!}\n`;
    const strip = (l: string): string => {
      const h = l.indexOf('#');
      return h >= 0 ? `${l.slice(0, h)}` : l;
    };
    line = strip(line);
    while (line.includes('\\\n')) {
      if (i + 1 >= lines.length) throw new CliExit(1, 'Missing continuation line');
      i++;
      no++;
      line = line.replace('\\\n', '') + strip(`${lines[i]!}\n`);
    }
    out.push({ line: no, words: makeargs(line) });
  }
  return out.filter((l) => l.words.length > 0);
}

/** makeargs. */
function makeargs(line: string): string[] {
  const ws = ' \t\r\n';
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && ws.includes(line[i]!)) i++;
    if (i >= line.length) break;
    const c = line[i]!;
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new CliExit(1, 'Unterminated quoted string');
      words.push(line.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < line.length && !ws.includes(line[j]!)) j++;
      words.push(line.slice(i, j));
      i = j;
    }
    // the character after a word (or quote) is consumed as the separator
    i++;
  }
  return words;
}

/** Whether a command makes exactly one change request, its last action (see the module doc). */
export function pipelinable(words: readonly string[]): boolean {
  const [o, c, ...rest] = words;
  if (o === undefined || c === undefined) return false;
  const obj = findObject(o)?.[1];
  const is = (...names: string[]) => names.some((n) => matches(c, n));
  switch (obj) {
    case 'address':
      return is('add', 'change', 'replace', 'delete') || c === 'chg';
    case 'route':
      return is('add', 'change', 'replace', 'delete') || c === 'chg';
    case 'neigh':
      return is('add', 'change', 'replace', 'delete') || c === 'chg';
    case 'link': {
      if (is('set', 'change', 'delete')) return !rest.some((w) => matches(w, 'help'));
      if (!is('add')) return false;
      // a veth peer brought up is a second request, after the first was acknowledged
      const peer = rest.indexOf('peer');
      return peer < 0 || !rest.slice(peer).includes('up');
    }
    case 'bridge':
      return c === 'fdb' && rest[0] !== undefined && ['add', 'append', 'replace', 'delete'].some((n) => matches(rest[0]!, n));
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// The socket hook

/** nlmsg types that change something (RTM_NEW*, RTM_DEL*, RTM_SET*): everything but GET and control. */
function isChange(type: number): boolean {
  return type >= 16 && (type & 3) !== 2;
}

const ERROR_MARK = 'NLKIT_BATCH_STOPPED';

/** What the last batch did (for tests and `DEBUG`): sockets opened, change requests, overlap. */
export interface BatchStats {
  /** Sockets opened (one per namespace used). */
  sockets: number;
  /** Change requests sent. */
  changes: number;
  /** The most change requests sent before the answer of an earlier one had been read. */
  maxInFlight: number;
}

/** Statistics of the last {@link runBatch} in this process. */
export let lastBatchStats: BatchStats = { sockets: 0, changes: 0, maxInFlight: 0 };

/**
 * Watches the answers of change requests and holds later ones back after a failure (exported for
 * tests).
 */
export class Gate implements SocketHook {
  /** An earlier change request failed. */
  failed = false;
  /** Called when a change request has been sent. */
  onSent: (() => void) | undefined = undefined;
  readonly stats: BatchStats = { sockets: 0, changes: 0, maxInFlight: 0 };
  private readonly transports: GateTransport[] = [];
  constructor(readonly force: boolean) {}

  wrap(t: Transport): Transport {
    this.stats.sockets++;
    const g = new GateTransport(t, this);
    this.transports.push(g);
    return g;
  }

  /** Sends what is held back (with -force, change requests travel in groups). */
  flush(): void {
    for (const t of this.transports) t.flush();
  }
}

/** With -force: change requests per datagram, and bytes, before a group is sent. */
const GROUP_MESSAGES = 64;
const GROUP_BYTES = 32 * 1024;

function view(d: Uint8Array): DataView {
  return new DataView(d.buffer, d.byteOffset, d.byteLength);
}

class GateTransport implements Transport {
  private readonly buffer: Uint8Array[] = [];
  private readonly outstanding = new Set<number>();
  private held: Uint8Array[] = [];
  private heldBytes = 0;

  constructor(
    private readonly inner: Transport,
    private readonly gate: Gate,
  ) {}

  get protocol(): number {
    return this.inner.protocol;
  }

  get portId(): number {
    return this.inner.portId;
  }

  get closed(): boolean {
    return this.inner.closed;
  }

  send(datagram: Uint8Array): void {
    const dv = view(datagram);
    const changes: number[] = [];
    for (let off = 0; off + 16 <= datagram.length; ) {
      const len = dv.getUint32(off, true);
      if (isChange(dv.getUint16(off + 4, true))) changes.push(dv.getUint32(off + 8, true));
      if (len < 16) break;
      off += (len + 3) & ~3;
    }
    if (changes.length === 0) {
      // Everything held back goes first: a lookup may concern what they create.
      this.flush();
      this.inner.send(datagram);
      return;
    }
    if (!this.gate.force) {
      this.lookAhead();
      if (this.gate.failed) {
        const e = new Error(`${ERROR_MARK}: not sent, an earlier command failed`) as Error & { code: string; errno: number };
        e.code = 'ECANCELED';
        e.errno = 125;
        throw e;
      }
      this.inner.send(datagram);
    } else {
      // The kernel handles every message of a datagram in turn, answering each: with -force
      // (nothing depends on an answer) change requests go out in groups.
      const padded = (datagram.length + 3) & ~3;
      const copy = new Uint8Array(padded);
      copy.set(datagram);
      this.held.push(copy);
      this.heldBytes += padded;
      if (this.held.length >= GROUP_MESSAGES || this.heldBytes >= GROUP_BYTES) this.flush();
    }
    const st = this.gate.stats;
    st.changes += changes.length;
    st.maxInFlight = Math.max(st.maxInFlight, this.outstanding.size + changes.length);
    for (const seq of changes) this.outstanding.add(seq);
    this.gate.onSent?.();
  }

  /** Sends the held-back change requests as one datagram. */
  flush(): void {
    if (this.held.length === 0) return;
    const d = this.held.length === 1 ? this.held[0]! : new Uint8Array(this.heldBytes);
    if (this.held.length > 1) {
      let off = 0;
      for (const h of this.held) {
        d.set(h, off);
        off += h.length;
      }
    }
    this.held = [];
    this.heldBytes = 0;
    this.inner.send(d);
  }

  /** Reads what the kernel already queued (answers of earlier requests), keeping it for the client. */
  private lookAhead(): void {
    for (;;) {
      const d = this.inner.receive();
      if (d === null) return;
      const copy = d.slice();
      this.scan(copy);
      this.buffer.push(copy);
    }
  }

  private scan(d: Uint8Array): void {
    if (this.outstanding.size === 0) return;
    const dv = view(d);
    for (let off = 0; off + 16 <= d.length; ) {
      const len = dv.getUint32(off, true);
      const type = dv.getUint16(off + 4, true);
      const seq = dv.getUint32(off + 8, true);
      if (type === 2 && this.outstanding.has(seq) && off + 20 <= d.length) {
        this.outstanding.delete(seq);
        if (dv.getInt32(off + 16, true) < 0) this.gate.failed = true;
      }
      if (len < 16) break;
      off += (len + 3) & ~3;
    }
  }

  receive(): Datagram | null {
    const b = this.buffer.shift();
    if (b) return b;
    const d = this.inner.receive();
    if (d) this.scan(d);
    return d;
  }

  onReadable(callback: () => void): void {
    if (this.buffer.length > 0) queueMicrotask(callback);
    else this.inner.onReadable(callback);
  }

  addMembership(group: number): void {
    this.inner.addMembership(group);
  }

  dropMembership(group: number): void {
    this.inner.dropMembership(group);
  }

  close(): void {
    try {
      this.flush();
    } finally {
      this.inner.close();
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Output of one command, kept until the commands before it have written theirs. */
class Buffered implements CliIo {
  readonly chunks: Array<[0 | 1, string | Uint8Array]> = [];
  readonly stdout = { write: (c: string | Uint8Array) => this.chunks.push([0, c]) };
  readonly stderr = { write: (c: string | Uint8Array) => this.chunks.push([1, c]) };
  constructor(readonly stdin: AsyncIterable<Uint8Array | string>) {}
}

interface Running {
  line: number;
  io: Buffered;
  status: number | undefined;
  aborted: boolean;
  done: Promise<void>;
}

async function readInput(file: string, io: CliIo): Promise<string> {
  if (file === '-') {
    let text = '';
    const dec = new TextDecoder();
    for await (const c of io.stdin) text += typeof c === 'string' ? c : dec.decode(c, { stream: true });
    return text + dec.decode();
  }
  const { readFile } = await import('node:fs/promises');
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const { errnoNumber, errnoText } = await import('../netlink/errno.js');
    const code = (e as { code?: string }).code ?? '';
    throw new CliExit(1, `Cannot open file "${file}" for reading: ${errnoText(errnoNumber(code) ?? 0)}`);
  }
}

/** How many commands may wait for their answer at once. */
const WINDOW = 1024;

/** Runs a batch file; 0 when every command succeeded, else 1. */
export async function runBatch(file: string, s: Session): Promise<number> {
  const lines = parseBatch(await readInput(file, s.io));
  const gate = new Gate(s.opts.force);
  s.setBatch(gate);
  const queue: Running[] = [];
  let failed = false;
  let stop = false;

  const flush = (all: boolean): void => {
    while (queue.length > 0 && (all || queue[0]!.status !== undefined)) {
      const r = queue.shift()!;
      // After the first failure (without -force) nothing more is reported: ip would not have run it.
      if (r.status === undefined || r.aborted || stop) continue;
      for (const [fd, c] of r.io.chunks) (fd === 0 ? s.io.stdout : s.io.stderr).write(c);
      if (r.status !== 0) {
        s.err(`Command failed ${file}:${r.line}\n`);
        failed = true;
        if (!s.opts.force) stop = true;
      }
    }
  };
  const anyFailure = (): boolean => queue.some((r) => r.status !== undefined && r.status !== 0 && !r.aborted) || (gate.failed && !s.opts.force);

  for (const { line, words } of lines) {
    if (stop) break;
    let w = words;
    let netns: string | undefined;
    while (w.length >= 2 && (w[0] === '-n' || matches(w[0]!, '-netns'))) {
      netns = w[1];
      w = w.slice(2);
    }
    const io = new Buffered(s.io.stdin);
    const sub = s.fork(io, netns);
    const r: Running = { line, io, status: undefined, aborted: false, done: Promise.resolve() };
    const simple = pipelinable(w);
    if (!simple) {
      gate.flush();
      await Promise.all(queue.map((q) => q.done));
    }
    flush(false);
    if (stop || (!s.opts.force && anyFailure())) break;
    let sent!: () => void;
    const sentP = new Promise<void>((res) => (sent = res));
    gate.onSent = sent;
    r.done = runObject(w, sub).then(
      (status) => {
        r.status = status;
      },
      async (e: unknown) => {
        if ((e as { code?: string; message?: string }).code === 'ECANCELED' && String((e as Error).message).includes(ERROR_MARK)) {
          r.aborted = true;
          r.status = 1;
          return;
        }
        r.status = await report(e, sub);
      },
    );
    queue.push(r);
    if (simple) await Promise.race([sentP, r.done]);
    else {
      gate.flush();
      await r.done;
    }
    gate.onSent = undefined;
    flush(false);
    if (!s.opts.force && anyFailure()) {
      await Promise.all(queue.map((q) => q.done));
      flush(true);
      break;
    }
    if (queue.length >= WINDOW) {
      gate.flush();
      await queue[0]!.done;
    }
  }
  gate.flush();
  await Promise.all(queue.map((q) => q.done));
  flush(true);
  lastBatchStats = gate.stats;
  return failed ? 1 : 0;
}
