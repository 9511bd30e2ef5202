// Device: a simulated device (a hal/ model behind kernel/devices/contract.ts) as a
// kernel object. Only a process holding a capability to it can drive it; its
// interrupts go as pulses to the endpoint its driver attached. The device
// holds its own SEND capability for that endpoint, derived from the driver's,
// so revoking the driver's handle detaches it.

import { ObjectType } from "../../abi/gen/abi.ts";
import type { DeviceModel } from "./contract.ts";
import { type Cap, releaseHeld } from "../handles.ts";
import { KernelBug, KernelObject, type ObjectRegistry } from "../object.ts";
import type { Endpoint } from "../objects/endpoint.ts";
import type { MemoryObject } from "../objects/memory.ts";
import type { Process } from "../objects/process.ts";

/** Object types that are devices. */
export const DEVICE_TYPES: ReadonlySet<number> = new Set([
  ObjectType.DEV_TIMER,
  ObjectType.DEV_CONSOLE,
  ObjectType.DEV_AUDIO,
  ObjectType.DEV_FRAMEBUFFER,
  ObjectType.DEV_RNG,
  ObjectType.DEV_HOSTDIR,
]);

export interface Attachment {
  /** A held SEND capability for the endpoint (holdCap), derived from the attacher's. */
  readonly cap: Cap;
  /** Pulse code (word 0) of this device's interrupts. */
  readonly code: number;
  /** Who attached: others may not re-attach while it lives and the endpoint is open. */
  readonly owner: Process;
}

export class Device<M extends DeviceModel = DeviceModel> extends KernelObject {
  readonly type: number;
  readonly model: M;
  /** Where interrupts go, or null. Owned by kernel/syscalls/devices.ts. */
  attachment: Attachment | null = null;
  /** Interrupts delivered to the attached endpoint. */
  irqRaised = 0;
  /** Interrupts dropped: the endpoint closed or had MAX_PENDING_PULSES of the kernel's pending. */
  irqLost = 0;
  /** Where close() failures are reported. */
  log: (line: string) => void = () => {};
  /** The memory object the device's data lives in (a framebuffer's pixels), held while the device lives; or null. */
  readonly memory: MemoryObject | null;

  constructor(registry: ObjectRegistry, model: M, memory: MemoryObject | null = null) {
    if (!DEVICE_TYPES.has(model.objectType))
      throw new KernelBug(`device ${model.name}: object type ${model.objectType} is not a device type`);
    super(registry, model.objectType);
    this.type = model.objectType;
    this.model = model;
    this.memory = memory;
    memory?.retainKernel();
  }

  /** The attachment if its capability still stands and its endpoint can receive; a dead one is dropped. */
  liveAttachment(): Attachment | null {
    const a = this.attachment;
    if (a === null) return null;
    if (a.cap.revoked || (a.cap.object as Endpoint).closed) {
      this.detach();
      return null;
    }
    return a;
  }

  detach(): void {
    const a = this.attachment;
    if (a === null) return;
    this.attachment = null;
    releaseHeld(a.cap);
  }

  protected override onDestroy(): void {
    this.detach();
    try {
      this.model.close();
    } catch (e) {
      this.log(`wasmos: device ${this.model.name} failed to close: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.memory?.releaseKernel();
  }
}
