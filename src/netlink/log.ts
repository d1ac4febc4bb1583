/**
 * `DEBUG=nlkit:*` logging. `nlkit:send` and `nlkit:recv` print every message, decoded, one line
 * each; nothing is formatted unless the namespace is enabled.
 *
 * @example
 * ```sh
 * DEBUG=nlkit:* nlkit link show
 * ```
 * @module
 */
import createDebug from 'debug';
import type { Message } from './message.js';

/** Logger of sent messages. */
export const logSend = createDebug('nlkit:send');
/** Logger of received messages. */
export const logRecv = createDebug('nlkit:recv');
/** Logger of client events (timeouts, overruns, dump interruptions). */
export const logClient = createDebug('nlkit:client');

/** One readable line for a message: type, flags, seq/pid, header and attributes as compact JSON. */
export function describe(m: Message): string {
  const body = JSON.stringify({ header: m.header, attrs: m.attrs }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  return `${String(m.type)} [${m.flags.join(',')}] seq=${m.seq} pid=${m.pid} ${body}`;
}
