// The shape of abi/wasmos.abi.json and the small derivations every generator shares.
// Contract: these helpers assume a definition that validateDefinition() accepted;
// they do not re-check it.

export type WasmValType = "i32" | "i64" | "f32" | "f64";
export type ResultType = WasmValType | "never";

export interface ParamDef {
  readonly name: string;
  readonly type: WasmValType;
  /** Unit of the value ("ns", "bytes"), when it has one. */
  readonly unit?: string;
  /** A handle parameter: the right names it must carry (given per parameter when a syscall takes several handles). */
  readonly rights?: readonly string[];
  readonly doc: string;
}

export interface ErrorDef {
  /** An errno name. */
  readonly errno: string;
  /** When the syscall returns it. */
  readonly when: string;
}

export interface SyscallEntry {
  readonly nr: number;
  readonly name: string;
  /** A pledge class name. */
  readonly pledge: string;
  readonly blocking: boolean;
  readonly doc: string;
  /**
   * Right names the handle argument must carry; absent means none. With
   * several handle parameters, each lists its own (ParamDef.rights) and this
   * is their union.
   */
  readonly rights?: readonly string[];
  readonly params: readonly ParamDef[];
  readonly result: { readonly type: ResultType; readonly unit?: string; readonly doc: string };
  readonly errors: readonly ErrorDef[];
}

export interface ValueEntry {
  readonly name: string;
  readonly value: number;
  readonly doc: string;
}

export interface RightEntry {
  readonly name: string;
  readonly bit: number;
  readonly doc: string;
}

/** An i32 constant has a number value; an i64 constant a decimal string (JSON cannot hold it). */
export interface ConstantEntry {
  readonly name: string;
  readonly type: "i32" | "i64";
  readonly value: number | string;
  readonly doc: string;
}

export interface PledgeClassEntry {
  readonly name: string;
  readonly doc: string;
}

/** The numbered entry: params[0] is the syscall number, the rest its widened arguments. */
export interface SysEntry {
  readonly name: string;
  readonly doc: string;
  readonly params: readonly WasmValType[];
  readonly result: WasmValType;
}

/** Scalar types a struct field may have (little-endian in guest memory). */
export type FieldType = "u8" | "u16" | "i32" | "u32" | "i64" | "u64";

export const FIELD_TYPE_SIZE: Readonly<Record<FieldType, number>> = { u8: 1, u16: 2, i32: 4, u32: 4, i64: 8, u64: 8 };

export interface FieldDef {
  readonly name: string;
  readonly type: FieldType;
  /** Byte offset in the struct: a multiple of the type's size. */
  readonly offset: number;
  /** Elements, for an array field (default 1). */
  readonly count?: number;
  readonly doc: string;
}

/**
 * A fixed layout in guest memory that the kernel writes (process_info, ...)
 * or reads (msg_desc, ...). Its fields cover it exactly, in offset order; its
 * size is the end of its last field and a multiple of its alignment (its
 * widest field's size). The constant NAME_SIZE is derived from it.
 */
export interface StructDef {
  readonly name: string;
  readonly doc: string;
  readonly fields: readonly FieldDef[];
}

export interface AbiDefinition {
  readonly $comment?: string;
  readonly name: string;
  readonly version: { readonly major: number; readonly minor: number };
  readonly import_module: string;
  readonly conventions: readonly string[];
  readonly constants: readonly ConstantEntry[];
  readonly limits: readonly ValueEntry[];
  readonly errno: readonly ValueEntry[];
  readonly rights: readonly RightEntry[];
  readonly object_types: readonly ValueEntry[];
  readonly process_states: readonly ValueEntry[];
  readonly exit_reasons: readonly ValueEntry[];
  readonly pledge_classes: readonly PledgeClassEntry[];
  readonly structs: readonly StructDef[];
  readonly syscalls: readonly SyscallEntry[];
  readonly sys: SysEntry;
}

