// nl.link over the fake transport: bad input never reaches the kernel (nothing is sent), the
// requests are the bytes iproute2 would send (written here by hand from the uapi headers, see
// link-wire.ts), kernel refusals come back in the kernel's words, and name resolution of list()
// behaves as documented (collect: from the dump; streaming: links seen so far, then the kernel).
import t from 'tap';
import { Netlink } from '../../../src/api/netlink.js';
import { linkFlagNames } from '../../../src/api/link.js';
import { createFakeTransport, type FakeTransport } from '../../../src/netlink/fake-transport.js';
import { isArgumentError, isNetlinkError } from '../../../src/netlink/errors.js';
import {
  FakeKernel,
  linkAttrs,
  type FakeLink,
  errorFor,
  header,
  hex,
  IFF_BROADCAST,
  IFF_LOWER_UP,
  IFF_MULTICAST,
  IFF_NOARP,
  IFF_PROMISC,
  IFF_RUNNING,
  IFF_UP,
  IFLA_ADDRESS,
  IFLA_ALT_IFNAME,
  IFLA_BR_AGEING_TIME,
  IFLA_BR_FORWARD_DELAY,
  IFLA_BR_MCAST_LAST_MEMBER_INTVL,
  IFLA_BR_MCAST_SNOOPING,
  IFLA_BR_PRIORITY,
  IFLA_BR_STP_STATE,
  IFLA_BR_VLAN_PROTOCOL,
  IFLA_BRPORT_COST,
  IFLA_BRPORT_PRIORITY,
  IFLA_BRPORT_STATE,
  IFLA_CARRIER,
  IFLA_EXT_MASK,
  IFLA_GROUP,
  IFLA_IFALIAS,
  IFLA_IFNAME,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_INFO_SLAVE_DATA,
  IFLA_INFO_SLAVE_KIND,
  IFLA_LINK,
  IFLA_LINK_NETNSID,
  IFLA_LINKINFO,
  IFLA_MACVLAN_MODE,
  IFLA_MASTER,
  IFLA_MTU,
  IFLA_NET_NS_FD,
  IFLA_NET_NS_PID,
  IFLA_OPERSTATE,
  IFLA_PROP_LIST,
  IFLA_STATS64,
  IFLA_TXQLEN,
  IFLA_VXLAN_ID,
  IFLA_VXLAN_LEARNING,
  IFLA_VXLAN_LINK,
  IFLA_VXLAN_LOCAL,
  IFLA_VXLAN_GROUP,
  IFLA_VXLAN_PORT,
  IFLA_VXLAN_PORT_RANGE,
  IFLA_VXLAN_TTL_INHERIT,
  IFLA_VXLAN_COLLECT_METADATA,
  IFLA_VXLAN_LOCAL6,
  IFLA_VXLAN_GROUP6,
  msg,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_MULTI,
  linkMsg,
  done,
  NLM_F_EXCL,
  NLM_F_REQUEST,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
  VETH_INFO_PEER,
} from './link-wire.js';

const CREATE = NLM_F_REQUEST | NLM_F_ACK | NLM_F_EXCL | NLM_F_CREATE;
const CHANGE = NLM_F_REQUEST | NLM_F_ACK;
/** RTEXT_FILTER_SKIP_STATS: what resolve.ts's ifindex() asks for. */
const SKIP_STATS = 8;

async function fake(links: FakeLink[] = []): Promise<{ nl: Netlink; tr: FakeTransport; k: FakeKernel }> {
  const k = new FakeKernel(links);
  const tr = createFakeTransport(k.handle);
  const nl = await Netlink.open({ transport: tr, timeout: 2000 });
  return { nl, tr, k };
}

/** The GETLINK by name that resolves a device (src/api/resolve.ts, like iproute2's ll_name_to_index). */
function getByName(seq: number, name: string): Uint8Array {
  return msg(RTM_GETLINK, CHANGE, seq, (p) => p.ifinfo().astr(IFLA_IFNAME, name).a32(IFLA_EXT_MASK, SKIP_STATS));
}

const U0: FakeLink = { index: 7, name: 'u0' };
const BR0: FakeLink = { index: 5, name: 'br0' };

