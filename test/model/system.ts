// One model-based run: four fake client processes sharing an endpoint (two
// may receive from it, all may send; two also hold a send handle derived from
// the first's) and a memory object (one may map it),
// each with a DIR handle on a namespace where a fifth fake process, a file
// server (files.ts), is mounted at /f; and a command sequence applied to the
// real kernel and the model side by side.

import fc from "fast-check";
import type { KernelCore } from "../../kernel/core.ts";
import { newEndpoint } from "../../kernel/ipc/exchange.ts";
import { hostMount, newRootDir } from "../../kernel/ns/host.ts";
import { ENDPOINT_RIGHTS, MEMORY_RIGHTS } from "./model.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import type { Cap } from "../../kernel/handles.ts";
import { COMMANDS, IPC_BUFFER, type MCap, Model, type Real, modelTrace, reconcile, stepCount, traceLog } from "./model.ts";
import { fakeSystem } from "./fake-host.ts";
import { DIR_RO, DIR_RW, FILE_COMMANDS, type FileServer, MOUNT, serve, TinyFs } from "./files.ts";
import { Rights } from "../../abi/gen/abi.ts";
import type { MemoryObject } from "../../kernel/objects/memory.ts";
import type { DirObject } from "../../kernel/ns/objects.ts";

/** Client processes (the file server is one more, the last). */
export const PROCESSES = 4;

/** A fresh kernel and model in the same starting state. */
export function setup(): { model: Model; real: Real } {
  traceLog.length = 0;
  let objs: { ep: ReturnType<typeof newEndpoint>; fsEp: ReturnType<typeof newEndpoint>; mem: MemoryObject; dir: DirObject } | null = null;
  const made = (k: KernelCore) => {
    if (objs === null) {
      const dir = newRootDir(k);
      dir.retainHandle(); // the host keeps the namespace (as Kernel.createRootDir does): a restarted server is given it
      const fsEp = newEndpoint(k);
      hostMount(dir, MOUNT, fsEp);
      objs = { ep: newEndpoint(k), fsEp, mem: k.mm.createObject(null, 4096) as MemoryObject, dir };
    }
    return objs;
  };
  const sys = fakeSystem(PROCESSES + 1, (k, i, earlier) => {
    const o = made(k);
    if (i === PROCESSES) return [{ name: "fs", object: o.fsEp, rights: Rights.RECEIVE }];
    const own = [
      { name: "ep", object: o.ep, rights: i < 2 ? ENDPOINT_RIGHTS : ENDPOINT_RIGHTS & ~Rights.RECEIVE },
      { name: "mem", object: o.mem, rights: i === 0 ? MEMORY_RIGHTS : Rights.READ | Rights.MAP | Rights.DUPLICATE | Rights.TRANSFER },
      { name: "root", object: o.dir, rights: i < 2 ? DIR_RW : DIR_RO },
    ];
    if (i < 2) return own;
    // p2 and p3 also hold a send handle derived from p0's (as a spawner's handle is derived into its
    // children): derivation trees span processes from the start, so p0's revoke reaches into other tables,
    // and moves, copies and exits there reshape a tree whose root p0 holds.
    const p0 = earlier[0];
    const parent = p0.handles.cap(p0.names.get("ep")!);
    if (typeof parent === "number") throw new Error("p0 has no ep");
    return [...own, { name: "ep0", object: o.ep, rights: ENDPOINT_RIGHTS & ~Rights.RECEIVE, parent }];
  });
  const o = objs!;
  const model = new Model();
  const srv = sys.procs[PROCESSES];
  const server: FileServer = {
    proc: srv,
    ep: srv.names.get("fs")!,
    dir: 0,
    mounted: true, // the host mounted the first server's endpoint
    fs: new TinyFs(),
    opens: new Map(),
    nextOcb: 0,
    seen: 0,
    spawn: () => {
      const ep = newEndpoint(sys.k);
      const proc = sys.spawn([
        { name: "fs", object: ep, rights: Rights.RECEIVE | Rights.SEND | Rights.DUPLICATE },
        { name: "root", object: o.dir, rights: Rights.READ | Rights.MOUNT },
      ]);
      return { proc, ep };
    },
  };
  const real: Real = {
    k: sys.k,
    host: sys.host,
    procs: sys.procs,
    views: sys.views,
    endpoints: new Map([
      [o.ep.koid, o.ep],
      [o.fsEp.koid, o.fsEp],
    ]),
    serve: (m, r) => serve(m, r, server),
    fileServer: server,
    hostRefs: [o.dir],
  };
  model.endpoints.set(o.ep.koid, { queue: [], receivers: [] });
  model.endpoints.set(o.fsEp.koid, { queue: [], receivers: [] });
  model.fsEp = o.fsEp.koid;
  model.fsPid = srv.pid;
  model.mount = { ep: o.fsEp.koid, owned: false };
  model.fs = new TinyFs();
  // Every process declares its IPC buffer but p1 (it may receive, so it can reach pulse_wait's EINVAL; an
  // IpcBuffer command declares it later).
  const unbuffered = sys.procs[1].pid;
  for (const p of sys.procs)
    if (p.pid !== unbuffered && SYSCALL_HANDLERS.ipc_buffer(sys.k, p, IPC_BUFFER) !== 0) throw new Error("ipc_buffer refused");
  const mcaps = new Map<Cap, MCap>(); // the kernel's startup caps and the model's (a derived one's parent came first)
  for (const p of sys.procs) {
    model.addProc(p.pid);
    model.procs.get(p.pid)!.buffer = p.pid !== unbuffered;
    for (const e of p.handles.entries()) {
      const parent = e.cap.parent === null ? null : mcaps.get(e.cap.parent)!;
      const c = model.track(model.newCap(e.object.koid, e.object.type, e.rights, parent));
      mcaps.set(e.cap, c);
      model.place(c, p.pid, e.handle);
    }
  }
  // The model has everyone READY except the one the kernel dispatched.
  reconcile(model, real);
  real.serve!(model, real);
  reconcile(model, real);
  return { model, real };
}

