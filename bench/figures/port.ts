// Event-port delivery to a handler export (bench/guests/port-pingpong.ts).
//   port_rtt_ns: two resident guests bounce a packet, both bound with
//     PORT_BIND_DIRECT (as a user binds a handler that only answers): the
//     packet to the idle side runs its handler at once inside port_send (a
//     direct activation: the pong side's handler calls port_send only, so
//     its direct copy runs wasm-to-wasm); the answer finds its sender's
//     handler still running and queues (in the port's cell, by wasm), and the
//     kernel hands it to the sender when its handler returns (the run-on: no
//     slice end, no switch). One round trip is two deliveries, one of each
//     kind, and one call into the kernel.
//   port_rtt_ns_queued: the same without the flag: both deliveries queued.
//   port_direct_ns: one direct delivery: a sender's loop calls port_send on an
//     idle direct binder, whose handler (import-free) counts and returns: the
//     sender's wasm port_send runs the handler's direct copy wasm-to-wasm
//     (host/runtime/fast-ports.ts).
//   port_direct_ns_js: the same through the kernel's JavaScript direct path
//     (Kernel({ portW2w: false }): the same copy, called from sendDirect), in
//     the same process: the A/B of the wasm-to-wasm path.

import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { countWasmDeliveries, w2wDelivered } from "../../host/runtime/fast-ports.ts";
import { missingSyscalls } from "../availability.ts";
import type { Family } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleMarked } from "../stats.ts";

const GOAL = { op: "<=", value: 20, times: "baseline_direct_call_ns" } as const;

export const port: Family = {
  name: "port",
  keys: ["port_rtt_ns", "port_rtt_ns_queued", "port_direct_ns", "port_direct_ns_js"],
  needs: ["baseline_direct_call_ns"],
  async run(ctx) {
    const missing = missingSyscalls(["port_create", "port_bind", "port_send", "kill"]);
    if (missing !== null)
      return {
        port_rtt_ns: unavailable(missing),
        port_rtt_ns_queued: unavailable(missing),
        port_direct_ns: unavailable(missing),
        port_direct_ns_js: unavailable(missing),
      };
    const kernel = new Kernel({ loader: ctx.loader });
    const image = kernel.loadImage(await ctx.images.guest("port-pingpong"), "port-pingpong");
    const handles = [{ name: "peer", object: image, rights: IMAGE_GRANT_RIGHTS }];
    const sample = (mode: string[]) =>
      sampleMarked(ctx.plan, (batch, batches) => runMarked(kernel, [{ image, args: [batch, batches, ...mode], handles, marks: true }]));
    const direct = await sample(["ping", "direct"]);
    const queued = await sample(["ping"]);
    const oneway = await sample(["oneway"]);
    // That the one-way figure took the wasm path: one short run more with the dispatchers counting (off while
    // timed: the counts cost ≈1.5 ns a delivery, fast-ports.ts countWasmDeliveries).
    countWasmDeliveries(true);
    try {
      const before = w2wDelivered();
      await runMarked(kernel, [{ image, args: [100, 2, "oneway"], handles, marks: true }]);
      if (w2wDelivered() === before) throw new Error("port_direct_ns: no packet was delivered wasm-to-wasm");
    } finally {
      countWasmDeliveries(false);
    }
    kernel.release(image);
    const js = new Kernel({ loader: ctx.loader, portW2w: false });
    const jsImage = js.loadImage(await ctx.images.guest("port-pingpong"), "port-pingpong");
    const onewayJs = await sampleMarked(ctx.plan, (batch, batches) =>
      runMarked(js, [
        {
          image: jsImage,
          args: [batch, batches, "oneway"],
          handles: [{ name: "peer", object: jsImage, rights: IMAGE_GRANT_RIGHTS }],
          marks: true,
        },
      ]),
    );
    js.release(jsImage);
    const baseline = { key: "baseline_direct_call_ns" };
    return {
      port_rtt_ns: timed(direct, {
        unit: "ns",
        measures:
          "packet round trip between two resident guests' port handlers bound with PORT_BIND_DIRECT: port_send runs the idle peer's handler (its one import port_send) wasm-to-wasm; its answer to the busy sender queues in the port's cell and the sender's loop runs it on when its handler returns",
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
          "one direct delivery: port_send to an idle PORT_BIND_DIRECT binder runs its import-free handler (a counter) on the sender's stack and returns: wasm-to-wasm, the sender's wasm port_send calling the handler's direct copy",
        baseline,
        goal: GOAL,
        also: ["port_direct_ns_js"],
      }),
      port_direct_ns_js: timed(onewayJs, {
        unit: "ns",
        measures:
          "the same delivery through the kernel's JavaScript direct path (Kernel({ portW2w: false })): port_send crosses into the bridge, sendDirect calls the handler's direct copy from JavaScript",
        baseline,
      }),
    };
  },
};
