// Generator for abi/gen/abi.ts: the ABI as TypeScript values and types for the host
// and the kernel. The output imports nothing, so kernel/ can depend on it alone.
// Syscall tables refer to the Errno/Rights/PledgeClass objects by name rather than
// repeating numbers, so the generated file reads like the definition.

import {
  type AbiDefinition,
  type ResultType,
  type SyscallEntry,
  type ValueEntry,
  type WasmValType,
  GENERATED_NOTICE,
  allConstants,
  allRightsMask,
  rightMask,
  sysParamNames,
  versionString,
} from "./definition.ts";
import { structsTs } from "./gen-structs.ts";
import { jsDoc } from "./text.ts";

/** The JS type a wasm value crosses the boundary as (JS API: i64 <-> BigInt). */
const JS_TYPE: Record<WasmValType, string> = { i32: "number", i64: "bigint", f32: "number", f64: "number" };

function jsResultType(t: ResultType): string {
  return t === "never" ? "never" : JS_TYPE[t];
}

function hex(n: number): string {
  return "0x" + n.toString(16);
}

/** `export const Name = { KEY: value, ... } as const;` with each entry's doc. */
function valueObject(docs: string[], name: string, entries: readonly { name: string; value: string; doc: string }[]): string {
  let out = jsDoc(docs);
  out += `export const ${name} = {\n`;
  for (const e of entries) out += jsDoc([e.doc], "  ") + `  ${e.name}: ${e.value},\n`;
  return out + "} as const;\n";
}

/** `export const NAMES: Record<number, string> = { value: "NAME", ... };` */
function reverseRecord(doc: string, name: string, entries: readonly { key: number; text: string }[]): string {
  let out = jsDoc([doc]);
  out += `export const ${name}: Record<number, string> = {\n`;
  for (const e of entries) out += `  ${e.key}: ${JSON.stringify(e.text)},\n`;
  return out + "};\n";
}

/** Value object plus its reverse *_NAMES record, for errno-like tables. */
function enumLike(docs: string[], name: string, namesName: string, list: readonly ValueEntry[]): string {
  return (
    valueObject(
      docs,
      name,
      list.map((e) => ({ name: e.name, value: String(e.value), doc: e.doc })),
    ) +
    "\n" +
    reverseRecord(
      `${name} value -> name.`,
      namesName,
      list.map((e) => ({ key: e.value, text: e.name })),
    )
  );
}

function syscallDefLiteral(sc: SyscallEntry): string {
  const params = sc.params.map(
    (p) =>
      `{ name: ${JSON.stringify(p.name)}, type: ${JSON.stringify(p.type)}${p.rights !== undefined ? `, rights: ${p.rights.map((r) => `Rights.${r}`).join(" | ")}` : ""} }`,
  );
  const rights = (sc.rights ?? []).map((r) => `Rights.${r}`).join(" | ") || "Rights.NONE";
  const errors = sc.errors.map((e) => `Errno.${e.errno}`).join(", ");
  return (
    jsDoc([`${sc.nr}: ${sc.doc}`], "  ") +
    "  {\n" +
    `    nr: ${sc.nr},\n` +
    `    name: ${JSON.stringify(sc.name)},\n` +
    `    params: [${params.join(", ")}],\n` +
    `    result: ${JSON.stringify(sc.result.type)},\n` +
    `    blocking: ${sc.blocking},\n` +
    `    pledge: PledgeClass.${sc.pledge},\n` +
    `    rights: ${rights},\n` +
    `    errors: [${errors}],\n` +
    "  },\n"
  );
}

