// One model-based run: four fake processes sharing an endpoint (two may
// receive from it, all may send) and a memory object (one may map it), and a
// command sequence applied to the real kernel and the model side by side.

import fc from "fast-check";
import type { KernelCore } from "../../kernel/core.ts";
import { newEndpoint } from "../../kernel/ipc/exchange.ts";
import { ENDPOINT_RIGHTS, MEMORY_RIGHTS } from "./model.ts";
import { COMMANDS, Model, type Real, reconcile, stepCount } from "./model.ts";
import { fakeSystem } from "./fake-host.ts";
import { ObjectType, Rights } from "../../abi/gen/abi.ts";
import type { MemoryObject } from "../../kernel/objects/memory.ts";

export const PROCESSES = 4;

/** A fresh kernel and model in the same starting state. */
export function setup(): { model: Model; real: Real } {
  let ep: ReturnType<typeof newEndpoint> | null = null;
  let mem: MemoryObject | null = null;
  const made = (k: KernelCore) => {
    ep ??= newEndpoint(k);
    mem ??= k.mm.createObject(null, 4096) as MemoryObject;
    return { ep, mem };
  };
  const rightsOf = (i: number) => ({
    ep: i < 2 ? ENDPOINT_RIGHTS : ENDPOINT_RIGHTS & ~Rights.RECEIVE,
    mem: i === 0 ? MEMORY_RIGHTS : Rights.READ | Rights.DUPLICATE | Rights.TRANSFER,
  });
  const sys = fakeSystem(PROCESSES, (k, i) => {
    const o = made(k);
    return [
      { name: "ep", object: o.ep, rights: rightsOf(i).ep },
      { name: "mem", object: o.mem, rights: rightsOf(i).mem },
    ];
  });
  const model = new Model();
  const real: Real = { k: sys.k, host: sys.host, procs: sys.procs, views: sys.views, endpoints: new Map([[ep!.koid, ep!]]) };
  model.endpoints.set(ep!.koid, { queue: [], receivers: [] });
  sys.procs.forEach((p, i) => {
    model.addProc(p.pid);
    for (const e of p.handles.entries()) {
      const c = model.track(
        model.newCap(e.object.koid, e.object.type === ObjectType.ENDPOINT ? ObjectType.ENDPOINT : ObjectType.MEMORY, e.rights, null),
      );
      model.place(c, p.pid, e.handle);
    }
    void i;
  });
  // The model has everyone READY except the one the kernel dispatched.
  reconcile(model, real);
  return { model, real };
}

/** The property: any command sequence keeps the kernel and the model in agreement. */
export function modelProperty(maxCommands = 60) {
  return fc.property(fc.commands(COMMANDS, { maxCommands, size: "+1" }), (cmds) => {
    fc.modelRun(setup, cmds);
  });
}

/** Run `runs` sequences; how many steps ran and how long it took, and the first disagreement if any. */
export function runModel(runs: number, seed = 0x5eed): { runs: number; steps: number; ms: number; failure: string | null } {
  const before = stepCount.steps;
  const t0 = performance.now();
  const r = fc.check(modelProperty(), { numRuns: runs, seed });
  const ms = performance.now() - t0;
  return { runs: r.numRuns, steps: stepCount.steps - before, ms, failure: r.failed ? String(r.errorInstance) : null };
}
