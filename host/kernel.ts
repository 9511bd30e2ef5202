// The embedding API: a wasmos kernel in a Node program (or, with other
// backends, a page). Wraps the pure kernel with the module loader, the JSPI
// process runtime and the console.
//
//   const k = new Kernel();
//   const img = k.loadImage(bytes, "hello.wasm");
//   const p = k.spawn(img, { args: ["hello"] });
//   const exit = await p.exited;

import { ERRNO_NAMES, ExitReason, Limits, ProcessState, Rights } from "../abi/gen/abi.ts";
import { KernelCore, type KernelLimits } from "../kernel/core.ts";
import type { Platform } from "../kernel/platform.ts";
import type { ImageObject } from "../kernel/objects/image.ts";
import type { ExitInfo, Process } from "../kernel/objects/process.ts";
import type { KernelObject } from "../kernel/object.ts";
import { ImageLoader, type LoadedImage } from "../loader/loader.ts";
import type { DiskImageCache } from "../loader/disk-cache.ts";
import type { VerifyPolicy } from "../loader/verify.ts";
import { WasmProcessRuntime } from "./runtime/process-runtime.ts";
import type { SchedOptions } from "../kernel/sched/cpu.ts";
import type { Endpoint } from "../kernel/objects/endpoint.ts";
import { KInfo } from "../kernel/objects/kinfo.ts";
import { Namespace } from "../kernel/objects/namespace.ts";
import { DIR_RIGHTS, type DirObject, newRootDir } from "../kernel/ns/host.ts";
import { newEndpoint } from "../kernel/ipc/exchange.ts";
import type { DeviceModel } from "../kernel/devices/contract.ts";
import type { Device } from "../kernel/devices/device.ts";
import { DEVICE_RIGHTS, newDevice } from "../kernel/devices/bind.ts";
import { FramebufferDevice, type FrameListener } from "../hal/framebuffer/framebuffer.ts";
import type { MemoryOptions } from "../kernel/mm/manager.ts";
import type { MemoryObject } from "../kernel/objects/memory.ts";
import { MEMORY_RIGHTS, memoryStats, type MemoryStats } from "../kernel/mm/stats.ts";
import { createGrantMemory } from "./runtime/grant-memory.ts";
import { chooseInEveryProcess, chooseInProcess } from "./runtime/split-imports.ts";
import { useFastYield } from "./runtime/fast-yield.ts";
import { WASI_MODULE, WasiPersonality, type WasiOptions } from "./personality/wasi/personality.ts";
import type { EpochTicker } from "../hal/epoch.ts";

/** Where real-time kernels get their epoch ticker by default (none: they count fuel). */
let defaultEpochTicker: (() => EpochTicker) | null = null;

/** Arguments and environment variables are passed to the kernel as UTF-8 (one encoder for every spawn). */
const UTF8 = new TextEncoder();

/**
 * Give real-time kernels made from now on an epoch ticker (hal/epoch.ts), so
 * they load the epoch variant of each image (loader/instrument/README.md
 * "Two variants"); null takes it back. The Node CLI passes hal/node's; a
 * page keeps fuel counting (no SharedArrayBuffer without cross-origin
 * isolation). Made lazily: the ticker's thread starts with the first
 * real-time kernel.
 */
export function useEpochTicker(make: (() => EpochTicker) | null): void {
  defaultEpochTicker = make;
}

