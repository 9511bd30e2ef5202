// Every `wasmos` command, in the order the top-level help lists them. To add
// one: write cli/commands/<name>.ts exporting a Command, and add it here.

import type { Command } from "../command.ts";
import { runCommand } from "./run.ts";
import { replayCommand } from "./replay.ts";
import { buildCommand } from "./build.ts";
import { checkCommand } from "./check.ts";
import { newCommand } from "./new.ts";
import { demoCommand } from "./demo.ts";
import { conformanceCommand } from "./conformance.ts";
import { bootCommandEntry } from "./boot.ts";
import { wasiTestsuiteCommand } from "./wasi-testsuite.ts";
import { psCommand, topCommand } from "./ps.ts";

export const COMMANDS: readonly Command[] = [
  runCommand,
  replayCommand,
  buildCommand,
  bootCommandEntry,
  psCommand,
  topCommand,
  checkCommand,
  newCommand,
  demoCommand,
  conformanceCommand,
  wasiTestsuiteCommand,
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}
