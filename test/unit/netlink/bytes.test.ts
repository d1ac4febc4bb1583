// Text forms of addresses and bytes. IPv6 formatting and address parsing are checked against
// the C library (glibc's inet_ntop/inet_pton, through python3) on a batch of edge and random cases.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  decodeUtf8,
  encodeUtf8,
  formatIPv4,
  formatIPv6,
  formatIp,
  formatMac,
  fromHex,
  parseIPv4,
  parseIPv6,
  parseIp,
  parseMac,
  readCString,
  toHex,
} from '../../../src/netlink/bytes.js';
import { toHexString } from '../../helpers/builder.js';
import { rng } from '../../helpers/rng.js';

const PYTHON = '/usr/bin/python3';

function fromWords(w: number[]): Uint8Array {
  const b = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    b[2 * i] = w[i]! >> 8;
    b[2 * i + 1] = w[i]! & 0xff;
  }
  return b;
}

/** The IPv6 addresses to check: edges, every zero run, and random ones. */
function ipv6Cases(): Uint8Array[] {
  const r = rng(0x5eed);
  const word = () => {
    const k = r();
    if (k < 0.3) return 1 + Math.floor(r() * 0xf); // short words
    if (k < 0.4) return 0xffff;
    return 1 + Math.floor(r() * 0xfffe);
  };
  const out: Uint8Array[] = [];
  const v4 = (a: number, b: number, c: number, d: number, w5 = 0) => fromWords([0, 0, 0, 0, 0, w5, (a << 8) | b, (c << 8) | d]);
  out.push(new Uint8Array(16)); // ::
  out.push(fromWords([0, 0, 0, 0, 0, 0, 0, 1])); // ::1
  out.push(fromWords([1, 0, 0, 0, 0, 0, 0, 0])); // 1::
  out.push(fromWords([0xfd00, 0x123, 0, 0, 0, 0, 0, 0])); // trailing zeros
  out.push(fromWords([0xfe80, 0, 0, 0, 0, 0, 0, 1]));
  out.push(v4(10, 123, 0, 1, 0xffff)); // ::ffff:a.b.c.d
  out.push(v4(0, 0, 0, 0, 0xffff)); // ::ffff:0.0.0.0
  out.push(v4(1, 2, 3, 4)); // ::a.b.c.d (IPv4-compatible)
  out.push(v4(0, 0, 0, 2)); // ::2 (not ::0.0.0.2)
  out.push(v4(0, 1, 0, 0)); // ::0.1.0.0
  out.push(v4(1, 0, 0, 0)); // ::1.0.0.0
  out.push(v4(10, 0, 0, 1, 0xfffe)); // not mapped
  out.push(fromWords([0, 0, 0, 0, 0xffff, 0, 0x0a00, 1])); // ffff in the wrong place
  out.push(fromWords([0, 0, 0, 0, 0, 0xffff, 0, 0])); // ::ffff:0.0.0.0 again, zero tail
  out.push(fromWords([0, 0, 0, 0, 0, 0xffff, 0, 1]));
  out.push(fromWords([0x64, 0xff9b, 0, 0, 0, 0, 0x0a00, 1])); // NAT64, no dotted form
  out.push(fromWords([0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff]));
  out.push(fromWords([1, 0, 1, 0, 1, 0, 1, 0])); // single zeros are not compressed
  out.push(fromWords([1, 0, 0, 1, 0, 0, 1, 1])); // two runs of 2: the first wins
  out.push(fromWords([1, 0, 0, 1, 0, 0, 0, 1])); // the longer wins
  out.push(fromWords([0, 0, 1, 0, 0, 0, 1, 0]));
  out.push(fromWords([0, 0, 1, 1, 1, 1, 0, 0])); // equal runs at both ends
  // Every zero run: start 0..7, length 1..8-start, other words non-zero (and some zero elsewhere).
  for (let start = 0; start < 8; start++) {
    for (let len = 1; start + len <= 8; len++) {
      for (let rep = 0; rep < 6; rep++) {
        const w = Array.from({ length: 8 }, word);
        for (let i = start; i < start + len; i++) w[i] = 0;
        if (rep >= 3) {
          // Another, shorter or equal, run elsewhere.
          const other = Math.floor(r() * 8);
          if (other < start - 1 || other > start + len) w[other] = 0;
        }
        out.push(fromWords(w));
      }
    }
  }
  // Random: each word zero with probability 0.45.
  while (out.length < 2000) {
    const w = Array.from({ length: 8 }, () => (r() < 0.45 ? 0 : word()));
    if (r() < 0.1) (w[5] = 0xffff), (w[0] = w[1] = w[2] = w[3] = w[4] = 0);
    out.push(fromWords(w));
  }
  return out;
}

