// The whole TypeScript tree type-checks (tsc --noEmit over tsconfig.json).
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";

it("the project type-checks with tsc", () => {
  const root = join(import.meta.dirname, "..");
  const r = spawnSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", root], {
    encoding: "utf8",
    timeout: 240_000,
  });
  expect(r.stdout + r.stderr).toBe("");
  expect(r.status).toBe(0);
});
