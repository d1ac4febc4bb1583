// netns.* refuses bad input with an ArgumentError naming the argument, before touching anything:
// the binding, the file system and child_process are mocked to record and throw (see guard.ts).
import t, { type Test } from 'tap';
import { guard, mockedImport, TRAPPED } from './guard.js';

const { calls, mocks } = guard();
const { netns } = await mockedImport<typeof import('../../../src/api/netns.js')>(t, '../../../src/api/netns.js', mocks);

const BAD_NAMES: unknown[] = ['', '.', '..', 'a/b', '/abs', 'a\0b', 'x'.repeat(256), 'é'.repeat(128), 5, null, undefined];

/** Expects an ArgumentError for `argument` and no system call. */
async function refuses(t: Test, p: Promise<unknown> | (() => unknown), argument: string, what: string): Promise<void> {
  calls.length = 0;
  const run = typeof p === 'function' ? Promise.resolve().then(p) : p;
  await t.rejects(run, { name: 'ArgumentError', code: 'NLKIT_ERR_INVALID_ARG', argument }, what);
  t.same(calls, [], `${what}: nothing touched`);
}

t.test('namespace names', async (t) => {
  for (const bad of BAD_NAMES) {
    const label = JSON.stringify(typeof bad === 'string' ? bad.slice(0, 12) : bad) ?? String(bad);
    await refuses(t, netns.add(bad as string), 'name', `add(${label})`);
    await refuses(t, netns.delete(bad as string), 'name', `delete(${label})`);
    await refuses(t, netns.attach(bad as string, 1), 'name', `attach(${label})`);
    await refuses(t, netns.pids(bad as string), 'name', `pids(${label})`);
    await refuses(t, netns.exec(bad as string, ['true']), 'name', `exec(${label})`);
    await refuses(t, () => netns.spawn(bad as string, ['true']), 'name', `spawn(${label})`);
    await refuses(t, netns.set(bad as string, 1), 'name', `set(${label})`);
    await refuses(t, netns.exists(bad as string), 'name', `exists(${label})`);
  }
  // 255 bytes is the limit, counted in bytes: 127 two-byte characters plus one ASCII fit.
  calls.length = 0;
  await t.rejects(netns.add('é'.repeat(127) + 'x'), { code: TRAPPED }, 'a 255-byte name passes the check');
  t.same(calls.slice(0, 1), ['fs.mkdirSync'], '... and reaches the system (first step: mkdir /run/netns)');
});

t.test('pids, nsids, argv and options', async (t) => {
  for (const pid of [0, -1, 1.5, 2 ** 31, '12', NaN]) {
    await refuses(t, netns.attach('ok', pid as number), 'pid', `attach pid ${String(pid)}`);
    await refuses(t, netns.identify(pid as number), 'pid', `identify pid ${String(pid)}`);
  }
  for (const nsid of [-1, -2, 1.5, 2 ** 31, 'automatic', null]) await refuses(t, netns.set('ok', nsid as number), 'nsid', `set nsid ${String(nsid)}`);
  for (const argv of [[], 'ls', [''], [1], ['ls', 'a\0b']]) await refuses(t, netns.exec('ok', argv as string[]), 'argv', `exec argv ${JSON.stringify(argv)}`);
  await refuses(t, netns.exec('ok', ['true'], { timeout: 0 }), 'timeout', 'exec timeout 0');
  await refuses(t, netns.exec('ok', ['true'], { timeout: 1.5 }), 'timeout', 'exec timeout 1.5');
  await refuses(t, netns.exec('ok', ['true'], { input: 5 as never }), 'input', 'exec input');
  await refuses(t, netns.exec('ok', ['true'], { cwd: '' }), 'cwd', 'exec cwd');
  await refuses(t, netns.exec('ok', ['true'], { env: null as never }), 'env', 'exec env');
  await refuses(t, netns.exec('ok', ['true'], { stdio: 'inherit' } as never), 'exec option', 'exec unknown option');
  await refuses(t, () => netns.spawn('ok', ['true'], { shell: true } as never), 'options', 'spawn shell');
  await refuses(t, netns.listId({ target: 1 } as never), 'list-id option', 'listId unknown option');
  await refuses(t, netns.listId({ targetNsid: -1 }), 'targetNsid', 'listId targetNsid');
  await refuses(t, () => netns.monitor({ signal: {} as never }), 'signal', 'monitor signal');
  await refuses(t, () => netns.monitor({ bogus: 1 } as never), 'monitor option', 'monitor unknown option');
  await refuses(t, () => netns.open({ path: '' }), 'netns path', 'open empty path');
  await refuses(t, () => netns.open({ fd: -1 }), 'netns fd', 'open fd -1');
  await refuses(t, () => netns.open({ bogus: 1 } as never), 'netns', 'open unknown ref');
  await refuses(t, () => netns.open(null as never), 'netns', 'open null');

  // Valid input does reach the system (so the checks above are not vacuous).
  calls.length = 0;
  await t.rejects(netns.exec('ok', ['true'], { timeout: 10, input: 'x', cwd: '/', env: {} }), { code: TRAPPED });
  t.same(calls, ['fs.openSync'], 'a valid exec first opens the namespace');
  calls.length = 0;
  await t.rejects(netns.identify(1), { code: TRAPPED });
  t.same(calls, ['fs.statSync'], 'a valid identify first stats /proc/1/ns/net');
});
