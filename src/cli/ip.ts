/**
 * The ip-compatible front end of `nlkit`: iproute2's global options (with `matches()`
 * abbreviations, in ip's order of tests), the object table (ip's order, so `nlkit a`, `r`, `n`,
 * `l` mean what they mean to ip), `-V`, `help`, `-batch`, and the translation of every failure
 * into ip's message and exit status. Each object's module is imported only when it runs.
 *
 * @module
 */
import { Args, CliExit, HelpRequest, isCliExit, isHelpRequest, matches } from './args.js';
import type { CliIo } from './main.js';
import { defaultOptions, failure, type GlobalOptions, Session } from './session.js';

/** What an object's module exports. */
export type ObjectRunner = (a: Args, s: Session) => Promise<number>;

/** ip's objects in ip's order (for abbreviations); null: ip has it, nlkit does not. */
const OBJECTS: ReadonlyArray<readonly [string, string | null]> = [
  ['address', 'address'],
  ['addrlabel', null],
  ['amt', null],
  ['maddress', null],
  ['route', 'route'],
  ['rule', null],
  ['neighbor', 'neigh'],
  ['neighbour', 'neigh'],
  ['ntable', null],
  ['ntbl', null],
  ['link', 'link'],
  ['l2tp', null],
  ['fou', null],
  ['ila', null],
  ['macsec', null],
  ['tunnel', null],
  ['tunl', null],
  ['tuntap', 'tuntap'],
  ['tap', 'tuntap'],
  ['token', null],
  ['tcpmetrics', null],
  ['tcp_metrics', null],
  ['monitor', 'monitor'],
  ['xfrm', null],
  ['mroute', null],
  ['mrule', null],
  ['netns', 'netns'],
  ['netconf', null],
  ['vrf', null],
  ['sr', null],
  ['nexthop', null],
  ['mptcp', null],
  ['ioam', null],
  ['stats', null],
  ['help', 'help'],
  // nlkit's own objects, after ip's so they never change what an ip abbreviation means
  ['bridge', 'bridge'],
  ['nft', 'nft'],
  ['decode', 'decode'],
];

/** The object an (abbreviated) word names: [full name, module key or null], or undefined. */
export function findObject(word: string): readonly [string, string | null] | undefined {
  return OBJECTS.find(([name]) => matches(word, name));
}

const runners = new Map<string, ObjectRunner>();

/** An object's runner, its module imported on first use (a batch imports each once). */
async function loadRunner(key: string): Promise<ObjectRunner> {
  let r = runners.get(key);
  if (!r) {
    r = await importRunner(key);
    runners.set(key, r);
  }
  return r;
}

async function importRunner(key: string): Promise<ObjectRunner> {
  switch (key) {
    case 'link':
      return (await import('./link.js')).runLink;
    case 'address':
      return (await import('./addr.js')).runAddr;
    case 'route':
      return (await import('./route.js')).runRoute;
    case 'neigh':
      return (await import('./neigh.js')).runNeigh;
    case 'netns':
      return (await import('./netns.js')).runNetns;
    case 'tuntap':
      return (await import('./tuntap.js')).runTuntap;
    case 'monitor':
      return (await import('./monitor.js')).runMonitor;
    case 'bridge':
      return (await import('./bridge.js')).runBridge;
    case 'nft':
      return (await import('./nft.js')).runNft;
    default:
      // `nlkit help [OBJECT]`
      return async (a) => {
        const o = a.more ? findObject(a.word) : undefined;
        throw new HelpRequest(o && o[1] !== null && o[1] !== 'help' ? o[1] : 'ip');
      };
  }
}

/** Runs one command (`OBJECT COMMAND ...`, after the global options) in a session. */
export async function runObject(words: readonly string[], s: Session): Promise<number> {
  const [first, ...rest] = words;
  if (first === undefined) throw new HelpRequest('ip');
  const obj = findObject(first);
  if (!obj) throw new CliExit(1, `Object "${first}" is unknown, try "nlkit help".`);
  const [name, key] = obj;
  if (key === null) throw new CliExit(1, `Object "${name}" is not supported by nlkit, try "nlkit help".`);
  if (key === 'decode') {
    const { runDecode } = await import('./decode.js');
    return runDecode(s.opts.json ? ['-j', ...rest] : rest, s.io);
  }
  return (await loadRunner(key))(new Args(rest), s);
}

/** Result of {@link parseGlobal}. */
export interface ParsedGlobal {
  opts: GlobalOptions;
  rest: string[];
  batch: string | undefined;
  /** `-V`. */
  version: boolean;
  /** `-help` / `--help`, or `-h` with no object after it. */
  help: boolean;
}

