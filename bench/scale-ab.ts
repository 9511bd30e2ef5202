// A/B probe for ctx_switch_ns_at_scale (docs/fastpath.md, issue 16): the
// context switch of figures/ctx-switch.ts in one real-time kernel (as the
// scale child measures it), in states visited in the order
//   0 sleepers, 1 sleeper, N sleepers, 1 sleeper, 0 sleepers
// (a sleeper: bench/guests/blocker.ts, blocked in an hour's sleep, one armed
// timer each), each state measured for the variants given, alternating.
// Separates what one armed timer costs a switch from what N processes cost.
// Not part of `npm run bench`.
//
//   node --expose-gc bench/scale-ab.ts [--n 10000] [--rounds 2] [--samples 60] variant...
//
// Variants: "on" (the kernel as built), "global" (the fuel counter through
// WebAssembly.Global.value only, no wasm accessors), "reread" (a dispatch's
// slice bound reads the clock again instead of taking the dispatch's reading,
// as before scalefix; "wrapped" is "on" through the same kind of patched
// method, its fair comparison), "notimer" (an ablation that breaks timers: the kernel
// sees no timer armed while the switches are measured; a measurement only).

import { loadavg } from "node:os";
import { PerformanceObserver } from "node:perf_hooks";
import { ExitReason, ProcessState } from "../abi/gen/abi.ts";
import { type HostProcess, Kernel } from "../host/kernel.ts";
import { COUNTER_HELPER } from "../host/runtime/process-runtime.ts";
import { CpuScheduler } from "../kernel/sched/cpu.ts";
import { ImageLoader } from "../loader/loader.ts";
import { measureCtxSwitch } from "./figures/ctx-switch.ts";
import { BenchImages } from "./images.ts";
import type { Plan } from "./stats.ts";

const args = process.argv.slice(2);
let n = 10_000;
let rounds = 2;
let samples = 60;
const variants: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--n") n = Number(args[++i]);
  else if (a === "--rounds") rounds = Number(args[++i]);
  else if (a === "--samples") samples = Number(args[++i]);
  else variants.push(a);
}
if (variants.length === 0) variants.push("on");

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const plan: Plan = { warmup: 10, warmupMs: 300, samples, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const images = new BenchImages();
const kernel = new Kernel({ deterministic: false, loader: new ImageLoader(), limits: { maxProcesses: n + 16 } });
const blocker = kernel.loadImage(await images.guest("blocker"), "blocker");
await images.guest("yielder");

async function settle(procs: readonly HostProcess[]): Promise<void> {
  for (;;) {
    await new Promise((r) => setImmediate(r));
    if (procs.every((p) => p.process.state === ProcessState.BLOCKED)) return;
  }
}

const sleepers: HostProcess[] = [];
async function setSleepers(count: number): Promise<void> {
  while (sleepers.length > count) {
    const p = sleepers.pop()!;
    kernel.core.terminate(p.process, 0, ExitReason.KILLED, "scale-ab");
    p.close();
  }
  const batch: HostProcess[] = [];
  while (sleepers.length + batch.length < count) batch.push(kernel.spawn(blocker));
  await settle(batch);
  sleepers.push(...batch);
  gc();
}

const proto = CpuScheduler.prototype as unknown as Record<string, unknown>;
const realSliceFuel = proto.sliceFuel as (p: unknown, at?: number) => number;
const timers = kernel.core.timers as unknown as { next: () => number };
const realNext = timers.next;

/** Set up variant v for what runs next (undone by variant("on")). */
function variant(v: string): void {
  COUNTER_HELPER.after = 512;
  proto.sliceFuel = realSliceFuel;
  timers.next = realNext;
  if (v === "global") COUNTER_HELPER.after = Infinity;
  else if (v === "reread")
    proto.sliceFuel = function (this: unknown, p: unknown) {
      return realSliceFuel.call(this, p);
    };
  else if (v === "wrapped")
    proto.sliceFuel = function (this: unknown, p: unknown, at?: number) {
      return realSliceFuel.call(this, p, at);
    };
  else if (v === "notimer") timers.next = () => Infinity;
  else if (v !== "on") throw new Error(`unknown variant ${v}`);
}

// Time in garbage collection while a state is measured (ms, by kind), and wasm counter accessors made.
let gcMs: Record<string, number> = {};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = String((e as unknown as { detail?: { kind?: number } }).detail?.kind ?? "?");
    gcMs[kind] = (gcMs[kind] ?? 0) + e.duration;
  }
}).observe({ entryTypes: ["gc"] });

const rows = new Map<string, string[]>();
async function measure(state: string): Promise<void> {
  gcMs = {};
  const made = COUNTER_HELPER.made;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      variant(v);
      const s = await measureCtxSwitch(kernel, images, plan);
      variant("on");
      const key = `${state.padEnd(12)} ${v}`;
      rows.set(key, [...(rows.get(key) ?? []), `${s.min.toFixed(0)}/${s.median.toFixed(0)}`]);
    }
  }
  const gcs = Object.entries(gcMs)
    .map(([kind, ms]) => `kind ${kind}: ${ms.toFixed(0)} ms`)
    .join(", ");
  const took = performance.now() - t0;
  process.stderr.write(
    `${state} done in ${took.toFixed(0)} ms (GC ${gcs}; counter accessors made: ${COUNTER_HELPER.made - made}), load ${loadavg()[0].toFixed(2)}\n`,
  );
}

for (const [count, label] of [
  [0, "0 sleepers"],
  [1, "1 sleeper"],
  [n, `${n} sleepers`],
  [1, "1 sleeper'"],
  [0, "0 sleepers'"],
] as const) {
  await setSleepers(count);
  await measure(label);
}
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
process.stdout.write(`ctx switch, min/median ns per round\n`);
for (const [key, list] of rows) process.stdout.write(`${key.padEnd(24)} ${list.join("  ")}\n`);
process.exit(0);
