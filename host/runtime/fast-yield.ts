// The vDSO (docs/fastpath.md "Yield in wasm: lazy state", "pulse_wait pairs in wasm", "call and reply_wait
// pairs in wasm"; kernel/fast/yields.ts): one kernel-owned module instance a kernel whose exports are every
// eligible process's yield, pulse_wait, call and reply_wait imports (wasm-to-wasm). It serves a yield, or a
// pair's pulse_wait, call or reply_wait, in wasm against the words the kernel published after its own last one,
// and calls the TypeScript call (the bridge's entry, which syncs the words first) for anything else, before
// changing anything. A pair's calls are served by a pair module (pairModule), instantiated for the pair's two
// processes with their memories and fuel counters as imports, which the vDSO's exports tail-call through its
// table. The one Suspending import that switches, switchTo, does only JSPI's part with the real runtimes: a
// pair's words are in the peer's IPC buffer by then.
//
// (module
//   (type $i (func (result i32)))
//   (type $sw (func (param i32 i32 i32) (result i32)))
//   (type $w (func (param i32)))                                  a counter writer's
//   (type $pw (func (param i32 i32 i32 i32) (result i32)))
//   (type $c (func (param i32 i32) (result i32)))
//   (import "k" "fallback" (func $fallback (type $i)))            Suspending: the TypeScript yield, then publish
//   (import "k" "switchTo" (func $switchTo (type $sw)))           Suspending: arm ring[from], resume ring[to]
//   (import "k" "pulseFallback" (func $pfallback (type $pw)))     Suspending: the TypeScript pulse_wait, then publish
//   (import "k" "callFallback" (func $cfallback (type $c)))       Suspending: the TypeScript call, then publish
//   (import "k" "replyFallback" (func $rfallback (type $pw)))     Suspending: the TypeScript reply_wait, then publish
//   (import "k" "words" (memory 1 1))                             kernel/fast/yields.ts's layout
//   (table $helpers (export "helpers") 2*RING_MAX+3 funcref)      each ring member's counter reader, then each one's
//                                                                 writer, then the pair's call, reply_wait, pulse_wait
//   (elem (i32.const PAIR) $callSlow $replySlow $pulseSlow)       until a pair is published: the fallbacks
//   (func (export "yield") (result i32) ...)                      the body below, step by step
//   (func (export "pulse_wait") (type $pw) (return_call_indirect (type $pw) (local.get 0..3) (i32.const PAIR+2)))
//   (func (export "call") (type $c) (return_call_indirect (type $c) (local.get 0 1) (i32.const PAIR)))
//   (func (export "reply_wait") (type $pw) (return_call_indirect (type $pw) (local.get 0..3) (i32.const PAIR+1)))
//   (func $replySlow (type $pw) (return_call $rfallback ...))  (func $callSlow ...)  (func $pulseSlow ...))
//
// Which process calls: only the ring's head runs while the words are armed (every other process runs only
// after a kernel entry, which withdraws them), so the caller is ring[HEAD] (of a pair: ring[0] or ring[1]).

import type { KernelCore } from "../../kernel/core.ts";
import { ARMED_CALLS, ARMED_PULSES, ARMED_YIELDS, C, RING_MAX, RING, RING_SIZE, R, Y, type YieldWords } from "../../kernel/fast/yields.ts";
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
  functionsCode,
  funcType,
  GE_U,
  GT_S,
  GT_U,
  I32,
  LE_S,
  LT_S,
  MUL,
  NE,
  SELECT,
  SUB,
  TRUNC,
  XOR,
} from "./assemble.ts";
import { callEntry, pulseWaitEntry, replyWaitEntry, yieldEntry } from "./bridge.ts";
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

/**
 * A step of the vDSO's pulse_wait dropped or moved on purpose, for tests only (test/sched/fast-pulse.test.ts:
 * each makes its comparison with the vDSO off fail): "readied" starts the receiver's wait after the sender's
 * slice is charged (yield's order) instead of before; "quantum" gives the blocked sender a fresh quantum
 * (yield's) instead of its charged one; "order" accounts the receiver's dispatch (its latency check, the
 * slice's bound) before the sender's slice is charged; "latency", "timer", "bucket", "bound", "cost" and
 * "kept" as for yield; "deliver" switches without writing the pulse into the receiver's IPC buffer,
 * "handles" serves a pulse_wait whatever handles it names.
 */
export type FastPulseMutation =
  "readied" | "quantum" | "order" | "latency" | "timer" | "bucket" | "bound" | "cost" | "kept" | "deliver" | "handles" | null;
let pulseMutation: FastPulseMutation = null;
export function mutateFastPulseForTest(m: FastPulseMutation): void {
  pulseMutation = m;
}

/**
 * A step of the vDSO's call or reply_wait dropped or moved on purpose, for tests only (test/sched/fast-call.test.ts:
 * each makes its comparison with the vDSO off fail): "side" serves a call or reply_wait whichever side makes it,
 * "handles" whatever handle it names, "rcvid" a reply_wait whatever rcvid it answers; "wrap" numbers calls past
 * 0x7fffffff without nextRcvid's wrap to 1, "number" gives a call the rcvid of the one before; "send" switches
 * without copying the call's words into the server's IPC buffer, "answer" without copying the answer's into the
 * client's, "rest" copies all four words whatever the count (not zeroing those past it), "status" resumes the client with 0, not the status; "readied", "quantum", "cost" and "timer" as for
 * pulse_wait.
 */
export type FastCallMutation =
  | "side"
  | "handles"
  | "rcvid"
  | "wrap"
  | "number"
  | "send"
  | "answer"
  | "rest"
  | "status"
  | "readied"
  | "quantum"
  | "cost"
  | "timer"
  | null;
let callMutation: FastCallMutation = null;
export function mutateFastCallForTest(m: FastCallMutation): void {
  callMutation = m;
}

