// Generated from abi/wasmos.abi.json by build/gen-abi.ts. Do not edit: change the definition and run `node build/gen-abi.ts`.
//
// wasmos ABI 0.3: the raw syscall imports and constants for AssemblyScript
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
 * Blocking. Pledge: core. Errors: EDIRECT.
 *
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "yield")
export declare function sys_yield(): i32;

/**
 * Syscall 3. Block for a duration on the kernel's monotonic clock. Implemented as a one-shot
 * deadline event; there is no periodic tick.
 *
 * Blocking. Pledge: core. Errors: EINVAL, EDIRECT.
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
 * in deterministic mode; the host's entropy in real-time mode).
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
 * when the scheduler picks it. It receives the arguments and the named handles given: each is a
 * copy derived from the caller's handle with the same rights (the caller keeps its own, and
 * revoking it reaches the child's), or, with SPAWN_MOVE_HANDLE, the caller's handle itself, moved
 * out of the caller's table when spawn succeeds. A failed spawn changes neither table.
 *
 * Non-blocking. Pledge: proc. Rights: SPAWN. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * EINVAL, E2BIG, EMFILE, ENOMEM, EQUOTA, EBADIMAGE.
 *
 * @param image Handle to an IMAGE with the SPAWN right.
 * @param args_ptr Arguments, each UTF-8 and terminated by a NUL byte.
 * @param args_len (bytes) Total bytes; 0 for no arguments; at most MAX_ARGS_BYTES.
 * @param handles_ptr Array of SPAWN_HANDLE_ENTRY_SIZE-byte entries {handle u32, name_ptr u32,
 * name_len u32, flags u32}.
 * @param handles_count Entries in the array; at most MAX_SPAWN_HANDLES.
 * @returns A PROCESS handle for the child, with DUPLICATE|TRANSFER|WAIT|KILL|INSPECT|SCHEDULE.
 * Negative: -errno.
 */
@external("wasmos", "spawn")
export declare function sys_spawn(image: i32, args_ptr: i32, args_len: i32, handles_ptr: i32, handles_count: i32): i32;

/**
 * Syscall 12. Block until a process has exited or the deadline passes, then write its exit
 * information {status i32, reason u32}. Waiting on an already-exited process returns at once;
 * waiting again returns the same information.
 *
 * Blocking. Pledge: proc. Rights: WAIT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * ETIMEDOUT, EDIRECT.
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
 * Syscall 16. Derive a new handle to the same object with equal or fewer rights. The new handle is
 * a child of the original in the derivation tree: handle_revoke on the original (or an ancestor)
 * invalidates it.
 *
 * Non-blocking. Pledge: core. Rights: DUPLICATE. Errors: EBADH, ESTALE, EACCES, EINVAL, EMFILE.
 *
 * @param handle The handle to derive from; needs DUPLICATE.
 * @param rights Rights of the new handle: a subset of the original's.
 * @returns The new handle. Negative: -errno.
 */
@external("wasmos", "handle_dup")
export declare function sys_handle_dup(handle: i32, rights: i32): i32;

/**
 * Syscall 17. Invalidate every handle derived from this one (by handle_dup, or copied in a message
 * or at spawn), in every process, transitively, in one call. The handle itself stays valid.
 * Revoked handles answer ESTALE.
 *
 * Non-blocking. Pledge: core. Errors: EBADH, ESTALE.
 *
 * @param handle The root of the handles to revoke.
 * @returns How many handles were revoked. Negative: -errno.
 */
@external("wasmos", "handle_revoke")
export declare function sys_handle_revoke(handle: i32): i32;

/**
 * Syscall 18. Describe a handle: HANDLE_INFO_SIZE bytes, object type u32, rights u32, object id
 * u32 (the same object always has the same id), derivation depth u32 (0 for a handle that derives
 * from none).
 *
 * Non-blocking. Pledge: core. Errors: EBADH, ESTALE, EFAULT.
 *
 * @param handle The handle.
 * @param info_ptr Where to write HANDLE_INFO_SIZE bytes.
 * @returns HANDLE_INFO_SIZE. Negative: -errno.
 */
@external("wasmos", "handle_info")
export declare function sys_handle_info(handle: i32, info_ptr: i32): i32;

/**
 * Syscall 19. Irrevocably keep only the syscall classes whose bits are set (bit n = pledge class
 * n; core is always kept). Afterwards a syscall of a dropped class returns EPLEDGE without doing
 * anything; the process is not killed, so it can report what it was refused.
 *
 * Non-blocking. Pledge: core. Errors: EINVAL, EPLEDGE.
 *
 * @param promises Mask of pledge classes to keep.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "pledge")
export declare function sys_pledge(promises: i32): i32;

/**
 * Syscall 20. Create an endpoint. The handle has DUPLICATE|TRANSFER|SEND|RECEIVE; derive send-only
 * handles for clients with handle_dup.
 *
 * Non-blocking. Pledge: ipc. Errors: EMFILE.
 *
 * @returns The endpoint handle. Negative: -errno.
 */
@external("wasmos", "endpoint_create")
export declare function sys_endpoint_create(): i32;

/**
 * Syscall 21. Send a short message (four 64-bit words, no memory touched) and block until the
 * server replies: SEND_BLOCKED until a server receives it, then REPLY_BLOCKED. While the server
 * works on it, the server runs at least at the caller's priority. The reply's words are then read
 * with msg_word, its details with msg_info.
 *
 * Blocking. Pledge: ipc. Rights: SEND. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, ECLOSED,
 * ETIMEDOUT, EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with SEND.
 * @param w0 Message word 0.
 * @param w1 Message word 1.
 * @param w2 Message word 2.
 * @param w3 Message word 3.
 * @param deadline_ns (ns) Absolute deadline for the whole exchange; DEADLINE_INFINITE waits
 * forever.
 * @returns The status the server replied with (reply's status; reply_error gives -errno).
 * Negative: -errno.
 */
@external("wasmos", "send")
export declare function sys_send(endpoint: i32, w0: i64, w1: i64, w2: i64, w3: i64, deadline_ns: i64): i32;

/**
 * Syscall 22. Send a long message described by a MSG_DESC_SIZE-byte descriptor: four words, a body
 * (copied by the kernel straight into the server's receive buffer), and handles (moved or copied
 * into the server's table). Blocks like send. The reply body is copied into the reply buffer (at
 * most reply_cap bytes; msg_info gives the full length), reply handles land in the caller's table
 * (msg_handle).
 *
 * Blocking. Pledge: ipc. Rights: SEND. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT, EINVAL,
 * E2BIG, ECLOSED, ETIMEDOUT, EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with SEND.
 * @param desc_ptr The message descriptor (MSG_DESC_SIZE bytes).
 * @param deadline_ns (ns) Absolute deadline for the whole exchange.
 * @returns The status the server replied with. Negative: -errno.
 */
@external("wasmos", "sendmsg")
export declare function sys_sendmsg(endpoint: i32, desc_ptr: i32, deadline_ns: i64): i32;

/**
 * Syscall 23. Take the next message or pulse from an endpoint, blocking (RECEIVE_BLOCKED) until
 * one arrives. Highest sender priority first, FIFO within a priority. A message's body is copied
 * into the buffer (at most buf_len bytes; msg_info gives the full length); its words are read with
 * msg_word, its handles with msg_handle. Returns a receive id to reply to, or 0 for a pulse (word
 * 0 = code, word 1 = value).
 *
 * Blocking. Pledge: ipc. Rights: RECEIVE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, EMFILE, ETIMEDOUT, EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with RECEIVE.
 * @param buf_ptr Where a message body goes.
 * @param buf_len (bytes) Room in the buffer; may be 0.
 * @param deadline_ns (ns) Absolute deadline.
 * @returns The receive id (> 0) of a message, or 0 for a pulse. Negative: -errno.
 */
@external("wasmos", "receive")
export declare function sys_receive(endpoint: i32, buf_ptr: i32, buf_len: i32, deadline_ns: i64): i32;

/**
 * Syscall 24. Answer a message: the client's send returns status, its message registers get w0 and
 * w1 (w2, w3 become 0), and the body (buf_ptr, buf_len) is copied into the client's reply buffer
 * (sendmsg only; a short send gets no body). The server's priority drops back.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL, EFAULT, E2BIG, EGONE.
 *
 * @param rcvid The receive id receive returned.
 * @param status What the client's send returns (by convention >= 0).
 * @param w0 Reply word 0.
 * @param w1 Reply word 1.
 * @param buf_ptr Reply body.
 * @param buf_len (bytes) Its length; 0 for none.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "reply")
export declare function sys_reply(rcvid: i32, status: i32, w0: i64, w1: i64, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 25. Answer a message with a descriptor: four words, a body and handles (moved or copied
 * into the client's table). reply_ptr and reply_cap in the descriptor are ignored.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL, EFAULT, E2BIG, EBADH, ESTALE, EACCES, EMFILE, EGONE.
 *
 * @param rcvid The receive id.
 * @param status What the client's send returns.
 * @param desc_ptr The reply descriptor (MSG_DESC_SIZE bytes).
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "replymsg")
export declare function sys_replymsg(rcvid: i32, status: i32, desc_ptr: i32): i32;

/**
 * Syscall 26. Answer a message with an error: the client's send returns -errno.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL, EGONE.
 *
 * @param rcvid The receive id.
 * @param errno A positive errno value.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "reply_error")
export declare function sys_reply_error(rcvid: i32, errno: i32): i32;

/**
 * Syscall 27. Queue a fixed-size notification (code, value) on an endpoint without blocking; a
 * server gets it from receive (which returns 0). Each sender may have at most MAX_PENDING_PULSES
 * pulses pending on one endpoint: past that the pulse is refused (EAGAIN), so one client cannot
 * flood out the others. The pulse carries the caller's own (base) priority, as QNX's pulse
 * priority: the receiver that takes it runs at that priority instead of its own (priority
 * inheritance still raises it) until it next takes a message or waits in a receive, so a pulse
 * from below does not preempt its sender and one from above raises its receiver.
 *
 * Non-blocking. Pledge: ipc. Rights: SEND. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, ECLOSED,
 * EAGAIN.
 *
 * @param endpoint An ENDPOINT handle with SEND.
 * @param code Pulse code (word 0 at the receiver).
 * @param value Pulse value (word 1 at the receiver).
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "pulse")
export declare function sys_pulse(endpoint: i32, code: i32, value: i64): i32;

/**
 * Syscall 28. Read a message register: word index of the last thing delivered to the caller (a
 * received message or pulse, or the reply to its send). Superseded by msg_word_get: the error
 * result (-EINVAL) is also a legal word, so a caller cannot tell them apart; kept for existing
 * guests, the SDK no longer uses it.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL.
 *
 * @param index 0 <= index < MAX_MSG_WORDS.
 * @returns The word. Negative: -errno.
 */
@external("wasmos", "msg_word")
export declare function sys_msg_word(index: i32): i64;

/**
 * Syscall 29. Describe the last thing delivered to the caller: MSG_INFO_SIZE bytes, see the
 * constant.
 *
 * Non-blocking. Pledge: ipc. Errors: EFAULT.
 *
 * @param info_ptr Where to write MSG_INFO_SIZE bytes.
 * @returns MSG_INFO_SIZE. Negative: -errno.
 */
@external("wasmos", "msg_info")
export declare function sys_msg_info(info_ptr: i32): i32;

/**
 * Syscall 30. The index-th handle that arrived with the last message or reply delivered to the
 * caller (now in the caller's table). A handle whose capability was revoked while the message was
 * in flight (its sender's ancestor revoked it before delivery) arrives as HANDLE_INVALID (0) in
 * its place, so the indices of the others do not move.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL.
 *
 * @param index 0 <= index < the handles count in msg_info.
 * @returns The handle, or HANDLE_INVALID (0) for one revoked in flight. Negative: -errno.
 */
@external("wasmos", "msg_handle")
export declare function sys_msg_handle(index: i32): i32;

/**
 * Syscall 31. Register an endpoint under a name in a namespace; lookups then get send-only handles
 * to it. O(1). The entry holds the endpoint until it is unregistered.
 *
 * Non-blocking. Pledge: names. Rights: REGISTER|SEND|DUPLICATE. Errors: EBADH, ESTALE, EWRONGTYPE,
 * EACCES, EINVAL, EFAULT, EEXIST.
 *
 * @param namespace A NAMESPACE handle with REGISTER.
 * @param name_ptr UTF-8 name.
 * @param name_len (bytes) 1..MAX_NAME_BYTES.
 * @param endpoint An ENDPOINT handle with SEND and DUPLICATE.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "name_register")
export declare function sys_name_register(namespace: i32, name_ptr: i32, name_len: i32, endpoint: i32): i32;

/**
 * Syscall 32. Look a name up: a new handle to the endpoint with SEND|DUPLICATE|TRANSFER. O(1).
 *
 * Non-blocking. Pledge: names. Rights: LOOKUP. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, ENOENT, EMFILE.
 *
 * @param namespace A NAMESPACE handle with LOOKUP.
 * @param name_ptr UTF-8 name.
 * @param name_len (bytes) 1..MAX_NAME_BYTES.
 * @returns A send handle to the endpoint. Negative: -errno.
 */
@external("wasmos", "name_lookup")
export declare function sys_name_lookup(namespace: i32, name_ptr: i32, name_len: i32): i32;

/**
 * Syscall 33. Remove a name from a namespace. Handles already looked up stay valid.
 *
 * Non-blocking. Pledge: names. Rights: REGISTER. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, EFAULT, ENOENT.
 *
 * @param namespace A NAMESPACE handle with REGISTER.
 * @param name_ptr UTF-8 name.
 * @param name_len (bytes) 1..MAX_NAME_BYTES.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "name_unregister")
export declare function sys_name_unregister(namespace: i32, name_ptr: i32, name_len: i32): i32;

/**
 * Syscall 34. Create an event port. The handle has DUPLICATE|TRANSFER|SEND|RECEIVE.
 *
 * Non-blocking. Pledge: ports. Errors: EMFILE.
 *
 * @returns The port handle. Negative: -errno.
 */
@external("wasmos", "port_create")
export declare function sys_port_create(): i32;

/**
 * Syscall 35. Bind a port to one of the caller's exported functions, of type (key i32, code i32,
 * value i64) -> (). Each packet is then delivered by the kernel calling that handler when the
 * scheduler picks the process, one activation at a time, after _start has returned (until then
 * packets queue). A process whose _start returned with ports bound stays RESIDENT instead of
 * exiting. With PORT_BIND_IDLE it also gets an idle packet (code PORT_CODE_IDLE) each time nothing
 * else is runnable. A trap in a handler ends the process like any trap. With PORT_BIND_DIRECT a
 * packet sent while the binder is idle (RESIDENT: _start has returned, no activation running, no
 * packet queued on any of its ports) is delivered at once, inside the sender's port_send, on the
 * sender's stack and CPU time (a direct activation; packets stay in order: a busy binder gets them
 * queued as without the flag). A direct activation runs to completion: syscalls that may block
 * return EDIRECT; a handler that runs longer than a scheduling quantum ends with DIRECT_OVERRUN; a
 * trap or an exit ends the binder as in any activation, and in every case the sender's port_send
 * returns 0 and the sender carries on. Its CPU time is billed to the sender.
 *
 * Non-blocking. Pledge: ports. Rights: RECEIVE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, ENOENT, EEXIST.
 *
 * @param port A PORT handle with RECEIVE.
 * @param name_ptr Name of the handler export (UTF-8).
 * @param name_len (bytes) 1..MAX_NAME_BYTES.
 * @param key Passed to the handler as its first argument (tells ports that share a handler apart).
 * @param flags 0, or PORT_BIND_IDLE and/or PORT_BIND_DIRECT.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "port_bind")
export declare function sys_port_bind(port: i32, name_ptr: i32, name_len: i32, key: i32, flags: i32): i32;

/**
 * Syscall 36. Queue a packet (code, value) on a port without blocking. Packets queue until the
 * port is bound and its binder runs. If the binder bound the port with PORT_BIND_DIRECT and is
 * idle, the packet is instead delivered at once: its handler runs to completion inside this call,
 * on the caller's stack, its CPU time billed to the caller, and the call returns 0 whatever the
 * handler did (its trap or exit ends the binder, not the caller). The errors are the same either
 * way, checked before anything is delivered.
 *
 * Non-blocking. Pledge: ports. Rights: SEND. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ECLOSED, EAGAIN.
 *
 * @param port A PORT handle with SEND.
 * @param code Packet code (not PORT_CODE_IDLE).
 * @param value Packet value.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "port_send")
export declare function sys_port_send(port: i32, code: i32, value: i64): i32;

/**
 * Syscall 40. Create a memory object of size_bytes zero-filled bytes, backed by ceil(size_bytes /
 * PAGE_SIZE) pages of its own that never grow. The pages are charged to the caller's memory budget
 * and to the system until the object is destroyed (when no handle, window or binding names it any
 * more), even if the caller ends first. Pass the handle to a child at spawn under the name of one
 * of its `grant` memory imports to bind it (zero-copy, direct loads and stores), or map windows
 * onto it.
 *
 * Non-blocking. Pledge: memory. Errors: EINVAL, EQUOTA, ENOMEM, EMFILE.
 *
 * @param size_bytes (bytes) 1..MAX_MEMORY_OBJECT_BYTES.
 * @returns A MEMORY handle with DUPLICATE|TRANSFER|READ|WRITE|MAP. Negative: -errno.
 */
