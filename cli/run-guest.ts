// Run one guest to completion and collect what it did: the one-call form of
// the embedding API, used by `wasmos run`, by tests and by projects made with
// `wasmos new`.

import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { compileGuest } from "../build/compile.ts";
import { IMAGE_GRANT_RIGHTS, Kernel, type KernelConfig, NAMESPACE_GRANT_RIGHTS } from "../host/kernel.ts";
import type { KernelObject } from "../kernel/object.ts";
import type { ExitInfo } from "../kernel/objects/process.ts";
import type { LoadedImage } from "../loader/loader.ts";
import { pendingHostWait, type WasiOptions } from "../host/personality/wasi/personality.ts";
import { ExitReason, Rights } from "../abi/gen/abi.ts";
import { scopeDir } from "../kernel/ns/host.ts";
import { NodeHostDir } from "../hal/node/hostdir.ts";
import { bootDefaultSystem, type DefaultSystem, type InputSource } from "./system.ts";
import { type DirSpec, mountHostDirs } from "./hostdirs.ts";
import type { HostDirBackend } from "../hal/hostdir/hostdir.ts";

export interface RunGuestOptions extends Omit<KernelConfig, "stdout"> {
  /** Arguments after the program name. */
  args?: readonly string[];
  /** Called with each console write as it happens (besides collecting it). */
  onStdout?: (bytes: Uint8Array) => void;
  /** Extra images the process gets as named handles (name -> module bytes). */
  images?: Readonly<Record<string, Uint8Array>>;
  /** Environment, `KEY=VALUE` each: a native guest reads it with env_get (and passes it to what it spawns). */
  env?: readonly string[];
  /** argv[0] (default: the program's file name). */
  argv0?: string;
  /** For a WASI program: environment, stdin, stderr, and its directories (`dirs`). Ignored by native guests. */
  wasi?: Omit<WasiOptions, "preopens"> & { dirs?: readonly WasiDir[] };
  /** CPU limit of the process, in fuel units (ends it with CPU_LIMIT once spent). */
  fuel?: number;
  /** Memory budget of the process, in 64 KiB pages (its memory cannot grow past it). */
  memoryBudgetPages?: number;
  /** Wall-clock limit in milliseconds: the process is killed (TIMEOUT message) when it runs longer. */
  timeoutMs?: number;
  /** Keep stdout in GuestRun.stdout (default true); false when onStdout streams it somewhere. */
  collectStdout?: boolean;
  /** The root's image name when `program` is bytes (default "guest.wasm"). */
  name?: string;
  /** Called with the kernel as soon as it exists (to observe it: a recorder, a syscall tracer). */
  onKernel?: (kernel: Kernel) => void;
  /**
   * Called once when the run is over, however the root ended (its exit, or blocked forever), before the
   * kernel is shut down: the last moment the kernel is as the run left it (its trace, what is still
   * blocked). Write a trace here. Not called when the run fails before the root starts (a refused module).
   */
  onEnd?: (kernel: Kernel) => void;
  /** Long steps (compiling a .ts guest) announce themselves here. */
  progress?: (line: string) => void;
  /**
   * Boot the default system around the program (cli/system.ts: devfs at /dev
   * with the console on stdin/stdout/stderr, tmpfs at /tmp) and give it "root"
   * and "io". Its end shuts the system down.
   */
  system?: {
    stdin?: InputSource;
    stderr?: (bytes: Uint8Array) => void;
    dirs?: readonly DirSpec[];
    /** The backend of host directory i (default: the host's); --record and replay wrap or replace it. */
    hostDir?: (dir: DirSpec, i: number) => HostDirBackend;
  };
}

/**
 * A directory a WASI program is given (a preopen): a host directory (served
 * into the namespace by a hostfs process, as `--dir` does for a native
 * guest) or a path of the namespace itself (`/tmp`, served by tmpfs; `/dev`,
 * by devfs). The program gets a DIR handle scoped to it, nothing more.
 */
export interface WasiDir {
  /** The name the program sees (fd_prestat_dir_name): ".", "/", "data", "/data", ... */
  guest: string;
  /** A host directory, or the backend of one (tests, record/replay). */
  host?: string | HostDirBackend;
  /** A namespace path (absolute), when not a host directory. */
  path?: string;
  /** No writes, creations, removals or renames (the DIR handle lacks WRITE and CREATE). */
  readOnly?: boolean;
}

