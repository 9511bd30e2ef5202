// What the comparison tests of the lazily synced vDSO share (test/sched/fast-yield.test.ts,
// test/sched/fast-pulse.test.ts, test/sched/fast-call.test.ts): each runs a workload with a vDSO path on and off and compares the kernel
// as host events see it mid-run. The events come from a device's timers, which fire at the same virtual
// times both ways; a driver attached to that device is readied above the workload by its interrupts.
import { afterAll, beforeAll, expect } from "vitest";
import { ObjectType } from "../../abi/gen/abi.ts";
import type { Kernel } from "../../host/kernel.ts";
import { PAIR_MODULE } from "../../host/runtime/fast-yield.ts";
import type { Device } from "../../kernel/devices/device.ts";
import type { DeviceContext, DeviceModel } from "../../kernel/devices/contract.ts";
import type { KernelCore } from "../../kernel/core.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { guest } from "./wat.ts";

export const INF = "(i64.const 0x7fffffffffffffff)";

/** `n` turns of a counting loop (fuel burned between calls); uses the local $j. */
export const work = (n: number) =>
  n === 0
    ? ""
    : `(local.set $j (i32.const 0)) (loop $w (local.set $j (i32.add (local.get $j) (i32.const 1))) (br_if $w (i32.lt_u (local.get $j) (i32.const ${n}))))`;

/** The device "dev"'s driver: attaches it, then takes `n` interrupts, working after each; records its clock each time. */
export const driver = (n: number, w: number) =>
  guest(
    `
  (data (i32.const 0) "dev")
  (func (export "_start") (local $d i32) (local $ep i32) (local $i i32) (local $j i32)
    (local.set $d (call $handle_get (i32.const 0) (i32.const 3)))
    (local.set $ep (call $endpoint_create))
    (drop (call $device_attach (local.get $d) (local.get $ep) (i32.const 9)))
    (loop $l
      (drop (call $receive (local.get $ep) (i32.const 0) (i32.const 0) ${INF}))
      ${work(w)}
      (call $rec (i32.wrap_i64 (call $clock_now)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (call $flush))`,
    { imports: ["handle_get", "endpoint_create", "device_attach", "receive", "clock_now"] },
  );

/** A timer device in k whose context the test drives: host events at virtual times, interrupts for the driver. */
export function eventDevice(k: Kernel): { dev: Device; ctx: () => DeviceContext } {
  let ctx: DeviceContext | null = null;
  const model: DeviceModel = {
    objectType: ObjectType.DEV_TIMER,
    name: "events",
    failure: null,
    bind: (c) => void (ctx = c),
    info: () => null,
    close: () => {},
  };
  const dev = k.createDevice(model);
  return { dev, ctx: () => ctx! };
}

/** The fixed-priority run queue as [priority, pid...] rows, highest level first as the scheduler stores them. */
export function runQueue(core: KernelCore): number[][] {
  const ready = core.sched.ready as unknown as { fixed: { levels: { length: number; at(i: number): Process }[] } };
  const queue: number[][] = [];
  ready.fixed.levels.forEach((q, prio) => {
    if (q.length > 0) queue.push([prio, ...Array.from({ length: q.length }, (_, i) => q.at(i).pid)]);
  });
  return queue;
}

/** A process's scheduling accounting, the values a vDSO keeps in its words while they are the authority. */
export function accounting(p: Process) {
  return {
    pid: p.pid,
    state: p.state,
    cpu: p.cpuTimeNs,
    quantumLeft: p.sched.quantumLeft,
    fuelHeld: p.sched.fuelHeld,
    readySince: p.sched.readySince,
    latencyMisses: p.sched.latencyMisses,
    resumeValue: p.resumeValue,
  };
}

/** The kernel-wide values the same words hold, as a host event sees them (virtual time read by peek: nobody charged). */
export function kernelWide(core: KernelCore) {
  return {
    now: core.clock.peek(),
    current: core.current?.pid ?? 0,
    queue: runQueue(core),
    kept: { ...core.sched.keptCounters },
    ipc: { ...core.ipc },
    traced: core.trace.length,
    billNs: (core.sched as unknown as { billNs: number }).billNs,
  };
}

/** Sleeps `ns`, then works `w` loop turns; records its clock (a timer falling due mid-run, beside or above a workload). */
export const sleeper = (ns: number, w: number) =>
  guest(
    `
  (func (export "_start") (local $j i32)
    (drop (call $sleep (i64.const ${ns})))
    ${work(w)}
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`,
    { imports: ["sleep", "clock_now"] },
  );

/** One run of a workload: what it left (compared whole) and how many calls the vDSO served in it. */
export interface VdsoRun<S> {
  snapshot: S;
  served: number;
}

