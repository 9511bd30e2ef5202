// Generated from abi/wasmos.abi.json by build/gen-abi.ts. Do not edit: change the definition and run `node build/gen-abi.ts`.
//
// wasmos ABI 0.2: the raw syscall imports and constants for AssemblyScript
// guests. Results >= 0 are success; a negative result is -errno. Reference: docs/abi.md.

// ---- Syscalls ----

/**
 * Syscall 1. End the calling process with an exit status. Never returns. Handles it holds are
 * closed; a parent waiting on it wakes.
 *
 * Non-blocking. Pledge: core.
 *
 * @param status Exit status reported to wait (reason NORMAL).
 *
 * Does not return.
 */
@external("wasmos", "exit")
export declare function sys_exit(status: i32): void;

/**
 * Syscall 2. Give up the CPU. The caller goes to the back of its priority's run queue.
 *
 * Blocking. Pledge: core.
 *
 * @returns 0.
 */
@external("wasmos", "yield")
export declare function sys_yield(): i32;

/**
 * Syscall 3. Block for a duration on the kernel's monotonic clock. Implemented as a one-shot
 * deadline event; there is no periodic tick.
 *
 * Blocking. Pledge: core. Errors: EINVAL.
 *
 * @param duration_ns (ns) How long to sleep; 0 behaves like yield.
 * @returns 0 once the duration has passed. Negative: -errno.
 */
@external("wasmos", "sleep")
export declare function sys_sleep(duration_ns: i64): i32;

/**
 * Syscall 4. Read the monotonic clock: nanoseconds since the kernel booted. Virtual (advanced only
 * by the kernel) in deterministic mode.
 *
 * Non-blocking. Pledge: core.
 *
 * @returns Nanoseconds since boot; never negative, never decreasing.
 */
@external("wasmos", "clock_now")
export declare function sys_clock_now(): i64;

/**
 * Syscall 5. Fill a buffer with random bytes from the kernel's generator (seeded and reproducible
 * in deterministic mode).
 *
 * Non-blocking. Pledge: stdio. Errors: EINVAL, EFAULT.
 *
 * @param buf_ptr Where to write.
 * @param buf_len (bytes) How many bytes; at most MAX_IO_BYTES.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "random_get")
export declare function sys_random_get(buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 6. Write bytes to the process's standard output (the console, or wherever its spawner
 * routed it).
 *
 * Non-blocking. Pledge: stdio. Errors: EINVAL, EFAULT.
 *
 * @param buf_ptr Bytes to write (UTF-8 by convention; not checked).
 * @param buf_len (bytes) How many; at most MAX_IO_BYTES.
 * @returns Bytes written (all of them). Negative: -errno.
 */
