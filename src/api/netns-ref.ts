/**
 * Turning a namespace reference (name, path, fd, pid) into an open fd of the namespace, the way
 * `ip -n NAME` and `ip netns exec` find it: names live under /run/netns.
 *
 * @example
 * ```ts
 * const h = openNetns('ns1');   // fd of /run/netns/ns1
 * h.fd; h.path;                 // 17, '/run/netns/ns1'
 * h.close();
 * ```
 * @module
 */
import { closeSync, opendirSync, openSync } from 'node:fs';
import { ArgumentError } from '../netlink/errors.js';
import { errnoNumber, errnoText } from '../netlink/errno.js';

/**
 * Rewrites the message of an errno error (from `node:fs` or the native binding) the way iproute2
 * words its failures: `PREFIX: <strerror>`. The `code`, `errno`, `syscall` and `path` stay.
 * Errors without an errno `code` are returned unchanged.
 *
 * @example
 * ```ts
 * try { unlinkSync(p); } catch (e) { throw withErrnoMessage(e, `Cannot remove namespace file "${p}"`); }
 * // Error: Cannot remove namespace file "/run/netns/x": No such file or directory (code 'ENOENT')
 * ```
 */
export function withErrnoMessage(e: unknown, prefix: string): unknown {
  const err = e as NodeJS.ErrnoException;
  if (!(err instanceof Error) || typeof err.code !== 'string') return e;
  const n = errnoNumber(err.code);
  if (n === undefined) return e;
  err.message = `${prefix}: ${errnoText(n)}`;
  return err;
}

/** Directory of named namespaces (iproute2's NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/run/netns';

/** A network namespace: a name under /run/netns, or `{ name }`, `{ path }`, `{ fd }`, `{ pid }`. */
export type NetnsRef = string | { name: string } | { path: string } | { fd: number } | { pid: number };

/** An open namespace. */
export interface NetnsHandle {
  /** fd of the namespace (an nsfs file). */
  readonly fd: number;
  /** Its name under /run/netns, when it was given by name. */
  readonly name: string | undefined;
  /** The path it was opened from ('' for a given fd). */
  readonly path: string;
  /** Closes the fd (unless it was given by the caller). */
  close(): void;
}

/**
 * Checks a namespace name as iproute2 does: non-empty, not '.' or '..', no '/', at most 255 bytes.
 *
 * @example
 * ```ts
 * checkNetnsName('ns1');   // ok
 * checkNetnsName('a/b');   // throws ArgumentError naming the argument
 * ```
 */
export function checkNetnsName(name: string, argument = 'netns name'): void {
  if (typeof name !== 'string' || name.length === 0) throw new ArgumentError(argument, name, 'must be a non-empty string');
  if (name === '.' || name === '..') throw new ArgumentError(argument, name, 'must not be "." or ".."');
  if (name.includes('/')) throw new ArgumentError(argument, name, 'must not contain "/"');
  if (name.includes('\0')) throw new ArgumentError(argument, name, 'must not contain NUL');
  if (Buffer.byteLength(name) > 255) throw new ArgumentError(argument, name, 'must be at most 255 bytes');
}

/**
 * The path of a namespace reference (the fd form has none); an ArgumentError for a malformed one.
 *
 * @example
 * ```ts
 * netnsPath('ns1');            // '/run/netns/ns1'   (ip -n ns1)
 * netnsPath({ pid: 1234 });    // '/proc/1234/ns/net'
 * ```
 */
export function netnsPath(ref: Exclude<NetnsRef, { fd: number }>): string {
  if (typeof ref === 'string') return netnsPath({ name: ref });
  if (ref === null || typeof ref !== 'object') throw new ArgumentError('netns', ref, 'must be a name, { name }, { path }, { fd } or { pid }');
  if ('name' in ref) {
    checkNetnsName(ref.name);
    return `${NETNS_RUN_DIR}/${ref.name}`;
  }
  if ('pid' in ref) {
    if (!Number.isInteger(ref.pid) || ref.pid <= 0) throw new ArgumentError('pid', ref.pid, 'must be a positive integer');
    return `/proc/${ref.pid}/ns/net`;
  }
  if ('path' in ref) {
    if (typeof ref.path !== 'string' || ref.path === '' || ref.path.includes('\0')) throw new ArgumentError('netns path', ref.path, 'must be a non-empty path without NUL');
    return ref.path;
  }
  throw new ArgumentError('netns', ref, 'must be a name, { name }, { path }, { fd } or { pid }');
}

/**
 * Opens a namespace reference. Throws an errno error (e.g. code 'ENOENT' for an unknown name)
 * with a message naming the namespace.
 *
 * @example
 * ```ts
 * const h = openNetns({ pid: 1234 });   // the namespace `ip netns identify 1234` names
 * h.close();
 * ```
 */
export function openNetns(ref: NetnsRef): NetnsHandle {
  if (ref !== null && typeof ref === 'object' && 'fd' in ref) {
    if (!Number.isInteger(ref.fd) || ref.fd < 0) throw new ArgumentError('netns fd', ref.fd, 'must be a non-negative integer');
    return { fd: ref.fd, name: undefined, path: '', close() {} };
  }
  const path = netnsPath(ref);
  const name = typeof ref === 'string' ? ref : 'name' in ref ? ref.name : undefined;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && name !== undefined) err.message = `Cannot open network namespace "${name}": No such file or directory`;
    throw err;
  }
  let open = true;
  return {
    fd,
    name,
    path,
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/**
 * The entries of /run/netns in directory order (the order `ip netns list` prints), or [] when
 * the directory does not exist.
 *
 * @example
 * ```ts
 * netnsNames();   // ['ns2', 'ns1'] after `ip netns add ns1; ip netns add ns2`
 * ```
 */
export function netnsNames(): string[] {
  let dir;
  try {
    dir = opendirSync(NETNS_RUN_DIR);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw withErrnoMessage(e, `Failed to open directory ${NETNS_RUN_DIR}`);
  }
  const names: string[] = [];
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) names.push(d.name);
  } finally {
    dir.closeSync();
  }
  return names;
}
