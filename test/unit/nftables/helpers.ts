// Shared by the nftables unit tests: the recorded fixtures (fixtures/nftables/*.json), decoded,
// and a transport that replays a recorded session to nlkit's client.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromHex, toHex } from '../../../src/netlink/bytes.js';
import { decodeDatagram, type Message } from '../../../src/netlink/message.js';
import { createFakeTransport, type FakeTransport } from '../../../src/netlink/fake-transport.js';
import { netfilterProtocol } from '../../../src/nftables/protocol.js';

export const fixtureDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'nftables');

export interface FixtureDatagram {
  direction: 'send' | 'recv';
  family: string;
  hex: string;
}

export interface Fixture {
  kernel: string;
  recorded: string;
  command: string;
  description: string;
  datagrams: FixtureDatagram[];
  nftJson?: { nftables: unknown[] };
  nftText?: string;
}

export const fixtureNames: string[] = readdirSync(fixtureDir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();

export function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(join(fixtureDir, `${name}.json`), 'utf8')) as Fixture;
}

/** Every message of a fixture with the direction of its datagram. */
export function messagesOf(fx: Fixture): Array<{ direction: 'send' | 'recv'; m: Message }> {
  const out: Array<{ direction: 'send' | 'recv'; m: Message }> = [];
  for (const d of fx.datagrams) for (const m of decodeDatagram(netfilterProtocol, fromHex(d.hex)!)) out.push({ direction: d.direction, m });
  return out;
}

/** The messages the kernel sent. */
export function received(fx: Fixture): Message[] {
  return messagesOf(fx).filter((x) => x.direction === 'recv').map((x) => x.m);
}

/** The messages the tool sent. */
export function sent(fx: Fixture): Message[] {
  return messagesOf(fx).filter((x) => x.direction === 'send').map((x) => x.m);
}

/**
 * A fake transport that replays a session recorded with nlkit's client: every datagram the client
 * sends must be the next recorded one, byte for byte; the answer is every datagram the kernel sent
 * before the next send. `mismatches` collects the differences instead of throwing.
 */
export function replayTransport(fx: Fixture): FakeTransport & { mismatches: string[] } {
  const steps: Array<{ send: string; recv: Uint8Array[] }> = [];
  for (const d of fx.datagrams) {
    if (d.direction === 'send') steps.push({ send: d.hex, recv: [] });
    else steps[steps.length - 1]?.recv.push(fromHex(d.hex)!);
  }
  const firstRecv = fx.datagrams.find((d) => d.direction === 'recv');
  const portId = firstRecv ? new DataView(fromHex(firstRecv.hex)!.buffer).getUint32(12, true) : 1;
  const mismatches: string[] = [];
  let i = 0;
  const t = createFakeTransport(
    (d) => {
      const step = steps[i++];
      if (!step) {
        mismatches.push(`unexpected send #${i}: ${toHex(d)}`);
        return [];
      }
      if (toHex(d) !== step.send) mismatches.push(`send #${i} differs:\n  sent     ${toHex(d)}\n  recorded ${step.send}`);
      return step.recv;
    },
    { protocol: 12, portId },
  );
  return Object.assign(t, { mismatches });
}
