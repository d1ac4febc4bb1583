/**
 * A small fake kernel for the unit tests of the ip-shaped APIs (addr, route, neigh, fdb, rule):
 * a {@link Netlink} handle over the fake transport that
 *
 * - answers RTM_GETLINK for a name with the index the interface had when the iproute2 requests
 *   of the tests were recorded (lo 1, veth1 2, veth0 3, br0 4, vx0 5), ENODEV for others;
 * - answers an RTM_GETLINK dump with those interfaces;
 * - records every other request and answers it with `answer` (default: an ACK, or an empty dump).
 *
 * and the comparison of a request with iproute2's recorded bytes: both are decoded and compared
 * field by field (type, flags, header, attributes), allowing seq and pid to differ.
 */
import { createFakeTransport, type FakeTransport } from '../../../src/netlink/fake-transport.js';
import { decodeDatagram, encodeMessage, type Message, type MessageInit } from '../../../src/netlink/message.js';
import { routeProtocol } from '../../../src/rtnetlink/index.js';
import { Netlink } from '../../../src/api/netlink.js';
import { isArgumentError } from '../../../src/netlink/errors.js';
import type { Test } from 'tap';

const p = routeProtocol();
const PORT = 4242;

/** Interface indexes of the namespace the iproute2 requests were recorded in. */
export const LINKS: Readonly<Record<string, number>> = { lo: 1, veth1: 2, veth0: 3, br0: 4, vx0: 5 };

/** What the fake kernel answers a recorded request with: messages before the ACK, or an errno. */
export type Answer = { replies?: MessageInit[]; errno?: number; message?: string } | undefined;

/** A handle on a fake kernel. */
export interface Fake {
  nl: Netlink;
  t: FakeTransport;
  /** Every request other than the interface lookups, decoded. */
  requests: Message[];
  /** Every datagram sent, including the interface lookups. */
  all: Message[];
}

function ack(m: Message, errno = 0, text?: string): Uint8Array {
  return encodeMessage(p, {
    type: 'NLMSG_ERROR',
    flags: errno === 0 ? ['NLM_F_CAPPED'] : ['NLM_F_CAPPED', ...(text ? ['NLM_F_ACK_TLVS'] : [])],
    seq: m.seq,
    pid: PORT,
    header: { error: -errno, msg: { len: 16, type: m.type, flags: [], seq: m.seq, pid: m.pid } },
    attrs: text ? { msg: text } : {},
  });
}

function done(m: Message): Uint8Array {
  return encodeMessage(p, { type: 'NLMSG_DONE', flags: ['NLM_F_MULTI'], seq: m.seq, pid: PORT, header: { error: 0 } });
}

/** Opens a {@link Netlink} over the fake kernel. */
export async function fakeNetlink(answer: (m: Message) => Answer = () => undefined): Promise<Fake> {
  const requests: Message[] = [];
  const all: Message[] = [];
  const t = createFakeTransport((dg) => {
    const out: Uint8Array[] = [];
    for (const m of decodeDatagram(p, dg)) {
      all.push(m);
      const isDump = m.flags.includes('NLM_F_DUMP');
      if (m.type === 'RTM_GETLINK') {
        if (isDump) {
          for (const [name, index] of Object.entries(LINKS)) {
            out.push(encodeMessage(p, { type: 'RTM_NEWLINK', flags: ['NLM_F_MULTI'], seq: m.seq, pid: PORT, header: { index }, attrs: { ifname: name } }));
          }
          out.push(done(m));
          continue;
        }
        const byIndex = (m.header as { index?: number }).index;
        const name = (m.attrs as { ifname?: string }).ifname ?? Object.keys(LINKS).find((n) => LINKS[n] === byIndex);
        const index = name === undefined ? undefined : LINKS[name];
        if (index === undefined) out.push(ack(m, 19));
        else out.push(encodeMessage(p, { type: 'RTM_NEWLINK', flags: [], seq: m.seq, pid: PORT, header: { index }, attrs: { ifname: name } }), ack(m));
        continue;
      }
      requests.push(m);
      const a = answer(m);
      for (const r of a?.replies ?? []) out.push(encodeMessage(p, { ...r, seq: m.seq, pid: PORT, flags: isDump ? ['NLM_F_MULTI'] : [] }));
      if (isDump && !a?.errno) out.push(done(m));
      else out.push(ack(m, a?.errno ?? 0, a?.message));
    }
    return out;
  }, { portId: PORT });
  const nl = await Netlink.open({ transport: t });
  return { nl, t, requests, all };
}

/** The messages of a recorded datagram (hex). */
export function decodeHex(hex: string): Message[] {
  return decodeDatagram(p, Buffer.from(hex, 'hex'));
}

/**
 * The fields of a message that must equal iproute2's: type, the set of flags (without
 * NLM_F_ACK when `ignoreAck`, since nlkit asks every GET for an ACK), header and attributes.
 * Attribute order is not compared (iproute2's follows its command line).
 */
export function comparable(m: Message, ignoreAck = false): { type: string | number; flags: string[]; header: unknown; attrs: unknown } {
  const flags = [...m.flags].filter((f) => !(ignoreAck && f === 'NLM_F_ACK')).sort();
  return { type: m.type, flags, header: m.header, attrs: sortKeys(m.attrs) };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

/** Asserts that `p` rejects with an ArgumentError naming `argument`; returns the error. */
export async function refuses(t: Test, p: Promise<unknown>, argument: string): Promise<unknown> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  t.ok(isArgumentError(e), `an ArgumentError (got ${String(e)})`);
  if (isArgumentError(e)) t.equal(e.argument, argument, `naming ${argument}: ${e.message}`);
  return e;
}
