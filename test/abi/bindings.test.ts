// The generated AssemblyScript bindings compile, and a guest built on them imports
// exactly the wasmos syscalls it calls, with the signatures the definition gives.

import asc from "assemblyscript/asc";
import { describe, expect, it } from "vitest";
import type { AbiDefinition } from "../../build/abi/definition.ts";
import { loadDefinition, readRepoFile } from "./load.ts";

const BINDINGS = "guests/sdk/bindings/abi.ts";

interface Compiled {
  readonly module: WebAssembly.Module;
  readonly imports: WebAssembly.ModuleImportDescriptor[];
  readonly exports: WebAssembly.ModuleExportDescriptor[];
  /** From the text output: import name -> "(param ...) (result ...)" as wat prints it. */
  readonly signatures: Map<string, string>;
}

/** Compiles `source` as main.ts beside the bindings, entirely in memory. Throws with asc's output on failure. */
async function compileGuest(source: string): Promise<Compiled> {
  const files = new Map([
    ["main.ts", source],
    [BINDINGS, readRepoFile(BINDINGS)],
  ]);
  const written = new Map<string, string | Uint8Array>();
  const { error, stderr } = await asc.main(
    [
      "main.ts",
      "--outFile",
      "main.wasm",
      "--textFile",
      "main.wat",
      "--runtime",
      "stub",
      "--use",
      "abort=main/guestAbort",
      "--exportStart",
      "_start",
      "--noColors",
    ],
    {
      readFile: (name: string) => files.get(name) ?? null,
      writeFile: (name: string, contents: string | Uint8Array) => void written.set(name, contents),
      listFiles: () => [],
    },
  );
  if (error !== null) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  const module = new WebAssembly.Module(written.get("main.wasm") as Uint8Array<ArrayBuffer>);
  const signatures = new Map<string, string>();
  for (const m of String(written.get("main.wat")).matchAll(/\(import "wasmos" "(\w+)" \(func \$\S+((?: \((?:param|result)[^)]*\))*)\)\)/g))
    signatures.set(m[1]!, m[2]!.trim());
  return { module, imports: WebAssembly.Module.imports(module), exports: WebAssembly.Module.exports(module), signatures };
}

/** How wat prints the definition's signature for a syscall. */
function expectedSignature(def: AbiDefinition, name: string): string {
  const sc = def.syscalls.find((s) => s.name === name);
  const params = sc !== undefined ? sc.params.map((p) => p.type) : def.sys.params;
  const result = sc !== undefined ? sc.result.type : def.sys.result;
  return [params.length > 0 ? `(param ${params.join(" ")})` : "", result !== "never" ? `(result ${result})` : ""]
    .filter((s) => s !== "")
    .join(" ");
}

// AssemblyScript's abort is routed to panic, as the SDK will do.
const ABORT_TO_PANIC = `
import { sys_panic } from "./${BINDINGS.replace(/\.ts$/, "")}";
function guestAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void {
  const bytes = String.UTF8.encode(message !== null ? message : "abort");
  sys_panic(changetype<i32>(bytes), bytes.byteLength);
}
`;

describe("AssemblyScript bindings", () => {
  const def = loadDefinition();

  it("compile into a guest that imports exactly the wasmos calls it uses", async () => {
    const guest = await compileGuest(
      ABORT_TO_PANIC +
        `
import { sys_exit, sys_clock_now, sys_sleep, sys_console_write, sys, SYS_YIELD, DEADLINE_INFINITE, HANDLE_SELF, EINVAL } from "./guests/sdk/bindings/abi";
const now = sys_clock_now();
if (sys_sleep(now < DEADLINE_INFINITE ? 1000 : 0) == -EINVAL) abort("sleep refused");
const msg = String.UTF8.encode("hi\\n");
sys_console_write(changetype<i32>(msg), msg.byteLength);
sys(SYS_YIELD, <i64>HANDLE_SELF, 0, 0, 0, 0, 0);
sys_exit(0);
`,
    );
    expect(guest.imports.map((i) => `${i.module}.${i.name}:${i.kind}`).sort()).toEqual(
      ["clock_now", "console_write", "exit", "panic", "sleep", "sys"].map((n) => `wasmos.${n}:function`),
    );
    expect(guest.exports.map((e) => e.name).sort()).toEqual(["_start", "memory"]);
    expect(guest.signatures.size).toBe(guest.imports.length);
    for (const [name, sig] of guest.signatures) expect(sig, name).toBe(expectedSignature(def, name));
  });

  it("declare every syscall with the definition's signature", async () => {
    // One call per syscall with zero arguments: enough to force every import in.
    const names = def.syscalls.map((s) => `sys_${s.name}`);
    const calls = def.syscalls.map((s) => `sys_${s.name}(${s.params.map(() => "0").join(", ")});`).join("\n");
    const guest = await compileGuest(
      `${ABORT_TO_PANIC}\nimport { ${names.join(", ")}, sys } from "./guests/sdk/bindings/abi";\n${calls}\nsys(0, 0, 0, 0, 0, 0, 0);\n`,
    );
    expect([...guest.signatures.keys()].sort()).toEqual([...def.syscalls.map((s) => s.name), def.sys.name].sort());
    for (const [name, sig] of guest.signatures) expect(sig, name).toBe(expectedSignature(def, name));
    expect(guest.imports.every((i) => i.module === def.import_module)).toBe(true);
  });

  it("export the constants with the definition's values", async () => {
    // Each comparison runs in the guest: a wrong constant makes _start trap.
    const checks = [
      ...def.errno.map((e) => `${e.name} == ${e.value}`),
      ...def.rights.map((r) => `RIGHT_${r.name} == ${2 ** r.bit}`),
      ...def.object_types.map((o) => `OBJECT_${o.name} == ${o.value}`),
      ...def.exit_reasons.map((e) => `EXIT_${e.name} == ${e.value}`),
      ...def.limits.map((l) => `${l.name} == ${l.value}`),
      ...def.constants.map((c) => `${c.name} == <${c.type}>${c.value}`),
      ...def.syscalls.map((s) => `SYS_${s.name.toUpperCase()} == ${s.nr}`),
    ];
    const guest = await compileGuest(
      `import * as abi from "./guests/sdk/bindings/abi";\n` +
        `function guestAbort(message: string | null = null, fileName: string | null = null, line: u32 = 0, column: u32 = 0): void { unreachable(); }\n` +
        checks.map((c) => `if (!(abi.${c})) unreachable();`).join("\n"),
    );
    expect(guest.imports).toEqual([]);
    const instance = new WebAssembly.Instance(guest.module, {});
    expect(() => (instance.exports._start as () => void)()).not.toThrow();
  });
});
