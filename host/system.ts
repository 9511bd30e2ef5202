// The default small system `wasmos run` boots around a program: a namespace
// with devfs at /dev (the console on the host's stdin, stdout and stderr) and
// tmpfs at /tmp, both ordinary guests (guests/devfs, guests/tmpfs), and the
// program spawned with "root" (the namespace: READ|WRITE|CREATE|EXEC, no
// MOUNT) and "io" (a grant it shares with tmpfs for the zero-copy transfer
// form). docs/namespace.md describes the model.
//
// Browser-safe: the caller brings the servers' binaries (cli/system.ts builds
// them or takes the package's; the web page fetches its prebuilt copies).
//
//   const sys = bootSystem({ stdin: process.stdin, stdout, stderr }, { devfs, tmpfs });
//   const p = sys.spawn(sys.kernel.loadImage(bytes, "prog"), { args: ["prog"] });
//   await p.exited; sys.shutdown();   // the system's end is its kernel's: every process in it ends

import { ExitReason, Rights } from "../abi/gen/abi.ts";
import { ConsoleDevice, type ConsoleBackend, type ConsoleInput } from "../hal/console.ts";
import {
  DEVICE_GRANT_RIGHTS,
  type HostProcess,
  type HostSpawnOptions,
  IMAGE_GRANT_RIGHTS,
  Kernel,
  type KernelConfig,
  KernelShutdownError,
  MEMORY_GRANT_RIGHTS,
} from "../host/kernel.ts";
import type { KernelObject } from "../kernel/object.ts";
import type { ImageObject } from "../kernel/objects/image.ts";
import type { MemoryObject } from "../kernel/objects/memory.ts";
import { DIR_RIGHTS, type DirObject, hostMount, newRootDir } from "../kernel/ns/host.ts";
import { DEFAULT_PRIORITY } from "../kernel/sched/run-queues.ts";

/** Rights the program gets on the namespace: everything but mounting. */
export const PROGRAM_ROOT_RIGHTS = DIR_RIGHTS & ~Rights.MOUNT;
/** Rights a server gets on the endpoint the host mounted for it. */
export const SERVER_ENDPOINT_RIGHTS = Rights.RECEIVE | Rights.SEND | Rights.DUPLICATE | Rights.TRANSFER;
/** Bytes of the program's I/O grant (one 64 KiB page: one read or write of the grant form). */
export const IO_GRANT_BYTES = 65536;
/** Servers run above programs, so they are serving before a program's first open. */
export const SERVER_PRIORITY = DEFAULT_PRIORITY + 16;

/** A readable stream, structurally (process.stdin, a PassThrough): no dependency on Node's types. */
export interface InputStream {
  on(event: string, fn: (chunk: Uint8Array | string) => void): unknown;
  off(event: string, fn: (chunk: Uint8Array | string) => void): unknown;
  pause(): unknown;
}

export type InputSource = InputStream | Uint8Array | string | null;

export interface DefaultSystemOptions extends Omit<KernelConfig, "stdout"> {
  /** Standard input: a stream (read as it arrives), fixed bytes, or null (at its end at once). */
  stdin?: InputSource;
  /** Where the program's console output and /dev/stdout go. */
  stdout: (bytes: Uint8Array) => void;
  /** Where /dev/stderr goes. */
  stderr: (bytes: Uint8Array) => void;
  /** Environment for the program (kept for personalities that pass one, e.g. WASI). */
  env?: Readonly<Record<string, string>>;
  /** An existing kernel to build the system in (default: a new one with these options). */
  kernel?: Kernel;
}

