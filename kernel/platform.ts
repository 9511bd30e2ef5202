// What the kernel needs from its host, as interfaces: the kernel never touches
// WebAssembly, Node or the DOM itself. host/ implements these.

import type { ImageObject } from "./objects/image.ts";
import type { Process } from "./objects/process.ts";
import type { MemorySource } from "./mm/guest-memory.ts";
import type { ImageMemoryNeeds } from "./mm/grants.ts";

/** Executes one process's guest code. Created by the host when the process is first dispatched. */
export interface ProcessRuntime {
  /**
   * Begin running the process (its first dispatch). Must not run guest code
   * synchronously: the host schedules it (a microtask), so the caller's stack
   * unwinds first and only one process ever runs at a time.
   */
  start(): void;
  /** Continue the process, suspended in a blocking syscall, with that call's result. */
  resume(result: number): void;
  /**
   * Run one handler activation: call the exported handler (key, code, value)
   * (scheduled like start(), never synchronously). When it returns the
   * runtime calls Kernel.activationDone; a trap ends the process.
   */
  deliver(handler: string, key: number, code: number, value: bigint): void;
  /**
   * deliver() with the value as its low and high 32-bit words (a packet the kernel takes from a port's cell).
   * `takeCell`, when not 0: the byte address of that cell in the handle mirror's store; the process's port
   * loop may take its next packets from it itself while the word at byte `versionAddress` keeps the value it
   * has now (kernel/ipc/ports.ts takeCellPacket says the rest of the contract).
   */
  deliverWords?(handler: string, key: number, code: number, low: number, high: number, takeCell: number, versionAddress: number): void;
  /**
   * Direct activations (PORT_BIND_DIRECT, kernel/ipc/ports.ts), if the host offers them. canRunDirect: whether
   * runDirect can run handler `name` now (the instance exists, its image is metered so a quantum bounds it),
   * checked before the kernel changes anything. runDirect: call the handler synchronously, on the caller's
   * stack, with at most `budget` fuel (or its wall time); the handler's trap, exit or overrun ends this
   * process (DIRECT_OVERRUN for the overrun) and never throws out. Returns the fuel it burned.
   */
  canRunDirect?(name: string): boolean;
  runDirect?(name: string, key: number, code: number, value: bigint, budget: number, failed?: number): number;
  /**
   * Whether packets for handler `name` may be delivered wasm-to-wasm (docs/fastpath.md "Port dispatch in
   * wasm, wasm-to-wasm"): the slot + 1 of its entry in the host's table of direct entries, or 0 (no such
   * entry: the JavaScript path). Only while canRunDirect(name) holds. runDirect's `failed`: the entry
   * already ran from wasm and threw this DirectTrap kind; end the process as runDirect would have.
   */
  directSlot?(name: string): number;
  /** The fuel a direct activation that ended by a throw burned of `budget` (what runDirect returns then). */
  directBurned?(budget: number): number;
  /** Take `fuel` off its counter (setFuel(fuelLeft() - fuel) in one step), if it has a counter. */
  burnFuel?(fuel: number): void;
  /** Whether the instance exports `name` as a (i32, i32, i64) -> () function: 0, -ENOENT or -EINVAL. */
  handlerStatus(name: string): number;
  /**
   * Fuel metering (loader/instrument/fuel.ts): set the guest's fuel counter
   * (before the instance exists, the value it will start with).
   */
  setFuel(fuel: number): void;
  /** The guest's fuel counter now (negative once it ran out), or null if its image is not metered. */
  fuelLeft(): number | null;
  /** Whether its image is metered (fuelLeft() !== null), known without reading the counter. */
  readonly metered: boolean;
  /**
   * Whether the counter keeps its value while the process is off the CPU (a counter in the guest, not a
   * deadline in wall time), so the scheduler may leave it as it is for the next slice instead of writing it.
   */
  readonly fuelKept?: boolean;
  /** The process has ended: release the instance and its stack. It is never resumed again. */
  dispose(): void;
}

export interface ProcessHost {
  /** Bind a runtime to a process that will run `image`. Instantiation happens at start(). */
  createRuntime(process: Process, image: ImageObject): ProcessRuntime;
  /**
   * Back a memory object: `pages` zeroed 64 KiB pages that never grow, which
   * the runtime can bind to a guest's grant import (a wasm memory whose
   * maximum is its minimum). Without it the kernel uses a plain buffer
   * (windows and futexes work; nothing can be bound).
   */
  createMemory?(pages: number): MemorySource;
  /** What an image needs from memory: its initial pages and its grant imports. Without it: nothing. */
  imageMemory?(image: ImageObject): ImageMemoryNeeds;
}

/** Real-time services (unused in deterministic mode except for cancelling nothing). */
export interface Platform {
  /** Milliseconds from an arbitrary origin, sub-millisecond precision. */
  now(): number;
  /** Run fn after about ms milliseconds; returns a canceller. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Fill `out` with the host's entropy (random_get in real-time mode). */
  fillRandom(out: Uint8Array): void;
}
