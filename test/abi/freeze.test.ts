// The ABI is frozen per released version: abi/versions.lock.json must agree with the
// definition, and numbers (syscalls, errno, rights, ...) are never reused.

import { describe, expect, it } from "vitest";
import { LOCK_PATH, parseDefinition, versionString } from "../../build/abi/definition.ts";
import {
  type LockFile,
  canonicalJson,
  checkFreeze,
  checkLockOrder,
  compareVersions,
  definitionHash,
  emptyLock,
  lockDefinition,
} from "../../build/abi/freeze.ts";
import { loadDefinition, mutableDefinition, readRepoFile } from "./load.ts";

const lock = (): LockFile => JSON.parse(readRepoFile(LOCK_PATH)) as LockFile;

describe("the released ABI", () => {
  const def = loadDefinition();
  const version = versionString(def);

  it("has not changed since its version was locked", () => {
    const locked = lock().versions[version];
    if (locked === undefined) {
      // An unreleased version is fine as long as it is newer than every release (checked below).
      return;
    }
    expect(
      definitionHash(def),
      `abi/wasmos.abi.json differs from the locked ABI ${version}: bump version in abi/wasmos.abi.json ` +
        "(then run node build/gen-abi.ts, and node build/gen-abi.ts --lock when it is released)",
    ).toBe(locked.sha256);
  });

  it("agrees with every locked version (numbers never reused, versions only increase)", () => {
    expect(checkFreeze(def, lock())).toEqual([]);
  });

  it("lists locked versions in increasing order", () => {
    const versions = Object.keys(lock().versions);
    expect(versions.length).toBeGreaterThan(0);
    expect(checkLockOrder(lock())).toEqual([]);
    expect([...versions].sort(compareVersions)).toEqual(versions);
  });

  it("is not older than the newest locked version", () => {
    for (const v of Object.keys(lock().versions)) expect(compareVersions(version, v), `${version} vs ${v}`).toBeGreaterThanOrEqual(0);
  });

  it("uses each syscall number once and never 0", () => {
    const nrs = def.syscalls.map((s) => s.nr);
    expect(new Set(nrs).size).toBe(nrs.length);
    expect(nrs).not.toContain(0);
  });

  it("uses each errno value once", () => {
    const values = def.errno.map((e) => e.value);
    expect(new Set(values).size).toBe(values.length);
  });

  it("uses each right bit once", () => {
    const bits = def.rights.map((r) => r.bit);
    expect(new Set(bits).size).toBe(bits.length);
  });
});

describe("canonicalJson", () => {
  it("sorts keys, drops whitespace and $comment fields at any depth, keeps array order", () => {
    expect(canonicalJson({ b: 1, $comment: "x", a: [3, { z: "s", $comment: "y", y: null }, 1] })).toBe(
      '{"a":[3,{"y":null,"z":"s"},1],"b":1}',
    );
  });

  it("ignores formatting and comments of the definition but nothing else", () => {
    const text = readRepoFile("abi/wasmos.abi.json");
    const reformatted = parseDefinition(JSON.stringify({ ...JSON.parse(text), $comment: "changed" }, null, 4));
    expect(definitionHash(reformatted)).toBe(definitionHash(loadDefinition()));
    const changed = mutableDefinition();
    changed.syscalls[0].doc += " ";
    expect(definitionHash(changed)).not.toBe(definitionHash(loadDefinition()));
  });
});

describe("checkFreeze", () => {
  const current = versionString(loadDefinition());
  const released = (): LockFile => {
    const outcome = lockDefinition(loadDefinition(), emptyLock());
    if (outcome.kind !== "added") throw new Error("locking a fresh definition failed");
    return outcome.lock;
  };

  it("tells a change to a released version to bump the version", () => {
    const def = mutableDefinition();
    def.syscalls[1].doc = "Changed.";
    const problems = checkFreeze(def, released());
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("bump version in abi/wasmos.abi.json");
  });

  it("accepts the change once the version is bumped", () => {
    const def = mutableDefinition();
    def.syscalls[1].doc = "Changed.";
    def.version.minor += 1;
    expect(checkFreeze(def, released())).toEqual([]);
  });

  it("refuses a syscall number reused for another name in a later version", () => {
    const def = mutableDefinition();
    def.version.minor += 1;
    def.syscalls.find((s: any) => s.name === "kill").name = "terminate";
    expect(checkFreeze(def, released())).toEqual([
      `syscalls 13 was kill in released version ${current} but is now terminate: numbers are never reused`,
    ]);
  });

  it("refuses an errno value reused for another name in a later version", () => {
    const def = mutableDefinition();
    def.version.minor += 1;
    def.errno.find((e: any) => e.name === "ESRCH").name = "EGONE";
    expect(checkFreeze(def, released())).toEqual([
      `errno 10 was ESRCH in released version ${current} but is now EGONE: numbers are never reused`,
    ]);
  });

  it("allows a removed syscall's number to stay unused", () => {
    const def = mutableDefinition();
    def.version.minor += 1;
    def.syscalls = def.syscalls.filter((s: any) => s.name !== "kill");
    expect(checkFreeze(def, released())).toEqual([]);
  });

  it("refuses a version older than a released one", () => {
    const def = mutableDefinition();
    def.version = { major: 0, minor: 0 };
    expect(checkFreeze(def, released())).toEqual([`version 0.0 is older than the released ${current}: versions must only increase`]);
  });

  it("refuses a lock file whose versions do not increase", () => {
    const entry = Object.values(released().versions)[0]!;
    const bad: LockFile = { versions: { "0.2": entry, "0.1": entry, "1.x": entry } };
    expect(checkLockOrder(bad)).toEqual([
      "version 0.1 is recorded after 0.2: versions must only increase",
      '"1.x" is not a major.minor version in the lock file',
    ]);
  });
});

describe("lockDefinition", () => {
  it("records a new version and leaves an identical one alone", () => {
    const first = lockDefinition(loadDefinition(), emptyLock());
    expect(first.kind).toBe("added");
    if (first.kind !== "added") return;
    const entry = first.lock.versions[versionString(loadDefinition())]!;
    expect(entry.sha256).toBe(definitionHash(loadDefinition()));
    expect(entry.numbers.syscalls!["1"]).toBe("exit");
    expect(lockDefinition(loadDefinition(), first.lock).kind).toBe("unchanged");
  });

  it("refuses to re-lock a released version with a different hash", () => {
    const def = mutableDefinition();
    const released = Object.keys(lock().versions).at(-1)!.split(".").map(Number);
    def.version = { major: released[0], minor: released[1] };
    def.limits[0].value += 1;
    const outcome = lockDefinition(def, lock());
    expect(outcome).toEqual({
      kind: "refused",
      reason: `version ${versionString(def)} is already locked with a different hash: bump version in abi/wasmos.abi.json`,
    });
  });

  it("matches the checked-in lock for the current version, if it is released", () => {
    const def = loadDefinition();
    const released = versionString(def) in lock().versions;
    expect(lockDefinition(def, lock()).kind).toBe(released ? "unchanged" : "added");
  });
});
