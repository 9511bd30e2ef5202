// An adversarial module generator: valid wasmos guests (one exported memory,
// `_start`) shaped to stress the loader's passes and the engine's limits:
// call chains, nesting depth, wide br_tables, element segments, and counts of
// section entries at and one past every engine limit the load-time rewrite
// can cross. Each generated module must be either loaded in bounded work or
// refused with a code (test/instrument/hardening.test.ts).

import { ByteSink } from "../../wasm/sink.ts";
import { ENGINE_LIMITS } from "../../wasm/limits.ts";

const HEADER = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);

/** A function body: its local runs and its code (final end included). */
export interface Body {
  locals?: [count: number, type: number][];
  code: Uint8Array;
}

/** Options of a guest: every field adds to the minimal module. */
export interface GuestShape {
  /** Extra types after type 0 = () -> (); each [params, results] as value type bytes. */
  types?: [number[], number[]][];
  /** Defined functions before `_start` (type index, body). `_start` is the last one and calls `startCalls`. */
  funcs?: { type: number; body: Body }[];
  /** Functions `_start` calls (defined-function indices). */
  startCalls?: number[];
  /** Defined i32 globals (immutable, 0). */
  globals?: number;
  /** Extra exports of global 0 (needs globals >= 1). */
  globalExports?: number;
  /** A funcref table of this size (no maximum). */
  table?: number;
  /** Raw element section content. */
  elements?: ByteSink;
  /** Memory pages (default 1). */
  pages?: number;
}

export function section(id: number, content: ByteSink): ByteSink {
  return new ByteSink(content.length + 6).u8(id).u32(content.length).bytes(content.view());
}

export function encodeBody(b: Body): ByteSink {
  const f = new ByteSink(b.code.length + 16);
  const runs = b.locals ?? [];
  f.u32(runs.length);
  for (const [n, t] of runs) f.u32(n).u8(t);
  f.bytes(b.code);
  return new ByteSink(f.length + 5).u32(f.length).bytes(f.view());
}

/** Builds the guest: types, functions (then `_start`), table, memory, globals, exports, elements, code. */
export function guestModule(shape: GuestShape): Uint8Array {
  const types: [number[], number[]][] = [[[], []], ...(shape.types ?? [])];
  const funcs = shape.funcs ?? [];
  const out = new ByteSink(1 << 16).bytes(HEADER);
  const t = new ByteSink().u32(types.length);
  for (const [p, r] of types) {
    t.u8(0x60).u32(p.length);
    for (const v of p) t.u8(v);
    t.u32(r.length);
    for (const v of r) t.u8(v);
  }
  out.bytes(section(1, t).view());
  const fs = new ByteSink().u32(funcs.length + 1);
  for (const f of funcs) fs.u32(f.type);
  fs.u32(0);
  out.bytes(section(3, fs).view());
  if (shape.table !== undefined) out.bytes(section(4, new ByteSink().u32(1).u8(0x70).u8(0).u32(shape.table)).view());
  out.bytes(
    section(
      5,
      new ByteSink()
        .u32(1)
        .u8(0)
        .u32(shape.pages ?? 1),
    ).view(),
  );
  const nglobals = shape.globals ?? 0;
  if (nglobals > 0) {
    const g = new ByteSink(nglobals * 5 + 8).u32(nglobals);
    for (let i = 0; i < nglobals; i++) g.u8(0x7f).u8(0).u8(0x41).u8(0).u8(0x0b);
    out.bytes(section(6, g).view());
  }
  const nge = shape.globalExports ?? 0;
  const e = new ByteSink(nge * 12 + 32).u32(2 + nge);
  e.name("memory").u8(2).u32(0);
  e.name("_start").u8(0).u32(funcs.length);
  for (let i = 0; i < nge; i++) e.name(`g${i}`).u8(3).u32(0);
  out.bytes(section(7, e).view());
  if (shape.elements) out.bytes(section(9, shape.elements).view());
  const code = new ByteSink(1 << 16).u32(funcs.length + 1);
  for (const f of funcs) code.bytes(encodeBody(f.body).view());
  const start = new ByteSink();
  for (const c of shape.startCalls ?? []) start.u8(0x10).u32(c);
  start.u8(0x0b);
  code.bytes(encodeBody({ code: start.finish() }).view());
  out.bytes(section(10, code).view());
  return out.finish();
}

/** n functions, each calling the next; `_start` calls the first. */
export function callChain(n: number): Uint8Array {
  const funcs = [];
  for (let i = 0; i < n; i++) {
    const b = new ByteSink(8);
    if (i + 1 < n) b.u8(0x10).u32(i + 1);
    funcs.push({ type: 0, body: { code: b.u8(0x0b).finish() } });
  }
  return guestModule({ funcs, startCalls: [0] });
}

