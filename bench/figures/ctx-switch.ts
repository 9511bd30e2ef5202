// ctx_switch_ns: two processes yielding to each other through the real
// kernel (bench/guests/yielder.ts). Each yield suspends the caller's JSPI
// stack, puts it at the back of the run queue, dispatches the other process
// and resumes its stack: one context switch.

import { Kernel } from "../../host/kernel.ts";
import { besidePingpong } from "../baselines/jspi-pingpong.ts";
import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import type { BenchImages } from "../images.ts";
import { runMarked } from "../marks.ts";
import { type Plan, sampleMarked, type Summary } from "../stats.ts";

export const CTX_SWITCH_MEASURES =
  "one context switch: process A yields, the kernel dispatches process B and resumes its suspended stack (two AssemblyScript guests calling yield in a loop; per switch = batch time / 2n)";

/** Per-switch nanoseconds between two yielding processes in `kernel`. */
export async function measureCtxSwitch(kernel: Kernel, images: BenchImages, plan: Plan): Promise<Summary> {
  const image = kernel.loadImage(await images.guest("yielder"), "yielder");
  try {
    // Both yield the same number of times; A writes the marks.
    return await sampleMarked(
      plan,
      (batch, batches) =>
        runMarked(kernel, [
          { image, args: [batch, batches, 1], marks: true },
          { image, args: [batch, batches, 0] },
        ]),
      2,
    );
  } finally {
    kernel.release(image);
  }
}

export const ctxSwitch: Family = {
  name: "ctx_switch",
  keys: ["ctx_switch_ns"],
  needs: ["baseline_jspi_pingpong_ns", "baseline_jspi_switch_ns"],
  async run(ctx) {
    const kernel = new Kernel({ loader: ctx.loader });
    return {
      ctx_switch_ns: await besidePingpong(ctx, async (plan) =>
        timed(await measureCtxSwitch(kernel, ctx.images, plan), {
          unit: "ns",
          measures: CTX_SWITCH_MEASURES,
          baseline: { key: "baseline_jspi_pingpong_ns" },
          goal: { op: "<=", value: 0.65, times: "baseline_jspi_pingpong_ns" },
          also: ["baseline_jspi_switch_ns"],
          note: "a bare switch (one suspension, one resumption) is about half a bare round trip; baseline_jspi_switch_ns is that floor",
        }),
      ),
    };
  },
};
