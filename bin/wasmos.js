#!/usr/bin/env node
// The `wasmos` command. wasmos needs Node >= 24 (JSPI, multi-memory); the
// project brings one (the `node` devDependency). Started by an older Node,
// this re-runs itself under the project's own.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const self = fileURLToPath(import.meta.url);
const major = Number(process.versions.node.split(".")[0]);
if (major < 24 || typeof WebAssembly.Suspending !== "function") {
  const bundled = join(dirname(self), "..", "node_modules", "node", "bin", "node");
  if (!existsSync(bundled) || process.env.WASMOS_REEXEC) {
    process.stderr.write(`wasmos: needs Node >= 24 with JSPI (this is ${process.version}); run \`npm install\` in the wasmos checkout\n`);
    process.exit(70);
  }
  const r = spawnSync(bundled, [self, ...process.argv.slice(2)], { stdio: "inherit", env: { ...process.env, WASMOS_REEXEC: "1" } });
  process.exit(r.status ?? 70);
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
