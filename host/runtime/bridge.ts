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
import {
  BLOCK,
  checkedHandler,
  type HostRequest,
  ioCallHost,
  NORETURN,
  nsCallHost,
  nsOpenPath,
  SYSCALL_HANDLERS,
  unchangedOnError,
} from "../../kernel/syscalls/index.ts";
import { ExitReason } from "../../abi/gen/abi.ts";
import { HINT_RECEIVE } from "../../kernel/fast/hints.ts";
import { markChosen, markSplit, mustWait, splitStats } from "./split-imports.ts";
import { type DeferredStart, MAX_NESTED_STARTS, startStats, startWindow } from "./start-entry.ts";

type AnyHandler = (k: KernelCore, p: Process, ...args: any[]) => unknown;

/** Thrown into a guest's stack to unwind it after exit/panic/kill-self; never a guest-visible error. */
export const UNWIND = Object.freeze({ wasmosUnwind: true });

/** What the bridge needs from the process runtime to park a blocked call. */
export interface Suspender {
  /** A fresh promise for the next resume(); armed before the handler runs (it may wake us at once). */
  arm(): Promise<number>;
  /** Drop the armed promise (the call completed without blocking). */
  disarm(): void;
  /**
   * Arm for a split import's plain entry (split-imports.ts): no promise yet; a
   * resume() before settle() (the handler woke its own process, e.g. yield
   * with nothing else ready) is kept instead of resolving one.
   */
  armPlain(): void;
  /** The call completed without blocking (or threw): end armPlain. */
  disarmPlain(): void;
  /**
   * The handler returned BLOCK: the value it was resumed with meanwhile (run
   * on, no suspension), or the promise to wait for (resolved by a later
   * resume(), or after a turn of the event loop if one was due).
   */
  settle(): number | Promise<number>;
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
 * skip the check. With k.checkContracts, the handler's errors are checked
 * against its ABI entry (kernel/syscalls/contract.ts).
 */
function pledged(k: KernelCore, def: SyscallDef): AnyHandler {
  const h = unpledged(k, def);
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
    case 5:
      return (k, q, a, b, c, d, e) => ((q.promises & bit) === 0 ? refused : h(k, q, a, b, c, d, e));
    case 6:
      return (k, q, a, b, c, d, e, f) => ((q.promises & bit) === 0 ? refused : h(k, q, a, b, c, d, e, f));
    default:
      return (k, q, ...args) => ((q.promises & bit) === 0 ? refused : h(k, q, ...args));
  }
}

