// Timing and statistics shared by every figure: how many operations one
// sample runs (calibrated so a sample lasts long enough for the clock),
// warm-up samples that are thrown away, and the summary of the rest.
//
// A sample is a batch of operations timed as a whole; its per-operation time
// is the batch's duration divided by the operations in it. Median and p99 are
// taken over samples, so p99 says how slow the slowest batches ran, not the
// slowest single operation (which no clock here can see below a microsecond).

/** How much to measure. */
export interface Plan {
  /** Samples run and discarded before measuring (JIT tier-up, caches): at least this many... */
  readonly warmup: number;
  /** ...and at least this long (V8 moves bigger wasm functions to optimized code later). */
  readonly warmupMs: number;
  /** Samples measured. */
  readonly samples: number;
  /** Calibration aims for batches that take about this long. */
  readonly targetSampleMs: number;
  /** Upper bound on a batch, whatever the calibration says. */
  readonly maxBatch: number;
  /** When set, no calibration: every batch has this many operations. */
  readonly fixedBatch: number | null;
}

/** A real run: 200 samples of ~5 ms each (about a second per figure) after at least 500 ms discarded. */
export const FULL_PLAN: Plan = { warmup: 20, warmupMs: 500, samples: 200, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };

/** --quick (and the smoke test): a handful of tiny batches; numbers are structure, not measurements. */
export const QUICK_PLAN: Plan = { warmup: 1, warmupMs: 0, samples: 3, targetSampleMs: 0, maxBatch: 8, fixedBatch: 4 };

/** Warm-up batches for a plan when each batch lasts about plan.targetSampleMs. */
export function warmupBatches(plan: Plan): number {
  return plan.targetSampleMs > 0 ? Math.max(plan.warmup, Math.ceil(plan.warmupMs / plan.targetSampleMs)) : plan.warmup;
}

/** What a figure reports about a set of samples (times in the figure's unit). */
export interface Summary {
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  /** Samples summarised (warm-up excluded). */
  readonly samples: number;
  /** Operations measured in those samples. */
  readonly iterations: number;
}

/** The p-th percentile (0..100) by nearest rank. Throws RangeError on an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Summarise per-operation values; `iterations` is the operations they stand for. */
export function summarize(perOp: readonly number[], iterations: number): Summary {
  if (perOp.length === 0) throw new RangeError("no samples to summarise");
  let sum = 0;
  for (const v of perOp) sum += v;
  return {
    median: median(perOp),
    p99: percentile(perOp, 99),
    min: Math.min(...perOp),
    max: Math.max(...perOp),
    mean: sum / perOp.length,
    samples: perOp.length,
    iterations,
  };
}

/**
 * `plan` cut into `chunks` plans for a figure measured in turns with its baseline: the samples shared out (the
 * first chunk takes the remainder), the first chunk warmed up as `plan` says, the others, which run code already
 * warm, with at most two batches and no minimum time (a fresh guest's first batches carry its start).
 */
export function chunkPlans(plan: Plan, chunks: number): Plan[] {
  const n = Math.max(1, Math.min(chunks, plan.samples));
  const each = Math.floor(plan.samples / n);
  return Array.from({ length: n }, (_, i) =>
    i === 0
      ? { ...plan, samples: plan.samples - each * (n - 1) }
      : { ...plan, samples: each, warmup: Math.min(plan.warmup, 2), warmupMs: 0 },
  );
}

/**
 * One summary for a figure measured in chunks (chunkPlans): the median of the chunks' medians (their sample
 * counts differ by less than one chunk), the mean weighted by samples, the extremes and the worst p99 of any.
 */
export function mergeSummaries(parts: readonly Summary[]): Summary {
  if (parts.length === 0) throw new RangeError("no summaries to merge");
  const samples = parts.reduce((a, s) => a + s.samples, 0);
  return {
    median: median(parts.map((s) => s.median)),
    p99: Math.max(...parts.map((s) => s.p99)),
    min: Math.min(...parts.map((s) => s.min)),
    max: Math.max(...parts.map((s) => s.max)),
    mean: parts.reduce((a, s) => a + s.mean * s.samples, 0) / samples,
    samples,
    iterations: parts.reduce((a, s) => a + s.iterations, 0),
  };
}

