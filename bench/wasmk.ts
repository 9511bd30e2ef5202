// The switch ladder's `wasmk` and `ywasmk` rungs (docs/fastpath.md, "The kernel's switch state in linear
// memory"): the floor of a design in which the kernel's IPC and scheduling state for the common case lives
// in one kernel-owned WebAssembly.Memory, and each process's `call`, `reply_wait` and `yield` are functions
// of a per-process kernel module (a vDSO) reached wasm-to-wasm from the guest. The vDSO does, in wasm, every
// step the TypeScript flat path does for the common case (kernel/syscalls/fast-ipc.ts sysCall /
// sysReplyWait, kernel/ipc/fastpath.ts fastCall / fastReplyWait / waitFlat / wakeSettled,
// KernelCore.blockAndRun and dispatch, kernel/sched/cpu.ts endSliceFlat / beginSliceFlat, KernelCore.
// yieldCurrent / schedule with the run queue), and leaves the switch itself to one Suspending JavaScript
// import per process, `switchTo(target, value)`, which does only the JSPI part with the real
// WasmProcessRuntime objects (WasmProcessRuntime.handOff, as the yield vDSO): arm its own promise, resume
// the target's, return its own.
//
// What the rung is not: a kernel. The state words are set up by this file, not mirrored by a KernelCore;
// the fallback imports (the TypeScript kernel's general paths in the design) are stand-ins that answer only
// what the tests drive through them (the server's first wait, a refused call). A floor: nothing the common
// case must do is left out, so a design built this way cannot be faster than this rung.
//
// Every block of the vDSO's text says which TypeScript step it stands for.

import { Constants, Errno, ObjectType, PledgeClass, ProcessState, Rights } from "../abi/gen/abi.ts";
import { WasmProcessRuntime } from "../host/runtime/process-runtime.ts";
import type { KernelCore } from "../kernel/core.ts";
import { H_CAP, H_PROMISES, H_SLOTS, H_SLOW, S_HANDLE, S_RIGHTS, S_STATE, S_TYPE } from "../kernel/fast/mirror.ts";
import type { Process } from "../kernel/objects/process.ts";
import {
  DEFAULT_NS_PER_FUEL,
  DEFAULT_QUANTUM_FUEL,
  DEFAULT_SWITCH_COST_NS,
  DEFAULT_WINDOW_NS,
  MAX_SLICE_FUEL,
  WINDOW_BUCKETS,
} from "../kernel/sched/params.ts";
import { TIERS } from "../kernel/sched/tiers.ts";
import type { BenchImages } from "./images.ts";

const { READY, RUNNING, REPLY_BLOCKED, RECEIVE_BLOCKED } = ProcessState;

// ---- the kernel memory's layout (bytes) ----------------------------------------------------------------
/** Kernel-wide words: the virtual clock, the slice, the counters, the run queue. */
export const K = {
  CLOCK: 0, // i64: VirtualClock.t (ns)
  BILL_NS: 8, // i64: CpuScheduler.billNs (deferred billing of the system partition)
  BILL_END: 16, // i64: CpuScheduler.billEnd (-1: no bucket open)
  NEXT_TIMER: 24, // i64: timers.next() (NO_TIMER: none armed)
  RUNNING: 32, // pid whose slice is open (CpuScheduler.running), 0: none
  CURRENT: 36, // KernelCore.current, 0: none
  SLOW: 40, // non-zero: the fast path steps aside (fastIpc off, tracing on, partitions, a deadline class, scheduling)
  RCVID: 44, // KernelCore.rcvidCounter
  SEQ: 48, // KernelCore.seqCounter
  FUEL_MARK: 52, // CpuScheduler.fuelMark
  FUEL_BEYOND: 56, // CpuScheduler.fuelBeyond
  HANDOFFS: 60, // k.ipc.handoffs
  MESSAGES: 64, // k.ipc.messages
  REPLIES: 68, // k.ipc.replies
  KEPT: 72, // keptCounters.kept
  TRANS: 76, // 4 words: the IPC state table's moves counted (SERVER_WOKEN, CLIENT_SENT, CLIENT_ANSWERED, SERVER_WAITS)
  HINT: 92, // the receive hint (kernel/fast/hints.ts): the running process's receive queue is not empty
  NS_PER_FUEL: 96,
  QUANTUM: 100,
  SWITCH_COST: 104,
  IDLE_SERVED: 108, // KernelCore.idleServed.size
  FAST_CALL: 112, // fastPathCounts.call
  FAST_RW: 116, // fastPathCounts.replyWait
  YIELDS: 120, // yields switched in wasm
  SUMMARY: 124, // the run queue's summary: bit w set while BITMAP word w is not 0
  BITMAP: 128, // 8 words: bit p set while priority p's FIFO is not empty
  TIER_DL: 160, // 4 i64: each tier's latency deadline (ns; NO_TIMER: none)
  RQ: 192, // 256 x (head pid, tail pid): the fixed-priority FIFOs (RunQueues)
} as const;
export const NO_TIMER = 0x7fffffffffffffffn;
export const PROC_BASE = 2304;
export const PROC_SIZE = 128;
/** A process record: what the flat path reads and writes of Process, SchedState, its unblock and message registers. */
export const P = {
  STATE: 0,
  PRIO: 4, // effective priority
  BASE: 8, // basePriority
  QLEFT: 12, // sched.quantumLeft
  READY_SINCE: 16, // i64: sched.readySince
  CPU: 24, // i64: cpuTimeNs
  FUEL_HELD: 32, // sched.fuelHeld
  SLOW: 36, // non-zero: exit, billedTo, a deadline class, a CPU limit, mm.fault (the general path's)
  SERVING: 40, // the rcvid of the one message it serves
  SERVING_N: 44, // serving.size
  SENDING: 48, // its message's address while it sends (p.sending)
  LAST_EP: 52, // lastEndpoint (associate)
  RECEIVING: 56, // the endpoint it waits on (p.receiving)
  UNBLOCK: 60, // which unblock hook: UB_*
  RESUME: 64, // resumeValue
  BLOCKED_IN: 68, // blockedIn: BI_*
  LAT_MISS: 72, // sched.latencyMisses
  BUF: 76, // its IPC buffer in its own memory (-1: none declared)
  MSG: 80, // its call message's address (p.callMessage)
  COPY: 84, // a message whose words it copies into its buffer as it resumes (0: none)
  COPY_N: 88,
  NEXT: 92, // the next pid in its priority's FIFO
  QUEUED: 96,
  RECV_EP: 100, // its receive endpoint cache's endpoint (the hint)
  MIRROR: 104, // its handle mirror's header
  KEPT: 108, // runtime.fuelKept
  MR_KIND: 112, // message registers: kind, sender, status, rcvid
  MR_SENDER: 116,
  MR_STATUS: 120,
  MR_RCVID: 124,
} as const;
export const EP_BASE = 3328;
export const EP_SIZE = 32;
export const E = { CLOSED: 0, QLEN: 4, NRECV: 8, RECV: 12, PULSES: 16 } as const;
export const MSG_BASE = 3584;
export const MSG_SIZE = 48;
/** A message: live while served, its parties, its numbers, the flags of the general path (onAnswer, clientGone, a timer), its words. */
export const M = { LIVE: 0, CLIENT: 4, SERVER: 8, EP: 12, RCVID: 16, SEQ: 20, N: 24, FLAGS: 28, WORDS: 32 } as const;
/** The rcvid table: RCV_ENTRIES x (rcvid, message address), indexed by the rcvid's low bits. */
export const RCV_BASE = 4096;
export const RCV_MASK = 63;
export const MIRROR_BASE = 4608;
export const UB_RECEIVE = 1;
export const UB_SEND = 2;
export const BI_SEND = 1;
export const BI_RECEIVE = 2;
export const OP_CALL = 1;
export const OP_REPLY_WAIT = 2;
export const OP_YIELD = 3;
const MAX_WORDS = 4;
const BUF = 1024; // the guests' IPC buffer
export const FUEL_PER_ROUND = 5; // what each guest's instrumentation charges per loop (one block)

