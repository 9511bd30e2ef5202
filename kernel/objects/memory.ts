// MemoryObject: a fixed-size byte buffer shared between processes without
// copies. Its backing store comes from the host (a wasm memory of whole pages
// whose maximum is its minimum, so it never grows and can be bound to a
// guest's `grant` memory import as is). The kernel reads it only through a
// bounds-checked GuestMemory (windows, futex words).
//
// Lifetime: handles, windows (their held caps), grant bindings (held caps) and
// futex waiters (held caps) all count as handle references, so the object and
// its pages live while anything names it. Its pages stay charged to its
// creator and to the system until then.

import { ObjectType } from "../../abi/gen/abi.ts";
import type { GrantBinding } from "../mm/grants.ts";
import { GuestMemory, type MemorySource } from "../mm/guest-memory.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { Process } from "./process.ts";

/** A process asleep in futex_wait on one word. */
export interface FutexWaiter {
  readonly process: Process;
}

export class MemoryObject extends KernelObject {
  readonly type = ObjectType.MEMORY;
  /** Size in bytes as created (windows and futex words are checked against it). */
  readonly size: number;
  /** Pages backing it (size rounded up); what budgets are charged. */
  readonly pages: number;
  /** The host's backing store; bound to grant imports as is. */
  readonly backing: MemorySource;
  /** Bounds-checked access for the kernel. */
  readonly bytes: GuestMemory;
  /** Revoked as a whole (host): every binding faulted, every call through a handle or window returns EREVOKED. */
  revoked = false;
  /** Live grant bindings (owned by kernel/mm/grants.ts). */
  readonly bindings = new Set<GrantBinding>();
  /** Futex waiters by word offset, oldest first (owned by kernel/mm/futex.ts). */
  readonly futex = new Map<number, FutexWaiter[]>();
  private readonly freed: (obj: MemoryObject) => void;

  constructor(registry: ObjectRegistry, size: number, pages: number, backing: MemorySource, freed: (obj: MemoryObject) => void) {
    super(registry, ObjectType.MEMORY);
    this.size = size;
    this.pages = pages;
    this.backing = backing;
    this.bytes = new GuestMemory(backing);
    this.freed = freed;
  }

  protected override onDestroy(): void {
    this.freed(this);
  }
}