/**
 * A figure measured in turns with its baseline: the baseline, a chunk of the figure, the baseline, ..., the
 * baseline, one chunk per plan. `baseline` gives the baseline's central value for a plan; each chunk's ratio is
 * its median over the mean of the baselines just before and after it. The baseline after the first warms up as
 * the last plan says (briefly: it ran already).
 */
export async function alternate<T extends Summary>(
  plans: readonly Plan[],
  baseline: (plan: Plan) => Promise<number>,
  measure: (plan: Plan) => Promise<T>,
): Promise<{ parts: T[]; baselines: number[]; ratios: number[] }> {
  const baselines = [await baseline(plans[0])];
  const parts: T[] = [];
  for (const plan of plans) {
    parts.push(await measure(plan));
    baselines.push(await baseline(plans[plans.length - 1]));
  }
  return { parts, baselines, ratios: parts.map((p, i) => p.median / ((baselines[i] + baselines[i + 1]) / 2)) };
}

/**
 * The note of a ratio taken in turns (alternate): over how many chunks, against which baseline, the baseline's
 * range as the caller words it, and the chunks' ratios.
 */
export function turnsNote(chunks: number, baseline: string, baselineRange: string, ratios: readonly number[]): string {
  return (
    `the ratio is the median of ${chunks} chunks' ratios, each against the ${baseline} measured just before and after it ` +
    `(${baselineRange}, chunks' ratios ${span(ratios, 3)})`
  );
}

/** "min-max" of values, each with `digits` decimals (a note's range). */
export function span(values: readonly number[], digits: number): string {
  return `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`;
}

/** Scale every time in a summary (ns -> us, or per-RTT -> per-switch). */
export function scaleSummary(s: Summary, factor: number): Summary {
  return { ...s, median: s.median * factor, p99: s.p99 * factor, min: s.min * factor, max: s.max * factor, mean: s.mean * factor };
}

/**
 * Per-operation nanoseconds as operations per second. The tail flips: p99
 * becomes the rate of the slowest 1% of batches (so p99 <= median), and the
 * mean is the overall rate (operations over total time).
 */
export function rateSummary(ns: Summary): Summary {
  const rate = (v: number) => 1e9 / v;
  return { ...ns, median: rate(ns.median), p99: rate(ns.p99), min: rate(ns.max), max: rate(ns.min), mean: rate(ns.mean) };
}

/** Milliseconds, sub-microsecond resolution. */
export const now = (): number => performance.now();

/** Runs `batch` operations; resolves when they are done. */
export type BatchRunner = (batch: number) => Promise<void> | void;

/** Runs `batch` operations and says how long they took, in milliseconds. */
export type BatchTimer = (batch: number) => Promise<number>;

/** A BatchTimer that times runBatch from the host. */
export function timeHost(runBatch: BatchRunner): BatchTimer {
  return async (batch) => {
    const t0 = now();
    await runBatch(batch);
    return now() - t0;
  };
}

/**
 * The batch size for `plan`: the fixed one, or grown from 1 until a batch
 * takes at least a quarter of plan.targetSampleMs, then scaled to the target
 * (capped at plan.maxBatch). A batch that reaches the threshold is measured
 * again and the faster run counts, so one cold run (first calls, tier-up)
 * cannot stop the growth early. Calibration batches double as warm-up.
 */
export async function calibrate(plan: Plan, measure: BatchTimer): Promise<number> {
  if (plan.fixedBatch !== null) return plan.fixedBatch;
  const enough = plan.targetSampleMs / 4;
  let batch = 1;
  for (;;) {
    let ms = await measure(batch);
    if (ms >= enough) ms = Math.min(ms, await measure(batch));
    if (ms >= enough || batch >= plan.maxBatch) {
      const scaled = ms > 0 ? Math.round((batch * plan.targetSampleMs) / ms) : batch;
      return Math.max(1, Math.min(plan.maxBatch, scaled));
    }
    batch = Math.min(plan.maxBatch, ms < plan.targetSampleMs / 64 ? batch * 8 : batch * 2);
  }
}

