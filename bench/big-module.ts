// A large real module the loader accepts, for the loader figures: the
// biggest compiler-generated core module in node_modules (StarlingMonkey,
// ~10 MB, from componentize-js; else the SpiderMonkey splicer, ~5 MB),
// turned into a wasmos guest without changing any index: each function
// import becomes a defined function of the same type placed first (so
// function i is still function i; its body traps), and a `_start` stub is
// appended and exported. Everything else is copied byte for byte, so the
// loader does the work it would do on a real 10 MB guest.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readModule, SectionId, type WasmModule } from "../wasm/reader.ts";
import { ByteSink } from "../wasm/sink.ts";
import { REPO_ROOT } from "../build/compile.ts";

const CANDIDATES = [
  "node_modules/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm",
  "node_modules/@bytecodealliance/componentize-js/lib/spidermonkey-embedding-splicer.core.wasm",
];

/** The source module's path (relative to the repository), or null if none is installed. */
export function bigModuleSource(): string | null {
  return CANDIDATES.find((p) => existsSync(join(REPO_ROOT, p))) ?? null;
}

/**
 * The guest made of it (`small`: the smallest candidate installed, for quick
 * runs); throws if the module has imports other than functions.
 */
export function bigGuest(small = false): { bytes: Uint8Array; source: string } {
  const found = CANDIDATES.filter((p) => existsSync(join(REPO_ROOT, p)));
  const source = (small ? found[found.length - 1] : found[0]) ?? null;
  if (source === null) throw new Error(`none of ${CANDIDATES.join(", ")} is installed`);
  return { bytes: guestify(readModule(readFileSync(join(REPO_ROOT, source)))), source };
}

function guestify(m: WasmModule): Uint8Array {
  if (m.imports.some((i) => i.kind !== "func")) throw new Error("only function imports can be turned into stubs");
  let unitType = m.types.findIndex((t) => t.kind === "func" && !t.gcEncoding && t.params.length === 0 && t.results.length === 0);
  const appendUnit = unitType < 0;
  if (appendUnit) unitType = m.types.length;
  const defined = m.importedFuncs + m.functions.length; // index of the appended _start
  const out = new ByteSink(m.bytes.length + 4096).bytes(m.bytes.subarray(0, 8));
  const raw = (start: number, end: number) => m.bytes.subarray(start, end);
  for (const s of m.sections) {
    switch (s.id) {
      case SectionId.TYPE: {
        if (!appendUnit) break;
        const body = new ByteSink(s.end - s.contentStart + 8).u32(m.types.length + 1);
        body
          .bytes(raw(s.contentStart, s.end).subarray(leb(m.types.length)))
          .u8(0x60)
          .u8(0)
          .u8(0);
        out.section(s.id, body);
        continue;
      }
      case SectionId.IMPORT:
        continue; // the imports become the first defined functions
      case SectionId.FUNCTION: {
        const body = new ByteSink().u32(defined + 1);
        for (const t of m.importedFuncTypes) body.u32(t);
        for (const t of m.functions) body.u32(t);
        body.u32(unitType);
        out.section(s.id, body);
        continue;
      }
      case SectionId.EXPORT: {
        const body = new ByteSink(s.end - s.contentStart + 16).u32(m.exports.length + 1);
        if (m.exports.length > 0) body.bytes(raw(m.exports[0].start, s.end));
        body.name("_start").u8(0).u32(defined);
        out.section(s.id, body);
        continue;
      }
      case SectionId.CODE: {
        const body = new ByteSink(s.end - s.contentStart + 4 * defined + 16).u32(defined + 1);
        for (let i = 0; i < m.importedFuncs; i++) body.bytes(new Uint8Array([3, 0, 0x00, 0x0b])); // (no locals) unreachable end
        if (m.code.length > 0) body.bytes(raw(m.code[0].entryStart, s.end));
        body.bytes(new Uint8Array([2, 0, 0x0b])); // _start: (no locals) end
        out.section(s.id, body);
        continue;
      }
    }
    out.bytes(raw(s.start, s.end));
  }
  return out.finish();
}

/** Bytes an unsigned LEB128 of `n` takes. */
function leb(n: number): number {
  let k = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    k++;
  }
  return k;
}
