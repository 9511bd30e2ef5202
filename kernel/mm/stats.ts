// What memory_stats reports (for the syscall and the host), and the rights a
// memory object is created with.

import { Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { Process } from "../objects/process.ts";

/** Rights memory_create gives (and the host's grant memory). */
export const MEMORY_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.MAP;

/** What memory_stats reports, for the host too. */
export interface MemoryStats {
  budgetPages: number;
  usedPages: number;
  ownPages: number;
  objectPages: number;
  objects: number;
  grants: number;
  bytesCopied: number;
  system: { pages: number; objectPages: number; objects: number; pageLimit: number; ipcBytes: number; windowBytes: number };
}

export function memoryStats(k: KernelCore, t: Process): MemoryStats {
  k.mm.recount();
  const own = k.mm.ownPages(t);
  return {
    budgetPages: t.mm.budgetPages,
    usedPages: own + t.mm.objectPages,
    ownPages: own,
    objectPages: t.mm.objectPages,
    objects: t.mm.objects,
    grants: t.mm.grants.length,
    bytesCopied: t.bytesCopied,
    system: {
      pages: k.mm.totalPages(),
      objectPages: k.mm.objectPages,
      objects: k.mm.objects,
      pageLimit: k.mm.systemPages,
      ipcBytes: k.copied.ipcBytes,
      windowBytes: k.copied.windowBytes,
    },
  };
}
