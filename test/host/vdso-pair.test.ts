// A pair module of the vDSO (host/runtime/fast-yield.ts makePair): instantiated for two processes' own memories and
// fuel counters. test/sched/fast-call.test.ts and fast-pulse.test.ts compare whole runs served through it (the
// words delivered, the counters read and written, memories grown mid-run); here what it refuses: a memory its
// import cannot take gives no pair module (null, no exception), and the pair then stays TypeScript's.
import { describe, expect, it } from "vitest";
import { makePair, type PairKernelImports } from "../../host/runtime/fast-yield.ts";

const never = () => {
  throw new Error("not called here");
};
const kernelSide = (): PairKernelImports => ({
  words: new WebAssembly.Memory({ initial: 1, maximum: 1 }),
  switchTo: never,
  callFallback: never,
  replyFallback: never,
  pulseFallback: never,
});
const counter = () => new WebAssembly.Global({ value: "i32", mutable: true }, 0);

describe("a pair module of the vDSO", () => {
  it("is made for two plain memories and counters: call, reply_wait and pulse_wait", () => {
    const fns = makePair(
      kernelSide(),
      new WebAssembly.Memory({ initial: 1 }),
      counter(),
      new WebAssembly.Memory({ initial: 2 }),
      counter(),
    );
    expect(fns).not.toBeNull();
    expect(Object.keys(fns!).sort()).toEqual(["call", "pulse_wait", "reply_wait"]);
  });

  it("is refused for a 64-bit memory on either side, or an immutable counter: null, no exception", () => {
    // The JS API's 64-bit memory: an address type "i64" and BigInt sizes (Node 24 has it)
    const wide = () => new WebAssembly.Memory({ initial: 1n, address: "i64" } as unknown as WebAssembly.MemoryDescriptor);
    const plain = () => new WebAssembly.Memory({ initial: 1 });
    expect(wide().buffer.byteLength).toBe(65536);
    expect(makePair(kernelSide(), wide(), counter(), plain(), counter())).toBeNull();
    expect(makePair(kernelSide(), plain(), counter(), wide(), counter())).toBeNull();
    const fixed = new WebAssembly.Global({ value: "i32", mutable: false }, 0);
    expect(makePair(kernelSide(), plain(), counter(), plain(), fixed)).toBeNull();
  });
});
