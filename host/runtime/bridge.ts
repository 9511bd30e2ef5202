// The syscall bridge: binds every ABI syscall to a wasm import. Non-blocking
// syscalls are plain imports (a call costs a function call); blocking ones are
// WebAssembly.Suspending imports, so the caller's stack is suspended and the
// kernel chooses what runs next. `sys(nr, ...)` is the single numbered entry:
// Suspending (it may block), same semantics.
//
// One set of import functions serves every process of a kernel: guest code
// runs only while its process is kernel.current (dispatch sets it before any
// start, resume or handler delivery; it changes only when that process blocks,
// yields, is preempted or ends), so the caller is kernel.current. Building a
// closure per syscall per process cost ~44 KB of heap per process.

import { Errno, IMPORT_MODULE, PledgeClass, SYS_ENTRY, SYSCALL_BY_NR, SYSCALLS, type SyscallDef } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { KernelBug } from "../../kernel/object.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { BLOCK, NORETURN, SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import { ExitReason } from "../../abi/gen/abi.ts";

type AnyHandler = (k: KernelCore, p: Process, ...args: any[]) => unknown;

/** Thrown into a guest's stack to unwind it after exit/panic/kill-self; never a guest-visible error. */
export const UNWIND = Object.freeze({ wasmosUnwind: true });

/** What the bridge needs from the process runtime to park a blocked call. */
export interface Suspender {
  /** A fresh promise for the next resume(); armed before the handler runs (it may wake us at once). */
  arm(): Promise<number>;
  /** Drop the armed promise (the call completed without blocking). */
  disarm(): void;
}

/**
 * A grant bound to p was revoked while p was running (kernel/mm/grants.ts):
 * it ends now, as its syscall returns, instead of running on.
 */
function endFaulted(k: KernelCore, p: Process): never {
  k.mm.endIfFaulted(p);
  throw UNWIND;
}

/** A kernel bug inside a handler ends only the calling process (reason KERNEL_FAULT). */
function fault(k: KernelCore, p: Process, name: string, e: unknown): never {
  const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  k.terminate(p, -1, ExitReason.KERNEL_FAULT, `kernel fault in ${name}: ${detail}`);
  throw UNWIND;
}

/**
 * The handler for def, with the pledge check in front: a syscall of a class
 * the process pledged away returns -EPLEDGE and does nothing. Core syscalls
 * skip the check.
 */
function pledged(def: SyscallDef): AnyHandler {
  const h = SYSCALL_HANDLERS[def.name as keyof typeof SYSCALL_HANDLERS] as AnyHandler;
  if (def.pledge === PledgeClass.core) return h;
  const bit = 1 << def.pledge;
  const refused = def.result === "i64" ? BigInt(-Errno.EPLEDGE) : -Errno.EPLEDGE;
  // Fixed arities: a rest-and-spread wrapper cost ~20 ns on every call.
  switch (def.params.length) {
    case 0:
      return (k, q) => ((q.promises & bit) === 0 ? refused : h(k, q));
    case 1:
      return (k, q, a) => ((q.promises & bit) === 0 ? refused : h(k, q, a));
    case 2:
      return (k, q, a, b) => ((q.promises & bit) === 0 ? refused : h(k, q, a, b));
    case 3:
      return (k, q, a, b, c) => ((q.promises & bit) === 0 ? refused : h(k, q, a, b, c));
    case 4:
      return (k, q, a, b, c, d) => ((q.promises & bit) === 0 ? refused : h(k, q, a, b, c, d));
    default:
      return (k, q, ...args) => ((q.promises & bit) === 0 ? refused : h(k, q, ...args));
  }
}

function syncImport(k: KernelCore, def: SyscallDef): (...a: any[]) => unknown {
  const h = pledged(def);
  const name = def.name;
  const done = (p: Process, r: unknown): unknown => {
    if (r === NORETURN) throw UNWIND;
    if (typeof r === "symbol") fault(k, p, name, new KernelBug(`non-blocking ${name} tried to block`));
    if (p.mm.fault !== null) endFaulted(k, p);
    return r;
  };
  // Fixed arities keep the common calls monomorphic and allocation-free.
  switch (def.params.length) {
    case 0:
      return () => {
        const p = caller(k);
        try {
          return done(p, h(k, p));
        } catch (e) {
          if (e === UNWIND) throw e;
          return fault(k, p, name, e);
        }
      };
    case 1:
      return (a: unknown) => {
        const p = caller(k);
        try {
          return done(p, h(k, p, a));
        } catch (e) {
          if (e === UNWIND) throw e;
          return fault(k, p, name, e);
        }
      };
    case 2:
      return (a: unknown, b: unknown) => {
        const p = caller(k);
        try {
          return done(p, h(k, p, a, b));
        } catch (e) {
          if (e === UNWIND) throw e;
          return fault(k, p, name, e);
        }
      };
    case 3:
      return (a: unknown, b: unknown, c: unknown) => {
        const p = caller(k);
        try {
          return done(p, h(k, p, a, b, c));
        } catch (e) {
          if (e === UNWIND) throw e;
          return fault(k, p, name, e);
        }
      };
    default:
      return (...args: unknown[]) => {
        const p = caller(k);
        try {
          return done(p, h(k, p, ...args));
        } catch (e) {
          if (e === UNWIND) throw e;
          return fault(k, p, name, e);
        }
      };
  }
}

