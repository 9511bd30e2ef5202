// The resident port loop: one WebAssembly.promising entry per process for all
// its handler activations, instead of one per packet.
//
// A promising call creates a new stack (650-700 ns, DESIGN.md decision 11).
// Activating a handler export through its own promising wrapper paid that on
// every packet. Instead, at the first packet a process runs this kernel-owned
// module's `run` once, through promising; it loops for the life of the
// process:
//
//   (module
//     (import "k" "next" (func $next (param i32) (result i32)))    ;; plain: the next packet's handler index, or -1
//     (import "k" "fuel" (global $fuel (mut i32)))     ;; the process's counter, handed to next (a read from JS is a call)
//     (import "k" "wait" (func $wait (result i32)))    ;; Suspending: wait for the next packet
//     (table (export "handlers") 0 funcref)            ;; the guest's handler exports, by index
//     (memory (export "packet") 1 1)                   ;; key at 0, code at 4, value at 8
//     (func (export "run") (local $ix i32)
//       (loop $l
//         (local.set $ix (call $next (global.get $fuel)))
//         (if (i32.lt_s (local.get $ix) (i32.const 0)) (then (local.set $ix (call $wait))))
//         (call_indirect (type $handler) (i32.load (i32.const 0)) (i32.load (i32.const 4))
//                                        (i64.load (i32.const 8)) (local.get $ix))
//         (br $l))))
//
// `next` first tells the kernel the previous activation is done (the kernel
// then runs whatever it chooses), then returns the next packet's handler at
// once if the kernel has already handed this process one (a packet queued
// while the activation ran, e.g. the answer from a direct activation it
// started), or -1, and the loop suspends its stack in `wait` until the kernel
// does: at most one suspension and one resumption per packet, on a stack made
// once. `next` is a plain import because V8 suspends the stack at every call
// of a Suspending import, even one whose function returns a plain value
// (≈500 ns against ≈55 ns for a plain import, measured at load 12). A handler that blocks in a syscall suspends the same stack (as it
// did its own before); a trap or an exit unwinds it and ends the loop with the
// process. The guest's handler is reached wasm-to-wasm through the table.

import { CELL_EPOCH_ADDRESS, mirrorWords, P_QCODE, P_QFULL, P_QKERN, P_QVALUE, TAKEN_COUNT_ADDRESS } from "../../kernel/fast/mirror.ts";
import { takeMutation } from "../../kernel/ipc/ports.ts";
import { UNWIND } from "./bridge.ts";
import { handleMirrorMemory } from "./fast-path.ts";
import { assemble, ByteSink, FUNCREF, funcType, I32, I64, oneFunctionCode } from "./assemble.ts";

let loopModule: WebAssembly.Module | null = null;

/**
 * Test only: "no-cell-epoch" drops the take's check of the store's cell epoch (the loop takes from a cell that
 * went back to the store and serves another port by then); "cell-epoch-low" compares only its low 32 bits (a
 * change that moved only the high word, as after 2^32 bumps, goes unseen). Both must change a run
 * (test/ports/take.test.ts "the port loop's take and its cell"). Loops made after the call use it. null: as built.
 */
export type PortLoopMutation = "no-cell-epoch" | "cell-epoch-low";
let loopMutation: PortLoopMutation | null = null;
export function mutatePortLoopForTest(m: PortLoopMutation | null): void {
  if (m !== loopMutation) loopModule = null;
  loopMutation = m;
}

/** Packets the port loops took from their cells themselves (host-wide; tests and the bench read it). */
export function loopTaken(): number {
  return mirrorWords()[TAKEN_COUNT_ADDRESS >> 2];
}

/**
 * The loop's own words (memory 1, byte addresses): the packet (key, code, value) and the take's permission
 * (takeCellPacket, kernel/ipc/ports.ts): the cell's byte address in the mirror's store (0: none), the byte
 * address of the kernel's run-on version word and its value, the store's cell epoch's value (its address is
 * CELL_EPOCH_ADDRESS, a constant of the loop's code) when allowed, and how many takes are left before the
 * loop goes through `next` again (the host's event-loop turns). Only `next` and `wait` (the kernel, through
 * deliverWords) write them, so the loop reads them into locals once after each and takes from the locals.
 */
const T_CELL = 16,
  T_VERSION_AT = 20,
  T_LEFT = 24,
  T_VERSION = 32, // 64 bits: the version and the cell epoch are 64-bit counters (kernel/fast/mirror.ts bumpWord)
  T_EPOCH = 40;