export interface KernelConfig {
  /** Virtual clock and seeded RNG (default true). */
  deterministic?: boolean;
  /** Real-time services (default: performance.now and setTimeout); host/record/ puts a recorder or a replayer here. */
  platform?: Platform;
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
  /** Keep prepared images between runs (loader/disk-cache.ts); default: $WASMOS_CACHE_DIR if set. Ignored when `loader` is given. */
  diskCache?: DiskImageCache | null;
  /**
   * Fuel-meter guest modules (default true). false loads them as they are:
   * such guests cannot be preempted and their CPU time is not measured; for
   * benchmarks that compare the two. Ignored when `loader` is given (the
   * loader's own option applies).
   */
  instrument?: boolean;
  /** Scheduler parameters: quantum, virtual ns per fuel, partition window, deadline-class capacity. */
  sched?: SchedOptions;
  /** Default process memory budget and the system's page ceiling, in pages. */
  memory?: MemoryOptions;
  /** Check syscall results against the ABI: an undocumented errno ends the caller as a kernel fault (default: KERNEL_DEFAULTS). */
  checkContracts?: boolean;
  /**
   * The kernel's fast paths (default true): calls it can answer without
   * leaving wasm (window_get, kill, memory_size: host/runtime/fast-path.ts) do so, and an IPC
   * call that wakes its peer hands it the CPU directly (KernelOptions.fastIpc),
   * with the same results. false sends every call through the bridge and
   * every switch through the run queue; for benchmarks and tests that compare.
   */
  fastPath?: boolean;
  /**
   * With fastPath: blocking imports are split (host/runtime/split-imports.ts), so a blocking call that
   * completes at once does not suspend the stack (default true). false keeps every other fast path and
   * makes them Suspending imports again; for benchmarks and tests that compare.
   */
  splitImports?: boolean;
  /**
   * With fastPath: port_send delivers wasm-to-wasm to an idle PORT_BIND_DIRECT binder whose handler has an
   * import-free direct copy (host/runtime/fast-ports.ts; default true). false keeps every such packet on
   * the JavaScript direct path, with the same results; for benchmarks and tests that compare.
   */
  portW2w?: boolean;
  /**
   * With fastPath, in deterministic mode: yield is served in wasm by a kernel-owned module against words the
   * kernel publishes after its own yields and syncs back at its next entry (host/runtime/fast-yield.ts,
   * kernel/fast/yields.ts; default true). The same results, virtual time and accounting either way.
   */
  fastYield?: boolean;
  /**
   * With fastYield: the same module serves pulse_wait for a pair of processes pulsing each other (a
   * publication after the kernel's own pulse_wait; KernelCore.publishPulses; default true).
   */
  fastPulse?: boolean;
  /**
   * Flat slice accounting on every switch (KernelOptions.fastSlice; default: fastPath). false keeps every
   * other fast path and charges through the general code; for benchmarks and tests that compare.
   */
  fastSlice?: boolean;
  /**
   * With splitImports: every process's receive is chosen before calling (host/runtime/split-imports.ts,
   * docs/fastpath.md "Choosing before calling"): a receive that finds something queued does not suspend
   * (≈80 ns less), one that waits costs ≈15-25 ns more (a guard frame in front of the Suspending import).
   * Default false: only processes that have that guard anyway (those that may bind a port) choose, and
   * those spawned with HostSpawnOptions.receiveHint (the default system's servers).
   */
  receiveHint?: boolean;
  /** Check that a syscall returning an error changed nothing (slow: a state digest per call; for conformance and fuzzing). */
  checkFailedCalls?: boolean;
  /**
   * Real-time mode only: the ticker that makes preemption an epoch check
   * instead of fuel counting (default: the one given to useEpochTicker, if
   * any, unless `platform` is given; null counts fuel). Deterministic kernels always count fuel: runs
   * must replay bit for bit. With `loader`, the loader's variant applies,
   * and an epoch loader needs a ticker.
   */
  epochTicker?: EpochTicker | null;
}

