// fuel_overhead_ratio: what load-time fuel metering (loader/instrument/fuel.ts)
// costs a CPU-bound guest (bench/guests/cpu-work.ts): the same guest, same
// kernel code, loaded once by the default loader (metered) and once by a
// loader with { instrument: false }, run one after the other.
// fuel_overhead_ratio_realtime: the same in a real-time kernel, where the
// guest is the epoch variant (a flag check per charge point, raised by
// hal/node's ticker thread), against the unmetered guest in a real-time
// kernel too.
// fuel_overhead_ratio_calls: the counting variant against the unmetered
// guest on bench/guests/call-work.ts (recursion, allocation, an indirect
// call per comparison, a Map): code that is mostly calls, where entry
// charges and the counter's sync around calls cost, not loop headers.
//
// Protocol: the six sides (unmetered, counting, unmetered real-time, epoch,
// and call-work unmetered and counting)
// take turns, in ROUNDS rounds of a run each, and each side's samples are
// pooled over its rounds. Run one after the other (as before 5 Dec 2026),
// a side that happened to meet a busier machine moved its ratio by 10% and
// more on the shared 2-core machine (the real-time ratio read 1.13 and 1.23
// on the same code the same day); taking turns puts the same load on both
// sides of each ratio.

import { Kernel } from "../../host/kernel.ts";
import { nodeEpochTicker } from "../../hal/node/epoch-ticker.ts";
import { ImageLoader } from "../../loader/loader.ts";
import type { Describe, Family, FigureResult } from "../figure.ts";
import { timed, unavailable, value } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { calibrate, now, type Plan, summarize, type Summary, warmupBatches } from "../stats.ts";

const UNAVAILABLE =
  "the loader cannot load without fuel instrumentation yet (issue 6: ImageLoader option { instrument: false } and LoadedImage.metered)";

/** Rounds the sides take turns in (each side's samples are split evenly over them). */
const ROUNDS = 5;

interface Side {
  readonly kernel: Kernel;
  readonly image: ReturnType<Kernel["loadImage"]>;
  batch: number;
  readonly perOp: number[];
  /** The main thread's CPU time (ms) over the kept batches, and the operations they ran. */
  cpuMs: number;
  ops: number;
}

function side(loader: ImageLoader, bytes: Uint8Array, name: string, realtime = false): Side {
  const kernel = new Kernel(realtime ? { loader, deterministic: false, epochTicker: nodeEpochTicker() } : { loader });
  return { kernel, image: kernel.loadImage(bytes, name), batch: 0, perOp: [], cpuMs: 0, ops: 0 };
}

/** This thread's CPU time, user + system, in ms (the kernel and the guests run on it; the ticker thread does not). */
function threadCpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * One marked run of `batches` batches on a side; per-operation ns of all
 * but the first `drop` batches go to its samples, and the thread's CPU time
 * over them to its total (read at each mark beside the wall clock).
 */
async function runSide(s: Side, batches: number, drop: number): Promise<void> {
  const cpu: number[] = [];
  const clock = (): number => {
    cpu.push(threadCpuMs());
    return now();
  };
  const marks = await runMarked(s.kernel, [{ image: s.image, args: [s.batch, batches], marks: true }], undefined, clock);
  if (marks.length !== batches + 1) throw new Error(`${s.image.name} wrote ${marks.length} marks, expected ${batches + 1}`);
  for (let i = drop + 1; i < marks.length; i++) s.perOp.push(((marks[i] - marks[i - 1]) * 1e6) / s.batch);
  s.cpuMs += cpu[cpu.length - 1] - cpu[drop];
  s.ops += (batches - drop) * s.batch;
}

/** CPU ns per operation of a side (its whole measured time: the thread's CPU clock ticks too coarsely to time a batch). */
const cpuPerOp = (s: Side): number => (s.cpuMs * 1e6) / s.ops;

/**
 * An overhead figure: the median time of side `on` over side `off`, with (JSON
 * detail) the min-based ratio and the ratio of main-thread CPU time per unit
 * over all measured batches, which a busy machine moves least (it does not
 * count time the process waited for a core).
 */
function overheadRatio(on: Summary, off: Summary, onSide: Side, offSide: Side, d: Omit<Describe, "unit">): FigureResult {
  return value(
    on.median / off.median,
    { unit: "x", ...d },
    { min_ratio: on.min / off.min, cpu_ratio: cpuPerOp(onSide) / cpuPerOp(offSide) },
  );
}

