// Direct port activations on the host's side (PORT_BIND_DIRECT; the kernel's
// side and the rules are kernel/ipc/ports.ts sendDirect, the design
// docs/fastpath.md "Port dispatch: direct activations").
//
// The kernel calls runDirect from inside the sender's port_send: the
// receiver's handler runs now, synchronously, on the sender's stack. Two
// facts of the engine decide how (test/ports/direct.test.ts shows both):
//   - wasm cannot catch a trap (`catch_all` does not see one): a handler
//     reached wasm-to-wasm that traps unwinds its sender's frames too, so a
//     hostile binder could end any sender. The handler is therefore called
//     from JavaScript, under a try/catch that ends the binder (as a trap in
//     any activation does) and lets the sender carry on;
//   - a JSPI stack cannot be suspended across a JavaScript frame, so a direct
//     activation runs to completion: syscalls that may block return EDIRECT
//     (the guards below), and the out-of-fuel check cannot preempt it: a handler
//     that uses up its budget (a quantum) is ended with DIRECT_OVERRUN.
//
// Fuel. The handler's metering decrements the receiver's own counter. For
// the counting variant a tiny kernel-owned module made per (process,
// handler) imports that counter and the handler export, and runs
//
//   (func (export "run") (param $key i32) (param $code i32) (param $value i64) (param $budget i32) (result i32)
//     (local $kept i32)
//     (local.set $kept (global.get $fuel))           ;; what the scheduler left in it (a kept counter)
//     (global.set $fuel (local.get $budget))         ;; the handler runs on a quantum at most
//     (call $handler (local.get $key) (local.get $code) (local.get $value))
//     (local.set $budget (i32.sub (local.get $budget) (global.get $fuel)))   ;; burned
//     (global.set $fuel (local.get $kept))           ;; as the scheduler left it
//     (local.get $budget))
//
// so the counter is never touched from JavaScript (a WebAssembly.Global access
// from JS costs ~45 ns) and the kernel bills what it burned to the sender. The
// epoch variant has no counter: the handler runs until the wall-clock
// deadline of its budget (the runtime's out-of-fuel handler checks it).

import {
  Constants,
  Errno,
  IMPORT_MODULE,
  ObjectType,
  ProcessState,
  Rights,
  SYS_ENTRY,
  SYSCALL_BY_NR,
  SYSCALLS,
} from "../../abi/gen/abi.ts";
import { NORETURN } from "../../kernel/control.ts";
import type { KernelCore } from "../../kernel/core.ts";
import {
  CAP_EPOCH_ADDRESS,
  DELIVERED_COUNT_ADDRESS,
  H_CAP,
  H_PROMISES,
  H_SLOTS,
  H_SLOW,
  P_BUDGET,
  P_KEY,
  P_QCODE,
  P_QFULL,
  P_QUEUE,
  P_QVALUE,
  P_READY,
  mirrorWords,
  portAtCell,
  QUEUED_COUNT_ADDRESS,
  S_HANDLE,
  S_RIGHTS,
  S_STATE,
  S_TYPE,
} from "../../kernel/fast/mirror.ts";
import { directMade, directMadeEnd, sendDirect, w2wTraced } from "../../kernel/ipc/ports.ts";
import { MAX_SLICE_FUEL } from "../../kernel/sched/params.ts";
import { Port } from "../../kernel/objects/port.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { ProcessRuntime } from "../../kernel/platform.ts";
import { KernelBug } from "../../kernel/object.ts";
import { FUEL_IMPORT } from "../../loader/instrument/fuel.ts";
import {
  DIRECT_BOUND_EXPORT_PREFIX,
  DIRECT_ENTRY_PREFIX,
  DIRECT_EXPORT_PREFIX,
  DIRECT_STACK_BUDGET,
  DIRECT_STACK_GLOBAL_EXPORT,
} from "../../loader/instrument/direct-copy.ts";
import { PORT_SEND_EXPORT } from "../../loader/instrument/port-send.ts";
import { invokeSyscall, UNWIND } from "./bridge.ts";
import { assemble, ByteSink, Code, FUNCREF, functionsCode, funcType, I32, I64, oneFunctionCode } from "./assemble.ts";
import { handleMirrorMemory } from "./fast-path.ts";
import { chosenOf, choosesInEveryProcess, guardImports, guardWords, type GuardSpec, isSplit, VALTYPE } from "./split-imports.ts";

let trampolineModule: WebAssembly.Module | null = null;

function trampoline(): WebAssembly.Module {
  if (trampolineModule !== null) return trampolineModule;
  const types = new ByteSink().u32(2);
  funcType(types, [I32, I32, I64], []); // 0: the handler
  funcType(types, [I32, I32, I64, I32], [I32]); // 1: run
  const imports = new ByteSink().u32(2);
  imports.name("r").name("fuel").u8(0x03).u8(I32).u8(0x01); // global 0: (mut i32)
  imports.name("r").name("handler").u8(0x00).u32(0); // func 0
  const funcs = new ByteSink().u32(1).u32(1);
  const exports = new ByteSink().u32(1).name("run").u8(0x00).u32(1);
  const b = new ByteSink()
    .u8(0x23)
    .u32(0)
    .u8(0x21)
    .u32(4) // kept = fuel
    .u8(0x20)
    .u32(3)
    .u8(0x24)
    .u32(0) // fuel = budget
    .u8(0x20)
    .u32(0)
    .u8(0x20)
    .u32(1)
    .u8(0x20)
    .u32(2)
    .u8(0x10)
    .u32(0) // handler(key, code, value)
    .u8(0x20)
    .u32(3)
    .u8(0x23)
    .u32(0)
    .u8(0x6b)
    .u8(0x21)
    .u32(3) // budget = budget - fuel
    .u8(0x20)
    .u32(4)
    .u8(0x24)
    .u32(0) // fuel = kept
    .u8(0x20)
    .u32(3); // burned
  trampolineModule = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [7, exports],
    [10, oneFunctionCode([[1, I32]], b)],
  ]);
  return trampolineModule;
}

/** A handler entry for direct activations: (key, code, value, budget) -> fuel burned. */
export type DirectEntry = (key: number, code: number, value: bigint, budget: number) => number;

