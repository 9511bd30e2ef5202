// WasmProcessRuntime: runs one process's module under JSPI. The module is
// instantiated on first dispatch (so a failure to start is the child's own
// death, START_FAILED, not the spawner's), its start function (moved out of
// the start section by the loader) and then `_start` run through
// WebAssembly.promising; every blocking syscall suspends this stack until the
// kernel resumes it. A metered image (loader/instrument/fuel.ts) also imports
// the fuel function: when the guest's fuel runs out it asks the kernel, which
// refills the counter (the call returns at once) or preempts the process
// (the call suspends the stack like a blocking syscall).
//
// The epoch variant (real-time mode on a host with a ticker, hal/epoch.ts)
// has no counter: the guest checks a flag the ticker raises when the slice's
// time is up. The runtime keeps the kernel's view unchanged by emulating the
// counter with the wall clock: setFuel(n) sets the slice's deadline n fuel
// units of time (nsPerFuel each) from now and arms the ticker for it, and
// fuelLeft() is the time left in the same units. A flag raised before the
// deadline (a host-yield tick, or one armed for another slice) costs one
// call that finds time left and returns at once.
//
// Guests run on the host's one thread, and a process preempted or resumed
// continues in a microtask: a guest that never blocks would keep the host's
// event loop from ever turning (no I/O, no timers, no other work in the
// page or program). So at most every HOST_YIELD_MS of wall time, a resumption
// or a refill goes through a macrotask instead. The kernel's decisions are
// already made when this happens, so it changes no run's outcome.

import { Errno, ExitReason, IMPORT_MODULE } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { KernelBug } from "../../kernel/object.ts";
import { GuestMemory } from "../../kernel/mm/guest-memory.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { ProcessRuntime } from "../../kernel/platform.ts";
import { EPOCH_MEMORY_IMPORT, FUEL_GLOBAL_EXPORT, FUEL_IMPORT, OWN_MEMORY_IMPORT_PREFIX } from "../../loader/instrument/fuel.ts";
import type { EpochTicker } from "../../hal/epoch.ts";
import type { LoadedImage } from "../../loader/loader.ts";
import { syscallImports, syscallsObserved, type Suspender, UNWIND } from "./bridge.ts";
import { classifyTrap } from "./traps.ts";
import { addGrantImports, attachGrowLimit } from "./grant-memory.ts";
import { addFastPath } from "./fast-path.ts";
import { PortLoop } from "./port-loop.ts";
import { addFastYield, takesVdso } from "./fast-yield.ts";
import { type DeferredStart, runEntry, startWindow } from "./start-entry.ts";
import {
  addDirectEntry,
  addPortW2w,
  chargeHelper,
  type DirectEntry,
  DirectEntries,
  directPortStats,
  directTag,
  dropDirectEntry,
  guardSyscallImports,
  w2wUnwound,
} from "./fast-ports.ts";
import { DIRECT_EXPORT_PREFIX, DIRECT_TAG_IMPORT, DIRECT_TRAP_MESSAGES, DirectTrap } from "../../loader/instrument/direct-copy.ts";
import {
  choosesInEveryProcess,
  choosesInProcess,
  enterDirect,
  guardImports,
  type GuardSpec,
  isSplit,
  leaveDirect,
  markSplit,
  mustWait,
  VALTYPE,
} from "./split-imports.ts";
import { DEFAULT_PERSONALITIES } from "../../loader/policy.ts";

