/**
 * The fast path of `nlkit -batch`: the commonest change commands of a batch file go to the kernel
 * as request bytes built here, on the namespace's socket, without the high-level API, the codec
 * or a client (none of them is even loaded while every line takes this path).
 *
 * Which lines: `route add|change|replace|delete` of an IPv4 prefix with `via`, `dev`/`oif`,
 * `metric`, `table`, `proto`, `src`, `onlink`; `address add|change|replace|delete` of an IPv4
 * prefix with `dev`; `link add NAME type veth peer name PEER`, `link delete [dev] NAME`,
 * `link set [dev] NAME up|down`. Only the plain forms: a word this parser does not know, an
 * address in another form than `A.B.C.D[/LEN]` (`10.1/16`), a repeated option, `-6`, a name
 * where ip's link parser might see a keyword: the line goes the general way (ip.ts → route.ts /
 * addr.ts / link.ts → the API), which gives ip's answer for every case. The bytes are those the
 * general path sends for the same line (but for NLM_F_ACK, below); the unit test
 * `test/unit/cli/batch-fast.test.ts` compares them line by line over a corpus.
 *
 * Sending (see batch.ts for why this keeps ip's semantics): without `-force` each request goes
 * alone and its answer is read before the next line is looked at; with `-force` up to 64
 * requests share a datagram and their answers are read after it. The kernel answers an
 * rtnetlink request inside the `sendmsg` that carried it, so on a kernel socket the requests go
 * without NLM_F_ACK and an empty receive queue after `send` means success (see `FastPath.ack`);
 * a transport that may answer later (the mock kernel) gets NLM_F_ACK and is waited for.
 *
 * @module
 */
import type { Transport } from '../netlink/transport.js';
import { CliExit, getUnsigned, matches } from './args.js';
import { findObject } from './ip.js';
import type { Session } from './session.js';

// rtnetlink numbers (include/uapi/linux/rtnetlink.h, netlink.h, if_link.h, if_addr.h, veth.h)
const NLMSG_ERROR = 2;
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;
const RTM_NEWROUTE = 24;
const RTM_DELROUTE = 25;
const F_REQUEST = 0x01;
const F_ACK = 0x04;
const F_REPLACE = 0x100;
const F_EXCL = 0x200;
const F_CREATE = 0x400;
/** In an ACK: the echoed request was cut to its header (NLM_F_CAPPED), extended-ACK attributes follow (NLM_F_ACK_TLVS). */
const F_CAPPED = 0x100;
const F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;
const IFLA_IFNAME = 3;
const IFLA_LINKINFO = 18;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFLA_EXT_MASK = 29;
/** RTEXT_FILTER_SKIP_STATS, as Session.lookup asks. */
const SKIP_STATS = 1 << 3;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_GATEWAY = 5;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RTPROT_BOOT = 3;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_HOST = 254;
const RT_SCOPE_NOWHERE = 255;
const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;
const RTNH_F_ONLINK = 4;
const ENODEV = 19;
const EINVAL = 22;

const ADD = 0;
const REPLACE = 1;
const DEL = 2;

/** A route line (IPv4). */
interface FastRoute {
  kind: 'route';
  op: number;
  dst: number;
  dstLen: number;
  gateway: number | undefined;
  prefsrc: number | undefined;
  metric: number | undefined;
  /** The words of `table` and `proto`, resolved as ip does (name tables first) when sent. */
  table: string | undefined;
  proto: string | undefined;
  onlink: boolean;
  dev: string | undefined;
}

/** An address line (IPv4, with a prefix length). */
interface FastAddr {
  kind: 'addr';
  op: number;
  local: number;
  len: number;
  dev: string;
}

/** `link add NAME type veth peer name PEER`. */
interface FastVeth {
  kind: 'veth';
  name: string;
  peer: string;
  dev: undefined;
}

/** `link delete [dev] NAME` and `link set [dev] NAME up|down`. */
interface FastLink {
  kind: 'linkdel' | 'linkset';
  dev: string;
  up: boolean;
}

/** A batch line the fast path takes (see the module doc). */
export type FastCommand = FastRoute | FastAddr | FastVeth | FastLink;