/**
 * Takes in wasm between two calls of `next` (which gives the host's event loop its turns: hostYieldDue).
 * A `next` on this path (the crossing, the kernel's run-on, the permission given again) costs ≈100-150 ns;
 * at 64 it was ≈2 ns of each ≈33 ns direct round trip of port_rtt_ns, at 256 ≈0.5. The event loop still
 * turns in time: hostYieldDue reads the clock every 64th call, so every 16,384 takes (≈0.5 ms of round
 * trips) against HOST_YIELD_MS (10 ms); a slice still ends at its counter (the take's fuel test).
 */
export const TAKES_BETWEEN_TURNS = 256;

function portLoopModule(): WebAssembly.Module {
  if (loopModule !== null) return loopModule;
  const types = new ByteSink().u32(4);
  funcType(types, [], [I32]); // 0: wait
  funcType(types, [], []); // 1: run
  funcType(types, [I32, I32, I64], []); // 2: a handler
  funcType(types, [I32], [I32]); // 3: next (the counter)
  const imports = new ByteSink().u32(4).name("k").name("next").u8(0x00).u32(3).name("k").name("wait").u8(0x00).u32(0);
  imports.name("k").name("fuel").u8(0x03).u8(I32).u8(0x01); // global 0: the process's counter (mut i32)
  imports.name("k").name("mirror").u8(0x02).u8(0x00).u32(1); // memory 0: the handle mirror's store (the cells)
  const funcs = new ByteSink().u32(1).u32(1);
  const tables = new ByteSink().u32(1).u8(FUNCREF).u8(0x00).u32(0);
  const memories = new ByteSink().u32(1).u8(0x01).u32(1).u32(1); // memory 1: the loop's own words
  const exports = new ByteSink().u32(3).name("run").u8(0x00).u32(2).name("handlers").u8(0x01).u32(0).name("packet").u8(0x02).u32(1);
  const b = new ByteSink();
  // memarg: memory 1 needs the index (flags bit 6); memory 0 the plain form.
  const mem = (op: number, align: number, memory: number, offset: number) => {
    b.u8(op);
    if (memory === 0) b.u32(align).u32(offset);
    else
      b.u32(align | 0x40)
        .u32(memory)
        .u32(offset);
  };
  const i32c = (v: number) => b.u8(0x41).s32(v);
  const get = (l: number) => b.u8(0x20).u32(l);
  const set = (l: number) => b.u8(0x21).u32(l);
  const tee = (l: number) => b.u8(0x22).u32(l);
  const brIf = (depth: number) => b.u8(0x0d).u32(depth);
  // Locals: the handler's index; the take's permission as `next` left it in the loop's words (read into
  // locals once after each `next` or `wait`: only those write the words, so the take reads no memory 1).
  const L_IX = 0,
    L_C = 1,
    L_N = 2,
    L_VA = 3,
    L_KEY = 4,
    L_V = 5, // i64
    L_E = 6; // i64
  b.u8(0x03).u8(0x40); // loop $l
  b.u8(0x02).u8(0x40); // block $slow
  // the take: the permission's cell, fuel left, nothing changed since, the cell full, nothing before it, turns left
  get(L_C);
  b.u8(0x45);
  brIf(0);
  b.u8(0x23).u32(0); // global.get $fuel
  i32c(0);
  b.u8(0x4c); // i32.le_s
  brIf(0);
  get(L_VA);
  mem(0x29, 2, 0, 0); // the kernel's version (i64.load; a kernel word is 4-aligned)
  get(L_V);
  b.u8(0x52); // i64.ne
  brIf(0);
  if (loopMutation === null) {
    i32c(0);
    mem(0x29, 2, 0, CELL_EPOCH_ADDRESS); // the store's cell epoch (i64.load)
    get(L_E);
    b.u8(0x52);
    brIf(0);
  } else if (loopMutation === "cell-epoch-low") {
    i32c(0);
    mem(0x28, 2, 0, CELL_EPOCH_ADDRESS); // i32.load: the low word only
    get(L_E);
    b.u8(0xa7); // i32.wrap_i64
    b.u8(0x47); // i32.ne
    brIf(0);
  }
  get(L_C);
  mem(0x28, 2, 0, P_QFULL * 4);
  b.u8(0x45);
  brIf(0);
  get(L_C);
  mem(0x28, 2, 0, P_QKERN * 4);
  brIf(0);
  get(L_N);
  i32c(1);
  b.u8(0x6b); // sub
  tee(L_N);
  i32c(0);
  b.u8(0x4c); // le_s
  brIf(0);
  // take it: the cell empty, the handler called with the cell's code and value (the key is the port's)
  get(L_C);
  i32c(0);
  mem(0x36, 2, 0, P_QFULL * 4);
  i32c(0);
  i32c(0);
  mem(0x28, 2, 0, TAKEN_COUNT_ADDRESS);
  i32c(1);
  b.u8(0x6a);
  mem(0x36, 2, 0, TAKEN_COUNT_ADDRESS); // taken++ (the store's host-wide count)
  get(L_KEY);
  get(L_C);
  mem(0x28, 2, 0, P_QCODE * 4);
  get(L_C);
  mem(0x29, 3, 0, P_QVALUE * 4);
  get(L_IX);
  b.u8(0x11).u32(2).u32(0); // call_indirect type 2 table 0: the same handler
  b.u8(0x0c).u32(1); // br $l
  b.u8(0x0b); // end block $slow
  b.u8(0x23).u32(0); // global.get $fuel
  b.u8(0x10).u32(0);
  tee(L_IX); // ix = next(fuel)
  i32c(0);
  b.u8(0x48); // lt_s
  b.u8(0x04).u8(0x40);
  b.u8(0x10).u32(1);
  set(L_IX); // then: ix = wait()
  b.u8(0x0b);
  // the permission as the kernel left it (0: none), and the packet
  const word = (at: number, l: number) => {
    i32c(0);
    mem(0x28, 2, 1, at);
    set(l);
  };
  word(T_CELL, L_C);
  word(T_VERSION_AT, L_VA);
  for (const [at, l] of [
    [T_VERSION, L_V],
    [T_EPOCH, L_E],
  ]) {
    i32c(0);
    mem(0x29, 3, 1, at); // i64.load
    set(l);
  }
  word(T_LEFT, L_N);
  word(0, L_KEY);
  get(L_KEY);
  i32c(0);
  mem(0x28, 2, 1, 4); // code
  i32c(0);
  mem(0x29, 3, 1, 8); // value
  get(L_IX);
  b.u8(0x11).u32(2).u32(0); // call_indirect type 2 table 0
  b.u8(0x0c).u32(0); // br $l
  b.u8(0x0b); // end loop
  loopModule = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [4, tables],
    [5, memories],
    [7, exports],
    [
      10,
      oneFunctionCode(
        [
          [5, I32],
          [2, I64],
        ],
        b,
      ),
    ],
  ]);
  return loopModule;
}

