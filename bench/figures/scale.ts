// scale_processes, bytes_per_process, ctx_switch_ns_at_scale,
// ipc_rtt_ns_at_scale and their baseline baseline_bytes_per_instance. Each
// side runs in a Node process of its own (figures/scale-child.ts): memory is
// measured from a fresh heap, and if holding thousands of instances kills
// the process (address space, mappings, a fatal V8 OOM), the bench survives
// and reports the count the last checkpoint reached.

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Family, FigureResult } from "../figure.ts";
import { timed, unavailable, value } from "../figure.ts";
import { median, span } from "../stats.ts";
import { ipcAvailability } from "./ipc.ts";
import type { ChildDone, InTurns, Snapshot } from "./scale-child.ts";

const CHILD = fileURLToPath(new URL("./scale-child.ts", import.meta.url));
export const SCALE_TARGET = 10_000;

interface ChildRun {
  checkpoints: Snapshot[];
  done: ChildDone | null;
  /** Why the child ended without reporting (signal, exit code, stderr tail). */
  crash: string | null;
}

function runChild(mode: "kernel" | "bare", target: number, chunk: number, quick: boolean, timeoutMs: number): Promise<ChildRun> {
  return new Promise((resolve) => {
    const run: ChildRun = { checkpoints: [], done: null, crash: null };
    const child = fork(CHILD, [mode, String(target), String(chunk), quick ? "quick" : "full"], {
      execArgv: ["--expose-gc"],
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    let error: string | null = null;
    child.on("message", (m: (Snapshot & { type: "checkpoint" }) | ChildDone | { type: "error"; message: string }) => {
      if (m.type === "checkpoint") run.checkpoints.push(m);
      else if (m.type === "error") error = m.message;
      else run.done = m;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (run.done === null) {
        const lines = stderr.trim().split("\n");
        const why = error ?? lines.find((l) => /Error|FATAL|Fatal|out of memory/i.test(l)) ?? lines.at(-1) ?? "";
        run.crash = `scale child (${mode}) ended with ${signal ?? `exit code ${code}`} after ${run.checkpoints.at(-1)?.count ?? 0} ${mode === "bare" ? "instances" : "processes"}${why ? `: ${why.trim()}` : ""}`;
      }
      resolve(run);
    });
  });
}

/** Bytes per process between the first and last checkpoints, and per chunk. */
function perProcess(cps: readonly Snapshot[]) {
  const first = cps[0];
  const last = cps[cps.length - 1];
  const n = last.count - first.count;
  const chunkRss: number[] = [];
  for (let i = 1; i < cps.length; i++) {
    const dn = cps[i].count - cps[i - 1].count;
    if (dn > 0) chunkRss.push((cps[i].rss - cps[i - 1].rss) / dn);
  }
  return {
    count: last.count,
    rss: (last.rss - first.rss) / n,
    heap: (last.heapUsed - first.heapUsed) / n,
    external: (last.external - first.external) / n,
    vm: (last.vmSize - first.vmSize) / n,
    maps: (last.maps - first.maps) / n,
    chunkRssMedian: chunkRss.length ? median(chunkRss) : null,
    totalRss: last.rss,
    seconds: (last.ms - first.ms) / 1000,
  };
}

function detail(cps: readonly Snapshot[], stopped: string) {
  const p = perProcess(cps);
  return {
    stopped,
    alive: p.count,
    rss_bytes_per: Math.round(p.rss),
    rss_bytes_per_chunk_median: p.chunkRssMedian === null ? null : Math.round(p.chunkRssMedian),
    js_heap_bytes_per: Math.round(p.heap),
    external_bytes_per: Math.round(p.external),
    address_space_bytes_per: Math.round(p.vm),
    mappings_per: Number(p.maps.toFixed(2)),
    rss_total_bytes: p.totalRss,
    seconds_to_fill: Number(p.seconds.toFixed(2)),
    checkpoints: cps.map((c) => ({ count: c.count, rss: c.rss, heapUsed: c.heapUsed, vmSize: c.vmSize, maps: c.maps })),
  };
}

const failedRun = (run: ChildRun): string => run.crash ?? "the scale child reported nothing";

export const scale: Family = {
  name: "scale",
  keys: ["baseline_bytes_per_instance", "scale_processes", "bytes_per_process", "ctx_switch_ns_at_scale", "ipc_rtt_ns_at_scale"],
  async run(ctx) {
    const target = ctx.quick ? 200 : SCALE_TARGET;
    const chunk = ctx.quick ? 100 : 1000;
    const timeout = ctx.quick ? 120_000 : 900_000;
    const out: Record<string, FigureResult> = {};
    // Compile here, so the children find every guest in the cache (a compile would blur their memory figures).
    for (const g of ["blocker", "yielder", "ipc-client", "ipc-server"]) await ctx.images.guest(g);

    ctx.log(`bench: scale: ${target} bare suspended instances in a child process ...`);
    const bare = await runChild("bare", target, chunk, ctx.quick, timeout);
    if (bare.checkpoints.length >= 2) {
      const d = detail(bare.checkpoints, bare.done?.stopped ?? failedRun(bare));
      out.baseline_bytes_per_instance = value(
        d.rss_bytes_per,
        {
          unit: "bytes",
          measures:
            "RSS growth per bare instance of the blocker module parked in a never-settling Suspending import (own memory + suspended JSPI stack), no kernel; fresh Node process",
        },
        d,
      );
    } else out.baseline_bytes_per_instance = { status: "failed", reason: failedRun(bare) };

    ctx.log(`bench: scale: ${target} blocked processes in a child process ...`);
    const k = await runChild("kernel", target, chunk, ctx.quick, timeout);
    const stopped = k.done?.stopped ?? failedRun(k);
    if (k.checkpoints.length >= 2) {
      const d = detail(k.checkpoints, stopped);
      out.scale_processes = value(
        d.alive,
        {
          unit: "processes",
          measures: `processes alive at once, each blocked in sleep (real-time kernel), spawned in chunks of ${chunk} up to ${target} or until one fails to start`,
          goal: { op: ">=", value: SCALE_TARGET },
          note: stopped,
        },
        { stopped, target },
      );
      out.bytes_per_process = value(
        d.rss_bytes_per,
        {
          unit: "bytes",
          measures:
            "RSS growth per blocked process (process object, handle table, instance, memory, suspended JSPI stack, timer) between the empty kernel and the last checkpoint",
          baseline: { key: "baseline_bytes_per_instance" },
        },
        d,
      );
    } else {
      out.scale_processes = { status: "failed", reason: stopped };
      out.bytes_per_process = { status: "failed", reason: stopped };
    }

    const atScale = (
      name: string,
      before: InTurns | undefined,
      after: InTurns | undefined,
      base: string,
      measures: string,
      more = "",
    ): FigureResult => {
      if (before && after) {
        // Both measured in turns with the bare ping-pong (scale-child.ts InTurns): the ratio is the kernel's
        // against the engine's floor at scale over the same before the spawns, minutes earlier.
        const [b, a] = [median(before.ratios), median(after.ratios)];
        const r = timed(after.summary, {
          unit: "ns",
          measures,
          baseline: { key: base },
          goal: { op: "<=", value: 1.2, times: base },
          note:
            `ratio against the same measurement in the same child before the processes were spawned, each in turns with the ` +
            `bare ping-pong and taken against it: ${a.toFixed(3)}x the ping-pong at scale (${span(after.floors, 1)} ns), ` +
            `${b.toFixed(3)}x before (${span(before.floors, 1)} ns); the raw medians ${before.summary.median.toFixed(1)} ns ` +
            `before, ${(after.summary.median / before.summary.median).toFixed(3)}x at scale${more}`,
        });
        r.ratio = a / b;
        return r;
      }
      const why = k.done?.errors.find((e) => e.startsWith(name)) ?? stopped;
      return { status: "failed", reason: why };
    };
    const alive = k.done?.count ?? 0;
    // The reference runs with no timer armed; each blocked process has one (its sleep), and in real time an armed
    // timer costs every dispatch one more clock reading (kernel/core.ts schedule's check for due timers, ≈45 ns).
    const one = k.done?.ctxSwitchOneTimer;
    const before = k.done?.ctxSwitchBefore;
    out.ctx_switch_ns_at_scale = atScale(
      "ctx switch",
      before,
      k.done?.ctxSwitchAtScale,
      "ctx_switch_ns",
      `ctx_switch_ns with ${alive} blocked processes alive, in the scale child process (real-time kernel)`,
      `, with no timer armed; at scale each blocked process has a timer armed, and in real time an armed timer costs every dispatch one clock reading more (the check for due timers): ${
        one && before
          ? `with only the first process alive (one timer) median ${one.median.toFixed(1)} ns, ${(one.median / before.summary.median).toFixed(2)}x the raw before`
          : `the one-timer measurement failed (${k.done?.errors.find((e) => e.startsWith("ctx switch with one timer")) ?? stopped})`
      }`,
    );
    const missing = ipcAvailability();
    out.ipc_rtt_ns_at_scale =
      missing !== null
        ? unavailable(missing)
        : atScale(
            "ipc",
            k.done?.ipcBefore,
            k.done?.ipcAtScale,
            "ipc_rtt_ns",
            `ipc_rtt_ns with ${alive} blocked processes alive, in the scale child process (real-time kernel)`,
          );
    return out;
  },
};
