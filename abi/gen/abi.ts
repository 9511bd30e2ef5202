// Generated from abi/wasmos.abi.json by build/gen-abi.ts. Do not edit: change the definition and run `node build/gen-abi.ts`.
//
// The wasmos syscall ABI 0.2 as TypeScript values and types, for the host and
// the kernel. Reference: docs/abi.md.

/** The ABI version this file was generated from. */
export const ABI_VERSION = { major: 0, minor: 2 } as const;

/** The module every syscall is imported from. */
export const IMPORT_MODULE = "wasmos";

/** Error numbers. A failing syscall returns the negated value. */
export const Errno = {
  /** A pointer and length fall outside the caller's memory. */
  EFAULT: 1,
  /** An argument is out of its documented range or malformed. */
  EINVAL: 2,
  /** The handle was never issued to this process (forged, or out of table range). */
  EBADH: 3,
  /** The handle was issued once but has since been closed or revoked. */
  ESTALE: 4,
  /** The handle names an object of another type than the call needs. */
  EWRONGTYPE: 5,
  /** The handle lacks a right the call needs. */
  EACCES: 6,
  /** A kernel resource limit (processes, memory) would be exceeded. */
  ENOMEM: 7,
  /** No entry of that name. */
  ENOENT: 8,
  /** The deadline passed before the call could complete. */
  ETIMEDOUT: 9,
  /** The target process has already exited. */
  ESRCH: 10,
  /** An argument list or handle list is longer than its limit. */
  E2BIG: 11,
  /** The caller's handle table is full. */
  EMFILE: 12,
  /** No syscall has that number (sys entry only). */
  ENOSYS: 13,
  /** The image cannot be started as a process with the handles given. */
  EBADIMAGE: 14,
} as const;

/** Errno value -> name. */
export const ERRNO_NAMES: Record<number, string> = {
  1: "EFAULT",
  2: "EINVAL",
  3: "EBADH",
  4: "ESTALE",
  5: "EWRONGTYPE",
  6: "EACCES",
  7: "ENOMEM",
  8: "ENOENT",
  9: "ETIMEDOUT",
  10: "ESRCH",
  11: "E2BIG",
  12: "EMFILE",
  13: "ENOSYS",
  14: "EBADIMAGE",
};

export type ErrnoName = keyof typeof Errno;

/** Handle rights as bit masks. A handle's rights only shrink when it is passed on. */
export const Rights = {
  /** No rights. */
  NONE: 0,
  /** The handle may be duplicated. (bit 0) */
  DUPLICATE: 0x1,
  /** The handle may be passed to another process. (bit 1) */
  TRANSFER: 0x2,
  /** Read the object's state or contents. (bit 2) */
  READ: 0x4,
  /** Change the object's contents. (bit 3) */
  WRITE: 0x8,
  /** Start processes from an image. (bit 4) */
  SPAWN: 0x10,
  /** Wait for a process to exit and read its exit status. (bit 5) */
  WAIT: 0x20,
  /** End a process. (bit 6) */
  KILL: 0x40,
  /** Read a process's information. (bit 7) */
  INSPECT: 0x80,
  /** Every right. */
  ALL: 0xff,
} as const;

/** Right mask (one bit) -> name. */
export const RIGHT_NAMES: Record<number, string> = {
  1: "DUPLICATE",
  2: "TRANSFER",
  4: "READ",
  8: "WRITE",
  16: "SPAWN",
  32: "WAIT",
  64: "KILL",
  128: "INSPECT",
};

/** Kernel object types. */
export const ObjectType = {
  /** A running or exited process. A spawner receives one with DUPLICATE|TRANSFER|WAIT|KILL|INSPECT. */
  PROCESS: 1,
  /** A verified, compiled guest module that processes can be spawned from. */
  IMAGE: 2,
} as const;

/** ObjectType value -> name. */
export const OBJECT_TYPE_NAMES: Record<number, string> = {
  1: "PROCESS",
  2: "IMAGE",
};

/** Process states, as process_info reports them. */
export const ProcessState = {
  /** Runnable, waiting for the CPU. */
  READY: 0,
  /** On the CPU. */
  RUNNING: 1,
  /** Suspended in a blocking syscall. */
  BLOCKED: 2,
  /** Ended; its exit status is kept for wait. */
  EXITED: 3,
} as const;

/** ProcessState value -> name. */
export const PROCESS_STATE_NAMES: Record<number, string> = {
  0: "READY",
  1: "RUNNING",
  2: "BLOCKED",
  3: "EXITED",
};

