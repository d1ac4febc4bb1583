// The differential test: ONE scenario suite (differential-scenarios.ts) against the real kernel,
// in the sandbox, and against the mock kernel; decoded replies and dumps must agree field by
// field, except the values the suite lists as volatile. Run with NLKIT_UPDATE_FIXTURES=1 to
// refresh fixtures/testing/differential-kernel.json, which the unit copy of this test compares
// the mock against where there is no kernel to ask.
import t from 'tap';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { enterSandbox, sh } from './sandbox.js';
import { NetlinkClient } from '../../src/netlink/client.js';
import { routeProtocol } from '../../src/rtnetlink/index.js';
import { openNativeTransport } from '../../src/netlink/native-transport.js';
import { Netlink } from '../../src/api/netlink.js';
import { createMockKernel } from '../../src/testing/index.js';
import { diffValues } from '../../src/testing/diff.js';
import { normalize, runScenario, SCENARIO, type ScenarioEnv } from './differential-scenarios.js';

await enterSandbox();

const FIXTURE = new URL('../../fixtures/testing/differential-kernel.json', import.meta.url);

/** num_possible_cpus(): veth devices get that many queues. */
function possibleCpus(): number {
  const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
  return text.split(',').reduce((n, part) => {
    const [a, b] = part.split('-').map(Number);
    return n + (b === undefined ? 1 : b - a! + 1);
  }, 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const IFF_UP = 0x1;
const IFF_LOWER_UP = 0x10000;
const IFA_F_TENTATIVE = 0x40;
const IF_READY = 0x80000000;
const IF_RS_SENT = 0x10;

function kernelEnv(): ScenarioEnv & { close(): void } {
  const fds = new Map<string, number>();
  const clients = new Map<string, NetlinkClient>();
  const handles = new Map<string, Netlink>();
  const env: ScenarioEnv & { close(): void } = {
    name: 'kernel',
    async addNetns(n) {
      sh('ip', ['netns', 'add', n]);
    },
    async deleteNetns(n) {
      // The namespace is torn down later, in a work queue: note the veth ends elsewhere that
      // point into it, and wait below until they are gone with it.
      const peers: Array<[string, string]> = [];
      for (const other of clients.keys()) {
        if (other === n) continue;
        const c = env.client(other);
        const [m] = await c.request({ type: 'RTM_GETNSID', header: {}, attrs: { fd: env.netnsFd(n) } });
        const id = (m?.attrs as { nsid?: number } | undefined)?.nsid ?? -1;
        if (id < 0) continue;
        for (const l of await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: { ext_mask: 8 } }).collect()) {
          if ((l.attrs as { link_netnsid?: number }).link_netnsid === id) peers.push([other, (l.attrs as { ifname: string }).ifname]);
        }
      }
      clients.get(n)?.close();
      clients.delete(n);
      handles.get(n)?.close();
      handles.delete(n);
      const fd = fds.get(n);
      if (fd !== undefined) closeSync(fd);
      fds.delete(n);
      sh('ip', ['netns', 'del', n]);
      for (const deadline = Date.now() + 10_000; peers.length && Date.now() < deadline; ) {
        await sleep(100);
        for (let i = peers.length - 1; i >= 0; i--) {
          const [other, name] = peers[i]!;
          try {
            await env.client(other).request({ type: 'RTM_GETLINK', header: {}, attrs: { ifname: name, ext_mask: 8 } });
          } catch {
            peers.splice(i, 1);
          }
        }
      }
    },
    netnsFd(n) {
      let fd = fds.get(n);
      if (fd === undefined) fds.set(n, (fd = openSync(`/run/netns/${n}`, 'r')));
      return fd;
    },
    client(ns) {
      let c = clients.get(ns);
      if (!c) clients.set(ns, (c = new NetlinkClient(openNativeTransport({ protocol: 0, ...(ns && { netnsFd: env.netnsFd(ns) }) }), routeProtocol())));
      return c;
    },
    async netlink(ns) {
      let nl = handles.get(ns);
      if (!nl) handles.set(ns, (nl = await Netlink.open(ns ? { netns: { fd: env.netnsFd(ns) } } : {})));
      return nl;
    },
    /**
     * The kernel finishes some work later (linkwatch up to a second, DAD and the router
     * solicitation after it): wait until the dumps stop changing for 1.5 s
     * and no address of a link with carrier is still tentative, nor a ready link's RS unsent.
     */
    async settle(namespaces) {
      const deadline = Date.now() + 10_000;
      let last = '';
      let since = Date.now();
      for (;;) {
        await sleep(150);
        let busy = false;
        const snaps: unknown[] = [];
        for (const ns of namespaces) {
          const c = env.client(ns);
          const links = await c.dump({ type: 'RTM_GETLINK', header: {}, attrs: { ext_mask: 8 } }).collect();
          const addrs = await c.dump({ type: 'RTM_GETADDR', header: {}, attrs: {} }).collect();
          const routes = await c.dump({ type: 'RTM_GETROUTE', header: {}, attrs: {} }).collect();
          const carrier = new Set(links.filter((m) => ((m.header as { flags: number }).flags & (IFF_UP | IFF_LOWER_UP)) === (IFF_UP | IFF_LOWER_UP)).map((m) => (m.header as { index: number }).index));
          for (const a of addrs) {
            const h = a.header as { family: number; index: number; flags: number };
            if (h.family === 10 && (((a.attrs as { flags?: number }).flags ?? h.flags) & IFA_F_TENTATIVE) && carrier.has(h.index)) busy = true;
          }
          for (const l of links) {
            const f = ((l.attrs as { af_spec?: { inet6?: { flags?: number } } }).af_spec?.inet6?.flags ?? 0) >>> 0;
            const index = (l.header as { index: number }).index;
            const hasLL = addrs.some((a) => (a.header as { index: number; scope: number }).index === index && (a.header as { scope: number }).scope === 253);
            if (f & IF_READY && hasLL && !(f & IF_RS_SENT)) busy = true;
          }
          snaps.push(normalize({ s: { dumps: { [ns || 'host']: { links, addrs, routes, neighs: [] } } } }));
        }
        const snap = JSON.stringify(snaps);
        if (snap !== last) {
          last = snap;
          since = Date.now();
        } else if (!busy && Date.now() - since >= 1500) return;
        if (Date.now() > deadline) return;
      }
    },
    close() {
      for (const c of clients.values()) c.close();
      for (const h of handles.values()) h.close();
      for (const fd of fds.values()) closeSync(fd);
    },
  };
  return env;
}

