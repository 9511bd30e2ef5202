// A/B probe for pulse_ns (docs/fastpath.md, "Pulse and wait in one call"): one
// pulse delivered, half of a two-pulse ping-pong, in its two shapes, alternating
// in one process so both see the same machine load and JIT state: "wait"
// (pulse_wait: signal and wait in one call, what pulse_ns measures) and "two"
// (pulse, then a blocking receive: pulse_send_receive_ns), beside the bare JSPI
// ping-pong. Each shape runs in a fresh kernel, in both orders over the rounds.
// Then the kernel's own share of each (as ipc_kernel_rtt_ns is for a round
// trip): the same syscall handlers on two fake runtimes, no wasm, no JSPI.
// Not part of `npm run bench`.
//
//   node bench/pulse-ab.ts [--rounds 4] [--samples 60]

import { loadavg } from "node:os";
import { Constants, Rights } from "../abi/gen/abi.ts";
import { Kernel } from "../host/kernel.ts";
import type { KernelCore } from "../kernel/core.ts";
import { newEndpoint } from "../kernel/ipc/exchange.ts";
import type { Endpoint } from "../kernel/objects/endpoint.ts";
import type { Process } from "../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../kernel/syscalls/index.ts";
import { fakeSystem } from "../test/model/fake-host.ts";
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

type Handler = (k: KernelCore, p: Process, ...a: (number | bigint)[]) => unknown;

/**
 * A pulse ping-pong on fake runtimes: ping pulses pong's endpoint and waits on its own, pong the other
 * way; `run(n)` makes n round trips (2n pulses), each side with pulse_wait ("wait") or pulse then
 * receive ("two").
 */
function pulseKernelPair(shape: "wait" | "two"): (n: number) => void {
  const eps: Endpoint[] = [];
  const { k, procs } = fakeSystem(2, (kk, i) => {
    if (eps.length === 0) eps.push(newEndpoint(kk), newEndpoint(kk)); // [ping's, pong's]
    return [
      { name: "to", object: eps[1 - i], rights: Rights.SEND },
      { name: "from", object: eps[i], rights: Rights.RECEIVE },
    ];
  });
  const [ping, pong] = procs;
  for (const p of procs) (p.runtime as unknown as { resume: (v: number) => void }).resume = () => {};
  const H = SYSCALL_HANDLERS as unknown as Record<string, Handler>;
  const h = (p: Process, name: string) => p.names.get(name)!;
  const [pingTo, pingFrom, pongTo, pongFrom] = [h(ping, "to"), h(ping, "from"), h(pong, "to"), h(pong, "from")];
  if (k.current !== ping) throw new Error("pulse kernel pair: ping did not run first");
  H.ipc_buffer(k, ping, 1024);
  k.yieldCurrent(ping);
  if (k.current !== pong) throw new Error("pulse kernel pair: pong did not run second");
  H.ipc_buffer(k, pong, 1024);
  H.reply_wait(k, pong, pongFrom, 0, 0, 0); // pong waits; ping runs
  const INF = BigInt(Constants.DEADLINE_INFINITE);
  const { pulse_wait: pulseWait, pulse, receive } = H;
  return (n: number) => {
    if (shape === "wait")
      for (let i = 0; i < n; i++) {
        pulseWait(k, ping, pingTo, 1, i, pingFrom); // hands the CPU to pong
        pulseWait(k, pong, pongTo, 1, 0, pongFrom); // and back
      }
    else
      for (let i = 0; i < n; i++) {
        pulse(k, ping, pingTo, 1, BigInt(i));
        receive(k, ping, pingFrom, 0, 0, INF); // pong runs
        pulse(k, pong, pongTo, 1, 0n);
        receive(k, pong, pongFrom, 0, 0, INF); // ping runs
      }
    if (k.current !== ping) throw new Error("pulse kernel pair: the round trip did not end with ping running");
  };
}

const kernels = { wait: pulseKernelPair("wait"), two: pulseKernelPair("two") };
const pair = await bareJspiPair(ctx);
for (let r = 0; r < rounds; r++) {
  note("pingpong", await sampleHost(plan, (n) => pair.run(n).then(() => {})));
  const order = r % 2 === 0 ? (["wait", "two"] as const) : (["two", "wait"] as const);
  for (const shape of order) {
    const s = await measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, plan, shape === "wait" ? "pulsewait" : "pulse");
    note(`pulse ${shape}`, half(s));
  }
  for (const shape of order) note(`kernel ${shape}`, half(await sampleHost(plan, (n) => kernels[shape](n))));
  process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0].toFixed(2)}\n`);
}
process.stdout.write(
  `load average at the end: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}\n`,
);
process.stdout.write(`min/median ns per round (pulse, kernel: one pulse, half a round trip)\n`);
for (const [key, list] of rows) process.stdout.write(`${key.padEnd(12)} ${list.join("  ")}\n`);
