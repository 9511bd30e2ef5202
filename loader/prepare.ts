// Load-time rewriting of a verified module, before it is compiled. The kernel
// rewrites modules itself and never trusts the guest's toolchain:
// - a start section becomes an export run as the first part of the process
//   (under JSPI, so it may block, and is contained like the rest);
// - an own memory without a maximum, or with one above the policy's limit, is
//   capped so memory.grow past the limit returns -1 instead of growing, and
//   likewise every table's maximum at the policy's element limit;
// - unless told not to, every function entry and loop header is charged fuel
//   (loader/instrument/fuel.ts), so the kernel can preempt a guest that never
//   blocks.

import { planFuel, type FuelPlan, FuelScan, type Preemption } from "./instrument/fuel.ts";
import { readModule, type Limits, type WasmModule } from "../wasm/reader.ts";
import { cappedMemoryLimits, editModule, type ModuleEdits } from "../wasm/writer.ts";
import type { VerifyPolicy } from "./verify.ts";
import { addGrowLimit } from "./grow-limit.ts";

/**
 * Version of what preparation produces (this file, loader/instrument/fuel.ts,
 * loader/grow-limit.ts, the writer). Part of the disk cache's key
 * (loader/disk-cache.ts): change it with any change to their output, or
 * cached modules prepared the old way are reused.
 */
export const PREPARE_VERSION = "wasmos-prepare-7 (counting variant: small bounded callees inlined into loops)";

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
}

/** What a caller already knows about the module (the loader: a fuel scan that rode on the verifier's walk). */
export interface Prescanned {
  fuelScan?: FuelScan;
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
  let preemption: Preemption = metered ? (options.preemption ?? "fuel") : "none";
  // The host makes the epoch variant's memories through the JS API, which has no 64-bit or custom-page-size memories here: such a module keeps the counter.
  if (preemption === "epoch" && m.memories.some((l) => l.index64 || l.pageSizeLog2 !== null)) preemption = "fuel";
  if (metered) {
    const plan = planFuel(m, prescanned.fuelScan, { preemption: preemption === "epoch" ? "epoch" : "fuel" });
    Object.assign(edits, plan.edits);
    growSites = plan.growSites;
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
  return { bytes: Object.keys(edits).length > 0 ? editModule(m, edits) : bytes, startExport, metered, preemption, ownMemories };
}