@external("wasmos", "console_write")
export declare function sys_console_write(buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 7. Number of arguments the process was started with (argument 0 is the program name by
 * convention).
 *
 * Non-blocking. Pledge: core.
 *
 * @returns The count.
 */
@external("wasmos", "arg_count")
export declare function sys_arg_count(): i32;

/**
 * Syscall 8. Copy one argument (UTF-8, no terminator) into a buffer. Copies at most buf_len bytes
 * and returns the full length, so a short buffer can be retried.
 *
 * Non-blocking. Pledge: core. Errors: EINVAL, EFAULT.
 *
 * @param index 0 <= index < arg_count().
 * @param buf_ptr Where to copy.
 * @param buf_len (bytes) Room in the buffer; 0 asks only for the length.
 * @returns The argument's full length in bytes. Negative: -errno.
 */
@external("wasmos", "arg_get")
export declare function sys_arg_get(index: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 9. Look up a handle the spawner passed at start by its name. Returns the same handle
 * each time while it is open.
 *
 * Non-blocking. Pledge: core. Errors: EINVAL, EFAULT, ENOENT.
 *
 * @param name_ptr UTF-8 name.
 * @param name_len (bytes) 1..MAX_NAME_BYTES.
 * @returns The handle. Negative: -errno.
 */
@external("wasmos", "handle_get")
export declare function sys_handle_get(name_ptr: i32, name_len: i32): i32;

/**
 * Syscall 10. Drop one handle. The object it named is destroyed when no handle names it any more
 * (a process keeps running; only the handle goes).
 *
 * Non-blocking. Pledge: core. Errors: EBADH, ESTALE.
 *
 * @param handle The handle to close.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "handle_close")
export declare function sys_handle_close(handle: i32): i32;

/**
 * Syscall 11. Start a child process from an image. The child is READY when spawn returns and runs
 * when the scheduler picks it. It receives the arguments and the named handles given (each is
 * duplicated into the child with the same rights; the caller keeps its own).
 *
 * Non-blocking. Pledge: proc. Rights: SPAWN. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * EINVAL, E2BIG, EMFILE, ENOMEM, EBADIMAGE.
 *
 * @param image Handle to an IMAGE with the SPAWN right.
 * @param args_ptr Arguments, each UTF-8 and terminated by a NUL byte.
 * @param args_len (bytes) Total bytes; 0 for no arguments; at most MAX_ARGS_BYTES.
 * @param handles_ptr Array of SPAWN_HANDLE_ENTRY_SIZE-byte entries {handle u32, name_ptr u32,
 * name_len u32}.
 * @param handles_count Entries in the array; at most MAX_SPAWN_HANDLES.
 * @returns A PROCESS handle for the child, with DUPLICATE|TRANSFER|WAIT|KILL|INSPECT. Negative:
 * -errno.
 */
@external("wasmos", "spawn")
export declare function sys_spawn(image: i32, args_ptr: i32, args_len: i32, handles_ptr: i32, handles_count: i32): i32;

/**
 * Syscall 12. Block until a process has exited or the deadline passes, then write its exit
 * information {status i32, reason u32}. Waiting on an already-exited process returns at once;
 * waiting again returns the same information.
 *
 * Blocking. Pledge: proc. Rights: WAIT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * ETIMEDOUT.
 *
 * @param process A PROCESS handle with WAIT.
 * @param info_ptr Where to write EXIT_INFO_SIZE bytes.
 * @param deadline_ns (ns) Absolute monotonic deadline; DEADLINE_INFINITE waits forever.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "wait")
export declare function sys_wait(process: i32, info_ptr: i32, deadline_ns: i64): i32;

/**
 * Syscall 13. End a process at once with reason KILLED and the given status, wherever it is
 * (running, ready or blocked). Its handles are closed and waiters wake.
 *
 * Non-blocking. Pledge: proc. Rights: KILL. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, ESRCH.
 *
 * @param process A PROCESS handle with KILL.
 * @param status Exit status recorded for wait.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "kill")
export declare function sys_kill(process: i32, status: i32): i32;

/**
 * Syscall 14. Write PROCESS_INFO_SIZE bytes describing a process: pid u32, parent pid u32, state
 * u32, priority u32, exit status i32, exit reason u32, cpu time ns u64, memory pages u32, handle
 * count u32.
 *
 * Non-blocking. Pledge: proc. Rights: INSPECT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT.
 *
 * @param process A PROCESS handle with INSPECT, or HANDLE_SELF.
 * @param buf_ptr Where to write.
 * @param buf_len (bytes) At least PROCESS_INFO_SIZE.
 * @returns Bytes written (PROCESS_INFO_SIZE). Negative: -errno.
 */
@external("wasmos", "process_info")
export declare function sys_process_info(process: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 15. End the calling process with reason PANIC and a message the parent and the system
 * log see (status -1). Never returns. The SDK routes AssemblyScript's abort here.
 *
 * Non-blocking. Pledge: core.
 *
 * @param msg_ptr UTF-8 message.
 * @param msg_len (bytes) Its length; a message outside memory or longer than MAX_IO_BYTES is
 * replaced by a note saying so.
 *
 * Does not return.
 */
@external("wasmos", "panic")
export declare function sys_panic(msg_ptr: i32, msg_len: i32): void;

/**
 * The single numbered entry: sys(nr, a0, a1, a2, a3, a4, a5) performs syscall nr with its
 * parameters taken, in order, from a0..a5 (i32 parameters are the low 32 bits) and returns its
 * result widened to i64. Unused arguments are ignored. Blocking syscalls block through it too.
 * Unknown nr returns -ENOSYS.
 */
@external("wasmos", "sys")
export declare function sys(nr: i32, a0: i64, a1: i64, a2: i64, a3: i64, a4: i64, a5: i64): i64;

// ---- ABI version ----

/** Major version of the ABI these bindings were generated from. */
export const ABI_VERSION_MAJOR: i32 = 0;
/** Minor version of the ABI these bindings were generated from. */
export const ABI_VERSION_MINOR: i32 = 2;

// ---- Syscall numbers (for sys) ----

/** Number of exit. */
export const SYS_EXIT: i32 = 1;
/** Number of yield. */
export const SYS_YIELD: i32 = 2;
/** Number of sleep. */
export const SYS_SLEEP: i32 = 3;
/** Number of clock_now. */
export const SYS_CLOCK_NOW: i32 = 4;
/** Number of random_get. */
export const SYS_RANDOM_GET: i32 = 5;
/** Number of console_write. */
export const SYS_CONSOLE_WRITE: i32 = 6;
/** Number of arg_count. */
export const SYS_ARG_COUNT: i32 = 7;
/** Number of arg_get. */
export const SYS_ARG_GET: i32 = 8;
/** Number of handle_get. */
export const SYS_HANDLE_GET: i32 = 9;
/** Number of handle_close. */
export const SYS_HANDLE_CLOSE: i32 = 10;
/** Number of spawn. */
export const SYS_SPAWN: i32 = 11;
/** Number of wait. */
export const SYS_WAIT: i32 = 12;
/** Number of kill. */
export const SYS_KILL: i32 = 13;
/** Number of process_info. */
export const SYS_PROCESS_INFO: i32 = 14;
/** Number of panic. */
export const SYS_PANIC: i32 = 15;

// ---- Errno: a failing syscall returns the negated value ----

/** A pointer and length fall outside the caller's memory. */
export const EFAULT: i32 = 1;
/** An argument is out of its documented range or malformed. */
export const EINVAL: i32 = 2;
/** The handle was never issued to this process (forged, or out of table range). */
export const EBADH: i32 = 3;
/** The handle was issued once but has since been closed or revoked. */
export const ESTALE: i32 = 4;
/** The handle names an object of another type than the call needs. */
export const EWRONGTYPE: i32 = 5;
/** The handle lacks a right the call needs. */
export const EACCES: i32 = 6;
/** A kernel resource limit (processes, memory) would be exceeded. */
export const ENOMEM: i32 = 7;
/** No entry of that name. */
export const ENOENT: i32 = 8;
/** The deadline passed before the call could complete. */
export const ETIMEDOUT: i32 = 9;
/** The target process has already exited. */
export const ESRCH: i32 = 10;
/** An argument list or handle list is longer than its limit. */
export const E2BIG: i32 = 11;
/** The caller's handle table is full. */
export const EMFILE: i32 = 12;
/** No syscall has that number (sys entry only). */
export const ENOSYS: i32 = 13;
/** The image cannot be started as a process with the handles given. */
export const EBADIMAGE: i32 = 14;

// ---- Rights (bit masks) ----

/** No rights. */
export const RIGHT_NONE: i32 = 0;
/** The handle may be duplicated. */
export const RIGHT_DUPLICATE: i32 = 1;
/** The handle may be passed to another process. */
export const RIGHT_TRANSFER: i32 = 2;
/** Read the object's state or contents. */
export const RIGHT_READ: i32 = 4;
/** Change the object's contents. */
export const RIGHT_WRITE: i32 = 8;
/** Start processes from an image. */
export const RIGHT_SPAWN: i32 = 16;
/** Wait for a process to exit and read its exit status. */
export const RIGHT_WAIT: i32 = 32;
/** End a process. */
export const RIGHT_KILL: i32 = 64;
/** Read a process's information. */
export const RIGHT_INSPECT: i32 = 128;
/** Every right. */
export const RIGHT_ALL: i32 = 255;

// ---- Object types ----

/** A running or exited process. A spawner receives one with DUPLICATE|TRANSFER|WAIT|KILL|INSPECT. */
export const OBJECT_PROCESS: i32 = 1;
/** A verified, compiled guest module that processes can be spawned from. */
export const OBJECT_IMAGE: i32 = 2;

// ---- Process states ----

/** Runnable, waiting for the CPU. */
export const STATE_READY: i32 = 0;
/** On the CPU. */
export const STATE_RUNNING: i32 = 1;
/** Suspended in a blocking syscall. */
export const STATE_BLOCKED: i32 = 2;
/** Ended; its exit status is kept for wait. */
export const STATE_EXITED: i32 = 3;

// ---- Exit reasons ----

/** _start returned (status 0) or the process called exit(status). */
export const EXIT_NORMAL: i32 = 0;
/** Another process or the host killed it; status is the one kill gave. */
export const EXIT_KILLED: i32 = 1;
/** Executed `unreachable`. */
export const EXIT_TRAP_UNREACHABLE: i32 = 2;
/** Out-of-bounds memory or table access. */
export const EXIT_TRAP_MEMORY: i32 = 3;
/** Call stack exhausted. */
export const EXIT_TRAP_STACK_OVERFLOW: i32 = 4;
/** Integer division or remainder by zero. */
export const EXIT_TRAP_DIVIDE_BY_ZERO: i32 = 5;
/** Integer overflow in division or float-to-int conversion. */
export const EXIT_TRAP_INTEGER_OVERFLOW: i32 = 6;
/** call_indirect to a null entry or with a mismatched signature. */
export const EXIT_TRAP_INDIRECT_CALL: i32 = 7;
/** Any other wasm trap; the reason text says which. */
export const EXIT_TRAP_OTHER: i32 = 8;
/** The guest called panic (AssemblyScript abort is routed here). */
export const EXIT_PANIC: i32 = 9;
/** The module could not be instantiated (for example a data segment out of bounds). */
export const EXIT_START_FAILED: i32 = 10;
/**
 * A kernel invariant failed while serving this process; the process is ended, the kernel carries
 * on.
 */
export const EXIT_KERNEL_FAULT: i32 = 11;

// ---- Limits ----

/** Total bytes of a process's arguments, NUL terminators included. */
export const MAX_ARGS_BYTES: i32 = 65536;
/** Number of arguments a process may receive. */
export const MAX_ARGS: i32 = 1024;
/** Largest single console_write or random_get. */
export const MAX_IO_BYTES: i32 = 65536;
/** Longest startup handle name, in UTF-8 bytes. */
export const MAX_NAME_BYTES: i32 = 64;
/** Handles passed to one spawned child. */
export const MAX_SPAWN_HANDLES: i32 = 64;
/** Default size of a process's handle table. */
export const MAX_HANDLES: i32 = 4096;
/** Default number of processes alive at once in one kernel. */
export const MAX_PROCESSES: i32 = 16384;
/** Default ceiling on a guest's own memory, in 64 KiB pages (64 MiB), declared minimum and maximum. */
export const MAX_MEMORY_PAGES: i32 = 1024;
/** Default ceiling on a guest's table size, declared minimum and maximum. */
export const MAX_TABLE_ELEMENTS: i32 = 65536;
/** Largest module the loader accepts (64 MiB). */
export const MAX_MODULE_BYTES: i32 = 67108864;

// ---- Constants ----

/** Never a valid handle. */
export const HANDLE_INVALID: i32 = 0;
/** Names the calling process in process_info. */
export const HANDLE_SELF: i32 = -1;
/** A deadline that never expires. */
export const DEADLINE_INFINITE: i64 = 9223372036854775807;
/** Bytes written by process_info. */
export const PROCESS_INFO_SIZE: i32 = 40;
/** Bytes written by wait: status (i32) then reason (u32). */
export const EXIT_INFO_SIZE: i32 = 8;
/** Bytes per entry of spawn's handle list: handle (u32), name_ptr (u32), name_len (u32). */
export const SPAWN_HANDLE_ENTRY_SIZE: i32 = 12;

// ---- Names ----

/** The name of an errno value (positive or negated), or "?" followed by the number. */
export function errnoName(value: i32): string {
  switch ((value < 0 ? -value : value)) {
    case 1: return "EFAULT";
    case 2: return "EINVAL";
    case 3: return "EBADH";
    case 4: return "ESTALE";
    case 5: return "EWRONGTYPE";
    case 6: return "EACCES";
    case 7: return "ENOMEM";
    case 8: return "ENOENT";
    case 9: return "ETIMEDOUT";
    case 10: return "ESRCH";
    case 11: return "E2BIG";
    case 12: return "EMFILE";
    case 13: return "ENOSYS";
    case 14: return "EBADIMAGE";
    default: return "?" + value.toString();
  }
}

/** The name of an exit reason, or "?" followed by the number. */
export function exitReasonName(value: i32): string {
  switch (value) {
    case 0: return "NORMAL";
    case 1: return "KILLED";
    case 2: return "TRAP_UNREACHABLE";
    case 3: return "TRAP_MEMORY";
    case 4: return "TRAP_STACK_OVERFLOW";
    case 5: return "TRAP_DIVIDE_BY_ZERO";
    case 6: return "TRAP_INTEGER_OVERFLOW";
    case 7: return "TRAP_INDIRECT_CALL";
    case 8: return "TRAP_OTHER";
    case 9: return "PANIC";
    case 10: return "START_FAILED";
    case 11: return "KERNEL_FAULT";
    default: return "?" + value.toString();
  }
}
