// nlkit's generic netlink controller client against the real kernel, inside the private sandbox
// (see sandbox.ts), with iproute2's `genl` as the oracle for the same namespace: only `netnsok`
// families are visible outside the initial namespace, to both alike.
import t from 'tap';
import { closeSync, openSync } from 'node:fs';
import { enterSandbox, sh } from './sandbox.js';
import { netns } from '../../src/api/netns.js';
import { isNetlinkError } from '../../src/netlink/errors.js';
import { CTRL_CMD, familyPolicy, GENL_CTRL_GROUPS, GENL_ID_CTRL, GENL_OP_FLAGS, listFamilies, openGenericClient, resolveFamily, type GenericFamily } from '../../src/genetlink/index.js';

await enterSandbox();

const client = openGenericClient();
t.teardown(() => client.close());

/** `genl ctrl list` (in the namespace `ns`, or the sandbox's): names and ids, in its order. */
function genlList(ns?: string): Array<{ name: string; id: number }> {
  const text = ns === undefined ? sh('genl', ['ctrl', 'list']) : sh('ip', ['netns', 'exec', ns, 'genl', 'ctrl', 'list']);
  return [...text.matchAll(/^Name: (\S+)\s*\n\s*ID: (0x[0-9a-f]+)/gm)].map((m) => ({ name: m[1]!, id: Number(m[2]) }));
}
const brief = (list: GenericFamily[]) => list.map((f) => ({ name: f.name, id: f.id }));

t.test("resolveFamily('nlctrl'): the controller itself, id 16", async (t) => {
  const ctrl = await resolveFamily(client, 'nlctrl');
  t.equal(ctrl.id, 16);
  t.equal(ctrl.id, GENL_ID_CTRL);
  t.equal(ctrl.name, 'nlctrl');
  t.equal(ctrl.version, 2);
  t.equal(ctrl.mcastGroups['notify'], GENL_CTRL_GROUPS.notify, 'its notify group is 0x10 too');
  const getfamily = ctrl.ops.find((o) => o.id === CTRL_CMD.GETFAMILY);
  t.ok(getfamily && getfamily.flags & GENL_OP_FLAGS.CMD_CAP_DO && getfamily.flags & GENL_OP_FLAGS.CMD_CAP_DUMP, 'CTRL_CMD_GETFAMILY: do and dump');
  t.ok(ctrl.ops.some((o) => o.id === CTRL_CMD.GETPOLICY), 'CTRL_CMD_GETPOLICY');
  const text = sh('genl', ['ctrl', 'get', 'name', 'nlctrl']);
  t.match(text, new RegExp(`ID: 0x${ctrl.id.toString(16)}\\s+Version: 0x${ctrl.version.toString(16)}\\s+header size: ${ctrl.hdrsize}\\s+max attribs: ${ctrl.maxattr}`), 'as genl ctrl get prints it');
});

t.test('a family the kernel does not have: its ENOENT', async (t) => {
  const names = genlList().map((f) => f.name);
  for (const name of ['nl80211', 'nlkit-no-such']) {
    if (names.includes(name)) {
      t.comment(`${name} exists here; not asked`);
      continue;
    }
    const err = await resolveFamily(client, name).then(
      () => undefined,
      (e: unknown) => e,
    );
    t.ok(isNetlinkError(err), `${name}: a NetlinkError`);
    t.equal((err as { code?: string }).code, 'ENOENT', `${name}: ENOENT`);
    t.equal((err as { errno?: number }).errno, 2);
    t.equal((err as { request?: string }).request, 'GENL_ID_CTRL');
  }
  t.throws(() => sh('genl', ['ctrl', 'get', 'name', 'nl80211']), /No such file or directory/, 'genl gets the same answer');
  t.ok(!client.closed, 'the client lives on');
});

t.test('listFamilies equals genl ctrl list', async (t) => {
  const families = await listFamilies(client);
  const oracle = genlList();
  t.ok(oracle.length >= 2, `genl lists ${oracle.length} families`);
  t.same(families.map((f) => f.name), oracle.map((f) => f.name), 'the same names, in the same order');
  t.same(brief(families), oracle, 'with the same ids');
  for (const f of families) t.same(await resolveFamily(client, f.name), f, `resolveFamily('${f.name}') gives the dump's entry`);
});

t.test('familyPolicy: what genl ctrl policy prints', async (t) => {
  const p = await familyPolicy(client, 'nlctrl');
  const text = sh('genl', ['ctrl', 'policy', 'name', 'nlctrl']);
  for (const [cmd, pol] of Object.entries(p.ops)) {
    t.match(text, new RegExp(`op ${cmd} policies: ${[pol.do !== undefined ? `do=${pol.do}` : '', pol.dump !== undefined ? `dump=${pol.dump}` : ''].filter(Boolean).join(' ')}`), `op ${cmd}`);
  }
  let n = 0;
  for (const [idx, attrs] of Object.entries(p.policies)) for (const [attr] of Object.entries(attrs)) (n++, t.match(text, `policy[${idx}]:attr[${attr}]:`, `policy ${idx} attribute ${attr}`));
  t.equal(n, [...text.matchAll(/policy\[\d+\]:attr\[\d+\]:/g)].length, 'every attribute genl printed');
  const one = await familyPolicy(client, GENL_ID_CTRL, { op: CTRL_CMD.GETFAMILY });
  t.same(Object.keys(one.ops), [String(CTRL_CMD.GETFAMILY)], 'by id, one command');
});

t.test("a socket in another namespace sees that namespace's families", async (t) => {
  await netns.add('nlk-genl');
  const fd = openSync('/run/netns/nlk-genl', 'r');
  const other = openGenericClient({ netnsFd: fd }, { timeout: 10000 });
  t.teardown(() => {
    other.close();
    closeSync(fd);
  });
  t.same(brief(await listFamilies(other)), genlList('nlk-genl'), 'as genl there lists them');
  const sub = other.subscribe([GENL_CTRL_GROUPS.notify]);
  t.ok(sub, 'the notify group can be joined');
  sub.close();
});
