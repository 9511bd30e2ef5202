// WasmProcessRuntime: runs one process's module under JSPI. The module is
// instantiated on first dispatch (so a failure to start is the child's own
// death, START_FAILED, not the spawner's), its start function (moved out of
// the start section by the loader) and then `_start` run through
// WebAssembly.promising; every blocking syscall suspends this stack until the
// kernel resumes it.

import { ExitReason } from "../../abi/gen/abi.ts";
import type { Kernel as KernelCore } from "../../kernel/kernel.ts";
import { KernelBug } from "../../kernel/object.ts";
import { GuestMemory } from "../../kernel/memory.ts";
import type { Process } from "../../kernel/objects/process.ts";
import type { ProcessRuntime } from "../../kernel/platform.ts";
import type { LoadedImage } from "../loader/loader.ts";
import { syscallImports, type Suspender, UNWIND } from "./bridge.ts";
import { classifyTrap } from "./traps.ts";

export class WasmProcessRuntime implements ProcessRuntime, Suspender {
  private readonly kernel: KernelCore;
  private readonly process: Process;
  private readonly image: LoadedImage;
  private pending: ((v: number) => void) | null = null;
  private disposed = false;
  private instance: WebAssembly.Instance | null = null;

  constructor(kernel: KernelCore, process: Process, image: LoadedImage) {
    this.kernel = kernel;
    this.process = process;
    this.image = image;
  }

  start(): void {
    queueMicrotask(() => void this.run());
  }

  resume(result: number): void {
    const r = this.pending;
    if (r === null) throw new KernelBug(`pid ${this.process.pid} resumed while not suspended`);
    this.pending = null;
    r(result);
  }

  arm(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.pending = resolve;
    });
  }

  disarm(): void {
    this.pending = null;
  }

  dispose(): void {
    // Dropping the resolver abandons a suspended stack; it is collected with the instance.
    this.disposed = true;
    this.pending = null;
    this.instance = null;
  }

  private async run(): Promise<void> {
    const k = this.kernel;
    const p = this.process;
    if (this.disposed) return;
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(this.image.module, syscallImports(k, p, this) as WebAssembly.Imports);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      k.terminate(p, -1, ExitReason.START_FAILED, `could not instantiate ${this.image.name}: ${why}`);
      return;
    }
    this.instance = instance;
    const exports = instance.exports;
    p.memory = new GuestMemory(exports.memory as WebAssembly.Memory);
    try {
      if (this.image.startExport !== null) {
        await WebAssembly.promising(exports[this.image.startExport] as () => void)();
      }
      if (!this.disposed) await WebAssembly.promising(exports._start as () => void)();
      if (!this.disposed) k.terminate(p, 0, ExitReason.NORMAL, "");
    } catch (e) {
      if (e === UNWIND || this.disposed) return;
      const ending = classifyTrap(e);
      k.terminate(p, -1, ending.reason, ending.message);
    }
  }
}
