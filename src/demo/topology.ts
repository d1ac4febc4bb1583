/**
 * The topology of the caller's namespace ("host") and every named namespace, read from nlkit's
 * own dumps (links, addresses, peer namespace ids) and drawn as a text diagram: a block per
 * bridge (or macvlan parent) with the namespaces plugged into it, a block per pair of namespaces
 * joined by veth pairs or tunnels (vxlan, ipip, gre matched by local/remote), then whatever is
 * connected to nothing. Nothing about the walkthrough is hard-coded here.
 *
 * @example
 * ```ts
 * const topo = await collectTopology();
 * console.log(renderTopology(topo).join('\n'));
 * ```
 * @module
 */
import type { Address } from '../api/addr.js';
import type { Link } from '../api/link-types.js';
import { Netlink } from '../api/netlink.js';
import { netns } from '../api/netns.js';
import type { NetnsRef } from '../api/netns-ref.js';

/** What one namespace holds. */
export interface NamespaceView {
  /** The /run/netns name, or 'host' for the caller's own namespace. */
  name: string;
  /** Whether this is the caller's own namespace. */
  host: boolean;
  links: Link[];
  addrs: Address[];
  /** The ids this namespace gives its peers, resolved to their names. */
  peers: Map<number, string>;
}

/** Every namespace, host first. */
export interface Topology {
  namespaces: NamespaceView[];
}

/** The name used for the caller's own namespace. */
export const HOST = 'host';

/**
 * Reads the host and every namespace under /run/netns: a link and an address dump each, and the
 * nsid each one gives every other (to follow a veth peer or a macvlan's lower device across).
 *
 * @example
 * ```ts
 * (await collectTopology()).namespaces.map((n) => n.name);   // ['host', 'ns1', 'ns2']
 * ```
 */
export async function collectTopology(): Promise<Topology> {
  const names = (await netns.list()).map((e) => e.name).sort();
  const refs: Array<{ name: string; ref: NetnsRef | undefined }> = [{ name: HOST, ref: undefined }, ...names.map((n) => ({ name: n, ref: n as NetnsRef }))];
  const views: NamespaceView[] = [];
  for (const { name, ref } of refs) {
    const nl = await Netlink.open(ref === undefined ? {} : { netns: ref });
    try {
      const links = await nl.link.list().collect();
      const addrs = await nl.addr.list().collect();
      const peers = new Map<number, string>();
      for (const other of refs) {
        if (other.name === name) continue;
        const id = await nl.nsid.get(other.ref ?? { pid: process.pid }).catch(() => undefined);
        if (id !== undefined) peers.set(id, other.name);
      }
      views.push({ name, host: ref === undefined, links, addrs, peers });
    } finally {
      nl.close();
    }
  }
  return { namespaces: views };
}

/* ------------------------------------------------------------------------------------------ */
/* The graph                                                                                  */
/* ------------------------------------------------------------------------------------------ */

interface Dev {
  ns: NamespaceView;
  link: Link;
  /** Global (non link-local) addresses, as CIDR. */
  addrs: string[];
}

const TUNNEL_KINDS = new Set(['vxlan', 'ipip', 'sit', 'gre', 'gretap', 'geneve']);
const CHILD_KINDS = new Set(['macvlan', 'macvtap', 'ipvlan', 'vlan']);

class Graph {
  readonly devs: Dev[] = [];
  private readonly byKey = new Map<string, Dev>();

  constructor(topo: Topology) {
    for (const ns of topo.namespaces) {
      for (const link of ns.links) {
        const addrs = ns.addrs.filter((a) => a.index === link.index && a.scope !== 'link' && a.scope !== 'host').map((a) => a.cidr);
        const d = { ns, link, addrs };
        this.devs.push(d);
        this.byKey.set(`${ns.name}/${link.index}`, d);
      }
    }
  }