function syncImport(k: KernelCore, def: SyscallDef): (...a: any[]) => unknown {
  const h = pledged(k, def);
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

/** Call h with exactly n of the arguments (a handler's arity is its syscall's: no rest array, no spread). */
function invoke(
  h: AnyHandler,
  k: KernelCore,
  p: Process,
  n: number,
  a: unknown,
  b: unknown,
  c: unknown,
  d: unknown,
  e: unknown,
  f: unknown,
): unknown {
  switch (n) {
    case 0:
      return h(k, p);
    case 1:
      return h(k, p, a);
    case 2:
      return h(k, p, a, b);
    case 3:
      return h(k, p, a, b, c);
    case 4:
      return h(k, p, a, b, c, d);
    case 5:
      return h(k, p, a, b, c, d, e);
    default:
      return h(k, p, a, b, c, d, e, f);
  }
}

/**
 * Run a possibly-blocking handler (h: the syscall's handler behind its pledge
 * check, made once per kernel): a value now, or a promise the kernel resolves
 * by resume().
 */
function callBlocking(
  k: KernelCore,
  def: SyscallDef,
  h: AnyHandler,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  e?: unknown,
  f?: unknown,
): number | bigint | Promise<number> {
  const p = caller(k);
  const s = p.runtime as unknown as Suspender;
  const pending = s.arm();
  let r: unknown;
  try {
    r = invoke(h, k, p, def.params.length, a, b, c, d, e, f);
  } catch (err) {
    return thrownArmed(k, p, s, def.name, err);
  }
  return settleArmed(k, p, s, r, pending) as number | bigint | Promise<number>;
}

/** An armed blocking entry's handler threw: an unwind goes on up; anything else is a kernel bug that ends the caller. */
function thrownArmed(k: KernelCore, p: Process, s: Suspender, name: string, err: unknown): never {
  s.disarm();
  if (err === UNWIND) throw err;
  return fault(k, p, name, err);
}

/**
 * How every armed blocking entry ends once its handler returned r: a fault the
 * handler left ends the process; BLOCK hands JSPI the armed promise; NORETURN
 * unwinds the stack; anything else is the syscall's result now.
 */
function settleArmed(k: KernelCore, p: Process, s: Suspender, r: unknown, pending: Promise<number>): unknown {
  if (p.mm.fault !== null) {
    s.disarm();
    endFaulted(k, p);
  }
  if (r === BLOCK) return pending;
  s.disarm();
  if (r === NORETURN) throw UNWIND;
  return r;
}

/**
 * callBlocking for a split import's plain entry (split-imports.ts): the same
 * steps, but nothing is armed up front, and a call whose handler resumed its
 * own process before returning BLOCK (yield or sleep(0) with nothing else
 * ready) gets the value at once: no promise, no suspension. A promise means
 * "must wait" (the caller hands it to mustWait()).
 */
function callSplit(
  k: KernelCore,
  def: SyscallDef,
  h: AnyHandler,
  a?: unknown,
  b?: unknown,
  c?: unknown,
  d?: unknown,
  e?: unknown,
  f?: unknown,
): number | bigint | Promise<number> {
  const p = caller(k);
  const s = p.runtime as unknown as Suspender;
  s.armPlain();
  // A process the handler dispatches for the first time (the child a wait blocks for) is started here once
  // the handler has returned, before this import returns (start-entry.ts startWindow): a child that runs to
  // its end without blocking wakes its caller before the caller would have suspended.
  const w = startWindow;
  const outerOpen = w.open;
  const outerDeferred = w.deferred;
  w.open = true;
  w.deferred = null;
  let r: unknown;
  try {
    r = invoke(h, k, p, def.params.length, a, b, c, d, e, f);
  } catch (err) {
    startDeferred(outerOpen, outerDeferred, false);
    s.disarmPlain();
    if (err === UNWIND) throw err;
    return fault(k, p, def.name, err);
  }
  if (w.deferred !== null) {
    startDeferred(outerOpen, outerDeferred, r === BLOCK && p.mm.fault === null);
    // Ended meanwhile (the child it started killed it): its stack unwinds, nothing waits.
    if (p.exit !== null) {
      s.disarmPlain();
      throw UNWIND;
    }
  } else {
    w.open = outerOpen;
    w.deferred = outerDeferred;
  }
  if (p.mm.fault !== null) {
    s.disarmPlain();
    endFaulted(k, p);
  }
  if (r === BLOCK) return s.settle();
  s.disarmPlain();
  if (r === NORETURN) throw UNWIND;
  return r as number | bigint;
}

/**
 * Close callSplit's start window (restoring the one around it) and start the process its handler dispatched
 * for the first time: now, on this stack (the caller blocked and the handler returned normally), or in a
 * microtask as anywhere else.
 */
function startDeferred(outerOpen: boolean, outerDeferred: DeferredStart | null, now: boolean): void {
  const w = startWindow;
  const d = w.deferred;
  w.open = outerOpen;
  w.deferred = outerDeferred;
  if (d === null) return;
  if (!now || w.depth >= MAX_NESTED_STARTS) return d.startLater();
  startStats.nested++;
  w.depth++;
  try {
    d.startNow();
  } finally {
    w.depth--;
  }
}

/**
 * The plain entry of blocking syscall def (split-imports.ts): its result, or
 * "must wait" through the guard's word. Fixed arities, as blockingImport.
 */
function splitImport(k: KernelCore, def: SyscallDef, chosen = false): (...a: any[]) => unknown {
  const h = pledged(k, def);
  const zero = def.result === "i64" ? 0n : 0;
  const out = chosen
    ? (r: number | bigint | Promise<number>): number | bigint => {
        splitStats.chosen++;
        if (typeof r !== "object") return r;
        mustWait(r);
        return zero;
      }
    : (r: number | bigint | Promise<number>): number | bigint => {
        if (typeof r !== "object") return r;
        mustWait(r);
        return zero;
      };
  type A = unknown;
  let f: (...a: any[]) => unknown;
  switch (def.params.length) {
    case 0:
      f = () => out(callSplit(k, def, h));
      break;
    case 1:
      f = (a: A) => out(callSplit(k, def, h, a));
      break;
    case 2:
      f = (a: A, b: A) => out(callSplit(k, def, h, a, b));
      break;
    case 3:
      f = (a: A, b: A, c: A) => out(callSplit(k, def, h, a, b, c));
      break;
    case 4:
      f = (a: A, b: A, c: A, d: A) => out(callSplit(k, def, h, a, b, c, d));
      break;
    case 5:
      f = (a: A, b: A, c: A, d: A, e: A) => out(callSplit(k, def, h, a, b, c, d, e));
      break;
    case 6:
      f = (a: A, b: A, c: A, d: A, e: A, f: A) => out(callSplit(k, def, h, a, b, c, d, e, f));
      break;
    default:
      throw new KernelBug(`blocking syscall ${def.name} has ${def.params.length} parameters (the bridge handles up to 6)`);
  }
  return markSplit(f);
}

/** sys(nr, ...) as a split import's plain entry: every call without a suspension unless it must wait. */
function splitSysEntry(k: KernelCore): (...a: any[]) => unknown {
  const sync: ((...a: any[]) => unknown)[] = [];
  const blocking: AnyHandler[] = [];
  for (const def of SYSCALLS) {
    if (!def.blocking) sync[def.nr] = syncImport(k, def);
    else blocking[def.nr] = pledged(k, def);
  }
  return markSplit((nr: number, ...raw: bigint[]) => {
    const def = nr > 0 ? SYSCALL_BY_NR[nr] : undefined;
    if (def === undefined) return BigInt(-Errno.ENOSYS);
    const args = def.params.map((prm, i) => (prm.type === "i32" ? Number(BigInt.asIntN(32, raw[i])) : BigInt.asIntN(64, raw[i])));
    if (!def.blocking) {
      const r = sync[def.nr](...args);
      return typeof r === "bigint" ? r : BigInt(r as number);
    }
    const r = callSplit(k, def, blocking[def.nr], ...args);
    if (typeof r === "object") {
      mustWait(r.then((v) => BigInt(v)));
      return 0n;
    }
    return typeof r === "bigint" ? r : BigInt(r);
  });
}

/**
 * The blocking syscalls whose named imports are split, decided per import by
 * measurement (docs/fastpath.md "Blocking syscalls that return at once"): a
 * split import saves a suspension (≈120-150 ns) when the call completes at
 * once and costs one more crossing (≈30 ns) when it waits. Those that nearly
 * always wait stay Suspending: call, reply_wait, pulse_wait, send, sendmsg and
 * receive (a round trip or a pulse: ipc_rtt_ns, pulse_ns), yield (a switch:
 * ctx_switch_ns), the namespace calls (a request to a server) and
 * sched_wait_period (the next period). sys is split whatever it calls.
 */
export const SPLIT_SYSCALLS: ReadonlySet<string> = new Set(["sleep", "wait", "futex_wait"]);

/**
 * The blocking syscalls chosen before calling (docs/fastpath.md "Choosing
 * before calling"): the guard calls the split plain entry when the kernel's
 * hint word (kernel/fast/hints.ts) says the call would complete now, the
 * Suspending import otherwise, so a call that waits costs what it did.
 */
export const CHOSEN_SYSCALLS: ReadonlyMap<string, number> = new Map([["receive", HINT_RECEIVE]]);

const splitShared = new WeakMap<KernelCore, Readonly<Record<string, unknown>>>();

/** The split plain entries of kernel k's blocking syscalls and sys (built once per kernel; never for an observed kernel). */
function kernelSplitSyscalls(k: KernelCore): Readonly<Record<string, unknown>> {
  let ns = splitShared.get(k);
  if (ns === undefined) {
    const built: Record<string, unknown> = {};
    const suspending = kernelSyscalls(k);
    for (const def of SYSCALLS) {
      if (!def.blocking) continue;
      if (SPLIT_SYSCALLS.has(def.name)) built[def.name] = splitImport(k, def);
      const hint = CHOSEN_SYSCALLS.get(def.name);
      if (hint === undefined) continue;
      const plain =
        def.name === "receive" && def.pledge !== PledgeClass.core && def.params.length === 4
          ? receivePlain(k, def)
          : splitImport(k, def, true);
      built[def.name] = markChosen(plain, suspending[def.name] as WebAssembly.Suspending, hint);
    }
    built[SYS_ENTRY.name] = splitSysEntry(k);
    ns = Object.freeze(built);
    splitShared.set(k, ns);
  }
  return ns;
}

/** The handler for def without the pledge check (with the kernel's contract checks, if on): what pledged() wraps. */
function unpledged(k: KernelCore, def: SyscallDef): AnyHandler {
  const raw = SYSCALL_HANDLERS[def.name as keyof typeof SYSCALL_HANDLERS] as AnyHandler;
  const checked = k.checkFailedCalls ? unchangedOnError(def, raw) : raw;
  return k.checkContracts ? checkedHandler(def, checked) : checked;
}

/**
 * call and reply_wait, the two halves of the standard round trip, each with an
 * entry of its own: callBlocking's steps (arm, pledge, handler, fault check,
 * block or return) written out once per call, so every call site in them sees
 * one function and V8 inlines the handler (the generic path's call sites see
 * every blocking syscall, and the pledge wrapper's every syscall of its arity).
 */
function callImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  const h = unpledged(k, def) as (k: KernelCore, p: Process, ep: number, words: number) => unknown;
  const bit = 1 << def.pledge;
  const name = def.name;
  return new WebAssembly.Suspending((ep: number, words: number) => {
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -Errno.EPLEDGE : h(k, p, ep, words);
    } catch (err) {
      return thrownArmed(k, p, s, name, err);
    }
    return settleArmed(k, p, s, r, pending);
  });
}

