// The decoder's fast path (wasm/decode.ts FAST_KINDS) against the general
// path alone, on every module of the official spec suite that the reader
// accepts (binary and text modules of every script, assembled), on random
// programs, and on bodies mutated at random
// (bytes changed, bodies cut short): the same end, the same error (message
// and offset), the same counts and proposal bits, and the same instructions
// visited with the same fields, with no visitor and with the fuel scan's
// filter. The fast path only skips instructions; nothing it skips may be
// seen differently.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseWat } from "@bytecodealliance/jco";
import { describe, expect, it } from "vitest";
import { decodeExpression, decoderTuning, lastWalk, type Instruction } from "../../wasm/decode.ts";
import { readModule, type WasmModule } from "../../wasm/reader.ts";
import { FuelScan } from "../../loader/instrument/fuel.ts";
import { specFiles } from "../../conformance/spec/driver.ts";
import { atom, head, parseWast, stringText, type SList, type SString } from "../../conformance/spec/wast.ts";
import { randomProgram } from "../instrument/random-programs.ts";
import { prng, wat } from "./helpers.ts";

const SUITE = process.env.SPEC_SUITE ?? "../shared/wasm-spec-testsuite";

/** One walk of bytes[start..limit) as text: how it ended, its counts and bits, and each visited instruction's fields. */
function walk(bytes: Uint8Array, start: number, limit: number, filter: Uint8Array | null | "none", dataCountMissing: boolean): string {
  const seen: string[] = [];
  const visit =
    filter === "none"
      ? null
      : (ins: Instruction) =>
          seen.push(
            [
              ins.offset,
              ins.end,
              ins.opcode,
              ins.features,
              ins.depth,
              ins.opener,
              ins.memory,
              ins.memory2,
              ins.index,
              ins.index2,
              ins.align,
              ins.memOffset,
              ins.count,
            ].join(","),
          );
  let outcome: string;
  try {
    const end = decodeExpression(
      bytes,
      start,
      limit,
      "code",
      "function 1",
      true,
      visit,
      dataCountMissing,
      filter === "none" ? null : filter,
    );
    outcome = `end ${end} count ${lastWalk.count} features ${lastWalk.features}`;
  } catch (e) {
    outcome = `error ${(e as Error).message} at ${(e as { offset?: number }).offset}`;
  }
  return `${outcome}\n${seen.join("\n")}`;
}

/** Both paths on one range; returns the fast path's outcome line (the test counts refusals among them). */
function compare(
  bytes: Uint8Array,
  start: number,
  limit: number,
  filters: readonly (Uint8Array | "none")[],
  dataCountMissing: boolean,
): string {
  let first = "";
  for (const filter of filters) {
    decoderTuning.fastPath = true;
    const fast = walk(bytes, start, limit, filter, dataCountMissing);
    decoderTuning.fastPath = false;
    const general = walk(bytes, start, limit, filter, dataCountMissing);
    decoderTuning.fastPath = true;
    if (fast !== general) expect({ start, limit, fast: fast.slice(0, 2000) }).toEqual({ start, limit, fast: general.slice(0, 2000) });
    first ||= fast.slice(0, fast.indexOf("\n"));
  }
  return first;
}

/** Modules from one spec script: every binary module, and (with `text`) every text module that assembles. */
async function scriptModules(file: string, text: boolean): Promise<Uint8Array[]> {
  const src = readFileSync(file, "utf8");
  let cmds: SList[];
  try {
    cmds = parseWast(src);
  } catch {
    return [];
  }
  const out: Uint8Array[] = [];
  const take = async (e: SList) => {
    let i = 1;
    if (atom(e.items[i]) === "definition") i++;
    if (atom(e.items[i])?.startsWith("$")) i++;
    const kind = atom(e.items[i]);
    if (kind === "binary") {
      const parts = e.items.slice(i + 1) as SString[];
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.bytes.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p.bytes, at);
        at += p.bytes.length;
      }
      out.push(bytes);
    } else if (text && kind !== "quote") {
      try {
        out.push(await parseWat(`(module ${src.slice(e.items[i]?.start ?? e.end - 1, e.end - 1)})`));
      } catch {
        // text the assembler refuses: nothing to walk
      }
    } else if (text && kind === "quote") {
      try {
        out.push(await parseWat(`(module ${(e.items.slice(i + 1) as SString[]).map(stringText).join(" ")})`));
      } catch {
        // likewise
      }
    }
  };
  for (const cmd of cmds) {
    const h = head(cmd);
    if (h === "module") await take(cmd);
    else if (h === "assert_malformed" || h === "assert_invalid" || h === "assert_unlinkable" || h === "assert_trap") {
      const inner = cmd.items[1];
      if (inner?.kind === "list" && head(inner) === "module") await take(inner);
    }
  }
  return out;
}

