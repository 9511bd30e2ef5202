// Run several guests in one kernel and collect what each recorded ($rec/$flush).
import type { ExitInfo } from "../../kernel/objects/process.ts";
import type { KernelObject } from "../../kernel/object.ts";
import { type HostProcess, IMAGE_GRANT_RIGHTS, Kernel, type KernelConfig } from "../../host/kernel.ts";
import { results } from "./wat.ts";

export interface ProcSpec {
  name: string;
  bytes: Uint8Array;
  handles?: { name: string; object: KernelObject; rights: number }[];
  priority?: number;
  args?: string[];
}

export interface SystemRun {
  kernel: Kernel;
  /** Each process's recorded i32 values. */
  rec: Record<string, number[]>;
  /** Each process's raw stdout. */
  out: Record<string, Uint8Array>;
  exit: Record<string, ExitInfo>;
  procs: Record<string, HostProcess>;
}

/** Spawn every spec (in order; each gets its own image as "self") and wait until the system is quiet. Host objects in `release` are released after spawning. */
export async function runSystem(
  specs: ProcSpec[],
  config: KernelConfig = {},
  kernel = new Kernel(config),
  release: KernelObject[] = [],
): Promise<SystemRun> {
  const out: Record<string, Uint8Array> = {};
  const procs: Record<string, HostProcess> = {};
  for (const s of specs) {
    out[s.name] = new Uint8Array();
    const img = kernel.loadImage(s.bytes, s.name);
    procs[s.name] = kernel.spawn(img, {
      args: s.args ?? [s.name],
      priority: s.priority,
      handles: [{ name: "self", object: img, rights: IMAGE_GRANT_RIGHTS }, ...(s.handles ?? [])],
      stdout: (b) => {
        const merged = new Uint8Array(out[s.name].length + b.length);
        merged.set(out[s.name]);
        merged.set(b, out[s.name].length);
        out[s.name] = merged;
      },
    });
    kernel.release(img);
  }
  for (const o of release) kernel.release(o);
  await kernel.run();
  const exit: Record<string, ExitInfo> = {};
  const rec: Record<string, number[]> = {};
  for (const s of specs) {
    const p = procs[s.name].process;
    if (p.exit) exit[s.name] = p.exit;
    rec[s.name] = results(out[s.name]);
  }
  return { kernel, rec, out, exit, procs };
}

/** Close the host's references so leak checks can expect zero live objects. */
export function closeAll(run: SystemRun): void {
  for (const p of Object.values(run.procs)) p.close();
}
