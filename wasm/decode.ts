// Instruction decoder: walks a function body (or a constant expression) one
// instruction at a time, reporting offsets, opcodes, memory indices, index
// immediates, proposal bits and block nesting.
//
// Speed: one Instruction object is reused for the whole walk and no memory is
// allocated per instruction; a visitor must copy what it wants to keep.
// Checks: every opcode and immediate is well formed, blocks nest properly
// (else only in if, catch only in try, ...), the body ends with the `end`
// that closes it and nothing follows. Typing is left to WebAssembly.validate.

import { Cursor, WasmParseError } from "./cursor.ts";
import { Feature, Imm, OpFlag, SINGLE_BYTE_OPS, formatOpcode, prefixTable, type OpInfo } from "./opcodes.ts";
import { skipHeapType, skipValType, startsValType } from "./types.ts";

/** One decoded instruction. Owned by the decoder: valid only during the visit. */
export interface Instruction {
  /** Absolute offset of the opcode's first byte. */
  offset: number;
  /** Absolute offset just past the last immediate. */
  end: number;
  /** Byte, or prefix << 16 | sub-opcode (see opcodes.ts). */
  opcode: number;
  /** Static facts: name (WAT mnemonic), flags (OpFlag), feature. */
  op: OpInfo;
  /** op.feature plus bits implied by immediates (a memory index > 0 adds multi-memory, ...). */
  features: number;
  /**
   * Open blocks around the instruction, the function body counting as one:
   * 1 for top-level instructions. A block opener and its arms and end carry
   * the depth of the enclosing code; the function's final end has depth 0.
   */
  depth: number;
  /** For an arm or an end: offset of the instruction that opened the block (-1 for the function). */
  opener: number;
  /** Memory named by a memory instruction (memory.copy: the destination), else -1. */
  memory: number;
  /** memory.copy: the source memory, else -1. */
  memory2: number;
  /**
   * First index immediate, else -1: function (call, return_call, ref.func),
   * type (call_indirect, call_ref, GC ops), local, global, table, tag, label,
   * data (memory.init, data.drop), element (table.init, elem.drop),
   * destination table (table.copy).
   */
  index: number;
  /** Second index immediate, else -1: table of call_indirect/table.init, source table of table.copy, GC field/data/elem/type/count. */
  index2: number;
  /** memarg: the alignment exponent and the static offset (exact up to 2^53), else 0. */
  align: number;
  memOffset: number;
  /**
   * Instructions decoded so far in this expression, this one included. A
   * visitor given a filter (below) sees only some instructions: the
   * difference between two visits' counts is how many it did not see.
   */
  count: number;
}

export type InstructionVisitor = (ins: Instruction) => void;

/** A block and where its parts are (absolute offsets). */
export interface Block {
  /** The opener's mnemonic: "block", "loop", "if", "try" or "try_table". */
  kind: string;
  /** Offset of the opening instruction. */
  start: number;
  /** First byte after the opener's immediates (where a loop header's code begins). */
  bodyStart: number;
  /** Offsets of the else/catch/catch_all arms, in order. */
  arms: number[];
  /** Offset of the closing end (or delegate). */
  end: number;
  /** Nesting depth of the opener (see Instruction.depth). */
  depth: number;
}

