// The vDSO's copier (host/runtime/fast-yield.ts makeCopier): the one path by which a pair's words reach an IPC
// buffer and leave one, in wasm. test/sched/fast-call.test.ts and fast-pulse.test.ts compare whole runs with it;
// here its contract alone: `out` takes n words and zeroes the rest, `in` writes four, both see a memory that grew
// after the copier was made, and a memory it cannot import gives no copier (the pair then stays TypeScript's).
import { describe, expect, it } from "vitest";
import { makeCopier } from "../../host/runtime/fast-yield.ts";

const AT = 2048; // a byte offset in the words memory

function setup() {
  const words = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const own = new WebAssembly.Memory({ initial: 1 });
  const c = makeCopier(own, words);
  if (c === null) throw new Error("no copier for a plain memory");
  return { words, own, c };
}

describe("the vDSO's copier", () => {
  it("copies the first n words out and zeroes the rest, for every n from 0 to 4", () => {
    const { words, own, c } = setup();
    const src = [11, -22, 0x7fffffff, -0x80000000];
    new Int32Array(own.buffer, 400, 4).set(src);
    for (let n = 0; n <= 4; n++) {
      new Int32Array(words.buffer, AT, 4).fill(99);
      c.out(400, n, AT);
      expect([...new Int32Array(words.buffer, AT, 4)]).toEqual(src.map((v, i) => (i < n ? v : 0)));
    }
  });

  it("writes all four words in, and nothing around them", () => {
    const { words, own, c } = setup();
    new Int32Array(words.buffer, AT, 4).set([1, 2, 3, 4]);
    new Int32Array(own.buffer, 96, 8).fill(-1);
    c.in(100, AT);
    expect([...new Int32Array(own.buffer, 96, 6)]).toEqual([-1, 1, 2, 3, 4, -1]);
  });

  it("sees the memory grown after it was made (the same object, a new buffer)", () => {
    const { words, own, c } = setup();
    own.grow(1);
    const far = 65536 + 512; // only in the grown memory
    new Int32Array(own.buffer, far, 4).set([5, 6, 7, 8]);
    c.out(far, 3, AT);
    expect([...new Int32Array(words.buffer, AT, 4)]).toEqual([5, 6, 7, 0]);
    new Int32Array(words.buffer, AT, 4).set([9, 10, 11, 12]);
    c.in(far, AT);
    expect([...new Int32Array(own.buffer, far, 4)]).toEqual([9, 10, 11, 12]);
  });

  it("is refused for a 64-bit memory: null, no exception", () => {
    const words = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    // The JS API's 64-bit memory: an address type "i64" and BigInt sizes (Node 24 has it)
    const wide = new WebAssembly.Memory({ initial: 1n, address: "i64" } as unknown as WebAssembly.MemoryDescriptor);
    expect(wide.buffer.byteLength).toBe(65536);
    expect(makeCopier(wide, words)).toBeNull();
  });
});
