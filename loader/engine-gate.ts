// The engine's work on a large module, on a second thread while this one
// does its own: the verifier's final gate (WebAssembly.validate of the
// module as given) while the loader parses, checks and prepares it, then
// the compile of the prepared module while the writer writes it
// (startStreamingCompile, below). Validating a 10 MB module takes V8 ~35 ms, longer than compiling
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

import type { ByteSink } from "../wasm/sink.ts";

/** Modules smaller than this are validated (and compiled) in place. */
export const PARALLEL_GATE_MIN_BYTES = 1 << 20;

const QUEUED = 0;
const RUNNING = 1; // taken by the worker
const TAKEN = 2; // taken by the caller (or cancelled): the worker skips it
const VALID = 3;
const INVALID = 4;

/** How long the caller waits for a running job before validating itself (a worker that died mid-job). */
const WAIT_LIMIT_MS = 30_000;

// A compile job's words: [0] its state, [1] bytes written so far (ABORTED if the writer
// gave up), [2] the final length (-1 until known), [3] a count bumped at every change of
// [1] or [2] (the worker waits on it, so no change can slip between its look and its wait).
const ABORTED = -2;

const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (job) => {
  const state = job.state;
  if (Atomics.compareExchange(state, 0, ${QUEUED}, ${RUNNING}) !== ${QUEUED}) return;
  if (job.kind === "validate") {
    let ok = false;
    try {
      ok = WebAssembly.validate(job.bytes);
    } catch {}
    Atomics.store(state, 0, ok ? ${VALID} : ${INVALID});
    Atomics.notify(state, 0);
    return;
  }
  // kind "compile": the module as it is written into job.bytes (shared), through the engine's streaming compiler.
  const bytes = job.bytes;
  let consumed = 0;
  const stream = new ReadableStream({
    pull(ctrl) {
      for (;;) {
        const seen = Atomics.load(state, 3);
        const final = Atomics.load(state, 2);
        const have = Atomics.load(state, 1);
        if (have === ${ABORTED}) return ctrl.error(new Error("aborted"));
        if (have > consumed) {
          ctrl.enqueue(bytes.slice(consumed, have));
          consumed = have;
          return;
        }
        if (final >= 0 && consumed >= final) return ctrl.close();
        Atomics.wait(state, 3, seen, 1000);
      }
    },
  });
  const done = (message, s) => {
    try {
      job.port.postMessage(message);
    } catch {
      s = ${INVALID};
    }
    job.port.close();
    Atomics.store(state, 0, s);
    Atomics.notify(state, 0);
  };
  WebAssembly.compileStreaming(new Response(stream, { headers: { "content-type": "application/wasm" } })).then(
    (module) => done({ module }, ${VALID}),
    () => done({}, ${INVALID}),
  );
});
`;

interface GateWorker {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
}

type WorkerThreads = typeof import("node:worker_threads");
let threads: WorkerThreads | undefined;

/** The one gate worker of this thread: undefined until first wanted, null if there can be none. */
let worker: GateWorker | null | undefined;

function gateWorker(): GateWorker | null {
  if (worker !== undefined) return worker;
  worker = null;
  try {
    // No import: a page (and the vite build of web/) has no worker_threads, and then there is no worker.
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined;
    if (wt === undefined || typeof SharedArrayBuffer !== "function") return null;
    threads = wt;
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
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
  shared.set(bytes);
  try {
    w.postMessage({ kind: "validate", state, bytes: shared });
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

/**
 * Compiling a module while it is written: the writer writes into shared
 * memory (the sink `open` makes) and reports each final prefix
 * (`progress`); the gate worker feeds it to WebAssembly.compileStreaming,
 * which validates and compiles the functions on the engine's own threads as
 * they arrive. `finish(bytes)` gives what `new WebAssembly.Module(bytes)`
 * gives, always: the streamed module when that compile succeeded on exactly
 * these bytes, else the synchronous compile here (its module, or the
 * engine's own error, thrown), as when the worker has not begun the job, the
 * writer outgrew the shared buffer, or the worker's compile failed.
 */
export interface StreamingCompile {
  open(capacity: number): ByteSink;
  progress(n: number): void;
  finish(bytes: Uint8Array): WebAssembly.Module;
  /** The module will not be finished (the preparation failed): the worker drops the job. */
  cancel(): void;
  /** Which thread compiled, once finish() has answered (tests). */
  readonly compiledBy: "worker" | "caller" | null;
}

/**
 * A streaming compile for a module about to be written, or null when there
 * is no worker. `makeSink(buffer)`: a sink writing into the given (shared)
 * buffer (wasm/sink.ts ByteSink).
 */
export function startStreamingCompile(makeSink: (buffer: Uint8Array<ArrayBuffer>) => ByteSink): StreamingCompile | null {
  const w = gateWorker();
  if (w === null || threads === undefined) return null;
  const wt = threads;
  const state = new Int32Array(new SharedArrayBuffer(16));
  state[2] = -1;
  const changed = () => {
    Atomics.add(state, 3, 1);
    Atomics.notify(state, 3);
  };
  let shared: Uint8Array | null = null;
  let sink: ByteSink | null = null;
  let port: import("node:worker_threads").MessagePort | null = null;
  let posted = false;
  let abandoned = false;
  const abandon = () => {
    if (abandoned) return;
    abandoned = true;
    Atomics.compareExchange(state, 0, QUEUED, TAKEN);
    Atomics.store(state, 1, ABORTED);
    changed();
    port?.close();
  };
  const job: { -readonly [K in keyof StreamingCompile]: StreamingCompile[K] } = {
    compiledBy: null,
    cancel: abandon,
    open(capacity: number): ByteSink {
      // The buffer is shared with the worker, so it cannot grow: a writer that outgrows it leaves it (the job is then abandoned).
      const buffer = new Uint8Array(new SharedArrayBuffer(capacity)) as unknown as Uint8Array<ArrayBuffer>;
      shared = buffer;
      sink = makeSink(buffer);
      if (capacity >= PARALLEL_GATE_MIN_BYTES) {
        try {
          const channel = new wt.MessageChannel();
          port = channel.port1;
          w.postMessage({ kind: "compile", state, bytes: buffer, port: channel.port2 }, [channel.port2]);
          posted = true;
        } catch {
          abandon();
        }
      }
      return sink;
    },
    progress(n: number): void {
      if (!posted || abandoned) return;
      if (sink === null || !sink.writesInto(shared!)) return abandon(); // it grew into a buffer of its own
      Atomics.store(state, 1, n);
      changed();
    },
    finish(bytes: Uint8Array): WebAssembly.Module {
      const own = bytes as Uint8Array<ArrayBuffer>;
      job.compiledBy = "caller";
      // Only a job that streamed exactly these bytes (the shared buffer's, whole) is worth waiting for.
      const streamed = posted && !abandoned && bytes.buffer === shared!.buffer && bytes.byteOffset === 0;
      if (!streamed || Atomics.load(state, 1) !== bytes.length) {
        abandon();
        return new WebAssembly.Module(own);
      }
      Atomics.store(state, 2, bytes.length);
      changed();
      if (Atomics.compareExchange(state, 0, QUEUED, TAKEN) === QUEUED) {
        abandoned = true;
        port?.close();
        return new WebAssembly.Module(own); // not begun (the worker is starting or busy): here
      }
      const until = performance.now() + WAIT_LIMIT_MS;
      for (;;) {
        const s = Atomics.load(state, 0);
        if (s === VALID || s === INVALID) break;
        const left = until - performance.now();
        if (left <= 0) {
          abandon();
          return new WebAssembly.Module(own);
        }
        Atomics.wait(state, 0, RUNNING, left);
      }
      const got = wt.receiveMessageOnPort(port!)?.message as { module?: unknown } | undefined;
      port!.close();
      if (Atomics.load(state, 0) === VALID && got?.module instanceof WebAssembly.Module) {
        job.compiledBy = "worker";
        return got.module;
      }
      return new WebAssembly.Module(own); // the engine refused it there: the same refusal, in its own words, here
    },
  };
  return job;
}
