// ListingWriter: a whole listing rendered into one buffer, JSON written as text while the
// renderers print. It must print exactly what rendering each object into its own value tree
// and serialising the array as ip's json_writer does prints (compact and pretty), whatever a
// renderer does: keys put twice, array-index keys, values without a key, containers left open
// or closed by the other call, undefined, NaN, bigint, nested raw values, escapes.
import t from 'tap';
import type { Message } from '../../../src/netlink/message.js';
import { ListingWriter, type ItemRenderer } from '../../../src/view/listing.js';
import { ANY, FP, IpPrinter, JSON_ONLY } from '../../../src/view/printer.js';
import { viewContext } from '../../../src/view/context.js';
import { sprintf } from '../../../src/view/printf.js';

// The serialiser of `nlkit -j` listings (the CLI's), to compare with.
import { ipJsonText } from '../../../src/cli/json-out.js';

const ctx = viewContext([]);
const msg = (n: number): Message => ({ type: 'RTM_NEWROUTE', flags: [], seq: n, pid: 0, header: { n }, attrs: {} });

/** What the tree path prints for these objects. */
function viaTree(render: ItemRenderer<undefined>, msgs: Message[], pretty: boolean): string {
  const objs = [];
  for (const m of msgs) {
    const p = new IpPrinter(true);
    if (render(p, m, ctx, undefined)) objs.push(p.result());
  }
  return ipJsonText(objs, pretty) + '\n';
}

function viaWriter(render: ItemRenderer<undefined>, msgs: Message[], pretty: boolean): string {
  const w = new ListingWriter({ json: true, pretty });
  w.open();
  let out = '';
  for (const m of msgs) {
    w.add(render, m, ctx, undefined);
    if (w.length > 40) out += w.take();
  }
  w.close();
  return out + w.take();
}

const renderers: Record<string, ItemRenderer<undefined>> = {
  plain: (p, m) => {
    p.num(ANY, 'n', '%u ', Number(m.seq));
    p.str(ANY, 'name', '%s ', `x"y\\z\tw\n`);
    p.bool(ANY, 'up', '%s ', true);
    p.null(ANY, 'none', '%s', 'none');
    p.hex(ANY, 'h', '%x', 255);
    p.xhex(ANY, 'x', '%#llx', 2n ** 60n);
    p.float(ANY, 'f', '%g', 1.5);
    p.onOff(ANY, 'on', '%s', false);
    p.openArray(JSON_ONLY, 'flags');
    p.str(ANY, null, '%s', 'a');
    p.num(ANY, null, '%u', 2);
    p.closeArray(JSON_ONLY, null);
    p.openArray(JSON_ONLY, 'empty');
    p.closeArray(JSON_ONLY, null);
    p.openObject('nest');
    p.openObject('deeper');
    p.closeObject();
    p.closeObject();
    return true;
  },
  skipEven: (p, m) => {
    if (m.seq % 2 === 0) return false;
    p.num(ANY, 'n', '%u', m.seq);
    return true;
  },
  duplicateKey: (p, m) => {
    p.num(ANY, 'a', '%u', 1);
    p.num(ANY, 'b', '%u', 2);
    p.num(ANY, 'a', '%u', m.seq);
    return true;
  },
  duplicateContainer: (p) => {
    p.openObject('o');
    p.num(ANY, 'x', '%u', 1);
    p.closeObject();
    p.openArray(JSON_ONLY, 'o');
    p.closeArray(JSON_ONLY, null);
    return true;
  },
  indexKeys: (p) => {
    p.num(ANY, 'z', '%u', 1);
    p.num(ANY, '10', '%u', 2);
    p.num(ANY, '2', '%u', 3);
    return true;
  },
  nullKeys: (p) => {
    p.str(ANY, null, '%s', 'dropped');
    p.openObject(null);
    p.num(ANY, 'lost', '%u', 1);
    p.openArray(JSON_ONLY, 'lost too');
    p.closeArray(JSON_ONLY, null);
    p.closeObject();
    p.openArray(JSON_ONLY, null);
    p.closeArray(JSON_ONLY, null);
    p.num(ANY, 'kept', '%u', 1);
    return true;
  },
  unbalanced: (p) => {
    p.openObject('a');
    p.openArray(JSON_ONLY, 'b');
    p.closeObject(); // closes the array, as the tree pops either
    p.num(ANY, 'in_a', '%u', 1);
    p.closeArray(JSON_ONLY, null); // closes 'a'
    p.closeObject(); // at the root: ignored
    p.closeArray(JSON_ONLY, null); // likewise
    p.num(ANY, 'root', '%u', 2);
    p.openObject('left_open');
    p.num(ANY, 'x', '%u', 3);
    return true;
  },
  oddValues: (p) => {
    p.num(ANY, 'nan', '%u', NaN);
    p.num(ANY, 'inf', '%u', Infinity);
    p.num(ANY, 'big', '%u', 18446744073709551615n);
    p.num(ANY, 'undef', '%u', undefined as unknown as number);
    p.str(ANY, 'undef_str', '%s', undefined);
    p.openArray(JSON_ONLY, 'arr');
    p.num(ANY, null, '%u', undefined as unknown as number);
    p.closeArray(JSON_ONLY, null);
    p.jsonRaw('raw', { b: 1, a: [1, 'x', { c: null }], u: undefined as unknown as null, 3: true });
    p.jsonRaw('rawnum', 0.25);
    p.str(ANY, 'ctl', '%s', 'a\u0001b\u007f\u00e9\u{1f600}');
    p.str(ANY, 'long', '%s', 'x'.repeat(40) + '"' + 'y'.repeat(5));
    p.str(FP, 'text_only', '%s', 'no');
    return true;
  },
};