/** Runs python3 once over lines of input and returns its output lines. */
function python(script: string, lines: string[]): string[] {
  const out = execFileSync(PYTHON, ['-c', script], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 << 20 });
  return out.split('\n').slice(0, lines.length);
}

const NTOP = `
import socket, sys
for line in sys.stdin:
    print(socket.inet_ntop(socket.AF_INET6, bytes.fromhex(line.strip())))
`;
const PTON = `
import socket, sys
for line in sys.stdin:
    fam, text = line.rstrip('\\n').split(' ', 1)
    try:
        print(socket.inet_pton(socket.AF_INET6 if fam == '6' else socket.AF_INET, text).hex())
    except OSError:
        print('invalid')
`;

t.test('formatIPv6 equals glibc inet_ntop', { skip: existsSync(PYTHON) ? false : `no ${PYTHON} here` }, async (t) => {
  const cases = ipv6Cases();
  const want = python(NTOP, cases.map((b) => toHexString(b)));
  let mismatches = 0;
  for (let i = 0; i < cases.length; i++) {
    const got = formatIPv6(cases[i]!);
    if (got !== want[i]) {
      mismatches++;
      if (mismatches <= 10) t.equal(got, want[i], `formatIPv6(${toHexString(cases[i]!)})`);
    }
  }
  t.equal(mismatches, 0, `${cases.length} addresses formatted as inet_ntop does`);
  // And parse(format(x)) == x for all of them, also via formatIp/parseIp and at an offset.
  let bad = 0;
  for (const b of cases) {
    const text = formatIPv6(b);
    if (toHexString(parseIPv6(text) ?? []) !== toHexString(b)) bad++;
    if (toHexString(parseIp(text.toUpperCase()) ?? []) !== toHexString(b)) bad++;
    const framed = new Uint8Array(20);
    framed.set(b, 3);
    if (formatIp(framed, 3, 16) !== text) bad++;
  }
  t.equal(bad, 0, 'parse(format(x)) == x');
});

t.test('parseIPv4/parseIPv6 accept what inet_pton accepts', { skip: existsSync(PYTHON) ? false : `no ${PYTHON} here` }, async (t) => {
  const v6 = [
    '::', '::1', '1::', '1::2', 'fd00:123::1', 'FD00:123::1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8',
    '1:2:3:4:5:6::8', '::ffff:10.1.2.3', '::10.1.2.3', '1::10.1.2.3', '1:2:3:4:5:6:1.2.3.4', '0:0:0:0:0:0:0:0', '0000:0000::0001',
    ':::', '::1::', '1:::2', '1::2::3', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', 'g::1', '12345::',
    '::1.2.3', '::1.2.3.4.5', '::256.1.1.1', '1:2:3:4:5:6:7:1.2.3.4', '1.2.3.4', '::1.2.3.4:5', '', ':', '1', 'fe80::1%eth0',
    ' ::1', '::1 ', '0x1::', '::ffff:1.2.3.04', '1::2:3:4:5:6:7:8', ':1::', '::1:', 'a:b:c:d:e:f:0:1', '1:2:3:4:5:6:7:8::',
  ];
  const v4 = [
    '1.2.3.4', '0.0.0.0', '255.255.255.255', '10.123.0.1', '1.2.3', '256.1.1.1', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.',
    '01.2.3.4', '1.2.3.004', '1.2.3.-1', '+1.2.3.4', '1.2.3.4 ', 'a.b.c.d', '1.2.3.0x4', '', '1234.1.1.1', '1.2.3.4/24',
  ];
  const lines = [...v6.map((s) => `6 ${s}`), ...v4.map((s) => `4 ${s}`)];
  const want = python(PTON, lines);
  v6.forEach((s, i) => {
    const got = parseIPv6(s);
    t.equal(got === undefined ? 'invalid' : toHexString(got), want[i], `parseIPv6(${JSON.stringify(s)})`);
  });
  v4.forEach((s, i) => {
    const got = parseIPv4(s);
    t.equal(got === undefined ? 'invalid' : toHexString(got), want[v6.length + i], `parseIPv4(${JSON.stringify(s)})`);
  });
});

