// The argument toolkit of the ip-compatible CLI: iproute2's matches(), NEXT_ARG discipline, C
// number parsing and the error texts of invarg/duparg/duparg2/incomplete_command; the global
// options and the object table with ip's abbreviations.
import t from 'tap';
import { Args, CliExit, duparg, duparg2, getInteger, getUnsigned, incomplete, invarg, isCliExit, matches, parseCNumber, parseOnOff, parseTime } from '../../../src/cli/args.js';
import { findObject, parseGlobal } from '../../../src/cli/ip.js';

t.test('matches(): a non-empty prefix', async (t) => {
  t.ok(matches('a', 'address'));
  t.ok(matches('address', 'address'));
  t.notOk(matches('', 'address'));
  t.notOk(matches('addresses', 'address'));
  t.notOk(matches('b', 'address'));
});

t.test('Args: NEXT_ARG and friends', async (t) => {
  const a = new Args(['dev', 'veth0', 'up']);
  t.equal(a.word, 'dev');
  t.equal(a.peek(), 'veth0');
  t.equal(a.next(), 'veth0');
  a.skip();
  t.equal(a.word, 'up');
  t.equal(a.left, 1);
  t.same(a.rest(), ['up']);
  t.throws(() => a.next(), { name: 'CliExit', status: 255, text: 'Command line is not complete. Try option "help"\n' });
  a.back();
  t.equal(a.word, 'up');
  const b = new Args(['x']);
  t.equal(b.take(), 'x');
  t.equal(b.take(), undefined);
  t.notOk(b.more);
});

t.test('numbers as strtoul/strtol with base 0', async (t) => {
  t.equal(parseCNumber('0x1f'), 31);
  t.equal(parseCNumber('017'), 15);
  t.equal(parseCNumber('0'), 0);
  t.equal(parseCNumber('12'), 12);
  t.equal(parseCNumber('-3', true), -3);
  t.equal(parseCNumber('-3'), undefined);
  t.equal(parseCNumber('1x'), undefined);
  t.equal(parseCNumber(''), undefined);
  t.equal(getUnsigned('65536', 0xffff), undefined);
  t.equal(getUnsigned('4294967295'), 0xffffffff);
  t.equal(getInteger('2147483648'), undefined);
  t.equal(getInteger('-5'), -5);
  t.equal(parseTime('12ms', 's'), 12);
  t.equal(parseTime('2s', 'ms'), 2000);
  t.equal(parseTime('3', 's'), 3000);
  t.equal(parseTime('x', 's'), undefined);
  t.equal(parseOnOff('arp', 'on'), true);
  t.equal(parseOnOff('arp', 'off'), false);
  t.throws(() => parseOnOff('arp', 'maybe'), { name: 'CliExit', status: 1, text: 'Error: argument of "arp" must be "on" or "off", not "maybe"\n' });
});

t.test('error texts as iproute2 prints them', async (t) => {
  t.equal(invarg('Invalid "mtu" value\n', 'abc').text, 'Error: argument "abc" is wrong: Invalid "mtu" value\n\n');
  t.equal(invarg('invalid TTL', 'x').text, 'Error: argument "x" is wrong: invalid TTL\n');
  t.equal(duparg('mtu', '9').text, 'Error: duplicate "mtu": "9" is the second value.\n');
  t.equal(duparg2('dev', 'foo').text, 'Error: either "dev" is duplicate, or "foo" is a garbage.\n');
  t.equal(incomplete().status, 255);
  t.ok(isCliExit(new CliExit(2, 'x')));
  t.notOk(isCliExit(new Error('x')));
  t.equal(new CliExit(1, '').text, '');
});

t.test('global options in ip\'s order of tests', async (t) => {
  let g = parseGlobal(['-j', '-p', '-d', '-d', '-s', '-4', 'link', 'show']);
  t.same([g.opts.json, g.opts.pretty, g.opts.details, g.opts.stats, g.opts.family], [true, true, 2, 1, 2]);
  t.same(g.rest, ['link', 'show']);
  g = parseGlobal(['-br', '-o', '-n', 'ns1', '--', 'addr']);
  t.same([g.opts.brief, g.opts.oneline, g.opts.netns], [true, true, 'ns1']);
  t.same(g.rest, ['addr']);
  g = parseGlobal(['-b', 'file.txt', '-force']);
  t.equal(g.batch, 'file.txt', '-b is -batch (tested before -brief)');
  t.ok(g.opts.force);
  g = parseGlobal(['-family', 'inet6', '-ts', 'monitor']);
  t.equal(g.opts.family, 10);
  t.equal(g.opts.timestamp, 2);
  g = parseGlobal(['-h']);
  t.ok(g.help, '-h alone asks for help');
  g = parseGlobal(['-h', 'link']);
  t.notOk(g.help, '-h before an object is -human, as in ip');
  t.ok(parseGlobal(['--help']).help);
  t.ok(parseGlobal(['-V']).version);
  t.throws(() => parseGlobal(['-x']), { name: 'CliExit', status: 255, text: 'Option "-x" is unknown, try "nlkit -help".\n' });
  t.throws(() => parseGlobal(['-family', 'ipx']), { name: 'CliExit', status: 255 });
});

t.test('objects abbreviate as in ip', async (t) => {
  const name = (w: string) => findObject(w)?.[0];
  t.equal(name('a'), 'address');
  t.equal(name('addr'), 'address');
  t.equal(name('r'), 'route');
  t.equal(name('ru'), 'rule');
  t.equal(name('n'), 'neighbor');
  t.equal(name('neighbour'), 'neighbour');
  t.equal(name('l'), 'link');
  t.equal(name('t'), 'tunnel');
  t.equal(name('tunt'), 'tuntap');
  t.equal(name('m'), 'maddress');
  t.equal(name('mo'), 'monitor');
  t.equal(name('netn'), 'netns');
  t.equal(name('b'), 'bridge');
  t.equal(name('nft'), 'nft');
  t.equal(name('x'), 'xfrm');
  t.equal(name('zzz'), undefined);
  t.equal(findObject('rule')?.[1], null, 'ip objects nlkit does not do');
});
