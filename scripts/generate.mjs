#!/usr/bin/env node
// nlkit-gen: turns protocol/<family>/**/*.json into typed TypeScript under src/<dir>/gen/.
//
//   node scripts/generate.mjs           write the generated files
//   node scripts/generate.mjs --check   exit 1 (printing what differs) when a generated file is stale
//
// One generated file per spec file: TypeScript interfaces for its structs and attribute sets
// (with each attribute's C name, number and wire type). gen/index.ts holds the runtime: every
// spec file's compact table (its `part`, under a comment naming the spec) and the fast header
// decoders, merged into one ProtocolDef. One module per family at run time, not one per spec:
// `nlkit link show` loaded 33 route modules at start-up, ~0.3 ms of loader work each
// (bench: cli/link-show-3).
import { readFileSync, writeFileSync, readdirSync, mkdirSync, existsSync, statSync, unlinkSync } from 'node:fs';
import { join, relative, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const GENERATOR = 'nlkit-gen 1';
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const FAMILIES = { route: 'rtnetlink', netfilter: 'nftables', generic: 'genetlink' };

function listJson(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...listJson(p));
    else if (e.endsWith('.json')) out.push(p);
  }
  return out;
}

const pascal = (s) => s.replace(/(^|[-_\s]+)([a-zA-Z0-9])/g, (_m, _s, c) => c.toUpperCase());
const ident = (s) => s.replace(/[-\s]+([a-zA-Z0-9])/g, (_m, c) => c.toUpperCase()).replace(/^[0-9]/, '_$&');
const prop = (s) => (/^[A-Za-z_$][\w$]*$/.test(s) ? s : JSON.stringify(s));
const doc = (lines, indent = '') => {
  const text = lines.filter(Boolean).join('\n').split('\n');
  return text.length === 1 ? `${indent}/** ${text[0]} */\n` : `${indent}/**\n${text.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
};

const SCALAR_TS = { u8: 'number', u16: 'number', u32: 'number', s8: 'number', s16: 'number', s32: 'number', be16: 'number', be32: 'number', u64: 'number | bigint', s64: 'number | bigint', be64: 'number | bigint', uint: 'number | bigint', sint: 'number | bigint' };

function structType(name) {
  return pascal(name);
}
function setType(name) {
  return `${pascal(name)}Attrs`;
}

function loadFamily(family) {
  const files = listJson(join(root, 'protocol', family));
  return files.map((f) => {
    let spec;
    try {
      spec = JSON.parse(readFileSync(f, 'utf8'));
    } catch (e) {
      throw new Error(`${relative(root, f)}: ${e.message}`);
    }
    if (spec.family !== family) throw new Error(`${relative(root, f)}: family is ${spec.family}, expected ${family}`);
    return { file: f, spec };
  });
}

/** Checks references across all files of a family; returns a list of problems. */
function validate(family, specs) {
  const problems = [];
  const sets = new Map(), structs = new Map(), subs = new Set(), enums = new Set();
  for (const { file, spec } of specs) {
    for (const s of spec.sets ?? []) {
      if (sets.has(s.name)) problems.push(`${relative(root, file)}: set ${s.name} declared twice`);
      sets.set(s.name, s);
    }
    for (const s of spec.structs ?? []) {
      if (structs.has(s.name)) problems.push(`${relative(root, file)}: struct ${s.name} declared twice`);
      structs.set(s.name, s);
    }
    for (const s of spec.subMessages ?? []) subs.add(s.name);
    for (const e of spec.enums ?? []) {
      if (enums.has(e.name)) problems.push(`${relative(root, file)}: enum ${e.name} declared twice`);
      enums.add(e.name);
    }
  }
  const types = new Set(['uint', 'sint', 'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'be16', 'be32', 'be64', 'flag', 'string', 'binary', 'struct', 'array', 'nest', 'indexed-array', 'sub-message', 'custom']);
  for (const { file, spec } of specs) {
    const where = relative(root, file);
    for (const s of spec.sets ?? []) {
      const seenName = new Set(), seenValue = new Set();
      for (const a of s.attrs) {
        const at = `${where}: ${s.prefix}${String(a.name).toUpperCase()}`;
        if (!/^[a-z0-9_]+$/.test(a.name)) problems.push(`${at}: name must be lower-case C name without prefix`);
        if (!Number.isInteger(a.value) || a.value < 0 || a.value > 0x3fff) problems.push(`${at}: bad value ${a.value}`);
        if (seenName.has(a.name)) problems.push(`${at}: name repeated in set ${s.name}`);
        if (seenValue.has(a.value)) problems.push(`${at}: value ${a.value} repeated in set ${s.name}`);
        seenName.add(a.name);
        seenValue.add(a.value);
        if (!types.has(a.type)) problems.push(`${at}: unknown type ${a.type}`);
        if ((a.type === 'nest' || (a.type === 'indexed-array' && !a.element)) && !sets.has(a.set)) problems.push(`${at}: unknown set ${a.set}`);
        if ((a.type === 'struct' || (a.type === 'nest' && a.struct)) && !structs.has(a.struct)) problems.push(`${at}: unknown struct ${a.struct}`);
        if (a.type === 'sub-message' && (!subs.has(a.subMessage) || !a.selector)) problems.push(`${at}: sub-message needs selector and a declared subMessage (${a.subMessage})`);
        if (a.enum && !enums.has(a.enum)) problems.push(`${at}: unknown enum ${a.enum}`);
      }
    }
    for (const sm of spec.subMessages ?? []) {
      for (const [k, v] of Object.entries(sm.variants ?? {})) {
        if (v.set && !sets.has(v.set)) problems.push(`${where}: sub-message ${sm.name} variant ${k}: unknown set ${v.set}`);
        if (v.struct && !structs.has(v.struct)) problems.push(`${where}: sub-message ${sm.name} variant ${k}: unknown struct ${v.struct}`);
      }
    }
    for (const m of spec.messages ?? []) {
      if (!structs.has(m.header)) problems.push(`${where}: message ${m.name}: unknown header ${m.header}`);
      if (!sets.has(m.attrs)) problems.push(`${where}: message ${m.name}: unknown set ${m.attrs}`);
    }
    for (const s of spec.structs ?? []) for (const f of s.fields) if (f.enum && !enums.has(f.enum)) problems.push(`${where}: struct ${s.name}.${f.name}: unknown enum ${f.enum}`);
  }
  return { problems, sets, structs };
}

function attrTs(a, subMessages) {
  let t;
  switch (a.type) {
    case 'flag':
      t = 'true';
      break;
    case 'string':
    case 'binary':
      t = 'string';
      break;
    case 'struct':
      t = structType(a.struct);
      break;
    case 'array':
      t = `Array<${SCALAR_TS[a.element] ?? 'string'}>`;
      break;
    case 'nest':
      t = a.struct ? `{ header: ${structType(a.struct)}; attrs: ${setType(a.set)} }` : setType(a.set);
      break;
    case 'indexed-array':
      t = a.element ? `Array<${SCALAR_TS[a.element] ?? 'string'}>` : `Array<${setType(a.set)}>`;
      break;
    case 'sub-message': {
      const sm = subMessages.get(a.subMessage);
      const parts = new Set();
      for (const v of Object.values(sm?.variants ?? {})) parts.add(v.set ? setType(v.set) : v.struct ? structType(v.struct) : v.type === 'string' || v.type === 'binary' || !v.type ? 'string' : SCALAR_TS[v.type]);
      parts.add('string');
      t = [...parts].join(' | ');
      break;
    }
    case 'custom':
      t = 'unknown';
      break;
    default:
      t = SCALAR_TS[a.type] ?? 'unknown';
  }
  return a.multi ? `Array<${t}>` : t;
}

function wireType(a) {
  if (a.type === 'nest') return a.struct ? `nest (${a.struct} + ${a.set})` : `nest (${a.set})`;
  if (a.type === 'struct') return `struct ${a.struct}`;
  if (a.type === 'array') return `array of ${a.element}`;
  if (a.type === 'indexed-array') return `indexed-array of ${a.element ?? a.set}`;
  if (a.type === 'sub-message') return `sub-message ${a.subMessage} by ${a.selector}`;
  if (a.type === 'custom') return `custom ${a.custom}`;
  if (a.type === 'binary' && a.display) return `binary (${a.display})`;
  return a.type;
}

function runtimeAttr(a) {
  const o = { name: a.name, value: a.value, type: a.type };
  for (const k of ['display', 'struct', 'element', 'set', 'selector', 'subMessage', 'custom', 'multi', 'nested', 'indexBase', 'enum']) if (a[k] !== undefined) o[k] = a[k];
  return o;
}

/**
 * The runtime tables as JSON text, compact and deterministic (one attribute/field per line), for
 * `JSON.parse` in the generated index: V8 reads a JSON string much faster than the same object
 * literal in JavaScript (the route family's tables: 6 ms to load as literals, under 3 ms as
 * JSON; bench: cli/link-show-3, where they were a tenth of nlkit's start-up).
 */
function jsonText(v, indent = '') {
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object' || x === null)) return JSON.stringify(v);
    if (v.every((x) => Array.isArray(x) && x.every((y) => typeof y !== 'object'))) return `[\n${v.map((x) => `${indent}  ${JSON.stringify(x)}`).join(',\n')}\n${indent}]`;
    return `[\n${v.map((x) => `${indent}  ${jsonText(x, indent + '  ')}`).join(',\n')}\n${indent}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v);
    const flat = entries.every(([, x]) => typeof x !== 'object' || x === null);
    if (flat) return `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`).join(', ')} }`;
    return `{\n${entries.map(([k, x]) => `${indent}  ${JSON.stringify(k)}: ${jsonText(x, indent + '  ')}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

/** JSON text as the body of a template literal. */
function templateBody(text) {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

const READ = {
  u8: (o) => `v.getUint8(${o})`,
  s8: (o) => `v.getInt8(${o})`,
  u16: (o) => `v.getUint16(${o}, true)`,
  s16: (o) => `v.getInt16(${o}, true)`,
  be16: (o) => `v.getUint16(${o}, false)`,
  u32: (o) => `v.getUint32(${o}, true)`,
  s32: (o) => `v.getInt32(${o}, true)`,
  be32: (o) => `v.getUint32(${o}, false)`,
  u64: (o) => `readU64(v, ${o})`,
  be64: (o) => `readU64be(v, ${o})`,
  s64: (o) => `readS64(v, ${o})`,
};
const SIZE = { u8: 1, s8: 1, u16: 2, s16: 2, be16: 2, u32: 4, s32: 4, be32: 4, u64: 8, be64: 8, s64: 8 };

/** A monomorphic decoder for a struct of scalars and pads (the hot path of every message header). */
function fastDecoder(s) {
  if (!s.fields.every((f) => f.type === 'pad' || READ[f.type])) return undefined;
  const fn = `fast${pascal(s.name)}`;
  const off = (o) => (o ? `o + ${o}` : 'o');
  let o = 0;
  const checks = [];
  const props = [];
  const helpers = new Set();
  for (const f of s.fields) {
    if (f.type === 'pad') {
      for (let i = 0; i < f.len; i++) checks.push(`v.getUint8(${off(o + i)}) !== 0`);
      o += f.len;
      continue;
    }
    const r = READ[f.type](off(o));
    if (r.startsWith('read')) helpers.add(r.slice(0, r.indexOf('(')));
    props.push(`${prop(f.name)}: ${r}`);
    o += SIZE[f.type];
  }
  let code = `\n/** Decodes ${s.c ?? s.name} of exactly ${o} bytes (undefined when a pad byte is not zero). */\n`;
  code += `function ${fn}(v: DataView, o: number): ${structType(s.name)} | undefined {\n`;
  if (checks.length) code += `  if (${checks.join(' || ')}) return undefined;\n`;
  code += `  return { ${props.join(', ')} };\n}\n`;
  return { fn, code, helpers };
}

function generateFile(family, { file, spec }, allSubMessages) {
  const src = relative(root, file);
  let out = `// Generated by ${GENERATOR} from ${src}. Do not edit: change the spec and run \`npm run generate\`.\n`;
  out += `// ${spec.doc ?? ''}\n`.replace(/\/\/ \n$/, '');
  if (spec.sources?.length) out += `// Sources: ${spec.sources.join(', ')}\n`;
  const imports = new Set();
  const local = new Set([...(spec.sets ?? []).map((s) => setType(s.name)), ...(spec.structs ?? []).map((s) => structType(s.name))]);
  let body = '';
  for (const s of spec.structs ?? []) {
    body += `\n${doc([`${s.c ?? `struct ${s.name}`}${s.doc ? ` — ${s.doc}` : ''}`])}export interface ${structType(s.name)} {\n`;
    for (const f of s.fields) {
      if (f.type === 'pad') continue;
      const t = f.type === 'binary' ? 'string' : SCALAR_TS[f.type];
      body += doc([`${f.type}${f.len ? `[${f.len}]` : ''}${f.display ? ` (${f.display})` : ''}${f.enum ? `, enum ${f.enum}` : ''}${f.doc ? `: ${f.doc}` : ''}`], '  ');
      body += `  ${prop(f.name)}?: ${t} | undefined;\n`;
    }
    body += `  /** Bytes beyond the known fields (the struct grew), hex. */\n  _unknown?: string;\n}\n`;
  }
  for (const s of spec.sets ?? []) {
    body += `\n${doc([`Attribute set \`${s.name}\` (${s.prefix}*)${s.doc ? ` — ${s.doc}` : ''}`])}export interface ${setType(s.name)} {\n`;
    for (const a of s.attrs) {
      const t = attrTs(a, allSubMessages);
      for (const m of t.matchAll(/\b([A-Z][A-Za-z0-9]*)\b/g)) if (!local.has(m[1]) && m[1] !== 'Array') imports.add(m[1]);
      body += doc([`${a.doc ? a.doc : ''}`, `Generated from ${s.prefix}${a.name.toUpperCase()} = ${a.value}, ${wireType(a)}.`].filter(Boolean), '  ');
      body += `  ${prop(a.name)}?: ${t} | undefined;\n`;
    }
    body += `  /** Attributes this spec does not know, by number, as hex. */\n  [unknown: \`\${number}\`]: string | string[] | undefined;\n}\n`;
  }
  const part = {};
  const helpers = new Set();
  const fastTypes = new Set();
  let runtime = '';
  for (const st of spec.structs ?? []) {
    const fast = fastDecoder(st);
    if (!fast) continue;
    runtime += fast.code;
    st.__fast = fast.fn;
    fastTypes.add(structType(st.name));
    for (const h of fast.helpers) helpers.add(h);
  }
  if (spec.structs?.length) part.structs = Object.fromEntries(spec.structs.map((s) => [s.name, { name: s.name, ...(s.c && { c: s.c }), fields: s.fields.map((f) => { const o = { name: f.name, type: f.type }; for (const k of ['len', 'display', 'enum']) if (f[k] !== undefined) o[k] = f[k]; return o; }) }]));
  const fasts = (spec.structs ?? []).filter((s) => s.__fast).map((s) => `${prop(s.name)}: ${s.__fast}`);
  if (spec.sets?.length) part.sets = Object.fromEntries(spec.sets.map((s) => [s.name, { name: s.name, prefix: s.prefix, attrs: s.attrs.map(runtimeAttr) }]));
  if (spec.subMessages?.length) part.subMessages = Object.fromEntries(spec.subMessages.map((s) => [s.name, { name: s.name, variants: s.variants ?? {}, ...(s.default && { default: s.default }) }]));
  if (spec.messages?.length) part.messages = spec.messages.map((m) => ({ name: m.name, value: m.value, header: m.header, attrs: m.attrs, op: m.op }));
  if (spec.enums?.length) part.enums = Object.fromEntries(spec.enums.map((e) => [e.name, { name: e.name, type: e.type, prefix: e.prefix, entries: e.entries }]));
  if (spec.groups && Object.keys(spec.groups).length) part.groups = spec.groups;
  if (imports.size) out += `import type { ${[...imports].sort().join(', ')} } from './types.js';\n`;
  out += body;
  if (local.size === 0) out += `\n// This spec declares no struct and no attribute set: no types (its tables are in index.ts).\nexport {};\n`;
  const rel = relative(join(root, 'protocol', family), file);
  const module = rel.replace(/\.json$/, '').replace(/[\/]/g, '-');
  const table = `JSON.parse(\`${templateBody(jsonText(part))}\`)`;
  runtime = `\n// ---- ${src}\n${runtime}\n/** Runtime tables of ${src}. */\nconst ${ident(module)}: Partial<ProtocolDef> = /* @__PURE__ */ ${fasts.length ? `withFast(${table}, { ${fasts.join(', ')} })` : table};\n`;
  return { name: basename(file, '.json'), rel, module, code: out, runtime, helpers, fastTypes, types: [...local] };
}

function generateFamily(family) {
  const specs = loadFamily(family);
  if (specs.length === 0) return [];
  const { problems } = validate(family, specs);
  if (problems.length) throw new Error(`protocol/${family}:\n  ${problems.join('\n  ')}`);
  const subMessages = new Map();
  for (const { spec } of specs) for (const sm of spec.subMessages ?? []) {
    const cur = subMessages.get(sm.name) ?? { name: sm.name, variants: {} };
    Object.assign(cur.variants, sm.variants ?? {});
    subMessages.set(sm.name, cur);
  }
  const files = specs.map((s) => generateFile(family, s, subMessages));
  const names = new Set();
  for (const f of files) {
    if (names.has(f.module)) throw new Error(`two specs generate ${f.module}`);
    names.add(f.module);
  }
  const dir = FAMILIES[family];
  let types = `// Generated by ${GENERATOR}: every type of protocol/${family}/, re-exported. Do not edit.\n`;
  for (const f of files) if (f.types.length) types += `export type { ${f.types.sort().join(', ')} } from './${f.module}.js';\n`;
  let index = `// Generated by ${GENERATOR}: the ${family} family merged from protocol/${family}/*.json. Do not edit.\n`;
  index += `// The runtime tables of every spec file of the family, in one module (the types are in the file\n// generated beside it from the same spec, and in types.ts).\n`;
  index += `import { mergeProtocols, type ProtocolDef, type StructDef } from '../../netlink/spec.js';\n`;
  const helpers = [...new Set(files.flatMap((f) => [...f.helpers]))].sort();
  const fastTypes = [...new Set(files.flatMap((f) => [...f.fastTypes]))].sort();
  if (helpers.length) index += `import { ${helpers.join(', ')} } from '../../netlink/scalars.js';\n`;
  if (fastTypes.length) index += `import type { ${fastTypes.join(', ')} } from './types.js';\n`;
  if (files.some((f) => f.runtime.includes('withFast('))) {
    index += `\n/** Puts the fast header decoders (functions, not JSON) on their structs. */\n`;
    index += `function withFast(part: Partial<ProtocolDef>, fast: Record<string, NonNullable<StructDef['fast']>>): Partial<ProtocolDef> {\n`;
    index += `  for (const [name, f] of Object.entries(fast)) (part.structs![name] as { fast?: StructDef['fast'] }).fast = f;\n  return part;\n}\n`;
  }
  for (const f of files) index += f.runtime;
  index += `\n/** Every message, struct, attribute set and enum of the ${family} family. */\n`;
  index += `export const ${family}ProtocolDef: ProtocolDef = /* @__PURE__ */ mergeProtocols('${family}', [\n${files.map((f) => `  ${ident(f.module)},`).join('\n')}\n]);\n`;
  index += `\nexport type * from './types.js';\n`;
  return [
    ...files.map((f) => ({ path: join(root, 'src', dir, 'gen', `${f.module}.ts`), code: f.code })),
    { path: join(root, 'src', dir, 'gen', 'types.ts'), code: types },
    { path: join(root, 'src', dir, 'gen', 'index.ts'), code: index },
  ];
}

const check = process.argv.includes('--check');
let stale = 0;
for (const family of Object.keys(FAMILIES)) {
  let outputs;
  try {
    outputs = generateFamily(family);
  } catch (e) {
    console.error(String(e.message ?? e));
    process.exit(2);
  }
  if (outputs.length === 0) continue;
  const dir = dirname(outputs[0].path);
  const expected = new Set(outputs.map((o) => o.path));
  for (const o of outputs) {
    const cur = existsSync(o.path) ? readFileSync(o.path, 'utf8') : undefined;
    if (cur === o.code) continue;
    if (check) {
      stale++;
      console.error(`stale: ${relative(root, o.path)}${cur === undefined ? ' (missing)' : ''}`);
    } else {
      mkdirSync(dirname(o.path), { recursive: true });
      writeFileSync(o.path, o.code);
    }
  }
  if (existsSync(dir)) for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (e.endsWith('.ts') && !expected.has(p)) {
      if (check) {
        stale++;
        console.error(`stale: ${relative(root, p)} (no spec generates it)`);
      } else unlinkSync(p);
    }
  }
}
if (check && stale) {
  console.error(`\n${stale} generated file(s) are stale. Run \`npm run generate\` and commit the result.`);
  process.exit(1);
}
