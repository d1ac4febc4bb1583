// The fake socket of nlkit/testing, and the example of its documentation: a tiny "CNI-like"
// function tested without a kernel.
import t from 'tap';
import { Netlink } from '../../../src/api/netlink.js';
import { NetlinkClient } from '../../../src/netlink/client.js';
import { isNetlinkError } from '../../../src/netlink/errors.js';
import { routeProtocol } from '../../../src/rtnetlink/index.js';
import { ack, answerType, assertSent, done, dump, errno, error, fakeTransport, reply, sentMatching } from '../../../src/testing/index.js';

// ---------------------------------------------------------------------------------------------
// The example: code under test, as a plugin would write it.

/** Connects a pod: a veth pair whose pod end gets an address; an existing host end is reused. */
async function connectPod(nl: Netlink, pod: { hostIf: string; podIf: string; cidr: string }): Promise<'created' | 'reused'> {
  let outcome: 'created' | 'reused' = 'created';
  try {
    await nl.link.add({ name: pod.hostIf, type: 'veth', peer: { name: pod.podIf } });
  } catch (e) {
    if (!isNetlinkError(e) || e.code !== 'EEXIST') throw e;
    outcome = 'reused';
  }
  await nl.addr.add(pod.podIf, pod.cidr);
  await nl.link.set(pod.podIf, { up: true });
  await nl.link.set(pod.hostIf, { up: true });
  return outcome;
}

/** A fake kernel for it: it knows two ifindexes and can be told that the pair exists. */
function fakeKernel(opts: { exists?: boolean; addrError?: string } = {}) {
  const index: Record<string, number> = { veth0: 7, eth0: 8 };
  return fakeTransport((req) => {
    switch (req.type) {
      case 'RTM_GETLINK': {
        const name = (req.attrs as { ifname?: string }).ifname;
        if (name === undefined || index[name] === undefined) return error(req, 'ENODEV');
        return reply(req, { header: { index: index[name] }, attrs: { ifname: name } });
      }
      case 'RTM_NEWLINK':
        if (opts.exists && req.flags.includes('NLM_F_EXCL')) return error(req, 'EEXIST');
        return ack(req);
      case 'RTM_NEWADDR':
        return opts.addrError ? error(req, opts.addrError, { message: 'ipv4: Address already assigned' }) : ack(req);
      default:
        return error(req, 'EOPNOTSUPP');
    }
  });
}

t.test('example: a CNI-like function tested with the fake socket', async (t) => {
  const transport = fakeKernel();
  const nl = await Netlink.open({ transport });
  t.equal(await connectPod(nl, { hostIf: 'veth0', podIf: 'eth0', cidr: '10.123.9.2/24' }), 'created');
  assertSent(transport, { type: 'RTM_NEWLINK', flags: ['NLM_F_CREATE', 'NLM_F_EXCL'], attrs: { ifname: 'veth0', linkinfo: { kind: 'veth', data: { peer: { attrs: { ifname: 'eth0' } } } } } });
  assertSent(transport, { type: 'RTM_NEWADDR', header: { family: 2, prefixlen: 24, index: 8 }, attrs: { local: '10.123.9.2' } });
  t.equal(sentMatching(transport, { type: 'RTM_NEWLINK', header: { flags: 1, change: 1 } }).length, 2, 'both ends set up');
  nl.close();
});

t.test('example: the error paths', async (t) => {
  const existing = fakeKernel({ exists: true });
  const nl = await Netlink.open({ transport: existing });
  t.equal(await connectPod(nl, { hostIf: 'veth0', podIf: 'eth0', cidr: '10.123.9.2/24' }), 'reused', 'EEXIST of the pair is handled');
  nl.close();
  const taken = fakeKernel({ addrError: 'EEXIST' });
  const nl2 = await Netlink.open({ transport: taken });
  await t.rejects(connectPod(nl2, { hostIf: 'veth0', podIf: 'eth0', cidr: '10.123.9.2/24' }), {
    name: 'NetlinkError',
    code: 'EEXIST',
    kernelMessage: 'ipv4: Address already assigned',
  });
  nl2.close();
});

t.test('builders and inspection', async (t) => {
  const t2 = fakeTransport((req) => {
    if (req.type === 'RTM_GETLINK' && req.flags.includes('NLM_F_DUMP')) return dump(req, [{ header: { index: 1 }, attrs: { ifname: 'lo' } }, { header: { index: 2 }, attrs: { ifname: 'veth0' } }]);
    if (req.type === 'RTM_GETADDR') return { datagrams: [dump(req, [{ header: { family: 2, index: 1 }, attrs: { local: '127.0.0.1' } }]).slice(0, 1), done(req)] };
    if (req.type === 'RTM_SETLINK') return error(req, errno('EINVAL'), { message: 'mtu less than device minimum', offset: 32 });
    return ack(req);
  });
  const c = new NetlinkClient(t2, routeProtocol());
  const links = await c.dump({ type: 'RTM_GETLINK', header: {} }).collect();
  t.same(links.map((m) => [m.type, (m.attrs as { ifname: string }).ifname, m.flags.includes('NLM_F_MULTI')]), [['RTM_NEWLINK', 'lo', true], ['RTM_NEWLINK', 'veth0', true]]);
  t.equal((await c.dump({ type: 'RTM_GETADDR', header: {} }).collect()).length, 1, 'a dump split over two datagrams');
  const err = await c.request({ type: 'RTM_SETLINK', header: { index: 2 }, attrs: { mtu: 10 } }).catch((e: unknown) => e);
  t.match(err, { code: 'EINVAL', kernelMessage: 'mtu less than device minimum', offset: 32, attributePath: 'IFLA_MTU' }, 'the ext-ack offset resolves against the request');
  t.same(await c.request({ type: 'RTM_NEWLINK', header: { index: 2 }, attrs: { mtu: 1400 } }), []);
  t.equal(t2.sent().length, 4);
  t.equal(t2.lastSent()?.type, 'RTM_NEWLINK');
  t.throws(() => assertSent(t2, { type: 'RTM_NEWLINK', attrs: { mtu: 1500 } }), { code: 'ERR_ASSERTION', message: 'no RTM_NEWLINK sent matches; the closest differs:\n  attrs.mtu: expected 1500, got 1400' });
  t.throws(() => assertSent(t2, { type: 'RTM_DELLINK' }), { message: 'no RTM_DELLINK was sent (sent: RTM_GETLINK, RTM_GETADDR, RTM_SETLINK, RTM_NEWLINK)' });
  t2.clearSent();
  t.same(t2.sent(), []);
  t.equal(answerType('RTM_GETROUTE'), 'RTM_NEWROUTE');
  t.throws(() => error(t2.lastSent() ?? { type: 'X', flags: [], seq: 0, pid: 0, header: {}, attrs: {} }, 'ENOTANERRNO'), RangeError);
  c.close();
});

t.test('notifications and overruns', async (t) => {
  const f = fakeTransport(() => undefined);
  const c = new NetlinkClient(f, routeProtocol());
  const sub = c.subscribe([1]);
  t.ok(f.groups.has(1));
  f.notify({ type: 'RTM_NEWLINK', header: { index: 5 }, attrs: { ifname: 'veth9' } });
  f.injectError('ENOBUFS', 105);
  const seen: unknown[] = [];
  for await (const ev of sub) {
    seen.push('attrs' in ev ? (ev.attrs as { ifname: string }).ifname : ev.type);
    if (seen.length === 2) break;
  }
  t.same(seen, ['veth9', 'overrun']);
  c.close();
});
