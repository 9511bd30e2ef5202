// Opcode tables: for every core wasm instruction its encoding, WAT mnemonic,
// immediate layout, category flags and the proposal it belongs to.
//
// Covers MVP, sign-ext, sat-conv, bulk memory, reference types, SIMD and
// relaxed SIMD, threads, exception handling (legacy try/catch/delegate and
// try_table/throw_ref), tail calls, typed function references and GC.
//
// Opcode numbers: a single-byte opcode is its byte; a prefixed one is
// prefix << 16 | sub-opcode (memory.fill = 0xfc000b).

/** Immediate layouts (how the decoder reads what follows the opcode). */
export const Imm = {
  NONE: 0,
  BLOCK: 1, // blocktype
  TRY_TABLE: 2, // blocktype, vec(catch clause)
  LABEL: 3, // labelidx
  BR_TABLE: 4, // vec(labelidx) labelidx
  FUNC: 5, // funcidx
  CALL_INDIRECT: 6, // typeidx tableidx
  TYPE: 7, // typeidx
  LOCAL: 8,
  GLOBAL: 9,
  TABLE: 10,
  TAG: 11,
  SELECT_T: 12, // vec(valtype)
  MEMARG: 13, // align (bit 6: memory index follows) [memidx] offset
  MEMORY: 14, // memidx
  I32: 15,
  I64: 16,
  F32: 17,
  F64: 18,
  HEAP_TYPE: 19,
  DATA_MEMORY: 20, // dataidx memidx (memory.init)
  DATA: 21, // dataidx
  MEMORY_MEMORY: 22, // memidx memidx (memory.copy: destination, source)
  ELEM_TABLE: 23, // elemidx tableidx (table.init)
  ELEM: 24,
  TABLE_TABLE: 25, // tableidx tableidx (table.copy: destination, source)
  V128: 26, // 16 bytes
  SHUFFLE: 27, // 16 lane bytes
  LANE: 28, // 1 lane byte
  MEMARG_LANE: 29, // memarg, lane byte
  FENCE: 30, // one zero byte
  TYPE_FIELD: 31, // typeidx fieldidx
  TYPE_COUNT: 32, // typeidx u32 (array.new_fixed)
  TYPE_DATA: 33, // typeidx dataidx
  TYPE_ELEM: 34, // typeidx elemidx
  TYPE_TYPE: 35, // typeidx typeidx (array.copy)
  BR_ON_CAST: 36, // flags labelidx heaptype heaptype
} as const;

/** Category flags (bits of OpInfo.flags). */
export const OpFlag = {
  /** Reads memory `memory` (memory.copy: reads `memory2`). */
  LOAD: 1 << 0,
  /**
   * Writes memory `memory`: plain, atomic and lane stores, atomic rmw and
   * cmpxchg, memory.fill, memory.copy (destination), memory.init, memory.grow.
   */
  STORE: 1 << 1,
  /** Names a memory (`memory` is set): every load, store and memory.* instruction. */
  MEMORY: 1 << 2,
  ATOMIC: 1 << 3,
  /** Opens a block: block, loop, if, try, try_table. */
  BLOCK: 1 << 4,
  LOOP: 1 << 5,
  /** Starts another arm of the enclosing block: else, catch, catch_all. */
  ARM: 1 << 6,
  /** Closes a block: end, delegate. */
  END: 1 << 7,
  /** Calls: call, call_indirect, call_ref and their return_call forms. */
  CALL: 1 << 8,
  /** May branch to a label. */
  BRANCH: 1 << 9,
  /** Leaves the function: return and the return_call forms. */
  RETURN: 1 << 10,
  /** Immediate `index` is a function index: call, return_call, ref.func. */
  FUNC_INDEX: 1 << 11,
  /** Raises or re-raises an exception. */
  THROW: 1 << 12,
} as const;