t.test('invalid text gives undefined, not an exception', async (t) => {
  for (const s of ['1.2.3', '256.1.1.1', '1.2.3.4.5', '', 'x', '1.2.3.4/8']) t.equal(parseIPv4(s), undefined, `parseIPv4(${JSON.stringify(s)})`);
  for (const s of ['1:2:3:4:5:6:7:8:9', ':::', 'g::1', '::1::', '1::2::3', '', ':', 'x'.repeat(60)]) t.equal(parseIPv6(s), undefined, `parseIPv6(${JSON.stringify(s)})`);
  for (const s of ['1.2.3', 'fe80::g', 'hello']) t.equal(parseIp(s), undefined, `parseIp(${JSON.stringify(s)})`);
  for (const s of ['02:00:00:00:00:0g', '02::00', ':', '020:00', 'aa:bbb', '1:2:3:']) t.equal(parseMac(s), undefined, `parseMac(${JSON.stringify(s)})`);
  for (const s of ['abc', 'zz', '0g', 'a b c']) t.equal(fromHex(s), undefined, `fromHex(${JSON.stringify(s)})`);
});

t.test('MAC, hex and IPv4 text', async (t) => {
  const mac = Uint8Array.of(0x02, 0x00, 0xab, 0xcd, 0xef, 0x01);
  t.equal(formatMac(mac), '02:00:ab:cd:ef:01');
  t.equal(formatMac(new Uint8Array(0)), '');
  t.equal(formatMac(Uint8Array.of(9, 0x02, 0x00, 0xab), 1, 2), '02:00');
  t.same(parseMac('02:00:AB:cd:ef:01'), mac);
  t.same(parseMac('02-00-ab-cd-ef-01'), mac);
  t.same(parseMac('2:0:ab:cd:ef:1'), mac, 'single digits');
  t.same(parseMac(''), new Uint8Array(0));
  t.same(parseMac('ff'), Uint8Array.of(0xff));
  for (let i = 0; i < 256; i++) {
    const b = Uint8Array.of(i, 255 - i, i ^ 0x5a);
    if (toHexString(parseMac(formatMac(b))!) !== toHexString(b)) t.fail(`mac ${i}`);
    if (toHexString(fromHex(toHex(b))!) !== toHexString(b)) t.fail(`hex ${i}`);
  }
  t.equal(toHex(Uint8Array.of(0, 1, 0xab, 0xff)), '0001abff');
  t.equal(toHex(Uint8Array.of(0, 1, 0xab, 0xff), 1, 2), '01ab');
  t.equal(toHex(new Uint8Array(0)), '');
  t.same(fromHex(''), new Uint8Array(0));
  t.same(fromHex('0x0102'), Uint8Array.of(1, 2));
  t.same(fromHex('01 02:0A\\x0b'), Uint8Array.of(1, 2, 10, 11));
  t.equal(formatIPv4(Uint8Array.of(10, 123, 0, 1)), '10.123.0.1');
  t.equal(formatIPv4(Uint8Array.of(0, 255, 255, 255, 255), 1), '255.255.255.255');
  t.equal(formatIp(Uint8Array.of(1, 2, 3)), undefined, 'neither 4 nor 16 bytes');
  t.same(parseIp('10.123.0.1'), Uint8Array.of(10, 123, 0, 1));
  t.same(parseIp('::1'), fromHex('00000000000000000000000000000001'));
  const r = rng(7);
  for (let i = 0; i < 1000; i++) {
    const b = Uint8Array.from({ length: 4 }, () => Math.floor(r() * 256));
    if (toHexString(parseIPv4(formatIPv4(b))!) !== toHexString(b)) t.fail(`ipv4 ${toHexString(b)}`);
  }
});

t.test('C strings and UTF-8', async (t) => {
  const enc = (s: string) => new TextEncoder().encode(s);
  t.equal(readCString(Uint8Array.of(...enc('eth0'), 0, 0x41), 0, 6), 'eth0', 'stops at the NUL');
  t.equal(readCString(enc('eth0'), 0, 4), 'eth0', 'no NUL');
  t.equal(readCString(enc('xxeth0'), 2, 3), 'eth', 'offset and length');
  t.equal(readCString(enc('brücke'), 0, 7), 'brücke', 'short non-ASCII');
  t.equal(readCString(enc('ü'.repeat(40)), 0, 80), 'ü'.repeat(40), 'long non-ASCII');
  t.equal(readCString(enc('a'.repeat(100)), 0, 100), 'a'.repeat(100), 'long ASCII');
  t.equal(readCString(new Uint8Array(0), 0, 0), '');
  t.equal(decodeUtf8(encodeUtf8('€ and 😀')), '€ and 😀');
  t.same(encodeUtf8('é'), Uint8Array.of(0xc3, 0xa9));
});
