// yield, sleep, clock_now: the CPU and the monotonic clock.

import { Errno } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { Process } from "../objects/process.ts";
import { BLOCK } from "../control.ts";

export function sysYield(k: KernelCore, p: Process): number | typeof BLOCK {
  k.yieldCurrent(p);
  return BLOCK;
}

export function sysSleep(k: KernelCore, p: Process, durationNs: bigint): number | typeof BLOCK {
  if (durationNs < 0n) return -Errno.EINVAL;
  if (durationNs === 0n) return sysYield(k, p);
  const deadline = k.clock.now() + Number(durationNs);
  const timer = k.addTimer(deadline, () => k.wake(p, 0), p);
  k.blockCurrent(p, "sleep", () => k.cancelTimer(timer));
  return BLOCK;
}

export function sysClockNow(k: KernelCore): bigint {
  return BigInt(Math.floor(k.clock.now()));
}