/** reply_wait's own entry (see callImport). */
function replyWaitImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  const h = unpledged(k, def) as (k: KernelCore, p: Process, ep: number, rcvid: number, status: number, words: number) => unknown;
  const bit = 1 << def.pledge;
  const name = def.name;
  return new WebAssembly.Suspending((ep: number, rcvid: number, status: number, words: number) => {
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -Errno.EPLEDGE : h(k, p, ep, rcvid, status, words);
    } catch (err) {
      return thrownArmed(k, p, s, name, err);
    }
    return settleArmed(k, p, s, r, pending);
  });
}

/**
 * io_reply_wait's own entry (see callImport): a resource manager's answer and wait. Not chosen before
 * calling (CHOSEN_SYSCALLS): it nearly always waits (the client it answers runs next), and a guard frame
 * in front of a call that waits costs more than the crossing it would save. The library takes a request
 * with nothing to answer (after a pulse) with receive, which is chosen.
 */
function ioReplyWaitImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  type H = (k: KernelCore, p: Process, ep: number, rcvid: number, status: number, words: number, bufPtr: number, bufLen: number) => unknown;
  const h = unpledged(k, def) as H;
  const bit = 1 << def.pledge;
  const name = def.name;
  return new WebAssembly.Suspending((ep: number, rcvid: number, status: number, words: number, bufPtr: number, bufLen: number) => {
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -Errno.EPLEDGE : h(k, p, ep, rcvid, status, words, bufPtr, bufLen);
    } catch (err) {
      return thrownArmed(k, p, s, name, err);
    }
    return settleArmed(k, p, s, r, pending);
  });
}

