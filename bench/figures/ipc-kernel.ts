// ipc_kernel_rtt_ns: the kernel's own share of ipc_rtt_ns. The same
// call / reply_wait round trip through the same syscall handlers and the same
// kernel (handles, delivery, priority inheritance, the direct handoff,
// dispatch and slice accounting), with no WebAssembly and no JSPI: the two
// processes run on fake runtimes (test/model/fake-host.ts) and the figure's
// loop makes their calls. What is left of ipc_rtt_ns above the bare
// ping-pong plus this is the boundary: the Suspending imports, the armed
// promises, the fuel counter's WebAssembly.Global, the guests' own code.

import { Rights } from "../../abi/gen/abi.ts";
import { newEndpoint } from "../../kernel/ipc/exchange.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";
import type { Process } from "../../kernel/objects/process.ts";
import { SYSCALL_HANDLERS } from "../../kernel/syscalls/index.ts";
import type { KernelCore, KernelOptions } from "../../kernel/core.ts";
import { fakeSystem } from "../../test/model/fake-host.ts";
import type { Family } from "../figure.ts";
import { timed } from "../figure.ts";
import { sampleHost } from "../stats.ts";

type Handler = (k: KernelCore, p: Process, ...a: number[]) => unknown;

/** A fuel counter for a fake runtime: the "guest" burns `burn` fuel before each of its calls (kernelPair's metered option). */
class FakeCounter {
  value = 0;
  readonly metered = true;
  readonly fuelKept = true;
  setFuel(f: number): void {
    this.value = f;
  }
  fuelLeft(): number {
    return this.value;
  }
}

/**
 * A client and a server on fake runtimes, the server waiting in reply_wait; `run(n)` makes n round trips.
 * options: the kernel's (fastSlice, ...); burn: make the fake runtimes metered, each side burning that much
 * fuel before each call (the real runtimes' slice accounting: a counter read at each slice end).
 */
export function kernelPair(options: Partial<KernelOptions> = {}, burn = 0): { run: (n: number) => void; handoffs: () => number } {
  let ep: Endpoint | null = null;
  const { k, procs } = fakeSystem(
    2,
    (kk, i) => {
      ep ??= newEndpoint(kk);
      return [{ name: "ep", object: ep, rights: i === 0 ? Rights.SEND : Rights.RECEIVE }];
    },
    options,
  );
  const [client, server] = procs;
  for (const p of procs) (p.runtime as unknown as { resume: (v: number) => void }).resume = () => {}; // keep no history
  const counters = procs.map((p) => {
    const c = new FakeCounter();
    if (burn > 0) {
      const rt = p.runtime as unknown as Record<string, unknown>;
      Object.defineProperty(rt, "metered", { value: true });
      Object.defineProperty(rt, "fuelKept", { value: true });
      rt.setFuel = (f: number) => c.setFuel(f);
      rt.fuelLeft = () => c.fuelLeft();
    }
    return c;
  });
  const [cc, cs] = counters;
  const H = SYSCALL_HANDLERS as unknown as Record<string, Handler>;
  const hc = client.names.get("ep")!;
  const hs = server.names.get("ep")!;
  if (k.current !== client) throw new Error("ipc_kernel: the client did not run first");
  H.ipc_buffer(k, client, 1024);
  k.yieldCurrent(client);
  if (k.current !== server) throw new Error("ipc_kernel: the server did not run second");
  H.ipc_buffer(k, server, 1024);
  H.reply_wait(k, server, hs, 0, 0, 0);
  const call = H.call;
  const replyWait = H.reply_wait;
  return {
    run(n: number): void {
      for (let i = 0; i < n; i++) {
        cc.value -= burn;
        call(k, client, hc, 1); // hands the CPU to the server
        cs.value -= burn;
        replyWait(k, server, hs, server.resumeValue, 0, 1); // and back
      }
      if (k.current !== client) throw new Error("ipc_kernel: the round trip did not end with the client running");
    },
    handoffs: () => k.ipc.handoffs,
  };
}

export const ipcKernel: Family = {
  name: "ipc_kernel",
  keys: ["ipc_kernel_rtt_ns"],
  needs: ["baseline_jspi_pingpong_ns"],
  async run(ctx) {
    const pair = kernelPair();
    const s = await sampleHost(ctx.plan, (n) => pair.run(n));
    return {
      ipc_kernel_rtt_ns: timed(s, {
        unit: "ns",
        measures:
          "the kernel's JavaScript of one call / reply_wait round trip (the syscall handlers, delivery, inheritance, the direct handoff, dispatch and slice accounting) with two fake runtimes: no WebAssembly, no JSPI",
        baseline: { key: "baseline_jspi_pingpong_ns" },
      }),
    };
  },
};
