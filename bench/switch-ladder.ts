// The per-switch cost, priced step by step (docs/fastpath.md "The per-switch
// cost"): a ladder from the bare JSPI ping-pong (two wasm instances, two
// Suspending imports, a ten-line scheduler) toward the real ipc_rtt_ns, each
// rung adding one real piece, all measured alternating in one process so they
// see the same load and the same JIT state. Not part of `npm run bench`; a
// tool for deciding where a round trip's time goes.
//
//   node bench/switch-ladder.ts [--rounds 3] [--samples 60] [--only rung,rung] [--cpu] [--alloc]
//
// Rungs (each a client/server pair of tiny WAT instances, one call per round trip, unless said):
//   bare      bench/baselines/jspi-pingpong.ts's pair
//   runtime   + the caller found through a kernel object (k.current) and the real WasmProcessRuntime's
//               arm / resume (the armed promise, the host-yield countdown) instead of closures
//   bridge    + the bridge entry's shape: the pledge check, try/catch, settleArmed's fault test, BLOCK
//   kernel    the real kernel's handlers (sysCall / sysReplyWait: endpoint cache, fastCall / fastReplyWait,
//               blockAndRun, dispatch, slice accounting with metered runtimes) behind the same toy entry,
//               on a deterministic KernelCore (test/model/fake-host.ts) whose two processes' runtimes are
//               real WasmProcessRuntime objects driving the pair
//   real-entry the same with the bridge's own entries (syscallImports: callImport / replyWaitImport)
//   counter   real-entry with the fuel counters WebAssembly.Globals, as a loaded guest's (read through the wasm
//               accessors after 512 uses), instead of JavaScript fields
//   noacct    real-entry with slice accounting ablated (beginSlice / endSlice do nothing; breaks accounting)
//   figure    ipc_rtt_ns itself: the AssemblyScript guests through the SDK, loaded, fuel-instrumented
//   kpair     the kernel's part alone: bench/figures/ipc-kernel.ts's metered fake-runtime pair (no wasm)
//   kpair0    the same pair unmetered (as the kernel rungs' counters, which never move: no fuel charged)
//   ykernel   two WAT yielders on the kernel rung's setup, the real sysYield behind the toy entry
//   yreal-entry the same through the bridge's own (generic) yield entry
//   yfigure   ctx_switch_ns itself (the AssemblyScript yielders), times two
//   wasmk     the floor of the kernel's switch done in wasm against state in linear memory (bench/wasmk.ts):
//               the pair's call / reply_wait are a per-process kernel module's (vDSO) functions reached
//               wasm-to-wasm, doing every step of the flat path (handle mirror check, delivery, numbering,
//               inheritance, states, the handoff's choice, slice end and begin) against one kernel memory;
//               one Suspending import a switch resumes the real WasmProcessRuntime (the guests move their
//               fuel counters, WebAssembly.Globals: 5 a loop)
//   wasmk1    wasmk with the vDSO's functions linked into each guest's module (one instance a process)
//   wasmk0    wasmk's vDSO ablated to the switch alone (no kernel step): the frame, the guests, the runtimes
//   ywasmk    two WAT yielders whose yield is the vDSO's (the run queue in kernel memory), per two switches
//   ywasmk1   ywasmk linked, as wasmk1
// Prints min / median ns per round trip for each round (the yield rungs: per two switches, comparable with bare).

import { loadavg } from "node:os";
import { getHeapSpaceStatistics } from "node:v8";
import { Rights } from "../abi/gen/abi.ts";
import { Kernel } from "../host/kernel.ts";
import { WasmProcessRuntime } from "../host/runtime/process-runtime.ts";
import { syscallImports } from "../host/runtime/bridge.ts";
import { BLOCK } from "../kernel/control.ts";
import type { KernelCore } from "../kernel/core.ts";
import { newEndpoint } from "../kernel/ipc/exchange.ts";
import type { Endpoint } from "../kernel/objects/endpoint.ts";
import type { Process } from "../kernel/objects/process.ts";
import { CpuScheduler } from "../kernel/sched/cpu.ts";
import { SYSCALL_HANDLERS } from "../kernel/syscalls/index.ts";
import { ImageLoader } from "../loader/loader.ts";
import { fakeSystem } from "../test/model/fake-host.ts";
import { bareJspiPair } from "./baselines/jspi-pingpong.ts";
import type { BenchContext } from "./figure.ts";
import { measureIpc } from "./figures/ipc.ts";
import { measureCtxSwitch } from "./figures/ctx-switch.ts";
import { kernelPair } from "./figures/ipc-kernel.ts";
import { BenchImages } from "./images.ts";
import { type Plan, sampleCpu, sampleHost, type Summary } from "./stats.ts";
import { VDSO_SWITCH_ONLY, wasmkRung, ywasmkRung } from "./wasmk.ts";

