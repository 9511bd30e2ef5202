// Writer: re-emits a parsed module with edits. Sections an edit does not touch
// are copied byte for byte; touched ones are re-encoded from the original
// bytes, changing only what the edit requires.
//
// Edits supported:
//  - drop the start section (the kernel then calls the start function itself),
//  - append exports,
//  - cap the maximum of the module's own memories (so memory.grow past a
//    limit returns -1),
//  - insert a function import as function 0, shifting every other function
//    index by one (call, return_call, ref.func in code and constant
//    expressions, element segments, exports, start, the name section),
//  - turn every defined memory into an import and append memory imports
//    after them (no memory index moves: the instrumenter's epoch memory,
//    loader/instrument/README.md),
//  - append defined globals (after every existing global: no index moves),
//  - patch function bodies: insert bytes before an instruction, or replace
//    one instruction (load-time instrumentation; see loader/instrument/).

import { decodeExpression } from "./decode.ts";
import { OpFlag } from "./opcodes.ts";
import {
  EXTERN_KINDS,
  SECTION_ORDER,
  SectionId,
  type ByteRange,
  type ExternKind,
  type Section,
  type Limits,
  type Table,
  type ValType,
  type WasmModule,
} from "./reader.ts";
import { ByteSink, u32Size } from "./sink.ts";
import { encodeValType, VALTYPE_CODES } from "./types.ts";
import { Cursor, WasmParseError } from "./cursor.ts";
import { ENGINE_LIMIT_WORDS, ENGINE_LIMITS, type EngineLimit } from "./limits.ts";

export { ByteSink, encodeS32, encodeS64, encodeU32, u32Size } from "./sink.ts";

/** An edit the module cannot take (duplicate export name, index out of range...). */
export class WasmEditError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WasmEditError";
  }
}

/** The edited module would cross one of the engine's limits (wasm/limits.ts): `limit` names it. */
export class EngineLimitError extends WasmEditError {
  readonly limit: EngineLimit;
  constructor(limit: EngineLimit, count: number, what: string) {
    super(`${what} would have ${count} ${ENGINE_LIMIT_WORDS[limit]}, past the engine's limit of ${ENGINE_LIMITS[limit]}`);
    this.name = "EngineLimitError";
    this.limit = limit;
  }
}

export interface NewExport {
  name: string;
  kind: ExternKind;
  /** Index in the input module's index space (renumbered like everything else). */
  index: number;
}

export interface NewFuncImport {
  module: string;
  name: string;
  /** Plain value types only (i32, i64, f32, f64, v128, funcref, externref). */
  params: readonly ValType[];
  results: readonly ValType[];
}

/** A memory import appended after every other import (its index: the module's memory count, after importDefinedMemories). */
export interface NewMemoryImport {
  module: string;
  name: string;
  min: number;
  max: number;
  shared: boolean;
}

/** A defined global appended to the module; its index is the next free global index. */
export interface NewGlobal {
  /** "i32" or "i64". */
  type: ValType;
  mutable: boolean;
  /** The constant initial value. */
  init: number | bigint;
}

/**
 * Bytes to put into a function body. `at` must be the offset of an
 * instruction of that body (the input module's offsets); with end === at the
 * bytes are inserted before it, with end === that instruction's end they
 * replace it. The bytes are emitted as given: they must already use the
 * output module's indices (function 0 is a prepended import, ...).
 */
export interface CodePatch {
  at: number;
  end: number;
  bytes: Uint8Array;
}

/**
 * Code patches of many functions in one buffer: what a plan with a hundred
 * thousand patches makes without an object and a byte array per patch (the
 * collector's work was a sixth of a cold load). Record i is four int32 in
 * `records` (at, end, and where its bytes start and end in `pool`); a
 * function's patches are a run of consecutive records (PatchRun), in the
 * order CodePatch lists have. Bytes may be written to the pool in any order.
 */
export class PatchBuffer {
  /** The patches' bytes. */
  pool: ByteSink;
  private recs: Int32Array;
  /** Records added. */
  count = 0;

  /** With `reuse`, on the storage a released buffer left, if there is one (see release). */
  constructor(reuse = false) {
    const spare = reuse ? sparePatches : null;
    if (spare !== null) sparePatches = null;
    this.pool = new ByteSink(1 << 16, spare?.pool);
    this.recs = spare?.recs ?? new Int32Array(1 << 12);
  }

  /**
   * Hands this buffer's storage to the next one made with `reuse` (fresh
   * memory costs a page fault per 4 KiB at its first write: the 10 MB
   * module's plan writes 3 MB of patch bytes and 2.2 MB of records). Every
   * run of this buffer is dead from here on.
   */
  release(): void {
    const pool = this.pool.storage();
    const recs = this.recs;
    this.pool = new ByteSink(16);
    this.recs = new Int32Array(4);
    this.count = 0;
    if (pool.length <= SPARE_PATCH_BYTES && recs.length <= SPARE_PATCH_BYTES >> 2) sparePatches = { pool, recs };
  }

