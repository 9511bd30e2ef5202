// `wasmos wasi-testsuite DIR`: the official WASI test suite under the WASI personality.

import { statSync } from "node:fs";
import { CliError, type Command, EXIT, UsageError } from "../command.ts";
import { fsReason } from "../input.ts";

export const wasiTestsuiteCommand: Command = {
  name: "wasi-testsuite",
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
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (e) {
      throw new CliError(`cannot read ${dir}: ${fsReason(e)}`, EXIT.NO_INPUT);
    }
    if (!isDir) throw new CliError(`${dir} is not a directory (the WASI test suite's, or a folder of it)`, EXIT.NO_INPUT);
    const { runWasiTestsuite } = await import("../wasi-testsuite.ts");
    const s = await runWasiTestsuite(
      dir,
      (line) => process.stdout.write(line + "\n"),
      typeof flags.filter === "string" ? flags.filter : undefined,
    );
    return s.failed === 0 ? 0 : 1;
  },
};