const ALL = [
  "bare",
  "runtime",
  "bridge",
  "kernel",
  "real-entry",
  "counter",
  "noacct",
  "figure",
  "kpair",
  "kpair0",
  "ykernel",
  "yreal-entry",
  "yfigure",
  "wasmk",
  "wasmk1",
  "wasmk0",
  "ywasmk",
  "ywasmk1",
];

const plan: Plan = { warmup: 10, warmupMs: 300, samples: 60, targetSampleMs: 5, maxBatch: 1 << 24, fixedBatch: null };
const ctx: BenchContext = { plan, quick: false, images: new BenchImages(), loader: new ImageLoader(), log: () => {} };

// The pair's guests, shaped as the ABI's call (ep, words) and reply_wait (ep, rcvid, status, words).
const CLIENT = `(module
  (import "wasmos" "call" (func $call (param i32 i32) (result i32)))
  (global $ep (mut i32) (i32.const 0))
  (func (export "setEp") (param i32) (global.set $ep (local.get 0)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (call $call (global.get $ep) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))`;
const SERVER = `(module
  (import "wasmos" "reply_wait" (func $rw (param i32 i32 i32 i32) (result i32)))
  (func (export "serve") (param $ep i32) (local $m i32)
    (local.set $m (call $rw (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 1)))
    (loop $next
      (local.set $m (call $rw (local.get $ep) (local.get $m) (i32.const 0) (i32.const 1)))
      (br $next))))`;

export type Run = { run: (n: number) => Promise<unknown> };
type CallFn = (ep: number, words: number) => unknown;
type ReplyFn = (ep: number, rcvid: number, status: number, words: number) => unknown;

async function pairOf(call: CallFn, replyWait: ReplyFn, clientEp: number, serverEp: number): Promise<Run> {
  const mod = async (wat: string) => new WebAssembly.Module((await ctx.images.wat(wat)) as Uint8Array<ArrayBuffer>);
  const client = new WebAssembly.Instance(await mod(CLIENT), {
    wasmos: { call: new WebAssembly.Suspending(call) },
  } as unknown as WebAssembly.Imports);
  const server = new WebAssembly.Instance(await mod(SERVER), {
    wasmos: { reply_wait: new WebAssembly.Suspending(replyWait) },
  } as unknown as WebAssembly.Imports);
  (client.exports.setEp as (e: number) => void)(clientEp);
  void WebAssembly.promising(server.exports.serve as (ep: number) => void)(serverEp);
  await Promise.resolve();
  const run = WebAssembly.promising(client.exports.run as (n: number) => number);
  return { run };
}

/** A stand-in kernel object and two processes whose runtimes are real WasmProcessRuntime objects (no module: never started). */
function toyProcesses(): { k: { current: Process | null }; client: Process; server: Process } {
  const k = { current: null as Process | null, sched: { nsPerFuel: 1 } };
  const image = { name: "ladder", preemption: "fuel", metered: true };
  const proc = (pid: number) => {
    const p = { pid, promises: -1, mm: { fault: null }, runtime: null } as unknown as Process;
    p.runtime = new WasmProcessRuntime(k as unknown as KernelCore, p, image as never);
    return p;
  };
  return { k, client: proc(1), server: proc(2) };
}

