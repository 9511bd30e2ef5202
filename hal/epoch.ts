// The epoch ticker: the device behind epoch preemption in real-time mode
// (loader/instrument/README.md "Two variants"). The epoch variant of an image
// checks one i32 flag, at address 0 of a one-page shared memory it imports,
// at every function entry and loop header it meters, and calls the fuel
// import when the flag is set. Something off the host's thread must set it:
// the thread is busy running the guest. A ticker is that something (a worker
// thread on Node, hal/node/epoch-ticker.ts). A host without one (a page
// without cross-origin isolation has no SharedArrayBuffer) keeps fuel
// counting.
//
// The contract:
//  - `memory` is shared, one page (minimum = maximum = 1); the guest only
//    ever reads the word at address 0 (its code cannot name this memory:
//    the instrumenter added it after validation), so nothing a guest does
//    can set or clear its own flag.
//  - `arm(at)` asks for the flag to be raised at host time `at` (ms, the
//    scale of performance.now() on the host's thread) or soon after; a later
//    arm replaces an earlier one only when it is earlier, so a caller that
//    wants a later wake re-arms when the earlier one fires. Cheap enough to
//    call at every dispatch: no system call unless the ticker sleeps or the
//    new time is earlier than the one it waits for.
//  - `raise()` sets the flag now; `lower()` clears it.
//  - Raising early or twice is harmless: the runtime's fuel handler checks
//    the slice's own deadline and lets the guest run on (a spurious check).

/** One host's epoch flag and the thread that raises it. */
export interface EpochTicker {
  /** The shared one-page memory the epoch variant imports; the flag is the i32 at address 0. */
  readonly memory: WebAssembly.Memory;
  /** Raise the flag at host time `at` (ms, performance.now() scale), unless an earlier raise is pending. */
  arm(at: number): void;
  /** Raise the flag now (the kernel wants the running process to stop at its next check). */
  raise(): void;
  /** Clear the flag (the fuel handler, at entry). */
  lower(): void;
}

/** Word offsets (Int32Array indices) of the ticker's page; the flag must stay at 0. */
export const EPOCH_FLAG = 0;
/** Bumped by every arm (the worker waits on it). */
export const EPOCH_SEQ = 4;
/** 1 while the worker sleeps with nothing armed (an arm must notify it). */
export const EPOCH_SLEEPING = 5;
/** Float64Array index of the armed time (absolute ms: performance.timeOrigin + performance.now()), 0 when none. */
export const EPOCH_WAKE_AT = 4;
