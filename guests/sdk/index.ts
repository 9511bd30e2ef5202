// @wasmos/sdk: typed wrappers over the generated ABI bindings (./bindings/abi,
// generated from abi/wasmos.abi.json). Raw syscalls return -errno on failure;
// these wrappers keep that convention (errors are values a guest can act on)
// and add the types and string handling AssemblyScript code wants.

import "./runtime";
import {
  sys_arg_count,
  sys_arg_get,
  sys_env_count,
  sys_env_get,
  sys_clock_now,
  sys_console_write,
  sys_exit,
  sys_handle_close,
  sys_handle_get,
  sys_kill,
  sys_process_info,
  sys_random_get,
  sys_sleep,
  sys_spawn,
  sys_wait,
  sys_yield,
  DEADLINE_INFINITE,
  EXIT_INFO_SIZE,
  ExitInfoLayout,
  HANDLE_SELF,
  PROCESS_INFO_SIZE,
  ProcessInfoLayout,
  SPAWN_HANDLE_ENTRY_SIZE,
  SPAWN_MOVE_HANDLE,
  SpawnHandleEntryLayout,
} from "./bindings/abi";

export * from "./bindings/abi";
export * from "./devices";
export * from "./ipc";
export * from "./loop";
export * from "./memory";
export * from "./ring";
export * from "./sched";

/** A capability: a positive i32. Syscalls return negative errno values instead. */
export type Handle = i32;

/** True when a raw syscall result is an error (-errno). */
export function isError(result: i64): bool {
  return result < 0;
}

// ---- console -------------------------------------------------------------

/** Write a string (UTF-8) to standard output. Returns bytes written or -errno. */
export function print(s: string): i32 {
  const bytes = String.UTF8.encode(s);
  return sys_console_write(changetype<i32>(bytes), bytes.byteLength);
}

/** print(s + "\n"). */
export function println(s: string): i32 {
  return print(s + "\n");
}

/** Write raw bytes to standard output. */
export function writeBytes(bytes: Uint8Array): i32 {
  return sys_console_write(<i32>bytes.dataStart, bytes.byteLength);
}

// ---- process -------------------------------------------------------------

/** End this process with a status. */
export function exit(status: i32): void {
  sys_exit(status);
}

/** The arguments this process was started with (args()[0] is the program name by convention). */
export function args(): string[] {
  return stringList(sys_arg_count(), (i: i32, ptr: i32, len: i32): i32 => sys_arg_get(i, ptr, len));
}

/** Read `n` strings through a get call shaped as arg_get (full length back, copy at most len). */
function stringList(n: i32, get: (i: i32, ptr: i32, len: i32) => i32): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const len = get(i, 0, 0);
    const buf = new ArrayBuffer(len);
    get(i, changetype<i32>(buf), len);
    out[i] = String.UTF8.decode(buf);
  }
  return out;
}

/** The environment the process started with, `KEY=VALUE` each (its spawner's, or what the host set: `wasmos run --env`). */
export function environ(): string[] {
  return stringList(sys_env_count(), (i: i32, ptr: i32, len: i32): i32 => sys_env_get(i, ptr, len));
}

/** The value of environment variable `name`, or null when it is not set. */
export function getenv(name: string): string | null {
  const vars = environ();
  const prefix = name + "=";
  for (let i = 0; i < vars.length; i++) {
    if (vars[i].startsWith(prefix)) return vars[i].substring(prefix.length);
  }
  return null;
}

/** A handle the spawner passed under `name`, or -ENOENT. */
export function handle(name: string): Handle {
  const bytes = String.UTF8.encode(name);
  return sys_handle_get(changetype<i32>(bytes), bytes.byteLength);
}

/** Close a handle. 0 or -errno. */
export function close(h: Handle): i32 {
  return sys_handle_close(h);
}

/**
 * A handle to pass to a child, with the name the child will find it by. The
 * child gets a copy (the handle needs TRANSFER and DUPLICATE; the caller keeps
 * its own), or with `move` the handle itself (TRANSFER alone; it leaves the
 * caller's table when spawn succeeds).
 */
export class NamedHandle {
  constructor(
    public name: string,
    public handle: Handle,
    public move: bool = false,
  ) {}
}

