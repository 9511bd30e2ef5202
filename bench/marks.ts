// The marked-run protocol for figures a guest drives: the guest runs
// `batches` batches of `batch` operations and writes an empty console write
// (a mark) before the first batch and after each one. The host timestamps
// each mark as it happens, so batches are timed on one clock (the host's)
// without the guest needing one, and without spawn and exit in the figure.

import { ExitReason } from "../abi/gen/abi.ts";
import type { ExitInfo } from "../kernel/objects/process.ts";
import type { HostSpawnOptions, Kernel } from "../host/kernel.ts";
import type { ImageObject } from "../kernel/objects/image.ts";
import { describeExit } from "../kernel/objects/process.ts";
import { now } from "./stats.ts";

export interface MarkedSpawn {
  readonly image: ImageObject;
  /** Arguments after the program name. */
  readonly args: readonly (string | number)[];
  readonly handles?: HostSpawnOptions["handles"];
  /** Its console writes are the marks (exactly one process of a run should write). */
  readonly marks?: boolean;
}

/** How long a marked run may take before it is called stuck (a guest blocked for good: a kernel or bench bug). */
export const MARKED_RUN_TIMEOUT_MS = 120_000;

/**
 * Spawn the processes in order, wait until every one has exited, and return
 * the mark times (ms, by `clock`: the wall clock unless told otherwise). Throws Error when any process ends other than
 * normally with status 0 (a bench guest exits non-zero when a syscall it
 * measures fails), or when they have not all exited after `timeoutMs`
 * (they are killed first; children they spawned are not).
 */
export async function runMarked(
  kernel: Kernel,
  spawns: readonly MarkedSpawn[],
  timeoutMs = MARKED_RUN_TIMEOUT_MS,
  clock: () => number = now,
): Promise<number[]> {
  const marks: number[] = [];
  const record = (): void => {
    marks.push(clock());
  };
  const procs = spawns.map((s) =>
    kernel.spawn(s.image, { args: [s.image.name, ...s.args.map(String)], handles: s.handles, stdout: s.marks ? record : undefined }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stuck = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const exits: ExitInfo[] | null = await Promise.race([Promise.all(procs.map((p) => p.exited)), stuck]);
  clearTimeout(timer);
  if (exits === null) {
    for (const p of procs) kernel.core.terminate(p.process, -1, ExitReason.KILLED, "bench: marked run timed out");
    for (const p of procs) p.close();
    const names = spawns.map((s) => s.image.name).join(", ");
    throw new Error(`bench guests ${names} did not finish within ${timeoutMs / 1000} s (blocked for good?) after ${marks.length} marks`);
  }
  for (const p of procs) p.close();
  exits.forEach((e, i) => {
    if (e.reason !== ExitReason.NORMAL || e.status !== 0) {
      throw new Error(`bench guest ${spawns[i].image.name} ended ${describeExit(e)}`);
    }
  });
  return marks;
}
