/**
 * Whole listings (`ip [-j] route show`, `link show`, `addr show`, ...) rendered into one buffer,
 * object after object, with one printer: the text of `ip`, or the JSON array of `ip -j` written as
 * text while the renderers print (no value tree per object, no `JSON.stringify`). The caller
 * writes {@link ListingWriter.take} to its output whenever {@link ListingWriter.length} has grown
 * enough, so a dump of any size is printed as it streams.
 *
 * The output is byte for byte what rendering each object with its own {@link IpPrinter} and
 * serialising the trees as ip's json_writer does gives (the `-j` output of `nlkit`), in compact
 * and in pretty (`-p`) layout.
 *
 * @example
 * ```ts
 * const w = new ListingWriter({ json: true });
 * w.open();
 * for await (const m of client.dump(request)) {
 *   if (routeListed(m, 2)) w.add(printRoute, m, ctx, { table: 254 });
 *   if (w.length >= 65536) process.stdout.write(w.take());
 * }
 * w.close();
 * process.stdout.write(w.take()); // ...]\n
 * ```
 * @module
 */
import type { Message } from '../netlink/message.js';
import type { ViewContext } from './context.js';
import { IpJsonWriter } from './json-writer.js';
import { IpPrinter } from './printer.js';

/** A renderer of one object: prints `m` and says whether it was an object of its kind (false: nothing printed). */
export type ItemRenderer<O> = (p: IpPrinter, m: Message, ctx: ViewContext, opts: O) => boolean;

/**
 * A renderer's fast path for its commonest objects: the whole text of one object (a text line
 * without its line break, or a compact JSON object), or undefined to render it the general way.
 * It must give exactly what the general renderer gives.
 */
export type FastRenderer<O> = (m: Message, ctx: ViewContext, opts: O, json: boolean) => string | undefined;

/** Options of a {@link ListingWriter}. */
export interface ListingWriterOptions {
  /** `-j`: a JSON array of objects rather than lines of text. */
  json: boolean;
  /** `-p` (with `json`): ip's pretty layout. Default: false. */
  pretty?: boolean;
  /** `-o` (text): each object on one line, its line breaks written as `\`. Default: false. */
  oneline?: boolean;
}

/** Renders the objects of a listing into one buffer (see the module doc). */
export class ListingWriter {
  /** JSON (`-j`) rather than text. */
  readonly json: boolean;
  private readonly oneline: boolean;
  private readonly printer: IpPrinter;
  private readonly writer: IpJsonWriter | undefined;
  private buf = '';

  constructor(options: ListingWriterOptions) {
    this.json = options.json;
    this.oneline = options.oneline === true;
    this.writer = options.json ? new IpJsonWriter(options.pretty === true) : undefined;
    this.printer = new IpPrinter(options.json, this.oneline, this.writer);
  }

  /** Starts the listing: `[` in JSON, nothing in text. */
  open(): void {
    if (this.writer === undefined) return;
    this.writer.openList();
    this.buf += this.writer.take();
  }

  /**
   * Renders one object with `render` (`printRoute`, `printLinkShow`, `printAddrShow`, ...), or
   * with `fast` when it takes the object (see {@link FastRenderer}). Returns what the renderer
   * returned; when false, nothing of the object is kept. In text, a line break follows each
   * object, as ip prints them.
   */
  add<O>(render: ItemRenderer<O>, m: Message, ctx: ViewContext, opts: O, fast?: FastRenderer<O>): boolean {
    const w = this.writer;
    const p = this.printer;
    // The fast path writes compact JSON only; `-p` goes the general way.
    if (fast !== undefined && (w === undefined || !w.pretty)) {
      const text = fast(m, ctx, opts, w !== undefined);
      if (text !== undefined) {
        if (w === undefined) this.buf += text + '\n';
        else {
          w.element(text);
          this.buf += w.take();
        }
        return true;
      }
    }
    if (w === undefined) {
      const ok = render(p, m, ctx, opts);
      const text = p.take();
      if (ok) this.buf += text + '\n';
      return ok;
    }
    w.beginObject();
    if (!render(p, m, ctx, opts)) {
      w.dropObject();
      return false;
    }
    w.endObject();
    if (w.irregular) {
      // A key put twice in one object, or an array-index key: the tree decides where such keys
      // go, so this object goes through the tree (no renderer does this today).
      w.dropObject();
      const tree = new IpPrinter(true, this.oneline);
      render(tree, m, ctx, opts);
      w.value(tree.result());
    }
    this.buf += w.take();
    return true;
  }

  /** Ends the listing: `]` and a line break in JSON, nothing in text. */
  close(): void {
    if (this.writer === undefined) return;
    this.writer.closeList();
    this.buf += this.writer.take() + '\n';
  }

  /** Characters rendered and not yet taken. */
  get length(): number {
    return this.buf.length;
  }

  /** The text rendered since the last call, which it clears. */
  take(): string {
    const t = this.buf;
    this.buf = '';
    return t;
  }
}
