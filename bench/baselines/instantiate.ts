// baseline_instantiate_us: the floor under spawn_us. The same compiled
// module the kernel spawns (the loader's output for bench/guests/nop.ts),
// instantiated bare with stub imports (and a full fuel tank when metered) and run to the end of `_start` under
// WebAssembly.promising, as the process runtime runs it; no kernel objects,
// no handles, no scheduler.

import { FUEL_GLOBAL_EXPORT, MAX_SLICE_FUEL } from "../../loader/instrument/fuel.ts";
import type { BenchContext, Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { type Plan, type Summary, sampleHost, scaleSummary } from "../stats.ts";

/** An import object that satisfies every function import of `module` with a no-op returning 0. */
export function stubImports(module: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== "function") throw new Error(`cannot stub ${imp.kind} import ${imp.module}.${imp.name}`);
    (imports[imp.module] ??= {})[imp.name] = () => 0;
  }
  return imports as WebAssembly.Imports;
}

/** Give a fuel-metered instance a full tank, as the kernel does before a slice (no-op when unmetered). */
export function fillFuel(inst: WebAssembly.Instance): void {
  const fuel = inst.exports[FUEL_GLOBAL_EXPORT];
  if (fuel instanceof WebAssembly.Global) fuel.value = MAX_SLICE_FUEL;
}

/** baseline_instantiate_us's measurement: per-instantiation ns (a Summary) for a plan. spawn_us runs it in turns with itself. */
export async function instantiateSampler(ctx: BenchContext): Promise<(plan: Plan) => Promise<Summary>> {
  const loaded = ctx.loader.load(await ctx.images.guest("nop"), "nop");
  const imports = stubImports(loaded.module);
  const once = async (): Promise<void> => {
    const inst = new WebAssembly.Instance(loaded.module, imports);
    fillFuel(inst);
    if (loaded.startExport !== null) await WebAssembly.promising(inst.exports[loaded.startExport] as () => void)();
    await WebAssembly.promising(inst.exports._start as () => void)();
  };
  return (plan) =>
    sampleHost(plan, async (n) => {
      for (let i = 0; i < n; i++) await once();
    });
}

export const instantiate: Family = {
  name: "baseline_instantiate",
  keys: ["baseline_instantiate_us"],
  async run(ctx) {
    const s = await (await instantiateSampler(ctx))(ctx.plan);
    return {
      baseline_instantiate_us: timed(scaleSummary(s, 1e-3), {
        unit: "us",
        measures:
          "new WebAssembly.Instance of the cached nop module with stub imports, then its _start run to the end under WebAssembly.promising; no kernel",
      }),
    };
  },
};
