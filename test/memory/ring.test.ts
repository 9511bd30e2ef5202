// A single-producer single-consumer ring over a bound grant (guests/sdk/ring.ts),
// between two AssemblyScript processes: data moves by loads and stores on the
// shared memory object; the kernel only sleeps and wakes the two sides.
import { beforeAll, describe, expect, it } from "vitest";
import { Kernel, MEMORY_GRANT_RIGHTS } from "../../host/kernel.ts";
import { closeAll, runSystem } from "../helpers/system.ts";
import { compileFixture } from "./helpers.ts";

let ring: Uint8Array;

beforeAll(async () => {
  ring = await compileFixture("ring");
});

describe("ring", () => {
  it("moves a million messages between two processes with none lost, duplicated or reordered, and copies none of them", async () => {
    const N = 1_000_000;
    const capacity = 1024;
    const k = new Kernel();
    const mem = k.createMemory(64 + capacity * 16);
    const t0 = performance.now();
    const r = await runSystem(
      [
        {
          name: "consumer",
          bytes: ring,
          args: ["ring", "consumer", String(N)],
          handles: [{ name: "ring", object: mem, rights: MEMORY_GRANT_RIGHTS }],
        },
        {
          name: "producer",
          bytes: ring,
          args: ["ring", "producer", String(N), String(capacity)],
          handles: [{ name: "ring", object: mem, rights: MEMORY_GRANT_RIGHTS }],
        },
      ],
      {},
      k,
      [mem],
    );
    const ms = performance.now() - t0;
    const text = (n: string) => new TextDecoder().decode(r.out[n]);
    expect(text("consumer") + text("producer")).toBe("");
    expect(r.exit.consumer).toEqual({ status: 0, reason: 0, message: "" });
    expect(r.exit.producer).toEqual({ status: 0, reason: 0, message: "" });
    expect(k.core.copied).toEqual({ ipcBytes: 0, windowBytes: 0 });
    console.log(`ring: ${N} messages in ${ms.toFixed(0)} ms, ${(N / ms / 1000).toFixed(2)} M messages/s`);
    closeAll(r);
    expect(k.core.objects.liveTotal()).toBe(0);
  });
});
