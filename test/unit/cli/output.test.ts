// Output of the CLI without a kernel: iproute2's JSON writer layout (compact and -p), nft's JSON
// layout, address parsing and matching, the help texts, and main()'s answers that need no socket.
import t from 'tap';
import { ipJsonText } from '../../../src/cli/json-out.js';
import { nftJsonText } from '../../../src/cli/nft.js';
import { addressBytes, bitsMatch, formatAddress, getAddr, getPrefix, inPrefix } from '../../../src/cli/inet.js';
import { helpText, linkHelp } from '../../../src/cli/help.js';
import { main } from '../../../src/cli/main.js';

t.test('ip -j: compact', async (t) => {
  t.equal(ipJsonText([{ ifindex: 1, ifname: 'lo', flags: ['LOOPBACK'], n: null, b: true }], false), '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"n":null,"b":true}]');
  t.equal(ipJsonText([], false), '[]');
  t.equal(ipJsonText({ big: 18446744073709551615n }, false), '{"big":18446744073709551615}');
  t.equal(ipJsonText(['a"b\\c\td\ne'], false), '["a\\"b\\\\c\\td\\ne"]', 'jsonw_puts escapes');
  t.equal(ipJsonText({ skip: undefined, keep: 1 }, false), '{"keep":1}');
});

t.test('ip -j -p: json_writer\'s pretty layout', async (t) => {
  // As `ip -j -p link show` printed it in the sandbox (iproute2 6.1).
  const want = `[ {
        "ifindex": 1,
        "ifname": "lo",
        "flags": [ "LOOPBACK" ],
        "mtu": 65536,
        "linkinfo": {
            "info_kind": "x"
        },
        "empty": [ ],
        "obj": {}
    },{
        "ifindex": 2
    } ]`;
  t.equal(ipJsonText([{ ifindex: 1, ifname: 'lo', flags: ['LOOPBACK'], mtu: 65536, linkinfo: { info_kind: 'x' }, empty: [], obj: {} }, { ifindex: 2 }], true), want);
  t.equal(ipJsonText([], true), '[ ]');
});

t.test('nft -j layout', async (t) => {
  t.equal(nftJsonText({ nftables: [{ metainfo: { json_schema_version: 1 } }, { accept: null }] }), '{"nftables": [{"metainfo": {"json_schema_version": 1}}, {"accept": null}]}');
});

t.test('get_prefix / get_addr', async (t) => {
  t.match(getPrefix('10.123.0.1/24', 0), { family: 2, address: '10.123.0.1', bitlen: 24, lenGiven: true });
  t.match(getPrefix('10.123/16', 0), { family: 2, address: '10.123.0.0', bitlen: 16 });
  t.match(getPrefix('fd00:123::1/64', 0), { family: 10, address: 'fd00:123::1', bitlen: 64 });
  t.match(getPrefix('default', 10), { family: 10, address: '::', bitlen: 0, any: true });
  t.match(getPrefix('default', 0), { family: 0, address: '', any: true });
  t.match(getPrefix('10.1.2.3', 0), { bitlen: 32, lenGiven: false });
  t.throws(() => getPrefix('10.123.0.1/33', 0), { name: 'CliExit', status: 1, text: 'Error: any valid prefix is expected rather than "10.123.0.1/33".\n' });
  t.throws(() => getPrefix('10.123.0.1/24', 10), { name: 'CliExit', text: 'Error: inet6 prefix is expected rather than "10.123.0.1/24".\n' });
  t.throws(() => getAddr('10.1.1.1/24', 0), { name: 'CliExit', text: 'Error: any valid address is expected rather than "10.1.1.1/24".\n' });
  t.throws(() => getAddr('nonsense', 2), { name: 'CliExit', text: 'Error: inet address is expected rather than "nonsense".\n' });
  t.equal(getAddr('::ffff:10.1.2.3', 0).address, '::ffff:10.1.2.3');
  t.equal(getAddr('fd00:0:0:0:0:0:0:1', 0).address, 'fd00::1');
  t.equal(getAddr('1:0:0:1:0:0:0:1', 0).address, '1:0:0:1::1');
  t.equal(formatAddress(new Uint8Array(16)), '::');
  t.equal(getPrefix('1:2:3:4:5:6:7:8', 0).address, '1:2:3:4:5:6:7:8');
});

