// The facade's `core` is current when an embedder reads it between kernel entries. While two processes
// only yield, the yield vDSO serves them against words the kernel published (kernel/fast/yields.ts): the
// clock, the running process and the yielders' accounting live in those words, and the TypeScript fields
// are stale until the next kernel entry syncs them. An embedder's own timer (a UI's process list, a
// watchdog) runs at the host's event-loop turns in the middle of such a run, with no kernel entry before
// it; reading through `Kernel.core` must show it what the kernel would.
import { describe, expect, it } from "vitest";
import { Kernel } from "../../host/kernel.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { Y } from "../../kernel/fast/yields.ts";
import { yieldLoop } from "../helpers/lazy-vdso.ts";

describe("Kernel.core read by an embedder between kernel entries", () => {
  it("shows the clock and the running process the yield vDSO's words hold, not the stale fields", async () => {
    const k = new Kernel({});
    const raw = (k as unknown as { kcore: KernelCore }).kcore;
    const img = k.loadImage(yieldLoop(400_000), "yielder");
    const procs = [k.spawn(img, { args: ["a"] }).process, k.spawn(img, { args: ["b"] }).process];
    k.release(img);
    // Sampled at the event loop's turns (the runtime gives the host one every ≈10 ms of switching).
    let stale = 0;
    let looks = 0;
    const seen: { lazy: number; clock: number; running: boolean }[] = [];
    const timer = setInterval(() => {
      looks++;
      if (raw.lazyYields === 0) return;
      const w = raw.yieldWords!;
      if (w.i32[Y.SERVED >> 2] === 0) return;
      stale++;
      const clock = w.f64[Y.CLOCK >> 3];
      const running = w.ring[w.i32[Y.HEAD >> 2]];
      const core = k.core;
      // Recorded, not asserted here: a throw in a timer's callback would not fail the test.
      seen.push({ lazy: core.lazyYields, clock: core.clock.peek() - clock, running: core.current === running && procs.includes(running!) });
    }, 0);
    try {
      await k.run();
    } finally {
      clearInterval(timer);
    }
    expect(looks).toBeGreaterThan(0);
    // The case under test happened: a look found the words holding yields the fields did not.
    expect(stale).toBeGreaterThan(0);
    expect(seen).toEqual(seen.map(() => ({ lazy: 0, clock: 0, running: true })));
    for (const p of procs) expect(p.exit?.status).toBe(0);
  });
});
