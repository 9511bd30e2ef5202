// `wasmos boot system.json`: start a whole system from a boot manifest
// (host/manifest/, format in docs/system.md) and run it until it is quiet.

import { Recorder, recordingHooks, type RunHooks, sha256, writeRecording } from "../record.ts";
import { readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { ExitReason, Limits } from "../../abi/gen/abi.ts";
import { BootError, bootSystem, type BootedSystem } from "../../host/manifest/boot.ts";
import { ManifestError, parseManifest } from "../../host/manifest/load.ts";
import type { Manifest } from "../../host/manifest/schema.ts";
import { ModuleRefusedError } from "../../loader/loader.ts";
import type { Flag } from "../args.ts";
import { CliError, type Command, EXIT, UsageError } from "../command.ts";
import { fsReason, readAtMost, TooLargeError } from "../input.ts";
import { compileGuestFile, GuestCompileError } from "../run-guest.ts";

/** Exit statuses of `wasmos boot` (besides 64, a usage error). */
export const BOOT_EXIT = {
  /** Every process that is not a daemon ended with status 0, and no restart bound was reached. */
  OK: 0,
  /** A process failed: ended abnormally or with a non-zero status, or exhausted its restarts. */
  FAILED: 1,
  /** The manifest is not valid (every problem printed as file:line:column: /pointer: message), or an image does not compile or is refused (EX_DATAERR). */
  REFUSED: EXIT.REFUSED,
  /** The manifest (or an image it names) cannot be read. */
  NO_INPUT: EXIT.NO_INPUT,
  /** A process that is not a daemon is blocked for ever: nothing is left that could wake it. */
  DEADLOCK: EXIT.DEADLOCK,
} as const;

export const BOOT_SYNOPSIS = "wasmos boot [--verbose] [--dir NAME=PATH[:ro]]... <system.json>";
export const BOOT_DETAILS = [
  "Starts the system a boot manifest describes: its images, kernel objects (endpoints, name",
  "registries, memory objects, devices), CPU partitions and processes, each with exactly the handles,",
  "rights, arguments, priority, partition, pledges and memory budget the manifest gives it; restarts",
  "the processes whose restart policy says so, within its bound and after its backoff (virtual time).",
  "Runs until nothing is runnable and no timer is pending, then ends the daemons. Image paths are",
  "relative to the manifest; .ts images are compiled. Format: docs/system.md.",
  "",
  "exit status:",
  "  0   every process that is not a daemon ended with status 0, and no restart bound was reached",
  "  1   a process ended abnormally or with another status, or its restarts ran out",
  "  64  usage error",
  "  65  the manifest is invalid (each error as file:line:column: /json/pointer: message), or an",
  "      image does not compile or is refused by the loader",
  "  66  the manifest or an image cannot be read",
  "  69  a process that is not a daemon is blocked for ever (nothing left could wake it)",
].join("\n");
export const BOOT_FLAGS: readonly Flag[] = [
  { name: "dir", value: "NAME=PATH[:ro]", repeat: true, doc: "the host directory of the manifest's hostdir object NAME (:ro: read-only)" },
  { name: "verbose", doc: "print every start, exit and restart on stderr (restarts and give-ups always are)" },
  { name: "record", value: "FILE", doc: "record every input from outside the kernel to FILE (replay it with `wasmos replay FILE`)" },
];

const err = (s: string) => process.stderr.write(s);

/** --dir NAME=PATH[:ro] flags: each NAME must be a hostdir object of the manifest, each PATH an existing directory. */
export function parseDirs(values: unknown, manifest: Manifest): Map<string, { path: string; readOnly: boolean }> {
  const out = new Map<string, { path: string; readOnly: boolean }>();
  for (const spec of (values as string[] | undefined) ?? []) {
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError(`--dir wants NAME=PATH[:ro], got "${spec}"`);
    const name = spec.slice(0, eq);
    let path = spec.slice(eq + 1);
    const readOnly = path.endsWith(":ro");
    if (readOnly) path = path.slice(0, -3);
    if (manifest.objects.get(name)?.kind !== "hostdir") throw new UsageError(`--dir ${name}: the manifest has no hostdir object "${name}"`);
    let isDir = false;
    try {
      isDir = statSync(path).isDirectory();
    } catch (e) {
      throw new CliError(`--dir ${name}: cannot use ${path}: ${fsReason(e)}`, EXIT.NO_INPUT);
    }
    if (!isDir) throw new CliError(`--dir ${name}: ${path} is not a directory`, EXIT.NO_INPUT);
    out.set(name, { path: resolve(path), readOnly });
  }
  return out;
}

/** The largest manifest read (a manifest is a page of JSON; /dev/zero is not one). */
const MAX_MANIFEST_BYTES = 16 << 20;

/**
 * Read, check and load everything a manifest names; an exit status on failure
 * (printed, named for `command`: boot, or ps, top and replay, which boot a
 * manifest too).
 */
export async function loadSystemFiles(
  file: string,
  command = "boot",
): Promise<{ manifest: Manifest; images: Map<string, Uint8Array> } | number> {
  const err = (s: string) => process.stderr.write(`wasmos ${command}: ${s}`);
  let text: string;
  try {
    text = readAtMost(file, MAX_MANIFEST_BYTES).toString("utf8");
  } catch (e) {
    err(`${e instanceof TooLargeError ? `${e.message}: no manifest is` : `cannot read ${file}: ${fsReason(e)}`}\n`);
    return e instanceof TooLargeError ? BOOT_EXIT.REFUSED : BOOT_EXIT.NO_INPUT;
  }
  let manifest: Manifest;
  try {
    manifest = parseManifest(text, file);
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    err(`${file} is not a valid manifest (${e.issues.length} problem${e.issues.length === 1 ? "" : "s"}):\n${e.message}\n`);
    return BOOT_EXIT.REFUSED;
  }
  const images = new Map<string, Uint8Array>();
  for (const [name, { path }] of manifest.images) {
    const full = resolve(dirname(file), path);
    try {
      images.set(name, path.endsWith(".ts") ? await compileGuestFile(full) : readAtMost(full, Limits.MAX_MODULE_BYTES));
    } catch (e) {
      if (e instanceof TooLargeError) {
        err(`image "${name}": ${e.message}, the most the loader accepts\n`);
        return BOOT_EXIT.REFUSED;
      }
      if (e instanceof GuestCompileError) {
        err(`image "${name}": ${e.message}\n`);
        return BOOT_EXIT.REFUSED;
      }
      err(`image "${name}": cannot read ${full}: ${fsReason(e)}\n`);
      return BOOT_EXIT.NO_INPUT;
    }
  }
  return { manifest, images };
}

export const bootCommandEntry: Command = {
  name: "boot",
  summary: "start a whole system from a boot manifest (system.json)",
  synopsis: BOOT_SYNOPSIS,
  details: BOOT_DETAILS,
  flags: BOOT_FLAGS,
  run: boot,
};

async function boot(positional: string[], flags: Record<string, string | boolean | string[]>): Promise<number> {
  const [file, ...extra] = positional;
  if (!file) throw new UsageError("boot: which manifest?");
  if (extra.length) throw new UsageError(`boot: one manifest at a time (got also ${extra.join(" ")})`);
  const loaded = await loadSystemFiles(file);
  if (typeof loaded === "number") return loaded;
  const recordPath = typeof flags.record === "string" ? flags.record : null;
  if (recordPath === null) return bootLoaded(file, loaded, flags, null);
  // The hostdir objects the system makes, in order (filled as it boots): a replay serves them from the recording.
  const dirs: { host: string; guest: string; readOnly: boolean }[] = [];
  const recorder = new Recorder({ command: "boot", file, sha256: sha256(readFileSync(file)), args: [], seed: 0, realtime: false, dirs });
  const hooks = recordingHooks(recorder);
  try {
    const code = await bootLoaded(file, loaded, flags, hooks);
    writeRecording(recordPath, recorder.finish({ status: 0, reason: 0, code }));
    return code;
  } finally {
    hooks.done();
  }
}

/** Boot loaded files (and, for `--record` and `wasmos replay`, with hooks in place); the exit status. */
export async function bootLoaded(
  file: string,
  loaded: { manifest: Manifest; images: Map<string, Uint8Array> },
  flags: Record<string, string | boolean | string[]>,
  hooks: RunHooks | null,
  /** A replay's host directories (by hostdir object name), from its recording: never looked at on the host. */
  replayDirs?: ReadonlyMap<string, { path: string; readOnly: boolean }>,
  /** The command whose errors these are (boot, or replay). */
  command = "boot",
): Promise<number> {
  const verbose = flags.verbose === true;
  const dirs = replayDirs ?? parseDirs(flags.dir, loaded.manifest);
  let dirCount = 0;
  let sys: BootedSystem;
  try {
    sys = bootSystem(loaded.manifest, loaded.images, {
      baseDir: dirname(resolve(file)),
      dirs,
      ...(hooks === null
        ? {}
        : {
            kernel: { platform: hooks.platform, trace: true },
            hostDir: (name: string, path: string, readOnly: boolean) => hooks.hostDir({ host: path, guest: name, readOnly }, dirCount++),
          }),
      stdout: (_name, b) => {
        hooks?.stdout(b);
        process.stdout.write(b.slice());
      },
      log: (line) => {
        // The system's notes (host/manifest/boot.ts) say "wasmos boot: "; under replay they are replay's.
        if (verbose || !line.startsWith("wasmos boot: ") || / (restart|give up) /.test(line))
          err(line.replace(/^wasmos boot: /, `wasmos ${command}: `) + "\n");
      },
    });
  } catch (e) {
    if (e instanceof BootError) {
      err(`wasmos ${command}: ${file}: ${e.pointer}: ${e.message}\n`);
      return e.message.includes("refused") && e.pointer.startsWith("/images/") ? BOOT_EXIT.REFUSED : BOOT_EXIT.FAILED;
    }
    if (e instanceof ModuleRefusedError) {
      err(`wasmos ${command}: ${e.describe()}\n`);
      return BOOT_EXIT.REFUSED;
    }
    throw e;
  }
  if (hooks !== null) hooks.onKernel(sys.kernel);
  await sys.settle();
  return finish(sys, command);
}

/** Report how the system ended (named for `command`), end its daemons, and choose the exit status. */
export function finish(sys: BootedSystem, command = "boot"): number {
  let failed = false;
  let stuck = false;
  for (const sp of sys.processes.values()) {
    const name = sp.spec.name;
    if (sp.gaveUp) {
      failed = true;
      continue; // already reported
    }
    const live = sp.current?.process;
    if (live && !live.exited) {
      if (!sp.spec.daemon) {
        stuck = true;
        err(`wasmos ${command}: ${name} (pid ${live.pid}) still blocked in ${live.blockedIn || "?"} when the system went quiet\n`);
      }
      continue;
    }
    const e = sp.lastExit;
    if (e && !sp.spec.daemon && (e.reason !== ExitReason.NORMAL || e.status !== 0)) failed = true;
  }
  sys.shutdown();
  return stuck ? BOOT_EXIT.DEADLOCK : failed ? BOOT_EXIT.FAILED : BOOT_EXIT.OK;
}

/** `wasmos boot`, as the command table lists it (cli/commands/index.ts). */