  /** The device IFLA_LINK points at (veth peer, lower device), followed into another namespace by its nsid. */
  linked(d: Dev): Dev | undefined {
    const i = d.link.linkIndex;
    if (i === undefined || i === 0) return undefined;
    const ns = d.link.linkNetnsid === undefined ? d.ns.name : d.ns.peers.get(d.link.linkNetnsid);
    if (ns === undefined) return undefined;
    const other = this.byKey.get(`${ns}/${i}`);
    // A veth's IFLA_LINK must point back: guards against an index that means something else there.
    if (other && d.link.kind === 'veth' && other.link.kind === 'veth' && other.link.linkIndex !== d.link.index) return undefined;
    return other;
  }

  master(d: Dev): Dev | undefined {
    const i = d.link.masterIndex;
    return i === undefined ? undefined : this.byKey.get(`${d.ns.name}/${i}`);
  }

  /** The tunnel device at the other end of `d` (same kind and id, local and remote swapped). */
  tunnelPeer(d: Dev): Dev | undefined {
    const a = d.link.info as Record<string, unknown> | undefined;
    if (!a || !TUNNEL_KINDS.has(d.link.kind ?? '') || typeof a['remote'] !== 'string') return undefined;
    return this.devs.find((o) => {
      if (o === d || o.link.kind !== d.link.kind) return false;
      const b = o.link.info as Record<string, unknown> | undefined;
      return b !== undefined && b['local'] === a['remote'] && b['remote'] === a['local'] && b['id'] === a['id'];
    });
  }
}

function devText(d: Dev): string {
  const parts = [d.link.name, ...d.addrs];
  if (!d.link.up) parts.push('(down)');
  return parts.join(' ');
}

function wireOf(d: Dev): string {
  const kind = d.link.kind ?? d.link.linkType;
  const info = d.link.info as Record<string, unknown> | undefined;
  if (kind === 'vxlan' && typeof info?.['id'] === 'number') return `vxlan ${info['id']}`;
  if (CHILD_KINDS.has(kind) && typeof info?.['mode'] === 'string') return `${kind} ${info['mode']}`;
  return kind;
}

/* ------------------------------------------------------------------------------------------ */
/* Blocks                                                                                     */
/* ------------------------------------------------------------------------------------------ */

interface Row {
  /** Text inside the left box. */
  text: string;
  /** Label of the wire leaving the row to the right box (none: no wire). */
  wire: string | undefined;
  /** The device in the right box the wire lands on ('' : straight into the hub's tree). */
  near: string;
}

interface Box {
  title: string;
  rows: Row[];
}

interface Block {
  left: Box[];
  rightTitle: string;
  /** A hub (bridge, macvlan parent): its label, the rows join into a tree to it. */
  hub: string | undefined;
}