/**
 * The vDSO. Imports: the kernel memory (0), its guest's memory (1), the guest's fuel counter, its own pid,
 * switchTo (Suspending), the fallback and the scheduler's general path (Suspending: the TypeScript kernel,
 * through the bridge's entries in the design), and two plain imports for rare steps of the accounting
 * (a new billing bucket, a preemption recheck). Every return from a Suspending import goes through
 * $resumed: the slice's start (unless the TypeScript kernel's dispatch opened it) and the copy of a
 * delivered message into the buffer.
 */
const VDSO_IMPORTS = `
  (import "k" "mem" (memory $k 1))
  (import "g" "mem" (memory $g 1))
  (import "g" "fuel" (global $fuel (mut i32)))
  (import "k" "self" (global $self i32))
  (import "k" "switchTo" (func $switchTo (param i32 i32) (result i32)))
  (import "k" "fallback" (func $fallback (param i32 i32 i32 i32 i32) (result i32)))
  (import "k" "schedule" (func $schedule (param i32) (result i32)))
  (import "k" "chargeRest" (func $chargeRest (param i32 i64 i64)))
  (import "k" "recheck" (func $recheck (param i32)))`;
const VDSO_BODY = `

  (func $proc (param $pid i32) (result i32)
    (i32.add (i32.const ${PROC_BASE}) (i32.mul (local.get $pid) (i32.const ${PROC_SIZE}))))

  ;; charge()'s billing, flat (endSliceFlat / beginSliceFlat): deferred billing inside the current bucket,
  ;; else chargeRest (billNewBucket: TypeScript, once a bucket)
  (func $bill (param $ns i64) (param $now i64)
    (if (i64.lt_s (local.get $now) (i64.load (i32.const ${K.BILL_END})))
      (then (i64.store (i32.const ${K.BILL_NS}) (i64.add (i64.load (i32.const ${K.BILL_NS})) (local.get $ns))))
      (else (call $chargeRest (global.get $self) (local.get $ns) (local.get $now)))))

  ;; CpuScheduler.endSlice(p) -> endSliceFlat: the counter read, the used fuel into virtual time, p's CPU
  ;; time, its quantum and the billing; the counter's value held for the next slice (kept counter)
  (func $endSlice (param $pa i32) (local $left i32) (local $fuel i32) (local $ns i64) (local $now i64)
    (if (i32.ne (i32.load (i32.const ${K.RUNNING})) (global.get $self)) (then (return)))
    (local.set $left (global.get $fuel))
    (local.set $fuel (i32.sub (i32.load (i32.const ${K.FUEL_MARK})) (local.get $left)))
    (i32.store (i32.const ${K.FUEL_MARK}) (local.get $left))
    (if (i32.gt_s (local.get $fuel) (i32.const 0))
      (then
        (local.set $ns (i64.mul (i64.extend_i32_u (local.get $fuel)) (i64.extend_i32_u (i32.load (i32.const ${K.NS_PER_FUEL})))))
        (local.set $now (i64.add (i64.load (i32.const ${K.CLOCK})) (local.get $ns)))
        (i64.store (i32.const ${K.CLOCK}) (local.get $now))
        (i64.store offset=${P.CPU} (local.get $pa) (i64.add (i64.load offset=${P.CPU} (local.get $pa)) (local.get $ns)))
        (i32.store offset=${P.QLEFT} (local.get $pa) (i32.sub (i32.load offset=${P.QLEFT} (local.get $pa)) (local.get $fuel)))
        (call $bill (local.get $ns) (local.get $now))))
    (i32.store (i32.const ${K.RUNNING}) (i32.const 0))
    (i32.store offset=${P.FUEL_HELD} (local.get $pa)
      (select (i32.load (i32.const ${K.FUEL_MARK})) (i32.const -1) (i32.load offset=${P.KEPT} (local.get $pa))))
    (i32.store (i32.const ${K.FUEL_BEYOND}) (i32.const 0)))

  ;; CpuScheduler.beginSlice(p) -> beginSliceFlat, with no slice open: the tier latency check, a fresh
  ;; quantum if spent, the switch cost into virtual time, p's CPU time and the billing, then refill():
  ;; sliceFuel's bound (the quantum, the next timer) and the kept counter or the counter written
  (func $beginSlice (param $pa i32) (local $now i64) (local $cost i64) (local $fuel i32) (local $held i32) (local $next i64) (local $npf i64)
    (if (i32.load (i32.const ${K.RUNNING})) (then (return)))
    (local.set $now (i64.load (i32.const ${K.CLOCK})))
    (if (i64.gt_s (i64.sub (local.get $now) (i64.load offset=${P.READY_SINCE} (local.get $pa)))
                  (i64.load offset=${K.TIER_DL} (i32.shl (i32.shr_u (i32.load offset=${P.PRIO} (local.get $pa)) (i32.const 6)) (i32.const 3))))
      (then (i32.store offset=${P.LAT_MISS} (local.get $pa) (i32.add (i32.load offset=${P.LAT_MISS} (local.get $pa)) (i32.const 1)))))
    (if (i32.le_s (i32.load offset=${P.QLEFT} (local.get $pa)) (i32.const 0))
      (then (i32.store offset=${P.QLEFT} (local.get $pa) (i32.load (i32.const ${K.QUANTUM})))))
    (local.set $cost (i64.extend_i32_u (i32.load (i32.const ${K.SWITCH_COST}))))
    (if (i64.ne (local.get $cost) (i64.const 0))
      (then
        (local.set $now (i64.add (local.get $now) (local.get $cost)))
        (i64.store (i32.const ${K.CLOCK}) (local.get $now))
        (i64.store offset=${P.CPU} (local.get $pa) (i64.add (i64.load offset=${P.CPU} (local.get $pa)) (local.get $cost)))
        (call $bill (local.get $cost) (local.get $now))))
    (local.set $fuel (i32.load offset=${P.QLEFT} (local.get $pa)))
    (if (i32.gt_s (local.get $fuel) (i32.const ${MAX_SLICE_FUEL})) (then (local.set $fuel (i32.const ${MAX_SLICE_FUEL}))))
    (local.set $next (i64.load (i32.const ${K.NEXT_TIMER})))
    (if (i64.ne (local.get $next) (i64.const ${NO_TIMER}))
      (then
        (local.set $npf (i64.extend_i32_u (i32.load (i32.const ${K.NS_PER_FUEL}))))
        (local.set $next (i64.div_s (i64.add (i64.sub (local.get $next) (local.get $now)) (i64.sub (local.get $npf) (i64.const 1))) (local.get $npf)))
        (if (i64.lt_s (local.get $next) (i64.extend_i32_s (local.get $fuel))) (then (local.set $fuel (i32.wrap_i64 (local.get $next)))))))
    (if (i32.lt_s (local.get $fuel) (i32.const 1)) (then (local.set $fuel (i32.const 1))))
    (local.set $held (i32.load offset=${P.FUEL_HELD} (local.get $pa)))
    (i32.store offset=${P.FUEL_HELD} (local.get $pa) (i32.const -1))
    (if (i32.and (i32.gt_s (local.get $held) (i32.const 0)) (i32.le_s (local.get $held) (local.get $fuel)))
      (then
        (i32.store (i32.const ${K.FUEL_MARK}) (local.get $held))
        (i32.store (i32.const ${K.FUEL_BEYOND}) (i32.sub (local.get $fuel) (local.get $held)))
        (i32.store (i32.const ${K.KEPT}) (i32.add (i32.load (i32.const ${K.KEPT})) (i32.const 1))))
      (else
        (global.set $fuel (local.get $fuel))
        (i32.store (i32.const ${K.FUEL_MARK}) (local.get $fuel))
        (i32.store (i32.const ${K.FUEL_BEYOND}) (i32.const 0))))
    (i32.store (i32.const ${K.RUNNING}) (global.get $self)))

  ;; After every Suspending import returns: beginSlice (dispatch's, done by the process it dispatched, as it
  ;; resumes; skipped when the TypeScript kernel's dispatch opened the slice), then the message registers'
  ;; mirror into the IPC buffer (setNarrow's): the words of the message delivered to it, copied by the receiver
  (func $resumed (param $v i32) (result i32) (local $pa i32) (local $src i32) (local $dst i32) (local $n i32)
    (local.set $pa (call $proc (global.get $self)))
    (call $beginSlice (local.get $pa))
    (local.set $src (i32.load offset=${P.COPY} (local.get $pa)))
    (if (local.get $src)
      (then
        (local.set $n (i32.load offset=${P.COPY_N} (local.get $pa)))
        (local.set $dst (i32.load offset=${P.BUF} (local.get $pa)))
        (block $d (loop $l
          (br_if $d (i32.eqz (local.get $n)))
          (i32.store $g (local.get $dst) (i32.load offset=${M.WORDS} (local.get $src)))
          (local.set $src (i32.add (local.get $src) (i32.const 4)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $l)))
        (i32.store offset=${P.COPY} (local.get $pa) (i32.const 0))))
    (local.get $v))

  ;; RunQueue.wouldChooseFirst(to): nothing queued at its priority or above (the summary's words above
  ;; its word, then its word's bits at and above it)
  (func $wouldChooseFirst (param $prio i32) (result i32) (local $w i32)
    (local.set $w (i32.shr_u (local.get $prio) (i32.const 5)))
    (if (i32.and (i32.load (i32.const ${K.SUMMARY})) (i32.shl (i32.const -2) (local.get $w))) (then (return (i32.const 0))))
    (i32.eqz (i32.and (i32.load offset=${K.BITMAP} (i32.shl (local.get $w) (i32.const 2)))
                      (i32.shl (i32.const -1) (i32.and (local.get $prio) (i32.const 31))))))

  ;; dispatch(to) when the handoff or the run queue chose it: current, the receive hint, RUNNING, the idle
  ;; set; beginSlice and the resumption are to's (its vDSO's $resumed), after the JSPI switch
  (func $dispatch (param $to i32) (param $ta i32) (local $rep i32)
    (i32.store (i32.const ${K.CURRENT}) (local.get $to))
    (local.set $rep (i32.load offset=${P.RECV_EP} (local.get $ta)))
    (i32.store (i32.const ${K.HINT})
      (if (result i32) (local.get $rep) (then (i32.ne (i32.load offset=${E.QLEN} (local.get $rep)) (i32.const 0))) (else (i32.const 0))))
    (i32.store offset=${P.STATE} (local.get $ta) (i32.const ${RUNNING}))
    (if (i32.load (i32.const ${K.IDLE_SERVED})) (then (i32.store (i32.const ${K.IDLE_SERVED}) (i32.const 0)))))

  ;; KernelCore.blockAndRun(p, syscall, unblock, state, to): p blocks, its slice ends; to runs at once when
  ;; the run queue would have chosen it and no timer is due (else queueAndSchedule: TypeScript's scheduler)
  (func $blockAndRun (param $pa i32) (param $state i32) (param $bi i32) (param $ub i32) (param $to i32) (result i32) (local $ta i32)
    (i32.store offset=${P.STATE} (local.get $pa) (local.get $state))
    (i32.store offset=${P.BLOCKED_IN} (local.get $pa) (local.get $bi))
    (i32.store offset=${P.UNBLOCK} (local.get $pa) (local.get $ub))
    (call $endSlice (local.get $pa))
    (i32.store (i32.const ${K.CURRENT}) (i32.const 0))
    (local.set $ta (call $proc (local.get $to)))
    (if (i32.or (i32.or (i32.load offset=${P.SLOW} (local.get $ta))
                        (i32.eqz (call $wouldChooseFirst (i32.load offset=${P.PRIO} (local.get $ta)))))
                (i64.le_s (i64.load (i32.const ${K.NEXT_TIMER})) (i64.load (i32.const ${K.CLOCK}))))
      (then (return (call $resumed (call $schedule (local.get $to))))))
    (i32.store (i32.const ${K.HANDOFFS}) (i32.add (i32.load (i32.const ${K.HANDOFFS})) (i32.const 1)))
    (call $dispatch (local.get $to) (local.get $ta))
    (call $resumed (call $switchTo (local.get $to) (i32.load offset=${P.RESUME} (local.get $ta)))))

  ;; cachedEndpoint(p, h, need) through the handle mirror (kernel/fast/mirror.ts's words): the table's
  ;; header (slow, pledge), the slot in range, its live handle (generation and slot), kind ENDPOINT, the
  ;; rights; the endpoint record's address, or 0: the TypeScript kernel answers (every refusal is its)
  (func $endpoint (param $h i32) (param $need i32) (result i32) (local $hdr i32) (local $a i32)
    (local.set $hdr (i32.load offset=${P.MIRROR} (call $proc (global.get $self))))
    (if (i32.load offset=${4 * H_SLOW} (local.get $hdr)) (then (return (i32.const 0))))
    (if (i32.eqz (i32.and (i32.load offset=${4 * H_PROMISES} (local.get $hdr)) (i32.const ${1 << PledgeClass.ipc}))) (then (return (i32.const 0))))
    (if (i32.le_s (local.get $h) (i32.const 0)) (then (return (i32.const 0))))
    (local.set $a (i32.and (local.get $h) (i32.const 0xffff)))
    (if (i32.ge_u (local.get $a) (i32.load offset=${4 * H_CAP} (local.get $hdr))) (then (return (i32.const 0))))
    (local.set $a (i32.add (i32.load offset=${4 * H_SLOTS} (local.get $hdr)) (i32.shl (local.get $a) (i32.const 4))))
    (if (i32.ne (i32.load offset=${4 * S_HANDLE} (local.get $a)) (local.get $h)) (then (return (i32.const 0))))
    (if (i32.ne (i32.load offset=${4 * S_TYPE} (local.get $a)) (i32.const ${ObjectType.ENDPOINT})) (then (return (i32.const 0))))
    (if (i32.ne (i32.and (i32.load offset=${4 * S_RIGHTS} (local.get $a)) (local.get $need)) (local.get $need)) (then (return (i32.const 0))))
    (i32.load offset=${4 * S_STATE} (local.get $a)))

  ;; words 0..n-1 between the guest's buffer and a message
  (func $readWords (param $buf i32) (param $m i32) (param $n i32)
    (block $d (loop $l
      (br_if $d (i32.eqz (local.get $n)))
      (i32.store offset=${M.WORDS} (local.get $m) (i32.load $g (local.get $buf)))
      (local.set $buf (i32.add (local.get $buf) (i32.const 4)))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l))))

  ;; wakeSettled(q, value): its unblock already settled; readied(): a fresh quantum, its wait starts now
  (func $wakeSettled (param $qa i32) (param $value i32)
    (i32.store offset=${P.UNBLOCK} (local.get $qa) (i32.const 0))
    (i32.store offset=${P.BLOCKED_IN} (local.get $qa) (i32.const 0))
    (i32.store offset=${P.STATE} (local.get $qa) (i32.const ${READY}))
    (i32.store offset=${P.RESUME} (local.get $qa) (local.get $value))
    (i32.store offset=${P.QLEFT} (local.get $qa) (i32.load (i32.const ${K.QUANTUM})))
    (i64.store offset=${P.READY_SINCE} (local.get $qa) (i64.load (i32.const ${K.CLOCK}))))

  (func $inc (param $a i32) (i32.store (local.get $a) (i32.add (i32.load (local.get $a)) (i32.const 1))))

  ;; call(ep, n): sysCall, then fastCall and the handoff
  (func $call (export "call") (param $h i32) (param $n i32) (result i32)
    (local $pa i32) (local $ep i32) (local $buf i32) (local $m i32) (local $s i32) (local $sa i32) (local $rcvid i32) (local $e i32) (local $prio i32)
    (local.set $pa (call $proc (global.get $self)))
    (block $slow
      ;; sysCall: cachedEndpoint(p, h, SEND); words in 0..MAX_MSG_WORDS and a buffer declared (EINVAL)
      (local.set $ep (call $endpoint (local.get $h) (i32.const ${Rights.SEND})))
      (br_if $slow (i32.eqz (local.get $ep)))
      (br_if $slow (i32.gt_u (local.get $n) (i32.const ${MAX_WORDS})))
      (local.set $buf (i32.load offset=${P.BUF} (local.get $pa)))
      (br_if $slow (i32.eq (local.get $buf) (i32.const -1)))
      ;; the kernel's switches (fastIpc, tracing, partitions, a deadline class) and p's own (exit, fault, billing)
      (br_if $slow (i32.load (i32.const ${K.SLOW})))
      (br_if $slow (i32.load offset=${P.SLOW} (local.get $pa)))
      ;; p.callMessage, reused once its last exchange is over (a client gone while served: a new one, TypeScript)
      (local.set $m (i32.load offset=${P.MSG} (local.get $pa)))
      (br_if $slow (i32.load offset=${M.LIVE} (local.get $m)))
      ;; fastCall: ep open, nothing queued, one receiver
      (br_if $slow (i32.load offset=${E.CLOSED} (local.get $ep)))
      (br_if $slow (i32.load offset=${E.QLEN} (local.get $ep)))
      (br_if $slow (i32.ne (i32.load offset=${E.NRECV} (local.get $ep)) (i32.const 1)))
      (local.set $s (i32.load offset=${E.RECV} (local.get $ep)))
      (local.set $sa (call $proc (local.get $s)))
      ;; the server: receive-blocked in the kernel's own unblock with no deadline, serving and sending nothing,
      ;; not exiting, billed to itself
      (br_if $slow (i32.ne (i32.load offset=${P.STATE} (local.get $sa)) (i32.const ${RECEIVE_BLOCKED})))
      (br_if $slow (i32.ne (i32.load offset=${P.UNBLOCK} (local.get $sa)) (i32.const ${UB_RECEIVE})))
      (br_if $slow (i32.load offset=${P.SERVING_N} (local.get $sa)))
      (br_if $slow (i32.load offset=${P.SENDING} (local.get $sa)))
      (br_if $slow (i32.load offset=${P.SLOW} (local.get $sa)))
      ;; nextRcvid(), and its entry in the rcvid table free (a live message there: the general path)
      (local.set $rcvid (i32.load (i32.const ${K.RCVID})))
      (local.set $rcvid (select (i32.const 1) (i32.add (local.get $rcvid) (i32.const 1)) (i32.ge_s (local.get $rcvid) (i32.const 0x7fffffff))))
      (local.set $e (i32.add (i32.const ${RCV_BASE}) (i32.shl (i32.and (local.get $rcvid) (i32.const ${RCV_MASK})) (i32.const 3))))
      (if (i32.load (local.get $e)) (then (br_if $slow (i32.load offset=${M.LIVE} (i32.load offset=4 (local.get $e))))))
      ;; ---- committed from here ----
      ;; the message (rearm): b.memory.readI32x4(b.ptr, words, m.narrow)
      (call $readWords (local.get $buf) (local.get $m) (local.get $n))
      (i32.store offset=${M.N} (local.get $m) (local.get $n))
      (i32.store offset=${M.CLIENT} (local.get $m) (global.get $self))
      (i32.store offset=${M.EP} (local.get $m) (local.get $ep))
      (i32.store offset=${M.FLAGS} (local.get $m) (i32.const 0))
      ;; startSend: numbered once sent; p.sending = m; k.ipc.messages++; ep.receivers.pop()
      (i32.store (i32.const ${K.RCVID}) (local.get $rcvid))
      (i32.store offset=${M.RCVID} (local.get $m) (local.get $rcvid))
      (i32.store offset=${M.SEQ} (local.get $m) (i32.load (i32.const ${K.SEQ})))
      (call $inc (i32.const ${K.SEQ}))
      (i32.store offset=${P.SENDING} (local.get $pa) (local.get $m))
      (call $inc (i32.const ${K.MESSAGES}))
      (i32.store offset=${E.NRECV} (local.get $ep) (i32.const 0))
      ;; deliverMessage: s.mr.setNarrow(MESSAGE, p, words, 0, rcvid) (the words reach s's buffer as s resumes)
      (i32.store offset=${P.MR_KIND} (local.get $sa) (i32.const ${Constants.MSG_KIND_MESSAGE}))
      (i32.store offset=${P.MR_SENDER} (local.get $sa) (global.get $self))
      (i32.store offset=${P.MR_STATUS} (local.get $sa) (i32.const 0))
      (i32.store offset=${P.MR_RCVID} (local.get $sa) (local.get $rcvid))
      (i32.store offset=${P.COPY} (local.get $sa) (local.get $m))
      (i32.store offset=${P.COPY_N} (local.get $sa) (local.get $n))
      ;; m.server = s; s.serving.add(m) (and the rcvid's entry); associate(s, ep)
      (i32.store offset=${M.SERVER} (local.get $m) (local.get $s))
      (i32.store offset=${M.LIVE} (local.get $m) (i32.const 1))
      (i32.store (local.get $e) (local.get $rcvid))
      (i32.store offset=4 (local.get $e) (local.get $m))
      (i32.store offset=${P.SERVING} (local.get $sa) (local.get $rcvid))
      (i32.store offset=${P.SERVING_N} (local.get $sa) (i32.const 1))
      (i32.store offset=${P.LAST_EP} (local.get $sa) (local.get $ep))
      ;; O(1) inheritance: s holds m alone, so max(its base, the client); setEffectivePriority (s is blocked:
      ;; not queued, not current)
      (local.set $prio (i32.load offset=${P.BASE} (local.get $sa)))
      (if (i32.gt_s (i32.load offset=${P.PRIO} (local.get $pa)) (local.get $prio)) (then (local.set $prio (i32.load offset=${P.PRIO} (local.get $pa)))))
      (if (i32.ne (local.get $prio) (i32.load offset=${P.PRIO} (local.get $sa))) (then (i32.store offset=${P.PRIO} (local.get $sa) (local.get $prio))))
      ;; countTransition(SERVER_WOKEN), countTransition(CLIENT_SENT); fastPathCounts.call++
      (call $inc (i32.const ${K.TRANS}))
      (call $inc (i32.const ${K.TRANS + 4}))
      (call $inc (i32.const ${K.FAST_CALL}))
      ;; the handoff: s.receiving = null; wakeSettled(s, rcvid); blockAndRun(p, "send", REPLY_BLOCKED, s)
      (i32.store offset=${P.RECEIVING} (local.get $sa) (i32.const 0))
      (call $wakeSettled (local.get $sa) (local.get $rcvid))
      (return (call $blockAndRun (local.get $pa) (i32.const ${REPLY_BLOCKED}) (i32.const ${BI_SEND}) (i32.const ${UB_SEND}) (local.get $s))))
    ;; anything else: the TypeScript kernel (the bridge's call entry in the design)
    (call $resumed (call $fallback (i32.const ${OP_CALL}) (local.get $h) (local.get $n) (i32.const 0) (i32.const 0))))

  ;; reply_wait(ep, rcvid, status, n): sysReplyWait, then fastReplyWait, waitFlat and the handoff
  (func $reply_wait (export "reply_wait") (param $h i32) (param $rcvid i32) (param $status i32) (param $n i32) (result i32)
    (local $pa i32) (local $ep i32) (local $buf i32) (local $e i32) (local $m i32) (local $c i32) (local $ca i32) (local $base i32)
    (local.set $pa (call $proc (global.get $self)))
    (block $slow
      ;; sysReplyWait: cachedEndpoint(p, h, RECEIVE); n and the buffer (EINVAL)
      (local.set $ep (call $endpoint (local.get $h) (i32.const ${Rights.RECEIVE})))
      (br_if $slow (i32.eqz (local.get $ep)))
      (br_if $slow (i32.gt_u (local.get $n) (i32.const ${MAX_WORDS})))
      (local.set $buf (i32.load offset=${P.BUF} (local.get $pa)))
      (br_if $slow (i32.eq (local.get $buf) (i32.const -1)))
      ;; rcvid 0 (nothing to answer): startReceive's general path
      (br_if $slow (i32.eqz (local.get $rcvid)))
      ;; served(p, rcvid): the rcvid's entry names a live message p serves (else EINVAL)
      (local.set $e (i32.add (i32.const ${RCV_BASE}) (i32.shl (i32.and (local.get $rcvid) (i32.const ${RCV_MASK})) (i32.const 3))))
      (br_if $slow (i32.ne (i32.load (local.get $e)) (local.get $rcvid)))
      (local.set $m (i32.load offset=4 (local.get $e)))
      (br_if $slow (i32.eqz (i32.load offset=${M.LIVE} (local.get $m))))
      (br_if $slow (i32.ne (i32.load offset=${M.SERVER} (local.get $m)) (global.get $self)))
      ;; a queued head whose handles cannot land (EMFILE) needs a queue; fastReplyWait: nothing queued on ep
      (br_if $slow (i32.load offset=${E.QLEN} (local.get $ep)))
      (br_if $slow (i32.load (i32.const ${K.SLOW})))
      (br_if $slow (i32.load offset=${P.SLOW} (local.get $pa)))
      ;; fastReplyWait: m has no onAnswer, its client is not gone, no deadline; p serves m alone, on ep, and
      ;; sends nothing; the client waits for m in its send unblock
      (br_if $slow (i32.load offset=${M.FLAGS} (local.get $m)))
      (br_if $slow (i32.ne (i32.load offset=${P.SERVING_N} (local.get $pa)) (i32.const 1)))
      (br_if $slow (i32.ne (i32.load offset=${P.LAST_EP} (local.get $pa)) (local.get $ep)))
      (br_if $slow (i32.load offset=${P.SENDING} (local.get $pa)))
      (local.set $c (i32.load offset=${M.CLIENT} (local.get $m)))
      (local.set $ca (call $proc (local.get $c)))
      (br_if $slow (i32.ne (i32.load offset=${P.STATE} (local.get $ca)) (i32.const ${REPLY_BLOCKED})))
      (br_if $slow (i32.ne (i32.load offset=${P.SENDING} (local.get $ca)) (local.get $m)))
      (br_if $slow (i32.ne (i32.load offset=${P.UNBLOCK} (local.get $ca)) (i32.const ${UB_SEND})))
      ;; ---- committed from here ----
      ;; answeredNarrow: p.serving.delete(m); m.done (its rcvid's entry freed)
      (i32.store offset=${P.SERVING} (local.get $pa) (i32.const 0))
      (i32.store offset=${P.SERVING_N} (local.get $pa) (i32.const 0))
      (i32.store offset=${M.LIVE} (local.get $m) (i32.const 0))
      (i32.store (local.get $e) (i32.const 0))
      ;; the inheritance's undo: p holds nothing more, so back at its base (setEffectivePriority; p is
      ;; current: sched.recheck() when something ready might now outrank it, TypeScript's)
      (local.set $base (i32.load offset=${P.BASE} (local.get $pa)))
      (if (i32.ne (i32.load offset=${P.PRIO} (local.get $pa)) (local.get $base))
        (then
          (i32.store offset=${P.PRIO} (local.get $pa) (local.get $base))
          (if (i32.eqz (call $wouldChooseFirst (local.get $base))) (then (call $recheck (global.get $self))))))
      ;; c.mr.setNarrow(REPLY, p, words, status, 0): the answer's words (read from p's buffer) into m, which
      ;; c copies into its buffer as it resumes; k.ipc.replies++; countTransition(CLIENT_ANSWERED)
      (call $readWords (local.get $buf) (local.get $m) (local.get $n))
      (i32.store offset=${M.N} (local.get $m) (local.get $n))
      (i32.store offset=${P.MR_KIND} (local.get $ca) (i32.const ${Constants.MSG_KIND_REPLY}))
      (i32.store offset=${P.MR_SENDER} (local.get $ca) (global.get $self))
      (i32.store offset=${P.MR_STATUS} (local.get $ca) (local.get $status))
      (i32.store offset=${P.MR_RCVID} (local.get $ca) (i32.const 0))
      (i32.store offset=${P.COPY} (local.get $ca) (local.get $m))
      (i32.store offset=${P.COPY_N} (local.get $ca) (local.get $n))
      (call $inc (i32.const ${K.REPLIES}))
      (call $inc (i32.const ${K.TRANS + 8}))
      (call $inc (i32.const ${K.FAST_RW}))
      ;; waitFlat(p, ep): countTransition(SERVER_WAITS); p.receiving; p on ep's receivers; no deadline
      (call $inc (i32.const ${K.TRANS + 12}))
      (i32.store offset=${P.RECEIVING} (local.get $pa) (local.get $ep))
      (i32.store offset=${E.RECV} (local.get $ep) (global.get $self))
      (i32.store offset=${E.NRECV} (local.get $ep) (i32.const 1))
      ;; the handoff: c.sending = null; wakeSettled(c, status); blockAndRun(p, "receive", RECEIVE_BLOCKED, c)
      (i32.store offset=${P.SENDING} (local.get $ca) (i32.const 0))
      (call $wakeSettled (local.get $ca) (local.get $status))
      (return (call $blockAndRun (local.get $pa) (i32.const ${RECEIVE_BLOCKED}) (i32.const ${BI_RECEIVE}) (i32.const ${UB_RECEIVE}) (local.get $c))))
    (call $resumed (call $fallback (i32.const ${OP_REPLY_WAIT}) (local.get $h) (local.get $rcvid) (local.get $status) (local.get $n))))

  ;; RunQueues.enqueue(p) at the back of its priority's FIFO, the bitmap's bits set
  (func $enqueue (param $pa i32) (param $pid i32) (local $prio i32) (local $rq i32) (local $t i32) (local $w i32)
    (local.set $prio (i32.load offset=${P.PRIO} (local.get $pa)))
    (local.set $rq (i32.add (i32.const ${K.RQ}) (i32.shl (local.get $prio) (i32.const 3))))
    (i32.store offset=${P.NEXT} (local.get $pa) (i32.const 0))
    (local.set $t (i32.load offset=4 (local.get $rq)))
    (if (local.get $t)
      (then (i32.store offset=${P.NEXT} (call $proc (local.get $t)) (local.get $pid)))
      (else
        (i32.store (local.get $rq) (local.get $pid))
        (local.set $w (i32.shl (i32.shr_u (local.get $prio) (i32.const 5)) (i32.const 2)))
        (i32.store offset=${K.BITMAP} (local.get $w)
          (i32.or (i32.load offset=${K.BITMAP} (local.get $w)) (i32.shl (i32.const 1) (i32.and (local.get $prio) (i32.const 31)))))
        (i32.store (i32.const ${K.SUMMARY})
          (i32.or (i32.load (i32.const ${K.SUMMARY})) (i32.shl (i32.const 1) (i32.shr_u (local.get $prio) (i32.const 5)))))))
    (i32.store offset=4 (local.get $rq) (local.get $pid))
    (i32.store offset=${P.QUEUED} (local.get $pa) (i32.const 1)))

  ;; RunQueues.dequeue(): the head of the highest non-empty priority (0: nothing ready)
  (func $dequeue (result i32) (local $s i32) (local $w i32) (local $word i32) (local $prio i32) (local $rq i32) (local $q i32) (local $next i32)
    (local.set $s (i32.load (i32.const ${K.SUMMARY})))
    (if (i32.eqz (local.get $s)) (then (return (i32.const 0))))
    (local.set $w (i32.sub (i32.const 31) (i32.clz (local.get $s))))
    (local.set $word (i32.load offset=${K.BITMAP} (i32.shl (local.get $w) (i32.const 2))))
    (local.set $prio (i32.add (i32.shl (local.get $w) (i32.const 5)) (i32.sub (i32.const 31) (i32.clz (local.get $word)))))
    (local.set $rq (i32.add (i32.const ${K.RQ}) (i32.shl (local.get $prio) (i32.const 3))))
    (local.set $q (i32.load (local.get $rq)))
    (local.set $next (i32.load offset=${P.NEXT} (call $proc (local.get $q))))
    (i32.store (local.get $rq) (local.get $next))
    (if (i32.eqz (local.get $next))
      (then
        (i32.store offset=4 (local.get $rq) (i32.const 0))
        (local.set $word (i32.and (local.get $word) (i32.xor (i32.shl (i32.const 1) (i32.and (local.get $prio) (i32.const 31))) (i32.const -1))))
        (i32.store offset=${K.BITMAP} (i32.shl (local.get $w) (i32.const 2)) (local.get $word))
        (if (i32.eqz (local.get $word))
          (then (i32.store (i32.const ${K.SUMMARY}) (i32.and (local.get $s) (i32.xor (i32.shl (i32.const 1) (local.get $w)) (i32.const -1))))))))
    (i32.store offset=${P.QUEUED} (call $proc (local.get $q)) (i32.const 0))
    (local.get $q))

  ;; yield(): sysYield -> yieldCurrent, then schedule() and dispatch
  (func $yield (export "yield") (result i32) (local $pa i32) (local $q i32) (local $qa i32)
    (local.set $pa (call $proc (global.get $self)))
    (block $slow
      (br_if $slow (i32.load (i32.const ${K.SLOW})))
      (br_if $slow (i32.load offset=${P.SLOW} (local.get $pa)))
      ;; ---- committed from here ----
      ;; yieldCurrent(p): READY, resumes with 0; endSlice(p)
      (i32.store offset=${P.STATE} (local.get $pa) (i32.const ${READY}))
      (i32.store offset=${P.RESUME} (local.get $pa) (i32.const 0))
      (call $endSlice (local.get $pa))
      ;; runq.enqueue(p), and its queued hook: a fresh quantum (at the back), its wait starts now (nothing
      ;; runs, so nothing to preempt)
      (call $enqueue (local.get $pa) (global.get $self))
      (i32.store offset=${P.QLEFT} (local.get $pa) (i32.load (i32.const ${K.QUANTUM})))
      (i64.store offset=${P.READY_SINCE} (local.get $pa) (i64.load (i32.const ${K.CLOCK})))
      (i32.store (i32.const ${K.CURRENT}) (i32.const 0))
      ;; schedule(): a due timer fires in TypeScript (its callbacks are kernel code)
      (if (i64.le_s (i64.load (i32.const ${K.NEXT_TIMER})) (i64.load (i32.const ${K.CLOCK})))
        (then (return (call $resumed (call $schedule (i32.const 0))))))
      (local.set $q (call $dequeue))
      (local.set $qa (call $proc (local.get $q)))
      ;; a process whose grant was revoked while it ran (mm.fault) is TypeScript's (endIfFaulted)
      (if (i32.load offset=${P.SLOW} (local.get $qa)) (then (return (call $resumed (call $schedule (local.get $q))))))
      (call $inc (i32.const ${K.YIELDS}))
      (call $dispatch (local.get $q) (local.get $qa))
      ;; p itself chosen again: no switch
      (if (i32.eq (local.get $q) (global.get $self)) (then (return (call $resumed (i32.const 0)))))
      (return (call $resumed (call $switchTo (local.get $q) (i32.load offset=${P.RESUME} (local.get $qa))))))
    (call $resumed (call $fallback (i32.const ${OP_YIELD}) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))`;
