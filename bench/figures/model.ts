// The model-based test of the kernel (test/model/) as figures: how many steps
// per second it drives through the real kernel with the reference model and
// the kernel's invariants checked after each, and how many steps it ran
// without a violation. Each step is one syscall or event (send, receive,
// reply, kill, dup, close, revoke, map, ns_open, io_call, ...) by one of four
// fake client processes, followed by the turns the fake file server takes.

import { runModel } from "../../test/model/system.ts";
import type { Family } from "../figure.ts";
import { attempt, value } from "../figure.ts";

export const model: Family = {
  name: "model",
  keys: ["model_steps_per_s", "model_steps_clean"],
  async run(ctx) {
    const runs = ctx.quick ? 20 : 2000;
    const r = runModel(runs);
    const detail = { runs: r.runs, steps: r.steps, ms: Math.round(r.ms), failure: r.failure };
    const rate = await attempt(async () =>
      value(
        r.steps / (r.ms / 1000),
        {
          unit: "steps/s",
          measures: `steps of the model-based test (kernel, reference model and invariant checks after each step), over ${r.runs} command sequences of up to 60 steps`,
        },
        detail,
      ),
    );
    const clean = await attempt(async () => {
      if (r.failure !== null) throw new Error(`the kernel disagreed with its model: ${r.failure}`);
      return value(
        r.steps,
        { unit: "steps", measures: `steps run without a disagreement or a broken kernel invariant (${r.runs} sequences)` },
        detail,
      );
    });
    return { model_steps_per_s: rate, model_steps_clean: clean };
  },
};
