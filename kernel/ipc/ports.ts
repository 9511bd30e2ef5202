// Event ports on the kernel's side: the rights port_create gives and what a
// process's end does to the ports it bound. Delivery (a handler activation per
// packet, idle packets) is the scheduler's: kernel/core.ts.

import { Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { Process } from "../objects/process.ts";

/** Rights port_create gives. */
export const PORT_RIGHTS = Rights.DUPLICATE | Rights.TRANSFER | Rights.SEND | Rights.RECEIVE;

/** p has ended: its ports are closed (queued packets dropped, senders get ECLOSED). */
export function portsProcessExited(k: KernelCore, p: Process): void {
  for (const pt of p.boundPorts.splice(0)) {
    pt.binder = null;
    pt.closed = true;
    pt.packets.length = 0;
    if (pt.idle) k.idleSubscribers--;
    pt.releaseKernel();
  }
  p.packet = null;
}
