// Load-time rewriting of a verified module, before it is compiled. The kernel
// rewrites modules itself and never trusts the guest's toolchain:
// - a start section becomes an export run as the first part of the process
//   (under JSPI, so it may block, and is contained like the rest);
// - an own memory without a maximum, or with one above the policy's limit, is
//   capped so memory.grow past the limit returns -1 instead of growing, and
//   likewise every table's maximum at the policy's element limit;
// - unless told not to, every function entry and loop header is charged fuel
//   (loader/instrument/fuel.ts), so the kernel can preempt a guest that never
//   blocks;
// - a counting-variant module that imports port_bind gets a direct copy of
//   each export shaped like a port handler that calls no import but the fuel
//   one and port_send (loader/instrument/direct-copy.ts): a copy cannot trap, so a sender may
//   run it wasm-to-wasm when the handler is bound PORT_BIND_DIRECT
//   (host/runtime/fast-ports.ts; docs/fastpath.md "Port dispatch in wasm,
//   wasm-to-wasm"). No other module pays for the pass. Each copy comes with its
//   static stack bound (an exported global; -1 when it recurses): only a copy
//   with a small one runs on a sender's stack, the others behind a JavaScript
//   frame (host/runtime/fast-ports.ts W2W_STACK_BOUND);
// - a counting-variant module that imports port_send calls it through a
//   function of its own that charges the fuel a wasm-to-wasm delivery burned
//   (loader/instrument/port-send.ts).

import { FUEL_GLOBAL_EXPORT, FUEL_IMPORT, planFuel, type FuelPlan, FuelScan, type Preemption } from "./instrument/fuel.ts";
import { addDirectCopies } from "./instrument/direct-copy.ts";
import { planPortSend, PORT_SEND_EXPORT, portSendBody } from "./instrument/port-send.ts";

import { funcType, readModule, type Limits, type WasmModule } from "../wasm/reader.ts";
import { cappedMemoryLimits, editModule, releaseEditOutput, type ModuleEdits } from "../wasm/writer.ts";
import type { VerifyPolicy } from "./verify.ts";
import { addGrowLimit } from "./grow-limit.ts";

/**
 * Version of what preparation produces (this file, loader/instrument/fuel.ts,
 * loader/grow-limit.ts, the writer). Part of the disk cache's key
 * (loader/disk-cache.ts): change it with any change to their output, or
 * cached modules prepared the old way are reused.
 */
export const PREPARE_VERSION =
  "wasmos-prepare-13 (counting variant: small bounded callees inlined into loops; direct copies of handlers whose only import is port_send in modules importing port_bind, with their static stack bounds and their direct entries, each with its copy's body inlined; port_send called through a function of the module's own that charges what a wasm-to-wasm delivery burned)";

/** The export the start function is moved to. Names starting "__wasmos" are reserved to the kernel. */
export const START_EXPORT = "__wasmos_start";

export interface PreparedModule {
  bytes: Uint8Array;
  /** START_EXPORT when the module had a start section, else null. */
  startExport: string | null;
  /** Whether the module was fuel-metered (either variant). */
  metered: boolean;
  /** How it is preempted: the fuel counter, the epoch flag, or not at all (instrument: false). */
  preemption: Preemption;
  /**
   * The epoch variant imports the module's own memories (the host makes
   * them, with these limits, in order: OWN_MEMORY_IMPORT_PREFIX + index);
   * empty otherwise.
   */
  ownMemories: Limits[];
}

export interface PrepareOptions {
  /** Fuel-meter the module (default true). Only benchmarks turn this off: an unmetered guest cannot be preempted. */
  instrument?: boolean;
  /**
   * Which instrumented variant (default "fuel"): the fuel counter
   * (deterministic mode) or the epoch flag (real-time mode on a host with a
   * ticker: loader/instrument/README.md "Two variants").
   */
  preemption?: "fuel" | "epoch";
  /** Direct copies of a binder's import-free handlers (default true; see withDirectCopies). */
  directCopies?: boolean;
}

/** What a caller already knows about the module (the loader: a fuel scan that rode on the verifier's walk). */
export interface Prescanned {
  fuelScan?: FuelScan;
  /**
   * The caller hands the prepared bytes back with releaseEditOutput
   * (wasm/writer.ts) once it has compiled and stored them, and reads them no
   * more: the writer may then reuse their buffer (EditOptions.reuseOutput).
   */
  reuseOutput?: boolean;
}

/**
 * Rewrites a verified module (its bytes, or the module verifyAndParse parsed
 * from them). Throws WasmEditError (EngineLimitError when the result would
 * cross an engine limit) or WasmParseError; the loader turns either into a
 * refusal.
 */
