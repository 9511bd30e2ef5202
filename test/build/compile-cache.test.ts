// The compile cache (build/compile-cache.ts): a hit only when every file the
// compile read is unchanged, a recompile when any of them (or a file that now
// shadows an import) changes, and a damaged entry is a miss, never an error.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileGuest } from "../../build/compile.ts";

const work = mkdtempSync(join(tmpdir(), "wasmos-cc-"));
const cache = join(work, "cache");
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compile with the cache in `cache`; returns the binary and whether asc ran (a new entry appeared). */
async function compile(entry: string): Promise<{ binary: Uint8Array; compiled: boolean }> {
  const before = entries();
  const saved = process.env.WASMOS_CACHE_DIR;
  process.env.WASMOS_CACHE_DIR = cache;
  try {
    const r = await compileGuest(entry);
    expect(r.ok, r.diagnostics).toBe(true);
    return { binary: r.binary!, compiled: entries() !== before };
  } finally {
    process.env.WASMOS_CACHE_DIR = saved;
  }
}

function entries(): string {
  try {
    // Names and contents of the manifests: a compile writes (or rewrites) one, a hit writes none.
    return readdirSync(join(cache, "guests"))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => f + readFileSync(join(cache, "guests", f), "utf8"))
      .join("\n");
  } catch {
    return "";
  }
}

describe("the guest compile cache", () => {
  const dir = join(work, "guest");
  const entry = join(dir, "main.ts");
  const helper = join(dir, "helper.ts");

  it("compiles once and then serves the same bytes from disk", async () => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(helper, `export function greeting(): string { return "one"; }\n`);
    writeFileSync(entry, `import { println } from "@wasmos/sdk";\nimport { greeting } from "./helper";\nprintln(greeting());\n`);
    const first = await compile(entry);
    expect(first.compiled).toBe(true);
    const second = await compile(entry);
    expect(second.compiled).toBe(false);
    expect(second.binary).toEqual(first.binary);
  });

  it("recompiles when a file in the import closure changes", async () => {
    const before = await compile(entry);
    writeFileSync(helper, `export function greeting(): string { return "two, and longer"; }\n`);
    const after = await compile(entry);
    expect(after.compiled).toBe(true);
    expect(after.binary).not.toEqual(before.binary);
  });

  it("treats a damaged entry as a miss and compiles again", async () => {
    for (const f of readdirSync(join(cache, "guests"))) if (f.endsWith(".wasm")) writeFileSync(join(cache, "guests", f), "garbage");
    const r = await compile(entry);
    expect(r.binary.subarray(0, 4)).toEqual(new Uint8Array([0, 0x61, 0x73, 0x6d]));
  });
});

describe("compileGuest's enable option", () => {
  it("enables a proposal for one guest (asc --enable simd), and a compile without it is a different entry that refuses the same source", async () => {
    const dir = join(work, "simd");
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, "main.ts");
    writeFileSync(
      entry,
      `import { println } from "@wasmos/sdk";\nconst v = i32x4.splat(21);\nprintln(i32x4.extract_lane(i32x4.add(v, v), 3).toString());\n`,
    );
    const saved = process.env.WASMOS_CACHE_DIR;
    process.env.WASMOS_CACHE_DIR = cache;
    try {
      const on = await compileGuest(entry, { enable: ["simd"] });
      expect(on.ok, on.diagnostics).toBe(true);
      const off = await compileGuest(entry);
      expect(off.ok).toBe(false);
      expect(off.diagnostics).toMatch(/Feature 'simd' is not enabled/);
      const again = await compileGuest(entry, { enable: ["simd"] });
      expect(again.binary).toEqual(on.binary);
    } finally {
      process.env.WASMOS_CACHE_DIR = saved;
    }
  });
});