  /** Adds a patch (at, end) whose bytes are the pool's from `from` to its current end. */
  add(at: number, end: number, from: number): void {
    const n = this.count * 4;
    if (n + 4 > this.recs.length) {
      const grown = new Int32Array(this.recs.length * 2);
      grown.set(this.recs);
      this.recs = grown;
    }
    const r = this.recs;
    r[n] = at;
    r[n + 1] = end;
    r[n + 2] = from;
    r[n + 3] = this.pool.length;
    this.count++;
  }

  /** Adds a patch of these bytes (copied into the pool). */
  addBytes(at: number, end: number, bytes: Uint8Array): void {
    const from = this.pool.length;
    this.pool.bytes(bytes);
    this.add(at, end, from);
  }

  /** The records (a view: valid until the next add). */
  records(): Int32Array {
    // One view for every reader of a finished plan (the writer asks per function: a view each was ≈1 ms a 10 MB load).
    let v = this.view;
    if (v === null || v.buffer !== this.recs.buffer || v.length !== this.count * 4) v = this.view = this.recs.subarray(0, this.count * 4);
    return v;
  }
  private view: Int32Array | null = null;

  /** The records from `first` on, as the patch run of one function. */
  run(first: number): PatchRun {
    return { buffer: this, first, count: this.count - first };
  }

  /** A list's patches in a buffer of their own. */
  static of(list: readonly CodePatch[]): PatchRun {
    const b = new PatchBuffer();
    for (const pt of list) b.addBytes(pt.at, pt.end, pt.bytes);
    return b.run(0);
  }
}

/** Storage a released PatchBuffer left for the next one made with `reuse`, and the most kept. */
let sparePatches: { pool: Uint8Array<ArrayBuffer>; recs: Int32Array } | null = null;
const SPARE_PATCH_BYTES = 64 << 20;

/** One function's patches in a PatchBuffer: records first..first+count-1. */
export interface PatchRun {
  readonly buffer: PatchBuffer;
  readonly first: number;
  readonly count: number;
}

/** A function's patches as a list, whichever form they come in (a run's bytes are views of its pool: read them before it grows). */
export function patchList(patches: readonly CodePatch[] | PatchRun): readonly CodePatch[] {
  if (Array.isArray(patches)) return patches;
  const run = patches as PatchRun;
  const r = run.buffer.records();
  const pool = run.buffer.pool.view();
  const out: CodePatch[] = [];
  for (let i = run.first; i < run.first + run.count; i++)
    out.push({ at: r[i * 4], end: r[i * 4 + 1], bytes: pool.subarray(r[i * 4 + 2], r[i * 4 + 3]) });
  return out;
}

export interface ModuleEdits {
  /** Drop the start section. */
  removeStart?: boolean;
  /** Exports to append after the existing ones. */
  addExports?: readonly NewExport[];
  /** A function import that becomes function 0; all other function indices grow by one. */
  prependFuncImport?: NewFuncImport;
  /** Give every defined memory without a maximum, or with a larger one, this maximum (in pages). */
  capMemoryMax?: number;
  /**
   * Turn every defined memory into an import named (module, names[i]), with
   * the same limits (capMemoryMax applied), appended after the existing
   * imports: the memory index space keeps its order, so no instruction,
   * data segment or export changes. The host then makes each memory.
   */
  importDefinedMemories?: { module: string; names: readonly string[] };
  /** Memory imports appended after everything else (after importDefinedMemories' ones). */
  appendMemoryImports?: readonly NewMemoryImport[];
  /**
   * Give every defined table with no maximum, or a larger one, this maximum
   * (so table.grow past it returns -1).
   */
  capTableMax?: number;
  /** Globals to append; addExports may name them by their new indices. */
  addGlobals?: readonly NewGlobal[];
  /**
   * Patches per function (key: index in the input function index space),
   * each list in body order (by `at`; at one offset, insertions before a
   * replacement); a list, or a run of a PatchBuffer's records.
   */
  codePatches?: ReadonlyMap<number, readonly CodePatch[] | PatchRun>;
  /**
   * Offsets of every instruction with a function index immediate (call,
   * return_call, ref.func) in a function's body, in order, when the caller
   * has them from its own decoding (loader/instrument/fuel.ts does): the
   * writer then copies that body between those sites and the patches
   * without decoding it. The list must be complete; a function absent from
   * the map is decoded.
   */
  funcIndexSites?: ReadonlyMap<number, readonly number[]>;
  /**
   * Locals to append per function (key: input function index); each gets the
   * next local index after the function's parameters and existing locals.
   */
  addLocals?: ReadonlyMap<number, readonly ValType[]>;
  /**
   * Functions to append after the defined ones: their input indices follow
   * the module's last function (addExports and redirectFuncs may name them).
   * `body` is the whole encoded body (locals, code, end) in the output's
   * index spaces, written as it is. Needs a code section.
   */
  appendFunctions?: readonly NewFunction[];
  /**
   * Function-index sites in code (call, return_call, ref.func) naming a key
   * name its value instead (both input indices; then shifted as any other).
   * Nothing else is redirected: elements, exports and the start section keep
   * their indices (the caller makes sure they do not name a key).
   */
  redirectFuncs?: ReadonlyMap<number, number>;
}