/** Proposal bits (OpInfo.feature, Instruction.features, module feature sets). */
export const Feature = {
  SIGN_EXT: 1 << 0,
  SAT_CONV: 1 << 1,
  BULK_MEMORY: 1 << 2,
  REFERENCE_TYPES: 1 << 3,
  MULTI_VALUE: 1 << 4,
  SIMD: 1 << 5,
  RELAXED_SIMD: 1 << 6,
  THREADS: 1 << 7,
  EXCEPTIONS: 1 << 8,
  TAIL_CALL: 1 << 9,
  FUNCTION_REFERENCES: 1 << 10,
  GC: 1 << 11,
  MULTI_MEMORY: 1 << 12,
  MEMORY64: 1 << 13,
  EXTENDED_CONST: 1 << 14,
} as const;

export type FeatureName =
  | "sign-ext"
  | "sat-conv"
  | "bulk-memory"
  | "reference-types"
  | "multi-value"
  | "simd"
  | "relaxed-simd"
  | "threads"
  | "exceptions"
  | "tail-call"
  | "function-references"
  | "gc"
  | "multi-memory"
  | "memory64"
  | "extended-const";

const FEATURE_NAME_LIST: readonly [number, FeatureName][] = [
  [Feature.SIGN_EXT, "sign-ext"],
  [Feature.SAT_CONV, "sat-conv"],
  [Feature.BULK_MEMORY, "bulk-memory"],
  [Feature.REFERENCE_TYPES, "reference-types"],
  [Feature.MULTI_VALUE, "multi-value"],
  [Feature.SIMD, "simd"],
  [Feature.RELAXED_SIMD, "relaxed-simd"],
  [Feature.THREADS, "threads"],
  [Feature.EXCEPTIONS, "exceptions"],
  [Feature.TAIL_CALL, "tail-call"],
  [Feature.FUNCTION_REFERENCES, "function-references"],
  [Feature.GC, "gc"],
  [Feature.MULTI_MEMORY, "multi-memory"],
  [Feature.MEMORY64, "memory64"],
  [Feature.EXTENDED_CONST, "extended-const"],
];

/** Names of the features in a bit set, in a fixed order. */
export function featureNames(bits: number): FeatureName[] {
  const names: FeatureName[] = [];
  for (const [bit, name] of FEATURE_NAME_LIST) if (bits & bit) names.push(name);
  return names;
}

/** The bit of a single feature name; 0 for an unknown name. */
export function featureBit(name: string): number {
  for (const [bit, n] of FEATURE_NAME_LIST) if (n === name) return bit;
  return 0;
}

export interface OpInfo {
  /** Byte, or prefix << 16 | sub-opcode. */
  readonly code: number;
  /** WAT mnemonic, e.g. "i32.store16". */
  readonly name: string;
  /** An Imm value. */
  readonly imm: number;
  /** OpFlag bits. */
  readonly flags: number;
  /** One Feature bit, or 0 for MVP instructions. */
  readonly feature: number;
}

/** Indexed by opcode byte. */
export const SINGLE_BYTE_OPS: (OpInfo | undefined)[] = new Array(256).fill(undefined);
/** Indexed by sub-opcode, per prefix. */
export const GC_OPS: (OpInfo | undefined)[] = []; // 0xfb
export const MISC_OPS: (OpInfo | undefined)[] = []; // 0xfc
export const SIMD_OPS: (OpInfo | undefined)[] = []; // 0xfd
export const ATOMIC_OPS: (OpInfo | undefined)[] = []; // 0xfe

export const PREFIX_GC = 0xfb;
export const PREFIX_MISC = 0xfc;
export const PREFIX_SIMD = 0xfd;
export const PREFIX_ATOMIC = 0xfe;

/** The sub-opcode table for a prefix byte, or undefined if it is no prefix. */
export function prefixTable(prefix: number): (OpInfo | undefined)[] | undefined {
  switch (prefix) {
    case PREFIX_GC:
      return GC_OPS;
    case PREFIX_MISC:
      return MISC_OPS;
    case PREFIX_SIMD:
      return SIMD_OPS;
    case PREFIX_ATOMIC:
      return ATOMIC_OPS;
    default:
      return undefined;
  }
}

