// The direct handoff (docs/fastpath.md): a call or reply_wait that wakes its
// peer runs it at once, without the run queue, when the queue would have
// chosen it anyway. It must change nothing but the cost: the same trace, the
// same virtual clock, the same results as the same run with every switch
// through the run queue (Kernel fastPath: false).
import { describe, expect, it } from "vitest";
import { Rights } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { fastPathCounts } from "../../kernel/ipc/fastpath.ts";
import { mutateBillingForTest } from "../../kernel/sched/cpu.ts";
import { runSystem } from "../helpers/system.ts";
import { IPC_BUF as BUF, replyWaitServer, watchPartitionCreation } from "../helpers/ipc-workloads.ts";
import { guest, hog } from "../helpers/wat.ts";

const INF = "(i64.const 0x7fffffffffffffff)";

// Makes `n` calls (or sends, with legacy = 1) with word 0 = base + i; records the sum of
// statuses and answered words, then the virtual time it finished.
const client = (n: number, base: number, legacy: boolean, partitionAt = -1) =>
  guest(`
  (data (i32.const 0) "ep")
  (func (export "_start") (local $ep i32) (local $i i32) (local $sum i32) (local $s i32)
    (local.set $ep (call $handle_get (i32.const 0) (i32.const 2)))
    (drop (call $ipc_buffer (i32.const ${BUF})))
    (loop $l
      ${partitionAt < 0 ? "" : `(if (i32.eq (local.get $i) (i32.const ${partitionAt})) (then (drop (call $partition_join (call $partition_create (i32.const 500)) (i32.const -1)))))`}
      ${
        legacy
          ? `(local.set $s (call $send (local.get $ep) (i64.extend_i32_s (i32.add (i32.const ${base}) (local.get $i))) (i64.const 0) (i64.const 0) (i64.const 0) ${INF}))`
          : `(i32.store (i32.const ${BUF}) (i32.add (i32.const ${base}) (local.get $i)))
             (local.set $s (call $call (local.get $ep) (i32.const 1)))`
      }
      (local.set $sum (i32.add (local.get $sum) (i32.add (local.get $s) (i32.load (i32.const ${BUF})))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
    (call $rec (local.get $sum))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

interface Spec {
  server: number;
  /** partitionAt: before that call, the client makes a partition and joins it. */
  clients: { priority: number; n: number; base: number; legacy: boolean; partitionAt?: number }[];
  hog?: { priority: number; sleepNs: number; iterations: number };
  /** More hogs (sleep timers that bound slices). */
  hogs?: { priority: number; sleepNs: number; iterations: number }[];
}

async function run(spec: Spec, fastPath: boolean, quantumFuel?: number, windowNs?: number) {
  const options = quantumFuel === undefined ? undefined : { quantumFuel, windowNs };
  const k = new Kernel({ trace: true, fastPath, sched: options });
  const ep = k.createEndpoint();
  // What the run queue and the slice bound read of the system partition once a partition exists: its
  // account as it stands right after each partition is made (the first moment budgets are weighed).
  const seen = watchPartitionCreation(k);
  const count = spec.clients.reduce((a, c) => a + c.n, 0);
  const procs = [
    { name: "server", bytes: replyWaitServer(count), priority: spec.server, handles: [{ name: "ep", object: ep, rights: Rights.RECEIVE }] },
    ...spec.clients.map((c, i) => ({
      name: `client${i}`,
      bytes: client(c.n, c.base, c.legacy, c.partitionAt),
      priority: c.priority,
      handles: [{ name: "ep", object: ep, rights: Rights.SEND }],
    })),
    ...(spec.hog ? [{ name: "hog", bytes: hog(spec.hog.sleepNs, spec.hog.iterations), priority: spec.hog.priority }] : []),
    ...(spec.hogs ?? []).map((h, i) => ({ name: `hog${i}`, bytes: hog(h.sleepNs, h.iterations), priority: h.priority })),
  ];
  const r = await runSystem(procs, { trace: true, fastPath, sched: options }, k, [ep]);
  for (const [name, e] of Object.entries(r.exit)) expect(e, name).toMatchObject({ reason: 0, status: 0 });
  // The system partition's account, deferred billing settled (kernel/sched/cpu.ts charge): the same either way.
  const now = k.core.clock.now();
  k.core.sched.settleBilling();
  const system = { total: k.core.sched.system.totalNs, usage: k.core.sched.system.usage(now), seen };
  return { trace: k.traceText(), now, rec: r.rec, ipc: { ...k.core.ipc }, kept: { ...k.core.sched.keptCounters }, system };
}

/** Expected sum for a client: each exchange returns status 2w and word w + 1. */
const sumOf = (n: number, base: number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += 3 * (base + i) + 1;
  return s;
};

describe("the direct handoff", () => {
  it("a client and a server at one priority: every switch is a handoff, and the run is the one the run queue makes", async () => {
    const spec: Spec = { server: 128, clients: [{ priority: 128, n: 200, base: 7, legacy: false }] };
    const flat = fastPathCounts.call;
    const fast = await run(spec, true);
    expect(fastPathCounts.call - flat).toBeGreaterThan(150); // the flat fast path (kernel/ipc/fastpath.ts), not only the handoff
    const slow = await run(spec, false);
    expect(fast.rec.client0[0]).toBe(sumOf(200, 7));
    expect(fast.ipc.handoffs).toBeGreaterThanOrEqual(2 * 199);
    expect(slow.ipc.handoffs).toBe(0);
    expect(fast.trace.split("\n").length).toBeGreaterThan(1000);
    expect(slow.kept).toEqual({ kept: 0, toppedUp: 0 });
    expect({ ...fast, ipc: { ...fast.ipc, handoffs: 0 }, kept: slow.kept }).toEqual(slow);
  });

  it("a counter kept across slices that runs out before its slice runs on, and the run is the one written slices make", async () => {
    // A quantum of a few round trips' fuel: kept counters run out inside their slices; a hog at the same
    // priority shares the CPU by quanta and its sleep's timer bounds slices (a slice shorter than the counter).
    const spec: Spec = {
      server: 128,
      clients: [{ priority: 128, n: 300, base: 3, legacy: false }],
      hogs: [7, 23, 41, 59, 83, 101, 127, 149].map((us) => ({ priority: 128, sleepNs: us * 1000 + 317, iterations: 500 })),
    };
    const fast = await run(spec, true, 2000);
    const slow = await run(spec, false, 2000);
    expect(fast.rec.client0[0]).toBe(sumOf(300, 3));
    expect(fast.kept.kept).toBeGreaterThan(300);
    expect(fast.kept.toppedUp).toBeGreaterThan(10);
    expect(slow.kept).toEqual({ kept: 0, toppedUp: 0 });
    expect({ ...fast, ipc: { ...fast.ipc, handoffs: 0 }, kept: slow.kept }).toEqual(slow);
  });

  it("a partition made and joined mid-run, while the client keeps its counter: the same run either way", async () => {
    const spec: Spec = {
      server: 128,
      clients: [{ priority: 128, n: 300, base: 11, legacy: false, partitionAt: 150 }],
      hogs: [13, 37, 61, 89].map((us) => ({ priority: 128, sleepNs: us * 1000 + 211, iterations: 500 })),
    };
    const fast = await run(spec, true, 2000);
    const slow = await run(spec, false, 2000);
    expect(fast.rec.client0[0]).toBe(sumOf(300, 11));
    expect(fast.kept.kept).toBeGreaterThan(100);
    expect({ ...fast, ipc: { ...fast.ipc, handoffs: 0 }, kept: slow.kept }).toEqual(slow);
  });

  it("billing deferred while there is no partition is settled when one is made: budgets in short windows decide the same run either way", async () => {
    // A 400 us window (20 us buckets): the system partition's budget (half of it once the client's partition
    // takes 500 permille) binds, so the billing it had before the partition existed decides who runs.
    const spec: Spec = {
      server: 128,
      clients: [{ priority: 128, n: 300, base: 17, legacy: false, partitionAt: 120 }],
      hogs: [11, 29, 53, 71].map((us) => ({ priority: 128, sleepNs: us * 1000 + 97, iterations: 3000 })),
    };
    const slow = await run(spec, false, 2000, 400_000);
    const fast = await run(spec, true, 2000, 400_000);
    expect(fast.rec.client0[0]).toBe(sumOf(300, 17));
    expect(fast.system.total).toBeGreaterThan(0);
    expect(fast.system.seen[0]).toBeGreaterThan(0);
    expect({ ...fast, ipc: { ...fast.ipc, handoffs: 0 }, kept: slow.kept }).toEqual(slow);
    // Settled late (in whatever bucket is newest when it lands), the same billing makes another run.
    mutateBillingForTest("late");
    try {
      const late = await run(spec, true, 2000, 400_000);
      expect({ ...late, ipc: { ...late.ipc, handoffs: 0 }, kept: slow.kept }).not.toEqual(slow);
    } finally {
      mutateBillingForTest(null);
    }
  });

  it("clients of call and of send, a lower server and a higher hog: handoffs where the queue agrees, the same run either way", async () => {
    const spec: Spec = {
      server: 20,
      clients: [
        { priority: 128, n: 150, base: 1000, legacy: false },
        { priority: 128, n: 150, base: 5000, legacy: true },
        { priority: 60, n: 100, base: 9000, legacy: false },
      ],
      hog: { priority: 100, sleepNs: 200_000, iterations: 300_000 },
    };
    const fast = await run(spec, true);
    const slow = await run(spec, false);
    expect(fast.rec.client0[0]).toBe(sumOf(150, 1000));
    expect(fast.rec.client1[0]).toBe(sumOf(150, 5000));
    expect(fast.rec.client2[0]).toBe(sumOf(100, 9000));
    expect(fast.trace).toContain(" preempt ");
    expect(fast.ipc.handoffs).toBeGreaterThan(0);
    expect({ ...fast, ipc: { ...fast.ipc, handoffs: 0 }, kept: slow.kept }).toEqual(slow);
  });
});
