// The coverage table: syscall x documented error -> the cases that exercise
// it, read from the cases' labelled results and `covers` lists, and the
// syscall list and each call's documented errors from the generated ABI
// (abi/gen/abi.ts), so a syscall added to abi/ shows up as uncovered.
// Run: node conformance/coverage.ts (writes docs/conformance-coverage.md;
// a test fails when the checked-in file drifts, or a documented error has no case).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ABI_VERSION, Errno, ERRNO_NAMES, SYSCALLS } from "../abi/gen/abi.ts";
import { type Case, loadCases } from "./lib/case.ts";

const ERRNO = Errno as Record<string, number>;

export interface Coverage {
  /** syscall -> errno name (or "ok" for a success path) -> case ids. */
  table: Map<string, Map<string, Set<string>>>;
  /** Documented (syscall, errno) pairs without a case. */
  missing: [string, string][];
  /** Syscalls without any success-path case. */
  noSuccess: string[];
  documented: number;
  covered: number;
}

export function coverage(cases: Case[] = loadCases()): Coverage {
  const table = new Map<string, Map<string, Set<string>>>();
  const add = (sc: string, what: string, id: string) => {
    if (!table.has(sc)) table.set(sc, new Map());
    const row = table.get(sc)!;
    if (!row.has(what)) row.set(what, new Set());
    row.get(what)!.add(id);
  };
  for (const c of cases) {
    for (const [sc, want] of c.spec.expect.results ?? []) {
      if (typeof want === "string" && ERRNO[want] !== undefined) add(sc, want, c.id);
      else if (typeof want === "number" ? want >= 0 : want === ">=0" || want === ">0") add(sc, "ok", c.id);
    }
    for (const [sc, e] of c.spec.covers ?? []) add(sc, e, c.id);
  }
  const missing: [string, string][] = [];
  const noSuccess: string[] = [];
  let documented = 0;
  for (const d of SYSCALLS) {
    const row = table.get(d.name);
    for (const e of d.errors) {
      documented++;
      if (!row?.get(ERRNO_NAMES[e])?.size) missing.push([d.name, ERRNO_NAMES[e]]);
    }
    if (!row?.get("ok")?.size && d.result !== "never") noSuccess.push(d.name);
  }
  return { table, missing, noSuccess, documented, covered: documented - missing.length };
}

export const COVERAGE_DOC = join(new URL("..", import.meta.url).pathname, "docs", "conformance-coverage.md");

export function renderCoverage(cov: Coverage): string {
  const lines = [
    "<!-- Generated from conformance/ by conformance/coverage.ts. Do not edit: run `node conformance/coverage.ts`. -->",
    "",
    `# Conformance coverage (ABI ${ABI_VERSION.major}.${ABI_VERSION.minor})`,
    "",
    `Documented errors covered: **${cov.covered} of ${cov.documented}**. Syscalls: ${SYSCALLS.length}; without a success-path case: ${cov.noSuccess.length ? cov.noSuccess.join(", ") : "none"}.`,
    "Each cell lists the cases (`conformance/<id>.wat`) whose expectation records that result; every case also runs through `sys`.",
    "`ok` is a success path; `EPLEDGE` is the call after its class was pledged away (not listed per syscall in abi/).",
    "",
  ];
  if (cov.missing.length) {
    lines.push("## Not covered", "", ...cov.missing.map(([s, e]) => `- \`${s}\` ${e}`), "");
  }
  lines.push("## Table", "", "| nr | syscall | result | cases |", "|---|---|---|---|");
  for (const d of SYSCALLS) {
    const row = cov.table.get(d.name) ?? new Map();
    const order = [
      "ok",
      ...d.errors.map((e) => ERRNO_NAMES[e]),
      ...[...row.keys()].filter((k) => k !== "ok" && !d.errors.map((e) => ERRNO_NAMES[e]).includes(k)).sort(),
    ];
    for (const what of order) {
      const ids = [...(row.get(what) ?? [])].sort();
      if (what === "ok" && ids.length === 0 && d.result === "never") continue;
      const documented = what === "ok" || d.errors.some((e) => ERRNO_NAMES[e] === what);
      const label = documented ? what : `${what} (not in abi/)`;
      lines.push(`| ${d.nr} | ${d.name} | ${label} | ${ids.length ? ids.map((i) => `\`${i}\``).join(", ") : "**none**"} |`);
    }
  }
  return lines.join("\n") + "\n";
}

// node conformance/coverage.ts [--check] [--missing]: write docs/conformance-coverage.md, or exit 1 if it differs.
if (import.meta.url === `file://${process.argv[1]}`) {
  const cov = coverage();
  const text = renderCoverage(cov);
  if (process.argv.includes("--check")) {
    const same = existsSync(COVERAGE_DOC) && readFileSync(COVERAGE_DOC, "utf8") === text;
    if (!same) process.stdout.write(`out of date: ${COVERAGE_DOC}\n`);
    process.exit(same ? 0 : 1);
  }
  writeFileSync(COVERAGE_DOC, text);
  process.stdout.write(`${cov.covered}/${cov.documented} documented errors covered; ${cov.missing.length} missing\n`);
  if (process.argv.includes("--missing")) for (const [s, e] of cov.missing) process.stdout.write(`  ${s} ${e}\n`);
}
