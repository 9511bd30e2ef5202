// Yield served in wasm against lazily synced kernel state (kernel/fast/yields.ts, host/runtime/fast-yield.ts;
// docs/fastpath.md "Yield in wasm: lazy state"). It must change nothing but the cost. Every workload here
// runs twice, with the yield vDSO and without it (every other fast path on), and must give the same
// virtual time, results and exits, the same per-process accounting (CPU time, quantum left, fuel held,
// latency misses, preemptions), the same billing, kept counters and trace, and the same kernel state
// (states, run-queue order, the running process, the clock) at host events taken mid-run: a device's
// timers, which fire at the same virtual times both ways, look at the kernel, raise an interrupt that
// readies a higher-priority driver, kill the process a yield would hand the CPU to next, and switch the
// trace on. Then each step of the vDSO is dropped (mutateFastYieldForTest) and the comparison must fail.
import { afterEach, describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { DEVICE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { type FastYieldMutation, mutateFastYieldForTest } from "../../host/runtime/fast-yield.ts";
import { fastYieldCounts } from "../../kernel/fast/yields.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { accounting, caught, driver, eventDevice, dueAtSliceEnd, kernelWide, sameOnAndOff, sleeper, work } from "../helpers/lazy-vdso.ts";
import { guest, results } from "../helpers/wat.ts";

/** `n` yields with `w` loop turns of work before each; records its clock and CPU time, the sum of yield's results. */
const yielder = (n: number, w: number) =>
  guest(
    `
  (func (export "_start") (local $i i32) (local $j i32) (local $sum i32)
    (loop $l
      ${work(w)}
      (local.set $sum (i32.add (local.get $sum) (call $yield)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (call $rec (local.get $sum))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $rec (i32.wrap_i64 (call $cpu_time (i32.const -1))))
    (call $flush))`,
    { imports: ["yield", "clock_now", "cpu_time"] },
  );

interface Proc {
  name: string;
  bytes: Uint8Array;
  priority: number;
  /** Gets the device "dev" (the driver). */
  dev?: boolean;
}

/** What a host event does besides looking: raise the device's interrupt, kill the next process a yield would run, trace from now on. */
type Act = "look" | "irq" | "kill-next" | "trace";

interface Workload {
  procs: Proc[];
  /** Host events: a device timer at each virtual time, and what it does. */
  events?: [number, Act][];
  quantumFuel?: number;
  windowNs?: number;
  trace?: boolean;
}

/** The kernel as a host event sees it (through the facade's core, which syncs the words first). */
function look(k: Kernel, procs: Process[]) {
  return { ...kernelWide(k.core), procs: procs.map(accounting) };
}

async function run(w: Workload, fastYield: boolean) {
  const k = new Kernel({ trace: w.trace ?? false, fastYield, sched: { quantumFuel: w.quantumFuel, windowNs: w.windowNs } });
  const { dev, ctx } = eventDevice(k);
  const out: Record<string, Uint8Array[]> = {};
  const hps = w.procs.map((p) => {
    out[p.name] = [];
    const img = k.loadImage(p.bytes, p.name);
    const hp = k.spawn(img, {
      args: [p.name],
      priority: p.priority,
      handles: p.dev ? [{ name: "dev", object: dev, rights: DEVICE_GRANT_RIGHTS }] : [],
      stdout: (b) => void out[p.name].push(b.slice()),
    });
    k.release(img);
    return hp;
  });
  k.release(dev);
  const procs = hps.map((h) => h.process);
  const seen: unknown[] = [];
  for (const [at, act] of w.events ?? [])
    ctx().setTimer(at, () => {
      seen.push(look(k, procs));
      if (act === "irq") ctx().interrupt(1, at);
      else if (act === "trace") k.core.setTracing(true);
      else if (act === "kill-next") {
        const c = k.core.current;
        const next = procs.find((p) => p.queued && p.priority === (c?.priority ?? -1));
        seen.push(next?.pid ?? 0);
        if (next !== undefined) k.core.terminate(next, -1, ExitReason.KILLED, "killed by the host");
      }
    });
  const served = fastYieldCounts.served;
  await k.run();
  const s = k.core.sched;
  const end = look(k, procs);
  const now = k.core.clock.now();
  s.settleBilling();
  const per = Object.fromEntries(
    procs.map((p, i) => [
      w.procs[i].name,
      { rec: results(new Uint8Array(Buffer.concat(out[w.procs[i].name]))), exit: p.exit, preemptions: p.sched.preemptions },
    ]),
  );
  return {
    snapshot: { trace: k.traceText(), now, per, end, seen, system: { total: s.system.totalNs, usage: s.system.usage(now) } },
    served: fastYieldCounts.served - served,
  };
}

/** Runs w with the vDSO and without it; they must match, and the vDSO must have served at least `min` yields. */
function same(w: Workload, min: number) {
  return sameOnAndOff((on) => run(w, on), min);
}

const two = (): Workload => ({
  procs: [
    { name: "a", bytes: yielder(400, 30), priority: 128 },
    { name: "b", bytes: yielder(400, 70), priority: 128 },
  ],
  events: [
    [150_000, "look"],
    [400_000, "look"],
  ],
});

const three = (): Workload => ({
  quantumFuel: 3000,
  procs: [
    { name: "a", bytes: yielder(300, 10), priority: 128 },
    { name: "b", bytes: yielder(250, 90), priority: 128 },
    { name: "c", bytes: yielder(300, 0), priority: 128 },
    { name: "low", bytes: yielder(20, 5), priority: 100 },
  ],
  events: [
    [200_000, "look"],
    [500_000, "look"],
  ],
});

/** Sleepers whose timers fall due between yields, at the yielders' priority and above. */
const timers = (): Workload => ({
  procs: [
    { name: "a", bytes: yielder(400, 40), priority: 128 },
    { name: "b", bytes: yielder(400, 20), priority: 128 },
    { name: "same", bytes: sleeper(123_457, 300), priority: 128 },
    { name: "above", bytes: sleeper(301_003, 200), priority: 160 },
  ],
  events: [[250_000, "look"]],
});

/** A timer due exactly where a yield ends its slice (two yielders with no work between yields). */
const dueAtYield = () =>
  dueAtSliceEnd(
    [
      { name: "a", bytes: yielder(700, 0), priority: 128 },
      { name: "b", bytes: yielder(700, 0), priority: 128 },
    ],
    run,
  );

/** A higher-priority driver readied by the device's interrupts (host events) between yields. */
const irq = (): Workload => ({
  procs: [
    { name: "a", bytes: yielder(500, 30), priority: 128 },
    { name: "b", bytes: yielder(500, 30), priority: 128 },
    { name: "drv", bytes: driver(3, 100), priority: 200, dev: true },
  ],
  events: [
    [100_003, "irq"],
    [250_001, "irq"],
    [400_007, "irq"],
  ],
});

const kill = (): Workload => ({
  procs: [
    { name: "a", bytes: yielder(500, 25), priority: 128 },
    { name: "b", bytes: yielder(500, 25), priority: 128 },
    { name: "c", bytes: yielder(500, 25), priority: 128 },
  ],
  events: [[300_001, "kill-next"]],
});

const tracing = (): Workload => ({
  procs: [
    { name: "a", bytes: yielder(400, 35), priority: 128 },
    { name: "b", bytes: yielder(400, 15), priority: 128 },
  ],
  events: [[200_001, "trace"]],
});

/** Photon-tier yielders (1 ms latency deadline) that work long between yields: latency misses. */
const latency = (): Workload => ({
  quantumFuel: 50_000_000,
  procs: [
    { name: "a", bytes: yielder(40, 60_000), priority: 200 },
    { name: "b", bytes: yielder(40, 60_000), priority: 200 },
    { name: "c", bytes: yielder(40, 60_000), priority: 200 },
  ],
});

/** Two yielders over many billing buckets (a 200 us window: 10 us buckets) and a far timer that bounds their slices. */
const billing = (): Workload => ({
  windowNs: 200_000,
  procs: [
    { name: "a", bytes: yielder(600, 20), priority: 128 },
    { name: "b", bytes: yielder(600, 20), priority: 128 },
    { name: "late", bytes: sleeper(900_001, 10), priority: 128 },
  ],
});

afterEach(() => mutateFastYieldForTest(null));

describe("yield in wasm against lazily synced kernel state", () => {
  it("gives two yielders the run the TypeScript yield gives, and the same kernel state at host events mid-run", async () => {
    const s = await same(two(), 500);
    expect(s.seen).toHaveLength(2);
    for (const p of Object.values(s.per)) expect(p.exit).toMatchObject({ reason: ExitReason.NORMAL, status: 0 });
  });

  it("gives three yielders (and a lower one) the same run: the ring's order, quanta that run out", async () => {
    const s = await same(three(), 400);
    expect(s.per.low.rec[1]).toBeGreaterThan(s.per.a.rec[1]); // the lower one ran after them
  });

  it("leaves a timer falling due between yields to the kernel: sleepers wake at the same virtual times", async () => {
    const s = await same(timers(), 300);
    expect(s.per.above.rec[0]).toBeGreaterThan(301_003);
  });

  it("gives a higher-priority driver readied by a device's interrupt the CPU at the same time", async () => {
    const s = await same(irq(), 300);
    expect(s.per.drv.rec).toHaveLength(3);
    expect(s.per.drv.rec[0]).toBeGreaterThan(100_003);
  });

  it("syncs before a host kill of the process a yield would run next", async () => {
    const s = await same(kill(), 300);
    const victim = s.seen[1] as number;
    expect(victim).toBeGreaterThan(0);
    const killed = Object.values(s.per).filter((p) => p.exit?.reason === ExitReason.KILLED);
    expect(killed).toHaveLength(1);
  });

  it("traces the same from when tracing is switched on mid-run", async () => {
    const s = await same(tracing(), 100);
    expect(s.trace).toContain(" run");
    expect(s.trace.split("\n")[0].split(" ")[0] >= "200001").toBe(true);
  });

  it("counts the same latency misses", async () => {
    const s = await same(latency(), 20);
    expect(s.end.procs.reduce((n, p) => n + p.latencyMisses, 0)).toBeGreaterThan(0);
  });

  it("bills the same across many buckets, with a far timer bounding the slices", async () => {
    await same(billing(), 200);
  });
});

describe("a wrong step in the yield vDSO is caught", () => {
  async function differs(m: FastYieldMutation, w: Workload): Promise<void> {
    await caught(
      (on) => run(w, on),
      () => mutateFastYieldForTest(m),
    );
  }

  it("the tier's latency check skipped", () => differs("latency", latency()));
  it("a due timer not left to the kernel", async () => differs("timer", await dueAtYield()));
  it("deferred billing added past its bucket", () => differs("bucket", billing()));
  it("the next timer not bounding the slice", () => differs("bound", billing()));
  it("no fresh quantum at the back of the queue", () => differs("quantum", three()));
  it("the switch cost not charged to the process dispatched", () => differs("cost", two()));
  it("a counter written where the kernel keeps it", () => differs("kept", two()));
});