/** Longest stretch of guest execution before the host's event loop gets a turn. */
export const HOST_YIELD_MS = 10;
const macrotask: (fn: () => void) => void =
  (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate ?? ((fn) => setTimeout(fn, 0));
/** The handler dispose() puts on an armed promise it rejects (nothing to do: the process is gone). */
const ignoreUnwind = (): void => {};
/**
 * What dispose() resolves an armed promise with: a promise rejected with UNWIND, which the armed one
 * adopts, so the suspended stack unwinds as if it had been rejected (an armed promise keeps only its
 * resolve function: see WasmProcessRuntime.pending). Handled here, once: it is never itself awaited.
 */
const UNWOUND: Promise<never> = Promise.reject(UNWIND);
UNWOUND.catch(ignoreUnwind);
let hostNow: () => number = () => performance.now();
let lastHostYield = hostNow();
let untilClockCheck = 0;

/**
 * The clock that decides when guests give the event loop a turn (default
 * performance.now). host/record/ records or replays it, so a replay yields to
 * the event loop, and so takes outside events, exactly where the run did.
 */
export function setHostClock(now: () => number): void {
  hostNow = now;
  lastHostYield = now();
  untilClockCheck = 0;
}

/**
 * Whether guests have had the thread long enough that the event loop should
 * turn now. Reads the clock every 64th call, or at every call with `always`
 * (the epoch variant's handler runs about once per millisecond, not per
 * tenth: skipping 63 of its calls would let the event loop wait 64 ms).
 */
function hostYieldDue(always = false): boolean {
  if (!always && --untilClockCheck > 0) return false;
  return hostYieldClock();
}

/** hostYieldDue's clock reading (its countdown ran out, or `always`): the countdown starts again. */
function hostYieldClock(): boolean {
  untilClockCheck = 64;
  const now = hostNow();
  if (now - lastHostYield < HOST_YIELD_MS) return false;
  lastHostYield = now;
  return true;
}

/**
 * The fuel counter's accessors in wasm. Reading or writing a WebAssembly.Global's `value` from JavaScript
 * costs 30-50 ns here; a wasm function that imports the global and reads or writes it costs 2-6 ns
 * (measured in a loop, Node 24). The kernel reads the counter at every slice end, so a process that
 * switches often (every IPC round trip ends two slices) reads it through a tiny instance of this module,
 * made for it once it has used the counter COUNTER_HELPER.after times: an instance costs 10-20 us to
 * make, so a process that switches rarely never pays for one. The same global either way, so the same
 * values: only the cost differs.
 *   (module (import "m" "g" (global (mut i32)))
 *     (func (export "get") (result i32) global.get 0)
 *     (func (export "set") (param i32) local.get 0 global.set 0))
 */
// prettier-ignore
const COUNTER_MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x09, 0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x00, // types: [] -> [i32], [i32] -> []
  0x02, 0x08, 0x01, 0x01, 0x6d, 0x01, 0x67, 0x03, 0x7f, 0x01, // import "m" "g" (global (mut i32))
  0x03, 0x03, 0x02, 0x00, 0x01, // functions: type 0, type 1
  0x07, 0x0d, 0x02, 0x03, 0x67, 0x65, 0x74, 0x00, 0x00, 0x03, 0x73, 0x65, 0x74, 0x00, 0x01, // exports get, set
  0x0a, 0x0d, 0x02, 0x04, 0x00, 0x23, 0x00, 0x0b, 0x06, 0x00, 0x20, 0x00, 0x24, 0x00, 0x0b, // code
]);
let counterModule: WebAssembly.Module | null = null;

/**
 * after: when a process's counter moves to the wasm accessors, after this many reads and writes through
 * `value` (benchmarks and tests change it); made: how many processes' counters did.
 */
export const COUNTER_HELPER = { after: 512, made: 0 };

/**
 * A personality layer serving one process's foreign imports (host/personality/):
 * its import functions by name, bound to the instance's memory before the
 * entry point runs, disposed when the process ends.
 */
export interface Personality {
  /** The import module it serves, e.g. "wasi_snapshot_preview1". */
  readonly module: string;
  /** split: its imports that may block are split plain entries (split-imports.ts: markSplit, mustWait), not Suspending. */
  imports(split?: boolean): Record<string, unknown>;
  bind(memory: WebAssembly.Memory): void;
  dispose(): void;
}

export class WasmProcessRuntime implements ProcessRuntime, Suspender, DeferredStart {
  private readonly kernel: KernelCore;
  private readonly process: Process;
  private readonly image: LoadedImage;
  /**
   * The armed promise's resolve function: resume() resolves it with the value; dispose() resolves it with
   * UNWOUND, which rejects it with UNWIND, so the suspended stack unwinds and ends. V8 keeps a suspended
   * JSPI stack as a root until it resumes (a never-settled promise leaked the stack, its instance and
   * through the imports' closures the whole kernel, once per run), so every promise handed to a
   * Suspending import must settle, with UNWIND when the process is gone. Its reject function is not kept:
   * storing a second fresh function on this long-lived object at every switch cost ≈7–11 ns a switch
   * (docs/fastpath.md, switch6).
   */
  private pending: ((v: number | Promise<never>) => void) | null = null;
  /**
   * The promise `pending` settles, when armed by arm() or settle() (whose promise may never reach JSPI: a
   * handler may end its own caller before it returns): dispose() marks it handled. null after handOff(),
   * whose promise JSPI always gets.
   */
  private armed: Promise<number> | null = null;
  /**
   * A split import's plain entry is running its handler (armPlain): 0 no; 1 yes, not resumed;
   * 2 resumed meanwhile with nowValue (it runs on); 3 the same, with a turn of the event loop due first.
   */
  private plain = 0;
  private nowValue = 0;
  /** armPlain by the fuel import: read the host clock at every resumption (about once per quantum, not per syscall). */
  private plainAlways = false;
  private disposed = false;
  private instance: WebAssembly.Instance | null = null;
  /** Handler activations: one resident promising loop (port-loop.ts), made at the first packet. */
  private loop: PortLoop | null = null;
  /** Handler entries for direct activations (fast-ports.ts), made at the first one; the last one asked for. */
  private direct: DirectEntries | null = null;
  private directName = "";
  private directRun: DirectEntry | null = null;
  /** Takes fuel off the counter in wasm (fast-ports.ts chargeHelper), once asked for (burnFuel). */
  private burn: ((fuel: number) => void) | null = null;
  /** Handler -> its direct entry's slot + 1 in the host's table (0: none), once asked (directSlot). */
  private directSlots: Map<string, number> | null = null;
  /** Its Suspending imports are guarded (fast-ports.ts): it may run direct activations. */
  private directCapable = false;
  /** A direct activation is running (runDirect): the out-of-fuel check cannot suspend; its deadline (epoch variant). */
  private inDirect = false;
  private directDeadline = 0;
  /** The epoch flag was lowered during the direct activation: raise it after, so the sender checks its own slice. */
  private directLowered = false;
  /** The guest's fuel counter once instantiated; until then the value it starts with. */
  private fuel: WebAssembly.Global | null = null;
  /** The counter's wasm accessors (COUNTER_HELPER), once made; until then the uses of `fuel.value` so far. */
  private counterGet: (() => number) | null = null;
  private counterSet: ((v: number) => void) | null = null;
  private counterUses = 0;
  private startFuel = 0;
  private readonly makePersonality: ((p: Process) => Personality) | null;
  private personality: Personality | null = null;