/** Rights the host grants on an image it passes to a process. */
export const IMAGE_GRANT_RIGHTS = Rights.SPAWN | Rights.DUPLICATE | Rights.TRANSFER;
/** Rights the host grants on a memory object it passes to a process: DUPLICATE|TRANSFER|READ|WRITE|MAP (a read-write grant). */
export const MEMORY_GRANT_RIGHTS = MEMORY_RIGHTS;
/** The same without WRITE: a read-only grant (the child's code must never write it) or read-only windows. */
export const MEMORY_READ_ONLY_RIGHTS = MEMORY_RIGHTS & ~Rights.WRITE;
/** Rights the host grants on a name registry it passes to a process. */
export const NAMESPACE_GRANT_RIGHTS = Rights.REGISTER | Rights.LOOKUP | Rights.DUPLICATE | Rights.TRANSFER;
/** Rights the host grants on a path namespace (a DIR) it passes to a process: all of them, MOUNT included (docs/namespace.md). */
export const DIR_GRANT_RIGHTS = DIR_RIGHTS;
/** Rights the host grants on a device it passes to a driver: DUPLICATE|TRANSFER|READ|WRITE|ATTACH. */
export const DEVICE_GRANT_RIGHTS = DEVICE_RIGHTS;

export interface HostSpawnOptions {
  args?: readonly string[];
  /**
   * Its receive is chosen before calling, as KernelConfig.receiveHint does for every process (with the
   * kernel's split imports; otherwise nothing changes): for servers, whose receive often finds a request
   * queued. The results are the same either way.
   */
  receiveHint?: boolean;
  /** Environment variables, `KEY=VALUE` each (env_get; inherited by the processes it spawns). At most MAX_ENV, MAX_ENV_BYTES. */
  env?: readonly string[];
  stdout?: (bytes: Uint8Array) => void;
  priority?: number;
  /** Named handles the process starts with (handle_get finds them). */
  handles?: readonly { name: string; object: KernelObject; rights: number }[];
  /** Memory budget in pages (default: KernelConfig.memory.budgetPages, else MEMORY_BUDGET_PAGES). */
  memoryBudgetPages?: number;
  /** For a WASI program: environment, preopened directories, stdin, stderr (host/personality/wasi/). */
  wasi?: WasiOptions;
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
    this.exited = process.exit ? Promise.resolve(process.exit) : new Promise((resolve) => process.exitListeners.push(resolve));
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

/**
 * A call on a kernel that has been shut down (Kernel.shutdown): nothing new can be made or started in it.
 * Its state can still be read (trace, process table, exit infos) and references dropped (release).
 */
export class KernelShutdownError extends Error {
  override readonly name = "KernelShutdownError";
  /** What was refused: "spawn", "loadImage", "createEndpoint", ... */
  readonly call: string;
  /** `what` was shut down: the kernel, or a system built in it (host/system.ts, host/manifest/boot.ts). */
  constructor(call: string, what = "the kernel") {
    super(`${call} refused: ${what} has been shut down`);
    this.call = call;
  }
}

export class Kernel {
  private readonly kcore: KernelCore;
  /**
   * The kernel's state, current when read: between kernel entries the yield vDSO's words may hold the
   * clock, the open slice and the yielders' accounting (kernel/fast/yields.ts), so this syncs them back
   * first (one comparison when nothing is published). An embedder's timer or UI reading processes, the
   * clock or the scheduler through it sees what the kernel would.
   */
  get core(): KernelCore {
    const k = this.kcore;
    if (k.lazyYields !== 0) k.syncYields();
    return k;
  }
  readonly loader: ImageLoader;
  private readonly stdout: (bytes: Uint8Array) => void;
  /** Set once by shutdown(): every call that would make or start something is refused from then on. */
  private down = false;
  /** What the spawner gave each WASI process (read when the process starts). */
  private readonly wasiOptions = new WeakMap<Process, WasiOptions>();