/** get_addr_ipv4 in its one canonical form (four decimal parts): the address as a u32, or -1. */
function ipv4(text: string): number {
  let v = 0;
  let part = 0;
  let parts = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || parts === 3) return -1;
      v = v * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else return -1;
  }
  if (digits === 0 || parts !== 3) return -1;
  return v * 256 + part;
}

/** get_prefix of `A.B.C.D[/LEN]` (canonical IPv4 only): [address, length, length given], or undefined. */
function ipv4Prefix(text: string): [number, number, boolean] | undefined {
  const slash = text.indexOf('/');
  const a = ipv4(slash < 0 ? text : text.slice(0, slash));
  if (a < 0) return undefined;
  if (slash < 0) return [a, 32, false];
  const p = text.slice(slash + 1);
  if (!/^\d+$/.test(p)) return undefined;
  const len = Number(p);
  return len <= 32 ? [a, len, true] : undefined;
}

/**
 * An interface name as every path takes it verbatim (the API's checkIfname: 1..15 bytes, no
 * `/`, `:`, blank or NUL, not `.` or `..`); ASCII only, so that a character is a byte here.
 */
function plainName(w: string | undefined): w is string {
  return w !== undefined && /^[\x21-\x2e\x30-\x39\x3b-\x7e]{1,15}$/.test(w) && w !== '.' && w !== '..';
}

/**
 * A name in a position where ip's link parser would first try its keywords (`up`, `mtu`, `t` for
 * `type`...): no keyword has a digit, so a name with one is a name.
 */
function positionalName(w: string | undefined): w is string {
  return plainName(w) && /[0-9]/.test(w);
}

/** findObject's module key of a word (remembered: a batch has few distinct first words). */
const objects = new Map<string, string | null>();
function objectOf(word: string): string | null {
  let k = objects.get(word);
  if (k === undefined) {
    k = findObject(word)?.[1] ?? null;
    if (objects.size < 256) objects.set(word, k);
  }
  return k;
}

/** The fast form of a command (the words after the global options), or undefined (see the module doc). */
export function parseFast(words: readonly string[], family: number): FastCommand | undefined {
  if (words.length < 3 || family === 10) return undefined;
  const obj = objectOf(words[0]!);
  const c = words[1]!;
  if (obj === 'route') {
    // runRoute's order of tests
    let op: number;
    if (matches(c, 'add')) op = ADD;
    else if (matches(c, 'change') || c === 'chg' || matches(c, 'replace')) op = REPLACE;
    else if (matches(c, 'prepend') || matches(c, 'append') || matches(c, 'test')) return undefined;
    else if (matches(c, 'delete')) op = DEL;
    else return undefined;
    return parseRoute(words, op);
  }
  if (obj === 'address') {
    let op: number;
    if (matches(c, 'add')) op = ADD;
    else if (matches(c, 'change') || c === 'chg' || matches(c, 'replace')) op = REPLACE;
    else if (matches(c, 'delete')) op = DEL;
    else return undefined;
    return parseAddr(words, op);
  }
  if (obj === 'link') {
    // runLink's order of tests
    if (matches(c, 'add')) {
      let i = 2;
      if (words[i] === 'name') i++;
      const name = words[i];
      if (words.length !== i + 6 || name === undefined || !(i === 3 ? plainName(name) : positionalName(name))) return undefined;
      if (words[i + 1] !== 'type' || words[i + 2] !== 'veth' || words[i + 3] !== 'peer' || words[i + 4] !== 'name' || !plainName(words[i + 5])) return undefined;
      return { kind: 'veth', name, peer: words[i + 5]!, dev: undefined };
    }
    const set = matches(c, 'set') || matches(c, 'change');
    if (!set && (matches(c, 'replace') || !matches(c, 'delete'))) return undefined;
    let i = 2;
    let dev: string | undefined;
    if (words[i] === 'dev') {
      dev = words[i + 1];
      if (!plainName(dev)) return undefined;
      i += 2;
    } else {
      dev = words[i];
      if (!positionalName(dev)) return undefined;
      i++;
    }
    if (!set) return words.length === i ? { kind: 'linkdel', dev, up: false } : undefined;
    const w = words[i];
    if (words.length !== i + 1 || (w !== 'up' && w !== 'down')) return undefined;
    return { kind: 'linkset', dev, up: w === 'up' };
  }
  return undefined;
}

