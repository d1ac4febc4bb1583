// Records nf_tables fixtures from the real kernel into fixtures/nftables/*.json.
//
//   node --import=@isaacs/ts-node-temp-fork-for-pr-2009/import scripts/record-nftables-fixtures.ts [--only NAME,...]
//
// Everything happens inside the kernel-test sandbox (test/kernel/sandbox.ts): a private network
// namespace with its own, empty ruleset. The machine's own ruleset is never touched. Two sources:
//
// 1. what `nft` (the oracle) exchanges with the kernel, captured with strace (-e write/read=all):
//    nft's own requests (batches, dumps) and the kernel's answers; with, for listings, what
//    `nft -j list ruleset` and `nft list ruleset` printed for the same state;
// 2. transactions and errors made by nlkit's own client, through a transport wrapper that keeps
//    every datagram sent and received.
//
// Each file: { kernel, recorded, command, description, datagrams: [{direction, family, hex}],
// nftJson?, nftText? }. The committed files are the facts; `npm test` never re-records.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enterSandbox, sh } from '../test/kernel/sandbox.js';
import { openNativeTransport } from '../src/netlink/native-transport.js';
import { RecordingTransport, type FixtureDatagram as RecordedDatagram } from './recording-transport.js';
import { NetlinkClient } from '../src/netlink/client.js';
import { netfilterProtocol } from '../src/nftables/protocol.js';
import { Nftables } from '../src/nftables/nftables.js';
import { isNftablesError } from '../src/nftables/transaction.js';

await enterSandbox();

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'fixtures', 'nftables');
const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
const kernel = sh('uname', ['-r']).trim();
const recorded = new Date().toISOString().slice(0, 10);
const nftVersion = sh('nft', ['--version']).trim();
const work = mkdtempSync(join(tmpdir(), 'nlkit-nft-rec-'));
mkdirSync(outDir, { recursive: true });

type FixtureDatagram = RecordedDatagram<'netfilter'>;

interface Fixture {
  kernel: string;
  recorded: string;
  command: string;
  description: string;
  datagrams: FixtureDatagram[];
  /** `nft -j list ruleset` for the state the datagrams show (listings). */
  nftJson?: unknown;
  /** `nft list ruleset` for the same state (for monitors: what `nft monitor` printed). */
  nftText?: string;
}

function save(name: string, f: Omit<Fixture, 'kernel' | 'recorded'>): void {
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify({ kernel, recorded, ...f }, null, 1)}\n`);
  process.stdout.write(`${name}: ${f.datagrams.length} datagrams\n`);
}

const wanted = (name: string) => only === undefined || only.has(name);

function nft(args: readonly string[], input?: string): string {
  return sh('nft', args, input);
}

// ---------------------------------------------------------------------------------------------
// nft under strace

const STRACE = ['-f', '-xx', '-s', '0', '-e', 'trace=sendmsg,recvmsg,sendto,recvfrom', '-e', 'write=all', '-e', 'read=all'];

/** The datagrams of an strace log made with STRACE, in order. */
function parseTrace(text: string): FixtureDatagram[] {
  const out: FixtureDatagram[] = [];
  let cur: FixtureDatagram | undefined;
  for (const line of text.split('\n')) {
    const call = /^\d+\s+(sendmsg|sendto|recvmsg|recvfrom)\((\d+),.*= (-?\d+)/.exec(line);
    if (call) {
      cur = Number(call[3]) > 0 ? { direction: call[1]!.startsWith('send') ? 'send' : 'recv', family: 'netfilter', hex: '' } : undefined;
      if (cur) out.push(cur);
      continue;
    }
    const dump = /^ \| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)/.exec(line);
    if (dump && cur) cur.hex += dump[1]!.replace(/ /g, '');
    else if (!line.startsWith(' * ') && !dump) cur = undefined;
  }
  return out.filter((d) => d.hex.length > 0);
}

interface NftScenario {
  description: string;
  setup?: string[];
  traffic?: string;
  /** nft arguments; or `file`, run as `nft -f`. */
  args?: string[];
  file?: string;
  /** Transactions to run while `nft monitor` records. */
  monitor?: string[];
  /** Keep `nft -j list ruleset` / `nft list ruleset` of the state after the command. */
  views?: boolean;
}

async function recordNft(name: string, s: NftScenario): Promise<void> {
  if (!wanted(name)) return;
  nft(['flush', 'ruleset']);
  for (const x of s.setup ?? []) nft(['-f', '-'], x);
  if (s.traffic) sh('sh', ['-c', s.traffic]);
  const log = join(work, `${name}.trace`);
  let args = s.args ?? [];
  if (s.file !== undefined) {
    writeFileSync(join(work, `${name}.nft`), s.file);
    args = ['-f', join(work, `${name}.nft`)];
  }
  let command = `nft ${args.join(' ')}`;
  let monitorText: string | undefined;
  if (s.monitor) {
    // `timeout` ends nft monitor (strace's own child) after 3 s.
    const mon = spawn('strace', [...STRACE, '-o', log, 'timeout', '3', 'nft', 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let printed = '';
    mon.stdout.on('data', (d: Buffer) => (printed += d.toString()));
    const ended = new Promise((resolve) => mon.on('exit', resolve));
    await new Promise((r) => setTimeout(r, 700));
    for (const m of s.monitor) nft(['-f', '-'], m);
    await ended;
    monitorText = printed;
    command = `nft monitor (during: ${s.monitor.map((m) => m.trim().replace(/\n/g, '; ')).join(' | ')})`;
  } else {
    const r = spawnSync('strace', [...STRACE, '-o', log, 'nft', ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${name}: nft ${args.join(' ')} failed: ${r.stderr}`);
  }
  if (s.file !== undefined) command += `\n${s.file}`;
  const f: Omit<Fixture, 'kernel' | 'recorded'> = { command, description: `${nftVersion}: ${s.description}`, datagrams: parseTrace(readFileSync(log, 'utf8')) };
  if (s.views) {
    f.nftJson = JSON.parse(nft(['-j', 'list', 'ruleset']));
    f.nftText = nft(['list', 'ruleset']);
  }
  if (monitorText !== undefined) f.nftText = monitorText;
  save(name, f);
}

