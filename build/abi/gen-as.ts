// Generator for guests/sdk/bindings/abi.ts: the raw AssemblyScript imports and
// constants of the ABI. Friendly wrappers live beside it in the SDK; this file is
// the only place a guest's `wasmos` imports are declared.
// Imports are named sys_<name> so they cannot clash with AssemblyScript builtins
// (`exit`, `abort`, ...); constants share one global namespace, so the generator
// refuses to emit two with the same name.

import {
  type AbiDefinition,
  type ParamDef,
  type SyscallEntry,
  GENERATED_NOTICE,
  allConstants,
  allRightsMask,
  rightMask,
  sysParamNames,
  versionString,
} from "./definition.ts";
import { structsAs } from "./gen-structs.ts";
import { jsDoc } from "./text.ts";

interface AsConstant {
  readonly name: string;
  readonly type: "i32" | "i64";
  readonly value: string;
  readonly doc: string;
}

function paramDoc(p: ParamDef): string {
  return `@param ${p.name} ${p.unit !== undefined ? `(${p.unit}) ` : ""}${p.doc}`;
}

function importDecl(def: AbiDefinition, sc: SyscallEntry): string {
  const facts = [
    sc.blocking ? "Blocking." : "Non-blocking.",
    `Pledge: ${sc.pledge}.`,
    sc.rights !== undefined && sc.rights.length > 0 ? `Rights: ${sc.rights.join("|")}.` : "",
    sc.errors.length > 0 ? `Errors: ${sc.errors.map((e) => e.errno).join(", ")}.` : "",
  ].filter((f) => f !== "");
  const returns =
    sc.result.type === "never" ? sc.result.doc : `@returns ${sc.result.doc}${sc.errors.length > 0 ? " Negative: -errno." : ""}`;
  const params = sc.params.map((p) => `${p.name}: ${p.type}`).join(", ");
  const result = sc.result.type === "never" ? "void" : sc.result.type;
  return (
    jsDoc([`Syscall ${sc.nr}. ${sc.doc}`, facts.join(" "), ...sc.params.map(paramDoc), returns]) +
    `@external(${JSON.stringify(def.import_module)}, ${JSON.stringify(sc.name)})\n` +
    `export declare function sys_${sc.name}(${params}): ${result};\n`
  );
}

function sysDecl(def: AbiDefinition): string {
  const names = sysParamNames(def);
  const params = def.sys.params.map((t, i) => `${names[i]}: ${t}`).join(", ");
  return (
    jsDoc([def.sys.doc]) +
    `@external(${JSON.stringify(def.import_module)}, ${JSON.stringify(def.sys.name)})\n` +
    `export declare function ${def.sys.name}(${params}): ${def.sys.result};\n`
  );
}

/** Every exported constant, grouped; each group becomes one section of the file. */
function constantGroups(def: AbiDefinition): { title: string; list: AsConstant[] }[] {
  const i32 = (name: string, value: number, doc: string): AsConstant => ({ name, type: "i32", value: String(value), doc });
  return [
    {
      title: "ABI version",
      list: [
        i32("ABI_VERSION_MAJOR", def.version.major, "Major version of the ABI these bindings were generated from."),
        i32("ABI_VERSION_MINOR", def.version.minor, "Minor version of the ABI these bindings were generated from."),
      ],
    },
    { title: "Syscall numbers (for sys)", list: def.syscalls.map((s) => i32(`SYS_${s.name.toUpperCase()}`, s.nr, `Number of ${s.name}.`)) },
    { title: "Errno: a failing syscall returns the negated value", list: def.errno.map((e) => i32(e.name, e.value, e.doc)) },
    {
      title: "Rights (bit masks)",
      list: [
        i32("RIGHT_NONE", 0, "No rights."),
        ...def.rights.map((r) => i32(`RIGHT_${r.name}`, rightMask(r), r.doc)),
        i32("RIGHT_ALL", allRightsMask(def), "Every right."),
      ],
    },
    {
      title: "Pledge classes (masks for pledge)",
      list: def.pledge_classes.map((c, bit) => i32(`PLEDGE_${c.name.toUpperCase()}`, 1 << bit, c.doc)),
    },
    { title: "Object types", list: def.object_types.map((o) => i32(`OBJECT_${o.name}`, o.value, o.doc)) },
    { title: "Process states", list: def.process_states.map((s) => i32(`STATE_${s.name}`, s.value, s.doc)) },
    { title: "Exit reasons", list: def.exit_reasons.map((e) => i32(`EXIT_${e.name}`, e.value, e.doc)) },
    { title: "Limits", list: def.limits.map((l) => i32(l.name, l.value, l.doc)) },
    { title: "Constants", list: allConstants(def).map((c) => ({ name: c.name, type: c.type, value: String(c.value), doc: c.doc })) },
  ];
}

/** A switch from value to name, so guests print errors by name without copying the table. */
function nameFunction(fn: string, what: string, entries: readonly { name: string; value: number }[], negate: boolean): string {
  const arg = negate ? "(value < 0 ? -value : value)" : "value";
  const cases = entries.map((e) => `    case ${e.value}: return "${e.name}";\n`).join("");
  return (
    jsDoc([`The name of ${what}, or "?" followed by the number.`]) +
    `export function ${fn}(value: i32): string {\n  switch (${arg}) {\n${cases}    default: return "?" + value.toString();\n  }\n}\n`
  );
}

export function generateAs(def: AbiDefinition): string {
  const groups = constantGroups(def);
  const seen = new Set<string>([def.sys.name, ...def.syscalls.map((s) => `sys_${s.name}`)]);
  for (const c of groups.flatMap((g) => g.list)) {
    if (seen.has(c.name)) throw new Error(`AssemblyScript bindings: the name ${c.name} would be declared twice`);
    seen.add(c.name);
  }

  const sections: string[] = [];
  sections.push(
    `// ${GENERATED_NOTICE}\n` +
      "//\n" +
      `// wasmos ABI ${versionString(def)}: the raw syscall imports and constants for AssemblyScript\n` +
      "// guests. Results >= 0 are success; a negative result is -errno. Reference: docs/abi.md.\n",
  );
  sections.push("// ---- Syscalls ----\n\n" + def.syscalls.map((s) => importDecl(def, s)).join("\n"));
  sections.push(sysDecl(def));
  for (const g of groups) {
    sections.push(
      `// ---- ${g.title} ----\n\n` + g.list.map((c) => jsDoc([c.doc]) + `export const ${c.name}: ${c.type} = ${c.value};\n`).join(""),
    );
  }
  sections.push(structsAs(def));
  sections.push(
    "// ---- Names ----\n\n" +
      nameFunction("errnoName", "an errno value (positive or negated)", def.errno, true) +
      "\n" +
      nameFunction("exitReasonName", "an exit reason", def.exit_reasons, false),
  );
  return sections.join("\n");
}
