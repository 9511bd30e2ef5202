// Booting a system from a manifest (host/manifest/schema.ts): create its
// kernel objects and partitions, load its images, spawn its processes in
// manifest order with exactly the handles, rights, priority, partition,
// pledges and budget each is given, and restart the ones whose policy says
// so when they die, within their bound, after a backoff in virtual time.
//
// The booted system holds one reference to every object it created for as
// long as it runs, so a restarted server gets the same endpoint its clients
// hold handles to (a client caught mid-call by the crash sees ECLOSED and
// may retry). shutdown() ends what is left and releases everything.

import { ExitReason, Rights } from "../../abi/gen/abi.ts";
import { ConsoleDevice } from "../../hal/console.ts";
import { RngDevice } from "../../hal/rng.ts";
import { TimerDevice } from "../../hal/timer.ts";
import type { KernelObject } from "../../kernel/object.ts";
import type { ImageObject } from "../../kernel/objects/image.ts";
import type { ExitInfo } from "../../kernel/objects/process.ts";
import type { Partition } from "../../kernel/objects/partition.ts";
import { HostProcess, Kernel, type KernelConfig, KernelShutdownError } from "../kernel.ts";
import type { LoadedImage } from "../../loader/loader.ts";
import type { HandleSpec, Manifest, ObjectSpec, ProcessSpec } from "./schema.ts";
import { resolve as resolvePath } from "node:path";
import { type HostDirBackend, HostDirDevice } from "../../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../../hal/node/hostdir.ts";
import { type DirObject, hostMount, scopeDir } from "../../kernel/ns/host.ts";
import { resolveIn } from "../../kernel/ns/path.ts";
import { nsOf } from "../../kernel/ns/state.ts";
import type { Endpoint } from "../../kernel/objects/endpoint.ts";

export interface BootOptions {
  /** Each process's console output (console_write), with its manifest name. */
  stdout?: (process: string, bytes: Uint8Array) => void;
  /** Kernel messages and the system's own (starts, exits, restarts, give-ups). */
  log?: (line: string) => void;
  /** Where hostdir paths are relative to (the manifest's folder; default: the working directory). */
  baseDir?: string;
  /** Host directories chosen on the command line: hostdir object name -> { path, readOnly } (replaces the manifest's). */
  dirs?: ReadonlyMap<string, { path: string; readOnly: boolean }>;
  /** The backend of each hostdir object (default: the host's, hal/node/hostdir.ts); --record wraps it, a replay replaces it. */
  hostDir?: (name: string, path: string, readOnly: boolean) => HostDirBackend;
  /** Extra kernel configuration (the manifest's seed and realtime win). */
  kernel?: Omit<KernelConfig, "seed" | "deterministic" | "stdout" | "log">;
}

/** One process of the manifest across its incarnations. */
export interface SystemProcess {
  readonly spec: ProcessSpec;
  /** The running incarnation, or null (ended, or waiting for a restart). */
  current: HostProcess | null;
  /** Every incarnation's pid, in order. */
  readonly pids: number[];
  /** Virtual times (ns) of the restarts made, for the policy's window. */
  readonly restartTimes: number[];
  /** How the last incarnation ended. */
  lastExit: ExitInfo | null;
  /** The restart bound was reached: it stays dead. */
  gaveUp: boolean;
  /** A restart is scheduled. */
  pending: boolean;
}

/** Raised when the manifest is valid but the kernel refuses it (an image, an object, a spawn). Names the culprit. */
export class BootError extends Error {
  override readonly name = "BootError";
  /** JSON pointer of the manifest entry at fault. */
  readonly pointer: string;
  constructor(pointer: string, message: string) {
    super(message);
    this.pointer = pointer;
  }
}

export class BootedSystem {
  readonly kernel: Kernel;
  readonly manifest: Manifest;
  readonly processes = new Map<string, SystemProcess>();
  /** What the system did, in order: "<ms> <event>" lines on the kernel's clock. */
  readonly events: string[] = [];
  private readonly objects = new Map<string, KernelObject>();
  private readonly partitions = new Map<string, Partition>();
  private readonly options: BootOptions;
  private down = false;