/** pulse_wait's own entry (see callImport): an event loop's signal-and-wait, both halves of a pulse ping-pong. */
function pulseWaitImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  return new WebAssembly.Suspending(pulseWaitEntry(k, def));
}

/** pulseWaitImport's function (the vDSO's pulse fallback calls it too: host/runtime/fast-yield.ts). */
export function pulseWaitEntry(
  k: KernelCore,
  def: SyscallDef = SYSCALL_BY_NAME.get("pulse_wait")!,
): (ep: number, code: number, value: number, waitEp: number) => unknown {
  const h = unpledged(k, def) as (k: KernelCore, p: Process, ep: number, code: number, value: number, waitEp: number) => unknown;
  const bit = 1 << def.pledge;
  const name = def.name;
  return (ep: number, code: number, value: number, waitEp: number) => {
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -Errno.EPLEDGE : h(k, p, ep, code, value, waitEp);
    } catch (err) {
      return thrownArmed(k, p, s, name, err);
    }
    return settleArmed(k, p, s, r, pending);
  };
}

/** receive's own entry (see callImport): the other half of a pulse round trip, and the legacy server's wait. */
function receiveImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  const h = unpledged(k, def) as (k: KernelCore, p: Process, ep: number, bufPtr: number, bufLen: number, deadline: bigint) => unknown;
  const bit = 1 << def.pledge;
  const name = def.name;
  return new WebAssembly.Suspending((ep: number, bufPtr: number, bufLen: number, deadline: bigint) => {
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    const pending = s.arm();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -Errno.EPLEDGE : h(k, p, ep, bufPtr, bufLen, deadline);
    } catch (err) {
      return thrownArmed(k, p, s, name, err);
    }
    return settleArmed(k, p, s, r, pending);
  });
}

