// Blocking imports that return at once without a suspension (docs/fastpath.md
// "Blocking syscalls that return at once").
//
// V8 suspends the stack at every call of a WebAssembly.Suspending import,
// even when its function returns a plain value (≈510-570 ns per call against
// ≈52-60 ns for a plain import). So a blocking-class import is split in two:
//
//   - a plain entry that runs the call and either completes it (returns the
//     result) or arms the wait: it hands the promise the Suspending import
//     would have returned to mustWait(), which keeps it and raises the
//     "must wait" word, and returns a dummy 0;
//   - one Suspending entry per result type (waitEntry) that returns the kept
//     promise and lowers the word.
//
// A small kernel-owned wasm guard in front of each split import calls the
// plain entry, then the Suspending one only when the word is raised:
//
//   (func (export "<name>") (param ...) (result $t) (local $r $t)
//     (local.set $r (call $plain (local.get 0) ...))
//     (if (i32.load offset=4 (i32.const 0))          ;; the "must wait" word
//       (then (local.set $r (call $wait))))          ;; Suspending: the armed promise
//     (local.get $r))
//
// The side channel is a word in a kernel-owned memory, never a result value,
// so no result can be mistaken for "must wait". One word serves every
// process: a plain entry raises it as the last thing before it returns, and
// the guard reads it right after (pure wasm in between, nothing else runs),
// and the wait entry lowers it. A process whose module can run direct port
// activations (fast-ports.ts) gets the same guard with the host's
// direct-depth word in front: during a direct activation the guard calls the
// direct entry instead (EDIRECT, sys's non-blocking calls, the budget check),
// since V8 refuses any Suspending call above a JavaScript frame.
//
// Imports that nearly always wait (receive) are not split: a split call that
// waits costs one crossing more than the Suspending import. They get the
// "choose before calling" guard instead: a kernel-written hint word about the
// running process (kernel/fast/hints.ts: "a receive would complete now")
// picks the split call when set, the Suspending import otherwise:
//
//   (if (i32.load offset=<hint> (i32.const 0))
//     (then <the split call above>)
//     (else (local.set $r (call $suspending (local.get 0) ...))))
//
// The hint never changes a result: a stale "ready" costs the crossing the
// split call costs when it waits, a stale "not ready" the suspension the
// Suspending import always cost.
//
// Guard modules are made once per import list and cached; each process gets
// one instance of its list's module (at instantiation, not per call).

import { HINT_RECEIVE, useHintWords } from "../../kernel/fast/hints.ts";
import { assemble, ByteSink, funcType, I32, I64 } from "./assemble.ts";

/**
 * The kernel-owned words every guard imports: [0] the direct-activation depth
 * (fast-ports.ts), [1] "must wait", [HINT_RECEIVE...] the kernel's hints
 * (kernel/fast/hints.ts).
 */
let wordsMemory: WebAssembly.Memory | null = null;
let words: Int32Array = new Int32Array(2);

export function guardWords(): WebAssembly.Memory {
  if (wordsMemory === null) {
    wordsMemory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    words = new Int32Array(wordsMemory.buffer, 0, HINT_RECEIVE + 1);
    useHintWords(words);
  }
  return wordsMemory;
}

/** A split plain entry's Suspending twin and the hint word that chooses between them (markChosen). */
interface Chosen {
  readonly suspending: WebAssembly.Suspending;
  readonly hint: number;
}
const chosenEntries = new WeakMap<object, Chosen>();

/**
 * Mark fn (a split plain entry) as chosen before calling: its guard calls it
 * when hint word `hint` is set and `suspending` (the same call as a Suspending
 * import) otherwise.
 */
export function markChosen<F extends object>(fn: F, suspending: WebAssembly.Suspending, hint: number): F {
  chosenEntries.set(markSplit(fn), { suspending, hint });
  return fn;
}
export function chosenOf(fn: unknown): Chosen | null {
  return (typeof fn === "function" && chosenEntries.get(fn)) || null;
}

/**
 * Kernels whose every process gets the chosen guards (KernelConfig.receiveHint).
 * Otherwise only a process that has a guard in front of those imports anyway
 * (it may run direct port activations: fast-ports.ts) gets them, where the
 * hint costs one load; every other process calls the Suspending import
 * directly, because a guard frame in front of a Suspending import that waits
 * costs ≈15-25 ns per call in the kernel (pulse_ns 320 -> 340 ns; docs/fastpath.md
 * "Choosing before calling").
 */