  constructor(config: KernelConfig = {}) {
    const deterministic = config.deterministic ?? true;
    // The ticker and the runtime's slice deadlines run on the host's own clock: a kernel given its own Platform (a
    // recorder or a replayer, host/record/) counts fuel, so its preemptions follow the clock readings it records.
    let ticker =
      deterministic || (config.platform !== undefined && config.epochTicker === undefined)
        ? null
        : config.epochTicker !== undefined
          ? config.epochTicker
          : (defaultEpochTicker?.() ?? null);
    this.loader =
      config.loader ??
      new ImageLoader(config.policy, {
        instrument: config.instrument ?? true,
        preemption: ticker !== null ? "epoch" : "fuel",
        diskCache: config.diskCache,
      });
    // The kernel ends a blocked process by throwing UNWIND through its suspended stack (process-runtime.ts
    // dispose): a guest allowed exception handling could catch it and run on after its process ended.
    if (this.loader.policy.allowedFeatures.has("exceptions"))
      throw new RangeError(
        "a kernel's load policy cannot allow exception handling: a guest could catch the kernel's unwinding and run on after its process ended",
      );
    if (this.loader.options.preemption === "epoch") {
      if (deterministic) throw new RangeError('a deterministic kernel cannot run the epoch variant (its loader\'s preemption is "epoch")');
      if (ticker === null) throw new RangeError('a loader with preemption "epoch" needs an epoch ticker (KernelConfig.epochTicker)');
    } else ticker = null;
    this.stdout = config.stdout ?? (() => {});
    const fastPath = config.fastPath ?? true;
    const splitImports = fastPath && (config.splitImports ?? true);
    this.kcore = new KernelCore({
      deterministic,
      seed: config.seed ?? 0,
      trace: config.trace ?? false,
      limits: config.limits,
      sched: config.sched,
      log: config.log,
      memory: config.memory,
      checkContracts: config.checkContracts,
      checkFailedCalls: config.checkFailedCalls,
      fastIpc: fastPath,
      fastSlice: config.fastSlice ?? fastPath,
      portW2w: fastPath && (config.portW2w ?? true),
      platform: config.platform ?? {
        now: () => performance.now(),
        setTimer: (ms, fn) => {
          const t = setTimeout(fn, ms);
          return () => clearTimeout(t);
        },
        // Web Crypto (Node and browsers alike) caps one call at 65536 bytes.
        fillRandom: (out) => {
          for (let i = 0; i < out.length; i += 65536)
            globalThis.crypto.getRandomValues(out.subarray(i, Math.min(out.length, i + 65536)) as Uint8Array<ArrayBuffer>);
        },
      },
      host: {
        createRuntime: (process, image) => {
          const loaded = image.hostData as LoadedImage;
          if (loaded.personality === WASI_MODULE) {
            const wasi = (p: Process) => {
              const w = new WasiPersonality(this.core, p, this.wasiOptions.get(p));
              return {
                module: WASI_MODULE,
                imports: (split?: boolean) => w.imports(split),
                bind: (m: WebAssembly.Memory) => w.bind(m),
                dispose: () => w.dispose(),
              };
            };
            return new WasmProcessRuntime(this.core, process, loaded, fastPath, wasi, ticker, splitImports);
          }
          return new WasmProcessRuntime(this.core, process, loaded, fastPath, null, ticker, splitImports);
        },
        createMemory: createGrantMemory,
        imageMemory: (image) => (image.hostData as LoadedImage).memory,
      },
    });
    if (splitImports && config.receiveHint === true) chooseInEveryProcess(this.core);
    if (fastPath && deterministic && (config.fastYield ?? true)) useFastYield(this.core, config.fastPulse ?? true);
  }

  /**
   * Verify and compile a module into an image. Throws ModuleRefusedError with
   * the reasons. The host holds the image until release(image).
   */
  loadImage(bytes: Uint8Array, name = "image"): ImageObject {
    this.refuseIfDown("loadImage");
    const loaded = this.loader.load(bytes, name);
    const img = this.core.createImage(name, loaded.hash, loaded);
    img.retainHandle();
    return img;
  }

  /** Drop the host's reference to an image (processes running it keep it alive). */
  release(image: KernelObject): void {
    this.core.syncYields(); // an entry: the lazy yields' words come back first (kernel/fast/yields.ts)
    image.releaseHandle();
  }