/**
 * The kernel reads and writes the vDSO's words through Int32Array and Float64Array views, whose byte order is
 * wasm's (little-endian) only on a little-endian host: elsewhere nothing is served in wasm.
 */
const LITTLE_ENDIAN = new Uint8Array(new Int32Array([1]).buffer)[0] === 1;

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
// The vDSO's imports (function indices)
const F_FALLBACK = 0,
  F_SWITCH = 1,
  F_PFALLBACK = 2,
  F_CFALLBACK = 3,
  F_RFALLBACK = 4;
// A pair module's imports (function indices: pairModule), its memories and its globals
const P_SWITCH = 0,
  P_CFALLBACK = 1,
  P_RFALLBACK = 2,
  P_PFALLBACK = 3,
  /** ring[0]'s memory and ring[1]'s (memory 0: the words) */
  MEM0 = 1,
  /** ring[0]'s fuel counter and ring[1]'s */
  G0 = 0;
/** The vDSO's table slots of the pair served now (its module's call, reply_wait and pulse_wait), after the counters' readers and writers. */
const PAIR = 2 * RING_MAX;
// The function types both modules declare, in this order
const T_I = 0,
  T_SW = 1,
  T_PW = 3,
  T_C = 4;

/**
 * The body (after each block, the TypeScript step it stands for):
 *
 *   (block $slow
 *     (br_if $slow (ARMED != ARMED_YIELDS))
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
 *   (return_call $fallback)
 */
function body(m: FastYieldMutation): Code {
  const e = new Code();
  e.op(0x02, 0x40); // block $slow
  e.word(Y.ARMED).i32(ARMED_YIELDS).op(NE).brIf(0);
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
  sliceFuel(e, null, FQ, NEXT, NOW2, m === "bound", QQ);
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
  // setFuel(fuel): q's counter written through its writer (table slot RING_MAX + q)
  refill(e, KEEP, HELD, FQ, (t, v) => v(t).i32(RING_MAX).get(Q).op(ADD).b.u8(0x11).u32(2).u32(0));
  e.st(Y.HEAD, zero, (x) => x.get(Q));
  e.st(Y.SERVED, zero, (x) => x.word(Y.SERVED).i32(1).op(ADD));
  e.get(H).get(Q).get(QA).ld(R.RESUME).returnCall(F_SWITCH); // return_call (switchTo from to value): no vDSO frame while suspended
  e.op(0x0b); // end $slow
  e.returnCall(F_FALLBACK); // no frame of the vDSO's while the TypeScript yield suspends
  return e;
}

// pulse_wait's parameters (its locals after them: pairLocals(4, 0))
const EP = 0,
  CODE = 1,
  VALUE = 2,
  WEP = 3;

/**
 * The locals a pair's handoff uses (pulse_wait, call, reply_wait), after the body's `base` parameters: ten
 * i32s, then `extra` i32s of the body's own (from X), then eight f64s.
 */
function pairLocals(base: number, extra: number) {
  const f = base + 11 + extra;
  return {
    H: base,
    PA: base + 1,
    LEFT: base + 2,
    FUEL: base + 3,
    Q: base + 4,
    QA: base + 5,
    HELD: base + 6,
    MISS: base + 7,
    KEEP: base + 8,
    QP: base + 9,
    /** The caller's side in the pair module: HEAD ^ PAIR_SWAP (its memory MEM0 + HM, its counter G0 + HM). */
    HM: base + 10,
    X: base + 11,
    T0: f,
    NOW: f + 1,
    CPU: f + 2,
    BILL: f + 3,
    FQ: f + 4,
    NEXT: f + 5,
    NS: f + 6,
    NOW2: f + 7,
  };
}
type PairLocals = ReturnType<typeof pairLocals>;

/**
 * A pair's handoff up to the commit (pulseBody, callBody: fastPulseWait, fastCall and fastReplyWait wake
 * the peer with wakeSettled, then blockAndRun, in that order): q = HEAD ^ 1; readied(q) starts its wait at
 * the clock before the caller's charge (t0); blockAndRun's endSliceFlat(p) charges the caller, which keeps
 * its charged quantum; timerDue's due timer and a new billing bucket are TypeScript's; dispatch(q)'s
 * beginSliceFlat: the latency check spans the caller's slice, readied gave q a fresh quantum, the slice's
 * fuel and the counter's refill chosen. `m` drops or moves one step (the comparison tests' mutations).
 */
