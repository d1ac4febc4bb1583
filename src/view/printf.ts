/**
 * The subset of C `printf` formatting that iproute2's format strings use, so the text renderers
 * can keep ip's own format strings (`"mtu %u "`, `"%-14s "`, `"tos %#llx "`, `"%4i.%.2i"`).
 *
 * Supported: flags `-`, `0`, `#`, `+`, space; a width and a precision (numbers or `*`); the
 * length modifiers `hh h l ll z j t` (ignored: JavaScript numbers and bigints carry the value);
 * conversions `d i u x X o s c f g e %`. Unsigned conversions of negative numbers wrap as 32-bit
 * values (or 64-bit for bigints), as C does for `unsigned int`. Anything else after a `%` is
 * printed as it is.
 *
 * A format string is parsed once, on its first use, into literal text and conversion specs
 * (the renderers call the same few hundred literal formats for every object of a dump: the text
 * of `ip route show` at 100,000 routes spent a quarter of its time re-parsing them with a regex).
 *
 * @example
 * ```ts
 * sprintf('%-6s|%04x|%#x|%.2f', 'ab', 26, 255, 1.5); // 'ab    |001a|0xff|1.50'
 * ```
 * @module
 */

const SPEC = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|z|j|t|L)?([diouxXscfFgGeE%])/g;

/** One conversion of a format string, parsed. */
interface Spec {
  /** The conversion character (`%%` never becomes a spec: it is literal text). */
  readonly conv: string;
  /** No flags, width or precision: the common `%s` / `%u` / `%d`. */
  readonly plain: boolean;
  readonly left: boolean;
  readonly zero: boolean;
  readonly alt: boolean;
  readonly plus: boolean;
  readonly space: boolean;
  /** Width: a number, '*' (from the arguments) or undefined. */
  readonly width: number | '*' | undefined;
  /** Precision: a number, '*' or undefined. */
  readonly prec: number | '*' | undefined;
}

/** A parsed format: `lits[0] spec[0] lits[1] spec[1] ... lits[n]`. */
interface Compiled {
  readonly lits: readonly string[];
  readonly specs: readonly Spec[];
  /** The text when there are no conversions. */
  readonly constant: string | undefined;
}

/** Parsed formats by their text (the renderers' formats are string literals: a few hundred). */
const compiledFormats = new Map<string, Compiled>();
/** Beyond this many distinct formats (formats built at run time), parse without remembering. */
const MAX_COMPILED = 4096;

function compile(fmt: string): Compiled {
  const lits: string[] = [];
  const specs: Spec[] = [];
  let lit = '';
  let last = 0;
  SPEC.lastIndex = 0;
  for (let m = SPEC.exec(fmt); m !== null; m = SPEC.exec(fmt)) {
    lit += fmt.slice(last, m.index);
    last = m.index + m[0].length;
    const flags = m[1]!;
    const width = m[2];
    const prec = m[3];
    const conv = m[5]!;
    if (conv === '%') {
      lit += '%';
      continue;
    }
    lits.push(lit);
    lit = '';
    specs.push({
      conv,
      plain: flags === '' && width === undefined && prec === undefined,
      left: flags.includes('-'),
      zero: flags.includes('0'),
      alt: flags.includes('#'),
      plus: flags.includes('+'),
      space: flags.includes(' '),
      width: width === '*' ? '*' : width !== undefined ? Number(width) : undefined,
      prec: prec === '*' ? '*' : prec !== undefined ? Number(prec || '0') : undefined,
    });
  }
  lits.push(lit + fmt.slice(last));
  return { lits, specs, constant: specs.length === 0 ? lits[0] : undefined };
}

function compiled(fmt: string): Compiled {
  let c = compiledFormats.get(fmt);
  if (c === undefined) {
    c = compile(fmt);
    if (compiledFormats.size < MAX_COMPILED) compiledFormats.set(fmt, c);
  }
  return c;
}

/** Formats `args` by the C format string `fmt`. Missing arguments print as empty / 0. */
export function sprintf(fmt: string, ...args: unknown[]): string {
  const c = compiled(fmt);
  if (c.constant !== undefined) return c.constant;
  const { lits, specs } = c;
  let out = lits[0]!;
  let i = 0;
  for (let k = 0; k < specs.length; k++) {
    const s = specs[k]!;
    if (s.plain) out += plainConversion(s.conv, args[i++]);
    else {
      let w: number | undefined;
      if (s.width === '*') w = Number(args[i++]);
      else w = s.width;
      const p = s.prec === '*' ? Number(args[i++]) : s.prec;
      out += conversion(s, w, p, args[i++]);
    }
    out += lits[k + 1]!;
  }
  return out;
}

/**
 * `sprintf(fmt, arg)` without the rest-argument array: what the printer calls for every value
 * of every object.
 */
export function format1(fmt: string, arg: unknown): string {
  const c = compiled(fmt);
  if (c.constant !== undefined) return c.constant;
  const specs = c.specs;
  if (specs.length !== 1 || !specs[0]!.plain) return sprintf(fmt, arg);
  return c.lits[0]! + plainConversion(specs[0]!.conv, arg) + c.lits[1]!;
}

/**
 * `fmt` with only `%%` turned into `%` (what the printer's `fp` prints when given no arguments:
 * other conversions stay as they are).
 */
