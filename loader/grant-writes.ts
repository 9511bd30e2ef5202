// The read-only grant verifier. Whether a grant is read-only is decided at
// spawn (by the rights on the handle passed), so the loader finds, once per
// image, every place that writes each grant memory; spawn then refuses a
// read-only binding of a memory the module writes, naming the first write.
//
// A write is any instruction whose memory operand is that memory and that
// stores into it (decode.ts writesMemory: every store, SIMD lane store,
// atomic store and read-modify-write, memory.fill, memory.copy into it,
// memory.init, memory.grow), or an active data segment initialising it.

import { forEachInstruction, writesMemory } from "../wasm/decode.ts";
import { functionName, readModule, type WasmModule } from "../wasm/reader.ts";
import type { GrantImport, ImageMemoryNeeds } from "../kernel/mm/grants.ts";
import type { VerifyReport } from "./verify.ts";

/** One place that writes a memory. */
export interface WriteSite {
  /** Function index, or -1 for a data segment. */
  func: number;
  /** Absolute byte offset of the instruction (or the segment). */
  offset: number;
  /** "i32.store", "memory.fill", "active data segment 0", ... */
  what: string;
}

/** Every write to each memory index in `memories`, in module order. Throws WasmParseError on a malformed body (a verified module has none). */
export function writeSites(m: WasmModule, memories: readonly number[]): Map<number, WriteSite[]> {
  const out = new Map<number, WriteSite[]>(memories.map((i) => [i, []]));
  if (memories.length === 0) return out;
  m.data.forEach((seg, i) => {
    if (seg.mode === "active") out.get(seg.memory)?.push({ func: -1, offset: seg.start, what: `active data segment ${i}` });
  });
  for (const body of m.code) {
    forEachInstruction(m, body, (ins) => {
      if (ins.memory < 0) return;
      for (const mem of memories) {
        if (writesMemory(ins, mem)) out.get(mem)!.push({ func: body.index, offset: ins.offset, what: ins.op.name });
      }
    });
  }
  return out;
}

/** Words for the first write and how many more: `function 3 "f" writes it with i32.store at offset 0x4f (and 2 more writes)`. */
export function describeWrites(m: WasmModule, sites: readonly WriteSite[]): string | null {
  if (sites.length === 0) return null;
  const s = sites[0];
  const more = sites.length > 1 ? ` (and ${sites.length - 1} more write${sites.length > 2 ? "s" : ""})` : "";
  if (s.func < 0) return `its ${s.what} at offset 0x${s.offset.toString(16)} initialises it${more}`;
  const name = functionName(m, s.func);
  return `function ${s.func}${name === null ? "" : ` "${name}"`} writes it with ${s.what} at offset 0x${s.offset.toString(16)}${more}`;
}

/** What an image needs from memory (kernel ProcessHost.imageMemory), from its bytes and verifier report. */
export function imageMemoryNeeds(input: Uint8Array | WasmModule, report: VerifyReport): ImageMemoryNeeds {
  const ownPages = report.info.memory?.min ?? 0;
  if (report.info.grants.length === 0) return { ownPages, grants: [] };
  const m = input instanceof Uint8Array ? readModule(input) : input;
  const sites = writeSites(
    m,
    report.info.grants.map((g) => g.memory),
  );
  const grants: GrantImport[] = report.info.grants.map((g) => ({
    name: g.name,
    minPages: g.min,
    maxPages: g.max,
    writes: describeWrites(m, sites.get(g.memory) ?? []),
  }));
  return { ownPages, grants };
}
