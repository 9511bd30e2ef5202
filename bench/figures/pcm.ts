// pcm_realtime_factor: seconds of 48 kHz stereo PCM the four-process
// pipeline (producer, audio driver, VU meter, waveform visualizer; the
// `npm start` demo, cli/demo/pcm.ts) moves per second of wall time, in the
// deterministic kernel (it runs as fast as it can). Each run plays `seconds`
// of audio from boot to the end of init, start-up included; the figure is
// the median over runs. The kernel's count of bytes copied between
// processes rides along: the sample data must count zero.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingPaths } from "../availability.ts";
import type { Family } from "../figure.ts";
import { unavailable, value } from "../figure.ts";
import { median } from "../stats.ts";

const DEMO = "cli/demo/pcm.ts";

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
    const walls: number[] = [];
    let copied = { ipcBytes: 0, windowBytes: 0 };
    let underruns = 0;
    for (let i = 0; i < runs; i++) {
      const outDir = mkdtempSync(join(tmpdir(), "wasmos-bench-pcm-"));
      try {
        const r = await runPcmDemo({ duration: seconds, outDir, pingBatches: 0 });
        if (r.init.status !== 0 || r.init.reason !== 0)
          throw new Error(`pcm init ended with status ${r.init.status}, reason ${r.init.reason}: ${r.init.message}`);
        factors.push((r.periods * PERIOD_MS) / r.wallMs);
        walls.push(Math.round(r.wallMs));
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
          measures: `seconds of audio per second of wall time: the four-process pipeline playing ${seconds} s of 48 kHz stereo s16 PCM (20 ms periods) into the audio device, boot to exit, deterministic kernel; median of ${runs} run(s)`,
          goal: { op: ">=", value: 1000 },
        },
        {
          audio_seconds: seconds,
          runs,
          factors: factors.map((f) => Number(f.toFixed(1))),
          wall_ms: walls,
          underruns,
          kernel_copied_bytes: copied,
        },
      ),
    };
  },
};
