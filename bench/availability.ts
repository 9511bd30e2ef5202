// Whether the parts a figure needs exist yet. A figure whose parts are
// missing is reported as unavailable with the reason, never as a number.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { SYSCALL_BY_NAME } from "../abi/gen/abi.ts";
import { REPO_ROOT } from "../build/compile.ts";
import { SYSCALL_HANDLERS } from "../kernel/syscalls/index.ts";

/** null when every syscall is in the ABI and has a kernel handler; else which are missing. */
export function missingSyscalls(names: readonly string[]): string | null {
  const byName = SYSCALL_BY_NAME as Readonly<Record<string, unknown>>;
  const handlers = SYSCALL_HANDLERS as Readonly<Record<string, unknown>>;
  const notInAbi = names.filter((n) => byName[n] === undefined);
  const notInKernel = names.filter((n) => byName[n] !== undefined && typeof handlers[n] !== "function");
  const parts: string[] = [];
  if (notInAbi.length) parts.push(`syscall${notInAbi.length > 1 ? "s" : ""} ${notInAbi.join(", ")} not in the ABI (abi/wasmos.abi.json)`);
  if (notInKernel.length) parts.push(`no kernel handler for ${notInKernel.join(", ")}`);
  return parts.length ? parts.join("; ") : null;
}

/** null when every path (relative to the repository) exists; else which do not. */
export function missingPaths(paths: readonly string[]): string | null {
  const missing = paths.filter((p) => !existsSync(join(REPO_ROOT, p)));
  return missing.length ? `${missing.join(", ")} ${missing.length > 1 ? "do" : "does"} not exist yet` : null;
}
