// An on-disk cache of compiled guests, in the manner of ccache's manifest
// mode: a compile is keyed by what is known before it runs (the compiler
// version, the toolchain's own sources, the options, the asconfig and the entry
// path) and records every source file asc read, with its hash. A later lookup
// with the same key is a hit only if each recorded file still has that hash,
// so a change anywhere in a guest's import closure (its own files, the SDK, a
// shared helper) recompiles it, and nothing else does.
//
// Entries are written with write-then-rename, so concurrent test workers and
// CLI runs never read half an entry; a corrupt or unreadable entry is a miss.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Where compiled guests are cached: $WASMOS_CACHE_DIR, else $XDG_CACHE_HOME/wasmos, else ~/.cache/wasmos. */
export function guestCacheDir(): string {
  const base = process.env.WASMOS_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "wasmos");
  return join(base, "guests");
}

/** True unless WASMOS_NO_CACHE is set (to anything but "" or "0"). */
export function guestCacheEnabled(): boolean {
  const v = process.env.WASMOS_NO_CACHE;
  return v === undefined || v === "" || v === "0";
}

export interface CachedCompile {
  binary: Uint8Array;
  text: string | null;
  diagnostics: string;
}

interface Manifest {
  /** Absolute path -> sha256 of its contents when the entry was made, or "absent" for a path asc looked for and did not find. */
  files: Record<string, string>;
  text: string | null;
  diagnostics: string;
}

const ABSENT = "absent";
const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex");

function fileHash(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

/** The key of a compile: everything but the sources asc will read. */
export function compileKey(parts: readonly (string | Uint8Array)[]): string {
  const h = createHash("sha256");
  for (const p of parts) {
    h.update(typeof p === "string" ? `${p.length}:` : `${p.byteLength}b:`);
    h.update(p);
  }
  return h.digest("hex");
}

/** The cached result for `key`, or null (no entry, a source changed, or the entry is damaged). */
export function lookupCompile(key: string, dir = guestCacheDir()): CachedCompile | null {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as Manifest;
    for (const [path, hash] of Object.entries(manifest.files)) if ((fileHash(path) ?? ABSENT) !== hash) return null;
    const binary = new Uint8Array(readFileSync(join(dir, `${key}.wasm`)));
    const expected = (manifest as Manifest & { wasm?: string }).wasm;
    if (expected !== undefined && sha256(binary) !== expected) return null;
    return { binary, text: manifest.text, diagnostics: manifest.diagnostics };
  } catch {
    return null;
  }
}

/**
 * Record a successful compile of `key` that read `sources` and looked in vain for `absent` (absolute paths:
 * a file created later at one of those may change what an import resolves to). Failures to write are
 * ignored: a cache is optional.
 */
export function storeCompile(
  key: string,
  sources: Iterable<string>,
  absent: Iterable<string>,
  result: CachedCompile,
  dir = guestCacheDir(),
): void {
  const files: Record<string, string> = {};
  for (const path of absent) files[path] = ABSENT;
  for (const path of sources) files[path] = fileHash(path) ?? ABSENT;
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    // The binary first: a manifest never names a binary that is not there yet.
    writeFileSync(join(dir, `${key}.wasm${tmp}`), result.binary);
    renameSync(join(dir, `${key}.wasm${tmp}`), join(dir, `${key}.wasm`));
    const manifest = { files, text: result.text, diagnostics: result.diagnostics, wasm: sha256(result.binary) };
    writeFileSync(join(dir, `${key}.json${tmp}`), JSON.stringify(manifest));
    renameSync(join(dir, `${key}.json${tmp}`), join(dir, `${key}.json`));
  } catch {
    // read-only or full disk: compile again next time
  }
}
