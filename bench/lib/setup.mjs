// Builds the bench's namespaces with `ip -batch`. Runs only inside the sandbox (a private
// network + mount namespace with its own /run/netns), so nothing here touches the machine.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { routeAddr } from './objects.mjs';

/** The namespaces: dump (2,000 links, 10,000 addresses, 100,000 routes), write (empty), 1m (1,000,000 routes). */
export const NS = { dump: 'nlb-d', write: 'nlb-w', million: 'nlb-1m' };

export const SIZES = { links: 2000, addrs: 10000, routes: 100000, million: 1000000 };

function ip(args, input) {
  return execFileSync('ip', args, { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
}

function batch(ns, lines) {
  // Chunks keep ip's memory small; ip -batch stops at the first error (it is loud, on stderr).
  for (let i = 0; i < lines.length; i += 50000) ip(['-n', ns, '-batch', '-'], lines.slice(i, i + 50000).join('\n') + '\n');
}

/** A namespace with `g0` (10.123.0.1/16, up; the routes' gateway 10.123.0.2 is behind it) and its peer. */
function base(ns) {
  ip(['netns', 'add', ns]);
  batch(ns, ['link add g0 type veth peer name g0p', 'addr add 10.123.0.1/16 dev g0', 'link set g0 up', 'link set g0p up']);
}

function routeLines(n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = `route add ${routeAddr(i)}/32 via 10.123.0.2`;
  return out;
}

const built = new Set();

/** The dump namespace: 1,000 veth pairs (2,000 links + lo), 10,000 IPv4 addresses, 100,000 routes. */
export function dumpNs(log) {
  if (built.has(NS.dump)) return NS.dump;
  const t0 = Date.now();
  base(NS.dump);
  const lines = [];
  for (let i = 1; i < SIZES.links / 2; i++) lines.push(`link add v${i} type veth peer name vp${i}`);
  // 10,000 addresses in 10.125.0.0/16 (and up), ten per veth (the devices stay down: no local routes).
  for (let i = 0; i < SIZES.addrs; i++) {
    const n = ((10 << 24) | (125 << 16)) + i;
    lines.push(`addr add ${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/32 dev v${1 + (i % (SIZES.links / 2 - 1))}`);
  }
  batch(NS.dump, lines);
  batch(NS.dump, routeLines(SIZES.routes));
  built.add(NS.dump);
  log(`namespace ${NS.dump}: ${SIZES.links} links, ${SIZES.addrs} addresses, ${SIZES.routes} routes (${Date.now() - t0} ms)`);
  return NS.dump;
}

/** The write namespace: only g0/g0p; every writer deletes what it created before the next run. */
export function writeNs(log) {
  if (built.has(NS.write)) return NS.write;
  base(NS.write);
  built.add(NS.write);
  log(`namespace ${NS.write}: empty but for g0 (10.123.0.1/16)`);
  return NS.write;
}

/** The 1,000,000-route namespace (built only when a 1m case runs; removed by dropMillion). */
export function millionNs(log) {
  if (built.has(NS.million)) return NS.million;
  const t0 = Date.now();
  base(NS.million);
  batch(NS.million, routeLines(SIZES.million));
  built.add(NS.million);
  log(`namespace ${NS.million}: ${SIZES.million} routes (${Date.now() - t0} ms)`);
  return NS.million;
}

export function dropMillion() {
  if (!built.has(NS.million)) return;
  ip(['netns', 'del', NS.million]);
  built.delete(NS.million);
}

/** ifindex of `dev` in namespace `ns`. */
export function ifindexOf(ns, dev) {
  return JSON.parse(ip(['-n', ns, '-j', 'link', 'show', 'dev', dev]))[0].ifindex;
}

export function nsExists(ns) {
  return existsSync(`/run/netns/${ns}`);
}
