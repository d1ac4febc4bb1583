/**
 * The error of a corrupted or truncated fixture or capture: it names the file, the record and
 * the byte offset, so a broken fixture can be found and fixed by hand.
 *
 * @example
 * ```ts
 * try { loadFixture('fixtures/testing/broken.json'); }
 * catch (e) { if (isFixtureError(e)) console.log(e.file, e.record, e.offset); }
 * // FixtureError: fixtures/testing/broken.json: record 3, byte 20: nlmsg_len 400 overruns the datagram (36 bytes left)
 * ```
 * @module
 */

/**
 * A fixture or pcap file that cannot be used.
 *
 * @example
 * ```ts
 * new FixtureError('a.json', 3, 20, 'nlmsg_len 400 overruns the datagram').message;
 * // 'a.json: record 3, byte 20: nlmsg_len 400 overruns the datagram'
 * ```
 */
export class FixtureError extends Error {
  override readonly name = 'FixtureError';
  readonly code = 'NLKIT_ERR_BAD_FIXTURE';
  /** The file (or `<fixture>` for an object given in memory). */
  readonly file: string;
  /** Index of the record (datagram) at fault; undefined for the file as a whole. */
  readonly record: number | undefined;
  /** Byte offset of the problem: in the file for pcap and JSON text, in the datagram for a record's bytes. */
  readonly offset: number | undefined;
  /** What is wrong, without the position. */
  readonly reason: string;

  constructor(file: string, record: number | undefined, offset: number | undefined, reason: string) {
    const where = [record !== undefined ? `record ${record}` : undefined, offset !== undefined ? `byte ${offset}` : undefined].filter(Boolean).join(', ');
    super(`${file}: ${where ? `${where}: ` : ''}${reason}`);
    this.file = file;
    this.record = record;
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * Structural guard for {@link FixtureError}.
 *
 * @example
 * ```ts
 * try { loadFixture(path); } catch (e) { if (isFixtureError(e)) console.error(e.file, e.record, e.offset); }
 * ```
 */
export function isFixtureError(e: unknown): e is FixtureError {
  return e instanceof Error && e.name === 'FixtureError' && typeof (e as FixtureError).file === 'string';
}
