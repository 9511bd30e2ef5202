// `wasmos check FILE`: the loader's verdict without running anything.

import { ImageLoader } from "../../loader/loader.ts";
import { formatReport } from "../../loader/verify.ts";
import { CliError, type Command, EXIT, progressLine, UsageError } from "../command.ts";
import { readInput } from "../input.ts";
import { compileGuestFile, GuestCompileError } from "../run-guest.ts";

export const checkCommand: Command = {
  name: "check",
  summary: "verify a module (.wasm or .ts) and print its imports, exports, memory and verdict",
  synopsis: "wasmos check <file.wasm | file.ts>",
  details: [
    "Runs the loader's checks without running anything (a .ts guest is compiled first, as `run` does).",
    "Exit status 0 when the module is a valid wasmos guest, 65 when it is refused or does not compile,",
    "66 when the file cannot be read.",
  ].join("\n"),
  flags: [],
  async run(positional) {
    const [file, extra] = positional;
    if (!file) throw new UsageError("check: which file?");
    if (extra !== undefined) throw new UsageError(`check: one file at a time (also got "${extra}")`);
    let bytes = readInput(file, file.endsWith(".ts") ? "guest source" : "module");
    if (file.endsWith(".ts")) {
      try {
        bytes = await compileGuestFile(file, progressLine());
      } catch (e) {
        if (e instanceof GuestCompileError) throw new CliError(e.message, EXIT.REFUSED);
        throw e;
      }
    }
    const report = new ImageLoader().check(bytes);
    process.stdout.write(formatReport(report, file) + "\n");
    return report.ok ? 0 : EXIT.REFUSED;
  },
};