/**
 * yield's own entry (see callImport): a context switch (ctx_switch_ns). A core syscall, so no pledge check.
 * Through the generic path a yield reached its handler from callBlocking's `invoke`, whose call sites every
 * blocking syscall of its arity shares.
 */
function yieldImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  return new WebAssembly.Suspending(yieldEntry(k, def));
}

/** yieldImport's function (the yield vDSO's fallback calls it too: host/runtime/fast-yield.ts). */
export function yieldEntry(k: KernelCore, def: SyscallDef = SYSCALL_BY_NAME.get("yield")!): () => unknown {
  const h = unpledged(k, def) as (k: KernelCore, p: Process) => unknown;
  const name = def.name;
  return () => {
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    const pending = s.arm();
    let r: unknown;
    try {
      r = h(k, p);
    } catch (err) {
      return thrownArmed(k, p, s, name, err);
    }
    return settleArmed(k, p, s, r, pending);
  };
}

/**
 * receive's split plain entry (chosen before calling: the guard calls it when
 * the kernel's hint says something is queued): callSplit's steps written out
 * for receive, as receiveImport's are callBlocking's.
 */
function receivePlain(k: KernelCore, def: SyscallDef): (ep: number, bufPtr: number, bufLen: number, deadline: bigint) => unknown {
  const h = unpledged(k, def) as (k: KernelCore, p: Process, ep: number, bufPtr: number, bufLen: number, deadline: bigint) => unknown;
  const bit = 1 << def.pledge;
  const name = def.name;
  return (ep: number, bufPtr: number, bufLen: number, deadline: bigint) => {
    splitStats.chosen++;
    const p = caller(k);
    const s = p.runtime as unknown as Suspender;
    s.armPlain();
    let r: unknown;
    try {
      r = (p.promises & bit) === 0 ? -Errno.EPLEDGE : h(k, p, ep, bufPtr, bufLen, deadline);
    } catch (err) {
      s.disarmPlain();
      if (err === UNWIND) throw err;
      return fault(k, p, name, err);
    }
    if (p.mm.fault !== null) {
      s.disarmPlain();
      endFaulted(k, p);
    }
    if (r === BLOCK) {
      const v = s.settle();
      if (typeof v === "number") return v;
      mustWait(v);
      return 0;
    }
    s.disarmPlain();
    if (r === NORETURN) throw UNWIND;
    return r;
  };
}

