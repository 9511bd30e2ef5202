// Generated from abi/wasmos.abi.json by build/gen-abi.ts. Do not edit: change the definition and run `node build/gen-abi.ts`.
//
// The wasmos syscall ABI 0.3 as TypeScript values and types, for the host and
// the kernel. Reference: docs/abi.md.

/** The ABI version this file was generated from. */
export const ABI_VERSION = { major: 0, minor: 3 } as const;

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
  /** The caller's handle table is full (or a device's table of open files: MAX_HOSTDIR_OPEN). */
  EMFILE: 12,
  /** No syscall has that number (sys entry only). */
  ENOSYS: 13,
  /** The image cannot be started as a process with the handles given. */
  EBADIMAGE: 14,
  /**
   * The endpoint or port has no receiver any more (its receive side was closed or its server
   * ended), or the server that took the message ended before replying.
   */
  ECLOSED: 15,
  /**
   * The client of that message is gone: it ended, was killed, or its deadline passed before the
   * reply.
   */
  EGONE: 16,
  /** A bounded queue is full (pending pulses of this sender, packets of a port); try again later. */
  EAGAIN: 17,
  /** The caller pledged away the class of this syscall, or asked to regain a class it dropped. */
  EPLEDGE: 18,
  /** The name is taken, or the port is bound already. */
  EEXIST: 19,
  /**
   * Beyond what the caller may grant: a priority above its ceiling, a share above what its
   * partition has left, a limit raised.
   */
  ECEILING: 30,
  /**
   * Admission control refused: the deadline class, or the partition, cannot take that much more
   * utilisation.
   */
  EOVERLOAD: 31,
  /**
   * The memory object behind the handle was revoked, or the capability a window was mapped through
   * was: the handle still exists (close it), but nothing can be done through it.
   */
  EREVOKED: 40,
  /** The memory budget (in pages) of the process that would be charged cannot cover the request. */
  EQUOTA: 41,
  /** An offset, index or count falls outside the memory object or the window. */
  ERANGE: 42,
  /** futex_wait: the word did not hold the expected value, so the caller did not sleep. */
  ECHANGED: 43,
  /**
   * The device failed (its backend reported an error) or the host shut it down; it takes no more
   * work.
   */
  EIO: 50,
  /** The device's interrupts are attached to another process's endpoint. */
  EBUSY: 51,
  /**
   * The open-file id was not issued to the caller by this device (forged, another device's or
   * another process's), or has been closed since.
   */
  EBADF: 52,
  /** A path component is not a directory (or a MOUNT_ENDPOINT path has components below it). */
  ENOTDIR: 60,
  /** The operation needs a file and the path names a directory. */
  EISDIR: 61,
  /** The directory is not empty. */
  ENOTEMPTY: 62,
  /** The two paths of a rename or link are served by different mounts. */
  EXDEV: 63,
  /** The server has no room left. */
  ENOSPC: 65,
  /** A path is longer than MAX_PATH_BYTES. */
  ENAMETOOLONG: 67,
  /**
   * The path is outside the caller's unveiled view, or the view lacks the permission the operation
   * needs. Counted.
   */
  EUNVEIL: 64,
  /** The server does not implement this operation. */
  ENOTSUP: 66,
  /** Grant form: the memory object is not bound as a grant by both the caller and the server. */
  ENOTBOUND: 68,
  /** A path met more symbolic links than one call follows (a loop); host directories: more than 40. */
  ELOOP: 69,
  /**
   * The caller is a port handler running as a direct activation (PORT_BIND_DIRECT) on its sender's
   * stack, and the syscall may block: a direct activation cannot be suspended. Returned by every
   * syscall that may block, before it does anything.
   */
  EDIRECT: 74,
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
  15: "ECLOSED",
  16: "EGONE",
  17: "EAGAIN",
  18: "EPLEDGE",
  19: "EEXIST",
  30: "ECEILING",
  31: "EOVERLOAD",
  40: "EREVOKED",
  41: "EQUOTA",
  42: "ERANGE",
  43: "ECHANGED",
  50: "EIO",
  51: "EBUSY",
  52: "EBADF",
  60: "ENOTDIR",
  61: "EISDIR",
  62: "ENOTEMPTY",
  63: "EXDEV",
  65: "ENOSPC",
  67: "ENAMETOOLONG",
  64: "EUNVEIL",
  66: "ENOTSUP",
  68: "ENOTBOUND",
  69: "ELOOP",
  74: "EDIRECT",
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
  /** Send messages and pulses to an endpoint; queue packets on a port. (bit 8) */
  SEND: 0x100,
  /** Receive from an endpoint (and reply); bind a port to a handler. (bit 9) */
  RECEIVE: 0x200,
  /** Register and unregister names in a namespace. (bit 10) */
  REGISTER: 0x400,
  /** Look names up in a namespace. (bit 11) */
  LOOKUP: 0x800,
  /** Change a process's scheduling: priority, tier, deadline class, partition, limits. (bit 12) */
  SCHEDULE: 0x1000,
  /** Map windows onto a memory object (memory_map). (bit 14) */
  MAP: 0x4000,
  /** Route a device's interrupts to an endpoint (device_attach). (bit 20) */
  ATTACH: 0x100000,
  /** DIR: mount and unmount endpoints under its scope. (bit 24) */
  MOUNT: 0x1000000,
  /**
   * DIR: create files, directories, links and symbolic links, unlink and rename under its scope.
   * (bit 25)
   */
  CREATE: 0x2000000,
  /** DIR: open files for execution. (bit 26) */
  EXEC: 0x4000000,
  /** Every right. */
  ALL: 0x7105fff,
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
  256: "SEND",
  512: "RECEIVE",
  1024: "REGISTER",
  2048: "LOOKUP",
  4096: "SCHEDULE",
  16384: "MAP",
  1048576: "ATTACH",
  16777216: "MOUNT",
  33554432: "CREATE",
  67108864: "EXEC",
};

/** Kernel object types. */
export const ObjectType = {
  /**
   * A running or exited process. A spawner receives one with
   * DUPLICATE|TRANSFER|WAIT|KILL|INSPECT|SCHEDULE.
   */
  PROCESS: 1,
  /** A verified, compiled guest module that processes can be spawned from. */
  IMAGE: 2,
  /**
   * A synchronous IPC endpoint (QNX channel): clients send with SEND, servers receive and reply
   * with RECEIVE. endpoint_create gives DUPLICATE|TRANSFER|SEND|RECEIVE.
   */
  ENDPOINT: 3,
  /**
   * An event port: packets (code, value) queued with SEND are delivered by calling the exported
   * handler its binder (RECEIVE) named. port_create gives DUPLICATE|TRANSFER|SEND|RECEIVE.
   */
  PORT: 4,
  /** A name registry mapping names to endpoints (REGISTER, LOOKUP). */
  NAMESPACE: 5,
  /**
   * A memory object: a fixed-size, zero-filled byte buffer backed by its own wasm memory that
   * never grows. Shared without copies by binding it to a child's `grant` memory import at spawn
   * (READ, and WRITE unless the child's code never writes it), or through windows (MAP).
   * memory_create gives DUPLICATE|TRANSFER|READ|WRITE|MAP.
   */
  MEMORY: 6,
  /**
   * A window onto a memory object (memory_map): count elements of elem_size bytes, element i at
   * offset + i * stride, read and written through the kernel (READ, WRITE). Revoking the memory
   * capability it was mapped through revokes it.
   */
  WINDOW: 7,
  /**
   * A CPU partition: a guaranteed share of the CPU over an averaging window for the processes in
   * it (READ to inspect, WRITE to add processes).
   */
  PARTITION: 8,
  /**
   * A timer device: one deadline at a time on the kernel clock (timer_set, WRITE); each expiry
   * raises IRQ_TIMER. The host hands devices out with DUPLICATE|TRANSFER|READ|WRITE|ATTACH.
   */
  DEV_TIMER: 9,
  /**
   * A console device: bytes out with console_tx (WRITE) and in with console_rx (READ); arriving
   * input raises IRQ_CONSOLE_RX, the end of input IRQ_CONSOLE_EOF.
   */
  DEV_CONSOLE: 10,
  /**
   * An audio output device: AUDIO_RATE frames per second of signed 16-bit little-endian
   * interleaved stereo, taking submitted buffers one at a time at its own pace (audio_submit,
   * WRITE) and counting underruns.
   */
  DEV_AUDIO: 11,
  /**
   * A framebuffer device: width x height RGBA pixels, 4 bytes each, rows top to bottom without
   * padding (DEVINFO_FB_*), written with fb_write or drawn in place through fb_memory, and shown
   * with fb_present (WRITE).
   */
  DEV_FRAMEBUFFER: 12,
  /**
   * A random number device with its own generator (seeded and deterministic, or the host's
   * entropy), read with rng_read (READ).
   */
  DEV_RNG: 13,
  /**
   * A host directory: one directory of the host's file system, exposed by the host (`--dir`) to
   * the process that serves it (guests/hostfs). hostdir_call reads (READ) and changes (WRITE) what
   * is inside it; nothing outside is reachable.
   */
  DEV_HOSTDIR: 14,
  /**
   * The kernel's process table, readable (READ) with proc_next: what a /proc server or a process
   * monitor is given instead of ambient authority over every process. Only the host creates one.
   */
  KINFO: 18,
  /**
   * A view of a path namespace: the mount table and a scope prefix (a chroot). Paths are resolved
   * relative to the scope; ns_scope narrows it. The host or a spawner passes one as `root`.
   */
  DIR: 16,
  /**
   * An open object: the server's endpoint and the per-open id (OCB) it chose at open. I/O on it
   * goes to that server stamped with that id; its end posts IO_CLOSE_PULSE to the server.
   */
  FILE: 17,
} as const;

/** ObjectType value -> name. */
export const OBJECT_TYPE_NAMES: Record<number, string> = {
  1: "PROCESS",
  2: "IMAGE",
  3: "ENDPOINT",
  4: "PORT",
  5: "NAMESPACE",
  6: "MEMORY",
  7: "WINDOW",
  8: "PARTITION",
  9: "DEV_TIMER",
  10: "DEV_CONSOLE",
  11: "DEV_AUDIO",
  12: "DEV_FRAMEBUFFER",
  13: "DEV_RNG",
  14: "DEV_HOSTDIR",
  18: "KINFO",
  16: "DIR",
  17: "FILE",
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
  /** In send, queued on an endpoint until a server receives the message. */
  SEND_BLOCKED: 4,
  /** In send, the message received, waiting for the reply. */
  REPLY_BLOCKED: 5,
  /** In receive, waiting for a message or pulse. */
  RECEIVE_BLOCKED: 6,
  /**
   * _start has returned and the process has bound ports: it runs only when a packet calls one of
   * its handlers.
   */
  RESIDENT: 7,
} as const;

/** ProcessState value -> name. */
export const PROCESS_STATE_NAMES: Record<number, string> = {
  0: "READY",
  1: "RUNNING",
  2: "BLOCKED",
  3: "EXITED",
  4: "SEND_BLOCKED",
  5: "REPLY_BLOCKED",
  6: "RECEIVE_BLOCKED",
  7: "RESIDENT",
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
  /** The process used more CPU time than its LIMIT_CPU_NS (set_limit). */
  CPU_LIMIT: 12,
  /**
   * A memory object bound to the process as a grant was revoked (the object itself, or a
   * capability the binding derives from). A process not running is ended at once; the running one
   * when its current syscall returns, or before it is next dispatched. The message names the
   * grant.
   */
  GRANT_REVOKED: 20,
  /**
   * A port handler running as a direct activation (PORT_BIND_DIRECT) on its sender's stack ran
   * longer than a scheduling quantum (SCHED_QUANTUM_NS of CPU; fuel in deterministic mode): it
   * could not be preempted without its sender, so it was ended and the sender carried on.
   */
  DIRECT_OVERRUN: 47,
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
  12: "CPU_LIMIT",
  20: "GRANT_REVOKED",
  47: "DIRECT_OVERRUN",
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
  12: "The process used more CPU time than its LIMIT_CPU_NS (set_limit).",
  20: "A memory object bound to the process as a grant was revoked (the object itself, or a capability the binding derives from). A process not running is ended at once; the running one when its current syscall returns, or before it is next dispatched. The message names the grant.",
  47: "A port handler running as a direct activation (PORT_BIND_DIRECT) on its sender's stack ran longer than a scheduling quantum (SCHED_QUANTUM_NS of CPU; fuel in deterministic mode): it could not be preempted without its sender, so it was ended and the sender carried on.",
};

/** Resource limits (defaults where the doc says so). */
export const Limits = {
  /** Total bytes of a process's arguments, NUL terminators included. */
  MAX_ARGS_BYTES: 65536,
  /** Number of arguments a process may receive. */
  MAX_ARGS: 1024,
  /** Total bytes of a process's environment (each KEY=VALUE plus one), set by the host. */
  MAX_ENV_BYTES: 65536,
  /** Number of environment variables a process may have. */
  MAX_ENV: 1024,
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
   * Default ceiling on a guest's own memory, in 64 KiB pages (256 MiB), declared minimum and
   * maximum; equal to MEMORY_BUDGET_PAGES, so a process with the default budget can grow its own
   * memory to the budget memory_stats reports (less the pages of memory objects it created).
   */
  MAX_MEMORY_PAGES: 4096,
  /** Largest memory object (64 MiB). */
  MAX_MEMORY_OBJECT_BYTES: 67108864,
  /**
   * Default memory budget of a process the host spawns, in pages (256 MiB): its own memory plus
   * the memory objects it created and that still live. A child spawned by a process starts with
   * its spawner's budget.
   */
  MEMORY_BUDGET_PAGES: 4096,
  /**
   * Default ceiling on the pages of one kernel (4 GiB): process memories plus memory objects.
   * memory_create and spawn past it fail with ENOMEM.
   */
  MEMORY_SYSTEM_PAGES: 65536,
  /** Default ceiling on a guest's table size, declared minimum and maximum. */
  MAX_TABLE_ELEMENTS: 65536,
  /** Largest module the loader accepts (128 MiB): real WASI programs are 10-80 MB. */
  MAX_MODULE_BYTES: 134217728,
  /** Largest message or reply body (1 MiB). */
  MAX_MSG_BYTES: 1048576,
  /** 64-bit words carried by a message (message registers). */
  MAX_MSG_WORDS: 4,
  /** Handles carried by one message or reply. */
  MAX_MSG_HANDLES: 16,
  /** Pulses one sender may have queued on one endpoint; more return EAGAIN. */
  MAX_PENDING_PULSES: 16,
  /** Packets queued on one port; more return EAGAIN. */
  MAX_PORT_PACKETS: 256,
  /**
   * Default round-robin quantum, measured in fuel (1 fuel = 1 ns of virtual time): about a million
   * wasm instructions.
   */
  SCHED_QUANTUM_NS: 1000000,
  /** Default averaging window over which a partition's share is guaranteed. */
  PARTITION_WINDOW_NS: 100000000,
  /**
   * Default share of the CPU the deadline class may reserve in all (admission control); the rest
   * stays for fixed priorities.
   */
  EDF_CAPACITY_PERMILLE: 900,
  /** Buffers submitted to one audio device and not yet taken; more return EAGAIN. */
  MAX_AUDIO_QUEUED: 4,
  /** Frames of one audio_submit (one second). */
  MAX_AUDIO_FRAMES: 48000,
  /**
   * Input bytes a console device buffers; more are dropped and counted
   * (DEVINFO_CONSOLE_RX_DROPPED).
   */
  MAX_CONSOLE_RX_BYTES: 65536,
  /** Longest path a namespace call takes, in UTF-8 bytes. */
  MAX_PATH_BYTES: 1024,
  /**
   * Files one host-directory device keeps open at once (hostdir_call HOSTDIR_OPEN), all callers
   * together; more fail with EMFILE.
   */
  MAX_HOSTDIR_OPEN: 256,
  /** Most rules one unveil call takes. */
  MAX_UNVEIL_RULES: 64,
  /** Most unveil calls in a process's view, its ancestors' included. */
  MAX_UNVEIL_CALLS: 16,
} as const;