/** Direct activations run and their outcomes (for tests: which path a packet took). */
export const directPortStats = { runs: 0, ended: 0 };

/**
 * One process's handler entries for direct activations, made at the first
 * direct packet for each handler. `fuel`: the counting variant's counter
 * (null for the epoch variant: the handler export is called as it is). A
 * handler with a direct copy (the counting variant only) runs its copy on
 * both paths, JavaScript and wasm-to-wasm: the same code, so the same
 * outcome, fuel and stack bound either way.
 */
export class DirectEntries {
  private readonly entries = new Map<string, DirectEntry>();
  private readonly exports: WebAssembly.Exports;
  private readonly fuel: WebAssembly.Global | null;

  constructor(exports: WebAssembly.Exports, fuel: WebAssembly.Global | null) {
    this.exports = exports;
    this.fuel = fuel;
  }

  entry(handler: string): DirectEntry {
    let e = this.entries.get(handler);
    if (e === undefined) {
      const h = this.exports[handler] as (key: number, code: number, value: bigint) => void;
      const copy = this.exports[DIRECT_EXPORT_PREFIX + handler];
      if (this.fuel !== null && typeof copy === "function") {
        // The handler's direct copy (the loader made it: it calls no import), whichever path delivers: through
        // its direct entry (the loader's, in the binder's module), or a trampoline instance around the copy.
        const own = this.exports[DIRECT_ENTRY_PREFIX + handler];
        e =
          typeof own === "function"
            ? (own as DirectEntry)
            : directCopyEntry(this.fuel, this.exports[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global, copy);
        const bound = this.exports[DIRECT_BOUND_EXPORT_PREFIX + handler];
        if (w2wBoundMutation || (bound instanceof WebAssembly.Global && fitsSenderStack(bound.value as number))) onSenderStack.add(e);
      } else if (this.fuel === null) {
        e = (key, code, value) => {
          h(key, code, value);
          return 0;
        };
      } else {
        const inst = new WebAssembly.Instance(trampoline(), { r: { fuel: this.fuel, handler: h } });
        e = inst.exports.run as DirectEntry;
      }
      this.entries.set(handler, e);
    }
    return e;
  }
}

// ---- guarded imports ---------------------------------------------------------------
//
// V8 refuses any call of a WebAssembly.Suspending import made above a
// JavaScript frame ("trying to suspend JS frames"), even one whose function
// returns a plain value. A direct activation has such a frame below it, so a
// process that may bind a direct port (its module imports port_bind or sys)
// gets, in the guard in front of each import that may suspend (the syscalls
// that may block, sys, the out-of-fuel import; split-imports.ts builds them),
// a check of the host's direct-depth word first:
//
//   (func (export "<name>") (param ...) (result ...)
//     (if (i32.load (i32.const 0))                  ;; the host's direct-activation depth word
//       (then (call $direct (local.get 0) ...))     ;; plain import: EDIRECT, sys's non-blocking calls, the budget check
//       (else ...the split call (plain entry, then the wait entry only when it must wait)...)))
//
// One load more per such call; a process whose module imports neither
// port_bind nor sys (it cannot bind a port) gets the split guards alone.

const BLOCKING = new Map(SYSCALLS.filter((d) => d.blocking).map((d) => [d.name, d]));

/** sys(nr, ...) during a direct activation: a syscall that may block gets EDIRECT; any other runs as through sys. */
function directSys(k: KernelCore, nr: number, ...raw: bigint[]): bigint | Promise<bigint> {
  const def = nr > 0 ? SYSCALL_BY_NR[nr] : undefined;
  if (def === undefined) return BigInt(-Errno.ENOSYS);
  if (def.blocking) return BigInt(-Errno.EDIRECT);
  const args = def.params.map((prm, i) => (prm.type === "i32" ? Number(BigInt.asIntN(32, raw[i])) : BigInt.asIntN(64, raw[i])));
  const r = invokeSyscall(k, def.name, args) as number | bigint;
  return typeof r === "bigint" ? r : BigInt(r);
}

/**
 * Put guards in front of the imports of module "wasmos" in `imports` (built
 * for one process: syscalls, then the fuel import) that are split plain
 * entries (split-imports.ts), and, when the process may run direct
 * activations (`mayDirect` and its module imports port_bind or sys), in front
 * of every one that may suspend, with the direct-depth check.
 * `outOfFuel`: the out-of-fuel check during a direct activation. `shareable`:
 * every function in `imports` and `outOfFuel` is the kernel's, the same for
 * every process (then one guard instance per import list serves them all).
 * `choose`: this process's receive is chosen before calling even when the
 * kernel's are not (HostSpawnOptions.receiveHint).
 * Returns whether the process may run direct activations.
 */
export function guardSyscallImports(
  k: KernelCore,
  imports: Record<string, unknown>,
  outOfFuel: () => undefined,
  mayDirect: boolean,
  shareable: boolean,
  cacheBy?: object,
  choose = false,
): boolean {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  if (ns === undefined) return false;
  const capable = mayDirect && ("port_bind" in ns || SYS_ENTRY.name in ns);
  const list: GuardSpec[] = [];
  const chooseAll = choose || choosesInEveryProcess(k);
  // Shareable: the same module's import list gets the same functions every spawn; what the last spawn did is
  // replayed (checked function by function) instead of built again.
  let done: GuardedImports | null = null;
  if (shareable && cacheBy !== undefined) {
    let byModule = guardedImports.get(k);
    if (byModule === undefined) guardedImports.set(k, (byModule = new WeakMap()));
    let known = byModule.get(cacheBy);
    if (known === undefined) byModule.set(cacheBy, (known = []));
    for (const g of known) if (g.capable === capable && g.chooseAll === chooseAll && g.replay(ns)) return capable;
    done = new GuardedImports(capable, chooseAll);
    known.push(done);
  }
  for (const name of Object.keys(ns)) {
    const chosen = chosenOf(ns[name]);
    if (chosen !== null && !capable && !chooseAll) {
      done?.note(name, ns[name]);
      ns[name] = chosen.suspending; // no guard in front of it anyway: the Suspending import, as without the split
      continue;
    }
    const split = isSplit(ns[name]);
    const def = BLOCKING.get(name);
    let direct: (...a: any[]) => unknown;
    let params: number[];
    let result: number | null;
    if (def !== undefined) {
      direct = def.result === "i64" ? refusedI64 : refusedI32;
      params = def.params.map((p) => VALTYPE[p.type]);
      result = def.result === "never" ? null : VALTYPE[def.result];
    } else if (name === SYS_ENTRY.name) {
      direct = (nr: number, ...raw: bigint[]) => directSys(k, nr, ...raw);
      params = SYS_ENTRY.params.map((p) => VALTYPE[p.type]);
      result = I64;
    } else if (name === FUEL_IMPORT.name) {
      direct = outOfFuel;
      params = [];
      result = null;
    } else continue;
    done?.note(name, ns[name]);
    if (!split && !capable) continue;
    list.push({ name, params, result, split, direct: capable ? direct : null, chosen });
  }
  let shared: Map<string, WebAssembly.Instance> | undefined;
  if (shareable) {
    shared = sharedGuards.get(k);
    if (shared === undefined) sharedGuards.set(k, (shared = new Map()));
  }
  guardImports(ns, list, shared);
  done?.finish(ns);
  return capable;
}

/**
 * What guardSyscallImports did to one module's import list in the shareable
 * case: each import it looked at (every one it could change) with the
 * function it found and the one it left. Replayed only if every function
 * found is the same again (the kernel's own, so it is unless the kernel's
 * mode changed), which then leads to the same result.
 */
class GuardedImports {
  readonly capable: boolean;
  readonly chooseAll: boolean;
  private readonly names: string[] = [];
  private readonly found: unknown[] = [];
  private left: unknown[] = [];
  private complete = false;
  constructor(capable: boolean, chooseAll: boolean) {
    this.capable = capable;
    this.chooseAll = chooseAll;
  }
  note(name: string, fn: unknown): void {
    this.names.push(name);
    this.found.push(fn);
  }
  finish(ns: Record<string, unknown>): void {
    this.left = this.names.map((n) => ns[n]);
    this.complete = true;
  }
  replay(ns: Record<string, unknown>): boolean {
    if (!this.complete) return false;
    const { names, found, left } = this;
    for (let i = 0; i < names.length; i++) if (ns[names[i]] !== found[i]) return false;
    for (let i = 0; i < names.length; i++) ns[names[i]] = left[i];
    return true;
  }
}

/** Per kernel and module (the image's), what guardSyscallImports did (shareable lists only). */
const guardedImports = new WeakMap<KernelCore, WeakMap<object, GuardedImports[]>>();

const refusedI32 = (): number => -Errno.EDIRECT;
const refusedI64 = (): bigint => BigInt(-Errno.EDIRECT);

/** Per kernel, the guard instances whose functions are all the kernel's own (see guardImports). */
const sharedGuards = new WeakMap<KernelCore, Map<string, WebAssembly.Instance>>();

// ---- wasm-to-wasm delivery ----------------------------------------------------------
//
// docs/fastpath.md "Port dispatch in wasm, wasm-to-wasm". The loader gives an
// image importing port_bind a direct copy of each handler-shaped export that
// calls no import but the fuel one (loader/prepare.ts, loader/instrument/
// direct-copy.ts): the copy cannot trap (it throws the host's tag instead),
// bounds its own stack, and throws OVERRUN where the handler would reach the
// out-of-fuel import. Such a handler can change no kernel state while it runs,
// so a sender may run it without the kernel: the sender's port_send becomes
// the export of a small kernel-owned module (one instance per sender):
//
//   (func (export "port_send") (param $h i32) (param $code i32) (param $value i64) (result i32)
//     $h > 0                                                                                  else slow
//     $cell = $G_CELL if $h = $G_H and the capability epoch = $G_EPOCH (the cached check), else:
//       the handle mirror's checks (go-slow word, pledge, slot, live handle, type PORT, SEND)   else slow
//       $cell = the slot's state word (the port's cell); $G_H, $G_CELL, $G_EPOCH = $h, $cell, the epoch
//     $code != PORT_CODE_IDLE                                                                 else slow
//     $t = the port's cell [P_READY] (the binder's entry slot + 1, kernel/ipc/ports.ts directWordsOf)
//     $t = 0: the cell's [P_QUEUE] set and [P_QFULL] clear (the binder busy, room left)                   else slow
//       [P_QCODE] = $code; [P_QVALUE] = $value; [P_QFULL] = 1; ($queued++); return 0  ;; the kernel takes it (drainQueued)
//     the host's direct-depth word is 0 (no direct activation through JavaScript below)      else slow
//     cell[P_READY] = 0                                                                       ;; busy
//     (block $caught (result i32)
//       (try_table (catch $tag $caught)
//         $burned = call_indirect $entries (type run) (cell[P_KEY], $code, $value, cell[P_BUDGET]) ($t - 1))
//       cell[P_READY] = $t
//       ($delivered++)
//       return $burned + 1                         ;; the sender's own port_send: its counter -= burned (billDirect's rule)
//       or: call_indirect $charge ($burned) (0); return 0    ;; a sender whose module has no such function
//     (call $failed (local.get $h) (local.get $code) (local.get $value) (kind)))   ;; the kernel ends the binder
//
// The cached check (portsend3): the full check is ≈45 instructions whose loads
// form a dependent chain (the header through an imported global, its slot
// array, the slot, its cell), ≈40% of a round trip's samples in the profile.
// Its result for a handle can change only with the capability epoch
// (kernel/fast/epoch.ts: a handle leaving any table, a revoke, a pledge, the
// go-slow word; the cell of a live handle's port stays where it is while the
// handle is live), so a process's dispatcher keeps the last handle that passed
// with its cell and the epoch it saw, and while both match it reads only the
// cell. Revocation stays immediate: the change bumps the epoch in the same
// step, and the next port_send misses. One entry, per dispatcher (process).
//
// `slow` is the bridge's port_send (every check, every errno, the JavaScript
// path); `failed` runs sendDirect with the thrown kind, so the binder ends
// exactly as the JavaScript path ends it. An entry is the binder's direct
// entry for the handler (the loader's, in the binder's own module:
// loader/instrument/direct-copy.ts DIRECT_ENTRY_PREFIX; before porttake2 a
// trampoline instance per (binder, handler) around the copy, kept below for
// modules without one), in the host's table of entries.
//
// The charge (portsend4). The dispatcher is instantiated before the guest, so
// it cannot import the guest's counter. The loader gives a counting-variant
// module a port_send function of its own (loader/instrument/port-send.ts)
// through which the module's calls of the import go: the dispatcher returns
// it the fuel burned + 1 (never a result of port_send's: 0 or -errno), and
// it takes that off its own counter and returns 0. A module whose import a
// table, an export or a global may hold has no such function (the import
// would be reached without it): its dispatcher charges through the charge
// helper, a one-function module importing the sender's counter, called
// through the dispatcher's table (one call between instances more a round
// trip, ≈1.5 ns). The counts ($delivered, $queued: w2wDelivered, cellQueued)
// are made only while countWasmDeliveries is on (≈1.5-2 ns a round trip).

let tagValue: WebAssembly.Tag | null = null;

/** The tag the direct copies throw (DIRECT_TAG_IMPORT): one per host. */
export function directTag(): WebAssembly.Tag {
  return (tagValue ??= new WebAssembly.Tag({ parameters: ["i32"] }));
}

export { DIRECT_STACK_BUDGET };

/**
 * The largest static stack bound (loader/instrument/direct-copy.ts DIRECT_BOUND_EXPORT_PREFIX: the largest
 * sum of frame bounds along any call path of the copy) of a copy run wasm-to-wasm, on its sender's stack.
 *
 * Why a static bound: the budget (DIRECT_STACK_BUDGET) contains a copy's overflow only where its frames
 * have room. On the sender's JSPI stack (984 KiB) a sender may already be within 256 KiB of the end; a
 * recursive handler would then hit V8's own limit first, whose RangeError wasm cannot catch: it would
 * unwind and end the sender. So only copies whose call graph is acyclic and whose bound is at most this go
 * wasm-to-wasm; the others (recursion, or deeper) run behind a JavaScript frame on the central stack
 * (DirectEntries: the same copy, the same budget), where the budget alone contains them.
 *
 * Why 16 KiB: what such a copy adds to the sender's stack is fixed at load time, like a function the sender
 * calls itself: a sender with less than 16 KiB left (98.4% of its stack used) would overflow by itself at
 * its next call needing that much (≈340 of the smallest frames, 48 bytes each). A hostile binder can no
 * longer choose how deep it goes. The bound is loose (16 bytes per parameter, local and instruction and 128
 * a frame against the measured 48 + 8 per local), so real handlers of a few hundred instructions fit.
 */
export const W2W_STACK_BOUND = 16 * 1024;

/** Whether a copy with this static stack bound (its exported word: -1 when it recurses) may run on a sender's stack. */
function fitsSenderStack(bound: number): boolean {
  return bound >= 0 && bound <= W2W_STACK_BOUND;
}

/** The entries (directCopyEntry) whose copy may run on a sender's stack (fitsSenderStack): only these get a slot in the host's table. */
const onSenderStack = new WeakSet<DirectEntry>();

/**
 * Test only: take every copy wasm-to-wasm whatever its static stack bound (the check above skipped).
 * test/ports/w2w.test.ts shows a recursive hostile handler then ends a deep sender. Read when a handler's
 * entry is made (a binder's first direct packet or binding): set it before the kernel loads the binder.
 */
let w2wBoundMutation = false;
export function mutateW2wBoundForTest(skip: boolean): void {
  w2wBoundMutation = skip;
}

let w2wTrampolineModule: WebAssembly.Module | null = null;

/**
 * (import "r" "fuel" (global $fuel (mut i32))) (import "r" "stack" (global $stack (mut i32)))
 * (import "r" "copy" (func $copy (param i32 i32 i64)))
 * (func (export "run") (param $key i32) (param $code i32) (param $value i64) (param $budget i32) (result i32) (local $kept i32)
 *   (local.set $kept (global.get $fuel)) (global.set $fuel (local.get $budget)) (global.set $stack (i32.const DIRECT_STACK_BUDGET))
 *   (call $copy (local.get $key) (local.get $code) (local.get $value))
 *   (local.set $budget (i32.sub (local.get $budget) (global.get $fuel))) (global.set $fuel (local.get $kept)) (local.get $budget))
 */
function w2wTrampoline(): WebAssembly.Module {
  if (w2wTrampolineModule !== null) return w2wTrampolineModule;
  const types = new ByteSink().u32(2);
  funcType(types, [I32, I32, I64], []);
  funcType(types, [I32, I32, I64, I32], [I32]);
  const imports = new ByteSink().u32(3);
  imports.name("r").name("fuel").u8(0x03).u8(I32).u8(0x01);
  imports.name("r").name("stack").u8(0x03).u8(I32).u8(0x01);
  imports.name("r").name("copy").u8(0x00).u32(0);
  const funcs = new ByteSink().u32(1).u32(1);
  const exports = new ByteSink().u32(1).name("run").u8(0x00).u32(1);
  const c = new Code();
  c.global(0).set(4).get(3).b.u8(0x24).u32(0);
  c.i32(DIRECT_STACK_BUDGET).b.u8(0x24).u32(1);
  c.get(0).get(1).get(2).call(0);
  c.get(3).global(0).op(0x6b).set(3);
  c.get(4).b.u8(0x24).u32(0);
  c.get(3);
  w2wTrampolineModule = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [7, exports],
    [10, oneFunctionCode([[1, I32]], c.b)],
  ]);
  return w2wTrampolineModule;
}

