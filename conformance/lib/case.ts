// A conformance case on disk: `<area>/<name>.wat` (the program) beside
// `<area>/<name>.json` (its setup and expectation). See conformance/README.md.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import wabtInit from "wabt";
import { Errno, ExitReason, SYS_ENTRY, SYSCALLS } from "../../abi/gen/abi.ts";
import { sysVariant } from "./sys-variant.ts";

/** A host object the runner creates and passes as a startup handle. */
export interface HandleSetup {
  name: string;
  object: "namespace" | "endpoint" | "memory" | "timer" | "console" | "audio" | "framebuffer" | "rng" | "kinfo" | "hostdir" | "dir";
  /** Right names (Rights.*); default: what the host grants for that object type. */
  rights?: string[];
  /** memory: size in bytes (default 65536). */
  size?: number;
  /** memory: the host revokes the object after spawning the process. */
  revoked?: boolean;
  /** devices: the host shuts the device down before the process starts (its calls answer EIO). */
  shutdown?: boolean;
  /** console: input bytes (UTF-8) available from the start, then end of input. */
  input?: string;
  /** framebuffer: size, and whether its pixels are a memory object (default true). */
  width?: number;
  height?: number;
  pixelMemory?: boolean;
  /** hostdir: files in a fresh temporary directory (path -> UTF-8 content; folders made as needed), and read-only mode. */
  files?: Record<string, string>;
  readOnly?: boolean;
}

/** Another module the runner assembles and passes as an IMAGE handle (rights SPAWN|DUPLICATE|TRANSFER). */
export interface ImageSetup {
  name: string;
  /** A .wat beside the case (wrapped in the prelude like a case, unless raw). */
  source: string;
  raw?: boolean;
  /** Extra imports placed after the ABI's (e.g. a grant memory). */
  imports?: string[];
  /** Pages of the module's own memory (default 1). */
  memoryPages?: number;
}

export interface CaseSetup {
  /** Extra images, passed as startup handles under their names. */
  images?: ImageSetup[];
  /** Arguments after the program name (argv[0] is the case name). */
  args?: string[];
  /** The root's environment, KEY=VALUE each (env_count, env_get). */
  env?: string[];
  handles?: HandleSetup[];
  /** Kernel limits: handle table size, process count. */
  limits?: { maxHandles?: number; maxProcesses?: number };
  /** Memory budget of the process and the system's page ceiling, in pages. */
  memory?: { budgetPages?: number; systemPages?: number };
}

/** One recorded result: [syscall label, expected]. Expected: an errno name, "!" and an errno name (anything but it), an exact integer, or ">=0", ">0", "<0", "any". */
export type ResultExpect = [string, string | number];

export interface CaseExpect {
  /** The module is refused before it runs (the loader names the culprit); `message` is a substring of the refusal. */
  refused?: boolean | { message: string };
  exit?: { status?: number; reason: string };
  /** The exit message contains this text. */
  message?: string;
  /** Exact console output (UTF-8) — or use `results` for programs that record values with $rec. */
  stdout?: string;
  results?: ResultExpect[];
}

export interface CaseSpec {
  description: string;
  /** The .wat is a whole module (no prelude added); default false. */
  raw?: boolean;
  /** Extra imports placed after the ABI's (e.g. a grant memory). */
  imports?: string[];
  /** Pages of the module's own memory (default 1). */
  memoryPages?: number;
  /**
   * Run the bystander (lib/bystander.wat) in the same kernel, spawned first:
   * it must end NORMAL with status 0 and print exactly BYSTANDER_OUTPUT,
   * whatever this case does (the hostile corpus sets it).
   */
  bystander?: boolean;
  /** No sys variant (the case is about the import table itself); default false. */
  noSys?: boolean;
  setup?: CaseSetup;
  expect: CaseExpect;
  /** (syscall, errno) pairs the case exercises besides its labelled results (e.g. an errno returned as the exit status). */
  covers?: [string, string][];
}

export interface Case {
  /** "area/name". */
  id: string;
  area: string;
  spec: CaseSpec;
  /** The program: a .wat, or an AssemblyScript .ts (compiled with the SDK; no sys variant). */
  watPath: string;
  source: string;
  lang: "wat" | "as";
}

export const CONFORMANCE_DIR = new URL("..", import.meta.url).pathname;
/** Folders under conformance/ that hold cases (not code). */
const NOT_CASES = new Set(["lib", "adapters", "node_modules"]);

/** Every case under `root` (default: the suite), sorted by id. */
export function loadCases(root = CONFORMANCE_DIR): Case[] {
  const cases: Case[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) {
        if (!NOT_CASES.has(e.name)) walk(p);
      } else if (e.name.endsWith(".json")) {
        let watPath = p.replace(/\.json$/, ".wat");
        let lang: Case["lang"] = "wat";
        if (!existsSync(watPath)) {
          watPath = p.replace(/\.json$/, ".ts");
          lang = "as";
          if (!existsSync(watPath)) continue;
        }
        const id = relative(root, watPath)
          .replace(/\.(wat|ts)$/, "")
          .split("\\")
          .join("/");
        const spec = JSON.parse(readFileSync(p, "utf8")) as CaseSpec;
        cases.push({ id, area: id.split("/").slice(0, -1).join("/"), spec, watPath, source: readFileSync(watPath, "utf8"), lang });
      }
    }
  };
  walk(root);
  return cases.sort((a, b) => a.id.localeCompare(b.id));
}