/** Static information for an opcode number (see the file comment), if it exists. */
export function opInfo(code: number): OpInfo | undefined {
  if (code < 0x100) return SINGLE_BYTE_OPS[code];
  return prefixTable(code >>> 16)?.[code & 0xffff];
}

/** The opcode as it would be printed: "0x36" or "0xfc 0x0b". */
export function formatOpcode(code: number): string {
  const hex = (n: number) => "0x" + n.toString(16).padStart(2, "0");
  return code < 0x100 ? hex(code) : `${hex(code >>> 16)} ${hex(code & 0xffff)}`;
}

function def(prefix: number, sub: number, name: string, imm: number, flags: number, feature: number): void {
  const op: OpInfo = { code: prefix === 0 ? sub : (prefix << 16) | sub, name, imm, flags, feature };
  const table = prefix === 0 ? SINGLE_BYTE_OPS : prefixTable(prefix)!;
  if (table[sub] !== undefined) throw new Error(`opcode table: duplicate ${name}`);
  table[sub] = op;
}

/** Defines consecutive no-immediate instructions starting at `sub`. */
function run(prefix: number, sub: number, names: string, feature: number): void {
  for (const name of names.trim().split(/\s+/)) {
    if (name !== "-") def(prefix, sub, name, Imm.NONE, 0, feature);
    sub++;
  }
}

const { LOAD, STORE, MEMORY, ATOMIC, BLOCK, LOOP, ARM, END, CALL, BRANCH, RETURN, FUNC_INDEX, THROW } = OpFlag;
const F = Feature;

// ---- Control (MVP and later proposals) ----
def(0, 0x00, "unreachable", Imm.NONE, 0, 0);
def(0, 0x01, "nop", Imm.NONE, 0, 0);
def(0, 0x02, "block", Imm.BLOCK, BLOCK, 0);
def(0, 0x03, "loop", Imm.BLOCK, BLOCK | LOOP, 0);
def(0, 0x04, "if", Imm.BLOCK, BLOCK, 0);
def(0, 0x05, "else", Imm.NONE, ARM, 0);
def(0, 0x06, "try", Imm.BLOCK, BLOCK, F.EXCEPTIONS);
def(0, 0x07, "catch", Imm.TAG, ARM, F.EXCEPTIONS);
def(0, 0x08, "throw", Imm.TAG, THROW, F.EXCEPTIONS);
def(0, 0x09, "rethrow", Imm.LABEL, THROW, F.EXCEPTIONS);
def(0, 0x0a, "throw_ref", Imm.NONE, THROW, F.EXCEPTIONS);
def(0, 0x0b, "end", Imm.NONE, END, 0);
def(0, 0x0c, "br", Imm.LABEL, BRANCH, 0);
def(0, 0x0d, "br_if", Imm.LABEL, BRANCH, 0);
def(0, 0x0e, "br_table", Imm.BR_TABLE, BRANCH, 0);
def(0, 0x0f, "return", Imm.NONE, RETURN, 0);
def(0, 0x10, "call", Imm.FUNC, CALL | FUNC_INDEX, 0);
def(0, 0x11, "call_indirect", Imm.CALL_INDIRECT, CALL, 0);
def(0, 0x12, "return_call", Imm.FUNC, CALL | RETURN | FUNC_INDEX, F.TAIL_CALL);
def(0, 0x13, "return_call_indirect", Imm.CALL_INDIRECT, CALL | RETURN, F.TAIL_CALL);
def(0, 0x14, "call_ref", Imm.TYPE, CALL, F.FUNCTION_REFERENCES);
def(0, 0x15, "return_call_ref", Imm.TYPE, CALL | RETURN, F.TAIL_CALL);
def(0, 0x18, "delegate", Imm.LABEL, END, F.EXCEPTIONS);
def(0, 0x19, "catch_all", Imm.NONE, ARM, F.EXCEPTIONS);
def(0, 0x1a, "drop", Imm.NONE, 0, 0);
def(0, 0x1b, "select", Imm.NONE, 0, 0);
def(0, 0x1c, "select", Imm.SELECT_T, 0, F.REFERENCE_TYPES);
def(0, 0x1f, "try_table", Imm.TRY_TABLE, BLOCK | BRANCH, F.EXCEPTIONS);

