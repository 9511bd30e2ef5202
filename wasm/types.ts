// Value types and heap types: decoding them to printable names, skipping them
// in hot paths, and the proposal each one belongs to.

import { Cursor } from "./cursor.ts";
import { Feature } from "./opcodes.ts";

/**
 * A value type as its WAT spelling: "i32", "v128", "funcref", "exnref",
 * "(ref func)", "(ref null 3)" (3 = a type index). Struct fields may also be
 * the packed types "i8" and "i16".
 */
export type ValType = string;

/** Single-byte value types: name and the feature they need (0 = MVP). */
const SIMPLE_VALTYPES: ReadonlyMap<number, readonly [ValType, number]> = new Map([
  [0x7f, ["i32", 0]],
  [0x7e, ["i64", 0]],
  [0x7d, ["f32", 0]],
  [0x7c, ["f64", 0]],
  [0x7b, ["v128", Feature.SIMD]],
  [0x70, ["funcref", Feature.REFERENCE_TYPES]],
  [0x6f, ["externref", Feature.REFERENCE_TYPES]],
  [0x69, ["exnref", Feature.EXCEPTIONS]],
  [0x74, ["nullexnref", Feature.EXCEPTIONS]],
  [0x73, ["nullfuncref", Feature.GC]],
  [0x72, ["nullexternref", Feature.GC]],
  [0x71, ["nullref", Feature.GC]],
  [0x6e, ["anyref", Feature.GC]],
  [0x6d, ["eqref", Feature.GC]],
  [0x6c, ["i31ref", Feature.GC]],
  [0x6b, ["structref", Feature.GC]],
  [0x6a, ["arrayref", Feature.GC]],
]);

/** Abstract heap types: name and feature. */
const ABSTRACT_HEAP_TYPES: ReadonlyMap<number, readonly [string, number]> = new Map([
  [0x70, ["func", Feature.REFERENCE_TYPES]],
  [0x6f, ["extern", Feature.REFERENCE_TYPES]],
  [0x69, ["exn", Feature.EXCEPTIONS]],
  [0x74, ["noexn", Feature.EXCEPTIONS]],
  [0x73, ["nofunc", Feature.GC]],
  [0x72, ["noextern", Feature.GC]],
  [0x71, ["none", Feature.GC]],
  [0x6e, ["any", Feature.GC]],
  [0x6d, ["eq", Feature.GC]],
  [0x6c, ["i31", Feature.GC]],
  [0x6b, ["struct", Feature.GC]],
  [0x6a, ["array", Feature.GC]],
]);

const REF = 0x64;
const REF_NULL = 0x63;
const SHARED = 0x65;

/** Single-byte encodings of the plain value types, for encoders. */
export const VALTYPE_CODES: ReadonlyMap<ValType, number> = new Map([...SIMPLE_VALTYPES].map(([code, [name]]) => [name, code]));

/** Reads a heap type; returns its name, or its type index as a string. Throws WasmParseError. */
export function readHeapType(c: Cursor): string {
  const at = c.pos;
  const b = c.peek();
  if (b === SHARED) c.fail("shared heap types are not supported");
  const abstract = ABSTRACT_HEAP_TYPES.get(b);
  if (abstract !== undefined) {
    c.pos++;
    return abstract[0];
  }
  const index = c.s33();
  if (index < 0) c.fail(`unknown heap type 0x${b.toString(16)}`, at);
  return String(index);
}

/** Reads a value type and returns its name. Throws WasmParseError. */
export function readValType(c: Cursor): ValType {
  const at = c.pos;
  const b = c.u8();
  const simple = SIMPLE_VALTYPES.get(b);
  if (simple !== undefined) return simple[0];
  if (b === REF || b === REF_NULL) {
    const heap = readHeapType(c);
    return b === REF ? `(ref ${heap})` : `(ref null ${heap})`;
  }
  c.fail(`unknown value type 0x${b.toString(16)}`, at);
}

/** Reads a struct/array field storage type (a value type, or packed i8/i16). */
export function readStorageType(c: Cursor): ValType {
  const b = c.peek();
  if (b === 0x78 || b === 0x77) {
    c.pos++;
    return b === 0x78 ? "i8" : "i16";
  }
  return readValType(c);
}

const FEATURES_BY_NAME: ReadonlyMap<string, number> = new Map([
  ...[...SIMPLE_VALTYPES.values()],
  ...[...ABSTRACT_HEAP_TYPES.values()],
  ["i8", Feature.GC],
  ["i16", Feature.GC],
]);

/** The feature bits a value type (as returned by readValType/readStorageType) needs. */
export function valTypeFeatures(type: ValType): number {
  const simple = FEATURES_BY_NAME.get(type);
  if (simple !== undefined) return simple;
  const heap = type.slice(type.lastIndexOf(" ") + 1, -1); // "(ref null any)" -> "any"
  return Feature.FUNCTION_REFERENCES | (FEATURES_BY_NAME.get(heap) ?? 0);
}

/** Skips a heap type; returns the feature bits it needs. Throws WasmParseError. */
export function skipHeapType(c: Cursor): number {
  const abstract = ABSTRACT_HEAP_TYPES.get(c.peek());
  if (abstract !== undefined) {
    c.pos++;
    return abstract[1];
  }
  readHeapType(c);
  return Feature.FUNCTION_REFERENCES;
}

/** Skips a value type; returns the feature bits it needs. Throws WasmParseError. */
export function skipValType(c: Cursor): number {
  const at = c.pos;
  const b = c.u8();
  const simple = SIMPLE_VALTYPES.get(b);
  if (simple !== undefined) return simple[1];
  if (b === REF || b === REF_NULL) return Feature.FUNCTION_REFERENCES | skipHeapType(c);
  c.fail(`unknown value type 0x${b.toString(16)}`, at);
}

/** True if `b` starts a value type (tells a blocktype's value type from a type index). */
export function startsValType(b: number): boolean {
  return SIMPLE_VALTYPES.has(b) || b === REF || b === REF_NULL;
}

/** Encodes a value type given by name; only single-byte types are supported. Throws RangeError. */
export function encodeValType(type: ValType): number {
  const code = VALTYPE_CODES.get(type);
  if (code === undefined) throw new RangeError(`cannot encode value type ${type}`);
  return code;
}
