// Virtual time is work done: in deterministic mode the clock advances by the
// fuel the running process burns (1 fuel = 1 ns), plus a fixed cost per
// context switch. So clock_now reflects computation and runs repeat exactly.
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { chargePoints } from "../../loader/instrument/fuel.ts";
import { Kernel } from "../../host/kernel.ts";
import { runGuest } from "../../cli/run-guest.ts";
import { readModule } from "../../wasm/reader.ts";
import { guest, results } from "../helpers/wat.ts";
import { SPIN } from "./guests.ts";

const N = 100_000;
const COUNTING = guest(`
  (func $count (export "count") (param $n i32) (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "_start") (local $t i64)
    (local.set $t (call $clock_now))
    (call $count (i32.const ${N}))
    (call $rec (i32.wrap_i64 (i64.sub (call $clock_now) (local.get $t))))
    (call $flush))`);

describe("virtual time", () => {
  it("advances by exactly the fuel a loop burns: iterations x the weight of its body", async () => {
    const m = readModule(COUNTING);
    const count = m.exports.find((e) => e.name === "count")!.index;
    const [entry, loop] = chargePoints(m, count);
    expect(loop.weight).toBe(9); // local.get, i32.const, i32.add, local.set, local.get, local.get, i32.lt_u, br_if, end
    const r = await runGuest(COUNTING);
    expect(results(r.stdoutBytes)).toEqual([entry.weight + N * loop.weight]);
  });

  it("does not move while a process computes unmetered (only context switches cost time)", async () => {
    const r = await runGuest(COUNTING, { instrument: false });
    expect(results(r.stdoutBytes)).toEqual([0]);
  });

  it("makes a run with preemption repeat byte for byte: the same trace and the same clock", async () => {
    const run = async () => {
      const k = new Kernel({ trace: true });
      const sleeper = guest(`(func (export "_start") (local $i i32)
        (loop $l (drop (call $sleep (i64.const 1300000))) (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const 8)))))`);
      const hogs = [k.spawn(k.loadImage(guest(SPIN), "hog1")), k.spawn(k.loadImage(guest(SPIN), "hog2"))];
      const s = k.spawn(k.loadImage(sleeper, "sleeper"));
      await s.exited;
      for (const h of hogs) k.core.terminate(h.process, 0, ExitReason.KILLED, "done");
      await k.run();
      return { trace: k.traceText(), now: k.core.clock.now(), cpu: hogs.map((h) => h.process.cpuTimeNs) };
    };
    const a = await run();
    const b = await run();
    expect(a.trace.split("\n").length).toBeGreaterThan(20);
    expect(a.trace).toContain("preempt back");
    expect(b).toEqual(a);
  });
});