@external("wasmos", "memory_create")
export declare function sys_memory_create(size_bytes: i32): i32;

/**
 * Syscall 41. The size a memory object was created with, in bytes. Any right will do.
 *
 * Non-blocking. Pledge: memory. Errors: EBADH, ESTALE, EWRONGTYPE, EREVOKED.
 *
 * @param memory A MEMORY handle.
 * @returns The object's size in bytes (its backing is that rounded up to whole pages). Negative:
 * -errno.
 */
@external("wasmos", "memory_size")
export declare function sys_memory_size(memory: i32): i32;

/**
 * Syscall 42. Map a window onto a memory object: count elements of elem_size bytes, element i at
 * byte offset + i * stride. A byte range is stride 1, elem_size 1; the left channel of interleaved
 * 16-bit stereo is offset 0, stride 4, elem_size 2. The window gets the memory handle's READ and
 * WRITE, and DUPLICATE|TRANSFER. It hangs off the memory handle in the derivation tree:
 * handle_revoke on that handle or on any of its ancestors (or revoking the object) revokes the
 * window, and every call through it then returns EREVOKED while its holder keeps running; closing
 * the memory handle does not.
 *
 * Non-blocking. Pledge: memory. Rights: MAP. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, EREVOKED, EMFILE.
 *
 * @param memory A MEMORY handle with MAP.
 * @param offset (bytes) Where element 0 starts; not negative.
 * @param count Elements in the window; positive.
 * @param stride (bytes) Distance between the starts of consecutive elements; at least elem_size.
 * @param elem_size (bytes) 1, 2, 4 or 8.
 * @returns A WINDOW handle. Negative: -errno.
 */
@external("wasmos", "memory_map")
export declare function sys_memory_map(memory: i32, offset: i32, count: i32, stride: i32, elem_size: i32): i32;

/**
 * Syscall 43. Copy count elements of a window, from element first on, into the caller's memory at
 * buf_ptr, packed (count * elem_size bytes). The kernel counts the bytes as copied, for the caller
 * and the system.
 *
 * Non-blocking. Pledge: memory. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, EFAULT, EREVOKED.
 *
 * @param window A WINDOW handle with READ.
 * @param first Index of the first element.
 * @param count Elements to copy; 0 copies nothing.
 * @param buf_ptr Where to put them.
 * @returns count. Negative: -errno.
 */
@external("wasmos", "window_read")
export declare function sys_window_read(window: i32, first: i32, count: i32, buf_ptr: i32): i32;

/**
 * Syscall 44. Copy count packed elements from the caller's memory at buf_ptr into a window, from
 * element first on. The kernel counts the bytes as copied, for the caller and the system.
 *
 * Non-blocking. Pledge: memory. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, EFAULT, EREVOKED.
 *
 * @param window A WINDOW handle with WRITE.
 * @param first Index of the first element.
 * @param count Elements to copy; 0 copies nothing.
 * @param buf_ptr Where they are (count * elem_size bytes).
 * @returns count. Negative: -errno.
 */
@external("wasmos", "window_write")
export declare function sys_window_write(window: i32, first: i32, count: i32, buf_ptr: i32): i32;

/**
 * Syscall 45. Read one element of a window of 1-, 2- or 4-byte elements, zero-extended (so it is
 * never negative; the SDK's typed windows sign-extend). Elements of 8 bytes are read with
 * window_read.
 *
 * Non-blocking. Pledge: memory. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, EREVOKED.
 *
 * @param window A WINDOW handle with READ.
 * @param index Element index.
 * @returns The element, little-endian, zero-extended. Negative: -errno.
 */
@external("wasmos", "window_get")
export declare function sys_window_get(window: i32, index: i32): i64;

/**
 * Syscall 46. Write one element of a window: the low elem_size bytes of value, little-endian.
 *
 * Non-blocking. Pledge: memory. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, ERANGE,
 * EREVOKED.
 *
 * @param window A WINDOW handle with WRITE.
 * @param index Element index.
 * @param value The value; bits above elem_size bytes are ignored.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "window_set")
export declare function sys_window_set(window: i32, index: i32, value: i64): i32;

/**
 * Syscall 47. Write WINDOW_INFO_SIZE bytes describing a window: offset, count, stride and
 * elem_size, each u32. Any right will do.
 *
 * Non-blocking. Pledge: memory. Errors: EBADH, ESTALE, EWRONGTYPE, EINVAL, EFAULT, EREVOKED.
 *
 * @param window A WINDOW handle.
 * @param buf_ptr Where to write.
 * @param buf_len (bytes) At least WINDOW_INFO_SIZE.
 * @returns Bytes written (WINDOW_INFO_SIZE). Negative: -errno.
 */
