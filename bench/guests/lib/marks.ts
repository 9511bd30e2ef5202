// The guest side of the marked-run protocol (bench/marks.ts): arguments are
// numbers, a mark is an empty console write the host timestamps.

import { args, println, exit, sys_console_write } from "@wasmos/sdk";

const argv = args();

/** Argument i (after the program name) as an integer; ends the process with status 90 + i if missing. */
export function intArg(i: i32): i32 {
  if (i >= argv.length) {
    println("missing argument " + i.toString());
    exit(90 + i);
  }
  return I32.parseInt(argv[i]);
}

/** Argument i as a string ("" when missing). */
export function strArg(i: i32): string {
  return i < argv.length ? argv[i] : "";
}

/** Tell the host a batch boundary is now. */
// @ts-ignore: decorator
@inline
export function mark(): void {
  sys_console_write(0, 0);
}

/**
 * Mark, then `count` times: body(batch), mark. body is called through a
 * function table with an index the optimizer cannot see (it is loaded from a
 * heap array), so it is never inlined into _start. That matters: V8 moves a
 * hot wasm function to optimized (TurboFan) code at its next call, but a loop
 * already running, like one in _start, stays in baseline (Liftoff) code for
 * good (wasm has no on-stack replacement).
 */
export function runBatches(count: i32, batch: i32, body: (n: i32) => void): void {
  const bodies = [body];
  mark();
  for (let b = 0; b < count; b++) {
    bodies[0](batch);
    mark();
  }
}

/** A measured syscall failed: say which and end with `status` (the host reports it). */
export function fail(what: string, result: i64, status: i32): void {
  println(what + " failed: " + result.toString());
  exit(status);
}
