/**
 * strace output as a capture. Best made with
 *
 *     strace -f -xx -e read=all -e write=all -e trace=socket,sendmsg,recvmsg,sendto,recvfrom CMD
 *
 * Each completed `sendmsg`/`sendto`/`send`/`write` (to the kernel) or `recvmsg`/`recvfrom`/
 * `recv`/`read` (from it) becomes one datagram. Its bytes come from the full hexdump that
 * `-e read=all`/`-e write=all` prints under the call (` | 00000  28 00 00 00 ...`, with
 * `* N bytes in buffer K` between the buffers of one call); without those, from the call's data
 * string when strace printed one (`"\x28\x00..."` with `-xx`) and did not cut it short.
 * `socket(AF_NETLINK, ..., NETLINK_ROUTE) = 3` lines tell the family of each descriptor (per
 * process with `-f`); calls on sockets known not to be netlink are ignored, as are MSG_PEEK
 * calls. `[pid N]` prefixes, `-o` pid columns, `-t`/`-tt`/`-ttt` timestamps and
 * `<unfinished ...>`/`<... resumed>` pairs are understood.
 *
 * @module
 */
import type { CapturedDatagram } from './datagram.js';
import { type CaptureReader, LineSplitter, type Lines, MAX_DATAGRAM, type ReaderOutput, none } from './reader.js';

const NETLINK_PROTOCOLS: Record<string, number> = {
  NETLINK_ROUTE: 0, NETLINK_UNUSED: 1, NETLINK_USERSOCK: 2, NETLINK_FIREWALL: 3, NETLINK_SOCK_DIAG: 4, NETLINK_INET_DIAG: 4,
  NETLINK_NFLOG: 5, NETLINK_XFRM: 6, NETLINK_SELINUX: 7, NETLINK_ISCSI: 8, NETLINK_AUDIT: 9, NETLINK_FIB_LOOKUP: 10,
  NETLINK_CONNECTOR: 11, NETLINK_NETFILTER: 12, NETLINK_IP6_FW: 13, NETLINK_DNRTMSG: 14, NETLINK_KOBJECT_UEVENT: 15,
  NETLINK_GENERIC: 16, NETLINK_SCSITRANSPORT: 18, NETLINK_ECRYPTFS: 19, NETLINK_RDMA: 20, NETLINK_CRYPTO: 21, NETLINK_SMC: 22,
};

const OUT_CALLS = new Set(['sendmsg', 'sendto', 'send', 'write']);
const IN_CALLS = new Set(['recvmsg', 'recvfrom', 'recv', 'read']);
const PREFIX = /^(?:\[pid\s+(\d+)\]\s+|(\d+)\s+)?(?:\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\s+|\d{9,}\.\d+\s+)?/;
const CALL = /^([a-z_0-9]+)\((-?\d+)?/;
const RESUMED = /^<\.\.\.\s+([a-z_0-9]+)\s+resumed>/;
const RESULT = /\)\s+=\s+(-?\d+|\?)(?=\s|$)/g;

/** The last `) = N` of a call line (the syscall's result). */
function lastResult(text: string): RegExpExecArray | undefined {
  RESULT.lastIndex = 0;
  let last: RegExpExecArray | undefined;
  for (let m = RESULT.exec(text); m; m = RESULT.exec(text)) last = m;
  return last;
}
const HEXDUMP = /^\s*\|\s([0-9a-f]{5,})\s\s/;
const BUFFER = /^\s*\*\s+(\d+)\s+bytes\s+in\s+buffer\s+(\d+)/;

interface Call {
  name: string;
  pid: string;
  fd: number;
  line: number;
  /** Data from strings in the call line (`"\x.."`), when not truncated. */
  strings: Uint8Array | undefined;
  truncatedString: boolean;
  ret: number;
  peek: boolean;
  /** Hexdump bytes, buffer by buffer. */
  dump: number[];
  dumpOffset: number;
  dumpBad: boolean;
}

