// How a process's entry points run (docs/fastpath.md "Spawn, second pass"): the start function the
// loader moved to an export, then `_start`, each on a JSPI stack of its own.
//
// One shared wasm entry runs them, instead of a WebAssembly.promising wrapper made per process and
// an `await` per entry point:
//
//   (module
//     (type $v (func))
//     (memory (export "m") 1)
//     (func $__wasmos_start_entry (export "run") (param $f (ref null $v)) (param $token i32)
//       (call_ref $v (local.get $f))                     ;; the guest's entry point, () -> ()
//       (i32.store (i32.const 0) (local.get $token)))   ;; it returned
//     (func (export "n0")) ... (func (export "n7")))     ;; WARM_TARGETS, below
//
// The entry is called through one promising wrapper, made once. It writes the caller's token when
// the guest's function has returned, so when the promising call comes back with the token written,
// the guest's code ran to its end without a suspension and without a throw: the caller goes on at
// once, with no promise to wait for. Otherwise (it suspended in a blocking syscall, trapped, or was
// unwound) the caller waits for the promise as before. The word is cleared before each call, and a
// nested entry (a child started inside its parent's entry) writes its own token, never its parent's. The verifier makes every `_start` () -> () and a start
// function is () -> () by the wasm spec, so the typed reference's check at the call always passes.
// A typed reference, not a table slot: nothing of the guest's stays reachable from the entry once the
// call is over (a slot would hold the last process's instance, and through its imports its kernel).
//
// Started in its parent's syscall: a process dispatched for the first time while a split
// syscall's handler runs (split-imports.ts: its parent's `wait`, which blocks and dispatches the
// child it spawned) is started by the bridge as soon as that handler returns, on the caller's
// stack, before the caller's import returns (a JSPI stack of its own, nested above the caller's
// frames: V8 allows it, and the child's suspensions unwind only its own stack). A child that runs
// to its end without blocking wakes its waiting parent before the parent's import has returned,
// so the parent goes on without a suspension at all (its plain entry's resume(), see
// WasmProcessRuntime.resume). The kernel's decisions are the same either way: the kernel
// dispatched the child before the handler returned; only where the host runs its first code
// changes (in the caller's import, not a microtask after the caller's suspension).

import { assemble, ByteSink, funcType, I32 } from "./assemble.ts";

/** A nullable typed function reference's value type prefix: (ref null <type index>). */
const REF_NULL = 0x63;

/** The entry's name in backtraces (traps.ts leaves its frame out: it is the host's, not the guest's). */
export const START_ENTRY_NAME = "__wasmos_start_entry";

/**
 * V8 records the targets a call_ref site has called (for speculative inlining), up to a few of them,
 * in its instance's feedback: the guests' entry points it called last would stay reachable from this
 * shared instance, and through their imports their kernels (test/host/release.test.ts saw four
 * kernels kept). Calling it once through each of this many functions of its own when it is made turns
 * the site megamorphic, which records no target from then on.
 */
const WARM_TARGETS = 8;

let entry: ((fn: unknown, token: number) => Promise<unknown>) | null = null;
let returned: Int32Array = new Int32Array(1);
let lastToken = 0;

// prettier-ignore
function makeEntry(): (fn: unknown, token: number) => Promise<unknown> {
  const types = new ByteSink().u32(2);
  funcType(types, [], []);
  types.u8(0x60).u32(2).u8(REF_NULL).u32(0).u8(I32).u32(0); // (func (param (ref null 0) i32))
  const funcs = new ByteSink().u32(1 + WARM_TARGETS).u32(1);
  for (let i = 0; i < WARM_TARGETS; i++) funcs.u32(0);
  const memories = new ByteSink().u32(1).u8(0x00).u32(1);
  const exports = new ByteSink().u32(2 + WARM_TARGETS).name("run").u8(0x00).u32(0).name("m").u8(0x02).u32(0);
  for (let i = 0; i < WARM_TARGETS; i++) exports.name(`n${i}`).u8(0x00).u32(1 + i);
  const body = new ByteSink()
    .u8(0x20).u32(0).u8(0x14).u32(0) // call_ref 0 (local.get $f)
    .u8(0x41).u32(0).u8(0x20).u32(1).u8(0x36).u32(2).u32(0); // i32.store (i32.const 0) (local.get $token)
  const fn = new ByteSink().u32(0).bytes(body.view()).u8(0x0b);
  const code = new ByteSink().u32(1 + WARM_TARGETS).u32(fn.length).bytes(fn.view());
  for (let i = 0; i < WARM_TARGETS; i++) code.u32(2).u32(0).u8(0x0b); // (func $n<i>): no locals, no code
  const fnNames = new ByteSink().u32(1).u32(0).name(START_ENTRY_NAME);
  const names = new ByteSink().name("name").u8(1).u32(fnNames.length).bytes(fnNames.view());
  const module = assemble([
    [1, types],
    [3, funcs],
    [5, memories],
    [7, exports],
    [10, code],
    [0, names],
  ]);
  const x = new WebAssembly.Instance(module, {}).exports;
  returned = new Int32Array((x.m as WebAssembly.Memory).buffer, 0, 1);
  const run = WebAssembly.promising(x.run as (fn: unknown, token: number) => unknown) as (fn: unknown, token: number) => Promise<unknown>;
  for (let i = 0; i < WARM_TARGETS; i++) void run(x[`n${i}`], 0); // returns at once: its promise is fulfilled
  return run;
}

/**
 * Run `fn`, a guest's exported function of type () -> (), on a JSPI stack of its own. null: it
 * returned without a suspension or a throw (nothing to wait for); else the promise of its end,
 * which rejects with what it threw (a trap, UNWIND).
 */
export function runEntry(fn: unknown): Promise<unknown> | null {
  const run = (entry ??= makeEntry());
  const token = (lastToken = lastToken >= 0x7fffffff ? 1 : lastToken + 1);
  returned[0] = 0;
  const end = run(fn, token);
  return returned[0] === token ? null : end;
}

/** Starts the bridge ran on the caller's stack (startNow), for tests: which path a process's start took. */
export const startStats = { nested: 0 };

/**
 * At most this many starts nested inside one another on the host's stack (a chain of processes each
 * spawning the next and waiting for it, each started inside its parent's wait). V8 runs a wasm import's
 * JavaScript on the host's one central stack, so every nested start keeps its bridge frames there
 * (≈1.7 KB each): a chain of ≈600 exhausted it. A start past the bound runs in a microtask, as
 * anywhere else, from an empty stack, and the chain below it nests again. The kernel's decisions are
 * the same either way.
 */
export const MAX_NESTED_STARTS = 16;

/** A process whose first code the bridge runs once the split handler that dispatched it returns. */
export interface DeferredStart {
  /** Run its start now, on the caller's stack (nested). */
  startNow(): void;
  /** Run its start in a microtask, as when dispatched anywhere else. */
  startLater(): void;
}

/**
 * open: a split syscall's handler is running (the bridge's callSplit); deferred: the process it
 * dispatched for the first time, whose start waits for the handler to return; depth: starts running
 * nested on the host's stack now (MAX_NESTED_STARTS).
 */
export const startWindow: { open: boolean; deferred: DeferredStart | null; depth: number } = { open: false, deferred: null, depth: 0 };
