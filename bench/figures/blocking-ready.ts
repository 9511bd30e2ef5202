// sleep0_ns and receive_ready_ns: blocking-class syscalls that complete at
// once (docs/fastpath.md "Blocking syscalls that return at once"). A guest
// (bench/guests/syscall-loop.ts) calls sleep(0) alone (the handler yields and
// the scheduler resumes the caller inside its own syscall), or pulses its own
// endpoint and then receives the pulse (receive with a message queued; the
// figure is both calls). Each is measured with the split imports
// (host/runtime/split-imports.ts: a plain entry, the Suspending one only to
// wait) and, in the same process, with `splitImports: false` (every blocking
// import Suspending, so every call suspends and resumes the stack: the
// `*_suspending_ns` keys), beside baseline_null_syscall_ns.

import { Kernel } from "../../host/kernel.ts";
import type { Family } from "../figure.ts";
import { attempt, timed } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleMarked } from "../stats.ts";

const WHAT: Record<string, string> = {
  sleep0: "a guest's sleep(0) with nothing else ready: the kernel yields and resumes it inside its own syscall",
  receive: "a guest's pulse(ep) then receive(ep) of that pulse: a blocking receive with its message already queued (both calls)",
};

export const blockingReady: Family = {
  name: "blocking_ready",
  keys: ["sleep0_ns", "sleep0_suspending_ns", "receive_ready_ns", "receive_ready_suspending_ns"],
  needs: ["baseline_null_syscall_ns"],
  async run(ctx) {
    const measure = (mode: string, split: boolean) =>
      attempt(async () => {
        const kernel = new Kernel({ loader: ctx.loader, splitImports: split });
        const image = kernel.loadImage(await ctx.images.guest("syscall-loop"), "syscall-loop");
        const s = await sampleMarked(ctx.plan, (batch, batches) =>
          runMarked(kernel, [{ image, args: [batch, batches, mode], marks: true }]),
        );
        kernel.release(image);
        return timed(s, {
          unit: "ns",
          measures: split
            ? WHAT[mode]
            : `${WHAT[mode]}; every blocking import Suspending (splitImports: false): the stack suspends at each call`,
          baseline: { key: "baseline_null_syscall_ns" },
        });
      });
    // Alternated: split, Suspending, split, Suspending, so a change of load moves both.
    const sleep0 = await measure("sleep0", true);
    const sleep0S = await measure("sleep0", false);
    const receive = await measure("receive", true);
    const receiveS = await measure("receive", false);
    return { sleep0_ns: sleep0, sleep0_suspending_ns: sleep0S, receive_ready_ns: receive, receive_ready_suspending_ns: receiveS };
  },
};
