// The spec-suite driver: runs the official WebAssembly spec test scripts
// (.wast, ../shared/wasm-spec-testsuite; the path is an argument, never
// copied into the project) through wasmos's wasm toolkit and loader, in
// several variants of every module, and reports any difference between a
// variant and the module as assembled:
//
//   assembled   the bytes the WAT assembler produced, compiled by V8
//   renumbered  re-encoded by wasm/writer.ts with a function import prepended
//               (every function index moves up by one, every section the
//               shift touches is re-encoded)
//   fuel        instrumented by loader/instrument/fuel.ts with a slice of
//               1-3 units, so the out-of-fuel path runs all the time
//   prepared    the loader's full preparation (loader/prepare.ts: fuel,
//               grow limit, start section moved to an export, memory and
//               table maxima capped) under a permissive policy
//   epoch       the epoch variant of loader/instrument/fuel.ts (real-time
//               mode): the module's own memories turned into imports (made
//               here with the limits it declares), the flag's shared page
//               appended, the flag always raised so every check calls out;
//               a module with a 64-bit or custom-page-size memory gets the
//               counting variant, as the loader gives it
//   direct      (opt-in: not in VARIANTS, test/instrument/direct-copy.test.ts
//               asks for it) the fuel variant with direct copies of every
//               exported function (loader/instrument/direct-copy.ts) called
//               in place of the exports that got one: the copy's thrown tag
//               is read as the trap it stands for, a real trap from a copy
//               is a difference
//
// and checks that every assert_malformed / assert_invalid binary is refused
// by the toolkit without a host exception. An outcome is a string (results
// as exact bits, or the trap, or the link error); a difference is a variant
// whose outcome is not the assembled one's. Assembled outcomes that differ
// from what the script expects are counted too (engine or assembler
// disagreements), but are not the toolkit's differences.

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse as parseWat } from "@bytecodealliance/jco";
import { readModule, funcType, WasmParseError, type WasmModule } from "../../wasm/reader.ts";
import { editModule, WasmEditError } from "../../wasm/writer.ts";
import { forEachInstruction } from "../../wasm/decode.ts";
import { planFuel, EPOCH_MEMORY_IMPORT, FUEL_GLOBAL_EXPORT, FUEL_IMPORT, OWN_MEMORY_IMPORT_PREFIX } from "../../loader/instrument/fuel.ts";
import { prepareModule } from "../../loader/prepare.ts";
import {
  addDirectCopies,
  DIRECT_STACK_GLOBAL_EXPORT,
  DIRECT_TAG_IMPORT,
  DIRECT_TRAP_MESSAGES,
  DirectTrap,
} from "../../loader/instrument/direct-copy.ts";
import { defaultPolicy } from "../../loader/policy.ts";
import { verifyModule, type VerifyPolicy } from "../../loader/verify.ts";
import { featureNames } from "../../wasm/opcodes.ts";
import { atom, head, parseWast, stringText, type SList, type SString } from "./wast.ts";
import {
  ThunkUnavailable,
  callExact,
  describeValue,
  matches,
  parseArg,
  parseExpected,
  thunkable,
  type Expected,
  type Signature,
  type Value,
} from "./values.ts";

export const VARIANTS = ["assembled", "renumbered", "fuel", "prepared", "epoch"] as const;
export type Variant = (typeof VARIANTS)[number] | "direct";

export interface Difference {
  file: string;
  line: number;
  command: string;
  variant: Variant;
  assembled: string;
  got: string;
}