  /** Start a process from an image. Throws if the kernel refuses (process limit). */
  spawn(image: ImageObject, options: HostSpawnOptions = {}): HostProcess {
    this.refuseIfDown("spawn");
    const enc = UTF8;
    const args = (options.args ?? [image.name]).map((a) => enc.encode(a));
    const env = (options.env ?? []).map((v) => enc.encode(checkEnvVar(v)));
    const p = this.core.spawn({
      image,
      args,
      env,
      parentPid: 0,
      priority: options.priority,
      stdout: options.stdout ?? this.stdout,
      handles: options.handles,
      memoryBudgetPages: options.memoryBudgetPages,
    });
    if (typeof p === "number") {
      const why = this.core.mm.lastRefusal;
      this.core.mm.lastRefusal = "";
      throw new Error(`spawn refused: ${ERRNO_NAMES[-p] ?? -p}${why ? `: ${why}` : ""}`);
    }
    if (options.wasi !== undefined) this.wasiOptions.set(p, options.wasi);
    if (options.receiveHint === true) chooseInProcess(p);
    return new HostProcess(p);
  }

  /**
   * What a WASI process spawned through the core (a boot manifest) gets:
   * its environment, preopens (startup handle names), stdin, stderr. Call it
   * right after the spawn, before the process first runs.
   */
  setWasiOptions(p: Process, options: WasiOptions): void {
    this.refuseIfDown("setWasiOptions");
    this.wasiOptions.set(p, options);
  }

  /**
   * Create kernel objects for the host to hand to processes as startup
   * handles (HostSpawnOptions.handles). The host holds each until release().
   */
  createEndpoint(): Endpoint {
    this.refuseIfDown("createEndpoint");
    const ep = newEndpoint(this.core);
    ep.retainHandle();
    return ep;
  }

  /** The process table as a capability (KINFO), for a /proc server: hand it out with Rights.READ. */
  createKernelInfo(): KInfo {
    this.refuseIfDown("createKernelInfo");
    const info = new KInfo(this.core.objects);
    info.retainHandle();
    return info;
  }

  createNamespace(): Namespace {
    this.refuseIfDown("createNamespace");
    const ns = new Namespace(this.core.objects);
    ns.retainHandle();
    return ns;
  }

  /** A new, empty path namespace: a DIR viewing its root (docs/namespace.md). The host holds it until release(). */
  createRootDir(): DirObject {
    this.refuseIfDown("createRootDir");
    const dir = newRootDir(this.core);
    dir.retainHandle();
    return dir;
  }

  /**
   * A memory object of sizeBytes bytes, charged to no process (the system's
   * pages only). Pass it as a startup handle under a grant's name with
   * MEMORY_GRANT_RIGHTS (read-write) or MEMORY_READ_ONLY_RIGHTS. Throws if
   * the size is out of range or the system's pages cannot cover it.
   */
  createMemory(sizeBytes: number): MemoryObject {
    this.refuseIfDown("createMemory");
    if (!(Number.isInteger(sizeBytes) && sizeBytes > 0 && sizeBytes <= Limits.MAX_MEMORY_OBJECT_BYTES)) {
      throw new RangeError(`memory object size ${sizeBytes} outside 1..${Limits.MAX_MEMORY_OBJECT_BYTES}`);
    }
    const obj = this.core.mm.createObject(null, sizeBytes);
    if (typeof obj === "number") throw new Error(`memory object refused: ${ERRNO_NAMES[-obj] ?? -obj}`);
    obj.retainHandle();
    return obj;
  }

  /** The bytes of a memory object, for the host to read or fill (a live view; no copy, not counted). */
  memoryBytes(obj: MemoryObject): Uint8Array {
    return obj.bytes.slice(0, obj.size)!;
  }

  /**
   * Revoke a memory object as a whole: every process it is bound to as a
   * grant is ended (GRANT_REVOKED) before it runs again, windows onto it and
   * handles to it answer EREVOKED, futex sleepers wake with EREVOKED.
   */
  revokeMemory(obj: MemoryObject): void {
    this.core.syncYields(); // an entry: the lazy yields' words come back first (kernel/fast/yields.ts)
    this.core.mm.revokeObject(obj);
  }

