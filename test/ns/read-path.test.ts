// readPath answers the path it read last time again with the same string
// (kernel/ns/path.ts): only when every byte is the same. Paths of the same
// length that differ in one byte, in the last byte, or that are not ASCII
// get their own string; bounds and NUL are still checked first.
import { expect, it } from "vitest";
import { Errno } from "../../abi/gen/abi.ts";
import { GuestMemory } from "../../kernel/mm/guest-memory.ts";
import { readPath } from "../../kernel/ns/path.ts";

const mem = new GuestMemory({ buffer: new ArrayBuffer(4096) });
const put = (ptr: number, bytes: number[] | string): number => {
  const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : Uint8Array.from(bytes);
  b.forEach((v, i) => mem.setU8(ptr + i, v));
  return b.length;
};

it("gives the same string for the same bytes, and a new one when any byte differs", () => {
  const n = put(100, "/tmp/big");
  const first = readPath(mem, 100, n);
  expect(first).toBe("/tmp/big");
  expect(readPath(mem, 100, n)).toBe(first);
  put(100, "/tmp/bug"); // one byte in the middle
  expect(readPath(mem, 100, n)).toBe("/tmp/bug");
  put(100, "/tmp/bux"); // the last byte
  expect(readPath(mem, 100, n)).toBe("/tmp/bux");
  put(200, "/tmp/bux"); // the same bytes elsewhere
  expect(readPath(mem, 200, n)).toBe("/tmp/bux");
});

it("checks bounds, NUL and UTF-8 before it reuses anything", () => {
  const n = put(300, "/a/b");
  expect(readPath(mem, 300, n)).toBe("/a/b");
  expect(readPath(mem, 4094, n)).toBe(-Errno.EFAULT); // same length, outside memory
  put(300, [0x2f, 0x61, 0x00, 0x62]); // a NUL inside
  expect(readPath(mem, 300, 4)).toBe(-Errno.EINVAL);
  put(300, "/a/b");
  expect(readPath(mem, 300, 4)).toBe("/a/b");
  const u = put(400, "/é/x"); // 5 bytes, 4 characters: never taken for "/a/b" or for itself
  expect(readPath(mem, 400, u)).toBe("/é/x");
  expect(readPath(mem, 400, u)).toBe("/é/x");
  put(400, [0x2f, 0xc3, 0x28, 0x2f, 0x78]); // not UTF-8
  expect(readPath(mem, 400, 5)).toBe(-Errno.EINVAL);
});
