/**
 * Ruleset change events: the NFNLGRP_NFTABLES notifications turned into readable events, each
 * with a line like `nft monitor` prints (`add rule ip nat post ip saddr 10.123.1.0/24 masquerade`).
 * Anonymous sets announced in a transaction are remembered so the rules that use them print their
 * elements.
 *
 * @example
 * ```ts
 * const mon = monitorNftables({ netnsFd });
 * for await (const ev of mon) {
 *   if (ev.type === 'overrun') { await resync(); continue; }
 *   console.log(ev.text);
 * }
 * ```
 * @module
 */
import { NetlinkClient, type Overrun, type Subscription } from '../netlink/client.js';
import { NETLINK } from '../netlink/constants.js';
import type { Message } from '../netlink/message.js';
import { openNativeTransport } from '../netlink/native-transport.js';
import { chainOf, counterOf, setElementsOf, setOf, tableOf, messageFamily, type NftSet } from './objects.js';
import { NFNLGRP, netfilterProtocol, type Family } from './protocol.js';
import { typedRule } from './ruleset.js';
import { elementText, priorityText, ruleText } from './text.js';

/**
 * What changed.
 *
 * @example
 * ```ts
 * const k: NftObjectKind = 'rule';
 * ```
 */
export type NftObjectKind = 'table' | 'chain' | 'rule' | 'set' | 'element' | 'counter' | 'object' | 'flowtable' | 'generation';

/**
 * One ruleset change.
 *
 * @example
 * ```ts
 * const ev: NftEvent = { type: 'event', action: 'add', object: 'table', family: 'ip', text: 'add table ip nat', message };
 * ```
 */
export interface NftEvent {
  type: 'event';
  /** `add` (NEW*), `delete` (DEL*), or `info` (a new generation). */
  action: 'add' | 'delete' | 'info';
  object: NftObjectKind;
  family: Family | undefined;
  /** The line `nft monitor` would print. */
  text: string;
  /** The notification as decoded. */
  message: Message;
}

const OBJECT_OF: Record<string, NftObjectKind> = {
  TABLE: 'table',
  CHAIN: 'chain',
  RULE: 'rule',
  SET: 'set',
  SETELEM: 'element',
  OBJ: 'object',
  FLOWTABLE: 'flowtable',
  GEN: 'generation',
};

/**
 * Turns notifications into events, remembering the sets it has seen announced.
 *
 * @example
 * ```ts
 * const events = new NftEventDecoder();
 * const ev = events.decode(message); // undefined for messages that are not ruleset changes
 * ```
 */
export class NftEventDecoder {
  private readonly sets: NftSet[] = [];

