// Compile one AssemblyScript guest with asc's programmatic API, according to
// the repository's asconfig.json. `import ... from "@wasmos/sdk"` resolves to
// guests/sdk through a virtual package folder, so guests anywhere on disk
// (including projects made by `wasmos new`) use this checkout's SDK.

import { readFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { compileKey, guestCacheEnabled, lookupCompile, storeCompile } from "./compile-cache.ts";
import { GRANT_NAME, GRANT_SDK_DIR, grantModuleSource, lowerGrants } from "./grants.ts";
import { dependencyVersion, PACKAGE_ROOT, sourceFile } from "./paths.ts";

/** The checkout, or the installed package's folder (build/paths.ts). */
export const REPO_ROOT = PACKAGE_ROOT;
export const SDK_DIR = join(REPO_ROOT, "guests", "sdk");
export const ASCONFIG = join(REPO_ROOT, "asconfig.json");
/** asc looks packages up under --path folders; this one exists only in our readFile hook. */
const VIRTUAL_PACKAGES = join(REPO_ROOT, ".wasmos-packages");
const SDK_PACKAGE = join(VIRTUAL_PACKAGES, "@wasmos", "sdk");

export interface CompileOptions {
  /** asconfig.json target (default "release"). */
  target?: string;
  /** Also produce the text format. */
  emitText?: boolean;
  /** An asconfig.json to use instead of the repository's. */
  config?: string;
  /** Use the on-disk compile cache (build/compile-cache.ts; default true unless WASMOS_NO_CACHE is set). */
  cache?: boolean;
  /**
   * Proposals to enable beyond asconfig.json's (asc `--enable`, e.g. "simd"): for a guest that needs one. The
   * loader's policy decides what runs (loader/policy.ts DEFAULT_FEATURES: SIMD yes, relaxed SIMD no).
   */
  enable?: readonly string[];
}

export interface CompileResult {
  ok: boolean;
  binary: Uint8Array | null;
  text: string | null;
  /** asc's diagnostics (errors and warnings), as printed. */
  diagnostics: string;
}

/** Map a path asc asks for to a real file: the virtual SDK package to guests/sdk. */
function realPath(path: string): string {
  if (path === SDK_PACKAGE || path.startsWith(SDK_PACKAGE + sep)) return join(SDK_DIR, relative(SDK_PACKAGE, path));
  return path;
}

/** `@wasmos/sdk/grants/<name>` is generated (build/grants.ts): its source, or null for any other path. */
function generatedSource(path: string): string | null {
  const dir = join(SDK_PACKAGE, GRANT_SDK_DIR) + sep;
  if (!path.startsWith(dir) || !path.endsWith(".ts")) return null;
  const name = path.slice(dir.length, -3);
  return GRANT_NAME.test(name) ? grantModuleSource(name) : null;
}

/** The toolchain's own sources: a change to either recompiles every guest. */
const TOOLCHAIN = [fileURLToPath(import.meta.url), sourceFile(import.meta.url, "grants")];

/**
 * Compile the guest whose entry file is `entry`. Never throws for guest errors: see `ok` and `diagnostics`.
 * Successful compiles are cached on disk (build/compile-cache.ts), keyed by the sources asc actually read.
 */
export async function compileGuest(entry: string, options: CompileOptions = {}): Promise<CompileResult> {
  const entryAbs = resolve(entry);
  const useCache = (options.cache ?? true) && guestCacheEnabled();
  const config = options.config ?? ASCONFIG;
  const key = useCache
    ? compileKey([
        `asc ${ascVersion()}`,
        ...TOOLCHAIN.map((f) => readFileSync(f)),
        readFileSync(config),
        entryAbs,
        options.target ?? "release",
        options.emitText ? "text" : "",
        (options.enable ?? []).join(","),
      ])
    : "";
  if (useCache) {
    const hit = lookupCompile(key);
    if (hit !== null) return { ok: true, binary: hit.binary, text: hit.text, diagnostics: hit.diagnostics };
  }
  const read = new Set<string>();
  const probed = new Set<string>();
  const result = await compileUncached(entryAbs, config, options, read, probed);
  if (useCache && result.ok && result.binary) {
    storeCompile(key, read, probed, { binary: result.binary, text: result.text, diagnostics: result.diagnostics });
  }
  return result;
}

/** One asc run; records in `read` every real file asc read and in `probed` every path it looked for in vain. */
async function compileUncached(
  entryAbs: string,
  config: string,
  options: CompileOptions,
  read: Set<string>,
  probed: Set<string>,
): Promise<CompileResult> {
  const asc = (await import("assemblyscript/asc")).default;
  const baseDir = dirname(entryAbs);
  const outputs = new Map<string, Uint8Array | string>();
  const argv = [
    relative(baseDir, entryAbs),
    "--outFile",
    "guest.wasm",
    "--config",
    config,
    "--target",
    options.target ?? "release",
    "--path",
    VIRTUAL_PACKAGES,
    "--baseDir",
    baseDir,
  ];
  if (options.emitText) argv.push("--textFile", "guest.wat");
  for (const feature of options.enable ?? []) argv.push("--enable", feature);
  // Keep the name section: a trap's backtrace then names the guest's functions (~10% bigger, same code).
  argv.push("--debug");
  let diagnostics = "";
  const sink = {
    write(chunk: string | Uint8Array) {
      diagnostics += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
      return true;
    },
  };
  const result = await asc.main(argv, {
    stdout: sink as never,
    stderr: sink as never,
    readFile: async (name: string, dir: string) => {
      const generated = generatedSource(resolve(dir, name));
      if (generated !== null) return generated;
      const path = realPath(resolve(dir, name));
      try {
        const text = await readFile(path, "utf8");
        read.add(path);
        return text;
      } catch {
        probed.add(path);
        return null;
      }
    },
    writeFile: async (name: string, contents: Uint8Array | string) => {
      outputs.set(name, contents);
    },
    listFiles: async () => [],
  });
  let binary = outputs.get("guest.wasm");
  let ok = !result.error && binary instanceof Uint8Array;
  if (ok) {
    // Grant intrinsics become direct loads and stores on the grant memories (build/grants.ts).
    try {
      binary = await lowerGrants(binary as Uint8Array);
    } catch (e) {
      ok = false;
      const why = e instanceof Error || (typeof e === "object" && e !== null && "message" in e) ? (e as Error).message : String(e);
      diagnostics += `lowering grant intrinsics failed: ${why}\n`;
    }
  }
  return {
    ok,
    binary: ok ? (binary as Uint8Array) : null,
    text: (outputs.get("guest.wat") as string | undefined) ?? null,
    diagnostics: diagnostics || (result.error ? String(result.error.message) : ""),
  };
}

/** The asc version, part of every build cache key. */
export function ascVersion(): string {
  return dependencyVersion("assemblyscript");
}
