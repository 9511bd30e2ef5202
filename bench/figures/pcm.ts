// pcm_realtime_factor: seconds of 48 kHz stereo PCM the four-process
// pipeline (producer, audio driver, VU meter, waveform visualizer; the
// `npm start` demo, cli/demo/pcm.ts) moves per second of wall time, in the
// deterministic kernel (it runs as fast as it can). Each run plays `seconds`
// of audio; the figure times the steady state, from the producer's first
// period to its last reply (its "~mark-audio" lines): the fixed costs (boot,
// spawning the pipeline, the drain and revoke at the end, the WAV's writes)
// are reported beside it, not in it (the PNG is encoded after the run, in
// neither). The median over runs, after WARMUP_RUNS untimed runs (not with
// --quick): the first runs of a process compile the kernel and tier it up
// (V8's optimizing compiler takes the kernel's lukewarm functions one by one
// through about ten 30 s runs; docs/fastpath.md "Warm-up: when the JIT has
// settled"), as other families' warm-up batches do. The first run's own
// factor, the cold start, is a figure of its own (pcm_first_run_factor), and
// every untimed run's factor rides along (warmup_factors). The same ratio on
// CPU time (every thread of this Node process) rides along, steadier on a
// loaded machine, as does the kernel's count of bytes copied between
// processes: the sample data must count zero; and the best 50-period chunk
// (best_chunk_us_per_period: the lowest mean period over 50 in a row, timed
// by the VU meter's line a period), which a load spike spoils only where it
// falls.
//
// The runs happen in a Node process of their own (figures/pcm-child.ts), not
// on the heap the earlier families left; collections are left to V8 and
// each run's collections inside its steady state are reported beside it
// (gc_in_steady). See bench/README.md "Collections between runs". That
// process runs under the steady heap, as `wasmos demo pcm` does
// (cli/steady-heap.ts): without it, on a VM where a page fault costs ≈11 µs,
// runs in which V8 hands the pipeline freshly decommitted pages cost twice
// as much a period (page_faults_in_steady shows them).

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { missingPaths } from "../availability.ts";
import type { Family } from "../figure.ts";
import { unavailable, value } from "../figure.ts";
import { median } from "../stats.ts";
import { STEADY_HEAP_FLAGS } from "../../cli/steady-heap.ts";
import type { PcmChildDone, PcmRun } from "./pcm-child.ts";

const DEMO = "cli/demo/pcm.ts";
/** Periods per chunk for best_chunk_us_per_period. */
const CHUNK = 50;
/**
 * Untimed 30 s runs before the timed ones. Measured (bench/pcm-positions.ts, medians over processes by a run's
 * position in its process): the factor rises through a process's first ten runs and then stays level, as does
 * the best 50-period chunk, which levels at the same 15 µs a period as the last windows of one 8-minute run;
 * the rise is V8 compiling the kernel's functions with TurboFan one by one (none of them bails out from the
 * third run on). Ten untimed runs are the steady state of a pipeline that has been playing for five minutes.
 */
export const WARMUP_RUNS = 10;

/**
 * The lowest mean wall time a period over CHUNK consecutive periods (µs), from the times of one line a
 * period; null for a run shorter than two chunks. A load spike on a shared machine spoils the chunks it falls
 * in, not the whole run: beside the figure, the pipeline's cost with the machine's noise mostly left out.
 */
function bestChunkUs(times: readonly number[]): number | null {
  let best = Infinity;
  // (The first chunk is skipped: the guests' code is still tiering up.)
  for (let k = CHUNK; k + CHUNK < times.length; k += CHUNK) best = Math.min(best, ((times[k + CHUNK] - times[k]) * 1000) / CHUNK);
  return best === Infinity ? null : best;
}