export const VDSO = `(module${VDSO_IMPORTS}${VDSO_BODY})`;

/**
 * An ablation (rung "wasmk0"): the vDSO's call and reply_wait only switch (no kernel step; the server's
 * first wait still through the fallback), so the rung prices the vDSO's frame, the guests and the real
 * runtimes' switch without the kernel.
 */
export const VDSO_SWITCH_ONLY = `(module${VDSO_IMPORTS}
  (func (export "call") (param $h i32) (param $n i32) (result i32) (call $switchTo (i32.const 2) (i32.const 1)))
  (func (export "reply_wait") (param $h i32) (param $rcvid i32) (param $status i32) (param $n i32) (result i32)
    (if (i32.eqz (local.get $rcvid))
      (then (return (call $fallback (i32.const ${OP_REPLY_WAIT}) (local.get $h) (local.get $rcvid) (local.get $status) (local.get $n)))))
    (call $switchTo (i32.const 1) (i32.const 1))))`;

/**
 * The pair's guests: the ABI's shapes, a buffer word each way, and an instrumented guest's fuel charge per
 * loop. Each is an import list and a body; a guest is either a module of its own whose `call` (etc.) is
 * the vDSO instance's export (wasm-to-wasm across instances), or, `linked`, one module with the vDSO's
 * functions in it (as the loader could link them into each guest: the guest's code verified to touch only
 * its own memory), the kernel memory its second memory.
 */
