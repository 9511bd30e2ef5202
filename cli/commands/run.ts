// `wasmos run FILE [args...]`: one guest as the root process.

import { fstatSync, readFileSync, writeFileSync } from "node:fs";
import { ExitReason } from "../../abi/gen/abi.ts";
import { describeExit } from "../../kernel/objects/process.ts";
import { ModuleRefusedError } from "../../loader/loader.ts";
import { CliError, type Command, EXIT, EXIT_STATUS_HELP, type Flags, progressLine } from "../command.ts";
import { usage } from "../args.ts";
import { parseRunOptions, type PreopenSpec, RUN_FLAGS, RUN_SYNOPSIS } from "../run-options.ts";
import { resolve } from "node:path";
import type { WasiOptions } from "../../host/personality/wasi/personality.ts";
import { bytesStdin, hostStdin, type StdinStream } from "../host-stdin.ts";
import { DiskImageCache } from "../../loader/disk-cache.ts";
import { Recorder, recordingHooks, type RunHooks, sha256, writeRecording } from "../record.ts";
import { fsReason, readInput } from "../input.ts";
import { type DirSpec, parseDirSpec } from "../hostdirs.ts";
import { GuestCompileError, RootBlockedError, runGuest, type WasiDir } from "../run-guest.ts";
import type { Kernel } from "../../host/kernel.ts";
import { allObservers, ChromeTrace, observeSyscalls, Strace, type SyscallObserver } from "../../host/trace/index.ts";

/**
 * The program's standard input. A file (or /dev/null) is read whole first, so
 * the run does not depend on when its bytes arrive (a deterministic run stays
 * deterministic: same trace); a terminal or a pipe is streamed as it comes.
 */
function stdinSource(): Uint8Array | typeof process.stdin {
  try {
    const st = fstatSync(0);
    if (st.isFile() || (st.isCharacterDevice() && !process.stdin.isTTY)) return new Uint8Array(readFileSync(0));
  } catch {
    // no stdin at all: streamed (it ends at once)
  }
  return process.stdin;
}

/** All of a non-terminal stdin (a pipe waits for its writer to finish); none when there is no stdin to read. */
function readWholeStdin(): Uint8Array {
  try {
    return new Uint8Array(readFileSync(0));
  } catch {
    return new Uint8Array();
  }
}

