/**
 * An emulation of iproute2's `json_print.c`: one set of `print_*` calls renders an object either
 * as ip's JSON (a value tree: objects, arrays, strings, numbers, booleans, null) or as ip's text
 * (the same call's C format string). The view renderers are written once against this interface,
 * the way iproute2 writes them, so `-j` and text output agree key for key and word for word.
 *
 * Value conventions follow json_print.c: `hex` is a JSON string in `%x`, `xhex` a JSON string in
 * `%#llx` (`"0x1f"`, `"0"`), `bool`/`onOff` are JSON booleans (text `true`/`false`, `on`/`off`),
 * `null` is JSON null, numbers are numbers (bigint above 2^53).
 *
 * A printer in JSON mode builds the value tree of one object ({@link IpPrinter.result}); given an
 * {@link IpJsonWriter} it writes ip's JSON text as it goes instead (what {@link ListingWriter}
 * does for whole listings). In text mode the text accumulates until {@link IpPrinter.take}.
 *
 * @example
 * ```ts
 * const p = new IpPrinter(true);
 * p.num(ANY, 'mtu', 'mtu %u ', 1500);
 * p.result(); // { mtu: 1500 }
 * ```
 * @module
 */
import type { IpJsonWriter } from './json-writer.js';
import { format1, sprintf, unescapePercent } from './printf.js';

/** PRINT_JSON: only in JSON output. */
export const JSON_ONLY = 1;
/** PRINT_FP: only in text output. */
export const FP = 2;
/** PRINT_ANY: both. */
export const ANY = 3;

/** A JSON value as ip prints it (bigint for integers beyond 2^53). */
export type JsonValue = string | number | bigint | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object as ip prints it. */
export type JsonObject = { [key: string]: JsonValue };

type Frame = { readonly obj: JsonObject; readonly arr?: undefined } | { readonly obj?: undefined; readonly arr: JsonValue[] };

/** Renders with iproute2's print_* semantics into a JSON tree or a text buffer. */
export class IpPrinter {
  /** JSON output (`ip -j`) rather than text. */
  readonly json: boolean;
  /** The line separator `_SL_`: "\n", or "\\" for `-o` (one line). */
  readonly sl: string;
  private text = '';
  private readonly stack: Frame[];
  private readonly root: JsonObject = {};
  /** Streaming JSON mode: values go to this writer as text, no tree is built. */
  private readonly writer: IpJsonWriter | undefined;

  /**
   * A printer for `ip -j` (`json`) or plain text (`oneline`: `-o`, lines joined by `\`). With a
   * `writer` (JSON only), JSON is written as text into it rather than built as a tree; see
   * {@link ListingWriter}, which drives such a printer object by object.
   */
  constructor(json: boolean, oneline = false, writer?: IpJsonWriter) {
    this.json = json;
    this.sl = oneline ? '\\' : '\n';
    this.stack = [{ obj: this.root }];
    this.writer = json ? writer : undefined;
  }

  /** The rendered object (JSON mode without a writer). */
  result(): JsonObject {
    return this.root;
  }

  /** The rendered text (text mode): everything since the printer was made or last {@link take}n. */
  output(): string {
    return this.text;
  }

