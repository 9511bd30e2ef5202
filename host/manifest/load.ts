// Reading a boot manifest: parse (with positions), validate, and report every
// problem as "file:line:column: /json/pointer: message". Never throws for a
// bad manifest: ManifestError carries the list.

import { JsonSyntaxError, parseJson, type Position } from "./json.ts";
import { type Manifest, validateManifest } from "./schema.ts";

export interface LocatedIssue {
  /** JSON pointer of the offending value ("" is the whole document). */
  pointer: string;
  position: Position;
  message: string;
}

export class ManifestError extends Error {
  override readonly name = "ManifestError";
  readonly file: string;
  readonly issues: readonly LocatedIssue[];
  constructor(file: string, issues: LocatedIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join("\n"));
    this.file = file;
    this.issues = issues;
  }
}

export function formatIssue(file: string, i: LocatedIssue): string {
  return `${file}:${i.position.line}:${i.position.column}: ${i.pointer || "/"}: ${i.message}`;
}

/**
 * Parse and check manifest text. `file` names it in messages. Throws
 * ManifestError (with every issue, in document order) when it is not a valid
 * manifest.
 */
export function parseManifest(text: string, file = "system.json"): Manifest {
  let parsed;
  try {
    parsed = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new ManifestError(file, [{ pointer: e.pointer, position: e.position, message: e.message }]);
    throw e;
  }
  const r = validateManifest(parsed.value);
  if (r.manifest) return r.manifest;
  const located = r.issues.map((i) => ({ ...i, position: positionOf(parsed.positions, i.pointer) }));
  located.sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
  throw new ManifestError(file, located);
}

/** Where a pointer's value starts; for a missing member, its nearest existing ancestor. */
function positionOf(positions: Map<string, { line: number; column: number }>, pointer: string): Position {
  for (let p = pointer; ; p = p.slice(0, p.lastIndexOf("/"))) {
    const at = positions.get(p);
    if (at) return at;
    if (p === "") return { line: 1, column: 1 };
  }
}
