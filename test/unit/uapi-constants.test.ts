// Every number the specs in protocol/ declare is a fact of the kernel ABI: this test compiles a
// small C program against the uapi headers on the machine (/usr/include/linux) that prints the
// value of every C name the specs use — attribute names (prefix + NAME), enum and flag entries,
// message types, multicast groups, the index enums behind the devconf/stats arrays — and the size
// and member offsets of every struct the headers have, and compares them with the specs.
//
// The headers may be older than the kernel the specs describe (this machine: 6.1 headers, a 6.18
// kernel). A name the headers lack is not an error: gcc names each undeclared identifier once, so
// one compile finds them all; they are listed in a comment. A number that disagrees always fails.
// Skipped only where there is no gcc or no uapi headers.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INCLUDE = '/usr/include';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

if (!which('gcc')) {
  t.plan(0, 'no gcc: the uapi constants cannot be compiled');
  process.exit(0);
}
if (!existsSync(join(INCLUDE, 'linux', 'rtnetlink.h'))) {
  t.plan(0, `no uapi headers (${INCLUDE}/linux/rtnetlink.h is missing)`);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------
// What the specs say

interface SpecField {
  name: string;
  type: string;
  len?: number;
}
interface SpecStruct {
  name: string;
  c?: string;
  fields: SpecField[];
}
interface Spec {
  name: string;
  family: string;
  enums?: Array<{ name: string; prefix: string; entries: Array<[string, number]> }>;
  structs?: SpecStruct[];
  sets?: Array<{ name: string; prefix: string; attrs: Array<{ name: string; value: number }> }>;
  messages?: Array<{ name: string; value: number }>;
  groups?: Record<string, number>;
}

function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listJson(p));
    else if (e.endsWith('.json')) out.push(p);
  }
  return out;
}

const specs = listJson(join(root, 'protocol')).map((f) => ({ file: relative(root, f), spec: JSON.parse(readFileSync(f, 'utf8')) as Spec }));

/** C name -> the number the specs give it, and where. */
const expected = new Map<string, { value: number; where: string[] }>();
const conflicts: string[] = [];
function expect(name: string, value: number, where: string): void {
  const e = expected.get(name);
  if (!e) expected.set(name, { value, where: [where] });
  else if (e.value !== value) conflicts.push(`${name}: ${e.value} (${e.where.join(', ')}) vs ${value} (${where})`);
  else e.where.push(where);
}

/**
 * Arrays indexed by a uapi enum (IFLA_INET_CONF, IFLA_INET6_CONF/STATS/ICMP6STATS) are declared
 * as structs whose field i is the enum entry PREFIX<NAME> with value i + base.
 */
const INDEX_ARRAYS: Array<{ c: RegExp; prefix: string; base: number }> = [
  { c: /__IPV4_DEVCONF_MAX/, prefix: 'IPV4_DEVCONF_', base: 1 },
  { c: /^__s32\[DEVCONF_MAX\]/, prefix: 'DEVCONF_', base: 0 },
  { c: /__IPSTATS_MIB_MAX/, prefix: 'IPSTATS_MIB_', base: 0 },
  { c: /__ICMP6_MIB_MAX/, prefix: 'ICMP6_MIB_', base: 0 },
];

const cStructs: Array<{ tag: string; spec: SpecStruct; where: string }> = [];

for (const { file, spec } of specs) {
  for (const s of spec.sets ?? []) for (const a of s.attrs) expect(s.prefix + a.name.toUpperCase(), a.value, `${file} set ${s.name}`);
  for (const e of spec.enums ?? []) for (const [n, v] of e.entries) expect(e.prefix + n.toUpperCase(), v, `${file} enum ${e.name}`);
  for (const m of spec.messages ?? []) {
    // nfnetlink's nlmsg_type is (NFNL_SUBSYS_* << 8) | message: the header enum holds the low byte.
    if (spec.family === 'netfilter' && m.value > 0xff) expect(m.name, m.value & 0xff, `${file} messages (low byte of ${m.value})`);
    else expect(m.name, m.value, `${file} messages`);
  }
  for (const [g, v] of Object.entries(spec.groups ?? {})) expect(g, v, `${file} groups`);
  for (const s of spec.structs ?? []) {
    const c = s.c ?? '';
    const ia = INDEX_ARRAYS.find((x) => x.c.test(c));
    if (ia) s.fields.forEach((f, i) => expect(ia.prefix + f.name.toUpperCase(), i + ia.base, `${file} struct ${s.name} field ${i}`));
    const tag = /^struct (\w+)$/.exec(c)?.[1];
    if (tag) cStructs.push({ tag, spec: s, where: `${file} struct ${s.name}` });
  }
}

