// The kernel's part of a pulse and of a yield alone (pulse2): the real handlers on fake runtimes, no wasm,
// no JSPI, metered (each side burns 100 fuel before each call, so every slice end charges fuel), CPU time
// per batch. A low-noise proxy for what a change to the switch's JavaScript buys, for A/B runs of two
// checkouts in alternating processes. Not part of `npm run bench`.
//
//   node bench/kswitch.ts [--rounds 5]

import { loadavg } from "node:os";
import { Rights } from "../abi/gen/abi.ts";
import type { KernelCore } from "../kernel/core.ts";
import { newEndpoint } from "../kernel/ipc/exchange.ts";
import type { Endpoint } from "../kernel/objects/endpoint.ts";
import type { Process } from "../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../kernel/syscalls/index.ts";
import { fakeSystem, meterFakes } from "../test/model/fake-host.ts";
import { type Plan, sampleCpu, type Summary } from "./stats.ts";

type Handler = (k: KernelCore, p: Process, ...a: number[]) => unknown;
const H = SYSCALL_HANDLERS as unknown as Record<string, Handler>;

/** meterFakes, and resume a no-op: the pair drives the handlers itself (nothing runs a guest). */
function meter(procs: Process[], burn: number): (i: number) => void {
  for (const p of procs) (p.runtime as unknown as Record<string, unknown>).resume = () => {};
  return meterFakes(procs, burn);
}

function pulsePair(burn: number): (n: number) => void {
  const eps: Endpoint[] = [];
  const { k, procs } = fakeSystem(2, (kk, i) => {
    if (eps.length === 0) eps.push(newEndpoint(kk), newEndpoint(kk));
    return [
      { name: "to", object: eps[1 - i], rights: Rights.SEND },
      { name: "from", object: eps[i], rights: Rights.RECEIVE },
    ];
  });
  const [ping, pong] = procs;
  const use = meter(procs, burn);
  const h = (p: Process, name: string) => p.names.get(name)!;
  const [pingTo, pingFrom, pongTo, pongFrom] = [h(ping, "to"), h(ping, "from"), h(pong, "to"), h(pong, "from")];
  H.ipc_buffer(k, ping, 1024);
  k.yieldCurrent(ping);
  H.ipc_buffer(k, pong, 1024);
  H.reply_wait(k, pong, pongFrom, 0, 0, 0);
  const pw = H.pulse_wait;
  return (n) => {
    for (let i = 0; i < n; i++) {
      use(0);
      pw(k, ping, pingTo, 1, i, pingFrom);
      use(1);
      pw(k, pong, pongTo, 1, 0, pongFrom);
    }
    if (k.current !== ping) throw new Error("pulse pair: ping is not running");
  };
}

function yieldPair(burn: number): (n: number) => void {
  const { k, procs } = fakeSystem(2, () => []);
  const [a, b] = procs;
  const use = meter(procs, burn);
  if (k.current !== a) throw new Error("yield pair: a is not running");
  const y = H.yield;
  return (n) => {
    for (let i = 0; i < n; i++) {
      use(0);
      y(k, a);
      use(1);
      y(k, b);
    }
    if (k.current !== a) throw new Error("yield pair: a is not running");
  };
}

const args = process.argv.slice(2);
let rounds = 5;
for (let i = 0; i < args.length; i++) if (args[i] === "--rounds") rounds = Number(args[++i]);
const plan: Plan = { warmup: 10, warmupMs: 300, samples: 60, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const cpu = (run: (n: number) => void): Promise<Summary> => sampleCpu(plan, run, 2);
const pairs = { pulse: pulsePair(100), yield: yieldPair(100) };
const rows = new Map<string, Summary[]>();
for (let r = 0; r < rounds; r++)
  for (const [name, run] of Object.entries(pairs)) rows.set(name, [...(rows.get(name) ?? []), await cpu(run)]);
console.log(`load ${loadavg()[0].toFixed(2)}; CPU ns per switch, min/median per round`);
for (const [key, list] of rows) console.log(`k${key.padEnd(6)} ${list.map((s) => `${s.min.toFixed(1)}/${s.median.toFixed(1)}`).join(" ")}`);
