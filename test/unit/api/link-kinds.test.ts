// The kinds this machine's kernel lacks (ipip, sit, gre, gretap, vlan, dummy, bond, vrf, geneve)
// and ifb: the request nlkit sends is compared byte for byte with a request written here by hand
// from the uapi headers, in the order iproute2 builds it (ip/link_iptnl.c, ip/link_gre.c,
// ip/iplink_vlan.c, ip/iplink_bond.c, ip/iplink_vrf.c, ip/iplink_geneve.c); and hand-written
// kernel answers decode into the typed `info`.
import t from 'tap';
import { Netlink } from '../../../src/api/netlink.js';
import { createFakeTransport, type FakeTransport } from '../../../src/netlink/fake-transport.js';
import {
  type B,
  FakeKernel,
  type FakeLink,
  GRE_CSUM,
  GRE_KEY,
  GRE_SEQ,
  hex,
  IFLA_BOND_ACTIVE_SLAVE,
  IFLA_BOND_AD_LACP_RATE,
  IFLA_BOND_ARP_INTERVAL,
  IFLA_BOND_ARP_IP_TARGET,
  IFLA_BOND_MIIMON,
  IFLA_BOND_MIN_LINKS,
  IFLA_BOND_MODE,
  IFLA_BOND_PRIMARY,
  IFLA_BOND_SLAVE_MII_STATUS,
  IFLA_BOND_SLAVE_STATE,
  IFLA_BOND_UPDELAY,
  IFLA_BOND_XMIT_HASH_POLICY,
  IFLA_EXT_MASK,
  IFLA_GENEVE_ID,
  IFLA_GENEVE_LABEL,
  IFLA_GENEVE_PORT,
  IFLA_GENEVE_REMOTE,
  IFLA_GENEVE_TOS,
  IFLA_GENEVE_TTL,
  IFLA_GRE_ENCAP_DPORT,
  IFLA_GRE_ENCAP_FLAGS,
  IFLA_GRE_ENCAP_SPORT,
  IFLA_GRE_ENCAP_TYPE,
  IFLA_GRE_FWMARK,
  IFLA_GRE_IFLAGS,
  IFLA_GRE_IGNORE_DF,
  IFLA_GRE_IKEY,
  IFLA_GRE_LINK,
  IFLA_GRE_LOCAL,
  IFLA_GRE_OFLAGS,
  IFLA_GRE_OKEY,
  IFLA_GRE_PMTUDISC,
  IFLA_GRE_REMOTE,
  IFLA_GRE_TOS,
  IFLA_GRE_TTL,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_INFO_SLAVE_DATA,
  IFLA_INFO_SLAVE_KIND,
  IFLA_IPTUN_COLLECT_METADATA,
  IFLA_IPTUN_ENCAP_DPORT,
  IFLA_IPTUN_ENCAP_FLAGS,
  IFLA_IPTUN_ENCAP_SPORT,
  IFLA_IPTUN_ENCAP_TYPE,
  IFLA_IPTUN_FLAGS,
  IFLA_IPTUN_FWMARK,
  IFLA_IPTUN_LINK,
  IFLA_IPTUN_LOCAL,
  IFLA_IPTUN_PMTUDISC,
  IFLA_IPTUN_PROTO,
  IFLA_IPTUN_REMOTE,
  IFLA_IPTUN_TOS,
  IFLA_IPTUN_TTL,
  IFLA_LINK,
  IFLA_LINKINFO,
  IFLA_MASTER,
  IFLA_VLAN_EGRESS_QOS,
  IFLA_VLAN_FLAGS,
  IFLA_VLAN_ID,
  IFLA_VLAN_INGRESS_QOS,
  IFLA_VLAN_PROTOCOL,
  IFLA_VLAN_QOS_MAPPING,
  IFLA_VRF_TABLE,
  msg,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTM_GETLINK,
  RTM_NEWLINK,
  SIT_ISATAP,
} from './link-wire.js';

const CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;
const CHANGE = NLM_F_REQUEST | NLM_F_ACK;

async function fake(links: FakeLink[] = []): Promise<{ nl: Netlink; tr: FakeTransport; k: FakeKernel }> {
  const k = new FakeKernel(links);
  const tr = createFakeTransport(k.handle);
  const nl = await Netlink.open({ transport: tr, timeout: 2000 });
  return { nl, tr, k };
}

/** RTM_NEWLINK create of `name`/`kind` with IFLA_INFO_DATA from `data` (undefined: no data); `before` adds attributes before IFLA_IFNAME. */
function create(seq: number, name: string, kind: string, data: ((d: B) => unknown) | undefined, before?: (p: B) => unknown): Uint8Array {
  return msg(RTM_NEWLINK, CREATE, seq, (p) => {
    p.ifinfo();
    before?.(p);
    p.astr(IFLA_IFNAME, name).attr(IFLA_LINKINFO, (li) => {
      li.astr(IFLA_INFO_KIND, kind);
      if (data) li.attr(IFLA_INFO_DATA, data);
    });
  });
}

const U0: FakeLink = { index: 7, name: 'u0' };

t.test('ipip: ip link add tun0 type ipip local 10.123.0.1 remote 10.123.0.2 ttl 64 tos inherit', async (t) => {
  const { nl, tr } = await fake();
  await nl.link.add({ name: 'tun0', type: 'ipip', local: '10.123.0.1', remote: '10.123.0.2', ttl: 64, tos: 'inherit' });
  // link_iptnl.c: PROTO, then (no external) LINK, LOCAL, REMOTE, TTL, TOS, PMTUDISC, FWMARK,
  // ENCAP_TYPE, ENCAP_FLAGS, ENCAP_SPORT, ENCAP_DPORT — all of them, defaults included.
  const expected = create(1, 'tun0', 'ipip', (d) =>
    d
      .a8(IFLA_IPTUN_PROTO, 0) // mode any
      .a32(IFLA_IPTUN_LINK, 0)
      .attr(IFLA_IPTUN_LOCAL, (a) => a.ip4('10.123.0.1'))
      .attr(IFLA_IPTUN_REMOTE, (a) => a.ip4('10.123.0.2'))
      .a8(IFLA_IPTUN_TTL, 64)
      .a8(IFLA_IPTUN_TOS, 1) // inherit = 1
      .a8(IFLA_IPTUN_PMTUDISC, 1) // default pmtudisc
      .a32(IFLA_IPTUN_FWMARK, 0)
      .a16(IFLA_IPTUN_ENCAP_TYPE, 0)
      .a16(IFLA_IPTUN_ENCAP_FLAGS, 0)
      .abe16(IFLA_IPTUN_ENCAP_SPORT, 0) // htons()
      .abe16(IFLA_IPTUN_ENCAP_DPORT, 0),
  );
  t.equal(hex(tr.sent[0]!), hex(expected));
  nl.close();
});