/** rung "runtime": the caller through k.current, the real runtime's arm / resume, nothing else. */
export async function runtimeRung(): Promise<Run> {
  const { k, client, server } = toyProcesses();
  const call = (_ep: number, words: number): unknown => {
    const p = k.current!;
    const pending = (p.runtime as WasmProcessRuntime).arm();
    k.current = server;
    server.runtime!.resume(words);
    return pending;
  };
  const replyWait = (_ep: number, rcvid: number): unknown => {
    const p = k.current!;
    const pending = (p.runtime as WasmProcessRuntime).arm();
    if (rcvid !== 0) {
      k.current = client;
      client.runtime!.resume(rcvid);
    } else k.current = client; // the server's first wait: the client runs next
    return pending;
  };
  k.current = server;
  return pairOf(call, replyWait, 0, 0);
}

/** settleArmed (bridge.ts), as there. */
function settle(p: Process, s: WasmProcessRuntime, r: unknown, pending: Promise<number>): unknown {
  if (p.mm.fault !== null) {
    s.disarm();
    throw new Error("fault");
  }
  if (r === BLOCK) return pending;
  s.disarm();
  return r;
}

/** The bridge entry's steps around a handler (bridge.ts callImport), written out as there: fixed arities, as there. */
function entry0(k: { current: Process | null }, bit: number, h: (p: Process) => unknown): () => unknown {
  return () => {
    const p = k.current;
    if (p === null) throw new Error("no caller");
    const s = p.runtime as WasmProcessRuntime;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -1 : h(p);
    } catch (err) {
      s.disarm();
      throw err;
    }
    return settle(p, s, r, pending);
  };
}
function entry2(k: { current: Process | null }, bit: number, h: (p: Process, a: number, b: number) => unknown): CallFn {
  return (a: number, b: number) => {
    const p = k.current;
    if (p === null) throw new Error("no caller");
    const s = p.runtime as WasmProcessRuntime;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -1 : h(p, a, b);
    } catch (err) {
      s.disarm();
      throw err;
    }
    return settle(p, s, r, pending);
  };
}
function entry4(
  k: { current: Process | null },
  bit: number,
  h: (p: Process, a: number, b: number, c: number, d: number) => unknown,
): ReplyFn {
  return (a: number, b: number, c: number, d: number) => {
    const p = k.current;
    if (p === null) throw new Error("no caller");
    const s = p.runtime as WasmProcessRuntime;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -1 : h(p, a, b, c, d);
    } catch (err) {
      s.disarm();
      throw err;
    }
    return settle(p, s, r, pending);
  };
}

/**
 * entry2 / entry4 again, for the bridge rung only: closures made from one function literal share their
 * feedback, so with one factory for both rungs the call of `h` in them saw the toy handler and the
 * kernel's, and was not inlined in either (the real entries see one handler each).
 */
function toyEntry2(k: { current: Process | null }, bit: number, h: (p: Process, a: number, b: number) => unknown): CallFn {
  return (a: number, b: number) => {
    const p = k.current;
    if (p === null) throw new Error("no caller");
    const s = p.runtime as WasmProcessRuntime;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -1 : h(p, a, b);
    } catch (err) {
      s.disarm();
      throw err;
    }
    return settle(p, s, r, pending);
  };
}
function toyEntry4(
  k: { current: Process | null },
  bit: number,
  h: (p: Process, a: number, b: number, c: number, d: number) => unknown,
): ReplyFn {
  return (a: number, b: number, c: number, d: number) => {
    const p = k.current;
    if (p === null) throw new Error("no caller");
    const s = p.runtime as WasmProcessRuntime;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -1 : h(p, a, b, c, d);
    } catch (err) {
      s.disarm();
      throw err;
    }
    return settle(p, s, r, pending);
  };
}

/** rung "bridge": the runtime rung behind the bridge entry's shape. */
export async function bridgeRung(): Promise<Run> {
  const { k, client, server } = toyProcesses();
  const call = toyEntry2(k, 1 << 3, (_p: Process, _ep: number, words: number) => {
    k.current = server;
    server.runtime!.resume(words);
    return BLOCK;
  });
  const replyWait = toyEntry4(k, 1 << 3, (_p: Process, _ep: number, rcvid: number, _status: number, _words: number) => {
    k.current = client;
    if (rcvid !== 0) client.runtime!.resume(rcvid);
    return BLOCK;
  });
  k.current = server;
  return pairOf(call, replyWait, 0, 0);
}

