// The module verifier: decides whether a wasm binary may become a wasmos
// process, before anything of it runs, and says why not with the import,
// memory, function or instruction named.
//
// Order of checks: size, parse, imports, memories and tables, exports, the
// proposals used (module-level, then every instruction), and last, only if
// nothing else was found, WebAssembly.validate as the final gate for typing
// (for a large module computed meanwhile on another thread: engine-gate.ts).

import { forEachInstruction, lastWalk, type InstructionVisitor } from "../wasm/decode.ts";
import { Feature, featureBit, featureNames, type FeatureName } from "../wasm/opcodes.ts";
import {
  WasmParseError,
  formatSignature,
  funcType,
  functionName,
  readModule,
  type FunctionBody,
  type Limits,
  type WasmModule,
} from "../wasm/reader.ts";
import type { Signature, VerifyPolicy } from "./policy.ts";
import { startValidation, type PendingValidation, type SharedScan } from "./engine-gate.ts";
import { chunkBounds, type ScanKind } from "./parallel-scan.ts";
import type { PackedScan } from "./instrument/fuel.ts";

export type { VerifyPolicy };

/** Export names the loader itself adds (the moved start function); a guest may not use them. */
export const RESERVED_EXPORT_PREFIX = "__wasmos";

export type VerifyErrorCode =
  | "malformed" // the bytes are not a well-formed module
  | "invalid" // well formed, but WebAssembly.validate refuses it
  | "module-too-large"
  | "import-not-in-abi"
  | "import-signature"
  | "import-kind"
  | "grants-disabled"
  | "memory-limit"
  | "table-limit"
  | "shared-memory"
  | "multi-memory"
  | "missing-memory-export"
  | "memory-export-grant"
  | "missing-entry"
  | "entry-signature"
  | "reserved-export"
  | "engine-limit" // the prepared module would cross one of the engine's limits (wasm/limits.ts)
  | "compile" // the engine refused the prepared module (a loader bug or an engine limit not modelled)
  | `feature-${FeatureName | "custom-page-sizes"}`
  | "internal"; // a verifier bug; the module is refused (fail closed)

export interface VerifyError {
  code: VerifyErrorCode;
  message: string;
  /** Absolute byte offset of the culprit, when there is one. */
  offset?: number;
  /** Function index of the culprit instruction, for code-level refusals. */
  func?: number;
}

export interface ImportInfo {
  module: string;
  name: string;
  kind: string;
  /** "(i32, i32) -> i32" for functions, limits for memories and tables, the type for globals. */
  type: string;
}

export interface GrantInfo {
  /** The import name: the name the spawner passes a memory capability under. */
  name: string;
  /** Index in the module's memory index space. */
  memory: number;
  min: number;
  max: number | null;
  shared: boolean;
}

export interface VerifyInfo {
  size: number;
  imports: ImportInfo[];
  exports: { name: string; kind: string; index: number }[];
  /** The module's own memory (the first non-grant one); null if it has none. */
  memory: { index: number; min: number; max: number | null; exported: boolean } | null;
  tables: { elemType: string; min: number; max: number | null }[];
  hasStart: boolean;
  grants: GrantInfo[];
  /** Proposals beyond the MVP the module uses, anywhere. */
  features: FeatureName[];
  /** Functions defined by the module. */
  functions: number;
  /** The personality import module the module uses (e.g. "wasi_snapshot_preview1"), or null for a native wasmos guest. */
  personality: string | null;
}

export interface VerifyReport {
  ok: boolean;
  errors: VerifyError[];
  info: VerifyInfo;
}

const AS_RUNTIME_IMPORTS = new Set(["abort", "trace", "seed"]);

/** Why each refusable proposal is refused, for messages. */
const FEATURE_REASONS: Partial<Record<FeatureName, string>> = {
  threads: "threads and atomics are not supported: one kernel thread runs every process",
  exceptions: "exception handling is refused: a guest could catch the kernel's unwinding",
  gc: "GC types and instructions are not supported",
  "function-references": "typed function references are not supported",
  "relaxed-simd": "relaxed SIMD is refused: its results differ between hosts and wasmos runs are deterministic",
  memory64: "64-bit memories and tables are not supported",
};

