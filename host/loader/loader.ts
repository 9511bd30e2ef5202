// The image loader: verify, prepare, compile, cache. Nothing runs before the
// verifier has accepted the module. Compiled images are cached by the SHA-256
// of the original bytes, so spawning the same image twice compiles it once.

import { createHash } from "node:crypto";
import { defaultPolicy } from "./policy.ts";
import { prepareModule } from "./prepare.ts";
import { formatReport, verifyModule, type VerifyPolicy, type VerifyReport } from "./verify.ts";

export interface LoadedImage {
  readonly name: string;
  /** SHA-256 (hex) of the bytes as given. */
  readonly hash: string;
  readonly module: WebAssembly.Module;
  /** Export the loader made of the module's start function, run before `_start`; null if none. */
  readonly startExport: string | null;
  readonly report: VerifyReport;
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

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export class ImageLoader {
  readonly policy: VerifyPolicy;
  private readonly cache = new Map<string, LoadedImage>();
  /** Modules compiled, and loads answered from the cache. */
  readonly stats = { compiled: 0, cacheHits: 0 };

  constructor(policy: VerifyPolicy = defaultPolicy()) {
    this.policy = policy;
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
    const prepared = prepareModule(bytes, this.policy);
    const module = new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>);
    this.stats.compiled++;
    const image: LoadedImage = { name, hash, module, startExport: prepared.startExport, report };
    this.cache.set(hash, image);
    return image;
  }

  /** Verify a module without compiling it (`wasmos check`). */
  check(bytes: Uint8Array): VerifyReport {
    return verifyModule(bytes, this.policy);
  }
}