const FAMILIES: Readonly<Record<string, number>> = { inet: 2, inet6: 10, link: 17, bridge: 7, mpls: 28 };

/** Parses the global options as ip's main() does. */
export function parseGlobal(argv: readonly string[], opts: GlobalOptions = defaultOptions()): ParsedGlobal {
  let i = 0;
  let batch: string | undefined;
  let version = false;
  let help = false;
  let human = false;
  const need = (): string => {
    i++;
    if (i >= argv.length) throw new HelpRequest('ip:usage');
    return argv[i]!;
  };
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-')) break;
    const opt = arg.startsWith('--') ? arg.slice(1) : arg;
    if (matches(opt, '-loops')) need();
    else if (matches(opt, '-family')) {
      const f = need();
      if (f === 'help') throw new HelpRequest('ip');
      const fam = FAMILIES[f];
      if (fam === undefined || !Object.hasOwn(FAMILIES, f)) throw new CliExit(255, `Error: argument "${f}" is wrong: invalid protocol family`);
      opts.family = fam;
    } else if (opt === '-4') opts.family = 2;
    else if (opt === '-6') opts.family = 10;
    else if (opt === '-0') opts.family = 17;
    else if (opt === '-M') opts.family = 28;
    else if (opt === '-B') opts.family = 7;
    else if (matches(opt, '-human') || matches(opt, '-human-readable')) {
      // sizes in text output: ip's -h; nlkit prints exact numbers
      human = true;
    } else if (matches(opt, '-iec')) {
      // likewise
    } else if (matches(opt, '-stats') || matches(opt, '-statistics')) opts.stats++;
    else if (matches(opt, '-details')) opts.details++;
    else if (matches(opt, '-resolve')) {
      // names are not resolved through DNS
    } else if (matches(opt, '-oneline')) opts.oneline = true;
    else if (matches(opt, '-timestamp')) opts.timestamp = Math.max(opts.timestamp, 1);
    else if (matches(opt, '-tshort')) opts.timestamp = 2;
    else if (matches(opt, '-Version')) version = true;
    else if (matches(opt, '-force')) opts.force = true;
    else if (matches(opt, '-batch')) batch = need();
    else if (matches(opt, '-brief')) opts.brief = true;
    else if (matches(opt, '-json')) opts.json = true;
    else if (matches(opt, '-pretty')) opts.pretty = true;
    else if (matches(opt, '-rcvbuf')) need();
    else if (opt === '-c' || opt.startsWith('-color') || matches(opt, '-color')) {
      // no colours
    } else if (matches(opt, '-help')) help = true;
    else if (matches(opt, '-netns')) opts.netns = need();
    else if (matches(opt, '-Numeric')) {
      // names are printed as ip prints them without -N
    } else if (matches(opt, '-all')) opts.all = true;
    else if (opt === '-echo') {
      // not supported: ignored
    } else throw new CliExit(255, `Option "${arg}" is unknown, try "nlkit -help".`);
    if (help || version) {
      i++;
      break;
    }
  }
  const rest = argv.slice(i);
  // `nlkit -h` alone asks for help (ip reads -h as -human and then shows its usage).
  if (human && rest.length === 0 && batch === undefined) help = true;
  return { opts, rest, batch, version, help };
}

/** Writes a failure and returns its status. */
export async function report(e: unknown, s: Session): Promise<number> {
  if (isHelpRequest(e)) {
    const { helpText } = await import('./help.js');
    if (e.topic === 'ip:usage') {
      s.err(helpText('ip'));
      return 255;
    }
    s.out(helpText(e.topic));
    return 0;
  }
  const f = isCliExit(e) ? e : failure(e);
  s.err(f.text);
  return f.status;
}

async function version(io: CliIo): Promise<void> {
  const { readFileSync } = await import('node:fs');
  let v = '0.0.0';
  try {
    v = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? v;
  } catch {
    // no package.json next to the code
  }
  io.stdout.write(`nlkit utility, nlkit-${v}\n`);
}

/** `nlkit [ OPTIONS ] OBJECT { COMMAND | help }` and `nlkit [ -force ] -batch FILE`. */
export async function runIp(argv: readonly string[], io: CliIo): Promise<number> {
  const s = new Session(defaultOptions(), io);
  try {
    const g = parseGlobal(argv, s.opts);
    if (g.version) {
      await version(io);
      return 0;
    }
    if (g.help) throw new HelpRequest('ip');
    await s.loadJson();
    if (g.batch !== undefined) {
      const { runBatch } = await import('./batch.js');
      return await runBatch(g.batch, s);
    }
    if (g.rest.length === 0) throw new HelpRequest('ip:usage');
    return await runObject(g.rest, s);
  } catch (e) {
    return report(e, s);
  } finally {
    await s.close();
  }
}
