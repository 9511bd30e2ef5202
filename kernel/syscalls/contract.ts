// The ABI contract check on the dispatcher: with it on, a handler that
// returns an errno its ABI entry does not list is a kernel bug (the caller
// ends with KERNEL_FAULT naming the syscall and the errno), so an undocumented
// error cannot slip through the tests, the conformance runner or the fuzzer,
// which all turn it on (KernelOptions.checkContracts). Off by default: it
// costs a lookup per failing call and a wrapper per call.

import { ERRNO_NAMES, type SyscallDef } from "../../abi/gen/abi.ts";
import type { KernelCore } from "../core.ts";
import { KernelBug } from "../object.ts";
import type { Process } from "../objects/process.ts";

type AnyHandler = (k: KernelCore, p: Process, ...args: any[]) => unknown;

/**
 * Syscalls whose result is data, where a negative value is not an errno:
 * msg_word's i64 is the word itself (why msg_word_get exists).
 */
const DATA_RESULTS: ReadonlySet<string> = new Set(["msg_word"]);

/** The errno a result stands for (positive), or 0 when it is not an error. */
function errnoOf(r: unknown): number {
  if (typeof r === "number") return r < 0 ? -r : 0;
  if (typeof r === "bigint") return r < 0n && r >= -0x7fffffffn ? -Number(r) : 0;
  return 0;
}

/** h, checked against def's documented errors (see the top of this file). */
export function checkedHandler(def: SyscallDef, h: AnyHandler): AnyHandler {
  if (DATA_RESULTS.has(def.name)) return h;
  const listed = new Set(def.errors);
  return (k, p, ...args) => {
    const r = h(k, p, ...args);
    const e = errnoOf(r);
    if (e !== 0 && !listed.has(e))
      throw new KernelBug(`${def.name} returned ${ERRNO_NAMES[e] ?? `-${e}`}, which its ABI entry does not list`);
    return r;
  };
}