/**
 * Checks `bytes` against `policy`. Returns a report; `ok` is true only with
 * no errors. Never throws: malformed bytes become a "malformed" error, and a
 * failure of the verifier itself an "internal" one (the module is refused).
 */
export function verifyModule(bytes: Uint8Array, policy: VerifyPolicy): VerifyReport {
  return verifyAndParse(bytes, policy).report;
}

/**
 * Another pass that rides on the verifier's walk of every body (the loader's
 * fuel scan): given the parsed module, it gives a visitor per body, called
 * on the instructions its filter selects (decode.ts visitFilter; null: every
 * one), in order.
 */
export type BodyWalker = ((m: WasmModule) => BodyWalk) & {
  /**
   * The walk the gate worker can do too for a share of the bodies
   * (parallel-scan.ts; the walk then adopts what it packed); absent: the
   * verifier walks every body on this thread.
   */
  readonly parallel?: "fuel";
};
export interface BodyWalk {
  begin(body: FunctionBody): InstructionVisitor;
  readonly filter: Uint8Array | null;
  /** Takes bodies [first, end) (m.code indices) as the same walk packed them on another thread. */
  adopt?(first: number, end: number, packed: PackedScan): void;
}

/**
 * Tests only: `beforeCode` runs once the module has parsed, before its bodies
 * are walked (a test waits there so the gate worker takes a share of the
 * walk: loader/parallel-scan.ts); `afterCode` gets the shared walk (null when
 * every body was walked here).
 */
export const verifierTestHooks: { beforeCode: (() => void) | null; afterCode: ((shared: SharedScan | null) => void) | null } = {
  beforeCode: null,
  afterCode: null,
};

/**
 * verifyModule, also handing back the parsed module (null when the bytes are
 * malformed) so a load parses its bytes once. With `deferGate`, the engine's
 * answer on a module whose gate worker shares the body walk may be left to
 * the caller: `finalGate` is then non-null, and the report is not final (nor
 * `ok` to be trusted) until the caller has run it; it adds the "invalid"
 * error just as the verifier would have. The loader runs it after preparing
 * the module (the worker validates meanwhile) and before compiling it.
 * With `digest`, the gate's worker also takes the SHA-256 of the bytes once
 * it has found them valid (where it shares the walk); `digest()` gives it,
 * or null when the caller is to hash them itself (engine-gate.ts
 * PendingValidation.digest).
 */
export function verifyAndParse(
  bytes: Uint8Array,
  policy: VerifyPolicy,
  alsoVisit?: BodyWalker,
  options: { deferGate?: boolean; digest?: boolean } = {},
): { report: VerifyReport; module: WasmModule | null; finalGate: (() => void) | null; digest: () => string | null } {
  const report: VerifyReport = {
    ok: false,
    errors: [],
    info: {
      size: bytes.length,
      imports: [],
      exports: [],
      memory: null,
      tables: [],
      hasStart: false,
      grants: [],
      features: [],
      functions: 0,
      personality: null,
    },
  };
  const verifier = new Verifier(bytes, policy, report, alsoVisit, options.deferGate ?? false, options.digest ?? false);
  const guarded = (step: () => void) => {
    try {
      step();
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      report.errors.push({ code: "internal", message: `verifier failure (module refused): ${detail}` });
    }
    report.ok = report.errors.length === 0;
  };
  guarded(() => verifier.run());
  const deferred = verifier.deferred;
  const gate = verifier.gate;
  return {
    report,
    module: verifier.module,
    finalGate: deferred === null ? null : () => guarded(deferred),
    digest: () => (gate === null ? null : gate.digest()),
  };
}