t.test('prefix matching', async (t) => {
  const p = getPrefix('10.123.0.0/16', 0);
  t.ok(inPrefix('10.123.4.5', p));
  t.notOk(inPrefix('10.124.0.1', p));
  t.notOk(inPrefix('fd00::1', p));
  t.ok(inPrefix('anything', getPrefix('default', 0)));
  t.ok(bitsMatch(addressBytes('10.1.2.3')!, addressBytes('10.1.2.0')!, 23));
  t.notOk(bitsMatch(addressBytes('10.1.2.3')!, addressBytes('10.1.4.0')!, 23));
});

t.test('help texts', async (t) => {
  for (const topic of ['ip', 'link', 'address', 'route', 'neigh', 'netns', 'tuntap', 'monitor', 'bridge', 'bridge:fdb', 'bridge:link', 'nft', 'decode']) {
    t.match(helpText(topic), /^Usage:/, topic);
  }
  for (const kind of ['veth', 'bridge', 'vxlan', 'macvlan', 'macvtap', 'ipip', 'sit', 'gre', 'gretap', 'vlan', 'bond', 'vrf', 'dummy', 'ifb', 'geneve']) {
    t.match(linkHelp(kind), /^Usage: /, kind);
  }
  t.match(linkHelp('macvtap'), /macvtap mode MODE/);
  t.match(linkHelp('sit'), /isatap/);
  t.match(helpText('link:nosuch'), /has no options/);
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, {
    stdout: { write: (c: string | Uint8Array) => (out += String(c)) },
    stderr: { write: (c: string | Uint8Array) => (err += String(c)) },
    stdin: (async function* () {})(),
  });
  return { code, out, err };
}

t.test('main(): answers that need no kernel', async (t) => {
  let r = await run(['-V']);
  t.match(r.out, /^nlkit utility, nlkit-/);
  r = await run(['help']);
  t.equal(r.code, 0);
  t.match(r.out, /^Usage: nlkit \[ OPTIONS \]/);
  r = await run(['help', 'route']);
  t.match(r.out, /^Usage: nlkit route/);
  r = await run(['link', 'help', 'bridge']);
  t.match(r.out, /forward_delay/);
  r = await run(['foo']);
  t.same([r.code, r.err], [1, 'Object "foo" is unknown, try "nlkit help".\n']);
  r = await run(['tunnel', 'show']);
  t.same([r.code, r.err], [1, 'Object "tunnel" is not supported by nlkit, try "nlkit help".\n']);
  r = await run([]);
  t.equal(r.code, 255);
  t.match(r.err, /^Usage: nlkit/);
  r = await run(['-n']);
  t.equal(r.code, 255, '-n without a name: usage');
  r = await run(['link', 'frobnicate']);
  t.same([r.code, r.err], [255, 'Command "frobnicate" is unknown, try "nlkit link help".\n']);
  r = await run(['addr', 'frob']);
  t.equal(r.code, 255);
  r = await run(['route', 'frob']);
  t.equal(r.code, 255);
  r = await run(['neigh', 'frob']);
  t.equal(r.code, 255);
  r = await run(['netns', 'frob']);
  t.equal(r.code, 255);
  r = await run(['bridge', 'frob']);
  t.same([r.code, r.err], [255, 'Object "frob" is unknown, try "nlkit bridge help".\n']);
  r = await run(['monitor', 'frob']);
  t.equal(r.code, 255);
  r = await run(['nft', 'flush', 'ruleset']);
  t.equal(r.code, 1);
  r = await run(['-n', 'no/such', 'link']);
  t.equal(r.code, 255);
});
