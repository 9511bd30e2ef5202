// The host's event loop gets a turn while guests switch among themselves
// (host/runtime/process-runtime.ts HOST_YIELD_MS): at most every 10 ms of
// wall time a resumption goes through a macrotask instead of resolving the
// peer's promise at once (WasmProcessRuntime.resume, resumeLater). Two
// processes that only yield to each other never suspend to the event loop
// otherwise, so a host timer set before they start fires while they run.
import { describe, expect, it } from "vitest";
import { Kernel } from "../../host/kernel.ts";
import { setHostClock } from "../../host/runtime/process-runtime.ts";
import { fastYieldCounts } from "../../kernel/fast/yields.ts";
import { yieldLoop } from "../helpers/lazy-vdso.ts";

describe("the host's event loop while guests switch", () => {
  it("two processes yielding to each other let a host timer fire before either is done", async () => {
    const k = new Kernel();
    const image = k.loadImage(yieldLoop(300_000, false), "yielder");
    const a = k.spawn(image);
    const b = k.spawn(image);
    k.release(image);
    let seen: { a: boolean; b: boolean; clock: number } | null = null;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        seen = { a: a.process.exit !== null, b: b.process.exit !== null, clock: k.core.clock.now() };
        resolve();
      }, 0),
    );
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    await timer;
    expect(ea.reason).toBe(0);
    expect(eb.reason).toBe(0);
    // The timer fired mid-run: neither had exited, and virtual time had begun (the switches' costs).
    expect(seen).toMatchObject({ a: false, b: false });
    expect(seen!.clock).toBeGreaterThan(0);
    a.close();
    b.close();
  });

  it("two processes whose yields the vDSO serves (its switch, WasmProcessRuntime.handOff) give the event loop a turn every 64 switches when each clock reading finds the time up", async () => {
    // A host clock that moves an hour a reading: every reading the countdown makes finds a turn due, so
    // the turns counted follow the countdown, not the machine's speed.
    let t = 0;
    setHostClock(() => (t += 3_600_000));
    try {
      const k = new Kernel();
      const image = k.loadImage(yieldLoop(100_000), "yielder");
      const served = fastYieldCounts.served;
      const a = k.spawn(image);
      const b = k.spawn(image);
      k.release(image);
      let turns = 0;
      let running = true;
      const count = (): void => {
        if (!running) return;
        turns++;
        setImmediate(count);
      };
      setImmediate(count);
      const [ea, eb] = await Promise.all([a.exited, b.exited]);
      running = false;
      expect(ea.reason).toBe(0);
      expect(eb.reason).toBe(0);
      const switches = fastYieldCounts.served - served;
      expect(switches).toBeGreaterThan(150_000); // the vDSO served most of the 200,000 yields
      // One turn at least every 64 switches (each a turn of the event loop the counter saw, or more).
      expect(turns).toBeGreaterThanOrEqual(Math.floor(switches / 64));
      a.close();
      b.close();
    } finally {
      setHostClock(() => performance.now());
    }
  });
});