t.test('sit: ip link add sit1 type sit remote 10.123.0.2 mode ip6ip isatap dev u0 encap fou encap-dport 5555 encap-csum', async (t) => {
  const { nl, tr } = await fake([U0]);
  await nl.link.add({ name: 'sit1', type: 'sit', remote: '10.123.0.2', mode: 'ip6ip', isatap: true, dev: 'u0', encap: { type: 'fou', dport: 5555, csum: true } });
  const expected = create(2, 'sit1', 'sit', (d) =>
    d
      .a8(IFLA_IPTUN_PROTO, 41) // IPPROTO_IPV6
      .a32(IFLA_IPTUN_LINK, 7)
      .attr(IFLA_IPTUN_LOCAL, (a) => a.ip4('0.0.0.0'))
      .attr(IFLA_IPTUN_REMOTE, (a) => a.ip4('10.123.0.2'))
      .a8(IFLA_IPTUN_TTL, 0)
      .a8(IFLA_IPTUN_TOS, 0)
      .a8(IFLA_IPTUN_PMTUDISC, 1)
      .a32(IFLA_IPTUN_FWMARK, 0)
      .a16(IFLA_IPTUN_ENCAP_TYPE, 1) // TUNNEL_ENCAP_FOU
      .a16(IFLA_IPTUN_ENCAP_FLAGS, 1) // TUNNEL_ENCAP_FLAG_CSUM
      .abe16(IFLA_IPTUN_ENCAP_SPORT, 0)
      .abe16(IFLA_IPTUN_ENCAP_DPORT, 5555)
      .a16(IFLA_IPTUN_FLAGS, SIT_ISATAP), // sit only, u16
  );
  t.equal(hex(tr.sent[1]!), hex(expected));
  nl.close();
});

t.test('ipip external: PROTO and COLLECT_METADATA only', async (t) => {
  const { nl, tr } = await fake();
  await nl.link.add({ name: 'tun1', type: 'ipip', external: true });
  t.equal(hex(tr.sent[0]!), hex(create(1, 'tun1', 'ipip', (d) => d.a8(IFLA_IPTUN_PROTO, 0).aflag(IFLA_IPTUN_COLLECT_METADATA))));
  nl.close();
});

t.test('gre: ip link add gre1 type gre local 10.123.0.1 remote 10.123.0.2 key 42 seq ttl 64 ignore-df', async (t) => {
  const { nl, tr } = await fake();
  await nl.link.add({ name: 'gre1', type: 'gre', local: '10.123.0.1', remote: '10.123.0.2', key: 42, seq: true, ttl: 64, ignoreDf: true });
  // link_gre.c: IKEY, OKEY, IFLAGS, OFLAGS, LOCAL, REMOTE, PMTUDISC, [LINK], TTL, TOS, FWMARK,
  // ENCAP_*, [IGNORE_DF]. Keys are htonl(), flags GRE_* = __cpu_to_be16().
  const expected = create(1, 'gre1', 'gre', (d) =>
    d
      .abe32(IFLA_GRE_IKEY, 42)
      .abe32(IFLA_GRE_OKEY, 42)
      .abe16(IFLA_GRE_IFLAGS, GRE_KEY | GRE_SEQ)
      .abe16(IFLA_GRE_OFLAGS, GRE_KEY | GRE_SEQ)
      .attr(IFLA_GRE_LOCAL, (a) => a.ip4('10.123.0.1'))
      .attr(IFLA_GRE_REMOTE, (a) => a.ip4('10.123.0.2'))
      .a8(IFLA_GRE_PMTUDISC, 1)
      .a8(IFLA_GRE_TTL, 64)
      .a8(IFLA_GRE_TOS, 0)
      .a32(IFLA_GRE_FWMARK, 0)
      .a16(IFLA_GRE_ENCAP_TYPE, 0)
      .a16(IFLA_GRE_ENCAP_FLAGS, 0)
      .abe16(IFLA_GRE_ENCAP_SPORT, 0)
      .abe16(IFLA_GRE_ENCAP_DPORT, 0)
      .a8(IFLA_GRE_IGNORE_DF, 1),
  );
  t.equal(hex(tr.sent[0]!), hex(expected));
  nl.close();
});