const { BLOCK, ARM, END } = OpFlag;
// Module-local copies of the immediate kinds, the opcode table and a feature
// bit: the hot loop then compares against constants, not imported bindings
// (which test runners may turn into property reads).
const {
  BLOCK: I_BLOCK,
  BR_ON_CAST: I_BR_ON_CAST,
  BR_TABLE: I_BR_TABLE,
  CALL_INDIRECT: I_CALL_INDIRECT,
  DATA: I_DATA,
  DATA_MEMORY: I_DATA_MEMORY,
  ELEM: I_ELEM,
  ELEM_TABLE: I_ELEM_TABLE,
  F32: I_F32,
  F64: I_F64,
  FENCE: I_FENCE,
  FUNC: I_FUNC,
  GLOBAL: I_GLOBAL,
  HEAP_TYPE: I_HEAP_TYPE,
  I32: I_I32,
  I64: I_I64,
  LABEL: I_LABEL,
  LANE: I_LANE,
  LOCAL: I_LOCAL,
  MEMARG: I_MEMARG,
  MEMARG_LANE: I_MEMARG_LANE,
  MEMORY: I_MEMORY,
  MEMORY_MEMORY: I_MEMORY_MEMORY,
  NONE: I_NONE,
  SELECT_T: I_SELECT_T,
  SHUFFLE: I_SHUFFLE,
  TABLE: I_TABLE,
  TABLE_TABLE: I_TABLE_TABLE,
  TAG: I_TAG,
  TRY_TABLE: I_TRY_TABLE,
  TYPE: I_TYPE,
  TYPE_COUNT: I_TYPE_COUNT,
  TYPE_DATA: I_TYPE_DATA,
  TYPE_ELEM: I_TYPE_ELEM,
  TYPE_FIELD: I_TYPE_FIELD,
  TYPE_TYPE: I_TYPE_TYPE,
  V128: I_V128,
} = Imm;
const SINGLE = SINGLE_BYTE_OPS;
const MULTI_MEMORY = Feature.MULTI_MEMORY;

// Block kinds kept on the nesting stack.
const K_FUNC = 0;
const K_BLOCK = 1;
const K_IF = 2;
const K_IF_ELSE = 3;
const K_TRY = 4;
const K_TRY_CATCH = 5;
const K_TRY_CATCH_ALL = 6;

const OP_LOOP = 0x03;
const OP_IF = 0x04;
const OP_ELSE = 0x05;
const OP_TRY = 0x06;
const OP_CATCH = 0x07;
const OP_DELEGATE = 0x18;
const OP_MEMORY_INIT = 0xfc0008;
const OP_DATA_DROP = 0xfc0009;

/**
 * What the last decodeExpression that finished saw: its instructions, and
 * the union of their proposal bits (Instruction.features), visited or not.
 */
export const lastWalk = { count: 0, features: 0 };

/**
 * The decoder's fast path (decodeIn's inner loop): single-byte instructions
 * that open, close or split no block, need no proposal, and whose immediates
 * are short enough that they cannot be malformed (a LEB128 of at most four
 * bytes is a valid u32, s32, s64 and u64) are skipped without the opcode
 * table's record, the Instruction or the switch. Anything else (a longer
 * LEB, an immediate running past the limit, a visited instruction) falls to
 * the general path, which decodes it from its first byte: same checks, same
 * errors, same counts and proposal bits. Kinds by first byte (0: general).
 */
const FK_NONE = 1; // no immediate
const FK_LEB = 2; // one LEB128 (an index or an integer constant)
const FK_MEMARG = 3; // memarg of memory 0: a one-byte alignment below 0x40, then a LEB128 offset
const FK_F32 = 4;
const FK_F64 = 5;
const FK_LEB64 = 6; // i64.const: a LEB128 of up to nine bytes (63 bits: a valid s64)
const FAST_KINDS: Uint8Array = (() => {
  const kinds = new Uint8Array(256);
  for (let b = 0; b < 0xfb; b++) {
    const op = SINGLE_BYTE_OPS[b];
    if (op === undefined || op.feature !== 0 || (op.flags & (OpFlag.BLOCK | OpFlag.ARM | OpFlag.END)) !== 0) continue;
    switch (op.imm) {
      case Imm.NONE:
        kinds[b] = FK_NONE;
        break;
      case Imm.LABEL:
      case Imm.FUNC:
      case Imm.TYPE:
      case Imm.LOCAL:
      case Imm.GLOBAL:
      case Imm.I32:
        kinds[b] = FK_LEB;
        break;
      case Imm.I64:
        kinds[b] = FK_LEB64;
        break;
      case Imm.MEMARG:
        kinds[b] = FK_MEMARG;
        break;
      case Imm.F32:
        kinds[b] = FK_F32;
        break;
      case Imm.F64:
        kinds[b] = FK_F64;
        break;
    }
  }
  return kinds;
})();

/** Tests only: turn the fast path off to compare walks with and without it (test/wasm/decode-fast.test.ts). */
export const decoderTuning = { fastPath: true };

