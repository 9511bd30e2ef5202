// The image loader: verify, prepare, compile, cache. Nothing runs before the
// verifier has accepted the module. Compiled images are cached by the SHA-256
// of the original bytes, so spawning the same image twice compiles (and
// fuel-instruments) it once. Whether modules are instrumented is a property
// of the loader (LoaderOptions.instrument), so one cache never mixes both.

import { createHash } from "node:crypto";
import { funcType, type Limits, type WasmModule } from "../wasm/reader.ts";
import { EngineLimitError, releaseEditOutput } from "../wasm/writer.ts";
import { defaultPolicy } from "./policy.ts";
import { type PrepareOptions, prepareModule } from "./prepare.ts";
import { formatReport, verifyAndParse, type VerifyErrorCode, type VerifyPolicy, type VerifyReport } from "./verify.ts";
import { imageMemoryNeeds } from "./grant-writes.ts";
import { DiskImageCache } from "./disk-cache.ts";
import { PREPARE_VERSION } from "./prepare.ts";
import { FuelScan, type Preemption } from "./instrument/fuel.ts";
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
  /** Which variant: the fuel counter (exported global), the epoch flag (imported shared memory), or none. */
  readonly preemption: Preemption;
  /** The epoch variant: the limits of the module's own memories, which the runtime makes and passes in (else empty). */
  readonly ownMemories: readonly Limits[];
  /** Initial pages, and each grant import with the first write to it (read-only grants are checked at spawn). */
  readonly memory: ImageMemoryNeeds;
  /** The personality import module the program uses ("wasi_snapshot_preview1"), or null for a native wasmos guest. */
  readonly personality: string | null;
}

/** How a loader prepares modules, and where it keeps them. */
export interface LoaderOptions extends PrepareOptions {
  /**
   * An on-disk cache of prepared modules (loader/disk-cache.ts): a second
   * load of the same bytes under the same policy skips verification and
   * instrumentation. Default: none, unless $WASMOS_CACHE_DIR names a
   * directory.
   */
  diskCache?: DiskImageCache | null;
  /**
   * Share the body walk of a large module with the engine gate's worker
   * (loader/parallel-scan.ts; default true). The result is the same either
   * way: tests and benchmarks turn it off to compare.
   */
  parallelScan?: boolean;
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
  readonly stats = { compiled: 0, cacheHits: 0 };

  readonly options: Readonly<LoaderOptions>;
  /** The disk cache in use, or null. */
  readonly diskCache: DiskImageCache | null;
  /** What the disk cache key adds to a module's hash: the policy, the options, the preparation's version. */
  private readonly keySalt: string;

