/**
 * `nlkit netns`: `list`, `add`, `attach`, `set`, `delete`, `identify`, `pids`, `exec`,
 * `monitor`, `list-id`, with iproute2's syntax and output (ipnetns.c), through the `netns` API.
 *
 * @module
 */
import { type Args, CliExit, getUnsigned, HelpRequest, invarg, matches, usageError } from './args.js';
import type { Session } from './session.js';
import { isProcessIo } from './main.js';

function usage(): never {
  throw new HelpRequest('netns');
}

function invalidName(name: string): boolean {
  return name === '' || name.includes('/') || name === '.' || name === '..' || Buffer.byteLength(name) > 255;
}

/** `nlkit netns ...`. */
export async function runNetns(a: Args, s: Session): Promise<number> {
  if (!a.more) return list(s);
  const cmd = a.word;
  const arg = a.peek();
  if (!s.opts.all && a.nextOk() && invalidName(arg)) throw new CliExit(255, `Invalid netns name "${arg}"`);
  a.skip();
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return list(s);
  if (matches(cmd, 'list-id')) return listId(a, s);
  if (matches(cmd, 'help')) usage();
  const { netns } = await import('../api/netns.js');
  if (matches(cmd, 'add')) {
    if (!a.more) throw new CliExit(255, 'No netns name specified');
    await netns.add(a.word);
    return 0;
  }
  if (matches(cmd, 'set')) {
    if (a.left < 2) throw new CliExit(255, 'No netns name specified');
    const name = a.word;
    const v = a.peek();
    const id = v === 'auto' ? 'auto' : getUnsigned(v, 0x7fffffff);
    if (id === undefined) throw invarg('Invalid "netnsid" value', v);
    const nl = await s.api();
    await nl.nsid.set(name, id);
    return 0;
  }
  if (matches(cmd, 'delete')) {
    if (s.opts.all) {
      for (const e of await netns.list()) await netns.delete(e.name);
      s.forgetNames(null);
      return 0;
    }
    if (!a.more) throw new CliExit(255, 'No netns name specified');
    await netns.delete(a.word);
    s.forgetNames(null);
    return 0;
  }
  if (matches(cmd, 'identify')) {
    let pid = process.pid;
    if (a.more) {
      const p = getUnsigned(a.word, 0x7fffffff);
      if (p === undefined) throw new CliExit(1, `Invalid pid "${a.word}"`);
      pid = p;
    }
    const names = await netns.identify(pid);
    s.out(names.map((n) => `${n}\n`).join(''));
    return 0;
  }
  if (matches(cmd, 'pids')) {
    if (!a.more) throw new CliExit(255, 'No netns name specified');
    const pids = await netns.pids(a.word);
    s.out(pids.map((p) => `${p}\n`).join(''));
    return 0;
  }
  if (matches(cmd, 'exec')) return exec(a, s);
  if (matches(cmd, 'monitor')) {
    const mon = netns.monitor();
    for await (const e of mon) s.out(`${e.event} ${e.name}\n`);
    return 0;
  }
  if (matches(cmd, 'attach')) {
    if (a.left < 2) throw new CliExit(255, 'No netns name and pid specified');
    const pid = getUnsigned(a.peek(), 0x7fffffff);
    if (pid === undefined) throw new CliExit(1, `Invalid pid "${a.peek()}"`);
    await netns.attach(a.word, pid);
    return 0;
  }
  throw usageError(`Command "${cmd}" is unknown, try "nlkit netns help".`);
}

async function list(s: Session): Promise<number> {
  const { netns } = await import('../api/netns.js');
  const entries = await netns.list();
  if (s.opts.json) s.outJson(entries.map((e) => (e.id === undefined ? { name: e.name } : { name: e.name, id: e.id })));
  else s.out(entries.map((e) => (e.id === undefined ? `${e.name}\n` : `${e.name} (id: ${e.id})\n`)).join(''));
  return 0;
}

async function listId(a: Args, s: Session): Promise<number> {
  const o: { targetNsid?: number; nsid?: number } = {};
  while (a.more) {
    const w = a.word;
    if (w === 'target-nsid' || w === 'nsid') {
      const v = a.next();
      const n = getUnsigned(v, 0x7fffffff);
      if (n === undefined) throw new CliExit(255, `Invalid "${w}" value`);
      if (w === 'nsid') o.nsid = n;
      else o.targetNsid = n;
    } else throw usageError(`Unknown argument: ${w}`);
    a.skip();
  }
  const client = await s.client();
  const { NsidApi } = await import('../api/nsid.js');
  const api = new NsidApi({ client } as unknown as import('../api/netlink.js').Netlink);
  const entries = await api.list(o).collect();
  if (s.opts.json) {
    s.outJson(
      entries.map((e) => {
        const x: Record<string, unknown> = { nsid: e.nsid };
        if (e.current !== undefined) x['current-nsid'] = e.current;
        if (e.name !== undefined) x['name'] = e.name;
        return x;
      }),
    );
    return 0;
  }
  let text = '';
  for (const e of entries) {
    text += `nsid ${e.nsid} `;
    if (o.targetNsid !== undefined) text += e.current === undefined ? 'current-nsid unassigned ' : `current-nsid ${e.current} `;
    if (e.name !== undefined) text += `(iproute2 netns name: ${e.name})`;
    text += '\n';
  }
  s.out(text);
  return 0;
}

async function exec(a: Args, s: Session): Promise<number> {
  const { netns } = await import('../api/netns.js');
  const names = s.opts.all ? (await netns.list()).map((e) => e.name) : [];
  if (!s.opts.all) {
    if (!a.more) throw new CliExit(255, 'No netns name specified');
    names.push(a.word);
    a.skip();
  }
  const argv = a.rest();
  if (argv.length === 0) throw new CliExit(255, 'No command specified');
  let status = 0;
  for (const name of names) {
    if (s.opts.all) s.out(`\nnetns: ${name}\n`);
    const code = await runIn(netns, name, argv, s);
    if (code !== 0) status = code;
    if (code !== 0 && s.opts.all) {
      s.err(`netns: ${name}: command failed\n`);
    }
  }
  return status;
}

async function runIn(netns: typeof import('../api/netns.js').netns, name: string, argv: string[], s: Session): Promise<number> {
  const direct = isProcessIo(s.io);
  const child = netns.spawn(name, argv, { stdio: direct ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
  if (!direct) {
    child.stdout?.on('data', (b: Buffer) => s.io.stdout.write(b));
    child.stderr?.on('data', (b: Buffer) => s.io.stderr.write(b));
  }
  const { constants } = await import('node:os');
  return new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}
