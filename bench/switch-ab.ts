// A/B probe for the switch figures (docs/fastpath.md, issue 16): the bare
// ping-pong, ipc_rtt_ns, pulse_ns, ctx_switch_ns and ipc_kernel_rtt_ns, each
// measured for several kernel variants alternating in one process, so the
// variants see the same machine load and the same JIT state. Not part of
// `npm run bench` (which measures the kernel as built); a tool for deciding
// whether a change to the switch path moves anything.
//
//   node bench/switch-ab.ts [--rounds 3] [--samples 60] [--only ipc,pulse,ctx,kernel] variant...
//
// Variants: "on" (the kernel as built), "off" (KernelConfig.fastSlice false:
// the general slice accounting on every switch), "noacct" (an ablation that
// breaks accounting: beginSlice/endSlice return at once; a measurement only),
// "global" (the fuel counter through WebAssembly.Global.value only, as before
// the wasm accessors), "noread" (an ablation: the wasm runtimes' fuel counter is never read, so no
// fuel is charged; a measurement only).
// Prints, per figure and variant, the lowest and the median per-batch time of
// each round, and the load average.

import { loadavg } from "node:os";
import { IMAGE_GRANT_RIGHTS, Kernel, type KernelConfig } from "../host/kernel.ts";
import { ImageLoader } from "../loader/loader.ts";
import { CpuScheduler } from "../kernel/sched/cpu.ts";
import { COUNTER_HELPER, WasmProcessRuntime } from "../host/runtime/process-runtime.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import { measureCtxSwitch } from "./figures/ctx-switch.ts";
import { measureIpc } from "./figures/ipc.ts";
import { kernelPair } from "./figures/ipc-kernel.ts";
import type { BenchContext } from "./figure.ts";
import { BenchImages } from "./images.ts";
import { type Plan, sampleHost, type Summary } from "./stats.ts";

const args = process.argv.slice(2);
let rounds = 3;
let samples = 60;
let only = ["ipc", "pulse", "ctx", "kernel"];
const variants: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--rounds") rounds = Number(args[++i]);
  else if (a === "--samples") samples = Number(args[++i]);
  else if (a === "--only") only = args[++i].split(",");
  else variants.push(a);
}
if (variants.length === 0) variants.push("on", "off");

const plan: Plan = { warmup: 10, warmupMs: 300, samples, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const ctx: BenchContext = { plan, quick: false, images: new BenchImages(), loader: new ImageLoader(), log: () => {} };

const proto = CpuScheduler.prototype as unknown as Record<string, unknown>;
const realBegin = proto.beginSlice;
const realEnd = proto.endSlice;
const rtProto = WasmProcessRuntime.prototype as unknown as Record<string, unknown>;
const realSetFuel = rtProto.setFuel;
const realFuelLeft = rtProto.fuelLeft;

/** Set up variant v for what runs next; the config its kernels take. */
function variant(v: string): Partial<KernelConfig> {
  proto.beginSlice = realBegin;
  proto.endSlice = realEnd;
  rtProto.setFuel = realSetFuel;
  rtProto.fuelLeft = realFuelLeft;
  COUNTER_HELPER.after = 512;
  switch (v) {
    case "on":
      return {};
    case "off":
      return { fastSlice: false } as Partial<KernelConfig>;
    case "noacct":
      // Only the running process is kept (the out-of-fuel path checks it): no charge, no refill, no latency check.
      proto.beginSlice = function (this: { running: unknown }, p: unknown) {
        this.running = p;
      };
      proto.endSlice = function (this: { running: unknown }) {
        this.running = null;
      };
      return {};
    case "global":
      // The counter read and written through WebAssembly.Global's value only (no wasm accessors).
      COUNTER_HELPER.after = Infinity;
      return {};
    case "noread":
      // The counter is never read: fuelLeft answers the value last written (no fuel is ever charged; the
      // counter runs on until the guest's own check calls the kernel). A measurement only: it breaks accounting.
      rtProto.setFuel = function (this: { last: number }, f: number) {
        this.last = f;
        (realSetFuel as (f: number) => void).call(this, f);
      };
      rtProto.fuelLeft = function (this: { last?: number }) {
        return this.last ?? 0;
      };
      return {};
    default:
      throw new Error(`unknown variant ${v}`);
  }
}

const rows = new Map<string, string[]>();
const note = (key: string, s: Summary) => {
  const list = rows.get(key) ?? [];
  list.push(`${s.min.toFixed(0)}/${s.median.toFixed(0)}`);
  rows.set(key, list);
};

const pair = await bareJspiPair(ctx);
for (let r = 0; r < rounds; r++) {
  note("pingpong", await sampleHost(plan, (n) => pair.run(n).then(() => {})));
  for (const v of variants) {
    const config = variant(v);
    const k = () => new Kernel({ loader: ctx.loader, ...config });
    if (only.includes("ipc")) note(`ipc_rtt ${v}`, await measureIpc(k(), ctx.images, plan, "call"));
    if (only.includes("pulse")) {
      const s = await measureIpc(k(), ctx.images, plan, "pulse");
      note(`pulse ${v}`, { ...s, min: s.min / 2, median: s.median / 2 });
    }
    if (only.includes("ctx")) note(`ctx_switch ${v}`, await measureCtxSwitch(k(), ctx.images, plan));
    if (only.includes("kernel")) {
      const kp = kernelPair(config.fastSlice === false ? { fastSlice: false } : {}, 100);
      note(`kernel ${v}`, await sampleHost(plan, (n) => kp.run(n)));
    }
    variant("on");
  }
  process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0].toFixed(2)}\n`);
}
void IMAGE_GRANT_RIGHTS;
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
process.stdout.write(`min/median ns per round\n`);
for (const [key, list] of rows) process.stdout.write(`${key.padEnd(20)} ${list.join("  ")}\n`);