function blockingImport(k: KernelCore, def: SyscallDef): WebAssembly.Suspending {
  if (def.name === "call" && def.pledge !== PledgeClass.core) return callImport(k, def);
  if (def.name === "io_reply_wait" && def.pledge !== PledgeClass.core && def.params.length === 6) return ioReplyWaitImport(k, def);
  if (def.name === "reply_wait" && def.pledge !== PledgeClass.core) return replyWaitImport(k, def);
  if (def.name === "receive" && def.pledge !== PledgeClass.core && def.params.length === 4) return receiveImport(k, def);
  if (def.name === "pulse_wait" && def.pledge !== PledgeClass.core) return pulseWaitImport(k, def);
  if (def.name === "yield" && def.pledge === PledgeClass.core && def.params.length === 0) return yieldImport(k, def);
  // The pledge-checked handler once per kernel (it was made on every call), and fixed arities up to 6
  // (send has 6): no rest array, no spread, no closure per call.
  const h = pledged(k, def);
  type A = unknown;
  switch (def.params.length) {
    case 0:
      return new WebAssembly.Suspending(() => callBlocking(k, def, h));
    case 1:
      return new WebAssembly.Suspending((a: A) => callBlocking(k, def, h, a));
    case 2:
      return new WebAssembly.Suspending((a: A, b: A) => callBlocking(k, def, h, a, b));
    case 3:
      return new WebAssembly.Suspending((a: A, b: A, c: A) => callBlocking(k, def, h, a, b, c));
    case 4:
      return new WebAssembly.Suspending((a: A, b: A, c: A, d: A) => callBlocking(k, def, h, a, b, c, d));
    case 5:
      return new WebAssembly.Suspending((a: A, b: A, c: A, d: A, e: A) => callBlocking(k, def, h, a, b, c, d, e));
    case 6:
      return new WebAssembly.Suspending((a: A, b: A, c: A, d: A, e: A, f: A) => callBlocking(k, def, h, a, b, c, d, e, f));
    default:
      throw new KernelBug(`blocking syscall ${def.name} has ${def.params.length} parameters (the bridge handles up to 6)`);
  }
}

/** sys(nr, a0..a5): decode the arguments as syscall nr's parameters, widen the result to i64. */
function sysEntry(k: KernelCore): WebAssembly.Suspending {
  const sync: ((...a: any[]) => unknown)[] = [];
  const blocking: AnyHandler[] = [];
  for (const def of SYSCALLS) {
    if (!def.blocking) sync[def.nr] = syncImport(k, def);
    else blocking[def.nr] = pledged(k, def);
  }
  return new WebAssembly.Suspending((nr: number, ...raw: bigint[]) => {
    const def = nr > 0 ? SYSCALL_BY_NR[nr] : undefined;
    if (def === undefined) return BigInt(-Errno.ENOSYS);
    const args = def.params.map((prm, i) => (prm.type === "i32" ? Number(BigInt.asIntN(32, raw[i])) : BigInt.asIntN(64, raw[i])));
    if (!def.blocking) {
      const r = sync[def.nr](...args);
      return typeof r === "bigint" ? r : BigInt(r as number);
    }
    const r = callBlocking(k, def, blocking[def.nr], ...args);
    if (typeof r === "object") return r.then((v) => BigInt(v));
    return typeof r === "bigint" ? r : BigInt(r);
  });
}