export const runCommand: Command = {
  name: "run",
  summary: "run a guest (.wasm or AssemblyScript .ts) as a process under the kernel",
  synopsis: RUN_SYNOPSIS,
  details: [
    "Loads the module (an AssemblyScript .ts file is compiled first, through the same cache as",
    "`wasmos build`), verifies it, and runs it as the root process until the system is quiescent.",
    "The guest's console output is streamed to stdout. The process receives its own image as",
    'handle "self", a name registry as "ns", each --image under its NAME, and the default system',
    '(docs/namespace.md): "root", a namespace with devfs at /dev (/dev/stdin, /dev/stdout,',
    '/dev/stderr on the host\'s, /dev/null, /dev/zero, /dev/random) and tmpfs at /tmp, and "io",',
    "an I/O grant it shares with tmpfs.",
    "A WASI program (wasi_snapshot_preview1 imports) gets instead stdin, stdout and stderr, the",
    "environment given with --env (nothing else) and the directories given with --dir (nothing",
    "outside them). Options go before the program; everything after the program belongs to it.",
    "Prepared modules are cached on disk by content hash ($WASMOS_CACHE_DIR, else ~/.cache/wasmos;",
    "WASMOS_NO_CACHE=1 turns it off), so a second run of a big program starts fast.",
    "",
    EXIT_STATUS_HELP,
  ].join("\n"),
  flags: RUN_FLAGS,
  // Its own parser (cli/run-options.ts, wasmtime's conventions): what follows the program is the program's.
  rawArgs: true,
  async run(argv) {
    const o = parseRunOptions(argv, process.env);
    if (o.help) {
      process.stdout.write(usage(runCommand.synopsis, runCommand.details, runCommand.flags));
      return 0;
    }
    const file = o.program;
    const args = o.args;
    const images: Record<string, Uint8Array> = {};
    for (const im of o.images) images[im.name] = readInput(im.file, "image");
    let bytes: Uint8Array | null = readInput(file, file.endsWith(".ts") ? "guest source" : "module");
    // A WASI program names its preopens as it likes ("/", "."): they are mounted where they fit
    // (cli/run-guest.ts). A native guest's --dir is a mount path, checked here.
    const wasi = !file.endsWith(".ts") && isWasiModule(bytes);
    for (const d of o.dirs) {
      if (wasi)
        parseDirSpec(`${d.host}::/wasi-dir${d.readOnly ? ":ro" : ""}`); // the host directory must exist
      else parseDirSpec(d.spec); // a missing or malformed directory, said the same way for every program
    }
    // A WASI program's preopens: each --dir a host directory served by hostfs in its namespace, each --preopen a namespace path.
    const wasiDirs: WasiDir[] = [
      ...o.dirs.map((d) => ({ guest: d.guest, host: d.host, readOnly: d.readOnly })),
      ...o.preopens.map((d) => ({ guest: d.guest, path: d.path, readOnly: d.readOnly })),
    ];
    const seed = o.seed;
    const flags: Flags = {};
    if (o.realtime) flags.realtime = true;
    if (o.strace) flags.strace = true;
    if (o.trace !== undefined) flags.trace = o.trace;
    if (o.traceText !== undefined) flags["trace-text"] = o.traceText;
    if (o.record !== undefined) flags.record = o.record;
    // A native guest gets each --dir through hostfs in its namespace (cli/hostdirs.ts); a WASI program as a preopen.
    if (o.dirs.length > 0) flags.dir = o.dirs.map((d) => d.spec);
    const recordPath = typeof flags.record === "string" ? flags.record : null;
    const dirs = wasi ? [] : ((flags.dir as string[] | undefined) ?? []).map(parseDirSpec);
    const recorder =
      recordPath === null
        ? null
        : new Recorder({
            command: "run",
            file,
            sha256: sha256(bytes!),
            args,
            ...(o.argv0 !== undefined ? { argv0: o.argv0 } : {}),
            ...(o.env.length > 0 ? { env: o.env } : {}),
            seed,
            realtime: flags.realtime === true,
            ...(dirs.length > 0 ? { dirs } : {}),
            // A WASI program's preopens: its --dirs (guest: the name it sees), and its --preopens.
            ...(wasi && o.dirs.length > 0
              ? { dirs: o.dirs.map((d) => ({ host: resolve(d.host), guest: d.guest, readOnly: d.readOnly })) }
              : {}),
            ...(wasi && o.preopens.length > 0 ? { options: { preopens: o.preopens.map(preopenSpec).join("\n") } } : {}),
          });
    const hooks = recorder === null ? null : recordingHooks(recorder);
    // A WASI program reads the host's stdin through its personality, on demand (a native guest through devfs).
    // Recorded, a piped or file stdin is read whole first (the replay gives the same bytes the same way: when
    // they arrived cannot change the run); a terminal's is streamed through the recorder.
    const piped = recorder !== null && wasi && !process.stdin.isTTY ? readWholeStdin() : null;
    if (piped instanceof Uint8Array) recorder!.wholeInput(piped);
    const stdin =
      piped instanceof Uint8Array
        ? bytesStdin(piped)
        : hostStdin(hooks === null ? process.stdin : (hooks.stdin(process.stdin) as StdinStream));
    const limits: RunLimits = {
      argv0: o.argv0,
      env: o.env,
      wasi: { dirs: wasiDirs, stdin, stderr: (b) => process.stderr.write(b) },
      fuel: o.fuel,
      memoryBudgetPages: o.maxMemory === undefined ? undefined : Math.ceil(o.maxMemory / 65536),
      timeoutMs: o.timeoutMs,
    };
    const ended: { exit: { status: number; reason: number } | null; blocked: string | null } = { exit: null, blocked: null };
    // The run reads the module from the file again and drops it once compiled: this copy must not live on for the whole run.
    bytes = null;
    try {
      const code = await runProgram({
        file,
        bytes,
        args,
        images,
        seed,
        flags,
        dirs,
        hooks,
        onExit: (e) => (ended.exit = e),
        onBlocked: (m) => (ended.blocked = m),
        ...limits,
      });
      if (recorder !== null) writeRecording(recordPath!, recorder.finish(ended.exit === null ? null : { ...ended.exit, code }));
      return code;
    } catch (e) {
      // The root blocked forever: recorded as such (a replay that ends the same way matches), then the one line and 69.
      if (recorder !== null && ended.blocked !== null) writeRecording(recordPath!, recorder.finish(null, ended.blocked));
      throw e;
    } finally {
      hooks?.done();
      stdin.close();
    }
  },
};

/** Whether module bytes are a WASI preview 1 program (they name its import module; `wasmos check` says for sure). */
export function isWasiModule(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).includes("wasi_snapshot_preview1");
}

/** A --preopen as written back (for a recording). */
function preopenSpec(p: PreopenSpec): string {
  return `${p.path}::${p.guest}${p.readOnly ? ":ro" : ""}`;
}

/** What `wasmos run`'s wasmtime-style options add to a run: argv[0], a WASI program's environment, preopens and stdio, limits. */
export interface RunLimits {
  argv0?: string;
  /** KEY=VALUE each (--env). */
  env?: readonly string[];
  wasi?: Omit<WasiOptions, "preopens"> & { dirs?: readonly WasiDir[] };
  fuel?: number;
  memoryBudgetPages?: number;
  timeoutMs?: number;
}

