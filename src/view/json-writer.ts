/**
 * JSON text exactly as iproute2's `json_writer.c` writes it, written as the renderers print
 * instead of from a finished value tree: compact (`ip -j`) or pretty (`ip -j -p`: 4-space
 * indents, `[ {` on one line, arrays of scalars on one line as `[ "a","b" ]`, an empty array as
 * `[ ]`). Strings are escaped as `jsonw_puts` escapes them (only `\t \n \r \f \b \\ "`; other
 * characters as they are); 64-bit counters (bigint) keep all their digits.
 *
 * The text is that of the value tree {@link IpPrinter} builds, serialised as the command line's
 * `ipJsonText` (src/cli/json-out.ts) serialises it, as long as the renderer puts each key once per
 * object and no key looks like an array index (a JavaScript object moves those first). The
 * writer notices both (see {@link IpJsonWriter.irregular}); {@link ListingWriter} then renders
 * that one object again through the tree. (The one text `JSON.stringify` would write otherwise:
 * a lone UTF-16 surrogate, which it escapes and jsonw_puts does not; decoded kernel strings never
 * hold one.)
 *
 * @module
 */

/** A JSON value as ip prints it (bigint for integers beyond 2^53). */
type Value = unknown;

/** Frame kinds of the writer's stack. */
const OBJECT = 0;
const ARRAY = 1;
/** A container put into an object without a key: the tree drops it, so nothing inside is written. */
const DROPPED = 2;

const SPECIAL = /[\t\n\r\f\b\\"]/;

/** A string as jsonw_puts writes it, quoted. */
export function jsonQuote(s: string): string {
  // Short strings (addresses, names, keys: nearly all of them) are checked by a loop, longer ones by the regex.
  if (s.length <= 32) {
    let plain = true;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x22 || c === 0x5c || (c <= 0x0d && c >= 0x08)) {
        plain = false;
        break;
      }
    }
    if (plain) return '"' + s + '"';
  } else if (!SPECIAL.test(s)) return '"' + s + '"';
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

/** Whether a key would not keep its place in a JavaScript object (an array index, or `__proto__`). */
function unusualKey(k: string): boolean {
  const c = k.charCodeAt(0);
  return (c >= 0x30 && c <= 0x39) || k === '__proto__';
}

/** A line break and the indent of `depth` (json_writer's `jsonw_eol` in pretty mode). */
const INDENTS: string[] = [];
/** Keys whose text is remembered per writer (renderers use literal keys: a few hundred). */
const MAX_KEY_TEXTS = 1024;
function indent(depth: number): string {
  for (let d = INDENTS.length; d <= depth; d++) INDENTS.push('\n' + '    '.repeat(d));
  return INDENTS[depth]!;
}

/**
 * The json_writer state machine (separator, depth) plus the stack of open containers of the
 * object being rendered. {@link IpPrinter} drives it in its streaming JSON mode.
 */
export class IpJsonWriter {
  /** `ip -j -p` layout. */
  readonly pretty: boolean;
  /** Text written since the last {@link take}. */
  out = '';
  /** Set when the object being rendered put a key twice in one object, or an array-index key. */
  irregular = false;
  private depth = 0;
  private sep = '';
  /** Kinds of the open containers (OBJECT, ARRAY, DROPPED), `top + 1` of them. */
  private readonly kinds: number[] = [];
  /** Where each open container's keys begin in `keys`. */
  private readonly keyStarts: number[] = [];
  private top = -1;
  /** Keys put so far in the open objects, flat, `nkeys` of them. */
  private readonly keys: string[] = [];
  private nkeys = 0;
  /** Depth of DROPPED containers open (nothing is written while > 0). */
  private dropped = 0;
  /** The state before the object being rendered (see {@link dropObject}). */
  private savedSep = '';
  private savedDepth = 0;
  /** JSON text of keys with their colon (see keyText). */
  private readonly keyTexts = new Map<string, string>();

  constructor(pretty: boolean) {
    this.pretty = pretty;
  }

  /** The text written since the last call. */
  take(): string {
    const t = this.out;
    this.out = '';
    return t;
  }

  // -- json_writer ------------------------------------------------------------------------------

  private eor(): void {
    if (this.sep !== '') this.out += this.sep;
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
    if (this.sep !== '' && this.pretty) this.out += indent(this.depth);
    this.out += c;
    this.sep = ',';
  }

  private name(n: string): void {
    this.eor();
    if (this.pretty) this.out += indent(this.depth);
    this.sep = '';
    this.out += this.keyText(n);
  }

  /** `"key":` (`"key": ` pretty), remembered for the renderers' few hundred literal keys. */
  private keyText(k: string): string {
    let t = this.keyTexts.get(k);
    if (t === undefined) {
      t = jsonQuote(k) + (this.pretty ? ': ' : ':');
      if (this.keyTexts.size < MAX_KEY_TEXTS) this.keyTexts.set(k, t);
    }
    return t;
  }

