/**
 * The `nlkit` command's entry: a small dispatcher that loads each command's module only when
 * it runs (`await import()`), so start-up stays small. `decode` goes to the decoder; everything
 * else is the ip-compatible command line (`nlkit [ OPTIONS ] OBJECT { COMMAND | help }`, ip.ts).
 *
 * @example
 * ```ts
 * const code = await main(['decode', '--format', 'hex', 'dump.txt']);
 * const code2 = await main(['-j', 'link', 'show']);
 * ```
 * @module
 */

/** Where a command reads and writes (process streams by default; buffers in tests). */
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
export async function main(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'decode') {
    const { runDecode } = await import('./decode.js');
    return runDecode(rest, io);
  }
  const { runIp } = await import('./ip.js');
  return runIp(argv, io);
}
