// The Node epoch ticker (contract: hal/epoch.ts): a worker thread that raises
// the flag in a shared page at the time the host armed. One per Node process,
// made on first use and shared by every kernel in it (only one guest runs at
// a time on the host's thread, and a flag raised for another kernel's slice
// costs the guest one spurious check). The worker is unref'd: it never keeps
// the process alive.
//
// Protocol (all on the shared page):
//  - the host writes the armed time (absolute ms) to WAKE_AT, then bumps SEQ
//    with an atomic add; it notifies SEQ only when the worker sleeps with
//    nothing armed (SLEEPING) or the new time is earlier than the last one
//    armed (the worker may be in a timed wait for that one). So a dispatch
//    that moves the deadline later costs a few plain and atomic memory
//    operations, no system call.
//  - the worker reads SEQ, then WAKE_AT; waits (Atomics.wait on SEQ, so an
//    arm in between wakes it at once) until that time; raises FLAG; and
//    sleeps until the next arm once it has fired the armed time.
// The armed time is a plain Float64 (aligned 8-byte stores and loads are
// single instructions on the engines' 64-bit targets; SEQ orders them).

import { Worker } from "node:worker_threads";
import { EPOCH_FLAG, EPOCH_SEQ, EPOCH_SLEEPING, EPOCH_WAKE_AT, type EpochTicker } from "../epoch.ts";

/** Int32 index the worker sets to 1 once its loop runs (the host waits for it before its first arm). */
const READY = 6;
/** Longest the host waits for the worker to start (a loaded machine takes tens of ms; past this it carries on). */
const READY_WAIT_MS = 10_000;

const WORKER = `
const { workerData } = require("node:worker_threads");
const i32 = new Int32Array(workerData.buffer);
const f64 = new Float64Array(workerData.buffer);
const FLAG = ${EPOCH_FLAG}, SEQ = ${EPOCH_SEQ}, SLEEPING = ${EPOCH_SLEEPING}, WAKE_AT = ${EPOCH_WAKE_AT}, READY = ${READY};
const now = () => performance.timeOrigin + performance.now();
let fired = 0;
Atomics.store(i32, READY, 1);
Atomics.notify(i32, READY);
for (;;) {
  const seq = Atomics.load(i32, SEQ);
  const at = f64[WAKE_AT];
  if (at === 0 || at === fired) {
    Atomics.store(i32, SLEEPING, 1);
    Atomics.wait(i32, SEQ, seq);
    Atomics.store(i32, SLEEPING, 0);
    continue;
  }
  const t = now();
  if (t >= at) {
    Atomics.store(i32, FLAG, 1);
    fired = at;
    continue;
  }
  Atomics.wait(i32, SEQ, seq, at - t);
}
`;

class NodeEpochTicker implements EpochTicker {
  readonly memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  private readonly i32 = new Int32Array(this.memory.buffer);
  private readonly f64 = new Float64Array(this.memory.buffer);
  private readonly origin = performance.timeOrigin;
  /** The time last armed (host scale), 0 before the first arm. */
  private armedAt = 0;
  readonly worker: Worker;

  constructor() {
    this.worker = new Worker(WORKER, { eval: true, workerData: { buffer: this.memory.buffer } });
    this.worker.unref();
  }

  arm(at: number): void {
    if (!this.ready) this.awaitReady();
    const last = this.armedAt;
    // A pending raise that comes first stands (the handler re-arms when it fires).
    if (last !== 0 && at >= last && last > performance.now()) return;
    this.armedAt = at;
    this.f64[EPOCH_WAKE_AT] = this.origin + at;
    Atomics.add(this.i32, EPOCH_SEQ, 1);
    if (at < last || Atomics.load(this.i32, EPOCH_SLEEPING) === 1) Atomics.notify(this.i32, EPOCH_SEQ);
  }

  private ready = false;

  /**
   * Block until the worker runs (once): until then nothing would raise the
   * flag, and a guest dispatched meanwhile could run past its slice. The
   * loader's work before the first dispatch usually hides the wait.
   */
  private awaitReady(): void {
    this.ready = true;
    Atomics.wait(this.i32, READY, 0, READY_WAIT_MS);
  }

  raise(): void {
    this.i32[EPOCH_FLAG] = 1;
  }

  lower(): void {
    this.i32[EPOCH_FLAG] = 0;
  }
}

let ticker: NodeEpochTicker | null = null;

/** The process's epoch ticker (made, and its worker started, on first use). */
export function nodeEpochTicker(): EpochTicker {
  ticker ??= new NodeEpochTicker();
  return ticker;
}
