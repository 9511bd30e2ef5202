// The harness's own logic, with fake families and fake clocks: statistics,
// calibration, choosing families for --filter, ratios and goals, the CLI's
// arguments and the table. Nothing here is timed.
import { describe, expect, it } from "vitest";
import { type Family, type FigureResult, timed, unavailable, value } from "../../bench/figure.ts";
import { compare, runBench, selectFamilies } from "../../bench/harness.ts";
import { formatTable } from "../../bench/report.ts";
import { runMarked } from "../../bench/marks.ts";
import { parseArgs } from "../../bench/run.ts";
import { Kernel } from "../../host/kernel.ts";
import { guest } from "../helpers/wat.ts";
import {
  alternate,
  calibrate,
  chunkPlans,
  FULL_PLAN,
  median,
  mergeSummaries,
  percentile,
  type Plan,
  QUICK_PLAN,
  sampleMarked,
  summarize,
  summarizeMarks,
  warmupBatches,
} from "../../bench/stats.ts";

const summary = (median: number) => summarize([median], 10);

describe("statistics", () => {
  it("percentile takes the nearest rank and median averages the middle pair", () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([5], 99)).toBe(5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it("summarize reports iterations as given and p99 at or above the median", () => {
    const s = summarize([1, 2, 3, 100], 400);
    expect(s).toMatchObject({ median: 2.5, p99: 100, min: 1, max: 100, mean: 26.5, samples: 4, iterations: 400 });
  });

  it("summarizeMarks drops warm-up batches and divides by operations per batch", () => {
    // Marks in ms: the first batch (warm-up) took 5 ms, the next two 1 ms and 2 ms, 1000 ops each.
    const s = summarizeMarks([0, 5, 6, 8], 1, 1000);
    expect(s.samples).toBe(2);
    expect(s.iterations).toBe(2000);
    expect(s.min).toBeCloseTo(1000); // ns per op
    expect(s.max).toBeCloseTo(2000);
  });

  it("chunkPlans shares the samples out and warms up the first chunk only as the plan says", () => {
    const plans = chunkPlans(FULL_PLAN, 8);
    expect(plans.map((p) => p.samples)).toEqual([25, 25, 25, 25, 25, 25, 25, 25]);
    expect(plans[0]).toEqual({ ...FULL_PLAN, samples: 25 });
    for (const p of plans.slice(1)) expect(p).toMatchObject({ warmup: 2, warmupMs: 0, targetSampleMs: FULL_PLAN.targetSampleMs });
    expect(chunkPlans({ ...FULL_PLAN, samples: 10 }, 4).map((p) => p.samples)).toEqual([4, 2, 2, 2]);
    expect(chunkPlans(QUICK_PLAN, 8).map((p) => p.samples)).toEqual([1, 1, 1]); // never a chunk without samples
  });

  it("mergeSummaries takes the median of the chunks' medians, the extremes of all and the mean by samples", () => {
    const m = mergeSummaries([summarize([1, 2, 3], 30), summarize([10, 20], 20), summarize([5], 10)]);
    expect(m).toMatchObject({ median: 5, min: 1, max: 20, samples: 6, iterations: 60 });
    expect(m.mean).toBeCloseTo((1 + 2 + 3 + 10 + 20 + 5) / 6);
    expect(m.p99).toBe(20);
    expect(() => mergeSummaries([])).toThrow(RangeError);
  });

  it("alternate divides each chunk by the baselines around it: a phase that starts mid-figure moves no ratio", async () => {
    // A machine that turns 1.5x slower after the third chunk: the figure (1.2x its floor) and the floor move
    // together. Chunk by chunk every ratio is 1.2 but the one chunk the change falls beside; the figure's median
    // over the floor measured once before it and once after it (the old way) reads 1.44.
    const plans = chunkPlans({ ...FULL_PLAN, samples: 8 }, 8);
    let turn = 0;
    const speed = () => (turn < 3 ? 1 : 1.5);
    const seen: Plan[] = [];
    const r = await alternate(
      plans,
      async (plan) => {
        seen.push(plan);
        return 100 * speed();
      },
      async () => {
        const s = summarize([120 * speed()], 10);
        turn++;
        return s;
      },
    );
    expect(r.baselines).toEqual([100, 100, 100, 150, 150, 150, 150, 150, 150]);
    expect(r.parts.map((p) => p.median)).toEqual([120, 120, 120, 180, 180, 180, 180, 180]);
    expect(r.ratios.map((x) => Number(x.toFixed(3)))).toEqual([1.2, 1.2, 0.96, 1.2, 1.2, 1.2, 1.2, 1.2]);
    expect(median(r.ratios)).toBeCloseTo(1.2);
    expect(median(r.parts.map((p) => p.median)) / ((r.baselines[0] + r.baselines[8]) / 2)).toBeCloseTo(1.44);
    expect(seen[0]).toBe(plans[0]);
    expect(seen.slice(1).every((p) => p === plans[7])).toBe(true);
  });

  it("warms up for at least plan.warmup batches and plan.warmupMs", () => {
    expect(warmupBatches({ ...FULL_PLAN, warmup: 20, warmupMs: 500, targetSampleMs: 5 })).toBe(100);
    expect(warmupBatches({ ...FULL_PLAN, warmup: 20, warmupMs: 50, targetSampleMs: 5 })).toBe(20);
    expect(warmupBatches(QUICK_PLAN)).toBe(QUICK_PLAN.warmup);
  });

  it("calibrate grows the batch until it is measurable, then scales it to the target", async () => {
    const plan: Plan = { warmup: 0, warmupMs: 0, samples: 1, targetSampleMs: 2, maxBatch: 1 << 20, fixedBatch: null };
    const tried: number[] = [];
    const batch = await calibrate(plan, async (n) => {
      tried.push(n);
      return n * 0.001; // 1 us per operation
    });
    expect(batch).toBe(2000);
    expect(tried[0]).toBe(1);
    expect(await calibrate({ ...plan, fixedBatch: 7 }, async () => 1)).toBe(7);
    expect(await calibrate({ ...plan, maxBatch: 64 }, async (n) => n * 1e-6)).toBe(64);
  });

  it("a marked run's calibration does not take a guest's start for its operations' cost", async () => {
    // A fresh guest spends 10 ms starting (a server it spawns) inside its first batch, then 1 us an operation.
    const plan: Plan = { warmup: 2, warmupMs: 0, samples: 5, targetSampleMs: 2, maxBatch: 1 << 20, fixedBatch: null };
    const batches: number[] = [];
    const s = await sampleMarked(plan, async (batch, count) => {
      batches.push(batch);
      const marks = [0];
      for (let i = 0; i < count; i++) marks.push(marks[i] + (i === 0 ? 10 : 0) + batch * 0.001);
      return marks;
    });
    // Scaled from the steady rate to the target (2 ms of 1 us operations), not from the start (a batch of 1).
    expect(batches.at(-1)).toBe(2000);
    expect(s.median).toBeCloseTo(1000, 6);
    expect(s.iterations).toBe(5 * 2000);
  });
});

const fake = (name: string, keys: string[], needs: string[] = [], results: Record<string, FigureResult> = {}): Family => ({
  name,
  keys,
  needs,
  run: async () => results,
});

describe("choosing families", () => {
  const all = [
    fake("base_a", ["baseline_a_ns"]),
    fake("base_b", ["baseline_b_ns"]),
    fake("fig", ["fig_ns", "fig_extra_ns"], ["baseline_b_ns"]),
  ];

  it("runs everything without a filter", () => {
    expect(selectFamilies(all, null).map((f) => f.name)).toEqual(["base_a", "base_b", "fig"]);
  });

  it("adds the baselines a chosen figure needs, in registry order", () => {
    expect(selectFamilies(all, ["fig_extra"]).map((f) => f.name)).toEqual(["base_b", "fig"]);
    expect(selectFamilies(all, ["BASE_A"]).map((f) => f.name)).toEqual(["base_a"]);
    expect(selectFamilies(all, ["nothing"])).toEqual([]);
  });
});

describe("ratios and goals", () => {
  it("divides by the baseline's median times its factor and judges the goal", () => {
    const figures: Record<string, FigureResult> = {
      baseline_ns: timed(summary(200), { unit: "ns", measures: "a baseline" }),
      fig_ns: timed(summary(250), {
        unit: "ns",
        measures: "a figure",
        baseline: { key: "baseline_ns" },
        goal: { op: "<=", value: 1.25, times: "baseline_ns" },
      }),
      half_ns: timed(summary(150), {
        unit: "ns",
        measures: "a switch",
        baseline: { key: "baseline_ns", factor: 0.5 },
        goal: { op: "<=", value: 100 },
      }),
      count: value(9000, { unit: "processes", measures: "held", goal: { op: ">=", value: 10000 } }),
      gone_ns: timed(summary(1), { unit: "ns", measures: "against nothing", baseline: { key: "missing_ns" } }),
      later: unavailable("not written yet"),
    };
    compare(figures);
    expect(figures.fig_ns).toMatchObject({ ratio: 1.25, goal_met: true });
    expect(figures.half_ns).toMatchObject({ ratio: 1.5, goal_met: false });
    expect(figures.count).toMatchObject({ ratio: null, goal_met: false });
    expect(figures.gone_ns).toMatchObject({ ratio: null, goal_met: null });
    expect(figures.baseline_ns).toMatchObject({ ratio: null, goal_met: null });
  });

  it("keeps a ratio measured against a baseline of its own (the scale child's)", () => {
    const r = timed(summary(130), {
      unit: "ns",
      measures: "at scale",
      baseline: { key: "base_ns" },
      goal: { op: "<=", value: 1.2, times: "base_ns" },
    });
    r.ratio = 1.3;
    const figures: Record<string, FigureResult> = { base_ns: timed(summary(10), { unit: "ns", measures: "x" }), at_scale_ns: r };
    compare(figures);
    expect(figures.at_scale_ns).toMatchObject({ ratio: 1.3, goal_met: false });
  });
});

describe("the harness", () => {
  it("reports a family that throws as failed, and one that omits a key as failed for that key", async () => {
    const boom: Family = {
      name: "boom",
      keys: ["boom_ns"],
      run: async () => {
        throw new Error("kaput");
      },
    };
    const partial = fake("partial", ["a_ns", "b_ns"], [], { a_ns: unavailable("not yet, for a reason") });
    const report = await runBench({ quick: true, families: [boom, partial] });
    expect(report.figures.boom_ns).toEqual({ status: "failed", reason: "Error: kaput" });
    expect(report.figures.a_ns).toEqual({ status: "unavailable", reason: "not yet, for a reason" });
    expect(report.figures.b_ns.status).toBe("failed");
    const table = formatTable(report);
    expect(table).toMatch(/boom_ns\s+FAILED: Error: kaput/);
    expect(table).toMatch(/a_ns\s+unavailable: not yet, for a reason/);
  });

  it("parses the CLI's flags", () => {
    expect(parseArgs(["--quick", "--filter", "ipc,spawn", "--out=x.json"])).toMatchObject({ quick: true, filter: ["ipc", "spawn"] });
    expect((parseArgs(["--out", "/tmp/r.json"]) as { out: string }).out).toBe("/tmp/r.json");
    expect(parseArgs(["--help"])).toBe("help");
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown argument/);
    expect(() => parseArgs(["--out"])).toThrow(/needs a value/);
  });
});

