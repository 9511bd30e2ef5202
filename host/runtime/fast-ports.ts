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

import { Errno, IMPORT_MODULE, SYS_ENTRY, SYSCALL_BY_NR, SYSCALLS } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { FUEL_IMPORT } from "../../loader/instrument/fuel.ts";
import { invokeSyscall } from "./bridge.ts";
import { assemble, ByteSink, funcType, I32, I64, oneFunctionCode } from "./assemble.ts";
import { chosenOf, choosesInEveryProcess, guardImports, type GuardSpec, isSplit, VALTYPE } from "./split-imports.ts";

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
 * (null for the epoch variant: the handler export is called as it is).
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
      if (this.fuel === null) {
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
 * Returns whether the process may run direct activations.
 */
export function guardSyscallImports(
  k: KernelCore,
  imports: Record<string, unknown>,
  outOfFuel: () => undefined,
  mayDirect: boolean,
  shareable: boolean,
  cacheBy?: object,
): boolean {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  if (ns === undefined) return false;
  const capable = mayDirect && ("port_bind" in ns || SYS_ENTRY.name in ns);
  const list: GuardSpec[] = [];
  const chooseAll = choosesInEveryProcess(k);
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
