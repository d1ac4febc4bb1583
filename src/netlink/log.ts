/**
 * `DEBUG=nlkit:*` logging. `nlkit:send` and `nlkit:recv` print every message, decoded, one line
 * each; nothing is formatted unless the namespace is enabled.
 *
 * The `debug` package is loaded only when the DEBUG environment variable is set when nlkit is
 * first imported (loading it costs ~9 ms of start-up, measured on `nlkit link show`); without it
 * the loggers are no-ops whose `enabled` is false.
 *
 * @example
 * ```sh
 * DEBUG=nlkit:* nlkit link show
 * ```
 * @module
 */
import { createRequire } from 'node:module';
import type { Message } from './message.js';

/** A `debug` logger, or a stand-in with the same shape that is off until `enabled` is set. */
export interface Logger {
  (format: string, ...args: unknown[]): void;
  enabled: boolean;
  readonly namespace: string;
  /** Where enabled output goes (debug's `log`). */
  log: (...args: unknown[]) => void;
}

function logger(namespace: string): Logger {
  if (process.env['DEBUG']) {
    const createDebug = createRequire(import.meta.url)('debug') as (ns: string) => Logger;
    return createDebug(namespace);
  }
  const stub = ((format: string, ...args: unknown[]) => {
    if (stub.enabled) stub.log(`${namespace} ${format}`, ...args);
  }) as Logger;
  stub.enabled = false;
  stub.log = (...args: unknown[]) => console.error(...args);
  return Object.defineProperty(stub, 'namespace', { value: namespace });
}

/** Logger of sent messages. */
export const logSend: Logger = logger('nlkit:send');
/** Logger of received messages. */
export const logRecv: Logger = logger('nlkit:recv');
/** Logger of client events (timeouts, overruns, dump interruptions). */
export const logClient: Logger = logger('nlkit:client');

/** One readable line for a message: type, flags, seq/pid, header and attributes as compact JSON. */
export function describe(m: Message): string {
  const body = JSON.stringify({ header: m.header, attrs: m.attrs }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return `${String(m.type)} [${m.flags.join(',')}] seq=${m.seq} pid=${m.pid} ${body}`;
}
