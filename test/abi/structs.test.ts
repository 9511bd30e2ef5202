// Struct layouts in the ABI definition: the validator checks offsets, sizes,
// alignment and overlap; the generated readers and writers put each field
// where the definition says, and the kernel and SDK use them (no hand-written
// offsets left).

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Constants, readMsgDesc, writeProcessInfo } from "../../abi/gen/abi.ts";
import { structSize } from "../../build/abi/definition.ts";
import { validateDefinition } from "../../build/abi/validate.ts";
import { GuestMemory } from "../../kernel/mm/guest-memory.ts";
import { loadDefinition, mutableDefinition } from "./load.ts";

function problemsAfter(mutate: (def: any) => void): string[] {
  const def = mutableDefinition();
  mutate(def);
  return validateDefinition(def);
}
const struct = (def: any, name: string): any => def.structs.find((s: any) => s.name === name);
const field = (def: any, s: string, f: string): any => struct(def, s).fields.find((x: any) => x.name === f);

describe("struct layouts in the ABI", () => {
  it("derive every NAME_SIZE constant from the struct", () => {
    const def = loadDefinition();
    expect(def.structs.length).toBeGreaterThanOrEqual(10);
    for (const s of def.structs) {
      const name = `${s.name.toUpperCase()}_SIZE` as keyof typeof Constants;
      expect(Constants[name], name).toBe(structSize(s));
    }
    expect(Constants.PROCESS_INFO_SIZE).toBe(40);
    expect(Constants.MSG_DESC_SIZE).toBe(56);
    expect(Constants.SCHED_INFO_SIZE).toBe(80);
  });

  it("rejects a field not aligned to its type's size", () => {
    expect(problemsAfter((d) => (field(d, "process_info", "cpu_time_ns").offset = 28))).toEqual(
      expect.arrayContaining([expect.stringContaining("cpu_time_ns: offset 28 is not aligned to 8 bytes")]),
    );
  });

  it("rejects overlapping fields and a gap between fields", () => {
    expect(problemsAfter((d) => (field(d, "handle_info", "rights").offset = 0))).toEqual(
      expect.arrayContaining([expect.stringContaining("rights: offset 0 overlaps the field before")]),
    );
    expect(problemsAfter((d) => (field(d, "handle_info", "depth").offset = 16))).toEqual(
      expect.arrayContaining([expect.stringContaining("depth: gap of 4 bytes before it")]),
    );
  });

  it("rejects a size that is not a multiple of the struct's alignment", () => {
    expect(problemsAfter((d) => struct(d, "process_info").fields.pop())).toEqual(
      expect.arrayContaining([expect.stringContaining("struct process_info: size 36 is not a multiple of its alignment 8")]),
    );
  });

  it("rejects an unknown field type, a bad count and a NAME_SIZE constant beside the struct", () => {
    expect(problemsAfter((d) => (field(d, "msg_info", "kind").type = "f32"))).toEqual(
      expect.arrayContaining([expect.stringContaining("kind: type must be one of")]),
    );
    expect(problemsAfter((d) => (field(d, "msg_desc", "words").count = 0))).toEqual(
      expect.arrayContaining([expect.stringContaining("words: count must be a positive integer")]),
    );
    expect(problemsAfter((d) => d.constants.push({ name: "MSG_INFO_SIZE", type: "i32", value: 24, doc: "again" }))).toEqual(
      expect.arrayContaining([expect.stringContaining("constant MSG_INFO_SIZE clashes with the size derived from the struct")]),
    );
  });

  it("generates writers and readers that put each field at its offset", () => {
    const mem = new GuestMemory({ buffer: new ArrayBuffer(256) });
    writeProcessInfo(mem, 8, {
      pid: 1,
      parentPid: 2,
      state: 3,
      priority: 4,
      exitStatus: -5,
      exitReason: 6,
      cpuTimeNs: 7n,
      memoryPages: 8,
      handleCount: 9,
    });
    const v = new DataView((mem as unknown as { source: { buffer: ArrayBuffer } }).source.buffer);
    expect([0, 4, 8, 12].map((o) => v.getUint32(8 + o, true))).toEqual([1, 2, 3, 4]);
    expect(v.getInt32(8 + 16, true)).toBe(-5);
    expect(v.getBigUint64(8 + 24, true)).toBe(7n);
    expect(v.getUint32(8 + 36, true)).toBe(9);
    v.setBigInt64(100, -3n, true);
    v.setBigInt64(124, 9n, true);
    v.setUint32(132, 77, true);
    v.setUint16(152, 2, true);
    v.setUint16(154, 1, true);
    const d = readMsgDesc(mem, 100);
    expect(d.words).toEqual([-3n, 0n, 0n, 9n]);
    expect([d.sendPtr, d.handlesCount, d.flags]).toEqual([77, 2, 1]);
  });

  it("leave no hand-written struct offsets in kernel/ and the SDK", () => {
    const root = join(import.meta.dirname, "..", "..");
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => {
        const p = join(dir, f);
        return statSync(p).isDirectory() ? (f === "bindings" ? [] : files(p)) : p.endsWith(".ts") ? [p] : [];
      });
    const offsetWrite = /\b(mem|m)\.(set)?[uUiI](16|32|64)\([^,)]*\+ \d+/; // mem.setU32(at + 4, ...)
    const sdkLoad = /\b(load|store)<[iu](16|32|64)>\([^)]*, \d+\)/; // load<u32>(p, 4)
    for (const f of files(join(root, "kernel"))) expect(offsetWrite.test(readFileSync(f, "utf8")), f).toBe(false);
    for (const f of files(join(root, "guests", "sdk"))) expect(sdkLoad.test(readFileSync(f, "utf8")), f).toBe(false);
  });
});