/**
 * Each side calibrated and warmed up (as sampleMarked does), then ROUNDS
 * rounds in which every side runs its share of plan.samples batches in
 * turn (the first batch of each run dropped: the process is new, its code
 * is not). Returns each side's summary, in order.
 */
async function alternate(plan: Plan, sides: Side[]): Promise<Summary[]> {
  for (const s of sides) {
    s.batch = await calibrate(plan, async (b) => {
      const m = await runMarked(s.kernel, [{ image: s.image, args: [b, 1], marks: true }]);
      return m[1] - m[0];
    });
    await runSide(s, warmupBatches(plan), warmupBatches(plan));
  }
  const rounds = Math.max(1, Math.min(ROUNDS, plan.samples));
  for (let r = 0; r < rounds; r++) {
    const share = Math.floor(plan.samples / rounds) + (r < plan.samples % rounds ? 1 : 0);
    for (const s of sides) await runSide(s, share + 1, 1);
  }
  return sides.map((s) => summarize(s.perOp, s.perOp.length * s.batch));
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
    "baseline_call_work_unmetered_ns",
    "call_work_metered_ns",
    "fuel_overhead_ratio_calls",
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
        baseline_call_work_unmetered_ns: u,
        call_work_metered_ns: u,
        fuel_overhead_ratio_calls: u,
      };
    }
    const epoch = new ImageLoader(ctx.loader.policy, { preemption: "epoch" });
    const calls = await ctx.images.guest("call-work");
    const sides = [
      side(plain, bytes, "cpu-work"),
      side(metered, bytes, "cpu-work"),
      side(plain, bytes, "cpu-work", true),
      side(epoch, bytes, "cpu-work", true),
      side(plain, calls, "call-work"),
      side(metered, calls, "call-work"),
    ];
    let off: Summary, on: Summary, offRt: Summary, onRt: Summary, offCalls: Summary, onCalls: Summary;
    try {
      [off, on, offRt, onRt, offCalls, onCalls] = await alternate(ctx.plan, sides);
    } finally {
      for (const s of sides) s.kernel.release(s.image);
    }
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
      fuel_overhead_ratio: overheadRatio(on, off, sides[1], sides[0], {
        measures:
          "median work-unit time metered / unmetered (cpu_work_metered_ns / baseline_cpu_work_unmetered_ns), fuel counting (the deterministic mode's preemption)",
        goal: { op: "<=", value: 1.25 },
      }),
      baseline_cpu_work_unmetered_realtime_ns: timed(offRt, {
        unit: "ns",
        measures: "one unit of cpu-work in a guest loaded without fuel instrumentation, in a real-time kernel",
      }),
      cpu_work_epoch_ns: timed(onRt, {
        unit: "ns",
        measures: "the same unit in the epoch variant (a flag check per charge point) in a real-time kernel with hal/node's ticker",
        baseline: { key: "baseline_cpu_work_unmetered_realtime_ns" },
      }),
      fuel_overhead_ratio_realtime: overheadRatio(onRt, offRt, sides[3], sides[2], {
        measures:
          "median work-unit time epoch variant / unmetered, both in real-time kernels (cpu_work_epoch_ns / baseline_cpu_work_unmetered_realtime_ns): the real-time mode's preemption",
        goal: { op: "<=", value: 1.15 },
      }),
      baseline_call_work_unmetered_ns: timed(offCalls, {
        unit: "ns",
        measures:
          "one unit of call-work (Ackermann(2,3), a 63-node tree built and summed, 64 ints sorted through a comparator, a word count in a Map) in a guest loaded without fuel instrumentation",
      }),
      call_work_metered_ns: timed(onCalls, {
        unit: "ns",
        measures: "the same unit of call-work loaded with fuel instrumentation (the counting variant), slices refilled by the kernel",
        baseline: { key: "baseline_call_work_unmetered_ns" },
      }),
      fuel_overhead_ratio_calls: overheadRatio(onCalls, offCalls, sides[5], sides[4], {
        measures:
          "median work-unit time metered / unmetered on the call-heavy guest (call_work_metered_ns / baseline_call_work_unmetered_ns), fuel counting: the deterministic mode's preemption on code that is mostly calls, not tight loops",
        goal: { op: "<=", value: 1.25 },
      }),
    };
    return out;
  },
};
