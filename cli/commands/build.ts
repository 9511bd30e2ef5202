// `wasmos build main.ts -o main.wasm`: compile a guest with the SDK, check it
// as the loader will, and keep it in the guest cache `run` uses.

import { writeFileSync } from "node:fs";
import { ImageLoader } from "../../loader/loader.ts";
import { formatReport } from "../../loader/verify.ts";
import { CliError, type Command, EXIT, UsageError } from "../command.ts";
import { compileSource, fsReason, readInput } from "../input.ts";
import { guestCacheDir } from "../../build/compile-cache.ts";

export const buildCommand: Command = {
  name: "build",
  summary: "compile an AssemblyScript guest to a checked .wasm (cached; run uses the same cache)",
  synopsis: "wasmos build <file.ts> [-o FILE.wasm]",
  details: [
    "Compiles the guest with the wasmos SDK (@wasmos/sdk) and the asconfig.json beside it (else the",
    "package's), lowers its grant intrinsics, verifies the result as the loader does, and writes it.",
    `Compiled guests are cached by content (${guestCacheDir()}; set WASMOS_CACHE_DIR to move it), so a`,
    "second build or `wasmos run` of an unchanged guest takes milliseconds.",
    "Exit status 0 when the module is written, 65 when it does not compile or is refused, 66 when",
    "the source cannot be read, 73 when the output cannot be written.",
  ].join("\n"),
  interspersed: true,
  flags: [{ name: "o", value: "FILE", doc: "where the module goes (default: the source's name with .wasm)" }],
  async run(positional, flags) {
    const [file, extra] = positional;
    if (!file) throw new UsageError("build: which file?");
    if (extra !== undefined) throw new UsageError(`build: one file at a time (also got "${extra}")`);
    if (!file.endsWith(".ts")) throw new UsageError(`build: compiles AssemblyScript (.ts) sources, got "${file}"`);
    readInput(file, "guest source");
    const out = typeof flags.o === "string" ? flags.o : file.replace(/\.ts$/, ".wasm");
    const bytes = await compileSource(file);
    const report = new ImageLoader().check(bytes);
    if (!report.ok) throw new CliError(`${file} compiled, but the loader refuses it:\n${formatReport(report, out)}`, EXIT.REFUSED);
    try {
      writeFileSync(out, bytes);
    } catch (e) {
      throw new CliError(`cannot write ${out}: ${fsReason(e)}`, EXIT.CANT_CREATE);
    }
    process.stdout.write(`${out}: ${bytes.length} bytes\n`);
    return 0;
  },
};