class Verifier {
  private readonly bytes: Uint8Array;
  private readonly policy: VerifyPolicy;
  private readonly report: VerifyReport;
  private readonly refused: number;
  /** The parsed module, once the bytes parse. */
  module: WasmModule | null = null;
  private readonly alsoVisit: BodyWalker | undefined;
  /** The body walk shared with the gate worker, or null. */
  private shared: SharedScan | null = null;

  /** The final gate, when the caller asked to run it itself (verifyAndParse's deferGate) and nothing else refused. */
  deferred: (() => void) | null = null;
  private readonly deferGate: boolean;
  /** Whether the gate's worker is asked for the bytes' SHA-256 (verifyAndParse's digest), and the gate once started. */
  private readonly wantDigest: boolean;
  gate: PendingValidation | null = null;

  constructor(
    bytes: Uint8Array,
    policy: VerifyPolicy,
    report: VerifyReport,
    alsoVisit: BodyWalker | undefined,
    deferGate: boolean,
    wantDigest: boolean,
  ) {
    this.deferGate = deferGate;
    this.wantDigest = wantDigest;
    this.alsoVisit = alsoVisit;
    this.bytes = bytes;
    this.policy = policy;
    this.report = report;
    let allowed = 0;
    for (const name of policy.allowedFeatures) allowed |= featureBit(name);
    this.refused = ~allowed;
  }

  private error(code: VerifyErrorCode, message: string, offset?: number, func?: number): void {
    const e: VerifyError = { code, message };
    if (offset !== undefined) e.offset = offset;
    if (func !== undefined) e.func = func;
    this.report.errors.push(e);
  }

  run(): void {
    const { bytes, policy } = this;
    if (bytes.length > policy.maxModuleBytes) {
      this.error("module-too-large", `module is ${bytes.length} bytes, limit ${policy.maxModuleBytes}`);
      return;
    }
    // The engine's validation of a large module runs on another thread meanwhile (loader/engine-gate.ts); its answer is
    // read last, or by the caller once it has prepared the module (deferGate: the worker validates after its share of
    // the body walk).
    const walker = this.alsoVisit;
    const scan: ScanKind | null = walker === undefined ? "decode" : (walker.parallel ?? null);
    const gate = startValidation(bytes, scan, !this.deferGate, this.wantDigest);
    this.gate = gate;
    this.shared = gate.scan;
    let gated = false;
    try {
      let m: WasmModule;
      try {
        m = readModule(bytes);
        this.module = m;
      } catch (e) {
        if (!(e instanceof WasmParseError)) throw e;
        this.error("malformed", e.message, e.offset);
        return;
      }
      this.describe(m);
      this.checkImports(m);
      this.checkMemories(m);
      this.checkTables(m);
      this.checkExports(m);
      this.checkModuleFeatures(m);
      verifierTestHooks.beforeCode?.();
      this.checkCode(m);
      verifierTestHooks.afterCode?.(this.shared);
      if (this.report.errors.length === 0) {
        gated = true;
        // Deferred only where the worker validates after its share of the walk (a large module in Node); else read now.
        if (this.deferGate && gate.scan !== null) this.deferred = () => this.finalGate(gate);
        else this.finalGate(gate);
      }
    } finally {
      if (!gated) gate.cancel();
    }
  }

