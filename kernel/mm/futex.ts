// Futex-style sleep and wake on a 32-bit word of a memory object: the only
// kernel part of a ring (guests/sdk/ring.ts). The kernel never writes the
// word; it compares it with the expected value and sleeps the caller in one
// step (nothing else runs in between: one kernel thread), and wakes sleepers
// oldest first. A sleeper holds a capability derived from its handle, so a
// revoke of that handle (or the object's) wakes it with EREVOKED.

import { Errno, Rights } from "../../abi/gen/abi.ts";
import { type Cap, holdCap, releaseHeld } from "../handles.ts";
import type { KernelCore } from "../core.ts";
import type { FutexWaiter, MemoryObject } from "../objects/memory.ts";
import type { Process } from "../objects/process.ts";
import { BLOCK } from "../control.ts";

/**
 * Sleep p on the word at offset (checked: aligned, in range) if it holds
 * expected. Returns -ECHANGED, -ETIMEDOUT (deadline `until` not in the
 * future), or BLOCK (the result arrives on wake: 0, -ETIMEDOUT, -EREVOKED).
 */
export function futexWait(
  k: KernelCore,
  p: Process,
  mem: MemoryObject,
  cap: Cap,
  offset: number,
  expected: number,
  until: number,
): number | typeof BLOCK {
  if (mem.bytes.u32(offset) !== expected >>> 0) return -Errno.ECHANGED;
  if (until <= k.clock.now()) return -Errno.ETIMEDOUT;
  const held = holdCap(cap.derive(Rights.READ));
  held.onRevoked = () => k.wake(p, -Errno.EREVOKED);
  const waiter: FutexWaiter = { process: p };
  let queue = mem.futex.get(offset);
  if (queue === undefined) {
    queue = [];
    mem.futex.set(offset, queue);
  }
  queue.push(waiter);
  const timer = until === Infinity ? null : k.addTimer(until, () => k.wake(p, -Errno.ETIMEDOUT), p);
  k.blockCurrent(p, "futex_wait", () => {
    const q = mem.futex.get(offset);
    if (q !== undefined) {
      const i = q.indexOf(waiter);
      if (i >= 0) q.splice(i, 1);
      if (q.length === 0) mem.futex.delete(offset);
    }
    if (timer) k.cancelTimer(timer);
    held.onRevoked = null;
    releaseHeld(held);
  });
  return BLOCK;
}

/** Wake up to count sleepers on the word at offset with result 0. Returns how many. */
export function futexWake(k: KernelCore, mem: MemoryObject, offset: number, count: number): number {
  const q = mem.futex.get(offset);
  if (q === undefined) return 0;
  let n = 0;
  while (n < count && q.length > 0) {
    const w = q.shift()!;
    k.wake(w.process, 0);
    n++;
  }
  if (q.length === 0) mem.futex.delete(offset);
  return n;
}

/** The object was revoked: every sleeper wakes with EREVOKED. */
export function futexRevokeAll(k: KernelCore, mem: MemoryObject): void {
  for (const q of [...mem.futex.values()]) {
    for (const w of [...q]) k.wake(w.process, -Errno.EREVOKED);
  }
  mem.futex.clear();
}