export interface SpecTotals {
  files: number;
  /** Modules compiled (every module command, in the assembled variant). */
  modules: number;
  /** Assertions and actions run (assert_*, invoke, get, register, module instances). */
  assertions: number;
  variants: readonly Variant[];
  /** Outcomes compared (an assertion in a non-assembled variant). */
  comparisons: number;
  differences: Difference[];
  /**
   * assert_malformed and assert_invalid binaries: how many the reader (and
   * decoder) refused, how many it read and the verifier then refused (a
   * spec module is no wasmos guest: its first refusal is usually a policy
   * one, and validity is the verifier's engine gate), and the verifier's
   * deciding code for each (malformed, invalid, else its first).
   */
  refusals: Record<"assert_malformed" | "assert_invalid", { reader: number; verifier: number }> & { byCode: Record<string, number> };
  /** Exceptions other than a refusal from the toolkit on a malformed or invalid binary (must be 0). */
  hostExceptions: { file: string; line: number; message: string }[];
  /** Assembled outcomes that differ from the script's expectation (engine or literal disagreements). */
  scriptMismatches: { file: string; line: number; command: string; got: string }[];
  /** What the driver could not run, by reason. */
  couldNotRun: Record<string, number>;
}

export interface SpecOptions {
  /** Directory holding the .wast scripts. */
  dir: string;
  /** Only these script names (default: every top-level .wast). */
  files?: readonly string[];
  variants?: readonly Variant[];
  /** Called after each file. */
  progress?: (file: string, totals: SpecTotals) => void;
}

/** Every proposal allowed: the loader's preparation is tested on everything the toolkit reads. */
export function permissivePolicy(): VerifyPolicy {
  return defaultPolicy({
    allowedFeatures: new Set(featureNames(0x7fff)),
    maxMemoryPages: 65536,
    maxTableElements: 10_000_000,
    maxModuleBytes: 1 << 30,
  });
}

interface Compiled {
  module: WebAssembly.Module;
  after: (inst: WebAssembly.Instance) => void;
  extra: Record<string, Record<string, unknown>>;
  /** What the script's actions see (default: the instance's exports). */
  exportsOf?: (inst: WebAssembly.Instance) => WebAssembly.Exports;
  /** Before each action (the direct variant: a fresh stack budget, as the kernel's catcher sets it per activation). */
  beforeCall?: () => void;
}

/** A module in one variant: its instance's exports (null: compile or instantiation failed). */
interface Live {
  exports: WebAssembly.Exports | null;
  /** The assembled module parsed (for signatures), or null if the toolkit could not parse it. */
  parsed: WasmModule | null;
  beforeCall?: () => void;
  /** What another module importing this one sees (the direct variant: the plain exports; copies are called only by actions, each with a fresh budget). */
  registered?: WebAssembly.Exports;
}

class World {
  readonly registry = new Map<string, WebAssembly.Exports>();
  readonly named = new Map<string, Live>();
  current: Live | null = null;
  readonly spectest: Record<string, unknown>;
  constructor() {
    const noop = () => {};
    this.spectest = {
      print: noop,
      print_i32: noop,
      print_i64: noop,
      print_f32: noop,
      print_f64: noop,
      print_i32_f32: noop,
      print_f64_f64: noop,
      global_i32: new WebAssembly.Global({ value: "i32" }, 666),
      global_i64: new WebAssembly.Global({ value: "i64" }, 666n),
      global_f32: new WebAssembly.Global({ value: "f32" }, 666.6),
      global_f64: new WebAssembly.Global({ value: "f64" }, 666.6),
      table: new WebAssembly.Table({ element: "anyfunc", initial: 10, maximum: 20 }),
      memory: new WebAssembly.Memory({ initial: 1, maximum: 2 }),
    };
  }
}

let sliceCounter = 0;
/** The direct variant's tag (the kernel's, in wasmos) and stack budget per action (bytes; the engine's own stack is ~984 KiB). */
const DIRECT_TAG = new WebAssembly.Tag({ parameters: ["i32"] });
const DIRECT_SPEC_BUDGET = 512 * 1024;
/** Direct copies put in place of exports (the direct variant), for the test's report. */
export const directCopyCounts = { copied: 0, refused: {} as Record<string, number>, actions: 0, trapped: 0 };
/** The epoch variant's flag page, raised for good: every check calls the (empty) fuel import. */
const EPOCH_PAGE = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
new Int32Array(EPOCH_PAGE.buffer)[0] = 1;

