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

import { planFuel, type FuelPlan, FuelScan } from "./instrument/fuel.ts";
import { readModule, type WasmModule } from "../wasm/reader.ts";
import { editModule, type ModuleEdits } from "../wasm/writer.ts";
import type { VerifyPolicy } from "./verify.ts";
import { addGrowLimit } from "./grow-limit.ts";

/**
 * Version of what preparation produces (this file, loader/instrument/fuel.ts,
 * loader/grow-limit.ts, the writer). Part of the disk cache's key
 * (loader/disk-cache.ts): change it with any change to their output, or
 * cached modules prepared the old way are reused.
 */
export const PREPARE_VERSION = "wasmos-prepare-3 (sized charges, engine limits)";

/** The export the start function is moved to. Names starting "__wasmos" are reserved to the kernel. */
export const START_EXPORT = "__wasmos_start";

export interface PreparedModule {
  bytes: Uint8Array;
  /** START_EXPORT when the module had a start section, else null. */
  startExport: string | null;
  /** Whether the module was fuel-metered. */
  metered: boolean;
}

export interface PrepareOptions {
  /** Fuel-meter the module (default true). Only benchmarks turn this off: an unmetered guest cannot be preempted. */
  instrument?: boolean;
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
  if (metered) {
    const plan = planFuel(m, prescanned.fuelScan);
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
  return { bytes: Object.keys(edits).length > 0 ? editModule(m, edits) : bytes, startExport, metered };
}