export function unescapePercent(fmt: string): string {
  return fmt.includes('%') ? fmt.replace(/%%/g, '%') : fmt;
}

/** The largest integer a double holds exactly: below it, number arithmetic gives the same digits as bigint. */
const SAFE = Number.MAX_SAFE_INTEGER;

/** A conversion without flags, width or precision; numbers that are safe integers take a short path. */
function plainConversion(conv: string, arg: unknown): string {
  if (conv === 's') return arg === undefined || arg === null ? '(null)' : String(arg);
  if (typeof arg === 'number' && arg >= -SAFE && arg <= SAFE) {
    const t = Math.trunc(arg);
    if (conv === 'u' || conv === 'd' || conv === 'i') {
      if (t >= 0) return t === 0 ? '0' : String(t);
      if (conv !== 'u') return String(t);
      // C's unsigned int of a negative int (bigint: v + 2^32 for v >= -2^32).
      if (t >= -0x100000000) return String(t + 0x100000000);
    } else if (conv === 'x' && t >= 0) return t.toString(16);
  }
  return conversion(PLAIN[conv] ?? plainSpec(conv), undefined, undefined, arg);
}

const PLAIN: Record<string, Spec> = {};
function plainSpec(conv: string): Spec {
  return (PLAIN[conv] = { conv, plain: true, left: false, zero: false, alt: false, plus: false, space: false, width: undefined, prec: undefined });
}

/** One conversion with its width `w` and precision `p` resolved (the general, exact path). */
function conversion(s: Spec, w: number | undefined, p: number | undefined, arg: unknown): string {
  const conv = s.conv;
  let left = s.left;
  if (w !== undefined && w < 0) {
    left = true;
    w = -w;
  }
  let body: string;
  let sign = '';
  let numeric = true;
  switch (conv) {
    case 's':
      numeric = false;
      body = arg === undefined || arg === null ? '(null)' : String(arg);
      if (p !== undefined) body = body.slice(0, p);
      break;
    case 'c':
      numeric = false;
      body = typeof arg === 'number' ? String.fromCharCode(arg) : String(arg ?? '');
      break;
    case 'd':
    case 'i': {
      const v = toInt(arg);
      if (v < 0) {
        sign = '-';
        body = (-v).toString();
      } else body = v.toString();
      if (p !== undefined) body = p === 0 && v === 0n ? '' : body.padStart(p, '0');
      if (!sign && s.plus) sign = '+';
      else if (!sign && s.space) sign = ' ';
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      let v = toInt(arg);
      if (v < 0n) v += typeof arg === 'bigint' || v < -0x100000000n ? 1n << 64n : 1n << 32n;
      body = v.toString(conv === 'u' ? 10 : conv === 'o' ? 8 : 16);
      if (conv === 'X') body = body.toUpperCase();
      if (p !== undefined) body = p === 0 && v === 0n ? '' : body.padStart(p, '0');
      if (s.alt && v !== 0n) {
        if (conv === 'x') sign = '0x';
        else if (conv === 'X') sign = '0X';
        else if (conv === 'o' && !body.startsWith('0')) body = '0' + body;
      }
      break;
    }
    default: {
      // f F g G e E
      const v = Number(arg ?? 0);
      const a = Math.abs(v);
      if (v < 0 || Object.is(v, -0)) sign = '-';
      else if (s.plus) sign = '+';
      else if (s.space) sign = ' ';
      if (conv === 'f' || conv === 'F') body = a.toFixed(p ?? 6);
      else if (conv === 'e' || conv === 'E') body = expForm(a, p ?? 6, conv === 'E');
      else body = gForm(a, p ?? 6, s.alt, conv === 'G');
    }
  }
  let out = sign + body;
  if (w !== undefined && out.length < w) {
    if (left) out = out.padEnd(w, ' ');
    else if (numeric && s.zero && (p === undefined || conv === 'f' || conv === 'g' || conv === 'e')) out = sign + body.padStart(w - sign.length, '0');
    else out = out.padStart(w, ' ');
  }
  return out;
}

function toInt(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return BigInt(Math.trunc(v));
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  return 0n;
}

function expForm(a: number, p: number, upper: boolean): string {
  const s = a.toExponential(p);
  const [m, e] = s.split('e') as [string, string];
  const n = Number(e);
  const out = `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  return upper ? out.toUpperCase() : out;
}

/** C's %g: shortest of %e/%f by the exponent rule, trailing zeros removed unless '#'. */
function gForm(a: number, p: number, alt: boolean, upper: boolean): string {
  if (a === 0) return alt ? (0).toFixed(Math.max(p - 1, 0)) : '0';
  if (!Number.isFinite(a)) return upper ? String(a).toUpperCase() : String(a).toLowerCase();
  const P = p === 0 ? 1 : p;
  const x = Number(a.toExponential(P - 1).split('e')[1]);
  let s: string;
  if (P > x && x >= -4) s = a.toFixed(P - 1 - x);
  else s = expForm(a, P - 1, upper);
  if (!alt) {
    if (s.includes('e') || s.includes('E')) {
      const [m, e] = s.split(/[eE]/) as [string, string];
      s = (m.includes('.') ? m.replace(/\.?0+$/, '') : m) + (upper ? 'E' : 'e') + e;
    } else if (s.includes('.')) s = s.replace(/\.?0+$/, '');
  }
  return s;
}
