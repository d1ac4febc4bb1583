/**
 * `npm run demo`: the classic Linux network-virtualization walkthrough (netns, veth, bridge,
 * tun/tap, macvlan, vxlan, ipip) done with nlkit, printed as the equivalent `ip` commands with
 * their results, ending with a diagram of the topology drawn from nlkit's dumps.
 *
 * It never touches the machine's network: it re-runs itself under `nlkit-nsexec --sandbox` (a
 * private network namespace as the host, a private mount namespace with its own /run/netns),
 * checks that it really is in a namespace of its own, and removes everything it made; whatever a
 * crash leaves dies with the sandbox. Where it cannot run (not Linux, no CAP_NET_ADMIN, binding
 * or helper not built, no ping) it says why and exits with status 2; a failed expectation exits
 * with 1. No stack traces unless NLKIT_DEMO_DEBUG=1.
 *
 * ```
 * npm run demo                  # node dist/demo/walkthrough.js
 * node --import=@isaacs/ts-node-temp-fork-for-pr-2009/import src/demo/walkthrough.ts
 * ```
 * @module
 */
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { isNetlinkError } from '../netlink/errors.js';
import { nsexecPath } from '../native.js';
import { cannotRunReason, notInSandboxReason } from './preflight.js';
import { DemoFailure, Reporter, useColor } from './report.js';
import { Walkthrough } from './steps.js';

/** Set (to "1") for the re-run inside the sandbox. */
const SANDBOX_ENV = 'NLKIT_DEMO_SANDBOX';
/** Exit status when the demo cannot run here at all. */
const EXIT_CANNOT_RUN = 2;
/** nlkit-nsexec's status for a failure while setting up the sandbox. */
const NSEXEC_SETUP_FAILED = 255;

const debug = process.env['NLKIT_DEMO_DEBUG'] === '1';

function say(text: string): void {
  process.stderr.write(`nlkit demo: ${text}\n`);
}

/** One line for an error: the kernel's words for a NetlinkError, the message otherwise. */
function describe(e: unknown): string {
  if (isNetlinkError(e)) return `${e.message}${e.code ? ` (${e.code})` : ''}`;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Outside: check, then re-run this file inside a fresh sandbox and exit with its status. */
async function outside(): Promise<number> {
  const reason = cannotRunReason();
  if (reason !== null) {
    say(`cannot run: ${reason}`);
    return EXIT_CANNOT_RUN;
  }
  const self = fileURLToPath(import.meta.url);
  const child = spawn(nsexecPath(), ['--sandbox', '--', process.execPath, ...process.execArgv, self, ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, [SANDBOX_ENV]: '1' },
  });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, forward);
  return new Promise<number>((resolve) => {
    child.on('error', (e) => {
      say(`cannot run: cannot start ${nsexecPath()}: ${e.message}`);
      resolve(EXIT_CANNOT_RUN);
    });
    child.on('exit', (code, signal) => {
      if (signal !== null) resolve(128 + (osConstants.signals[signal] ?? 0));
      else if (code === NSEXEC_SETUP_FAILED) {
        say('cannot run: the private sandbox (network + mount namespace) could not be set up (nlkit-nsexec said why above)');
        resolve(EXIT_CANNOT_RUN);
      } else resolve(code ?? 1);
    });
  });
}

/** Inside the sandbox: the walkthrough itself. */
async function inside(): Promise<number> {
  const notIsolated = notInSandboxReason();
  if (notIsolated !== null) {
    say(`refusing to run: ${notIsolated}; the walkthrough only runs in the private sandbox it makes for itself`);
    return EXIT_CANNOT_RUN;
  }
  const r = new Reporter(process.stdout, useColor(process.stdout));
  r.title('nlkit walkthrough', 'The classic Linux network-virtualization walkthrough, done with nlkit in a private sandbox.');
  const demo = new Walkthrough(r);
  let status = 0;
  try {
    await demo.run();
    r.line();
    r.line(r.paint('green', `✓ every step passed (${demo.done.join(', ')}) and nothing is left behind`));
  } catch (e) {
    status = 1;
    r.line();
    if (e instanceof DemoFailure) say(`step failed: ${e.message}`);
    else say(`failed: ${describe(e)}`);
    if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  } finally {
    await demo.cleanup().catch((e: unknown) => {
      say(`cleanup: ${describe(e)} (the sandbox removes the rest when it ends)`);
    });
  }
  return status;
}

try {
  process.exitCode = await (process.env[SANDBOX_ENV] === '1' ? inside() : outside());
} catch (e) {
  say(`failed: ${describe(e)}`);
  if (debug && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  process.exitCode = 1;
}
// Everything is closed by now; should anything still hold the event loop, do not hang on it.
setTimeout(() => process.exit(), 2000).unref();