/** Bytes of a C string literal body as strace prints it (`\xHH`, `\n`, `\NNN`, plain characters). */
export function unescapeC(body: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out.push(c.charCodeAt(0) & 0xff);
      continue;
    }
    const n = body[++i];
    if (n === 'x') {
      const h = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))?.[0] ?? '';
      out.push(parseInt(h || '0', 16));
      i += h.length;
    } else if (n !== undefined && n >= '0' && n <= '7') {
      const o = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out.push(parseInt(o, 8) & 0xff);
      i += o.length - 1;
    } else {
      const map: Record<string, number> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, '"': 34, '\\': 92, "'": 39, '?': 63 };
      out.push(n !== undefined ? (map[n] ?? n.charCodeAt(0)) : 92);
    }
  }
  return Uint8Array.from(out);
}

/** The data strings of a call line: the `iov_base="..."` strings of sendmsg/recvmsg, else the buffer argument of send, recv, read and write. */
function callStrings(name: string, rest: string): { bytes: Uint8Array; truncated: boolean } | undefined {
  const strs: Array<{ body: string; truncated: boolean }> = [];
  const lit = /"((?:[^"\\]|\\.)*)"(\.\.\.)?/g;
  if (name === 'sendmsg' || name === 'recvmsg') {
    const re = /iov_base="((?:[^"\\]|\\.)*)"(\.\.\.)?/g;
    for (let m = re.exec(rest); m; m = re.exec(rest)) strs.push({ body: m[1]!, truncated: m[2] !== undefined });
  } else {
    // Second argument: `fd, "..."`.
    const m = /^\s*-?\d+\s*,\s*/.exec(rest);
    if (m) {
      lit.lastIndex = m[0].length;
      const s = lit.exec(rest);
      if (s && s.index === m[0].length) strs.push({ body: s[1]!, truncated: s[2] !== undefined });
    }
  }
  if (strs.length === 0) return undefined;
  const parts = strs.map((s) => unescapeC(s.body));
  const len = parts.reduce((n, p) => n + p.length, 0);
  const bytes = new Uint8Array(len);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, truncated: strs.some((s) => s.truncated) };
}

