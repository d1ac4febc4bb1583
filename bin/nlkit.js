#!/usr/bin/env node
// The nlkit command: runs the compiled CLI and exits with its status.
import { main } from '../dist/cli/main.js';

// A closed pipe (`nlkit decode big.pcap | head`) ends the output quietly.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = await main(process.argv.slice(2));
