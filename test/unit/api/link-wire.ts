/**
 * Test-only wire helpers for the `nl.link` unit tests: a byte builder written from the uapi
 * headers (include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_tunnel.h, veth.h) that shares
 * no code with src/, the constants it needs with their C names, and a fake kernel that answers
 * the requests `nl.link` sends over the fake transport.
 *
 * Layouts (host order, little-endian here; "be" fields network order):
 * - struct nlmsghdr { u32 nlmsg_len (header + payload, no trailing pad); u16 nlmsg_type;
 *   u16 nlmsg_flags; u32 nlmsg_seq; u32 nlmsg_pid } — 16 bytes.
 * - struct ifinfomsg { u8 ifi_family; u8 __ifi_pad; u16 ifi_type; s32 ifi_index; u32 ifi_flags;
 *   u32 ifi_change } — 16 bytes.
 * - struct nlattr { u16 nla_len (header + payload, no pad); u16 nla_type } — 4 bytes; payloads
 *   are padded with zeros to 4 bytes. iproute2's addattr_nest sets no NLA_F_NESTED bit.
 * - struct nlmsgerr { s32 error; struct nlmsghdr msg } (+ the request payload unless
 *   NLM_F_CAPPED); an ACK is error 0.
 */

// --- include/uapi/linux/netlink.h
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
export const NLM_F_CAPPED = 0x100;

// --- include/uapi/linux/rtnetlink.h
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;

// --- include/uapi/linux/if.h (ifi_flags)
export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_RUNNING = 0x40;
export const IFF_NOARP = 0x80;
export const IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200;
export const IFF_MULTICAST = 0x1000;
export const IFF_LOWER_UP = 0x10000;

// --- include/uapi/linux/if_link.h: enum IFLA_*
export const IFLA_ADDRESS = 1;
export const IFLA_BROADCAST = 2;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_LINK = 5;
export const IFLA_MASTER = 10;
export const IFLA_TXQLEN = 13;
export const IFLA_OPERSTATE = 16;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_PID = 19;
export const IFLA_IFALIAS = 20;
export const IFLA_STATS64 = 23;
export const IFLA_GROUP = 27;
export const IFLA_NET_NS_FD = 28;
export const IFLA_EXT_MASK = 29;
export const IFLA_NUM_TX_QUEUES = 31;
export const IFLA_NUM_RX_QUEUES = 32;
export const IFLA_CARRIER = 33;
export const IFLA_LINK_NETNSID = 37;
export const IFLA_PROP_LIST = 52;
export const IFLA_ALT_IFNAME = 53;
// enum IFLA_INFO_*
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const IFLA_INFO_SLAVE_KIND = 4;
export const IFLA_INFO_SLAVE_DATA = 5;
// include/uapi/linux/veth.h
export const VETH_INFO_PEER = 1;
// IFLA_BR_*
export const IFLA_BR_FORWARD_DELAY = 1;
export const IFLA_BR_HELLO_TIME = 2;
export const IFLA_BR_MAX_AGE = 3;
export const IFLA_BR_AGEING_TIME = 4;
export const IFLA_BR_STP_STATE = 5;
export const IFLA_BR_PRIORITY = 6;
export const IFLA_BR_VLAN_PROTOCOL = 8;
export const IFLA_BR_MCAST_SNOOPING = 23;
export const IFLA_BR_MCAST_LAST_MEMBER_INTVL = 30;
// IFLA_BRPORT_*
export const IFLA_BRPORT_STATE = 1;
export const IFLA_BRPORT_PRIORITY = 2;
export const IFLA_BRPORT_COST = 3;
// IFLA_VXLAN_*
export const IFLA_VXLAN_ID = 1;
export const IFLA_VXLAN_GROUP = 2;
export const IFLA_VXLAN_LINK = 3;
export const IFLA_VXLAN_LOCAL = 4;
export const IFLA_VXLAN_TTL = 5;
export const IFLA_VXLAN_LEARNING = 7;
export const IFLA_VXLAN_PORT_RANGE = 10;
export const IFLA_VXLAN_PORT = 15;
export const IFLA_VXLAN_GROUP6 = 16;
export const IFLA_VXLAN_LOCAL6 = 17;
export const IFLA_VXLAN_COLLECT_METADATA = 25;
export const IFLA_VXLAN_TTL_INHERIT = 28;
// IFLA_MACVLAN_*
export const IFLA_MACVLAN_MODE = 1;
export const IFLA_MACVLAN_FLAGS = 2;
// IFLA_VLAN_*
export const IFLA_VLAN_ID = 1;
export const IFLA_VLAN_FLAGS = 2;
export const IFLA_VLAN_EGRESS_QOS = 3;
export const IFLA_VLAN_INGRESS_QOS = 4;
export const IFLA_VLAN_PROTOCOL = 5;
export const IFLA_VLAN_QOS_MAPPING = 1;
// IFLA_BOND_*
export const IFLA_BOND_MODE = 1;
export const IFLA_BOND_ACTIVE_SLAVE = 2;
export const IFLA_BOND_MIIMON = 3;
export const IFLA_BOND_UPDELAY = 4;
export const IFLA_BOND_ARP_INTERVAL = 7;
export const IFLA_BOND_ARP_IP_TARGET = 8;
export const IFLA_BOND_PRIMARY = 11;
export const IFLA_BOND_XMIT_HASH_POLICY = 14;
export const IFLA_BOND_MIN_LINKS = 18;
export const IFLA_BOND_AD_LACP_RATE = 21;
export const IFLA_BOND_SLAVE_STATE = 1;
export const IFLA_BOND_SLAVE_MII_STATUS = 2;
// IFLA_VRF_*
export const IFLA_VRF_TABLE = 1;
// IFLA_GENEVE_*
export const IFLA_GENEVE_ID = 1;
export const IFLA_GENEVE_REMOTE = 2;
export const IFLA_GENEVE_TTL = 3;
export const IFLA_GENEVE_TOS = 4;
export const IFLA_GENEVE_PORT = 5;
export const IFLA_GENEVE_LABEL = 11;

