// Yield served in wasm against lazily synced kernel state (issue 16, vdsoy; docs/fastpath.md "Yield in wasm:
// lazy state"). In the spirit of seL4's lazy scheduling: the TypeScript kernel stays the authority, and
// hands a short run of yields to a kernel-owned wasm module (the host's yield vDSO,
// host/runtime/fast-yield.ts) only while nothing but yields happens.
//
// Publication. When a yield taken by the TypeScript kernel (the vDSO's fallback) has dispatched the next
// process, the kernel publishes words here if that process's next yield could be served without it (the
// eligibility below): the virtual clock, the deferred billing, the open slice's fuel mark, the next
// timer's deadline, the quantum, the switch cost, and the ring: the running process followed by its
// priority's FIFO in queue order, each with its CPU time, quantum left, fuel held, ready-since, latency
// deadline and resume value. From then on the words are the authority for exactly those values (the
// TypeScript fields are stale), and KernelCore.lazyYields says so.
//
// Service. The vDSO's yield does, in the words, what KernelCore.yieldCurrent, schedule and dispatch do
// with CpuScheduler.endSliceFlat, the queued hook and beginSliceFlat for that ring: the caller's slice
// ends (fuel into virtual time, CPU time and the deferred billing), it goes to the back of the ring with
// a fresh quantum and its wait starting now, the head is dispatched (the tier latency check, the switch
// cost, the slice's fuel bound from the quantum and the next timer, the kept counter). It checks first,
// before changing anything, that nothing it cannot do is needed: no due timer, no new billing bucket, a
// counter the kernel would keep (not write); otherwise it calls the TypeScript yield, which syncs first.
// Then one Suspending import does only the JSPI part with the real runtimes.
//
// Sync. Every entry into the kernel (the bridge's syscall entries, the fuel entries, the runtime's and
// the host's calls into KernelCore, device callbacks) checks KernelCore.lazyYields first and, when set,
// calls syncYields: the words are written back to the fields, the FIFO rotated by as many places as the
// ring's head moved, and the words are withdrawn. The kernel carries on as the authority.
//
// Eligibility (publishYields): deterministic mode with flat slice accounting and deferred billing, no
// partitions, no deadline class, no tracing, fast IPC on, no port loop's version word (kernel/fast/
// mirror.ts: its bumps at every enqueue are not the vDSO's), no idle subscriber served, nothing queued
// above the running process's priority, 2..RING_MAX processes at it, each served by the vDSO
// (Process.fastYield), metered with a kept counter, READY to resume (not to start or to run a handler),
// no memory fault, no CPU limit, no port bound to it, its receive hint clear. Anything else stays
// TypeScript's.

// Pulse pairs (docs/fastpath.md "pulse_wait pairs in wasm: lazy state"). The same words serve a pair of
// processes pulsing each other with pulse_wait (ARMED_PULSES): after a TypeScript pulse_wait that handed the
// CPU to the caller's pair (kernel/ipc/fastpath.ts pulsePair, KernelCore.publishPulses) the ring is the two
// (ring[0] the one running, ring[1] the one blocked in its pulse_wait), each record also holding the handles
// of its cached send and wait endpoints; the vDSO's pulse_wait does fastPulseWait and blockAndRun's steps in
// their order (the receiver readied, then the sender's slice charged: it keeps its quantum, then the due
// timer, then the receiver's dispatch), and the sync puts back the side blocked by the parity of the pulses
// served (KernelCore.syncYields, kernel/ipc/fastpath.ts pulsePairServed and pulsePairRegisters).

import { ProcessState } from "../../abi/gen/abi.ts";
import type { Process } from "../objects/process.ts";
import { tierOf } from "../sched/tiers.ts";

/** Kernel-wide words (byte offsets; i32 unless noted). */
export const Y = {
  /**
   * What the words are published for while they are the authority: ARMED_YIELDS (a ring of yielders) or
   * ARMED_PULSES (a pulse_wait pair: kernel/ipc/fastpath.ts pulsePair); 0: withdrawn.
   */
  ARMED: 0,
  /** The ring index of the running process. */
  HEAD: 4,
  /** The ring's length. */
  N: 8,
  /** Yields served in wasm since publication. */
  SERVED: 12,
  /** Kept counters (CpuScheduler.keptCounters.kept) since publication. */
  KEPT: 16,
  /** CpuScheduler.fuelMark and fuelBeyond of the open slice. */
  FUEL_MARK: 20,
  FUEL_BEYOND: 24,
  /** CpuScheduler.quantumFuel. */
  QUANTUM: 28,
  /** f64: VirtualClock.t. */
  CLOCK: 32,
  /** f64: CpuScheduler.billNs and billEnd (deferred billing). */
  BILL_NS: 40,
  BILL_END: 48,
  /** f64: timers.next() (Infinity: none armed). */
  NEXT_TIMER: 56,
  /** f64: nsPerFuel, 1 / nsPerFuel, switchCostNs. */
  NS_PER_FUEL: 64,
  PER_NS: 72,
  COST: 80,
  /** A pair's: 1 when ring[0] is its pair module's second process (ring[i]'s memory and counter are the module's i ^ 1). */
  PAIR_SWAP: 88,
} as const;