export interface DefaultSystem {
  kernel: Kernel;
  /** The namespace's root, held by the host until shutdown. */
  root: DirObject;
  /** The I/O grant shared by the program and tmpfs. */
  io: MemoryObject;
  env: Readonly<Record<string, string>>;
  /** The servers, each once started (on its mount's first use, or by start()). */
  readonly servers: { devfs: HostProcess | null; tmpfs: HostProcess | null };
  /** Start both servers now (otherwise each starts on its mount's first use). */
  start(): { devfs: HostProcess | null; tmpfs: HostProcess | null };
  /** The startup handles a program of this system gets (root, io), to add to its own. */
  programHandles(): { name: string; object: KernelObject; rights: number }[];
  /** Spawn a program in the system (with programHandles() added). */
  spawn(image: ImageObject, options?: HostSpawnOptions): HostProcess;
  /** Resolves once standard input has ended (at once for fixed input) or the system is shut down: after that, a blocked system stays blocked. */
  inputEnded: Promise<void>;
  /**
   * Shut the system down, and its kernel with it: its servers end, then every process of the kernel (the
   * programs spawned in the system, what they spawned, anything else the host ran in that kernel:
   * Kernel.shutdown), each blocked one's stack unwound, so every promise it gave settles (each process's
   * exited, inputEnded, the kernel's run()); every host reference it held is dropped, so the console
   * devices stop listening to stdin. Afterwards spawn, start and programHandles throw
   * KernelShutdownError, as the kernel's own calls do. Idempotent. A system owns its kernel's end even
   * when it was given one (DefaultSystemOptions.kernel): a program in it holds the system's namespace and
   * may be blocked on its servers, so the system cannot end without them.
   */
  shutdown(): void;
}

// setImmediate where there is one (Node: after pending I/O), else a 0 ms timeout (pages).
const g = globalThis as { setImmediate?: (fn: () => void) => unknown; clearImmediate?: (t: unknown) => void };
const later = (fn: () => void): unknown => (g.setImmediate ? g.setImmediate(fn) : setTimeout(fn, 0));
const cancel = (t: unknown): void => (g.clearImmediate ? g.clearImmediate(t) : clearTimeout(t as ReturnType<typeof setTimeout>));