// ---------------------------------------------------------------------------------------------
t.test('bad input is refused before anything is sent, naming the argument', async (t) => {
  const { nl, tr } = await fake([U0, BR0]);
  const long = 'x'.repeat(16);
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['empty name', () => nl.link.add({ name: '', type: 'dummy' }), 'name'],
    ['name with /', () => nl.link.add({ name: 'a/b', type: 'dummy' }), 'name'],
    ['name with :', () => nl.link.add({ name: 'a:b', type: 'dummy' }), 'name'],
    ['name with space', () => nl.link.add({ name: 'a b', type: 'dummy' }), 'name'],
    ['name with NUL', () => nl.link.add({ name: 'a\0b', type: 'dummy' }), 'name'],
    ['name of 16 bytes', () => nl.link.add({ name: long, type: 'dummy' }), 'name'],
    ['name "."', () => nl.link.add({ name: '.', type: 'dummy' }), 'name'],
    ['unknown kind', () => nl.link.add({ name: 'x0', type: 'nosuchkind' } as never), 'type'],
    ['missing type', () => nl.link.add({ name: 'x0' } as never), 'type'],
    ['tun via RTM_NEWLINK', () => nl.link.add({ name: 'x0', type: 'tun' } as never), 'type'],
    ['unknown option', () => nl.link.add({ name: 'x0', type: 'bridge', colour: 'red' } as never), 'option of a bridge link'],
    ['option of another kind', () => nl.link.add({ name: 'x0', type: 'bridge', id: 5 } as never), 'option of a bridge link'],
    ['bad MAC', () => nl.link.add({ name: 'x0', type: 'dummy', address: '02:00:00:00:00' }), 'address'],
    ['MAC with garbage', () => nl.link.add({ name: 'x0', type: 'dummy', address: 'zz:00:00:00:00:01' }), 'address'],
    ['bad broadcast', () => nl.link.add({ name: 'x0', type: 'dummy', broadcast: 'ff' }), 'broadcast'],
    ['negative mtu', () => nl.link.add({ name: 'x0', type: 'dummy', mtu: -1 }), 'mtu'],
    ['fractional mtu', () => nl.link.add({ name: 'x0', type: 'dummy', mtu: 1500.5 }), 'mtu'],
    ['mtu beyond int', () => nl.link.add({ name: 'x0', type: 'dummy', mtu: 2 ** 31 }), 'mtu'],
    ['mtu as text', () => nl.link.add({ name: 'x0', type: 'dummy', mtu: '1500' as never }), 'mtu'],
    ['txqueuelen', () => nl.link.add({ name: 'x0', type: 'dummy', txqueuelen: -5 }), 'txqueuelen'],
    ['master name', () => nl.link.add({ name: 'x0', type: 'dummy', master: 'b/r' }), 'master'],
    ['master index 0', () => nl.link.add({ name: 'x0', type: 'dummy', master: 0 }), 'master'],
    ['netns name', () => nl.link.add({ name: 'x0', type: 'dummy', netns: 'a/b' }), 'netns'],
    ['netns pid', () => nl.link.add({ name: 'x0', type: 'dummy', netns: { pid: -1 } }), 'netns'],
    ['alias too long', () => nl.link.add({ name: 'x0', type: 'dummy', alias: 'a'.repeat(256) }), 'alias'],
    ['up as text', () => nl.link.add({ name: 'x0', type: 'dummy', up: 'yes' as never }), 'up'],
    ['veth peer name', () => nl.link.add({ name: 'x0', type: 'veth', peer: { name: 'p/1' } }), 'peer.name'],
    ['veth peer option', () => nl.link.add({ name: 'x0', type: 'veth', peer: { name: 'p1', colour: 1 } as never }), 'peer option'],
    ['veth peer up without name', () => nl.link.add({ name: 'x0', type: 'veth', peer: { up: true } }), 'peer.up'],
    ['veth peer mac', () => nl.link.add({ name: 'x0', type: 'veth', peer: { name: 'p1', address: 'nope' } }), 'peer.address'],
    ['vxlan without id', () => nl.link.add({ name: 'vx0', type: 'vxlan', remote: '10.123.0.2' }), 'id'],
    ['vxlan id too big', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 2 ** 24 }), 'id'],
    ['vxlan remote and group', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, remote: '10.123.0.2', group: '239.1.1.1', dev: 'u0' }), 'group'],
    ['vxlan group without dev', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, group: '239.1.1.1' }), 'dev'],
    ['vxlan multicast remote', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, remote: '239.1.1.1' }), 'remote'],
    ['vxlan bad remote', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, remote: '10.123.0.256' }), 'remote'],
    ['vxlan mixed families', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, remote: '10.123.0.2', local: 'fd00:123::1' }), 'local'],
    ['vxlan id with external', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, external: true }), 'id'],
    ['vxlan ttl', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, ttl: 256 }), 'ttl'],
    ['vxlan port range', () => nl.link.add({ name: 'vx0', type: 'vxlan', id: 1, srcPortRange: [2000, 1000] }), 'srcPortRange'],
    ['macvlan without link', () => nl.link.add({ name: 'mv0', type: 'macvlan' } as never), 'link'],
    ['macvlan mode', () => nl.link.add({ name: 'mv0', type: 'macvlan', link: 'u0', mode: 'hub' as never }), 'mode'],
    ['macvlan nopromisc outside passthru', () => nl.link.add({ name: 'mv0', type: 'macvlan', link: 'u0', mode: 'bridge', nopromisc: true }), 'nopromisc'],
    ['vlan without id', () => nl.link.add({ name: 'v0', type: 'vlan', link: 'u0' } as never), 'id'],
    ['vlan without link', () => nl.link.add({ name: 'v0', type: 'vlan', id: 5 } as never), 'link'],
    ['vlan id 4095', () => nl.link.add({ name: 'v0', type: 'vlan', link: 'u0', id: 4095 }), 'id'],
    ['vlan protocol', () => nl.link.add({ name: 'v0', type: 'vlan', link: 'u0', id: 5, protocol: '802.1X' as never }), 'protocol'],
    ['bridge negative time', () => nl.link.add({ name: 'b0', type: 'bridge', forwardDelay: -1 }), 'forwardDelay'],
    ['bridge time finer than 1/100 s', () => nl.link.add({ name: 'b0', type: 'bridge', helloTime: 0.005 }), 'helloTime'],
    ['bridge stp as number', () => nl.link.add({ name: 'b0', type: 'bridge', stp: 1 as never }), 'stp'],
    ['bridge priority', () => nl.link.add({ name: 'b0', type: 'bridge', priority: 65536 }), 'priority'],
    ['bridge fdbFlush on add', () => nl.link.add({ name: 'b0', type: 'bridge', fdbFlush: true }), 'fdbFlush'],
    ['vrf without table', () => nl.link.add({ name: 'vrf0', type: 'vrf' } as never), 'table'],
    ['ipip local v6', () => nl.link.add({ name: 't0', type: 'ipip', local: 'fd00:123::1' }), 'local'],
    ['ipip ttl with nopmtudisc', () => nl.link.add({ name: 't0', type: 'ipip', ttl: 64, pmtudisc: false }), 'ttl'],
    ['ipip isatap', () => nl.link.add({ name: 't0', type: 'ipip', isatap: true }), 'isatap'],
    ['sit mode', () => nl.link.add({ name: 't0', type: 'ipip', mode: 'ip6ip' }), 'mode'],
    ['gre key', () => nl.link.add({ name: 'g0', type: 'gre', key: -1 }), 'key'],
    ['gre broadcast without local', () => nl.link.add({ name: 'g0', type: 'gre', remote: '239.1.1.1' }), 'local'],
    ['bond mode', () => nl.link.add({ name: 'b0', type: 'bond', mode: 'fastest' as never }), 'mode'],
    ['bond arp target', () => nl.link.add({ name: 'b0', type: 'bond', arpIpTarget: ['10.123.0.300'] }), 'arpIpTarget[0]'],
    ['geneve without remote', () => nl.link.add({ name: 'g0', type: 'geneve', id: 1 }), 'remote'],
    ['set: bad dev', () => nl.link.set('a/b', { up: true }), 'dev'],
    ['set: dev 0', () => nl.link.set(0, { up: true }), 'dev'],
    ['set: unknown change', () => nl.link.set('u0', { colour: 'red' } as never), 'change'],
    ['set: kind option without type', () => nl.link.set('u0', { stp: true } as never), 'change'],
    ['set: bad new name', () => nl.link.set('u0', { name: 'a b' }), 'name'],
    ['set: mtu', () => nl.link.set('u0', { mtu: 1e10 }), 'mtu'],
    ['set: master', () => nl.link.set('u0', { master: '' }), 'master'],
    ['set: alias', () => nl.link.set('u0', { alias: 5 as never }), 'alias'],
    ['set: netns', () => nl.link.set('u0', { netns: { fd: -1 } }), 'netns'],
    ['set: promisc', () => nl.link.set('u0', { promisc: 'on' as never }), 'promisc'],
    ['set: unknown type', () => nl.link.set('u0', { type: 'nosuch' } as never), 'type'],
    ['set: bridge option', () => nl.link.set('br0', { type: 'bridge', ageingTime: 'long' as never }), 'ageingTime'],
    ['set: veth peer', () => nl.link.set('u0', { type: 'veth', peer: { name: 'p' } } as never), 'peer'],
    ['del: bad dev', () => nl.link.del('a b'), 'dev'],
    ['del: negative index', () => nl.link.del(-3), 'dev'],
    ['get: bad dev', () => nl.link.get('x'.repeat(20)), 'dev'],
    ['exists: bad name', () => nl.link.exists('a:b'), 'name'],
    ['list: unknown filter', async () => nl.link.list({ colour: 'red' } as never), 'filter'],
    ['list: bad master', async () => nl.link.list({ master: 'b r' }), 'master'],
    ['list: kind and type disagree', async () => nl.link.list({ kind: 'veth', type: 'bridge' }), 'type'],
  ];
  for (const [what, call, argument] of cases) {
    const err = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(isArgumentError(err), `${what}: ArgumentError`);
    t.equal((err as { argument?: string } | undefined)?.argument, argument, `${what}: names ${argument}`);
  }
  t.equal(tr.sent.length, 0, 'nothing was sent');
  nl.close();
});

