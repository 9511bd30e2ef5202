// The stack-switching probe (bench/wasmfx-probe.ts) is a tool, not a figure;
// this keeps it from rotting: it runs, measures the JSPI pair, and either
// measures the stack-switching pair or names the engine's refusal. On the
// project's Node (V8 13.x) the refusal is expected; when the pinned engine
// takes the module, the probe's figures are due for a re-measurement
// (docs/fastpath.md, "An engine whose suspension costs less").

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

describe("bench/wasmfx-probe.ts", () => {
  it("measures the JSPI pair and the stack-switching pair, or names why the engine refuses the latter", () => {
    const r = spawnSync(
      process.execPath,
      ["--experimental-wasm-wasmfx", join(ROOT, "bench", "wasmfx-probe.ts"), "--rounds", "1", "--n", "200"],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^jspi \d+(\.\d+)? ns\/rt/m);
    const refused = /^stack switching: not available on this engine \(V8 [\d.]+[^)]*\): .+/m.test(r.stdout);
    const measured = /stack switching \d+(\.\d+)? ns\/rt \(\d+(\.\d+)?x\)$/m.test(r.stdout);
    expect(refused !== measured).toBe(true);
    if (process.versions.v8.startsWith("13.")) expect(refused).toBe(true);
  });
});