/** Constants of the ABI. i64 constants are bigints, as i64 values cross the JS boundary. */
export const Constants = {
  /** Never a valid handle. */
  HANDLE_INVALID: 0,
  /** Names the calling process in process_info. */
  HANDLE_SELF: -1,
  /** A deadline that never expires. */
  DEADLINE_INFINITE: 9223372036854775807n,
  /**
   * Descriptor flag: move the handles. They leave the sender's table when the message is accepted;
   * a call refused at once (any error sendmsg or replymsg returns without blocking, but replymsg's
   * EMFILE, which ends the exchange) leaves them where they were, and a message that fails later
   * (timeout while queued, the receive side closed) drops them. Without the flag they are copied
   * (each needs DUPLICATE too).
   */
  MSG_MOVE_HANDLES: 1,
  /**
   * spawn_handle_entry flag: move the handle into the child. It leaves the caller's table only
   * when spawn succeeds, and needs TRANSFER alone; without the flag the child gets a copy derived
   * from the caller's (TRANSFER and DUPLICATE needed), which the caller's revoke reaches, and the
   * caller keeps its own. The same rule as a message's handles (MSG_MOVE_HANDLES).
   */
  SPAWN_MOVE_HANDLE: 1,
  /** msg_info kind: nothing delivered yet. */
  MSG_KIND_NONE: 0,
  /** msg_info kind: a message taken by receive. */
  MSG_KIND_MESSAGE: 1,
  /** msg_info kind: a pulse taken by receive (word 0 = code, word 1 = value). */
  MSG_KIND_PULSE: 2,
  /** msg_info kind: the reply to the caller's send. */
  MSG_KIND_REPLY: 3,
  /**
   * port_bind flag: also deliver an idle packet (code PORT_CODE_IDLE) when nothing else is
   * runnable.
   */
  PORT_BIND_IDLE: 1,
  /**
   * port_bind flag: the binder accepts that its handler may run at once, on the sender's stack and
   * time, inside the sender's port_send, whenever the binder is idle (RESIDENT: no activation
   * running, no packet queued). Such a direct activation runs to completion: a syscall that may
   * block returns EDIRECT, and one that runs longer than a scheduling quantum (SCHED_QUANTUM_NS)
   * ends the binder with DIRECT_OVERRUN. Packets to a busy binder queue as without the flag.
   */
  PORT_BIND_DIRECT: 2,
  /** The code of an idle packet. */
  PORT_CODE_IDLE: -1,
  /**
   * Round robin within a priority: a process that used up its quantum goes to the back of its
   * priority's queue.
   */
  SCHED_RR: 0,
  /**
   * First in, first out within a priority: the process keeps the CPU until it blocks, yields or a
   * higher priority is ready.
   */
  SCHED_FIFO: 1,
  /** sched_info: scheduled by fixed priority (0..PRIORITY_MAX). */
  SCHED_CLASS_FIXED: 0,
  /**
   * sched_info: scheduled earliest-deadline-first, above every fixed priority
   * (sched_set_deadline).
   */
  SCHED_CLASS_DEADLINE: 1,
  /** Highest fixed priority (0 is the lowest). */
  PRIORITY_MAX: 255,
  /** Idle work: priorities 0-63, default 32, no deadline. */
  TIER_VOID: 0,
  /** Background work: priorities 64-127, default 96, deadline 100 ms. */
  TIER_GRAVITY: 1,
  /** Interactive work: priorities 128-191, default 128 (every process starts here), deadline 16 ms. */
  TIER_MATTER: 2,
  /** Audio and interrupt work: priorities 192-255, default 224, deadline 1 ms. */
  TIER_PHOTON: 3,
  /** A partition share of the whole CPU, in permille. */
  SHARE_WHOLE: 1000,
  /** set_limit: total CPU time in ns; a process that uses more is ended with CPU_LIMIT. */
  LIMIT_CPU_NS: 1,
  /** set_limit: size of the handle table; handle-creating calls fail with EMFILE beyond it. */
  LIMIT_HANDLES: 2,
  /** Bytes in a page: memory objects are backed by whole pages, and budgets count pages. */
  PAGE_SIZE: 65536,
  /**
   * An interrupt arrives as a pulse whose value is (kind << IRQ_KIND_SHIFT) | datum: kind an IRQ_*
   * constant, datum an unsigned 32-bit number.
   */
  IRQ_KIND_SHIFT: 32,
  /** Interrupt kind: a timer device's deadline passed. Datum: its expiries so far. */
  IRQ_TIMER: 1,
  /** Interrupt kind: console input arrived. Datum: bytes now buffered. */
  IRQ_CONSOLE_RX: 2,
  /**
   * Interrupt kind: console input ended (what is buffered can still be read). Datum: bytes still
   * buffered.
   */
  IRQ_CONSOLE_EOF: 3,
  /**
   * Interrupt kind: the audio device took a buffer (its bytes are read; the caller may reuse them)
   * and the next one is due when this one has played. Datum: the buffer's ticket.
   */
  IRQ_AUDIO_PERIOD: 4,
  /** Interrupt kind: the audio device ran out of buffers and stopped. Datum: underruns so far. */
  IRQ_AUDIO_UNDERRUN: 5,
  /**
   * Interrupt kind: the audio device played a buffer submitted with AUDIO_SUBMIT_END and stopped.
   * Datum: that buffer's ticket.
   */
  IRQ_AUDIO_DRAINED: 6,
  /** Frames per second an audio device plays. */
  AUDIO_RATE: 48000,
  /** Channels of an audio frame, interleaved (left first). */
  AUDIO_CHANNELS: 2,
  /** Bytes of one audio frame: two signed 16-bit little-endian samples. */
  AUDIO_FRAME_BYTES: 4,
  /** audio_submit flag: the stream ends with this buffer; running out after it is not an underrun. */
  AUDIO_SUBMIT_END: 1,
  /** device_info, any device: 1 while its interrupts are attached to an open endpoint, else 0. */
  DEVINFO_ATTACHED: 1,
  /** device_info, any device: interrupts delivered to the attached endpoint. */
  DEVINFO_IRQ_RAISED: 2,
  /**
   * device_info, any device: interrupts dropped because the attached endpoint was closed or
   * already had MAX_PENDING_PULSES interrupts pending.
   */
  DEVINFO_IRQ_LOST: 3,
  /**
   * device_info, any device: 1 once it failed or was shut down (its calls then return EIO), else
   * 0.
   */
  DEVINFO_FAILED: 4,
  /** device_info, timer: the armed deadline, or DEADLINE_INFINITE. */
  DEVINFO_TIMER_DEADLINE: 16,
  /** device_info, timer: deadlines that have passed. */
  DEVINFO_TIMER_EXPIRIES: 17,
  /** device_info, console: input bytes waiting for console_rx. */
  DEVINFO_CONSOLE_RX_BUFFERED: 32,
  /** device_info, console: input bytes dropped because MAX_CONSOLE_RX_BYTES were waiting. */
  DEVINFO_CONSOLE_RX_DROPPED: 33,
  /** device_info, console: 1 once input has ended, else 0. */
  DEVINFO_CONSOLE_RX_EOF: 34,
  /** device_info, console: bytes written with console_tx. */
  DEVINFO_CONSOLE_TX_BYTES: 35,
  /** device_info, audio: frames per second (AUDIO_RATE). */
  DEVINFO_AUDIO_RATE: 48,
  /** device_info, audio: channels (AUDIO_CHANNELS). */
  DEVINFO_AUDIO_CHANNELS: 49,
  /** device_info, audio: buffers submitted and not yet taken. */
  DEVINFO_AUDIO_QUEUED: 50,
  /** device_info, audio: 1 while playing, 0 when stopped. */
  DEVINFO_AUDIO_RUNNING: 51,
  /** device_info, audio: frames played, silence included. */
  DEVINFO_AUDIO_FRAMES: 52,
  /** device_info, audio: times the device ran out of buffers. */
  DEVINFO_AUDIO_UNDERRUNS: 53,
  /**
   * device_info, audio: frames of silence played (gaps after underruns, buffers whose source was
   * gone).
   */
  DEVINFO_AUDIO_SILENT_FRAMES: 54,
  /** device_info, audio: buffers whose source was gone when their turn came. */
  DEVINFO_AUDIO_DROPPED: 55,
  /** device_info, audio: buffers submitted (the next ticket). */
  DEVINFO_AUDIO_SUBMITTED: 56,
  /**
   * device_info, audio: the most its period timer has fired after the period's end, in ns (the
   * wall clock's lateness in real-time mode; normally 0 on the virtual clock).
   */
  DEVINFO_AUDIO_JITTER_MAX_NS: 57,
  /** device_info, framebuffer: width in pixels. */
  DEVINFO_FB_WIDTH: 64,
  /** device_info, framebuffer: height in pixels. */
  DEVINFO_FB_HEIGHT: 65,
  /** device_info, framebuffer: bytes per row (width * 4). */
  DEVINFO_FB_STRIDE: 66,
  /** device_info, framebuffer: frames presented. */
  DEVINFO_FB_FRAMES: 67,
  /** device_info, RNG: bytes read from it. */
  DEVINFO_RNG_BYTES: 80,
  /** hostdir_call: a hostdir_stat of path into buf, following symbolic links that stay inside. */
  HOSTDIR_STAT: 1,
  /** hostdir_call: a hostdir_stat of path itself (a symbolic link is described, not followed). */
  HOSTDIR_LSTAT: 2,
  /** hostdir_call: read up to len bytes at offset into buf; the result is the count (0 at the end). */
  HOSTDIR_READ: 3,
  /**
   * hostdir_call: write len bytes from buf at offset (flags HOSTDIR_CREATE creates the file); the
   * result is the count.
   */
  HOSTDIR_WRITE: 4,
  /** hostdir_call: create path as an empty file, or open it (flags HOSTDIR_EXCL, HOSTDIR_TRUNC). */
  HOSTDIR_CREATE_FILE: 5,
  /** hostdir_call: set the size of the file at path to offset. */
  HOSTDIR_SETSIZE: 6,
  /** hostdir_call: set the modification time of path to offset (ns since 1970). */
  HOSTDIR_SETTIMES: 7,
  /**
   * hostdir_call: entries of the directory at path from index offset, as hostdir_dirent records
   * into buf (sorted by name); the result is the bytes written, 0 at the end.
   */
  HOSTDIR_LIST: 8,
  /** hostdir_call: create the directory path. */
  HOSTDIR_MKDIR: 9,
  /**
   * hostdir_call: remove the file, symbolic link or empty directory at path (links are never
   * followed).
   */
  HOSTDIR_REMOVE: 10,
  /** hostdir_call: rename path to path2. */
  HOSTDIR_RENAME: 11,
  /**
   * hostdir_call: a symbolic link at path whose target is path2 (stored as given; refused if it
   * leads out of the root).
   */
  HOSTDIR_SYMLINK: 12,
  /**
   * hostdir_call: the target of the symbolic link at path into buf; the result is its length (cut
   * at len).
   */
  HOSTDIR_READLINK: 13,
  /**
   * hostdir_call: a hard link at path2 to the regular file or symbolic link at path (never
   * followed; both inside the root). The device remembers the files it linked: a file with several
   * links is opened only if this device made them.
   */
  HOSTDIR_LINK: 14,
  /**
   * hostdir_call: open the regular file at path (walked and confined as every path is) and keep it
   * open in the device for the caller; the result is its open-file id (> 0) for the *_OPEN
   * operations, until CLOSE. Flags HOSTDIR_OPEN_WRITE (also writable), HOSTDIR_CREATE (create it
   * if missing), HOSTDIR_EXCL (with CREATE: fail if it exists), HOSTDIR_TRUNC (cut it to 0 bytes);
   * any of them needs WRITE. The open is the file itself: renaming, replacing or removing the path
   * afterwards does not change what the id reads and writes.
   */
  HOSTDIR_OPEN: 15,
  /** hostdir_call: close the open file `file`; its id is never valid again. */
  HOSTDIR_CLOSE: 16,
  /**
   * hostdir_call: read up to len bytes at offset of the open file `file` into buf; the result is
   * the count (0 at the end). No path is walked.
   */
  HOSTDIR_READ_OPEN: 17,
  /**
   * hostdir_call: write len bytes from buf at offset of the open file `file` (opened with
   * HOSTDIR_OPEN_WRITE); the result is the count.
   */
  HOSTDIR_WRITE_OPEN: 18,
  /** hostdir_call: a hostdir_stat of the open file `file` into buf. */
  HOSTDIR_STAT_OPEN: 19,
  /** hostdir_call: set the size of the open file `file` (opened with HOSTDIR_OPEN_WRITE) to offset. */
  HOSTDIR_SETSIZE_OPEN: 20,
  /** hostdir_call: set the modification time of the open file `file` to offset (ns since 1970). */
  HOSTDIR_SETTIMES_OPEN: 21,
  /** hostdir_req flags, HOSTDIR_WRITE: create the file if it is missing. */
  HOSTDIR_CREATE: 1,
  /** hostdir_req flags, HOSTDIR_CREATE_FILE: fail with EEXIST if path exists. */
  HOSTDIR_EXCL: 2,
  /** hostdir_req flags, HOSTDIR_CREATE_FILE: truncate an existing file to 0 bytes. */
  HOSTDIR_TRUNC: 4,
  /**
   * hostdir_req flags, HOSTDIR_SETTIMES: a symbolic link as the last component gets the time
   * itself (lutimes).
   */
  HOSTDIR_NOFOLLOW: 8,
  /**
   * hostdir_req flags, HOSTDIR_OPEN: open for writing as well as reading (WRITE_OPEN,
   * SETSIZE_OPEN).
   */
  HOSTDIR_OPEN_WRITE: 16,
  /** device_info, host directory: 1 when it refuses every change (a `:ro` directory), else 0. */
  DEVINFO_HOSTDIR_READONLY: 96,
  /**
   * device_info, host directory: calls refused by its confinement checks (EACCES: a path or a
   * symbolic link leading out of the root, a device file, a file with several hard links).
   */
  DEVINFO_HOSTDIR_REFUSALS: 97,
  /**
   * device_info, host directory: files open in it now (HOSTDIR_OPEN not yet closed), all callers
   * together.
   */
  DEVINFO_HOSTDIR_OPEN: 98,
  /** ns_open: open for reading (needs READ on the DIR and UNVEIL_READ). */
  O_READ: 1,
  /** ns_open: open for writing (needs WRITE on the DIR and UNVEIL_WRITE). */
  O_WRITE: 2,
  /** ns_open: create the file if missing (needs CREATE on the DIR and UNVEIL_CREATE). */
  O_CREATE: 4,
  /** ns_open: truncate to 0 bytes (needs WRITE as well). */
  O_TRUNC: 8,
  /** ns_open: with O_CREATE, fail with EEXIST if the file exists. */
  O_EXCL: 16,
  /** ns_open: the path must name a directory (ENOTDIR otherwise). */
  O_DIRECTORY: 32,
  /** ns_open: open for execution (needs EXEC on the DIR and UNVEIL_EXEC). */
  O_EXEC: 64,
  /**
   * ns_open: a symbolic link as the path's last component is not followed: the server answers
   * ELOOP (WASI's lookupflags without SYMLINK_FOLLOW, POSIX's O_NOFOLLOW).
   */
  O_NOFOLLOW: 128,
  /**
   * ns_mount: a plain endpoint, not a resource manager: ns_open of exactly this path returns a
   * SEND|DUPLICATE|TRANSFER handle to it and sends nothing.
   */
  MOUNT_ENDPOINT: 1,
  /**
   * Transfer form: the data is copied once by the kernel between the client's buffer and the
   * server's message body.
   */
  IO_FORM_BUFFER: 0,
  /**
   * Transfer form: a write of at most IO_REGS_WRITE_MAX bytes in message word 3; a read of at most
   * IO_REGS_READ_MAX bytes in the reply words.
   */
  IO_FORM_REGS: 1,
  /**
   * Transfer form: the data lives in a memory object bound as a grant by both client and server;
   * the kernel copies nothing.
   */
  IO_FORM_GRANT: 2,
  /** Most bytes a registers-form write carries. */
  IO_REGS_WRITE_MAX: 8,
  /** Most bytes a registers-form read carries. */
  IO_REGS_READ_MAX: 16,
  /** Connect message: open a path (sent by ns_open). */
  IO_OPEN: 1,
  /** io_call: read len bytes at offset. */
  IO_READ: 2,
  /** io_call: write len bytes at offset. */
  IO_WRITE: 3,
  /** io_call: a STAT_SIZE record of the open file into buf. */
  IO_STAT: 4,
  /** io_call: set the file's size to offset. */
  IO_SETSIZE: 5,
  /** io_call: set the file's modification time to offset (ns). */
  IO_SETTIMES: 6,
  /** io_call: directory records from cookie offset into buf (0 bytes: the end). */
  IO_READDIR: 7,
  /** io_call: make what was written durable. */
  IO_SYNC: 8,
  /** ns_call: create a directory at path. */
  IO_MKDIR: 16,
  /** ns_call: remove the name path (an empty directory too). */
  IO_UNLINK: 17,
  /** ns_call: rename path to path2 (same mount). */
  IO_RENAME: 18,
  /** ns_call: a new name path2 for the file at path (same mount). */
  IO_LINK: 19,
  /** ns_call: a symbolic link at path whose target is path2 (stored as given). */
  IO_SYMLINK: 20,
  /** ns_call: the target of the symbolic link at path into buf. */
  IO_READLINK: 21,
  /** ns_call: a STAT_SIZE record of path into buf. */
  IO_PSTAT: 22,
  /**
   * ns_call: set the modification time of path to the descriptor's offset (ns since 1970), a
   * symbolic link as the last component itself (lutimes). Needs WRITE on the DIR and UNVEIL_WRITE.
   */
  IO_PSETTIMES: 23,
  /**
   * IO_PSTAT, in the descriptor's offset field: a symbolic link as the last component is described
   * itself (lstat). Neither flag: the server's default (hostfs follows, tmpfs does not).
   */
  IO_STAT_NOFOLLOW: 1,
  /**
   * IO_PSTAT, in the descriptor's offset field: a symbolic link as the last component is followed
   * (stat).
   */
  IO_STAT_FOLLOW: 2,
  /**
   * Pulse code the kernel posts to a resource manager when an open's last handle is gone; the
   * value is the open's OCB id. It carries the (base) priority of the process that let the last
   * handle go (pulse priority, as pulse's): a client below its server is not preempted by its
   * close.
   */
  IO_CLOSE_PULSE: -16,
  /** stat type: a regular file. */
  FILE_TYPE_REG: 1,
  /** stat type: a directory. */
  FILE_TYPE_DIR: 2,
  /** stat type: a symbolic link. */
  FILE_TYPE_SYMLINK: 3,
  /** stat type: a device. */
  FILE_TYPE_DEV: 4,
  /** stat type: an endpoint mounted with MOUNT_ENDPOINT. */
  FILE_TYPE_ENDPOINT: 5,
  /** unveil permission: open for reading, stat, readdir, readlink. */
  UNVEIL_READ: 1,
  /** unveil permission: open for writing. */
  UNVEIL_WRITE: 2,
  /** unveil permission: create, mkdir, unlink, rename, link, symlink, mount, unmount. */
  UNVEIL_CREATE: 4,
  /** unveil permission: open for execution. */
  UNVEIL_EXEC: 8,
  /** Bytes of a exit_info struct (see structs): How a process ended: written by wait. */
  EXIT_INFO_SIZE: 8,
  /** Bytes of a process_info struct (see structs): A process described: written by process_info. */
  PROCESS_INFO_SIZE: 40,
  /**
   * Bytes of a proc_record struct (see structs): A process as /proc shows it: written by
   * proc_next.
   */
  PROC_RECORD_SIZE: 112,
  /**
   * Bytes of a spawn_handle_entry struct (see structs): One entry of spawn's handle list: a handle
   * passed to the child under a name. Read by spawn.
   */
  SPAWN_HANDLE_ENTRY_SIZE: 16,
  /** Bytes of a handle_info struct (see structs): A handle described: written by handle_info. */
  HANDLE_INFO_SIZE: 16,
  /**
   * Bytes of a hostdir_req struct (see structs): A request to a host-directory device: read by
   * hostdir_call. Paths are UTF-8, relative to the exposed root whether or not they start with /.
   */
  HOSTDIR_REQ_SIZE: 48,
  /**
   * Bytes of a hostdir_stat struct (see structs): A file described: written by hostdir_call STAT
   * and LSTAT (the layout of the namespace's stat).
   */
  HOSTDIR_STAT_SIZE: 32,
  /**
   * Bytes of a hostdir_dirent struct (see structs): The head of one directory entry written by
   * hostdir_call LIST: the name follows it, and the next record starts at the next multiple of 8.
   */
  HOSTDIR_DIRENT_SIZE: 16,
  /**
   * Bytes of a msg_desc struct (see structs): A message descriptor: read by sendmsg and replymsg
   * (replymsg ignores reply_ptr and reply_cap).
   */
  MSG_DESC_SIZE: 56,
  /**
   * Bytes of a msg_info struct (see structs): The last thing delivered to a process described:
   * written by msg_info.
   */
  MSG_INFO_SIZE: 24,
  /** Bytes of a sched_info struct (see structs): How a process is scheduled: written by sched_info. */
  SCHED_INFO_SIZE: 80,
  /**
   * Bytes of a partition_info struct (see structs): A CPU partition described: written by
   * partition_info.
   */
  PARTITION_INFO_SIZE: 40,
  /** Bytes of a window_info struct (see structs): A window described: written by window_info. */
  WINDOW_INFO_SIZE: 16,
  /**
   * Bytes of a memory_stats struct (see structs): Memory accounting of a process and of the
   * system: written by memory_stats.
   */
  MEMORY_STATS_SIZE: 64,
  /**
   * Bytes of a io_desc struct (see structs): An IO descriptor: what ns_call and io_call do
   * (docs/namespace.md).
   */
  IO_DESC_SIZE: 48,
  /**
   * Bytes of a stat struct (see structs): A file described: written by io_call IO_STAT and ns_call
   * IO_PSTAT.
   */
  STAT_SIZE: 32,
  /**
   * Bytes of a dirent struct (see structs): The header of one readdir record; the name follows,
   * the record is padded to 8 bytes.
   */
  DIRENT_SIZE: 24,
  /** Bytes of a unveil_rule struct (see structs): One unveil rule. */
  UNVEIL_RULE_SIZE: 12,
} as const;