/** Why a process ended, as wait reports it. */
export const ExitReason = {
  /** _start returned (status 0) or the process called exit(status). */
  NORMAL: 0,
  /** Another process or the host killed it; status is the one kill gave. */
  KILLED: 1,
  /** Executed `unreachable`. */
  TRAP_UNREACHABLE: 2,
  /** Out-of-bounds memory or table access. */
  TRAP_MEMORY: 3,
  /** Call stack exhausted. */
  TRAP_STACK_OVERFLOW: 4,
  /** Integer division or remainder by zero. */
  TRAP_DIVIDE_BY_ZERO: 5,
  /** Integer overflow in division or float-to-int conversion. */
  TRAP_INTEGER_OVERFLOW: 6,
  /** call_indirect to a null entry or with a mismatched signature. */
  TRAP_INDIRECT_CALL: 7,
  /** Any other wasm trap; the reason text says which. */
  TRAP_OTHER: 8,
  /** The guest called panic (AssemblyScript abort is routed here). */
  PANIC: 9,
  /** The module could not be instantiated (for example a data segment out of bounds). */
  START_FAILED: 10,
  /**
   * A kernel invariant failed while serving this process; the process is ended, the kernel carries
   * on.
   */
  KERNEL_FAULT: 11,
} as const;

/** ExitReason value -> name. */
export const EXIT_REASON_NAMES: Record<number, string> = {
  0: "NORMAL",
  1: "KILLED",
  2: "TRAP_UNREACHABLE",
  3: "TRAP_MEMORY",
  4: "TRAP_STACK_OVERFLOW",
  5: "TRAP_DIVIDE_BY_ZERO",
  6: "TRAP_INTEGER_OVERFLOW",
  7: "TRAP_INDIRECT_CALL",
  8: "TRAP_OTHER",
  9: "PANIC",
  10: "START_FAILED",
  11: "KERNEL_FAULT",
};

/** ExitReason value -> description. */
export const EXIT_REASON_DOCS: Record<number, string> = {
  0: "_start returned (status 0) or the process called exit(status).",
  1: "Another process or the host killed it; status is the one kill gave.",
  2: "Executed `unreachable`.",
  3: "Out-of-bounds memory or table access.",
  4: "Call stack exhausted.",
  5: "Integer division or remainder by zero.",
  6: "Integer overflow in division or float-to-int conversion.",
  7: "call_indirect to a null entry or with a mismatched signature.",
  8: "Any other wasm trap; the reason text says which.",
  9: "The guest called panic (AssemblyScript abort is routed here).",
  10: "The module could not be instantiated (for example a data segment out of bounds).",
  11: "A kernel invariant failed while serving this process; the process is ended, the kernel carries on.",
};

/** Resource limits (defaults where the doc says so). */
export const Limits = {
  /** Total bytes of a process's arguments, NUL terminators included. */
  MAX_ARGS_BYTES: 65536,
  /** Number of arguments a process may receive. */
  MAX_ARGS: 1024,
  /** Largest single console_write or random_get. */
  MAX_IO_BYTES: 65536,
  /** Longest startup handle name, in UTF-8 bytes. */
  MAX_NAME_BYTES: 64,
  /** Handles passed to one spawned child. */
  MAX_SPAWN_HANDLES: 64,
  /** Default size of a process's handle table. */
  MAX_HANDLES: 4096,
  /** Default number of processes alive at once in one kernel. */
  MAX_PROCESSES: 16384,
  /**
   * Default ceiling on a guest's own memory, in 64 KiB pages (64 MiB), declared minimum and
   * maximum.
   */
  MAX_MEMORY_PAGES: 1024,
  /** Default ceiling on a guest's table size, declared minimum and maximum. */
  MAX_TABLE_ELEMENTS: 65536,
  /** Largest module the loader accepts (64 MiB). */
  MAX_MODULE_BYTES: 67108864,
} as const;

/** Constants of the ABI. i64 constants are bigints, as i64 values cross the JS boundary. */
export const Constants = {
  /** Never a valid handle. */
  HANDLE_INVALID: 0,
  /** Names the calling process in process_info. */
  HANDLE_SELF: -1,
  /** A deadline that never expires. */
  DEADLINE_INFINITE: 9223372036854775807n,
  /** Bytes written by process_info. */
  PROCESS_INFO_SIZE: 40,
  /** Bytes written by wait: status (i32) then reason (u32). */
  EXIT_INFO_SIZE: 8,
  /** Bytes per entry of spawn's handle list: handle (u32), name_ptr (u32), name_len (u32). */
  SPAWN_HANDLE_ENTRY_SIZE: 12,
} as const;

/** Pledge classes: name -> bit index in a pledge mask (definition order). */
export const PledgeClass = {
  /** exit, yield, clock, own arguments and handles. Can never be pledged away. */
  core: 0,
  /** Console output and random bytes. */
  stdio: 1,
  /** Spawning, waiting for, killing and inspecting processes. */
  proc: 2,
} as const;

