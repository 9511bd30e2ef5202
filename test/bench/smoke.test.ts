// The bench harness runs end to end (`node bench/run.ts --quick`): every
// figure the issue names is reported, either measured or unavailable with a
// reason, and the JSON is written. Structure only: no timing assertions.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FigureResult, TimedResult } from "../../bench/figure.ts";
import type { BenchReport } from "../../bench/harness.ts";
import { STEADY_HEAP_FLAGS } from "../../cli/steady-heap.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** The JSON keys issue 8 names, exactly. */
const REQUIRED = [
  "ipc_rtt_ns",
  "ipc_send_rtt_ns",
  "ipc_kernel_rtt_ns", // issue 16: the kernel's own share of a round trip, no wasm, no JSPI
  "baseline_jspi_pingpong_ns",
  "baseline_jspi_switch_ns",
  "baseline_worker_atomics_rtt_ns",
  "ipc_rtt_ns_by_size",
  "port_rtt_ns",
  "baseline_direct_call_ns",
  "pulse_ns",
  "pulse_send_receive_ns", // issue 16: pulse_ns's old two-call shape (pulse, then receive) beside pulse_wait's
  "cap_check_ns",
  "ctx_switch_ns",
  "spawn_us",
  "ring_msgs_per_s",
  "pcm_realtime_factor",
  "fuel_overhead_ratio",
  "scale_processes",
  "bytes_per_process",
  "ipc_rtt_ns_at_scale",
  // issue 12: the loader against WebAssembly.compile of the same bytes
  "baseline_wasm_compile_us",
  "loader_cold_load_us",
  "loader_cached_load_us",
  "loader_mb_per_s",
  "loader_vs_compile_ratio",
  // issue 13: the namespace's I/O transport through tmpfs
  "file_read_memcpy_mb_per_s",
  "file_read_mb_per_s_grant",
  "file_read_mb_per_s_buffer",
  "file_read_mb_per_s_regs",
  "open_close_us",
  "stat_us",
];
/** The keys issue 14 names (the WASI personality beside node:wasi). */
const WASI = ["wasi_fd_write_ns", "wasi_file_read_mb_per_s", "wasi_startup_ms_cold", "wasi_startup_ms_cached"];
/** Every part these need exists now (IPC, ports, fuel, rings, the PCM pipeline, WASI): they must be measured, not unavailable. */
const MEASURED = [...REQUIRED, ...WASI];

const positive = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v > 0;

function checkTimed(key: string, r: TimedResult): void {
  for (const f of ["median", "p99", "min", "max", "mean", "samples", "iterations"] as const) {
    expect(positive(r[f]), `${key}.${f} = ${r[f]}`).toBe(true);
  }
  // For a rate, p99 is the slowest 1% of batches: at or below the median.
  if (r.unit === "msgs/s" || r.unit === "MB/s") expect(r.p99).toBeLessThanOrEqual(r.median);
  else expect(r.p99).toBeGreaterThanOrEqual(r.median);
  expect(typeof r.unit).toBe("string");
  expect(r.measures.length).toBeGreaterThan(10);
  if (r.baseline !== null) expect(positive(r.ratio), `${key}.ratio vs ${r.baseline} = ${r.ratio}`).toBe(true);
}

function checkResult(key: string, r: FigureResult): void {
  expect(["ok", "unavailable"], `${key}: ${JSON.stringify(r).slice(0, 400)}`).toContain(r.status);
  if (r.status === "unavailable") {
    expect(Object.keys(r).sort()).toEqual(["reason", "status"]);
    expect(r.reason.length).toBeGreaterThan(10);
    return;
  }
  if (r.status !== "ok") return;
  if (r.kind === "timed") checkTimed(key, r);
  else if (r.kind === "value") {
    expect(Number.isFinite(r.value), `${key}.value = ${r.value}`).toBe(true);
    expect(r.value, key).toBeGreaterThan(0);
    if (r.baseline !== null) expect(positive(r.ratio), `${key}.ratio`).toBe(true);
  } else {
    expect(Object.keys(r.sizes)).toEqual(["0", "64", "1024", "8192", "65536"]);
    for (const [size, s] of Object.entries(r.sizes)) checkTimed(`${key}[${size}]`, s);
  }
}

