// WASI programs for tests, written in WAT against every wasi_snapshot_preview1
// import (declared from abi/personalities/wasi_snapshot_preview1.json, so they
// cannot drift from what the loader accepts), and a way to run them.
import table from "../../abi/personalities/wasi_snapshot_preview1.json" with { type: "json" };
import { wat } from "../helpers/wat.ts";
import { runGuest, type RunGuestOptions, type GuestRun } from "../../cli/run-guest.ts";

export const WASI_IMPORTS = table.functions
  .map((f) => {
    const p = f.params.length ? ` (param ${f.params.join(" ")})` : "";
    const r = f.results.length ? ` (result ${f.results.join(" ")})` : "";
    return `(import "wasi_snapshot_preview1" "${f.name}" (func $${f.name}${p}${r}))`;
  })
  .join("\n  ");

/**
 * A WASI command: every import, one exported memory of `pages` pages (no
 * maximum), `data` (WAT data segments), and `body` as _start. `$rec` appends
 * an i32 to a results area at 0xF000; `$flush` writes the area to stdout
 * (decode with results()). Bytes 0..0x100 are scratch for out-parameters.
 */
export function wasiProgram(body: string, opts: { data?: string; funcs?: string; pages?: number } = {}): Uint8Array {
  return wat(`(module
  ${WASI_IMPORTS}
  (memory (export "memory") ${opts.pages ?? 1})
  (global $rp (mut i32) (i32.const 0xF000))
  ${opts.data ?? ""}
  (func $rec (param $v i32)
    (i32.store (global.get $rp) (local.get $v))
    (global.set $rp (i32.add (global.get $rp) (i32.const 4))))
  (func $flush
    ;; one iovec at 0x80: the results area
    (i32.store (i32.const 0x80) (i32.const 0xF000))
    (i32.store (i32.const 0x84) (i32.sub (global.get $rp) (i32.const 0xF000)))
    (drop (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x88))))
  ${opts.funcs ?? ""}
  (func (export "_start") ${body}))`);
}

/** The i32 values a program recorded with $rec and wrote with $flush. */
export function results(run: GuestRun): number[] {
  const b = run.stdoutBytes;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) out.push(dv.getInt32(i, true));
  return out;
}

export function runWasi(bytes: Uint8Array, options: RunGuestOptions = {}): Promise<GuestRun> {
  return runGuest(bytes, options);
}

/** WAT data segments placing each string at its offset: [{at, s}] -> "(data ...)". */
export function strings(list: readonly { at: number; s: string }[]): string {
  return list
    .map(
      ({ at, s }) =>
        `(data (i32.const ${at}) "${[...new TextEncoder().encode(s)].map((c) => "\\" + c.toString(16).padStart(2, "0")).join("")}")`,
    )
    .join("\n  ");
}

/** WASI errno values the tests name. */
export const WASI_E = {
  SUCCESS: 0,
  BADF: 8,
  EXIST: 20,
  FAULT: 21,
  INVAL: 28,
  ISDIR: 31,
  LOOP: 32,
  NOENT: 44,
  NOTDIR: 54,
  NOTSOCK: 57,
  NOTSUP: 58,
  PERM: 63,
  NOTCAPABLE: 76,
} as const;
