/**
 * What every `list()` of the high-level API returns: the objects of a kernel dump, converted one
 * by one as they stream in, iterable with `for await` or collected into an array.
 *
 * @example
 * ```ts
 * for await (const link of nl.link.list()) console.log(link.name);  // streaming
 * const links = await nl.link.list().collect();                     // all at once
 * ```
 * @module
 */
import type { DumpStream } from '../netlink/client.js';
import type { Message } from '../netlink/message.js';

/** A stream of converted dump results. `convert` may return undefined to skip a message. */
export class Listing<T> implements AsyncIterable<T> {
  private readonly source: () => DumpStream;
  private readonly convert: (m: Message) => T | undefined;

  constructor(source: () => DumpStream, convert: (m: Message) => T | undefined) {
    this.source = source;
    this.convert = convert;
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return new ListingIterator<T>(undefined, () => [this.source()], () => this.convert, undefined);
  }

  /** All results in an array. */
  async collect(): Promise<T[]> {
    const out: T[] = [];
    for (const m of await this.source().collect()) {
      const v = this.convert(m);
      if (v !== undefined) out.push(v);
    }
    return out;
  }
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ value: undefined, done: true });

/**
 * The iterator of a listing: runs `prepare`, then iterates the dumps of `sources()` one after
 * the other, converting each message with the converter `prepare`'s result selects, skipping
 * undefined, and going on to the next dump when a dump fails with an error `emptyOn` accepts.
 *
 * Written by hand rather than as an async generator (`for await` + `yield`): a converted message
 * is handed on in the same promise reaction that received it, without a generator's
 * suspend/resume and the extra awaits per `yield` (bench: replay/route-100k api stream spent
 * more time in the generator than in converting the routes). Calls of `next()` made before the
 * previous one settled are answered in order, as a generator answers them.
 */
export class ListingIterator<T, P = unknown> implements AsyncIterableIterator<T> {
  readonly #prepare: (() => Promise<P>) | undefined;
  readonly #sources: () => ReadonlyArray<AsyncIterable<Message>>;
  readonly #converter: (prepared: P) => (m: Message) => T | undefined;
  readonly #emptyOn: ((e: unknown) => boolean) | undefined;
  #convert: ((m: Message) => T | undefined) | undefined = undefined;
  #streams: ReadonlyArray<AsyncIterable<Message>> | undefined = undefined;
  #index = 0;
  #it: AsyncIterator<Message> | undefined = undefined;
  #finished = false;
  /** `next()` calls not settled yet, and the last of them (later calls wait for it). */
  #pending = 0;
  #tail: Promise<IteratorResult<T, undefined>> | undefined = undefined;

  /**
   * @param prepare Runs once before the first dump (e.g. reads the interface names).
   * @param sources The dumps, created after `prepare`.
   * @param converter The message converter, given what `prepare` returned.
   * @param emptyOn A dump that fails with such an error lists nothing (and the next dump follows).
   */
  constructor(
    prepare: (() => Promise<P>) | undefined,
    sources: () => ReadonlyArray<AsyncIterable<Message>>,
    converter: (prepared: P) => (m: Message) => T | undefined,
    emptyOn: ((e: unknown) => boolean) | undefined,
  ) {
    this.#prepare = prepare;
    this.#sources = sources;
    this.#converter = converter;
    this.#emptyOn = emptyOn;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<T, undefined>> {
    const p = this.#pending > 0 ? this.#tail!.then(this.#pull, this.#pull) : this.#pull();
    this.#pending++;
    this.#tail = p;
    p.then(this.#settled, this.#settled);
    return p;
  }

  readonly #settled = (): void => {
    this.#pending--;
  };

  /** The next result: from the current dump, else from starting the next one. */
  readonly #pull = (): Promise<IteratorResult<T, undefined>> => {
    if (this.#finished) return Promise.resolve(DONE);
    const it = this.#it;
    if (it === undefined) return this.#advance();
    return it.next().then(this.#step, this.#failed);
  };

  /** A message (or the end) of the current dump. */
  readonly #step = (r: IteratorResult<Message>): IteratorResult<T, undefined> | Promise<IteratorResult<T, undefined>> => {
    if (this.#finished) return DONE;
    if (r.done === true) {
      this.#it = undefined;
      this.#index++;
      return this.#advance();
    }
    let v: T | undefined;
    try {
      v = this.#convert!(r.value);
    } catch (e) {
      // As leaving a `for await` loop by an exception: the dump is closed first.
      const it = this.#it;
      this.#it = undefined;
      return Promise.resolve(it?.return?.()).then(() => this.#failed(e));
    }
    if (v === undefined) return this.#it!.next().then(this.#step, this.#failed);
    return { value: v, done: false };
  };

  /** The current dump failed: an empty listing for `emptyOn`'s errors (on to the next dump), else the end. */
  readonly #failed = (e: unknown): Promise<IteratorResult<T, undefined>> => {
    this.#it = undefined;
    if (!this.#finished && this.#emptyOn?.(e) === true) {
      this.#index++;
      return this.#advance();
    }
    this.#finished = true;
    return Promise.reject(e);
  };

  /** Prepares (the first time) and starts the next dump, or ends. */
  async #advance(): Promise<IteratorResult<T, undefined>> {
    if (this.#streams === undefined) {
      try {
        const prepared = this.#prepare === undefined ? (undefined as P) : await this.#prepare();
        this.#convert = this.#converter(prepared);
        this.#streams = this.#sources();
      } catch (e) {
        this.#finished = true;
        throw e;
      }
    }
    if (this.#finished || this.#index >= this.#streams.length) {
      this.#finished = true;
      return DONE;
    }
    let it: AsyncIterator<Message>;
    try {
      it = this.#streams[this.#index]![Symbol.asyncIterator]();
    } catch (e) {
      return this.#failed(e);
    }
    this.#it = it;
    return it.next().then(this.#step, this.#failed);
  }

  /** Leaving early (`break` in `for await`): the current dump is closed, the others are not started. */
  async return(): Promise<IteratorResult<T, undefined>> {
    this.#finished = true;
    const it = this.#it;
    this.#it = undefined;
    if (it?.return) await it.return();
    return DONE;
  }

  async throw(e?: unknown): Promise<IteratorResult<T, undefined>> {
    await this.return();
    throw e;
  }
}
