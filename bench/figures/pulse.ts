// pulse_ns: one pulse delivered. Two guests bounce a pulse between two
// endpoints (bench/guests/ipc-client.ts "pulse"): each side pulses the other
// and blocks in receive until the answer arrives, so a round trip is two
// pulses, and pulse_ns is half of it: pulse (SEND checked), the receiver
// woken and switched to, its receive returning 0.

import { Kernel } from "../../host/kernel.ts";
import { missingSyscalls } from "../availability.ts";
import type { Family } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import { scaleSummary } from "../stats.ts";
import { measureIpc } from "./ipc.ts";

export const pulse: Family = {
  name: "pulse",
  keys: ["pulse_ns"],
  needs: ["baseline_jspi_pingpong_ns", "baseline_jspi_switch_ns"],
  async run(ctx) {
    const missing = missingSyscalls(["endpoint_create", "pulse", "receive", "kill"]);
    if (missing !== null) return { pulse_ns: unavailable(missing) };
    const kernel = new Kernel({ loader: ctx.loader });
    const rtt = await measureIpc(kernel, ctx.images, ctx.plan, "pulse");
    return {
      pulse_ns: timed(scaleSummary(rtt, 0.5), {
        unit: "ns",
        measures: "one pulse: pulse(ep) by one guest until the other's blocked receive returns it (half of a two-pulse round trip)",
        baseline: { key: "baseline_jspi_pingpong_ns" },
        goal: { op: "<=", value: 0.75, times: "baseline_jspi_pingpong_ns" },
        also: ["baseline_jspi_switch_ns"],
        note: "one pulse is one suspension and one resumption of the receiver: baseline_jspi_switch_ns is its floor",
      }),
    };
  },
};
