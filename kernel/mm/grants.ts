// Bound grants: a memory object bound to a guest's `(import "grant" "<name>"
// (memory ...))` at spawn, so the guest loads and stores it directly (zero
// copies, no kernel call). Checked in full before the child exists
// (planGrants), bound after its handles are in place (bindGrants).
//
// Rights: a grant needs READ; without WRITE it is read-only, and the module
// must never write that memory (the host found every write site at load,
// loader/grant-writes.ts; the kernel only reads the verdict).
//
// Revocation: each binding is a kernel-held capability derived from the one
// the spawner passed (or, for a host-made root, from the child's own handle).
// When an ancestor's revoke ends it, or the object is revoked as a whole, the
// process is ended with GRANT_REVOKED before it runs again: at once if it is
// not running; if it is, when its current syscall returns or before it is next
// dispatched (a running instance cannot be stopped mid-instruction, and a
// bound memory cannot be unmapped from a live instance).

import { ExitReason, ObjectType, Rights } from "../../abi/gen/abi.ts";
import { Cap, holdCap, releaseHeld } from "../handles.ts";
import type { KernelCore, StartupHandle } from "../core.ts";
import type { MemoryObject } from "../objects/memory.ts";
import type { Process } from "../objects/process.ts";
import { WORDS } from "../rules/algebra.ts";
import { grantBindRights, grantReadOnly } from "../rules/grants.ts";

/** One `grant` memory import of an image, as the host found it. */
export interface GrantImport {
  /** The import name: the startup handle name that must name the memory object. */
  readonly name: string;
  /** The import's declared limits, in pages. */
  readonly minPages: number;
  readonly maxPages: number | null;
  /** The first instruction (or data segment) that writes this memory, and how many more, in words; null if none. */
  readonly writes: string | null;
}

/** What an image needs from memory, as the host found it (ProcessHost.imageMemory). */
export interface ImageMemoryNeeds {
  /** Initial pages of the module's own memory (0 if it has none). */
  readonly ownPages: number;
  readonly grants: readonly GrantImport[];
}

export interface PlannedGrant {
  readonly name: string;
  readonly memory: MemoryObject;
  readonly handle: StartupHandle;
  readonly readOnly: boolean;
}

/** A memory object bound to a process's grant import. Owned by kernel/mm. */
export interface GrantBinding {
  readonly name: string;
  readonly memory: MemoryObject;
  readonly process: Process;
  readonly readOnly: boolean;
  /** Held cap; its revocation faults the process. */
  readonly cap: Cap;
  ended: boolean;
}

const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ObjectType).map(([k, v]) => [v, k]));

/** The plan of an image that imports no grant (most): nothing to allocate. */
const NO_GRANTS: readonly PlannedGrant[] = Object.freeze([]);

/**
 * Check every grant import of an image against the startup handles. Returns
 * the plan, or the reason the spawn must be refused (EBADIMAGE). Changes nothing.
 */

export function planGrants(needs: readonly GrantImport[], handles: readonly StartupHandle[]): readonly PlannedGrant[] | string {
  if (needs.length === 0) return NO_GRANTS; // most images import no grant
  const out: PlannedGrant[] = [];
  for (const g of needs) {
    const where = `grant "${g.name}"`;
    const h = handles.find((x) => x.name === g.name);
    if (h === undefined) return `${where}: no handle of that name was passed (the image imports it as a memory)`;
    if (h.object.type !== ObjectType.MEMORY)
      return `${where}: the handle names a ${TYPE_NAMES[h.object.type] ?? h.object.type}, not a MEMORY`;
    const memory = h.object as MemoryObject;
    if ((h.rights & Rights.READ) === 0) return `${where}: the handle lacks READ`;
    if (memory.revoked) return `${where}: the memory object was revoked`;
    if (memory.pages < g.minPages) return `${where}: the memory object has ${memory.pages} pages, the import needs at least ${g.minPages}`;
    if (g.maxPages !== null && memory.pages > g.maxPages)
      return `${where}: the memory object has ${memory.pages} pages, the import allows at most ${g.maxPages}`;
    const readOnly = grantReadOnly(WORDS, h.rights);
    if (readOnly && g.writes !== null) return `${where} is read-only (the handle lacks WRITE), and the module writes it: ${g.writes}`;
    out.push({ name: g.name, memory, handle: h, readOnly });
  }
  return out;
}

/** Bind planned grants to p (its startup handles are in its table already). */
export function bindGrants(k: KernelCore, p: Process, grants: readonly PlannedGrant[]): void {
  for (const g of grants) {
    const rights = grantBindRights(WORDS, g.readOnly);
    let from = g.handle.parent ?? null;
    if (from === null) {
      const own = p.handles.cap(p.names.get(g.name) ?? 0);
      from = typeof own === "number" ? null : own;
    }
    const cap = holdCap(from !== null ? from.derive(rights) : new Cap(g.memory, rights, null));
    const binding: GrantBinding = { name: g.name, memory: g.memory, process: p, readOnly: g.readOnly, cap, ended: false };
    cap.onRevoked = () => grantRevoked(k, binding);
    g.memory.bindings.add(binding);
    p.mm.grants.push(binding);
  }
}

/** The binding's capability or object was revoked: end its process before it runs again. */
export function grantRevoked(k: KernelCore, b: GrantBinding): void {
  if (b.ended) return;
  b.ended = true;
  b.memory.bindings.delete(b);
  const p = b.process;
  if (p.exited) return;
  const why = `grant "${b.name}" was revoked (memory object ${b.memory.koid}${b.readOnly ? ", read-only" : ""})`;
  if (k.current === p) {
    p.mm.fault ??= why;
    p.handles.mirror?.goSlow(); // its next syscall must reach the bridge, which ends it
    k.runOnChanged(); // nor may its port loop take a packet itself (kernel/ipc/ports.ts takeCellPacket)
    return;
  }
  k.terminate(p, -1, ExitReason.GRANT_REVOKED, why);
}

/** End p, whose grant was revoked while it ran (from the bridge or the dispatcher). */
export function endFaulted(k: KernelCore, p: Process): void {
  const why = p.mm.fault ?? "grant revoked";
  k.terminate(p, -1, ExitReason.GRANT_REVOKED, why);
}

/** p exited: its bindings go (their held caps are released). */
export function unbindGrants(p: Process): void {
  if (p.mm.grants.length === 0) return; // most processes: nothing to unbind (and setting length costs a call)
  for (const b of p.mm.grants) {
    b.cap.onRevoked = null;
    if (!b.ended) {
      b.ended = true;
      b.memory.bindings.delete(b);
    }
    releaseHeld(b.cap);
  }
  p.mm.grants.length = 0;
}
