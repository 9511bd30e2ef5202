// The PCM figure's runs, in a Node process of their own (figures/pcm.ts forks
// this):
//
//   node [--expose-gc] bench/figures/pcm-child.ts <seconds> <runs> <warmups> [collect]
//
// A process of its own: a user's run (`wasmos demo pcm`) starts in a fresh
// process; inside `npm run bench` the pcm family would otherwise run on the
// heap every earlier family left (their garbage, their heap limits).
//
// Collections are left to V8, as in a user's host that runs kernel after
// kernel: no forced collection between runs. Each run's collections that
// began inside its steady state are counted and reported beside the figure
// (PcmRun.gcInSteady), so a run that met one shows it. Since a run's kernel
// is unreachable once it is done (test/pcm/release.test.ts), the runs'
// garbage no longer piles up from run to run.
//
// `collect` (with --expose-gc) is the policy measured and not taken, kept
// for A/B runs: gc() before each run, and before each timed run an untimed
// rewarm run after it (pcmRuns). A forced collection between runs frees the
// earlier kernels and with them the hidden classes only they used, and V8
// then deoptimizes the kernel's optimized code that embeds them; the timed
// runs came out slower than without it (best chunk 19.7-24 against 16.2-17.3
// µs a period, in alternating processes), which is no user's state either.
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
  /** Minor page faults this process took inside the steady state (cli/steady-heap.ts says why they matter). */
  pageFaultsInSteady: number;
  /** Heap in use at this run's start (MB; after the collection when the runs are collected between, else with the garbage not yet collected). */
  heapBeforeMb: number;
}

export interface PcmChildDone {
  type: "done";
  runs: PcmRun[];
  /** Whether each run followed a forced collection (and a rewarm run): the `collect` policy. */
  collected: boolean;
}

/**
 * Runs the pipeline warmups + runs times. With `gc`, each run starts after a full collection and, for a timed
 * run, an untimed run of the same length after it (rewarm): the collection frees the earlier runs' kernels and
 * with them the hidden classes (maps) only they used, so V8 deoptimizes the kernel's optimized code that
 * embeds those maps ("embedded weak objects cleared": dispatch, blockAndRun, resume, the window accessors, ...)
 * and a run right after it would re-tier the kernel inside its steady state (best chunk 22-24 against 16-17
 * µs a period). After the rewarm run the timed one finds the code optimized for the maps it uses itself, and
 * exactly one run's garbage on the heap, the same for every timed run.
 */
export async function pcmRuns(seconds: number, runs: number, warmups: number, gc: (() => void) | null): Promise<PcmRun[]> {
  const { runPcmDemo } = await import("../../cli/demo/pcm.ts");
  const gcs: { t: number; d: number; kind: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gcs.push({ t: e.startTime, d: e.duration, kind: (e as unknown as { detail: { kind: number } }).detail.kind });
  });
  observer.observe({ entryTypes: ["gc"] });
  const one = async (warmup: boolean, heapBeforeMb: number): Promise<PcmRun> => {
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
      return {
        warmup,
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
        pageFaultsInSteady: r.steady.pageFaults,
        heapBeforeMb,
      };
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  };
  const out: PcmRun[] = [];
  try {
    for (let i = 0; i < warmups + runs; i++) {
      // One turn of the event loop first: the stacks of the last run's ended processes unwind in callbacks
      // (process-runtime.ts dispose), and only then is all of that run garbage.
      await turn();
      if (gc !== null) gc();
      const heapBeforeMb = Number((process.memoryUsage().heapUsed / 1e6).toFixed(2));
      const warmup = i < warmups;
      if (gc !== null && !warmup) await one(true, heapBeforeMb); // the rewarm run (not reported)
      out.push(await one(warmup, heapBeforeMb));
    }
  } finally {
    observer.disconnect();
  }
  return out;
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [seconds, runs, warmups] = process.argv.slice(2, 5).map(Number);
  const exposed = (globalThis as { gc?: () => void }).gc;
  const gc = process.argv[5] === "collect" && exposed !== undefined ? exposed : null;
  try {
    const result: PcmChildDone = { type: "done", runs: await pcmRuns(seconds, runs, warmups, gc), collected: gc !== null };
    process.send(result);
  } catch (e) {
    process.send({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
}
