// Records generic netlink (nlctrl) fixtures from the real kernel into fixtures/generic/*.json.
//
//   node --import=@isaacs/ts-node-temp-fork-for-pr-2009/import scripts/record-genetlink-fixtures.ts [--only NAME,...]
//
// Everything happens inside the kernel-test sandbox (test/kernel/sandbox.ts): a private network
// namespace, so only the families that are `netnsok` are visible. nlctrl only reads; nothing is
// changed. Two sources:
//
// 1. what iproute2's `genl ctrl ...` (the oracle) exchanges with the kernel, captured with strace
//    (-xx, -e read=all -e write=all; MSG_PEEK receives skipped), with its printed output;
// 2. nlkit's own client (resolveFamily, listFamilies, familyPolicy), through a transport wrapper
//    that keeps every datagram sent and received.
//
// Each file: { kernel, recorded, command, description, datagrams: [{direction, family, hex}],
// genl? } where `genl` is `{ "<genl command>": "<its stdout>" }` for the same state. The committed
// files are the facts; `npm test` never re-records.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enterSandbox, sh } from '../test/kernel/sandbox.js';
import { openNativeTransport } from '../src/netlink/native-transport.js';
import { RecordingTransport, type FixtureDatagram as RecordedDatagram } from './recording-transport.js';
import { NetlinkClient } from '../src/netlink/client.js';
import { isNetlinkError } from '../src/netlink/errors.js';
import { CTRL_CMD, familyPolicy, genericProtocol, listFamilies, resolveFamily } from '../src/genetlink/index.js';

await enterSandbox();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'fixtures', 'generic');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
const kernel = sh('uname', ['-r']).trim();
const recorded = new Date().toISOString().slice(0, 10);
const genlVersion = sh('genl', ['-V']).trim();
mkdirSync(outDir, { recursive: true });

type FixtureDatagram = RecordedDatagram<'generic'>;

interface Fixture {
  kernel: string;
  recorded: string;
  command: string;
  description: string;
  datagrams: FixtureDatagram[];
  /** What `genl ctrl ...` printed for the same state, by command line. */
  genl?: Record<string, string>;
}