/** The process making a syscall: the kernel's current one (see the top of this file). */
function caller(k: KernelCore): Process {
  if (k.lazyYields !== 0) k.syncYields(); // the lazy yields' words back first (kernel/fast/yields.ts)
  const p = k.current;
  if (p === null) throw new KernelBug("a syscall arrived while no process was running");
  return p;
}

const shared = new WeakMap<KernelCore, Readonly<Record<string, unknown>>>();

/**
 * Sees every syscall of every process of a kernel (strace, the Chrome trace).
 * `enter` before the handler runs; `leave` when the call returns to the
 * guest (for a blocking call, when it is resumed), with the result, or null
 * when the call never returns (exit, panic, the process ended meanwhile).
 */
export interface SyscallObserver {
  enter(p: Process, def: SyscallDef, args: readonly (number | bigint)[]): void;
  leave(p: Process, def: SyscallDef, args: readonly (number | bigint)[], result: number | bigint | null): void;
}

const observers = new WeakMap<KernelCore, SyscallObserver>();

/** Whether kernel k's syscalls are observed (then every call must reach the bridge: no fast path answers in wasm). */
export function syscallsObserved(k: KernelCore): boolean {
  return observers.has(k);
}

/**
 * Observe kernel k's syscalls. Must be called before k's first process
 * starts: the imports are built once per kernel, and only an observed kernel
 * gets the wrapped ones, so observation costs nothing when off.
 */
export function observeSyscalls(k: KernelCore, observer: SyscallObserver): void {
  if (shared.has(k)) throw new Error("observeSyscalls: the kernel's syscall imports are already built (call it before the first spawn)");
  observers.set(k, observer);
}

/** An observed syscall: the plain path in between enter and leave; always Suspending (it may block). */
function observedCall(
  k: KernelCore,
  def: SyscallDef,
  obs: SyscallObserver,
  args: (number | bigint)[],
  sync: ((...a: any[]) => unknown) | null,
): unknown {
  const p = caller(k);
  obs.enter(p, def, args);
  let r: unknown;
  try {
    r = sync !== null ? sync(...args) : callBlocking(k, def, pledged(k, def), ...args);
  } catch (e) {
    obs.leave(p, def, args, null);
    throw e;
  }
  if (r instanceof Promise) {
    return r.then(
      (v: number) => {
        obs.leave(p, def, args, v);
        return v;
      },
      (e: unknown) => {
        obs.leave(p, def, args, null);
        throw e;
      },
    );
  }
  obs.leave(p, def, args, r as number | bigint);
  return r;
}

function observedSyscalls(k: KernelCore, obs: SyscallObserver): Record<string, unknown> {
  const sync: ((...a: any[]) => unknown)[] = [];
  const built: Record<string, unknown> = {};
  for (const def of SYSCALLS) {
    const plain = def.blocking ? null : syncImport(k, def);
    if (plain !== null) sync[def.nr] = plain;
    built[def.name] = new WebAssembly.Suspending((...args: (number | bigint)[]) => observedCall(k, def, obs, args, plain));
  }
  built[SYS_ENTRY.name] = new WebAssembly.Suspending((nr: number, ...raw: bigint[]) => {
    const def = nr > 0 ? SYSCALL_BY_NR[nr] : undefined;
    if (def === undefined) return BigInt(-Errno.ENOSYS);
    const args = def.params.map((prm, i) => (prm.type === "i32" ? Number(BigInt.asIntN(32, raw[i])) : BigInt.asIntN(64, raw[i])));
    const r = observedCall(k, def, obs, args, def.blocking ? null : sync[def.nr]);
    if (r instanceof Promise) return r.then((v) => BigInt(v as number));
    return typeof r === "bigint" ? r : BigInt(r as number);
  });
  return built;
}

