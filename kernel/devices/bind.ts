// A device model (hal/) becomes a kernel object: newDevice binds it to the
// kernel's clock and timers and routes its interrupts, as pulses, to the
// endpoint its driver attached (kernel/syscalls/devices.ts device_attach).

import { Constants, Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { postPulse } from "../ipc/exchange.ts";
import { fastPulse } from "../ipc/fastpath.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { MemoryObject } from "../objects/memory.ts";
import { pulseAdmittedN } from "../rules/pulses.ts";
import { PRIORITY_LEVELS } from "../sched/run-queues.ts";
import type { DeviceModel } from "./contract.ts";
import { Device } from "./device.ts";

/** Rights the host grants on a device it hands to a process. */
export const DEVICE_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.READ | Rights.WRITE | Rights.ATTACH;
/** Interrupt pulses come from sender pid 0 (the kernel)... */
export const IRQ_SENDER_PID = 0;
/** ...and are queued ahead of every process's messages and pulses. */
const IRQ_PRIORITY = PRIORITY_LEVELS - 1;
const IRQ_SHIFT = BigInt(Constants.IRQ_KIND_SHIFT);
const IRQ_KIND_UNIT = 2 ** Constants.IRQ_KIND_SHIFT;
/** Kinds below this make kind * IRQ_KIND_UNIT + a u32 datum an exact double. */
const IRQ_KIND_EXACT = 2 ** (53 - Constants.IRQ_KIND_SHIFT);

/**
 * Make a device model a kernel object: bind it to the kernel's clock and
 * timers, and route its interrupts through the device's attachment.
 * `memory`: the memory object the model's data lives in (a framebuffer whose
 * pixels are that object's backing), handed out by fb_memory. The caller owns
 * the first reference (retainHandle, as the host does).
 */
export function newDevice<M extends DeviceModel>(k: KernelCore, model: M, memory: MemoryObject | null = null): Device<M> {
  const dev = new Device(k.objects, model, memory);
  dev.log = k.log;
  // A device's calls are entries into the kernel: the lazy yields' words come back first (kernel/fast/yields.ts).
  model.bind({
    now: () => {
      if (k.lazyYields !== 0) k.syncYields();
      return k.clock.now();
    },
    setTimer: (deadline, fire) => {
      const t = k.addTimer(deadline, fire, dev); // a throw is logged with the device's name (KernelCore.timerThrew)
      return () => k.cancelTimer(t);
    },
    interrupt: (kind, datum) => {
      if (k.lazyYields !== 0) k.syncYields();
      raiseInterrupt(k, dev, kind, datum);
    },
    log: (line) => k.log(line),
  });
  return dev;
}

/** Deliver an interrupt as a pulse to the attached endpoint; drop it (counted) when the endpoint cannot take it. */
function raiseInterrupt(k: KernelCore, dev: Device, kind: number, datum: number): void {
  const wasAttached = dev.attachment !== null;
  const a = dev.liveAttachment();
  if (a === null) {
    if (wasAttached) dev.irqLost++; // the endpoint closed or its capability was revoked
    return;
  }
  const ep = a.cap.object as Endpoint;
  if (!pulseAdmittedN(ep.pendingPulses.get(IRQ_SENDER_PID) ?? 0)) {
    dev.irqLost++;
    return;
  }
  k.trace.enabled && k.trace.record(k.clock.now(), IRQ_SENDER_PID, "irq", `${dev.model.name} kind=${kind} datum=${datum >>> 0}`);
  // One BigInt where the shift and the or made four (an interrupt a period in the PCM pipeline): exact while
  // kind * 2^32 + datum stays below 2^53, which every IRQ_* kind does by far.
  const value =
    kind >= 0 && kind < IRQ_KIND_EXACT ? BigInt(kind * IRQ_KIND_UNIT + (datum >>> 0)) : (BigInt(kind) << IRQ_SHIFT) | BigInt(datum >>> 0);
  // An interrupt's pulse wakes its receiver at the receiver's own priority (runAt -1); IRQ_PRIORITY orders it in the queue.
  if (!fastPulse(k, IRQ_SENDER_PID, ep, a.code, value, -1)) postPulse(k, ep, IRQ_SENDER_PID, IRQ_PRIORITY, a.code, value, -1);
  dev.irqRaised++;
}