/** Run a possibly-blocking handler: a value now, or a promise the kernel resolves by resume(). */
function callBlocking(k: KernelCore, def: SyscallDef, args: unknown[]): number | bigint | Promise<number> {
  const h = pledged(def);
  const p = caller(k);
  const s = p.runtime as unknown as Suspender;
  const pending = s.arm();
  let r: unknown;
  try {
    r = h(k, p, ...args);
  } catch (e) {
    s.disarm();
    if (e === UNWIND) throw e;
    return fault(k, p, def.name, e);
  }
  if (p.mm.fault !== null) {
    s.disarm();
    endFaulted(k, p);
  }
  if (r === BLOCK) return pending;
  s.disarm();
  if (r === NORETURN) throw UNWIND;
  return r as number | bigint;
}

function blockingImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  // Fixed arities: the IPC calls (send 6, receive 4) avoid a rest array per call.
  switch (def.params.length) {
    case 0:
      return new WebAssembly.Suspending(() => callBlocking(k, def, NO_ARGS));
    case 1:
      return new WebAssembly.Suspending((a: unknown) => callBlocking(k, def, [a]));
    case 3:
      return new WebAssembly.Suspending((a: unknown, b: unknown, c: unknown) => callBlocking(k, def, [a, b, c]));
    case 4:
      return new WebAssembly.Suspending((a: unknown, b: unknown, c: unknown, d: unknown) => callBlocking(k, def, [a, b, c, d]));
    default:
      return new WebAssembly.Suspending((...args: unknown[]) => callBlocking(k, def, args));
  }
}
const NO_ARGS: unknown[] = [];

/** sys(nr, a0..a5): decode the arguments as syscall nr's parameters, widen the result to i64. */
function sysEntry(k: KernelCore): WebAssembly.Suspending {
  const sync: ((...a: any[]) => unknown)[] = [];
  for (const def of SYSCALLS) if (!def.blocking) sync[def.nr] = syncImport(k, def);
  return new WebAssembly.Suspending((nr: number, ...raw: bigint[]) => {
    const def = nr > 0 ? SYSCALL_BY_NR[nr] : undefined;
    if (def === undefined) return BigInt(-Errno.ENOSYS);
    const args = def.params.map((prm, i) => (prm.type === "i32" ? Number(BigInt.asIntN(32, raw[i])) : BigInt.asIntN(64, raw[i])));
    if (!def.blocking) {
      const r = sync[def.nr](...args);
      return typeof r === "bigint" ? r : BigInt(r as number);
    }
    const r = callBlocking(k, def, args);
    if (typeof r === "object") return r.then((v) => BigInt(v));
    return typeof r === "bigint" ? r : BigInt(r);
  });
}

/** The process making a syscall: the kernel's current one (see the top of this file). */
function caller(k: KernelCore): Process {
  const p = k.current;
  if (p === null) throw new KernelBug("a syscall arrived while no process was running");
  return p;
}

const shared = new WeakMap<KernelCore, Readonly<Record<string, unknown>>>();

/** Every syscall and `sys`, for all processes of kernel k (built once per kernel). */
function kernelSyscalls(k: KernelCore): Readonly<Record<string, unknown>> {
  let ns = shared.get(k);
  if (ns === undefined) {
    const built: Record<string, unknown> = {};
    for (const def of SYSCALLS) built[def.name] = def.blocking ? blockingImport(k, def) : syncImport(k, def);
    built[SYS_ENTRY.name] = sysEntry(k);
    ns = Object.freeze(built);
    shared.set(k, ns);
  }
  return ns;
}

const importNames = new WeakMap<WebAssembly.Module, readonly string[]>();

/**
 * The import object for one instance of `module`: module "wasmos" with the
 * syscalls it imports (shared functions; a fresh object, so the runtime may
 * add its own per-process imports such as the fuel import).
 */
export function syscallImports(k: KernelCore, module: WebAssembly.Module): Record<string, unknown> {
  let names = importNames.get(module);
  if (names === undefined) {
    names = WebAssembly.Module.imports(module)
      .filter((i) => i.module === IMPORT_MODULE && i.kind === "function")
      .map((i) => i.name);
    importNames.set(module, names);
  }
  const all = kernelSyscalls(k);
  const ns: Record<string, unknown> = {};
  for (const n of names) if (n in all) ns[n] = all[n];
  return { [IMPORT_MODULE]: ns };
}

const SYSCALL_BY_NAME = new Map(SYSCALLS.map((d) => [d.name, d]));

/**
 * For personality layers (host/personality/): make syscall `name` on behalf of
 * the current process, exactly as its import would (pledge check, fault and
 * kernel-bug handling, blocking). Returns the result, or a promise of it when
 * the call blocked (the caller must be a Suspending import and await it);
 * throws UNWIND when the process ended. A personality thus holds no authority
 * of its own: whatever it does, the process could have done through the ABI.
 */
export function invokeSyscall(k: KernelCore, name: string, args: unknown[]): number | bigint | Promise<number> {
  const def = SYSCALL_BY_NAME.get(name);
  if (def === undefined) throw new KernelBug(`no syscall ${name}`);
  return callBlocking(k, def, args);
}
