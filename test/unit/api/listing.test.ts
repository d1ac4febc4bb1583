// The iterator behind every `for await (... of nl.x.list())`: written by hand instead of as an
// async generator, it must behave as the generator did — prepare first, dumps one after the
// other, skipped messages, a dump failing with an "empty" error, other errors, `break`, and
// next() called again before the previous call settled.
import t from 'tap';
import type { Message } from '../../../src/netlink/message.js';
import { ListingIterator } from '../../../src/api/listing.js';

const msg = (seq: number): Message => ({ type: 'RTM_NEWROUTE', flags: [], seq, pid: 0, header: {}, attrs: {} });

/** A dump of `seqs`, failing with `error` after them when given; records whether it was closed early. */
function dump(seqs: number[], error?: Error): AsyncIterable<Message> & { closed: boolean; started: boolean } {
  const d = {
    closed: false,
    started: false,
    [Symbol.asyncIterator](): AsyncIterator<Message> {
      d.started = true;
      let i = 0;
      return {
        next: async () => {
          await null;
          if (i < seqs.length) return { value: msg(seqs[i++]!), done: false };
          if (error) throw error;
          return { value: undefined, done: true };
        },
        return: async () => {
          d.closed = true;
          return { value: undefined, done: true };
        },
      };
    },
  };
  return d;
}

const EMPTY = new Error('empty');
const convert = (names: Map<number, string>) => (m: Message) => (m.seq % 3 === 0 ? undefined : `${names.get(1)}:${m.seq}`);

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of it) out.push(v);
  return out;
}

t.test('prepare, then the dumps in order, skipping what converts to undefined', async (t) => {
  const order: string[] = [];
  const a = dump([1, 2, 3, 4]);
  const b = dump([5, 6]);
  const it = new ListingIterator(
    async () => {
      order.push('prepare');
      return new Map([[1, 'lo']]);
    },
    () => {
      order.push('sources');
      return [a, b];
    },
    convert,
    undefined,
  );
  t.strictSame(await all(it), ['lo:1', 'lo:2', 'lo:4', 'lo:5']);
  t.strictSame(order, ['prepare', 'sources']);
  t.strictSame(await it.next(), { value: undefined, done: true }, 'done stays done');
});

t.test('a dump failing with an "empty" error lists nothing and the next follows; other errors end it', async (t) => {
  const names = async () => new Map([[1, 'x']]);
  const emptyOn = (e: unknown) => e === EMPTY;
  t.strictSame(await all(new ListingIterator(names, () => [dump([1], EMPTY), dump([2])], convert, emptyOn)), ['x:1', 'x:2']);
  const boom = new Error('boom');
  const it = new ListingIterator(names, () => [dump([1], boom), dump([2])], convert, emptyOn);
  await t.rejects(all(it), boom);
  t.strictSame(await it.next(), { value: undefined, done: true });
  const failing = new ListingIterator(async () => {
    throw boom;
  }, () => [dump([1])], convert, emptyOn);
  await t.rejects(failing.next(), boom, 'prepare failing');
  t.strictSame(await failing.next(), { value: undefined, done: true });
});

t.test('a converter that throws closes the dump; its error goes through emptyOn like the dump errors', async (t) => {
  const d = dump([1, 2, 3]);
  const bad = new Error('bad');
  const it = new ListingIterator(undefined, () => [d, dump([7])], () => (m: Message) => {
    if (m.seq === 2) throw bad;
    return m.seq;
  }, (e) => e === bad);
  t.strictSame(await all(it), [1, 7]);
  t.equal(d.closed, true);
  const d2 = dump([1, 2, 3]);
  await t.rejects(all(new ListingIterator(undefined, () => [d2], () => (m: Message) => {
    if (m.seq === 2) throw bad;
    return m.seq;
  }, undefined)), bad);
  t.equal(d2.closed, true);
});

t.test('break closes the current dump and starts no other', async (t) => {
  const a = dump([1, 2, 4, 5]);
  const b = dump([7]);
  const it = new ListingIterator(async () => new Map([[1, 'y']]), () => [a, b], convert, undefined);
  for await (const v of it) if (v === 'y:2') break;
  t.equal(a.closed, true);
  t.equal(b.started, false);
  t.strictSame(await it.next(), { value: undefined, done: true });
});

t.test('next() called again before the last call settled: answers in order', async (t) => {
  const it = new ListingIterator(async () => new Map([[1, 'z']]), () => [dump([1, 3, 6, 2, 9, 4]), dump([5, 12, 7])], convert, undefined);
  const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next(), it.next()]);
  t.strictSame(
    results.map((r) => r.value),
    ['z:1', 'z:2', 'z:4', 'z:5', 'z:7', undefined],
  );
  t.equal(results[5]!.done, true);
});