for (const [name, render] of Object.entries(renderers)) {
  t.test(name, async (t) => {
    for (const count of [0, 1, 5]) {
      const msgs = Array.from({ length: count }, (_, i) => msg(i + 1));
      for (const pretty of [false, true]) t.equal(viaWriter(render, msgs, pretty), viaTree(render, msgs, pretty), `${count} objects, pretty ${pretty}`);
    }
  });
}

t.test('text: objects each followed by a line break, as printed one by one', async (t) => {
  const render: ItemRenderer<undefined> = (p, m) => {
    if (m.seq === 2) return false;
    p.num(ANY, 'n', '%u: ', m.seq);
    p.nl();
    p.fp('  %s %d%%', 'more', -3);
    return true;
  };
  for (const oneline of [false, true]) {
    const w = new ListingWriter({ json: false, oneline });
    w.open();
    let want = '';
    for (let i = 1; i <= 3; i++) {
      const m = msg(i);
      w.add(render, m, ctx, undefined);
      const p = new IpPrinter(false, oneline);
      if (render(p, m, ctx, undefined)) want += p.output() + '\n';
    }
    w.close();
    t.equal(w.take(), want, `oneline ${oneline}`);
    t.equal(w.length, 0);
  }
});

t.test('printf: parsed formats give what the regex-driven formatter gave', async (t) => {
  t.equal(sprintf('%s|%u|%d|%x', 'a', -1, -5, 255), 'a|4294967295|-5|ff');
  t.equal(sprintf('%u %u', 2 ** 53 + 2, -(2 ** 33)), '9007199254740994 18446744065119617024');
  t.equal(sprintf('%s %s'), '(null) (null)');
  t.equal(sprintf('100%% %q %'), '100% %q %');
  t.equal(sprintf('%d', 1.9), '1');
  t.equal(sprintf('%d', '12'), '12');
  t.equal(sprintf('%u', true), '1');
  const p = new IpPrinter(false);
  p.fp('50%% %s');
  p.fp('%s-%s', 'a', 'b');
  t.equal(p.take(), '50% %sa-b');
  t.equal(p.output(), '');
});