/** ARMED's values: the vDSO serves yield (the ring) or pulse_wait (a pair: ring[0] and ring[1]). */
export const ARMED_YIELDS = 1;
export const ARMED_PULSES = 2;
/** A call/reply_wait pair (kernel/ipc/fastpath.ts callPair): ring[C.CLIENT] the client, the other its server. */
export const ARMED_CALLS = 3;

/** The ring's records: RING + i * RING_SIZE. */
export const RING = 128;
export const RING_SIZE = 64;
export const RING_MAX = 16;
/** A ring record's words (byte offsets; i32 unless noted). */
export const R = {
  PID: 0,
  /** sched.quantumLeft, sched.fuelHeld. */
  QLEFT: 4,
  HELD: 8,
  /** Latency misses since publication (added to sched.latencyMisses). */
  LAT: 12,
  /** f64: cpuTimeNs, sched.readySince, its tier's latency deadline (tierOf(priority).deadlineNs). */
  CPU: 16,
  READY: 24,
  TIER: 32,
  /** resumeValue. */
  RESUME: 40,
  /** A pulse pair's member: the handles its cached send and wait endpoints were resolved from (sendEndpoint, receiveEndpoint). */
  SEND_H: 44,
  WAIT_H: 48,
  /** A pulse pair's member: the code and value of the last pulse the vDSO delivered to it (its registers' words, set at the sync). */
  LCODE: 52,
  LVALUE: 56,
  /** A pulse or call pair's member: its IPC buffer's address in its own memory (the pair module reads and writes it there). */
  BUF: 60,
} as const;

/**
 * A call pair's words (ARMED_CALLS; byte offsets, i32), after the ring (docs/fastpath.md "call and reply_wait
 * pairs in wasm: lazy state"): which ring member is the client, the kernel's rcvid counter, the rcvid the
 * server holds (the call being served, or the last one answered), the last call's four words (the server's
 * registers and the message's words at the sync) and the last answer's status and four words (the client's).
 */
export const C = {
  CLIENT: RING + RING_MAX * RING_SIZE,
  RCVID: RING + RING_MAX * RING_SIZE + 4,
  CUR: RING + RING_MAX * RING_SIZE + 8,
  STATUS: RING + RING_MAX * RING_SIZE + 12,
  /** Four words each. */
  MW: RING + RING_MAX * RING_SIZE + 16,
  AW: RING + RING_MAX * RING_SIZE + 32,
} as const;

/** The words, as the host backs them (one WebAssembly.Memory a kernel), and the ring's processes. */
export interface YieldWords {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  /** The ring's processes by index (the vDSO's switch finds their runtimes here). */
  readonly ring: (Process | null)[];
  /**
   * The ring is filled (n processes): the host binds what the vDSO needs of each (a ring's: its counter's reader
   * and writer; a pulse or call pair's (`what`: ARMED_PULSES, ARMED_CALLS): the pair module over the two's memories
   * and counters, which reads and writes each one's IPC buffer at R.BUF). false: a pair the host cannot make a pair
   * module for (a memory its import cannot take): then the words are not armed.
   */
  bound(n: number, what: number): boolean;
}

/**
 * A process's record, if it can be in a ring (see the file comment); false otherwise. `running`: it is the
 * running process (RUNNING), else a queued one (READY).
 */
export function writeMember(w: YieldWords, i: number, p: Process, running: boolean): boolean {
  if (!p.fastYield || p.state !== (running ? ProcessState.RUNNING : ProcessState.READY)) return false;
  return writeRecord(w, i, p);
}

/**
 * A pulse pair's member's record (kernel/ipc/fastpath.ts pulsePair checked the IPC side): `running`, the
 * process the TypeScript pulse_wait handed the CPU to (RUNNING), else its sender (RECEIVE_BLOCKED in it).
 */