t.test('gretap to a multicast group: keys default to the group address (ip link add gt0 type gretap local .. remote 239.1.1.1 dev u0 icsum okey 1.2.3.4)', async (t) => {
  const { nl, tr } = await fake([U0]);
  await nl.link.add({ name: 'gt0', type: 'gretap', local: '10.123.0.1', remote: '239.1.1.1', dev: 'u0', icsum: true, okey: '1.2.3.4' });
  const expected = create(2, 'gt0', 'gretap', (d) =>
    d
      .abe32(IFLA_GRE_IKEY, 0xef010101) // ikey = the group (IN_MULTICAST(daddr) && !ikey)
      .abe32(IFLA_GRE_OKEY, 0x01020304) // dotted-quad key
      .abe16(IFLA_GRE_IFLAGS, GRE_KEY | GRE_CSUM)
      .abe16(IFLA_GRE_OFLAGS, GRE_KEY)
      .attr(IFLA_GRE_LOCAL, (a) => a.ip4('10.123.0.1'))
      .attr(IFLA_GRE_REMOTE, (a) => a.ip4('239.1.1.1'))
      .a8(IFLA_GRE_PMTUDISC, 1)
      .a32(IFLA_GRE_LINK, 7) // only with dev
      .a8(IFLA_GRE_TTL, 0)
      .a8(IFLA_GRE_TOS, 0)
      .a32(IFLA_GRE_FWMARK, 0)
      .a16(IFLA_GRE_ENCAP_TYPE, 0)
      .a16(IFLA_GRE_ENCAP_FLAGS, 0)
      .abe16(IFLA_GRE_ENCAP_SPORT, 0)
      .abe16(IFLA_GRE_ENCAP_DPORT, 0),
  );
  t.equal(hex(tr.sent[1]!), hex(expected));
  nl.close();
});

t.test('vlan: ip link add link u0 name u0.10 type vlan protocol 802.1ad id 10 egress-qos-map 1:3 reorder_hdr off', async (t) => {
  const { nl, tr } = await fake([U0]);
  await nl.link.add({ name: 'u0.10', type: 'vlan', link: 'u0', id: 10, protocol: '802.1ad', egressQos: [{ from: 1, to: 3 }], reorderHdr: false });
  const expected = create(
    2,
    'u0.10',
    'vlan',
    (d) =>
      d
        .abe16(IFLA_VLAN_PROTOCOL, 0x88a8) // ETH_P_8021AD, network order
        .a16(IFLA_VLAN_ID, 10) // host order
        .attr(IFLA_VLAN_EGRESS_QOS, (q) => q.attr(IFLA_VLAN_QOS_MAPPING, (m) => m.u32(1).u32(3))) // struct ifla_vlan_qos_mapping { from, to }
        .attr(IFLA_VLAN_FLAGS, (f) => f.u32(0).u32(1)), // struct ifla_vlan_flags { flags, mask = VLAN_FLAG_REORDER_HDR }, sent last
    (p) => p.a32(IFLA_LINK, 7), // `link u0`: IFLA_LINK before IFLA_IFNAME (iplink_modify)
  );
  t.equal(hex(tr.sent[1]!), hex(expected));
  nl.close();
});

t.test('dummy and ifb: the kind alone', async (t) => {
  const { nl, tr } = await fake();
  await nl.link.add({ name: 'dummy0', type: 'dummy' });
  await nl.link.add({ name: 'ifb0', type: 'ifb' });
  t.equal(hex(tr.sent[0]!), hex(create(1, 'dummy0', 'dummy', undefined)));
  t.equal(hex(tr.sent[1]!), hex(create(2, 'ifb0', 'ifb', undefined)));
  nl.close();
});

