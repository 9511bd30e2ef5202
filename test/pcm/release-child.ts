// Run by release.test.ts in a Node process of its own with --expose-gc and --no-concurrent-recompilation:
//   node --expose-gc --no-concurrent-recompilation test/pcm/release-child.ts <runs> <seconds>
// (A background compile job holds what it compiles against until it is installed: see test/host/release.test.ts.)
// Runs the PCM demo `runs` times, keeping only WeakRefs to each run's Kernel and KernelCore, then collects
// and prints, as one JSON line, how many of them are still reachable (and the heap's size after each run).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { runPcmDemo } from "../../cli/demo/pcm.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined || !process.execArgv.includes("--no-concurrent-recompilation"))
  throw new Error("run with --expose-gc --no-concurrent-recompilation (test/host/release.test.ts says why)");
const runs = Number(process.argv[2] ?? 3);
const seconds = Number(process.argv[3] ?? 0.2);
const refs: WeakRef<object>[] = [];
const heapAfterRun: number[] = [];
for (let i = 0; i < runs; i++) {
  const outDir = mkdtempSync(join(tmpdir(), "wasmos-release-"));
  try {
    const r = await runPcmDemo({
      duration: seconds,
      outDir,
      pingBatches: 0,
      onKernel: (k) => refs.push(new WeakRef(k), new WeakRef(k.core)),
    });
    if (r.init.status !== 0) throw new Error(`pcm init ended with status ${r.init.status}: ${r.init.message}`);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  // WeakRef targets are kept until the current job ends, and the unwinding of ended processes' stacks runs in
  // microtasks after the run: let the event loop turn before collecting.
  await sleep(1);
  gc();
  heapAfterRun.push(process.memoryUsage().heapUsed);
}
await sleep(1);
gc();
gc();
const alive = refs.filter((r) => r.deref() !== undefined).length;
process.stdout.write(JSON.stringify({ refs: refs.length, alive, heapAfterRun }) + "\n");
