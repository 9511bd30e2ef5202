// WasmProcessRuntime.handOff (host/runtime/process-runtime.ts): a switch a vDSO decided, in one step. Its one
// check (the next one suspended, the caller not armed) is made before anything changes: a refused hand-off
// leaves both runtimes as they were, so the kernel's fault path finds the next one still waiting.
import { describe, expect, it } from "vitest";
import { WasmProcessRuntime } from "../../host/runtime/process-runtime.ts";
import type { KernelCore } from "../../kernel/core.ts";
import { KernelBug } from "../../kernel/object.ts";
import type { Process } from "../../kernel/objects/process.ts";

/** Two runtimes that are never started (a stand-in kernel): only their switch fields are used. */
function pair(): [WasmProcessRuntime, WasmProcessRuntime] {
  const k = { sched: { nsPerFuel: 1 } } as unknown as KernelCore;
  const image = { name: "hand-off", preemption: "fuel", metered: true };
  const make = (pid: number) => new WasmProcessRuntime(k, { pid } as unknown as Process, image as never);
  return [make(1), make(2)];
}

describe("WasmProcessRuntime.handOff", () => {
  it("arms the caller and resumes the next one with the value", async () => {
    const [a, b] = pair();
    const waiting = b.arm();
    const mine = a.handOff(b, 7);
    expect(await waiting).toBe(7);
    b.handOff(a, 9);
    expect(await mine).toBe(9);
  });

  it("refuses a next one that is not suspended, changing nothing: the caller can still be armed", async () => {
    const [a, b] = pair();
    expect(() => a.handOff(b, 1)).toThrow(KernelBug);
    const waiting = a.arm(); // a was left unarmed
    a.resume(3);
    expect(await waiting).toBe(3);
  });

  it("refuses a caller armed already, changing nothing: the next one still waits for its value", async () => {
    const [a, b] = pair();
    const waiting = b.arm();
    a.arm();
    expect(() => a.handOff(b, 1)).toThrow(/armed already/);
    b.resume(5); // b was not resumed by the refused hand-off
    expect(await waiting).toBe(5);
  });

  it("unwinds a process disposed while suspended in a hand-off's promise", async () => {
    const [a, b] = pair();
    b.arm();
    const mine = a.handOff(b, 1);
    a.dispose();
    await expect(mine).rejects.toMatchObject({ wasmosUnwind: true });
  });
});
