// The cache key of compiled guests: everything that can change their bytes —
// the compiler version, asconfig.json, the SDK, the compile and grant-lowering
// steps, and the guests' own sources. One definition for every guest cache
// (dist/guests, dist/bench, the PCM demo's).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ASCONFIG, ascVersion, REPO_ROOT, SDK_DIR } from "./compile.ts";

/**
 * The compile and grant-lowering steps, part of every key: their TypeScript
 * sources, in the checkout and in the npm package alike (which ships them for
 * this), so guests prebuilt for the package keep their keys once installed.
 */
export const TOOLCHAIN_FILES = [join(REPO_ROOT, "build", "compile.ts"), join(REPO_ROOT, "build", "grants.ts")];

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