@external("wasmos", "window_info")
export declare function sys_window_info(window: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 48. If the 32-bit little-endian word at offset in a memory object holds expected, sleep
 * until futex_wake on that word (the check and the sleep are one step, so a wake cannot slip
 * between them). Waiters on one word wake in FIFO order. The kernel never writes the word; a
 * waiter rechecks its condition after waking. A ring's consumer sleeps here while the ring is
 * empty and its producer while it is full.
 *
 * Blocking. Pledge: memory. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, ECHANGED, ETIMEDOUT, EREVOKED, EDIRECT.
 *
 * @param memory A MEMORY handle with READ.
 * @param offset (bytes) The word's offset; a multiple of 4.
 * @param expected The value the word must hold for the caller to sleep.
 * @param deadline_ns (ns) Absolute deadline; DEADLINE_INFINITE for none.
 * @returns 0 when woken by futex_wake. Negative: -errno.
 */
@external("wasmos", "futex_wait")
export declare function sys_futex_wait(memory: i32, offset: i32, expected: i32, deadline_ns: i64): i32;

/**
 * Syscall 49. Wake up to count processes sleeping in futex_wait on the word at offset of a memory
 * object, oldest first. Waking nobody is not an error.
 *
 * Non-blocking. Pledge: memory. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, EREVOKED.
 *
 * @param memory A MEMORY handle with WRITE.
 * @param offset (bytes) The word's offset; a multiple of 4.
 * @param count Most waiters to wake; positive.
 * @returns How many were woken. Negative: -errno.
 */
@external("wasmos", "futex_wake")
export declare function sys_futex_wake(memory: i32, offset: i32, count: i32): i32;

/**
 * Syscall 50. Write MEMORY_STATS_SIZE bytes of memory accounting: a process's budget and use, the
 * bytes the kernel copied for it, and the system's pages, memory objects and copied bytes (layout
 * at MEMORY_STATS_SIZE). Bound grants are never copied: their data does not appear here.
 *
 * Non-blocking. Pledge: memory. Rights: INSPECT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, EFAULT.
 *
 * @param process A PROCESS handle with INSPECT, or HANDLE_SELF.
 * @param buf_ptr Where to write.
 * @param buf_len (bytes) At least MEMORY_STATS_SIZE.
 * @returns Bytes written (MEMORY_STATS_SIZE). Negative: -errno.
 */
@external("wasmos", "memory_stats")
export declare function sys_memory_stats(process: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 51. Lower a process's memory budget, in pages: its own memory plus the memory objects it
 * created and that still live. Past it, the process's memory.grow returns -1 and its memory_create
 * fails with EQUOTA. Budgets only go down. Children spawned later start with the new budget.
 *
 * Non-blocking. Pledge: memory. Rights: SCHEDULE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, ECEILING, ESRCH.
 *
 * @param process A PROCESS handle with SCHEDULE, or HANDLE_SELF.
 * @param pages The new budget; at least the pages the process uses now.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "memory_set_budget")
export declare function sys_memory_set_budget(process: i32, pages: i32): i32;

/**
 * Syscall 52. Read n consecutive elements of a window of 1- or 2-byte elements in one call, packed
 * into the result: element index + k in bits k * 8 * elem_size up, each zero-extended within its
 * field, n * elem_size at most 7 bytes (so the result is never negative: up to three 2-byte or
 * seven 1-byte elements). The values come back in the register as window_get's do (nothing is
 * copied); window_get_packed(w, i, 1) is window_get(w, i).
 *
 * Non-blocking. Pledge: memory. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ERANGE, EREVOKED.
 *
 * @param window A WINDOW handle with READ.
 * @param index The first element's index.
 * @param n How many elements: 1..floor(7 / elem_size).
 * @returns The elements, element index in the low bits. Negative: -errno.
 */
@external("wasmos", "window_get_packed")
export declare function sys_window_get_packed(window: i32, index: i32, n: i32): i64;

/**
 * Syscall 60. Put a process in the fixed-priority class at a priority (0..PRIORITY_MAX, higher
 * runs first) with a policy (SCHED_RR or SCHED_FIFO). A process in the deadline class leaves it
 * (its reservation is released). Priority inheritance may raise the effective priority above this
 * base priority while the process serves a higher-priority client. The caller cannot give a
 * priority above its own ceiling (the ceiling a process is spawned with is its parent's; the
 * host's processes have PRIORITY_MAX). Setting another process's priority also lowers that
 * process's ceiling to it, so it cannot raise itself back.
 *
 * Non-blocking. Pledge: sched. Rights: SCHEDULE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, ECEILING, ESRCH.
 *
 * @param process A PROCESS handle with SCHEDULE, or HANDLE_SELF.
 * @param priority 0..PRIORITY_MAX.
 * @param policy SCHED_RR or SCHED_FIFO.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "sched_set_priority")
export declare function sys_sched_set_priority(process: i32, priority: i32, policy: i32): i32;

/**
 * Syscall 61. Put a process in a named tier: the tier's default priority, round robin (see
 * TIER_VOID, TIER_GRAVITY, TIER_MATTER, TIER_PHOTON). A tier's deadline is how long a process of
 * that tier may wait to run once ready; a later dispatch is counted in sched_info
 * (latency_misses). Same rules as sched_set_priority.
 *
 * Non-blocking. Pledge: sched. Rights: SCHEDULE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, ECEILING, ESRCH.
 *
 * @param process A PROCESS handle with SCHEDULE, or HANDLE_SELF.
 * @param tier TIER_VOID, TIER_GRAVITY, TIER_MATTER or TIER_PHOTON.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "sched_set_tier")
export declare function sys_sched_set_tier(process: i32, tier: i32): i32;

/**
 * Syscall 62. Put a process in the deadline class: a periodic job of at most runtime_ns of CPU
 * every period_ns, each due deadline_ns after its release, scheduled earliest-deadline-first above
 * every fixed priority. Admission control: the set is accepted only if the utilisation (sum of
 * runtime / min(deadline, period)) of all deadline processes stays within EDF_CAPACITY_PERMILLE of
 * the CPU and that of the process's partition within the partition's share. A job that uses up its
 * runtime waits for its next release (throttled); one not done by its deadline is counted as a
 * miss. The first job is released at once. Only a caller whose ceiling is PRIORITY_MAX may use it.
 *
 * Non-blocking. Pledge: sched. Rights: SCHEDULE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, ECEILING, EOVERLOAD, ESRCH.
 *
 * @param process A PROCESS handle with SCHEDULE, or HANDLE_SELF.
 * @param runtime_ns (ns) CPU per job, > 0.
 * @param period_ns (ns) Time between releases, >= runtime_ns, at most 2^53.
 * @param deadline_ns (ns) Relative deadline, runtime_ns..period_ns; 0 means period_ns.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "sched_set_deadline")
export declare function sys_sched_set_deadline(process: i32, runtime_ns: i64, period_ns: i64, deadline_ns: i64): i32;

/**
 * Syscall 63. End the caller's current job (deadline class) and block until its next release. If
 * the release time has already passed, the next job starts at once.
 *
 * Blocking. Pledge: core. Errors: EINVAL, EDIRECT.
 *
 * @returns How many of the caller's jobs missed their deadline since its previous
 * sched_wait_period (0: every deadline met). Negative: -errno.
 */
@external("wasmos", "sched_wait_period")
export declare function sys_sched_wait_period(): i32;

/**
 * Syscall 64. Write SCHED_INFO_SIZE bytes describing how a process is scheduled: class u32
 * (SCHED_CLASS_*) at 0, policy u32 at 4, base priority u32 at 8, effective priority u32 at 12,
 * tier u32 at 16, ceiling u32 at 20, cpu time ns u64 at 24, cpu limit ns u64 at 32 (0: none),
 * runtime ns u64 at 40, period ns u64 at 48, deadline ns u64 at 56 (all 0 outside the deadline
 * class), deadline misses u32 at 64, latency misses u32 at 68, preemptions u32 at 72, throttles
 * u32 at 76.
 *
 * Non-blocking. Pledge: sched. Rights: INSPECT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT.
 *
 * @param process A PROCESS handle with INSPECT, or HANDLE_SELF.
 * @param buf_ptr Where to write.
 * @param buf_len (bytes) At least SCHED_INFO_SIZE.
 * @returns Bytes written (SCHED_INFO_SIZE). Negative: -errno.
 */
@external("wasmos", "sched_info")
export declare function sys_sched_info(process: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 65. CPU time a process has used, in ns. In deterministic mode it is the fuel its code
 * burned (1 fuel = 1 ns; see host/instrument), so it is the same on every run.
 *
 * Non-blocking. Pledge: core. Rights: INSPECT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES.
 *
 * @param process A PROCESS handle with INSPECT, or HANDLE_SELF.
 * @returns CPU time used, also after the process has exited. Negative: -errno.
 */
@external("wasmos", "cpu_time")
export declare function sys_cpu_time(process: i32): i64;

/**
 * Syscall 66. Lower a per-process limit. LIMIT_CPU_NS: total CPU time; a process that uses more is
 * ended with reason CPU_LIMIT (at once if it already has). LIMIT_HANDLES: handle table size.
 * Limits only go down: a limit cannot be raised, not even by the process's parent.
 *
 * Non-blocking. Pledge: sched. Rights: SCHEDULE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, ECEILING, ESRCH.
 *
 * @param process A PROCESS handle with SCHEDULE, or HANDLE_SELF.
 * @param limit LIMIT_CPU_NS or LIMIT_HANDLES.
 * @param value The new limit: ns for LIMIT_CPU_NS, handles for LIMIT_HANDLES.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "set_limit")
export declare function sys_set_limit(process: i32, limit: i32, value: i64): i32;

/**
 * Syscall 67. Create a CPU partition with a guaranteed share of the CPU (adaptive partitioning):
 * when the CPU is contended, the processes in it get at least that share over each
 * PARTITION_WINDOW_NS window; CPU a partition leaves unused goes to the others. The share is
 * carved out of the caller's partition (whose own guarantee shrinks by as much) and returns to it
 * when the new partition is destroyed. A server serving a client is billed to the client's
 * partition. The handle has READ|WRITE|DUPLICATE|TRANSFER.
 *
 * Non-blocking. Pledge: sched. Errors: EINVAL, ECEILING, EOVERLOAD, EMFILE.
 *
 * @param share (permille) 1..SHARE_WHOLE.
 * @returns A PARTITION handle. Negative: -errno.
 */
@external("wasmos", "partition_create")
export declare function sys_partition_create(share: i32): i32;

/**
 * Syscall 68. Move a process into a partition: its CPU time is billed to that partition from now
 * on, and the partition's guarantee covers it. Children a process spawns start in its partition.
 *
 * Non-blocking. Pledge: sched. Rights: WRITE|SCHEDULE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EOVERLOAD, ESRCH.
 *
 * @param partition A PARTITION handle with WRITE.
 * @param process A PROCESS handle with SCHEDULE, or HANDLE_SELF.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "partition_join")
export declare function sys_partition_join(partition: i32, process: i32): i32;

/**
 * Syscall 69. Write PARTITION_INFO_SIZE bytes describing a partition: share permille u32 at 0, own
 * share permille u32 at 4 (the share minus what partitions carved from it took), processes u32 at
 * 8, deadline reservations permille u32 at 12, window ns u64 at 16, CPU ns used in the current
 * window u64 at 24, CPU ns used in all u64 at 32.
 *
 * Non-blocking. Pledge: sched. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT.
 *
 * @param partition A PARTITION handle with READ.
 * @param buf_ptr Where to write.
 * @param buf_len (bytes) At least PARTITION_INFO_SIZE.
 * @returns Bytes written (PARTITION_INFO_SIZE). Negative: -errno.
 */
@external("wasmos", "partition_info")
export declare function sys_partition_info(partition: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 80. Route a device's interrupts to an endpoint: each interrupt arrives there as a pulse
 * from sender pid 0 with word 0 = code and word 1 = (kind << IRQ_KIND_SHIFT) | datum (IRQ_*
 * kinds). The device keeps its own capability derived from endpoint, so revoking that handle
 * detaches it, as does the endpoint losing its receive side. endpoint HANDLE_INVALID detaches. One
 * process's endpoint at a time: while the process that attached lives and its endpoint is open,
 * another process gets EBUSY. Interrupts the endpoint cannot take (MAX_PENDING_PULSES from the
 * kernel already pending) are dropped and counted (DEVINFO_IRQ_LOST).
 *
 * Non-blocking. Pledge: devices. Rights: ATTACH|SEND. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * ECLOSED, EBUSY.
 *
 * @param device A device handle (DEV_*) with ATTACH.
 * @param endpoint An ENDPOINT handle with SEND, or HANDLE_INVALID to detach.
 * @param code Pulse code (word 0) of this device's interrupts, so one endpoint can serve several
 * devices.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "device_attach")
export declare function sys_device_attach(device: i32, endpoint: i32, code: i32): i32;

/**
 * Syscall 81. Read one fact about a device: key is a DEVINFO_* constant that applies to it
 * (DEVINFO_ATTACHED..DEVINFO_FAILED to every device, the others to their kind). Any handle to the
 * device will do.
 *
 * Non-blocking. Pledge: devices. Errors: EBADH, ESTALE, EWRONGTYPE, EINVAL.
 *
 * @param device A device handle (DEV_*).
 * @param key A DEVINFO_* constant.
 * @returns The value (never negative). Negative: -errno.
 */
@external("wasmos", "device_info")
export declare function sys_device_info(device: i32, key: i32): i64;

/**
 * Syscall 82. Arm a timer device's one deadline, replacing any armed one: when the kernel clock
 * reaches it (virtual in deterministic mode, the wall clock in real-time mode) the device raises
 * IRQ_TIMER once. A deadline at or before now fires at the next scheduling point;
 * DEADLINE_INFINITE disarms. There is no periodic tick: re-arm from the interrupt.
 *
 * Non-blocking. Pledge: devices. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EIO.
 *
 * @param timer A DEV_TIMER handle with WRITE.
 * @param deadline (ns) Absolute time (see clock_now), or DEADLINE_INFINITE.
 * @returns 1 if an armed deadline was replaced or disarmed, else 0. Negative: -errno.
 */
@external("wasmos", "timer_set")
export declare function sys_timer_set(timer: i32, deadline: i64): i32;

/**
 * Syscall 83. Take buffered input bytes from a console device, without blocking: wait for
 * IRQ_CONSOLE_RX when it answers EAGAIN.
 *
 * Non-blocking. Pledge: devices. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, EAGAIN, EIO.
 *
 * @param console A DEV_CONSOLE handle with READ.
 * @param buf_ptr Where to put the bytes.
 * @param buf_len (bytes) 1..MAX_IO_BYTES.
 * @returns Bytes read (at most buf_len); 0 once input has ended and everything was read. Negative:
 * -errno.
 */
@external("wasmos", "console_rx")
export declare function sys_console_rx(console: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 84. Write bytes to a console device's output (the host's terminal, a log).
 *
 * Non-blocking. Pledge: devices. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, EIO.
 *
 * @param console A DEV_CONSOLE handle with WRITE.
 * @param buf_ptr The bytes.
 * @param buf_len (bytes) 0..MAX_IO_BYTES.
 * @returns buf_len. Negative: -errno.
 */
@external("wasmos", "console_tx")
export declare function sys_console_tx(console: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 85. Queue a buffer of frames * AUDIO_FRAME_BYTES bytes (interleaved s16le stereo) at
 * offset in source for an audio device, which plays buffers one at a time at its own pace:
 * AUDIO_RATE frames per second of kernel time (virtual in deterministic mode, the wall clock in
 * real-time mode). Nothing is copied now: the device reads the bytes straight from source when the
 * buffer's turn comes, and raises IRQ_AUDIO_PERIOD (datum: the ticket) at that moment; until then
 * the bytes must not change, and from then on they may be reused. The next buffer is due when this
 * one has played. A device that finishes a buffer with none queued counts an underrun, raises
 * IRQ_AUDIO_UNDERRUN and stops; the next submission starts it again after a gap of silence as long
 * as the wait. After a buffer flagged AUDIO_SUBMIT_END, running out is no underrun: the device
 * raises IRQ_AUDIO_DRAINED and stops. A buffer whose source is gone when its turn comes (its
 * process ended, its capability was revoked) plays as silence.
 *
 * Non-blocking. Pledge: devices. Rights: WRITE|READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES,
 * EINVAL, EFAULT, ERANGE, EREVOKED, EAGAIN, EIO.
 *
 * @param audio A DEV_AUDIO handle with WRITE.
 * @param source HANDLE_SELF for the caller's own memory, or a MEMORY handle with READ (the device
 * holds a capability derived from it until the buffer is taken: revoking it makes the buffer play
 * as silence).
 * @param offset (bytes) Where the buffer starts in source (a pointer, for HANDLE_SELF).
 * @param frames 1..MAX_AUDIO_FRAMES.
 * @param flags 0 or AUDIO_SUBMIT_END.
 * @returns The buffer's ticket: submissions to the device numbered from 0 (modulo 2^31). Negative:
 * -errno.
 */
@external("wasmos", "audio_submit")
export declare function sys_audio_submit(audio: i32, source: i32, offset: i32, frames: i32, flags: i32): i32;

/**
 * Syscall 86. Copy bytes from the caller's memory into a framebuffer's pixels at a byte offset
 * (row y, column x is at (y * width + x) * 4: R, G, B, A). This is device I/O, not an
 * inter-process copy.
 *
 * Non-blocking. Pledge: devices. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, EIO.
 *
 * @param fb A DEV_FRAMEBUFFER handle with WRITE.
 * @param offset (bytes) Where in the pixels to write.
 * @param buf_ptr The bytes.
 * @param buf_len (bytes) How many.
 * @returns buf_len. Negative: -errno.
 */
@external("wasmos", "fb_write")
export declare function sys_fb_write(fb: i32, offset: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 87. The framebuffer's pixels form a complete frame: the device shows it (its renderers
 * and snapshots read the pixels now).
 *
 * Non-blocking. Pledge: devices. Rights: WRITE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EIO.
 *
 * @param fb A DEV_FRAMEBUFFER handle with WRITE.
 * @returns The frame's number, counting from 1. Negative: -errno.
 */
@external("wasmos", "fb_present")
export declare function sys_fb_present(fb: i32): i32;

/**
 * Syscall 88. Fill a buffer from a random number device. A seeded device gives the same bytes for
 * the same seed and the same sequence of reads.
 *
 * Non-blocking. Pledge: devices. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, EIO.
 *
 * @param rng A DEV_RNG handle with READ.
 * @param buf_ptr Where to put the bytes.
 * @param buf_len (bytes) 0..MAX_IO_BYTES.
 * @returns buf_len. Negative: -errno.
 */
@external("wasmos", "rng_read")
export declare function sys_rng_read(rng: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 89. A MEMORY handle for a framebuffer's pixels, when the host backs them with a memory
 * object (it normally does): pass it to a child at spawn under the name of a `grant` memory
 * import, or map windows, and draw with plain stores; fb_present shows what is there. The handle
 * has DUPLICATE|TRANSFER|READ|MAP, and WRITE when fb has WRITE. The host can revoke the object as
 * a whole.
 *
 * Non-blocking. Pledge: devices. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, ENOENT,
 * EMFILE.
 *
 * @param fb A DEV_FRAMEBUFFER handle with READ.
 * @returns A MEMORY handle. Negative: -errno.
 */
@external("wasmos", "fb_memory")
export declare function sys_fb_memory(fb: i32): i32;

/**
 * Syscall 100. Open a path: resolve it to the longest mounted prefix, check the DIR's rights and
 * the caller's unveil view, and send the server an IO_OPEN connect message (docs/namespace.md).
 * Returns a FILE handle (READ and WRITE as the flags ask, DUPLICATE|TRANSFER) whose I/O the kernel
 * stamps with the id the server chose; for a MOUNT_ENDPOINT mount, a SEND|DUPLICATE|TRANSFER
 * handle to the endpoint without any message.
 *
 * Blocking. Pledge: files. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * EINVAL, ENAMETOOLONG, ENOENT, ENOTDIR, EUNVEIL, EMFILE, ECLOSED, ENOTSUP, EDIRECT.
 *
 * @param dir A DIR handle with READ, WRITE, CREATE, EXEC as the flags need.
 * @param path_ptr UTF-8 path, relative to the DIR's scope (a leading / is the scope's root).
 * @param path_len (bytes) 1..MAX_PATH_BYTES.
 * @param flags O_* bits.
 * @returns A FILE (or ENDPOINT) handle. Negative: -errno.
 */
@external("wasmos", "ns_open")
export declare function sys_ns_open(dir: i32, path_ptr: i32, path_len: i32, flags: i32): i32;

/**
 * Syscall 101. Mount an endpoint at a path under the DIR's scope: opens of that path and below go
 * to it (longest prefix wins). The namespace holds a capability derived from the caller's endpoint
 * capability (revoking it unmounts); the mount ends when the caller unmounts it or ends. A path
 * whose server is gone may be mounted again (a restart).
 *
 * Non-blocking. Pledge: files. Rights: MOUNT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * EINVAL, ENAMETOOLONG, EEXIST, EUNVEIL.
 *
 * @param dir A DIR handle with MOUNT.
 * @param path_ptr UTF-8 path, relative to the DIR's scope (a leading / is the scope's root).
 * @param path_len (bytes) 1..MAX_PATH_BYTES.
 * @param endpoint An ENDPOINT handle with SEND and DUPLICATE.
 * @param flags 0 or MOUNT_ENDPOINT.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "ns_mount")
export declare function sys_ns_mount(dir: i32, path_ptr: i32, path_len: i32, endpoint: i32, flags: i32): i32;

/**
 * Syscall 102. Remove the mount at exactly this path under the DIR's scope. Open files stay open
 * (they name the server, not the path).
 *
 * Non-blocking. Pledge: files. Rights: MOUNT. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT,
 * EINVAL, ENAMETOOLONG, ENOENT, EUNVEIL.
 *
 * @param dir A DIR handle with MOUNT.
 * @param path_ptr UTF-8 path, relative to the DIR's scope (a leading / is the scope's root).
 * @param path_len (bytes) 1..MAX_PATH_BYTES.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "ns_unmount")
export declare function sys_ns_unmount(dir: i32, path_ptr: i32, path_len: i32): i32;

/**
 * Syscall 103. A new DIR handle for the subtree at path (its scope becomes the DIR's scope + path:
 * `..` cannot leave it), with the given rights masked by the DIR's. No server is asked; the path
 * need not exist.
 *
 * Non-blocking. Pledge: files. Errors: EBADH, ESTALE, EWRONGTYPE, EFAULT, EINVAL, ENAMETOOLONG,
 * EMFILE.
 *
 * @param dir A DIR handle.
 * @param path_ptr UTF-8 path, relative to the DIR's scope (a leading / is the scope's root).
 * @param path_len (bytes) 1..MAX_PATH_BYTES.
 * @param rights Rights for the new handle (masked by dir's).
 * @returns A DIR handle. Negative: -errno.
 */
@external("wasmos", "ns_scope")
export declare function sys_ns_scope(dir: i32, path_ptr: i32, path_len: i32, rights: i32): i32;

/**
 * Syscall 104. A path operation described by an IO descriptor: IO_MKDIR, IO_UNLINK, IO_RENAME,
 * IO_LINK, IO_SYMLINK, IO_READLINK, IO_PSTAT. The kernel resolves the path(s), checks the DIR's
 * rights and the unveil view, and sends the server a connect message (docs/namespace.md); the
 * server's answer is the result.
 *
 * Blocking. Pledge: files. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT, EINVAL,
 * ENAMETOOLONG, ENOENT, EXDEV, EUNVEIL, ECLOSED, ENOTSUP, EDIRECT.
 *
 * @param dir A DIR handle with READ (readlink, pstat) or CREATE (the others).
 * @param desc_ptr An IO_DESC_SIZE-byte IO descriptor.
 * @returns Bytes written into buf (readlink, pstat), else 0. Negative: -errno.
 */
@external("wasmos", "ns_call")
export declare function sys_ns_call(dir: i32, desc_ptr: i32): i32;

/**
 * Syscall 105. An operation on an open file, described by an IO descriptor: IO_READ and IO_WRITE
 * at an offset in any of the three transfer forms (IO_FORM_BUFFER, IO_FORM_REGS, IO_FORM_GRANT),
 * IO_STAT, IO_SETSIZE, IO_SETTIMES, IO_READDIR, IO_SYNC. The kernel sends the request to the
 * file's server stamped with its OCB id and moves the data (docs/namespace.md).
 *
 * Blocking. Pledge: files. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EFAULT, EINVAL, E2BIG,
 * ENOTBOUND, ECLOSED, ENOTSUP, EDIRECT.
 *
 * @param file A FILE handle with READ (read, readdir) or WRITE (write, setsize, settimes).
 * @param desc_ptr An IO_DESC_SIZE-byte IO descriptor.
 * @returns Bytes read or written (read, write, readdir, stat), else 0. Negative: -errno.
 */
@external("wasmos", "io_call")
export declare function sys_io_call(file: i32, desc_ptr: i32): i32;

/**
 * Syscall 106. Narrow the caller's view of every namespace: under this call a path's permissions
 * are those of its longest matching rule (none: nothing); the view becomes the intersection of
 * this call and every earlier one (its ancestors' included), so it can only narrow. Children
 * inherit the view. Violations answer EUNVEIL and are counted.
 *
 * Non-blocking. Pledge: core. Errors: EFAULT, EINVAL, E2BIG, ENAMETOOLONG.
 *
 * @param rules_ptr count UNVEIL_RULE_SIZE-byte rules.
 * @param count 0..MAX_UNVEIL_RULES (0: nothing stays visible).
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "unveil")
export declare function sys_unveil(rules_ptr: i32, count: i32): i32;

/**
 * Syscall 107. A resource manager's loop in one call: reply_wait with a body buffer. Answer rcvid
 * (unless it is 0) with status and words 0..words-1 of the caller's IPC buffer, as reply_wait does
 * (no reply body; a client that has gone is not an error here: the answer is dropped), then
 * receive the next message or pulse on endpoint as receive does into the buffer (buf_ptr,
 * buf_len), with no deadline: the message's body lands in the buffer, its words in the IPC buffer.
 * An open's answer (status 0, the OCB id in word 0, sign-extended) fits, so a server answers it
 * and takes the next request without a 64-bit argument. Everything is checked before the answer is
 * given.
 *
 * Blocking. Pledge: ipc. Rights: RECEIVE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, EMFILE, EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with RECEIVE.
 * @param rcvid The receive id to answer, or 0 to only wait.
 * @param status What the client's send, call or ns_open's server answer is (by convention >= 0).
 * @param words How many words of the IPC buffer the answer carries: 0..MAX_MSG_WORDS.
 * @param buf_ptr Where the next message's body goes.
 * @param buf_len (bytes) Room in the buffer; may be 0.
 * @returns The receive id (> 0) of the next message, or 0 for a pulse. Negative: -errno.
 */
@external("wasmos", "io_reply_wait")
export declare function sys_io_reply_wait(endpoint: i32, rcvid: i32, status: i32, words: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 110. Describe the process with the lowest pid above after_pid (alive, or exited and not
 * yet reaped): write its proc_record (PROC_RECORD_SIZE bytes) and return its pid, or 0 when there
 * is none. Walking the process table: start at after_pid 0 and pass each answer back in. One
 * process per call: pids never repeat, so a walk sees each process at most once.
 *
 * Non-blocking. Pledge: proc. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT.
 *
 * @param kinfo A KINFO handle with READ.
 * @param after_pid 0 for the first process, else a pid (>= 0).
 * @param buf_ptr Where to write the record.
 * @param buf_len (bytes) At least PROC_RECORD_SIZE.
 * @returns The pid described, or 0 when no process has a pid above after_pid. Negative: -errno.
 */
@external("wasmos", "proc_next")
export declare function sys_proc_next(kinfo: i32, after_pid: i32, buf_ptr: i32, buf_len: i32): i32;

/**
 * Syscall 111. One operation on a host directory, described by a hostdir_req (HOSTDIR_*
 * operations). Every path is resolved inside the exposed root (a leading / names the root; `..`
 * never climbs above it), component by component, without following any symbolic link that leads
 * out of it: `..` above the root, absolute link targets and links that climb out are refused with
 * EACCES, device files and FIFOs too, and so are files with several hard links (they may be links
 * to files outside). A read-only directory refuses every change with EACCES. What stays open
 * between calls is only what HOSTDIR_OPEN opened: each such file stays open in the device, under
 * an id valid for the process that opened it (through any of its handles to this device), until
 * that process closes it (CLOSE), no longer holds any handle to the device (closed or revoked:
 * checked whenever a handle to the device closes), or ends; and all of them when the device goes
 * (its last handle closed, or the host shut it down). At most MAX_HOSTDIR_OPEN at once per device.
 * This is safe because the open was confined when it was made (as any path), and an open file
 * stays the file it was, as in POSIX: a rename, a replacement or an unlink of its path afterwards
 * changes nothing the id reaches, so no later path change can lead an id out of the root; ids are
 * checked against the device's own table (slot and generation) and the caller, never guessed into
 * another device's or process's file.
 *
 * Non-blocking. Pledge: devices. Rights: READ. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EFAULT, ENOENT, EEXIST, ENOTDIR, EISDIR, EMFILE, EBADF, ENOTEMPTY, ENAMETOOLONG, ELOOP, EIO.
 *
 * @param hostdir A DEV_HOSTDIR handle: READ for STAT, LSTAT, READ, LIST, READLINK, OPEN without
 * flags, CLOSE, READ_OPEN and STAT_OPEN; WRITE as well for the others.
 * @param req_ptr A hostdir_req (HOSTDIR_REQ_SIZE bytes).
 * @returns Bytes (READ, WRITE, READ_OPEN, WRITE_OPEN, LIST, READLINK; STAT, LSTAT and STAT_OPEN:
 * HOSTDIR_STAT_SIZE); OPEN: the open-file id (> 0); else 0. Negative: -errno.
 */
@external("wasmos", "hostdir_call")
export declare function sys_hostdir_call(hostdir: i32, req_ptr: i32): i32;

/**
 * Syscall 120. Declare the caller's IPC buffer: MAX_MSG_WORDS i32 words (16 bytes) at ptr in its
 * own memory, where call and reply_wait take the words they send and put the words they receive.
 * From then on every delivery to the caller (a message, a pulse, the answer to its send or call)
 * also writes each word's low 32 bits there (a pulse: its code, then its value's low 32 bits), as
 * msg_word would return them. Declared once; a second call moves it.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL, EFAULT.
 *
 * @param ptr Where the 16 bytes are; 4-aligned.
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "ipc_buffer")
export declare function sys_ipc_buffer(ptr: i32): i32;

/**
 * Syscall 121. send with the words in the IPC buffer: send words 0..words-1 of the caller's IPC
 * buffer (the rest are 0) on endpoint and block until the server answers; the answer's words are
 * then in the IPC buffer (and the message registers). One crossing into the kernel, no 64-bit
 * arguments. No deadline: it waits for the answer or for the server to go.
 *
 * Blocking. Pledge: ipc. Rights: SEND. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL, ECLOSED,
 * EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with SEND.
 * @param words How many words of the IPC buffer to send: 0..MAX_MSG_WORDS.
 * @returns The status the server answered with (reply's status; reply_error gives -errno).
 * Negative: -errno.
 */
@external("wasmos", "call")
export declare function sys_call(endpoint: i32, words: i32): i32;

/**
 * Syscall 122. A server's loop in one call (seL4's ReplyRecv): answer rcvid (unless it is 0) with
 * status and words 0..words-1 of the caller's IPC buffer, as reply does (a client that has gone is
 * not an error here: the answer is dropped), then receive the next message or pulse on endpoint as
 * receive does with no body buffer, its words landing in the IPC buffer. Everything is checked
 * before the answer is given.
 *
 * Blocking. Pledge: ipc. Rights: RECEIVE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * EMFILE, EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with RECEIVE.
 * @param rcvid The receive id to answer, or 0 to only wait.
 * @param status What the client's send or call returns (by convention >= 0).
 * @param words How many words of the IPC buffer the answer carries: 0..MAX_MSG_WORDS.
 * @returns The receive id (> 0) of the next message, or 0 for a pulse. Negative: -errno.
 */
@external("wasmos", "reply_wait")
export declare function sys_reply_wait(endpoint: i32, rcvid: i32, status: i32, words: i32): i32;

/**
 * Syscall 123. Signal and wait in one call (seL4's NBSendRecv), the step of an event loop or a
 * ping-pong: queue the pulse (code, value) on endpoint exactly as pulse does (its limits too),
 * then wait on wait_endpoint as reply_wait does with rcvid 0: the next message or pulse, its words
 * landing in the IPC buffer. The pulse's value is an i32 (no 64-bit argument: the receiver's word
 * 1 is it sign-extended; use pulse for a 64-bit value). endpoint and wait_endpoint may be the same
 * endpoint (with nobody else waiting there, the caller then takes its own pulse). Everything is
 * checked before the pulse is queued, so a refused call neither pulses nor waits.
 *
 * Blocking. Pledge: ipc. Rights: SEND|RECEIVE. Errors: EBADH, ESTALE, EWRONGTYPE, EACCES, EINVAL,
 * ECLOSED, EAGAIN, EMFILE, EDIRECT.
 *
 * @param endpoint An ENDPOINT handle with SEND: where the pulse goes.
 * @param code Pulse code (word 0 at the receiver).
 * @param value Pulse value (word 1 at the receiver, sign-extended).
 * @param wait_endpoint An ENDPOINT handle with RECEIVE: where the caller then waits.
 * @returns The receive id (> 0) of the message the wait took, or 0 for a pulse. Negative: -errno.
 */
@external("wasmos", "pulse_wait")
export declare function sys_pulse_wait(endpoint: i32, code: i32, value: i32, wait_endpoint: i32): i32;

/**
 * Syscall 140. Read a message register into memory: word index of the last thing delivered to the
 * caller (a received message or pulse, or the reply to its send) is written as an i64 at word_ptr.
 * Unlike msg_word, an error cannot be mistaken for a word.
 *
 * Non-blocking. Pledge: ipc. Errors: EINVAL, EFAULT.
 *
 * @param index 0 <= index < MAX_MSG_WORDS.
 * @param word_ptr Where to write the word (8 bytes).
 * @returns 0. Negative: -errno.
 */
@external("wasmos", "msg_word_get")
export declare function sys_msg_word_get(index: i32, word_ptr: i32): i32;

/**
 * Syscall 141. Number of environment variables the process was started with. A process spawned by
 * another inherits its spawner's environment; the host or a boot manifest sets the first one's
 * (`wasmos run --env K=V`, a manifest entry's `env`).
 *
 * Non-blocking. Pledge: core.
 *
 * @returns The count.
 */
@external("wasmos", "env_count")
export declare function sys_env_count(): i32;

/**
 * Syscall 142. Copy one environment variable, `KEY=VALUE` in UTF-8 with no terminator, into a
 * buffer. Copies at most buf_len bytes and returns the full length, so a short buffer can be
 * retried (as arg_get).
 *
 * Non-blocking. Pledge: core. Errors: EINVAL, EFAULT.
 *
 * @param index 0 <= index < env_count().
 * @param buf_ptr Where to copy.
 * @param buf_len (bytes) Room in the buffer; 0 asks only for the length.
 * @returns The variable's full length in bytes. Negative: -errno.
 */
@external("wasmos", "env_get")
export declare function sys_env_get(index: i32, buf_ptr: i32, buf_len: i32): i32;

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
export const ABI_VERSION_MINOR: i32 = 3;

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
/** Number of handle_dup. */
export const SYS_HANDLE_DUP: i32 = 16;
/** Number of handle_revoke. */
export const SYS_HANDLE_REVOKE: i32 = 17;
/** Number of handle_info. */
export const SYS_HANDLE_INFO: i32 = 18;
/** Number of pledge. */
export const SYS_PLEDGE: i32 = 19;
/** Number of endpoint_create. */
export const SYS_ENDPOINT_CREATE: i32 = 20;
/** Number of send. */
export const SYS_SEND: i32 = 21;
/** Number of sendmsg. */
export const SYS_SENDMSG: i32 = 22;
/** Number of receive. */
export const SYS_RECEIVE: i32 = 23;
/** Number of reply. */
export const SYS_REPLY: i32 = 24;
/** Number of replymsg. */
export const SYS_REPLYMSG: i32 = 25;
/** Number of reply_error. */
export const SYS_REPLY_ERROR: i32 = 26;
/** Number of pulse. */
export const SYS_PULSE: i32 = 27;
/** Number of msg_word. */
export const SYS_MSG_WORD: i32 = 28;
/** Number of msg_info. */
export const SYS_MSG_INFO: i32 = 29;
/** Number of msg_handle. */
export const SYS_MSG_HANDLE: i32 = 30;
/** Number of name_register. */
export const SYS_NAME_REGISTER: i32 = 31;
/** Number of name_lookup. */
export const SYS_NAME_LOOKUP: i32 = 32;
/** Number of name_unregister. */
export const SYS_NAME_UNREGISTER: i32 = 33;
/** Number of port_create. */
export const SYS_PORT_CREATE: i32 = 34;
/** Number of port_bind. */
export const SYS_PORT_BIND: i32 = 35;
/** Number of port_send. */
export const SYS_PORT_SEND: i32 = 36;
/** Number of memory_create. */
export const SYS_MEMORY_CREATE: i32 = 40;
/** Number of memory_size. */
export const SYS_MEMORY_SIZE: i32 = 41;
/** Number of memory_map. */
export const SYS_MEMORY_MAP: i32 = 42;
/** Number of window_read. */
export const SYS_WINDOW_READ: i32 = 43;
/** Number of window_write. */
export const SYS_WINDOW_WRITE: i32 = 44;
/** Number of window_get. */
export const SYS_WINDOW_GET: i32 = 45;
/** Number of window_set. */
export const SYS_WINDOW_SET: i32 = 46;
/** Number of window_info. */
export const SYS_WINDOW_INFO: i32 = 47;
/** Number of futex_wait. */
export const SYS_FUTEX_WAIT: i32 = 48;
/** Number of futex_wake. */
export const SYS_FUTEX_WAKE: i32 = 49;
/** Number of memory_stats. */
export const SYS_MEMORY_STATS: i32 = 50;
/** Number of memory_set_budget. */
export const SYS_MEMORY_SET_BUDGET: i32 = 51;
/** Number of window_get_packed. */
export const SYS_WINDOW_GET_PACKED: i32 = 52;
/** Number of sched_set_priority. */
export const SYS_SCHED_SET_PRIORITY: i32 = 60;
/** Number of sched_set_tier. */
export const SYS_SCHED_SET_TIER: i32 = 61;
/** Number of sched_set_deadline. */
export const SYS_SCHED_SET_DEADLINE: i32 = 62;
/** Number of sched_wait_period. */
export const SYS_SCHED_WAIT_PERIOD: i32 = 63;
/** Number of sched_info. */
export const SYS_SCHED_INFO: i32 = 64;
/** Number of cpu_time. */
export const SYS_CPU_TIME: i32 = 65;
/** Number of set_limit. */
export const SYS_SET_LIMIT: i32 = 66;
/** Number of partition_create. */
export const SYS_PARTITION_CREATE: i32 = 67;
/** Number of partition_join. */
export const SYS_PARTITION_JOIN: i32 = 68;
/** Number of partition_info. */
export const SYS_PARTITION_INFO: i32 = 69;
/** Number of device_attach. */
export const SYS_DEVICE_ATTACH: i32 = 80;
/** Number of device_info. */
export const SYS_DEVICE_INFO: i32 = 81;
/** Number of timer_set. */
export const SYS_TIMER_SET: i32 = 82;
/** Number of console_rx. */
export const SYS_CONSOLE_RX: i32 = 83;
/** Number of console_tx. */
export const SYS_CONSOLE_TX: i32 = 84;
/** Number of audio_submit. */
export const SYS_AUDIO_SUBMIT: i32 = 85;
/** Number of fb_write. */
export const SYS_FB_WRITE: i32 = 86;
/** Number of fb_present. */
export const SYS_FB_PRESENT: i32 = 87;
/** Number of rng_read. */
export const SYS_RNG_READ: i32 = 88;
/** Number of fb_memory. */
export const SYS_FB_MEMORY: i32 = 89;
/** Number of ns_open. */
export const SYS_NS_OPEN: i32 = 100;
/** Number of ns_mount. */
export const SYS_NS_MOUNT: i32 = 101;
/** Number of ns_unmount. */
export const SYS_NS_UNMOUNT: i32 = 102;
/** Number of ns_scope. */
export const SYS_NS_SCOPE: i32 = 103;
/** Number of ns_call. */
export const SYS_NS_CALL: i32 = 104;
/** Number of io_call. */
export const SYS_IO_CALL: i32 = 105;
/** Number of unveil. */
export const SYS_UNVEIL: i32 = 106;
/** Number of io_reply_wait. */
export const SYS_IO_REPLY_WAIT: i32 = 107;
/** Number of proc_next. */
export const SYS_PROC_NEXT: i32 = 110;
/** Number of hostdir_call. */
export const SYS_HOSTDIR_CALL: i32 = 111;
/** Number of ipc_buffer. */
export const SYS_IPC_BUFFER: i32 = 120;
/** Number of call. */
export const SYS_CALL: i32 = 121;
/** Number of reply_wait. */
export const SYS_REPLY_WAIT: i32 = 122;
/** Number of pulse_wait. */
export const SYS_PULSE_WAIT: i32 = 123;
/** Number of msg_word_get. */
export const SYS_MSG_WORD_GET: i32 = 140;
/** Number of env_count. */
export const SYS_ENV_COUNT: i32 = 141;
/** Number of env_get. */
export const SYS_ENV_GET: i32 = 142;

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
/** The caller's handle table is full (or a device's table of open files: MAX_HOSTDIR_OPEN). */
export const EMFILE: i32 = 12;
/** No syscall has that number (sys entry only). */
export const ENOSYS: i32 = 13;
/** The image cannot be started as a process with the handles given. */
export const EBADIMAGE: i32 = 14;
/**
 * The endpoint or port has no receiver any more (its receive side was closed or its server ended),
 * or the server that took the message ended before replying.
 */
export const ECLOSED: i32 = 15;
/**
 * The client of that message is gone: it ended, was killed, or its deadline passed before the
 * reply.
 */
export const EGONE: i32 = 16;
/** A bounded queue is full (pending pulses of this sender, packets of a port); try again later. */
export const EAGAIN: i32 = 17;
/** The caller pledged away the class of this syscall, or asked to regain a class it dropped. */
export const EPLEDGE: i32 = 18;
/** The name is taken, or the port is bound already. */
export const EEXIST: i32 = 19;
/**
 * Beyond what the caller may grant: a priority above its ceiling, a share above what its partition
 * has left, a limit raised.
 */
export const ECEILING: i32 = 30;
/**
 * Admission control refused: the deadline class, or the partition, cannot take that much more
 * utilisation.
 */
export const EOVERLOAD: i32 = 31;
/**
 * The memory object behind the handle was revoked, or the capability a window was mapped through
 * was: the handle still exists (close it), but nothing can be done through it.
 */
export const EREVOKED: i32 = 40;
/** The memory budget (in pages) of the process that would be charged cannot cover the request. */
export const EQUOTA: i32 = 41;
/** An offset, index or count falls outside the memory object or the window. */
export const ERANGE: i32 = 42;
/** futex_wait: the word did not hold the expected value, so the caller did not sleep. */
export const ECHANGED: i32 = 43;
/**
 * The device failed (its backend reported an error) or the host shut it down; it takes no more
 * work.
 */
export const EIO: i32 = 50;
/** The device's interrupts are attached to another process's endpoint. */
export const EBUSY: i32 = 51;
/**
 * The open-file id was not issued to the caller by this device (forged, another device's or
 * another process's), or has been closed since.
 */
export const EBADF: i32 = 52;
/** A path component is not a directory (or a MOUNT_ENDPOINT path has components below it). */
export const ENOTDIR: i32 = 60;
/** The operation needs a file and the path names a directory. */
export const EISDIR: i32 = 61;
/** The directory is not empty. */
export const ENOTEMPTY: i32 = 62;
/** The two paths of a rename or link are served by different mounts. */
export const EXDEV: i32 = 63;
/** The server has no room left. */
export const ENOSPC: i32 = 65;
/** A path is longer than MAX_PATH_BYTES. */
export const ENAMETOOLONG: i32 = 67;
/**
 * The path is outside the caller's unveiled view, or the view lacks the permission the operation
 * needs. Counted.
 */
export const EUNVEIL: i32 = 64;
/** The server does not implement this operation. */
export const ENOTSUP: i32 = 66;
/** Grant form: the memory object is not bound as a grant by both the caller and the server. */
export const ENOTBOUND: i32 = 68;
/** A path met more symbolic links than one call follows (a loop); host directories: more than 40. */
export const ELOOP: i32 = 69;
/**
 * The caller is a port handler running as a direct activation (PORT_BIND_DIRECT) on its sender's
 * stack, and the syscall may block: a direct activation cannot be suspended. Returned by every
 * syscall that may block, before it does anything.
 */
export const EDIRECT: i32 = 74;

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
/** Send messages and pulses to an endpoint; queue packets on a port. */
export const RIGHT_SEND: i32 = 256;
/** Receive from an endpoint (and reply); bind a port to a handler. */
export const RIGHT_RECEIVE: i32 = 512;
/** Register and unregister names in a namespace. */
export const RIGHT_REGISTER: i32 = 1024;
/** Look names up in a namespace. */
export const RIGHT_LOOKUP: i32 = 2048;
/** Change a process's scheduling: priority, tier, deadline class, partition, limits. */
export const RIGHT_SCHEDULE: i32 = 4096;
/** Map windows onto a memory object (memory_map). */
export const RIGHT_MAP: i32 = 16384;
/** Route a device's interrupts to an endpoint (device_attach). */
export const RIGHT_ATTACH: i32 = 1048576;
/** DIR: mount and unmount endpoints under its scope. */
export const RIGHT_MOUNT: i32 = 16777216;
/** DIR: create files, directories, links and symbolic links, unlink and rename under its scope. */
export const RIGHT_CREATE: i32 = 33554432;
/** DIR: open files for execution. */
export const RIGHT_EXEC: i32 = 67108864;
/** Every right. */
export const RIGHT_ALL: i32 = 118513663;

// ---- Pledge classes (masks for pledge) ----

/** exit, yield, clock, own arguments and handles. Can never be pledged away. */
export const PLEDGE_CORE: i32 = 1;
/** Console output and random bytes. */
export const PLEDGE_STDIO: i32 = 2;
/** Spawning, waiting for, killing and inspecting processes. */
export const PLEDGE_PROC: i32 = 4;
/** Endpoints: creating them, send, receive, reply, pulses, message registers. */
export const PLEDGE_IPC: i32 = 8;
/** Event ports: creating, binding, queueing packets. */
export const PLEDGE_PORTS: i32 = 16;
/** Registering and looking up names. */
export const PLEDGE_NAMES: i32 = 32;
/** Changing scheduling parameters, partitions and limits, and reading them. */
export const PLEDGE_SCHED: i32 = 64;
/**
 * Driving devices: attaching their interrupts, timers, console, audio, framebuffer and RNG
 * devices, device information.
 */
export const PLEDGE_DEVICES: i32 = 128;
/** Memory objects: creating them, windows, futex wait and wake, memory statistics and budgets. */
export const PLEDGE_MEMORY: i32 = 256;
/** The path namespace: opening, mounting, scoping, path operations, I/O on open files. */
export const PLEDGE_FILES: i32 = 512;

// ---- Object types ----

/**
 * A running or exited process. A spawner receives one with
 * DUPLICATE|TRANSFER|WAIT|KILL|INSPECT|SCHEDULE.
 */
export const OBJECT_PROCESS: i32 = 1;
/** A verified, compiled guest module that processes can be spawned from. */
export const OBJECT_IMAGE: i32 = 2;
/**
 * A synchronous IPC endpoint (QNX channel): clients send with SEND, servers receive and reply with
 * RECEIVE. endpoint_create gives DUPLICATE|TRANSFER|SEND|RECEIVE.
 */
export const OBJECT_ENDPOINT: i32 = 3;
/**
 * An event port: packets (code, value) queued with SEND are delivered by calling the exported
 * handler its binder (RECEIVE) named. port_create gives DUPLICATE|TRANSFER|SEND|RECEIVE.
 */
export const OBJECT_PORT: i32 = 4;
/** A name registry mapping names to endpoints (REGISTER, LOOKUP). */
export const OBJECT_NAMESPACE: i32 = 5;
/**
 * A memory object: a fixed-size, zero-filled byte buffer backed by its own wasm memory that never
 * grows. Shared without copies by binding it to a child's `grant` memory import at spawn (READ,
 * and WRITE unless the child's code never writes it), or through windows (MAP). memory_create
 * gives DUPLICATE|TRANSFER|READ|WRITE|MAP.
 */
export const OBJECT_MEMORY: i32 = 6;
/**
 * A window onto a memory object (memory_map): count elements of elem_size bytes, element i at
 * offset + i * stride, read and written through the kernel (READ, WRITE). Revoking the memory
 * capability it was mapped through revokes it.
 */
export const OBJECT_WINDOW: i32 = 7;
/**
 * A CPU partition: a guaranteed share of the CPU over an averaging window for the processes in it
 * (READ to inspect, WRITE to add processes).
 */
export const OBJECT_PARTITION: i32 = 8;
/**
 * A timer device: one deadline at a time on the kernel clock (timer_set, WRITE); each expiry
 * raises IRQ_TIMER. The host hands devices out with DUPLICATE|TRANSFER|READ|WRITE|ATTACH.
 */
export const OBJECT_DEV_TIMER: i32 = 9;
/**
 * A console device: bytes out with console_tx (WRITE) and in with console_rx (READ); arriving
 * input raises IRQ_CONSOLE_RX, the end of input IRQ_CONSOLE_EOF.
 */
export const OBJECT_DEV_CONSOLE: i32 = 10;
/**
 * An audio output device: AUDIO_RATE frames per second of signed 16-bit little-endian interleaved
 * stereo, taking submitted buffers one at a time at its own pace (audio_submit, WRITE) and
 * counting underruns.
 */
export const OBJECT_DEV_AUDIO: i32 = 11;
/**
 * A framebuffer device: width x height RGBA pixels, 4 bytes each, rows top to bottom without
 * padding (DEVINFO_FB_*), written with fb_write or drawn in place through fb_memory, and shown
 * with fb_present (WRITE).
 */
export const OBJECT_DEV_FRAMEBUFFER: i32 = 12;
/**
 * A random number device with its own generator (seeded and deterministic, or the host's entropy),
 * read with rng_read (READ).
 */
export const OBJECT_DEV_RNG: i32 = 13;
/**
 * A host directory: one directory of the host's file system, exposed by the host (`--dir`) to the
 * process that serves it (guests/hostfs). hostdir_call reads (READ) and changes (WRITE) what is
 * inside it; nothing outside is reachable.
 */
export const OBJECT_DEV_HOSTDIR: i32 = 14;
/**
 * The kernel's process table, readable (READ) with proc_next: what a /proc server or a process
 * monitor is given instead of ambient authority over every process. Only the host creates one.
 */
export const OBJECT_KINFO: i32 = 18;
/**
 * A view of a path namespace: the mount table and a scope prefix (a chroot). Paths are resolved
 * relative to the scope; ns_scope narrows it. The host or a spawner passes one as `root`.
 */
export const OBJECT_DIR: i32 = 16;
/**
 * An open object: the server's endpoint and the per-open id (OCB) it chose at open. I/O on it goes
 * to that server stamped with that id; its end posts IO_CLOSE_PULSE to the server.
 */
export const OBJECT_FILE: i32 = 17;

// ---- Process states ----

/** Runnable, waiting for the CPU. */
export const STATE_READY: i32 = 0;
/** On the CPU. */
export const STATE_RUNNING: i32 = 1;
/** Suspended in a blocking syscall. */
export const STATE_BLOCKED: i32 = 2;
/** Ended; its exit status is kept for wait. */
export const STATE_EXITED: i32 = 3;
/** In send, queued on an endpoint until a server receives the message. */
export const STATE_SEND_BLOCKED: i32 = 4;
/** In send, the message received, waiting for the reply. */
export const STATE_REPLY_BLOCKED: i32 = 5;
/** In receive, waiting for a message or pulse. */
export const STATE_RECEIVE_BLOCKED: i32 = 6;
/**
 * _start has returned and the process has bound ports: it runs only when a packet calls one of its
 * handlers.
 */
export const STATE_RESIDENT: i32 = 7;

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
/** The process used more CPU time than its LIMIT_CPU_NS (set_limit). */
export const EXIT_CPU_LIMIT: i32 = 12;
/**
 * A memory object bound to the process as a grant was revoked (the object itself, or a capability
 * the binding derives from). A process not running is ended at once; the running one when its
 * current syscall returns, or before it is next dispatched. The message names the grant.
 */
export const EXIT_GRANT_REVOKED: i32 = 20;
/**
 * A port handler running as a direct activation (PORT_BIND_DIRECT) on its sender's stack ran
 * longer than a scheduling quantum (SCHED_QUANTUM_NS of CPU; fuel in deterministic mode): it could
 * not be preempted without its sender, so it was ended and the sender carried on.
 */
export const EXIT_DIRECT_OVERRUN: i32 = 47;

// ---- Limits ----

/** Total bytes of a process's arguments, NUL terminators included. */
export const MAX_ARGS_BYTES: i32 = 65536;
/** Number of arguments a process may receive. */
export const MAX_ARGS: i32 = 1024;
/** Total bytes of a process's environment (each KEY=VALUE plus one), set by the host. */
export const MAX_ENV_BYTES: i32 = 65536;
/** Number of environment variables a process may have. */
export const MAX_ENV: i32 = 1024;
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
/**
 * Default ceiling on a guest's own memory, in 64 KiB pages (256 MiB), declared minimum and
 * maximum; equal to MEMORY_BUDGET_PAGES, so a process with the default budget can grow its own
 * memory to the budget memory_stats reports (less the pages of memory objects it created).
 */
export const MAX_MEMORY_PAGES: i32 = 4096;
/** Largest memory object (64 MiB). */
export const MAX_MEMORY_OBJECT_BYTES: i32 = 67108864;
/**
 * Default memory budget of a process the host spawns, in pages (256 MiB): its own memory plus the
 * memory objects it created and that still live. A child spawned by a process starts with its
 * spawner's budget.
 */
export const MEMORY_BUDGET_PAGES: i32 = 4096;
/**
 * Default ceiling on the pages of one kernel (4 GiB): process memories plus memory objects.
 * memory_create and spawn past it fail with ENOMEM.
 */
export const MEMORY_SYSTEM_PAGES: i32 = 65536;
/** Default ceiling on a guest's table size, declared minimum and maximum. */
export const MAX_TABLE_ELEMENTS: i32 = 65536;
/** Largest module the loader accepts (128 MiB): real WASI programs are 10-80 MB. */
export const MAX_MODULE_BYTES: i32 = 134217728;
/** Largest message or reply body (1 MiB). */
export const MAX_MSG_BYTES: i32 = 1048576;
/** 64-bit words carried by a message (message registers). */
export const MAX_MSG_WORDS: i32 = 4;
/** Handles carried by one message or reply. */
export const MAX_MSG_HANDLES: i32 = 16;
/** Pulses one sender may have queued on one endpoint; more return EAGAIN. */
export const MAX_PENDING_PULSES: i32 = 16;
/** Packets queued on one port; more return EAGAIN. */
export const MAX_PORT_PACKETS: i32 = 256;
/**
 * Default round-robin quantum, measured in fuel (1 fuel = 1 ns of virtual time): about a million
 * wasm instructions.
 */
export const SCHED_QUANTUM_NS: i32 = 1000000;
/** Default averaging window over which a partition's share is guaranteed. */
export const PARTITION_WINDOW_NS: i32 = 100000000;
/**
 * Default share of the CPU the deadline class may reserve in all (admission control); the rest
 * stays for fixed priorities.
 */
export const EDF_CAPACITY_PERMILLE: i32 = 900;
/** Buffers submitted to one audio device and not yet taken; more return EAGAIN. */
export const MAX_AUDIO_QUEUED: i32 = 4;
/** Frames of one audio_submit (one second). */
export const MAX_AUDIO_FRAMES: i32 = 48000;
/** Input bytes a console device buffers; more are dropped and counted (DEVINFO_CONSOLE_RX_DROPPED). */
export const MAX_CONSOLE_RX_BYTES: i32 = 65536;
/** Longest path a namespace call takes, in UTF-8 bytes. */
export const MAX_PATH_BYTES: i32 = 1024;
/**
 * Files one host-directory device keeps open at once (hostdir_call HOSTDIR_OPEN), all callers
 * together; more fail with EMFILE.
 */
export const MAX_HOSTDIR_OPEN: i32 = 256;
/** Most rules one unveil call takes. */
export const MAX_UNVEIL_RULES: i32 = 64;
/** Most unveil calls in a process's view, its ancestors' included. */
export const MAX_UNVEIL_CALLS: i32 = 16;

// ---- Constants ----

/** Never a valid handle. */
export const HANDLE_INVALID: i32 = 0;
/** Names the calling process in process_info. */
export const HANDLE_SELF: i32 = -1;
/** A deadline that never expires. */
export const DEADLINE_INFINITE: i64 = 9223372036854775807;
/**
 * Descriptor flag: move the handles. They leave the sender's table when the message is accepted; a
 * call refused at once (any error sendmsg or replymsg returns without blocking, but replymsg's
 * EMFILE, which ends the exchange) leaves them where they were, and a message that fails later
 * (timeout while queued, the receive side closed) drops them. Without the flag they are copied
 * (each needs DUPLICATE too).
 */
export const MSG_MOVE_HANDLES: i32 = 1;
/**
 * spawn_handle_entry flag: move the handle into the child. It leaves the caller's table only when
 * spawn succeeds, and needs TRANSFER alone; without the flag the child gets a copy derived from
 * the caller's (TRANSFER and DUPLICATE needed), which the caller's revoke reaches, and the caller
 * keeps its own. The same rule as a message's handles (MSG_MOVE_HANDLES).
 */
export const SPAWN_MOVE_HANDLE: i32 = 1;
/** msg_info kind: nothing delivered yet. */
export const MSG_KIND_NONE: i32 = 0;
/** msg_info kind: a message taken by receive. */
export const MSG_KIND_MESSAGE: i32 = 1;
/** msg_info kind: a pulse taken by receive (word 0 = code, word 1 = value). */
export const MSG_KIND_PULSE: i32 = 2;
/** msg_info kind: the reply to the caller's send. */
export const MSG_KIND_REPLY: i32 = 3;
/** port_bind flag: also deliver an idle packet (code PORT_CODE_IDLE) when nothing else is runnable. */
export const PORT_BIND_IDLE: i32 = 1;
/**
 * port_bind flag: the binder accepts that its handler may run at once, on the sender's stack and
 * time, inside the sender's port_send, whenever the binder is idle (RESIDENT: no activation
 * running, no packet queued). Such a direct activation runs to completion: a syscall that may
 * block returns EDIRECT, and one that runs longer than a scheduling quantum (SCHED_QUANTUM_NS)
 * ends the binder with DIRECT_OVERRUN. Packets to a busy binder queue as without the flag.
 */
export const PORT_BIND_DIRECT: i32 = 2;
/** The code of an idle packet. */
export const PORT_CODE_IDLE: i32 = -1;
/**
 * Round robin within a priority: a process that used up its quantum goes to the back of its
 * priority's queue.
 */
export const SCHED_RR: i32 = 0;
/**
 * First in, first out within a priority: the process keeps the CPU until it blocks, yields or a
 * higher priority is ready.
 */
export const SCHED_FIFO: i32 = 1;
/** sched_info: scheduled by fixed priority (0..PRIORITY_MAX). */
export const SCHED_CLASS_FIXED: i32 = 0;
/** sched_info: scheduled earliest-deadline-first, above every fixed priority (sched_set_deadline). */
export const SCHED_CLASS_DEADLINE: i32 = 1;
/** Highest fixed priority (0 is the lowest). */
export const PRIORITY_MAX: i32 = 255;
/** Idle work: priorities 0-63, default 32, no deadline. */
export const TIER_VOID: i32 = 0;
/** Background work: priorities 64-127, default 96, deadline 100 ms. */
export const TIER_GRAVITY: i32 = 1;
/** Interactive work: priorities 128-191, default 128 (every process starts here), deadline 16 ms. */
export const TIER_MATTER: i32 = 2;
/** Audio and interrupt work: priorities 192-255, default 224, deadline 1 ms. */
export const TIER_PHOTON: i32 = 3;
/** A partition share of the whole CPU, in permille. */
export const SHARE_WHOLE: i32 = 1000;
/** set_limit: total CPU time in ns; a process that uses more is ended with CPU_LIMIT. */
export const LIMIT_CPU_NS: i32 = 1;
/** set_limit: size of the handle table; handle-creating calls fail with EMFILE beyond it. */
export const LIMIT_HANDLES: i32 = 2;
/** Bytes in a page: memory objects are backed by whole pages, and budgets count pages. */
export const PAGE_SIZE: i32 = 65536;
/**
 * An interrupt arrives as a pulse whose value is (kind << IRQ_KIND_SHIFT) | datum: kind an IRQ_*
 * constant, datum an unsigned 32-bit number.
 */
export const IRQ_KIND_SHIFT: i32 = 32;
/** Interrupt kind: a timer device's deadline passed. Datum: its expiries so far. */
export const IRQ_TIMER: i32 = 1;
/** Interrupt kind: console input arrived. Datum: bytes now buffered. */
export const IRQ_CONSOLE_RX: i32 = 2;
/**
 * Interrupt kind: console input ended (what is buffered can still be read). Datum: bytes still
 * buffered.
 */
export const IRQ_CONSOLE_EOF: i32 = 3;
/**
 * Interrupt kind: the audio device took a buffer (its bytes are read; the caller may reuse them)
 * and the next one is due when this one has played. Datum: the buffer's ticket.
 */
export const IRQ_AUDIO_PERIOD: i32 = 4;
/** Interrupt kind: the audio device ran out of buffers and stopped. Datum: underruns so far. */
export const IRQ_AUDIO_UNDERRUN: i32 = 5;
/**
 * Interrupt kind: the audio device played a buffer submitted with AUDIO_SUBMIT_END and stopped.
 * Datum: that buffer's ticket.
 */
export const IRQ_AUDIO_DRAINED: i32 = 6;
/** Frames per second an audio device plays. */
export const AUDIO_RATE: i32 = 48000;
/** Channels of an audio frame, interleaved (left first). */
export const AUDIO_CHANNELS: i32 = 2;
/** Bytes of one audio frame: two signed 16-bit little-endian samples. */
export const AUDIO_FRAME_BYTES: i32 = 4;
/** audio_submit flag: the stream ends with this buffer; running out after it is not an underrun. */
export const AUDIO_SUBMIT_END: i32 = 1;
/** device_info, any device: 1 while its interrupts are attached to an open endpoint, else 0. */
export const DEVINFO_ATTACHED: i32 = 1;
/** device_info, any device: interrupts delivered to the attached endpoint. */
export const DEVINFO_IRQ_RAISED: i32 = 2;
/**
 * device_info, any device: interrupts dropped because the attached endpoint was closed or already
 * had MAX_PENDING_PULSES interrupts pending.
 */
export const DEVINFO_IRQ_LOST: i32 = 3;
/** device_info, any device: 1 once it failed or was shut down (its calls then return EIO), else 0. */
export const DEVINFO_FAILED: i32 = 4;
/** device_info, timer: the armed deadline, or DEADLINE_INFINITE. */
export const DEVINFO_TIMER_DEADLINE: i32 = 16;
/** device_info, timer: deadlines that have passed. */
export const DEVINFO_TIMER_EXPIRIES: i32 = 17;
/** device_info, console: input bytes waiting for console_rx. */
export const DEVINFO_CONSOLE_RX_BUFFERED: i32 = 32;
/** device_info, console: input bytes dropped because MAX_CONSOLE_RX_BYTES were waiting. */
export const DEVINFO_CONSOLE_RX_DROPPED: i32 = 33;
/** device_info, console: 1 once input has ended, else 0. */
export const DEVINFO_CONSOLE_RX_EOF: i32 = 34;
/** device_info, console: bytes written with console_tx. */
export const DEVINFO_CONSOLE_TX_BYTES: i32 = 35;
/** device_info, audio: frames per second (AUDIO_RATE). */
export const DEVINFO_AUDIO_RATE: i32 = 48;
/** device_info, audio: channels (AUDIO_CHANNELS). */
export const DEVINFO_AUDIO_CHANNELS: i32 = 49;
/** device_info, audio: buffers submitted and not yet taken. */
export const DEVINFO_AUDIO_QUEUED: i32 = 50;
/** device_info, audio: 1 while playing, 0 when stopped. */
export const DEVINFO_AUDIO_RUNNING: i32 = 51;
/** device_info, audio: frames played, silence included. */
export const DEVINFO_AUDIO_FRAMES: i32 = 52;
/** device_info, audio: times the device ran out of buffers. */
export const DEVINFO_AUDIO_UNDERRUNS: i32 = 53;
/**
 * device_info, audio: frames of silence played (gaps after underruns, buffers whose source was
 * gone).
 */
export const DEVINFO_AUDIO_SILENT_FRAMES: i32 = 54;
/** device_info, audio: buffers whose source was gone when their turn came. */
export const DEVINFO_AUDIO_DROPPED: i32 = 55;
/** device_info, audio: buffers submitted (the next ticket). */
export const DEVINFO_AUDIO_SUBMITTED: i32 = 56;
/**
 * device_info, audio: the most its period timer has fired after the period's end, in ns (the wall
 * clock's lateness in real-time mode; normally 0 on the virtual clock).
 */
export const DEVINFO_AUDIO_JITTER_MAX_NS: i32 = 57;
/** device_info, framebuffer: width in pixels. */
export const DEVINFO_FB_WIDTH: i32 = 64;
/** device_info, framebuffer: height in pixels. */
export const DEVINFO_FB_HEIGHT: i32 = 65;
/** device_info, framebuffer: bytes per row (width * 4). */
export const DEVINFO_FB_STRIDE: i32 = 66;
/** device_info, framebuffer: frames presented. */
export const DEVINFO_FB_FRAMES: i32 = 67;
/** device_info, RNG: bytes read from it. */
export const DEVINFO_RNG_BYTES: i32 = 80;
/** hostdir_call: a hostdir_stat of path into buf, following symbolic links that stay inside. */
export const HOSTDIR_STAT: i32 = 1;
/** hostdir_call: a hostdir_stat of path itself (a symbolic link is described, not followed). */
export const HOSTDIR_LSTAT: i32 = 2;
/** hostdir_call: read up to len bytes at offset into buf; the result is the count (0 at the end). */
export const HOSTDIR_READ: i32 = 3;
/**
 * hostdir_call: write len bytes from buf at offset (flags HOSTDIR_CREATE creates the file); the
 * result is the count.
 */
export const HOSTDIR_WRITE: i32 = 4;
/** hostdir_call: create path as an empty file, or open it (flags HOSTDIR_EXCL, HOSTDIR_TRUNC). */
export const HOSTDIR_CREATE_FILE: i32 = 5;
/** hostdir_call: set the size of the file at path to offset. */
export const HOSTDIR_SETSIZE: i32 = 6;
/** hostdir_call: set the modification time of path to offset (ns since 1970). */
export const HOSTDIR_SETTIMES: i32 = 7;
/**
 * hostdir_call: entries of the directory at path from index offset, as hostdir_dirent records into
 * buf (sorted by name); the result is the bytes written, 0 at the end.
 */
export const HOSTDIR_LIST: i32 = 8;
/** hostdir_call: create the directory path. */
export const HOSTDIR_MKDIR: i32 = 9;
/**
 * hostdir_call: remove the file, symbolic link or empty directory at path (links are never
 * followed).
 */
export const HOSTDIR_REMOVE: i32 = 10;
/** hostdir_call: rename path to path2. */
export const HOSTDIR_RENAME: i32 = 11;
/**
 * hostdir_call: a symbolic link at path whose target is path2 (stored as given; refused if it
 * leads out of the root).
 */
export const HOSTDIR_SYMLINK: i32 = 12;
/**
 * hostdir_call: the target of the symbolic link at path into buf; the result is its length (cut at
 * len).
 */
export const HOSTDIR_READLINK: i32 = 13;
/**
 * hostdir_call: a hard link at path2 to the regular file or symbolic link at path (never followed;
 * both inside the root). The device remembers the files it linked: a file with several links is
 * opened only if this device made them.
 */
export const HOSTDIR_LINK: i32 = 14;
/**
 * hostdir_call: open the regular file at path (walked and confined as every path is) and keep it
 * open in the device for the caller; the result is its open-file id (> 0) for the *_OPEN
 * operations, until CLOSE. Flags HOSTDIR_OPEN_WRITE (also writable), HOSTDIR_CREATE (create it if
 * missing), HOSTDIR_EXCL (with CREATE: fail if it exists), HOSTDIR_TRUNC (cut it to 0 bytes); any
 * of them needs WRITE. The open is the file itself: renaming, replacing or removing the path
 * afterwards does not change what the id reads and writes.
 */
export const HOSTDIR_OPEN: i32 = 15;
/** hostdir_call: close the open file `file`; its id is never valid again. */
export const HOSTDIR_CLOSE: i32 = 16;
/**
 * hostdir_call: read up to len bytes at offset of the open file `file` into buf; the result is the
 * count (0 at the end). No path is walked.
 */
export const HOSTDIR_READ_OPEN: i32 = 17;
/**
 * hostdir_call: write len bytes from buf at offset of the open file `file` (opened with
 * HOSTDIR_OPEN_WRITE); the result is the count.
 */
export const HOSTDIR_WRITE_OPEN: i32 = 18;
/** hostdir_call: a hostdir_stat of the open file `file` into buf. */
export const HOSTDIR_STAT_OPEN: i32 = 19;
/** hostdir_call: set the size of the open file `file` (opened with HOSTDIR_OPEN_WRITE) to offset. */
export const HOSTDIR_SETSIZE_OPEN: i32 = 20;
/** hostdir_call: set the modification time of the open file `file` to offset (ns since 1970). */
export const HOSTDIR_SETTIMES_OPEN: i32 = 21;
/** hostdir_req flags, HOSTDIR_WRITE: create the file if it is missing. */
export const HOSTDIR_CREATE: i32 = 1;
/** hostdir_req flags, HOSTDIR_CREATE_FILE: fail with EEXIST if path exists. */
export const HOSTDIR_EXCL: i32 = 2;
/** hostdir_req flags, HOSTDIR_CREATE_FILE: truncate an existing file to 0 bytes. */
export const HOSTDIR_TRUNC: i32 = 4;
/**
 * hostdir_req flags, HOSTDIR_SETTIMES: a symbolic link as the last component gets the time itself
 * (lutimes).
 */
export const HOSTDIR_NOFOLLOW: i32 = 8;
/** hostdir_req flags, HOSTDIR_OPEN: open for writing as well as reading (WRITE_OPEN, SETSIZE_OPEN). */
export const HOSTDIR_OPEN_WRITE: i32 = 16;
/** device_info, host directory: 1 when it refuses every change (a `:ro` directory), else 0. */
export const DEVINFO_HOSTDIR_READONLY: i32 = 96;
/**
 * device_info, host directory: calls refused by its confinement checks (EACCES: a path or a
 * symbolic link leading out of the root, a device file, a file with several hard links).
 */
export const DEVINFO_HOSTDIR_REFUSALS: i32 = 97;
/**
 * device_info, host directory: files open in it now (HOSTDIR_OPEN not yet closed), all callers
 * together.
 */
export const DEVINFO_HOSTDIR_OPEN: i32 = 98;
/** ns_open: open for reading (needs READ on the DIR and UNVEIL_READ). */
export const O_READ: i32 = 1;
/** ns_open: open for writing (needs WRITE on the DIR and UNVEIL_WRITE). */
export const O_WRITE: i32 = 2;
/** ns_open: create the file if missing (needs CREATE on the DIR and UNVEIL_CREATE). */
export const O_CREATE: i32 = 4;
/** ns_open: truncate to 0 bytes (needs WRITE as well). */
export const O_TRUNC: i32 = 8;
/** ns_open: with O_CREATE, fail with EEXIST if the file exists. */
export const O_EXCL: i32 = 16;
/** ns_open: the path must name a directory (ENOTDIR otherwise). */
export const O_DIRECTORY: i32 = 32;
/** ns_open: open for execution (needs EXEC on the DIR and UNVEIL_EXEC). */
export const O_EXEC: i32 = 64;
/**
 * ns_open: a symbolic link as the path's last component is not followed: the server answers ELOOP
 * (WASI's lookupflags without SYMLINK_FOLLOW, POSIX's O_NOFOLLOW).
 */
export const O_NOFOLLOW: i32 = 128;
/**
 * ns_mount: a plain endpoint, not a resource manager: ns_open of exactly this path returns a
 * SEND|DUPLICATE|TRANSFER handle to it and sends nothing.
 */
export const MOUNT_ENDPOINT: i32 = 1;
/**
 * Transfer form: the data is copied once by the kernel between the client's buffer and the
 * server's message body.
 */
export const IO_FORM_BUFFER: i32 = 0;
/**
 * Transfer form: a write of at most IO_REGS_WRITE_MAX bytes in message word 3; a read of at most
 * IO_REGS_READ_MAX bytes in the reply words.
 */
export const IO_FORM_REGS: i32 = 1;
/**
 * Transfer form: the data lives in a memory object bound as a grant by both client and server; the
 * kernel copies nothing.
 */
export const IO_FORM_GRANT: i32 = 2;
/** Most bytes a registers-form write carries. */
export const IO_REGS_WRITE_MAX: i32 = 8;
/** Most bytes a registers-form read carries. */
export const IO_REGS_READ_MAX: i32 = 16;
/** Connect message: open a path (sent by ns_open). */
export const IO_OPEN: i32 = 1;
/** io_call: read len bytes at offset. */
export const IO_READ: i32 = 2;
/** io_call: write len bytes at offset. */
export const IO_WRITE: i32 = 3;
/** io_call: a STAT_SIZE record of the open file into buf. */
export const IO_STAT: i32 = 4;
/** io_call: set the file's size to offset. */
export const IO_SETSIZE: i32 = 5;
/** io_call: set the file's modification time to offset (ns). */
export const IO_SETTIMES: i32 = 6;
/** io_call: directory records from cookie offset into buf (0 bytes: the end). */
export const IO_READDIR: i32 = 7;
/** io_call: make what was written durable. */
export const IO_SYNC: i32 = 8;
/** ns_call: create a directory at path. */
export const IO_MKDIR: i32 = 16;
/** ns_call: remove the name path (an empty directory too). */
export const IO_UNLINK: i32 = 17;
/** ns_call: rename path to path2 (same mount). */
export const IO_RENAME: i32 = 18;
/** ns_call: a new name path2 for the file at path (same mount). */
export const IO_LINK: i32 = 19;
/** ns_call: a symbolic link at path whose target is path2 (stored as given). */
export const IO_SYMLINK: i32 = 20;
/** ns_call: the target of the symbolic link at path into buf. */
export const IO_READLINK: i32 = 21;
/** ns_call: a STAT_SIZE record of path into buf. */
export const IO_PSTAT: i32 = 22;
/**
 * ns_call: set the modification time of path to the descriptor's offset (ns since 1970), a
 * symbolic link as the last component itself (lutimes). Needs WRITE on the DIR and UNVEIL_WRITE.
 */
export const IO_PSETTIMES: i32 = 23;
/**
 * IO_PSTAT, in the descriptor's offset field: a symbolic link as the last component is described
 * itself (lstat). Neither flag: the server's default (hostfs follows, tmpfs does not).
 */
export const IO_STAT_NOFOLLOW: i32 = 1;
/**
 * IO_PSTAT, in the descriptor's offset field: a symbolic link as the last component is followed
 * (stat).
 */
export const IO_STAT_FOLLOW: i32 = 2;
/**
 * Pulse code the kernel posts to a resource manager when an open's last handle is gone; the value
 * is the open's OCB id. It carries the (base) priority of the process that let the last handle go
 * (pulse priority, as pulse's): a client below its server is not preempted by its close.
 */
export const IO_CLOSE_PULSE: i32 = -16;
/** stat type: a regular file. */
export const FILE_TYPE_REG: i32 = 1;
/** stat type: a directory. */
export const FILE_TYPE_DIR: i32 = 2;
/** stat type: a symbolic link. */
export const FILE_TYPE_SYMLINK: i32 = 3;
/** stat type: a device. */
export const FILE_TYPE_DEV: i32 = 4;
/** stat type: an endpoint mounted with MOUNT_ENDPOINT. */
export const FILE_TYPE_ENDPOINT: i32 = 5;
/** unveil permission: open for reading, stat, readdir, readlink. */
export const UNVEIL_READ: i32 = 1;
/** unveil permission: open for writing. */
export const UNVEIL_WRITE: i32 = 2;
/** unveil permission: create, mkdir, unlink, rename, link, symlink, mount, unmount. */
export const UNVEIL_CREATE: i32 = 4;
/** unveil permission: open for execution. */
export const UNVEIL_EXEC: i32 = 8;
/** Bytes of a exit_info struct (see structs): How a process ended: written by wait. */
export const EXIT_INFO_SIZE: i32 = 8;
/** Bytes of a process_info struct (see structs): A process described: written by process_info. */
export const PROCESS_INFO_SIZE: i32 = 40;
/** Bytes of a proc_record struct (see structs): A process as /proc shows it: written by proc_next. */
export const PROC_RECORD_SIZE: i32 = 112;
/**
 * Bytes of a spawn_handle_entry struct (see structs): One entry of spawn's handle list: a handle
 * passed to the child under a name. Read by spawn.
 */
export const SPAWN_HANDLE_ENTRY_SIZE: i32 = 16;
/** Bytes of a handle_info struct (see structs): A handle described: written by handle_info. */
export const HANDLE_INFO_SIZE: i32 = 16;
/**
 * Bytes of a hostdir_req struct (see structs): A request to a host-directory device: read by
 * hostdir_call. Paths are UTF-8, relative to the exposed root whether or not they start with /.
 */
export const HOSTDIR_REQ_SIZE: i32 = 48;
/**
 * Bytes of a hostdir_stat struct (see structs): A file described: written by hostdir_call STAT and
 * LSTAT (the layout of the namespace's stat).
 */
export const HOSTDIR_STAT_SIZE: i32 = 32;
/**
 * Bytes of a hostdir_dirent struct (see structs): The head of one directory entry written by
 * hostdir_call LIST: the name follows it, and the next record starts at the next multiple of 8.
 */
export const HOSTDIR_DIRENT_SIZE: i32 = 16;
/**
 * Bytes of a msg_desc struct (see structs): A message descriptor: read by sendmsg and replymsg
 * (replymsg ignores reply_ptr and reply_cap).
 */
export const MSG_DESC_SIZE: i32 = 56;
/**
 * Bytes of a msg_info struct (see structs): The last thing delivered to a process described:
 * written by msg_info.
 */
export const MSG_INFO_SIZE: i32 = 24;
/** Bytes of a sched_info struct (see structs): How a process is scheduled: written by sched_info. */
export const SCHED_INFO_SIZE: i32 = 80;
/**
 * Bytes of a partition_info struct (see structs): A CPU partition described: written by
 * partition_info.
 */
export const PARTITION_INFO_SIZE: i32 = 40;
/** Bytes of a window_info struct (see structs): A window described: written by window_info. */
export const WINDOW_INFO_SIZE: i32 = 16;
/**
 * Bytes of a memory_stats struct (see structs): Memory accounting of a process and of the system:
 * written by memory_stats.
 */
export const MEMORY_STATS_SIZE: i32 = 64;
/**
 * Bytes of a io_desc struct (see structs): An IO descriptor: what ns_call and io_call do
 * (docs/namespace.md).
 */
export const IO_DESC_SIZE: i32 = 48;
/**
 * Bytes of a stat struct (see structs): A file described: written by io_call IO_STAT and ns_call
 * IO_PSTAT.
 */
export const STAT_SIZE: i32 = 32;
/**
 * Bytes of a dirent struct (see structs): The header of one readdir record; the name follows, the
 * record is padded to 8 bytes.
 */
export const DIRENT_SIZE: i32 = 24;
/** Bytes of a unveil_rule struct (see structs): One unveil rule. */
export const UNVEIL_RULE_SIZE: i32 = 12;

// ---- Structs (layouts in guest memory; NAME_SIZE is among the constants) ----

/** exit_info: How a process ended: written by wait. 8 bytes. Accessors take the struct's address. */
export class ExitInfoLayout {
  /** Exit status (exit's argument, kill's status, or the trap's). (i32 at 0) */
  @inline static status(p: usize): i32 {
    return load<i32>(p, 0);
  }
  @inline static setStatus(p: usize, v: i32): void {
    store<i32>(p, v, 0);
  }
  /** Why it ended: an exit reason (NORMAL, KILLED, ...). (u32 at 4) */
  @inline static reason(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setReason(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
}

/**
 * process_info: A process described: written by process_info. 40 bytes. Accessors take the
 * struct's address.
 */
export class ProcessInfoLayout {
  /** Its process id. (u32 at 0) */
  @inline static pid(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setPid(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Its spawner's pid (0: the host). (u32 at 4) */
  @inline static parentPid(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setParentPid(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** A process state (READY, RUNNING, ...). (u32 at 8) */
  @inline static state(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setState(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Its effective priority. (u32 at 12) */
  @inline static priority(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setPriority(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
  /** Exit status once EXITED, else 0. (i32 at 16) */
  @inline static exitStatus(p: usize): i32 {
    return load<i32>(p, 16);
  }
  @inline static setExitStatus(p: usize, v: i32): void {
    store<i32>(p, v, 16);
  }
  /** Exit reason once EXITED, else 0. (u32 at 20) */
  @inline static exitReason(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setExitReason(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
  /** CPU time it has used, in ns. (u64 at 24) */
  @inline static cpuTimeNs(p: usize): u64 {
    return load<u64>(p, 24);
  }
  @inline static setCpuTimeNs(p: usize, v: u64): void {
    store<u64>(p, v, 24);
  }
  /** Pages of its own memory (0 once EXITED). (u32 at 32) */
  @inline static memoryPages(p: usize): u32 {
    return load<u32>(p, 32);
  }
  @inline static setMemoryPages(p: usize, v: u32): void {
    store<u32>(p, v, 32);
  }
  /** Handles in its table. (u32 at 36) */
  @inline static handleCount(p: usize): u32 {
    return load<u32>(p, 36);
  }
  @inline static setHandleCount(p: usize, v: u32): void {
    store<u32>(p, v, 36);
  }
}

/**
 * proc_record: A process as /proc shows it: written by proc_next. 112 bytes. Accessors take the
 * struct's address.
 */
export class ProcRecordLayout {
  /** Its process id. (u32 at 0) */
  @inline static pid(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setPid(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Its spawner's pid (0: the host). (u32 at 4) */
  @inline static parentPid(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setParentPid(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** A process state (READY, RUNNING, ...). (u32 at 8) */
  @inline static state(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setState(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Its effective priority (raised by priority inheritance). (u32 at 12) */
  @inline static priority(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setPriority(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
  /** Exit status once EXITED, else 0. (i32 at 16) */
  @inline static exitStatus(p: usize): i32 {
    return load<i32>(p, 16);
  }
  @inline static setExitStatus(p: usize, v: i32): void {
    store<i32>(p, v, 16);
  }
  /** Exit reason once EXITED, else 0. (u32 at 20) */
  @inline static exitReason(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setExitReason(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
  /** CPU time it has used, in ns. (u64 at 24) */
  @inline static cpuTimeNs(p: usize): u64 {
    return load<u64>(p, 24);
  }
  @inline static setCpuTimeNs(p: usize, v: u64): void {
    store<u64>(p, v, 24);
  }
  /**
   * Pages it is charged for: its own memory and the live memory objects it created (0 once
   * EXITED). (u32 at 32)
   */
  @inline static memoryPages(p: usize): u32 {
    return load<u32>(p, 32);
  }
  @inline static setMemoryPages(p: usize, v: u32): void {
    store<u32>(p, v, 32);
  }
  /** Handles in its table. (u32 at 36) */
  @inline static handleCount(p: usize): u32 {
    return load<u32>(p, 36);
  }
  @inline static setHandleCount(p: usize, v: u32): void {
    store<u32>(p, v, 36);
  }
  /** Its own priority, before inheritance. (u32 at 40) */
  @inline static basePriority(p: usize): u32 {
    return load<u32>(p, 40);
  }
  @inline static setBasePriority(p: usize, v: u32): void {
    store<u32>(p, v, 40);
  }
  /** Its memory budget in pages (0xFFFFFFFF: none of its own). (u32 at 44) */
  @inline static budgetPages(p: usize): u32 {
    return load<u32>(p, 44);
  }
  @inline static setBudgetPages(p: usize, v: u32): void {
    store<u32>(p, v, 44);
  }
  /** The object id of its CPU partition. (u32 at 48) */
  @inline static partition(p: usize): u32 {
    return load<u32>(p, 48);
  }
  @inline static setPartition(p: usize, v: u32): void {
    store<u32>(p, v, 48);
  }
  /** That partition's share of the CPU, permille. (u32 at 52) */
  @inline static partitionShare(p: usize): u32 {
    return load<u32>(p, 52);
  }
  @inline static setPartitionShare(p: usize, v: u32): void {
    store<u32>(p, v, 52);
  }
  /** Bytes the kernel copied between processes on its behalf. (u64 at 56) */
  @inline static bytesCopied(p: usize): u64 {
    return load<u64>(p, 56);
  }
  @inline static setBytesCopied(p: usize, v: u64): void {
    store<u64>(p, v, 56);
  }
  /** argv[0], UTF-8, NUL-padded, cut at 32 bytes. (u8 x 32 at 64) */
  @inline static name(p: usize, i: i32): u8 {
    return load<u8>(p + <usize>i, 64);
  }
  @inline static setName(p: usize, i: i32, v: u8): void {
    store<u8>(p + <usize>i, v, 64);
  }
  /** The blocking syscall it waits in, NUL-padded; empty when it is not blocked. (u8 x 16 at 96) */
  @inline static blockedIn(p: usize, i: i32): u8 {
    return load<u8>(p + <usize>i, 96);
  }
  @inline static setBlockedIn(p: usize, i: i32, v: u8): void {
    store<u8>(p + <usize>i, v, 96);
  }
}

/**
 * spawn_handle_entry: One entry of spawn's handle list: a handle passed to the child under a name.
 * Read by spawn. 16 bytes. Accessors take the struct's address.
 */
export class SpawnHandleEntryLayout {
  /**
   * A handle of the caller's: with TRANSFER and DUPLICATE to pass a copy, TRANSFER alone to move
   * it (SPAWN_MOVE_HANDLE). (u32 at 0)
   */
  @inline static handle(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setHandle(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** The name the child finds it by (handle_get): UTF-8. (u32 at 4) */
  @inline static namePtr(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setNamePtr(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** Bytes of the name: 1..MAX_NAME_BYTES. (u32 at 8) */
  @inline static nameLen(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setNameLen(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** SPAWN_MOVE_HANDLE or 0; other bits are refused (EINVAL). (u32 at 12) */
  @inline static flags(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setFlags(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
}

/**
 * handle_info: A handle described: written by handle_info. 16 bytes. Accessors take the struct's
 * address.
 */
export class HandleInfoLayout {
  /** The object's type (an object type value). (u32 at 0) */
  @inline static objectType(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setObjectType(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** The handle's rights mask. (u32 at 4) */
  @inline static rights(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setRights(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** The object's id: the same object always has the same id. (u32 at 8) */
  @inline static objectId(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setObjectId(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Derivation depth: 0 for a handle that derives from none. (u32 at 12) */
  @inline static depth(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setDepth(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
}

/**
 * hostdir_req: A request to a host-directory device: read by hostdir_call. Paths are UTF-8,
 * relative to the exposed root whether or not they start with /. 48 bytes. Accessors take the
 * struct's address.
 */
export class HostdirReqLayout {
  /** A HOSTDIR_* operation. (u32 at 0) */
  @inline static op(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setOp(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /**
   * HOSTDIR_CREATE, HOSTDIR_EXCL, HOSTDIR_TRUNC, HOSTDIR_NOFOLLOW, HOSTDIR_OPEN_WRITE where the
   * operation takes them; 0 otherwise. (u32 at 4)
   */
  @inline static flags(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setFlags(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /**
   * READ/WRITE (and READ_OPEN/WRITE_OPEN): the file offset; SETSIZE (SETSIZE_OPEN): the size;
   * SETTIMES (SETTIMES_OPEN): the time in ns; LIST: the index of the first entry. (i64 at 8)
   */
  @inline static offset(p: usize): i64 {
    return load<i64>(p, 8);
  }
  @inline static setOffset(p: usize, v: i64): void {
    store<i64>(p, v, 8);
  }
  /** Pointer to the path (not read by the *_OPEN operations and CLOSE). (u32 at 16) */
  @inline static path(p: usize): u32 {
    return load<u32>(p, 16);
  }
  @inline static setPath(p: usize, v: u32): void {
    store<u32>(p, v, 16);
  }
  /** Its length in bytes (1..1024). (u32 at 20) */
  @inline static pathLen(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setPathLen(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
  /** RENAME: the new path; SYMLINK: the link's target. (u32 at 24) */
  @inline static path2(p: usize): u32 {
    return load<u32>(p, 24);
  }
  @inline static setPath2(p: usize, v: u32): void {
    store<u32>(p, v, 24);
  }
  /** Its length (0 for other operations). (u32 at 28) */
  @inline static path2Len(p: usize): u32 {
    return load<u32>(p, 28);
  }
  @inline static setPath2Len(p: usize, v: u32): void {
    store<u32>(p, v, 28);
  }
  /** The data (WRITE) or where answers go (READ, STAT, LSTAT, LIST, READLINK). (u32 at 32) */
  @inline static buf(p: usize): u32 {
    return load<u32>(p, 32);
  }
  @inline static setBuf(p: usize, v: u32): void {
    store<u32>(p, v, 32);
  }
  /**
   * Bytes of buf (0..MAX_IO_BYTES; READ_OPEN and WRITE_OPEN: 0..MAX_MSG_BYTES, the most one I/O
   * request moves). (u32 at 36)
   */
  @inline static len(p: usize): u32 {
    return load<u32>(p, 36);
  }
  @inline static setLen(p: usize, v: u32): void {
    store<u32>(p, v, 36);
  }
  /**
   * CLOSE and the *_OPEN operations: an open-file id HOSTDIR_OPEN returned to the caller; 0
   * otherwise. (u32 at 40)
   */
  @inline static file(p: usize): u32 {
    return load<u32>(p, 40);
  }
  @inline static setFile(p: usize, v: u32): void {
    store<u32>(p, v, 40);
  }
  /** Must be 0. (u32 at 44) */
  @inline static reserved(p: usize): u32 {
    return load<u32>(p, 44);
  }
  @inline static setReserved(p: usize, v: u32): void {
    store<u32>(p, v, 44);
  }
}

/**
 * hostdir_stat: A file described: written by hostdir_call STAT and LSTAT (the layout of the
 * namespace's stat). 32 bytes. Accessors take the struct's address.
 */
export class HostdirStatLayout {
  /**
   * 1 a regular file, 2 a directory, 3 a symbolic link, 4 anything else (a device, a FIFO, a
   * socket). (u32 at 0)
   */
  @inline static type(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setType(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Its hard links. (u32 at 4) */
  @inline static nlink(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setNlink(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** Bytes. (u64 at 8) */
  @inline static size(p: usize): u64 {
    return load<u64>(p, 8);
  }
  @inline static setSize(p: usize, v: u64): void {
    store<u64>(p, v, 8);
  }
  /** The host's inode number. (u64 at 16) */
  @inline static ino(p: usize): u64 {
    return load<u64>(p, 16);
  }
  @inline static setIno(p: usize, v: u64): void {
    store<u64>(p, v, 16);
  }
  /** Modification time, ns since 1970. (i64 at 24) */
  @inline static mtimeNs(p: usize): i64 {
    return load<i64>(p, 24);
  }
  @inline static setMtimeNs(p: usize, v: i64): void {
    store<i64>(p, v, 24);
  }
}

/**
 * hostdir_dirent: The head of one directory entry written by hostdir_call LIST: the name follows
 * it, and the next record starts at the next multiple of 8. 16 bytes. Accessors take the struct's
 * address.
 */
export class HostdirDirentLayout {
  /** The host's inode number. (u64 at 0) */
  @inline static ino(p: usize): u64 {
    return load<u64>(p, 0);
  }
  @inline static setIno(p: usize, v: u64): void {
    store<u64>(p, v, 0);
  }
  /** As hostdir_stat's type. (u32 at 8) */
  @inline static type(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setType(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Bytes of the name that follows. (u32 at 12) */
  @inline static nameLen(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setNameLen(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
}

/**
 * msg_desc: A message descriptor: read by sendmsg and replymsg (replymsg ignores reply_ptr and
 * reply_cap). 56 bytes. Accessors take the struct's address.
 */
export class MsgDescLayout {
  /** The four message words. (i64 x 4 at 0) */
  @inline static words(p: usize, i: i32): i64 {
    return load<i64>(p + (<usize>i << 3), 0);
  }
  @inline static setWords(p: usize, i: i32, v: i64): void {
    store<i64>(p + (<usize>i << 3), v, 0);
  }
  /** The body to send. (u32 at 32) */
  @inline static sendPtr(p: usize): u32 {
    return load<u32>(p, 32);
  }
  @inline static setSendPtr(p: usize, v: u32): void {
    store<u32>(p, v, 32);
  }
  /** Bytes of the body: at most MAX_MSG_BYTES. (u32 at 36) */
  @inline static sendLen(p: usize): u32 {
    return load<u32>(p, 36);
  }
  @inline static setSendLen(p: usize, v: u32): void {
    store<u32>(p, v, 36);
  }
  /** Where the reply body goes (sendmsg). (u32 at 40) */
  @inline static replyPtr(p: usize): u32 {
    return load<u32>(p, 40);
  }
  @inline static setReplyPtr(p: usize, v: u32): void {
    store<u32>(p, v, 40);
  }
  /** Bytes available there (sendmsg). (u32 at 44) */
  @inline static replyCap(p: usize): u32 {
    return load<u32>(p, 44);
  }
  @inline static setReplyCap(p: usize, v: u32): void {
    store<u32>(p, v, 44);
  }
  /** Array of u32 handles to pass. (u32 at 48) */
  @inline static handlesPtr(p: usize): u32 {
    return load<u32>(p, 48);
  }
  @inline static setHandlesPtr(p: usize, v: u32): void {
    store<u32>(p, v, 48);
  }
  /** Handles in the array: at most MAX_MSG_HANDLES. (u16 at 52) */
  @inline static handlesCount(p: usize): u16 {
    return load<u16>(p, 52);
  }
  @inline static setHandlesCount(p: usize, v: u16): void {
    store<u16>(p, v, 52);
  }
  /** MSG_MOVE_HANDLES or 0; other bits are refused (EINVAL). (u16 at 54) */
  @inline static flags(p: usize): u16 {
    return load<u16>(p, 54);
  }
  @inline static setFlags(p: usize, v: u16): void {
    store<u16>(p, v, 54);
  }
}

/**
 * msg_info: The last thing delivered to a process described: written by msg_info. 24 bytes.
 * Accessors take the struct's address.
 */
export class MsgInfoLayout {
  /** MSG_KIND_* (message, pulse, reply). (u32 at 0) */
  @inline static kind(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setKind(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Who sent it (0: the kernel, for interrupts). (u32 at 4) */
  @inline static senderPid(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setSenderPid(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** The body's full length, even if the buffer was shorter. (u32 at 8) */
  @inline static bodyLen(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setBodyLen(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Handles that came with it (msg_handle). (u32 at 12) */
  @inline static handles(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setHandles(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
  /** The status of a reply. (i32 at 16) */
  @inline static status(p: usize): i32 {
    return load<i32>(p, 16);
  }
  @inline static setStatus(p: usize, v: i32): void {
    store<i32>(p, v, 16);
  }
  /** The receive id of a message. (i32 at 20) */
  @inline static rcvid(p: usize): i32 {
    return load<i32>(p, 20);
  }
  @inline static setRcvid(p: usize, v: i32): void {
    store<i32>(p, v, 20);
  }
}

/**
 * sched_info: How a process is scheduled: written by sched_info. 80 bytes. Accessors take the
 * struct's address.
 */
export class SchedInfoLayout {
  /** SCHED_CLASS_*. (u32 at 0) */
  @inline static schedClass(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setSchedClass(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** SCHED_RR or SCHED_FIFO. (u32 at 4) */
  @inline static policy(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setPolicy(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** The priority it set. (u32 at 8) */
  @inline static basePriority(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setBasePriority(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Its effective priority (inheritance included). (u32 at 12) */
  @inline static priority(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setPriority(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
  /** Its tier (base priority / 64). (u32 at 16) */
  @inline static tier(p: usize): u32 {
    return load<u32>(p, 16);
  }
  @inline static setTier(p: usize, v: u32): void {
    store<u32>(p, v, 16);
  }
  /** The highest priority it may set. (u32 at 20) */
  @inline static ceiling(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setCeiling(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
  /** CPU time used, in ns. (u64 at 24) */
  @inline static cpuTimeNs(p: usize): u64 {
    return load<u64>(p, 24);
  }
  @inline static setCpuTimeNs(p: usize, v: u64): void {
    store<u64>(p, v, 24);
  }
  /** Its CPU limit in ns (0: none). (u64 at 32) */
  @inline static cpuLimitNs(p: usize): u64 {
    return load<u64>(p, 32);
  }
  @inline static setCpuLimitNs(p: usize, v: u64): void {
    store<u64>(p, v, 32);
  }
  /** Deadline class: runtime per period (else 0). (u64 at 40) */
  @inline static runtimeNs(p: usize): u64 {
    return load<u64>(p, 40);
  }
  @inline static setRuntimeNs(p: usize, v: u64): void {
    store<u64>(p, v, 40);
  }
  /** Deadline class: the period (else 0). (u64 at 48) */
  @inline static periodNs(p: usize): u64 {
    return load<u64>(p, 48);
  }
  @inline static setPeriodNs(p: usize, v: u64): void {
    store<u64>(p, v, 48);
  }
  /** Deadline class: the relative deadline (else 0). (u64 at 56) */
  @inline static deadlineNs(p: usize): u64 {
    return load<u64>(p, 56);
  }
  @inline static setDeadlineNs(p: usize, v: u64): void {
    store<u64>(p, v, 56);
  }
  /** Deadlines missed. (u32 at 64) */
  @inline static deadlineMisses(p: usize): u32 {
    return load<u32>(p, 64);
  }
  @inline static setDeadlineMisses(p: usize, v: u32): void {
    store<u32>(p, v, 64);
  }
  /** Latency bounds missed. (u32 at 68) */
  @inline static latencyMisses(p: usize): u32 {
    return load<u32>(p, 68);
  }
  @inline static setLatencyMisses(p: usize, v: u32): void {
    store<u32>(p, v, 68);
  }
  /** Times it was preempted. (u32 at 72) */
  @inline static preemptions(p: usize): u32 {
    return load<u32>(p, 72);
  }
  @inline static setPreemptions(p: usize, v: u32): void {
    store<u32>(p, v, 72);
  }
  /** Times it was throttled (budget or reservation spent). (u32 at 76) */
  @inline static throttles(p: usize): u32 {
    return load<u32>(p, 76);
  }
  @inline static setThrottles(p: usize, v: u32): void {
    store<u32>(p, v, 76);
  }
}

/**
 * partition_info: A CPU partition described: written by partition_info. 40 bytes. Accessors take
 * the struct's address.
 */
export class PartitionInfoLayout {
  /** Its share of the CPU, permille. (u32 at 0) */
  @inline static share(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setShare(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** The share minus what partitions carved from it took, permille. (u32 at 4) */
  @inline static ownShare(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setOwnShare(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** Processes in it. (u32 at 8) */
  @inline static members(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setMembers(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Deadline reservations of its members, permille. (u32 at 12) */
  @inline static edfLoad(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setEdfLoad(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
  /** The averaging window, in ns. (u64 at 16) */
  @inline static windowNs(p: usize): u64 {
    return load<u64>(p, 16);
  }
  @inline static setWindowNs(p: usize, v: u64): void {
    store<u64>(p, v, 16);
  }
  /** CPU ns used in the current window. (u64 at 24) */
  @inline static windowUsedNs(p: usize): u64 {
    return load<u64>(p, 24);
  }
  @inline static setWindowUsedNs(p: usize, v: u64): void {
    store<u64>(p, v, 24);
  }
  /** CPU ns used since it was created. (u64 at 32) */
  @inline static totalNs(p: usize): u64 {
    return load<u64>(p, 32);
  }
  @inline static setTotalNs(p: usize, v: u64): void {
    store<u64>(p, v, 32);
  }
}

/**
 * window_info: A window described: written by window_info. 16 bytes. Accessors take the struct's
 * address.
 */
export class WindowInfoLayout {
  /** Byte offset of its first element in the memory object. (u32 at 0) */
  @inline static offset(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setOffset(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Elements in it. (u32 at 4) */
  @inline static count(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setCount(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** Bytes from one element to the next. (u32 at 8) */
  @inline static stride(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setStride(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Bytes of an element. (u32 at 12) */
  @inline static elemSize(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setElemSize(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
}

/**
 * memory_stats: Memory accounting of a process and of the system: written by memory_stats. 64
 * bytes. Accessors take the struct's address.
 */
export class MemoryStatsLayout {
  /** The process's budget in pages. (u32 at 0) */
  @inline static budgetPages(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setBudgetPages(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Pages it uses: own memory plus the objects it created. (u32 at 4) */
  @inline static usedPages(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setUsedPages(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** Pages of its own memory. (u32 at 8) */
  @inline static ownPages(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setOwnPages(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
  /** Pages of live memory objects it created. (u32 at 12) */
  @inline static objectPages(p: usize): u32 {
    return load<u32>(p, 12);
  }
  @inline static setObjectPages(p: usize, v: u32): void {
    store<u32>(p, v, 12);
  }
  /** Those objects. (u32 at 16) */
  @inline static objects(p: usize): u32 {
    return load<u32>(p, 16);
  }
  @inline static setObjects(p: usize, v: u32): void {
    store<u32>(p, v, 16);
  }
  /** Grants bound to it. (u32 at 20) */
  @inline static grants(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setGrants(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
  /** Bytes the kernel copied for it (message bodies it sent, window reads and writes). (u64 at 24) */
  @inline static bytesCopied(p: usize): u64 {
    return load<u64>(p, 24);
  }
  @inline static setBytesCopied(p: usize, v: u64): void {
    store<u64>(p, v, 24);
  }
  /** The system's pages in use: process memories plus memory objects. (u32 at 32) */
  @inline static systemPages(p: usize): u32 {
    return load<u32>(p, 32);
  }
  @inline static setSystemPages(p: usize, v: u32): void {
    store<u32>(p, v, 32);
  }
  /** The system's memory object pages. (u32 at 36) */
  @inline static systemObjectPages(p: usize): u32 {
    return load<u32>(p, 36);
  }
  @inline static setSystemObjectPages(p: usize, v: u32): void {
    store<u32>(p, v, 36);
  }
  /** The system's live memory objects. (u32 at 40) */
  @inline static systemObjects(p: usize): u32 {
    return load<u32>(p, 40);
  }
  @inline static setSystemObjects(p: usize, v: u32): void {
    store<u32>(p, v, 40);
  }
  /** The system's page ceiling. (u32 at 44) */
  @inline static systemPageLimit(p: usize): u32 {
    return load<u32>(p, 44);
  }
  @inline static setSystemPageLimit(p: usize, v: u32): void {
    store<u32>(p, v, 44);
  }
  /** IPC body bytes the kernel copied, system-wide. (u64 at 48) */
  @inline static systemIpcBytes(p: usize): u64 {
    return load<u64>(p, 48);
  }
  @inline static setSystemIpcBytes(p: usize, v: u64): void {
    store<u64>(p, v, 48);
  }
  /** Window bytes the kernel copied, system-wide. (u64 at 56) */
  @inline static systemWindowBytes(p: usize): u64 {
    return load<u64>(p, 56);
  }
  @inline static setSystemWindowBytes(p: usize, v: u64): void {
    store<u64>(p, v, 56);
  }
}

/**
 * io_desc: An IO descriptor: what ns_call and io_call do (docs/namespace.md). 48 bytes. Accessors
 * take the struct's address.
 */
export class IoDescLayout {
  /** IO_* operation. (u32 at 0) */
  @inline static op(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setOp(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** IO_FORM_BUFFER, IO_FORM_REGS or IO_FORM_GRANT (read and write only). (u32 at 4) */
  @inline static form(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setForm(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /**
   * read/write: the file offset; setsize: the size; settimes: mtime ns; readdir: the cookie;
   * mkdir: flags. (i64 at 8)
   */
  @inline static offset(p: usize): i64 {
    return load<i64>(p, 8);
  }
  @inline static setOffset(p: usize, v: i64): void {
    store<i64>(p, v, 8);
  }
  /**
   * Buffer and registers forms: a pointer into the caller's memory; grant form: a byte offset into
   * the grant. (u32 at 16)
   */
  @inline static buf(p: usize): u32 {
    return load<u32>(p, 16);
  }
  @inline static setBuf(p: usize, v: u32): void {
    store<u32>(p, v, 16);
  }
  /**
   * Bytes to read or write, or the size of the output buffer (stat, readdir, readlink). (u32 at
   * 20)
   */
  @inline static len(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setLen(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
  /** Grant form: a MEMORY handle the caller has bound as a grant. (i32 at 24) */
  @inline static grant(p: usize): i32 {
    return load<i32>(p, 24);
  }
  @inline static setGrant(p: usize, v: i32): void {
    store<i32>(p, v, 24);
  }
  /** ns_call: the path (relative to the DIR). (u32 at 28) */
  @inline static path(p: usize): u32 {
    return load<u32>(p, 28);
  }
  @inline static setPath(p: usize, v: u32): void {
    store<u32>(p, v, 28);
  }
  /** Its length in bytes. (u32 at 32) */
  @inline static pathLen(p: usize): u32 {
    return load<u32>(p, 32);
  }
  @inline static setPathLen(p: usize, v: u32): void {
    store<u32>(p, v, 32);
  }
  /** ns_call rename/link: the new path; symlink: the target. (u32 at 36) */
  @inline static path2(p: usize): u32 {
    return load<u32>(p, 36);
  }
  @inline static setPath2(p: usize, v: u32): void {
    store<u32>(p, v, 36);
  }
  /** Its length in bytes. (u32 at 40) */
  @inline static path2Len(p: usize): u32 {
    return load<u32>(p, 40);
  }
  @inline static setPath2Len(p: usize, v: u32): void {
    store<u32>(p, v, 40);
  }
  /** Must be 0. (u32 at 44) */
  @inline static reserved(p: usize): u32 {
    return load<u32>(p, 44);
  }
  @inline static setReserved(p: usize, v: u32): void {
    store<u32>(p, v, 44);
  }
}

/**
 * stat: A file described: written by io_call IO_STAT and ns_call IO_PSTAT. 32 bytes. Accessors
 * take the struct's address.
 */
export class StatLayout {
  /** FILE_TYPE_*. (u32 at 0) */
  @inline static type(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setType(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Names it has. (u32 at 4) */
  @inline static nlink(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setNlink(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** Bytes (a directory: its entries). (u64 at 8) */
  @inline static size(p: usize): u64 {
    return load<u64>(p, 8);
  }
  @inline static setSize(p: usize, v: u64): void {
    store<u64>(p, v, 8);
  }
  /** Its number within its server. (u64 at 16) */
  @inline static ino(p: usize): u64 {
    return load<u64>(p, 16);
  }
  @inline static setIno(p: usize, v: u64): void {
    store<u64>(p, v, 16);
  }
  /** Last modification, ns. (i64 at 24) */
  @inline static mtime(p: usize): i64 {
    return load<i64>(p, 24);
  }
  @inline static setMtime(p: usize, v: i64): void {
    store<i64>(p, v, 24);
  }
}

/**
 * dirent: The header of one readdir record; the name follows, the record is padded to 8 bytes. 24
 * bytes. Accessors take the struct's address.
 */
export class DirentLayout {
  /** The entry's number within its server. (u64 at 0) */
  @inline static ino(p: usize): u64 {
    return load<u64>(p, 0);
  }
  @inline static setIno(p: usize, v: u64): void {
    store<u64>(p, v, 0);
  }
  /** The cookie that continues after this entry. (u64 at 8) */
  @inline static next(p: usize): u64 {
    return load<u64>(p, 8);
  }
  @inline static setNext(p: usize, v: u64): void {
    store<u64>(p, v, 8);
  }
  /** FILE_TYPE_*. (u32 at 16) */
  @inline static type(p: usize): u32 {
    return load<u32>(p, 16);
  }
  @inline static setType(p: usize, v: u32): void {
    store<u32>(p, v, 16);
  }
  /** Bytes of the name that follows. (u32 at 20) */
  @inline static nameLen(p: usize): u32 {
    return load<u32>(p, 20);
  }
  @inline static setNameLen(p: usize, v: u32): void {
    store<u32>(p, v, 20);
  }
}

/** unveil_rule: One unveil rule. 12 bytes. Accessors take the struct's address. */
export class UnveilRuleLayout {
  /** The path prefix (UTF-8). (u32 at 0) */
  @inline static path(p: usize): u32 {
    return load<u32>(p, 0);
  }
  @inline static setPath(p: usize, v: u32): void {
    store<u32>(p, v, 0);
  }
  /** Its length in bytes. (u32 at 4) */
  @inline static pathLen(p: usize): u32 {
    return load<u32>(p, 4);
  }
  @inline static setPathLen(p: usize, v: u32): void {
    store<u32>(p, v, 4);
  }
  /** UNVEIL_* permissions. (u32 at 8) */
  @inline static perms(p: usize): u32 {
    return load<u32>(p, 8);
  }
  @inline static setPerms(p: usize, v: u32): void {
    store<u32>(p, v, 8);
  }
}

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
    case 15: return "ECLOSED";
    case 16: return "EGONE";
    case 17: return "EAGAIN";
    case 18: return "EPLEDGE";
    case 19: return "EEXIST";
    case 30: return "ECEILING";
    case 31: return "EOVERLOAD";
    case 40: return "EREVOKED";
    case 41: return "EQUOTA";
    case 42: return "ERANGE";
    case 43: return "ECHANGED";
    case 50: return "EIO";
    case 51: return "EBUSY";
    case 52: return "EBADF";
    case 60: return "ENOTDIR";
    case 61: return "EISDIR";
    case 62: return "ENOTEMPTY";
    case 63: return "EXDEV";
    case 65: return "ENOSPC";
    case 67: return "ENAMETOOLONG";
    case 64: return "EUNVEIL";
    case 66: return "ENOTSUP";
    case 68: return "ENOTBOUND";
    case 69: return "ELOOP";
    case 74: return "EDIRECT";
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
    case 12: return "CPU_LIMIT";
    case 20: return "GRANT_REVOKED";
    case 47: return "DIRECT_OVERRUN";
    default: return "?" + value.toString();
  }
}
