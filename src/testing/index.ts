/**
 * `nlkit/testing`: unit testing of code that configures networks, without root and without a
 * kernel — record and replay, a fake socket driven by a function, and a mock kernel that
 * behaves like the real one (checked against it by the differential test).
 *
 * @example Record once, replay in CI
 * ```ts
 * // NLKIT_RECORD=fixtures/my-tool.json node my-tool.js   (or a .pcap for Wireshark)
 * const nl = await Netlink.open({ transport: replayTransport('fixtures/my-tool.json') });
 * ```
 * @example A fake socket
 * ```ts
 * const t = fakeTransport((req) => (req.type === 'RTM_GETLINK' ? dump(req, []) : ack(req)));
 * const nl = await Netlink.open({ transport: t });
 * await myCode(nl);
 * assertSent(t, { type: 'RTM_NEWLINK', attrs: { ifname: 'veth0' } });
 * ```
 * @example A mock kernel
 * ```ts
 * const kernel = createMockKernel();
 * kernel.netns.add('ns1');
 * const nl = await Netlink.open({ transport: kernel.transport() });
 * await nl.link.add({ name: 'veth0', type: 'veth', peer: { name: 'veth1', netns: { fd: kernel.netns.fd('ns1') } } });
 * ```
 * @module
 */
export { FixtureError, isFixtureError } from './fixture-error.js';
export {
  type Fixture,
  type FixtureDatagram,
  type FixtureOptions,
  DEFAULT_FIXTURE_OPTIONS,
  loadFixture,
  parseFixture,
  fixtureFromPcap,
  saveFixture,
  fixtureText,
  datagramBytes,
} from './fixture.js';
export { type PcapRecord, PcapWriter, readPcap, pcapHeader, pcapRecord, LINKTYPE_NETLINK, ARPHRD_NETLINK, PACKET_KERNEL, PACKET_USER } from './pcap.js';
export { type RecordOptions, type RecordingTransport, recordingTransport, maybeRecord } from './record.js';
export { type ReplayOptions, type ReplayTransport, ReplayMismatchError, replayTransport } from './replay.js';
export { diffValues } from './diff.js';
export {
  type Reply,
  type FakeMessageHandler,
  type FakeMessageOptions,
  type FakeMessageTransport,
  type ErrorDetails,
  type MessagePattern,
  fakeTransport,
  ack,
  error,
  done,
  dump,
  reply,
  answerType,
  matchMessage,
  sentMatching,
  assertSent,
  errno,
} from './fake.js';
export { type MockKernelOptions, type MockNetnsApi, MockKernel, createMockKernel } from './mock/kernel.js';
export type { MockTransport, MockSocketOptions } from './mock/socket.js';
export type { TunTapOptions } from './mock/kinds.js';