/**
 * A binder's direct entry for a handler with a direct copy but no direct entry of the loader's
 * (DIRECT_ENTRY_PREFIX: the same function inside the binder's module, which prepared guests have): the
 * trampoline's run (fuel, stack budget, the copy).
 */
export function directCopyEntry(fuel: WebAssembly.Global, stack: WebAssembly.Global, copy: unknown): DirectEntry {
  return new WebAssembly.Instance(w2wTrampoline(), { r: { fuel, stack, copy: copy as () => void } }).exports.run as DirectEntry;
}

let entryTable: WebAssembly.Table | null = null;
const freeEntries: number[] = [];

/** The host's table of direct entries (kernel-owned; only the port_send dispatchers import it). */
function entries(): WebAssembly.Table {
  return (entryTable ??= new WebAssembly.Table({ element: "anyfunc", initial: 16 }));
}

/**
 * Put a direct entry in the host's table: its slot; or -1 when it may not run on a sender's stack (not an
 * entry of a copy whose static stack bound fits: W2W_STACK_BOUND). Then the port's cell never offers it
 * (kernel/ipc/ports.ts directWordsOf: the binding's slot stays 0) and every packet takes the JavaScript path.
 */
export function addDirectEntry(run: DirectEntry): number {
  if (!onSenderStack.has(run)) return -1;
  const t = entries();
  let slot = freeEntries.pop();
  if (slot === undefined) {
    slot = t.length;
    t.grow(Math.max(16, t.length));
    for (let i = t.length - 1; i > slot; i--) freeEntries.push(i);
  }
  t.set(slot, run as unknown as () => void);
  return slot;
}

