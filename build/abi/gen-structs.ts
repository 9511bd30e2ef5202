// Struct layouts for every output: in abi/gen/abi.ts, typed readers and writers
// for the kernel (and the host) over a StructMemory: the
// little-endian accessors GuestMemory has (kernel/mm/guest-memory.ts). The
// output imports nothing, so kernel/ can depend on it alone. Callers check
// bounds first (mem.inBounds(ptr, NAME_SIZE)); the accessors do not.

import {
  type AbiDefinition,
  type FieldDef,
  type FieldType,
  type StructDef,
  FIELD_TYPE_SIZE,
  camelName,
  structAlign,
  structSize,
} from "./definition.ts";
import { jsDoc } from "./text.ts";

/** JS type of a field's value: 64-bit fields are bigints, as i64 values cross the JS boundary. */
function jsType(t: FieldType): string {
  return t === "u64" || t === "i64" ? "bigint" : "number";
}

/** The StructMemory getter and setter of a type. */
function accessors(t: FieldType): { get: string; set: string } {
  const n = t.toUpperCase();
  return { get: t, set: `set${n[0]}${n.slice(1)}` };
}

function fieldDoc(f: FieldDef): string {
  const count = f.count !== undefined ? ` x ${f.count}` : "";
  return `${f.doc} (${f.type}${count} at ${f.offset})`;
}

function structCode(s: StructDef): string {
  const T = camelName(s.name, true);
  const size = structSize(s);
  let out = "";
  out +=
    jsDoc([`${s.name}: ${s.doc} ${size} bytes, aligned to ${structAlign(s)}.`]) +
    `export interface ${T} {\n` +
    s.fields
      .map(
        (f) =>
          jsDoc([fieldDoc(f)], "  ") +
          `  ${camelName(f.name)}: ${f.count !== undefined ? `readonly ${jsType(f.type)}[]` : jsType(f.type)};\n`,
      )
      .join("") +
    "}\n\n";
  out +=
    jsDoc([`Byte offsets of ${s.name}'s fields, its SIZE and ALIGN.`]) +
    `export const ${T}Layout = {\n` +
    `  SIZE: ${size},\n  ALIGN: ${structAlign(s)},\n` +
    s.fields.map((f) => `  ${camelName(f.name)}: ${f.offset},\n`).join("") +
    "} as const;\n\n";
  const writes: string[] = [];
  const reads: string[] = [];
  for (const f of s.fields) {
    const { get, set } = accessors(f.type);
    const name = camelName(f.name);
    const width = FIELD_TYPE_SIZE[f.type];
    if (f.count === undefined) {
      writes.push(`  mem.${set}(at + ${f.offset}, v.${name});\n`);
      reads.push(`    ${name}: mem.${get}(at + ${f.offset}),\n`);
    } else {
      for (let i = 0; i < f.count; i++)
        writes.push(`  mem.${set}(at + ${f.offset + i * width}, v.${name}[${i}] ?? ${jsType(f.type) === "bigint" ? "0n" : "0"});\n`);
      reads.push(`    ${name}: [${Array.from({ length: f.count }, (_, i) => `mem.${get}(at + ${f.offset + i * width})`).join(", ")}],\n`);
    }
  }
  out +=
    jsDoc([`Write a ${s.name} at \`at\` (bounds checked by the caller).`]) +
    `export function write${T}(mem: StructMemory, at: number, v: ${T}): void {\n` +
    writes.join("") +
    "}\n\n";
  out +=
    jsDoc([`Read a ${s.name} at \`at\` (bounds checked by the caller).`]) +
    `export function read${T}(mem: StructMemory, at: number): ${T} {\n  return {\n` +
    reads.join("") +
    "  };\n}\n";
  return out;
}

/** abi/gen/abi.ts: the StructMemory interface, then per struct its type, layout, writer and reader. */
export function structsTs(def: AbiDefinition): string {
  const types = [...new Set(def.structs.flatMap((s) => s.fields.map((f) => f.type)))].sort();
  const sections: string[] = [];
  sections.push(
    jsDoc(["The little-endian accessors the readers and writers use (GuestMemory has them). Offsets are unsigned."]) +
      "export interface StructMemory {\n" +
      types
        .map((t) => {
          const { get, set } = accessors(t);
          return `  ${get}(at: number): ${jsType(t)};\n  ${set}(at: number, v: ${jsType(t)}): void;\n`;
        })
        .join("") +
      "}\n",
  );
  for (const s of def.structs) sections.push(structCode(s));
  return sections.join("\n");
}

/** AssemblyScript: a class of static inline accessors per struct (NAME_SIZE is among the constants). */
export function structsAs(def: AbiDefinition): string {
  let out = "// ---- Structs (layouts in guest memory; NAME_SIZE is among the constants) ----\n\n";
  for (const s of def.structs) {
    const T = `${camelName(s.name, true)}Layout`;
    out += jsDoc([`${s.name}: ${s.doc} ${structSize(s)} bytes. Accessors take the struct's address.`]) + `export class ${T} {\n`;
    for (const f of s.fields) {
      const name = camelName(f.name);
      const setter = `set${camelName(f.name, true)}`;
      const width = FIELD_TYPE_SIZE[f.type];
      const shift = Math.log2(width);
      out += jsDoc([fieldDoc(f)], "  ");
      if (f.count === undefined) {
        out += `  @inline static ${name}(p: usize): ${f.type} {\n    return load<${f.type}>(p, ${f.offset});\n  }\n`;
        out += `  @inline static ${setter}(p: usize, v: ${f.type}): void {\n    store<${f.type}>(p, v, ${f.offset});\n  }\n`;
      } else {
        const at = shift === 0 ? "<usize>i" : `(<usize>i << ${shift})`;
        out += `  @inline static ${name}(p: usize, i: i32): ${f.type} {\n    return load<${f.type}>(p + ${at}, ${f.offset});\n  }\n`;
        out += `  @inline static ${setter}(p: usize, i: i32, v: ${f.type}): void {\n    store<${f.type}>(p + ${at}, v, ${f.offset});\n  }\n`;
      }
    }
    out += "}\n\n";
  }
  return out.trimEnd() + "\n";
}

/** docs/abi.md: one table per struct. */
export function structsDocs(
  def: AbiDefinition,
  tableOf: (head: readonly string[], rows: readonly (readonly string[])[]) => string,
): string {
  let out =
    "## Structs\n\n" +
    "Fixed layouts in guest memory, little-endian, that syscalls write or read. Each struct's fields\n" +
    "cover it exactly; its size is the constant `NAME_SIZE`. The kernel reads and writes them through\n" +
    "`abi/gen/abi.ts`, AssemblyScript guests through the `*Layout` classes of the bindings.\n";
  for (const s of def.structs) {
    out += `\n### ${s.name}\n\n${s.doc} ${structSize(s)} bytes (\`${s.name.toUpperCase()}_SIZE\`), aligned to ${structAlign(s)}.\n\n`;
    out += tableOf(
      ["offset", "field", "type", "meaning"],
      s.fields.map((f) => [String(f.offset), `\`${f.name}\``, f.count !== undefined ? `${f.type}[${f.count}]` : f.type, f.doc]),
    );
  }
  return out;
}
