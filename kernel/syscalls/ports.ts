// Event ports: port_create, port_bind, port_send. Delivery (a handler
// activation per packet, idle packets) is the scheduler's: kernel.ts.

import { Constants, Errno, Limits, Rights } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { NORETURN } from "../control.ts";
import { directWordsOf, drainQueued, PORT_RIGHTS, sendDirect } from "../ipc/ports.ts";
import { portQueueLength } from "../fast/mirror.ts";
import { Port } from "../objects/port.ts";
import type { Process } from "../objects/process.ts";

export function sysPortCreate(k: KernelCore, p: Process): number {
  if (p.handles.full) return -Errno.EMFILE;
  return p.handles.insert(new Port(k.objects), PORT_RIGHTS);
}

export function sysPortBind(k: KernelCore, p: Process, port: number, namePtr: number, nameLen: number, key: number, flags: number): number {
  const obj = p.handles.get(port, Port, Rights.RECEIVE);
  if (typeof obj === "number") return obj;
  const pt = obj;
  if ((flags & ~(Constants.PORT_BIND_IDLE | Constants.PORT_BIND_DIRECT)) !== 0) return -Errno.EINVAL;
  const name = p.memory!.readName(namePtr, nameLen);
  if (typeof name === "number") return name;
  if (pt.binder !== null) return -Errno.EEXIST;
  const status = p.runtime!.handlerStatus(name);
  if (status < 0) return status;
  pt.binder = p;
  pt.handler = name;
  pt.key = key;
  pt.idle = (flags & Constants.PORT_BIND_IDLE) !== 0;
  pt.direct = (flags & Constants.PORT_BIND_DIRECT) !== 0;
  pt.closed = false;
  pt.fastSlot = -1;
  pt.retainKernel(); // the binding keeps the port alive while its binder lives
  p.boundPorts.push(pt);
  if (pt.idle) k.idleSubscribers++;
  k.runOnChanged(); // a second port, an idle one: a port loop's take (kernel/ipc/ports.ts takeCellPacket) lapses
  portQueueLength(pt); // its cell's count of packets queued in the kernel, afresh for this binding
  directWordsOf(k, pt);
  return 0;
}

export function sysPortSend(k: KernelCore, p: Process, port: number, code: number, value: bigint): number | typeof NORETURN {
  const obj = p.handles.get(port, Port, Rights.SEND);
  if (typeof obj === "number") return obj;
  const pt = obj;
  if (code === Constants.PORT_CODE_IDLE) return -Errno.EINVAL;
  if (pt.closed) return -Errno.ECLOSED;
  drainQueued(k, pt); // one a sender's wasm port_send left in the port's cell was sent before this one
  if (pt.packets.length >= Limits.MAX_PORT_PACKETS) return -Errno.EAGAIN;
  if (pt.direct) {
    const r = sendDirect(k, p, pt, code, value); // the binder idle: its handler has run, nothing queued
    if (r !== null) return r;
  }
  pt.packets.push({ port: pt, code, value });
  portQueueLength(pt);
  if (pt.packets.length >= Limits.MAX_PORT_PACKETS && pt.fastQueue !== 0) directWordsOf(k, pt); // full: none in the cell
  if (pt.binder !== null) k.packetArrived(pt.binder);
  return 0;
}