const chooseEverywhere = new WeakSet<object>();
export function chooseInEveryProcess(kernel: object): void {
  chooseEverywhere.add(kernel);
}
export function choosesInEveryProcess(kernel: object): boolean {
  return chooseEverywhere.has(kernel);
}

/**
 * Processes that get the chosen guards in a kernel that does not give them to every process
 * (HostSpawnOptions.receiveHint): servers, whose receive often finds a request already queued (a
 * resource manager woken by a close pulse finds the client's next open there).
 */
const chooseIn = new WeakSet<object>();
export function chooseInProcess(process: object): void {
  chooseIn.add(process);
}
export function choosesInProcess(process: object): boolean {
  return chooseIn.has(process);
}

/** A direct activation begins (the handler is about to run above a JavaScript frame) or ends. */
export function enterDirect(): void {
  words[0]++;
}
export function leaveDirect(): void {
  words[0]--;
}

let armed: Promise<unknown> | null = null;

/**
 * In a plain entry: the call must wait for `promise` (what its Suspending form
 * would have returned). Keeps it, raises the "must wait" word; the entry
 * returns whatever it likes (the guard drops it) and must return at once.
 */
export function mustWait(promise: Promise<unknown>): void {
  armed = promise;
  guardWords();
  words[1] = 1;
}

/**
 * For tests and the bench: how many times a split import had to wait (its
 * Suspending wait entry was called), and how many calls of an import chosen
 * before calling went to its plain entry (the hint said "ready").
 */
export const splitStats = { waits: 0, chosen: 0 };

/** The Suspending entry's function: the armed promise, the word lowered. */
function takeArmed(): Promise<unknown> {
  splitStats.waits++;
  const pr = armed;
  armed = null;
  words[1] = 0;
  if (pr === null) throw new Error("wasmos: a split import's wait entry was called with nothing armed (a bug in the host)");
  return pr;
}

/** One Suspending wait entry serves every split import (its type is the import's result type; the function is the same). */
let waitFn: WebAssembly.Suspending | null = null;
function waitEntry(): WebAssembly.Suspending {
  return (waitFn ??= new WebAssembly.Suspending(takeArmed));
}

/** Plain entries of the split shape (made once; the guard goes in front of them per process). */
const splitEntries = new WeakSet<object>();

/** Mark fn as the plain entry of a split import (it calls mustWait() when it must wait). */
export function markSplit<F extends object>(fn: F): F {
  splitEntries.add(fn);
  return fn;
}
export function isSplit(fn: unknown): boolean {
  return typeof fn === "function" && splitEntries.has(fn);
}

export const VALTYPE: Record<string, number> = { i32: I32, i64: I64 };

/** One import behind a guard. */
export interface GuardSpec {
  readonly name: string;
  readonly params: readonly number[];
  readonly result: number | null;
  /** The entry is a split plain entry (call the wait entry when the word says so); else it is called as it is (a Suspending import). */
  readonly split: boolean;
  /** During a direct activation, call this plain function instead (fast-ports.ts); null: no depth check. */
  readonly direct: ((...a: any[]) => unknown) | null;
  /** A split entry chosen before calling (markChosen): its Suspending twin and hint word; null: always the split call. */
  readonly chosen?: Chosen | null;
}

const modules = new Map<string, WebAssembly.Module>();

function listKey(list: readonly GuardSpec[]): string {
  return list
    .map(
      (g) => `${g.name}:${g.params.join(".")}>${g.result}${g.split ? "s" : ""}${g.direct ? "d" : ""}${g.chosen ? `c${g.chosen.hint}` : ""}`,
    )
    .join(",");
}