/** Runs a workload with the vDSO path on and off: the same snapshot, and the vDSO served at least `min` calls. */
export async function sameOnAndOff<S>(run: (on: boolean) => Promise<VdsoRun<S>>, min: number): Promise<S> {
  const on = await run(true);
  const off = await run(false);
  expect(off.served).toBe(0);
  expect(on.served).toBeGreaterThanOrEqual(min);
  expect(on.snapshot).toEqual(off.snapshot);
  return on.snapshot;
}

/**
 * A wrong step is caught: the workload gives the kernel's snapshot with the vDSO on, then, once `mutate` has
 * dropped or moved one step (the caller's afterEach restores it), a different one (or an error).
 */
export async function caught<S>(run: (on: boolean) => Promise<VdsoRun<S>>, mutate: () => void): Promise<void> {
  const off = (await run(false)).snapshot;
  expect((await run(true)).snapshot).toEqual(off);
  mutate();
  const wrong = await run(true).then(
    (r) => r.snapshot as unknown,
    (e: unknown) => ({ threw: String(e) }),
  );
  expect(wrong).not.toEqual(off);
}

/** `n` yields in a loop, then exit; vdso: importing only yield, so the kernel's yield vDSO serves it (else every ABI import: the bridge's). */
export const yieldLoop = (n: number, vdso = true) =>
  guest(
    `
  (func (export "_start") (local $i i32)
    (loop $l
      (drop (call $yield))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n})))))`,
    vdso ? { imports: ["yield"] } : {},
  );

/**
 * The virtual time at which a host event finds a slice ending exactly at its bound, from a traced run of a
 * workload that does no work between its switches (each process burns the same fuel a slice): the 200th
 * dispatch plus what a slice burned (the gap between two dispatches less the switch cost, dispatchCostNs'
 * default 1000 ns). A dispatch's slice is bounded by the next timer, so a yield, pulse_wait or call finds
 * that timer due only when its process burned exactly the bound.
 */
export function sliceEndAt(trace: string): number {
  const runs = trace
    .split("\n")
    .filter((l) => l.endsWith(" run"))
    .map((l) => Number(l.split(" ")[0]));
  const burn = runs[201] - runs[200] - 1000;
  expect(burn).toBeGreaterThan(0);
  return runs[200] + burn;
}

/**
 * The workloads both pair comparisons (test/sched/fast-call.test.ts, fast-pulse.test.ts) run, over each one's
 * own pair(n, work of its first side, work of its second, priority) and so with its own guests.
 */
export function pairWorkloads<P>(pair: (n: number, w0: number, w1: number, priority?: number) => P[]) {
  return {
    /** The host closes the first side's send handle mid-run. */
    closed: () => ({ procs: pair(500, 25, 35), events: [[200_003, "close-to"]] as [number, "close-to"][] }),
    /** Tracing switched on mid-run. */
    tracing: () => ({ procs: pair(400, 35, 15), events: [[200_001, "trace"]] as [number, "trace"][] }),
    /** Photon-tier pairs (1 ms latency deadline) whose sides work long between their calls: latency misses. */
    latency: () => ({
      quantumFuel: 50_000_000,
      procs: pair(40, 250_000, 50_000, 200),
      events: [[2_000_001, "look"]] as [number, "look"][],
    }),
    /** A small quantum: the pair's counters run out mid-run (a fuel entry: a sync), and the kept counters come and go. */
    quanta: () => ({
      quantumFuel: 3000,
      procs: pair(300, 90, 10),
      events: [
        [100_001, "look"],
        [200_001, "look"],
      ] as [number, "look"][],
    }),
  };
}

/**
 * A host event whose timer falls due exactly as a yield, pulse_wait, call or reply_wait ends its slice: a
 * dispatch's slice is bounded by the next timer, so the vDSO finds one due only when its process burned exactly
 * the bound (its counter at 0, not below). `procs`, which do no work between their calls and so burn the same
 * fuel a slice, run traced first; the event is placed that much after the 200th dispatch (sliceEndAt).
 */
export async function dueAtSliceEnd<P>(
  procs: P[],
  run: (w: { procs: P[]; trace: boolean }, on: boolean) => Promise<{ snapshot: { trace: string } }>,
): Promise<{ procs: P[]; events: [number, "look"][] }> {
  const traced = await run({ procs, trace: true }, false);
  return { procs, events: [[sliceEndAt(traced.snapshot.trace), "look"]] };
}

/**
 * For a test file's pair comparisons: the pair's module from its first publication (not PAIR_MODULE.after's), so
 * that every publication is served in wasm, as the comparisons and mutations mean; the default's own test is "a
 * pair's module" (test/sched/fast-call.test.ts). Call it at the top level of the file.
 */
export function pairModulesFromFirstPublication(): void {
  let after = 0;
  beforeAll(() => {
    after = PAIR_MODULE.after;
    PAIR_MODULE.after = 1;
  });
  afterAll(() => {
    PAIR_MODULE.after = after;
  });
}
