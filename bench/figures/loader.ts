// The loader's speed on a large real module (bench/big-module.ts: ~10 MB of
// compiler output turned into a guest), beside V8's own WebAssembly.compile
// of the same bytes:
//   loader_cold_load_us      ImageLoader.load with no cache: hash, verify
//                            (the engine gate included), prepare (fuel,
//                            grow limit), compile, describe
//   loader_cached_load_us    the same load by a fresh loader whose disk
//                            cache (loader/disk-cache.ts) holds the entry:
//                            hash, read, digest check, compile
//   loader_mb_per_s          module MB per second of cold load
//   loader_vs_compile_ratio  cold load / compile (goal <= 3)
//   loader_cached_vs_compile_ratio  cached load / compile
//   loader_cold_main_cpu_us  the cold load's CPU time on the loading thread
//                            alone (a large module's engine gate runs on a
//                            worker meanwhile: loader/engine-gate.ts);
//                            it moves less than wall time on a shared machine
// Each sample is one load (seconds each), so the plan's batching does not
// apply: 5 samples after one warm-up (1 and none with --quick).

import { mkdtempSync, rmSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskImageCache } from "../../loader/disk-cache.ts";
import { ImageLoader } from "../../loader/loader.ts";
import { bigGuest, bigModuleSource } from "../big-module.ts";
import type { BenchContext, Family, FigureResult } from "../figure.ts";
import { timed, unavailable, value } from "../figure.ts";
import { summarize } from "../stats.ts";

const KEYS = [
  "baseline_wasm_compile_us",
  "loader_cold_load_us",
  "loader_cached_load_us",
  "loader_mb_per_s",
  "loader_vs_compile_ratio",
  "loader_cached_vs_compile_ratio",
  "loader_cold_main_cpu_us",
] as const;

/** This thread's CPU time in µs (Node ≥ 23.9), or null. */
function threadCpuUs(): number | null {
  const f = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (f === undefined) return null;
  const u = f.call(process);
  return u.user + u.system;
}

/** Wall µs of each sample; `cpu` (if given) gets each sample's CPU µs on this thread. */
async function sampleUs(samples: number, warmup: number, op: () => unknown, cpu?: number[]): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const c = threadCpuUs();
    const t = performance.now();
    await op();
    if (i >= warmup) {
      out.push((performance.now() - t) * 1000);
      const c2 = threadCpuUs();
      if (cpu !== undefined && c !== null && c2 !== null) cpu.push(c2 - c);
    }
  }
  return out;
}

export const loaderSpeed: Family = {
  name: "loader",
  keys: KEYS,
  async run(ctx) {
    if (bigModuleSource() === null) {
      const u = unavailable("no large module in node_modules (componentize-js's StarlingMonkey or splicer)");
      return Object.fromEntries(KEYS.map((k) => [k, u]));
    }
    const { bytes, source } = bigGuest(ctx.quick); // --quick: the ~5 MB candidate
    // V8 reuses the code of bytes it compiled before while that module lives
    // (its native module cache); a cached load in a new process has no such
    // luck, so neither does any compile measured here.
    setFlagsFromString("--no-wasm-native-module-cache");
    try {
      return await measure(ctx, bytes, source);
    } finally {
      setFlagsFromString("--wasm-native-module-cache");
    }
  },
};

async function measure(ctx: BenchContext, bytes: Uint8Array, source: string): Promise<Record<string, FigureResult>> {
  {
    const samples = ctx.quick ? 1 : 5;
    const warmup = ctx.quick ? 0 : 1;
    const policy = ctx.loader.policy;
    const compile = await sampleUs(samples, warmup, () => WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>));
    const coldCpu: number[] = [];
    const cold = await sampleUs(samples, warmup, () => new ImageLoader(policy, { diskCache: null }).load(bytes, "big"), coldCpu);
    const dir = mkdtempSync(join(tmpdir(), "wasmos-bench-cache-"));
    let cached: number[];
    try {
      new ImageLoader(policy, { diskCache: new DiskImageCache(dir) }).load(bytes, "big");
      cached = await sampleUs(samples, warmup, () => {
        const loader = new ImageLoader(policy, { diskCache: new DiskImageCache(dir) });
        loader.load(bytes, "big");
        if (loader.diskCache!.stats.hits !== 1) throw new Error("the cached load missed the disk cache");
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const mb = bytes.length / 1e6;
    const c = summarize(compile, compile.length);
    const l = summarize(cold, cold.length);
    const k = summarize(cached, cached.length);
    const what = `${source.split("/").pop()} as a guest (${mb.toFixed(1)} MB)`;
    const out: Record<string, FigureResult> = {
      baseline_wasm_compile_us: timed(c, { unit: "us", measures: `WebAssembly.compile of ${what}` }),
      loader_cold_load_us: timed(l, {
        unit: "us",
        measures: `ImageLoader.load of ${what} with no cache: hash, verify (engine gate included), prepare, compile, describe`,
        baseline: { key: "baseline_wasm_compile_us" },
      }),
      loader_cached_load_us: timed(k, {
        unit: "us",
        measures: `the same load by a fresh loader from its disk cache: hash, read, digest check, compile`,
        baseline: { key: "baseline_wasm_compile_us" },
      }),
      loader_mb_per_s: value(mb / (l.median / 1e6), { unit: "MB/s", measures: `module megabytes per second of cold load (${what})` }),
      loader_vs_compile_ratio: value(l.median / c.median, {
        unit: "x",
        measures: "median cold load / median WebAssembly.compile of the same bytes",
        goal: { op: "<=", value: 3 },
      }),
      loader_cached_vs_compile_ratio: value(k.median / c.median, {
        unit: "x",
        measures: "median cached load / median WebAssembly.compile of the same bytes",
      }),
    };
    out.loader_cold_main_cpu_us =
      coldCpu.length > 0
        ? timed(summarize(coldCpu, coldCpu.length), {
            unit: "us",
            measures: `the cold load's CPU time on the loading thread (${what}); a large module's engine gate runs on a worker meanwhile`,
            baseline: { key: "baseline_wasm_compile_us" },
          })
        : unavailable("no per-thread CPU time here (process.threadCpuUsage: Node 23.9 or later)");
    return out;
  }
}
