// The yield vDSO (docs/fastpath.md "Yield in wasm: lazy state"; kernel/fast/yields.ts): one kernel-owned
// module instance a kernel whose export `yield` is every eligible process's yield import (wasm-to-wasm).
// It serves a yield in wasm against the words the kernel published after its own last yield, and calls
// the TypeScript yield (the bridge's entry, which syncs the words first) for anything else, before
// changing anything. Its one Suspending import, switchTo, does only JSPI's part with the real runtimes.
//
// (module
//   (type $i (func (result i32)))
//   (type $sw (func (param i32 i32 i32) (result i32)))
//   (import "k" "fallback" (func $fallback (type $i)))            Suspending: the TypeScript yield, then publish
//   (import "k" "switchTo" (func $switchTo (type $sw)))           Suspending: arm ring[from], resume ring[to]
//   (import "k" "words" (memory 1 1))                             kernel/fast/yields.ts's layout
//   (table $counters (export "counters") 2*RING_MAX funcref)      each ring member's counter reader, then writer
//   (func (export "yield") (result i32) ...))                     the body below, step by step
//
// Which process calls: only the ring's head runs while the words are armed (every other process runs only
// after a kernel entry, which withdraws them), so the caller is ring[HEAD].

import type { KernelCore } from "../../kernel/core.ts";
import { RING_MAX, RING, RING_SIZE, R, Y, type YieldWords } from "../../kernel/fast/yields.ts";
import { MAX_SLICE_FUEL } from "../../kernel/sched/params.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { IMPORT_MODULE } from "../../abi/gen/abi.ts";
import {
  ADD,
  AND,
  assemble,
  ByteSink,
  Code,
  CONVERT,
  EQ,
  EQZ,
  FADD,
  FCEIL,
  FGT,
  FLE,
  FLT,
  FMAX,
  FMIN,
  FMUL,
  FNE,
  FSUB,
  FUNCREF,
  funcType,
  GT_S,
  I32,
  LE_S,
  LT_S,
  MUL,
  SELECT,
  SUB,
  TRUNC,
} from "./assemble.ts";
import { yieldEntry } from "./bridge.ts";
import type { WasmProcessRuntime } from "./process-runtime.ts";

const F64 = 0x7c;

/**
 * A step of the vDSO dropped on purpose, for tests only (test/sched/fast-yield.test.ts shows that each
 * makes the comparison with the vDSO off fail): "latency" skips the tier's latency check, "timer" the due
 * timer's check, "bucket" the billing bucket's, "bound" the next timer's bound on the slice, "quantum" the
 * fresh quantum at the back of the queue, "cost" the switch cost's charge to the process dispatched, "kept" keeping a counter (the counter is always written).
 */
export type FastYieldMutation = "latency" | "timer" | "bucket" | "bound" | "quantum" | "cost" | "kept" | null;
let mutation: FastYieldMutation = null;
export function mutateFastYieldForTest(m: FastYieldMutation): void {
  mutation = m;
}

const modules = new Map<string, WebAssembly.Module>();

// locals: i32 then f64
const H = 0,
  PA = 1,
  LEFT = 2,
  FUEL = 3,
  Q = 4,
  QA = 5,
  QQ = 6,
  HELD = 7,
  MISS = 8,
  KEEP = 9,
  NOW = 10,
  NOW2 = 11,
  CPU = 12,
  BILL = 13,
  FQ = 14,
  NEXT = 15,
  NS = 16;
const F_FALLBACK = 0,
  F_SWITCH = 1;