  private readonly fastPath: boolean;
  /** Blocking imports split in two (split-imports.ts); with the fast path only. */
  private readonly splitImports: boolean;
  /** The epoch variant's ticker (null for the fuel variant and unmetered images). */
  private readonly ticker: EpochTicker | null;
  /** The epoch variant: the slice's deadline (host ms, performance.now scale), and ns of time per fuel unit. */
  private deadline = 0;
  private readonly msPerFuel: number;

  /**
   * fastPath: answer what the kernel's wasm fast path can (fast-path.ts) without the bridge.
   * personality: serves the image's personality imports (host/personality/), when it has one.
   * ticker: raises the epoch variant's flag (required for an image with preemption "epoch").
   * splitImports: split blocking imports (split-imports.ts), with fastPath only.
   */
  constructor(
    kernel: KernelCore,
    process: Process,
    image: LoadedImage,
    fastPath = true,
    personality: ((p: Process) => Personality) | null = null,
    ticker: EpochTicker | null = null,
    splitImports = true,
  ) {
    this.kernel = kernel;
    this.process = process;
    this.image = image;
    this.fastPath = fastPath;
    this.splitImports = fastPath && splitImports;
    this.makePersonality = personality;
    if (image.preemption === "epoch" && ticker === null) throw new KernelBug(`${image.name}: an epoch image needs the host's epoch ticker`);
    this.ticker = image.preemption === "epoch" ? ticker : null;
    this.msPerFuel = kernel.sched.nsPerFuel / 1e6;
  }

  start(): void {
    // Dispatched by a split syscall's handler (its parent's wait): the bridge starts it once the handler has
    // returned, on the caller's stack (start-entry.ts startWindow). Anywhere else, in a microtask.
    const w = startWindow;
    if (w.open && w.deferred === null) {
      w.deferred = this;
      return;
    }
    this.startLater();
  }

  startLater(): void {
    // An entry from the host's event loop: run() ends this process, never the host, whatever the kernel throws.
    queueMicrotask(() => this.run());
  }

  /** The start the bridge deferred (start), run on its caller's stack: whatever the kernel throws ends this process, never the caller. */
  startNow(): void {
    this.run();
  }

  resume(result: number): void {
    if (this.plain !== 0) {
      // Resumed by its own syscall's handler, before it returned (settle() hands the value over).
      if (this.plain !== 1) throw new KernelBug(`pid ${this.process.pid} resumed twice in one syscall`);
      this.nowValue = result;
      this.plain = hostYieldDue(this.plainAlways) ? 3 : 2;
      return;
    }
    const r = this.pending;
    if (r === null) throw new KernelBug(`pid ${this.process.pid} resumed while not suspended`);
    this.pending = null;
    if (--untilClockCheck > 0 || !hostYieldClock()) r(result);
    else this.resumeLater(r, result);
  }

  /**
   * resume() after a turn of the event loop (abandoned if the process is ended meanwhile). A method of its
   * own: written inline in resume(), its closure captured resume's locals, so V8 allocated their context
   * at every resume (every context switch), not only at the one in 64 that reads the clock (≈10 ns a
   * switch: docs/fastpath.md, pulse2).
   */
  private resumeLater(r: (v: number | Promise<never>) => void, result: number): void {
    macrotask(() => r(this.disposed ? UNWOUND : result));
  }

  /**
   * The executor is an arrow written at each `new Promise`, not one function made once: TurboFan inlines a
   * constructor call whose executor it can see, so the arrow and its context are never made, while an
   * executor read from a field is called as a function (≈10 ns a switch more: docs/fastpath.md, switch6).
   */
  arm(): Promise<number> {
    return (this.armed = new Promise<number>((resolve) => {
      this.pending = resolve;
    }));
  }

