// baseline_worker_atomics_rtt_ns: the design wasmos rejected (DESIGN.md,
// decision 2). Two worker_threads share one SharedArrayBuffer word and
// ping-pong through Atomics.wait/notify, as a worker-per-process host would
// carry a message and its reply between two processes.

import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { sampleTimed } from "../stats.ts";

const PEER = new URL("./atomics-peer.ts", import.meta.url);

export const workerAtomics: Family = {
  name: "baseline_worker_atomics",
  keys: ["baseline_worker_atomics_rtt_ns"],
  async run(ctx) {
    const buffer = new SharedArrayBuffer(4);
    const pong = new Worker(PEER, { workerData: { role: "pong", buffer } });
    const ping = new Worker(PEER, { workerData: { role: "ping", buffer } });
    try {
      await Promise.all([once(pong, "online"), once(ping, "online")]);
      const measure = async (batch: number): Promise<number> => {
        ping.postMessage({ batch });
        const [reply] = (await once(ping, "message")) as [{ ms: number }];
        return reply.ms;
      };
      const s = await sampleTimed(ctx.plan, measure);
      return {
        baseline_worker_atomics_rtt_ns: timed(s, {
          unit: "ns",
          measures:
            "round trip between two worker_threads through one SharedArrayBuffer word with Atomics.store/notify/wait, timed inside the pinging worker",
        }),
      };
    } finally {
      ping.postMessage({ stop: true });
      await Promise.all([once(pong, "exit"), once(ping, "exit")]);
    }
  },
};