  /** Memory accounting of a process (budget, use, bytes copied for it) and of the system. */
  memoryStats(p: HostProcess | Process): MemoryStats {
    return memoryStats(this.core, p instanceof HostProcess ? p.process : p);
  }

  /**
   * Make a device model (hal/: TimerDevice, ConsoleDevice, AudioOutDevice,
   * FramebufferDevice, RngDevice) a kernel object bound to this kernel's
   * clock, timers and pulses, to hand to a driver with DEVICE_GRANT_RIGHTS.
   * The host holds it until release(); the model is closed (its backends
   * flushed) when the last reference goes.
   */
  createDevice<M extends DeviceModel>(model: M): Device<M> {
    this.refuseIfDown("createDevice");
    const dev = newDevice(this.core, model);
    dev.retainHandle();
    return dev;
  }

  /**
   * A framebuffer device whose pixels are a memory object (fb_memory hands
   * it to guests, to bind as a grant and draw into with plain stores):
   * width x height RGBA, shown to `listeners` (hal/framebuffer: AnsiRenderer,
   * PngSnapshot) at each fb_present. The host holds it until release().
   */
  createFramebuffer(options: { width: number; height: number; listeners?: FrameListener[]; name?: string }): Device<FramebufferDevice> {
    this.refuseIfDown("createFramebuffer");
    const memory = this.createMemory(options.width * options.height * 4);
    let model: FramebufferDevice;
    try {
      model = new FramebufferDevice({ ...options, memory: memory.backing });
    } catch (e) {
      memory.releaseHandle();
      throw e;
    }
    const dev = newDevice(this.core, model, memory);
    dev.retainHandle();
    memory.releaseHandle(); // the device holds it from now on
    return dev;
  }

  /** Resolves when nothing is runnable and no timer is pending. */
  run(): Promise<void> {
    return this.core.whenQuiescent();
  }

  /**
   * Shut the kernel down: every process still alive ends (KILLED, "kernel shutdown"), each blocked one's
   * suspended stack unwound as it ends, so every promise a host holds settles (HostProcess.exited resolves,
   * run() resolves); then every pending timer is dropped (a device's, a restart backoff, a real-time idle
   * timer that would hold the host's event loop open). From then on every call that would make or start
   * something (loadImage, spawn, create*) throws KernelShutdownError; reading the kernel (its trace, its
   * process table, exit infos, memoryStats) and dropping references (release) still work. Idempotent.
   *
   * What a host calls when it is done with a kernel. Without it, a kernel whose host merely drops it while
   * some process is blocked (a server in receive, a program waiting on input) stays reachable for the life
   * of the JavaScript engine: V8 keeps every suspended JSPI stack as a root until it resumes, and a blocked
   * process's stack reaches its instance and, through the imports' closures, the whole kernel
   * (docs/fastpath.md "Every promise given to a Suspending import settles").
   */
  shutdown(): void {
    if (this.down) return;
    this.down = true;
    for (const p of [...this.core.processes.values()])
      if (p.state !== ProcessState.EXITED) this.core.terminate(p, 0, ExitReason.KILLED, "kernel shutdown");
    // After the kills: an exit listener may have set a timer (a restart), which must not fire either.
    this.core.cancelAllTimers();
  }

  /** Whether shutdown() has been called. */
  get isShutDown(): boolean {
    return this.down;
  }

  private refuseIfDown(call: string): void {
    if (this.down) throw new KernelShutdownError(call);
  }

  /** The kernel event trace (when enabled). */
  traceText(): string {
    return this.core.trace.text();
  }
}

export { ModuleRefusedError } from "../loader/loader.ts";
export type { ExitInfo } from "../kernel/objects/process.ts";

/** A process environment variable is `KEY=VALUE` with a non-empty key and no NUL; anything else is refused, naming it. */
function checkEnvVar(v: string): string {
  const eq = v.indexOf("=");
  if (eq <= 0 || v.includes("\0")) throw new Error(`spawn refused: EINVAL: environment variable ${JSON.stringify(v)} is not KEY=VALUE`);
  return v;
}
