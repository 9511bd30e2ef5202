// `wasmos new <dir>`: a guest project that depends on the wasmos package by
// version (and on @wasmos/sdk, the AssemblyScript SDK) and needs nothing from
// a checkout: npm install, then npm start / npm test / npm run build.
// An editor understands it: tsconfig.json extends AssemblyScript's types and
// @wasmos/sdk resolves from node_modules like any dependency; asconfig.json
// extends the package's, so plain `npx asc main.ts --config asconfig.json`
// builds the same module (without grant lowering: use wasmos build).

import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UsageError } from "./args.ts";

function mainTs(name: string): string {
  return `// ${name}: a wasmos guest. Build and run it with: npm start (wasmos run main.ts [args...])
import { args, now, println, processInfo, randomU32 } from "@wasmos/sdk";

const argv = args();
println("hello from ${name}, pid " + processInfo().pid.toString());
for (let i = 1; i < argv.length; i++) println("arg " + i.toString() + ": " + argv[i]);
println("time since boot: " + now().toString() + " ns");
println("a random number: " + randomU32().toString());
`;
}

function testMjs(name: string): string {
  return `// Runs main.ts under the wasmos kernel and checks what it printed: npm test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { runGuest } from "wasmos/run";

test("${name} greets and echoes its arguments", async () => {
  const r = await runGuest(fileURLToPath(new URL("./main.ts", import.meta.url)), { args: ["one", "two"] });
  assert.equal(r.exit.reason, 0, "ended normally");
  assert.equal(r.exit.status, 0);
  assert.match(r.stdout, /^hello from ${name}, pid 1$/m);
  assert.match(r.stdout, /^arg 1: one$/m);
  assert.match(r.stdout, /^arg 2: two$/m);
});
`;
}

export interface ScaffoldOptions {
  /** Program name (default: the folder's name). */
  name?: string;
  /** npm specs of the two dependencies (default: ^ this package's version). */
  wasmosSpec?: string;
  sdkSpec?: string;
}

/** Write the project into dir (which must be absent or empty). Returns the files written. */
export function scaffold(dir: string, version: string, options: ScaffoldOptions = {}): string[] {
  const name = options.name ?? basename(resolve(dir));
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name))
    throw new UsageError(`project name "${name}" must be an npm name: lower-case letters, digits, _ . -`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} exists and is not empty`);
  mkdirSync(dir, { recursive: true });
  const json = (v: unknown) => JSON.stringify(v, null, 2) + "\n";
  const files: Record<string, string> = {
    "main.ts": mainTs(name),
    "main.test.mjs": testMjs(name),
    "package.json": json({
      name,
      version: "0.1.0",
      private: true,
      type: "module",
      scripts: { start: "wasmos run main.ts", build: "wasmos build main.ts -o main.wasm", test: "node --test" },
      dependencies: { wasmos: options.wasmosSpec ?? `^${version}`, "@wasmos/sdk": options.sdkSpec ?? `^${version}` },
      engines: { node: ">=24" },
    }),
    "asconfig.json": json({ extends: "./node_modules/wasmos/asconfig.json" }),
    "tsconfig.json": json({ extends: "assemblyscript/std/assembly.json", include: ["*.ts"] }),
    ".gitignore": "node_modules/\n*.wasm\n",
    "README.md": [
      `# ${name}`,
      "",
      "A wasmos guest in AssemblyScript. Its only imports are wasmos syscalls, through `@wasmos/sdk`.",
      "Needs Node.js 24 or newer (WebAssembly JSPI).",
      "",
      "- `npm install`, then `npm start` (`wasmos run main.ts`): compile and run it.",
      "- `npm run build`: `main.wasm`, checked by the loader.",
      "- `npm test`: run it under the kernel and check its output.",
      "",
      "The SDK reference is `node_modules/@wasmos/sdk/`, the ABI `node_modules/wasmos/docs/abi.md`,",
      "the guide for guest authors `node_modules/wasmos/docs/guide.md`.",
      "",
    ].join("\n"),
  };
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return Object.keys(files);
}
