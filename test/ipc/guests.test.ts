// The AssemblyScript IPC examples in guests/ run as documented.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { runGuest } from "../../cli/run-guest.ts";

const guestPath = (name: string) => join(REPO_ROOT, "guests", name, "main.ts");

describe("IPC example guests", () => {
  it("echo: a client finds the server by name and gets each message back upper-cased", async () => {
    const r = await runGuest(guestPath("echo"), { args: ["hello", "wasmos"] });
    expect(r.exit).toMatchObject({ reason: 0, status: 0 });
    expect(r.stdout).toBe("client: hello -> HELLO (5 bytes)\nclient: wasmos -> WASMOS (6 bytes)\necho: client exited 0, server exited 0\n");
    expect(r.kernel.core.copied.ipcBytes).toBe(2 * (5 + 6)); // each body once each way
  });

  it("pulses: two tickers' pulses arrive interleaved in time order, then the port handler runs after _start returns", async () => {
    const r = await runGuest(guestPath("pulses"), { args: ["3"] });
    expect(r.exit).toMatchObject({ reason: 0, status: 0 });
    expect(r.stdout).toBe(
      [1, 2, 3].map((t) => `pulse from ticker 1: tick ${t}\npulse from ticker 2: tick ${t}\n`).join("") +
        "ticker 1 sent 3, ticker 2 sent 3\nport handler (key 42): 6 pulses in 2 ms\n",
    );
  });
});
