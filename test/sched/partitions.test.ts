// CPU partitions (adaptive partitioning): guaranteed shares over an
// averaging window when the CPU is contended, free time shared when it is
// not, shares carved from the creator's own, and billing a server's work to
// its client's partition.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason, Limits, ObjectType } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { Partition } from "../../kernel/objects/partition.ts";
import { ObjectRegistry } from "../../kernel/object.ts";
import { guest, results } from "../helpers/wat.ts";
import { SPIN } from "./guests.ts";

const MS = 1_000_000;
const HOG = guest(SPIN);

/**
 * The root creates partitions A (shareA) and B (shareB) from its own, spawns
 * a hog into each (A's at priority 100, B's at `priorityB`), sleeps
 * `windowNs`, then records both hogs' CPU time and B's partition_info.
 */
const twoPartitions = (shareA: number, shareB: number, priorityB: number, windowNs: number, bSleeps = false) =>
  guest(`
  (data (i32.const 0) "hog")
  (data (i32.const 8) "sleeper")
  (func (export "_start") (local $img i32) (local $pa i32) (local $pb i32) (local $a i32) (local $b i32)
    (call $rec (call $sched_set_priority (i32.const -1) (i32.const 200) (i32.const 0)))
    (local.set $pa (call $partition_create (i32.const ${shareA})))
    (local.set $pb (call $partition_create (i32.const ${shareB})))
    (local.set $a (call $spawn (call $handle_get (i32.const 0) (i32.const 3)) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (local.set $b (call $spawn (call $handle_get (i32.const ${bSleeps ? 8 : 0}) (i32.const ${bSleeps ? 7 : 3})) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $rec (call $sched_set_priority (local.get $a) (i32.const 100) (i32.const 0)))
    (call $rec (call $sched_set_priority (local.get $b) (i32.const ${priorityB}) (i32.const 0)))
    (call $rec (call $partition_join (local.get $pa) (local.get $a)))
    (call $rec (call $partition_join (local.get $pb) (local.get $b)))
    (drop (call $sleep (i64.const ${windowNs})))
    (call $rec (i32.wrap_i64 (call $cpu_time (local.get $a))))
    (call $rec (i32.wrap_i64 (call $cpu_time (local.get $b))))
    (call $rec (call $partition_info (local.get $pb) (i32.const 2000) (i32.const ${Constants.PARTITION_INFO_SIZE})))
    (call $rec (i32.load (i32.const 2000))) ;; share
    (call $rec (i32.load (i32.const 2008))) ;; processes
    (call $rec (i32.wrap_i64 (i64.load (i32.const 2024)))) ;; used in the current window
    (drop (call $kill (local.get $a) (i32.const 0)))
    (drop (call $kill (local.get $b) (i32.const 0)))
    (call $flush))`);

