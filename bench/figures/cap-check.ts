// cap_check_ns: what a guest pays for a syscall whose whole work is a handle
// lookup with a type and rights check. The guest (bench/guests/syscall-loop.ts)
// calls kill(h, 0) on a child that has already exited: the kernel resolves h
// in the caller's table, checks it names a PROCESS and carries KILL, then
// returns -ESRCH without changing anything. Compared with arg_count(), the
// same path with no handle. cap_check_kernel_ns is the lookup alone:
// HandleTable.get in a tight JS loop, no guest.

import { Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { HandleTable } from "../../kernel/handles.ts";
import { Process } from "../../kernel/objects/process.ts";
import type { Family } from "../figure.ts";
import { attempt, timed } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleHost, sampleMarked } from "../stats.ts";

export const capCheck: Family = {
  name: "cap_check",
  keys: ["cap_check_ns", "cap_check_kernel_ns"],
  needs: ["baseline_direct_call_ns", "baseline_null_syscall_ns"],
  async run(ctx) {
    const kernel = new Kernel({ loader: ctx.loader });
    const child = kernel.loadImage(await ctx.images.guest("nop"), "nop");

    const guest = await attempt(async () => {
      const image = kernel.loadImage(await ctx.images.guest("syscall-loop"), "syscall-loop");
      const handles = [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }];
      const s = await sampleMarked(ctx.plan, (batch, batches) =>
        runMarked(kernel, [{ image, args: [batch, batches, "cap"], handles, marks: true }]),
      );
      kernel.release(image);
      return timed(s, {
        unit: "ns",
        measures:
          "a guest's kill(h, 0) on an exited child: handle lookup, type check (PROCESS) and rights check (KILL), then -ESRCH; the whole syscall as the guest pays it",
        baseline: { key: "baseline_direct_call_ns" },
        goal: { op: "<=", value: 5, times: "baseline_direct_call_ns" },
        also: ["baseline_null_syscall_ns"],
      });
    });

    const alone = await attempt(async () => {
      // A table holding one live handle to a process object (never run).
      const table = new HandleTable(64);
      const p = kernel.spawn(child);
      const h = table.insert(p.process, Rights.KILL | Rights.WAIT);
      let resolved = 0;
      const s = await sampleHost(ctx.plan, (n) => {
        for (let i = 0; i < n; i++) if (typeof table.get(h, Process, Rights.KILL) !== "number") resolved++;
      });
      if (resolved === 0) throw new Error("HandleTable.get never resolved the handle");
      table.close(h);
      await p.exited;
      p.close();
      return timed(s, { unit: "ns", measures: "HandleTable.get(h, PROCESS, KILL) alone, in a tight JS loop (no guest, no bridge)" });
    });
    kernel.release(child);
    return { cap_check_ns: guest, cap_check_kernel_ns: alone };
  },
};
