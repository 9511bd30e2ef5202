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

  /**
   * Processes whose state the model keeps (a host directory's open files),
   * each with what drops it: run once the process no longer holds any handle
   * to this device (closed, revoked, moved away: checked whenever a
   * capability to the device ends) or ends.
   */
  private holders: Map<Process, () => void> | null = null;

  /** Keep `drop` for p (once per process; a second call keeps the first). */
  holdFor(p: Process, drop: () => void): void {
    this.holders ??= new Map();
    if (this.holders.has(p)) return;
    this.holders.set(p, drop);
    p.exitListeners.push(() => this.dropHolder(p));
  }

  private heldBy(p: Process): boolean {
    for (const e of p.handles.entries()) if (e.object === this) return true;
    return false;
  }

  private dropHolder(p: Process): void {
    const drop = this.holders?.get(p);
    if (drop === undefined) return;
    this.holders!.delete(p);
    drop();
  }

  override capClosed(_rights: number): void {
    if (this.holders === null || this.holders.size === 0) return;
    for (const p of [...this.holders.keys()]) {
      if (p.exited || !this.heldBy(p)) this.dropHolder(p);
    }
  }

  detach(): void {
    const a = this.attachment;
    if (a === null) return;
    this.attachment = null;
    releaseHeld(a.cap);
  }

  protected override onDestroy(): void {
    this.detach();
    this.holders = null; // the model's close drops everything
    try {
      this.model.close();
    } catch (e) {
      this.log(`wasmos: device ${this.model.name} failed to close: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.memory?.releaseKernel();
  }
}
