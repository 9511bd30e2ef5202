// `wasmos new <dir>`: a guest project that builds and runs at once, wired to
// this checkout's SDK and kernel (wasmos is not published as a package yet,
// so the project refers to the checkout by absolute path).

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ASCONFIG, REPO_ROOT } from "../build/compile.ts";
import { UsageError } from "./args.ts";

function mainTs(name: string): string {
  return `// ${name}: a wasmos guest. Build and run it with: wasmos run main.ts [args...]
import { args, now, println, processInfo, randomU32 } from "@wasmos/sdk";

const argv = args();
const me = processInfo();
println("hello from ${name}, pid " + me.pid.toString());
for (let i = 1; i < argv.length; i++) println("arg " + i.toString() + ": " + argv[i]);
println("time since boot: " + now().toString() + " ns");
println("a random number: " + randomU32().toString());
`;
}

function testMjs(name: string): string {
  const runGuest = new URL(`file://${join(REPO_ROOT, "cli", "run-guest.ts")}`).href;
  return `// Runs main.ts under the wasmos kernel and checks what it printed.
// Run with: npm test   (uses the Node that wasmos brings, which has JSPI)
import { test } from "node:test";
import assert from "node:assert/strict";
import { runGuest } from ${JSON.stringify(runGuest)};

test("${name} greets and echoes its arguments", async () => {
  const r = await runGuest(new URL("./main.ts", import.meta.url).pathname, { args: ["one", "two"] });
  assert.equal(r.exit.reason, 0, "ended normally");
  assert.equal(r.exit.status, 0);
  assert.match(r.stdout, /^hello from ${name}, pid 1$/m);
  assert.match(r.stdout, /^arg 1: one$/m);
  assert.match(r.stdout, /^arg 2: two$/m);
});
`;
}

/** Write the project into dir (which must be absent or empty). Returns the files written. */
export function scaffold(dir: string, name = basename(resolve(dir))): string[] {
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) throw new UsageError(`project name "${name}" may use only letters, digits, _ . -`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} exists and is not empty`);
  mkdirSync(dir, { recursive: true });
  const node = join(REPO_ROOT, "node_modules", ".bin", "node");
  const wasmos = join(REPO_ROOT, "bin", "wasmos.js");
  const files: Record<string, string> = {
    "main.ts": mainTs(name),
    "asconfig.json": readFileSync(ASCONFIG, "utf8"),
    "main.test.mjs": testMjs(name),
    "package.json":
      JSON.stringify(
        { name, private: true, type: "module", scripts: { start: `${node} ${wasmos} run main.ts`, test: `${node} --test main.test.mjs` } },
        null,
        2,
      ) + "\n",
    "README.md": `# ${name}\n\nA wasmos guest in AssemblyScript. Its only imports are wasmos syscalls, through \`@wasmos/sdk\`.\n\n- \`npm start\` (or \`${wasmos} run main.ts\`): compile and run it.\n- \`npm test\`: run it under the kernel and check its output.\n\nThe SDK and the ABI reference live in the wasmos checkout at ${REPO_ROOT} (guests/sdk, docs/abi.md).\n`,
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return Object.keys(files);
}
