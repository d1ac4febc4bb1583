// Batch files as ip reads them (comments, continuation lines, quotes, line numbers). What a batch
// sends, its stop semantics and -force are in batch-fast.test.ts.
import t from 'tap';
import { parseBatch } from '../../../src/cli/batch.js';

t.test('parseBatch: getcmdline + makeargs', async (t) => {
  const text = [
    '# comment',
    '',
    'link add v0 type veth peer name v1   # trailing',
    'link set dev v0 alias "two words" up',
    'addr add 10.123.0.1/24 \\',
    '   dev v0',
    '\t route   show  ',
  ].join('\n');
  t.same(parseBatch(text), [
    { line: 3, words: ['link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'] },
    { line: 4, words: ['link', 'set', 'dev', 'v0', 'alias', 'two words', 'up'] },
    { line: 6, words: ['addr', 'add', '10.123.0.1/24', 'dev', 'v0'] },
    { line: 7, words: ['route', 'show'] },
  ]);
  // '#' ends the line even inside quotes, as in ip: the quote is then unterminated
  t.throws(() => parseBatch("link set v0 alias 'x#y'\n"), { name: 'CliExit', text: 'Unterminated quoted string\n' });
  t.throws(() => parseBatch('link show \\'), { name: 'CliExit', text: 'Missing continuation line\n' });
  t.same(parseBatch('a\r\nb\n'), [
    { line: 1, words: ['a'] },
    { line: 2, words: ['b'] },
  ]);
});
