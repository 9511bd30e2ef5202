// Host directories in a running system: `--dir HOST[::GUEST][:ro]` for the
// CLI's systems. Each directory becomes a host-directory device (the only
// code that touches the host's files, hal/node/hostdir.ts), served by a
// hostfs process (guests/hostfs) on an endpoint the host mounts at GUEST
// before any program runs. docs/system.md "Host directories".

import { statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { REPO_ROOT } from "../build/compile.ts";
import type { HostDirBackend } from "../hal/hostdir/hostdir.ts";
import { NodeHostDir } from "../hal/node/hostdir.ts";
import { serveHostDirs } from "../host/hostdirs.ts";
import type { Kernel } from "../host/kernel.ts";
import type { DirObject } from "../kernel/ns/host.ts";
import type { MemoryObject } from "../kernel/objects/memory.ts";
import { CliError, EXIT, UsageError } from "./command.ts";
import { fsReason } from "./input.ts";
import { compileGuestFile } from "./run-guest.ts";

export interface DirSpec {
  /** The host directory (absolute). */
  host: string;
  /** Where it appears in the namespace (absolute, normalized). */
  guest: string;
  readOnly: boolean;
}

/**
 * Parse `HOST[::GUEST][:ro]`: GUEST defaults to /<basename of HOST>; a
 * `:ro` suffix makes it read-only. Throws UsageError for a malformed spec
 * and CliError(NO_INPUT) when HOST is not a directory.
 */
export function parseDirSpec(spec: string): DirSpec {
  let s = spec;
  let readOnly = false;
  if (s.endsWith(":ro")) {
    readOnly = true;
    s = s.slice(0, -3);
  }
  const sep = s.indexOf("::");
  const host = sep < 0 ? s : s.slice(0, sep);
  let guest = sep < 0 ? "/" + basename(resolve(host)) : s.slice(sep + 2);
  if (host === "") throw new UsageError(`--dir wants HOST[::GUEST][:ro], got "${spec}"`);
  if (!guest.startsWith("/")) guest = "/" + guest;
  guest =
    "/" +
    guest
      .split("/")
      .filter((c) => c !== "" && c !== ".")
      .join("/");
  if (guest === "/" || guest.split("/").includes(".."))
    throw new UsageError(`--dir ${spec}: the guest path must be below / and without ..`);
  let isDir = false;
  try {
    isDir = statSync(host).isDirectory();
  } catch (e) {
    throw new CliError(`--dir ${spec}: cannot use ${host}: ${fsReason(e)}`, EXIT.NO_INPUT);
  }
  if (!isDir) throw new CliError(`--dir ${spec}: ${host} is not a directory`, EXIT.NO_INPUT);
  return { host: resolve(host), guest, readOnly };
}

const HOSTFS = join(REPO_ROOT, "guests", "hostfs", "main.ts");

/**
 * Serve each directory into the namespace under `root`: a device, an
 * endpoint mounted at its guest path, and a hostfs process (priority
 * `priority`) that binds `io` as its grant. Returns a function that ends the
 * servers and drops the host's references.
 */
export async function mountHostDirs(
  kernel: Kernel,
  root: DirObject,
  io: MemoryObject,
  dirs: readonly DirSpec[],
  options: {
    priority?: number;
    stderr?: (bytes: Uint8Array) => void;
    /** The backend of directory i (default: the host's, hal/node/hostdir.ts); record and replay wrap or replace it. */
    backend?: (dir: DirSpec, i: number) => HostDirBackend;
  } = {},
): Promise<() => void> {
  if (dirs.length === 0) return () => {};
  const image = kernel.loadImage(await compileGuestFile(HOSTFS), "hostfs");
  try {
    return serveHostDirs(
      kernel,
      root,
      io,
      image,
      dirs.map((d, i) => ({ guest: d.guest, backend: options.backend?.(d, i) ?? new NodeHostDir(d.host), readOnly: d.readOnly })),
      options,
    );
  } finally {
    kernel.release(image);
  }
}
