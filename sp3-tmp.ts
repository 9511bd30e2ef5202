import { bigGuest } from "./bench/big-module.ts";
import { readModule } from "./wasm/reader.ts";
import { forEachInstruction } from "./wasm/decode.ts";
import { planFuel } from "./loader/instrument/fuel.ts";
import { editModule } from "./wasm/writer.ts";
import { verifyAndParse } from "./loader/verify.ts";
import { addGrowLimit } from "./loader/grow-limit.ts";
import { defaultPolicy } from "./loader/policy.ts";
import { sha256 } from "./loader/loader.ts";
const { bytes } = bigGuest();
const t = (name: string, f: () => unknown) => { const a = performance.now(); const r = f(); console.log(name.padEnd(12), (performance.now() - a).toFixed(0), "ms"); return r; };
for (let rep = 0; rep < 2; rep++) {
  t("sha256", () => sha256(bytes));
  t("validate", () => WebAssembly.validate(bytes));
  const m = t("readModule", () => readModule(bytes)) as ReturnType<typeof readModule>;
  t("decode all", () => { let n = 0; for (const b of m.code) n += forEachInstruction(m, b, () => {}); return n; });
  t("verify", () => verifyAndParse(bytes, defaultPolicy()));
  const plan = t("planFuel", () => planFuel(m)) as ReturnType<typeof planFuel>;
  t("growlimit", () => addGrowLimit(m, { ...plan.edits }));
  const out = t("editModule", () => editModule(m, plan.edits)) as Uint8Array;
  t("compile out", () => new WebAssembly.Module(out));
}
