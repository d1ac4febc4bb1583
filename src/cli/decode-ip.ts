/**
 * `nlkit decode --view ip`: the objects of a capture's route-family messages, rendered by the
 * ip views with this machine's name tables.
 *
 * @module
 */
import type { Message } from '../netlink/message.js';
import { objectsJson, objectsText, viewContext } from '../view/ip-json.js';
import { toJsonText } from '../view/json.js';
import { systemAccounts, systemNames } from './names.js';

/** Options of {@link renderIpView}. */
export interface IpViewOptions {
  json: boolean;
  pretty: boolean;
  details: boolean;
  stats: number;
}

/** The ip rendering of `messages` (the interface names come from the link messages among them). */
export function renderIpView(all: readonly Message[], o: IpViewOptions): string {
  // Objects the kernel reports: requests (NLM_F_REQUEST) describe no existing object. When the
  // capture holds dumps, single replies to other GETs (ip's interface-name lookups) only give
  // names, as they did for ip; notifications (seq 0) are objects too.
  const replies = all.filter((m) => !m.flags.includes('NLM_F_REQUEST'));
  const dumps = replies.some((m) => m.flags.includes('NLM_F_MULTI'));
  const messages = dumps ? replies.filter((m) => m.flags.includes('NLM_F_MULTI') || m.seq === 0) : replies;
  const ctx = viewContext(replies, { names: systemNames(), ...systemAccounts() });
  const opts = { details: o.details, stats: o.stats };
  if (o.json) return toJsonText(objectsJson(messages, ctx, opts), o.pretty ? 4 : 0) + '\n';
  return objectsText(messages, ctx, opts);
}
