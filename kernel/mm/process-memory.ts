// ProcessMemory: a process's memory accounting and its bound grants. Owned by
// kernel/mm (the manager, the memory syscalls); the host only sets growLimit.
//
// Budget: pages of its own memory plus pages of the memory objects it created
// and that still live (the creator pays, whoever holds them now). Own memory
// grows inside the guest without a kernel call, so the host rewrites
// memory.grow at load (loader/grow-limit.ts) to compare against a limit
// the kernel sets through growLimit: growing past the budget returns -1.

import type { GrantBinding } from "./grants.ts";

export class ProcessMemory {
  /** Budget in pages (own memory + live objects created). Only ever lowered. */
  budgetPages = Infinity;
  /** Initial pages of its own memory: what it is charged from spawn until its instance exists. */
  initialPages = 0;
  /** Its own pages as the system's total last counted them (MemoryManager.observe). */
  counted = 0;
  /** Pages of live memory objects this process created. */
  objectPages = 0;
  /** Live memory objects this process created. */
  objects = 0;
  /** Memory objects bound to this process's grant imports (until it exits). */
  readonly grants: GrantBinding[] = [];
  /**
   * A grant bound to it was revoked while it was the running process: why.
   * It is ended when its current syscall returns (host bridge) or before it
   * is next dispatched (Kernel.schedule), whichever comes first.
   */
  fault: string | null = null;
  /**
   * Set by the host once the instance exists and its memory.grow is rewritten:
   * tells the guest the most pages its own memory may reach. Null otherwise.
   */
  growLimit: ((pages: number) => void) | null = null;
}

/** Pages of a memory of `bytes` bytes, rounded up. */
export function pagesOf(bytes: number): number {
  return Math.ceil(bytes / 65536);
}
