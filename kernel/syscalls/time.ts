// yield, sleep, clock_now: the CPU and the monotonic clock.

import { Errno } from "../../abi/gen/abi.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../objects/process.ts";
import { BLOCK } from "./control.ts";

export function sysYield(k: Kernel, p: Process): number | typeof BLOCK {
  k.yieldCurrent(p);
  return BLOCK;
}

export function sysSleep(k: Kernel, p: Process, durationNs: bigint): number | typeof BLOCK {
  if (durationNs < 0n) return -Errno.EINVAL;
  if (durationNs === 0n) return sysYield(k, p);
  const deadline = k.clock.now() + Number(durationNs);
  const timer = k.addTimer(deadline, () => k.wake(p, 0));
  k.blockCurrent(p, "sleep", () => k.cancelTimer(timer));
  return BLOCK;
}

export function sysClockNow(k: Kernel): bigint {
  return BigInt(Math.floor(k.clock.now()));
}

/** An absolute i64 deadline as kernel time (Infinity for DEADLINE_INFINITE and beyond 2^53). */
export function deadlineToTime(deadline: bigint): number {
  return deadline >= 9007199254740992n ? Infinity : Number(deadline);
}
