// cap_check_ns: what a guest pays for a syscall whose whole work is a handle
// lookup with a type and rights check. The guest (bench/guests/syscall-loop.ts)
// calls kill(h, 0) on a child that has already exited: the kernel resolves h
// in the caller's table, checks it names a PROCESS and carries KILL, then
// returns -ESRCH without changing anything. Compared with arg_count(), the
// same path with no handle. cap_check_kernel_ns is the lookup alone:
// HandleTable.get in a tight JS loop, no guest.
//
// window_get_ns: the PCM VU meter's call, window_get(w, i) on a strided 16-bit
// window over a memory object the guest was spawned with, answered in wasm by
// its dispatcher (the folded window: one call from the guest).
// window_get_accessor_ns: the same over a memory object the guest was not
// born holding first (a decoy is), read through a per-window accessor (two
// calls: the dispatcher, then the accessor through its table).

import { Rights } from "../../abi/gen/abi.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { HandleTable } from "../../kernel/handles.ts";
import { Process } from "../../kernel/objects/process.ts";
import type { Family } from "../figure.ts";
import { attempt, timed } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleHost, sampleMarked } from "../stats.ts";

export const capCheck: Family = {
  name: "cap_check",
  keys: ["cap_check_ns", "cap_check_kernel_ns", "window_get_ns", "window_get_accessor_ns"],
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

    const windowGet = (decoy: boolean) =>
      attempt(async () => {
        const image = kernel.loadImage(await ctx.images.guest("syscall-loop"), "syscall-loop");
        const mem = kernel.createMemory(4 * 512);
        const handles = [{ name: "mem", object: mem, rights: MEMORY_GRANT_RIGHTS }];
        if (decoy) handles.unshift({ name: "decoy", object: kernel.createMemory(64), rights: MEMORY_GRANT_RIGHTS });
        const s = await sampleMarked(ctx.plan, (batch, batches) =>
          runMarked(kernel, [{ image, args: [batch, batches, "window"], handles, marks: true }]),
        );
        kernel.release(image);
        return timed(s, {
          unit: "ns",
          measures: decoy
            ? "a guest's window_get(w, i) on a 16-bit strided window, through the dispatcher and the window's accessor (a memory object the guest was not born holding first)"
            : "a guest's window_get(w, i) on a 16-bit strided window over a memory object it was spawned with: answered by its dispatcher (handle, epoch and range checked, one load)",
          baseline: { key: "baseline_direct_call_ns" },
        });
      });
    const window = await windowGet(false);
    const windowAccessor = await windowGet(true);

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
    return { cap_check_ns: guest, cap_check_kernel_ns: alone, window_get_ns: window, window_get_accessor_ns: windowAccessor };
  },
};