function parseRoute(words: readonly string[], op: number): FastRoute | undefined {
  const r: FastRoute = { kind: 'route', op, dst: -1, dstLen: 0, gateway: undefined, prefsrc: undefined, metric: undefined, table: undefined, proto: undefined, onlink: false, dev: undefined };
  const n = words.length;
  for (let i = 2; i < n; i++) {
    const w = words[i]!;
    const v = words[i + 1];
    if (w === 'via') {
      if (r.gateway !== undefined || v === undefined) return undefined;
      const a = ipv4(v);
      if (a < 0) return undefined;
      r.gateway = a;
      i++;
    } else if (w === 'dev' || w === 'oif') {
      if (r.dev !== undefined || !plainName(v)) return undefined;
      r.dev = v;
      i++;
    } else if (w === 'metric' || w === 'priority' || w === 'preference') {
      if (r.metric !== undefined || v === undefined) return undefined;
      r.metric = getUnsigned(v);
      if (r.metric === undefined) return undefined;
      i++;
    } else if (w === 'table') {
      if (r.table !== undefined || v === undefined) return undefined;
      r.table = v;
      i++;
    } else if (w === 'proto' || w === 'protocol') {
      if (r.proto !== undefined || v === undefined) return undefined;
      r.proto = v;
      i++;
    } else if (w === 'src') {
      if (r.prefsrc !== undefined || v === undefined) return undefined;
      const a = ipv4(v);
      if (a < 0) return undefined;
      r.prefsrc = a;
      i++;
    } else if (w === 'onlink') {
      r.onlink = true;
    } else {
      // the destination: digits first (ip tries a route type on anything else)
      let d = w;
      if (w === 'to') {
        if (v === undefined) return undefined;
        d = v;
        i++;
      }
      const c = d.charCodeAt(0);
      if (r.dst >= 0 || !(c >= 48 && c <= 57)) return undefined;
      const p = ipv4Prefix(d);
      if (!p) return undefined;
      r.dst = p[0];
      r.dstLen = p[1];
    }
  }
  return r.dst >= 0 ? r : undefined;
}

function parseAddr(words: readonly string[], op: number): FastAddr | undefined {
  let local = -1;
  let len = 0;
  let dev: string | undefined;
  const n = words.length;
  for (let i = 2; i < n; i++) {
    let w = words[i]!;
    if (w === 'dev') {
      const v = words[i + 1];
      if (dev !== undefined || !plainName(v)) return undefined;
      dev = v;
      i++;
      continue;
    }
    if (w === 'local') {
      const v = words[i + 1];
      if (v === undefined) return undefined;
      w = v;
      i++;
    }
    const c = w.charCodeAt(0);
    if (local >= 0 || !(c >= 48 && c <= 57)) return undefined;
    const p = ipv4Prefix(w);
    // without a length: /32 for add, ip's wildcard deletion (with a warning) for del
    if (!p || !p[2]) return undefined;
    local = p[0];
    len = p[1];
  }
  return local >= 0 && dev !== undefined ? { kind: 'addr', op, local, len, dev } : undefined;
}

// ---------------------------------------------------------------------------------------------
// Encoding: the bytes of the general path's request for the same line

/** Bytes of the largest request built here (a veth pair with two 15-byte names is 92). */
const MAX_REQUEST = 256;
/** With -force: requests per datagram, and bytes (as the kernel takes a datagram at once). */
const PACK_MESSAGES = 64;
const PACK_BYTES = 32 * 1024;

class Out {
  readonly buf = new Uint8Array(PACK_BYTES + MAX_REQUEST);
  readonly dv = new DataView(this.buf.buffer);
  len = 0;

