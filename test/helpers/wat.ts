// WAT guests for tests: assemble with wabt, with every ABI import declared
// (generated from the ABI table, so they cannot drift from it).
import wabtInit from "wabt";
import { Constants, SYS_ENTRY, SYSCALLS } from "../../abi/gen/abi.ts";

const wabt = await wabtInit();

/** Assemble WAT to a binary (multi-memory, threads, exceptions, SIMD accepted so tests can build hostile modules). */
export function wat(src: string, opts: { names?: boolean } = {}): Uint8Array {
  const features = {
    multi_memory: true,
    threads: true,
    exceptions: true,
    simd: true,
    bulk_memory: true,
    reference_types: true,
    tail_call: true,
    memory64: true,
  };
  const m = wabt.parseWat("test.wat", src, features as never);
  try {
    m.resolveNames();
    return new Uint8Array(m.toBinary({ write_debug_names: opts.names ?? false }).buffer);
  } finally {
    m.destroy();
  }
}

function sig(params: readonly string[], result: string): string {
  const p = params.length ? ` (param ${params.join(" ")})` : "";
  const r = result === "never" ? "" : ` (result ${result})`;
  return p + r;
}

/** `(import "wasmos" "<name>" (func $<name> ...))` for every syscall and `sys`. */
export const ABI_IMPORTS = [
  ...SYSCALLS.map(
    (d) =>
      `(import "wasmos" "${d.name}" (func $${d.name}${sig(
        d.params.map((p) => p.type),
        d.result,
      )}))`,
  ),
  `(import "wasmos" "sys" (func $sys${sig(
    SYS_ENTRY.params.map((p) => p.type),
    SYS_ENTRY.result,
  )}))`,
].join("\n  ");

/** The ABI imports named (console_write always: $flush calls it), as ABI_IMPORTS declares them. */
export function importsOf(names: readonly string[]): string {
  const want = new Set([...names, "console_write"]);
  return SYSCALLS.filter((d) => want.has(d.name))
    .map(
      (d) =>
        `(import "wasmos" "${d.name}" (func $${d.name}${sig(
          d.params.map((p) => p.type),
          d.result,
        )}))`,
    )
    .join("\n  ");
}

/**
 * A guest module: every ABI import (or only `imports`, and console_write), one exported page of memory (unless the
 * body declares its own), a result recorder, and `body`. `$rec` appends an i32
 * to a results area at 60000; `$flush` writes the area to stdout (decode with
 * results()).
 */
export function guest(body: string, opts: { memory?: boolean; imports?: readonly string[] } = {}): Uint8Array {
  return wat(`(module
  ${opts.imports === undefined ? ABI_IMPORTS : importsOf(opts.imports)}
  ${opts.memory === false ? "" : '(memory (export "memory") 1)'}
  (global $rp (mut i32) (i32.const 60000))
  (func $rec (param i32)
    (i32.store (global.get $rp) (local.get 0))
    (global.set $rp (i32.add (global.get $rp) (i32.const 4))))
  (func $flush
    (drop (call $console_write (i32.const 60000) (i32.sub (global.get $rp) (i32.const 60000)))))
  ${body}
)`);
}

/**
 * A guest that sleeps sleepNs, then computes for `iterations` loop turns
 * without blocking (a timer that bounds slices; at a higher priority, a
 * process that preempts whatever runs when it wakes), then records its clock.
 */
export const hog = (sleepNs: number, iterations: number): Uint8Array =>
  guest(`
  (func (export "_start") (local $i i32)
    (drop (call $sleep (i64.const ${sleepNs})))
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br_if $l (i32.lt_u (local.get $i) (i32.const ${iterations}))))
    (call $rec (i32.wrap_i64 (call $clock_now)))
    (call $flush))`);

/** The i32 values a guest recorded with $rec and wrote with $flush. */
export function results(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(view.getInt32(i, true));
  return out;
}

/**
 * A client of the namespace: with its startup handle "root" (a DIR), it opens /tmp/a (creating it) and
 * closes it n times, then records how many opens succeeded.
 */
export function openCloseClient(n: number): Uint8Array {
  return guest(`
    (data (i32.const 0) "root")
    (data (i32.const 8) "/tmp/a")
    (func (export "_start") (local $dir i32) (local $i i32) (local $f i32) (local $ok i32)
      (local.set $dir (call $handle_get (i32.const 0) (i32.const 4)))
      (loop $l
        (local.set $f (call $ns_open (local.get $dir) (i32.const 8) (i32.const 6) (i32.const ${Constants.O_READ | Constants.O_WRITE | Constants.O_CREATE})))
        (local.set $ok (i32.add (local.get $ok) (i32.gt_s (local.get $f) (i32.const 0))))
        (drop (call $handle_close (local.get $f)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (i32.const ${n}))))
      (call $rec (local.get $ok))
      (call $flush))`);
}