function pairHandoff(e: Code, L: PairLocals, m: string | null): void {
  e.get(L.H).word(Y.PAIR_SWAP).op(XOR).set(L.HM);
  e.get(L.H).i32(1).op(XOR).set(L.Q);
  e.i32(RING).get(L.Q).i32(RING_SIZE).op(MUL).op(ADD).set(L.QA);
  e.wordf(Y.CLOCK).set(L.T0);
  // blockAndRun's endSliceFlat(p): the caller's counter, its side's global
  e.global(G0)
    .global(G0 + 1)
    .get(L.HM)
    .op(EQZ)
    .op(SELECT);
  e.set(L.LEFT);
  e.word(Y.FUEL_MARK).get(L.LEFT).op(SUB).set(L.FUEL);
  e.get(L.T0).set(L.NOW);
  e.get(L.PA).ldf(R.CPU).set(L.CPU);
  e.wordf(Y.BILL_NS).set(L.BILL);
  e.get(L.PA).ld(R.QLEFT).set(L.QP);
  e.get(L.FUEL).i32(0).op(GT_S);
  e.if((t) => {
    t.get(L.FUEL).op(CONVERT).wordf(Y.NS_PER_FUEL).op(FMUL).set(L.NS);
    t.get(L.NOW).get(L.NS).op(FADD).set(L.NOW);
    t.get(L.CPU).get(L.NS).op(FADD).set(L.CPU);
    t.get(L.BILL).get(L.NS).op(FADD).set(L.BILL);
    t.get(L.QP).get(L.FUEL).op(SUB).set(L.QP);
  });
  // timerDue()
  e.wordf(Y.NEXT_TIMER).set(L.NEXT);
  if (m !== "timer") e.get(L.NEXT).get(L.NOW).op(FLE).brIf(0);
  // beginSliceFlat(q): readied(q) started its wait at t0 ("readied": at now, after the caller's charge)
  if (m === "readied") e.get(L.NOW).set(L.T0);
  if (m === "latency") e.i32(0).set(L.MISS);
  else if (m === "order")
    e.i32(0).set(L.MISS); // measured at t0: no wait at all
  else e.get(L.NOW).get(L.T0).op(FSUB).get(L.QA).ldf(R.TIER).op(FGT).set(L.MISS);
  e.get(L.NOW).wordf(Y.COST).op(FADD).set(L.NOW2);
  if (m !== "bucket") e.get(L.NOW2).wordf(Y.BILL_END).op(FLT).op(EQZ).brIf(0);
  if (m === "order") e.get(L.T0).wordf(Y.COST).op(FADD).set(L.NS); // the bound from t0 + the cost
  sliceFuel(e, Y.QUANTUM, L.FQ, L.NEXT, m === "order" ? L.NS : L.NOW2, m === "bound");
  e.get(L.QA).ld(R.HELD).set(L.HELD);
  if (m === "kept") e.i32(0).set(L.KEEP);
  else e.get(L.HELD).i32(0).op(GT_S).get(L.HELD).op(CONVERT).get(L.FQ).op(FLE).op(AND).set(L.KEEP);
}

/** The accounting pairHandoff chose, committed: the caller's slice charged, q's begun (its resume value is the body's). */
function pairCommit(e: Code, L: PairLocals, m: string | null): void {
  const pa = (x: Code) => x.get(L.PA);
  const qa = (x: Code) => x.get(L.QA);
  e.stf(R.CPU, pa, (x) => x.get(L.CPU));
  if (m !== "quantum") e.st(R.QLEFT, pa, (x) => x.get(L.QP));
  else e.st(R.QLEFT, pa, (x) => x.word(Y.QUANTUM));
  e.st(R.HELD, pa, (x) => x.get(L.LEFT));
  e.stf(R.READY, qa, (x) => x.get(L.T0));
  e.st(R.QLEFT, qa, (x) => x.word(Y.QUANTUM));
  e.st(R.LAT, qa, (x) => x.get(L.QA).ld(R.LAT).get(L.MISS).op(ADD));
  if (m !== "cost") e.stf(R.CPU, qa, (x) => x.get(L.QA).ldf(R.CPU).wordf(Y.COST).op(FADD));
  e.st(R.HELD, qa, (x) => x.i32(-1));
}

/** The clock, the billing and the counter after pairCommit, then q runs: HEAD = q, SERVED++. */
function pairDispatch(e: Code, L: PairLocals): void {
  const zero = (x: Code) => x.i32(0);
  e.stf(Y.CLOCK, zero, (x) => x.get(L.NOW2));
  e.stf(Y.BILL_NS, zero, (x) => x.get(L.BILL).wordf(Y.COST).op(FADD));
  // setFuel(fuel): q's counter, the other side's global
  refill(e, L.KEEP, L.HELD, L.FQ, (t, v) =>
    t.get(L.HM).ifElse(
      (x) => v(x).globalSet(G0),
      (x) => v(x).globalSet(G0 + 1),
    ),
  );
  e.st(Y.HEAD, zero, (x) => x.get(L.Q));
  e.st(Y.SERVED, zero, (x) => x.word(Y.SERVED).i32(1).op(ADD));
}

/**
 * pulse_wait(ep, code, value, waitEp) for a pulse pair (KernelCore.publishPulses; kernel/ipc/fastpath.ts
 * pulsePair): what fastPulseWait and blockAndRun do, in the order they do it, where every IPC step but the
 * delivery is fixed by the pair's conditions (ring[HEAD] runs and pulses ring[HEAD ^ 1], blocked in its
 * pulse_wait; then it waits where that one waited):
 *
 *   (block $slow
 *     (br_if $slow (ARMED != ARMED_PULSES))
 *     pa = ring[HEAD]  (br_if $slow (ep != pa.SEND_H))  (br_if $slow (waitEp != pa.WAIT_H))   cachedEndpoint's hits
 *     q = HEAD ^ 1  qa = its record
 *     ;; wakeSettled's CpuScheduler.readied(q): its wait starts at the clock before the sender's slice is charged
 *     t0 = CLOCK
 *     ;; blockAndRun's endSliceFlat(p): the sender keeps its charged quantum (it blocks: no queued hook)
 *     left = counters[HEAD]()  fuel = FUEL_MARK - left  now = t0  cpu = p.CPU  bill = BILL_NS  qp = p.QLEFT
 *     if fuel > 0: ns = fuel * NS_PER_FUEL; now += ns; cpu += ns; bill += ns; qp -= fuel
 *     ;; blockAndRun's timerDue(): a due timer is TypeScript's (it queues q and schedules)
 *     (br_if $slow (NEXT_TIMER <= now))
 *     ;; dispatch(q), beginSliceFlat: the latency check spans the sender's slice; readied gave a fresh quantum
 *     miss = now - t0 > q.TIER
 *     now2 = now + COST  (br_if $slow (!(now2 < BILL_END)))
 *     fq = min(QUANTUM, MAX_SLICE_FUEL), bounded by the next timer, at least 1; keep = 0 < q.HELD <= fq
 *     ;; ---- committed ----
 *     p: CPU = cpu, QLEFT = qp, HELD = left
 *     q: READY = t0, QLEFT = QUANTUM, LAT += miss, CPU += COST, HELD = -1, RESUME = 0, LCODE = code, LVALUE = value
 *     CLOCK = now2  BILL_NS = bill + COST  the counter kept or written (as yield)
 *     HEAD = q  SERVED++
 *     q's memory at q.BUF = code, value, 0, 0                          the delivery into q's IPC buffer (its registers at the sync)
 *     (return_call (switchTo HEAD_old q 0)))                            JSPI's part
 *   (return_call $pulseFallback ep code value waitEp)
 */
