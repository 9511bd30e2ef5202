// `wasmos demo [NAME]`: the demos, listed when none is named.

import { type Command, UsageError } from "../command.ts";
import { PCM_DEMO_DETAILS, PCM_DEMO_SYNOPSIS, pcmDemoCommand } from "../demo/cli.ts";

interface Demo {
  name: string;
  summary: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Every demo; `wasmos demo` lists them. */
export const DEMOS: readonly Demo[] = [
  { name: "pcm", summary: "the four-process PCM audio pipeline with grants, IPC and a revoke (npm start)", run: pcmDemoCommand },
];

function list(): string {
  return [
    "demos:",
    ...DEMOS.map((d) => `  ${d.name.padEnd(10)} ${d.summary}`),
    "",
    "wasmos demo <name> --help shows a demo's options.",
  ].join("\n");
}

export const demoCommand: Command = {
  name: "demo",
  summary: "run a demo (wasmos demo lists them; npm start runs pcm)",
  synopsis: "wasmos demo <name> [options]",
  details: list() + "\n\n" + PCM_DEMO_SYNOPSIS + "\n" + PCM_DEMO_DETAILS,
  flags: [],
  rawArgs: true,
  async run(positional) {
    const [which, ...rest] = positional;
    if (which === undefined) {
      process.stdout.write(list() + "\n");
      return 0;
    }
    if (which === "--help" || which === "-h") {
      process.stdout.write(`usage: ${this.synopsis}\n\n${this.details}\n`);
      return 0;
    }
    const demo = DEMOS.find((d) => d.name === which);
    if (!demo) throw new UsageError(`unknown demo "${which}" (the demos: ${DEMOS.map((d) => d.name).join(", ")})`);
    return demo.run(rest);
  },
};
