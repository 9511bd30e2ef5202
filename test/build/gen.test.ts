// `npm run gen -- --check`: every generated file of the repository matches
// what its generator writes today (ABI outputs, conformance cases, coverage).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

describe("npm run gen -- --check", () => {
  it("finds every generated file up to date", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "build", "gen.ts"), "--check"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stdout + r.stderr).not.toMatch(/out of date/);
    expect(r.status).toBe(0);
  });

  it("refuses an unknown option with its usage and status 2", () => {
    const r = spawnSync(process.execPath, [join(ROOT, "build", "gen.ts"), "--frobnicate"], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toMatch(/usage: npm run gen/);
    expect(r.status).toBe(2);
  });
});
