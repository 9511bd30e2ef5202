// A/B probe for the loader's cold load (issue 12's loader_vs_compile_ratio;
// docs/fastpath.md "The body walk on two threads"): cold loads of the large
// guest (bench/big-module.ts) with the body walk shared with the engine
// gate's worker (the default) and without (`parallelScan: false`), and with
// --against DIR, the loader of another checkout (its loader/loader.ts and
// loader/policy.ts, imported into this process), alternating load by load
// with a WebAssembly.compile of the same bytes between each, so every arm
// sees the same load and JIT state. Prints per arm the wall time and this
// thread's CPU time (lowest / median), the process's CPU time (median; every
// thread, up to 50 ms after the load), and the median wall over the median
// compile, and the load average. Not part of `npm run bench`.
//
//   node bench/loader-ab.ts [--rounds 12] [--against /path/to/checkout] [--quick]

import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { join, resolve } from "node:path";
import { ImageLoader } from "../loader/loader.ts";
import { defaultPolicy } from "../loader/policy.ts";
import { bigGuest } from "./big-module.ts";

const args = process.argv.slice(2);
let rounds = 12;
let against: string | null = null;
let quick = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--rounds") rounds = Number(args[++i]);
  else if (a === "--against") against = resolve(args[++i]);
  else if (a === "--quick") quick = true;
  else throw new Error(`unknown argument ${a}`);
}

/** This thread's CPU time in ms (Node >= 23.9). */
function cpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}
/** The process's CPU time in ms (every thread: the gate worker, V8's background threads). */
function processMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

type Load = (bytes: Uint8Array) => unknown;
const arms: [string, Load][] = [
  ["shared", (b) => new ImageLoader(defaultPolicy(), { diskCache: null }).load(b, "big")],
  ["one thread", (b) => new ImageLoader(defaultPolicy(), { diskCache: null, parallelScan: false }).load(b, "big")],
];
if (against !== null) {
  const other = (await import(join(against, "loader", "loader.ts"))) as typeof import("../loader/loader.ts");
  const policy = (await import(join(against, "loader", "policy.ts"))) as typeof import("../loader/policy.ts");
  arms.push([against, (b) => new other.ImageLoader(policy.defaultPolicy(), { diskCache: null }).load(b, "big")]);
}

const { bytes, source } = bigGuest(quick);
// V8 reuses the code of bytes it compiled before while that module lives: not in a cold load.
setFlagsFromString("--no-wasm-native-module-cache");
const wall = new Map<string, number[]>();
const cpu = new Map<string, number[]>();
const all = new Map<string, number[]>();
const record = (k: string, w: number, c: number, p: number) => {
  wall.set(k, [...(wall.get(k) ?? []), w]);
  cpu.set(k, [...(cpu.get(k) ?? []), c]);
  all.set(k, [...(all.get(k) ?? []), p]);
};
const startLoad = loadavg()[0];
for (let round = 0; round < rounds + 1; round++) {
  // A different arm first each round.
  const order = arms.map((_, i) => arms[(i + round) % arms.length]);
  for (const [name, load] of order) {
    // The process's CPU until the next arm starts: what the load left running (the worker's validation) counts.
    let p = processMs();
    let c = cpuMs();
    let t = performance.now();
    load(bytes);
    const w = performance.now() - t;
    const cc = cpuMs() - c;
    await new Promise((r) => setTimeout(r, 50));
    const pp = processMs() - p;
    p = processMs();
    c = cpuMs();
    t = performance.now();
    await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
    if (round > 0) {
      record(name, w, cc, pp);
      record("compile", performance.now() - t, cpuMs() - c, processMs() - p);
    }
  }
}
const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const median = (a: number[]) => sorted(a)[a.length >> 1];
const compile = median(wall.get("compile")!);
console.log(
  `${source.split("/").pop()}, ${(bytes.length / 1e6).toFixed(1)} MB; ${rounds} loads an arm; load average ${startLoad.toFixed(1)} -> ${loadavg()[0].toFixed(1)}`,
);
console.log(
  `compile: wall ${sorted(wall.get("compile")!)[0].toFixed(0)} / ${compile.toFixed(0)} ms (lowest / median; the process's CPU ${median(all.get("compile")!).toFixed(0)})`,
);
for (const [name] of arms) {
  const w = wall.get(name)!;
  const c = cpu.get(name)!;
  console.log(
    `${name}: wall ${sorted(w)[0].toFixed(0)} / ${median(w).toFixed(0)} ms, CPU ${sorted(c)[0].toFixed(0)} / ${median(c).toFixed(0)} ms (the process's ${median(all.get(name)!).toFixed(0)}), median / median compile ${(median(w) / compile).toFixed(2)}x`,
  );
}