/** The property: any command sequence keeps the kernel and the model in agreement. */
export function modelProperty(maxCommands = 60, replayPath?: string) {
  return fc.property(fc.commands([...COMMANDS, ...FILE_COMMANDS], { maxCommands, size: "+1", replayPath }), (cmds) => {
    fc.modelRun(setup, cmds);
  });
}

/**
 * Check `runs` sequences; on a failure, replay the (shrunk) counterexample with
 * the model's trace on and return it step by step (what each step did, each
 * request, pulse and timeout the model saw).
 */
export function checkModel(
  runs: number,
  seed = 0x5eed,
  /** Shrink a failure to a shortest counterexample (off: the first failing sequence as found, at once). */
  shrink = true,
): { failed: boolean; error: string; runs: number; counterexample: string; trace: string } {
  const r = fc.check(modelProperty(), { numRuns: runs, seed, endOnFailure: !shrink });
  if (!r.failed) return { failed: false, error: "", runs: r.numRuns, counterexample: "", trace: "" };
  const counterexample = fc.stringify(r.counterexample);
  const replay = /replayPath="([^"]*)"/.exec(counterexample)?.[1];
  const was = modelTrace.on;
  modelTrace.on = true;
  try {
    fc.check(modelProperty(60, replay), { seed, path: r.counterexamplePath!, endOnFailure: true });
  } finally {
    modelTrace.on = was;
  }
  return { failed: true, error: String(r.errorInstance), runs: r.numRuns, counterexample, trace: traceLog.join("\n") };
}

/** Run `runs` sequences; how many steps ran and how long it took, and the first disagreement if any. */
export function runModel(runs: number, seed = 0x5eed): { runs: number; steps: number; ms: number; failure: string | null } {
  const before = stepCount.steps;
  const t0 = performance.now();
  const r = fc.check(modelProperty(), { numRuns: runs, seed });
  const ms = performance.now() - t0;
  return { runs: r.numRuns, steps: stepCount.steps - before, ms, failure: r.failed ? String(r.errorInstance) : null };
}
