// Assembling the host's own small wasm modules (the kernel's fast path: the
// window_get dispatcher and accessors, the resident port loop, the yield vDSO) from section
// contents, with no text-format tool at run time. Each user shows the module
// as WAT in a comment beside the bytes.

import { ByteSink } from "../../wasm/sink.ts";

export { ByteSink };

export const I32 = 0x7f;
export const I64 = 0x7e;
export const FUNCREF = 0x70;

/** The numeric opcodes the host's generated bodies use (Code.op), i32 unprefixed, f64 with F. */
export const EQZ = 0x45,
  EQ = 0x46,
  NE = 0x47,
  LT_S = 0x48,
  LT_U = 0x49,
  GT_S = 0x4a,
  GT_U = 0x4b,
  LE_S = 0x4c,
  GE_U = 0x4f,
  ADD = 0x6a,
  SUB = 0x6b,
  MUL = 0x6c,
  AND = 0x71,
  OR = 0x72,
  XOR = 0x73,
  SHL = 0x74,
  SHR_U = 0x76,
  SELECT = 0x1b,
  FNE = 0x62,
  FLT = 0x63,
  FGT = 0x64,
  FLE = 0x65,
  FCEIL = 0x9b,
  FADD = 0xa0,
  FSUB = 0xa1,
  FMUL = 0xa2,
  FMIN = 0xa4,
  FMAX = 0xa5,
  TRUNC = 0xaa, // i32.trunc_f64_s
  CONVERT = 0xb7; // f64.convert_i32_s

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

/**
 * Instructions by name, for the host's generated function bodies (the fast path's dispatchers and
 * accessors, the port modules, the yield vDSO): each method appends one instruction and returns the
 * emitter, so a body reads in the order of its WAT. Memory accesses are to memory 0, naturally aligned.
 */
export class Code {
  readonly b = new ByteSink();
  /** Raw opcodes (the numeric ops each user names as constants). */
  op(...bytes: number[]): this {
    for (const x of bytes) this.b.u8(x);
    return this;
  }
  get(l: number): this {
    this.b.u8(0x20).u32(l);
    return this;
  }
  set(l: number): this {
    this.b.u8(0x21).u32(l);
    return this;
  }
  tee(l: number): this {
    this.b.u8(0x22).u32(l);
    return this;
  }
  global(g: number): this {
    this.b.u8(0x23).u32(g);
    return this;
  }
  i32(v: number): this {
    this.b.u8(0x41).s32(v);
    return this;
  }
  f64(v: number): this {
    this.b.u8(0x44);
    for (const x of new Uint8Array(new Float64Array([v]).buffer)) this.b.u8(x);
    return this;
  }
  /** i32.load at the address on the stack + a word offset. */
  load(word = 0): this {
    return this.ld(word * 4);
  }
  /** i32.load / f64.load at the address on the stack + a byte offset. */
  ld(offset: number): this {
    this.b.u8(0x28).u32(2).u32(offset);
    return this;
  }
  ldf(offset: number): this {
    this.b.u8(0x2b).u32(3).u32(offset);
    return this;
  }
  /** i32.load / i32.store in memory `mem` (multi-memory: the memarg's flags with bit 6 set name it), naturally aligned. */
  ldIn(mem: number, offset: number): this {
    this.b.u8(0x28).u32(0x42).u32(mem).u32(offset);
    return this;
  }
  stIn(mem: number, offset: number, addr: (c: Code) => void, value: (c: Code) => void): this {
    addr(this);
    value(this);
    this.b.u8(0x36).u32(0x42).u32(mem).u32(offset);
    return this;
  }
  globalSet(g: number): this {
    this.b.u8(0x24).u32(g);
    return this;
  }
  /** i32.load / f64.load at a fixed byte address (a kernel-wide word). */
  word(offset: number): this {
    return this.i32(0).ld(offset);
  }
  wordf(offset: number): this {
    return this.i32(0).ldf(offset);
  }
  /** i32.store / f64.store at a byte offset: the address, then the value, pushed by the callbacks. */
  st(offset: number, addr: (c: Code) => void, value: (c: Code) => void): this {
    addr(this);
    value(this);
    this.b.u8(0x36).u32(2).u32(offset);
    return this;
  }
  stf(offset: number, addr: (c: Code) => void, value: (c: Code) => void): this {
    addr(this);
    value(this);
    this.b.u8(0x39).u32(3).u32(offset);
    return this;
  }
  call(f: number): this {
    this.b.u8(0x10).u32(f);
    return this;
  }
  /**
   * return_call (the tail-call proposal, in V8 by default): a vDSO's last call, to its Suspending switch
   * import, leaves no frame of the vDSO's on the stack JSPI suspends (≈8–10 ns a switch: docs/fastpath.md,
   * switch6).
   */
  returnCall(f: number): this {
    this.b.u8(0x12).u32(f);
    return this;
  }
  /** return_call_indirect through table 0 with type `type` (the slot on the stack, after the arguments). */
  returnCallIndirect(type: number): this {
    this.b.u8(0x13).u32(type).u32(0);
    return this;
  }
  /** br_if to the enclosing block `depth` levels out. */
  brIf(depth: number): this {
    this.b.u8(0x0d).u32(depth);
    return this;
  }
  /** if (the i32 on the stack) { then } else { otherwise }, with no result. */
  ifElse(then: (c: Code) => void, otherwise: (c: Code) => void): this {
    this.b.u8(0x04).u8(0x40);
    then(this);
    this.b.u8(0x05);
    otherwise(this);
    this.b.u8(0x0b);
    return this;
  }
  if(then: (c: Code) => void): this {
    this.b.u8(0x04).u8(0x40);
    then(this);
    this.b.u8(0x0b);
    return this;
  }
  /** if (the i32 on the stack) { return the i32 `v` pushes }. */
  returnIf(v: (c: Code) => void): this {
    this.b.u8(0x04).u8(0x40);
    v(this);
    this.b.u8(0x0f).u8(0x0b);
    return this;
  }
}
