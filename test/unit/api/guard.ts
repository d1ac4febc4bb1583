/**
 * Mocks for argument-validation unit tests: every call that would touch the system (the native
 * binding, file-system writes and opens, child processes) is recorded and throws, so a test can
 * assert that bad input was refused before anything happened — and nothing can leak onto the
 * machine running the unit tests (which may be root) if a check is missing.
 *
 * tap's mocks reach only the modules the mocked module imports itself (its resolver cannot map
 * the `.js` specifiers of deeper TypeScript imports), so {@link mockedImport} also hands the
 * module a mocked netns-ref.js: the file opens there are trapped too.
 */
import type { Test } from 'tap';
import * as realFs from 'node:fs';
import * as realNative from '../../../src/native.js';

/** Code of the error every trapped call throws. */
export const TRAPPED = 'NLKIT_TEST_TRAPPED';

/** The recorded calls and the mocks for t.mockImport. */
export function guard(): { calls: string[]; mocks: Record<string, Record<string, unknown>> } {
  const calls: string[] = [];
  const trap =
    (name: string) =>
    (..._args: unknown[]): never => {
      calls.push(name);
      throw Object.assign(new Error(`unexpected call of ${name}`), { code: TRAPPED });
    };
  const fsTraps = ['mkdirSync', 'openSync', 'opendirSync', 'readdirSync', 'statSync', 'unlinkSync', 'watch', 'writeSync', 'readSync', 'closeSync', 'existsSync'];
  const fs: Record<string, unknown> = { ...realFs };
  for (const f of fsTraps) fs[f] = trap(`fs.${f}`);
  const native: Record<string, unknown> = {
    ...realNative,
    loadNative: () => new Proxy({}, { get: (_t, key) => trap(`native.${String(key)}`) }),
    nsexecPath: () => '/nonexistent/nlkit-nsexec',
  };
  const childProcess = { spawn: trap('child_process.spawn'), execFile: trap('child_process.execFile') };
  return {
    calls,
    mocks: {
      'node:fs': fs,
      'node:child_process': childProcess,
      '../../../src/native.js': native,
    },
  };
}

const REF = '../../../src/api/netns-ref.js';

/** Imports `path` (relative to this directory) with the traps, and with netns-ref.js trapped as well. */
export async function mockedImport<T>(t: Test, path: string, mocks: Record<string, Record<string, unknown>>): Promise<T> {
  const ref = await t.mockImport<Record<string, unknown>>(REF, mocks);
  return t.mockImport<T>(path, { ...mocks, [REF]: ref });
}
