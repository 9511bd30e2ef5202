// The generated WIT package is valid: jco parses it and produces TypeScript for the
// guest world that names every syscall.
// jco's path-based type generation (`jco types abi/wit ...`) fails in this environment
// with "No such file or directory (os error 44)", so the WIT text is passed as source
// to the same generator (`generateTypes` of jco's component API).

import { generateTypes } from "@bytecodealliance/jco/component";
import { describe, expect, it } from "vitest";
import { camel } from "../../build/abi/text.ts";
import { loadDefinition, readRepoFile } from "./load.ts";

const WIT_PATH = "abi/wit/wasmos.wit";

/** jco's TypeScript for the guest world, all files concatenated. */
async function guestTypes(witText: string): Promise<string> {
  const files = await generateTypes("wasmos", { wit: { tag: "source", val: witText }, world: "guest", guest: true });
  return files.map(([name, bytes]) => `// ${name}\n${new TextDecoder().decode(bytes)}`).join("\n");
}

describe("WIT package", () => {
  const def = loadDefinition();
  const v = def.version;

  it("is accepted by jco and yields TypeScript naming every syscall", async () => {
    const ts = await guestTypes(readRepoFile(WIT_PATH));
    expect(ts).toContain(`declare module '${def.name}:kernel/syscalls@${v.major}.${v.minor}.0'`);
    expect(ts).toContain("export function start(): void;");
    for (const sc of def.syscalls) {
      // jco camelCases names and renames JS reserved words (`yield` -> `_yield`).
      expect(ts, sc.name).toMatch(new RegExp(`function _?${camel(sc.name)}\\(`));
    }
    expect(ts).toMatch(/function sys\(nr: number, a0: bigint, a1: bigint, a2: bigint, a3: bigint, a4: bigint, a5: bigint\): bigint;/);
  });

  it("maps i64 parameters and results to bigint", async () => {
    const ts = await guestTypes(readRepoFile(WIT_PATH));
    expect(ts).toContain("function sleep(durationNs: bigint): number;");
    expect(ts).toContain("function clockNow(): bigint;");
  });

  it("declares the errno, rights and exit reason types", async () => {
    const ts = await guestTypes(readRepoFile(WIT_PATH));
    const wit = readRepoFile(WIT_PATH);
    // A table becomes a WIT enum (or flags) only while its values are
    // contiguous; with the per-area ranges of abi/NUMBERING.md it has gaps
    // and is listed in comments instead.
    const contiguous = (values: number[]) => {
      const v = [...values].sort((a, b) => a - b);
      return v.every((x, i) => x === v[0] + i);
    };
    if (contiguous(def.errno.map((e) => e.value))) expect(ts).toMatch(/export type Errno = 'none' \| 'efault' \|/);
    else expect(wit).toMatch(/\/\/ Errno \(WIT cannot declare constants\):\n\s*\/\/ - EFAULT = 1:/);
    if (contiguous(def.rights.map((r) => r.bit))) expect(ts).toContain("export interface Rights {");
    else expect(wit).toMatch(/\/\/ Rights \(bit masks\) \(WIT cannot declare constants\):\n\s*\/\/ - DUPLICATE = /);
    if (contiguous(def.exit_reasons.map((r) => r.value))) expect(ts).toContain("'kernel-fault'");
    else expect(wit).toMatch(/\/\/ Exit reasons \(WIT cannot declare constants\):\n\s*\/\/ - NORMAL = 0:/);
  });

  it("is rejected by jco when broken, so the check has teeth", async () => {
    const broken = readRepoFile(WIT_PATH).replace("sleep: func(duration-ns: s64)", "sleep: func(duration-ns: i64)");
    await expect(guestTypes(broken)).rejects.toThrow();
  });
});
