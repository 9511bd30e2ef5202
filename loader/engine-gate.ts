// The verifier's final gate (WebAssembly.validate of the module as given),
// run on a second thread while this one parses, checks and prepares the
// module. Validating a 10 MB module takes V8 ~35 ms, longer than compiling
// it lazily; the loader's own passes take longer still, so on a machine with
// a second core the gate costs the load nothing but a copy of the bytes.
//
// Same answer as calling WebAssembly.validate here: the worker runs that very
// call on the same bytes (copied into shared memory before anything else
// runs). If the worker has not begun when the answer is wanted (it is still
// starting, or busy), or there is no worker (a page, a runtime without
// worker_threads, a worker that could not start), the caller validates
// itself; a job is taken by exactly one side (a compare-and-swap on its
// state word). Small modules are validated in place: posting costs more
// than it saves.

/** Modules smaller than this are validated in place. */
export const PARALLEL_GATE_MIN_BYTES = 1 << 20;

const QUEUED = 0;
const RUNNING = 1; // taken by the worker
const TAKEN = 2; // taken by the caller (or cancelled): the worker skips it
const VALID = 3;
const INVALID = 4;

/** How long the caller waits for a running job before validating itself (a worker that died mid-job). */
const WAIT_LIMIT_MS = 30_000;

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", ({ state, bytes }) => {
  if (Atomics.compareExchange(state, 0, ${QUEUED}, ${RUNNING}) !== ${QUEUED}) return;
  let ok = false;
  try {
    ok = WebAssembly.validate(bytes);
  } catch {}
  Atomics.store(state, 0, ok ? ${VALID} : ${INVALID});
  Atomics.notify(state, 0);
});
`;

interface GateWorker {
  postMessage(message: unknown): void;
}

/** The one gate worker of this thread: undefined until first wanted, null if there can be none. */
let worker: GateWorker | null | undefined;

function gateWorker(): GateWorker | null {
  if (worker !== undefined) return worker;
  worker = null;
  try {
    // No import: a page (and the vite build of web/) has no worker_threads, and then there is no worker.
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.("node:worker_threads") as typeof import("node:worker_threads") | undefined;
    if (wt === undefined || typeof SharedArrayBuffer !== "function") return null;
    const w = new wt.Worker(WORKER_SOURCE, { eval: true, name: "wasmos engine gate" });
    w.unref(); // never keeps the process alive
    const gone = () => {
      if (worker === w) worker = null; // later loads validate in place (or start a new worker)
    };
    w.on("error", gone);
    w.on("exit", gone);
    worker = w;
  } catch {
    worker = null;
  }
  return worker;
}

/** A validation under way: `valid()` gives WebAssembly.validate's answer; `cancel()` when it is not wanted. */
export interface PendingValidation {
  valid(): boolean;
  cancel(): void;
  /** Which thread validated, once valid() has answered (tests: the worker path is taken). */
  readonly answeredBy: "worker" | "caller" | null;
}

/** The last job posted: its state word and the shared buffer its bytes were copied into. */
let lastJob: { state: Int32Array; buffer: SharedArrayBuffer } | null = null;
/** The largest shared buffer reused for the next job (a larger one is left to the collector). */
const REUSE_MAX_BYTES = 64 << 20;

/**
 * `bytes` copied into shared memory: into the last job's buffer when that
 * job is over and the buffer is large enough (a fresh 10 MB buffer costs a
 * page fault per 4 KiB as it is written), else a new one. A job is over once
 * it is answered (VALID, INVALID) or taken away from the worker (TAKEN: the
 * worker then skips it without reading its bytes); a QUEUED or RUNNING job's
 * bytes may still be read.
 */
function sharedCopy(bytes: Uint8Array): Uint8Array {
  const last = lastJob;
  let buffer: SharedArrayBuffer;
  const s = last === null ? QUEUED : Atomics.load(last.state, 0);
  if (last !== null && (s === TAKEN || s === VALID || s === INVALID) && last.buffer.byteLength >= bytes.length) buffer = last.buffer;
  else buffer = new SharedArrayBuffer(bytes.length);
  const shared = new Uint8Array(buffer, 0, bytes.length);
  shared.set(bytes);
  return shared;
}

/** WebAssembly.validate(bytes), started on the gate worker when it pays; always gives the same answer as calling it here. */
export function startValidation(bytes: Uint8Array): PendingValidation {
  const own = bytes as Uint8Array<ArrayBuffer>;
  const inPlace = {
    answeredBy: null as PendingValidation["answeredBy"],
    valid(): boolean {
      this.answeredBy = "caller";
      return WebAssembly.validate(own);
    },
    cancel(): void {},
  };
  if (bytes.length < PARALLEL_GATE_MIN_BYTES) return inPlace;
  const w = gateWorker();
  if (w === null) return inPlace;
  const state = new Int32Array(new SharedArrayBuffer(4));
  const shared = sharedCopy(bytes);
  const buffer = shared.buffer as SharedArrayBuffer;
  lastJob = buffer.byteLength <= REUSE_MAX_BYTES ? { state, buffer } : null;
  try {
    w.postMessage({ state, bytes: shared });
  } catch {
    return inPlace;
  }
  const pending: { -readonly [K in keyof PendingValidation]: PendingValidation[K] } = {
    answeredBy: null,
    valid(): boolean {
      this.answeredBy = "caller";
      if (Atomics.compareExchange(state, 0, QUEUED, TAKEN) === QUEUED) return WebAssembly.validate(own); // not begun: here
      const until = performance.now() + WAIT_LIMIT_MS;
      for (;;) {
        const s = Atomics.load(state, 0);
        if (s === VALID || s === INVALID) {
          this.answeredBy = "worker";
          return s === VALID;
        }
        const left = until - performance.now();
        if (left <= 0) return WebAssembly.validate(own);
        Atomics.wait(state, 0, RUNNING, left);
      }
    },
    cancel(): void {
      Atomics.compareExchange(state, 0, QUEUED, TAKEN);
    },
  };
  return pending;
}
