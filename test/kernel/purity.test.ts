// kernel/ is pure logic: no Node, DOM or WebAssembly globals (DESIGN.md), so it
// runs anywhere and can be tested with fake processes.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const KERNEL = join(import.meta.dirname, "..", "..", "kernel");
function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bWebAssembly\b/, "WebAssembly global"],
  [/from\s+["']node:/, "Node built-in module"],
  [/\bprocess\.(env|stdout|stderr|exit|argv)/, "Node process global"],
  [/\b(document|window|navigator)\./, "DOM global"],
  [/\b(setTimeout|setInterval|performance\.now)\b/, "host timer (use the Platform)"],
  [/from\s+["']\.\.\/(\.\.\/)?(host|hal|build|guests)\//, "import outside kernel/ and abi/"],
];

describe("kernel purity", () => {
  for (const f of files(KERNEL)) {
    it(`${f.slice(KERNEL.length + 1)} uses no host globals and imports only kernel/ and abi/`, () => {
      const src = readFileSync(f, "utf8")
        .replace(/\/\*[\s\S]*?\*\//g, "")
        .replace(/\/\/.*$/gm, "");
      for (const [re, what] of FORBIDDEN) expect(re.test(src), `${what} in ${f}`).toBe(false);
    });
  }
});
