// Reader: parses a core wasm binary into a WasmModule, a description of its
// sections that keeps the byte range of everything an encoder may need to copy.
//
// Accepts MVP and the proposals listed in opcodes.ts; GC types are parsed far
// enough to be named. Function bodies are not decoded here (see decode.ts);
// constant expressions are. Every failure is a WasmParseError; lengths and
// counts are checked against the bytes left before anything is allocated, so
// hostile input can neither hang the reader nor make it allocate much.

import { Cursor, WasmParseError } from "./cursor.ts";
import { decodeExpression } from "./decode.ts";
import { Feature, Imm } from "./opcodes.ts";
import { readStorageType, readValType, valTypeFeatures, type ValType } from "./types.ts";

export { WasmParseError };
export type { ValType };

/** Absolute byte offsets [start, end) in the module. */
export interface ByteRange {
  start: number;
  end: number;
}

export const SECTION_NAMES = [
  "custom",
  "type",
  "import",
  "function",
  "table",
  "memory",
  "global",
  "export",
  "start",
  "element",
  "code",
  "data",
  "datacount",
  "tag",
] as const;

export const SectionId = {
  CUSTOM: 0,
  TYPE: 1,
  IMPORT: 2,
  FUNCTION: 3,
  TABLE: 4,
  MEMORY: 5,
  GLOBAL: 6,
  EXPORT: 7,
  START: 8,
  ELEMENT: 9,
  CODE: 10,
  DATA: 11,
  DATACOUNT: 12,
  TAG: 13,
} as const;

/** Position of each section id in the required section order (custom: anywhere). */
export const SECTION_ORDER: readonly number[] = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6];

export interface Section extends ByteRange {
  id: number;
  /** "type", "import", ...; custom sections: "custom". */
  name: string;
  /** Offset of the first content byte (after the id and size). */
  contentStart: number;
}

export interface CustomSection extends ByteRange {
  name: string;
  /** Offset of the payload after the name. */
  payloadStart: number;
}

export type ExternKind = "func" | "table" | "memory" | "global" | "tag";
export const EXTERN_KINDS: readonly ExternKind[] = ["func", "table", "memory", "global", "tag"];

export interface TypeEntry {
  kind: "func" | "struct" | "array";
  /** Function types only; empty for struct and array types. */
  params: ValType[];
  results: ValType[];
  /** Struct/array field types. */
  fields: ValType[];
  /** Declared inside an explicit rec group or with sub/sub final (GC encodings). */
  gcEncoding: boolean;
}

export interface Limits {
  min: number;
  /** null when absent. */
  max: number | null;
  shared: boolean;
  /** memory64 / table64: 64-bit addresses or indices. */
  index64: boolean;
  /** custom-page-sizes proposal: log2 of the page size, null when absent. */
  pageSizeLog2: number | null;
}

export interface TableType {
  elemType: ValType;
  limits: Limits;
  /** Byte range of the encoded limits (flags, min, max), for encoders that rewrite them. */
  limitsAt: ByteRange;
  /** Initializer expression (function-references tables), null when absent. */
  init: ByteRange | null;
}

/** A table defined in the table section. */
export interface Table extends TableType, ByteRange {}

export interface GlobalType {
  type: ValType;
  mutable: boolean;
}

interface ImportCommon extends ByteRange {
  module: string;
  name: string;
}
export type Import = ImportCommon &
  (
    | { kind: "func"; type: number }
    | { kind: "table"; table: TableType }
    | { kind: "memory"; memory: Limits }
    | { kind: "global"; global: GlobalType }
    | { kind: "tag"; type: number }
  );

export interface Global extends ByteRange {
  global: GlobalType;
  init: ByteRange;
}

export interface Export extends ByteRange {
  name: string;
  kind: ExternKind;
  index: number;
}

export interface ElementSegment extends ByteRange {
  /** The segment's flags field (0..7); says which encoding `start..end` uses. */
  flags: number;
  /** Offset of the element vector's count (after flags, table, offset and element kind/type). */
  itemsStart: number;
  mode: "active" | "passive" | "declarative";
  /** Table index (active segments), else 0. */
  table: number;
  offset: ByteRange | null;
  elemType: ValType;
  /** Function indices (flags 0-3), else null. */
  funcs: number[] | null;
  /** Element expressions (flags 4-7), else null. */
  exprs: ByteRange[] | null;
}