  constructor(policy: VerifyPolicy = defaultPolicy(), options: LoaderOptions = {}) {
    this.policy = policy;
    this.options = { ...options };
    // (No `process` in a page: no disk cache there.)
    const env = typeof process !== "undefined" ? process.env.WASMOS_CACHE_DIR : undefined;
    this.diskCache = options.diskCache !== undefined ? options.diskCache : env ? new DiskImageCache(env) : null;
    this.keySalt = JSON.stringify([
      PREPARE_VERSION,
      options.instrument ?? true,
      options.preemption ?? "fuel",
      Object.entries(policy)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, v instanceof Map ? [...v].sort() : v instanceof Set ? [...v].sort() : v]),
    ]);
  }

  /**
   * Verify and compile `bytes` (synchronously). Throws ModuleRefusedError when
   * the module is refused, and nothing else: a failure of any step (verify,
   * prepare, compile) is a refusal naming the culprit. The same bytes are
   * compiled once per loader.
   */
  load(bytes: Uint8Array, name: string): LoadedImage {
    // Bytes of a length no cached image has are not in the cache, so with no disk cache (whose key is the hash) nothing
    // needs their hash before the work: a large module's is taken by the engine gate's worker meanwhile, once it has
    // found the bytes valid (≈7 ms of a 10 MB load off this thread), else here once the image is built.
    const known = this.diskCache !== null || this.lengths.has(bytes.length);
    let hash = known ? sha256(bytes) : null;
    if (hash !== null) {
      const cached = this.cache.get(hash);
      if (cached) {
        this.stats.cacheHits++;
        return cached.name === name ? cached : { ...cached, name };
      }
    }
    const built = this.build(bytes, hash);
    if ("refused" in built) throw new ModuleRefusedError(name, built.refused);
    hash ??= built.digest ?? sha256(bytes);
    this.stats.compiled++;
    const image: LoadedImage = { ...built.image, name, hash };
    this.cache.set(hash, image);
    this.lengths.add(bytes.length);
    return image;
  }

  /** The byte lengths of the modules in the cache (a load of another length is surely not a hit). */
  private readonly lengths = new Set<number>();

  /**
   * Everything `load` checks, without keeping the result (`wasmos check`):
   * the verifier's report, with the preparation's and the engine's refusal
   * added if either refuses, so check and run agree on every module.
   */
  check(bytes: Uint8Array): VerifyReport {
    const built = this.prepareAndCompile(bytes);
    if ("prepared" in built) releaseEditOutput(built.prepared);
    return "refused" in built ? built.refused : built.image.report;
  }

  /** Verify, prepare, compile (or take the prepared module from the disk cache); parses the bytes once. Returns the image or the refusing report. */
  private build(
    bytes: Uint8Array,
    hash: string | null,
  ): { image: Omit<LoadedImage, "name" | "hash">; digest?: string | null } | { refused: VerifyReport } {
    const disk = this.diskCache;
    // (No hash only without a disk cache: see load.)
    const key = disk === null ? "" : sha256(new TextEncoder().encode((hash ?? sha256(bytes)) + this.keySalt));
    const hit = disk?.get(key) ?? null;
    if (hit !== null) {
      try {
        return {
          image: {
            module: new WebAssembly.Module(hit.prepared as Uint8Array<ArrayBuffer>),
            startExport: hit.startExport,
            report: hit.report,
            metered: hit.metered,
            preemption: hit.preemption,
            ownMemories: hit.ownMemories,
            handlerTypes: new Map(hit.handlerTypes),
            memory: hit.memory,
            personality: hit.report.info.personality ?? null,
          },
        };
      } catch {
        // An entry the engine refuses is as good as corrupt: prepare again (and overwrite it).
      }
    }
    const built = this.prepareAndCompile(bytes, hash === null);
    try {
      this.store(disk, key, built);
    } finally {
      // Compiled (the engine keeps its own copy) and stored: the writer may reuse the prepared bytes' buffer.
      if ("prepared" in built) releaseEditOutput(built.prepared);
    }
    return built;
  }

  /** Puts a built image into the disk cache (if there is one). */
  private store(disk: DiskImageCache | null, key: string, built: ReturnType<ImageLoader["prepareAndCompile"]>): void {
    if (disk !== null && "image" in built) {
      const { image } = built;
      disk.put(key, {
        prepared: built.prepared,
        startExport: image.startExport,
        metered: image.metered,
        preemption: image.preemption,
        ownMemories: [...image.ownMemories],
        report: image.report,
        handlerTypes: [...image.handlerTypes],
        memory: image.memory,
      });
    }
  }

  /** With `digest`, the built image comes with the bytes' SHA-256 if the gate's worker took it (else null: hash them). */
  private prepareAndCompile(
    bytes: Uint8Array,
    digest = false,
  ): { image: Omit<LoadedImage, "name" | "hash">; prepared: Uint8Array; digest: string | null } | { refused: VerifyReport } {
    // The fuel scan rides on the verifier's walk of the bodies: each is decoded once for both.
    let fuelScan: FuelScan | undefined;
    // On a large module the gate worker scans a share of the bodies once it has validated (loader/parallel-scan.ts).
    const ride =
      (this.options.instrument ?? true)
        ? Object.assign(
            (mod: WasmModule) => (fuelScan = new FuelScan(mod)),
            this.options.parallelScan === false ? {} : { parallel: "fuel" as const },
          )
        : undefined;
    // The engine gate's answer is read once the module is prepared (a large module's gate worker validates meanwhile,
    // after its share of the body walk); a module it refuses is refused as before, whatever preparation made of it.
    const verified = verifyAndParse(bytes, this.policy, ride, { deferGate: true, digest });
    const { report, module: m, finalGate } = verified;
    if (!report.ok || m === null) return { refused: report };
    let prepared: ReturnType<typeof prepareModule> | null = null;
    let failed: unknown = null;
    try {
      prepared = prepareModule(m, this.policy, this.options, { fuelScan, reuseOutput: true });
    } catch (e) {
      failed = e;
    }
    finalGate?.();
    if (!report.ok) {
      if (prepared !== null) releaseEditOutput(prepared.bytes);
      return { refused: report };
    }
    let step = "preparation";
    try {
      if (prepared === null) throw failed;
      step = "compilation";
      const module = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
      step = "description";
      return {
        digest: digest ? verified.digest() : null,
        prepared: prepared.bytes,
        image: {
          module,
          startExport: prepared.startExport,
          report,
          metered: prepared.metered,
          preemption: prepared.preemption,
          ownMemories: prepared.ownMemories,
          handlerTypes: handlerTypes(m),
          memory: imageMemoryNeeds(m, report),
          personality: report.info.personality,
        },
      };
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