  /** Fills report.info from the parsed module. */
  private describe(m: WasmModule): void {
    const info = this.report.info;
    for (const imp of m.imports) {
      let type: string;
      switch (imp.kind) {
        case "func": {
          const t = m.types[imp.type];
          type = t?.kind === "func" ? formatSignature(t.params, t.results) : `type ${imp.type}`;
          break;
        }
        case "memory":
          type = formatLimits(imp.memory, "pages");
          break;
        case "table":
          type = `${imp.table.elemType} ${formatLimits(imp.table.limits, "elements")}`;
          break;
        case "global":
          type = `${imp.global.mutable ? "mut " : ""}${imp.global.type}`;
          break;
        case "tag":
          type = `type ${imp.type}`;
          break;
      }
      info.imports.push({ module: imp.module, name: imp.name, kind: imp.kind, type });
    }
    info.exports = m.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index }));
    const own = m.memories[0];
    if (own !== undefined) {
      const index = m.importedMemories;
      const exported = m.exports.some((e) => e.kind === "memory" && e.index === index);
      info.memory = { index, min: own.min, max: own.max, exported };
    }
    info.tables = m.tables.map((t) => ({ elemType: t.elemType, min: t.limits.min, max: t.limits.max }));
    info.hasStart = m.start !== null;
    info.functions = m.code.length;
    info.features = featureNames(m.features);
  }

  private checkImports(m: WasmModule): void {
    const { policy } = this;
    let memoryIndex = 0;
    for (const imp of m.imports) {
      const where = `import "${imp.module}" "${imp.name}"`;
      if (imp.module === policy.importModule) {
        const expected = policy.syscalls.get(imp.name);
        if (expected === undefined) {
          this.error("import-not-in-abi", `${where} is not part of the wasmos ABI (no syscall "${imp.name}")`, imp.start);
        } else if (imp.kind !== "func") {
          this.error("import-kind", `${where} must be a function, found a ${imp.kind}`, imp.start);
        } else {
          const want = formatSignature(expected.params, expected.results);
          const t = m.types[imp.type];
          if (t?.kind !== "func") {
            this.error("import-signature", `${where}: expected ${want}, found type ${imp.type}, which is not a function type`, imp.start);
          } else if (!sameTypes(t.params, expected.params) || !sameTypes(t.results, expected.results)) {
            this.error("import-signature", `${where}: expected ${want}, found ${formatSignature(t.params, t.results)}`, imp.start);
          }
        }
      } else if (imp.module === policy.grantModule) {
        if (imp.kind !== "memory") {
          this.error("import-kind", `${where} is a ${imp.kind}; only memories can be imported from "${policy.grantModule}"`, imp.start);
        } else if (!policy.grantsEnabled) {
          this.error("grants-disabled", `${where} asks for a memory grant, and grants are disabled by the policy`, imp.start);
        } else {
          const l = imp.memory;
          this.report.info.grants.push({ name: imp.name, memory: memoryIndex, min: l.min, max: l.max, shared: l.shared });
        }
      } else if (policy.personalities.has(imp.module)) {
        this.checkPersonalityImport(m, imp, where, policy.personalities.get(imp.module)!);
      } else if (imp.module === "env" && AS_RUNTIME_IMPORTS.has(imp.name)) {
        this.error(
          "import-not-in-abi",
          `${where} is not part of the wasmos ABI; AssemblyScript's abort/trace/seed must be routed through the SDK (asc --use ${imp.name}=...)`,
          imp.start,
        );
      } else {
        this.error(
          "import-not-in-abi",
          `${where} is not part of the wasmos ABI (a guest imports only syscalls from "${policy.importModule}" and memory grants from "${policy.grantModule}")`,
          imp.start,
        );
      }
      if (imp.kind === "memory") memoryIndex++;
    }
  }

  /** An import from a personality's module: a function it offers, with its signature; one personality per module. */
  private checkPersonalityImport(
    m: WasmModule,
    imp: WasmModule["imports"][number],
    where: string,
    table: ReadonlyMap<string, Signature>,
  ): void {
    const info = this.report.info;
    if (info.personality !== null && info.personality !== imp.module) {
      this.error(
        "import-not-in-abi",
        `${where}: a module may use one personality, and this one already imports from "${info.personality}"`,
        imp.start,
      );
      return;
    }
    info.personality = imp.module;
    const expected = table.get(imp.name);
    if (expected === undefined) {
      this.error("import-not-in-abi", `${where} is not a function of ${imp.module}`, imp.start);
    } else if (imp.kind !== "func") {
      this.error("import-kind", `${where} must be a function, found a ${imp.kind}`, imp.start);
    } else {
      const t = m.types[imp.type];
      const want = formatSignature(expected.params, expected.results);
      if (t?.kind !== "func" || !sameTypes(t.params, expected.params) || !sameTypes(t.results, expected.results)) {
        const found = t?.kind === "func" ? formatSignature(t.params, t.results) : `type ${imp.type}`;
        this.error("import-signature", `${where}: expected ${want}, found ${found}`, imp.start);
      }
    }
  }

  private checkMemories(m: WasmModule): void {
    const { policy } = this;
    const all: { limits: Limits; label: string; own: boolean }[] = [];
    for (const imp of m.imports) {
      if (imp.kind === "memory")
        all.push({ limits: imp.memory, label: `memory ${all.length} (import "${imp.module}" "${imp.name}")`, own: false });
    }
    for (const limits of m.memories) all.push({ limits, label: `memory ${all.length}`, own: true });
    for (const { limits, label, own } of all) {
      if (limits.shared) this.error("shared-memory", `${label} is shared; shared memories (threads) are not supported`);
      if (limits.index64 && !policy.allowedFeatures.has("memory64")) {
        this.error("feature-memory64", `${label} uses 64-bit addresses (memory64); ${FEATURE_REASONS.memory64}`);
      }
      if (limits.pageSizeLog2 !== null && limits.pageSizeLog2 !== 16) {
        this.error(
          "feature-custom-page-sizes",
          `${label} declares a page size of ${2 ** limits.pageSizeLog2} bytes; only 64 KiB pages are supported`,
        );
      }
      if (limits.min > policy.maxMemoryPages) {
        this.error("memory-limit", `${label} declares minimum ${limits.min} pages, limit ${policy.maxMemoryPages}`);
      }
      // The module's own memory may declare a larger maximum (real programs declare 4 GiB): preparation lowers it to
      // the limit (loader/prepare.ts capMemoryMax), and growth stops at the process's budget anyway. A grant cannot be.
      if (!own && limits.max !== null && limits.max > policy.maxMemoryPages) {
        this.error(
          "memory-limit",
          `${label} declares maximum ${limits.max} pages, limit ${policy.maxMemoryPages} (omit the maximum and the kernel caps growth)`,
        );
      }
    }
    if (m.memories.length > 1) {
      this.error(
        "multi-memory",
        `module defines ${m.memories.length} memories; a guest has one memory of its own, and any other must be a grant imported from "${policy.grantModule}"`,
      );
    }
  }

  private checkTables(m: WasmModule): void {
    const { policy } = this;
    const max = policy.maxTableElements;
    m.tables.forEach((t, i) => {
      const label = `table ${m.importedTables + i}`;
      const l = t.limits;
      if (l.index64 && !policy.allowedFeatures.has("memory64")) {
        this.error("feature-memory64", `${label} uses 64-bit indices (table64); ${FEATURE_REASONS.memory64}`, t.start);
      }
      if (l.min > max) this.error("table-limit", `${label} declares minimum ${l.min} elements, limit ${max}`, t.start);
      if (l.max !== null && l.max > max) {
        this.error(
          "table-limit",
          `${label} declares maximum ${l.max} elements, limit ${max} (omit the maximum and the kernel caps growth)`,
          t.start,
        );
      }
    });
  }

  private checkExports(m: WasmModule): void {
    const { policy } = this;
    const memory = m.exports.find((e) => e.name === policy.memoryExport);
    if (memory === undefined) {
      this.error("missing-memory-export", `module does not export its memory as "${policy.memoryExport}"`);
    } else if (memory.kind !== "memory") {
      this.error("missing-memory-export", `export "${memory.name}" is a ${memory.kind}, not a memory`, memory.start);
    } else if (memory.index < m.importedMemories) {
      const grant = m.imports.filter((i) => i.kind === "memory")[memory.index];
      this.error(
        "memory-export-grant",
        `export "${memory.name}" is the imported memory "${grant.module}" "${grant.name}"; it must be the module's own memory`,
        memory.start,
      );
    }
    for (const e of m.exports) {
      if (e.name.startsWith(RESERVED_EXPORT_PREFIX)) {
        this.error("reserved-export", `export "${e.name}": names starting "${RESERVED_EXPORT_PREFIX}" are reserved to the kernel`, e.start);
      }
    }
    const entry = m.exports.find((e) => e.name === policy.entryExport);
    if (entry === undefined) {
      this.error("missing-entry", `module does not export "${policy.entryExport}" (the entry point, of type () -> ())`);
    } else if (entry.kind !== "func") {
      this.error("entry-signature", `export "${entry.name}" is a ${entry.kind}, not a function of type () -> ()`, entry.start);
    } else {
      const t = funcType(m, entry.index);
      if (t === undefined || t.params.length !== 0 || t.results.length !== 0) {
        const found = t === undefined ? "no function type" : formatSignature(t.params, t.results);
        this.error("entry-signature", `export "${entry.name}" must have type () -> (), found ${found}`, entry.start);
      }
    }
  }

  /** Proposals used outside code: types, tags, globals, tables, locals. */
  private checkModuleFeatures(m: WasmModule): void {
    // Shared and 64-bit memories and tables are reported by their own checks.
    const handledElsewhere = Feature.THREADS | Feature.MEMORY64;
    for (const site of m.featureSites) {
      if ((site.feature & this.refused & ~handledElsewhere) === 0) continue;
      const name = featureNames(site.feature)[0];
      this.error(
        `feature-${name}`,
        `${site.what} (section ${site.section}, offset 0x${site.offset.toString(16)}): ${reasonFor(name)}`,
        site.offset,
      );
    }
  }

  /**
   * Decodes every function body; reports the first use of each refused
   * proposal. The walk visits no instruction for itself (the decoder gives
   * each body's proposal bits); only a body that uses a refused one is
   * walked again, to name the instruction.
   */
  private checkCode(m: WasmModule): void {
    interface Use {
      func: number;
      offset: number;
      instr: string;
      uses: number;
      funcs: Set<number>;
    }
    const uses = new Map<number, Use>();
    const refused = this.refused;
    let features = 0;
    const walk = this.alsoVisit?.(m) ?? null;
    const offending: FunctionBody[] = [];
    /** Walks bodies [first, end) here; false when one does not decode (reported). */
    const walkHere = (first: number, end: number): boolean => {
      for (let i = first; i < end; i++) {
        const body = m.code[i];
        try {
          forEachInstruction(m, body, walk === null ? null : walk.begin(body), walk === null ? null : walk.filter);
        } catch (e) {
          if (!(e instanceof WasmParseError)) throw e;
          this.error("malformed", e.message, e.offset, body.index);
          return false;
        }
        const bits = lastWalk.features;
        features |= bits;
        if ((bits & refused) !== 0) offending.push(body);
      }
      return true;
    };
    const shared = this.shared;
    if (shared === null || (walk !== null && walk.adopt === undefined)) {
      if (!walkHere(0, m.code.length)) return;
    } else {
      // Chunks in body order: each walked here, or adopted from the worker (parallel-scan.ts), so the first body that
      // does not decode is the one reported, and the walk's facts come out as a walk of every body here would leave them.
      try {
        const bounds = chunkBounds(m);
        for (let c = 0; c + 1 < bounds.length; c++) {
          const first = bounds[c];
          const end = bounds[c + 1];
          const r = shared.takeHere(c) ? null : shared.result(c);
          if (r === null || (walk !== null && r.error === null && r.walk === null)) {
            if (!walkHere(first, end)) return;
            continue;
          }
          if (r.error !== null) {
            this.error("malformed", r.error.message, r.error.offset, r.error.func);
            return;
          }
          if (walk !== null) walk.adopt!(first, end, r.walk!);
          for (let i = first; i < end; i++) {
            const bits = r.features[i - first];
            features |= bits;
            if ((bits & refused) !== 0) offending.push(m.code[i]);
          }
        }
      } finally {
        shared.close();
      }
    }
    for (const body of offending) {
      forEachInstruction(m, body, (ins) => {
        const bits = ins.features;
        if ((bits & refused) === 0) return;
        for (let bit = 1; bit <= bits; bit <<= 1) {
          if ((bits & refused & bit) === 0) continue;
          let use = uses.get(bit);
          if (use === undefined) {
            use = { func: body.index, offset: ins.offset, instr: ins.op.name, uses: 0, funcs: new Set() };
            uses.set(bit, use);
          }
          use.uses++;
          use.funcs.add(body.index);
        }
      });
    }
    this.report.info.features = featureNames(features | m.features);
    for (const [bit, use] of uses) {
      const name = featureNames(bit)[0];
      const fname = functionName(m, use.func);
      const who = `function ${use.func}${fname === null ? "" : ` "${fname}"`}`;
      const more =
        use.uses > 1
          ? ` (${use.uses - 1} more use${use.uses > 2 ? "s" : ""}${use.funcs.size > 1 ? ` in ${use.funcs.size} functions` : ""})`
          : "";
      this.error(
        `feature-${name}`,
        `${who} uses ${use.instr} at offset 0x${use.offset.toString(16)}${more}: ${reasonFor(name)}`,
        use.offset,
        use.func,
      );
    }
  }

  /** WebAssembly.validate, with the engine's reason when it refuses. */
  private finalGate(gate: PendingValidation): void {
    const bytes = this.bytes as Uint8Array<ArrayBuffer>;
    if (gate.valid()) return;
    let reason = "WebAssembly.validate refused the module";
    try {
      new WebAssembly.Module(bytes);
    } catch (e) {
      if (e instanceof Error) reason = e.message;
    }
    this.error("invalid", `module is not valid WebAssembly: ${reason}`);
  }
}