/** Pledge classes: name -> bit index in a pledge mask (definition order). */
export const PledgeClass = {
  /** exit, yield, clock, own arguments and handles. Can never be pledged away. */
  core: 0,
  /** Console output and random bytes. */
  stdio: 1,
  /** Spawning, waiting for, killing and inspecting processes. */
  proc: 2,
  /** Endpoints: creating them, send, receive, reply, pulses, message registers. */
  ipc: 3,
  /** Event ports: creating, binding, queueing packets. */
  ports: 4,
  /** Registering and looking up names. */
  names: 5,
  /** Changing scheduling parameters, partitions and limits, and reading them. */
  sched: 6,
  /**
   * Driving devices: attaching their interrupts, timers, console, audio, framebuffer and RNG
   * devices, device information.
   */
  devices: 7,
  /** Memory objects: creating them, windows, futex wait and wake, memory statistics and budgets. */
  memory: 8,
  /** The path namespace: opening, mounting, scoping, path operations, I/O on open files. */
  files: 9,
} as const;

/** PledgeClass bit index -> name. */
export const PLEDGE_CLASS_NAMES: Record<number, string> = {
  0: "core",
  1: "stdio",
  2: "proc",
  3: "ipc",
  4: "ports",
  5: "names",
  6: "sched",
  7: "devices",
  8: "memory",
  9: "files",
};

export type WasmValType = "i32" | "i64" | "f32" | "f64";

/**
 * One syscall: its import name and core wasm signature, and what the kernel checks before running
 * it.
 */