  /**
   * A switch a vDSO decided (host/runtime/fast-yield.ts's switchTo; the same primitive for any switch a
   * kernel module in wasm makes: this runtime's process hands the CPU to `next`'s): arm this runtime's
   * promise and resume `next` with `value`, in one step. It is arm() then next.resume(value) without
   * what the vDSO has established already: this process is running a Suspending import's function (not a
   * split import's plain entry, not armed), `next` is suspended in one (armed: its resolve function kept).
   * Those two are checked, before anything changes, as the one test `next.pending !== null && this.pending
   * === null` (a plain entry arms nothing). The host-yield countdown is resume()'s, exactly: at most every
   * HOST_YIELD_MS `next` resumes after a turn of the event loop. The promise goes straight to JSPI (the
   * Suspending import's result), so none is kept for dispose() to mark handled.
   */
  handOff(next: WasmProcessRuntime, value: number): Promise<number> {
    const r = next.pending;
    if (r === null || this.pending !== null)
      throw new KernelBug(
        `pid ${this.process.pid} handed the CPU to pid ${next.process.pid}: ${r === null ? "the latter was not suspended" : "the former was armed already"}`,
      );
    const p = new Promise<number>((resolve) => {
      this.pending = resolve;
    });
    this.armed = null;
    next.pending = null;
    if (--untilClockCheck > 0 || !hostYieldClock()) r(value);
    else next.resumeLater(r, value);
    return p;
  }

  disarm(): void {
    this.pending = null;
  }

  armPlain(always = false): void {
    this.plain = 1;
    this.plainAlways = always;
  }

  disarmPlain(): void {
    this.plain = 0;
  }

  settle(): number | Promise<number> {
    const st = this.plain;
    this.plain = 0;
    if (st === 2) return this.nowValue;
    if (st === 3) {
      const v = this.nowValue;
      return new Promise<number>((resolve, reject) => macrotask(() => (this.disposed ? reject(UNWIND) : resolve(v))));
    }
    return (this.armed = new Promise<number>((resolve) => {
      this.pending = resolve;
    }));
  }

  setFuel(fuel: number): void {
    const t = this.ticker;
    if (t !== null) {
      const now = performance.now();
      this.deadline = now + fuel * this.msPerFuel;
      if (fuel <= 0) return t.raise(); // stop at the next check
      t.lower(); // a flag raised for an earlier slice means nothing now
      t.arm(Math.min(this.deadline, now + HOST_YIELD_MS));
      return;
    }
    const set = this.counterSet;
    if (set !== null) return set(fuel);
    if (this.fuel !== null) {
      this.fuel.value = fuel;
      if (++this.counterUses >= COUNTER_HELPER.after) this.makeCounterHelper();
    } else this.startFuel = fuel;
  }

  burnFuel(fuel: number): void {
    if (this.ticker !== null || !this.image.metered) return; // the epoch variant has no counter (a direct handler burns wall time)
    if (this.fuel === null) {
      this.startFuel -= fuel;
      return;
    }
    (this.burn ??= chargeHelper(this.fuel))(fuel);
  }

  /** The counter's wasm accessors (COUNTER_HELPER): from now on the counter is read and written through them. */
  private makeCounterHelper(): void {
    counterModule ??= new WebAssembly.Module(COUNTER_MODULE_BYTES);
    const x = new WebAssembly.Instance(counterModule, { m: { g: this.fuel! } }).exports;
    this.counterGet = x.get as () => number;
    this.counterSet = x.set as (v: number) => void;
    COUNTER_HELPER.made++;
  }

  get metered(): boolean {
    return this.image.metered;
  }

  /** Its own memory (the module's export "memory"), once instantiated: a pair module of the vDSO's imports it (fast-yield.ts). */
  get ownMemory(): WebAssembly.Memory | null {
    return (this.instance?.exports.memory as WebAssembly.Memory | undefined) ?? null;
  }

  /** Its fuel counter (the fuel variant's, once instantiated; else null): a pair module of the vDSO's imports it (fast-yield.ts). */
  get fuelCounter(): WebAssembly.Global | null {
    return this.fuel;
  }

  /** Its counter's wasm reader (made now if it was not): the yield vDSO reads the counter through it (fast-yield.ts). */
  counterReader(): () => number {
    if (this.counterGet === null) this.makeCounterHelper();
    return this.counterGet!;
  }

  /** Its counter's wasm writer (with counterReader: the same helper), for the yield vDSO's written slices. */
  counterWriter(): (v: number) => void {
    if (this.counterSet === null) this.makeCounterHelper();
    return this.counterSet!;
  }

  /** The fuel variant's counter keeps its value between slices; the epoch variant's "counter" is a wall-clock deadline. */
  get fuelKept(): boolean {
    return this.ticker === null && this.image.metered;
  }

  fuelLeft(): number | null {
    if (!this.image.metered) return null;
    if (this.ticker !== null) return Math.floor((this.deadline - performance.now()) / this.msPerFuel);
    const get = this.counterGet;
    if (get !== null) return get();
    if (this.fuel === null) return this.startFuel;
    if (++this.counterUses >= COUNTER_HELPER.after) this.makeCounterHelper();
    return this.fuel.value as number;
  }

  /** The fuel import as a split import's plain entry (split-imports.ts): "must wait" only when outOfFuel has a promise. */
  outOfFuelSplit(): void {
    const r = this.outOfFuel(true);
    if (r !== undefined) mustWait(r);
  }

