// Round robin and FIFO within a priority, measured on the deterministic
// virtual clock (1 fuel = 1 ns): CPU shares are exact counts, not wall time.
import { describe, expect, it } from "vitest";
import { Constants, ExitReason } from "../../abi/gen/abi.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { guest, results } from "../helpers/wat.ts";

const HOG = guest(`(func (export "_start") (loop $l (br $l)))`);

/**
 * The observer (priority 200) spawns two hogs from the image "hog", puts them
 * at priority 100 with `policy`, sleeps `windowNs`, then records each hog's
 * CPU time and kills both.
 */
const observer = (policy: number, windowNs: number) =>
  guest(`
  (data (i32.const 0) "hog")
  (func (export "_start") (local $img i32) (local $a i32) (local $b i32)
    (local.set $img (call $handle_get (i32.const 0) (i32.const 3)))
    (local.set $a (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (local.set $b (call $spawn (local.get $img) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $rec (call $sched_set_priority (local.get $a) (i32.const 100) (i32.const ${policy})))
    (call $rec (call $sched_set_priority (local.get $b) (i32.const 100) (i32.const ${policy})))
    (drop (call $sleep (i64.const ${windowNs})))
    (call $rec (i32.wrap_i64 (call $cpu_time (local.get $a))))
    (call $rec (i32.wrap_i64 (call $cpu_time (local.get $b))))
    (drop (call $kill (local.get $a) (i32.const 0)))
    (drop (call $kill (local.get $b) (i32.const 0)))
    (call $flush))`);

async function share(policy: number, windowNs: number) {
  const r = await runGuest(observer(policy, windowNs), { images: { hog: HOG } });
  expect(r.exit.reason).toBe(ExitReason.NORMAL);
  const [setA, setB, a, b] = results(r.stdoutBytes);
  expect([setA, setB]).toEqual([0, 0]);
  return { a, b, kernel: r.kernel };
}

describe("sharing the CPU within a priority", () => {
  it("two equal-priority CPU hogs share the CPU within 5% over a 100 ms window", async () => {
    const { a, b } = await share(Constants.SCHED_RR, 100_000_000);
    // Together they had the whole window (the observer only slept).
    expect(a + b).toBeGreaterThan(99_000_000);
    expect(a + b).toBeLessThanOrEqual(100_000_100); // a slice may overshoot by the last charge (a few instructions)
    expect(Math.abs(a - b) / (a + b)).toBeLessThan(0.05);
  });

  it("and within 5% over every window: 10 ms, 20 ms and 50 ms (quantum 1 ms)", async () => {
    for (const w of [10_000_000, 20_000_000, 50_000_000]) {
      const { a, b } = await share(Constants.SCHED_RR, w);
      expect(Math.abs(a - b) / (a + b), `window ${w}`).toBeLessThan(0.05);
    }
  });

  it("FIFO hogs do not share: the first keeps the CPU until it blocks or a higher priority wants it", async () => {
    const { a, b } = await share(Constants.SCHED_FIFO, 20_000_000);
    expect(a).toBeGreaterThan(19_000_000);
    expect(b).toBe(0);
  });

  it("the runs are deterministic: the same shares to the nanosecond on every run", async () => {
    const x = await share(Constants.SCHED_RR, 30_000_000);
    const y = await share(Constants.SCHED_RR, 30_000_000);
    expect([x.a, x.b]).toEqual([y.a, y.b]);
  });
});
