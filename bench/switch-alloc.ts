// Bytes the real switch figures allocate per two switches (docs/fastpath.md, pulse2): pulse_ns's ping-pong
// (a two-pulse round trip), ctx_switch_ns's yielders (one yield each) and ipc_rtt_ns's round trip, beside the
// bare JSPI pair's round trip. Young-generation growth over a short and a long batch (the difference, so
// spawning and setup cancel out), the least of six tries each (a try that collected shows a shrink and is
// skipped). Run with a young generation a long batch fits in:
//
//   node --max-semi-space-size=256 bench/switch-alloc.ts

import { getHeapSpaceStatistics } from "node:v8";
import { Kernel } from "../host/kernel.ts";
import { ImageLoader } from "../loader/loader.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import { measureCtxSwitch } from "./figures/ctx-switch.ts";
import { measureIpc } from "./figures/ipc.ts";
import type { BenchContext } from "./figure.ts";
import { BenchImages } from "./images.ts";
import type { Plan } from "./stats.ts";

const used = () => getHeapSpaceStatistics().find((s) => s.space_name === "new_space")!.space_used_size;
const plan = (batch: number): Plan => ({ warmup: 0, warmupMs: 0, samples: 1, targetSampleMs: 0, maxBatch: 1 << 24, fixedBatch: batch });
const ctx: BenchContext = { plan: plan(1), quick: false, images: new BenchImages(), loader: new ImageLoader(), log: () => {} };
const bare = await bareJspiPair(ctx);
const shapes: Record<string, (batch: number) => Promise<unknown>> = {
  bare: (b) => bare.run(b),
  pulse: (b) => measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, plan(b), "pulsewait"),
  ctx: (b) => measureCtxSwitch(new Kernel({ loader: ctx.loader }), ctx.images, plan(b)),
  ipc: (b) => measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, plan(b), "call"),
};

async function least(run: () => Promise<unknown>): Promise<number> {
  let m = Infinity;
  for (let i = 0; i < 6; i++) {
    const a = used();
    await run();
    const d = used() - a;
    if (d >= 0) m = Math.min(m, d);
  }
  return m;
}

for (const [name, run] of Object.entries(shapes)) {
  for (let i = 0; i < 3; i++) await run(20000); // compiled and settled
  const grown = (await least(() => run(6000))) - (await least(() => run(1000)));
  process.stdout.write(`${name.padEnd(6)} ${(grown / 5000).toFixed(0)} bytes per two switches\n`);
}