export interface SyscallDef {
  readonly nr: number;
  readonly name: string;
  /** rights: the rights mask a handle parameter must carry, when the syscall takes several handles. */
  readonly params: readonly { readonly name: string; readonly type: WasmValType; readonly rights?: number }[];
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
  | "panic"
  | "handle_dup"
  | "handle_revoke"
  | "handle_info"
  | "pledge"
  | "endpoint_create"
  | "send"
  | "sendmsg"
  | "receive"
  | "reply"
  | "replymsg"
  | "reply_error"
  | "pulse"
  | "msg_word"
  | "msg_info"
  | "msg_handle"
  | "name_register"
  | "name_lookup"
  | "name_unregister"
  | "port_create"
  | "port_bind"
  | "port_send"
  | "memory_create"
  | "memory_size"
  | "memory_map"
  | "window_read"
  | "window_write"
  | "window_get"
  | "window_set"
  | "window_info"
  | "futex_wait"
  | "futex_wake"
  | "memory_stats"
  | "memory_set_budget"
  | "window_get_packed"
  | "sched_set_priority"
  | "sched_set_tier"
  | "sched_set_deadline"
  | "sched_wait_period"
  | "sched_info"
  | "cpu_time"
  | "set_limit"
  | "partition_create"
  | "partition_join"
  | "partition_info"
  | "device_attach"
  | "device_info"
  | "timer_set"
  | "console_rx"
  | "console_tx"
  | "audio_submit"
  | "fb_write"
  | "fb_present"
  | "rng_read"
  | "fb_memory"
  | "ns_open"
  | "ns_mount"
  | "ns_unmount"
  | "ns_scope"
  | "ns_call"
  | "io_call"
  | "unveil"
  | "io_reply_wait"
  | "proc_next"
  | "hostdir_call"
  | "ipc_buffer"
  | "call"
  | "reply_wait"
  | "pulse_wait"
  | "msg_word_get"
  | "env_count"
  | "env_get";

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
    errors: [Errno.EDIRECT],
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
    errors: [Errno.EINVAL, Errno.EDIRECT],
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
   * deterministic mode; the host's entropy in real-time mode).
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
   * the scheduler picks it. It receives the arguments and the named handles given: each is a copy
   * derived from the caller's handle with the same rights (the caller keeps its own, and revoking
   * it reaches the child's), or, with SPAWN_MOVE_HANDLE, the caller's handle itself, moved out of
   * the caller's table when spawn succeeds. A failed spawn changes neither table.
   */
  {
    nr: 11,
    name: "spawn",
    params: [{ name: "image", type: "i32" }, { name: "args_ptr", type: "i32" }, { name: "args_len", type: "i32" }, { name: "handles_ptr", type: "i32" }, { name: "handles_count", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.proc,
    rights: Rights.SPAWN,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.E2BIG, Errno.EMFILE, Errno.ENOMEM, Errno.EQUOTA, Errno.EBADIMAGE],
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
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.ETIMEDOUT, Errno.EDIRECT],
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
  /**
   * 16: Derive a new handle to the same object with equal or fewer rights. The new handle is a
   * child of the original in the derivation tree: handle_revoke on the original (or an ancestor)
   * invalidates it.
   */
  {
    nr: 16,
    name: "handle_dup",
    params: [{ name: "handle", type: "i32" }, { name: "rights", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.DUPLICATE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EACCES, Errno.EINVAL, Errno.EMFILE],
  },
  /**
   * 17: Invalidate every handle derived from this one (by handle_dup, or copied in a message or at
   * spawn), in every process, transitively, in one call. The handle itself stays valid. Revoked
   * handles answer ESTALE.
   */
  {
    nr: 17,
    name: "handle_revoke",
    params: [{ name: "handle", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE],
  },
  /**
   * 18: Describe a handle: HANDLE_INFO_SIZE bytes, object type u32, rights u32, object id u32 (the
   * same object always has the same id), derivation depth u32 (0 for a handle that derives from
   * none).
   */
  {
    nr: 18,
    name: "handle_info",
    params: [{ name: "handle", type: "i32" }, { name: "info_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EFAULT],
  },
  /**
   * 19: Irrevocably keep only the syscall classes whose bits are set (bit n = pledge class n; core
   * is always kept). Afterwards a syscall of a dropped class returns EPLEDGE without doing
   * anything; the process is not killed, so it can report what it was refused.
   */
  {
    nr: 19,
    name: "pledge",
    params: [{ name: "promises", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EPLEDGE],
  },
  /**
   * 20: Create an endpoint. The handle has DUPLICATE|TRANSFER|SEND|RECEIVE; derive send-only
   * handles for clients with handle_dup.
   */
  {
    nr: 20,
    name: "endpoint_create",
    params: [],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EMFILE],
  },
  /**
   * 21: Send a short message (four 64-bit words, no memory touched) and block until the server
   * replies: SEND_BLOCKED until a server receives it, then REPLY_BLOCKED. While the server works
   * on it, the server runs at least at the caller's priority. The reply's words are then read with
   * msg_word, its details with msg_info.
   */
  {
    nr: 21,
    name: "send",
    params: [{ name: "endpoint", type: "i32" }, { name: "w0", type: "i64" }, { name: "w1", type: "i64" }, { name: "w2", type: "i64" }, { name: "w3", type: "i64" }, { name: "deadline_ns", type: "i64" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.SEND,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.ECLOSED, Errno.ETIMEDOUT, Errno.EDIRECT],
  },
  /**
   * 22: Send a long message described by a MSG_DESC_SIZE-byte descriptor: four words, a body
   * (copied by the kernel straight into the server's receive buffer), and handles (moved or copied
   * into the server's table). Blocks like send. The reply body is copied into the reply buffer (at
   * most reply_cap bytes; msg_info gives the full length), reply handles land in the caller's
   * table (msg_handle).
   */
  {
    nr: 22,
    name: "sendmsg",
    params: [{ name: "endpoint", type: "i32" }, { name: "desc_ptr", type: "i32" }, { name: "deadline_ns", type: "i64" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.SEND,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.E2BIG, Errno.ECLOSED, Errno.ETIMEDOUT, Errno.EDIRECT],
  },
  /**
   * 23: Take the next message or pulse from an endpoint, blocking (RECEIVE_BLOCKED) until one
   * arrives. Highest sender priority first, FIFO within a priority. A message's body is copied
   * into the buffer (at most buf_len bytes; msg_info gives the full length); its words are read
   * with msg_word, its handles with msg_handle. Returns a receive id to reply to, or 0 for a pulse
   * (word 0 = code, word 1 = value).
   */
  {
    nr: 23,
    name: "receive",
    params: [{ name: "endpoint", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }, { name: "deadline_ns", type: "i64" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.RECEIVE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EMFILE, Errno.ETIMEDOUT, Errno.EDIRECT],
  },
  /**
   * 24: Answer a message: the client's send returns status, its message registers get w0 and w1
   * (w2, w3 become 0), and the body (buf_ptr, buf_len) is copied into the client's reply buffer
   * (sendmsg only; a short send gets no body). The server's priority drops back.
   */
  {
    nr: 24,
    name: "reply",
    params: [{ name: "rcvid", type: "i32" }, { name: "status", type: "i32" }, { name: "w0", type: "i64" }, { name: "w1", type: "i64" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT, Errno.E2BIG, Errno.EGONE],
  },
  /**
   * 25: Answer a message with a descriptor: four words, a body and handles (moved or copied into
   * the client's table). reply_ptr and reply_cap in the descriptor are ignored.
   */
  {
    nr: 25,
    name: "replymsg",
    params: [{ name: "rcvid", type: "i32" }, { name: "status", type: "i32" }, { name: "desc_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT, Errno.E2BIG, Errno.EBADH, Errno.ESTALE, Errno.EACCES, Errno.EMFILE, Errno.EGONE],
  },
  /** 26: Answer a message with an error: the client's send returns -errno. */
  {
    nr: 26,
    name: "reply_error",
    params: [{ name: "rcvid", type: "i32" }, { name: "errno", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EGONE],
  },
  /**
   * 27: Queue a fixed-size notification (code, value) on an endpoint without blocking; a server
   * gets it from receive (which returns 0). Each sender may have at most MAX_PENDING_PULSES pulses
   * pending on one endpoint: past that the pulse is refused (EAGAIN), so one client cannot flood
   * out the others. The pulse carries the caller's own (base) priority, as QNX's pulse priority:
   * the receiver that takes it runs at that priority instead of its own (priority inheritance
   * still raises it) until it next takes a message or waits in a receive, so a pulse from below
   * does not preempt its sender and one from above raises its receiver.
   */
  {
    nr: 27,
    name: "pulse",
    params: [{ name: "endpoint", type: "i32" }, { name: "code", type: "i32" }, { name: "value", type: "i64" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.SEND,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.ECLOSED, Errno.EAGAIN],
  },
  /**
   * 28: Read a message register: word index of the last thing delivered to the caller (a received
   * message or pulse, or the reply to its send). Superseded by msg_word_get: the error result
   * (-EINVAL) is also a legal word, so a caller cannot tell them apart; kept for existing guests,
   * the SDK no longer uses it.
   */
  {
    nr: 28,
    name: "msg_word",
    params: [{ name: "index", type: "i32" }],
    result: "i64",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL],
  },
  /** 29: Describe the last thing delivered to the caller: MSG_INFO_SIZE bytes, see the constant. */
  {
    nr: 29,
    name: "msg_info",
    params: [{ name: "info_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EFAULT],
  },
  /**
   * 30: The index-th handle that arrived with the last message or reply delivered to the caller
   * (now in the caller's table). A handle whose capability was revoked while the message was in
   * flight (its sender's ancestor revoked it before delivery) arrives as HANDLE_INVALID (0) in its
   * place, so the indices of the others do not move.
   */
  {
    nr: 30,
    name: "msg_handle",
    params: [{ name: "index", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL],
  },
  /**
   * 31: Register an endpoint under a name in a namespace; lookups then get send-only handles to
   * it. O(1). The entry holds the endpoint until it is unregistered.
   */
  {
    nr: 31,
    name: "name_register",
    params: [{ name: "namespace", type: "i32", rights: Rights.REGISTER }, { name: "name_ptr", type: "i32" }, { name: "name_len", type: "i32" }, { name: "endpoint", type: "i32", rights: Rights.SEND | Rights.DUPLICATE }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.names,
    rights: Rights.REGISTER | Rights.SEND | Rights.DUPLICATE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EEXIST],
  },
  /** 32: Look a name up: a new handle to the endpoint with SEND|DUPLICATE|TRANSFER. O(1). */
  {
    nr: 32,
    name: "name_lookup",
    params: [{ name: "namespace", type: "i32" }, { name: "name_ptr", type: "i32" }, { name: "name_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.names,
    rights: Rights.LOOKUP,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.ENOENT, Errno.EMFILE],
  },
  /** 33: Remove a name from a namespace. Handles already looked up stay valid. */
  {
    nr: 33,
    name: "name_unregister",
    params: [{ name: "namespace", type: "i32" }, { name: "name_ptr", type: "i32" }, { name: "name_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.names,
    rights: Rights.REGISTER,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.ENOENT],
  },
  /** 34: Create an event port. The handle has DUPLICATE|TRANSFER|SEND|RECEIVE. */
  {
    nr: 34,
    name: "port_create",
    params: [],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ports,
    rights: Rights.NONE,
    errors: [Errno.EMFILE],
  },
  /**
   * 35: Bind a port to one of the caller's exported functions, of type (key i32, code i32, value
   * i64) -> (). Each packet is then delivered by the kernel calling that handler when the
   * scheduler picks the process, one activation at a time, after _start has returned (until then
   * packets queue). A process whose _start returned with ports bound stays RESIDENT instead of
   * exiting. With PORT_BIND_IDLE it also gets an idle packet (code PORT_CODE_IDLE) each time
   * nothing else is runnable. A trap in a handler ends the process like any trap. With
   * PORT_BIND_DIRECT a packet sent while the binder is idle (RESIDENT: _start has returned, no
   * activation running, no packet queued on any of its ports) is delivered at once, inside the
   * sender's port_send, on the sender's stack and CPU time (a direct activation; packets stay in
   * order: a busy binder gets them queued as without the flag). A direct activation runs to
   * completion: syscalls that may block return EDIRECT; a handler that runs longer than a
   * scheduling quantum ends with DIRECT_OVERRUN; a trap or an exit ends the binder as in any
   * activation, and in every case the sender's port_send returns 0 and the sender carries on. Its
   * CPU time is billed to the sender.
   */
  {
    nr: 35,
    name: "port_bind",
    params: [{ name: "port", type: "i32" }, { name: "name_ptr", type: "i32" }, { name: "name_len", type: "i32" }, { name: "key", type: "i32" }, { name: "flags", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ports,
    rights: Rights.RECEIVE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.ENOENT, Errno.EEXIST],
  },
  /**
   * 36: Queue a packet (code, value) on a port without blocking. Packets queue until the port is
   * bound and its binder runs. If the binder bound the port with PORT_BIND_DIRECT and is idle, the
   * packet is instead delivered at once: its handler runs to completion inside this call, on the
   * caller's stack, its CPU time billed to the caller, and the call returns 0 whatever the handler
   * did (its trap or exit ends the binder, not the caller). The errors are the same either way,
   * checked before anything is delivered.
   */
  {
    nr: 36,
    name: "port_send",
    params: [{ name: "port", type: "i32" }, { name: "code", type: "i32" }, { name: "value", type: "i64" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ports,
    rights: Rights.SEND,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECLOSED, Errno.EAGAIN],
  },
  /**
   * 40: Create a memory object of size_bytes zero-filled bytes, backed by ceil(size_bytes /
   * PAGE_SIZE) pages of its own that never grow. The pages are charged to the caller's memory
   * budget and to the system until the object is destroyed (when no handle, window or binding
   * names it any more), even if the caller ends first. Pass the handle to a child at spawn under
   * the name of one of its `grant` memory imports to bind it (zero-copy, direct loads and stores),
   * or map windows onto it.
   */
  {
    nr: 40,
    name: "memory_create",
    params: [{ name: "size_bytes", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EQUOTA, Errno.ENOMEM, Errno.EMFILE],
  },
  /** 41: The size a memory object was created with, in bytes. Any right will do. */
  {
    nr: 41,
    name: "memory_size",
    params: [{ name: "memory", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EREVOKED],
  },
  /**
   * 42: Map a window onto a memory object: count elements of elem_size bytes, element i at byte
   * offset + i * stride. A byte range is stride 1, elem_size 1; the left channel of interleaved
   * 16-bit stereo is offset 0, stride 4, elem_size 2. The window gets the memory handle's READ and
   * WRITE, and DUPLICATE|TRANSFER. It hangs off the memory handle in the derivation tree:
   * handle_revoke on that handle or on any of its ancestors (or revoking the object) revokes the
   * window, and every call through it then returns EREVOKED while its holder keeps running;
   * closing the memory handle does not.
   */
  {
    nr: 42,
    name: "memory_map",
    params: [{ name: "memory", type: "i32" }, { name: "offset", type: "i32" }, { name: "count", type: "i32" }, { name: "stride", type: "i32" }, { name: "elem_size", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.MAP,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.EREVOKED, Errno.EMFILE],
  },
  /**
   * 43: Copy count elements of a window, from element first on, into the caller's memory at
   * buf_ptr, packed (count * elem_size bytes). The kernel counts the bytes as copied, for the
   * caller and the system.
   */
  {
    nr: 43,
    name: "window_read",
    params: [{ name: "window", type: "i32" }, { name: "first", type: "i32" }, { name: "count", type: "i32" }, { name: "buf_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.EFAULT, Errno.EREVOKED],
  },
  /**
   * 44: Copy count packed elements from the caller's memory at buf_ptr into a window, from element
   * first on. The kernel counts the bytes as copied, for the caller and the system.
   */
  {
    nr: 44,
    name: "window_write",
    params: [{ name: "window", type: "i32" }, { name: "first", type: "i32" }, { name: "count", type: "i32" }, { name: "buf_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.EFAULT, Errno.EREVOKED],
  },
  /**
   * 45: Read one element of a window of 1-, 2- or 4-byte elements, zero-extended (so it is never
   * negative; the SDK's typed windows sign-extend). Elements of 8 bytes are read with window_read.
   */
  {
    nr: 45,
    name: "window_get",
    params: [{ name: "window", type: "i32" }, { name: "index", type: "i32" }],
    result: "i64",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.EREVOKED],
  },
  /** 46: Write one element of a window: the low elem_size bytes of value, little-endian. */
  {
    nr: 46,
    name: "window_set",
    params: [{ name: "window", type: "i32" }, { name: "index", type: "i32" }, { name: "value", type: "i64" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.ERANGE, Errno.EREVOKED],
  },
  /**
   * 47: Write WINDOW_INFO_SIZE bytes describing a window: offset, count, stride and elem_size,
   * each u32. Any right will do.
   */
  {
    nr: 47,
    name: "window_info",
    params: [{ name: "window", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EINVAL, Errno.EFAULT, Errno.EREVOKED],
  },
  /**
   * 48: If the 32-bit little-endian word at offset in a memory object holds expected, sleep until
   * futex_wake on that word (the check and the sleep are one step, so a wake cannot slip between
   * them). Waiters on one word wake in FIFO order. The kernel never writes the word; a waiter
   * rechecks its condition after waking. A ring's consumer sleeps here while the ring is empty and
   * its producer while it is full.
   */
  {
    nr: 48,
    name: "futex_wait",
    params: [{ name: "memory", type: "i32" }, { name: "offset", type: "i32" }, { name: "expected", type: "i32" }, { name: "deadline_ns", type: "i64" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.memory,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.ECHANGED, Errno.ETIMEDOUT, Errno.EREVOKED, Errno.EDIRECT],
  },
  /**
   * 49: Wake up to count processes sleeping in futex_wait on the word at offset of a memory
   * object, oldest first. Waking nobody is not an error.
   */
  {
    nr: 49,
    name: "futex_wake",
    params: [{ name: "memory", type: "i32" }, { name: "offset", type: "i32" }, { name: "count", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.EREVOKED],
  },
  /**
   * 50: Write MEMORY_STATS_SIZE bytes of memory accounting: a process's budget and use, the bytes
   * the kernel copied for it, and the system's pages, memory objects and copied bytes (layout at
   * MEMORY_STATS_SIZE). Bound grants are never copied: their data does not appear here.
   */
  {
    nr: 50,
    name: "memory_stats",
    params: [{ name: "process", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.INSPECT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 51: Lower a process's memory budget, in pages: its own memory plus the memory objects it
   * created and that still live. Past it, the process's memory.grow returns -1 and its
   * memory_create fails with EQUOTA. Budgets only go down. Children spawned later start with the
   * new budget.
   */
  {
    nr: 51,
    name: "memory_set_budget",
    params: [{ name: "process", type: "i32" }, { name: "pages", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.SCHEDULE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECEILING, Errno.ESRCH],
  },
  /**
   * 52: Read n consecutive elements of a window of 1- or 2-byte elements in one call, packed into
   * the result: element index + k in bits k * 8 * elem_size up, each zero-extended within its
   * field, n * elem_size at most 7 bytes (so the result is never negative: up to three 2-byte or
   * seven 1-byte elements). The values come back in the register as window_get's do (nothing is
   * copied); window_get_packed(w, i, 1) is window_get(w, i).
   */
  {
    nr: 52,
    name: "window_get_packed",
    params: [{ name: "window", type: "i32" }, { name: "index", type: "i32" }, { name: "n", type: "i32" }],
    result: "i64",
    blocking: false,
    pledge: PledgeClass.memory,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ERANGE, Errno.EREVOKED],
  },
  /**
   * 60: Put a process in the fixed-priority class at a priority (0..PRIORITY_MAX, higher runs
   * first) with a policy (SCHED_RR or SCHED_FIFO). A process in the deadline class leaves it (its
   * reservation is released). Priority inheritance may raise the effective priority above this
   * base priority while the process serves a higher-priority client. The caller cannot give a
   * priority above its own ceiling (the ceiling a process is spawned with is its parent's; the
   * host's processes have PRIORITY_MAX). Setting another process's priority also lowers that
   * process's ceiling to it, so it cannot raise itself back.
   */
  {
    nr: 60,
    name: "sched_set_priority",
    params: [{ name: "process", type: "i32" }, { name: "priority", type: "i32" }, { name: "policy", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.SCHEDULE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECEILING, Errno.ESRCH],
  },
  /**
   * 61: Put a process in a named tier: the tier's default priority, round robin (see TIER_VOID,
   * TIER_GRAVITY, TIER_MATTER, TIER_PHOTON). A tier's deadline is how long a process of that tier
   * may wait to run once ready; a later dispatch is counted in sched_info (latency_misses). Same
   * rules as sched_set_priority.
   */
  {
    nr: 61,
    name: "sched_set_tier",
    params: [{ name: "process", type: "i32" }, { name: "tier", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.SCHEDULE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECEILING, Errno.ESRCH],
  },
  /**
   * 62: Put a process in the deadline class: a periodic job of at most runtime_ns of CPU every
   * period_ns, each due deadline_ns after its release, scheduled earliest-deadline-first above
   * every fixed priority. Admission control: the set is accepted only if the utilisation (sum of
   * runtime / min(deadline, period)) of all deadline processes stays within EDF_CAPACITY_PERMILLE
   * of the CPU and that of the process's partition within the partition's share. A job that uses
   * up its runtime waits for its next release (throttled); one not done by its deadline is counted
   * as a miss. The first job is released at once. Only a caller whose ceiling is PRIORITY_MAX may
   * use it.
   */
  {
    nr: 62,
    name: "sched_set_deadline",
    params: [{ name: "process", type: "i32" }, { name: "runtime_ns", type: "i64" }, { name: "period_ns", type: "i64" }, { name: "deadline_ns", type: "i64" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.SCHEDULE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECEILING, Errno.EOVERLOAD, Errno.ESRCH],
  },
  /**
   * 63: End the caller's current job (deadline class) and block until its next release. If the
   * release time has already passed, the next job starts at once.
   */
  {
    nr: 63,
    name: "sched_wait_period",
    params: [],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EDIRECT],
  },
  /**
   * 64: Write SCHED_INFO_SIZE bytes describing how a process is scheduled: class u32
   * (SCHED_CLASS_*) at 0, policy u32 at 4, base priority u32 at 8, effective priority u32 at 12,
   * tier u32 at 16, ceiling u32 at 20, cpu time ns u64 at 24, cpu limit ns u64 at 32 (0: none),
   * runtime ns u64 at 40, period ns u64 at 48, deadline ns u64 at 56 (all 0 outside the deadline
   * class), deadline misses u32 at 64, latency misses u32 at 68, preemptions u32 at 72, throttles
   * u32 at 76.
   */
  {
    nr: 64,
    name: "sched_info",
    params: [{ name: "process", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.INSPECT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 65: CPU time a process has used, in ns. In deterministic mode it is the fuel its code burned
   * (1 fuel = 1 ns; see host/instrument), so it is the same on every run.
   */
  {
    nr: 65,
    name: "cpu_time",
    params: [{ name: "process", type: "i32" }],
    result: "i64",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.INSPECT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES],
  },
  /**
   * 66: Lower a per-process limit. LIMIT_CPU_NS: total CPU time; a process that uses more is ended
   * with reason CPU_LIMIT (at once if it already has). LIMIT_HANDLES: handle table size. Limits
   * only go down: a limit cannot be raised, not even by the process's parent.
   */
  {
    nr: 66,
    name: "set_limit",
    params: [{ name: "process", type: "i32" }, { name: "limit", type: "i32" }, { name: "value", type: "i64" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.SCHEDULE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECEILING, Errno.ESRCH],
  },
  /**
   * 67: Create a CPU partition with a guaranteed share of the CPU (adaptive partitioning): when
   * the CPU is contended, the processes in it get at least that share over each
   * PARTITION_WINDOW_NS window; CPU a partition leaves unused goes to the others. The share is
   * carved out of the caller's partition (whose own guarantee shrinks by as much) and returns to
   * it when the new partition is destroyed. A server serving a client is billed to the client's
   * partition. The handle has READ|WRITE|DUPLICATE|TRANSFER.
   */
  {
    nr: 67,
    name: "partition_create",
    params: [{ name: "share", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.ECEILING, Errno.EOVERLOAD, Errno.EMFILE],
  },
  /**
   * 68: Move a process into a partition: its CPU time is billed to that partition from now on, and
   * the partition's guarantee covers it. Children a process spawns start in its partition.
   */
  {
    nr: 68,
    name: "partition_join",
    params: [{ name: "partition", type: "i32", rights: Rights.WRITE }, { name: "process", type: "i32", rights: Rights.SCHEDULE }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.WRITE | Rights.SCHEDULE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EOVERLOAD, Errno.ESRCH],
  },
  /**
   * 69: Write PARTITION_INFO_SIZE bytes describing a partition: share permille u32 at 0, own share
   * permille u32 at 4 (the share minus what partitions carved from it took), processes u32 at 8,
   * deadline reservations permille u32 at 12, window ns u64 at 16, CPU ns used in the current
   * window u64 at 24, CPU ns used in all u64 at 32.
   */
  {
    nr: 69,
    name: "partition_info",
    params: [{ name: "partition", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.sched,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 80: Route a device's interrupts to an endpoint: each interrupt arrives there as a pulse from
   * sender pid 0 with word 0 = code and word 1 = (kind << IRQ_KIND_SHIFT) | datum (IRQ_* kinds).
   * The device keeps its own capability derived from endpoint, so revoking that handle detaches
   * it, as does the endpoint losing its receive side. endpoint HANDLE_INVALID detaches. One
   * process's endpoint at a time: while the process that attached lives and its endpoint is open,
   * another process gets EBUSY. Interrupts the endpoint cannot take (MAX_PENDING_PULSES from the
   * kernel already pending) are dropped and counted (DEVINFO_IRQ_LOST).
   */
  {
    nr: 80,
    name: "device_attach",
    params: [{ name: "device", type: "i32", rights: Rights.ATTACH }, { name: "endpoint", type: "i32", rights: Rights.SEND }, { name: "code", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.ATTACH | Rights.SEND,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.ECLOSED, Errno.EBUSY],
  },
  /**
   * 81: Read one fact about a device: key is a DEVINFO_* constant that applies to it
   * (DEVINFO_ATTACHED..DEVINFO_FAILED to every device, the others to their kind). Any handle to
   * the device will do.
   */
  {
    nr: 81,
    name: "device_info",
    params: [{ name: "device", type: "i32" }, { name: "key", type: "i32" }],
    result: "i64",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EINVAL],
  },
  /**
   * 82: Arm a timer device's one deadline, replacing any armed one: when the kernel clock reaches
   * it (virtual in deterministic mode, the wall clock in real-time mode) the device raises
   * IRQ_TIMER once. A deadline at or before now fires at the next scheduling point;
   * DEADLINE_INFINITE disarms. There is no periodic tick: re-arm from the interrupt.
   */
  {
    nr: 82,
    name: "timer_set",
    params: [{ name: "timer", type: "i32" }, { name: "deadline", type: "i64" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EIO],
  },
  /**
   * 83: Take buffered input bytes from a console device, without blocking: wait for IRQ_CONSOLE_RX
   * when it answers EAGAIN.
   */
  {
    nr: 83,
    name: "console_rx",
    params: [{ name: "console", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EAGAIN, Errno.EIO],
  },
  /** 84: Write bytes to a console device's output (the host's terminal, a log). */
  {
    nr: 84,
    name: "console_tx",
    params: [{ name: "console", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EIO],
  },
  /**
   * 85: Queue a buffer of frames * AUDIO_FRAME_BYTES bytes (interleaved s16le stereo) at offset in
   * source for an audio device, which plays buffers one at a time at its own pace: AUDIO_RATE
   * frames per second of kernel time (virtual in deterministic mode, the wall clock in real-time
   * mode). Nothing is copied now: the device reads the bytes straight from source when the
   * buffer's turn comes, and raises IRQ_AUDIO_PERIOD (datum: the ticket) at that moment; until
   * then the bytes must not change, and from then on they may be reused. The next buffer is due
   * when this one has played. A device that finishes a buffer with none queued counts an underrun,
   * raises IRQ_AUDIO_UNDERRUN and stops; the next submission starts it again after a gap of
   * silence as long as the wait. After a buffer flagged AUDIO_SUBMIT_END, running out is no
   * underrun: the device raises IRQ_AUDIO_DRAINED and stops. A buffer whose source is gone when
   * its turn comes (its process ended, its capability was revoked) plays as silence.
   */
  {
    nr: 85,
    name: "audio_submit",
    params: [{ name: "audio", type: "i32", rights: Rights.WRITE }, { name: "source", type: "i32", rights: Rights.READ }, { name: "offset", type: "i32" }, { name: "frames", type: "i32" }, { name: "flags", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.WRITE | Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.ERANGE, Errno.EREVOKED, Errno.EAGAIN, Errno.EIO],
  },
  /**
   * 86: Copy bytes from the caller's memory into a framebuffer's pixels at a byte offset (row y,
   * column x is at (y * width + x) * 4: R, G, B, A). This is device I/O, not an inter-process
   * copy.
   */
  {
    nr: 86,
    name: "fb_write",
    params: [{ name: "fb", type: "i32" }, { name: "offset", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EIO],
  },
  /**
   * 87: The framebuffer's pixels form a complete frame: the device shows it (its renderers and
   * snapshots read the pixels now).
   */
  {
    nr: 87,
    name: "fb_present",
    params: [{ name: "fb", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.WRITE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EIO],
  },
  /**
   * 88: Fill a buffer from a random number device. A seeded device gives the same bytes for the
   * same seed and the same sequence of reads.
   */
  {
    nr: 88,
    name: "rng_read",
    params: [{ name: "rng", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EIO],
  },
  /**
   * 89: A MEMORY handle for a framebuffer's pixels, when the host backs them with a memory object
   * (it normally does): pass it to a child at spawn under the name of a `grant` memory import, or
   * map windows, and draw with plain stores; fb_present shows what is there. The handle has
   * DUPLICATE|TRANSFER|READ|MAP, and WRITE when fb has WRITE. The host can revoke the object as a
   * whole.
   */
  {
    nr: 89,
    name: "fb_memory",
    params: [{ name: "fb", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.ENOENT, Errno.EMFILE],
  },
  /**
   * 100: Open a path: resolve it to the longest mounted prefix, check the DIR's rights and the
   * caller's unveil view, and send the server an IO_OPEN connect message (docs/namespace.md).
   * Returns a FILE handle (READ and WRITE as the flags ask, DUPLICATE|TRANSFER) whose I/O the
   * kernel stamps with the id the server chose; for a MOUNT_ENDPOINT mount, a
   * SEND|DUPLICATE|TRANSFER handle to the endpoint without any message.
   */
  {
    nr: 100,
    name: "ns_open",
    params: [{ name: "dir", type: "i32" }, { name: "path_ptr", type: "i32" }, { name: "path_len", type: "i32" }, { name: "flags", type: "i32" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.files,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.ENAMETOOLONG, Errno.ENOENT, Errno.ENOTDIR, Errno.EUNVEIL, Errno.EMFILE, Errno.ECLOSED, Errno.ENOTSUP, Errno.EDIRECT],
  },
  /**
   * 101: Mount an endpoint at a path under the DIR's scope: opens of that path and below go to it
   * (longest prefix wins). The namespace holds a capability derived from the caller's endpoint
   * capability (revoking it unmounts); the mount ends when the caller unmounts it or ends. A path
   * whose server is gone may be mounted again (a restart).
   */
  {
    nr: 101,
    name: "ns_mount",
    params: [{ name: "dir", type: "i32" }, { name: "path_ptr", type: "i32" }, { name: "path_len", type: "i32" }, { name: "endpoint", type: "i32" }, { name: "flags", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.files,
    rights: Rights.MOUNT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.ENAMETOOLONG, Errno.EEXIST, Errno.EUNVEIL],
  },
  /**
   * 102: Remove the mount at exactly this path under the DIR's scope. Open files stay open (they
   * name the server, not the path).
   */
  {
    nr: 102,
    name: "ns_unmount",
    params: [{ name: "dir", type: "i32" }, { name: "path_ptr", type: "i32" }, { name: "path_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.files,
    rights: Rights.MOUNT,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.ENAMETOOLONG, Errno.ENOENT, Errno.EUNVEIL],
  },
  /**
   * 103: A new DIR handle for the subtree at path (its scope becomes the DIR's scope + path: `..`
   * cannot leave it), with the given rights masked by the DIR's. No server is asked; the path need
   * not exist.
   */
  {
    nr: 103,
    name: "ns_scope",
    params: [{ name: "dir", type: "i32" }, { name: "path_ptr", type: "i32" }, { name: "path_len", type: "i32" }, { name: "rights", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.files,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EFAULT, Errno.EINVAL, Errno.ENAMETOOLONG, Errno.EMFILE],
  },
  /**
   * 104: A path operation described by an IO descriptor: IO_MKDIR, IO_UNLINK, IO_RENAME, IO_LINK,
   * IO_SYMLINK, IO_READLINK, IO_PSTAT. The kernel resolves the path(s), checks the DIR's rights
   * and the unveil view, and sends the server a connect message (docs/namespace.md); the server's
   * answer is the result.
   */
  {
    nr: 104,
    name: "ns_call",
    params: [{ name: "dir", type: "i32" }, { name: "desc_ptr", type: "i32" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.files,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.ENAMETOOLONG, Errno.ENOENT, Errno.EXDEV, Errno.EUNVEIL, Errno.ECLOSED, Errno.ENOTSUP, Errno.EDIRECT],
  },
  /**
   * 105: An operation on an open file, described by an IO descriptor: IO_READ and IO_WRITE at an
   * offset in any of the three transfer forms (IO_FORM_BUFFER, IO_FORM_REGS, IO_FORM_GRANT),
   * IO_STAT, IO_SETSIZE, IO_SETTIMES, IO_READDIR, IO_SYNC. The kernel sends the request to the
   * file's server stamped with its OCB id and moves the data (docs/namespace.md).
   */
  {
    nr: 105,
    name: "io_call",
    params: [{ name: "file", type: "i32" }, { name: "desc_ptr", type: "i32" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.files,
    rights: Rights.NONE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EFAULT, Errno.EINVAL, Errno.E2BIG, Errno.ENOTBOUND, Errno.ECLOSED, Errno.ENOTSUP, Errno.EDIRECT],
  },
  /**
   * 106: Narrow the caller's view of every namespace: under this call a path's permissions are
   * those of its longest matching rule (none: nothing); the view becomes the intersection of this
   * call and every earlier one (its ancestors' included), so it can only narrow. Children inherit
   * the view. Violations answer EUNVEIL and are counted.
   */
  {
    nr: 106,
    name: "unveil",
    params: [{ name: "rules_ptr", type: "i32" }, { name: "count", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EFAULT, Errno.EINVAL, Errno.E2BIG, Errno.ENAMETOOLONG],
  },
  /**
   * 107: A resource manager's loop in one call: reply_wait with a body buffer. Answer rcvid
   * (unless it is 0) with status and words 0..words-1 of the caller's IPC buffer, as reply_wait
   * does (no reply body; a client that has gone is not an error here: the answer is dropped), then
   * receive the next message or pulse on endpoint as receive does into the buffer (buf_ptr,
   * buf_len), with no deadline: the message's body lands in the buffer, its words in the IPC
   * buffer. An open's answer (status 0, the OCB id in word 0, sign-extended) fits, so a server
   * answers it and takes the next request without a 64-bit argument. Everything is checked before
   * the answer is given.
   */
  {
    nr: 107,
    name: "io_reply_wait",
    params: [{ name: "endpoint", type: "i32" }, { name: "rcvid", type: "i32" }, { name: "status", type: "i32" }, { name: "words", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.RECEIVE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.EMFILE, Errno.EDIRECT],
  },
  /**
   * 110: Describe the process with the lowest pid above after_pid (alive, or exited and not yet
   * reaped): write its proc_record (PROC_RECORD_SIZE bytes) and return its pid, or 0 when there is
   * none. Walking the process table: start at after_pid 0 and pass each answer back in. One
   * process per call: pids never repeat, so a walk sees each process at most once.
   */
  {
    nr: 110,
    name: "proc_next",
    params: [{ name: "kinfo", type: "i32" }, { name: "after_pid", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.proc,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 111: One operation on a host directory, described by a hostdir_req (HOSTDIR_* operations).
   * Every path is resolved inside the exposed root (a leading / names the root; `..` never climbs
   * above it), component by component, without following any symbolic link that leads out of it:
   * `..` above the root, absolute link targets and links that climb out are refused with EACCES,
   * device files and FIFOs too, and so are files with several hard links (they may be links to
   * files outside). A read-only directory refuses every change with EACCES. What stays open
   * between calls is only what HOSTDIR_OPEN opened: each such file stays open in the device, under
   * an id valid for the process that opened it (through any of its handles to this device), until
   * that process closes it (CLOSE), no longer holds any handle to the device (closed or revoked:
   * checked whenever a handle to the device closes), or ends; and all of them when the device goes
   * (its last handle closed, or the host shut it down). At most MAX_HOSTDIR_OPEN at once per
   * device. This is safe because the open was confined when it was made (as any path), and an open
   * file stays the file it was, as in POSIX: a rename, a replacement or an unlink of its path
   * afterwards changes nothing the id reaches, so no later path change can lead an id out of the
   * root; ids are checked against the device's own table (slot and generation) and the caller,
   * never guessed into another device's or process's file.
   */
  {
    nr: 111,
    name: "hostdir_call",
    params: [{ name: "hostdir", type: "i32" }, { name: "req_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.devices,
    rights: Rights.READ,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EFAULT, Errno.ENOENT, Errno.EEXIST, Errno.ENOTDIR, Errno.EISDIR, Errno.EMFILE, Errno.EBADF, Errno.ENOTEMPTY, Errno.ENAMETOOLONG, Errno.ELOOP, Errno.EIO],
  },
  /**
   * 120: Declare the caller's IPC buffer: MAX_MSG_WORDS i32 words (16 bytes) at ptr in its own
   * memory, where call and reply_wait take the words they send and put the words they receive.
   * From then on every delivery to the caller (a message, a pulse, the answer to its send or call)
   * also writes each word's low 32 bits there (a pulse: its code, then its value's low 32 bits),
   * as msg_word would return them. Declared once; a second call moves it.
   */
  {
    nr: 120,
    name: "ipc_buffer",
    params: [{ name: "ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 121: send with the words in the IPC buffer: send words 0..words-1 of the caller's IPC buffer
   * (the rest are 0) on endpoint and block until the server answers; the answer's words are then
   * in the IPC buffer (and the message registers). One crossing into the kernel, no 64-bit
   * arguments. No deadline: it waits for the answer or for the server to go.
   */
  {
    nr: 121,
    name: "call",
    params: [{ name: "endpoint", type: "i32" }, { name: "words", type: "i32" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.SEND,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECLOSED, Errno.EDIRECT],
  },
  /**
   * 122: A server's loop in one call (seL4's ReplyRecv): answer rcvid (unless it is 0) with status
   * and words 0..words-1 of the caller's IPC buffer, as reply does (a client that has gone is not
   * an error here: the answer is dropped), then receive the next message or pulse on endpoint as
   * receive does with no body buffer, its words landing in the IPC buffer. Everything is checked
   * before the answer is given.
   */
  {
    nr: 122,
    name: "reply_wait",
    params: [{ name: "endpoint", type: "i32" }, { name: "rcvid", type: "i32" }, { name: "status", type: "i32" }, { name: "words", type: "i32" }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.RECEIVE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.EMFILE, Errno.EDIRECT],
  },
  /**
   * 123: Signal and wait in one call (seL4's NBSendRecv), the step of an event loop or a
   * ping-pong: queue the pulse (code, value) on endpoint exactly as pulse does (its limits too),
   * then wait on wait_endpoint as reply_wait does with rcvid 0: the next message or pulse, its
   * words landing in the IPC buffer. The pulse's value is an i32 (no 64-bit argument: the
   * receiver's word 1 is it sign-extended; use pulse for a 64-bit value). endpoint and
   * wait_endpoint may be the same endpoint (with nobody else waiting there, the caller then takes
   * its own pulse). Everything is checked before the pulse is queued, so a refused call neither
   * pulses nor waits.
   */
  {
    nr: 123,
    name: "pulse_wait",
    params: [{ name: "endpoint", type: "i32", rights: Rights.SEND }, { name: "code", type: "i32" }, { name: "value", type: "i32" }, { name: "wait_endpoint", type: "i32", rights: Rights.RECEIVE }],
    result: "i32",
    blocking: true,
    pledge: PledgeClass.ipc,
    rights: Rights.SEND | Rights.RECEIVE,
    errors: [Errno.EBADH, Errno.ESTALE, Errno.EWRONGTYPE, Errno.EACCES, Errno.EINVAL, Errno.ECLOSED, Errno.EAGAIN, Errno.EMFILE, Errno.EDIRECT],
  },
  /**
   * 140: Read a message register into memory: word index of the last thing delivered to the caller
   * (a received message or pulse, or the reply to its send) is written as an i64 at word_ptr.
   * Unlike msg_word, an error cannot be mistaken for a word.
   */
  {
    nr: 140,
    name: "msg_word_get",
    params: [{ name: "index", type: "i32" }, { name: "word_ptr", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.ipc,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT],
  },
  /**
   * 141: Number of environment variables the process was started with. A process spawned by
   * another inherits its spawner's environment; the host or a boot manifest sets the first one's
   * (`wasmos run --env K=V`, a manifest entry's `env`).
   */
  {
    nr: 141,
    name: "env_count",
    params: [],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [],
  },
  /**
   * 142: Copy one environment variable, `KEY=VALUE` in UTF-8 with no terminator, into a buffer.
   * Copies at most buf_len bytes and returns the full length, so a short buffer can be retried (as
   * arg_get).
   */
  {
    nr: 142,
    name: "env_get",
    params: [{ name: "index", type: "i32" }, { name: "buf_ptr", type: "i32" }, { name: "buf_len", type: "i32" }],
    result: "i32",
    blocking: false,
    pledge: PledgeClass.core,
    rights: Rights.NONE,
    errors: [Errno.EINVAL, Errno.EFAULT],
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
  handle_dup: SYSCALLS[15]!,
  handle_revoke: SYSCALLS[16]!,
  handle_info: SYSCALLS[17]!,
  pledge: SYSCALLS[18]!,
  endpoint_create: SYSCALLS[19]!,
  send: SYSCALLS[20]!,
  sendmsg: SYSCALLS[21]!,
  receive: SYSCALLS[22]!,
  reply: SYSCALLS[23]!,
  replymsg: SYSCALLS[24]!,
  reply_error: SYSCALLS[25]!,
  pulse: SYSCALLS[26]!,
  msg_word: SYSCALLS[27]!,
  msg_info: SYSCALLS[28]!,
  msg_handle: SYSCALLS[29]!,
  name_register: SYSCALLS[30]!,
  name_lookup: SYSCALLS[31]!,
  name_unregister: SYSCALLS[32]!,
  port_create: SYSCALLS[33]!,
  port_bind: SYSCALLS[34]!,
  port_send: SYSCALLS[35]!,
  memory_create: SYSCALLS[36]!,
  memory_size: SYSCALLS[37]!,
  memory_map: SYSCALLS[38]!,
  window_read: SYSCALLS[39]!,
  window_write: SYSCALLS[40]!,
  window_get: SYSCALLS[41]!,
  window_set: SYSCALLS[42]!,
  window_info: SYSCALLS[43]!,
  futex_wait: SYSCALLS[44]!,
  futex_wake: SYSCALLS[45]!,
  memory_stats: SYSCALLS[46]!,
  memory_set_budget: SYSCALLS[47]!,
  window_get_packed: SYSCALLS[48]!,
  sched_set_priority: SYSCALLS[49]!,
  sched_set_tier: SYSCALLS[50]!,
  sched_set_deadline: SYSCALLS[51]!,
  sched_wait_period: SYSCALLS[52]!,
  sched_info: SYSCALLS[53]!,
  cpu_time: SYSCALLS[54]!,
  set_limit: SYSCALLS[55]!,
  partition_create: SYSCALLS[56]!,
  partition_join: SYSCALLS[57]!,
  partition_info: SYSCALLS[58]!,
  device_attach: SYSCALLS[59]!,
  device_info: SYSCALLS[60]!,
  timer_set: SYSCALLS[61]!,
  console_rx: SYSCALLS[62]!,
  console_tx: SYSCALLS[63]!,
  audio_submit: SYSCALLS[64]!,
  fb_write: SYSCALLS[65]!,
  fb_present: SYSCALLS[66]!,
  rng_read: SYSCALLS[67]!,
  fb_memory: SYSCALLS[68]!,
  ns_open: SYSCALLS[69]!,
  ns_mount: SYSCALLS[70]!,
  ns_unmount: SYSCALLS[71]!,
  ns_scope: SYSCALLS[72]!,
  ns_call: SYSCALLS[73]!,
  io_call: SYSCALLS[74]!,
  unveil: SYSCALLS[75]!,
  io_reply_wait: SYSCALLS[76]!,
  proc_next: SYSCALLS[77]!,
  hostdir_call: SYSCALLS[78]!,
  ipc_buffer: SYSCALLS[79]!,
  call: SYSCALLS[80]!,
  reply_wait: SYSCALLS[81]!,
  pulse_wait: SYSCALLS[82]!,
  msg_word_get: SYSCALLS[83]!,
  env_count: SYSCALLS[84]!,
  env_get: SYSCALLS[85]!,
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
  SYSCALLS[15], // 16: handle_dup
  SYSCALLS[16], // 17: handle_revoke
  SYSCALLS[17], // 18: handle_info
  SYSCALLS[18], // 19: pledge
  SYSCALLS[19], // 20: endpoint_create
  SYSCALLS[20], // 21: send
  SYSCALLS[21], // 22: sendmsg
  SYSCALLS[22], // 23: receive
  SYSCALLS[23], // 24: reply
  SYSCALLS[24], // 25: replymsg
  SYSCALLS[25], // 26: reply_error
  SYSCALLS[26], // 27: pulse
  SYSCALLS[27], // 28: msg_word
  SYSCALLS[28], // 29: msg_info
  SYSCALLS[29], // 30: msg_handle
  SYSCALLS[30], // 31: name_register
  SYSCALLS[31], // 32: name_lookup
  SYSCALLS[32], // 33: name_unregister
  SYSCALLS[33], // 34: port_create
  SYSCALLS[34], // 35: port_bind
  SYSCALLS[35], // 36: port_send
  undefined, // 37: unused
  undefined, // 38: unused
  undefined, // 39: unused
  SYSCALLS[36], // 40: memory_create
  SYSCALLS[37], // 41: memory_size
  SYSCALLS[38], // 42: memory_map
  SYSCALLS[39], // 43: window_read
  SYSCALLS[40], // 44: window_write
  SYSCALLS[41], // 45: window_get
  SYSCALLS[42], // 46: window_set
  SYSCALLS[43], // 47: window_info
  SYSCALLS[44], // 48: futex_wait
  SYSCALLS[45], // 49: futex_wake
  SYSCALLS[46], // 50: memory_stats
  SYSCALLS[47], // 51: memory_set_budget
  SYSCALLS[48], // 52: window_get_packed
  undefined, // 53: unused
  undefined, // 54: unused
  undefined, // 55: unused
  undefined, // 56: unused
  undefined, // 57: unused
  undefined, // 58: unused
  undefined, // 59: unused
  SYSCALLS[49], // 60: sched_set_priority
  SYSCALLS[50], // 61: sched_set_tier
  SYSCALLS[51], // 62: sched_set_deadline
  SYSCALLS[52], // 63: sched_wait_period
  SYSCALLS[53], // 64: sched_info
  SYSCALLS[54], // 65: cpu_time
  SYSCALLS[55], // 66: set_limit
  SYSCALLS[56], // 67: partition_create
  SYSCALLS[57], // 68: partition_join
  SYSCALLS[58], // 69: partition_info
  undefined, // 70: unused
  undefined, // 71: unused
  undefined, // 72: unused
  undefined, // 73: unused
  undefined, // 74: unused
  undefined, // 75: unused
  undefined, // 76: unused
  undefined, // 77: unused
  undefined, // 78: unused
  undefined, // 79: unused
  SYSCALLS[59], // 80: device_attach
  SYSCALLS[60], // 81: device_info
  SYSCALLS[61], // 82: timer_set
  SYSCALLS[62], // 83: console_rx
  SYSCALLS[63], // 84: console_tx
  SYSCALLS[64], // 85: audio_submit
  SYSCALLS[65], // 86: fb_write
  SYSCALLS[66], // 87: fb_present
  SYSCALLS[67], // 88: rng_read
  SYSCALLS[68], // 89: fb_memory
  undefined, // 90: unused
  undefined, // 91: unused
  undefined, // 92: unused
  undefined, // 93: unused
  undefined, // 94: unused
  undefined, // 95: unused
  undefined, // 96: unused
  undefined, // 97: unused
  undefined, // 98: unused
  undefined, // 99: unused
  SYSCALLS[69], // 100: ns_open
  SYSCALLS[70], // 101: ns_mount
  SYSCALLS[71], // 102: ns_unmount
  SYSCALLS[72], // 103: ns_scope
  SYSCALLS[73], // 104: ns_call
  SYSCALLS[74], // 105: io_call
  SYSCALLS[75], // 106: unveil
  SYSCALLS[76], // 107: io_reply_wait
  undefined, // 108: unused
  undefined, // 109: unused
  SYSCALLS[77], // 110: proc_next
  SYSCALLS[78], // 111: hostdir_call
  undefined, // 112: unused
  undefined, // 113: unused
  undefined, // 114: unused
  undefined, // 115: unused
  undefined, // 116: unused
  undefined, // 117: unused
  undefined, // 118: unused
  undefined, // 119: unused
  SYSCALLS[79], // 120: ipc_buffer
  SYSCALLS[80], // 121: call
  SYSCALLS[81], // 122: reply_wait
  SYSCALLS[82], // 123: pulse_wait
  undefined, // 124: unused
  undefined, // 125: unused
  undefined, // 126: unused
  undefined, // 127: unused
  undefined, // 128: unused
  undefined, // 129: unused
  undefined, // 130: unused
  undefined, // 131: unused
  undefined, // 132: unused
  undefined, // 133: unused
  undefined, // 134: unused
  undefined, // 135: unused
  undefined, // 136: unused
  undefined, // 137: unused
  undefined, // 138: unused
  undefined, // 139: unused
  SYSCALLS[83], // 140: msg_word_get
  SYSCALLS[84], // 141: env_count
  SYSCALLS[85], // 142: env_get
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
  handle_dup: [handle: number, rights: number];
  handle_revoke: [handle: number];
  handle_info: [handle: number, info_ptr: number];
  pledge: [promises: number];
  endpoint_create: [];
  send: [endpoint: number, w0: bigint, w1: bigint, w2: bigint, w3: bigint, deadline_ns: bigint];
  sendmsg: [endpoint: number, desc_ptr: number, deadline_ns: bigint];
  receive: [endpoint: number, buf_ptr: number, buf_len: number, deadline_ns: bigint];
  reply: [rcvid: number, status: number, w0: bigint, w1: bigint, buf_ptr: number, buf_len: number];
  replymsg: [rcvid: number, status: number, desc_ptr: number];
  reply_error: [rcvid: number, errno: number];
  pulse: [endpoint: number, code: number, value: bigint];
  msg_word: [index: number];
  msg_info: [info_ptr: number];
  msg_handle: [index: number];
  name_register: [namespace: number, name_ptr: number, name_len: number, endpoint: number];
  name_lookup: [namespace: number, name_ptr: number, name_len: number];
  name_unregister: [namespace: number, name_ptr: number, name_len: number];
  port_create: [];
  port_bind: [port: number, name_ptr: number, name_len: number, key: number, flags: number];
  port_send: [port: number, code: number, value: bigint];
  memory_create: [size_bytes: number];
  memory_size: [memory: number];
  memory_map: [memory: number, offset: number, count: number, stride: number, elem_size: number];
  window_read: [window: number, first: number, count: number, buf_ptr: number];
  window_write: [window: number, first: number, count: number, buf_ptr: number];
  window_get: [window: number, index: number];
  window_set: [window: number, index: number, value: bigint];
  window_info: [window: number, buf_ptr: number, buf_len: number];
  futex_wait: [memory: number, offset: number, expected: number, deadline_ns: bigint];
  futex_wake: [memory: number, offset: number, count: number];
  memory_stats: [process: number, buf_ptr: number, buf_len: number];
  memory_set_budget: [process: number, pages: number];
  window_get_packed: [window: number, index: number, n: number];
  sched_set_priority: [process: number, priority: number, policy: number];
  sched_set_tier: [process: number, tier: number];
  sched_set_deadline: [process: number, runtime_ns: bigint, period_ns: bigint, deadline_ns: bigint];
  sched_wait_period: [];
  sched_info: [process: number, buf_ptr: number, buf_len: number];
  cpu_time: [process: number];
  set_limit: [process: number, limit: number, value: bigint];
  partition_create: [share: number];
  partition_join: [partition: number, process: number];
  partition_info: [partition: number, buf_ptr: number, buf_len: number];
  device_attach: [device: number, endpoint: number, code: number];
  device_info: [device: number, key: number];
  timer_set: [timer: number, deadline: bigint];
  console_rx: [console: number, buf_ptr: number, buf_len: number];
  console_tx: [console: number, buf_ptr: number, buf_len: number];
  audio_submit: [audio: number, source: number, offset: number, frames: number, flags: number];
  fb_write: [fb: number, offset: number, buf_ptr: number, buf_len: number];
  fb_present: [fb: number];
  rng_read: [rng: number, buf_ptr: number, buf_len: number];
  fb_memory: [fb: number];
  ns_open: [dir: number, path_ptr: number, path_len: number, flags: number];
  ns_mount: [dir: number, path_ptr: number, path_len: number, endpoint: number, flags: number];
  ns_unmount: [dir: number, path_ptr: number, path_len: number];
  ns_scope: [dir: number, path_ptr: number, path_len: number, rights: number];
  ns_call: [dir: number, desc_ptr: number];
  io_call: [file: number, desc_ptr: number];
  unveil: [rules_ptr: number, count: number];
  io_reply_wait: [endpoint: number, rcvid: number, status: number, words: number, buf_ptr: number, buf_len: number];
  proc_next: [kinfo: number, after_pid: number, buf_ptr: number, buf_len: number];
  hostdir_call: [hostdir: number, req_ptr: number];
  ipc_buffer: [ptr: number];
  call: [endpoint: number, words: number];
  reply_wait: [endpoint: number, rcvid: number, status: number, words: number];
  pulse_wait: [endpoint: number, code: number, value: number, wait_endpoint: number];
  msg_word_get: [index: number, word_ptr: number];
  env_count: [];
  env_get: [index: number, buf_ptr: number, buf_len: number];
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
  handle_dup: number;
  handle_revoke: number;
  handle_info: number;
  pledge: number;
  endpoint_create: number;
  send: number;
  sendmsg: number;
  receive: number;
  reply: number;
  replymsg: number;
  reply_error: number;
  pulse: number;
  msg_word: bigint;
  msg_info: number;
  msg_handle: number;
  name_register: number;
  name_lookup: number;
  name_unregister: number;
  port_create: number;
  port_bind: number;
  port_send: number;
  memory_create: number;
  memory_size: number;
  memory_map: number;
  window_read: number;
  window_write: number;
  window_get: bigint;
  window_set: number;
  window_info: number;
  futex_wait: number;
  futex_wake: number;
  memory_stats: number;
  memory_set_budget: number;
  window_get_packed: bigint;
  sched_set_priority: number;
  sched_set_tier: number;
  sched_set_deadline: number;
  sched_wait_period: number;
  sched_info: number;
  cpu_time: bigint;
  set_limit: number;
  partition_create: number;
  partition_join: number;
  partition_info: number;
  device_attach: number;
  device_info: bigint;
  timer_set: number;
  console_rx: number;
  console_tx: number;
  audio_submit: number;
  fb_write: number;
  fb_present: number;
  rng_read: number;
  fb_memory: number;
  ns_open: number;
  ns_mount: number;
  ns_unmount: number;
  ns_scope: number;
  ns_call: number;
  io_call: number;
  unveil: number;
  io_reply_wait: number;
  proc_next: number;
  hostdir_call: number;
  ipc_buffer: number;
  call: number;
  reply_wait: number;
  pulse_wait: number;
  msg_word_get: number;
  env_count: number;
  env_get: number;
}[N];

// ---- Structs: layouts in guest memory (docs/abi.md, Structs) ----

/**
 * The little-endian accessors the readers and writers use (GuestMemory has them). Offsets are
 * unsigned.
 */
export interface StructMemory {
  i32(at: number): number;
  setI32(at: number, v: number): void;
  i64(at: number): bigint;
  setI64(at: number, v: bigint): void;
  u16(at: number): number;
  setU16(at: number, v: number): void;
  u32(at: number): number;
  setU32(at: number, v: number): void;
  u64(at: number): bigint;
  setU64(at: number, v: bigint): void;
  u8(at: number): number;
  setU8(at: number, v: number): void;
}

/** exit_info: How a process ended: written by wait. 8 bytes, aligned to 4. */
export interface ExitInfo {
  /** Exit status (exit's argument, kill's status, or the trap's). (i32 at 0) */
  status: number;
  /** Why it ended: an exit reason (NORMAL, KILLED, ...). (u32 at 4) */
  reason: number;
}

/** Byte offsets of exit_info's fields, its SIZE and ALIGN. */
export const ExitInfoLayout = {
  SIZE: 8,
  ALIGN: 4,
  status: 0,
  reason: 4,
} as const;

/** Write a exit_info at `at` (bounds checked by the caller). */
export function writeExitInfo(mem: StructMemory, at: number, v: ExitInfo): void {
  mem.setI32(at + 0, v.status);
  mem.setU32(at + 4, v.reason);
}

/** Read a exit_info at `at` (bounds checked by the caller). */
export function readExitInfo(mem: StructMemory, at: number): ExitInfo {
  return {
    status: mem.i32(at + 0),
    reason: mem.u32(at + 4),
  };
}

/** process_info: A process described: written by process_info. 40 bytes, aligned to 8. */
export interface ProcessInfo {
  /** Its process id. (u32 at 0) */
  pid: number;
  /** Its spawner's pid (0: the host). (u32 at 4) */
  parentPid: number;
  /** A process state (READY, RUNNING, ...). (u32 at 8) */
  state: number;
  /** Its effective priority. (u32 at 12) */
  priority: number;
  /** Exit status once EXITED, else 0. (i32 at 16) */
  exitStatus: number;
  /** Exit reason once EXITED, else 0. (u32 at 20) */
  exitReason: number;
  /** CPU time it has used, in ns. (u64 at 24) */
  cpuTimeNs: bigint;
  /** Pages of its own memory (0 once EXITED). (u32 at 32) */
  memoryPages: number;
  /** Handles in its table. (u32 at 36) */
  handleCount: number;
}

/** Byte offsets of process_info's fields, its SIZE and ALIGN. */
export const ProcessInfoLayout = {
  SIZE: 40,
  ALIGN: 8,
  pid: 0,
  parentPid: 4,
  state: 8,
  priority: 12,
  exitStatus: 16,
  exitReason: 20,
  cpuTimeNs: 24,
  memoryPages: 32,
  handleCount: 36,
} as const;

/** Write a process_info at `at` (bounds checked by the caller). */
export function writeProcessInfo(mem: StructMemory, at: number, v: ProcessInfo): void {
  mem.setU32(at + 0, v.pid);
  mem.setU32(at + 4, v.parentPid);
  mem.setU32(at + 8, v.state);
  mem.setU32(at + 12, v.priority);
  mem.setI32(at + 16, v.exitStatus);
  mem.setU32(at + 20, v.exitReason);
  mem.setU64(at + 24, v.cpuTimeNs);
  mem.setU32(at + 32, v.memoryPages);
  mem.setU32(at + 36, v.handleCount);
}

/** Read a process_info at `at` (bounds checked by the caller). */
export function readProcessInfo(mem: StructMemory, at: number): ProcessInfo {
  return {
    pid: mem.u32(at + 0),
    parentPid: mem.u32(at + 4),
    state: mem.u32(at + 8),
    priority: mem.u32(at + 12),
    exitStatus: mem.i32(at + 16),
    exitReason: mem.u32(at + 20),
    cpuTimeNs: mem.u64(at + 24),
    memoryPages: mem.u32(at + 32),
    handleCount: mem.u32(at + 36),
  };
}

/** proc_record: A process as /proc shows it: written by proc_next. 112 bytes, aligned to 8. */
export interface ProcRecord {
  /** Its process id. (u32 at 0) */
  pid: number;
  /** Its spawner's pid (0: the host). (u32 at 4) */
  parentPid: number;
  /** A process state (READY, RUNNING, ...). (u32 at 8) */
  state: number;
  /** Its effective priority (raised by priority inheritance). (u32 at 12) */
  priority: number;
  /** Exit status once EXITED, else 0. (i32 at 16) */
  exitStatus: number;
  /** Exit reason once EXITED, else 0. (u32 at 20) */
  exitReason: number;
  /** CPU time it has used, in ns. (u64 at 24) */
  cpuTimeNs: bigint;
  /**
   * Pages it is charged for: its own memory and the live memory objects it created (0 once
   * EXITED). (u32 at 32)
   */
  memoryPages: number;
  /** Handles in its table. (u32 at 36) */
  handleCount: number;
  /** Its own priority, before inheritance. (u32 at 40) */
  basePriority: number;
  /** Its memory budget in pages (0xFFFFFFFF: none of its own). (u32 at 44) */
  budgetPages: number;
  /** The object id of its CPU partition. (u32 at 48) */
  partition: number;
  /** That partition's share of the CPU, permille. (u32 at 52) */
  partitionShare: number;
  /** Bytes the kernel copied between processes on its behalf. (u64 at 56) */
  bytesCopied: bigint;
  /** argv[0], UTF-8, NUL-padded, cut at 32 bytes. (u8 x 32 at 64) */
  name: readonly number[];
  /** The blocking syscall it waits in, NUL-padded; empty when it is not blocked. (u8 x 16 at 96) */
  blockedIn: readonly number[];
}

/** Byte offsets of proc_record's fields, its SIZE and ALIGN. */
export const ProcRecordLayout = {
  SIZE: 112,
  ALIGN: 8,
  pid: 0,
  parentPid: 4,
  state: 8,
  priority: 12,
  exitStatus: 16,
  exitReason: 20,
  cpuTimeNs: 24,
  memoryPages: 32,
  handleCount: 36,
  basePriority: 40,
  budgetPages: 44,
  partition: 48,
  partitionShare: 52,
  bytesCopied: 56,
  name: 64,
  blockedIn: 96,
} as const;

/** Write a proc_record at `at` (bounds checked by the caller). */
export function writeProcRecord(mem: StructMemory, at: number, v: ProcRecord): void {
  mem.setU32(at + 0, v.pid);
  mem.setU32(at + 4, v.parentPid);
  mem.setU32(at + 8, v.state);
  mem.setU32(at + 12, v.priority);
  mem.setI32(at + 16, v.exitStatus);
  mem.setU32(at + 20, v.exitReason);
  mem.setU64(at + 24, v.cpuTimeNs);
  mem.setU32(at + 32, v.memoryPages);
  mem.setU32(at + 36, v.handleCount);
  mem.setU32(at + 40, v.basePriority);
  mem.setU32(at + 44, v.budgetPages);
  mem.setU32(at + 48, v.partition);
  mem.setU32(at + 52, v.partitionShare);
  mem.setU64(at + 56, v.bytesCopied);
  mem.setU8(at + 64, v.name[0] ?? 0);
  mem.setU8(at + 65, v.name[1] ?? 0);
  mem.setU8(at + 66, v.name[2] ?? 0);
  mem.setU8(at + 67, v.name[3] ?? 0);
  mem.setU8(at + 68, v.name[4] ?? 0);
  mem.setU8(at + 69, v.name[5] ?? 0);
  mem.setU8(at + 70, v.name[6] ?? 0);
  mem.setU8(at + 71, v.name[7] ?? 0);
  mem.setU8(at + 72, v.name[8] ?? 0);
  mem.setU8(at + 73, v.name[9] ?? 0);
  mem.setU8(at + 74, v.name[10] ?? 0);
  mem.setU8(at + 75, v.name[11] ?? 0);
  mem.setU8(at + 76, v.name[12] ?? 0);
  mem.setU8(at + 77, v.name[13] ?? 0);
  mem.setU8(at + 78, v.name[14] ?? 0);
  mem.setU8(at + 79, v.name[15] ?? 0);
  mem.setU8(at + 80, v.name[16] ?? 0);
  mem.setU8(at + 81, v.name[17] ?? 0);
  mem.setU8(at + 82, v.name[18] ?? 0);
  mem.setU8(at + 83, v.name[19] ?? 0);
  mem.setU8(at + 84, v.name[20] ?? 0);
  mem.setU8(at + 85, v.name[21] ?? 0);
  mem.setU8(at + 86, v.name[22] ?? 0);
  mem.setU8(at + 87, v.name[23] ?? 0);
  mem.setU8(at + 88, v.name[24] ?? 0);
  mem.setU8(at + 89, v.name[25] ?? 0);
  mem.setU8(at + 90, v.name[26] ?? 0);
  mem.setU8(at + 91, v.name[27] ?? 0);
  mem.setU8(at + 92, v.name[28] ?? 0);
  mem.setU8(at + 93, v.name[29] ?? 0);
  mem.setU8(at + 94, v.name[30] ?? 0);
  mem.setU8(at + 95, v.name[31] ?? 0);
  mem.setU8(at + 96, v.blockedIn[0] ?? 0);
  mem.setU8(at + 97, v.blockedIn[1] ?? 0);
  mem.setU8(at + 98, v.blockedIn[2] ?? 0);
  mem.setU8(at + 99, v.blockedIn[3] ?? 0);
  mem.setU8(at + 100, v.blockedIn[4] ?? 0);
  mem.setU8(at + 101, v.blockedIn[5] ?? 0);
  mem.setU8(at + 102, v.blockedIn[6] ?? 0);
  mem.setU8(at + 103, v.blockedIn[7] ?? 0);
  mem.setU8(at + 104, v.blockedIn[8] ?? 0);
  mem.setU8(at + 105, v.blockedIn[9] ?? 0);
  mem.setU8(at + 106, v.blockedIn[10] ?? 0);
  mem.setU8(at + 107, v.blockedIn[11] ?? 0);
  mem.setU8(at + 108, v.blockedIn[12] ?? 0);
  mem.setU8(at + 109, v.blockedIn[13] ?? 0);
  mem.setU8(at + 110, v.blockedIn[14] ?? 0);
  mem.setU8(at + 111, v.blockedIn[15] ?? 0);
}

/** Read a proc_record at `at` (bounds checked by the caller). */
export function readProcRecord(mem: StructMemory, at: number): ProcRecord {
  return {
    pid: mem.u32(at + 0),
    parentPid: mem.u32(at + 4),
    state: mem.u32(at + 8),
    priority: mem.u32(at + 12),
    exitStatus: mem.i32(at + 16),
    exitReason: mem.u32(at + 20),
    cpuTimeNs: mem.u64(at + 24),
    memoryPages: mem.u32(at + 32),
    handleCount: mem.u32(at + 36),
    basePriority: mem.u32(at + 40),
    budgetPages: mem.u32(at + 44),
    partition: mem.u32(at + 48),
    partitionShare: mem.u32(at + 52),
    bytesCopied: mem.u64(at + 56),
    name: [mem.u8(at + 64), mem.u8(at + 65), mem.u8(at + 66), mem.u8(at + 67), mem.u8(at + 68), mem.u8(at + 69), mem.u8(at + 70), mem.u8(at + 71), mem.u8(at + 72), mem.u8(at + 73), mem.u8(at + 74), mem.u8(at + 75), mem.u8(at + 76), mem.u8(at + 77), mem.u8(at + 78), mem.u8(at + 79), mem.u8(at + 80), mem.u8(at + 81), mem.u8(at + 82), mem.u8(at + 83), mem.u8(at + 84), mem.u8(at + 85), mem.u8(at + 86), mem.u8(at + 87), mem.u8(at + 88), mem.u8(at + 89), mem.u8(at + 90), mem.u8(at + 91), mem.u8(at + 92), mem.u8(at + 93), mem.u8(at + 94), mem.u8(at + 95)],
    blockedIn: [mem.u8(at + 96), mem.u8(at + 97), mem.u8(at + 98), mem.u8(at + 99), mem.u8(at + 100), mem.u8(at + 101), mem.u8(at + 102), mem.u8(at + 103), mem.u8(at + 104), mem.u8(at + 105), mem.u8(at + 106), mem.u8(at + 107), mem.u8(at + 108), mem.u8(at + 109), mem.u8(at + 110), mem.u8(at + 111)],
  };
}

/**
 * spawn_handle_entry: One entry of spawn's handle list: a handle passed to the child under a name.
 * Read by spawn. 16 bytes, aligned to 4.
 */
export interface SpawnHandleEntry {
  /**
   * A handle of the caller's: with TRANSFER and DUPLICATE to pass a copy, TRANSFER alone to move
   * it (SPAWN_MOVE_HANDLE). (u32 at 0)
   */
  handle: number;
  /** The name the child finds it by (handle_get): UTF-8. (u32 at 4) */
  namePtr: number;
  /** Bytes of the name: 1..MAX_NAME_BYTES. (u32 at 8) */
  nameLen: number;
  /** SPAWN_MOVE_HANDLE or 0; other bits are refused (EINVAL). (u32 at 12) */
  flags: number;
}

/** Byte offsets of spawn_handle_entry's fields, its SIZE and ALIGN. */
export const SpawnHandleEntryLayout = {
  SIZE: 16,
  ALIGN: 4,
  handle: 0,
  namePtr: 4,
  nameLen: 8,
  flags: 12,
} as const;

/** Write a spawn_handle_entry at `at` (bounds checked by the caller). */
export function writeSpawnHandleEntry(mem: StructMemory, at: number, v: SpawnHandleEntry): void {
  mem.setU32(at + 0, v.handle);
  mem.setU32(at + 4, v.namePtr);
  mem.setU32(at + 8, v.nameLen);
  mem.setU32(at + 12, v.flags);
}

/** Read a spawn_handle_entry at `at` (bounds checked by the caller). */
export function readSpawnHandleEntry(mem: StructMemory, at: number): SpawnHandleEntry {
  return {
    handle: mem.u32(at + 0),
    namePtr: mem.u32(at + 4),
    nameLen: mem.u32(at + 8),
    flags: mem.u32(at + 12),
  };
}

/** handle_info: A handle described: written by handle_info. 16 bytes, aligned to 4. */
export interface HandleInfo {
  /** The object's type (an object type value). (u32 at 0) */
  objectType: number;
  /** The handle's rights mask. (u32 at 4) */
  rights: number;
  /** The object's id: the same object always has the same id. (u32 at 8) */
  objectId: number;
  /** Derivation depth: 0 for a handle that derives from none. (u32 at 12) */
  depth: number;
}

/** Byte offsets of handle_info's fields, its SIZE and ALIGN. */
export const HandleInfoLayout = {
  SIZE: 16,
  ALIGN: 4,
  objectType: 0,
  rights: 4,
  objectId: 8,
  depth: 12,
} as const;

/** Write a handle_info at `at` (bounds checked by the caller). */
export function writeHandleInfo(mem: StructMemory, at: number, v: HandleInfo): void {
  mem.setU32(at + 0, v.objectType);
  mem.setU32(at + 4, v.rights);
  mem.setU32(at + 8, v.objectId);
  mem.setU32(at + 12, v.depth);
}

/** Read a handle_info at `at` (bounds checked by the caller). */
export function readHandleInfo(mem: StructMemory, at: number): HandleInfo {
  return {
    objectType: mem.u32(at + 0),
    rights: mem.u32(at + 4),
    objectId: mem.u32(at + 8),
    depth: mem.u32(at + 12),
  };
}

/**
 * hostdir_req: A request to a host-directory device: read by hostdir_call. Paths are UTF-8,
 * relative to the exposed root whether or not they start with /. 48 bytes, aligned to 8.
 */
export interface HostdirReq {
  /** A HOSTDIR_* operation. (u32 at 0) */
  op: number;
  /**
   * HOSTDIR_CREATE, HOSTDIR_EXCL, HOSTDIR_TRUNC, HOSTDIR_NOFOLLOW, HOSTDIR_OPEN_WRITE where the
   * operation takes them; 0 otherwise. (u32 at 4)
   */
  flags: number;
  /**
   * READ/WRITE (and READ_OPEN/WRITE_OPEN): the file offset; SETSIZE (SETSIZE_OPEN): the size;
   * SETTIMES (SETTIMES_OPEN): the time in ns; LIST: the index of the first entry. (i64 at 8)
   */
  offset: bigint;
  /** Pointer to the path (not read by the *_OPEN operations and CLOSE). (u32 at 16) */
  path: number;
  /** Its length in bytes (1..1024). (u32 at 20) */
  pathLen: number;
  /** RENAME: the new path; SYMLINK: the link's target. (u32 at 24) */
  path2: number;
  /** Its length (0 for other operations). (u32 at 28) */
  path2Len: number;
  /** The data (WRITE) or where answers go (READ, STAT, LSTAT, LIST, READLINK). (u32 at 32) */
  buf: number;
  /**
   * Bytes of buf (0..MAX_IO_BYTES; READ_OPEN and WRITE_OPEN: 0..MAX_MSG_BYTES, the most one I/O
   * request moves). (u32 at 36)
   */
  len: number;
  /**
   * CLOSE and the *_OPEN operations: an open-file id HOSTDIR_OPEN returned to the caller; 0
   * otherwise. (u32 at 40)
   */
  file: number;
  /** Must be 0. (u32 at 44) */
  reserved: number;
}

/** Byte offsets of hostdir_req's fields, its SIZE and ALIGN. */
export const HostdirReqLayout = {
  SIZE: 48,
  ALIGN: 8,
  op: 0,
  flags: 4,
  offset: 8,
  path: 16,
  pathLen: 20,
  path2: 24,
  path2Len: 28,
  buf: 32,
  len: 36,
  file: 40,
  reserved: 44,
} as const;

/** Write a hostdir_req at `at` (bounds checked by the caller). */
export function writeHostdirReq(mem: StructMemory, at: number, v: HostdirReq): void {
  mem.setU32(at + 0, v.op);
  mem.setU32(at + 4, v.flags);
  mem.setI64(at + 8, v.offset);
  mem.setU32(at + 16, v.path);
  mem.setU32(at + 20, v.pathLen);
  mem.setU32(at + 24, v.path2);
  mem.setU32(at + 28, v.path2Len);
  mem.setU32(at + 32, v.buf);
  mem.setU32(at + 36, v.len);
  mem.setU32(at + 40, v.file);
  mem.setU32(at + 44, v.reserved);
}

/** Read a hostdir_req at `at` (bounds checked by the caller). */
export function readHostdirReq(mem: StructMemory, at: number): HostdirReq {
  return {
    op: mem.u32(at + 0),
    flags: mem.u32(at + 4),
    offset: mem.i64(at + 8),
    path: mem.u32(at + 16),
    pathLen: mem.u32(at + 20),
    path2: mem.u32(at + 24),
    path2Len: mem.u32(at + 28),
    buf: mem.u32(at + 32),
    len: mem.u32(at + 36),
    file: mem.u32(at + 40),
    reserved: mem.u32(at + 44),
  };
}

/**
 * hostdir_stat: A file described: written by hostdir_call STAT and LSTAT (the layout of the
 * namespace's stat). 32 bytes, aligned to 8.
 */
export interface HostdirStat {
  /**
   * 1 a regular file, 2 a directory, 3 a symbolic link, 4 anything else (a device, a FIFO, a
   * socket). (u32 at 0)
   */
  type: number;
  /** Its hard links. (u32 at 4) */
  nlink: number;
  /** Bytes. (u64 at 8) */
  size: bigint;
  /** The host's inode number. (u64 at 16) */
  ino: bigint;
  /** Modification time, ns since 1970. (i64 at 24) */
  mtimeNs: bigint;
}

/** Byte offsets of hostdir_stat's fields, its SIZE and ALIGN. */
export const HostdirStatLayout = {
  SIZE: 32,
  ALIGN: 8,
  type: 0,
  nlink: 4,
  size: 8,
  ino: 16,
  mtimeNs: 24,
} as const;

/** Write a hostdir_stat at `at` (bounds checked by the caller). */
export function writeHostdirStat(mem: StructMemory, at: number, v: HostdirStat): void {
  mem.setU32(at + 0, v.type);
  mem.setU32(at + 4, v.nlink);
  mem.setU64(at + 8, v.size);
  mem.setU64(at + 16, v.ino);
  mem.setI64(at + 24, v.mtimeNs);
}

/** Read a hostdir_stat at `at` (bounds checked by the caller). */
export function readHostdirStat(mem: StructMemory, at: number): HostdirStat {
  return {
    type: mem.u32(at + 0),
    nlink: mem.u32(at + 4),
    size: mem.u64(at + 8),
    ino: mem.u64(at + 16),
    mtimeNs: mem.i64(at + 24),
  };
}

/**
 * hostdir_dirent: The head of one directory entry written by hostdir_call LIST: the name follows
 * it, and the next record starts at the next multiple of 8. 16 bytes, aligned to 8.
 */
export interface HostdirDirent {
  /** The host's inode number. (u64 at 0) */
  ino: bigint;
  /** As hostdir_stat's type. (u32 at 8) */
  type: number;
  /** Bytes of the name that follows. (u32 at 12) */
  nameLen: number;
}

/** Byte offsets of hostdir_dirent's fields, its SIZE and ALIGN. */
export const HostdirDirentLayout = {
  SIZE: 16,
  ALIGN: 8,
  ino: 0,
  type: 8,
  nameLen: 12,
} as const;

/** Write a hostdir_dirent at `at` (bounds checked by the caller). */
export function writeHostdirDirent(mem: StructMemory, at: number, v: HostdirDirent): void {
  mem.setU64(at + 0, v.ino);
  mem.setU32(at + 8, v.type);
  mem.setU32(at + 12, v.nameLen);
}

/** Read a hostdir_dirent at `at` (bounds checked by the caller). */
export function readHostdirDirent(mem: StructMemory, at: number): HostdirDirent {
  return {
    ino: mem.u64(at + 0),
    type: mem.u32(at + 8),
    nameLen: mem.u32(at + 12),
  };
}

/**
 * msg_desc: A message descriptor: read by sendmsg and replymsg (replymsg ignores reply_ptr and
 * reply_cap). 56 bytes, aligned to 8.
 */
export interface MsgDesc {
  /** The four message words. (i64 x 4 at 0) */
  words: readonly bigint[];
  /** The body to send. (u32 at 32) */
  sendPtr: number;
  /** Bytes of the body: at most MAX_MSG_BYTES. (u32 at 36) */
  sendLen: number;
  /** Where the reply body goes (sendmsg). (u32 at 40) */
  replyPtr: number;
  /** Bytes available there (sendmsg). (u32 at 44) */
  replyCap: number;
  /** Array of u32 handles to pass. (u32 at 48) */
  handlesPtr: number;
  /** Handles in the array: at most MAX_MSG_HANDLES. (u16 at 52) */
  handlesCount: number;
  /** MSG_MOVE_HANDLES or 0; other bits are refused (EINVAL). (u16 at 54) */
  flags: number;
}

/** Byte offsets of msg_desc's fields, its SIZE and ALIGN. */
export const MsgDescLayout = {
  SIZE: 56,
  ALIGN: 8,
  words: 0,
  sendPtr: 32,
  sendLen: 36,
  replyPtr: 40,
  replyCap: 44,
  handlesPtr: 48,
  handlesCount: 52,
  flags: 54,
} as const;

/** Write a msg_desc at `at` (bounds checked by the caller). */
export function writeMsgDesc(mem: StructMemory, at: number, v: MsgDesc): void {
  mem.setI64(at + 0, v.words[0] ?? 0n);
  mem.setI64(at + 8, v.words[1] ?? 0n);
  mem.setI64(at + 16, v.words[2] ?? 0n);
  mem.setI64(at + 24, v.words[3] ?? 0n);
  mem.setU32(at + 32, v.sendPtr);
  mem.setU32(at + 36, v.sendLen);
  mem.setU32(at + 40, v.replyPtr);
  mem.setU32(at + 44, v.replyCap);
  mem.setU32(at + 48, v.handlesPtr);
  mem.setU16(at + 52, v.handlesCount);
  mem.setU16(at + 54, v.flags);
}

/** Read a msg_desc at `at` (bounds checked by the caller). */
export function readMsgDesc(mem: StructMemory, at: number): MsgDesc {
  return {
    words: [mem.i64(at + 0), mem.i64(at + 8), mem.i64(at + 16), mem.i64(at + 24)],
    sendPtr: mem.u32(at + 32),
    sendLen: mem.u32(at + 36),
    replyPtr: mem.u32(at + 40),
    replyCap: mem.u32(at + 44),
    handlesPtr: mem.u32(at + 48),
    handlesCount: mem.u16(at + 52),
    flags: mem.u16(at + 54),
  };
}

/**
 * msg_info: The last thing delivered to a process described: written by msg_info. 24 bytes,
 * aligned to 4.
 */
export interface MsgInfo {
  /** MSG_KIND_* (message, pulse, reply). (u32 at 0) */
  kind: number;
  /** Who sent it (0: the kernel, for interrupts). (u32 at 4) */
  senderPid: number;
  /** The body's full length, even if the buffer was shorter. (u32 at 8) */
  bodyLen: number;
  /** Handles that came with it (msg_handle). (u32 at 12) */
  handles: number;
  /** The status of a reply. (i32 at 16) */
  status: number;
  /** The receive id of a message. (i32 at 20) */
  rcvid: number;
}

/** Byte offsets of msg_info's fields, its SIZE and ALIGN. */
export const MsgInfoLayout = {
  SIZE: 24,
  ALIGN: 4,
  kind: 0,
  senderPid: 4,
  bodyLen: 8,
  handles: 12,
  status: 16,
  rcvid: 20,
} as const;

/** Write a msg_info at `at` (bounds checked by the caller). */
export function writeMsgInfo(mem: StructMemory, at: number, v: MsgInfo): void {
  mem.setU32(at + 0, v.kind);
  mem.setU32(at + 4, v.senderPid);
  mem.setU32(at + 8, v.bodyLen);
  mem.setU32(at + 12, v.handles);
  mem.setI32(at + 16, v.status);
  mem.setI32(at + 20, v.rcvid);
}

/** Read a msg_info at `at` (bounds checked by the caller). */
export function readMsgInfo(mem: StructMemory, at: number): MsgInfo {
  return {
    kind: mem.u32(at + 0),
    senderPid: mem.u32(at + 4),
    bodyLen: mem.u32(at + 8),
    handles: mem.u32(at + 12),
    status: mem.i32(at + 16),
    rcvid: mem.i32(at + 20),
  };
}

/** sched_info: How a process is scheduled: written by sched_info. 80 bytes, aligned to 8. */
export interface SchedInfo {
  /** SCHED_CLASS_*. (u32 at 0) */
  schedClass: number;
  /** SCHED_RR or SCHED_FIFO. (u32 at 4) */
  policy: number;
  /** The priority it set. (u32 at 8) */
  basePriority: number;
  /** Its effective priority (inheritance included). (u32 at 12) */
  priority: number;
  /** Its tier (base priority / 64). (u32 at 16) */
  tier: number;
  /** The highest priority it may set. (u32 at 20) */
  ceiling: number;
  /** CPU time used, in ns. (u64 at 24) */
  cpuTimeNs: bigint;
  /** Its CPU limit in ns (0: none). (u64 at 32) */
  cpuLimitNs: bigint;
  /** Deadline class: runtime per period (else 0). (u64 at 40) */
  runtimeNs: bigint;
  /** Deadline class: the period (else 0). (u64 at 48) */
  periodNs: bigint;
  /** Deadline class: the relative deadline (else 0). (u64 at 56) */
  deadlineNs: bigint;
  /** Deadlines missed. (u32 at 64) */
  deadlineMisses: number;
  /** Latency bounds missed. (u32 at 68) */
  latencyMisses: number;
  /** Times it was preempted. (u32 at 72) */
  preemptions: number;
  /** Times it was throttled (budget or reservation spent). (u32 at 76) */
  throttles: number;
}

/** Byte offsets of sched_info's fields, its SIZE and ALIGN. */
export const SchedInfoLayout = {
  SIZE: 80,
  ALIGN: 8,
  schedClass: 0,
  policy: 4,
  basePriority: 8,
  priority: 12,
  tier: 16,
  ceiling: 20,
  cpuTimeNs: 24,
  cpuLimitNs: 32,
  runtimeNs: 40,
  periodNs: 48,
  deadlineNs: 56,
  deadlineMisses: 64,
  latencyMisses: 68,
  preemptions: 72,
  throttles: 76,
} as const;

/** Write a sched_info at `at` (bounds checked by the caller). */
export function writeSchedInfo(mem: StructMemory, at: number, v: SchedInfo): void {
  mem.setU32(at + 0, v.schedClass);
  mem.setU32(at + 4, v.policy);
  mem.setU32(at + 8, v.basePriority);
  mem.setU32(at + 12, v.priority);
  mem.setU32(at + 16, v.tier);
  mem.setU32(at + 20, v.ceiling);
  mem.setU64(at + 24, v.cpuTimeNs);
  mem.setU64(at + 32, v.cpuLimitNs);
  mem.setU64(at + 40, v.runtimeNs);
  mem.setU64(at + 48, v.periodNs);
  mem.setU64(at + 56, v.deadlineNs);
  mem.setU32(at + 64, v.deadlineMisses);
  mem.setU32(at + 68, v.latencyMisses);
  mem.setU32(at + 72, v.preemptions);
  mem.setU32(at + 76, v.throttles);
}

/** Read a sched_info at `at` (bounds checked by the caller). */
export function readSchedInfo(mem: StructMemory, at: number): SchedInfo {
  return {
    schedClass: mem.u32(at + 0),
    policy: mem.u32(at + 4),
    basePriority: mem.u32(at + 8),
    priority: mem.u32(at + 12),
    tier: mem.u32(at + 16),
    ceiling: mem.u32(at + 20),
    cpuTimeNs: mem.u64(at + 24),
    cpuLimitNs: mem.u64(at + 32),
    runtimeNs: mem.u64(at + 40),
    periodNs: mem.u64(at + 48),
    deadlineNs: mem.u64(at + 56),
    deadlineMisses: mem.u32(at + 64),
    latencyMisses: mem.u32(at + 68),
    preemptions: mem.u32(at + 72),
    throttles: mem.u32(at + 76),
  };
}

/** partition_info: A CPU partition described: written by partition_info. 40 bytes, aligned to 8. */
export interface PartitionInfo {
  /** Its share of the CPU, permille. (u32 at 0) */
  share: number;
  /** The share minus what partitions carved from it took, permille. (u32 at 4) */
  ownShare: number;
  /** Processes in it. (u32 at 8) */
  members: number;
  /** Deadline reservations of its members, permille. (u32 at 12) */
  edfLoad: number;
  /** The averaging window, in ns. (u64 at 16) */
  windowNs: bigint;
  /** CPU ns used in the current window. (u64 at 24) */
  windowUsedNs: bigint;
  /** CPU ns used since it was created. (u64 at 32) */
  totalNs: bigint;
}

/** Byte offsets of partition_info's fields, its SIZE and ALIGN. */
export const PartitionInfoLayout = {
  SIZE: 40,
  ALIGN: 8,
  share: 0,
  ownShare: 4,
  members: 8,
  edfLoad: 12,
  windowNs: 16,
  windowUsedNs: 24,
  totalNs: 32,
} as const;

/** Write a partition_info at `at` (bounds checked by the caller). */
export function writePartitionInfo(mem: StructMemory, at: number, v: PartitionInfo): void {
  mem.setU32(at + 0, v.share);
  mem.setU32(at + 4, v.ownShare);
  mem.setU32(at + 8, v.members);
  mem.setU32(at + 12, v.edfLoad);
  mem.setU64(at + 16, v.windowNs);
  mem.setU64(at + 24, v.windowUsedNs);
  mem.setU64(at + 32, v.totalNs);
}

/** Read a partition_info at `at` (bounds checked by the caller). */
export function readPartitionInfo(mem: StructMemory, at: number): PartitionInfo {
  return {
    share: mem.u32(at + 0),
    ownShare: mem.u32(at + 4),
    members: mem.u32(at + 8),
    edfLoad: mem.u32(at + 12),
    windowNs: mem.u64(at + 16),
    windowUsedNs: mem.u64(at + 24),
    totalNs: mem.u64(at + 32),
  };
}

/** window_info: A window described: written by window_info. 16 bytes, aligned to 4. */
export interface WindowInfo {
  /** Byte offset of its first element in the memory object. (u32 at 0) */
  offset: number;
  /** Elements in it. (u32 at 4) */
  count: number;
  /** Bytes from one element to the next. (u32 at 8) */
  stride: number;
  /** Bytes of an element. (u32 at 12) */
  elemSize: number;
}

/** Byte offsets of window_info's fields, its SIZE and ALIGN. */
export const WindowInfoLayout = {
  SIZE: 16,
  ALIGN: 4,
  offset: 0,
  count: 4,
  stride: 8,
  elemSize: 12,
} as const;

/** Write a window_info at `at` (bounds checked by the caller). */
export function writeWindowInfo(mem: StructMemory, at: number, v: WindowInfo): void {
  mem.setU32(at + 0, v.offset);
  mem.setU32(at + 4, v.count);
  mem.setU32(at + 8, v.stride);
  mem.setU32(at + 12, v.elemSize);
}

/** Read a window_info at `at` (bounds checked by the caller). */
export function readWindowInfo(mem: StructMemory, at: number): WindowInfo {
  return {
    offset: mem.u32(at + 0),
    count: mem.u32(at + 4),
    stride: mem.u32(at + 8),
    elemSize: mem.u32(at + 12),
  };
}

/**
 * memory_stats: Memory accounting of a process and of the system: written by memory_stats. 64
 * bytes, aligned to 8.
 */
export interface MemoryStats {
  /** The process's budget in pages. (u32 at 0) */
  budgetPages: number;
  /** Pages it uses: own memory plus the objects it created. (u32 at 4) */
  usedPages: number;
  /** Pages of its own memory. (u32 at 8) */
  ownPages: number;
  /** Pages of live memory objects it created. (u32 at 12) */
  objectPages: number;
  /** Those objects. (u32 at 16) */
  objects: number;
  /** Grants bound to it. (u32 at 20) */
  grants: number;
  /** Bytes the kernel copied for it (message bodies it sent, window reads and writes). (u64 at 24) */
  bytesCopied: bigint;
  /** The system's pages in use: process memories plus memory objects. (u32 at 32) */
  systemPages: number;
  /** The system's memory object pages. (u32 at 36) */
  systemObjectPages: number;
  /** The system's live memory objects. (u32 at 40) */
  systemObjects: number;
  /** The system's page ceiling. (u32 at 44) */
  systemPageLimit: number;
  /** IPC body bytes the kernel copied, system-wide. (u64 at 48) */
  systemIpcBytes: bigint;
  /** Window bytes the kernel copied, system-wide. (u64 at 56) */
  systemWindowBytes: bigint;
}

/** Byte offsets of memory_stats's fields, its SIZE and ALIGN. */
export const MemoryStatsLayout = {
  SIZE: 64,
  ALIGN: 8,
  budgetPages: 0,
  usedPages: 4,
  ownPages: 8,
  objectPages: 12,
  objects: 16,
  grants: 20,
  bytesCopied: 24,
  systemPages: 32,
  systemObjectPages: 36,
  systemObjects: 40,
  systemPageLimit: 44,
  systemIpcBytes: 48,
  systemWindowBytes: 56,
} as const;

/** Write a memory_stats at `at` (bounds checked by the caller). */
export function writeMemoryStats(mem: StructMemory, at: number, v: MemoryStats): void {
  mem.setU32(at + 0, v.budgetPages);
  mem.setU32(at + 4, v.usedPages);
  mem.setU32(at + 8, v.ownPages);
  mem.setU32(at + 12, v.objectPages);
  mem.setU32(at + 16, v.objects);
  mem.setU32(at + 20, v.grants);
  mem.setU64(at + 24, v.bytesCopied);
  mem.setU32(at + 32, v.systemPages);
  mem.setU32(at + 36, v.systemObjectPages);
  mem.setU32(at + 40, v.systemObjects);
  mem.setU32(at + 44, v.systemPageLimit);
  mem.setU64(at + 48, v.systemIpcBytes);
  mem.setU64(at + 56, v.systemWindowBytes);
}

/** Read a memory_stats at `at` (bounds checked by the caller). */
export function readMemoryStats(mem: StructMemory, at: number): MemoryStats {
  return {
    budgetPages: mem.u32(at + 0),
    usedPages: mem.u32(at + 4),
    ownPages: mem.u32(at + 8),
    objectPages: mem.u32(at + 12),
    objects: mem.u32(at + 16),
    grants: mem.u32(at + 20),
    bytesCopied: mem.u64(at + 24),
    systemPages: mem.u32(at + 32),
    systemObjectPages: mem.u32(at + 36),
    systemObjects: mem.u32(at + 40),
    systemPageLimit: mem.u32(at + 44),
    systemIpcBytes: mem.u64(at + 48),
    systemWindowBytes: mem.u64(at + 56),
  };
}

/**
 * io_desc: An IO descriptor: what ns_call and io_call do (docs/namespace.md). 48 bytes, aligned to
 * 8.
 */
export interface IoDesc {
  /** IO_* operation. (u32 at 0) */
  op: number;
  /** IO_FORM_BUFFER, IO_FORM_REGS or IO_FORM_GRANT (read and write only). (u32 at 4) */
  form: number;
  /**
   * read/write: the file offset; setsize: the size; settimes: mtime ns; readdir: the cookie;
   * mkdir: flags. (i64 at 8)
   */
  offset: bigint;
  /**
   * Buffer and registers forms: a pointer into the caller's memory; grant form: a byte offset into
   * the grant. (u32 at 16)
   */
  buf: number;
  /**
   * Bytes to read or write, or the size of the output buffer (stat, readdir, readlink). (u32 at
   * 20)
   */
  len: number;
  /** Grant form: a MEMORY handle the caller has bound as a grant. (i32 at 24) */
  grant: number;
  /** ns_call: the path (relative to the DIR). (u32 at 28) */
  path: number;
  /** Its length in bytes. (u32 at 32) */
  pathLen: number;
  /** ns_call rename/link: the new path; symlink: the target. (u32 at 36) */
  path2: number;
  /** Its length in bytes. (u32 at 40) */
  path2Len: number;
  /** Must be 0. (u32 at 44) */
  reserved: number;
}

/** Byte offsets of io_desc's fields, its SIZE and ALIGN. */
export const IoDescLayout = {
  SIZE: 48,
  ALIGN: 8,
  op: 0,
  form: 4,
  offset: 8,
  buf: 16,
  len: 20,
  grant: 24,
  path: 28,
  pathLen: 32,
  path2: 36,
  path2Len: 40,
  reserved: 44,
} as const;

/** Write a io_desc at `at` (bounds checked by the caller). */
export function writeIoDesc(mem: StructMemory, at: number, v: IoDesc): void {
  mem.setU32(at + 0, v.op);
  mem.setU32(at + 4, v.form);
  mem.setI64(at + 8, v.offset);
  mem.setU32(at + 16, v.buf);
  mem.setU32(at + 20, v.len);
  mem.setI32(at + 24, v.grant);
  mem.setU32(at + 28, v.path);
  mem.setU32(at + 32, v.pathLen);
  mem.setU32(at + 36, v.path2);
  mem.setU32(at + 40, v.path2Len);
  mem.setU32(at + 44, v.reserved);
}

/** Read a io_desc at `at` (bounds checked by the caller). */
export function readIoDesc(mem: StructMemory, at: number): IoDesc {
  return {
    op: mem.u32(at + 0),
    form: mem.u32(at + 4),
    offset: mem.i64(at + 8),
    buf: mem.u32(at + 16),
    len: mem.u32(at + 20),
    grant: mem.i32(at + 24),
    path: mem.u32(at + 28),
    pathLen: mem.u32(at + 32),
    path2: mem.u32(at + 36),
    path2Len: mem.u32(at + 40),
    reserved: mem.u32(at + 44),
  };
}

/** stat: A file described: written by io_call IO_STAT and ns_call IO_PSTAT. 32 bytes, aligned to 8. */
export interface Stat {
  /** FILE_TYPE_*. (u32 at 0) */
  type: number;
  /** Names it has. (u32 at 4) */
  nlink: number;
  /** Bytes (a directory: its entries). (u64 at 8) */
  size: bigint;
  /** Its number within its server. (u64 at 16) */
  ino: bigint;
  /** Last modification, ns. (i64 at 24) */
  mtime: bigint;
}

/** Byte offsets of stat's fields, its SIZE and ALIGN. */
export const StatLayout = {
  SIZE: 32,
  ALIGN: 8,
  type: 0,
  nlink: 4,
  size: 8,
  ino: 16,
  mtime: 24,
} as const;

/** Write a stat at `at` (bounds checked by the caller). */
export function writeStat(mem: StructMemory, at: number, v: Stat): void {
  mem.setU32(at + 0, v.type);
  mem.setU32(at + 4, v.nlink);
  mem.setU64(at + 8, v.size);
  mem.setU64(at + 16, v.ino);
  mem.setI64(at + 24, v.mtime);
}

/** Read a stat at `at` (bounds checked by the caller). */
export function readStat(mem: StructMemory, at: number): Stat {
  return {
    type: mem.u32(at + 0),
    nlink: mem.u32(at + 4),
    size: mem.u64(at + 8),
    ino: mem.u64(at + 16),
    mtime: mem.i64(at + 24),
  };
}

/**
 * dirent: The header of one readdir record; the name follows, the record is padded to 8 bytes. 24
 * bytes, aligned to 8.
 */
export interface Dirent {
  /** The entry's number within its server. (u64 at 0) */
  ino: bigint;
  /** The cookie that continues after this entry. (u64 at 8) */
  next: bigint;
  /** FILE_TYPE_*. (u32 at 16) */
  type: number;
  /** Bytes of the name that follows. (u32 at 20) */
  nameLen: number;
}

/** Byte offsets of dirent's fields, its SIZE and ALIGN. */
export const DirentLayout = {
  SIZE: 24,
  ALIGN: 8,
  ino: 0,
  next: 8,
  type: 16,
  nameLen: 20,
} as const;

/** Write a dirent at `at` (bounds checked by the caller). */
export function writeDirent(mem: StructMemory, at: number, v: Dirent): void {
  mem.setU64(at + 0, v.ino);
  mem.setU64(at + 8, v.next);
  mem.setU32(at + 16, v.type);
  mem.setU32(at + 20, v.nameLen);
}

/** Read a dirent at `at` (bounds checked by the caller). */
export function readDirent(mem: StructMemory, at: number): Dirent {
  return {
    ino: mem.u64(at + 0),
    next: mem.u64(at + 8),
    type: mem.u32(at + 16),
    nameLen: mem.u32(at + 20),
  };
}

/** unveil_rule: One unveil rule. 12 bytes, aligned to 4. */
export interface UnveilRule {
  /** The path prefix (UTF-8). (u32 at 0) */
  path: number;
  /** Its length in bytes. (u32 at 4) */
  pathLen: number;
  /** UNVEIL_* permissions. (u32 at 8) */
  perms: number;
}

/** Byte offsets of unveil_rule's fields, its SIZE and ALIGN. */
export const UnveilRuleLayout = {
  SIZE: 12,
  ALIGN: 4,
  path: 0,
  pathLen: 4,
  perms: 8,
} as const;

/** Write a unveil_rule at `at` (bounds checked by the caller). */
export function writeUnveilRule(mem: StructMemory, at: number, v: UnveilRule): void {
  mem.setU32(at + 0, v.path);
  mem.setU32(at + 4, v.pathLen);
  mem.setU32(at + 8, v.perms);
}

/** Read a unveil_rule at `at` (bounds checked by the caller). */
export function readUnveilRule(mem: StructMemory, at: number): UnveilRule {
  return {
    path: mem.u32(at + 0),
    pathLen: mem.u32(at + 4),
    perms: mem.u32(at + 8),
  };
}