/** DIR rights of a WASI preopen: everything but MOUNT, or only reading. */
const PREOPEN_RIGHTS = Rights.READ | Rights.WRITE | Rights.CREATE | Rights.EXEC | Rights.DUPLICATE | Rights.TRANSFER;
const PREOPEN_READ_ONLY_RIGHTS = Rights.READ | Rights.EXEC | Rights.DUPLICATE | Rights.TRANSFER;

/**
 * Where each of a WASI program's host directories is mounted: at its guest
 * name when that is an absolute path no other mount takes ("/data"), else
 * below /.wasi (".", "/", relative names), so a program's "/" preopen does
 * not hide /dev and /tmp from other processes.
 */
function wasiMountPaths(dirs: readonly WasiDir[]): string[] {
  const taken = new Set<string>(["/", "/dev", "/tmp"]);
  for (const d of dirs) if (d.host === undefined && d.path !== undefined) taken.add(d.path);
  return dirs.map((d, i) => {
    if (d.host === undefined) return d.path ?? "/";
    const norm =
      "/" +
      d.guest
        .split("/")
        .filter((c) => c !== "" && c !== ".")
        .join("/");
    const ok =
      d.guest.startsWith("/") &&
      norm !== "/" &&
      !d.guest.split("/").includes("..") &&
      ![...taken].some((t) => t !== "/" && (norm === t || norm.startsWith(t + "/") || t.startsWith(norm + "/")));
    const at = ok ? norm : `/.wasi/${i}`;
    taken.add(at);
    return at;
  });
}

/** A process blocked when the system went quiet: nothing could wake it any more. */
export interface BlockedProcess {
  pid: number;
  /** Its image's name. */
  name: string;
  /** The syscall it waited in. */
  blockedIn: string;
}

/**
 * The root process can never run again: it is blocked and nothing is runnable, no timer pending. By
 * the time it is thrown, the run's kernel has been shut down (Kernel.shutdown: every process ended, so
 * nothing is left suspended); `trace` and `blocked` say how things stood when the system went quiet,
 * before that. A caller that needs the live kernel at that moment (to write a syscall trace of its own
 * observer) uses RunGuestOptions.onEnd, which runs before the shutdown.
 */
export class RootBlockedError extends Error {
  override readonly name = "RootBlockedError";
  readonly pid: number;
  readonly blockedIn: string;
  /** The run's kernel, shut down: its trace and process table can be read; nothing runs in it any more. */
  readonly kernel: Kernel;
  /** The kernel event trace as it was when the system went quiet (when config.trace). */
  readonly trace: string;
  /** The processes blocked then: the root and those it started (not the system's servers). */
  readonly blocked: readonly BlockedProcess[];
  constructor(pid: number, blockedIn: string, kernel: Kernel, trace = "", blocked: readonly BlockedProcess[] = []) {
    super(`pid ${pid} blocked in ${blockedIn || "a syscall"} forever: nothing left that could wake it`);
    this.pid = pid;
    this.blockedIn = blockedIn;
    this.kernel = kernel;
    this.trace = trace;
    this.blocked = blocked;
  }
}

export interface GuestRun {
  exit: ExitInfo;
  stdout: string;
  /** stdout as bytes, exactly as written. */
  stdoutBytes: Uint8Array;
  /** The kernel event trace (when config.trace), as it was when the run ended, before the kernel's shutdown. */
  trace: string;
  /** The root's descendants still blocked when the system went quiet (not the system's servers): ended by the shutdown. */
  blocked: readonly BlockedProcess[];
  /** The run's kernel, shut down (Kernel.shutdown): its state can be read, nothing runs in it any more. */
  kernel: Kernel;
}

/**
 * Compile a .ts guest (with an asconfig.json beside it, if any), through the
 * on-disk compile cache (build/compile-cache.ts); throws with asc's diagnostics on failure.
 */
export async function compileGuestFile(path: string, progress?: (line: string) => void): Promise<Uint8Array> {
  const local = join(dirname(path), "asconfig.json");
  const timer = progress ? setTimeout(() => progress(`compiling ${path} (first time; cached after)`), 300) : null;
  const r = await compileGuest(path, existsSync(local) ? { config: local } : {}).finally(() => timer && clearTimeout(timer));
  if (!r.ok || !r.binary) throw new GuestCompileError(path, r.diagnostics);
  return r.binary;
}

