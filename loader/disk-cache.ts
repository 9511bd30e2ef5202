// An on-disk cache of prepared (verified, instrumented) modules, keyed by
// content: SHA-256 of the module's bytes, the policy, the preparation
// options and the instrumenter's version. A second load of the same program
// then costs a hash of its bytes, a read, and the engine's compile, instead
// of verification and instrumentation.
//
// Location: the `dir` given, else $WASMOS_CACHE_DIR, else
// $XDG_CACHE_HOME/wasmos, else ~/.cache/wasmos (defaultCacheDir).
//
// Entry (one file per key, <key>.wasmos-image): the magic "wasmos-image 1\n",
// a u32 (little-endian) header length, the header (JSON: key, the CRC-32
// of the prepared bytes, what the loader derived from the module), then the
// prepared bytes. An entry that is short, unreadable, of another version or
// key, or whose bytes do not match the header's checksum is ignored (and
// overwritten by the next store). Entries are written to a temporary file
// and renamed, so a reader never sees half an entry.
//
// Trust: an entry is compiled without being verified again, so the cache
// directory must be writable only by whoever may run wasmos itself (the
// checksum catches corruption, not an attacker who can write there; the key,
// which names the program, stays SHA-256). CRC-32 rather than a second
// SHA-256: a cached start of a 30 MB program hashed 65 MB (~140 ms) before.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import type { VerifyReport } from "./verify.ts";
import type { Preemption } from "./instrument/fuel.ts";
import type { Limits } from "../wasm/reader.ts";
import type { ImageMemoryNeeds } from "../kernel/mm/grants.ts";

const MAGIC = "wasmos-image 2\n";
const magicBytes = new TextEncoder().encode(MAGIC);

/** What a cached entry holds besides the prepared bytes. */
export interface CachedImage {
  prepared: Uint8Array;
  startExport: string | null;
  metered: boolean;
  /** The instrumented variant (part of the key too: the loader's salt names it). */
  preemption: Preemption;
  /** The epoch variant's own memories' limits (the runtime makes them). */
  ownMemories: Limits[];
  report: VerifyReport;
  handlerTypes: [string, boolean][];
  memory: ImageMemoryNeeds;
}

export function defaultCacheDir(): string {
  const env = process.env.WASMOS_CACHE_DIR;
  if (env) return env;
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg ? xdg : join(homedir(), ".cache"), "wasmos");
}

export class DiskImageCache {
  readonly dir: string;
  /** Entries read, missing, ignored as corrupt, written; write failures. */
  readonly stats = { hits: 0, misses: 0, corrupt: 0, stores: 0, storeFailures: 0 };

  constructor(dir: string = defaultCacheDir()) {
    this.dir = dir;
  }

  /** The file an entry for `key` lives in. */
  path(key: string): string {
    return join(this.dir, `${key}.wasmos-image`);
  }

  /** The entry for `key`, or null (absent or corrupt: never throws). */
  get(key: string): CachedImage | null {
    let file: Uint8Array;
    try {
      file = readFileSync(this.path(key));
    } catch {
      this.stats.misses++;
      return null;
    }
    const entry = this.decode(file, key);
    if (entry === null) this.stats.corrupt++;
    else this.stats.hits++;
    return entry;
  }

  private decode(file: Uint8Array, key: string): CachedImage | null {
    try {
      if (file.length < magicBytes.length + 4) return null;
      for (let i = 0; i < magicBytes.length; i++) if (file[i] !== magicBytes[i]) return null;
      const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
      const headerLength = view.getUint32(magicBytes.length, true);
      const headerStart = magicBytes.length + 4;
      if (headerLength > file.length - headerStart) return null;
      const header = JSON.parse(new TextDecoder().decode(file.subarray(headerStart, headerStart + headerLength))) as Omit<
        CachedImage,
        "prepared"
      > & { key: string; crc32: number };
      if (header.key !== key) return null;
      const prepared = file.subarray(headerStart + headerLength);
      if (crc32(prepared) !== header.crc32) return null;
      return {
        prepared,
        startExport: header.startExport,
        metered: header.metered,
        preemption: header.preemption,
        ownMemories: header.ownMemories,
        report: header.report,
        handlerTypes: header.handlerTypes,
        memory: header.memory,
      };
    } catch {
      return null;
    }
  }

  /** Stores an entry; a failure (read-only or full disk) is counted and otherwise ignored: the cache is an optimisation. */
  put(key: string, image: CachedImage): void {
    try {
      const { prepared, ...rest } = image;
      const header = new TextEncoder().encode(JSON.stringify({ key, crc32: crc32(prepared), ...rest }));
      const out = new Uint8Array(magicBytes.length + 4 + header.length + prepared.length);
      out.set(magicBytes, 0);
      new DataView(out.buffer).setUint32(magicBytes.length, header.length, true);
      out.set(header, magicBytes.length + 4);
      out.set(prepared, magicBytes.length + 4 + header.length);
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.path(key)}.${process.pid}.${Date.now()}.tmp`;
      writeFileSync(tmp, out);
      renameSync(tmp, this.path(key));
      this.stats.stores++;
    } catch {
      this.stats.storeFailures++;
    }
  }
}
