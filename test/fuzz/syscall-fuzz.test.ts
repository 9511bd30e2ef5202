// Property-based fuzzing of the syscall surface: random sequences of handle
// operations from a hostile guest against the real kernel. After every step
// no host exception has escaped, closed or revoked handles never work, rights
// never grow, derived handles name their parent's object and no object comes
// out of two creations; after the process exits no kernel object is alive.
// Failing sequences are shrunk by fast-check; keep them in regressions.json
// (FUZZ_RECORD=1 appends the shrunk counterexample). FUZZ_RUNS=N runs more.
import { readFileSync, writeFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkSequence, type Op, opArb } from "./syscall-fuzz.ts";

const REGRESSIONS = new URL("./regressions.json", import.meta.url).pathname;
const regressions = JSON.parse(readFileSync(REGRESSIONS, "utf8")) as { note: string; ops: Op[] }[];
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

describe("syscall fuzzing", () => {
  it("replays every kept regression sequence without a violation", async () => {
    for (const r of regressions) expect(await checkSequence(r.ops), r.note).toEqual([]);
  });

  it(`holds the invariants for ${RUNS} random sequences`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261122);
    const result = await fc.check(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 24 }), async (ops) => (await checkSequence(ops)).length === 0),
      { numRuns: RUNS, seed },
    );
    if (result.failed && result.counterexample) {
      const ops = result.counterexample[0] as Op[];
      const why = await checkSequence(ops);
      if (process.env.FUZZ_RECORD) {
        regressions.push({ note: `found with seed ${seed}: ${why[0]}`, ops });
        writeFileSync(REGRESSIONS, JSON.stringify(regressions, null, 2) + "\n");
      }
      expect.fail(`shrunk counterexample (seed ${seed}): ${JSON.stringify(ops)}\n${why.join("\n")}`);
    }
  }, 120_000);
});
