// wasmos: the command line. Each command is a function of its arguments that
// returns the process exit code; main() dispatches.

import { readFileSync } from "node:fs";
import { ImageLoader } from "../loader/loader.ts";
import { formatReport } from "../loader/verify.ts";
import { scaffold } from "./scaffold.ts";
import { PCM_DEMO_DETAILS, PCM_DEMO_FLAGS, PCM_DEMO_SYNOPSIS, pcmDemoCommand } from "./demo/cli.ts";
import { parseArgs, type Flag, UsageError, usage } from "./args.ts";
import { parseRunOptions, RUN_FLAGS, RUN_SYNOPSIS } from "./run-options.ts";
import { runCommand } from "./run-command.ts";

/** Exit codes besides a guest's own status. */
export const EXIT_USAGE = 64;
/** 65: refused or not compiled; 128 + exit reason: a guest that ended abnormally (cli/run-command.ts). */
export { EXIT_ABNORMAL_BASE, EXIT_REFUSED } from "./run-command.ts";

interface Command {
  summary: string;
  synopsis: string;
  details: string;
  flags: readonly Flag[];
  run(positional: string[], flags: Record<string, string | boolean | string[]>): Promise<number>;
  /** A command that parses its own arguments (throws UsageError); `run` is then unused. */
  raw?: (argv: readonly string[]) => Promise<number>;
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

const COMMANDS: Record<string, Command> = {
  run: {
    summary: "run a guest or a WASI program as a process under the kernel",
    synopsis: RUN_SYNOPSIS,
    details: [
      "Loads the module (an AssemblyScript .ts file is compiled first), verifies it, and runs it as",
      "the root process until the system is quiescent. A native guest's console output goes to stdout;",
      "a WASI program (wasi_snapshot_preview1 imports) gets stdin, stdout and stderr, --env and --dir.",
      'The process receives its own image as handle "self" and each --image under its NAME.',
      "Options go before the program; everything after it belongs to the program.",
      "",
      "Exit status: the guest's exit status (0-255) when it ends normally; 128 + exit reason when it",
      "traps, panics, is killed or exceeds a limit (the reason is printed on stderr); 65 when the module",
      "is refused or does not compile; 64 for a usage error.",
    ].join("\n"),
    flags: RUN_FLAGS,
    // Its own parser (cli/run-options.ts): what follows the program is the program's.
    raw: (argv) => runCommand(parseRunOptions(argv, process.env), err),
    async run() {
      return EXIT_USAGE;
    },
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
      if (report.ok && report.info.personality !== null) out(personalityNote(report.info.personality, report.info.imports) + "\n");
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
  "wasi-testsuite": {
    summary: "run the official WASI test suite (prebuilt) under the WASI personality",
    synopsis: "wasmos wasi-testsuite DIR [--filter TEXT]",
    details: [
      "Runs every *.wasm under DIR with its NAME.json (args, env, dirs to preopen, expected exit code",
      "and stdout; WebAssembly/wasi-testsuite doc/specification.md), prints each failure with its",
      "reason, then `N passed, M failed` per language group and in total. Exit status 0 when all pass.",
    ].join("\n"),
    flags: [{ name: "filter", value: "TEXT", doc: "only tests whose path contains TEXT" }],
    async run(positional, flags) {
      const [dir] = positional;
      if (!dir) throw new UsageError("wasi-testsuite: which directory?");
      const { runWasiTestsuite } = await import("./wasi-testsuite.ts");
      const s = await runWasiTestsuite(dir, (line) => out(line + "\n"), typeof flags.filter === "string" ? flags.filter : undefined);
      return s.failed === 0 ? 0 : 1;
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

/** What `wasmos check` adds for a program written against a personality instead of the wasmos ABI. */
function personalityNote(personality: string, imports: readonly { module: string; name: string }[]): string {
  const used = imports.filter((i) => i.module === personality).map((i) => i.name);
  return [
    `personality: ${personality} (a WASI preview 1 program, not a native wasmos guest), ${used.length} of its 46 functions imported`,
    "it would get: its arguments, the environment given with --env (nothing else), stdin/stdout/stderr,",
    "the directories given with --dir (nothing outside them), the kernel's clocks and seeded random,",
    "and the limits of any process (fuel preemption, --fuel, --max-memory, --timeout).",
  ].join("\n");
}

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
    if (cmd.raw !== undefined && !(rest.length === 1 && (rest[0] === "--help" || rest[0] === "-h"))) return await cmd.raw(rest);
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
