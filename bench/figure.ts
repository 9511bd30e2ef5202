// What a figure is and what it reports. A family (one file under figures/ or
// baselines/) measures one or more figures, each under its exact JSON key.
// A figure names the baseline it is compared with; the harness computes the
// ratio once every figure has run, so a figure never divides by a number it
// measured at another time or in another process.

import type { ImageLoader } from "../loader/loader.ts";
import type { BenchImages } from "./images.ts";
import type { Plan, Summary } from "./stats.ts";

export type Unit = "ns" | "us" | "ms" | "bytes" | "processes" | "msgs/s" | "MB/s" | "x" | "steps/s" | "steps";

/** A goal from the issue: the figure `op` value, times another figure's central value when `times` is set. */
export interface Goal {
  readonly op: "<=" | ">=";
  readonly value: number;
  readonly times?: string;
}

/** Which figure a result is compared with; the ratio is central / (baseline's central * factor). */
export interface BaselineRef {
  readonly key: string;
  /** E.g. 0.5: one context switch against half a bare round trip. */
  readonly factor?: number;
}

interface Described {
  readonly unit: Unit;
  /** One sentence: exactly what is measured. */
  readonly measures: string;
  readonly baseline: string | null;
  readonly baseline_factor?: number;
  /** Filled in by the harness when `baseline` is set and was measured. */
  ratio: number | null;
  /** Ratios against other figures worth seeing side by side (key -> ratio). */
  ratios?: Record<string, number>;
  readonly goal: Goal | null;
  /** Filled in by the harness: whether the goal is met (null: not decidable here). */
  goal_met?: boolean | null;
  readonly note?: string;
}

/** Timed samples: median and p99 of per-operation times (or rates). */
export interface TimedResult extends Described, Summary {
  readonly status: "ok";
  readonly kind: "timed";
}

/** One measured quantity (a count, bytes, a ratio of two runs). */
export interface ValueResult extends Described {
  readonly status: "ok";
  readonly kind: "value";
  readonly value: number;
  /** How it was obtained: counts, deltas, per-chunk figures. */
  readonly detail?: Record<string, unknown>;
}

/** The same timed figure at several message sizes (bytes -> result). */
export interface BySizeResult {
  readonly status: "ok";
  readonly kind: "by_size";
  readonly unit: Unit;
  readonly measures: string;
  readonly sizes: Record<string, TimedResult>;
}

/** The figure needs a part of the system that does not exist yet. Never a number. */
export interface UnavailableResult {
  readonly status: "unavailable";
  readonly reason: string;
}

/** The figure's code failed: a bug to fix, reported instead of crashing the run. */
export interface FailedResult {
  readonly status: "failed";
  readonly reason: string;
}

export type FigureResult = TimedResult | ValueResult | BySizeResult | UnavailableResult | FailedResult;

/** What every family gets. */
export interface BenchContext {
  readonly plan: Plan;
  readonly quick: boolean;
  /** Compiled bench guests (bench/guests), built once per run. */
  readonly images: BenchImages;
  /** One loader for every kernel of the run, so each module is compiled once. */
  readonly loader: ImageLoader;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
}

/** One file's worth of figures. */
export interface Family {
  /** Matched by --filter together with the keys. */
  readonly name: string;
  /** The JSON keys it produces, in table order. */
  readonly keys: readonly string[];
  /** Baseline keys its ratios need: run first even when --filter leaves them out. */
  readonly needs?: readonly string[];
  run(ctx: BenchContext): Promise<Record<string, FigureResult>>;
}

export interface Describe {
  unit: Unit;
  measures: string;
  baseline?: BaselineRef;
  goal?: Goal;
  note?: string;
  /** Other figures (baselines) to show a ratio against as well, e.g. the bare switch beside the round trip. */
  also?: readonly string[];
}

function described(d: Describe): Described {
  return {
    unit: d.unit,
    measures: d.measures,
    baseline: d.baseline?.key ?? null,
    ...(d.baseline?.factor !== undefined ? { baseline_factor: d.baseline.factor } : {}),
    ratio: null,
    goal: d.goal ?? null,
    ...(d.note !== undefined ? { note: d.note } : {}),
    ...(d.also !== undefined && d.also.length > 0 ? { ratios: Object.fromEntries(d.also.map((k) => [k, Number.NaN])) } : {}),
  };
}

export function timed(summary: Summary, d: Describe): TimedResult {
  return { status: "ok", kind: "timed", ...described(d), ...summary };
}

export function value(v: number, d: Describe, detail?: Record<string, unknown>): ValueResult {
  return { status: "ok", kind: "value", ...described(d), value: v, ...(detail ? { detail } : {}) };
}

export function unavailable(reason: string): UnavailableResult {
  return { status: "unavailable", reason };
}

export function failed(reason: string): FailedResult {
  return { status: "failed", reason };
}

/** What an exception says, for a failed result. */
export function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Run one figure of a family; a throw becomes a failed result, so the family's other figures still report. */
export async function attempt<R extends FigureResult>(measure: () => Promise<R>): Promise<R | FailedResult> {
  try {
    return await measure();
  } catch (e) {
    return failed(describeError(e));
  }
}

/** The number a result is compared by: the median of a timed result, the value of a value result. */
export function central(r: FigureResult | undefined): number | null {
  if (r === undefined || r.status !== "ok") return null;
  if (r.kind === "timed") return r.median;
  if (r.kind === "value") return r.value;
  return null;
}

/** "<= 1.25 x baseline_jspi_pingpong_ns" */
export function goalText(g: Goal): string {
  return `${g.op} ${g.value.toLocaleString("en-US")}${g.times ? ` x ${g.times}` : ""}`;
}