// ---- Variables and tables ----
def(0, 0x20, "local.get", Imm.LOCAL, 0, 0);
def(0, 0x21, "local.set", Imm.LOCAL, 0, 0);
def(0, 0x22, "local.tee", Imm.LOCAL, 0, 0);
def(0, 0x23, "global.get", Imm.GLOBAL, 0, 0);
def(0, 0x24, "global.set", Imm.GLOBAL, 0, 0);
def(0, 0x25, "table.get", Imm.TABLE, 0, F.REFERENCE_TYPES);
def(0, 0x26, "table.set", Imm.TABLE, 0, F.REFERENCE_TYPES);

// ---- Memory ----
{
  const loads =
    "i32.load i64.load f32.load f64.load i32.load8_s i32.load8_u i32.load16_s i32.load16_u i64.load8_s i64.load8_u i64.load16_s i64.load16_u i64.load32_s i64.load32_u";
  let sub = 0x28;
  for (const name of loads.split(" ")) def(0, sub++, name, Imm.MEMARG, LOAD | MEMORY, 0);
  const stores = "i32.store i64.store f32.store f64.store i32.store8 i32.store16 i64.store8 i64.store16 i64.store32";
  for (const name of stores.split(" ")) def(0, sub++, name, Imm.MEMARG, STORE | MEMORY, 0);
}
def(0, 0x3f, "memory.size", Imm.MEMORY, MEMORY, 0);
def(0, 0x40, "memory.grow", Imm.MEMORY, STORE | MEMORY, 0);

// ---- Numeric ----
def(0, 0x41, "i32.const", Imm.I32, 0, 0);
def(0, 0x42, "i64.const", Imm.I64, 0, 0);
def(0, 0x43, "f32.const", Imm.F32, 0, 0);
def(0, 0x44, "f64.const", Imm.F64, 0, 0);
run(
  0,
  0x45,
  `
  i32.eqz i32.eq i32.ne i32.lt_s i32.lt_u i32.gt_s i32.gt_u i32.le_s i32.le_u i32.ge_s i32.ge_u
  i64.eqz i64.eq i64.ne i64.lt_s i64.lt_u i64.gt_s i64.gt_u i64.le_s i64.le_u i64.ge_s i64.ge_u
  f32.eq f32.ne f32.lt f32.gt f32.le f32.ge
  f64.eq f64.ne f64.lt f64.gt f64.le f64.ge
  i32.clz i32.ctz i32.popcnt i32.add i32.sub i32.mul i32.div_s i32.div_u i32.rem_s i32.rem_u
  i32.and i32.or i32.xor i32.shl i32.shr_s i32.shr_u i32.rotl i32.rotr
  i64.clz i64.ctz i64.popcnt i64.add i64.sub i64.mul i64.div_s i64.div_u i64.rem_s i64.rem_u
  i64.and i64.or i64.xor i64.shl i64.shr_s i64.shr_u i64.rotl i64.rotr
  f32.abs f32.neg f32.ceil f32.floor f32.trunc f32.nearest f32.sqrt
  f32.add f32.sub f32.mul f32.div f32.min f32.max f32.copysign
  f64.abs f64.neg f64.ceil f64.floor f64.trunc f64.nearest f64.sqrt
  f64.add f64.sub f64.mul f64.div f64.min f64.max f64.copysign
  i32.wrap_i64 i32.trunc_f32_s i32.trunc_f32_u i32.trunc_f64_s i32.trunc_f64_u
  i64.extend_i32_s i64.extend_i32_u i64.trunc_f32_s i64.trunc_f32_u i64.trunc_f64_s i64.trunc_f64_u
  f32.convert_i32_s f32.convert_i32_u f32.convert_i64_s f32.convert_i64_u f32.demote_f64
  f64.convert_i32_s f64.convert_i32_u f64.convert_i64_s f64.convert_i64_u f64.promote_f32
  i32.reinterpret_f32 i64.reinterpret_f64 f32.reinterpret_i32 f64.reinterpret_i64`,
  0,
);
run(0, 0xc0, "i32.extend8_s i32.extend16_s i64.extend8_s i64.extend16_s i64.extend32_s", F.SIGN_EXT);