/** The entry's binder ended: its slot is free (the kernel wrote 0 into every cell naming it first). */
export function dropDirectEntry(slot: number): void {
  entries().set(slot, null);
  freeEntries.push(slot);
}

/**
 * Whether the dispatchers made from now on count what they do (w2wDelivered, cellQueued). Off unless asked:
 * the two increments cost ≈1.5-2 ns of a ≈19 ns direct round trip (portsend4: docs/fastpath.md "The port round
 * trip, fourth pass"), as words of the store or as globals of their own, and they are instrumentation, not the
 * path's work. The tests that read the counts turn it on, as does the bench's check that its one-way figure
 * took the wasm path. A process's dispatcher is made at its spawn: set it before.
 */
let counting = false;
export function countWasmDeliveries(on: boolean): void {
  if (on !== counting) portSendModules.fill(null);
  counting = on;
}

/** Packets delivered wasm-to-wasm (while countWasmDeliveries: the dispatchers' count, in the mirror's store). */
export function w2wDelivered(): number {
  return mirrorWords()[DELIVERED_COUNT_ADDRESS >> 2];
}
/** Packets queued in a port's cell by a wasm port_send (while countWasmDeliveries; kernel/ipc/ports.ts drainQueued takes them). */
export function cellQueued(): number {
  return mirrorWords()[QUEUED_COUNT_ADDRESS >> 2];
}
/** count++ of the store's word at byte `addr` (memory 0: the mirror's store). */
const countUp = (c: Code, addr: number) => c.i32(0).i32(0).b.u8(0x28).u32(2).u32(addr).u8(0x41).s32(1).u8(0x6a).u8(0x36).u32(2).u32(addr);
/** Entries run from a wasm port_send that threw (the kernel then ended their binder: `failed` below). */
export const w2wStats = { failed: 0 };