/** What the loop needs from its process's runtime. */
export interface PortLoopHost {
  /**
   * The previous activation is done (Kernel.activationDone), with the process's fuel counter as the loop read
   * it (NaN without one). May hand this loop its next packet at once (deliver).
   */
  activationDone(fuelLeft: number): void;
  /** Whether the host's event loop should get a turn before this continues (process-runtime's hostYieldDue). */
  yieldDue(): boolean;
  /** Run `fn` after the event loop has turned. */
  later(fn: () => void): void;
  /** The loop's stack ended with a throw (a trap, an exit's unwinding): the process ends as before. */
  ended(e: unknown): void;
}

export class PortLoop {
  private readonly host: PortLoopHost;
  private readonly table: WebAssembly.Table;
  private readonly i32: Int32Array;
  private readonly i64: BigInt64Array;
  private readonly run: () => Promise<void>;
  private readonly index = new Map<string, number>();
  private lastHandler: string | null = null;
  private lastIndex = -1;
  private readonly guest: WebAssembly.Exports;
  private started = false;
  /** A handler is running (between next returning and the next call of next). */
  private activating = false;
  /** Inside next, telling the kernel: a packet delivered now is returned, not waited for. */
  private inNext = false;
  private ready = -1;
  private waiter: ((ix: number) => void) | null = null;
  /** The parked wait's reject: stop() unwinds the parked stack with it (V8 keeps a suspended stack until it resumes). */
  private waiterReject: ((e: unknown) => void) | null = null;
  private stopped = false;
  /** It has a fuel counter: next's argument is its value. */
  private readonly counted: boolean;

  /** `fuel`: the process's counter (the counting variant), which `next` is handed as it reads; null: none. */
  constructor(guest: WebAssembly.Exports, host: PortLoopHost, fuel: WebAssembly.Global | null = null) {
    this.guest = guest;
    this.host = host;
    this.counted = fuel !== null;
    const inst = new WebAssembly.Instance(portLoopModule(), {
      k: {
        next: (f: number) => this.next(f),
        wait: new WebAssembly.Suspending(() => this.wait()),
        // Without a counter (the epoch variant) a constant 0: the loop never takes a packet itself.
        fuel: fuel ?? new WebAssembly.Global({ value: "i32", mutable: true }, 0),
        mirror: handleMirrorMemory(),
      },
    } as unknown as WebAssembly.Imports);
    this.table = inst.exports.handlers as WebAssembly.Table;
    const mem = (inst.exports.packet as WebAssembly.Memory).buffer;
    this.i32 = new Int32Array(mem, 0, 12);
    this.i64 = new BigInt64Array(mem, 8, 1);
    this.run = WebAssembly.promising(inst.exports.run as () => void) as () => Promise<void>;
  }