// ---------------------------------------------------------------------------------------------
t.test('add: the bytes of the request', async (t) => {
  t.test('veth with a configured peer: ip link add veth0 address .. mtu 1400 up type veth peer name veth1 address .. mtu 1400', async (t) => {
    const { nl, tr } = await fake();
    await nl.link.add({
      name: 'veth0',
      type: 'veth',
      address: '02:00:00:00:00:01',
      mtu: 1400,
      up: true,
      peer: { name: 'veth1', address: '02:00:00:00:00:02', mtu: 1400 },
    });
    const expected = msg(RTM_NEWLINK, CREATE, 1, (p) =>
      p
        .ifinfo({ flags: IFF_UP, change: IFF_UP }) // `up`: ifi_flags and ifi_change carry IFF_UP
        .attr(IFLA_ADDRESS, (a) => a.mac('02:00:00:00:00:01'))
        .a32(IFLA_MTU, 1400)
        .astr(IFLA_IFNAME, 'veth0')
        .attr(IFLA_LINKINFO, (li) =>
          li
            // iproute2 sends the kind without its NUL (strlen); nlkit NUL-terminates it, which the
            // kernel's NLA_STRING policy reads the same.
            .astr(IFLA_INFO_KIND, 'veth')
            .attr(IFLA_INFO_DATA, (d) =>
              d.attr(VETH_INFO_PEER, (pe) =>
                // VETH_INFO_PEER: the peer's struct ifinfomsg, then its IFLA_* attributes, IFLA_IFNAME last (link_veth.c)
                pe.ifinfo().attr(IFLA_ADDRESS, (a) => a.mac('02:00:00:00:00:02')).a32(IFLA_MTU, 1400).astr(IFLA_IFNAME, 'veth1'),
              ),
            ),
        ),
    );
    t.equal(tr.sent.length, 1);
    t.equal(hex(tr.sent[0]!), hex(expected));
    nl.close();
  });

  t.test('veth without peer options sends no IFLA_INFO_DATA (ip link add veth0 type veth)', async (t) => {
    const { nl, tr } = await fake();
    await nl.link.add({ name: 'veth0', type: 'veth' });
    const expected = msg(RTM_NEWLINK, CREATE, 1, (p) => p.ifinfo().astr(IFLA_IFNAME, 'veth0').attr(IFLA_LINKINFO, (li) => li.astr(IFLA_INFO_KIND, 'veth')));
    t.equal(hex(tr.sent[0]!), hex(expected));
    nl.close();
  });

  t.test('veth with the peer in another namespace by fd, and peer.up as a follow-up', async (t) => {
    const { nl, tr, k } = await fake();
    k.links.push({ index: 9, name: 'veth1' });
    await nl.link.add({ name: 'veth0', type: 'veth', netns: { fd: 11 }, peer: { name: 'veth1', up: true } });
    t.equal(tr.sent.length, 3, 'create, then resolve the peer, then bring it up');
    const create = msg(RTM_NEWLINK, CREATE, 1, (p) =>
      p
        .ifinfo()
        .a32(IFLA_NET_NS_FD, 11) // created directly in that namespace
        .astr(IFLA_IFNAME, 'veth0')
        .attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'veth').attr(IFLA_INFO_DATA, (d) => d.attr(VETH_INFO_PEER, (pe) => pe.ifinfo().astr(IFLA_IFNAME, 'veth1'))),
        ),
    );
    t.equal(hex(tr.sent[0]!), hex(create), 'the peer ifinfomsg does not carry IFF_UP (the kernel would answer ENOTCONN)');
    t.equal(hex(tr.sent[1]!), hex(getByName(2, 'veth1')));
    t.equal(hex(tr.sent[2]!), hex(msg(RTM_NEWLINK, CHANGE, 3, (p) => p.ifinfo({ index: 9, flags: IFF_UP, change: IFF_UP }))));
    nl.close();
  });

  t.test('common options: master and link resolved by name, alias without NUL, group, queues, netns pid, index', async (t) => {
    const { nl, tr } = await fake([U0, BR0]);
    await nl.link.add({
      name: 'mv0',
      type: 'macvtap',
      link: 'u0',
      master: 'br0',
      alias: 'lab port',
      group: 3,
      txqueuelen: 500,
      numtxqueues: 2,
      numrxqueues: 2,
      broadcast: 'ff:ff:ff:ff:ff:fe',
      netns: { pid: 4321 },
      index: 77,
      mode: 'vepa',
    });
    t.equal(tr.sent.length, 3);
    t.equal(hex(tr.sent[0]!), hex(getByName(1, 'br0')), 'master resolved first');
    t.equal(hex(tr.sent[1]!), hex(getByName(2, 'u0')), 'then link');
    const expected = msg(RTM_NEWLINK, CREATE, 3, (p) =>
      p
        .ifinfo({ index: 77 })
        // IFLA_IFALIAS goes as raw bytes, without a NUL, as iproute2 sends it (strlen); it is
        // given to the codec by number, so it comes first.
        .attr(IFLA_IFALIAS, (a) => a.text('lab port'))
        .attr(2 /* IFLA_BROADCAST */, (a) => a.mac('ff:ff:ff:ff:ff:fe'))
        .a32(IFLA_TXQLEN, 500)
        .a32(31 /* IFLA_NUM_TX_QUEUES */, 2)
        .a32(32 /* IFLA_NUM_RX_QUEUES */, 2)
        .a32(IFLA_NET_NS_PID, 4321)
        .a32(IFLA_MASTER, 5)
        .a32(IFLA_GROUP, 3)
        .a32(IFLA_LINK, 7)
        .astr(IFLA_IFNAME, 'mv0')
        .attr(IFLA_LINKINFO, (li) => li.astr(IFLA_INFO_KIND, 'macvtap').attr(IFLA_INFO_DATA, (d) => d.a32(IFLA_MACVLAN_MODE, 2 /* MACVLAN_MODE_VEPA */))),
    );
    t.equal(hex(tr.sent[2]!), hex(expected));
    nl.close();
  });

  t.test('bridge options in centiseconds: ip link add br0 type bridge forward_delay 400 ageing_time 12000 stp_state 1 priority 4096 ...', async (t) => {
    const { nl, tr } = await fake();
    await nl.link.add({
      name: 'br0',
      type: 'bridge',
      stp: true,
      forwardDelay: 4,
      ageingTime: 120,
      priority: 4096,
      vlanProtocol: '802.1ad',
      mcastSnooping: false,
      mcastLastMemberInterval: 1.5,
    });
    const expected = msg(RTM_NEWLINK, CREATE, 1, (p) =>
      p
        .ifinfo()
        .astr(IFLA_IFNAME, 'br0')
        .attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'bridge').attr(IFLA_INFO_DATA, (d) =>
            d
              .a32(IFLA_BR_FORWARD_DELAY, 400) // 4 s = 400 clock_t (USER_HZ 100)
              .a32(IFLA_BR_AGEING_TIME, 12000)
              .a32(IFLA_BR_STP_STATE, 1)
              .a16(IFLA_BR_PRIORITY, 4096)
              .abe16(IFLA_BR_VLAN_PROTOCOL, 0x88a8) // ETH_P_8021AD, network order (ll_proto_a2n)
              .a8(IFLA_BR_MCAST_SNOOPING, 0)
              .attr(IFLA_BR_MCAST_LAST_MEMBER_INTVL, (x) => x.u64(150)), // u64 clock_t (addattr64)
          ),
        ),
    );
    t.equal(hex(tr.sent[0]!), hex(expected));
    nl.close();
  });

  t.test('vxlan: dev resolved, options, then ID, LOCAL, GROUP, LEARNING, PORT as iplink_vxlan.c', async (t) => {
    const { nl, tr } = await fake([U0]);
    await nl.link.add({ name: 'vx0', type: 'vxlan', id: 42, local: '10.123.0.1', remote: '10.123.0.2', dev: 'u0', dstport: 4789, ttl: 'inherit', srcPortRange: [1000, 2000] });
    t.equal(hex(tr.sent[0]!), hex(getByName(1, 'u0')));
    const expected = msg(RTM_NEWLINK, CREATE, 2, (p) =>
      p
        .ifinfo()
        .astr(IFLA_IFNAME, 'vx0')
        .attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'vxlan').attr(IFLA_INFO_DATA, (d) =>
            d
              .aflag(IFLA_VXLAN_TTL_INHERIT) // `ttl inherit`: NLA_FLAG in vxlan_policy, sent empty (addattr)
              .a32(IFLA_VXLAN_LINK, 7)
              .attr(IFLA_VXLAN_PORT_RANGE, (r) => r.be16(1000).be16(2000)) // struct ifla_vxlan_port_range, be16 each
              .a32(IFLA_VXLAN_ID, 42)
              .attr(IFLA_VXLAN_LOCAL, (a) => a.ip4('10.123.0.1'))
              .attr(IFLA_VXLAN_GROUP, (a) => a.ip4('10.123.0.2')) // remote and group share IFLA_VXLAN_GROUP
              .a8(IFLA_VXLAN_LEARNING, 1) // always sent on creation
              .abe16(IFLA_VXLAN_PORT, 4789),
          ),
        ),
    );
    t.equal(hex(tr.sent[1]!), hex(expected));
    nl.close();
  });

  t.test('vxlan without dstport sends no IFLA_VXLAN_PORT (kernel default 8472); IPv6; external', async (t) => {
    const { nl, tr } = await fake();
    await nl.link.add({ name: 'vx6', type: 'vxlan', id: 1, local: 'fd00:123::1', remote: 'fd00:123::2' });
    const v6 = (s: string) => Buffer.from(s.replace(/:/g, ''), 'hex');
    const expected = msg(RTM_NEWLINK, CREATE, 1, (p) =>
      p
        .ifinfo()
        .astr(IFLA_IFNAME, 'vx6')
        .attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'vxlan').attr(IFLA_INFO_DATA, (d) =>
            d
              .a32(IFLA_VXLAN_ID, 1)
              .attr(IFLA_VXLAN_LOCAL6, (a) => a.raw(v6('fd00:0123:0000:0000:0000:0000:0000:0001')))
              .attr(IFLA_VXLAN_GROUP6, (a) => a.raw(v6('fd00:0123:0000:0000:0000:0000:0000:0002')))
              .a8(IFLA_VXLAN_LEARNING, 1),
          ),
        ),
    );
    t.equal(hex(tr.sent[0]!), hex(expected));
    await nl.link.add({ name: 'vxe', type: 'vxlan', external: true });
    const ext = msg(RTM_NEWLINK, CREATE, 2, (p) =>
      p
        .ifinfo()
        .astr(IFLA_IFNAME, 'vxe')
        .attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'vxlan').attr(IFLA_INFO_DATA, (d) => d.a8(IFLA_VXLAN_COLLECT_METADATA, 1).a8(IFLA_VXLAN_LEARNING, 0)),
        ),
    );
    t.equal(hex(tr.sent[1]!), hex(ext), 'external: collect_metadata 1 and learning 0, no id');
    nl.close();
  });
});

