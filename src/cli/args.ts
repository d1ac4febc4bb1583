/**
 * The argument toolkit of the ip-compatible commands: iproute2's `matches()` abbreviation rule,
 * a cursor over the words of a command (`NEXT_ARG()`), its number parsers (`get_unsigned`,
 * `get_integer` with C's base detection) and its error exits with iproute2's exact wording
 * (`invarg`, `duparg`, `duparg2`, `incomplete_command`, ...).
 *
 * A failure is thrown as a {@link CliExit}: the text for stderr and the exit status ip uses for
 * the same failure (255 for ip's `exit(-1)`, 1 for `return -1`, 2 for kernel refusals).
 *
 * @example
 * ```ts
 * matches('sh', 'show');      // true
 * const a = new Args(['dev', 'veth0', 'up']);
 * a.word;                     // 'dev'
 * a.next();                   // 'veth0'
 * ```
 * @module
 */

/** A command ends with this status after writing `text` to stderr. */
export class CliExit extends Error {
  override readonly name = 'CliExit';
  /** The exit status (0..255). */
  readonly status: number;
  /** What goes to stderr (each line ends with a newline), may be ''. */
  readonly text: string;
  constructor(status: number, text: string) {
    super(text.trimEnd() || `exit ${status}`);
    this.status = status;
    this.text = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  }
}

/**
 * A request for a usage text (`nlkit link help`, `... add help`, `-help`): the dispatcher prints
 * the text of `topic` (an object, or `link:KIND`) on stdout and exits 0.
 */
export class HelpRequest extends Error {
  override readonly name = 'HelpRequest';
  /** What to explain: 'ip', an object ('link', 'address', ...), or 'link:KIND'. */
  readonly topic: string;
  constructor(topic: string) {
    super(`help for ${topic}`);
    this.topic = topic;
  }
}

/** Structural guard for {@link HelpRequest}. */
export function isHelpRequest(e: unknown): e is HelpRequest {
  return e instanceof Error && e.name === 'HelpRequest' && typeof (e as HelpRequest).topic === 'string';
}

/** Structural guard for {@link CliExit}. */
export function isCliExit(e: unknown): e is CliExit {
  return e instanceof Error && e.name === 'CliExit' && typeof (e as CliExit).status === 'number';
}

/**
 * iproute2's `matches(prefix, word)`, as a boolean: whether `prefix` is a non-empty prefix of
 * `word` (`matches('a', 'address')` is true, `matches('', 'x')` false).
 */
export function matches(prefix: string, word: string): boolean {
  return prefix.length > 0 && word.startsWith(prefix);
}

/** `exit(-1)` after a message: iproute2's status for syntax errors. */
export function usageError(text: string): CliExit {
  return new CliExit(255, text);
}

/** `invarg(msg, arg)`: `Error: argument "ARG" is wrong: MSG`. */
export function invarg(msg: string, arg: string): CliExit {
  // ip's messages often end with their own newline: ip then prints an empty line, so do we.
  return usageError(`Error: argument "${arg}" is wrong: ${msg}\n`);
}

/** `duparg(key, arg)`: `Error: duplicate "KEY": "ARG" is the second value.` */
export function duparg(key: string, arg: string): CliExit {
  return usageError(`Error: duplicate "${key}": "${arg}" is the second value.`);
}

/** `duparg2(key, arg)`: `Error: either "KEY" is duplicate, or "ARG" is a garbage.` */
export function duparg2(key: string, arg: string): CliExit {
  return usageError(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.`);
}

/** `missarg(key)`: `Error: argument "KEY" is required`. */
export function missarg(key: string): CliExit {
  return usageError(`Error: argument "${key}" is required`);
}

/** `incomplete_command()`. */
export function incomplete(): CliExit {
  return usageError('Command line is not complete. Try option "help"');
}

/** `on_off(msg, realval)`: its message; ip returns -1 (status 1) after it in most places. */
export function onOffError(key: string, value: string, status = 1): CliExit {
  return new CliExit(status, `Error: argument of "${key}" must be "on" or "off", not "${value}"`);
}

/** The words of one command, with iproute2's NEXT_ARG discipline. */
export class Args {
  readonly words: readonly string[];
  private i = 0;

  constructor(words: readonly string[]) {
    this.words = words;
  }

  /** Whether a word is left. */
  get more(): boolean {
    return this.i < this.words.length;
  }

  /** The current word ('' past the end). */
  get word(): string {
    return this.words[this.i] ?? '';
  }

  /** How many words are left (the current one included). */
  get left(): number {
    return this.words.length - this.i;
  }

  /** The words from the current one on. */
  rest(): string[] {
    return this.words.slice(this.i);
  }

  /** Moves past the current word. */
  skip(): void {
    this.i++;
  }

  /** NEXT_ARG(): moves to the next word and returns it; none left is "Command line is not complete". */
  next(): string {
    this.i++;
    if (this.i >= this.words.length) throw incomplete();
    return this.words[this.i]!;
  }

  /** NEXT_ARG_OK(): whether a next word exists. */
  nextOk(): boolean {
    return this.i + 1 < this.words.length;
  }

  /** The word after the current one ('' past the end). */
  peek(): string {
    return this.words[this.i + 1] ?? '';
  }

  /** PREV_ARG(). */
  back(): void {
    this.i--;
  }

  /** Takes the current word and moves on (undefined at the end). */
  take(): string | undefined {
    const w = this.words[this.i];
    if (w !== undefined) this.i++;
    return w;
  }
}

/**
 * C's strtoul/strtol with base 0 over the whole text (`0x1f`, `017`, `12`); undefined for
 * anything else (empty, trailing garbage, sign where not allowed).
 */
export function parseCNumber(text: string, signed = false): number | undefined {
  let s = text;
  let neg = false;
  if (signed && (s.startsWith('-') || s.startsWith('+'))) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^0[0-7]*$/.test(s)) v = s.length > 1 ? parseInt(s.slice(1), 8) : 0;
  else if (/^[1-9][0-9]*$/.test(s)) v = Number(s);
  else return undefined;
  return neg ? -v : v;
}

/** get_unsigned / get_u32 (base 0): an integer in 0..max, else undefined. */
export function getUnsigned(text: string, max = 0xffffffff): number | undefined {
  const v = parseCNumber(text);
  return v !== undefined && v <= max ? v : undefined;
}

/** get_integer (base 0): a signed int, else undefined. */
export function getInteger(text: string): number | undefined {
  const v = parseCNumber(text, true);
  return v !== undefined && v >= -0x80000000 && v <= 0x7fffffff ? v : undefined;
}

/** Parses `on`/`off` (exact words); anything else is ip's on_off error. */
export function parseOnOff(key: string, value: string, status = 1): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw onOffError(key, value, status);
}

/**
 * ip's `get_time_rtt` / `get_time`: NUMBER[s|ms|msec|sec|secs] → milliseconds (a bare number is
 * seconds for `get_time`, ms for rtt-like metrics when `bareUnit` is 'ms').
 */
export function parseTime(text: string, bareUnit: 's' | 'ms'): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|sec|secs|ms|msec|msecs)?$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? bareUnit;
  const ms = unit.startsWith('m') ? n : n * 1000;
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