function save(name: string, f: Omit<Fixture, 'kernel' | 'recorded'>): void {
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ kernel, recorded, ...f }, null, 1)}\n`);
  process.stdout.write(`${name}: ${f.datagrams.length} datagrams\n`);
}

const wanted = (name: string) => only === undefined || only.has(name);

// ---------------------------------------------------------------------------------------------
// genl under strace

const STRACE_OUT = join(mkdtempSync(join(tmpdir(), 'nlkit-genl-rec-')), 'strace.txt');

/** Runs `genl ARGS` under strace: the datagrams of its NETLINK_GENERIC sockets, in order, and its output. */
function straceGenl(args: readonly string[]): { datagrams: FixtureDatagram[]; stdout: string; status: number; stderr: string } {
  let stdout = '';
  let stderr = '';
  let status = 0;
  try {
    stdout = execFileSync('strace', ['-f', '-qq', '-xx', '-e', 'trace=socket,sendmsg,recvmsg,sendto,recvfrom', '-e', 'read=all', '-e', 'write=all', '-o', STRACE_OUT, 'genl', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    status = err.status ?? 1;
    stdout = err.stdout ?? '';
    stderr = err.stderr ?? '';
  }
  const lines = readFileSync(STRACE_OUT, 'utf8').split('\n');
  rmSync(STRACE_OUT, { force: true });
  const datagrams: FixtureDatagram[] = [];
  let cur: { direction: 'send' | 'recv'; bytes: string[] } | undefined;
  const flush = () => {
    if (cur && cur.bytes.length > 0) datagrams.push({ direction: cur.direction, family: 'generic', hex: cur.bytes.join('') });
    cur = undefined;
  };
  const generic = new Set<string>(); // "pid:fd" of NETLINK_GENERIC sockets
  for (const line of lines) {
    const pid = /^(\d+)\s/.exec(line)?.[1] ?? '0';
    const sock = /^(?:\d+\s+)?socket\(AF_NETLINK, [^,]+, NETLINK_([A-Z_]+)\)\s+=\s+(\d+)/.exec(line);
    if (sock) {
      flush();
      if (sock[1] === 'GENERIC') generic.add(`${pid}:${sock[2]}`);
      continue;
    }
    const call = /^(?:\d+\s+)?(sendmsg|sendto|recvmsg|recvfrom)\((\d+)/.exec(line);
    if (call) {
      flush();
      const peek = /MSG_PEEK/.test(line.slice(line.lastIndexOf('}')));
      if (generic.has(`${pid}:${call[2]}`) && !peek && /\)\s+=\s+\d+/.test(line)) cur = { direction: call[1]!.startsWith('send') ? 'send' : 'recv', bytes: [] };
      continue;
    }
    const dump = /^ \| [0-9a-f]{5}  (.{49})/.exec(line);
    if (dump && cur) {
      for (const tok of dump[1]!.trim().split(/\s+/)) if (/^[0-9a-f]{2}$/.test(tok)) cur.bytes.push(tok);
      continue;
    }
    if (/^ \* \d+ bytes in buffer/.test(line)) continue;
    flush();
  }
  flush();
  return { datagrams, stdout, status, stderr };
}

function recordGenl(name: string, args: readonly string[], description: string, expectFail = false): void {
  if (!wanted(name)) return;
  const r = straceGenl(args);
  if (r.status !== 0 && !expectFail) throw new Error(`genl ${args.join(' ')} failed with status ${r.status}: ${r.stderr}`);
  if (r.status === 0 && expectFail) throw new Error(`genl ${args.join(' ')} was expected to fail`);
  const command = `genl ${args.join(' ')}`;
  save(name, { command, description: `${genlVersion}: ${description}`, datagrams: r.datagrams, genl: { [command]: expectFail ? r.stderr : r.stdout } });
}

// ---------------------------------------------------------------------------------------------
// nlkit's own client, recorded


async function recordNlkit(name: string, command: string, description: string, fn: (c: NetlinkClient) => Promise<unknown>, expectError?: string): Promise<void> {
  if (!wanted(name)) return;
  const rec = new RecordingTransport(openNativeTransport({ protocol: 16 }), 'generic');
  const client = new NetlinkClient(rec, genericProtocol, { timeout: 10000 });
  try {
    await fn(client);
    if (expectError) throw new Error(`${name}: expected the kernel to refuse`);
  } catch (e) {
    if (!expectError || !isNetlinkError(e) || e.code !== expectError) throw e;
    process.stderr.write(`${name}: expected error: ${e.message}\n`);
  } finally {
    client.close();
  }
  const f: Omit<Fixture, 'kernel' | 'recorded'> = { command, description: `nlkit: ${description}`, datagrams: rec.log };
  const genlCmd = command.match(/^genl: (.*)$/m)?.[1];
  if (genlCmd) f.genl = { [genlCmd]: sh('genl', genlCmd.split(' ').slice(1)) };
  save(name, f);
}

recordGenl('genl-ctrl-list', ['ctrl', 'list'], 'every family of the namespace: a CTRL_CMD_GETFAMILY dump');
recordGenl('genl-ctrl-get-nlctrl', ['ctrl', 'get', 'name', 'nlctrl'], 'CTRL_CMD_GETFAMILY of one family by name');
recordGenl('genl-ctrl-get-id', ['ctrl', 'get', 'id', '0x10'], 'CTRL_CMD_GETFAMILY of one family by id');
recordGenl('genl-ctrl-get-enoent', ['ctrl', 'get', 'name', 'nl80211'], 'CTRL_CMD_GETFAMILY of a family this kernel does not have: ENOENT', true);
recordGenl('genl-ctrl-policy-nlctrl', ['ctrl', 'policy', 'name', 'nlctrl'], "CTRL_CMD_GETPOLICY dump of nlctrl's own policies");

await recordNlkit('nlkit-resolve-nlctrl', "resolveFamily(client, 'nlctrl')\ngenl: genl ctrl get name nlctrl", "nlctrl's own description: CTRL_CMD_GETFAMILY with NLM_F_ACK, the CTRL_CMD_NEWFAMILY reply, the ACK", (c) => resolveFamily(c, 'nlctrl'));
await recordNlkit('nlkit-resolve-enoent', "resolveFamily(client, 'nl80211')", 'a family this kernel does not have: NLMSG_ERROR ENOENT with the extended ACK', (c) => resolveFamily(c, 'nl80211'), 'ENOENT');
await recordNlkit('nlkit-list-families', 'listFamilies(client)\ngenl: genl ctrl list', 'every family of the namespace (CTRL_CMD_GETFAMILY dump)', (c) => listFamilies(c));
await recordNlkit('nlkit-policy-getfamily', "familyPolicy(client, 'nlctrl', { op: CTRL_CMD.GETFAMILY })", 'CTRL_CMD_GETPOLICY of one command: CTRL_ATTR_OP_POLICY, then the attribute policies', (c) => familyPolicy(c, 'nlctrl', { op: CTRL_CMD.GETFAMILY }));
await recordNlkit('nlkit-policy-netdev', "familyPolicy(client, 'netdev')", 'CTRL_CMD_GETPOLICY of a whole family (netdev): nested policies, ranges, masks', (c) => familyPolicy(c, 'netdev'));
