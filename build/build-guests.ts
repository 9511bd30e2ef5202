// Build every guest in guests/<name>/main.ts to dist/guests/<name>.wasm:
// compile with asc (per asconfig.json), verify with the loader's checks, and
// skip guests whose inputs (their sources, the SDK, asconfig.json, the asc
// version) did not change since the last build.
//
//   node build/build-guests.ts [name ...] [--force]

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultPolicy } from "../loader/policy.ts";
import { formatReport, verifyModule } from "../loader/verify.ts";
import { guestInputKey } from "./cache-key.ts";
import { compileGuest, REPO_ROOT } from "./compile.ts";

export const GUESTS_DIR = join(REPO_ROOT, "guests");
export const GUESTS_OUT = join(REPO_ROOT, "dist", "guests");

export interface GuestBuild {
  name: string;
  path: string;
  status: "built" | "cached" | "failed";
  message: string;
}

/** Guest names: folders of guests/ with a main.ts (the SDK is not a guest). */
export function listGuests(): string[] {
  return readdirSync(GUESTS_DIR)
    .filter((d) => d !== "sdk" && existsSync(join(GUESTS_DIR, d, "main.ts")))
    .sort();
}

export interface BuildOptions {
  /** Rebuild even when the inputs did not change. */
  force?: boolean;
  /** Where outputs go (default dist/guests). */
  outDir?: string;
}

export async function buildGuest(name: string, options: BuildOptions = {}): Promise<GuestBuild> {
  const { force = false, outDir = GUESTS_OUT } = options;
  const dir = join(GUESTS_DIR, name);
  const path = join(outDir, `${name}.wasm`);
  const keyPath = join(outDir, `${name}.key`);
  const key = guestInputKey(dir);
  if (!force && existsSync(path) && existsSync(keyPath) && readFileSync(keyPath, "utf8") === key) {
    return { name, path, status: "cached", message: "" };
  }
  const result = await compileGuest(join(dir, "main.ts"));
  if (!result.ok || !result.binary) return { name, path, status: "failed", message: result.diagnostics };
  const report = verifyModule(result.binary, defaultPolicy());
  if (!report.ok) return { name, path, status: "failed", message: formatReport(report, `${name}.wasm`) };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path, result.binary);
  writeFileSync(keyPath, key);
  return { name, path, status: "built", message: result.diagnostics };
}

/** Build the named guests (default: all). */
export async function buildGuests(names: readonly string[] = listGuests(), options: BuildOptions = {}): Promise<GuestBuild[]> {
  const out: GuestBuild[] = [];
  for (const n of names) out.push(await buildGuest(n, options));
  return out;
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  const force = args.includes("--force");
  const names = args.filter((a) => !a.startsWith("--"));
  const results = await buildGuests(names.length ? names : listGuests(), { force });
  let failed = 0;
  for (const r of results) {
    if (r.status === "failed") {
      failed++;
      process.stderr.write(`guest ${r.name}: FAILED\n${r.message}\n`);
    } else process.stdout.write(`guest ${r.name}: ${r.status}\n`);
  }
  process.exit(failed ? 1 : 0);
}