/** A function appended by ModuleEdits.appendFunctions. */
export interface NewFunction {
  /** Its type's index (an existing type). */
  type: number;
  /** The encoded body: locals, code and its end, as in the code section (without the size). */
  body: Uint8Array;
}

/**
 * Encodes `m` with `edits` applied and returns the new module's bytes. Throws
 * WasmEditError for an edit the module cannot take, and WasmParseError if a
 * section it must rewrite is malformed (a module that passed verification is not).
 */
export function editModule(m: WasmModule, edits: ModuleEdits, options: EditOptions = {}): Uint8Array<ArrayBuffer> {
  const editor = new Editor(m, edits, options.reuseOutput === true);
  const out = editor.run();
  if (options.reuseOutput === true) lentOutput = out.buffer;
  return out;
}

export interface EditOptions {
  /**
   * Write into the output buffer of an earlier edit that was handed back
   * (releaseEditOutput), when one is free and large enough: the bytes are
   * then a view of it, which the caller must hand back once it has read
   * them (compiled, stored) and not touch after. A fresh buffer costs a
   * page fault per 4 KiB at its first write (the loader's 12 MB output of
   * the 10 MB module: ms that a reused one does not pay).
   */
  reuseOutput?: boolean;
}

/** The buffer of the last reuseOutput edit (until handed back), and a handed-back one free for the next. */
let lentOutput: ArrayBuffer | null = null;
let spareOutput: ArrayBuffer | null = null;
/** The largest output buffer kept for reuse (a larger one is left to the collector). */
const SPARE_OUTPUT_MAX = 64 << 20;

/** Hands back the bytes of a reuseOutput edit (anything else is ignored): their buffer serves the next such edit. */
export function releaseEditOutput(bytes: Uint8Array): void {
  if (lentOutput === null || bytes.buffer !== lentOutput) return;
  if (lentOutput.byteLength <= SPARE_OUTPUT_MAX) spareOutput = lentOutput;
  lentOutput = null;
}

/** A handed-back output buffer, taken (null if none is free). */
function takeSpareOutput(): Uint8Array<ArrayBuffer> | undefined {
  const b = spareOutput;
  spareOutput = null;
  return b === null ? undefined : new Uint8Array(b);
}

/** Removes the start section and exports the start function as `exportName` (no-op without a start). */
export function exportStartFunction(m: WasmModule, exportName: string): Uint8Array<ArrayBuffer> {
  if (m.start === null) return new Uint8Array(m.bytes);
  return editModule(m, { removeStart: true, addExports: [{ name: exportName, kind: "func", index: m.start }] });
}

/** A memory's limits with capMemoryMax applied (what the edited module declares). */
export function cappedMemoryLimits(l: Limits, cap: number | undefined): Limits {
  if (cap === undefined || (l.max !== null && l.max <= cap)) return l;
  return { ...l, max: l.max === null ? cap : Math.min(l.max, cap) };
}

const COPY = Symbol("copy");
const NO_PATCHES: PatchRun = new PatchBuffer().run(0);
const DROP = Symbol("drop");

class Editor {
  private readonly m: WasmModule;
  private readonly edits: ModuleEdits;
  private readonly out: ByteSink;
  /** Added to every function index (1 when a function import is prepended). */
  private readonly shift: number;
  /** Each patched function's patches as a run of records (checkEdits). */
  private readonly runs = new Map<number, PatchRun>();
  /** Type index of the prepended import, and whether the type section must gain it. */
  private importType = -1;
  private appendType = false;
  private nextOrder = 0;
  /** The bytes the code patches insert (checkEdits). */
  private added = 0;

  constructor(m: WasmModule, edits: ModuleEdits, reuseOutput = false) {
    this.m = m;
    this.edits = edits;
    this.shift = edits.prependFuncImport ? 1 : 0;
    const added = (this.added = this.checkEdits());
    // The output's size, nearly: the input, the bytes patches insert, and room for renumbered indices and small sections.
    this.out = new ByteSink(m.bytes.length + added + (m.bytes.length >> 6) + 4096, reuseOutput ? takeSpareOutput() : undefined);
  }