/** The dispatcher's two variants: [0] charges the sender through its charge helper, [1] returns burned + 1 (portSend). */
const portSendModules: (WebAssembly.Module | null)[] = [null, null];

/**
 * Byte addresses in the guards' words (split-imports.ts guardWords: [0] the direct-activation depth, the
 * hints after it) of the wasm-to-wasm activation's words: W2W_CELL, the byte address of the port cell whose
 * entry the sender's wasm port_send is running (0: none); W2W_MADE, 1 once the kernel made it its own
 * (directMade: the handler's port_send needed the kernel).
 */
const W2W_CELL = 64,
  W2W_MADE = 68;

/** Globals of the dispatcher (0 imported: the process's mirror header): its cached check (see portSend). */
const G_H = 1,
  G_CELL = 2,
  G_EPOCH = 3;

/**
 * Test only: a planted bug in the dispatcher's cached check, each of which test/ports/w2w.test.ts must
 * catch: "epoch" trusts the cache whatever the capability epoch (a closed or revoked handle still sends),
 * "handle" trusts it for any handle (a send through another handle reaches the cached one's port).
 * Read when the dispatcher's module is made: set it before the kernel spawns the senders.
 */
export type PortSendCacheMutation = "epoch" | "handle";
let cacheMutation: PortSendCacheMutation | null = null;
export function mutatePortSendCacheForTest(m: PortSendCacheMutation | null): void {
  cacheMutation = m;
  portSendModules.fill(null);
}

/**
 * Test only: the self-charging dispatcher returns 1 (burned 0) after a delivery, so the sender is never charged
 * the fuel its binder's entry burned: test/ports/w2w.test.ts must see the CPU times differ from the JavaScript
 * path's. Read when the dispatcher's module is made.
 */
let selfChargeMutation = false;
export function mutateSelfChargeForTest(on: boolean): void {
  selfChargeMutation = on;
  portSendModules.fill(null);
}

/**
 * Whether a guest module charges itself what a wasm-to-wasm delivery burned (the loader gave it a port_send
 * function of its own: loader/instrument/port-send.ts). Per module, once (the export list is made on demand).
 */
const chargesItselfMemo = new WeakMap<WebAssembly.Module, boolean>();
function chargesItself(module: WebAssembly.Module): boolean {
  let r = chargesItselfMemo.get(module);
  if (r === undefined) chargesItselfMemo.set(module, (r = WebAssembly.Module.exports(module).some((e) => e.name === PORT_SEND_EXPORT)));
  return r;
}

// Functions: imports 0 slow, 1 failed, 2 slowW2w, 3 ended; 4 port_send, 5 $slow (slow or slowW2w).
const F_FAILED = 1,
  F_SLOWW2W = 2,
  F_ENDED = 3,
  F_SEL = 5;
const L_HDR = 3,
  L_A = 4,
  L_KIND = 5,
  L_CELL = 6,
  L_T = 7,
  L_BURNED = 8;

