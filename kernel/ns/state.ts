// Per-kernel namespace state: unveil views, who mounted what, violation
// counts. Kept beside the kernel (a WeakMap) rather than in Process, and
// installed on first use with one exit hook and one spawn hook.

import type { KernelCore as Kernel } from "../core.ts";
import type { Process } from "../objects/process.ts";
import { isUnder } from "./path.ts";
import type { Mount } from "./objects.ts";
import { WORDS } from "../rules/algebra.ts";
import { UNVEIL_ALL, unveilPerms } from "../rules/unveil.ts";

export { UNVEIL_ALL };

/** One unveil call: rules, longest path first. */
export type UnveilCall = readonly { readonly path: string; readonly perms: number }[];
/** A process's view: every unveil call it and its ancestors made (empty: everything, all permissions). */
export type UnveilView = readonly UnveilCall[];

/** Permissions a view gives on a normalized path: the intersection over its calls of each call's longest matching rule. */
export function permsAt(view: UnveilView, path: string): number {
  if (view.length === 0) return UNVEIL_ALL;
  return unveilPerms(
    WORDS,
    view.map((call) => call.map((r) => ({ under: isUnder(path, r.path), perms: r.perms }))),
  );
}

export class NsState {
  /** unveil violations system-wide. */
  violations = 0;
  readonly views = new WeakMap<Process, UnveilView>();
  readonly violationsOf = new WeakMap<Process, number>();
  /** Live mounts each process made. */
  readonly mountsOf = new Map<Process, Set<Mount>>();
  /** Opens answered, and close pulses posted (leak checks). */
  opens = 0;
  closes = 0;

  view(p: Process): UnveilView {
    return this.views.get(p) ?? NO_VIEW;
  }

  /** Count a violation by p on path (and say so in the kernel log). */
  violation(k: Kernel, p: Process, path: string, what: string): void {
    this.violations++;
    this.violationsOf.set(p, (this.violationsOf.get(p) ?? 0) + 1);
    k.log(`wasmos: pid ${p.pid} (${p.image.name}): unveil refused ${what} ${path}`);
  }

  addMount(m: Mount): void {
    if (m.owner === null) return;
    let set = this.mountsOf.get(m.owner);
    if (set === undefined) this.mountsOf.set(m.owner, (set = new Set()));
    set.add(m);
  }

  mountRemoved(m: Mount): void {
    if (m.owner === null) return;
    const set = this.mountsOf.get(m.owner);
    set?.delete(m);
    if (set?.size === 0) this.mountsOf.delete(m.owner);
  }
}

/** A process that never called unveil: no rules (one shared list, not a new one per open). */
const NO_VIEW: UnveilView = Object.freeze([]);

const states = new WeakMap<Kernel, NsState>();

/** The namespace state of kernel k (installed, with its hooks, on first use). */
export function nsOf(k: Kernel): NsState {
  let s = states.get(k);
  if (s === undefined) {
    const state = new NsState();
    s = state;
    states.set(k, state);
    // A process's mounts end with it; its view goes with its object.
    k.exitHooks.push((p) => {
      const mine = state.mountsOf.get(p);
      if (mine === undefined) return;
      for (const m of [...mine]) m.table.remove(m);
      state.mountsOf.delete(p);
    });
    // Children inherit their spawner's unveil view.
    k.spawnHooks.push((child, parent) => {
      if (parent === null) return;
      const v = state.views.get(parent);
      if (v !== undefined) state.views.set(child, v);
    });
  }
  return s;
}

/** unveil violations of p so far (0 if the namespace was never used). */
export function unveilViolations(k: Kernel, p: Process): number {
  return states.get(k)?.violationsOf.get(p) ?? 0;
}