/** One function: `depth` nested loops (each wrapped by the fuel pass) around a br_table naming every label `width` times. */
export function deepBrTable(depth: number, width: number): Uint8Array {
  const b = new ByteSink(depth * 4 + width * 4 * 3);
  for (let i = 0; i < depth; i++) b.u8(0x03).u8(0x40); // loop
  b.u8(0x41).u8(0).u8(0x0e).u32(width); // i32.const 0; br_table
  for (let i = 0; i < width; i++) b.u32(i % (depth + 1));
  b.u32(depth); // default: out of the function
  for (let i = 0; i < depth; i++) b.u8(0x0b);
  b.u8(0x0b);
  return guestModule({ funcs: [{ type: 0, body: { code: b.finish() } }], startCalls: [0] });
}

/** n functions and n passive element segments, each holding one ref.func expression. */
export function elementsTimesFunctions(n: number): Uint8Array {
  const funcs = Array.from({ length: n }, () => ({ type: 0, body: { code: new Uint8Array([0x0b]) } }));
  const el = new ByteSink(n * 8).u32(n);
  for (let i = 0; i < n; i++) el.u8(5).u8(0x70).u32(1).u8(0xd2).u32(i).u8(0x0b); // passive, funcref, (ref.func i)
  return guestModule({ funcs, elements: el });
}

/** A function with `locals` i32 locals (params none) and a loop: the fuel pass adds one local. */
export function localsAndLoop(locals: number): Uint8Array {
  const code = new Uint8Array([0x03, 0x40, 0x0b, 0x0b]);
  return guestModule({ funcs: [{ type: 0, body: { locals: [[locals, 0x7f]], code } }], startCalls: [0] });
}

/** A function of `bytes` body bytes (nops) holding `loops` empty loops: the fuel pass's code grows it. */
export function bigBody(bytes: number, loops: number): Uint8Array {
  const code = new Uint8Array(bytes - 1); // the body is the local count (one byte) and the code
  code.fill(0x01);
  for (let i = 0; i < loops; i++) code.set([0x03, 0x40, 0x0b], i * 3);
  code[code.length - 1] = 0x0b;
  return guestModule({ funcs: [{ type: 0, body: { code } }], startCalls: [0] });
}

/** `n` defined globals: the fuel pass appends its counter (and the grow limit its two). */
export function manyGlobals(n: number): Uint8Array {
  return guestModule({ globals: n });
}

/** `n` exports in all: the fuel pass and the grow limit add theirs. */
export function manyExports(n: number): Uint8Array {
  return guestModule({ globals: 1, globalExports: n - 2 });
}

/** `n` functions in all (`_start` included): the fuel pass prepends its import. */
export function manyFunctions(n: number): Uint8Array {
  const funcs = Array.from({ length: n - 1 }, () => ({ type: 0, body: { code: new Uint8Array([0x0b]) } }));
  return guestModule({ funcs });
}

/** Deeply nested blocks with a loop innermost (nesting depth the module controls). */
export function deepNesting(depth: number): Uint8Array {
  const b = new ByteSink(depth * 3 + 8);
  for (let i = 0; i < depth; i++) b.u8(0x02).u8(0x40);
  b.u8(0x03).u8(0x40).u8(0x0b);
  for (let i = 0; i < depth; i++) b.u8(0x0b);
  b.u8(0x0b);
  return guestModule({ funcs: [{ type: 0, body: { code: b.finish() } }], startCalls: [0] });
}

/** The generator's catalogue: name, module, and whether the loader must refuse it (with which code). */
export function adversarialModules(full = false): { name: string; build: () => Uint8Array; refuse: string | null }[] {
  const L = ENGINE_LIMITS;
  const list = [
    { name: "a chain of 50000 calls", build: () => callChain(50_000), refuse: null },
    { name: "a br_table of 20000 labels under 2000 wrapped loops", build: () => deepBrTable(2000, 20_000), refuse: null },
    { name: "20000 element segments over 20000 functions", build: () => elementsTimesFunctions(20_000), refuse: null },
    { name: "blocks nested 100000 deep", build: () => deepNesting(100_000), refuse: null },
    { name: "a function one local under the limit with a loop", build: () => localsAndLoop(L.locals - 1), refuse: null },
    { name: "a function at the local limit with a loop", build: () => localsAndLoop(L.locals), refuse: "engine-limit" },
    { name: "a function body at the size limit with loops", build: () => bigBody(L.functionBytes, 10_000), refuse: "engine-limit" },
    { name: "globals at the limit", build: () => manyGlobals(L.globals), refuse: "engine-limit" },
    { name: "exports at the limit", build: () => manyExports(L.exports), refuse: "engine-limit" },
  ];
  if (full) {
    list.push(
      {
        name: "a chain of 999998 calls (999999 functions: the fuel import makes a million)",
        build: () => callChain(999_998),
        refuse: null,
      },
      { name: "functions at the limit", build: () => manyFunctions(L.functions), refuse: "engine-limit" },
    );
  }
  return list;
}
