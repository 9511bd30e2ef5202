// Port: an event port (the one-syscall kernel's idea). Packets queued on it
// are delivered by the kernel calling its binder's exported handler, one
// activation at a time, when the scheduler picks the binder.

import { ObjectType } from "../../abi/gen/abi.ts";
import { KernelObject, type ObjectRegistry } from "../object.ts";
import type { Process } from "./process.ts";

export interface PortPacket {
  readonly port: Port;
  readonly code: number;
  readonly value: bigint;
}

export class Port extends KernelObject {
  readonly type = ObjectType.PORT;
  readonly packets: PortPacket[] = [];
  binder: Process | null = null;
  handler = "";
  key = 0;
  idle = false;
  /** Bound with PORT_BIND_DIRECT: packets sent while the binder is idle run its handler at once (kernel/ipc/ports.ts). */
  direct = false;
  /** The binder ended: packets are refused (ECLOSED). */
  closed = false;
  /**
   * What the handle mirror's state cell for this port says (kernel/fast/mirror.ts; kept by
   * kernel/ipc/ports.ts directWordsOf): the binder's direct entry slot + 1 while a packet may be delivered
   * wasm-to-wasm now (bound PORT_BIND_DIRECT, the binder idle, an entry exists), else 0; and the budget.
   */
  fastReady = 0;
  fastBudget = 0;
  /**
   * 1 while a sender's wasm port_send may queue a packet in the mirror's cell (kernel/ipc/ports.ts
   * directWordsOf: bound, not closed, the binder busy, room in the queue), else 0.
   */
  fastQueue = 0;
  /** Word index of the handle mirror's cell for this port while one exists (kernel/fast/mirror.ts), else -1. */
  cellAt = -1;
  /** The binder's direct entry slot + 1 for this binding once known (0: none, for as long as the binding lasts), -1 not yet asked. */
  fastSlot = -1;

  constructor(registry: ObjectRegistry) {
    super(registry, ObjectType.PORT);
  }

  protected override onDestroy(): void {
    this.packets.length = 0;
  }
}
