// The syscall table: every syscall of abi/ mapped to its handler. Typed
// against the generated ABI, so a syscall added there and missing here (or
// with other parameter types) does not compile.

import type { SyscallArgs, SyscallName, SyscallResult } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { Process } from "../objects/process.ts";
import type { Control } from "../control.ts";
import { sysHandleClose, sysHandleDup, sysHandleGet, sysHandleInfo, sysHandleRevoke, sysPledge } from "./handles.ts";
import {
  sysEndpointCreate,
  sysMsgHandle,
  sysMsgInfo,
  sysMsgWord,
  sysMsgWordGet,
  sysPulse,
  sysReceive,
  sysReply,
  sysReplyError,
  sysReplymsg,
  sysSend,
  sysSendmsg,
} from "./ipc.ts";
import { sysCall, sysIoReplyWait, sysIpcBuffer, sysPulseWait, sysReplyWait } from "./fast-ipc.ts";
import { sysNameLookup, sysNameRegister, sysNameUnregister } from "./names.ts";
import { sysIoCall, sysNsCall, sysNsMount, sysNsOpen, sysNsScope, sysNsUnmount, sysUnveil } from "./namespace.ts";
export { type HostRequest, ioCallHost, nsCallHost, nsOpenPath } from "./namespace.ts";
import { sysPortBind, sysPortCreate, sysPortSend } from "./ports.ts";
import { sysArgCount, sysArgGet, sysConsoleWrite, sysEnvCount, sysEnvGet, sysPanic, sysRandomGet } from "./io.ts";
import { sysExit, sysKill, sysProcessInfo, sysSpawn, sysWait } from "./process.ts";
import { sysProcNext } from "./proc.ts";
import { sysHostdirCall } from "./hostdir.ts";
import { sysClockNow, sysSleep, sysYield } from "./time.ts";
import {
  sysFutexWait,
  sysFutexWake,
  sysMemoryCreate,
  sysMemoryMap,
  sysMemorySetBudget,
  sysMemorySize,
  sysMemoryStats,
  sysWindowGet,
  sysWindowGetPacked,
  sysWindowInfo,
  sysWindowRead,
  sysWindowSet,
  sysWindowWrite,
} from "./memory.ts";
import {
  sysAudioSubmit,
  sysConsoleRx,
  sysConsoleTx,
  sysDeviceAttach,
  sysDeviceInfo,
  sysFbMemory,
  sysFbPresent,
  sysFbWrite,
  sysRngRead,
  sysTimerSet,
} from "./devices.ts";
import {
  sysCpuTime,
  sysPartitionCreate,
  sysPartitionInfo,
  sysPartitionJoin,
  sysSchedInfo,
  sysSchedSetDeadline,
  sysSchedSetPriority,
  sysSchedSetTier,
  sysSchedWaitPeriod,
  sysSetLimit,
} from "./sched.ts";

export type SyscallHandler<N extends SyscallName> = (k: KernelCore, p: Process, ...args: SyscallArgs[N]) => SyscallResult<N> | Control;

export type SyscallTable = { readonly [N in SyscallName]: SyscallHandler<N> };

export const SYSCALL_HANDLERS: SyscallTable = {
  exit: sysExit,
  yield: sysYield,
  sleep: sysSleep,
  clock_now: sysClockNow,
  random_get: sysRandomGet,
  console_write: sysConsoleWrite,
  arg_count: sysArgCount,
  arg_get: sysArgGet,
  env_count: sysEnvCount,
  env_get: sysEnvGet,
  handle_get: sysHandleGet,
  handle_close: sysHandleClose,
  spawn: sysSpawn,
  wait: sysWait,
  kill: sysKill,
  process_info: sysProcessInfo,
  panic: sysPanic,
  handle_dup: sysHandleDup,
  handle_revoke: sysHandleRevoke,
  handle_info: sysHandleInfo,
  pledge: sysPledge,
  endpoint_create: sysEndpointCreate,
  send: sysSend,
  sendmsg: sysSendmsg,
  receive: sysReceive,
  reply: sysReply,
  replymsg: sysReplymsg,
  reply_error: sysReplyError,
  pulse: sysPulse,
  msg_word: sysMsgWord,
  msg_word_get: sysMsgWordGet,
  msg_info: sysMsgInfo,
  msg_handle: sysMsgHandle,
  name_register: sysNameRegister,
  name_lookup: sysNameLookup,
  name_unregister: sysNameUnregister,
  port_create: sysPortCreate,
  port_bind: sysPortBind,
  port_send: sysPortSend,
  sched_set_priority: sysSchedSetPriority,
  sched_set_tier: sysSchedSetTier,
  sched_set_deadline: sysSchedSetDeadline,
  sched_wait_period: sysSchedWaitPeriod,
  sched_info: sysSchedInfo,
  cpu_time: sysCpuTime,
  set_limit: sysSetLimit,
  partition_create: sysPartitionCreate,
  partition_join: sysPartitionJoin,
  partition_info: sysPartitionInfo,
  memory_create: sysMemoryCreate,
  memory_size: sysMemorySize,
  memory_map: sysMemoryMap,
  window_read: sysWindowRead,
  window_write: sysWindowWrite,
  window_get: sysWindowGet,
  window_get_packed: sysWindowGetPacked,
  window_set: sysWindowSet,
  window_info: sysWindowInfo,
  futex_wait: sysFutexWait,
  futex_wake: sysFutexWake,
  memory_stats: sysMemoryStats,
  memory_set_budget: sysMemorySetBudget,
  device_attach: sysDeviceAttach,
  device_info: sysDeviceInfo,
  timer_set: sysTimerSet,
  console_rx: sysConsoleRx,
  console_tx: sysConsoleTx,
  audio_submit: sysAudioSubmit,
  fb_write: sysFbWrite,
  fb_present: sysFbPresent,
  rng_read: sysRngRead,
  fb_memory: sysFbMemory,
  ns_open: sysNsOpen,
  ns_mount: sysNsMount,
  ns_unmount: sysNsUnmount,
  ns_scope: sysNsScope,
  ns_call: sysNsCall,
  io_call: sysIoCall,
  unveil: sysUnveil,
  io_reply_wait: sysIoReplyWait,
  proc_next: sysProcNext,
  hostdir_call: sysHostdirCall,
  ipc_buffer: sysIpcBuffer,
  call: sysCall,
  reply_wait: sysReplyWait,
  pulse_wait: sysPulseWait,
};

export { BLOCK, NORETURN } from "../control.ts";
export { checkedHandler, stateDigest, unchangedOnError } from "./contract.ts";
