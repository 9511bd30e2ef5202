// The architecture check: reads the layer table of ARCHITECTURE.md (between
// <!-- layers:begin --> and <!-- layers:end -->) and the portability rules,
// walks every source file of the tree and returns every import that crosses a
// line the table does not draw. Pure over a root directory, so a test can run
// it on a small synthetic tree and show it fails.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";

export interface Layer {
  folder: string;
  /** Top-level folders this one may import, or "everything". */
  mayImport: Set<string> | "everything";
}

export interface Violation {
  file: string;
  message: string;
}

const SOURCE = /\.(ts|mts|js|mjs)$/;
const SKIP = new Set(["node_modules", "dist", "out", ".cache", ".git", "docs", "scratch"]);

/** The layer table of ARCHITECTURE.md. Throws if the markers or the rows are malformed. */
export function readLayers(root: string): Layer[] {
  const doc = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
  const m = /<!-- layers:begin -->([\s\S]*?)<!-- layers:end -->/.exec(doc);
  if (!m) throw new Error("ARCHITECTURE.md has no <!-- layers:begin --> ... <!-- layers:end --> table");
  const layers: Layer[] = [];
  for (const line of m[1].split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 5 || !cells[1].startsWith("`")) continue; // header, separator, blank
    const folder = cells[1].replace(/[`/]/g, "");
    const rule = cells[3];
    const mayImport = /^everything/.test(rule)
      ? ("everything" as const)
      : new Set([...rule.matchAll(/`([a-z][\w-]*)\/`/g)].map((x) => x[1]));
    layers.push({ folder, mayImport });
  }
  if (layers.length === 0) throw new Error("ARCHITECTURE.md's layer table has no rows");
  return layers;
}

export interface PrivatePath {
  /** Repo-relative path (a folder ends with "/"). */
  path: string;
  /** Paths (folders end with "/") whose files may import it. */
  importers: string[];
}

/** The private-path table of ARCHITECTURE.md (between <!-- private:begin --> and <!-- private:end -->); empty if absent. */
export function readPrivatePaths(root: string): PrivatePath[] {
  const doc = readFileSync(join(root, "ARCHITECTURE.md"), "utf8");
  const m = /<!-- private:begin -->([\s\S]*?)<!-- private:end -->/.exec(doc);
  if (!m) return [];
  const out: PrivatePath[] = [];
  for (const line of m[1].split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    if (cells.length < 4 || !cells[1].startsWith("`")) continue;
    out.push({ path: cells[1].replace(/`/g, ""), importers: [...cells[2].matchAll(/`([^`]+)`/g)].map((x) => x[1]) });
  }
  return out;
}

const within = (file: string, path: string): boolean => (path.endsWith("/") ? file.startsWith(path) : file === path);

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

/**
 * Split source into code and string literals, comments dropped: a small lexer,
 * so an import written inside a string (a test's fixture) or a comment is not
 * taken for one. Template literals count as strings; regex literals are rare
 * enough in this tree not to need handling.
 */
function lex(src: string): { code: string; strings: { text: string; before: string }[] } {
  let code = "";
  const strings: { text: string; before: string }[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "/" && src[i + 1] === "/") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? src.length : end + 2;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === "\\" ? 2 : 1;
      strings.push({ text: src.slice(i + 1, j), before: code.slice(-24) });
      code += c + c; // keep the shape: an empty literal
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, strings };
}

/** Source text without comments or string contents. */
function stripComments(src: string): string {
  return lex(src).code;
}

/** Module specifiers a source file imports (static, re-exported, dynamic with a literal). */
export function importsOf(src: string): string[] {
  return lex(src)
    .strings.filter((s) => /(\bfrom\s*|\bimport\s*\(\s*|(^|[;\s])import\s*)$/.test(s.before))
    .map((s) => s.text);
}

interface Portability {
  /** Applies to files under this path (repo-relative, posix), except those under `except`. */
  under: string;
  except?: string[];
  rules: [RegExp, string][];
}

const NODE_MODULE: [RegExp, string] = [/^node:/, "a Node built-in module"];
const PORTABILITY: Portability[] = [
  {
    under: "kernel/",
    rules: [
      NODE_MODULE,
      [/\bWebAssembly\b/, "the WebAssembly global"],
      [/\bprocess\.(env|stdout|stderr|exit|argv)/, "the Node process global"],
      [/\b(document|window|navigator)\./, "a DOM global"],
      [/\b(setTimeout|setInterval|performance\.now)\b/, "a host timer (time comes through the Platform)"],
    ],
  },
  {
    under: "hal/",
    except: ["hal/node/", "hal/browser/"],
    rules: [
      NODE_MODULE,
      [/\b(process|Buffer|require|__dirname)\b/, "a Node global"],
      [/\b(document|window)\./, "a DOM global"],
      [/\b(setTimeout|setInterval|performance\.now|Date\.now)\b/, "a host clock or timer (use the device context)"],
    ],
  },
  { under: "hal/browser/", rules: [NODE_MODULE, [/\b(process|Buffer|require|__dirname)\b/, "a Node global"]] },
  { under: "wasm/", rules: [NODE_MODULE] },
];

/** Every violation of the layer table and the portability rules under root. */
export function checkArchitecture(root: string): Violation[] {
  const layers = readLayers(root);
  const byFolder = new Map(layers.map((l) => [l.folder, l]));
  const privates = readPrivatePaths(root);
  const violations: Violation[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (SKIP.has(name) || name.startsWith(".") || !statSync(dir).isDirectory()) continue;
    const files = sourcesUnder(dir);
    if (files.length === 0) continue;
    const layer = byFolder.get(name);
    if (!layer) {
      violations.push({ file: `${name}/`, message: `top-level folder ${name}/ holds sources but is not in ARCHITECTURE.md's layer table` });
      continue;
    }
    for (const file of files) {
      const rel = relative(root, file).split(sep).join("/");
      const src = readFileSync(file, "utf8");
      for (const spec of importsOf(src)) {
        if (!spec.startsWith(".")) continue; // packages and node: built-ins (see the portability rules)
        const target = posix.normalize(posix.join(posix.dirname(rel), spec));
        if (target.startsWith("../")) {
          violations.push({ file: rel, message: `${rel} imports ${spec}, outside the repository` });
          continue;
        }
        for (const priv of privates) {
          if (within(target, priv.path) && !priv.importers.some((i) => within(rel, i))) {
            violations.push({
              file: rel,
              message: `${rel} imports ${spec}: ${priv.path} is private to ${priv.importers.join(", ")} (ARCHITECTURE.md)`,
            });
          }
        }
        const top = target.split("/")[0];
        if (top === name || layer.mayImport === "everything" || layer.mayImport.has(top)) continue;
        if (!existsSync(join(root, top)) && !byFolder.has(top)) continue; // a top-level file (package.json, ...)
        violations.push({ file: rel, message: `${rel} imports ${spec}: ${name}/ may not import ${top}/ (ARCHITECTURE.md)` });
      }
      const code = stripComments(src);
      const specs = importsOf(src);
      for (const p of PORTABILITY) {
        if (!rel.startsWith(p.under) || p.except?.some((e) => rel.startsWith(e))) continue;
        for (const [re, what] of p.rules) {
          // A rule about module specifiers (^node:) reads the imports; the others read the code.
          const hit = re.source.startsWith("^") ? specs.some((x) => re.test(x)) : re.test(code);
          if (hit) violations.push({ file: rel, message: `${rel} uses ${what}` });
        }
      }
    }
  }
  return violations;
}
