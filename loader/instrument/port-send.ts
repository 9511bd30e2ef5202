// The sender's side of a wasm-to-wasm port_send, inside its own module (the counting variant).
//
// A sender's `port_send` import is the host's dispatcher (host/runtime/fast-ports.ts), a module of its own
// instantiated before the guest, so it cannot import the guest's fuel counter: after running a binder's
// direct entry it took the fuel burned off the sender's counter by calling a charge helper through a table,
// one more call between instances a round trip (≈1.5-3 ns of a ≈20 ns direct round trip: docs/fastpath.md
// "The port round trip, fourth pass"). With this pass the guest charges itself: the loader appends
//
//   (func $port_send (export "__wasmos_port_send") (param $h i32) (param $code i32) (param $value i64) (result i32)
//     (local $r i32)
//     (local.set $r (call $import (local.get $h) (local.get $code) (local.get $value)))
//     (if (i32.gt_s (local.get $r) (i32.const 0))
//       (then (global.set $fuel (i32.sub (global.get $fuel) (i32.sub (local.get $r) (i32.const 1))))
//             (return (i32.const 0))))
//     (local.get $r))
//
// and every call of the import calls it instead. The dispatcher of such a module (the export says so) returns
// burned + 1 where it charged before; port_send's own results are 0 or -errno, so a positive one is never the
// kernel's. The function is not metered, as the charge helper was not, and the counter changes at the same
// point of the sender's run (right after the entry returns), so a run's fuel, preemptions and CPU times are
// the same. Only when nothing but calls names the import: a table, an export or a global holding it would
// reach the dispatcher without the function (then the dispatcher charges as before).

import type { WasmModule } from "../../wasm/reader.ts";
import { ByteSink } from "../../wasm/writer.ts";

/** The appended function's export: the host gives such a module the dispatcher that returns the fuel burned. */
export const PORT_SEND_EXPORT = "__wasmos_port_send";

/**
 * The plan for `m` (before the counting variant's rewrite): the function indices of its port_send imports
 * (each to be redirected to the appended function) and that function's input index; null when the pass
 * does not apply (no such import, no code, a signature other than the ABI's, or the import named other
 * than by calls).
 */
export function planPortSend(m: WasmModule): { imports: number[]; type: number; index: number } | null {
  const imports: number[] = [];
  let f = 0;
  let type = -1;
  for (const imp of m.imports) {
    if (imp.kind !== "func") continue;
    if (imp.module === "wasmos" && imp.name === "port_send") {
      const t = m.types[imp.type];
      if (t?.kind !== "func" || t.params.join(",") !== "i32,i32,i64" || t.results.join(",") !== "i32") return null;
      imports.push(f);
      type = imp.type;
    }
    f++;
  }
  if (imports.length === 0 || m.code.length === 0) return null;
  const named = new Set(imports);
  if (m.exports.some((e) => e.kind === "func" && named.has(e.index))) return null;
  // Element expressions and reference-typed globals may hold a ref.func of it (a ref.func in code must name a
  // function one of those declares): conservatively, any of them turns the pass off.
  for (const seg of m.elements) {
    if (seg.exprs !== null) return null;
    if (seg.funcs!.some((x) => named.has(x))) return null;
  }
  if (
    m.globals.some(
      (g) =>
        g.global.type !== "i32" &&
        g.global.type !== "i64" &&
        g.global.type !== "f32" &&
        g.global.type !== "f64" &&
        g.global.type !== "v128",
    )
  )
    return null;
  return { imports, type, index: m.importedFuncs + m.functions.length };
}

/**
 * The appended function's body (output index spaces): `importOut` the import's index in the output (after the
 * counting variant's prepended fuel import), `fuel` the counter's global index.
 */
export function portSendBody(importOut: number, fuel: number): Uint8Array {
  const b = new ByteSink(48);
  b.u32(1).u32(1).u8(0x7f); // one local: $r i32
  b.u8(0x20).u32(0).u8(0x20).u32(1).u8(0x20).u32(2).u8(0x10).u32(importOut); // call the import
  b.u8(0x22).u32(3); // local.tee $r
  b.u8(0x41).s32(0).u8(0x4a); // i32.gt_s
  b.u8(0x04).u8(0x40); // if
  b.u8(0x23).u32(fuel).u8(0x20).u32(3).u8(0x41).s32(1).u8(0x6b).u8(0x6b).u8(0x24).u32(fuel); // fuel -= r - 1
  b.u8(0x41).s32(0).u8(0x0f); // return 0
  b.u8(0x0b); // end if
  b.u8(0x20).u32(3); // r
  b.u8(0x0b); // end
  return b.finish();
}