  /** Checks the edits; returns the bytes the code patches insert. */
  private checkEdits(): number {
    const { m, edits } = this;
    const names = new Set(m.exports.map((e) => e.name));
    const appended = edits.appendFunctions ?? [];
    if (appended.length > 0 && !m.sections.some((x) => x.id === SectionId.CODE))
      throw new WasmEditError("appendFunctions: the module has no code section");
    for (const f of appended)
      if (m.types[f.type]?.kind !== "func") throw new WasmEditError(`appended function: type ${f.type} is not a function type`);
    const counts: Record<ExternKind, number> = {
      func: m.importedFuncs + m.functions.length + appended.length,
      table: m.importedTables + m.tables.length,
      memory: m.importedMemories + m.memories.length,
      global: m.importedGlobals + m.globals.length + (edits.addGlobals?.length ?? 0),
      tag: m.importedTags + m.tags.length,
    };
    for (const e of edits.addExports ?? []) {
      if (names.has(e.name)) throw new WasmEditError(`export "${e.name}" already exists`);
      names.add(e.name);
      if (!EXTERN_KINDS.includes(e.kind)) throw new WasmEditError(`export "${e.name}": unknown kind ${e.kind}`);
      if (!Number.isInteger(e.index) || e.index < 0 || e.index >= counts[e.kind]) {
        throw new WasmEditError(`export "${e.name}": ${e.kind} ${e.index} does not exist`);
      }
    }
    const tableCap = edits.capTableMax;
    if (tableCap !== undefined) {
      if (!Number.isInteger(tableCap) || tableCap < 0) throw new WasmEditError(`table cap ${tableCap} is not an element count`);
      m.tables.forEach((t, i) => {
        if (t.limits.min > tableCap)
          throw new WasmEditError(`table ${m.importedTables + i} needs ${t.limits.min} elements, more than the cap of ${tableCap}`);
      });
    }
    const cap = edits.capMemoryMax;
    if (cap !== undefined) {
      if (!Number.isInteger(cap) || cap < 0) throw new WasmEditError(`memory cap ${cap} is not a page count`);
      m.memories.forEach((l, i) => {
        if (l.min > cap) {
          throw new WasmEditError(`memory ${m.importedMemories + i} needs ${l.min} pages, more than the cap of ${cap}`);
        }
      });
    }
    const conv = edits.importDefinedMemories;
    if (conv !== undefined && conv.names.length !== m.memories.length)
      throw new WasmEditError(`importDefinedMemories: ${conv.names.length} names for ${m.memories.length} defined memories`);
    for (const mem of edits.appendMemoryImports ?? []) {
      if (!(Number.isInteger(mem.min) && Number.isInteger(mem.max) && 0 <= mem.min && mem.min <= mem.max && mem.max <= 65536))
        throw new WasmEditError(`memory import "${mem.module}" "${mem.name}": limits ${mem.min}..${mem.max} are not page counts`);
    }
    for (const g of edits.addGlobals ?? []) {
      if (g.type !== "i32" && g.type !== "i64") throw new WasmEditError(`new global: type ${g.type} is not i32 or i64`);
      if (g.type === "i32" ? typeof g.init !== "number" || !Number.isInteger(g.init) : typeof g.init !== "bigint") {
        throw new WasmEditError(`new global: initial value ${String(g.init)} does not fit ${g.type}`);
      }
    }
    for (const [index, types] of edits.addLocals ?? []) {
      if (m.code[index - m.importedFuncs] === undefined) throw new WasmEditError(`new local: function ${index} has no body`);
      for (const t of types) {
        if (!VALTYPE_CODES.has(t)) throw new WasmEditError(`new local of function ${index}: cannot encode value type ${t}`);
      }
    }
    let added = 0;
    for (const f of appended) added += f.body.length + 5; // and its size
    for (const [index, list] of edits.codePatches ?? []) {
      const body = m.code[index - m.importedFuncs];
      if (body === undefined) throw new WasmEditError(`code patch: function ${index} has no body`);
      // Every function's patches as a run of records (a list gets a buffer of its own).
      const run = Array.isArray(list) ? PatchBuffer.of(list as readonly CodePatch[]) : (list as PatchRun);
      this.runs.set(index, run);
      const r = run.buffer.records();
      let last = -1;
      let replaced = false;
      for (let i = run.first * 4; i < (run.first + run.count) * 4; i += 4) {
        const at = r[i];
        const end = r[i + 1];
        added += r[i + 3] - r[i + 2];
        if (at < body.bodyStart || end < at || end > body.end) {
          throw new WasmEditError(`code patch at ${at} lies outside the body of function ${index}`);
        }
        if (at < last || (at === last && replaced)) throw new WasmEditError(`code patches of function ${index} are out of order`);
        replaced = at === last ? replaced || end > at : end > at;
        last = at;
      }
    }
    const imp = edits.prependFuncImport;
    if (imp) {
      for (const t of [...imp.params, ...imp.results]) {
        try {
          encodeValType(t);
        } catch {
          throw new WasmEditError(`import "${imp.module}" "${imp.name}": cannot encode value type ${t}`);
        }
      }
      this.importType = m.types.findIndex(
        (t) => t.kind === "func" && !t.gcEncoding && sameTypes(t.params, imp.params) && sameTypes(t.results, imp.results),
      );
      if (this.importType < 0) {
        this.importType = m.types.length;
        this.appendType = true;
      }
    }
    const over = (limit: EngineLimit, count: number) => {
      if (count > ENGINE_LIMITS[limit]) throw new EngineLimitError(limit, count, "the module");
    };
    over("types", m.types.length + (this.appendType ? 1 : 0));
    over("imports", m.imports.length + this.addedImports());
    over("memories", m.importedMemories + m.memories.length + (edits.appendMemoryImports?.length ?? 0));
    over("functions", counts.func + this.shift);
    over("globals", counts.global);
    over("exports", m.exports.length + (edits.addExports?.length ?? 0));
    return added;
  }