const MODULE_FIELDS = new Set(["type", "import", "func", "table", "memory", "global", "export", "start", "elem", "data", "tag", "rec"]);

/** The variant's bytes and what its instance needs. Throws when the toolkit fails on the module. */
function buildVariant(variant: Variant, bytes: Uint8Array, parsed: WasmModule | null, policy: VerifyPolicy): Compiled {
  if (variant === "assembled") return { module: new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), after: () => {}, extra: {} };
  if (parsed === null) throw new Error("the toolkit could not parse the module");
  if (variant === "renumbered") {
    const out = editModule(parsed, { prependFuncImport: { module: "__spec", name: "shift", params: [], results: [] } });
    return { module: new WebAssembly.Module(out), after: () => {}, extra: { __spec: { shift: () => {} } } };
  }
  if (variant === "epoch" && !parsed.memories.some((l) => l.index64 || l.pageSizeLog2 !== null)) {
    const out = editModule(parsed, planFuel(parsed, undefined, { preemption: "epoch" }).edits);
    const wasmos: Record<string, unknown> = { [FUEL_IMPORT.name]: () => {}, [EPOCH_MEMORY_IMPORT.name]: EPOCH_PAGE };
    parsed.memories.forEach((l, i) => {
      wasmos[`${OWN_MEMORY_IMPORT_PREFIX}${i}`] = new WebAssembly.Memory({ initial: l.min, maximum: l.max ?? undefined, shared: l.shared });
    });
    return { module: new WebAssembly.Module(out), extra: { [FUEL_IMPORT.module]: wasmos }, after: () => {} };
  }
  let fuel: WebAssembly.Global | null = null;
  const slice = variant === "fuel" || variant === "epoch" || variant === "direct" ? 1 + (sliceCounter++ % 3) : 1_000_000_000;
  const extra = {
    [FUEL_IMPORT.module]: {
      [FUEL_IMPORT.name]: () => {
        if (fuel !== null) fuel.value = slice;
      },
    },
  };
  if (variant === "direct") {
    const fueled = readModule(editModule(parsed, planFuel(parsed).edits));
    const names = fueled.exports.filter((e) => e.kind === "func").map((e) => e.name);
    // Another module's function may trap (linking.wast): copies call only the host's (spectest's JS, the fuel import).
    const d = addDirectCopies(fueled, names, { callableImport: (mod) => mod === "spectest" || mod === FUEL_IMPORT.module });
    let budget: WebAssembly.Global | null = null;
    return {
      module: new WebAssembly.Module(d.bytes as Uint8Array<ArrayBuffer>),
      extra: { [FUEL_IMPORT.module]: { ...extra[FUEL_IMPORT.module], [DIRECT_TAG_IMPORT.name]: DIRECT_TAG } },
      after: (inst) => {
        fuel = inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
        fuel.value = slice;
        budget = (inst.exports[DIRECT_STACK_GLOBAL_EXPORT] as WebAssembly.Global | undefined) ?? null;
      },
      exportsOf: (inst) => {
        const out: WebAssembly.Exports = { ...inst.exports };
        for (const [h, copy] of d.copies) out[h] = inst.exports[copy];
        directCopyCounts.copied += d.copies.size;
        for (const why of d.refused.values()) {
          const k = why.replace(/^function \d+ /, "");
          directCopyCounts.refused[k] = (directCopyCounts.refused[k] ?? 0) + 1;
        }
        return out;
      },
      beforeCall: () => {
        if (budget !== null) budget.value = DIRECT_SPEC_BUDGET;
      },
    };
  }
  if (variant === "fuel" || variant === "epoch") {
    const out = editModule(parsed, planFuel(parsed).edits);
    return {
      module: new WebAssembly.Module(out),
      extra,
      after: (inst) => {
        fuel = inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
        fuel.value = slice;
      },
    };
  }
  const prepared = prepareModule(parsed, policy);
  return {
    module: new WebAssembly.Module(prepared.bytes as Uint8Array<ArrayBuffer>),
    extra,
    after: (inst) => {
      fuel = inst.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
      if (fuel !== undefined) fuel.value = slice;
      // The start function, moved out of the start section, runs as part of instantiation.
      if (prepared.startExport !== null) (inst.exports[prepared.startExport] as () => void)();
    },
  };
}

