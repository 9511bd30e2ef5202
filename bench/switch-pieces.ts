// The pieces between the yield vDSO's switch and the bare pair's, each priced alone (docs/fastpath.md,
// switch6): two WAT yielders switch through a forwarder module shaped as the yield vDSO (a ring of two, its
// `yield` export the guests' import, one Suspending `switchTo(from, to, value)` import), with no kernel
// step, so what differs between rungs is only the switch's JavaScript and the frames around it. All rungs
// alternate in one process (CPU time per batch, min / median ns per two switches, comparable with `bare`).
// Not part of `npm run bench`; a tool for deciding what a switch's JavaScript may cost.
//
//   node bench/switch-pieces.ts [--rounds 3] [--only rung,rung]
//
// Rungs:
//   bare        bench/baselines/jspi-pingpong.ts's pair (one round trip: two switches)
//   direct      the yielders import one Suspending function (bare closures: a resolver array) directly
//   fwd         the same closures behind the forwarder, called (the forwarder's frame stays while suspended)
//   fwd-tail    the same, tail-called (return_call: no forwarder frame while suspended)
//   handoff     the real WasmProcessRuntime.handOff behind the tail-calling forwarder (what the vDSO does)
//   handoff-call  the same behind the calling forwarder
//   arm-resume  the real arm() then resume() (the general path: every bridge entry's) behind the tail-calling forwarder
//   lean        on the real runtime objects: the caller's promise with only its resolve kept, an executor
//               written at the constructor call, the next one's resolve taken and called; nothing else
//   +reject     lean, keeping the reject function too (what the runtime did before switch6)
//   +field      lean, the executor a function read from a field of the runtime (the runtime's `park` before switch6)
//   +armed      lean, the promise kept on the runtime too
//   +check      lean, with handOff's test that the next is suspended and the caller is not
//   +countdown  lean, with the host-yield countdown (a copy of the runtime's)
import { loadavg } from "node:os";
import { WasmProcessRuntime } from "../host/runtime/process-runtime.ts";
import type { KernelCore } from "../kernel/core.ts";
import type { Process } from "../kernel/objects/process.ts";
import { ImageLoader } from "../loader/loader.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import type { BenchContext } from "./figure.ts";
import { BenchImages } from "./images.ts";
import { type Plan, sampleCpu, type Summary } from "./stats.ts";