function pulseBody(m: FastPulseMutation): Code {
  const L = pairLocals(4, 0);
  const e = new Code();
  e.op(0x02, 0x40); // block $slow
  e.word(Y.ARMED).i32(ARMED_PULSES).op(NE).brIf(0);
  e.word(Y.HEAD).set(L.H);
  e.i32(RING).get(L.H).i32(RING_SIZE).op(MUL).op(ADD).set(L.PA);
  if (m !== "handles") {
    e.get(EP).get(L.PA).ld(R.SEND_H).op(NE).brIf(0);
    e.get(WEP).get(L.PA).ld(R.WAIT_H).op(NE).brIf(0);
  }
  pairHandoff(e, L, m);
  // ---- committed ----
  pairCommit(e, L, m);
  const qa = (x: Code) => x.get(L.QA);
  e.st(R.RESUME, qa, (x) => x.i32(0));
  e.st(R.LCODE, qa, (x) => x.get(CODE));
  e.st(R.LVALUE, qa, (x) => x.get(VALUE));
  pairDispatch(e, L);
  // fastPulseWait's delivery (setPulseNarrow's words; the registers' other fields at the sync from LCODE and
  // LVALUE: kernel/ipc/fastpath.ts pulsePairRegisters): code, value, 0, 0 into q's IPC buffer, in q's memory
  if (m !== "deliver")
    onEither(e, L.HM, (x, from) => {
      const mem = peerOf(from);
      const buf = (y: Code) => y.get(L.QA).ld(R.BUF);
      x.stIn(mem, 0, buf, (y) => y.get(CODE));
      x.stIn(mem, 4, buf, (y) => y.get(VALUE));
      x.stIn(mem, 8, buf, (y) => y.i32(0));
      x.stIn(mem, 12, buf, (y) => y.i32(0));
    });
  e.get(L.H).get(L.Q).i32(0).returnCall(P_SWITCH); // return_call (switchTo from to 0): no frame of ours while suspended
  e.op(0x0b); // end $slow
  e.get(EP).get(CODE).get(VALUE).get(WEP).returnCall(P_PFALLBACK);
  return e;
}

/**
 * call(ep, words) by a call pair's client, or reply_wait(ep, rcvid, status, words) by its server
 * (KernelCore.publishCalls; kernel/ipc/fastpath.ts callPair): what fastCall or fastReplyWait and blockAndRun do,
 * in their order, where every IPC step but the words, the rcvid and the status is fixed by the pair's
 * conditions (ring[HEAD] runs; the client calls while the server waits in its reply_wait, the server answers
 * the call it holds while the client waits in its call). The accounting is pulse_wait's (fastCall and
 * fastReplyWait wake the peer with wakeSettled, then blockAndRun), step for step:
 *
 *   (block $slow
 *     (br_if $slow (ARMED != ARMED_CALLS))
 *     pa = ring[HEAD]
 *     call:  (br_if $slow (HEAD != CLIENT)) (br_if $slow (ep != pa.SEND_H))                    the client; cachedEndpoint's hit
 *     reply: (br_if $slow (HEAD == CLIENT)) (br_if $slow (ep != pa.WAIT_H)) (br_if $slow (rcvid != CUR))   served(p, rcvid)'s hit
 *     (br_if $slow (words >u 4))                                                              EINVAL is TypeScript's
 *     q = HEAD ^ 1 ... the accounting as pulse_wait's (readied at t0, the caller charged and keeping its quantum,
 *     the due timer, the bucket, the dispatch) ...
 *     ;; ---- committed ----
 *     call:  rc = RCVID >= 0x7fffffff ? 1 : RCVID + 1 (nextRcvid)  RCVID = CUR = rc  q.RESUME = rc
 *     reply: STATUS = status  q.RESUME = status
 *     HEAD = q  SERVED++
 *     at = MW (call) / AW (reply)  word i < 4 = (i < words ? p's memory at p.BUF + 4i : 0), into the words at `at` and q's memory at q.BUF
 *     (return_call (switchTo HEAD_old q rc)) / (return_call (switchTo HEAD_old q status))
 *   (return_call $callFallback ep words) / (return_call $replyFallback ep rcvid status words)
 */
