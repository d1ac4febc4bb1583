/**
 * What the fixture-recording scripts share: the datagram record of their fixture files and a
 * transport that records every datagram nlkit's own client sends and receives.
 *
 * @example
 * ```ts
 * const rec = new RecordingTransport(openNativeTransport({ protocol: 0 }), 'route');
 * const client = new NetlinkClient(rec, routeProtocol());
 * // ... rec.log holds { direction, family, hex } for each datagram
 * ```
 * @module
 */
import { toHex } from '../src/netlink/bytes.js';
import type { Datagram, Transport } from '../src/netlink/transport.js';

/** One datagram of a fixture file, as hex. */
export interface FixtureDatagram<F extends string = string> {
  direction: 'send' | 'recv';
  family: F;
  hex: string;
}

/** Wraps a transport and logs every datagram (copies as hex: receive buffers are reused). */
export class RecordingTransport<F extends string> implements Transport {
  readonly log: FixtureDatagram<F>[] = [];
  constructor(
    private readonly inner: Transport,
    private readonly family: F,
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
  send(d: Uint8Array): void {
    this.log.push({ direction: 'send', family: this.family, hex: toHex(d) });
    this.inner.send(d);
  }
  receive(): Datagram | null {
    const d = this.inner.receive();
    if (d !== null) this.log.push({ direction: 'recv', family: this.family, hex: toHex(d) });
    return d;
  }
  onReadable(cb: () => void): void {
    this.inner.onReadable(cb);
  }
  addMembership(g: number): void {
    this.inner.addMembership(g);
  }
  dropMembership(g: number): void {
    this.inner.dropMembership(g);
  }
  close(): void {
    this.inner.close();
  }
}
