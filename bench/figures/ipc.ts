// ipc_rtt_ns and ipc_rtt_ns_by_size: synchronous message passing between
// two AssemblyScript guests through the kernel (bench/guests/ipc-client.ts
// and ipc-server.ts). A round trip: the client's send (SEND right checked on
// its endpoint handle) blocks; the server's receive returns the message; the
// server reads the words (msg_word x2) and replies; the client's send
// returns the reply status.

import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { missingSyscalls } from "../availability.ts";
import type { BySizeResult, Family, TimedResult } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import type { BenchImages } from "../images.ts";
import { runMarked } from "../marks.ts";
import { type Plan, sampleMarked, type Summary } from "../stats.ts";

export const IPC_SYSCALLS = ["endpoint_create", "send", "sendmsg", "receive", "reply", "msg_word", "kill"] as const;
export const IPC_SIZES = [0, 64, 1024, 8192, 65536] as const;

/** null when the kernel has what the IPC figures need; else why not. */
export function ipcAvailability(): string | null {
  return missingSyscalls(IPC_SYSCALLS);
}

/** Round-trip ns of the client/server pair in `mode` ("send", "msg" with a body size, "pulse"). */
export async function measureIpc(
  kernel: Kernel,
  images: BenchImages,
  plan: Plan,
  mode: "send" | "msg" | "pulse" | "call",
  size = 0,
): Promise<Summary> {
  const client = kernel.loadImage(await images.guest("ipc-client"), "ipc-client");
  const server = kernel.loadImage(await images.guest("ipc-server"), "ipc-server");
  const handles = [{ name: "server", object: server, rights: IMAGE_GRANT_RIGHTS }];
  try {
    return await sampleMarked(plan, (batch, batches) =>
      runMarked(kernel, [
        { image: client, args: mode === "msg" ? [batch, batches, mode, size] : [batch, batches, mode], handles, marks: true },
      ]),
    );
  } finally {
    kernel.release(client);
    kernel.release(server);
  }
}

export const IPC_MEASURES =
  "round trip of a 16-byte message (two words, send) between two AssemblyScript guests: client send -> server receive, 2 x msg_word, reply -> client send returns";

export const ipc: Family = {
  name: "ipc",
  keys: ["ipc_rtt_ns", "ipc_call_rtt_ns", "ipc_rtt_ns_by_size"],
  needs: ["baseline_jspi_pingpong_ns", "baseline_worker_atomics_rtt_ns"],
  async run(ctx) {
    const missing = ipcAvailability();
    if (missing !== null)
      return { ipc_rtt_ns: unavailable(missing), ipc_call_rtt_ns: unavailable(missing), ipc_rtt_ns_by_size: unavailable(missing) };
    const kernel = new Kernel({ loader: ctx.loader });
    const rtt = timed(await measureIpc(kernel, ctx.images, ctx.plan, "send"), {
      unit: "ns",
      measures: IPC_MEASURES,
      baseline: { key: "baseline_jspi_pingpong_ns" },
      goal: { op: "<=", value: 1.25, times: "baseline_jspi_pingpong_ns" },
    });
    const call = missingSyscalls(["ipc_buffer", "call", "reply_wait"]);
    const callRtt =
      call !== null
        ? unavailable(call)
        : timed(await measureIpc(kernel, ctx.images, ctx.plan, "call"), {
            unit: "ns",
            measures:
              "round trip of two i32 words through the IPC buffers (call / reply_wait, docs/fastpath.md): client call -> server's reply_wait returns the message; its next reply_wait answers it and waits again -> client call returns",
            baseline: { key: "baseline_jspi_pingpong_ns" },
            goal: { op: "<=", value: 1.25, times: "baseline_jspi_pingpong_ns" },
          });
    const sizes: Record<string, TimedResult> = {};
    for (const size of IPC_SIZES) {
      sizes[String(size)] = timed(await measureIpc(kernel, ctx.images, ctx.plan, "msg", size), {
        unit: "ns",
        measures: `sendmsg round trip with a ${size}-byte body copied into the server's buffer (reply: status only)`,
        baseline: { key: "baseline_jspi_pingpong_ns" },
      });
    }
    const bySize: BySizeResult = {
      status: "ok",
      kind: "by_size",
      unit: "ns",
      measures:
        "sendmsg round trip by request body size in bytes (words 0 and 1 set, body copied by the kernel, reply carries a status only)",
      sizes,
    };
    return { ipc_rtt_ns: rtt, ipc_call_rtt_ns: callRtt, ipc_rtt_ns_by_size: bySize };
  },
};
