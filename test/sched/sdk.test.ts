// The AssemblyScript SDK's scheduling wrappers (guests/sdk/sched.ts) reach
// the syscalls and decode their results.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { runGuest } from "../../cli/run-guest.ts";

describe("the scheduling SDK", () => {
  it("wraps every scheduling syscall", async () => {
    const r = await runGuest(join(import.meta.dirname, "fixtures", "sdk.ts"));
    expect(r.exit.reason, r.exit.message).toBe(ExitReason.NORMAL);
    expect(r.stdout).toBe(
      [
        "priority 0",
        "info 0 150 1 2",
        "tier 0 96",
        "cpu counted ",
        "partition ok 0",
        "pinfo 0 250 1",
        "deadline 0 0 1",
        "limits 0 0 1000000000",
        "",
      ].join("\n"),
    );
  }, 60_000);
});
