// The reference adapter: runs one case folder (module.wasm + case.json) under
// this repository's kernel and prints the protocol's JSON result. Use it as
//   wasmos conformance --adapter "node conformance/adapters/wasmos-node.ts"
// (on Node >= 24; or node_modules/.bin/node). See conformance/README.md.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { executeCase } from "../lib/execute.ts";

const dir = process.argv[2];
if (!dir) {
  process.stderr.write("usage: wasmos-node.ts <case-dir>\n");
  process.exit(64);
}
const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
const bytes = new Uint8Array(readFileSync(join(dir, "module.wasm")));
const images: Record<string, Uint8Array> = {};
for (const im of spec.setup?.images ?? []) {
  const p = join(dir, "images", `${im.name}.wasm`);
  if (existsSync(p)) images[im.name] = new Uint8Array(readFileSync(p));
}
const bystander = spec.bystander ? new Uint8Array(readFileSync(join(dir, "bystander.wasm"))) : undefined;
const r = await executeCase(spec.name, bytes, spec.setup, { bystander }, images);
process.stdout.write(
  JSON.stringify({
    refused: r.refused,
    exit: r.exit,
    stdout_base64: Buffer.from(r.stdout).toString("base64"),
    problems: r.problems?.length ? r.problems : undefined,
    bystander: r.bystander ? { exit: r.bystander.exit, stdout_base64: Buffer.from(r.bystander.stdout).toString("base64") } : undefined,
  }) + "\n",
);