// --- include/uapi/linux/if_tunnel.h: IFLA_IPTUN_*, IFLA_GRE_*, flags
export const IFLA_IPTUN_LINK = 1;
export const IFLA_IPTUN_LOCAL = 2;
export const IFLA_IPTUN_REMOTE = 3;
export const IFLA_IPTUN_TTL = 4;
export const IFLA_IPTUN_TOS = 5;
export const IFLA_IPTUN_FLAGS = 8;
export const IFLA_IPTUN_PROTO = 9;
export const IFLA_IPTUN_PMTUDISC = 10;
export const IFLA_IPTUN_ENCAP_TYPE = 15;
export const IFLA_IPTUN_ENCAP_FLAGS = 16;
export const IFLA_IPTUN_ENCAP_SPORT = 17;
export const IFLA_IPTUN_ENCAP_DPORT = 18;
export const IFLA_IPTUN_COLLECT_METADATA = 19;
export const IFLA_IPTUN_FWMARK = 20;
export const SIT_ISATAP = 0x0001;
export const IFLA_GRE_LINK = 1;
export const IFLA_GRE_IFLAGS = 2;
export const IFLA_GRE_OFLAGS = 3;
export const IFLA_GRE_IKEY = 4;
export const IFLA_GRE_OKEY = 5;
export const IFLA_GRE_LOCAL = 6;
export const IFLA_GRE_REMOTE = 7;
export const IFLA_GRE_TTL = 8;
export const IFLA_GRE_TOS = 9;
export const IFLA_GRE_PMTUDISC = 10;
export const IFLA_GRE_ENCAP_TYPE = 14;
export const IFLA_GRE_ENCAP_FLAGS = 15;
export const IFLA_GRE_ENCAP_SPORT = 16;
export const IFLA_GRE_ENCAP_DPORT = 17;
export const IFLA_GRE_IGNORE_DF = 19;
export const IFLA_GRE_FWMARK = 20;
/** GRE_* are __cpu_to_be16(): the host values below, written big-endian. */
export const GRE_CSUM = 0x8000;
export const GRE_KEY = 0x2000;
export const GRE_SEQ = 0x1000;

/** A payload under construction. */
export class B {
  readonly b: number[] = [];

  u8(v: number): this {
    this.b.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  s32(v: number): this {
    return this.u32(v >>> 0);
  }
  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }
  be16(v: number): this {
    return this.u8(v >>> 8).u8(v);
  }
  be32(v: number): this {
    return this.be16(v >>> 16).be16(v & 0xffff);
  }
  raw(bytes: ArrayLike<number>): this {
    for (let i = 0; i < bytes.length; i++) this.b.push(bytes[i]! & 0xff);
    return this;
  }
  /** Text with its NUL (`cstr`) or without (`text`). */
  cstr(s: string): this {
    return this.raw(Buffer.from(s, 'utf8')).u8(0);
  }
  text(s: string): this {
    return this.raw(Buffer.from(s, 'utf8'));
  }
  /** IPv4 dotted quad as 4 bytes. */
  ip4(s: string): this {
    return this.raw(s.split('.').map(Number));
  }
  /** MAC as 6 bytes. */
  mac(s: string): this {
    return this.raw(s.split(':').map((x) => parseInt(x, 16)));
  }
  pad(): this {
    while (this.b.length % 4) this.b.push(0);
    return this;
  }
  /** struct ifinfomsg. */
  ifinfo(h: { family?: number; type?: number; index?: number; flags?: number; change?: number } = {}): this {
    return this.u8(h.family ?? 0).u8(0).u16(h.type ?? 0).s32(h.index ?? 0).u32(h.flags ?? 0).u32(h.change ?? 0);
  }
  /** An attribute: nla_len = 4 + payload, then padding. */
  attr(type: number, fill: (p: B) => unknown): this {
    const p = new B();
    fill(p);
    this.u16(4 + p.b.length).u16(type).raw(p.b);
    return this.pad();
  }
  a8(type: number, v: number): this {
    return this.attr(type, (p) => p.u8(v));
  }
  a16(type: number, v: number): this {
    return this.attr(type, (p) => p.u16(v));
  }
  a32(type: number, v: number): this {
    return this.attr(type, (p) => p.u32(v));
  }
  abe16(type: number, v: number): this {
    return this.attr(type, (p) => p.be16(v));
  }
  abe32(type: number, v: number): this {
    return this.attr(type, (p) => p.be32(v));
  }
  astr(type: number, s: string): this {
    return this.attr(type, (p) => p.cstr(s));
  }
  aflag(type: number): this {
    return this.attr(type, () => undefined);
  }
}

