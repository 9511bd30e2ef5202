// handle_get, handle_close: the caller's own capability space.

import { Errno, Limits } from "../../abi/gen/abi.ts";
import type { Kernel } from "../kernel.ts";
import type { Process } from "../objects/process.ts";

const utf8 = new TextDecoder("utf-8", { fatal: false });

export function sysHandleGet(_k: Kernel, p: Process, namePtr: number, nameLen: number): number {
  if (nameLen <= 0 || nameLen > Limits.MAX_NAME_BYTES) return -Errno.EINVAL;
  const bytes = p.memory!.slice(namePtr, nameLen);
  if (bytes === null) return -Errno.EFAULT;
  const h = p.names.get(utf8.decode(bytes));
  if (h === undefined || typeof p.handles.lookup(h) === "number") return -Errno.ENOENT;
  return h;
}

export function sysHandleClose(_k: Kernel, p: Process, handle: number): number {
  return p.handles.close(handle);
}