/** PledgeClass bit index -> name. */
export const PLEDGE_CLASS_NAMES: Record<number, string> = {
  0: "core",
  1: "stdio",
  2: "proc",
};

export type WasmValType = "i32" | "i64" | "f32" | "f64";

/**
 * One syscall: its import name and core wasm signature, and what the kernel checks before running
 * it.
 */
export interface SyscallDef {
  readonly nr: number;
  readonly name: string;
  readonly params: readonly { readonly name: string; readonly type: WasmValType }[];
  readonly result: WasmValType | "never";
  /** Bound as a WebAssembly.Suspending import. */
  readonly blocking: boolean;
  /** PledgeClass bit index. */
  readonly pledge: number;
  /** Rights mask the handle argument must carry (Rights.NONE when none). */
  readonly rights: number;
  /** Errno values the syscall may return (negated). */
  readonly errors: readonly number[];
}

export type SyscallName =
  | "exit"
  | "yield"
  | "sleep"
  | "clock_now"
  | "random_get"
  | "console_write"
  | "arg_count"
  | "arg_get"
  | "handle_get"
  | "handle_close"
  | "spawn"
  | "wait"
  | "kill"
  | "process_info"
  | "panic";

/** Every syscall, in definition order. */
export const SYSCALLS: readonly SyscallDef[] = [
  /**
   * 1: End the calling process with an exit status. Never returns. Handles it holds are closed; a
   * parent waiting on it wakes.
   */
  {
    nr: 1,
    name: "exit",
    params: [{ name: "status", type: "i32" }],
    result: "never",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [],
  },
  /** 2: Give up the CPU. The caller goes to the back of its priority's run queue. */
  {
    nr: 2,
    name: "yield",
    params: [],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [],
  },
  /**
   * 3: Block for a duration on the kernel's monotonic clock. Implemented as a one-shot deadline
   * event; there is no periodic tick.
   */
  {
    nr: 3,
    name: "sleep",
    params: [{ name: "duration_ns", type: "i64" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EINVAL],
  },
  /**
   * 4: Read the monotonic clock: nanoseconds since the kernel booted. Virtual (advanced only by
   * the kernel) in deterministic mode.
   */
  {
    nr: 4,
    name: "clock_now",
    params: [],
    result: "i64",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [],
  },
  /**
   * 5: Fill a buffer with random bytes from the kernel's generator (seeded and reproducible in
   * deterministic mode).
   */
  {
    nr: 5,
    name: "random_get",
    params: [{ name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.stdio,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 6: Write bytes to the process's standard output (the console, or wherever its spawner routed
   * it).
   */
  {
    nr: 6,
    name: "console_write",
    params: [{ name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.stdio,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 7: Number of arguments the process was started with (argument 0 is the program name by
   * convention).
   */
  {
    nr: 7,
    name: "arg_count",
    params: [],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [],
  },
  /**
   * 8: Copy one argument (UTF-8, no terminator) into a buffer. Copies at most buf_len bytes and
   * returns the full length, so a short buffer can be retried.
   */
  {
    nr: 8,
    name: "arg_get",
    params: [{ name: "index", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 9: Look up a handle the spawner passed at start by its name. Returns the same handle each time
   * while it is open.
   */
  {
    nr: 9,
    name: "handle_get",
    params: [{ name: "name_ptr", type: "i32" }, { name: "name_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT, Errno.ENOENT],
  },
  /**
   * 10: Drop one handle. The object it named is destroyed when no handle names it any more (a
   * process keeps running; only the handle goes).
   */
  {
    nr: 10,
    name: "handle_close",
    params: [{ name: "handle", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE],
  },
  /**
   * 11: Start a child process from an image. The child is READY when spawn returns and runs when
   * the scheduler picks it. It receives the arguments and the named handles given (each is
   * duplicated into the child with the same rights; the caller keeps its own).
   */
  {
    nr: 11,
    name: "spawn",
    params: [{ name: "image", type: "i32" }, { name: "args_ptr", type: "i32" }, { name: "args_len", type: "i32" }, { name: "handles_ptr", type: "i32" }, { name: "handles_count", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.proc,
    rights: Rights.SPAWN,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.E2BIG, Errno.EMFILE, Errno.ENOMEM, Errno.EBADIMAGE],
  },
  /**
   * 12: Block until a process has exited or the deadline passes, then write its exit information
   * {status i32, reason u32}. Waiting on an already-exited process returns at once; waiting again
   * returns the same information.
   */
  {
    nr: 12,
    name: "wait",
    params: [{ name: "process", type: "i32" }, { name: "info_ptr", type: "i32" }, { name: "deadline_ns", type: "i64" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.proc,
    rights: Rights.WAIT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.ETIMEDOUT],
  },
  /**
   * 13: End a process at once with reason KILLED and the given status, wherever it is (running,
   * ready or blocked). Its handles are closed and waiters wake.
   */
  {
    nr: 13,
    name: "kill",
    params: [{ name: "process", type: "i32" }, { name: "status", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.proc,
    rights: Rights.KILL,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.ESRCH],
  },
  /**
   * 14: Write PROCESS_INFO_SIZE bytes describing a process: pid u32, parent pid u32, state u32,
   * priority u32, exit status i32, exit reason u32, cpu time ns u64, memory pages u32, handle
   * count u32.
   */
  {
    nr: 14,
    name: "process_info",
    params: [{ name: "process", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.proc,
    rights: Rights.INSPECT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 15: End the calling process with reason PANIC and a message the parent and the system log see
   * (status -1). Never returns. The SDK routes AssemblyScript's abort here.
   */
  {
    nr: 15,
    name: "panic",
    params: [{ name: "msg_ptr", type: "i32" }, { name: "msg_len", type: "i32" }],
    result: "never",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [],
  },
];

/** Syscalls by name. */
export const SYSCALL_BY_NAME: Readonly<Record<SyscallName, SyscallDef>> = {
  exit: SYSCALLS[0]!,
  yield: SYSCALLS[1]!,
  sleep: SYSCALLS[2]!,
  clock_now: SYSCALLS[3]!,
  random_get: SYSCALLS[4]!,
  console_write: SYSCALLS[5]!,
  arg_count: SYSCALLS[6]!,
  arg_get: SYSCALLS[7]!,
  handle_get: SYSCALLS[8]!,
  handle_close: SYSCALLS[9]!,
  spawn: SYSCALLS[10]!,
  wait: SYSCALLS[11]!,
  kill: SYSCALLS[12]!,
  process_info: SYSCALLS[13]!,
  panic: SYSCALLS[14]!,
};

/** Syscalls indexed by number; undefined where no syscall has the number. */
export const SYSCALL_BY_NR: readonly (SyscallDef | undefined)[] = [
  undefined, // 0: unused
  SYSCALLS[0], // 1: exit
  SYSCALLS[1], // 2: yield
  SYSCALLS[2], // 3: sleep
  SYSCALLS[3], // 4: clock_now
  SYSCALLS[4], // 5: random_get
  SYSCALLS[5], // 6: console_write
  SYSCALLS[6], // 7: arg_count
  SYSCALLS[7], // 8: arg_get
  SYSCALLS[8], // 9: handle_get
  SYSCALLS[9], // 10: handle_close
  SYSCALLS[10], // 11: spawn
  SYSCALLS[11], // 12: wait
  SYSCALLS[12], // 13: kill
  SYSCALLS[13], // 14: process_info
  SYSCALLS[14], // 15: panic
];

/**
 * The single numbered entry: sys(nr, a0, a1, a2, a3, a4, a5) performs syscall nr with its
 * parameters taken, in order, from a0..a5 (i32 parameters are the low 32 bits) and returns its
 * result widened to i64. Unused arguments are ignored. Blocking syscalls block through it too.
 * Unknown nr returns -ENOSYS.
 */
export const SYS_ENTRY = {
  name: "sys",
  params: [
    { name: "nr", type: "i32" },
    { name: "a0", type: "i64" },
    { name: "a1", type: "i64" },
    { name: "a2", type: "i64" },
    { name: "a3", type: "i64" },
    { name: "a4", type: "i64" },
    { name: "a5", type: "i64" },
  ],
  result: "i64",
} as const;

/** Each syscall's parameters as JS values (i32 -> number, i64 -> bigint). */
export interface SyscallArgs {
  exit: [status: number];
  yield: [];
  sleep: [duration_ns: bigint];
  clock_now: [];
  random_get: [buf_ptr: number, buf_len: number];
  console_write: [buf_ptr: number, buf_len: number];
  arg_count: [];
  arg_get: [index: number, buf_ptr: number, buf_len: number];
  handle_get: [name_ptr: number, name_len: number];
  handle_close: [handle: number];
  spawn: [image: number, args_ptr: number, args_len: number, handles_ptr: number, handles_count: number];
  wait: [process: number, info_ptr: number, deadline_ns: bigint];
  kill: [process: number, status: number];
  process_info: [process: number, buf_ptr: number, buf_len: number];
  panic: [msg_ptr: number, msg_len: number];
}

/** Each syscall's result as a JS value (i32 -> number, i64 -> bigint, never -> never). */
export type SyscallResult<N extends SyscallName> = {
  exit: never;
  yield: number;
  sleep: number;
  clock_now: bigint;
  random_get: number;
  console_write: number;
  arg_count: number;
  arg_get: number;
  handle_get: number;
  handle_close: number;
  spawn: number;
  wait: number;
  kill: number;
  process_info: number;
  panic: never;
}[N];