function buildBlocks(g: Graph): { blocks: Block[]; used: Set<Dev> } {
  const used = new Set<Dev>();
  const blocks: Block[] = [];

  const addRow = (boxes: Box[], title: string, row: Row): void => {
    let box = boxes.find((b) => b.title === title);
    if (!box) boxes.push((box = { title, rows: [] }));
    box.rows.push(row);
  };

  // Hubs: bridges with their ports, devices with macvlan/vlan children.
  for (const hub of g.devs) {
    const ports = g.devs.filter((d) => d.ns === hub.ns && g.master(d) === hub);
    const children = g.devs.filter((d) => CHILD_KINDS.has(d.link.kind ?? '') && g.linked(d) === hub);
    if (ports.length === 0 && children.length === 0) continue;
    const left: Box[] = [];
    for (const p of ports) {
      used.add(p);
      const far = p.link.kind === 'veth' ? g.linked(p) : undefined;
      if (far) {
        used.add(far);
        addRow(left, far.ns.name, { text: devText(far), wire: 'veth', near: p.link.name });
      } else {
        addRow(left, p.ns.name, { text: devText(p), wire: '', near: '' });
      }
    }
    for (const c of children) {
      used.add(c);
      addRow(left, c.ns.name, { text: devText(c), wire: wireOf(c), near: '' });
    }
    used.add(hub);
    let label = `${devText(hub)} [${hub.link.kind ?? hub.link.linkType}]`;
    const peer = hub.link.kind === 'veth' ? g.linked(hub) : undefined;
    if (peer) {
      used.add(peer);
      label += ` ⇄ ${peer.ns === hub.ns ? '' : `${peer.ns.name}:`}${devText(peer)}`;
    }
    left.sort((a, b) => a.title.localeCompare(b.title));
    blocks.push({ left, rightTitle: hub.ns.name, hub: label });
  }

  // Pairs of namespaces: veth pairs and tunnels between two namespaces.
  const pairs = new Map<string, { a: NamespaceView; b: NamespaceView; rows: Array<{ a: Dev; b: Dev; wire: string }> }>();
  for (const d of g.devs) {
    if (used.has(d)) continue;
    const other = d.link.kind === 'veth' ? g.linked(d) : g.tunnelPeer(d);
    if (!other || used.has(other) || other.ns === d.ns) continue;
    used.add(d);
    used.add(other);
    const [a, b] = g.devs.indexOf(d) < g.devs.indexOf(other) ? [d, other] : [other, d];
    const key = `${a.ns.name}\u0000${b.ns.name}`;
    let p = pairs.get(key);
    if (!p) pairs.set(key, (p = { a: a.ns, b: b.ns, rows: [] }));
    p.rows.push({ a, b, wire: a.link.kind === 'veth' ? 'veth' : wireOf(a) });
  }
  for (const p of pairs.values()) {
    blocks.push({
      left: [{ title: p.a.name, rows: p.rows.map((r) => ({ text: devText(r.a), wire: r.wire, near: devText(r.b) })) }],
      rightTitle: p.b.name,
      hub: undefined,
    });
  }
  return { blocks, used };
}

/* ------------------------------------------------------------------------------------------ */
/* Drawing                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/** Display width (the box-drawing and arrow characters used here are all one column wide). */
const width = (s: string): number => [...s].length;
const pad = (s: string, n: number, fill = ' '): string => s + fill.repeat(Math.max(0, n - width(s)));

function centred(label: string, n: number): string {
  const text = label === '' ? '' : ` ${label} `;
  const left = Math.floor((n - width(text)) / 2);
  return '─'.repeat(left) + text + '─'.repeat(n - left - width(text));
}

