// bench/switch-ladder.ts prices a round trip rung by rung; its kernel rungs
// mean what they say only if the WAT pairs really run the kernel's fast path
// (every call and every reply_wait a direct handoff, through the flat
// fastCall / fastReplyWait) and the yielders really switch through the run
// queue. Structure only: no timing assertions.
import { describe, expect, it } from "vitest";
import { fastPathCounts } from "../../kernel/ipc/fastpath.ts";
import { DEFAULT_SWITCH_COST_NS } from "../../kernel/sched/params.ts";
import { kernelRung, realEntryRung, yieldKernelRung, yieldRealRung } from "../../bench/switch-ladder.ts";
import { Errno, ProcessState } from "../../abi/gen/abi.ts";
import { BenchImages } from "../../bench/images.ts";
import { E, FUEL_PER_ROUND, K, MIRROR_BASE, OP_CALL, OP_REPLY_WAIT, P, type WasmkPair, wasmkRung, ywasmkRung } from "../../bench/wasmk.ts";
import { H_SLOTS, S_HANDLE, VACANT } from "../../kernel/fast/mirror.ts";
import { PIECES, piecesRung } from "../../bench/switch-pieces.ts";
import { DEFAULT_NS_PER_FUEL } from "../../kernel/sched/params.ts";

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