  /** Starts a message at `len` (its bytes zeroed); returns its offset. */
  begin(type: number, flags: number, seq: number, fixed: number): number {
    const at = this.len;
    this.buf.fill(0, at, at + 16 + fixed);
    const dv = this.dv;
    dv.setUint16(at + 4, type, true);
    dv.setUint16(at + 6, flags, true);
    dv.setUint32(at + 8, seq, true);
    this.len = at + 16 + fixed;
    return at;
  }

  end(at: number): void {
    this.dv.setUint32(at, this.len - at, true);
  }

  u32(type: number, value: number): void {
    const at = this.len;
    this.dv.setUint16(at, 8, true);
    this.dv.setUint16(at + 2, type, true);
    this.dv.setUint32(at + 4, value >>> 0, true);
    this.len = at + 8;
  }

  /** An IPv4 address attribute (network order). */
  in4(type: number, value: number): void {
    const at = this.len;
    this.dv.setUint16(at, 8, true);
    this.dv.setUint16(at + 2, type, true);
    this.dv.setUint32(at + 4, value >>> 0, false);
    this.len = at + 8;
  }

  /** A NUL-terminated ASCII string attribute, padded with zeros. */
  str(type: number, s: string): void {
    const at = this.len;
    const n = 4 + s.length + 1;
    const end = at + ((n + 3) & ~3);
    this.buf.fill(0, at, end);
    this.dv.setUint16(at, n, true);
    this.dv.setUint16(at + 2, type, true);
    for (let i = 0; i < s.length; i++) this.buf[at + 4 + i] = s.charCodeAt(i);
    this.len = end;
  }

  nest(type: number): number {
    const at = this.len;
    this.dv.setUint16(at + 2, type, true);
    this.len = at + 4;
    return at;
  }

  endNest(at: number): void {
    this.dv.setUint16(at, this.len - at, true);
  }

  /** A zeroed struct ifinfomsg (the peer's header inside VETH_INFO_PEER). */
  ifinfomsg(): void {
    this.buf.fill(0, this.len, this.len + 16);
    this.len += 16;
  }
}

// ---------------------------------------------------------------------------------------------
// Sending

/** A line's failure: the error to report (as the general path would have thrown it). */
export type FastReport = (line: number, error: unknown) => void;

/**
 * What became of a line: sent (true), failed without -force (false: the batch stops), or to be
 * run the general way after all ('general': a table or protocol name that is not one, found
 * only when the name tables are read; nothing was sent for it).
 */
export type FastResult = boolean | 'general';

interface NsState {
  transport: Transport;
  names: Map<string, number>;
}

interface Sent {
  line: number;
  seq: number;
  request: string;
}

/** What one batch sends the fast way; see the module doc. */
export class FastPath {
  /** The most requests sent before reading an answer (batch statistics). */
  maxInFlight = 0;
  private readonly out = new Out();
  private readonly scratch = new Out();
  private readonly states = new Map<string, NsState>();
  private seq = 0x40000000;
  /** With -force: the requests in `out` not sent yet, and the namespace they go to. */
  private pack: Sent[] = [];
  private packNs: NsState | undefined = undefined;
  private names: { tables: ReadonlyMap<number, string>; protos: ReadonlyMap<number, string> } | undefined = undefined;

  /**
   * NLM_F_ACK, or 0 on a kernel socket: the kernel answers a request without NLM_F_ACK only when
   * it fails (netlink_rcv_skb acks errors always), and does so inside the sendmsg that carried
   * it, so a receive queue found empty after `send` means success. This saves the ACK the kernel
   * builds and the recvmsg that copies it: per request one sendmsg and one empty recvmsg instead
   * of ip's sendmsg and two recvmsg (bench: write/route-10k, about 1 µs per request). What the
   * kernel writes and reports is the same; a success warning (an extended ACK on success) is
   * not printed either way. Other transports (the mock kernel, replays) may answer later: they
   * get NLM_F_ACK, and the requests are then byte for byte those of the general path.
   */
  private readonly ack: number;

  constructor(
    private readonly s: Session,
    private readonly force: boolean,
    private readonly report: FastReport,
  ) {
    this.ack = s.io.transport ? F_ACK : 0;
  }