const plan: Plan = { warmup: 10, warmupMs: 300, samples: 60, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const ctx: BenchContext = { plan, quick: false, images: new BenchImages(), loader: new ImageLoader(), log: () => {} };

/** A runs run(n) (n yields; returns the sum of their results), B yields forever. */
const YA = `(module
  (import "wasmos" "yield" (func $y (result i32)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $y)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))`;
const YB = `(module
  (import "wasmos" "yield" (func $y (result i32)))
  (func (export "serve") (loop $next (drop (call $y)) (br $next))))`;
/** The forwarder: the ring's head (B runs first) hands the CPU to the other; `call` is "call" or "return_call". */
const forwarder = (call: string) => `(module
  (import "k" "switchTo" (func $sw (param i32 i32 i32) (result i32)))
  (global $head (mut i32) (i32.const 1))
  (func (export "yield") (result i32) (local $h i32) (local $q i32)
    (local.set $h (global.get $head))
    (local.set $q (i32.xor (local.get $h) (i32.const 1)))
    (global.set $head (local.get $q))
    (${call} $sw (local.get $h) (local.get $q) (i32.const 1))))`;

export type Run = { run: (n: number) => Promise<unknown> };
type Switch = (from: number, to: number, value: number) => Promise<number>;

const mod = async (wat: string) => new WebAssembly.Module((await ctx.images.wat(wat, { tail_call: true })) as Uint8Array<ArrayBuffer>);

/** The two yielders with `yieldFn` as their import; prime() leaves A's promise armed before B's first yield. */
async function pair(yieldFn: unknown, prime: () => void): Promise<Run> {
  const ia = new WebAssembly.Instance(await mod(YA), { wasmos: { yield: yieldFn } } as unknown as WebAssembly.Imports);
  const ib = new WebAssembly.Instance(await mod(YB), { wasmos: { yield: yieldFn } } as unknown as WebAssembly.Imports);
  prime();
  void WebAssembly.promising(ib.exports.serve as () => void)();
  await Promise.resolve();
  return { run: WebAssembly.promising(ia.exports.run as (n: number) => number) };
}

/** The yielders behind the forwarder (tail: return_call) whose switchTo is `sw`. */
async function forwarded(sw: Switch, prime: () => void, tail = true): Promise<Run> {
  const f = new WebAssembly.Instance(await mod(forwarder(tail ? "return_call" : "call")), {
    k: { switchTo: new WebAssembly.Suspending(sw) },
  } as unknown as WebAssembly.Imports);
  return pair(f.exports.yield, prime);
}

/** Bare closures: a resolver array, as the bare pair's. */
function closures(): { sw: Switch; prime: () => void } {
  const res: (((v: number) => void) | null)[] = [null, null];
  const sw = (from: number, to: number, v: number): Promise<number> => {
    const p = new Promise<number>((r) => {
      res[from] = r;
    });
    const w = res[to]!;
    res[to] = null;
    w(v);
    return p;
  };
  return { sw, prime: () => void new Promise<number>((r) => (res[0] = r)) };
}

/** Two real WasmProcessRuntime objects (metered, never started), as the ladder's toy rungs. */
function runtimes(): WasmProcessRuntime[] {
  const k = { current: null as Process | null, sched: { nsPerFuel: 1 } };
  const image = { name: "pieces", preemption: "fuel", metered: true };
  return [1, 2].map((pid) => {
    const p = { pid, promises: -1, mm: { fault: null }, runtime: null } as unknown as Process;
    return (p.runtime = new WasmProcessRuntime(k as unknown as KernelCore, p, image as never));
  });
}

/** The runtime's switch fields as the ablations write them (at run time the private fields are plain ones). */
type Fields = { pending: ((v: number) => void) | null; reject: ((e: unknown) => void) | null; armed: Promise<number> | null };
/** An ablation on the real runtime objects; `reject` is a field of the probe's own (the runtime keeps none). */
async function onRuntimes(make: (f: Fields[]) => Switch): Promise<Run> {
  const real = runtimes();
  return forwarded(make(real as unknown as Fields[]), () => void real[0].arm());
}

// A copy of the runtime's host-yield countdown (the runtime's is module-private).
let untilClockCheck = 0;
let lastHostYield = performance.now();
function clockDue(): boolean {
  untilClockCheck = 64;
  const now = performance.now();
  if (now - lastHostYield < 10) return false;
  lastHostYield = now;
  return true;
}

const RUNGS: Record<string, () => Promise<Run>> = {
  direct: () => {
    const { sw, prime } = closures();
    let head = 1;
    const y = (): Promise<number> => {
      const from = head;
      head = from ^ 1;
      return sw(from, head, 1);
    };
    return pair(new WebAssembly.Suspending(y), prime);
  },
  fwd: () => {
    const { sw, prime } = closures();
    return forwarded(sw, prime, false);
  },
  "fwd-tail": () => {
    const { sw, prime } = closures();
    return forwarded(sw, prime);
  },
  handoff: () => {
    const real = runtimes();
    return forwarded(
      (from, to, v) => real[from].handOff(real[to], v),
      () => void real[0].arm(),
    );
  },
  "handoff-call": () => {
    const real = runtimes();
    return forwarded(
      (from, to, v) => real[from].handOff(real[to], v),
      () => void real[0].arm(),
      false,
    );
  },
  "arm-resume": () => {
    const real = runtimes();
    return forwarded(
      (from, to, v) => {
        const p = real[from].arm();
        real[to].resume(v);
        return p;
      },
      () => void real[0].arm(),
    );
  },
  lean: () =>
    onRuntimes((f) => (from, to, v) => {
      const a = f[from];
      const p = new Promise<number>((res) => {
        a.pending = res;
      });
      const b = f[to];
      const r = b.pending!;
      b.pending = null;
      r(v);
      return p;
    }),
  "+reject": () =>
    onRuntimes((f) => (from, to, v) => {
      const a = f[from];
      const p = new Promise<number>((res, rej) => {
        a.pending = res;
        a.reject = rej;
      });
      const b = f[to];
      const r = b.pending!;
      b.pending = null;
      b.reject = null;
      r(v);
      return p;
    }),
  "+field": () =>
    onRuntimes((f) => {
      const execs = f.map((a) => (res: (v: number) => void) => {
        a.pending = res;
      });
      return (from, to, v) => {
        const p = new Promise<number>(execs[from]);
        const b = f[to];
        const r = b.pending!;
        b.pending = null;
        r(v);
        return p;
      };
    }),
  "+armed": () =>
    onRuntimes((f) => (from, to, v) => {
      const a = f[from];
      const p = (a.armed = new Promise<number>((res) => {
        a.pending = res;
      }));
      const b = f[to];
      const r = b.pending!;
      b.pending = null;
      r(v);
      return p;
    }),
  "+check": () =>
    onRuntimes((f) => (from, to, v) => {
      const a = f[from];
      const b = f[to];
      const r = b.pending;
      if (r === null || a.pending !== null) throw new Error("not suspended");
      const p = new Promise<number>((res) => {
        a.pending = res;
      });
      b.pending = null;
      r(v);
      return p;
    }),
  "+countdown": () =>
    onRuntimes((f) => (from, to, v) => {
      const a = f[from];
      const p = new Promise<number>((res) => {
        a.pending = res;
      });
      const b = f[to];
      const r = b.pending!;
      b.pending = null;
      if (--untilClockCheck > 0 || !clockDue()) r(v);
      else setImmediate(() => r(v));
      return p;
    }),
};

/** Build the rungs asked for (for tests: each must switch). */
export function piecesRung(name: string): Promise<Run> {
  const make = RUNGS[name];
  if (make === undefined) throw new Error(`no rung ${name}`);
  return make();
}
export const PIECES = Object.keys(RUNGS);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let rounds = 3;
  let only = ["bare", ...PIECES];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--rounds") rounds = Number(args[++i]);
    else if (args[i] === "--only") only = args[++i].split(",");
    else throw new Error(`unknown argument ${args[i]}`);
  }
  const bare = await bareJspiPair(ctx);
  const runs: Record<string, Run> = {};
  for (const r of only) if (r !== "bare") runs[r] = await piecesRung(r);
  const rows = new Map<string, Summary[]>();
  for (let r = 0; r < rounds; r++) {
    for (const name of only) {
      const s = await sampleCpu(plan, name === "bare" ? (n) => bare.run(n) : runs[name].run);
      rows.set(name, [...(rows.get(name) ?? []), s]);
    }
    process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0].toFixed(2)}\n`);
  }
  process.stdout.write("min/median ns per two switches, each round; then the median of the rounds' minimums\n");
  for (const [k, list] of rows) {
    const mins = list.map((s) => s.min).sort((a, b) => a - b);
    const mid = mins[mins.length >> 1];
    process.stdout.write(
      `${k.padEnd(13)} ${list.map((s) => `${s.min.toFixed(0)}/${s.median.toFixed(0)}`).join("  ")}  | ${mid.toFixed(0)}\n`,
    );
  }
}

if (import.meta.main) await main();
