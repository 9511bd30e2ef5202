// `wasmos new DIR`: a guest project.

import { type Command, UsageError } from "../command.ts";
import { scaffold } from "../scaffold.ts";

export const newCommand: Command = {
  name: "new",
  summary: "create a guest project you can build, run and test at once",
  synopsis: "wasmos new <dir> [--name NAME]",
  details:
    "Writes main.ts (a guest using the SDK), asconfig.json, a test and a README into <dir>, which must not exist or be empty. Then: wasmos run <dir>/main.ts",
  flags: [{ name: "name", value: "NAME", doc: "the program's name (default: the folder's name)" }],
  async run(positional, flags) {
    const [dir] = positional;
    if (!dir) throw new UsageError("new: which folder?");
    const files = scaffold(dir, typeof flags.name === "string" ? flags.name : undefined);
    process.stdout.write(`created ${dir}:\n${files.map((f) => `  ${f}\n`).join("")}next: wasmos run ${dir}/main.ts\n`);
    return 0;
  },
};
