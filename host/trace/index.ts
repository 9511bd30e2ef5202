// Seeing what the system does: strace lines and Chrome trace-event JSON, both
// fed by a syscall observer (host/runtime/bridge.ts observeSyscalls), which
// only an observed kernel pays for.
import type { SyscallObserver } from "../runtime/bridge.ts";

export { observeSyscalls, type SyscallObserver } from "../runtime/bridge.ts";
export { ChromeTrace, type TraceEvent } from "./chrome.ts";
export { Strace } from "./strace.ts";

/** Several observers as one (in order). */
export function allObservers(list: readonly SyscallObserver[]): SyscallObserver {
  if (list.length === 1) return list[0];
  return {
    enter: (p, def, args) => list.forEach((o) => o.enter(p, def, args)),
    leave: (p, def, args, r) => list.forEach((o) => o.leave(p, def, args, r)),
  };
}
