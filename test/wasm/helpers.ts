// Test helpers for wasm/ and the verifier: WAT assembly with every
// proposal switched on, hand assembly of binaries wabt cannot write (GC,
// typed references), a real AssemblyScript guest, and a seeded PRNG.

import asc from "assemblyscript/asc";
import wabtInit from "wabt";
import { defaultPolicy } from "../../loader/policy.ts";
import { ByteSink } from "../../wasm/sink.ts";

const wabt = await wabtInit();

const ALL_FEATURES = {
  multi_memory: true,
  threads: true,
  exceptions: true,
  simd: true,
  relaxed_simd: true,
  bulk_memory: true,
  reference_types: true,
  tail_call: true,
  memory64: true,
  sat_float_to_int: true,
  sign_extension: true,
  multi_value: true,
  mutable_globals: true,
  function_references: true,
  extended_const: true,
};

/**
 * Assembles WAT (no validation, so instruction lists need not type-check).
 * With `names`, the binary gets a name section.
 */
export function wat(src: string, opts: { names?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const m = wabt.parseWat("test.wat", src, ALL_FEATURES as never);
  try {
    m.resolveNames();
    return new Uint8Array(m.toBinary({ write_debug_names: opts.names ?? false }).buffer);
  } finally {
    m.destroy();
  }
}

/** `(import "wasmos" "<name>" (func $<name> ...))` for every syscall the default policy allows. */
export const ABI_IMPORTS = [...defaultPolicy().syscalls]
  .map(([name, sig]) => {
    const p = sig.params.length ? ` (param ${sig.params.join(" ")})` : "";
    const r = sig.results.length ? ` (result ${sig.results.join(" ")})` : "";
    return `(import "wasmos" "${name}" (func $${name}${p}${r}))`;
  })
  .join("\n  ");

/**
 * A module that passes the verifier unless `body` adds something it refuses:
 * the ABI imports, `body` (which may begin with more imports), then one
 * exported page of memory and an empty `_start`. Options drop the memory or
 * the entry so tests can supply their own.
 */
export function guestWat(body: string, opts: { memory?: boolean; entry?: boolean } = {}): string {
  return `(module
  ${ABI_IMPORTS}
  ${body}
  ${opts.memory === false ? "" : '(memory (export "memory") 1)'}
  ${opts.entry === false ? "" : '(func (export "_start"))'}
)`;
}

export function guest(body: string, opts: { memory?: boolean; entry?: boolean } = {}): Uint8Array<ArrayBuffer> {
  return wat(guestWat(body, opts));
}

/** A module from raw sections: [id, contents] pairs, in the order given. */
export function assemble(sections: readonly [number, Uint8Array | number[]][]): Uint8Array<ArrayBuffer> {
  const out = new ByteSink();
  out.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  for (const [id, content] of sections) {
    const bytes = content instanceof Uint8Array ? content : new Uint8Array(content);
    out.u8(id).u32(bytes.length).bytes(bytes);
  }
  return out.finish();
}

/** A vector: count, then the items' bytes. */
export function vec(items: readonly (number[] | Uint8Array)[]): number[] {
  const out = new ByteSink();
  out.u32(items.length);
  for (const item of items) out.bytes(item instanceof Uint8Array ? item : new Uint8Array(item));
  return [...out.finish()];
}

/** A length-prefixed UTF-8 name. */
export function name(text: string): number[] {
  return [...new ByteSink().name(text).finish()];
}

/** A code section entry: size, no locals, the instruction bytes (which must end with 0x0b). */
export function body(instructions: number[]): number[] {
  const content = [0x00, ...instructions];
  return [...new ByteSink().u32(content.length).finish(), ...content];
}

export const AS_SDK = `@external("wasmos", "panic") declare function wasmos_panic(ptr: usize, len: usize): void;
export function abort(msg: string | null, file: string | null, line: u32, col: u32): void {
  wasmos_panic(0, 0);
  unreachable();
}`;

export const AS_MAIN = `@external("wasmos", "console_write") declare function console_write(ptr: usize, len: usize): i32;
let written = 0;
const hello = new Uint8Array(3);
hello[0] = 104; hello[1] = 105; hello[2] = 10;
written += console_write(hello.dataStart, 3);
if (written > 100) throw new Error("too much");
export function add(a: i32, b: i32): i32 { return a + b; }
export function sum(n: i32): i32 { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
export function written_(): i32 { return written; }`;

let asModule: Promise<Uint8Array<ArrayBuffer>> | null = null;

/**
 * A real AssemblyScript guest, compiled the way the SDK build does: stub
 * runtime, top-level code exported as `_start`, abort routed to wasmos.panic.
 */
export function compileAsGuest(): Promise<Uint8Array<ArrayBuffer>> {
  asModule ??= (async () => {
    const files: Record<string, string> = { "main.ts": AS_MAIN, "sdk.ts": AS_SDK };
    const out: Record<string, Uint8Array> = {};
    const stderr: string[] = [];
    const result = await asc.main(
      [
        "main.ts",
        "sdk.ts",
        "--outFile",
        "main.wasm",
        "--runtime",
        "stub",
        "--exportStart",
        "_start",
        "--use",
        "abort=sdk/abort",
        "--debug",
        "--optimizeLevel",
        "1",
      ],
      {
        readFile: (n: string) => files[n] ?? null,
        writeFile: (n: string, contents: Uint8Array | string) => {
          out[n] = typeof contents === "string" ? new TextEncoder().encode(contents) : contents;
        },
        listFiles: () => [],
        stderr: {
          write: (s: string | Uint8Array) => {
            stderr.push(String(s));
            return true;
          },
        } as never,
      },
    );
    if (result.error) throw new Error(`asc failed: ${result.error.message}\n${stderr.join("")}`);
    return new Uint8Array(out["main.wasm"]);
  })();
  return asModule;
}

/** xorshift32: a small deterministic PRNG for fuzzing. */
export function prng(seed: number): () => number {
  let s = seed * 2654435761 + 1 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x100000000;
  };
}

/** Instantiates a module with every import a stub returning 0 (functions) and a fresh memory for grant imports. */
export function instantiateWithStubs(bytes: Uint8Array, extra: Record<string, Record<string, unknown>> = {}): WebAssembly.Instance {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const given = extra[imp.module]?.[imp.name];
    imports[imp.module] ??= {};
    if (given !== undefined) imports[imp.module][imp.name] = given;
    else if (imp.kind === "function") imports[imp.module][imp.name] = () => 0;
    else if (imp.kind === "memory") imports[imp.module][imp.name] = new WebAssembly.Memory({ initial: 1 });
  }
  return new WebAssembly.Instance(module, imports as WebAssembly.Imports);
}
