// The body walk of a large module's load, shared between the loading thread
// and the engine gate's worker (loader/engine-gate.ts). The worker, once it
// has validated the module, parses the same bytes (from shared memory) and
// scans chunks of bodies from the last one down, while the verifier scans
// from the first one up (verify.ts checkCode); they meet where they meet.
// Each chunk is taken by exactly one side (a compare-and-swap on its state
// word). The worker hands each chunk over as transferable arrays: whether
// a body failed to decode (the first one, with the reader's message), each
// body's proposal bits, and the fuel scan's facts packed
// (instrument/fuel.ts PackedScan); the verifier adopts them in body order,
// so the report, the facts and everything made from them come out as one
// walk on one thread would make them. A chunk the worker gives back (an
// exception other than a decode error), has not finished within
// CHUNK_WAIT_MS, or whose result does not arrive is scanned by the loading
// thread itself.
//
// This file is imported by the worker (by URL: engine-gate.ts) and by the
// verifier; it needs nothing of Node.

import { forEachInstruction, lastWalk } from "../wasm/decode.ts";
import { readModule, WasmParseError, type WasmModule } from "../wasm/reader.ts";
import { FuelScan, type PackedScan } from "./instrument/fuel.ts";

/** At most this many chunks of about equal code size (the imbalance at the meeting point is at most one). */
export const SCAN_CHUNKS = 64;

/** Slots of a job's shared state (an Int32Array of STATE_WORDS): */
/** the engine gate's answer (engine-gate.ts); */
export const S_GATE = 0;
/** 1 while the worker may still read the job's bytes (engine-gate.ts reuses the buffer only after); */
export const S_BYTES_IN_USE = 1;
/** 1 once the loading thread wants no more chunks scanned (done, or refused early); */
export const S_CLOSED = 2;
/** each chunk's state from here on; */
export const S_CHUNK0 = 4;
/** the SHA-256 of the job's bytes, for a job that asks (engine-gate.ts PendingValidation.digest): its state, */
export const S_DIGEST = S_CHUNK0 + SCAN_CHUNKS;
/** then its 32 bytes as eight big-endian int32 once the state is DIGEST_DONE. */
export const S_DIGEST0 = S_DIGEST + 1;
export const STATE_WORDS = S_DIGEST0 + 8;

/** A chunk's state: not taken, taken by the loading thread, taken by the worker, scanned by the worker (result posted). */
export const FREE = 0;
export const HERE = 1;
export const THERE = 2;
export const SCANNED = 3;

/** What rides on the walk: the loader's fuel scan, or nothing (the verifier's decode alone). */
export type ScanKind = "fuel" | "decode";

/** What the loading thread posts to the worker (with the gate's job). */
export interface ScanJob {
  id: number;
  state: Int32Array;
  bytes: Uint8Array;
  scan: ScanKind;
}

/** The worker's result for one chunk of bodies. */
export interface ChunkResult {
  job: number;
  chunk: number;
  /** The chunk's first body that does not decode (the verifier's "malformed" error; func: its function index), or null. */
  error: { message: string; offset: number; func: number } | null;
  /** Each body's proposal bits (decode.ts lastWalk.features); not set after a body that does not decode. */
  features: Int32Array;
  /** The fuel scan's facts of the chunk's bodies (kind "fuel", no error), else null. */
  walk: PackedScan | null;
}

/**
 * The chunks' bounds in m.code: chunk c is bodies [bounds[c], bounds[c+1]).
 * At most SCAN_CHUNKS chunks, each about 1/SCAN_CHUNKS of the code's bytes;
 * both threads compute the same from the same module.
 */
export function chunkBounds(m: WasmModule): number[] {
  const code = m.code;
  const bounds = [0];
  if (code.length === 0) return bounds;
  let total = 0;
  for (const body of code) total += body.end - body.bodyStart;
  const step = total / SCAN_CHUNKS;
  let acc = 0;
  for (let i = 0; i < code.length - 1; i++) {
    acc += code[i].end - code[i].bodyStart;
    if (acc >= step * bounds.length && bounds.length < SCAN_CHUNKS) bounds.push(i + 1);
  }
  bounds.push(code.length);
  return bounds;
}

/** Scans bodies [first, end) of m as the verifier's walk does (verify.ts checkCode), with the fuel scan riding if asked. */
export function scanChunk(m: WasmModule, kind: ScanKind, job: number, chunk: number, first: number, end: number): ChunkResult {
  const walk = kind === "fuel" ? new FuelScan(m) : null;
  const features = new Int32Array(end - first);
  for (let i = first; i < end; i++) {
    const body = m.code[i];
    try {
      forEachInstruction(m, body, walk === null ? null : walk.begin(body), walk === null ? null : walk.filter);
    } catch (e) {
      if (!(e instanceof WasmParseError)) throw e;
      return { job, chunk, error: { message: e.message, offset: e.offset, func: body.index }, features, walk: null };
    }
    features[i - first] = lastWalk.features;
  }
  return { job, chunk, error: null, features, walk: walk === null ? null : walk.pack(first, end) };
}

/** The arrays of a result, to transfer rather than copy. */
export function transferList(r: ChunkResult): ArrayBuffer[] {
  const out: ArrayBuffer[] = [r.features.buffer as ArrayBuffer];
  const w = r.walk;
  if (w !== null) {
    for (const a of [w.head, w.regions, w.funcSites, w.grows, w.events, w.siteTarget, w.siteType, w.siteRegion, w.siteFlags, w.escapes]) {
      out.push(a.buffer as ArrayBuffer);
    }
  }
  return out;
}

/**
 * The worker's part of a job: parse the bytes, then take chunks from the
 * last down while they are free, posting each result before marking it
 * scanned. Stops at the first chunk the loading thread has taken, when the
 * job is closed, and after a chunk with a body that does not decode (the
 * loading thread scans what is left below it). A chunk whose scan throws
 * anything else is given back (FREE) for the loading thread to scan.
 */
export function runScanJob(job: ScanJob, post: (r: ChunkResult) => void): void {
  const { state } = job;
  if (Atomics.load(state, S_CLOSED) !== 0) return;
  let m: WasmModule;
  try {
    m = readModule(job.bytes);
  } catch {
    return; // the verifier refuses it (the loading thread parses the same bytes)
  }
  const bounds = chunkBounds(m);
  for (let c = bounds.length - 2; c >= 0; c--) {
    if (Atomics.load(state, S_CLOSED) !== 0) return;
    if (Atomics.compareExchange(state, S_CHUNK0 + c, FREE, THERE) !== FREE) return;
    let r: ChunkResult;
    try {
      r = scanChunk(m, job.scan, job.id, c, bounds[c], bounds[c + 1]);
      post(r);
    } catch {
      Atomics.compareExchange(state, S_CHUNK0 + c, THERE, FREE);
      Atomics.notify(state, S_CHUNK0 + c);
      return;
    }
    Atomics.compareExchange(state, S_CHUNK0 + c, THERE, SCANNED);
    Atomics.notify(state, S_CHUNK0 + c);
    if (r.error !== null) return;
  }
}