export class GuestCompileError extends Error {
  override readonly name = "GuestCompileError";
  readonly diagnostics: string;
  constructor(path: string, diagnostics: string) {
    super(`could not compile ${path}:\n${diagnostics}`);
    this.diagnostics = diagnostics;
  }
}

/**
 * Load `program` (module bytes, or a path to a .wasm or AssemblyScript .ts
 * file), run it as the root process and wait until the system is quiescent.
 * The root process gets its own image as handle "self" (so it can spawn
 * copies of itself), a fresh name registry as "ns", and each of `images`
 * under its name.
 * Throws ModuleRefusedError / GuestCompileError before anything runs, and
 * RootBlockedError when the root can never run again. However the run
 * ends, its kernel is shut down before this returns or throws (every process
 * it started ended, nothing left suspended); options.onEnd sees it just
 * before.
 */
export async function runGuest(program: Uint8Array | string, options: RunGuestOptions = {}): Promise<GuestRun> {
  let bytes: Uint8Array | null;
  let name: string;
  if (typeof program === "string") {
    name = options.name ?? basename(program);
    bytes = program.endsWith(".ts") ? await compileGuestFile(program, options.progress) : readFileSync(program);
  } else {
    name = options.name ?? "guest.wasm";
    bytes = program;
  }
  const chunks: Uint8Array[] = [];
  const collect = options.collectStdout ?? true;
  const stdout = (b: Uint8Array): void => {
    if (collect) chunks.push(b.slice());
    options.onStdout?.(b);
  };
  const kernel = new Kernel({ ...options, stdout });
  // The module's bytes go to the run, which drops them once compiled: this frame keeps no reference.
  const module = { bytes: bytes as Uint8Array | null };
  bytes = null;
  program = "";
  // However the run ends (the root's exit, blocked forever, a failure on the way), its kernel is shut down:
  // nothing it started stays suspended, so nothing keeps it (docs/fastpath.md "Every promise ... settles").
  try {
    options.onKernel?.(kernel);
    return await runInKernel(kernel, module, name, options, stdout, chunks);
  } finally {
    kernel.shutdown();
  }
}

