// VerifyPolicy: what the module verifier accepts, derived from the ABI
// definition (abi/wasmos.abi.json): the syscall imports and their core wasm
// signatures, the resource ceilings, and the wasm proposals a guest may use.

import abiDefinition from "../abi/wasmos.abi.json" with { type: "json" };
import wasiPreview1 from "../abi/personalities/wasi_snapshot_preview1.json" with { type: "json" };
import type { FeatureName } from "../wasm/opcodes.ts";
import type { ValType } from "../wasm/types.ts";

export interface Signature {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface VerifyPolicy {
  /** Module every syscall is imported from ("wasmos"). */
  readonly importModule: string;
  /** The function imports allowed from importModule, by name, with their signatures. */
  readonly syscalls: ReadonlyMap<string, Signature>;
  /** Module memory grants are imported from ("grant"); only memories may come from it. */
  readonly grantModule: string;
  /** Whether a module may import grant memories at all. */
  readonly grantsEnabled: boolean;
  /** Ceiling on every memory's declared minimum and maximum, in 64 KiB pages. */
  readonly maxMemoryPages: number;
  /** Ceiling on every table's declared minimum and maximum, in elements. */
  readonly maxTableElements: number;
  readonly maxModuleBytes: number;
  /** Proposals a module may use beyond the MVP; any other is refused as feature-<name>. */
  readonly allowedFeatures: ReadonlySet<FeatureName>;
  /** Export names the kernel needs: the memory syscall pointers refer to, and the entry point. */
  readonly memoryExport: string;
  readonly entryExport: string;
  /**
   * Import modules of personalities (foreign ABIs the host serves through a
   * personality layer, e.g. WASI preview 1), each with the functions it
   * offers and their signatures. A module importing from one of these is
   * accepted and tagged with the personality's module name (info.personality).
   */
  readonly personalities: ReadonlyMap<string, ReadonlyMap<string, Signature>>;
}

/** A personality's import table as the abi/personalities/*.json files give it. */
export interface PersonalityTable {
  readonly module: string;
  readonly functions: readonly { readonly name: string; readonly params: readonly string[]; readonly results: readonly string[] }[];
}

/** The signatures of a personality table, by function name. */
export function personalitySignatures(table: PersonalityTable): ReadonlyMap<string, Signature> {
  return new Map(table.functions.map((f) => [f.name, { params: f.params as ValType[], results: f.results as ValType[] }]));
}

/** Personalities the default policy accepts: WASI preview 1 (abi/personalities/wasi_snapshot_preview1.json). */
export const DEFAULT_PERSONALITIES: ReadonlyMap<string, ReadonlyMap<string, Signature>> = new Map([
  [wasiPreview1.module, personalitySignatures(wasiPreview1)],
]);

/** The parts of the ABI definition the policy reads. */
export interface AbiForPolicy {
  readonly import_module: string;
  readonly limits: readonly { readonly name: string; readonly value: number }[];
  readonly syscalls: readonly {
    readonly name: string;
    readonly params: readonly { readonly type: string }[];
    readonly result: { readonly type: string };
  }[];
  readonly sys: { readonly name: string; readonly params: readonly string[]; readonly result: string };
}

/**
 * Proposals allowed by default. Refused: threads (one kernel thread runs
 * everything), exceptions (a guest could catch the kernel's unwinding),
 * relaxed SIMD (results differ between hosts; runs are deterministic), GC,
 * typed function references and memory64 (not supported by the loader).
 */
export const DEFAULT_FEATURES: readonly FeatureName[] = [
  "sign-ext",
  "sat-conv",
  "bulk-memory",
  "reference-types",
  "multi-value",
  "simd",
  "tail-call",
  "extended-const",
  "multi-memory",
];

/** Builds a policy from an ABI definition; `overrides` replace single fields. Throws Error on a definition without a needed limit. */
export function policyFromAbi(abi: AbiForPolicy, overrides: Partial<VerifyPolicy> = {}): VerifyPolicy {
  const limit = (name: string): number => {
    const entry = abi.limits.find((l) => l.name === name);
    if (entry === undefined) throw new Error(`ABI definition has no limit ${name}`);
    return entry.value;
  };
  const syscalls = new Map<string, Signature>();
  for (const s of abi.syscalls) {
    syscalls.set(s.name, { params: s.params.map((p) => p.type), results: s.result.type === "never" ? [] : [s.result.type] });
  }
  syscalls.set(abi.sys.name, { params: [...abi.sys.params], results: abi.sys.result === "never" ? [] : [abi.sys.result] });
  return {
    importModule: abi.import_module,
    syscalls,
    grantModule: "grant",
    grantsEnabled: true,
    maxMemoryPages: limit("MAX_MEMORY_PAGES"),
    maxTableElements: limit("MAX_TABLE_ELEMENTS"),
    maxModuleBytes: limit("MAX_MODULE_BYTES"),
    allowedFeatures: new Set(DEFAULT_FEATURES),
    memoryExport: "memory",
    entryExport: "_start",
    personalities: DEFAULT_PERSONALITIES,
    ...overrides,
  };
}

let cached: VerifyPolicy | null = null;

/** The policy for the ABI this host implements (abi/wasmos.abi.json), with optional overrides. */
export function defaultPolicy(overrides?: Partial<VerifyPolicy>): VerifyPolicy {
  cached ??= policyFromAbi(abiDefinition as AbiForPolicy);
  return overrides === undefined ? cached : { ...cached, ...overrides };
}
