// The printed table: one row per figure (one per size for by-size figures),
// with its median, p99, iterations, baseline, ratio and goal.

import { type FigureResult, goalText, type TimedResult, type ValueResult } from "./figure.ts";
import type { BenchReport } from "./harness.ts";

/** A number for a table cell: 3-4 significant digits, thousands grouped. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString("en-US");
  if (a >= 100) return v.toFixed(1);
  if (a >= 10) return v.toFixed(2);
  return v.toFixed(3);
}

type Row = [string, string, string, string, string, string, string];

function row(key: string, r: TimedResult | ValueResult): Row {
  const median = r.kind === "timed" ? r.median : r.value;
  const p99 = r.kind === "timed" ? formatNumber(r.p99) : "";
  const iterations = r.kind === "timed" ? r.iterations.toLocaleString("en-US") : "";
  const factor = r.baseline_factor !== undefined && r.baseline_factor !== 1 ? `${r.baseline_factor} x ` : "";
  const baseline = r.baseline === null ? "" : factor + r.baseline;
  const ratio = r.ratio === null ? "" : `${r.ratio.toFixed(2)}x`;
  const met = r.goal_met === true ? " (met)" : r.goal_met === false ? " (missed)" : "";
  const also = Object.entries(r.ratios ?? {})
    .map(([k, x]) => `${x.toFixed(2)}x ${k}`)
    .join(", ");
  const goal = [r.goal === null ? "" : goalText(r.goal) + met, also].filter((t) => t !== "").join("; ");
  return [key, `${formatNumber(median)} ${r.unit}`, p99, iterations, baseline, ratio, goal];
}

function rows(key: string, r: FigureResult): Row[] {
  if (r.status === "unavailable") return [[key, "unavailable", "", "", "", "", r.reason]];
  if (r.status === "failed") return [[key, "FAILED", "", "", "", "", r.reason.split("\n")[0]]];
  if (r.kind === "by_size") return Object.entries(r.sizes).map(([size, s]) => row(`${key}[${size}]`, s));
  return [row(key, r)];
}

/** The whole report as text: environment line, then the table. */
export function formatTable(report: BenchReport): string {
  const env = report.environment;
  const header: Row = ["figure", "median", "p99", "iterations", "baseline", "ratio", "goal / note"];
  const body = Object.entries(report.figures).flatMap(([k, r]) => rows(k, r));
  const spanning = (r: Row) => r[1] === "unavailable" || r[1] === "FAILED";
  const widths = header.map((h, i) => Math.max(h.length, ...body.filter((r) => i === 0 || !spanning(r)).map((r) => r[i].length)));
  const line = (r: Row) => {
    if (spanning(r)) return `${r[0].padEnd(widths[0])}  ${r[1]}: ${r[6]}`;
    return r
      .map((c, i) => (i === 0 || i >= 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join("  ")
      .trimEnd();
  };
  const lines = [
    `wasmos bench${report.quick ? " (--quick: structure only, not measurements)" : ""}: node ${env.node}, V8 ${env.v8}, ${env.cpu_model} x${env.cpu_count}, ${env.platform}/${env.arch}, commit ${env.commit ?? "?"}`,
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(line),
    `(${report.duration_s.toFixed(1)} s; load average ${env.load_average_start[0]} at the start, ${env.load_average_end[0]} at the end on ${env.cpu_count} CPUs)`,
  ];
  return lines.join("\n") + "\n";
}
