// hal/ holds device logic any environment can run: outside hal/node/ no Node
// modules or globals and no DOM; all of hal/ imports only abi/ and hal/, plus
// the device contract's types (kernel/devices/contract.ts) and the seeded
// generator (kernel/rng.ts) from kernel/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const HAL = join(import.meta.dirname, "..", "..", "hal");
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const PORTABLE: [RegExp, string][] = [
  [/from\s+["']node:/, "Node built-in module"],
  [/\b(process|Buffer|require|__dirname)\b/, "Node global"],
  [/\b(document|window)\./, "DOM global"],
  [/\b(setTimeout|setInterval|performance\.now|Date\.now)\b/, "host clock or timer (use the DeviceContext)"],
];
const IMPORTS = /from\s+["'](\.[^"']*)["']/g;

describe("hal purity", () => {
  for (const f of files(HAL)) {
    const rel = f.slice(HAL.length + 1);
    const src = readFileSync(f, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/\/\/.*$/gm, "");
    it(`${rel} imports only abi/ and hal/${rel.startsWith("node/") ? "" : ", and uses no Node, DOM or host clock"}`, () => {
      for (const m of src.matchAll(IMPORTS)) {
        const target = join(f, "..", m[1]);
        const kernelOk = target === join(HAL, "..", "kernel", "devices", "contract.ts") || target === join(HAL, "..", "kernel", "rng.ts");
        expect(target.startsWith(HAL) || target.startsWith(join(HAL, "..", "abi")) || kernelOk, `${rel} imports ${m[1]}`).toBe(true);
      }
      if (!rel.startsWith("node/")) for (const [re, what] of PORTABLE) expect(re.test(src), `${what} in ${rel}`).toBe(false);
    });
  }
});