/**
 * A deterministic KernelCore with a client and a server (endpoint "ep": SEND / RECEIVE), set up as
 * kernelPair sets its pair up, whose runtimes are then real WasmProcessRuntime objects (metered: the
 * counter a JavaScript field, the module never instantiated) driving the WAT pair.
 */
export function kernelProcesses(): { k: KernelCore; client: Process; server: Process; hc: number; hs: number } {
  let ep: Endpoint | null = null;
  const { k, procs } = fakeSystem(2, (kk, i) => {
    ep ??= newEndpoint(kk);
    return [{ name: "ep", object: ep, rights: i === 0 ? Rights.SEND : Rights.RECEIVE }];
  });
  const [client, server] = procs;
  const H = SYSCALL_HANDLERS as unknown as Record<string, (k: KernelCore, p: Process, ...a: number[]) => unknown>;
  if (k.current !== client) throw new Error("ladder: the client did not run first");
  H.ipc_buffer(k, client, 1024);
  k.yieldCurrent(client);
  if (k.current !== server) throw new Error("ladder: the server did not run second");
  H.ipc_buffer(k, server, 1024);
  const image = { name: "ladder", preemption: "fuel", metered: true };
  for (const p of procs) p.runtime = new WasmProcessRuntime(k, p, image as never);
  (client.runtime as WasmProcessRuntime).arm(); // the client waits in its yield; the server's first reply_wait resumes it
  return { k, client, server, hc: client.names.get("ep")!, hs: server.names.get("ep")! };
}

/** rung "kernel": the real handlers behind the toy entry. */
export async function kernelRung(): Promise<Run & { k: KernelCore }> {
  const { k, hc, hs } = kernelProcesses();
  const H = SYSCALL_HANDLERS as unknown as Record<string, (k: KernelCore, p: Process, ...a: number[]) => unknown>;
  const hcall = H.call;
  const hrw = H.reply_wait;
  const call = entry2(k, -1, (p: Process, ep: number, words: number) => hcall(k, p, ep, words));
  const replyWait = entry4(k, -1, (p: Process, ep: number, rcvid: number, status: number, words: number) =>
    hrw(k, p, ep, rcvid, status, words),
  );
  return { k, ...(await pairOf(call, replyWait, hc, hs)) };
}

/**
 * rung "real-entry": the real handlers behind the bridge's own entries. counter: the runtimes' fuel counters
 * are WebAssembly.Globals (read and written as a guest's are: through `value`, then the wasm accessors),
 * not JavaScript fields (rung "counter").
 */
export async function realEntryRung(counter = false): Promise<Run & { k: KernelCore }> {
  const { k, client: cp, server: sp, hc, hs } = kernelProcesses();
  if (counter)
    for (const p of [cp, sp])
      (p.runtime as unknown as { fuel: WebAssembly.Global }).fuel = new WebAssembly.Global({ value: "i32", mutable: true }, 0);
  const clientMod = new WebAssembly.Module((await ctx.images.wat(CLIENT)) as Uint8Array<ArrayBuffer>);
  const serverMod = new WebAssembly.Module((await ctx.images.wat(SERVER)) as Uint8Array<ArrayBuffer>);
  const call = (syscallImports(k, clientMod).wasmos as Record<string, unknown>).call as WebAssembly.Suspending;
  const rw = (syscallImports(k, serverMod).wasmos as Record<string, unknown>).reply_wait as WebAssembly.Suspending;
  const client = new WebAssembly.Instance(clientMod, { wasmos: { call } } as unknown as WebAssembly.Imports);
  const server = new WebAssembly.Instance(serverMod, { wasmos: { reply_wait: rw } } as unknown as WebAssembly.Imports);
  (client.exports.setEp as (e: number) => void)(hc);
  void WebAssembly.promising(server.exports.serve as (ep: number) => void)(hs);
  await Promise.resolve();
  return { k, run: WebAssembly.promising(client.exports.run as (n: number) => number) };
}

// Two processes yielding to each other: A runs run(n) (n yields), B yields forever. Per A yield, two switches.
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

