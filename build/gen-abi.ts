// Generates everything derived from abi/wasmos.abi.json.
//
//   node build/gen-abi.ts           write every output (see build/abi/outputs.ts)
//   node build/gen-abi.ts --check   write nothing; exit 1 listing outputs that differ
//   node build/gen-abi.ts --lock    record the current version's hash in abi/versions.lock.json
//
// Exit status: 0 done, 1 check failed / lock refused / invalid definition, 2 bad usage.
// Nothing is written from a definition that fails validation.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFINITION_PATH, LOCK_PATH, parseDefinition, versionString } from "./abi/definition.ts";
import { type LockFile, emptyLock, formatLock, lockDefinition } from "./abi/freeze.ts";
import { ABI_OUTPUTS } from "./abi/outputs.ts";
import { validateDefinition } from "./abi/validate.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: node build/gen-abi.ts [--check | --lock]";

function readText(rel: string): string | null {
  const abs = join(ROOT, rel);
  return existsSync(abs) ? readFileSync(abs, "utf8") : null;
}

function writeText(rel: string, text: string): void {
  const abs = join(ROOT, rel);
  mkdirSync(dirname(abs), { recursive: true });
  writeFileSync(abs, text);
}

function main(args: readonly string[]): number {
  if (args.length > 1 || (args.length === 1 && args[0] !== "--check" && args[0] !== "--lock")) {
    console.error(USAGE);
    return 2;
  }
  const mode = args[0] ?? "--write";

  const text = readText(DEFINITION_PATH);
  if (text === null) {
    console.error(`${DEFINITION_PATH} not found`);
    return 1;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    console.error(`${DEFINITION_PATH}: ${(e as Error).message}`);
    return 1;
  }
  const problems = validateDefinition(raw);
  if (problems.length > 0) {
    console.error(`${DEFINITION_PATH} is invalid:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    return 1;
  }
  const def = parseDefinition(text);

  if (mode === "--lock") {
    const lockText = readText(LOCK_PATH);
    const lock: LockFile = lockText === null ? emptyLock() : (JSON.parse(lockText) as LockFile);
    const outcome = lockDefinition(def, lock);
    if (outcome.kind === "refused") {
      console.error(`refusing to lock: ${outcome.reason}`);
      return 1;
    }
    if (outcome.kind === "unchanged") console.log(`version ${versionString(def)} is already locked with this hash`);
    else {
      writeText(LOCK_PATH, formatLock(outcome.lock));
      console.log(`locked version ${versionString(def)} in ${LOCK_PATH}`);
    }
    return 0;
  }

  const stale: string[] = [];
  for (const out of ABI_OUTPUTS) {
    const wanted = out.generate(def);
    if (readText(out.path) === wanted) continue;
    stale.push(out.path);
    if (mode === "--write") writeText(out.path, wanted);
  }
  if (mode === "--check") {
    if (stale.length === 0) return 0;
    console.error(
      `generated ABI files differ from ${DEFINITION_PATH}; run node build/gen-abi.ts:\n${stale.map((p) => `  ${p}`).join("\n")}`,
    );
    return 1;
  }
  console.log(stale.length === 0 ? "ABI outputs up to date" : `wrote ${stale.join(", ")}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