// ---------------------------------------------------------------------------------------------
t.test('set, del, get, list: the bytes of the requests', async (t) => {
  t.test('set: ip link set dev u0 up mtu 1400 promisc on arp off nomaster alias lab name w0 netns PID', async (t) => {
    const { nl, tr } = await fake([U0]);
    await nl.link.set('u0', { up: true, mtu: 1400, promisc: true, arp: false, master: null, alias: 'lab', name: 'w0', netns: { pid: 99 }, carrier: true });
    t.equal(tr.sent.length, 2);
    t.equal(hex(tr.sent[0]!), hex(getByName(1, 'u0')));
    const expected = msg(RTM_NEWLINK, CHANGE, 2, (p) =>
      p
        // ifi_change names the flags changed, ifi_flags their new values: UP on, PROMISC on, NOARP on (arp off)
        .ifinfo({ index: 7, flags: IFF_UP | IFF_PROMISC | IFF_NOARP, change: IFF_UP | IFF_PROMISC | IFF_NOARP })
        .attr(IFLA_IFALIAS, (a) => a.text('lab'))
        .a32(IFLA_MTU, 1400)
        .a32(IFLA_NET_NS_PID, 99)
        .a32(IFLA_MASTER, 0) // nomaster
        .a8(IFLA_CARRIER, 1)
        .astr(IFLA_IFNAME, 'w0'),
    );
    t.equal(hex(tr.sent[1]!), hex(expected));
    nl.close();
  });

  t.test('set: down, alias cleared (empty IFLA_IFALIAS), netns by fd, by index without a lookup', async (t) => {
    const { nl, tr } = await fake();
    await nl.link.set(7, { up: false, alias: null, netns: { fd: 12 }, multicast: false, allmulticast: true });
    t.equal(tr.sent.length, 1);
    const expected = msg(RTM_NEWLINK, CHANGE, 1, (p) =>
      p
        .ifinfo({ index: 7, flags: 0x200 /* IFF_ALLMULTI */, change: IFF_UP | IFF_MULTICAST | 0x200 })
        .attr(IFLA_IFALIAS, () => undefined)
        .a32(IFLA_NET_NS_FD, 12),
    );
    t.equal(hex(tr.sent[0]!), hex(expected));
    nl.close();
  });

  t.test('set with type: ip link set dev br0 type bridge stp_state 0 ageing_time 6000', async (t) => {
    const { nl, tr } = await fake([BR0]);
    await nl.link.set('br0', { type: 'bridge', stp: false, ageingTime: 60 });
    const expected = msg(RTM_NEWLINK, CHANGE, 2, (p) =>
      p
        .ifinfo({ index: 5 })
        .attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'bridge').attr(IFLA_INFO_DATA, (d) => d.a32(IFLA_BR_AGEING_TIME, 6000).a32(IFLA_BR_STP_STATE, 0)),
        ),
    );
    t.equal(hex(tr.sent[1]!), hex(expected));
    nl.close();
  });

  t.test('del: ip link del dev u0 (RTM_DELLINK by index)', async (t) => {
    const { nl, tr } = await fake([U0]);
    await nl.link.del('u0');
    t.equal(hex(tr.sent[1]!), hex(msg(RTM_DELLINK, CHANGE, 2, (p) => p.ifinfo({ index: 7 }))));
    await nl.link.del(7);
    t.equal(hex(tr.sent[2]!), hex(msg(RTM_DELLINK, CHANGE, 3, (p) => p.ifinfo({ index: 7 }))));
    nl.close();
  });

  t.test('get by name and by index; exists', async (t) => {
    const { nl, tr } = await fake([U0]);
    const l = await nl.link.get('u0');
    t.equal(l.index, 7);
    t.equal(hex(tr.sent[0]!), hex(msg(RTM_GETLINK, CHANGE, 1, (p) => p.ifinfo().astr(IFLA_IFNAME, 'u0'))));
    await nl.link.get(7);
    t.equal(hex(tr.sent[1]!), hex(msg(RTM_GETLINK, CHANGE, 2, (p) => p.ifinfo({ index: 7 }))));
    t.equal(await nl.link.exists('u0'), true);
    t.equal(await nl.link.exists('nope'), false);
    nl.close();
  });

  t.test('list with kernel-side filters: ip link show master br0 type veth', async (t) => {
    const { nl, tr } = await fake([U0, BR0]);
    const links = await nl.link.list({ master: 5, kind: 'veth' }).collect();
    t.same(links, [], 'the fake kernel ignores the filter; the client-side check drops what does not match');
    const expected = msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 1, (p) =>
      p.ifinfo().a32(IFLA_MASTER, 5).attr(IFLA_LINKINFO, (li) => li.astr(IFLA_INFO_KIND, 'veth')),
    );
    t.equal(hex(tr.sent[0]!), hex(expected));
    const all = await nl.link.list().collect();
    t.same(
      all.map((l) => l.name),
      ['u0', 'br0'],
    );
    t.equal(hex(tr.sent[1]!), hex(msg(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 2, (p) => p.ifinfo())));
    nl.close();
  });
});