function reasonFor(feature: FeatureName): string {
  return FEATURE_REASONS[feature] ?? `the ${feature} proposal is not enabled by the policy`;
}

function sameTypes(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function formatLimits(l: Limits, unit: string): string {
  const range = l.max === null ? `${l.min}.. ${unit}` : `${l.min}..${l.max} ${unit}`;
  return range + (l.shared ? " shared" : "") + (l.index64 ? " i64" : "");
}

/** Multi-line text for `wasmos check`: imports, exports, memory, grants, features, verdict and errors. */
export function formatReport(report: VerifyReport, name = "module"): string {
  const { info } = report;
  const lines: string[] = [];
  lines.push(`${name}: ${info.size} bytes, ${info.functions} functions`);
  lines.push(`imports (${info.imports.length}):`);
  for (const i of info.imports) lines.push(`  ${i.module}.${i.name}  ${i.kind} ${i.type}`);
  lines.push(`exports (${info.exports.length}):`);
  for (const e of info.exports) lines.push(`  ${e.name}  ${e.kind} ${e.index}`);
  const mem = info.memory;
  lines.push(
    mem === null
      ? "memory: none of its own"
      : `memory: ${mem.min} pages min, ${mem.max === null ? "no maximum" : `${mem.max} pages max`}, ${mem.exported ? "exported" : "not exported"}`,
  );
  for (const t of info.tables) lines.push(`table: ${t.elemType}, ${t.min} min, ${t.max === null ? "no maximum" : `${t.max} max`}`);
  for (const g of info.grants) {
    lines.push(
      `grant "${g.name}": memory ${g.memory}, ${g.min} pages min${g.max === null ? "" : `, ${g.max} max`}${g.shared ? ", shared" : ""}`,
    );
  }
  if (info.hasStart) lines.push("start function: yes (run by the kernel as part of the process)");
  lines.push(`features: ${info.features.length === 0 ? "mvp only" : info.features.join(", ")}`);
  if (report.ok) {
    lines.push(
      info.personality === null
        ? "verdict: OK, a valid wasmos guest"
        : `verdict: OK, a ${info.personality} program (not a native wasmos guest): it runs under the ${info.personality} personality`,
    );
  } else {
    lines.push(`verdict: REFUSED (${report.errors.length} error${report.errors.length === 1 ? "" : "s"})`);
    for (const e of report.errors) lines.push(`  [${e.code}] ${e.message}`);
  }
  return lines.join("\n");
}
