// How a syscall reads in a trace: `name(param=value, ...)` with pointers in
// hex and the bytes of a name or a console write quoted, and a result with
// its errno name when it is an error.

import { ERRNO_NAMES, type SyscallDef } from "../../abi/gen/abi.ts";
import type { Process } from "../../kernel/objects/process.ts";

/** Syscalls whose (X_ptr, X_len) pair is text worth quoting: at most this many bytes. */
const QUOTE_MAX = 48;

function quote(p: Process, ptr: number, len: number): string | null {
  const mem = p.memory;
  if (mem === null || len < 0 || !mem.inBounds(ptr, Math.min(len, QUOTE_MAX))) return null;
  const bytes = mem.slice(ptr, Math.min(len, QUOTE_MAX));
  if (bytes === null) return null;
  const text = JSON.stringify(new TextDecoder().decode(bytes));
  return len > QUOTE_MAX ? `${text}...` : text;
}

/** Each argument as `name=value` (the memory read happens now: call at enter). */
export function formatArgs(p: Process, def: SyscallDef, args: readonly (number | bigint)[]): string[] {
  const out: string[] = [];
  def.params.forEach((prm, i) => {
    const v = args[i];
    if (prm.name.endsWith("_ptr") && typeof v === "number") {
      const base = prm.name.slice(0, -4);
      const lenIndex = def.params.findIndex((q) => q.name === `${base}_len`);
      const text =
        lenIndex >= 0 && (base === "name" || (base === "buf" && def.name === "console_write")) ? quote(p, v, Number(args[lenIndex])) : null;
      out.push(`${prm.name}=${text ?? "0x" + (v >>> 0).toString(16)}`);
      return;
    }
    out.push(`${prm.name}=${String(v)}`);
  });
  return out;
}

/** A result: the value, with the errno's name when negative and known; "?" when the call never returned. */
export function formatResult(result: number | bigint | null): string {
  if (result === null) return "?";
  const n = Number(result);
  if (n < 0 && ERRNO_NAMES[-n]) return `${n} ${ERRNO_NAMES[-n]}`;
  return String(result);
}
