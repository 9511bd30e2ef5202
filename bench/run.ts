// `npm run bench`: run the benchmark harness, print the table, write JSON.
//
//   node bench/run.ts [--quick] [--filter a,b] [--out PATH]
//
// Every figure is a ratio against a baseline measured in the same process.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { REPO_ROOT } from "../build/compile.ts";
import { FAMILIES } from "./families.ts";
import { runBench, selectFamilies } from "./harness.ts";
import { formatTable } from "./report.ts";

const USAGE = `usage: npm run bench -- [options]

  --quick          tiny iteration counts: checks the harness runs, measures nothing
  --filter a,b     only figures whose key or family contains one of these (and their baselines)
  --out PATH       where the JSON goes (default bench/results.json)
  --help           this text

figures: ${FAMILIES.flatMap((f) => f.keys).join(", ")}
`;

export interface CliOptions {
  quick: boolean;
  filter: string[] | null;
  out: string;
}

/** Parse argv (without node and script). Throws Error with a message for bad usage. */
export function parseArgs(argv: readonly string[]): CliOptions | "help" {
  const opts: CliOptions = { quick: false, filter: null, out: join(REPO_ROOT, "bench", "results.json") };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const valueOf = (name: string): string => {
      const eq = a.indexOf("=");
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") return "help";
    else if (a === "--quick") opts.quick = true;
    else if (a === "--filter" || a.startsWith("--filter="))
      opts.filter = valueOf("--filter")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    else if (a === "--out" || a.startsWith("--out=")) opts.out = resolve(valueOf("--out"));
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

async function main(): Promise<number> {
  let opts: CliOptions | "help";
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (opts === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  if (selectFamilies(FAMILIES, opts.filter).length === 0) {
    process.stderr.write(`--filter ${opts.filter!.join(",")} matches no figure\n${USAGE}`);
    return 2;
  }
  const report = await runBench({ quick: opts.quick, filter: opts.filter, log: (l) => process.stderr.write(l + "\n") });
  process.stdout.write(formatTable(report));
  mkdirSync(dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, JSON.stringify(report, null, 2) + "\n");
  process.stdout.write(`wrote ${opts.out}\n`);
  return Object.values(report.figures).some((r) => r.status === "failed") ? 1 : 0;
}

if (import.meta.main) process.exitCode = await main();
