// build/gen-abi.ts as a command: --check passes on the checked-in tree, --lock leaves
// an already-locked version alone, and bad usage is refused. Runs the repository's
// Node 24 (type stripping), whatever node runs vitest.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { LOCK_PATH, versionString } from "../../build/abi/definition.ts";
import { ROOT, loadDefinition, readRepoFile } from "./load.ts";

// --lock on an unreleased version would write the lock file, so only run it on a locked one.
const currentIsLocked = versionString(loadDefinition()) in JSON.parse(readRepoFile(LOCK_PATH)).versions;

function genAbi(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(`${ROOT}node_modules/.bin/node`, ["build/gen-abi.ts", ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe("node build/gen-abi.ts", () => {
  it("--check exits 0 when every output is up to date", () => {
    expect(genAbi("--check")).toEqual({ status: 0, out: "" });
  });

  it.skipIf(!currentIsLocked)("--lock reports the current version as already locked", () => {
    const r = genAbi("--lock");
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^version \d+\.\d+ is already locked with this hash\n$/);
  });

  it("refuses unknown arguments with exit status 2", () => {
    expect(genAbi("--frobnicate")).toEqual({ status: 2, out: "usage: node build/gen-abi.ts [--check | --lock]\n" });
  });
});
