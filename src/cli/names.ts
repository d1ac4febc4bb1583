/**
 * The machine's own name tables for the `ip`-style views: `/etc/iproute2/*` (route protocols,
 * scopes, tables, realms, link groups, DS fields, and the `*.d/*.conf` drop-ins) and the user and
 * group databases (tun/tap owners). Whatever cannot be read falls back to iproute2's defaults.
 *
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { defaultNames, type IpNames, parseNameDb } from '../view/names.js';

function readDb(base: string, file: string, fallback: ReadonlyMap<number, string>): ReadonlyMap<number, string> {
  let found = false;
  const out = new Map<number, string>();
  try {
    for (const [k, v] of parseNameDb(readFileSync(`${base}/${file}`, 'utf8'))) out.set(k, v);
    found = true;
  } catch {
    // no such file: keep the defaults
  }
  try {
    for (const f of readdirSync(`${base}/${file}.d`).filter((x) => x.endsWith('.conf')).sort()) {
      for (const [k, v] of parseNameDb(readFileSync(`${base}/${file}.d/${f}`, 'utf8'))) out.set(k, v);
      found = true;
    }
  } catch {
    // no drop-in directory
  }
  if (!found) return fallback;
  for (const [k, v] of fallback) if (!out.has(k)) out.set(k, v);
  return out;
}

/**
 * The name tables of `/etc/iproute2` (or `dir`), over iproute2's defaults. Each table is read
 * when first used, as iproute2 does (`rtnl_rtprot_initialize` and its siblings run on the first
 * lookup): `link show` reads only `group`, not the other five files and their `.d` directories
 * (bench: cli/link-show-3).
 */
export function systemNames(dir = '/etc/iproute2'): IpNames {
  const d = defaultNames();
  let protos: ReadonlyMap<number, string> | undefined;
  let scopes: ReadonlyMap<number, string> | undefined;
  let tables: ReadonlyMap<number, string> | undefined;
  let realms: ReadonlyMap<number, string> | undefined;
  let groups: ReadonlyMap<number, string> | undefined;
  let dsfield: ReadonlyMap<number, string> | undefined;
  return {
    get protos() {
      return (protos ??= readDb(dir, 'rt_protos', d.protos));
    },
    get scopes() {
      return (scopes ??= readDb(dir, 'rt_scopes', d.scopes));
    },
    get tables() {
      return (tables ??= readDb(dir, 'rt_tables', d.tables));
    },
    get realms() {
      return (realms ??= readDb(dir, 'rt_realms', d.realms));
    },
    get groups() {
      return (groups ??= readDb(dir, 'group', d.groups));
    },
    get dsfield() {
      return (dsfield ??= readDb(dir, 'rt_dsfield', d.dsfield));
    },
  };
}

function idDb(file: string): Map<number, string> {
  const out = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && /^\d+$/.test(f[2]!) && !out.has(Number(f[2]))) out.set(Number(f[2]), f[0]!);
    }
  } catch {
    // unreadable: numbers only
  }
  return out;
}

/** uid → user name and gid → group name from /etc/passwd and /etc/group (read once). */
export function systemAccounts(): { userName: (uid: number) => string | undefined; groupName: (gid: number) => string | undefined } {
  let users: Map<number, string> | undefined;
  let groups: Map<number, string> | undefined;
  return {
    userName: (uid) => (users ??= idDb('/etc/passwd')).get(uid),
    groupName: (gid) => (groups ??= idDb('/etc/group')).get(gid),
  };
}
