// wasmos: the command line. Each command is a function of its arguments that
// returns the process exit code; main() dispatches.

import { readFileSync } from "node:fs";
import { describeExit } from "../kernel/objects/process.ts";
import { ExitReason } from "../abi/gen/abi.ts";
import { ImageLoader, ModuleRefusedError } from "../loader/loader.ts";
import { formatReport } from "../loader/verify.ts";
import { GuestCompileError, runGuest } from "./run-guest.ts";
import { scaffold } from "./scaffold.ts";
import { PCM_DEMO_DETAILS, PCM_DEMO_FLAGS, PCM_DEMO_SYNOPSIS, pcmDemoCommand } from "./demo/cli.ts";
import { parseArgs, type Flag, UsageError, usage } from "./args.ts";
import { BOOT_DETAILS, BOOT_FLAGS, BOOT_SYNOPSIS, bootCommand } from "./commands/boot.ts";

/** Exit codes besides a guest's own status. */
export const EXIT_USAGE = 64;
export const EXIT_REFUSED = 65;
/** A guest that ended abnormally exits the CLI with 128 + its exit reason. */
export const EXIT_ABNORMAL_BASE = 128;

interface Command {
  summary: string;
  synopsis: string;
  details: string;
  flags: readonly Flag[];
  run(positional: string[], flags: Record<string, string | boolean | string[]>): Promise<number>;
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

const COMMANDS: Record<string, Command> = {
  run: {
    summary: "run a guest as a process under the kernel",
    synopsis: "wasmos run <file.wasm | file.ts> [--seed N] [--realtime] [--trace FILE] [--image NAME=FILE]... [-- args...]",
    details: [
      "Loads the module (an AssemblyScript .ts file is compiled first), verifies it, and runs it as",
      "the root process until the system is quiescent. The guest's console output goes to stdout.",
      'The process receives its own image as handle "self" and each --image under its NAME.',
      "",
      "Exit status: the guest's exit status (0-255) when it ends normally; 128 + exit reason when it",
      "traps, panics or is killed (the reason is printed on stderr); 65 when the module is refused",
      "or does not compile; 64 for a usage error.",
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
        images[spec.slice(0, eq)] = readFileSync(spec.slice(eq + 1));
      }
      const seed = flags.seed === undefined ? 0 : Number(flags.seed);
      if (!Number.isInteger(seed)) throw new UsageError(`--seed wants an integer, got "${flags.seed}"`);
      try {
        const r = await runGuest(file, {
          args,
          images,
          seed,
          deterministic: !flags.realtime,
          trace: typeof flags.trace === "string",
          onStdout: (b) => process.stdout.write(b),
          log: (line) => err(line + "\n"),
        });
        if (typeof flags.trace === "string") (await import("node:fs")).writeFileSync(flags.trace, r.trace);
        const stuck = r.kernel.core.blockedProcesses();
        if (stuck.length > 0) {
          err(
            `wasmos: ${stuck.length} process(es) still blocked when the system went quiet: ` +
              stuck.map((p) => `pid ${p.pid} in ${p.blockedIn}`).join(", ") +
              "\n",
          );
        }
        if (r.exit.reason === ExitReason.NORMAL) return r.exit.status & 0xff;
        err(`wasmos: ${file} (pid 1) ended: ${describeExit(r.exit)}\n`);
        return EXIT_ABNORMAL_BASE + r.exit.reason;
      } catch (e) {
        if (e instanceof ModuleRefusedError) {
          err(`wasmos: refused to run ${file}\n${e.describe()}\n`);
          return EXIT_REFUSED;
        }
        if (e instanceof GuestCompileError) {
          err(`wasmos: ${e.message}\n`);
          return EXIT_REFUSED;
        }
        throw e;
      }
    },
  },
  boot: {
    summary: "start a whole system from a boot manifest (system.json)",
    synopsis: BOOT_SYNOPSIS,
    details: BOOT_DETAILS,
    flags: BOOT_FLAGS,
    run: bootCommand,
  },
  check: {
    summary: "verify a module and print its imports, exports, memory and verdict",
    synopsis: "wasmos check <file.wasm>",
    details:
      "Runs the loader's checks without running anything. Exit status 0 when the module is a valid wasmos guest, 1 when it is refused.",
    flags: [],
    async run(positional) {
      const [file] = positional;
      if (!file) throw new UsageError("check: which file?");
      const report = new ImageLoader().check(readFileSync(file));
      out(formatReport(report, file) + "\n");
      return report.ok ? 0 : 1;
    },
  },
  conformance: {
    summary: "run the ABI conformance suite against this kernel or another implementation",
    synopsis: "wasmos conformance [--filter PATTERN] [--json FILE] [--adapter CMD]",
    details: [
      "Runs every case in conformance/ twice (direct imports, and the numbered sys entry) and prints",
      "one line per failing case with expected vs actual, then `N passed, M failed` (`, K skipped`).",
      "--adapter runs each case through CMD <case-dir> instead of in process (protocol: conformance/README.md).",
      "Exit status 0 only when nothing failed.",
    ].join("\n"),
    flags: [
      { name: "filter", value: "PATTERN", doc: 'only cases whose "id [variant]" contains PATTERN (or matches /REGEX/)' },
      { name: "json", value: "FILE", doc: "write every result (outcome, differences) to FILE as JSON" },
      { name: "adapter", value: "CMD", doc: "run cases through this command (conformance/adapters/wasmos-node.ts is the reference)" },
    ],
    async run(_positional, flags) {
      const { runConformance } = await import("../conformance/runner.ts");
      const s = await runConformance({
        filter: typeof flags.filter === "string" ? flags.filter : undefined,
        adapter: typeof flags.adapter === "string" ? flags.adapter : undefined,
      });
      if (typeof flags.json === "string") {
        (await import("node:fs")).writeFileSync(
          flags.json,
          JSON.stringify({ passed: s.passed, failed: s.failed, skipped: s.skipped, results: s.results }, null, 2) + "\n",
        );
      }
      return s.failed === 0 ? 0 : 1;
    },
  },
  new: {
    summary: "create a guest project you can build and run at once",
    synopsis: "wasmos new <dir> [--name NAME]",
    details:
      "Writes main.ts (a guest using the SDK), asconfig.json, a test and a README into <dir>, which must not exist or be empty. Then: wasmos run <dir>/main.ts",
    flags: [{ name: "name", value: "NAME", doc: "the program's name (default: the folder's name)" }],
    async run(positional, flags) {
      const [dir] = positional;
      if (!dir) throw new UsageError("new: which folder?");
      const files = scaffold(dir, typeof flags.name === "string" ? flags.name : undefined);
      out(`created ${dir}:\n${files.map((f) => `  ${f}\n`).join("")}next: wasmos run ${dir}/main.ts\n`);
      return 0;
    },
  },
  demo: {
    summary: "run a demo: pcm, the four-process audio pipeline (npm start)",
    synopsis: PCM_DEMO_SYNOPSIS,
    details: PCM_DEMO_DETAILS,
    flags: PCM_DEMO_FLAGS,
    async run(positional) {
      const [which, ...rest] = positional;
      if (which !== "pcm") throw new UsageError(which ? `unknown demo "${which}" (there is: pcm)` : "demo: which? (pcm)");
      return pcmDemoCommand(rest);
    },
  },
};

function topHelp(): string {
  const lines = ["wasmos: a microkernel whose processes are WebAssembly modules", "", "usage: wasmos <command> [options]", "", "commands:"];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(10)} ${c.summary}`);
  lines.push("", "wasmos <command> --help shows a command's options.");
  return lines.join("\n") + "\n";
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(topHelp());
    return name ? 0 : EXIT_USAGE;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    err(`wasmos: unknown command "${name}"\n\n${topHelp()}`);
    return EXIT_USAGE;
  }
  try {
    const { positional, flags, help } = parseArgs(rest, cmd.flags);
    if (help) {
      out(usage(cmd.synopsis, cmd.details, cmd.flags));
      return 0;
    }
    return await cmd.run(positional, flags);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`wasmos ${name}: ${e.message}\n\n${usage(cmd.synopsis, cmd.details, cmd.flags)}`);
      return EXIT_USAGE;
    }
    throw e;
  }
}