export function writePulseMember(w: YieldWords, i: number, p: Process, running: boolean): boolean {
  if (!p.fastPulse || p.state !== (running ? ProcessState.RUNNING : ProcessState.RECEIVE_BLOCKED)) return false;
  if (!writeRecord(w, i, p)) return false;
  const a = RING + i * RING_SIZE;
  w.i32[(a + R.SEND_H) >> 2] = p.sendEndpoint.handle;
  w.i32[(a + R.WAIT_H) >> 2] = p.receiveEndpoint.handle;
  return true;
}

/**
 * A call pair's member's record (kernel/ipc/fastpath.ts callPair checked the IPC side): `running` the process
 * the TypeScript call or reply_wait handed the CPU to (RUNNING), else the one that made it (REPLY_BLOCKED in its
 * call, or RECEIVE_BLOCKED in its reply_wait). SEND_H: the client's call handle; WAIT_H: the server's.
 */
export function writeCallMember(w: YieldWords, i: number, p: Process, running: boolean, state: number): boolean {
  if (p.state !== (running ? ProcessState.RUNNING : state)) return false;
  if (!writeRecord(w, i, p)) return false;
  const a = RING + i * RING_SIZE;
  w.i32[(a + R.SEND_H) >> 2] = p.sendEndpoint.handle;
  w.i32[(a + R.WAIT_H) >> 2] = p.receiveEndpoint.handle;
  return true;
}

/** The accounting words of a member of either kind (the checks both share first). */
function writeRecord(w: YieldWords, i: number, p: Process): boolean {
  const s = p.sched;
  const rt = p.runtime;
  if (rt === null || !rt.metered || rt.fuelKept !== true || p.nextRun !== "resume") return false;
  if (p.mm.fault !== null || s.edf !== null || s.cpuLimitNs !== Infinity || p.exit !== null) return false;
  // No port bound to it: its port loop (host/runtime/port-loop.ts) and KernelCore.activationDone never run while the words are armed.
  if (p.boundPorts.length !== 0) return false;
  const ep = p.receiveEndpoint.endpoint;
  if (ep !== null && ep.queue.length > 0) return false; // its receive hint (kernel/fast/hints.ts) would be set at its dispatch
  const a = RING + i * RING_SIZE;
  const i32 = w.i32;
  const f64 = w.f64;
  i32[(a + R.PID) >> 2] = p.pid;
  i32[(a + R.QLEFT) >> 2] = s.quantumLeft;
  i32[(a + R.HELD) >> 2] = s.fuelHeld;
  i32[(a + R.LAT) >> 2] = 0;
  i32[(a + R.RESUME) >> 2] = p.resumeValue;
  f64[(a + R.CPU) >> 3] = p.cpuTimeNs;
  f64[(a + R.READY) >> 3] = s.readySince;
  f64[(a + R.TIER) >> 3] = tierOf(p.priority).deadlineNs;
  w.ring[i] = p;
  return true;
}

/** Ring member i's values back into its fields (syncYields); `running`: it is the ring's head (else READY: a pulse pair's sync sets its blocked state after). */
export function readMember(w: YieldWords, i: number, running: boolean): Process {
  const p = w.ring[i]!;
  const s = p.sched;
  const a = RING + i * RING_SIZE;
  const i32 = w.i32;
  const f64 = w.f64;
  s.quantumLeft = i32[(a + R.QLEFT) >> 2];
  s.fuelHeld = i32[(a + R.HELD) >> 2];
  s.latencyMisses += i32[(a + R.LAT) >> 2];
  p.resumeValue = i32[(a + R.RESUME) >> 2];
  p.cpuTimeNs = f64[(a + R.CPU) >> 3];
  s.readySince = f64[(a + R.READY) >> 3];
  p.state = running ? ProcessState.RUNNING : ProcessState.READY;
  w.ring[i] = null;
  return p;
}

/** Quantum, fuel and cost values the words hold as i32 (the vDSO's arithmetic): what publication requires. */
export function fitsI32(v: number): boolean {
  return Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff;
}

/** Counts for tests and the bench: yields served in wasm, publications, and syncs that found yields served. */
export const fastYieldCounts = { served: 0, published: 0, synced: 0 };

/** The same for pulse_wait pairs: pulses served in wasm, pair publications, and syncs that found pulses served. */
export const fastPulseCounts = { served: 0, published: 0, synced: 0 };

/** The same for call pairs: calls and reply_waits served in wasm, pair publications, and syncs that found some served. */
export const fastCallCounts = { served: 0, published: 0, synced: 0 };