describe("marked runs", () => {
  const marker = (body: string) =>
    guest(`(func (export "_start") (local $i i32)
      (drop (call $console_write (i32.const 0) (i32.const 0)))
      ${body})`);

  it("return one timestamp per empty console write, in order", async () => {
    const kernel = new Kernel();
    const image = kernel.loadImage(
      marker(`
      (loop $l
        (drop (call $yield))
        (drop (call $console_write (i32.const 0) (i32.const 0)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const 3))))`),
      "marker",
    );
    const marks = await runMarked(kernel, [{ image, args: [], marks: true }]);
    expect(marks).toHaveLength(4);
    expect([...marks].sort((a, b) => a - b)).toEqual(marks);
  });

  it("fail when a guest exits with a non-zero status", async () => {
    const kernel = new Kernel();
    const image = kernel.loadImage(marker("(call $exit (i32.const 3))"), "quitter");
    await expect(runMarked(kernel, [{ image, args: [], marks: true }])).rejects.toThrow(/quitter ended NORMAL \(status 3\)/);
  });

  it("give up on guests blocked for good, killing them", async () => {
    const kernel = new Kernel();
    // Receives on its own endpoint: nothing will ever send.
    const image = kernel.loadImage(
      marker(`
      (drop (call $receive (call $endpoint_create) (i32.const 0) (i32.const 0) (i64.const 0x7fffffffffffffff)))`),
      "stuck",
    );
    await expect(runMarked(kernel, [{ image, args: [], marks: true }], 200)).rejects.toThrow(
      /did not finish within 0.2 s .* after 1 marks/,
    );
    expect(kernel.core.alive).toBe(0);
  });
});
