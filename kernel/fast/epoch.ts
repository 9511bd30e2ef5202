// The capability epoch: one 32-bit word that changes whenever a capability
// could stop meaning what it meant: a handle leaves a table (close, move into
// a message, revoke, exit), a capability or a memory object is revoked, a
// process pledges syscalls away. Code that answers a syscall without the
// kernel (the fast path in wasm, host/runtime/fast-path.ts) caches what a
// handle resolved to together with the epoch it saw, and trusts the cache only
// while the epoch is unchanged; otherwise it asks the kernel, which re-checks
// everything. So the TypeScript kernel stays the authority and revocation
// takes effect at once: the very next fast call sees the new epoch.
//
// The word lives wherever the host puts it (useEpochCell): the host backs it
// with a wasm memory that its fast-path modules import, so wasm reads it with
// one load. One word per host, shared by every kernel in it: a change in one
// kernel only sends the others' fast paths to the slow path once.
// A wrap-around (2^32 changes) could make a stale cache look current; at one
// change per microsecond that takes over an hour of nothing but changes, and
// a cache is refreshed on every slow call, so it would also have to be unused
// for that whole time.

let cell: Int32Array = new Int32Array(1);

/** Where the epoch is also kept (the handle mirror's store: kernel/fast/mirror.ts CAP_EPOCH), or null. */
let copy: ((epoch: number) => void) | null = null;

/** Something changed that may invalidate a cached capability check. */
export function bumpEpoch(): void {
  const c = cell;
  const e = (c[0] + 1) | 0;
  c[0] = e;
  if (copy !== null) copy(e);
}

/**
 * Keep a copy of the epoch with `write` too, from now on (the current value written at once): the handle
 * mirror's store keeps one in a word of its own, so a module that imports the store as its first memory
 * reads the epoch with one load from it (host/runtime/fast-ports.ts port_send).
 */
export function copyEpochTo(write: (epoch: number) => void): void {
  copy = write;
  write(cell[0]);
}

/** The current epoch. */
export function currentEpoch(): number {
  return cell[0];
}

/** Keep the epoch in `view[0]` from now on (its current value carried over). */
export function useEpochCell(view: Int32Array): void {
  if (view === cell) return;
  view[0] = cell[0];
  cell = view;
}
