// Flat slice accounting (kernel/sched/cpu.ts beginSliceFlat, endSliceFlat;
// docs/fastpath.md "Slice accounting"): in deterministic mode the start and
// end of every slice charge the fuel, the switch cost, the deferred billing
// and the deadline class in one straight function each. It must change
// nothing but the cost. Every workload here runs twice, with it and with
// `fastSlice: false` (the general accounting, every other fast path on), and
// must give the same trace byte for byte, the same virtual time, results and
// exits, the same per-process accounting (CPU time, latency misses,
// preemptions, deadline misses, throttles) and the same system partition
// account, while crossing IPC handoffs, yields, preemptions, timers that bound
// slices, a partition made mid-run in a short window, the deadline class and
// latency misses. Then each condition of the flat code is dropped
// (mutateSliceForTest) and the same comparison must fail.
import { afterEach, describe, expect, it } from "vitest";
import { Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { mutateSliceForTest, type SliceMutation } from "../../kernel/sched/cpu.ts";
import { COUNTER_HELPER } from "../../host/runtime/process-runtime.ts";
import { type EndpointProc, IPC_BUF as BUF, replyWaitServer, spawnOnEndpoint, watchPartitionCreation } from "../helpers/ipc-workloads.ts";
import { guest, hog, results } from "../helpers/wat.ts";

interface ClientOpts {
  /** Before that call, make a partition of 500 permille and join it. */
  partitionAt?: number;
  /** Enter the deadline class first (runtime, period in ns). */
  deadline?: [number, number];
  /** Yield after every k-th call. */
  yieldEvery?: number;
  /** Loop turns of work between calls. */
  work?: number;
}

/** `n` calls with word 0 = base + i; records the sum of statuses and answered words, its CPU time and the virtual time. */
const client = (n: number, base: number, o: ClientOpts = {}) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32) (local $sum i32) (local $s i32) (local $j i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    ${o.deadline ? `(drop (call $sched_set_deadline (i32.const -1) (i64.const ${o.deadline[0]}) (i64.const ${o.deadline[1]}) (i64.const 0)))` : ""}
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (loop $l
      ${o.partitionAt === undefined ? "" : `(if (i32.eq (local.get $i) (i32.const ${o.partitionAt})) (then (drop (call $partition_join (call $partition_create (i32.const 500)) (i32.const -1)))))`}
      ${o.work ? `(local.set $j (i32.const 0)) (loop $w (local.set $j (i32.add (local.get $j) (i32.const 1))) (br_if $w (i32.lt_u (local.get $j) (i32.const ${o.work}))))` : ""}
      (i32.store (i32.const ${BUF}) (i32.add (i32.const ${base}) (local.get $i)))
      (local.set $s (call $call (local.get $ep) (i32.const 1)))
      (local.set $sum (i32.add (local.get $sum) (i32.add (local.get $s) (i32.load (i32.const ${BUF})))))
      ${o.yieldEvery ? `(if (i32.eqz (i32.rem_u (local.get $i) (i32.const ${o.yieldEvery}))) (then (drop (call $yield))))` : ""}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (call $rec (local.get $sum))
    (call $rec (i32.wrap_i64 (call $cpu_time (i32.const -1))))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/** Two processes yielding to each other `n` times each (ctx_switch_ns's shape), with some work between. */
const yielder = (n: number, work: number) =>
  guest(`
  (func (export "_start") (local $i i32) (local $j i32)
    (loop $l
      (local.set $j (i32.const 0))
      (loop $w (local.set $j (i32.add (local.get $j) (i32.const 1))) (br_if $w (i32.lt_u (local.get $j) (i32.const ${work}))))
      (drop (call $yield))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

type Proc = EndpointProc;

interface Workload {
  procs: Proc[];
  quantumFuel?: number;
  windowNs?: number;
  trace?: boolean;
}

async function run(w: Workload, fastSlice: boolean) {
  const sched = { quantumFuel: w.quantumFuel, windowNs: w.windowNs };
  const k = new Kernel({ trace: w.trace ?? true, fastSlice, sched });
  const ep = k.createEndpoint();
  // The system partition's account as the run queue first weighs it: right after each partition is made.
  const s = k.core.sched;
  const seen = watchPartitionCreation(k);
  const { handles: procs, out } = spawnOnEndpoint(k, ep, w.procs);
  k.release(ep);
  await k.run();
  const now = k.core.clock.now();
  s.settleBilling();
  const per = Object.fromEntries(
    procs.map((hp, i) => {
      const p = hp.process;
      const q = p.sched;
      return [
        w.procs[i].name,
        {
          rec: results(new Uint8Array(Buffer.concat(out[w.procs[i].name]))),
          exit: p.exit,
          cpu: p.cpuTimeNs,
          latencyMisses: q.latencyMisses,
          preemptions: q.preemptions,
          deadlineMisses: q.deadlineMisses + (q.edf?.misses ?? 0),
          throttles: q.throttles + (q.edf?.throttles ?? 0),
        },
      ];
    }),
  );
  const system = { total: s.system.totalNs, usage: s.system.usage(now), seen };
  return { trace: k.traceText(), now, per, system, ipc: { ...k.core.ipc }, kept: { ...s.keptCounters } };
}

const S = Rights.SEND;
const R = Rights.RECEIVE;

/** IPC pairs at three priorities, yields, hogs whose sleeps bound slices, a quantum of a few round trips. */
const mixed = (trace = true): Workload => ({
  trace,
  quantumFuel: 2500,
  procs: [
    { name: "server", bytes: replyWaitServer(450), priority: 128, ep: R },
    { name: "hi", bytes: client(150, 100, { yieldEvery: 7 }), priority: 150, ep: S },
    { name: "mid", bytes: client(200, 300, { work: 40 }), priority: 128, ep: S },
    { name: "lo", bytes: client(100, 500), priority: 100, ep: S },
    ...[7, 23, 41, 59, 83, 101].map((us, i) => ({ name: `hog${i}`, bytes: hog(us * 1000 + 317, 700), priority: 128 })),
    { name: "big", bytes: hog(50_000, 120_000), priority: 140 },
    { name: "y0", bytes: yielder(120, 30), priority: 128 },
    { name: "y1", bytes: yielder(120, 50), priority: 128 },
  ],
});

/** A client that makes a partition mid-run, in a 400 us window (20 us buckets): budgets decide who runs. */
const partitioned = (): Workload => ({
  quantumFuel: 3000,
  windowNs: 400_000,
  procs: [
    { name: "server", bytes: replyWaitServer(500), priority: 128, ep: R },
    { name: "client", bytes: client(300, 17, { partitionAt: 120 }), priority: 128, ep: S },
    { name: "other", bytes: client(200, 900, { work: 25 }), priority: 128, ep: S },
    { name: "hog", bytes: hog(30_000, 60_000), priority: 128 },
  ],
});

/** A client in the deadline class whose budget the switch costs eat (throttles), beside a hog and another client. */
const deadline = (): Workload => ({
  quantumFuel: 4000,
  procs: [
    { name: "server", bytes: replyWaitServer(270), priority: 128, ep: R },
    { name: "edf", bytes: client(120, 7, { deadline: [9_000, 40_000], work: 20 }), priority: 128, ep: S },
    { name: "other", bytes: client(150, 3000), priority: 128, ep: S },
    { name: "hog", bytes: hog(10_000, 200_000), priority: 120 },
  ],
});

/** Photon-tier clients (1 ms dispatch deadline) kept waiting by a higher hog: latency misses. */
const latency = (): Workload => ({
  procs: [
    { name: "server", bytes: replyWaitServer(120), priority: 200, ep: R },
    { name: "a", bytes: client(60, 1, { work: 10 }), priority: 200, ep: S },
    { name: "b", bytes: client(60, 2000), priority: 200, ep: S },
    { name: "hog", bytes: hog(40_000, 900_000), priority: 250 },
  ],
});

afterEach(() => {
  mutateSliceForTest(null);
  COUNTER_HELPER.after = 512;
});

describe("flat slice accounting", () => {
  it("gives the general accounting's run byte for byte: IPC handoffs, yields, hogs, timers that bound slices", async () => {
    const w = mixed();
    const flat = await run(w, true);
    const general = await run(w, false);
    expect(flat.per.mid.rec[0]).toBeGreaterThan(0);
    expect(flat.ipc.handoffs).toBeGreaterThan(100);
    expect(flat.kept.kept).toBeGreaterThan(100);
    expect(flat.kept.toppedUp).toBeGreaterThan(0);
    expect(flat.trace).toContain(" preempt ");
    for (const [name, p] of Object.entries(flat.per)) expect(p.exit, name).toMatchObject({ reason: 0, status: 0 });
    expect(flat).toEqual(general);
  });

  it("gives the same virtual time, results and accounting untraced", async () => {
    const w = mixed(false);
    const flat = await run(w, true);
    expect(flat.trace).toBe("");
    expect(flat).toEqual(await run(w, false));
  });

  it("bills the same: a partition made mid-run in a short window sees the system account the general code leaves", async () => {
    const w = partitioned();
    const flat = await run(w, true);
    expect(flat.system.seen.length).toBe(2);
    expect(flat.system.seen[0]).toBeGreaterThan(0);
    expect(flat).toEqual(await run(w, false));
  });

  it("charges the deadline class the same: its budget, misses and throttles", async () => {
    const w = deadline();
    const flat = await run(w, true);
    expect(flat.per.edf.throttles).toBeGreaterThan(0);
    expect(flat).toEqual(await run(w, false));
  });

  it("counts the same latency misses", async () => {
    const w = latency();
    const flat = await run(w, true);
    expect(flat.per.a.latencyMisses + flat.per.b.latencyMisses).toBeGreaterThan(0);
    expect(flat.trace).toContain(" latency-miss ");
    expect(flat).toEqual(await run(w, false));
  });
});

describe("the fuel counter's wasm accessors", () => {
  it("read and write the same counter: the run is the one WebAssembly.Global's value gives", async () => {
    const w = mixed();
    COUNTER_HELPER.after = Infinity;
    const global = await run(w, true);
    COUNTER_HELPER.after = 1; // from every process's first use
    const made = COUNTER_HELPER.made;
    const helper = await run(w, true);
    expect(COUNTER_HELPER.made - made).toBeGreaterThanOrEqual(w.procs.length);
    expect(helper).toEqual(global);
  });
});

describe("a wrong condition in the flat slice accounting is caught", () => {
  /** The workload gives the general accounting's run with the flat one as built, and another with m dropped. */
  async function differs(m: SliceMutation, w: Workload): Promise<void> {
    const general = await run(w, false);
    expect(await run(w, true)).toEqual(general);
    mutateSliceForTest(m);
    const wrong = await run(w, true).then(
      (r) => r,
      (e: unknown) => ({ threw: String(e) }),
    );
    expect(wrong).not.toEqual(general);
  }

  it("deferred billing added without the bucket test", async () => {
    await differs("bucket", partitioned());
  });

  it("the deadline class not charged", async () => {
    await differs("edf", deadline());
  });

  it("no latency check", async () => {
    await differs("latency", latency());
  });

  it("a slice not bounded by the next timer", async () => {
    await differs("bound", mixed());
  });
});