function callBody(reply: boolean, m: FastCallMutation): Code {
  const B = reply ? 4 : 2; // the parameters
  const EP = 0,
    WORDS = reply ? 3 : 1,
    RCV = 1,
    STATUS = 2;
  const L = pairLocals(B, 2);
  const RC = L.X,
    V = L.X + 1;
  const e = new Code();
  e.op(0x02, 0x40); // block $slow
  e.word(Y.ARMED).i32(ARMED_CALLS).op(NE).brIf(0);
  e.word(Y.HEAD).set(L.H);
  e.i32(RING).get(L.H).i32(RING_SIZE).op(MUL).op(ADD).set(L.PA);
  if (m !== "side")
    e.get(L.H)
      .word(C.CLIENT)
      .op(reply ? EQ : NE)
      .brIf(0);
  if (m !== "handles")
    e.get(EP)
      .get(L.PA)
      .ld(reply ? R.WAIT_H : R.SEND_H)
      .op(NE)
      .brIf(0);
  if (reply && m !== "rcvid") e.get(RCV).word(C.CUR).op(NE).brIf(0);
  e.get(WORDS).i32(4).op(GT_U).brIf(0);
  pairHandoff(e, L, m);
  // ---- committed ----
  pairCommit(e, L, m);
  const qa = (x: Code) => x.get(L.QA);
  const zero = (x: Code) => x.i32(0);
  if (reply) {
    e.st(C.STATUS, zero, (x) => x.get(STATUS));
    e.st(R.RESUME, qa, (x) => (m === "status" ? x.i32(0) : x.get(STATUS)));
  } else {
    // nextRcvid: the counter's next, 1 after 0x7fffffff
    if (m === "number") e.word(C.RCVID).set(RC);
    else if (m === "wrap") e.word(C.RCVID).i32(1).op(ADD).set(RC);
    else e.i32(1).word(C.RCVID).i32(1).op(ADD).word(C.RCVID).i32(0x7fffffff).op(GE_U).op(SELECT).set(RC);
    e.st(C.RCVID, zero, (x) => x.get(RC));
    e.st(C.CUR, zero, (x) => x.get(RC));
    e.st(R.RESUME, qa, (x) => x.get(RC));
  }
  pairDispatch(e, L);
  // fastCall's words (sysCall's read of the client's buffer, setNarrow's write into the server's) or fastReplyWait's
  // (the answer's, the server's buffer into the client's): words 0..words-1 of the caller's buffer, the rest 0, into
  // MW or AW (the registers and the call message take them there at the sync) and into q's buffer
  const at = reply ? C.AW : C.MW;
  const deliver = m !== (reply ? "answer" : "send");
  onEither(e, L.HM, (x, from) => {
    const to = peerOf(from);
    for (let i = 0; i < 4; i++) {
      const load = (y: Code) =>
        y
          .get(L.PA)
          .ld(R.BUF)
          .ldIn(from, 4 * i);
      if (m === "rest") load(x).set(V);
      else
        x.get(WORDS)
          .i32(i)
          .op(GT_U)
          .ifElse(
            (y) => load(y).set(V),
            (y) => y.i32(0).set(V),
          );
      x.st(at + 4 * i, zero, (y) => y.get(V));
      if (deliver)
        x.stIn(
          to,
          4 * i,
          (y) => y.get(L.QA).ld(R.BUF),
          (y) => y.get(V),
        );
    }
  });
  e.get(L.H)
    .get(L.Q)
    .get(reply ? STATUS : RC)
    .returnCall(P_SWITCH); // return_call (switchTo from to value): no frame of ours while suspended
  e.op(0x0b); // end $slow
  if (reply) e.get(EP).get(RCV).get(STATUS).get(WORDS).returnCall(P_RFALLBACK);
  else e.get(EP).get(WORDS).returnCall(P_CFALLBACK);
  return e;
}

/** `body` for the memory of the side in local `who` (0 or 1: HM): one branch a side, each with its memory's index. */
/** The other side's memory. */
const peerOf = (mem: number): number => (mem === MEM0 ? MEM0 + 1 : MEM0);

function onEither(e: Code, who: number, body: (x: Code, mem: number) => void): void {
  e.get(who).ifElse(
    (x) => body(x, MEM0 + 1),
    (x) => body(x, MEM0),
  );
}

/** The slice's fuel into local fq (f64): min(quantum word, MAX_SLICE_FUEL), bounded by the next timer (unless dropped), at least 1. */
function sliceFuel(e: Code, quantum: number | null, fq: number, next: number, now2: number, noBound: boolean, qq = -1): void {
  if (quantum !== null) e.word(quantum).i32(MAX_SLICE_FUEL).word(quantum).i32(MAX_SLICE_FUEL).op(LT_S).op(SELECT).op(CONVERT).set(fq);
  else e.get(qq).i32(MAX_SLICE_FUEL).get(qq).i32(MAX_SLICE_FUEL).op(LT_S).op(SELECT).op(CONVERT).set(fq);
  if (!noBound)
    e.get(next)
      .f64(Infinity)
      .op(FNE)
      .if((t) => t.get(fq).get(next).get(now2).op(FSUB).wordf(Y.PER_NS).op(FMUL).op(FCEIL).op(FMIN).set(fq));
  e.f64(1).get(fq).op(FMAX).set(fq);
}

/** refill's choice, committed: keep the counter (held fuel, the rest of the slice beyond it) or write it (`write` sets q's counter to the i32 `v` pushes). */
function refill(e: Code, keep: number, held: number, fq: number, write: (t: Code, v: (x: Code) => Code) => void): void {
  const zero = (x: Code) => x.i32(0);
  e.get(keep).ifElse(
    (t) => {
      t.st(Y.FUEL_MARK, zero, (x) => x.get(held));
      t.st(Y.FUEL_BEYOND, zero, (x) => x.get(fq).op(TRUNC).get(held).op(SUB));
      t.st(Y.KEPT, zero, (x) => x.word(Y.KEPT).i32(1).op(ADD));
    },
    (t) => {
      write(t, (x) => x.get(fq).op(TRUNC));
      t.st(Y.FUEL_MARK, zero, (x) => x.get(fq).op(TRUNC));
      t.st(Y.FUEL_BEYOND, zero, (x) => x.i32(0));
    },
  );
}

/** The function types both modules declare (T_I, T_SW, T_PW, T_C are indices into them). */
function commonTypes(): ByteSink {
  const types = new ByteSink().u32(5);
  funcType(types, [], [I32]); // T_I
  funcType(types, [I32, I32, I32], [I32]); // T_SW
  funcType(types, [I32], []); // a counter writer's
  funcType(types, [I32, I32, I32, I32], [I32]); // T_PW
  funcType(types, [I32, I32], [I32]); // T_C
  return types;
}

/**
 * The vDSO: yield's body, and for pulse_wait, call and reply_wait a dispatcher that tail-calls the pair module of
 * the pair published (its table slots PAIR..PAIR+2), or, until a pair is first published, a function that calls
 * the TypeScript fallback.
 */