  /**
   * The event of one notification: undefined when it is not an nf_tables change, or is one nft
   * monitor does not show (anonymous sets and their elements, announced with the rule using them).
   *
   * @example
   * ```ts
   * decoder.decode(message)?.text; // 'add table ip nat'
   * ```
   */
  decode(m: Message): NftEvent | undefined {
    const type = String(m.type);
    const mt = /^NFT_MSG_(NEW|DEL|DESTROY)(TABLE|CHAIN|RULE|SETELEM|SET|OBJ|FLOWTABLE|GEN)$/.exec(type);
    if (!mt) return undefined;
    const action = mt[2] === 'GEN' ? 'info' : mt[1] === 'NEW' ? 'add' : 'delete';
    const object = OBJECT_OF[mt[2]!]!;
    const family = object === 'generation' ? undefined : messageFamily(m);
    const verb = action === 'add' ? 'add' : 'delete';
    let text: string;
    const a = m.attrs as Record<string, unknown>;
    switch (object) {
      case 'generation':
        text = `# new generation ${String(a.id)} by process ${String(a.proc_pid)} (${String(a.proc_name)})`;
        break;
      case 'table':
        text = `${verb} table ${family} ${tableOf(m).name}`;
        break;
      case 'chain': {
        const c = chainOf(m);
        text = `${verb} chain ${family} ${c.table} ${c.name}`;
        if (action === 'add' && c.hook !== undefined) {
          text += ` { type ${c.type ?? 'filter'} hook ${c.hook} priority ${priorityText(c.priority ?? 0, c.family, c.hook)}; policy ${c.policy ?? 'accept'}; }`;
        }
        break;
      }
      case 'rule': {
        const r = typedRule(m, this.sets);
        text = action === 'add' ? `add rule ${family} ${r.table} ${r.chain} ${ruleText(r)}` : `delete rule ${family} ${r.table} ${r.chain} handle ${r.handle}`;
        break;
      }
      case 'set': {
        const s = setOf(m);
        const i = this.sets.findIndex((x) => x.family === s.family && x.table === s.table && x.name === s.name);
        if (action === 'add') {
          if (i >= 0) this.sets.splice(i, 1);
          this.sets.push(s);
          if (this.sets.length > 4096) this.sets.shift();
          // nft monitor does not announce anonymous sets: they show in the rule that uses them.
          if (s.anonymous) return undefined;
        } else if (i >= 0) this.sets.splice(i, 1);
        text = `${verb} ${s.map !== undefined ? 'map' : 'set'} ${family} ${s.table} ${s.name}${action === 'add' ? ` { type ${s.type}${s.map !== undefined ? ` : ${s.map}` : ''}; }` : ''}`;
        break;
      }
      case 'element': {
        const table = String(a.table);
        const name = String(a.set);
        const s = this.sets.find((x) => x.family === family && x.table === table && x.name === name);
        const els = s ? setElementsOf(m, s) : [];
        if (s && action === 'add') s.elements.push(...els);
        if (s?.anonymous && action === 'add') return undefined;
        text = `${verb} element ${family} ${table} ${name} { ${s ? els.map((e) => elementText(s, e)).join(', ') : ''} }`;
        break;
      }
      case 'object': {
        const c = counterOf(m);
        if (c) text = `${verb} counter ${family} ${c.table} ${c.name}${action === 'add' ? ` { packets ${String(c.packets)} bytes ${String(c.bytes)} }` : ''}`;
        else text = `${verb} object ${family} ${String(a.table)} ${String(a.name)}`;
        break;
      }
      default:
        text = `${verb} ${object} ${family} ${String(a.table)} ${String(a.name)}`;
    }
    return { type: 'event', action, object, family, text, message: m };
  }
}

/**
 * The events of a subscription to NFNLGRP_NFTABLES (with overruns passed through: re-read the
 * ruleset then).
 *
 * @example
 * ```ts
 * for await (const ev of nftEvents(client.subscribe([NFNLGRP.NFTABLES]))) console.log(ev.type === 'event' ? ev.text : 'overrun');
 * ```
 */
export async function* nftEvents(sub: AsyncIterable<Message | Overrun>): AsyncGenerator<NftEvent | Overrun, void, undefined> {
  const decoder = new NftEventDecoder();
  for await (const m of sub) {
    if (m.type === 'overrun') {
      yield m as Overrun;
      continue;
    }
    const ev = decoder.decode(m as Message);
    if (ev) yield ev;
  }
}

/**
 * A monitor of ruleset changes on its own socket.
 *
 * @example
 * ```ts
 * const mon = new NftMonitor(new NetlinkClient(transport, netfilterProtocol));
 * for await (const ev of mon) console.log(ev);
 * mon.close();
 * ```
 */
export class NftMonitor implements AsyncIterable<NftEvent | Overrun> {
  readonly client: NetlinkClient;
  private readonly sub: Subscription;

  constructor(client: NetlinkClient) {
    this.client = client;
    this.sub = client.subscribe([NFNLGRP.NFTABLES]);
  }

  [Symbol.asyncIterator](): AsyncIterator<NftEvent | Overrun> {
    return nftEvents(this.sub)[Symbol.asyncIterator]();
  }

  /**
   * Stops the monitor and closes its socket.
   *
   * @example
   * ```ts
   * mon.close();
   * ```
   */
  close(): void {
    this.sub.close();
    this.client.close();
  }
}

/**
 * Opens a socket (in `netnsFd` when given) subscribed to ruleset changes.
 *
 * @example
 * ```ts
 * const mon = monitorNftables();
 * ```
 */
export function monitorNftables(options: { netnsFd?: number } = {}): NftMonitor {
  const t = openNativeTransport({ protocol: NETLINK.NETFILTER, ...(options.netnsFd !== undefined && { netnsFd: options.netnsFd }) });
  return new NftMonitor(new NetlinkClient(t, netfilterProtocol));
}