describe("npm run bench -- --quick", () => {
  let dir: string;
  let out: string;
  let report: BenchReport;
  let stdout: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "wasmos-bench-"));
    out = join(dir, "results.json");
    const r = spawnSync(process.execPath, [join(ROOT, "bench", "run.ts"), "--quick", "--out", out], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 280_000,
    });
    stdout = r.stdout;
    if (r.status !== 0 && r.status !== 1) throw new Error(`bench exited ${r.status} ${r.signal ?? ""}\n${r.stderr}`);
    report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("writes JSON with the environment: Node and V8 versions, CPU model", () => {
    expect(report.schema).toBe("wasmos-bench/1");
    expect(report.quick).toBe(true);
    expect(report.environment.node).toBe(process.versions.node);
    expect(report.environment.v8).toBe(process.versions.v8);
    expect(report.environment.cpu_model.length).toBeGreaterThan(0);
    expect(report.environment.cpu_count).toBeGreaterThan(0);
  });

  it("reports every figure the issue names, under its exact key", () => {
    for (const key of [...REQUIRED, ...WASI]) expect(report.figures, key).toHaveProperty(key);
  });

  it("reports each figure as measured (finite, positive numbers) or unavailable with a reason; none failed", () => {
    for (const [key, r] of Object.entries(report.figures)) checkResult(key, r);
  });

  it("measures every figure whose parts exist", () => {
    for (const key of MEASURED) expect(report.figures[key].status, key).toBe("ok");
  });

  it("compares each figure with a baseline measured in the same run", () => {
    for (const r of Object.values(report.figures)) {
      if (r.status === "ok" && r.kind !== "by_size" && r.baseline !== null) expect(report.figures).toHaveProperty(r.baseline);
    }
  });

  it("runs the PCM figure in a process of its own and reports the collections inside each steady state and the heap at each run's start", () => {
    const r = report.figures.pcm_realtime_factor;
    expect(r.status === "ok" && r.kind === "value").toBe(true);
    const d = (r as { detail: Record<string, unknown> }).detail;
    expect(d.heap_at_start_mb).toEqual([expect.any(Number)]);
    expect((d.heap_at_start_mb as number[])[0]).toBeGreaterThan(0);
    expect(d.gc_in_steady).toEqual([
      { major: expect.any(Number), majorMs: expect.any(Number), minor: expect.any(Number), minorMs: expect.any(Number) },
    ]);
    // Under the steady heap, as `wasmos demo pcm` runs (cli/steady-heap.ts), with the page faults it prevents counted.
    expect(d.node_flags).toEqual([...STEADY_HEAP_FLAGS]);
    expect(d.page_faults_in_steady).toEqual([expect.any(Number)]);
  });

  it("takes the ratios against the bare ping-pong (and spawn's against the bare instantiation) chunk by chunk, in turns with it", () => {
    for (const key of ["ipc_rtt_ns", "pulse_ns", "ctx_switch_ns"]) {
      const r = report.figures[key] as { status: string; note?: string; ratio?: number };
      expect(r.status, key).toBe("ok");
      expect(r.note, key).toMatch(
        /the ratio is the median of 3 chunks' ratios, each against the bare ping-pong measured just before and after it \(ping-pong [\d.]+-[\d.]+ ns, chunks' ratios [\d.]+-[\d.]+\)/,
      );
      expect(positive(r.ratio!), key).toBe(true);
    }
    // The at-scale ratios: the kernel against the ping-pong, in turns in the scale child, at scale over before.
    for (const key of ["ipc_rtt_ns_at_scale", "ctx_switch_ns_at_scale"]) {
      const r = report.figures[key] as { status: string; note?: string; ratio?: number };
      expect(r.status, key).toBe("ok");
      expect(r.note, key).toMatch(
        /taken against it: [\d.]+x the ping-pong at scale \([\d.]+-[\d.]+ ns\), [\d.]+x before \([\d.]+-[\d.]+ ns\); the raw medians/,
      );
      expect(positive(r.ratio!), key).toBe(true);
    }
    const spawn = report.figures.spawn_us as { status: string; note?: string; ratio?: number };
    expect(spawn.note).toMatch(
      /the ratio is the median of 3 chunks' ratios, each against the bare instantiation measured just before and after it/,
    );
    expect(positive(spawn.ratio!)).toBe(true);
  });

  it("reports the PCM pipeline's cold start, the first run of a fresh process, as a figure of its own", () => {
    const r = report.figures.pcm_first_run_factor;
    expect(r.status === "ok" && r.kind === "value").toBe(true);
    expect(positive((r as { value: number }).value)).toBe(true);
  });

  it("prints a table with a row for every figure", () => {
    expect(stdout).toMatch(/^figure\s+median\s+p99\s+iterations\s+baseline\s+ratio/m);
    for (const key of REQUIRED) expect(stdout).toContain(key);
    expect(stdout).toContain(`wrote ${out}`);
  });
});
