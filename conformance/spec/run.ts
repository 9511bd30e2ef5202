// `node conformance/spec/run.ts <suite-dir> [--files a.wast,b.wast] [--json out.json]`
// (npm run spec): the spec-suite driver over every top-level script, with
// totals. Exit status 0 only with no difference and no host exception.

import { writeFileSync } from "node:fs";
import { runSpec, specFiles } from "./driver.ts";

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith("--")) ?? "../shared/wasm-spec-testsuite";
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const files = flag("files")?.split(",") ?? specFiles(dir);
const t0 = performance.now();
const totals = await runSpec({
  dir,
  files,
  progress: (file, t) => {
    if (process.env.SPEC_VERBOSE)
      process.stderr.write(`${file}: ${t.modules} modules, ${t.assertions} assertions, ${t.differences.length} differences\n`);
  },
});
const seconds = ((performance.now() - t0) / 1000).toFixed(1);
const json = flag("json");
if (json) writeFileSync(json, JSON.stringify(totals, null, 2));
console.log(
  `spec suite (${dir}): ${totals.files} scripts, ${totals.modules} modules, ${totals.assertions} assertions, ` +
    `${totals.variants.length} variants (${totals.variants.join(", ")}), ${totals.comparisons} comparisons, ${seconds} s`,
);
console.log(`differences: ${totals.differences.length}`);
for (const d of totals.differences.slice(0, 30))
  console.log(`  ${d.file}:${d.line} ${d.command} [${d.variant}] assembled: ${d.assembled} | got: ${d.got}`);
console.log(`host exceptions: ${totals.hostExceptions.length}`);
for (const h of totals.hostExceptions.slice(0, 30)) console.log(`  ${h.file}:${h.line} ${h.message}`);
const r = totals.refusals;
console.log(
  `malformed binaries refused: ${r.assert_malformed.reader} by the reader, ${r.assert_malformed.verifier} read and refused by the verifier; ` +
    `invalid binaries refused: ${r.assert_invalid.reader} by the reader, ${r.assert_invalid.verifier} by the verifier; deciding codes ${JSON.stringify(r.byCode)}`,
);
console.log(`assembled outcomes the script does not expect (engine/assembler): ${totals.scriptMismatches.length}`);
for (const m of totals.scriptMismatches.slice(0, 10)) console.log(`  ${m.file}:${m.line} ${m.command}: ${m.got}`);
console.log("could not run:");
for (const [why, n] of Object.entries(totals.couldNotRun).sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${why}`);
process.exitCode = totals.differences.length === 0 && totals.hostExceptions.length === 0 ? 0 : 1;
