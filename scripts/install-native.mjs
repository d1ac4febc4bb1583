#!/usr/bin/env node
// The package's `install` script: builds the native binding (build/Release/nlkit.node) and the
// nlkit-nsexec helper with node-gyp.
//
// On Linux a failed build fails the install: the binding is what talks to the kernel. Elsewhere
// (macOS, Windows) there is no netlink: the build is skipped and decoding, replay and the mock
// kernel work without it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.platform !== 'linux') {
  console.log(`nlkit: skipping the native binding on ${process.platform} (netlink is Linux-only)`);
  process.exit(0);
}

// Which node-gyp: the one npm names in npm_config_node_gyp (its bundled copy, during lifecycle
// scripts), else one installed beside us, else npm's bundled copy next to this node, else
// `node-gyp` from PATH (npm also puts it there for lifecycle scripts).
function findNodeGyp() {
  const named = process.env.npm_config_node_gyp;
  if (named && existsSync(named)) return named;
  try {
    return createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js');
  } catch {
    // not installed locally
  }
  const bundled = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  return existsSync(bundled) ? bundled : null;
}

// Build against the headers installed with this node when they match it (offline, and what npm
// does when `nodedir` is configured), unless npm already passes a nodedir.
function localNodeDir() {
  if (process.env.npm_config_nodedir) return null;
  const prefix = join(dirname(process.execPath), '..');
  try {
    const header = readFileSync(join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const part = (name) => header.match(new RegExp(`^#define\\s+NODE_${name}_VERSION\\s+(\\d+)`, 'm'))?.[1];
    const version = `${part('MAJOR')}.${part('MINOR')}.${part('PATCH')}`;
    return version === process.versions.node ? prefix : null;
  } catch {
    return null;
  }
}

const gypArgs = ['rebuild'];
const nodedir = localNodeDir();
if (nodedir) gypArgs.push(`--nodedir=${nodedir}`);
const gypScript = findNodeGyp();
const [command, args] = gypScript ? [process.execPath, [gypScript, ...gypArgs]] : ['node-gyp', gypArgs];

const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
if (result.error) {
  console.error(`nlkit: cannot run node-gyp (${result.error.message}); the native binding was not built.`);
  console.error('nlkit: install node-gyp, a C compiler, make and python3, then run `npm rebuild nlkit`.');
  process.exit(1);
}
if (result.status !== 0) {
  const how = result.signal ? `was killed by ${result.signal}` : `exited with status ${result.status}`;
  console.error(`nlkit: building the native binding failed (node-gyp ${how}).`);
  console.error('nlkit: it needs a C compiler, make, python3 and the Node.js headers; see the output above.');
  process.exit(result.status ?? 1);
}
