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
 * @example
 * ```ts
 * const p = new IpPrinter(true);
 * p.uint(ANY, 'mtu', 'mtu %u ', 1500);
 * p.result(); // { mtu: 1500 }
 * ```
 * @module
 */
import { sprintf } from './printf.js';

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

  constructor(json: boolean, oneline = false) {
    this.json = json;
    this.sl = oneline ? '\\' : '\n';
    this.stack = [{ obj: this.root }];
  }

  /** The rendered object (JSON mode). */
  result(): JsonObject {
    return this.root;
  }

  /** The rendered text (text mode). */
  output(): string {
    return this.text;
  }

  private on(t: number): boolean {
    return this.json ? (t & JSON_ONLY) !== 0 : (t & FP) !== 0;
  }

  private put(key: string | null | undefined, v: JsonValue): void {
    const top = this.stack[this.stack.length - 1]!;
    if (top.arr) top.arr.push(v);
    else if (key !== null && key !== undefined) top.obj[key] = v;
  }

  /** Raw text (PRINT_FP only), formatted. */
  fp(fmt: string, ...args: unknown[]): void {
    if (!this.json) this.text += args.length ? sprintf(fmt, ...args) : fmt.replace(/%%/g, '%');
  }

  /** print_nl(): a line break in text output. */
  nl(): void {
    if (!this.json) this.text += this.sl;
  }

  /** print_string / print_color_string. A value of undefined in text prints the bare format. */
  str(t: number, key: string | null, fmt: string | null, value: string | undefined): void {
    if (!this.on(t)) return;
    if (this.json) {
      if (value !== undefined) this.put(key, value);
    } else if (fmt !== null) this.text += value === undefined ? sprintf(fmt) : sprintf(fmt, value);
  }

  /** print_int / print_uint / print_u64 / print_lluint: a JSON number. */
  num(t: number, key: string | null, fmt: string | null, value: number | bigint): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, value);
    else if (fmt !== null) this.text += sprintf(fmt, value);
  }

  /** print_hex: JSON string of `%x`. */
  hex(t: number, key: string | null, fmt: string | null, value: number): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, (value >>> 0).toString(16));
    else if (fmt !== null) this.text += sprintf(fmt, value);
  }

  /** print_0xhex: JSON string of `%#llx` ("0x1f", and "0" for zero). */
  xhex(t: number, key: string | null, fmt: string | null, value: number | bigint): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, sprintf('%#llx', value));
    else if (fmt !== null) this.text += sprintf(fmt, value);
  }

  /** print_bool: JSON boolean; text prints the format with "true"/"false". */
  bool(t: number, key: string | null, fmt: string | null, value: boolean): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, value);
    else if (fmt !== null) this.text += sprintf(fmt, value ? 'true' : 'false');
  }

  /** print_on_off: JSON boolean; text prints the format with "on"/"off". */
  onOff(t: number, key: string | null, fmt: string | null, value: boolean): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, value);
    else if (fmt !== null) this.text += sprintf(fmt, value ? 'on' : 'off');
  }

  /** print_null: JSON null; text prints the format with `value`. */
  null(t: number, key: string | null, fmt: string | null, value: string): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, null);
    else if (fmt !== null) this.text += sprintf(fmt, value);
  }

  /** print_float: a JSON number; text by the format. */
  float(t: number, key: string | null, fmt: string | null, value: number): void {
    if (!this.on(t)) return;
    if (this.json) this.put(key, value);
    else if (fmt !== null) this.text += sprintf(fmt, value);
  }

  /** A JSON value that ip writes with jsonw_printf (a number spelled by a format). */
  jsonRaw(key: string, value: JsonValue): void {
    if (this.json) this.put(key, value);
  }

  /** open_json_object(key): JSON only. */
  openObject(key: string | null = null): void {
    if (!this.json) return;
    const obj: JsonObject = {};
    this.put(key, obj);
    this.stack.push({ obj });
  }

  /** close_json_object(). */
  closeObject(): void {
    if (this.json && this.stack.length > 1) this.stack.pop();
  }

  /** open_json_array(type, str): in JSON opens array `str`; in text prints `str`. */
  openArray(t: number, str: string | null): void {
    if (this.json) {
      if (!(t & JSON_ONLY)) return;
      const arr: JsonValue[] = [];
      this.put(str, arr);
      this.stack.push({ arr });
    } else if (t & FP && str !== null) this.text += str;
  }

  /** close_json_array(type, str): in JSON closes; in text prints `str`. */
  closeArray(t: number, str: string | null): void {
    if (this.json) {
      if (t & JSON_ONLY && this.stack.length > 1) this.stack.pop();
    } else if (t & FP && str !== null) this.text += str;
  }
}