/** The fast kinds a walk may use: none when every instruction is visited, else those the filter does not select. */
let fastFilter: Uint8Array | null = null;
let fastForFilter: Uint8Array = FAST_KINDS;
function fastKinds(visit: InstructionVisitor | null, filter: Uint8Array | null): Uint8Array | null {
  if (!decoderTuning.fastPath) return null;
  if (visit === null) return FAST_KINDS;
  if (filter === null) return null;
  if (filter !== fastFilter) {
    const kinds = new Uint8Array(256);
    for (let b = 0; b < 256; b++) kinds[b] = filter[b] === 0 ? FAST_KINDS[b] : 0;
    fastForFilter = kinds;
    fastFilter = filter;
  }
  return fastForFilter;
}

/**
 * Which single-byte opcodes a walk visits (1: visit), for decodeExpression's
 * `filter`: the instructions `wants` picks. Every prefixed instruction
 * (0xfb..0xfe) is visited whatever the filter says: they are rare, and the
 * table covers the first byte only.
 */
export function visitFilter(wants: (op: OpInfo) => boolean): Uint8Array {
  const filter = new Uint8Array(256);
  for (let b = 0; b < 256; b++) {
    const op = SINGLE_BYTE_OPS[b];
    if (b >= 0xfb || (op !== undefined && wants(op))) filter[b] = 1;
  }
  return filter;
}

/**
 * Decodes one instruction sequence ending with the `end` that closes it.
 * `start`..`limit` bounds the bytes it may read; with `exact`, the final end
 * must be the last byte before `limit`. `context` prefixes error reasons
 * ("function 4"). Returns the offset just past the final end. Throws
 * WasmParseError (section `section`) on malformed input. Every instruction
 * is decoded and checked; `visit` is called for those `filter` (from
 * visitFilter) selects, or for all without one. The counts and proposal
 * bits of all are in lastWalk afterwards.
 */

export function decodeExpression(
  bytes: Uint8Array,
  start: number,
  limit: number,
  section: string,
  context: string,
  exact: boolean,
  visit: InstructionVisitor | null,
  dataCountMissing = false,
  filter: Uint8Array | null = null,
): number {
  // The walk's state comes from a pool (one per nesting level: a visitor may start another walk): no allocation per body.
  const frame = frames[framesInUse] ?? (frames[framesInUse] = newFrame());
  framesInUse++;
  try {
    return decodeIn(frame, bytes, start, limit, section, context, exact, visit, dataCountMissing, filter);
  } finally {
    framesInUse--;
  }
}

/** What one walk uses: its cursor, its Instruction, its nesting stack (grown as needed). */
interface Frame {
  c: Cursor;
  ins: Instruction;
  openers: Int32Array;
  kinds: Uint8Array;
}
const frames: Frame[] = [];
let framesInUse = 0;

function newFrame(): Frame {
  const ins: Instruction = {
    offset: 0,
    end: 0,
    opcode: 0,
    op: SINGLE_BYTE_OPS[0]!,
    features: 0,
    depth: 0,
    opener: -1,
    memory: -1,
    memory2: -1,
    index: -1,
    index2: -1,
    align: 0,
    memOffset: 0,
    count: 0,
  };
  return { c: new Cursor(new Uint8Array(0), 0, 0, ""), ins, openers: new Int32Array(16), kinds: new Uint8Array(16) };
}