  /**
   * The fuel import: nothing (run on), a promise (preempted: suspend until resumed), or UNWIND (killed).
   * split: armed as a split import's plain entry (a preemption that dispatches this process again at once runs on).
   */
  private outOfFuel(split = false): undefined | Promise<undefined> {
    const k = this.kernel;
    const p = this.process;
    const t = this.ticker;
    if (t !== null) {
      t.lower();
      const now = performance.now();
      if (now < this.deadline) {
        // Time left in the slice: a host-yield tick or a stale raise. Re-arm and run on (after a turn of the event loop if one is due).
        t.arm(Math.min(this.deadline, now + HOST_YIELD_MS));
        if (!hostYieldDue(true)) return undefined;
        return new Promise<undefined>((resolve, reject) => macrotask(() => (this.disposed ? reject(UNWIND) : resolve(undefined))));
      }
    }
    const pending = split ? null : this.arm();
    if (split) this.armPlain(true);
    let verdict: ReturnType<KernelCore["fuelExhausted"]>;
    try {
      verdict = k.fuelExhausted(p);
    } catch (e) {
      if (split) this.disarmPlain();
      else this.disarm();
      const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      k.terminate(p, -1, ExitReason.KERNEL_FAULT, `kernel fault at fuel exhaustion: ${detail}`);
      throw UNWIND;
    }
    if (verdict === "continue") {
      if (split) this.disarmPlain();
      else this.disarm();
      // Split (no suspension at a run-on, so no microtask checkpoint either): the clock is read at every
      // refill, as for the epoch variant, so host work waits at most HOST_YIELD_MS, not 64 refills.
      if (!hostYieldDue(split || t !== null)) return undefined;
      // Still the running process: pause it for one turn of the event loop (abandoned if it is ended meanwhile).
      return new Promise<undefined>((resolve, reject) => macrotask(() => (this.disposed ? reject(UNWIND) : resolve(undefined))));
    }
    if (verdict === "killed") {
      if (split) this.disarmPlain();
      else this.disarm();
      throw UNWIND;
    }
    if (pending !== null) return pending.then(() => undefined);
    const v = this.settle();
    return typeof v === "number" ? undefined : v.then(() => undefined);
  }

  dispose(): void {
    // A suspended stack is unwound, not abandoned (pending resolved with UNWOUND): the rejection reaches it
    // a few microtasks later, throws UNWIND at its suspension point and ends its promising call, which run()
    // ignores as disposed.
    this.disposed = true;
    const r = this.pending;
    this.pending = null;
    if (r !== null) {
      this.armed?.catch(ignoreUnwind); // (a promise JSPI never got: its caller was ended inside its own syscall)
      r(UNWOUND);
    }
    this.armed = null;
    this.instance = null;
    this.personality?.dispose();
    this.personality = null;
    this.loop?.stop();
    this.loop = null;
    if (this.directSlots !== null) for (const s of this.directSlots.values()) if (s !== 0) dropDirectEntry(s - 1);
    this.directSlots = null;
  }

  /**
   * The first dispatch's work (start), in a microtask or on the stack of the split syscall that dispatched it
   * (startNow): whatever the kernel throws ends this process, never the host nor that caller.
   */
  private run(): void {
    try {
      const k = this.kernel;
      const p = this.process;
      if (this.disposed) return;
      let instance: WebAssembly.Instance;
      // The split shape (split-imports.ts): blocking imports that complete at once do not suspend; not while
      // syscalls are observed (every import is Suspending then), nor with the fast path off.
      const split = this.splitImports && !syscallsObserved(k);
      const chooseAll = choosesInEveryProcess(k) || choosesInProcess(p);
      // Nothing of this process's own in its imports (no grant, personality, own memory, dispatcher): the one
      // import object its image's earlier spawns got (sharedImports).
      const same =
        split && p.mm.grants.length === 0 && !this.image.personality && this.ticker === null
          ? sharedImports.get(k)?.get(this.image.module)
          : undefined;
      let imports: Record<string, unknown>;
      let chargeBy: ((charge: (fuel: number) => void) => void) | null = null;
      if (same !== undefined && same.chooseAll === chooseAll) {
        imports = same.imports;
        this.directCapable = same.directCapable;
      } else {
        const built = this.buildImports(split, chooseAll);
        if (built === null) return;
        imports = built.imports;
        chargeBy = built.chargeBy;
      }
      try {
        instance = new WebAssembly.Instance(this.image.module, imports as WebAssembly.Imports);
      } catch (e) {
        const why = e instanceof Error ? e.message : String(e);
        k.terminate(p, -1, ExitReason.START_FAILED, `could not instantiate ${this.image.name}: ${why}`);
        return;
      }
      this.instance = instance;
      p.fastYield = takesVdso(k, imports, "yield"); // it may be in a ring of lazy yields (kernel/fast/yields.ts)
      p.fastPulse = takesVdso(k, imports, "pulse_wait"); // or one of a pulse pair
      p.fastCall = takesVdso(k, imports, "call"); // or a call pair's client
      p.fastReplyWait = takesVdso(k, imports, "reply_wait"); // or its server
      const exports = instance.exports;
      if (this.image.preemption === "fuel") {
        this.fuel = exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
        this.fuel.value = this.startFuel;
        if (chargeBy !== null) chargeBy((this.burn = chargeHelper(this.fuel)));
      }
      p.memory = new GuestMemory(exports.memory as WebAssembly.Memory);
      this.personality?.bind(exports.memory as WebAssembly.Memory);
      attachGrowLimit(k, p, instance); // memory.grow stops at the process's memory budget
    } catch (e) {
      this.kernel.fault(this.process, "process start", e);
      return;
    }
    this.enter(this.image.startExport !== null ? 0 : 1);
  }

