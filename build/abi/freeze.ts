// Freezing released ABI versions. abi/versions.lock.json records, per released
// version, the sha256 of the definition's canonical form and the numbers it gave out
// (syscall numbers, errno values, right bits, ...). A released version may never
// change, and a number once given to a name is never given to another name, in any
// later version: an old guest calling number N must never reach a different call.

import { createHash } from "node:crypto";
import { type AbiDefinition, DEFINITION_PATH, GENERATOR_PATH, versionString } from "./definition.ts";

/** name by number, per numbered table (keys are decimal strings, as JSON requires). */
export type NumberTables = Record<string, Record<string, string>>;

export interface LockedVersion {
  readonly sha256: string;
  readonly numbers: NumberTables;
}

export interface LockFile {
  readonly $comment?: string;
  /** In release order: each version greater than the one before. */
  readonly versions: Readonly<Record<string, LockedVersion>>;
}

export const LOCK_COMMENT =
  `Released wasmos ABI versions. Each entry is the sha256 of the canonical form of ${DEFINITION_PATH} ` +
  "(keys sorted, no whitespace, $comment fields left out) and the numbers that version gave out. " +
  `Written by \`node ${GENERATOR_PATH} --lock\`; checked by test/abi/freeze.test.ts. Never edit a recorded entry.`;

/**
 * The canonical JSON text of a value: object keys sorted by code unit, no
 * whitespace, every "$comment" key left out (comments may change freely). Array
 * order is kept: it is meaningful (parameter order).
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value)
      .filter((k) => k !== "$comment")
      .sort();
    const obj = value as Record<string, unknown>;
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Hex sha256 of the definition's canonical form. */
export function definitionHash(def: AbiDefinition): string {
  return createHash("sha256").update(canonicalJson(def), "utf8").digest("hex");
}

/** The numbered tables whose numbers must never be reused for another name. */
export function numberTables(def: AbiDefinition): NumberTables {
  const byNumber = <T extends { name: string }>(list: readonly T[], num: (e: T) => number): Record<string, string> =>
    Object.fromEntries(list.map((e) => [String(num(e)), e.name]));
  return {
    syscalls: byNumber(def.syscalls, (e) => e.nr),
    errno: byNumber(def.errno, (e) => e.value),
    rights: byNumber(def.rights, (e) => e.bit),
    object_types: byNumber(def.object_types, (e) => e.value),
    process_states: byNumber(def.process_states, (e) => e.value),
    exit_reasons: byNumber(def.exit_reasons, (e) => e.value),
  };
}

/** [major, minor] of "major.minor"; throws on anything else. */
export function parseVersion(text: string): [number, number] {
  const m = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$/.exec(text);
  if (m === null) throw new Error(`"${text}" is not a major.minor version`);
  return [Number(m[1]), Number(m[2])];
}

/** Negative if a < b, 0 if equal, positive if a > b. */
export function compareVersions(a: string, b: string): number {
  const [am, an] = parseVersion(a);
  const [bm, bn] = parseVersion(b);
  return am !== bm ? am - bm : an - bn;
}

/** Problems with the lock file itself: malformed versions, or versions not increasing. */
export function checkLockOrder(lock: LockFile): string[] {
  const problems: string[] = [];
  let previous: string | null = null;
  for (const v of Object.keys(lock.versions)) {
    try {
      parseVersion(v);
    } catch (e) {
      problems.push(`${(e as Error).message} in the lock file`);
      continue;
    }
    if (previous !== null && compareVersions(v, previous) <= 0)
      problems.push(`version ${v} is recorded after ${previous}: versions must only increase`);
    previous = v;
  }
  return problems;
}

/**
 * Problems between the definition and the lock: a locked version whose content
 * changed, a version older than the newest release, or a number that a released
 * version gave to another name. An unlocked version newer than every release is
 * work in progress and is fine.
 */
export function checkFreeze(def: AbiDefinition, lock: LockFile): string[] {
  const problems = checkLockOrder(lock);
  const version = versionString(def);
  const locked = lock.versions[version];
  if (locked !== undefined && locked.sha256 !== definitionHash(def)) {
    problems.push(
      `${DEFINITION_PATH} changed but version ${version} is already released (locked in abi/versions.lock.json): ` +
        "bump version in abi/wasmos.abi.json instead of changing a released ABI",
    );
  }
  if (locked === undefined) {
    for (const v of Object.keys(lock.versions)) {
      if (compareVersions(version, v) < 0) problems.push(`version ${version} is older than the released ${v}: versions must only increase`);
    }
  }
  const current = numberTables(def);
  for (const [v, entry] of Object.entries(lock.versions)) {
    for (const [tableName, byNumber] of Object.entries(entry.numbers)) {
      const now = current[tableName] ?? {};
      for (const [num, name] of Object.entries(byNumber)) {
        const nowName = now[num];
        if (nowName !== undefined && nowName !== name)
          problems.push(`${tableName} ${num} was ${name} in released version ${v} but is now ${nowName}: numbers are never reused`);
      }
    }
  }
  return problems;
}

export type LockOutcome =
  { readonly kind: "added" | "unchanged"; readonly lock: LockFile } | { readonly kind: "refused"; readonly reason: string };

/** Records the definition's version in the lock; refuses to change a released version. */
export function lockDefinition(def: AbiDefinition, lock: LockFile): LockOutcome {
  const version = versionString(def);
  const hash = definitionHash(def);
  const existing = lock.versions[version];
  if (existing !== undefined) {
    if (existing.sha256 === hash) return { kind: "unchanged", lock };
    return { kind: "refused", reason: `version ${version} is already locked with a different hash: bump version in abi/wasmos.abi.json` };
  }
  const problems = checkFreeze(def, lock);
  if (problems.length > 0) return { kind: "refused", reason: problems.join("\n") };
  return {
    kind: "added",
    lock: { $comment: LOCK_COMMENT, versions: { ...lock.versions, [version]: { sha256: hash, numbers: numberTables(def) } } },
  };
}

export function emptyLock(): LockFile {
  return { $comment: LOCK_COMMENT, versions: {} };
}

export function formatLock(lock: LockFile): string {
  return JSON.stringify(lock, null, 2) + "\n";
}
