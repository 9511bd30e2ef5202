// fuel_overhead_ratio: what load-time fuel metering (loader/instrument/fuel.ts)
// costs a CPU-bound guest (bench/guests/cpu-work.ts): the same guest, same
// kernel code, loaded once by the default loader (metered) and once by a
// loader with { instrument: false }, run one after the other.

import { Kernel } from "../../host/kernel.ts";
import { ImageLoader } from "../../loader/loader.ts";
import type { Family, FigureResult } from "../figure.ts";
import { timed, unavailable, value } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { type Plan, sampleMarked, type Summary } from "../stats.ts";

const UNAVAILABLE =
  "the loader cannot load without fuel instrumentation yet (issue 6: ImageLoader option { instrument: false } and LoadedImage.metered)";

async function workUnit(loader: ImageLoader, bytes: Uint8Array, plan: Plan): Promise<Summary> {
  const kernel = new Kernel({ loader });
  const image = kernel.loadImage(bytes, "cpu-work");
  try {
    return await sampleMarked(plan, (batch, batches) => runMarked(kernel, [{ image, args: [batch, batches], marks: true }]));
  } finally {
    kernel.release(image);
  }
}

export const fuel: Family = {
  name: "fuel",
  keys: ["baseline_cpu_work_unmetered_ns", "cpu_work_metered_ns", "fuel_overhead_ratio"],
  async run(ctx) {
    const bytes = await ctx.images.guest("cpu-work");
    const plain = new ImageLoader(ctx.loader.policy, { instrument: false });
    const metered = ctx.loader;
    // Loaders from before issue 6 ignore the option and have no `metered`: nothing to compare then.
    if (plain.load(bytes, "cpu-work").metered !== false || metered.load(bytes, "cpu-work").metered !== true) {
      const u = unavailable(UNAVAILABLE);
      return { baseline_cpu_work_unmetered_ns: u, cpu_work_metered_ns: u, fuel_overhead_ratio: u };
    }
    const off = await workUnit(plain, bytes, ctx.plan);
    const on = await workUnit(metered, bytes, ctx.plan);
    const out: Record<string, FigureResult> = {
      baseline_cpu_work_unmetered_ns: timed(off, {
        unit: "ns",
        measures: "one unit of cpu-work (sieve of 4096, fib(15), FNV-1a of 4 KiB) in a guest loaded without fuel instrumentation",
      }),
      cpu_work_metered_ns: timed(on, {
        unit: "ns",
        measures: "the same unit in the same guest loaded with fuel instrumentation (the default), slices refilled by the kernel",
        baseline: { key: "baseline_cpu_work_unmetered_ns" },
      }),
      fuel_overhead_ratio: value(on.median / off.median, {
        unit: "x",
        measures:
          "median work-unit time metered / unmetered (cpu_work_metered_ns / baseline_cpu_work_unmetered_ns), fuel counting (the deterministic mode's preemption)",
        goal: { op: "<=", value: 1.25 },
      }),
    };
    return out;
  },
};
