/**
 * The walkthrough of `npm run demo` (the classic Chinese "Linux network virtualization" article:
 * netns, veth, bridge, then its unfinished chapters tun/tap, macvlan, vxlan, ipip), done with
 * nlkit and printed as the equivalent `ip` commands with their results. It runs in the namespace
 * it is given (the sandbox of `walkthrough.ts`), which plays the article's host; 12.1.1.0/24
 * becomes 10.123.N.0/24 for step N.
 *
 * Steps 1–4 remove what they made as they go (their names are reused); the topologies of step 5
 * (two namespaces through a bridge) and step 6 (macvlan, vxlan) stay until the end, are drawn
 * from nlkit's dumps, and are then removed.
 *
 * @example
 * ```ts
 * const demo = new Walkthrough(new Reporter(process.stdout, false));
 * try { await demo.run(); } finally { await demo.cleanup(); }
 * ```
 * @module
 */
import { Netlink } from '../api/netlink.js';
import { netns } from '../api/netns.js';
import { isNetlinkError } from '../netlink/errors.js';
import { formatAddress, formatLink } from './format.js';
import { which } from './preflight.js';
import { echoArgv, type EchoServer, forgetNeighbour, linkLocalAfterDad, ping, sendEcho, startEcho } from './probe.js';
import type { Reporter } from './report.js';
import { collectTopology, renderTopology } from './topology.js';

