// The image loader: verify, prepare, compile, cache. Nothing runs before the
// verifier has accepted the module. Compiled images are cached by the SHA-256
// of the original bytes, so spawning the same image twice compiles (and
// fuel-instruments) it once. Whether modules are instrumented is a property
// of the loader (LoaderOptions.instrument), so one cache never mixes both.

import { createHash } from "node:crypto";
import { funcType, readModule } from "../wasm/reader.ts";
import { defaultPolicy } from "./policy.ts";
import { type PrepareOptions, prepareModule } from "./prepare.ts";
import { formatReport, verifyModule, type VerifyPolicy, type VerifyReport } from "./verify.ts";
import { imageMemoryNeeds } from "./grant-writes.ts";
import type { ImageMemoryNeeds } from "../kernel/mm/grants.ts";

export interface LoadedImage {
  readonly name: string;
  /** SHA-256 (hex) of the bytes as given. */
  readonly hash: string;
  readonly module: WebAssembly.Module;
  /** Export the loader made of the module's start function, run before `_start`; null if none. */
  readonly startExport: string | null;
  /** Exported functions by name: true when of the port handler type (i32, i32, i64) -> (). */
  readonly handlerTypes: ReadonlyMap<string, boolean>;
  readonly report: VerifyReport;
  /** Fuel-metered (loader/instrument/fuel.ts): the runtime must bind the fuel import and may preempt it. */
  readonly metered: boolean;
  /** Initial pages, and each grant import with the first write to it (read-only grants are checked at spawn). */
  readonly memory: ImageMemoryNeeds;
  /** The personality import module the program uses ("wasi_snapshot_preview1"), or null for a native wasmos guest. */
  readonly personality: string | null;
}

/** How a loader prepares modules. */
export type LoaderOptions = PrepareOptions;

/** The verifier refused a module. `report` lists every reason. */
export class ModuleRefusedError extends Error {
  override readonly name = "ModuleRefusedError";
  readonly report: VerifyReport;
  readonly imageName: string;
  constructor(imageName: string, report: VerifyReport) {
    const first = report.errors.map((e) => e.message).join("; ");
    super(`module ${imageName} refused: ${first}`);
    this.report = report;
    this.imageName = imageName;
  }
  /** Multi-line description (what `wasmos check` prints). */
  describe(): string {
    return formatReport(this.report, this.imageName);
  }
}

/** Which exported functions have the port handler signature (i32 key, i32 code, i64 value) -> (). */
function handlerTypes(bytes: Uint8Array): Map<string, boolean> {
  const m = readModule(bytes);
  const out = new Map<string, boolean>();
  for (const e of m.exports) {
    if (e.kind !== "func") continue;
    const t = funcType(m, e.index);
    out.set(e.name, t !== undefined && t.results.length === 0 && t.params.join(",") === "i32,i32,i64");
  }
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export class ImageLoader {
  readonly policy: VerifyPolicy;
  private readonly cache = new Map<string, LoadedImage>();
  /** Modules compiled, and loads answered from the cache. */
  readonly stats = { compiled: 0, cacheHits: 0 };

  readonly options: Readonly<LoaderOptions>;

  constructor(policy: VerifyPolicy = defaultPolicy(), options: LoaderOptions = {}) {
    this.policy = policy;
    this.options = { ...options };
  }

  /**
   * Verify and compile `bytes` (synchronously). Throws ModuleRefusedError when
   * the verifier refuses it. The same bytes are compiled once per loader.
   */
  load(bytes: Uint8Array, name: string): LoadedImage {
    const hash = sha256(bytes);
    const cached = this.cache.get(hash);
    if (cached) {
      this.stats.cacheHits++;
      return cached.name === name ? cached : { ...cached, name };
    }
    const report = verifyModule(bytes, this.policy);
    if (!report.ok) throw new ModuleRefusedError(name, report);
    const prepared = prepareModule(bytes, this.policy, this.options);
    const module = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
    this.stats.compiled++;
    const image: LoadedImage = {
      name,
      hash,
      module,
      startExport: prepared.startExport,
      report,
      metered: prepared.metered,
      handlerTypes: handlerTypes(bytes),
      memory: imageMemoryNeeds(bytes, report),
      personality: report.info.personality,
    };
    this.cache.set(hash, image);
    return image;
  }

  /** Verify a module without compiling it (`wasmos check`). */
  check(bytes: Uint8Array): VerifyReport {
    return verifyModule(bytes, this.policy);
  }
}
