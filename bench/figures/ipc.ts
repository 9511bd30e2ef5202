// ipc_rtt_ns, ipc_send_rtt_ns and ipc_rtt_ns_by_size: synchronous message
// passing between two AssemblyScript guests through the kernel
// (bench/guests/ipc-client.ts and ipc-server.ts). ipc_rtt_ns is the SDK's
// standard round trip: the client's call (SEND right checked on its endpoint
// handle) blocks; the server's reply_wait returns the message in its IPC
// buffer; its next reply_wait answers and waits again; the client's call
// returns the status, the answer's words in its buffer. ipc_send_rtt_ns is
// the legacy shape: send, receive, msg_word x2, reply.

import { IMAGE_GRANT_RIGHTS, Kernel } from "../../host/kernel.ts";
import { missingSyscalls } from "../availability.ts";
import { besidePingpong } from "../baselines/jspi-pingpong.ts";
import type { BySizeResult, Family, TimedResult } from "../figure.ts";
import { timed, unavailable } from "../figure.ts";
import type { BenchImages } from "../images.ts";
import { runMarked } from "../marks.ts";
import { type Plan, sampleMarked, type Summary } from "../stats.ts";

export const IPC_SYSCALLS = [
  "endpoint_create",
  "send",
  "sendmsg",
  "receive",
  "reply",
  "msg_word",
  "kill",
  "ipc_buffer",
  "call",
  "reply_wait",
] as const;
export const IPC_SIZES = [0, 64, 1024, 8192, 65536] as const;

/** The SDK's standard round trip (call / replyWait): what ipc_rtt_ns measures, here and in the figures compared with it. */
export const IPC_MODE = "call";

/** null when the kernel has what the IPC figures need; else why not. */
export function ipcAvailability(): string | null {
  return missingSyscalls(IPC_SYSCALLS);
}

/** Round-trip ns of the client/server pair in `mode` ("call", "send", "msg" with a body size, "pulse", "pulsewait"). */
export async function measureIpc(
  kernel: Kernel,
  images: BenchImages,
  plan: Plan,
  mode: "send" | "msg" | "pulse" | "pulsewait" | "call",
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
  "round trip of two i32 words between two AssemblyScript guests through the SDK's call / replyWait (docs/fastpath.md): client call -> server's reply_wait returns the message in its IPC buffer; its next reply_wait answers (status = w0 + w1) and waits again -> client call returns";

export const ipc: Family = {
  name: "ipc",
  keys: ["ipc_rtt_ns", "ipc_send_rtt_ns", "ipc_rtt_ns_by_size"],
  needs: ["baseline_jspi_pingpong_ns", "baseline_worker_atomics_rtt_ns"],
  async run(ctx) {
    const missing = ipcAvailability();
    if (missing !== null)
      return { ipc_rtt_ns: unavailable(missing), ipc_send_rtt_ns: unavailable(missing), ipc_rtt_ns_by_size: unavailable(missing) };
    const kernel = new Kernel({ loader: ctx.loader });
    const rtt = await besidePingpong(ctx, async (plan) =>
      timed(await measureIpc(kernel, ctx.images, plan, IPC_MODE), {
        unit: "ns",
        measures: IPC_MEASURES,
        baseline: { key: "baseline_jspi_pingpong_ns" },
        goal: { op: "<=", value: 1.25, times: "baseline_jspi_pingpong_ns" },
      }),
    );
    const sendRtt = timed(await measureIpc(kernel, ctx.images, ctx.plan, "send"), {
      unit: "ns",
      measures:
        "the legacy round trip: a 16-byte message (two words, send) between the same guests: client send -> server receive, 2 x msg_word, reply -> client send returns",
      baseline: { key: "baseline_jspi_pingpong_ns" },
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
    return { ipc_rtt_ns: rtt, ipc_send_rtt_ns: sendRtt, ipc_rtt_ns_by_size: bySize };
  },
};
