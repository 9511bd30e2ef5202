// Every entry from the host into the kernel is guarded: a kernel bug in a
// timer callback (real-time mode: straight from Node's event loop) or in a
// dispatch ends the one process it concerned with KERNEL_FAULT; the host and
// the other processes carry on.
import { describe, expect, it } from "vitest";
import { ExitReason, ObjectType } from "../../abi/gen/abi.ts";
import type { DeviceContext, DeviceModel } from "../../kernel/devices/contract.ts";
import { Kernel } from "../../host/kernel.ts";
import { KernelBug } from "../../kernel/object.ts";
import { guest } from "../helpers/wat.ts";

const sleeper = (ns: number) => guest(`(func (export "_start") (drop (call $sleep (i64.const ${ns}))))`);

describe("host entries into the kernel", () => {
  for (const deterministic of [false, true]) {
    it(`a timer callback that throws a KernelBug ends its process with KERNEL_FAULT, not the host (${deterministic ? "deterministic" : "real-time"})`, async () => {
      const log: string[] = [];
      const k = new Kernel({ deterministic, log: (l) => log.push(l) });
      const victim = k.spawn(k.loadImage(sleeper(50_000_000)));
      const other = k.spawn(k.loadImage(sleeper(2_000_000)));
      k.core.addTimer(
        k.core.clock.now() + 1_000_000,
        () => {
          throw new KernelBug("a broken invariant in a timer");
        },
        victim.process,
      );
      const [v, o] = await Promise.all([victim.exited, other.exited]);
      expect(v.reason).toBe(ExitReason.KERNEL_FAULT);
      expect(v.message).toContain("kernel fault in a timer: KernelBug: a broken invariant in a timer");
      expect(o.reason).toBe(ExitReason.NORMAL);
      await k.run();
    });
  }

  it("a timer without an owner that throws is logged, and the kernel carries on", async () => {
    const log: string[] = [];
    const k = new Kernel({ log: (l) => log.push(l) });
    k.core.addTimer(1000, () => {
      throw new KernelBug("nobody's timer");
    });
    const p = k.spawn(k.loadImage(sleeper(2_000_000)));
    expect((await p.exited).reason).toBe(ExitReason.NORMAL);
    expect(log.join("\n")).toContain("kernel fault in a timer: KernelBug: nobody's timer");
  });

  it("a device's timer callback that throws is logged with the device's name, its next timers still fire, and another callback's throw is logged too", async () => {
    const log: string[] = [];
    const k = new Kernel({ log: (l) => log.push(l) });
    let ctx: DeviceContext | null = null;
    const model: DeviceModel = {
      objectType: ObjectType.DEV_TIMER,
      name: "ticker",
      failure: null,
      bind: (c) => void (ctx = c),
      info: () => null,
      close: () => {},
    };
    k.createDevice(model);
    const fired: string[] = [];
    let n = 0;
    const same = () => {
      fired.push(`same ${++n}`);
      if (n === 1) throw new Error("first tick broke");
    };
    ctx!.setTimer(1_000, same); // throws: logged
    ctx!.setTimer(2_000, same); // the same callback again: fires
    const cancel = ctx!.setTimer(2_500, same);
    cancel(); // cancelled: never fires
    ctx!.setTimer(3_000, () => {
      fired.push("other");
      throw new Error("other broke");
    });
    const p = k.spawn(k.loadImage(sleeper(5_000)));
    expect((await p.exited).reason).toBe(ExitReason.NORMAL);
    expect(fired).toEqual(["same 1", "same 2", "other"]);
    expect(log.filter((l) => l.includes("timer callback threw"))).toEqual([
      "wasmos: device ticker: timer callback threw: first tick broke",
      "wasmos: device ticker: timer callback threw: other broke",
    ]);
  });
});
