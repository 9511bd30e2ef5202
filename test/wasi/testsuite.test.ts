// The official WASI test suite (WebAssembly/wasi-testsuite, prebuilt, beside
// the project in ../shared/wasi-testsuite) through `wasmos wasi-testsuite`'s
// runner. The count of passes must not drop below what the personality
// reached (72 of 72); a failure is listed with its reason.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readSpec, runWasiTestsuite } from "../../cli/wasi-testsuite.ts";

const SUITE = fileURLToPath(new URL("../../../shared/wasi-testsuite", import.meta.url));
const REACHED = 72;

describe.skipIf(!existsSync(SUITE))("the official WASI test suite", () => {
  it(`passes at least ${REACHED} tests, per language group and in total`, async () => {
    const lines: string[] = [];
    const s = await runWasiTestsuite(SUITE, (l) => lines.push(l));
    const failures = s.results.filter((r) => !r.passed).map((r) => `${r.group}/${r.name}: ${r.reason}`);
    expect(failures, failures.join("\n")).toEqual([]);
    expect(s.passed).toBeGreaterThanOrEqual(REACHED);
    expect(s.groups.map((g) => g.group)).toEqual(["assemblyscript", "c", "rust"]);
    expect(lines.at(-1)).toBe(`total: ${s.passed} passed, ${s.failed} failed`);
  });
});

describe("the runner's reading of a test specification", () => {
  it("applies the defaults of doc/specification.md, and leaves stdout unchecked when the legacy form omits it (as the reference runner does)", () => {
    expect(readSpec("/nonexistent.json")).toEqual({ args: [], env: {}, dirs: [], exitCode: 0, stdout: null, stderr: null });
  });
});
