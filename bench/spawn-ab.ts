// A/B probe for spawn_us (docs/fastpath.md "Spawn", issue 16): the bare
// instantiate (bench/baselines/instantiate.ts), a floor (a bare parent
// suspended while the child is instantiated and run: the engine's part of a
// guest-driven spawn, no kernel), the guest's spawn + wait + close
// (bench/figures/spawn.ts's spawn_us) and the host API's, alternating in one
// process round by round, so they see the same load and JIT state. Prints
// per round the lowest per-batch time (wall) of each and the ratios of the
// lowest, plus per-op CPU time of the whole round (process.cpuUsage, all
// threads), and at the end the medians over rounds. Not part of `npm run
// bench`; run the same script in two checkouts, alternated, to compare them.
// On a shared machine small batches (--batch 25 --samples 300) find
// uninterrupted ones.
//
//   node bench/spawn-ab.ts [--rounds 5] [--samples 40] [--batch 200] [--only bare|floor|guest|host] [--median]
//
// --median: each side's median batch instead of its lowest (the bench's statistic: with batches of ≈5 ms,
// --batch 200 --samples 20, it takes in the collections; the min-based figure leaves them out).
//
// KIMPORTS=1: the bare instantiate uses the import object the kernel built
// for a child (does the kernel's import object cost at instantiation?).
// CHILD=port_send: the guest's and the host's spawns spawn a guest as small as nop that imports port_send
// (and calls it once, with no handle), so its spawn makes its wasm port_send dispatcher; use with --only
// guest or --only host (the bare instantiate stays nop's).
// STEPS=1: the bare instantiate's two steps are timed; with kernel code
// instrumented to push step times into globalThis.__T (name -> ms[]), every
// step's p10, median and p90 are printed at exit.

import { loadavg } from "node:os";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../host/kernel.ts";
import { ImageLoader } from "../loader/loader.ts";
import { fillFuel, stubImports } from "./baselines/instantiate.ts";
import { BenchImages } from "./images.ts";
import { runMarked } from "./marks.ts";

const args = process.argv.slice(2);
let rounds = 5;
let samples = 40;
let batch = 200;
let only: string | null = null;
let median = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--rounds") rounds = Number(args[++i]);
  else if (a === "--samples") samples = Number(args[++i]);
  else if (a === "--batch") batch = Number(args[++i]);
  else if (a === "--only") only = args[++i];
  else if (a === "--median") median = true;
  else throw new Error(`unknown argument ${a}`);
}

/** A side's per-batch figure: the lowest batch (default), or with --median the median batch (as `npm run bench` takes it, collections included when a batch is long enough to take one in: --batch 200 --samples 20 is ≈4-5 ms a batch). */
function pick(times: number[]): number {
  if (!median) return Math.min(...times);
  const v = [...times].sort((a, b) => a - b);
  return v[v.length >> 1];
}

process.on("exit", () => {
  const T = (globalThis as any).__T as Record<string, number[]> | undefined;
  if (T) {
    for (const k of Object.keys(T)) {
      const v = T[k].sort((x, y) => x - y);
      const q = (f: number): string => (v[Math.floor(f * (v.length - 1))] * 1000).toFixed(3);
      console.log(`${k.padEnd(28)} n ${v.length} p10 ${q(0.1)} median ${q(0.5)} p90 ${q(0.9)} us`);
    }
  }
});
const images = new BenchImages();
const loader = new ImageLoader();
const nopBytes = await images.guest("nop");
const loopBytes = await images.guest("spawn-loop");

const loaded = loader.load(nopBytes, "nop");
const imports = stubImports(loaded.module);
let bareImports: WebAssembly.Imports = imports;
const plainBareOnce = async (): Promise<void> => {
  const inst = new WebAssembly.Instance(loaded.module, bareImports);
  fillFuel(inst);
  if (loaded.startExport !== null) await WebAssembly.promising(inst.exports[loaded.startExport] as () => void)();
  await WebAssembly.promising(inst.exports._start as () => void)();
};
// STEPS=1: the same, timing its two steps into the step table (as the kernel's steps are when its code is
// instrumented the same way: docs/fastpath.md "Spawn").
const timedBareOnce = async (): Promise<void> => {
  let t = performance.now();
  const inst = new WebAssembly.Instance(loaded.module, bareImports);
  const T = ((globalThis as any).__T ??= {});
  (T["bare.Instance"] ??= []).push(performance.now() - t);
  t = performance.now();
  fillFuel(inst);
  if (loaded.startExport !== null) await WebAssembly.promising(inst.exports[loaded.startExport] as () => void)();
  await WebAssembly.promising(inst.exports._start as () => void)();
  (T["bare._start"] ??= []).push(performance.now() - t);
};
const bareOnce = process.env.STEPS ? timedBareOnce : plainBareOnce;

const kernel = new Kernel({ loader });
const loop = kernel.loadImage(loopBytes, "spawn-loop");
const child =
  process.env.CHILD === "port_send"
    ? kernel.loadImage(
        await images.wat(`(module (import "wasmos" "port_send" (func $ps (param i32 i32 i64) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start") (drop (call $ps (i32.const 0) (i32.const 1) (i64.const 0)))))`),
        "nop",
      )
    : kernel.loadImage(nopBytes, "nop");
