// The shape of one `wasmos` command, and the exit statuses every command uses.
// Each command lives in its own file under cli/commands/ and is listed once in
// cli/commands/index.ts; main() knows nothing else about them.

import type { Flag } from "./args.ts";

export { UsageError } from "./args.ts";

export type Flags = Record<string, string | boolean | string[]>;

export interface Command {
  /** The word after `wasmos`. */
  name: string;
  /** One line for the top-level help. */
  summary: string;
  synopsis: string;
  details: string;
  flags: readonly Flag[];
  /**
   * Parse argv yourself instead of the shared parser (a command with
   * subcommands, or another tool's option conventions). `flags` then only
   * documents them.
   */
  rawArgs?: boolean;
  /** Options may come after positional arguments (default: everything after the first positional is an argument). */
  interspersed?: boolean;
  run(positional: string[], flags: Flags): Promise<number>;
}

/**
 * Exit statuses of the `wasmos` command. A guest's own status passes through
 * when it ends normally; everything wasmos says itself stays below 126 so no
 * status reads as "killed by signal N" (128 + N) to a shell.
 */
export const EXIT = {
  /** Bad command line (sysexits EX_USAGE). */
  USAGE: 64,
  /** The module was refused by the loader, or a .ts guest does not compile (EX_DATAERR). */
  REFUSED: 65,
  /** An input file is missing or unreadable (EX_NOINPUT). */
  NO_INPUT: 66,
  /** The root process is blocked forever: nothing can wake it (EX_UNAVAILABLE). */
  DEADLOCK: 69,
  /** wasmos itself failed: a bug; the message says where (EX_SOFTWARE). */
  INTERNAL: 70,
  /** A file could not be written (EX_CANTCREAT). */
  CANT_CREATE: 73,
  /** Node is older than 24 (no JSPI): bin/wasmos.js says so (EX_CONFIG). */
  OLD_NODE: 78,
  /** The guest ended abnormally: 100 + its exit reason (101 killed, 102 unreachable, ..., 109 panic, 120 grant revoked). */
  ABNORMAL_BASE: 100,
} as const;

/** The exit-status table for help texts and the README. */
export const EXIT_STATUS_HELP = [
  "exit status:",
  "  0-255      the guest's own exit status, when the root process ends normally (status & 255)",
  "  64         usage error",
  "  65         module refused by the loader, or a .ts guest that does not compile",
  "  66         input file missing or unreadable",
  "  69         the root process is blocked forever (deadlock: nothing left that could wake it)",
  "  70         internal error in wasmos",
  "  73         an output file could not be written",
  "  78         configuration: Node.js older than 24 (wasmos needs JSPI), or an invalid boot manifest",
  "  100+R      the root process ended abnormally with exit reason R: 101 killed, 102 unreachable,",
  "             103 memory out of bounds, 104 stack overflow, 105 divide by zero, 106 integer overflow,",
  "             107 bad indirect call, 108 other trap, 109 panic, 110 start failed, 111 kernel fault,",
  "             112 CPU limit, 120 grant revoked",
  "  (a guest that exits normally with a status of 64 or more shares these numbers; its stderr says which)",
].join("\n");

/**
 * A failure the user can act on: printed as one line `wasmos <command>: message` (the command that
 * failed, as every error a command prints is named), exits with `status`. What the running system says
 * itself (a process ended or is blocked for good, a device failed, a replay's verdict, progress) stays
 * `wasmos: ...`.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

/** Whether to announce long steps on stderr: on a terminal, or when WASMOS_PROGRESS=1. */
export function showProgress(): boolean {
  return process.stderr.isTTY === true || process.env.WASMOS_PROGRESS === "1";
}

/** The progress callback the commands pass down: `wasmos: <line>` on stderr, or nothing. */
export function progressLine(): ((line: string) => void) | undefined {
  return showProgress() ? (line) => process.stderr.write(`wasmos: ${line}\n`) : undefined;
}