function vdsoModule(): WebAssembly.Module {
  const key = `vdso/${mutation ?? ""}`;
  let m = modules.get(key);
  if (m !== undefined) return m;
  const imports = new ByteSink().u32(6);
  imports.name("k").name("fallback").u8(0x00).u32(T_I);
  imports.name("k").name("switchTo").u8(0x00).u32(T_SW);
  imports.name("k").name("pulseFallback").u8(0x00).u32(T_PW);
  imports.name("k").name("callFallback").u8(0x00).u32(T_C);
  imports.name("k").name("replyFallback").u8(0x00).u32(T_PW);
  imports.name("k").name("words").u8(0x02).u8(0x01).u32(1).u32(1);
  // functions 5..11: yield, the three dispatchers, the three first slots' fallbacks
  const funcs = new ByteSink().u32(7).u32(T_I).u32(T_PW).u32(T_C).u32(T_PW).u32(T_PW).u32(T_C).u32(T_PW);
  const tables = new ByteSink()
    .u32(1)
    .u8(FUNCREF)
    .u8(0x00)
    .u32(PAIR + 3);
  const exports = new ByteSink().u32(5);
  exports.name("yield").u8(0x00).u32(5).name("pulse_wait").u8(0x00).u32(6);
  exports.name("call").u8(0x00).u32(7).name("reply_wait").u8(0x00).u32(8);
  exports.name("helpers").u8(0x01).u32(0);
  // The slots PAIR..PAIR+2 at instantiation: pulse_wait's, call's and reply_wait's fallbacks
  const elems = new ByteSink().u32(1).u32(0).u8(0x41).s32(PAIR).u8(0x0b).u32(3).u32(10).u32(9).u32(11);
  const args = (n: number) => {
    const c = new Code();
    for (let i = 0; i < n; i++) c.get(i);
    return c;
  };
  const code = functionsCode([
    [
      [
        [10, I32],
        [7, F64],
      ],
      body(mutation).b,
    ],
    [
      [],
      args(4)
        .i32(PAIR + 2)
        .returnCallIndirect(T_PW).b,
    ], // pulse_wait
    [[], args(2).i32(PAIR).returnCallIndirect(T_C).b], // call
    [
      [],
      args(2 + 2)
        .i32(PAIR + 1)
        .returnCallIndirect(T_PW).b,
    ], // reply_wait
    [[], args(4).returnCall(F_RFALLBACK).b],
    [[], args(2).returnCall(F_CFALLBACK).b],
    [[], args(4).returnCall(F_PFALLBACK).b],
  ]);
  m = assemble([
    [1, commonTypes()],
    [2, imports],
    [3, funcs],
    [4, tables],
    [7, exports],
    [9, elems],
    [10, code],
  ]);
  modules.set(key, m);
  return m;
}

/**
 * A pair's module (pulse pairs and call pairs: kernel/ipc/fastpath.ts pulsePair, callPair): pulseBody and callBody,
 * instantiated for two processes, ring[0] and ring[1] of the pair's publication, with their memories and their fuel
 * counters as its own imports. So a pair's kernel step reads the caller's counter and words and writes its peer's
 * buffer in plain loads and stores: no call into another instance (a copy through a helper instance and a counter
 * read through another cost ≈4 ns each, six a round trip: docs/fastpath.md). One instance an ordered pair, made at
 * its first publication and kept while both memories live (a memory that grows stays the same object, and the
 * instance sees it grow).
 *
 *   (module
 *     (import "k" "switchTo" (func (type $sw)))  (import "k" "callFallback" (func (type $c)))
 *     (import "k" "replyFallback" (func (type $pw)))  (import "k" "pulseFallback" (func (type $pw)))
 *     (import "k" "words" (memory 1 1))                                the kernel's words: memory 0
 *     (import "m" "p0" (memory 0))  (import "m" "p1" (memory 0))        ring[0]'s and ring[1]'s: memories 1 and 2
 *     (import "m" "g0" (global (mut i32)))  (import "m" "g1" (global (mut i32)))   their fuel counters
 *     (func (export "call") (type $c) ...)  (func (export "reply_wait") (type $pw) ...)  callBody
 *     (func (export "pulse_wait") (type $pw) ...))                                       pulseBody
 *
 * The processes' memories are never shared (the loader refuses shared memories); a 64-bit one does not match its
 * import (makePair: no pair module, the pair stays TypeScript's).
 */
function pairModule(): WebAssembly.Module {
  const key = `pair/${pulseMutation ?? ""}/${callMutation ?? ""}`;
  let m = modules.get(key);
  if (m !== undefined) return m;
  const imports = new ByteSink().u32(9);
  imports.name("k").name("switchTo").u8(0x00).u32(T_SW);
  imports.name("k").name("callFallback").u8(0x00).u32(T_C);
  imports.name("k").name("replyFallback").u8(0x00).u32(T_PW);
  imports.name("k").name("pulseFallback").u8(0x00).u32(T_PW);
  imports.name("k").name("words").u8(0x02).u8(0x01).u32(1).u32(1);
  imports.name("m").name("p0").u8(0x02).u8(0x00).u32(0);
  imports.name("m").name("p1").u8(0x02).u8(0x00).u32(0);
  imports.name("m").name("g0").u8(0x03).u8(I32).u8(0x01);
  imports.name("m").name("g1").u8(0x03).u8(I32).u8(0x01);
  const funcs = new ByteSink().u32(3).u32(T_C).u32(T_PW).u32(T_PW);
  const exports = new ByteSink().u32(3);
  exports.name("call").u8(0x00).u32(4).name("reply_wait").u8(0x00).u32(5).name("pulse_wait").u8(0x00).u32(6);
  // The pair bodies' locals as pairLocals lays them out: ten i32s and the body's own, then eight f64s.
  const pairDecl = (extra: number): [number, number][] => [
    [11 + extra, I32],
    [8, F64],
  ];
  const code = functionsCode([
    [pairDecl(2), callBody(false, callMutation).b],
    [pairDecl(2), callBody(true, callMutation).b],
    [pairDecl(0), pulseBody(pulseMutation).b],
  ]);
  m = assemble([
    [1, commonTypes()],
    [2, imports],
    [3, funcs],
    [7, exports],
    [10, code],
  ]);
  modules.set(key, m);
  return m;
}