export function generateTs(def: AbiDefinition): string {
  const sections: string[] = [];
  const syscalls = def.syscalls;

  sections.push(
    `// ${GENERATED_NOTICE}\n` +
      "//\n" +
      `// The wasmos syscall ABI ${versionString(def)} as TypeScript values and types, for the host and\n` +
      "// the kernel. Reference: docs/abi.md.\n",
  );

  sections.push(
    jsDoc(["The ABI version this file was generated from."]) +
      `export const ABI_VERSION = { major: ${def.version.major}, minor: ${def.version.minor} } as const;\n\n` +
      jsDoc(["The module every syscall is imported from."]) +
      `export const IMPORT_MODULE = ${JSON.stringify(def.import_module)};\n`,
  );

  sections.push(
    enumLike(["Error numbers. A failing syscall returns the negated value."], "Errno", "ERRNO_NAMES", def.errno) +
      "\nexport type ErrnoName = keyof typeof Errno;\n",
  );

  const rightEntries = [
    { name: "NONE", value: "0", doc: "No rights." },
    ...def.rights.map((r) => ({ name: r.name, value: hex(rightMask(r)), doc: `${r.doc} (bit ${r.bit})` })),
    { name: "ALL", value: hex(allRightsMask(def)), doc: "Every right." },
  ];
  sections.push(
    valueObject(["Handle rights as bit masks. A handle's rights only shrink when it is passed on."], "Rights", rightEntries) +
      "\n" +
      reverseRecord(
        "Right mask (one bit) -> name.",
        "RIGHT_NAMES",
        def.rights.map((r) => ({ key: rightMask(r), text: r.name })),
      ),
  );

  sections.push(enumLike(["Kernel object types."], "ObjectType", "OBJECT_TYPE_NAMES", def.object_types));
  sections.push(enumLike(["Process states, as process_info reports them."], "ProcessState", "PROCESS_STATE_NAMES", def.process_states));
  sections.push(
    enumLike(["Why a process ended, as wait reports it."], "ExitReason", "EXIT_REASON_NAMES", def.exit_reasons) +
      "\n" +
      reverseRecord(
        "ExitReason value -> description.",
        "EXIT_REASON_DOCS",
        def.exit_reasons.map((e) => ({ key: e.value, text: e.doc })),
      ),
  );

  sections.push(
    valueObject(
      ["Resource limits (defaults where the doc says so)."],
      "Limits",
      def.limits.map((l) => ({ name: l.name, value: String(l.value), doc: l.doc })),
    ),
  );
  sections.push(
    valueObject(
      ["Constants of the ABI. i64 constants are bigints, as i64 values cross the JS boundary."],
      "Constants",
      allConstants(def).map((c) => ({ name: c.name, value: c.type === "i64" ? `${c.value}n` : String(c.value), doc: c.doc })),
    ),
  );

  sections.push(
    valueObject(
      ["Pledge classes: name -> bit index in a pledge mask (definition order)."],
      "PledgeClass",
      def.pledge_classes.map((p, i) => ({ name: p.name, value: String(i), doc: p.doc })),
    ) +
      "\n" +
      reverseRecord(
        "PledgeClass bit index -> name.",
        "PLEDGE_CLASS_NAMES",
        def.pledge_classes.map((p, i) => ({ key: i, text: p.name })),
      ),
  );

  sections.push(
    'export type WasmValType = "i32" | "i64" | "f32" | "f64";\n\n' +
      jsDoc(["One syscall: its import name and core wasm signature, and what the kernel checks before running it."]) +
      "export interface SyscallDef {\n" +
      "  readonly nr: number;\n" +
      "  readonly name: string;\n" +
      "  /** rights: the rights mask a handle parameter must carry, when the syscall takes several handles. */\n" +
      "  readonly params: readonly { readonly name: string; readonly type: WasmValType; readonly rights?: number }[];\n" +
      '  readonly result: WasmValType | "never";\n' +
      "  /** Bound as a WebAssembly.Suspending import. */\n" +
      "  readonly blocking: boolean;\n" +
      "  /** PledgeClass bit index. */\n" +
      "  readonly pledge: number;\n" +
      "  /** Rights mask the handle argument must carry (Rights.NONE when none). */\n" +
      "  readonly rights: number;\n" +
      "  /** Errno values the syscall may return (negated). */\n" +
      "  readonly errors: readonly number[];\n" +
      "}\n",
  );

  sections.push(
    `export type SyscallName =\n${syscalls.map((s) => `  | ${JSON.stringify(s.name)}`).join("\n")};\n\n` +
      jsDoc(["Every syscall, in definition order."]) +
      "export const SYSCALLS: readonly SyscallDef[] = [\n" +
      syscalls.map(syscallDefLiteral).join("") +
      "];\n",
  );

  // Explicit literals (rather than built at load) so both tables type-check against
  // SyscallName and are readable in the generated file.
  const byNr: string[] = [];
  const maxNr = Math.max(...syscalls.map((s) => s.nr));
  for (let nr = 0; nr <= maxNr; nr++) {
    const i = syscalls.findIndex((s) => s.nr === nr);
    byNr.push(i < 0 ? `  undefined, // ${nr}: unused\n` : `  SYSCALLS[${i}], // ${nr}: ${syscalls[i]!.name}\n`);
  }
  sections.push(
    jsDoc(["Syscalls by name."]) +
      "export const SYSCALL_BY_NAME: Readonly<Record<SyscallName, SyscallDef>> = {\n" +
      syscalls.map((s, i) => `  ${s.name}: SYSCALLS[${i}]!,\n`).join("") +
      "};\n\n" +
      jsDoc(["Syscalls indexed by number; undefined where no syscall has the number."]) +
      "export const SYSCALL_BY_NR: readonly (SyscallDef | undefined)[] = [\n" +
      byNr.join("") +
      "];\n",
  );

  const sysNames = sysParamNames(def);
  sections.push(
    jsDoc([def.sys.doc]) +
      "export const SYS_ENTRY = {\n" +
      `  name: ${JSON.stringify(def.sys.name)},\n` +
      "  params: [\n" +
      def.sys.params.map((t, i) => `    { name: ${JSON.stringify(sysNames[i])}, type: ${JSON.stringify(t)} },\n`).join("") +
      "  ],\n" +
      `  result: ${JSON.stringify(def.sys.result)},\n` +
      "} as const;\n",
  );

  sections.push(
    jsDoc(["Each syscall's parameters as JS values (i32 -> number, i64 -> bigint)."]) +
      "export interface SyscallArgs {\n" +
      syscalls.map((s) => `  ${s.name}: [${s.params.map((p) => `${p.name}: ${JS_TYPE[p.type]}`).join(", ")}];\n`).join("") +
      "}\n\n" +
      jsDoc(["Each syscall's result as a JS value (i32 -> number, i64 -> bigint, never -> never)."]) +
      "export type SyscallResult<N extends SyscallName> = {\n" +
      syscalls.map((s) => `  ${s.name}: ${jsResultType(s.result.type)};\n`).join("") +
      "}[N];\n",
  );

  sections.push("// ---- Structs: layouts in guest memory (docs/abi.md, Structs) ----\n\n" + structsTs(def));

  return sections.join("\n");
}
