// fuel_overhead_ratio: what load-time fuel metering (loader/instrument/fuel.ts)
// costs a CPU-bound guest (bench/guests/cpu-work.ts): the same guest, same
// kernel code, loaded once by the default loader (metered) and once by a
// loader with { instrument: false }, run one after the other.
// fuel_overhead_ratio_realtime: the same in a real-time kernel, where the
// guest is the epoch variant (a flag check per charge point, raised by
// hal/node's ticker thread), against the unmetered guest in a real-time
// kernel too.

import { Kernel } from "../../host/kernel.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { ImageLoader } from "../../loader/loader.ts";
import type { Family, FigureResult } from "../figure.ts";
import { timed, unavailable, value } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { type Plan, sampleMarked, type Summary } from "../stats.ts";

const UNAVAILABLE =
  "the loader cannot load without fuel instrumentation yet (issue 6: ImageLoader option { instrument: false } and LoadedImage.metered)";

async function workUnit(loader: ImageLoader, bytes: Uint8Array, plan: Plan, realtime = false): Promise<Summary> {
  const kernel = new Kernel(realtime ? { loader, deterministic: false, epochTicker: nodeEpochTicker() } : { loader });
  const image = kernel.loadImage(bytes, "cpu-work");
  try {
    return await sampleMarked(plan, (batch, batches) => runMarked(kernel, [{ image, args: [batch, batches], marks: true }]));
  } finally {
    kernel.release(image);
  }
}

export const fuel: Family = {
  name: "fuel",
  keys: [
    "baseline_cpu_work_unmetered_ns",
    "cpu_work_metered_ns",
    "fuel_overhead_ratio",
    "baseline_cpu_work_unmetered_realtime_ns",
    "cpu_work_epoch_ns",
    "fuel_overhead_ratio_realtime",
  ],
  async run(ctx) {
    const bytes = await ctx.images.guest("cpu-work");
    const plain = new ImageLoader(ctx.loader.policy, { instrument: false });
    const metered = ctx.loader;
    // Loaders from before issue 6 ignore the option and have no `metered`: nothing to compare then.
    if (plain.load(bytes, "cpu-work").metered !== false || metered.load(bytes, "cpu-work").metered !== true) {
      const u = unavailable(UNAVAILABLE);
      return {
        baseline_cpu_work_unmetered_ns: u,
        cpu_work_metered_ns: u,
        fuel_overhead_ratio: u,
        baseline_cpu_work_unmetered_realtime_ns: u,
        cpu_work_epoch_ns: u,
        fuel_overhead_ratio_realtime: u,
      };
    }
    const epoch = new ImageLoader(ctx.loader.policy, { preemption: "epoch" });
    const off = await workUnit(plain, bytes, ctx.plan);
    const on = await workUnit(metered, bytes, ctx.plan);
    const offRt = await workUnit(plain, bytes, ctx.plan, true);
    const onRt = await workUnit(epoch, bytes, ctx.plan, true);
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
      // The min-based ratio beside it: on a shared machine the unmetered side's median spread most (JSON detail).
      fuel_overhead_ratio: value(
        on.median / off.median,
        {
          unit: "x",
          measures:
            "median work-unit time metered / unmetered (cpu_work_metered_ns / baseline_cpu_work_unmetered_ns), fuel counting (the deterministic mode's preemption)",
          goal: { op: "<=", value: 1.25 },
        },
        { min_ratio: on.min / off.min },
      ),
      baseline_cpu_work_unmetered_realtime_ns: timed(offRt, {
        unit: "ns",
        measures: "one unit of cpu-work in a guest loaded without fuel instrumentation, in a real-time kernel",
      }),
      cpu_work_epoch_ns: timed(onRt, {
        unit: "ns",
        measures: "the same unit in the epoch variant (a flag check per charge point) in a real-time kernel with hal/node's ticker",
        baseline: { key: "baseline_cpu_work_unmetered_realtime_ns" },
      }),
      fuel_overhead_ratio_realtime: value(
        onRt.median / offRt.median,
        {
          unit: "x",
          measures:
            "median work-unit time epoch variant / unmetered, both in real-time kernels (cpu_work_epoch_ns / baseline_cpu_work_unmetered_realtime_ns): the real-time mode's preemption",
          goal: { op: "<=", value: 1.15 },
        },
        { min_ratio: onRt.min / offRt.min },
      ),
    };
    return out;
  },
};
