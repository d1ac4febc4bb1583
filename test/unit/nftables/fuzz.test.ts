// Hostile input: recorded nf_tables datagrams with random bytes changed, cut or extended. Decoding
// may only fail with a DecodeError; whatever decodes goes through the typed layer (ruleset,
// statements, JSON, text, events) without throwing; and the same decoder then decodes a valid
// datagram correctly. Also: stray bytes in attribute padding (nft leaves some) are kept.
import t from 'tap';
import { fromHex, toHex } from '../../../src/netlink/bytes.js';
import { isDecodeError } from '../../../src/netlink/errors.js';
import { decodeDatagram, encodeMessage, type Message } from '../../../src/netlink/message.js';
import { Writer } from '../../../src/netlink/writer.js';
import { netfilterProtocol } from '../../../src/nftables/protocol.js';
import { rulesetFromMessages } from '../../../src/nftables/ruleset.js';
import { rulesetToJson } from '../../../src/nftables/json.js';
import { rulesetToText } from '../../../src/nftables/text.js';
import { NftEventDecoder } from '../../../src/nftables/monitor.js';
import { fixtureNames, loadFixture } from './helpers.js';
import { rng } from '../../helpers/rng.js';

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
const corpus = fixtureNames.flatMap((n) => loadFixture(n).datagrams.map((d) => fromHex(d.hex)!)).filter((d) => d.length >= 20);

t.test('mutated datagrams: only DecodeError, and the typed layer never throws', async (t) => {
  const rand = rng(0x6e6674);
  const events = new NftEventDecoder();
  let decoded = 0;
  let refused = 0;
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const base = corpus[Math.floor(rand() * corpus.length)]!;
    const bytes = base.slice();
    const edits = 1 + Math.floor(rand() * 4);
    for (let k = 0; k < edits; k++) {
      const at = 16 + Math.floor(rand() * (bytes.length - 16));
      bytes[at] = Math.floor(rand() * 256);
    }
    const input = rand() < 0.2 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : bytes;
    let msgs: Message[];
    try {
      msgs = decodeDatagram(netfilterProtocol, input);
    } catch (e) {
      if (!isDecodeError(e)) {
        t.fail(`not a DecodeError on ${toHex(input)}: ${(e as Error).stack}`);
        return;
      }
      refused++;
      continue;
    }
    decoded++;
    try {
      const rs = rulesetFromMessages(msgs);
      JSON.stringify(rulesetToJson(rs));
      rulesetToText(rs);
      for (const m of msgs) events.decode(m);
    } catch (e) {
      t.fail(`the typed layer threw on ${toHex(input)}: ${(e as Error).stack}`);
      return;
    }
  }
  t.pass(`${N} inputs: ${decoded} decoded, ${refused} refused with a DecodeError`);
  const good = loadFixture('list-ruleset').datagrams.find((d) => d.direction === 'recv' && d.hex.length > 200)!;
  t.ok(decodeDatagram(netfilterProtocol, fromHex(good.hex)!).length > 0, 'a valid datagram still decodes');
});

t.test('stray bytes in attribute padding are kept verbatim', async (t) => {
  // NFT_MSG_GETSETELEM as nft 1.0.6 sent it: "sets\0" (9 bytes) padded with 42 41 b7, not zeros.
  const hex = '2c0000000d0a01030000000000000000020000000a00020061646472730000000900010073657473004241b7';
  const [m] = decodeDatagram(netfilterProtocol, fromHex(hex)!);
  t.same(m!.attrs, { set: 'addrs', table: 'sets' });
  const w = new Writer();
  encodeMessage(netfilterProtocol, m!, w);
  t.equal(toHex(w.finish()), hex, 'the same bytes');
  (m!.attrs as { table: string }).table = 'other';
  const again = toHex(encodeMessage(netfilterProtocol, m!));
  t.ok(again.endsWith('0a0001006f74686572000000'), 'a changed value is encoded afresh');
  t.notOk(again.includes('4241b7'), 'with clean padding');
});
