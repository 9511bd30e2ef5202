// GuestMemory.readName: the one rule for every name a syscall takes (handle_get,
// the registry, port_bind, spawn's handle list): 1..MAX_NAME_BYTES bytes of
// well-formed UTF-8.
import { describe, expect, it } from "vitest";
import { Errno, Limits } from "../../abi/gen/abi.ts";
import { GuestMemory } from "../../kernel/mm/guest-memory.ts";

function memory(bytes: number[], at = 0): GuestMemory {
  const buf = new ArrayBuffer(65536);
  new Uint8Array(buf).set(bytes, at);
  return new GuestMemory({ buffer: buf });
}

describe("GuestMemory.readName", () => {
  it("reads a well-formed UTF-8 name", () => {
    const m = memory([...new TextEncoder().encode("sérvice")], 100);
    expect(m.readName(100, 8)).toBe("sérvice");
  });

  it("refuses malformed UTF-8 with EINVAL (never a lossy match)", () => {
    expect(memory([0x61, 0xff, 0x62]).readName(0, 3)).toBe(-Errno.EINVAL);
    expect(memory([0xe2, 0x82]).readName(0, 2)).toBe(-Errno.EINVAL); // truncated sequence
  });

  it("refuses a length of 0, a negative one or one above MAX_NAME_BYTES with EINVAL, and a name outside memory with EFAULT", () => {
    const m = memory([0x61]);
    expect(m.readName(0, 0)).toBe(-Errno.EINVAL);
    expect(m.readName(0, -1)).toBe(-Errno.EINVAL);
    expect(m.readName(0, Limits.MAX_NAME_BYTES + 1)).toBe(-Errno.EINVAL);
    expect(m.readName(65535, 2)).toBe(-Errno.EFAULT);
  });

  it("reads text for people (a panic message) lossily", () => {
    expect(memory([0x61, 0xff]).readText(0, 2)).toBe("a\ufffd");
    expect(memory([]).readText(65535, 2)).toBeNull();
  });
});
