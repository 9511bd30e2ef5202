// The conformance runner: every case in both variants (direct imports and the
// numbered `sys` entry), against this repository's kernel in process or
// against any implementation through an adapter command. See README.md.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  buildCase,
  bystanderModule,
  type Case,
  caseImages,
  type CaseOutcome,
  compare,
  loadCases,
  type Variant,
  variants,
} from "./lib/case.ts";
import { executeCase } from "./lib/execute.ts";

export interface RunOptions {
  /** Run only cases whose id (or "id [variant]") contains this text, or matches it as /regex/. */
  filter?: string;
  /** Shell command of an adapter; absent: this kernel, in process. */
  adapter?: string;
  /** Where failing lines and the summary go (default: stdout). */
  print?: (line: string) => void;
  /** Cases to run instead of loading the suite. */
  cases?: Case[];
  /** Adapter runs at once (default 2). */
  jobs?: number;
  /** Called after each case (the CLI shows a counter on a terminal). */
  progress?: ConformanceProgress;
}

export interface CaseResult {
  id: string;
  variant: Variant;
  status: "passed" | "failed" | "skipped";
  diffs: string[];
  outcome?: { refused?: string; exit?: CaseOutcome["exit"]; stdout_base64: string };
}

/** RunOptions.progress: called after each case with how many are done of how many. */
export type ConformanceProgress = (done: number, total: number) => void;

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
  results: CaseResult[];
}

function selected(c: Case, v: Variant, filter?: string): boolean {
  if (!filter) return true;
  const label = `${c.id} [${v}]`;
  if (filter.length > 2 && filter.startsWith("/") && filter.endsWith("/")) return new RegExp(filter.slice(1, -1)).test(label);
  return label.includes(filter);
}

/** The summary line: `N passed, M failed` and `, K skipped` if any. */
export function summaryLine(s: Summary): string {
  return `${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ""}`;
}

/** Run the suite; prints one line per failing case and the summary line. */
export async function runConformance(opts: RunOptions = {}): Promise<Summary> {
  const print = opts.print ?? ((l: string) => process.stdout.write(l + "\n"));
  const cases = opts.cases ?? loadCases();
  const jobs: { c: Case; v: Variant }[] = [];
  for (const c of cases) for (const v of variants(c)) if (selected(c, v, opts.filter)) jobs.push({ c, v });
  const results: CaseResult[] = new Array(jobs.length);
  let done = 0;
  const one = async (i: number) => {
    const { c, v } = jobs[i];
    results[i] = await runOne(c, v, opts.adapter);
    opts.progress?.(++done, jobs.length);
    if (results[i].status === "failed") print(`FAIL ${c.id} [${v}]: ${results[i].diffs.join("; ")}`);
  };
  if (opts.adapter) {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) await one(next++);
    };
    await Promise.all(Array.from({ length: Math.max(1, opts.jobs ?? 2) }, worker));
  } else {
    for (let i = 0; i < jobs.length; i++) await one(i);
  }
  const s: Summary = {
    passed: results.filter((r) => r.status === "passed").length,
    failed: results.filter((r) => r.status === "failed").length,
    skipped: results.filter((r) => r.status === "skipped").length,
    results,
  };
  print(summaryLine(s));
  return s;
}

async function runOne(c: Case, v: Variant, adapter?: string): Promise<CaseResult> {
  let bytes: Uint8Array;
  let images: Record<string, Uint8Array>;
  try {
    bytes = await buildCase(c, v);
    images = caseImages(c, v);
  } catch (e) {
    return { id: c.id, variant: v, status: "failed", diffs: [`case does not assemble: ${(e as Error).message}`] };
  }
  let outcome: CaseOutcome & { skip?: string };
  try {
    outcome = adapter
      ? await viaAdapter(adapter, c, v, bytes, images)
      : await executeCase(
          c.id.split("/").pop()!,
          bytes,
          c.spec.setup,
          { bystander: c.spec.bystander ? bystanderModule() : undefined },
          images,
        );
  } catch (e) {
    return { id: c.id, variant: v, status: "failed", diffs: [`host error: ${(e as Error).stack ?? e}`] };
  }
  const record = { refused: outcome.refused, exit: outcome.exit, stdout_base64: Buffer.from(outcome.stdout).toString("base64") };
  if (outcome.skip !== undefined) return { id: c.id, variant: v, status: "skipped", diffs: [outcome.skip], outcome: record };
  const diffs = compare(c.spec.expect, outcome, c.spec.bystander);
  return { id: c.id, variant: v, status: diffs.length ? "failed" : "passed", diffs, outcome: record };
}

/** Adapter protocol (README.md): write the case to a fresh folder, run `CMD <folder>`, read one JSON result from its stdout. */
async function viaAdapter(
  cmd: string,
  c: Case,
  v: Variant,
  bytes: Uint8Array,
  images: Record<string, Uint8Array>,
): Promise<CaseOutcome & { skip?: string }> {
  const dir = mkdtempSync(join(tmpdir(), "wasmos-conf-"));
  try {
    writeFileSync(join(dir, "module.wasm"), bytes);
    if (c.spec.bystander) writeFileSync(join(dir, "bystander.wasm"), bystanderModule());
    if (Object.keys(images).length) {
      mkdirSync(join(dir, "images"));
      for (const [n, b] of Object.entries(images)) writeFileSync(join(dir, "images", `${n}.wasm`), b);
    }
    writeFileSync(
      join(dir, "case.json"),
      JSON.stringify(
        { id: c.id, variant: v, name: c.id.split("/").pop(), setup: c.spec.setup ?? {}, bystander: c.spec.bystander ?? false },
        null,
        2,
      ),
    );
    const { code, stdout, stderr } = await run(`${cmd} ${JSON.stringify(dir)}`);
    let r: {
      refused?: string;
      exit?: CaseOutcome["exit"];
      stdout_base64?: string;
      skip?: string;
      problems?: string[];
      bystander?: { exit?: CaseOutcome["exit"]; stdout_base64?: string };
    };
    try {
      r = JSON.parse(stdout.trim().split("\n").pop() ?? "");
    } catch {
      throw new Error(`adapter exited ${code} without a JSON result; stderr: ${stderr.slice(-500)}`);
    }
    const bystander = r.bystander ? { exit: r.bystander.exit, stdout: Buffer.from(r.bystander.stdout_base64 ?? "", "base64") } : undefined;
    return {
      refused: r.refused,
      exit: r.exit,
      stdout: Buffer.from(r.stdout_base64 ?? "", "base64"),
      skip: r.skip,
      problems: r.problems,
      bystander,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, { shell: true, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
