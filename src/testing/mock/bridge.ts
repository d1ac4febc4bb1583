/**
 * Bridges and their ports (net/bridge without STP): port numbers, port states, the bridge's
 * carrier (on while a port forwards, once it has had ports), its MTU (the smallest of its ports
 * unless set by the user) and its address (the smallest of its ports' unless set by the user).
 * @module
 */
import { E, fail } from './errors.js';
import { ARPHRD, IFF } from './constants.js';
import type { Ctx, MockKernel } from './kernel.js';
import type { Link } from './state.js';
import { linkChanged, operUp, setCarrier } from './links.js';
import { netdevEvent } from './events.js';

/** BR_STATE_FORWARDING and BR_STATE_DISABLED. */
const FORWARDING = 3;
const DISABLED = 0;
/** TSO_MAX_SIZE. */
const TSO_MAX_SIZE = 524280;

/** Makes `link` a port of `master` (EOPNOTSUPP unless it is a bridge), or frees it (`master` undefined). */
export function setMaster(k: MockKernel, link: Link, master: Link | undefined, ctx: Ctx | undefined): boolean {
  if (master === link.master) return false;
  if (link.master) removePort(k, link.master, link, ctx);
  if (!master) return true;
  if (master.kind !== 'bridge' || !master.bridge) fail(E.EOPNOTSUPP);
  if (link === master || link.kind === 'bridge') fail(E.ELOOP);
  if (link.baseFlags & IFF.LOOPBACK || link.arphrd !== ARPHRD.ETHER) fail(E.EINVAL);
  const used = new Set(master.bridge.ports.map((p) => p.port!.no));
  let no = 1;
  while (used.has(no)) no++;
  link.master = master;
  link.port = { no, state: DISABLED };
  master.bridge.ports.push(link);
  portState(k, link);
  adjust(k, master, ctx);
  selection(k, master);
  return true;
}

function removePort(k: MockKernel, br: Link, port: Link, ctx: Ctx | undefined): void {
  if (!br.bridge) return;
  br.bridge.ports = br.bridge.ports.filter((p) => p !== port);
  port.master = undefined;
  port.port = undefined;
  adjust(k, br, ctx);
  selection(k, br);
  linkChanged(k, port, ctx);
}

/** The state a port is in: forwarding while both it and the bridge are up and it has carrier. */
function portState(k: MockKernel, port: Link): boolean {
  const br = port.master;
  if (!br || !port.port) return false;
  const state = br.up && port.up && port.carrier && operUp(port) ? FORWARDING : DISABLED;
  if (state === port.port.state) return false;
  port.port.state = state;
  return true;
}

/** br_port_state_selection: the bridge has carrier while a port forwards. */
function selection(k: MockKernel, br: Link): void {
  if (!br.bridge) return;
  br.bridge.selected = true;
  setCarrier(k, br, br.bridge.ports.some((p) => p.port?.state === FORWARDING));
}

/** MTU, address and TSO limit that follow the ports. */
function adjust(k: MockKernel, br: Link, ctx: Ctx | undefined): void {
  const ports = br.bridge!.ports;
  if (!br.bridge!.mtuSet) {
    const mtu = ports.length ? Math.min(...ports.map((p) => p.mtu)) : 1500;
    if (mtu !== br.mtu) {
      br.mtu = mtu;
      netdevEvent(k, br, 'CHANGEMTU', ctx);
    }
  }
  if (!br.addressSet) {
    // br_stp_recalculate_bridge_id: the smallest port address; all zeros once the last port left.
    const min = ports.length ? ports.map((p) => p.address!).sort()[0]! : '00:00:00:00:00:00';
    if (min !== br.address && (ports.length || br.bridge!.selected)) {
      br.address = min;
      netdevEvent(k, br, 'CHANGEADDR', ctx);
    }
  }
  // br_set_gso_limits: the smallest of the ports' and TSO_MAX_SIZE.
  br.tsoMaxSize = Math.min(TSO_MAX_SIZE, ...ports.map((p) => p.tsoMaxSize));
}

/** How a bridge and its ports react to device events. */
export function bridgeEvent(k: MockKernel, link: Link, ev: string, ctx: Ctx | undefined): void {
  if (link.bridge) {
    if (ev === 'OPEN' || ev === 'CLOSE') {
      // br_dev_open enables the ports that can forward; br_dev_stop disables them all.
      const wasUp = link.up;
      link.up = ev === 'OPEN';
      for (const p of link.bridge.ports) portState(k, p);
      link.up = wasUp;
      if (link.bridge.ports.length) {
        if (ev === 'CLOSE') setCarrier(k, link, false);
        else selection(k, link);
      }
    } else if (ev === 'UNREGISTER') {
      for (const p of [...link.bridge.ports]) setMaster(k, p, undefined, ctx);
    }
  }
  const br = link.master;
  if (br?.bridge && link.port) {
    if (ev === 'UP' || ev === 'DOWN' || ev === 'CHANGE') {
      portState(k, link);
      selection(k, br);
    } else if (ev === 'CHANGEMTU' || ev === 'CHANGEADDR') {
      adjust(k, br, ctx);
    } else if (ev === 'UNREGISTER') {
      setMaster(k, link, undefined, ctx);
    }
  }
}

/** IFLA_INFO_SLAVE_DATA of a port, or undefined. */
export function portData(port: Link, base: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const br = port.master;
  if (!br || !port.port) return undefined;
  const id = 0x8000 | port.port.no;
  const bid = { prio: '8000', addr: br.address };
  return { state: port.port.state, ...base, root_id: bid, bridge_id: bid, designated_port: id, id, no: port.port.no };
}

/** Whether `link` is a port of some bridge (bridges make their ports promiscuous). */
export function isPort(link: Link): boolean {
  return link.port !== undefined;
}
