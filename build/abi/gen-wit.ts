// Generator for abi/wit/wasmos.wit: the ABI as a WIT package, for tools that speak
// the component model. Core-wasm guests still import the snake_case names from
// module "wasmos"; WIT spells them in kebab-case.
// WIT has no numeric constants and numbers enum cases and flags by position, so a
// table becomes an enum (or flags) only when positions equal the ABI values; a table
// whose values start at 1 gets a placeholder case 0; anything else, and every limit
// and constant, is written as documentation.

import {
  type AbiDefinition,
  type ResultType,
  type SyscallEntry,
  type ValueEntry,
  type WasmValType,
  GENERATED_NOTICE,
  allConstants,
  sysParamNames,
  versionString,
} from "./definition.ts";
import { bulletComments, kebab, lineComments } from "./text.ts";

const WIT_TYPE: Record<WasmValType, string> = { i32: "s32", i64: "s64", f32: "f32", f64: "f64" };

/** Words the WIT lexer reserves; an identifier equal to one needs a leading `%`. */
const WIT_KEYWORDS = new Set([
  "as",
  "async",
  "bool",
  "borrow",
  "char",
  "constructor",
  "enum",
  "error-context",
  "export",
  "f32",
  "f64",
  "flags",
  "float32",
  "float64",
  "from",
  "func",
  "future",
  "import",
  "include",
  "interface",
  "list",
  "option",
  "own",
  "package",
  "record",
  "resource",
  "result",
  "s16",
  "s32",
  "s64",
  "s8",
  "static",
  "stream",
  "string",
  "tuple",
  "type",
  "u16",
  "u32",
  "u64",
  "u8",
  "use",
  "variant",
  "with",
  "world",
]);

function ident(name: string): string {
  const k = kebab(name);
  return WIT_KEYWORDS.has(k) ? `%${k}` : k;
}

const IND = "  ";

/** An enum whose case index is the ABI value, or null if the values do not allow one. */
function enumOf(typeName: string, what: string, list: readonly ValueEntry[]): string | null {
  const sorted = [...list].sort((a, b) => a.value - b.value);
  const first = sorted[0]?.value;
  if (first !== 0 && first !== 1) return null;
  if (!sorted.every((e, i) => e.value === first + i)) return null;
  if (first === 1 && sorted.some((e) => kebab(e.name) === "none")) return null;
  let out = "";
  if (first === 1) out += `${IND}${IND}/// 0: not a valid ${what}; present so each case's index is its ABI value.\n${IND}${IND}none,\n`;
  for (const e of sorted) out += lineComments("///", `${e.value}: ${e.doc}`, IND + IND) + `${IND}${IND}${ident(e.name)},\n`;
  return `${IND}enum ${typeName} {\n${out}${IND}}\n`;
}

/** A table that cannot be an enum, as a comment listing name = value. */
function commentTable(title: string, rows: readonly { name: string; value: string; doc: string }[]): string {
  let out = `${IND}// ${title} (WIT cannot declare constants):\n`;
  for (const r of rows) out += bulletComments("//", `${r.name} = ${r.value}: ${r.doc}`, IND);
  return out;
}

/**
 * The enum for a table, or "" with the table appended to `notes` as comments when
 * the values cannot be enum positions.
 */
function enumOrNote(notes: string[], typeName: string, what: string, title: string, docLine: string, list: readonly ValueEntry[]): string {
  const asEnum = enumOf(typeName, what, list);
  if (asEnum !== null) return lineComments("///", docLine, IND) + asEnum;
  notes.push(
    commentTable(
      title,
      list.map((e) => ({ name: e.name, value: String(e.value), doc: e.doc })),
    ),
  );
  return "";
}

function witResult(t: ResultType): string {
  return t === "never" ? "" : ` -> ${WIT_TYPE[t]}`;
}

function funcDecl(sc: SyscallEntry): string {
  const facts = [
    `Syscall ${sc.nr} (\`${sc.name}\`), ${sc.blocking ? "blocking" : "non-blocking"}, pledge ${sc.pledge}.`,
    sc.rights !== undefined && sc.rights.length > 0 ? `Rights: ${sc.rights.join("|")}.` : "",
    sc.errors.length > 0 ? `Errors: ${sc.errors.map((e) => e.errno).join(", ")}.` : "",
  ].filter((f) => f !== "");
  let out = lineComments("///", sc.doc, IND);
  out += lineComments("///", facts.join(" "), IND);
  for (const p of sc.params) out += lineComments("///", `${kebab(p.name)}${p.unit !== undefined ? ` (${p.unit})` : ""}: ${p.doc}`, IND);
  const result = sc.result.type === "never" ? sc.result.doc : `Result: ${sc.result.doc}${sc.errors.length > 0 ? " Negative: -errno." : ""}`;
  out += lineComments("///", result, IND);
  const params = sc.params.map((p) => `${ident(p.name)}: ${WIT_TYPE[p.type]}`).join(", ");
  return out + `${IND}${ident(sc.name)}: func(${params})${witResult(sc.result.type)};\n`;
}