const wabt = await wabtInit();

/** Assemble WAT text to a binary (the proposals a hostile case may need are enabled). */
export function assemble(src: string, name = "case.wat"): Uint8Array {
  const features = {
    multi_memory: true,
    threads: true,
    exceptions: true,
    simd: true,
    bulk_memory: true,
    reference_types: true,
    tail_call: true,
    memory64: true,
  };
  const m = wabt.parseWat(name, src, features as never);
  try {
    m.resolveNames();
    return new Uint8Array(m.toBinary({}).buffer);
  } finally {
    m.destroy();
  }
}

function sig(params: readonly string[], result: string): string {
  const p = params.length ? ` (param ${params.join(" ")})` : "";
  const r = result === "never" ? "" : ` (result ${result})`;
  return p + r;
}

/** Every ABI import, generated from the ABI table. */
export const ABI_IMPORTS = [
  ...SYSCALLS.map(
    (d) =>
      `(import "wasmos" "${d.name}" (func $${d.name}${sig(
        d.params.map((p) => p.type),
        d.result,
      )}))`,
  ),
  `(import "wasmos" "sys" (func $sys${sig(
    SYS_ENTRY.params.map((p) => p.type),
    SYS_ENTRY.result,
  )}))`,
].join("\n  ");

/** Where $rec keeps results (up to the end of the first page). */
export const RESULTS_AT = 60000;

/**
 * The prelude wrapped around a case body: every ABI import, one exported page
 * of memory, `$rec (i32)` appending a result at RESULTS_AT, `$flush` writing
 * them to the console, and `$h (ptr len) -> handle` (handle_get, trapping if
 * the name is missing so a broken setup cannot pass silently).
 */
export function withPrelude(body: string, opts: { imports?: string[]; memoryPages?: number } = {}): string {
  return `(module
  ${ABI_IMPORTS}
  ${(opts.imports ?? []).join("\n  ")}
  (memory (export "memory") ${opts.memoryPages ?? 1})
  (global $rp (mut i32) (i32.const ${RESULTS_AT}))
  (func $rec (param i32)
    (i32.store (global.get $rp) (local.get 0))
    (global.set $rp (i32.add (global.get $rp) (i32.const 4))))
  (func $flush
    (drop (call $console_write (i32.const ${RESULTS_AT}) (i32.sub (global.get $rp) (i32.const ${RESULTS_AT}))))
    (global.set $rp (i32.const ${RESULTS_AT})))
  (func $h (param i32 i32) (result i32) (local $r i32)
    (local.set $r (call $handle_get (local.get 0) (local.get 1)))
    (if (i32.lt_s (local.get $r) (i32.const 0)) (then unreachable))
    (local.get $r))
${body}
)`;
}

export type Variant = "direct" | "sys";

/** The module of a case in one variant. */
export function caseModule(c: Case, variant: Variant): Uint8Array {
  const body = variant === "sys" ? sysVariant(c.source) : c.source;
  return assemble(c.spec.raw ? body : withPrelude(body, c.spec), `${c.id}.wat`);
}

/** The extra images of a case (name -> module), in one variant. */
export function caseImages(c: Case, variant: Variant): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const im of c.spec.setup?.images ?? []) {
    const src = readFileSync(join(dirname(c.watPath), im.source), "utf8");
    const body = variant === "sys" ? sysVariant(src) : src;
    out[im.name] = assemble(im.raw ? body : withPrelude(body, im), im.source);
  }
  return out;
}

export function variants(c: Case): Variant[] {
  return c.spec.noSys || c.lang === "as" ? ["direct"] : ["direct", "sys"];
}

const compiled = new Map<string, Uint8Array>();

/** The module of a case in one variant, AssemblyScript cases compiled (once per process) with the SDK. */
export async function buildCase(c: Case, variant: Variant): Promise<Uint8Array> {
  if (c.lang === "wat") return caseModule(c, variant);
  const hit = compiled.get(c.watPath);
  if (hit) return hit;
  const { compileGuest } = await import("../../build/compile.ts");
  const r = await compileGuest(c.watPath);
  if (!r.ok || !r.binary) throw new Error(`AssemblyScript case does not compile:\n${r.diagnostics}`);
  compiled.set(c.watPath, r.binary);
  return r.binary;
}