// ---- References ----
def(0, 0xd0, "ref.null", Imm.HEAP_TYPE, 0, F.REFERENCE_TYPES);
def(0, 0xd1, "ref.is_null", Imm.NONE, 0, F.REFERENCE_TYPES);
def(0, 0xd2, "ref.func", Imm.FUNC, FUNC_INDEX, F.REFERENCE_TYPES);
def(0, 0xd3, "ref.eq", Imm.NONE, 0, F.GC);
def(0, 0xd4, "ref.as_non_null", Imm.NONE, 0, F.FUNCTION_REFERENCES);
def(0, 0xd5, "br_on_null", Imm.LABEL, BRANCH, F.FUNCTION_REFERENCES);
def(0, 0xd6, "br_on_non_null", Imm.LABEL, BRANCH, F.FUNCTION_REFERENCES);

// ---- 0xfb: GC ----
def(PREFIX_GC, 0, "struct.new", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 1, "struct.new_default", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 2, "struct.get", Imm.TYPE_FIELD, 0, F.GC);
def(PREFIX_GC, 3, "struct.get_s", Imm.TYPE_FIELD, 0, F.GC);
def(PREFIX_GC, 4, "struct.get_u", Imm.TYPE_FIELD, 0, F.GC);
def(PREFIX_GC, 5, "struct.set", Imm.TYPE_FIELD, 0, F.GC);
def(PREFIX_GC, 6, "array.new", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 7, "array.new_default", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 8, "array.new_fixed", Imm.TYPE_COUNT, 0, F.GC);
def(PREFIX_GC, 9, "array.new_data", Imm.TYPE_DATA, 0, F.GC);
def(PREFIX_GC, 10, "array.new_elem", Imm.TYPE_ELEM, 0, F.GC);
def(PREFIX_GC, 11, "array.get", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 12, "array.get_s", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 13, "array.get_u", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 14, "array.set", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 15, "array.len", Imm.NONE, 0, F.GC);
def(PREFIX_GC, 16, "array.fill", Imm.TYPE, 0, F.GC);
def(PREFIX_GC, 17, "array.copy", Imm.TYPE_TYPE, 0, F.GC);
def(PREFIX_GC, 18, "array.init_data", Imm.TYPE_DATA, 0, F.GC);
def(PREFIX_GC, 19, "array.init_elem", Imm.TYPE_ELEM, 0, F.GC);
def(PREFIX_GC, 20, "ref.test", Imm.HEAP_TYPE, 0, F.GC);
def(PREFIX_GC, 21, "ref.test", Imm.HEAP_TYPE, 0, F.GC); // (ref null ht)
def(PREFIX_GC, 22, "ref.cast", Imm.HEAP_TYPE, 0, F.GC);
def(PREFIX_GC, 23, "ref.cast", Imm.HEAP_TYPE, 0, F.GC); // (ref null ht)
def(PREFIX_GC, 24, "br_on_cast", Imm.BR_ON_CAST, BRANCH, F.GC);
def(PREFIX_GC, 25, "br_on_cast_fail", Imm.BR_ON_CAST, BRANCH, F.GC);
run(PREFIX_GC, 26, "any.convert_extern extern.convert_any ref.i31 i31.get_s i31.get_u", F.GC);

