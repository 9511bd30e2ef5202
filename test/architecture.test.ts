// The layering of ARCHITECTURE.md holds for every source file, and the check
// that says so can fail: run on a small tree with one forbidden import, it
// names that import.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkArchitecture, importsOf, readLayers } from "./architecture/check.ts";

const ROOT = join(import.meta.dirname, "..");

describe("the architecture", () => {
  it("names every top-level source folder in the layer table", () => {
    const folders = readLayers(ROOT).map((l) => l.folder);
    for (const f of ["abi", "wasm", "kernel", "hal", "loader", "host", "build", "cli", "guests", "test"]) expect(folders).toContain(f);
  });

  it("has no import that crosses a line the layer table does not draw, and no host API where the code must be portable", () => {
    const violations = checkArchitecture(ROOT).map((v) => v.message);
    expect(violations).toEqual([]);
  });
});

describe("the architecture check", () => {
  function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "wasmos-arch-"));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  }
  const TABLE = [
    "<!-- layers:begin -->",
    "| folder | holds | may import |",
    "|---|---|---|",
    "| `abi/` | the ABI | nothing |",
    "| `kernel/` | the kernel | `abi/` |",
    "| `host/` | the embedding | `abi/`, `kernel/` |",
    "| `test/` | tests | everything |",
    "<!-- layers:end -->",
    "<!-- private:begin -->",
    "| path | may be imported only from |",
    "|---|---|",
    "| `kernel/syscalls/` | `kernel/syscalls/`, `host/runtime/bridge.ts` |",
    "<!-- private:end -->",
  ].join("\n");

  it("fails when the kernel imports the host, and names the file and the import", () => {
    const root = tree({
      "ARCHITECTURE.md": TABLE,
      "abi/abi.ts": "export const A = 1;\n",
      "host/kernel.ts": 'import { A } from "../abi/abi.ts";\nexport const H = A;\n',
      "kernel/ipc.ts": 'import { A } from "../abi/abi.ts";\nimport { H } from "../host/kernel.ts";\nexport const K = A + H;\n',
      "test/a.test.ts": 'import { K } from "../kernel/ipc.ts";\n',
    });
    try {
      expect(checkArchitecture(root).map((v) => v.message)).toEqual([
        "kernel/ipc.ts imports ../host/kernel.ts: kernel/ may not import host/ (ARCHITECTURE.md)",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("fails when kernel logic imports a syscall adapter, and lets the bridge do it", () => {
    const root = tree({
      "ARCHITECTURE.md": TABLE,
      "kernel/syscalls/ipc.ts": "export const sysSend = 1;\n",
      "kernel/core.ts": 'import { sysSend } from "./syscalls/ipc.ts";\nexport const K = sysSend;\n',
      "host/runtime/bridge.ts": 'import { sysSend } from "../../kernel/syscalls/ipc.ts";\nexport const B = sysSend;\n',
    });
    try {
      expect(checkArchitecture(root).map((v) => v.message)).toEqual([
        "kernel/core.ts imports ./syscalls/ipc.ts: kernel/syscalls/ is private to kernel/syscalls/, host/runtime/bridge.ts (ARCHITECTURE.md)",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("fails on a source folder the table does not name, and on a Node module inside the kernel", () => {
    const root = tree({
      "ARCHITECTURE.md": TABLE,
      "kernel/clock.ts": 'import { hrtime } from "node:process";\nexport const now = hrtime;\n',
      "tools/x.ts": "export {};\n",
    });
    try {
      expect(checkArchitecture(root).map((v) => v.message)).toEqual([
        "kernel/clock.ts uses a Node built-in module",
        "top-level folder tools/ holds sources but is not in ARCHITECTURE.md's layer table",
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("finds static, re-exported and dynamic imports, and ignores commented-out ones", () => {
    const src = [
      'import a from "./a.ts";',
      'export { b } from "../b.ts";',
      'const c = await import("./c.ts");',
      'import "./side-effect.ts";',
      '// import d from "./d.ts";',
      '/* import e from "./e.ts"; */',
    ].join("\n");
    expect(importsOf(src)).toEqual(["./a.ts", "../b.ts", "./c.ts", "./side-effect.ts"]);
  });
});
