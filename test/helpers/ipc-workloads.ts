// Pieces shared by the tests that run one IPC workload two ways and compare
// the runs (test/ipc/handoff.test.ts, test/ipc/fastpath.test.ts,
// test/sched/flat-slice.test.ts): the reply_wait server, the spawning of
// processes around one endpoint, and the system partition's account as the
// run queue first weighs it.

import type { Kernel } from "../../host/kernel.ts";
import { IMAGE_GRANT_RIGHTS } from "../../host/kernel.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { guest } from "./wat.ts";

/** The IPC buffer's address in each guest of these workloads. */
export const IPC_BUF = 1024;

/**
 * Answers `count` calls on "ep" with reply_wait (status: word 0 doubled; word 0
 * back plus one), the last one with reply, then exits.
 */
export const replyWaitServer = (count: number): Uint8Array =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $r i32) (local $n i32) (local $w i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $ipc_buffer (i32.const ${IPC_BUF})))
    (local.set $r (call $reply_wait (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 0)))
    (loop $serve
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (local.set $w (i32.load (i32.const ${IPC_BUF})))
      (i32.store (i32.const ${IPC_BUF}) (i32.add (local.get $w) (i32.const 1)))
      (if (i32.lt_u (local.get $n) (i32.const ${count}))
        (then
          (local.set $r (call $reply_wait (local.get $ep) (local.get $r) (i32.shl (local.get $w) (i32.const 1)) (i32.const 1)))
          (br $serve))))
    (drop (call $reply (local.get $r) (i32.shl (local.get $w) (i32.const 1)) (i64.extend_i32_s (i32.add (local.get $w) (i32.const 1))) (i64.const 0) (i32.const 0) (i32.const 0))))`);

/**
 * What the run queue and the slice bound read of the system partition once a
 * partition exists: its account right after each partition is made (the first
 * moment budgets are weighed), pushed as [totalNs, usage] pairs into the
 * returned array while the kernel runs.
 */
export function watchPartitionCreation(k: Kernel): number[] {
  const sched = k.core.sched;
  const seen: number[] = [];
  const create = sched.createPartition.bind(sched);
  sched.createPartition = (parent, share) => {
    const made = create(parent, share);
    const now = k.core.clock.now(); // as every reader does: the running process's work so far charged first
    seen.push(sched.system.totalNs, sched.system.usage(now));
    return made;
  };
  return seen;
}

export interface EndpointProc {
  name: string;
  bytes: Uint8Array;
  priority?: number;
  /** Rights on the shared endpoint "ep" (none: no handle). */
  ep?: number;
}

/**
 * Spawns each process with its own image as "self" and, where it asks, a
 * handle "ep" to `ep`; their stdout is gathered per name. The caller releases
 * `ep` and runs the kernel.
 */
export function spawnOnEndpoint(k: Kernel, ep: KernelObject, procs: readonly EndpointProc[]) {
  const out: Record<string, Uint8Array[]> = {};
  const handles = procs.map((p) => {
    out[p.name] = [];
    const img = k.loadImage(p.bytes, p.name);
    const hp = k.spawn(img, {
      args: [p.name],
      priority: p.priority,
      handles: [
        { name: "self", object: img, rights: IMAGE_GRANT_RIGHTS },
        ...(p.ep === undefined ? [] : [{ name: "ep", object: ep, rights: p.ep }]),
      ],
      stdout: (b) => void out[p.name].push(b.slice()),
    });
    k.release(img);
    return hp;
  });
  return { handles, out };
}
