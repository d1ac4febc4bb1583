// The unit copy of the differential test: the same scenario suite (test/kernel/
// differential-scenarios.ts) on the mock kernel alone, no root, compared with what the real
// kernel answered when test/kernel/differential.test.ts last ran with NLKIT_UPDATE_FIXTURES=1
// (fixtures/testing/differential-kernel.json).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { NetlinkClient } from '../../../src/netlink/client.js';
import { routeProtocol } from '../../../src/rtnetlink/index.js';
import { Netlink } from '../../../src/api/netlink.js';
import { createMockKernel } from '../../../src/testing/index.js';
import { diffValues } from '../../../src/testing/diff.js';
import { normalize, runScenario, SCENARIO, type ScenarioEnv } from '../../kernel/differential-scenarios.js';

interface Recorded {
  kernel: string;
  cpus: number;
  transcript: Record<string, unknown>;
}
const recorded = JSON.parse(readFileSync(new URL('../../../fixtures/testing/differential-kernel.json', import.meta.url), 'utf8')) as Recorded;

const mock = createMockKernel({ cpus: recorded.cpus });
const clients = new Map<string, NetlinkClient>();
const handles = new Map<string, Netlink>();
const env: ScenarioEnv = {
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
};

const fake = normalize(await runScenario(env));
for (const c of clients.values()) c.close();
for (const h of handles.values()) h.close();

t.comment(`compared with kernel ${recorded.kernel} (${recorded.cpus} CPUs)`);
t.same(Object.keys(recorded.transcript), SCENARIO.map((s) => s.id), 'the fixture has the steps of the suite (re-record it when the suite changes)');
for (const step of SCENARIO) {
  const diffs = diffValues(recorded.transcript[step.id], fake[step.id]);
  t.same(fake[step.id], recorded.transcript[step.id], `${step.id}${diffs.length ? `: ${diffs.slice(0, 8).join('; ')}` : ''}`);
}