/** Paths relative to the repository root. */
export const DEFINITION_PATH = "abi/wasmos.abi.json";
export const GENERATOR_PATH = "build/gen-abi.ts";
export const LOCK_PATH = "abi/versions.lock.json";

/** The first line of every generated file, minus its comment syntax. */
export const GENERATED_NOTICE =
  `Generated from ${DEFINITION_PATH} by ${GENERATOR_PATH}. ` + `Do not edit: change the definition and run \`node ${GENERATOR_PATH}\`.`;

/** Parses the definition text. Throws SyntaxError on malformed JSON; the shape is unchecked. */
export function parseDefinition(text: string): AbiDefinition {
  return JSON.parse(text) as AbiDefinition;
}

/** "0.1" */
export function versionString(def: AbiDefinition): string {
  return `${def.version.major}.${def.version.minor}`;
}

/** The mask a right occupies. Rights use bits 0..30, so masks stay positive i32s. */
export function rightMask(right: RightEntry): number {
  return 2 ** right.bit;
}

/** OR of the named rights (0 for none). */
export function rightsMask(def: AbiDefinition, names: readonly string[] = []): number {
  let mask = 0;
  for (const name of names) {
    const right = def.rights.find((r) => r.name === name);
    if (right === undefined) throw new Error(`unknown right ${name}`);
    mask |= rightMask(right);
  }
  return mask;
}

/** OR of every right. */
export function allRightsMask(def: AbiDefinition): number {
  return rightsMask(
    def,
    def.rights.map((r) => r.name),
  );
}

/** The bit index of a pledge class: its position in the definition. */
export function pledgeIndex(def: AbiDefinition, name: string): number {
  const index = def.pledge_classes.findIndex((p) => p.name === name);
  if (index < 0) throw new Error(`unknown pledge class ${name}`);
  return index;
}

export function errnoValue(def: AbiDefinition, name: string): number {
  const entry = def.errno.find((e) => e.name === name);
  if (entry === undefined) throw new Error(`unknown errno ${name}`);
  return entry.value;
}

/** Names of the sys entry's parameters: "nr", then "a0".."a5". */
export function sysParamNames(def: AbiDefinition): string[] {
  return def.sys.params.map((_, i) => (i === 0 ? "nr" : `a${i - 1}`));
}

/** The canonical signature text, e.g. "sleep(duration_ns: i64) -> i32". */
export function signatureText(sc: SyscallEntry): string {
  const params = sc.params.map((p) => `${p.name}: ${p.type}`).join(", ");
  return `${sc.name}(${params}) -> ${sc.result.type}`;
}

/** Bytes a field occupies. */
export function fieldBytes(f: FieldDef): number {
  return FIELD_TYPE_SIZE[f.type] * (f.count ?? 1);
}

/** A struct's size: the end of its last field. */
export function structSize(s: StructDef): number {
  return Math.max(0, ...s.fields.map((f) => f.offset + fieldBytes(f)));
}

/** A struct's alignment: its widest field's size. */
export function structAlign(s: StructDef): number {
  return Math.max(1, ...s.fields.map((f) => FIELD_TYPE_SIZE[f.type]));
}

/** "PROCESS_INFO_SIZE" for process_info. */
export function sizeConstantName(s: StructDef): string {
  return `${s.name.toUpperCase()}_SIZE`;
}

/** "processInfo" for process_info; "ProcessInfo" with upper. */
export function camelName(snake: string, upper = false): string {
  const c = snake.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  return upper ? c[0]!.toUpperCase() + c.slice(1) : c;
}

/** The definition's constants plus each struct's NAME_SIZE, in definition order then struct order. */
export function allConstants(def: AbiDefinition): ConstantEntry[] {
  return [
    ...def.constants,
    ...def.structs.map((s) => ({
      name: sizeConstantName(s),
      type: "i32" as const,
      value: structSize(s),
      doc: `Bytes of a ${s.name} struct (see structs): ${s.doc}`,
    })),
  ];
}