  /**
   * Run the entry points from `step` on (0: the start function the loader moved to an export; 1: `_start`),
   * each on a JSPI stack of its own (start-entry.ts runEntry), then tell the kernel `_start` returned. One
   * that returns without a suspension goes on at once; one that suspends (or throws) goes on when its
   * promise settles. What it throws ends the process as before (ended); whatever the kernel throws ends
   * this process as a kernel fault, never the caller (this may run inside its parent's syscall).
   */
  private enter(step: number): void {
    try {
      try {
        for (; step < 2; step++) {
          const instance = this.instance;
          if (this.disposed || instance === null) return;
          const end = runEntry(step === 0 ? instance.exports[this.image.startExport!] : instance.exports._start);
          if (end !== null) {
            const next = step + 1;
            end.then(
              () => this.enter(next),
              (e: unknown) => this.enterFailed(e),
            );
            return;
          }
        }
        if (!this.disposed) this.kernel.mainReturned(this.process);
      } catch (e) {
        w2wUnwound();
        this.ended(e);
      }
    } catch (e) {
      this.kernel.fault(this.process, "process start", e);
    }
  }

  /** An entry point's promise rejected (a trap, an unwind): as enter's own catch. */
  private enterFailed(e: unknown): void {
    try {
      w2wUnwound();
      this.ended(e);
    } catch (e2) {
      this.kernel.fault(this.process, "process start", e2);
    }
  }

  /**
   * This process's import object and, when it has a wasm port_send, the hook that gives that its charge
   * helper (fast-ports.ts addPortW2w); null: it could not be made, and the process has been ended
   * START_FAILED. When none of it is the process's own (sharedImports), it is kept for its image's later
   * spawns in this kernel.
   */
  private buildImports(
    split: boolean,
    chooseAll: boolean,
  ): { imports: Record<string, unknown>; chargeBy: ((charge: (fuel: number) => void) => void) | null } | null {
    const k = this.kernel;
    const p = this.process;
    const imports = syscallImports(k, this.image.module, split);
    addGrantImports(imports, p); // bound grants: module "grant", one memory object each
    if (this.image.personality) {
      if (this.makePersonality === null) {
        k.terminate(
          p,
          -1,
          ExitReason.START_FAILED,
          `${this.image.name} is a ${this.image.personality} program and this host serves no such personality`,
        );
        return null;
      }
      this.personality = this.makePersonality(p);
      const pns = this.personality.imports(split);
      imports[this.personality.module] = pns;
      if (split) guardPersonality(this.personality.module, pns);
    }
    // window_get, kill, memory_size served in wasm when they can be (fast-path.ts); not while syscalls are observed (strace sees every call)
    const dispatcher = this.fastPath && !syscallsObserved(k) && addFastPath(k, p, imports);
    // yield and pulse_wait served in wasm against the kernel's lazily synced words (fast-yield.ts): the counting variant only
    if (this.fastPath && !syscallsObserved(k) && this.image.preemption === "fuel" && this.image.metered && this.personality === null)
      addFastYield(k, imports);
    // port_send delivering wasm-to-wasm to idle direct binders (fast-ports.ts): the counting variant only
    const chargeBy =
      this.fastPath && !syscallsObserved(k) && this.image.preemption === "fuel" ? addPortW2w(k, p, imports, this.image.module) : null;
    if (this.image.metered) {
      const wasmos = imports[FUEL_IMPORT.module] as Record<string, unknown>;
      wasmos[DIRECT_TAG_IMPORT.name] = directTag(); // the direct copies' tag (imported only by images that have copies)
      wasmos[FUEL_IMPORT.name] = split ? kernelEntries(k).fuel : new WebAssembly.Suspending(() => this.outOfFuel());
      if (this.ticker !== null) {
        // The epoch variant imports the flag's memory and its own memories (the instrumenter turned them into imports).
        wasmos[EPOCH_MEMORY_IMPORT.name] = this.ticker.memory;
        try {
          this.image.ownMemories.forEach((l, i) => {
            wasmos[`${OWN_MEMORY_IMPORT_PREFIX}${i}`] = new WebAssembly.Memory({
              initial: l.min,
              maximum: l.max ?? undefined,
              shared: l.shared,
            });
          });
        } catch (e) {
          const why = e instanceof Error ? e.message : String(e);
          k.terminate(p, -1, ExitReason.START_FAILED, `could not make the memory of ${this.image.name}: ${why}`);
          return null;
        }
      }
    }
    // Guards in front of the split imports, and, for a process that may bind a port, in front of every
    // import that may suspend, so a direct activation of its handlers can call them (fast-ports.ts).
    // Split, every function they guard is the kernel's (the fuel entries find the runtime through
    // kernel.current), so one guard instance per import list serves every process: none per spawn.
    if (this.fastPath && !syscallsObserved(k))
      this.directCapable = split
        ? guardSyscallImports(k, imports, kernelEntries(k).directFuel, this.personality === null, true, this.image.module, chooseAll)
        : guardSyscallImports(k, imports, () => this.directOutOfFuel(), this.personality === null, false, undefined, chooseAll);
    // Kept when every function, tag and memory in it is the kernel's or the host's, the same for every
    // process of this image: split (the fuel entries are the kernel's), no grant, personality, own memory
    // (the epoch variant), dispatcher (window_get, kill, memory_size) nor port_send (its wasm dispatcher
    // reads this process's handle mirror; and k.portW2w may change). Frozen: nothing adds to it later.
    const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
    if (
      split &&
      p.mm.grants.length === 0 &&
      this.personality === null &&
      this.ticker === null &&
      !dispatcher &&
      chargeBy === null &&
      (ns === undefined || !("port_send" in ns))
    ) {
      let byModule = sharedImports.get(k);
      if (byModule === undefined) sharedImports.set(k, (byModule = new WeakMap()));
      for (const v of Object.values(imports)) Object.freeze(v);
      byModule.set(this.image.module, { imports: Object.freeze(imports), directCapable: this.directCapable, chooseAll });
    }
    return { imports, chargeBy };
  }