/** Two yielders on a deterministic KernelCore whose runtimes are then real WasmProcessRuntime objects; yieldOf(k) makes the import. */
export async function yieldPair(yieldOf: (k: KernelCore, mod: WebAssembly.Module) => unknown): Promise<Run & { k: KernelCore }> {
  const { k, procs } = fakeSystem(2, () => []);
  const [a, b] = procs;
  if (k.current !== a) throw new Error("ladder: A did not run first");
  k.yieldCurrent(a); // B starts (on its fake runtime)
  if (k.current !== b) throw new Error("ladder: B did not run second");
  const image = { name: "ladder", preemption: "fuel", metered: true };
  for (const p of procs) p.runtime = new WasmProcessRuntime(k, p, image as never);
  (a.runtime as WasmProcessRuntime).arm(); // A waits in its yield; B's first yield resumes it
  const ma = new WebAssembly.Module((await ctx.images.wat(YA)) as Uint8Array<ArrayBuffer>);
  const mb = new WebAssembly.Module((await ctx.images.wat(YB)) as Uint8Array<ArrayBuffer>);
  const ia = new WebAssembly.Instance(ma, { wasmos: { yield: yieldOf(k, ma) } } as unknown as WebAssembly.Imports);
  const ib = new WebAssembly.Instance(mb, { wasmos: { yield: yieldOf(k, mb) } } as unknown as WebAssembly.Imports);
  void WebAssembly.promising(ib.exports.serve as () => void)();
  await Promise.resolve();
  if (k.current !== a) throw new Error("ladder: B's first yield did not hand the CPU to A");
  return { k, run: WebAssembly.promising(ia.exports.run as (n: number) => number) };
}

/** rung "ykernel": the real sysYield behind the toy entry. */
export function yieldKernelRung(): Promise<Run & { k: KernelCore }> {
  const H = SYSCALL_HANDLERS as unknown as Record<string, (k: KernelCore, p: Process) => unknown>;
  const hy = H.yield;
  return yieldPair((k) => new WebAssembly.Suspending(entry0(k, -1, (p: Process) => hy(k, p))));
}

/** rung "yreal-entry": the real sysYield behind the bridge's own entry (the generic callBlocking). */
export function yieldRealRung(): Promise<Run & { k: KernelCore }> {
  return yieldPair((k, mod) => (syscallImports(k, mod).wasmos as Record<string, unknown>).yield);
}

const proto = CpuScheduler.prototype as unknown as Record<string, unknown>;
const realBegin = proto.beginSlice;
const realEnd = proto.endSlice;
function ablate(on: boolean): void {
  proto.beginSlice = on
    ? function (this: { running: unknown }, p: unknown) {
        this.running = p;
      }
    : realBegin;
  proto.endSlice = on
    ? function (this: { running: unknown }) {
        this.running = null;
      }
    : realEnd;
}

/** Bytes allocated per round trip by runBatch: new-space growth over a batch with no scavenge in it (the lowest of a few tries). */
async function bytesPer(runBatch: (n: number) => Promise<unknown> | unknown): Promise<number> {
  const n = 5000;
  for (let i = 0; i < 20; i++) await runBatch(n);
  const used = () => getHeapSpaceStatistics().find((x) => x.space_name === "new_space")!.space_used_size;
  let best = Infinity;
  for (let i = 0; i < 10; i++) {
    const before = used();
    await runBatch(n);
    const after = used();
    if (after >= before) best = Math.min(best, (after - before) / n);
  }
  return best;
}

