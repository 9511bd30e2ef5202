// A/B probe for the folded window (docs/fastpath.md, "window_get in one call"):
// the PCM pipeline with the VU meter's window folded into its dispatcher
// ("fold") and read through an accessor as before ("accessor"), alternating in
// one Node process so both see the same machine load and JIT state. Not part of
// `npm run bench` (which measures the kernel as built).
//
//   node bench/pcm-fold-ab.ts [--rounds 4] [--seconds 30]
//
// Prints per run: the lowest mean period over 50-period chunks (the VU meter's
// line a period, as bench/figures/pcm.ts), the steady state's CPU time a
// period, each guest's wall time in its slices a period (the lowest mean over
// the same chunks; the kernel's beginSlice/endSlice timed from the outside,
// which adds its own ≈0.1 µs a slice), and the load average.

import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { runPcmDemo, PERIOD_MS } from "../cli/demo/pcm.ts";
import { windowFold } from "../host/runtime/fast-path.ts";
import { CpuScheduler } from "../kernel/sched/cpu.ts";
import type { Process } from "../kernel/objects/process.ts";

/** Wall time in slices, ns, by image name (reset per run). */
let inSlices = new Map<string, number>();
let sliceStart = 0;
const begin = CpuScheduler.prototype.beginSlice;
const end = CpuScheduler.prototype.endSlice;
CpuScheduler.prototype.beginSlice = function (p: Process) {
  sliceStart = performance.now();
  begin.call(this, p);
};
CpuScheduler.prototype.endSlice = function (p: Process) {
  end.call(this, p);
  const name = p.image.name;
  inSlices.set(name, (inSlices.get(name) ?? 0) + (performance.now() - sliceStart) * 1e6);
};

const args = process.argv.slice(2);
let rounds = 4;
let seconds = 30;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--rounds") rounds = Number(args[++i]);
  else if (args[i] === "--seconds") seconds = Number(args[++i]);
}
const CHUNK = 50;

async function once(fold: boolean): Promise<{ bestUs: number; cpuUs: number; guests: string }> {
  windowFold.on = fold;
  inSlices = new Map();
  const outDir = mkdtempSync(join(tmpdir(), "wasmos-pcm-fold-ab-"));
  try {
    const lines: number[] = [];
    const snaps: Map<string, number>[] = [];
    const r = await runPcmDemo({
      duration: seconds,
      outDir,
      pingBatches: 0,
      onLine: (line) => {
        if (line.startsWith("vu ")) {
          lines.push(performance.now());
          snaps.push(new Map(inSlices));
        }
      },
    });
    if (r.init.status !== 0 || r.steady === null) throw new Error(`pcm run failed: ${r.init.message}`);
    let best = Infinity;
    for (let k = CHUNK; k + CHUNK < lines.length; k += CHUNK) best = Math.min(best, ((lines[k + CHUNK] - lines[k]) * 1000) / CHUNK);
    const periods = (seconds * 1000) / PERIOD_MS;
    // Each guest's lowest mean over the same chunks (µs a period).
    const guests = [...inSlices.keys()]
      .filter((name) => name !== "pcm-init")
      .map((name) => {
        let g = Infinity;
        for (let k = CHUNK; k + CHUNK < snaps.length; k += CHUNK)
          g = Math.min(g, ((snaps[k + CHUNK].get(name) ?? 0) - (snaps[k].get(name) ?? 0)) / CHUNK / 1000);
        return `${name} ${g.toFixed(2)}`;
      })
      .join(", ");
    return { bestUs: best, cpuUs: (r.steady.cpuMs * 1000) / periods, guests };
  } finally {
    windowFold.on = true;
    rmSync(outDir, { recursive: true, force: true });
  }
}

await once(true); // warm-up (untimed): the kernel's code and the guests tier up
await once(false);
for (let round = 0; round < rounds; round++) {
  for (const fold of round % 2 === 0 ? [true, false] : [false, true]) {
    const load = loadavg()[0].toFixed(2);
    const r = await once(fold);
    console.log(
      `${fold ? "fold    " : "accessor"}  best chunk ${r.bestUs.toFixed(2)} µs/period  steady CPU ${r.cpuUs.toFixed(2)} µs/period  load ${load}\n  in slices, lowest chunk, µs/period: ${r.guests}`,
    );
  }
}
