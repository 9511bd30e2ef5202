// Turn what escaped a guest (a wasm trap, a stack overflow, anything else)
// into one of the ABI's exit reasons and a message that says what happened.

import { ExitReason } from "../../abi/gen/abi.ts";

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

export function classifyTrap(e: unknown): Ending {
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return { reason: ExitReason.TRAP_STACK_OVERFLOW, message: `trap: stack overflow (${e.message})` };
  }
  if (e instanceof WebAssembly.RuntimeError) {
    for (const [re, reason] of TRAP_PATTERNS) {
      if (re.test(e.message)) return { reason, message: `trap: ${e.message}` };
    }
    return { reason: ExitReason.TRAP_OTHER, message: `trap: ${e.message}` };
  }
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { reason: ExitReason.TRAP_OTHER, message: `trap: ${text}` };
}