  /** Imports this edit adds (the prepended function, converted and appended memories). */
  private addedImports(): number {
    const e = this.edits;
    return this.shift + (e.importDefinedMemories ? this.m.memories.length : 0) + (e.appendMemoryImports?.length ?? 0);
  }

  run(): Uint8Array<ArrayBuffer> {
    const { m, out } = this;
    out.bytes(m.bytes.subarray(0, 8));
    for (const s of m.sections) {
      if (s.id !== SectionId.CUSTOM) this.emitMissing(SECTION_ORDER[s.id]);
      this.section(s);
      if (s.id !== SectionId.CUSTOM) this.nextOrder = SECTION_ORDER[s.id] + 1;
    }
    this.emitMissing(Infinity);
    return out.take();
  }

  /** Emits the sections an edit needs that the module lacks, if they go before `order`. */
  private emitMissing(order: number): void {
    const { m, edits } = this;
    const has = (id: number) => m.sections.some((s) => s.id === id);
    const wanted: [number, () => ByteSink][] = [];
    if (this.appendType && !has(SectionId.TYPE)) wanted.push([SectionId.TYPE, () => this.typeSection(null)]);
    if (this.addedImports() > 0 && !has(SectionId.IMPORT)) wanted.push([SectionId.IMPORT, () => this.importSection(null)]);
    if (edits.addGlobals?.length && !has(SectionId.GLOBAL)) wanted.push([SectionId.GLOBAL, () => this.globalSection()]);
    if (edits.addExports?.length && !has(SectionId.EXPORT)) wanted.push([SectionId.EXPORT, () => this.exportSection()]);
    for (const [id, build] of wanted) {
      const o = SECTION_ORDER[id];
      if (o >= this.nextOrder && o < order) {
        this.out.section(id, build());
        this.nextOrder = o + 1;
      }
    }
  }

  /** Copies bytes of the input module verbatim. */
  private copy(range: ByteRange): void {
    this.out.bytes(this.m.bytes.subarray(range.start, range.end));
  }

  /** Writes one input section: re-encoded if an edit touches it, else dropped or copied verbatim. */
  private section(s: Section): void {
    if (s.id === SectionId.CODE && this.rewritesCode()) {
      // The largest section: its functions are written in place, not into a section buffer copied after.
      // Its size goes in the room an upper bound of it takes (the input's, the patches', a byte a renumbered index and
      // six a new local), so the section is not moved back over unused room once written.
      this.out.u8(s.id);
      const room = u32Size(s.end - s.contentStart + this.added + ((s.end - s.contentStart) >> 1) + 4096);
      const mark = this.out.beginSizedIn(room);
      this.codeSection(this.out);
      this.out.endSizedIn(mark, room);
      return;
    }
    const content = this.rewrite(s);
    if (content === DROP) return;
    if (content === COPY) this.copy(s);
    else this.out.section(s.id, content);
  }

  /** The new contents of a section, or whether to copy or drop it. */
  private rewrite(s: Section): ByteSink | typeof COPY | typeof DROP {
    const { m, edits, shift } = this;
    switch (s.id) {
      case SectionId.TYPE:
        return this.appendType ? this.typeSection(s) : COPY;
      case SectionId.IMPORT:
        return this.addedImports() > 0 ? this.importSection(s) : COPY;
      case SectionId.TABLE:
        return (shift && m.tables.some((t) => t.init !== null)) || this.capsTable() ? this.tableSection() : COPY;
      case SectionId.MEMORY:
        if (edits.importDefinedMemories) return DROP; // they are imports now (importSection)
        return this.capsMemory() ? this.memorySection() : COPY;
      case SectionId.GLOBAL:
        return shift || edits.addGlobals?.length ? this.globalSection() : COPY;
      case SectionId.EXPORT:
        return shift || edits.addExports?.length ? this.exportSection() : COPY;
      case SectionId.START:
        if (edits.removeStart) return DROP;
        return shift ? new ByteSink(5).u32(m.start! + shift) : COPY;
      case SectionId.ELEMENT:
        return shift ? this.elementSection() : COPY;
      case SectionId.FUNCTION:
        return edits.appendFunctions?.length ? this.functionSection() : COPY;
      case SectionId.CODE:
        return this.rewritesCode() ? this.codeSection(new ByteSink(s.end - s.contentStart)) : COPY;
      case SectionId.CUSTOM:
        if (shift && m.customs.find((c) => c.start === s.start)?.name === "name") {
          // A name section that cannot be renumbered is dropped, never left wrong.
          return this.nameSection(s) ?? DROP;
        }
        return COPY;
      default:
        return COPY;
    }
  }