/**
 * The body (after each block, the TypeScript step it stands for):
 *
 *   (block $slow
 *     (br_if $slow (i32.eqz ARMED))
 *     pa = RING + HEAD * RING_SIZE                                     the caller, ring[HEAD]
 *     ;; CpuScheduler.endSliceFlat(p)
 *     left = counters[HEAD]()  fuel = FUEL_MARK - left  now = CLOCK  cpu = p.CPU  bill = BILL_NS
 *     if fuel > 0: ns = fuel * NS_PER_FUEL; now += ns; cpu += ns; bill += ns
 *     ;; schedule(): a due timer is TypeScript's
 *     (br_if $slow (NEXT_TIMER <= now))
 *     ;; RunQueues.dequeue(): the ring's next
 *     q = HEAD + 1 (0 at N)  qa = its record
 *     ;; CpuScheduler.beginSliceFlat(q)
 *     miss = now - q.READY > q.TIER
 *     qq = q.QLEFT; if qq <= 0: qq = QUANTUM
 *     now2 = now + COST
 *     (br_if $slow (!(now2 < BILL_END)))                                a new bucket: chargeRest's, TypeScript's
 *     fq = min(qq, MAX_SLICE_FUEL); if NEXT_TIMER != inf: fq = min(fq, ceil((NEXT_TIMER - now2) * PER_NS)); fq = max(1, fq)
 *     held = q.HELD  keep = held > 0 && held <= fq                     refill: the counter kept, or written
 *     ;; ---- committed ----
 *     p: CPU = cpu, QLEFT = QUANTUM, READY = now, HELD = left, RESUME = 0     endSlice, the queued hook, yieldCurrent
 *     q: LAT += miss, QLEFT = qq, CPU += COST, HELD = -1                 beginSliceFlat
 *     CLOCK = now2  BILL_NS = bill + COST
 *     if keep: FUEL_MARK = held  FUEL_BEYOND = fq - held  KEPT++
 *     else: counters[RING_MAX + q](fq)  FUEL_MARK = fq  FUEL_BEYOND = 0
 *     HEAD = q  SERVED++
 *     (return_call (switchTo HEAD_old q q.RESUME)))
 *   (fallback)
 */