  /**
   * Sends the request of one line (see {@link FastResult}); a promise only when something had to
   * wait (the socket's opening, a name's lookup, a failure's report).
   */
  run(cmd: FastCommand, line: number, netns: string | undefined): FastResult | Promise<FastResult> {
    const key = netns ?? this.s.opts.netns ?? '';
    const st = this.states.get(key);
    if (!st || (cmd.kind === 'route' && (cmd.table !== undefined || cmd.proto !== undefined) && !this.names)) return this.prepare(key, netns, cmd).then(() => this.run(cmd, line, netns));
    // The values the general path would refuse, before anything is looked up or sent.
    let table = RT_TABLE_MAIN;
    let proto = -1;
    if (cmd.kind === 'route') {
      if (cmd.table !== undefined) {
        const t = nameValue(this.names!.tables, cmd.table, 0xffffffff);
        // route.ts: '"table" value is invalid'; the API: table ids start at 1
        if (t === undefined || t === 0) return 'general';
        table = t;
      }
      if (cmd.proto !== undefined) {
        const p = nameValue(this.names!.protos, cmd.proto, 255);
        if (p === undefined) return 'general';
        proto = p;
      }
    }
    let index = 0;
    if (cmd.dev !== undefined) {
      const known = st.names.get(cmd.dev);
      if (known === undefined) return this.resolve(st, cmd.dev, line).then((ok) => ok && this.run(cmd, line, netns));
      index = known;
    }
    if (this.packNs !== undefined && this.packNs !== st) {
      const r = this.settle();
      if (r !== true) return Promise.resolve(r).then(() => this.run(cmd, line, netns));
    }
    const seq = this.nextSeq();
    const request = this.encode(cmd, index, seq, table, proto);
    if (cmd.kind === 'linkdel') this.s.forgetNames(null); // a veth end takes its peer along: names are stale
    if (!this.force) return this.sendAlone(st, seq, line, request);
    this.pack.push({ line, seq, request });
    this.packNs = st;
    if (this.pack.length < PACK_MESSAGES && this.out.len < PACK_BYTES) return true;
    // with -force a failure does not stop the batch
    const r = this.settle();
    return typeof r === 'object' ? r.then(() => true) : true;
  }

  /**
   * Without -force: sends the one request in `out` and reads its answer, which the kernel
   * queued before sendmsg returned (bench: write/route-10k nlkit -batch, one sendmsg and one
   * recvmsg per line, no allocation).
   */
  private sendAlone(st: NsState, seq: number, line: number, request: string): FastResult | Promise<FastResult> {
    const o = this.out;
    const len = o.len;
    o.len = 0;
    const bytes = (this.views[len] ??= o.buf.subarray(0, len));
    try {
      st.transport.send(bytes);
    } catch (e) {
      this.fail(line, e);
      return false;
    }
    this.maxInFlight ||= 1;
    for (;;) {
      const d = st.transport.receive();
      if (d === null) {
        if (this.ack === 0) return true;
        break;
      }
      const errno = this.ackOf(d, seq);
      if (errno === 0) return true;
      if (errno > 0) {
        let msg: string | undefined;
        forEachAck(d, (s, _e, m) => {
          if (s === seq) msg = m;
        });
        return kernelError(errno, msg, request).then((e) => {
          this.fail(line, e);
          return false;
        });
      }
    }
    // A transport that answers later (not the kernel's): the general way of waiting.
    return this.collect(st, [{ line, seq, request }]);
  }

  private rbuf: ArrayBufferLike | undefined = undefined;
  private rdv: DataView | undefined = undefined;

  /**
   * The errno of the NLMSG_ERROR answering `seq` in a datagram (0: success), or -1 if none does.
   * (A DataView per receive buffer, not per datagram: the transport reuses its buffer.)
   */
  private ackOf(d: Uint8Array, seq: number): number {
    if (d.buffer !== this.rbuf) {
      this.rbuf = d.buffer;
      this.rdv = new DataView(d.buffer);
    }
    const dv = this.rdv!;
    const base = d.byteOffset;
    const n = d.length;
    for (let off = 0; off + 20 <= n; ) {
      const len = dv.getUint32(base + off, true);
      if (len < 16 || len > n - off) return -1;
      if (dv.getUint16(base + off + 4, true) === NLMSG_ERROR && len >= 20 && dv.getUint32(base + off + 8, true) === seq) return -dv.getInt32(base + off + 16, true);
      off += (len + 3) & ~3;
    }
    return -1;
  }