function mockEnv(cpus: number): ScenarioEnv & { close(): void } {
  const mock = createMockKernel({ cpus });
  const clients = new Map<string, NetlinkClient>();
  const handles = new Map<string, Netlink>();
  return {
    name: 'mock',
    async addNetns(n) {
      mock.netns.add(n);
    },
    async deleteNetns(n) {
      clients.get(n)?.close();
      clients.delete(n);
      handles.get(n)?.close();
      handles.delete(n);
      mock.netns.delete(n);
    },
    netnsFd: (n) => mock.netns.fd(n),
    client(ns) {
      let c = clients.get(ns);
      if (!c) clients.set(ns, (c = new NetlinkClient(mock.transport({ netns: ns }), routeProtocol())));
      return c;
    },
    async netlink(ns) {
      let nl = handles.get(ns);
      if (!nl) handles.set(ns, (nl = await Netlink.open({ transport: mock.transport({ netns: ns }) })));
      return nl;
    },
    async settle() {},
    close() {
      for (const c of clients.values()) c.close();
      for (const h of handles.values()) h.close();
    },
  };
}

const cpus = possibleCpus();
const kernel = kernelEnv();
const mock = mockEnv(cpus);
const rawReal = await runScenario(kernel);
const rawFake = await runScenario(mock);
const real = normalize(rawReal);
const fake = normalize(rawFake);
// NLKIT_DIFF_RAW=dir keeps both raw transcripts, to study a disagreement.
const rawDir = process.env['NLKIT_DIFF_RAW'];
if (rawDir) {
  const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x), 1);
  writeFileSync(`${rawDir}/kernel.json`, text(rawReal));
  writeFileSync(`${rawDir}/mock.json`, text(rawFake));
}
kernel.close();
mock.close();

t.equal(Object.keys(real).length, SCENARIO.length, `every step ran on the kernel (${SCENARIO.length})`);
t.ok(SCENARIO.filter((s) => s.id.startsWith('O') || s.id.startsWith('A')).length >= 40, 'at least 40 operations beyond the walkthrough');
for (const step of SCENARIO) {
  const diffs = diffValues(real[step.id], fake[step.id]);
  t.same(fake[step.id], real[step.id], `${step.id}${diffs.length ? `: ${diffs.slice(0, 8).join('; ')}` : ''}`);
}

if (process.env['NLKIT_UPDATE_FIXTURES'] === '1') {
  mkdirSync(new URL('.', FIXTURE), { recursive: true });
  // One step per line, so a change of the kernel's behaviour shows as a readable diff.
  const json = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  const steps = Object.entries(real).map(([id, v]) => `  ${json(id)}: ${json(v)}`);
  writeFileSync(FIXTURE, `{"kernel": ${json(release())}, "cpus": ${cpus}, "transcript": {\n${steps.join(',\n')}\n}}\n`);
  t.pass(`wrote ${FIXTURE.pathname}`);
}
