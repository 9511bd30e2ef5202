// `wasmos run` boots the default system: standard input, output and error
// through devfs, tmpfs at /tmp; a pipe reader that goes away ends it quietly.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const sh = (cmd: string) => spawnSync("bash", ["-c", cmd], { encoding: "utf8", cwd: REPO_ROOT, timeout: 120_000 });
const wasmos = `${process.execPath} ${BIN}`;

it("echo hello | wasmos run upper.ts prints HELLO (stdin read to its end through /dev/stdin)", () => {
  const r = sh(`echo hello | ${wasmos} run guests/examples/upper.ts`);
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe("HELLO\n");
  expect(r.status).toBe(0);
});

it("blocks a read until input arrives, then sees the end of input", () => {
  const r = sh(`(echo one; sleep 0.3; echo two) | ${wasmos} run guests/examples/upper.ts`);
  expect(r.stdout).toBe("ONE\nTWO\n");
  expect(r.status).toBe(0);
});

it("sends /dev/stderr to stderr and /dev/stdout to stdout, with /tmp there", () => {
  const r = sh(`${wasmos} run test/ns/fixtures/streams.ts < /dev/null`);
  expect(r.stdout).toBe("to stdout\nkept in tmpfs\n");
  expect(r.stderr).toBe("to stderr\n");
  expect(r.status).toBe(0);
});

it("ends quietly when the reader of its output goes away (wasmos run prog | head -1)", () => {
  const r = sh(`${wasmos} run guests/examples/count.ts < /dev/null | head -1; echo "status \${PIPESTATUS[0]}" >&2`);
  expect(r.stdout).toBe("1\n");
  expect(r.stderr).toBe("status 0\n"); // no EPIPE stack
});
