/**
 * Runs `nlkit` from source (tests, development):
 * `node --import=@isaacs/ts-node-temp-fork-for-pr-2009/import src/cli/main-entry.ts decode ...`.
 * The installed command is `bin/nlkit.js`, which runs the compiled `dist/cli/main.js`.
 *
 * @module
 */
import { main } from './main.js';

// A closed pipe (`nlkit decode big.pcap | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
