// `wasmos wasi-testsuite DIR`: the official WASI test suite (WebAssembly/
// wasi-testsuite, prebuilt) run under the WASI personality, following its
// doc/specification.md:
//  - every *.wasm under DIR is a test; *.cleanup files are removed first;
//  - NAME.json beside it (or the defaults) gives args, env, dirs to preopen,
//    the expected exit code and stdout (legacy form), or the same as
//    run/read/wait operations (operation form);
//  - the environment is exactly `env`; each of `dirs` is preopened under its
//    own name; args follow argv[0] (the test's file name);
//  - a test passes when every expectation holds.
// One deviation, for the test data's sake: each test's `dirs` are copied to a
// fresh temporary directory and preopened from there (under the same guest
// names), so the suite never writes into the shared test data and a test
// cannot see what an earlier one left behind.
// Tests are grouped by language (the directory under tests/); the runner
// prints `N passed, M failed` per group and then in total.

import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, sep } from "node:path";
import { ExitReason } from "../abi/gen/abi.ts";
import { describeExit } from "../kernel/objects/process.ts";
import { ModuleRefusedError } from "../loader/loader.ts";
import { runGuest } from "./run-guest.ts";

export interface WasiTestResult {
  group: string;
  name: string;
  passed: boolean;
  /** Why it failed (empty when it passed). */
  reason: string;
  ms: number;
}

export interface WasiSuiteSummary {
  results: WasiTestResult[];
  groups: { group: string; passed: number; failed: number }[];
  passed: number;
  failed: number;
}

interface Spec {
  args: string[];
  env: Record<string, string>;
  dirs: string[];
  exitCode: number;
  stdout: string | null;
  stderr: string | null;
}

/** The test's specification: the legacy form or the operation form, with the defaults of doc/specification.md. */
export function readSpec(jsonPath: string): Spec {
  const spec: Spec = { args: [], env: {}, dirs: [], exitCode: 0, stdout: null, stderr: null };
  if (!fs.existsSync(jsonPath)) return spec;
  const j = JSON.parse(fs.readFileSync(jsonPath, "utf8")) as Record<string, unknown>;
  if (Array.isArray(j.operations)) {
    spec.stdout = null;
    for (const op of j.operations as Record<string, unknown>[]) {
      switch (op.type) {
        case "run":
          spec.args = (op.args as string[] | undefined) ?? [];
          spec.env = (op.env as Record<string, string> | undefined) ?? {};
          spec.dirs = (op.dirs as string[] | undefined) ?? [];
          break;
        case "wait":
          spec.exitCode = (op.exit_code as number | undefined) ?? 0;
          break;
        case "read":
          if ((op.id ?? "stdout") === "stdout") spec.stdout = (op.payload as string | undefined) ?? "";
          else spec.stderr = (op.payload as string | undefined) ?? "";
          break;
        default:
          throw new Error(`operation "${String(op.type)}" needs a proposal this runner does not enable`);
      }
    }
    return spec;
  }
  if (j.args !== undefined) spec.args = j.args as string[];
  if (j.env !== undefined) spec.env = j.env as Record<string, string>;
  if (j.dirs !== undefined) spec.dirs = j.dirs as string[];
  if (j.exit_code !== undefined) spec.exitCode = j.exit_code as number;
  if (j.stdout !== undefined) spec.stdout = j.stdout as string;
  if (j.stderr !== undefined) spec.stderr = j.stderr as string;
  return spec;
}

function findFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

/** The language group of a test: the first directory below `tests/` (or below DIR). */
function groupOf(root: string, file: string): string {
  const parts = relative(root, file).split(sep);
  const t = parts.indexOf("tests");
  if (t >= 0 && parts.length > t + 2) return parts[t + 1];
  return parts.length > 1 ? parts[0] : ".";
}

/** Run one test; never throws. */
export async function runWasiTest(file: string, group = ""): Promise<WasiTestResult> {
  const name = basename(file, ".wasm");
  const start = performance.now();
  const done = (passed: boolean, reason: string): WasiTestResult => ({ group, name, passed, reason, ms: performance.now() - start });
  let spec: Spec;
  try {
    spec = readSpec(file.replace(/\.wasm$/, ".json"));
  } catch (e) {
    return done(false, `bad specification: ${e instanceof Error ? e.message : String(e)}`);
  }
  const scratch = fs.mkdtempSync(join(tmpdir(), "wasmos-wasi-test-"));
  try {
    const preopens = spec.dirs.map((d) => {
      const copy = join(scratch, d);
      fs.mkdirSync(dirname(copy), { recursive: true });
      fs.cpSync(join(dirname(file), d), copy, { recursive: true, verbatimSymlinks: true });
      return { guest: d, host: copy };
    });
    const stderr: Uint8Array[] = [];
    const run = await runGuest(file, {
      args: spec.args,
      argv0: basename(file),
      wasi: { env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`), dirs: preopens, stderr: (b) => stderr.push(b.slice()) },
      timeoutMs: 60_000,
    });
    const status = run.exit.reason === ExitReason.NORMAL ? run.exit.status : null;
    const problems: string[] = [];
    if (status !== spec.exitCode) {
      const err = new TextDecoder().decode(Buffer.concat(stderr)).trim();
      problems.push(
        `exit ${status === null ? describeExit(run.exit) : status}, expected ${spec.exitCode}${err ? ` (stderr: ${err.slice(0, 300)})` : ""}`,
      );
    }
    if (spec.stdout !== null && run.stdout !== spec.stdout)
      problems.push(`stdout ${JSON.stringify(run.stdout.slice(0, 200))}, expected ${JSON.stringify(spec.stdout)}`);
    if (spec.stderr !== null) {
      const err = new TextDecoder().decode(Buffer.concat(stderr));
      if (err !== spec.stderr) problems.push(`stderr ${JSON.stringify(err.slice(0, 200))}, expected ${JSON.stringify(spec.stderr)}`);
    }
    return done(problems.length === 0, problems.join("; "));
  } catch (e) {
    if (e instanceof ModuleRefusedError) return done(false, `refused: ${e.report.errors.map((x) => x.message).join("; ")}`);
    return done(false, `runner error: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** Run every test under dir; `print` receives each failure, then the per-group and total counts. */
export async function runWasiTestsuite(dir: string, print: (line: string) => void = () => {}, filter?: string): Promise<WasiSuiteSummary> {
  for (const c of findFiles(dir, ".cleanup")) {
    try {
      fs.rmSync(c, { recursive: true, force: true });
    } catch (e) {
      print(`note: cannot remove ${c} (${(e as NodeJS.ErrnoException).code ?? e}); tests run on copies of their dirs anyway`);
    }
  }
  const files = findFiles(dir, ".wasm").filter((f) => filter === undefined || f.includes(filter));
  const results: WasiTestResult[] = [];
  for (const f of files) {
    const r = await runWasiTest(f, groupOf(dir, f));
    results.push(r);
    if (!r.passed) print(`FAIL ${r.group}/${r.name}: ${r.reason}`);
  }
  const groups: WasiSuiteSummary["groups"] = [];
  for (const r of results) {
    let g = groups.find((x) => x.group === r.group);
    if (g === undefined) groups.push((g = { group: r.group, passed: 0, failed: 0 }));
    if (r.passed) g.passed++;
    else g.failed++;
  }
  for (const g of groups) print(`${g.group}: ${g.passed} passed, ${g.failed} failed`);
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  print(`total: ${passed} passed, ${failed} failed`);
  return { results, groups, passed, failed };
}
