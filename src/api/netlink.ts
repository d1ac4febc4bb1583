/**
 * The high-level handle: one rtnetlink session bound to one network namespace, with an
 * ip-shaped API per object (`nl.link`, `nl.addr`, `nl.route`, `nl.neigh`, `nl.fdb`, `nl.rule`,
 * `nl.nsid`, `nl.sysctl`, `nl.tuntap`, `nl.netconf`), and nf_tables as `nl.nft`.
 *
 * @example
 * ```ts
 * import { Netlink } from 'nlkit';
 * const nl = await Netlink.open({ netns: 'ns1' });     // ip -n ns1 ...
 * await nl.link.set('lo', { up: true });                // ip link set dev lo up
 * await nl.addr.add('lo', '10.123.0.1/32');             // ip addr add 10.123.0.1/32 dev lo
 * nl.close();
 * ```
 * @module
 */
import { NetlinkClient, type ClientOptions } from '../netlink/client.js';
import type { Transport } from '../netlink/transport.js';
import { routeProtocol } from '../rtnetlink/index.js';
import { NETLINK } from '../netlink/constants.js';
import { type NetnsHandle, openNetns, type NetnsRef } from './netns-ref.js';
import { LinkApi } from './link.js';
import { AddrApi } from './addr.js';
import { RouteApi } from './route.js';
import { NeighApi } from './neigh.js';
import { FdbApi } from './fdb.js';
import { RuleApi } from './rule.js';
import { NsidApi } from './nsid.js';
import { SysctlApi } from './sysctl.js';
import { TuntapApi } from './tuntap.js';
import { NetconfApi } from './netconf.js';
import { type Nftables, openNftables } from '../nftables/nftables.js';

/** Options of {@link Netlink.open}. */
export interface OpenOptions extends ClientOptions {
  /**
   * The network namespace to work in: a name under /run/netns (`'ns1'`), `{ path }`, `{ fd }`
   * (not taken over) or `{ pid }`. Default: the caller's own namespace. With `transport`, the
   * socket's namespace is the transport's; `netns` then only serves sysctl and tuntap.
   */
  netns?: NetnsRef;
  /**
   * A transport to use instead of a kernel socket: the replay, fake or mock-kernel transports of
   * `nlkit/testing`. Default: a NETLINK_ROUTE socket opened in `netns`.
   */
  transport?: Transport;
  /**
   * Record every datagram of this session to a file: a JSON fixture, or a LINKTYPE_NETLINK capture
   * when the path ends in `.pcap` (Wireshark/tshark read it; `nlkit decode` too). The environment
   * variable `NLKIT_RECORD=path` does the same for every session. Default: no recording.
   */
  record?: string;
}

/**
 * A session with the kernel's routing subsystem in one namespace.
 *
 * @example
 * ```ts
 * await using nl = await Netlink.open();
 * for await (const link of nl.link.list()) console.log(link.index, link.name);
 * ```
 */
export class Netlink {
  /** The rtnetlink client (for raw requests: `nl.client.request({...})`). */
  readonly client: NetlinkClient;
  /** The namespace this handle works in (fd and name/path), or undefined for the caller's own. */
  readonly netns: NetnsHandle | undefined;
  /** `ip link`: create, change, delete and list interfaces. */
  readonly link: LinkApi;
  /** `ip addr`: IPv4/IPv6 addresses. */
  readonly addr: AddrApi;
  /** `ip route`: routes in any table. */
  readonly route: RouteApi;
  /** `ip neigh`: ARP/NDP entries. */
  readonly neigh: NeighApi;
  /** `bridge fdb`: forwarding database of bridges and vxlan. */
  readonly fdb: FdbApi;
  /** `ip rule`: policy routing rules. */
  readonly rule: RuleApi;
  /** `ip netns set/list-id`: ids of peer namespaces as seen from this one. */
  readonly nsid: NsidApi;
  /** `/proc/sys/net/...` of this namespace (rp_filter, accept_local, forwarding, ...). */
  readonly sysctl: SysctlApi;
  /** `ip tuntap`: persistent tun/tap devices through /dev/net/tun. */
  readonly tuntap: TuntapApi;
  /** `ip netconf`: per-interface IPv4/IPv6 configuration over RTM_GETNETCONF. */
  readonly netconf: NetconfApi;

  private nftables: Nftables | undefined = undefined;

  /**
   * nf_tables (firewall and NAT) of this handle's namespace, over a NETLINK_NETFILTER socket
   * opened there on first use and closed with the handle.
   *
   * @example
   * ```ts
   * await nl.nft.transaction()
   *   .addTable({ family: 'ip', name: 'nat' })
   *   .addChain({ family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' })
   *   .addRule({ family: 'ip', table: 'nat', chain: 'post', statements: [{ match: 'ip saddr', value: '10.123.1.0/24' }, { action: 'masquerade' }] })
   *   .commit();
   * ```
   */
  get nft(): Nftables {
    return (this.nftables ??= openNftables(this.netns ? { netnsFd: this.netns.fd } : {}));
  }

  private constructor(client: NetlinkClient, netns: NetnsHandle | undefined) {
    this.client = client;
    this.netns = netns;
    this.link = new LinkApi(this);
    this.addr = new AddrApi(this);
    this.route = new RouteApi(this);
    this.neigh = new NeighApi(this);
    this.fdb = new FdbApi(this);
    this.rule = new RuleApi(this);
    this.nsid = new NsidApi(this);
    this.sysctl = new SysctlApi(this);
    this.tuntap = new TuntapApi(this);
    this.netconf = new NetconfApi(this);
  }

  /**
   * Opens a session (a NETLINK_ROUTE socket created inside the namespace; the calling thread
   * never leaves its own namespace).
   *
   * @example
   * ```ts
   * const nl = await Netlink.open({ netns: 'ns1' });
   * const nl2 = await Netlink.open({ netns: { pid: 1234 } });
   * ```
   */
  static async open(options: OpenOptions = {}): Promise<Netlink> {
    const { netns, transport, record, ...clientOptions } = options;
    const handle = netns === undefined ? undefined : openNetns(netns);
    try {
      let t = transport;
      if (!t) {
        const { openNativeTransport } = await import('../netlink/native-transport.js');
        t = openNativeTransport({ protocol: NETLINK.ROUTE, ...(handle && { netnsFd: handle.fd }) });
      }
      if (record !== undefined || process.env['NLKIT_RECORD']) {
        const { maybeRecord } = await import('../testing/record.js');
        t = maybeRecord(t, { path: record });
      }
      return new Netlink(new NetlinkClient(t, routeProtocol(), clientOptions), handle);
    } catch (e) {
      handle?.close();
      throw e;
    }
  }

  /** Closes the socket and the namespace fd; pending requests reject with ECANCELED. */
  close(): void {
    this.client.close();
    this.nftables?.close();
    this.netns?.close();
  }

  /** For `await using nl = await Netlink.open()`. */
  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
