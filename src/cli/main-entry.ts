/**
 * Runs `nlkit` from source (tests, development):
 * `node --import=@isaacs/ts-node-temp-fork-for-pr-2009/import src/cli/main-entry.ts decode ...`.
 * The installed command is `bin/nlkit.js`, which runs the compiled `dist/cli/main.js`.
 * Output goes straight to fds 1 and 2 (processIo in main.ts), which also ends the process quietly on a
 * closed pipe.
 *
 * @module
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
