// What the process runtime does for memory: bind each grant import to its
// memory object's backing (a WebAssembly.Memory made by createGrantMemory),
// and connect the kernel's grow limit to the instance's limit global.

import type { KernelCore } from "../../kernel/core.ts";
import type { MemorySource } from "../../kernel/mm/guest-memory.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { GROW_LIMIT_EXPORT } from "../../loader/grow-limit.ts";

/** The module grants are imported from. */
export const GRANT_MODULE = "grant";

/** A memory object's backing store: `pages` pages that never grow, so it can be bound to any import it fits. */
export function createGrantMemory(pages: number): MemorySource {
  return new WebAssembly.Memory({ initial: pages, maximum: pages });
}

/** Add p's bound grants to an import object (module "grant"); no change without grants. */
export function addGrantImports(imports: Record<string, unknown>, p: Process): void {
  if (p.mm.grants.length === 0) return;
  const ns: Record<string, unknown> = {};
  for (const b of p.mm.grants) ns[b.name] = b.memory.backing;
  imports[GRANT_MODULE] = ns;
}

/** Once p's instance exists: let the kernel set how far its own memory may grow. */
export function attachGrowLimit(k: KernelCore, p: Process, instance: WebAssembly.Instance): void {
  const g = instance.exports[GROW_LIMIT_EXPORT];
  if (!(g instanceof WebAssembly.Global)) return;
  p.mm.growLimit = (pages) => {
    g.value = pages;
  };
  k.mm.refreshGrowLimit(p);
}
