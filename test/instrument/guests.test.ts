// Real guests print the same bytes metered and unmetered: AssemblyScript
// programs through the whole kernel (loader, JSPI runtime, preemption).
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ExitReason } from "../../abi/gen/abi.ts";
import { compileGuestFile, runGuest } from "../../cli/run-guest.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const images: Record<string, Uint8Array> = {};

beforeAll(async () => {
  images.compute = await compileGuestFile(join(import.meta.dirname, "fixtures", "compute.ts"));
  images.hello = await compileGuestFile(join(ROOT, "guests", "hello", "main.ts"));
  images.echo = await compileGuestFile(join(ROOT, "guests", "echo", "main.ts"));
}, 60_000);

async function both(name: string, args: string[], sched = {}) {
  const metered = await runGuest(images[name], { args, sched });
  const plain = await runGuest(images[name], { args, instrument: false });
  return { metered, plain };
}

describe("instrumented and uninstrumented guests", () => {
  for (const [name, args] of [
    ["compute", ["1"]],
    ["compute", ["2"]],
    ["hello", ["a", "b c"]],
    ["echo", ["one", "two"]],
  ] as const) {
    it(`${name} ${args.join(" ")} prints the same bytes and ends the same way`, async () => {
      const { metered, plain } = await both(name, [...args]);
      expect(plain.kernel.loader.options.instrument).toBe(false);
      expect(metered.exit).toEqual(plain.exit);
      expect(metered.exit.reason).toBe(ExitReason.NORMAL);
      expect(metered.stdout.length).toBeGreaterThan(0);
      expect(Buffer.compare(Buffer.from(metered.stdoutBytes), Buffer.from(plain.stdoutBytes))).toBe(0);
    });
  }

  it("compute prints the same bytes when slices are tiny (a 500-fuel quantum: thousands of preemption checks)", async () => {
    const { metered, plain } = await both("compute", ["1"], { quantumFuel: 500 });
    expect(metered.stdout).toBe(plain.stdout);
  });

  it("the metered run's CPU time is the fuel it burned, the same on every run", async () => {
    const a = await runGuest(images.compute, { args: ["1"] });
    const b = await runGuest(images.compute, { args: ["1"] });
    const cpu = (r: typeof a) => r.kernel.core.clock.now();
    expect(cpu(a)).toBe(cpu(b));
    expect(cpu(a)).toBeGreaterThan(1_000_000); // millions of instructions, not a stand-in per dispatch
  });
});
