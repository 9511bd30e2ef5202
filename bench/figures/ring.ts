// ring_msgs_per_s: 64-byte slots between two processes through the SDK's
// single-producer single-consumer ring (guests/sdk/ring.ts) on a memory
// object both hold as a bound grant (bench/guests/ring-pair.ts). The data
// path is loads and stores on shared memory; the kernel only sleeps a side
// that cannot go on (futex_wait) and wakes it (futex_wake). Measured at the
// consumer: messages popped per second, 1024-slot ring.

import { Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { missingPaths, missingSyscalls } from "../availability.ts";
import type { Family } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { rateSummary, sampleMarked } from "../stats.ts";

export const RING_CAPACITY = 1024;
export const RING_SLOT_BYTES = 64;

export const ring: Family = {
  name: "ring",
  keys: ["ring_msgs_per_s"],
  async run(ctx) {
    const missing = missingSyscalls(["futex_wait", "futex_wake"]) ?? missingPaths(["guests/sdk/ring.ts", "build/grants.ts"]);
    if (missing !== null) return { ring_msgs_per_s: unavailable(`rings need memory objects, bound grants and futexes: ${missing}`) };
    const kernel = new Kernel({ loader: ctx.loader });
    const image = kernel.loadImage(await ctx.images.guest("ring-pair"), "ring-pair");
    const ns = await sampleMarked(ctx.plan, async (batch, batches) => {
      const mem = kernel.createMemory(64 + RING_CAPACITY * RING_SLOT_BYTES);
      const handles = [{ name: "ring", object: mem, rights: MEMORY_GRANT_RIGHTS }];
      try {
        return await runMarked(kernel, [
          { image, args: ["consumer", batch, batches], handles, marks: true },
          { image, args: ["producer", batch * batches, RING_CAPACITY], handles },
        ]);
      } finally {
        kernel.release(mem);
      }
    });
    kernel.release(image);
    const copied = kernel.core.copied;
    return {
      ring_msgs_per_s: timed(rateSummary(ns), {
        unit: "msgs/s",
        measures: `messages per second through a ${RING_CAPACITY}-slot ring of ${RING_SLOT_BYTES}-byte slots (56-byte payloads) between two AssemblyScript processes on a bound grant, blocking with futexes`,
        goal: { op: ">=", value: 10_000_000 },
        note: `p99 is the rate of the slowest 1% of batches; bytes the kernel copied: ${copied.ipcBytes + copied.windowBytes}`,
      }),
    };
  },
};