export interface LocalRun {
  count: number;
  type: ValType;
}

export interface FunctionBody extends ByteRange {
  /** Index in the function index space (imports first). */
  index: number;
  /** Offset of the body's size field; `end` is one past its final `end` opcode. */
  entryStart: number;
  /** Offset of the local declarations. */
  localsStart: number;
  locals: LocalRun[];
  /** Offset of the first instruction. */
  bodyStart: number;
}

export interface DataSegment extends ByteRange {
  mode: "active" | "passive";
  memory: number;
  offset: ByteRange | null;
  /** The initial bytes. */
  init: ByteRange;
}

/** Where a proposal was first seen outside function bodies (types, imports, ...). */
export interface FeatureSite {
  /** One Feature bit. */
  feature: number;
  section: string;
  offset: number;
  /** What uses it: "type 3 is a struct type", "tag section". */
  what: string;
}

export interface WasmModule {
  bytes: Uint8Array;
  /** Every section in file order, custom sections included. */
  sections: Section[];
  customs: CustomSection[];
  types: TypeEntry[];
  imports: Import[];
  /** Type index of each defined (non-imported) function. */
  functions: number[];
  /** Defined tables, memories, tags (type indices) and globals. */
  tables: Table[];
  memories: Limits[];
  tags: number[];
  globals: Global[];
  exports: Export[];
  start: number | null;
  elements: ElementSegment[];
  dataCount: number | null;
  code: FunctionBody[];
  data: DataSegment[];
  /** Type index of each imported function, in function index order (funcType in O(1)). */
  importedFuncTypes: number[];
  /** Imported entities of each kind: they come first in their index space. */
  importedFuncs: number;
  importedTables: number;
  importedMemories: number;
  importedGlobals: number;
  importedTags: number;
  /** Feature bits used outside function bodies, and where each was first seen. */
  features: number;
  featureSites: FeatureSite[];
  /** Function names from the "name" custom section (empty if absent or malformed). */
  functionNames: Map<number, string>;
}

const MAGIC = 0x6d736100; // "\0asm" little-endian

/**
 * Parses a core wasm binary. Returns the module description; throws
 * WasmParseError (and nothing else) if the bytes are not a well-formed module.
 */
export function readModule(bytes: Uint8Array): WasmModule {
  return new Reader(bytes).read();
}

class Reader {
  private readonly c: Cursor;
  private readonly m: WasmModule;

  constructor(bytes: Uint8Array) {
    this.c = new Cursor(bytes, 0, bytes.length, "header");
    this.m = {
      bytes,
      sections: [],
      customs: [],
      types: [],
      imports: [],
      functions: [],
      tables: [],
      memories: [],
      tags: [],
      globals: [],
      exports: [],
      start: null,
      elements: [],
      dataCount: null,
      code: [],
      data: [],
      importedFuncTypes: [],
      importedFuncs: 0,
      importedTables: 0,
      importedMemories: 0,
      importedGlobals: 0,
      importedTags: 0,
      features: 0,
      featureSites: [],
      functionNames: new Map(),
    };
  }

  read(): WasmModule {
    const { c, m } = this;
    const bytes = m.bytes;
    if (bytes.length < 8) c.fail("unexpected end (a module starts with 8 header bytes)", 0);
    const magic = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
    if (magic !== MAGIC) c.fail("magic header not detected (not a WebAssembly module)", 0);
    const version = (bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24)) >>> 0;
    if (version === 0x1000d) c.fail("this is a WebAssembly component, not a core module", 4);
    if (version !== 1) c.fail(`unknown binary version 0x${version.toString(16)}`, 4);
    c.pos = 8;

