/**
 * The `nlkit` command's entry: a small dispatcher that loads each command's module only when
 * it runs (`await import()`), so start-up stays small. `decode` goes to the decoder; everything
 * else is the ip-compatible command line (`nlkit [ OPTIONS ] OBJECT { COMMAND | help }`, ip.ts).
 * Output goes straight to the process's fds 1 and 2 ({@link processIo}).
 *
 * @example
 * ```ts
 * const code = await main(['decode', '--format', 'hex', 'dump.txt']);
 * const code2 = await main(['-j', 'link', 'show']);
 * ```
 * @module
 */
import { writeSync } from 'node:fs';

/** Where a command reads and writes (the process's fds by default, see {@link processIo}; buffers in tests). */
export interface CliIo {
  stdout: { write(chunk: string | Uint8Array): unknown };
  stderr: { write(chunk: string | Uint8Array): unknown };
  stdin: AsyncIterable<Uint8Array | string>;
  /**
   * Opens the rtnetlink transport of a namespace (`-n NETNS`, undefined for the own one) instead
   * of a kernel socket: with the mock kernel of `nlkit/testing`, the command runs without root.
   * Default: a NETLINK_ROUTE socket created in the namespace.
   *
   * @example
   * ```ts
   * const kernel = createMockKernel();
   * await main(['-j', 'link', 'show'], { ...io, transport: (ns) => kernel.transport(ns === undefined ? {} : { netns: ns }) });
   * ```
   */
  transport?: (netns: string | undefined) => import('../netlink/transport.js').Transport;
}

/**
 * Runs the command line `argv` (without `node` and the script) and returns the exit status, as
 * iproute2 would for the same command: 0 success, 1 failure (e.g. `Cannot find device`), 2 the
 * kernel refused, 255 a usage error.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'decode') {
    const { runDecode } = await import('./decode.js');
    return runDecode(rest, io);
  }
  const { runIp } = await import('./ip.js');
  return runIp(argv, io);
}

// ---------------------------------------------------------------------------------------------
// The process's own standard streams, without node's stream objects
//
// Output goes to fds 1 and 2 with `fs.writeSync`, one system call per chunk, as ip's stdio does:
// creating `process.stdout` builds a stream object (a SyncWriteStream for a file, a net.Socket
// and the modules behind it for a pipe), 1.3-2.5 ms of a command's start-up, and touching
// `process.stdin` costs as much again (bench: cli/link-show-3). Node writes to files, pipes and
// terminals synchronously on Linux anyway, so nothing changes in what is written or when.
//
// Two cases fall back to node's stream for the rest of the run (in order: every earlier chunk was
// written whole): an fd someone made non-blocking (EAGAIN: the stream waits for the reader), and
// anything but EPIPE failing. A closed pipe (`nlkit route show | head`) ends the process quietly
// with its status so far, as bin/nlkit.js always did.

/**
 * Room to encode text chunks in, reused by every write: a listing writes ~64 KiB pieces, and a
 * buffer of its own per piece costs four times the encoding (6.9 MB of dump/route-100k -j text to
 * /dev/null: 2.5 ms with Buffer.from per piece, 0.6 ms encoded here). Longer chunks get their own.
 */
let scratch = Buffer.allocUnsafe(0);
/** UTF-16 units of the longest chunk encoded in {@link scratch} (3 bytes each at most). */
const SCRATCH_MAX_CHARS = 1 << 18;

function encode(text: string): Buffer {
  if (text.length > SCRATCH_MAX_CHARS) return Buffer.from(text, 'utf8');
  if (scratch.length < text.length * 3) scratch = Buffer.allocUnsafe(Math.max(text.length * 3, 1 << 16));
  return scratch.subarray(0, scratch.write(text, 0, 'utf8'));
}

/** A `{ write }` over fd 1 or 2 (see above). */
export class FdWriter {
  /** The fd written. */
  readonly fd: 1 | 2;
  private stream: NodeJS.WriteStream | undefined = undefined;

  constructor(fd: 1 | 2) {
    this.fd = fd;
  }

  /** Writes a chunk whole (or hands it to node's stream, see above). */
  write(chunk: string | Uint8Array): boolean {
    if (this.stream) return this.stream.write(chunk);
    const bytes = typeof chunk === 'string' ? encode(chunk) : chunk;
    let off = 0;
    try {
      while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      // (A copy: the stream may write later, and the scratch buffer is reused.)
      return this.fallBack().write(off === 0 ? chunk : Buffer.from(bytes.subarray(off)));
    }
  }

  private fallBack(): NodeJS.WriteStream {
    const s = (this.stream = this.fd === 1 ? process.stdout : process.stderr);
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
    return s;
  }
}

let stdio: CliIo | undefined;

/** The process's stdout/stderr as {@link FdWriter}s; `process.stdin` is created only when read. */
export function processIo(): CliIo {
  return (stdio ??= {
    stdout: new FdWriter(1),
    stderr: new FdWriter(2),
    get stdin(): AsyncIterable<Uint8Array | string> {
      return process.stdin;
    },
  });
}

/** Whether `io` writes straight to this process's fds 1 and 2 (a child may then inherit them). */
export function isProcessIo(io: CliIo): boolean {
  return io.stdout instanceof FdWriter && io.stdout.fd === 1 && io.stderr instanceof FdWriter && io.stderr.fd === 2;
}
