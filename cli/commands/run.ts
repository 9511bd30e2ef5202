// `wasmos run FILE [args...]`: one guest as the root process.

import { writeFileSync } from "node:fs";
import { ExitReason } from "../../abi/gen/abi.ts";
import { describeExit } from "../../kernel/objects/process.ts";
import { ModuleRefusedError } from "../../loader/loader.ts";
import { CliError, type Command, EXIT, EXIT_STATUS_HELP, UsageError } from "../command.ts";
import { fsReason, readInput } from "../input.ts";
import { GuestCompileError, RootBlockedError, runGuest } from "../run-guest.ts";

export const runCommand: Command = {
  name: "run",
  summary: "run a guest (.wasm or AssemblyScript .ts) as a process under the kernel",
  synopsis: "wasmos run [options] <file.wasm | file.ts> [args...]",
  details: [
    "Loads the module (an AssemblyScript .ts file is compiled first, through the same cache as",
    "`wasmos build`), verifies it, and runs it as the root process until the system is quiescent.",
    "The guest's console output is streamed to stdout. The process receives its own image as",
    'handle "self", a name registry as "ns", and each --image under its NAME.',
    "",
    EXIT_STATUS_HELP,
  ].join("\n"),
  flags: [
    { name: "seed", value: "N", doc: "seed of the kernel's random generator (default 0)" },
    { name: "realtime", doc: "wall-clock time instead of the deterministic virtual clock" },
    { name: "trace", value: "FILE", doc: "write the kernel event trace to FILE" },
    { name: "image", value: "NAME=FILE", repeat: true, doc: "pass another module as an image handle named NAME" },
  ],
  async run(positional, flags) {
    const [file, ...args] = positional;
    if (!file) throw new UsageError("run: which file?");
    const images: Record<string, Uint8Array> = {};
    for (const spec of (flags.image as string[] | undefined) ?? []) {
      const eq = spec.indexOf("=");
      if (eq <= 0) throw new UsageError(`--image wants NAME=FILE, got "${spec}"`);
      images[spec.slice(0, eq)] = readInput(spec.slice(eq + 1), "image");
    }
    const seed = flags.seed === undefined ? 0 : Number(flags.seed);
    if (!Number.isInteger(seed)) throw new UsageError(`--seed wants an integer, got "${flags.seed}"`);
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
        onStdout: (b) => process.stdout.write(b),
        onKernel: (k) => (kernel = k),
        progress: (line) => process.stderr.isTTY && process.stderr.write(`wasmos: ${line}\n`),
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
    }
  },
};
