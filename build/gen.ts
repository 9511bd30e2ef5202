// Every generated file of the repository, in dependency order: the ABI's
// outputs first (the others read abi/gen/abi.ts), then the conformance cases
// generated from the ABI table, then the coverage table read from the cases.
//
//   npm run gen              write everything
//   npm run gen -- --check   write nothing; exit 1 naming what is out of date
//
// Each step is its own process, so a later step imports what an earlier one
// just wrote.

import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "./compile.ts";

const STEPS: { what: string; script: string }[] = [
  { what: "ABI bindings, docs and WIT", script: "build/gen-abi.ts" },
  { what: "generated conformance cases", script: "conformance/gen-generic.ts" },
  { what: "conformance coverage table", script: "conformance/coverage.ts" },
];

const args = process.argv.slice(2);
if (args.some((a) => a !== "--check")) {
  process.stderr.write("usage: npm run gen [-- --check]\n");
  process.exit(2);
}
let failed = 0;
for (const step of STEPS) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, step.script), ...args], { stdio: "inherit", cwd: REPO_ROOT });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`gen: ${step.what} (${step.script}) ${args.length ? "out of date" : "failed"}\n`);
    if (!args.length) break; // later steps read what this one should have written
  }
}
process.exit(failed ? 1 : 0);