/** runGuest's run, in its kernel (which the caller shuts down however this ends). */
async function runInKernel(
  kernel: Kernel,
  module: { bytes: Uint8Array | null },
  name: string,
  options: RunGuestOptions,
  stdout: (b: Uint8Array) => void,
  chunks: Uint8Array[],
): Promise<GuestRun> {
  let bytes: Uint8Array | null = module.bytes!;
  module.bytes = null;
  // Verifying and instrumenting a large module takes a moment: say so first.
  if (bytes.length >= 4 << 20) options.progress?.(`verifying and instrumenting ${name} (${(bytes.length / (1 << 20)).toFixed(1)} MiB)`);
  const image = kernel.loadImage(bytes, name);
  // The module's bytes are not needed once it is compiled: drop them for the run (a big program's are 10-80 MB).
  bytes = null;
  // A WASI program's stdio is its personality's (options.wasi); its directories are the namespace's,
  // so the system is booted for it when it is given any (its servers start on demand).
  const wasiProgram = Boolean((image.hostData as LoadedImage).personality);
  const wasiDirs = wasiProgram ? (options.wasi?.dirs ?? []) : [];
  const sys: DefaultSystem | null =
    options.system && !wasiProgram
      ? await bootDefaultSystem({ kernel, stdout, stderr: options.system.stderr ?? stdout, stdin: options.system.stdin ?? null })
      : wasiDirs.length > 0
        ? await bootDefaultSystem({ kernel, stdout, stderr: options.wasi?.stderr ?? options.system?.stderr ?? stdout, stdin: null })
        : null;
  // Host directories (--dir), each served by hostfs at its guest path (cli/hostdirs.ts).
  let stopDirs = (): void => {};
  const preopenHandles: { name: string; object: KernelObject; rights: number }[] = [];
  let wasi: WasiOptions | undefined = options.wasi;
  if (sys !== null && wasiProgram) {
    const at = wasiMountPaths(wasiDirs);
    const hostDirs = wasiDirs.flatMap((d, i) =>
      d.host === undefined
        ? []
        : [{ dir: { host: typeof d.host === "string" ? d.host : "(backend)", guest: at[i], readOnly: d.readOnly === true }, i }],
    );
    stopDirs = await mountHostDirs(
      kernel,
      sys.root,
      sys.io,
      hostDirs.map((h) => h.dir),
      {
        stderr: options.wasi?.stderr,
        backend: (dir, j) => {
          const d = wasiDirs[hostDirs[j].i];
          if (typeof d.host !== "string") return d.host!;
          return options.system?.hostDir?.(dir, j) ?? new NodeHostDir(d.host);
        },
      },
    );
    const preopens = wasiDirs.map((d, i) => {
      const dir = scopeDir(kernel.core, sys.root, at[i]);
      dir.retainHandle();
      preopenHandles.push({ name: `preopen.${i}`, object: dir, rights: d.readOnly ? PREOPEN_READ_ONLY_RIGHTS : PREOPEN_RIGHTS });
      return { guest: d.guest, handle: `preopen.${i}` };
    });
    wasi = { ...options.wasi, preopens };
  } else if (sys !== null) {
    stopDirs = await mountHostDirs(kernel, sys.root, sys.io, options.system?.dirs ?? [], {
      stderr: options.system?.stderr,
      backend: options.system?.hostDir,
    });
  }
  const ns = kernel.createNamespace();
  const handles: { name: string; object: KernelObject; rights: number }[] = [
    { name: "self", object: image, rights: IMAGE_GRANT_RIGHTS },
    { name: "ns", object: ns, rights: NAMESPACE_GRANT_RIGHTS },
    ...preopenHandles,
  ];
  for (const [n, b] of Object.entries(options.images ?? {})) {
    handles.push({ name: n, object: kernel.loadImage(b, n), rights: IMAGE_GRANT_RIGHTS });
  }
  const spawn = {
    args: [options.argv0 ?? name, ...(options.args ?? [])],
    env: options.env,
    handles,
    wasi,
    memoryBudgetPages: options.memoryBudgetPages,
  };
  // A WASI program gets its preopens, not the system's "root" and "io".
  const proc = sys && !wasiProgram ? sys.spawn(image, spawn) : kernel.spawn(image, spawn);
  for (const h of handles) kernel.release(h.object as never);
  if (options.fuel !== undefined) kernel.core.sched.setCpuLimit(proc.process, options.fuel * kernel.core.sched.nsPerFuel);
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (options.timeoutMs !== undefined) {
    const ms = options.timeoutMs;
    timer = setTimeout(() => {
      kernel.core.terminate(proc.process, -1, ExitReason.KILLED, `wall-clock timeout of ${ms} ms`);
      // A kill from outside the kernel's own work: the kernel looks again only when asked (run() below waits
      // for quiescence, which the end of a root blocked in a real-time sleep would otherwise never announce).
      void kernel.run();
    }, ms);
  }
  try {
    // Quiescent: nothing runnable and no timer pending. If the root has not
    // ended by then, nothing can ever wake it (with a system: once its
    // standard input has ended too; until then input may still wake it).
    if (sys) await Promise.race([proc.exited, sys.inputEnded]);
    await kernel.run();
    // A WASI process waiting for host input (stdin) is blocked with no timer: quiescent, but not stuck.
    for (let wait = pendingHostWait(proc.process); proc.process.exit === null && wait !== null; wait = pendingHostWait(proc.process)) {
      await wait;
      await kernel.run();
    }
  } finally {
    // However this ends: a host timer left armed would hold the kernel and the event loop until it fired.
    if (timer !== undefined) clearTimeout(timer);
  }
  // The run is over: how things stand now is what the caller sees (onEnd, the trace, what is blocked);
  // then the system's servers and the kernel end.
  const exit = proc.process.exit;
  // The root and what it started (the system's servers, spawned by the host, wait in receive by design).
  const blocked = kernel.core
    .blockedProcesses()
    .filter((p) => p === proc.process || p.parentPid !== 0)
    .map((p) => ({ pid: p.pid, name: p.image.name, blockedIn: p.blockedIn }))
    .sort((a, b) => a.pid - b.pid);
  const rootBlockedIn = proc.process.blockedIn;
  options.onEnd?.(kernel);
  const trace = kernel.traceText();
  proc.close();
  stopDirs();
  sys?.shutdown(); // the system's shutdown is its kernel's (host/system.ts)
  kernel.shutdown();
  if (exit === null) throw new RootBlockedError(proc.pid, rootBlockedIn, kernel, trace, blocked);
  const stdoutBytes = new Uint8Array(Buffer.concat(chunks));
  return { exit, stdout: new TextDecoder().decode(stdoutBytes), stdoutBytes, trace, blocked, kernel };
}
