// Reading the user's input files: a missing or unreadable file is a one-line
// CliError with EXIT.NO_INPUT, never a Node stack.

import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { Limits } from "../abi/gen/abi.ts";
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
    case "EEXIST":
      return "a file of that name is in the way";
    case "EROFS":
      return "read-only file system";
    case "ENOSPC":
      return "no space left on the device";
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/** A file longer than its reader takes (readAtMost). */
export class TooLargeError extends Error {
  override readonly name = "TooLargeError";
  readonly path: string;
  readonly max: number;
  constructor(path: string, max: number) {
    super(`${path} is larger than ${max >= 1 << 20 ? `${max / (1 << 20)} MiB` : `${max} bytes`}`);
    this.path = path;
    this.max = max;
  }
}

/**
 * The bytes of a file, at most `max` of them, else TooLargeError (fs errors pass through). A regular file is
 * refused by its size before anything is read; anything else (a pipe, /dev/stdin, a device such as /dev/zero,
 * which never ends) is read to its end in chunks, and refused once past `max`, never read into memory whole.
 */
export function readAtMost(path: string, max: number): Buffer {
  const fd = openSync(path, "r");
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw Object.assign(new Error(`${path} is a directory`), { code: "EISDIR" });
    if (st.isFile()) {
      if (st.size > max) throw new TooLargeError(path, max);
      return readFileSync(fd);
    }
    const chunks: Buffer[] = [];
    const chunk = Buffer.allocUnsafe(1 << 16);
    let total = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > max) throw new TooLargeError(path, max);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
    return Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/**
 * The bytes of a file the user named, or CliError: NO_INPUT (missing or unreadable), REFUSED (larger than the
 * loader's MAX_MODULE_BYTES: no module, image or guest source can be). `what` says what it was for ("module", "image").
 */
export function readInput(path: string, what = "input"): Uint8Array {
  try {
    return new Uint8Array(readAtMost(path, Limits.MAX_MODULE_BYTES));
  } catch (e) {
    if (e instanceof TooLargeError) throw new CliError(`${what} ${e.message}, the most the loader accepts`, EXIT.REFUSED);
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