// ---- 0xfc: saturating conversions, bulk memory, table operations ----
run(
  PREFIX_MISC,
  0,
  `
  i32.trunc_sat_f32_s i32.trunc_sat_f32_u i32.trunc_sat_f64_s i32.trunc_sat_f64_u
  i64.trunc_sat_f32_s i64.trunc_sat_f32_u i64.trunc_sat_f64_s i64.trunc_sat_f64_u`,
  F.SAT_CONV,
);
def(PREFIX_MISC, 8, "memory.init", Imm.DATA_MEMORY, STORE | MEMORY, F.BULK_MEMORY);
def(PREFIX_MISC, 9, "data.drop", Imm.DATA, 0, F.BULK_MEMORY);
def(PREFIX_MISC, 10, "memory.copy", Imm.MEMORY_MEMORY, LOAD | STORE | MEMORY, F.BULK_MEMORY);
def(PREFIX_MISC, 11, "memory.fill", Imm.MEMORY, STORE | MEMORY, F.BULK_MEMORY);
def(PREFIX_MISC, 12, "table.init", Imm.ELEM_TABLE, 0, F.BULK_MEMORY);
def(PREFIX_MISC, 13, "elem.drop", Imm.ELEM, 0, F.BULK_MEMORY);
def(PREFIX_MISC, 14, "table.copy", Imm.TABLE_TABLE, 0, F.BULK_MEMORY);
def(PREFIX_MISC, 15, "table.grow", Imm.TABLE, 0, F.REFERENCE_TYPES);
def(PREFIX_MISC, 16, "table.size", Imm.TABLE, 0, F.REFERENCE_TYPES);
def(PREFIX_MISC, 17, "table.fill", Imm.TABLE, 0, F.REFERENCE_TYPES);

// ---- 0xfd: SIMD ----
{
  const S = PREFIX_SIMD;
  const loads =
    "v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat";
  let sub = 0;
  for (const name of loads.split(" ")) def(S, sub++, name, Imm.MEMARG, LOAD | MEMORY, F.SIMD);
  def(S, 11, "v128.store", Imm.MEMARG, STORE | MEMORY, F.SIMD);
  def(S, 12, "v128.const", Imm.V128, 0, F.SIMD);
  def(S, 13, "i8x16.shuffle", Imm.SHUFFLE, 0, F.SIMD);
  run(S, 14, "i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat i64x2.splat f32x4.splat f64x2.splat", F.SIMD);
  const lanes = `i8x16.extract_lane_s i8x16.extract_lane_u i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u
    i16x8.replace_lane i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane
    f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane`;
  sub = 21;
  for (const name of lanes.trim().split(/\s+/)) def(S, sub++, name, Imm.LANE, 0, F.SIMD);
  run(
    S,
    35,
    `
    i8x16.eq i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s i8x16.ge_u
    i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s i16x8.le_u i16x8.ge_s i16x8.ge_u
    i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u
    f32x4.eq f32x4.ne f32x4.lt f32x4.gt f32x4.le f32x4.ge
    f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge
    v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true`,
    F.SIMD,
  );
  sub = 84;
  for (const name of "v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane".split(" ")) {
    def(S, sub++, name, Imm.MEMARG_LANE, LOAD | MEMORY, F.SIMD);
  }
  for (const name of "v128.store8_lane v128.store16_lane v128.store32_lane v128.store64_lane".split(" ")) {
    def(S, sub++, name, Imm.MEMARG_LANE, STORE | MEMORY, F.SIMD);
  }
  def(S, 92, "v128.load32_zero", Imm.MEMARG, LOAD | MEMORY, F.SIMD);
  def(S, 93, "v128.load64_zero", Imm.MEMARG, LOAD | MEMORY, F.SIMD);
  // From 94 on, no immediates; "-" marks unassigned sub-opcodes.
  run(
    S,
    94,
    `
    f32x4.demote_f64x2_zero f64x2.promote_low_f32x4
    i8x16.abs i8x16.neg i8x16.popcnt i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u
    f32x4.ceil f32x4.floor f32x4.trunc f32x4.nearest
    i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add i8x16.add_sat_s i8x16.add_sat_u
    i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u
    f64x2.ceil f64x2.floor
    i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u
    f64x2.trunc
    i8x16.avgr_u
    i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u
    i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u
    i16x8.abs i16x8.neg i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask
    i16x8.narrow_i32x4_s i16x8.narrow_i32x4_u
    i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u
    i16x8.shl i16x8.shr_s i16x8.shr_u i16x8.add i16x8.add_sat_s i16x8.add_sat_u
    i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u
    f64x2.nearest
    i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u
    - i16x8.avgr_u
    i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u i16x8.extmul_high_i8x16_u
    i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - -
    i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u i32x4.extend_high_i16x8_u
    i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - -
    i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s -
    i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u i32x4.extmul_high_i16x8_u
    i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - -
    i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u i64x2.extend_high_i32x4_u
    i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - -
    i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s
    i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u i64x2.extmul_high_i32x4_u
    f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub f32x4.mul f32x4.div
    f32x4.min f32x4.max f32x4.pmin f32x4.pmax
    f64x2.abs f64x2.neg - f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div
    f64x2.min f64x2.max f64x2.pmin f64x2.pmax
    i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s f32x4.convert_i32x4_u
    i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero
    f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u`,
    F.SIMD,
  );
  run(
    S,
    0x100,
    `
    i8x16.relaxed_swizzle
    i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u
    i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero
    f32x4.relaxed_madd f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd
    i8x16.relaxed_laneselect i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect
    f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max
    i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s i32x4.relaxed_dot_i8x16_i7x16_add_s`,
    F.RELAXED_SIMD,
  );
}