async function contend(shareA: number, shareB: number, priorityB: number, windowNs: number, bSleeps = false) {
  const sleeper = guest(`(func (export "_start") (loop $l (drop (call $sleep (i64.const 1000000))) (br $l)))`);
  const r = await runGuest(twoPartitions(shareA, shareB, priorityB, windowNs, bSleeps), { images: { hog: HOG, sleeper } });
  expect(r.exit.reason, r.exit.message).toBe(ExitReason.NORMAL);
  const v = results(r.stdoutBytes);
  expect(v.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
  const [a, b, infoSize, shareB_, members, usedB] = v.slice(5);
  expect(infoSize).toBe(Constants.PARTITION_INFO_SIZE);
  expect(shareB_).toBe(shareB);
  expect(members).toBe(1);
  expect(r.kernel.core.objects.liveTotal()).toBe(0); // partitions go with their last handle and member
  return { a, b, usedB };
}

describe("CPU partitions", () => {
  it("budgets hold over a window: 70% / 30% even though B's hog has the higher priority", async () => {
    // Without partitions B's hog (priority 150) would take all of it.
    const { a, b, usedB } = await contend(700, 300, 150, 10 * Limits.PARTITION_WINDOW_NS);
    const shareB = b / (a + b);
    expect(shareB).toBeGreaterThan(0.25);
    expect(shareB).toBeLessThan(0.35);
    expect(Math.abs(shareB - 0.3)).toBeLessThan(0.05);
    // In the last window B used its 30 ms (and at most one slice more).
    expect(usedB).toBeGreaterThan(0.28 * Limits.PARTITION_WINDOW_NS);
    expect(usedB).toBeLessThan(0.32 * Limits.PARTITION_WINDOW_NS);
  });

  it("the guarantee holds for the higher-priority side too: B at 60% gets 60%", async () => {
    const { a, b } = await contend(400, 600, 150, 5 * Limits.PARTITION_WINDOW_NS);
    expect(Math.abs(b / (a + b) - 0.6)).toBeLessThan(0.05);
  });

  it("time a partition leaves unused goes to the others (free time): A takes nearly all while B sleeps", async () => {
    const { a, b } = await contend(300, 700, 150, 3 * Limits.PARTITION_WINDOW_NS, true);
    expect(b).toBeLessThan(0.01 * 3 * Limits.PARTITION_WINDOW_NS);
    expect(a).toBeGreaterThan(0.97 * 3 * Limits.PARTITION_WINDOW_NS);
  });

  it("a share is carved from the creator's: no more than it has, and it comes back when the partition goes", async () => {
    const r = await runGuest(
      guest(`
      (func (export "_start") (local $p i32) (local $q i32)
        (local.set $p (call $partition_create (i32.const 600)))
        (call $rec (i32.gt_s (local.get $p) (i32.const 0)))
        (call $rec (call $partition_create (i32.const 500)))          ;; 400 left: ECEILING
        (local.set $q (call $partition_create (i32.const 400)))
        (call $rec (i32.gt_s (local.get $q) (i32.const 0)))
        (call $rec (call $partition_create (i32.const 1)))            ;; nothing left
        (drop (call $handle_close (local.get $q)))                    ;; its 400 come back
        (call $rec (i32.gt_s (call $partition_create (i32.const 400)) (i32.const 0)))
        ;; a process in p carves from p's 600
        (call $rec (call $partition_join (local.get $p) (i32.const -1)))
        (call $rec (call $partition_create (i32.const 601)))
        (call $rec (i32.gt_s (call $partition_create (i32.const 250)) (i32.const 0)))
        (call $rec (call $partition_info (local.get $p) (i32.const 2000) (i32.const 40)))
        (call $rec (i32.load (i32.const 2000)))
        (call $rec (i32.load (i32.const 2004)))
        (call $rec (i32.load (i32.const 2008)))
        (call $flush))`),
    );
    expect(results(r.stdoutBytes)).toEqual([1, -Errno.ECEILING, 1, -Errno.ECEILING, 1, 0, -Errno.ECEILING, 1, 40, 600, 350, 1]);
    expect(r.kernel.core.objects.liveTotal()).toBe(0);
  });

  it("a server working for a client is billed to the client's partition (Kernel.billTo)", async () => {
    const k = new Kernel();
    const core = k.core;
    const a = core.sched.createPartition(core.sched.system, 500) as Partition;
    const b = core.sched.createPartition(core.sched.system, 500) as Partition;
    a.retainHandle();
    b.retainHandle();
    const server = k.spawn(k.loadImage(HOG, "server"));
    const client = k.spawn(k.loadImage(guest(`(func (export "_start") (drop (call $sleep (i64.const 100000000))))`), "client"));
    expect(core.sched.movePartition(server.process, a)).toBe(0);
    expect(core.sched.movePartition(client.process, b)).toBe(0);
    core.billTo(server.process, client.process);
    // At 10 ms of virtual time stop billing the client. Inside the kernel's timer callback, so at exactly
    // that moment: a test's continuation after an await runs whenever the hog next lets the host's event
    // loop turn (wall time), and timer deadlines are absolute.
    let at10 = { a: -1, b: -1 };
    core.addTimer(10 * MS, () => {
      at10 = { a: a.totalNs, b: b.totalNs };
      core.billTo(server.process, null);
    });
    await new Promise<void>((resolve) => core.addTimer(30 * MS, () => resolve()));
    core.terminate(server.process, 0, ExitReason.KILLED, "test over");
    core.terminate(client.process, 0, ExitReason.KILLED, "test over");
    await k.run();
    expect(at10.a).toBe(0);
    expect(at10.b).toBeGreaterThan(9 * MS);
    expect(a.totalNs).toBeGreaterThan(9 * MS);
    expect(b.totalNs - at10.b).toBeLessThan(100_000);
    // The work was the server's own: its CPU time has all of it.
    expect(server.process.cpuTimeNs).toBeGreaterThan(19 * MS);
    a.releaseHandle();
    b.releaseHandle();
    server.close();
    client.close();
  });

  it("keeps usage in a sliding window of buckets", () => {
    const p = new Partition(new ObjectRegistry(), null, 1000, 100 * MS);
    expect(p.type).toBe(ObjectType.PARTITION);
    p.charge(10 * MS, 0);
    p.charge(10 * MS, 50 * MS);
    expect(p.usage(60 * MS)).toBe(20 * MS);
    // 20 buckets of 5 ms: the window is the current bucket and the 19 before it.
    expect(p.usage(99 * MS)).toBe(20 * MS);
    expect(p.usage(100 * MS)).toBe(10 * MS); // the bucket [0, 5 ms) slid out
    expect(p.usage(149 * MS)).toBe(10 * MS);
    expect(p.usage(150 * MS)).toBe(0);
    expect(p.usage(1000 * MS)).toBe(0);
    expect(p.totalNs).toBe(20 * MS);
    expect(p.budgetLeft(1000 * MS)).toBe(100 * MS);
  });
});