/** i32 at byte `addr` of memory 1 (the guards' words). */
const guardLoad = (c: Code, addr: number) => c.i32(0).b.u8(0x28).u8(0x42).u32(1).u32(addr);
/** The capability epoch: the mirror's store's copy of it (memory 0, whose base the engine keeps at hand). */
const epochLoad = (c: Code) => c.i32(0).b.u8(0x29).u8(3).u32(CAP_EPOCH_ADDRESS); // i64.load: 64 bits, never wrapping
/** i32 on the stack (after the value) to byte `addr` of memory 1: push the address 0 first. */
const guardStore = (c: Code, addr: number) => c.b.u8(0x36).u8(0x42).u32(1).u32(addr);

/**
 * The dispatcher of the comment above (types: 0 port_send, 1 an entry, 2 the charge helper and the tag, 3 ended).
 * `self`: for a sender whose module charges itself (chargesItself): after a delivery it returns the fuel burned
 * + 1 to the module's own port_send function, which takes it off the counter and returns 0, instead of calling
 * the charge helper (one call between instances fewer a round trip).
 */
function portSend(self: boolean): WebAssembly.Module {
  const known = portSendModules[self ? 1 : 0];
  if (known !== null) return known;
  const types = new ByteSink().u32(4);
  funcType(types, [I32, I32, I64], [I32]);
  funcType(types, [I32, I32, I64, I32], [I32]);
  funcType(types, [I32], []);
  funcType(types, [I32], [I32]);
  const imports = new ByteSink().u32(9);
  imports.name("k").name("slow").u8(0x00).u32(0);
  imports.name("k").name("failed").u8(0x00).u32(1);
  imports.name("k").name("slowW2w").u8(0x00).u32(0);
  imports.name("k").name("ended").u8(0x00).u32(3);
  imports.name("k").name("entries").u8(0x01).u8(FUNCREF).u8(0x00).u32(0);
  imports.name("k").name("mirror").u8(0x02).u8(0x00).u32(1);
  imports.name("k").name("guard").u8(0x02).u8(0x00).u32(1);
  imports.name("k").name("header").u8(0x03).u8(I32).u8(0x00);
  imports.name("k").name("tag").u8(0x04).u8(0x00).u32(2);
  const funcs = new ByteSink().u32(2).u32(0).u32(0);
  const tables = new ByteSink().u32(1).u8(FUNCREF).u8(0x00).u32(1); // table 1: the charge helper
  // Globals 1-3: the cached check (G_H, G_CELL, G_EPOCH), empty (G_H 0: no handle is 0).
  const globals = new ByteSink().u32(3);
  for (const t of [I32, I32, I64])
    globals
      .u8(t)
      .u8(0x01)
      .u8(t === I64 ? 0x42 : 0x41)
      .u8(0x00)
      .u8(0x0b); // G_EPOCH an i64
  const exports = new ByteSink().u32(2).name("port_send").u8(0x00).u32(4).name("charge").u8(0x01).u32(1);
  const def = SYSCALLS.find((d) => d.name === "port_send")!;
  const c = new Code();
  const slow = (c: Code) => {
    c.b.u8(0x04).u8(0x40);
    c.get(0).get(1).get(2).call(F_SEL).b.u8(0x0f).u8(0x0b);
  };
  c.get(0).i32(0).op(0x4c); // h <= 0
  slow(c);
  // The cached check: the handle the last full check passed for, and its port's cell, while the capability
  // epoch is the one it saw (every change a check depends on bumps it: a handle leaving a table, a revoke, a
  // pledge, the go-slow word). Nothing in the handle mirror is read then: the cell comes from a global.
  c.b.u8(0x02).u8(I32); // block $have (result i32): the cell
  c.global(G_CELL);
  if (cacheMutation === "handle") c.i32(1);
  else c.get(0).global(G_H).op(0x46); // h == G_H
  if (cacheMutation !== "epoch") {
    epochLoad(c);
    c.global(G_EPOCH).op(0x51).op(0x71); // && epoch == G_EPOCH (i64.eq)
  }
  c.b.u8(0x0d).u32(0); // br_if $have
  c.op(0x1a); // drop
  c.global(0).tee(L_HDR).load(H_SLOW);
  slow(c);
  c.get(L_HDR)
    .load(H_PROMISES)
    .i32(1 << def.pledge)
    .op(0x71)
    .op(0x45);
  slow(c);
  c.get(0).i32(0xffff).op(0x71).tee(L_A).get(L_HDR).load(H_CAP).op(0x4f); // slot >= CAP
  slow(c);
  c.get(L_HDR).load(H_SLOTS).get(L_A).i32(4).op(0x74).op(0x6a).set(L_A);
  c.get(L_A).load(S_HANDLE).get(0).op(0x47);
  slow(c);
  c.get(L_A).load(S_TYPE).i32(ObjectType.PORT).op(0x47);
  slow(c);
  c.get(L_A).load(S_RIGHTS).i32(Rights.SEND).op(0x71).op(0x45);
  slow(c);
  // Every check passed: cache it (a PORT's state word is its cell, never 0).
  c.get(L_A).load(S_STATE).tee(L_CELL).b.u8(0x24).u32(G_CELL);
  c.get(0).b.u8(0x24).u32(G_H);
  epochLoad(c);
  c.b.u8(0x24).u32(G_EPOCH);
  c.get(L_CELL);
  c.b.u8(0x0b); // end $have
  c.set(L_CELL);
  c.get(1).i32(Constants.PORT_CODE_IDLE).op(0x46);
  slow(c);
  c.get(L_CELL).load(P_READY).tee(L_T).op(0x45);
  // No direct entry offered: queue the packet in the cell when the kernel allows it (the binder busy, room
  // left, the cell empty), else the bridge.
  c.b.u8(0x04).u8(0x40); // if
  c.get(L_CELL).load(P_QUEUE).op(0x45);
  slow(c);
  c.get(L_CELL).load(P_QFULL);
  slow(c);
  c.get(L_CELL)
    .get(1)
    .b.u8(0x36)
    .u32(2)
    .u32(P_QCODE * 4); // i32.store code
  c.get(L_CELL)
    .get(2)
    .b.u8(0x37)
    .u32(2)
    .u32(P_QVALUE * 4); // i64.store value
  c.get(L_CELL)
    .i32(1)
    .b.u8(0x36)
    .u32(2)
    .u32(P_QFULL * 4); // full: the kernel takes it (kernel/ipc/ports.ts drainQueued)
  if (counting) countUp(c, QUEUED_COUNT_ADDRESS); // queued++
  c.i32(0).b.u8(0x0f);
  c.b.u8(0x0b); // end if
  guardLoad(c, 0); // the host's direct-depth word: no direct activation below (none nested wasm-to-wasm either)
  slow(c);
  // Run the entry: the depth word raised (the handler's own sends to idle direct binders go to the kernel),
  // the cell busy, the activation's cell noted (W2W_CELL: the handler's slow port_send makes it the kernel's).
  c.i32(0).i32(1);
  guardStore(c, 0);
  c.i32(0).get(L_CELL);
  guardStore(c, W2W_CELL);
  c.get(L_CELL)
    .i32(0)
    .b.u8(0x36)
    .u32(2)
    .u32(P_READY * 4); // busy
  c.b.u8(0x02).u8(0x40); // block $js (catch_all)
  c.b.u8(0x02).u8(I32); // block $caught (result i32)
  c.b.u8(0x1f).u8(0x40).u32(2).u8(0x00).u32(0).u32(0).u8(0x02).u32(1); // try_table (catch $tag $caught) (catch_all $js)
  c.get(L_CELL).load(P_KEY).get(1).get(2).get(L_CELL).load(P_BUDGET).get(L_T).i32(1).op(0x6b);
  c.b.u8(0x11).u32(1).u32(0); // call_indirect (type 1) table 0
  c.set(L_BURNED);
  c.b.u8(0x0b); // end try_table
  c.i32(0).i32(0);
  guardStore(c, 0); // depth back
  c.i32(0).i32(0);
  guardStore(c, W2W_CELL);
  c.get(L_CELL)
    .get(L_T)
    .b.u8(0x36)
    .u32(2)
    .u32(P_READY * 4); // idle again (before the kernel's end, which rewrites it if it must)
  if (counting) countUp(c, DELIVERED_COUNT_ADDRESS); // delivered++
  guardLoad(c, W2W_MADE);
  c.b.u8(0x04).u8(0x40); // if made: the kernel ends it (sendDirect's end, the bill included)
  c.get(L_BURNED).call(F_ENDED).b.u8(0x0f);
  c.b.u8(0x0b);
  if (self) {
    // burned + 1 (>= 1: never a result of port_send's own): the sender's module takes it off its counter
    if (selfChargeMutation) c.i32(1).b.u8(0x0f);
    else c.get(L_BURNED).i32(1).op(0x6a).b.u8(0x0f);
  } else {
    c.get(L_BURNED).i32(0).b.u8(0x11).u32(2).u32(1); // call_indirect (type 2) table 1: the sender's counter -= burned
    c.i32(0).b.u8(0x0f);
  }
  c.b.u8(0x0b); // end block $caught: the kind is on the stack
  c.set(L_KIND);
  c.i32(0).i32(0);
  guardStore(c, 0);
  c.i32(0).i32(0);
  guardStore(c, W2W_CELL);
  c.get(0).get(1).get(2).get(L_KIND).call(F_FAILED).b.u8(0x0f);
  c.b.u8(0x0b); // end block $js: a JavaScript exception from the handler's port_send (its binder ended meanwhile)
  c.i32(0).i32(0);
  guardStore(c, 0);
  c.i32(0).i32(0);
  guardStore(c, W2W_CELL);
  c.get(0).get(1).get(2).i32(0).call(F_FAILED);
  // $slow: the bridge's port_send, or during a wasm-to-wasm activation the binder's own (slowW2w).
  const sel = new Code();
  guardLoad(sel, W2W_CELL);
  sel.b.u8(0x04).u8(0x40);
  sel.get(0).get(1).get(2).call(F_SLOWW2W).b.u8(0x0f);
  sel.b.u8(0x0b);
  sel.get(0).get(1).get(2).call(0);
  const mod = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [4, tables],
    [6, globals],
    [7, exports],
    [
      10,
      functionsCode([
        [[[6, I32]], c.b],
        [[], sel.b],
      ]),
    ],
  ]);
  portSendModules[self ? 1 : 0] = mod;
  return mod;
}

