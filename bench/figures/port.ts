// Event-port delivery to a handler export (bench/guests/port-pingpong.ts).
//   port_rtt_ns: two resident guests bounce a packet, both bound with
//     PORT_BIND_DIRECT (as a user binds a handler that only answers): the
//     packet to the idle side runs its handler at once inside port_send (a
//     direct activation); the answer finds its sender's handler still running
//     and queues, to be delivered by the kernel through the resident loop.
//     One round trip is two deliveries, one of each kind.
//   port_rtt_ns_queued: the same without the flag: both deliveries queued.
//   port_direct_ns: one direct delivery: a sender's loop calls port_send on an
//     idle direct binder, whose handler counts and returns.

import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { missingSyscalls } from "../availability.ts";
import type { Family } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleMarked } from "../stats.ts";

const GOAL = { op: "<=", value: 20, times: "baseline_direct_call_ns" } as const;

export const port: Family = {
  name: "port",
  keys: ["port_rtt_ns", "port_rtt_ns_queued", "port_direct_ns"],
  needs: ["baseline_direct_call_ns"],
  async run(ctx) {
    const missing = missingSyscalls(["port_create", "port_bind", "port_send", "kill"]);
    if (missing !== null)
      return { port_rtt_ns: unavailable(missing), port_rtt_ns_queued: unavailable(missing), port_direct_ns: unavailable(missing) };
    const kernel = new Kernel({ loader: ctx.loader });
    const image = kernel.loadImage(await ctx.images.guest("port-pingpong"), "port-pingpong");
    const handles = [{ name: "peer", object: image, rights: IMAGE_GRANT_RIGHTS }];
    const sample = (mode: string[]) =>
      sampleMarked(ctx.plan, (batch, batches) => runMarked(kernel, [{ image, args: [batch, batches, ...mode], handles, marks: true }]));
    const direct = await sample(["ping", "direct"]);
    const queued = await sample(["ping"]);
    const oneway = await sample(["oneway"]);
    kernel.release(image);
    const baseline = { key: "baseline_direct_call_ns" };
    return {
      port_rtt_ns: timed(direct, {
        unit: "ns",
        measures:
          "packet round trip between two resident guests' port handlers bound with PORT_BIND_DIRECT: port_send runs the idle peer's handler at once; its answer to the busy sender queues and reaches it through the resident loop",
        baseline,
        goal: GOAL,
      }),
      port_rtt_ns_queued: timed(queued, {
        unit: "ns",
        measures:
          "the same round trip bound without PORT_BIND_DIRECT: port_send queues, the kernel calls the peer's handler through its resident loop, twice",
        baseline,
      }),
      port_direct_ns: timed(oneway, {
        unit: "ns",
        measures:
          "one direct delivery: port_send to an idle PORT_BIND_DIRECT binder runs its handler (a counter) on the sender's stack and returns",
        baseline,
      }),
    };
  },
};