const rows = new Map<string, string[]>();
const note = (key: string, s: Summary) => {
  const list = rows.get(key) ?? [];
  list.push(`${s.min.toFixed(0)}/${s.median.toFixed(0)}`);
  rows.set(key, list);
};

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let rounds = 3;
  let only = ALL;
  /** --alloc: bytes allocated per round trip instead of times (young generation growth over a batch; run with --max-semi-space-size=64). */
  let alloc = false;
  /** --cpu: process CPU time per batch instead of wall time (steadier on a shared machine; the figure rungs stay wall time). */
  let cpu = false;
  let samples = 60;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--rounds") rounds = Number(args[++i]);
    else if (a === "--samples") samples = Number(args[++i]);
    else if (a === "--only") only = args[++i].split(",");
    else if (a === "--alloc") alloc = true;
    else if (a === "--cpu") cpu = true;
    else throw new Error(`unknown argument ${a}`);
  }
  const p: Plan = { ...plan, samples };
  const sample = (runBatch: (n: number) => Promise<unknown> | unknown): Promise<Summary> =>
    cpu
      ? sampleCpu(p, runBatch)
      : sampleHost(p, async (n) => {
          await runBatch(n);
        });
  const bare = await bareJspiPair(ctx);
  // Only the rungs asked for are built: a rung's setup runs the kernel's code with its own objects (the
  // fake-runtime pairs' FakeRuntime with own-property counters, say), and every shape the kernel's call
  // sites see makes them polymorphic for all the rungs after.
  const want = (r: string) => only.includes(r) || alloc;
  const pairs: Record<string, Run> = {};
  if (want("runtime")) pairs.runtime = await runtimeRung();
  if (want("bridge")) pairs.bridge = await bridgeRung();
  if (want("kernel")) pairs.kernel = await kernelRung();
  if (want("real-entry")) pairs["real-entry"] = await realEntryRung();
  if (want("counter")) pairs.counter = await realEntryRung(true);
  if (want("wasmk")) pairs.wasmk = await wasmkRung(ctx.images);
  if (want("wasmk1")) pairs.wasmk1 = await wasmkRung(ctx.images, { linked: true });
  if (want("wasmk0")) pairs.wasmk0 = await wasmkRung(ctx.images, { vdso: VDSO_SWITCH_ONLY });
  if (want("ywasmk")) pairs.ywasmk = await ywasmkRung(ctx.images);
  if (want("ywasmk1")) pairs.ywasmk1 = await ywasmkRung(ctx.images, true);
  if (want("ykernel")) pairs.ykernel = await yieldKernelRung();
  if (want("yreal-entry")) pairs["yreal-entry"] = await yieldRealRung();
  if (want("noacct")) {
    ablate(true);
    pairs.noacct = await realEntryRung();
    ablate(false);
  }
  const kp = want("kpair") ? kernelPair({}, 100) : null;
  const kp0 = want("kpair0") ? kernelPair({}, 0) : null;

  if (alloc) {
    for (const rung of ["bare", "runtime", "bridge", "kernel", "real-entry", "kpair", "kpair0", "wasmk", "wasmk0"].filter((x) =>
      only.includes(x),
    )) {
      const run =
        rung === "bare"
          ? (n: number) => bare.run(n)
          : rung === "kpair"
            ? (n: number) => kp!.run(n)
            : rung === "kpair0"
              ? (n: number) => kp0!.run(n)
              : pairs[rung].run;
      process.stdout.write(`${rung.padEnd(12)} ${(await bytesPer(run)).toFixed(0)} bytes per round trip\n`);
    }
    process.exit(0);
  }
  for (let r = 0; r < rounds; r++) {
    for (const rung of only) {
      switch (rung) {
        case "bare":
          note(rung, await sample((n) => bare.run(n)));
          break;
        case "noacct":
          ablate(true);
          note(rung, await sample(pairs.noacct.run));
          ablate(false);
          break;
        case "figure":
          note(rung, await measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, p, "call"));
          break;
        case "yfigure": {
          // per switch pair (two switches), as the yield rungs: measureCtxSwitch gives per switch
          const s = await measureCtxSwitch(new Kernel({ loader: ctx.loader }), ctx.images, p);
          note(rung, { ...s, min: 2 * s.min, median: 2 * s.median });
          break;
        }
        case "kpair":
          note(rung, await sample((n) => kp!.run(n)));
          break;
        case "kpair0":
          note(rung, await sample((n) => kp0!.run(n)));
          break;
        default:
          note(rung, await sample(pairs[rung].run));
      }
    }
    process.stderr.write(`round ${r + 1}/${rounds} done, load ${loadavg()[0].toFixed(2)}\n`);
  }
  process.stdout.write(
    `load average at the end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}\nmin/median ns per round trip, each round\n`,
  );
  for (const [key, list] of rows) process.stdout.write(`${key.padEnd(12)} ${list.join("  ")}\n`);
}

if (import.meta.main) await main();