type Guest = { imports: string; body: (mem: string) => string };
const guestImports = (probe = false) => `
  (import "env" "outOfFuel" (func $oof))${probe ? `\n  (import "env" "probe" (func $probe))` : ""}`;
const charge = `(global.set $fuel (i32.sub (global.get $fuel) (i32.const ${FUEL_PER_ROUND})))
        (if (i32.lt_s (global.get $fuel) (i32.const 0)) (then (call $oof)))`;
/** run(n): n calls, word 0 = the countdown; returns the sum of the answers' word 0 and statuses. */
const WK_CLIENT: Guest = {
  imports: `(import "wasmos" "call" (func $call (param i32 i32) (result i32)))`,
  body: (g) => `
  (global $ep (mut i32) (i32.const 0))
  (func (export "setEp") (param i32) (global.set $ep (local.get 0)))
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        ${charge}
        (i32.store ${g} (i32.const ${BUF}) (local.get $n))
        (local.set $acc (i32.add (local.get $acc) (call $call (global.get $ep) (i32.const 1))))
        (local.set $acc (i32.add (local.get $acc) (i32.load ${g} (i32.const ${BUF}))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))`,
};
/** serve(ep): answers each message's word 0 with 2 x word + 1, status 1; traps on a refusal. probe: tests only. */
const wkServer = (probe: boolean): Guest => ({
  imports: `(import "wasmos" "reply_wait" (func $reply_wait (param i32 i32 i32 i32) (result i32)))`,
  body: (g) => `
  (func (export "serve") (param $ep i32) (local $m i32)
    (local.set $m (call $reply_wait (local.get $ep) (i32.const 0) (i32.const 0) (i32.const 0)))
    (loop $next
      (if (i32.le_s (local.get $m) (i32.const 0)) (then unreachable))
      ${charge}
      ${probe ? "(call $probe)" : ""}
      (i32.store ${g} (i32.const ${BUF}) (i32.add (i32.shl (i32.load ${g} (i32.const ${BUF})) (i32.const 1)) (i32.const 1)))
      (local.set $m (call $reply_wait (local.get $ep) (local.get $m) (i32.const 1) (i32.const 1)))
      (br $next)))`,
});
const WK_YA: Guest = {
  imports: `(import "wasmos" "yield" (func $yield (result i32)))`,
  body: () => `
  (func (export "run") (param $n i32) (result i32) (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        ${charge}
        (local.set $acc (i32.add (local.get $acc) (call $yield)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))`,
};
const WK_YB: Guest = {
  imports: `(import "wasmos" "yield" (func $yield (result i32)))`,
  body: () => `
  (func (export "serve") (loop $next ${charge} (drop (call $yield)) (br $next)))`,
};
/** The guest as a module of its own (its memory and counter imported; the vDSO's function imported). */
const standalone = (gst: Guest, probe = false) => `(module
  ${gst.imports}
  (import "env" "memory" (memory 1))
  (import "env" "fuel" (global $fuel (mut i32)))${guestImports(probe)}
  ${gst.body("")})`;