/** Run one program as `wasmos run` does (and as `wasmos replay` does again, with its hooks); returns the exit code. */
export async function runProgram(
  o: {
    file: string;
    args: string[];
    images: Record<string, Uint8Array>;
    seed: number;
    flags: Flags;
    /** The module (null: read from `file`, and released once it is compiled). */
    bytes: Uint8Array | null;
    /** Host directories to serve (--dir, parsed; a replay's come from its recording and are never looked at). */
    dirs: readonly DirSpec[];
    hooks: RunHooks | null;
    onExit?: (exit: { status: number; reason: number }) => void;
    /** The root never ended, blocked forever (then runProgram throws CliError DEADLOCK with this message). */
    onBlocked?: (message: string) => void;
    /** The root's image name (default: the file's base name). */
    name?: string;
  } & RunLimits,
): Promise<number> {
  const { file, bytes, args, images, seed, flags, hooks } = o;
  const program = file.endsWith(".ts") || bytes === null ? file : bytes;
  const tracePath = typeof flags.trace === "string" ? flags.trace : null;
  const textPath = typeof flags["trace-text"] === "string" ? flags["trace-text"] : null;
  let chrome: ChromeTrace | null = null;
  // The kernel logs every abnormal end; the root's is reported once, below, with its exit reason.
  const rootEnd = / pid 1 \([^)]*\) ended: /;
  let kernel: Kernel | null = null;
  const write = (path: string | null, text: () => string) => {
    if (path === null) return;
    try {
      writeFileSync(path, text());
    } catch (e) {
      throw new CliError(`cannot write trace ${path}: ${fsReason(e)}`, EXIT.CANT_CREATE);
    }
  };
  const writeTrace = () => {
    const k = kernel;
    if (k === null) return;
    write(textPath, () => k.traceText());
    write(tracePath, () => chrome!.json(k.traceText()));
  };
  // Observing syscalls wraps the imports; without --strace/--trace nothing is wrapped.
  const observe = (k: Kernel) => {
    kernel = k;
    const observers: SyscallObserver[] = [];
    if (flags.strace === true) observers.push(new Strace((line) => process.stderr.write(line + "\n")));
    if (tracePath !== null) observers.push((chrome = new ChromeTrace(k.core)));
    if (observers.length > 0) observeSyscalls(k.core, allObservers(observers));
  };
  // The reader of our stdout went away (`wasmos run prog | head -1`): like a Unix
  // program killed by SIGPIPE, stop at once, quietly (no EPIPE stack).
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    writeTrace();
    process.exit(0);
  });
  try {
    const r = await runGuest(program, {
      name: o.name ?? file.replace(/^.*[\\/]/, ""),
      args,
      images,
      seed,
      deterministic: !flags.realtime,
      trace: tracePath !== null || textPath !== null || hooks !== null,
      collectStdout: false,
      platform: hooks?.platform,
      onStdout: (b) => {
        hooks?.stdout(b);
        // A copy: a pipe writes later, and the guest may reuse its buffer before then.
        process.stdout.write(b.slice());
      },
      onKernel: (k) => {
        hooks?.onKernel(k);
        observe(k);
      },
      // The run is over (the root ended, or blocked forever): the trace as the run left it, before the
      // kernel is shut down (runGuest shuts it down on every path).
      onEnd: writeTrace,
      // The default system: the console on stdin/stdout/stderr through devfs (/dev), tmpfs at /tmp.
      // Not a terminal: stdin is read whole first, so a deterministic run does not depend on when its bytes arrive.
      system: {
        stdin: hooks ? hooks.stdin(process.stdin) : stdinSource(),
        stderr: (b) => process.stderr.write(b),
        dirs: o.dirs,
        hostDir: hooks?.hostDir,
      },
      progress: progressLine(),
      argv0: o.argv0,
      env: o.env,
      wasi: o.wasi,
      fuel: o.fuel,
      memoryBudgetPages: o.memoryBudgetPages,
      timeoutMs: o.timeoutMs,
      // Prepared images kept on disk by content hash (a second run skips verification and instrumentation).
      diskCache: process.env.WASMOS_NO_CACHE ? null : new DiskImageCache(),
      log: (line) => {
        if (!rootEnd.test(line)) process.stderr.write(line + "\n");
      },
    });
    o.onExit?.({ status: r.exit.status, reason: r.exit.reason });
    const stuck = r.blocked;
    if (stuck.length > 0) {
      process.stderr.write(
        `wasmos: ${stuck.length} process(es) still blocked when the system went quiet: ` +
          stuck.map((p) => `pid ${p.pid} in ${p.blockedIn}`).join(", ") +
          "\n",
      );
    }
    if (r.exit.reason === ExitReason.NORMAL) return r.exit.status & 0xff;
    process.stderr.write(`wasmos: ${file} (pid 1) ended: ${describeExit(r.exit)}\n`);
    return EXIT.ABNORMAL_BASE + r.exit.reason;
  } catch (e) {
    // (Its trace was written by onEnd, before the kernel was shut down.)
    if (e instanceof RootBlockedError) {
      o.onBlocked?.(e.message);
      throw new CliError(e.message, EXIT.DEADLOCK);
    }
    if (e instanceof ModuleRefusedError) throw new CliError(`refused to run ${file}\n${e.describe()}`, EXIT.REFUSED);
    if (e instanceof GuestCompileError) throw new CliError(e.message, EXIT.REFUSED);
    throw e;
  }
}
