// nlkit compiles typed statements into the expressions nft itself sends for the same rules: the
// NEWRULE messages nft sent in the recorded batches (fixtures/nftables/batch-*.json) are the
// reference. Then the inverse: compiled expressions decompile to the statements they came from.
import t from 'tap';
import { compileRule } from '../../../src/nftables/compile.js';
import { decompileRule, type SetView } from '../../../src/nftables/decompile.js';
import type { Statement } from '../../../src/nftables/statements.js';
import type { Family } from '../../../src/nftables/protocol.js';
import { isArgumentError } from '../../../src/netlink/errors.js';
import { loadFixture, sent } from './helpers.js';

type Expr = { name: string; data?: unknown };

/** Expressions without empty data nests, and without the transaction id of a named set's lookup. */
function normalize(exprs: readonly Expr[]): Expr[] {
  return exprs.map((e) => {
    const d = { ...(e.data as Record<string, unknown> | undefined) };
    if (e.name === 'lookup' && d.set !== '__set%d') delete d.set_id;
    return Object.keys(d).length === 0 ? { name: e.name } : { name: e.name, data: d };
  });
}

function nftRules(fixture: string): Expr[][] {
  return sent(loadFixture(fixture))
    .filter((m) => m.type === 'NFT_MSG_NEWRULE')
    .map((m) => (m.attrs as { expressions: { elem: Expr[] } }).expressions.elem);
}