const stats = { modules: 0, bodies: 0, mutants: 0, refused: 0 };

/** Every body of a module the reader accepts, as it is and in `mutants` mutated copies. */
function checkModule(bytes: Uint8Array, rnd: () => number, mutants: number): void {
  let m: WasmModule;
  try {
    m = readModule(bytes);
  } catch {
    return;
  }
  stats.modules++;
  const filters: (Uint8Array | "none")[] = ["none", new FuelScan(m).filter];
  const missing = m.dataCount === null;
  for (const body of m.code) {
    stats.bodies++;
    compare(m.bytes, body.bodyStart, body.end, filters, missing);
    const len = body.end - body.bodyStart;
    for (let k = 0; k < mutants && len > 0; k++) {
      const copy = m.bytes.slice();
      let limit = body.end;
      const r = rnd();
      if (r < 0.3)
        limit = body.bodyStart + Math.floor(rnd() * len); // cut short
      else {
        const n = 1 + Math.floor(rnd() * 3);
        for (let j = 0; j < n; j++) {
          const at = body.bodyStart + Math.floor(rnd() * len);
          // Mostly bytes that make LEBs longer or shorter, or another opcode.
          copy[at] = r < 0.6 ? copy[at] ^ 0x80 : r < 0.8 ? Math.floor(rnd() * 256) : copy[at] ^ (1 << Math.floor(rnd() * 7));
        }
      }
      stats.mutants++;
      if (compare(copy, body.bodyStart, limit, filters, missing).startsWith("error")) stats.refused++;
    }
  }
}

describe("the decoder's fast path", () => {
  it("walks random programs, and random mutations of their bodies, exactly as the general path does", () => {
    const rnd = prng(12);
    for (let seed = 1; seed <= 40; seed++) checkModule(wat(randomProgram(seed)), rnd, 20);
    // Long LEBs, locals past 127, big offsets and constants, floats cut at the limit.
    const edge = wat(`(module (memory 1) (func (param i32) (local i64 f32 f64) (local $a i32) (local $b i32) (local $c i32) (local $d i32)
      (local.set 1 (i64.const 0x7fffffffffffffff)) (local.set 1 (i64.const -0x8000000000000000)) (local.set 1 (i64.const 0x1_0000_0000_0000)) (local.set 2 (f32.const 1.5)) (local.set 3 (f64.const -2.25))
      (drop (i32.load offset=0x10000000 (i32.const 0x7fffffff))) (drop (i32.load offset=127 (i32.const -64)))
      (drop (i32.load offset=128 (i32.const 64))) (drop (i32.load8_u offset=0x0fffffff (i32.const -0x8000000)))
      (i64.store offset=0xffffffff (local.get 0) (i64.const -1))))`);
    checkModule(edge, rnd, 200);
    expect(stats.refused).toBeGreaterThan(100);
  });

  it.skipIf(!existsSync(SUITE))(
    "walks every binary module of the spec suite and every text module that assembles, and mutations of their bodies, as the general path does",
    async () => {
      const rnd = prng(34);
      const before = { ...stats };
      const files = specFiles(SUITE);
      for (let i = 0; i < files.length; i++) {
        for (const bytes of await scriptModules(join(SUITE, files[i]), true)) checkModule(bytes, rnd, 3);
      }
      console.log(
        `decoder fast path: ${stats.modules - before.modules} modules, ${stats.bodies - before.bodies} bodies, ` +
          `${stats.mutants - before.mutants} mutated bodies (${stats.refused - before.refused} refused): no difference`,
      );
      expect(stats.modules - before.modules).toBeGreaterThan(500);
    },
    300_000,
  );
});