function classify(e: unknown): string {
  if (e instanceof WebAssembly.Exception && e.is(DIRECT_TAG)) {
    const kind = e.getArg(DIRECT_TAG, 0) as number;
    return kind === DirectTrap.STACK ? "exhaustion" : `trap: ${DIRECT_TRAP_MESSAGES[kind]}`;
  }
  if (e instanceof WebAssembly.RuntimeError) return `trap: ${e.message}`;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return "exhaustion";
  if (e instanceof WebAssembly.Exception) return "exception";
  if (e instanceof WebAssembly.LinkError) return "link error";
  if (e instanceof WebAssembly.CompileError) return "compile error";
  if (e instanceof Error) return `error: ${e.name}`;
  return "error: thrown";
}

/** Instantiate in one world: "ok" or the failure, and the Live. */
function instantiate(world: World, c: Compiled, parsed: WasmModule | null): { outcome: string; live: Live } {
  const imports: Record<string, Record<string, unknown>> = { ...c.extra };
  for (const imp of WebAssembly.Module.imports(c.module)) {
    if (imp.module in c.extra) continue;
    const from = imp.module === "spectest" ? world.spectest : world.registry.get(imp.module);
    (imports[imp.module] ??= {})[imp.name] = from?.[imp.name];
  }
  try {
    const inst = new WebAssembly.Instance(c.module, imports as WebAssembly.Imports);
    c.after(inst);
    return {
      outcome: "ok",
      live: { exports: c.exportsOf ? c.exportsOf(inst) : inst.exports, parsed, beforeCall: c.beforeCall, registered: inst.exports },
    };
  } catch (e) {
    return { outcome: `instantiate: ${classify(e)}`, live: { exports: null, parsed } };
  }
}

function lineOf(src: string, offset: number): number {
  let n = 1;
  for (let i = src.indexOf("\n"); i >= 0 && i < offset; i = src.indexOf("\n", i + 1)) n++;
  return n;
}

/**
 * Non-ASCII characters inside string literals as \hh escapes: the assembler
 * refuses some (bidirectional controls) written as they are, and the bytes
 * are the same.
 */
function escapeStrings(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString && ch === "\\") {
      out += ch + text[++i];
      continue;
    }
    if (ch === '"') inString = !inString;
    const cp = text.codePointAt(i)!;
    if (inString && cp > 0x7e) {
      for (const b of utf8.encode(String.fromCodePoint(cp))) out += "\\" + b.toString(16).padStart(2, "0");
      if (cp > 0xffff) i++;
      continue;
    }
    out += ch;
  }
  return out;
}

const utf8 = new TextEncoder();

/** The bytes a module command stands for: binary, quote (assembled), or text (assembled). null: text that does not assemble. */
async function moduleBytes(src: string, e: SList): Promise<{ bytes: Uint8Array | null; name: string | null; definition: boolean }> {
  let i = 1;
  let definition = false;
  if (atom(e.items[i]) === "definition") {
    definition = true;
    i++;
  }
  let name: string | null = null;
  const a = atom(e.items[i]);
  if (a !== null && a.startsWith("$")) {
    name = a;
    i++;
  }
  const kind = atom(e.items[i]);
  if (kind === "binary") {
    const parts = e.items.slice(i + 1) as SString[];
    const total = parts.reduce((n, p) => n + p.bytes.length, 0);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p.bytes, at);
      at += p.bytes.length;
    }
    return { bytes, name, definition };
  }
  let text: string;
  if (kind === "quote") text = `(module ${(e.items.slice(i + 1) as SString[]).map(stringText).join(" ")})`;
  else text = `(module ${escapeStrings(src.slice(e.items[i]?.start ?? e.end - 1, e.end - 1))})`;
  try {
    return { bytes: await parseWat(text), name, definition };
  } catch {
    return { bytes: null, name, definition };
  }
}