  /** Whether the last collect() reported a failure. */
  private failedNow = false;
  /** Views of `out` by length (a request sent alone starts at 0). */
  private readonly views: Array<Uint8Array | undefined> = [];

  /**
   * Sends what is packed and reads its answers, reporting failures in line order. Resolves false
   * when a line failed (which stops a batch without -force).
   */
  settle(): FastResult | Promise<FastResult> {
    const pack = this.pack;
    const st = this.packNs;
    this.packNs = undefined;
    if (pack.length === 0 || !st) return true;
    this.pack = [];
    const bytes = this.out.buf.subarray(0, this.out.len);
    this.out.len = 0;
    try {
      st.transport.send(bytes);
    } catch (e) {
      for (const p of pack) this.fail(p.line, e);
      return false;
    }
    if (pack.length > this.maxInFlight) this.maxInFlight = pack.length;
    return this.collect(st, pack);
  }

  /** Reads the answers of `pack` (sent) and reports its failures in line order. */
  private collect(st: NsState, pack: Sent[]): FastResult | Promise<FastResult> {
    this.failedNow = false;
    const first = pack[0]!.seq;
    const errors: Array<[number, string | undefined] | null | undefined> = new Array(pack.length);
    let left = pack.length;
    const take = (d: Uint8Array): void => {
      forEachAck(d, (seq, errno, msg) => {
        const k = seq - first;
        if (k < 0 || k >= pack.length || errors[k] !== undefined || left === 0) return;
        errors[k] = errno === 0 ? null : [errno, msg];
        left--;
      });
    };
    const finish = async (): Promise<FastResult> => {
      for (let k = 0; k < pack.length; k++) {
        const e = errors[k];
        if (!e) continue;
        this.fail(pack[k]!.line, await kernelError(e[0], e[1], pack[k]!.request));
      }
      return !this.failedNow;
    };
    // without NLM_F_ACK only failures answer: what is queued now is all there is
    const r = this.ack === 0 ? drain(st.transport, take) : readUntil(st.transport, take, () => left === 0);
    if (r === true && !errors.some((e) => e)) return true;
    return r === true ? finish() : r.then(finish);
  }

  private fail(line: number, e: unknown): void {
    this.failedNow = true;
    this.report(line, e);
  }

  private nextSeq(): number {
    this.seq = this.seq >= 0x7fffffff ? 0x40000000 : this.seq + 1;
    return this.seq;
  }

  /** Opens the namespace's socket (and reads the name tables a route's table/proto needs). */
  private async prepare(key: string, netns: string | undefined, cmd: FastCommand): Promise<void> {
    if (!this.states.has(key)) {
      const transport = await this.s.transport(netns);
      this.states.set(key, { transport, names: this.s.cachedNames(netns)! });
    }
    if (cmd.kind === 'route' && (cmd.table !== undefined || cmd.proto !== undefined)) this.names ??= await this.s.names();
  }