function decodeIn(
  frame: Frame,
  bytes: Uint8Array,
  start: number,
  limit: number,
  section: string,
  context: string,
  exact: boolean,
  visit: InstructionVisitor | null,
  dataCountMissing: boolean,
  filter: Uint8Array | null,
): number {
  const c: Cursor = frame.c;
  (c as { bytes: Uint8Array }).bytes = bytes;
  c.pos = start;
  c.limit = limit;
  c.section = section;
  c.context = context;
  let count = 0;
  let allFeatures = 0;
  const ins = frame.ins;
  // Nesting stack: opener offset and block kind. Slot 0 is the function/expression.
  let openers = frame.openers;
  let kinds = frame.kinds;
  let sp = 1;
  openers[0] = -1;
  kinds[0] = K_FUNC;
  const fast = fastKinds(visit, filter);

  for (;;) {
    if (fast !== null) {
      // The fast path (FAST_KINDS): stops at the first instruction it does not take, which the general path below decodes.
      let pos = c.pos;
      for (;;) {
        if (pos >= limit) break;
        const k = fast[bytes[pos]];
        if (k === 0) break;
        let q = pos + 1;
        if (k === FK_LEB || k === FK_MEMARG) {
          if (k === FK_MEMARG) {
            if (q >= limit || bytes[q] >= 0x40) break;
            q++;
          }
          // A LEB128 of one to four bytes (q: its first byte).
          if (q < limit && bytes[q] < 0x80) q++;
          else if (q + 1 < limit && bytes[q + 1] < 0x80) q += 2;
          else if (q + 2 < limit && bytes[q + 2] < 0x80) q += 3;
          else if (q + 3 < limit && bytes[q + 3] < 0x80) q += 4;
          else break;
        } else if (k === FK_LEB64) {
          const last = q + 8 < limit ? q + 8 : limit - 1; // the ninth byte, or the last one before the limit
          while (q < last && bytes[q] >= 0x80) q++;
          if (q >= limit || bytes[q] >= 0x80) break; // longer than nine bytes, or cut short: the general path says which
          q++;
        } else if (k === FK_F32) {
          q += 4;
          if (q > limit) break;
        } else if (k === FK_F64) {
          q += 8;
          if (q > limit) break;
        }
        pos = q;
        count++;
      }
      c.pos = pos;
    }
    const offset = c.pos;
    if (offset >= limit) c.fail("unexpected end of code (missing end)", offset);
    const b = bytes[c.pos++];
    let op = SINGLE[b];
    if (b >= 0xfb) {
      const table = prefixTable(b);
      if (table !== undefined) {
        const sub = c.u32();
        op = table[sub];
        if (op === undefined) c.fail(`unknown opcode ${formatOpcode(b)} 0x${sub.toString(16).padStart(2, "0")}`, offset);
      }
    }
    if (op === undefined) c.fail(`unknown opcode ${formatOpcode(b)}`, offset);

    // Immediates go to locals; the shared Instruction is written only for a visit.
    let memory = -1;
    let memory2 = -1;
    let index = -1;
    let index2 = -1;
    let align = 0;
    let memOffset = 0;
    let features = op.feature;

    switch (op.imm) {
      case I_NONE:
        break;
      case I_BLOCK:
        features |= blockType(c);
        break;
      case I_TRY_TABLE: {
        features |= blockType(c);
        const n = c.count(2);
        for (let i = 0; i < n; i++) {
          const kind = c.u8();
          if (kind > 3) c.fail(`malformed catch clause kind ${kind}`, c.pos - 1);
          if (kind < 2) c.u32(); // tag
          c.u32(); // label
        }
        break;
      }
      case I_LABEL:
      case I_FUNC:
      case I_TYPE:
      case I_LOCAL:
      case I_GLOBAL:
      case I_TABLE:
      case I_TAG:
      case I_DATA:
      case I_ELEM: {
        // One-byte indices (most of them) without the general LEB reader.
        const p = c.pos;
        const v = p < limit ? bytes[p] : 0x80;
        if (v < 0x80) {
          c.pos = p + 1;
          index = v;
        } else index = c.u32();
        break;
      }
      case I_BR_TABLE: {
        const n = c.count(1);
        for (let i = 0; i <= n; i++) c.u32();
        break;
      }
      case I_CALL_INDIRECT:
      case I_ELEM_TABLE:
      case I_TABLE_TABLE:
      case I_TYPE_FIELD:
      case I_TYPE_COUNT:
      case I_TYPE_DATA:
      case I_TYPE_ELEM:
      case I_TYPE_TYPE:
        index = c.u32();
        index2 = c.u32();
        break;
      case I_SELECT_T: {
        const n = c.count(1);
        for (let i = 0; i < n; i++) features |= skipValType(c);
        break;
      }
      case I_MEMARG:
      case I_MEMARG_LANE: {
        const flagsAt = c.pos;
        align = c.u32();
        memory = 0;
        if (align >= 0x80) c.fail("malformed memop flags", flagsAt);
        if (align & 0x40) {
          align &= 0x3f;
          memory = c.u32();
          if (memory !== 0) features |= MULTI_MEMORY;
        }
        const p = c.pos;
        const o = p < limit ? bytes[p] : 0x80;
        if (o < 0x80) {
          c.pos = p + 1;
          memOffset = o;
        } else memOffset = c.u64();
        if (op.imm === I_MEMARG_LANE) c.skip(1);
        break;
      }
      case I_MEMORY:
        memory = c.u32();
        if (memory !== 0) features |= MULTI_MEMORY;
        break;
      case I_DATA_MEMORY:
        index = c.u32();
        memory = c.u32();
        if (memory !== 0) features |= MULTI_MEMORY;
        break;
      case I_MEMORY_MEMORY:
        memory = c.u32();
        memory2 = c.u32();
        if ((memory | memory2) !== 0) features |= MULTI_MEMORY;
        break;
      case I_I32: {
        const p = c.pos;
        if (p < limit && bytes[p] < 0x80) c.pos = p + 1;
        else c.s32();
        break;
      }
      case I_I64:
        c.skipS64();
        break;
      case I_F32:
        c.skip(4);
        break;
      case I_F64:
        c.skip(8);
        break;
      case I_HEAP_TYPE:
        features |= skipHeapType(c);
        break;
      case I_V128:
      case I_SHUFFLE:
        c.skip(16);
        break;
      case I_LANE:
        c.skip(1);
        break;
      case I_FENCE:
        if (c.u8() !== 0) c.fail("malformed atomic.fence flags", c.pos - 1);
        break;
      case I_BR_ON_CAST: {
        if (c.u8() > 3) c.fail("malformed br_on_cast flags", c.pos - 1);
        index = c.u32();
        features |= skipHeapType(c) | skipHeapType(c);
        break;
      }
      default:
        throw new Error(`opcode table: ${op.name} has unknown immediate kind ${op.imm}`);
    }
    count++;
    allFeatures |= features;
    // memory.init and data.drop name a data segment before the data section is read: the spec requires a data count section.
    if (dataCountMissing && (op.code === OP_MEMORY_INIT || op.code === OP_DATA_DROP)) {
      c.fail(`${op.name} needs a data count section (none present)`, offset);
    }

    const flags = op.flags;
    const visits = visit !== null && (filter === null || filter[b] !== 0);
    if (visits) {
      ins.offset = offset;
      ins.end = c.pos;
      ins.opcode = op.code;
      ins.op = op;
      ins.features = features;
      ins.memory = memory;
      ins.memory2 = memory2;
      ins.index = index;
      ins.index2 = index2;
      ins.align = align;
      ins.memOffset = memOffset;
      ins.count = count;
    }
    if ((flags & (BLOCK | ARM | END)) === 0) {
      if (visits) {
        ins.depth = sp;
        ins.opener = -1;
        visit(ins);
      }
      continue;
    }
    if (flags & BLOCK) {
      if (visits) {
        ins.depth = sp;
        ins.opener = -1;
      }
      if (sp === openers.length) {
        const o = new Int32Array(sp * 2);
        o.set(openers);
        openers = frame.openers = o;
        const k = new Uint8Array(sp * 2);
        k.set(kinds);
        kinds = frame.kinds = k;
      }
      openers[sp] = offset;
      kinds[sp] = b === OP_IF ? K_IF : b === OP_TRY ? K_TRY : K_BLOCK;
      sp++;
      if (visits) visit(ins);
      continue;
    }
    const kind = kinds[sp - 1];
    if (visits) {
      ins.depth = sp - 1;
      ins.opener = openers[sp - 1];
    }
    if (flags & ARM) {
      if (b === OP_ELSE) {
        if (kind !== K_IF) c.fail("else without a matching if", offset);
        kinds[sp - 1] = K_IF_ELSE;
      } else {
        if (kind !== K_TRY && kind !== K_TRY_CATCH) c.fail(`${op.name} without a matching try`, offset);
        kinds[sp - 1] = b === OP_CATCH ? K_TRY_CATCH : K_TRY_CATCH_ALL;
      }
      if (visits) visit(ins);
      continue;
    }
    // END: end or delegate.
    if (b === OP_DELEGATE && kind !== K_TRY) c.fail("delegate without a matching try", offset);
    sp--;
    if (visits) visit(ins);
    if (sp === 0) {
      if (exact && c.pos !== limit) c.fail("operators remaining after the end of the function", c.pos);
      lastWalk.count = count;
      lastWalk.features = allFeatures;
      return c.pos;
    }
  }
}

