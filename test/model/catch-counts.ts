// How many seeded runs of the model-based test each planted bug (planted.ts,
// the required ones and the candidates) takes to be found: for each bug and each seed, the number of the first
// command sequence that fails (no shrinking), or "-" when none of `max` did.
//
//   node_modules/.bin/node test/model/catch-counts.ts [max=5000] [seeds=5] [name filter]
//
// The first seed is the test's own (0x5eed); the others are fixed, so the
// table is the same on every machine (only the seconds vary).

import fc from "fast-check";
import { CANDIDATES, PLANTED } from "./planted.ts";
import { modelProperty } from "./system.ts";

const max = Number(process.argv[2] ?? 5000);
const nSeeds = Number(process.argv[3] ?? 5);
const seeds = [0x5eed, 1, 2, 3, 4, 5, 6, 7, 8, 9].slice(0, nSeeds);

console.log(`| planted bug | ${seeds.map((s) => `seed ${s.toString(16)}`).join(" | ")} | s |`);
console.log(`|---|${seeds.map(() => "---:").join("|")}|---:|`);
for (const bug of [...PLANTED, ...CANDIDATES].filter((b) => b.name.includes(process.argv[4] ?? ""))) {
  const found: string[] = [];
  const t0 = performance.now();
  for (const seed of seeds) {
    const undo = bug.plant();
    try {
      const r = fc.check(modelProperty(), { numRuns: max, seed, endOnFailure: true });
      found.push(r.failed ? String(r.numRuns) : "-");
    } finally {
      undo();
    }
  }
  console.log(`| ${bug.name} | ${found.join(" | ")} | ${((performance.now() - t0) / 1000).toFixed(1)} |`);
}
