// Shared by the ABI suites: the repository root and the checked-in definition.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type AbiDefinition, DEFINITION_PATH, parseDefinition } from "../../build/abi/definition.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function readRepoFile(rel: string): string {
  return readFileSync(ROOT + rel, "utf8");
}

/** A fresh copy each call, so a test may mutate it. */
export function loadDefinition(): AbiDefinition {
  return parseDefinition(readRepoFile(DEFINITION_PATH));
}

/** A mutable deep copy, for tests that break the definition on purpose. */
export function mutableDefinition(): any {
  return JSON.parse(readRepoFile(DEFINITION_PATH));
}
