// The TypeScript generated from protocol/ is committed; it must be what the generator makes of
// the specs today. `scripts/generate.mjs --check` exits 1 and names the stale files otherwise.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

t.test('generated code is up to date with protocol/', async (t) => {
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'generate.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  t.equal(
    r.status,
    0,
    r.status === 0 ? 'node scripts/generate.mjs --check' : `generated files are stale (run \`npm run generate\`):\n${output}`,
  );
  if (r.status !== 0) t.comment(output);
});