function guardModule(list: readonly GuardSpec[], key: string): WebAssembly.Module {
  let m = modules.get(key);
  if (m !== undefined) return m;
  const types = new ByteSink().u32(2 * list.length);
  for (const g of list) {
    const r = g.result === null ? [] : [g.result];
    funcType(types, g.params, r); // type 2i: the import's
    funcType(types, [], r); // type 2i+1: its wait entry
  }
  const idx: { p: number; w: number; d: number; s: number }[] = [];
  let nImports = 0;
  const imports = new ByteSink();
  const entries = new ByteSink();
  let nEntries = 1;
  entries.name("k").name("words").u8(0x02).u8(0x01).u32(1).u32(1);
  list.forEach((g, i) => {
    const at = { p: nImports++, w: -1, d: -1, s: -1 };
    entries
      .name("p")
      .name(g.name)
      .u8(0x00)
      .u32(2 * i);
    nEntries++;
    if (g.split) {
      at.w = nImports++;
      entries
        .name("w")
        .name(g.name)
        .u8(0x00)
        .u32(2 * i + 1);
      nEntries++;
    }
    if (g.chosen) {
      at.s = nImports++;
      entries
        .name("s")
        .name(g.name)
        .u8(0x00)
        .u32(2 * i);
      nEntries++;
    }
    if (g.direct !== null) {
      at.d = nImports++;
      entries
        .name("d")
        .name(g.name)
        .u8(0x00)
        .u32(2 * i);
      nEntries++;
    }
    idx.push(at);
  });
  imports.u32(nEntries).bytes(entries.view());
  const funcs = new ByteSink().u32(list.length);
  list.forEach((_, i) => funcs.u32(2 * i));
  const exports = new ByteSink().u32(list.length);
  list.forEach((g, i) =>
    exports
      .name(g.name)
      .u8(0x00)
      .u32(nImports + i),
  );
  const code = new ByteSink().u32(list.length);
  list.forEach((g, i) => {
    const at = idx[i];
    const r = g.params.length; // the result local's index
    const b = new ByteSink();
    if (g.result === null) b.u32(0);
    else b.u32(1).u32(1).u8(g.result);
    const callWith = (f: number) => {
      for (let a = 0; a < g.params.length; a++) b.u8(0x20).u32(a);
      b.u8(0x10).u32(f);
      if (g.result !== null) b.u8(0x21).u32(r); // local.set $r
    };
    const splitCall = () => {
      callWith(at.p);
      if (g.split) {
        b.u8(0x41).s32(0).u8(0x28).u32(2).u32(4); // i32.load offset=4 (i32.const 0): must wait
        b.u8(0x04).u8(0x40);
        b.u8(0x10).u32(at.w);
        if (g.result !== null) b.u8(0x21).u32(r);
        b.u8(0x0b);
      }
    };
    const normal = () => {
      if (!g.chosen) return splitCall();
      b.u8(0x41)
        .s32(0)
        .u8(0x28)
        .u32(2)
        .u32(4 * g.chosen.hint); // i32.load offset=4*hint (i32.const 0): the kernel's hint
      b.u8(0x04).u8(0x40);
      splitCall();
      b.u8(0x05);
      callWith(at.s); // not ready (or not known to be): the Suspending import, as without the split
      b.u8(0x0b);
    };
    if (g.direct !== null) {
      b.u8(0x41).s32(0).u8(0x28).u32(2).u32(0); // i32.load (i32.const 0): the direct depth
      b.u8(0x04).u8(0x40);
      callWith(at.d);
      b.u8(0x05);
      normal();
      b.u8(0x0b);
    } else normal();
    if (g.result !== null) b.u8(0x20).u32(r);
    b.u8(0x0b);
    code.u32(b.length).bytes(b.view());
  });
  m = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [7, exports],
    [10, code],
  ]);
  modules.set(key, m);
  return m;
}

/** Guard instances made (for tests and the bench: how many processes got guards). */
export const guardStats = { instances: 0 };

/**
 * Replace each import of `ns` named in `list` with its guard (one instance for
 * the whole list). `ns[name]` is the plain entry (split) or the Suspending
 * import (not split). `shared`: the instances already made for lists of the
 * same imports (the caller promises every function it guards is the same for
 * all of them: one instance then serves every process; a guard keeps no state
 * of its own), so a spawn does not pay an instantiation.
 */
export function guardImports(ns: Record<string, unknown>, list: readonly GuardSpec[], shared?: Map<string, WebAssembly.Instance>): void {
  if (list.length === 0) return;
  const key = listKey(list);
  const made = shared?.get(key);
  if (made !== undefined) {
    for (const g of list) ns[g.name] = made.exports[g.name];
    return;
  }
  const p: Record<string, unknown> = {};
  const w: Record<string, unknown> = {};
  const d: Record<string, unknown> = {};
  const su: Record<string, unknown> = {};
  const wait = waitEntry();
  for (const g of list) {
    p[g.name] = ns[g.name];
    if (g.split) w[g.name] = wait;
    if (g.chosen) su[g.name] = g.chosen.suspending;
    if (g.direct !== null) d[g.name] = g.direct;
  }
  const inst = new WebAssembly.Instance(guardModule(list, key), { k: { words: guardWords() }, p, w, d, s: su } as WebAssembly.Imports);
  guardStats.instances++;
  shared?.set(key, inst);
  for (const g of list) ns[g.name] = inst.exports[g.name];
}
