// The CLI runs unchanged on the mock kernel of nlkit/testing: no root, no kernel.
import t from 'tap';
import { main, type CliIo } from '../../../src/cli/main.js';
import { createMockKernel } from '../../../src/testing/index.js';

function run(kernel: ReturnType<typeof createMockKernel>, argv: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (c) => (out += String(c)) },
    stderr: { write: (c) => (err += String(c)) },
    stdin: (async function* () {
      if (stdin) yield stdin;
    })(),
    transport: (ns) => kernel.transport(ns === undefined ? {} : { netns: ns }),
  };
  return main(argv, io).then((code) => ({ code, out, err }));
}

t.test('the walkthrough configuration through nlkit on the mock kernel', async (t) => {
  const kernel = createMockKernel();
  kernel.netns.add('ns1');
  t.equal((await run(kernel, ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1'])).code, 0);
  t.equal((await run(kernel, ['addr', 'add', '10.123.1.1/24', 'dev', 'veth0'])).code, 0);
  t.equal((await run(kernel, ['link', 'set', 'veth0', 'up'])).code, 0);
  t.equal((await run(kernel, ['-n', 'ns1', 'link', 'set', 'lo', 'up'])).code, 0);

  const links = JSON.parse((await run(kernel, ['-j', 'link', 'show'])).out) as Array<{ ifname: string; flags: string[]; link?: string }>;
  t.same(links.map((l) => l.ifname).sort(), ['lo', 'veth0', 'veth1']);
  const veth0 = links.find((l) => l.ifname === 'veth0')!;
  t.equal(veth0.link, 'veth1', 'the peer by name');
  t.ok(veth0.flags.includes('UP'));
  t.notOk(veth0.flags.includes('LOWER_UP'), 'no carrier while the peer is down');

  const addrs = JSON.parse((await run(kernel, ['-j', '-4', 'addr', 'show', 'dev', 'veth0'])).out) as Array<{ addr_info: Array<{ local: string; prefixlen: number }> }>;
  t.same(addrs[0]!.addr_info.map((a) => `${a.local}/${a.prefixlen}`), ['10.123.1.1/24']);
  const routes = (await run(kernel, ['route', 'show'])).out;
  t.match(routes, /10\.123\.1\.0\/24 dev veth0 proto kernel scope link src 10\.123\.1\.1/);

  const lo = JSON.parse((await run(kernel, ['-n', 'ns1', '-j', 'link', 'show', 'lo'])).out) as Array<{ operstate: string }>;
  t.equal(lo[0]!.operstate, 'UNKNOWN', 'lo up in ns1');
});

t.test('errors as ip prints them, from the mock kernel', async (t) => {
  const kernel = createMockKernel();
  await run(kernel, ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
  const again = await run(kernel, ['link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
  t.equal(again.code, 2);
  t.match(again.err, /RTNETLINK answers: File exists/);
  const missing = await run(kernel, ['link', 'set', 'nope', 'up']);
  t.equal(missing.code, 1);
  t.match(missing.err, /Cannot find device "nope"/);
});

t.test('-batch on the mock kernel', async (t) => {
  const kernel = createMockKernel();
  const r = await run(kernel, ['-batch', '-'], 'link add veth0 type veth peer name veth1\naddr add 10.123.2.1/24 dev veth0\naddr add 10.123.2.1/24 dev veth0\n');
  t.equal(r.code, 1);
  t.match(r.err, /Command failed -:3/);
  const addrs = JSON.parse((await run(kernel, ['-j', 'addr', 'show', 'dev', 'veth0'])).out) as Array<{ addr_info: Array<{ local: string }> }>;
  t.same(addrs[0]!.addr_info.filter((a) => a.local.includes('.')).map((a) => a.local), ['10.123.2.1']);
});
