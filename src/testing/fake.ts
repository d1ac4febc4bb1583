/**
 * A fake socket at the message level: a function receives each decoded request and answers with
 * messages; builders make the answers the kernel would give (ACK, errors with extended-ACK text,
 * multipart dumps and DONE), and `sent()` / {@link assertSent} show what the code under test sent.
 *
 * @example
 * ```ts
 * import { fakeTransport, ack, error, dump } from 'nlkit/testing';
 *
 * const t = fakeTransport((req) => {
 *   if (req.type === 'RTM_GETLINK') return dump(req, [{ header: { index: 1 }, attrs: { ifname: 'lo' } }]);
 *   if (req.attrs.ifname === 'eth0') return error(req, 'EEXIST', { message: 'File exists' });
 *   return ack(req);
 * });
 * const nl = await Netlink.open({ transport: t });
 * // ... exercise the code under test ...
 * assertSent(t, { type: 'RTM_NEWLINK', attrs: { ifname: 'veth0', linkinfo: { kind: 'veth' } } });
 * ```
 * @module
 */
import { NLM_F } from '../netlink/constants.js';
import { errnoNumber } from '../netlink/errno.js';
import { createFakeTransport, type FakeTransport } from '../netlink/fake-transport.js';
import { decodeDatagram, encodeMessage, flagBits, type Message, type MessageInit, type Protocol } from '../netlink/message.js';
import type { Transport } from '../netlink/transport.js';
import { routeProtocol } from '../rtnetlink/index.js';
import { diffValues } from './diff.js';

/**
 * What a handler may return: messages sent back in one datagram, or `{ datagrams }` to choose
 * how they are split into datagrams (the kernel sends big dumps in several).
 *
 * @example
 * ```ts
 * const r: Reply = { datagrams: [dump(req, firstHalf).slice(0, -1), dump(req, secondHalf)] };
 * ```
 */
export type Reply = MessageInit[] | { datagrams: MessageInit[][] };

/**
 * Answers one request message; `undefined` (or `[]`) sends nothing back. Throw an errno error to fail the send.
 *
 * @example
 * ```ts
 * const handler: FakeMessageHandler = (req) => (req.type === 'RTM_DELLINK' ? error(req, 'ENODEV') : ack(req));
 * ```
 */
export type FakeMessageHandler = (request: Message, transport: FakeMessageTransport) => Reply | void;

/**
 * Options of {@link fakeTransport}.
 *
 * @example
 * ```ts
 * fakeTransport(handler, { portId: 1234 });
 * ```
 */
export interface FakeMessageOptions {
  /** Port id (nlmsg_pid of the replies). Default: 4242. */
  portId?: number;
  /** Protocol for decoding requests and encoding replies. Default: rtnetlink. */
  protocol?: Protocol;
  /** Netlink family number reported by the transport. Default: 0 (NETLINK_ROUTE). */
  family?: number;
}

/**
 * The fake transport, with what was sent, decoded.
 *
 * @example
 * ```ts
 * const t: FakeMessageTransport = fakeTransport((req) => ack(req));
 * t.sent().map((m) => m.type); // ['RTM_NEWLINK', ...]
 * ```
 */
export interface FakeMessageTransport extends Transport {
  /** Every message sent so far, decoded, in order. */
  sent(): Message[];
  /** The last message sent. */
  lastSent(): Message | undefined;
  /** Forgets what was sent. */
  clearSent(): void;
  /** Queues a notification (a multicast message, seq 0) as if the kernel sent it. */
  notify(message: MessageInit): void;
  /** Makes the next `receive()` throw an errno error (e.g. 'ENOBUFS' for an overrun). */
  injectError(code: string, errno: number): void;
  /** Multicast groups joined and not left. */
  readonly groups: ReadonlySet<number>;
  /** The byte-level fake underneath. */
  readonly raw: FakeTransport;
}

/**
 * Creates a fake transport driven by `handler`. Replies without `seq` get the request's, replies
 * without `pid` the transport's port id.
 *
 * @example
 * ```ts
 * const t = fakeTransport((req) => ack(req));
 * const client = new NetlinkClient(t, routeProtocol());
 * ```
 */