/** Start a child from an image handle. Returns the child's process handle or -errno. */
export function spawn(image: Handle, argv: string[], handles: NamedHandle[] = []): Handle {
  let size = 0;
  const encoded = new Array<ArrayBuffer>(argv.length);
  for (let i = 0; i < argv.length; i++) {
    encoded[i] = String.UTF8.encode(argv[i]);
    size += encoded[i].byteLength + 1;
  }
  const argBuf = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < encoded.length; i++) {
    const b = Uint8Array.wrap(encoded[i]);
    argBuf.set(b, at);
    at += b.length + 1; // the NUL terminator is already 0
  }
  const names = new Array<ArrayBuffer>(handles.length);
  const table = new Uint8Array(handles.length * SPAWN_HANDLE_ENTRY_SIZE);
  for (let i = 0; i < handles.length; i++) {
    names[i] = String.UTF8.encode(handles[i].name);
    const base = <usize>table.dataStart + <usize>(i * SPAWN_HANDLE_ENTRY_SIZE);
    SpawnHandleEntryLayout.setHandle(base, handles[i].handle);
    SpawnHandleEntryLayout.setNamePtr(base, changetype<u32>(names[i]));
    SpawnHandleEntryLayout.setNameLen(base, names[i].byteLength);
    SpawnHandleEntryLayout.setFlags(base, handles[i].move ? SPAWN_MOVE_HANDLE : 0);
  }
  return sys_spawn(image, <i32>argBuf.dataStart, size, <i32>table.dataStart, handles.length);
}

/** How a process ended. errno is 0 when the other fields are valid. */
export class ExitStatus {
  constructor(public errno: i32, public status: i32, public reason: u32) {}
  get ok(): bool {
    return this.errno == 0;
  }
}

/** Wait for a process to exit (until an absolute deadline). */
export function wait(process: Handle, deadline: i64 = DEADLINE_INFINITE): ExitStatus {
  const info = new ArrayBuffer(EXIT_INFO_SIZE);
  const r = sys_wait(process, changetype<i32>(info), deadline);
  if (r < 0) return new ExitStatus(-r, 0, 0);
  const p = changetype<usize>(info);
  return new ExitStatus(0, ExitInfoLayout.status(p), ExitInfoLayout.reason(p));
}

/** End a process with a status. 0 or -errno. */
export function kill(process: Handle, status: i32 = -1): i32 {
  return sys_kill(process, status);
}

/** What process_info reports. errno is 0 when the other fields are valid. */
export class ProcessInfo {
  errno: i32 = 0;
  pid: u32 = 0;
  parentPid: u32 = 0;
  state: u32 = 0;
  priority: u32 = 0;
  exitStatus: i32 = 0;
  exitReason: u32 = 0;
  cpuTimeNs: u64 = 0;
  memoryPages: u32 = 0;
  handleCount: u32 = 0;
}

/** Describe a process (HANDLE_SELF for the caller). */
export function processInfo(process: Handle = HANDLE_SELF): ProcessInfo {
  const buf = new ArrayBuffer(PROCESS_INFO_SIZE);
  const out = new ProcessInfo();
  const r = sys_process_info(process, changetype<i32>(buf), PROCESS_INFO_SIZE);
  if (r < 0) {
    out.errno = -r;
    return out;
  }
  const p = changetype<usize>(buf);
  out.pid = ProcessInfoLayout.pid(p);
  out.parentPid = ProcessInfoLayout.parentPid(p);
  out.state = ProcessInfoLayout.state(p);
  out.priority = ProcessInfoLayout.priority(p);
  out.exitStatus = ProcessInfoLayout.exitStatus(p);
  out.exitReason = ProcessInfoLayout.exitReason(p);
  out.cpuTimeNs = ProcessInfoLayout.cpuTimeNs(p);
  out.memoryPages = ProcessInfoLayout.memoryPages(p);
  out.handleCount = ProcessInfoLayout.handleCount(p);
  return out;
}

// ---- time and CPU -----------------------------------------------------------

/** Monotonic nanoseconds since boot. */
export function now(): i64 {
  return sys_clock_now();
}

/** Block for ns nanoseconds. 0 or -errno. */
export function sleep(ns: i64): i32 {
  return sys_sleep(ns);
}

/** Give up the CPU to other ready processes. */
export function yieldCpu(): void {
  sys_yield();
}

// ---- random -------------------------------------------------------------------

/** n bytes from the kernel's generator. */
export function randomBytes(n: i32): Uint8Array {
  const out = new Uint8Array(n);
  sys_random_get(<i32>out.dataStart, n);
  return out;
}

/** A random u32. */
export function randomU32(): u32 {
  const buf = new ArrayBuffer(4);
  sys_random_get(changetype<i32>(buf), 4);
  return load<u32>(changetype<usize>(buf));
}
