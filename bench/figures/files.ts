// file_read_mb_per_s_{grant,buffer,regs}, open_close_us, open_close_kernel_us, stat_us: the path
// namespace and its I/O transport through tmpfs in the default system
// (cli/system.ts), driven by bench/guests/fs-client.ts. Reads are compared
// with a memcpy of the same bytes in the same guest process
// (file_read_memcpy_mb_per_s); open+close and stat with a null IPC round trip
// between two guests (ipc_rtt_ns's measurement, repeated here beside them);
// open_close_kernel_us is the kernel's share of an open+close (a path mounted
// as a plain endpoint: no server, no message), beside it.

import { bootDefaultSystem } from "../../cli/system.ts";
import { Constants } from "../../abi/gen/abi.ts";
import { Kernel } from "../../host/kernel.ts";
import { hostMount } from "../../kernel/ns/host.ts";
import { missingSyscalls } from "../availability.ts";
import type { Family, FigureResult } from "../figure.ts";
import { attempt, timed, unavailable, value } from "../figure.ts";
import { runMarked } from "../marks.ts";
import { sampleMarked, type Summary } from "../stats.ts";
import { IPC_MEASURES, IPC_MODE, measureIpc } from "./ipc.ts";

const MIB = 1 << 20;
/** Bytes one operation of each read mode moves. */
const BYTES: Record<string, number> = { memcpy: MIB, grant: MIB, buffer: MIB, regs: 65536 };
/** MB (10^6 bytes) per second from ns per operation. */
const mbPerS = (bytes: number, ns: number) => bytes / 1e6 / (ns / 1e9);
const us = (s: Summary): Summary => ({
  ...s,
  median: s.median / 1000,
  p99: s.p99 / 1000,
  min: s.min / 1000,
  max: s.max / 1000,
  mean: s.mean / 1000,
});

export const files: Family = {
  name: "files",
  keys: [
    "file_read_memcpy_mb_per_s",
    "file_read_mb_per_s_grant",
    "file_read_mb_per_s_buffer",
    "file_read_mb_per_s_regs",
    "open_close_us",
    "open_close_kernel_us",
    "stat_us",
  ],
  needs: ["ipc_rtt_ns"],
  async run(ctx) {
    const missing = missingSyscalls(["ns_open", "ns_call", "io_call"]);
    if (missing !== null) return Object.fromEntries(files.keys.map((k) => [k, unavailable(missing)]));
    const kernel = new Kernel({ loader: ctx.loader });
    const sys = await bootDefaultSystem({ kernel, stdout: () => {}, stderr: (b) => ctx.log(new TextDecoder().decode(b)), stdin: null });
    sys.start();
    // An endpoint mounted as a plain endpoint: opening it is the kernel's part of an open alone (no server, no message).
    const svc = kernel.createEndpoint();
    hostMount(sys.root, "/svc", svc, Constants.MOUNT_ENDPOINT);
    const image = kernel.loadImage(await ctx.images.guest("fs-client"), "fs-client");
    const handles = sys.programHandles();
    const measure = (mode: string) =>
      sampleMarked(ctx.plan, (batch, batches) => runMarked(kernel, [{ image, args: [batch, batches, mode], handles, marks: true }]));
    const out: Record<string, FigureResult> = {};
    try {
      const memcpy = await measure("memcpy");
      out.file_read_memcpy_mb_per_s = value(
        mbPerS(MIB, memcpy.median),
        { unit: "MB/s", measures: "memory.copy of 1 MiB in 64 KiB calls inside the client guest (the baseline of the file reads)" },
        { median_ns_per_mib: memcpy.median },
      );
      for (const [mode, note] of [
        [
          "grant",
          "1 MiB of /tmp/big read in 64 KiB reads, grant form: tmpfs copies each read into the grant the client binds; the kernel copies nothing",
        ],
        [
          "buffer",
          "1 MiB of /tmp/big read in 64 KiB reads, buffer form: the kernel copies each reply body from tmpfs into the client's buffer",
        ],
        ["regs", "64 KiB of /tmp/big read in 16-byte reads, registers form: each read's bytes come back in the reply words"],
      ] as const) {
        out[`file_read_mb_per_s_${mode}`] = await attempt(async () => {
          const s = await measure(mode);
          return value(
            mbPerS(BYTES[mode], s.median),
            {
              unit: "MB/s",
              measures: note,
              baseline: { key: "file_read_memcpy_mb_per_s" },
              ...(mode === "grant" ? { goal: { op: ">=" as const, value: 0.5, times: "file_read_memcpy_mb_per_s" } } : {}),
            },
            { median_ns_per_op: s.median, bytes_per_op: BYTES[mode] },
          );
        });
      }
      // The null IPC round trip, measured again here so the ratio is taken side by side.
      const ipc = await measureIpc(kernel, ctx.images, ctx.plan, IPC_MODE);
      for (const [key, mode, measures] of [
        [
          "open_close_us",
          "open-close",
          "ns_open of /tmp/big (a connect message to tmpfs, answered with its OCB) then handle_close (a close pulse, no reply)",
        ],
        [
          "open_close_kernel_us",
          "open-close-ep",
          "ns_open of /svc, an endpoint mounted with MOUNT_ENDPOINT (the kernel's share of an open: resolution, checks, a handle; no server, no message), then handle_close",
        ],
        ["stat_us", "stat", "ns_call IO_PSTAT of /tmp/big: a connect message to tmpfs answered with a 32-byte stat body"],
      ] as const) {
        out[key] = await attempt(async () => {
          const s = await measure(mode);
          const r = timed(us(s), {
            unit: "us",
            measures,
            baseline: { key: "ipc_rtt_ns" },
            ...(key === "open_close_us" ? { goal: { op: "<=" as const, value: 4, times: "ipc_rtt_ns" } } : {}),
            note: `ratio against a null IPC round trip measured beside it (${IPC_MEASURES}): ${ipc.median.toFixed(0)} ns`,
          });
          r.ratio = s.median / ipc.median; // both in ns, same process
          return r;
        });
      }
    } finally {
      kernel.release(image);
      kernel.release(svc);
      sys.shutdown();
      await kernel.run();
    }
    return out;
  },
};