/**
 * after: a pair's module is made at the after-th publication asked for the pair (the ones before are declined:
 * the pair stays TypeScript's). An instance costs ≈15 us to make, ≈30 TypeScript round trips: a pair that calls
 * a few times only (a server's many clients, each calling once) never pays for one, and one that keeps calling
 * pays after a few round trips. made: how many were made. Tests set `after`.
 */
export const PAIR_MODULE = { after: 16, made: 0 };

/** The kernel's side of a pair module's imports: the words and the Suspending switch and fallbacks (one set a vDSO). */
export interface PairKernelImports {
  words: WebAssembly.Memory;
  switchTo: unknown;
  callFallback: unknown;
  replyFallback: unknown;
  pulseFallback: unknown;
}

/** A pair's served calls: its module's exports. */
export interface PairFns {
  call: Function;
  reply_wait: Function;
  pulse_wait: Function;
}

/**
 * The pair module instantiated for ring[0] (memory p0, fuel counter g0) and ring[1] (p1, g1); null when their
 * memories or counters cannot be its imports (a 64-bit memory): then the pair stays TypeScript's.
 */
export function makePair(
  k: PairKernelImports,
  p0: WebAssembly.Memory,
  g0: WebAssembly.Global,
  p1: WebAssembly.Memory,
  g1: WebAssembly.Global,
): PairFns | null {
  try {
    return new WebAssembly.Instance(pairModule(), { k: k as unknown as Record<string, WebAssembly.ImportValue>, m: { p0, p1, g0, g1 } })
      .exports as unknown as PairFns;
  } catch {
    return null; // a LinkError
  }
}

/** A process's runtime as the vDSO needs it: its counter's wasm reader and writer (a ring's), its own memory and fuel counter (a pair's; WasmProcessRuntime). */
interface VdsoRuntime {
  counterReader(): () => number;
  counterWriter(): (v: number) => void;
  readonly ownMemory: WebAssembly.Memory | null;
  readonly fuelCounter: WebAssembly.Global | null;
}

/** The syscalls the vDSO may serve: its exports of the same names. */
export type VdsoSyscall = "yield" | "pulse_wait" | "call" | "reply_wait";
type Vdso = { fns: Record<VdsoSyscall, Function>; words: YieldWords };
/** Each kernel's vDSO, made when its first process that may take it is instantiated (null: not yet). */
const vdsos = new WeakMap<KernelCore, Vdso | null>();

/**
 * Serve yield in wasm in kernel k (the host's choice: KernelConfig.fastYield). Its words and instance are made
 * at the first process whose imports may take them (a wasm memory a kernel: kernels that never run a
 * yielder, most of a test suite's and the bench's, make none).
 */
export function useFastYield(k: KernelCore, pulses = true, calls = true): void {
  if (!vdsos.has(k)) vdsos.set(k, null);
  if (pulses && LITTLE_ENDIAN) pulseKernels.add(k);
  if (calls && LITTLE_ENDIAN) callKernels.add(k);
}

/** The kernels whose vDSO serves pulse_wait pairs too (KernelConfig.fastPulse). */
const pulseKernels = new WeakSet<KernelCore>();
/** The kernels whose vDSO serves call/reply_wait pairs too (KernelConfig.fastCall). */
const callKernels = new WeakSet<KernelCore>();

