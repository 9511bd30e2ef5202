// The deadline class: periodic jobs scheduled earliest-deadline-first above
// every fixed priority, with admission control and a runtime budget per job.
import { describe, expect, it } from "vitest";
import { Constants, Errno, ExitReason } from "../../abi/gen/abi.ts";
import { Kernel, type HostProcess } from "../../host/kernel.ts";
import { guest, results } from "../helpers/wat.ts";
import { BURN, INFO, SCHED_INFO } from "./guests.ts";

const US = 1000;

/**
 * A periodic task: enters the deadline class (runtime, period), then for
 * `jobs` periods burns `work` ns of CPU and waits for the next period,
 * recording what each wait returned (deadlines missed) and, at the end, its
 * deadline misses, throttles and class. `delay` ns of sleep come first.
 */
const periodic = (runtime: number, period: number, work: number, jobs: number, delay = 0) =>
  guest(`
  ${BURN}
  ${SCHED_INFO}
  (func (export "_start") (local $i i32)
    ${delay ? `(drop (call $sleep (i64.const ${delay})))` : ""}
    (call $rec (call $sched_set_deadline (i32.const -1) (i64.const ${runtime}) (i64.const ${period}) (i64.const 0)))
    (if (i32.eqz (call $info (i32.const ${INFO.class}))) (then (call $flush) (return)))
    (loop $job
      (call $burn (i64.const ${work}))
      (call $rec (call $sched_wait_period))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $job (i32.lt_u (local.get $i) (i32.const ${jobs}))))
    (call $rec (call $info (i32.const ${INFO.misses})))
    (call $rec (call $info (i32.const ${INFO.throttles})))
    (call $flush))`);

/** A fixed-priority hog at the top priority (after 5 ms, so the tasks have entered their class first). */
const TOP_HOG = guest(`
  (func (export "_start")
    (drop (call $sleep (i64.const ${5000 * US})))
    (drop (call $sched_set_priority (i32.const -1) (i32.const ${Constants.PRIORITY_MAX}) (i32.const ${Constants.SCHED_FIFO})))
    (loop $l (br $l)))`);

async function runSet(tasks: Record<string, Uint8Array>) {
  const k = new Kernel();
  const out: Record<string, Uint8Array> = {};
  const hogImg = k.loadImage(TOP_HOG, "hog");
  const hog = k.spawn(hogImg);
  k.release(hogImg);
  const procs: Record<string, HostProcess> = {};
  for (const [name, bytes] of Object.entries(tasks)) {
    const img = k.loadImage(bytes, name);
    procs[name] = k.spawn(img, { stdout: (b) => (out[name] = b.slice()) });
    k.release(img);
  }
  try {
    for (const p of Object.values(procs)) expect((await p.exited).reason).toBe(ExitReason.NORMAL);
  } finally {
    k.core.terminate(hog.process, 0, ExitReason.KILLED, "test over");
  }
  const hogCpu = hog.process.cpuTimeNs;
  await k.run();
  for (const p of [hog, ...Object.values(procs)]) p.close();
  expect(k.core.objects.liveTotal()).toBe(0);
  const rec = Object.fromEntries(Object.entries(out).map(([n, b]) => [n, results(b)]));
  return { rec, hogCpu, elapsed: k.core.clock.now(), kernel: k };
}

