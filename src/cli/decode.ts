/**
 * `nlkit decode [--format auto|hex|raw|pcap|pcapng|strace] [--view messages|ip] [--family F]
 * [-j] [-p] [-d] [-s] [FILE|-]`
 *
 * - `--view messages` (default): every netlink message; with `-j` one JSON object per message per
 *   line (`{type, flags, seq, pid, header, attrs}`), else readable text.
 * - `--view ip`: the link, address, route and neighbour objects of the capture as `ip` shows them
 *   (`-j` JSON array as `ip -j`, `-d`/`-s` as ip's), bridge fdb entries as `bridge fdb`.
 *
 * Problems in the input go to stderr with their datagram, message and byte offset; the rest is
 * still decoded, and the exit status is then 1. Usage errors exit with 2.
 *
 * @module
 */
import { readFile } from 'node:fs/promises';
import { captureReader } from '../decode/capture.js';
import { type DecodedDatagram, type DecodeProblem, decodeDatagramTolerant, formatProblem } from '../decode/datagram.js';
import { familyKnown, familyName, familyNumber, protocolOf, registerFamily } from '../decode/families.js';
import type { CaptureFormat, ReaderOutput } from '../decode/reader.js';
import { datagramText } from '../decode/text.js';
import type { Message } from '../netlink/message.js';
import type { Protocol } from '../netlink/codec.js';
import { toJsonText } from '../view/json.js';
import type { CliIo } from './main.js';

const USAGE = `Usage: nlkit decode [ OPTIONS ] [ FILE | - ]
Decodes captured netlink traffic.
OPTIONS:
  --format FORMAT   auto (default) | hex | raw | pcap | pcapng | strace
  --view VIEW       messages (default): every message
                    ip: link/addr/route/neigh objects as ip shows them
  --family FAMILY   route (default) | netfilter | generic | NUMBER, for inputs
                    that do not say (all but pcap/pcapng)
  -j, --json        JSON output (messages: one object per line)
  -p, --pretty      indented JSON
  -d, --details     with --view ip: as ip -d
  -s, --stats       with --view ip: as ip -s (twice for -s -s)
  -h, --help        this text
FILE is a capture file; - or nothing reads standard input.
Record strace input with:
  strace -f -xx -e read=all -e write=all -e trace=socket,sendmsg,recvmsg,sendto,recvfrom CMD
`;

interface DecodeArgs {
  format: CaptureFormat | 'auto';
  view: 'messages' | 'ip';
  family: number;
  json: boolean;
  pretty: boolean;
  details: boolean;
  stats: number;
  file: string;
}

class UsageError extends Error {}

const FORMATS = ['auto', 'hex', 'raw', 'pcap', 'pcapng', 'strace'];

function parseArgs(argv: readonly string[]): DecodeArgs | 'help' {
  const a: DecodeArgs = { format: 'auto', view: 'messages', family: 0, json: false, pretty: false, details: false, stats: 0, file: '-' };
  let file: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = (): string => {
      if (value !== undefined) return value;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`option ${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
      case 'help':
        return 'help';
      case '--format':
      case '-f': {
        const f = next();
        if (!FORMATS.includes(f)) throw new UsageError(`unknown format "${f}" (${FORMATS.join(', ')})`);
        a.format = f as CaptureFormat | 'auto';
        break;
      }
      case '--view': {
        const v = next();
        if (v !== 'messages' && v !== 'ip') throw new UsageError(`unknown view "${v}" (messages, ip)`);
        a.view = v;
        break;
      }
      case '--family': {
        const f = next();
        try {
          a.family = familyNumber(/^\d+$/.test(f) ? Number(f) : f);
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        break;
      }
      case '-j':
      case '--json':
        a.json = true;
        break;
      case '-p':
      case '--pretty':
        a.pretty = true;
        break;
      case '-d':
      case '--details':
        a.details = true;
        break;
      case '-s':
      case '--stats':
        a.stats++;
        break;
      case '-':
        if (file !== undefined) throw new UsageError('more than one input');
        file = '-';
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option "${arg}"`);
        if (file !== undefined) throw new UsageError('more than one input');
        file = arg;
    }
  }
  a.file = file ?? '-';
  return a;
}

async function* chunks(a: DecodeArgs, io: CliIo): AsyncGenerator<Uint8Array> {
  if (a.file !== '-') {
    yield await readFile(a.file);
    return;
  }
  for await (const c of io.stdin) yield typeof c === 'string' ? new TextEncoder().encode(c) : c;
}

/** The netfilter protocol, if the nftables module is there (loaded on first need). */
let netfilterTried = false;
async function ensureFamily(n: number): Promise<void> {
  if (n !== 12 || netfilterTried || familyKnown(12)) return;
  netfilterTried = true;
  try {
    const spec = '../nftables/protocol.js';
    const mod = (await import(spec)) as { netfilterProtocol?: Protocol };
    if (mod.netfilterProtocol) registerFamily('netfilter', mod.netfilterProtocol);
  } catch {
    // not available: netfilter bodies stay hex
  }
}

/** Runs `nlkit decode ARGS`; returns the exit status. */
export async function runDecode(argv: readonly string[], io: CliIo): Promise<number> {
  let a: DecodeArgs | 'help';
  try {
    a = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`nlkit decode: ${e.message}\n${USAGE}`);
    return 2;
  }
  if (a === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  const args = a;
  const name = args.file === '-' ? '<stdin>' : args.file;
  let problems = 0;
  const report = (p: DecodeProblem): void => {
    problems++;
    io.stderr.write(`nlkit decode: ${name}: ${formatProblem(p)}\n`);
  };
  const collected: DecodedDatagram[] = [];
  const reader = captureReader(args.format);
  await ensureFamily(args.family);

  const emit = async (out: ReaderOutput): Promise<void> => {
    for (const p of out.problems) report(p);
    for (const d of out.datagrams) {
      const proto = d.protocol ?? args.family;
      await ensureFamily(proto);
      const p = protocolOf(proto);
      const r = decodeDatagramTolerant(p, d.bytes);
      for (const pr of r.problems) {
        pr.datagram = d.index;
        if (d.where.line !== undefined) pr.line = d.where.line;
      }
      const dd: DecodedDatagram = { ...d, family: familyName(proto), messages: r.messages, problems: r.problems };
      if (args.view === 'ip') collected.push(dd);
      else if (args.json) {
        let text = '';
        for (const m of dd.messages) text += toJsonText(m, args.pretty ? 2 : 0) + '\n';
        if (text) io.stdout.write(text);
      } else io.stdout.write(datagramText(dd, p) + '\n');
      for (const pr of dd.problems) report(pr);
    }
  };

  try {
    for await (const c of chunks(args, io)) await emit(reader.push(c));
    await emit(reader.end());
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    io.stderr.write(`nlkit decode: ${name}: ${err.code === 'ENOENT' ? 'no such file' : err.message}\n`);
    return 1;
  }

  if (args.view === 'ip') {
    const { renderIpView } = await import('./decode-ip.js');
    const route = collected.filter((d) => d.family === 'route').flatMap((d) => d.messages);
    io.stdout.write(renderIpView(route as Message[], { json: args.json, pretty: args.pretty, details: args.details, stats: args.stats }));
  }
  return problems ? 1 : 0;
}
