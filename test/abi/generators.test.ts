// Generator behaviour the checked-in definition does not exercise: fallbacks and
// refusals, each on a definition broken in one place.

import { generateTypes } from "@bytecodealliance/jco/component";
import { describe, expect, it } from "vitest";
import { generateAs } from "../../build/abi/gen-as.ts";
import { generateDocs } from "../../build/abi/gen-docs.ts";
import { generateTs } from "../../build/abi/gen-ts.ts";
import { generateWit } from "../../build/abi/gen-wit.ts";
import { jsDoc } from "../../build/abi/text.ts";
import { validateDefinition } from "../../build/abi/validate.ts";
import { mutableDefinition } from "./load.ts";

describe("the WIT generator", () => {
  it("writes a table whose values are not enum positions as comments, after every item", async () => {
    const def = mutableDefinition();
    def.errno.find((e: any) => e.name === "EBADIMAGE").value = 4000;
    expect(validateDefinition(def)).toEqual([]);
    const wit = generateWit(def);
    expect(wit).not.toContain("enum errno");
    const note = wit.indexOf("  // Errno (WIT cannot declare constants):\n  // - EFAULT = 1:");
    expect(note).toBeGreaterThan(wit.indexOf("  sys: func("));
    expect(wit).toContain("  // - EBADIMAGE = 4000:");
    // Still a valid package.
    const files = await generateTypes("wasmos", { wit: { tag: "source", val: wit }, world: "guest", guest: true });
    expect(files.length).toBeGreaterThan(0);
  });

  it("escapes an identifier that is a WIT keyword", () => {
    const def = mutableDefinition();
    def.syscalls.find((s: any) => s.name === "kill").params[1].name = "type";
    expect(generateWit(def)).toContain("kill: func(process: s32, %type: s32) -> s32;");
  });
});

describe("the AssemblyScript generator", () => {
  it("refuses two constants with the same global name", () => {
    const def = mutableDefinition();
    def.limits.push({ name: "EFAULT", value: 1, doc: "Clashes with the errno." });
    expect(() => generateAs(def)).toThrow("the name EFAULT would be declared twice");
  });
});

describe("the TypeScript generator", () => {
  it("leaves holes in SYSCALL_BY_NR for unused numbers", () => {
    const def = mutableDefinition();
    const top = Math.max(...def.syscalls.map((s: any) => s.nr));
    const panic = def.syscalls.findIndex((s: any) => s.name === "panic");
    def.syscalls[panic].nr = top + 2;
    const ts = generateTs(def);
    expect(ts).toContain(`  undefined, // ${top + 1}: unused\n`);
    expect(ts).toContain(`  SYSCALLS[${panic}], // ${top + 2}: panic\n`);
  });
});

describe("the docs generator", () => {
  it("escapes pipes inside table cells", () => {
    expect(generateDocs(mutableDefinition())).toContain("DUPLICATE\\|TRANSFER\\|WAIT\\|KILL\\|INSPECT");
  });
});

describe("jsDoc", () => {
  it("cannot be closed early by the text it documents", () => {
    expect(jsDoc(["a */ b"])).toBe("/** a *\\/ b */\n");
  });

  it("keeps consecutive tag paragraphs together", () => {
    expect(jsDoc(["Summary.", "@param a A.", "@param b B."])).toBe("/**\n * Summary.\n *\n * @param a A.\n * @param b B.\n */\n");
  });
});
