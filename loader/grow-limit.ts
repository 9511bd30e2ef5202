// The memory budget inside the guest: a load-time rewrite of every
// `memory.grow` on the module's own memory, so growing past the process's
// budget returns -1 (what wasm does at a memory's maximum) without a kernel
// call. The kernel owns the limit (kernel/mm/manager.ts refreshGrowLimit) and
// the host writes it into an exported global when it changes: at
// instantiation, when the process creates or frees a memory object, when its
// budget is lowered.
//
// Each `memory.grow $own` becomes, with two appended globals (a scratch and
// the limit, in pages):
//     global.set $tmp
//     global.get $tmp  global.get $limit  memory.size $own  i32.sub  i32.gt_s
//     if (result i32) i32.const -1 else global.get $tmp memory.grow $own end
// i.e. grow only if delta <= limit - size (signed: the kernel keeps limit >=
// size; a delta of 2^31 or more is left to memory.grow, which refuses it).
// A scratch global instead of a local keeps the rewrite independent of the
// fuel pass's locals. The guest cannot name either global (their indices did
// not exist when it was validated) and the export name is reserved.

import { forEachInstruction } from "../wasm/decode.ts";
import type { WasmModule } from "../wasm/reader.ts";
import { ByteSink, patchList, type CodePatch, type ModuleEdits, type PatchRun } from "../wasm/writer.ts";

/** Export name of the limit global (i32, pages). */
export const GROW_LIMIT_EXPORT = "__wasmos_grow_limit";
/** The limit a module starts with, before the host sets it: no limit beyond the memory's maximum. */
const UNSET_LIMIT = 65536;
const OP_MEMORY_GROW = 0x40;

/**
 * Add the grow-limit rewrite to `edits` (which may hold the fuel pass's; the
 * new globals go after any it appends). No change when the module has no own
 * memory or never grows it. `known`: the memory.grow sites of the own memory
 * per function, when the caller has them (the fuel plan's growSites), else
 * every body is decoded. Returns whether it rewrote anything.
 */
export function addGrowLimit(
  m: WasmModule,
  edits: ModuleEdits,
  known?: ReadonlyMap<number, readonly { at: number; end: number }[]>,
): boolean {
  if (m.memories.length === 0) return false;
  const own = m.importedMemories;
  const sites = new Map<number, readonly { at: number; end: number }[]>(known ?? []);
  if (known === undefined)
    for (const body of m.code) {
      forEachInstruction(m, body, (ins) => {
        if (ins.opcode !== OP_MEMORY_GROW || ins.memory !== own) return;
        let list = sites.get(body.index) as { at: number; end: number }[] | undefined;
        if (list === undefined) sites.set(body.index, (list = []));
        list.push({ at: ins.offset, end: ins.end });
      });
    }
  if (sites.size === 0) return false;
  const tmp = m.importedGlobals + m.globals.length + (edits.addGlobals?.length ?? 0);
  const limit = tmp + 1;
  // A 64-bit memory (memory64) takes and returns i64 page counts: the same
  // test in i64, with the i32 limit widened. The scratch global has the
  // memory's address type.
  const wide = m.memories[0].index64;
  const r = new ByteSink(40);
  r.u8(0x24).u32(tmp); // global.set $tmp
  r.u8(0x23).u32(tmp); // global.get $tmp
  r.u8(0x23).u32(limit); // global.get $limit
  if (wide) r.u8(0xad); // i64.extend_i32_u
  r.u8(0x3f).u32(own); // memory.size $own
  r.u8(wide ? 0x7d : 0x6b); // i32.sub / i64.sub
  r.u8(wide ? 0x55 : 0x4a); // i32.gt_s / i64.gt_s
  r.u8(0x04).u8(wide ? 0x7e : 0x7f); // if (result i32/i64)
  if (wide) r.u8(0x42).s64(-1n);
  else r.u8(0x41).s32(-1); // const -1
  r.u8(0x05); // else
  r.u8(0x23).u32(tmp); // global.get $tmp
  r.u8(0x40).u32(own); // memory.grow $own
  r.u8(0x0b); // end
  const replacement = r.finish();
  const patches = new Map<number, readonly CodePatch[] | PatchRun>(edits.codePatches ?? []);
  for (const [func, list] of sites) {
    const merged = [...patchList(patches.get(func) ?? []), ...list.map((s) => ({ at: s.at, end: s.end, bytes: replacement }))];
    // Body order; at one offset, insertions (end === at) before the replacement.
    merged.sort((a, b) => a.at - b.at || (a.end > a.at ? 1 : 0) - (b.end > b.at ? 1 : 0));
    patches.set(func, merged);
  }
  edits.codePatches = patches;
  edits.addGlobals = [
    ...(edits.addGlobals ?? []),
    wide ? { type: "i64", mutable: true, init: 0n } : { type: "i32", mutable: true, init: 0 },
    { type: "i32", mutable: true, init: UNSET_LIMIT },
  ];
  edits.addExports = [...(edits.addExports ?? []), { name: GROW_LIMIT_EXPORT, kind: "global", index: limit }];
  return true;
}