t.same(conflicts, [], 'no C name has two different numbers in the specs');

/**
 * Values the kernel changed after the headers on this machine were cut: the spec follows the
 * running kernel. Each entry applies only while the headers are older than `since`.
 */
const RENUMBERED: ReadonlyArray<{ match: RegExp; since: readonly [number, number]; why: string }> = [
  {
    match: /^IPSTATS_MIB_/,
    since: [6, 15],
    why:
      'IPSTATS_MIB_OUTREQUESTS was added and the enum reordered upstream ("net: reorganize IP MIB values (II)", ' +
      'Eric Dumazet, 2025-03, Linux 6.15); IFLA_INET6_STATS of the 6.18 kernel in fixtures/route/link-dump.json ' +
      'has num 38 and noectpkts == inpkts, outrequests == outpkts, as the spec says',
  },
];

// ---------------------------------------------------------------------------------------------
// What the headers say

function listHeaders(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listHeaders(p));
    else if (e.endsWith('.h')) out.push(p);
  }
  return out;
}

const wanted = new Set(expected.keys());
const structTags = new Set(cStructs.map((s) => s.tag));
/** Header text by path, for the headers that mention a wanted name or define a wanted struct. */
const headerText = new Map<string, string>();
for (const h of listHeaders(join(INCLUDE, 'linux'))) {
  const text = readFileSync(h, 'utf8');
  let hit = false;
  for (const m of text.matchAll(/\b[A-Z][A-Za-z0-9_]*\b/g)) {
    if (wanted.has(m[0])) {
      hit = true;
      break;
    }
  }
  if (!hit) for (const m of text.matchAll(/\bstruct\s+(\w+)\s*\{/g)) if (structTags.has(m[1]!)) hit = true;
  if (hit) headerText.set(h, text);
}

/** Member names of `struct tag` in declaration order, from the header text (flat structs only). */
function membersOf(tag: string): string[] | undefined {
  for (const text of headerText.values()) {
    const m = new RegExp(`\\bstruct\\s+${tag}\\s*\\{([^}]*)\\}`).exec(text);
    if (!m) continue;
    const body = m[1]!.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').replace(/^\s*#.*$/gm, '');
    const out: string[] = [];
    for (const decl of body.split(';')) {
      const d = decl.trim();
      if (d === '' || d.startsWith('#')) continue;
      for (const part of d.split(',')) {
        const name = /(\w+)\s*(?:\[[^\]]*\])?\s*(?::\s*\d+)?\s*$/.exec(part.trim())?.[1];
        if (name) out.push(name);
      }
    }
    return out;
  }
  return undefined;
}

const SCALAR_SIZE: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, be16: 2, u32: 4, s32: 4, be32: 4, u64: 8, s64: 8, be64: 8 };
const fieldSize = (f: SpecField) => (f.type === 'pad' || f.type === 'binary' ? (f.len ?? 0) : (SCALAR_SIZE[f.type] ?? 0));

interface StructPlan {
  tag: string;
  spec: SpecStruct;
  where: string;
  members: string[];
}
const structPlans: StructPlan[] = [];
const structsNotInHeaders: string[] = [];
for (const s of cStructs) {
  const members = membersOf(s.tag);
  if (members && members.length > 0) structPlans.push({ ...s, members });
  else structsNotInHeaders.push(`struct ${s.tag} (${s.where})`);
}