/** True if the instruction writes memory `memory` (a store, rmw, fill, copy destination, init or grow). */
export function writesMemory(ins: Instruction, memory: number): boolean {
  return (ins.op.flags & OpFlag.STORE) !== 0 && ins.memory === memory;
}

/** Reads a blocktype; returns the feature bits it needs. */
function blockType(c: Cursor): number {
  const b = c.peek();
  if (b === 0x40) {
    c.pos++;
    return 0;
  }
  if (startsValType(b)) return skipValType(c);
  const at = c.pos;
  if (c.s33() < 0) c.fail(`malformed block type 0x${b.toString(16)}`, at);
  return Feature.MULTI_VALUE;
}

/**
 * What the walkers below need of a function body and of a module: a
 * structural view of reader.ts's FunctionBody and WasmModule, declared here
 * so that decode.ts does not import the reader that imports it.
 */
export interface BodyRef {
  /** Index in the function index space (imports first). */
  index: number;
  /** Offset of the first instruction. */
  bodyStart: number;
  /** One past the body's final `end` opcode. */
  end: number;
}
export interface CodeOf<B extends BodyRef = BodyRef> {
  bytes: Uint8Array;
  importedFuncs: number;
  code: readonly B[];
  /** The data count section's value, or null when the module has none (memory.init and data.drop then refuse). */
  dataCount: number | null;
}

