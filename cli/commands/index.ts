// Every `wasmos` command, in the order the top-level help lists them. To add
// one: write cli/commands/<name>.ts exporting a Command, and add it here.

import type { Command } from "../command.ts";
import { runCommand } from "./run.ts";
import { checkCommand } from "./check.ts";
import { newCommand } from "./new.ts";
import { demoCommand } from "./demo.ts";
import { conformanceCommand } from "./conformance.ts";
import { bootCommandEntry } from "./boot.ts";
import { wasiTestsuiteCommand } from "./wasi-testsuite.ts";

export const COMMANDS: readonly Command[] = [
  runCommand,
  bootCommandEntry,
  checkCommand,
  newCommand,
  demoCommand,
  conformanceCommand,
  wasiTestsuiteCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