    let lastOrder = 0;
    while (c.pos < bytes.length) {
      const start = c.pos;
      c.section = "header";
      c.limit = bytes.length;
      const id = c.u8();
      if (id >= SECTION_NAMES.length) c.fail(`unknown section id ${id}`, start);
      const name = SECTION_NAMES[id];
      c.section = name;
      const size = c.u32();
      const contentStart = c.pos;
      if (size > bytes.length - contentStart) c.fail(`section size ${size} runs past the end of the module`, start);
      const end = contentStart + size;
      if (id !== SectionId.CUSTOM) {
        const order = SECTION_ORDER[id];
        if (order <= lastOrder) c.fail(`unexpected section (duplicate or out of order)`, start);
        lastOrder = order;
      }
      m.sections.push({ id, name, start, contentStart, end });
      c.limit = end;
      switch (id) {
        case SectionId.CUSTOM:
          this.custom(start, end);
          break;
        case SectionId.TYPE:
          this.typeSection();
          break;
        case SectionId.IMPORT:
          this.importSection();
          break;
        case SectionId.FUNCTION:
          this.functionSection();
          break;
        case SectionId.TABLE:
          this.tableSection();
          break;
        case SectionId.MEMORY:
          this.memorySection();
          break;
        case SectionId.GLOBAL:
          this.globalSection();
          break;
        case SectionId.EXPORT:
          this.exportSection();
          break;
        case SectionId.START:
          m.start = c.u32();
          break;
        case SectionId.ELEMENT:
          this.elementSection();
          break;
        case SectionId.CODE:
          this.codeSection();
          break;
        case SectionId.DATA:
          this.dataSection();
          break;
        case SectionId.DATACOUNT:
          m.dataCount = c.u32();
          break;
        case SectionId.TAG:
          this.tagSection();
          break;
      }
      if (c.pos !== end) c.fail(`section size mismatch: ${end - c.pos} bytes left unread`);
      c.pos = end;
    }
    const memoryCount = m.importedMemories + m.memories.length;
    if (memoryCount > 1) {
      const at = m.sections.find((s) => s.id === SectionId.MEMORY) ?? m.sections.find((s) => s.id === SectionId.IMPORT)!;
      c.section = at.name;
      this.note(Feature.MULTI_MEMORY, `module has ${memoryCount} memories`, at.start);
    }
    c.section = "code";
    if (m.functions.length !== m.code.length) {
      c.fail("function and code section have inconsistent lengths", bytes.length);
    }
    c.section = "data";
    if (m.dataCount !== null && m.dataCount !== m.data.length) {
      c.fail("data count and data section have inconsistent lengths", bytes.length);
    }
    return m;
  }

  /** Records that a proposal is used outside code. */
  private note(features: number, what: string, offset: number): void {
    const m = this.m;
    for (let bit = 1; bit <= features; bit <<= 1) {
      if ((features & bit) === 0) continue;
      if ((m.features & bit) === 0) m.featureSites.push({ feature: bit, section: this.c.section, offset, what });
      m.features |= bit;
    }
  }

  private valType(what: string): ValType {
    const at = this.c.pos;
    const type = readValType(this.c);
    const features = valTypeFeatures(type);
    if (features !== 0) this.note(features, `${what} has type ${type}`, at);
    return type;
  }

  private limits(what: string, isTable: boolean): Limits {
    const c = this.c;
    const at = c.pos;
    const flags = c.u8();
    if (flags & (isTable ? ~0x05 : ~0x0f)) c.fail(`malformed limits flags 0x${flags.toString(16)}`, at);
    const index64 = (flags & 0x04) !== 0;
    const min = index64 ? c.u64() : c.u32();
    const max = flags & 0x01 ? (index64 ? c.u64() : c.u32()) : null;
    const shared = (flags & 0x02) !== 0;
    let pageSizeLog2: number | null = null;
    if (flags & 0x08) {
      pageSizeLog2 = c.u32();
      if (pageSizeLog2 > 64) c.fail(`malformed page size 2^${pageSizeLog2}`, at);
    }
    if (index64) this.note(Feature.MEMORY64, `${what} uses 64-bit indices`, at);
    if (shared) this.note(Feature.THREADS, `${what} is shared`, at);
    return { min, max, shared, index64, pageSizeLog2 };
  }

  private tableType(what: string): TableType {
    const elemType = this.refType(what);
    const start = this.c.pos;
    const limits = this.limits(what, true);
    return { elemType, limits, limitsAt: { start, end: this.c.pos }, init: null };
  }

  /** A value type that must be a reference type (table and element segment types). */
  private refType(what: string): ValType {
    const at = this.c.pos;
    const type = this.valType(what);
    if (!isRefType(type)) this.c.fail(`malformed reference type: ${what} has type ${type}`, at);
    return type;
  }

  private globalType(what: string): GlobalType {
    const type = this.valType(what);
    const at = this.c.pos;
    const mut = this.c.u8();
    if (mut > 1) this.c.fail("malformed mutability", at);
    return { type, mutable: mut === 1 };
  }

  /** Decodes a constant expression; returns its range, final end included. */
  private constExpr(what: string): ByteRange {
    const c = this.c;
    const start = c.pos;
    let features = 0;
    c.pos = decodeExpression(c.bytes, start, c.limit, c.section, what, false, (ins) => {
      features |= ins.features;
      const imm = ins.op.imm;
      // Arithmetic in a constant expression is the extended-const proposal.
      if (
        ins.op.feature === 0 &&
        ins.depth > 0 &&
        !(imm === Imm.I32 || imm === Imm.I64 || imm === Imm.F32 || imm === Imm.F64 || imm === Imm.GLOBAL)
      ) {
        features |= Feature.EXTENDED_CONST;
      }
    });
    if (features !== 0) this.note(features, what, start);
    return { start, end: c.pos };
  }

  private custom(start: number, end: number): void {
    const c = this.c;
    const name = c.name();
    const payloadStart = c.pos;
    this.m.customs.push({ name, start, payloadStart, end });
    if (name === "name") readFunctionNames(c.bytes, payloadStart, end, this.m.functionNames);
    c.pos = end;
  }

  private typeSection(): void {
    const { c, m } = this;
    const n = c.count();
    for (let i = 0; i < n; i++) {
      const at = c.pos;
      if (c.peek() === 0x4e) {
        c.pos++;
        const members = c.count();
        this.note(Feature.GC, `type ${m.types.length} is in a rec group`, at);
        for (let j = 0; j < members; j++) this.subType(true);
      } else {
        this.subType(false);
      }
    }
  }

  private subType(inRec: boolean): void {
    const { c, m } = this;
    const at = c.pos;
    const index = m.types.length;
    let gcEncoding = inRec;
    const b = c.peek();
    if (b === 0x50 || b === 0x4f) {
      c.pos++;
      gcEncoding = true;
      const supers = c.count();
      for (let k = 0; k < supers; k++) c.u32();
      this.note(Feature.GC, `type ${index} is declared with sub`, at);
    }
    const form = c.u8();
    const entry: TypeEntry = { kind: "func", params: [], results: [], fields: [], gcEncoding };
    if (form === 0x60) {
      const np = c.count();
      for (let k = 0; k < np; k++) entry.params.push(this.valType(`type ${index}`));
      const nr = c.count();
      for (let k = 0; k < nr; k++) entry.results.push(this.valType(`type ${index}`));
      if (nr > 1) this.note(Feature.MULTI_VALUE, `type ${index} has ${nr} results`, at);
    } else if (form === 0x5f || form === 0x5e) {
      entry.kind = form === 0x5f ? "struct" : "array";
      this.note(Feature.GC, `type ${index} is a${entry.kind === "array" ? "n" : ""} ${entry.kind} type`, at);
      const nf = form === 0x5f ? c.count(2) : 1;
      for (let k = 0; k < nf; k++) {
        entry.fields.push(readStorageType(c));
        const mutAt = c.pos;
        if (c.u8() > 1) c.fail("malformed mutability", mutAt);
      }
    } else {
      c.fail(`unknown type form 0x${form.toString(16)}`, c.pos - 1);
    }
    m.types.push(entry);
  }

  private importSection(): void {
    const { c, m } = this;
    const n = c.count(4);
    for (let i = 0; i < n; i++) {
      const start = c.pos;
      const module = c.name();
      const name = c.name();
      const kindAt = c.pos;
      const kind = c.u8();
      const what = `import "${module}" "${name}"`;
      switch (kind) {
        case 0: {
          const type = c.u32();
          m.imports.push({ start, end: 0, module, name, kind: "func", type });
          m.importedFuncTypes.push(type);
          m.importedFuncs++;
          break;
        }
        case 1:
          m.imports.push({ start, end: 0, module, name, kind: "table", table: this.tableType(what) });
          m.importedTables++;
          break;
        case 2:
          m.imports.push({ start, end: 0, module, name, kind: "memory", memory: this.limits(what, false) });
          m.importedMemories++;
          break;
        case 3:
          m.imports.push({ start, end: 0, module, name, kind: "global", global: this.globalType(what) });
          m.importedGlobals++;
          break;
        case 4:
          this.note(Feature.EXCEPTIONS, `${what} imports a tag`, kindAt);
          m.imports.push({ start, end: 0, module, name, kind: "tag", type: this.tagType() });
          m.importedTags++;
          break;
        default:
          c.fail(`malformed import kind ${kind}`, kindAt);
      }
      m.imports[m.imports.length - 1].end = c.pos;
    }
  }

  private tagType(): number {
    const at = this.c.pos;
    if (this.c.u8() !== 0) this.c.fail("malformed tag attribute", at);
    return this.c.u32();
  }

  private functionSection(): void {
    const { c, m } = this;
    const n = c.count();
    for (let i = 0; i < n; i++) m.functions.push(c.u32());
  }

  private tableSection(): void {
    const { c, m } = this;
    const n = c.count();
    for (let i = 0; i < n; i++) {
      const index = m.importedTables + m.tables.length;
      const what = `table ${index}`;
      const start = c.pos;
      let table: TableType;
      if (c.peek() === 0x40) {
        c.pos++;
        if (c.u8() !== 0) c.fail("malformed table initializer", start);
        this.note(Feature.FUNCTION_REFERENCES, `${what} has an initializer`, start);
        table = this.tableType(what);
        table.init = this.constExpr(`${what} initializer`);
      } else {
        table = this.tableType(what);
      }
      m.tables.push({ ...table, start, end: c.pos });
    }
  }

  private memorySection(): void {
    const { c, m } = this;
    const n = c.count();
    for (let i = 0; i < n; i++) {
      m.memories.push(this.limits(`memory ${m.importedMemories + m.memories.length}`, false));
    }
  }

  private tagSection(): void {
    const { c, m } = this;
    this.note(Feature.EXCEPTIONS, "tag section", c.pos);
    const n = c.count(2);
    for (let i = 0; i < n; i++) m.tags.push(this.tagType());
  }

  private globalSection(): void {
    const { c, m } = this;
    const n = c.count(3);
    for (let i = 0; i < n; i++) {
      const start = c.pos;
      const what = `global ${m.importedGlobals + m.globals.length}`;
      const global = this.globalType(what);
      const init = this.constExpr(`${what} initializer`);
      m.globals.push({ start, end: c.pos, global, init });
    }
  }

  private exportSection(): void {
    const { c, m } = this;
    const n = c.count(3);
    for (let i = 0; i < n; i++) {
      const start = c.pos;
      const name = c.name();
      const kindAt = c.pos;
      const kind = EXTERN_KINDS[c.u8()];
      if (kind === undefined) c.fail("malformed export kind", kindAt);
      const index = c.u32();
      m.exports.push({ start, end: c.pos, name, kind, index });
    }
  }

  private elementSection(): void {
    const { c, m } = this;
    const n = c.count();
    for (let i = 0; i < n; i++) {
      const start = c.pos;
      const what = `element segment ${i}`;
      const flags = c.u32();
      if (flags > 7) c.fail(`malformed element segment flags ${flags}`, start);
      const active = (flags & 1) === 0;
      const mode = active ? "active" : flags & 2 ? "declarative" : "passive";
      const table = active && flags & 2 ? c.u32() : 0;
      const offset = active ? this.constExpr(`${what} offset`) : null;
      let elemType: ValType = "funcref";
      let funcs: number[] | null = null;
      let exprs: ByteRange[] | null = null;
      let itemsStart = 0;
      if ((flags & 4) === 0) {
        if (flags & 3) {
          const at = c.pos;
          if (c.u8() !== 0) c.fail("malformed element kind", at);
        }
        itemsStart = c.pos;
        const count = c.count();
        funcs = new Array(count);
        for (let k = 0; k < count; k++) funcs[k] = c.u32();
      } else {
        if (flags & 3) elemType = this.refType(what);
        itemsStart = c.pos;
        const count = c.count();
        exprs = [];
        for (let k = 0; k < count; k++) exprs.push(this.constExpr(`${what} element ${k}`));
      }
      m.elements.push({ start, end: c.pos, flags, itemsStart, mode, table, offset, elemType, funcs, exprs });
    }
  }

  private codeSection(): void {
    const { c, m } = this;
    const n = c.count();
    const sectionEnd = c.limit;
    for (let i = 0; i < n; i++) {
      const index = m.importedFuncs + i;
      c.context = `function ${index}`;
      const entryStart = c.pos;
      const size = c.u32();
      if (size > sectionEnd - c.pos) c.fail(`body size ${size} runs past the section`, entryStart);
      const end = c.pos + size;
      c.limit = end;
      const localsStart = c.pos;
      const runs = c.count(2);
      const locals: LocalRun[] = [];
      let total = 0;
      for (let k = 0; k < runs; k++) {
        const at = c.pos;
        const count = c.u32();
        total += count;
        if (total > 0xffffffff) c.fail("too many locals", at);
        locals.push({ count, type: this.valType(`function ${index} local`) });
      }
      const bodyStart = c.pos;
      if (bodyStart >= end) c.fail("empty body (missing end)", bodyStart);
      m.code.push({ index, start: entryStart, end, entryStart, localsStart, locals, bodyStart });
      c.pos = end;
      c.limit = sectionEnd;
    }
    c.context = "";
  }

  private dataSection(): void {
    const { c, m } = this;
    const n = c.count();
    for (let i = 0; i < n; i++) {
      const start = c.pos;
      const flags = c.u32();
      if (flags > 2) c.fail(`malformed data segment flags ${flags}`, start);
      const memory = flags === 2 ? c.u32() : 0;
      if (memory !== 0) this.note(Feature.MULTI_MEMORY, `data segment ${i} initializes memory ${memory}`, start);
      const offset = flags === 1 ? null : this.constExpr(`data segment ${i} offset`);
      const len = c.u32();
      const initStart = c.skip(len);
      m.data.push({
        start,
        end: c.pos,
        mode: flags === 1 ? "passive" : "active",
        memory,
        offset,
        init: { start: initStart, end: initStart + len },
      });
    }
  }
}