/** Every syscall and `sys`, for all processes of kernel k (built once per kernel). */
function kernelSyscalls(k: KernelCore): Readonly<Record<string, unknown>> {
  let ns = shared.get(k);
  if (ns === undefined) {
    const obs = observers.get(k);
    if (obs !== undefined) {
      ns = Object.freeze(observedSyscalls(k, obs));
      shared.set(k, ns);
      return ns;
    }
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
 * add its own per-process imports such as the fuel import). With `split`
 * (and the kernel not observed), the blocking ones and sys are split plain
 * entries (split-imports.ts): the caller must put guards in front of them.
 */
export function syscallImports(k: KernelCore, module: WebAssembly.Module, split = false): Record<string, unknown> {
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
  if (split && !observers.has(k)) {
    const plain = kernelSplitSyscalls(k);
    for (const n of names) if (n in plain) ns[n] = plain[n];
  }
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
 * `split`: the caller is a split import's plain entry (split-imports.ts): a
 * call whose handler resumes the process at once (yield with nothing else
 * ready) returns the value instead of a resolved promise.
 */
export function invokeSyscall(k: KernelCore, name: string, args: unknown[], split = false): number | bigint | Promise<number> {
  const def = SYSCALL_BY_NAME.get(name);
  if (def === undefined) throw new KernelBug(`no syscall ${name}`);
  let handlers = personalityHandlers.get(k);
  if (handlers === undefined) personalityHandlers.set(k, (handlers = new Map()));
  let h = handlers.get(name);
  if (h === undefined) handlers.set(name, (h = pledged(k, def)));
  if (split) return callSplit(k, def, h, args[0], args[1], args[2], args[3], args[4], args[5]);
  return callBlocking(k, def, h, args[0], args[1], args[2], args[3], args[4], args[5]);
}

/** Namespace calls a personality makes with the descriptor on the host side (kernel/syscalls/namespace.ts). */
const HOST_NS: Record<string, (k: KernelCore, p: Process, h: number, x: unknown, y: unknown) => unknown> = {
  ns_open: (k, p, h, path, flags) => nsOpenPath(k, p, h, path as string, flags as number),
  ns_call: (k, p, h, req) => nsCallHost(k, p, h, req as HostRequest),
  io_call: (k, p, h, req) => ioCallHost(k, p, h, req as HostRequest),
};
const hostNsHandlers = new Map<string, AnyHandler>();

/**
 * For personalities: the namespace syscall `name` (ns_open: a path string
 * and flags; ns_call, io_call: a HostRequest) made as the
 * current process with the descriptor, paths and output buffer held by the
 * host instead of the program's memory. The same checks (the pledge class of
 * `name`, the handle's type and rights, unveil, paths) and the same message
 * as the syscall; blocking and faults as invokeSyscall.
 */
export function invokeNamespace(
  k: KernelCore,
  name: "ns_open" | "ns_call" | "io_call",
  handle: number,
  x: unknown,
  y?: unknown,
): number | bigint | Promise<number> {
  const def = SYSCALL_BY_NAME.get(name)!;
  let h = hostNsHandlers.get(name);
  if (h === undefined) {
    const fn = HOST_NS[name];
    const bit = 1 << def.pledge;
    h = (k, q, a, b, c) => ((q.promises & bit) === 0 ? -Errno.EPLEDGE : fn(k, q, a as number, b, c));
    hostNsHandlers.set(name, h);
  }
  return callBlocking(k, def, h, handle, x, y);
}

/** The pledge-checked handlers personalities call, made once per kernel. */
const personalityHandlers = new WeakMap<KernelCore, Map<string, AnyHandler>>();