// ---------------------------------------------------------------------------------------------
// nlkit's own client, recorded


async function recordNlkit(name: string, command: string, description: string, setup: string[], fn: (nft: Nftables) => Promise<unknown>, expectError = false, views = false): Promise<void> {
  if (!wanted(name)) return;
  nft(['flush', 'ruleset']);
  for (const x of setup) nft(['-f', '-'], x);
  const rec = new RecordingTransport(openNativeTransport({ protocol: 12 }), 'netfilter');
  const api = new Nftables(new NetlinkClient(rec, netfilterProtocol, { timeout: 10000 }));
  try {
    await fn(api);
    if (expectError) throw new Error(`${name}: expected the kernel to refuse`);
  } catch (e) {
    if (!expectError || !isNftablesError(e)) throw e;
    process.stderr.write(`${name}: expected error: ${e.message}\n`);
  } finally {
    api.close();
  }
  const f: Omit<Fixture, 'kernel' | 'recorded'> = { command, description: `nlkit: ${description}`, datagrams: rec.log };
  if (views) {
    f.nftJson = JSON.parse(nft(['-j', 'list', 'ruleset']));
    f.nftText = nft(['list', 'ruleset']);
  }
  save(name, f);
}

// ---------------------------------------------------------------------------------------------
// Scenarios

const NAT_FILE = `table ip nat {
  set webports { type inet_service; elements = { 80, 443 } }
  counter cnt1 { }
  chain post { type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.123.1.0/24 oifname "veth-out" masquerade
    ip saddr 10.123.0.0/16 counter snat to 10.123.9.1
  }
  chain pre { type nat hook prerouting priority dstnat;
    iifname "veth-out" tcp dport 8080 dnat to 10.123.1.2:80
    tcp dport @webports counter name "cnt1" accept
  }
}
`;
const FILTER_FILE = `table inet filter {
  chain forwarding { type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "br0" ip saddr 10.123.1.3 drop
    tcp dport { 22, 80 } counter accept
    udp dport 53 reject
    ip saddr 10.123.16.0/20 oifname != "lo" drop
    ip6 daddr fd00:123::/48 jump other
    meta l4proto icmp goto other
  }
  chain other {
    return
  }
}
`;
const SETS_FILE = `table ip sets {
  set addrs { type ipv4_addr; elements = { 10.123.0.1, 10.123.0.2 } }
  set names { type ifname; elements = { "veth0", "br0" } }
  set protos { type inet_proto; elements = { tcp, udp } }
  set marks { type mark; elements = { 1, 0x10 } }
  map ports { type inet_service : verdict; elements = { 22 : accept, 23 : drop, 24 : jump c } }
  map portmap { type inet_service : ipv4_addr; elements = { 8080 : 10.123.1.2 } }
  chain c { }
  chain d {
    type filter hook input priority -10;
    reject
    ct state new drop
    ct state != established,related drop
    tcp dport 22 reject with tcp reset
    ip protocol tcp accept
    log prefix "hello "
    iifname "veth*" ip saddr @addrs accept
    iifname != @names th dport 53 reject with icmp host-unreachable
    tcp dport 22 tcp sport 1024 counter accept
  }
}
`;

