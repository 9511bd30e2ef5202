// The capability epoch: a counter that changes whenever a capability
// could stop meaning what it meant: a handle leaves a table (close, move into
// a message, revoke, exit), a capability or a memory object is revoked, a
// process pledges syscalls away. Code that answers a syscall without the
// kernel (the fast path in wasm, host/runtime/fast-path.ts) caches what a
// handle resolved to together with the epoch it saw, and trusts the cache only
// while the epoch is unchanged; otherwise it asks the kernel, which re-checks
// everything. So the TypeScript kernel stays the authority and revocation
// takes effect at once: the very next fast call sees the new epoch.
//
// One kind of handle leaves a table without a change: a FILE's (an open of the
// namespace: closed once per open, so a bump there made every cached check of
// every process miss once per open+close). No cache holds a FILE handle: each
// caches only a handle that resolved to an endpoint (kernel/ipc/fastpath.ts
// cachedEndpoint), a port (host/runtime/fast-ports.ts) or a memory window
// (host/runtime/fast-path.ts), and a handle's value names one generation of
// its slot for ever, so a closed FILE handle is never a handle a cache kept.
// A cache of FILE handles would have to bump here too (kernel/handles.ts vacate;
// test/kernel/handles.test.ts pins both sides).
//
// The words live wherever the host puts them (useEpochCell): the host backs
// them with a wasm memory that its fast-path modules import, so wasm reads the
// epoch with one load. One epoch per host, shared by every kernel in it: a
// change in one kernel only sends the others' fast paths to the slow path once.
//
// The epoch is 64 bits wide (two words, low first, so wasm reads it with one
// i64.load) and never wraps: a 32-bit word would, after 2^32 changes, come
// back to a value some idle cache saw, and a guest that counts its own
// changes (a dup and a close each) could reach it on purpose and use a
// revoked handle through that cache. The JavaScript side counts in a double
// (exact to 2^53, centuries of changes at one a nanosecond).

/** The epoch as the caches compare it: low word, high word. */
let cell: Int32Array = new Int32Array(2);
/** The same count, for JavaScript (a Float64Array: stored in place, no number boxed per change). */
const total = new Float64Array(1);
/** How much one change adds: 1, except under setEpochStrideForTest. */
let stride = 1;

/** Where the epoch is also kept (the handle mirror's store: kernel/fast/mirror.ts CAP_EPOCH), or null. */
let copy: ((epoch: number) => void) | null = null;

/** Something changed that may invalidate a cached capability check. */
export function bumpEpoch(): void {
  const e = (total[0] += stride);
  const c = cell;
  c[0] = e; // an Int32Array store keeps the low 32 bits (ToInt32)
  c[1] = e / 0x1_0000_0000; // and truncates the quotient: the high word
  if (copy !== null) copy(e);
}

/**
 * Keep a copy of the epoch with `write` too, from now on (the current value written at once): the handle
 * mirror's store keeps one in two words of its own, so a module that imports the store as its first memory
 * reads the epoch with one load from it (host/runtime/fast-ports.ts port_send).
 */
export function copyEpochTo(write: (epoch: number) => void): void {
  copy = write;
  write(total[0]);
}

/** The current epoch (an integer below 2^53; wasm sees the same value as an i64). */
export function currentEpoch(): number {
  return total[0];
}

/** Keep the epoch in `view[0]` (low word) and `view[1]` (high word) from now on (its current value carried over). */
export function useEpochCell(view: Int32Array): void {
  if (view === cell) return;
  if (view.length < 2) throw new RangeError("the capability epoch needs two words");
  view[0] = cell[0];
  view[1] = cell[1];
  cell = view;
}

/**
 * Test only: every change adds `n` (1 restores it). With 2^32 the low word never moves, so a cache that
 * compared only 32 bits would miss every change (test/ports/w2w.test.ts, test/host/fast-windows.test.ts).
 */
export function setEpochStrideForTest(n: number): void {
  stride = n;
}
