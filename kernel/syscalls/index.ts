// The syscall table: every syscall of abi/ mapped to its handler. Typed
// against the generated ABI, so a syscall added there and missing here (or
// with other parameter types) does not compile.

import type { SyscallArgs, SyscallName, SyscallResult } from "../../abi/gen/abi.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../objects/process.ts";
import type { Control } from "./control.ts";
import { sysHandleClose, sysHandleGet } from "./handles.ts";
import { sysArgCount, sysArgGet, sysConsoleWrite, sysPanic, sysRandomGet } from "./io.ts";
import { sysExit, sysKill, sysProcessInfo, sysSpawn, sysWait } from "./process.ts";
import { sysClockNow, sysSleep, sysYield } from "./time.ts";

export type SyscallHandler<N extends SyscallName> = (
  k: Kernel,
  p: Process,
  ...args: SyscallArgs[N]
) => SyscallResult<N> | Control;

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
  handle_get: sysHandleGet,
  handle_close: sysHandleClose,
  spawn: sysSpawn,
  wait: sysWait,
  kill: sysKill,
  process_info: sysProcessInfo,
  panic: sysPanic,
};

export { BLOCK, NORETURN } from "./control.ts";
