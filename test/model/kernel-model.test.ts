// Model-based tests of the real kernel (test/model/model.ts): fast-check
// command sequences of sends, receives, replies, deadlines, kills in every
// blocking state, dup, close, revoke, handles moved and copied in messages,
// memory mapped and revoked, against a reference model; the kernel's
// invariants are checked after every step. FUZZ_RUNS sets the number of runs
// (default 1000). Planted bugs (planted.ts) show the test catches violations.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PLANTED } from "./planted.ts";
import { modelProperty } from "./system.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);

describe("the kernel against its reference model", () => {
  it(`agrees with the model and keeps its invariants over ${RUNS} random command sequences`, () => {
    fc.assert(modelProperty(), { numRuns: RUNS, seed: 0x5eed });
  });

  describe.each(PLANTED.map((b) => [b.name, b] as const))("a planted bug: %s", (_name, bug) => {
    it("is caught, with the step and the disagreement named", () => {
      const undo = bug.plant();
      try {
        const r = fc.check(modelProperty(), { numRuns: 5000, seed: 0x5eed });
        expect(r.failed).toBe(true);
        expect(String(r.errorInstance)).toMatch(bug.caughtAs);
        if (process.env.MODEL_VERBOSE)
          console.log(`${bug.name}: ${String(r.errorInstance)} after ${r.numRuns} runs; counterexample ${fc.stringify(r.counterexample)}`);
      } finally {
        undo();
      }
    });
  });
});
