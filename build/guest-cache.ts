// A cache of compiled guests for `wasmos build` and `wasmos run file.ts`:
// compiling a guest takes seconds, looking it up milliseconds.
//
// An entry is found by a key over what is fixed per compile (the compiler's
// version, the compile and grant-lowering steps, the entry file's path, the
// asconfig's path and text, the target), and is valid only while every file
// the compiler looked for still has the same content, or is still absent
// (CompileResult.inputs: the guest's sources, the SDK, node_modules
// candidates asc probed). Nothing is trusted from timestamps.
//
// Where: $WASMOS_CACHE_DIR, else $XDG_CACHE_HOME/wasmos, else ~/.cache/wasmos.
// A cache that cannot be written is skipped silently (the compile still works).

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { TOOLCHAIN_FILES } from "./cache-key.ts";
import { ASCONFIG, ascVersion, compileGuest, type CompileOptions, type CompileResult } from "./compile.ts";

export function cacheDir(): string {
  const env = process.env;
  if (env.WASMOS_CACHE_DIR) return env.WASMOS_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wasmos", "guests");
}

const sha = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return null;
  }
}

interface Manifest {
  /** path -> sha256 of its text, or null when it was absent. */
  inputs: [string, string | null][];
}

function entryKey(entry: string, options: CompileOptions): string {
  const config = options.config ?? ASCONFIG;
  const h = createHash("sha256");
  h.update(`wasmos guest cache 1\nasc ${ascVersion()}\n${resolve(entry)}\n${resolve(config)}\n${options.target ?? "release"}\n`);
  h.update(readOrNull(config) ?? "");
  for (const f of TOOLCHAIN_FILES) h.update(readOrNull(f) ?? "");
  return h.digest("hex");
}

export interface CachedCompile extends Omit<CompileResult, "inputs"> {
  /** True when the binary came from the cache. */
  cached: boolean;
}

/**
 * compileGuest through the cache. Diagnostics of a failed compile are never
 * cached (the user is about to fix the file). `emitText` bypasses the cache.
 */
export async function compileGuestCached(entry: string, options: CompileOptions = {}): Promise<CachedCompile> {
  if (options.emitText) return { ...(await compileGuest(entry, options)), cached: false };
  const dir = cacheDir();
  const key = entryKey(entry, options);
  const manifestPath = join(dir, `${key}.json`);
  const wasmPath = join(dir, `${key}.wasm`);
  const manifest = readOrNull(manifestPath);
  if (manifest !== null) {
    try {
      const m = JSON.parse(manifest) as Manifest;
      const fresh = m.inputs.every(([path, hash]) => {
        const text = readOrNull(path);
        return hash === null ? text === null : text !== null && sha(text) === hash;
      });
      if (fresh) return { ok: true, binary: new Uint8Array(readFileSync(wasmPath)), text: null, diagnostics: "", cached: true };
    } catch {
      // a damaged entry: compile again and overwrite it
    }
  }
  const r = await compileGuest(entry, options);
  if (r.ok && r.binary) {
    try {
      mkdirSync(dir, { recursive: true });
      const m: Manifest = { inputs: [...r.inputs].map(([path, text]) => [path, text === null ? null : sha(text)]) };
      // Write-then-rename, wasm first: a reader never pairs a manifest with half a binary.
      const tmp = `.${process.pid}.tmp`;
      writeFileSync(wasmPath + tmp, r.binary);
      renameSync(wasmPath + tmp, wasmPath);
      writeFileSync(manifestPath + tmp, JSON.stringify(m));
      renameSync(manifestPath + tmp, manifestPath);
    } catch {
      // read-only or full: no cache this time
    }
  }
  const { inputs: _inputs, ...rest } = r;
  return { ...rest, cached: false };
}
