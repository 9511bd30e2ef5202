import { readFileSync } from "node:fs";
import { readModule } from "./wasm/reader.ts";
import { forEachInstruction } from "./wasm/decode.ts";
import { planFuel } from "./loader/instrument/fuel.ts";
import { editModule } from "./wasm/writer.ts";
import { verifyModule } from "./loader/verify.ts";
import { prepareModule } from "./loader/prepare.ts";
import { defaultPolicy } from "./loader/policy.ts";
const bytes = readFileSync(process.argv[2]);
const t = (name: string, f: () => unknown) => { const a = performance.now(); const r = f(); console.log(name, (performance.now() - a).toFixed(0), "ms"); return r; };
for (let rep = 0; rep < 2; rep++) {
console.log("size", bytes.length);
await (async () => { const a = performance.now(); await WebAssembly.compile(bytes); console.log("WebAssembly.compile", (performance.now() - a).toFixed(0)); })();
t("validate", () => WebAssembly.validate(bytes));
const m = t("readModule", () => readModule(bytes)) as ReturnType<typeof readModule>;
t("decode all", () => { let n = 0; for (const b of m.code) n += forEachInstruction(m, b, () => {}); return n; });
t("verify", () => verifyModule(bytes, defaultPolicy()));
const plan = t("planFuel", () => planFuel(m)) as ReturnType<typeof planFuel>;
t("editModule", () => editModule(m, plan.edits));
t("prepare", () => prepareModule(m, defaultPolicy()));
}
