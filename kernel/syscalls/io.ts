// console_write, random_get, arg_count, arg_get, panic.

import { Errno, ExitReason, Limits } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import type { Process } from "../objects/process.ts";
import { NORETURN } from "../control.ts";

export function sysConsoleWrite(k: KernelCore, p: Process, ptr: number, len: number): number {
  if (len < 0 || len > Limits.MAX_IO_BYTES) return -Errno.EINVAL;
  const bytes = p.memory!.slice(ptr, len);
  if (bytes === null) return -Errno.EFAULT;
  k.trace.enabled && k.trace.record(k.clock.now(), p.pid, "console", String(len));
  p.stdout(bytes);
  return len;
}

export function sysRandomGet(k: KernelCore, p: Process, ptr: number, len: number): number {
  if (len < 0 || len > Limits.MAX_IO_BYTES) return -Errno.EINVAL;
  const bytes = p.memory!.slice(ptr, len);
  if (bytes === null) return -Errno.EFAULT;
  k.rng.fill(bytes);
  return 0;
}

export function sysArgCount(_k: KernelCore, p: Process): number {
  return p.args.length;
}

export function sysArgGet(_k: KernelCore, p: Process, index: number, ptr: number, len: number): number {
  return copyOut(p, p.args, index, ptr, len);
}

export function sysEnvCount(_k: KernelCore, p: Process): number {
  return p.env.length;
}

export function sysEnvGet(_k: KernelCore, p: Process, index: number, ptr: number, len: number): number {
  return copyOut(p, p.env, index, ptr, len);
}

/** arg_get and env_get: copy at most `len` bytes of list[index] to ptr; the full length, or -EINVAL / -EFAULT. */
function copyOut(p: Process, list: readonly Uint8Array[], index: number, ptr: number, len: number): number {
  if (index < 0 || index >= list.length || len < 0) return -Errno.EINVAL;
  const item = list[index];
  const n = Math.min(len, item.length);
  if (n > 0 && !p.memory!.write(ptr, item.subarray(0, n))) return -Errno.EFAULT;
  return item.length;
}

export function sysPanic(k: KernelCore, p: Process, ptr: number, len: number): typeof NORETURN {
  let message: string;
  if (len < 0 || len > Limits.MAX_IO_BYTES) message = `(panic message length ${len} out of range)`;
  else {
    message = p.memory!.readText(ptr, len) ?? `(panic message at ${ptr >>> 0}+${len} outside memory)`;
  }
  k.terminate(p, -1, ExitReason.PANIC, `panic: ${message}`);
  return NORETURN;
}