try {
  await recordNft('gen-empty', { description: 'listing an empty ruleset: GETGEN, then dumps answered by NLMSG_DONE alone', args: ['list', 'ruleset'] });
  await recordNft('batch-nat', { description: 'one transaction: table, named set + elements, counter object, nat base chains, rules (masquerade, snat, dnat, lookup, objref)', file: NAT_FILE });
  await recordNft('batch-filter', { description: 'one transaction: inet table, filter base chain, rules (ct state, iifname, ip saddr, anonymous set of ports, reject, prefixes, jump, goto)', file: FILTER_FILE });
  await recordNft('batch-sets', { description: 'one transaction: sets and maps of several key types, and rules with several statements', file: SETS_FILE });
  await recordNft('list-ruleset', { description: 'listing tables, chains, sets, elements, objects, flowtables and rules (nat + inet filter)', setup: [NAT_FILE, FILTER_FILE], args: ['list', 'ruleset'], views: true });
  await recordNft('list-sets', { description: 'listing sets and maps of several key types, and rules with several statements', setup: [SETS_FILE], args: ['list', 'ruleset'], views: true });
  await recordNft('counters', {
    description: 'counter values after traffic: pings over lo counted by a rule counter and a named counter',
    setup: ['table ip t {\n counter c1 { }\n chain out {\n  type filter hook output priority 0;\n  counter\n  counter name "c1"\n }\n}\n'],
    traffic: 'ip link set lo up && ping -c 2 -i 0.2 -W 1 127.0.0.1 >/dev/null',
    args: ['list', 'ruleset'],
    views: true,
  });
  await recordNft('delete', {
    description: 'deleting a rule by handle, flushing and deleting a chain, deleting a set, a counter and a table',
    setup: [NAT_FILE],
    file: 'delete rule ip nat post handle 5\nflush chain ip nat pre\ndelete chain ip nat pre\ndelete set ip nat webports\ndelete counter ip nat cnt1\ndelete table ip nat\n',
  });
  await recordNft('monitor', {
    description: 'NFNLGRP_NFTABLES notifications of two transactions, as `nft monitor` receives them',
    monitor: [
      'add table ip mon\nadd chain ip mon c { type filter hook input priority 0; }\nadd rule ip mon c tcp dport { 22, 80 } counter accept\nadd set ip mon s { type ipv4_addr; }\nadd element ip mon s { 10.0.0.1 }\nadd counter ip mon k\n',
      'delete table ip mon\n',
    ],
  });

  await recordNlkit(
    'nlkit-transaction',
    'nlkit: one transaction (NLM_F_ACK|NLM_F_ECHO on each message): table, chains, set, counter, rules',
    'a transaction of nlkit: each message acknowledged and echoed (handles), then a listing',
    [],
    async (api) => {
      await api
        .transaction()
        .addTable({ family: 'ip', name: 'nat' })
        .addSet({ family: 'ip', table: 'nat', name: 'webports', type: 'inet_service', elements: [80, 443] })
        .addCounter({ family: 'ip', table: 'nat', name: 'cnt1' })
        .addChain({ family: 'ip', table: 'nat', name: 'post', type: 'nat', hook: 'postrouting', priority: 'srcnat' })
        .addChain({ family: 'ip', table: 'nat', name: 'pre', type: 'nat', hook: 'prerouting', priority: 'dstnat' })
        .addRule({ family: 'ip', table: 'nat', chain: 'post', statements: [{ match: 'ip saddr', value: '10.123.1.0/24' }, { match: 'oifname', value: 'veth-out' }, { action: 'masquerade' }] })
        .addRule({ family: 'ip', table: 'nat', chain: 'pre', statements: [{ match: 'tcp dport', value: [8080, 8443] }, { action: 'counter', name: 'cnt1' }, { action: 'dnat', addr: '10.123.1.2', port: 80 }], comment: 'port forward' })
        .commit();
      await api.listRuleset();
    },
    false,
    true,
  );
  const T = 'table ip t {\n chain c { }\n}\n';
  await recordNlkit('error-missing-table', 'nlkit: add chain ip nosuch c', 'a chain in a table that does not exist: ENOENT for NFT_MSG_NEWCHAIN, NFTA_CHAIN_TABLE blamed', [T], (api) =>
    api.transaction().addChain({ family: 'ip', table: 'nosuch', name: 'c' }).commit(), true);
  await recordNlkit('error-unknown-chain', 'nlkit: add rule ip t c jump nosuch', 'a jump to a chain that does not exist: ENOENT, the expression blamed', [T], (api) =>
    api.transaction().addRule({ family: 'ip', table: 't', chain: 'c', statements: [{ action: 'jump', chain: 'nosuch' }] }).commit(), true);
  await recordNlkit('error-bad-priority', 'nlkit: add chain ip t n { type nat hook postrouting priority -300 }', 'a nat chain at a priority before conntrack: EOPNOTSUPP', [T], (api) =>
    api.transaction().addChain({ family: 'ip', table: 't', name: 'n', type: 'nat', hook: 'postrouting', priority: -300 }).commit(), true);
  await recordNlkit('error-atomic', 'nlkit: add table, chain, rules; one rule in a missing chain', 'a batch with one bad message among good ones: one error, acks for the rest, nothing applied', [T], (api) =>
    api
      .transaction()
      .addTable({ family: 'ip', name: 'new1' })
      .addChain({ family: 'ip', table: 'new1', name: 'ok' })
      .addRule({ family: 'ip', table: 'new1', chain: 'ok', statements: [{ action: 'accept' }] })
      .addRule({ family: 'ip', table: 'new1', chain: 'missing', statements: [{ action: 'accept' }] })
      .commit(), true);
} finally {
  rmSync(work, { recursive: true, force: true });
}