/** The body of a function given by index (in the function index space) or directly. Throws RangeError. */
export function functionBody<B extends BodyRef>(module: CodeOf<B>, func: number | B): B {
  if (typeof func !== "number") return func;
  const body = module.code[func - module.importedFuncs];
  if (body === undefined) throw new RangeError(`function ${func} has no body in this module`);
  return body;
}

/**
 * Calls `visit` for every instruction of a function's body, in order (with
 * `filter`: only those it selects, see visitFilter; with no visitor: none,
 * the body is only checked). Returns the number of instructions; lastWalk
 * has their proposal bits. Throws WasmParseError on a malformed body,
 * RangeError if `func` is an imported or unknown function.
 */
export function forEachInstruction(
  module: CodeOf,
  func: number | BodyRef,
  visit: InstructionVisitor | null,
  filter: Uint8Array | null = null,
): number {
  const body = functionBody(module, func);
  decodeExpression(
    module.bytes,
    body.bodyStart,
    body.end,
    "code",
    `function ${body.index}`,
    true,
    visit,
    module.dataCount === null,
    filter,
  );
  return lastWalk.count;
}

/** Every block of a function's body, in order of their openers. Throws like forEachInstruction. */
export function blockStructure(module: CodeOf, func: number | BodyRef): Block[] {
  const blocks: Block[] = [];
  const open: Block[] = [];
  forEachInstruction(module, func, (ins) => {
    const flags = ins.op.flags;
    if (flags & BLOCK) {
      const block: Block = { kind: ins.op.name, start: ins.offset, bodyStart: ins.end, arms: [], end: -1, depth: ins.depth };
      blocks.push(block);
      open.push(block);
    } else if (flags & ARM) {
      open[open.length - 1].arms.push(ins.offset);
    } else if (flags & END && ins.depth > 0) {
      open.pop()!.end = ins.offset;
    }
  });
  return blocks;
}

/** Offsets where each loop's body begins (just after `loop` and its blocktype). */
export function loopHeaders(module: CodeOf, func: number | BodyRef): number[] {
  const headers: number[] = [];
  forEachInstruction(module, func, (ins) => {
    if (ins.opcode === OP_LOOP) headers.push(ins.end);
  });
  return headers;
}

export { WasmParseError };
