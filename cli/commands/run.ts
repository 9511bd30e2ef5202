// `wasmos run [options] FILE [args...]`: one guest as the root process, a
// native wasmos guest or a WASI program alike. Options in wasmtime's
// conventions (cli/run-options.ts): before the program; what follows the
// program is the program's.

import { writeFileSync } from "node:fs";
import { ExitReason } from "../../abi/gen/abi.ts";
import { describeExit } from "../../kernel/objects/process.ts";
import { ModuleRefusedError } from "../../loader/loader.ts";
import { CliError, type Command, EXIT, EXIT_STATUS_HELP } from "../command.ts";
import { usage } from "../args.ts";
import { fsReason, readInput } from "../input.ts";
import { GuestCompileError, RootBlockedError, runGuest } from "../run-guest.ts";
import { parseRunOptions, RUN_FLAGS, RUN_SYNOPSIS } from "../run-options.ts";
import { HostDir } from "../../host/personality/wasi/host-dir.ts";
import { hostStdin } from "../host-stdin.ts";
import { DiskImageStore } from "../../host/image-store.ts";
import { defaultPolicy } from "../../loader/policy.ts";

export const runCommand: Command = {
  name: "run",
  summary: "run a guest (.wasm or AssemblyScript .ts) or a WASI program as a process under the kernel",
  synopsis: RUN_SYNOPSIS,
  details: [
    "Loads the module (an AssemblyScript .ts file is compiled first, through the same cache as",
    "`wasmos build`), verifies it, and runs it as the root process until the system is quiescent.",
    "The guest's console output is streamed to stdout. The process receives its own image as",
    'handle "self", a name registry as "ns", and each --image under its NAME.',
    "A WASI program (wasi_snapshot_preview1 imports) gets stdin, stdout and stderr, the environment",
    "given with --env (nothing else) and the directories given with --dir (nothing outside them).",
    "Options go before the program; everything after the program belongs to it.",
    "Prepared modules are cached on disk by content hash ($WASMOS_CACHE_DIR, else ~/.cache/wasmos;",
    "WASMOS_NO_CACHE=1 turns the cache off), so a second run of a big program starts fast.",
    "",
    EXIT_STATUS_HELP,
  ].join("\n"),
  flags: RUN_FLAGS,
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
    const preopens = o.dirs.map((d) => {
      try {
        return { guest: d.guest, dir: new HostDir(d.host) };
      } catch (e) {
        throw new CliError(`--dir ${d.host}: ${fsReason(e)}`, EXIT.NO_INPUT);
      }
    });
    const seed = o.seed;
    const flags = { realtime: o.realtime, trace: o.trace };
    const stdin = hostStdin();
    // A reader that went away (`wasmos run prog | head -1`): drop the rest of the output, as a shell pipeline expects.
    let stdoutGone = false;
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
      stdoutGone = true;
    });
    const bytes = readInput(file, file.endsWith(".ts") ? "guest source" : "module");
    const program = file.endsWith(".ts") ? file : bytes;
    const tracePath = typeof flags.trace === "string" ? flags.trace : null;
    // The kernel logs every abnormal end; the root's is reported once, below, with its exit reason.
    const rootEnd = / pid 1 \([^)]*\) ended: /;
    let kernel: import("../../host/kernel.ts").Kernel | null = null;
    const writeTrace = () => {
      if (tracePath === null || kernel === null) return;
      try {
        writeFileSync(tracePath, kernel.traceText());
      } catch (e) {
        throw new CliError(`cannot write trace ${tracePath}: ${fsReason(e)}`, EXIT.CANT_CREATE);
      }
    };
    try {
      const r = await runGuest(program, {
        name: file.replace(/^.*[\\/]/, ""),
        args,
        images,
        seed,
        deterministic: !flags.realtime,
        trace: tracePath !== null,
        collectStdout: false,
        // A copy: a pipe writes later, and the guest may reuse its buffer before then.
        onStdout: (b) => stdoutGone || process.stdout.write(b.slice()),
        onKernel: (k) => (kernel = k),
        progress: (line) => process.stderr.isTTY && process.stderr.write(`wasmos: ${line}\n`),
        argv0: o.argv0,
        // Prepared images are kept on disk (a second run skips verification and instrumentation); WASMOS_NO_CACHE=1 turns it off.
        imageStore: process.env.WASMOS_NO_CACHE ? undefined : new DiskImageStore(defaultPolicy()),
        wasi: { env: o.env, preopens, stdin, stderr: (b) => process.stderr.write(b) },
        fuel: o.fuel,
        memoryBudgetPages: o.maxMemory === undefined ? undefined : Math.ceil(o.maxMemory / 65536),
        timeoutMs: o.timeoutMs,
        log: (line) => {
          if (!rootEnd.test(line)) process.stderr.write(line + "\n");
        },
      });
      writeTrace();
      const stuck = r.kernel.core.blockedProcesses();
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
      if (e instanceof RootBlockedError) {
        writeTrace();
        throw new CliError(e.message, EXIT.DEADLOCK);
      }
      if (e instanceof ModuleRefusedError) throw new CliError(`refused to run ${file}\n${e.describe()}`, EXIT.REFUSED);
      if (e instanceof GuestCompileError) throw new CliError(e.message, EXIT.REFUSED);
      throw e;
    } finally {
      stdin.close();
    }
  },
};
