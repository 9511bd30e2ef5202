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
    expect(ts).toMatch(/export type Errno = 'none' \| 'efault' \|/);
    expect(ts).toContain("export interface Rights {");
    expect(ts).toContain("'kernel-fault'");
  });

  it("is rejected by jco when broken, so the check has teeth", async () => {
    const broken = readRepoFile(WIT_PATH).replace("sleep: func(duration-ns: s64)", "sleep: func(duration-ns: i64)");
    await expect(guestTypes(broken)).rejects.toThrow();
  });
});