export function generateWit(def: AbiDefinition): string {
  const v = def.version;
  const parts: string[] = [];

  parts.push(
    `// ${GENERATED_NOTICE}\n` +
      "//\n" +
      `// The wasmos syscall ABI ${versionString(def)} as a WIT package. Reference: docs/abi.md.\n` +
      "//\n" +
      "// Conventions:\n" +
      def.conventions.map((c) => bulletComments("//", c)).join("") +
      "\n" +
      `package ${def.name}:kernel@${v.major}.${v.minor}.0;\n`,
  );

  // Comment-only tables go last in the interface: WIT tools attach `//` comments to
  // the item that follows them, and these describe no item.
  const notes: string[] = [];
  const body: string[] = [];
  body.push(enumOrNote(notes, "errno", "errno", "Errno", "Error numbers; a failing call returns the negated value.", def.errno));

  // Flags are numbered by position too: right i must be bit i.
  const rightsInOrder = [...def.rights].sort((a, b) => a.bit - b.bit);
  if (rightsInOrder.every((r, i) => r.bit === i)) {
    body.push(
      lineComments("///", "Handle rights; flag i is bit i of a rights mask.", IND) +
        `${IND}flags rights {\n` +
        rightsInOrder.map((r) => lineComments("///", r.doc, IND + IND) + `${IND}${IND}${ident(r.name)},\n`).join("") +
        `${IND}}\n`,
    );
  } else {
    notes.push(
      commentTable(
        "Rights (bit masks)",
        def.rights.map((r) => ({ name: r.name, value: `1 << ${r.bit}`, doc: r.doc })),
      ),
    );
  }

  body.push(enumOrNote(notes, "object-type", "object type", "Object types", "Kernel object types.", def.object_types));
  body.push(
    enumOrNote(
      notes,
      "process-state",
      "process state",
      "Process states",
      "Process states, as process-info reports them.",
      def.process_states,
    ),
  );
  body.push(enumOrNote(notes, "exit-reason", "exit reason", "Exit reasons", "Why a process ended, as wait reports it.", def.exit_reasons));
  body.push(
    lineComments("///", "Pledge classes; flag i is bit i of a pledge mask.", IND) +
      `${IND}flags pledge-classes {\n` +
      def.pledge_classes.map((p) => lineComments("///", p.doc, IND + IND) + `${IND}${IND}${ident(p.name)},\n`).join("") +
      `${IND}}\n`,
  );
  // Structs as records named <struct>-struct (a syscall may share the struct's name); the layout
  // (offsets, sizes) is in docs/abi.md: WIT records carry fields only.
  const FIELD_WIT: Record<string, string> = { u8: "u8", u16: "u16", u32: "u32", i32: "s32", u64: "u64", i64: "s64" };
  for (const st of def.structs) {
    body.push(
      lineComments("///", `${st.doc} (struct ${st.name}; layout in docs/abi.md)`, IND) +
        `${IND}record ${ident(kebab(st.name))}-struct {\n` +
        st.fields
          .map((f) => {
            const t = FIELD_WIT[f.type]!;
            const ty = f.count !== undefined ? `tuple<${Array(f.count).fill(t).join(", ")}>` : t;
            return lineComments("///", `${f.doc} (${f.type} at ${f.offset})`, IND + IND) + `${IND}${IND}${ident(kebab(f.name))}: ${ty},\n`;
          })
          .join("") +
        `${IND}}\n`,
    );
  }
  for (const sc of def.syscalls) body.push(funcDecl(sc));

  const names = sysParamNames(def);
  body.push(
    lineComments("///", def.sys.doc, IND) +
      `${IND}${ident(def.sys.name)}: func(${def.sys.params.map((t, i) => `${ident(names[i]!)}: ${WIT_TYPE[t]}`).join(", ")}) -> ${WIT_TYPE[def.sys.result]};\n`,
  );

  notes.push(
    commentTable(
      "Limits",
      def.limits.map((l) => ({ name: l.name, value: String(l.value), doc: l.doc })),
    ),
  );
  notes.push(
    commentTable(
      "Constants",
      allConstants(def).map((c) => ({ name: `${c.name}: ${WIT_TYPE[c.type]}`, value: String(c.value), doc: c.doc })),
    ),
  );
  const items = [...body.filter((b) => b !== ""), ...notes];
  parts.push(
    lineComments("///", `Every syscall of the \`${def.import_module}\` import module.`) +
      "interface syscalls {\n" +
      items.join("\n") +
      "}\n",
  );

  parts.push(
    lineComments("///", "A wasmos guest: it imports the syscalls and exports its entry point.") +
      "world guest {\n" +
      `${IND}import syscalls;\n` +
      lineComments("///", "The process entry point (`_start` in a core module).", IND) +
      `${IND}export start: func();\n` +
      "}\n",
  );

  return parts.join("\n");
}
