// The engine's limits on a module (V8's src/wasm/wasm-limits.h, measured on
// Node 24: one more than each value makes WebAssembly.Module throw). The
// toolkit's writer refuses to produce a module past any of them, so a
// load-time rewrite (loader/instrument/fuel.ts adds an import, globals,
// exports, a local, code) never turns a module the engine accepts into one it
// rejects: the loader refuses it instead, naming the limit.

export const ENGINE_LIMITS = {
  /** Entries of the type section (rec group members counted one by one). */
  types: 1_000_000,
  /** Functions, imported and defined. */
  functions: 1_000_000,
  imports: 1_000_000,
  /** Memories, imported and defined (V8 says "at most 100000" and refuses 100,000). */
  memories: 99_999,
  exports: 1_000_000,
  /** Globals, imported and defined. */
  globals: 1_000_000,
  /** Parameters plus declared locals of one function. */
  locals: 50_000,
  /** Bytes of one function body (locals declarations and code). */
  functionBytes: 7_654_321,
  /** Targets of one br_table (not counting the default). */
  brTableTargets: 65_520,
} as const;

export type EngineLimit = keyof typeof ENGINE_LIMITS;

/** What each limit counts, for messages. */
export const ENGINE_LIMIT_WORDS: Readonly<Record<EngineLimit, string>> = {
  types: "types",
  functions: "functions",
  imports: "imports",
  memories: "memories",
  exports: "exports",
  globals: "globals",
  locals: "parameters and locals in one function",
  functionBytes: "bytes in one function body",
  brTableTargets: "targets of one br_table",
};