/** The signature of an export, from the parsed module. */
function exportSignature(parsed: WasmModule | null, name: string): Signature | null {
  if (parsed === null) return null;
  const e = parsed.exports.find((x) => x.name === name && x.kind === "func");
  if (e === undefined) return null;
  const t = funcType(parsed, e.index);
  return t === undefined ? null : { params: t.params, results: t.results };
}

/** The value type of an exported global, from the parsed module. */
function globalType(parsed: WasmModule | null, name: string): string | null {
  const e = parsed?.exports.find((x) => x.name === name && x.kind === "global");
  if (parsed == null || e === undefined) return null;
  const imported = parsed.imports.filter((i) => i.kind === "global");
  const t =
    e.index < imported.length
      ? (imported[e.index] as { global: { type: string } }).global.type
      : parsed.globals[e.index - imported.length]?.global.type;
  return t === "i32" || t === "i64" || t === "f32" || t === "f64" ? t : null;
}

function jsArg(v: Value): unknown {
  if (v.type === "ref") return v.value;
  const view = new DataView(new ArrayBuffer(8));
  switch (v.type) {
    case "i32":
      return Number(BigInt.asIntN(32, v.bits));
    case "i64":
      return BigInt.asIntN(64, v.bits);
    case "f32":
      view.setUint32(0, Number(v.bits));
      return view.getFloat32(0);
    case "f64":
      view.setBigUint64(0, v.bits);
      return view.getFloat64(0);
    default:
      throw new TypeError("v128 cannot cross the JS boundary");
  }
}

function valueOfJs(x: unknown, type: string): Value {
  const view = new DataView(new ArrayBuffer(8));
  switch (type) {
    case "i32":
      return { type, bits: BigInt.asUintN(32, BigInt(x as number)) };
    case "i64":
      return { type, bits: BigInt.asUintN(64, x as bigint) };
    case "f32":
      view.setFloat32(0, x as number);
      return { type, bits: BigInt(view.getUint32(0)) };
    case "f64":
      view.setFloat64(0, x as number);
      return { type, bits: view.getBigUint64(0) };
    default:
      return { type: "ref", value: x };
  }
}

/** Runs an action (invoke or get) on a Live: the results or the failure. */
async function act(live: Live | null, action: SList): Promise<{ values: Value[] | null; outcome: string }> {
  if (live === null || live.exports === null) return { values: null, outcome: "no instance" };
  const isGet = head(action) === "get";
  let i = 1;
  if (atom(action.items[i])?.startsWith("$")) i++;
  const name = stringText(action.items[i] as SString);
  const target = live.exports[name];
  if (isGet) {
    if (!(target instanceof WebAssembly.Global)) return { values: null, outcome: "no such global" };
    try {
      const v = target.value;
      const type = globalType(live.parsed, name) ?? (typeof v === "bigint" ? "i64" : typeof v === "number" ? "f64" : "ref");
      const val = type === "ref" ? ({ type: "ref", value: v } as Value) : valueOfJs(v, type);
      return { values: [val], outcome: `ok ${describeValue(val)}` };
    } catch (e) {
      return { values: null, outcome: classify(e) };
    }
  }
  if (typeof target !== "function") return { values: null, outcome: "no such function" };
  const args = action.items.slice(i + 1).map(parseArg);
  const sig = exportSignature(live.parsed, name);
  live.beforeCall?.();
  const viaCopy = live.registered !== undefined && target !== live.registered[name];
  if (viaCopy) directCopyCounts.actions++;
  try {
    let values: Value[] | null = null;
    if (sig !== null && thunkable(sig)) {
      try {
        values = await callExact(target as (...a: unknown[]) => unknown, sig, args);
      } catch (e) {
        if (!(e instanceof ThunkUnavailable)) throw e;
      }
    }
    if (values === null) {
      const ret = (target as (...a: unknown[]) => unknown)(...args.map(jsArg));
      const types = sig?.results ?? [];
      const list = types.length === 1 ? [ret] : types.length === 0 ? [] : (ret as unknown[]);
      values = list.map((x, k) => valueOfJs(x, types[k] ?? "ref"));
    }
    return { values, outcome: `ok ${values.map(describeValue).join(" ")}` };
  } catch (e) {
    if (viaCopy) directCopyCounts.trapped++;
    // A copy must throw the tag, never trap or overflow the engine's stack: that would unwind a sender.
    const escaped = viaCopy && (e instanceof WebAssembly.RuntimeError || e instanceof RangeError);
    return { values: null, outcome: `${escaped ? "uncontained " : ""}${classify(e)}` };
  }
}