  /** Use bootSystem(). */
  constructor(manifest: Manifest, images: ReadonlyMap<string, Uint8Array>, options: BootOptions) {
    this.manifest = manifest;
    this.options = options;
    const log = options.log ?? (() => {});
    this.kernel = new Kernel({ ...options.kernel, seed: manifest.seed, deterministic: !manifest.realtime, log });
    // A manifest's unveil rules are the process's first unveil call, made before it runs (its children inherit it).
    this.kernel.core.spawnHooks.push((child) => {
      if (this.pendingUnveil === null) return;
      nsOf(this.kernel.core).views.set(child, [this.pendingUnveil]);
      this.pendingUnveil = null;
    });
    try {
      for (const [name, { pointer }] of manifest.images) {
        const bytes = images.get(name);
        if (!bytes) throw new BootError(pointer, `image "${name}" was not provided`);
        try {
          this.objects.set(name, this.kernel.loadImage(bytes, name));
        } catch (e) {
          throw new BootError(pointer, `image "${name}" refused: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      for (const [name, o] of manifest.objects) {
        try {
          this.objects.set(name, this.createObject(o, name));
        } catch (e) {
          throw new BootError(`/objects/${name}`, `object "${name}" cannot be made: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      // Mounts after every object exists: the servers' endpoints are in place before any process runs.
      for (const [name, o] of manifest.objects) {
        for (const [path, ep] of o.mounts ?? []) hostMount(this.objects.get(name) as DirObject, path, this.objects.get(ep) as Endpoint);
      }
      const sched = this.kernel.core.sched;
      for (const [name, part] of manifest.partitions) {
        const made = sched.createPartition(sched.system, part.share);
        if (typeof made === "number") throw new BootError(`/partitions/${name}`, `partition "${name}" refused (${part.share}‰)`);
        made.retainHandle();
        this.partitions.set(name, made);
      }
    } catch (e) {
      this.releaseAll();
      throw e;
    }
  }

  private createObject(o: ObjectSpec, name: string): KernelObject {
    const k = this.kernel;
    switch (o.kind) {
      case "dir":
        return k.createRootDir();
      case "hostdir": {
        const chosen = this.options.dirs?.get(name);
        const path = chosen ? chosen.path : resolvePath(this.options.baseDir ?? ".", o.path ?? ".");
        const readOnly = chosen ? chosen.readOnly : (o.readOnly ?? false);
        const backend = this.options.hostDir?.(name, path, readOnly) ?? new NodeHostDir(path);
        return k.createDevice(new HostDirDevice(backend, { readOnly, name }));
      }
      case "endpoint":
        return k.createEndpoint();
      case "namespace":
        return k.createNamespace();
      case "memory":
        return k.createMemory(o.size ?? 0);
      case "console":
        return k.createDevice(new ConsoleDevice({ write: (b) => this.options.stdout?.(name, b) }, name));
      case "rng":
        return k.createDevice(new RngDevice({ seed: this.manifest.seed, name }));
      case "timer":
        return k.createDevice(new TimerDevice(name));
      case "kinfo":
        return k.createKernelInfo();
    }
    throw new Error(`unknown object kind ${o.kind}`); // validateManifest admits none other
  }

  /** Spawn every process, in manifest order. Throws BootError (and shuts down) if the kernel refuses one. */
  start(): void {
    for (const spec of this.manifest.processes) {
      const sp: SystemProcess = { spec, current: null, pids: [], restartTimes: [], lastExit: null, gaveUp: false, pending: false };
      this.processes.set(spec.name, sp);
    }
    try {
      for (const sp of this.processes.values()) this.spawn(sp);
    } catch (e) {
      this.shutdown();
      throw e;
    }
  }

  /** An object or image the system holds, by its manifest name (the embedding and tests hand them to extra processes). */
  object(name: string): KernelObject | undefined {
    return this.objects.get(name);
  }

  /** Scoped views of dirs, made once per (dir, path) and held like the other objects. */
  private readonly scopes = new Map<string, KernelObject>();

  private handleObject(h: HandleSpec): KernelObject {
    const obj = this.objects.get(h.object)!;
    if (h.path === undefined || h.path === "/") return obj;
    const key = `${h.object}\0${h.path}`;
    let view = this.scopes.get(key);
    if (!view) {
      view = scopeDir(this.kernel.core, obj as DirObject, h.path);
      view.retainHandle();
      this.scopes.set(key, view);
    }
    return view;
  }

  private nowMs(): number {
    return this.kernel.core.clock.now() / 1e6;
  }

  private note(line: string): void {
    const l = `${this.nowMs().toFixed(3)}ms ${line}`;
    this.events.push(l);
    this.options.log?.(`wasmos boot: ${l}`);
  }

  /** The unveil call the process being spawned starts with (the spawn hook takes it). */
  private pendingUnveil: { path: string; perms: number }[] | null = null;

  private spawn(sp: SystemProcess): void {
    const { spec } = sp;
    const core = this.kernel.core;
    if (spec.unveil !== undefined) {
      // Normalized and longest first, as the unveil syscall stores a call.
      this.pendingUnveil = spec.unveil
        .map((r) => ({ path: resolveIn("/", r.path), perms: r.perms }))
        .sort((a, b) => b.path.length - a.path.length);
    }
    const enc = new TextEncoder();
    const image = this.objects.get(spec.image) as Parameters<typeof core.spawn>[0]["image"];
    if (spec.preopens.length > 0 && !(image.hostData as LoadedImage).personality) {
      this.pendingUnveil = null;
      throw new BootError(`${spec.pointer}/preopens`, `"${spec.name}" is not a WASI program: preopens are for WASI programs`);
    }
    const p = core.spawn({
      image,
      args: [spec.name, ...spec.args].map((a) => enc.encode(a)),
      env: Object.entries(spec.env).map(([k, v]) => enc.encode(`${k}=${v}`)),
      parentPid: 0,
      priority: spec.priority,
      stdout: (b) => this.options.stdout?.(spec.name, b),
      promises: spec.promises,
      handles: spec.handles.map((h) => ({ name: h.name, object: this.handleObject(h), rights: h.rights })),
      memoryBudgetPages: spec.memoryPages,
      partition: spec.partition ? this.partitions.get(spec.partition) : undefined,
    });
    this.pendingUnveil = null;
    if (typeof p === "number") {
      const why = core.mm.lastRefusal;
      core.mm.lastRefusal = "";
      throw new BootError(spec.pointer, `cannot start "${spec.name}": errno ${-p}${why ? `: ${why}` : ""}`);
    }
    if ((image.hostData as LoadedImage).personality) {
      // A WASI program: its environment, its preopens (DIR handles it was just given), stderr beside its stdout.
      this.kernel.setWasiOptions(p, {
        env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        preopens: spec.preopens,
        stderr: (b) => this.options.stdout?.(spec.name, b),
      });
    }
    const hp = new HostProcess(p);
    sp.current = hp;
    sp.pids.push(p.pid);
    this.note(`start ${spec.name} pid ${p.pid}`);
    // Synchronously from the kernel's terminate path (a restart is only ever scheduled from here, as a timer).
    if (p.exit)
      this.exited(sp, hp, p.exit); // it ended within its first slice
    else p.exitListeners.push((info) => this.exited(sp, hp, info));
  }

  private exited(sp: SystemProcess, hp: HostProcess, info: ExitInfo): void {
    if (sp.current === hp) sp.current = null;
    hp.close();
    sp.lastExit = info;
    const { spec } = sp;
    const how =
      info.reason === ExitReason.NORMAL ? `status ${info.status}` : `${reasonName(info.reason)}${info.message ? `: ${info.message}` : ""}`;
    this.note(`exit ${spec.name} pid ${hp.pid} (${how})`);
    if (this.down) return;
    const failed = info.reason !== ExitReason.NORMAL || info.status !== 0;
    const r = spec.restart;
    if (r.when === "never" || (r.when === "on-failure" && !failed)) return;
    const now = this.kernel.core.clock.now();
    const recent = sp.restartTimes.filter((t) => now - t < r.windowMs * 1e6);
    if (recent.length >= r.max) {
      sp.gaveUp = true;
      this.note(`give up on ${spec.name}: ${recent.length} restarts within ${r.windowMs} ms (max ${r.max})`);
      return;
    }
    const delayMs = Math.min(r.backoffMs * 2 ** recent.length, r.backoffMaxMs);
    sp.pending = true;
    this.note(`restart ${spec.name} in ${delayMs} ms (restart ${recent.length + 1} of at most ${r.max} per ${r.windowMs} ms)`);
    // A timer, even at 0 ms: never spawn from inside the kernel's terminate path.
    this.kernel.core.addTimer(now + delayMs * 1e6, () => {
      sp.pending = false;
      if (this.down) return;
      sp.restartTimes.push(this.kernel.core.clock.now());
      try {
        this.spawn(sp);
      } catch (e) {
        sp.gaveUp = true;
        this.note(`give up on ${spec.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }

  private kinfo: KernelObject | null = null;

  /** The system's KINFO (the process table), made on first use and held until shutdown. */
  kernelInfo(): KernelObject {
    if (this.kinfo === null) this.kinfo = this.kernel.createKernelInfo();
    return this.kinfo;
  }

  /**
   * Run a monitor (a guest that reads the process table, guests/ps) at
   * virtual time atNs (now, if that has passed), with `handles` (default: a
   * KINFO handle "kinfo" with READ). Resolves with what it printed and how it ended. The monitor is a
   * process like the others: it shows in the table it prints.
   */
  monitor(
    image: ImageObject,
    args: readonly string[],
    atNs = 0,
    handles?: readonly { name: string; object: KernelObject; rights: number }[],
  ): Promise<{ output: string; exit: ExitInfo }> {
    if (this.down) return Promise.reject(new KernelShutdownError("monitor"));
    const given = handles ?? [{ name: "kinfo", object: this.kernelInfo(), rights: Rights.READ }];
    return new Promise((resolve, reject) => {
      const refused = () => reject(new KernelShutdownError("monitor"));
      const start = () => {
        this.pendingMonitors.delete(refused);
        const chunks: Uint8Array[] = [];
        try {
          const hp = this.kernel.spawn(image, { args: [image.name, ...args], handles: given, stdout: (b) => chunks.push(b.slice()) });
          hp.exited.then((exit) => {
            hp.close();
            const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
            let at = 0;
            for (const c of chunks) {
              all.set(c, at);
              at += c.length;
            }
            resolve({ output: new TextDecoder().decode(all), exit });
          });
        } catch (e) {
          reject(e);
        }
      };
      if (atNs <= this.kernel.core.clock.now()) start();
      else {
        // Its timer goes with a shutdown before atNs: the promise is then refused, not left pending.
        this.pendingMonitors.add(refused);
        this.kernel.core.addTimer(atNs, start);
      }
    });
  }

  /** Monitors waiting for their time: refused by shutdown. */
  private readonly pendingMonitors = new Set<() => void>();

  /** Resolves when nothing is runnable and no timer (restart backoffs included) is pending. */
  settle(): Promise<void> {
    return this.kernel.run();
  }

  /**
   * Shut the system down: stop restarting, end the manifest's processes (KILLED, "system shutdown"),
   * release the objects and partitions, then shut its kernel down (Kernel.shutdown: whatever else runs
   * in it ends too, the processes those spawned and monitors included, and no timer fires any more), so
   * nothing it started is left suspended and every promise it gave (monitor(), settle(), each
   * process's exited) settles. Calls that would start something afterwards (monitor, kernelInfo) are
   * refused (KernelShutdownError). Idempotent.
   */
  shutdown(): void {
    if (this.down) return;
    this.down = true;
    for (const sp of this.processes.values()) {
      const p = sp.current?.process;
      if (p && !p.exited) this.kernel.core.terminate(p, 0, ExitReason.KILLED, "system shutdown");
    }
    this.releaseAll();
    this.kernel.shutdown();
    for (const refuse of [...this.pendingMonitors]) refuse();
    this.pendingMonitors.clear();
  }

  private releaseAll(): void {
    for (const v of this.scopes.values()) v.releaseHandle();
    this.scopes.clear();
    this.kinfo?.releaseHandle();
    this.kinfo = null;
    for (const o of this.objects.values()) o.releaseHandle();
    this.objects.clear();
    for (const p of this.partitions.values()) p.releaseHandle();
    this.partitions.clear();
  }
}

/** Boot a validated manifest with its images (name -> module bytes): objects, partitions, then processes. */
export function bootSystem(manifest: Manifest, images: ReadonlyMap<string, Uint8Array>, options: BootOptions = {}): BootedSystem {
  const sys = new BootedSystem(manifest, images, options);
  sys.start();
  return sys;
}

function reasonName(reason: number): string {
  return Object.entries(ExitReason).find(([, v]) => v === reason)?.[0] ?? `reason ${reason}`;
}
