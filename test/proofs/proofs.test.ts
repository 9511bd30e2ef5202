// The proofs over the kernel's own tables and rules (test/proofs/*.ts, listed
// in docs/invariants.md). For each invariant: Z3 proves it of the kernel's
// definition, and finds a counterexample, naming the culprit, once the
// definition is mutated; so no proof restates an assumption.

import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { invariantsDoc } from "./docs.ts";
import { INVARIANTS } from "./registry.ts";
import { HOLDS, type Kit, z3 } from "./z3.ts";

let k: Kit;
beforeAll(async () => {
  k = await z3();
});

describe.each(INVARIANTS.map((i) => [i.id, i] as const))("invariant %s", (_id, inv) => {
  it(`holds of the kernel's own definition: ${inv.means}`, async () => {
    expect(await inv.check(k, inv.subject)).toEqual(HOLDS);
  });
  it(`fails, naming the culprit, when ${inv.mutation.what}`, async () => {
    const v = await inv.check(k, inv.mutation.subject);
    expect(v.holds).toBe(false);
    if (!v.holds) expect(v.counterexample).toMatch(inv.mutation.names);
  });
});

describe("the invariants document", () => {
  it("docs/invariants.md states every invariant proved here (regenerate with node test/proofs/docs.ts)", () => {
    expect(readFileSync(new URL("../../docs/invariants.md", import.meta.url), "utf8")).toBe(invariantsDoc());
  });
  it("lists at least 24 invariants, each with a distinct id", () => {
    expect(INVARIANTS.length).toBeGreaterThanOrEqual(24);
    expect(new Set(INVARIANTS.map((i) => i.id)).size).toBe(INVARIANTS.length);
  });
});