/** A console backend whose output goes to a function and whose input comes from `source` (`ended` is called once it has ended). */
function consoleBackend(write: (bytes: Uint8Array) => void, source: InputSource | undefined, ended: () => void = () => {}): ConsoleBackend {
  return {
    write: (bytes) => write(bytes.slice()),
    listen:
      source === undefined
        ? undefined
        : (to: ConsoleInput) => {
            if (source === null || typeof source === "string" || source instanceof Uint8Array) {
              const bytes = typeof source === "string" ? new TextEncoder().encode(source) : source;
              const t = later(() => {
                if (bytes !== null && bytes.length > 0) to.input(bytes);
                to.end();
                ended();
              });
              return () => cancel(t);
            }
            const onData = (chunk: Uint8Array | string): void =>
              to.input(typeof chunk === "string" ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
            const onEnd = (): void => {
              to.end();
              ended();
            };
            source.on("data", onData);
            source.on("end", onEnd);
            source.on("error", onEnd); // an input that fails has ended
            return () => {
              source.off("data", onData);
              source.off("end", onEnd);
              source.off("error", onEnd);
              source.pause();
            };
          },
  };
}

/** The server guests' binaries (guests/devfs, guests/tmpfs). */
export interface ServerBinaries {
  devfs: Uint8Array;
  tmpfs: Uint8Array;
}

/**
 * Boot devfs and tmpfs in a namespace from their binaries; spawn programs with
 * sys.spawn. With `bins` null (they could not be had) the system still boots:
 * /dev and /tmp are mounted but answer ECLOSED, and the kernel log says why
 * (`why`) once.
 */
export function bootSystem(options: DefaultSystemOptions, bins: ServerBinaries | null, why = "no server binaries"): DefaultSystem {
  const kernel = options.kernel ?? new Kernel({ ...options, stdout: options.stdout });
  const held: KernelObject[] = [];
  const hold = <T extends KernelObject>(o: T): T => {
    held.push(o);
    return o;
  };
  const root = hold(newRootDir(kernel.core));
  root.retainHandle();
  const io = hold(kernel.createMemory(IO_GRANT_BYTES));
  let endedResolve: () => void = () => {};
  const ended = { promise: new Promise<void>((resolve) => (endedResolve = resolve)), resolve: () => endedResolve() };
  const input = hold(
    kernel.createDevice(
      new ConsoleDevice(
        consoleBackend(() => {}, options.stdin ?? null, ended.resolve),
        "stdin",
      ),
    ),
  );
  const output = hold(kernel.createDevice(new ConsoleDevice(consoleBackend(options.stdout, undefined), "stdout")));
  const errors = hold(kernel.createDevice(new ConsoleDevice(consoleBackend(options.stderr, undefined), "stderr")));
  // The host makes the servers' endpoints and mounts them itself: the mounts
  // exist before any process runs, and a program's first open simply waits
  // in the endpoint's queue until its server receives.
  const devEndpoint = hold(kernel.createEndpoint());
  const tmpEndpoint = hold(kernel.createEndpoint());
  // Each server is spawned when its mount is first used (an open or a path
  // operation under it), so a program that never touches a file runs alone.
  const devfsImage = bins === null ? null : hold(kernel.loadImage(bins.devfs, "devfs"));
  const tmpfsImage = bins === null ? null : hold(kernel.loadImage(bins.tmpfs, "tmpfs"));
  if (bins === null) kernel.core.log(`wasmos: /dev and /tmp have no servers: ${why}`);
  const servers: { devfs: HostProcess | null; tmpfs: HostProcess | null } = { devfs: null, tmpfs: null };
  let down = false;
  /** Spawn server `name` once, on its mount's first use (or start()); never after shutdown. */
  const startServer = (
    name: "devfs" | "tmpfs",
    image: ImageObject | null,
    endpoint: KernelObject,
    handles: { name: string; object: KernelObject; rights: number }[],
  ) => {
    if (servers[name] !== null || down || image === null) return;
    servers[name] = kernel.spawn(image, {
      args: [name],
      priority: SERVER_PRIORITY,
      // A server woken by a close pulse (at its client's priority) finds the client's next request queued.
      receiveHint: true,
      stdout: options.stderr,
      handles: [
        { name: "self", object: image, rights: IMAGE_GRANT_RIGHTS },
        { name: "endpoint", object: endpoint, rights: SERVER_ENDPOINT_RIGHTS },
        ...handles,
      ],
    });
  };
  const startDevfs = () =>
    startServer("devfs", devfsImage, devEndpoint, [
      { name: "console", object: input, rights: DEVICE_GRANT_RIGHTS },
      { name: "stdout", object: output, rights: DEVICE_GRANT_RIGHTS },
      { name: "stderr", object: errors, rights: DEVICE_GRANT_RIGHTS },
    ]);
  const startTmpfs = () => startServer("tmpfs", tmpfsImage, tmpEndpoint, [{ name: "io", object: io, rights: MEMORY_GRANT_RIGHTS }]);
  hostMount(root, "/dev", devEndpoint, 0, startDevfs);
  hostMount(root, "/tmp", tmpEndpoint, 0, startTmpfs);
  const start = () => {
    startDevfs();
    startTmpfs();
    return servers;
  };
  const refuseIfDown = (call: string) => {
    if (down) throw new KernelShutdownError(call, "the system");
  };
  const programHandles = () => {
    refuseIfDown("programHandles");
    return programHandlesNow();
  };
  const programHandlesNow = () => [
    { name: "root", object: root as KernelObject, rights: PROGRAM_ROOT_RIGHTS },
    { name: "io", object: io as KernelObject, rights: MEMORY_GRANT_RIGHTS },
  ];
  return {
    kernel,
    root,
    io,
    env: options.env ?? {},
    get servers() {
      return servers;
    },
    start: () => {
      refuseIfDown("start");
      return start();
    },
    inputEnded: ended.promise,
    programHandles,
    spawn: (image, spawnOptions = {}) => {
      refuseIfDown("spawn");
      return kernel.spawn(image, { ...spawnOptions, handles: [...(spawnOptions.handles ?? []), ...programHandlesNow()] });
    },
    shutdown: () => {
      if (down) return;
      down = true;
      for (const s of [servers.devfs, servers.tmpfs]) {
        if (s === null) continue;
        kernel.core.terminate(s.process, 0, ExitReason.KILLED, "system shutdown");
        s.close();
      }
      kernel.shutdown();
      for (const o of held.reverse()) o.releaseHandle();
      ended.resolve(); // nothing can read stdin any more
    },
  };
}
