// docs/guide.md is tested as written: every ```ts file=NAME block (and
// ```json file=NAME, a boot manifest) is written
// to a fresh folder, and every ```console block is run there, command by
// command, through the wasmos CLI (`< FILE` gives it a file of the folder as
// standard input; otherwise the input is empty), its stdout compared with the lines shown
// (… stands for any text in a line). The ```sh block (a project with
// `wasmos new`, npm install, npm start, npm test) is what
// test/package/npm-package.test.ts does with the packed package.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";

const GUIDE = readFileSync(join(REPO_ROOT, "docs", "guide.md"), "utf8");
const BIN = join(REPO_ROOT, "bin", "wasmos.js");

interface Block {
  lang: string;
  info: string;
  body: string;
}

function blocks(md: string): Block[] {
  const out: Block[] = [];
  const re = /^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm;
  for (let m = re.exec(md); m; m = re.exec(md)) out.push({ lang: m[1], info: m[2].trim(), body: m[3] });
  return out;
}

/** "$ wasmos ... [< FILE]" commands with the output lines after each (FILE: the standard input, a file of the folder). */
function sessions(body: string): { argv: string[]; stdin: string | null; expected: string[] }[] {
  const out: { argv: string[]; stdin: string | null; expected: string[] }[] = [];
  for (const line of body.replace(/\n$/, "").split("\n")) {
    if (line.startsWith("$ ")) {
      const argv = line.slice(2).split(/\s+/);
      if (argv[0] !== "wasmos") throw new Error(`guide: a console block runs only wasmos, not: ${line}`);
      const lt = argv.indexOf("<");
      if (lt >= 0 && lt !== argv.length - 2) throw new Error(`guide: "< FILE" goes at the end: ${line}`);
      out.push({ argv: argv.slice(1, lt >= 0 ? lt : undefined), stdin: lt >= 0 ? argv[lt + 1] : null, expected: [] });
    } else out[out.length - 1].expected.push(line);
  }
  return out;
}

const pattern = (line: string) =>
  new RegExp(
    "^" +
      line
        .split("…")
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  );

describe("docs/guide.md", () => {
  const all = blocks(GUIDE);
  const files = all.filter((b) => (b.lang === "ts" || b.lang === "json") && b.info.startsWith("file="));
  const consoles = all.filter((b) => b.lang === "console");

  it("has its snippets as files and console sessions, and no other kind of block but the project setup", () => {
    expect(files.length).toBeGreaterThanOrEqual(9);
    expect(files.some((f) => f.lang === "json")).toBe(true);
    expect(consoles.length).toBeGreaterThanOrEqual(6);
    expect(all.filter((b) => !files.includes(b) && !consoles.includes(b)).map((b) => b.lang)).toEqual(["sh"]);
  });

  it("compiles every snippet and prints what the guide shows", () => {
    // A fixed folder: the compile cache keys on the entry's path, so a second run compiles nothing.
    const dir = join(REPO_ROOT, ".cache", "guide");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f.info.slice("file=".length)), f.body);
    for (const block of consoles) {
      for (const { argv, stdin, expected } of sessions(block.body)) {
        const input = stdin === null ? "" : readFileSync(join(dir, stdin), "utf8");
        const r = spawnSync(process.execPath, [BIN, ...argv], { cwd: dir, input, encoding: "utf8", timeout: 120_000 });
        const label = `wasmos ${argv.join(" ")}`;
        expect(r.stderr, label).toBe("");
        expect(r.status, label).toBe(0);
        const got = r.stdout.replace(/\n$/, "").split("\n");
        expect(got.length, `${label}: ${r.stdout}`).toBe(expected.length);
        got.forEach((line, i) => expect(line, label).toMatch(pattern(expected[i])));
      }
    }
  }, 300_000);
});