/** One message: nlmsghdr + payload, padded. */
export function msg(type: number, flags: number, seq: number, fill: (p: B) => unknown, pid = 0): Uint8Array {
  const p = new B();
  fill(p);
  const out = new B().u32(16 + p.b.length).u16(type).u16(flags).u32(seq).u32(pid).raw(p.b).pad();
  return Uint8Array.from(out.b);
}

/** An ACK (NLMSG_ERROR, error 0, NLM_F_CAPPED: the request's header only). */
export function ack(req: Uint8Array): Uint8Array {
  return errorFor(req, 0);
}

/** An error reply to `req` with errno and an optional extended-ACK text (NLMSGERR_ATTR_MSG = 1). */
export function errorFor(req: Uint8Array, errno: number, text?: string): Uint8Array {
  const h = header(req);
  const flags = NLM_F_CAPPED | (text === undefined ? 0 : 0x200 /* NLM_F_ACK_TLVS */);
  return msg(NLMSG_ERROR, flags, h.seq, (p) => {
    p.s32(-errno).raw(req.subarray(0, 16));
    if (text !== undefined) p.astr(1, text);
  });
}

/** NLMSG_DONE of a dump. */
export function done(seq: number): Uint8Array {
  return msg(NLMSG_DONE, NLM_F_MULTI, seq, (p) => p.s32(0));
}

/** The nlmsghdr fields of a datagram's first message. */
export function header(d: Uint8Array): { len: number; type: number; flags: number; seq: number } {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return { len: v.getUint32(0, true), type: v.getUint16(4, true), flags: v.getUint16(6, true), seq: v.getUint32(8, true) };
}

/** Top-level attributes of an RTM_*LINK request: type → payload bytes. */
export function linkAttrs(d: Uint8Array): Map<number, Uint8Array> {
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const end = v.getUint32(0, true);
  const out = new Map<number, Uint8Array>();
  for (let at = 32; at + 4 <= end; ) {
    const len = v.getUint16(at, true);
    if (len < 4) break;
    out.set(v.getUint16(at + 2, true) & 0x3fff, d.subarray(at + 4, at + len));
    at += (len + 3) & ~3;
  }
  return out;
}

/** ifi_index of an RTM_*LINK request. */
export function ifiIndex(d: Uint8Array): number {
  return new DataView(d.buffer, d.byteOffset, d.byteLength).getInt32(20, true);
}

/** Lower-case hex, for readable comparisons. */
export function hex(b: ArrayLike<number>): string {
  return Buffer.from(Uint8Array.from(b as ArrayLike<number>)).toString('hex');
}

/** A link the fake kernel knows: its index, name, and the RTM_NEWLINK payload after ifinfomsg. */
export interface FakeLink {
  index: number;
  name: string;
  flags?: number;
  type?: number;
  /** Attributes after IFLA_IFNAME. */
  attrs?: (p: B) => unknown;
}

/** The RTM_NEWLINK of a fake link (as a GET reply or a dump part). */
export function linkMsg(l: FakeLink, seq: number, flags: number): Uint8Array {
  return msg(RTM_NEWLINK, flags, seq, (p) => {
    p.ifinfo({ type: l.type ?? 1, index: l.index, flags: l.flags ?? 0 }).astr(IFLA_IFNAME, l.name);
    l.attrs?.(p);
  });
}

/**
 * A fake kernel for the fake transport: answers RTM_GETLINK (by name or index, and dumps) from
 * `links`, acknowledges everything else, and can be told to refuse a request type.
 */
export class FakeKernel {
  links: FakeLink[];
  /** Answers instead of the default for a request (return undefined to fall through). */
  override: ((req: Uint8Array) => Uint8Array[] | undefined) | undefined = undefined;

  constructor(links: FakeLink[] = []) {
    this.links = links;
  }

  handle = (req: Uint8Array): Uint8Array[] => {
    const o = this.override?.(req);
    if (o) return o;
    const h = header(req);
    if (h.type === RTM_GETLINK) {
      if ((h.flags & NLM_F_DUMP) === NLM_F_DUMP) return [...this.links.map((l) => linkMsg(l, h.seq, NLM_F_MULTI)), done(h.seq)];
      const idx = ifiIndex(req);
      const nameBytes = linkAttrs(req).get(IFLA_IFNAME);
      const name = nameBytes ? Buffer.from(nameBytes).toString('utf8').replace(/\0.*$/s, '') : undefined;
      const l = this.links.find((x) => (idx > 0 ? x.index === idx : x.name === name));
      if (!l) return [errorFor(req, 19)];
      return [linkMsg(l, h.seq, 0), ack(req)];
    }
    return [ack(req)];
  };
}