  /** The kernel dispatched this process for a packet: run `handler` (a checked export of the guest) with it. */
  deliver(handler: string, key: number, code: number, value: bigint): void {
    if (this.stopped) return;
    const ix = this.handlerIndex(handler);
    this.i32[0] = key;
    this.i32[1] = code;
    this.i64[0] = value;
    this.handOver(ix, handler);
  }

  /**
   * deliver() with the value as its low and high words (a packet taken from a port's cell: no BigInt).
   * `takeCell` (not 0): the loop may take its next packets from that cell itself while the words at
   * `versionAddress` and the store's cell epoch keep their values now (kernel/ipc/ports.ts takeCellPacket).
   */
  deliverWords(handler: string, key: number, code: number, low: number, high: number, takeCell = 0, versionAddress = 0): void {
    if (this.stopped) return;
    const ix = this.handlerIndex(handler);
    const w = this.i32;
    w[0] = key;
    w[1] = code;
    w[2] = low;
    w[3] = high;
    if (takeCell !== 0 && this.counted) {
      const m = mirrorWords();
      const at = takeMutation === "stale" ? 0 : versionAddress; // word 0 of the store never changes
      w[T_CELL >> 2] = takeCell;
      w[T_VERSION_AT >> 2] = at;
      w[T_VERSION >> 2] = m[at >> 2]; // both 64-bit counters, low word first
      w[(T_VERSION >> 2) + 1] = m[(at >> 2) + 1];
      w[T_EPOCH >> 2] = m[CELL_EPOCH_ADDRESS >> 2];
      w[(T_EPOCH >> 2) + 1] = m[(CELL_EPOCH_ADDRESS >> 2) + 1];
      w[T_LEFT >> 2] = TAKES_BETWEEN_TURNS + 1;
    }
    this.handOver(ix, handler);
  }

  private handOver(ix: number, handler: string): void {
    const w = this.waiter;
    if (w !== null) {
      const j = this.waiterReject!;
      this.waiter = null;
      this.waiterReject = null;
      if (this.host.yieldDue()) this.host.later(() => (this.stopped ? j(UNWIND) : w(ix)));
      else w(ix);
    } else if (this.inNext) {
      this.ready = ix; // next() is on the stack and returns it
    } else if (!this.started) {
      this.started = true;
      this.ready = ix;
      queueMicrotask(() => void this.run().catch((e) => this.stopped || this.host.ended(e)));
    } else {
      throw new Error(`port loop: a packet for ${handler} arrived while an activation was running`);
    }
  }

  /** The process is gone: unwind the parked stack (its run() ends in a rejection, ignored once stopped). */
  stop(): void {
    this.stopped = true;
    const j = this.waiterReject;
    this.waiter = null;
    this.waiterReject = null;
    if (j !== null) j(UNWIND);
  }

  private handlerIndex(name: string): number {
    if (name === this.lastHandler) return this.lastIndex; // most processes bind one handler
    let ix = this.index.get(name);
    if (ix === undefined) {
      ix = this.table.length;
      this.table.grow(1);
      this.table.set(ix, this.guest[name] as () => void);
      this.index.set(name, ix);
    }
    this.lastHandler = name;
    this.lastIndex = ix;
    return ix;
  }

  /**
   * The plain import: finish the previous activation, then the next packet's handler if the kernel has
   * handed this process one already (and the event loop is not due a turn), else -1 (the loop waits).
   */
  private next(fuel: number): number {
    this.i32[T_CELL >> 2] = 0; // the kernel decides again (its run-on may allow the take anew)
    if (this.activating) {
      this.activating = false;
      this.inNext = true;
      try {
        this.host.activationDone(this.counted ? fuel : NaN);
      } finally {
        this.inNext = false;
      }
    }
    const ix = this.ready;
    if (ix >= 0 && !this.host.yieldDue()) {
      this.ready = -1;
      this.activating = true;
      return ix;
    }
    return -1;
  }

  /** The Suspending import, after next() returned -1: the packet already here after a turn of the event loop, or the next one the kernel delivers. */
  private wait(): Promise<number> {
    const ix = this.ready;
    if (ix >= 0) {
      this.ready = -1;
      this.activating = true;
      return new Promise<number>((resolve, reject) => this.host.later(() => (this.stopped ? reject(UNWIND) : resolve(ix))));
    }
    return new Promise<number>((resolve, reject) => {
      this.waiterReject = reject;
      this.waiter = (i) => {
        this.activating = true;
        resolve(i);
      };
    });
  }
}