/**
 * Time operations with `measure` (which says how long a batch took): calibrate,
 * warm up, then plan.samples batches. `opsPerCall` divides each batch when
 * one counted operation performs several measured ones. Returns nanoseconds
 * per operation.
 */
export async function sampleTimed(plan: Plan, measure: BatchTimer, opsPerCall = 1): Promise<Summary> {
  const batch = await calibrate(plan, measure);
  const warm = warmupBatches(plan);
  for (let i = 0; i < warm; i++) await measure(batch);
  const perOp: number[] = [];
  for (let i = 0; i < plan.samples; i++) perOp.push(((await measure(batch)) * 1e6) / (batch * opsPerCall));
  return summarize(perOp, plan.samples * batch * opsPerCall);
}

/**
 * sampleTimed with this process's CPU time (user + system, process.cpuUsage) as the batch's measure instead
 * of the wall clock: on a shared machine another process's time slices do not count. `run` may be async.
 */
export function sampleCpu(plan: Plan, run: (n: number) => unknown, opsPerCall = 1): Promise<Summary> {
  return sampleTimed(
    plan,
    async (n) => {
      const c = process.cpuUsage();
      await run(n);
      const d = process.cpuUsage(c);
      return (d.user + d.system) / 1000;
    },
    opsPerCall,
  );
}

/** sampleTimed for operations the host drives, each batch timed around runBatch. */
export function sampleHost(plan: Plan, runBatch: BatchRunner, opsPerCall = 1): Promise<Summary> {
  return sampleTimed(plan, timeHost(runBatch), opsPerCall);
}

/**
 * Per-operation nanoseconds from mark times (ms): a guest writes a mark
 * before its first batch and after each one. The first `warmup` batches are
 * dropped; each batch performed `opsPerBatch` operations.
 */
export function summarizeMarks(marks: readonly number[], warmup: number, opsPerBatch: number): Summary {
  const perOp: number[] = [];
  for (let i = warmup + 1; i < marks.length; i++) perOp.push(((marks[i] - marks[i - 1]) * 1e6) / opsPerBatch);
  return summarize(perOp, perOp.length * opsPerBatch);
}

/** Runs `batches` batches of `batch` operations in a guest; resolves with the batches + 1 mark times (ms). */
export type MarkedRunner = (batch: number, batches: number) => Promise<number[]>;

/**
 * Time operations a guest drives (bench/marks.ts): calibrate on the second
 * batch of two-batch runs, then one run of warm-up + plan.samples batches whose warm-up
 * batches are dropped. `opsPerIteration` counts the measured
 * operations one loop iteration performs (two switches per yield pair, ...).
 * Returns nanoseconds per operation. Throws Error when the guest wrote the
 * wrong number of marks.
 */
export async function sampleMarked(plan: Plan, run: MarkedRunner, opsPerIteration = 1): Promise<Summary> {
  const marked = async (batch: number, batches: number): Promise<number[]> => {
    const marks = await run(batch, batches);
    if (marks.length !== batches + 1) throw new Error(`guest wrote ${marks.length} marks, expected ${batches + 1}`);
    return marks;
  };
  // Each calibration run is a fresh guest, whose first batch also carries what it does once (a server it
  // spawns starting, its first calls): the second batch is the one timed. Timing the first let a slow start
  // pass for a slow operation and set batches of 2-3 operations, each mostly the marks' cost (pulse_ns read
  // 573-808 ns instead of ≈155 in some runs: docs/fastpath.md, vdsoc).
  const batch = await calibrate(plan, async (b) => {
    const m = await marked(b, 2);
    return m[2] - m[1];
  });
  const warm = warmupBatches(plan);
  const marks = await marked(batch, warm + plan.samples);
  return summarizeMarks(marks, warm, batch * opsPerIteration);
}