  private typeSection(s: Section | null): ByteSink {
    const { m } = this;
    const imp = this.edits.prependFuncImport!;
    const body = new ByteSink();
    if (s === null) {
      body.u32(1);
    } else {
      const c = new Cursor(m.bytes, s.contentStart, s.end, "type");
      body.u32(c.u32() + 1);
      body.bytes(m.bytes.subarray(c.pos, s.end));
    }
    body.u8(0x60).u32(imp.params.length);
    for (const t of imp.params) body.u8(encodeValType(t));
    body.u32(imp.results.length);
    for (const t of imp.results) body.u8(encodeValType(t));
    return body;
  }

  private importSection(s: Section | null): ByteSink {
    const { m, edits } = this;
    const imp = edits.prependFuncImport;
    const body = new ByteSink((s ? s.end - s.contentStart : 0) + 64);
    body.u32(m.imports.length + this.addedImports());
    if (imp) body.name(imp.module).name(imp.name).u8(0).u32(this.importType);
    if (s !== null && m.imports.length > 0) body.bytes(m.bytes.subarray(m.imports[0].start, s.end));
    const conv = edits.importDefinedMemories;
    if (conv) {
      m.memories.forEach((l, i) => {
        body.name(conv.module).name(conv.names[i]).u8(2);
        this.memoryType(body, l);
      });
    }
    for (const mem of edits.appendMemoryImports ?? []) {
      body.name(mem.module).name(mem.name).u8(2);
      this.memoryType(body, { min: mem.min, max: mem.max, shared: mem.shared, index64: false, pageSizeLog2: null });
    }
    return body;
  }

  /** A defined memory's limits after capMemoryMax, as the memory section or a memory import encodes them. */
  memoryLimits(l: Limits): Limits {
    return cappedMemoryLimits(l, this.edits.capMemoryMax);
  }

  /** Encodes a memory type (flags, limits, page size); a defined memory's with capMemoryMax applied. */
  private memoryType(body: ByteSink, input: Limits): void {
    const l = this.memoryLimits(input);
    const flags = (l.max !== null ? 0x01 : 0) | (l.shared ? 0x02 : 0) | (l.index64 ? 0x04 : 0) | (l.pageSizeLog2 !== null ? 0x08 : 0);
    body.u8(flags);
    if (l.index64) body.u64(BigInt(l.min));
    else body.u32(l.min);
    if (l.max !== null) {
      if (l.index64) body.u64(BigInt(l.max));
      else body.u32(l.max);
    }
    if (l.pageSizeLog2 !== null) body.u32(l.pageSizeLog2);
  }

  private tableSection(): ByteSink {
    const { m } = this;
    const body = new ByteSink();
    body.u32(m.tables.length);
    for (const t of m.tables) {
      if (this.capsThisTable(t)) {
        // The element type (any reference type, typed ones included) is copied as encoded; only the limits change.
        const cap = this.edits.capTableMax!;
        const l = t.limits;
        const max = l.max === null ? cap : Math.min(l.max, cap);
        body.bytes(m.bytes.subarray(t.start, t.limitsAt.start));
        body.u8(0x01 | (l.index64 ? 0x04 : 0));
        if (l.index64) body.u64(BigInt(l.min)).u64(BigInt(max));
        else body.u32(l.min).u32(max);
        if (t.init !== null) this.expr(body, t.init, "table", false);
      } else if (t.init === null) {
        body.bytes(m.bytes.subarray(t.start, t.end));
      } else {
        body.bytes(m.bytes.subarray(t.start, t.init.start));
        this.expr(body, t.init, "table", false);
      }
    }
    return body;
  }

  private capsThisTable(t: Table): boolean {
    const cap = this.edits.capTableMax;
    return cap !== undefined && (t.limits.max === null || t.limits.max > cap);
  }

  /** Whether capTableMax changes any defined table. */
  private capsTable(): boolean {
    return this.m.tables.some((t) => this.capsThisTable(t));
  }

  /** Whether capMemoryMax changes any defined memory. */
  private capsMemory(): boolean {
    const cap = this.edits.capMemoryMax;
    return cap !== undefined && this.m.memories.some((l) => l.max === null || l.max > cap);
  }

  private memorySection(): ByteSink {
    const body = new ByteSink();
    body.u32(this.m.memories.length);
    for (const l of this.m.memories) this.memoryType(body, l);
    return body;
  }

  private globalSection(): ByteSink {
    const { m } = this;
    const added = this.edits.addGlobals ?? [];
    const body = new ByteSink();
    body.u32(m.globals.length + added.length);
    for (const g of m.globals) {
      if (!this.shift) {
        body.bytes(m.bytes.subarray(g.start, g.end));
        continue;
      }
      body.bytes(m.bytes.subarray(g.start, g.init.start));
      this.expr(body, g.init, "global", false);
    }
    for (const g of added) {
      body.u8(encodeValType(g.type)).u8(g.mutable ? 1 : 0);
      if (g.type === "i32") body.u8(0x41).s32(g.init as number);
      else body.u8(0x42).s64(g.init as bigint);
      body.u8(0x0b);
    }
    return body;
  }