function body(m: FastYieldMutation): Code {
  const e = new Code();
  e.op(0x02, 0x40); // block $slow
  e.word(Y.ARMED).op(EQZ).brIf(0);
  e.word(Y.HEAD).set(H);
  e.i32(RING).get(H).i32(RING_SIZE).op(MUL).op(ADD).set(PA);
  // endSliceFlat(p)
  e.get(H).b.u8(0x11).u32(0).u32(0); // call_indirect (type 0) table 0: the caller's counter
  e.set(LEFT);
  e.word(Y.FUEL_MARK).get(LEFT).op(SUB).set(FUEL);
  e.wordf(Y.CLOCK).set(NOW);
  e.get(PA).ldf(R.CPU).set(CPU);
  e.wordf(Y.BILL_NS).set(BILL);
  e.get(FUEL).i32(0).op(GT_S);
  e.if((t) => {
    t.get(FUEL).op(CONVERT).wordf(Y.NS_PER_FUEL).op(FMUL).set(NS);
    t.get(NOW).get(NS).op(FADD).set(NOW);
    t.get(CPU).get(NS).op(FADD).set(CPU);
    t.get(BILL).get(NS).op(FADD).set(BILL);
  });
  // schedule(): a due timer
  e.wordf(Y.NEXT_TIMER).set(NEXT);
  if (m !== "timer") e.get(NEXT).get(NOW).op(FLE).brIf(0);
  // dequeue: the ring's next
  e.get(H).i32(1).op(ADD).set(Q);
  e.get(Q)
    .word(Y.N)
    .op(EQ)
    .if((t) => t.i32(0).set(Q));
  e.i32(RING).get(Q).i32(RING_SIZE).op(MUL).op(ADD).set(QA);
  // beginSliceFlat(q)
  if (m === "latency") e.i32(0).set(MISS);
  else e.get(NOW).get(QA).ldf(R.READY).op(FSUB).get(QA).ldf(R.TIER).op(FGT).set(MISS);
  e.get(QA).ld(R.QLEFT).set(QQ);
  e.get(QQ)
    .i32(0)
    .op(LE_S)
    .if((t) => t.word(Y.QUANTUM).set(QQ));
  e.get(NOW).wordf(Y.COST).op(FADD).set(NOW2);
  if (m !== "bucket") e.get(NOW2).wordf(Y.BILL_END).op(FLT).op(EQZ).brIf(0);
  // fq = min(qq, MAX_SLICE_FUEL)
  e.get(QQ).i32(MAX_SLICE_FUEL).get(QQ).i32(MAX_SLICE_FUEL).op(LT_S).op(SELECT).op(CONVERT).set(FQ);
  if (m !== "bound")
    e.get(NEXT)
      .f64(Infinity)
      .op(FNE)
      .if((t) => t.get(FQ).get(NEXT).get(NOW2).op(FSUB).wordf(Y.PER_NS).op(FMUL).op(FCEIL).op(FMIN).set(FQ));
  e.f64(1).get(FQ).op(FMAX).set(FQ);
  // refill's choice: keep the counter (it holds no more than the slice) or write it
  e.get(QA).ld(R.HELD).set(HELD);
  if (m === "kept") e.i32(0).set(KEEP);
  else e.get(HELD).i32(0).op(GT_S).get(HELD).op(CONVERT).get(FQ).op(FLE).op(AND).set(KEEP);
  // ---- committed ----
  const pa = (x: Code) => x.get(PA);
  const qa = (x: Code) => x.get(QA);
  const zero = (x: Code) => x.i32(0);
  e.stf(R.CPU, pa, (x) => x.get(CPU));
  // endSliceFlat charged the quantum, then the queued hook gave a fresh one (the mutation keeps the charged one)
  if (m !== "quantum") e.st(R.QLEFT, pa, (x) => x.word(Y.QUANTUM));
  else e.st(R.QLEFT, pa, (x) => x.get(PA).ld(R.QLEFT).get(FUEL).op(SUB));
  e.stf(R.READY, pa, (x) => x.get(NOW));
  e.st(R.HELD, pa, (x) => x.get(LEFT));
  e.st(R.RESUME, pa, (x) => x.i32(0));
  e.st(R.LAT, qa, (x) => x.get(QA).ld(R.LAT).get(MISS).op(ADD));
  e.st(R.QLEFT, qa, (x) => x.get(QQ));
  if (m !== "cost") e.stf(R.CPU, qa, (x) => x.get(QA).ldf(R.CPU).wordf(Y.COST).op(FADD));
  e.st(R.HELD, qa, (x) => x.i32(-1));
  e.stf(Y.CLOCK, zero, (x) => x.get(NOW2));
  e.stf(Y.BILL_NS, zero, (x) => x.get(BILL).wordf(Y.COST).op(FADD));
  e.get(KEEP).ifElse(
    (t) => {
      t.st(Y.FUEL_MARK, zero, (x) => x.get(HELD));
      t.st(Y.FUEL_BEYOND, zero, (x) => x.get(FQ).op(TRUNC).get(HELD).op(SUB));
      t.st(Y.KEPT, zero, (x) => x.word(Y.KEPT).i32(1).op(ADD));
    },
    (t) => {
      // setFuel(fuel): q's counter written through its writer (table slot RING_MAX + q)
      t.get(FQ).op(TRUNC).i32(RING_MAX).get(Q).op(ADD).b.u8(0x11).u32(2).u32(0);
      t.st(Y.FUEL_MARK, zero, (x) => x.get(FQ).op(TRUNC));
      t.st(Y.FUEL_BEYOND, zero, (x) => x.i32(0));
    },
  );
  e.st(Y.HEAD, zero, (x) => x.get(Q));
  e.st(Y.SERVED, zero, (x) => x.word(Y.SERVED).i32(1).op(ADD));
  e.get(H).get(Q).get(QA).ld(R.RESUME).returnCall(F_SWITCH); // return_call (switchTo from to value): no vDSO frame while suspended
  e.op(0x0b); // end $slow
  e.call(F_FALLBACK);
  return e;
}

function vdsoModule(): WebAssembly.Module {
  const key = mutation ?? "";
  let m = modules.get(key);
  if (m !== undefined) return m;
  const types = new ByteSink().u32(3);
  funcType(types, [], [I32]);
  funcType(types, [I32, I32, I32], [I32]);
  funcType(types, [I32], []);
  const imports = new ByteSink().u32(3);
  imports.name("k").name("fallback").u8(0x00).u32(0);
  imports.name("k").name("switchTo").u8(0x00).u32(1);
  imports.name("k").name("words").u8(0x02).u8(0x01).u32(1).u32(1);
  const funcs = new ByteSink().u32(1).u32(0);
  const tables = new ByteSink()
    .u32(1)
    .u8(FUNCREF)
    .u8(0x00)
    .u32(2 * RING_MAX);
  const exports = new ByteSink().u32(2);
  exports.name("yield").u8(0x00).u32(2).name("counters").u8(0x01).u32(0);
  const b = body(mutation).b;
  const fn = new ByteSink().u32(2).u32(10).u8(I32).u32(7).u8(F64);
  fn.bytes(b.view()).u8(0x0b);
  const code = new ByteSink().u32(1).u32(fn.length).bytes(fn.view());
  m = assemble([
    [1, types],
    [2, imports],
    [3, funcs],
    [4, tables],
    [7, exports],
    [10, code],
  ]);
  modules.set(key, m);
  return m;
}