export function fakeTransport(handler: FakeMessageHandler, options: FakeMessageOptions = {}): FakeMessageTransport {
  const p = options.protocol ?? routeProtocol();
  const portId = options.portId ?? 4242;
  const sent: Message[] = [];
  const encode = (m: MessageInit, seq: number) => encodeMessage(p, { ...m, seq: m.seq ?? seq, pid: m.pid ?? portId });
  let self: FakeMessageTransport;
  const raw = createFakeTransport(
    (datagram) => {
      const out: Uint8Array[] = [];
      for (const req of decodeDatagram(p, datagram)) {
        sent.push(req);
        const r = handler(req, self);
        if (!r) continue;
        const groups = Array.isArray(r) ? (r.length ? [r] : []) : r.datagrams;
        for (const g of groups) out.push(Buffer.concat(g.map((m) => encode(m, req.seq))));
      }
      return out;
    },
    { portId, ...(options.family !== undefined && { protocol: options.family }) },
  );
  self = {
    get protocol() {
      return raw.protocol;
    },
    get portId() {
      return raw.portId;
    },
    get closed() {
      return raw.closed;
    },
    get groups() {
      return raw.groups;
    },
    raw,
    send: (d) => raw.send(d),
    receive: () => raw.receive(),
    onReadable: (cb) => raw.onReadable(cb),
    addMembership: (g) => raw.addMembership(g),
    dropMembership: (g) => raw.dropMembership(g),
    close: () => raw.close(),
    sent: () => [...sent],
    lastSent: () => sent.at(-1),
    clearSent: () => void (sent.length = 0),
    notify: (m) => raw.inject(encodeMessage(p, { ...m, seq: m.seq ?? 0, pid: m.pid ?? 0 })),
    injectError: (code, errno) => raw.injectError(code, errno),
  };
  return self;
}

/** The request's length on the wire (for the echoed header of an ACK). */
function requestLength(req: Message, p: Protocol = routeProtocol()): number {
  try {
    return encodeMessage(p, req).length;
  } catch {
    return 16;
  }
}

function echoed(req: Message): { len: number; type: string | number; flags: readonly string[]; seq: number; pid: number } {
  return { len: requestLength(req), type: req.type, flags: req.flags, seq: req.seq, pid: req.pid };
}

/**
 * The kernel's ACK of `req` (NLMSG_ERROR with error 0, capped as with NETLINK_CAP_ACK).
 *
 * @example
 * ```ts
 * fakeTransport((req) => ack(req));
 * ```
 */
export function ack(req: Message): MessageInit[] {
  return [{ type: 'NLMSG_ERROR', flags: ['NLM_F_CAPPED'], seq: req.seq, header: { error: 0, msg: echoed(req) } }];
}

/**
 * Extended-ACK details of {@link error}.
 *
 * @example
 * ```ts
 * error(req, 'EINVAL', { message: 'mtu less than device minimum', offset: 32 } satisfies ErrorDetails);
 * ```
 */
export interface ErrorDetails {
  /** NLMSGERR_ATTR_MSG, e.g. 'ipv4: Address already assigned'. */
  message?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request. */
  offset?: number;
}

/**
 * The kernel's refusal of `req`: NLMSG_ERROR with `-errno` (a number or a name such as
 * `'EEXIST'`) and the extended ACK.
 *
 * @example
 * ```ts
 * error(req, 'EEXIST', { message: 'ipv4: Address already assigned' });
 * error(req, 22, { message: 'mtu less than device minimum' });
 * ```
 */
export function error(req: Message, errno: number | string, details: ErrorDetails = {}): MessageInit[] {
  const n = typeof errno === 'number' ? errno : errnoNumber(errno);
  if (n === undefined || n <= 0) throw new RangeError(`error(): ${JSON.stringify(errno)} is not an errno`);
  const attrs: Record<string, unknown> = {};
  if (details.message !== undefined) attrs['msg'] = details.message;
  if (details.offset !== undefined) attrs['offs'] = details.offset;
  const flags = Object.keys(attrs).length > 0 ? ['NLM_F_CAPPED', 'NLM_F_ACK_TLVS'] : ['NLM_F_CAPPED'];
  return [{ type: 'NLMSG_ERROR', flags, seq: req.seq, header: { error: -n, msg: echoed(req) }, attrs }];
}

/**
 * The end of a dump (NLMSG_DONE, multipart).
 *
 * @example
 * ```ts
 * fakeTransport((req) => done(req)); // an empty dump
 * ```
 */
export function done(req: Message): MessageInit[] {
  return [{ type: 'NLMSG_DONE', flags: ['NLM_F_MULTI'], seq: req.seq, header: { error: 0 } }];
}

/**
 * The answer type of a GET request: RTM_GETLINK → RTM_NEWLINK (and so on).
 *
 * @example
 * ```ts
 * answerType('RTM_GETROUTE'); // 'RTM_NEWROUTE'
 * ```
 */
export function answerType(type: string | number): string | number {
  return typeof type === 'string' && type.startsWith('RTM_GET') ? `RTM_NEW${type.slice(7)}` : type;
}

/**
 * A whole dump: each object as a multipart message of the answer type (RTM_GETLINK →
 * RTM_NEWLINK), then NLMSG_DONE. Objects are `{ header, attrs }` or full {@link MessageInit}s.
 *
 * @example
 * ```ts
 * dump(req, [{ header: { index: 1 }, attrs: { ifname: 'lo' } }, { header: { index: 2 }, attrs: { ifname: 'eth0' } }]);
 * ```
 */