  /**
   * A member or element whose value is already JSON text, in one append: what name() then
   * value() write (the separator, in pretty layout the indent, the key, the value).
   */
  private member(key: string | undefined, text: string): void {
    let pre = this.sep;
    if (key !== undefined) {
      if (this.pretty) pre += indent(this.depth);
      pre += this.keyText(key);
    }
    this.out += pre + text;
    this.sep = ',';
  }

  private beginArray(): void {
    this.begin('[');
    if (this.pretty) this.out += ' ';
  }

  private endArray(): void {
    if (this.pretty && this.sep !== '') this.out += ' ';
    this.sep = '';
    this.end(']');
  }

  /** A whole value, as the tree serialiser writes it (objects in their own key order, undefined members left out). */
  value(v: Value): void {
    if (v === null || v === undefined) {
      this.eor();
      this.out += 'null';
      return;
    }
    switch (typeof v) {
      case 'string':
        this.eor();
        this.out += jsonQuote(v);
        return;
      case 'number':
        this.eor();
        this.out += Number.isFinite(v) ? String(v) : 'null';
        return;
      case 'bigint':
        this.eor();
        this.out += v.toString();
        return;
      case 'boolean':
        this.eor();
        this.out += v ? 'true' : 'false';
        return;
    }
    if (Array.isArray(v)) {
      this.beginArray();
      for (const x of v) this.value(x);
      this.endArray();
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

  /** An element of the listing's array given as compact JSON text (a renderer's fast path). */
  element(text: string): void {
    this.eor();
    this.out += text;
  }

  /** Opens the top-level array of a listing. */
  openList(): void {
    this.beginArray();
  }

  /** Closes it. */
  closeList(): void {
    this.endArray();
  }

  // -- one object, as the printer renders it ----------------------------------------------------

  /**
   * Starts an object of a listing (the printer's root), remembering the separator and depth so
   * that {@link dropObject} can take it back.
   */
  beginObject(): void {
    this.savedSep = this.sep;
    this.savedDepth = this.depth;
    this.irregular = false;
    this.begin('{');
    this.push(OBJECT);
  }

  /** Abandons the object begun last: the text since the last {@link take} is discarded and the state is as before the object. */
  dropObject(): void {
    this.out = '';
    this.sep = this.savedSep;
    this.depth = this.savedDepth;
    this.top = -1;
    this.nkeys = 0;
    this.dropped = 0;
    this.irregular = false;
  }

  /** Ends it, closing whatever the renderer left open (the tree ignores unclosed containers). */
  endObject(): void {
    while (this.top >= 0) this.closeFrame();
  }

  /** Whether only the root object is open (the printer's close calls never close the root). */
  atRoot(): boolean {
    return this.top <= 0;
  }

  private push(kind: number): void {
    const t = ++this.top;
    this.kinds[t] = kind;
    this.keyStarts[t] = this.nkeys;
  }

  /**
   * Where a value under `key` goes: 1 = into the open object under its name (written), 0 =
   * into the open array (no name), -1 = nowhere (a null key in an object, or inside a dropped
   * container). Records the key of an object member.
   */
  private slot(key: string | null | undefined): number {
    if (this.dropped > 0) return -1;
    if (this.kinds[this.top] !== OBJECT) return 0;
    if (key === null || key === undefined) return -1;
    const keys = this.keys;
    for (let i = this.keyStarts[this.top]!; i < this.nkeys; i++) {
      if (keys[i] === key) {
        this.irregular = true;
        return 1;
      }
    }
    keys[this.nkeys++] = key;
    if (unusualKey(key)) this.irregular = true;
    return 1;
  }

  /**
   * A value into the open container: by key into an object (a null key is dropped, as the tree
   * drops it; an undefined value leaves the key out, as the serialiser does), appended to an
   * array (the key ignored).
   */
  put(key: string | null | undefined, v: Value): void {
    const s = this.slot(key);
    if (s < 0 || (s === 1 && v === undefined)) return;
    if (s === 1) this.name(key!);
    this.value(v);
  }

  /** {@link put} of a string. */
  putString(key: string | null, v: string): void {
    const s = this.slot(key);
    if (s >= 0) this.member(s === 1 ? key! : undefined, jsonQuote(v));
  }

  /** {@link put} of a value already in JSON text (a number, `true`, `null`...). */
  putText(key: string | null, text: string): void {
    const s = this.slot(key);
    if (s >= 0) this.member(s === 1 ? key! : undefined, text);
  }

  /** Opens a container (array or object) under `key` in the open container. */
  open(key: string | null | undefined, array: boolean): void {
    const s = this.slot(key);
    if (s < 0) {
      this.dropped++;
      this.push(DROPPED);
      return;
    }
    if (s === 1) this.name(key!);
    if (array) this.beginArray();
    else this.begin('{');
    this.push(array ? ARRAY : OBJECT);
  }

  /** Closes the innermost open container, whichever kind it is (the tree pops either). */
  closeFrame(): void {
    if (this.top < 0) return;
    const kind = this.kinds[this.top]!;
    this.nkeys = this.keyStarts[this.top]!;
    this.top--;
    if (kind === DROPPED) this.dropped--;
    else if (kind === ARRAY) this.endArray();
    else this.end('}');
  }
}
