// Build the PCM pipeline's guests (guests/pcm/<role>.ts) to
// dist/guests/pcm-<role>.wasm, skipping those whose inputs (guests/pcm/, the
// SDK, the grant lowering, asconfig.json, the asc version) did not change.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { guestInputKey } from "../../build/cache-key.ts";
import { compileGuest, REPO_ROOT } from "../../build/compile.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { formatReport, verifyModule } from "../../loader/verify.ts";

export const PCM_GUESTS_DIR = join(REPO_ROOT, "guests", "pcm");
export const PCM_ROLES = ["init", "producer", "driver", "vu", "visualizer"] as const;
export type PcmRole = (typeof PCM_ROLES)[number];

/** Proposals a role's guest is compiled with beyond asconfig.json's: SIMD for the visualizer (eight columns in two stores a row) and the VU meter (six samples a vector). */
export const PCM_ENABLE: Partial<Record<PcmRole, readonly string[]>> = { visualizer: ["simd"], vu: ["simd"] };

const inputKey = (): string => `${guestInputKey(PCM_GUESTS_DIR)} enable ${JSON.stringify(PCM_ENABLE)}`;

export interface PcmBuild {
  images: Record<PcmRole, Uint8Array>;
  /** Roles compiled now (the others came from the cache). */
  built: PcmRole[];
}

/** The five images, compiled if needed. Throws with asc's or the verifier's message on failure. */
export async function buildPcmGuests(outDir = join(REPO_ROOT, "dist", "guests"), progress?: (line: string) => void): Promise<PcmBuild> {
  const key = inputKey();
  const images = {} as Record<PcmRole, Uint8Array>;
  const built: PcmRole[] = [];
  for (const role of PCM_ROLES) {
    const path = join(outDir, `pcm-${role}.wasm`);
    const keyPath = join(outDir, `pcm-${role}.key`);
    if (existsSync(path) && existsSync(keyPath) && readFileSync(keyPath, "utf8") === key) {
      images[role] = new Uint8Array(readFileSync(path));
      continue;
    }
    progress?.(`compiling guests/pcm/${role}.ts (${built.length + 1} of ${PCM_ROLES.length} to build; cached after)`);
    const r = await compileGuest(join(PCM_GUESTS_DIR, `${role}.ts`), { enable: PCM_ENABLE[role] });
    if (!r.ok || !r.binary) throw new Error(`guests/pcm/${role}.ts does not compile:\n${r.diagnostics}`);
    const report = verifyModule(r.binary, defaultPolicy());
    if (!report.ok) throw new Error(formatReport(report, `pcm-${role}.wasm`));
    mkdirSync(outDir, { recursive: true });
    // Write-then-rename: concurrent builds (parallel test files) never see half a file.
    const tmp = `.${process.pid}.tmp`;
    writeFileSync(path + tmp, r.binary);
    renameSync(path + tmp, path);
    writeFileSync(keyPath + tmp, key);
    renameSync(keyPath + tmp, keyPath);
    images[role] = r.binary;
    built.push(role);
  }
  return { images, built };
}
