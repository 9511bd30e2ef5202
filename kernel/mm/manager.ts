// MemoryManager: the kernel's page accounting and the life cycle of memory
// objects, grant bindings and per-process budgets.
//
// Pages are counted, not allocated: a process's own memory is the host's
// (its size is read live), a memory object's backing comes from
// ProcessHost.createMemory. What is enforced:
//  - per process: own pages + pages of live objects it created <= its budget
//    (memory_create -> EQUOTA; memory.grow -> -1 through the host's grow
//    limit; spawn -> EQUOTA when the image's initial memory does not fit);
//  - system-wide: process memories + memory objects <= systemPages, checked
//    when an object is created and when a process is spawned (ENOMEM). Own
//    memory growth is bounded per process only, and the system total sees it
//    when it next observes the process (its memory syscalls, memory_stats,
//    its exit): the total is kept incrementally so spawn and memory_create
//    stay O(1) with thousands of processes.

import { bumpEpoch } from "../fast/epoch.ts";
import { objectChanged } from "../fast/mirror.ts";
import { Errno, Limits } from "../../abi/gen/abi.ts";
import type { KernelCore, SpawnRequest } from "../core.ts";
import type { MemorySource } from "./guest-memory.ts";
import { MemoryObject } from "../objects/memory.ts";
import type { Process } from "../objects/process.ts";
import type { ProcessHost } from "../platform.ts";
import { futexRevokeAll } from "./futex.ts";
import { bindGrants, endFaulted, grantRevoked, planGrants, type PlannedGrant, unbindGrants } from "./grants.ts";
import { pagesOf } from "./process-memory.ts";

export interface MemoryOptions {
  /** Budget of a process the host spawns without one, in pages (default MEMORY_BUDGET_PAGES). */
  budgetPages?: number;
  /** Ceiling on all pages: process memories plus memory objects (default MEMORY_SYSTEM_PAGES). */
  systemPages?: number;
}

/** What spawn checked and will apply once the child exists. */
export interface SpawnMemoryPlan {
  readonly budget: number;
  readonly initialPages: number;
  readonly grants: readonly PlannedGrant[];
}

export class MemoryManager {
  private readonly k: KernelCore;
  private readonly host: ProcessHost;
  readonly defaultBudget: number;
  readonly systemPages: number;
  /** Pages of live memory objects. */
  objectPages = 0;
  /** Pages of process memories, as last observed (see observe). */
  private processTotal = 0;
  /** Live memory objects. */
  objects = 0;
  /** Why the last spawn was refused for memory reasons (for the host's error). */
  lastRefusal = "";

  constructor(k: KernelCore, host: ProcessHost, options: MemoryOptions = {}) {
    this.k = k;
    this.host = host;
    this.defaultBudget = options.budgetPages ?? Limits.MEMORY_BUDGET_PAGES;
    this.systemPages = options.systemPages ?? Limits.MEMORY_SYSTEM_PAGES;
  }

  /** Pages of p's own memory now: its image's initial pages until its instance exists, 0 once it has exited. */
  ownPages(p: Process): number {
    if (p.memory !== null) return p.memory.size >>> 16;
    return p.exited ? 0 : p.mm.initialPages;
  }

  /** Pages p is charged: own memory plus live objects it created. */
  usedPages(p: Process): number {
    return this.ownPages(p) + p.mm.objectPages;
  }

  /** Bring p's pages in the system's total up to date. */
  observe(p: Process): void {
    const now = this.ownPages(p);
    this.processTotal += now - p.mm.counted;
    p.mm.counted = now;
  }

  /** Observe every process again (memory_stats): O(processes). */
  recount(): void {
    for (const p of this.k.processes.values()) this.observe(p);
  }

  /** Pages of process memories, as last observed. */
  processPages(): number {
    return this.processTotal;
  }

  /** All pages in use: process memories (as last observed) plus memory objects. O(1). */
  totalPages(): number {
    return this.processTotal + this.objectPages;
  }

