// wasmos: the command line. main() dispatches to the commands listed in
// cli/commands/index.ts and turns every failure into one line on stderr and
// an exit status from EXIT (cli/command.ts); a Node stack only with
// WASMOS_DEBUG=1.

import { parseArgs, UsageError, usage } from "./args.ts";
import { CliError, type Command, EXIT, EXIT_STATUS_HELP } from "./command.ts";
import { COMMANDS, findCommand } from "./commands/index.ts";
import { version } from "./version.ts";
import { useEpochTicker } from "../host/kernel.ts";
import { nodeEpochTicker } from "../hal/node/epoch-ticker.ts";

// Real-time kernels on Node preempt by epoch (a worker thread raises a flag), not by counting fuel (loader/instrument/README.md).
useEpochTicker(process.env.WASMOS_PREEMPTION === "fuel" ? null : nodeEpochTicker);

export { EXIT } from "./command.ts";

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = [
    `wasmos ${version()}: a microkernel whose processes are WebAssembly modules`,
    "",
    "usage: wasmos <command> [options] [arguments]",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "options:",
    `  ${"--help".padEnd(width)}this help (wasmos <command> --help: a command's options)`,
    `  ${"--version".padEnd(width)}print the version`,
    "",
    EXIT_STATUS_HELP,
  ];
  return lines.join("\n") + "\n";
}

function commandHelp(cmd: Command): string {
  return usage(cmd.synopsis, cmd.details, cmd.flags);
}

/** Run the CLI; returns the exit status. Never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    out(topHelp());
    return name ? 0 : EXIT.USAGE;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    out(`wasmos ${version()}\n`);
    return 0;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    err(`wasmos: unknown command "${name}" (wasmos --help lists them)\n`);
    return EXIT.USAGE;
  }
  try {
    if (cmd.rawArgs) return await cmd.run([...rest], {});
    const { positional, flags, help } = parseArgs(rest, cmd.flags, { interspersed: cmd.interspersed });
    if (help) {
      out(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(positional, flags);
  } catch (e) {
    if (e instanceof UsageError) {
      // One line naming what is wrong (not the whole help after it, where the line is lost), and where the help is.
      const what = e.message.startsWith(`${name}: `) ? e.message.slice(name.length + 2) : e.message;
      err(`wasmos ${name}: ${what}; wasmos ${name} --help shows the usage\n`);
      return EXIT.USAGE;
    }
    if (e instanceof CliError) {
      err(`wasmos ${name}: ${e.message}\n`); // the command that failed, named as usage errors name it
      return e.status;
    }
    if (process.env.WASMOS_DEBUG) err(`${(e as Error)?.stack ?? String(e)}\n`);
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    err(`wasmos ${name}: internal error: ${what} (a bug in wasmos; WASMOS_DEBUG=1 shows the stack)\n`);
    return EXIT.INTERNAL;
  }
}
