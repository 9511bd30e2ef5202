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

import {
  FREE,
  HERE,
  S_BYTES_IN_USE,
  S_CHUNK0,
  S_CLOSED,
  S_DIGEST,
  S_DIGEST0,
  S_GATE,
  SCANNED,
  STATE_WORDS,
  THERE,
  type ChunkResult,
  type ScanKind,
} from "./parallel-scan.ts";

/** Modules smaller than this are validated in place. */
export const PARALLEL_GATE_MIN_BYTES = 1 << 20;

const QUEUED = 0;
const RUNNING = 1; // taken by the worker
const TAKEN = 2; // taken by the caller (or cancelled): the worker skips it
const VALID = 3;
const INVALID = 4;

/** How long the caller waits for a running job before validating itself (a worker that died mid-job). */
const WAIT_LIMIT_MS = 30_000;
/** How long the caller waits for a chunk of the body scan the worker has under way before scanning it itself. */
const CHUNK_WAIT_MS = 2_000;

/** The digest of a job's bytes (S_DIGEST): not begun, being computed by the worker, written, taken by the caller (who hashes itself). */
const DIGEST_FREE = 0;
const DIGEST_RUNNING = 1;
const DIGEST_DONE = 2;
const DIGEST_TAKEN = 3;

// The worker: for a job that asks (parallel-scan.ts), takes its share of
// the body walk first, then validates the bytes (unless the caller took the
// validation), or the other way round for a job marked validateFirst. The
// scan module is imported by URL when the worker starts (scanModuleUrl); a
// job that arrives before it has loaded is validated at once and scanned
// (what is left of it) when the module has loaded, unless a later job came
// meanwhile; if it cannot load, the caller scans every body. Results go on
// the port the caller reads synchronously.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { createHash } = require("node:crypto");
let scan = null;
let waiting = null; // the last job that arrived before the scan module loaded
const done = (job) => Atomics.store(job.state, ${S_BYTES_IN_USE}, 0);
const runScan = (job) => {
  try {
    scan.runScanJob(job, (r) => workerData.port.postMessage(r, scan.transferList(r)));
  } catch {}
};
if (workerData.scanUrl !== null) {
  import(workerData.scanUrl).then(
    (m) => {
      scan = m;
      const job = waiting;
      waiting = null;
      if (job !== null) {
        runScan(job);
        done(job);
      }
    },
    () => {
      if (waiting !== null) done(waiting);
      waiting = null;
    },
  );
}
parentPort.on("message", (job) => {
  const { state, bytes } = job;
  if (job.scan !== null && scan !== null && !job.validateFirst) runScan(job);
  if (Atomics.compareExchange(state, ${S_GATE}, ${QUEUED}, ${RUNNING}) === ${QUEUED}) {
    let ok = false;
    try {
      ok = WebAssembly.validate(bytes);
    } catch {}
    Atomics.store(state, ${S_GATE}, ok ? ${VALID} : ${INVALID});
    Atomics.notify(state, ${S_GATE});
    // The bytes' SHA-256 for a caller that asked and has not taken it (the loader wants it once it has prepared a valid module).
    if (ok && job.digest && Atomics.compareExchange(state, ${S_DIGEST}, ${DIGEST_FREE}, ${DIGEST_RUNNING}) === ${DIGEST_FREE}) {
      let to = ${DIGEST_FREE};
      try {
        const d = createHash("sha256").update(bytes).digest();
        for (let i = 0; i < 8; i++) state[${S_DIGEST0} + i] = d.readInt32BE(4 * i);
        to = ${DIGEST_DONE};
      } catch {}
      Atomics.store(state, ${S_DIGEST}, to);
      Atomics.notify(state, ${S_DIGEST});
    }
  }
  if (job.scan !== null && scan !== null && job.validateFirst) runScan(job);
  if (job.scan === null) return;
  if (scan !== null || workerData.scanUrl === null) done(job);
  else {
    if (waiting !== null) done(waiting);
    waiting = job;
  }
});
`;

interface GateWorker {
  postMessage(message: unknown): void;
}

/** The port the worker posts scan results on (read with receiveMessageOnPort), and that function. */
let results: { port: unknown; receive: (port: never) => { message: unknown } | undefined } | null = null;

/** The one gate worker of this thread: undefined until first wanted, null if there can be none. */
let worker: GateWorker | null | undefined;

/** parallel-scan.ts beside this file (.ts, or .js in the package's dist/), for the worker to import; null if not a file. */
function scanModuleUrl(): string | null {
  const here = import.meta.url;
  const m = /^(file:.*\/)engine-gate\.(ts|js)$/.exec(here);
  return m === null ? null : `${m[1]}parallel-scan.${m[2]}`;
}

function gateWorker(): GateWorker | null {
  if (worker !== undefined) return worker;
  worker = null;
  try {
    // No import: a page (and the vite build of web/) has no worker_threads, and then there is no worker.
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
    const wt = proc?.getBuiltinModule?.("node:worker_threads") as typeof import("node:worker_threads") | undefined;
    if (wt === undefined || typeof SharedArrayBuffer !== "function") return null;
    const channel = new wt.MessageChannel();
    const w = new wt.Worker(WORKER_SOURCE, {
      eval: true,
      name: "wasmos engine gate",
      workerData: { port: channel.port2, scanUrl: scanModuleUrl() },
      transferList: [channel.port2],
    });
    w.unref(); // never keeps the process alive
    channel.port1.unref();
    results = { port: channel.port1, receive: wt.receiveMessageOnPort as never };
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
  /** Neither the answer nor the body scan is wanted (the scan is closed too; so is the digest). */
  cancel(): void;
  /**
   * The SHA-256 (hex) of the bytes, computed by the worker after it found
   * them valid, for a job started with `digest`; null when the caller is to
   * hash them itself (no worker, a small module, not asked, or the worker has
   * not begun it: the caller takes it then). Waits while the worker is at it.
   */
  digest(): string | null;
  /** Which thread validated, once valid() has answered (tests: the worker path is taken). */
  readonly answeredBy: "worker" | "caller" | null;
  /** The body scan shared with the worker (startValidation's `scan`), or null: the caller scans every body. */
  readonly scan: SharedScan | null;
}

/**
 * The caller's side of a body scan shared with the gate worker
 * (parallel-scan.ts): for each chunk in order, takeHere(c), else result(c);
 * close() when done (or refused early).
 */
export class SharedScan {
  private readonly state: Int32Array;
  private readonly job: number;
  private readonly port: unknown;
  private readonly receive: (port: never) => { message: unknown } | undefined;
  /** Results received for chunks not asked for yet. */
  private readonly early = new Map<number, ChunkResult>();
  /** Chunks the worker scanned and the caller adopted (tests: the split is taken). */
  fromWorker = 0;

  constructor(state: Int32Array, job: number, port: unknown, receive: (port: never) => { message: unknown } | undefined) {
    this.state = state;
    this.job = job;
    this.port = port;
    this.receive = receive;
  }

  /** Whether the caller takes chunk c (true unless the worker has it). */
  takeHere(c: number): boolean {
    return Atomics.compareExchange(this.state, S_CHUNK0 + c, FREE, HERE) === FREE;
  }

  /**
   * The worker's result for chunk c, once it has one (waiting for it); null
   * when the caller is to scan the chunk after all (given back, not done
   * within CHUNK_WAIT_MS: taken back, or its result missing).
   */
  result(c: number): ChunkResult | null {
    const state = this.state;
    const at = S_CHUNK0 + c;
    const until = performance.now() + CHUNK_WAIT_MS;
    for (;;) {
      const s = Atomics.load(state, at);
      if (s === SCANNED) {
        const r = this.received(c);
        if (r !== null) this.fromWorker++;
        return r;
      }
      if (s === FREE) {
        if (this.takeHere(c)) return null;
        continue;
      }
      if (s === HERE) return null;
      const left = until - performance.now();
      if (left <= 0) {
        if (Atomics.compareExchange(state, at, THERE, HERE) === THERE) return null; // the worker's result, if it ever comes, is ignored
        continue;
      }
      Atomics.wait(state, at, THERE, left);
    }
  }

  /** No more chunks are to be scanned: the worker stops taking them. Results already on the port are dropped (a chunk it posts later, by the next job). */
  close(): void {
    Atomics.store(this.state, S_CLOSED, 1);
    this.early.clear();
    while (this.receive(this.port as never) !== undefined);
  }

  /** Chunk c's result from the port (the worker posts it before marking the chunk scanned); other jobs' are dropped. */
  private received(c: number): ChunkResult | null {
    const early = this.early.get(c);
    if (early !== undefined) return early;
    for (;;) {
      const m = this.receive(this.port as never);
      if (m === undefined) return null;
      const r = m.message as ChunkResult;
      if (r.job !== this.job) continue;
      if (r.chunk === c) return r;
      this.early.set(r.chunk, r);
    }
  }
}

/** Numbers the jobs, so a result of an earlier job left on the port is told apart. */
let jobs = 0;

/** The last job posted: its state words and the shared buffer its bytes were copied into. */
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
  const s = last === null ? QUEUED : Atomics.load(last.state, S_GATE);
  const over = last !== null && (s === TAKEN || s === VALID || s === INVALID) && Atomics.load(last.state, S_BYTES_IN_USE) === 0;
  if (over && last.buffer.byteLength >= bytes.length) buffer = last.buffer;
  else buffer = new SharedArrayBuffer(bytes.length);
  const shared = new Uint8Array(buffer, 0, bytes.length);
  shared.set(bytes);
  return shared;
}

/**
 * WebAssembly.validate(bytes), started on the gate worker when it pays;
 * always gives the same answer as calling it here. With `scan`, the worker
 * also takes a share of the verifier's body walk (PendingValidation.scan;
 * parallel-scan.ts): first, and validates after, for a caller that reads
 * the answer late (the loader, after preparing); after validating with
 * `validateFirst` (a caller that reads it as soon as its walk is done).
 */
export function startValidation(bytes: Uint8Array, scan: ScanKind | null = null, validateFirst = false, digest = false): PendingValidation {
  const own = bytes as Uint8Array<ArrayBuffer>;
  const inPlace = {
    digest: () => null,
    answeredBy: null as PendingValidation["answeredBy"],
    scan: null,
    valid(): boolean {
      this.answeredBy = "caller";
      return WebAssembly.validate(own);
    },
    cancel(): void {},
  };
  if (bytes.length < PARALLEL_GATE_MIN_BYTES) return inPlace;
  const w = gateWorker();
  if (w === null) return inPlace;
  const state = new Int32Array(new SharedArrayBuffer(4 * STATE_WORDS));
  const shared = sharedCopy(bytes);
  const buffer = shared.buffer as SharedArrayBuffer;
  const sharing = scan !== null && results !== null ? new SharedScan(state, ++jobs, results.port, results.receive) : null;
  // Only a job whose walk is shared asks for the digest: the worker keeps S_BYTES_IN_USE set until it is done (it hashes
  // right after validating), so the buffer is not reused under it.
  const wantDigest = digest && sharing !== null;
  if (!wantDigest) state[S_DIGEST] = DIGEST_TAKEN;
  if (sharing !== null) state[S_BYTES_IN_USE] = 1; // until the worker is done with the job (it clears it)
  lastJob = buffer.byteLength <= REUSE_MAX_BYTES ? { state, buffer } : null;
  try {
    w.postMessage({ id: jobs, state, bytes: shared, scan: sharing === null ? null : scan, validateFirst, digest: wantDigest });
  } catch {
    return inPlace;
  }
  const pending: { -readonly [K in keyof PendingValidation]: PendingValidation[K] } = {
    answeredBy: null,
    scan: sharing,
    valid(): boolean {
      this.answeredBy = "caller";
      if (Atomics.compareExchange(state, S_GATE, QUEUED, TAKEN) === QUEUED) return WebAssembly.validate(own); // not begun: here
      const until = performance.now() + WAIT_LIMIT_MS;
      for (;;) {
        const s = Atomics.load(state, S_GATE);
        if (s === VALID || s === INVALID) {
          this.answeredBy = "worker";
          return s === VALID;
        }
        const left = until - performance.now();
        if (left <= 0) return WebAssembly.validate(own);
        Atomics.wait(state, S_GATE, RUNNING, left);
      }
    },
    cancel(): void {
      Atomics.compareExchange(state, S_GATE, QUEUED, TAKEN);
      Atomics.compareExchange(state, S_DIGEST, DIGEST_FREE, DIGEST_TAKEN);
      sharing?.close();
    },
    digest(): string | null {
      if (Atomics.compareExchange(state, S_DIGEST, DIGEST_FREE, DIGEST_TAKEN) === DIGEST_FREE) return null; // not begun: here
      const until = performance.now() + CHUNK_WAIT_MS;
      for (;;) {
        const s = Atomics.load(state, S_DIGEST);
        if (s === DIGEST_DONE) {
          let hex = "";
          for (let i = 0; i < 8; i++) hex += (state[S_DIGEST0 + i] >>> 0).toString(16).padStart(8, "0");
          return hex;
        }
        if (s === DIGEST_TAKEN) return null;
        if (s === DIGEST_FREE) {
          // Given back (the worker's hash failed): take it.
          if (Atomics.compareExchange(state, S_DIGEST, DIGEST_FREE, DIGEST_TAKEN) === DIGEST_FREE) return null;
          continue;
        }
        const left = until - performance.now();
        if (left <= 0) return null; // the worker's digest, if it ever comes, is not read
        Atomics.wait(state, S_DIGEST, DIGEST_RUNNING, left);
      }
    },
  };
  return pending;
}
