// Generator for docs/abi.md: the reference a guest author or a host implementer reads.
// Each syscall gets one section with everything the definition says about it, in a
// fixed order, so the page reads like a man page per call.

import {
  type AbiDefinition,
  type SyscallEntry,
  GENERATED_NOTICE,
  DEFINITION_PATH,
  allConstants,
  errnoValue,
  rightMask,
  rightsMask,
  sysParamNames,
  versionString,
} from "./definition.ts";
import { structsDocs } from "./gen-structs.ts";
import { cell } from "./text.ts";

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(2, "0");
}

function tableOf(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return (
    `| ${head.join(" | ")} |\n` + `|${head.map(() => "---").join("|")}|\n` + rows.map((r) => `| ${r.map(cell).join(" | ")} |\n`).join("")
  );
}

/** GitHub's slug of the "### <nr> <name>" heading (underscores are kept). */
function anchor(sc: SyscallEntry): string {
  return `#${sc.nr}-${sc.name}`;
}

function syscallSection(def: AbiDefinition, sc: SyscallEntry): string {
  const rights = sc.rights ?? [];
  let out = `### ${sc.nr} ${sc.name}\n\n`;
  out += "```\n" + `${sc.name}(${sc.params.map((p) => `${p.name}: ${p.type}`).join(", ")}) -> ${sc.result.type}\n` + "```\n\n";
  out += `${sc.doc}\n\n`;
  out += `- **Number:** ${sc.nr}\n`;
  out += `- **Blocking:** ${sc.blocking ? "yes (a Suspending import: the caller is suspended)" : "no"}\n`;
  out += `- **Pledge class:** \`${sc.pledge}\`\n`;
  out +=
    rights.length > 0
      ? `- **Rights needed:** ${rights.map((r) => `\`${r}\``).join(", ")} (mask ${hex(rightsMask(def, rights))}) on the handle argument\n`
      : "- **Rights needed:** none\n";
  out += `- **AssemblyScript:** \`sys_${sc.name}\` in \`guests/sdk/bindings/abi.ts\`; number \`SYS_${sc.name.toUpperCase()}\`\n`;
  out += "\n";
  if (sc.params.length > 0) {
    out += "**Parameters**\n\n";
    out += tableOf(
      ["name", "type", "unit", "meaning"],
      sc.params.map((p) => [`\`${p.name}\``, p.type, p.unit ?? "", p.doc]),
    );
    out += "\n";
  } else out += "**Parameters:** none.\n\n";
  if (sc.result.type === "never") out += `**Result:** none (the import has no result). ${sc.result.doc}\n\n`;
  else
    out += `**Result** (${sc.result.type}${sc.result.unit !== undefined ? `, ${sc.result.unit}` : ""}): ${sc.result.doc}${sc.errors.length > 0 ? " A negative value is -errno (see Errors)." : ""}\n\n`;
  if (sc.errors.length > 0) {
    out += "**Errors**\n\n";
    out += tableOf(
      ["errno", "value", "when"],
      sc.errors.map((e) => [`\`${e.errno}\``, String(errnoValue(def, e.errno)), e.when]),
    );
  } else out += "**Errors:** none.\n";
  return out;
}

export function generateDocs(def: AbiDefinition): string {
  const v = versionString(def);
  const parts: string[] = [];

  parts.push(
    `<!-- ${GENERATED_NOTICE} -->\n\n` +
      `# wasmos syscall ABI ${v}\n\n` +
      `The reference for the \`${def.import_module}\` import module, generated from \`${DEFINITION_PATH}\`. ` +
      "TypeScript hosts import `abi/gen/abi.ts`; AssemblyScript guests import `guests/sdk/bindings/abi.ts`; " +
      "`abi/wit/wasmos.wit` describes the same interface in WIT.\n",
  );

  parts.push("## Conventions\n\n" + def.conventions.map((c) => `- ${c}\n`).join(""));

  parts.push(
    "## Syscalls\n\n" +
      tableOf(
        ["nr", "name", "signature", "blocking", "pledge", "rights"],
        def.syscalls.map((s) => [
          String(s.nr),
          `[${s.name}](${anchor(s)})`,
          `\`(${s.params.map((p) => p.type).join(", ")}) -> ${s.result.type}\``,
          s.blocking ? "yes" : "no",
          s.pledge,
          (s.rights ?? []).join(", "),
        ]),
      ),
  );

  for (const sc of def.syscalls) parts.push(syscallSection(def, sc));

  const names = sysParamNames(def);
  parts.push(
    `## The numbered entry: ${def.sys.name}\n\n` +
      "```\n" +
      `${def.sys.name}(${def.sys.params.map((t, i) => `${names[i]}: ${t}`).join(", ")}) -> ${def.sys.result}\n` +
      "```\n\n" +
      `${def.sys.doc}\n`,
  );

  parts.push(
    "## Errno\n\nA failing syscall returns the negated value.\n\n" +
      tableOf(
        ["name", "value", "meaning"],
        def.errno.map((e) => [`\`${e.name}\``, String(e.value), e.doc]),
      ),
  );
  parts.push(
    "## Rights\n\nRights are bits of a handle's rights mask; they only shrink when a handle is passed on.\n\n" +
      tableOf(
        ["name", "bit", "mask", "meaning"],
        def.rights.map((r) => [`\`${r.name}\``, String(r.bit), hex(rightMask(r)), r.doc]),
      ),
  );
  parts.push(
    "## Object types\n\n" +
      tableOf(
        ["name", "value", "meaning"],
        def.object_types.map((o) => [`\`${o.name}\``, String(o.value), o.doc]),
      ),
  );
  parts.push(
    "## Process states\n\n" +
      tableOf(
        ["name", "value", "meaning"],
        def.process_states.map((s) => [`\`${s.name}\``, String(s.value), s.doc]),
      ),
  );
  parts.push(
    "## Exit reasons\n\n" +
      tableOf(
        ["name", "value", "meaning"],
        def.exit_reasons.map((e) => [`\`${e.name}\``, String(e.value), e.doc]),
      ),
  );
  parts.push(
    "## Pledge classes\n\nA pledge mask has bit *i* set for the *i*-th class below.\n\n" +
      tableOf(
        ["name", "bit", "covers"],
        def.pledge_classes.map((p, i) => [`\`${p.name}\``, String(i), p.doc]),
      ),
  );
  parts.push(
    "## Limits\n\n" +
      tableOf(
        ["name", "value", "meaning"],
        def.limits.map((l) => [`\`${l.name}\``, String(l.value), l.doc]),
      ),
  );
  parts.push(
    "## Constants\n\n" +
      tableOf(
        ["name", "type", "value", "meaning"],
        allConstants(def).map((c) => [`\`${c.name}\``, c.type, String(c.value), c.doc]),
      ),
  );

  parts.push(structsDocs(def, tableOf));

  return parts.join("\n");
}