  /** Whatever escaped guest code ends the process (unless it was our own unwinding). */
  private ended(e: unknown): void {
    if (e === UNWIND || this.disposed) return;
    if (e instanceof KernelBug) return this.kernel.fault(this.process, "the runtime", e); // the kernel's, not the guest's
    const ending = classifyTrap(e);
    try {
      this.kernel.terminate(this.process, -1, ending.reason, ending.message);
    } catch (e2) {
      this.kernel.fault(this.process, "ending a process", e2);
    }
  }

  canRunDirect(name: string): boolean {
    if (name === this.directName) return this.directRun !== null && !this.disposed;
    // A metered image only: a quantum must bound the handler (an unmetered one could never be stopped).
    const instance = this.instance;
    if (!this.directCapable || this.disposed || instance === null || !this.image.metered) return false;
    const exports = instance.exports; // an accessor: read once, not per packet
    if (typeof exports[name] !== "function") return false;
    this.direct ??= new DirectEntries(exports, this.fuel);
    this.directName = name;
    this.directRun = this.direct.entry(name);
    return true;
  }

  directSlot(name: string): number {
    let s = this.directSlots?.get(name);
    if (s !== undefined) return s;
    s = 0;
    const instance = this.instance;
    // canRunDirect(name) held (the kernel asks only then); a copy exists only in the counting variant.
    if (instance !== null && !this.disposed && this.fuel !== null && typeof instance.exports[DIRECT_EXPORT_PREFIX + name] === "function")
      s = addDirectEntry(this.direct!.entry(name)) + 1;
    (this.directSlots ??= new Map()).set(name, s);
    return s;
  }

  /** End this process as the trap its direct copy threw instead of (DirectTrap `kind`) would have. */
  private endedDirect(kind: number): void {
    if (kind === DirectTrap.OVERRUN) {
      this.kernel.terminate(
        this.process,
        -1,
        ExitReason.DIRECT_OVERRUN,
        `a port handler run directly on its sender's stack (PORT_BIND_DIRECT) ran past its budget of ${this.kernel.sched.quantumFuel} fuel`,
      );
      return;
    }
    const message = DIRECT_TRAP_MESSAGES[kind] ?? `direct trap ${kind}`;
    const e = kind === DirectTrap.STACK ? new RangeError(message) : new WebAssembly.RuntimeError(message);
    e.stack = ""; // no backtrace: the copy's frames are gone, and the sender's are not the binder's
    this.ended(e);
  }

  runDirect(name: string, key: number, code: number, value: bigint, budget: number, failed = 0): number {
    const run = name === this.directName ? this.directRun! : this.direct!.entry(name);
    const t = this.ticker;
    if (t !== null) {
      this.directDeadline = performance.now() + budget * this.msPerFuel;
      this.directLowered = false;
    }
    this.inDirect = true;
    enterDirect();
    directPortStats.runs++;
    try {
      if (failed !== 0) throw failedEarlier; // its entry already ran, from the sender's wasm port_send, and threw `failed`
      return run(key, code, value, budget);
    } catch (e) {
      // Its trap, exit, kill or overrun: this process ends (if not already), its sender carries on.
      directPortStats.ended++;
      const burned = this.directBurned(budget);
      const tag = directTag();
      if (e === failedEarlier) this.endedDirect(failed);
      else if (e instanceof WebAssembly.Exception && e.is(tag)) this.endedDirect(e.getArg(tag, 0) as number);
      else this.ended(e);
      return burned;
    } finally {
      leaveDirect();
      this.inDirect = false;
      if (t !== null && this.directLowered) t.raise(); // the sender's own deadline is checked at its next check
    }
  }