/** The guest with the vDSO's functions linked in: one module, the guest's memory $g, the kernel's $k. */
const linkedText = (gst: Guest, probe = false) => `(module${VDSO_IMPORTS}${guestImports(probe)}${VDSO_BODY}${gst.body("$g")})`;

/** The kernel memory as the TypeScript kernel would see it (the same words, read and written from JavaScript). */
export class KernelWords {
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
  readonly memory: WebAssembly.Memory;
  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.i32 = new Int32Array(memory.buffer);
    this.i64 = new BigInt64Array(memory.buffer);
  }
  get(addr: number): number {
    return this.i32[addr >> 2];
  }
  set(addr: number, v: number): void {
    this.i32[addr >> 2] = v;
  }
  get64(addr: number): bigint {
    return this.i64[addr >> 3];
  }
  set64(addr: number, v: bigint): void {
    this.i64[addr >> 3] = v;
  }
  proc(pid: number): number {
    return PROC_BASE + pid * PROC_SIZE;
  }
  p(pid: number, field: number): number {
    return this.get(this.proc(pid) + field);
  }
  p64(pid: number, field: number): bigint {
    return this.get64(this.proc(pid) + field);
  }
}

export type WasmkPair = {
  run: (n: number) => Promise<unknown>;
  kw: KernelWords;
  /** pids: client (or yielder A) 1, server (or yielder B) 2; the endpoint's record. */
  ep: number;
  handles: { client: number; server: number };
  fuel: WebAssembly.Global[];
  /** What reached the fallback and schedule stand-ins, and chargeRest's calls and flushed ns. */
  fallbacks: number[][];
  bill: { calls: number; flushed: bigint };
  /** Tests only (probe): the server's effective priority each time it runs. */
  probed: number[];
};

