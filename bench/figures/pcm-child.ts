// The PCM figure's runs, in a Node process of their own (figures/pcm.ts forks
// this with --expose-gc):
//
//   node --expose-gc bench/figures/pcm-child.ts <seconds> <runs> <warmups>
//
// Why a process of its own, and a collection before each run: a user's run
// (`wasmos demo pcm`) starts in a fresh process, with no other run's garbage
// on its heap. Inside `npm run bench` the pcm family would otherwise inherit
// the heap every earlier family left, and within the family each run the
// previous runs' garbage: a full collection of that garbage then landed
// inside a later run's 30 ms steady state (6-25 ms each, in 2-6 of 8 runs),
// billed to a run that did not make it. So each run (the untimed one too)
// starts after gc() has collected what the runs before it left, outside
// every timed part, as JMH collects between iterations. A collection the
// run's own allocation causes is not prevented and stays in its figure: each
// run's collections inside its steady state are counted and reported
// (PcmRun.gcInSteady) beside the figure.
//
// Sends one message: { type: "done", runs: PcmRun[] } or { type: "error", message }.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, PerformanceObserver } from "node:perf_hooks";
import { setImmediate as turn } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** One run of the pipeline as the figure needs it. */
export interface PcmRun {
  warmup: boolean;
  periods: number;
  steadyWallMs: number;
  steadyCpuMs: number;
  wallMs: number;
  /** The time of each VU meter line (one a period), ms on this process's clock. */
  lines: number[];
  copied: { ipcBytes: number; windowBytes: number };
  underruns: number;
  /** Collections that began inside the steady state: count and ms, full (mark-compact) and young (scavenge). */
  gcInSteady: { major: number; majorMs: number; minor: number; minorMs: number };
  /** Heap in use after the collection before this run (MB): flat from run to run unless a run leaves something behind. */
  heapBeforeMb: number;
}

export interface PcmChildDone {
  type: "done";
  runs: PcmRun[];
  /** Whether gc() was exposed (a collection before each run), i.e. whether the child ran with --expose-gc. */
  collected: boolean;
}

/** Runs the pipeline warmups + runs times, each after a full collection when `gc` is given. */
export async function pcmRuns(seconds: number, runs: number, warmups: number, gc: (() => void) | null): Promise<PcmRun[]> {
  const { runPcmDemo } = await import("../../cli/demo/pcm.ts");
  const gcs: { t: number; d: number; kind: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({ t: e.startTime, d: e.duration, kind: (e as unknown as { detail: { kind: number } }).detail.kind });
  });
  observer.observe({ entryTypes: ["gc"] });
  const out: PcmRun[] = [];
  try {
    for (let i = 0; i < warmups + runs; i++) {
      // One turn of the event loop first: the stacks of the last run's ended processes unwind in callbacks
      // (process-runtime.ts dispose), and only then is all of that run garbage.
      await turn();
      if (gc !== null) gc();
      const heapBeforeMb = Number((process.memoryUsage().heapUsed / 1e6).toFixed(2));
      const outDir = mkdtempSync(join(tmpdir(), "wasmos-bench-pcm-"));
      try {
        // The VU meter prints a line a period: their times give the steady state's periods one by one.
        const lines: number[] = [];
        const r = await runPcmDemo({
          duration: seconds,
          outDir,
          pingBatches: 0,
          onLine: (line) => {
            if (line.startsWith("vu ")) lines.push(performance.now());
          },
        });
        if (r.init.status !== 0 || r.init.reason !== 0)
          throw new Error(`pcm init ended with status ${r.init.status}, reason ${r.init.reason}: ${r.init.message}`);
        if (r.steady === null) throw new Error("the producer printed no ~mark-audio lines");
        await turn(); // (the observer's entries arrive asynchronously)
        const { startMs, wallMs } = r.steady;
        const inside = gcs.filter((g) => g.t >= startMs && g.t < startMs + wallMs);
        const major = inside.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
        const minor = inside.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MINOR);
        gcs.length = 0;
        out.push({
          warmup: i < warmups,
          periods: r.periods,
          steadyWallMs: r.steady.wallMs,
          steadyCpuMs: r.steady.cpuMs,
          wallMs: r.wallMs,
          lines,
          copied: r.copied,
          underruns: r.audio.underruns,
          gcInSteady: {
            major: major.length,
            majorMs: Number(major.reduce((a, g) => a + g.d, 0).toFixed(2)),
            minor: minor.length,
            minorMs: Number(minor.reduce((a, g) => a + g.d, 0).toFixed(2)),
          },
          heapBeforeMb,
        });
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    }
  } finally {
    observer.disconnect();
  }
  return out;
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [seconds, runs, warmups] = process.argv.slice(2).map(Number);
  const gc = (globalThis as { gc?: () => void }).gc ?? null;
  try {
    const result: PcmChildDone = { type: "done", runs: await pcmRuns(seconds, runs, warmups, gc), collected: gc !== null };
    process.send(result);
  } catch (e) {
    process.send({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
}