  /**
   * Create a memory object of size bytes (1..MAX_MEMORY_OBJECT_BYTES, checked
   * by the caller) charged to owner (null: the host). Returns it (no handle
   * yet), or -EQUOTA (owner's budget) or -ENOMEM (the system's pages).
   */
  createObject(owner: Process | null, size: number): MemoryObject | number {
    const pages = pagesOf(size);
    if (owner !== null) this.observe(owner);
    if (owner !== null && this.usedPages(owner) + pages > owner.mm.budgetPages) return -Errno.EQUOTA;
    if (this.totalPages() + pages > this.systemPages) return -Errno.ENOMEM;
    const backing: MemorySource = this.host.createMemory?.(pages) ?? { buffer: new ArrayBuffer(pages * 65536) };
    const account = owner?.mm ?? null;
    const obj = new MemoryObject(this.k.objects, size, pages, backing, () => {
      this.objectPages -= pages;
      this.objects--;
      if (account !== null) {
        account.objectPages -= pages;
        account.objects--;
        if (owner !== null && !owner.exited) this.refreshGrowLimit(owner);
      }
    });
    this.objectPages += pages;
    this.objects++;
    if (owner !== null) {
      owner.mm.objectPages += pages;
      owner.mm.objects++;
      this.refreshGrowLimit(owner);
    }
    return obj;
  }

  /** Tell p's instance how far its own memory may grow: its budget less its objects, never below its size. */
  refreshGrowLimit(p: Process): void {
    this.observe(p);
    const set = p.mm.growLimit;
    if (set === null) return;
    const allowed = Math.max(this.ownPages(p), Math.min(p.mm.budgetPages - p.mm.objectPages, 65536));
    set(allowed);
  }

  /** Lower p's budget (checked by the caller). */
  setBudget(p: Process, pages: number): void {
    p.mm.budgetPages = pages;
    this.refreshGrowLimit(p);
  }

  /**
   * Check what a spawn needs from memory: the child's budget against the
   * image's initial memory, the system's pages, and every grant import.
   * Returns the plan, or -EQUOTA, -ENOMEM, -EBADIMAGE (logged, and kept in
   * lastRefusal). Changes nothing.
   */
  planSpawn(req: SpawnRequest): SpawnMemoryPlan | number {
    const parent = this.k.processes.get(req.parentPid);
    const inherited = parent !== undefined ? parent.mm.budgetPages : this.defaultBudget;
    const budget =
      req.memoryBudgetPages !== undefined
        ? parent !== undefined
          ? Math.min(req.memoryBudgetPages, inherited)
          : req.memoryBudgetPages
        : inherited;
    const needs = this.host.imageMemory?.(req.image) ?? { ownPages: 0, grants: [] };
    if (needs.ownPages > budget) {
      return this.refuse(req, -Errno.EQUOTA, `its memory needs ${needs.ownPages} pages, more than its budget of ${budget}`);
    }
    if (this.totalPages() + needs.ownPages > this.systemPages) {
      return this.refuse(
        req,
        -Errno.ENOMEM,
        `its memory needs ${needs.ownPages} pages, and the system has ${this.systemPages - this.totalPages()} left`,
      );
    }
    const grants = planGrants(needs.grants, req.handles ?? []);
    if (typeof grants === "string") return this.refuse(req, -Errno.EBADIMAGE, grants);
    return { budget, initialPages: needs.ownPages, grants };
  }

  private refuse(req: SpawnRequest, errno: number, why: string): number {
    this.lastRefusal = why;
    this.k.log(`wasmos: spawn of ${req.image.name} refused: ${why}`);
    return errno;
  }

  /** Apply a plan to the new process (its startup handles are in place). */
  applySpawn(p: Process, plan: SpawnMemoryPlan): void {
    p.mm.budgetPages = plan.budget;
    p.mm.initialPages = plan.initialPages;
    this.observe(p);
    bindGrants(this.k, p, plan.grants);
  }

  /**
   * Revoke a memory object as a whole: every process it is bound to is
   * faulted (GRANT_REVOKED), every window onto it and every handle to it
   * answers EREVOKED from now on, and futex sleepers wake with EREVOKED.
   * Handles stay until closed; the pages until the object is destroyed.
   */
  revokeObject(obj: MemoryObject): void {
    if (obj.revoked) return;
    obj.revoked = true;
    bumpEpoch(); // windows onto it answer EREVOKED from now on, fast path included
    objectChanged(obj); // memory_size in wasm too (kernel/fast/mirror.ts)
    for (const b of [...obj.bindings]) grantRevoked(this.k, b);
    futexRevokeAll(this.k, obj);
  }

  /** p was dispatched (or returned from a syscall) with a revoked grant pending: end it. True if it was. */
  endIfFaulted(p: Process): boolean {
    if (p.mm.fault === null) return false;
    endFaulted(this.k, p);
    return true;
  }

  /** Exit hook: p's bindings go; nothing is told about its growth any more. */
  processExited(p: Process): void {
    this.observe(p); // exited: its pages leave the total
    p.mm.growLimit = null;
    unbindGrants(p);
  }
}
