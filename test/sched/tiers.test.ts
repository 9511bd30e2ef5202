// Named tiers: a Photon process runs the moment it is ready, ahead of a
// Gravity hog that has the CPU, and the Gravity process runs while the
// Photon one sleeps. Times are virtual (1 fuel = 1 ns) and exact.
import { describe, expect, it } from "vitest";
import { Constants, ExitReason, Limits } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { TIERS, tierOf } from "../../kernel/sched/tiers.ts";
import { guest, results } from "../helpers/wat.ts";
import { BURN } from "./guests.ts";

const ROUNDS = 5;
const SLEEP = 3_000_000;
const BURST = 2_000_000;

// Photon: ROUNDS times: sleep 3 ms, record how late it got the CPU, burn 2 ms, record how long that took.
const PHOTON = guest(`
  ${BURN}
  (func (export "_start") (local $i i32) (local $wake i64) (local $t i64)
    (call $rec (call $sched_set_tier (i32.const -1) (i32.const ${Constants.TIER_PHOTON})))
    (loop $round
      (local.set $wake (i64.add (call $clock_now) (i64.const ${SLEEP})))
      (drop (call $sleep (i64.const ${SLEEP})))
      (local.set $t (call $clock_now))
      (call $rec (i32.wrap_i64 (i64.sub (local.get $t) (local.get $wake))))
      (call $burn (i64.const ${BURST}))
      (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $round (i32.lt_u (local.get $i) (i32.const ${ROUNDS}))))
    (drop (call $sched_info (i32.const -1) (i32.const 1000) (i32.const ${Constants.SCHED_INFO_SIZE})))
    (call $rec (i32.load (i32.const 1016))) ;; tier
    (call $rec (i32.load (i32.const 1068))) ;; latency misses
    (call $flush))`);

const GRAVITY = guest(`
  (func (export "_start")
    (drop (call $sched_set_tier (i32.const -1) (i32.const ${Constants.TIER_GRAVITY})))
    (loop $l (br $l)))`);

describe("priority tiers", () => {
  it("map the 256 priorities onto Void < Gravity < Matter < Photon, each with a default deadline", () => {
    expect(TIERS.map((t) => [t.name, t.lowest, t.highest])).toEqual([
      ["Void", 0, 63],
      ["Gravity", 64, 127],
      ["Matter", 128, 191],
      ["Photon", 192, 255],
    ]);
    for (const t of TIERS) expect(tierOf(t.defaultPriority)).toBe(t);
    expect(tierOf(128).name).toBe("Matter"); // where every process starts
    expect(TIERS.map((t) => t.deadlineNs)).toEqual([Infinity, 100_000_000, 16_000_000, 1_000_000]);
  });

  it("a higher tier runs first and a lower one runs when it sleeps", async () => {
    let bytes = new Uint8Array();
    const k = new Kernel();
    const gImg = k.loadImage(GRAVITY, "gravity");
    const pImg = k.loadImage(PHOTON, "photon");
    const gravity = k.spawn(gImg);
    const photon = k.spawn(pImg, { stdout: (b) => (bytes = b.slice()) });
    k.release(gImg);
    k.release(pImg);
    expect((await photon.exited).reason).toBe(ExitReason.NORMAL);
    const rec = results(bytes);
    expect(rec[0]).toBe(0);
    for (let i = 0; i < ROUNDS; i++) {
      const late = rec[1 + 2 * i];
      const burst = rec[2 + 2 * i];
      // Woken by its timer, it preempts the Gravity hog at once: late by one
      // context switch (1000 ns) and the few instructions of a slice's end.
      expect(late, `round ${i}`).toBeLessThan(1_100);
      expect(late, `round ${i}`).toBeGreaterThanOrEqual(0);
      // The Gravity hog never gets in the way of a burst: 2 ms of CPU take 2 ms.
      expect(burst - BURST, `round ${i}`).toBeLessThan(5_000);
    }
    expect(rec.slice(-2)).toEqual([Constants.TIER_PHOTON, 0]); // no latency misses
    // The Gravity hog ran while the Photon process slept, and only then.
    const gravityCpu = k.core.sched.cpuTime(gravity.process);
    const photonCpu = photon.process.cpuTimeNs;
    const elapsed = k.core.clock.now();
    expect(gravityCpu + photonCpu).toBeGreaterThan(elapsed - 10_000);
    expect(gravityCpu).toBeGreaterThan(ROUNDS * SLEEP - 50_000);
    expect(gravityCpu).toBeLessThan(ROUNDS * SLEEP + 50_000);
    k.core.terminate(gravity.process, 0, ExitReason.KILLED, "test over");
    await k.run();
    gravity.close();
    photon.close();
    expect(k.core.objects.liveTotal()).toBe(0);
  });

  it("a Matter process woken behind a running equal-priority hog waits at most one quantum (within its 16 ms deadline)", async () => {
    const sleeper = guest(`
      (func (export "_start") (local $i i32) (local $wake i64)
        (loop $round
          (local.set $wake (i64.add (call $clock_now) (i64.const 5300000)))
          (drop (call $sleep (i64.const 5300000)))
          (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $wake))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $round (i32.lt_u (local.get $i) (i32.const 4))))
        (drop (call $sched_info (i32.const -1) (i32.const 1000) (i32.const ${Constants.SCHED_INFO_SIZE})))
        (call $rec (i32.load (i32.const 1068)))
        (call $flush))`);
    let bytes = new Uint8Array();
    const k = new Kernel();
    const hog = k.spawn(k.loadImage(guest(`(func (export "_start") (loop $l (br $l)))`), "hog"));
    const s = k.spawn(k.loadImage(sleeper, "sleeper"), { stdout: (b) => (bytes = b.slice()) });
    try {
      await s.exited;
      const rec = results(bytes);
      for (const late of rec.slice(0, 4)) expect(late).toBeLessThanOrEqual(Limits.SCHED_QUANTUM_NS + 1_100);
      expect(rec.some((late) => late > 10_000)).toBe(true); // it did wait behind the hog (round robin, no preemption)
      expect(rec[4]).toBe(0);
    } finally {
      k.core.terminate(hog.process, 0, ExitReason.KILLED, "test over");
    }
  });
});
