// The PCM demo whose init can never run again (blocked with nothing left to wake it): the run ends with
// RootBlockedError, its trace taken before the kernel is shut down, and the kernel shut down, so no process
// is left suspended (a suspended stack would keep the whole kernel: docs/fastpath.md "Every promise given to
// a Suspending import settles"). Before, the demo awaited init's exit, which never came.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ProcessState } from "../../abi/gen/abi.ts";
import { runPcmDemo } from "../../cli/demo/pcm.ts";
import { RootBlockedError } from "../../cli/run-guest.ts";
import type { Kernel } from "../../host/kernel.ts";
import { guest } from "../helpers/wat.ts";

/** An init that spawns nothing and receives forever on an endpoint of its own. */
const BLOCKED_INIT = guest(
  `(func (export "_start") (drop (call $receive (call $endpoint_create) (i32.const 1024) (i32.const 64) (i64.const 0x7fffffffffffffff))))`,
);

describe("the PCM demo with an init blocked forever", () => {
  it("ends with RootBlockedError naming it, the trace taken before the shutdown, and its kernel shut down with nothing left suspended", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "wasmos-pcm-blocked-"));
    let kernel: Kernel | null = null;
    let atEnd: { alive: number; trace: string } | null = null;
    try {
      const e = await runPcmDemo({
        duration: 0.1,
        outDir,
        pingBatches: 0,
        trace: true,
        images: { init: BLOCKED_INIT },
        onKernel: (k) => (kernel = k),
        onEnd: (k) => (atEnd = { alive: [...k.core.processes.values()].filter((p) => p.exit === null).length, trace: k.traceText() }),
      }).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(RootBlockedError);
      const blocked = e as RootBlockedError;
      expect(blocked.message).toBe("pid 1 blocked in receive forever: nothing left that could wake it");
      expect(blocked.blocked).toEqual([{ pid: 1, name: "pcm-init", blockedIn: "receive" }]);
      // onEnd saw the run as it left things; the error carries the same trace.
      expect(atEnd).toEqual({ alive: 1, trace: blocked.trace });
      expect(blocked.trace).not.toMatch(/ 1 exit /);
      const k = kernel! as Kernel;
      expect(blocked.kernel).toBe(k);
      expect(k.isShutDown).toBe(true);
      expect([...k.core.processes.values()].filter((p) => p.state !== ProcessState.EXITED)).toEqual([]);
      expect(k.core.blockedProcesses()).toEqual([]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 120_000);
});
