#!/usr/bin/env node
// The nlkit command: runs the compiled CLI and exits with its status. Output goes straight to
// fds 1 and 2 (processIo in dist/cli/main.js), which also ends the process quietly on a closed pipe
// (`nlkit decode big.pcap | head`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