const BUCKET_NS = BigInt(DEFAULT_WINDOW_NS / WINDOW_BUCKETS);

/** The kernel memory with two processes (pids 1 and 2) and one endpoint, as the rung's setup writes it. */
function kernelMemory(prio: [number, number]): KernelWords {
  const kw = new KernelWords(new WebAssembly.Memory({ initial: 1 }));
  kw.set64(K.CLOCK, 0n);
  kw.set64(K.BILL_END, -1n);
  kw.set64(K.NEXT_TIMER, NO_TIMER);
  kw.set(K.NS_PER_FUEL, DEFAULT_NS_PER_FUEL);
  kw.set(K.QUANTUM, DEFAULT_QUANTUM_FUEL);
  kw.set(K.SWITCH_COST, DEFAULT_SWITCH_COST_NS);
  TIERS.forEach((t, i) => kw.set64(K.TIER_DL + 8 * i, t.deadlineNs === Infinity ? NO_TIMER : BigInt(t.deadlineNs)));
  for (const pid of [1, 2]) {
    const a = kw.proc(pid);
    kw.set(a + P.PRIO, prio[pid - 1]);
    kw.set(a + P.BASE, prio[pid - 1]);
    kw.set(a + P.QLEFT, DEFAULT_QUANTUM_FUEL);
    kw.set(a + P.FUEL_HELD, -1);
    kw.set(a + P.BUF, BUF);
    kw.set(a + P.MSG, MSG_BASE + pid * MSG_SIZE);
    kw.set(a + P.KEPT, 1);
    // its handle mirror: a header (every pledge kept, 16 slots, not slow) and its slots
    const hdr = MIRROR_BASE + pid * 16;
    const slots = MIRROR_BASE + 256 + pid * 256;
    kw.set(hdr + 4 * H_PROMISES, -1);
    kw.set(hdr + 4 * H_SLOTS, slots);
    kw.set(hdr + 4 * H_CAP, 16);
    kw.set(hdr + 4 * H_SLOW, 0);
    kw.set(a + P.MIRROR, hdr);
  }
  return kw;
}

