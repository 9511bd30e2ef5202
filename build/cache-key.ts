// The cache key of compiled guests: everything that can change their bytes —
// the compiler version, asconfig.json, the SDK, the compile and grant-lowering
// steps, and the guests' own sources. One definition for every guest cache
// (dist/guests, dist/bench, the PCM demo's).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ASCONFIG, ascVersion, REPO_ROOT, SDK_DIR } from "./compile.ts";
import { sourceFile } from "./paths.ts";

/** The compile and grant-lowering steps (.ts in the checkout, .js in the package): part of every key. */
export const TOOLCHAIN_FILES = [sourceFile(import.meta.url, "compile"), sourceFile(import.meta.url, "grants")];

/** .ts and .json files under dir, in a stable order. */
export function sourceFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...sourceFilesUnder(p));
    else if (p.endsWith(".ts") || p.endsWith(".json")) out.push(p);
  }
  return out;
}

/** SHA-256 (hex) over the toolchain inputs and the sources under each of `guestDirs`. */
export function guestInputKey(...guestDirs: string[]): string {
  const h = createHash("sha256");
  h.update(`asc ${ascVersion()}\n`);
  h.update(readFileSync(ASCONFIG));
  for (const f of [...sourceFilesUnder(SDK_DIR), ...TOOLCHAIN_FILES, ...guestDirs.flatMap(sourceFilesUnder)]) {
    h.update(f.slice(REPO_ROOT.length));
    h.update(readFileSync(f));
  }
  return h.digest("hex");
}
