// Every generated file must be exactly what the generator writes from the definition.

import { describe, expect, it } from "vitest";
import { GENERATED_NOTICE } from "../../build/abi/definition.ts";
import { ABI_OUTPUTS } from "../../build/abi/outputs.ts";
import { loadDefinition, readRepoFile } from "./load.ts";

describe("generated ABI files", () => {
  const def = loadDefinition();

  it("cover the four outputs", () => {
    expect(ABI_OUTPUTS.map((o) => o.path).sort()).toEqual([
      "abi/gen/abi.ts",
      "abi/wit/wasmos.wit",
      "docs/abi.md",
      "guests/sdk/bindings/abi.ts",
    ]);
  });

  for (const out of ABI_OUTPUTS) {
    it(`${out.path} matches the definition byte for byte`, () => {
      let onDisk: string;
      try {
        onDisk = readRepoFile(out.path);
      } catch {
        throw new Error(`${out.path} is missing: run node build/gen-abi.ts`);
      }
      expect(onDisk, `${out.path} differs from what the generator writes: run node build/gen-abi.ts`).toBe(out.generate(def));
    });

    it(`${out.path} starts with the do-not-edit header`, () => {
      const first = out.generate(def).split("\n", 1)[0]!;
      expect(first).toContain(GENERATED_NOTICE);
    });
  }

  it("are generated deterministically", () => {
    for (const out of ABI_OUTPUTS) expect(out.generate(loadDefinition())).toBe(out.generate(def));
  });
});