export const pcm: Family = {
  name: "pcm",
  keys: ["pcm_realtime_factor", "pcm_first_run_factor"],
  async run(ctx) {
    const missing = missingPaths([DEMO]);
    if (missing !== null) {
      const why = unavailable(`the PCM pipeline is not runnable yet: ${missing}`);
      return { pcm_realtime_factor: why, pcm_first_run_factor: why };
    }
    const { PERIOD_MS } = await import("../../cli/demo/pcm.ts");
    const seconds = ctx.quick ? 0.2 : 30;
    const runs = ctx.quick ? 1 : 5;
    // WARMUP_RUNS untimed runs first (above); their factors are reported beside the median, the first one
    // (the cold start: V8 compiling the kernel's TypeScript and tiering up the guests' code) as a figure of its
    // own. PCM_WARMUPS overrides the count for A/B runs of the definition (1 was the figure's before pcm5).
    const warmups = ctx.quick ? 0 : Number(process.env.PCM_WARMUPS ?? WARMUP_RUNS);
    // The child runs under the steady heap, as `wasmos demo pcm` does (cli/steady-heap.ts); PCM_HEAP=v8 leaves
    // its young generation to V8, for A/B runs of that choice.
    const nodeFlags = process.env.PCM_HEAP === "v8" ? [] : [...STEADY_HEAP_FLAGS];
    const done = await runChild(seconds, runs, warmups, nodeFlags);
    const timed = done.runs.filter((r) => !r.warmup);
    const first = done.runs[0];
    const audioMs = (r: PcmRun) => r.periods * PERIOD_MS;
    const factors = timed.map((r) => audioMs(r) / r.steadyWallMs);
    const chunks = timed.map((r) => bestChunkUs(r.lines)).filter((c): c is number => c !== null);
    const firstFactor = audioMs(first) / first.steadyWallMs;
    const warmupFactors = done.runs.filter((r) => r.warmup).map((r) => Number((audioMs(r) / r.steadyWallMs).toFixed(1)));
    const copied = timed.at(-1)?.copied ?? { ipcBytes: 0, windowBytes: 0 };
    const underruns = timed.reduce((a, r) => a + r.underruns, 0);
    return {
      pcm_realtime_factor: value(
        median(factors),
        {
          unit: "x",
          measures: `seconds of audio per second of wall time: the four-process pipeline playing ${seconds} s of 48 kHz stereo s16 PCM (20 ms periods) into the audio device, deterministic kernel, steady state (the producer's first period to its last reply; start-up, drain, WAV and PNG writes outside); median of ${runs} run(s) after ${warmups} untimed (the JIT settled: pcm_first_run_factor is the cold start), in a process of their own under the steady heap (V8's young generation fixed, as 'wasmos demo pcm' runs: node_flags; page_faults_in_steady), collections left to V8 (those inside each run's steady state: gc_in_steady)`,
          goal: { op: ">=", value: 1000 },
        },
        {
          audio_seconds: seconds,
          runs,
          warmups,
          // Each untimed run's factor in order: the JIT tiering the kernel up, run by run.
          warmup_factors: warmupFactors,
          factors: factors.map((f) => Number(f.toFixed(1))),
          steady_wall_ms: timed.map((r) => Number(r.steadyWallMs.toFixed(1))),
          cpu_factor: Number(median(timed.map((r) => audioMs(r) / r.steadyCpuMs)).toFixed(1)),
          boot_to_exit_factor: Number(median(timed.map((r) => audioMs(r) / r.wallMs)).toFixed(1)),
          fixed_wall_ms: timed.map((r) => Number((r.wallMs - r.steadyWallMs).toFixed(1))),
          // Per timed run: full and young collections that began inside the steady state (count, ms).
          gc_in_steady: timed.map((r) => r.gcInSteady),
          // Per timed run: the minor page faults inside the steady state, and the V8 flags the runs had.
          page_faults_in_steady: timed.map((r) => r.pageFaultsInSteady),
          node_flags: nodeFlags,
          // Heap in use at each run's start, warm-up first (MB; garbage included).
          heap_at_start_mb: done.runs.map((r) => r.heapBeforeMb),
          best_chunk_us_per_period: chunks.length > 0 ? Number(Math.min(...chunks).toFixed(1)) : null,
          best_chunk_factor: chunks.length > 0 ? Number(((PERIOD_MS * 1000) / Math.min(...chunks)).toFixed(1)) : null,
          underruns,
          kernel_copied_bytes: copied,
        },
      ),
      pcm_first_run_factor: value(
        firstFactor,
        {
          unit: "x",
          measures: `the cold start: pcm_realtime_factor's ratio for the first run of a fresh Node process (V8 compiling the kernel's TypeScript and tiering up the guests' code inside it), ${seconds} s of audio, steady state only; one run, so it follows the machine's load`,
        },
        {
          audio_seconds: seconds,
          steady_wall_ms: Number(first.steadyWallMs.toFixed(1)),
          cpu_factor: Number((audioMs(first) / first.steadyCpuMs).toFixed(1)),
          fixed_wall_ms: Number((first.wallMs - first.steadyWallMs).toFixed(1)),
          gc_in_steady: first.gcInSteady,
        },
      ),
    };
  },
};

const CHILD = fileURLToPath(new URL("./pcm-child.ts", import.meta.url));

/** The runs in a child process (pcm-child.ts); rejects with the child's error or how it ended. */
function runChild(seconds: number, runs: number, warmups: number, nodeFlags: readonly string[]): Promise<PcmChildDone> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [String(seconds), String(runs), String(warmups)], {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      execArgv: [...process.execArgv, ...nodeFlags],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    let result: PcmChildDone | null = null;
    let error: string | null = null;
    child.on("message", (m: PcmChildDone | { type: "error"; message: string }) => {
      if (m.type === "done") result = m;
      else error = m.message;
    });
    child.on("exit", (code, signal) => {
      if (result !== null) return resolve(result);
      const last = stderr.trim().split("\n").at(-1) ?? "";
      reject(new Error(error ?? `the pcm child ended with ${signal ?? `exit code ${code}`}${last ? `: ${last}` : ""}`));
    });
  });
}
