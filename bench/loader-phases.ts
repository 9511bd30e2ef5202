// A/B probe of the loader's cold load phase by phase (issue 12's
// loader_vs_compile_ratio; docs/fastpath.md "The loader's cold load, fifth
// pass"): this checkout's and another's loader (its loader/, wasm/ and what
// they import, loaded into this process) alternated load by load on the large
// guest (bench/big-module.ts), each phase's CPU time on this thread: the hash,
// the verifier with the fuel scan riding on its walk (shared with the engine
// gate's worker unless --one-thread), the fuel plan, the writer, the compile
// of the prepared module; then a whole ImageLoader.load. Prints per phase the
// lowest / median of each side, and the load average. Not part of
// `npm run bench`. Another checkout's copy that needs no node_modules of its
// own: `git archive <commit> loader wasm kernel abi hal | tar -x -C DIR`
// inside this repository.
//
//   node bench/loader-phases.ts --against DIR [--rounds 12] [--one-thread]

import { loadavg } from "node:os";
import { setFlagsFromString } from "node:v8";
import { join, resolve } from "node:path";
import { bigGuest } from "./big-module.ts";
import type { WasmModule } from "../wasm/reader.ts";

const args = process.argv.slice(2);
let rounds = 12;
let against: string | null = null;
let shared = true;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--rounds") rounds = Number(args[++i]);
  else if (a === "--against") against = resolve(args[++i]);
  else if (a === "--one-thread") shared = false;
  else throw new Error(`unknown argument ${a}`);
}
if (against === null) throw new Error("usage: node bench/loader-phases.ts --against DIR [--rounds 12] [--one-thread]");

interface Side {
  loader: typeof import("../loader/loader.ts");
  policy: typeof import("../loader/policy.ts");
  verify: typeof import("../loader/verify.ts");
  fuel: typeof import("../loader/instrument/fuel.ts");
  writer: typeof import("../wasm/writer.ts");
}
async function side(root: string): Promise<Side> {
  return {
    loader: await import(join(root, "loader", "loader.ts")),
    policy: await import(join(root, "loader", "policy.ts")),
    verify: await import(join(root, "loader", "verify.ts")),
    fuel: await import(join(root, "loader", "instrument", "fuel.ts")),
    writer: await import(join(root, "wasm", "writer.ts")),
  };
}

/** This thread's CPU time in ms (Node >= 23.9). */
function cpuMs(): number {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
}

const { bytes } = bigGuest(false);
// V8 reuses the code of bytes it compiled before while that module lives: not in a cold load.
setFlagsFromString("--no-wasm-native-module-cache");
const sides: [string, Side][] = [
  ["other", await side(against)],
  ["this", await side(resolve(import.meta.dirname, ".."))],
];
const times = new Map<string, number[]>();
const record = (k: string, v: number) => times.set(k, [...(times.get(k) ?? []), v]);
const startLoad = loadavg()[0];
for (let round = 0; round < rounds + 1; round++) {
  for (const [name, s] of round % 2 === 0 ? sides : [...sides].reverse()) {
    let t = cpuMs();
    const t0 = t;
    const phase = (k: string) => {
      const c = cpuMs();
      if (round > 0) record(`${name} ${k}`, c - t);
      t = c;
    };
    s.loader.sha256(bytes);
    phase("hash");
    let scan: InstanceType<Side["fuel"]["FuelScan"]> | undefined;
    const ride = Object.assign((m: WasmModule) => (scan = new s.fuel.FuelScan(m)), shared ? { parallel: "fuel" as const } : {});
    const { report, module: m, finalGate } = s.verify.verifyAndParse(bytes, s.policy.defaultPolicy(), ride, { deferGate: true });
    phase("verify");
    if (m === null) throw new Error("the guest is refused");
    const plan = s.fuel.planFuel(m, scan, { preemption: "fuel" });
    phase("plan");
    const out = s.writer.editModule(m, plan.edits, { reuseOutput: true });
    plan.patches.release();
    phase("write");
    finalGate?.();
    if (!report.ok) throw new Error("the guest is refused");
    new WebAssembly.Module(out as Uint8Array<ArrayBuffer>);
    phase("compile");
    s.writer.releaseEditOutput(out);
    if (round > 0) record(`${name} total`, cpuMs() - t0);
    await new Promise((r) => setTimeout(r, 30));
    const c = cpuMs();
    new s.loader.ImageLoader(s.policy.defaultPolicy(), { diskCache: null, parallelScan: shared }).load(bytes, "big");
    if (round > 0) record(`${name} load`, cpuMs() - c);
    await new Promise((r) => setTimeout(r, 30));
  }
}
console.log(
  `${rounds} rounds, the walk ${shared ? "shared" : "on one thread"}; load average ${startLoad.toFixed(1)} -> ${loadavg()[0].toFixed(1)}; CPU ms, lowest / median`,
);
const cell = (k: string) => {
  const v = [...times.get(k)!].sort((a, b) => a - b);
  return `${v[0].toFixed(1)} / ${v[v.length >> 1].toFixed(1)}`;
};
console.log(`${"".padEnd(8)}${"other".padEnd(16)}this`);
for (const k of ["hash", "verify", "plan", "write", "compile", "total", "load"]) {
  console.log(`${k.padEnd(8)}${cell(`other ${k}`).padEnd(16)}${cell(`this ${k}`)}`);
}