/** Slot 1 of pid's mirror, generation 1: an ENDPOINT handle with `rights` naming the endpoint record ep. */
function mirrorEndpoint(kw: KernelWords, pid: number, ep: number, rights: number): number {
  const h = (1 << 16) | 1;
  const slot = kw.get(MIRROR_BASE + pid * 16 + 4 * H_SLOTS) + 16;
  kw.set(slot + 4 * S_HANDLE, h);
  kw.set(slot + 4 * S_RIGHTS, rights);
  kw.set(slot + 4 * S_TYPE, ObjectType.ENDPOINT);
  kw.set(slot + 4 * S_STATE, ep);
  return h;
}

/** Two processes whose runtimes are real WasmProcessRuntime objects (metered; no module: never started), as the ladder's toy rungs. */
function runtimes(): Process[] {
  const k = { current: null, sched: { nsPerFuel: 1 } };
  const image = { name: "ladder", preemption: "fuel", metered: true };
  const procs: Process[] = [];
  for (const pid of [1, 2]) {
    const p = { pid, promises: -1, mm: { fault: null }, runtime: null } as unknown as Process;
    p.runtime = new WasmProcessRuntime(k as unknown as KernelCore, p, image as never);
    procs[pid] = p;
  }
  return procs;
}

type Setup = {
  kw: KernelWords;
  procs: Process[];
  vdso: WebAssembly.Module;
  fallbacks: number[][];
  bill: { calls: number; flushed: bigint };
  fallback: (pid: number, op: number, a: number, b: number, c: number, d: number) => unknown;
};

/** The kernel's imports of process pid's vDSO. */
function kImports(s: Setup, pid: number): Record<string, unknown> {
  const { kw, procs } = s;
  const rt = (q: number) => procs[q].runtime as WasmProcessRuntime;
  return {
    mem: kw.memory,
    self: new WebAssembly.Global({ value: "i32", mutable: false }, pid),
    // the switch: only JSPI's part, with the real runtimes, as the yield vDSO's (WasmProcessRuntime.handOff)
    switchTo: new WebAssembly.Suspending((target: number, value: number) => rt(pid).handOff(rt(target), value)),
    fallback: new WebAssembly.Suspending((op: number, a: number, b: number, c: number, d: number) => s.fallback(pid, op, a, b, c, d)),
    schedule: new WebAssembly.Suspending((to: number) => {
      s.fallbacks.push([pid, 0, to]);
      throw new Error(`wasmk: the scheduler's general path (to ${to}) is not in the rung`);
    }),
    // billNewBucket (CpuScheduler): the old bucket settled, a new one from now
    chargeRest: (_p: number, ns: bigint, now: bigint) => {
      s.bill.calls++;
      s.bill.flushed += kw.get64(K.BILL_NS);
      kw.set64(K.BILL_NS, ns);
      kw.set64(K.BILL_END, (now / BUCKET_NS + 1n) * BUCKET_NS);
    },
    recheck: () => {
      throw new Error("wasmk: a preemption recheck is not in the rung");
    },
  };
}

/**
 * Process pid's guest with its vDSO: two instances (the guest's `name` import the vDSO instance's export),
 * or one (linked). Returns the guest's exports.
 */
async function instantiate(
  s: Setup,
  images: BenchImages,
  pid: number,
  gst: Guest,
  name: string,
  linked: boolean,
  probe?: () => void,
): Promise<{ exports: WebAssembly.Exports; fuel: WebAssembly.Global }> {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const fuel = new WebAssembly.Global({ value: "i32", mutable: true }, DEFAULT_QUANTUM_FUEL);
  const env: Record<string, unknown> = { outOfFuel: outOfFuel(s.kw, pid, fuel) };
  if (probe) env.probe = probe;
  const k = kImports(s, pid);
  const g = { mem: memory, fuel };
  if (linked) {
    const mod = new WebAssembly.Module(
      (await images.wat(linkedText(gst, probe !== undefined), { multi_memory: true })) as Uint8Array<ArrayBuffer>,
    );
    return { exports: new WebAssembly.Instance(mod, { k, g, env } as unknown as WebAssembly.Imports).exports, fuel };
  }
  const vdso = new WebAssembly.Instance(s.vdso, { k, g } as unknown as WebAssembly.Imports);
  const mod = new WebAssembly.Module((await images.wat(standalone(gst, probe !== undefined))) as Uint8Array<ArrayBuffer>);
  const imports = { wasmos: { [name]: vdso.exports[name] }, env: { ...env, memory, fuel } };
  return { exports: new WebAssembly.Instance(mod, imports as unknown as WebAssembly.Imports).exports, fuel };
}

