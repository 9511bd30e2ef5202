// Turn what escaped a guest (a wasm trap, a stack overflow, anything else)
// into one of the ABI's exit reasons and a message that says what happened.

import { ExitReason } from "../../abi/gen/abi.ts";
import { START_ENTRY_NAME } from "./start-entry.ts";

export interface Ending {
  readonly reason: number;
  readonly message: string;
}

// V8's trap messages (src/common/message-template.h, kTrap*).
const TRAP_PATTERNS: readonly [RegExp, number][] = [
  [/^unreachable/, ExitReason.TRAP_UNREACHABLE],
  [/memory access out of bounds|table index is out of bounds|out of bounds/, ExitReason.TRAP_MEMORY],
  [/divide by zero|remainder by zero/, ExitReason.TRAP_DIVIDE_BY_ZERO],
  [/divide result unrepresentable|float unrepresentable|integer overflow/, ExitReason.TRAP_INTEGER_OVERFLOW],
  [/function signature mismatch|null function|invalid index into function table|indirect call/, ExitReason.TRAP_INDIRECT_CALL],
];

/** At most this many wasm frames in a trap's backtrace (a stack overflow has thousands). */
const MAX_FRAMES = 12;

/**
 * The guest's frames from a V8 stack, innermost first, as lines "  at NAME"
 * (the name section's name, when the module has one) or "  at
 * wasm-function[N]" (N counts the fuel-instrumented module's functions).
 * Host frames (the syscall bridge, JSPI, the entry that runs its entry points: start-entry.ts) are left out.
 */
export function wasmBacktrace(e: unknown): string {
  const stack = (e as { stack?: unknown })?.stack;
  if (typeof stack !== "string") return "";
  const frames: string[] = [];
  for (const line of stack.split("\n")) {
    const m = /^\s*at (?:(\S+) \()?wasm:\/\/wasm\/[^:]*:wasm-function\[(\d+)\]:(0x[0-9a-f]+)\)?$/.exec(line);
    if (m && m[1] !== START_ENTRY_NAME) frames.push(`  at ${m[1] ?? `wasm-function[${m[2]}]`}`);
  }
  if (frames.length > MAX_FRAMES) frames.splice(MAX_FRAMES, frames.length - MAX_FRAMES, `  ... ${frames.length - MAX_FRAMES} more`);
  return frames.length > 0 ? "\n" + frames.join("\n") : "";
}

export function classifyTrap(e: unknown): Ending {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return { reason: ExitReason.TRAP_STACK_OVERFLOW, message: `trap: stack overflow (${e.message})${wasmBacktrace(e)}` };
  }
  if (e instanceof WebAssembly.RuntimeError) {
    const bt = wasmBacktrace(e);
    for (const [re, reason] of TRAP_PATTERNS) {
      if (re.test(e.message)) return { reason, message: `trap: ${e.message}${bt}` };
    }
    return { reason: ExitReason.TRAP_OTHER, message: `trap: ${e.message}${bt}` };
  }
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { reason: ExitReason.TRAP_OTHER, message: `trap: ${text}` };
}