function drawBlock(b: Block): string[] {
  // The left column: boxes, one line per row plus their borders.
  type Line = { kind: 'top'; box: Box } | { kind: 'bottom'; box: Box } | { kind: 'row'; box: Box; row: Row };
  const rowAt = (i: number): Row | undefined => {
    const l = lines[i];
    return l?.kind === 'row' ? l.row : undefined;
  };
  const lines: Line[] = [];
  for (const box of b.left) {
    lines.push({ kind: 'top', box });
    for (const row of box.rows) lines.push({ kind: 'row', box, row });
    lines.push({ kind: 'bottom', box });
  }
  const leftInner = Math.max(...b.left.map((box) => width(box.title) + 4), ...b.left.flatMap((box) => box.rows.map((r) => width(r.text) + 2)));
  const wireW = Math.max(8, ...b.left.flatMap((box) => box.rows.map((r) => width(r.wire ?? '') + 6)));

  // The right column's content, line by line.
  const content: string[] = lines.map(() => '');
  const spokes = lines.map((l, i) => (l.kind === 'row' && l.row.wire !== undefined ? i : -1)).filter((i) => i >= 0);
  if (b.hub === undefined) {
    lines.forEach((l, i) => {
      if (l.kind === 'row') content[i] = l.row.near;
    });
  } else if (spokes.length === 0) {
    content[Math.min(1, lines.length - 1)] = b.hub;
  } else {
    const nearW = Math.max(...spokes.map((i) => width(rowAt(i)?.near ?? '')));
    const first = spokes[0]!;
    const last = spokes[spokes.length - 1]!;
    const between = lines.map((_, i) => i).filter((i) => i > first && i < last && !spokes.includes(i));
    const mid = (first + last) / 2;
    const labelAt = between.length > 0 ? between.reduce((x, y) => (Math.abs(y - mid) < Math.abs(x - mid) ? y : x)) : spokes[Math.floor(spokes.length / 2)]!;
    for (let i = first; i <= last; i++) {
      const isSpoke = spokes.includes(i);
      const near = isSpoke ? rowAt(i)?.near ?? '' : '';
      const lead = isSpoke ? (near === '' ? '─'.repeat(nearW + 1) : `${pad(near, nearW)} `) + '─' : ' '.repeat(nearW + 2);
      let c: string;
      if (spokes.length === 1) c = '─';
      else if (!isSpoke) c = '│';
      else c = i === first ? '┐' : i === last ? '┘' : '┤';
      if (i === labelAt) {
        c = spokes.length === 1 ? '─' : !isSpoke ? '├' : i === first ? '┬' : i === last ? '┴' : '┼';
        content[i] = `${lead}${c}─ ${b.hub}`;
      } else {
        content[i] = `${lead}${c}`;
      }
    }
  }
  const rightInner = Math.max(width(b.rightTitle) + 4, ...content.map((c) => width(c) + 2));

  return lines.map((l, i) => {
    const wired = l.kind === 'row' && l.row.wire !== undefined;
    let left: string;
    if (l.kind === 'top') left = `┌─ ${pad(l.box.title + ' ', leftInner - 2, '─')}┐`;
    else if (l.kind === 'bottom') left = `└${'─'.repeat(leftInner)}┘`;
    else left = `│ ${pad(l.row.text, leftInner - 1)}${wired ? '├' : '│'}`;
    const wire = wired ? centred(rowAt(i)?.wire ?? '', wireW) : ' '.repeat(wireW);
    let right: string;
    if (i === 0) right = `┌─ ${pad(b.rightTitle + ' ', rightInner - 2, '─')}┐`;
    else if (i === lines.length - 1) right = `└${'─'.repeat(rightInner)}┘`;
    else {
      const c = content[i] ?? '';
      const gap = wired && c.startsWith('─') ? '─' : ' ';
      right = `${wired ? '┤' : '│'}${gap}${pad(c, rightInner - 1)}│`;
    }
    return `${left}${wire}${right}`;
  });
}

/**
 * The diagram, as lines: a header naming the namespaces, one block per bridge/parent and per
 * pair of joined namespaces, then the devices connected to nothing (lo left out).
 *
 * @example
 * ```ts
 * renderTopology(await collectTopology());
 * // ['namespaces: host, ns1, ns2', '', '┌─ ns1 ──────┐       ┌─ host ─ ...', ...]
 * ```
 */
export function renderTopology(topo: Topology): string[] {
  const g = new Graph(topo);
  const { blocks, used } = buildBlocks(g);
  const out = [`namespaces: ${topo.namespaces.map((n) => n.name + (n.host ? ' (this sandbox)' : '')).join(', ')}`];
  for (const b of blocks) {
    out.push('');
    out.push(...drawBlock(b));
  }
  const rest = g.devs.filter((d) => !used.has(d) && d.link.name !== 'lo');
  if (rest.length > 0) {
    out.push('', 'not connected to another namespace:');
    for (const d of rest) {
      const peer = d.link.kind === 'veth' ? g.linked(d) : undefined;
      const kind = d.link.kind ?? d.link.linkType;
      out.push(`  ${d.ns.name}: ${devText(d)} [${kind}]${peer ? ` ⇄ ${peer.ns === d.ns ? '' : `${peer.ns.name}:`}${peer.link.name}` : ''}`);
    }
  }
  return out;
}
