// `wasmos check FILE`: the loader's verdict without running anything.

import { ImageLoader } from "../../loader/loader.ts";
import { formatReport } from "../../loader/verify.ts";
import { type Command, EXIT, UsageError } from "../command.ts";
import { compileSource, readInput } from "../input.ts";

export const checkCommand: Command = {
  name: "check",
  summary: "verify a module (.wasm or .ts) and print its imports, exports, memory and verdict",
  synopsis: "wasmos check <file.wasm | file.ts>",
  details: [
    "Runs the loader's checks without running anything (a .ts guest is compiled first, as `run` does).",
    "It tells a WASI program (wasi_snapshot_preview1 imports) apart from a native guest and says what",
    "such a program would get.",
    "Exit status 0 when the module is a valid wasmos guest or WASI program, 65 when it is refused or does not compile,",
    "66 when the file cannot be read.",
  ].join("\n"),
  flags: [],
  async run(positional) {
    const [file, extra] = positional;
    if (!file) throw new UsageError("check: which file?");
    if (extra !== undefined) throw new UsageError(`check: one file at a time (also got "${extra}")`);
    let bytes = readInput(file, file.endsWith(".ts") ? "guest source" : "module");
    if (file.endsWith(".ts")) bytes = await compileSource(file);
    const report = new ImageLoader().check(bytes);
    process.stdout.write(formatReport(report, file) + "\n");
    if (report.ok && report.info.personality !== null)
      process.stdout.write(personalityNote(report.info.personality, report.info.imports) + "\n");
    return report.ok ? 0 : EXIT.REFUSED;
  },
};

/** What `wasmos check` adds for a program written against a personality instead of the wasmos ABI. */
function personalityNote(personality: string, imports: readonly { module: string; name: string }[]): string {
  const used = imports.filter((i) => i.module === personality).length;
  return [
    `personality: ${personality}, a WASI preview 1 program (not a native wasmos guest); it imports ${used} of the 46 functions`,
    "under `wasmos run` it gets: its arguments, the environment given with --env (nothing else), stdin,",
    "stdout and stderr, the directories given with --dir (nothing outside them), the kernel's clocks",
    "(virtual unless --realtime) and seeded random, and the limits of any process (fuel preemption,",
    "--fuel, --max-memory, --timeout).",
  ].join("\n");
}