  private exportSection(): ByteSink {
    const { m, shift } = this;
    const added = this.edits.addExports ?? [];
    const body = new ByteSink();
    body.u32(m.exports.length + added.length);
    for (const e of m.exports) {
      if (e.kind === "func" && shift) {
        body
          .name(e.name)
          .u8(0)
          .u32(e.index + shift);
      } else {
        body.bytes(m.bytes.subarray(e.start, e.end));
      }
    }
    for (const e of added) {
      body
        .name(e.name)
        .u8(EXTERN_KINDS.indexOf(e.kind))
        .u32(e.kind === "func" ? e.index + shift : e.index);
    }
    return body;
  }

  private elementSection(): ByteSink {
    const { m, shift } = this;
    const body = new ByteSink();
    body.u32(m.elements.length);
    for (const seg of m.elements) {
      if (seg.offset !== null) {
        body.bytes(m.bytes.subarray(seg.start, seg.offset.start));
        this.expr(body, seg.offset, "element", false);
        body.bytes(m.bytes.subarray(seg.offset.end, seg.itemsStart));
      } else {
        body.bytes(m.bytes.subarray(seg.start, seg.itemsStart));
      }
      if (seg.funcs !== null) {
        body.u32(seg.funcs.length);
        for (const f of seg.funcs) body.u32(f + shift);
      } else {
        const exprs = seg.exprs!;
        body.u32(exprs.length);
        for (const e of exprs) this.expr(body, e, "element", false);
      }
    }
    return body;
  }

  /** Whether the edits change the code section. */
  private rewritesCode(): boolean {
    const { edits } = this;
    return (
      this.shift !== 0 ||
      (edits.codePatches?.size ?? 0) > 0 ||
      (edits.addLocals?.size ?? 0) > 0 ||
      (edits.appendFunctions?.length ?? 0) > 0 ||
      (edits.redirectFuncs?.size ?? 0) > 0
    );
  }

  /** The function section with appendFunctions' types after the module's. */
  private functionSection(): ByteSink {
    const { m } = this;
    const added = this.edits.appendFunctions ?? [];
    const body = new ByteSink();
    body.u32(m.functions.length + added.length);
    for (const t of m.functions) body.u32(t);
    for (const f of added) body.u32(f.type);
    return body;
  }

  /** A function index of the input as the output numbers it (redirectFuncs applied, then the shift). */
  private funcOut(index: number): number {
    const r = this.edits.redirectFuncs;
    return (r === undefined ? index : (r.get(index) ?? index)) + this.shift;
  }

  /** Writes the code section's contents to `body`. */
  private codeSection(body: ByteSink): ByteSink {
    const { m } = this;
    // Each function is written in place: its size goes before it in the room an upper bound of it takes (moved only if
    // the size's LEB128 is shorter, rarely: a few bytes either side of 128 or 16,384), not into a buffer copied after.
    const fn = body;
    const appended = this.edits.appendFunctions ?? [];
    body.u32(m.code.length + appended.length);
    for (const f of m.code) {
      const extra = this.edits.addLocals?.get(f.index);
      const run = this.runs.get(f.index);
      const sites = this.edits.funcIndexSites?.get(f.index);
      const room = u32Size(
        f.end - f.localsStart + (run === undefined ? 0 : this.runGrowth(run)) + (sites?.length ?? 0) + 6 * (extra?.length ?? 0) + 5,
      );
      const mark = body.beginSizedIn(room);
      if (extra?.length) {
        const params = this.paramCount(f.index);
        const locals = f.locals.reduce((n, run) => n + run.count, params);
        if (locals + extra.length > ENGINE_LIMITS.locals)
          throw new EngineLimitError("locals", locals + extra.length, `function ${f.index}`);
        const c = new Cursor(m.bytes, f.localsStart, f.bodyStart, "code");
        fn.u32(c.u32() + extra.length).bytes(m.bytes.subarray(c.pos, f.bodyStart));
        for (const t of extra) fn.u32(1).u8(encodeValType(t));
      } else {
        fn.range(m.bytes, f.localsStart, f.bodyStart);
      }
      if (sites !== undefined) this.copyBody(fn, f.bodyStart, f.end, run ?? NO_PATCHES, sites);
      else this.expr(fn, { start: f.bodyStart, end: f.end }, "code", true, `function ${f.index}`, run === undefined ? [] : patchList(run));
      const size = body.length - mark;
      if (size > ENGINE_LIMITS.functionBytes && size > f.end - f.localsStart) {
        throw new EngineLimitError("functionBytes", size, `function ${f.index}`);
      }
      body.endSizedIn(mark, room);
    }
    for (const f of appended) body.u32(f.body.length).bytes(f.body);
    return body;
  }