// ---- 0xfe: threads ----
{
  const A = PREFIX_ATOMIC;
  const T = F.THREADS;
  def(A, 0x00, "memory.atomic.notify", Imm.MEMARG, LOAD | MEMORY | ATOMIC, T);
  def(A, 0x01, "memory.atomic.wait32", Imm.MEMARG, LOAD | MEMORY | ATOMIC, T);
  def(A, 0x02, "memory.atomic.wait64", Imm.MEMARG, LOAD | MEMORY | ATOMIC, T);
  def(A, 0x03, "atomic.fence", Imm.FENCE, ATOMIC, T);
  let sub = 0x10;
  for (const name of "i32.atomic.load i64.atomic.load i32.atomic.load8_u i32.atomic.load16_u i64.atomic.load8_u i64.atomic.load16_u i64.atomic.load32_u".split(
    " ",
  )) {
    def(A, sub++, name, Imm.MEMARG, LOAD | MEMORY | ATOMIC, T);
  }
  for (const name of "i32.atomic.store i64.atomic.store i32.atomic.store8 i32.atomic.store16 i64.atomic.store8 i64.atomic.store16 i64.atomic.store32".split(
    " ",
  )) {
    def(A, sub++, name, Imm.MEMARG, STORE | MEMORY | ATOMIC, T);
  }
  for (const op of ["add", "sub", "and", "or", "xor", "xchg", "cmpxchg"]) {
    for (const shape of [
      "i32.atomic.rmw.",
      "i64.atomic.rmw.",
      "i32.atomic.rmw8.",
      "i32.atomic.rmw16.",
      "i64.atomic.rmw8.",
      "i64.atomic.rmw16.",
      "i64.atomic.rmw32.",
    ]) {
      const name = shape + op + (shape.endsWith("rmw.") ? "" : "_u");
      def(A, sub++, name, Imm.MEMARG, LOAD | STORE | MEMORY | ATOMIC, T);
    }
  }
}
