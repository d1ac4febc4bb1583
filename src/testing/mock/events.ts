/**
 * The netdevice notifier chain of the mock kernel: every subsystem hears what happened to a
 * device (opened, up, down, carrier change, MTU or address change, going away) in the order the
 * kernel's notifiers run.
 * @module
 */
import type { Ctx, MockKernel } from './kernel.js';
import type { Link } from './state.js';
import { kindEvent, upperEvent } from './kinds.js';
import { bridgeEvent } from './bridge.js';
import { inetEvent } from './addrs.js';
import { addrconfEvent } from './addrconf.js';
import { neighEvent } from './neigh.js';

/**
 * - OPEN/CLOSE: the driver's ndo_open/ndo_stop (before UP, before DOWN);
 * - UP/DOWN: NETDEV_UP/NETDEV_DOWN; CHANGE: NETDEV_CHANGE (carrier, from the link watch);
 * - CHANGEMTU, CHANGEADDR; UNREGISTER: the device leaves its namespace (deleted or moved).
 */
export type NetdevEvent = 'OPEN' | 'CLOSE' | 'UP' | 'DOWN' | 'CHANGE' | 'CHANGEMTU' | 'CHANGEADDR' | 'UNREGISTER';

/** Tells every subsystem about `ev` on `link`. */
export function netdevEvent(k: MockKernel, link: Link, ev: NetdevEvent, ctx: Ctx | undefined): void {
  if (ev === 'OPEN' || ev === 'CLOSE') {
    kindEvent(k, link, ev);
    bridgeEvent(k, link, ev, ctx);
    return;
  }
  addrconfEvent(k, link, ev, ctx);
  inetEvent(k, link, ev, ctx);
  neighEvent(k, link, ev, ctx);
  bridgeEvent(k, link, ev, ctx);
  upperEvent(k, link, ev);
}