let chargeModule: WebAssembly.Module | null = null;

/** (import "m" "g" (global $fuel (mut i32))) (func (export "charge") (param i32) (global.set $fuel (i32.sub (global.get $fuel) (local.get 0)))) */
function charge(): WebAssembly.Module {
  if (chargeModule !== null) return chargeModule;
  const types = funcType(new ByteSink().u32(1), [I32], []);
  const imports = new ByteSink().u32(1);
  imports.name("m").name("g").u8(0x03).u8(I32).u8(0x01);
  const funcs = new ByteSink().u32(1).u32(0);
  const exports = new ByteSink().u32(1).name("charge").u8(0x00).u32(0);
  const c = new Code();
  c.global(0).get(0).op(0x6b).b.u8(0x24).u32(0);
  chargeModule = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [7, exports],
    [10, oneFunctionCode([], c.b)],
  ]);
  return chargeModule;
}

/**
 * If process p (its imports from syscallImports, before the guest is
 * instantiated) imports port_send, put the wasm-to-wasm dispatcher's export in
 * its place. Returns what to call with the guest's charge helper
 * (chargeHelper) once it is instantiated, or null when it needs none (it did
 * nothing, or `module` charges itself: chargesItself). Only for the
 * counting variant (the dispatcher bills by the counter), kernels that offer
 * the path (KernelCore.portW2w) and record no trace (the JavaScript path
 * writes the direct events).
 */
