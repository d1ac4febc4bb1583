// The objects every tool creates or finds, shared by the setup, the workers and the batch files.
// Everything lives in namespaces inside the bench's sandbox (see bench/README.md).

/** Address of route i: 198.18.0.0/15 (RFC 2544's benchmarking range) then 10.0.0.0/8 beyond it. */
export function routeAddr(i) {
  const n = i < 131072 ? ((198 << 24) | (18 << 16)) + i : (10 << 24) + (i - 131072);
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Address i of the address cases: 10.124.0.0/16 (then 10.125...). */
export function addrAddr(i) {
  const n = ((10 << 24) | (124 << 16)) + i;
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** The gateway of every route; 10.123.0.1/16 is on the namespace's `g0`. */
export const GATEWAY = '10.123.0.2';
