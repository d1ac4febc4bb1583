// FdWriter: text chunks of every size reach fd 1 as UTF-8, whole and in order (the CLI's stdout).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

t.test('FdWriter writes strings of any length as UTF-8, reusing its encoding room', async (t) => {
  // Pieces below, at and beyond the reused buffer's limits, with multi-byte characters, then bytes.
  const script = `
    const { FdWriter } = await import(${JSON.stringify(main)});
    const w = new FdWriter(1);
    for (const n of [0, 1, 100, 70000, 300000, 5]) w.write('ä✓' + 'x'.repeat(n) + '\\n');
    w.write(new TextEncoder().encode('bytes\\n'));
  `;
  const out = execFileSync(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const want = [0, 1, 100, 70000, 300000, 5].map((n) => 'ä✓' + 'x'.repeat(n) + '\n').join('') + 'bytes\n';
  t.equal(out.length, want.length);
  t.ok(out === want, 'same text');
});