t.test('bond: ip link add bond0 type bond mode 802.3ad miimon 100 updelay 200 arp_interval 0 arp_ip_target 10.123.0.1,10.123.0.2 primary u0 xmit_hash_policy layer3+4 min_links 1 lacp_rate fast', async (t) => {
  const { nl, tr } = await fake([U0]);
  await nl.link.add({
    name: 'bond0',
    type: 'bond',
    mode: '802.3ad',
    miimon: 100,
    updelay: 200,
    arpInterval: 0,
    arpIpTarget: ['10.123.0.1', '10.123.0.2'],
    primary: 'u0',
    xmitHashPolicy: 'layer3+4',
    minLinks: 1,
    lacpRate: 'fast',
  });
  const expected = create(2, 'bond0', 'bond', (d) =>
    d
      .a8(IFLA_BOND_MODE, 4) // BOND_MODE_8023AD
      .a32(IFLA_BOND_MIIMON, 100)
      .a32(IFLA_BOND_UPDELAY, 200)
      .a32(IFLA_BOND_ARP_INTERVAL, 0)
      // a nest of addresses, attribute types 0, 1, ... (addattr32(n, 1024, i, addr))
      .attr(IFLA_BOND_ARP_IP_TARGET, (n) => n.attr(0, (a) => a.ip4('10.123.0.1')).attr(1, (a) => a.ip4('10.123.0.2')))
      .a8(IFLA_BOND_XMIT_HASH_POLICY, 1) // BOND_XMIT_POLICY_LAYER34
      .a32(IFLA_BOND_MIN_LINKS, 1)
      .a8(IFLA_BOND_AD_LACP_RATE, 1)
      .a32(IFLA_BOND_PRIMARY, 7),
  );
  t.equal(hex(tr.sent[1]!), hex(expected));
  nl.close();
});

t.test('vrf: ip link add vrf-blue type vrf table 10', async (t) => {
  const { nl, tr } = await fake();
  await nl.link.add({ name: 'vrf-blue', type: 'vrf', table: 10 });
  t.equal(hex(tr.sent[0]!), hex(create(1, 'vrf-blue', 'vrf', (d) => d.a32(IFLA_VRF_TABLE, 10))));
  nl.close();
});

t.test('geneve: ip link add gnv0 type geneve id 7 remote 10.123.0.2 dstport 6081', async (t) => {
  const { nl, tr } = await fake();
  await nl.link.add({ name: 'gnv0', type: 'geneve', id: 7, remote: '10.123.0.2', dstport: 6081 });
  // iplink_geneve.c: ID, REMOTE, LABEL (htonl), TTL, TOS, PORT (when given).
  const expected = create(1, 'gnv0', 'geneve', (d) =>
    d
      .a32(IFLA_GENEVE_ID, 7)
      .attr(IFLA_GENEVE_REMOTE, (a) => a.ip4('10.123.0.2'))
      .abe32(IFLA_GENEVE_LABEL, 0)
      .a8(IFLA_GENEVE_TTL, 0)
      .a8(IFLA_GENEVE_TOS, 0)
      .abe16(IFLA_GENEVE_PORT, 6081),
  );
  t.equal(hex(tr.sent[0]!), hex(expected));
  nl.close();
});

