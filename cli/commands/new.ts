// `wasmos new DIR`: a guest project.

import { statSync } from "node:fs";
import { CliError, type Command, EXIT, UsageError } from "../command.ts";
import { fsReason } from "../input.ts";
import { version } from "../version.ts";
import { scaffold } from "../scaffold.ts";

export const newCommand: Command = {
  name: "new",
  summary: "create a guest project (npm start, npm test, npm run build) that depends on wasmos",
  synopsis: "wasmos new <dir> [--name NAME] [--wasmos SPEC] [--sdk SPEC]",
  interspersed: true,
  details: [
    "Writes main.ts (a guest using @wasmos/sdk), main.test.mjs, package.json (depending on wasmos and",
    "@wasmos/sdk by version), asconfig.json, tsconfig.json (for editors), .gitignore and a README into",
    "<dir>, which must not exist or be empty. Then: cd <dir> && npm install && npm start",
  ].join("\n"),
  flags: [
    { name: "name", value: "NAME", doc: "the program's name (default: the folder's name)" },
    { name: "wasmos", value: "SPEC", doc: "npm spec of the wasmos dependency (default ^VERSION; a tarball: file:...)" },
    { name: "sdk", value: "SPEC", doc: "npm spec of the @wasmos/sdk dependency (default ^VERSION)" },
  ],
  async run(positional, flags) {
    const [dir] = positional;
    if (!dir) throw new UsageError("new: which folder?");
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    let isFile = false;
    try {
      isFile = !statSync(dir).isDirectory();
    } catch {
      // absent (made below), or unreachable (scaffold's error says why)
    }
    if (isFile) throw new CliError(`${dir} is a file: the project needs a folder of its own`, EXIT.CANT_CREATE);
    let files: string[];
    try {
      files = scaffold(dir, version(), { name: str(flags.name), wasmosSpec: str(flags.wasmos), sdkSpec: str(flags.sdk) });
    } catch (e) {
      if (e instanceof UsageError) throw e;
      // The folder cannot be made or written (a file of that name, a path through one, no permission).
      throw new CliError(`cannot create the project in ${dir}: ${fsReason(e)}`, EXIT.CANT_CREATE);
    }
    process.stdout.write(`created ${dir}:\n${files.map((f) => `  ${f}\n`).join("")}next: cd ${dir} && npm install && npm start\n`);
    return 0;
  },
};
