// The harness: choose the families a run asks for (with the baselines their
// ratios need), run them one after another in this process, then compare
// each figure with its baseline and goal. A family that throws is reported
// as failed; the others still run.

import { loadavg } from "node:os";
import { ImageLoader } from "../loader/loader.ts";
import { captureEnvironment, type Environment } from "./env.ts";
import { FAMILIES } from "./families.ts";
import {
  type BenchContext,
  central,
  describeError,
  type Family,
  type FigureResult,
  failed,
  type TimedResult,
  type ValueResult,
} from "./figure.ts";
import { BenchImages } from "./images.ts";
import { FULL_PLAN, type Plan, QUICK_PLAN } from "./stats.ts";

export interface BenchOptions {
  /** Tiny iteration counts: checks that everything runs, measures nothing. */
  quick?: boolean;
  /** Substrings of family names or figure keys; null or empty runs everything. */
  filter?: readonly string[] | null;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** The families to choose from (default: all of bench/families.ts). */
  families?: readonly Family[];
}

export interface BenchReport {
  readonly schema: "wasmos-bench/1";
  readonly quick: boolean;
  readonly filter: readonly string[] | null;
  readonly plan: Plan;
  readonly environment: Environment;
  readonly duration_s: number;
  /** JSON key -> result, baselines first, in table order. */
  readonly figures: Record<string, FigureResult>;
}

/** Families matching the filter, plus those that provide baselines they need, in registry order. */
export function selectFamilies(all: readonly Family[], filter: readonly string[] | null | undefined): Family[] {
  if (!filter || filter.length === 0) return [...all];
  const terms = filter.map((t) => t.toLowerCase());
  const hit = (f: Family) => terms.some((t) => f.name.toLowerCase().includes(t) || f.keys.some((k) => k.toLowerCase().includes(t)));
  const chosen = new Set(all.filter(hit));
  for (const f of [...chosen]) {
    for (const need of f.needs ?? []) {
      const provider = all.find((g) => g.keys.includes(need));
      if (provider) chosen.add(provider);
    }
  }
  return all.filter((f) => chosen.has(f));
}

function ratioOf(r: TimedResult | ValueResult, figures: Record<string, FigureResult>): number | null {
  if (r.ratio !== null) return r.ratio; // measured against a baseline of its own (another process)
  if (r.baseline === null) return null;
  const base = central(figures[r.baseline]);
  const v = r.kind === "timed" ? r.median : r.value;
  if (base === null || base <= 0) return null;
  return v / (base * (r.baseline_factor ?? 1));
}

function goalMet(r: TimedResult | ValueResult, figures: Record<string, FigureResult>): boolean | null {
  const g = r.goal;
  if (g === null) return null;
  let v: number | null;
  let target: number;
  if (g.times !== undefined && g.times === r.baseline && (r.baseline_factor ?? 1) === 1) {
    v = r.ratio; // compare the ratio measured side by side
    target = g.value;
  } else {
    v = r.kind === "timed" ? r.median : r.value;
    const times = g.times === undefined ? 1 : central(figures[g.times]);
    if (times === null) return null;
    target = g.value * times;
  }
  if (v === null) return null;
  return g.op === "<=" ? v <= target : v >= target;
}

/** Fill in ratios and goal verdicts once every figure is in (no verdicts for a --quick run: it measures nothing). */
export function compare(figures: Record<string, FigureResult>, quick = false): void {
  const each = (r: TimedResult | ValueResult) => {
    r.ratio = ratioOf(r, figures);
    if (r.ratios !== undefined) {
      const v = r.kind === "timed" ? r.median : r.value;
      for (const key of Object.keys(r.ratios)) {
        const base = central(figures[key]);
        if (base === null || base <= 0) delete r.ratios[key];
        else r.ratios[key] = v / base;
      }
    }
    r.goal_met = quick ? null : goalMet(r, figures);
  };
  for (const r of Object.values(figures)) {
    if (r.status !== "ok") continue;
    if (r.kind === "by_size") Object.values(r.sizes).forEach(each);
    else each(r);
  }
}

export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const quick = options.quick ?? false;
  const log = options.log ?? (() => {});
  const t0 = performance.now();
  const loadAtStart = loadavg();
  const ctx: BenchContext = { plan: quick ? QUICK_PLAN : FULL_PLAN, quick, images: new BenchImages(), loader: new ImageLoader(), log };
  const figures: Record<string, FigureResult> = {};
  for (const family of selectFamilies(options.families ?? FAMILIES, options.filter)) {
    log(`bench: ${family.name} ...`);
    const started = performance.now();
    let results: Record<string, FigureResult>;
    try {
      results = await family.run(ctx);
    } catch (e) {
      results = Object.fromEntries(family.keys.map((k) => [k, failed(describeError(e))]));
    }
    for (const key of family.keys) figures[key] = results[key] ?? failed(`${family.name} did not report ${key}`);
    // Extra keys a family reports (details of its own) keep their place after its declared ones.
    for (const [k, r] of Object.entries(results)) if (!(k in figures)) figures[k] = r;
    log(`bench: ${family.name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  compare(figures, quick);
  return {
    schema: "wasmos-bench/1",
    quick,
    filter: options.filter && options.filter.length > 0 ? options.filter : null,
    plan: ctx.plan,
    environment: captureEnvironment(loadAtStart),
    duration_s: (performance.now() - t0) / 1000,
    figures,
  };
}
