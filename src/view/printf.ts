/**
 * The subset of C `printf` formatting that iproute2's format strings use, so the text renderers
 * can keep ip's own format strings (`"mtu %u "`, `"%-14s "`, `"tos %#llx "`, `"%4i.%.2i"`).
 *
 * Supported: flags `-`, `0`, `#`, `+`, space; a width and a precision (numbers or `*`); the
 * length modifiers `hh h l ll z j t` (ignored: JavaScript numbers and bigints carry the value);
 * conversions `d i u x X o s c f g e %`. Unsigned conversions of negative numbers wrap as 32-bit
 * values (or 64-bit for bigints), as C does for `unsigned int`.
 *
 * @example
 * ```ts
 * sprintf('%-6s|%04x|%#x|%.2f', 'ab', 26, 255, 1.5); // 'ab    |001a|0xff|1.50'
 * ```
 * @module
 */

const SPEC = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?(hh|h|ll|l|z|j|t|L)?([diouxXscfFgGeE%])/g;

/** Formats `args` by the C format string `fmt`. Missing arguments print as empty / 0. */
export function sprintf(fmt: string, ...args: unknown[]): string {
  let i = 0;
  return fmt.replace(SPEC, (_m, flags: string, width: string | undefined, prec: string | undefined, _len: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let w = width === '*' ? Number(args[i++]) : width !== undefined ? Number(width) : undefined;
    let left = flags.includes('-');
    if (w !== undefined && w < 0) {
      left = true;
      w = -w;
    }
    const p = prec === '*' ? Number(args[i++]) : prec !== undefined ? Number(prec || '0') : undefined;
    const arg = args[i++];
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
        if (!sign && flags.includes('+')) sign = '+';
        else if (!sign && flags.includes(' ')) sign = ' ';
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
        if (flags.includes('#') && v !== 0n) {
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
        else if (flags.includes('+')) sign = '+';
        else if (flags.includes(' ')) sign = ' ';
        if (conv === 'f' || conv === 'F') body = a.toFixed(p ?? 6);
        else if (conv === 'e' || conv === 'E') body = expForm(a, p ?? 6, conv === 'E');
        else body = gForm(a, p ?? 6, flags.includes('#'), conv === 'G');
      }
    }
    let s = sign + body;
    if (w !== undefined && s.length < w) {
      if (left) s = s.padEnd(w, ' ');
      else if (numeric && flags.includes('0') && (p === undefined || conv === 'f' || conv === 'g' || conv === 'e')) s = sign + body.padStart(w - sign.length, '0');
      else s = s.padStart(w, ' ');
    }
    return s;
  });
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
