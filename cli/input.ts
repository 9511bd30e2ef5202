// Reading the user's input files: a missing or unreadable file is a one-line
// CliError with EXIT.NO_INPUT, never a Node stack.

import { readFileSync } from "node:fs";
import { CliError, EXIT, progressLine } from "./command.ts";
import { compileGuestFile, GuestCompileError } from "./run-guest.ts";

/** Why a file could not be read, in words (ENOENT -> "no such file"). */
export function fsReason(e: unknown): string {
  const code = (e as { code?: string }).code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a part of the path is not a directory";
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/** The bytes of a file the user named, or CliError(NO_INPUT). `what` says what it was for ("module", "image"). */
export function readInput(path: string, what = "input"): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${fsReason(e)}`, EXIT.NO_INPUT);
  }
}

/** An AssemblyScript guest source compiled for a command (through the build cache): its module, or a CliError (REFUSED) with the compiler's diagnostics. */
export async function compileSource(file: string): Promise<Uint8Array> {
  try {
    return await compileGuestFile(file, progressLine());
  } catch (e) {
    if (e instanceof GuestCompileError) throw new CliError(e.message, EXIT.REFUSED);
    throw e;
  }
}