// ---------------------------------------------------------------------------------------------
t.test('kernel refusals come back as NetlinkError in the kernel words', async (t) => {
  const { nl, k } = await fake([U0]);
  k.override = (req) => {
    const h = header(req);
    if (h.type === RTM_NEWLINK && h.flags & NLM_F_CREATE) return [errorFor(req, 17)];
    if (h.type === RTM_NEWLINK) return [errorFor(req, 22, 'mtu greater than device maximum')];
    return undefined;
  };
  const dup = await nl.link.add({ name: 'u0', type: 'dummy' }).catch((e: unknown) => e);
  t.ok(isNetlinkError(dup));
  t.match(dup, { code: 'EEXIST', errnoText: 'File exists' });
  const mtu = await nl.link.set('u0', { mtu: 70000 }).catch((e: unknown) => e);
  t.match(mtu, { code: 'EINVAL', kernelMessage: 'mtu greater than device maximum' });
  const nodev = await nl.link.get('nope').catch((e: unknown) => e);
  t.match(nodev, { code: 'ENODEV', message: /Cannot find device "nope"/ });
  const nodev2 = await nl.link.set('nope', { up: true }).catch((e: unknown) => e);
  t.match(nodev2, { code: 'ENODEV', message: /Cannot find device "nope"/ });
  const nodev3 = await nl.link.add({ name: 'mv0', type: 'macvlan', link: 'nope' }).catch((e: unknown) => e);
  t.match(nodev3, { code: 'ENODEV', message: /Cannot find device "nope"/ });
  nl.close();
});

