// `wasmos run --record FILE` and `wasmos replay FILE` from the command line.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../build/compile.ts";
import { EXIT_DIVERGED } from "../../cli/commands/replay.ts";

const BIN = join(REPO_ROOT, "bin", "wasmos.js");
const tmp = mkdtempSync(join(tmpdir(), "wasmos-replay-cli-"));
const wasmos = (args: string[], input = "") =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", cwd: tmp, input, timeout: 120_000 });

describe("wasmos run --record and wasmos replay", () => {
  const rec = join(tmp, "upper.rec");
  it("records a real-time run with console input, and replays it with the same output and exit status", () => {
    const a = wasmos(["run", "--realtime", "--record", rec, join(REPO_ROOT, "guests", "examples", "upper.ts")], "record me\nand replay\n");
    expect(a.stderr).toBe("");
    expect(a.stdout).toBe("RECORD ME\nAND REPLAY\n");
    expect(a.status).toBe(0);
    expect(JSON.parse(readFileSync(rec, "utf8")).format).toBe("wasmos-recording");
    const b = wasmos(["replay", rec]); // no input: it comes from the recording
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/^wasmos: replay matched the recording: \d+ trace events, \d+ outside events, \d+ clock readings\n$/);
    expect(b.status).toBe(0);
  });

  it("says where a replay with a changed program diverges, and exits with its own status", () => {
    const r = wasmos(["replay", "--program", join(REPO_ROOT, "test", "record", "fixtures", "upper-changed.ts"), rec]);
    expect(r.status).toBe(EXIT_DIVERGED);
    expect(r.stderr).toMatch(/is not the recorded program \(SHA-256 differs\)/);
    expect(r.stderr).toMatch(
      /replay diverged at trace event \d+: standard output differs at byte 0, after trace event \d+\n {2}recorded: "RECORD ME/,
    );
  });

  it("records a booted system (wasmos boot --record) and replays it; a changed manifest diverges where its behaviour does", () => {
    const bootRec = join(tmp, "counter.rec");
    const manifest = join(REPO_ROOT, "systems", "counter.json");
    const a = wasmos(["boot", "--record", bootRec, manifest]);
    expect(a.status).toBe(0);
    const b = wasmos(["replay", bootRec]);
    expect(b.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(b.stderr).toMatch(/replay matched the recording: \d+ trace events/);
    const changed = join(tmp, "counter-changed.json");
    writeFileSync(
      changed,
      readFileSync(manifest, "utf8")
        .replace('"../guests/', `"${join(REPO_ROOT, "guests")}/`)
        .replace('"20", "10"', '"21", "10"'),
    );
    const c = wasmos(["replay", "--program", changed, bootRec]);
    expect(c.status).toBe(EXIT_DIVERGED);
    expect(c.stderr).toMatch(/replay diverged at trace event \d+: trace event \d+ differs\n {2}recorded: .*\n {2}replayed: /);
  });

  it("refuses a file that is not a recording, naming it", () => {
    const r = wasmos(["replay", join(REPO_ROOT, "package.json")]);
    expect(r.status).toBe(66);
    expect(r.stderr).toMatch(/package\.json: not a recording/);
  });
});