// The wasmk rungs (bench/wasmk.ts) price the kernel's switch done in wasm against state in linear memory;
// a floor means something only if the vDSO really does the flat path's steps: every round trip through
// it (no fallback), the words delivered both ways, the states, counts, CPU times, billing and virtual
// time moved exactly as the TypeScript flat path moves them, and every case it must not answer left to
// the fallback with nothing changed.
describe("the switch ladder's wasmk rungs (the kernel's switch in wasm, state in linear memory)", () => {
  const images = new BenchImages();
  const ROUND_NS = DEFAULT_SWITCH_COST_NS + FUEL_PER_ROUND * DEFAULT_NS_PER_FUEL; // one side's slice: the switch cost and its loop's fuel
  const snapshot = (pair: WasmkPair) => {
    const kw = pair.kw;
    return {
      clock: kw.get64(K.CLOCK),
      cpu1: kw.p64(1, P.CPU),
      cpu2: kw.p64(2, P.CPU),
      billed: pair.bill.flushed + kw.get64(K.BILL_NS),
      counts: [K.HANDOFFS, K.MESSAGES, K.REPLIES, K.FAST_CALL, K.FAST_RW, K.KEPT, K.YIELDS, K.RCVID].map((a) => kw.get(a)),
      trans: [0, 4, 8, 12].map((o) => kw.get(K.TRANS + o)),
      fuel: [pair.fuel[1].value as number, pair.fuel[2].value as number],
    };
  };

  for (const linked of [false, true]) {
    const how = linked ? "linked into each guest" : "an instance of its own";
    it(`runs every round trip through the vDSO, delivering the words and moving states, counts and virtual time as the flat path does (vDSO ${how})`, async () => {
      const pair = await wasmkRung(images, { linked });
      await pair.run(1); // the client's first slice was opened by the setup, not by a dispatch: measure from here
      const before = snapshot(pair);
      const n = 3000; // 6 ms of virtual time: the billing crosses a 5 ms bucket at least once
      const calls = pair.bill.calls;
      const acc = (await pair.run(n)) as number;
      // each answer's word 0 is 2 x the call's word 0 + 1 (word 0 counts down n..1) and its status is 1
      expect(acc).toBe(n * (n + 2) + n);
      const after = snapshot(pair);
      const d = after.counts.map((c, i) => c - before.counts[i]);
      // handoffs, messages, replies, fast calls, fast reply_waits, kept counters, yields, rcvids
      expect(d).toEqual([2 * n, n, n, n, n, 2 * n, 0, n]);
      expect(after.trans.map((t, i) => t - before.trans[i])).toEqual([n, n, n, n]);
      // each side's slice: its loop's fuel, then the next dispatch's switch cost
      expect(after.clock - before.clock).toBe(BigInt(2 * n * ROUND_NS));
      expect(after.cpu1 - before.cpu1).toBe(BigInt(n * ROUND_NS));
      expect(after.cpu2 - before.cpu2).toBe(BigInt(n * ROUND_NS));
      expect(after.billed - before.billed).toBe(BigInt(2 * n * ROUND_NS));
      expect(pair.bill.calls).toBeGreaterThan(calls);
      // the counters are kept, never rewritten: each went down by its guest's charges alone
      expect(after.fuel).toEqual([before.fuel[0] - n * FUEL_PER_ROUND, before.fuel[1] - n * FUEL_PER_ROUND]);
      const kw = pair.kw;
      expect([kw.get(K.CURRENT), kw.get(K.RUNNING)]).toEqual([1, 1]);
      expect([kw.p(1, P.STATE), kw.p(2, P.STATE)]).toEqual([ProcessState.RUNNING, ProcessState.RECEIVE_BLOCKED]);
      expect([kw.get(pair.ep + E.NRECV), kw.get(pair.ep + E.RECV)]).toEqual([1, 2]);
      expect([kw.p(1, P.SENDING), kw.p(2, P.SERVING_N), kw.p(1, P.LAT_MISS), kw.p(2, P.LAT_MISS)]).toEqual([0, 0, 0, 0]);
      expect(pair.fallbacks).toEqual([[2, OP_REPLY_WAIT, pair.handles.server, 0, 0, 0]]); // the server's first wait only
    });
  }

  it("has the server inherit its client's priority while it serves and drop back to its base when it answers", async () => {
    const pair = await wasmkRung(images, { prio: [200, 100], probe: true });
    await pair.run(50);
    expect(pair.probed.length).toBe(50);
    expect(pair.probed.every((p) => p === 200)).toBe(true);
    expect([pair.kw.p(2, P.PRIO), pair.kw.p(2, P.BASE)]).toEqual([100, 100]);
  });

  it("leaves a revoked handle, and everything while the fast path steps aside, to the fallback with nothing changed", async () => {
    const pair = await wasmkRung(images);
    await pair.run(5);
    const kw = pair.kw;
    const slot = kw.get(MIRROR_BASE + 16 + 4 * H_SLOTS) + 16; // the client's slot 1
    for (const [what, change, undo] of [
      ["revoked", () => kw.set(slot + 4 * S_HANDLE, pair.handles.client | VACANT), () => kw.set(slot + 4 * S_HANDLE, pair.handles.client)],
      ["stepping aside", () => kw.set(K.SLOW, 1), () => kw.set(K.SLOW, 0)],
    ] as const) {
      change();
      const words = kw.i32.slice();
      const acc = (await pair.run(1)) as number;
      expect(acc, what).toBe(1 - Errno.EBADH); // the stand-in's answer, then the buffer's own word (1): nothing delivered
      expect(kw.i32, what).toEqual(words);
      expect(pair.fallbacks.at(-1), what).toEqual([1, OP_CALL, pair.handles.client, 1, 0, 0]);
      undo();
    }
    const handoffs = kw.get(K.HANDOFFS);
    await pair.run(5);
    expect(kw.get(K.HANDOFFS) - handoffs).toBe(10);
  });

  for (const linked of [false, true]) {
    it(`switches between the two yielders through the run queue in kernel memory (vDSO ${linked ? "linked" : "an instance"})`, async () => {
      const pair = await ywasmkRung(images, linked);
      await pair.run(1);
      const before = snapshot(pair);
      const n = 1000;
      expect(await pair.run(n)).toBe(0);
      const after = snapshot(pair);
      expect(after.counts[6] - before.counts[6]).toBe(2 * n);
      expect(after.clock - before.clock).toBe(BigInt(2 * n * ROUND_NS));
      expect(after.cpu1 - before.cpu1).toBe(BigInt(n * ROUND_NS));
      expect(after.cpu2 - before.cpu2).toBe(BigInt(n * ROUND_NS));
      const kw = pair.kw;
      expect([kw.get(K.CURRENT), kw.p(1, P.STATE), kw.p(2, P.STATE), kw.p(2, P.QUEUED)]).toEqual([
        1,
        ProcessState.RUNNING,
        ProcessState.READY,
        1,
      ]);
      expect(kw.get(K.RQ + 8 * 128)).toBe(2); // B at the head of priority 128's FIFO
      expect(pair.fallbacks).toEqual([]);
    });
  }
});

describe("the switch's pieces (bench/switch-pieces.ts)", () => {
  for (const name of PIECES)
    it(`switches between its two yielders, each yield resumed with the value its switch passes (${name})`, async () => {
      const pair = await piecesRung(name);
      expect(await pair.run(1000)).toBe(1000);
      expect(await pair.run(10)).toBe(10);
    });
});
