// A/B probe for ipc_rtt_ns (docs/fastpath.md, "call and reply_wait pairs in wasm: lazy state"): the SDK's
// call / reply_wait round trip (bench/guests/ipc-client.ts, ipc-server.ts: ipc_rtt_ns's own measurement) with
// the vDSO serving the pair ("vdso": KernelConfig.fastCall, the default) and without it ("ts": the TypeScript
// fastCall / fastReplyWait), alternating in one process, both orders over the rounds, beside the bare JSPI
// ping-pong. Each measurement in a fresh kernel. Not part of `npm run bench`.
//
//   node bench/call-ab.ts [--rounds 4] [--samples 60]

import { loadavg } from "node:os";
import { Kernel } from "../host/kernel.ts";
import { fastCallCounts } from "../kernel/fast/yields.ts";
import { ImageLoader } from "../loader/loader.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import { IPC_MODE, measureIpc } from "./figures/ipc.ts";
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

const rows = new Map<string, Summary[]>();
const note = (key: string, s: Summary) => rows.set(key, [...(rows.get(key) ?? []), s]);

const pair = await bareJspiPair(ctx);
for (let r = 0; r < rounds; r++) {
  note("pingpong", await sampleHost(plan, (n) => pair.run(n).then(() => {})));
  const order = r % 2 === 0 ? (["vdso", "ts"] as const) : (["ts", "vdso"] as const);
  for (const v of order) {
    const served = fastCallCounts.served;
    note(`ipc ${v}`, await measureIpc(new Kernel({ loader: ctx.loader, fastCall: v === "vdso" }), ctx.images, plan, IPC_MODE));
    if (fastCallCounts.served > served !== (v === "vdso"))
      throw new Error(`call-ab: the ${v} run was served by the vDSO: ${fastCallCounts.served - served}`);
  }
  process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0].toFixed(2)}\n`);
}
const base = rows.get("pingpong")!;
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
process.stdout.write(`min/median ns per round trip, and the median's ratio to the same round's bare ping-pong\n`);
for (const [key, list] of rows)
  process.stdout.write(
    `${key.padEnd(10)} ${list.map((s, i) => `${s.min.toFixed(0)}/${s.median.toFixed(0)} (${(s.median / base[i].median).toFixed(2)}x)`).join("  ")}\n`,
  );
