// Load-time rewriting of a verified module, before it is compiled. The kernel
// rewrites modules itself and never trusts the guest's toolchain:
// - a start section becomes an export run as the first part of the process
//   (under JSPI, so it may block, and is contained like the rest);
// - an own memory without a maximum, or with one above the policy's limit, is
//   capped so memory.grow past the limit returns -1 instead of growing.

import { readModule } from "../wasm/reader.ts";
import { editModule, type ModuleEdits } from "../wasm/writer.ts";
import type { VerifyPolicy } from "./verify.ts";

/** The export the start function is moved to. Names starting "__wasmos" are reserved to the kernel. */
export const START_EXPORT = "__wasmos_start";

export interface PreparedModule {
  bytes: Uint8Array;
  /** START_EXPORT when the module had a start section, else null. */
  startExport: string | null;
}

export function prepareModule(bytes: Uint8Array, policy: VerifyPolicy): PreparedModule {
  const m = readModule(bytes);
  const edits: ModuleEdits = {};
  let startExport: string | null = null;
  if (m.start !== null) {
    startExport = START_EXPORT;
    edits.removeStart = true;
    edits.addExports = [{ name: START_EXPORT, kind: "func", index: m.start }];
  }
  const own = m.memories[0];
  if (own && (own.max === null || own.max > policy.maxMemoryPages)) edits.capMemoryMax = policy.maxMemoryPages;
  return { bytes: Object.keys(edits).length > 0 ? editModule(m, edits) : bytes, startExport };
}