const handles = [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }];
if (process.env.KIMPORTS) {
  // The bare instantiate with the import object the kernel built for a child (a probe: do the imports cost?).
  const Orig = WebAssembly.Instance;
  let captured: WebAssembly.Imports | null = null;
  (WebAssembly as any).Instance = function (m: WebAssembly.Module, i: WebAssembly.Imports) {
    if (m === loaded.module) captured = i;
    return new Orig(m, i);
  };
  const p = kernel.spawn(child, { args: ["nop"] });
  await p.exited;
  p.close();
  (WebAssembly as any).Instance = Orig;
  bareImports = captured!;
}

const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000; // ms
};

/** Lowest per-op wall time (us) over `samples` batches, and CPU us per op over them all. */
async function bare(): Promise<[number, number]> {
  const times: number[] = [];
  const c0 = cpuNow();
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await bareOnce();
    times.push(performance.now() - t0);
  }
  return [(pick(times) * 1000) / batch, ((cpuNow() - c0) * 1000) / (batch * samples)];
}

// The floor of a guest-driven spawn without a kernel: a bare wasm parent calls a Suspending import that
// suspends it, the child is instantiated and its _start run (bareOnce) in a microtask, and the parent
// resumes when that is done: the parent's suspension and resumption and the microtask hops a kernel
// spawn + wait also pays, and nothing else.
const floorParent = new WebAssembly.Instance(
  new WebAssembly.Module(
    (await images.wat(`(module
  (import "h" "spawn_wait" (func $sw))
  (func (export "run") (param $n i32)
    (loop $l
      (call $sw)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))))`)) as Uint8Array<ArrayBuffer>,
  ),
  {
    h: {
      spawn_wait: new WebAssembly.Suspending(() => new Promise<void>((resolve) => queueMicrotask(() => void bareOnce().then(resolve)))),
    },
  } as unknown as WebAssembly.Imports,
);
const floorRun = WebAssembly.promising(floorParent.exports.run as (n: number) => void);

async function floor(): Promise<[number, number]> {
  const times: number[] = [];
  const c0 = cpuNow();
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    await floorRun(batch);
    times.push(performance.now() - t0);
  }
  return [(pick(times) * 1000) / batch, ((cpuNow() - c0) * 1000) / (batch * samples)];
}

async function guest(): Promise<[number, number]> {
  const c0 = cpuNow();
  const marks = await runMarked(kernel, [{ image: loop, args: [batch, samples], handles, marks: true }]);
  const cpu = ((cpuNow() - c0) * 1000) / (batch * samples);
  const times: number[] = [];
  for (let i = 1; i < marks.length; i++) times.push(marks[i] - marks[i - 1]);
  return [(pick(times) * 1000) / batch, cpu];
}

async function host(): Promise<[number, number]> {
  const times: number[] = [];
  const c0 = cpuNow();
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) {
      const p = kernel.spawn(child, { args: ["nop"] });
      await p.exited;
      p.close();
    }
    times.push(performance.now() - t0);
  }
  return [(pick(times) * 1000) / batch, ((cpuNow() - c0) * 1000) / (batch * samples)];
}

const f = (x: number): string => x.toFixed(2).padStart(6);
if (only !== null) {
  // One side alone (for a profile: --cpu-prof).
  const run = only === "bare" ? bare : only === "guest" ? guest : only === "floor" ? floor : host;
  for (let r = 0; r < rounds; r++) console.log(`${only}: ${(await run()).map(f).join(" ")}`);
  process.exit(0);
}
// Warm-up.
await bare();
await floor();
await guest();
await host();
console.log(`load ${loadavg()[0].toFixed(2)}; per op, us: ${median ? "median" : "min"} wall (cpu)`);
const ratios: number[] = [];
const gaps: number[] = [];
const floors: number[] = [];
for (let r = 0; r < rounds; r++) {
  const [b, bc] = await bare();
  const [fl] = await floor();
  const [g, gc] = await guest();
  const [h, hc] = await host();
  ratios.push(g / b);
  gaps.push(g - b);
  floors.push(fl - b);
  console.log(
    `round ${r}: bare ${f(b)} (${f(bc)})  floor ${f(fl)}  spawn ${f(g)} (${f(gc)})  host ${f(h)} (${f(hc)})  spawn/bare ${(g / b).toFixed(3)} cpu ${(gc / bc).toFixed(3)}  host/bare ${(h / b).toFixed(3)}`,
  );
}
ratios.sort((a, b) => a - b);
gaps.sort((a, b) => a - b);
floors.sort((a, b) => a - b);
console.log(
  `spawn/bare ${median ? "median" : "min"}-based: lowest ${ratios[0].toFixed(3)}, median ${ratios[ratios.length >> 1].toFixed(3)}; spawn - bare: lowest ${gaps[0].toFixed(2)} us, median ${gaps[gaps.length >> 1].toFixed(2)} us; floor - bare: median ${floors[floors.length >> 1].toFixed(2)} us; load ${loadavg()[0].toFixed(2)}`,
);
kernel.release(loop);
kernel.release(child);