  /** The rendered text since the last call (text mode), which it clears: one printer can render many objects. */
  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }

  private on(t: number): boolean {
    return this.json ? (t & JSON_ONLY) !== 0 : (t & FP) !== 0;
  }

  private put(key: string | null | undefined, v: JsonValue): void {
    if (this.writer !== undefined) {
      this.writer.put(key, v);
      return;
    }
    const top = this.stack[this.stack.length - 1]!;
    if (top.arr) top.arr.push(v);
    else if (key !== null && key !== undefined) top.obj[key] = v;
  }

  /** Raw text (PRINT_FP only), formatted. */
  fp(fmt: string, ...args: unknown[]): void {
    if (this.json) return;
    if (args.length === 0) this.text += unescapePercent(fmt);
    else if (args.length === 1) this.text += format1(fmt, args[0]);
    else this.text += sprintf(fmt, ...args);
  }

  /** print_nl(): a line break in text output. */
  nl(): void {
    if (!this.json) this.text += this.sl;
  }

  /** print_string / print_color_string. A value of undefined in text prints the bare format. */
  str(t: number, key: string | null, fmt: string | null, value: string | undefined): void {
    if (!this.on(t)) return;
    if (this.json) {
      if (value === undefined) return;
      if (this.writer !== undefined && typeof value === 'string') this.writer.putString(key, value);
      else this.put(key, value);
    } else if (fmt !== null) this.text += format1(fmt, value);
  }

  /** print_int / print_uint / print_u64 / print_lluint: a JSON number. */
  num(t: number, key: string | null, fmt: string | null, value: number | bigint): void {
    if (!this.on(t)) return;
    if (this.json) {
      if (this.writer !== undefined && typeof value === 'number') this.writer.putText(key, Number.isFinite(value) ? String(value) : 'null');
      else this.put(key, value);
    } else if (fmt !== null) this.text += format1(fmt, value);
  }

  /** print_hex: JSON string of `%x`. */
  hex(t: number, key: string | null, fmt: string | null, value: number): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, (value >>> 0).toString(16));
    else if (fmt !== null) this.text += format1(fmt, value);
  }

  /** print_0xhex: JSON string of `%#llx` ("0x1f", and "0" for zero). */
  xhex(t: number, key: string | null, fmt: string | null, value: number | bigint): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, format1('%#llx', value));
    else if (fmt !== null) this.text += format1(fmt, value);
  }

  /** print_bool: JSON boolean; text prints the format with "true"/"false". */
  bool(t: number, key: string | null, fmt: string | null, value: boolean): void {
    if (!this.on(t)) return;
    if (this.json) {
      if (this.writer !== undefined && typeof value === 'boolean') this.writer.putText(key, value ? 'true' : 'false');
      else this.put(key, value);
    } else if (fmt !== null) this.text += format1(fmt, value ? 'true' : 'false');
  }

  /** print_on_off: JSON boolean; text prints the format with "on"/"off". */
  onOff(t: number, key: string | null, fmt: string | null, value: boolean): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, value);
    else if (fmt !== null) this.text += format1(fmt, value ? 'on' : 'off');
  }

  /** print_null: JSON null; text prints the format with `value`. */
  null(t: number, key: string | null, fmt: string | null, value: string): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, null);
    else if (fmt !== null) this.text += format1(fmt, value);
  }

  /** print_float: a JSON number; text by the format. */
  float(t: number, key: string | null, fmt: string | null, value: number): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, value);
    else if (fmt !== null) this.text += format1(fmt, value);
  }

  /** A JSON value that ip writes with jsonw_printf (a number spelled by a format). */
  jsonRaw(key: string, value: JsonValue): void {
    if (this.json) this.put(key, value);
  }

  /** open_json_object(key): JSON only. */
  openObject(key: string | null = null): void {
    if (!this.json) return;
    if (this.writer !== undefined) {
      this.writer.open(key, false);
      return;
    }
    const obj: JsonObject = {};
    this.put(key, obj);
    this.stack.push({ obj });
  }

  /** close_json_object(). */
  closeObject(): void {
    if (!this.json) return;
    if (this.writer !== undefined) {
      if (!this.writer.atRoot()) this.writer.closeFrame();
    } else if (this.stack.length > 1) this.stack.pop();
  }

  /** open_json_array(type, str): in JSON opens array `str`; in text prints `str`. */
  openArray(t: number, str: string | null): void {
    if (this.json) {
      if (!(t & JSON_ONLY)) return;
      if (this.writer !== undefined) {
        this.writer.open(str, true);
        return;
      }
      const arr: JsonValue[] = [];
      this.put(str, arr);
      this.stack.push({ arr });
    } else if (t & FP && str !== null) this.text += str;
  }

  /** close_json_array(type, str): in JSON closes; in text prints `str`. */
  closeArray(t: number, str: string | null): void {
    if (this.json) {
      if (!(t & JSON_ONLY)) return;
      if (this.writer !== undefined) {
        if (!this.writer.atRoot()) this.writer.closeFrame();
      } else if (this.stack.length > 1) this.stack.pop();
    } else if (t & FP && str !== null) this.text += str;
  }
}