t.test('changing an IP tunnel repeats its current parameters (ip link set dev tun0 type ipip ttl 32)', async (t) => {
  const tun0: FakeLink = {
    index: 9,
    name: 'tun0',
    type: 768,
    attrs: (p) =>
      p.attr(IFLA_LINKINFO, (li) =>
        li.astr(IFLA_INFO_KIND, 'ipip').attr(IFLA_INFO_DATA, (d) =>
          d
            .a32(IFLA_IPTUN_LINK, 0)
            .attr(IFLA_IPTUN_LOCAL, (a) => a.ip4('10.123.0.1'))
            .attr(IFLA_IPTUN_REMOTE, (a) => a.ip4('10.123.0.2'))
            .a8(IFLA_IPTUN_TTL, 64)
            .a8(IFLA_IPTUN_TOS, 0)
            .a8(IFLA_IPTUN_PROTO, 4)
            .a8(IFLA_IPTUN_PMTUDISC, 1)
            .a32(IFLA_IPTUN_FWMARK, 5),
        ),
      ),
  };
  const { nl, tr } = await fake([tun0]);
  await nl.link.set('tun0', { type: 'ipip', ttl: 32 });
  t.equal(tr.sent.length, 3, 'resolve, read the current parameters, change');
  t.equal(hex(tr.sent[1]!), hex(msg(RTM_GETLINK, CHANGE, 2, (p) => p.ifinfo({ index: 9 }).a32(IFLA_EXT_MASK, 8))));
  const expected = msg(RTM_NEWLINK, CHANGE, 3, (p) =>
    p.ifinfo({ index: 9 }).attr(IFLA_LINKINFO, (li) =>
      li.astr(IFLA_INFO_KIND, 'ipip').attr(IFLA_INFO_DATA, (d) =>
        d
          .a8(IFLA_IPTUN_PROTO, 4)
          .a32(IFLA_IPTUN_LINK, 0)
          .attr(IFLA_IPTUN_LOCAL, (a) => a.ip4('10.123.0.1'))
          .attr(IFLA_IPTUN_REMOTE, (a) => a.ip4('10.123.0.2'))
          .a8(IFLA_IPTUN_TTL, 32)
          .a8(IFLA_IPTUN_TOS, 0)
          .a8(IFLA_IPTUN_PMTUDISC, 1)
          .a32(IFLA_IPTUN_FWMARK, 5)
          .a16(IFLA_IPTUN_ENCAP_TYPE, 0)
          .a16(IFLA_IPTUN_ENCAP_FLAGS, 0)
          .abe16(IFLA_IPTUN_ENCAP_SPORT, 0)
          .abe16(IFLA_IPTUN_ENCAP_DPORT, 0),
      ),
    ),
  );
  t.equal(hex(tr.sent[2]!), hex(expected));
  nl.close();
});

