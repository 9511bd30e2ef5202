// The embedding API: a wasmos kernel in a Node program (or, with other
// backends, a page). Wraps the pure kernel with the module loader, the JSPI
// process runtime and the console.
//
//   const k = new Kernel();
//   const img = k.loadImage(bytes, "hello.wasm");
//   const p = k.spawn(img, { args: ["hello"] });
//   const exit = await p.exited;

import { ERRNO_NAMES, Rights } from "../abi/gen/abi.ts";
import { Kernel as KernelCore, type KernelLimits } from "../kernel/kernel.ts";
import type { ImageObject } from "../kernel/objects/image.ts";
import type { ExitInfo, Process } from "../kernel/objects/process.ts";
import type { KernelObject } from "../kernel/object.ts";
import { ImageLoader, type LoadedImage } from "./loader/loader.ts";
import type { VerifyPolicy } from "./loader/verify.ts";
import { WasmProcessRuntime } from "./runtime/process-runtime.ts";

export interface KernelConfig {
  /** Virtual clock and seeded RNG (default true). */
  deterministic?: boolean;
  seed?: number;
  /** Record the kernel event trace (default false). */
  trace?: boolean;
  /** Default standard output for processes the host spawns (default: discard). */
  stdout?: (bytes: Uint8Array) => void;
  /** Kernel messages: why a process died, ... (default: discard). */
  log?: (line: string) => void;
  limits?: Partial<KernelLimits>;
  policy?: VerifyPolicy;
  /** Share compiled images between kernels. */
  loader?: ImageLoader;
}

/** Rights the host grants on an image it passes to a process. */
export const IMAGE_GRANT_RIGHTS = Rights.SPAWN | Rights.DUPLICATE | Rights.TRANSFER;

export interface HostSpawnOptions {
  args?: readonly string[];
  stdout?: (bytes: Uint8Array) => void;
  priority?: number;
  /** Named handles the process starts with (handle_get finds them). */
  handles?: readonly { name: string; object: KernelObject; rights: number }[];
}

/** The host's reference to a process it spawned: keeps its exit status readable. */
export class HostProcess {
  readonly process: Process;
  /** Resolves when the process ends, however it ends. */
  readonly exited: Promise<ExitInfo>;
  private closed = false;
  constructor(process: Process) {
    this.process = process;
    process.retainHandle();
    this.exited = process.exit
      ? Promise.resolve(process.exit)
      : new Promise((resolve) => process.exitListeners.push(resolve));
  }
  get pid(): number {
    return this.process.pid;
  }
  /** Drop the host's reference (the process object is reaped once it has exited and nothing names it). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.process.releaseHandle();
  }
}

export class Kernel {
  readonly core: KernelCore;
  readonly loader: ImageLoader;
  private readonly stdout: (bytes: Uint8Array) => void;

  constructor(config: KernelConfig = {}) {
    this.loader = config.loader ?? new ImageLoader(config.policy);
    this.stdout = config.stdout ?? (() => {});
    this.core = new KernelCore({
      deterministic: config.deterministic ?? true,
      seed: config.seed ?? 0,
      trace: config.trace ?? false,
      limits: config.limits,
      log: config.log,
      platform: {
        now: () => performance.now(),
        setTimer: (ms, fn) => {
          const t = setTimeout(fn, ms);
          return () => clearTimeout(t);
        },
      },
      host: {
        createRuntime: (process, image) => {
          const loaded = image.hostData as LoadedImage;
          return new WasmProcessRuntime(this.core, process, loaded);
        },
      },
    });
  }

  /**
   * Verify and compile a module into an image. Throws ModuleRefusedError with
   * the reasons. The host holds the image until release(image).
   */
  loadImage(bytes: Uint8Array, name = "image"): ImageObject {
    const loaded = this.loader.load(bytes, name);
    const img = this.core.createImage(name, loaded.hash, loaded);
    img.retainHandle();
    return img;
  }

  /** Drop the host's reference to an image (processes running it keep it alive). */
  release(image: KernelObject): void {
    image.releaseHandle();
  }

  /** Start a process from an image. Throws if the kernel refuses (process limit). */
  spawn(image: ImageObject, options: HostSpawnOptions = {}): HostProcess {
    const enc = new TextEncoder();
    const args = (options.args ?? [image.name]).map((a) => enc.encode(a));
    const p = this.core.spawn({
      image,
      args,
      parentPid: 0,
      priority: options.priority,
      stdout: options.stdout ?? this.stdout,
      handles: options.handles,
    });
    if (typeof p === "number") throw new Error(`spawn refused: ${ERRNO_NAMES[-p] ?? -p}`);
    return new HostProcess(p);
  }

  /** Resolves when nothing is runnable and no timer is pending. */
  run(): Promise<void> {
    return this.core.whenQuiescent();
  }

  /** The kernel event trace (when enabled). */
  traceText(): string {
    return this.core.trace.text();
  }
}

export { ModuleRefusedError } from "./loader/loader.ts";
export type { ExitInfo } from "../kernel/objects/process.ts";