// ---------------------------------------------------------------------------------------------
t.test('decoding: flags, state, stats, names, kinds', async (t) => {
  t.test('flag names in ip order', async (t) => {
    t.same(linkFlagNames(IFF_UP | IFF_BROADCAST | IFF_MULTICAST), ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']);
    t.same(linkFlagNames(IFF_UP | IFF_RUNNING | IFF_BROADCAST | IFF_MULTICAST | IFF_LOWER_UP), ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']);
    t.same(linkFlagNames(0x8 | 0x1 | 0x40 | 0x10000), ['LOOPBACK', 'UP', 'LOWER_UP']);
    t.same(linkFlagNames(IFF_NOARP | IFF_PROMISC | 0x80000), ['NOARP', 'PROMISC', '80000']);
  });

  t.test('a bridge port with stats, altnames, alias and bridge slave data', async (t) => {
    const veth0: FakeLink = {
      index: 2,
      name: 'veth0',
      flags: IFF_UP | IFF_BROADCAST | IFF_MULTICAST | IFF_RUNNING | IFF_LOWER_UP,
      attrs: (p) =>
        p
          .a32(IFLA_MTU, 1500)
          .a8(IFLA_OPERSTATE, 6)
          .a32(IFLA_TXQLEN, 1000)
          .attr(IFLA_ADDRESS, (a) => a.mac('02:00:00:00:00:01'))
          .a32(IFLA_MASTER, 5)
          .a32(IFLA_LINK, 3)
          .astr(IFLA_IFALIAS, 'uplink')
          .attr(IFLA_PROP_LIST, (pl) => pl.astr(IFLA_ALT_IFNAME, 'first').astr(IFLA_ALT_IFNAME, 'second'))
          .attr(IFLA_STATS64, (s) => {
            s.u64(10).u64(20).u64(2 ** 53 + 2).u64(3000); // rx/tx packets, rx bytes (beyond 2^53), tx bytes
            for (let i = 4; i < 25; i++) s.u64(0);
          })
          .attr(IFLA_LINKINFO, (li) =>
            li
              .astr(IFLA_INFO_KIND, 'veth')
              .astr(IFLA_INFO_SLAVE_KIND, 'bridge')
              .attr(IFLA_INFO_SLAVE_DATA, (sd) => sd.a8(IFLA_BRPORT_STATE, 3).a16(IFLA_BRPORT_PRIORITY, 32).a32(IFLA_BRPORT_COST, 2)),
          ),
    };
    const { nl } = await fake([veth0, { index: 3, name: 'veth1' }, BR0]);
    const l = await nl.link.get('veth0');
    t.match(l, {
      index: 2,
      name: 'veth0',
      flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
      up: true,
      lowerUp: true,
      operstate: 'UP',
      mtu: 1500,
      linkType: 'ether',
      address: '02:00:00:00:00:01',
      kind: 'veth',
      slaveKind: 'bridge',
      master: 'br0',
      masterIndex: 5,
      link: 'veth1',
      linkIndex: 3,
      alias: 'uplink',
      altNames: ['first', 'second'],
      info: { kind: 'veth' },
      slaveInfo: { kind: 'bridge', state: 'forwarding', priority: 32, cost: 2 },
    });
    t.equal(l.stats?.rxPackets, 10n);
    t.equal(l.stats?.rxBytes, 2n ** 53n + 2n, 'u64 counters are exact bigints');
    t.equal(l.raw.type, 'RTM_NEWLINK');
    nl.close();
  });

  t.test('a veth whose peer is in another namespace: no name, index and netnsid', async (t) => {
    const { nl, tr } = await fake([{ index: 4, name: 'va0', attrs: (p) => p.a32(IFLA_LINK, 2).attr(IFLA_LINK_NETNSID, (x) => x.s32(0)) }]);
    const l = await nl.link.get('va0');
    t.equal(l.link, undefined);
    t.equal(l.linkIndex, 2);
    t.equal(l.linkNetnsid, 0);
    t.equal(tr.sent.length, 1, 'no lookup of an index that belongs to another namespace');
    nl.close();
  });

  t.test('bridge info in seconds; vxlan info with dev name', async (t) => {
    const br: FakeLink = {
      index: 5,
      name: 'br0',
      attrs: (p) =>
        p.attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'bridge').attr(IFLA_INFO_DATA, (d) =>
            d
              .a32(IFLA_BR_FORWARD_DELAY, 1500)
              .a32(IFLA_BR_STP_STATE, 1)
              .attr(16 /* IFLA_BR_HELLO_TIMER */, (x) => x.u64(123))
              .attr(11 /* IFLA_BR_BRIDGE_ID */, (x) => x.raw([0x80, 0x00]).mac('02:00:00:00:00:05'))
              .abe16(IFLA_BR_VLAN_PROTOCOL, 0x8100),
          ),
        ),
    };
    const vx: FakeLink = {
      index: 8,
      name: 'vx0',
      attrs: (p) =>
        p.attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, 'vxlan').attr(IFLA_INFO_DATA, (d) =>
            d
              .a32(IFLA_VXLAN_ID, 42)
              .a32(IFLA_VXLAN_LINK, 7)
              .attr(IFLA_VXLAN_GROUP, (a) => a.ip4('239.1.1.1'))
              .attr(IFLA_VXLAN_LOCAL, (a) => a.ip4('0.0.0.0'))
              .abe16(IFLA_VXLAN_PORT, 8472)
              .a8(IFLA_VXLAN_LEARNING, 0),
          ),
        ),
    };
    const { nl } = await fake([U0, br, vx]);
    const b = await nl.link.get('br0');
    t.match(b.info, { kind: 'bridge', forwardDelay: 15, stp: true, stpState: 1, helloTimer: 1.23, bridgeId: '8000.02:00:00:00:00:05', vlanProtocol: '802.1Q' });
    const v = await nl.link.get('vx0');
    t.match(v.info, { kind: 'vxlan', id: 42, group: '239.1.1.1', remote: undefined, local: undefined, devIndex: 7, dev: 'u0', dstport: 8472, learning: false });
    nl.close();
  });

  t.test('macvlan and macvtap info', async (t) => {
    const mv = (index: number, name: string, kind: string, mode: number, flags: number): FakeLink => ({
      index,
      name,
      attrs: (p) =>
        p.a32(IFLA_LINK, 7).attr(IFLA_LINKINFO, (li) =>
          li.astr(IFLA_INFO_KIND, kind).attr(IFLA_INFO_DATA, (d) => d.a32(IFLA_MACVLAN_MODE, mode).a16(2 /* IFLA_MACVLAN_FLAGS */, flags).a32(7 /* BC_QUEUE_LEN */, 1000)),
        ),
    });
    const { nl } = await fake([U0, mv(8, 'mv0', 'macvlan', 4, 0), mv(9, 'mvt0', 'macvtap', 8, 1), mv(10, 'mvx', 'macvlan', 64, 2)]);
    t.match((await nl.link.get('mv0')), { link: 'u0', info: { kind: 'macvlan', mode: 'bridge', nopromisc: false, bcQueueLen: 1000 } });
    t.match((await nl.link.get('mvt0')).info, { kind: 'macvtap', mode: 'passthru', nopromisc: true });
    t.match((await nl.link.get('mvx')).info, { kind: 'macvlan', mode: 64, nodst: true }, 'an unknown mode stays a number');
    nl.close();
  });

  t.test('a kind nlkit does not model keeps its data in raw; info is undefined', async (t) => {
    const { nl } = await fake([
      { index: 3, name: 'wg0', attrs: (p) => p.attr(IFLA_LINKINFO, (li) => li.astr(IFLA_INFO_KIND, 'nlmon').attr(IFLA_INFO_DATA, (d) => d.a32(1, 7))) },
    ]);
    const l = await nl.link.get('wg0');
    t.equal(l.kind, 'nlmon');
    t.equal(l.info, undefined);
    t.ok((l.raw.attrs as { linkinfo?: { data?: unknown } }).linkinfo?.data !== undefined, 'the data is kept');
    nl.close();
  });
});