export function addPortW2w(
  k: KernelCore,
  p: Process,
  imports: Record<string, unknown>,
  module: WebAssembly.Module,
): ((charge: (fuel: number) => void) => void) | null {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  if (ns === undefined || !k.portW2w || w2wTraced(k)) return null;
  const slowSend = ns.port_send;
  if (typeof slowSend !== "function") return null;
  const header = p.handles.startMirror(p.promises).address;
  const failed = (h: number, code: number, value: bigint, kind: number): number => {
    w2wStats.failed++;
    const m = made;
    if (m !== null) return madeFailed(m, code, value, kind);
    if (kind === 0)
      throw new KernelBug(`pid ${p.pid}: a handler run wasm-to-wasm threw a JavaScript exception before it called the kernel`);
    const sender = k.current;
    const pt = sender === null ? -1 : sender.handles.get(h, Port, Rights.SEND);
    if (sender === null || typeof pt === "number") throw new KernelBug(`a wasm port_send failed with no port behind handle ${h}`);
    const r = sendDirect(k, sender, pt, code, value, kind);
    if (r === null) throw new KernelBug(`port ${pt.koid}: its direct entry ran from wasm, and the kernel would not have run it`);
    if (r === NORETURN) throw UNWIND;
    return r;
  };
  // This process's port_send while a wasm-to-wasm activation runs (W2W_CELL set). A RESIDENT process that is
  // not current runs code only as that activation's binder: its first call the wasm side cannot serve makes the
  // activation the kernel's (directMade), then it is the bridge's port_send as the binder's. Any other caller
  // (the binder once made, or a binder of a direct activation the kernel ran meanwhile) is current already.
  const slowW2w = (h: number, code: number, value: bigint): unknown => {
    if (made !== null && made.r !== p && p.state === ProcessState.RESIDENT && k.current !== p)
      throw new KernelBug(`pid ${p.pid} ran while pid ${made.r.pid}'s wasm-to-wasm activation was the kernel's`);
    if (made === null && p.state === ProcessState.RESIDENT && k.current !== p && !madeMutation) {
      const pt = portAtCell(w2wWords()[W2W_CELL >> 2]);
      if (!(pt instanceof Port) || pt.binder !== p)
        throw new KernelBug(`pid ${p.pid}: a wasm-to-wasm activation whose cell names no port it binds`);
      made = { k, sender: directMade(k, p), r: p, rt: p.runtime!, pt };
      w2wWords()[W2W_MADE >> 2] = 1;
    }
    return (slowSend as (h: number, code: number, value: bigint) => unknown)(h, code, value);
  };
  const self = chargesItself(module);
  const d = new WebAssembly.Instance(portSend(self), {
    k: {
      slow: slowSend,
      failed,
      slowW2w,
      ended: madeEnded,
      entries: entries(),
      mirror: handleMirrorMemory(),
      guard: guardWords(),
      header,
      tag: directTag(),
    },
  } as unknown as WebAssembly.Imports);
  ns.port_send = d.exports.port_send;
  if (self) return null; // no charge helper: the module's own port_send charges
  const table = d.exports.charge as WebAssembly.Table;
  return (charge) => table.set(0, charge as () => void);
}

/** A wasm-to-wasm activation the kernel made its own (directMade): at most one at a time (no nesting: the depth word). */
interface Made {
  k: KernelCore;
  sender: Process;
  r: Process;
  /** r's runtime (the kernel drops r.runtime when r ends, and its counter is still what the bill needs). */
  rt: ProcessRuntime;
  pt: Port;
}
let made: Made | null = null;
/**
 * Test only: never make a wasm-to-wasm activation the kernel's (the handler's port_send then goes to the
 * bridge as its sender's): test/ports/w2w.test.ts shows the comparison with the JavaScript path then fails.
 */
let madeMutation = false;
export function mutateMadeForTest(skip: boolean): void {
  madeMutation = skip;
}

/** Wasm-to-wasm activations made the kernel's (tests: which path a packet took). */
export const madeStats = { made: 0 };

let w2wView: Int32Array | null = null;
function w2wWords(): Int32Array {
  return (w2wView ??= new Int32Array(guardWords().buffer));
}

/**
 * A process's own stack ended with an exception wasm cannot catch (V8's stack overflow) while a wasm-to-wasm
 * activation was on it: its words go back (the depth word included: nothing else is left on that stack, and a
 * direct activation run from JavaScript restores its own), and a made activation ends as the kernel's. The
 * static stack bound keeps this from happening (W2W_STACK_BOUND); without it (mutateW2wBoundForTest) a hostile
 * recursion ends its sender, and the next packet must still find the path as it was.
 */
export function w2wUnwound(): void {
  const w = w2wWords();
  if (w[W2W_CELL >> 2] === 0) return;
  w[0] = 0;
  w[W2W_CELL >> 2] = 0;
  w[W2W_MADE >> 2] = 0;
  const m = made;
  made = null;
  if (m !== null) directMadeEnd(m.k, m.sender, m.r, 0);
}

/** The made activation's handler returned, having burned `burned`: the kernel ends it as sendDirect does (the bill included). */
function madeEnded(burned: number): number {
  const m = made!;
  made = null;
  w2wWords()[W2W_MADE >> 2] = 0;
  madeStats.made++;
  const r = directMadeEnd(m.k, m.sender, m.r, burned);
  if (r === NORETURN) throw UNWIND;
  return r;
}

/**
 * The made activation ended otherwise: its copy threw its trap's tag (`kind`: the binder ends as on the
 * JavaScript path, runDirect with the kind) or a JavaScript exception (kind 0: the bridge unwound it, its binder
 * ended meanwhile). The fuel it burned is what its counter lost, as runDirect computes it.
 */
function madeFailed(m: Made, code: number, value: bigint, kind: number): number {
  made = null;
  w2wWords()[W2W_MADE >> 2] = 0;
  madeStats.made++;
  const budget = Math.min(m.k.sched.quantumFuel, MAX_SLICE_FUEL);
  const fuel = kind !== 0 ? m.rt.runDirect!(m.pt.handler, m.pt.key, code, value, budget, kind) : m.rt.directBurned!(budget);
  const r = directMadeEnd(m.k, m.sender, m.r, fuel);
  if (r === NORETURN) throw UNWIND;
  return r;
}

/** A process's charge helper: takes fuel off its counter, in wasm (one call, where fuelLeft then setFuel would be two). */
export function chargeHelper(fuel: WebAssembly.Global): (fuel: number) => void {
  return new WebAssembly.Instance(charge(), { m: { g: fuel } }).exports.charge as (fuel: number) => void;
}
