import { readFileSync } from "node:fs";
import { readModule } from "./wasm/reader.ts";
import { prepareModule } from "./loader/prepare.ts";
import { defaultPolicy } from "./loader/policy.ts";
import { verifyModule } from "./loader/verify.ts";
const bytes = readFileSync(process.argv[2]);
for (let i = 0; i < 3; i++) { verifyModule(bytes, defaultPolicy()); prepareModule(readModule(bytes), defaultPolicy()); }
