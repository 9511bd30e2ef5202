// bench/switch-ladder.ts prices a round trip rung by rung; its kernel rungs
// mean what they say only if the WAT pairs really run the kernel's fast path
// (every call and every reply_wait a direct handoff, through the flat
// fastCall / fastReplyWait) and the yielders really switch through the run
// queue. Structure only: no timing assertions.
import { describe, expect, it } from "vitest";
import { fastPathCounts } from "../../kernel/ipc/fastpath.ts";
import { DEFAULT_SWITCH_COST_NS } from "../../kernel/sched/params.ts";
import { kernelRung, realEntryRung, yieldKernelRung, yieldRealRung } from "../../bench/switch-ladder.ts";

describe("the switch ladder's kernel rungs", () => {
  for (const [name, make] of [
    ["toy entry", kernelRung],
    ["the bridge's own entries", () => realEntryRung()],
    ["the bridge's own entries, counters in WebAssembly.Globals", () => realEntryRung(true)],
  ] as const) {
    it(`runs every round trip of the WAT pair through the flat fast path and two handoffs (${name})`, async () => {
      const pair = await make();
      const handoffs = pair.k.ipc.handoffs;
      const calls = fastPathCounts.call;
      const replies = fastPathCounts.replyWait;
      const acc = (await pair.run(1000)) as number;
      expect(pair.k.ipc.handoffs - handoffs).toBe(2000);
      expect(fastPathCounts.call - calls).toBe(1000);
      expect(fastPathCounts.replyWait - replies).toBe(1000);
      // the client's last call returns the status of its answer (0): the pair exchanged real results
      expect(acc).toBe(0);
      expect(pair.k.current?.pid).toBe(pair.k.processes.values().next().value?.pid);
    });
  }

  for (const [name, make] of [
    ["toy entry", yieldKernelRung],
    ["the bridge's own entry", yieldRealRung],
  ] as const) {
    it(`switches between the two yielders twice per yield of the first (${name})`, async () => {
      const pair = await make();
      const [a, b] = [...pair.k.processes.values()];
      const cpuA = a.cpuTimeNs;
      const cpuB = b.cpuTimeNs;
      await pair.run(500);
      expect(pair.k.current).toBe(a);
      // each dispatch charges the switch cost (the counters never move: no fuel): 500 dispatches of each
      expect(a.cpuTimeNs - cpuA).toBe(500 * DEFAULT_SWITCH_COST_NS);
      expect(b.cpuTimeNs - cpuB).toBe(500 * DEFAULT_SWITCH_COST_NS);
    });
  }
});
