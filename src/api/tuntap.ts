/**
 * STUB — to be written. See src/api/netlink.ts.
 * @module
 */
import type { Netlink } from './netlink.js';

/** Placeholder. */
export class TuntapApi {
  readonly nl: Netlink;
  constructor(nl: Netlink) {
    this.nl = nl;
  }
}
