// pulse_ns: one pulse delivered. Two guests bounce a pulse between two
// endpoints: each side signals the other and waits for the answer, so a round
// trip is two pulses, and pulse_ns is half of it. pulse_ns measures the SDK's
// standard signal-and-wait, pulseWait (ABI pulse_wait, bench/guests/ipc-client.ts
// "pulsewait"): one call pulses (SEND checked), wakes the receiver and hands it
// the CPU, whose pulse_wait returns 0. pulse_send_receive_ns is the same
// ping-pong in the two-call shape (pulse, then a blocking receive: "pulse").
// Each shape runs in a kernel of its own. The two-call shape's median is
// bimodal across runs (≈330-370 or ≈680-930 ns a pulse, on main too and
// measured alone in a process; docs/fastpath.md): read it with its min.

import { Kernel } from "../../host/kernel.ts";
import { missingSyscalls } from "../availability.ts";
import type { Family } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import { scaleSummary } from "../stats.ts";
import { besidePingpong } from "../baselines/jspi-pingpong.ts";
import { measureIpc } from "./ipc.ts";

export const pulse: Family = {
  name: "pulse",
  keys: ["pulse_ns", "pulse_send_receive_ns"],
  needs: ["baseline_jspi_pingpong_ns", "baseline_jspi_switch_ns"],
  async run(ctx) {
    const missingOld = missingSyscalls(["endpoint_create", "pulse", "receive", "kill"]);
    const missing = missingOld ?? missingSyscalls(["ipc_buffer", "pulse_wait", "reply_wait"]);
    const kernel = new Kernel({ loader: ctx.loader });
    const one =
      missing !== null
        ? unavailable(missing)
        : await besidePingpong(ctx, async (plan) =>
            timed(scaleSummary(await measureIpc(kernel, ctx.images, plan, "pulsewait"), 0.5), {
              unit: "ns",
              measures:
                "one pulse: pulse_wait(ep, ..., own) by one guest until the other's pulse_wait returns it (half of a two-pulse round trip; each side signals and waits in one call)",
              baseline: { key: "baseline_jspi_pingpong_ns" },
              goal: { op: "<=", value: 0.75, times: "baseline_jspi_pingpong_ns" },
              also: ["baseline_jspi_switch_ns"],
              note: "one pulse is one suspension and one resumption of the receiver: baseline_jspi_switch_ns is its floor",
            }),
          );
    const two =
      missingOld !== null
        ? unavailable(missingOld)
        : timed(scaleSummary(await measureIpc(new Kernel({ loader: ctx.loader }), ctx.images, ctx.plan, "pulse"), 0.5), {
            unit: "ns",
            measures:
              "one pulse in two calls: pulse(ep) by one guest, then its blocking receive, until the other's receive returns it (half of a two-pulse round trip)",
            baseline: { key: "baseline_jspi_pingpong_ns" },
            also: ["baseline_jspi_switch_ns"],
          });
    return { pulse_ns: one, pulse_send_receive_ns: two };
  },
};