/** A process's runtime as the vDSO needs it: its counter's wasm reader (WasmProcessRuntime.counterReader). */
interface CounterRuntime {
  counterReader(): () => number;
  counterWriter(): (v: number) => void;
}

type Vdso = { yield: Function; words: YieldWords };
/** Each kernel's vDSO, made when its first process that may take it is instantiated (null: not yet). */
const vdsos = new WeakMap<KernelCore, Vdso | null>();

/**
 * Serve yield in wasm in kernel k (the host's choice: KernelConfig.fastYield). Its words and instance are made
 * at the first process whose imports may take them (a wasm memory a kernel: kernels that never run a
 * yielder, most of a test suite's and the bench's, make none).
 */
export function useFastYield(k: KernelCore): void {
  if (!vdsos.has(k)) vdsos.set(k, null);
}

function makeVdso(k: KernelCore): Vdso {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const ring: (Process | null)[] = new Array(RING_MAX).fill(null);
  const readers: (Function | null)[] = new Array(2 * RING_MAX).fill(null);
  let table: WebAssembly.Table | null = null;
  const words: YieldWords = {
    i32: new Int32Array(memory.buffer),
    f64: new Float64Array(memory.buffer),
    ring,
    bound(n: number): void {
      for (let i = 0; i < n; i++) {
        const rt = ring[i]!.runtime as unknown as CounterRuntime;
        const r = rt.counterReader();
        if (readers[i] !== r) {
          table!.set(i, r);
          readers[i] = r;
          const w = rt.counterWriter();
          table!.set(RING_MAX + i, w);
          readers[RING_MAX + i] = w;
        }
      }
    },
  };
  const raw = yieldEntry(k);
  const instance = new WebAssembly.Instance(vdsoModule(), {
    k: {
      words: memory,
      // The TypeScript yield (its entry syncs the words first), then the words published for the process it dispatched.
      fallback: new WebAssembly.Suspending(() => {
        const r = raw();
        k.publishYields();
        return r;
      }),
      // Only JSPI's part: the caller's promise armed, the next one's resumed (WasmProcessRuntime.handOff).
      switchTo: new WebAssembly.Suspending((from: number, to: number, value: number) =>
        (ring[from]!.runtime as unknown as WasmProcessRuntime).handOff(ring[to]!.runtime as unknown as WasmProcessRuntime, value),
      ),
    },
  } as unknown as WebAssembly.Imports);
  table = instance.exports.counters as WebAssembly.Table;
  k.yieldWords = words;
  const v = { yield: instance.exports.yield as Function, words };
  vdsos.set(k, v);
  return v;
}

/**
 * If kernel k serves yield in wasm and process p's imports (from syscallImports, before guards) may take
 * it, put the vDSO's yield in place of the bridge's. Not for a process that may bind or send to a port:
 * a wasm-to-wasm delivery runs a binder's handler on its sender's stack with no kernel entry, and its
 * JavaScript reads KernelCore.current.
 * Returns whether it did.
 */
export function addFastYield(k: KernelCore, imports: Record<string, unknown>): boolean {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  if (ns === undefined || !("yield" in ns) || "port_bind" in ns || "port_send" in ns) return false;
  let v = vdsos.get(k);
  if (v === undefined) return false;
  if (v === null) v = makeVdso(k);
  ns.yield = v.yield;
  return true;
}

/** Whether `imports` (a process's, as instantiated) take kernel k's yield vDSO. */
export function takesFastYield(k: KernelCore, imports: Record<string, unknown>): boolean {
  const v = vdsos.get(k);
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  return v !== undefined && v !== null && ns !== undefined && ns.yield === v.yield;
}
