// Fixture files: loading, checking, saving; every kind of damage names the file, the record
// and the byte offset.
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixtureError, fixtureText, isFixtureError, loadFixture, parseFixture, saveFixture } from '../../../src/testing/index.js';

const FLOW = new URL('../../../fixtures/testing/flow.json', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'nlkit-fixture-'));
const text = readFileSync(FLOW, 'utf8');
const flow = JSON.parse(text) as { datagrams: Array<{ dir: string; hex: string; t: number }> };

function damaged(name: string, mutate: (f: typeof flow) => void): string {
  const copy = JSON.parse(text) as typeof flow;
  mutate(copy);
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(copy));
  return path;
}

function fails(t: Test, path: string, expected: { record?: number; offset?: number; reason: RegExp }) {
  try {
    loadFixture(path);
    t.fail('loads');
  } catch (e) {
    t.ok(isFixtureError(e), 'a FixtureError');
    const f = e as FixtureError;
    t.equal(f.file, path, 'names the file');
    t.equal(f.record, expected.record, 'names the record');
    t.equal(f.offset, expected.offset, 'gives the byte offset');
    t.match(f.reason, expected.reason);
    t.match(f.message, path);
  }
}

t.test('a recorded fixture loads, and saves to the same text', async (t) => {
  const fx = loadFixture(FLOW);
  t.equal(fx.family, 0);
  t.match(fx.kernel, /^\d+\.\d+/);
  t.same(fx.options, { extAck: true, strictCheck: true, capAck: true });
  t.equal(fx.datagrams.length, flow.datagrams.length);
  t.equal(fixtureText(fx), text, 'the text format is stable (one datagram per line)');
  const copy = join(dir, 'copy.json');
  saveFixture(copy, fx);
  t.same(loadFixture(copy), fx);
  t.same(loadFixture(FLOW.replace(/\.json$/, '.pcap')).datagrams.map((d) => d.dir).slice(0, 4), ['send', 'recv', 'send', 'recv'], 'a pcap loads as a fixture');
});

t.test('damage', async (t) => {
  const truncatedJson = join(dir, 'truncated.json');
  writeFileSync(truncatedJson, text.slice(0, 700));
  fails(t, truncatedJson, { offset: 700, reason: /^not valid JSON/ });
  fails(t, damaged('short.json', (f) => (f.datagrams[3]!.hex = f.datagrams[3]!.hex.slice(0, 200))), { record: 3, offset: 0, reason: /nlmsg_len 1128 overruns the datagram \(100 bytes left\): truncated/ });
  fails(t, damaged('odd.json', (f) => (f.datagrams[2]!.hex += 'a')), { record: 2, offset: 52, reason: /odd number of digits/ });
  fails(t, damaged('nonhex.json', (f) => (f.datagrams[1]!.hex = `${f.datagrams[1]!.hex.slice(0, 10)}zz${f.datagrams[1]!.hex.slice(12)}`)), { record: 1, offset: 5, reason: /non-hex character "z"/ });
  fails(t, damaged('dir.json', (f) => (f.datagrams[0]!.dir = 'sideways')), { reason: /"dir" must be "send" or "recv"/, record: 0 });
  // An attribute of record 3 (an RTM_NEWLINK answer) claims more bytes than its message has.
  fails(
    t,
    damaged('attr.json', (f) => {
      const b = Buffer.from(f.datagrams[3]!.hex, 'hex');
      b.writeUInt16LE(0xfff0, 32);
      f.datagrams[3]!.hex = b.toString('hex');
    }),
    { record: 3, offset: 32, reason: /overruns|too/ },
  );
  t.throws(() => parseFixture([], 'inline'), { message: 'inline: a fixture is a JSON object with "datagrams"' });
  t.throws(() => parseFixture({}, 'inline'), { message: 'inline: "datagrams" is missing or not an array' });
  t.throws(() => loadFixture(join(dir, 'missing.json')), { name: 'FixtureError', message: /missing\.json: cannot read/ });
});