describe("earliest deadline first", () => {
  it("meets every deadline of an admissible set (utilisation 0.57) while a priority-255 hog wants the CPU", async () => {
    const { rec, hogCpu, elapsed } = await runSet({
      a: periodic(200 * US, 1000 * US, 160 * US, 30),
      b: periodic(300 * US, 1500 * US, 240 * US, 20),
      c: periodic(500 * US, 3000 * US, 400 * US, 10),
    });
    for (const [name, jobs] of [
      ["a", 30],
      ["b", 20],
      ["c", 10],
    ] as const) {
      const r = rec[name];
      expect(r[0], `${name} admitted`).toBe(0);
      expect(r.slice(1, 1 + jobs), `${name}: missed per job`).toEqual(Array(jobs).fill(0));
      expect(r.slice(1 + jobs), `${name}: misses, throttles`).toEqual([0, 0]);
    }
    // The hog got the rest: about 1 - 0.8 * 0.57 of the time.
    expect(hogCpu / elapsed).toBeGreaterThan(0.45);
  });

  it("refuses a task that would take the set past its capacity, and the rest still meet their deadlines", async () => {
    const { rec } = await runSet({
      a: periodic(200 * US, 1000 * US, 160 * US, 10),
      b: periodic(300 * US, 1500 * US, 240 * US, 6),
      c: periodic(500 * US, 3000 * US, 400 * US, 3),
      // 0.4 more would make 0.97 > EDF_CAPACITY_PERMILLE (0.9): refused, and it stays a fixed-priority process.
      d: periodic(400 * US, 1000 * US, 100 * US, 3, 4000 * US),
    });
    expect(rec.d).toEqual([-Errno.EOVERLOAD]);
    expect(rec.a.slice(1)).toEqual([...Array(10).fill(0), 0, 0]);
    expect(rec.b.slice(1)).toEqual([...Array(6).fill(0), 0, 0]);
    expect(rec.c.slice(1)).toEqual([...Array(3).fill(0), 0, 0]);
  });

  it("throttles a job that overruns its runtime, so the others still meet their deadlines", async () => {
    const { rec } = await runSet({
      a: periodic(200 * US, 1000 * US, 160 * US, 20),
      // Asks for 300 µs per 1.5 ms but burns 600 µs: each job is stopped at 300 µs and finishes in the next period.
      greedy: periodic(300 * US, 1500 * US, 600 * US, 5),
      c: periodic(500 * US, 3000 * US, 400 * US, 6),
    });
    expect(rec.a.slice(1)).toEqual([...Array(20).fill(0), 0, 0]);
    expect(rec.c.slice(1)).toEqual([...Array(6).fill(0), 0, 0]);
    const [, ...g] = rec.greedy;
    const misses = g.slice(0, 5);
    const [totalMisses, throttles] = g.slice(5);
    expect(misses.every((m) => m >= 1)).toBe(true);
    expect(totalMisses).toBe(misses.reduce((x, y) => x + y, 0));
    expect(throttles).toBeGreaterThanOrEqual(5);
  });

  it("admission control counts runtime over the deadline when the deadline is shorter than the period", async () => {
    // 300 µs due 500 µs after release, every 2 ms: density 0.6 (not 0.15).
    const dense = guest(`
      (func (export "_start")
        (call $rec (call $sched_set_deadline (i32.const -1) (i64.const ${300 * US}) (i64.const ${2000 * US}) (i64.const ${500 * US})))
        (call $rec (call $sched_set_deadline (i32.const -1) (i64.const ${300 * US}) (i64.const ${2000 * US}) (i64.const ${500 * US})))
        (drop (call $sched_wait_period))
        (drop (call $sched_wait_period))
        (call $flush))`);
    const second = guest(`
      (func (export "_start")
        (drop (call $sleep (i64.const ${100 * US})))
        (call $rec (call $sched_set_deadline (i32.const -1) (i64.const ${400 * US}) (i64.const ${1000 * US}) (i64.const 0)))
        (call $flush))`);
    let a = new Uint8Array();
    let b = new Uint8Array();
    const k = new Kernel();
    const pa = k.spawn(k.loadImage(dense, "dense"), { stdout: (x) => (a = x.slice()) });
    const pb = k.spawn(k.loadImage(second, "second"), { stdout: (x) => (b = x.slice()) });
    await Promise.all([pa.exited, pb.exited]);
    // Re-admitting the same process replaces its own reservation; the second (0.4) does not fit next to 0.6.
    expect(results(a)).toEqual([0, 0]);
    expect(results(b)).toEqual([-Errno.EOVERLOAD]);
  });
});