const nat: Statement[][] = [
  [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' }],
  [{ match: 'ip saddr', value: '10.123.0.0/16' }, { action: 'counter' }, { action: 'snat', addr: '10.123.9.1' }],
  [{ match: 'iifname', value: 'veth-out' }, { match: 'tcp dport', value: 8080 }, { action: 'dnat', addr: '10.123.1.2', port: 80 }],
  [{ match: 'tcp dport', set: 'webports' }, { action: 'counter', name: 'cnt1' }, { action: 'accept' }],
];
const filter: Statement[][] = [
  [{ match: 'ct state', value: ['established', 'related'] }, { action: 'accept' }],
  [{ match: 'iifname', value: 'br0' }, { match: 'ip saddr', value: '10.123.1.3' }, { action: 'drop' }],
  [{ match: 'tcp dport', value: [22, 80] }, { action: 'counter' }, { action: 'accept' }],
  [{ match: 'udp dport', value: 53 }, { action: 'reject' }],
  [{ match: 'ip saddr', value: '10.123.16.0/20' }, { match: 'oifname', op: '!=', value: 'lo' }, { action: 'drop' }],
  [{ match: 'ip6 daddr', value: 'fd00:123::/48' }, { action: 'jump', chain: 'other' }],
  [{ match: 'l4proto', value: 'icmp' }, { action: 'goto', chain: 'other' }],
  [{ action: 'return' }],
];
const sets: Statement[][] = [
  [{ action: 'reject' }],
  [{ match: 'ct state', value: 'new' }, { action: 'drop' }],
  [{ match: 'ct state', op: '!=', value: ['established', 'related'] }, { action: 'drop' }],
  [{ match: 'tcp dport', value: 22 }, { action: 'reject', with: 'tcp reset' }],
  [{ match: 'ip protocol', value: 'tcp' }, { action: 'accept' }],
  [{ action: 'log', prefix: 'hello ' }],
  [{ match: 'iifname', value: 'veth*' }, { match: 'ip saddr', set: 'addrs' }, { action: 'accept' }],
  [{ match: 'iifname', op: '!=', set: 'names' }, { match: 'th dport', value: 53 }, { action: 'reject', with: 'icmp host-unreachable' }],
];

for (const [fixture, family, rules] of [['batch-nat', 'ip', nat], ['batch-filter', 'inet', filter], ['batch-sets', 'ip', sets]] as const) {
  t.test(`${fixture}: the expressions nft sends`, async (t) => {
    const theirs = nftRules(fixture);
    rules.forEach((statements, i) => {
      let id = 1;
      const mine = compileRule(statements, { family, setId: () => id++ });
      t.same(normalize(mine.exprs), normalize(theirs[i]!), `rule ${i + 1}: ${JSON.stringify(statements)}`);
    });
  });
}

t.test('anonymous sets as nft creates them', async (t) => {
  const nftSet = sent(loadFixture('batch-filter')).find((m) => m.type === 'NFT_MSG_NEWSET')!;
  const mine = compileRule(filter[2]!, { family: 'inet', setId: () => 1 });
  t.same(mine.sets, [{ id: 1, type: 'inet_service', elements: [22, 80] }]);
  const { newAnonymousSet } = await import('../../../src/nftables/messages.js');
  const msg = newAnonymousSet('inet', 'filter', 'inet_service', 1, 2);
  const { userdata: _a, ...theirs } = nftSet.attrs as Record<string, unknown>;
  const { userdata: _b, ...ours } = msg.attrs as Record<string, unknown>;
  t.same(ours, theirs, 'same attributes (nft keeps more in its user data)');
  t.same(msg.flags, nftSet.flags.filter((f) => f !== 'NLM_F_REQUEST'));
});

t.test('compile then decompile gives the statements back', async (t) => {
  const cases: Array<[Family, Statement[]]> = [
    ...nat.map((s) => ['ip', s] as [Family, Statement[]]),
    ...filter.map((s) => ['inet', s] as [Family, Statement[]]),
    ['ip', [{ match: 'ct state', op: '!', value: 'invalid' }, { action: 'drop' }]],
    ['ip', [{ match: 'ct state', op: '==', value: ['established', 'new'] }, { action: 'drop' }]],
    ['ip', [{ match: 'tcp dport', value: 22 }, { match: 'tcp sport', value: 1024 }, { action: 'accept' }]],
    ['inet', [{ match: 'ip saddr', value: '10.0.0.1' }, { match: 'ip daddr', value: '10.0.0.0/8' }, { action: 'accept' }]],
    ['inet', [{ match: 'meta nfproto', value: 'ipv6' }, { action: 'reject', with: 'icmpx admin-prohibited' }]],
    ['inet', [{ match: 'ip6 saddr', value: 'fc00::/7' }, { action: 'snat', addr: 'fd00::1', port: 99 }]],
    ['ip6', [{ match: 'ip6 daddr', value: ['fd00::1', 'fd00::2'] }, { action: 'reject', with: 'icmpv6 admin-prohibited' }]],
    ['ip', [{ match: 'udp sport', op: '!=', value: [1000, 2000] }, { match: 'oifname', value: ['a', 'b'] }, { action: 'continue' }]],
    ['ip', [{ match: 'l4proto', op: '!=', value: 'udp' }, { action: 'log', prefix: 'x', level: 'info', group: 3 }]],
    ['ip', [{ match: 'ip daddr', op: '!=', set: 'addrs' }, { action: 'counter', packets: 1, bytes: 2 }]],
    ['ip', [{ expr: { name: 'notrack' } }, { action: 'accept' }]],
    ['bridge', [{ match: 'ip saddr', value: '10.0.0.1' }, { action: 'drop' }]],
  ];
  for (const [family, statements] of cases) {
    let id = 1;
    const c = compileRule(statements, { family, setId: () => id++ });
    const anon = new Map(c.sets.map((s) => [s.id, s]));
    let n = 0;
    // The kernel names anonymous sets __set0, __set1, ... in the order they are created.
    const exprs = c.exprs.map((e) => (e.name === 'lookup' && (e.data as { set: string }).set === '__set%d' ? { ...e, data: { ...(e.data as object), set: `__set${n++}` } } : e));
    const back = decompileRule(exprs, {
      family,
      set(name): SetView | undefined {
        const m = /^__set(\d+)$/.exec(name);
        const s = m ? anon.get(Number(m[1]) + 1) : undefined;
        return s ? { anonymous: true, type: s.type, elements: s.elements } : { anonymous: false, type: undefined, elements: [] };
      },
    });
    const expected = statements.map((s) => ('action' in s && s.action === 'counter' && !('name' in s) ? { action: 'counter', packets: s.packets ?? 0, bytes: s.bytes ?? 0 } : s));
    t.same(back, expected, `${family}: ${JSON.stringify(statements)}`);
  }
});

t.test('arguments are checked before anything is sent', async (t) => {
  const bad: Array<[Family, Statement[], RegExp]> = [
    ['ip', [{ match: 'ip6 saddr', value: 'fd00::1' }], /cannot be matched in an ip table/],
    ['ip', [{ match: 'ip saddr', value: '10.0.0.1/8' }], /host bits/],
    ['ip', [{ match: 'ip saddr', value: '0.0.0.0/0' }], /matches everything/],
    ['ip', [{ match: 'ip saddr', value: 'fd00::1' }], /not an IPv4 address/],
    ['ip', [{ match: 'ip saddr', value: 'nonsense' }], /not an IPv4 or IPv6 address/],
    ['ip', [{ match: 'tcp dport', value: 70000 }], /0-65535/],
    ['ip', [{ match: 'tcp dport', value: [] }], /empty list/],
    ['ip', [{ match: 'iifname', value: 'a-name-that-is-too-long' }], /1-15/],
    ['ip', [{ match: 'l4proto', value: 'bogus' as never }], /is not one of/],
    ['ip', [{ match: 'ct state', value: ['bogus' as never] }], /is not one of/],
    ['ip', [{ match: 'ct state', op: '<' as never, value: 'new' }], /ct state compares/],
    ['ip', [{ match: 'tcp dport', op: '<' as never, value: 1 }], /must be '==' or '!='/],
    ['ip', [{ match: 'bogus' as never, value: 1 } as never], /not a field/],
    ['ip', [{ action: 'bogus' } as never], /not an action/],
    ['ip', [{ action: 'jump', chain: '' }], /names the target chain/],
    ['ip', [{ action: 'snat', addr: '10.0.0.0/8' }], /not a prefix/],
    ['ip', [{ action: 'dnat', addr: 'fd00::1' }], /does not fit an ip table/],
    ['ip', [{ action: 'reject', with: 'icmp bogus' as never }], /with a code nft knows/],
    ['ip', [{ action: 'reject', with: 'icmpv6 admin-prohibited' }], /does not fit an ip table/],
    ['ip', [{ action: 'log', level: 'loud' as never }], /is not one of/],
    ['ip', [{} as never], /neither a match/],
  ];
  for (const [family, statements, re] of bad) {
    t.throws(() => compileRule(statements, { family, setId: () => 1 }), re, JSON.stringify(statements));
    try {
      compileRule(statements, { family, setId: () => 1 });
    } catch (e) {
      t.ok(isArgumentError(e), 'an ArgumentError');
    }
  }
});
