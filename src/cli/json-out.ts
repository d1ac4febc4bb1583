/**
 * JSON text exactly as iproute2's json_writer writes it: compact (`ip -j`) or pretty (`ip -j -p`,
 * with its peculiar layout: 4-space indents, `[ {` on one line, arrays of scalars on one line as
 * `[ "a","b" ]`, an empty array as `[ ]`). Strings are escaped like jsonw_puts (only `\t \n \r
 * \f \b \\ "`; other bytes as they are); 64-bit counters (bigint) keep all their digits.
 *
 * @example
 * ```ts
 * ipJsonText([{ ifname: 'lo', flags: ['UP'] }], false); // '[{"ifname":"lo","flags":["UP"]}]'
 * ipJsonText([{ ifname: 'lo', flags: ['UP'] }], true);  // '[ {\n        "ifname": "lo",\n        "flags": [ "UP" ]\n    } ]'
 * ```
 * @module
 */

/** The characters jsonw_puts escapes. */
const SPECIAL = /[\t\n\r\f\b\\"]/;

function quote(s: string): string {
  if (!SPECIAL.test(s)) return `"${s}"`;
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '\t':
        out += '\\t';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '"':
        out += '\\"';
        break;
      default:
        out += ch;
    }
  }
  return out + '"';
}

/** The writer's state, as json_writer keeps it. */
class Writer {
  out = '';
  depth = 0;
  sep = '';
  constructor(readonly pretty: boolean) {}

  private eol(): void {
    if (!this.pretty) return;
    this.out += '\n' + '    '.repeat(this.depth);
  }

  private eor(): void {
    if (this.sep) this.out += this.sep;
    this.sep = ',';
  }

  private begin(c: string): void {
    this.eor();
    this.out += c;
    this.depth++;
    this.sep = '';
  }

  private end(c: string): void {
    this.depth--;
    if (this.sep) this.eol();
    this.out += c;
    this.sep = ',';
  }

  name(n: string): void {
    this.eor();
    this.eol();
    this.sep = '';
    this.out += quote(n) + (this.pretty ? ': ' : ':');
  }

  scalar(text: string): void {
    this.eor();
    this.out += text;
  }

  value(v: unknown): void {
    if (v === null || v === undefined) return this.scalar('null');
    switch (typeof v) {
      case 'string':
        return this.scalar(quote(v));
      case 'number':
        return this.scalar(Number.isFinite(v) ? String(v) : 'null');
      case 'bigint':
        return this.scalar(v.toString());
      case 'boolean':
        return this.scalar(v ? 'true' : 'false');
    }
    if (Array.isArray(v)) {
      this.begin('[');
      if (this.pretty) this.out += ' ';
      for (const x of v) this.value(x);
      if (this.pretty && this.sep) this.out += ' ';
      this.sep = '';
      this.end(']');
      return;
    }
    this.begin('{');
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (x === undefined) continue;
      this.name(k);
      this.value(x);
    }
    this.end('}');
  }

  /** Opens the top-level array of a listing. */
  openArray(): void {
    this.begin('[');
    if (this.pretty) this.out += ' ';
  }

  /** Closes it. */
  closeArray(): void {
    if (this.pretty && this.sep) this.out += ' ';
    this.sep = '';
    this.end(']');
  }

  /** The text written since the last call. */
  take(): string {
    const t = this.out;
    this.out = '';
    return t;
  }
}

/** The JSON text of `value` as iproute2 writes it (no trailing newline). */
export function ipJsonText(value: unknown, pretty: boolean): string {
  const w = new Writer(pretty);
  w.value(value);
  return w.out;
}
