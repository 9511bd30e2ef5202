// Where wasmos's own files are, in the checkout (TypeScript sources run
// directly) and in the installed package (compiled to dist/): the package
// root is the nearest folder above this file whose package.json is wasmos's.
// Packages wasmos depends on are resolved from there the way Node does
// (hoisted or not), never by assuming a node_modules layout.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "wasmos") return dir;
    } catch {
      // no package.json here
    }
    if (dirname(dir) === dir) throw new Error(`wasmos: no wasmos package.json above ${start}`);
  }
}

/** The checkout, or the installed package's folder. */
export const PACKAGE_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

const requireHere = createRequire(join(PACKAGE_ROOT, "package.json"));

/** The folder of a package wasmos depends on (e.g. "binaryen"), as Node resolves it. */
export function dependencyDir(name: string): string {
  return dirname(requireHere.resolve(`${name}/package.json`));
}

/** The version of a dependency, or "unknown". */
export function dependencyVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(join(dependencyDir(name), "package.json"), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

/** A sibling source file of the caller in either layout: sourceFile(import.meta.url, "grants") -> .../grants.ts or .js. */
export function sourceFile(callerUrl: string, stem: string): string {
  const ext = callerUrl.endsWith(".ts") ? ".ts" : ".js";
  return join(dirname(fileURLToPath(callerUrl)), stem + ext);
}
