// Fuel metering must not change what a guest computes: the same programs,
// run metered (with slices so small that fuel runs out constantly) and
// unmetered, give the same results, memory and output.
import { describe, expect, it } from "vitest";
import { planFuel, FUEL_GLOBAL_EXPORT, FUEL_IMPORT } from "../../loader/instrument/fuel.ts";
import { readModule } from "../../wasm/reader.ts";
import { editModule } from "../../wasm/writer.ts";
import { wat } from "../helpers/wat.ts";
import { prng } from "../wasm/helpers.ts";
import { randomProgram } from "./random-programs.ts";

interface Outcome {
  result: number | string;
  memory: Uint8Array;
  /** Fuel burned (metered runs). */
  fuel: number;
  refills: number;
}

/** Run `run(arg)`; metered runs get slices of 1..maxSlice fuel (random, seeded). */
function execute(bytes: Uint8Array, arg: number, metered: boolean, maxSlice: number, seed = 1): Outcome {
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  let counter: WebAssembly.Global | null = null;
  let given = 0;
  let refills = 0;
  const rnd = prng(seed);
  const refill = () => {
    const n = 1 + Math.floor(rnd() * maxSlice);
    counter!.value = (counter!.value as number) + n;
    given += n;
  };
  const imports: WebAssembly.Imports = metered ? { [FUEL_IMPORT.module]: { [FUEL_IMPORT.name]: () => (refills++, refill()) } } : {};
  const instance = new WebAssembly.Instance(module, imports);
  if (metered) {
    counter = instance.exports[FUEL_GLOBAL_EXPORT] as WebAssembly.Global;
    refill();
  }
  let result: number | string;
  try {
    result = (instance.exports.run as (x: number) => number)(arg);
  } catch (e) {
    result = `trap: ${(e as Error).message}`;
  }
  const memory = new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer).slice();
  return { result, memory, fuel: metered ? given - (counter!.value as number) : 0, refills };
}

/** Sites the metered programs inlined (planFuel's small bounded callees in loops: $log). */
let inlined = 0;

function meter(bytes: Uint8Array, inline = true): Uint8Array {
  const m = readModule(bytes);
  const plan = planFuel(m, undefined, { inline });
  inlined += plan.inlined;
  return editModule(m, plan.edits);
}

describe("fuel metering keeps results", () => {
  it("200 random programs compute the same results and memory metered (slices of 1-13 fuel) as unmetered", () => {
    let exhaustions = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const plain = wat(randomProgram(seed));
      const metered = meter(plain);
      expect(WebAssembly.validate(metered as Uint8Array<ArrayBuffer>), `seed ${seed}`).toBe(true);
      for (const arg of [7, -3]) {
        const a = execute(plain, arg, false, 0);
        const b = execute(metered, arg, true, 13, seed);
        expect(b.result, `seed ${seed} arg ${arg}`).toEqual(a.result);
        expect(Buffer.compare(Buffer.from(a.memory), Buffer.from(b.memory)), `seed ${seed} arg ${arg} memory`).toBe(0);
        exhaustions += b.refills;
      }
    }
    expect(exhaustions).toBeGreaterThan(10_000); // the out-of-fuel paths really ran
    expect(inlined).toBeGreaterThan(500); // and so did inlined callees
  });

  it("burns the same fuel with small callees inlined into loops as with the calls (inlining changes no charge)", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const plain = wat(randomProgram(seed));
      for (const arg of [5, -3]) {
        const a = execute(meter(plain), arg, true, 7, seed);
        const b = execute(meter(plain, false), arg, true, 7, seed);
        expect(a.result, `seed ${seed} arg ${arg}`).toEqual(b.result);
        // (Not the refills: a loop whose calls were all inlined may now keep its counter in a local, whose
        // wrapped header gives its charge back while it calls for more, so the out-of-fuel calls fall elsewhere.)
        expect(a.fuel, `seed ${seed} arg ${arg}`).toBe(b.fuel);
      }
    }
  });

  it("burns the same fuel however the slices fall (fuel depends only on the path taken)", () => {
    for (let seed = 1; seed <= 60; seed++) {
      const metered = meter(wat(randomProgram(seed)));
      const small = execute(metered, 5, true, 3, seed);
      const other = execute(metered, 5, true, 50, seed + 1);
      const whole = execute(metered, 5, true, 1 << 29, seed);
      expect(small.fuel, `seed ${seed}`).toBe(whole.fuel);
      expect(other.fuel, `seed ${seed}`).toBe(whole.fuel);
      expect(whole.refills).toBe(0);
    }
  });
});