/** Polls `probe` every 50 ms until it is true or `timeoutMs` passed (the caller then shows the state as it is). */
async function waitFor(probe: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/** `ip [-n NS] REST`. */
function ip(ns: string | undefined, rest: string): string {
  return ns === undefined ? `ip ${rest}` : `ip -n ${ns} ${rest}`;
}

/** Runs the walkthrough and knows what it made. */
export class Walkthrough {
  private readonly r: Reporter;
  private readonly handles = new Map<string, Netlink>();
  /** Namespaces this run added (and has not deleted yet). */
  private readonly namespaces = new Set<string>();
  /** Links this run added in the host (and has not deleted yet). */
  private readonly hostLinks = new Set<string>();
  private readonly servers = new Set<EchoServer>();
  /** Step numbers done, for the summary. */
  readonly done: string[] = [];

  constructor(reporter: Reporter) {
    this.r = reporter;
  }

  /** The handle of namespace `ns` (undefined: the host), opened once. */
  private async nl(ns?: string): Promise<Netlink> {
    const key = ns ?? '';
    let h = this.handles.get(key);
    if (!h) {
      h = await Netlink.open(ns === undefined ? {} : { netns: ns });
      this.handles.set(key, h);
    }
    return h;
  }

  private closeHandle(ns: string): void {
    this.handles.get(ns)?.close();
    this.handles.delete(ns);
  }

  /* ---------------------------------------------------------------------------------------- */
  /* Printed operations                                                                       */
  /* ---------------------------------------------------------------------------------------- */

  private async netnsAdd(name: string): Promise<void> {
    await this.r.run(`ip netns add ${name}`, () => netns.add(name));
    this.namespaces.add(name);
  }

  private async netnsDelete(name: string): Promise<void> {
    this.closeHandle(name); // a namespace dies once nothing holds it
    await this.r.run(`ip netns delete ${name}`, () => netns.delete(name));
    this.namespaces.delete(name);
  }

  /** `ip link add ...` in `ns`; host links are remembered for the cleanup. */
  private async linkAdd(ns: string | undefined, cmd: string, spec: Parameters<Netlink['link']['add']>[0]): Promise<void> {
    const nl = await this.nl(ns);
    await this.r.run(ip(ns, `link add ${cmd}`), () => nl.link.add(spec));
    if (ns === undefined && spec.netns === undefined) this.hostLinks.add(spec.name);
  }

  private async linkDel(ns: string | undefined, dev: string, comment?: string): Promise<void> {
    const nl = await this.nl(ns);
    await this.r.run(ip(ns, `link del ${dev}`), () => nl.link.del(dev), undefined, comment);
    if (ns === undefined) this.hostLinks.delete(dev);
  }

  private async linkSet(ns: string | undefined, dev: string, cmd: string, changes: Parameters<Netlink['link']['set']>[1]): Promise<void> {
    const nl = await this.nl(ns);
    await this.r.run(ip(ns, `link set dev ${dev} ${cmd}`), () => nl.link.set(dev, changes));
    if (ns === undefined && changes.netns !== undefined) this.hostLinks.delete(dev);
  }

  private async addrAdd(ns: string | undefined, dev: string, cidr: string, broadcast = false): Promise<void> {
    const nl = await this.nl(ns);
    await this.r.run(ip(ns, `addr add ${cidr}${broadcast ? ' brd +' : ''} dev ${dev}`), () => nl.addr.add(dev, cidr, broadcast ? { broadcast: '+' } : {}));
  }

  private async up(ns: string | undefined, ...devs: string[]): Promise<void> {
    for (const dev of devs) await this.linkSet(ns, dev, 'up', { up: true });
  }

  /** `ip [-n NS] link list [DEV]`, printed from nlkit's dump. */
  private async showLinks(ns: string | undefined, dev?: string): Promise<void> {
    const nl = await this.nl(ns);
    await this.r.run(
      ip(ns, `link list${dev === undefined ? '' : ` ${dev}`}`),
      async () => (dev === undefined ? nl.link.list().collect() : [await nl.link.get(dev)]),
      (links) => links.flatMap(formatLink),
    );
  }

  /** `ip [-n NS] addr show dev DEV`, printed from nlkit's dumps. */
  private async showAddr(ns: string | undefined, dev: string): Promise<void> {
    const nl = await this.nl(ns);
    await this.r.run(
      ip(ns, `addr show dev ${dev}`),
      async () => ({ link: await nl.link.get(dev), addrs: await nl.addr.list({ dev }).collect() }),
      ({ link, addrs }) => [...formatLink(link), ...addrs.map(formatAddress)],
    );
  }

  /** `sysctl -w net.KEY=VALUE` in `ns`: a device's ipv4 conf through netlink devconf, all/default through /proc/sys. */
  private async sysctl(ns: string | undefined, settings: Array<[dev: string, key: 'accept_local' | 'rp_filter', value: number]>, comment?: string): Promise<void> {
    const nl = await this.nl(ns);
    const words = settings.map(([dev, key, value]) => `net.ipv4.conf.${dev}.${key}=${value}`).join(' ');
    await this.r.run(
      `${ns === undefined ? '' : `ip netns exec ${ns} `}sysctl -w ${words}`,
      async () => {
        for (const [dev, key, value] of settings) {
          if (dev === 'all' || dev === 'default') await nl.sysctl.set(`ipv4.conf.${dev}.${key}`, value);
          else await nl.sysctl.setIpv4Conf(dev, { [key]: value });
        }
        const now: string[] = [];
        for (const [dev, key] of settings) {
          const v = dev === 'all' || dev === 'default' ? await nl.sysctl.getInt(`ipv4.conf.${dev}.${key}`) : (await nl.sysctl.ipv4Conf(dev))[key];
          now.push(`net.ipv4.conf.${dev}.${key} = ${v}`);
        }
        return now;
      },
      (now) => now,
      comment,
    );
  }

  /** A ping inside `ns` that must get its answer, or (`expect: false`) must not. */
  private async ping(ns: string, args: string[], expect: boolean, why: string): Promise<void> {
    const full = ['-c', '1', '-W', expect ? '2' : '1', ...args];
    this.r.command(`ip netns exec ${ns} ping ${full.join(' ')}`);
    const res = await ping(ns, full);
    this.r.output(res.summary.replace(/, time \d+ms$/, ''));
    if (expect) this.r.expect(res.ok, `answered: ${why}`, res.stderr.trim() || res.summary);
    else this.r.expect(!res.ok && res.received === 0, `no answer, as expected: ${why}`, res.ok ? 'it was answered' : res.summary);
  }

  /** The echo server in `srv`, a message from `cli`, and the check that it came back. */
  private async echo(srv: string, cli: string, proto: 'udp' | 'tcp', host: string, port: number, text: string, why: string): Promise<void> {
    const echo = `node ${echoArgv().slice(-1)[0]?.replace(/^.*\/(src|dist)\//, '$1/')}`;
    this.r.command(`ip netns exec ${srv} ${echo} serve ${proto} ${host} ${port} &`);
    const server = await startEcho(srv, proto, host, port);
    this.servers.add(server);
    this.r.output(`listening ${host} ${port}/${proto}`);
    try {
      this.r.command(`ip netns exec ${cli} ${echo} send ${proto} ${host} ${port} '${text}'`);
      const res = await sendEcho(cli, proto, host, port, text);
      this.r.output(res.answer === '' ? res.error : res.answer);
      this.r.expect(res.ok, `the ${proto.toUpperCase()} echo came back: ${why}`, res.error);
    } finally {
      await server.stop();
      this.servers.delete(server);
    }
  }

  /* ---------------------------------------------------------------------------------------- */
  /* The steps                                                                                */
  /* ---------------------------------------------------------------------------------------- */

  /** Runs every step; the caller runs {@link cleanup} afterwards, also after a failure. */
  async run(): Promise<void> {
    const host = await this.nl();
    this.r.step(0, 'the host', 'This sandbox\'s own network namespace plays the article\'s host; it starts with lo down.');
    await this.up(undefined, 'lo');
    await this.step1();
    await this.step2();
    await this.step3();
    await this.step4();
    await this.step5();
    await this.step6();
    this.r.step('7', 'the final topology', 'Drawn from nlkit\'s dumps of every namespace (links, addresses, peer namespace ids).');
    const topo = await collectTopology();
    this.r.output(renderTopology(topo));
    await this.removeAll(host);
  }

  private async step1(): Promise<void> {
    this.r.step(1, 'network namespaces', 'A namespace has its own interfaces, addresses, routes and sysctls; a new one holds only lo, down.');
    await this.netnsAdd('forgeek');
    await this.r.run('ip netns list', () => netns.list(), (l) => l.map((e) => e.name + (e.id === undefined ? '' : ` (id: ${e.id})`)));
    if (which('ip') !== undefined) {
      await this.r.run('ip netns exec forgeek ip link list', () => netns.exec('forgeek', ['ip', 'link', 'list']), (res) => res.stdout.trimEnd() || res.stderr.trimEnd(), 'netns.exec runs a command inside');
    } else {
      this.r.note('iproute2 is not installed, so `ip netns exec forgeek ip link list` is left out; nlkit\'s listing follows.');
    }
    await this.linkSet('forgeek', 'lo', 'up', { up: true });
    await this.showLinks('forgeek');
    const lo = await (await this.nl('forgeek')).link.get('lo');
    this.r.expect(lo.up && lo.operstate === 'UNKNOWN', 'lo is <LOOPBACK,UP,LOWER_UP> state UNKNOWN');
    await this.netnsDelete('forgeek');
    const left = await this.r.run('ip netns list', () => netns.list(), (l) => l.map((e) => e.name));
    this.r.expect(left.length === 0, 'forgeek is gone');
    this.done.push('1');
  }

  private async step2(): Promise<void> {
    this.r.step(
      2,
      'a veth pair, both ends in one namespace',
      'A namespace of its own, d1 (the article\'s host name), keeps the host clean. The article\'s CentOS had\nrp_filter=1 for all/default (a new namespace starts with 0), so d1 gets the same.',
    );
    await this.netnsAdd('d1');
    await this.up('d1', 'lo');
    await this.sysctl('d1', [['all', 'rp_filter', 1], ['default', 'rp_filter', 1]], 'as on the article\'s CentOS');
    await this.linkAdd('d1', 'veth0 type veth peer name veth1', { name: 'veth0', type: 'veth', peer: { name: 'veth1' } });
    await this.addrAdd('d1', 'veth0', '10.123.1.1/24');
    await this.addrAdd('d1', 'veth1', '10.123.1.2/24');
    await this.up('d1', 'veth0', 'veth1');
    await this.showLinks('d1');
    const d1 = await this.nl('d1');
    const fail = async (why: string): Promise<void> => {
      await this.ping('d1', ['-I', 'veth0', '10.123.1.2'], false, why);
      await this.r.run(ip('d1', 'neigh del 10.123.1.2 dev veth0'), () => forgetNeighbour(d1, 'veth0', '10.123.1.2'), undefined, 'forget the failed ARP resolution');
    };
    await fail('veth1 drops the ARP request, whose source 10.123.1.1 is a local address');
    await this.sysctl('d1', [['veth0', 'accept_local', 1], ['veth1', 'accept_local', 1]]);
    await fail('strict rp_filter: the way back to 10.123.1.1 is not via veth1');
    await this.sysctl('d1', [['all', 'rp_filter', 0]]);
    await fail('the kernel applies max(all, device): the devices still say 1');
    await this.sysctl('d1', [['veth0', 'rp_filter', 0], ['veth1', 'rp_filter', 0]]);
    await this.ping('d1', ['-I', 'veth0', '10.123.1.2'], true, 'accept_local=1 and rp_filter=0 (all and per device)');

    this.r.note('Now move veth1 into a namespace of its own (the move drops its address).');
    await this.netnsAdd('forgeek');
    await this.linkSet('d1', 'veth1', 'netns forgeek', { netns: 'forgeek' });
    await this.up('forgeek', 'lo');
    await this.addrAdd('forgeek', 'veth1', '10.123.1.2/24');
    await this.up('forgeek', 'veth1');
    await this.showLinks('forgeek', 'veth1');
    await this.ping('d1', ['-I', 'veth0', '10.123.1.2'], true, 'd1 reaches veth1 in forgeek');
    await this.linkDel('d1', 'veth0', 'deletes the pair, veth1 in forgeek too');
    await this.netnsDelete('d1');
    await this.netnsDelete('forgeek');
    this.done.push('2');
  }

  private async step3(): Promise<void> {
    this.r.step(3, 'two namespaces joined by one veth pair');
    await this.netnsAdd('ns1');
    await this.netnsAdd('ns2');
    await this.linkAdd(undefined, 'veth0 type veth peer name veth1', { name: 'veth0', type: 'veth', peer: { name: 'veth1' } });
    await this.linkSet(undefined, 'veth0', 'netns ns1', { netns: 'ns1' });
    await this.linkSet(undefined, 'veth1', 'netns ns2', { netns: 'ns2' });
    await this.showLinks('ns1');
    await this.up('ns1', 'lo', 'veth0');
    await this.up('ns2', 'lo', 'veth1');
    await this.addrAdd('ns1', 'veth0', '10.123.3.1/24');
    await this.addrAdd('ns2', 'veth1', '10.123.3.2/24');
    await this.ping('ns1', ['-I', 'veth0', '10.123.3.2'], true, 'ns1 → ns2');
    await this.ping('ns2', ['-I', 'veth1', '10.123.3.1'], true, 'ns2 → ns1');
    await this.echo('ns2', 'ns1', 'tcp', '10.123.3.2', 7007, 'hello ns2', 'ns1 → ns2 over TCP');
    await this.netnsDelete('ns1'); // the pair dies with its namespaces
    await this.netnsDelete('ns2');
    this.done.push('3');
  }

  private async step4(): Promise<void> {
    this.r.step(
      4,
      'a bridge with a veth port',
      'The article keeps veth1 in the host too; there both addresses are local, the reply never leaves\n' +
        'through veth0 and the first ping succeeds on a recent kernel. With veth1 in namespace ns1 (another\n' +
        'machine), the point shows: an enslaved device\'s address is no longer usable, the bridge\'s is.',
    );
    await this.netnsAdd('ns1');
    await this.up('ns1', 'lo');
    await this.linkAdd(undefined, 'veth0 type veth peer name veth1 netns ns1', { name: 'veth0', type: 'veth', peer: { name: 'veth1', netns: 'ns1' } });
    await this.up(undefined, 'veth0');
    await this.up('ns1', 'veth1');
    await this.addrAdd(undefined, 'veth0', '10.123.4.1/24');
    await this.addrAdd('ns1', 'veth1', '10.123.4.2/24');
    await this.linkAdd(undefined, 'name br0 type bridge', { name: 'br0', type: 'bridge' });
    await this.up(undefined, 'br0');
    await this.linkSet(undefined, 'veth0', 'master br0', { master: 'br0' });
    await this.showLinks(undefined, 'br0');
    const host = await this.nl();
    const [br0, veth0] = [await host.link.get('br0'), await host.link.get('veth0')];
    this.r.expect(br0.address === veth0.address, `br0 took veth0's MAC (${br0.address}), as the article observed`);
    await this.sysctl(undefined, [['br0', 'accept_local', 1], ['br0', 'rp_filter', 0], ['all', 'rp_filter', 0], ['default', 'rp_filter', 0]]);
    await this.sysctl('ns1', [['veth1', 'accept_local', 1], ['veth1', 'rp_filter', 0]]);
    await this.ping('ns1', ['-I', 'veth1', '10.123.4.1'], false, 'the address sits on a bridge port');
    await this.r.run(
      'ip neigh show to 10.123.4.2',
      () => host.neigh.list({ family: 'inet' }).collect(),
      (ns) => ns.filter((n) => n.dst === '10.123.4.2').map((n) => `${n.dst} dev ${n.dev}${n.lladdr === undefined ? '' : ` lladdr ${n.lladdr}`} ${n.state.join(',').toUpperCase()}`),
      'why: the answer to the ARP sent out veth0 is taken by the bridge',
    );
    await this.r.run(ip(undefined, 'addr del 10.123.4.1/24 dev veth0'), () => host.addr.del('veth0', '10.123.4.1/24'));
    await this.addrAdd(undefined, 'br0', '10.123.4.1/24');
    await this.ping('ns1', ['-I', 'veth1', '10.123.4.1'], true, 'the address on br0 works');
    await this.linkDel(undefined, 'veth0');
    await this.linkDel(undefined, 'br0');
    await this.netnsDelete('ns1');
    this.done.push('4');
  }

  private async step5(): Promise<void> {
    this.r.step(5, 'two namespaces through a bridge', 'Two veth pairs, veth0⇄br-veth0 and veth1⇄br-veth1; veth0 and veth1 become ports of br0.');
    await this.netnsAdd('ns1');
    await this.netnsAdd('ns2');
    await this.linkAdd(undefined, 'veth0 type veth peer name br-veth0', { name: 'veth0', type: 'veth', peer: { name: 'br-veth0' } });
    await this.linkAdd(undefined, 'veth1 type veth peer name br-veth1', { name: 'veth1', type: 'veth', peer: { name: 'br-veth1' } });
    this.hostLinks.add('br-veth0').add('br-veth1');
    await this.linkAdd(undefined, 'name br0 type bridge', { name: 'br0', type: 'bridge' });
    await this.up(undefined, 'veth0', 'veth1', 'br-veth0', 'br-veth1', 'br0');
    await this.linkSet(undefined, 'br-veth0', 'netns ns2', { netns: 'ns2' });
    await this.linkSet(undefined, 'br-veth1', 'netns ns1', { netns: 'ns1' });
    await this.linkSet(undefined, 'veth0', 'master br0', { master: 'br0' });
    await this.linkSet(undefined, 'veth1', 'master br0', { master: 'br0' });
    await this.up('ns1', 'lo', 'br-veth1');
    await this.up('ns2', 'lo', 'br-veth0');
    await this.addrAdd('ns1', 'br-veth1', '10.123.5.1/24', true);
    await this.addrAdd('ns2', 'br-veth0', '10.123.5.2/24', true);
    const host = await this.nl();
    // The ports forward once their peers (just brought up in ns1/ns2) give them carrier.
    await waitFor(async () => {
      const ports = await host.link.list({ master: 'br0' }).collect();
      return ports.length === 2 && ports.every((p) => p.slaveInfo?.kind === 'bridge' && p.slaveInfo.state === 'forwarding');
    });
    const ports = await this.r.run('bridge link', () => host.link.list({ master: 'br0' }).collect(), (ports) =>
      ports.map((p) => `${p.index}: ${p.name} state ${p.operstate}: <${p.flags.join(',')}> mtu ${p.mtu} master ${p.master} state ${p.slaveInfo?.kind === 'bridge' ? p.slaveInfo.state : '?'}`),
    );
    this.r.expect(ports.every((p) => p.slaveInfo?.kind === 'bridge' && p.slaveInfo.state === 'forwarding'), 'both ports forward');
    await this.ping('ns2', ['-I', 'br-veth0', '10.123.5.1'], true, 'ns2 → ns1 through br0');
    const ll1 = await linkLocalAfterDad(await this.nl('ns1'), 'br-veth1');
    await linkLocalAfterDad(await this.nl('ns2'), 'br-veth0');
    this.r.note('IPv6: wait until duplicate address detection is over (no address "tentative").');
    await this.showAddr('ns1', 'br-veth1');
    await this.ping('ns2', ['-6', `${ll1.address}%br-veth0`], true, 'IPv6 link-local ns2 → ns1');
    this.r.note('Kept until the end, for the diagram.');
    this.done.push('5');
  }

  private async step6(): Promise<void> {
    this.r.step('6a', 'tun/tap (the article\'s unfinished chapter 1.6)', 'Persistent tun/tap devices come from /dev/net/tun ioctls; the kernel refuses them over rtnetlink.');
    const host = await this.nl();
    await this.r.run('ip tuntap add dev tap0 mode tap', () => host.tuntap.add({ name: 'tap0', mode: 'tap' }));
    this.hostLinks.add('tap0');
    await this.r.run('ip tuntap add dev tun0 mode tun', () => host.tuntap.add({ name: 'tun0', mode: 'tun' }));
    this.hostLinks.add('tun0');
    const list = await this.r.run('ip tuntap show', () => host.tuntap.list().collect(), (l) =>
      l.map((t) => `${t.name}: ${t.mode}${t.pi ? '' : ' no_pi'}${t.persist ? ' persist' : ''}`),
    );
    this.r.expect(list.length === 2 && list.every((t) => t.persist === true), 'both persistent, with no process holding them');
    await this.showLinks(undefined, 'tun0');
    await this.r.run('ip tuntap del dev tap0 mode tap', () => host.tuntap.del('tap0', { mode: 'tap' }));
    this.hostLinks.delete('tap0');
    await this.r.run('ip tuntap del dev tun0 mode tun', () => host.tuntap.del('tun0', { mode: 'tun' }));
    this.hostLinks.delete('tun0');

    this.r.step('6b', 'macvlan, bridge mode (chapter 1.10)', 'Two macvlan children of one veth end, each in a namespace of its own, talk through their parent.');
    await this.netnsAdd('ns3');
    await this.netnsAdd('ns4');
    await this.linkAdd(undefined, 'veth2 type veth peer name veth3', { name: 'veth2', type: 'veth', peer: { name: 'veth3' } });
    this.hostLinks.add('veth3');
    await this.up(undefined, 'veth2', 'veth3');
    await this.linkAdd(undefined, 'macvlan1 link veth2 netns ns3 type macvlan mode bridge', { name: 'macvlan1', type: 'macvlan', link: 'veth2', mode: 'bridge', netns: 'ns3' });
    await this.linkAdd(undefined, 'macvlan2 link veth2 netns ns4 type macvlan mode bridge', { name: 'macvlan2', type: 'macvlan', link: 'veth2', mode: 'bridge', netns: 'ns4' });
    await this.up('ns3', 'lo', 'macvlan1');
    await this.up('ns4', 'lo', 'macvlan2');
    await this.addrAdd('ns3', 'macvlan1', '10.123.6.1/24');
    await this.addrAdd('ns4', 'macvlan2', '10.123.6.2/24');
    await this.ping('ns3', ['10.123.6.2'], true, 'macvlan1 (ns3) → macvlan2 (ns4)');

    this.r.step('6c', 'vxlan (chapter 1.9)', 'Two namespaces joined by a veth underlay, and a vxlan tunnel (VNI 42) over it.');
    await this.netnsAdd('vtep1');
    await this.netnsAdd('vtep2');
    await this.linkAdd(undefined, 'veth0 netns vtep1 type veth peer name veth1 netns vtep2', { name: 'veth0', type: 'veth', netns: 'vtep1', peer: { name: 'veth1', netns: 'vtep2' } });
    const sides = [
      { ns: 'vtep1', under: 'veth0', local: '10.123.7.1', remote: '10.123.7.2', overlay: '10.123.8.1/24' },
      { ns: 'vtep2', under: 'veth1', local: '10.123.7.2', remote: '10.123.7.1', overlay: '10.123.8.2/24' },
    ];
    for (const s of sides) {
      await this.up(s.ns, 'lo', s.under);
      await this.addrAdd(s.ns, s.under, `${s.local}/24`);
      await this.linkAdd(s.ns, `vxlan0 type vxlan id 42 local ${s.local} remote ${s.remote} dev ${s.under} dstport 4789`, {
        name: 'vxlan0',
        type: 'vxlan',
        id: 42,
        local: s.local,
        remote: s.remote,
        dev: s.under,
        dstport: 4789,
      });
      await this.up(s.ns, 'vxlan0');
      await this.addrAdd(s.ns, 'vxlan0', s.overlay);
    }
    await this.ping('vtep1', ['10.123.8.2'], true, 'vtep1 → vtep2 through the tunnel');
    await this.echo('vtep2', 'vtep1', 'udp', '10.123.8.2', 7777, 'hello over vxlan 42', 'vtep1 → vtep2 through the tunnel');
    const rx = (await (await this.nl('vtep2')).link.get('vxlan0')).stats?.rxPackets ?? 0n;
    this.r.expect(rx > 0n, `vtep2's vxlan0 decapsulated ${rx} packets`);

    this.r.step('6d', 'ipip (chapter 1.8)', 'Over the same underlay, where the kernel has the ipip driver.');
    const v1 = await this.nl('vtep1');
    this.r.command(ip('vtep1', 'link add ipip0 type ipip local 10.123.7.1 remote 10.123.7.2'));
    const refused = await v1.link.add({ name: 'ipip0', type: 'ipip', local: '10.123.7.1', remote: '10.123.7.2' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (isNetlinkError(refused) && refused.code === 'EOPNOTSUPP') {
      this.r.output(`${refused.code}: ${refused.kernelMessage ?? refused.message}`);
      this.r.note(`skipped: this kernel has no ipip driver (it answered "${refused.kernelMessage ?? refused.message}")`);
    } else {
      if (refused !== undefined) throw refused;
      this.r.output(this.r.paint('green', 'ok'));
      await this.linkAdd('vtep2', 'ipip0 type ipip local 10.123.7.2 remote 10.123.7.1', { name: 'ipip0', type: 'ipip', local: '10.123.7.2', remote: '10.123.7.1' });
      await this.up('vtep1', 'ipip0');
      await this.up('vtep2', 'ipip0');
      await this.addrAdd('vtep1', 'ipip0', '10.123.9.1/24');
      await this.addrAdd('vtep2', 'ipip0', '10.123.9.2/24');
      await this.ping('vtep1', ['10.123.9.2'], true, 'vtep1 → vtep2 through ipip');
    }
    this.done.push('6');
  }

  /** The end of the walkthrough: delete what steps 5 and 6 kept, printed, and check nothing is left. */
  private async removeAll(host: Netlink): Promise<void> {
    this.r.step(8, 'clean up', 'Remove everything this walkthrough made.');
    for (const dev of ['veth0', 'veth1', 'br0', 'veth2']) if (this.hostLinks.has(dev)) await this.linkDel(undefined, dev);
    this.hostLinks.clear(); // the peers went with their pairs
    for (const name of [...this.namespaces]) await this.netnsDelete(name);
    const links = await host.link.list().collect();
    const names = await netns.list();
    await this.showLinks(undefined);
    this.r.expect(links.length === 1 && links[0]?.name === 'lo' && names.length === 0, 'the host holds only lo again, and no namespace is left');
  }

  /**
   * Deletes whatever is still there after a failure (quietly), stops echo servers and closes
   * every handle. Safe to call twice.
   */
  async cleanup(): Promise<void> {
    for (const s of this.servers) await s.stop().catch(() => undefined);
    this.servers.clear();
    const host = this.handles.get('');
    if (host) for (const dev of this.hostLinks) await host.link.del(dev).catch(() => undefined);
    this.hostLinks.clear();
    for (const h of this.handles.values()) h.close();
    this.handles.clear();
    for (const name of this.namespaces) await netns.delete(name).catch(() => undefined);
    this.namespaces.clear();
  }
}