  /**
   * The index of `name` (Session.lookup's request; cached for the run). An unknown name fails
   * the line as ip's `Cannot find device`; resolves false then without -force.
   */
  private async resolve(st: NsState, name: string, line: number): Promise<boolean> {
    // A name may belong to what the packed lines create.
    if ((await this.settle()) === false && !this.force) return false;
    const o = this.scratch;
    o.len = 0;
    const seq = this.nextSeq();
    const at = o.begin(RTM_GETLINK, F_REQUEST | F_ACK, seq, 16);
    o.str(IFLA_IFNAME, name);
    o.u32(IFLA_EXT_MASK, SKIP_STATS);
    o.end(at);
    let index: number | undefined;
    let error: [number, string | undefined] | undefined;
    let done = false;
    st.transport.send(o.buf.subarray(0, o.len));
    await readUntil(
      st.transport,
      (d) => {
        const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
        for (let off = 0; off + 16 <= d.length; ) {
          const len = dv.getUint32(off, true);
          if (len < 16 || off + len > d.length) break;
          if (dv.getUint32(off + 8, true) === seq) {
            const type = dv.getUint16(off + 4, true);
            if (type === RTM_NEWLINK && len >= 32) index = dv.getInt32(off + 20, true);
          }
          off += (len + 3) & ~3;
        }
        forEachAck(d, (s, errno, msg) => {
          if (s !== seq) return;
          done = true;
          if (errno !== 0) error = [errno, msg];
        });
      },
      () => done,
    );
    if (error && error[0] !== ENODEV && error[0] !== EINVAL) {
      this.fail(line, await kernelError(error[0], error[1], 'RTM_GETLINK'));
      return this.force;
    }
    if (error || index === undefined) {
      this.fail(line, new CliExit(1, `Cannot find device "${name}"`));
      return this.force;
    }
    st.names.set(name, index);
    return true;
  }

  /** Encodes the request of `cmd` at the end of the pack; returns its name (for errors). */
  private encode(cmd: FastCommand, index: number, seq: number, table: number, protoGiven: number): string {
    const o = this.out;
    switch (cmd.kind) {
      case 'route': {
        const del = cmd.op === DEL;
        const proto = protoGiven >= 0 ? protoGiven : del ? 0 : RTPROT_BOOT;
        const at = o.begin(del ? RTM_DELROUTE : RTM_NEWROUTE, F_REQUEST | this.ack | (del ? 0 : cmd.op === REPLACE ? F_CREATE | F_REPLACE : F_CREATE | F_EXCL), seq, 12);
        const b = o.buf;
        b[at + 16] = 2; // AF_INET
        b[at + 17] = cmd.dstLen;
        b[at + 20] = table < 256 ? table : 0;
        b[at + 21] = proto;
        b[at + 22] = del ? RT_SCOPE_NOWHERE : cmd.gateway !== undefined ? 0 : RT_SCOPE_LINK;
        b[at + 23] = del ? 0 : RTN_UNICAST;
        if (cmd.onlink) o.dv.setUint32(at + 24, RTNH_F_ONLINK, true);
        o.in4(RTA_DST, cmd.dst);
        if (cmd.gateway !== undefined) o.in4(RTA_GATEWAY, cmd.gateway);
        if (cmd.prefsrc !== undefined) o.in4(RTA_PREFSRC, cmd.prefsrc);
        if (cmd.metric !== undefined) o.u32(RTA_PRIORITY, cmd.metric);
        if (table >= 256) o.u32(RTA_TABLE, table);
        if (cmd.dev !== undefined) o.u32(RTA_OIF, index);
        o.end(at);
        return del ? 'RTM_DELROUTE' : 'RTM_NEWROUTE';
      }
      case 'addr': {
        const del = cmd.op === DEL;
        const at = o.begin(del ? RTM_DELADDR : RTM_NEWADDR, F_REQUEST | this.ack | (del ? 0 : cmd.op === REPLACE ? F_CREATE | F_REPLACE : F_CREATE | F_EXCL), seq, 8);
        const b = o.buf;
        b[at + 16] = 2; // AF_INET
        b[at + 17] = cmd.len;
        // iproute2's default_scope(): loopback addresses are host-scoped (not for deletion)
        b[at + 19] = !del && cmd.local >>> 24 === 127 ? RT_SCOPE_HOST : 0;
        o.dv.setUint32(at + 20, index, true);
        o.in4(IFA_LOCAL, cmd.local);
        o.in4(IFA_ADDRESS, cmd.local);
        o.end(at);
        return del ? 'RTM_DELADDR' : 'RTM_NEWADDR';
      }
      case 'veth': {
        const at = o.begin(RTM_NEWLINK, F_REQUEST | this.ack | F_CREATE | F_EXCL, seq, 16);
        o.str(IFLA_IFNAME, cmd.name);
        const li = o.nest(IFLA_LINKINFO);
        o.str(IFLA_INFO_KIND, 'veth');
        const data = o.nest(IFLA_INFO_DATA);
        const peer = o.nest(VETH_INFO_PEER);
        o.ifinfomsg();
        o.str(IFLA_IFNAME, cmd.peer);
        o.endNest(peer);
        o.endNest(data);
        o.endNest(li);
        o.end(at);
        return 'RTM_NEWLINK';
      }
      case 'linkdel': {
        const at = o.begin(RTM_DELLINK, F_REQUEST | this.ack, seq, 16);
        o.dv.setInt32(at + 20, index, true);
        o.end(at);
        return 'RTM_DELLINK';
      }
      case 'linkset': {
        const at = o.begin(RTM_NEWLINK, F_REQUEST | this.ack, seq, 16);
        o.dv.setInt32(at + 20, index, true);
        o.dv.setUint32(at + 24, cmd.up ? 1 : 0, true); // IFF_UP
        o.dv.setUint32(at + 28, 1, true); // change: IFF_UP
        o.end(at);
        return 'RTM_NEWLINK';
      }
    }
  }

}