export function dump(req: Message, objects: ReadonlyArray<Partial<MessageInit>>): MessageInit[] {
  const type = answerType(req.type);
  const items: MessageInit[] = objects.map((o) => ({
    ...o,
    type: o.type ?? type,
    flags: flagBits(o.flags) | NLM_F.MULTI,
    seq: o.seq ?? req.seq,
    header: o.header ?? {},
    attrs: o.attrs ?? {},
  }));
  return [...items, ...done(req)];
}

/**
 * The single answer of a GET request for one object (then the ACK the client asked for).
 *
 * @example
 * ```ts
 * fakeTransport((req) => reply(req, { header: { index: 1 }, attrs: { ifname: 'lo' } }));
 * ```
 */
export function reply(req: Message, object: Partial<MessageInit>): MessageInit[] {
  const m: MessageInit = { ...object, type: object.type ?? answerType(req.type), seq: object.seq ?? req.seq, header: object.header ?? {}, attrs: object.attrs ?? {} };
  return req.flags.includes('NLM_F_ACK') ? [m, ...ack(req)] : [m];
}

/**
 * Part of a message to look for: every field given must be equal; objects match by subset.
 *
 * @example
 * ```ts
 * const p: MessagePattern = { type: 'RTM_NEWADDR', header: { prefixlen: 24 } };
 * ```
 */
export interface MessagePattern {
  type?: string | number;
  flags?: readonly string[];
  header?: Record<string, unknown>;
  attrs?: Record<string, unknown>;
}

function subsetDiff(pattern: unknown, actual: unknown, path: string): string[] {
  if (pattern !== null && typeof pattern === 'object' && !Array.isArray(pattern)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return diffValues(pattern, actual, path);
    return Object.entries(pattern).flatMap(([k, v]) => subsetDiff(v, (actual as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return diffValues(pattern, actual, path);
}

/**
 * The differences between `pattern` and message `m` ([] when it matches).
 *
 * @example
 * ```ts
 * matchMessage(t.lastSent()!, { attrs: { mtu: 1500 } }); // ['attrs.mtu: expected 1500, got 1400']
 * ```
 */
export function matchMessage(m: Message, pattern: MessagePattern): string[] {
  const out: string[] = [];
  if (pattern.type !== undefined && pattern.type !== m.type) out.push(`type: expected ${String(pattern.type)}, got ${String(m.type)}`);
  if (pattern.flags) for (const f of pattern.flags) if (!m.flags.includes(f)) out.push(`flags: expected ${f} among ${JSON.stringify(m.flags)}`);
  if (pattern.header) out.push(...subsetDiff(pattern.header, m.header, 'header'));
  if (pattern.attrs) out.push(...subsetDiff(pattern.attrs, m.attrs, 'attrs'));
  return out;
}

/**
 * The messages sent through `t` that match `pattern`.
 *
 * @example
 * ```ts
 * sentMatching(t, { type: 'RTM_NEWADDR' }).length; // 2
 * ```
 */
export function sentMatching(t: Pick<FakeMessageTransport, 'sent'>, pattern: MessagePattern): Message[] {
  return t.sent().filter((m) => matchMessage(m, pattern).length === 0);
}

/**
 * Asserts that a message matching `pattern` was sent and returns it; otherwise throws an error
 * listing how the closest message of that type differs.
 *
 * @example
 * ```ts
 * assertSent(t, { type: 'RTM_NEWADDR', header: { prefixlen: 24 }, attrs: { local: '10.123.0.1' } });
 * ```
 */
export function assertSent(t: Pick<FakeMessageTransport, 'sent'>, pattern: MessagePattern): Message {
  const all = t.sent();
  const hit = all.find((m) => matchMessage(m, pattern).length === 0);
  if (hit) return hit;
  const sameType = all.filter((m) => pattern.type === undefined || m.type === pattern.type);
  let best: string[] | undefined;
  for (const m of sameType) {
    const d = matchMessage(m, pattern);
    if (!best || d.length < best.length) best = d;
  }
  const what = pattern.type !== undefined ? String(pattern.type) : 'message';
  const err = new Error(
    best
      ? `no ${what} sent matches; the closest differs:\n  ${best.join('\n  ')}`
      : `no ${what} was sent (sent: ${all.map((m) => String(m.type)).join(', ') || 'nothing'})`,
  );
  (err as Error & { code: string }).code = 'ERR_ASSERTION';
  throw err;
}

/**
 * errno number of a name ('EEXIST' → 17), for handlers that compute errors.
 *
 * @example
 * ```ts
 * error(req, errno('ENODEV'));
 * ```
 */
export function errno(name: string): number {
  const n = errnoNumber(name);
  if (n === undefined) throw new RangeError(`${name} is not an errno name`);
  return n;
}