/**
 * Reads the function-name subsection of a "name" custom section into `out`.
 * Custom sections never make a module malformed, so a broken one is ignored.
 */
function readFunctionNames(bytes: Uint8Array, start: number, end: number, out: Map<number, string>): void {
  const c = new Cursor(bytes, start, end, "custom:name");
  try {
    while (!c.atEnd()) {
      const id = c.u8();
      const size = c.u32();
      const subEnd = c.pos + size;
      if (size > c.remaining) return;
      if (id === 1) {
        c.limit = subEnd;
        const n = c.count(2);
        for (let i = 0; i < n; i++) {
          const index = c.u32();
          out.set(index, c.name());
        }
        return;
      }
      c.pos = subEnd;
    }
  } catch (e) {
    if (!(e instanceof WasmParseError)) throw e;
    out.clear();
  }
}

/** The type of a function (index in the function index space), if it exists and is a function type. */
export function funcType(m: WasmModule, func: number): TypeEntry | undefined {
  const typeIndex = func < m.importedFuncs ? m.importedFuncTypes[func] : m.functions[func - m.importedFuncs];
  const type = typeIndex === undefined ? undefined : m.types[typeIndex];
  return type?.kind === "func" ? type : undefined;
}

/** Whether a value type (as readValType names it) is a reference type. */
export function isRefType(type: ValType): boolean {
  return type.endsWith("ref") || type.endsWith(")");
}

/** The limits of a memory (index in the memory index space, imports first). */
export function memoryLimits(m: WasmModule, memory: number): Limits | undefined {
  if (memory >= m.importedMemories) return m.memories[memory - m.importedMemories];
  let seen = 0;
  for (const imp of m.imports) {
    if (imp.kind === "memory" && seen++ === memory) return imp.memory;
  }
  return undefined;
}

/** A printable name for a function: its name-section name, else its first export name, else null. */
export function functionName(m: WasmModule, func: number): string | null {
  const named = m.functionNames.get(func);
  if (named !== undefined) return named;
  for (const e of m.exports) if (e.kind === "func" && e.index === func) return e.name;
  return null;
}

/** "(i32, i32) -> i32", "() -> ()", "(i64) -> (i32, i32)". */
export function formatSignature(params: readonly ValType[], results: readonly ValType[]): string {
  const res = results.length === 1 ? results[0] : `(${results.join(", ")})`;
  return `(${params.join(", ")}) -> ${res}`;
}
