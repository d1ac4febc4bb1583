/**
 * JSON text exactly as iproute2's json_writer writes it: compact (`ip -j`) or pretty (`ip -j -p`,
 * with its peculiar layout: 4-space indents, `[ {` on one line, arrays of scalars on one line as
 * `[ "a","b" ]`, an empty array as `[ ]`). Strings are escaped like jsonw_puts (only `\t \n \r
 * \f \b \\ "`; other bytes as they are); 64-bit counters (bigint) keep all their digits.
 *
 * @example
 * ```ts
 * ipJsonText([{ ifname: 'lo', flags: ['UP'] }], false); // '[{"ifname":"lo","flags":["UP"]}]'
 * ipJsonText([{ ifname: 'lo', flags: ['UP'] }], true);  // '[ {\n        "ifname": "lo",\n        "flags": [ "UP" ]\n    } ]'
 * ```
 * @module
 */

import { IpJsonWriter } from '../view/json-writer.js';

/** The JSON text of `value` as iproute2 writes it (no trailing newline). */
export function ipJsonText(value: unknown, pretty: boolean): string {
  const w = new IpJsonWriter(pretty);
  w.value(value);
  return w.take();
}
