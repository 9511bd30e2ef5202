// Assembling the host's own small wasm modules (the kernel's fast path: the
// window_get dispatcher and accessors, the resident port loop) from section
// contents, with no text-format tool at run time. Each user shows the module
// as WAT in a comment beside the bytes.

import { ByteSink } from "../../wasm/sink.ts";

export { ByteSink };

export const I32 = 0x7f;
export const I64 = 0x7e;
export const FUNCREF = 0x70;

/** A module from [section id, contents] in order (ids as in the binary format: 1 type, 2 import, 3 function, ...). */
export function assemble(sections: readonly [number, ByteSink][]): WebAssembly.Module {
  const out = new ByteSink(512).bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  for (const [id, s] of sections) out.section(id, s);
  return new WebAssembly.Module(out.finish());
}

/** A function type: params -> results. */
export function funcType(out: ByteSink, params: readonly number[], results: readonly number[]): ByteSink {
  out.u8(0x60).u32(params.length);
  for (const p of params) out.u8(p);
  out.u32(results.length);
  for (const r of results) out.u8(r);
  return out;
}

/** A code section of one function: its locals ([count, type] runs) and body (without the final `end`). */
/** A code section of several functions: each its local declarations and body (without the final `end`). */
export function functionsCode(fns: readonly [readonly [number, number][], ByteSink][]): ByteSink {
  const out = new ByteSink().u32(fns.length);
  for (const [locals, body] of fns) {
    const fn = new ByteSink().u32(locals.length);
    for (const [n, t] of locals) fn.u32(n).u8(t);
    fn.bytes(body.view()).u8(0x0b);
    out.u32(fn.length).bytes(fn.view());
  }
  return out;
}

export function oneFunctionCode(locals: readonly [number, number][], body: ByteSink): ByteSink {
  const fn = new ByteSink().u32(locals.length);
  for (const [n, t] of locals) fn.u32(n).u8(t);
  fn.bytes(body.view()).u8(0x0b);
  return new ByteSink().u32(1).u32(fn.length).bytes(fn.view());
}