// ---------------------------------------------------------------------------------------------
t.test('decoding the kinds this kernel lacks', async (t) => {
  const kindLink = (index: number, name: string, kind: string, data: (d: B) => unknown, extra?: (p: B) => unknown): FakeLink => ({
    index,
    name,
    attrs: (p) => {
      extra?.(p);
      p.attr(IFLA_LINKINFO, (li) => li.astr(IFLA_INFO_KIND, kind).attr(IFLA_INFO_DATA, data));
    },
  });
  const links: FakeLink[] = [
    U0,
    kindLink(10, 'tun0', 'ipip', (d) =>
      d
        .a32(IFLA_IPTUN_LINK, 7)
        .attr(IFLA_IPTUN_LOCAL, (a) => a.ip4('10.123.0.1'))
        .attr(IFLA_IPTUN_REMOTE, (a) => a.ip4('0.0.0.0'))
        .a8(IFLA_IPTUN_TTL, 64)
        .a8(IFLA_IPTUN_PROTO, 4)
        .a8(IFLA_IPTUN_PMTUDISC, 0)
        .a16(IFLA_IPTUN_ENCAP_TYPE, 2)
        .a16(IFLA_IPTUN_ENCAP_FLAGS, 3)
        .abe16(IFLA_IPTUN_ENCAP_DPORT, 5555),
    ),
    kindLink(11, 'sit1', 'sit', (d) => d.a8(IFLA_IPTUN_PROTO, 41).a16(IFLA_IPTUN_FLAGS, SIT_ISATAP)),
    kindLink(12, 'gre1', 'gre', (d) =>
      d
        .abe16(IFLA_GRE_IFLAGS, GRE_KEY | GRE_CSUM)
        .abe16(IFLA_GRE_OFLAGS, GRE_SEQ)
        .abe32(IFLA_GRE_IKEY, 42)
        .abe32(IFLA_GRE_OKEY, 43)
        .attr(IFLA_GRE_REMOTE, (a) => a.ip4('10.123.0.2'))
        .a8(IFLA_GRE_TTL, 64)
        .a8(IFLA_GRE_PMTUDISC, 1),
    ),
    kindLink(
      13,
      'u0.10',
      'vlan',
      (d) =>
        d
          .a16(IFLA_VLAN_ID, 10)
          .attr(IFLA_VLAN_FLAGS, (f) => f.u32(1 | 16).u32(0xffffffff))
          .attr(IFLA_VLAN_INGRESS_QOS, (q) => q.attr(IFLA_VLAN_QOS_MAPPING, (m) => m.u32(2).u32(5)))
          .abe16(IFLA_VLAN_PROTOCOL, 0x8100),
      (p) => p.a32(IFLA_LINK, 7),
    ),
    kindLink(14, 'bond0', 'bond', (d) =>
      d
        .a8(IFLA_BOND_MODE, 1)
        .a32(IFLA_BOND_ACTIVE_SLAVE, 7)
        .a32(IFLA_BOND_MIIMON, 100)
        .attr(IFLA_BOND_ARP_IP_TARGET, (n) => n.attr(0, (a) => a.ip4('10.123.0.9')))
        .a8(IFLA_BOND_XMIT_HASH_POLICY, 2),
    ),
    kindLink(15, 'vrf-blue', 'vrf', (d) => d.a32(IFLA_VRF_TABLE, 10)),
    kindLink(16, 'tap0', 'tun', (d) => d.a8(3 /* IFLA_TUN_TYPE */, 2).a8(6 /* IFLA_TUN_PERSIST */, 1).a8(7 /* IFLA_TUN_MULTI_QUEUE */, 0)),
    {
      index: 17,
      name: 'p0',
      attrs: (p) =>
        p.a32(IFLA_MASTER, 14).attr(IFLA_LINKINFO, (li) =>
          li
            .astr(IFLA_INFO_KIND, 'dummy')
            .astr(IFLA_INFO_SLAVE_KIND, 'bond')
            .attr(IFLA_INFO_SLAVE_DATA, (sd) => sd.a8(IFLA_BOND_SLAVE_STATE, 1).a8(IFLA_BOND_SLAVE_MII_STATUS, 0)),
        ),
    },
    kindLink(18, 'gnv0', 'geneve', (d) => d.a32(IFLA_GENEVE_ID, 7).attr(IFLA_GENEVE_REMOTE, (a) => a.ip4('10.123.0.2')).abe16(IFLA_GENEVE_PORT, 6081).aflag(6)),
  ];
  const { nl } = await fake(links);
  const all = await nl.link.list().collect();
  const by = (n: string) => all.find((l) => l.name === n)!;
  t.match(by('tun0').info, {
    kind: 'ipip',
    mode: 'ipip',
    local: '10.123.0.1',
    remote: undefined,
    devIndex: 7,
    dev: 'u0',
    ttl: 64,
    pmtudisc: false,
    encap: { type: 'gue', csum: true, csum6: true, remcsum: false, dport: 5555 },
  });
  t.match(by('sit1').info, { kind: 'sit', mode: 'ip6ip', isatap: true });
  t.match(by('gre1').info, { kind: 'gre', ikey: 42, okey: undefined, icsum: true, ocsum: false, oseq: true, iseq: false, remote: '10.123.0.2', ttl: 64, pmtudisc: true });
  t.match(by('u0.10'), { link: 'u0', info: { kind: 'vlan', id: 10, protocol: '802.1Q', reorderHdr: true, bridgeBinding: true, gvrp: false, ingressQos: [{ from: 2, to: 5 }] } });
  t.match(by('bond0').info, { kind: 'bond', mode: 'active-backup', activeSlave: 'u0', miimon: 100, arpIpTarget: ['10.123.0.9'], xmitHashPolicy: 'layer2+3' });
  t.match(by('vrf-blue').info, { kind: 'vrf', table: 10 });
  t.match(by('tap0').info, { kind: 'tun', type: 'tap', persist: true, multiQueue: false });
  t.match(by('p0'), { master: 'bond0', slaveKind: 'bond', slaveInfo: { kind: 'bond', state: 'backup', miiStatus: 'up' } });
  t.match(by('gnv0').info, { kind: 'geneve', id: 7, remote: '10.123.0.2', dstport: 6081, external: true });
  nl.close();
});