  /** The bytes a run of patches adds to its function (what they insert, less what they replace; negative if it shrinks). */
  private runGrowth(run: PatchRun): number {
    const r = run.buffer.records();
    let n = 0;
    for (let i = run.first * 4; i < (run.first + run.count) * 4; i += 4) n += r[i + 3] - r[i + 2] - (r[i + 1] - r[i]);
    return n;
  }

  private paramCount(func: number): number {
    const m = this.m;
    const type = m.types[m.functions[func - m.importedFuncs]];
    return type?.kind === "func" ? type.params.length : 0;
  }

  /**
   * Copies a body whose function-index sites are known: the bytes between
   * sites and patches verbatim, each site's index renumbered, each patch
   * applied (an insertion before an instruction, or a replacement of it).
   */
  private copyBody(out: ByteSink, start: number, end: number, run: PatchRun, sites: readonly number[]): void {
    const bytes = this.m.bytes;
    const c = new Cursor(bytes, start, end, "code");
    const r = run.buffer.records();
    const pool = run.count > 0 ? run.buffer.pool.view() : bytes;
    let copied = start;
    let p = run.first * 4;
    const pEnd = (run.first + run.count) * 4;
    let s = 0;
    while (p < pEnd || s < sites.length) {
      const pAt = p < pEnd ? r[p] : Infinity;
      const sAt = s < sites.length ? sites[s] : Infinity;
      if (pAt <= sAt) {
        const ptEnd = r[p + 1];
        out.range(bytes, copied, pAt).range(pool, r[p + 2], r[p + 3]);
        p += 4;
        copied = ptEnd; // past a replaced instruction, or at the one inserted before
        if (ptEnd > pAt && sAt === pAt) s++; // a replaced instruction is no site any more
        continue;
      }
      s++;
      // call, return_call and ref.func are one-byte opcodes: the index starts at offset + 1.
      c.pos = sAt + 1;
      const index = c.u32();
      out.range(bytes, copied, sAt + 1).u32(this.funcOut(index));
      copied = c.pos;
    }
    out.range(bytes, copied, end);
  }

  /** Copies an expression, renumbering function indices and applying `patches` (sorted, see CodePatch). */
  private expr(out: ByteSink, range: ByteRange, section: string, exact: boolean, context = "", patches: readonly CodePatch[] = []): void {
    const { bytes } = this.m;
    let copied = range.start;
    let next = 0;
    const end = decodeExpression(bytes, range.start, range.end, section, context, exact, (ins) => {
      while (next < patches.length && patches[next].at === ins.offset) {
        const pt = patches[next++];
        out.bytes(bytes.subarray(copied, ins.offset));
        out.bytes(pt.bytes);
        copied = ins.offset;
        if (pt.end !== pt.at) {
          if (pt.end !== ins.end) throw new WasmEditError(`code patch at ${pt.at} in ${context} does not span one instruction`);
          copied = ins.end;
          return;
        }
      }
      if ((ins.op.flags & OpFlag.FUNC_INDEX) === 0) return;
      // call, return_call and ref.func are one-byte opcodes: the index starts at offset + 1.
      out.bytes(bytes.subarray(copied, ins.offset + 1));
      out.u32(this.funcOut(ins.index));
      copied = ins.end;
    });
    if (next < patches.length) throw new WasmEditError(`code patch at ${patches[next].at} in ${context} is not at an instruction`);
    out.bytes(bytes.subarray(copied, end));
  }

  /**
   * The "name" section with function indices renumbered (subsections 1
   * function names, 2 local names, 3 label names); null if it is malformed.
   */
  private nameSection(s: Section): ByteSink | null {
    const { m, shift } = this;
    const c = new Cursor(m.bytes, s.contentStart, s.end, "custom:name");
    const body = new ByteSink(s.end - s.contentStart + 16);
    try {
      body.name(c.name());
      while (!c.atEnd()) {
        const id = c.u8();
        const size = c.u32();
        const subStart = c.skip(size);
        const subEnd = subStart + size;
        if (id < 1 || id > 3) {
          body.u8(id).u32(size).bytes(m.bytes.subarray(subStart, subEnd));
          continue;
        }
        const sub = new ByteSink(size + 8);
        const sc = new Cursor(m.bytes, subStart, subEnd, "custom:name");
        const n = sc.count(2);
        sub.u32(n);
        for (let i = 0; i < n; i++) {
          sub.u32(sc.u32() + shift);
          const from = sc.pos;
          if (id === 1) {
            sc.skip(sc.u32());
          } else {
            const inner = sc.count(2);
            for (let k = 0; k < inner; k++) {
              sc.u32();
              sc.skip(sc.u32());
            }
          }
          sub.bytes(m.bytes.subarray(from, sc.pos));
        }
        if (!sc.atEnd()) return null;
        body.u8(id).u32(sub.length).bytes(sub.view());
      }
    } catch (e) {
      if (e instanceof WasmParseError) return null;
      throw e;
    }
    return body;
  }
}

function sameTypes(a: readonly ValType[], b: readonly ValType[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
