// spawn_us: a process's life from a cached module, as a guest pays for it:
// bench/guests/spawn-loop.ts calls spawn(child image), wait, handle_close in
// a loop; each child (bench/guests/nop.ts) is instantiated, runs an empty
// _start and exits. spawn_host_us is the same life driven by the embedding
// API: Kernel.spawn, await exited, close.

import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { alternate, chunkPlans, median, mergeSummaries, sampleHost, sampleMarked, scaleSummary, span, turnsNote } from "../stats.ts";
import { BESIDE_CHUNKS } from "../baselines/jspi-pingpong.ts";
import { instantiateSampler } from "../baselines/instantiate.ts";

export const spawn: Family = {
  name: "spawn",
  keys: ["spawn_us", "spawn_host_us"],
  needs: ["baseline_instantiate_us"],
  async run(ctx) {
    const kernel = new Kernel({ loader: ctx.loader });
    const loop = kernel.loadImage(await ctx.images.guest("spawn-loop"), "spawn-loop");
    const child = kernel.loadImage(await ctx.images.guest("nop"), "nop");
    const handles = [{ name: "child", object: child, rights: IMAGE_GRANT_RIGHTS }];
    /** Spawns a batch of about `ms` takes: 20 batches of 20 (the first two dropped), scaled from their median. */
    const spawnBatch = async (ms: number): Promise<number> => {
      const marks = await runMarked(kernel, [{ image: loop, args: [20, 22], handles, marks: true }]);
      const perSpawn = median(marks.slice(3).map((t, i) => (t - marks[i + 2]) / 20));
      return Math.max(1, Math.round(ms / perSpawn));
    };
    // The batch: from the median batch of a run of 20 batches of 20 spawns, not from sampleMarked's calibration,
    // which times one-batch runs from a batch of 1 up and stopped on a slow first batch (a new run's first
    // spawns: an event-loop turn the host owes, cold code, the image's first import object) at 2-100 spawns a
    // batch. A median over batches of 2 leaves out the collections a 5 ms batch, like the baseline's, takes in.
    const plan = ctx.plan.fixedBatch !== null ? ctx.plan : { ...ctx.plan, fixedBatch: await spawnBatch(ctx.plan.targetSampleMs) };
    // In turns with the bare instantiation (its own batch, calibrated each turn), as the ping-pong figures
    // are with theirs (baselines/jspi-pingpong.ts besidePingpong): spawn_us's ratio is the median of the chunks'.
    const bare = await instantiateSampler(ctx);
    const turns = await alternate(
      chunkPlans(plan, BESIDE_CHUNKS),
      async (p) => (await bare({ ...p, fixedBatch: ctx.plan.fixedBatch })).median,
      (p) => sampleMarked(p, (batch, batches) => runMarked(kernel, [{ image: loop, args: [batch, batches], handles, marks: true }])),
    );
    const guest = mergeSummaries(turns.parts);
    const host = await sampleHost(ctx.plan, async (n) => {
      for (let i = 0; i < n; i++) {
        const p = kernel.spawn(child, { args: ["nop"] });
        await p.exited;
        p.close();
      }
    });
    kernel.release(loop);
    kernel.release(child);
    return {
      spawn_us: {
        ...timed(scaleSummary(guest, 1e-3), {
          unit: "us",
          measures:
            "a guest's spawn(image) + wait + handle_close of a child from a cached module whose _start returns at once: process object, instance, JSPI stack, run, exit, reap",
          baseline: { key: "baseline_instantiate_us" },
          goal: { op: "<=", value: 1.3, times: "baseline_instantiate_us" },
          note: turnsNote(
            turns.parts.length,
            "bare instantiation",
            `${span(
              turns.baselines.map((b) => b / 1000),
              1,
            )} µs`,
            turns.ratios,
          ),
        }),
        ratio: median(turns.ratios),
      },
      spawn_host_us: timed(scaleSummary(host, 1e-3), {
        unit: "us",
        measures: "the same life through the embedding API: Kernel.spawn, await exited, close",
        baseline: { key: "baseline_instantiate_us" },
      }),
    };
  },
};
