// port_rtt_ns: event-port delivery to a handler export and back. Two
// resident guests (bench/guests/port-pingpong.ts) bounce a packet: each
// packet is queued with port_send (SEND checked) and delivered by the kernel
// calling the receiver's exported handler, which sends the next one. One
// round trip is two deliveries (ping -> pong -> ping).

import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { missingSyscalls } from "../availability.ts";
import type { Family } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleMarked } from "../stats.ts";

export const port: Family = {
  name: "port",
  keys: ["port_rtt_ns"],
  needs: ["baseline_direct_call_ns"],
  async run(ctx) {
    const missing = missingSyscalls(["port_create", "port_bind", "port_send", "kill"]);
    if (missing !== null) return { port_rtt_ns: unavailable(missing) };
    const kernel = new Kernel({ loader: ctx.loader });
    const image = kernel.loadImage(await ctx.images.guest("port-pingpong"), "port-pingpong");
    const handles = [{ name: "peer", object: image, rights: IMAGE_GRANT_RIGHTS }];
    const s = await sampleMarked(ctx.plan, (batch, batches) =>
      runMarked(kernel, [{ image, args: [batch, batches, "ping"], handles, marks: true }]),
    );
    kernel.release(image);
    return {
      port_rtt_ns: timed(s, {
        unit: "ns",
        measures:
          "packet round trip between two resident guests' port handlers: port_send -> kernel calls the peer's exported handler -> it port_sends back -> kernel calls ours",
        baseline: { key: "baseline_direct_call_ns" },
        goal: { op: "<=", value: 20, times: "baseline_direct_call_ns" },
      }),
    };
  },
};