function emptyTotals(variants: readonly Variant[]): SpecTotals {
  return {
    files: 0,
    modules: 0,
    assertions: 0,
    variants,
    comparisons: 0,
    differences: [],
    refusals: { assert_malformed: { reader: 0, verifier: 0 }, assert_invalid: { reader: 0, verifier: 0 }, byCode: {} },
    hostExceptions: [],
    scriptMismatches: [],
    couldNotRun: {},
  };
}

/**
 * The toolkit on a binary the spec says is malformed or invalid: the reader
 * (and the decoder, over every body) refuses it with a WasmParseError, or
 * accepts it and the verifier refuses it (its final gate is the engine's
 * validation); the fuel pass and the writer on it throw only their own
 * errors; nothing else may escape.
 */
function checkRefused(
  totals: SpecTotals,
  kind: "assert_malformed" | "assert_invalid",
  file: string,
  line: number,
  bytes: Uint8Array,
  policy: VerifyPolicy,
): void {
  try {
    let m: WasmModule | null = null;
    try {
      m = readModule(bytes);
      for (const body of m.code) forEachInstruction(m, body, () => {});
    } catch (e) {
      if (!(e instanceof WasmParseError)) throw e;
      m = null;
      totals.refusals[kind].reader++;
    }
    if (m !== null) {
      totals.refusals[kind].verifier++;
      try {
        editModule(m, planFuel(m).edits);
      } catch (e) {
        if (!(e instanceof WasmParseError || e instanceof WasmEditError)) throw e;
      }
    }
    const report = verifyModule(bytes, policy);
    if (report.ok) {
      totals.hostExceptions.push({ file, line, message: "the verifier accepted a module the spec says is malformed or invalid" });
      return;
    }
    const code = report.errors.some((x) => x.code === "malformed")
      ? "malformed"
      : report.errors.some((x) => x.code === "invalid")
        ? "invalid"
        : report.errors[0].code;
    for (const err of report.errors) if (err.code === "internal") totals.hostExceptions.push({ file, line, message: err.message });
    totals.refusals.byCode[code] = (totals.refusals.byCode[code] ?? 0) + 1;
  } catch (e) {
    totals.hostExceptions.push({ file, line, message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}

let currentFile = "";
function skip(totals: SpecTotals, reason: string): void {
  totals.couldNotRun[reason] = (totals.couldNotRun[reason] ?? 0) + 1;
  if (process.env.SPEC_VERBOSE === "2") process.stderr.write(`skip ${currentFile}: ${reason}\n`);
}

/** Runs one script through every variant. */
async function runFile(dir: string, file: string, variants: readonly Variant[], totals: SpecTotals, policy: VerifyPolicy): Promise<void> {
  currentFile = file;
  const src = readFileSync(join(dir, file), "utf8");
  const commands = parseWast(src);
  const worlds = new Map(variants.map((v) => [v, new World()]));
  const definitions = new Map<string, { bytes: Uint8Array; parsed: WasmModule | null }>();

  /** Records one outcome per variant and compares them with the assembled one. */
  const compare = (line: number, command: string, outcomes: Map<Variant, string>) => {
    const base = outcomes.get("assembled")!;
    for (const [v, got] of outcomes) {
      if (v === "assembled") continue;
      totals.comparisons++;
      if (got !== base) totals.differences.push({ file, line, command, variant: v, assembled: base, got });
    }
  };

  const loadModule = async (line: number, bytes: Uint8Array, name: string | null, cmd: string, expectFailure: boolean) => {
    totals.modules++;
    let parsed: WasmModule | null = null;
    try {
      parsed = readModule(bytes);
    } catch {
      parsed = null;
    }
    const outcomes = new Map<Variant, string>();
    let assembledCompiles = true;
    for (const v of variants) {
      const world = worlds.get(v)!;
      let compiled: Compiled;
      try {
        compiled = buildVariant(v, bytes, parsed, policy);
      } catch (e) {
        if (v === "assembled") assembledCompiles = false;
        outcomes.set(v, `build: ${classify(e)}${e instanceof Error && v !== "assembled" ? ` (${e.message})` : ""}`);
        world.current = { exports: null, parsed };
        if (name !== null) world.named.set(name, world.current);
        continue;
      }
      const { outcome, live } = instantiate(world, compiled, parsed);
      outcomes.set(v, outcome);
      world.current = live;
      if (name !== null) world.named.set(name, live);
    }
    if (!assembledCompiles && !expectFailure) {
      // The engine cannot compile what the assembler produced (a proposal V8 lacks): nothing to compare.
      skip(totals, "the engine refuses the assembled module");
      return;
    }
    compare(line, cmd, outcomes);
  };

  let inline: SList[] = [];
  for (let ci = 0; ci < commands.length; ci++) {
    let c = commands[ci];
    let h = head(c);
    if (h.startsWith("@")) continue; // a top-level annotation: no command
    if (MODULE_FIELDS.has(h)) {
      // Module fields at the top level: one module of every consecutive field (inline-module.wast).
      inline.push(c);
      if (MODULE_FIELDS.has(head(commands[ci + 1] ?? c)) && ci + 1 < commands.length) continue;
      const text = `(module ${inline.map((f) => src.slice(f.start, f.end)).join(" ")})`;
      c = parseWast(text)[0];
      inline = [];
      h = "module";
      const line = lineOf(src, commands[ci].start);
      try {
        await loadModule(line, await parseWat(text), null, "module", false);
      } catch {
        skip(totals, "a module the assembler cannot assemble");
      }
      continue;
    }
    const line = lineOf(src, c.start);
    try {
      if (h === "module") {
        if (atom(c.items[1]) === "instance") {
          const inst = atom(c.items[2]);
          const def = definitions.get(atom(c.items[3]) ?? "");
          if (def === undefined) {
            skip(totals, "module instance of an unknown definition");
            continue;
          }
          totals.assertions++;
          await loadModule(line, def.bytes, inst, "module instance", false);
          continue;
        }
        const { bytes, name, definition } = await moduleBytes(src, c);
        if (bytes === null) {
          skip(totals, "a module the assembler cannot assemble");
          for (const w of worlds.values()) w.current = null;
          continue;
        }
        if (definition) {
          let parsed: WasmModule | null = null;
          try {
            parsed = readModule(bytes);
          } catch {
            parsed = null;
          }
          definitions.set(name ?? "", { bytes, parsed });
          continue;
        }
        await loadModule(line, bytes, name, "module", false);
        continue;
      }
      if (h === "register") {
        totals.assertions++;
        const as = stringText(c.items[1] as SString);
        const from = atom(c.items[2]);
        for (const w of worlds.values()) {
          const live = from === null ? w.current : w.named.get(from);
          if (live?.exports) w.registry.set(as, live.registered ?? live.exports);
        }
        continue;
      }
      if (
        h === "invoke" ||
        h === "get" ||
        h === "assert_return" ||
        h === "assert_trap" ||
        h === "assert_exhaustion" ||
        h === "assert_exception"
      ) {
        const action = h === "invoke" || h === "get" ? c : (c.items[1] as SList);
        if (head(action) === "module") {
          // assert_trap (module ...): instantiation traps (a start function, segments out of bounds).
          const { bytes, name } = await moduleBytes(src, action);
          if (bytes === null) {
            skip(totals, "a module the assembler cannot assemble");
            continue;
          }
          totals.assertions++;
          await loadModule(line, bytes, name, h, true);
          continue;
        }
        totals.assertions++;
        const target = atom(action.items[1])?.startsWith("$") ? atom(action.items[1]) : null;
        const outcomes = new Map<Variant, string>();
        let assembledValues: Value[] | null = null;
        for (const v of variants) {
          const w = worlds.get(v)!;
          const live = target === null ? w.current : (w.named.get(target) ?? null);
          const r = await act(live, action);
          outcomes.set(v, r.outcome);
          if (v === "assembled") assembledValues = r.values;
        }
        const base = outcomes.get("assembled")!;
        if (base === "no instance") {
          skip(totals, "an action on a module that could not be compiled");
          continue;
        }
        compare(line, h, outcomes);
        // Against the script's expectation (engine or literal disagreements; not the toolkit's differences).
        let agrees = true;
        if (h === "assert_return") {
          let expected: Expected[] = [];
          try {
            expected = c.items.slice(2).map(parseExpected);
          } catch {
            skip(totals, "an expected value the driver cannot parse");
            continue;
          }
          agrees =
            assembledValues !== null &&
            assembledValues.length === expected.length &&
            expected.every((e, k) => matches(assembledValues![k], e));
        } else if (h === "assert_trap") agrees = base.startsWith("trap");
        else if (h === "assert_exhaustion") agrees = base === "exhaustion";
        else if (h === "assert_exception") agrees = base === "exception";
        if (!agrees && base === "error: TypeError") skip(totals, "a value V8 cannot pass to or from JavaScript (exnref)");
        else if (!agrees) totals.scriptMismatches.push({ file, line, command: h, got: base });
        continue;
      }
      if (h === "assert_malformed" || h === "assert_invalid") {
        const { bytes } = await moduleBytes(src, c.items[1] as SList);
        if (bytes === null) {
          skip(totals, `${h}: text that does not assemble (a text-format check, no binary)`);
          continue;
        }
        totals.assertions++;
        if (WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>)) {
          skip(totals, `${h}: the engine accepts the binary (a proposal's rule V8 does not check)`);
          continue;
        }
        checkRefused(totals, h, file, line, bytes, policy);
        continue;
      }
      if (h === "assert_unlinkable" || h === "assert_uninstantiable") {
        const { bytes } = await moduleBytes(src, c.items[1] as SList);
        if (bytes === null) {
          skip(totals, "a module the assembler cannot assemble");
          continue;
        }
        totals.assertions++;
        const saved = new Map([...worlds].map(([v, w]) => [v, w.current]));
        await loadModule(line, bytes, null, h, true);
        for (const [v, w] of worlds) w.current = saved.get(v)!; // a failed module does not become the current one
        continue;
      }
      skip(totals, `command ${h || "?"} (threads and other script forms the driver does not run)`);
    } catch (e) {
      totals.hostExceptions.push({ file, line, message: `driver: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` });
    }
  }
  totals.files++;
}

/** The top-level .wast scripts of a suite directory, sorted. */
export function specFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".wast"))
    .sort();
}

/** Runs the driver; resolves to the totals. */
export async function runSpec(options: SpecOptions): Promise<SpecTotals> {
  const variants = options.variants ?? VARIANTS;
  const totals = emptyTotals(variants);
  const policy = permissivePolicy();
  for (const file of options.files ?? specFiles(options.dir)) {
    await runFile(options.dir, file, variants, totals, policy);
    options.progress?.(file, totals);
  }
  return totals;
}