/** What running a case produced (the adapter protocol's result). */
export interface CaseOutcome {
  refused?: string;
  exit?: { status: number; reason: string; message?: string };
  stdout: Uint8Array;
  /** The bystander's ending and output, when the case asked for one. */
  bystander?: { exit?: { status: number; reason: string; message?: string }; stdout: Uint8Array };
  /** Problems the runner found beyond the expectation (leaks, processes left blocked). */
  problems?: string[];
}

const ERRNO = Errno as Record<string, number>;

function matches(want: string | number, got: number): boolean {
  if (typeof want === "number") return got === want;
  if (want === "any") return true;
  if (want === ">=0") return got >= 0;
  if (want === ">0") return got > 0;
  if (want === "<0") return got < 0;
  if (want.startsWith("!")) {
    const not = ERRNO[want.slice(1)];
    if (not === undefined) throw new Error(`unknown expectation "${want}"`);
    return got !== -not;
  }
  const e = ERRNO[want];
  if (e === undefined) throw new Error(`unknown expectation "${want}"`);
  return got === -e;
}

const ERRNO_BY_VALUE: Record<number, string> = Object.fromEntries(Object.entries(ERRNO).map(([k, v]) => [v, k]));
const show = (v: number) => (v < 0 && ERRNO_BY_VALUE[-v] ? `${v} (${ERRNO_BY_VALUE[-v]})` : String(v));

export function decodeResults(bytes: Uint8Array): number[] {
  const out: number[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(view.getInt32(i, true));
  return out;
}

/** Differences between an expectation and an outcome; empty when the case passed. */
export function compare(expect: CaseExpect, got: CaseOutcome, bystander = false): string[] {
  const diffs: string[] = [...(got.problems ?? [])];
  if (bystander) {
    const b = got.bystander;
    const text = b ? new TextDecoder().decode(b.stdout) : "";
    if (!b?.exit || b.exit.reason !== "NORMAL" || b.exit.status !== 0 || text !== BYSTANDER_OUTPUT) {
      diffs.push(
        `bystander: expected NORMAL status 0 and ${JSON.stringify(BYSTANDER_OUTPUT)}, got ${b?.exit ? `${b.exit.reason} status ${b.exit.status}` : "no exit"} and ${JSON.stringify(text)}`,
      );
    }
  }
  if (expect.refused) {
    if (got.refused === undefined) diffs.push(`expected the module to be refused, but it ran (${describeExit(got)})`);
    else if (typeof expect.refused === "object" && !got.refused.includes(expect.refused.message)) {
      diffs.push(`refusal should mention "${expect.refused.message}", got: ${got.refused}`);
    }
    return diffs;
  }
  if (got.refused !== undefined) return [...diffs, `module refused: ${got.refused}`];
  const want = expect.exit ?? { status: 0, reason: "NORMAL" };
  if (!got.exit)
    diffs.push(`expected exit ${want.reason}${want.status !== undefined ? ` status ${want.status}` : ""}, but the process never ended`);
  else {
    if (got.exit.reason !== want.reason)
      diffs.push(`exit reason: expected ${want.reason}, got ${got.exit.reason} (${got.exit.message ?? ""})`);
    else if (want.status !== undefined && got.exit.status !== want.status)
      diffs.push(`exit status: expected ${want.status}, got ${got.exit.status}`);
    if (expect.message !== undefined && !(got.exit.message ?? "").includes(expect.message)) {
      diffs.push(`exit message should contain "${expect.message}", got "${got.exit.message ?? ""}"`);
    }
  }
  if (expect.stdout !== undefined) {
    const text = new TextDecoder().decode(got.stdout);
    if (text !== expect.stdout) diffs.push(`stdout: expected ${JSON.stringify(expect.stdout)}, got ${JSON.stringify(text)}`);
  }
  if (expect.results !== undefined) {
    const vals = decodeResults(got.stdout);
    const n = Math.max(vals.length, expect.results.length);
    for (let i = 0; i < n; i++) {
      const w = expect.results[i];
      const v = vals[i];
      if (w === undefined) {
        diffs.push(`result #${i}: unexpected extra value ${show(v)}`);
        continue;
      }
      if (v === undefined) {
        diffs.push(`result #${i} (${w[0]}): expected ${w[1]}, got nothing`);
        continue;
      }
      if (!matches(w[1], v)) diffs.push(`result #${i} (${w[0]}): expected ${w[1]}, got ${show(v)}`);
    }
  }
  return diffs;
}

function describeExit(o: CaseOutcome): string {
  return o.exit ? `exit ${o.exit.reason} status ${o.exit.status}` : "no exit";
}

/** What the bystander prints. */
export const BYSTANDER_OUTPUT = "bystander ok 5000050000\n";

/** The bystander module: sums 1..100000 across yields and a sleep, prints BYSTANDER_OUTPUT. */
export function bystanderModule(): Uint8Array {
  return assemble(withPrelude(readFileSync(join(CONFORMANCE_DIR, "lib", "bystander.wat"), "utf8")), "bystander.wat");
}

export const EXIT_REASON_BY_NAME = ExitReason as Record<string, number>;
