// `wasmos conformance`: the ABI conformance suite.

import { writeFileSync } from "node:fs";
import { CliError, type Command, EXIT, showProgress, UsageError } from "../command.ts";
import { fsReason } from "../input.ts";

export const conformanceCommand: Command = {
  name: "conformance",
  summary: "run the ABI conformance suite against this kernel or another implementation",
  synopsis: "wasmos conformance [--filter PATTERN] [--json FILE] [--adapter CMD]",
  details: [
    "Runs every case in conformance/ twice (direct imports, and the numbered sys entry) and prints",
    "one line per failing case with expected vs actual, then `N passed, M failed` (`, K skipped`).",
    "--adapter runs each case through CMD <case-dir> instead of in process (protocol: conformance/README.md).",
    "Exit status 0 only when nothing failed, 1 when some case failed.",
  ].join("\n"),
  flags: [
    { name: "filter", value: "PATTERN", doc: 'only cases whose "id [variant]" contains PATTERN (or matches /REGEX/)' },
    { name: "json", value: "FILE", doc: "write every result (outcome, differences) to FILE as JSON" },
    { name: "adapter", value: "CMD", doc: "run cases through this command (conformance/adapters/wasmos-node.ts is the reference)" },
  ],
  async run(positional, flags) {
    if (positional.length > 0) throw new UsageError(`unexpected ${positional[0]} (--filter PATTERN chooses cases)`);
    let runConformance: typeof import("../../conformance/runner.ts").runConformance;
    try {
      ({ runConformance } = await import("../../conformance/runner.ts"));
    } catch {
      // The npm package leaves the suite out (its cases need the checkout's tools).
      throw new CliError("the conformance suite runs from a checkout of the wasmos repository (npm test there)", EXIT.NO_INPUT);
    }
    // A live counter on a terminal (stderr), erased before each printed line; nothing when piped.
    const tty = showProgress();
    let shown = false;
    const erase = () => shown && (process.stderr.write("\r\x1b[K"), (shown = false));
    const s = await runConformance({
      print: (line) => {
        erase();
        process.stdout.write(line + "\n");
      },
      progress: tty
        ? (done, total) => {
            if (done % 16 !== 0 && done !== total) return;
            process.stderr.write(`\r\x1b[Kconformance: ${done}/${total} cases`);
            shown = true;
          }
        : undefined,
      filter: typeof flags.filter === "string" ? flags.filter : undefined,
      adapter: typeof flags.adapter === "string" ? flags.adapter : undefined,
    });
    erase();
    if (typeof flags.json === "string") {
      try {
        writeFileSync(
          flags.json,
          JSON.stringify({ passed: s.passed, failed: s.failed, skipped: s.skipped, results: s.results }, null, 2) + "\n",
        );
      } catch (e) {
        throw new CliError(`cannot write ${flags.json}: ${fsReason(e)}`, EXIT.CANT_CREATE);
      }
    }
    return s.failed === 0 ? 0 : 1;
  },
};
