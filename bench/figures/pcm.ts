// pcm_realtime_factor: seconds of 48 kHz stereo PCM the four-process
// pipeline (producer, audio driver, VU meter, waveform visualizer; the
// `npm start` demo, cli/demo/pcm.ts) moves per second of wall time, in the
// deterministic kernel (it runs as fast as it can). Each run plays `seconds`
// of audio; the figure times the steady state, from the producer's first
// period to its last reply (its "~mark-audio" lines): the fixed costs (boot,
// spawning the pipeline, the drain and revoke at the end, the WAV's writes)
// are reported beside it, not in it (the PNG is encoded after the run, in
// neither). The median over runs, after one untimed run (not with --quick):
// the first run in a process compiles the kernel and tiers up the guests, as
// other families' warm-up batches do. The same ratio on
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
// (gc_in_steady). See bench/README.md "Collections between runs".

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { missingPaths } from "../availability.ts";
import type { Family } from "../figure.ts";
import { unavailable, value } from "../figure.ts";
import { median } from "../stats.ts";
import type { PcmChildDone, PcmRun } from "./pcm-child.ts";

const DEMO = "cli/demo/pcm.ts";
/** Periods per chunk for best_chunk_us_per_period. */
const CHUNK = 50;

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
  keys: ["pcm_realtime_factor"],
  async run(ctx) {
    const missing = missingPaths([DEMO]);
    if (missing !== null) return { pcm_realtime_factor: unavailable(`the PCM pipeline is not runnable yet: ${missing}`) };
    const { PERIOD_MS } = await import("../../cli/demo/pcm.ts");
    const seconds = ctx.quick ? 0.2 : 30;
    const runs = ctx.quick ? 1 : 5;
    // One untimed run first, as every other family warms up: the first run of a process pays for V8 compiling
    // the kernel's TypeScript and tiering up the guests' code (which it keeps for identical modules), and read
    // 0.4-0.7x the later runs' figure here. Its figure is reported beside, not in, the median.
    const warmups = ctx.quick ? 0 : 1;
    const done = await runChild(seconds, runs, warmups);
    const timed = done.runs.filter((r) => !r.warmup);
    const warm = done.runs.find((r) => r.warmup);
    const audioMs = (r: PcmRun) => r.periods * PERIOD_MS;
    const factors = timed.map((r) => audioMs(r) / r.steadyWallMs);
    const chunks = timed.map((r) => bestChunkUs(r.lines)).filter((c): c is number => c !== null);
    const warmupFactor = warm === undefined ? null : audioMs(warm) / warm.steadyWallMs;
    const copied = timed.at(-1)?.copied ?? { ipcBytes: 0, windowBytes: 0 };
    const underruns = timed.reduce((a, r) => a + r.underruns, 0);
    return {
      pcm_realtime_factor: value(
        median(factors),
        {
          unit: "x",
          measures: `seconds of audio per second of wall time: the four-process pipeline playing ${seconds} s of 48 kHz stereo s16 PCM (20 ms periods) into the audio device, deterministic kernel, steady state (the producer's first period to its last reply; start-up, drain, WAV and PNG writes outside); median of ${runs} run(s) after ${warmups} untimed, in a process of their own, collections left to V8 (those inside each run's steady state: gc_in_steady)`,
          goal: { op: ">=", value: 1000 },
        },
        {
          audio_seconds: seconds,
          runs,
          warmup_factor: warmupFactor === null ? null : Number(warmupFactor.toFixed(1)),
          factors: factors.map((f) => Number(f.toFixed(1))),
          steady_wall_ms: timed.map((r) => Number(r.steadyWallMs.toFixed(1))),
          cpu_factor: Number(median(timed.map((r) => audioMs(r) / r.steadyCpuMs)).toFixed(1)),
          boot_to_exit_factor: Number(median(timed.map((r) => audioMs(r) / r.wallMs)).toFixed(1)),
          fixed_wall_ms: timed.map((r) => Number((r.wallMs - r.steadyWallMs).toFixed(1))),
          // Per timed run: full and young collections that began inside the steady state (count, ms).
          gc_in_steady: timed.map((r) => r.gcInSteady),
          // Heap in use at each run's start, warm-up first (MB; garbage included).
          heap_at_start_mb: done.runs.map((r) => r.heapBeforeMb),
          best_chunk_us_per_period: chunks.length > 0 ? Number(Math.min(...chunks).toFixed(1)) : null,
          best_chunk_factor: chunks.length > 0 ? Number(((PERIOD_MS * 1000) / Math.min(...chunks)).toFixed(1)) : null,
          underruns,
          kernel_copied_bytes: copied,
        },
      ),
    };
  },
};

const CHILD = fileURLToPath(new URL("./pcm-child.ts", import.meta.url));

/** The runs in a child process (pcm-child.ts); rejects with the child's error or how it ended. */
function runChild(seconds: number, runs: number, warmups: number): Promise<PcmChildDone> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [String(seconds), String(runs), String(warmups)], { stdio: ["ignore", "ignore", "pipe", "ipc"] });
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
