// Prepared images on disk, by content hash (as wasmtime caches compiled
// code): the second run of a big program skips verification and fuel
// instrumentation and costs a hash, a read and V8's compile.
//
// An entry's key is the SHA-256 of the module as given plus the loader's
// options, inside a directory named by a fingerprint of the loader's own code
// (loader/, wasm/, the ABI and personality tables) and of the policy: any
// change to what the loader would produce lands in a fresh directory, so a
// stale entry is never used. Entries are written to a temporary name and
// renamed, so a reader sees a whole entry or none. The engine validates the
// bytes again when it compiles them.

import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ImageStore, StoredImage } from "../loader/loader.ts";
import type { VerifyPolicy } from "../loader/verify.ts";

/** The cache directory: $WASMOS_CACHE_DIR, else $XDG_CACHE_HOME/wasmos, else ~/.cache/wasmos. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.WASMOS_CACHE_DIR) return env.WASMOS_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "wasmos");
}

let codeFingerprint: string | null = null;

/** A hash of the source the loader's output depends on. */
function loaderCodeFingerprint(): string {
  if (codeFingerprint !== null) return codeFingerprint;
  const h = createHash("sha256");
  const root = fileURLToPath(new URL("..", import.meta.url));
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js|json)$/.test(e.name)) h.update(p.slice(root.length)).update(fs.readFileSync(p));
    }
  };
  for (const d of ["loader", "wasm", "abi"]) walk(join(root, d));
  codeFingerprint = h.digest("hex").slice(0, 16);
  return codeFingerprint;
}

function policyFingerprint(policy: VerifyPolicy): string {
  const plain = JSON.stringify(policy, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v instanceof Set ? [...v] : v));
  return createHash("sha256").update(plain).digest("hex").slice(0, 16);
}

export class DiskImageStore implements ImageStore {
  readonly dir: string;
  constructor(policy: VerifyPolicy, root: string = defaultCacheDir()) {
    this.dir = join(root, "images", `${loaderCodeFingerprint()}-${policyFingerprint(policy)}`);
  }

  get(key: string): StoredImage | null {
    try {
      const meta = JSON.parse(fs.readFileSync(join(this.dir, `${key}.json`), "utf8")) as Omit<StoredImage, "prepared">;
      const prepared = fs.readFileSync(join(this.dir, `${key}.wasm`));
      return { ...meta, prepared: new Uint8Array(prepared.buffer, prepared.byteOffset, prepared.byteLength) };
    } catch {
      return null;
    }
  }

  put(key: string, image: StoredImage): void {
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      const { prepared, ...meta } = image;
      const tmp = `.${process.pid}-${Date.now()}`;
      fs.writeFileSync(join(this.dir, `${key}.wasm${tmp}`), prepared);
      fs.renameSync(join(this.dir, `${key}.wasm${tmp}`), join(this.dir, `${key}.wasm`));
      fs.writeFileSync(join(this.dir, `${key}.json${tmp}`), JSON.stringify(meta));
      fs.renameSync(join(this.dir, `${key}.json${tmp}`), join(this.dir, `${key}.json`));
    } catch {
      // No cache this time (read-only or full disk): the program runs all the same.
    }
  }
}
