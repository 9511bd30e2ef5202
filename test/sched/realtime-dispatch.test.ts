// A real-time dispatch's clock readings (kernel/core.ts schedule,
// kernel/sched/cpu.ts beginSlice, sliceFuel; docs/fastpath.md "The context
// switch at scale"). In real time a clock reading is a host call (≈45 ns),
// and every armed timer (each sleeping process has one) bounds the next
// slice by the time left to it. A dispatch reads the clock once: with a timer
// armed, the run queue's due-timer check's reading is handed to the dispatch
// (KernelCore.dispatchReading), which measures the latency check, the slice's
// bound and the slice's start from it; with none, the dispatch reads it
// itself. The slice it bounds still ends no later than the timer is due.
import { describe, expect, it } from "vitest";
import { ProcessState } from "../../abi/gen/abi.ts";
import { KernelCore } from "../../kernel/core.ts";
import type { Platform, ProcessRuntime } from "../../kernel/platform.ts";
import { FakeHost } from "../model/fake-host.ts";

/** A metered fake runtime: records each slice's fuel. */
class MeteredRuntime implements ProcessRuntime {
  readonly metered = true;
  readonly fuelKept = true;
  readonly slices: number[] = [];
  private fuel = 0;
  start(): void {}
  resume(): void {}
  deliver(): void {}
  handlerStatus(): number {
    return -2;
  }
  setFuel(f: number): void {
    this.fuel = f;
    this.slices.push(f);
  }
  fuelLeft(): number {
    return this.fuel;
  }
  dispose(): void {}
}

/** A real-time kernel on a clock that moves 100 ns at every reading; readings lists them (ns since boot). */
function realtimeKernel() {
  let ms = 0;
  const readings: number[] = [];
  const platform: Platform = {
    now: () => {
      ms += 0.0001;
      return ms;
    },
    setTimer: () => () => {},
    fillRandom: (out) => out.fill(0),
  };
  const runtimes: MeteredRuntime[] = [];
  const host = new FakeHost();
  host.createRuntime = () => {
    const r = new MeteredRuntime();
    runtimes.push(r);
    return r;
  };
  const k = new KernelCore({ host, deterministic: false, platform });
  const clock = k.clock;
  const read = clock.now.bind(clock);
  clock.now = () => {
    const t = read();
    readings.push(t);
    return t;
  };
  clock.peek = clock.now;
  const image = k.createImage("fake", "fake", null);
  image.retainHandle();
  const spawn = () => {
    const p = k.spawn({ image, args: [], parentPid: 0, stdout: () => {}, handles: [] });
    if (typeof p === "number") throw new Error(`spawn failed: ${p}`);
    return p;
  };
  return { k, readings, runtimes, spawn };
}

describe("a real-time dispatch with a timer armed", () => {
  it("bounds the slice by the time to the timer from the due-timer check's reading, and reads the clock no more often than with no timer", () => {
    const plain = realtimeKernel();
    plain.spawn();
    const withoutTimer = plain.readings.length;
    expect(plain.runtimes[0].slices).toEqual([1_000_000]); // the quantum: nothing bounds it

    const timed = realtimeKernel();
    const due = 500_000; // ns since boot: within the quantum, so it bounds the slice
    timed.k.addTimer(due, () => {});
    const before = timed.readings.length;
    timed.spawn();
    const readings = timed.readings.slice(before);
    expect(readings.length).toBe(withoutTimer);
    // The dispatch's one reading is the due-timer check's: the bound is measured from it.
    const dueCheck = readings.at(-1)!;
    expect(timed.runtimes[0].slices).toEqual([Math.ceil(due - dueCheck)]);
    expect(timed.k.dispatchReading).toBeNaN(); // taken once, by that dispatch
  });

  it("still ends the slice when the timer is due: the bound never reaches past it", () => {
    const timed = realtimeKernel();
    const due = 300_000;
    timed.k.addTimer(due, () => {});
    timed.spawn();
    const [fuel] = timed.runtimes[0].slices;
    // One fuel is at most one ns of wall time here (nsPerFuel 1; guests burn several a ns): the slice ends by the time the timer is due.
    const start = timed.readings.at(-1)!; // the dispatch's one reading: the slice starts there
    expect(start + fuel).toBeLessThanOrEqual(due + 1);
    expect(start + fuel).toBeGreaterThan(due - 1);
  });
});

describe("a real-time handoff", () => {
  /** b blocked in a receive, a running: a's call hands the CPU to b (KernelCore.handoff, the IPC fast path's end). */
  const handoff = (timer: boolean) => {
    const t = realtimeKernel();
    if (timer) t.k.addTimer(3_600e9, () => {}); // armed, an hour away: it bounds nothing, but it must be checked
    const b = t.spawn();
    t.k.blockCurrent(b, "receive", null, ProcessState.RECEIVE_BLOCKED);
    const a = t.spawn();
    expect(t.k.current).toBe(a);
    const before = t.readings.length;
    t.k.handoff(a, "call", null, ProcessState.REPLY_BLOCKED, b, 0);
    expect(t.k.current).toBe(b);
    return { t, a, b, readings: t.readings.slice(before) };
  };

  it("reads the clock twice, with a timer armed or not: b's wait starts, a's slice ends; the due-timer check and b's dispatch take a's end", () => {
    for (const timer of [false, true]) {
      const { t, a, b, readings } = handoff(timer);
      expect(readings.length, `timer ${timer}`).toBe(2);
      const end = readings[1];
      // b's slice starts at a's end: b is charged from there, and its latency is measured to there.
      expect(b.sched.readySince).toBe(readings[0]);
      expect(t.k.dispatchReading).toBeNaN();
      // a was charged up to its slice's end and no further.
      expect(a.cpuTimeNs).toBeLessThanOrEqual(end);
      expect(t.k.sched.takeEndReading()).toBeNaN(); // taken once: nothing later can use it
    }
  });

  it("still goes through the run queue when the armed timer is due at the slice's end", () => {
    const t = realtimeKernel();
    let fired = 0;
    const b = t.spawn();
    t.k.blockCurrent(b, "receive", null, ProcessState.RECEIVE_BLOCKED);
    const a = t.spawn();
    t.k.addTimer(t.readings.at(-1)! + 150, () => fired++); // due by the time a's slice ends (the clock moves 100 ns a reading)
    t.k.handoff(a, "call", null, ProcessState.REPLY_BLOCKED, b, 0);
    expect(fired).toBe(1); // the scheduler fired it before choosing
    expect(t.k.current).toBe(b);
  });
});
