// The bench's guest modules. AssemblyScript guests (bench/guests/<name>.ts)
// are compiled with the project's build (build/compile.ts) and cached in
// dist/bench/ by the hash of everything that can change them; bare modules
// for the baselines are assembled from WAT with wabt.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import wabtInit from "wabt";
import { guestInputKey } from "../build/cache-key.ts";
import { compileGuest, REPO_ROOT } from "../build/compile.ts";

export const BENCH_GUESTS = join(REPO_ROOT, "bench", "guests");
const CACHE_DIR = join(REPO_ROOT, "dist", "bench");

/** Hash of the compiler, the build config, the SDK and every bench guest source. */
const inputKey = (): string => guestInputKey(BENCH_GUESTS);

export class GuestBuildError extends Error {
  override readonly name = "GuestBuildError";
}

export class BenchImages {
  private readonly built = new Map<string, Promise<Uint8Array>>();
  private key: string | null = null;
  private wabt: Awaited<ReturnType<typeof wabtInit>> | null = null;

  /** The compiled AssemblyScript guest bench/guests/<name>.ts. Throws GuestBuildError with asc's diagnostics. */
  guest(name: string): Promise<Uint8Array> {
    let p = this.built.get(name);
    if (p === undefined) {
      p = this.compile(name);
      this.built.set(name, p);
    }
    return p;
  }

  private async compile(name: string): Promise<Uint8Array> {
    this.key ??= inputKey();
    const out = join(CACHE_DIR, `${name}.wasm`);
    const keyPath = join(CACHE_DIR, `${name}.key`);
    if (existsSync(out) && existsSync(keyPath) && readFileSync(keyPath, "utf8") === this.key) {
      return new Uint8Array(readFileSync(out));
    }
    const r = await compileGuest(join(BENCH_GUESTS, `${name}.ts`));
    if (!r.ok || r.binary === null) throw new GuestBuildError(`bench guest ${name} did not compile:\n${r.diagnostics}`);
    mkdirSync(CACHE_DIR, { recursive: true });
    writeFileSync(out, r.binary);
    writeFileSync(keyPath, this.key);
    return r.binary;
  }

  /** Assemble a bare module (baselines: no kernel, imports of their own). features: wabt's (multi_memory, say). */
  async wat(source: string, features: Record<string, boolean> = {}): Promise<Uint8Array> {
    this.wabt ??= await wabtInit();
    const m = this.wabt.parseWat("bench.wat", source, features);
    try {
      m.resolveNames();
      // wabt's typings omit validate's features argument; without it a second memory does not validate
      (m as unknown as { validate(f: Record<string, boolean>): void }).validate(features);
      return new Uint8Array(m.toBinary({}).buffer);
    } finally {
      m.destroy();
    }
  }
}
