// The readable text of decoded messages: type, flags, header with named values, and the
// attribute tree under C names (nests, sub-messages by kind and by family, structs, arrays,
// multipath next hops, unknown attributes), errors with their errno and extended ACK.
import t from 'tap';
import { decodeMessages, encodeMessage, enumText, messageText, protocolOf } from '../../../src/decode/index.js';

const p = protocolOf('route');
const text = (m: Parameters<typeof encodeMessage>[0]) => messageText(decodeMessages(encodeMessage(m))[0]!, p);

t.test('a link with nests, a kind sub-message, af_spec and an unknown attribute', async (t) => {
  const out = text({
    type: 'RTM_NEWLINK',
    flags: ['NLM_F_MULTI'],
    seq: 3,
    pid: 99,
    header: { family: 0, type: 1, index: 5, flags: 0x1043, change: 0 },
    attrs: {
      ifname: 'vx0',
      operstate: 6,
      linkinfo: { kind: 'vxlan', data: { id: 42, group: '10.123.0.9', port: 4789, port_range: { low: 1000, high: 2000 }, gbp: true } },
      af_spec: { inet6: { addr_gen_mode: 1 } },
      stats64: { rx_packets: 1, tx_packets: 2 },
      999: 'abcd',
      ifalias: 'with space',
    },
  });
  t.equal(
    out,
    [
      'RTM_NEWLINK NLM_F_MULTI seq=3 pid=99',
      '  ifinfomsg: family=0 (AF_UNSPEC) type=1 (ARPHRD_ETHER) index=5 flags=0x1043 (IFF_UP|IFF_BROADCAST|IFF_RUNNING|IFF_MULTICAST) change=0',
      '  IFLA_999: abcd',
      '  IFLA_IFNAME: vx0',
      '  IFLA_OPERSTATE: 6 (IF_OPER_UP)',
      '  IFLA_LINKINFO:',
      '    IFLA_INFO_KIND: vxlan',
      '    IFLA_INFO_DATA:',
      '      IFLA_VXLAN_ID: 42',
      '      IFLA_VXLAN_GROUP: 10.123.0.9',
      '      IFLA_VXLAN_PORT: 4789',
      '      IFLA_VXLAN_PORT_RANGE: {low=1000 high=2000}',
      '      IFLA_VXLAN_GBP: true',
      '  IFLA_AF_SPEC:',
      '    AF_INET6:',
      '      IFLA_INET6_ADDR_GEN_MODE: 1 (IN6_ADDR_GEN_MODE_NONE)',
      '  IFLA_STATS64: {rx_packets=1 tx_packets=2 rx_bytes=0 tx_bytes=0 rx_errors=0 tx_errors=0 rx_dropped=0 tx_dropped=0 multicast=0 collisions=0 rx_length_errors=0 rx_over_errors=0 rx_crc_errors=0 rx_frame_errors=0 rx_fifo_errors=0 rx_missed_errors=0 tx_aborted_errors=0 tx_carrier_errors=0 tx_fifo_errors=0 tx_heartbeat_errors=0 tx_window_errors=0 rx_compressed=0 tx_compressed=0 rx_nohandler=0 rx_otherhost_dropped=0}',
      '  IFLA_IFALIAS: "with space"',
    ].join('\n'),
  );
});

t.test('a multipath route with metrics', async (t) => {
  const out = text({
    type: 'RTM_NEWROUTE',
    flags: ['NLM_F_REQUEST', 'NLM_F_CREATE', 'NLM_F_EXCL', 'NLM_F_ACK'],
    seq: 1,
    header: { family: 2, dst_len: 24, table: 254, protocol: 4, scope: 0, type: 1 },
    attrs: { dst: '10.123.5.0', metrics: { mtu: 1400 }, multipath: [{ flags: 0, hops: 0, ifindex: 2, attrs: { gateway: '10.123.0.2' } }, { flags: 0, hops: 2, ifindex: 3, attrs: { gateway: '10.123.2.2' } }] },
  });
  t.match(out, /^RTM_NEWROUTE NLM_F_REQUEST\|NLM_F_ACK\|NLM_F_EXCL\|NLM_F_CREATE seq=1 pid=0\n/);
  t.match(out, /rtmsg: family=2 \(AF_INET\) dst_len=24 .*protocol=4 \(RTPROT_STATIC\).*type=1 \(RTN_UNICAST\)/);
  t.match(out, /\n {2}RTA_METRICS:\n {4}RTAX_MTU: 1400\n/);
  t.match(out, /\n {2}RTA_MULTIPATH:\n {4}\[1\]: \{flags=0 hops=0 ifindex=2\}\n {6}RTA_GATEWAY: 10\.123\.0\.2\n {4}\[2\]: \{flags=0 hops=2 ifindex=3\}\n {6}RTA_GATEWAY: 10\.123\.2\.2/);
});

t.test('errors and DONE', async (t) => {
  const out = text({ type: 'NLMSG_ERROR', seq: 7, pid: 1, flags: ['NLM_F_CAPPED', 'NLM_F_ACK_TLVS'], header: { error: -17, msg: { len: 40, type: 'RTM_NEWADDR', flags: ['NLM_F_REQUEST', 'NLM_F_ACK'], seq: 7, pid: 0 } }, attrs: { msg: 'ipv4: Address already assigned', offs: 24 } });
  t.equal(out, ['NLMSG_ERROR NLM_F_CAPPED|NLM_F_ACK_TLVS seq=7 pid=1', '  error: -17 (EEXIST: File exists)', '  request: RTM_NEWADDR NLM_F_REQUEST|NLM_F_ACK seq=7 pid=0 len=40', '  NLMSGERR_ATTR_MSG: "ipv4: Address already assigned"', '  NLMSGERR_ATTR_OFFS: 24'].join('\n'));
  t.equal(text({ type: 'NLMSG_ERROR', seq: 1, header: { error: 0, msg: { len: 16, type: 'RTM_NEWLINK', flags: [], seq: 1, pid: 0 } } }).split('\n')[1], '  error: 0 (ACK)');
  t.equal(text({ type: 'NLMSG_DONE', flags: ['NLM_F_MULTI'], header: { error: -16 } }), 'NLMSG_DONE NLM_F_MULTI seq=0 pid=0\n  error: -16 (EBUSY: Device or resource busy)');
});

t.test('attributes in wire order, also after an unknown one', async (t) => {
  const bytes = decodeMessages(encodeMessage({ type: 'RTM_NEWLINK', header: {}, attrs: { ifname: 'a' } }));
  const raw = encodeMessage(bytes[0]!);
  // Append an unknown attribute (type 999, 2 bytes) after IFLA_IFNAME.
  const extra = Uint8Array.of(6, 0, 0xe7, 0x03, 0xab, 0xcd, 0, 0);
  const all = new Uint8Array(raw.length + extra.length);
  all.set(raw);
  all.set(extra, raw.length);
  new DataView(all.buffer).setUint32(0, all.length, true);
  t.same(messageText(decodeMessages(all)[0]!, p).split('\n').slice(2), ['  IFLA_IFNAME: a', '  IFLA_999: abcd']);
});

t.test('enum and flag names', async (t) => {
  const e = p.def.enums['iff'];
  t.equal(enumText(e, 0x1 | 0x40 | 0x80000000), 'IFF_UP|IFF_RUNNING|0x80000000');
  t.equal(enumText(e, 0), undefined);
  t.equal(enumText(p.def.enums['operstate'], 99), undefined);
  t.equal(enumText(undefined, 1), undefined);
});
