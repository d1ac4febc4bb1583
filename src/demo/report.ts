/**
 * How `npm run demo` talks: each step as the equivalent `ip` command (`$ ip ...`) followed by its
 * result, expectations marked ✓ / ✗, comments as `# ...`. Colour only when asked (stdout is a
 * TTY and NO_COLOR is unset; see {@link useColor}).
 *
 * @example
 * ```ts
 * const r = new Reporter(process.stdout, useColor(process.stdout));
 * r.step(1, 'network namespaces');
 * await r.run('ip netns add forgeek', () => netns.add('forgeek'));   // "$ ip netns add forgeek" / "ok"
 * ```
 * @module
 */

/** An expectation of the walkthrough did not hold: the demo stops (and cleans up). */
export class DemoFailure extends Error {
  override readonly name = 'DemoFailure';
}

/** ANSI SGR codes of the few styles used. */
const STYLE = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
} as const;

export type Style = keyof typeof STYLE;

/**
 * Whether to colour output written to `stream`: a TTY, NO_COLOR unset, TERM not "dumb";
 * FORCE_COLOR (non-empty, not "0") forces it on.
 *
 * @example
 * ```ts
 * useColor(process.stdout);   // false when piped
 * ```
 */
export function useColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return stream.isTTY === true;
}

/** Writes the demo's lines. */
export class Reporter {
  private readonly out: NodeJS.WritableStream;
  readonly color: boolean;

  constructor(out: NodeJS.WritableStream, color: boolean) {
    this.out = out;
    this.color = color;
  }

  /** `text` in `style` (unchanged without colour). */
  paint(style: Style, text: string): string {
    return this.color ? `\u001b[${STYLE[style]}m${text}\u001b[0m` : text;
  }

  /** Writes lines as they are. */
  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  /** The banner at the top. */
  title(text: string, sub: string): void {
    this.line(this.paint('bold', text));
    this.line(this.paint('dim', sub));
  }

  /** A step's heading, with what it is about. */
  step(n: number | string, title: string, about?: string): void {
    this.line();
    const head = `── ${n}. ${title} `;
    this.line(this.paint('bold', head + '─'.repeat(Math.max(4, 78 - head.length))));
    if (about !== undefined) for (const l of about.split('\n')) this.note(l);
  }

  /** A comment line (`# ...`). */
  note(text: string): void {
    this.line(this.paint('dim', `# ${text}`));
  }

  /** The command line (`$ ip ...`). */
  command(cmd: string, comment?: string): void {
    this.line(`${this.paint('cyan', '$')} ${this.paint('bold', cmd)}${comment === undefined ? '' : this.paint('dim', `   # ${comment}`)}`);
  }

  /** Output lines of a command, indented. */
  output(lines: string | readonly string[]): void {
    for (const l of typeof lines === 'string' ? lines.split('\n') : lines) this.line(`  ${l}`);
  }

  /**
   * Prints `$ cmd`, runs `fn`, then prints what `show` makes of its result (default: "ok").
   * A rejection propagates (the caller reports it).
   */
  async run<T>(cmd: string, fn: () => Promise<T>, show?: (v: T) => string | readonly string[], comment?: string): Promise<T> {
    this.command(cmd, comment);
    const v = await fn();
    const shown = show ? show(v) : this.paint('green', 'ok');
    if (typeof shown === 'string' ? shown !== '' : shown.length > 0) this.output(shown);
    return v;
  }

  /** ✓ when `cond`, else ✗ and a {@link DemoFailure}. */
  expect(cond: boolean, what: string, detail?: string): void {
    if (cond) {
      this.line(`  ${this.paint('green', '✓')} ${what}`);
      return;
    }
    this.line(`  ${this.paint('red', '✗')} ${what}${detail === undefined ? '' : `: ${detail}`}`);
    throw new DemoFailure(`${what}${detail === undefined ? '' : ` (${detail})`}`);
  }
}
