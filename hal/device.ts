// The device side of the HAL. A device model is pure logic (no Node, no DOM):
// it keeps time with the kernel's clock and one-shot timers, raises
// interrupts, and hands data to a backend (a sink, a renderer) chosen per
// environment. The kernel drives models through the interfaces of the device
// contract, kernel/devices/contract.ts, the one place they are declared; hal/
// imports only types from it.

import type { DeviceContext } from "../kernel/devices/contract.ts";

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * What every device model shares: binding to the kernel, failure (a backend
 * error or a host shutdown; the kernel then answers EIO), and an idempotent
 * close. Calls from the kernel never throw: backend calls go through guard().
 */
export abstract class BaseDevice {
  abstract readonly objectType: number;
  readonly name: string;
  #failure: string | null = null;
  #ctx: DeviceContext | null = null;
  #closed = false;

  constructor(name: string) {
    this.name = name;
  }

  /** Why the device takes no more work, or null. */
  get failure(): string | null {
    return this.#failure;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The kernel's context. Throws if the device was never bound (a host wiring error, never a guest's). */
  protected get ctx(): DeviceContext {
    if (this.#ctx === null) throw new Error(`device ${this.name} is not bound to a kernel`);
    return this.#ctx;
  }

  get bound(): boolean {
    return this.#ctx !== null;
  }

  bind(ctx: DeviceContext): void {
    if (this.#ctx !== null) throw new Error(`device ${this.name} is bound already`);
    this.#ctx = ctx;
    this.onBind();
  }

  /** A DEVINFO_* fact of this kind of device, or null. */
  info(_key: number): number | null {
    return null;
  }

  /** The host stops the device: it takes no more work (EIO) and its backends are closed. */
  shutdown(): void {
    this.close();
  }

  /** Stop for good: timers cancelled, backends flushed and closed. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#failure === null) this.#failure = "shut down";
    try {
      this.onClose();
    } catch (e) {
      this.#ctx?.log(`wasmos: device ${this.name} failed to close: ${errorText(e)}`);
    }
  }

  /** The device has failed: it takes no more work and says why in the kernel log. */
  protected fail(reason: string): void {
    if (this.#failure !== null) return;
    this.#failure = reason;
    this.#ctx?.log(`wasmos: device ${this.name} failed: ${reason}`);
    this.guard("stop", () => this.onFail());
  }

  /** Run a backend call; an exception fails the device instead of reaching the kernel. Returns false if it threw. */
  protected guard(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.fail(`${what}: ${errorText(e)}`);
      return false;
    }
  }

  protected onBind(): void {}
  /** Stop timers and drop queued work (after a failure; close() calls onClose instead). */
  protected onFail(): void {}
  protected onClose(): void {}
}