/** A reader of strace output. */
export function straceReader(): CaptureReader {
  const lines = new LineSplitter();
  // Netlink protocol of each descriptor, per pid; null = a socket that is not netlink.
  const sockets = new Map<string, number | null>();
  const unfinished = new Map<string, { name: string; fd: number; line: number; text: string }>();
  let current: Call | undefined;
  let index = 0;

  const finish = (out: ReaderOutput): void => {
    const c = current;
    current = undefined;
    if (!c || c.peek || c.ret < 0) return;
    const proto = sockets.get(`${c.pid}/${c.fd}`);
    if (proto === null) return; // not a netlink socket
    if ((c.name === 'read' || c.name === 'write') && proto === undefined) return; // could be any file
    let bytes: Uint8Array | undefined;
    if (c.dump.length > 0 || c.dumpBad) {
      bytes = Uint8Array.from(c.dump);
      if (c.dumpBad) out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: `hexdump of ${c.name} is not contiguous; the datagram may be incomplete`, line: c.line, datagram: index + 1 });
    } else if (c.strings) {
      if (c.truncatedString) {
        out.problems.push({ code: 'NLKIT_ERR_TRUNCATED', reason: `strace cut the data of ${c.name} short (${c.strings.length} of ${c.ret} bytes); record with -e read=all -e write=all (or -s 65536)`, line: c.line });
        return;
      }
      bytes = IN_CALLS.has(c.name) ? c.strings.subarray(0, c.ret) : c.strings;
    } else {
      if (c.ret > 0) out.problems.push({ code: 'NLKIT_ERR_TRUNCATED', reason: `no data for ${c.name} of ${c.ret} bytes (strace printed it decoded); record with -e read=all -e write=all`, line: c.line });
      return;
    }
    if (bytes.length === 0) return;
    const d: CapturedDatagram = { index: ++index, direction: OUT_CALLS.has(c.name) ? 'out' : 'in', where: { line: c.line }, bytes };
    if (proto !== undefined) d.protocol = proto;
    out.datagrams.push(d);
  };

  const startCall = (out: ReaderOutput, pid: string, name: string, fd: number, line: number, text: string): void => {
    const res = lastResult(text);
    if (name === 'socket') {
      if (res && res[1] !== '?' && Number(res[1]) >= 0) {
        const m = /^socket\(\s*(\w+)\s*,[^,]*,\s*(\w+)/.exec(text);
        const family = m?.[1];
        const key = `${pid}/${Number(res[1])}`;
        if (family === 'AF_NETLINK' || family === 'PF_NETLINK' || family === '16' || family === '0x10') {
          const p = m?.[2] ?? '0';
          sockets.set(key, NETLINK_PROTOCOLS[p] ?? (/^(?:0x[0-9a-f]+|\d+)$/i.test(p) ? Number(p) : 0));
        } else sockets.set(key, null);
      }
      return;
    }
    if (!OUT_CALLS.has(name) && !IN_CALLS.has(name)) return;
    if (!res || res[1] === '?') return;
    const ret = Number(res[1]);
    const argEnd = text.lastIndexOf(')', res.index + 1);
    const args = text.slice(text.indexOf('(') + 1, argEnd);
    const s = callStrings(name, args);
    const flagsArg = args.slice(args.lastIndexOf(',') + 1);
    current = {
      name,
      pid,
      fd,
      line,
      strings: s?.bytes,
      truncatedString: s?.truncated ?? false,
      ret,
      peek: /\bMSG_PEEK\b/.test(flagsArg),
      dump: [],
      dumpOffset: 0,
      dumpBad: false,
    };
    void out;
  };

  const handle = (l: Lines): ReaderOutput => {
    const out = none();
    for (const line of l.tooLong) out.problems.push({ code: 'NLKIT_ERR_BAD_FORMAT', reason: 'line too long; skipped', line });
    for (const [line, raw] of l.lines) {
      const hd = HEXDUMP.exec(raw);
      if (hd) {
        if (!current) continue;
        const off = parseInt(hd[1]!, 16);
        if (off !== current.dumpOffset) current.dumpBad = true;
        const region = raw.slice(hd[0].length, hd[0].length + 49);
        let n = 0;
        for (const tok of region.trim().split(/\s+/)) {
          if (!/^[0-9a-f]{2}$/.test(tok)) break;
          if (current.dump.length >= MAX_DATAGRAM) {
            current.dumpBad = true;
            break;
          }
          current.dump.push(parseInt(tok, 16));
          n++;
        }
        current.dumpOffset = off + n;
        continue;
      }
      const buf = BUFFER.exec(raw);
      if (buf) {
        if (current) current.dumpOffset = 0;
        continue;
      }
      const pre = PREFIX.exec(raw)!;
      const pid = pre[1] ?? pre[2] ?? '';
      const text = raw.slice(pre[0].length);
      const resumed = RESUMED.exec(text);
      if (resumed) {
        finish(out);
        const u = unfinished.get(pid);
        unfinished.delete(pid);
        if (u && u.name === resumed[1]) startCall(out, pid, u.name, u.fd, u.line, `${u.text}${text.slice(resumed[0].length)}`);
        continue;
      }
      const call = CALL.exec(text);
      if (!call) continue;
      finish(out);
      const name = call[1]!;
      const fd = call[2] !== undefined ? Number(call[2]) : -1;
      if (/<unfinished \.\.\.>\s*$/.test(text)) {
        unfinished.set(pid, { name, fd, line, text: text.replace(/\s*<unfinished \.\.\.>\s*$/, '') });
        continue;
      }
      startCall(out, pid, name, fd, line, text);
    }
    return out;
  };
  return {
    format: 'strace',
    push: (chunk) => handle(lines.push(chunk)),
    end: () => {
      const out = handle(lines.end());
      finish(out);
      return out;
    },
  };
}