// ---------------------------------------------------------------------------------------------
t.test('list: names resolve against the dump (collect) or as seen, then asked for (streaming)', async (t) => {
  // veth0 (index 2) is a port of br0 (index 5) and comes first in the dump; its peer veth1 (3)
  // too; a link points at a master that does not exist (9).
  const links: FakeLink[] = [
    { index: 2, name: 'veth0', attrs: (p) => p.a32(IFLA_MASTER, 5).a32(IFLA_LINK, 3) },
    { index: 3, name: 'veth1', attrs: (p) => p.a32(IFLA_LINK, 2) },
    { index: 4, name: 'orphan', attrs: (p) => p.a32(IFLA_MASTER, 9) },
    { index: 5, name: 'br0', attrs: (p) => p.attr(IFLA_LINKINFO, (li) => li.astr(IFLA_INFO_KIND, 'bridge')) },
  ];

  t.test('collect: one dump, no lookups except for indexes not in it', async (t) => {
    const { nl, tr } = await fake(links);
    const all = await nl.link.list().collect();
    t.same(
      all.map((l) => [l.name, l.master, l.link]),
      [
        ['veth0', 'br0', 'veth1'],
        ['veth1', undefined, 'veth0'],
        ['orphan', undefined, undefined],
        ['br0', undefined, undefined],
      ],
    );
    t.equal(tr.sent.length, 2, 'the dump, and one lookup of index 9 (ENODEV: no name)');
    t.equal(header(tr.sent[1]!).type, RTM_GETLINK);
    nl.close();
  });

  t.test('streaming: names resolve within the batch received, indexes not seen yet are asked for, once each', async (t) => {
    const { nl, tr, k } = await fake(links);
    // The dump arrives in two batches: veth0, veth1, orphan; then br0 and DONE.
    k.override = (req) => {
      const h = header(req);
      if (h.type !== RTM_GETLINK || (h.flags & NLM_F_DUMP) !== NLM_F_DUMP) return undefined;
      setTimeout(() => {
        tr.inject(linkMsg(links[3]!, h.seq, NLM_F_MULTI));
        tr.inject(done(h.seq));
      }, 20);
      return links.slice(0, 3).map((l) => linkMsg(l, h.seq, NLM_F_MULTI));
    };
    const seen: Array<[string, string | undefined, string | undefined]> = [];
    for await (const l of nl.link.list()) seen.push([l.name, l.master, l.link]);
    t.same(seen, [
      ['veth0', 'br0', 'veth1'],
      ['veth1', undefined, 'veth0'],
      ['orphan', undefined, undefined],
      ['br0', undefined, undefined],
    ]);
    const lookups = tr.sent.slice(1).map((d) => new DataView(d.buffer, d.byteOffset).getInt32(20, true));
    t.same(lookups.sort(), [5, 9], 'br0 (5, in the next batch) and the missing 9 were asked for by index; veth1 (3) came in the same batch');
    nl.close();
  });

  t.test('filters: kind, slaveKind, up, master by name', async (t) => {
    const { nl, tr } = await fake([...links, { index: 6, name: 'up0', flags: IFF_UP }]);
    t.same(
      (await nl.link.list({ type: 'bridge' }).collect()).map((l) => l.name),
      ['br0'],
    );
    t.same(
      (await nl.link.list({ up: true }).collect()).map((l) => l.name),
      ['up0'],
    );
    t.same(
      (await nl.link.list({ master: 'br0' }).collect()).map((l) => l.name),
      ['veth0'],
    );
    const dumps = tr.sent.filter((d) => header(d).type === RTM_GETLINK && (header(d).flags & NLM_F_DUMP) === NLM_F_DUMP);
    t.ok(
      dumps.some((d) => hex(linkAttrs(d).get(IFLA_MASTER) ?? []) === '05000000'),
      'the dump request carried IFLA_MASTER 5',
    );
    t.same(await nl.link.list({ slaveKind: 'bond' }).collect(), []);
    nl.close();
  });
});