function program(names: readonly string[], includes: readonly string[]): string {
  const lines = [
    '#include <stdio.h>',
    '#include <stddef.h>',
    '#include <sys/socket.h>',
    '#include <linux/types.h>',
    ...includes.map((h) => `#include <${relative(INCLUDE, h)}>`),
    '#include <linux/version.h>',
    '#define N(x) printf("N %s %lld\\n", #x, (long long)(x))',
    '#define S(t) printf("S %s %zu\\n", #t, sizeof(struct t))',
    '#define O(t, m) printf("O %s %s %zu %zu\\n", #t, #m, offsetof(struct t, m), sizeof(((struct t *)0)->m))',
    'int main(void) {',
    '  printf("V %d %d\\n", LINUX_VERSION_CODE >> 16, (LINUX_VERSION_CODE >> 8) & 0xff);',
    ...names.map((n) => `  N(${n});`),
    ...structPlans.flatMap((s) => [`  S(${s.tag});`, ...s.members.map((m) => `  O(${s.tag}, ${m});`)]),
    '  return 0;',
    '}',
  ];
  return lines.join('\n') + '\n';
}

const work = mkdtempSync(join(tmpdir(), 'nlkit-uapi-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

// Compile; drop what gcc says is undeclared; again, until it builds (each round removes every
// name gcc reported, so this ends quickly).
let names = [...expected.keys()].sort();
const missing: string[] = [];
let output = '';
const includes = new Set(headerText.keys());
const droppedHeaders: string[] = [];
for (let round = 0; ; round++) {
  const src = join(work, 'uapi.c');
  writeFileSync(src, program(names, [...includes]));
  const cc = spawnSync('gcc', ['-std=gnu11', '-w', '-fmax-errors=0', '-o', join(work, 'uapi'), src], {
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' }, // plain quotes in the diagnostics
  });
  if (cc.status === 0) break;
  const undeclared = new Set([...cc.stderr.matchAll(/'(\w+)' undeclared/g)].map((m) => m[1]!));
  // A header that does not compile beside the others (another distribution's headers may clash):
  // leave it out; its names then count as missing rather than failing the test.
  const broken = new Set([...cc.stderr.matchAll(/^(\/[^:\s]+\.h):\d+:\d+: error/gm)].map((m) => m[1]!).filter((h) => includes.has(h)));
  if ((undeclared.size === 0 && broken.size === 0) || round > 20) {
    t.fail(`the probe program does not compile:\n${cc.stderr.split('\n').slice(0, 40).join('\n')}`);
    break;
  }
  for (const h of broken) {
    includes.delete(h);
    droppedHeaders.push(relative(INCLUDE, h));
  }
  missing.push(...undeclared);
  names = names.filter((n) => !undeclared.has(n));
}
if (droppedHeaders.length > 0) t.comment(`headers left out because they do not compile together: ${droppedHeaders.join(' ')}`);
const run = spawnSync(join(work, 'uapi'), [], { encoding: 'utf8' });
output = run.stdout ?? '';
t.equal(run.status, 0, 'the probe program runs');

let headerVersion: [number, number] = [0, 0];
const values = new Map<string, number>();
const sizes = new Map<string, number>();
const offsets = new Map<string, { offset: number; size: number }>();
for (const line of output.split('\n')) {
  const [kind, a, b, c, d] = line.split(' ');
  if (kind === 'V') headerVersion = [Number(a), Number(b)];
  else if (kind === 'N') values.set(a!, Number(b));
  else if (kind === 'S') sizes.set(a!, Number(b));
  else if (kind === 'O') offsets.set(`${a}.${b}`, { offset: Number(c), size: Number(d) });
}

// ---------------------------------------------------------------------------------------------
// Compare

/**
 * Constants the header defines already in network byte order (`#define GRE_CSUM
 * __cpu_to_be16(0x8000)`): the spec gives the value as read from the big-endian field.
 */
const networkOrder = new Map<string, 16 | 32>();
for (const text of headerText.values()) {
  for (const m of text.matchAll(/^\s*#\s*define\s+(\w+)\s+__cpu_to_be(16|32)\(/gm)) networkOrder.set(m[1]!, Number(m[2]) as 16 | 32);
}
function swap(v: number, bits: 16 | 32): number {
  if (bits === 16) return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}
const older = (since: readonly [number, number]) => headerVersion[0] < since[0] || (headerVersion[0] === since[0] && headerVersion[1] < since[1]);

t.test('every number the specs declare agrees with the uapi headers', async (t) => {
  const wrong: string[] = [];
  const renumbered = new Map<string, string[]>();
  let checked = 0;
  t.comment(`uapi headers ${headerVersion.join('.')} in ${INCLUDE}/linux`);
  for (const [name, e] of expected) {
    let v = values.get(name);
    if (v === undefined) continue;
    const bo = networkOrder.get(name);
    if (bo !== undefined && v === swap(e.value, bo)) v = swap(v, bo);
    checked++;
    if (v === e.value) continue;
    const r = RENUMBERED.find((x) => x.match.test(name) && older(x.since));
    if (r) renumbered.set(r.why, [...(renumbered.get(r.why) ?? []), `${name} ${v}->${e.value}`]);
    else wrong.push(`${name} = ${v} in the headers, ${e.value} in ${e.where.join(', ')}`);
  }
  for (const [why, list] of renumbered) t.comment(`changed since these headers (${why}): ${list.join(' ')}`);
  if (networkOrder.size > 0) t.comment(`compared in network byte order: ${[...networkOrder.keys()].filter((n) => expected.has(n)).join(' ')}`);
  t.same(wrong, [], `${checked} names compared`);
  t.ok(checked > 1000, `most names are in the headers (${checked} of ${expected.size})`);
});

t.test('names the headers on this machine do not have (newer kernels, or not uapi)', async (t) => {
  const byPrefix = new Map<string, string[]>();
  for (const n of [...new Set(missing)].sort()) {
    const where = expected.get(n)?.where[0] ?? '?';
    const key = where.replace(/ field \d+$/, '');
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), n]);
  }
  t.comment(`${new Set(missing).size} of ${expected.size} names are not in ${INCLUDE}/linux (checked against the kernel source instead):`);
  for (const [where, list] of byPrefix) t.comment(`  ${where}: ${list.join(' ')}`);
  if (structsNotInHeaders.length > 0) t.comment(`structs not in the headers: ${structsNotInHeaders.join(', ')}`);
  t.pass('listed');
});

const PADDING = /^(__|pad|resvd|reserved|res\d|unused)/;

t.test('struct sizes and member offsets agree with the uapi headers', async (t) => {
  for (const s of structPlans) {
    const errs: string[] = [];
    const notes: string[] = [];
    const cSize = sizes.get(s.tag);
    let off = 0;
    let mi = 0;
    for (const f of s.spec.fields) {
      const size = fieldSize(f);
      const member = s.members[mi];
      if (member === undefined) {
        // past the C members: only tail padding (to the alignment the wire uses) may follow
        if (f.type !== 'pad') errs.push(`${f.name} at ${off} is past the end of struct ${s.tag}`);
        off += size;
        continue;
      }
      const o = offsets.get(`${s.tag}.${member}`);
      if (!o) {
        errs.push(`no offset for ${member}`);
        break;
      }
      if (f.type === 'pad' && o.offset >= off + size && o.offset !== off) {
        // the compiler's implicit padding before an aligned member (ifla_vf_guid: u32, 4 bytes, u64)
        notes.push(`${f.name}: ${size} bytes of implicit padding before ${member}`);
        off += size;
        continue;
      }
      if (o.offset !== off) errs.push(`${f.name}: offset ${off} in the spec, ${member} at ${o.offset}`);
      if (o.size !== size) {
        errs.push(`${f.name}: ${size} bytes in the spec, ${member} has ${o.size}`);
      }
      const bare = member.replace(/^[a-z0-9]+_/, '');
      const sameName = member === f.name || member.endsWith(`_${f.name}`) || bare === f.name;
      if (!sameName) {
        if (f.type === 'pad' || PADDING.test(member)) notes.push(`${f.name} is ${member} in the header`);
        else errs.push(`${f.name}: the header's member at offset ${o.offset} is ${member}`);
      }
      off += size;
      mi++;
    }
    if (mi < s.members.length) errs.push(`the spec ends before ${s.members.slice(mi).join(', ')}`);
    if (cSize !== undefined && off !== cSize) {
      const tailPadOnly = off === ((cSize + 3) & ~3) && s.spec.fields.at(-1)?.type === 'pad';
      if (tailPadOnly) notes.push(`${off} bytes in the spec: sizeof is ${cSize}, padded to NLMSG_ALIGN on the wire`);
      else errs.push(`size ${off} in the spec, sizeof(struct ${s.tag}) = ${cSize}`);
    }
    for (const n of notes) t.comment(`struct ${s.tag}: ${n}`);
    t.same(errs, [], `struct ${s.tag} (${s.where})`);
  }
});