  directBurned(budget: number): number {
    const left = this.fuel !== null ? (this.fuel.value as number) : budget;
    return Math.max(0, budget - left);
  }

  /** The out-of-fuel check during a direct activation (the guarded fuel import, fast-ports.ts): it cannot suspend; past its budget it ends the process. */
  directOutOfFuel(): undefined {
    // Only the innermost direct activation's code runs while the host's depth word is raised.
    if (!this.inDirect) throw new KernelBug(`pid ${this.process.pid} reached its out-of-fuel check above a direct activation not its own`);
    const t = this.ticker;
    if (t !== null) {
      t.lower();
      this.directLowered = true;
      if (performance.now() < this.directDeadline) {
        t.arm(this.directDeadline); // a raise for the sender's slice or the event loop: its budget is not spent
        return undefined;
      }
    }
    const quantum = this.kernel.sched.quantumFuel;
    this.kernel.terminate(
      this.process,
      -1,
      ExitReason.DIRECT_OVERRUN,
      `a port handler run directly on its sender's stack (PORT_BIND_DIRECT) ran past its budget of ${quantum} fuel`,
    );
    throw UNWIND;
  }

  handlerStatus(name: string): number {
    const f = this.instance?.exports[name];
    if (typeof f !== "function") return -Errno.ENOENT;
    const t = this.image.handlerTypes.get(name);
    return t === true ? 0 : -Errno.EINVAL;
  }

  deliverWords(handler: string, key: number, code: number, low: number, high: number, takeCell: number, versionAddress: number): void {
    if (this.disposed || this.instance === null) return;
    if (this.loop === null) return this.deliver(handler, key, code, BigInt.asIntN(64, (BigInt(high) << 32n) | BigInt(low >>> 0)));
    this.loop.deliverWords(handler, key, code, low, high, takeCell, versionAddress);
  }

  deliver(handler: string, key: number, code: number, value: bigint): void {
    if (this.disposed || this.instance === null) return;
    if (this.loop === null) {
      this.loop = new PortLoop(
        this.instance.exports,
        {
          activationDone: (fuelLeft) => {
            if (!this.disposed) this.kernel.activationDone(this.process, fuelLeft);
          },
          yieldDue: hostYieldDue,
          later: macrotask,
          ended: (e) => {
            w2wUnwound();
            this.ended(e);
          },
        },
        this.ticker === null ? this.fuel : null,
      );
    }
    this.loop.deliver(handler, key, code, value);
  }
}

const failedEarlier = Object.freeze({ failedEarlier: true });

/** Guards in front of a personality's split imports (their signatures: the personality's table, loader/policy.ts). */
function guardPersonality(module: string, ns: Record<string, unknown>): void {
  const sigs = DEFAULT_PERSONALITIES.get(module);
  const list: GuardSpec[] = [];
  for (const name of Object.keys(ns)) {
    if (!isSplit(ns[name])) continue;
    const sig = sigs?.get(name);
    if (sig === undefined || sig.results.length > 1) throw new KernelBug(`personality ${module}: no signature for split import ${name}`);
    list.push({
      name,
      params: sig.params.map((t) => VALTYPE[t]),
      result: sig.results.length === 0 ? null : VALTYPE[sig.results[0]],
      split: true,
      direct: null,
    });
  }
  guardImports(ns, list);
}

/**
 * Per kernel and image module, the import object its processes get when none of it is a process's own
 * (WasmProcessRuntime.buildImports says when): the syscall ABI's functions (the kernel's, shared already),
 * the kernel's fuel entry, the shared guards' exports and the host's direct-copy tag. Instantiation only
 * reads an import object, so one frozen object serves every such spawn: the same functions each process
 * got from its own copy, and nothing one process can reach that another could not already.
 * `chooseAll` and `directCapable`: what the guards were built under and what they answered.
 */
const sharedImports = new WeakMap<
  KernelCore,
  WeakMap<WebAssembly.Module, { imports: Record<string, unknown>; directCapable: boolean; chooseAll: boolean }>
>();

/**
 * The fuel import's split entry and its check during a direct activation,
 * once per kernel: the process running guest code is always kernel.current
 * (the bridge's rule), so they reach its runtime through it.
 */
const fuelEntries = new WeakMap<KernelCore, { fuel: () => void; directFuel: () => undefined }>();

function kernelEntries(k: KernelCore): { fuel: () => void; directFuel: () => undefined } {
  let e = fuelEntries.get(k);
  if (e === undefined) {
    const running = (): WasmProcessRuntime => {
      if (k.lazyYields !== 0) k.syncYields(); // k.current is the words' while yields are lazy (kernel/fast/yields.ts)
      const r = k.current?.runtime;
      if (!(r instanceof WasmProcessRuntime)) throw new KernelBug("an out-of-fuel check arrived while no wasm process was running");
      return r;
    };
    e = { fuel: markSplit(() => running().outOfFuelSplit()), directFuel: () => running().directOutOfFuel() };
    fuelEntries.set(k, e);
  }
  return e;
}