const OK: [number, number, string | undefined] = [0, 0, undefined];

/** rtnl_rttable_a2n / rtnl_rtprot_a2n: a name of the table, else a C number up to `max`. */
function nameValue(names: ReadonlyMap<number, string>, word: string, max: number): number | undefined {
  for (const [id, name] of names) if (name === word) return id;
  return getUnsigned(word, max);
}

/** Reads every datagram queued now into `take`. */
function drain(t: Transport, take: (d: Uint8Array) => void): true {
  for (let d = t.receive(); d !== null; d = t.receive()) take(d);
  return true;
}

/** Calls `f(seq, errno, extack message)` for every NLMSG_ERROR of a datagram. */
function forEachAck(d: Uint8Array, f: (seq: number, errno: number, msg: string | undefined) => void): void {
  const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  for (let off = 0; off + 16 <= d.length; ) {
    const len = dv.getUint32(off, true);
    if (len < 16 || off + len > d.length) return;
    if (dv.getUint16(off + 4, true) === NLMSG_ERROR && len >= 20) {
      const errno = -dv.getInt32(off + 16, true);
      let msg: string | undefined;
      const flags = dv.getUint16(off + 6, true);
      if (errno !== 0 && (flags & F_ACK_TLVS) !== 0 && len >= 36) {
        // the echoed request: its header (NLM_F_CAPPED), or all of it
        let a = off + 20 + ((flags & F_CAPPED) !== 0 ? 16 : (dv.getUint32(off + 20, true) + 3) & ~3);
        while (a + 4 <= off + len) {
          const alen = dv.getUint16(a, true);
          if (alen < 4 || a + alen > off + len) break;
          if ((dv.getUint16(a + 2, true) & 0x3fff) === NLMSGERR_ATTR_MSG) {
            let end = a + 4;
            while (end < a + alen && d[end] !== 0) end++;
            msg = Buffer.from(d.buffer, d.byteOffset + a + 4, end - a - 4).toString('utf8');
          }
          a += (alen + 3) & ~3;
        }
      }
      f(dv.getUint32(off + 8, true), errno, msg);
    }
    off += (len + 3) & ~3;
  }
}

/**
 * Reads datagrams into `take` until `done()`: synchronously while they are queued (the kernel
 * answered inside sendmsg), else waiting for the transport.
 */
function readUntil(t: Transport, take: (d: Uint8Array) => void, done: () => boolean): true | Promise<true> {
  while (!done()) {
    const d = t.receive();
    if (d === null) return new Promise<void>((res) => t.onReadable(res)).then(() => readUntil(t, take, done));
    take(d);
  }
  return true;
}

/** The error the client would have rejected with (NetlinkError; the CLI prints it as ip). */
async function kernelError(errno: number, message: string | undefined, request: string): Promise<Error> {
  const { NetlinkError } = await import('../netlink/errors.js');
  return new NetlinkError(errno, { request, ...(message !== undefined && { message }) });
}