export function prepareModule(
  input: Uint8Array | WasmModule,
  policy: VerifyPolicy,
  options: PrepareOptions = {},
  prescanned: Prescanned = {},
): PreparedModule {
  const m = input instanceof Uint8Array ? readModule(input) : input;
  const bytes = m.bytes;
  const edits: ModuleEdits = {};
  const metered = options.instrument ?? true;
  let startExport: string | null = null;
  let growSites: FuelPlan["growSites"] | undefined;
  let patches: FuelPlan["patches"] | undefined;
  let preemption: Preemption = metered ? (options.preemption ?? "fuel") : "none";
  // The host makes the epoch variant's memories through the JS API, which has no 64-bit or custom-page-size memories here: such a module keeps the counter.
  if (preemption === "epoch" && m.memories.some((l) => l.index64 || l.pageSizeLog2 !== null)) preemption = "fuel";
  if (metered) {
    // The counting variant's port_send calls go through a function of the module's own that charges the fuel a
    // wasm-to-wasm delivery burned (loader/instrument/port-send.ts).
    const ps = preemption === "fuel" ? planPortSend(m) : null;
    const redirectFuncs = ps === null ? undefined : new Map(ps.imports.map((i) => [i, ps.index]));
    const plan = planFuel(m, prescanned.fuelScan, { preemption: preemption === "epoch" ? "epoch" : "fuel", redirectFuncs });
    Object.assign(edits, plan.edits);
    growSites = plan.growSites;
    patches = plan.patches;
    if (ps !== null) {
      edits.appendFunctions = [{ type: ps.type, body: portSendBody(ps.imports[0] + 1, plan.globalIndex) }];
      edits.redirectFuncs = redirectFuncs;
      edits.addExports = [...(edits.addExports ?? []), { name: PORT_SEND_EXPORT, kind: "func", index: ps.index }];
    }
  }
  addGrowLimit(m, edits, growSites); // memory.grow past the process's memory budget returns -1 (loader/grow-limit.ts)
  if (m.start !== null) {
    startExport = START_EXPORT;
    edits.removeStart = true;
    edits.addExports = [...(edits.addExports ?? []), { name: START_EXPORT, kind: "func", index: m.start }];
  }
  const own = m.memories[0];
  if (own && (own.max === null || own.max > policy.maxMemoryPages)) edits.capMemoryMax = policy.maxMemoryPages;
  if (m.tables.some((t) => t.limits.max === null || t.limits.max > policy.maxTableElements)) edits.capTableMax = policy.maxTableElements;
  const ownMemories = edits.importDefinedMemories ? m.memories.map((l) => cappedMemoryLimits(l, edits.capMemoryMax)) : [];
  let out: Uint8Array;
  try {
    out = Object.keys(edits).length > 0 ? editModule(m, edits, { reuseOutput: prescanned.reuseOutput }) : bytes;
  } finally {
    patches?.release(); // the edits are written (or refused): the plan's patch storage serves the next plan
  }
  if (preemption === "fuel" && (options.directCopies ?? true)) {
    const copied = withDirectCopies(m, out);
    if (copied !== out) releaseEditOutput(out); // new bytes: the edited ones are read no more
    out = copied;
  }
  return { bytes: out, startExport, metered, preemption, ownMemories };
}

/**
 * `prepared` (the counting variant of m) with direct copies of m's handler-shaped exports that call no import
 * but port_send, if m imports port_bind (only a binder's handlers can be run directly: PORT_BIND_DIRECT);
 * else `prepared`. The copies call the fuel import nowhere (they turn it into a throw: OVERRUN) and may call
 * port_send, the one syscall the sender's wasm port_send serves or hands to the kernel as the binder's
 * (host/runtime/fast-ports.ts: a wasm-to-wasm activation is made the kernel's at its first call the wasm
 * side cannot serve). A port_send cannot block and cannot trap (the kernel's JavaScript, whose exceptions the
 * sender's wasm port_send catches).
 */
function withDirectCopies(m: WasmModule, prepared: Uint8Array): Uint8Array {
  if (!m.imports.some((i) => i.kind === "func" && i.module === "wasmos" && i.name === "port_bind")) return prepared;
  const handlers: string[] = [];
  for (const e of m.exports) {
    if (e.kind !== "func") continue;
    const t = funcType(m, e.index);
    if (t !== undefined && t.results.length === 0 && t.params.join(",") === "i32,i32,i64") handlers.push(e.name);
  }
  if (handlers.length === 0) return prepared;
  const pm = readModule(prepared);
  const fuelAt = pm.imports.findIndex((i) => i.kind === "func" && i.module === FUEL_IMPORT.module && i.name === FUEL_IMPORT.name);
  if (fuelAt !== 0) return prepared; // the counting variant's import is function 0; anything else: no copies
  const fuel = pm.exports.find((e) => e.kind === "global" && e.name === FUEL_GLOBAL_EXPORT);
  // The module's own port_send function: the copies call the import it calls (DirectCopyOptions.callsAs).
  const own = pm.exports.find((e) => e.kind === "func" && e.name === PORT_SEND_EXPORT);
  let callsAs: Map<number, number> | undefined;
  if (own !== undefined) {
    let f = 0;
    for (const i of pm.imports) {
      if (i.kind !== "func") continue;
      if (i.module === "wasmos" && i.name === "port_send") {
        callsAs = new Map([[own.index, f]]);
        break;
      }
      f++;
    }
  }
  const r = addDirectCopies(pm, handlers, {
    callsAs,
    overrunAt: 0,
    fuelGlobal: fuel?.index,
    callableImport: (module, name) =>
      (module === FUEL_IMPORT.module && name === FUEL_IMPORT.name) || (module === "wasmos" && name === "port_send"),
  });
  return r.copies.size > 0 ? r.bytes : prepared;
}
