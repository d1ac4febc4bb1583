// The lazy loader of the native binding: no kernel, no root.
import t from 'tap';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const loadedNodeFiles = () => Object.keys(require.cache).filter((k) => k.endsWith('.node'));

t.test('importing src/native.ts loads nothing', async (t) => {
  const before = loadedNodeFiles();
  const mod = await import('../../src/native.js');
  t.type(mod.loadNative, 'function');
  t.same(loadedNodeFiles(), before, 'no .node file was required at import');
  t.equal(mod.CLONE_NEWNET, 0x40000000);
  t.equal(mod.TUNSETPERSIST, 0x400454cb);
});

t.test('a missing binding is NLKIT_ERR_NO_NATIVE', async (t) => {
  const { loadNative, nativeAvailable, nativePath, NLKIT_ERR_NO_NATIVE } = await import('../../src/native.js');
  const saved = process.env['NLKIT_NATIVE_PATH'];
  t.teardown(() => {
    if (saved === undefined) delete process.env['NLKIT_NATIVE_PATH'];
    else process.env['NLKIT_NATIVE_PATH'] = saved;
  });
  process.env['NLKIT_NATIVE_PATH'] = '/nonexistent/nlkit-test/nlkit.node';
  t.equal(nativePath(), '/nonexistent/nlkit-test/nlkit.node');
  t.throws(() => loadNative(), { code: NLKIT_ERR_NO_NATIVE, message: /npm (install|rebuild)/ });
  t.equal(NLKIT_ERR_NO_NATIVE, 'NLKIT_ERR_NO_NATIVE');
  t.equal(nativeAvailable(), false);

  // A file that exists but is no binding: also NLKIT_ERR_NO_NATIVE, with the cause.
  if (process.platform === 'linux') {
    process.env['NLKIT_NATIVE_PATH'] = '/proc/self/status';
    t.throws(() => loadNative(), { code: NLKIT_ERR_NO_NATIVE, message: /cannot be loaded/ });
  }
});

t.test('the built binding loads once, from the package root', async (t) => {
  const { loadNative, nativePath, nsexecPath } = await import('../../src/native.js');
  delete process.env['NLKIT_NATIVE_PATH'];
  t.match(nativePath(), /\/build\/Release\/nlkit\.node$/);
  t.match(nsexecPath(), /\/build\/Release\/nlkit-nsexec$/);
  if (process.platform !== 'linux' || !existsSync(nativePath())) {
    t.comment('the native binding is not built here');
    return;
  }
  const a = loadNative();
  t.equal(loadNative(), a, 'cached');
  t.same(
    Object.keys(a).sort(),
    [
      'bind', 'close', 'getsockopt', 'gettid', 'ioctlInt', 'mount', 'netnsCreate', 'openInNetns', 'recv', 'send',
      'setns', 'setsockopt', 'socket', 'tunOpen', 'umount2', 'unshare', 'watch',
    ],
    'exactly the documented functions',
  );
  t.ok(loadedNodeFiles().some((f) => f === nativePath()), 'now it is loaded');
});
