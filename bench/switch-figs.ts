// The switch figures alone, for A/B runs of two checkouts in alternating fresh processes (docs/fastpath.md,
// pulse2): per round the bare JSPI ping-pong, pulse_ns (pulse_wait, half a two-pulse round trip) and
// ctx_switch_ns, each in a fresh kernel, min/median ns per round. Not part of `npm run bench`.
//
//   node bench/switch-figs.ts [--rounds 3] [--samples 60] [--only bare,pulse,ctx,ipc]

import { loadavg } from "node:os";
import { Kernel } from "../host/kernel.ts";
import { ImageLoader } from "../loader/loader.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import { measureCtxSwitch } from "./figures/ctx-switch.ts";
import { measureIpc } from "./figures/ipc.ts";
import type { BenchContext } from "./figure.ts";
import { BenchImages } from "./images.ts";
import { type Plan, sampleHost, type Summary } from "./stats.ts";

const args = process.argv.slice(2);
let rounds = 3;
let samples = 60;
let only = ["bare", "pulse", "ctx"];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--rounds") rounds = Number(args[++i]);
  else if (a === "--samples") samples = Number(args[++i]);
  else if (a === "--only") only = args[++i].split(",");
  else throw new Error(`unknown argument ${a}`);
}
const plan: Plan = { warmup: 10, warmupMs: 300, samples, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const ctx: BenchContext = { plan, quick: false, images: new BenchImages(), loader: new ImageLoader(), log: () => {} };
const rows = new Map<string, Summary[]>();
const note = (key: string, s: Summary) => rows.set(key, [...(rows.get(key) ?? []), s]);
const pair = await bareJspiPair(ctx);
const load0 = loadavg()[0];
for (let r = 0; r < rounds; r++) {
  if (only.includes("bare")) note("bare", await sampleHost(plan, (n) => pair.run(n).then(() => {})));
  if (only.includes("pulse")) {
    const s = await measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, plan, "pulsewait");
    note("pulse", { ...s, min: s.min / 2, median: s.median / 2 });
  }
  if (only.includes("ctx")) note("ctx", await measureCtxSwitch(new Kernel({ loader: ctx.loader }), ctx.images, plan));
  if (only.includes("ipc")) note("ipc", await measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, plan, "call"));
}
const out = [`load ${load0.toFixed(2)}-${loadavg()[0].toFixed(2)}`];
for (const [key, list] of rows) out.push(`${key.padEnd(6)} ${list.map((s) => `${s.min.toFixed(0)}/${s.median.toFixed(0)}`).join(" ")}`);
process.stdout.write(out.join("\n") + "\n");
