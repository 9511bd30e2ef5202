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

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingPaths } from "../availability.ts";
import type { Family } from "../figure.ts";
import { unavailable, value } from "../figure.ts";
import { median } from "../stats.ts";

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
    const { runPcmDemo, PERIOD_MS } = await import("../../cli/demo/pcm.ts");
    const seconds = ctx.quick ? 0.2 : 30;
    const runs = ctx.quick ? 1 : 5;
    const factors: number[] = [];
    const cpuFactors: number[] = [];
    const bootFactors: number[] = [];
    const walls: number[] = [];
    const fixed: number[] = [];
    const chunks: number[] = [];
    let copied = { ipcBytes: 0, windowBytes: 0 };
    let underruns = 0;
    // One untimed run first, as every other family warms up: the first run of a process pays for V8 compiling
    // the kernel's TypeScript and tiering up the guests' code (which it keeps for identical modules), and read
    // 0.4-0.7x the later runs' figure here. Its figure is reported beside, not in, the median.
    let warmupFactor: number | null = null;
    const warmups = ctx.quick ? 0 : 1;
    for (let i = 0; i < warmups + runs; i++) {
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
        const audioMs = r.periods * PERIOD_MS;
        if (i < warmups) {
          warmupFactor = audioMs / r.steady.wallMs;
          continue;
        }
        factors.push(audioMs / r.steady.wallMs);
        cpuFactors.push(audioMs / r.steady.cpuMs);
        bootFactors.push(audioMs / r.wallMs);
        walls.push(Number(r.steady.wallMs.toFixed(1)));
        fixed.push(Number((r.wallMs - r.steady.wallMs).toFixed(1)));
        const chunk = bestChunkUs(lines);
        if (chunk !== null) chunks.push(chunk);
        copied = r.copied;
        underruns += r.audio.underruns;
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    }
    return {
      pcm_realtime_factor: value(
        median(factors),
        {
          unit: "x",
          measures: `seconds of audio per second of wall time: the four-process pipeline playing ${seconds} s of 48 kHz stereo s16 PCM (20 ms periods) into the audio device, deterministic kernel, steady state (the producer's first period to its last reply; start-up, drain, WAV and PNG writes outside); median of ${runs} run(s) after ${warmups} untimed`,
          goal: { op: ">=", value: 1000 },
        },
        {
          audio_seconds: seconds,
          runs,
          warmup_factor: warmupFactor === null ? null : Number(warmupFactor.toFixed(1)),
          factors: factors.map((f) => Number(f.toFixed(1))),
          steady_wall_ms: walls,
          cpu_factor: Number(median(cpuFactors).toFixed(1)),
          boot_to_exit_factor: Number(median(bootFactors).toFixed(1)),
          fixed_wall_ms: fixed,
          best_chunk_us_per_period: chunks.length > 0 ? Number(Math.min(...chunks).toFixed(1)) : null,
          best_chunk_factor: chunks.length > 0 ? Number(((PERIOD_MS * 1000) / Math.min(...chunks)).toFixed(1)) : null,
          underruns,
          kernel_copied_bytes: copied,
        },
      ),
    };
  },
};