/**
 * The guest's out-of-fuel entry (the instrumentation's call when its counter goes negative): fuelExhausted's
 * common case, "continue", as the TypeScript kernel does it against the same words: the fuel used so far
 * charged, a fresh quantum written to the counter. Rare (every quantum / FUEL_PER_ROUND loops).
 */
function outOfFuel(kw: KernelWords, pid: number, fuel: WebAssembly.Global): () => void {
  return () => {
    const left = fuel.value as number;
    const used = kw.get(K.FUEL_MARK) - left;
    const ns = BigInt(used * kw.get(K.NS_PER_FUEL));
    kw.set64(K.CLOCK, kw.get64(K.CLOCK) + ns);
    const a = kw.proc(pid);
    kw.set64(a + P.CPU, kw.get64(a + P.CPU) + ns);
    kw.set64(K.BILL_NS, kw.get64(K.BILL_NS) + ns);
    const q = kw.get(K.QUANTUM);
    kw.set(a + P.QLEFT, q);
    fuel.value = q;
    kw.set(K.FUEL_MARK, q);
    kw.set(K.FUEL_BEYOND, 0);
  };
}

async function setup(images: BenchImages, prio: [number, number], text = VDSO): Promise<Setup> {
  const kw = kernelMemory(prio);
  const vdso = new WebAssembly.Module((await images.wat(text, { multi_memory: true })) as Uint8Array<ArrayBuffer>);
  return {
    kw,
    procs: runtimes(),
    vdso,
    fallbacks: [],
    bill: { calls: 0, flushed: 0n },
    fallback: () => {
      throw new Error("wasmk: no fallback set");
    },
  };
}

/**
 * rung "wasmk": the WAT client (pid 1) and server (pid 2), `call` / `reply_wait` their vDSOs' exports.
 * prio: the two base priorities (equal by default, as the kernel rungs' pair; unequal, each round trip
 * boosts the server and undoes it). probe: tests only (the server's priority each time it runs). vdso:
 * another text of the vDSO, for ablations. linked: the vDSO's functions linked into each guest's module
 * (rung "wasmk1"), not an instance of their own.
 */
export async function wasmkRung(
  images: BenchImages,
  opts: { prio?: [number, number]; probe?: boolean; vdso?: string; linked?: boolean } = {},
): Promise<WasmkPair> {
  const s = await setup(images, opts.prio ?? [128, 128], opts.vdso);
  const { kw, procs } = s;
  const ep = EP_BASE + EP_SIZE;
  const hc = mirrorEndpoint(kw, 1, ep, Rights.SEND);
  const hs = mirrorEndpoint(kw, 2, ep, Rights.RECEIVE);
  kw.set(kw.proc(2) + P.RECV_EP, ep);
  // The server runs first; its first wait (rcvid 0: nothing to answer) is the TypeScript kernel's general
  // path (startReceive, blockCurrent, schedule): the stand-in writes what it would, the client dispatched.
  // Any other fallback is a refusal: the stand-in records it and answers as the kernel's HandleTable would
  // for a handle that is no longer live (EBADH), the only refusal the tests drive.
  s.fallback = (pid, op, a, b, c, d) => {
    s.fallbacks.push([pid, op, a, b, c, d]);
    if (pid === 2 && op === OP_REPLY_WAIT && b === 0 && kw.p(2, P.STATE) === RUNNING) {
      const sa = kw.proc(2);
      kw.set(K.TRANS + 12, kw.get(K.TRANS + 12) + 1);
      kw.set(sa + P.RECEIVING, ep);
      kw.set(sa + P.LAST_EP, ep);
      kw.set(ep + E.RECV, 2);
      kw.set(ep + E.NRECV, 1);
      kw.set(sa + P.STATE, RECEIVE_BLOCKED);
      kw.set(sa + P.UNBLOCK, UB_RECEIVE);
      kw.set(sa + P.BLOCKED_IN, BI_RECEIVE);
      kw.set(K.CURRENT, 1);
      kw.set(kw.proc(1) + P.STATE, RUNNING);
      return (procs[2].runtime as WasmProcessRuntime).arm();
    }
    return -Errno.EBADH;
  };
  kw.set(K.CURRENT, 2);
  kw.set(kw.proc(2) + P.STATE, RUNNING);
  kw.set(kw.proc(1) + P.STATE, READY);
  const probed: number[] = [];
  const linked = opts.linked === true;
  const probe = opts.probe ? () => void probed.push(kw.p(2, P.PRIO)) : undefined;
  const client = await instantiate(s, images, 1, WK_CLIENT, "call", linked);
  const server = await instantiate(s, images, 2, wkServer(opts.probe === true), "reply_wait", linked, probe);
  (client.exports.setEp as (e: number) => void)(hc);
  void WebAssembly.promising(server.exports.serve as (ep: number) => void)(hs);
  await Promise.resolve();
  if (kw.get(K.CURRENT) !== 1) throw new Error("wasmk: the server's first wait did not hand the CPU to the client");
  return {
    run: WebAssembly.promising(client.exports.run as (n: number) => number),
    kw,
    ep,
    handles: { client: hc, server: hs },
    fuel: [client.fuel, client.fuel, server.fuel],
    fallbacks: s.fallbacks,
    bill: s.bill,
    probed,
  };
}

/**
 * rung "ywasmk": two WAT yielders (A pid 1 runs run(n), B pid 2 yields forever), `yield` their vDSOs'
 * export: the run queue in kernel memory, two switches per yield of A.
 */
export async function ywasmkRung(images: BenchImages, linked = false): Promise<WasmkPair> {
  const s = await setup(images, [128, 128]);
  const { kw, procs } = s;
  s.fallback = (pid, op, a, b, c, d) => {
    s.fallbacks.push([pid, op, a, b, c, d]);
    throw new Error(`wasmk: fallback ${op} of pid ${pid} is not in the rung`);
  };
  // B runs first; A is queued (READY) and waits in its yield: B's first yield resumes it.
  kw.set(K.CURRENT, 2);
  kw.set(kw.proc(2) + P.STATE, RUNNING);
  kw.set(kw.proc(1) + P.STATE, READY);
  // runq.enqueue(A), as the TypeScript kernel's own queue would hold it
  const rq = K.RQ + 8 * 128;
  kw.set(rq, 1);
  kw.set(rq + 4, 1);
  kw.set(K.BITMAP + 4 * (128 >> 5), 1 << (128 & 31));
  kw.set(K.SUMMARY, 1 << (128 >> 5));
  kw.set(kw.proc(1) + P.QUEUED, 1);
  (procs[1].runtime as WasmProcessRuntime).arm();
  const ia = await instantiate(s, images, 1, WK_YA, "yield", linked);
  const ib = await instantiate(s, images, 2, WK_YB, "yield", linked);
  void WebAssembly.promising(ib.exports.serve as () => void)();
  await Promise.resolve();
  if (kw.get(K.CURRENT) !== 1) throw new Error("wasmk: B's first yield did not hand the CPU to A");
  return {
    run: WebAssembly.promising(ia.exports.run as (n: number) => number),
    kw,
    ep: 0,
    handles: { client: 0, server: 0 },
    fuel: [ia.fuel, ia.fuel, ib.fuel],
    fallbacks: s.fallbacks,
    bill: s.bill,
    probed: [],
  };
}
