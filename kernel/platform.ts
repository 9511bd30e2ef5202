// What the kernel needs from its host, as interfaces: the kernel never touches
// WebAssembly, Node or the DOM itself. host/ implements these.

import type { ImageObject } from "./objects/image.ts";
import type { Process } from "./objects/process.ts";

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
  /** The process has ended: release the instance and its stack. It is never resumed again. */
  dispose(): void;
}

export interface ProcessHost {
  /** Bind a runtime to a process that will run `image`. Instantiation happens at start(). */
  createRuntime(process: Process, image: ImageObject): ProcessRuntime;
}

/** Real-time services (unused in deterministic mode except for cancelling nothing). */
export interface Platform {
  /** Milliseconds from an arbitrary origin, sub-millisecond precision. */
  now(): number;
  /** Run fn after about ms milliseconds; returns a canceller. */
  setTimer(ms: number, fn: () => void): () => void;
}
