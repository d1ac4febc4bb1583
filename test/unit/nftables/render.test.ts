// The ruleset nlkit reads is the one nft shows: the kernel's dump messages recorded in
// fixtures/nftables (list-*, counters, nlkit-transaction), turned into typed objects by nlkit,
// render to exactly the JSON `nft -j list ruleset` printed for the same state, and to the same
// text as `nft list ruleset` (where nft does not wrap long element lists).
import t from 'tap';
import { rulesetFromMessages } from '../../../src/nftables/ruleset.js';
import { rulesetToJson, statementJson } from '../../../src/nftables/json.js';
import { rulesetToText, priorityText, statementText } from '../../../src/nftables/text.js';
import type { Statement } from '../../../src/nftables/statements.js';
import { loadFixture, received, type Fixture } from './helpers.js';

/** The dump replies of a fixture (not the echoes of a transaction before them). */
const dumped = (fx: Fixture) => received(fx).filter((m) => m.flags.includes('NLM_F_MULTI'));

function withoutMetainfo(j: { nftables: unknown[] }): unknown[] {
  return j.nftables.filter((x) => !(typeof x === 'object' && x !== null && 'metainfo' in x));
}

for (const name of ['list-ruleset', 'list-sets', 'counters', 'nlkit-transaction']) {
  t.test(`${name}: nlkit's JSON equals nft -j list ruleset`, async (t) => {
    const fx = loadFixture(name);
    const rs = rulesetFromMessages(dumped(fx));
    t.ok(rs.tables.length > 0 && rs.rules.length > 0, `${rs.tables.length} tables, ${rs.chains.length} chains, ${rs.rules.length} rules, ${rs.sets.length} sets`);
    const mine = rulesetToJson(rs, { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5' } });
    t.same(withoutMetainfo(mine), withoutMetainfo(fx.nftJson!), 'same objects, keys and values, in the same order');
    t.same(mine.nftables[0], { metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } });
    for (const r of rs.rules) t.notOk(r.statements.some((s) => 'expr' in s), `rule ${r.handle}: every expression recognised`);
  });
}

for (const name of ['list-ruleset', 'counters', 'nlkit-transaction']) {
  t.test(`${name}: nlkit's text equals nft list ruleset`, async (t) => {
    const fx = loadFixture(name);
    t.equal(rulesetToText(rulesetFromMessages(dumped(fx))), fx.nftText);
  });
}

t.test('typed listing of the kernel dump', async (t) => {
  const rs = rulesetFromMessages(dumped(loadFixture('list-ruleset')));
  t.same(
    rs.tables.map((x) => `${x.family} ${x.name}`),
    ['ip nat', 'inet filter'],
  );
  t.match(rs.chains[0], { family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 100, policy: 'accept' });
  t.match(rs.chains[1], { name: 'pre', hook: 'prerouting', priority: -100 });
  t.match(rs.chains[3], { family: 'inet', name: 'other', use: 3 }, 'use is the reference count the kernel reports');
  t.equal(rs.chains[3]!.hook, undefined, 'a regular chain has no hook');
  t.match(rs.sets.find((s) => s.name === 'webports'), { type: 'inet_service', anonymous: false, elements: [{ key: 80 }, { key: 443 }] });
  t.match(rs.sets.find((s) => s.name === '__set0'), { anonymous: true, elements: [{ key: 22 }, { key: 80 }] });
  t.match(rs.counters, [{ family: 'ip', table: 'nat', name: 'cnt1', packets: 0, bytes: 0 }]);
  const byHandle = (h: number) => rs.rules.find((r) => r.family === 'inet' && r.handle === h)!.statements;
  const nat = rs.rules.filter((r) => r.family === 'ip').map((r) => r.statements);
  t.same(nat, [
    [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' }],
    [{ match: 'ip saddr', value: '10.123.0.0/16' }, { action: 'counter', packets: 0, bytes: 0 }, { action: 'snat', addr: '10.123.9.1' }],
    [{ match: 'iifname', value: 'veth-out' }, { match: 'tcp dport', value: 8080 }, { action: 'dnat', addr: '10.123.1.2', port: 80 }],
    [{ match: 'tcp dport', set: 'webports' }, { action: 'counter', name: 'cnt1' }, { action: 'accept' }],
  ]);
  const inet = rs.rules.filter((r) => r.family === 'inet');
  t.same(inet[0]!.statements, [{ match: 'ct state', value: ['established', 'related'] }, { action: 'accept' }]);
  t.same(inet[1]!.statements, [{ match: 'iifname', value: 'br0' }, { match: 'ip saddr', value: '10.123.1.3' }, { action: 'drop' }], 'the meta nfproto dependency is folded');
  t.same(inet[2]!.statements, [{ match: 'tcp dport', value: [22, 80] }, { action: 'counter', packets: 0, bytes: 0 }, { action: 'accept' }], 'the anonymous set shows its elements');
  t.same(inet[3]!.statements, [{ match: 'udp dport', value: 53 }, { action: 'reject' }]);
  t.same(inet[4]!.statements, [{ match: 'ip saddr', value: '10.123.16.0/20' }, { match: 'oifname', op: '!=', value: 'lo' }, { action: 'drop' }], 'payload + bitwise = a prefix');
  t.same(inet[5]!.statements, [{ match: 'ip6 daddr', value: 'fd00:123::/48' }, { action: 'jump', chain: 'other' }]);
  t.same(inet[6]!.statements, [{ match: 'l4proto', value: 'icmp' }, { action: 'goto', chain: 'other' }]);
  t.same(byHandle(inet[7]!.handle), [{ action: 'return' }]);
  t.equal(inet[0]!.expressions.length, 4, 'the raw expressions are kept too');
});

t.test('counters after traffic', async (t) => {
  const rs = rulesetFromMessages(dumped(loadFixture('counters')));
  const anon = rs.rules[0]!.statements[0] as { action: string; packets: number; bytes: number };
  t.equal(anon.action, 'counter');
  t.ok(anon.packets >= 2, `rule counter: ${anon.packets} packets`);
  t.ok(rs.counters[0]!.packets as number >= 2, `named counter: ${String(rs.counters[0]!.packets)} packets`);
});

t.test('statements render as nft renders them', async (t) => {
  const cases: Array<[Statement, string, unknown, 'ip' | 'inet' | 'ip6']> = [
    [{ match: 'ct state', value: 'new' }, 'ct state new', { match: { op: 'in', left: { ct: { key: 'state' } }, right: 'new' } }, 'ip'],
    [{ match: 'ct state', op: '!', value: ['established', 'related'] }, 'ct state ! established,related', { match: { op: '!', left: { ct: { key: 'state' } }, right: ['established', 'related'] } }, 'ip'],
    [{ match: 'iifname', value: 'veth*' }, 'iifname "veth*"', { match: { op: '==', left: { meta: { key: 'iifname' } }, right: 'veth*' } }, 'ip'],
    [{ match: 'ip daddr', op: '!=', set: 'addrs' }, 'ip daddr != @addrs', { match: { op: '!=', left: { payload: { protocol: 'ip', field: 'daddr' } }, right: '@addrs' } }, 'ip'],
    [{ match: 'ip6 saddr', value: ['fd00::1', 'fd00::2'] }, 'ip6 saddr { fd00::1, fd00::2 }', { match: { op: '==', left: { payload: { protocol: 'ip6', field: 'saddr' } }, right: { set: ['fd00::1', 'fd00::2'] } } }, 'ip6'],
    [{ match: 'meta nfproto', value: 'ipv6' }, 'meta nfproto ipv6', { match: { op: '==', left: { meta: { key: 'nfproto' } }, right: 'ipv6' } }, 'inet'],
    [{ action: 'reject', with: 'tcp reset' }, 'reject with tcp reset', { reject: { type: 'tcp reset' } }, 'ip'],
    [{ action: 'reject' }, 'reject', { reject: { type: 'icmpv6', expr: 'port-unreachable' } }, 'ip6'],
    [{ action: 'reject', with: 'icmpx admin-prohibited' }, 'reject with icmpx admin-prohibited', { reject: { type: 'icmpx', expr: 'admin-prohibited' } }, 'inet'],
    [{ action: 'dnat', addr: 'fd00::1', port: 80 }, 'dnat ip6 to [fd00::1]:80', { dnat: { family: 'ip6', addr: 'fd00::1', port: 80 } }, 'inet'],
    [{ action: 'log', prefix: 'x', level: 'info' }, 'log prefix "x" level info', { log: { prefix: 'x', level: 'info' } }, 'ip'],
    [{ action: 'log' }, 'log', { log: null }, 'ip'],
    [{ action: 'counter', name: 'c' }, 'counter name "c"', { counter: 'c' }, 'ip'],
    [{ action: 'continue' }, 'continue', { continue: null }, 'ip'],
    [{ expr: { name: 'notrack' } }, '# expr notrack', { expr: { name: 'notrack', data: null } }, 'ip'],
    [{ expr: { name: 'match', data: { name: 'conntrack', rev: 3, info: '00' } } }, '# expr match', { xt: { type: 'match', name: 'conntrack' } }, 'ip'],
  ];
  for (const [s, text, json, family] of cases) {
    t.equal(statementText(s, family), text, text);
    t.same(statementJson(s, family), json, `${text} (json)`);
  }
  t.equal(priorityText(-10, 'ip', 'input'), 'filter - 10');
  t.equal(priorityText(100, 'inet', 'postrouting'), 'srcnat');
  t.equal(priorityText(-95, 'ip', 'prerouting'), 'dstnat + 5');
  t.equal(priorityText(1000, 'ip', 'input'), '1000');
  t.equal(priorityText(-200, 'bridge', 'forward'), 'filter');
});
