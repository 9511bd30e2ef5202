// The image loader: verify, prepare, compile, cache. Nothing runs before the
// verifier has accepted the module. Compiled images are cached by the SHA-256
// of the original bytes, so spawning the same image twice compiles (and
// fuel-instruments) it once. Whether modules are instrumented is a property
// of the loader (LoaderOptions.instrument), so one cache never mixes both.

import { createHash } from "node:crypto";
import { funcType, type WasmModule } from "../wasm/reader.ts";
import { EngineLimitError } from "../wasm/writer.ts";
import { defaultPolicy } from "./policy.ts";
import { type PrepareOptions, prepareModule } from "./prepare.ts";
import { formatReport, verifyAndParse, type VerifyErrorCode, type VerifyPolicy, type VerifyReport } from "./verify.ts";
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

/** What a store keeps of a prepared image: the rewritten bytes and what the loader learnt (all plain data). */
export interface StoredImage {
  readonly prepared: Uint8Array;
  readonly startExport: string | null;
  readonly report: VerifyReport;
  readonly metered: boolean;
  readonly handlerTypes: readonly (readonly [string, boolean])[];
  readonly memory: ImageMemoryNeeds;
  readonly personality: string | null;
}

/**
 * A persistent store of prepared images (host/image-store.ts keeps them on
 * disk), keyed by the hash of the original bytes and the loader's options.
 * An image found there skips verification and preparation: the store must
 * only hold what this loader itself produced (its key covers the loader's
 * code), and the engine still validates the bytes when it compiles them.
 */
export interface ImageStore {
  get(key: string): StoredImage | null;
  put(key: string, image: StoredImage): void;
}

/** How a loader prepares modules, and where it keeps them between runs. */
export interface LoaderOptions extends PrepareOptions {
  store?: ImageStore;
}

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
function handlerTypes(m: WasmModule): Map<string, boolean> {
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
  readonly stats = { compiled: 0, cacheHits: 0, stored: 0 };

  readonly options: Readonly<LoaderOptions>;

  constructor(policy: VerifyPolicy = defaultPolicy(), options: LoaderOptions = {}) {
    this.policy = policy;
    this.options = { ...options };
  }

  /**
   * Verify and compile `bytes` (synchronously). Throws ModuleRefusedError when
   * the module is refused, and nothing else: a failure of any step (verify,
   * prepare, compile) is a refusal naming the culprit. The same bytes are
   * compiled once per loader.
   */
  load(bytes: Uint8Array, name: string): LoadedImage {
    const hash = sha256(bytes);
    const cached = this.cache.get(hash);
    if (cached) {
      this.stats.cacheHits++;
      return cached.name === name ? cached : { ...cached, name };
    }
    const store = this.options.store;
    const key = `${hash}-${this.options.instrument === false ? "plain" : "metered"}`;
    const stored = store?.get(key) ?? null;
    if (stored !== null) {
      try {
        const module = new WebAssembly.Module(stored.prepared as Uint8Array<ArrayBuffer>);
        this.stats.stored++;
        const { prepared: _, handlerTypes: types, ...rest } = stored;
        const image: LoadedImage = { ...rest, module, handlerTypes: new Map(types), name, hash };
        this.cache.set(hash, image);
        return image;
      } catch {
        // A damaged entry: build it again below (and overwrite it).
      }
    }
    const built = this.build(bytes, store === undefined ? null : (prepared, image) => store.put(key, { ...image, prepared, handlerTypes: [...image.handlerTypes] }));
    if ("refused" in built) throw new ModuleRefusedError(name, built.refused);
    this.stats.compiled++;
    const image: LoadedImage = { ...built.image, name, hash };
    this.cache.set(hash, image);
    return image;
  }

  /**
   * Everything `load` checks, without keeping the result (`wasmos check`):
   * the verifier's report, with the preparation's and the engine's refusal
   * added if either refuses, so check and run agree on every module.
   */
  check(bytes: Uint8Array): VerifyReport {
    const built = this.build(bytes);
    return "refused" in built ? built.refused : built.image.report;
  }

  /** Verify, prepare, compile; parses the bytes once. Returns the image or the refusing report. */
  private build(
    bytes: Uint8Array,
    keep: ((prepared: Uint8Array, image: Omit<LoadedImage, "name" | "hash" | "module">) => void) | null = null,
  ): { image: Omit<LoadedImage, "name" | "hash"> } | { refused: VerifyReport } {
    const { report, module: m } = verifyAndParse(bytes, this.policy);
    if (!report.ok || m === null) return { refused: report };
    let step = "preparation";
    try {
      const prepared = prepareModule(m, this.policy, this.options);
      step = "compilation";
      const module = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
      step = "description";
      const image = {
        module,
        startExport: prepared.startExport,
        report,
        metered: prepared.metered,
        handlerTypes: handlerTypes(m),
        memory: imageMemoryNeeds(m, report),
        personality: report.info.personality,
      };
      if (keep !== null) {
        const { module: _, ...plain } = image;
        try {
          keep(prepared.bytes, plain);
        } catch {
          // A store that cannot keep it (disk full, read-only): the image loads all the same.
        }
      }
      return { image };
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      let code: VerifyErrorCode = "internal";
      let message = `the loader's ${step} failed (module refused): ${detail}`;
      if (e instanceof EngineLimitError) {
        code = "engine-limit";
        message = `after load-time instrumentation, ${detail} (limit: ${e.limit})`;
      } else if (step === "compilation") {
        code = "compile";
        message = `the engine refused the prepared module: ${detail}`;
      }
      return { refused: { ...report, ok: false, errors: [...report.errors, { code, message }] } };
    }
  }
}
