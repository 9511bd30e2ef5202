// A/B probe for pulse_ns (docs/fastpath.md, "Pulse and wait in one call"): one
// pulse delivered, half of a two-pulse ping-pong, in its two shapes, alternating
// in one process so both see the same machine load and JIT state: "wait"
// (pulse_wait: signal and wait in one call, what pulse_ns measures) and "two"
// (pulse, then a blocking receive: pulse_send_receive_ns), beside the bare JSPI
// ping-pong. Each shape runs in a fresh kernel, in both orders over the rounds.
// Not part of `npm run bench`.
//
//   node bench/pulse-ab.ts [--rounds 4] [--samples 60]

import { loadavg } from "node:os";
import { Kernel } from "../host/kernel.ts";
import { ImageLoader } from "../loader/loader.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import { measureIpc } from "./figures/ipc.ts";
import type { BenchContext } from "./figure.ts";
import { BenchImages } from "./images.ts";
import { type Plan, sampleHost, type Summary } from "./stats.ts";

const args = process.argv.slice(2);
let rounds = 4;
let samples = 60;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--rounds") rounds = Number(args[++i]);
  else if (args[i] === "--samples") samples = Number(args[++i]);
}

const plan: Plan = { warmup: 10, warmupMs: 300, samples, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const ctx: BenchContext = { plan, quick: false, images: new BenchImages(), loader: new ImageLoader(), log: () => {} };

const rows = new Map<string, string[]>();
const note = (key: string, s: Summary) => {
  const list = rows.get(key) ?? [];
  list.push(`${s.min.toFixed(0)}/${s.median.toFixed(0)}`);
  rows.set(key, list);
};
const half = (s: Summary): Summary => ({ ...s, min: s.min / 2, median: s.median / 2 });

const pair = await bareJspiPair(ctx);
for (let r = 0; r < rounds; r++) {
  note("pingpong", await sampleHost(plan, (n) => pair.run(n).then(() => {})));
  const order = r % 2 === 0 ? (["wait", "two"] as const) : (["two", "wait"] as const);
  for (const shape of order) {
    const s = await measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, plan, shape === "wait" ? "pulsewait" : "pulse");
    note(`pulse ${shape}`, half(s));
  }
  process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0].toFixed(2)}\n`);
}
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
process.stdout.write(`min/median ns per round (pulse: half a round trip)\n`);
for (const [key, list] of rows) process.stdout.write(`${key.padEnd(12)} ${list.join("  ")}\n`);