function makeVdso(k: KernelCore): Vdso {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
  const ring: (Process | null)[] = new Array(RING_MAX).fill(null);
  // What each table slot holds now (counters' readers and writers, the pair's functions): set again only when it changes.
  const slots: (Function | null)[] = new Array(PAIR + 3).fill(null);
  let table: WebAssembly.Table | null = null;
  const place = (slot: number, f: Function): void => {
    if (slots[slot] !== f) {
      table!.set(slot, f);
      slots[slot] = f;
    }
  };
  const raw = yieldEntry(k);
  const rawPulse = pulseWaitEntry(k);
  const rawCall = callEntry(k);
  const rawReply = replyWaitEntry(k);
  /** JSPI's part of a switch the vDSO decided: ring[from]'s runtime hands the CPU to ring[to]'s (WasmProcessRuntime.handOff). */
  const handOff = (from: number, to: number, value: number): Promise<number> =>
    (ring[from]!.runtime as unknown as WasmProcessRuntime).handOff(ring[to]!.runtime as unknown as WasmProcessRuntime, value);
  // The kernel's side of the vDSO's imports and every pair module's.
  const kernelImports: PairKernelImports & { fallback: unknown } = {
    words: memory,
    // The TypeScript yield (its entry syncs the words first), then the words published for the process it dispatched.
    fallback: new WebAssembly.Suspending(() => {
      const r = raw();
      k.publishYields();
      return r;
    }),
    // Only JSPI's part (every switch the vDSO or a pair module decides, a pair's words delivered by then): the
    // caller's promise armed, the next one's resumed with `value` (WasmProcessRuntime.handOff).
    switchTo: new WebAssembly.Suspending(handOff),
    // The TypeScript pulse_wait (its entry syncs the words first), then the words published for the pair it may have made.
    pulseFallback: new WebAssembly.Suspending((ep: number, code: number, value: number, waitEp: number) => {
      if (k.lazyYields !== 0) k.syncYields(); // as its entry would: the caller is then k.current
      const p = k.current;
      const r = rawPulse(ep, code, value, waitEp);
      if (p !== null) k.publishPulses(p);
      return r;
    }),
    // The TypeScript call and reply_wait (their entries sync the words first), then the words published for the pair they may have made.
    callFallback: new WebAssembly.Suspending((ep: number, n: number) => {
      if (k.lazyYields !== 0) k.syncYields();
      const p = k.current;
      const r = rawCall(ep, n);
      if (p !== null) k.publishCalls(p);
      return r;
    }),
    replyFallback: new WebAssembly.Suspending((ep: number, rcvid: number, status: number, n: number) => {
      if (k.lazyYields !== 0) k.syncYields();
      const p = k.current;
      const r = rawReply(ep, rcvid, status, n);
      if (p !== null) k.publishCalls(p);
      return r;
    }),
  };
  /**
   * Each pair's module (makePair), found under either process's memory then the other's, whichever ran at
   * publication: made for `first` as its ring[0], and served swapped (Y.PAIR_SWAP) when the other runs. Made at the
   * pair's PAIR_MODULE.after-th publication (`asked` counts them); fns null until then, or when it cannot have one.
   */
  type PairEntry = { first: WebAssembly.Memory; asked: number; fns: PairFns | null };
  const pairs = new WeakMap<WebAssembly.Memory, WeakMap<WebAssembly.Memory, PairEntry>>();
  const entryOf = (a: WebAssembly.Memory, b: WebAssembly.Memory): PairEntry | undefined => pairs.get(a)?.get(b);
  const putEntry = (a: WebAssembly.Memory, b: WebAssembly.Memory, e: PairEntry): void => {
    let byB = pairs.get(a);
    if (byB === undefined) pairs.set(a, (byB = new WeakMap()));
    byB.set(b, e);
  };
  /** pairOf's: whether the ring's order is the module's reversed (Y.PAIR_SWAP). */
  let swap = 0;
  const pairOf = (a: Process, b: Process): PairFns | null => {
    const ra = a.runtime as unknown as VdsoRuntime;
    const rb = b.runtime as unknown as VdsoRuntime;
    const ma = ra.ownMemory;
    const mb = rb.ownMemory;
    const ga = ra.fuelCounter;
    const gb = rb.fuelCounter;
    if (ma === null || mb === null || ga === null || gb === null) return null;
    let e = entryOf(ma, mb);
    if (e === undefined) {
      e = { first: ma, asked: 0, fns: null };
      putEntry(ma, mb, e);
      putEntry(mb, ma, e);
    }
    swap = e.first === ma ? 0 : 1;
    if (e.asked < PAIR_MODULE.after) {
      if (++e.asked < PAIR_MODULE.after) return null;
      e.fns = swap === 0 ? makePair(kernelImports, ma, ga, mb, gb) : makePair(kernelImports, mb, gb, ma, ga);
      PAIR_MODULE.made++;
    }
    return e.fns;
  };
  const words: YieldWords = {
    i32: new Int32Array(memory.buffer),
    f64: new Float64Array(memory.buffer),
    ring,
    bound(n: number, what: number): boolean {
      if (what === ARMED_YIELDS) {
        for (let i = 0; i < n; i++) {
          const rt = ring[i]!.runtime as unknown as VdsoRuntime;
          place(i, rt.counterReader());
          place(RING_MAX + i, rt.counterWriter());
        }
        return true;
      }
      const fns = pairOf(ring[0]!, ring[1]!);
      if (fns === null) return false;
      place(PAIR, fns.call);
      place(PAIR + 1, fns.reply_wait);
      place(PAIR + 2, fns.pulse_wait);
      words.i32[Y.PAIR_SWAP >> 2] = swap;
      for (let i = 0; i < 2; i++) words.i32[(RING + i * RING_SIZE + R.BUF) >> 2] = ring[i]!.mr.buffer!.ptr;
      return true;
    },
  };
  const instance = new WebAssembly.Instance(vdsoModule(), { k: kernelImports } as unknown as WebAssembly.Imports);
  table = instance.exports.helpers as WebAssembly.Table;
  k.yieldWords = words;
  const e = instance.exports;
  const fns = { yield: e.yield, pulse_wait: e.pulse_wait, call: e.call, reply_wait: e.reply_wait } as Record<VdsoSyscall, Function>;
  const v = { fns, words };
  vdsos.set(k, v);
  return v;
}

/**
 * If kernel k serves yield in wasm and process p's imports (from syscallImports, before guards) may take
 * it, put the vDSO's yield in place of the bridge's, and its pulse_wait in place of the bridge's when k
 * serves pulse pairs. Not for a process that may bind or send to a port: a wasm-to-wasm delivery runs a
 * binder's handler on its sender's stack with no kernel entry, and its JavaScript reads KernelCore.current.
 * Returns whether it did.
 */
export function addFastYield(k: KernelCore, imports: Record<string, unknown>): boolean {
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  if (ns === undefined || "port_bind" in ns || "port_send" in ns) return false;
  const y = "yield" in ns;
  const pw = "pulse_wait" in ns && pulseKernels.has(k);
  const c = "call" in ns && callKernels.has(k);
  const rw = "reply_wait" in ns && callKernels.has(k);
  if (!y && !pw && !c && !rw) return false;
  let v = vdsos.get(k);
  if (v === undefined) return false;
  if (v === null) v = makeVdso(k);
  if (y) ns.yield = v.fns.yield;
  if (pw) ns.pulse_wait = v.fns.pulse_wait;
  if (c) ns.call = v.fns.call;
  if (rw) ns.reply_wait = v.fns.reply_wait;
  return true;
}

/** Whether `imports` (a process's, as instantiated) take kernel k's vDSO for `name` (addFastYield put it there). */
export function takesVdso(k: KernelCore, imports: Record<string, unknown>, name: VdsoSyscall): boolean {
  const v = vdsos.get(k);
  const ns = imports[IMPORT_MODULE] as Record<string, unknown> | undefined;
  return v !== undefined && v !== null && ns !== undefined && ns[name] === v.fns[name];
}
