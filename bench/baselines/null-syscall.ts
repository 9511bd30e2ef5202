// baseline_null_syscall_ns: the floor under cap_check_ns. A guest calls
// arg_count() in a loop: the whole path of a non-blocking syscall (wasm to
// the JS import, the bridge, the handler, back) with no handle to resolve.

import { Kernel } from "../../host/kernel.ts";
import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleMarked } from "../stats.ts";

export const nullSyscall: Family = {
  name: "baseline_null_syscall",
  keys: ["baseline_null_syscall_ns"],
  async run(ctx) {
    const kernel = new Kernel({ loader: ctx.loader });
    const image = kernel.loadImage(await ctx.images.guest("syscall-loop"), "syscall-loop");
    const s = await sampleMarked(ctx.plan, (batch, batches) => runMarked(kernel, [{ image, args: [batch, batches, "null"], marks: true }]));
    kernel.release(image);
    return {
      baseline_null_syscall_ns: timed(s, {
        unit: "ns",
        measures: "a guest calling arg_count(), a non-blocking syscall that resolves no handle, through the real bridge",
      }),
    };
  },
};
