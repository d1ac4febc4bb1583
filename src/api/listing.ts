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

  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for await (const m of this.source()) {
      const v = this.convert(m);
      if (v !== undefined) yield v;
    }
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
