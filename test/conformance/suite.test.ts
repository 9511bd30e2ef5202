// The ABI conformance suite (conformance/) against this kernel: every case in
// both variants passes, every documented error has a case, the generated
// files and the coverage table match their generators, and the reference
// adapter gives the same outcomes as the in-process run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SYSCALLS } from "../../abi/gen/abi.ts";
import { coverage, COVERAGE_DOC, renderCoverage } from "../../conformance/coverage.ts";
import { GENERIC_DIR, generateAll, generateHostile, HOSTILE_DIR } from "../../conformance/gen-generic.ts";
import { loadCases, variants } from "../../conformance/lib/case.ts";
import { sysVariant } from "../../conformance/lib/sys-variant.ts";
import { runConformance, summaryLine } from "../../conformance/runner.ts";

const cases = loadCases();

describe("the conformance suite", () => {
  it("passes every case in both variants against this kernel", async () => {
    const lines: string[] = [];
    const s = await runConformance({ cases, print: (l) => lines.push(l) });
    expect(
      lines.filter((l) => l.startsWith("FAIL")),
      lines.join("\n"),
    ).toEqual([]);
    expect(s.failed).toBe(0);
    expect(s.passed).toBe(cases.reduce((n, c) => n + variants(c).length, 0));
    expect(lines.at(-1)).toBe(summaryLine(s));
  });

  it("has a case for every error every syscall documents, and a success path for each that returns", () => {
    const cov = coverage(cases);
    expect(cov.missing).toEqual([]);
    expect(cov.noSuccess).toEqual([]);
    for (const d of SYSCALLS) if (d.result !== "never") expect(cov.table.has(d.name), d.name).toBe(true);
  });

  it("keeps docs/conformance-coverage.md as generated", () => {
    expect(readFileSync(COVERAGE_DOC, "utf8")).toBe(renderCoverage(coverage(cases)));
  });

  it("keeps conformance/generic/ and the generated hostile programs as generated", () => {
    const files = generateAll();
    expect(readdirSync(GENERIC_DIR).sort()).toEqual(Object.keys(files).sort());
    for (const [f, text] of Object.entries(files)) expect(readFileSync(join(GENERIC_DIR, f), "utf8"), f).toBe(text);
    const hostile = generateHostile();
    for (const f of ["syscall-extremes.wat", "forged-handles-everywhere.wat"])
      expect(readFileSync(join(HOSTILE_DIR, f), "utf8"), f).toBe(hostile[f]);
    const spec = JSON.parse(readFileSync(join(HOSTILE_DIR, "forged-handles-everywhere.json"), "utf8"));
    expect(spec.expect.results).toEqual(JSON.parse(hostile["forged-handles-everywhere.results.json"]));
  });

  it("has at least 30 hostile cases, each with a bystander", () => {
    const hostile = cases.filter((c) => c.area === "hostile");
    expect(hostile.length).toBeGreaterThanOrEqual(30);
    for (const c of hostile) expect(c.spec.bystander, c.id).toBe(true);
  });
});

describe("the sys variant", () => {
  it("routes every folded syscall through sys with widened arguments and a wrapped result", () => {
    const out = sysVariant(
      "(func (drop (call $console_write (i32.const 1) (call $clock_now_not_a_syscall))) (call $exit (i32.const 3)) (drop (call $clock_now)))",
    )
      .replace(/\s+/g, " ")
      .replace(/\( /g, "(")
      .replace(/ \)/g, ")");
    expect(out).toContain(
      "(i32.wrap_i64 (call $sys (i32.const 6) (i64.extend_i32_u (i32.const 1)) (i64.extend_i32_u (call $clock_now_not_a_syscall)) (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0)))",
    );
    expect(out).toContain("(drop (call $sys (i32.const 1) (i64.extend_i32_u (i32.const 3))");
    expect(out).toContain("(drop (call $sys (i32.const 4) (i64.const 0)");
  });

  it("refuses a flat syscall call it could not rewrite", () => {
    expect(() => sysVariant("(func i32.const 0 call $exit)")).toThrow(/flat/);
  });
});

describe("the adapter protocol", () => {
  it("gives the same outcomes through the reference adapter as in process", async () => {
    const filter = "/^(io|handles|process\\/spawn-limits|hostile\\/(no-start|loop-in-main|spawn-bomb))/";
    const local = await runConformance({ cases, filter, print: () => {} });
    const remote = await runConformance({
      cases,
      filter,
      print: () => {},
      adapter: `${process.execPath} conformance/adapters/wasmos-node.ts`,
    });
    expect(remote.failed).toBe(0);
    expect(remote.passed).toBe(local.passed);
    const strip = (r: typeof local) => r.results.map((x) => ({ id: x.id, variant: x.variant, status: x.status, outcome: x.outcome }));
    expect(strip(remote)).toEqual(strip(local));
  });
});

describe("wasmos conformance", () => {
  it("prints a line per failing case with expected vs actual, the summary, and exits 1", async () => {
    const c = cases.find((x) => x.id === "process/exit-status")!;
    const broken = { ...c, spec: { ...c.spec, expect: { exit: { status: 41, reason: "NORMAL" } } } };
    const lines: string[] = [];
    const s = await runConformance({ cases: [broken], print: (l) => lines.push(l) });
    expect(lines).toEqual([
      "FAIL process/exit-status [direct]: exit status: expected 41, got 42",
      "FAIL process/exit-status [sys]: exit status: expected 41, got 42",
      "0 passed, 2 failed",
    ]);
    expect(s.failed).toBe(2);
  });

  it("is a CLI command that exits 0 when every selected case passes", async () => {
    const { main } = await import("../../cli/main.ts");
    const write = process.stdout.write;
    let text = "";
    process.stdout.write = ((chunk: string) => ((text += chunk), true)) as typeof process.stdout.write;
    try {
      expect(await main(["conformance", "--filter", "time/"])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    expect(text).toBe("2 passed, 0 failed\n");
  });
});
